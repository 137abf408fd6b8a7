// SPDX-License-Identifier: GPL-2.0
/*
 * One rule as MQOS_RULE_A_* attributes: the strict policy, the decoding
 * of an MQOS_A_RULE nest into struct mqos_rule (every refusal names its
 * attribute in the extack), and the encoding of a rule with its hit
 * counters. What a whole table must satisfy (the core's compile) and how
 * it is swapped in are genl_rules.c's.
 */
#include <linux/kernel.h>
#include <linux/string.h>
#include <net/genetlink.h>
#include <uapi/linux/mqos.h>

#include "genl.h"
#include "ruleset.h"

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

int mqos_rule_parse(const struct nlattr *nest, struct mqos_rule *r,
		    u32 *pref, bool *has_pref, struct netlink_ext_ack *extack)
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
