// SPDX-License-Identifier: GPL-2.0
/*
 * Device and class commands of the "mqos" family that change something:
 * the check and replace of a whole configuration, STATS_RESET (DEV_SET,
 * CLASS_SET and CLASS_DEL are retired: rtnetlink changes qdiscs). The
 * replies and dumps are in genl_dump.c.
 *
 * Configuration is judged by the qdisc's own parser: a command becomes a
 * TCA_OPTIONS-like nest of TCA_MQOS_* attributes that is handed to the
 * qdisc's parser (or, for STATS_RESET, its ->change()) under RTNL, so tc
 * and mqosctl cannot disagree about what is valid. Where the kernel has to
 * build that nest (CONFIG_REPLACE adds the deletion of the classes that
 * are not listed), the user's attributes are copied into it and an extack
 * pointing into the copy is mapped back to the request: netlink_ack() only
 * reports offsets inside the request (and warns about anything else).
 */
#include <linux/kernel.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/sock.h>
#include <net/pkt_sched.h>
#include <net/sch_generic.h>
#include <uapi/linux/mqos.h>

#include "mqos.h"
#include "genl.h"
#include "sch_mqos.h"

#define MQOS_REPLACE_MAX_DEVS	64

/* ---- devices ------------------------------------------------------------ */

struct Qdisc *mqos_dev_qdisc(struct net_device *dev)
{
	struct Qdisc *sch = rcu_dereference_rtnl(dev->qdisc);

	if (!sch || !sch->ops || sch->ops->owner != THIS_MODULE ||
	    strcmp(sch->ops->id, "mqos"))
		return NULL;
	return sch;
}

struct Qdisc *mqos_nl_find(struct net *net, struct nlattr **tb,
			   const struct nlattr *where, struct net_device **devp,
			   struct netlink_ext_ack *extack)
{
	struct net_device *dev = NULL;
	const struct nlattr *a;
	struct Qdisc *sch;

	if (tb[MQOS_A_IFINDEX]) {
		a = tb[MQOS_A_IFINDEX];
		dev = __dev_get_by_index(net, nla_get_u32(a));
	} else if (tb[MQOS_A_IFNAME]) {
		a = tb[MQOS_A_IFNAME];
		dev = __dev_get_by_name(net, nla_data(a));
	} else {
		NL_SET_ERR_MSG_ATTR(extack, where,
				    "MQOS_A_IFINDEX or MQOS_A_IFNAME is required");
		return ERR_PTR(-EINVAL);
	}
	if (!dev) {
		NL_SET_ERR_MSG_ATTR(extack, a, "no such device");
		return ERR_PTR(-ENODEV);
	}
	sch = mqos_dev_qdisc(dev);
	if (!sch) {
		NL_SET_ERR_MSG_ATTR(extack, a, "no mqos qdisc on this device");
		mqos_extack_prefix(extack, dev->name);
		return ERR_PTR(-ENOENT);
	}
	*devp = dev;
	return sch;
}

/* ---- building a TCA_OPTIONS nest for the qdisc ------------------------- */

#define MQOS_TCA_MAP	8

struct mqos_tca {
	struct sk_buff *skb;
	struct nlattr *opts;
	struct nlattr *classes;
	const struct nlattr *blame;	/* for what was built here */
	unsigned int nmap;
	struct {
		const u8 *src;		/* in the request */
		u32 off, len;		/* in skb */
	} map[MQOS_TCA_MAP];
};

static int mqos_tca_start(struct mqos_tca *b, u32 payload,
			  const struct nlattr *blame)
{
	memset(b, 0, sizeof(*b));
	b->blame = blame;
	b->skb = alloc_skb(payload + 1024, GFP_KERNEL);
	if (!b->skb)
		return -ENOMEM;
	b->opts = nla_nest_start(b->skb, TCA_OPTIONS);
	return b->opts ? 0 : -EMSGSIZE;
}

static void mqos_tca_free(struct mqos_tca *b)
{
	kfree_skb(b->skb);
	b->skb = NULL;
}

/* Copy @len bytes of the request at @src into the nest, remembered. */
static int mqos_tca_copy(struct mqos_tca *b, const void *src, u32 len)
{
	u8 *p;

	if (b->nmap == MQOS_TCA_MAP || skb_tailroom(b->skb) < NLA_ALIGN(len))
		return -EMSGSIZE;
	b->map[b->nmap].src = src;
	b->map[b->nmap].off = b->skb->len;
	b->map[b->nmap].len = len;
	b->nmap++;
	p = skb_put_zero(b->skb, NLA_ALIGN(len));
	memcpy(p, src, len);
	return 0;
}

static void mqos_tca_end(struct mqos_tca *b)
{
	if (b->classes)
		nla_nest_end(b->skb, b->classes);
	b->classes = NULL;
	nla_nest_end(b->skb, b->opts);
}

static const struct nlattr *mqos_tca_map(const struct mqos_tca *b,
					 const struct nlattr *a)
{
	const u8 *p = (const u8 *)a, *data = b->skb->data;
	unsigned int i;
	u32 off;

	if (!a || p < data || p > data + b->skb->len)
		return a;
	off = p - data;
	for (i = 0; i < b->nmap; i++)
		if (off >= b->map[i].off && off < b->map[i].off + b->map[i].len)
			return (const void *)(b->map[i].src + off - b->map[i].off);
	return b->blame;
}

/* Point the extack at the request again (see the top of the file). */
static void mqos_tca_fix_extack(const struct mqos_tca *b,
				struct netlink_ext_ack *extack)
{
	if (!extack)
		return;
	extack->bad_attr = mqos_tca_map(b, extack->bad_attr);
	extack->miss_nest = mqos_tca_map(b, extack->miss_nest);
}

/* Add {ID, DELETE} for every class @sch has now. */
static int mqos_tca_delete_all(struct mqos_tca *b, struct Qdisc *sch)
{
	const struct mqos_sched *q = qdisc_priv(sch);
	struct nlattr *c;
	unsigned int id;

	for (id = 1; id <= MQOS_MAX_CLASSES; id++) {
		if (!q->cfg->cls[id].present)
			continue;
		c = nla_nest_start(b->skb, TCA_MQOS_CLASSES_CLASS);
		if (!c || nla_put_u8(b->skb, TCA_MQOS_CLASS_ID, id) ||
		    nla_put_flag(b->skb, TCA_MQOS_CLASS_DELETE))
			return -EMSGSIZE;
		nla_nest_end(b->skb, c);
	}
	return 0;
}

/* Hand the nest to the qdisc, as `tc qdisc change` would. RTNL. */
static int mqos_tca_apply(struct mqos_tca *b, struct Qdisc *sch,
			  struct netlink_ext_ack *extack)
{
	int err = sch->ops->change(sch, b->opts, extack);

	mqos_tca_fix_extack(b, extack);
	return err;
}

/* Validate the nest as ->change() would, changing nothing. RTNL. */
static int mqos_tca_check(struct mqos_tca *b, struct Qdisc *sch,
			  struct netlink_ext_ack *extack)
{
	struct mqos_sched *q = qdisc_priv(sch);
	struct mqos_cfg *cfg;
	bool reset;
	int err;

	cfg = kmalloc(sizeof(*cfg), GFP_KERNEL);
	if (!cfg)
		return -ENOMEM;
	err = mqos_cfg_parse(sch, q->cfg, cfg, b->opts, &reset, extack);
	mqos_tca_fix_extack(b, extack);
	kfree(cfg);
	return err;
}

/* ---- DEV_SET, CLASS_SET, CLASS_DEL: retired ----------------------------- */

/*
 * A qdisc's configuration changes on one path, rtnetlink (RTM_NEWQDISC,
 * RTM_NEWTCLASS, RTM_DELTCLASS), which notifies every change; these
 * commands changed it behind rtnetlink's back, unnotified.
 */
int mqos_nl_dev_change_retired(struct sk_buff *skb, struct genl_info *info)
{
	NL_SET_ERR_MSG(info->extack,
		       "device and class changes go through rtnetlink (tc qdisc/class change, mqosctl dev/class set)");
	return -EOPNOTSUPP;
}

/* What CONFIG_REPLACE takes inside MQOS_A_QDISC. */
static const struct nla_policy mqos_replace_policy[TCA_MQOS_MAX + 1] = {
	[TCA_MQOS_RATE]		 = { .type = NLA_U64 },
	[TCA_MQOS_OVERHEAD]	 = { .type = NLA_U32 },
	[TCA_MQOS_DEFAULT_CLASS] = { .type = NLA_U8 },
	[TCA_MQOS_CLASSES]	 = { .type = NLA_NESTED },
	[TCA_MQOS_ISOLATION]	 = { .type = NLA_U8 },
	[TCA_MQOS_MEMORY_LIMIT]	 = { .type = NLA_U32 },
	[TCA_MQOS_INGRESS]	 = NLA_POLICY_MAX(NLA_U8, 1),
};

/* ---- CONFIG_REPLACE ----------------------------------------------------- */

static const struct nla_policy mqos_device_policy[MQOS_A_MAX + 1] = {
	[MQOS_A_IFINDEX] = { .type = NLA_U32 },
	[MQOS_A_IFNAME]	 = { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[MQOS_A_QDISC]	 = { .type = NLA_NESTED },
};

struct mqos_replace_dev {
	struct Qdisc *sch;
	struct mqos_tca b;
};

/* Build device @d's nest (replace semantics, see the UAPI header). RTNL. */
static int mqos_replace_prepare(struct net *net, struct nlattr *d,
				struct mqos_replace_dev *rd,
				const struct mqos_replace_dev *done,
				unsigned int ndone,
				struct netlink_ext_ack *extack)
{
	struct nlattr *tb[MQOS_A_MAX + 1], *qtb[TCA_MQOS_MAX + 1];
	struct net_device *dev;
	struct nlattr *a, *q;
	unsigned int i;
	int err, rem;

	err = nla_parse_nested(tb, MQOS_A_MAX, d, mqos_device_policy, extack);
	if (err)
		return err;
	rd->sch = mqos_nl_find(net, tb, d, &dev, extack);
	if (IS_ERR(rd->sch))
		return PTR_ERR(rd->sch);
	for (i = 0; i < ndone; i++) {
		if (done[i].sch == rd->sch) {
			NL_SET_ERR_MSG_ATTR(extack, d, "device given twice");
			return -EINVAL;
		}
	}
	q = tb[MQOS_A_QDISC];
	if (!q) {
		NL_SET_ERR_MSG_ATTR(extack, d,
				    "MQOS_A_QDISC is required in MQOS_A_DEVICE");
		return -EINVAL;
	}
	err = nla_parse_nested(qtb, TCA_MQOS_MAX, q, mqos_replace_policy,
			       extack);
	if (err)
		return err;

	err = mqos_tca_start(&rd->b, nla_len(q), q);
	if (err)
		return err;
	nla_for_each_nested(a, q, rem) {
		if (nla_type(a) == TCA_MQOS_CLASSES)
			continue;
		err = mqos_tca_copy(&rd->b, a, nla_total_size(nla_len(a)));
		if (err)
			return err;
	}
	a = qtb[TCA_MQOS_CLASSES];
	if (a) {
		rd->b.classes = nla_nest_start(rd->b.skb, TCA_MQOS_CLASSES);
		if (!rd->b.classes)
			return -EMSGSIZE;
		err = mqos_tca_delete_all(&rd->b, rd->sch) ?:
		      mqos_tca_copy(&rd->b, nla_data(a), nla_len(a));
		if (err)
			return err;
	}
	mqos_tca_end(&rd->b);
	err = mqos_tca_check(&rd->b, rd->sch, extack);
	if (err)
		mqos_extack_prefix(extack, dev->name);
	return err;
}

/*
 * Validate everything, then apply the namespace's part (rules, ports, rule
 * default); with MQOS_A_CHECK apply nothing. Devices are only checked:
 * mqosctl load checks a whole file here, then replaces each qdisc through
 * rtnetlink and the rules here.
 */
int mqos_nl_config_replace(struct sk_buff *skb, struct genl_info *info)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *rules = info->attrs[MQOS_A_RULES];
	struct nlattr *ports = info->attrs[MQOS_A_PORTS];
	struct nlattr *rdef = info->attrs[MQOS_A_RULE_DEFAULT];
	/* CHECK: judge all of it, change nothing (mqosctl load, first). */
	bool check = !!info->attrs[MQOS_A_CHECK];
	struct net *net = genl_info_net(info);
	struct mqos_ctl_rules *t = NULL;
	struct mqos_replace_dev *rd;
	struct mqos_cls_cfg cfg;
	unsigned int n = 0, i;
	struct nlattr *a;
	int err = 0, rem;

	nla_for_each_attr(a, genlmsg_data(info->genlhdr),
			  genlmsg_len(info->genlhdr), rem)
		if (nla_type(a) == MQOS_A_DEVICE)
			n++;
	if (n > MQOS_REPLACE_MAX_DEVS) {
		NL_SET_ERR_MSG(extack, "more than 64 MQOS_A_DEVICE");
		return -E2BIG;
	}
	if (n && !check) {
		NL_SET_ERR_MSG(extack,
			       "MQOS_A_DEVICE only with MQOS_A_CHECK: a qdisc is replaced through rtnetlink (RTM_NEWQDISC with TCA_MQOS_CLASSES_REPLACE)");
		return -EOPNOTSUPP;
	}
	rd = kcalloc(max(n, 1U), sizeof(*rd), GFP_KERNEL);
	if (!rd)
		return -ENOMEM;
	cfg = *mqos_rules_cfg(net);
	if (ports) {
		err = mqos_ports_parse(ports, &cfg, extack);
		if (err)
			goto out_free;
	}
	if (rdef) {
		err = mqos_rule_default_parse(rdef, &cfg, extack);
		if (err)
			goto out_free;
	}
	if (rules)
		err = mqos_rules_build(rules, &cfg, &t, extack);
	else if (ports || rdef)
		err = mqos_rules_with_cfg(net, &cfg, &t);
	if (err)
		goto out_free;

	rtnl_lock();
	i = 0;
	nla_for_each_attr(a, genlmsg_data(info->genlhdr),
			  genlmsg_len(info->genlhdr), rem) {
		if (nla_type(a) != MQOS_A_DEVICE)
			continue;
		err = mqos_replace_prepare(net, a, &rd[i], rd, i, extack);
		i++;
		if (err)
			break;
	}
	rtnl_unlock();

	if (!err && !check && (rules || ports || rdef)) {
		mqos_rules_publish(net, t);
		t = NULL;
	}
	if (!err && !check)
		mqos_ctl_changed(net);
	mqos_ctl_rules_free(t);
out_free:
	for (i = 0; i < n; i++)
		mqos_tca_free(&rd[i].b);
	kfree(rd);
	return err;
}

/* ---- STATS_RESET -------------------------------------------------------- */

static int mqos_reset_dev(struct Qdisc *sch, struct netlink_ext_ack *extack)
{
	struct mqos_tca b;
	int err;

	err = mqos_tca_start(&b, 0, NULL);
	if (!err)
		err = nla_put_flag(b.skb, TCA_MQOS_RESET_STATS);
	if (!err) {
		mqos_tca_end(&b);
		err = mqos_tca_apply(&b, sch, extack);
	}
	mqos_tca_free(&b);
	return err;
}

int mqos_nl_stats_reset(struct sk_buff *skb, struct genl_info *info)
{
	bool one = info->attrs[MQOS_A_IFINDEX] || info->attrs[MQOS_A_IFNAME];
	struct net *net = genl_info_net(info);
	struct net_device *dev;
	struct Qdisc *sch;
	int err = 0;

	rtnl_lock();
	if (one) {
		sch = mqos_nl_find(net, info->attrs, NULL, &dev, info->extack);
		err = PTR_ERR_OR_ZERO(sch);
		if (!err)
			err = mqos_reset_dev(sch, info->extack);
	} else {
		for_each_netdev(net, dev) {
			sch = mqos_dev_qdisc(dev);
			if (sch)
				err = mqos_reset_dev(sch, info->extack);
			if (err)
				break;
		}
	}
	rtnl_unlock();
	if (!err && !one)
		mqos_rules_reset_all_hits(net);
	/* A failed reset changed nothing: leave the generation alone. */
	if (!err)
		mqos_ctl_changed(net);
	return err;
}
