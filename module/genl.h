/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control plane: the generic netlink family "mqos" (contract in
 * include/uapi/linux/mqos.h, section 3) and /proc/net/mqos.
 *
 * genl.c        the family: policies, operations, registration, helpers
 * genl_dev.c    device and class changes, atomic replace, stats reset
 * genl_dump.c   device and class replies, the stats dump
 * genl_rules.c  the rule table as the control plane sees it (prefs,
 *               building, publishing) and the rule commands
 * genl_rule_attr.c  one rule as MQOS_RULE_A_* attributes (decode, encode)
 * genl_hook.c   the netfilter hook's commands (HOOK_GET, HOOK_SET)
 * genl_ports.c  the MQTT/MQTT-SN port lists (PORTS_GET, PORTS_SET)
 * proc.c        /proc/net/mqos/{classes,rules,hook}
 *
 * Locking. Every command and dump runs under genl_mutex (the family is
 * not parallel_ops), which serialises the writers of the rule table.
 * Device and class commands, and dumps that read a qdisc's configuration,
 * also take RTNL: a qdisc's configuration is changed and freed under RTNL
 * (the order is genl_mutex, then RTNL). The rule table is published with
 * RCU, so dumps and /proc read it under rcu_read_lock().
 */
#ifndef MQOS_GENL_H
#define MQOS_GENL_H

#include <linux/types.h>
#include <linux/rcupdate.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <uapi/linux/mqos.h>

struct net;
struct net_device;
struct proc_dir_entry;
struct Qdisc;
struct mqos_kruleset;
struct mqos_cls_cfg;
struct mqos_rule;

/*
 * The rule table with the control plane's view of it: the pref of every
 * rule. Published next to the classifier's table (->krs, published by
 * mqos_rules_swap()), which it owns: both are freed together, after one
 * grace period that starts once neither is published (mqos_rules_publish).
 * A reader under RCU therefore sees prefs and rules that belong together,
 * and both stay alive while it reads.
 */
struct mqos_ctl_rules {
	struct rcu_head rcu;
	struct mqos_kruleset *krs;
	u32 n;
	u32 pref[];
};

/* Embedded in struct mqos_net. */
struct mqos_ctl_net {
	struct mqos_ctl_rules __rcu *rules;	/* NULL: no rules */
	/* Bumped by every change: under RTNL (qdisc) or genl_mutex (rules). */
	atomic_t gen;
	struct proc_dir_entry *proc;		/* /proc/net/mqos */
};

/* Family registration (main.c), after the pernet state. */
int mqos_genl_init(void);
void mqos_genl_exit(void);

/* Pernet init/exit of the control plane state (netns.c). */
int mqos_ctl_net_init(struct net *net);
void mqos_ctl_net_exit(struct net *net);

/* proc.c, called by mqos_ctl_net_init/exit. */
int mqos_proc_net_init(struct net *net);
void mqos_proc_net_exit(struct net *net);

/* genl.c */
extern struct genl_family mqos_genl_family;
/* A configuration of @net changed: dumps in progress see NLM_F_DUMP_INTR. */
void mqos_ctl_changed(struct net *net);
/* Put "@prefix: " before the extack message, where the kernel can format. */
void mqos_extack_prefix(struct netlink_ext_ack *extack, const char *prefix);
/* cb->seq of dumps: changes with the configuration and the device list. */
u32 mqos_dump_seq(const struct net *net);

/* genl_dev.c: the commands that change a device's configuration */
/* @dev's root qdisc if it is an mqos qdisc, else NULL. RTNL or RCU. */
struct Qdisc *mqos_dev_qdisc(struct net_device *dev);
/*
 * The device named by MQOS_A_IFINDEX or MQOS_A_IFNAME in @tb and its mqos
 * qdisc, or an ERR_PTR with extack set. @where: the nest that should have
 * named it (NULL: the message). RTNL.
 */
struct Qdisc *mqos_nl_find(struct net *net, struct nlattr **tb,
			   const struct nlattr *where, struct net_device **devp,
			   struct netlink_ext_ack *extack);
int mqos_nl_dev_change_retired(struct sk_buff *skb, struct genl_info *info);
int mqos_nl_config_replace(struct sk_buff *skb, struct genl_info *info);
int mqos_nl_stats_reset(struct sk_buff *skb, struct genl_info *info);

/* genl_dump.c: DEV_GET, CLASS_GET, the STATS_GET dump */
int mqos_nl_dump_start(struct netlink_callback *cb);
int mqos_nl_dev_get(struct sk_buff *skb, struct genl_info *info);
int mqos_nl_dev_get_dump(struct sk_buff *skb, struct netlink_callback *cb);
int mqos_nl_class_get(struct sk_buff *skb, struct genl_info *info);
int mqos_nl_class_get_dump(struct sk_buff *skb, struct netlink_callback *cb);
int mqos_nl_stats_get_dump(struct sk_buff *skb, struct netlink_callback *cb);

/* genl_rule_attr.c */
/* One MQOS_A_RULE nest into @r; *pref is left alone without a PREF. */
int mqos_rule_parse(const struct nlattr *nest, struct mqos_rule *r,
		    u32 *pref, bool *has_pref, struct netlink_ext_ack *extack);
/* Rule @idx of @t as a @type nest, with its hit counters. */
int mqos_rule_put(struct sk_buff *skb, int type,
		  const struct mqos_ctl_rules *t, u32 idx);

/* genl_rules.c */
struct mqos_ctl_rules *mqos_ctl_rules_get(struct net *net);	/* genl_mutex */
bool mqos_rules_dump(struct sk_buff *skb, struct netlink_callback *cb,
		     u8 cmd, u32 *pos);
int mqos_rules_build(const struct nlattr *rules,
		     const struct mqos_cls_cfg *cfg,
		     struct mqos_ctl_rules **out,
		     struct netlink_ext_ack *extack);
const struct mqos_cls_cfg *mqos_rules_cfg(struct net *net);	/* genl_mutex */
int mqos_rules_with_cfg(struct net *net, const struct mqos_cls_cfg *cfg,
			struct mqos_ctl_rules **out);
void mqos_rules_publish(struct net *net, struct mqos_ctl_rules *t);
void mqos_ctl_rules_free(struct mqos_ctl_rules *t);
void mqos_rules_reset_all_hits(struct net *net);
void mqos_rules_ctl_exit(struct net *net);

int mqos_rule_default_parse(const struct nlattr *a, struct mqos_cls_cfg *cfg,
			    struct netlink_ext_ack *extack);
int mqos_nl_rule_get(struct sk_buff *skb, struct genl_info *info);
int mqos_nl_rule_get_dump(struct sk_buff *skb, struct netlink_callback *cb);
int mqos_nl_rule_add(struct sk_buff *skb, struct genl_info *info);
int mqos_nl_rule_del(struct sk_buff *skb, struct genl_info *info);
int mqos_nl_rule_flush(struct sk_buff *skb, struct genl_info *info);

/* genl_hook.c */
extern const struct nla_policy mqos_hook_set_policy[MQOS_A_MAX + 1];
int mqos_nl_hook_get(struct sk_buff *skb, struct genl_info *info);
int mqos_nl_hook_set(struct sk_buff *skb, struct genl_info *info);

/* genl_ports.c */
extern const struct nla_policy mqos_ports_policy[MQOS_PORTS_A_MAX + 1];
int mqos_ports_parse(const struct nlattr *nest, struct mqos_cls_cfg *cfg,
		     struct netlink_ext_ack *extack);
int mqos_nl_ports_get(struct sk_buff *skb, struct genl_info *info);
int mqos_nl_ports_set(struct sk_buff *skb, struct genl_info *info);

#endif /* MQOS_GENL_H */
