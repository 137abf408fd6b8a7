/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The "mqos" qdisc's internal state, shared by
 *   sch_mqos.c         the qdisc's rules, configuration swap and ops
 *   sch_mqos_enqueue.c classification, policers, flow queues, limits
 *   sch_mqos_dequeue.c shaper, scheduler, AQM, counters at dequeue
 *   sch_mqos_class.c   class ops (tc class add/change/del/show, filters)
 *   sch_mqos_cfg.c     default classes; applying a configuration to the state
 *   sch_mqos_nl.c      configuration: netlink policies, parse, validate
 *   sch_mqos_dump.c    configuration and statistics dumps
 *   sch_mqos_flow.c    flow and host hashes of a packet
 */
#ifndef MQOS_SCH_MQOS_H
#define MQOS_SCH_MQOS_H

#include <linux/bitops.h>
#include <linux/list.h>
#include <linux/skbuff.h>
#include <net/pkt_cls.h>
#include <net/pkt_sched.h>
#include <net/sch_generic.h>
#include <uapi/linux/mqos.h>

#include "core/aqm.h"
#include "core/fq.h"
#include "core/hist.h"
#include "core/pkt.h"
#include "core/tbf.h"

struct mqos_net;

/* Configuration of one class (as set by netlink; see the UAPI header). */
struct mqos_class_cfg {
	char name[MQOS_CLASS_NAME_LEN];
	u64 rate;		/* guaranteed, bytes/s; 0 = none */
	u64 ceil;		/* bytes/s; 0 = none */
	u64 police_rate;	/* bytes/s; 0 = no policer */
	u32 police_burst;	/* bytes */
	u32 quantum;		/* bytes */
	u32 limit;		/* packets */
	u32 limit_bytes;
	u32 aqm_target_us;	/* 0 = AQM off */
	u32 aqm_interval_us;
	u32 flows;		/* flow queues; 0 = one FIFO */
	u8 rate_pct;		/* of the device rate, when rate == 0 */
	u8 ceil_pct;		/* of the device rate, when ceil == 0 */
	u8 prio;
	u8 police_demote;	/* class id; 0 = drop */
	u8 dscp;		/* remark to; MQOS_DSCP_KEEP = don't */
	u8 ecn;
	u8 aqm_mode;		/* MQOS_AQM_MODE_* */
	u8 present;		/* the class exists */
};

/* Whole-qdisc configuration; changed as one unit under sch_tree_lock. */
struct mqos_cfg {
	u64 rate;		/* device, bytes/s; 0 = line rate */
	u32 overhead;
	u32 memory_limit;	/* bytes of truesize queued */
	u8 default_class;
	u8 isolation;		/* enum mqos_isolation */
	u8 ingress;		/* drops are charged to the device rate */
	struct mqos_class_cfg cls[MQOS_MAX_CLASSES + 1];	/* [0] unused */
};

/* Why a packet was dropped (counters, tracepoint). */
enum mqos_drop_reason {
	MQOS_DROP_POLICER,
	MQOS_DROP_LIMIT,
	MQOS_DROP_AQM,
	MQOS_DROP_MEMORY,
	MQOS_DROP_OTHER,
};

/*
 * Counters the datapath writes under the qdisc lock inside the class's
 * u64_stats section; dumps read them lockless (mqos_class_snapshot), so a
 * 32-bit machine never sees half of an update.
 */
struct mqos_class_stats {
	u64 enq_packets;
	u64 enq_bytes;
	u64 drop_policer;
	u64 drop_limit;
	u64 drop_aqm;
	u64 drop_other;
	u64 drop_memory;
	u64 demoted;
	u64 ecn_marks;
	u64 overlimits;
};

/* A flow queue table's memory: flows, and hosts for host isolation. */
struct mqos_fq_mem {
	struct mqos_fq_flow *flows;
	struct mqos_fq_host *hosts;
};

/*
 * One class, 17 of them (index 0 unused) in one allocation. The
 * scheduler's state (queues, DRR, buckets, AQM) comes first; counters and
 * the histogram (240 bytes) follow. With flow queues (fq.flows set) the
 * packets sit in the flow queues and q holds only the count.
 */
struct mqos_class {
	struct qdisc_skb_head q;	/* the FIFO; q.qlen = packets */
	struct mqos_fq fq;		/* flow queues; fq.flows NULL = FIFO */
	struct mqos_fq_mem fqm;		/* the table's memory (owner) */
	u32 backlog;			/* bytes */
	u32 mem;			/* truesize of its queued packets */
	s32 deficit;			/* DRR */
	struct list_head alist;		/* on sched->active[prio] if backlogged */
	struct mqos_tb rate_tb;		/* guaranteed rate */
	struct mqos_tb ceil_tb;		/* ceiling */
	struct mqos_tb police_tb;	/* policer */
	struct mqos_aqm aqm;
	struct mqos_aqm_params aqm_p;
	bool tb_live;			/* buckets set up: keep their credit */
	u8 id;
	u8 prio;			/* copy of cfg prio while on a list */

	struct gnet_stats_basic_sync bstats;	/* sent */
	struct u64_stats_sync syncp;		/* st, hist, sparse_hist */
	struct mqos_class_stats st;
	struct mqos_hist hist;			/* sojourn of sent packets */
	struct mqos_hist sparse_hist;		/* those from new flows */
};

struct mqos_sched {
	struct mqos_cfg *cfg;		/* RTNL; datapath reads under qdisc lock */
	/*
	 * The device's netns state (rules, hook), set at init so that no
	 * packet looks it up: a device leaving its netns loses its qdiscs
	 * first (dev_shutdown), and a netns's pernet data outlives its
	 * devices.
	 */
	struct mqos_net *mn;
	struct mqos_class *cls;		/* [MQOS_MAX_CLASSES + 1], [0] unused */
	struct list_head active[MQOS_NUM_PRIOS];
	/*
	 * Bit p set when active[p] may be non-empty: set whenever a class
	 * joins a list, cleared lazily by the scheduler when it finds the
	 * list empty, so that a dequeue visits backlogged priorities only.
	 */
	unsigned long active_prios;
	struct mqos_tb dev_tb;		/* device rate */
	bool dev_waiting;		/* watchdog set for dev_tb, backlog */
	bool dev_tb_live;		/* dev_tb set up: keep its credit */
	struct qdisc_watchdog watchdog;
	u32 mtu;			/* psched_mtu(), followed at dequeue */
	struct u64_stats_sync syncp;	/* dev_overlimits */
	u64 dev_overlimits;
	u64 mem_used;			/* truesize of the queued packets */
	u32 enq_seq;			/* enqueue calls, for mqos_skb_cb.seq */
	struct tcf_proto __rcu *filter_list;	/* tc filters on the qdisc */
	struct tcf_block *block;
	u32 filter_cnt[MQOS_MAX_CLASSES + 1];	/* filters naming a class */
};

/*
 * Flow and host hashes of a packet (sch_mqos_flow.c); a host that the
 * qdisc's isolation does not count is 0.
 */
struct mqos_flow_keys {
	u32 flow;
	u32 src;
	u32 dst;
};

/* Per packet, in the qdisc's private part of skb->cb. */
struct mqos_skb_cb {
	u64 tstamp;		/* enqueue time */
	u32 truesize;		/* as counted in mem_used */
	u32 seq;		/* the enqueue call that queued it (enq_seq) */
};

static inline struct mqos_skb_cb *mqos_skb_cb(const struct sk_buff *skb)
{
	BUILD_BUG_ON(sizeof(struct mqos_skb_cb) > QDISC_CB_PRIV_LEN);
	return (struct mqos_skb_cb *)qdisc_skb_cb(skb)->data;
}

/* A consistent copy of a class's counters, for dumps. */
struct mqos_class_snap {
	struct mqos_class_stats st;
	struct mqos_hist hist;
	struct mqos_hist sparse;
	u64 way_collisions;
};

static inline bool mqos_class_exists(const struct mqos_cfg *cfg, u32 id)
{
	return id >= 1 && id <= MQOS_MAX_CLASSES && cfg->cls[id].present;
}

/* @cl joins the backlogged classes of its priority. */
static inline void mqos_activate(struct mqos_sched *q, struct mqos_class *cl)
{
	list_move_tail(&cl->alist, &q->active[cl->prio]);
	__set_bit(cl->prio, &q->active_prios);
}

void mqos_class_stats_read(const struct mqos_class *cl,
			   struct mqos_class_stats *st);
u64 mqos_class_drops(const struct mqos_class_stats *st);
void mqos_class_snapshot(const struct mqos_class *cl,
			 struct mqos_class_snap *s);
u64 mqos_dev_overlimits(const struct mqos_sched *q);

/* Count @n in a class counter, inside the class's u64_stats section. */
static inline void mqos_count(struct mqos_class *cl, u64 *counter, u64 n)
{
	u64_stats_update_begin(&cl->syncp);
	*counter += n;
	u64_stats_update_end(&cl->syncp);
}

/* The head packet of a flow queue, unlinked; NULL if it is empty. */
static inline struct sk_buff *mqos_fq_unlink(struct mqos_fq_flow *f)
{
	struct sk_buff *skb = f->head;

	if (skb) {
		f->head = skb->next;
		if (!f->head)
			f->tail = NULL;
		skb_mark_not_on_list(skb);
	}
	return skb;
}

/* Account a packet that left @cl's queues (sent or dropped). */
static inline void mqos_left(struct Qdisc *sch, struct mqos_sched *q,
			     struct mqos_class *cl, struct sk_buff *skb)
{
	cl->backlog -= qdisc_pkt_len(skb);
	cl->q.qlen--;
	sch->q.qlen--;
	qdisc_qstats_backlog_dec(sch, skb);
	cl->mem -= mqos_skb_cb(skb)->truesize;
	q->mem_used -= mqos_skb_cb(skb)->truesize;
}

/* sch_mqos.c */
int mqos_commit(struct Qdisc *sch, struct mqos_cfg *new, bool reset_stats);
void mqos_note_drop(struct Qdisc *sch, struct mqos_class *cl,
		    struct sk_buff *skb, enum mqos_drop_reason r);

/* sch_mqos_enqueue.c, sch_mqos_dequeue.c */
int mqos_enqueue(struct sk_buff *skb, struct Qdisc *sch,
		 struct sk_buff **to_free);
struct sk_buff *mqos_dequeue(struct Qdisc *sch);

/* sch_mqos_class.c */
extern const struct Qdisc_class_ops mqos_class_ops;

/* sch_mqos_nl.c */
int mqos_cfg_parse(struct Qdisc *sch, const struct mqos_cfg *old,
		   struct mqos_cfg *new, struct nlattr *opt, bool *reset_stats,
		   struct netlink_ext_ack *extack);
int mqos_cfg_parse_class(struct Qdisc *sch, const struct mqos_cfg *old,
			 struct mqos_cfg *new, struct nlattr *opt, u8 id,
			 bool del, struct netlink_ext_ack *extack);

/* sch_mqos_dump.c */
int mqos_dump_cfg(struct mqos_sched *q, struct sk_buff *skb);
int mqos_dump_class_xstats(struct mqos_sched *q, struct mqos_class *cl,
			   struct sk_buff *skb);
int mqos_dump_qdisc_xstats(struct mqos_sched *q, struct sk_buff *skb);

/* sch_mqos_cfg.c */
void mqos_cfg_defaults(struct mqos_cfg *cfg, u32 mtu);
void mqos_class_cfg_default(struct mqos_class_cfg *c, u8 id, u32 mtu);
void mqos_apply_cfg(struct Qdisc *sch, struct mqos_sched *q, u64 now);
void mqos_purge_class(struct Qdisc *sch, struct mqos_sched *q,
		      struct mqos_class *cl);
void mqos_free_packets(struct mqos_class *cl);
void mqos_mtu_changed(struct mqos_sched *q, u32 mtu);
void mqos_reset_class_stats(struct mqos_class *cl);
void mqos_reset_stats(struct mqos_sched *q);

int mqos_fq_mem_alloc(struct mqos_fq_mem *m, u32 nflows);
void mqos_fq_mem_free(struct mqos_fq_mem *m);
bool mqos_fq_rebuild(const struct mqos_class *cl,
		     const struct mqos_class_cfg *cc);
void mqos_fq_swap(struct Qdisc *sch, struct mqos_sched *q,
		  struct mqos_class *cl, struct mqos_fq_mem *m);

/* sch_mqos_flow.c */
void mqos_flow_keys(struct sk_buff *skb, u8 isolation,
		    const struct mqos_pkt *pkt, struct mqos_flow_keys *k);

#endif /* MQOS_SCH_MQOS_H */
