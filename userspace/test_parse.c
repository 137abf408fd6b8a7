// SPDX-License-Identifier: GPL-2.0
/* Host unit tests of parse.c: every unit, every error, exact round trips. */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "mqosctl.h"

static int fails;

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "FAIL %s:%d: %s\n", \
	__FILE__, __LINE__, #c); fails++; } } while (0)

int main(void)
{
	char buf[100], line[256], *argv[8];
	uint64_t r, set;
	uint32_t v;
	uint16_t lo, hi;
	uint8_t u8, fam, addr[16], plen;

	CHECK(!parse_rate("10mbit", &r) && r == 1250000);
	CHECK(!parse_rate("1.5mbit", &r) && r == 187500);
	CHECK(!parse_rate("8000", &r) && r == 1000);	/* bare = bit/s */
	CHECK(!parse_rate("1gbit", &r) && r == 125000000);
	CHECK(!parse_rate("100kbps", &r) && r == 100000);
	CHECK(parse_rate("fast", &r) && parse_rate("10mbits", &r) &&
	      parse_rate("-1mbit", &r) && parse_rate("", &r));
	fmt_rate(buf, sizeof(buf), 1250000);
	CHECK(!strcmp(buf, "10mbit"));
	fmt_rate(buf, sizeof(buf), 187500);
	CHECK(!strcmp(buf, "1500kbit"));
	CHECK(!parse_size("64k", &v) && v == 65536);
	CHECK(!parse_size("1514", &v) && v == 1514);
	CHECK(!parse_size("1m", &v) && v == 1048576);
	CHECK(parse_size("5x", &v));
	fmt_size(buf, sizeof(buf), 15360);
	CHECK(!strcmp(buf, "15k"));
	CHECK(!parse_time("5ms", &v) && v == 5000);
	CHECK(!parse_time("100", &v) && v == 100);
	CHECK(!parse_time("1s", &v) && v == 1000000);
	fmt_time(buf, sizeof(buf), 100000);
	CHECK(!strcmp(buf, "100ms"));
	CHECK(!parse_dscp_set("EF,cs6,10-12", &set) &&
	      set == ((1ULL << 46) | (1ULL << 48) | (7ULL << 10)));
	CHECK(parse_dscp_set("64", &set) && parse_dscp_set("EF,", &set) &&
	      parse_dscp_set("XX", &set) && parse_dscp_set("12-10", &set));
	fmt_dscp_set(buf, sizeof(buf), (1ULL << 46) | (1ULL << 48) | (1ULL << 3));
	CHECK(!strcmp(buf, "3,EF,CS6"));
	CHECK(!parse_qos_set("0,2", false, &u8) && u8 == 5);
	CHECK(parse_qos_set("-1", false, &u8) && parse_qos_set("3", false, &u8));
	CHECK(!parse_qos_set("-1,2", true, &u8) && u8 == 12);
	fmt_qos_set(buf, sizeof(buf), 12, true);
	CHECK(!strcmp(buf, "-1,2"));
	CHECK(!parse_kinds("publish,control", &u8) && u8 == 9);
	CHECK(parse_kinds("pub", &u8));
	CHECK(!parse_ports("1883", &lo, &hi) && lo == 1883 && hi == 1883);
	CHECK(!parse_ports("10-20", &lo, &hi) && lo == 10 && hi == 20);
	CHECK(parse_ports("70000", &lo, &hi) && parse_ports("-5", &lo, &hi));
	CHECK(!parse_prefix("10.1.0.0/16", &fam, addr, &plen) && fam == 4 &&
	      plen == 16 && addr[0] == 10 && addr[1] == 1);
	CHECK(!parse_prefix("2001:db8::1", &fam, addr, &plen) && fam == 6 &&
	      plen == 128);
	CHECK(parse_prefix("10.0.0.0/33", &fam, addr, &plen) &&
	      parse_prefix("host", &fam, addr, &plen));
	CHECK(!parse_proto("udp", &u8) && u8 == 17);
	CHECK(!parse_u32("42", 100, &v) && v == 42 && parse_u32("101", 100, &v));
	fmt_quoted(buf, sizeof(buf), "a \"b\"\\\n", 7);
	CHECK(!strcmp(buf, "\"a \\\"b\\\"\\\\\\x0a\""));
	snprintf(line, sizeof(line), "rule add mqtt-topic %s # comment", buf);
	CHECK(tokenize(line, argv, 8) == 4 && !strcmp(argv[3], "a \"b\"\\\n"));
	snprintf(line, sizeof(line), "  \"\"  x\t");
	CHECK(tokenize(line, argv, 8) == 2 && !argv[0][0] && !strcmp(argv[1], "x"));
	snprintf(line, sizeof(line), "a \"b");
	CHECK(tokenize(line, argv, 8) == -1);
	printf("test_parse: %s\n", fails ? "FAILED" : "ok");
	return fails ? 1 : 0;
}
