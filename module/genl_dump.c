// SPDX-License-Identifier: GPL-2.0
/*
 * The read side of the device and class commands of the "mqos" family:
 * DEV_GET, CLASS_GET (one or a dump, optionally of one device) and the
 * STATS_GET dump (netns counters, then every device with its classes,
 * then the rules). A qdisc's configuration is read under RTNL, its
 * counters and the rules under RCU; a dump that resumes after a change
 * is marked NLM_F_DUMP_INTR (mqos_dump_seq).
 */
#include <linux/kernel.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/genetlink.h>
#include <net/sock.h>
#include <net/pkt_sched.h>
#include <net/sch_generic.h>
#include <uapi/linux/mqos.h>

#include "mqos.h"
#include "genl.h"
#include "sch_mqos.h"

/* ---- replies ------------------------------------------------------------ */

/*
 * Start a reply or dump message of @cmd about @dev: the header, the dump's
 * consistency mark (@cb NULL for a reply) and the device's identity.
 * NULL when @skb is full, with nothing of the message left in it.
 */
static void *mqos_msg_start(struct sk_buff *skb, struct net_device *dev,
			    u32 portid, u32 seq, int flags, u8 cmd,
			    struct netlink_callback *cb)
{
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &mqos_genl_family, flags, cmd);
	if (!hdr)
		return NULL;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	if (nla_put_u32(skb, MQOS_A_IFINDEX, dev->ifindex) ||
	    nla_put_string(skb, MQOS_A_IFNAME, dev->name)) {
		genlmsg_cancel(skb, hdr);
		return NULL;
	}
	return hdr;
}

/* Device message: identity and the whole configuration. RTNL. */
static int mqos_fill_dev(struct sk_buff *skb, struct net_device *dev,
			 struct Qdisc *sch, u32 portid, u32 seq, int flags,
			 struct netlink_callback *cb)
{
	struct mqos_net *mn = mqos_pernet(dev_net(dev));
	struct nlattr *nest;
	void *hdr;

	hdr = mqos_msg_start(skb, dev, portid, seq, flags, MQOS_CMD_DEV_GET,
			     cb);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, MQOS_A_GENERATION, atomic_read(&mn->ctl.gen)))
		goto cancel;
	nest = nla_nest_start(skb, MQOS_A_QDISC);
	if (!nest || mqos_dump_cfg(qdisc_priv(sch), skb))
		goto cancel;
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/* Class @id's TCA_MQOS_CLASS_* nest in @cfg, the qdisc's own dump. */
static const struct nlattr *mqos_cfg_class(const struct sk_buff *cfg, u8 id)
{
	const struct nlattr *a, *c, *cid;
	int rem, crem;

	nla_for_each_attr(a, (struct nlattr *)cfg->data, cfg->len, rem) {
		if (nla_type(a) != TCA_MQOS_CLASSES)
			continue;
		nla_for_each_nested(c, a, crem) {
			cid = nla_find_nested(c, TCA_MQOS_CLASS_ID);
			if (cid && nla_get_u8(cid) == id)
				return c;
		}
	}
	return NULL;
}

/* Class message: identity and the class's configuration. */
static int mqos_fill_class(struct sk_buff *skb, struct net_device *dev,
			   const struct sk_buff *cfg, u8 id, u32 portid,
			   u32 seq, int flags, struct netlink_callback *cb)
{
	const struct nlattr *c = mqos_cfg_class(cfg, id);
	void *hdr;

	if (!c)
		return 0;
	hdr = mqos_msg_start(skb, dev, portid, seq, flags, MQOS_CMD_CLASS_GET,
			     cb);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put(skb, MQOS_A_CLASS | NLA_F_NESTED, nla_len(c), nla_data(c))) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* The qdisc's configuration dump into a scratch buffer. RTNL. */
static struct sk_buff *mqos_cfg_snapshot(struct Qdisc *sch)
{
	struct sk_buff *cfg = alloc_skb(NLMSG_GOODSIZE, GFP_KERNEL);

	if (cfg && mqos_dump_cfg(qdisc_priv(sch), cfg)) {
		kfree_skb(cfg);
		return NULL;
	}
	return cfg;
}

/* Statistics of the device as a whole. RTNL. */
static int mqos_fill_dev_stats(struct sk_buff *skb, struct net_device *dev,
			       struct Qdisc *sch, u32 portid, u32 seq,
			       struct netlink_callback *cb)
{
	const struct mqos_sched *q = qdisc_priv(sch);
	u64 bytes, packets;
	unsigned int start;
	void *hdr;

	do {
		start = u64_stats_fetch_begin(&sch->bstats.syncp);
		bytes = u64_stats_read(&sch->bstats.bytes);
		packets = u64_stats_read(&sch->bstats.packets);
	} while (u64_stats_fetch_retry(&sch->bstats.syncp, start));

	hdr = mqos_msg_start(skb, dev, portid, seq, NLM_F_MULTI,
			     MQOS_CMD_STATS_GET, cb);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, MQOS_A_DEV_RATE, q->cfg->rate, MQOS_A_PAD) ||
	    nla_put_u64_64bit(skb, MQOS_A_DEV_OVERLIMITS,
			      mqos_dev_overlimits(q), MQOS_A_PAD) ||
	    nla_put_u64_64bit(skb, MQOS_A_SENT_PACKETS, packets, MQOS_A_PAD) ||
	    nla_put_u64_64bit(skb, MQOS_A_SENT_BYTES, bytes, MQOS_A_PAD) ||
	    nla_put_u64_64bit(skb, MQOS_A_DROPS, READ_ONCE(sch->qstats.drops),
			      MQOS_A_PAD) ||
	    nla_put_u32(skb, MQOS_A_BACKLOG, READ_ONCE(sch->q.qlen))) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* Statistics of one class: the qdisc's TCA_STATS_APP, renamed. RTNL. */
static int mqos_fill_class_stats(struct sk_buff *skb, struct net_device *dev,
				 struct Qdisc *sch, u8 id, u32 portid, u32 seq,
				 struct netlink_callback *cb)
{
	struct mqos_sched *q = qdisc_priv(sch);
	struct nlattr *app;
	void *hdr;

	hdr = mqos_msg_start(skb, dev, portid, seq, NLM_F_MULTI,
			     MQOS_CMD_STATS_GET, cb);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u8(skb, MQOS_A_CLASS_ID, id))
		goto cancel;
	app = (struct nlattr *)skb_tail_pointer(skb);
	if (mqos_dump_class_xstats(q, &q->cls[id], skb))
		goto cancel;
	app->nla_type = MQOS_A_XSTATS | NLA_F_NESTED;
	genlmsg_end(skb, hdr);
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/* ---- GET commands and dumps --------------------------------------------- */

/* Where a dump stopped; in cb->ctx. */
struct mqos_dump_ctx {
	u32 ifindex;	/* filter, 0 = every device */
	u32 phase;	/* STATS_GET: 0 netns, 1 devices, 2 rules, 3 done */
	u32 dev;	/* position in the netns' device list */
	u32 cls;	/* next class of that device; 0 = device message */
	u32 rule;	/* next rule */
};

static struct mqos_dump_ctx *mqos_dump_ctx(struct netlink_callback *cb)
{
	BUILD_BUG_ON(sizeof(struct mqos_dump_ctx) > sizeof(cb->ctx));
	return (struct mqos_dump_ctx *)cb->ctx;
}

static struct nlattr **mqos_dump_attrs(struct netlink_callback *cb)
{
#ifdef MQOS_HAVE_GENL_INFO_DUMP
	return genl_info_dump(cb)->attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

/* .start of the dumps that take an optional device filter. */
int mqos_nl_dump_start(struct netlink_callback *cb)
{
	struct mqos_dump_ctx *ctx = mqos_dump_ctx(cb);
	struct nlattr **attrs = mqos_dump_attrs(cb);
	struct net_device *dev;
	struct Qdisc *sch;

	memset(ctx, 0, sizeof(*ctx));
	if (!attrs || (!attrs[MQOS_A_IFINDEX] && !attrs[MQOS_A_IFNAME]))
		return 0;
	rtnl_lock();
	sch = mqos_nl_find(sock_net(cb->skb->sk), attrs, NULL, &dev,
			   cb->extack);
	if (!IS_ERR(sch))
		ctx->ifindex = dev->ifindex;
	rtnl_unlock();
	return PTR_ERR_OR_ZERO(sch);
}

int mqos_nl_dev_get(struct sk_buff *skb, struct genl_info *info)
{
	struct net_device *dev;
	struct sk_buff *msg;
	struct Qdisc *sch;
	int err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	rtnl_lock();
	sch = mqos_nl_find(genl_info_net(info), info->attrs, NULL, &dev,
			   info->extack);
	err = PTR_ERR_OR_ZERO(sch);
	if (!err)
		err = mqos_fill_dev(msg, dev, sch, info->snd_portid,
				    info->snd_seq, 0, NULL);
	rtnl_unlock();
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/*
 * Walk the mqos devices of the dump's netns from where the last part
 * stopped, calling @fill for each, under RTNL. Returns 0 once every device
 * is done; otherwise what a dumpit returns to be called again: skb->len,
 * or @fill's error if not even one message fit.
 */
static int mqos_dump_devs(struct sk_buff *skb, struct netlink_callback *cb,
			  int (*fill)(struct sk_buff *skb,
				      struct net_device *dev,
				      struct Qdisc *sch,
				      struct netlink_callback *cb))
{
	struct mqos_dump_ctx *ctx = mqos_dump_ctx(cb);
	struct net *net = sock_net(skb->sk);
	struct net_device *dev;
	struct Qdisc *sch;
	u32 idx = 0;
	int err = 0;

	rtnl_lock();
	cb->seq = mqos_dump_seq(net);
	for_each_netdev(net, dev) {
		if (idx++ < ctx->dev)
			continue;
		sch = mqos_dev_qdisc(dev);
		if (sch && (!ctx->ifindex || ctx->ifindex == dev->ifindex)) {
			err = fill(skb, dev, sch, cb);
			if (err)
				break;
		}
		ctx->dev = idx;
		ctx->cls = 0;
	}
	rtnl_unlock();
	if (!err)
		return 0;
	return skb->len ?: err;
}

static int mqos_dump_dev_one(struct sk_buff *skb, struct net_device *dev,
			     struct Qdisc *sch, struct netlink_callback *cb)
{
	return mqos_fill_dev(skb, dev, sch, NETLINK_CB(cb->skb).portid,
			     cb->nlh->nlmsg_seq, NLM_F_MULTI, cb);
}

int mqos_nl_dev_get_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	return mqos_dump_devs(skb, cb, mqos_dump_dev_one) ?: skb->len;
}

static int mqos_dump_class_one(struct sk_buff *skb, struct net_device *dev,
			       struct Qdisc *sch, struct netlink_callback *cb)
{
	struct mqos_dump_ctx *ctx = mqos_dump_ctx(cb);
	struct sk_buff *cfg = mqos_cfg_snapshot(sch);
	int err = 0;

	if (!cfg)
		return -ENOMEM;
	for (ctx->cls = max(ctx->cls, 1U); ctx->cls <= MQOS_MAX_CLASSES;
	     ctx->cls++) {
		err = mqos_fill_class(skb, dev, cfg, ctx->cls,
				      NETLINK_CB(cb->skb).portid,
				      cb->nlh->nlmsg_seq, NLM_F_MULTI, cb);
		if (err)
			break;
	}
	kfree_skb(cfg);
	return err;
}

int mqos_nl_class_get_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	return mqos_dump_devs(skb, cb, mqos_dump_class_one) ?: skb->len;
}

int mqos_nl_class_get(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *a = info->attrs[MQOS_A_CLASS_ID];
	struct sk_buff *msg, *cfg = NULL;
	struct net_device *dev;
	struct Qdisc *sch;
	int err;

	if (!a) {
		NL_SET_ERR_MSG(info->extack, "MQOS_A_CLASS_ID is required");
		return -EINVAL;
	}
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	rtnl_lock();
	sch = mqos_nl_find(genl_info_net(info), info->attrs, NULL, &dev,
			   info->extack);
	err = PTR_ERR_OR_ZERO(sch);
	if (!err) {
		cfg = mqos_cfg_snapshot(sch);
		err = cfg ? 0 : -ENOMEM;
	}
	if (!err && !mqos_cfg_class(cfg, nla_get_u8(a))) {
		NL_SET_ERR_MSG_ATTR(info->extack, a, "no such class");
		err = -ENOENT;
	}
	if (!err)
		err = mqos_fill_class(msg, dev, cfg, nla_get_u8(a),
				      info->snd_portid, info->snd_seq, 0, NULL);
	rtnl_unlock();
	kfree_skb(cfg);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

static int mqos_dump_stats_one(struct sk_buff *skb, struct net_device *dev,
			       struct Qdisc *sch, struct netlink_callback *cb)
{
	struct mqos_dump_ctx *ctx = mqos_dump_ctx(cb);
	const struct mqos_sched *q = qdisc_priv(sch);
	u32 portid = NETLINK_CB(cb->skb).portid;
	u32 seq = cb->nlh->nlmsg_seq;
	int err;

	if (!ctx->cls) {
		err = mqos_fill_dev_stats(skb, dev, sch, portid, seq, cb);
		if (err)
			return err;
		ctx->cls = 1;
	}
	for (; ctx->cls <= MQOS_MAX_CLASSES; ctx->cls++) {
		if (!q->cfg->cls[ctx->cls].present)
			continue;
		err = mqos_fill_class_stats(skb, dev, sch, ctx->cls, portid,
					    seq, cb);
		if (err)
			return err;
	}
	return 0;
}

static int mqos_fill_netns_stats(struct sk_buff *skb,
				 struct netlink_callback *cb)
{
	struct mqos_net *mn = mqos_pernet(sock_net(skb->sk));
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &mqos_genl_family, NLM_F_MULTI, MQOS_CMD_STATS_GET);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(cb, hdr);
	if (nla_put_u64_64bit(skb, MQOS_A_MALFORMED,
			      atomic64_read(&mn->rules.malformed), MQOS_A_PAD) ||
	    nla_put_u32(skb, MQOS_A_GENERATION, atomic_read(&mn->ctl.gen))) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

int mqos_nl_stats_get_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct mqos_dump_ctx *ctx = mqos_dump_ctx(cb);
	int err = 0;

	if (ctx->phase == 0) {
		if (!ctx->ifindex) {
			cb->seq = mqos_dump_seq(sock_net(skb->sk));
			if (mqos_fill_netns_stats(skb, cb))
				return skb->len;
		}
		ctx->phase = 1;
	}
	if (ctx->phase == 1) {
		err = mqos_dump_devs(skb, cb, mqos_dump_stats_one);
		if (err)
			return err;
		ctx->phase = ctx->ifindex ? 3 : 2;
	}
	if (ctx->phase == 2 &&
	    mqos_rules_dump(skb, cb, MQOS_CMD_STATS_GET, &ctx->rule))
		ctx->phase = 3;
	return skb->len;
}

