/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rtnetlink requests shared by rtnl.c (qdisc changes) and ingress.c (the
 * ingress set-ups): one socket, opened on first use, with extended ACKs.
 */
#ifndef MQOSCTL_RTNL_H
#define MQOSCTL_RTNL_H

#include <stdbool.h>
#include <netlink/netlink.h>
#include <netlink/msg.h>

/* Open the socket if it is not; 0 or -errno (reported). */
int rtnl_open(void);

/*
 * Send @msg (taken) and wait for its ACK, @valid (if not NULL) called
 * with @arg on every reply before it; 0 or -errno, reported unless
 * @quiet, naming @dev. @plain: the kernel's message as it is (not about
 * an mqos qdisc).
 */
int rtnl_transact(struct nl_msg *msg, const char *dev, bool plain, bool quiet,
		  int (*valid)(struct nl_msg *msg, void *arg), void *arg);

/* rtnl_transact() without a reply callback. */
int rtnl_request_ex(struct nl_msg *msg, const char *dev, bool plain,
		    bool quiet);

/*
 * A dump request (@msg taken; NULL is reported as out of memory): @cb
 * with @arg on every reply, until NLMSG_DONE; 0 or -errno, reported with
 * @what.
 */
int rtnl_dump(struct nl_msg *msg, const char *what,
	      int (*cb)(struct nl_msg *msg, void *arg), void *arg);

#endif
