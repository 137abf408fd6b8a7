/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per network namespace rule table: RCU-published, replaced atomically,
 * per-CPU hit counters per rule.
 *
 * Writers (the netlink code, under its own serialisation or RTNL) build a
 * complete table off line - mqos_kruleset_alloc(), fill rs.cfg and
 * rs.rules[], mqos_kruleset_compile() - and publish it with
 * mqos_rules_swap(), which cannot fail: on any error before that, nothing
 * has changed. The old table is freed after an RCU grace period that
 * starts once no published pointer leads to it any more: the control
 * plane's table (genl.h, struct mqos_ctl_rules) also points at it, so the
 * control plane owns it and frees both together, after unpublishing both.
 * Readers (the classifier) use rcu_dereference(rn->cur) inside an RCU
 * read-side section. Hit counters belong to a table: a replaced table
 * starts from zero, like iptables-restore.
 */
#ifndef MQOS_RULESET_H
#define MQOS_RULESET_H

#include <linux/types.h>
#include <linux/atomic.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/u64_stats_sync.h>

#include "core/rules.h"

struct net;

/* One rule's hits on one CPU. */
struct mqos_rule_stats {
	u64_stats_t packets;
	u64_stats_t bytes;
};

/* Per-CPU counters of a table: one syncp, then one entry per rule. */
struct mqos_rule_pcpu {
	struct u64_stats_sync syncp;
	struct mqos_rule_stats rule[];
};

struct mqos_kruleset {
	struct rcu_head rcu;
	struct mqos_rule_pcpu __percpu *stats;	/* NULL when rs.n == 0 */
	struct mqos_ruleset rs;		/* last: ends with rules[] */
};

/* Embedded in struct mqos_net (module/mqos.h). */
struct mqos_rules_net {
	struct mqos_kruleset __rcu *cur;	/* NULL: default map and ports */
	struct mutex lock;			/* serialises replacements */
	atomic64_t malformed;			/* MQTT/MQTT-SN malformed seen */
};

/* Pernet init/exit: call from struct mqos_net's init and exit. */
void mqos_rules_net_init(struct mqos_rules_net *rn);
void mqos_rules_net_exit(struct mqos_rules_net *rn);

/* A zeroed table of @n rules (n may be 0) with default ports/mode, or NULL. */
struct mqos_kruleset *mqos_kruleset_alloc(u32 n);
/* Free a table that was never published. */
void mqos_kruleset_free(struct mqos_kruleset *krs);

/*
 * Validate and prepare: 0, or -EINVAL with *bad = rule index and *why =
 * a static string for the extack message.
 */
int mqos_kruleset_compile(struct mqos_kruleset *krs, u32 *bad,
			  const char **why);

/* Free a table after a grace period (NULL: nothing); see above for when. */
void mqos_kruleset_free_rcu(struct mqos_kruleset *krs);

/*
 * Publish @krs (compiled; NULL = back to the default map) and return the
 * table it replaces, still alive: the caller frees it, with
 * mqos_kruleset_free_rcu() or with what owns it, once nothing published
 * leads to it.
 */
struct mqos_kruleset *mqos_rules_swap(struct mqos_rules_net *rn,
				      struct mqos_kruleset *krs);

/* Publish @krs and free the previous table after a grace period. */
void mqos_rules_replace(struct mqos_rules_net *rn, struct mqos_kruleset *krs);

/* Count a hit on rule @idx (datapath; any context). */
void mqos_rules_hit(struct mqos_kruleset *krs, int idx, unsigned int bytes);

/* Sum of rule @idx's hits over all CPUs. */
void mqos_rules_read_hits(const struct mqos_kruleset *krs, u32 idx,
			  u64 *packets, u64 *bytes);

/* Reset all hit counters of @krs (writer side). */
void mqos_rules_reset_hits(struct mqos_kruleset *krs);

#endif /* MQOS_RULESET_H */
