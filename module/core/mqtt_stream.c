// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * MQTT stream framing. The rules (what makes a position known, when it is
 * lost, what a segment is told) are described in mqtt_stream.h.
 */
#include "mqtt.h"
#include "mqtt_stream.h"

/* a after b, modulo 2^32 (TCP sequence numbers). */
static bool seq_after(u32 a, u32 b)
{
	return (s32)(a - b) > 0;
}

static void ms_lose(struct mqos_mqtt_stream *st, struct mqos_ms_res *res)
{
	st->state = MQOS_MS_LOST;
	st->have = 0;
	st->cand = 0;
	res->events |= MQOS_MS_EV_LOST;
	res->verdict = MQOS_MS_UNTRUSTED;
	res->nhdr = 0;
	res->first = 0;
}

/* No known position: the resync rule. The segment is never trusted. */
static void ms_resync(struct mqos_mqtt_stream *st, u32 seq,
		      const struct mqos_src *src, u32 off, u32 end,
		      struct mqos_ms_res *res)
{
	u32 e = seq + (end - off), cand;
	struct mqos_mqtt m;

	mqos_mqtt_parse(&m, src, off, end, 0);
	if (m.status != MQOS_MQTT_OK || (m.flags & MQOS_MQTT_F_CONTINUES)) {
		st->state = MQOS_MS_LOST;
		st->cand = 0;
		return;
	}
	cand = m.npdus;
	if (st->state == MQOS_MS_CAND && seq == st->next)
		cand += st->cand;
	if (cand >= MQOS_MS_RESYNC_PKTS) {
		st->state = MQOS_MS_KNOWN;
		st->next = e;
		st->hi = e;
		st->have = 0;
		st->cand = 0;
		res->events |= MQOS_MS_EV_RESYNC;
		return;
	}
	st->state = MQOS_MS_CAND;
	st->next = e;
	st->cand = (u8)cand;
}

/* Known position: walk the fixed headers from it. */
static void ms_walk(struct mqos_mqtt_stream *st, u32 seq,
		    const struct mqos_src *src, u32 off, u32 end,
		    struct mqos_ms_res *res)
{
	u32 len = end - off, e = seq + len, pos = st->next;
	u32 held = st->next + st->have;

	if (!seq_after(e, held)) {
		/* Inside the message being walked: new bytes or seen ones. */
		res->verdict = MQOS_MS_SKIP;
		if (seq_after(e, st->hi)) {
			res->events |= MQOS_MS_EV_CONT;
			st->hi = e;
		} else {
			res->events |= MQOS_MS_EV_OLD;
		}
		return;
	}
	if (seq_after(e, st->hi))
		st->hi = e;
	if (seq_after(seq, held)) {
		res->verdict = MQOS_MS_SKIP;
		res->events |= MQOS_MS_EV_AHEAD;
		return;
	}

	for (;;) {
		u32 n = 0, o, avail, rl = 0;
		u8 h[5];
		const u8 *p;
		int r;

		if (seq_after(seq, pos)) {
			/* The header began in an earlier segment: kept bytes. */
			n = seq - pos;
			memcpy(h, st->hdr, n);
		}
		o = pos + n - seq;
		avail = min_t(u32, 5 - n, len - o);
		p = mqos_src_read(src, off + o, avail, h + n);
		if (!p) {
			ms_lose(st, res);
			return;
		}
		if (p != h + n)
			memcpy(h + n, p, avail);
		n += avail;
		if (!mqos_mqtt_first_ok(h[0])) {
			ms_lose(st, res);
			return;
		}
		r = mqos_mqtt_rl_decode(h + 1, n - 1, &rl);
		if (r < 0 || (r > 0 && !mqos_mqtt_fixed_ok(h[0], rl))) {
			ms_lose(st, res);
			return;
		}
		if (!seq_after(seq, pos)) {
			/* A header that starts in this segment. */
			if (!res->nhdr)
				res->first = pos - seq;
			if (res->nhdr != 0xffff)
				res->nhdr++;
		}
		if (r == 0) {
			/* Cut by the segment end (n <= 4): keep what is here. */
			memcpy(st->hdr, h, n);
			st->have = (u8)n;
			st->next = pos;
			break;
		}
		pos += 1 + (u32)r + rl;
		if (!seq_after(e, pos)) {
			st->next = pos;
			st->have = 0;
			break;
		}
	}
	/* The next header is in bytes that went by (ahead of the walk). */
	if (seq_after(st->hi, st->next + st->have)) {
		ms_lose(st, res);
		return;
	}
	if (res->nhdr) {
		res->verdict = MQOS_MS_AT;
	} else {
		res->verdict = MQOS_MS_SKIP;
		res->events |= MQOS_MS_EV_CONT;
	}
}

void mqos_mqtt_stream_seg(struct mqos_mqtt_stream *st, u32 seq, bool syn,
			  const struct mqos_src *src, u32 off, u32 end,
			  struct mqos_ms_res *res)
{
	res->verdict = MQOS_MS_UNTRUSTED;
	res->events = 0;
	res->nhdr = 0;
	res->first = 0;
	if (syn) {
		seq++;
		st->state = MQOS_MS_KNOWN;
		st->next = seq;
		st->hi = seq;
		st->have = 0;
		st->cand = 0;
		res->events |= MQOS_MS_EV_SYN;
	}
	if (off >= end) {
		if (st->state == MQOS_MS_KNOWN)
			res->verdict = MQOS_MS_SKIP;
		return;
	}
	if (st->state == MQOS_MS_KNOWN)
		ms_walk(st, seq, src, off, end, res);
	else
		ms_resync(st, seq, src, off, end, res);
}
