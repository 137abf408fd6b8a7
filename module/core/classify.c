// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Packet -> class. The order of decisions is described in classify.h.
 */
#include <uapi/linux/mqos.h>

#include "classify.h"
#include "dscp.h"
#include "mqttsn.h"

static bool port_in(const u16 *ports, const struct mqos_pkt *p)
{
	int i;

	for (i = 0; i < MQOS_CFG_PORTS; i++)
		if (ports[i] && (ports[i] == p->sport || ports[i] == p->dport))
			return true;
	return false;
}

u8 mqos_default_qos_class(int qos)
{
	switch (qos) {
	case 2:
		return MQOS_CLASS_REALTIME;
	case 1:
		return MQOS_CLASS_ASSURED;
	default:
		return MQOS_CLASS_BEST_EFFORT;	/* 0 and MQTT-SN -1 */
	}
}

/* Default map for what MQTT says, or 0 if MQTT does not decide. */
static u8 default_mqtt_class(const struct mqos_key *k, bool per_packet)
{
	if (k->kinds & MQOS_KIND_PUBLISH)
		return mqos_default_qos_class(k->qos >= 0 ? k->qos : k->sn_qos);
	if (!per_packet)
		return 0;
	if (k->kinds & (MQOS_KIND_CONTROL | MQOS_KIND_SUBSCRIBE))
		return MQOS_CLASS_CONTROL;
	if (k->kinds & MQOS_KIND_ACK2)
		return MQOS_CLASS_REALTIME;
	if (k->kinds & MQOS_KIND_ACK1)
		return MQOS_CLASS_ASSURED;
	return 0;
}

/*
 * Read MQTT (TCP, if @tcp) or MQTT-SN (UDP, if @udp) on the configured
 * ports into @k (@mqtt holds what k->mqtt points to). MQTT is read where
 * the hook's stream framing says a header starts, or not at all when it
 * says the position is unknown (@meta); without framing, from the start
 * of the payload.
 */
static void mqtt_read(const struct mqos_src *src, const struct mqos_pkt *pkt,
		      const struct mqos_meta *meta,
		      const struct mqos_cls_cfg *cfg, bool tcp, bool udp,
		      u32 want, struct mqos_mqtt *mqtt, struct mqos_key *k,
		      struct mqos_cls_res *res, bool *per_packet)
{
	u32 from = pkt->payload_off;

	if (!(pkt->flags & MQOS_PKT_PAYLOAD))
		return;
	if (tcp && pkt->l4proto == MQOS_IPPROTO_TCP &&
	    port_in(cfg->mqtt_ports, pkt)) {
		if (meta && meta->mqtt_frame == MQOS_FRAME_SKIP)
			return;
		if (meta && meta->mqtt_frame == MQOS_FRAME_AT)
			from += min_t(u32, meta->mqtt_skip, pkt->end - from);
		mqos_mqtt_parse(mqtt, src, from, pkt->end, want);
		if (mqtt->status == MQOS_MQTT_OK) {
			k->mqtt = mqtt;
			k->qos = mqtt->max_qos;
			k->kinds = mqtt->kinds;
			res->flags |= MQOS_CLS_MQTT;
		} else if (mqtt->status == MQOS_MQTT_MALFORMED) {
			res->flags |= MQOS_CLS_MALFORMED;
		}
	} else if (udp && pkt->l4proto == MQOS_IPPROTO_UDP &&
		   port_in(cfg->sn_ports, pkt)) {
		struct mqos_mqttsn sn;

		mqos_mqttsn_parse(&sn, src, pkt->payload_off, pkt->end);
		if (sn.status == MQOS_MQTTSN_OK) {
			k->sn_qos = sn.qos;
			k->kinds = sn.kinds;
			res->flags |= MQOS_CLS_MQTT;
			*per_packet = true;
		} else if (sn.status == MQOS_MQTTSN_MALFORMED &&
			   !(pkt->flags & MQOS_PKT_FRAG)) {
			/*
			 * A first fragment (MQOS_PKT_PAYLOAD is never set on
			 * a later one) holds only the start of the datagram:
			 * the message length runs past it, so a cut message
			 * cannot be told from a malformed one. Not counted;
			 * like the later fragments, not an MQTT-SN match.
			 */
			res->flags |= MQOS_CLS_MALFORMED;
		}
	}
}

void mqos_classify_pkt(const struct mqos_src *src, const struct mqos_pkt *pkt,
		       const struct mqos_meta *meta,
		       const struct mqos_ruleset *rs, struct mqos_cls_res *res)
{
	const struct mqos_cls_cfg *cfg = rs ? &rs->cfg : &mqos_cls_default_cfg;
	bool rules = rs && rs->n;
	/* The default map decides what no rule matches (or everything). */
	bool map = cfg->fallback == MQOS_RULE_DEFAULT_MAP;
	bool rules_mqtt = rules && (rs->flags & MQOS_RS_NEED_MQTT);
	bool rules_sn = rules && (rs->flags & MQOS_RS_NEED_SN);
	struct mqos_mqtt mqtt;
	struct mqos_key k;
	bool per_packet;
	int idx;
	u8 cls;

	k.pkt = pkt;
	k.mqtt = NULL;
	k.iif = meta ? meta->iif : 0;
	k.oif = meta ? meta->oif : 0;
	k.qos = -1;
	k.sn_qos = MQOS_MQTTSN_NO_QOS;
	k.kinds = 0;
	res->flags = 0;
	res->rule = -1;
	res->class_id = 0;
	per_packet = cfg->mode == MQOS_MODE_PACKET ||
		     (meta && meta->packet_mode);

	/*
	 * Before the rules, only what they look at (without rules, what the
	 * map looks at); what the map needs besides, only for a packet no
	 * rule matched (below). A rule set on DSCP or addresses costs no
	 * MQTT parse for the packets it classifies.
	 */
	mqtt_read(src, pkt, meta, cfg, rules ? rules_mqtt : map,
		  rules ? rules_sn : map,
		  rules_mqtt && (rs->flags & MQOS_RS_NEED_TOPIC) ?
		  MQOS_MQTT_WANT_TOPIC : 0, &mqtt, &k, res, &per_packet);

	if (rules) {
		idx = mqos_ruleset_lookup(rs, &k);
		if (idx >= 0) {
			const struct mqos_rule *r = &rs->rules[idx];

			res->rule = (s16)idx;
			res->class_id = r->class_id;
			if (r->match & (MQOS_RULE_MQTT_QOS | MQOS_RULE_TOPIC |
					MQOS_RULE_SN_QOS))
				res->flags |= MQOS_CLS_PUBLISH;
			return;
		}
	}
	if (!map) {
		/* A class, or 0: the caller's (the qdisc's) default class. */
		if (cfg->fallback != MQOS_RULE_DEFAULT_DEVICE)
			res->class_id = cfg->fallback;
		return;
	}
	if (rules)	/* what the rules did not read, the map needs */
		mqtt_read(src, pkt, meta, cfg, !rules_mqtt, !rules_sn, 0,
			  &mqtt, &k, res, &per_packet);

	res->flags |= MQOS_CLS_DEFAULT_MAP;
	cls = default_mqtt_class(&k, per_packet);
	if (cls) {
		if (k.kinds & MQOS_KIND_PUBLISH)
			res->flags |= MQOS_CLS_PUBLISH;
		res->class_id = cls;
		return;
	}
	if (pkt->family)
		res->class_id = mqos_dscp_default_map[mqos_pkt_dscp(pkt)];
}

void mqos_classify(const struct mqos_src *src, u32 off, u16 ethertype,
		   const struct mqos_meta *meta, const struct mqos_ruleset *rs,
		   struct mqos_cls_res *res)
{
	struct mqos_pkt pkt;

	mqos_pkt_parse(&pkt, src, off, ethertype);
	mqos_classify_pkt(src, &pkt, meta, rs, res);
}

void mqos_classify_eth(const struct mqos_src *src,
		       const struct mqos_meta *meta,
		       const struct mqos_ruleset *rs, struct mqos_cls_res *res)
{
	u8 buf[MQOS_ETH_HLEN];
	const u8 *h = mqos_src_read(src, 0, MQOS_ETH_HLEN, buf);

	mqos_classify(src, MQOS_ETH_HLEN, h ? mqos_get_be16(h + 12) : 0,
		      meta, rs, res);
}
