/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Rule table: ordered, first match wins, no match -> the caller's default.
 *
 * A rule matches when every field named in ->match matches (AND); a rule
 * with ->match == 0 matches every packet. Fields:
 *
 *   DSCP       the packet's DSCP is in ->dscp (bit d = DSCP d). Non-IP
 *              packets never match.
 *   MQTT_QOS   an MQTT segment (TCP) whose highest PUBLISH QoS q has bit q
 *              set in ->mqtt_qos. Segments without a PUBLISH, unknown or
 *              malformed ones never match.
 *   KIND       some MQTT or MQTT-SN packet of a kind in ->kinds
 *              (MQOS_KIND_*, mqtt.h) is in the segment/datagram.
 *   TOPIC      the first PUBLISH topic in the segment starts with
 *              ->topic[0..topic_len) (at most MQOS_TOPIC_MAX bytes; an
 *              empty prefix matches any PUBLISH).
 *   SN_QOS     an MQTT-SN PUBLISH whose QoS is in ->sn_qos (bits 0..2 =
 *              QoS 0..2, bit 3 = QoS -1).
 *   PROTO      the L4 protocol (also known for non-first fragments).
 *   SPORT      source port in [sport_lo, sport_hi] (packets with ports
 *   DPORT      only: TCP, UDP, UDP-Lite, SCTP, DCCP, first fragments).
 *   SADDR      source / destination address in a prefix of ->family
 *   DADDR      (4 or 6); other families never match.
 *   IIF, OIF   input / output interface index.
 *
 * mqos_ruleset_compile() validates the rules and prepares matching. When
 * every rule uses only DSCP and/or MQTT_QOS, it also fills a table indexed
 * by [DSCP][MQTT QoS + 1] giving the first matching rule, so that lookup
 * is one load whatever the number of rules (the "fast" path); otherwise
 * lookup scans the rules in order.
 */
#ifndef MQOS_CORE_RULES_H
#define MQOS_CORE_RULES_H

#include "env.h"
#include "mqtt.h"
#include "pkt.h"

#define MQOS_MAX_RULES		4096

#define MQOS_RULE_DSCP		BIT(0)
#define MQOS_RULE_MQTT_QOS	BIT(1)
#define MQOS_RULE_KIND		BIT(2)
#define MQOS_RULE_TOPIC		BIT(3)
#define MQOS_RULE_SN_QOS	BIT(4)
#define MQOS_RULE_PROTO		BIT(5)
#define MQOS_RULE_SPORT		BIT(6)
#define MQOS_RULE_DPORT		BIT(7)
#define MQOS_RULE_SADDR		BIT(8)
#define MQOS_RULE_DADDR		BIT(9)
#define MQOS_RULE_IIF		BIT(10)
#define MQOS_RULE_OIF		BIT(11)
#define MQOS_RULE_ALL		0xfff

#define MQOS_SN_QOS_BIT_M1	3	/* sn_qos bit for QoS -1 */

/*
 * 176 bytes. The fields the generic scan tests first are in the first
 * 64 bytes; addresses and the topic come after.
 */
struct mqos_rule {
	u64 dscp;		/* DSCP set */
	u32 match;		/* MQOS_RULE_* */
	u8 mqtt_qos;		/* bits 0..2 */
	u8 kinds;		/* MQOS_KIND_* */
	u8 sn_qos;		/* bits 0..3, see MQOS_SN_QOS_BIT_M1 */
	u8 proto;		/* IPPROTO_* */
	u16 sport_lo, sport_hi;
	u16 dport_lo, dport_hi;
	s32 iif, oif;
	u8 family;		/* 4 or 6, for SADDR/DADDR */
	u8 src_plen, dst_plen;	/* prefix lengths */
	u8 class_id;		/* 1..MQOS_MAX_CLASSES */
	u8 topic_len;
	u8 pad[7];
	u32 src[4], src_mask[4];	/* network order; masks by compile */
	u32 dst[4], dst_mask[4];
	char topic[MQOS_TOPIC_MAX];
};

/* MQTT and MQTT-SN ports and mode that go with a rule table. */
#define MQOS_CFG_PORTS		4	/* = MQOS_PORTS_MAX of the UAPI */

enum mqos_mqtt_mode {
	/*
	 * Default for MQTT over TCP: only a PUBLISH (its QoS, topic) earns a
	 * class from MQTT; control packets and acks get the class DSCP/ports
	 * give (a flow-sticky caller keeps the connection's class).
	 */
	MQOS_MODE_FLOW = 0,
	/* Per packet: control packets -> control, acks by their QoS level. */
	MQOS_MODE_PACKET = 1,
};

struct mqos_cls_cfg {
	u16 mqtt_ports[MQOS_CFG_PORTS];	/* TCP, either direction; 0 = unused */
	u16 sn_ports[MQOS_CFG_PORTS];	/* UDP, either direction */
	u8 mode;			/* enum mqos_mqtt_mode, for TCP */
	/*
	 * A packet no rule matches: MQOS_RULE_DEFAULT_MAP (0, the default
	 * map, as without rules), a class 1..MQOS_MAX_CLASSES, or
	 * MQOS_RULE_DEFAULT_DEVICE (class 0 to the caller: the qdisc's
	 * default class).
	 */
	u8 fallback;
};

/*
 * TCP 1883; UDP 1883 and 1884 (common MQTT-SN gateway ports); flow; the
 * default map for packets no rule matches.
 */
extern const struct mqos_cls_cfg mqos_cls_default_cfg;

/* Same ports (in the same order, unused slots 0) and mode. */
bool mqos_cls_cfg_equal(const struct mqos_cls_cfg *a,
			const struct mqos_cls_cfg *b);

/* struct mqos_ruleset.flags, set by compile */
#define MQOS_RS_FAST		BIT(0)	/* fast[][] is valid */
#define MQOS_RS_NEED_MQTT	BIT(1)	/* some rule looks at MQTT */
#define MQOS_RS_NEED_TOPIC	BIT(2)	/* some rule looks at the topic */
#define MQOS_RS_NEED_SN		BIT(3)	/* some rule looks at MQTT-SN */

/*
 * A rule table. Allocate mqos_ruleset_size(n) bytes, zero it, set cfg, n
 * and rules[0..n), then mqos_ruleset_compile(). An empty table (n == 0)
 * means "no rules": the classifier uses the default map.
 */
struct mqos_ruleset {
	u32 n;
	u32 flags;			/* MQOS_RS_* */
	struct mqos_cls_cfg cfg;
	s16 fast[64][4];		/* [dscp][qos + 1]: rule or -1; 512 B */
	struct mqos_rule rules[];
};

/* What the rules look at, for one packet (built by the classifier). */
struct mqos_key {
	const struct mqos_pkt *pkt;
	const struct mqos_mqtt *mqtt;	/* NULL if not parsed / not MQTT */
	s32 iif, oif;
	s8 qos;				/* MQTT highest PUBLISH QoS, or -1 */
	s8 sn_qos;			/* MQTT-SN PUBLISH QoS, or -2 */
	u8 kinds;			/* MQOS_KIND_* of MQTT or MQTT-SN */
};

static inline u64 mqos_ruleset_size(u32 n)
{
	return sizeof(struct mqos_ruleset) + (u64)n * sizeof(struct mqos_rule);
}

/*
 * Validate and prepare. Returns 0, or -1 with *bad = index of the first
 * invalid rule and *why = a short reason (for netlink extack messages).
 */
int mqos_ruleset_compile(struct mqos_ruleset *rs, u32 *bad, const char **why);

/* Index of the first rule that matches @k, or -1. */
int mqos_ruleset_lookup(const struct mqos_ruleset *rs,
			const struct mqos_key *k);

/* The ordered scan alone (what lookup does without the fast table). */
int mqos_ruleset_scan(const struct mqos_ruleset *rs, const struct mqos_key *k);

/* Does rule @r match @k? */
bool mqos_rule_match(const struct mqos_rule *r, const struct mqos_key *k);

#endif /* MQOS_CORE_RULES_H */
