/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mqos.ko internals shared between the module's files.
 *
 * main.c      module init/exit
 * netns.c     per network namespace state (struct mqos_net)
 * sch_mqos*.c the "mqos" qdisc (its files: sch_mqos.h)
 * classify.c  skb -> class, using the core parsers and the netns rules
 * ruleset.c   the per-netns rule table (RCU, atomic replace)
 * genl*.c     the generic netlink family "mqos" (control plane, genl.h)
 * proc.c      /proc/net/mqos/
 * nf_hook.c   the netfilter hook: sticky flow classes, remark, police
 * nf_frame.c  the hook's MQTT stream framing state per TCP connection
 */
#ifndef MQOS_H
#define MQOS_H

#include <linux/types.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "ruleset.h"
#include "genl.h"
#include "nf_hook.h"

/* Per network namespace state. Created and freed by pernet_operations. */
struct mqos_net {
	struct net *net;
	struct mqos_rules_net rules;	/* classification rules, RCU */
	struct mqos_ctl_net ctl;	/* control plane: prefs, /proc */
	struct mqos_hook_net hook;	/* netfilter hook (nf_hook.c) */
};

extern unsigned int mqos_net_id;

static inline struct mqos_net *mqos_pernet(const struct net *net)
{
	return net_generic(net, mqos_net_id);
}

int mqos_netns_init(void);
void mqos_netns_exit(void);

int mqos_qdisc_init(void);
void mqos_qdisc_exit(void);

#endif /* MQOS_H */
