// SPDX-License-Identifier: GPL-2.0
/*
 * The "mqos" qdisc.
 *
 * Foundation stage: a single FIFO class (1:1) with a packet limit and
 * correct counters, so that `tc -s qdisc show` and `tc -s class show` work
 * with stock iproute2. The priority classes, policers, shapers and AQM
 * replace this FIFO in a later change.
 */
#include <linux/module.h>
#include <linux/skbuff.h>
#include <net/pkt_sched.h>
#include <net/sch_generic.h>
#include <uapi/linux/mqos.h>

#include "mqos.h"

struct mqos_sched {
	u32 limit;	/* packets */
};

static int mqos_enqueue(struct sk_buff *skb, struct Qdisc *sch,
			struct sk_buff **to_free)
{
	struct mqos_sched *q = qdisc_priv(sch);

	if (likely(sch->q.qlen < READ_ONCE(q->limit)))
		return qdisc_enqueue_tail(skb, sch);

	return qdisc_drop(skb, sch, to_free);
}

static struct sk_buff *mqos_dequeue(struct Qdisc *sch)
{
	return qdisc_dequeue_head(sch);
}

static struct sk_buff *mqos_peek(struct Qdisc *sch)
{
	return qdisc_peek_head(sch);
}

static int mqos_init_qdisc(struct Qdisc *sch, struct nlattr *opt,
			   struct netlink_ext_ack *extack)
{
	struct mqos_sched *q = qdisc_priv(sch);

	if (opt && nla_len(opt) > 0) {
		NL_SET_ERR_MSG(extack, "mqos takes no options yet");
		return -EINVAL;
	}
	q->limit = MQOS_DEFAULT_LIMIT_PKTS;
	return 0;
}

static void mqos_reset(struct Qdisc *sch)
{
	qdisc_reset_queue(sch);
}

static int mqos_dump(struct Qdisc *sch, struct sk_buff *skb)
{
	struct nlattr *opts;

	opts = nla_nest_start_noflag(skb, TCA_OPTIONS);
	if (!opts)
		return -EMSGSIZE;
	return nla_nest_end(skb, opts);
}

/* Class ops: one class, 1:1, whose counters are the qdisc's. */

static struct Qdisc *mqos_leaf(struct Qdisc *sch, unsigned long cl)
{
	return NULL;
}

static unsigned long mqos_find(struct Qdisc *sch, u32 classid)
{
	return TC_H_MIN(classid) == 1 ? 1 : 0;
}

static int mqos_graft(struct Qdisc *sch, unsigned long cl, struct Qdisc *new,
		      struct Qdisc **old, struct netlink_ext_ack *extack)
{
	NL_SET_ERR_MSG(extack, "mqos classes cannot be grafted");
	return -EOPNOTSUPP;
}

static void mqos_walk(struct Qdisc *sch, struct qdisc_walker *arg)
{
	if (arg->stop)
		return;
	tc_qdisc_stats_dump(sch, 1, arg);
}

static int mqos_dump_class(struct Qdisc *sch, unsigned long cl,
			   struct sk_buff *skb, struct tcmsg *tcm)
{
	tcm->tcm_parent = TC_H_ROOT;
	tcm->tcm_handle = TC_H_MAKE(sch->handle, cl);
	tcm->tcm_info = 0;
	return 0;
}

static int mqos_dump_class_stats(struct Qdisc *sch, unsigned long cl,
				 struct gnet_dump *d)
{
	struct gnet_stats_queue qs = {
		.qlen = sch->q.qlen,
		.backlog = sch->qstats.backlog,
		.drops = sch->qstats.drops,
		.overlimits = sch->qstats.overlimits,
	};

	if (gnet_stats_copy_basic(d, NULL, &sch->bstats, true) < 0 ||
	    gnet_stats_copy_queue(d, NULL, &qs, qs.qlen) < 0)
		return -1;
	return 0;
}

static const struct Qdisc_class_ops mqos_class_ops = {
	.graft		= mqos_graft,
	.leaf		= mqos_leaf,
	.find		= mqos_find,
	.walk		= mqos_walk,
	.dump		= mqos_dump_class,
	.dump_stats	= mqos_dump_class_stats,
};

static struct Qdisc_ops mqos_qdisc_ops __read_mostly = {
	.cl_ops		= &mqos_class_ops,
	.id		= "mqos",
	.priv_size	= sizeof(struct mqos_sched),
	.enqueue	= mqos_enqueue,
	.dequeue	= mqos_dequeue,
	.peek		= mqos_peek,
	.init		= mqos_init_qdisc,
	.reset		= mqos_reset,
	.dump		= mqos_dump,
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
