// SPDX-License-Identifier: GPL-2.0
/*
 * The mqos qdisc's enqueue: the packet's class (in the order sch_mqos.c
 * gives), the class's policer, the packet's flow queue, and the limits -
 * the class's packets and bytes, the qdisc's memory - over which the
 * fattest flow loses packets, never the arriving sparse one.
 */
#include <linux/skbuff.h>
#include <net/pkt_sched.h>
#include <net/sch_generic.h>
#include <uapi/linux/mqos.h>

#include "compat.h"
#include "classify.h"
#include "mqos.h"
#include "sch_mqos.h"
#include "mqos_trace.h"

/* ---- classification -------------------------------------------------- */

/*
 * Mark / conntrack verdict: the class the packet's connection earned, kept
 * by the netfilter hook in the conntrack mark (nf_hook.c), read from
 * skb->mark when the skb has no conntrack entry; 0 = no verdict (hook off
 * or in per-packet mode, no class bits in the mark, or no PUBLISH yet).
 */
static u8 mqos_classify_mark(const struct mqos_sched *q,
			     const struct sk_buff *skb)
{
	return mqos_hook_flow_class(&q->mn->hook, skb);
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
		id = mqos_classify_mark(q, skb);
	if (!mqos_class_exists(cfg, id)) {
		/* rules, or the DSCP/MQTT map */
		mqos_classify_skb(q->mn, skb, &res, pkt);
		*parsed = true;
		id = res.class_id;
	}
	if (!mqos_class_exists(cfg, id))
		id = cfg->default_class;
	return &q->cls[id];
}

/* ---- packets in and out of a class's queues ------------------------- */

/*
 * Packets dropped at enqueue that the parents had counted already, and
 * how many of them were the arriving packet (or its GSO segments): those
 * queued by this call, told by their cb's seq and enqueue time.
 */
struct mqos_enq_drops {
	unsigned int packets;
	unsigned int bytes;
	unsigned int own;
	unsigned int linked;		/* packets this call queued */
	unsigned int linked_bytes;
	u32 seq;
	u64 now;			/* the call's enqueue time */
};

/* Append @skb to flow queue @f. */
static void mqos_fq_link(struct mqos_fq_flow *f, struct sk_buff *skb)
{
	skb->next = NULL;
	if (f->tail)
		((struct sk_buff *)f->tail)->next = skb;
	else
		f->head = skb;
	f->tail = skb;
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
		if (mqos_skb_cb(skb)->seq == d->seq &&
		    mqos_skb_cb(skb)->tstamp == d->now)
			d->own++;
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
			    const struct mqos_flow_keys *k,
			    struct mqos_enq_drops *d, struct sk_buff **to_free)
{
	const struct mqos_cfg *cfg = q->cfg;
	const struct mqos_class_cfg *cc = &cfg->cls[cl->id];
	u32 len = qdisc_pkt_len(skb);
	struct mqos_class *victim;

	if (!mqos_tb_police(&cl->police_tb, len + cfg->overhead, d->now)) {
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

	mqos_skb_cb(skb)->tstamp = d->now;
	mqos_skb_cb(skb)->truesize = skb->truesize;
	mqos_skb_cb(skb)->seq = d->seq;
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
	d->linked++;
	d->linked_bytes += len;
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
			    const struct mqos_flow_keys *k,
			    struct mqos_enq_drops *d, struct sk_buff **to_free)
{
	netdev_features_t features = netif_skb_features(skb);
	struct sk_buff *segs, *nskb;

	segs = skb_gso_segment(skb, features & ~NETIF_F_GSO_MASK);
	if (IS_ERR_OR_NULL(segs))
		return mqos_drop(skb, sch, cl, MQOS_DROP_OTHER, to_free);

	skb_list_walk_safe(segs, segs, nskb) {
		skb_mark_not_on_list(segs);
		qdisc_skb_cb(segs)->pkt_len = segs->len;
		mqos_enqueue_one(segs, sch, q, cl, k, d, to_free);
	}
	consume_skb(skb);
	return d->linked ? NET_XMIT_SUCCESS : NET_XMIT_DROP;
}

int mqos_enqueue(struct sk_buff *skb, struct Qdisc *sch,
		 struct sk_buff **to_free)
{
	struct mqos_sched *q = qdisc_priv(sch);
	unsigned int len = qdisc_pkt_len(skb);
	struct mqos_enq_drops d = { 0 };
	struct mqos_flow_keys k;
	struct mqos_class *cl;
	struct mqos_pkt pkt;
	bool parsed = false;
	int ret;

	cl = mqos_sch_classify(sch, q, skb, &pkt, &parsed, &ret);
	if (!cl) {
		if (ret & __NET_XMIT_BYPASS)
			qdisc_qstats_drop(sch);
		__qdisc_drop(skb, to_free);
		return ret;
	}
	d.now = ktime_get_ns();
	d.seq = ++q->enq_seq;
	mqos_flow_keys(skb, q->cfg->isolation, parsed ? &pkt : NULL, &k);
	if (skb_is_gso(skb))
		ret = mqos_enqueue_gso(skb, sch, q, cl, &k, &d, to_free);
	else
		ret = mqos_enqueue_one(skb, sch, q, cl, &k, &d, to_free);
	if (ret != NET_XMIT_SUCCESS)
		return ret;
	/*
	 * What arrived was queued and dropped again (a flow or memory limit
	 * below one packet): not a success, or a parent would count, and
	 * activate its class for, a packet that is gone (as fq_codel does).
	 * The parents never count it, so only the other drops leave them.
	 */
	if (d.own == d.linked) {
		if (d.packets > d.own)
			qdisc_tree_reduce_backlog(sch, d.packets - d.own,
						  d.bytes - d.linked_bytes);
		return NET_XMIT_CN;
	}
	/*
	 * Packets the parents had counted left again: drops from fat flows,
	 * or a GSO packet that became several. (A count that went up comes
	 * out negative here, which the unsigned arithmetic carries.)
	 */
	d.packets += 1 - d.linked;
	d.bytes += len - d.linked_bytes;
	if (d.packets || d.bytes)
		qdisc_tree_reduce_backlog(sch, d.packets, d.bytes);
	return NET_XMIT_SUCCESS;
}
