// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of the AQM (module/core/aqm.c): the control law, what both
 * modes share, and what the decay mode does that CoDel does not (resume
 * after a dip, count down, decay an idle flow's count in one step, keep
 * signalling sparse packets, large values). The CoDel
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
	.mode = MQOS_AQM_DECAY,
};
static const struct mqos_aqm_params codel = {
	.target_ns = 5 * MS, .interval_ns = 100 * MS, .mtu = 1514,
	.mode = MQOS_AQM_CODEL,
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
	/* It is gone after 2 interval sqrt(n) (2.1 s for n = 115): 3 s. */
	run(&a, &decay, 1 * MS, 2 * SEC + 100 * MS, 5 * SEC);
	assert_int_equal(a.count, 0);
	/* And the next episode starts afresh: a whole interval first. */
	assert_true(first_drop(&a, &decay, 5 * SEC) >= 5 * SEC + 100 * MS);
}

/* An idle flow: the time it was away decays its count, in one call. */
static void test_idle_decays(void **state)
{
	struct mqos_aqm a, b;
	uint64_t now, t0;

	(void)state;
	mqos_aqm_reset(&a);
	run(&a, &decay, 20 * MS, 0, SEC);
	assert_true(a.count >= 10);
	/* Empty at 1 s, back 2 s later with a standing queue: a new episode. */
	mqos_aqm_empty(&a, &decay, SEC);
	assert_true(first_drop(&a, &decay, 3 * SEC) >= 3 * SEC + 100 * MS);
	assert_int_equal(a.count, 2);

	/* Count 400, 1 s later: about (20 - 1 s / 200 ms)^2 = 225 ... */
	mqos_aqm_reset(&a);
	t0 = 10 * SEC;
	a.count = 400;
	a.drop_next = t0;
	b = a;
	assert_false(mqos_aqm_should_drop(&a, &decay, 1 * MS, BACKLOG, t0 + SEC));
	assert_in_range(a.count, 215, 235);
	assert_true(a.drop_next > t0 + SEC);
	/* ... as step by step, one packet a ms below target. */
	for (now = t0; now <= t0 + SEC; now += MS)
		mqos_aqm_should_drop(&b, &decay, 1 * MS, BACKLOG, now);
	assert_true(a.count + 10 >= b.count && b.count + 10 >= a.count);
}

/* Packets further apart than the schedule keep being signalled. */
static void test_sparse_overload(void **state)
{
	struct mqos_aqm a;
	uint64_t now;
	int sig = 0, n = 0;

	(void)state;
	mqos_aqm_reset(&a);
	/* One packet every 120 ms, always above target (ECN: each sent). */
	for (now = 0; now < 200 * 120 * MS; now += 120 * MS, n++)
		sig += mqos_aqm_should_drop(&a, &decay, 20 * MS, BACKLOG, now);
	assert_true(sig >= n - 2);
	/*
	 * The schedule kept up with them: a dip below target 120 ms after
	 * the last signal decays what 120 ms decay (count 200: about 17
	 * steps), not the whole count against a schedule left far behind.
	 */
	n = a.count;
	assert_true(n >= 100);
	assert_false(mqos_aqm_should_drop(&a, &decay, 1 * MS, BACKLOG, now));
	assert_true(a.count >= (uint32_t)n / 2 && a.count < (uint32_t)n);
}

/* Large counts and lags: one call, no overflow, never a larger count. */
static void test_large_values(void **state)
{
	struct mqos_aqm_params p = decay;
	struct mqos_aqm a;
	uint64_t lag, now = 10000000 * SEC;
	uint32_t last = ~0U;

	(void)state;
	p.interval_ns = 10 * SEC;	/* the netlink policy's maximum */
	for (lag = 1; lag < 4000000 * SEC; lag = lag * 3 + 7) {
		mqos_aqm_reset(&a);
		a.count = ~0U - 1;
		a.drop_next = now - lag;
		assert_false(mqos_aqm_should_drop(&a, &p, 1 * MS, BACKLOG, now));
		assert_true(a.count <= last);
		last = a.count;
	}
	assert_int_equal(last, 0);
	/* A count at its maximum stays there. */
	mqos_aqm_reset(&a);
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
		cmocka_unit_test(test_idle_decays),
		cmocka_unit_test(test_sparse_overload),
		cmocka_unit_test(test_large_values),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests_name("aqm", tests, NULL, NULL);
}
