// SPDX-License-Identifier: GPL-2.0
/*
 * `mqosctl stats`: per class counters, rates and delays, as text or JSON,
 * once or every N seconds (rates from the difference of two readings).
 *
 * Percentiles come from the class's log2 sojourn histogram: the bucket
 * holding the wanted rank is found and the value interpolated linearly
 * inside it, clamped to the observed min and max (core/hist.c, the same
 * code as /proc/net/mqos/classes).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <json-c/json.h>
#include <netlink/netlink.h>
#include <netlink/genl/genl.h>

#include "mqosctl.h"
#include "json.h"
#include "../module/core/hist.h"

struct stats {
	struct ctl_stats d;
	bool has_hook;
	struct ctl_hook hook;
	struct timespec t;
};

static void stats_free(struct stats *s)
{
	ctl_stats_free(&s->d);
	memset(s, 0, sizeof(*s));
}

static int stats_get(const char *dev, struct stats *s)
{
	int err;

	memset(s, 0, sizeof(*s));
	err = ctl_stats_get(dev, &s->d);
	clock_gettime(CLOCK_MONOTONIC, &s->t);
	/* The netns's hook (not per device): without a device filter. */
	if (!err && !dev)
		s->has_hook = !ctl_hook_get(&s->hook);
	return err;
}

static const struct ctl_stats_class *
prev_class(const struct stats *p, const struct ctl_stats_class *c)
{
	int i;

	for (i = 0; p && i < p->d.ncls; i++)
		if (p->d.cls[i].id == c->id && !strcmp(p->d.cls[i].dev, c->dev))
			return &p->d.cls[i];
	return NULL;
}

/* Bits per second sent by @c since @p (0 without a previous sample). */
static uint64_t class_rate(const struct stats *s, const struct stats *p,
			   const struct ctl_stats_class *c)
{
	const struct ctl_stats_class *o = prev_class(p, c);
	double dt;
	uint64_t db;

	if (!o)
		return 0;
	dt = (double)(s->t.tv_sec - p->t.tv_sec) +
	     (double)(s->t.tv_nsec - p->t.tv_nsec) / 1e9;
	db = c->v[TCA_MQOS_XSTATS_SENT_BYTES] - o->v[TCA_MQOS_XSTATS_SENT_BYTES];
	if (dt <= 0 || c->v[TCA_MQOS_XSTATS_SENT_BYTES] <
		       o->v[TCA_MQOS_XSTATS_SENT_BYTES])
		return 0;
	return (uint64_t)(db * 8 / dt);
}

struct delays {
	uint64_t min, mean, p50, p90, p99, max, jitter;
};

/* Mean and percentiles of @n samples summing to @sum, from histogram @h. */
static void hist_delays(uint64_t n, uint64_t sum, uint64_t min, uint64_t max,
			const uint64_t *h, struct delays *d)
{
	memset(d, 0, sizeof(*d));
	if (!n)
		return;
	d->min = min;
	d->max = max;
	d->mean = sum / n;
	d->p50 = mqos_hist_percentile(h, MQOS_HIST_NBUCKETS, min, max, 500);
	d->p90 = mqos_hist_percentile(h, MQOS_HIST_NBUCKETS, min, max, 900);
	d->p99 = mqos_hist_percentile(h, MQOS_HIST_NBUCKETS, min, max, 990);
}

static void class_delays(const struct ctl_stats_class *c, struct delays *d)
{
	uint64_t n = c->v[TCA_MQOS_XSTATS_DELAY_COUNT];

	hist_delays(n, c->v[TCA_MQOS_XSTATS_DELAY_SUM],
		    c->v[TCA_MQOS_XSTATS_DELAY_MIN],
		    c->v[TCA_MQOS_XSTATS_DELAY_MAX], c->hist, d);
	if (n > 1)
		d->jitter = c->v[TCA_MQOS_XSTATS_JITTER_SUM] / (n - 1);
}

/*
 * Packets sent from new (sparse) flows, on their own (no minimum or
 * jitter is kept for them). All zero when the module sent none.
 */
static void sparse_delays(const struct ctl_stats_class *c, struct delays *d)
{
	hist_delays(c->v[TCA_MQOS_XSTATS_SPARSE_COUNT],
		    c->v[TCA_MQOS_XSTATS_SPARSE_SUM], 0,
		    c->v[TCA_MQOS_XSTATS_SPARSE_MAX], c->sparse_hist, d);
}

static const char *fmt_delay(char *buf, size_t n, uint64_t ns)
{
	if (ns < 1000000)
		snprintf(buf, n, "%.1fus", ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, n, "%.2fms", ns / 1e6);
	else
		snprintf(buf, n, "%.2fs", ns / 1e9);
	return buf;
}

/* Flow queuing counters: those the module sent. */
static const struct {
	const char *key;
	int attr;
} flow_keys[] = {
	{ "queues", TCA_MQOS_XSTATS_FLOWS },
	{ "sparse", TCA_MQOS_XSTATS_FLOWS_SPARSE },
	{ "bulk", TCA_MQOS_XSTATS_FLOWS_BULK },
	{ "way_collisions", TCA_MQOS_XSTATS_WAY_COLLISIONS },
	{ "hosts", TCA_MQOS_XSTATS_HOSTS },
};

static json_object *flows_json(const struct ctl_stats_class *c)
{
	json_object *o = json_object_new_object();
	size_t k;

	for (k = 0; k < sizeof(flow_keys) / sizeof(flow_keys[0]); k++)
		if (c->has & HAS64(flow_keys[k].attr))
			jint(o, flow_keys[k].key, c->v[flow_keys[k].attr]);
	return o;
}

/* A delay object: class delays (@full: with min and jitter) or sparse. */
static json_object *delay_json(uint64_t count, const struct delays *dd,
			       const uint64_t *hist, bool full)
{
	json_object *o = json_object_new_object(), *h;
	int b;

	jint(o, "count", count);
	if (full)
		jint(o, "min_ns", dd->min);
	jint(o, "mean_ns", dd->mean);
	jint(o, "p50_ns", dd->p50);
	jint(o, "p90_ns", dd->p90);
	jint(o, "p99_ns", dd->p99);
	jint(o, "max_ns", dd->max);
	if (full)
		jint(o, "jitter_ns", dd->jitter);
	h = json_object_new_array();
	for (b = 0; b < MQOS_HIST_NBUCKETS; b++)
		json_object_array_add(h, json_object_new_uint64(hist[b]));
	jset(o, "hist", h);
	return o;
}

static json_object *stats_json(const struct stats *s, const struct stats *p)
{
	json_object *root = json_object_new_object();
	json_object *devs = json_object_new_array();
	json_object *rules = json_object_new_array();
	int i, j;

	for (i = 0; i < s->d.ndev; i++) {
		const struct ctl_stats_dev *d = &s->d.dev[i];
		json_object *o = json_object_new_object();
		json_object *cls = json_object_new_array();

		jstr(o, "dev", d->name);
		jint(o, "rate_bps", d->rate * 8);
		jint(o, "sent_packets", d->packets);
		jint(o, "sent_bytes", d->bytes);
		jint(o, "drops", d->drops);
		jint(o, "backlog_packets", d->backlog);
		jint(o, "overlimits", d->overlimits);
		if (d->has & HAS64(TCA_MQOS_XSTATS_MEMORY_USED))
			jint(o, "memory_used_bytes", d->memory_used);
		if (d->has & HAS64(TCA_MQOS_XSTATS_MEMORY_LIMIT))
			jint(o, "memory_limit_bytes", d->memory_limit);
		for (j = 0; j < s->d.ncls; j++) {
			const struct ctl_stats_class *c = &s->d.cls[j];
			json_object *co, *dr;
			struct delays dd;

			if (strcmp(c->dev, d->name))
				continue;
			class_delays(c, &dd);
			co = json_object_new_object();
			jint(co, "class", c->id);
			jstr(co, "name", c->name);
			jint(co, "prio", c->prio);
			jint(co, "sent_packets", c->v[TCA_MQOS_XSTATS_SENT_PACKETS]);
			jint(co, "sent_bytes", c->v[TCA_MQOS_XSTATS_SENT_BYTES]);
			jint(co, "enq_packets", c->v[TCA_MQOS_XSTATS_ENQ_PACKETS]);
			jint(co, "enq_bytes", c->v[TCA_MQOS_XSTATS_ENQ_BYTES]);
			jint(co, "rate_bps", class_rate(s, p, c));
			jint(co, "backlog_packets",
			     c->v[TCA_MQOS_XSTATS_BACKLOG_PACKETS]);
			jint(co, "backlog_bytes", c->v[TCA_MQOS_XSTATS_BACKLOG_BYTES]);
			dr = json_object_new_object();
			jint(dr, "policer", c->v[TCA_MQOS_XSTATS_DROP_POLICER]);
			jint(dr, "limit", c->v[TCA_MQOS_XSTATS_DROP_LIMIT]);
			jint(dr, "aqm", c->v[TCA_MQOS_XSTATS_DROP_AQM]);
			jint(dr, "other", c->v[TCA_MQOS_XSTATS_DROP_OTHER]);
			if (c->has & HAS64(TCA_MQOS_XSTATS_DROP_MEMORY))
				jint(dr, "memory", c->v[TCA_MQOS_XSTATS_DROP_MEMORY]);
			jset(co, "drops", dr);
			jint(co, "demoted", c->v[TCA_MQOS_XSTATS_DEMOTED]);
			jint(co, "ecn_marks", c->v[TCA_MQOS_XSTATS_ECN_MARKS]);
			jint(co, "overlimits", c->v[TCA_MQOS_XSTATS_OVERLIMITS]);
			jset(co, "delay",
			     delay_json(c->v[TCA_MQOS_XSTATS_DELAY_COUNT], &dd,
					c->hist, true));
			if (c->has & HAS64(TCA_MQOS_XSTATS_FLOWS))
				jset(co, "flows", flows_json(c));
			if (c->has & HAS64(TCA_MQOS_XSTATS_SPARSE_COUNT)) {
				sparse_delays(c, &dd);
				jset(co, "sparse_delay",
				     delay_json(c->v[TCA_MQOS_XSTATS_SPARSE_COUNT],
						&dd, c->sparse_hist, false));
			}
			json_object_array_add(cls, co);
		}
		jset(o, "classes", cls);
		json_object_array_add(devs, o);
	}
	for (i = 0; i < s->d.nrules; i++)
		json_object_array_add(rules, rule_json(&s->d.rules[i]));
	jset(root, "devices", devs);
	jset(root, "rules", rules);
	jint(root, "malformed_packets", s->d.malformed);
	if (s->has_hook)
		jset(root, "hook", hook_json(&s->hook));
	return root;
}

static void stats_text(const struct stats *s, const struct stats *p)
{
	char r[32], a[16], b[16], c9[16], d[16], j[16];
	int i, k;

	for (i = 0; i < s->d.ndev; i++) {
		const struct ctl_stats_dev *dv = &s->d.dev[i];

		fmt_rate(r, sizeof(r), dv->rate);
		printf("dev %s rate %s: sent %" PRIu64 " pkts %" PRIu64
		       " bytes, drops %" PRIu64 ", backlog %u pkts, overlimits %"
		       PRIu64 "\n", dv->name, dv->rate ? r : "0", dv->packets,
		       dv->bytes, dv->drops, dv->backlog, dv->overlimits);
		if (dv->has & HAS64(TCA_MQOS_XSTATS_MEMORY_USED))
			printf("  memory used %" PRIu64 " of %" PRIu64 " bytes\n",
			       dv->memory_used, dv->memory_limit);
		for (k = 0; k < s->d.ncls; k++) {
			const struct ctl_stats_class *c = &s->d.cls[k];
			const uint64_t *v = c->v;
			struct delays dd;

			if (strcmp(c->dev, dv->name))
				continue;
			class_delays(c, &dd);
			fmt_rate(r, sizeof(r), class_rate(s, p, c) / 8);
			printf("  class %u %s (prio %u): sent %" PRIu64 " pkts %"
			       PRIu64 " bytes, rate %s, backlog %" PRIu64
			       " pkts %" PRIu64 " bytes\n", c->id, c->name,
			       c->prio, v[TCA_MQOS_XSTATS_SENT_PACKETS],
			       v[TCA_MQOS_XSTATS_SENT_BYTES], r,
			       v[TCA_MQOS_XSTATS_BACKLOG_PACKETS],
			       v[TCA_MQOS_XSTATS_BACKLOG_BYTES]);
			printf("    drops: policer %" PRIu64 " limit %" PRIu64
			       " aqm %" PRIu64 " other %" PRIu64 "; demoted %"
			       PRIu64 ", ecn marks %" PRIu64 ", overlimits %"
			       PRIu64 "\n", v[TCA_MQOS_XSTATS_DROP_POLICER],
			       v[TCA_MQOS_XSTATS_DROP_LIMIT],
			       v[TCA_MQOS_XSTATS_DROP_AQM],
			       v[TCA_MQOS_XSTATS_DROP_OTHER],
			       v[TCA_MQOS_XSTATS_DEMOTED],
			       v[TCA_MQOS_XSTATS_ECN_MARKS],
			       v[TCA_MQOS_XSTATS_OVERLIMITS]);
			printf("    delay: p50 %s p90 %s p99 %s max %s, jitter %s\n",
			       fmt_delay(a, sizeof(a), dd.p50),
			       fmt_delay(b, sizeof(b), dd.p90),
			       fmt_delay(c9, sizeof(c9), dd.p99),
			       fmt_delay(d, sizeof(d), dd.max),
			       fmt_delay(j, sizeof(j), dd.jitter));
			if (c->has & HAS64(TCA_MQOS_XSTATS_FLOWS))
				printf("    flows: queues %" PRIu64 " sparse %" PRIu64
				       " bulk %" PRIu64 " way collisions %" PRIu64
				       " hosts %" PRIu64 "; memory drops %" PRIu64 "\n",
				       v[TCA_MQOS_XSTATS_FLOWS],
				       v[TCA_MQOS_XSTATS_FLOWS_SPARSE],
				       v[TCA_MQOS_XSTATS_FLOWS_BULK],
				       v[TCA_MQOS_XSTATS_WAY_COLLISIONS],
				       v[TCA_MQOS_XSTATS_HOSTS],
				       v[TCA_MQOS_XSTATS_DROP_MEMORY]);
			if (v[TCA_MQOS_XSTATS_SPARSE_COUNT]) {
				sparse_delays(c, &dd);
				printf("    sparse flows: %" PRIu64 " pkts, delay p50 %s p99 %s max %s\n",
				       v[TCA_MQOS_XSTATS_SPARSE_COUNT],
				       fmt_delay(a, sizeof(a), dd.p50),
				       fmt_delay(b, sizeof(b), dd.p99),
				       fmt_delay(d, sizeof(d), dd.max));
			}
		}
	}
	if (s->d.nrules)
		puts("rules:");
	for (i = 0; i < s->d.nrules; i++) {
		printf("  hits %" PRIu64 " pkts %" PRIu64 " bytes: ",
		       s->d.rules[i].hits_packets, s->d.rules[i].hits_bytes);
		print_rule_args(stdout, &s->d.rules[i]);
		putchar('\n');
	}
	printf("malformed MQTT/MQTT-SN packets: %" PRIu64 "\n", s->d.malformed);
	if (s->has_hook)
		hook_stats_text(&s->hook);
}

/* One reset, one sample, or a sample every @watch seconds. */
int cmd_stats(const char *dev, bool json, unsigned int watch, bool reset)
{
	bool tty = isatty(STDOUT_FILENO), first = true;
	struct stats s, p;
	int err;

	if (reset) {
		struct nl_msg *msg = ctl_msg(MQOS_CMD_STATS_RESET, 0);

		if (msg && dev)
			nla_put_string(msg, MQOS_A_IFNAME, dev);
		err = ctl_request(msg, NULL, NULL, NULL, 0);
		if (!err && !dev) {
			struct ctl_hook h;

			ctl_hook_init(&h);
			err = ctl_hook_set(&h, false, true);
		}
		return err;
	}
	/* Two samples a quarter second apart give a current rate. */
	err = stats_get(dev, &p);
	if (err)
		return err;
	for (;;) {
		if (!watch)
			usleep(250000);
		else
			sleep(watch);
		err = stats_get(dev, &s);
		if (err)
			break;
		/* Clear a terminal; into a pipe, samples one after another. */
		if (watch && !json && tty)
			printf("\033[H\033[2J");
		else if (watch && !json && !first)
			putchar('\n');
		first = false;
		if (json)
			ctl_json_print(stats_json(&s, &p));
		else
			stats_text(&s, &p);
		fflush(stdout);
		stats_free(&p);
		p = s;
		if (!watch)
			break;
	}
	stats_free(&p);
	return err;
}
