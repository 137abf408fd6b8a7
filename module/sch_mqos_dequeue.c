// SPDX-License-Identifier: GPL-2.0
/*
 * The mqos qdisc's dequeue: the device shaper, the scheduler over the
 * classes (guaranteed rates first, then ceilings; sch_mqos.c has the
 * rules), DRR over the picked class's flow queues with each flow's AQM,
 * then the packet's counters and its DSCP remark.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/skbuff.h>
#include <net/dsfield.h>
#include <net/inet_ecn.h>
#include <net/pkt_sched.h>
#include <net/sch_generic.h>
#include <uapi/linux/mqos.h>

#include "dsfield.h"
#include "sch_mqos.h"
#include "mqos_trace.h"

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

/* mqos_dequeue() with at least one packet queued. */
static noinline struct sk_buff *mqos_dequeue_backlog(struct Qdisc *sch)
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

/*
 * The stack calls dequeue once more after every packet it takes, to find
 * the qdisc empty: that call costs one test, not the frame of the above.
 */
struct sk_buff *mqos_dequeue(struct Qdisc *sch)
{
	return sch->q.qlen ? mqos_dequeue_backlog(sch) : NULL;
}
