// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libFuzzer target: bytes -> Ethernet frame -> class, over the whole core
 * (packet view, MQTT, MQTT-SN, rules, default map).
 *
 * Input: byte 0 selects the set-up:
 *   bits 0..1  0: no rules (default map), 1: a fixed generic rule set,
 *              2: a fixed DSCP/QoS (fast) rule set, 3: rules from input
 *   bit 2      MQTT per-packet mode
 * For 3, byte 1 is the rule count (0..7) and each rule takes 24 bytes.
 * The rest is the frame. Invariants checked: class in 0..MQOS_MAX_CLASSES,
 * a matched rule index in range and its class returned, and the fast
 * table answers as the ordered scan does.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <uapi/linux/mqos.h>
#include "core/classify.h"
#include "core/mqttsn.h"
#include "src_buf.h"
#include "pktbuild.h"

#define MAX_FUZZ_RULES 8

static union {
	struct mqos_ruleset rs;
	u8 mem[sizeof(struct mqos_ruleset) + MAX_FUZZ_RULES * sizeof(struct mqos_rule)];
} gen, fast, in, slow;

static void fixed_sets(void)
{
	static int done;
	const char *why;
	u32 bad;

	if (done)
		return;
	done = 1;
	gen.rs.cfg = mqos_cls_default_cfg;
	gen.rs.n = 5;
	gen.rs.rules[0] = (struct mqos_rule){ .match = MQOS_RULE_TOPIC, .topic = "alarm/",
					      .topic_len = 6, .class_id = 1 };
	gen.rs.rules[1] = (struct mqos_rule){ .match = MQOS_RULE_SN_QOS, .sn_qos = 0xc, .class_id = 2 };
	gen.rs.rules[2] = (struct mqos_rule){ .match = MQOS_RULE_KIND | MQOS_RULE_SADDR,
					      .kinds = MQOS_KIND_ACK2, .family = 6, .src_plen = 3,
					      .src = { NET32(0x20, 0, 0, 0) }, .class_id = 3 };
	gen.rs.rules[3] = (struct mqos_rule){ .match = MQOS_RULE_PROTO | MQOS_RULE_DPORT,
					      .proto = 17, .dport_lo = 1000, .dport_hi = 2000,
					      .class_id = 4 };
	gen.rs.rules[4] = (struct mqos_rule){ .match = MQOS_RULE_DSCP, .dscp = ~0ull, .class_id = 5 };
	if (mqos_ruleset_compile(&gen.rs, &bad, &why))
		abort();
	fast.rs.cfg = mqos_cls_default_cfg;
	fast.rs.n = 3;
	fast.rs.rules[0] = (struct mqos_rule){ .match = MQOS_RULE_MQTT_QOS, .mqtt_qos = 4, .class_id = 2 };
	fast.rs.rules[1] = (struct mqos_rule){ .match = MQOS_RULE_DSCP | MQOS_RULE_MQTT_QOS,
					       .dscp = 0xffff, .mqtt_qos = 3, .class_id = 3 };
	fast.rs.rules[2] = (struct mqos_rule){ .match = MQOS_RULE_DSCP, .dscp = 1ull << 46, .class_id = 1 };
	if (mqos_ruleset_compile(&fast.rs, &bad, &why) || !(fast.rs.flags & MQOS_RS_FAST))
		abort();
}

/* 24 input bytes -> one rule (fields taken modulo their ranges). */
static void rule_from(struct mqos_rule *r, const u8 *b)
{
	memset(r, 0, sizeof(*r));
	r->match = (u32)(b[0] | b[1] << 8) & MQOS_RULE_ALL;
	memcpy(&r->dscp, b + 2, 8);
	r->mqtt_qos = b[10] & 7;
	r->kinds = b[11] & MQOS_KIND_ALL;
	r->sn_qos = b[12] & 0xf;
	r->proto = b[13];
	r->sport_lo = b[14];
	r->sport_hi = (u16)(b[14] + b[15] * 256);
	r->dport_lo = 1800;
	r->dport_hi = (u16)(1800 + b[16]);
	r->family = b[17] & 1 ? 6 : 4;
	r->src_plen = b[18] % 33;
	r->dst_plen = b[19] % 33;
	memcpy(r->src, b + 20, 4);
	memcpy(r->dst, b + 20, 4);
	r->iif = b[21] & 3;
	r->oif = b[22] & 3;
	r->topic_len = b[23] % 4;
	memcpy(r->topic, "a/b/", 4);
	r->class_id = (u8)(1 + b[23] % MQOS_MAX_CLASSES);
}

static void check(const struct mqos_src *s, const struct mqos_ruleset *rs)
{
	struct mqos_meta meta = { .iif = 1, .oif = 2 };
	struct mqos_cls_res res, res2;

	mqos_classify_eth(s, &meta, rs, &res);
	if (res.class_id > MQOS_MAX_CLASSES)
		abort();
	if (rs && rs->n) {
		/* A rule decided, or the fallback (here the default map). */
		if (res.rule >= (s32)rs->n ||
		    (res.rule >= 0 && res.class_id == 0) ||
		    (res.rule < 0 && !(res.flags & MQOS_CLS_DEFAULT_MAP)))
			abort();
		if (res.rule >= 0 && rs->rules[res.rule].class_id != res.class_id)
			abort();
		if (rs->flags & MQOS_RS_FAST) {
			memcpy(slow.mem, rs, mqos_ruleset_size(rs->n));
			slow.rs.flags &= ~(u32)MQOS_RS_FAST;
			mqos_classify_eth(s, &meta, &slow.rs, &res2);
			if (res2.rule != res.rule || res2.class_id != res.class_id)
				abort();
		}
	} else if (!(res.flags & MQOS_CLS_DEFAULT_MAP)) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct mqos_ruleset *rs = NULL;
	struct mqos_mqttsn sn;
	struct mqos_mqtt m;
	struct mqos_src s;
	u8 sel;
	u8 *copy;

	if (size < 1)
		return 0;
	fixed_sets();
	sel = data[0];
	data++;
	size--;
	switch (sel & 3) {
	case 1:
		rs = &gen.rs;
		break;
	case 2:
		rs = &fast.rs;
		break;
	case 3: {
		u32 n, i, bad;
		const char *why;

		if (size < 1)
			return 0;
		n = data[0] % MAX_FUZZ_RULES;
		data++;
		size--;
		if (size < n * 24)
			return 0;
		memset(in.mem, 0, sizeof(in.mem));
		in.rs.cfg = mqos_cls_default_cfg;
		in.rs.n = n;
		for (i = 0; i < n; i++)
			rule_from(&in.rs.rules[i], data + i * 24);
		data += n * 24;
		size -= n * 24;
		rs = mqos_ruleset_compile(&in.rs, &bad, &why) ? NULL : &in.rs;
		break;
	}
	}
	if (sel & 4) {
		if (rs == &in.rs)
			in.rs.cfg.mode = MQOS_MODE_PACKET;
		else
			rs = NULL;
	}

	/* An exactly sized copy, so that ASan sees any over-read. */
	copy = malloc(size ? size : 1);
	memcpy(copy, data, size);
	mqos_src_init(&s, copy, (u32)size);
	check(&s, rs);

	/* The parsers on their own, over the raw bytes. */
	mqos_mqtt_parse(&m, &s, 0, (u32)size, MQOS_MQTT_WANT_TOPIC);
	if (m.npdus > (size + 1) / 2 || m.topic_len > MQOS_TOPIC_MAX ||
	    m.max_qos > 2 || (m.status != MQOS_MQTT_OK && (m.kinds || m.max_qos != -1)))
		abort();
	mqos_mqttsn_parse(&sn, &s, 0, (u32)size);
	if (sn.qos > 2 || sn.qos < -2)
		abort();
	free(copy);
	return 0;
}
