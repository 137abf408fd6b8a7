// SPDX-License-Identifier: GPL-2.0 OR MIT
/* MQTT-SN: 1- and 3-octet lengths, PUBLISH QoS 0/1/2/-1, encapsulation. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <cmocka.h>

#include "core/mqtt.h"
#include "core/mqttsn.h"
#include "src_buf.h"

#define B(...)	((const u8[]){ __VA_ARGS__ }), sizeof((const u8[]){ __VA_ARGS__ })

enum { OK = MQOS_MQTTSN_OK, BAD = MQOS_MQTTSN_MALFORMED, NO = MQOS_MQTTSN_NO_QOS };

static struct mqos_mqttsn parse(const u8 *b, size_t len)
{
	struct mqos_mqttsn sn;
	struct mqos_src s;
	u8 *copy = malloc(len ? len : 1);

	memcpy(copy, b, len);
	mqos_src_init(&s, copy, (u32)len);
	mqos_mqttsn_parse(&sn, &s, 0, (u32)len);
	free(copy);
	return sn;
}

#define PUB(fl)	0x0c, (fl), 0x00, 0x01, 0x00, 0x02

static const struct {
	const char *name;
	const u8 *b;
	size_t len;
	int status;
	s8 qos;
	u8 kinds;
	u8 encap;
} cases[] = {
	{ "publish qos0", B(0x09, PUB(0x00), 'h', 'i'), OK, 0, MQOS_KIND_PUBLISH, 0 },
	{ "publish qos1", B(0x07, PUB(0x20)), OK, 1, MQOS_KIND_PUBLISH, 0 },
	{ "publish qos2", B(0x07, PUB(0x40)), OK, 2, MQOS_KIND_PUBLISH, 0 },
	{ "publish qos-1", B(0x07, PUB(0x62)), OK, -1, MQOS_KIND_PUBLISH, 0 },
	{ "publish dup retain qos1", B(0x07, PUB(0xb0)), OK, 1, MQOS_KIND_PUBLISH, 0 },
	{ "publish topic type 3", B(0x07, PUB(0x03)), BAD, NO, 0, 0 },
	{ "publish too short", B(0x06, 0x0c, 0x00, 0x00, 0x01, 0x00), BAD, NO, 0, 0 },
	{ "publish 3-octet", B(0x01, 0x00, 0x09, PUB(0x40)), OK, 2, MQOS_KIND_PUBLISH, 0 },
	{ "publish 3-octet too short", B(0x01, 0x00, 0x08, 0x0c, 0x40, 0x00, 0x01, 0x00), BAD, NO, 0, 0 },
	{ "length > datagram", B(0x10, PUB(0x00)), BAD, NO, 0, 0 },
	{ "length < datagram: trailing ignored", B(0x07, PUB(0x20), 0xee), OK, 1, MQOS_KIND_PUBLISH, 0 },
	{ "length 0", B(0x00, 0x0c), BAD, NO, 0, 0 },
	{ "length 1", B(0x01), BAD, NO, 0, 0 },
	{ "3-octet cut", B(0x01, 0x00), BAD, NO, 0, 0 },
	{ "pingreq", B(0x02, 0x16), OK, NO, MQOS_KIND_CONTROL, 0 },
	{ "connect", B(0x08, 0x04, 0x04, 0x01, 0x00, 0x3c, 'c', 'l'), OK, NO, MQOS_KIND_CONTROL, 0 },
	{ "puback", B(0x07, 0x0d, 0x00, 0x01, 0x00, 0x02, 0x00), OK, NO, MQOS_KIND_ACK1, 0 },
	{ "pubrec", B(0x04, 0x0f, 0x00, 0x02), OK, NO, MQOS_KIND_ACK2, 0 },
	{ "pubrel", B(0x04, 0x10, 0x00, 0x02), OK, NO, MQOS_KIND_ACK2, 0 },
	{ "pubcomp", B(0x04, 0x0e, 0x00, 0x02), OK, NO, MQOS_KIND_ACK2, 0 },
	{ "register", B(0x07, 0x0a, 0x00, 0x00, 0x00, 0x01, 't'), OK, NO, MQOS_KIND_SUBSCRIBE, 0 },
	{ "undefined 0x03", B(0x02, 0x03), BAD, NO, 0, 0 },
	{ "undefined 0x19", B(0x02, 0x19), BAD, NO, 0, 0 },
	{ "undefined 0x30", B(0x02, 0x30), BAD, NO, 0, 0 },
	/* Forwarder encapsulation: len, 0xfe, ctrl, node id (2 octets) */
	{ "encap publish qos2", B(0x05, 0xfe, 0x01, 0xaa, 0xbb, 0x07, PUB(0x40)), OK, 2, MQOS_KIND_PUBLISH, 1 },
	{ "encap no node id", B(0x03, 0xfe, 0x01, 0x07, PUB(0x20)), OK, 1, MQOS_KIND_PUBLISH, 1 },
	{ "encap 3-octet inner", B(0x03, 0xfe, 0x01, 0x01, 0x00, 0x09, PUB(0x62)), OK, -1, MQOS_KIND_PUBLISH, 1 },
	{ "encap pingreq", B(0x04, 0xfe, 0x00, 0x01, 0x02, 0x16), OK, NO, MQOS_KIND_CONTROL, 1 },
	{ "encap twice", B(0x03, 0xfe, 0x01, 0x03, 0xfe, 0x01, 0x07, PUB(0x20)), BAD, NO, 0, 0 },
	{ "encap header only", B(0x03, 0xfe, 0x01), BAD, NO, 0, 0 },
	{ "encap length 2", B(0x02, 0xfe, 0x07, PUB(0x20)), BAD, NO, 0, 0 },
	{ "encap inner cut", B(0x03, 0xfe, 0x01, 0x07, 0x0c, 0x20), BAD, NO, 0, 0 },
};

static void test_cases(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct mqos_mqttsn sn = parse(cases[i].b, cases[i].len);

		if (sn.status != cases[i].status || sn.qos != cases[i].qos ||
		    sn.kinds != cases[i].kinds || sn.encap != cases[i].encap)
			print_message("# failing case: %s\n", cases[i].name);
		assert_int_equal(sn.status, cases[i].status);
		assert_int_equal(sn.qos, cases[i].qos);
		assert_int_equal(sn.kinds, cases[i].kinds);
		if (sn.status == OK)
			assert_int_equal(sn.encap, cases[i].encap);
	}
}

static void test_empty_and_truncated(void **state)
{
	static const u8 b[] = { 0x05, 0xfe, 0x01, 0xaa, 0xbb, 0x01, 0x00, 0x09, PUB(0x40) };
	struct mqos_mqttsn sn = parse(b, 0);
	size_t len;

	(void)state;
	assert_int_equal(sn.status, MQOS_MQTTSN_NONE);
	for (len = 1; len < sizeof(b); len++) {
		sn = parse(b, len);
		assert_int_equal(sn.status, MQOS_MQTTSN_MALFORMED);
	}
	sn = parse(b, sizeof(b));
	assert_int_equal(sn.status, MQOS_MQTTSN_OK);
	assert_int_equal(sn.qos, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_empty_and_truncated),
	};

	return cmocka_run_group_tests_name("mqttsn", tests, NULL, NULL);
}
