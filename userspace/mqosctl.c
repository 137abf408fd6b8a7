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

#include "mqosctl.h"

static const char usage_text[] =
"Usage: mqosctl [OPTIONS] OBJECT COMMAND [ARGS]\n"
"\n"
"  mqosctl dev set    DEV [rate R] [overhead BYTES] [default CLASS]\n"
"  mqosctl dev show   [DEV] [-j]\n"
"  mqosctl class set  DEV CLASS [name N] [prio P] [rate R|P%|none]\n"
"                     [ceil C|P%|none] [quantum Q] [limit PKTS]\n"
"                     [limit-bytes SIZE] [police RATE BURST [demote CLASS]|off]\n"
"                     [target TIME] [interval TIME] [ecn on|off] [dscp D|keep]\n"
"  mqosctl class del  DEV CLASS\n"
"  mqosctl class show [DEV] [-j]\n"
"  mqosctl rule add   [pref N] match SELECTOR... class CLASS\n"
"  mqosctl rule del   pref N\n"
"  mqosctl rule flush\n"
"  mqosctl rule show  [-j]\n"
"  mqosctl load       FILE|-\n"
"  mqosctl save\n"
"  mqosctl stats      [DEV] [-j] [--watch S] [--reset]\n"
"  mqosctl stats      [DEV] --prometheus [-o FILE [--watch S]]\n"
"  mqosctl hook set   [on|off] [mode sticky|packet] [mask MASK]\n"
"  mqosctl hook class CLASS [remark DSCP|keep] [police RATE BURST|off]\n"
"  mqosctl hook show  [-j]\n"
"  mqosctl ports set  [mqtt PORTS|none] [mqttsn PORTS|none]\n"
"  mqosctl ports show [-j]\n"
"  mqosctl -b FILE|- [-f]   run FILE's lines as commands, in order\n"
"\n"
"SELECTOR := all | dscp LIST | mqtt-qos LIST | mqtt-kind LIST |\n"
"            mqtt-topic PREFIX | mqttsn-qos LIST | proto tcp|udp|N |\n"
"            sport N[-M] | dport N[-M] | src PREFIX | dst PREFIX |\n"
"            iif DEV | oif DEV\n"
"\n"
"Options:\n"
"  -j, --json       JSON output (show and stats)\n"
"  -b, --batch FILE one command per line (not atomic: see load)\n"
"  -f, --force      with -b: run every line, exit with the worst status\n"
"  -h, --help       show this help\n"
"  -V, --version    show the version\n";

/* -j before the object applies to the show command after it. */
static bool opt_json;

static void usage(FILE *f)
{
	fputs(usage_text, f);
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
		} else if (argv[i][0] == '-' && argv[i][1] == '-') {
			ctl_err("'%s': unknown option", argv[i]);
			return -1;
		} else if (o->argc < 64) {
			o->argv[o->argc++] = argv[i];
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

static int run_class(int argc, char **argv)
{
	struct ctl_dev *dev;
	struct ctl_class *c;
	struct opts o = { .json = opt_json };
	uint8_t id;
	int err;

	if (argc >= 1 && !strcmp(argv[0], "show")) {
		if (take_show_opts(argc - 1, argv + 1, &o, 1))
			return EXIT_USAGE;
		return nl_exit(cmd_class_show(o.argc ? o.argv[0] : NULL, o.json));
	}
	if (argc >= 1 && !strcmp(argv[0], "del")) {
		if (argc != 3) {
			ctl_err("class del: needs DEV CLASS");
			return EXIT_USAGE;
		}
		if (parse_class_id(argv[2], &id))
			return EXIT_USAGE;
		return nl_exit(ctl_rtnl_class_del(argv[1], id));
	}
	if (argc < 1 || strcmp(argv[0], "set")) {
		ctl_err("class: '%s': unknown command (expected set, del or show)",
			argc ? argv[0] : "");
		return EXIT_USAGE;
	}
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return EXIT_RUNTIME;
	if (cmd_parse_class(argc - 1, argv + 1, dev, &c)) {
		free(dev);
		return EXIT_USAGE;
	}
	err = ctl_rtnl_class_set(dev->name, c);
	free(dev);
	return nl_exit(err);
}

static int run_dev(int argc, char **argv)
{
	struct ctl_dev *d;
	struct opts o = { .json = opt_json };
	int err;

	if (argc >= 1 && !strcmp(argv[0], "show")) {
		if (take_opts(argc - 1, argv + 1, &o, false))
			return EXIT_USAGE;
		return nl_exit(cmd_dev_show(o.argc ? o.argv[0] : NULL, o.json));
	}
	if (argc < 1 || strcmp(argv[0], "set")) {
		ctl_err("dev: '%s': unknown command (expected set or show)",
			argc ? argv[0] : "");
		return EXIT_USAGE;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return EXIT_RUNTIME;
	if (cmd_parse_dev(argc - 1, argv + 1, d)) {
		free(d);
		return EXIT_USAGE;
	}
	err = ctl_rtnl_dev_set(d);
	free(d);
	return nl_exit(err);
}

static int run_rule(int argc, char **argv)
{
	struct nl_msg *msg;
	struct ctl_rule r;
	struct opts o = { .json = opt_json };
	uint32_t pref;

	if (argc >= 1 && !strcmp(argv[0], "show")) {
		if (take_show_opts(argc - 1, argv + 1, &o, 0))
			return EXIT_USAGE;
		return nl_exit(cmd_rule_show(o.json));
	}
	if (argc >= 1 && !strcmp(argv[0], "flush")) {
		if (argc != 1) {
			ctl_err("'%s': unexpected argument", argv[1]);
			return EXIT_USAGE;
		}
		return nl_exit(ctl_request(ctl_msg(MQOS_CMD_RULE_FLUSH, 0),
					   NULL, NULL, NULL, 0));
	}
	if (argc >= 1 && !strcmp(argv[0], "del")) {
		if (argc != 3 || strcmp(argv[1], "pref")) {
			ctl_err("rule del: needs 'pref N'");
			return EXIT_USAGE;
		}
		if (parse_u32(argv[2], UINT32_MAX, &pref)) {
			ctl_err("pref: '%s' is not a number", argv[2]);
			return EXIT_USAGE;
		}
		msg = ctl_msg(MQOS_CMD_RULE_DEL, 0);
		if (msg && nla_put_u32(msg, MQOS_A_PREF, pref) < 0)
			return EXIT_RUNTIME;
		return nl_exit(ctl_request(msg, NULL, NULL, NULL, 0));
	}
	if (argc < 1 || strcmp(argv[0], "add")) {
		ctl_err("rule: '%s': unknown command (expected add, del, flush or show)",
			argc ? argv[0] : "");
		return EXIT_USAGE;
	}
	if (cmd_parse_rule(argc - 1, argv + 1, &r))
		return EXIT_USAGE;
	msg = ctl_msg(MQOS_CMD_RULE_ADD, 0);
	if (msg && ctl_put_rule(msg, MQOS_A_RULE, &r) < 0) {
		nlmsg_free(msg);
		return EXIT_RUNTIME;
	}
	return nl_exit(ctl_request(msg, NULL, NULL, NULL, 0));
}

static int run_hook(int argc, char **argv)
{
	struct opts o = { .json = opt_json };
	struct ctl_hook h;

	if (argc >= 1 && !strcmp(argv[0], "show")) {
		if (take_show_opts(argc - 1, argv + 1, &o, 0))
			return EXIT_USAGE;
		return nl_exit(cmd_hook_show(o.json));
	}
	ctl_hook_init(&h);
	if (cmd_parse_hook(argc, argv, &h))
		return EXIT_USAGE;
	return nl_exit(ctl_hook_set(&h, false, false));
}

static int run_ports(int argc, char **argv)
{
	struct opts o = { .json = opt_json };
	struct ctl_ports p;

	if (argc >= 1 && !strcmp(argv[0], "show")) {
		if (take_show_opts(argc - 1, argv + 1, &o, 0))
			return EXIT_USAGE;
		return nl_exit(cmd_ports_show(o.json));
	}
	memset(&p, 0, sizeof(p));
	if (cmd_parse_ports(argc, argv, &p))
		return EXIT_USAGE;
	return nl_exit(ctl_ports_set(&p));
}

int ctl_run(int argc, char **argv)
{
	const char *obj = argv[0];
	struct opts o = { .json = opt_json };

	argc--;
	argv++;
	if (!strcmp(obj, "class"))
		return run_class(argc, argv);
	if (!strcmp(obj, "dev"))
		return run_dev(argc, argv);
	if (!strcmp(obj, "rule"))
		return run_rule(argc, argv);
	if (!strcmp(obj, "hook"))
		return run_hook(argc, argv);
	if (!strcmp(obj, "ports"))
		return run_ports(argc, argv);
	if (!strcmp(obj, "load")) {
		if (argc != 1) {
			ctl_err("load: needs FILE or -");
			return EXIT_USAGE;
		}
		if (ctl_batch_path && !strcmp(ctl_batch_path, "-") &&
		    !strcmp(argv[0], "-")) {
			ctl_err("load -: stdin is the batch; name a FILE");
			return EXIT_USAGE;
		}
		return cmd_load(argv[0]);
	}
	if (!strcmp(obj, "save")) {
		if (argc) {
			ctl_err("'%s': unexpected argument", argv[0]);
			return EXIT_USAGE;
		}
		return nl_exit(cmd_save(stdout));
	}
	if (!strcmp(obj, "stats")) {
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
		if (o.prom && o.watch && !o.out) {
			ctl_err("--prometheus --watch: needs -o FILE");
			return EXIT_USAGE;
		}
		if (o.prom)
			return nl_exit(cmd_stats_prom(o.argc ? o.argv[0] : NULL,
						      o.out, o.watch));
		return nl_exit(cmd_stats(o.argc ? o.argv[0] : NULL, o.json,
					 o.watch, o.reset));
	}
	ctl_err("'%s': unknown object (expected dev, class, rule, hook, ports, load, save or stats)",
		obj);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "json", no_argument, NULL, 'j' },
		{ "batch", required_argument, NULL, 'b' },
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const char *batch = NULL;
	bool json = false, force = false;
	int c, ret;

	while ((c = getopt_long(argc, argv, "+hVjb:f", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("mqosctl %s\n", MQOS_VERSION_STR);
			return EXIT_OK;
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
			usage(stderr);
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
		usage(stderr);
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
