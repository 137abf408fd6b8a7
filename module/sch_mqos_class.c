// SPDX-License-Identifier: GPL-2.0
/*
 * The mqos qdisc's class interface (tc class add|change|del|show, tc
 * filters' class binding): every class N is <qdisc major>:N, a leaf with
 * no child qdisc. A class change builds a new configuration from the
 * current one and commits it as the qdisc's change does (sch_mqos.c).
 */
#include <linux/slab.h>
#include <net/pkt_sched.h>
#include <net/sch_generic.h>
#include <uapi/linux/mqos.h>

#include "compat.h"
#include "sch_mqos.h"

static struct Qdisc *mqos_leaf(struct Qdisc *sch, unsigned long cl)
{
	return NULL;
}

static unsigned long mqos_find(struct Qdisc *sch, u32 classid)
{
	struct mqos_sched *q = qdisc_priv(sch);
	u32 id = TC_H_MIN(classid);

	return mqos_class_exists(q->cfg, id) ? id : 0;
}

static int mqos_graft(struct Qdisc *sch, unsigned long cl, struct Qdisc *new,
		      struct Qdisc **old, struct netlink_ext_ack *extack)
{
	NL_SET_ERR_MSG(extack, "mqos classes have no child qdiscs");
	return -EOPNOTSUPP;
}

static void mqos_walk(struct Qdisc *sch, struct qdisc_walker *arg)
{
	struct mqos_sched *q = qdisc_priv(sch);
	unsigned int id;

	if (arg->stop)
		return;
	for (id = 1; id <= MQOS_MAX_CLASSES; id++) {
		if (!q->cfg->cls[id].present)
			continue;
		if (!tc_qdisc_stats_dump(sch, id, arg))
			break;
	}
}

static int mqos_dump_class(struct Qdisc *sch, unsigned long cl,
			   struct sk_buff *skb, struct tcmsg *tcm)
{
	tcm->tcm_parent = TC_H_ROOT;
	tcm->tcm_handle = TC_H_MAKE(sch->handle, cl);
	tcm->tcm_info = 0;
	return 0;
}

static int mqos_dump_class_stats(struct Qdisc *sch, unsigned long id,
				 struct gnet_dump *d)
{
	struct mqos_sched *q = qdisc_priv(sch);
	struct mqos_class *cl = &q->cls[id];
	struct gnet_stats_queue qs = {
		.qlen = READ_ONCE(cl->q.qlen),
		.backlog = READ_ONCE(cl->backlog),
	};
	struct mqos_class_stats st;

	mqos_class_stats_read(cl, &st);
	qs.drops = mqos_class_drops(&st);
	qs.overlimits = st.overlimits;
	if (gnet_stats_copy_basic(d, NULL, &cl->bstats, true) < 0 ||
	    gnet_stats_copy_queue(d, NULL, &qs, qs.qlen) < 0)
		return -1;
	return mqos_dump_class_xstats(q, cl, d->skb);
}

/*
 * `tc class add|change dev X classid 1:N mqos OPTIONS`: TCA_OPTIONS holds
 * TCA_MQOS_CLASS_* attributes; the class is created if it does not exist.
 * rtnetlink notifies the change.
 */
static int mqos_change_class(struct Qdisc *sch, u32 classid, u32 parentid,
			     struct nlattr **tca, unsigned long *arg,
			     struct netlink_ext_ack *extack)
{
	struct mqos_sched *q = qdisc_priv(sch);
	u32 id = TC_H_MIN(classid);
	struct mqos_cfg *new;
	int err;

	if (TC_H_MAJ(classid) != sch->handle || id < 1 ||
	    id > MQOS_MAX_CLASSES) {
		NL_SET_ERR_MSG(extack, "mqos: the classid must be <qdisc major>:1..16");
		return -EINVAL;
	}
	if (parentid != TC_H_ROOT && parentid != sch->handle &&
	    parentid != TC_H_UNSPEC) {
		NL_SET_ERR_MSG(extack, "mqos: classes have no parent class");
		return -EINVAL;
	}
	new = kmalloc(sizeof(*new), GFP_KERNEL);
	if (!new)
		return -ENOMEM;
	err = mqos_cfg_parse_class(sch, q->cfg, new, tca[TCA_OPTIONS], id,
				   false, extack);
	if (err) {
		kfree(new);
		return err;
	}
	err = mqos_commit(sch, new, false);
	if (err) {
		NL_SET_ERR_MSG(extack, "mqos: no memory for the flow queues");
		return err;
	}
	*arg = id;
	return 0;
}

static int mqos_delete_class(struct Qdisc *sch, unsigned long arg,
			     struct netlink_ext_ack *extack)
{
	struct mqos_sched *q = qdisc_priv(sch);
	struct mqos_cfg *new;
	int err;

	if (q->filter_cnt[arg]) {
		NL_SET_ERR_MSG(extack, "mqos: tc filters still send packets to this class");
		return -EBUSY;
	}
	new = kmalloc(sizeof(*new), GFP_KERNEL);
	if (!new)
		return -ENOMEM;
	err = mqos_cfg_parse_class(sch, q->cfg, new, NULL, arg, true, extack);
	if (err) {
		kfree(new);
		return err;
	}
	return mqos_commit(sch, new, false);
}

static struct tcf_block *mqos_tcf_block(struct Qdisc *sch, unsigned long cl,
					struct netlink_ext_ack *extack)
{
	struct mqos_sched *q = qdisc_priv(sch);

	if (cl) {
		NL_SET_ERR_MSG(extack, "mqos: filters attach to the qdisc, not to a class");
		return NULL;
	}
	return q->block;
}

static unsigned long mqos_bind_tcf(struct Qdisc *sch, unsigned long parent,
				   u32 classid)
{
	struct mqos_sched *q = qdisc_priv(sch);
	unsigned long id = mqos_find(sch, classid);

	if (id)
		q->filter_cnt[id]++;
	return id;
}

static void mqos_unbind_tcf(struct Qdisc *sch, unsigned long arg)
{
	struct mqos_sched *q = qdisc_priv(sch);

	if (arg && q->filter_cnt[arg])
		q->filter_cnt[arg]--;
}

const struct Qdisc_class_ops mqos_class_ops = {
	.graft		= mqos_graft,
	.leaf		= mqos_leaf,
	.find		= mqos_find,
	.change		= mqos_change_class,
	.delete		= mqos_delete_class,
	.walk		= mqos_walk,
	.tcf_block	= mqos_tcf_block,
	.bind_tcf	= mqos_bind_tcf,
	.unbind_tcf	= mqos_unbind_tcf,
	.dump		= mqos_dump_class,
	.dump_stats	= mqos_dump_class_stats,
};
