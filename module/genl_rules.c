// SPDX-License-Identifier: GPL-2.0
/*
 * The rule commands of the "mqos" family and the tables behind them.
 *
 * The classifier's table (struct mqos_kruleset) knows rules by position;
 * the control plane adds a pref per rule (struct mqos_ctl_rules) and keeps
 * the table sorted by it. Every change builds a complete new table, has
 * the core compile (validate) it, and publishes it; on any error the
 * running table is untouched. Adding or deleting one rule keeps the hit
 * counters of the others; replacing the whole table starts from zero.
 * One rule's attributes are decoded and encoded in genl_rule_attr.c.
 */
#include <linux/kernel.h>
#include <linux/overflow.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <net/genetlink.h>
#include <net/sock.h>
#include <uapi/linux/mqos.h>

#include "mqos.h"
#include "genl.h"
#include "debug.h"

#define MQOS_PREF_STEP	10

/* A table with its rules: one that was never published, or unpublished. */
void mqos_ctl_rules_free(struct mqos_ctl_rules *t)
{
	if (!t)
		return;
	mqos_kruleset_free(t->krs);
	kvfree(t);
	mqos_obj_destroyed(MQOS_OBJ_CTL_RULES);
}

static void mqos_ctl_rules_free_rcu(struct rcu_head *head)
{
	mqos_ctl_rules_free(container_of(head, struct mqos_ctl_rules, rcu));
}

/*
 * Both pointers to the old tables are gone (@old_krs from the classifier,
 * @old from the control plane): free them after one grace period. The
 * control table owns its rules; a reader that found @old before it was
 * unpublished may still be reading @old->krs, so the rules must not go on
 * a grace period of their own that started earlier.
 */
static void mqos_rules_retire(struct mqos_ctl_rules *old,
			      struct mqos_kruleset *old_krs)
{
	if (old) {
		if (!WARN_ON_ONCE(old->krs != old_krs))
			old_krs = NULL;
		call_rcu(&old->rcu, mqos_ctl_rules_free_rcu);
	}
	mqos_kruleset_free_rcu(old_krs);
}

static struct mqos_ctl_rules *mqos_ctl_rules_alloc(u32 n)
{
	struct mqos_ctl_rules *t;

	t = kvzalloc(struct_size(t, pref, n), GFP_KERNEL);
	if (!t)
		return NULL;
	t->krs = mqos_kruleset_alloc(n);
	if (!t->krs) {
		kvfree(t);
		return NULL;
	}
	t->n = n;
	mqos_obj_created(MQOS_OBJ_CTL_RULES);
	return t;
}

/*
 * The published table, for a writer. Writers are genl commands, which
 * genl_mutex serialises (the family is not parallel_ops); the kernel does
 * not export a lockdep check for that mutex.
 */
struct mqos_ctl_rules *mqos_ctl_rules_get(struct net *net)
{
	return rcu_dereference_protected(mqos_pernet(net)->ctl.rules, 1);
}

/*
 * Publish @t (NULL: no rules, the default map), taking ownership. Cannot
 * fail. The classifier switches first, then the control plane; a reader
 * that still sees the old prefs also sees the old rules, both freed after
 * a grace period that starts once both are unpublished.
 */
void mqos_rules_publish(struct net *net, struct mqos_ctl_rules *t)
{
	struct mqos_net *mn = mqos_pernet(net);
	struct mqos_kruleset *old_krs;
	struct mqos_ctl_rules *old;

	old_krs = mqos_rules_swap(&mn->rules, t ? t->krs : NULL);
	mqos_debug_publish_window();
	old = rcu_replace_pointer(mn->ctl.rules, t, 1);	/* genl_mutex */
	mqos_rules_retire(old, old_krs);
	mqos_ctl_changed(net);
}

void mqos_rules_reset_all_hits(struct net *net)
{
	struct mqos_ctl_rules *t = mqos_ctl_rules_get(net);

	if (t)
		mqos_rules_reset_hits(t->krs);
	mqos_ctl_changed(net);
}

/* The MQTT/MQTT-SN ports of the published table (genl_mutex). */
const struct mqos_cls_cfg *mqos_rules_cfg(struct net *net)
{
	struct mqos_ctl_rules *cur = mqos_ctl_rules_get(net);

	return cur ? &cur->krs->rs.cfg : &mqos_cls_default_cfg;
}

/*
 * A table without rules that carries @cfg: NULL (no table, the default
 * map and ports) when @cfg is the default. -ENOMEM only.
 */
static int mqos_ctl_rules_none(const struct mqos_cls_cfg *cfg,
			       struct mqos_ctl_rules **out)
{
	u32 bad;
	const char *why;

	*out = NULL;
	if (mqos_cls_cfg_equal(cfg, &mqos_cls_default_cfg))
		return 0;
	*out = mqos_ctl_rules_alloc(0);
	if (!*out)
		return -ENOMEM;
	(*out)->krs->rs.cfg = *cfg;
	/* Nothing to validate without rules; compile sets the flags. */
	WARN_ON_ONCE(mqos_kruleset_compile((*out)->krs, &bad, &why));
	return 0;
}

/* Carry rule @si's hits of @src over to rule @di of the unpublished @dst. */
static void mqos_hits_copy(struct mqos_kruleset *dst, u32 di,
			   const struct mqos_kruleset *src, u32 si)
{
	struct mqos_rule_pcpu *pc;
	u64 packets, bytes;

	mqos_rules_read_hits(src, si, &packets, &bytes);
	pc = per_cpu_ptr(dst->stats, cpumask_first(cpu_possible_mask));
	u64_stats_set(&pc->rule[di].packets, packets);
	u64_stats_set(&pc->rule[di].bytes, bytes);
}

/* Rule @si of @src (published) becomes rule @di of @dst, hits included. */
static void mqos_rule_copy(struct mqos_ctl_rules *dst, u32 di,
			   const struct mqos_ctl_rules *src, u32 si)
{
	dst->krs->rs.rules[di] = src->krs->rs.rules[si];
	dst->pref[di] = src->pref[si];
	mqos_hits_copy(dst->krs, di, src->krs, si);
}

/* ---- building a table -------------------------------------------------- */

/* Compile @t; on error blame @blame (or the @bad-th nest of @rules). */
static int mqos_rules_compile(struct mqos_ctl_rules *t,
			      const struct nlattr *rules,
			      const struct nlattr *blame,
			      struct netlink_ext_ack *extack)
{
	const struct nlattr *a;
	const char *why = "invalid rule";
	char prefix[24];
	u32 bad = 0, i = 0;
	int rem;

	if (!mqos_kruleset_compile(t->krs, &bad, &why))
		return 0;
	if (rules) {
		nla_for_each_nested(a, rules, rem)
			if (i++ == bad)
				blame = a;
	}
	NL_SET_BAD_ATTR(extack, blame);
	if (extack)
		extack->_msg = why;
	if (rules) {
		snprintf(prefix, sizeof(prefix), "rule %u", bad + 1);
		mqos_extack_prefix(extack, prefix);
	}
	return -EINVAL;
}

/* Compile @t (a rule change blamed on @a) and publish it, or free it. */
static int mqos_rules_compile_publish(struct net *net,
				      struct mqos_ctl_rules *t,
				      const struct nlattr *a,
				      struct netlink_ext_ack *extack)
{
	int err = mqos_rules_compile(t, NULL, a, extack);

	if (err) {
		mqos_ctl_rules_free(t);
		return err;
	}
	mqos_rules_publish(net, t);
	return 0;
}

/*
 * A whole table from an MQOS_A_RULES nest (CONFIG_REPLACE), with ports
 * @cfg. Rules come in table order; those without a pref get the previous
 * one's + 10. An empty nest gives a table without rules (or none at all
 * with the default ports).
 */
int mqos_rules_build(const struct nlattr *rules,
		     const struct mqos_cls_cfg *cfg,
		     struct mqos_ctl_rules **out,
		     struct netlink_ext_ack *extack)
{
	struct mqos_ctl_rules *t;
	const struct nlattr *a;
	u32 n = 0, i = 0, pref = 0;
	char prefix[24];
	bool has_pref;
	int rem, err;

	*out = NULL;
	nla_for_each_nested(a, rules, rem) {
		if (nla_type(a) != MQOS_A_RULE) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "MQOS_A_RULES holds only MQOS_A_RULE nests");
			return -EINVAL;
		}
		n++;
	}
	if (!n)
		return mqos_ctl_rules_none(cfg, out);
	if (n > MQOS_MAX_RULES) {
		NL_SET_ERR_MSG_ATTR(extack, rules,
				    "MQOS_A_RULES: more than 4096 rules");
		return -E2BIG;
	}
	t = mqos_ctl_rules_alloc(n);
	if (!t)
		return -ENOMEM;
	t->krs->rs.cfg = *cfg;

	nla_for_each_nested(a, rules, rem) {
		u32 prev = pref;

		snprintf(prefix, sizeof(prefix), "rule %u", i + 1);
		err = mqos_rule_parse(a, &t->krs->rs.rules[i], &pref, &has_pref,
				      extack);
		if (err)
			goto err_prefix;
		if (!has_pref) {
			if (i && prev > U32_MAX - MQOS_PREF_STEP) {
				NL_SET_ERR_MSG_ATTR(extack, a,
						    "no pref left after the previous rule");
				err = -ERANGE;
				goto err_prefix;
			}
			pref = i ? prev + MQOS_PREF_STEP : MQOS_PREF_STEP;
		} else if (i && pref == prev) {
			NL_SET_ERR_MSG_ATTR(extack, a, "duplicate pref");
			err = -EEXIST;
			goto err_prefix;
		} else if (i && pref < prev) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "pref below the previous rule's (rules go in pref order)");
			err = -EINVAL;
			goto err_prefix;
		}
		t->pref[i++] = pref;
	}
	err = mqos_rules_compile(t, rules, NULL, extack);
	if (err)
		goto err_free;
	*out = t;
	return 0;

err_prefix:
	mqos_extack_prefix(extack, prefix);
err_free:
	mqos_ctl_rules_free(t);
	return err;
}

/*
 * The published table with ports @cfg instead of its own: same rules,
 * prefs and hit counters (PORTS_SET, CONFIG_REPLACE without RULES).
 */
int mqos_rules_with_cfg(struct net *net, const struct mqos_cls_cfg *cfg,
			struct mqos_ctl_rules **out)
{
	struct mqos_ctl_rules *cur = mqos_ctl_rules_get(net), *t;
	const char *why;
	u32 i, bad;

	if (!cur || !cur->n)
		return mqos_ctl_rules_none(cfg, out);
	t = mqos_ctl_rules_alloc(cur->n);
	if (!t)
		return -ENOMEM;
	t->krs->rs.cfg = *cfg;
	for (i = 0; i < t->n; i++)
		mqos_rule_copy(t, i, cur, i);
	/* The same rules compiled before; ports do not affect validity. */
	if (WARN_ON_ONCE(mqos_kruleset_compile(t->krs, &bad, &why))) {
		mqos_ctl_rules_free(t);
		return -EINVAL;
	}
	*out = t;
	return 0;
}

/* ---- commands ---------------------------------------------------------- */

/*
 * Dump the rules from *@pos on, one @cmd message each, under RCU; a dump
 * that resumes after a change is marked NLM_F_DUMP_INTR. True when the
 * table's end was reached, false when @skb filled up first.
 */
bool mqos_rules_dump(struct sk_buff *skb, struct netlink_callback *cb,
		     u8 cmd, u32 *pos)
{
	struct net *net = sock_net(skb->sk);
	const struct mqos_ctl_rules *t;
	bool done;
	void *hdr;

	rcu_read_lock();
	cb->seq = mqos_dump_seq(net);
	t = rcu_dereference(mqos_pernet(net)->ctl.rules);
	for (; t && *pos < t->n; (*pos)++) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &mqos_genl_family,
				  NLM_F_MULTI, cmd);
		if (!hdr)
			break;
		genl_dump_check_consistent(cb, hdr);
		if (mqos_rule_put(skb, MQOS_A_RULE, t, *pos)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	done = !t || *pos >= t->n;
	rcu_read_unlock();
	return done;
}

/* RULE_GET dump; cb->ctx holds the next rule's index. */
int mqos_nl_rule_get_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	u32 *pos = (u32 *)cb->ctx;

	mqos_rules_dump(skb, cb, MQOS_CMD_RULE_GET, pos);
	return skb->len;
}

/* MQOS_A_RULE_DEFAULT into @cfg->fallback: MAP, a class or DEVICE. */
int mqos_rule_default_parse(const struct nlattr *a, struct mqos_cls_cfg *cfg,
			    struct netlink_ext_ack *extack)
{
	u8 v = nla_get_u8(a);

	if (v > MQOS_MAX_CLASSES && v != MQOS_RULE_DEFAULT_DEVICE) {
		NL_SET_ERR_MSG_ATTR(extack, a,
				    "MQOS_A_RULE_DEFAULT: 0 (the default map), a class 1..16 or 255 (the qdisc's default class)");
		return -ERANGE;
	}
	cfg->fallback = v;
	return 0;
}

/* RULE_GET as a doit: what packets no rule matches get. */
int mqos_nl_rule_get(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &mqos_genl_family, 0,
				MQOS_CMD_RULE_GET);
	if (!hdr || nla_put_u8(msg, MQOS_A_RULE_DEFAULT,
			       mqos_rules_cfg(net)->fallback)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* RULE_ADD with MQOS_A_RULE_DEFAULT alone: the rules and hits stay. */
static int mqos_rule_default_set(struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct mqos_ctl_rules *t;
	struct mqos_cls_cfg cfg;
	int err;

	cfg = *mqos_rules_cfg(net);
	err = mqos_rule_default_parse(info->attrs[MQOS_A_RULE_DEFAULT], &cfg,
				      info->extack);
	if (err)
		return err;
	err = mqos_rules_with_cfg(net, &cfg, &t);
	if (err)
		return err;
	mqos_rules_publish(net, t);
	return 0;
}

int mqos_nl_rule_add(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *a = info->attrs[MQOS_A_RULE];
	struct net *net = genl_info_net(info);
	struct mqos_ctl_rules *cur, *t;
	struct mqos_rule nr;
	u32 n, pos, i, pref = 0;
	bool has_pref;
	int err;

	if (info->attrs[MQOS_A_RULE_DEFAULT]) {
		if (a) {
			NL_SET_ERR_MSG_ATTR(info->extack, a,
					    "MQOS_A_RULE and MQOS_A_RULE_DEFAULT: one at a time");
			return -EINVAL;
		}
		return mqos_rule_default_set(info);
	}
	if (!a) {
		NL_SET_ERR_MSG(info->extack, "MQOS_A_RULE is required");
		return -EINVAL;
	}
	err = mqos_rule_parse(a, &nr, &pref, &has_pref, info->extack);
	if (err)
		return err;

	cur = mqos_ctl_rules_get(net);
	n = cur ? cur->n : 0;
	if (n >= MQOS_MAX_RULES) {
		NL_SET_ERR_MSG_ATTR(info->extack, a,
				    "the rule table is full (4096 rules)");
		return -ENOSPC;
	}
	if (!has_pref) {
		if (n && cur->pref[n - 1] > U32_MAX - MQOS_PREF_STEP) {
			NL_SET_ERR_MSG_ATTR(info->extack, a,
					    "no pref left after the last rule: give MQOS_RULE_A_PREF");
			return -ERANGE;
		}
		pref = n ? cur->pref[n - 1] + MQOS_PREF_STEP : MQOS_PREF_STEP;
	}
	for (pos = 0; pos < n && cur->pref[pos] < pref; pos++)
		;
	if (pos < n && cur->pref[pos] == pref) {
		NL_SET_ERR_MSG_ATTR(info->extack, a,
				    "a rule with this pref exists");
		return -EEXIST;
	}

	t = mqos_ctl_rules_alloc(n + 1);
	if (!t)
		return -ENOMEM;
	if (cur)
		t->krs->rs.cfg = cur->krs->rs.cfg;
	for (i = 0; i <= n; i++) {
		if (i == pos) {
			t->krs->rs.rules[i] = nr;
			t->pref[i] = pref;
		} else {
			mqos_rule_copy(t, i, cur, i < pos ? i : i - 1);
		}
	}
	return mqos_rules_compile_publish(net, t, a, info->extack);
}

int mqos_nl_rule_del(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *a = info->attrs[MQOS_A_PREF];
	struct net *net = genl_info_net(info);
	struct mqos_ctl_rules *cur, *t = NULL;
	u32 pref, pos, i;
	int err;

	if (!a) {
		NL_SET_ERR_MSG(info->extack, "MQOS_A_PREF is required");
		return -EINVAL;
	}
	pref = nla_get_u32(a);
	cur = mqos_ctl_rules_get(net);
	for (pos = 0; cur && pos < cur->n && cur->pref[pos] != pref; pos++)
		;
	if (!cur || pos == cur->n) {
		NL_SET_ERR_MSG_ATTR(info->extack, a, "no rule with this pref");
		return -ENOENT;
	}
	if (cur->n == 1) {
		err = mqos_ctl_rules_none(&cur->krs->rs.cfg, &t);
		if (err)
			return err;
		mqos_rules_publish(net, t);
		return 0;
	}
	t = mqos_ctl_rules_alloc(cur->n - 1);
	if (!t)
		return -ENOMEM;
	t->krs->rs.cfg = cur->krs->rs.cfg;
	for (i = 0; i < t->n; i++)
		mqos_rule_copy(t, i, cur, i < pos ? i : i + 1);
	return mqos_rules_compile_publish(net, t, a, info->extack);
}

/* No rules; the ports and the rule default stay. */
int mqos_nl_rule_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct mqos_ctl_rules *t;
	int err;

	err = mqos_ctl_rules_none(mqos_rules_cfg(net), &t);
	if (err)
		return err;
	mqos_rules_publish(net, t);
	return 0;
}

/* Netns exit: unpublish both tables, then free them together. */
void mqos_rules_ctl_exit(struct net *net)
{
	struct mqos_net *mn = mqos_pernet(net);
	struct mqos_kruleset *old_krs;
	struct mqos_ctl_rules *old;

	old_krs = mqos_rules_swap(&mn->rules, NULL);
	old = rcu_replace_pointer(mn->ctl.rules, NULL, 1);
	mqos_rules_retire(old, old_krs);
}
