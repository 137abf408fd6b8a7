// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libFuzzer target: a sequence of operations on one class's flow queues
 * (core/fq.c), driven through the packet model the unit tests use
 * (tests/common/fq_model.c), as the qdisc drives the core.
 *
 * Input: byte 0 sets the table up:
 *   bits 0..1  8 << n queues (8..64: small, so sets fill and collide)
 *   bits 2..3  host isolation (flows, dual-srchost, dual-dsthost, triple)
 *   bits 4..7  quantum: 256 + n * 100 bytes
 * Then each operation is one byte, bits 0..2 its kind, bits 3..7 an
 * argument, and the bytes that kind reads:
 *   0, 1, 2  enqueue: 1 byte flow (the argument picks one of a few odd
 *            hashes instead: 0, ~0, set edges), 1 byte hosts (source in
 *            bits 0..3, destination in 4..7), 1 byte length (the argument's
 *            low bits scale it up to 128 KiB)
 *   3, 4     dequeue one packet; the argument's bits 0..1 are how many
 *            head packets the AQM drops first
 *   5        drop from the fattest queue (as at a limit)
 *   6        set the isolation to the argument's bits 0..1
 *   7        argument bit 0: reset (all packets freed); else set the
 *            quantum to 256 + argument * 64
 * After every operation every invariant of fqm_check() must hold: lists
 * and their counts, backlogs against the packets, every queue with a
 * backlog on a list, the backlog buckets and the fattest queue against a
 * scan, the hosts' counts against the busy queues. At the end the queues
 * are drained (everything idle, no host counted) and freed, so ASan sees
 * any leak.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fq_model.h"

#define MAX_PKTS	512

static void fail(const char *what, unsigned int op)
{
	fprintf(stderr, "fuzz_fq: operation %u: %s\n", op, what);
	abort();
}

static u32 mix(u32 x)
{
	x ^= x >> 16;
	x *= 0x7feb352du;
	x ^= x >> 15;
	x *= 0x846ca68bu;
	x ^= x >> 16;
	return x;
}

static u32 odd_hash(unsigned int a)
{
	static const u32 odd[] = { 0, 0xffffffffu, 1, 0x1fffffffu, 0x20000000u,
				   0x80000000u, 0x7fffffffu, 0xe0000000u };

	return odd[a & 7];
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	unsigned int op = 0;
	const char *why;
	struct fqm m;
	size_t pos = 1;
	u32 i;

	if (!size)
		return 0;
	if (fqm_init(&m, 8U << (data[0] & 3), 256 + (data[0] >> 4) * 100,
		     (data[0] >> 2) & 3))
		return 0;
	while (pos < size) {
		u8 o = data[pos++], arg = o >> 3;

		op++;
		switch (o & 7) {
		case 0:
		case 1:
		case 2: {
			u8 fb, hb, lb;
			u32 hash, len;

			if (size - pos < 3)
				goto out;
			fb = data[pos];
			hb = data[pos + 1];
			lb = data[pos + 2];
			pos += 3;
			if (m.pkts >= MAX_PKTS)
				break;
			hash = arg & 0x10 ? odd_hash(arg) : mix(fb);
			len = 1 + ((u32)lb << (arg & 3) * 3);
			if (fqm_enqueue(&m, hash, mix(0x100 + (hb & 15)),
					mix(0x200 + (hb >> 4)), len) ==
			    MQOS_FQ_NONE)
				goto out;
			break;
		}
		case 3:
		case 4:
			free(fqm_dequeue(&m, arg & 3, NULL));
			break;
		case 5:
			fqm_drop_fat(&m);
			break;
		case 6:
			fqm_set_isolation(&m, arg & 3);
			break;
		case 7:
			if (arg & 1)
				fqm_reset(&m);
			else
				mqos_fq_set_quantum(&m.fq, 256 + arg * 64U);
			break;
		}
		why = fqm_check(&m);
		if (why)
			fail(why, op);
	}
out:
	/* Drain: every queue idle, no host counted, nothing held. */
	for (;;) {
		struct fqm_pkt *p = fqm_dequeue(&m, 0, NULL);

		if (!p)
			break;
		free(p);
		why = fqm_check(&m);
		if (why)
			fail(why, ++op);
	}
	if (m.pkts || m.fq.new_flows.count || m.fq.old_flows.count ||
	    m.fq.hosts_busy || m.fq.fat_map ||
	    mqos_fq_fattest(&m.fq) != MQOS_FQ_NONE)
		fail("drained, yet something is held", op);
	for (i = 0; i < m.nflows; i++)
		if (m.flows[i].list != MQOS_FQ_IDLE || m.hosts[i].flows ||
		    m.hosts[i].bulk)
			fail("drained, yet a queue or host is busy", op);
	fqm_free(&m);
	return 0;
}
