// SPDX-License-Identifier: GPL-2.0
/*
 * load FILE|-: a whole configuration in the commands `save` prints, one
 * per line ('#' comments, blank lines). The kernel validates all of it
 * before anything changes (CONFIG_REPLACE with CHECK); then each device's
 * qdisc is replaced with one RTM_NEWQDISC and the rules with one
 * CONFIG_REPLACE (apply_config()).
 *
 * Lines: dev set ..., class set ..., rule add .... Per device named in
 * the file, the classes given replace the device's classes (those not
 * given are deleted; a class starts from the defaults and takes the
 * values of all its lines); devices not named are left alone. The rules
 * replace the rule table (no rule lines: no rules). Rules without a pref
 * get the highest pref so far + 10, as `rule add` does. A ports set line
 * sets the MQTT/MQTT-SN ports with the rules; a list no line names is
 * the default (1883; 1883,1884), so a file states the whole table.
 *
 * rule default map|device|class N: what packets no rule matches get, sent
 * with the rules. Without that line it is "map" - except in a file of
 * format 1 (no "format" line: written before rules refined the map) that
 * has rules, where it is "device", what such a table meant then.
 *
 * format N (first command line, written by save): the file format, 1..
 * CTL_FORMAT; a newer one is refused rather than misread.
 *
 * hook set / hook class lines: the netfilter hook's configuration, sent
 * as one HOOK_SET (starting from the defaults) after the rest
 * succeeded; without hook lines the hook is left alone. The whole file is
 * parsed before anything is sent.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/genl/genl.h>

#include "mqosctl.h"

#define MAX_DEVS	64

struct config {
	struct ctl_dev *dev;
	int ndev;
	struct ctl_rule *rule;
	int nrule;
	bool has_hook;		/* a hook line was given */
	struct ctl_hook hook;
	struct ctl_ports ports;	/* defaults, then the file's ports lines */
	int format;		/* 0 until a format line or a command */
	bool has_default;
	uint8_t rule_default;
	int default_line;
};

static struct ctl_dev *config_dev(struct config *cf, const char *name)
{
	struct ctl_dev *d;
	int i;

	for (i = 0; i < cf->ndev; i++)
		if (!strcmp(cf->dev[i].name, name))
			return &cf->dev[i];
	if (cf->ndev == MAX_DEVS || strlen(name) >= IFNAMSIZ) {
		ctl_err("'%s': too many devices or bad name", name);
		return NULL;
	}
	d = &cf->dev[cf->ndev++];
	memset(d, 0, sizeof(*d));
	strcpy(d->name, name);
	d->line = ctl_line;
	return d;
}

static int load_line(struct config *cf, int argc, char **argv)
{
	struct ctl_class *c;
	struct ctl_dev *d;
	uint32_t v;

	if (!strcmp(argv[0], "format")) {
		if (cf->format) {
			ctl_err("format: only once, before any command");
			return -1;
		}
		if (argc != 2 || parse_u32(argv[1], UINT32_MAX, &v) || !v) {
			ctl_err("format: needs a number (1..%d)", CTL_FORMAT);
			return -1;
		}
		if (v > CTL_FORMAT) {
			ctl_err("format %u: newer than this mqosctl reads (1..%d); use the mqosctl that wrote it",
				v, CTL_FORMAT);
			return -1;
		}
		cf->format = (int)v;
		return 0;
	}
	if (!cf->format)
		cf->format = 1;		/* no format line: the first format */
	if (argc >= 2 && !strcmp(argv[0], "rule") &&
	    !strcmp(argv[1], "default")) {
		if (cf->has_default) {
			ctl_err("rule default: given twice (also on line %d)",
				cf->default_line);
			return -1;
		}
		cf->has_default = true;
		cf->default_line = ctl_line;
		return cmd_parse_rule_default(argc - 2, argv + 2,
					      &cf->rule_default);
	}

	if (argc >= 3 && !strcmp(argv[0], "dev") && !strcmp(argv[1], "set")) {
		d = config_dev(cf, argv[2]);
		return d ? cmd_parse_dev(argc - 2, argv + 2, d) : -1;
	}
	if (argc >= 3 && !strcmp(argv[0], "class") && !strcmp(argv[1], "set")) {
		d = config_dev(cf, argv[2]);
		if (!d || cmd_parse_class(argc - 2, argv + 2, d, &c))
			return -1;
		if (!c->line)
			c->line = ctl_line;
		d->has |= HAS(TCA_MQOS_CLASSES);
		return 0;
	}
	if (argc >= 2 && !strcmp(argv[0], "rule") && !strcmp(argv[1], "add")) {
		struct ctl_rule *r = realloc(cf->rule, (cf->nrule + 1) * sizeof(*r));

		if (!r) {
			ctl_err("out of memory");
			return -1;
		}
		cf->rule = r;
		r = &cf->rule[cf->nrule];
		if (cmd_parse_rule(argc - 2, argv + 2, r))
			return -1;
		r->line = ctl_line;
		cf->nrule++;
		return 0;
	}
	if (argc >= 2 && !strcmp(argv[0], "hook") &&
	    (!strcmp(argv[1], "set") || !strcmp(argv[1], "class"))) {
		cf->has_hook = true;
		return cmd_parse_hook(argc - 1, argv + 1, &cf->hook);
	}
	if (argc >= 1 && !strcmp(argv[0], "ports"))
		return cmd_parse_ports(argc - 1, argv + 1, &cf->ports);
	ctl_err("'%s%s%s': unknown command (a file holds format, dev set, class set, rule add, rule default, ports set and hook lines)",
		argv[0], argc > 1 ? " " : "", argc > 1 ? argv[1] : "");
	return -1;
}

static int rule_cmp(const void *a, const void *b)
{
	const struct ctl_rule *x = a, *y = b;

	if (x->pref != y->pref)
		return x->pref < y->pref ? -1 : 1;
	return x->line - y->line;
}

/* Prefs as `rule add` would give them, then table order. */
static int order_rules(struct config *cf)
{
	uint32_t max = 0;
	int i;

	for (i = 0; i < cf->nrule; i++) {
		struct ctl_rule *r = &cf->rule[i];

		if (!(r->has & HAS(MQOS_RULE_A_PREF))) {
			if (i && max > UINT32_MAX - 10) {
				ctl_line = r->line;
				ctl_err("rule: no pref left after %u; give one", max);
				return -1;
			}
			r->pref = i ? max + 10 : 10;
			r->has |= HAS(MQOS_RULE_A_PREF);
		}
		if (!i || r->pref > max)
			max = r->pref;
	}
	qsort(cf->rule, cf->nrule, sizeof(*cf->rule), rule_cmp);
	for (i = 1; i < cf->nrule; i++) {
		if (cf->rule[i].pref == cf->rule[i - 1].pref) {
			ctl_line = cf->rule[i].line;
			ctl_err("pref %u: duplicate pref (also on line %d)",
				cf->rule[i].pref, cf->rule[i - 1].line);
			return -1;
		}
	}
	return 0;
}

static uint32_t offset(struct nl_msg *msg, const struct nlattr *a)
{
	return (uint32_t)((const char *)a - (const char *)nlmsg_hdr(msg));
}

/* What send_config() puts in its CONFIG_REPLACE. */
#define SEND_CHECK	1	/* MQOS_A_CHECK: the kernel judges, changes nothing */
#define SEND_DEVS	2	/* the devices */
#define SEND_RULES	4	/* rules, ports, rule default */

static int send_config(struct config *cf, unsigned int what_to_send)
{
	int nspans = 0, i, id, err = -ENOMEM;
	struct nlattr *dn, *qn, *cn, *rn;
	struct ctl_span *spans;
	char (*what)[48];
	struct nl_msg *msg;

	spans = calloc(cf->ndev * (MQOS_MAX_CLASSES + 1) + cf->nrule + 1,
		       sizeof(*spans));
	what = calloc(cf->ndev * (MQOS_MAX_CLASSES + 1) + cf->nrule + 1,
		      sizeof(*what));
	/* libnl messages do not grow: room for 4096 rules. */
	nlmsg_set_default_size(1 << 20);
	msg = ctl_msg(MQOS_CMD_CONFIG_REPLACE, 0);
	if (!msg && spans && what)
		goto out_quiet;		/* ctl_msg said why (no module...) */
	if (!spans || !what || !msg)
		goto out;
	err = -EMSGSIZE;	/* every failure from here is a full message */

	if ((what_to_send & SEND_CHECK) && nla_put_flag(msg, MQOS_A_CHECK) < 0)
		goto out;
	for (i = 0; (what_to_send & SEND_DEVS) && i < cf->ndev; i++) {
		struct ctl_dev *d = &cf->dev[i];
		struct ctl_span *ds = &spans[nspans++];

		dn = nla_nest_start(msg, MQOS_A_DEVICE | NLA_F_NESTED);
		if (!dn || nla_put_string(msg, MQOS_A_IFNAME, d->name))
			goto out;
		qn = ctl_put_dev(msg, d);
		if (!qn)
			goto out;
		if (d->has & HAS(TCA_MQOS_CLASSES)) {
			cn = nla_nest_start(msg, TCA_MQOS_CLASSES | NLA_F_NESTED);
			if (!cn)
				goto out;
			for (id = 1; id <= MQOS_MAX_CLASSES; id++) {
				struct ctl_class *c = &d->cls[id];
				struct nlattr *start = (void *)nlmsg_tail(nlmsg_hdr(msg));

				if (!c->id)
					continue;
				if (ctl_put_class(msg, TCA_MQOS_CLASSES_CLASS, c))
					goto out;
				snprintf(what[nspans], sizeof(what[0]),
					 "%s class %d", d->name, id);
				spans[nspans].what = what[nspans];
				spans[nspans].line = c->line;
				spans[nspans].start = offset(msg, start);
				spans[nspans++].end = offset(msg, start) + start->nla_len;
			}
			nla_nest_end(msg, cn);
		}
		nla_nest_end(msg, qn);
		nla_nest_end(msg, dn);
		snprintf(what[ds - spans], sizeof(what[0]), "%s", d->name);
		ds->what = what[ds - spans];
		ds->line = d->line;
		ds->start = offset(msg, dn);
		ds->end = ds->start + dn->nla_len;
	}
	if (!(what_to_send & SEND_RULES))
		goto send;
	rn = nla_nest_start(msg, MQOS_A_RULES | NLA_F_NESTED);
	if (!rn)
		goto out;
	for (i = 0; i < cf->nrule; i++) {
		struct nlattr *start = (void *)nlmsg_tail(nlmsg_hdr(msg));

		if (ctl_put_rule(msg, MQOS_A_RULE, &cf->rule[i]))
			goto out;
		snprintf(what[nspans], sizeof(what[0]), "rule %d", i + 1);
		spans[nspans].what = what[nspans];
		spans[nspans].line = cf->rule[i].line;
		spans[nspans].start = offset(msg, start);
		spans[nspans++].end = offset(msg, start) + start->nla_len;
	}
	/* No rule lines: an empty MQOS_A_RULES, which flushes. Plain
	 * nla_nest_end() would drop an empty nest (the old rules would stay).
	 */
	nla_nest_end_keep_empty(msg, rn);
	if (ctl_put_ports(msg, &cf->ports) ||
	    nla_put_u8(msg, MQOS_A_RULE_DEFAULT, cf->rule_default) < 0)
		goto out;
send:
	err = ctl_request(msg, NULL, NULL, spans, nspans);
	msg = NULL;
out:
	if (err == -EMSGSIZE)
		ctl_err("configuration too large for one message");
	else if (err == -ENOMEM && msg)
		ctl_err("out of memory");
out_quiet:
	nlmsg_free(msg);
	free(spans);
	free(what);
	return err;
}

/*
 * The kernel judges the whole file first (CONFIG_REPLACE with CHECK: each
 * device's classes as its qdisc would parse them, the rule table as it
 * would be compiled), so that an error changes nothing. Then each device
 * is changed with one RTM_NEWQDISC, which rtnetlink notifies as it does
 * `tc qdisc change`, and last the namespace's rules, ports and rule
 * default. After the check only a lack of memory or a change made by
 * someone else in between can fail a step; what came before it stays.
 * *@applied tells whether anything changed.
 */
static int apply_config(struct config *cf, bool *applied)
{
	int i, err;

	*applied = false;
	err = send_config(cf, SEND_CHECK | SEND_DEVS | SEND_RULES);
	for (i = 0; !err && i < cf->ndev; i++) {
		ctl_line = cf->dev[i].line;
		err = ctl_rtnl_dev_replace(&cf->dev[i]);
		*applied |= !err;
	}
	ctl_line = 0;
	if (!err)
		err = send_config(cf, SEND_RULES);
	*applied |= !err;
	if (err && *applied)
		ctl_err("the devices before the failing step were changed");
	return err;
}

/* load --check: what can be judged without the kernel; devices exist. */
static int check_config(const struct config *cf)
{
	int i;

	for (i = 0; i < cf->ndev; i++) {
		if (!if_nametoindex(cf->dev[i].name)) {
			ctl_line = cf->dev[i].line;
			ctl_err("'%s': no such device", cf->dev[i].name);
			return -1;
		}
	}
	return 0;
}

int cmd_load(const char *path, bool check, unsigned int confirm)
{
	/* The caller's place (a -b line), for messages after the load. */
	const char *outer_file = ctl_file;
	int outer_line = ctl_line;
	char *argv[CTL_MAX_WORDS];
	struct ctl_lines cl;
	int argc, err = 0;
	bool applied = false;
	struct config cf;

	memset(&cf, 0, sizeof(cf));
	if (ctl_lines_open(&cl, path))
		return EXIT_RUNTIME;
	ctl_hook_init(&cf.hook);
	ctl_ports_init(&cf.ports);
	cf.ports.has = HAS(MQOS_PORTS_A_MQTT) | HAS(MQOS_PORTS_A_MQTTSN);
	cf.dev = calloc(MAX_DEVS, sizeof(*cf.dev));
	if (!cf.dev) {
		err = EXIT_RUNTIME;
		goto out;
	}
	while ((argc = ctl_lines_next(&cl, argv)) != -2) {
		if (argc < 0 || (argc && load_line(&cf, argc, argv))) {
			err = EXIT_USAGE;
			goto out;
		}
	}
	ctl_file = cl.name;
	ctl_line = 0;	/* what follows concerns the whole file */
	if (order_rules(&cf)) {
		err = EXIT_USAGE;
		goto out;
	}
	if (!cf.has_default)
		cf.rule_default = cf.format < 2 && cf.nrule ?
				  MQOS_RULE_DEFAULT_DEVICE : MQOS_RULE_DEFAULT_MAP;
	if (check) {
		err = check_config(&cf) ? EXIT_USAGE : EXIT_OK;
		goto out;
	}
	if (confirm) {
		err = ctl_confirm_prepare();
		if (err)
			goto out;
	}
	/* A kernel error is a runtime error, whatever the line. */
	err = apply_config(&cf, &applied) ? EXIT_RUNTIME : EXIT_OK;
	/*
	 * The hook is the namespace's, in a request of its own right after:
	 * with hook lines, it becomes exactly what they say (RESET first).
	 */
	if (!err && cf.has_hook && ctl_hook_set(&cf.hook, true, false))
		err = EXIT_RUNTIME;
	/* Something changed (even if the hook then failed): the timer runs. */
	if (confirm && applied) {
		if (ctl_confirm_arm(confirm))
			err = EXIT_RUNTIME;
	} else if (confirm) {
		ctl_confirm_cancel();
	}
out:
	ctl_file = outer_file;
	ctl_line = outer_line;
	ctl_lines_close(&cl);
	free(cf.dev);
	free(cf.rule);
	return err;
}
