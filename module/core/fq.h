/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Flow queuing inside one class: which flow queue a packet goes to, and
 * which flow queue sends next.
 *
 * Principles
 * ----------
 * A class with flow queues holds a table of N queues (N a power of two).
 * A packet's flow hash picks a set of MQOS_FQ_WAYS queues; the queue in
 * that set whose tag is the hash is the flow's, else an idle queue of the
 * set is claimed for it, else (every way busy with another flow) the flow
 * shares a queue and the collision is counted. With 8 ways, two flows
 * share a queue only when more than 8 busy flows hash to one set.
 *
 * Service is deficit round robin over the busy queues with two lists, as
 * fq_codel has it: a queue that gets a packet while idle joins the new
 * list with one quantum of credit, and new queues are served before old
 * ones. A queue that has spent its credit moves to the old list. So a
 * flow that sends less than a quantum per round - a sensor's message, an
 * alarm, an ack - is sent ahead of every bulk flow's standing queue, and
 * bulk flows share the rest equally.
 *
 * With host isolation, the credit a queue gets per round is the quantum
 * divided by the number of bulk queues its host has (the larger of its
 * source and destination host's in "triple"), so each host gets an equal
 * share first and its flows share that; a device that opens many
 * connections does not get more than one that opens one.
 *
 * The caller owns the packets: each queue has head/tail pointers the core
 * never follows, and the caller reports every packet in and out (enqueued,
 * sent, dropped), so the core keeps the byte backlogs. It also keeps, in
 * O(1), a coarse order of the queues by backlog (lists per power of two of
 * bytes, a bitmap of the non-empty ones), so the fattest queue - within a
 * factor of two - is found without a scan when a limit is hit.
 *
 * Every operation is O(1) in the number of queues (at most MQOS_FQ_WAYS
 * tag compares to find a flow's queue).
 */
#ifndef MQOS_CORE_FQ_H
#define MQOS_CORE_FQ_H

#include "env.h"
#include "aqm.h"

#define MQOS_FQ_WAYS		8
#define MQOS_FQ_MAX_FLOWS	16384
#define MQOS_FQ_NONE		0xffff	/* no queue (list end) */
#define MQOS_FQ_FAT_BUCKETS	32	/* fls(backlog): 1..32; 0 = empty */

enum mqos_fq_list {
	MQOS_FQ_IDLE,		/* on no list: may be claimed by another flow */
	MQOS_FQ_NEW,
	MQOS_FQ_OLD,
};

enum mqos_fq_isolate {
	MQOS_FQ_ISOLATE_FLOWS,
	MQOS_FQ_ISOLATE_SRC,	/* dual-srchost */
	MQOS_FQ_ISOLATE_DST,	/* dual-dsthost */
	MQOS_FQ_ISOLATE_BOTH,	/* triple */
};

/* One flow queue: 80 bytes on 64-bit. */
struct mqos_fq_flow {
	void *head;		/* the caller's packets */
	void *tail;
	struct mqos_aqm aqm;	/* this flow's AQM state */
	u32 tag;		/* flow hash owning the queue */
	u32 backlog;		/* bytes */
	s32 deficit;		/* DRR credit, bytes */
	u16 next;		/* on the new or old list */
	u16 fat_prev;		/* in the list of its backlog bucket */
	u16 fat_next;
	u16 src;		/* host slots (isolation), MQOS_FQ_NONE = none */
	u16 dst;
	u8 list;		/* enum mqos_fq_list */
	u8 fat;			/* backlog bucket, 0 = empty */
};

/* One host: its tag and how many of the class's busy queues are its. */
struct mqos_fq_host {
	u32 tag;
	u16 flows;		/* busy queues (on a list) */
	u16 bulk;		/* of those, on the old list */
};

struct mqos_fq_lists {
	u16 head;
	u16 tail;
	u16 count;
};

struct mqos_fq {
	struct mqos_fq_flow *flows;	/* nflows */
	struct mqos_fq_host *hosts;	/* nflows, when isolating hosts */
	u32 nflows;
	u32 quantum;			/* bytes of credit per round */
	u8 isolate;			/* enum mqos_fq_isolate */
	struct mqos_fq_lists new_flows;
	struct mqos_fq_lists old_flows;
	u32 fat_map;			/* bit b - 1: bucket b non-empty */
	u16 fat_head[MQOS_FQ_FAT_BUCKETS + 1];
	u32 hosts_busy;			/* hosts with a busy queue */
	u64 way_collisions;		/* flows that had to share a queue */
};

/*
 * Memory the caller allocates for a table of @nflows queues (zeroed), and
 * for its hosts (only with host isolation). @nflows must pass
 * mqos_fq_nflows_ok().
 */
bool mqos_fq_nflows_ok(u32 nflows);
size_t mqos_fq_flows_size(u32 nflows);
size_t mqos_fq_hosts_size(u32 nflows);

/*
 * Set up a table over zeroed memory. @hosts may be NULL, which turns host
 * isolation off whatever @isolate says.
 */
void mqos_fq_init(struct mqos_fq *fq, struct mqos_fq_flow *flows,
		  struct mqos_fq_host *hosts, u32 nflows, u32 quantum,
		  enum mqos_fq_isolate isolate);

/*
 * Change the host isolation; the queues busy now count against no host
 * until they have been idle once.
 */
void mqos_fq_set_isolation(struct mqos_fq *fq, struct mqos_fq_host *hosts,
			   enum mqos_fq_isolate isolate);

/* Change the quantum (takes effect at each queue's next round). */
static inline void mqos_fq_set_quantum(struct mqos_fq *fq, u32 quantum)
{
	fq->quantum = quantum;
}

/*
 * The queue for a packet of flow @hash whose source and destination hosts
 * hash to @src and @dst (ignored without isolation). Claims an idle queue
 * for a new flow; counts a collision when the flow has to share one.
 */
u16 mqos_fq_classify(struct mqos_fq *fq, u32 hash, u32 src, u32 dst);

/*
 * A packet of @len bytes was added to queue @i (the caller linked it).
 * Returns true when the queue was idle and joined the new list.
 */
bool mqos_fq_enqueued(struct mqos_fq *fq, u16 i, u32 len);

/*
 * The queue that sends next, after giving credit to and rotating those
 * that spent theirs; MQOS_FQ_NONE when no queue is busy. The caller takes
 * the head packet of that queue (its AQM may drop some first) and reports
 * mqos_fq_sent(), or, if the queue turned out empty, mqos_fq_emptied()
 * and asks again.
 */
u16 mqos_fq_next(struct mqos_fq *fq);

/* The head packet of queue @i, @len bytes, was sent. */
void mqos_fq_sent(struct mqos_fq *fq, u16 i, u32 len);

/* A packet of @len bytes left queue @i without being sent (dropped). */
void mqos_fq_dropped(struct mqos_fq *fq, u16 i, u32 len);

/*
 * Queue @i, returned by mqos_fq_next(), has no packet left: it leaves the
 * lists (or, coming from the new list while old queues wait, goes behind
 * them once, so that it cannot starve them by coming back as new).
 */
void mqos_fq_emptied(struct mqos_fq *fq, u16 i);

/* The queue with the most bytes, within a factor of two; NONE if empty. */
u16 mqos_fq_fattest(const struct mqos_fq *fq);

/* Forget every packet (the caller freed them); counters stay. */
void mqos_fq_reset(struct mqos_fq *fq);

static inline u32 mqos_fq_sparse(const struct mqos_fq *fq)
{
	return fq->new_flows.count;
}

static inline u32 mqos_fq_bulk(const struct mqos_fq *fq)
{
	return fq->old_flows.count;
}

#endif /* MQOS_CORE_FQ_H */
