// SPDX-License-Identifier: GPL-2.0
/*
 * mqosctl - configure and watch the mqos qdisc.
 *
 * Foundation stage: only --help and --version. The commands listed in
 * --help arrive with the generic netlink family.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include <linux/mqos.h>

enum { EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: mqosctl [OPTIONS] OBJECT COMMAND [ARGS]\n"
		"\n"
		"Options:\n"
		"  -h, --help       show this help\n"
		"  -V, --version    show the version\n"
		"\n"
		"Not implemented yet (the control plane is a later change):\n"
		"  class set|show, dev set, rule add|del|flush|show,\n"
		"  load FILE|-, save, stats [DEV] [-j] [--watch S] [--reset]\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "+hV", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("mqosctl %s\n", MQOS_VERSION_STR);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "mqosctl: \"%s\": command not implemented yet\n",
			argv[optind]);
		return EXIT_USAGE;
	}
	usage(stderr);
	return EXIT_USAGE;
}
