// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Sojourn-time histogram. See hist.h.
 */
#include "hist.h"

#define MQOS_NSEC_PER_USEC	1000ULL
#define MQOS_U64_MAX		(~0ULL)

void mqos_hist_reset(struct mqos_hist *h)
{
	memset(h, 0, sizeof(*h));
}

/* Index of the highest set bit, 1-based; 0 for 0 (like the kernel's fls64). */
static unsigned int mqos_fls64(u64 x)
{
	return x ? 64 - (unsigned int)__builtin_clzll(x) : 0;
}

/*
 * fls64(ns / 1000) without a division on the per-packet path: ns >> 10
 * (ns / 1024) is at most one power of two below ns / 1000, so the bucket
 * is fls64(ns >> 10) or the one above, which one compare decides.
 */
unsigned int mqos_hist_bucket(u64 ns)
{
	unsigned int b = mqos_fls64(ns >> 10);

	if (b >= MQOS_HIST_BUCKETS - 1)
		return MQOS_HIST_BUCKETS - 1;
	if (ns >= (1ULL << b) * MQOS_NSEC_PER_USEC)
		b++;
	return b;
}

u64 mqos_hist_bucket_lo(unsigned int b)
{
	if (b == 0)
		return 0;
	if (b >= MQOS_HIST_BUCKETS)
		b = MQOS_HIST_BUCKETS - 1;
	return (1ULL << (b - 1)) * MQOS_NSEC_PER_USEC;
}

u64 mqos_hist_bucket_hi(unsigned int b)
{
	if (b >= MQOS_HIST_BUCKETS - 1)
		return MQOS_U64_MAX;
	return (1ULL << b) * MQOS_NSEC_PER_USEC;
}

void mqos_hist_add(struct mqos_hist *h, u64 ns)
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

u64 mqos_hist_mean(const struct mqos_hist *h)
{
	return h->count ? div64_u64(h->sum_ns, h->count) : 0;
}

u64 mqos_hist_jitter(const struct mqos_hist *h)
{
	return h->count > 1 ? div64_u64(h->jitter_sum_ns, h->count - 1) : 0;
}

u64 mqos_hist_percentile(const u64 *buckets, unsigned int nbuckets,
			 u64 min_ns, u64 max_ns, unsigned int permille)
{
	u64 total = 0, rank, seen = 0, lo, hi, frac, v;
	unsigned int b;

	if (nbuckets > MQOS_HIST_BUCKETS)
		nbuckets = MQOS_HIST_BUCKETS;
	if (permille > 1000)
		permille = 1000;
	for (b = 0; b < nbuckets; b++)
		total += buckets[b];
	if (!total)
		return 0;

	/* The sample of rank ceil(total * permille / 1000), at least 1. */
	rank = div64_u64(total * permille + 999, 1000);
	if (!rank)
		rank = 1;

	for (b = 0; b < nbuckets; b++) {
		if (seen + buckets[b] >= rank)
			break;
		seen += buckets[b];
	}
	if (b == nbuckets)
		b = nbuckets - 1;

	lo = mqos_hist_bucket_lo(b);
	hi = mqos_hist_bucket_hi(b);
	if (hi == MQOS_U64_MAX)
		hi = max_ns > lo ? max_ns : lo;
	/*
	 * Linear interpolation: the (rank - seen)-th of buckets[b] samples in
	 * [lo, hi), as a 20-bit fraction; widths are capped at 2^40 ns (18 min)
	 * so the product stays within 64 bits.
	 */
	if (hi - lo > (1ULL << 40))
		hi = lo + (1ULL << 40);
	frac = buckets[b] ? div64_u64((rank - seen) << 20, buckets[b]) : 0;
	v = lo + (((hi - lo) * frac) >> 20);

	if (max_ns) {
		if (v > max_ns)
			v = max_ns;
		if (v < min_ns)
			v = min_ns;
	}
	return v;
}
