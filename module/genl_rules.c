// SPDX-License-Identifier: GPL-2.0
/*
 * The rule commands of the "mqos" family and the MQOS_RULE_A_* encoding.
 *
 * The classifier's table (struct mqos_kruleset) knows rules by position;
 * the control plane adds a pref per rule (struct mqos_ctl_rules) and keeps
 * the table sorted by it. Every change builds a complete new table, has
 * the core compile (validate) it, and publishes it; on any error the
 * running table is untouched. Adding or deleting one rule keeps the hit
 * counters of the others; replacing the whole table starts from zero.
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

static const struct nla_policy mqos_rule_policy[MQOS_RULE_A_MAX + 1] = {
	[MQOS_RULE_A_PREF]	= { .type = NLA_U32 },
	[MQOS_RULE_A_CLASS]	= NLA_POLICY_RANGE(NLA_U8, 1, MQOS_MAX_CLASSES),
	[MQOS_RULE_A_DSCP]	= { .type = NLA_U64 },
	[MQOS_RULE_A_MQTT_QOS]	= NLA_POLICY_MASK(NLA_U8, 0x7),
	[MQOS_RULE_A_KINDS]	= NLA_POLICY_MASK(NLA_U8, MQOS_RULE_KIND_ALL),
	[MQOS_RULE_A_TOPIC]	= { .type = NLA_BINARY,
				    .len = MQOS_RULE_TOPIC_MAX },
	[MQOS_RULE_A_SN_QOS]	= NLA_POLICY_MASK(NLA_U8, 0xf),
	[MQOS_RULE_A_PROTO]	= { .type = NLA_U8 },
	[MQOS_RULE_A_SPORT_MIN]	= { .type = NLA_U16 },
	[MQOS_RULE_A_SPORT_MAX]	= { .type = NLA_U16 },
	[MQOS_RULE_A_DPORT_MIN]	= { .type = NLA_U16 },
	[MQOS_RULE_A_DPORT_MAX]	= { .type = NLA_U16 },
	[MQOS_RULE_A_SRC]	= { .type = NLA_BINARY, .len = 16 },
	[MQOS_RULE_A_SRC_PLEN]	= NLA_POLICY_MAX(NLA_U8, 128),
	[MQOS_RULE_A_DST]	= { .type = NLA_BINARY, .len = 16 },
	[MQOS_RULE_A_DST_PLEN]	= NLA_POLICY_MAX(NLA_U8, 128),
	[MQOS_RULE_A_IIF]	= NLA_POLICY_MIN(NLA_U32, 1),
	[MQOS_RULE_A_OIF]	= NLA_POLICY_MIN(NLA_U32, 1),
};

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

/* ---- decoding ---------------------------------------------------------- */

/* Port range: MIN alone is one port, MAX alone is 0..MAX. */
static int mqos_rule_ports(struct nlattr **tb, int amin, int amax,
			   u16 *lo, u16 *hi, struct netlink_ext_ack *extack)
{
	*lo = tb[amin] ? nla_get_u16(tb[amin]) : 0;
	*hi = tb[amax] ? nla_get_u16(tb[amax]) : tb[amin] ? *lo : 0xffff;
	if (*lo <= *hi)
		return 0;
	if (amin == MQOS_RULE_A_SPORT_MIN)
		NL_SET_ERR_MSG_ATTR(extack, tb[amax],
				    "sport range inverted (MQOS_RULE_A_SPORT_MAX below MIN)");
	else
		NL_SET_ERR_MSG_ATTR(extack, tb[amax],
				    "dport range inverted (MQOS_RULE_A_DPORT_MAX below MIN)");
	return -EINVAL;
}

static int mqos_rule_addr(struct nlattr **tb, int aaddr, int aplen,
			  struct mqos_rule *r, u32 *addr, u8 *plen,
			  struct netlink_ext_ack *extack)
{
	const struct nlattr *a = tb[aaddr];
	u8 family, max;

	if (!a) {
		if (tb[aplen]) {
			NL_SET_ERR_MSG_ATTR(extack, tb[aplen],
					    "prefix length without an address");
			return -EINVAL;
		}
		return 0;
	}
	if (nla_len(a) != 4 && nla_len(a) != 16) {
		NL_SET_ERR_MSG_ATTR(extack, a,
				    "address is neither 4 (IPv4) nor 16 (IPv6) bytes");
		return -EINVAL;
	}
	family = nla_len(a) == 4 ? 4 : 6;
	if (r->family && r->family != family) {
		NL_SET_ERR_MSG_ATTR(extack, a,
				    "src and dst are of different address families");
		return -EINVAL;
	}
	r->family = family;
	max = family == 4 ? 32 : 128;
	*plen = tb[aplen] ? nla_get_u8(tb[aplen]) : max;
	if (*plen > max) {
		NL_SET_ERR_MSG_ATTR(extack, tb[aplen],
				    "prefix length longer than the address");
		return -EINVAL;
	}
	memcpy(addr, nla_data(a), nla_len(a));
	return 0;
}

static int mqos_rule_set_mask(struct nlattr *a, u32 field, u8 *dst,
			      struct mqos_rule *r,
			      struct netlink_ext_ack *extack)
{
	if (!a)
		return 0;
	*dst = nla_get_u8(a);
	if (!*dst) {
		NL_SET_ERR_MSG_ATTR(extack, a, "empty set");
		return -EINVAL;
	}
	r->match |= field;
	return 0;
}

/* One MQOS_A_RULE nest into @r; *pref is left alone without a PREF. */
static int mqos_rule_parse(const struct nlattr *nest, struct mqos_rule *r,
			   u32 *pref, bool *has_pref,
			   struct netlink_ext_ack *extack)
{
	struct nlattr *tb[MQOS_RULE_A_MAX + 1];
	int err;

	err = nla_parse_nested(tb, MQOS_RULE_A_MAX, nest, mqos_rule_policy,
			       extack);
	if (err)
		return err;
	if (!tb[MQOS_RULE_A_CLASS]) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "MQOS_RULE_A_CLASS is required");
		return -EINVAL;
	}
	memset(r, 0, sizeof(*r));
	r->class_id = nla_get_u8(tb[MQOS_RULE_A_CLASS]);
	*has_pref = !!tb[MQOS_RULE_A_PREF];
	if (*has_pref)
		*pref = nla_get_u32(tb[MQOS_RULE_A_PREF]);

	if (tb[MQOS_RULE_A_DSCP]) {
		r->dscp = nla_get_u64(tb[MQOS_RULE_A_DSCP]);
		if (!r->dscp) {
			NL_SET_ERR_MSG_ATTR(extack, tb[MQOS_RULE_A_DSCP],
					    "empty DSCP set");
			return -EINVAL;
		}
		r->match |= MQOS_RULE_DSCP;
	}
	err = mqos_rule_set_mask(tb[MQOS_RULE_A_MQTT_QOS], MQOS_RULE_MQTT_QOS,
				 &r->mqtt_qos, r, extack);
	err = err ?: mqos_rule_set_mask(tb[MQOS_RULE_A_KINDS], MQOS_RULE_KIND,
					&r->kinds, r, extack);
	err = err ?: mqos_rule_set_mask(tb[MQOS_RULE_A_SN_QOS],
					MQOS_RULE_SN_QOS, &r->sn_qos, r, extack);
	if (err)
		return err;
	if (tb[MQOS_RULE_A_TOPIC]) {
		r->topic_len = nla_len(tb[MQOS_RULE_A_TOPIC]);
		memcpy(r->topic, nla_data(tb[MQOS_RULE_A_TOPIC]), r->topic_len);
		r->match |= MQOS_RULE_TOPIC;
	}
	if (tb[MQOS_RULE_A_PROTO]) {
		r->proto = nla_get_u8(tb[MQOS_RULE_A_PROTO]);
		r->match |= MQOS_RULE_PROTO;
	}
	if (tb[MQOS_RULE_A_SPORT_MIN] || tb[MQOS_RULE_A_SPORT_MAX]) {
		err = mqos_rule_ports(tb, MQOS_RULE_A_SPORT_MIN,
				      MQOS_RULE_A_SPORT_MAX, &r->sport_lo,
				      &r->sport_hi, extack);
		if (err)
			return err;
		r->match |= MQOS_RULE_SPORT;
	}
	if (tb[MQOS_RULE_A_DPORT_MIN] || tb[MQOS_RULE_A_DPORT_MAX]) {
		err = mqos_rule_ports(tb, MQOS_RULE_A_DPORT_MIN,
				      MQOS_RULE_A_DPORT_MAX, &r->dport_lo,
				      &r->dport_hi, extack);
		if (err)
			return err;
		r->match |= MQOS_RULE_DPORT;
	}
	err = mqos_rule_addr(tb, MQOS_RULE_A_SRC, MQOS_RULE_A_SRC_PLEN, r,
			     r->src, &r->src_plen, extack);
	err = err ?: mqos_rule_addr(tb, MQOS_RULE_A_DST, MQOS_RULE_A_DST_PLEN,
				    r, r->dst, &r->dst_plen, extack);
	if (err)
		return err;
	if (tb[MQOS_RULE_A_SRC])
		r->match |= MQOS_RULE_SADDR;
	if (tb[MQOS_RULE_A_DST])
		r->match |= MQOS_RULE_DADDR;
	if (tb[MQOS_RULE_A_IIF]) {
		r->iif = nla_get_u32(tb[MQOS_RULE_A_IIF]);
		r->match |= MQOS_RULE_IIF;
	}
	if (tb[MQOS_RULE_A_OIF]) {
		r->oif = nla_get_u32(tb[MQOS_RULE_A_OIF]);
		r->match |= MQOS_RULE_OIF;
	}
	return 0;
}

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

/* ---- encoding ---------------------------------------------------------- */

int mqos_rule_put(struct sk_buff *skb, int type,
		  const struct mqos_ctl_rules *t, u32 idx)
{
	const struct mqos_rule *r = &t->krs->rs.rules[idx];
	int alen = r->family == 4 ? 4 : 16;
	struct nlattr *nest;
	u64 packets, bytes;
	u32 m = r->match;

	mqos_rules_read_hits(t->krs, idx, &packets, &bytes);
	nest = nla_nest_start(skb, type);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, MQOS_RULE_A_PREF, t->pref[idx]) ||
	    nla_put_u8(skb, MQOS_RULE_A_CLASS, r->class_id))
		goto cancel;
	if ((m & MQOS_RULE_DSCP) &&
	    nla_put_u64_64bit(skb, MQOS_RULE_A_DSCP, r->dscp, MQOS_RULE_A_PAD))
		goto cancel;
	if ((m & MQOS_RULE_MQTT_QOS) &&
	    nla_put_u8(skb, MQOS_RULE_A_MQTT_QOS, r->mqtt_qos))
		goto cancel;
	if ((m & MQOS_RULE_KIND) && nla_put_u8(skb, MQOS_RULE_A_KINDS, r->kinds))
		goto cancel;
	if ((m & MQOS_RULE_TOPIC) &&
	    nla_put(skb, MQOS_RULE_A_TOPIC, r->topic_len, r->topic))
		goto cancel;
	if ((m & MQOS_RULE_SN_QOS) &&
	    nla_put_u8(skb, MQOS_RULE_A_SN_QOS, r->sn_qos))
		goto cancel;
	if ((m & MQOS_RULE_PROTO) && nla_put_u8(skb, MQOS_RULE_A_PROTO, r->proto))
		goto cancel;
	if ((m & MQOS_RULE_SPORT) &&
	    (nla_put_u16(skb, MQOS_RULE_A_SPORT_MIN, r->sport_lo) ||
	     nla_put_u16(skb, MQOS_RULE_A_SPORT_MAX, r->sport_hi)))
		goto cancel;
	if ((m & MQOS_RULE_DPORT) &&
	    (nla_put_u16(skb, MQOS_RULE_A_DPORT_MIN, r->dport_lo) ||
	     nla_put_u16(skb, MQOS_RULE_A_DPORT_MAX, r->dport_hi)))
		goto cancel;
	if ((m & MQOS_RULE_SADDR) &&
	    (nla_put(skb, MQOS_RULE_A_SRC, alen, r->src) ||
	     nla_put_u8(skb, MQOS_RULE_A_SRC_PLEN, r->src_plen)))
		goto cancel;
	if ((m & MQOS_RULE_DADDR) &&
	    (nla_put(skb, MQOS_RULE_A_DST, alen, r->dst) ||
	     nla_put_u8(skb, MQOS_RULE_A_DST_PLEN, r->dst_plen)))
		goto cancel;
	if ((m & MQOS_RULE_IIF) && nla_put_u32(skb, MQOS_RULE_A_IIF, r->iif))
		goto cancel;
	if ((m & MQOS_RULE_OIF) && nla_put_u32(skb, MQOS_RULE_A_OIF, r->oif))
		goto cancel;
	if (nla_put_u64_64bit(skb, MQOS_RULE_A_HITS_PACKETS, packets,
			      MQOS_RULE_A_PAD) ||
	    nla_put_u64_64bit(skb, MQOS_RULE_A_HITS_BYTES, bytes,
			      MQOS_RULE_A_PAD))
		goto cancel;
	nla_nest_end(skb, nest);
	return 0;

cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
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
