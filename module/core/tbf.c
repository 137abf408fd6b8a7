// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Token bucket arithmetic in nanoseconds. See tbf.h.
 */
#include "tbf.h"

#define MQOS_NSEC_PER_SEC	1000000000ULL

/* Deepest bucket accepted, in ns (an hour): keeps the arithmetic in range. */
#define MQOS_TB_MAX_DEPTH_NS	(3600ULL * MQOS_NSEC_PER_SEC)

static u64 mqos_tb_mult(u64 rate)
{
	u64 mult;

	if (rate < MQOS_TB_MIN_RATE)
		rate = MQOS_TB_MIN_RATE;
	mult = div64_u64(MQOS_NSEC_PER_SEC << MQOS_TB_SHIFT, rate);
	return mult ? mult : 1;	/* faster than 2^20 bytes per ns */
}

void mqos_tb_init_ns(struct mqos_tb *tb, u64 rate, u64 depth_ns, u64 now)
{
	tb->t_c = now;
	if (!rate) {
		tb->mult = 0;
		tb->depth = 0;
		tb->tokens = 0;
		return;
	}
	tb->mult = mqos_tb_mult(rate);
	tb->depth = (s64)min_t(u64, depth_ns, MQOS_TB_MAX_DEPTH_NS);
	tb->tokens = tb->depth;
}

void mqos_tb_init(struct mqos_tb *tb, u64 rate, u32 burst, u64 now)
{
	mqos_tb_init_ns(tb, rate, 0, now);
	if (rate) {
		tb->depth = (s64)mqos_tb_len2ns(tb, burst);
		tb->tokens = tb->depth;
	}
}

/*
 * ns of credit at one rate -> ns at another, through bytes: |ns| is at
 * most an hour (< 2^42), so ns << 20 fits; the bytes times the new
 * multiplier saturate instead of wrapping.
 */
static s64 mqos_tb_rescale(s64 ns, u64 old_mult, u64 new_mult)
{
	u64 mag = ns < 0 ? (u64)-ns : (u64)ns, bytes;

	mag = min_t(u64, mag, MQOS_TB_MAX_DEPTH_NS);
	bytes = div64_u64(mag << MQOS_TB_SHIFT, old_mult);
	if (bytes && new_mult > div64_u64(~0ULL >> 1, bytes))
		mag = MQOS_TB_MAX_DEPTH_NS;
	else
		mag = min_t(u64, (bytes * new_mult) >> MQOS_TB_SHIFT,
			    MQOS_TB_MAX_DEPTH_NS);
	return ns < 0 ? -(s64)mag : (s64)mag;
}

void mqos_tb_update_ns(struct mqos_tb *tb, u64 rate, u64 depth_ns, u64 now)
{
	u64 mult;

	if (!rate || mqos_tb_unlimited(tb)) {
		mqos_tb_init_ns(tb, rate, depth_ns, now);
		return;
	}
	mqos_tb_refill(tb, now);	/* what the old rate earned so far */
	mult = mqos_tb_mult(rate);
	if (mult != tb->mult)
		tb->tokens = mqos_tb_rescale(tb->tokens, tb->mult, mult);
	tb->mult = mult;
	tb->depth = (s64)min_t(u64, depth_ns, MQOS_TB_MAX_DEPTH_NS);
	if (tb->tokens > tb->depth)
		tb->tokens = tb->depth;
	tb->t_c = now;
}

u64 mqos_tb_rate(const struct mqos_tb *tb)
{
	if (mqos_tb_unlimited(tb))
		return 0;
	return div64_u64((MQOS_NSEC_PER_SEC << MQOS_TB_SHIFT) + tb->mult / 2,
			 tb->mult);
}
