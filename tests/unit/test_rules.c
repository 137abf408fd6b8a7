// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Rules: every match field, first match wins, validation, and the fast
 * table giving the same answer as the ordered scan on random rule sets.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <cmocka.h>

#include "core/rules.h"
#include "pktbuild.h"

static struct mqos_ruleset *rs_new(u32 n)
{
	struct mqos_ruleset *rs = calloc(1, mqos_ruleset_size(n));

	rs->n = n;
	rs->cfg = mqos_cls_default_cfg;
	return rs;
}

static void rs_compile(struct mqos_ruleset *rs)
{
	const char *why = NULL;
	u32 bad = 0;

	if (mqos_ruleset_compile(rs, &bad, &why))
		print_message("# compile: rule %u: %s\n", bad, why);
	assert_int_equal(mqos_ruleset_compile(rs, &bad, &why), 0);
}

/* A base packet: IPv4 10.0.0.1:40000 -> 10.0.0.2:1883 TCP, DSCP AF41. */
static struct mqos_pkt base_pkt(void)
{
	struct mqos_pkt p = {
		.family = 4, .dsfield = 34 << 2, .l4proto = 6,
		.sport = 40000, .dport = 1883,
		.flags = MQOS_PKT_L4 | MQOS_PKT_PAYLOAD,
	};

	memcpy(&p.saddr[0], "\x0a\x00\x00\x01", 4);
	memcpy(&p.daddr[0], "\x0a\x00\x00\x02", 4);
	return p;
}

static struct mqos_mqtt mqtt_with_topic(const char *t)
{
	struct mqos_mqtt m = { .status = MQOS_MQTT_OK, .kinds = MQOS_KIND_PUBLISH,
			       .max_qos = 1, .npdus = 1, .flags = MQOS_MQTT_F_TOPIC };

	m.topic_len = (u8)strlen(t);
	m.topic_full = m.topic_len;
	memcpy(m.topic, t, m.topic_len);
	return m;
}

static bool match1(struct mqos_rule r, const struct mqos_key *k)
{
	struct mqos_ruleset *rs = rs_new(1);
	bool ok;

	if (!r.class_id)
		r.class_id = 1;
	rs->rules[0] = r;
	rs_compile(rs);
	ok = mqos_ruleset_lookup(rs, k) == 0;
	assert_int_equal(ok, mqos_ruleset_scan(rs, k) == 0);
	free(rs);
	return ok;
}

static void test_fields(void **state)
{
	struct mqos_pkt p = base_pkt();
	struct mqos_mqtt m = mqtt_with_topic("sensors/temp/1");
	struct mqos_key k = { .pkt = &p, .mqtt = &m, .iif = 3, .oif = 7,
			      .qos = 1, .sn_qos = -2,
			      .kinds = MQOS_KIND_PUBLISH };
	struct mqos_key k6;
	struct mqos_pkt p6 = base_pkt();

	(void)state;
	assert_true(match1((struct mqos_rule){ .match = 0 }, &k));
	assert_true(match1((struct mqos_rule){ .match = MQOS_RULE_DSCP, .dscp = 1ull << 34 }, &k));
	assert_false(match1((struct mqos_rule){ .match = MQOS_RULE_DSCP, .dscp = ~(1ull << 34) }, &k));
	assert_true(match1((struct mqos_rule){ .match = MQOS_RULE_MQTT_QOS, .mqtt_qos = 2 }, &k));
	assert_false(match1((struct mqos_rule){ .match = MQOS_RULE_MQTT_QOS, .mqtt_qos = 5 }, &k));
	assert_true(match1((struct mqos_rule){ .match = MQOS_RULE_KIND, .kinds = MQOS_KIND_PUBLISH | MQOS_KIND_ACK1 }, &k));
	assert_false(match1((struct mqos_rule){ .match = MQOS_RULE_KIND, .kinds = MQOS_KIND_CONTROL }, &k));
	assert_true(match1((struct mqos_rule){ .match = MQOS_RULE_TOPIC, .topic = "sensors/", .topic_len = 8 }, &k));
	assert_true(match1((struct mqos_rule){ .match = MQOS_RULE_TOPIC, .topic_len = 0 }, &k));
	assert_false(match1((struct mqos_rule){ .match = MQOS_RULE_TOPIC, .topic = "sensorz", .topic_len = 7 }, &k));
	assert_false(match1((struct mqos_rule){ .match = MQOS_RULE_TOPIC, .topic = "sensors/temp/1/x", .topic_len = 16 }, &k));
	assert_true(match1((struct mqos_rule){ .match = MQOS_RULE_PROTO, .proto = 6 }, &k));
	assert_false(match1((struct mqos_rule){ .match = MQOS_RULE_PROTO, .proto = 17 }, &k));
	assert_true(match1((struct mqos_rule){ .match = MQOS_RULE_SPORT, .sport_lo = 32768, .sport_hi = 65535 }, &k));
	assert_false(match1((struct mqos_rule){ .match = MQOS_RULE_SPORT, .sport_lo = 1, .sport_hi = 39999 }, &k));
	assert_true(match1((struct mqos_rule){ .match = MQOS_RULE_DPORT, .dport_lo = 1883, .dport_hi = 1883 }, &k));
	assert_false(match1((struct mqos_rule){ .match = MQOS_RULE_DPORT, .dport_lo = 1884, .dport_hi = 8883 }, &k));
	assert_true(match1((struct mqos_rule){ .match = MQOS_RULE_SADDR, .family = 4, .src = { NET32(10, 0, 0, 0) }, .src_plen = 8 }, &k));
	/* Host bits in the rule are ignored (normalised by compile). */
	assert_true(match1((struct mqos_rule){ .match = MQOS_RULE_SADDR, .family = 4, .src = { NET32(10, 255, 255, 255) }, .src_plen = 8 }, &k));
	assert_false(match1((struct mqos_rule){ .match = MQOS_RULE_SADDR, .family = 4, .src = { NET32(11, 0, 0, 0) }, .src_plen = 8 }, &k));
	assert_false(match1((struct mqos_rule){ .match = MQOS_RULE_SADDR, .family = 6, .src = { NET32(10, 0, 0, 0) }, .src_plen = 8 }, &k));
	assert_true(match1((struct mqos_rule){ .match = MQOS_RULE_DADDR, .family = 4, .dst = { p.daddr[0] }, .dst_plen = 32 }, &k));
	assert_false(match1((struct mqos_rule){ .match = MQOS_RULE_DADDR, .family = 4, .dst = { p.saddr[0] }, .dst_plen = 32 }, &k));
	assert_true(match1((struct mqos_rule){ .match = MQOS_RULE_DADDR, .family = 4, .dst_plen = 0 }, &k));
	assert_true(match1((struct mqos_rule){ .match = MQOS_RULE_IIF, .iif = 3 }, &k));
	assert_false(match1((struct mqos_rule){ .match = MQOS_RULE_IIF, .iif = 7 }, &k));
	assert_true(match1((struct mqos_rule){ .match = MQOS_RULE_OIF, .oif = 7 }, &k));
	assert_false(match1((struct mqos_rule){ .match = MQOS_RULE_OIF, .oif = 3 }, &k));
	/* AND of fields */
	assert_true(match1((struct mqos_rule){ .match = MQOS_RULE_DSCP | MQOS_RULE_MQTT_QOS | MQOS_RULE_DPORT,
			.dscp = 1ull << 34, .mqtt_qos = 2, .dport_lo = 1883, .dport_hi = 1883 }, &k));
	assert_false(match1((struct mqos_rule){ .match = MQOS_RULE_DSCP | MQOS_RULE_MQTT_QOS | MQOS_RULE_DPORT,
			.dscp = 1ull << 34, .mqtt_qos = 2, .dport_lo = 1, .dport_hi = 2 }, &k));

	/* MQTT-SN QoS, incl. -1 */
	k.sn_qos = -1;
	assert_true(match1((struct mqos_rule){ .match = MQOS_RULE_SN_QOS, .sn_qos = 1 << MQOS_SN_QOS_BIT_M1 }, &k));
	assert_false(match1((struct mqos_rule){ .match = MQOS_RULE_SN_QOS, .sn_qos = 7 }, &k));
	k.sn_qos = 2;
	assert_true(match1((struct mqos_rule){ .match = MQOS_RULE_SN_QOS, .sn_qos = 4 }, &k));
	k.sn_qos = -2;
	assert_false(match1((struct mqos_rule){ .match = MQOS_RULE_SN_QOS, .sn_qos = 0xf }, &k));

	/* No PUBLISH: a QoS rule does not match. */
	k.qos = -1;
	assert_false(match1((struct mqos_rule){ .match = MQOS_RULE_MQTT_QOS, .mqtt_qos = 7 }, &k));
	k.mqtt = NULL;
	assert_false(match1((struct mqos_rule){ .match = MQOS_RULE_TOPIC, .topic_len = 0 }, &k));

	/* No L4 (later fragment): port rules do not match, proto does. */
	p.flags = MQOS_PKT_FRAG | MQOS_PKT_FRAG_LATER;
	assert_false(match1((struct mqos_rule){ .match = MQOS_RULE_DPORT, .dport_lo = 0, .dport_hi = 65535 }, &k));
	assert_true(match1((struct mqos_rule){ .match = MQOS_RULE_PROTO, .proto = 6 }, &k));

	/* IPv6 prefixes */
	p6.family = 6;
	memcpy(p6.saddr, "\x20\x01\x0d\xb8\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x05", 16);
	k6 = k;
	k6.pkt = &p6;
	{
		struct mqos_rule r = { .match = MQOS_RULE_SADDR, .family = 6, .src_plen = 48 };

		memcpy(r.src, "\x20\x01\x0d\xb8\x00\x01\xff\xff", 8);
		assert_true(match1(r, &k6));
		r.src_plen = 64;
		assert_false(match1(r, &k6));
		r.src_plen = 48;
		((u8 *)r.src)[5] ^= 1;	/* inside the prefix */
		assert_false(match1(r, &k6));
		assert_false(match1((struct mqos_rule){ .match = MQOS_RULE_SADDR, .family = 4, .src_plen = 0 }, &k6));
	}
	/* Non-IP: DSCP/addr/proto rules never match. */
	p.family = 0;
	assert_false(match1((struct mqos_rule){ .match = MQOS_RULE_DSCP, .dscp = ~0ull }, &k));
	assert_true(match1((struct mqos_rule){ .match = 0 }, &k));
}

static void test_first_match(void **state)
{
	struct mqos_ruleset *rs = rs_new(3);
	struct mqos_pkt p = base_pkt();
	struct mqos_key k = { .pkt = &p, .qos = -1, .sn_qos = -2 };

	(void)state;
	rs->rules[0] = (struct mqos_rule){ .match = MQOS_RULE_DPORT, .dport_lo = 1, .dport_hi = 100, .class_id = 1 };
	rs->rules[1] = (struct mqos_rule){ .match = MQOS_RULE_PROTO, .proto = 6, .class_id = 2 };
	rs->rules[2] = (struct mqos_rule){ .match = 0, .class_id = 3 };
	rs_compile(rs);
	assert_false(rs->flags & MQOS_RS_FAST);
	assert_int_equal(mqos_ruleset_lookup(rs, &k), 1);
	p.dport = 80;
	assert_int_equal(mqos_ruleset_lookup(rs, &k), 0);
	p.l4proto = 17;
	p.dport = 5000;
	assert_int_equal(mqos_ruleset_lookup(rs, &k), 2);
	rs->n = 2;
	rs_compile(rs);
	assert_int_equal(mqos_ruleset_lookup(rs, &k), -1);
	free(rs);
}

static void test_validation(void **state)
{
	static const struct { struct mqos_rule r; const char *why; } bad[] = {
		{ { .class_id = 0 }, "class" },
		{ { .class_id = 17 }, "class" },
		{ { .class_id = 1, .match = 1u << 12 }, "unknown" },
		{ { .class_id = 1, .match = MQOS_RULE_DSCP }, "DSCP" },
		{ { .class_id = 1, .match = MQOS_RULE_MQTT_QOS }, "QoS" },
		{ { .class_id = 1, .match = MQOS_RULE_MQTT_QOS, .mqtt_qos = 8 }, "QoS" },
		{ { .class_id = 1, .match = MQOS_RULE_KIND, .kinds = 0x20 }, "kind" },
		{ { .class_id = 1, .match = MQOS_RULE_SN_QOS, .sn_qos = 0x10 }, "MQTT-SN" },
		{ { .class_id = 1, .match = MQOS_RULE_TOPIC, .topic_len = 65 }, "topic" },
		{ { .class_id = 1, .match = MQOS_RULE_SPORT, .sport_lo = 2, .sport_hi = 1 }, "port" },
		{ { .class_id = 1, .match = MQOS_RULE_DPORT, .dport_lo = 2, .dport_hi = 1 }, "port" },
		{ { .class_id = 1, .match = MQOS_RULE_SADDR, .family = 5 }, "family" },
		{ { .class_id = 1, .match = MQOS_RULE_SADDR, .family = 4, .src_plen = 33 }, "prefix" },
		{ { .class_id = 1, .match = MQOS_RULE_DADDR, .family = 6, .dst_plen = 129 }, "prefix" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct mqos_ruleset *rs = rs_new(2);
		const char *why = NULL;
		u32 at = 99;

		rs->rules[0] = (struct mqos_rule){ .class_id = 2 };
		rs->rules[1] = bad[i].r;
		assert_int_equal(mqos_ruleset_compile(rs, &at, &why), -1);
		assert_int_equal(at, 1);
		assert_non_null(why);
		assert_non_null(strstr(why, bad[i].why));
		free(rs);
	}
	{
		struct mqos_ruleset *rs = rs_new(0);
		const char *why;
		u32 at;

		rs->n = MQOS_MAX_RULES + 1;
		assert_int_equal(mqos_ruleset_compile(rs, &at, &why), -1);
		free(rs);
	}
}

/* Random DSCP/QoS-only rule sets: the fast table equals the scan. */
static void test_fast_equals_slow(void **state)
{
	unsigned int seed = 12345;
	int iter;

	(void)state;
	for (iter = 0; iter < 300; iter++) {
		u32 n = 1 + (u32)(rand_r(&seed) % 40), i;
		struct mqos_ruleset *rs = rs_new(n);
		int d, q;

		for (i = 0; i < n; i++) {
			struct mqos_rule *r = &rs->rules[i];
			int kind = rand_r(&seed) % 4;

			r->class_id = (u8)(1 + rand_r(&seed) % 16);
			if (kind & 1) {
				r->match |= MQOS_RULE_DSCP;
				r->dscp = ((u64)rand_r(&seed) << 33) ^ ((u64)rand_r(&seed) << 10) ^
					  (u64)rand_r(&seed);
				if (rand_r(&seed) % 2)
					r->dscp &= ((u64)rand_r(&seed) << 32) | (u64)rand_r(&seed);
				if (!r->dscp)
					r->dscp = 1;
			}
			if (kind & 2) {
				r->match |= MQOS_RULE_MQTT_QOS;
				r->mqtt_qos = (u8)(1 + rand_r(&seed) % 7);
			}
		}
		rs_compile(rs);
		assert_true(rs->flags & MQOS_RS_FAST);
		for (d = 0; d < 64; d++) {
			for (q = -1; q <= 2; q++) {
				struct mqos_pkt p = base_pkt();
				struct mqos_key k = { .pkt = &p, .qos = (s8)q, .sn_qos = -2,
						      .kinds = q >= 0 ? MQOS_KIND_PUBLISH : 0 };

				p.dsfield = (u8)(d << 2);
				assert_int_equal(mqos_ruleset_lookup(rs, &k),
						 mqos_ruleset_scan(rs, &k));
			}
		}
		/* One generic rule anywhere turns the fast path off. */
		rs->rules[rand_r(&seed) % n].match |= MQOS_RULE_PROTO;
		rs_compile(rs);
		assert_false(rs->flags & MQOS_RS_FAST);
		free(rs);
	}
}

static void test_needs(void **state)
{
	struct mqos_ruleset *rs = rs_new(1);

	(void)state;
	rs->rules[0] = (struct mqos_rule){ .class_id = 1, .match = MQOS_RULE_DSCP, .dscp = 1 };
	rs_compile(rs);
	assert_int_equal(rs->flags, MQOS_RS_FAST);
	rs->rules[0].match = MQOS_RULE_TOPIC;
	rs_compile(rs);
	assert_int_equal(rs->flags, MQOS_RS_NEED_MQTT | MQOS_RS_NEED_TOPIC);
	rs->rules[0].match = MQOS_RULE_SN_QOS;
	rs->rules[0].sn_qos = 1;
	rs_compile(rs);
	assert_int_equal(rs->flags, MQOS_RS_NEED_SN);
	rs->rules[0].match = MQOS_RULE_KIND;
	rs->rules[0].kinds = 1;
	rs_compile(rs);
	assert_int_equal(rs->flags, MQOS_RS_NEED_MQTT | MQOS_RS_NEED_SN);
	free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_first_match),
		cmocka_unit_test(test_validation),
		cmocka_unit_test(test_fast_equals_slow),
		cmocka_unit_test(test_needs),
	};

	return cmocka_run_group_tests_name("rules", tests, NULL, NULL);
}
