/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * MQTT-SN 1.2 over UDP: one message per datagram.
 *
 * Length: one octet (2..255), or 0x01 followed by a 16-bit length (the
 * 3-octet form). The length covers the whole message, length octets
 * included; it must fit in the datagram (bytes after it are ignored).
 *
 * PUBLISH flags: DUP(7) QoS(6..5) RETAIN(4) WILL(3) CLEAN(2) TOPICIDTYPE
 * (1..0); QoS bits 00/01/10/11 are QoS 0/1/2/-1; topic id type 11 is
 * reserved (malformed). A PUBLISH is at least 7 octets.
 *
 * Forwarder encapsulation (type 0xFE): Length, 0xFE, Ctrl, Wireless Node
 * Id; the encapsulated message follows the encapsulation header, whose
 * Length covers only itself. One level: an encapsulated 0xFE is malformed.
 *
 * Kinds (as for MQTT, MQOS_KIND_*): PUBLISH; ACK1 = PUBACK; ACK2 =
 * PUBREC, PUBREL, PUBCOMP; SUBSCRIBE = REGISTER, REGACK, SUBSCRIBE,
 * SUBACK, UNSUBSCRIBE, UNSUBACK; CONTROL = every other defined type
 * (ADVERTISE, SEARCHGW, GWINFO, CONNECT, CONNACK, WILL*, PINGREQ,
 * PINGRESP, DISCONNECT). Undefined types are malformed.
 */
#ifndef MQOS_CORE_MQTTSN_H
#define MQOS_CORE_MQTTSN_H

#include "env.h"
#include "src.h"

#define MQOS_MQTTSN_PUBLISH	0x0C
#define MQOS_MQTTSN_ENCAP	0xFE

/* QoS -1 as it appears in struct mqos_mqttsn.qos. */
#define MQOS_MQTTSN_QOS_M1	(-1)

enum mqos_mqttsn_status {
	MQOS_MQTTSN_NONE = 0,		/* no payload */
	MQOS_MQTTSN_OK,
	MQOS_MQTTSN_MALFORMED,
};

/* 8 bytes. */
struct mqos_mqttsn {
	u8 status;		/* enum mqos_mqttsn_status */
	u8 type;		/* message type (of the inner message if encapsulated) */
	u8 kinds;		/* MQOS_KIND_* (one bit, or 0) */
	s8 qos;			/* PUBLISH QoS: -1, 0, 1, 2; or -2 if not a PUBLISH */
	u8 encap;		/* 1 if carried in a forwarder encapsulation */
	u8 pad[3];
};

#define MQOS_MQTTSN_NO_QOS	(-2)

void mqos_mqttsn_parse(struct mqos_mqttsn *sn, const struct mqos_src *src,
		       u32 off, u32 end);

#endif /* MQOS_CORE_MQTTSN_H */
