// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * MQTT stream framing: the handshake, in-order walks with continuation
 * segments, headers cut by segment ends, retransmissions, overlaps,
 * reordering, loss of position, the resync rule, sequence wrap-around.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <stdio.h>
#include <cmocka.h>

#include <uapi/linux/mqos.h>
#include "core/classify.h"
#include "core/mqtt_stream.h"
#include "pktbuild.h"
#include "src_buf.h"

static struct mqos_ms_res feed(struct mqos_mqtt_stream *st, u32 seq, bool syn,
			       const u8 *b, size_t len)
{
	struct mqos_ms_res r;
	struct mqos_src s;
	/* Exactly sized copy, with 2 leading bytes: offsets are honoured. */
	u8 *copy = malloc(len + 2);

	copy[0] = 0xff;
	copy[1] = 0xff;
	if (len)
		memcpy(copy + 2, b, len);
	mqos_src_init(&s, copy, (u32)len + 2);
	memset(&r, 0xa5, sizeof(r));
	mqos_mqtt_stream_seg(st, seq, syn, &s, 2, (u32)len + 2, &r);
	free(copy);
	return r;
}

#define B(...)	((const u8[]){ __VA_ARGS__ }), sizeof((const u8[]){ __VA_ARGS__ })

static const u8 connect_v4[] = { 0x10, 0x0c, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x02, 0x00, 0x3c, 0x00, 0x00 };
static const u8 pub2[] = { 0x34, 0x07, 0x00, 0x03, 'a', '/', 'b', 0x00, 0x01 };

static u32 rnd(u32 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* A QoS 0 PUBLISH of @plen random bytes (topic "fw"), at @b. Its length. */
static size_t big_publish(u8 *b, u32 plen, u32 seed)
{
	u32 rl = 2 + 2 + plen, i;
	size_t n = 1;

	b[0] = 0x30;
	do {
		b[n] = rl & 0x7f;
		rl >>= 7;
		if (rl)
			b[n] |= 0x80;
		n++;
	} while (rl);
	b[n++] = 0;
	b[n++] = 2;
	b[n++] = 'f';
	b[n++] = 'w';
	for (i = 0; i < plen; i++)
		b[n + i] = (u8)rnd(&seed);
	return n + plen;
}

static void test_handshake_in_order(void **state)
{
	struct mqos_mqtt_stream st = {};
	struct mqos_ms_res r;
	const u32 isn = 1000;

	(void)state;
	/* Before the SYN nothing is known. */
	assert_int_equal(st.state, MQOS_MS_LOST);
	r = feed(&st, isn, true, NULL, 0);
	assert_int_equal(r.events, MQOS_MS_EV_SYN);
	assert_int_equal(st.state, MQOS_MS_KNOWN);
	assert_int_equal(st.next, isn + 1);
	r = feed(&st, isn + 1, false, connect_v4, sizeof(connect_v4));
	assert_int_equal(r.verdict, MQOS_MS_AT);
	assert_int_equal(r.first, 0);
	assert_int_equal(r.nhdr, 1);
	assert_int_equal(st.next, isn + 1 + sizeof(connect_v4));
	/* Two packets in one segment. */
	r = feed(&st, st.next, false, B(0xc0, 0x00, 0x34, 0x07, 0x00, 0x03, 'a', '/', 'b', 0x00, 0x01));
	assert_int_equal(r.verdict, MQOS_MS_AT);
	assert_int_equal(r.nhdr, 2);
	assert_int_equal(st.next, isn + 1 + sizeof(connect_v4) + 11);
}

/*
 * A 1 MB random QoS 0 PUBLISH in 1448-byte segments, then in the segment
 * with its tail a QoS 2 PUBLISH: the first segment and the tail segment
 * are AT (the latter at the QoS 2 header), every other one CONT.
 */
static void test_big_publish_continuations(void **state)
{
	enum { PLEN = 1 << 20, MSS = 1448 };
	size_t total, n, off, at = 0, cont = 0;
	u8 *b = malloc(PLEN + 64);
	struct mqos_mqtt_stream st = {};
	struct mqos_ms_res r;
	u32 seq = 0x7ffff000;

	(void)state;
	n = big_publish(b, PLEN, 42);
	memcpy(b + n, pub2, sizeof(pub2));
	total = n + sizeof(pub2);
	feed(&st, seq - 1, true, NULL, 0);
	for (off = 0; off < total; off += MSS) {
		size_t len = total - off < MSS ? total - off : MSS;

		r = feed(&st, seq + (u32)off, false, b + off, len);
		assert_int_not_equal(r.verdict, MQOS_MS_UNTRUSTED);
		if (r.verdict == MQOS_MS_AT) {
			at++;
			assert_true(off == 0 || off + r.first == n);
		} else {
			if (!(r.events & MQOS_MS_EV_CONT))
				print_message("# off %zu verdict %u events %#x\n", off, r.verdict, r.events);
			assert_true(r.events & MQOS_MS_EV_CONT);
			cont++;
		}
	}
	assert_int_equal(at, 2);
	free(b);
	assert_int_equal(cont, (total + MSS - 1) / MSS - 2);
	assert_int_equal(st.next, seq + (u32)total);
	assert_int_equal(st.state, MQOS_MS_KNOWN);
}

/* A fixed header cut by the segment end, after 1, 2 and 3 bytes. */
static void test_header_cut(void **state)
{
	/* PUBLISH QoS 2, Remaining Length 200 (c8 01), then PINGREQ. */
	u8 b[3 + 200 + 2] = { 0x34, 0xc8, 0x01, 0x00, 0x01, 't', 0x00, 0x09 };
	size_t cut;

	(void)state;
	b[203] = 0xc0;
	b[204] = 0x00;
	for (cut = 1; cut <= 3; cut++) {
		struct mqos_mqtt_stream st = {};
		struct mqos_ms_res r;

		feed(&st, 99, true, NULL, 0);
		/* A PINGREQ then the first @cut bytes of the PUBLISH header. */
		r = feed(&st, 100, false, B(0xc0, 0x00));
		r = feed(&st, 102, false, b, cut);
		assert_int_equal(r.verdict, MQOS_MS_AT);
		assert_int_equal(r.first, 0);
		if (cut < 3) {
			assert_int_equal(st.have, cut);
			assert_int_equal(st.next, 102);
		}
		/* The rest: the header began before, the PINGREQ starts in it. */
		r = feed(&st, 102 + (u32)cut, false, b + cut, sizeof(b) - cut);
		assert_int_equal(r.verdict, MQOS_MS_AT);
		assert_int_equal(r.nhdr, 1);
		assert_int_equal(r.first, 203 - cut);
		assert_int_equal(st.next, 102 + sizeof(b));
		assert_int_equal(st.have, 0);
	}
	/* Cut after 1 byte, and the next segment retransmits from the header. */
	{
		struct mqos_mqtt_stream st = {};
		struct mqos_ms_res r;

		feed(&st, 99, true, NULL, 0);
		feed(&st, 100, false, b, 1);
		r = feed(&st, 100, false, b, sizeof(b));
		assert_int_equal(r.verdict, MQOS_MS_AT);
		assert_int_equal(r.nhdr, 2);
		assert_int_equal(st.next, 100 + sizeof(b));
	}
	/* A cut header whose first byte is already invalid: lost. */
	{
		struct mqos_mqtt_stream st = {};
		struct mqos_ms_res r;

		feed(&st, 99, true, NULL, 0);
		r = feed(&st, 100, false, B(0xc0, 0x00, 0x36));
		assert_int_equal(r.verdict, MQOS_MS_UNTRUSTED);
		assert_true(r.events & MQOS_MS_EV_LOST);
	}
}

/* Retransmissions and overlaps. */
static void test_retransmit_overlap(void **state)
{
	u8 b[2000];
	struct mqos_mqtt_stream st = {};
	struct mqos_ms_res r;
	size_t n;

	(void)state;
	n = big_publish(b, 1500, 7);		/* 1508 bytes */
	memcpy(b + n, pub2, sizeof(pub2));
	feed(&st, 0, true, NULL, 0);
	r = feed(&st, 1, false, b, 1000);
	assert_int_equal(r.verdict, MQOS_MS_AT);
	/* The same segment again, and a part of it: old, skipped. */
	r = feed(&st, 1, false, b, 1000);
	assert_int_equal(r.verdict, MQOS_MS_SKIP);
	assert_int_equal(r.events, MQOS_MS_EV_OLD);
	r = feed(&st, 501, false, b + 500, 100);
	assert_int_equal(r.events, MQOS_MS_EV_OLD);
	assert_int_equal(st.next, 1 + n);
	/* A retransmission that goes on past the PUBLISH: walked from its
	 * position, the QoS 2 header found at its offset.
	 */
	r = feed(&st, 801, false, b + 800, n + sizeof(pub2) - 800);
	assert_int_equal(r.verdict, MQOS_MS_AT);
	assert_int_equal(r.first, n - 800);
	assert_int_equal(r.nhdr, 1);
	assert_int_equal(st.next, 1 + n + sizeof(pub2));
	/* Retransmitted again, whole: old. */
	r = feed(&st, 1, false, b, n + sizeof(pub2));
	assert_int_equal(r.events, MQOS_MS_EV_OLD);
	assert_int_equal(st.state, MQOS_MS_KNOWN);
}

/* Out of order: the later segment waits; the position is kept or lost. */
static void test_reorder(void **state)
{
	u8 b[5000];
	struct mqos_mqtt_stream st = {};
	struct mqos_ms_res r;
	size_t n, n2, total;

	(void)state;
	n = big_publish(b, 3000, 9);		/* 3008 bytes */
	memcpy(b + n, pub2, sizeof(pub2));
	memcpy(b + n + sizeof(pub2), pub2, sizeof(pub2));

	/* Segment 2 (continuation only) before segment 1: the position
	 * stays known, segment 3 then holds the QoS 2 headers.
	 */
	feed(&st, 0, true, NULL, 0);
	r = feed(&st, 1 + 1400, false, b + 1400, 1400);
	assert_int_equal(r.verdict, MQOS_MS_SKIP);
	assert_int_equal(r.events, MQOS_MS_EV_AHEAD);
	r = feed(&st, 1, false, b, 1400);
	assert_int_equal(r.verdict, MQOS_MS_AT);
	assert_int_equal(st.state, MQOS_MS_KNOWN);
	r = feed(&st, 1 + 2800, false, b + 2800, n + 2 * sizeof(pub2) - 2800);
	assert_int_equal(r.verdict, MQOS_MS_AT);
	assert_int_equal(r.first, n - 2800);
	assert_int_equal(r.nhdr, 2);

	/* Out of order before the header of a second PUBLISH (P2, in
	 * segment 2) was walked: segment 3, with the QoS 2 headers, waits.
	 * When segment 2 is walked, the next header lies in bytes that went
	 * by, so the position is lost and those headers are never trusted.
	 */
	n2 = big_publish(b + n, 500, 11);
	memcpy(b + n + n2, pub2, sizeof(pub2));
	total = n + n2 + sizeof(pub2);
	memset(&st, 0, sizeof(st));
	feed(&st, 0, true, NULL, 0);
	r = feed(&st, 1, false, b, 1400);
	assert_int_equal(r.verdict, MQOS_MS_AT);
	r = feed(&st, 1 + 3300, false, b + 3300, total - 3300);
	assert_int_equal(r.events, MQOS_MS_EV_AHEAD);
	r = feed(&st, 1 + 1400, false, b + 1400, 1900);
	assert_int_equal(r.verdict, MQOS_MS_UNTRUSTED);
	assert_true(r.events & MQOS_MS_EV_LOST);
	assert_int_equal(st.state, MQOS_MS_LOST);
	/* Its retransmission does not help: nothing is trusted. */
	r = feed(&st, 1 + 3300, false, b + 3300, total - 3300);
	assert_int_equal(r.verdict, MQOS_MS_UNTRUSTED);
}

/* An invalid header at a known position loses it. */
static void test_lost_on_bad_header(void **state)
{
	struct mqos_mqtt_stream st = {};
	struct mqos_ms_res r;

	(void)state;
	feed(&st, 0, true, NULL, 0);
	r = feed(&st, 1, false, B(0xc0, 0x00, 0x00, 0x00, 0x34, 0x05, 0x00, 0x01, 't', 0, 1));
	assert_int_equal(r.verdict, MQOS_MS_UNTRUSTED);
	assert_int_equal(r.events, MQOS_MS_EV_LOST);
	assert_int_equal(r.nhdr, 0);
	/* Non-minimal Remaining Length at a known position. */
	feed(&st, 0, true, NULL, 0);
	r = feed(&st, 1, false, B(0x30, 0x84, 0x00, 0x00, 0x01, 't', 'x'));
	assert_int_equal(r.events, MQOS_MS_EV_LOST);
	/* PINGREQ with a length. */
	feed(&st, 0, true, NULL, 0);
	r = feed(&st, 1, false, B(0xc0, 0x01, 0x00));
	assert_int_equal(r.events, MQOS_MS_EV_LOST);
	/* After that, a valid-looking segment is not trusted by itself. */
	r = feed(&st, 4, false, pub2, sizeof(pub2));
	assert_int_equal(r.verdict, MQOS_MS_UNTRUSTED);
	assert_int_equal(st.state, MQOS_MS_CAND);
}

/* The resync rule: MQOS_MS_RESYNC_PKTS whole packets, contiguous. */
static void test_resync(void **state)
{
	struct mqos_mqtt_stream st = {};
	struct mqos_ms_res r;
	u8 two[2 * sizeof(pub2)];

	(void)state;
	assert_int_equal(MQOS_MS_RESYNC_PKTS, 2);
	/* One whole packet: a candidate, not trusted. */
	r = feed(&st, 5000, false, pub2, sizeof(pub2));
	assert_int_equal(r.verdict, MQOS_MS_UNTRUSTED);
	assert_int_equal(st.state, MQOS_MS_CAND);
	/* Not contiguous: starts over (still one packet). */
	r = feed(&st, 6000, false, pub2, sizeof(pub2));
	assert_int_equal(st.state, MQOS_MS_CAND);
	assert_int_equal(st.cand, 1);
	/* Contiguous: two packets, known from its end; itself not trusted. */
	r = feed(&st, 6000 + sizeof(pub2), false, B(0x62, 0x02, 0x00, 0x01));
	assert_int_equal(r.verdict, MQOS_MS_UNTRUSTED);
	assert_int_equal(r.events, MQOS_MS_EV_RESYNC);
	assert_int_equal(st.state, MQOS_MS_KNOWN);
	assert_int_equal(st.next, 6000 + sizeof(pub2) + 4);
	r = feed(&st, st.next, false, pub2, sizeof(pub2));
	assert_int_equal(r.verdict, MQOS_MS_AT);

	/* Two packets in one segment resync at once. */
	memset(&st, 0, sizeof(st));
	memcpy(two, pub2, sizeof(pub2));
	memcpy(two + sizeof(pub2), pub2, sizeof(pub2));
	r = feed(&st, 1, false, two, sizeof(two));
	assert_int_equal(r.events, MQOS_MS_EV_RESYNC);
	assert_int_equal(r.verdict, MQOS_MS_UNTRUSTED);

	/* A segment that ends inside a packet breaks a candidate. */
	memset(&st, 0, sizeof(st));
	feed(&st, 1, false, pub2, sizeof(pub2));
	r = feed(&st, 1 + sizeof(pub2), false, pub2, sizeof(pub2) - 1);
	assert_int_equal(st.state, MQOS_MS_LOST);
	assert_int_equal(r.events, 0);
	/* So does a segment that is not MQTT. */
	feed(&st, 1, false, pub2, sizeof(pub2));
	feed(&st, 1 + sizeof(pub2), false, B(0x00, 0x01, 0x02));
	assert_int_equal(st.state, MQOS_MS_LOST);
}

/* Random 1400-byte segments, met without a handshake, never resync. */
static void test_random_no_resync(void **state)
{
	struct mqos_mqtt_stream st = {};
	u32 seed = 0x1234567, i, j, seq = 77;
	u8 b[1400];

	(void)state;
	for (i = 0; i < 20000; i++) {
		struct mqos_ms_res r;

		for (j = 0; j < sizeof(b); j++)
			b[j] = (u8)rnd(&seed);
		r = feed(&st, seq, false, b, sizeof(b));
		assert_int_equal(r.verdict, MQOS_MS_UNTRUSTED);
		assert_int_equal(st.state == MQOS_MS_KNOWN, 0);
		seq += sizeof(b);
	}
}

/* Sequence numbers wrap around 2^32. */
static void test_wrap(void **state)
{
	u8 b[3000];
	struct mqos_mqtt_stream st = {};
	struct mqos_ms_res r;
	u32 isn = 0xfffffe00;
	size_t n;

	(void)state;
	n = big_publish(b, 2000, 3);
	memcpy(b + n, pub2, sizeof(pub2));
	feed(&st, isn, true, NULL, 0);
	r = feed(&st, isn + 1, false, b, 1000);
	assert_int_equal(r.verdict, MQOS_MS_AT);
	r = feed(&st, isn + 1, false, b, 700);
	assert_int_equal(r.events, MQOS_MS_EV_OLD);
	r = feed(&st, isn + 1001, false, b + 1000, n + sizeof(pub2) - 1000);
	assert_int_equal(r.verdict, MQOS_MS_AT);
	assert_int_equal(r.first, n - 1000);
	assert_int_equal(st.next, isn + 1 + (u32)(n + sizeof(pub2)));
	assert_true(st.next < 0x1000);
}

/* Data on the SYN (TCP Fast Open) starts at ISN + 1. */
static void test_syn_data(void **state)
{
	struct mqos_mqtt_stream st = {};
	struct mqos_ms_res r;

	(void)state;
	r = feed(&st, 41, true, connect_v4, sizeof(connect_v4));
	assert_int_equal(r.events, MQOS_MS_EV_SYN);
	assert_int_equal(r.verdict, MQOS_MS_AT);
	assert_int_equal(st.next, 42 + sizeof(connect_v4));
}

/*
 * The classifier follows what framing says: from the header it points at,
 * or no MQTT at all. A segment of continuation bytes that looks like a
 * QoS 2 PUBLISH, then the tail of a message and a QoS 2 PUBLISH.
 */
static struct mqos_cls_res classify(const u8 *pl, size_t plen, u8 frame, u32 skip)
{
	static u8 buf[2048];
	struct pb o = { .family = 4, .dscp = 0, .sport = 40000, .dport = 1883 };
	struct mqos_meta meta = { .packet_mode = 0, .mqtt_frame = frame, .mqtt_skip = skip };
	struct mqos_cls_res res;
	struct mqos_src s;
	size_t len = pb_build(buf, sizeof(buf), &o, pl, plen);

	mqos_src_init(&s, buf, (u32)len);
	mqos_classify_eth(&s, &meta, NULL, &res);
	return res;
}

static void test_classify_framed(void **state)
{
	/* 6 bytes of a message's tail, then a QoS 2 PUBLISH. */
	static const u8 tail2[] = { 'x', 'y', 'z', 0x00, 0x17, 0x42, 0x34, 0x07, 0x00, 0x03, 'a', '/', 'b', 0x00, 0x01 };
	struct mqos_cls_res r;

	(void)state;
	/* Stateless: the segment does not start with a header: no verdict. */
	r = classify(tail2, sizeof(tail2), MQOS_FRAME_NONE, 0);
	assert_false(r.flags & MQOS_CLS_PUBLISH);
	/* Framed at offset 6: the QoS 2 PUBLISH, realtime. */
	r = classify(tail2, sizeof(tail2), MQOS_FRAME_AT, 6);
	assert_true(r.flags & MQOS_CLS_PUBLISH);
	assert_int_equal(r.class_id, MQOS_CLASS_REALTIME);
	/* Told to skip: a valid-looking PUBLISH is not read. */
	r = classify(tail2 + 6, sizeof(tail2) - 6, MQOS_FRAME_SKIP, 0);
	assert_false(r.flags & (MQOS_CLS_PUBLISH | MQOS_CLS_MQTT));
	assert_int_equal(r.class_id, MQOS_CLASS_BEST_EFFORT);	/* DSCP 0 */
	/* And the same bytes stateless: read. */
	r = classify(tail2 + 6, sizeof(tail2) - 6, MQOS_FRAME_NONE, 0);
	assert_int_equal(r.class_id, MQOS_CLASS_REALTIME);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handshake_in_order),
		cmocka_unit_test(test_big_publish_continuations),
		cmocka_unit_test(test_header_cut),
		cmocka_unit_test(test_retransmit_overlap),
		cmocka_unit_test(test_reorder),
		cmocka_unit_test(test_lost_on_bad_header),
		cmocka_unit_test(test_resync),
		cmocka_unit_test(test_random_no_resync),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_syn_data),
		cmocka_unit_test(test_classify_framed),
	};

	return cmocka_run_group_tests_name("mqtt_stream", tests, NULL, NULL);
}
