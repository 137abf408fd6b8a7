// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * MQTT fixed-header walker. The rules it applies and what it reports are
 * described in mqtt.h.
 */
#include "mqtt.h"

/* Per type: smallest Remaining Length, kind; indexed by the type nibble. */
static const u8 mqtt_min_rl[16] = {
	[MQOS_MQTT_CONNECT] = 10,	[MQOS_MQTT_CONNACK] = 2,
	[MQOS_MQTT_PUBLISH] = 2,	[MQOS_MQTT_PUBACK] = 2,
	[MQOS_MQTT_PUBREC] = 2,		[MQOS_MQTT_PUBREL] = 2,
	[MQOS_MQTT_PUBCOMP] = 2,	[MQOS_MQTT_SUBSCRIBE] = 5,
	[MQOS_MQTT_SUBACK] = 3,		[MQOS_MQTT_UNSUBSCRIBE] = 4,
	[MQOS_MQTT_UNSUBACK] = 2,
};

static const u8 mqtt_kind[16] = {
	[MQOS_MQTT_CONNECT] = MQOS_KIND_CONTROL,
	[MQOS_MQTT_CONNACK] = MQOS_KIND_CONTROL,
	[MQOS_MQTT_PUBLISH] = MQOS_KIND_PUBLISH,
	[MQOS_MQTT_PUBACK] = MQOS_KIND_ACK1,
	[MQOS_MQTT_PUBREC] = MQOS_KIND_ACK2,
	[MQOS_MQTT_PUBREL] = MQOS_KIND_ACK2,
	[MQOS_MQTT_PUBCOMP] = MQOS_KIND_ACK2,
	[MQOS_MQTT_SUBSCRIBE] = MQOS_KIND_SUBSCRIBE,
	[MQOS_MQTT_SUBACK] = MQOS_KIND_SUBSCRIBE,
	[MQOS_MQTT_UNSUBSCRIBE] = MQOS_KIND_SUBSCRIBE,
	[MQOS_MQTT_UNSUBACK] = MQOS_KIND_SUBSCRIBE,
	[MQOS_MQTT_PINGREQ] = MQOS_KIND_CONTROL,
	[MQOS_MQTT_PINGRESP] = MQOS_KIND_CONTROL,
	[MQOS_MQTT_DISCONNECT] = MQOS_KIND_CONTROL,
	[MQOS_MQTT_AUTH] = MQOS_KIND_CONTROL,
};

/* Fixed-header flags allowed for every type but PUBLISH. */
static bool flags_ok(u8 type, u8 flags)
{
	switch (type) {
	case MQOS_MQTT_PUBREL:
	case MQOS_MQTT_SUBSCRIBE:
	case MQOS_MQTT_UNSUBSCRIBE:
		/* 0010; MQTT 3.1 also sends 1010 (DUP) on retries. */
		return flags == 0x2 || flags == 0xa;
	default:
		return flags == 0;
	}
}

/* A CONNECT's protocol name, when its bytes are in the segment. */
static bool connect_ok(const struct mqos_src *src, u32 off, u32 end)
{
	u8 buf[8];
	const u8 *p;
	u16 len;

	if (end - off < 8)
		return true;		/* not here: cannot tell */
	p = mqos_src_read(src, off, 8, buf);
	if (!p)
		return true;
	len = mqos_get_be16(p);
	if (len == 4)
		return !memcmp(p + 2, "MQTT", 4);
	if (len == 6)
		return !memcmp(p + 2, "MQIsdp", 6);
	return false;
}

static void copy_topic(struct mqos_mqtt *m, const struct mqos_src *src,
		       u32 off, u32 end, u16 tlen)
{
	u32 n = min_t(u32, tlen, MQOS_TOPIC_MAX);
	const void *p;

	if (end - off < n)
		n = end - off;
	m->topic_full = tlen;
	m->flags |= MQOS_MQTT_F_TOPIC;
	if (!n)
		return;
	p = mqos_src_read(src, off, n, m->topic);
	if (!p)
		return;
	if (p != m->topic)
		memcpy(m->topic, p, n);
	m->topic_len = (u8)n;
}

/*
 * UTF-8 of a topic name, streamed in pieces: RFC 3629 (no overlong forms,
 * no surrogates, nothing above U+10FFFF), and neither U+0000 nor the
 * wildcards '+' and '#', which a topic name (unlike a filter) never holds.
 */
struct utf8_state {
	u8 need;		/* continuation bytes still expected */
	u8 lo, hi;		/* range of the next continuation byte */
};

static bool utf8_step(struct utf8_state *u, u8 c)
{
	if (u->need) {
		if (c < u->lo || c > u->hi)
			return false;
		u->need--;
		u->lo = 0x80;
		u->hi = 0xbf;
		return true;
	}
	if (c < 0x80)
		return c != 0 && c != '+' && c != '#';
	u->lo = 0x80;
	u->hi = 0xbf;
	if (c >= 0xc2 && c <= 0xdf) {
		u->need = 1;
	} else if (c >= 0xe0 && c <= 0xef) {
		u->need = 2;
		if (c == 0xe0)
			u->lo = 0xa0;		/* overlong */
		else if (c == 0xed)
			u->hi = 0x9f;		/* surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		u->need = 3;
		if (c == 0xf0)
			u->lo = 0x90;		/* overlong */
		else if (c == 0xf4)
			u->hi = 0x8f;		/* above U+10FFFF */
	} else {
		return false;	/* continuation byte first, C0, C1, F5..FF */
	}
	return true;
}

/*
 * The @n topic bytes at @off (those in the segment) are a valid topic
 * name. @whole: the topic ends there, so a sequence cut at its end is
 * invalid; otherwise the segment cut it and the rest is not checked.
 */
static bool topic_ok(const struct mqos_src *src, u32 off, u32 n, bool whole)
{
	struct utf8_state u = { 0, 0x80, 0xbf };
	u8 buf[32];

	while (n) {
		u32 k = min_t(u32, n, sizeof(buf)), i;
		const u8 *p = mqos_src_read(src, off, k, buf);

		if (!p)
			return false;
		for (i = 0; i < k; i++)
			if (!utf8_step(&u, p[i]))
				return false;
		off += k;
		n -= k;
	}
	return !whole || !u.need;
}

bool mqos_mqtt_topic_valid(const u8 *p, u32 n, bool whole)
{
	struct utf8_state u = { 0, 0x80, 0xbf };
	u32 i;

	for (i = 0; i < n; i++)
		if (!utf8_step(&u, p[i]))
			return false;
	return !whole || !u.need;
}

/*
 * Check one PUBLISH whose variable header starts at @vh. Returns false
 * if malformed. Bytes that are not in the segment are not checked.
 */
static bool publish_ok(struct mqos_mqtt *m, const struct mqos_src *src,
		       u8 flags, u32 rl, u32 vh, u32 end, u32 want)
{
	u8 qos = (flags >> 1) & 3;
	u32 need = qos ? 4 : 2, present;
	u8 buf[2];
	const u8 *p;
	u16 tlen;

	if (qos == 3 || ((flags & 0x8) && !qos) || rl < need)
		return false;
	if (end - vh < 2)
		goto ok;
	p = mqos_src_read(src, vh, 2, buf);
	if (!p)
		return false;
	tlen = mqos_get_be16(p);
	if ((u32)tlen + need > rl)
		return false;
	present = min_t(u32, tlen, end - vh - 2);
	if (!topic_ok(src, vh + 2, present, present == tlen))
		return false;
	if (qos && end - vh - 2 >= (u32)tlen + 2) {
		/* QoS 1 and 2 carry a non-zero Packet Identifier. */
		p = mqos_src_read(src, vh + 2 + tlen, 2, buf);
		if (!p || !mqos_get_be16(p))
			return false;
	}
	if ((want & MQOS_MQTT_WANT_TOPIC) && !(m->flags & MQOS_MQTT_F_TOPIC))
		copy_topic(m, src, vh + 2, end, tlen);
ok:
	if ((s8)qos > m->max_qos)
		m->max_qos = (s8)qos;
	return true;
}

bool mqos_mqtt_first_ok(u8 b0)
{
	u8 type = b0 >> 4, flags = b0 & 0x0f;

	if (type == 0)
		return false;
	if (type == MQOS_MQTT_PUBLISH) {
		u8 qos = (flags >> 1) & 3;

		return qos != 3 && !((flags & 0x8) && !qos);
	}
	return flags_ok(type, flags);
}

bool mqos_mqtt_fixed_ok(u8 b0, u32 rl)
{
	u8 type = b0 >> 4;

	if (!mqos_mqtt_first_ok(b0) || rl < mqtt_min_rl[type])
		return false;
	if (type == MQOS_MQTT_PUBLISH && ((b0 >> 1) & 3) && rl < 4)
		return false;
	return !((type == MQOS_MQTT_PINGREQ || type == MQOS_MQTT_PINGRESP) && rl);
}

int mqos_mqtt_rl_decode(const u8 *p, u32 avail, u32 *rl)
{
	u32 v = 0, i;

	for (i = 0; i < 4; i++) {
		if (i >= avail)
			return 0;
		v |= (u32)(p[i] & 0x7f) << (7 * i);
		if (!(p[i] & 0x80)) {
			/* Minimal encoding only: no trailing zero digit. */
			if (i && !p[i])
				return -1;
			*rl = v;
			return (int)i + 1;
		}
	}
	return -1;
}

void mqos_mqtt_parse(struct mqos_mqtt *m, const struct mqos_src *src,
		     u32 off, u32 end, u32 want)
{
	u32 pos = off;

	m->status = MQOS_MQTT_NONE;
	m->kinds = 0;
	m->max_qos = -1;
	m->npdus = 0;
	m->flags = 0;
	m->topic_len = 0;
	m->topic_full = 0;
	if (off >= end)
		return;

	while (pos < end) {
		u32 avail = min_t(u32, end - pos, 5);
		u8 buf[5], type, flags;
		const u8 *h;
		bool framed = false, whole = true, bad = false;
		u32 rl = 0, hlen;
		int n;
		u64 next;

		h = mqos_src_read(src, pos, avail, buf);
		if (!h)
			goto unknown;
		type = h[0] >> 4;
		flags = h[0] & 0x0f;

		n = mqos_mqtt_rl_decode(h + 1, avail - 1, &rl);
		if (n < 0)
			bad = true;
		else if (n == 0)
			whole = false;	/* header cut by the segment */
		hlen = (u32)n + 1;
		next = (u64)pos + hlen + rl;
		if (!bad && whole)
			framed = next == end;

		if (!bad && (type == 0 || (type != MQOS_MQTT_PUBLISH &&
					   !flags_ok(type, flags))))
			bad = true;
		if (!bad && whole) {
			if (rl < mqtt_min_rl[type] ||
			    ((type == MQOS_MQTT_PINGREQ ||
			      type == MQOS_MQTT_PINGRESP) && rl))
				bad = true;
			else if (type == MQOS_MQTT_PUBLISH)
				bad = !publish_ok(m, src, flags, rl, pos + hlen,
						  end, want);
			else if (type == MQOS_MQTT_CONNECT)
				bad = !connect_ok(src, pos + hlen, end);
		} else if (!bad && type == MQOS_MQTT_PUBLISH) {
			u8 qos = (flags >> 1) & 3;

			bad = qos == 3 || ((flags & 0x8) && !qos);
			if (!bad && (s8)qos > m->max_qos)
				m->max_qos = (s8)qos;
		}
		if (bad) {
			if (m->npdus == 0 && !framed)
				goto unknown;
			m->status = MQOS_MQTT_MALFORMED;
			goto no_verdict;
		}

		m->kinds |= mqtt_kind[type];
		if (m->npdus != 0xffff)
			m->npdus++;
		if (!whole || next > end) {
			m->flags |= MQOS_MQTT_F_CONTINUES;
			break;
		}
		pos = (u32)next;
	}
	m->status = MQOS_MQTT_OK;
	return;

unknown:
	m->status = MQOS_MQTT_UNKNOWN;
no_verdict:
	m->kinds = 0;
	m->max_qos = -1;
	m->flags &= ~MQOS_MQTT_F_TOPIC;
	m->topic_len = 0;
	m->topic_full = 0;
}
