// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Unit tests of the ns token bucket (module/core/tbf.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/tbf.h"

#define NS	1ULL
#define US	1000ULL
#define MS	1000000ULL
#define SEC	1000000000ULL

static void test_unlimited(void **state)
{
	struct mqos_tb tb;

	(void)state;
	mqos_tb_init(&tb, 0, 1500, 0);
	assert_true(mqos_tb_unlimited(&tb));
	assert_true(mqos_tb_ready(&tb));
	mqos_tb_charge(&tb, 65535);
	assert_true(mqos_tb_ready(&tb));
	assert_int_equal(mqos_tb_wait_ns(&tb), 0);
	assert_true(mqos_tb_police(&tb, 65535, 0));
	assert_int_equal(mqos_tb_rate(&tb), 0);
}

static void test_len2ns(void **state)
{
	struct mqos_tb tb;

	(void)state;
	/* 1 Mbit/s = 125000 B/s: 1 byte = 8 us, 1500 bytes = 12 ms. */
	mqos_tb_init(&tb, 125000, 1500, 0);
	assert_int_equal(mqos_tb_len2ns(&tb, 1500), 12 * MS);
	/* 10 Gbit/s: 1500 bytes = 1.2 us (within a ns). */
	mqos_tb_init(&tb, 1250000000ULL, 1500, 0);
	assert_in_range(mqos_tb_len2ns(&tb, 1500), 1199, 1201);
	assert_in_range(mqos_tb_rate(&tb), 1249000000ULL, 1251000000ULL);
	/* Below the minimum rate, clamped to it. */
	mqos_tb_init(&tb, 1, 1500, 0);
	assert_int_equal(mqos_tb_rate(&tb), MQOS_TB_MIN_RATE);
	/* Huge lengths are clamped, never overflow. */
	assert_true(mqos_tb_len2ns(&tb, 0xffffffffu) ==
		    mqos_tb_len2ns(&tb, MQOS_TB_MAX_LEN));
}

/* Shaper: the long-run rate is exact whatever the packet size. */
static void test_shaper_rate(void **state)
{
	struct mqos_tb tb;
	uint64_t now = 0, bytes = 0;
	const uint64_t rate = 625000;	/* 5 Mbit/s */

	(void)state;
	mqos_tb_init(&tb, rate, 3000, now);
	while (now < 10 * SEC) {
		mqos_tb_refill(&tb, now);
		if (mqos_tb_ready(&tb)) {
			mqos_tb_charge(&tb, 1514);
			bytes += 1514;
		} else {
			now += mqos_tb_wait_ns(&tb);
		}
	}
	/* 10 s at 625000 B/s, plus at most one burst and one packet. */
	assert_in_range(bytes, 10 * rate, 10 * rate + 3000 + 1514);
}

static void test_shaper_debt_and_wait(void **state)
{
	struct mqos_tb tb;

	(void)state;
	mqos_tb_init(&tb, 125000, 1500, 0);	/* 8 us/byte, depth 12 ms */
	assert_true(mqos_tb_ready(&tb));
	mqos_tb_charge(&tb, 3000);		/* 24 ms: 12 ms of debt */
	assert_false(mqos_tb_ready(&tb));
	assert_int_equal(mqos_tb_wait_ns(&tb), 12 * MS);
	mqos_tb_refill(&tb, 11 * MS);
	assert_false(mqos_tb_ready(&tb));
	assert_int_equal(mqos_tb_wait_ns(&tb), 1 * MS);
	mqos_tb_refill(&tb, 12 * MS);
	assert_true(mqos_tb_ready(&tb));
	/* A long idle time refills to the depth, not beyond. */
	mqos_tb_refill(&tb, 100 * SEC);
	assert_int_equal(tb.tokens, tb.depth);
	/* Time going backwards changes nothing. */
	mqos_tb_refill(&tb, 5 * SEC);
	assert_int_equal(tb.tokens, tb.depth);
	assert_int_equal(tb.t_c, 100 * SEC);
}

/* A late wakeup of a waiting shaper: credit beyond the depth, bounded. */
static void test_shaper_late(void **state)
{
	struct mqos_tb tb, plain;
	uint64_t now, bytes = 0, late;

	(void)state;
	mqos_tb_init(&tb, 125000, 1500, 0);	/* 8 us/byte, depth 12 ms */
	mqos_tb_charge(&tb, 3000);		/* due at 12 ms */
	plain = tb;
	/* The timer fires 20 ms late: 20 ms of credit, 8 ms above depth. */
	mqos_tb_refill_late(&tb, 32 * MS, 25 * MS);
	assert_int_equal(tb.tokens, 20 * MS);
	mqos_tb_refill(&plain, 32 * MS);
	assert_int_equal(plain.tokens, 12 * MS);
	/* A plain refill keeps credit above the depth until it is spent. */
	mqos_tb_refill(&tb, 33 * MS);
	assert_int_equal(tb.tokens, 20 * MS);
	/* The bound: 100 ms late gives depth + 25 ms, no more. */
	mqos_tb_charge(&tb, 5000);		/* 40 ms: 20 ms of debt */
	mqos_tb_refill_late(&tb, 153 * MS, 25 * MS);
	assert_int_equal(tb.tokens, 37 * MS);

	/*
	 * Long run: always backlogged, every wakeup 5 ms late, depth
	 * 1.44 ms: refill_late keeps the rate exact; refill loses what is
	 * above the depth on every wakeup (a 1500-byte packet every
	 * 2.4 - 1.44 + 5 ms instead of every 2.4 ms).
	 */
	mqos_tb_init(&tb, 625000, 900, 0);	/* 5 Mbit/s, depth 1.44 ms */
	mqos_tb_init(&plain, 625000, 900, 0);
	for (late = 0; late < 2; late++) {
		struct mqos_tb *b = late ? &tb : &plain;

		now = 0;
		bytes = 0;
		while (now < 10 * SEC) {
			if (late)
				mqos_tb_refill_late(b, now, 25 * MS);
			else
				mqos_tb_refill(b, now);
			if (mqos_tb_ready(b)) {
				mqos_tb_charge(b, 1500);
				bytes += 1500;
				continue;
			}
			now += mqos_tb_wait_ns(b) + 5 * MS;
		}
		if (late)	/* within one packet of 10 s at 5 Mbit/s */
			assert_in_range(bytes, 6250000 - 1500, 6250000 + 3000);
		else
			assert_true(bytes < 6250000 / 2);
	}
}

/* Policer: burst passes at once, then exactly the rate; no debt. */
static void test_policer(void **state)
{
	struct mqos_tb tb;
	uint64_t now, passed = 0, offered = 0;
	int i;

	(void)state;
	/* 1 Mbit/s, burst 10 kB, offered 3 Mbit/s of 1000-byte packets. */
	mqos_tb_init(&tb, 125000, 10000, 0);
	for (i = 0; i < 10; i++)
		assert_true(mqos_tb_police(&tb, 1000, 0));
	assert_false(mqos_tb_police(&tb, 1000, 0));
	assert_true(tb.tokens >= 0);

	mqos_tb_init(&tb, 125000, 10000, 0);
	for (now = 0; now < 10 * SEC; now += 8 * MS / 3) {
		offered += 1000;
		if (mqos_tb_police(&tb, 1000, now))
			passed += 1000;
	}
	assert_in_range(offered, 3700000, 3800000);
	/* 10 s at 125000 B/s plus the 10 kB burst. */
	assert_in_range(passed, 1250000 - 1000, 1250000 + 10000);
}

/* Rates from 10 kbit/s to 100 Gbit/s: 2 ms deep, never capped by bytes. */
static void test_depth_in_time(void **state)
{
	static const uint64_t rates[] = {
		1250ULL, 125000ULL, 12500000ULL, 1250000000ULL, 12500000000ULL,
	};
	struct mqos_tb tb;
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		mqos_tb_init_ns(&tb, rates[i], 2 * MS, 0);
		assert_int_equal(tb.depth, 2 * MS);
		assert_int_equal(tb.tokens, 2 * MS);
		/* 2 ms at 100 Gbit/s is 25 MB: far above the 1 MiB packet cap. */
		assert_in_range(mqos_tb_rate(&tb), rates[i] - rates[i] / 1000,
				rates[i] + rates[i] / 1000);
	}
}

/* A change keeps the credit (in bytes), it does not refill the bucket. */
static void test_update_keeps_credit(void **state)
{
	struct mqos_tb tb;

	(void)state;
	/* 1 Mbit/s, 10 ms deep, spend it all: 1250 bytes of debt-free zero. */
	mqos_tb_init_ns(&tb, 125000, 10 * MS, 0);
	mqos_tb_charge(&tb, 1250);
	assert_int_equal(tb.tokens, 0);
	/* Same rate, later: only what the time earned, no fresh burst. */
	mqos_tb_update_ns(&tb, 125000, 10 * MS, 1 * MS);
	assert_int_equal(tb.tokens, 1 * MS);
	/* Twice the rate: 125 bytes of credit are now 0.5 ms, not 10 ms. */
	mqos_tb_update_ns(&tb, 250000, 10 * MS, 1 * MS);
	assert_in_range(tb.tokens, 500 * US - 1000, 500 * US + 1000);
	/* Debt is converted too: 2500 bytes owed at 2 Mbit/s = -9.5 ms... */
	mqos_tb_charge(&tb, 2500);
	assert_true(tb.tokens < 0);
	mqos_tb_update_ns(&tb, 125000, 10 * MS, 1 * MS);
	/* ...125 - 2500 = -2375 bytes at 1 Mbit/s = -19 ms. */
	assert_in_range(tb.tokens, -19 * (int64_t)MS - 20000,
			-19 * (int64_t)MS + 20000);
	/* A shallower bucket clamps the credit. */
	mqos_tb_update_ns(&tb, 125000, 1 * MS, 100 * MS);
	assert_int_equal(tb.tokens, 1 * MS);
	/* Unlimited -> limited starts full; limited -> unlimited is unlimited. */
	mqos_tb_update_ns(&tb, 0, 0, 100 * MS);
	assert_true(mqos_tb_unlimited(&tb));
	mqos_tb_update_ns(&tb, 125000, 3 * MS, 100 * MS);
	assert_int_equal(tb.tokens, 3 * MS);
	/* Extreme rates do not overflow: 1 kbit/s <-> 1 Tbit/s. */
	mqos_tb_update_ns(&tb, 125, 3600ULL * SEC, 100 * MS);
	mqos_tb_update_ns(&tb, 125000000000ULL, 2 * MS, 100 * MS);
	assert_true(tb.tokens <= (int64_t)(2 * MS));
	mqos_tb_update_ns(&tb, 125, 3600ULL * SEC, 100 * MS);
	assert_true(tb.tokens >= 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unlimited),
		cmocka_unit_test(test_len2ns),
		cmocka_unit_test(test_shaper_rate),
		cmocka_unit_test(test_shaper_debt_and_wait),
		cmocka_unit_test(test_shaper_late),
		cmocka_unit_test(test_policer),
		cmocka_unit_test(test_depth_in_time),
		cmocka_unit_test(test_update_keeps_credit),
	};

	(void)NS;
	(void)US;
	return cmocka_run_group_tests_name("tbf", tests, NULL, NULL);
}
