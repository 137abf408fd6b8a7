// SPDX-License-Identifier: GPL-2.0
/*
 * Per network namespace rule table (see ruleset.h).
 */
#include <linux/errno.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/overflow.h>

#include "ruleset.h"
#include "debug.h"

struct mqos_kruleset *mqos_kruleset_alloc(u32 n)
{
	struct mqos_kruleset *krs;

	if (n > MQOS_MAX_RULES)
		return NULL;
	krs = kvzalloc(struct_size(krs, rs.rules, n), GFP_KERNEL);
	if (!krs)
		return NULL;
	/*
	 * No counters for a table without rules (one that only carries
	 * ports): on 64-bit the syncp is empty, and a 0-byte per-CPU
	 * allocation is a WARN. Nothing can hit a rule that is not there.
	 */
	if (n) {
		krs->stats = __alloc_percpu(struct_size(krs->stats, rule, n),
					    __alignof__(struct mqos_rule_pcpu));
		if (!krs->stats) {
			kvfree(krs);
			return NULL;
		}
	}
	krs->rs.n = n;
	krs->rs.cfg = mqos_cls_default_cfg;
	mqos_obj_created(MQOS_OBJ_RULESET);
	return krs;
}

void mqos_kruleset_free(struct mqos_kruleset *krs)
{
	if (!krs)
		return;
	free_percpu(krs->stats);
	kvfree(krs);
	mqos_obj_destroyed(MQOS_OBJ_RULESET);
}

static void mqos_kruleset_free_cb(struct rcu_head *head)
{
	mqos_kruleset_free(container_of(head, struct mqos_kruleset, rcu));
}

void mqos_kruleset_free_rcu(struct mqos_kruleset *krs)
{
	if (krs)
		call_rcu(&krs->rcu, mqos_kruleset_free_cb);
}

int mqos_kruleset_compile(struct mqos_kruleset *krs, u32 *bad,
			  const char **why)
{
	return mqos_ruleset_compile(&krs->rs, bad, why) ? -EINVAL : 0;
}

struct mqos_kruleset *mqos_rules_swap(struct mqos_rules_net *rn,
				      struct mqos_kruleset *krs)
{
	struct mqos_kruleset *old;

	mutex_lock(&rn->lock);
	old = rcu_replace_pointer(rn->cur, krs, lockdep_is_held(&rn->lock));
	mutex_unlock(&rn->lock);
	return old;
}

void mqos_rules_replace(struct mqos_rules_net *rn, struct mqos_kruleset *krs)
{
	mqos_kruleset_free_rcu(mqos_rules_swap(rn, krs));
}

void mqos_rules_hit(struct mqos_kruleset *krs, int idx, unsigned int bytes)
{
	struct mqos_rule_pcpu *pc = get_cpu_ptr(krs->stats);
	unsigned long flags;

	flags = u64_stats_update_begin_irqsave(&pc->syncp);
	u64_stats_inc(&pc->rule[idx].packets);
	u64_stats_add(&pc->rule[idx].bytes, bytes);
	u64_stats_update_end_irqrestore(&pc->syncp, flags);
	put_cpu_ptr(krs->stats);
}

void mqos_rules_read_hits(const struct mqos_kruleset *krs, u32 idx,
			  u64 *packets, u64 *bytes)
{
	int cpu;

	*packets = 0;
	*bytes = 0;
	for_each_possible_cpu(cpu) {
		const struct mqos_rule_pcpu *pc = per_cpu_ptr(krs->stats, cpu);
		unsigned int start;
		u64 p, b;

		do {
			start = u64_stats_fetch_begin(&pc->syncp);
			p = u64_stats_read(&pc->rule[idx].packets);
			b = u64_stats_read(&pc->rule[idx].bytes);
		} while (u64_stats_fetch_retry(&pc->syncp, start));
		*packets += p;
		*bytes += b;
	}
}

void mqos_rules_reset_hits(struct mqos_kruleset *krs)
{
	int cpu;
	u32 i;

	if (!krs->stats)
		return;
	for_each_possible_cpu(cpu) {
		struct mqos_rule_pcpu *pc = per_cpu_ptr(krs->stats, cpu);

		for (i = 0; i < krs->rs.n; i++) {
			u64_stats_set(&pc->rule[i].packets, 0);
			u64_stats_set(&pc->rule[i].bytes, 0);
		}
	}
}

void mqos_rules_net_init(struct mqos_rules_net *rn)
{
	RCU_INIT_POINTER(rn->cur, NULL);
	mutex_init(&rn->lock);
	atomic64_set(&rn->malformed, 0);
}

void mqos_rules_net_exit(struct mqos_rules_net *rn)
{
	/* Packets may still be in flight on this netns' devices. */
	mqos_rules_replace(rn, NULL);
}
