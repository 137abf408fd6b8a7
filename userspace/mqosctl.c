// SPDX-License-Identifier: GPL-2.0
/*
 * mqosctl - configure and watch the mqos qdisc (see mqosctl(8)).
 *
 * Exit codes: 0 success, 1 runtime or kernel error, 2 usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netlink/netlink.h>
#include <netlink/genl/genl.h>
#include <json-c/json.h>

#include "mqosctl.h"

/* Help, by object: `mqosctl help` prints them all, `mqosctl OBJECT help` one. */
static const struct {
	const char *obj, *text;
} helps[] = {
	{ "dev",
"  mqosctl dev set    DEV [rate R] [overhead BYTES] [default CLASS]\n"
"                     [isolation flows|dual-srchost|dual-dsthost|triple]\n"
"                     [memlimit SIZE|default] [ingress on|off]\n"
"  mqosctl dev show   [DEV] [-j] [-p]\n" },
	{ "ingress",
"  mqosctl ingress add DEV rate R [ifb NAME]\n"
"  mqosctl ingress del DEV [ifb NAME]\n"
"  mqosctl ingress flush\n" },
	{ "class",
"  mqosctl class set  DEV CLASS [name N] [prio P] [rate R|P%|none]\n"
"                     [ceil C|P%|none] [quantum Q] [limit PKTS]\n"
"                     [limit-bytes SIZE] [flows N]\n"
"                     [police rate R burst B [demote CLASS] | police off]\n"
"                     [target TIME] [interval TIME] [aqm decay|codel]\n"
"                     [ecn on|off] [dscp D|keep]\n"
"  mqosctl class del  DEV CLASS\n"
"  mqosctl class show [DEV] [-j] [-p]\n" },
	{ "rule",
"  mqosctl rule add   [pref N] [match SELECTOR...] class CLASS\n"
"  mqosctl rule del   pref N\n"
"  mqosctl rule flush\n"
"  mqosctl rule default map|device|class CLASS\n"
"  mqosctl rule show  [-j] [-p]\n"
"  SELECTOR := all | dscp LIST | mqtt-qos LIST | mqtt-kind LIST |\n"
"              mqtt-topic PREFIX | mqttsn-qos LIST | proto tcp|udp|N |\n"
"              sport N[-M] | dport N[-M] | src PREFIX | dst PREFIX |\n"
"              iif DEV | oif DEV\n"
"  A packet no rule matches: the default map (map), the qdisc's default\n"
"  class (device) or CLASS.\n" },
	{ "load",
"  mqosctl load       [--check] [--confirm SECONDS] FILE|-\n"
"  mqosctl confirm    keep what load --confirm applied\n"
"  mqosctl save       the running configuration, as load reads it\n" },
	{ "stats",
"  mqosctl stats      [DEV] [-j] [-p] [--watch S] [--reset]\n"
"  mqosctl stats      [DEV] --prometheus [-o FILE [--watch S]]\n" },
	{ "hook",
"  mqosctl hook set   [on|off] [mode sticky|packet] [mask MASK] [decay TIME|off]\n"
"  mqosctl hook class CLASS [remark DSCP|keep] [police RATE BURST|off]\n"
"  mqosctl hook show  [-j] [-p]\n" },
	{ "ports",
"  mqosctl ports set  [mqtt PORTS|none] [mqttsn PORTS|none]\n"
"  mqosctl ports show [-j] [-p]\n" },
};

static const char options_text[] =
"  mqosctl -b FILE|- [-f]   run FILE's lines as commands, in order\n"
"\n"
"Options:\n"
"  -j, --json       JSON output (show and stats)\n"
"  -p, --pretty     indented JSON (implies -j)\n"
"  -b, --batch FILE one command per line (not atomic: see load)\n"
"  -f, --force      with -b: run every line, exit with the worst status\n"
"  -h, --help       show this help\n"
"  -V, --version    show the version\n"
"Keywords may be shortened to a unique prefix (cl sh = class show).\n"
"More: mqosctl(8).\n";

/* -j before the object applies to the show command after it. */
static bool opt_json;

static void usage(FILE *f, const char *obj)
{
	size_t i;

	if (!obj)
		fputs("Usage: mqosctl [OPTIONS] OBJECT COMMAND [ARGS]\n\n", f);
	for (i = 0; i < sizeof(helps) / sizeof(helps[0]); i++)
		if (!obj || !strcmp(obj, helps[i].obj))
			fputs(helps[i].text, f);
	if (!obj)
		fputs(options_text, f);
}

static bool is_help(const char *w)
{
	return !strcmp(w, "help") || !strcmp(w, "-h") || !strcmp(w, "--help");
}

/* Per-command options (-j, --watch S, --reset) anywhere after the command. */
struct opts {
	bool json, reset, prom;
	const char *out;
	unsigned int watch;
	int argc;
	char *argv[64];
};

static int take_opts(int argc, char **argv, struct opts *o, bool stats)
{
	uint32_t v;
	int i;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json")) {
			o->json = true;
		} else if (!strcmp(argv[i], "-p") || !strcmp(argv[i], "--pretty")) {
			o->json = true;
			ctl_json_flags = JSON_C_TO_STRING_PRETTY |
					 JSON_C_TO_STRING_SPACED;
		} else if (stats && !strcmp(argv[i], "--reset")) {
			o->reset = true;
		} else if (stats && !strcmp(argv[i], "--prometheus")) {
			o->prom = true;
		} else if (stats && (!strcmp(argv[i], "-o") ||
				     !strcmp(argv[i], "--output"))) {
			if (i + 1 == argc || !argv[i + 1][0]) {
				ctl_err("%s: needs FILE", argv[i]);
				return -1;
			}
			o->out = argv[++i];
		} else if (stats && !strcmp(argv[i], "--watch")) {
			if (i + 1 == argc || parse_u32(argv[i + 1], 86400, &v) || !v) {
				ctl_err("--watch: needs SECONDS (1..86400)");
				return -1;
			}
			o->watch = v;
			i++;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			ctl_err("'%s': unknown option", argv[i]);
			return -1;
		} else if (o->argc < 64) {
			o->argv[o->argc++] = argv[i];
		} else {
			ctl_err("'%s': too many arguments", argv[i]);
			return -1;
		}
	}
	return 0;
}

/* OBJECT show [ARG...] [-j]: the options, then at most @max arguments. */
static int take_show_opts(int argc, char **argv, struct opts *o, int max)
{
	if (take_opts(argc, argv, o, false))
		return -1;
	if (o->argc > max) {
		ctl_err("'%s': unexpected argument", o->argv[max]);
		return -1;
	}
	return 0;
}

static int nl_exit(int err)
{
	return err ? EXIT_RUNTIME : EXIT_OK;
}

/* The command word of OBJECT (a unique prefix of one of @cmds), or -1. */
static int take_cmd(const char *obj, int argc, char **argv,
		    const char *const *cmds)
{
	if (!argc) {
		ctl_err("%s: needs a command", obj);
		return -1;
	}
	return ctl_kw_err(argv[0], cmds, "command");
}

/*
 * class set/del DEV CLASS: CLASS is an id or one of DEV's class names
 * (looked up live); a name is rewritten in place as its id. 0, or the
 * exit status.
 */
static int class_word(char **argv, char *buf, size_t len)
{
	uint8_t id;
	int err;

	if (!argv[1] || !argv[2] || (argv[2][0] >= '0' && argv[2][0] <= '9'))
		return 0;
	err = ctl_class_by_name(argv[1], argv[2], &id);
	if (err == -ENOENT) {
		ctl_err("'%s': %s has no class of that name (a class is 1..%d or its name)",
			argv[2], argv[1], MQOS_MAX_CLASSES);
		return EXIT_USAGE;
	}
	if (err)
		return nl_exit(err);
	snprintf(buf, len, "%u", id);
	argv[2] = buf;
	return 0;
}

static int run_class(int argc, char **argv)
{
	static const char *const cmds[] = { "set", "del", "show", NULL };
	struct ctl_dev *dev;
	struct ctl_class *c;
	struct opts o = { .json = opt_json };
	uint8_t id;
	int cmd = take_cmd("class", argc, argv, cmds);
	char idbuf[4];
	int err;

	if (cmd < 0)
		return EXIT_USAGE;
	if (cmd == 2) {
		if (take_show_opts(argc - 1, argv + 1, &o, 1))
			return EXIT_USAGE;
		ctl_hint = NULL;
		return nl_exit(cmd_class_show(o.argc ? o.argv[0] : NULL, o.json));
	}
	if (cmd != 2 && argc >= 3) {
		err = class_word(argv, idbuf, sizeof(idbuf));
		if (err)
			return err;
	}
	if (cmd == 1) {
		if (argc != 3) {
			ctl_err(argc > 3 ? "class del: '%s': unexpected argument" :
				"class del: needs DEV CLASS%s",
				argc > 3 ? argv[3] : "");
			return EXIT_USAGE;
		}
		if (parse_class_id(argv[2], &id))
			return EXIT_USAGE;
		ctl_hint = NULL;
		return nl_exit(ctl_rtnl_class_del(argv[1], id));
	}
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return EXIT_RUNTIME;
	if (cmd_parse_class(argc - 1, argv + 1, dev, &c)) {
		free(dev);
		return EXIT_USAGE;
	}
	ctl_hint = NULL;
	err = ctl_rtnl_class_set(dev->name, c);
	free(dev);
	return nl_exit(err);
}

static int run_dev(int argc, char **argv)
{
	static const char *const cmds[] = { "set", "show", NULL };
	int err;
	struct ctl_dev *d;
	struct opts o = { .json = opt_json };
	int cmd = take_cmd("dev", argc, argv, cmds);

	if (cmd < 0)
		return EXIT_USAGE;
	if (cmd == 1) {
		if (take_show_opts(argc - 1, argv + 1, &o, 1))
			return EXIT_USAGE;
		ctl_hint = NULL;
		return nl_exit(cmd_dev_show(o.argc ? o.argv[0] : NULL, o.json));
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return EXIT_RUNTIME;
	if (cmd_parse_dev(argc - 1, argv + 1, d)) {
		free(d);
		return EXIT_USAGE;
	}
	ctl_hint = NULL;
	err = ctl_rtnl_dev_set(d);
	free(d);
	return nl_exit(err);
}

static int run_rule(int argc, char **argv)
{
	static const char *const cmds[] = {
		"add", "del", "flush", "show", "default", NULL
	};
	struct nl_msg *msg;
	struct ctl_rule r;
	struct opts o = { .json = opt_json };
	uint32_t pref;
	uint8_t def;
	int cmd = take_cmd("rule", argc, argv, cmds);

	if (cmd < 0)
		return EXIT_USAGE;
	if (cmd == 3) {
		if (take_show_opts(argc - 1, argv + 1, &o, 0))
			return EXIT_USAGE;
		ctl_hint = NULL;
		return nl_exit(cmd_rule_show(o.json));
	}
	if (cmd == 2) {
		if (argc != 1) {
			ctl_err("'%s': unexpected argument", argv[1]);
			return EXIT_USAGE;
		}
		ctl_hint = NULL;
		return nl_exit(ctl_request(ctl_msg(MQOS_CMD_RULE_FLUSH, 0),
					   NULL, NULL, NULL, 0));
	}
	if (cmd == 4) {
		if (cmd_parse_rule_default(argc - 1, argv + 1, &def))
			return EXIT_USAGE;
		ctl_hint = NULL;
		msg = ctl_msg(MQOS_CMD_RULE_ADD, 0);
		if (msg && nla_put_u8(msg, MQOS_A_RULE_DEFAULT, def) < 0) {
			nlmsg_free(msg);
			return EXIT_RUNTIME;
		}
		return nl_exit(ctl_request(msg, NULL, NULL, NULL, 0));
	}
	if (cmd == 1) {
		if (argc < 3 || ctl_kw(argv[1], (const char *const[]){ "pref", NULL }) ||
		    argc > 3) {
			if (argc > 3)
				ctl_err("'%s': unexpected argument", argv[3]);
			else
				ctl_err("rule del: needs 'pref N'");
			return EXIT_USAGE;
		}
		if (parse_u32(argv[2], UINT32_MAX, &pref)) {
			ctl_err("pref: '%s' is not a number", argv[2]);
			return EXIT_USAGE;
		}
		ctl_hint = NULL;
		msg = ctl_msg(MQOS_CMD_RULE_DEL, 0);
		if (msg && nla_put_u32(msg, MQOS_A_PREF, pref) < 0) {
			nlmsg_free(msg);
			return EXIT_RUNTIME;
		}
		return nl_exit(ctl_request(msg, NULL, NULL, NULL, 0));
	}
	if (cmd_parse_rule(argc - 1, argv + 1, &r))
		return EXIT_USAGE;
	ctl_hint = NULL;
	msg = ctl_msg(MQOS_CMD_RULE_ADD, 0);
	if (msg && ctl_put_rule(msg, MQOS_A_RULE, &r) < 0) {
		nlmsg_free(msg);
		return EXIT_RUNTIME;
	}
	return nl_exit(ctl_request(msg, NULL, NULL, NULL, 0));
}

static int run_hook(int argc, char **argv)
{
	static const char *const cmds[] = { "set", "class", "show", NULL };
	struct opts o = { .json = opt_json };
	struct ctl_hook h;
	int cmd = take_cmd("hook", argc, argv, cmds);

	if (cmd < 0)
		return EXIT_USAGE;
	if (cmd == 2) {
		if (take_show_opts(argc - 1, argv + 1, &o, 0))
			return EXIT_USAGE;
		ctl_hint = NULL;
		return nl_exit(cmd_hook_show(o.json));
	}
	argv[0] = (char *)cmds[cmd];
	ctl_hook_init(&h);
	if (cmd_parse_hook(argc, argv, &h))
		return EXIT_USAGE;
	ctl_hint = NULL;
	return nl_exit(ctl_hook_set(&h, false, false));
}

static int run_ports(int argc, char **argv)
{
	static const char *const cmds[] = { "set", "show", NULL };
	struct opts o = { .json = opt_json };
	struct ctl_ports p;
	int cmd = take_cmd("ports", argc, argv, cmds);

	if (cmd < 0)
		return EXIT_USAGE;
	if (cmd == 1) {
		if (take_show_opts(argc - 1, argv + 1, &o, 0))
			return EXIT_USAGE;
		ctl_hint = NULL;
		return nl_exit(cmd_ports_show(o.json));
	}
	argv[0] = (char *)cmds[cmd];
	memset(&p, 0, sizeof(p));
	if (cmd_parse_ports(argc, argv, &p))
		return EXIT_USAGE;
	ctl_hint = NULL;
	return nl_exit(ctl_ports_set(&p));
}

/* load [--check] [--confirm SECONDS] FILE|- */
static int run_load(int argc, char **argv)
{
	const char *path = NULL;
	unsigned int confirm = 0;
	bool check = false;
	uint32_t v;
	int i;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--check") || !strcmp(argv[i], "-c")) {
			check = true;
		} else if (!strcmp(argv[i], "--confirm")) {
			if (i + 1 == argc ||
			    parse_seconds(argv[i + 1], 86400, &v) || !v) {
				ctl_err("--confirm: needs SECONDS (1..86400, e.g. 60 or 5m)");
				return EXIT_USAGE;
			}
			confirm = v;
			i++;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			ctl_err("'%s': unknown option", argv[i]);
			return EXIT_USAGE;
		} else if (path) {
			ctl_err("'%s': unexpected argument", argv[i]);
			return EXIT_USAGE;
		} else {
			path = argv[i];
		}
	}
	if (!path) {
		ctl_err("load: needs FILE or -");
		return EXIT_USAGE;
	}
	if (check && confirm) {
		ctl_err("--check: not with --confirm (it changes nothing)");
		return EXIT_USAGE;
	}
	if (confirm && ctl_batch_path) {
		ctl_err("--confirm: not in a batch");
		return EXIT_USAGE;
	}
	if (ctl_batch_path && !strcmp(ctl_batch_path, "-") &&
	    !strcmp(path, "-")) {
		ctl_err("load -: stdin is the batch; name a FILE");
		return EXIT_USAGE;
	}
	ctl_hint = NULL;
	return cmd_load(path, check, confirm);
}

static int run_stats(int argc, char **argv)
{
	struct opts o = { .json = opt_json };

	if (take_opts(argc, argv, &o, true))
		return EXIT_USAGE;
	if (o.argc > 1) {
		ctl_err("'%s': unexpected argument", o.argv[1]);
		return EXIT_USAGE;
	}
	if (o.prom && (o.json || o.reset)) {
		ctl_err("--prometheus: not with %s", o.json ? "-j" : "--reset");
		return EXIT_USAGE;
	}
	if (o.out && !o.prom) {
		ctl_err("-o: only with --prometheus");
		return EXIT_USAGE;
	}
	if (o.watch && ctl_batch_path) {
		ctl_err("--watch: not in a batch (it never ends)");
		return EXIT_USAGE;
	}
	if (o.watch && o.reset) {
		ctl_err("--watch: not with --reset");
		return EXIT_USAGE;
	}
	if (o.prom && o.watch && !o.out) {
		ctl_err("--prometheus --watch: needs -o FILE");
		return EXIT_USAGE;
	}
	ctl_hint = NULL;
	if (o.prom)
		return nl_exit(cmd_stats_prom(o.argc ? o.argv[0] : NULL,
					      o.out, o.watch));
	return nl_exit(cmd_stats(o.argc ? o.argv[0] : NULL, o.json,
				 o.watch, o.reset));
}

static int run_save(int argc, char **argv)
{
	if (argc) {
		ctl_err("'%s': unexpected argument", argv[0]);
		return EXIT_USAGE;
	}
	ctl_hint = NULL;
	return nl_exit(cmd_save(stdout));
}

static int run_confirm(int argc, char **argv)
{
	if (argc) {
		ctl_err("'%s': unexpected argument", argv[0]);
		return EXIT_USAGE;
	}
	if (ctl_batch_path) {
		ctl_err("confirm: not in a batch");
		return EXIT_USAGE;
	}
	ctl_hint = NULL;
	return cmd_confirm();
}

/*
 * ingress add DEV rate R [ifb NAME] | ingress del DEV [ifb NAME] |
 * ingress flush: the downlink of DEV through an ifb with mqos in ingress
 * mode (ingress.c); flush removes every set-up (systemctl stop mqos).
 */
static int run_ingress(int argc, char **argv)
{
	static const char *const cmds[] = { "add", "del", "flush", NULL };
	struct ctl_ingress in;
	int cmd = take_cmd("ingress", argc, argv, cmds);

	if (cmd < 0)
		return EXIT_USAGE;
	if (cmd == 2) {
		if (argc > 1) {
			ctl_err("'%s': unexpected argument", argv[1]);
			return EXIT_USAGE;
		}
		ctl_hint = NULL;
		return nl_exit(ctl_rtnl_ingress_flush());
	}
	if (cmd_parse_ingress(argc - 1, argv + 1, cmd == 0, &in))
		return EXIT_USAGE;
	ctl_hint = NULL;
	if (cmd == 0)
		return nl_exit(ctl_rtnl_ingress_add(in.dev, in.ifb, in.rate));
	return nl_exit(ctl_rtnl_ingress_del(in.dev, in.ifb));
}

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;	/* the section of the help */
} objects[] = {
	{ "dev", run_dev, "dev" },
	{ "class", run_class, "class" },
	{ "rule", run_rule, "rule" },
	{ "load", run_load, "load" },
	{ "save", run_save, "load" },
	{ "confirm", run_confirm, "load" },
	{ "stats", run_stats, "stats" },
	{ "hook", run_hook, "hook" },
	{ "ports", run_ports, "ports" },
	{ "ingress", run_ingress, "ingress" },
	{ "help", NULL, NULL },
};

int ctl_run(int argc, char **argv)
{
	const char *names[sizeof(objects) / sizeof(objects[0]) + 1];
	size_t i, n = sizeof(objects) / sizeof(objects[0]);
	int k, ret;

	for (i = 0; i < n; i++)
		names[i] = objects[i].name;
	names[n] = NULL;
	ctl_hint = "";
	k = ctl_kw_err(argv[0], names, "object");
	if (k < 0) {
		ctl_hint = NULL;
		return EXIT_USAGE;
	}
	if (!objects[k].run) {		/* help [OBJECT] */
		int o = argc > 1 ? ctl_kw_err(argv[1], names, "object") : -1;

		if (argc > 2 || (argc > 1 && o < 0)) {
			if (argc > 2)
				ctl_err("'%s': unexpected argument", argv[2]);
			ctl_hint = NULL;
			return EXIT_USAGE;
		}
		ctl_hint = NULL;
		usage(stdout, o >= 0 ? objects[o].help : NULL);
		return EXIT_OK;
	}
	/* OBJECT help, OBJECT COMMAND help */
	if ((argc > 1 && is_help(argv[1])) || (argc > 2 && is_help(argv[2]))) {
		ctl_hint = NULL;
		usage(stdout, objects[k].help);
		return EXIT_OK;
	}
	ctl_hint = objects[k].help;
	ret = objects[k].run(argc - 1, argv + 1);
	ctl_hint = NULL;
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "batch", required_argument, NULL, 'b' },
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const char *batch = NULL;
	bool json = false, force = false;
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+hVjpb:f", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout, NULL);
			return EXIT_OK;
		case 'V':
			printf("mqosctl %s\n", MQOS_VERSION_STR);
			return EXIT_OK;
		case 'p':
			ctl_json_flags = JSON_C_TO_STRING_PRETTY |
					 JSON_C_TO_STRING_SPACED;
			/* fall through */
		case 'j':
			json = true;
			break;
		case 'b':
			batch = optarg;
			break;
		case 'f':
			force = true;
			break;
		default:
			if (optopt == 'b')
				ctl_err("-b: needs FILE; see 'mqosctl help'");
			else
				ctl_err("'%s': unknown option; see 'mqosctl help'",
					argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (batch && optind < argc) {
		ctl_err("'%s': -b takes its commands from FILE, not the command line",
			argv[optind]);
		return EXIT_USAGE;
	}
	if (force && !batch) {
		ctl_err("-f: only with -b FILE");
		return EXIT_USAGE;
	}
	if (!batch && optind == argc) {
		ctl_err("no command; see 'mqosctl help'");
		return EXIT_USAGE;
	}
	opt_json = json;
	/* The netlink socket is opened by the first request (nl.c). */
	if (batch)
		ret = cmd_batch(batch, force);
	else
		ret = ctl_run(argc - optind, argv + optind);
	ctl_nl_close();
	return ret;
}
