// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libFuzzer target: the MQTT stream framing state machine
 * (core/mqtt_stream.c).
 *
 * Byte 0 selects the mode:
 *   even: soundness. The input describes a valid MQTT stream (packets
 *         built from the input: types, QoS, lengths, a payload seed) and
 *         how it is cut into segments and delivered (in order, again,
 *         overlapping, ahead, with the sequence numbers starting at an
 *         input-chosen ISN so they wrap). From the SYN on, until the
 *         position is lost, every segment told AT must start its first
 *         header at a true packet boundary, mqos_mqtt_parse() from there
 *         must find valid MQTT, and a segment delivered in order must
 *         report every header that starts in it.
 *   odd:  robustness. Segments of arbitrary bytes at arbitrary sequence
 *         numbers, with or without SYN: no crash, sane results.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/mqtt.h"
#include "core/mqtt_stream.h"
#include "src_buf.h"

#define STREAM_MAX	65536

struct in {
	const u8 *p;
	size_t n;
};

static u8 take(struct in *in)
{
	u8 c;

	if (!in->n)
		return 0;
	c = *in->p++;
	in->n--;
	return c;
}

static u8 stream[STREAM_MAX];
static u8 boundary[STREAM_MAX + 1];
static u8 delivered[STREAM_MAX];

static size_t rl_put(u8 *p, u32 v)
{
	size_t n = 0;

	do {
		p[n] = v & 0x7f;
		v >>= 7;
		if (v)
			p[n] |= 0x80;
		n++;
	} while (v);
	return n;
}

/* One valid packet at @p (room for at least 4200 bytes). Its length. */
static size_t packet(struct in *in, u8 *p)
{
	u8 sel = take(in), qos, body[4096];
	size_t bl = 0, i, n, tl, plen;
	u32 seed;

	switch (sel % 6) {
	case 0:		/* PINGREQ */
		p[0] = 0xc0;
		p[1] = 0;
		return 2;
	case 1:		/* PUBACK */
		p[0] = 0x40;
		p[1] = 2;
		p[2] = 0;
		p[3] = 1 + take(in) % 200;
		return 4;
	case 2:		/* PUBREL */
		p[0] = 0x62;
		p[1] = 2;
		p[2] = 0;
		p[3] = 1;
		return 4;
	default:	/* PUBLISH */
		qos = (sel >> 3) % 3;
		tl = take(in) % 12;
		plen = ((size_t)take(in) << 4 | take(in)) % 4000;
		body[bl++] = 0;
		body[bl++] = (u8)tl;
		for (i = 0; i < tl; i++)
			body[bl++] = (u8)('a' + take(in) % 26);
		if (qos) {
			body[bl++] = 0;
			body[bl++] = 1 + take(in) % 200;
		}
		/* Payload: pseudo-random bytes from a seed in the input. */
		seed = 0x9e3779b9u ^ take(in);
		for (i = 0; i < plen && bl < sizeof(body); i++) {
			seed = seed * 1103515245u + 12345u;
			body[bl++] = (u8)(seed >> 16);
		}
		p[0] = (u8)(0x30 | qos << 1 | (sel >> 7));
		n = 1 + rl_put(p + 1, (u32)bl);
		memcpy(p + n, body, bl);
		return n + bl;
	}
}

static void feed(struct mqos_mqtt_stream *st, u32 seq, bool syn,
		 const u8 *b, u32 len, struct mqos_ms_res *r)
{
	u8 *copy = malloc(len ? len : 1);
	struct mqos_src s;

	if (len)
		memcpy(copy, b, len);
	mqos_src_init(&s, copy, len);
	mqos_mqtt_stream_seg(st, seq, syn, &s, 0, len, r);
	if (r->verdict > MQOS_MS_AT || st->state > MQOS_MS_KNOWN ||
	    st->have > 4 || (r->verdict == MQOS_MS_AT && r->first >= len) ||
	    (r->verdict != MQOS_MS_AT && r->nhdr))
		abort();
	free(copy);
}

static void soundness(struct in *in)
{
	struct mqos_mqtt_stream st = {};
	struct mqos_ms_res r;
	size_t len = 0, pos = 0, fed = 0, i;
	u32 isn;
	bool lost = false;
	u8 np = 1 + take(in) % 16;

	isn = (u32)take(in) << 24 | (u32)take(in) << 16 | take(in) << 8 | take(in);
	/* boundary[] and delivered[] are zero here: cleared after use. */
	for (i = 0; i < np && len + 4200 < STREAM_MAX; i++) {
		boundary[len] = 1;
		len += packet(in, stream + len);
	}
	feed(&st, isn, true, NULL, 0, &r);
	/* Segments: an op byte and a length byte each. */
	while (in->n && pos < len) {
		u8 op = take(in);
		size_t sl = 1 + (((size_t)take(in) << 4) | (op & 0xf)) % 3000;
		size_t start = pos, h;
		bool fresh;

		switch (op >> 6) {
		case 0:		/* next in order */
			break;
		case 1:		/* back: a retransmission or an overlap */
			start = pos > sl ? pos - (op & 0x3f) * 7 % (pos + 1) : 0;
			break;
		case 2:		/* ahead: a gap before it */
			start = pos + 1 + (op & 0x3f) * 13;
			break;
		default:	/* in order, but the pointer does not move */
			break;
		}
		if (start >= len)
			continue;
		if (sl > len - start)
			sl = len - start;
		/*
		 * Nothing at or after it was delivered before, and everything
		 * before it was (in whatever order).
		 */
		fresh = start == fed && !memchr(delivered, 0, start);
		memset(delivered + start, 1, sl);
		if (start + sl > fed)
			fed = start + sl;
		feed(&st, isn + 1 + (u32)start, false, stream + start, (u32)sl, &r);
		if (r.events & (MQOS_MS_EV_LOST | MQOS_MS_EV_RESYNC))
			lost = true;
		if (!lost && r.verdict == MQOS_MS_AT) {
			struct mqos_mqtt m;
			struct mqos_src s;
			size_t cnt = 0;

			if (!boundary[start + r.first])
				abort();
			mqos_src_init(&s, stream + start, (u32)sl);
			mqos_mqtt_parse(&m, &s, r.first, (u32)sl, MQOS_MQTT_WANT_TOPIC);
			if (m.status != MQOS_MQTT_OK)
				abort();
			for (h = start; h < start + sl; h++)
				cnt += boundary[h];
			/* In order: every header that starts here is told. */
			if (fresh && r.nhdr != cnt)
				abort();
			if (r.nhdr > cnt)
				abort();
		}
		if (!lost && fresh) {
			size_t cnt = 0;

			for (h = start; h < start + sl; h++)
				cnt += boundary[h];
			if (r.verdict == MQOS_MS_UNTRUSTED || r.nhdr != cnt)
				abort();
		}
		if ((op >> 6) == 0 || (op >> 6) == 2)
			pos = start + sl;
	}
	memset(boundary, 0, len + 1);
	memset(delivered, 0, len);
}

static void robustness(struct in *in)
{
	struct mqos_mqtt_stream st = {};
	struct mqos_ms_res r;
	u32 seq = 0;

	while (in->n) {
		u8 op = take(in);
		u32 sl = take(in) % 200;

		if (op & 1)
			seq = (u32)take(in) << 24 | (u32)take(in) << 8 | take(in);
		else
			seq += (u32)(op >> 2) - 16;
		if (sl > in->n)
			sl = (u32)in->n;
		feed(&st, seq, op & 2, in->p, sl, &r);
		in->p += sl;
		in->n -= sl;
		seq += sl;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };

	if (!size)
		return 0;
	if (take(&in) & 1)
		robustness(&in);
	else
		soundness(&in);
	return 0;
}
