/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Packet -> class: the kernel-independent top of the classifier.
 *
 *  1. Packet view (pkt.h): DSCP, L4 protocol, ports, addresses.
 *  2. MQTT (mqtt.h) when TCP with a payload and either port is one of
 *     cfg.mqtt_ports; MQTT-SN (mqttsn.h) when UDP and either port is one of
 *     cfg.sn_ports. Parsed only when the rules look at MQTT or the
 *     default map may decide (cfg.fallback is MQOS_RULE_DEFAULT_MAP).
 *  3. Rules (rules.h), first match wins. A packet no rule matches (and
 *     every packet without rules) gets cfg.fallback: the default map
 *     below (MAP, the default: rules refine the map), a fixed class, or
 *     class 0 (DEVICE: the qdisc's default class).
 *
 * Default map, how DSCP and MQTT combine:
 *  - A segment with a well-formed MQTT PUBLISH takes the class of its
 *    highest QoS: 2 -> realtime, 1 -> assured, 0 -> best-effort, whatever
 *    the DSCP says: the application's own statement is the more specific.
 *    MQTT-SN likewise, with QoS -1 -> best-effort.
 *  - In MQOS_MODE_PACKET (and always for MQTT-SN, whose datagrams are not
 *    a byte stream), a segment without PUBLISH but with control or
 *    subscription packets -> control, with QoS 2 handshake packets
 *    (PUBREC/PUBREL/PUBCOMP) -> realtime, with PUBACK -> assured. When
 *    one segment carries several, the highest of them wins.
 *  - In MQOS_MODE_FLOW (the TCP default) only a PUBLISH earns a class;
 *    control packets and acks are classified by DSCP, so that a connection
 *    is not lifted to control by its own CONNECT (flow stickiness is
 *    kept by the conntrack-aware caller). The module asks
 *    for MQOS_MODE_PACKET (meta.packet_mode) whenever no flow state can
 *    speak for the packet: the hook off or in per-packet mode, or no
 *    conntrack entry (nf_hook.h, mqos_hook_per_packet()).
 *  - Otherwise the DSCP map (dscp.h). Non-IP packets: 0 (undecided).
 *  - A caller that frames the TCP stream (the hook, core/mqtt_stream.h)
 *    says where the segment's first MQTT header starts (meta.mqtt_frame):
 *    the walk starts there, or, when no header is known to start in the
 *    segment, MQTT is not read at all.
 *  - Malformed MQTT / MQTT-SN: as if it were not MQTT, and flagged --
 *    except MQTT-SN in a first IP fragment, whose message length runs
 *    past the fragment: not MQTT-SN, and not flagged.
 */
#ifndef MQOS_CORE_CLASSIFY_H
#define MQOS_CORE_CLASSIFY_H

#include "env.h"
#include "src.h"
#include "rules.h"

/* struct mqos_meta.mqtt_frame: what stream framing says of a TCP segment. */
enum mqos_mqtt_frame {
	MQOS_FRAME_NONE = 0,	/* no framing: the segment from its start */
	MQOS_FRAME_SKIP,	/* no header known to start here: not MQTT */
	MQOS_FRAME_AT,		/* headers start at payload + mqtt_skip */
};

/* Where the packet was, for IIF/OIF rules; what framing knows of it. */
struct mqos_meta {
	s32 iif;
	s32 oif;
	u8 packet_mode;		/* 1: MQOS_MODE_PACKET whatever cfg says */
	u8 mqtt_frame;		/* enum mqos_mqtt_frame (core/mqtt_stream.h) */
	u32 mqtt_skip;		/* MQOS_FRAME_AT: payload bytes before it */
};

/* struct mqos_cls_res.flags */
#define MQOS_CLS_MALFORMED	BIT(0)	/* MQTT/MQTT-SN malformed: count it */
#define MQOS_CLS_MQTT		BIT(1)	/* well-formed MQTT or MQTT-SN seen */
#define MQOS_CLS_PUBLISH	BIT(2)	/* the class was earned by a PUBLISH */
#define MQOS_CLS_DEFAULT_MAP	BIT(3)	/* no rule decided: the default map did */

/* 4 bytes. */
struct mqos_cls_res {
	u8 class_id;		/* 1..MQOS_MAX_CLASSES, 0 = undecided */
	u8 flags;		/* MQOS_CLS_* */
	s16 rule;		/* index of the matching rule, or -1 */
};

/*
 * Classify the packet whose bytes after an ethertype @ethertype (host
 * order) start at @off of @src (see mqos_pkt_parse()). @rs may be NULL
 * (default ports and map).
 */
void mqos_classify(const struct mqos_src *src, u32 off, u16 ethertype,
		   const struct mqos_meta *meta, const struct mqos_ruleset *rs,
		   struct mqos_cls_res *res);

/*
 * Same, for a packet already parsed from @src (mqos_pkt_parse()): a caller
 * that needs the packet view for more than the class parses it once.
 */
void mqos_classify_pkt(const struct mqos_src *src, const struct mqos_pkt *pkt,
		       const struct mqos_meta *meta,
		       const struct mqos_ruleset *rs, struct mqos_cls_res *res);

/* Same, for a source that starts with an Ethernet header. */
void mqos_classify_eth(const struct mqos_src *src,
		       const struct mqos_meta *meta,
		       const struct mqos_ruleset *rs, struct mqos_cls_res *res);

/* Default map of an MQTT or MQTT-SN PUBLISH QoS (0..2, or -1): a class. */
u8 mqos_default_qos_class(int qos);

#endif /* MQOS_CORE_CLASSIFY_H */
