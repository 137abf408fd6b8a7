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
 *
 * ingress add DEV rate R [ifb NAME] lines: the downlink set-ups (see
 * plan_ingress() and apply_config()). Like the rules, the
 * file states all of them: a set-up in place that no line states is
 * removed, one stated and in place is kept (its ifb is not remade), one
 * stated and missing is made. A line also stands for `dev set IFB rate R
 * ingress on`, so the ifb's qdisc and classes are configured like any
 * device's, by this line and the file's dev set / class set lines for IFB.
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
	struct ctl_ingress *ingress;	/* the ingress add lines */
	bool *ingress_new;		/* by line: the set-up is to be made */
	int ningress;
	struct ctl_ingress *stale;	/* set-ups in place no line states */
	int nstale;
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

/*
 * ingress add DEV rate R [ifb NAME]: the set-up, and `dev set IFB rate R
 * ingress on` for its ifb. A device has one set-up; an ifb serves one.
 */
static int load_ingress(struct config *cf, int argc, char **argv)
{
	struct ctl_ingress *in, *o;
	struct ctl_dev *d;
	int i;

	in = realloc(cf->ingress, (cf->ningress + 1) * sizeof(*in));
	if (!in) {
		ctl_err("out of memory");
		return -1;
	}
	cf->ingress = in;
	in += cf->ningress;
	if (cmd_parse_ingress(argc, argv, true, in))
		return -1;
	for (i = 0; i < cf->ningress; i++) {
		o = &cf->ingress[i];
		if (!strcmp(o->dev, in->dev) || !strcmp(o->ifb, in->ifb) ||
		    !strcmp(o->ifb, in->dev) || !strcmp(o->dev, in->ifb)) {
			ctl_err("ingress add %s: %s is in another set-up too (line %d: %s -> %s)",
				in->dev, !strcmp(o->dev, in->dev) ||
				!strcmp(o->ifb, in->dev) ? in->dev : in->ifb,
				o->line, o->dev, o->ifb);
			return -1;
		}
	}
	in->line = ctl_line;
	d = config_dev(cf, in->ifb);
	if (!d)
		return -1;
	d->rate = in->rate;
	d->ingress = 1;
	d->has |= HAS(TCA_MQOS_RATE) | HAS(TCA_MQOS_INGRESS);
	cf->ningress++;
	return 0;
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
	if (argc >= 2 && !strcmp(argv[0], "ingress") && !strcmp(argv[1], "add"))
		return load_ingress(cf, argc - 2, argv + 2);
	ctl_err("'%s%s%s': unknown command (a file holds format, dev set, class set, rule add, rule default, ports set, hook and ingress add lines)",
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
#define SEND_NEW_IFBS	8	/* only the ifbs made by this load (SEND_DEVS: not them) */

/* The index of the ingress line whose ifb @name is, if load makes it; -1. */
static int new_ifb(const struct config *cf, const char *name)
{
	int i;

	for (i = 0; i < cf->ningress; i++)
		if (cf->ingress_new[i] && !strcmp(cf->ingress[i].ifb, name))
			return i;
	return -1;
}

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
	for (i = 0; (what_to_send & (SEND_DEVS | SEND_NEW_IFBS)) && i < cf->ndev;
	     i++) {
		struct ctl_dev *d = &cf->dev[i];
		struct ctl_span *ds;

		if ((new_ifb(cf, d->name) >= 0) != !!(what_to_send & SEND_NEW_IFBS))
			continue;
		ds = &spans[nspans++];

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
 * Which ingress set-ups this load makes, keeps and removes; reads only
 * (load --check runs it too). A set-up in place for DEV with the stated
 * ifb is kept; one with another ifb, or that no line states, is removed
 * (cf->stale). A stated set-up to be made needs DEV, no device named as
 * its ifb and no ingress qdisc on DEV (other than a set-up removed
 * first). No device line may name the ifb of a removed set-up.
 */
static int plan_ingress(struct config *cf)
{
	struct ctl_ingress *cur, *in;
	int ncur, i, j, err;

	cf->ingress_new = calloc(cf->ningress + 1, sizeof(*cf->ingress_new));
	if (!cf->ingress_new) {
		ctl_err("out of memory");
		return -1;
	}
	if (ctl_rtnl_ingress_list(&cur, &ncur))
		return -1;
	cf->stale = cur;
	err = 0;
	for (i = 0; !err && i < cf->ningress; i++) {
		in = &cf->ingress[i];
		ctl_line = in->line;
		for (j = 0; j < ncur && strcmp(cur[j].dev, in->dev); j++)
			;
		if (j < ncur && !strcmp(cur[j].ifb, in->ifb)) {
			cur[j].line = -1;	/* kept */
			continue;
		}
		cf->ingress_new[i] = true;
		if (!if_nametoindex(in->dev)) {
			ctl_err("'%s': no such device", in->dev);
			err = -1;
		} else if (if_nametoindex(in->ifb)) {
			ctl_err("'%s': exists already and is not %s's ifb (ingress add makes its own ifb)",
				in->ifb, in->dev);
			err = -1;
		} else if (j == ncur && ctl_rtnl_has_ingress_qdisc(in->dev)) {
			ctl_err("'%s': has an ingress qdisc that is not an mqos ingress set-up; remove it first (tc qdisc del dev %s ingress)",
				in->dev, in->dev);
			err = -1;
		}
	}
	/* What stays in cf->stale: the set-ups to remove. */
	for (i = j = 0; i < ncur; i++)
		if (cur[i].line != -1)
			cur[j++] = cur[i];
	cf->nstale = j;
	for (i = 0; !err && i < cf->ndev; i++) {
		for (j = 0; j < cf->nstale; j++) {
			if (strcmp(cf->dev[i].name, cf->stale[j].ifb))
				continue;
			ctl_line = cf->dev[i].line;
			ctl_err("'%s': the ifb of %s's ingress set-up, which this file removes (no 'ingress add %s ... ifb %s' line)",
				cf->stale[j].ifb, cf->stale[j].dev,
				cf->stale[j].dev, cf->stale[j].ifb);
			err = -1;
			break;
		}
	}
	ctl_line = 0;
	return err;
}

/* The ifbs this load made, removed again after a failure. */
static void unmake_ifbs(const struct config *cf, int upto)
{
	int i;

	for (i = 0; i < upto; i++)
		if (cf->ingress_new[i])
			ctl_rtnl_ifb_del(cf->ingress[i].ifb, true);
}

/*
 * The kernel judges the whole file first (CONFIG_REPLACE with CHECK: each
 * device's classes as its qdisc would parse them, the rule table as it
 * would be compiled), so that an error changes nothing. The ifbs of new
 * ingress set-ups are then made (up, mqos at its defaults, no traffic
 * yet) and their configuration checked the same way; if that fails they
 * are removed and nothing else changed. Then the set-ups the file drops
 * are removed, each device is changed with one RTM_NEWQDISC, which
 * rtnetlink notifies as it does `tc qdisc change`, the new set-ups'
 * redirects are made (traffic enters the ifbs only once they are
 * configured), and last the namespace's rules, ports and rule default.
 * After the checks only a lack of memory or a change made by someone else
 * in between can fail a step; what came before it stays. *@applied tells
 * whether anything changed.
 */
static int apply_config(struct config *cf, bool *applied)
{
	int i, made = 0, nnew = 0, err;

	*applied = false;
	err = send_config(cf, SEND_CHECK | SEND_DEVS | SEND_RULES);
	for (i = 0; !err && i < cf->ningress; i++) {
		ctl_line = cf->ingress[i].line;
		if (cf->ingress_new[i]) {
			err = ctl_rtnl_ingress_make_ifb(cf->ingress[i].ifb);
			nnew += !err;
		}
		made = err ? i : i + 1;	/* a failed make left nothing */
	}
	ctl_line = 0;
	if (!err && nnew)
		err = send_config(cf, SEND_CHECK | SEND_NEW_IFBS);
	if (err) {
		unmake_ifbs(cf, made);
		return err;
	}
	for (i = 0; !err && i < cf->nstale; i++) {
		err = ctl_rtnl_ingress_del(cf->stale[i].dev, cf->stale[i].ifb);
		*applied |= !err;
	}
	for (i = 0; !err && i < cf->ndev; i++) {
		ctl_line = cf->dev[i].line;
		err = ctl_rtnl_dev_replace(&cf->dev[i]);
		*applied |= !err;
	}
	for (i = 0; !err && i < cf->ningress; i++) {
		ctl_line = cf->ingress[i].line;
		if (cf->ingress_new[i])
			err = ctl_rtnl_ingress_redirect(cf->ingress[i].dev,
							cf->ingress[i].ifb);
		*applied |= !err;
	}
	ctl_line = 0;
	if (err) {
		/* The ifbs without their redirect: nothing reaches them. */
		for (; i < cf->ningress; i++)
			if (cf->ingress_new[i])
				ctl_rtnl_ifb_del(cf->ingress[i].ifb, true);
	}
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
		if (new_ifb(cf, cf->dev[i].name) < 0 &&
		    !if_nametoindex(cf->dev[i].name)) {
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
	if (plan_ingress(&cf)) {
		err = EXIT_USAGE;
		goto out;
	}
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
	free(cf.ingress);
	free(cf.ingress_new);
	free(cf.stale);
	return err;
}
