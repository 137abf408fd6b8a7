// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Unit tests of the sojourn histogram (module/core/hist.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/hist.h"

#define US	1000ULL
#define MS	1000000ULL
#define SEC	1000000000ULL

static void test_buckets(void **state)
{
	(void)state;
	assert_int_equal(mqos_hist_bucket(0), 0);
	assert_int_equal(mqos_hist_bucket(999), 0);
	assert_int_equal(mqos_hist_bucket(1 * US), 1);
	assert_int_equal(mqos_hist_bucket(2 * US - 1), 1);
	assert_int_equal(mqos_hist_bucket(2 * US), 2);
	assert_int_equal(mqos_hist_bucket(1 * MS), 10);	/* [512, 1024) us */
	assert_int_equal(mqos_hist_bucket(100 * SEC), MQOS_HIST_BUCKETS - 1);
	assert_int_equal(mqos_hist_bucket(~0ULL), MQOS_HIST_BUCKETS - 1);
	/* Every bucket's bounds contain exactly its samples. */
	for (unsigned int b = 0; b < MQOS_HIST_BUCKETS - 1; b++) {
		assert_int_equal(mqos_hist_bucket(mqos_hist_bucket_lo(b)), b);
		assert_int_equal(mqos_hist_bucket(mqos_hist_bucket_hi(b) - 1), b);
		assert_int_equal(mqos_hist_bucket_hi(b),
				 mqos_hist_bucket_lo(b + 1));
	}
	/* The last bucket starts at ~4.2 s: the histogram reaches seconds. */
	assert_true(mqos_hist_bucket_lo(MQOS_HIST_BUCKETS - 1) >= 4 * SEC);
}

/* The division-free bucket equals fls64(ns / 1000), clamped, everywhere. */
static unsigned int ref_bucket(uint64_t ns)
{
	uint64_t us = ns / 1000;
	unsigned int b = us ? 64 - (unsigned int)__builtin_clzll(us) : 0;

	return b < MQOS_HIST_BUCKETS ? b : MQOS_HIST_BUCKETS - 1;
}

static void test_bucket_no_division(void **state)
{
	uint64_t ns, edge;
	int s, d;

	(void)state;
	for (ns = 0; ns < 3000000; ns++)
		assert_int_equal(mqos_hist_bucket(ns), ref_bucket(ns));
	for (s = 0; s < 64; s++) {
		for (d = -2; d <= 2; d++) {
			ns = (1ULL << s) + (uint64_t)d;
			assert_int_equal(mqos_hist_bucket(ns), ref_bucket(ns));
			if (s > 50)
				continue;
			edge = (1ULL << s) * 1000 + (uint64_t)d;
			assert_int_equal(mqos_hist_bucket(edge), ref_bucket(edge));
		}
	}
	assert_int_equal(mqos_hist_bucket(~0ULL), MQOS_HIST_BUCKETS - 1);
}

static void test_min_mean_max_jitter(void **state)
{
	struct mqos_hist h;

	(void)state;
	mqos_hist_reset(&h);
	assert_int_equal(mqos_hist_mean(&h), 0);
	assert_int_equal(mqos_hist_jitter(&h), 0);
	mqos_hist_add(&h, 10 * US);
	assert_int_equal(mqos_hist_jitter(&h), 0);
	mqos_hist_add(&h, 30 * US);
	mqos_hist_add(&h, 20 * US);
	mqos_hist_add(&h, 20 * US);
	assert_int_equal(h.count, 4);
	assert_int_equal(h.min_ns, 10 * US);
	assert_int_equal(h.max_ns, 30 * US);
	assert_int_equal(mqos_hist_mean(&h), 20 * US);
	/* |30-10| + |20-30| + |20-20| = 30 us over 3 differences. */
	assert_int_equal(mqos_hist_jitter(&h), 10 * US);
}

static void test_percentile(void **state)
{
	struct mqos_hist h;
	uint64_t p50, p99;
	int i;

	(void)state;
	mqos_hist_reset(&h);
	assert_int_equal(mqos_hist_percentile(h.buckets, MQOS_HIST_BUCKETS,
					      0, 0, 500), 0);
	/* 90 samples at 100 us, 10 at 50 ms. */
	for (i = 0; i < 90; i++)
		mqos_hist_add(&h, 100 * US);
	for (i = 0; i < 10; i++)
		mqos_hist_add(&h, 50 * MS);
	p50 = mqos_hist_percentile(h.buckets, MQOS_HIST_BUCKETS, h.min_ns,
				   h.max_ns, 500);
	p99 = mqos_hist_percentile(h.buckets, MQOS_HIST_BUCKETS, h.min_ns,
				   h.max_ns, 990);
	/* Within the sample's log2 bucket. */
	assert_in_range(p50, 64 * US, 128 * US);
	assert_in_range(p99, 32768 * US, 50 * MS);
	/* p100 and p0 are clamped to what was seen. */
	assert_int_equal(mqos_hist_percentile(h.buckets, MQOS_HIST_BUCKETS,
					      h.min_ns, h.max_ns, 1000),
			 50 * MS);
	assert_int_equal(mqos_hist_percentile(h.buckets, MQOS_HIST_BUCKETS,
					      h.min_ns, h.max_ns, 0),
			 100 * US);
	/* Monotonic in the percentile. */
	for (unsigned int pm = 0, last = 0; pm <= 1000; pm += 10) {
		uint64_t v = mqos_hist_percentile(h.buckets, MQOS_HIST_BUCKETS,
						  h.min_ns, h.max_ns, pm);

		assert_true(v >= last);
		last = v;
	}
	/* A sample in the open last bucket: bounded by max. */
	mqos_hist_reset(&h);
	mqos_hist_add(&h, 9 * SEC);
	assert_int_equal(mqos_hist_percentile(h.buckets, MQOS_HIST_BUCKETS,
					      h.min_ns, h.max_ns, 990),
			 9 * SEC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buckets),
		cmocka_unit_test(test_bucket_no_division),
		cmocka_unit_test(test_min_mean_max_jitter),
		cmocka_unit_test(test_percentile),
	};

	return cmocka_run_group_tests_name("hist", tests, NULL, NULL);
}
