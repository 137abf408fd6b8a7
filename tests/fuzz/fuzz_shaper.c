// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libFuzzer target: a sequence of operations on the time-driven pieces of
 * a class as the qdisc drives them: three token buckets (core/tbf.c: a
 * class shaper, the device shaper refilled late, a policer), one AQM
 * (core/aqm.c) and one sojourn histogram (core/hist.c), under one clock
 * that moves forward only, as ktime does.
 *
 * Input: byte 0 sets things up:
 *   bits 0..2  the start time: 0, 1 ns, 1 s, 1 day, 2^32, 2^40, 2^50 or
 *              2^61 ns
 *   bit  3     the AQM mode (0 decay, 1 CoDel); target 5 ms, interval
 *              100 ms, mtu 1514
 *   bits 4..5  the class shaper's rate (1 kbit/s, 1 Mbit/s, 100 Mbit/s,
 *              100 Gbit/s), 2 ms deep; the device shaper is 100 Mbit/s,
 *              2 ms deep
 *   bits 6..7  the policer's rate (the same four), 10 kB of burst
 * Then each operation is one byte, bits 0..3 its kind, bits 4..7 an
 * argument, and the bytes that kind reads. Below, R is a rate byte (0
 * unlimited, else (1 + low nibble) * 10^(high nibble), up to 1 Tbit/s;
 * high nibble 15 picks an edge: below the minimum, the minimum, 100 Gbit/s
 * and so on), D a depth byte (low nibble * 10^(high nibble) ns: 0 to
 * beyond tbf.c's hour), L a length byte (1 to 1785 bytes, or from 0xe0 an
 * edge: 0, 1500, 64 KiB, MQOS_TB_MAX_LEN and either side, 2^32 - 1) and
 * B the bucket (argument bits 0..1; 3 is the policer too).
 *   0  time: 1 byte n, n units forward (argument bits 0..2: 1 ns, 1 us,
 *      50 us, 1 ms, 20 ms, 1 s, 1 min, 1 h; bit 3: one ns more)
 *   1  init bucket B: R, D; argument bit 2: D is a burst in bytes
 *      (mqos_tb_init(), up to 2^32 - 1) instead of ns (mqos_tb_init_ns())
 *   2  change live bucket B: R, D (mqos_tb_update_ns())
 *   3  send one packet on shaper (argument bit 0): L; refill (bit 1: late,
 *      by bits 2..3: 0, 1 us, 1 ms, 25 ms), then charge it if ready
 *   4  backlog on shaper (argument bit 0): L, 1 byte w; 1, 4, 16 or 64
 *      packets (bits 2..3), the clock jumping to when each is due, plus
 *      w * 100 us of wakeup delay; bit 1: refill late by up to 25 ms, as
 *      the qdisc's device shaper does
 *   5  police 1 + argument packets: L, 1 byte gap g (g & 63 ns, shifted
 *      left by 0, 6, 12 or 18 bits by g >> 6) between them
 *   6  ingress drops: L; 1 + argument packets charged to the device
 *      shaper while its debt is below its depth, as the qdisc does
 *   7  length probe on bucket B: 4 bytes of length (little-endian)
 *   8  AQM, a packet at the head: 1 byte s, 1 byte b; sojourn s times
 *      (argument bits 0..1) 1 us, 100 us, 1 ms or 40 ms; backlog (bit 2)
 *      mtu + b - 128 or b KiB; bit 3: on a signal, drop and ask again for
 *      the next packet (up to 16), one MTU less queued each time
 *   9  AQM, the queue found empty
 *   10 AQM parameters: 1 byte target, 1 byte interval, both
 *      (low 5 bits) * 10^(high 3 bits) us, up to 10 s (target 0 = off,
 *      interval at least 1 us); mtu by argument bits 0..2 (68 to 65535)
 *   11 AQM mode to argument bit 0, with a reset (as the qdisc does)
 *   12 control law: 4 bytes count (little-endian), 1 byte interval
 *   13 histogram sample: 2 bytes v (little-endian), v << (2 * argument) ns
 *   14 histogram reset
 *   15 percentile: 2 bytes permille (little-endian, beyond 1000 too), 1
 *      byte number of buckets
 *
 * After every operation:
 *   buckets: refill, charge, police and len2ns give exactly what their
 *     contracts say (credit earned since the last refill up to the depth;
 *     len * mult >> MQOS_TB_SHIFT, the length capped at MQOS_TB_MAX_LEN;
 *     a whole packet or nothing), and t_c is the last time given; tokens
 *     never exceed the depth, or depth + late after a late refill until
 *     spent; a shaper's debt is at most one packet's cost (an ingress
 *     drop's: the depth and one packet), a policer never has debt;
 *     ready iff tokens >= 0, wait_ns is 0 iff ready, and the bucket is
 *     ready wait_ns later, not 1 ns before; the credit earned never
 *     exceeds the time elapsed; a backlogged shaper woken at most "late"
 *     late by refill_late loses no credit at all; a change of rate or
 *     depth keeps the credit or debt in bytes (within rounding, up to the
 *     hour tbf.c caps it at), never hands out more, clamps it to the new
 *     depth; the rate read back is the rate set, within its rounding;
 *     over the whole input the policer accepts no more bytes than its
 *     bursts plus rate * time (both within 1 / mult of rounding, plus 1 ns
 *     a packet);
 *   AQM: no signal with the AQM off (nor any state change), below target
 *     or with at most one MTU queued; whether a packet is signalled
 *     follows the mode's rules (CoDel: above target for a whole interval,
 *     then every interval / sqrt(count), resuming at count - lastcount or
 *     1; decay: a new episode signalled interval / sqrt(count) after it
 *     starts, never lagging now); a signal raises the count by exactly
 *     one (decay: saturating), nothing else raises it (but a decay
 *     episode starts at 1), the queue found empty ends the dropping
 *     state, CoDel's lastcount stays at most its count; the control law
 *     is at most the interval, non-increasing in the count and within
 *     rounding of interval / sqrt(count);
 *   histogram: count, sum, min, max and jitter against a model, each
 *     sample in the bucket fls64(ns / 1000) names and within that
 *     bucket's bounds, the buckets sum to the count, mean and jitter
 *     exact and the mean within [min, max]; every percentile monotone in
 *     the permille, in the bucket of the sample of its rank (or clamped
 *     to min or max), within [min, max] when those are given (p100 is the
 *     max, but at most 2^40 ns into the open last bucket) and within [lo
 *     of the first nonempty bucket, hi of the last].
 * A violation aborts naming the operation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/aqm.h"
#include "core/hist.h"
#include "core/tbf.h"

#define US		1000ULL
#define MS		1000000ULL
#define SEC		1000000000ULL
#define T_MAX		(1ULL << 62)	/* ktime stays far below 2^63 */
#define MAX_DEPTH_NS	(3600 * SEC)	/* tbf.c's deepest bucket */
#define MAX_RATE	125000000000ULL	/* 1 Tbit/s, the netlink maximum */
#define SHAPER_LATE_NS	(25 * MS)	/* the qdisc's bound on lateness */
#define MAX_AQM_NS	(10 * SEC)	/* netlink's bound on the AQM times */
#define HB		MQOS_HIST_BUCKETS
#define NTB		3
#define TB_DEV		1		/* refilled late, charged for drops */
#define TB_POLICE	2

struct tbm {
	struct mqos_tb tb;
	u64 rate;		/* as set, bytes/s; 0 = unlimited */
	s64 hi;			/* tokens at most this */
	u64 debt_max;		/* tokens at least -debt_max */
	u64 t_last;		/* the last time the bucket was given */
	/* Since the last init or change: */
	u64 seg_t;
	s64 seg_tokens;
	__int128_t seg_cost;
	/* Policer: bytes accepted and allowed while limited, all input. */
	long double acc, allow;
	u64 acc_t;
};

struct aqmm {
	struct mqos_aqm a;
	struct mqos_aqm_params p;
	bool run;		/* CoDel: above target, due at run_due */
	u64 run_due;
	bool drop;		/* in the dropping state */
	u64 sched;		/* and no signal in it before this */
};

struct histm {
	struct mqos_hist h;
	u64 n, sum, min, max, last, jsum;
	u64 b[HB];
};

struct fz {
	u64 now;
	unsigned int op;
	struct tbm tbs[NTB];
	struct aqmm q;
	struct histm hm;
};

static struct fz fz;

static void fail(const char *what, unsigned int op)
{
	fprintf(stderr, "fuzz_shaper: operation %u: %s\n", op, what);
	abort();
}

static void check(const struct fz *z, bool ok, const char *what)
{
	if (!ok)
		fail(what, z->op);
}

static void advance(struct fz *z, u64 step)
{
	z->now = step > T_MAX - z->now ? T_MAX : z->now + step;
}

static u64 pow10u(unsigned int e)
{
	u64 v = 1;

	while (e--)
		v *= 10;
	return v;
}

static u64 rate_of(u8 c)
{
	static const u64 edge[16] = {
		1, MQOS_TB_MIN_RATE - 1, MQOS_TB_MIN_RATE, MQOS_TB_MIN_RATE + 1,
		1250, 125000, 625000, 1250000, 12500000, 125000000,
		1250000000ULL, 12499999999ULL, 12500000000ULL,
		12500000001ULL, MAX_RATE - 1, MAX_RATE,
	};
	u64 r;

	if (!c)
		return 0;
	if (c >> 4 == 15)
		return edge[c & 15];
	r = ((c & 15) + 1ULL) * pow10u(c >> 4);
	return r > MAX_RATE ? MAX_RATE : r;
}

static u64 depth_of(u8 c)
{
	return (c & 15) * pow10u(c >> 4);
}

static u32 burst_of(u8 c)
{
	u64 v = (c & 15) * pow10u(c >> 4 > 9 ? 9 : c >> 4);

	return v > 0xffffffffULL ? 0xffffffffU : (u32)v;
}

static u32 len_of(u8 c)
{
	static const u32 edge[32] = {
		0, 1, 40, 64, 576, 1280, 1500, 1514, 1515, 1780, 9000, 9018,
		16384, 65535, 65536, 65536 + 256, 131072, 262144, 524288,
		MQOS_TB_MAX_LEN / 2 + 1, MQOS_TB_MAX_LEN - 2,
		MQOS_TB_MAX_LEN - 1, MQOS_TB_MAX_LEN, MQOS_TB_MAX_LEN + 1,
		MQOS_TB_MAX_LEN + 2, 2 * MQOS_TB_MAX_LEN, 0x00ffffff,
		0x7fffffff, 0x80000000U, 0xfffffffeU, 0xffffffffU, 2,
	};

	return c < 0xe0 ? 1 + c * 8U : edge[c - 0xe0];
}

static u64 aqm_ns(u8 c)
{
	u64 v = (c & 0x1f) * pow10u(c >> 5) * US;

	return v > MAX_AQM_NS ? MAX_AQM_NS : v;
}

static u32 get32(const u8 *p)
{
	return p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

/* ---- token buckets --------------------------------------------------- */

static u64 rate_nom(u64 rate)
{
	return rate < MQOS_TB_MIN_RATE ? MQOS_TB_MIN_RATE : rate;
}

/* Bytes a ns of credit is worth at most: the rate within 1 / mult. */
static long double bytes_per_ns(const struct mqos_tb *tb, u64 rate)
{
	return (long double)rate_nom(rate) / SEC * (1.0L + 1.0L / tb->mult);
}

static u64 ref_len2ns(const struct fz *z, const struct mqos_tb *tb, u32 len)
{
	u32 l = len > MQOS_TB_MAX_LEN ? MQOS_TB_MAX_LEN : len;
	__uint128_t c = (__uint128_t)l * tb->mult >> MQOS_TB_SHIFT;

	check(z, c < (1ULL << 63), "a packet's cost beyond 63 bits");
	return (u64)c;
}

/* What a refill at now to cap must leave: the credit since t_c, capped. */
static s64 ref_fill(const struct mqos_tb *tb, u64 now, s64 cap)
{
	__int128_t t = tb->tokens;

	if (mqos_tb_unlimited(tb) || now <= tb->t_c || t >= cap)
		return tb->tokens;
	t += now - tb->t_c;
	return t > cap ? cap : (s64)t;
}

/* The policer earns rate * time up to now while limited. */
static void tb_accrue(struct tbm *m, u64 now)
{
	if (!mqos_tb_unlimited(&m->tb) && now > m->acc_t)
		m->allow += bytes_per_ns(&m->tb, m->rate) * (now - m->acc_t);
	m->acc_t = now;
}

static void tb_segment(struct tbm *m, u64 now)
{
	m->t_last = now;
	m->seg_t = now;
	m->seg_tokens = m->tb.tokens;
	m->seg_cost = 0;
	m->hi = m->tb.depth;
}

/* A bucket that starts full (init, or a change from or to unlimited). */
static void tb_started(struct fz *z, struct tbm *m, u64 rate)
{
	const struct mqos_tb *tb = &m->tb;

	m->rate = rate;
	m->debt_max = 0;
	m->acc_t = z->now;
	tb_segment(m, z->now);
	if (!rate) {
		check(z, mqos_tb_unlimited(tb) && !tb->tokens && !tb->depth,
		      "rate 0, yet the bucket is limited");
		return;
	}
	check(z, !mqos_tb_unlimited(tb), "a rate, yet the bucket is unlimited");
	check(z, tb->tokens == tb->depth, "a new bucket does not start full");
	m->allow += tb->depth * bytes_per_ns(tb, rate);
}

static void tb_init(struct fz *z, unsigned int i, u64 rate, u8 dc, bool bytes)
{
	struct tbm *m = &z->tbs[i];
	struct mqos_tb *tb = &m->tb;

	if (bytes) {
		u32 burst = burst_of(dc);

		mqos_tb_init(tb, rate, burst, z->now);
		if (rate)
			check(z, (u64)tb->depth == ref_len2ns(z, tb, burst),
			      "init: depth is not the burst's cost");
	} else {
		u64 d = depth_of(dc);

		mqos_tb_init_ns(tb, rate, d, z->now);
		if (rate)
			check(z, (u64)tb->depth ==
				 (d < MAX_DEPTH_NS ? d : MAX_DEPTH_NS),
			      "init_ns: depth not as set (capped at an hour)");
	}
	tb_started(z, m, rate);
}

static void tb_update(struct fz *z, unsigned int i, u64 rate, u64 depth)
{
	struct tbm *m = &z->tbs[i];
	struct mqos_tb *tb = &m->tb;
	u64 old_m = tb->mult, new_m, mag_c, d;
	bool was_unl = mqos_tb_unlimited(tb);
	s64 t0, t1;

	tb_accrue(m, z->now);
	t0 = ref_fill(tb, z->now, tb->depth);
	mqos_tb_update_ns(tb, rate, depth, z->now);
	if (!rate || was_unl) {
		tb_started(z, m, rate);
		return;
	}
	m->rate = rate;
	new_m = tb->mult;
	t1 = tb->tokens;
	d = depth < MAX_DEPTH_NS ? depth : MAX_DEPTH_NS;
	check(z, (u64)tb->depth == d, "update: depth not as set");
	check(z, t1 <= tb->depth, "update: credit above the new depth");
	check(z, t0 >= 0 ? t1 >= 0 : t1 <= 0, "update: credit became debt");
	if (new_m == old_m) {
		check(z, t1 == (t0 < tb->depth ? t0 : tb->depth),
		      "update: same rate, yet the credit changed");
	} else {
		u64 mag0 = t0 < 0 ? -(u64)t0 : (u64)t0;
		u64 mag1 = t1 < 0 ? -(u64)t1 : (u64)t1;

		/* The same bytes, never more (rescaled through bytes). */
		check(z, (__uint128_t)mag1 * old_m <= (__uint128_t)mag0 * new_m,
		      "update: the rescaled credit or debt grew in bytes");
		/* Nor less, within a byte and a ns, the hour cap aside. */
		mag_c = mag0 < MAX_DEPTH_NS ? mag0 : MAX_DEPTH_NS;
		if (t1 != tb->depth && mag1 != MAX_DEPTH_NS)
			check(z, (((__uint128_t)mag1 + 1) * old_m <<
				  MQOS_TB_SHIFT) + (__uint128_t)new_m * old_m >=
				 ((__uint128_t)mag_c * new_m << MQOS_TB_SHIFT),
			      "update: the rescaled credit or debt shrank");
		if (m->debt_max) {
			__uint128_t dm = (__uint128_t)m->debt_max * new_m /
					 old_m;

			m->debt_max = dm < MAX_DEPTH_NS ? (u64)dm :
							 MAX_DEPTH_NS;
		}
	}
	tb_segment(m, z->now);
	m->acc_t = z->now;
}

/* Refill a bucket at now, plain or late, checked against its contract. */
static void tb_refill(struct fz *z, struct tbm *m, bool late, u64 late_ns)
{
	struct mqos_tb *tb = &m->tb;
	s64 cap = tb->depth + (late ? (s64)late_ns : 0);
	s64 want = ref_fill(tb, z->now, cap);

	if (late)
		mqos_tb_refill_late(tb, z->now, late_ns);
	else
		mqos_tb_refill(tb, z->now);
	check(z, tb->tokens == want, "refill: not the credit earned, capped");
	if (late && !mqos_tb_unlimited(tb) && m->hi < cap)
		m->hi = cap;
	m->t_last = z->now > m->t_last ? z->now : m->t_last;
}

static void tb_charge(struct fz *z, struct tbm *m, u32 len, bool ingress)
{
	struct mqos_tb *tb = &m->tb;
	s64 t0 = tb->tokens;
	u64 cost;

	mqos_tb_charge(tb, len);
	if (mqos_tb_unlimited(tb)) {
		check(z, !tb->tokens, "an unlimited bucket charged");
		return;
	}
	cost = ref_len2ns(z, tb, len);
	check(z, tb->tokens == t0 - (s64)cost, "charge: not the packet's cost");
	m->seg_cost += cost;
	m->debt_max = cost + (ingress ? (u64)tb->depth : 0);
}

static bool tb_police(struct fz *z, u32 len)
{
	struct tbm *m = &z->tbs[TB_POLICE];
	struct mqos_tb *tb = &m->tb;
	s64 t0;
	u64 cost;
	bool ok;

	tb_accrue(m, z->now);
	t0 = ref_fill(tb, z->now, tb->depth);
	ok = mqos_tb_police(tb, len, z->now);
	if (mqos_tb_unlimited(tb)) {
		check(z, ok, "an unlimited policer refused a packet");
		return ok;
	}
	m->t_last = z->now > m->t_last ? z->now : m->t_last;
	cost = ref_len2ns(z, tb, len);
	check(z, ok == (t0 >= (s64)cost),
	      "police: conforming is not 'the whole packet fits'");
	check(z, tb->tokens == (ok ? t0 - (s64)cost : t0),
	      "police: tokens not refilled and charged as said");
	if (ok) {
		m->seg_cost += cost;
		m->acc += len > MQOS_TB_MAX_LEN ? MQOS_TB_MAX_LEN : len;
		/* The ns the rounding down of its cost gave away. */
		m->allow += bytes_per_ns(tb, m->rate);
	}
	return ok;
}

static void tb_check(struct fz *z, unsigned int i)
{
	struct tbm *m = &z->tbs[i];
	const struct mqos_tb *tb = &m->tb;
	struct mqos_tb c, d;
	u64 w, r;

	if (mqos_tb_unlimited(tb)) {
		check(z, !tb->tokens && !tb->depth && mqos_tb_ready(tb) &&
			 !mqos_tb_wait_ns(tb) && !mqos_tb_rate(tb) &&
			 !mqos_tb_len2ns(tb, 0xffffffffU),
		      "an unlimited bucket that is not");
		return;
	}
	check(z, tb->t_c == m->t_last, "t_c is not the last time given");
	check(z, tb->depth >= 0 &&
		 ((u64)tb->depth <= MAX_DEPTH_NS ||
		  (u64)tb->depth <= ref_len2ns(z, tb, MQOS_TB_MAX_LEN)),
	      "depth beyond an hour and beyond a maximal packet");
	if (tb->tokens <= tb->depth)
		m->hi = tb->depth;	/* what a late refill gave is spent */
	check(z, tb->tokens <= m->hi,
	      "tokens above the depth (plus late, after a late refill)");
	check(z, tb->tokens >= -(s64)m->debt_max,
	      "debt beyond one packet's cost (ingress: plus the depth)");
	check(z, mqos_tb_ready(tb) == (tb->tokens >= 0),
	      "ready is not tokens >= 0");
	w = mqos_tb_wait_ns(tb);
	check(z, mqos_tb_ready(tb) ? !w : w == (u64)-tb->tokens,
	      "wait_ns is not the debt");
	/* Ready exactly wait_ns after a refill, not a ns before. */
	c = *tb;
	mqos_tb_refill(&c, z->now);
	w = mqos_tb_wait_ns(&c);
	if (w) {
		d = c;
		mqos_tb_refill(&d, z->now + w - 1);
		check(z, !mqos_tb_ready(&d), "ready before wait_ns is over");
		mqos_tb_refill(&c, z->now + w);
		check(z, mqos_tb_ready(&c), "not ready when wait_ns is over");
	}
	/* Credit earned since the last change: at most the time elapsed. */
	check(z, (__int128_t)tb->tokens + m->seg_cost <=
		 (__int128_t)m->seg_tokens + (__int128_t)(tb->t_c - m->seg_t),
	      "more credit earned than time elapsed");
	r = mqos_tb_rate(tb);
	check(z, r >= rate_nom(m->rate) &&
		 r <= rate_nom(m->rate) + rate_nom(m->rate) / tb->mult + 1,
	      "the rate read back is not the rate set");
	if (i == TB_POLICE) {
		check(z, tb->tokens >= 0, "a policer in debt");
		check(z, m->acc <= m->allow * (1.0L + 1e-12L) + 1.0L,
		      "the policer accepted more than burst + rate * time");
	}
}

/* Shaper i with a backlog of n packets of len, woken by its timer. */
static void tb_backlog(struct fz *z, unsigned int i, u32 len, unsigned int n,
		       u64 delay, bool late)
{
	struct tbm *m = &z->tbs[i];
	struct mqos_tb *tb = &m->tb;
	__int128_t cost0 = 0;
	u64 t0 = 0;
	s64 k0 = 0;
	bool first = true;

	while (n) {
		tb_refill(z, m, late, SHAPER_LATE_NS);
		if (first) {
			t0 = z->now;
			k0 = tb->tokens;
			cost0 = m->seg_cost;
			first = false;
		}
		if (mqos_tb_ready(tb)) {
			tb_charge(z, m, len, false);
			n--;
		} else {
			if (z->now == T_MAX)
				return;		/* the clock stopped */
			advance(z, mqos_tb_wait_ns(tb));
			advance(z, delay);
		}
		tb_check(z, i);
	}
	/* Woken at most late ns late, refill_late lost nothing. */
	if (late && delay <= SHAPER_LATE_NS && z->now < T_MAX &&
	    !mqos_tb_unlimited(tb))
		check(z, (__int128_t)tb->tokens + (m->seg_cost - cost0) ==
			 (__int128_t)k0 + (__int128_t)(z->now - t0),
		      "a backlogged shaper woken late lost credit");
}

/* ---- AQM ---------------------------------------------------------------- */

static void law_check(struct fz *z, u64 i, u32 c)
{
	u64 l = mqos_aqm_control_law(i, c);

	check(z, l <= i, "control law above the interval");
	if (c <= 1) {
		check(z, l == i, "control law of count <= 1 not the interval");
		return;
	}
	if (c != ~0U)
		check(z, mqos_aqm_control_law(i, c + 1) <= l,
		      "control law increasing in the count");
	check(z, mqos_aqm_control_law(i, c - 1) >= l,
	      "control law increasing in the count");
	/* l = interval / sqrt(count), rounded down, within 2^-13. */
	check(z, ((__uint128_t)l + 1) * (l + 1) * c > (__uint128_t)i * i,
	      "control law below interval / sqrt(count)");
	check(z, ((__uint128_t)l * l * c << 13) <= (__uint128_t)i * i * 8193,
	      "control law above interval / sqrt(count)");
}

static void aqm_reset(struct aqmm *q)
{
	mqos_aqm_reset(&q->a);
	q->run = false;
	q->drop = false;
	q->sched = 0;
}

static void aqm_after(struct fz *z)
{
	const struct mqos_aqm *a = &z->q.a;

	check(z, a->dropping == z->q.drop,
	      "dropping state not as its rules say");
	check(z, !a->dropping || a->count, "dropping with a count of 0");
	if (z->q.p.mode == MQOS_AQM_CODEL)
		check(z, a->lastcount <= a->count,
		      "CoDel: lastcount above count");
	law_check(z, z->q.p.interval_ns, a->count);
}

static bool aqm_packet(struct fz *z, u64 soj, u32 backlog)
{
	struct aqmm *q = &z->q;
	const struct mqos_aqm_params *p = &q->p;
	struct mqos_aqm b = q->a;
	u64 now = z->now;
	bool sig, above, ok, want;

	sig = mqos_aqm_should_drop(&q->a, p, soj, backlog, now);
	if (!p->target_ns) {
		check(z, !sig && !memcmp(&b, &q->a, sizeof(b)),
		      "the AQM is off, yet it signalled or changed");
		return false;
	}
	above = soj >= p->target_ns && backlog > p->mtu;
	check(z, above || !sig, "a signal below target or with one MTU queued");
	if (p->mode == MQOS_AQM_CODEL) {
		if (!above) {
			q->run = false;
			ok = false;
		} else if (!q->run) {
			q->run = true;
			q->run_due = now + p->interval_ns;
			ok = false;
		} else {
			ok = now >= q->run_due;
		}
		/* Entering signals at once; in the state, on schedule. */
		want = ok && (!q->drop || now >= q->sched);
		q->drop = ok;
		check(z, sig == want, "CoDel: signal or none against its rules");
		if (sig && b.dropping) {
			check(z, q->a.count == b.count + 1,
			      "CoDel: a signal did not count one more");
			q->sched += mqos_aqm_control_law(p->interval_ns,
							 q->a.count);
		} else if (sig) {
			check(z, q->a.count == 1 ||
				 q->a.count == b.count - b.lastcount,
			      "CoDel: resumed at neither count - lastcount nor 1");
			check(z, q->a.lastcount == q->a.count,
			      "CoDel: lastcount is not the count resumed at");
			q->sched = now + mqos_aqm_control_law(p->interval_ns,
							      q->a.count);
		} else {
			check(z, q->a.count == b.count,
			      "CoDel: the count changed without a signal");
		}
	} else if (!above) {
		check(z, !sig && q->a.count <= b.count,
		      "decay: the count grew below target");
		q->drop = false;
	} else if (!q->drop) {
		check(z, !sig, "decay: a new episode signalled at once");
		check(z, q->a.count >= 1 &&
			 q->a.count <= (b.count > 1 ? b.count : 1),
		      "decay: a new episode's count grew beyond 1");
		q->drop = true;
		q->sched = now + mqos_aqm_control_law(p->interval_ns,
						      q->a.count);
	} else {
		check(z, sig == (now >= q->sched),
		      "decay: signal or none against the schedule");
		if (sig) {
			check(z, q->a.count == b.count + (b.count != ~0U),
			      "decay: a signal did not count one more");
			q->sched += mqos_aqm_control_law(p->interval_ns,
							 q->a.count);
			if (q->sched < now)
				q->sched = now;
		} else {
			check(z, q->a.count == b.count,
			      "decay: the count changed without a signal");
		}
	}
	aqm_after(z);
	return sig;
}

static void aqm_empty(struct fz *z)
{
	struct aqmm *q = &z->q;
	struct mqos_aqm b = q->a;

	mqos_aqm_empty(&q->a, &q->p, z->now);
	q->drop = false;
	if (q->p.mode == MQOS_AQM_CODEL || !q->p.target_ns)
		check(z, q->a.count == b.count && q->a.lastcount == b.lastcount,
		      "the queue found empty changed the count");
	else
		check(z, q->a.count <= b.count,
		      "decay: the queue found empty raised the count");
	aqm_after(z);
}

/* ---- histogram --------------------------------------------------------- */

static unsigned int ref_bucket(u64 ns)
{
	u64 us = ns / 1000;
	unsigned int b = us ? 64 - (unsigned int)__builtin_clzll(us) : 0;

	return b < HB ? b : HB - 1;
}

static void hist_add(struct fz *z, u64 ns)
{
	struct histm *m = &z->hm;
	unsigned int b = mqos_hist_bucket(ns);

	check(z, b == ref_bucket(ns),
	      "a sample's bucket is not fls64(ns / 1000)");
	check(z, mqos_hist_bucket_lo(b) <= ns &&
		 (b == HB - 1 || ns < mqos_hist_bucket_hi(b)),
	      "a sample outside its bucket's bounds");
	if (m->n) {
		m->jsum += ns > m->last ? ns - m->last : m->last - ns;
		m->min = ns < m->min ? ns : m->min;
		m->max = ns > m->max ? ns : m->max;
	} else {
		m->min = ns;
		m->max = ns;
	}
	m->last = ns;
	m->n++;
	m->sum += ns;
	m->b[b]++;
	mqos_hist_add(&m->h, ns);
}

/* One percentile of b[0..nb) against where the sample of its rank lies. */
static u64 pct_one(struct fz *z, const u64 *b, unsigned int nb, u64 minv,
		   u64 maxv, unsigned int pm)
{
	u64 v = mqos_hist_percentile(b, nb, minv, maxv, pm);
	u64 total = 0, rank, seen = 0, lo, hi;
	unsigned int k, first = HB, last = 0;

	if (nb > HB)
		nb = HB;
	for (k = 0; k < nb; k++) {
		total += b[k];
		if (b[k]) {
			first = first < k ? first : k;
			last = k;
		}
	}
	if (!total) {
		check(z, !v, "a percentile of no samples is not 0");
		return v;
	}
	rank = (total * (pm > 1000 ? 1000 : pm) + 999) / 1000;
	rank = rank ? rank : 1;
	for (k = 0; seen + b[k] < rank; k++)
		seen += b[k];
	lo = mqos_hist_bucket_lo(k);
	hi = k == HB - 1 ? (maxv > lo ? maxv : lo) : mqos_hist_bucket_hi(k);
	if (maxv) {
		check(z, minv <= v && v <= maxv,
		      "a percentile outside the [min, max] given");
		check(z, (lo <= v && v <= hi) || v == minv || v == maxv,
		      "a percentile outside the bucket of its rank");
	} else {
		check(z, lo <= v && v <= hi,
		      "a percentile outside the bucket of its rank");
	}
	check(z, v >= mqos_hist_bucket_lo(first) &&
		 (last == HB - 1 || v <= mqos_hist_bucket_hi(last)),
	      "a percentile outside the nonempty buckets");
	return v;
}

/* Percentiles in increasing permille: all of them, or four (quick). */
static void pct_sweep(struct fz *z, const u64 *b, unsigned int nb, u64 minv,
		      u64 maxv, bool quick)
{
	static const unsigned int all[] = {
		0, 1, 10, 100, 250, 500, 750, 900, 990, 999, 1000, 1001, 65535,
	};
	static const unsigned int few[] = { 0, 500, 990, 1000 };
	const unsigned int *pms = quick ? few : all;
	unsigned int i, n = quick ? ARRAY_SIZE(few) : ARRAY_SIZE(all);
	u64 v, prev = 0;

	for (i = 0; i < n; i++) {
		v = pct_one(z, b, nb, minv, maxv, pms[i]);
		check(z, v >= prev, "a percentile decreasing in the permille");
		prev = v;
	}
}

static void hist_check(struct fz *z)
{
	const struct histm *m = &z->hm;
	const struct mqos_hist *h = &m->h;
	u64 total = 0, mean, jit, top;
	unsigned int k;

	check(z, h->count == m->n && h->sum_ns == m->sum &&
		 h->jitter_sum_ns == m->jsum,
	      "histogram count, sum or jitter sum not the samples'");
	check(z, !memcmp(h->buckets, m->b, sizeof(m->b)),
	      "a bucket miscounted");
	for (k = 0; k < HB; k++)
		total += h->buckets[k];
	check(z, total == h->count, "the buckets do not sum to the count");
	mean = mqos_hist_mean(h);
	jit = mqos_hist_jitter(h);
	if (!m->n) {
		check(z, !mean && !jit, "an empty histogram has a mean");
		pct_sweep(z, h->buckets, HB, 0, 0, true);
		return;
	}
	check(z, h->min_ns == m->min && h->max_ns == m->max,
	      "histogram min or max not the samples'");
	check(z, mean == m->sum / m->n && m->min <= mean && mean <= m->max,
	      "the mean is not sum / count within [min, max]");
	check(z, m->n > 1 ?
		 jit == m->jsum / (m->n - 1) && jit <= m->max - m->min : !jit,
	      "the jitter is not its sum / (count - 1) within max - min");
	pct_sweep(z, h->buckets, HB, h->min_ns, h->max_ns, true);
	pct_sweep(z, h->buckets, HB, 0, 0, true);
	/*
	 * p100 is the max; in the open last bucket the interpolation spans
	 * at most 2^40 ns (18 min) from its start, and p100 stops there
	 * (or at the min, if that lies beyond).
	 */
	top = mqos_hist_bucket_lo(HB - 1) + (1ULL << 40);
	top = h->max_ns < top ? h->max_ns : top;
	top = h->min_ns > top ? h->min_ns : top;
	if (h->max_ns)
		check(z, mqos_hist_percentile(h->buckets, HB, h->min_ns,
					      h->max_ns, 1000) == top,
		      "p100 is not the max");
}

/* ---- the operations --------------------------------------------------- */

static void setup(struct fz *z, u8 s)
{
	static const u64 start[8] = {
		0, 1, SEC, 86400 * SEC, 1ULL << 32, 1ULL << 40, 1ULL << 50,
		1ULL << 61,
	};
	static const u64 rates[4] = {
		MQOS_TB_MIN_RATE, 125000, 12500000, 12500000000ULL,
	};

	memset(z, 0, sizeof(*z));
	z->now = start[s & 7];
	mqos_tb_init_ns(&z->tbs[0].tb, rates[(s >> 4) & 3], 2 * MS, z->now);
	tb_started(z, &z->tbs[0], rates[(s >> 4) & 3]);
	mqos_tb_init_ns(&z->tbs[TB_DEV].tb, 12500000, 2 * MS, z->now);
	tb_started(z, &z->tbs[TB_DEV], 12500000);
	mqos_tb_init(&z->tbs[TB_POLICE].tb, rates[s >> 6], 10000, z->now);
	tb_started(z, &z->tbs[TB_POLICE], rates[s >> 6]);
	z->q.p.target_ns = 5 * MS;
	z->q.p.interval_ns = 100 * MS;
	z->q.p.mtu = 1514;
	z->q.p.mode = s & 8 ? MQOS_AQM_CODEL : MQOS_AQM_DECAY;
	aqm_reset(&z->q);
	mqos_hist_reset(&z->hm.h);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static const u64 unit[8] = {
		1, US, 50 * US, MS, 20 * MS, SEC, 60 * SEC, 3600 * SEC,
	};
	static const u64 lates[4] = { 0, US, MS, SHAPER_LATE_NS };
	static const u64 soj_unit[4] = { US, 100 * US, MS, 40 * MS };
	static const u32 mtus[8] = { 68, 576, 1280, 1500, 1514, 1518, 9000,
				     65535 };
	/* The bytes each kind of operation reads after its own. */
	static const u8 need[16] = {
		1, 2, 2, 1, 2, 2, 1, 4, 2, 0, 2, 0, 5, 2, 0, 3,
	};
	struct fz *z = &fz;
	size_t pos = 1;
	unsigned int i;

	if (!size)
		return 0;
	setup(z, data[0]);
	while (pos < size) {
		u8 o = data[pos++], arg = o >> 4;
		const u8 *a = data + pos;
		unsigned int bk = (arg & 3) == 3 ? TB_POLICE : arg & 3;

		if (size - pos < need[o & 15])
			break;
		pos += need[o & 15];
		z->op++;
		switch (o & 15) {
		case 0:
			advance(z, a[0] * unit[arg & 7] + (arg >> 3));
			break;
		case 1:
			tb_init(z, bk, rate_of(a[0]), a[1], arg & 4);
			break;
		case 2:
			tb_update(z, bk, rate_of(a[0]), depth_of(a[1]));
			break;
		case 3: {
			struct tbm *m = &z->tbs[arg & 1];

			tb_refill(z, m, arg & 2, lates[arg >> 2]);
			if (mqos_tb_ready(&m->tb))
				tb_charge(z, m, len_of(a[0]), false);
			break;
		}
		case 4:
			tb_backlog(z, arg & 1, len_of(a[0]),
				   1U << (2 * (arg >> 2)), a[1] * 100 * US,
				   arg & 2);
			break;
		case 5:
			for (i = 0; i <= arg; i++) {
				tb_police(z, len_of(a[0]));
				tb_check(z, TB_POLICE);
				advance(z, (u64)(a[1] & 63) << (a[1] >> 6) * 6);
			}
			break;
		case 6: {
			struct tbm *m = &z->tbs[TB_DEV];

			for (i = 0; i <= arg; i++) {
				if (mqos_tb_unlimited(&m->tb) ||
				    m->tb.tokens <= -m->tb.depth)
					break;
				tb_charge(z, m, len_of(a[0]), true);
				tb_check(z, TB_DEV);
			}
			break;
		}
		case 7: {
			const struct mqos_tb *tb = &z->tbs[bk].tb;
			u32 len = get32(a);

			check(z, mqos_tb_len2ns(tb, len) ==
				 ref_len2ns(z, tb, len),
			      "len2ns is not len * mult >> shift, len capped");
			if (len != 0xffffffffU)
				check(z, mqos_tb_len2ns(tb, len) <=
					 mqos_tb_len2ns(tb, len + 1),
				      "len2ns decreasing in the length");
			break;
		}
		case 8: {
			u64 soj = a[0] * soj_unit[arg & 3];
			s64 bl = arg & 4 ? (s64)z->q.p.mtu + a[1] - 128 :
					   (s64)a[1] << 10;

			for (i = 0; i < 16; i++) {
				if (!aqm_packet(z, soj, bl > 0 ? (u32)bl : 0) ||
				    !(arg & 8))
					break;
				bl -= 1514;
			}
			break;
		}
		case 9:
			aqm_empty(z);
			break;
		case 10:
			z->q.p.target_ns = aqm_ns(a[0]);
			z->q.p.interval_ns = aqm_ns(a[1]) ? aqm_ns(a[1]) : US;
			z->q.p.mtu = mtus[arg & 7];
			break;
		case 11:
			z->q.p.mode = arg & 1 ? MQOS_AQM_CODEL : MQOS_AQM_DECAY;
			aqm_reset(&z->q);
			aqm_after(z);
			break;
		case 12:
			law_check(z, aqm_ns(a[4]) ? aqm_ns(a[4]) : US,
				  get32(a));
			break;
		case 13:
			hist_add(z, (a[0] | (u64)a[1] << 8) << (2 * arg));
			hist_check(z);
			break;
		case 14: {
			struct mqos_hist h = z->hm.h;

			memset(&z->hm, 0, sizeof(z->hm));	/* the model */
			z->hm.h = h;
			mqos_hist_reset(&z->hm.h);
			hist_check(z);
			break;
		}
		case 15: {
			const struct mqos_hist *h = &z->hm.h;
			unsigned int pm = a[0] | a[1] << 8;

			pct_one(z, h->buckets, a[2], h->min_ns, h->max_ns, pm);
			pct_one(z, h->buckets, a[2], 0, 0, pm);
			pct_sweep(z, h->buckets, a[2], h->min_ns, h->max_ns,
				  false);
			pct_sweep(z, h->buckets, a[2], 0, 0, false);
			break;
		}
		}
		for (i = 0; i < NTB; i++)
			tb_check(z, i);
	}
	return 0;
}
