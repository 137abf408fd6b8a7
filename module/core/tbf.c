// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Token bucket arithmetic in nanoseconds. See tbf.h.
 */
#include "tbf.h"

#define MQOS_NSEC_PER_SEC	1000000000ULL

void mqos_tb_init(struct mqos_tb *tb, u64 rate, u32 burst, u64 now)
{
	tb->t_c = now;
	if (!rate) {
		tb->mult = 0;
		tb->depth = 0;
		tb->tokens = 0;
		return;
	}
	if (rate < MQOS_TB_MIN_RATE)
		rate = MQOS_TB_MIN_RATE;
	tb->mult = div64_u64(MQOS_NSEC_PER_SEC << MQOS_TB_SHIFT, rate);
	if (!tb->mult)		/* faster than 2^20 bytes per ns: no limit */
		tb->mult = 1;
	tb->depth = (s64)mqos_tb_len2ns(tb, burst);
	tb->tokens = tb->depth;
}

static void mqos_tb_fill(struct mqos_tb *tb, u64 now, s64 cap)
{
	u64 delta;

	if (mqos_tb_unlimited(tb))
		return;
	if (now <= tb->t_c)
		return;
	delta = now - tb->t_c;
	tb->t_c = now;
	/* Debt can never exceed one maximal packet; the clamp avoids overflow. */
	if (tb->tokens >= cap)
		return;
	if (delta >= (u64)(cap - tb->tokens))
		tb->tokens = cap;
	else
		tb->tokens += (s64)delta;
}

void mqos_tb_refill(struct mqos_tb *tb, u64 now)
{
	mqos_tb_fill(tb, now, tb->depth);
}

void mqos_tb_refill_late(struct mqos_tb *tb, u64 now, u64 late)
{
	/* late is bounded by the caller (ms), depth by burst: no overflow. */
	mqos_tb_fill(tb, now, tb->depth + (s64)late);
}

void mqos_tb_charge(struct mqos_tb *tb, u32 len)
{
	if (mqos_tb_unlimited(tb))
		return;
	tb->tokens -= (s64)mqos_tb_len2ns(tb, len);
}

bool mqos_tb_police(struct mqos_tb *tb, u32 len, u64 now)
{
	s64 cost;

	if (mqos_tb_unlimited(tb))
		return true;
	mqos_tb_refill(tb, now);
	cost = (s64)mqos_tb_len2ns(tb, len);
	if (tb->tokens < cost)
		return false;
	tb->tokens -= cost;
	return true;
}

u64 mqos_tb_rate(const struct mqos_tb *tb)
{
	if (mqos_tb_unlimited(tb))
		return 0;
	return div64_u64((MQOS_NSEC_PER_SEC << MQOS_TB_SHIFT) + tb->mult / 2,
			 tb->mult);
}
