// SPDX-License-Identifier: GPL-2.0
/*
 * What mqosctl prints: the configuration (show, save) and the statistics,
 * as text or as JSON (json-c does the escaping). `save` writes the exact
 * commands that `load` reads back.
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
#include "../module/core/hist.h"

/* ---- collecting dumps ----------------------------------------------------- */

struct devs {
	struct ctl_dev *v;
	int n;
};

static void *grow(void *p, int n, size_t size)
{
	void *q = realloc(p, (size_t)(n + 1) * size);

	if (!q) {
		ctl_err("out of memory");
		exit(EXIT_RUNTIME);
	}
	return q;
}

static int dev_cb(struct nlattr **tb, void *arg)
{
	struct devs *d = arg;
	struct ctl_dev *dev;

	if (!tb[MQOS_A_IFNAME] || !tb[MQOS_A_QDISC])
		return 0;
	d->v = grow(d->v, d->n, sizeof(*d->v));
	dev = &d->v[d->n++];
	memset(dev, 0, sizeof(*dev));
	snprintf(dev->name, sizeof(dev->name), "%s",
		 nla_get_string(tb[MQOS_A_IFNAME]));
	ctl_get_qdisc(tb[MQOS_A_QDISC], dev);
	return 0;
}

static int get_devs(const char *name, struct devs *d)
{
	struct nl_msg *msg = ctl_msg(MQOS_CMD_DEV_GET, name ? 0 : NLM_F_DUMP);

	memset(d, 0, sizeof(*d));
	if (msg && name)
		nla_put_string(msg, MQOS_A_IFNAME, name);
	return ctl_request(msg, dev_cb, d, NULL, 0);
}

struct rules {
	struct ctl_rule *v;
	int n;
};

static int rule_cb(struct nlattr **tb, void *arg)
{
	struct rules *r = arg;

	if (!tb[MQOS_A_RULE])
		return 0;
	r->v = grow(r->v, r->n, sizeof(*r->v));
	ctl_get_rule(tb[MQOS_A_RULE], &r->v[r->n++]);
	return 0;
}

static int get_rules(struct rules *r)
{
	memset(r, 0, sizeof(*r));
	return ctl_request(ctl_msg(MQOS_CMD_RULE_GET, NLM_F_DUMP), rule_cb, r,
			   NULL, 0);
}

/* ---- text forms ------------------------------------------------------------ */

static void print_rate_pct(FILE *f, const char *kw, uint64_t abs, uint8_t pct)
{
	char buf[32];

	if (abs)
		fmt_rate(buf, sizeof(buf), abs);
	else if (pct)
		snprintf(buf, sizeof(buf), "%u%%", pct);
	else
		strcpy(buf, "none");
	fprintf(f, " %s %s", kw, buf);
}

void print_class_args(FILE *f, const struct ctl_class *c)
{
	char a[32], b[32];

	fprintf(f, " name %s prio %u", c->name, c->prio);
	print_rate_pct(f, "rate", c->rate, c->rate_pct);
	print_rate_pct(f, "ceil", c->ceil, c->ceil_pct);
	fmt_size(a, sizeof(a), c->quantum);
	fmt_size(b, sizeof(b), c->limit_bytes);
	fprintf(f, " quantum %s limit %u limit-bytes %s", a, c->limit, b);
	if (c->police_rate) {
		fmt_rate(a, sizeof(a), c->police_rate);
		fmt_size(b, sizeof(b), c->police_burst);
		fprintf(f, " police rate %s burst %s", a, b);
		if (c->police_demote)
			fprintf(f, " demote %u", c->police_demote);
	}
	fmt_time(a, sizeof(a), c->aqm_target);
	fmt_time(b, sizeof(b), c->aqm_interval);
	fprintf(f, " target %s interval %s ecn %s", a, b, c->ecn ? "on" : "off");
	if (c->dscp == MQOS_DSCP_KEEP)
		fputs(" dscp keep", f);
	else
		fprintf(f, " dscp %u", c->dscp);
	/* Only from a module that has flow queues. */
	if (c->has & HAS(TCA_MQOS_CLASS_FLOWS))
		fprintf(f, " flows %u", c->flows);
}

/* The device's own settings, as `dev set DEV` takes them. */
static void print_dev_args(FILE *f, const struct ctl_dev *d)
{
	char buf[32];

	fmt_rate(buf, sizeof(buf), d->rate);
	fprintf(f, " rate %s overhead %u default %u", d->rate ? buf : "0",
		d->overhead, d->default_class);
	if ((d->has & HAS(TCA_MQOS_ISOLATION)) &&
	    d->isolation < __MQOS_ISOLATE_MAX)
		fprintf(f, " isolation %s", ctl_isolation_names[d->isolation]);
	if (d->has & HAS(TCA_MQOS_MEMORY_LIMIT)) {
		fmt_size(buf, sizeof(buf), d->memory_limit);
		fprintf(f, " memlimit %s", d->memory_limit ? buf : "default");
	}
	if (d->has & HAS(TCA_MQOS_INGRESS))
		fprintf(f, " ingress %s", d->ingress ? "on" : "off");
}

void print_rule_default(FILE *f, uint8_t v)
{
	if (v == MQOS_RULE_DEFAULT_MAP)
		fputs("map", f);
	else if (v == MQOS_RULE_DEFAULT_DEVICE)
		fputs("device", f);
	else
		fprintf(f, "class %u", v);
}

static int rule_default_cb(struct nlattr **tb, void *arg)
{
	if (tb[MQOS_A_RULE_DEFAULT])
		*(uint8_t *)arg = nla_get_u8(tb[MQOS_A_RULE_DEFAULT]);
	return 0;
}

int ctl_rule_default_get(uint8_t *v)
{
	*v = MQOS_RULE_DEFAULT_MAP;
	return ctl_request(ctl_msg(MQOS_CMD_RULE_GET, 0), rule_default_cb, v,
			   NULL, 0);
}

static void print_ifindex(FILE *f, const char *kw, uint32_t ifindex)
{
	char name[IF_NAMESIZE];

	if (if_indextoname(ifindex, name))
		fprintf(f, " %s %s", kw, name);
	else
		fprintf(f, " %s %u", kw, ifindex);
}

void print_rule_args(FILE *f, const struct ctl_rule *r)
{
	uint32_t h = r->has;
	char buf[512];

	fprintf(f, "pref %u match", r->pref);
	if (!(h & ~(HAS(MQOS_RULE_A_PREF) | HAS(MQOS_RULE_A_CLASS) |
		    HAS(MQOS_RULE_A_HITS_PACKETS) | HAS(MQOS_RULE_A_HITS_BYTES))))
		fputs(" all", f);
	if (h & HAS(MQOS_RULE_A_DSCP)) {
		fmt_dscp_set(buf, sizeof(buf), r->dscp);
		fprintf(f, " dscp %s", buf);
	}
	if (h & HAS(MQOS_RULE_A_MQTT_QOS)) {
		fmt_qos_set(buf, sizeof(buf), r->mqtt_qos, false);
		fprintf(f, " mqtt-qos %s", buf);
	}
	if (h & HAS(MQOS_RULE_A_KINDS)) {
		fmt_kinds(buf, sizeof(buf), r->kinds);
		fprintf(f, " mqtt-kind %s", buf);
	}
	if (h & HAS(MQOS_RULE_A_TOPIC)) {
		fmt_quoted(buf, sizeof(buf), r->topic, r->topic_len);
		fprintf(f, " mqtt-topic %s", buf);
	}
	if (h & HAS(MQOS_RULE_A_SN_QOS)) {
		fmt_qos_set(buf, sizeof(buf), r->sn_qos, true);
		fprintf(f, " mqttsn-qos %s", buf);
	}
	if (h & HAS(MQOS_RULE_A_PROTO)) {
		if (r->proto == 6 || r->proto == 17)
			fprintf(f, " proto %s", r->proto == 6 ? "tcp" : "udp");
		else
			fprintf(f, " proto %u", r->proto);
	}
	if (h & HAS(MQOS_RULE_A_SPORT_MIN)) {
		fprintf(f, " sport %u", r->sport_lo);
		if (r->sport_hi != r->sport_lo)
			fprintf(f, "-%u", r->sport_hi);
	}
	if (h & HAS(MQOS_RULE_A_DPORT_MIN)) {
		fprintf(f, " dport %u", r->dport_lo);
		if (r->dport_hi != r->dport_lo)
			fprintf(f, "-%u", r->dport_hi);
	}
	if (h & HAS(MQOS_RULE_A_SRC)) {
		fmt_prefix(buf, sizeof(buf), r->family, r->src, r->src_plen);
		fprintf(f, " src %s", buf);
	}
	if (h & HAS(MQOS_RULE_A_DST)) {
		fmt_prefix(buf, sizeof(buf), r->family, r->dst, r->dst_plen);
		fprintf(f, " dst %s", buf);
	}
	if (h & HAS(MQOS_RULE_A_IIF))
		print_ifindex(f, "iif", r->iif);
	if (h & HAS(MQOS_RULE_A_OIF))
		print_ifindex(f, "oif", r->oif);
	fprintf(f, " class %u", r->class_id);
}

/* ---- JSON forms ------------------------------------------------------------ */

static void jset(json_object *o, const char *k, json_object *v)
{
	json_object_object_add(o, k, v);
}

static void jint(json_object *o, const char *k, uint64_t v)
{
	jset(o, k, json_object_new_uint64(v));
}

static void jstr(json_object *o, const char *k, const char *v)
{
	jset(o, k, json_object_new_string(v));
}

/*
 * The JSON schema (mqosctl(8), JSON OUTPUT): units in key names (_bps
 * bits/s, _bytes, _packets, _ns), one type per key, null for "none";
 * counters that only some modules send are left out when not sent.
 */
static void jnull(json_object *o, const char *k)
{
	jset(o, k, NULL);
}

static json_object *class_json(const char *dev, const struct ctl_class *c)
{
	json_object *o = json_object_new_object(), *p;

	jstr(o, "dev", dev);
	jint(o, "class", c->id);
	jstr(o, "name", c->name);
	jint(o, "prio", c->prio);
	jint(o, "rate_bps", c->rate * 8);
	jint(o, "rate_pct", c->rate_pct);
	jint(o, "ceil_bps", c->ceil * 8);
	jint(o, "ceil_pct", c->ceil_pct);
	jint(o, "quantum_bytes", c->quantum);
	jint(o, "limit_packets", c->limit);
	jint(o, "limit_bytes", c->limit_bytes);
	if (c->police_rate) {
		p = json_object_new_object();
		jint(p, "rate_bps", c->police_rate * 8);
		jint(p, "burst_bytes", c->police_burst);
		if (c->police_demote)
			jint(p, "demote_class", c->police_demote);
		else
			jnull(p, "demote_class");
		jset(o, "police", p);
	} else {
		jnull(o, "police");
	}
	jint(o, "aqm_target_ns", (uint64_t)c->aqm_target * 1000);
	jint(o, "aqm_interval_ns", (uint64_t)c->aqm_interval * 1000);
	jset(o, "ecn", json_object_new_boolean(c->ecn));
	if (c->dscp == MQOS_DSCP_KEEP)
		jnull(o, "remark_dscp");
	else
		jint(o, "remark_dscp", c->dscp);
	if (c->has & HAS(TCA_MQOS_CLASS_FLOWS))
		jint(o, "flows", c->flows);
	return o;
}

static json_object *dev_json(const struct ctl_dev *d)
{
	json_object *o = json_object_new_object();

	jstr(o, "dev", d->name);
	jint(o, "rate_bps", d->rate * 8);
	jint(o, "overhead_bytes", d->overhead);
	jint(o, "default_class", d->default_class);
	if ((d->has & HAS(TCA_MQOS_ISOLATION)) &&
	    d->isolation < __MQOS_ISOLATE_MAX)
		jstr(o, "isolation", ctl_isolation_names[d->isolation]);
	if (d->has & HAS(TCA_MQOS_MEMORY_LIMIT))
		jint(o, "memory_limit_bytes", d->memory_limit);
	if (d->has & HAS(TCA_MQOS_INGRESS))
		jset(o, "ingress", json_object_new_boolean(d->ingress));
	return o;
}

/* Bits of @set as a JSON array of numbers (bit 3 of MQTT-SN: -1). */
static json_object *bits_json(uint64_t set, int n, bool sn)
{
	json_object *a = json_object_new_array();
	int b;

	if (sn && (set & (1U << 3)))
		json_object_array_add(a, json_object_new_int(-1));
	for (b = 0; b < n; b++)
		if (set & (1ULL << b) && !(sn && b == 3))
			json_object_array_add(a, json_object_new_int(b));
	return a;
}

static json_object *range_json(uint16_t lo, uint16_t hi)
{
	json_object *o = json_object_new_object();

	jint(o, "min", lo);
	jint(o, "max", hi);
	return o;
}

static json_object *ifindex_json(uint32_t ifindex)
{
	json_object *o = json_object_new_object();
	char name[IF_NAMESIZE];

	jint(o, "index", ifindex);
	if (if_indextoname(ifindex, name))
		jstr(o, "name", name);
	else
		jnull(o, "name");
	return o;
}

/* The selectors as a structured object: a key per selector given. */
static json_object *match_json(const struct ctl_rule *r)
{
	json_object *m = json_object_new_object(), *a;
	uint32_t h = r->has;
	char buf[512], *tok, *save;

	if (h & HAS(MQOS_RULE_A_DSCP))
		jset(m, "dscp", bits_json(r->dscp, 64, false));
	if (h & HAS(MQOS_RULE_A_MQTT_QOS))
		jset(m, "mqtt_qos", bits_json(r->mqtt_qos, 3, false));
	if (h & HAS(MQOS_RULE_A_KINDS)) {
		a = json_object_new_array();
		fmt_kinds(buf, sizeof(buf), r->kinds);
		for (tok = strtok_r(buf, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save))
			json_object_array_add(a, json_object_new_string(tok));
		jset(m, "mqtt_kind", a);
	}
	if (h & HAS(MQOS_RULE_A_TOPIC))
		jset(m, "mqtt_topic",
		     json_object_new_string_len(r->topic, r->topic_len));
	if (h & HAS(MQOS_RULE_A_SN_QOS))
		jset(m, "mqttsn_qos", bits_json(r->sn_qos, 4, true));
	if (h & HAS(MQOS_RULE_A_PROTO))
		jint(m, "proto", r->proto);
	if (h & HAS(MQOS_RULE_A_SPORT_MIN))
		jset(m, "sport", range_json(r->sport_lo, r->sport_hi));
	if (h & HAS(MQOS_RULE_A_DPORT_MIN))
		jset(m, "dport", range_json(r->dport_lo, r->dport_hi));
	if (h & HAS(MQOS_RULE_A_SRC)) {
		fmt_prefix(buf, sizeof(buf), r->family, r->src, r->src_plen);
		jstr(m, "src", buf);
	}
	if (h & HAS(MQOS_RULE_A_DST)) {
		fmt_prefix(buf, sizeof(buf), r->family, r->dst, r->dst_plen);
		jstr(m, "dst", buf);
	}
	if (h & HAS(MQOS_RULE_A_IIF))
		jset(m, "iif", ifindex_json(r->iif));
	if (h & HAS(MQOS_RULE_A_OIF))
		jset(m, "oif", ifindex_json(r->oif));
	return m;
}

static json_object *rule_json(const struct ctl_rule *r)
{
	json_object *o = json_object_new_object();
	char buf[1024];
	FILE *f;

	jint(o, "pref", r->pref);
	jint(o, "class", r->class_id);
	jset(o, "match", match_json(r));
	/* The same rule as `rule add` takes it. */
	buf[0] = 0;
	f = fmemopen(buf, sizeof(buf), "w");
	if (f) {
		print_rule_args(f, r);
		fclose(f);
	}
	buf[sizeof(buf) - 1] = 0;
	jstr(o, "rule", buf);
	jint(o, "hits_packets", r->hits_packets);
	jint(o, "hits_bytes", r->hits_bytes);
	return o;
}

int ctl_json_flags = JSON_C_TO_STRING_PLAIN;

void ctl_json_print(json_object *o)
{
	puts(json_object_to_json_string_ext(o, ctl_json_flags));
	json_object_put(o);
}

static void json_print(json_object *o)
{
	ctl_json_print(o);
}

/* ---- show commands --------------------------------------------------------- */

int cmd_class_show(const char *dev, bool json)
{
	json_object *arr = json ? json_object_new_array() : NULL;
	struct devs d;
	int i, id, err;

	err = get_devs(dev, &d);
	for (i = 0; !err && i < d.n; i++) {
		for (id = 1; id <= MQOS_MAX_CLASSES; id++) {
			const struct ctl_class *c = &d.v[i].cls[id];

			if (!c->id)
				continue;
			if (json) {
				json_object_array_add(arr, class_json(d.v[i].name, c));
				continue;
			}
			printf("%s class %u", d.v[i].name, c->id);
			print_class_args(stdout, c);
			putchar('\n');
		}
	}
	free(d.v);
	if (json && !err)
		json_print(arr);
	else if (json)
		json_object_put(arr);
	return err;
}

int cmd_dev_show(const char *dev, bool json)
{
	json_object *arr = json ? json_object_new_array() : NULL;
	struct devs d;
	int i, err;

	err = get_devs(dev, &d);
	for (i = 0; !err && i < d.n; i++) {
		if (json) {
			json_object_array_add(arr, dev_json(&d.v[i]));
			continue;
		}
		fputs(d.v[i].name, stdout);
		print_dev_args(stdout, &d.v[i]);
		putchar('\n');
	}
	free(d.v);
	if (json && !err)
		json_print(arr);
	else if (json)
		json_object_put(arr);
	return err;
}

static json_object *rule_default_json(json_object *o, uint8_t v)
{
	jstr(o, "default", v == MQOS_RULE_DEFAULT_MAP ? "map" :
			   v == MQOS_RULE_DEFAULT_DEVICE ? "device" : "class");
	if (v == MQOS_RULE_DEFAULT_MAP || v == MQOS_RULE_DEFAULT_DEVICE)
		jnull(o, "default_class");
	else
		jint(o, "default_class", v);
	return o;
}

int cmd_rule_show(bool json)
{
	json_object *arr = json ? json_object_new_array() : NULL;
	struct rules r;
	uint8_t def;
	int i, err;

	err = get_rules(&r);
	if (!err)
		err = ctl_rule_default_get(&def);
	for (i = 0; !err && i < r.n; i++) {
		if (json) {
			json_object_array_add(arr, rule_json(&r.v[i]));
			continue;
		}
		print_rule_args(stdout, &r.v[i]);
		printf("  # hits %" PRIu64 " pkts %" PRIu64 " bytes\n",
		       r.v[i].hits_packets, r.v[i].hits_bytes);
	}
	free(r.v);
	if (json && !err) {
		json_object *o = rule_default_json(json_object_new_object(), def);

		jset(o, "rules", arr);
		json_print(o);
	} else if (json) {
		json_object_put(arr);
	} else if (!err) {
		/* What the packets no rule matches get, last like a rule. */
		fputs("default ", stdout);
		print_rule_default(stdout, def);
		putchar('\n');
	}
	return err;
}

/*
 * The ingress set-ups, first: load makes their ifbs, which the dev set
 * and class set lines below then configure (the rate is the ifb's).
 */
static int print_ingress(FILE *f, const struct devs *d)
{
	struct ctl_ingress *v;
	char buf[32];
	int n, i, j, err;

	err = ctl_rtnl_ingress_list(&v, &n);
	for (i = 0; !err && i < n; i++) {
		for (j = 0; j < d->n && strcmp(d->v[j].name, v[i].ifb); j++)
			;
		if (j == d->n)
			continue;	/* its mqos went in between */
		fmt_rate(buf, sizeof(buf), d->v[j].rate);
		fprintf(f, "ingress add %s rate %s ifb %s\n", v[i].dev,
			d->v[j].rate ? buf : "0", v[i].ifb);
	}
	free(v);
	return err;
}

int cmd_save(FILE *f)
{
	struct ctl_ports p;
	struct ctl_hook h;
	struct devs d;
	struct rules r;
	uint8_t def;
	int i, id, err;

	err = get_devs(NULL, &d);
	if (err)
		return err;
	err = get_rules(&r);
	if (!err)
		err = ctl_rule_default_get(&def);
	if (err) {
		free(d.v);
		free(r.v);
		return err;
	}
	fputs("# mqos configuration (mqosctl save); apply with: mqosctl load FILE\n", f);
	fprintf(f, "format %d\n", CTL_FORMAT);
	err = print_ingress(f, &d);
	for (i = 0; !err && i < d.n; i++) {
		fprintf(f, "dev set %s", d.v[i].name);
		print_dev_args(f, &d.v[i]);
		fputc('\n', f);
		for (id = 1; id <= MQOS_MAX_CLASSES; id++) {
			if (!d.v[i].cls[id].id)
				continue;
			fprintf(f, "class set %s %d", d.v[i].name, id);
			print_class_args(f, &d.v[i].cls[id]);
			fputc('\n', f);
		}
	}
	if (!err)
		err = ctl_ports_get(&p);
	if (!err)
		print_ports_set(f, &p);
	if (!err) {
		fputs("rule default ", f);
		print_rule_default(f, def);
		fputc('\n', f);
	}
	for (i = 0; !err && i < r.n; i++) {
		fputs("rule add ", f);
		print_rule_args(f, &r.v[i]);
		fputc('\n', f);
	}
	free(d.v);
	free(r.v);
	if (err)
		return err;
	err = ctl_hook_get(&h);
	if (err)
		return err;
	print_hook_set(f, &h);
	for (id = 1; id <= MQOS_MAX_CLASSES; id++)
		print_hook_class(f, &h, id);
	return 0;
}

/* ---- stats ----------------------------------------------------------------- */

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
			json_print(stats_json(&s, &p));
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
