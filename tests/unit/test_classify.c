// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Packet -> class, end to end over built frames: the default map (DSCP,
 * MQTT, MQTT-SN, both modes), rules, malformed counting.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <cmocka.h>

#include <uapi/linux/mqos.h>
#include "core/classify.h"
#include "core/dscp.h"
#include "src_buf.h"
#include "pktbuild.h"

enum {
	CTL = MQOS_CLASS_CONTROL, RT = MQOS_CLASS_REALTIME,
	AS = MQOS_CLASS_ASSURED, BE = MQOS_CLASS_BEST_EFFORT,
	BK = MQOS_CLASS_BULK,
};

#define P(...)	((const u8[]){ __VA_ARGS__ }), sizeof((const u8[]){ __VA_ARGS__ })

static struct mqos_cls_res run(const struct pb *o, const u8 *pl, size_t plen,
			       const struct mqos_ruleset *rs)
{
	static u8 frame[4096];
	struct mqos_meta meta = { .iif = 2, .oif = 5 };
	struct mqos_cls_res res;
	struct mqos_src s;
	size_t len = pb_build(frame, sizeof(frame), o, pl, plen);
	u8 *copy = malloc(len);

	memcpy(copy, frame, len);
	mqos_src_init(&s, copy, (u32)len);
	mqos_classify_eth(&s, &meta, rs, &res);
	free(copy);
	return res;
}

#define TCP(d)	{ .family = 4, .dscp = (d), .sport = 40000, .dport = 1883 }
#define TCP6(d)	{ .family = 6, .dscp = (d), .sport = 1883, .dport = 40000 }
#define UDP(d)	{ .family = 4, .dscp = (d), .proto = 17, .sport = 40000, .dport = 1884 }
#define OTHER(d) { .family = 4, .dscp = (d), .sport = 40000, .dport = 8883 }

#define PUB0	0x30, 0x03, 0x00, 0x01, 't'
#define PUB1	0x32, 0x05, 0x00, 0x01, 't', 0x00, 0x01
#define PUB2	0x34, 0x05, 0x00, 0x01, 't', 0x00, 0x01
#define CONNECT	0x10, 0x0c, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x02, 0x00, 0x3c, 0x00, 0x00
#define PINGREQ	0xc0, 0x00
#define PUBACK	0x40, 0x02, 0x00, 0x01
#define PUBREC	0x50, 0x02, 0x00, 0x01
#define SUB	0x82, 0x06, 0x00, 0x01, 0x00, 0x01, 'a', 0x01
#define SNPUB(f) 0x07, 0x0c, (f), 0x00, 0x01, 0x00, 0x02

struct cls_case {
	const char *name;
	struct pb o;
	const u8 *pl;
	size_t plen;
	u8 flow_cls, packet_cls;	/* MQOS_MODE_FLOW, MQOS_MODE_PACKET */
	u8 flags;			/* expected MQOS_CLS_* (flow mode) */
};

#define F_M MQOS_CLS_MQTT
#define F_P MQOS_CLS_PUBLISH
#define F_X MQOS_CLS_MALFORMED

static const struct cls_case cases[] = {
	/* DSCP alone (no MQTT payload, or not an MQTT port) */
	{ "CS0", TCP(0), NULL, 0, BE, BE, 0 },
	{ "CS1", TCP(8), NULL, 0, BK, BK, 0 },
	{ "LE", TCP(1), NULL, 0, BK, BK, 0 },
	{ "CS2", TCP(16), NULL, 0, AS, AS, 0 },
	{ "CS3", TCP(24), NULL, 0, AS, AS, 0 },
	{ "AF11", TCP(10), NULL, 0, AS, AS, 0 },
	{ "AF43", TCP(38), NULL, 0, AS, AS, 0 },
	{ "CS4", TCP(32), NULL, 0, RT, RT, 0 },
	{ "CS5", TCP(40), NULL, 0, RT, RT, 0 },
	{ "VA", TCP(44), NULL, 0, RT, RT, 0 },
	{ "EF", TCP(46), NULL, 0, RT, RT, 0 },
	{ "CS6", TCP(48), NULL, 0, CTL, CTL, 0 },
	{ "CS7", TCP(56), NULL, 0, CTL, CTL, 0 },
	{ "unnamed 5", TCP(5), NULL, 0, BE, BE, 0 },
	{ "EF ipv6", TCP6(46), NULL, 0, RT, RT, 0 },
	{ "port 8883 (TLS): DSCP", OTHER(10), P(PUB2), AS, AS, 0 },
	/* MQTT PUBLISH wins over DSCP */
	{ "publish qos0 on EF", TCP(46), P(PUB0), BE, BE, F_M | F_P },
	{ "publish qos1 on CS0", TCP(0), P(PUB1), AS, AS, F_M | F_P },
	{ "publish qos2 on CS1", TCP(8), P(PUB2), RT, RT, F_M | F_P },
	{ "publish qos2 ipv6 from broker", TCP6(0), P(PUB2), RT, RT, F_M | F_P },
	{ "coalesced qos0+qos2", TCP(0), P(PUB0, PUB2), RT, RT, F_M | F_P },
	{ "pingreq+publish qos1", TCP(0), P(PINGREQ, PUB1), AS, AS, F_M | F_P },
	/* Control and acks: DSCP in flow mode, MQTT class per packet */
	{ "connect", TCP(0), P(CONNECT), BE, CTL, F_M },
	{ "connect on AF21", TCP(18), P(CONNECT), AS, CTL, F_M },
	{ "pingreq", TCP(8), P(PINGREQ), BK, CTL, F_M },
	{ "subscribe", TCP(0), P(SUB), BE, CTL, F_M },
	{ "puback", TCP(0), P(PUBACK), BE, AS, F_M },
	{ "pubrec", TCP(0), P(PUBREC), BE, RT, F_M },
	{ "puback+pingreq", TCP(0), P(PUBACK, PINGREQ), BE, CTL, F_M },
	/* Malformed or unknown: DSCP, malformed flagged */
	{ "publish qos3", TCP(10), P(0x36, 0x05, 0x00, 0x01, 't', 0x00, 0x01), AS, AS, F_X },
	{ "pingreq + garbage", TCP(0), P(PINGREQ, 0x00, 0x00), BE, BE, F_X },
	{ "mid-message", TCP(0), P('a', 'b', 'c', 'd'), BE, BE, 0 },
	/* MQTT-SN (UDP): always per packet */
	{ "sn qos-1", UDP(46), P(SNPUB(0x60)), BE, BE, F_M | F_P },
	{ "sn qos0", UDP(0), P(SNPUB(0x00)), BE, BE, F_M | F_P },
	{ "sn qos1", UDP(0), P(SNPUB(0x20)), AS, AS, F_M | F_P },
	{ "sn qos2", UDP(0), P(SNPUB(0x40)), RT, RT, F_M | F_P },
	{ "sn pingreq", UDP(0), P(0x02, 0x16), CTL, CTL, F_M },
	{ "sn malformed", UDP(16), P(0x09, 0x0c), AS, AS, F_X },
	{ "sn on other port", { .family = 4, .proto = 17, .dport = 5000, .sport = 5001 },
	  P(SNPUB(0x40)), BE, BE, 0 },
	/* Fragments: only the first has L4/MQTT */
	{ "first fragment publish", { .family = 4, .dport = 1883, .frag = PB_FRAG_FIRST },
	  P(PUB2), RT, RT, F_M | F_P },
	{ "later fragment", { .family = 4, .dscp = 8, .dport = 1883, .frag = PB_FRAG_LATER },
	  P(PUB2), BK, BK, 0 },
	/*
	 * MQTT-SN datagram larger than the MTU: the first fragment carries
	 * the header, whose length runs past the fragment. Not malformed
	 * (not counted); the DSCP decides, as for the later fragments.
	 */
	{ "sn first fragment, 1-octet length", { .family = 4, .dscp = 16, .proto = 17,
	  .sport = 40000, .dport = 1884, .frag = PB_FRAG_FIRST },
	  P(0xf0, 0x0c, 0x40, 0x00, 0x01, 0x00, 0x02, 'x', 'y'), AS, AS, 0 },
	{ "sn first fragment, 3-octet length", { .family = 4, .proto = 17,
	  .sport = 40000, .dport = 1884, .frag = PB_FRAG_FIRST },
	  P(0x01, 0x05, 0xdc, 0x0c, 0x20, 0x00, 0x01, 0x00, 0x02, 'x'), BE, BE, 0 },
	{ "sn first fragment ipv6", { .family = 6, .dscp = 46, .proto = 17,
	  .sport = 40000, .dport = 1884, .frag = PB_FRAG_FIRST },
	  P(0x01, 0x05, 0xdc, 0x0c, 0x40, 0x00, 0x01, 0x00, 0x02), RT, RT, 0 },
	/* A whole message in a first fragment is still read. */
	{ "sn whole publish in a first fragment", { .family = 4, .proto = 17,
	  .sport = 40000, .dport = 1884, .frag = PB_FRAG_FIRST },
	  P(SNPUB(0x40), 'x'), RT, RT, F_M | F_P },
	{ "sn later fragment", { .family = 4, .dscp = 8, .proto = 17,
	  .sport = 40000, .dport = 1884, .frag = PB_FRAG_LATER },
	  P(0xf0, 0x0c), BK, BK, 0 },
	/* The same cut message unfragmented is malformed, and counted. */
	{ "sn length past the datagram", UDP(16),
	  P(0xf0, 0x0c, 0x40, 0x00, 0x01, 0x00, 0x02, 'x', 'y'), AS, AS, F_X },
	{ "vlan publish", { .family = 4, .vlans = 2, .dport = 1883 }, P(PUB1), AS, AS, F_M | F_P },
};

static void test_default_map(void **state)
{
	struct mqos_ruleset *rs = calloc(1, mqos_ruleset_size(0));
	size_t i;

	(void)state;
	rs->cfg = mqos_cls_default_cfg;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct cls_case *c = &cases[i];
		struct mqos_cls_res flow = run(&c->o, c->pl, c->plen, NULL);
		struct mqos_cls_res pkt;

		rs->cfg.mode = MQOS_MODE_PACKET;
		pkt = run(&c->o, c->pl, c->plen, rs);
		if (flow.class_id != c->flow_cls || pkt.class_id != c->packet_cls ||
		    flow.flags != (c->flags | MQOS_CLS_DEFAULT_MAP))
			print_message("# failing case: %s: flow %u packet %u flags %#x\n",
				      c->name, flow.class_id, pkt.class_id, flow.flags);
		assert_int_equal(flow.class_id, c->flow_cls);
		assert_int_equal(pkt.class_id, c->packet_cls);
		assert_int_equal(flow.flags, c->flags | MQOS_CLS_DEFAULT_MAP);
		assert_int_equal(flow.rule, -1);
	}
	free(rs);
}

static void test_not_ip(void **state)
{
	static const u8 arp[60] = { [12] = 0x08, [13] = 0x06 };
	struct mqos_cls_res res;
	struct mqos_src s;

	(void)state;
	mqos_src_init(&s, arp, sizeof(arp));
	mqos_classify_eth(&s, NULL, NULL, &res);
	assert_int_equal(res.class_id, 0);
	mqos_src_init(&s, arp, 3);
	mqos_classify_eth(&s, NULL, NULL, &res);
	assert_int_equal(res.class_id, 0);
}

static struct mqos_ruleset *rules(u32 n, const struct mqos_rule *r)
{
	struct mqos_ruleset *rs = calloc(1, mqos_ruleset_size(n));
	const char *why;
	u32 bad;

	rs->n = n;
	rs->cfg = mqos_cls_default_cfg;
	if (n)
		memcpy(rs->rules, r, n * sizeof(*r));
	assert_int_equal(mqos_ruleset_compile(rs, &bad, &why), 0);
	return rs;
}

static void test_rules(void **state)
{
	const struct mqos_rule r[] = {
		{ .match = MQOS_RULE_TOPIC, .topic = "alarm/", .topic_len = 6, .class_id = 1 },
		{ .match = MQOS_RULE_MQTT_QOS, .mqtt_qos = 4, .class_id = 2 },
		{ .match = MQOS_RULE_SN_QOS, .sn_qos = 1 << MQOS_SN_QOS_BIT_M1, .class_id = 6 },
		{ .match = MQOS_RULE_KIND, .kinds = MQOS_KIND_CONTROL, .class_id = 7 },
		{ .match = MQOS_RULE_PROTO | MQOS_RULE_DPORT | MQOS_RULE_DADDR, .proto = 17,
		  .dport_lo = 5000, .dport_hi = 5010, .family = 4, .dst = { NET32(10, 0, 0, 2) }, .dst_plen = 32,
		  .class_id = 8 },
		{ .match = MQOS_RULE_IIF | MQOS_RULE_OIF, .iif = 2, .oif = 5, .class_id = 9 },
	};
	struct mqos_ruleset *rs = rules(ARRAY_SIZE(r), r);
	struct pb tcp = TCP(46), udp = UDP(0), other = { .family = 4, .proto = 17, .dport = 5005 };
	struct mqos_cls_res res;

	(void)state;
	res = run(&tcp, P(0x30, 0x09, 0x00, 0x07, 'a', 'l', 'a', 'r', 'm', '/', '1'), rs);
	assert_int_equal(res.class_id, 1);
	assert_int_equal(res.rule, 0);
	assert_true(res.flags & MQOS_CLS_PUBLISH);
	assert_false(res.flags & MQOS_CLS_DEFAULT_MAP);
	res = run(&tcp, P(0x30, 0x09, 0x00, 0x07, 'a', 'l', 'e', 'r', 't', '/', '1'), rs);
	assert_int_equal(res.rule, 5);
	res = run(&tcp, P(PUB2), rs);
	assert_int_equal(res.class_id, 2);
	assert_int_equal(res.rule, 1);
	res = run(&udp, P(SNPUB(0x60)), rs);
	assert_int_equal(res.class_id, 6);
	res = run(&tcp, P(CONNECT), rs);
	assert_int_equal(res.class_id, 7);
	res = run(&udp, P(0x02, 0x16), rs);
	assert_int_equal(res.class_id, 7);
	res = run(&other, NULL, 0, rs);
	assert_int_equal(res.class_id, 8);
	assert_int_equal(res.rule, 4);
	res = run(&tcp, NULL, 0, rs);
	assert_int_equal(res.class_id, 9);
	/* Malformed MQTT: no MQTT rule matches, counted. */
	res = run(&tcp, P(0x36, 0x05, 0x00, 0x01, 't', 0x00, 0x01), rs);
	assert_int_equal(res.rule, 5);
	assert_true(res.flags & MQOS_CLS_MALFORMED);
	free(rs);
}

static void test_rules_no_match_and_ports(void **state)
{
	const struct mqos_rule r[] = {
		{ .match = MQOS_RULE_DSCP, .dscp = 1ull << 46, .class_id = 3 },
		{ .match = MQOS_RULE_MQTT_QOS, .mqtt_qos = 4, .class_id = 2 },
	};
	struct mqos_ruleset *rs = rules(ARRAY_SIZE(r), r);
	struct pb tcp = TCP(0), tls = OTHER(0);
	struct mqos_cls_res res;

	(void)state;
	/* What a table with rules did before rules refined the map. */
	rs->cfg.fallback = MQOS_RULE_DEFAULT_DEVICE;
	assert_true(rs->flags & MQOS_RS_FAST);
	res = run(&tcp, P(PUB1), rs);
	assert_int_equal(res.class_id, 0);
	assert_int_equal(res.rule, -1);
	res = run(&tcp, P(PUB2), rs);
	assert_int_equal(res.class_id, 2);
	/* Another MQTT port, by configuration. */
	res = run(&tls, P(PUB2), rs);
	assert_int_equal(res.class_id, 0);
	rs->cfg.mqtt_ports[1] = 8883;
	res = run(&tls, P(PUB2), rs);
	assert_int_equal(res.class_id, 2);
	/* DSCP-only rules: MQTT is not even parsed (so not counted). */
	rs->n = 1;
	assert_int_equal(mqos_ruleset_compile(rs, &(u32){0}, &(const char *){NULL}), 0);
	res = run(&tcp, P(0x36, 0x05, 0x00, 0x01, 't', 0x00, 0x01), rs);
	assert_int_equal(res.flags, 0);
	free(rs);
}

/*
 * Rules refine the default map: what no rule matches gets the map's class
 * (fallback map, the default), a fixed class, or the caller's default
 * class (fallback device); MQTT is parsed only when the rules or the map
 * need it.
 */
static void test_rules_refine_map(void **state)
{
	const struct mqos_rule r[] = {
		{ .match = MQOS_RULE_DSCP, .dscp = 1ull << 46, .class_id = 7 },
	};
	struct mqos_ruleset *rs = rules(ARRAY_SIZE(r), r);
	struct pb tcp = TCP(0), ef = TCP(46), bulk = TCP(8);
	struct mqos_cls_res res;

	(void)state;
	assert_int_equal(rs->cfg.fallback, MQOS_RULE_DEFAULT_MAP);
	res = run(&ef, P(PUB2), rs);		/* the rule: MQTT not read */
	assert_int_equal(res.class_id, 7);
	assert_int_equal(res.rule, 0);
	assert_int_equal(res.flags, 0);
	res = run(&tcp, P(PUB2), rs);		/* the map: QoS 2 */
	assert_int_equal(res.class_id, RT);
	assert_int_equal(res.rule, -1);
	assert_true(res.flags & MQOS_CLS_DEFAULT_MAP);
	assert_true(res.flags & MQOS_CLS_MQTT);
	res = run(&bulk, NULL, 0, rs);		/* the map: CS1 */
	assert_int_equal(res.class_id, mqos_dscp_default_map[8]);
	/* A fixed class: MQTT not parsed for DSCP-only rules. */
	rs->cfg.fallback = 4;
	res = run(&tcp, P(PUB2), rs);
	assert_int_equal(res.class_id, 4);
	assert_int_equal(res.flags, 0);
	res = run(&ef, P(PUB2), rs);
	assert_int_equal(res.class_id, 7);
	/* The caller's default class. */
	rs->cfg.fallback = MQOS_RULE_DEFAULT_DEVICE;
	res = run(&tcp, P(PUB2), rs);
	assert_int_equal(res.class_id, 0);
	assert_int_equal(res.flags, 0);
	/* No rules and a fixed class: everything there. */
	rs->n = 0;
	assert_int_equal(mqos_ruleset_compile(rs, &(u32){0}, &(const char *){NULL}), 0);
	rs->cfg.fallback = 5;
	res = run(&ef, P(PUB2), rs);
	assert_int_equal(res.class_id, 5);
	free(rs);
}

/*
 * A table without rules that only carries ports (what PORTS_SET publishes):
 * the default map, with MQTT read on the configured ports only.
 */
static void test_ports_without_rules(void **state)
{
	struct mqos_ruleset *rs = rules(0, NULL);
	struct pb tcp = TCP(0), tls = OTHER(0), udp = UDP(0);
	struct mqos_cls_res res;

	(void)state;
	assert_true(mqos_cls_cfg_equal(&rs->cfg, &mqos_cls_default_cfg));
	res = run(&tls, P(PUB2), rs);
	assert_int_equal(res.class_id, BE);
	rs->cfg.mqtt_ports[0] = 8883;
	assert_false(mqos_cls_cfg_equal(&rs->cfg, &mqos_cls_default_cfg));
	res = run(&tls, P(PUB2), rs);
	assert_int_equal(res.class_id, RT);
	assert_true(res.flags & MQOS_CLS_MQTT);
	res = run(&tcp, P(PUB2), rs);		/* 1883 no longer listed */
	assert_int_equal(res.class_id, BE);
	assert_false(res.flags & MQOS_CLS_MQTT);
	res = run(&udp, P(SNPUB(0x40)), rs);	/* MQTT-SN list untouched */
	assert_int_equal(res.class_id, RT);
	memset(rs->cfg.sn_ports, 0, sizeof(rs->cfg.sn_ports));
	res = run(&udp, P(SNPUB(0x40)), rs);	/* "mqttsn none" */
	assert_int_equal(res.class_id, BE);
	free(rs);
}

static void test_default_qos_class(void **state)
{
	(void)state;
	assert_int_equal(mqos_default_qos_class(-1), BE);
	assert_int_equal(mqos_default_qos_class(0), BE);
	assert_int_equal(mqos_default_qos_class(1), AS);
	assert_int_equal(mqos_default_qos_class(2), RT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_map),
		cmocka_unit_test(test_not_ip),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_rules_no_match_and_ports),
		cmocka_unit_test(test_rules_refine_map),
		cmocka_unit_test(test_ports_without_rules),
		cmocka_unit_test(test_default_qos_class),
	};

	return cmocka_run_group_tests_name("classify", tests, NULL, NULL);
}
