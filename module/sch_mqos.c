// SPDX-License-Identifier: GPL-2.0
/*
 * The "mqos" qdisc: priority classes with per-class policing, shaping and
 * AQM, a device rate limit, and delay/jitter/loss counters per class.
 *
 * This file has the qdisc's rules (below), its configuration swap and its
 * ops; the datapath is sch_mqos_enqueue.c (classes, policers, flow
 * queues, limits) and sch_mqos_dequeue.c (shaper, scheduler, AQM).
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
#include <linux/skbuff.h>
#include <net/pkt_sched.h>
#include <net/sch_generic.h>
#include <uapi/linux/mqos.h>

#include "mqos.h"
#include "debug.h"
#include "sch_mqos.h"

#define CREATE_TRACE_POINTS
#include "mqos_trace.h"

/* ---- drops (both sides of the datapath) ------------------------------ */

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
void mqos_note_drop(struct Qdisc *sch, struct mqos_class *cl,
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

	q->mn = mqos_pernet(dev_net(qdisc_dev(sch)));
	q->mtu = psched_mtu(qdisc_dev(sch));
	q->cfg = kzalloc(sizeof(*q->cfg), GFP_KERNEL);
	q->cls = kcalloc(MQOS_MAX_CLASSES + 1, sizeof(*q->cls), GFP_KERNEL);
	if (q->cls) {
		mqos_obj_created(MQOS_OBJ_QDISC);
		/*
		 * Before anything can fail: a default qdisc whose init fails
		 * is reset before it is destroyed (qdisc_create_dflt() ->
		 * qdisc_put()), and ->reset() walks the classes' lists.
		 */
		for (i = 1; i <= MQOS_MAX_CLASSES; i++) {
			struct mqos_class *cl = &q->cls[i];

			cl->id = i;
			INIT_LIST_HEAD(&cl->alist);
			u64_stats_init(&cl->syncp);
			gnet_stats_basic_sync_init(&cl->bstats);
		}
	}
	defaults = kmalloc(sizeof(*defaults), GFP_KERNEL);
	if (!q->cfg || !q->cls || !defaults) {
		kfree(defaults);
		return -ENOMEM;	/* ->destroy() frees what was allocated */
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
