// SPDX-License-Identifier: GPL-2.0
/*
 * The grammar of the netfilter hook's commands (no netlink here, so the
 * host tests link it):
 *
 *   hook set [on|off] [mode sticky|packet] [mask MASK] [decay TIME|off]
 *   hook class CLASS [remark DSCP|keep] [police RATE BURST|off]
 *
 * and the same words back, as `save` prints them.
 */
#include <stdlib.h>
#include <string.h>

#include "mqosctl.h"
#include "../module/core/flow.h"

void ctl_hook_init(struct ctl_hook *h)
{
	int i;

	memset(h, 0, sizeof(*h));
	h->mode = MQOS_HOOK_MODE_STICKY;
	h->mask = MQOS_HOOK_DEFAULT_MASK;
	for (i = 0; i <= MQOS_MAX_CLASSES; i++)
		h->cls[i].dscp = MQOS_DSCP_KEEP;
}

static int parse_mask(const char *s, uint32_t *mask)
{
	char *end;
	unsigned long v;

	if (!s[0] || s[0] == '-')
		goto bad;
	v = strtoul(s, &end, 0);
	if (*end || v > UINT32_MAX || !mqos_flow_mask_valid((uint32_t)v))
		goto bad;
	*mask = (uint32_t)v;
	return 0;
bad:
	ctl_err("mask: '%s' is not a usable mask (contiguous bits, at least 5, e.g. 0x%08x)",
		s, MQOS_HOOK_DEFAULT_MASK);
	return -1;
}

/* Whole seconds, as parse_seconds() reads them; "off" or 0 = no decay. */
static int parse_decay(const char *s, uint32_t *sec)
{
	if (!strcmp(s, "off")) {
		*sec = 0;
		return 0;
	}
	if (!parse_seconds(s, MQOS_HOOK_DECAY_MAX, sec))
		return 0;
	ctl_err("decay: '%s' is not a time (e.g. 60s, 5m, 1h, at most 7d, or off)",
		s);
	return -1;
}

static int hook_set(int argc, char **argv, struct ctl_hook *h)
{
	static const char *const kws[] = {
		"on", "off", "mode", "mask", "decay", NULL
	};
	static const char *const modes[] = { "sticky", "packet", NULL };
	const char *kw;
	int i, w;

	for (i = 0; i < argc; i++) {
		w = ctl_kw_err(argv[i], kws, "keyword");
		if (w < 0)
			return -1;
		kw = kws[w];
		if (!strcmp(kw, "on") || !strcmp(kw, "off")) {
			h->enabled = !strcmp(kw, "on");
			h->has |= HAS(MQOS_HOOK_A_ENABLED);
			continue;
		}
		if (i + 1 == argc) {
			ctl_err("%s: needs a value", kw);
			return -1;
		}
		i++;
		if (!strcmp(kw, "mask")) {
			if (parse_mask(argv[i], &h->mask))
				return -1;
			h->has |= HAS(MQOS_HOOK_A_MASK);
		} else if (!strcmp(kw, "decay")) {
			if (parse_decay(argv[i], &h->decay))
				return -1;
			h->has |= HAS(MQOS_HOOK_A_DECAY);
		} else {
			w = ctl_kw_err(argv[i], modes, "mode");
			if (w < 0)
				return -1;
			h->mode = w ? MQOS_HOOK_MODE_PACKET :
				      MQOS_HOOK_MODE_STICKY;
			h->has |= HAS(MQOS_HOOK_A_MODE);
		}
	}
	return 0;
}

static int hook_class(int argc, char **argv, struct ctl_hook *h)
{
	static const char *const kws[] = { "remark", "police", NULL };
	struct ctl_hook_class *c;
	const char *kw;
	uint8_t id;
	int i, w;

	if (argc < 1) {
		ctl_err("hook class: needs CLASS");
		return -1;
	}
	if (parse_class_id(argv[0], &id))
		return -1;
	c = &h->cls[id];
	for (i = 1; i < argc; i++) {
		w = ctl_kw_err(argv[i], kws, "keyword");
		if (w < 0)
			return -1;
		kw = kws[w];
		if (i + 1 == argc) {
			ctl_err("%s: needs a value", kw);
			return -1;
		}
		i++;
		if (!strcmp(kw, "remark")) {
			if (!strcmp(argv[i], "keep")) {
				c->dscp = MQOS_DSCP_KEEP;
			} else if (parse_dscp(argv[i], &c->dscp)) {
				ctl_err("remark: '%s' is not a DSCP (a name like EF or CS0, 0..63, or keep)",
					argv[i]);
				return -1;
			}
			c->has |= HAS(MQOS_HOOK_CLASS_A_REMARK);
			continue;
		}
		if (!strcmp(argv[i], "off")) {
			c->rate = 0;
			c->burst = 0;
			c->has |= HAS(MQOS_HOOK_CLASS_A_POLICE_RATE) |
				  HAS(MQOS_HOOK_CLASS_A_POLICE_BURST);
			continue;
		}
		if (parse_rate(argv[i], &c->rate) || !c->rate) {
			ctl_err("police: '%s' is not a rate (e.g. 1mbit, or off)",
				argv[i]);
			return -1;
		}
		if (i + 1 == argc) {
			ctl_err("police: needs RATE BURST");
			return -1;
		}
		i++;
		if (parse_size(argv[i], &c->burst) || !c->burst) {
			ctl_err("police: '%s' is not a burst size (e.g. 15k)",
				argv[i]);
			return -1;
		}
		c->has |= HAS(MQOS_HOOK_CLASS_A_POLICE_RATE) |
			  HAS(MQOS_HOOK_CLASS_A_POLICE_BURST);
	}
	return 0;
}

int cmd_parse_hook(int argc, char **argv, struct ctl_hook *h)
{
	if (argc >= 1 && !strcmp(argv[0], "set"))
		return hook_set(argc - 1, argv + 1, h);
	if (argc >= 1 && !strcmp(argv[0], "class"))
		return hook_class(argc - 1, argv + 1, h);
	ctl_err("hook: '%s': unknown command (expected set, class or show)",
		argc ? argv[0] : "");
	return -1;
}

void print_hook_set(FILE *f, const struct ctl_hook *h)
{
	fprintf(f, "hook set %s mode %s mask 0x%08x", h->enabled ? "on" : "off",
		h->mode == MQOS_HOOK_MODE_PACKET ? "packet" : "sticky", h->mask);
	if (h->decay)
		fprintf(f, " decay %us", h->decay);
	fputc('\n', f);
}

/* "hook class N ..." for a class with something configured, else nothing. */
void print_hook_class(FILE *f, const struct ctl_hook *h, int id)
{
	const struct ctl_hook_class *c = &h->cls[id];
	char a[32], b[32];

	if (c->dscp == MQOS_DSCP_KEEP && !c->rate)
		return;
	fprintf(f, "hook class %d", id);
	if (c->dscp != MQOS_DSCP_KEEP)
		fprintf(f, " remark %u", c->dscp);
	if (c->rate) {
		fmt_rate(a, sizeof(a), c->rate);
		fmt_size(b, sizeof(b), c->burst);
		fprintf(f, " police %s %s", a, b);
	}
	fputc('\n', f);
}
