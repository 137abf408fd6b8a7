// SPDX-License-Identifier: GPL-2.0
/* Host unit tests of parse.c: every unit, every error, exact round trips. */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "mqosctl.h"

static int fails;

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "FAIL %s:%d: %s\n", \
	__FILE__, __LINE__, #c); fails++; } } while (0)

/* hook set / hook class: words -> struct ctl_hook -> the same words. */
static int hook_words(struct ctl_hook *h, const char *text)
{
	char line[256], *argv[16];
	int n;

	snprintf(line, sizeof(line), "%s", text);
	n = tokenize(line, argv, 16);
	return n < 2 ? -1 : cmd_parse_hook(n - 1, argv + 1, h);
}

static void test_hook(void)
{
	struct ctl_hook h, g;
	char buf[512];
	FILE *f;
	int id;

	ctl_hook_init(&h);
	CHECK(!h.enabled && h.mode == MQOS_HOOK_MODE_STICKY &&
	      h.mask == MQOS_HOOK_DEFAULT_MASK && !h.has);
	CHECK(!hook_words(&h, "hook set on mode packet mask 0xf8000000"));
	CHECK(h.enabled && h.mode == MQOS_HOOK_MODE_PACKET &&
	      h.mask == 0xf8000000 &&
	      h.has == (HAS(MQOS_HOOK_A_ENABLED) | HAS(MQOS_HOOK_A_MODE) |
			HAS(MQOS_HOOK_A_MASK)));
	CHECK(!hook_words(&h, "hook set off"));
	CHECK(!h.enabled);
	CHECK(!hook_words(&h, "hook set decay 90"));
	CHECK(h.decay == 90 && (h.has & HAS(MQOS_HOOK_A_DECAY)));
	CHECK(!hook_words(&h, "hook set decay 5m"));
	CHECK(h.decay == 300);
	CHECK(!hook_words(&h, "hook set decay 7d"));
	CHECK(h.decay == MQOS_HOOK_DECAY_MAX);
	CHECK(!hook_words(&h, "hook set decay off"));
	CHECK(h.decay == 0);
	CHECK(!hook_words(&h, "hook class 2 remark EF police 1mbit 10k"));
	CHECK(h.cls[2].dscp == 46 && h.cls[2].rate == 125000 &&
	      h.cls[2].burst == 10240);
	CHECK(!hook_words(&h, "hook class 4 remark cs0"));
	CHECK(h.cls[4].dscp == 0 && !h.cls[4].rate);
	CHECK(!hook_words(&h, "hook class 2 police off remark keep"));
	CHECK(h.cls[2].dscp == MQOS_DSCP_KEEP && !h.cls[2].rate &&
	      (h.cls[2].has & HAS(MQOS_HOOK_CLASS_A_POLICE_RATE)));
	/* Unique prefixes, as everywhere on the command line. */
	CHECK(!hook_words(&h, "hook set on mo st ma 0x00ff0000 de 1m"));
	CHECK(h.enabled && h.mode == MQOS_HOOK_MODE_STICKY &&
	      h.mask == 0x00ff0000 && h.decay == 60);
	CHECK(!hook_words(&h, "hook set mode p"));
	CHECK(h.mode == MQOS_HOOK_MODE_PACKET);
	CHECK(!hook_words(&h, "hook class 3 rem AF41 pol 2mbit 20k"));
	CHECK(h.cls[3].dscp == 34 && h.cls[3].rate == 250000);
	CHECK(hook_words(&h, "hook set o"));		/* on or off */
	CHECK(hook_words(&h, "hook set m packet"));	/* mode or mask */
	/* Errors: each names the word. */
	CHECK(hook_words(&h, "hook set maybe"));
	CHECK(hook_words(&h, "hook set mode fast"));
	CHECK(hook_words(&h, "hook set mask 0x2f"));	/* not contiguous */
	CHECK(hook_words(&h, "hook set mask 0xf"));	/* too narrow */
	CHECK(hook_words(&h, "hook set mask"));
	CHECK(hook_words(&h, "hook set decay"));
	CHECK(hook_words(&h, "hook set decay soon"));
	CHECK(hook_words(&h, "hook set decay 8d"));	/* above a week */
	CHECK(hook_words(&h, "hook set decay 10x"));
	CHECK(hook_words(&h, "hook set decay -1"));
	CHECK(hook_words(&h, "hook set decay 99999999999999999999"));
	CHECK(hook_words(&h, "hook set decay 0.5s"));	/* whole seconds */
	CHECK(hook_words(&h, "hook class 17 remark EF"));
	CHECK(hook_words(&h, "hook class 2 remark 64"));
	CHECK(hook_words(&h, "hook class 2 police 1mbit"));
	CHECK(hook_words(&h, "hook class 2 police 1mbit 0"));
	CHECK(hook_words(&h, "hook class 2 colour red"));
	CHECK(hook_words(&h, "hook frob"));

	/* What save prints, load reads back the same. */
	ctl_hook_init(&h);
	CHECK(!hook_words(&h, "hook set on mask 0x1fe0 decay 2m"));
	CHECK(!hook_words(&h, "hook class 2 remark EF police 2mbit 15k"));
	CHECK(!hook_words(&h, "hook class 4 remark CS0"));
	f = fmemopen(buf, sizeof(buf), "w");
	print_hook_set(f, &h);
	for (id = 1; id <= MQOS_MAX_CLASSES; id++)
		print_hook_class(f, &h, id);
	fclose(f);
	CHECK(!strcmp(buf, "hook set on mode sticky mask 0x00001fe0 decay 120s\n"
			   "hook class 2 remark 46 police 2mbit 15k\n"
			   "hook class 4 remark 0\n"));
	ctl_hook_init(&g);
	{
		char *p = buf, *nl;

		while ((nl = strchr(p, '\n'))) {
			*nl = 0;
			CHECK(!hook_words(&g, p));
			p = nl + 1;
		}
	}
	CHECK(g.enabled && g.mask == 0x1fe0 && g.mode == MQOS_HOOK_MODE_STICKY &&
	      g.decay == 120);
	for (id = 1; id <= MQOS_MAX_CLASSES; id++)
		CHECK(g.cls[id].dscp == h.cls[id].dscp &&
		      g.cls[id].rate == h.cls[id].rate &&
		      g.cls[id].burst == h.cls[id].burst);
}

/* ports set: words -> struct ctl_ports -> the line save prints. */
static int ports_words(struct ctl_ports *p, const char *text)
{
	char line[256], *argv[16];
	int n;

	snprintf(line, sizeof(line), "%s", text);
	n = tokenize(line, argv, 16);
	return n < 1 ? -1 : cmd_parse_ports(n - 1, argv + 1, p);
}

static void test_ports(void)
{
	struct ctl_ports p;
	char buf[256];
	FILE *f;

	ctl_ports_init(&p);
	CHECK(!p.has && p.n_mqtt == 1 && p.mqtt[0] == 1883 && p.n_sn == 2);
	CHECK(!ports_words(&p, "ports set mqtt 1883,8883,1885,2000"));
	CHECK(p.has == HAS(MQOS_PORTS_A_MQTT) && p.n_mqtt == 4 &&
	      p.mqtt[1] == 8883 && p.mqtt[3] == 2000 && p.n_sn == 2);
	CHECK(!ports_words(&p, "ports set mqttsn none mqtt 1885"));
	CHECK(p.n_sn == 0 && p.n_mqtt == 1 && p.mqtt[0] == 1885 &&
	      p.has == (HAS(MQOS_PORTS_A_MQTT) | HAS(MQOS_PORTS_A_MQTTSN)));
	f = fmemopen(buf, sizeof(buf), "w");
	print_ports_set(f, &p);
	fclose(f);
	CHECK(!strcmp(buf, "ports set mqtt 1885 mqttsn none\n"));
	/* Errors: each names the word. */
	CHECK(ports_words(&p, "ports set"));
	CHECK(ports_words(&p, "ports set mqtt"));
	CHECK(ports_words(&p, "ports set mqtt 0"));
	CHECK(ports_words(&p, "ports set mqtt 65536"));
	CHECK(ports_words(&p, "ports set mqtt 1883,1883"));
	CHECK(ports_words(&p, "ports set mqtt 1,2,3,4,5"));
	CHECK(ports_words(&p, "ports set mqtt 1883,"));
	CHECK(ports_words(&p, "ports set mqtt ,1883"));
	CHECK(ports_words(&p, "ports set mqtt 1883,,1884"));
	CHECK(ports_words(&p, "ports set mqtt tcp"));
	CHECK(ports_words(&p, "ports set coap 5683"));
	CHECK(ports_words(&p, "ports get"));
}

/* Words of a command line after OBJECT COMMAND, for the cmd.c parsers. */
static int words(char *line, char **argv)
{
	return tokenize(line, argv, 32);
}

static void test_grammar(void)
{
	static const char *const kws[] = { "rate", "ceil", "realm", NULL };
	static struct ctl_dev d;
	struct ctl_class *c;
	char line[256], *argv[32];
	uint8_t def;
	int n;

	/* Keywords: exact, unique prefix, ambiguous, unknown. */
	CHECK(ctl_kw("rate", kws) == 0);
	CHECK(ctl_kw("c", kws) == 1);
	CHECK(ctl_kw("rat", kws) == 0);
	CHECK(ctl_kw("re", kws) == 2);
	CHECK(ctl_kw("r", kws) == -2);		/* rate, realm */
	CHECK(ctl_kw("x", kws) == -1);
	CHECK(ctl_kw("", kws) == -1);
	CHECK(ctl_kw("rates", kws) == -1);

	/* police: keyword form, positional form, off; prefixes of keywords. */
	memset(&d, 0, sizeof(d));
	snprintf(line, sizeof(line), "g1 3 police rate 1mbit burst 10k demote 4 pri 2");
	n = words(line, argv);
	CHECK(!cmd_parse_class(n, argv, &d, &c));
	CHECK(c->police_rate == 125000 && c->police_burst == 10240 &&
	      c->police_demote == 4 && c->prio == 2);
	snprintf(line, sizeof(line), "g1 3 police burst 2k rate 8kbit rate 2mbit");
	n = words(line, argv);
	CHECK(!cmd_parse_class(n, argv, &d, &c));	/* the 2nd rate: the class's */
	CHECK(c->police_rate == 1000 && c->police_burst == 2048 &&
	      !c->police_demote && c->rate == 250000);
	snprintf(line, sizeof(line), "g1 3 police 1mbit 15k demote 5 dscp EF");
	n = words(line, argv);
	CHECK(!cmd_parse_class(n, argv, &d, &c));
	CHECK(c->police_rate == 125000 && c->police_burst == 15360 &&
	      c->police_demote == 5 && c->dscp == 46);
	snprintf(line, sizeof(line), "g1 3 police off flows 1024");
	n = words(line, argv);
	CHECK(!cmd_parse_class(n, argv, &d, &c));
	CHECK(!c->police_rate && c->flows == 1024 &&
	      (c->has & HAS(TCA_MQOS_CLASS_FLOWS)));
	snprintf(line, sizeof(line), "g1 3 aqm codel target 2ms");
	n = words(line, argv);
	CHECK(!cmd_parse_class(n, argv, &d, &c));
	CHECK(c->aqm_mode == MQOS_AQM_MODE_CODEL && c->aqm_target == 2000 &&
	      (c->has & HAS(TCA_MQOS_CLASS_AQM_MODE)));
	snprintf(line, sizeof(line), "g1 3 aqm d");	/* a prefix: decay */
	n = words(line, argv);
	CHECK(!cmd_parse_class(n, argv, &d, &c));
	CHECK(c->aqm_mode == MQOS_AQM_MODE_DECAY);
	snprintf(line, sizeof(line), "g1 3 aqm cobalt");
	n = words(line, argv);
	CHECK(cmd_parse_class(n, argv, &d, &c));
	snprintf(line, sizeof(line), "g1 3 police rate 1mbit");
	n = words(line, argv);
	CHECK(cmd_parse_class(n, argv, &d, &c));
	snprintf(line, sizeof(line), "g1 3 flows 12");
	n = words(line, argv);
	CHECK(cmd_parse_class(n, argv, &d, &c));
	snprintf(line, sizeof(line), "g1 3 flows 4");	/* below the ways */
	n = words(line, argv);
	CHECK(cmd_parse_class(n, argv, &d, &c));

	/* dev set: isolation by name or prefix, memlimit. */
	memset(&d, 0, sizeof(d));
	snprintf(line, sizeof(line), "g1 iso dual-d mem 8m");
	n = words(line, argv);
	CHECK(!cmd_parse_dev(n, argv, &d));
	CHECK(d.isolation == MQOS_ISOLATE_DUAL_DSTHOST &&
	      d.memory_limit == 8 << 20 &&
	      d.has == (HAS(TCA_MQOS_ISOLATION) | HAS(TCA_MQOS_MEMORY_LIMIT)));
	snprintf(line, sizeof(line), "g1 isolation dual");	/* ambiguous */
	n = words(line, argv);
	CHECK(cmd_parse_dev(n, argv, &d));

	/* rule default */
	snprintf(line, sizeof(line), "map");
	n = words(line, argv);
	CHECK(!cmd_parse_rule_default(n, argv, &def) && def == MQOS_RULE_DEFAULT_MAP);
	snprintf(line, sizeof(line), "dev");
	n = words(line, argv);
	CHECK(!cmd_parse_rule_default(n, argv, &def) && def == MQOS_RULE_DEFAULT_DEVICE);
	snprintf(line, sizeof(line), "class 16");
	n = words(line, argv);
	CHECK(!cmd_parse_rule_default(n, argv, &def) && def == 16);
	snprintf(line, sizeof(line), "class 0");
	n = words(line, argv);
	CHECK(cmd_parse_rule_default(n, argv, &def));
	snprintf(line, sizeof(line), "class");
	n = words(line, argv);
	CHECK(cmd_parse_rule_default(n, argv, &def));
}

/* ingress add|del words (the command and load's lines). */
static int ingress_words(struct ctl_ingress *in, bool add, const char *text)
{
	char line[256], *argv[16];
	int n;

	snprintf(line, sizeof(line), "%s", text);
	n = tokenize(line, argv, 16);
	return n < 0 ? -1 : cmd_parse_ingress(n, argv, add, in);
}

static void test_ingress(void)
{
	struct ctl_ingress in;

	CHECK(!ingress_words(&in, true, "eth0 rate 20mbit"));
	CHECK(!strcmp(in.dev, "eth0") && !strcmp(in.ifb, "ifb-eth0") &&
	      in.rate == 2500000);
	CHECK(!ingress_words(&in, true, "eth0 ifb down0 rate 8000"));
	CHECK(!strcmp(in.ifb, "down0") && in.rate == 1000);
	/* rate 0: the line rate (what save writes for an unshaped ifb). */
	CHECK(!ingress_words(&in, true, "eth0 rate 0") && !in.rate);
	CHECK(!ingress_words(&in, false, "eth0 ifb down0"));
	CHECK(!strcmp(in.ifb, "down0") && !in.rate);
	CHECK(!ingress_words(&in, false, "eth0"));
	CHECK(!strcmp(in.ifb, "ifb-eth0"));
	/* Errors: each names the word. */
	CHECK(ingress_words(&in, true, "eth0"));		/* no rate */
	CHECK(ingress_words(&in, true, ""));			/* no DEV */
	CHECK(ingress_words(&in, true, "eth0 rate fast"));
	CHECK(ingress_words(&in, true, "eth0 rate 1mbit rate 2mbit"));
	CHECK(ingress_words(&in, true, "eth0 rate"));
	CHECK(ingress_words(&in, true, "eth0 rate 1mbit bogus 1"));
	CHECK(ingress_words(&in, true, "eth0 rate 1mbit ifb a ifb b"));
	CHECK(ingress_words(&in, true, "eth0 rate 1mbit ifb eth0"));
	CHECK(ingress_words(&in, false, "eth0 rate 1mbit"));
	/* "ifb-" + a 12-character name does not fit IFNAMSIZ: name it. */
	CHECK(ingress_words(&in, true, "abcdefghijkl rate 1mbit"));
	CHECK(!ingress_words(&in, true, "abcdefghijkl rate 1mbit ifb d0"));
	CHECK(ingress_words(&in, true, "eth0 rate 1mbit ifb abcdefghijklmnop"));
}

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
	CHECK(!parse_seconds("90", 100, &v) && v == 90);
	CHECK(!parse_seconds("1.5m", 100, &v) && v == 90);
	CHECK(!parse_seconds("1d", 86400, &v) && v == 86400);
	CHECK(parse_seconds("2d", 86400, &v) && parse_seconds("1.5", 9, &v) &&
	      parse_seconds("5y", 9, &v) && parse_seconds("-1", 9, &v));
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
	test_hook();
	test_ports();
	test_grammar();
	test_ingress();
	printf("test_parse: %s\n", fails ? "FAILED" : "ok");
	return fails ? 1 : 0;
}
