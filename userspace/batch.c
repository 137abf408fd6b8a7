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
#include <stdlib.h>
#include <string.h>

#include "mqosctl.h"

const char *ctl_batch_path;

int cmd_batch(const char *path, bool force)
{
	int argc, rc, worst = EXIT_OK;
	char *argv[CTL_MAX_WORDS];
	struct ctl_lines cl;

	if (ctl_lines_open(&cl, path))
		return EXIT_RUNTIME;
	ctl_batch_path = path;
	/* A nested load names its own lines and restores this place after. */
	while ((argc = ctl_lines_next(&cl, argv)) != -2) {
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
	ctl_line = 0;
	ctl_batch_path = NULL;
	ctl_lines_close(&cl);
	return worst;
}
