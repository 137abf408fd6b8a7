// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Sojourn-time histogram. See hist.h.
 */
#include "hist.h"

#define MQOS_U64_MAX		(~0ULL)

void mqos_hist_reset(struct mqos_hist *h)
{
	memset(h, 0, sizeof(*h));
}

u64 mqos_hist_bucket_lo(unsigned int b)
{
	if (b == 0)
		return 0;
	if (b >= MQOS_HIST_BUCKETS)
		b = MQOS_HIST_BUCKETS - 1;
	return (1ULL << (b - 1)) * MQOS_HIST_NS_PER_US;
}

u64 mqos_hist_bucket_hi(unsigned int b)
{
	if (b >= MQOS_HIST_BUCKETS - 1)
		return MQOS_U64_MAX;
	return (1ULL << b) * MQOS_HIST_NS_PER_US;
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
