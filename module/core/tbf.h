/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Token bucket arithmetic in nanoseconds, shared by the qdisc's shapers
 * (class rate, class ceiling, device rate) and policers.
 *
 * The bucket holds time, not bytes: "tokens" is how many nanoseconds of
 * transmission at the configured rate the bucket may still spend. A packet
 * of len bytes costs len * ns_per_byte, kept as a fixed-point multiplier
 * (mult = NSEC_PER_SEC << MQOS_TB_SHIFT / rate) so that the hot path is one
 * multiplication and one shift, never a division.
 *
 * Two ways to use a bucket:
 *   shaper  - mqos_tb_ready() while tokens >= 0, then mqos_tb_charge(); the
 *             bucket may go into debt by one packet and mqos_tb_wait_ns()
 *             says how long until it is out of debt. Any packet size passes,
 *             and the long-run rate is exact.
 *   policer - mqos_tb_police(): a packet conforms only if the whole packet
 *             fits in the tokens; no debt.
 *
 * A shaper whose owner waits on it with packets queued (a timer set for
 * when the debt is paid) refills with mqos_tb_refill_late(): a timer that
 * fires late then costs the long-run rate nothing, up to a bound.
 */
#ifndef MQOS_CORE_TBF_H
#define MQOS_CORE_TBF_H

#include "env.h"

#define MQOS_TB_SHIFT		20
/* Slowest rate accepted: 1 kbit/s. Keeps len * mult within 64 bits. */
#define MQOS_TB_MIN_RATE	125ULL
/* Largest packet length the arithmetic is exact for. */
#define MQOS_TB_MAX_LEN		BIT(20)

struct mqos_tb {
	u64 mult;	/* (ns per byte) << MQOS_TB_SHIFT; 0 = unlimited */
	s64 tokens;	/* ns of credit; < 0 is debt (shaper use) */
	s64 depth;	/* bucket depth in ns (burst) */
	u64 t_c;	/* time of last refill, ns */
};

/*
 * Set rate (bytes/s, 0 = unlimited) and burst (bytes). The bucket starts
 * full. Rates below MQOS_TB_MIN_RATE are raised to it.
 */
void mqos_tb_init(struct mqos_tb *tb, u64 rate, u32 burst, u64 now);

/* The same with the depth given as time (a shaper's burst), in ns. */
void mqos_tb_init_ns(struct mqos_tb *tb, u64 rate, u64 depth_ns, u64 now);

/*
 * Change a live bucket's rate and depth (ns) without handing out a fresh
 * burst: the credit or debt earned so far is kept, converted from time at
 * the old rate to time at the new one (the same bytes), and clamped to the
 * new depth. An unlimited bucket that gets a rate starts full.
 */
void mqos_tb_update_ns(struct mqos_tb *tb, u64 rate, u64 depth_ns, u64 now);

static inline bool mqos_tb_unlimited(const struct mqos_tb *tb)
{
	return tb->mult == 0;
}

/* Transmission time of len bytes at the bucket's rate, in ns. */
static inline u64 mqos_tb_len2ns(const struct mqos_tb *tb, u32 len)
{
	if (len > MQOS_TB_MAX_LEN)
		len = MQOS_TB_MAX_LEN;
	return ((u64)len * tb->mult) >> MQOS_TB_SHIFT;
}

/*
 * The per-packet operations below are inline: the qdisc calls several per
 * packet, mostly on unlimited buckets, where each is one test.
 */

/* Add the credit earned since the last refill, up to @cap ns. */
static inline void __mqos_tb_fill(struct mqos_tb *tb, u64 now, s64 cap)
{
	u64 delta;

	if (mqos_tb_unlimited(tb) || now <= tb->t_c)
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

/* Add the credit earned since the last refill, up to the depth. */
static inline void mqos_tb_refill(struct mqos_tb *tb, u64 now)
{
	__mqos_tb_fill(tb, now, tb->depth);
}

/*
 * As mqos_tb_refill(), for a shaper that was waiting with packets queued:
 * the bucket may fill up to @late ns beyond its depth, so the time a late
 * wakeup lost is sent at once instead of being lost. Without a backlog
 * all along, the time since the debt was paid is idle time, not lateness:
 * use mqos_tb_refill() then.
 */
static inline void mqos_tb_refill_late(struct mqos_tb *tb, u64 now, u64 late)
{
	/* late is bounded by the caller (ms), depth by burst: no overflow. */
	__mqos_tb_fill(tb, now, tb->depth + (s64)late);
}

/* Shaper: may the next packet go (no debt)? Call after mqos_tb_refill(). */
static inline bool mqos_tb_ready(const struct mqos_tb *tb)
{
	return mqos_tb_unlimited(tb) || tb->tokens >= 0;
}

/* Shaper: ns until mqos_tb_ready() becomes true; 0 if it is. */
static inline u64 mqos_tb_wait_ns(const struct mqos_tb *tb)
{
	return mqos_tb_ready(tb) ? 0 : (u64)-tb->tokens;
}

/* Shaper: pay for len bytes just sent (may go into debt). */
static inline void mqos_tb_charge(struct mqos_tb *tb, u32 len)
{
	if (!mqos_tb_unlimited(tb))
		tb->tokens -= (s64)mqos_tb_len2ns(tb, len);
}

/*
 * Policer: refill, then take len bytes' worth if the whole packet fits.
 * Returns true if the packet conforms.
 */
static inline bool mqos_tb_police(struct mqos_tb *tb, u32 len, u64 now)
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

/* The configured rate back in bytes/s (for dumps), 0 = unlimited. */
u64 mqos_tb_rate(const struct mqos_tb *tb);

#endif /* MQOS_CORE_TBF_H */
