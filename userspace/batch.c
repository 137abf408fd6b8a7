// SPDX-License-Identifier: GPL-2.0
/*
 * mqosctl -b FILE: many commands, one process, one netlink socket.
 *
 * Each line holds the words of one command line after "mqosctl" (the same
 * tokenizer as a configuration file: '#' comments, double quotes). Lines
 * run in order, each on its own: unlike load, a batch is not atomic. It
 * stops at the first failing line, or with --force runs every line and
 * exits with the worst status seen. Errors carry "FILE: line N:".
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mqosctl.h"

#define MAX_WORDS	64

const char *ctl_batch_path;

int cmd_batch(const char *path, bool force)
{
	const char *name = strcmp(path, "-") ? path : "<stdin>";
	char *line = NULL, *argv[MAX_WORDS];
	int argc, lineno = 0, rc, worst = EXIT_OK;
	size_t cap = 0;
	FILE *f;

	f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	if (!f) {
		ctl_err("%s: %s", path, strerror(errno));
		return EXIT_RUNTIME;
	}
	ctl_batch_path = path;
	while (getline(&line, &cap, f) >= 0) {
		/* A nested load sets and clears these: set them every line. */
		ctl_file = name;
		ctl_line = ++lineno;
		argc = tokenize(line, argv, MAX_WORDS);
		if (!argc)
			continue;
		rc = argc < 0 ? EXIT_USAGE : ctl_run(argc, argv);
		/* Keep the output in line order with the messages on stderr. */
		fflush(stdout);
		if (rc > worst)
			worst = rc;
		if (rc && !force)
			break;
	}
	ctl_file = NULL;
	ctl_batch_path = NULL;
	free(line);
	if (f != stdin)
		fclose(f);
	return worst;
}
