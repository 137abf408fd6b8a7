/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Sojourn-time statistics of one class: a log2 histogram from 1 us up to
 * seconds, min / mean / max, and jitter (the mean absolute difference of
 * consecutive sojourn times, RFC 3393's IPDV in its simplest form).
 *
 * Buckets (MQOS_HIST_BUCKETS of them):
 *   0        [0, 1 us)
 *   b        [2^(b-1) us, 2^b us)      for 1 <= b < MQOS_HIST_BUCKETS - 1
 *   last     [2^(MQOS_HIST_BUCKETS-2) us, infinity)   (>= ~4.2 s)
 *
 * Everything is raw sums and counts so that a reader can compute means and
 * deltas between two snapshots; mqos_hist_percentile() turns a bucket array
 * into an estimate (used by userspace).
 */
#ifndef MQOS_CORE_HIST_H
#define MQOS_CORE_HIST_H

#include "env.h"

#define MQOS_HIST_BUCKETS	24
#define MQOS_HIST_NS_PER_US	1000ULL

struct mqos_hist {
	u64 count;		/* samples */
	u64 sum_ns;		/* sum of samples */
	u64 min_ns;		/* valid when count > 0 */
	u64 max_ns;
	u64 last_ns;		/* previous sample, for jitter */
	u64 jitter_sum_ns;	/* sum of |s_i - s_(i-1)|, count - 1 terms */
	u64 buckets[MQOS_HIST_BUCKETS];
};

void mqos_hist_reset(struct mqos_hist *h);

/*
 * Bucket index of a sample: fls64(ns / 1000) without a division on the
 * per-packet path. ns >> 10 (ns / 1024) is at most one power of two below
 * ns / 1000, so the bucket is fls64(ns >> 10) or the one above, which one
 * compare decides.
 */
static inline unsigned int mqos_hist_bucket(u64 ns)
{
	u64 us = ns >> 10;
	unsigned int b = us ? 64 - (unsigned int)__builtin_clzll(us) : 0;

	if (b >= MQOS_HIST_BUCKETS - 1)
		return MQOS_HIST_BUCKETS - 1;
	if (ns >= (1ULL << b) * MQOS_HIST_NS_PER_US)
		b++;
	return b;
}

/* One sample (inline: the qdisc adds one or two per packet). */
static inline void mqos_hist_add(struct mqos_hist *h, u64 ns)
{
	if (h->count) {
		h->jitter_sum_ns += ns > h->last_ns ? ns - h->last_ns :
						      h->last_ns - ns;
		if (ns < h->min_ns)
			h->min_ns = ns;
		if (ns > h->max_ns)
			h->max_ns = ns;
	} else {
		h->min_ns = ns;
		h->max_ns = ns;
	}
	h->last_ns = ns;
	h->count++;
	h->sum_ns += ns;
	h->buckets[mqos_hist_bucket(ns)]++;
}

/* Lower and upper bound of a bucket in ns (upper of the last is U64_MAX). */
u64 mqos_hist_bucket_lo(unsigned int b);
u64 mqos_hist_bucket_hi(unsigned int b);

/* Mean sample and mean jitter in ns; 0 when there are too few samples. */
u64 mqos_hist_mean(const struct mqos_hist *h);
u64 mqos_hist_jitter(const struct mqos_hist *h);

/*
 * Estimate the permille-th percentile (500 = median, 990 = p99) from a
 * bucket array of nbuckets buckets, interpolating linearly inside the
 * bucket, and clamped to [min_ns, max_ns] when those are given (non-zero
 * max_ns). Returns 0 for an empty histogram.
 */
u64 mqos_hist_percentile(const u64 *buckets, unsigned int nbuckets,
			 u64 min_ns, u64 max_ns, unsigned int permille);

#endif /* MQOS_CORE_HIST_H */
