// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of the AQM (module/core/aqm.c): the control law, what both
 * modes share, and what the decay mode does that CoDel does not (resume
 * after a dip, count down, forget an old episode, bounded work). The CoDel
 * mode is compared with the kernel's CoDel in test_codel_ref.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/aqm.h"

#define MS	1000000ULL
#define SEC	1000000000ULL
#define BACKLOG	100000		/* well above one MTU */

static const struct mqos_aqm_params decay = {
	.target_ns = 5 * MS, .interval_ns = 100 * MS, .mtu = 1514,
	.mode = MQOS_AQM_MODE_DECAY,
};
static const struct mqos_aqm_params codel = {
	.target_ns = 5 * MS, .interval_ns = 100 * MS, .mtu = 1514,
	.mode = MQOS_AQM_MODE_CODEL,
};

/* One packet a millisecond from @from to @to with @soj: the drops. */
static int run(struct mqos_aqm *a, const struct mqos_aqm_params *p,
	       uint64_t soj, uint64_t from, uint64_t to)
{
	int drops = 0;

	for (uint64_t now = from; now < to; now += MS)
		drops += mqos_aqm_should_drop(a, p, soj, BACKLOG, now);
	return drops;
}

/* The first drop at or after @from, one packet a ms above target. */
static uint64_t first_drop(struct mqos_aqm *a, const struct mqos_aqm_params *p,
			   uint64_t from)
{
	for (uint64_t now = from; now < from + 10 * SEC; now += MS)
		if (mqos_aqm_should_drop(a, p, 20 * MS, BACKLOG, now))
			return now;
	fail_msg("no drop within 10 s");
	return 0;
}

static void test_control_law(void **state)
{
	(void)state;
	assert_int_equal(mqos_aqm_control_law(100 * MS, 0), 100 * MS);
	assert_int_equal(mqos_aqm_control_law(100 * MS, 1), 100 * MS);
	assert_int_equal(mqos_aqm_control_law(100 * MS, 4), 50 * MS);
	assert_in_range(mqos_aqm_control_law(100 * MS, 2), 70700000, 70720000);
	assert_in_range(mqos_aqm_control_law(100 * MS, 100), 9999000, 10001000);
}

/* What both modes do the same. */
static void test_both_modes(void **state)
{
	const struct mqos_aqm_params *modes[] = { &decay, &codel };
	struct mqos_aqm a;
	uint64_t now;

	(void)state;
	for (unsigned int m = 0; m < 2; m++) {
		struct mqos_aqm_params off = *modes[m];
		const struct mqos_aqm_params *p = modes[m];

		off.target_ns = 0;
		mqos_aqm_reset(&a);
		/* Below target, AQM off, a backlog of one MTU: never. */
		for (now = 0; now < SEC; now += MS) {
			assert_false(mqos_aqm_should_drop(&a, p, 4 * MS, BACKLOG, now));
			assert_false(mqos_aqm_should_drop(&a, &off, SEC, BACKLOG, now));
			assert_false(mqos_aqm_should_drop(&a, p, SEC, 1514, now));
		}
		/* Above target: nothing for one interval, then a drop. */
		mqos_aqm_reset(&a);
		assert_int_equal(run(&a, p, 20 * MS, SEC, SEC + 100 * MS), 0);
		assert_true(mqos_aqm_should_drop(&a, p, 20 * MS, BACKLOG,
						 SEC + 100 * MS));
		/* Then faster and faster: interval / sqrt(count). */
		assert_in_range(run(&a, p, 20 * MS, SEC + 101 * MS,
				    2 * SEC + 100 * MS), 15, 60);
		/* Below target: out of the dropping state at once. */
		assert_false(mqos_aqm_should_drop(&a, p, 1 * MS, BACKLOG,
						  2 * SEC + 100 * MS));
		assert_false(a.dropping);
		/* A dip shorter than an interval before the first drop
		 * restarts the wait in both modes.
		 */
		mqos_aqm_reset(&a);
		for (now = 0; now < 2 * SEC; now += 70 * MS) {
			assert_int_equal(run(&a, p, 20 * MS, now, now + 60 * MS), 0);
			assert_int_equal(run(&a, p, 1 * MS, now + 60 * MS,
					     now + 70 * MS), 0);
		}
	}
}

/*
 * After drops have begun, one packet below target: CoDel waits a whole
 * interval above target again; decay signals after interval / sqrt(count).
 */
static void test_resume_after_dip(void **state)
{
	struct mqos_aqm a;
	uint64_t t;
	uint32_t n;

	(void)state;
	mqos_aqm_reset(&a);
	assert_true(run(&a, &decay, 20 * MS, 0, SEC) >= 10);
	n = a.count;
	assert_false(mqos_aqm_should_drop(&a, &decay, 1 * MS, BACKLOG, SEC));
	assert_int_equal(a.count, n);		/* kept */
	t = first_drop(&a, &decay, SEC + MS);
	assert_true(t <= SEC + 2 * MS + mqos_aqm_control_law(100 * MS, n));
	assert_int_equal(a.count, n + 1);	/* resumed, not restarted */

	mqos_aqm_reset(&a);
	assert_true(run(&a, &codel, 20 * MS, 0, SEC) >= 10);
	assert_false(mqos_aqm_should_drop(&a, &codel, 1 * MS, BACKLOG, SEC));
	t = first_drop(&a, &codel, SEC + MS);
	assert_true(t >= SEC + MS + 100 * MS);
}

/* Below target the count decays, one step per control-law interval. */
static void test_counts_down(void **state)
{
	struct mqos_aqm a;
	uint32_t n;

	(void)state;
	mqos_aqm_reset(&a);
	run(&a, &decay, 20 * MS, 0, 2 * SEC);
	n = a.count;
	assert_true(n >= 20);
	/* 100 ms below target: a few steps (each >= 100 ms / sqrt(n)). */
	run(&a, &decay, 1 * MS, 2 * SEC, 2 * SEC + 100 * MS);
	assert_true(a.count < n && a.count + 12 > n);
	assert_false(a.dropping);
	/* 2 interval * sqrt(n) later it is gone. */
	run(&a, &decay, 1 * MS, 2 * SEC + 100 * MS, 4 * SEC);
	assert_int_equal(a.count, 0);
	/* And the next episode starts afresh: a whole interval first. */
	assert_true(first_drop(&a, &decay, 4 * SEC) >= 4 * SEC + 100 * MS);
}

/* A count whose schedule lies 16 intervals behind (an idle flow). */
static void test_forgets_old_episode(void **state)
{
	struct mqos_aqm a;

	(void)state;
	mqos_aqm_reset(&a);
	run(&a, &decay, 20 * MS, 0, SEC);
	assert_true(a.count >= 10);
	/* No packets for 2 s, then a standing queue at once. */
	assert_true(first_drop(&a, &decay, 3 * SEC) >= 3 * SEC + 100 * MS);
	assert_int_equal(a.count, 2);
}

/* However far behind, one call takes a bounded number of steps. */
static void test_bounded_work(void **state)
{
	struct mqos_aqm a;
	uint64_t now = 100 * SEC;

	(void)state;
	mqos_aqm_reset(&a);
	a.count = 1000000;
	a.drop_next = now - 10 * 100 * MS;
	assert_false(mqos_aqm_should_drop(&a, &decay, 1 * MS, BACKLOG, now));
	assert_true(a.count >= 1000000 - 8 && a.count < 1000000);
	assert_true(a.drop_next == now);	/* restarted, not left behind */
	/* A count at its maximum stays there. */
	a.count = ~0U;
	a.dropping = true;
	a.drop_next = now;
	assert_true(mqos_aqm_should_drop(&a, &decay, 20 * MS, BACKLOG, now));
	assert_int_equal(a.count, ~0U);
}

/* An empty queue: out of the dropping state; decay takes one step. */
static void test_empty(void **state)
{
	struct mqos_aqm a, b;
	uint32_t n;

	(void)state;
	mqos_aqm_reset(&a);
	run(&a, &decay, 20 * MS, 0, SEC);
	b = a;
	n = a.count;
	assert_true(a.dropping);
	mqos_aqm_empty(&a, &decay, a.drop_next);
	assert_false(a.dropping);
	assert_int_equal(a.count, n - 1);
	mqos_aqm_empty(&b, &codel, b.drop_next);
	assert_false(b.dropping);
	assert_int_equal(b.count, n);		/* CoDel's count stays */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_control_law),
		cmocka_unit_test(test_both_modes),
		cmocka_unit_test(test_resume_after_dip),
		cmocka_unit_test(test_counts_down),
		cmocka_unit_test(test_forgets_old_episode),
		cmocka_unit_test(test_bounded_work),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests_name("aqm", tests, NULL, NULL);
}
