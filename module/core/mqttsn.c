// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * MQTT-SN message header parser. Format and decisions: mqttsn.h.
 */
#include "mqtt.h"
#include "mqttsn.h"

#define K_CTL	MQOS_KIND_CONTROL
#define K_SUB	MQOS_KIND_SUBSCRIBE
#define K_BAD	0xff

/* Kind of every MQTT-SN 1.2 message type 0x00..0x1D; K_BAD: undefined. */
static const u8 sn_kind[0x1e] = {
	[0x00] = K_CTL,	/* ADVERTISE */
	[0x01] = K_CTL,	/* SEARCHGW */
	[0x02] = K_CTL,	/* GWINFO */
	[0x03] = K_BAD,
	[0x04] = K_CTL,	/* CONNECT */
	[0x05] = K_CTL,	/* CONNACK */
	[0x06] = K_CTL,	/* WILLTOPICREQ */
	[0x07] = K_CTL,	/* WILLTOPIC */
	[0x08] = K_CTL,	/* WILLMSGREQ */
	[0x09] = K_CTL,	/* WILLMSG */
	[0x0a] = K_SUB,	/* REGISTER */
	[0x0b] = K_SUB,	/* REGACK */
	[0x0c] = MQOS_KIND_PUBLISH,
	[0x0d] = MQOS_KIND_ACK1,	/* PUBACK */
	[0x0e] = MQOS_KIND_ACK2,	/* PUBCOMP */
	[0x0f] = MQOS_KIND_ACK2,	/* PUBREC */
	[0x10] = MQOS_KIND_ACK2,	/* PUBREL */
	[0x11] = K_BAD,
	[0x12] = K_SUB,	/* SUBSCRIBE */
	[0x13] = K_SUB,	/* SUBACK */
	[0x14] = K_SUB,	/* UNSUBSCRIBE */
	[0x15] = K_SUB,	/* UNSUBACK */
	[0x16] = K_CTL,	/* PINGREQ */
	[0x17] = K_CTL,	/* PINGRESP */
	[0x18] = K_CTL,	/* DISCONNECT */
	[0x19] = K_BAD,
	[0x1a] = K_CTL,	/* WILLTOPICUPD */
	[0x1b] = K_CTL,	/* WILLTOPICRESP */
	[0x1c] = K_CTL,	/* WILLMSGUPD */
	[0x1d] = K_CTL,	/* WILLMSGRESP */
};

/*
 * Read the header of the message at @off: its length, the offset of the
 * type octet, and up to 2 octets after the type (into @t[0..2]).
 * Returns false if malformed.
 */
static bool sn_header(const struct mqos_src *src, u32 off, u32 end,
		      u32 *len, u8 t[3])
{
	u8 buf[6];
	const u8 *h;
	u32 avail = min_t(u32, end - off, 6), hl;

	if (avail < 2)
		return false;
	h = mqos_src_read(src, off, avail, buf);
	if (!h)
		return false;
	if (h[0] == 0x01) {
		if (avail < 4)
			return false;
		*len = mqos_get_be16(h + 1);
		hl = 3;
	} else {
		*len = h[0];
		hl = 1;
	}
	/* The message holds at least its length octets and its type. */
	if (*len < hl + 1 || *len > end - off || h[0] == 0)
		return false;
	t[0] = h[hl];
	t[1] = hl + 1 < avail && hl + 1 < *len ? h[hl + 1] : 0;
	t[2] = (u8)hl;
	return true;
}

void mqos_mqttsn_parse(struct mqos_mqttsn *sn, const struct mqos_src *src,
		       u32 off, u32 end)
{
	u32 len;
	u8 t[3];
	u8 kind;

	memset(sn, 0, sizeof(*sn));
	sn->qos = MQOS_MQTTSN_NO_QOS;
	if (off >= end)
		return;
	if (!sn_header(src, off, end, &len, t))
		goto bad;
	if (t[0] == MQOS_MQTTSN_ENCAP) {
		/* Length, 0xFE, Ctrl, Wireless Node Id (0..n octets). */
		if (len < (u32)t[2] + 2)
			goto bad;
		sn->encap = 1;
		off += len;
		if (!sn_header(src, off, end, &len, t) ||
		    t[0] == MQOS_MQTTSN_ENCAP)
			goto bad;
	}
	sn->type = t[0];
	kind = t[0] < ARRAY_SIZE(sn_kind) ? sn_kind[t[0]] : K_BAD;
	if (kind == K_BAD)
		goto bad;
	if (t[0] == MQOS_MQTTSN_PUBLISH) {
		u8 flags = t[1];
		u8 q = (flags >> 5) & 3;

		/* length(1|3) type flags topicid(2) msgid(2) */
		if (len < (u32)t[2] + 6 || (flags & 3) == 3)
			goto bad;
		sn->qos = q == 3 ? MQOS_MQTTSN_QOS_M1 : (s8)q;
	}
	sn->kinds = kind;
	sn->status = MQOS_MQTTSN_OK;
	return;
bad:
	sn->status = MQOS_MQTTSN_MALFORMED;
	sn->kinds = 0;
	sn->encap = 0;
	sn->qos = MQOS_MQTTSN_NO_QOS;
}
