// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of flow queuing inside a class (module/core/fq.c), driven
 * through the packet model in tests/common/fq_model.c exactly as the qdisc
 * drives the core.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/fq.h"
#include "fq_model.h"

#define QUANTUM		1514

#define CHECK(m)							\
	do {								\
		const char *why_ = fqm_check(m);			\
		if (why_)						\
			fail_msg("invariant: %s", why_);		\
	} while (0)

/* Spread-out hashes: flow, source host and destination host. */
static u32 flow_hash(u32 i)
{
	return i * 0x9e3779b1u + 0x1234567u;
}

static u32 host_hash(u32 i)
{
	return i * 0x85ebca6bu + 0x7654321u;
}

static u64 rnd_state;

static u32 rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return (u32)(rnd_state >> 16);
}

static struct fqm_pkt *deq(struct fqm *m)
{
	struct fqm_pkt *p = fqm_dequeue(m, 0, NULL);

	CHECK(m);
	return p;
}

/* Dequeue one packet, which must be of flow @hash; free it. */
static void deq_expect(struct fqm *m, u32 hash)
{
	struct fqm_pkt *p = deq(m);

	assert_non_null(p);
	assert_int_equal(p->hash, hash);
	free(p);
}

static u16 enq(struct fqm *m, u32 hash, u32 len)
{
	u16 i = fqm_enqueue(m, hash, 0, 0, len);

	assert_int_not_equal(i, MQOS_FQ_NONE);
	CHECK(m);
	return i;
}

/* ---- table sizes ----------------------------------------------------- */

static void test_nflows_ok(void **state)
{
	static const u32 bad[] = { 0, 1, 2, 4, 7, 9, 24, 100, 1000, 16383,
				   16385, 32768, 1U << 31, 0xffffffffu };
	u32 n;
	size_t i;

	(void)state;
	for (n = MQOS_FQ_WAYS; n <= MQOS_FQ_MAX_FLOWS; n *= 2) {
		assert_true(mqos_fq_nflows_ok(n));
		assert_int_equal(mqos_fq_flows_size(n),
				 n * sizeof(struct mqos_fq_flow));
		assert_int_equal(mqos_fq_hosts_size(n),
				 n * sizeof(struct mqos_fq_host));
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		assert_false(mqos_fq_nflows_ok(bad[i]));
	/* Every index fits in a u16 below the NONE marker. */
	assert_true(MQOS_FQ_MAX_FLOWS <= MQOS_FQ_NONE);
}

/* ---- service order ---------------------------------------------------- */

/* Bulk flows on the old list; a new flow's first packet goes next. */
static void test_new_before_old(void **state)
{
	u32 a = flow_hash(1), b = flow_hash(2), c = flow_hash(3);
	u32 d = flow_hash(4);
	struct fqm m;
	int k;

	(void)state;
	assert_int_equal(fqm_init(&m, 64, QUANTUM, MQOS_FQ_ISOLATE_FLOWS), 0);
	assert_null(fqm_dequeue(&m, 0, NULL));
	for (k = 0; k < 20; k++) {
		enq(&m, a, 1500);
		enq(&m, b, 1500);
		enq(&m, c, 1500);
	}
	assert_int_equal(mqos_fq_sparse(&m.fq), 3);
	while (mqos_fq_sparse(&m.fq))
		free(deq(&m));
	assert_int_equal(mqos_fq_bulk(&m.fq), 3);
	enq(&m, d, 1500);
	assert_int_equal(mqos_fq_sparse(&m.fq), 1);
	deq_expect(&m, d);
	fqm_free(&m);
}

/*
 * A sparse flow - one small packet now and then, at most one per round of
 * the bulk flows - is sent next every time, with 100 bulk flows
 * backlogged.
 */
static void test_sparse_beats_100_bulk(void **state)
{
	u32 sparse = flow_hash(1000), bulk[100];
	struct fqm_pkt *p;
	struct fqm m;
	u16 sq = 0;
	int k, r, i;

	(void)state;
	assert_int_equal(fqm_init(&m, 1024, QUANTUM, MQOS_FQ_ISOLATE_FLOWS),
			 0);
	for (i = 0; i < 100; i++) {
		bulk[i] = flow_hash((u32)i);
		for (k = 0; k < 4; k++)
			enq(&m, bulk[i], 1500);
	}
	/* Every bulk flow has had its first quantum: all on the old list. */
	for (k = 0; k < 400; k++) {
		p = deq(&m);
		enq(&m, p->hash, 1500);
		free(p);
	}
	assert_int_equal(mqos_fq_bulk(&m.fq), 100);
	assert_int_equal(mqos_fq_sparse(&m.fq), 0);
	for (r = 0; r < 50; r++) {
		if (r)
			assert_int_equal(m.flows[sq].list, MQOS_FQ_IDLE);
		sq = enq(&m, sparse, 64 + r);
		assert_int_equal(m.flows[sq].list, MQOS_FQ_NEW);
		deq_expect(&m, sparse);
		/* One round and a half of the bulk flows, refilled. */
		for (k = 0; k < 300; k++) {
			p = deq(&m);
			assert_non_null(p);
			assert_int_not_equal(p->hash, sparse);
			enq(&m, p->hash, 1500);
			free(p);
		}
	}
	assert_int_equal(m.fq.way_collisions, 0);
	fqm_free(&m);
}

/*
 * Keep @n flows backlogged (each its own packet size) and dequeue until
 * @total bytes are sent; @bytes[i] gets flow i's share.
 */
struct tflow {
	u32 hash, src, dst, len;
};

static void run_shares(struct fqm *m, const struct tflow *fl, unsigned int n,
		       u64 total, u64 *bytes)
{
	struct fqm_pkt *p;
	unsigned int i, k;
	u64 sent = 0;

	for (i = 0; i < n; i++) {
		bytes[i] = 0;
		for (k = 0; k < 4; k++)
			assert_int_not_equal(fqm_enqueue(m, fl[i].hash,
							 fl[i].src, fl[i].dst,
							 fl[i].len),
					     MQOS_FQ_NONE);
	}
	CHECK(m);
	while (sent < total) {
		p = fqm_dequeue(m, 0, NULL);
		assert_non_null(p);
		for (i = 0; i < n && fl[i].hash != p->hash; i++)
			;
		assert_true(i < n);
		bytes[i] += p->len;
		sent += p->len;
		fqm_enqueue(m, fl[i].hash, fl[i].src, fl[i].dst, fl[i].len);
		free(p);
		if (!(sent & 0xff))
			CHECK(m);
	}
	CHECK(m);
}

static void assert_near(u64 v, u64 want, unsigned int pct, const char *what)
{
	u64 d = v > want ? v - want : want - v;

	if (d * 100 > want * pct)
		fail_msg("%s: %llu bytes, want %llu +- %u%%", what,
			 (unsigned long long)v, (unsigned long long)want, pct);
}

/* DRR: flows of different packet sizes get equal byte shares. */
static void test_drr_fairness(void **state)
{
	static const u32 sizes[] = { 64, 200, 576, 1000, 1500, 1514, 4000,
				     9000 };
	struct tflow fl[ARRAY_SIZE(sizes)];
	u64 bytes[ARRAY_SIZE(sizes)], total = 0;
	char what[32];
	struct fqm m;
	unsigned int i;

	(void)state;
	assert_int_equal(fqm_init(&m, 256, QUANTUM, MQOS_FQ_ISOLATE_FLOWS),
			 0);
	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		fl[i] = (struct tflow){ .hash = flow_hash(i),
					.len = sizes[i] };
	run_shares(&m, fl, ARRAY_SIZE(fl), 40000000, bytes);
	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		total += bytes[i];
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		snprintf(what, sizeof(what), "%u-byte flow", sizes[i]);
		assert_near(bytes[i], total / ARRAY_SIZE(sizes), 2, what);
	}
	fqm_free(&m);
}

/*
 * A queue emptied from the new list while old queues wait goes behind
 * them once (a packet arriving then does not make it new again); emptied
 * from the old list it leaves the lists, and is new with its next packet.
 * With the quantum equal to the bulk packet size, each bulk flow sends one
 * packet per turn, so the order is exact.
 */
static void test_emptied_behind_old(void **state)
{
	u32 a = flow_hash(1), b = flow_hash(2), c = flow_hash(3);
	struct fqm m;
	u16 cq;
	int k;

	(void)state;
	assert_int_equal(fqm_init(&m, 64, 1500, MQOS_FQ_ISOLATE_FLOWS), 0);
	for (k = 0; k < 10; k++) {
		enq(&m, a, 1500);
		enq(&m, b, 1500);
	}
	deq_expect(&m, a);
	deq_expect(&m, b);
	deq_expect(&m, a);
	assert_int_equal(mqos_fq_sparse(&m.fq), 0);
	assert_int_equal(mqos_fq_bulk(&m.fq), 2);

	cq = enq(&m, c, 100);
	assert_int_equal(m.flows[cq].list, MQOS_FQ_NEW);
	deq_expect(&m, c);
	/* C is found empty on the new list: behind A and B, not idle. */
	deq_expect(&m, b);
	assert_int_equal(m.flows[cq].list, MQOS_FQ_OLD);
	assert_int_equal(mqos_fq_bulk(&m.fq), 3);
	/*
	 * A packet now does not make C new: it is sent in C's turn on the
	 * old list, after B's (B has spent its credit, so its turn is only
	 * a rotation), with the credit C has left.
	 */
	enq(&m, c, 100);
	assert_int_equal(mqos_fq_sparse(&m.fq), 0);
	assert_int_equal(m.flows[cq].list, MQOS_FQ_OLD);
	assert_int_equal(m.fq.old_flows.head, mqos_fq_classify(&m.fq, b, 0, 0));
	deq_expect(&m, c);
	assert_int_equal(m.flows[cq].deficit, 1500 - 200);
	/* Found empty on the old list: idle; A's turn. */
	deq_expect(&m, a);
	assert_int_equal(m.flows[cq].list, MQOS_FQ_IDLE);
	assert_int_equal(mqos_fq_bulk(&m.fq), 2);
	/* And new again with its next packet. */
	enq(&m, c, 100);
	assert_int_equal(m.flows[cq].list, MQOS_FQ_NEW);
	deq_expect(&m, c);
	fqm_free(&m);

	/* Emptied from the new list with no old queue: idle at once. */
	assert_int_equal(fqm_init(&m, 64, 1500, MQOS_FQ_ISOLATE_FLOWS), 0);
	cq = enq(&m, c, 100);
	deq_expect(&m, c);
	assert_int_equal(m.flows[cq].list, MQOS_FQ_NEW);
	assert_null(deq(&m));
	assert_int_equal(m.flows[cq].list, MQOS_FQ_IDLE);
	assert_int_equal(mqos_fq_next(&m.fq), MQOS_FQ_NONE);
	fqm_free(&m);
}

/* ---- set-associative lookup ------------------------------------------- */

static void test_set_assoc(void **state)
{
	/* 64 queues: 8 sets; set 3 holds the hashes 3 << 29 .. 4 << 29. */
	u32 h[MQOS_FQ_WAYS + 2], other = 6U << 29;
	u16 q[MQOS_FQ_WAYS + 2], i2;
	struct fqm_pkt *p;
	struct fqm m;
	unsigned int k, j;

	(void)state;
	assert_int_equal(fqm_init(&m, 64, QUANTUM, MQOS_FQ_ISOLATE_FLOWS), 0);
	for (k = 0; k < ARRAY_SIZE(h); k++)
		h[k] = (3U << 29) + k * 1000003u + 7;

	/* Same hash, same queue, busy or not. */
	q[0] = mqos_fq_classify(&m.fq, h[0], 0, 0);
	assert_int_equal(mqos_fq_classify(&m.fq, h[0], 0, 0), q[0]);
	assert_int_equal(enq(&m, h[0], 100), q[0]);
	assert_int_equal(enq(&m, h[0], 100), q[0]);

	/* Eight flows in one set: eight queues of that set. */
	for (k = 1; k < MQOS_FQ_WAYS; k++)
		q[k] = enq(&m, h[k], 100);
	for (k = 0; k < MQOS_FQ_WAYS; k++) {
		assert_in_range(q[k], 3 * MQOS_FQ_WAYS, 4 * MQOS_FQ_WAYS - 1);
		for (j = 0; j < k; j++)
			assert_int_not_equal(q[j], q[k]);
	}
	assert_int_equal(m.fq.way_collisions, 0);
	/* Another set is unaffected. */
	i2 = enq(&m, other, 100);
	assert_in_range(i2, 6 * MQOS_FQ_WAYS, 7 * MQOS_FQ_WAYS - 1);
	assert_int_equal(m.fq.way_collisions, 0);

	/* The ninth shares one of the eight, and is counted. */
	q[8] = enq(&m, h[8], 100);
	assert_int_equal(m.fq.way_collisions, 1);
	for (k = 0; k < MQOS_FQ_WAYS && q[k] != q[8]; k++)
		;
	assert_true(k < MQOS_FQ_WAYS);
	/* Each of its packets is counted. */
	enq(&m, h[8], 100);
	assert_int_equal(m.fq.way_collisions, 2);

	/* Drain everything: every queue goes idle. */
	while ((p = deq(&m)))
		free(p);
	assert_int_equal(mqos_fq_sparse(&m.fq) + mqos_fq_bulk(&m.fq), 0);
	/* Busy again, all but h[1]: its idle queue is reclaimed by h[9]. */
	for (k = 0; k < MQOS_FQ_WAYS; k++)
		if (k != 1)
			assert_int_equal(enq(&m, h[k], 100), q[k]);
	assert_int_equal(enq(&m, h[9], 100), q[1]);
	assert_int_equal(m.flows[q[1]].tag, h[9]);
	assert_int_equal(m.fq.way_collisions, 2);
	/* And h[1], coming back with the set full, now collides. */
	enq(&m, h[1], 100);
	assert_int_equal(m.fq.way_collisions, 3);
	fqm_free(&m);
}

/* ---- fattest queue, and every invariant, under random operations ---- */

static void random_ops(u32 nflows, unsigned int ops, u64 seed,
		       bool isolation)
{
	unsigned int op, max_pkts = 4 * nflows;
	struct fqm_pkt *p;
	struct fqm m;
	u32 r, f;

	rnd_state = seed;
	assert_int_equal(fqm_init(&m, nflows, QUANTUM,
				  isolation ? MQOS_FQ_ISOLATE_BOTH :
				  MQOS_FQ_ISOLATE_FLOWS), 0);
	CHECK(&m);
	for (op = 0; op < ops; op++) {
		r = rnd() % 1000;
		if (r < 550 && m.pkts < max_pkts) {
			/* Flows from a pool of 3x the table: collisions. */
			f = rnd() % (3 * nflows);
			fqm_enqueue(&m, flow_hash(f), host_hash(f % 37),
				    host_hash(100 + f % 11),
				    1 + (rnd() % 4 ? rnd() % 1500 :
					 rnd() % 65536));
		} else if (r < 900) {
			p = fqm_dequeue(&m, rnd() % 4 ? 0 : rnd() % 4, NULL);
			free(p);
		} else if (r < 990) {
			fqm_drop_fat(&m);
		} else if (r < 998) {
			if (isolation)
				fqm_set_isolation(&m, rnd() % 4);
		} else {
			fqm_reset(&m);
		}
		CHECK(&m);
	}
	fqm_free(&m);
}

static void test_fattest_random(void **state)
{
	(void)state;
	random_ops(256, 100000, 0x2545f4914f6cdd1dULL, false);
	random_ops(64, 100000, 0x9e3779b97f4a7c15ULL, false);
}

/* NONE when empty, and the fattest followed exactly in a plain case. */
static void test_fattest_basic(void **state)
{
	u32 a = flow_hash(1), b = flow_hash(2);
	struct fqm m;
	u16 qa, qb;

	(void)state;
	assert_int_equal(fqm_init(&m, 64, QUANTUM, MQOS_FQ_ISOLATE_FLOWS), 0);
	assert_int_equal(mqos_fq_fattest(&m.fq), MQOS_FQ_NONE);
	qa = enq(&m, a, 1000);
	assert_int_equal(mqos_fq_fattest(&m.fq), qa);
	qb = enq(&m, b, 3000);
	assert_int_equal(mqos_fq_fattest(&m.fq), qb);
	enq(&m, a, 3000);
	assert_int_equal(mqos_fq_fattest(&m.fq), qa);
	/* Drop half of A's bytes: its first packet only (1000 < 2000). */
	assert_int_equal(fqm_drop_fat(&m), 2);
	CHECK(&m);
	assert_int_equal(m.flows[qa].backlog, 0);
	assert_int_equal(mqos_fq_fattest(&m.fq), qb);
	assert_int_equal(fqm_drop_fat(&m), 1);
	CHECK(&m);
	assert_int_equal(mqos_fq_fattest(&m.fq), MQOS_FQ_NONE);
	assert_int_equal(fqm_drop_fat(&m), 0);
	/* Emptied queues are still on the lists, and leave them. */
	assert_int_equal(mqos_fq_sparse(&m.fq), 2);
	assert_null(deq(&m));
	assert_int_equal(mqos_fq_sparse(&m.fq), 0);
	fqm_free(&m);
}

/* ---- host isolation --------------------------------------------------- */

/*
 * Host A has one bulk flow, host B eight. @a_src: A and B are the flows'
 * sources (else their destinations); the far ends are @far_hosts distinct
 * hosts (1: one server for all; 0: X for A's flow, Y for B's). @one_set: every host hash falls in the
 * first set of host slots of a 64-queue table.
 */
struct host_run {
	enum mqos_fq_isolate iso;
	bool a_src;
	bool one_set;
	unsigned int far_hosts;
};

static void host_shares(const struct host_run *hr, u64 *a, u64 *b,
			u64 *bmin, u64 *bmax)
{
	u32 ha = host_hash(1), hb = host_hash(2);
	struct tflow fl[9];
	u64 bytes[9];
	struct fqm m;
	unsigned int i;

	if (hr->one_set) {
		ha = 0x01000001u;
		hb = 0x01000002u;
	}
	assert_int_equal(fqm_init(&m, hr->one_set ? 64 : 1024, QUANTUM,
				  hr->iso), 0);
	for (i = 0; i < 9; i++) {
		u32 me = i ? hb : ha, far;

		if (!hr->far_hosts)
			far = i ? 1 : 0;
		else
			far = hr->far_hosts == 1 ? 0 : i % hr->far_hosts;
		far = hr->one_set ? 0x01000010u + far : host_hash(1000 + far);
		fl[i] = (struct tflow){ .hash = flow_hash(i), .len = 1000,
					.src = hr->a_src ? me : far,
					.dst = hr->a_src ? far : me };
	}
	run_shares(&m, fl, 9, 20000000, bytes);
	*a = bytes[0];
	*b = 0;
	*bmin = ~0ULL;
	*bmax = 0;
	for (i = 1; i < 9; i++) {
		*b += bytes[i];
		if (bytes[i] < *bmin)
			*bmin = bytes[i];
		if (bytes[i] > *bmax)
			*bmax = bytes[i];
	}
	fqm_free(&m);
}

static void assert_hosts_fair(enum mqos_fq_isolate iso, bool a_src,
			      unsigned int far_hosts, bool one_set)
{
	const struct host_run hr = { iso, a_src, one_set, far_hosts };
	u64 a, b, bmin, bmax;

	host_shares(&hr, &a, &b, &bmin, &bmax);
	assert_near(a, (a + b) / 2, 10, "host A (1 flow)");
	assert_near(b, (a + b) / 2, 10, "host B (8 flows)");
	assert_near(bmin, b / 8, 10, "B's least flow");
	assert_near(bmax, b / 8, 10, "B's most flow");
}

static void assert_hosts_unfair(enum mqos_fq_isolate iso)
{
	const struct host_run hr = { iso, true, false, 1 };
	u64 a, b, bmin, bmax;

	host_shares(&hr, &a, &b, &bmin, &bmax);
	assert_near(b, 8 * a, 5, "B's 8 flows against A's 1");
}

static void test_isolation_dual_src(void **state)
{
	(void)state;
	assert_hosts_fair(MQOS_FQ_ISOLATE_SRC, true, 1, false);
	assert_hosts_fair(MQOS_FQ_ISOLATE_SRC, true, 9, false);
	assert_hosts_fair(MQOS_FQ_ISOLATE_SRC, true, 1, true);
	/* Without isolation, B's eight flows take eight ninths. */
	assert_hosts_unfair(MQOS_FQ_ISOLATE_FLOWS);
	/* Isolating destinations does nothing for one server. */
	assert_hosts_unfair(MQOS_FQ_ISOLATE_DST);
}

static void test_isolation_dual_dst(void **state)
{
	(void)state;
	assert_hosts_fair(MQOS_FQ_ISOLATE_DST, false, 1, false);
	assert_hosts_fair(MQOS_FQ_ISOLATE_DST, false, 9, false);
	assert_hosts_fair(MQOS_FQ_ISOLATE_DST, false, 1, true);
}

static void test_isolation_triple(void **state)
{
	(void)state;
	/* Each of A and B talks to its own far hosts (one, or several). */
	assert_hosts_fair(MQOS_FQ_ISOLATE_BOTH, true, 9, false);
	assert_hosts_fair(MQOS_FQ_ISOLATE_BOTH, false, 9, false);
	assert_hosts_fair(MQOS_FQ_ISOLATE_BOTH, true, 0, false);
	/* A to X, B to Y, the four hosts in one set of host slots. */
	assert_hosts_fair(MQOS_FQ_ISOLATE_BOTH, true, 0, true);
	assert_hosts_fair(MQOS_FQ_ISOLATE_BOTH, false, 0, true);
}

/*
 * Triple: a flow's source and destination hosts are two hosts, even when
 * both are new and their hashes fall in one set of host slots.
 */
static void test_triple_hosts_one_set(void **state)
{
	/* 64 slots, 8 sets: both hashes in set 0. */
	u32 src = 0x01000001u, dst = 0x01000002u;
	struct fqm m;
	u16 i;

	(void)state;
	assert_int_equal(fqm_init(&m, 64, QUANTUM, MQOS_FQ_ISOLATE_BOTH), 0);
	i = fqm_enqueue(&m, flow_hash(1), src, dst, 100);
	CHECK(&m);
	assert_int_not_equal(m.flows[i].src, MQOS_FQ_NONE);
	assert_int_not_equal(m.flows[i].dst, MQOS_FQ_NONE);
	assert_int_not_equal(m.flows[i].src, m.flows[i].dst);
	assert_int_equal(m.fq.hosts[m.flows[i].src].tag, src);
	assert_int_equal(m.fq.hosts[m.flows[i].dst].tag, dst);
	assert_int_equal(m.fq.hosts_busy, 2);
	/* A second flow from the same source finds the same slot. */
	i = fqm_enqueue(&m, flow_hash(2), src, host_hash(9), 100);
	CHECK(&m);
	assert_int_equal(m.fq.hosts[m.flows[i].src].tag, src);
	assert_int_equal(m.fq.hosts[m.flows[i].src].flows, 2);
	fqm_free(&m);
}

/*
 * Changing the isolation while queues are busy: the host counts stay
 * consistent (checked after every step) and come back to zero.
 */
static void test_set_isolation_busy(void **state)
{
	static const enum mqos_fq_isolate seq[] = {
		MQOS_FQ_ISOLATE_BOTH, MQOS_FQ_ISOLATE_DST,
		MQOS_FQ_ISOLATE_FLOWS, MQOS_FQ_ISOLATE_SRC,
		MQOS_FQ_ISOLATE_SRC, MQOS_FQ_ISOLATE_BOTH,
		MQOS_FQ_ISOLATE_FLOWS, MQOS_FQ_ISOLATE_DST,
	};
	struct fqm_pkt *p;
	struct fqm m;
	unsigned int s, k;
	u32 i;

	(void)state;
	rnd_state = 0x1234567887654321ULL;
	assert_int_equal(fqm_init(&m, 64, QUANTUM, MQOS_FQ_ISOLATE_SRC), 0);
	for (s = 0; s < ARRAY_SIZE(seq); s++) {
		for (k = 0; k < 200; k++) {
			u32 f = rnd() % 40;

			fqm_enqueue(&m, flow_hash(f), host_hash(f % 5),
				    host_hash(10 + f % 3), 1 + rnd() % 1500);
			CHECK(&m);
			if (k & 1) {
				free(fqm_dequeue(&m, 0, NULL));
				CHECK(&m);
			}
		}
		fqm_set_isolation(&m, seq[s]);
		CHECK(&m);
		/* The busy queues count against no host now. */
		for (i = 0; i < m.nflows; i++) {
			assert_int_equal(m.flows[i].src, MQOS_FQ_NONE);
			assert_int_equal(m.flows[i].dst, MQOS_FQ_NONE);
		}
	}
	while ((p = deq(&m)))
		free(p);
	assert_int_equal(m.fq.hosts_busy, 0);
	for (i = 0; i < m.nflows; i++) {
		assert_int_equal(m.hosts[i].flows, 0);
		assert_int_equal(m.hosts[i].bulk, 0);
	}
	fqm_free(&m);

	random_ops(64, 100000, 0xdeadbeefcafef00dULL, true);
	random_ops(256, 50000, 0x0123456789abcdefULL, true);
}

/* ---- reset ------------------------------------------------------------ */

static void test_reset(void **state)
{
	struct fqm_pkt *p;
	struct fqm m;
	u64 coll;
	u32 i;
	u16 q;

	(void)state;
	assert_int_equal(fqm_init(&m, 16, QUANTUM, MQOS_FQ_ISOLATE_BOTH), 0);
	for (i = 0; i < 100; i++)
		fqm_enqueue(&m, flow_hash(i % 30), host_hash(i % 3),
			    host_hash(7), 500);
	CHECK(&m);
	for (i = 0; i < 10; i++)
		free(fqm_dequeue(&m, 0, NULL));
	coll = m.fq.way_collisions;
	assert_true(coll > 0);
	fqm_reset(&m);
	CHECK(&m);
	assert_int_equal(mqos_fq_sparse(&m.fq), 0);
	assert_int_equal(mqos_fq_bulk(&m.fq), 0);
	assert_int_equal(mqos_fq_fattest(&m.fq), MQOS_FQ_NONE);
	assert_int_equal(mqos_fq_next(&m.fq), MQOS_FQ_NONE);
	assert_int_equal(m.fq.hosts_busy, 0);
	assert_int_equal(m.fq.way_collisions, coll);
	for (i = 0; i < m.nflows; i++) {
		assert_int_equal(m.flows[i].list, MQOS_FQ_IDLE);
		assert_int_equal(m.flows[i].backlog, 0);
		assert_int_equal(m.hosts[i].flows, 0);
	}
	/* Works as new afterwards. */
	q = enq(&m, flow_hash(1), 700);
	assert_int_equal(m.flows[q].list, MQOS_FQ_NEW);
	assert_int_equal(mqos_fq_fattest(&m.fq), q);
	p = deq(&m);
	assert_non_null(p);
	assert_int_equal(p->len, 700);
	free(p);
	assert_null(deq(&m));
	fqm_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nflows_ok),
		cmocka_unit_test(test_new_before_old),
		cmocka_unit_test(test_sparse_beats_100_bulk),
		cmocka_unit_test(test_drr_fairness),
		cmocka_unit_test(test_emptied_behind_old),
		cmocka_unit_test(test_set_assoc),
		cmocka_unit_test(test_fattest_basic),
		cmocka_unit_test(test_fattest_random),
		cmocka_unit_test(test_isolation_dual_src),
		cmocka_unit_test(test_isolation_dual_dst),
		cmocka_unit_test(test_isolation_triple),
		cmocka_unit_test(test_triple_hosts_one_set),
		cmocka_unit_test(test_set_isolation_busy),
		cmocka_unit_test(test_reset),
	};

	return cmocka_run_group_tests_name("fq", tests, NULL, NULL);
}
