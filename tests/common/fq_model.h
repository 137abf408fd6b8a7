/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * A host-side packet model around the flow-queuing core (core/fq.c) for
 * the unit tests and the fuzzer. It drives the core exactly as sch_mqos
 * does: the model owns the packets and links them through each queue's
 * head/tail, and reports every packet in (enqueued) and out (sent,
 * dropped) and every queue found empty (emptied).
 *
 * fqm_check() checks the core's invariants against a brute-force look at
 * the whole table; it returns NULL, or a sentence naming the first broken
 * one.
 */
#ifndef MQOS_TESTS_FQ_MODEL_H
#define MQOS_TESTS_FQ_MODEL_H

#include "core/fq.h"

struct fqm_pkt {
	struct fqm_pkt *next;
	u32 len;
	u32 hash;	/* flow hash it was classified by */
	u32 src;	/* host hashes */
	u32 dst;
	u64 t_enq;	/* model clock at enqueue */
};

struct fqm {
	struct mqos_fq fq;
	struct mqos_fq_flow *flows;
	struct mqos_fq_host *hosts;	/* always there, as the qdisc has it */
	u32 nflows;
	u64 now;			/* advances by one per operation */
	u32 pkts;			/* packets held */
	u64 bytes;
};

/* 0, or -1 when out of memory. */
int fqm_init(struct fqm *m, u32 nflows, u32 quantum,
	     enum mqos_fq_isolate isolate);
/* Free every packet held and the table. */
void fqm_free(struct fqm *m);

/* Queue a new packet; returns its queue, or MQOS_FQ_NONE (no memory). */
u16 fqm_enqueue(struct fqm *m, u32 hash, u32 src, u32 dst, u32 len);

/*
 * The next packet sent (the caller frees it), NULL when nothing is held.
 * Before sending, up to @aqm_drops head packets are dropped, as a flow's
 * AQM may. @queue (may be NULL) gets the queue it came from.
 */
struct fqm_pkt *fqm_dequeue(struct fqm *m, unsigned int aqm_drops,
			    u16 *queue);

/*
 * Drop from the head of the fattest queue until half its bytes are gone,
 * at most 64 packets (as the qdisc does at a limit); returns the packets.
 */
unsigned int fqm_drop_fat(struct fqm *m);

/* Free every packet and reset the core (qdisc reset). */
void fqm_reset(struct fqm *m);

void fqm_set_isolation(struct fqm *m, enum mqos_fq_isolate isolate);

/* NULL when every invariant holds, else what is broken. */
const char *fqm_check(const struct fqm *m);

#endif
