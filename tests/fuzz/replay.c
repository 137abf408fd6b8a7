// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Replay of fuzz inputs without libFuzzer, for builds where libFuzzer is
 * not at hand (the 32-bit and big-endian cross builds under qemu-user).
 *
 *   replay FILE|DIR...
 *
 * Each input goes through the fuzz target (LLVMFuzzerTestOneInput, which
 * aborts on a broken invariant), and its frame (the input less byte 0) is
 * classified by the default map and by the target's two fixed rule sets.
 * One line per input is printed:
 *   NAME default=C/R/F generic=C/R/F fast=C/R/F
 * (class/rule/flags). These depend on the bytes only, never on the machine, so
 * tests/Makefile compares the lines of a cross build with the native ones:
 * a byte-order or word-size bug shows as a difference even where it breaks
 * no invariant. The exit status is non-zero if an input cannot be read.
 */
/* 64-bit directory offsets on 32-bit builds too: without it readdir()
 * fails with EOVERFLOW on file systems with 64-bit hashes as offsets. */
#define _FILE_OFFSET_BITS 64

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The target itself, for its fixed rule sets (static there). */
#include "fuzz_classify.c"

static void show(const char *tag, const struct mqos_src *s,
		 const struct mqos_ruleset *rs)
{
	struct mqos_meta meta = { .iif = 1, .oif = 2 };
	struct mqos_cls_res res;

	mqos_classify_eth(s, &meta, rs, &res);
	printf(" %s=%u/%d/%#x", tag, res.class_id, res.rule, res.flags);
}

static int replay_one(const char *path, const char *name)
{
	struct mqos_src s;
	u8 *buf, *frame;
	size_t n, cap = 1 << 16;
	FILE *f;

	f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return -1;
	}
	buf = malloc(cap);
	if (!buf) {
		fclose(f);
		return -1;
	}
	n = fread(buf, 1, cap, f);
	fclose(f);

	LLVMFuzzerTestOneInput(buf, n);

	/* The frame in an exactly sized copy, so that ASan sees over-reads. */
	n = n ? n - 1 : 0;
	frame = malloc(n ? n : 1);
	if (!frame) {
		free(buf);
		return -1;
	}
	memcpy(frame, buf + 1, n);
	mqos_src_init(&s, frame, (u32)n);
	printf("%s", name);
	show("default", &s, NULL);
	show("generic", &s, &gen.rs);
	show("fast", &s, &fast.rs);
	printf("\n");
	free(frame);
	free(buf);
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory's regular files, in name order (the output is compared). */
static int replay_dir(const char *dir)
{
	char **names = NULL, path[4096];
	size_t n = 0, i;
	struct dirent *e;
	int rc = 0;
	DIR *d;

	d = opendir(dir);
	if (!d) {
		perror(dir);
		return -1;
	}
	for (;;) {
		char **nn;

		errno = 0;
		e = readdir(d);
		if (!e) {
			if (errno) {
				perror(dir);
				rc = -1;
			}
			break;
		}
		if (e->d_name[0] == '.')
			continue;
		nn = realloc(names, (n + 1) * sizeof(*names));
		if (!nn) {
			rc = -1;
			break;
		}
		names = nn;
		names[n] = strdup(e->d_name);
		if (!names[n]) {
			rc = -1;
			break;
		}
		n++;
	}
	closedir(d);
	if (names)
		qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (!rc && replay_one(path, names[i]))
			rc = -1;
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	struct stat st;
	int i, rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	fixed_sets();
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st)) {
			perror(argv[i]);
			rc = 1;
		} else if (S_ISDIR(st.st_mode) ? replay_dir(argv[i]) :
			   replay_one(argv[i], argv[i])) {
			rc = 1;
		}
	}
	return rc;
}
