// SPDX-License-Identifier: GPL-2.0
/*
 * mqosctl stats --prometheus: the counters in the Prometheus text
 * exposition format (version 0.0.4), as node_exporter's textfile collector
 * reads it.
 *
 *   - one HELP and one TYPE line per metric family, its samples together;
 *   - label values escaped (\\, \", \n) and made valid UTF-8 (an invalid
 *     byte of a device or class name becomes U+FFFD);
 *   - no timestamps (the textfile collector rejects them);
 *   - the sojourn histogram as a Prometheus histogram: the kernel's log2
 *     buckets [2^(b-1) us, 2^b us) become cumulative le="2^b us" buckets,
 *     then +Inf; _count is the +Inf bucket, _sum the kernel's sum.
 *
 * With -o FILE the text goes to a temporary file in FILE's directory that
 * is renamed over FILE, so a collector never sees half a scrape; with
 * --watch S that is repeated every S seconds.
 *
 * The statistics dump is read by stats_nl.c, as for the text/JSON views.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <netlink/netlink.h>
#include <netlink/genl/genl.h>

#include "mqosctl.h"

/* ---- the exposition format ------------------------------------------------- */

/* Length of the valid UTF-8 sequence at @p (at most @n bytes), 0 if none. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	size_t len, i;
	uint32_t cp;

	if (p[0] < 0x80)
		return 1;
	if ((p[0] & 0xe0) == 0xc0) {
		len = 2;
		cp = p[0] & 0x1f;
	} else if ((p[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = p[0] & 0x0f;
	} else if ((p[0] & 0xf8) == 0xf0) {
		len = 4;
		cp = p[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	/* No overlong forms, no surrogates, nothing above U+10FFFF. */
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
	    (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* A label value: "..." with \\ \" \n escaped, invalid UTF-8 -> U+FFFD. */
static void put_label_value(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), len;

	fputc('"', f);
	while (n) {
		len = utf8_len(p, n);
		if (!len) {
			fputs("\xef\xbf\xbd", f);
			len = 1;
		} else if (*p == '\\') {
			fputs("\\\\", f);
		} else if (*p == '"') {
			fputs("\\\"", f);
		} else if (*p == '\n') {
			fputs("\\n", f);
		} else {
			fwrite(p, 1, len, f);
		}
		p += len;
		n -= len;
	}
	fputc('"', f);
}

static void family(FILE *f, const char *name, const char *type,
		   const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* name{dev="..",class="..",class_id="N"[,extra]} */
static void class_labels(FILE *f, const char *name, const struct ctl_stats_class *c,
			 const char *extra_key, const char *extra_val)
{
	char id[8];

	fprintf(f, "%s{dev=", name);
	put_label_value(f, c->dev);
	fputs(",class=", f);
	if (c->name[0]) {
		put_label_value(f, c->name);
	} else {
		snprintf(id, sizeof(id), "%u", c->id);
		put_label_value(f, id);
	}
	fprintf(f, ",class_id=\"%u\"", c->id);
	if (extra_key) {
		fprintf(f, ",%s=", extra_key);
		put_label_value(f, extra_val);
	}
	fputc('}', f);
}

/* Nanoseconds as exact decimal seconds. */
static void put_seconds(FILE *f, uint64_t ns)
{
	fprintf(f, "%" PRIu64 ".%09" PRIu64, ns / 1000000000, ns % 1000000000);
}

struct class_metric {
	const char *name, *type, *help;
	int attr;
};

static const struct class_metric class_metrics[] = {
	{ "mqos_class_packets_total", "counter",
	  "Packets sent (dequeued) by the class.", TCA_MQOS_XSTATS_SENT_PACKETS },
	{ "mqos_class_bytes_total", "counter",
	  "Bytes sent (dequeued) by the class.", TCA_MQOS_XSTATS_SENT_BYTES },
	{ "mqos_class_enqueued_packets_total", "counter",
	  "Packets enqueued to the class.", TCA_MQOS_XSTATS_ENQ_PACKETS },
	{ "mqos_class_enqueued_bytes_total", "counter",
	  "Bytes enqueued to the class.", TCA_MQOS_XSTATS_ENQ_BYTES },
	{ "mqos_class_demoted_total", "counter",
	  "Packets the class's policer moved to its demote class.",
	  TCA_MQOS_XSTATS_DEMOTED },
	{ "mqos_class_ecn_marks_total", "counter",
	  "Packets ECN-marked (CE) by the class's AQM instead of dropped.",
	  TCA_MQOS_XSTATS_ECN_MARKS },
	{ "mqos_class_overlimits_total", "counter",
	  "Times the class reached its ceiling.", TCA_MQOS_XSTATS_OVERLIMITS },
	{ "mqos_class_backlog_packets", "gauge",
	  "Packets queued in the class now.", TCA_MQOS_XSTATS_BACKLOG_PACKETS },
	{ "mqos_class_backlog_bytes", "gauge",
	  "Bytes queued in the class now.", TCA_MQOS_XSTATS_BACKLOG_BYTES },
};

static const struct {
	const char *reason;
	int attr;
} drop_reasons[] = {
	{ "policer", TCA_MQOS_XSTATS_DROP_POLICER },
	{ "queue", TCA_MQOS_XSTATS_DROP_LIMIT },
	{ "aqm", TCA_MQOS_XSTATS_DROP_AQM },
	{ "other", TCA_MQOS_XSTATS_DROP_OTHER },
	{ "memory", TCA_MQOS_XSTATS_DROP_MEMORY },	/* when sent */
};

/* Flow queuing (sent by modules that have it; left out otherwise). */
static const struct class_metric flow_metrics[] = {
	{ "mqos_class_flow_queues", "gauge",
	  "Flow queues of the class (0: one FIFO).", TCA_MQOS_XSTATS_FLOWS },
	{ "mqos_class_flows_sparse", "gauge",
	  "Flows of the class on the new (sparse) list now.",
	  TCA_MQOS_XSTATS_FLOWS_SPARSE },
	{ "mqos_class_flows_bulk", "gauge",
	  "Flows of the class on the old (bulk) list now.",
	  TCA_MQOS_XSTATS_FLOWS_BULK },
	{ "mqos_class_flow_way_collisions_total", "counter",
	  "Flows of the class that had to share a queue.",
	  TCA_MQOS_XSTATS_WAY_COLLISIONS },
	{ "mqos_class_hosts", "gauge",
	  "Hosts with queued flows in the class now.", TCA_MQOS_XSTATS_HOSTS },
};

/*
 * A class histogram family NAME (log2 buckets from 1 us): the buckets of
 * @sparse ? sparse_hist : hist, the sum from @sum_attr. Classes that do
 * not report @need_attr are left out.
 */
static void write_histogram(FILE *f, const struct ctl_stats *s,
			    const char *name, const char *help, bool sparse,
			    int sum_attr, int need_attr)
{
	char le[32], series[96];
	uint64_t cum, hi;
	bool any = false;
	int i, b;

	for (i = 0; i < s->ncls; i++) {
		const struct ctl_stats_class *c = &s->cls[i];
		const uint64_t *h = sparse ? c->sparse_hist : c->hist;

		if (!(c->has & HAS64(need_attr)))
			continue;
		if (!any)
			family(f, name, "histogram", help);
		any = true;
		cum = 0;
		snprintf(series, sizeof(series), "%s_bucket", name);
		for (b = 0; b < MQOS_HIST_NBUCKETS; b++) {
			cum += h[b];
			if (b == MQOS_HIST_NBUCKETS - 1) {
				strcpy(le, "+Inf");
			} else {
				hi = 1000ULL << b;	/* ns: 2^b us */
				snprintf(le, sizeof(le), "%" PRIu64 ".%09" PRIu64,
					 hi / 1000000000, hi % 1000000000);
			}
			class_labels(f, series, c, "le", le);
			fprintf(f, " %" PRIu64 "\n", cum);
		}
		snprintf(series, sizeof(series), "%s_sum", name);
		class_labels(f, series, c, NULL, NULL);
		fputc(' ', f);
		put_seconds(f, c->v[sum_attr]);
		fputc('\n', f);
		snprintf(series, sizeof(series), "%s_count", name);
		class_labels(f, series, c, NULL, NULL);
		fprintf(f, " %" PRIu64 "\n", cum);
	}
}

static void write_delay_gauges(FILE *f, const struct ctl_stats *s)
{
	int i;

	family(f, "mqos_class_delay_max_seconds", "gauge",
	       "Largest sojourn time of the class since the last reset.");
	for (i = 0; i < s->ncls; i++) {
		class_labels(f, "mqos_class_delay_max_seconds", &s->cls[i],
			     NULL, NULL);
		fputc(' ', f);
		put_seconds(f, s->cls[i].v[TCA_MQOS_XSTATS_DELAY_MAX]);
		fputc('\n', f);
	}
	family(f, "mqos_class_jitter_seconds", "gauge",
	       "Mean absolute difference of consecutive sojourn times since the last reset.");
	for (i = 0; i < s->ncls; i++) {
		const uint64_t *v = s->cls[i].v;
		uint64_t n = v[TCA_MQOS_XSTATS_DELAY_COUNT];

		class_labels(f, "mqos_class_jitter_seconds", &s->cls[i],
			     NULL, NULL);
		fputc(' ', f);
		put_seconds(f, n > 1 ? v[TCA_MQOS_XSTATS_JITTER_SUM] / (n - 1) : 0);
		fputc('\n', f);
	}
}

static void dev_labels(FILE *f, const char *name, const struct ctl_stats_dev *d)
{
	fprintf(f, "%s{dev=", name);
	put_label_value(f, d->name);
	fputc('}', f);
}

static void write_devs(FILE *f, const struct ctl_stats *s)
{
	static const struct {
		const char *name, *type, *help;
		size_t off;
		bool u32;
	} m[] = {
#define M(n, t, h, field, u) { n, t, h, offsetof(struct ctl_stats_dev, field), u }
		M("mqos_dev_packets_total", "counter",
		  "Packets sent by the mqos qdisc of the device.", packets, false),
		M("mqos_dev_bytes_total", "counter",
		  "Bytes sent by the mqos qdisc of the device.", bytes, false),
		M("mqos_dev_drops_total", "counter",
		  "Packets dropped by the mqos qdisc of the device (all reasons).",
		  drops, false),
		M("mqos_dev_overlimits_total", "counter",
		  "Times the device rate was reached.", overlimits, false),
		M("mqos_dev_backlog_packets", "gauge",
		  "Packets queued in the mqos qdisc of the device now.", backlog, true),
		M("mqos_dev_rate_bytes_per_second", "gauge",
		  "Configured (effective) device rate in bytes per second (0: unlimited).",
		  rate, false),
#undef M
	};
	size_t k;
	int i;

	for (k = 0; k < sizeof(m) / sizeof(m[0]); k++) {
		family(f, m[k].name, m[k].type, m[k].help);
		for (i = 0; i < s->ndev; i++) {
			const char *p = (const char *)&s->dev[i] + m[k].off;

			dev_labels(f, m[k].name, &s->dev[i]);
			fprintf(f, " %" PRIu64 "\n", m[k].u32 ?
				(uint64_t)*(const uint32_t *)p : *(const uint64_t *)p);
		}
	}
	/* Flow queuing's memory accounting: only from modules that send it. */
	for (k = 0; k < 2; k++) {
		static const char *const name[2] = {
			"mqos_dev_memory_used_bytes", "mqos_dev_memory_limit_bytes"
		};
		static const char *const help[2] = {
			"Memory (skb truesize) queued in the mqos qdisc of the device now.",
			"Memory limit of the mqos qdisc of the device.",
		};
		int attr = k ? TCA_MQOS_XSTATS_MEMORY_LIMIT :
			       TCA_MQOS_XSTATS_MEMORY_USED;
		bool any = false;

		for (i = 0; i < s->ndev; i++) {
			if (!(s->dev[i].has & HAS64(attr)))
				continue;
			if (!any)
				family(f, name[k], "gauge", help[k]);
			any = true;
			dev_labels(f, name[k], &s->dev[i]);
			fprintf(f, " %" PRIu64 "\n", k ? s->dev[i].memory_limit :
				s->dev[i].memory_used);
		}
	}
}

static void write_rules(FILE *f, const struct ctl_stats *s)
{
	static const char *const names[2] = {
		"mqos_rule_hits_packets_total", "mqos_rule_hits_bytes_total",
	};
	static const char *const help[2] = {
		"Packets classified by the rule (per network namespace).",
		"Bytes classified by the rule (per network namespace).",
	};
	char buf[1024];
	FILE *m;
	int i, k;

	for (k = 0; k < 2; k++) {
		family(f, names[k], "counter", help[k]);
		for (i = 0; i < s->nrules; i++) {
			const struct ctl_rule *r = &s->rules[i];

			buf[0] = 0;
			m = fmemopen(buf, sizeof(buf), "w");
			if (m) {
				print_rule_args(m, r);
				fclose(m);
			}
			buf[sizeof(buf) - 1] = 0;
			fprintf(f, "%s{pref=\"%u\",class_id=\"%u\",rule=", names[k],
				r->pref, r->class_id);
			put_label_value(f, buf);
			fprintf(f, "} %" PRIu64 "\n",
				k ? r->hits_bytes : r->hits_packets);
		}
	}
}

/* The netfilter hook's MQTT stream framing and promotions (netns-wide). */
static void write_hook(FILE *f, const struct ctl_hook *h)
{
	static const char *const seg[] = {
		"at_header", "continuation", "retransmission", "out_of_order",
		"untrusted",
	};
	const uint64_t segv[] = {
		h->frame_at, h->frame_cont, h->frame_old, h->frame_ahead,
		h->frame_untrusted,
	};
	size_t k;

	family(f, "mqos_hook_raised_total", "counter",
	       "Times the hook raised a connection's class (promotions).");
	fprintf(f, "mqos_hook_raised_total %" PRIu64 "\n", h->raised);
	family(f, "mqos_hook_framing_entries", "gauge",
	       "TCP connections with MQTT framing state.");
	fprintf(f, "mqos_hook_framing_entries %u\n", h->frame_entries);
	family(f, "mqos_hook_framing_max_entries", "gauge",
	       "Bound of the MQTT framing state table (per network namespace).");
	fprintf(f, "mqos_hook_framing_max_entries %u\n", h->frame_max);
	family(f, "mqos_hook_framing_table_full_total", "counter",
	       "Connections left without framing state: the table was full.");
	fprintf(f, "mqos_hook_framing_table_full_total %" PRIu64 "\n",
		h->frame_full);
	family(f, "mqos_hook_framing_segments_total", "counter",
	       "TCP segments of MQTT connections by what framing made of them.");
	for (k = 0; k < sizeof(seg) / sizeof(seg[0]); k++)
		fprintf(f, "mqos_hook_framing_segments_total{verdict=\"%s\"} %"
			PRIu64 "\n", seg[k], segv[k]);
	family(f, "mqos_hook_framing_positions_total", "counter",
	       "MQTT header positions learned, by how (handshake, resync).");
	fprintf(f, "mqos_hook_framing_positions_total{source=\"handshake\"} %"
		PRIu64 "\n", h->frame_syn);
	fprintf(f, "mqos_hook_framing_positions_total{source=\"resync\"} %"
		PRIu64 "\n", h->frame_resync);
	family(f, "mqos_hook_framing_lost_total", "counter",
	       "MQTT header positions lost (nothing trusted until found again).");
	fprintf(f, "mqos_hook_framing_lost_total %" PRIu64 "\n", h->frame_lost);
}

static void write_prom(FILE *f, const struct ctl_stats *s)
{
	struct ctl_hook h;
	size_t k;
	int i;

	write_devs(f, s);
	for (k = 0; k < sizeof(class_metrics) / sizeof(class_metrics[0]); k++) {
		const struct class_metric *m = &class_metrics[k];

		family(f, m->name, m->type, m->help);
		for (i = 0; i < s->ncls; i++) {
			class_labels(f, m->name, &s->cls[i], NULL, NULL);
			fprintf(f, " %" PRIu64 "\n", s->cls[i].v[m->attr]);
		}
	}
	family(f, "mqos_class_drops_total", "counter",
	       "Packets dropped by the class, by reason (policer, queue limit, AQM, memory, other).");
	for (i = 0; i < s->ncls; i++)
		for (k = 0; k < sizeof(drop_reasons) / sizeof(drop_reasons[0]); k++) {
			if (drop_reasons[k].attr == TCA_MQOS_XSTATS_DROP_MEMORY &&
			    !(s->cls[i].has & HAS64(TCA_MQOS_XSTATS_DROP_MEMORY)))
				continue;
			class_labels(f, "mqos_class_drops_total", &s->cls[i],
				     "reason", drop_reasons[k].reason);
			fprintf(f, " %" PRIu64 "\n",
				s->cls[i].v[drop_reasons[k].attr]);
		}
	for (k = 0; k < sizeof(flow_metrics) / sizeof(flow_metrics[0]); k++) {
		const struct class_metric *m = &flow_metrics[k];
		bool any = false;

		for (i = 0; i < s->ncls; i++) {
			if (!(s->cls[i].has & HAS64(m->attr)))
				continue;
			if (!any)
				family(f, m->name, m->type, m->help);
			any = true;
			class_labels(f, m->name, &s->cls[i], NULL, NULL);
			fprintf(f, " %" PRIu64 "\n", s->cls[i].v[m->attr]);
		}
	}
	write_histogram(f, s, "mqos_class_delay_seconds",
			"Sojourn time of the class's packets in the qdisc (log2 buckets from 1 us).",
			false, TCA_MQOS_XSTATS_DELAY_SUM, TCA_MQOS_XSTATS_DELAY_COUNT);
	write_histogram(f, s, "mqos_class_sparse_delay_seconds",
			"Sojourn time of the packets sent from new (sparse) flows of the class (log2 buckets from 1 us).",
			true, TCA_MQOS_XSTATS_SPARSE_SUM, TCA_MQOS_XSTATS_SPARSE_COUNT);
	write_delay_gauges(f, s);
	write_rules(f, s);
	family(f, "mqos_malformed_packets_total", "counter",
	       "Malformed MQTT/MQTT-SN packets seen (per network namespace).");
	fprintf(f, "mqos_malformed_packets_total %" PRIu64 "\n", s->malformed);
	if (!ctl_hook_get(&h))
		write_hook(f, &h);
}

/* Write to a temporary file next to @path, then rename it over @path. */
static int write_file(const char *path, const struct ctl_stats *s)
{
	size_t n = strlen(path);
	char *tmp = malloc(n + 8);
	FILE *f = NULL;
	int fd, err = 0;

	if (!tmp) {
		ctl_err("out of memory");
		return -ENOMEM;
	}
	/* "FILE.XXXXXX" does not end in .prom: the collector ignores it. */
	snprintf(tmp, n + 8, "%s.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0 || fchmod(fd, 0644) < 0 || !(f = fdopen(fd, "w"))) {
		err = -errno;
		ctl_err("%s: %s", fd < 0 ? path : tmp, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		free(tmp);
		return err;
	}
	write_prom(f, s);
	if (fflush(f) || ferror(f) || fsync(fd) < 0) {
		err = -errno;
		ctl_err("%s: %s", tmp, strerror(errno));
	}
	if (fclose(f) && !err) {
		err = -errno;
		ctl_err("%s: %s", tmp, strerror(errno));
	}
	if (!err && rename(tmp, path) < 0) {
		err = -errno;
		ctl_err("%s: %s", path, strerror(errno));
	}
	if (err)
		unlink(tmp);
	free(tmp);
	return err;
}

int cmd_stats_prom(const char *dev, const char *path, unsigned int watch)
{
	struct ctl_stats s;
	int err;

	for (;;) {
		err = ctl_stats_get(dev, &s);
		if (err)
			return err;
		if (path) {
			err = write_file(path, &s);
		} else {
			write_prom(stdout, &s);
			if (fflush(stdout) || ferror(stdout)) {
				ctl_err("stdout: %s", strerror(errno));
				err = -EIO;
			}
		}
		ctl_stats_free(&s);
		if (err || !watch)
			return err;
		sleep(watch);
	}
}
