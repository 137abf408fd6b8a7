// SPDX-License-Identifier: GPL-2.0
/*
 * The rtnetlink side of mqosctl: `dev set`, `class set` and `class del`
 * change the device's root mqos qdisc as `tc qdisc change` does, with one
 * RTM_NEWQDISC (no NLM_F_CREATE, no NLM_F_REPLACE: only an existing qdisc
 * is changed, never created or replaced) whose TCA_OPTIONS carry the
 * qdisc's own attributes (include/uapi/linux/mqos.h section 2). The kernel
 * validates the change as a whole, applies it atomically and notifies it
 * (RTM_NEWQDISC to RTNLGRP_TC: `tc monitor`, `ip monitor`). A class set or
 * delete is one TCA_MQOS_CLASSES_CLASS nest in TCA_MQOS_CLASSES. `load`
 * replaces each device's configuration the same way, one message each.
 *
 * The requests themselves (the socket, the ACK and the kernel's extack
 * message) are shared with ingress.c through rtnl.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/pkt_sched.h>
#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <netlink/attr.h>

#include "mqosctl.h"
#include "rtnl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

static struct nl_sock *rtsk;

int rtnl_open(void)
{
	int one = 1, err;

	if (rtsk)
		return 0;
	rtsk = nl_socket_alloc();
	if (!rtsk) {
		ctl_err("out of memory");
		return -ENOMEM;
	}
	err = nl_connect(rtsk, NETLINK_ROUTE);
	if (err < 0) {
		ctl_err("rtnetlink: %s", nl_geterror(err));
		nl_socket_free(rtsk);
		rtsk = NULL;
		return -EIO;
	}
	setsockopt(nl_socket_get_fd(rtsk), SOL_NETLINK, NETLINK_EXT_ACK, &one,
		   sizeof(one));
	return 0;
}

void ctl_rtnl_close(void)
{
	if (rtsk)
		nl_socket_free(rtsk);
	rtsk = NULL;
}

struct rtnl_req {
	const char *dev;
	int err;
	bool done;
	bool plain;	/* not a change of an mqos qdisc: messages as they are */
	bool quiet;	/* the caller reports the error */
};

/* rtnetlink's own refusals that mean "the root qdisc is not mqos". */
static bool not_mqos(const char *msg)
{
	return msg && (!strcmp(msg, "Invalid qdisc name") ||
		       !strncmp(msg, "Qdisc not found", 15) ||
		       !strncmp(msg, "Specified qdisc not found", 25));
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	const struct nlmsghdr *nlh = (void *)((char *)e - NLMSG_HDRLEN);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1] = { NULL };
	struct rtnl_req *r = arg;
	const char *msg = NULL;
	size_t hlen = sizeof(*e);

	r->done = true;
	if (!e->error)
		return NL_STOP;
	r->err = e->error;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		hlen += e->msg.nlmsg_len - NLMSG_HDRLEN;
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) &&
	    nlh->nlmsg_len > NLMSG_HDRLEN + NLMSG_ALIGN(hlen))
		nla_parse(tb, NLMSGERR_ATTR_MAX,
			  (struct nlattr *)((char *)e + NLMSG_ALIGN(hlen)),
			  nlh->nlmsg_len - NLMSG_HDRLEN - NLMSG_ALIGN(hlen),
			  NULL);
	if (tb[NLMSGERR_ATTR_MSG])
		msg = nla_get_string(tb[NLMSGERR_ATTR_MSG]);
	if (r->quiet)
		return NL_STOP;
	if (!r->plain && (not_mqos(msg) || (!msg && e->error == -ENOENT)))
		ctl_err("%s: no mqos qdisc on this device (%s)", r->dev,
			strerror(-e->error));
	else if (msg)
		ctl_err("%s: %s (%s)", r->dev, msg, strerror(-e->error));
	else
		ctl_err("%s: %s", r->dev, strerror(-e->error));
	return NL_STOP;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	((struct rtnl_req *)arg)->done = true;
	return NL_STOP;
}

/* See rtnl.h. */
int rtnl_transact(struct nl_msg *msg, const char *dev, bool plain, bool quiet,
		  int (*valid)(struct nl_msg *msg, void *arg), void *arg)
{
	struct rtnl_req r = { .dev = dev, .plain = plain, .quiet = quiet };
	struct nl_cb *cb;
	int err;

	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nlmsg_free(msg);
		ctl_err("out of memory");
		return -ENOMEM;
	}
	if (valid)
		nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, valid, arg);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &r);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &r);
	err = nl_send_auto(rtsk, msg);
	nlmsg_free(msg);
	while (err >= 0 && !r.done)
		err = nl_recvmsgs(rtsk, cb);
	nl_cb_put(cb);
	if (err < 0 && !r.err) {
		ctl_err("rtnetlink: %s", nl_geterror(err));
		return -EIO;
	}
	return r.err;
}

int rtnl_request_ex(struct nl_msg *msg, const char *dev, bool plain,
		    bool quiet)
{
	return rtnl_transact(msg, dev, plain, quiet, NULL, NULL);
}

/* See rtnl.h. */
int rtnl_dump(struct nl_msg *msg, const char *what,
	      int (*cb)(struct nl_msg *msg, void *arg), void *arg)
{
	struct nl_cb *ncb;
	int err;

	if (!msg) {
		ctl_err("out of memory");
		return -ENOMEM;
	}
	ncb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!ncb) {
		nlmsg_free(msg);
		ctl_err("out of memory");
		return -ENOMEM;
	}
	nl_cb_set(ncb, NL_CB_VALID, NL_CB_CUSTOM, cb, arg);
	err = nl_send_auto(rtsk, msg);
	nlmsg_free(msg);
	if (err >= 0)
		err = nl_recvmsgs(rtsk, ncb);
	nl_cb_put(ncb);
	if (err < 0) {
		ctl_err("%s: %s", what, nl_geterror(err));
		return -EIO;
	}
	return 0;
}

static int rtnl_request(struct nl_msg *msg, const char *dev)
{
	return rtnl_request_ex(msg, dev, false, false);
}

/*
 * RTM_NEWQDISC for the root qdisc of @dev, kind mqos, with an open
 * TCA_OPTIONS nest in *@opts. NULL (reported) on error.
 */
static struct nl_msg *qdisc_change_start(const char *dev, struct nlattr **opts)
{
	struct tcmsg t = { .tcm_family = AF_UNSPEC, .tcm_parent = TC_H_ROOT };
	struct nl_msg *msg;

	if (rtnl_open())
		return NULL;
	t.tcm_ifindex = (int)if_nametoindex(dev);
	if (!t.tcm_ifindex) {
		ctl_err("%s: no such device", dev);
		return NULL;
	}
	/* No NLM_F_CREATE: change the qdisc that is there, never make one. */
	msg = nlmsg_alloc_simple(RTM_NEWQDISC, NLM_F_REQUEST | NLM_F_ACK);
	if (!msg || nlmsg_append(msg, &t, sizeof(t), NLMSG_ALIGNTO) < 0 ||
	    nla_put_string(msg, TCA_KIND, "mqos") < 0 ||
	    !(*opts = nla_nest_start(msg, TCA_OPTIONS | NLA_F_NESTED))) {
		nlmsg_free(msg);
		ctl_err("out of memory");
		return NULL;
	}
	return msg;
}

static int qdisc_change_send(struct nl_msg *msg, struct nlattr *opts,
			     const char *dev)
{
	nla_nest_end(msg, opts);
	return rtnl_request(msg, dev);
}

int ctl_rtnl_dev_set(const struct ctl_dev *d)
{
	struct nlattr *opts;
	struct nl_msg *msg = qdisc_change_start(d->name, &opts);

	if (!msg)
		return -EINVAL;
	if (ctl_put_dev_attrs(msg, d) < 0) {
		nlmsg_free(msg);
		ctl_err("out of memory");
		return -ENOMEM;
	}
	return qdisc_change_send(msg, opts, d->name);
}

/*
 * load: device @d's settings and, if the file gave classes, its whole
 * class set (TCA_MQOS_CLASSES_REPLACE: classes not listed go, listed ones
 * start from the defaults), in one RTM_NEWQDISC.
 */
int ctl_rtnl_dev_replace(const struct ctl_dev *d)
{
	struct nlattr *opts, *classes;
	struct nl_msg *msg = qdisc_change_start(d->name, &opts);
	int id;

	if (!msg)
		return -EINVAL;
	if (ctl_put_dev_attrs(msg, d) < 0)
		goto nomem;
	if (d->has & HAS(TCA_MQOS_CLASSES)) {
		if (nla_put_flag(msg, TCA_MQOS_CLASSES_REPLACE) < 0)
			goto nomem;
		classes = nla_nest_start(msg, TCA_MQOS_CLASSES | NLA_F_NESTED);
		if (!classes)
			goto nomem;
		for (id = 1; id <= MQOS_MAX_CLASSES; id++)
			if (d->cls[id].id &&
			    ctl_put_class(msg, TCA_MQOS_CLASSES_CLASS, &d->cls[id]))
				goto nomem;
		nla_nest_end(msg, classes);
	}
	return qdisc_change_send(msg, opts, d->name);

nomem:
	nlmsg_free(msg);
	ctl_err("out of memory");
	return -ENOMEM;
}

/* Class @c (set) or class @id (delete, @c NULL) of @dev. */
static int class_change(const char *dev, const struct ctl_class *c, uint8_t id)
{
	struct nlattr *opts, *classes, *one;
	struct nl_msg *msg = qdisc_change_start(dev, &opts);
	int err;

	if (!msg)
		return -EINVAL;
	classes = nla_nest_start(msg, TCA_MQOS_CLASSES | NLA_F_NESTED);
	if (!classes)
		goto nomem;
	if (c) {
		err = ctl_put_class(msg, TCA_MQOS_CLASSES_CLASS, c);
	} else {
		one = nla_nest_start(msg, TCA_MQOS_CLASSES_CLASS | NLA_F_NESTED);
		err = !one || nla_put_u8(msg, TCA_MQOS_CLASS_ID, id) < 0 ||
		      nla_put_flag(msg, TCA_MQOS_CLASS_DELETE) < 0;
		if (!err)
			nla_nest_end(msg, one);
	}
	if (err)
		goto nomem;
	nla_nest_end(msg, classes);
	return qdisc_change_send(msg, opts, dev);

nomem:
	nlmsg_free(msg);
	ctl_err("out of memory");
	return -ENOMEM;
}

int ctl_rtnl_class_set(const char *dev, const struct ctl_class *c)
{
	return class_change(dev, c, 0);
}

int ctl_rtnl_class_del(const char *dev, uint8_t id)
{
	return class_change(dev, NULL, id);
}
