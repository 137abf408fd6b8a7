// SPDX-License-Identifier: GPL-2.0
/*
 * The ingress set-ups of mqosctl, over rtnetlink: the downlink of DEV
 * shaped on an ifb. `ingress add|del|flush` make and remove them whole,
 * `load` in steps (the ifb first, the redirect once it is configured);
 * `save` and `load` find the set-ups in place from the qdisc and filter
 * dumps. The requests go through rtnl.c's socket (rtnl.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/tc_act/tc_connmark.h>
#include <linux/tc_act/tc_mirred.h>
#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <netlink/attr.h>

#include "mqosctl.h"
#include "rtnl.h"

/*
 * The downlink of DEV shaped on an ifb: DEV's ingress qdisc runs one
 * matchall filter whose actions restore the conntrack mark into skb->mark
 * (connmark: the qdisc reads a sticky class from it, as the skb has no
 * conntrack entry yet) and redirect every packet to the ifb (mirred
 * egress redirect), where mqos shapes it in ingress mode.
 */
#define INGRESS_PRIO	1

static struct nl_msg *link_msg(int type, int flags, int ifindex)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
	struct nl_msg *msg = nlmsg_alloc_simple(type, NLM_F_REQUEST | flags);

	if (msg && nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

static int ifb_create(const char *ifb)
{
	struct nl_msg *msg = link_msg(RTM_NEWLINK, NLM_F_ACK | NLM_F_CREATE |
				      NLM_F_EXCL, 0);
	struct nlattr *li;

	if (!msg || nla_put_string(msg, IFLA_IFNAME, ifb) < 0 ||
	    !(li = nla_nest_start(msg, IFLA_LINKINFO)) ||
	    nla_put_string(msg, IFLA_INFO_KIND, "ifb") < 0)
		goto nomem;
	nla_nest_end(msg, li);
	return rtnl_request_ex(msg, ifb, true, false);
nomem:
	nlmsg_free(msg);
	ctl_err("out of memory");
	return -ENOMEM;
}

static int link_up(const char *ifb, int ifindex)
{
	struct ifinfomsg ifi = {
		.ifi_family = AF_UNSPEC, .ifi_index = ifindex,
		.ifi_flags = IFF_UP, .ifi_change = IFF_UP,
	};
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_NEWLINK,
						NLM_F_REQUEST | NLM_F_ACK);

	if (!msg || nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		ctl_err("out of memory");
		return -ENOMEM;
	}
	return rtnl_request_ex(msg, ifb, true, false);
}

static int link_del(const char *name, int ifindex, bool quiet)
{
	struct nl_msg *msg = link_msg(RTM_DELLINK, NLM_F_ACK, ifindex);

	if (!msg) {
		ctl_err("out of memory");
		return -ENOMEM;
	}
	return rtnl_request_ex(msg, name, true, quiet);
}

struct kind_req {
	char kind[32];
	bool got;
};

static int on_link(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[IFLA_MAX + 1], *li[IFLA_INFO_MAX + 1];
	struct kind_req *k = arg;

	if (nlmsg_parse(nlmsg_hdr(msg), sizeof(struct ifinfomsg), tb, IFLA_MAX,
			NULL) < 0)
		return NL_SKIP;
	k->got = true;
	if (tb[IFLA_LINKINFO] &&
	    !nla_parse_nested(li, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL) &&
	    li[IFLA_INFO_KIND])
		nla_strlcpy(k->kind, li[IFLA_INFO_KIND], sizeof(k->kind));
	return NL_OK;
}

/* The link kind of @ifindex ("" for a device without one); 0 or -errno. */
static int link_kind(const char *name, int ifindex, char *kind, size_t len)
{
	struct kind_req k = { .kind = "" };
	struct nl_msg *msg = link_msg(RTM_GETLINK, NLM_F_ACK, ifindex);
	int err;

	if (!msg) {
		ctl_err("out of memory");
		return -ENOMEM;
	}
	err = rtnl_transact(msg, name, true, false, on_link, &k);
	if (err)
		return err;
	if (!k.got) {
		ctl_err("%s: no link information", name);
		return -EIO;
	}
	snprintf(kind, len, "%s", k.kind);
	return 0;
}

static struct nl_msg *tc_msg(int type, int flags, int ifindex, uint32_t parent,
			     uint32_t handle, uint32_t info)
{
	struct tcmsg t = {
		.tcm_family = AF_UNSPEC, .tcm_ifindex = ifindex,
		.tcm_parent = parent, .tcm_handle = handle, .tcm_info = info,
	};
	struct nl_msg *msg = nlmsg_alloc_simple(type, NLM_F_REQUEST | NLM_F_ACK |
						flags);

	if (msg && nlmsg_append(msg, &t, sizeof(t), NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

/* A qdisc of @kind (no options) at @parent of @ifindex. */
static int qdisc_create(const char *dev, int ifindex, uint32_t parent,
			uint32_t handle, const char *kind)
{
	struct nl_msg *msg = tc_msg(RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL,
				    ifindex, parent, handle, 0);

	if (!msg || nla_put_string(msg, TCA_KIND, kind) < 0) {
		nlmsg_free(msg);
		ctl_err("out of memory");
		return -ENOMEM;
	}
	return rtnl_request_ex(msg, dev, true, false);
}

static int ingress_qdisc_del(const char *dev, int ifindex, bool quiet)
{
	struct nl_msg *msg = tc_msg(RTM_DELQDISC, 0, ifindex, TC_H_INGRESS,
				    TC_H_MAKE(TC_H_INGRESS, 0), 0);

	if (!msg) {
		ctl_err("out of memory");
		return -ENOMEM;
	}
	return rtnl_request_ex(msg, dev, true, quiet);
}

/* Action number @order of a TCA_*_ACT nest: kind and an open options nest. */
static struct nlattr *act_start(struct nl_msg *msg, int order,
				const char *kind, struct nlattr **opts)
{
	struct nlattr *a = nla_nest_start(msg, order);

	if (!a || nla_put_string(msg, TCA_ACT_KIND, kind) < 0)
		return NULL;
	*opts = nla_nest_start(msg, TCA_ACT_OPTIONS);
	return *opts ? a : NULL;
}

/* matchall on DEV's ingress: connmark, then mirred egress redirect to ifb. */
static int ingress_filter_add(const char *dev, int ifindex, int ifb_index)
{
	struct tc_connmark cm = { .action = TC_ACT_PIPE, .zone = 0 };
	struct tc_mirred mr = {
		.action = TC_ACT_STOLEN, .eaction = TCA_EGRESS_REDIR,
		.ifindex = (uint32_t)ifb_index,
	};
	struct nlattr *opts, *acts, *a, *ao;
	struct nl_msg *msg;

	msg = tc_msg(RTM_NEWTFILTER, NLM_F_CREATE | NLM_F_EXCL, ifindex,
		     TC_H_MAKE(TC_H_INGRESS, 0), 0,
		     TC_H_MAKE((uint32_t)INGRESS_PRIO << 16, htons(ETH_P_ALL)));
	if (!msg || nla_put_string(msg, TCA_KIND, "matchall") < 0 ||
	    !(opts = nla_nest_start(msg, TCA_OPTIONS)) ||
	    !(acts = nla_nest_start(msg, TCA_MATCHALL_ACT)))
		goto nomem;
	a = act_start(msg, 1, "connmark", &ao);
	if (!a || nla_put(msg, TCA_CONNMARK_PARMS, sizeof(cm), &cm) < 0)
		goto nomem;
	nla_nest_end(msg, ao);
	nla_nest_end(msg, a);
	a = act_start(msg, 2, "mirred", &ao);
	if (!a || nla_put(msg, TCA_MIRRED_PARMS, sizeof(mr), &mr) < 0)
		goto nomem;
	nla_nest_end(msg, ao);
	nla_nest_end(msg, a);
	nla_nest_end(msg, acts);
	nla_nest_end(msg, opts);
	return rtnl_request_ex(msg, dev, true, false);
nomem:
	nlmsg_free(msg);
	ctl_err("out of memory");
	return -ENOMEM;
}

/*
 * The ifb @ifb (made here: it must not exist), up, with a root mqos
 * qdisc at its defaults. On error nothing of it is left.
 */
int ctl_rtnl_ingress_make_ifb(const char *ifb)
{
	int ifb_index, err;

	if (rtnl_open())
		return -EIO;
	if (if_nametoindex(ifb)) {
		ctl_err("%s: exists already (ingress add makes its own ifb)",
			ifb);
		return -EEXIST;
	}
	err = ifb_create(ifb);
	if (err)
		return err;
	ifb_index = (int)if_nametoindex(ifb);
	if (!ifb_index) {
		ctl_err("%s: gone right after it was made", ifb);
		return -ENODEV;
	}
	err = link_up(ifb, ifb_index);
	if (!err)
		err = qdisc_create(ifb, ifb_index, TC_H_ROOT,
				   TC_H_MAKE(1U << 16, 0), "mqos");
	if (err)
		link_del(ifb, ifb_index, true);
	return err;
}

/*
 * DEV's ingress qdisc (it must not exist) with the filter that redirects
 * to @ifb. On error nothing of it is left.
 */
int ctl_rtnl_ingress_redirect(const char *dev, const char *ifb)
{
	int ifindex, ifb_index, err;

	if (rtnl_open())
		return -EIO;
	ifindex = (int)if_nametoindex(dev);
	ifb_index = (int)if_nametoindex(ifb);
	if (!ifindex || !ifb_index) {
		ctl_err("%s: no such device", ifindex ? ifb : dev);
		return -ENODEV;
	}
	err = qdisc_create(dev, ifindex, TC_H_INGRESS,
			   TC_H_MAKE(TC_H_INGRESS, 0), "ingress");
	if (err)
		return err;
	err = ingress_filter_add(dev, ifindex, ifb_index);
	if (err)
		ingress_qdisc_del(dev, ifindex, true);
	return err;
}

/* Remove @ifb if it is of kind ifb (its qdisc goes with it). */
int ctl_rtnl_ifb_del(const char *ifb, bool quiet)
{
	int ifb_index, err;
	char kind[32];

	if (rtnl_open())
		return -EIO;
	ifb_index = (int)if_nametoindex(ifb);
	if (!ifb_index)
		return -ENODEV;
	err = link_kind(ifb, ifb_index, kind, sizeof(kind));
	if (err)
		return err;
	if (strcmp(kind, "ifb")) {
		if (!quiet)
			ctl_err("%s: not an ifb (kind '%s'), left alone", ifb,
				kind);
		return -EINVAL;
	}
	return link_del(ifb, ifb_index, quiet);
}

/*
 * ingress add: the ifb with mqos at the rate in ingress mode, then DEV's
 * ingress qdisc (it must not exist either) with the filter. On any error
 * what was made is removed again.
 */
int ctl_rtnl_ingress_add(const char *dev, const char *ifb, uint64_t rate)
{
	struct ctl_dev *d;
	int err;

	if (rtnl_open())
		return -EIO;
	if (!if_nametoindex(dev)) {
		ctl_err("%s: no such device", dev);
		return -ENODEV;
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		ctl_err("out of memory");
		return -ENOMEM;
	}
	snprintf(d->name, sizeof(d->name), "%s", ifb);
	d->rate = rate;
	d->ingress = 1;
	d->has = HAS(TCA_MQOS_RATE) | HAS(TCA_MQOS_INGRESS);

	err = ctl_rtnl_ingress_make_ifb(ifb);
	if (!err) {
		err = ctl_rtnl_dev_set(d);
		if (!err)
			err = ctl_rtnl_ingress_redirect(dev, ifb);
		if (err)
			ctl_rtnl_ifb_del(ifb, true);
	}
	free(d);
	return err;
}

/*
 * ingress del: DEV's ingress qdisc (its filters go with it) and the ifb
 * (its qdisc goes with it). Only a device of kind ifb is deleted. Both
 * are tried; the first error is returned.
 */
int ctl_rtnl_ingress_del(const char *dev, const char *ifb)
{
	int ifindex, ifb_index, err = 0, e;
	char kind[32];

	if (rtnl_open())
		return -EIO;
	ifindex = (int)if_nametoindex(dev);
	if (!ifindex) {
		ctl_err("%s: no such device", dev);
		return -ENODEV;
	}
	ifb_index = (int)if_nametoindex(ifb);
	if (ifb_index) {
		err = link_kind(ifb, ifb_index, kind, sizeof(kind));
		if (!err && strcmp(kind, "ifb")) {
			ctl_err("%s: not an ifb (kind '%s'), left alone", ifb,
				kind);
			return -EINVAL;
		}
		if (err)
			return err;
	}
	e = ingress_qdisc_del(dev, ifindex, true);
	if (e && e != -ENOENT && e != -EINVAL) {
		ctl_err("%s: removing the ingress qdisc: %s", dev,
			strerror(-e));
		err = e;
	}
	if (ifb_index) {
		e = link_del(ifb, ifb_index, false);
		if (e && !err)
			err = e;
	}
	if (!ifb_index && (e == -ENOENT || e == -EINVAL)) {
		ctl_err("%s: no ingress set-up (no ingress qdisc, no %s)", dev,
			ifb);
		return -ENOENT;
	}
	return err;
}

/* ---- finding the set-ups ------------------------------------------------ */

/* What the qdisc dump says of a device. */
#define QD_INGRESS	1	/* an ingress (or clsact) qdisc */
#define QD_MQOS_ROOT	2	/* mqos is its root qdisc */

struct qdisc_map {
	int *ifindex;
	unsigned char *flags;
	int n;
};

static int qd_flags(const struct qdisc_map *m, int ifindex)
{
	int i;

	for (i = 0; i < m->n; i++)
		if (m->ifindex[i] == ifindex)
			return m->flags[i];
	return 0;
}

static int on_qdisc(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct tcmsg *t = nlmsg_data(nlh);
	struct nlattr *tb[TCA_MAX + 1];
	struct qdisc_map *m = arg;
	const char *kind;
	int flag = 0, i;
	void *p;

	if (nlh->nlmsg_type != RTM_NEWQDISC ||
	    nlmsg_parse(nlh, sizeof(*t), tb, TCA_MAX, NULL) < 0 || !tb[TCA_KIND])
		return NL_OK;
	kind = nla_get_string(tb[TCA_KIND]);
	if (t->tcm_parent == TC_H_INGRESS)
		flag = QD_INGRESS;
	else if (t->tcm_parent == TC_H_ROOT && !strcmp(kind, "mqos"))
		flag = QD_MQOS_ROOT;
	if (!flag)
		return NL_OK;
	for (i = 0; i < m->n && m->ifindex[i] != t->tcm_ifindex; i++)
		;
	if (i == m->n) {
		p = realloc(m->ifindex, (m->n + 1) * sizeof(*m->ifindex));
		if (p)
			m->ifindex = p;
		p = p ? realloc(m->flags, m->n + 1) : NULL;
		if (!p)
			return NL_STOP;
		m->flags = p;
		m->ifindex[i] = t->tcm_ifindex;
		m->flags[i] = 0;
		m->n++;
	}
	m->flags[i] |= flag;
	return NL_OK;
}

static int qdisc_map_get(struct qdisc_map *m)
{
	memset(m, 0, sizeof(*m));
	return rtnl_dump(tc_msg(RTM_GETQDISC, NLM_F_DUMP, 0, 0, 0, 0),
			 "qdisc dump", on_qdisc, m);
}

static void qdisc_map_free(struct qdisc_map *m)
{
	free(m->ifindex);
	free(m->flags);
}

/* The ifindex a matchall filter redirects to (mirred egress redirect). */
static int on_filter(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *tb[TCA_MAX + 1], *ma[TCA_MATCHALL_MAX + 1];
	struct nlattr *ao[TCA_ACT_MAX + 1], *mo[TCA_MIRRED_MAX + 1], *a;
	const struct tc_mirred *mr;
	int *target = arg, rem;

	if (nlh->nlmsg_type != RTM_NEWTFILTER ||
	    nlmsg_parse(nlh, sizeof(struct tcmsg), tb, TCA_MAX, NULL) < 0 ||
	    !tb[TCA_KIND] || strcmp(nla_get_string(tb[TCA_KIND]), "matchall") ||
	    !tb[TCA_OPTIONS] ||
	    nla_parse_nested(ma, TCA_MATCHALL_MAX, tb[TCA_OPTIONS], NULL) < 0 ||
	    !ma[TCA_MATCHALL_ACT])
		return NL_OK;
	nla_for_each_nested(a, ma[TCA_MATCHALL_ACT], rem) {
		if (nla_parse_nested(ao, TCA_ACT_MAX, a, NULL) < 0 ||
		    !ao[TCA_ACT_KIND] || !ao[TCA_ACT_OPTIONS] ||
		    strcmp(nla_get_string(ao[TCA_ACT_KIND]), "mirred") ||
		    nla_parse_nested(mo, TCA_MIRRED_MAX, ao[TCA_ACT_OPTIONS],
				     NULL) < 0 ||
		    !mo[TCA_MIRRED_PARMS] ||
		    nla_len(mo[TCA_MIRRED_PARMS]) < (int)sizeof(*mr))
			continue;
		mr = nla_data(mo[TCA_MIRRED_PARMS]);
		if (mr->eaction == TCA_EGRESS_REDIR && !*target)
			*target = (int)mr->ifindex;
	}
	return NL_OK;
}

int ctl_rtnl_has_ingress_qdisc(const char *dev)
{
	struct qdisc_map m;
	int ifindex, err;

	if (rtnl_open())
		return -EIO;
	ifindex = (int)if_nametoindex(dev);
	if (!ifindex)
		return 0;
	err = qdisc_map_get(&m);
	if (!err)
		err = !!(qd_flags(&m, ifindex) & QD_INGRESS);
	qdisc_map_free(&m);
	return err;
}

int ctl_rtnl_ingress_list(struct ctl_ingress **v, int *n)
{
	struct ctl_ingress *in;
	struct qdisc_map m;
	char kind[32];
	int i, target, err;

	*v = NULL;
	*n = 0;
	if (rtnl_open())
		return -EIO;
	err = qdisc_map_get(&m);
	for (i = 0; !err && i < m.n; i++) {
		if (!(m.flags[i] & QD_INGRESS))
			continue;
		target = 0;
		err = rtnl_dump(tc_msg(RTM_GETTFILTER, NLM_F_DUMP, m.ifindex[i],
				       TC_H_MAKE(TC_H_INGRESS, 0), 0, 0),
				"filter dump", on_filter, &target);
		if (err == -EIO)
			err = 0;	/* its qdisc went since the qdisc dump */
		if (err || !target || !(qd_flags(&m, target) & QD_MQOS_ROOT))
			continue;
		/* Not an ifb (or gone since the dump): not a set-up. */
		if (link_kind("ifb", target, kind, sizeof(kind)) ||
		    strcmp(kind, "ifb"))
			continue;
		in = realloc(*v, (*n + 1) * sizeof(**v));
		if (!in) {
			ctl_err("out of memory");
			err = -ENOMEM;
			break;
		}
		*v = in;
		in += *n;
		memset(in, 0, sizeof(*in));
		if (!if_indextoname((unsigned int)m.ifindex[i], in->dev) ||
		    !if_indextoname((unsigned int)target, in->ifb))
			continue;	/* gone in between */
		(*n)++;
	}
	qdisc_map_free(&m);
	if (err) {
		free(*v);
		*v = NULL;
		*n = 0;
	}
	return err;
}

/* ingress flush: every set-up; the first error is returned. */
int ctl_rtnl_ingress_flush(void)
{
	struct ctl_ingress *v;
	int n, i, e, err = ctl_rtnl_ingress_list(&v, &n);

	for (i = 0; !err && i < n; i++) {
		e = ctl_rtnl_ingress_del(v[i].dev, v[i].ifb);
		if (e && !err)
			err = e;
	}
	free(v);
	return err;
}
