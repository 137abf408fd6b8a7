// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ns/packet of mqos_classify() on the host (-O2, no sanitizers) for
 *  (a) DSCP-only rules, (b) MQTT-QoS rules (DSCP x QoS), (c) generic
 *  5-tuple rules, at 1, 16, 256 and 1024 rules. (a) and (b) compile to
 *  the fast table and should stay flat; (c) is an ordered scan, measured
 *  with packets that match no rule (the worst case: every rule tested).
 * Packets are pre-built Ethernet/IPv4/TCP frames in a ring of 64.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/classify.h"
#include "src_buf.h"
#include "pktbuild.h"

#define RING 64

static u8 frames[RING][256];
static struct mqos_src srcs[RING];

static u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ull + (u64)ts.tv_nsec;
}

static void build_frames(int mqtt)
{
	static const u8 pub[3][7] = {
		{ 0x30, 0x05, 0x00, 0x01, 't', 'h', 'i' },
		{ 0x32, 0x05, 0x00, 0x01, 't', 0x00, 0x01 },
		{ 0x34, 0x05, 0x00, 0x01, 't', 0x00, 0x01 },
	};
	int i;

	for (i = 0; i < RING; i++) {
		struct pb o = { .family = 4, .dscp = (u8)((i * 7) % 64),
				.sport = (u16)(40000 + i), .dport = mqtt ? 1883 : 443 };
		size_t len = pb_build(frames[i], sizeof(frames[i]), &o,
				      pub[i % 3], sizeof(pub[0]));

		mqos_src_init(&srcs[i], frames[i], (u32)len);
	}
}

static struct mqos_ruleset *make_rules(char kind, u32 n)
{
	struct mqos_ruleset *rs = calloc(1, mqos_ruleset_size(n));
	const char *why;
	u32 i, bad;

	rs->n = n;
	rs->cfg = mqos_cls_default_cfg;
	for (i = 0; i < n; i++) {
		struct mqos_rule *r = &rs->rules[i];

		r->class_id = (u8)(1 + i % 16);
		switch (kind) {
		case 'a':
			r->match = MQOS_RULE_DSCP;
			r->dscp = 1ull << (i % 64);
			break;
		case 'b':
			r->match = MQOS_RULE_MQTT_QOS | (i % 2 ? MQOS_RULE_DSCP : 0);
			r->mqtt_qos = (u8)(1u << (i % 3));
			r->dscp = 1ull << (i % 64);
			break;
		default:
			r->match = MQOS_RULE_PROTO | MQOS_RULE_SPORT | MQOS_RULE_DPORT |
				   MQOS_RULE_SADDR | MQOS_RULE_DADDR;
			r->proto = 6;
			r->sport_lo = r->sport_hi = (u16)(1000 + i);
			r->dport_lo = r->dport_hi = 443;
			r->family = 4;
			r->src[0] = 0x0100000a;		/* 10.0.0.1 */
			r->src_plen = 32;
			r->dst[0] = 0x0200000a;
			r->dst_plen = 32;
			break;
		}
	}
	if (mqos_ruleset_compile(rs, &bad, &why)) {
		fprintf(stderr, "compile: %s\n", why);
		exit(1);
	}
	return rs;
}

static volatile u32 sink;

/* Best of 5 runs of 1M packets: the host is shared, take the quietest. */
static double run(const struct mqos_ruleset *rs)
{
	const u32 iters = 1000000;
	struct mqos_cls_res res;
	double best = 1e30;
	u64 t0, t1;
	u32 i, acc = 0;
	int rep;

	for (i = 0; i < 100000; i++) {
		mqos_classify_eth(&srcs[i % RING], NULL, rs, &res);
		acc += res.class_id;
	}
	for (rep = 0; rep < 5; rep++) {
		t0 = now_ns();
		for (i = 0; i < iters; i++) {
			mqos_classify_eth(&srcs[i % RING], NULL, rs, &res);
			acc += res.class_id;
		}
		t1 = now_ns();
		if ((double)(t1 - t0) / iters < best)
			best = (double)(t1 - t0) / iters;
	}
	sink = acc;
	return best;
}

int main(void)
{
	static const u32 counts[] = { 1, 16, 256, 1024 };
	static const struct { char kind; const char *name; int mqtt; } kinds[] = {
		{ 'a', "(a) DSCP-only", 0 },
		{ 'b', "(b) MQTT-QoS", 1 },
		{ 'c', "(c) 5-tuple", 0 },
	};
	size_t k, c;

	printf("mqos_classify ns/packet (host, -O2; Ethernet/IPv4/TCP frames)\n");
	printf("%-16s %-5s", "rules", "path");
	for (c = 0; c < 4; c++)
		printf(" %8u", counts[c]);
	printf("\n");
	for (k = 0; k < 3; k++) {
		struct mqos_ruleset *probe = make_rules(kinds[k].kind, 1);

		build_frames(kinds[k].mqtt);
		printf("%-16s %-5s", kinds[k].name,
		       probe->flags & MQOS_RS_FAST ? "table" : "scan");
		free(probe);
		for (c = 0; c < 4; c++) {
			struct mqos_ruleset *rs = make_rules(kinds[k].kind, counts[c]);

			printf(" %8.1f", run(rs));
			fflush(stdout);
			free(rs);
		}
		printf("\n");
	}
	build_frames(1);
	printf("%-16s %-5s %8.1f  (MQTT PUBLISH frames)\n", "no rules", "map", run(NULL));
	return 0;
}
