// SPDX-License-Identifier: GPL-2.0
/*
 * The "mqos" qdisc: priority classes with per-class policing, shaping and
 * AQM, a device rate limit, and delay/jitter/loss counters per class.
 *
 * Principles
 * ----------
 * Every packet is put in one class (1..MQOS_MAX_CLASSES) at enqueue:
 *   1. skb->priority whose major number is this qdisc's handle and whose
 *      minor number is an existing class (SO_PRIORITY, skbedit, CLASSIFY);
 *   2. tc filters attached to the qdisc (`tc filter add dev X parent 1:
 *      ... classid 1:N`, or an action's verdict: drop, steal);
 *   3. the mark / conntrack verdict (hook for the netfilter part, below):
 *      the class bits of the conntrack mark, or of skb->mark when the skb
 *      has no conntrack entry (an ifb before PRE_ROUTING, where
 *      `action connmark` restored the mark);
 *   4. the rule engine (classify.c: the netns's rules, or with no rules
 *      the default DSCP / MQTT QoS map); with no verdict, the default
 *      class of the qdisc.
 * At enqueue the class's policer runs (drop the excess, or demote it to
 * another class), then its queue limits (packets, bytes). GSO super-packets
 * are split into their segments first, so that a 64 KB burst never sits in
 * front of a realtime packet as one unit.
 *
 * At dequeue the scheduler picks a class, shaped by three token buckets in
 * ns (core/tbf.c): the device rate (all classes), each class's guaranteed
 * rate and its ceiling:
 *   pass 1: classes under their guaranteed rate, in priority order
 *           (round robin between classes of one priority);
 *   pass 2: classes under their ceiling, in priority order, DRR between
 *           classes of one priority;
 *   nothing is sent above a ceiling or above the device rate. When every
 *   backlogged class is blocked, the qdisc watchdog fires when the first
 *   one may send again (never a busy loop).
 * A class sending in pass 1 pays with its rate bucket; pass 2 is borrowed
 * bandwidth and does not consume the guarantee. A high-priority class can
 * therefore take no more than its ceiling, and every class with a
 * guaranteed rate gets it.
 *
 * The head packet of the picked class then meets the class's AQM (CoDel's
 * control law on its sojourn time, core/aqm.c): dropped, or ECN-marked if
 * ECT and the class marks. Its sojourn time goes into the class histogram
 * (core/hist.c), and its DSCP is rewritten if the class remarks.
 *
 * Default classes (`tc qdisc add dev X root handle 1: mqos`, no options)
 * ---------------------------------------------------------------------
 * Rates are percentages of the device rate (TCA_MQOS_RATE; the default is
 * 0 = line rate, where percentages mean "unlimited" and the classes are
 * served by strict priority, DRR within one priority). MTU = the device's
 * MTU + link header.
 *
 *   id class        prio  rate  ceil  limit pkts/bytes  AQM target/interval
 *   1  control      0      5%    20%    128 / 128 MTU   5 ms / 100 ms, ECN
 *   2  realtime     1     30%    60%    256 / 256 MTU   5 ms / 100 ms, ECN
 *   3  assured      2     30%   100%   1000 / 1000 MTU  5 ms / 100 ms, ECN
 *   4  best-effort  3     10%   100%   1000 / 1000 MTU  5 ms / 100 ms, ECN
 *   5  bulk         4      5%   100%   1000 / 1000 MTU  5 ms / 100 ms, ECN
 *
 * Quantum 1 MTU, no policer, no remarking, default class best-effort.
 * The guarantees sum to 80%, so under overload each class keeps a floor
 * and control/realtime cannot take the whole link.
 *
 * Locking
 * -------
 * The datapath runs under the qdisc lock. Configuration changes run under
 * RTNL, build a complete new struct mqos_cfg, and swap it in under
 * sch_tree_lock(). Dumps run under RTNL (configuration) and read the
 * datapath's counters with READ_ONCE.
 */
#include <linux/module.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/if_vlan.h>
#include <linux/skbuff.h>
#include <net/dsfield.h>
#include <net/inet_ecn.h>
#include <net/pkt_sched.h>
#include <net/sch_generic.h>
#include <uapi/linux/mqos.h>

#include "compat.h"
#include "classify.h"
#include "mqos.h"
#include "debug.h"
#include "dsfield.h"
#include "sch_mqos.h"

#define CREATE_TRACE_POINTS
#include "mqos_trace.h"

/* Count @n in a class counter, inside the class's u64_stats section. */
static inline void mqos_count(struct mqos_class *cl, u64 *counter, u64 n)
{
	u64_stats_update_begin(&cl->syncp);
	*counter += n;
	u64_stats_update_end(&cl->syncp);
}

static u64 *mqos_drop_counter(struct mqos_class *cl, enum mqos_drop_reason r)
{
	switch (r) {
	case MQOS_DROP_POLICER:
		return &cl->st.drop_policer;
	case MQOS_DROP_LIMIT:
		return &cl->st.drop_limit;
	case MQOS_DROP_AQM:
		return &cl->st.drop_aqm;
	case MQOS_DROP_MEMORY:
		return &cl->st.drop_memory;
	default:
		return &cl->st.drop_other;
	}
}

/*
 * Count and trace a drop of @skb from @cl (the caller frees it). In
 * ingress mode the packet already crossed the link: it is charged to the
 * device rate as if it had been sent, so that the senders' backoff, not
 * the link's own queue, absorbs the excess. The debt this builds is
 * bounded by one burst, so the qdisc sends again at most one burst's time
 * after a flood ends; during an unresponsive flood above the rate, what
 * is dropped takes the rate and little is sent (as in CAKE's ingress
 * mode).
 */
static void mqos_note_drop(struct Qdisc *sch, struct mqos_class *cl,
			   struct sk_buff *skb, enum mqos_drop_reason r)
{
	struct mqos_sched *q = qdisc_priv(sch);
	struct mqos_tb *tb = &q->dev_tb;

	trace_mqos_drop(qdisc_dev(sch), skb, cl->id, r);
	mqos_count(cl, mqos_drop_counter(cl, r), 1);
	if (q->cfg->ingress && !mqos_tb_unlimited(tb) &&
	    tb->tokens > -tb->depth)
		mqos_tb_charge(tb, qdisc_pkt_len(skb) + q->cfg->overhead);
}

/* ---- classification -------------------------------------------------- */

/*
 * Mark / conntrack verdict: the class the packet's connection earned, kept
 * by the netfilter hook in the conntrack mark (nf_hook.c), read from
 * skb->mark when the skb has no conntrack entry; 0 = no verdict (hook off
 * or in per-packet mode, no class bits in the mark, or no PUBLISH yet).
 */
static u8 mqos_classify_mark(struct Qdisc *sch, struct sk_buff *skb)
{
	return mqos_hook_flow_class(dev_net(qdisc_dev(sch)), skb);
}

/*
 * The tc filters' verdict: a class id (0 = none); false if an action
 * took the packet (dropped, stolen, queued elsewhere), *ret saying how.
 */
static bool mqos_classify_filters(struct Qdisc *sch, struct mqos_sched *q,
				  struct sk_buff *skb, u32 *id, int *ret)
{
	struct tcf_proto *fl = rcu_dereference_bh(q->filter_list);
	struct tcf_result res;
	int r;

	*id = 0;
	if (!fl)
		return true;
	r = tcf_classify(skb, NULL, fl, &res, false);
	if (r < 0)
		return true;
#ifdef CONFIG_NET_CLS_ACT
	switch (r) {
	case TC_ACT_QUEUED:
	case TC_ACT_STOLEN:
	case TC_ACT_TRAP:
		*ret = NET_XMIT_SUCCESS | __NET_XMIT_STOLEN;
		return false;
	case TC_ACT_SHOT:
		*ret = NET_XMIT_SUCCESS | __NET_XMIT_BYPASS;
		return false;
	}
#endif
	if (TC_H_MAJ(res.classid) == sch->handle || !TC_H_MAJ(res.classid))
		*id = TC_H_MIN(res.classid);
	return true;
}

/*
 * NULL when a filter's action took the packet; *ret then says how. When
 * the packet's own headers decided, true in *@parsed and the packet view
 * in @pkt, for the flow keys.
 */
static struct mqos_class *mqos_sch_classify(struct Qdisc *sch,
					    struct mqos_sched *q,
					    struct sk_buff *skb,
					    struct mqos_pkt *pkt,
					    bool *parsed, int *ret)
{
	const struct mqos_cfg *cfg = q->cfg;
	struct mqos_cls_res res;
	u32 id = 0;

	if (TC_H_MAJ(skb->priority) == sch->handle)
		id = TC_H_MIN(skb->priority);
	if (!mqos_class_exists(cfg, id) &&
	    !mqos_classify_filters(sch, q, skb, &id, ret))
		return NULL;
	if (!mqos_class_exists(cfg, id))
		id = mqos_classify_mark(sch, skb);
	if (!mqos_class_exists(cfg, id)) {
		/* rules, or the DSCP/MQTT map */
		mqos_classify_skb(skb, &res, pkt);
		*parsed = true;
		id = res.class_id;
	}
	if (!mqos_class_exists(cfg, id))
		id = cfg->default_class;
	return &q->cls[id];
}

/* ---- packets in and out of a class's queues ------------------------- */

/* Packets dropped at enqueue that the parents had counted already. */
struct mqos_enq_drops {
	unsigned int packets;
	unsigned int bytes;
};

static void mqos_fq_link(struct mqos_fq_flow *f, struct sk_buff *skb)
{
	skb->next = NULL;
	if (f->tail)
		((struct sk_buff *)f->tail)->next = skb;
	else
		f->head = skb;
	f->tail = skb;
}

static struct sk_buff *mqos_fq_unlink(struct mqos_fq_flow *f)
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
static void mqos_left(struct Qdisc *sch, struct mqos_sched *q,
		      struct mqos_class *cl, struct sk_buff *skb)
{
	cl->backlog -= qdisc_pkt_len(skb);
	cl->q.qlen--;
	sch->q.qlen--;
	qdisc_qstats_backlog_dec(sch, skb);
	cl->mem -= mqos_skb_cb(skb)->truesize;
	q->mem_used -= mqos_skb_cb(skb)->truesize;
}

/*
 * Drop from the head of @cl's fattest flow (its only queue without flow
 * queues) until half of that flow's bytes are gone, at most 64 packets:
 * one search for a fat flow sheds enough to last (as fq_codel does).
 * Returns the packets dropped.
 */
static unsigned int mqos_drop_fat(struct Qdisc *sch, struct mqos_sched *q,
				  struct mqos_class *cl,
				  enum mqos_drop_reason reason,
				  struct mqos_enq_drops *d,
				  struct sk_buff **to_free)
{
	unsigned int n = 0, dropped = 0, target;
	struct mqos_fq_flow *f = NULL;
	struct sk_buff *skb;
	u16 i = MQOS_FQ_NONE;

	if (cl->fq.flows) {
		i = mqos_fq_fattest(&cl->fq);
		if (i == MQOS_FQ_NONE)
			return 0;
		f = &cl->fq.flows[i];
		target = f->backlog / 2;
	} else {
		target = 0;
	}
	do {
		skb = f ? mqos_fq_unlink(f) : __qdisc_dequeue_head(&cl->q);
		if (!skb)
			break;
		if (f)
			mqos_fq_dropped(&cl->fq, i, qdisc_pkt_len(skb));
		else
			cl->q.qlen++;	/* __qdisc_dequeue_head() took one */
		mqos_left(sch, q, cl, skb);
		dropped += qdisc_pkt_len(skb);
		d->packets++;
		d->bytes += qdisc_pkt_len(skb);
		mqos_note_drop(sch, cl, skb, reason);
		qdisc_qstats_drop(sch);
		__qdisc_drop(skb, to_free);
		n++;
	} while (dropped < target && n < 64);
	/* A class emptied here (memory drops can) leaves the active list. */
	if (!cl->q.qlen)
		list_del_init(&cl->alist);
	return n;
}

/* The class holding the most memory: the victim when memory runs out. */
static struct mqos_class *mqos_fattest_class(struct mqos_sched *q)
{
	struct mqos_class *fat = NULL;
	unsigned int id;

	for (id = 1; id <= MQOS_MAX_CLASSES; id++) {
		struct mqos_class *cl = &q->cls[id];

		if (cl->q.qlen && (!fat || cl->mem > fat->mem))
			fat = cl;
	}
	return fat;
}

/* ---- enqueue ---------------------------------------------------------- */

static int mqos_drop(struct sk_buff *skb, struct Qdisc *sch,
		     struct mqos_class *cl, enum mqos_drop_reason reason,
		     struct sk_buff **to_free)
{
	mqos_note_drop(sch, cl, skb, reason);
	return qdisc_drop(skb, sch, to_free);
}

/* Police, queue and limit one (non-GSO) packet. */
static int mqos_enqueue_one(struct sk_buff *skb, struct Qdisc *sch,
			    struct mqos_sched *q, struct mqos_class *cl,
			    const struct mqos_flow_keys *k, u64 now,
			    struct mqos_enq_drops *d, struct sk_buff **to_free)
{
	const struct mqos_cfg *cfg = q->cfg;
	const struct mqos_class_cfg *cc = &cfg->cls[cl->id];
	u32 len = qdisc_pkt_len(skb);
	struct mqos_class *victim;

	if (!mqos_tb_police(&cl->police_tb, len + cfg->overhead, now)) {
		u8 to = cc->police_demote;

		if (!to || to == cl->id || !mqos_class_exists(cfg, to))
			return mqos_drop(skb, sch, cl, MQOS_DROP_POLICER,
					 to_free);
		/* Demoted once; the target's own policer is not applied. */
		mqos_count(cl, &cl->st.demoted, 1);
		cl = &q->cls[to];
		cc = &cfg->cls[to];
	}

	/* A FIFO drops the newcomer; flow queues drop from the fattest. */
	if (!cl->fq.flows &&
	    (cl->q.qlen >= cc->limit || cl->backlog + len > cc->limit_bytes))
		return mqos_drop(skb, sch, cl, MQOS_DROP_LIMIT, to_free);

	mqos_skb_cb(skb)->tstamp = now;
	mqos_skb_cb(skb)->truesize = skb->truesize;
	if (cl->fq.flows) {
		u16 i;

		u64_stats_update_begin(&cl->syncp);	/* way_collisions */
		i = mqos_fq_classify(&cl->fq, k->flow, k->src, k->dst);
		u64_stats_update_end(&cl->syncp);

		mqos_fq_link(&cl->fq.flows[i], skb);
		mqos_fq_enqueued(&cl->fq, i, len);
		cl->q.qlen++;
	} else {
		__qdisc_enqueue_tail(skb, &cl->q);
	}
	cl->backlog += len;
	if (cl->q.qlen == 1) {
		cl->prio = cc->prio;
		cl->deficit = cc->quantum;
		mqos_activate(q, cl);
	}
	u64_stats_update_begin(&cl->syncp);
	cl->st.enq_packets++;
	cl->st.enq_bytes += len;
	u64_stats_update_end(&cl->syncp);
	trace_mqos_enqueue(qdisc_dev(sch), skb, cl->id, cl->q.qlen);
	sch->q.qlen++;
	qdisc_qstats_backlog_inc(sch, skb);
	cl->mem += skb->truesize;
	q->mem_used += skb->truesize;

	while (cl->fq.flows &&
	       (cl->q.qlen > cc->limit || cl->backlog > cc->limit_bytes))
		if (!mqos_drop_fat(sch, q, cl, MQOS_DROP_LIMIT, d, to_free))
			break;
	while (q->mem_used > cfg->memory_limit) {
		victim = mqos_fattest_class(q);
		if (!victim || !mqos_drop_fat(sch, q, victim,
					      MQOS_DROP_MEMORY, d,
					      to_free))
			break;
	}
	return NET_XMIT_SUCCESS;
}

/* Split a GSO super-packet and queue its segments (as sch_tbf does). */
static int mqos_enqueue_gso(struct sk_buff *skb, struct Qdisc *sch,
			    struct mqos_sched *q, struct mqos_class *cl,
			    const struct mqos_flow_keys *k, u64 now,
			    struct mqos_enq_drops *d, struct sk_buff **to_free)
{
	netdev_features_t features = netif_skb_features(skb);
	unsigned int len = 0, prev_len = qdisc_pkt_len(skb), seg_len;
	struct sk_buff *segs, *nskb;
	int nb = 0;

	segs = skb_gso_segment(skb, features & ~NETIF_F_GSO_MASK);
	if (IS_ERR_OR_NULL(segs))
		return mqos_drop(skb, sch, cl, MQOS_DROP_OTHER, to_free);

	skb_list_walk_safe(segs, segs, nskb) {
		skb_mark_not_on_list(segs);
		qdisc_skb_cb(segs)->pkt_len = segs->len;
		seg_len = segs->len;
		if (mqos_enqueue_one(segs, sch, q, cl, k, now, d, to_free) ==
		    NET_XMIT_SUCCESS) {
			nb++;
			len += seg_len;
		}
	}
	/* Our parents counted one packet of prev_len bytes. */
	if (nb > 0) {
		d->packets += 1 - nb;
		d->bytes += prev_len - len;
	}
	consume_skb(skb);
	return nb > 0 ? NET_XMIT_SUCCESS : NET_XMIT_DROP;
}

static int mqos_enqueue(struct sk_buff *skb, struct Qdisc *sch,
			struct sk_buff **to_free)
{
	struct mqos_sched *q = qdisc_priv(sch);
	struct mqos_enq_drops d = { 0, 0 };
	struct mqos_flow_keys k;
	struct mqos_class *cl;
	struct mqos_pkt pkt;
	bool parsed = false;
	u64 now;
	int ret;

	cl = mqos_sch_classify(sch, q, skb, &pkt, &parsed, &ret);
	if (!cl) {
		if (ret & __NET_XMIT_BYPASS)
			qdisc_qstats_drop(sch);
		__qdisc_drop(skb, to_free);
		return ret;
	}
	now = ktime_get_ns();
	mqos_flow_keys(skb, q->cfg->isolation, parsed ? &pkt : NULL, &k);
	if (skb_is_gso(skb))
		ret = mqos_enqueue_gso(skb, sch, q, cl, &k, now, &d, to_free);
	else
		ret = mqos_enqueue_one(skb, sch, q, cl, &k, now, &d, to_free);
	/*
	 * Packets the parents had counted left again: drops from fat flows,
	 * or a GSO packet that became several. (A count that went up comes
	 * out negative here, which the unsigned arithmetic carries.)
	 */
	if (ret == NET_XMIT_SUCCESS && (d.packets || d.bytes))
		qdisc_tree_reduce_backlog(sch, d.packets, d.bytes);
	return ret;
}

/* ---- scheduler -------------------------------------------------------- */

enum mqos_pass {
	MQOS_PASS_RATE,		/* under the guaranteed rate */
	MQOS_PASS_CEIL,		/* borrowing, under the ceiling */
};

/*
 * Pick the class to send from. Returns NULL when every backlogged class is
 * at its ceiling; *wait is then the time until the first may send.
 */
static struct mqos_class *mqos_pick(struct mqos_sched *q, u64 now,
				    enum mqos_pass *pass, u64 *wait)
{
	struct mqos_class *cl;
	unsigned int p, ready;

	*wait = U64_MAX;

	/* Refill, and serve the first class under its guaranteed rate. */
	for_each_set_bit(p, &q->active_prios, MQOS_NUM_PRIOS) {
		if (list_empty(&q->active[p])) {
			__clear_bit(p, &q->active_prios);
			continue;
		}
		list_for_each_entry(cl, &q->active[p], alist) {
			mqos_tb_refill(&cl->ceil_tb, now);
			if (mqos_tb_unlimited(&cl->rate_tb))
				continue;
			mqos_tb_refill(&cl->rate_tb, now);
			if (mqos_tb_ready(&cl->rate_tb) &&
			    mqos_tb_ready(&cl->ceil_tb)) {
				/* Round robin within the priority. */
				list_move_tail(&cl->alist, &q->active[p]);
				*pass = MQOS_PASS_RATE;
				return cl;
			}
		}
	}

	/* Borrow: first priority with a class under its ceiling, DRR. */
	*pass = MQOS_PASS_CEIL;
	for_each_set_bit(p, &q->active_prios, MQOS_NUM_PRIOS) {
		ready = 0;
		list_for_each_entry(cl, &q->active[p], alist) {
			if (mqos_tb_ready(&cl->ceil_tb))
				ready++;
			else
				*wait = min(*wait, mqos_tb_wait_ns(&cl->ceil_tb));
		}
		if (!ready)
			continue;
		/*
		 * Terminates: at least one class is ready and gains a quantum
		 * (>= MQOS_MIN_QUANTUM) on each visit until its deficit is
		 * positive.
		 */
		for (;;) {
			cl = list_first_entry(&q->active[p], struct mqos_class,
					      alist);
			if (mqos_tb_ready(&cl->ceil_tb) && cl->deficit > 0)
				return cl;
			if (mqos_tb_ready(&cl->ceil_tb))
				cl->deficit += q->cfg->cls[cl->id].quantum;
			list_move_tail(&cl->alist, &q->active[p]);
		}
	}
	return NULL;
}

/*
 * AQM on a packet about to be sent from @cl: true if it was dropped (and
 * freed); an ECT packet in a marking class is marked instead.
 */
static bool mqos_aqm_drop(struct Qdisc *sch, struct mqos_class *cl,
			  struct mqos_aqm *aqm, struct sk_buff *skb,
			  u32 backlog, u64 now, bool ecn)
{
	if (!mqos_aqm_should_drop(aqm, &cl->aqm_p,
				  now - mqos_skb_cb(skb)->tstamp, backlog, now))
		return false;
	if (ecn && INET_ECN_set_ce(skb)) {
		mqos_count(cl, &cl->st.ecn_marks, 1);
		return false;
	}
	mqos_note_drop(sch, cl, skb, MQOS_DROP_AQM);
	qdisc_qstats_drop(sch);
	kfree_skb(skb);
	return true;
}

/*
 * The next packet of a class with flow queues: DRR over its flows (new
 * ones first), each flow with its own AQM, which sees only that flow's
 * backlog, so a sparse flow's lone packet is never dropped by it.
 */
static struct sk_buff *mqos_fq_dequeue(struct Qdisc *sch, struct mqos_sched *q,
				       struct mqos_class *cl, u64 now,
				       unsigned int *drops, unsigned int *dlen,
				       bool *sparse)
{
	bool ecn = q->cfg->cls[cl->id].ecn;
	struct mqos_fq_flow *f;
	struct sk_buff *skb;
	u32 len;
	u16 i;

	while ((i = mqos_fq_next(&cl->fq)) != MQOS_FQ_NONE) {
		f = &cl->fq.flows[i];
		while ((skb = mqos_fq_unlink(f))) {
			len = qdisc_pkt_len(skb);
			mqos_left(sch, q, cl, skb);
			if (!mqos_aqm_drop(sch, cl, &f->aqm, skb,
					   f->backlog - len, now, ecn)) {
				*sparse = f->list == MQOS_FQ_NEW;
				mqos_fq_sent(&cl->fq, i, len);
				return skb;
			}
			mqos_fq_dropped(&cl->fq, i, len);
			(*drops)++;
			*dlen += len;
		}
		mqos_aqm_empty(&f->aqm, &cl->aqm_p, now);
		mqos_fq_emptied(&cl->fq, i);
	}
	return NULL;
}

/*
 * Take the head of @cl, applying AQM; NULL if AQM dropped everything.
 * *sparse tells whether it came from a new (sparse) flow.
 */
static struct sk_buff *mqos_class_dequeue(struct Qdisc *sch,
					  struct mqos_sched *q,
					  struct mqos_class *cl, u64 now,
					  bool *sparse)
{
	bool ecn = q->cfg->cls[cl->id].ecn;
	unsigned int drops = 0, dlen = 0;
	struct sk_buff *skb;
	u32 len;

	if (cl->fq.flows) {
		skb = mqos_fq_dequeue(sch, q, cl, now, &drops, &dlen, sparse);
		goto out;
	}
	while ((skb = __qdisc_dequeue_head(&cl->q))) {
		len = qdisc_pkt_len(skb);
		cl->q.qlen++;	/* mqos_left() counts it */
		mqos_left(sch, q, cl, skb);
		if (!mqos_aqm_drop(sch, cl, &cl->aqm, skb, cl->backlog, now,
				   ecn))
			break;
		drops++;
		dlen += len;
	}
out:
	if (!cl->q.qlen) {
		list_del_init(&cl->alist);
		if (!cl->fq.flows)
			mqos_aqm_empty(&cl->aqm, &cl->aqm_p, now);
	}
	if (drops)
		qdisc_tree_reduce_backlog(sch, drops, dlen);
	return skb;
}

/* Rewrite the DSCP, keeping the ECN bits. */
static void mqos_remark(struct sk_buff *skb, u8 dscp)
{
	int wlen = skb_network_offset(skb);

	switch (skb_protocol(skb, true)) {
	case htons(ETH_P_IP):
		wlen += sizeof(struct iphdr);
		if (!pskb_may_pull(skb, wlen) ||
		    skb_try_make_writable(skb, wlen))
			return;
		ipv4_change_dsfield(ip_hdr(skb), INET_ECN_MASK, dscp << 2);
		break;
	case htons(ETH_P_IPV6):
		wlen += sizeof(struct ipv6hdr);
		if (!pskb_may_pull(skb, wlen) ||
		    skb_try_make_writable(skb, wlen))
			return;
		mqos_ipv6_set_dscp(skb, ipv6_hdr(skb), dscp);
		break;
	default:
		break;
	}
}

/* Most credit a late watchdog may give the device shaper beyond its depth. */
#define MQOS_SHAPER_LATE_NS	(25 * NSEC_PER_MSEC)

static struct sk_buff *mqos_dequeue(struct Qdisc *sch)
{
	struct mqos_sched *q = qdisc_priv(sch);
	const struct mqos_cfg *cfg = q->cfg;
	const struct mqos_class_cfg *cc;
	struct mqos_class *cl;
	bool sparse = false;
	enum mqos_pass pass;
	struct sk_buff *skb;
	u64 now, wait, sojourn;
	u32 wire;

	if (!sch->q.qlen)
		return NULL;
	now = ktime_get_ns();
	if (unlikely(psched_mtu(qdisc_dev(sch)) != q->mtu))
		mqos_mtu_changed(q, psched_mtu(qdisc_dev(sch)));

	/*
	 * Waiting on the device rate with a backlog all along: a watchdog
	 * that fired late loses the rate nothing (emulated or overloaded
	 * hosts wake timers up to tens of ms late). Not in ingress mode:
	 * there the late time's packets would leave at once, their ACKs
	 * return as a burst, and the senders answer with a burst into the
	 * upstream buffer, where nothing sorts it. Running a little below
	 * the rate after a late timer costs little there: the upstream
	 * buffer holds the difference for a moment.
	 */
	if (q->dev_waiting && !cfg->ingress)
		mqos_tb_refill_late(&q->dev_tb, now, MQOS_SHAPER_LATE_NS);
	else
		mqos_tb_refill(&q->dev_tb, now);
	q->dev_waiting = false;
	if (!mqos_tb_ready(&q->dev_tb)) {
		qdisc_watchdog_schedule_ns(&q->watchdog,
					   now + mqos_tb_wait_ns(&q->dev_tb));
		q->dev_waiting = true;
		return NULL;
	}

	do {
		cl = mqos_pick(q, now, &pass, &wait);
		if (!cl) {
			if (wait != U64_MAX)
				qdisc_watchdog_schedule_ns(&q->watchdog,
							   now + wait);
			return NULL;
		}
		skb = mqos_class_dequeue(sch, q, cl, now, &sparse);
	} while (!skb);

	cc = &cfg->cls[cl->id];
	wire = qdisc_pkt_len(skb) + cfg->overhead;
	if (pass == MQOS_PASS_RATE)
		mqos_tb_charge(&cl->rate_tb, wire);
	else
		cl->deficit -= wire;
	mqos_tb_charge(&cl->ceil_tb, wire);
	if (!mqos_tb_ready(&cl->ceil_tb)) {
		mqos_count(cl, &cl->st.overlimits, 1);
		qdisc_qstats_overlimit(sch);
	}
	mqos_tb_charge(&q->dev_tb, wire);
	if (!mqos_tb_ready(&q->dev_tb)) {
		u64_stats_update_begin(&q->syncp);
		q->dev_overlimits++;
		u64_stats_update_end(&q->syncp);
		qdisc_qstats_overlimit(sch);
	}

	sojourn = now - mqos_skb_cb(skb)->tstamp;
	u64_stats_update_begin(&cl->syncp);
	mqos_hist_add(&cl->hist, sojourn);
	if (sparse)
		mqos_hist_add(&cl->sparse_hist, sojourn);
	u64_stats_update_end(&cl->syncp);
	trace_mqos_dequeue(qdisc_dev(sch), skb, cl->id, sojourn, sparse);
	_bstats_update(&cl->bstats, qdisc_pkt_len(skb), 1);
	qdisc_bstats_update(sch, skb);

	if (cc->dscp != MQOS_DSCP_KEEP)
		mqos_remark(skb, cc->dscp);
	return skb;
}

/* ---- configuration (the state side is sch_mqos_cfg.c) ------------------ */

/*
 * Make @new the configuration. Flow queue tables that it needs are
 * allocated first, so that nothing changes if memory runs out; the swap
 * happens under sch_tree_lock, and what it replaced is freed after.
 */
int mqos_commit(struct Qdisc *sch, struct mqos_cfg *new, bool reset_stats)
{
	struct mqos_sched *q = qdisc_priv(sch);
	struct mqos_fq_mem mem[MQOS_MAX_CLASSES + 1] = {};
	struct mqos_cfg *old = q->cfg;
	unsigned int id;
	int err;

	for (id = 1; id <= MQOS_MAX_CLASSES; id++) {
		if (!mqos_fq_rebuild(&q->cls[id], &new->cls[id]) ||
		    !new->cls[id].present || !new->cls[id].flows)
			continue;
		err = mqos_fq_mem_alloc(&mem[id], new->cls[id].flows);
		if (err)
			goto free;
	}

	sch_tree_lock(sch);
	q->cfg = new;
	for (id = 1; id <= MQOS_MAX_CLASSES; id++) {
		struct mqos_class *cl = &q->cls[id];

		if (old->cls[id].present && !new->cls[id].present)
			mqos_purge_class(sch, q, cl);
		if (!old->cls[id].present && new->cls[id].present)
			mqos_reset_class_stats(cl);
		if (mqos_fq_rebuild(cl, &new->cls[id]))
			mqos_fq_swap(sch, q, cl, &mem[id]);
	}
	mqos_apply_cfg(sch, q, ktime_get_ns());
	if (reset_stats) {
		mqos_reset_stats(q);
		gnet_stats_basic_sync_init(&sch->bstats);
		sch->qstats.drops = 0;
		sch->qstats.overlimits = 0;
		sch->qstats.requeues = 0;
	}
	sch_tree_unlock(sch);
	kfree(old);
	/* Tell generic-netlink dumps in progress, as mqosctl's changes do. */
	mqos_ctl_changed(dev_net(qdisc_dev(sch)));
	err = 0;
free:
	/* The tables replaced, or on error the ones never used. */
	for (id = 1; id <= MQOS_MAX_CLASSES; id++)
		mqos_fq_mem_free(&mem[id]);
	if (err)
		kfree(new);
	return err;
}

static int mqos_change(struct Qdisc *sch, struct nlattr *opt,
		       struct netlink_ext_ack *extack)
{
	struct mqos_sched *q = qdisc_priv(sch);
	bool reset_stats = false;
	struct mqos_cfg *new;
	int err;

	new = kmalloc(sizeof(*new), GFP_KERNEL);
	if (!new)
		return -ENOMEM;
	err = mqos_cfg_parse(sch, q->cfg, new, opt, &reset_stats, extack);
	if (err) {
		kfree(new);
		return err;
	}
	err = mqos_commit(sch, new, reset_stats);
	if (err)
		NL_SET_ERR_MSG(extack, "mqos: no memory for the flow queues");
	return err;
}

/* ---- qdisc ops -------------------------------------------------------- */

/*
 * A new qdisc starts with the default classes; options given at creation
 * (`tc qdisc add ... mqos bandwidth 20mbit`) then change them, as a change
 * would: on any error the qdisc is not created.
 */
static int mqos_init(struct Qdisc *sch, struct nlattr *opt,
		     struct netlink_ext_ack *extack)
{
	struct mqos_sched *q = qdisc_priv(sch);
	struct mqos_cfg *defaults;
	unsigned int i;
	int err;

	qdisc_watchdog_init(&q->watchdog, sch);
	for (i = 0; i < MQOS_NUM_PRIOS; i++)
		INIT_LIST_HEAD(&q->active[i]);
	u64_stats_init(&q->syncp);
	err = tcf_block_get(&q->block, &q->filter_list, sch, extack);
	if (err)
		return err;

	q->mtu = psched_mtu(qdisc_dev(sch));
	q->cfg = kzalloc(sizeof(*q->cfg), GFP_KERNEL);
	q->cls = kcalloc(MQOS_MAX_CLASSES + 1, sizeof(*q->cls), GFP_KERNEL);
	if (q->cls)
		mqos_obj_created(MQOS_OBJ_QDISC);
	defaults = kmalloc(sizeof(*defaults), GFP_KERNEL);
	if (!q->cfg || !q->cls || !defaults) {
		kfree(defaults);
		return -ENOMEM;	/* ->destroy() frees what was allocated */
	}

	for (i = 1; i <= MQOS_MAX_CLASSES; i++) {
		struct mqos_class *cl = &q->cls[i];

		cl->id = i;
		INIT_LIST_HEAD(&cl->alist);
		u64_stats_init(&cl->syncp);
		gnet_stats_basic_sync_init(&cl->bstats);
	}
	mqos_cfg_defaults(defaults, q->mtu);
	err = mqos_commit(sch, defaults, false);
	if (err)
		return err;
	if (opt && nla_len(opt) > 0)
		return mqos_change(sch, opt, extack);
	return 0;
}

static void mqos_reset(struct Qdisc *sch)
{
	struct mqos_sched *q = qdisc_priv(sch);
	unsigned int id;

	if (q->cls) {
		for (id = 1; id <= MQOS_MAX_CLASSES; id++) {
			struct mqos_class *cl = &q->cls[id];

			mqos_free_packets(cl);
			list_del_init(&cl->alist);
			mqos_aqm_reset(&cl->aqm);
		}
	}
	sch->q.qlen = 0;
	sch->qstats.backlog = 0;
	q->mem_used = 0;
	q->dev_waiting = false;
	qdisc_watchdog_cancel(&q->watchdog);
}

static void mqos_destroy(struct Qdisc *sch)
{
	struct mqos_sched *q = qdisc_priv(sch);
	unsigned int id;

	qdisc_watchdog_cancel(&q->watchdog);
	tcf_block_put(q->block);
	if (q->cls) {
		for (id = 1; id <= MQOS_MAX_CLASSES; id++) {
			mqos_free_packets(&q->cls[id]);
			mqos_fq_mem_free(&q->cls[id].fqm);
		}
		mqos_obj_destroyed(MQOS_OBJ_QDISC);
	}
	kfree(q->cls);
	kfree(q->cfg);
}

static int mqos_dump(struct Qdisc *sch, struct sk_buff *skb)
{
	struct mqos_sched *q = qdisc_priv(sch);
	struct nlattr *opts;

	opts = nla_nest_start_noflag(skb, TCA_OPTIONS);
	if (!opts)
		return -EMSGSIZE;
	if (mqos_dump_cfg(q, skb) < 0) {
		nla_nest_cancel(skb, opts);
		return -EMSGSIZE;
	}
	return nla_nest_end(skb, opts);
}

static int mqos_dump_stats(struct Qdisc *sch, struct gnet_dump *d)
{
	struct mqos_sched *q = qdisc_priv(sch);

	return mqos_dump_qdisc_xstats(q, d->skb);
}

static struct Qdisc_ops mqos_qdisc_ops __read_mostly = {
	.cl_ops		= &mqos_class_ops,
	.id		= "mqos",
	.priv_size	= sizeof(struct mqos_sched),
	.enqueue	= mqos_enqueue,
	.dequeue	= mqos_dequeue,
	.peek		= qdisc_peek_dequeued,
	.init		= mqos_init,
	.reset		= mqos_reset,
	.destroy	= mqos_destroy,
	.change		= mqos_change,
	.dump		= mqos_dump,
	.dump_stats	= mqos_dump_stats,
	.owner		= THIS_MODULE,
};

int mqos_qdisc_init(void)
{
	return register_qdisc(&mqos_qdisc_ops);
}

void mqos_qdisc_exit(void)
{
	unregister_qdisc(&mqos_qdisc_ops);
}
