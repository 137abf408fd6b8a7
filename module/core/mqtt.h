/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * MQTT 3.1, 3.1.1 and 5.0 over TCP: a bounded, defensive, stateless walk
 * of the control packets that start in one TCP segment.
 *
 * Stateless means the parser assumes the segment's payload starts at a
 * fixed header; it never scans forward for one. What it reports:
 *
 * MQOS_MQTT_NONE       no payload.
 * MQOS_MQTT_OK         every packet seen was well formed. The last one may
 *                      continue in a later segment (Remaining Length larger
 *                      than the bytes present; MQOS_MQTT_F_CONTINUES).
 * MQOS_MQTT_UNKNOWN    the first bytes are not a valid fixed header and the
 *                      segment does not look framed as MQTT: most likely
 *                      the middle of a message that began in an earlier
 *                      segment (large PUBLISH). Not guessed at, not counted.
 * MQOS_MQTT_MALFORMED  the segment is framed as MQTT - a valid packet came
 *                      first, or the first packet's Remaining Length ends
 *                      exactly at the segment end - but a packet breaks
 *                      the protocol (the list below). Counted by the caller.
 *
 * A packet breaks the protocol with: reserved type 0, wrong fixed-header
 * flags, a Remaining Length that is not minimally encoded (a digit after
 * the first that is 0, e.g. 30 80 00; MQTT 5.0 1.5.5) or has a 4th byte
 * with the continuation bit, a Remaining Length too small for the type, a
 * CONNECT without "MQTT"/"MQIsdp", and for a PUBLISH: QoS 3, DUP with
 * QoS 0, a topic longer than the packet, topic bytes (those in the
 * segment) that are not UTF-8 (RFC 3629: no overlong form, no surrogate,
 * nothing above U+10FFFF) or hold U+0000, '+' or '#' (3.1.1 4.7.3, 5.0
 * 4.7.3; a zero-length topic, MQTT 5's Topic Alias, is valid), a QoS 1/2
 * Packet Identifier 0 (when in the segment).
 *
 * The header chain must hold to the segment's end: every packet is
 * checked, the next one starts where the previous ends, and the last ends
 * exactly at the segment end or goes on after it. One break anywhere and
 * the segment gives no verdict at all (UNKNOWN or MALFORMED). There is no
 * cap on the packets walked: the walk is linear in the segment (a packet
 * takes at least 2 bytes), so a QoS 2 PUBLISH behind any number of QoS 0
 * ones is seen.
 *
 * Flags checked per type (value of the low nibble):
 *   CONNECT 0, CONNACK 0, PUBLISH DUP/QoS/RETAIN, PUBACK 0, PUBREC 0,
 *   PUBREL 2, SUBSCRIBE 2, UNSUBSCRIBE 2 (and 0xA for the three: MQTT 3.1
 *   clients set DUP on retries), SUBACK 0, UNSUBACK 0, PINGREQ 0,
 *   PINGRESP 0, DISCONNECT 0, AUTH 0 (v5).
 * Remaining Length minimum per type, the smallest any of the versions
 * allows (the version is not known without connection state):
 *   CONNECT 10, CONNACK 2, PUBLISH 2 (+2 for QoS > 0), PUBACK/PUBREC/
 *   PUBREL/PUBCOMP 2 (v5: 2, 3 with reason code, more with properties),
 *   SUBSCRIBE 5, SUBACK 3, UNSUBSCRIBE 4, UNSUBACK 2, PINGREQ/PINGRESP 0
 *   (exactly), DISCONNECT/AUTH any.
 *
 * Kinds (a bit set over all packets seen):
 *   PUBLISH    PUBLISH
 *   ACK1       PUBACK (the QoS 1 acknowledgment)
 *   ACK2       PUBREC, PUBREL, PUBCOMP (the QoS 2 handshake)
 *   CONTROL    CONNECT, CONNACK, PINGREQ, PINGRESP, DISCONNECT, AUTH
 *   SUBSCRIBE  SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK (session set-up;
 *              the default map treats it like CONTROL)
 */
#ifndef MQOS_CORE_MQTT_H
#define MQOS_CORE_MQTT_H

#include "env.h"
#include "src.h"

#define MQOS_TOPIC_MAX		64	/* topic bytes kept (and prefix max) */

enum mqos_mqtt_status {
	MQOS_MQTT_NONE = 0,
	MQOS_MQTT_OK,
	MQOS_MQTT_UNKNOWN,
	MQOS_MQTT_MALFORMED,
};

enum mqos_mqtt_type {
	MQOS_MQTT_CONNECT = 1,
	MQOS_MQTT_CONNACK,
	MQOS_MQTT_PUBLISH,
	MQOS_MQTT_PUBACK,
	MQOS_MQTT_PUBREC,
	MQOS_MQTT_PUBREL,
	MQOS_MQTT_PUBCOMP,
	MQOS_MQTT_SUBSCRIBE,
	MQOS_MQTT_SUBACK,
	MQOS_MQTT_UNSUBSCRIBE,
	MQOS_MQTT_UNSUBACK,
	MQOS_MQTT_PINGREQ,
	MQOS_MQTT_PINGRESP,
	MQOS_MQTT_DISCONNECT,
	MQOS_MQTT_AUTH,
};

/* Kinds: shared by MQTT and MQTT-SN, and by rules. */
#define MQOS_KIND_PUBLISH	BIT(0)
#define MQOS_KIND_ACK1		BIT(1)
#define MQOS_KIND_ACK2		BIT(2)
#define MQOS_KIND_CONTROL	BIT(3)
#define MQOS_KIND_SUBSCRIBE	BIT(4)
#define MQOS_KIND_ALL		0x1f

/* struct mqos_mqtt.flags */
#define MQOS_MQTT_F_CONTINUES	BIT(0)	/* last packet goes on after the segment */
#define MQOS_MQTT_F_TOPIC	BIT(2)	/* topic/topic_len hold the first PUBLISH topic */

/* Ask mqos_mqtt_parse() to copy the first PUBLISH topic. */
#define MQOS_MQTT_WANT_TOPIC	BIT(0)

/* 10 bytes + topic (74 bytes). On the stack, once per MQTT segment. */
struct mqos_mqtt {
	u8 status;		/* enum mqos_mqtt_status */
	u8 kinds;		/* MQOS_KIND_* */
	s8 max_qos;		/* highest PUBLISH QoS, -1 if none */
	u8 flags;		/* MQOS_MQTT_F_* */
	u16 npdus;		/* packets walked (saturates at 0xffff) */
	u8 topic_len;		/* bytes in topic[] (<= MQOS_TOPIC_MAX) */
	u8 pad;
	u16 topic_full;		/* the topic's length in the packet */
	char topic[MQOS_TOPIC_MAX];	/* not NUL-terminated */
};

/*
 * The @n bytes at @p are a valid MQTT topic name, or its start when
 * !@whole (a sequence cut at the end is then not an error). The rules
 * are listed above.
 */
bool mqos_mqtt_topic_valid(const u8 *p, u32 n, bool whole);

/*
 * Decode a Remaining Length from the @avail bytes at @p (the bytes after
 * the fixed header's first byte). Returns the number of bytes it takes
 * (1..4) and sets *rl; 0 if @avail ends before it does; -1 if malformed
 * (a 4th byte with the continuation bit, or not minimally encoded).
 */
int mqos_mqtt_rl_decode(const u8 *p, u32 avail, u32 *rl);

/*
 * A fixed header's first byte alone (type and flags) is valid; with its
 * Remaining Length @rl too (the minimum of the type). The rules above.
 */
bool mqos_mqtt_first_ok(u8 b0);
bool mqos_mqtt_fixed_ok(u8 b0, u32 rl);

/*
 * Walk the MQTT packets in [off, end) of @src. @want: MQOS_MQTT_WANT_*.
 * Always fills @m.
 */
void mqos_mqtt_parse(struct mqos_mqtt *m, const struct mqos_src *src,
		     u32 off, u32 end, u32 want);

#endif /* MQOS_CORE_MQTT_H */
