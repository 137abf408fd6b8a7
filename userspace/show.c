// SPDX-License-Identifier: GPL-2.0
/*
 * What mqosctl prints about the configuration (show, save), as text or
 * as JSON (json-c does the escaping). `save` writes the exact commands
 * that `load` reads back. The statistics are stats.c's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include <netlink/netlink.h>
#include <netlink/genl/genl.h>

#include "mqosctl.h"
#include "json.h"

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

/*
 * The name of an enumerated value the module reported (bit @attr of
 * @has) and this mqosctl knows (below @n); NULL otherwise, not shown.
 */
static const char *reported_name(uint32_t has, int attr, unsigned int v,
				 const char *const *names, unsigned int n)
{
	return (has & HAS(attr)) && v < n ? names[v] : NULL;
}

static const char *class_aqm_mode(const struct ctl_class *c)
{
	return reported_name(c->has, TCA_MQOS_CLASS_AQM_MODE, c->aqm_mode,
			     ctl_aqm_mode_names, MQOS_AQM_MODE_MAX + 1);
}

static const char *dev_isolation(const struct ctl_dev *d)
{
	return reported_name(d->has, TCA_MQOS_ISOLATION, d->isolation,
			     ctl_isolation_names, __MQOS_ISOLATE_MAX);
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
	fprintf(f, " target %s interval %s", a, b);
	if (class_aqm_mode(c))
		fprintf(f, " aqm %s", class_aqm_mode(c));
	fprintf(f, " ecn %s", c->ecn ? "on" : "off");
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
	if (dev_isolation(d))
		fprintf(f, " isolation %s", dev_isolation(d));
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
	if (class_aqm_mode(c))
		jstr(o, "aqm_mode", class_aqm_mode(c));
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
	if (dev_isolation(d))
		jstr(o, "isolation", dev_isolation(d));
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

json_object *rule_json(const struct ctl_rule *r)
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
