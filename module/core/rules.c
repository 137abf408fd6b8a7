// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Rule matching, validation and the DSCP x MQTT-QoS fast table.
 */
#include <uapi/linux/mqos.h>

#include "rules.h"

const struct mqos_cls_cfg mqos_cls_default_cfg = {
	.mqtt_ports = { 1883 },
	.sn_ports = { 1883, 1884 },
	.mode = MQOS_MODE_FLOW,
};

bool mqos_cls_cfg_equal(const struct mqos_cls_cfg *a,
			const struct mqos_cls_cfg *b)
{
	int i;

	for (i = 0; i < MQOS_CFG_PORTS; i++)
		if (a->mqtt_ports[i] != b->mqtt_ports[i] ||
		    a->sn_ports[i] != b->sn_ports[i])
			return false;
	return a->mode == b->mode && a->fallback == b->fallback;
}

#define FAST_FIELDS	(MQOS_RULE_DSCP | MQOS_RULE_MQTT_QOS)

static void prefix_mask(u32 mask[4], u8 plen)
{
	u8 b[16];
	int i;

	for (i = 0; i < 16; i++) {
		if (plen >= 8)
			b[i] = 0xff;
		else
			b[i] = (u8)(0xff00 >> plen);
		plen = plen >= 8 ? plen - 8 : 0;
	}
	memcpy(mask, b, 16);
}

static bool addr_match(const u32 a[4], const u32 v[4], const u32 m[4])
{
	return ((a[0] & m[0]) == v[0]) & ((a[1] & m[1]) == v[1]) &
	       ((a[2] & m[2]) == v[2]) & ((a[3] & m[3]) == v[3]);
}

static bool topic_match(const struct mqos_rule *r, const struct mqos_mqtt *m)
{
	if (!m || !(m->flags & MQOS_MQTT_F_TOPIC))
		return false;
	/* A prefix longer than the bytes kept cannot be decided. */
	if (r->topic_len > m->topic_len)
		return false;
	return !memcmp(r->topic, m->topic, r->topic_len);
}

bool mqos_rule_match(const struct mqos_rule *r, const struct mqos_key *k)
{
	const struct mqos_pkt *p = k->pkt;
	u32 f = r->match;

	if (!f)
		return true;
	if (f & (MQOS_RULE_DSCP | MQOS_RULE_PROTO | MQOS_RULE_SADDR |
		 MQOS_RULE_DADDR)) {
		if (!p->family)
			return false;
		if ((f & MQOS_RULE_DSCP) &&
		    !(r->dscp & ((u64)1 << mqos_pkt_dscp(p))))
			return false;
		if ((f & MQOS_RULE_PROTO) && r->proto != p->l4proto)
			return false;
		if ((f & (MQOS_RULE_SADDR | MQOS_RULE_DADDR)) &&
		    r->family != p->family)
			return false;
		if ((f & MQOS_RULE_SADDR) &&
		    !addr_match(p->saddr, r->src, r->src_mask))
			return false;
		if ((f & MQOS_RULE_DADDR) &&
		    !addr_match(p->daddr, r->dst, r->dst_mask))
			return false;
	}
	if (f & (MQOS_RULE_SPORT | MQOS_RULE_DPORT)) {
		if (!(p->flags & MQOS_PKT_L4))
			return false;
		if ((f & MQOS_RULE_SPORT) &&
		    (p->sport < r->sport_lo || p->sport > r->sport_hi))
			return false;
		if ((f & MQOS_RULE_DPORT) &&
		    (p->dport < r->dport_lo || p->dport > r->dport_hi))
			return false;
	}
	if ((f & MQOS_RULE_MQTT_QOS) &&
	    (k->qos < 0 || !(r->mqtt_qos & BIT(k->qos))))
		return false;
	if ((f & MQOS_RULE_KIND) && !(r->kinds & k->kinds))
		return false;
	if ((f & MQOS_RULE_SN_QOS) &&
	    (k->sn_qos < -1 ||
	     !(r->sn_qos & BIT(k->sn_qos < 0 ? MQOS_SN_QOS_BIT_M1 : k->sn_qos))))
		return false;
	if ((f & MQOS_RULE_TOPIC) && !topic_match(r, k->mqtt))
		return false;
	if ((f & MQOS_RULE_IIF) && r->iif != k->iif)
		return false;
	if ((f & MQOS_RULE_OIF) && r->oif != k->oif)
		return false;
	return true;
}

int mqos_ruleset_scan(const struct mqos_ruleset *rs, const struct mqos_key *k)
{
	u32 i;

	for (i = 0; i < rs->n; i++)
		if (mqos_rule_match(&rs->rules[i], k))
			return (int)i;
	return -1;
}

int mqos_ruleset_lookup(const struct mqos_ruleset *rs,
			const struct mqos_key *k)
{
	if (rs->flags & MQOS_RS_FAST) {
		if (!k->pkt->family)
			return mqos_ruleset_scan(rs, k);
		return rs->fast[mqos_pkt_dscp(k->pkt)][k->qos + 1];
	}
	return mqos_ruleset_scan(rs, k);
}

static const char *rule_check(struct mqos_rule *r)
{
	u8 max;
	int i;

	if (r->class_id < 1 || r->class_id > MQOS_MAX_CLASSES)
		return "class out of range";
	if (r->match & ~(u32)MQOS_RULE_ALL)
		return "unknown match field";
	if ((r->match & MQOS_RULE_DSCP) && !r->dscp)
		return "empty DSCP set";
	if ((r->match & MQOS_RULE_MQTT_QOS) &&
	    (!r->mqtt_qos || (r->mqtt_qos & ~7u)))
		return "MQTT QoS set empty or not within 0..2";
	if ((r->match & MQOS_RULE_KIND) &&
	    (!r->kinds || (r->kinds & ~(u32)MQOS_KIND_ALL)))
		return "MQTT kind set empty or unknown";
	if ((r->match & MQOS_RULE_SN_QOS) &&
	    (!r->sn_qos || (r->sn_qos & ~0xfu)))
		return "MQTT-SN QoS set empty or not within -1..2";
	if ((r->match & MQOS_RULE_TOPIC) && r->topic_len > MQOS_TOPIC_MAX)
		return "topic prefix too long";
	if ((r->match & MQOS_RULE_SPORT) && r->sport_lo > r->sport_hi)
		return "source port range reversed";
	if ((r->match & MQOS_RULE_DPORT) && r->dport_lo > r->dport_hi)
		return "destination port range reversed";
	if (r->match & (MQOS_RULE_SADDR | MQOS_RULE_DADDR)) {
		if (r->family != 4 && r->family != 6)
			return "address family must be 4 or 6";
		max = r->family == 4 ? 32 : 128;
		if (r->src_plen > max || r->dst_plen > max)
			return "prefix length too long";
	}
	/* Normalise: host bits off, so that matching is one compare. */
	prefix_mask(r->src_mask, (r->match & MQOS_RULE_SADDR) ? r->src_plen : 0);
	prefix_mask(r->dst_mask, (r->match & MQOS_RULE_DADDR) ? r->dst_plen : 0);
	for (i = 0; i < 4; i++) {
		r->src[i] &= r->src_mask[i];
		r->dst[i] &= r->dst_mask[i];
	}
	return NULL;
}

static s16 fast_first(const struct mqos_ruleset *rs, u8 dscp, int q)
{
	u32 i;

	for (i = 0; i < rs->n; i++) {
		const struct mqos_rule *r = &rs->rules[i];

		if ((r->match & MQOS_RULE_DSCP) && !(r->dscp & ((u64)1 << dscp)))
			continue;
		if ((r->match & MQOS_RULE_MQTT_QOS) &&
		    (q < 0 || !(r->mqtt_qos & BIT(q))))
			continue;
		return (s16)i;
	}
	return -1;
}

int mqos_ruleset_compile(struct mqos_ruleset *rs, u32 *bad, const char **why)
{
	bool fast = true;
	u32 i, f;
	int d, q;

	rs->flags = 0;
	if (rs->n > MQOS_MAX_RULES) {
		*bad = MQOS_MAX_RULES;
		*why = "too many rules";
		return -1;
	}
	for (i = 0; i < rs->n; i++) {
		struct mqos_rule *r = &rs->rules[i];
		const char *err = rule_check(r);

		if (err) {
			*bad = i;
			*why = err;
			return -1;
		}
		f = r->match;
		if (f & ~(u32)FAST_FIELDS)
			fast = false;
		if (f & (MQOS_RULE_MQTT_QOS | MQOS_RULE_KIND | MQOS_RULE_TOPIC))
			rs->flags |= MQOS_RS_NEED_MQTT;
		if (f & MQOS_RULE_TOPIC)
			rs->flags |= MQOS_RS_NEED_TOPIC;
		if (f & (MQOS_RULE_SN_QOS | MQOS_RULE_KIND))
			rs->flags |= MQOS_RS_NEED_SN;
	}
	if (!fast)
		return 0;
	for (d = 0; d < 64; d++)
		for (q = -1; q <= 2; q++)
			rs->fast[d][q + 1] = fast_first(rs, (u8)d, q);
	rs->flags |= MQOS_RS_FAST;
	return 0;
}
