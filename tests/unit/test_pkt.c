// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Packet view: IPv4 (options), IPv6 (extension header chains), VLAN and
 * QinQ, fragments, DSCP/ECN, ports, payload offset, truncation at every
 * byte offset, Ethernet padding.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <cmocka.h>

#include "core/pkt.h"
#include "src_buf.h"
#include "pktbuild.h"

static u8 frame[4096];

static struct mqos_pkt view(size_t len)
{
	struct mqos_pkt p;
	struct mqos_src s;
	u8 *copy = malloc(len ? len : 1);

	memcpy(copy, frame, len);
	mqos_src_init(&s, copy, (u32)len);
	memset(&p, 0xa5, sizeof(p));
	mqos_pkt_parse_eth(&p, &s);
	free(copy);
	return p;
}

struct pkt_case {
	const char *name;
	struct pb o;
	u8 family, l4proto, flags;
	u16 sport, dport;
};

#define TCP_PORTS .sport = 40000, .dport = 1883
#define F_TCP (MQOS_PKT_L4 | MQOS_PKT_PAYLOAD)

static const struct pkt_case cases[] = {
	{ "ipv4 tcp", { .family = 4, TCP_PORTS, .dscp = 46, .ecn = 1 }, 4, 6, F_TCP, 40000, 1883 },
	{ "ipv4 options 4", { .family = 4, TCP_PORTS, .ip4_opt_len = 4 }, 4, 6, F_TCP, 40000, 1883 },
	{ "ipv4 options 40", { .family = 4, TCP_PORTS, .ip4_opt_len = 40 }, 4, 6, F_TCP, 40000, 1883 },
	{ "ipv4 tcp options", { .family = 4, TCP_PORTS, .tcp_opt_len = 12 }, 4, 6, F_TCP, 40000, 1883 },
	{ "ipv4 udp", { .family = 4, .proto = 17, .sport = 5000, .dport = 1884 }, 4, 17, F_TCP, 5000, 1884 },
	{ "ipv4 udplite", { .family = 4, .proto = 136, .sport = 1, .dport = 2 }, 4, 136, F_TCP, 1, 2 },
	{ "ipv4 icmp", { .family = 4, .proto = 1 }, 4, 1, 0, 0, 0 },
	{ "vlan", { .family = 4, .vlans = 1, TCP_PORTS }, 4, 6, F_TCP | MQOS_PKT_VLAN, 40000, 1883 },
	{ "qinq", { .family = 6, .vlans = 2, TCP_PORTS }, 6, 6, F_TCP | MQOS_PKT_VLAN, 40000, 1883 },
	{ "ipv4 first fragment", { .family = 4, TCP_PORTS, .frag = PB_FRAG_FIRST }, 4, 6,
	  F_TCP | MQOS_PKT_FRAG, 40000, 1883 },
	{ "ipv4 later fragment", { .family = 4, TCP_PORTS, .frag = PB_FRAG_LATER }, 4, 6,
	  MQOS_PKT_FRAG | MQOS_PKT_FRAG_LATER, 0, 0 },
	{ "ipv6 tcp", { .family = 6, TCP_PORTS, .dscp = 10, .ecn = 3 }, 6, 6, F_TCP, 40000, 1883 },
	{ "ipv6 hbh", { .family = 6, TCP_PORTS, .ext = { 0 }, .n_ext = 1 }, 6, 6, F_TCP, 40000, 1883 },
	{ "ipv6 hbh rt dst ah", { .family = 6, TCP_PORTS, .ext = { 0, 43, 60, 51 }, .n_ext = 4 },
	  6, 6, F_TCP, 40000, 1883 },
	{ "ipv6 8 headers", { .family = 6, .proto = 17, .sport = 9, .dport = 1884,
	  .ext = { 0, 60, 43, 60, 60, 60, 60, 60 }, .n_ext = 8 }, 6, 17, F_TCP, 9, 1884 },
	{ "ipv6 9 headers: bound", { .family = 6, TCP_PORTS, .ext = { 0, 60, 43, 60, 60, 60, 60, 60 }, .n_ext = 8,
	  .frag = PB_FRAG_FIRST }, 6, 44, MQOS_PKT_EXT_LIMIT, 0, 0 },
	{ "ipv6 first fragment", { .family = 6, TCP_PORTS, .ext = { 0 }, .n_ext = 1, .frag = PB_FRAG_FIRST },
	  6, 6, F_TCP | MQOS_PKT_FRAG, 40000, 1883 },
	{ "ipv6 later fragment", { .family = 6, TCP_PORTS, .ext = { 60 }, .n_ext = 1, .frag = PB_FRAG_LATER },
	  6, 6, MQOS_PKT_FRAG | MQOS_PKT_FRAG_LATER, 0, 0 },
	{ "ipv6 esp", { .family = 6, .proto = 50 }, 6, 50, 0, 0, 0 },
	{ "ipv4 padded frame", { .family = 4, TCP_PORTS, .pad = 30 }, 4, 6, F_TCP, 40000, 1883 },
};

static void test_cases(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct pkt_case *c = &cases[i];
		size_t len = pb_build(frame, sizeof(frame), &c->o, "\xc0\x00", 2);
		struct mqos_pkt p = view(len);

		if (p.family != c->family || p.l4proto != c->l4proto ||
		    p.flags != c->flags || p.sport != c->sport || p.dport != c->dport)
			print_message("# failing case: %s (flags %#x proto %u)\n",
				      c->name, p.flags, p.l4proto);
		assert_int_equal(p.family, c->family);
		assert_int_equal(p.l4proto, c->l4proto);
		assert_int_equal(p.flags, c->flags);
		if (c->flags & MQOS_PKT_L4) {
			assert_int_equal(p.sport, c->sport);
			assert_int_equal(p.dport, c->dport);
		}
		if (c->flags & MQOS_PKT_PAYLOAD) {
			assert_int_equal(p.payload_off, pb_payload_off);
			/* The IP length, not the frame, bounds the payload. */
			assert_int_equal(p.end, pb_payload_off + 2);
		}
		assert_int_equal(mqos_pkt_dscp(&p), c->o.dscp);
		assert_int_equal(mqos_pkt_ecn(&p), c->o.ecn);
	}
}

static void test_addresses(void **state)
{
	struct pb o = { .family = 4, .sport = 1, .dport = 2,
			.saddr = { 192, 168, 1, 10 }, .daddr = { 8, 8, 4, 4 } };
	size_t len = pb_build(frame, sizeof(frame), &o, NULL, 0);
	struct mqos_pkt p = view(len);

	(void)state;
	assert_memory_equal(&p.saddr[0], o.saddr, 4);
	assert_memory_equal(&p.daddr[0], o.daddr, 4);
	assert_int_equal(p.saddr[1] | p.saddr[2] | p.saddr[3], 0);

	o.family = 6;
	o.saddr[15] = 0x77;
	o.daddr[0] = 0xfe;
	len = pb_build(frame, sizeof(frame), &o, NULL, 0);
	p = view(len);
	assert_memory_equal(p.saddr, o.saddr, 16);
	assert_memory_equal(p.daddr, o.daddr, 16);
}

/* Every prefix of every case: never a crash, never L4 past the end. */
static void test_truncated_every_offset(void **state)
{
	size_t i, len, full;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		full = pb_build(frame, sizeof(frame), &cases[i].o, "\x30\x03\x00\x01t", 5);
		for (len = 0; len < full; len++) {
			struct mqos_pkt p = view(len);

			if (p.flags & MQOS_PKT_L4)
				assert_true(p.l4_off + 4 <= len);
			if (p.flags & MQOS_PKT_PAYLOAD)
				assert_true(p.payload_off <= p.end && p.end <= len);
			if (p.family)
				assert_true(p.end <= len);
		}
	}
}

static void test_not_ip(void **state)
{
	struct mqos_pkt p;

	(void)state;
	memset(frame, 0, 64);
	frame[12] = 0x08;
	frame[13] = 0x06;		/* ARP */
	p = view(64);
	assert_int_equal(p.family, 0);
	assert_int_equal(p.flags, 0);

	frame[13] = 0x00;		/* IPv4 ethertype, version 6 */
	frame[14] = 0x65;
	p = view(64);
	assert_int_equal(p.family, 0);
	assert_true(p.flags & MQOS_PKT_BAD);

	frame[14] = 0x44;		/* IHL 4 */
	p = view(64);
	assert_int_equal(p.family, 0);
	assert_true(p.flags & MQOS_PKT_BAD);
}

/* Bad lengths inside the headers. */
static void test_bad_lengths(void **state)
{
	struct pb o = { .family = 4, TCP_PORTS };
	size_t len;
	struct mqos_pkt p;

	(void)state;
	len = pb_build(frame, sizeof(frame), &o, NULL, 0);
	frame[14 + 20 + 12] = 0x40;	/* TCP doff 4 */
	p = view(len);
	assert_true(p.flags & MQOS_PKT_BAD);
	assert_false(p.flags & MQOS_PKT_PAYLOAD);

	len = pb_build(frame, sizeof(frame), &o, NULL, 0);
	frame[14 + 20 + 12] = 0xf0;	/* TCP doff 15: past the packet */
	p = view(len);
	assert_false(p.flags & MQOS_PKT_PAYLOAD);

	len = pb_build(frame, sizeof(frame), &o, NULL, 0);
	frame[14 + 2] = 0;
	frame[14 + 3] = 10;		/* IPv4 total length < header */
	p = view(len);
	assert_true(p.flags & MQOS_PKT_BAD);

	len = pb_build(frame, sizeof(frame), &o, NULL, 0);
	frame[14 + 2] = 0;
	frame[14 + 3] = 0;		/* 0: GSO/BIG TCP, use the buffer */
	p = view(len);
	assert_true(p.flags & MQOS_PKT_PAYLOAD);
	assert_int_equal(p.end, len);

	o.family = 6;
	o.ext[0] = 0;
	o.n_ext = 1;
	len = pb_build(frame, sizeof(frame), &o, NULL, 0);
	frame[14 + 40 + 1] = 200;	/* HBH length past the packet */
	p = view(len);
	assert_int_equal(p.family, 6);
	assert_true(p.flags & MQOS_PKT_BAD);
	assert_false(p.flags & MQOS_PKT_L4);
}

/* Parsing from an L3 offset, as the kernel does. */
static void test_l3_entry(void **state)
{
	struct pb o = { .family = 6, TCP_PORTS, .dscp = 48 };
	size_t len = pb_build(frame, sizeof(frame), &o, NULL, 0);
	struct mqos_src s;
	struct mqos_pkt p;

	(void)state;
	mqos_src_init(&s, frame + 14, (u32)len - 14);
	mqos_pkt_parse(&p, &s, 0, MQOS_ETH_P_IPV6);
	assert_int_equal(p.family, 6);
	assert_int_equal(mqos_pkt_dscp(&p), 48);
	assert_int_equal(p.dport, 1883);
	assert_int_equal(p.l3_off, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_truncated_every_offset),
		cmocka_unit_test(test_not_ip),
		cmocka_unit_test(test_bad_lengths),
		cmocka_unit_test(test_l3_entry),
	};

	return cmocka_run_group_tests_name("pkt", tests, NULL, NULL);
}
