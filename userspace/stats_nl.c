// SPDX-License-Identifier: GPL-2.0
/*
 * The statistics dump (MQOS_CMD_STATS_GET) into struct ctl_stats: one
 * reader for `stats` (show.c) and `stats --prometheus` (prom.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netlink/netlink.h>
#include <netlink/genl/genl.h>

#include "mqosctl.h"

static int stats_grow(void **p, int n, size_t size)
{
	void *q = realloc(*p, (size_t)(n + 1) * size);

	if (!q) {
		ctl_err("out of memory");
		return -ENOMEM;
	}
	*p = q;
	memset((char *)q + (size_t)n * size, 0, size);
	return 0;
}

void ctl_stats_free(struct ctl_stats *s)
{
	free(s->dev);
	free(s->cls);
	free(s->rules);
	memset(s, 0, sizeof(*s));
}

/* A TCA_MQOS_XSTATS_*_HIST nest into @h (bucket b+1 -> h[b]). */
static void get_hist(const struct nlattr *nest, uint64_t *h)
{
	struct nlattr *a;
	int rem;

	if (!nest)
		return;
	nla_for_each_nested(a, nest, rem)
		if (nla_type(a) >= 1 && nla_type(a) <= MQOS_HIST_NBUCKETS &&
		    nla_len(a) == 8)
			h[nla_type(a) - 1] = nla_get_u64(a);
}

static void stats_class_attrs(struct ctl_stats_class *c, struct nlattr *xs)
{
	struct nlattr *x[TCA_MQOS_XSTATS_MAX + 1];
	int i;

	if (nla_parse_nested(x, TCA_MQOS_XSTATS_MAX, xs, NULL) < 0)
		return;
	for (i = 0; i <= TCA_MQOS_XSTATS_MAX; i++) {
		if (!x[i] || i == TCA_MQOS_XSTATS_NAME)
			continue;
		c->has |= HAS64(i);
		if (nla_len(x[i]) == 8)
			c->v[i] = nla_get_u64(x[i]);
		else if (nla_len(x[i]) == 4)
			c->v[i] = nla_get_u32(x[i]);
		else if (nla_len(x[i]) == 1)
			c->v[i] = nla_get_u8(x[i]);
	}
	if (x[TCA_MQOS_XSTATS_NAME])
		snprintf(c->name, sizeof(c->name), "%s",
			 nla_get_string(x[TCA_MQOS_XSTATS_NAME]));
	c->prio = (uint8_t)c->v[TCA_MQOS_XSTATS_PRIO];
	get_hist(x[TCA_MQOS_XSTATS_DELAY_HIST], c->hist);
	get_hist(x[TCA_MQOS_XSTATS_SPARSE_HIST], c->sparse_hist);
}

static int stats_cb(struct nlattr **tb, void *arg)
{
	struct ctl_stats *s = arg;
	const char *dev = tb[MQOS_A_IFNAME] ? nla_get_string(tb[MQOS_A_IFNAME]) : "";

	if (tb[MQOS_A_MALFORMED]) {
		s->malformed = nla_get_u64(tb[MQOS_A_MALFORMED]);
	} else if (tb[MQOS_A_RULE]) {
		if (stats_grow((void **)&s->rules, s->nrules, sizeof(*s->rules)))
			return -ENOMEM;
		ctl_get_rule(tb[MQOS_A_RULE], &s->rules[s->nrules++]);
	} else if (tb[MQOS_A_CLASS_ID] && tb[MQOS_A_XSTATS]) {
		struct ctl_stats_class *c;

		if (stats_grow((void **)&s->cls, s->ncls, sizeof(*s->cls)))
			return -ENOMEM;
		c = &s->cls[s->ncls++];
		snprintf(c->dev, sizeof(c->dev), "%s", dev);
		c->id = nla_get_u8(tb[MQOS_A_CLASS_ID]);
		stats_class_attrs(c, tb[MQOS_A_XSTATS]);
	} else if (tb[MQOS_A_IFNAME]) {
		struct ctl_stats_dev *d;

		if (stats_grow((void **)&s->dev, s->ndev, sizeof(*s->dev)))
			return -ENOMEM;
		d = &s->dev[s->ndev++];
		snprintf(d->name, sizeof(d->name), "%s", dev);
#define G64(a, f) if (tb[a]) d->f = nla_get_u64(tb[a])
		G64(MQOS_A_DEV_RATE, rate);
		G64(MQOS_A_DEV_OVERLIMITS, overlimits);
		G64(MQOS_A_SENT_PACKETS, packets);
		G64(MQOS_A_SENT_BYTES, bytes);
		G64(MQOS_A_DROPS, drops);
#undef G64
		if (tb[MQOS_A_BACKLOG])
			d->backlog = nla_get_u32(tb[MQOS_A_BACKLOG]);
		/* The qdisc-wide counters of flow queuing, when sent. */
		if (tb[MQOS_A_XSTATS]) {
			struct ctl_stats_class q;

			memset(&q, 0, sizeof(q));
			stats_class_attrs(&q, tb[MQOS_A_XSTATS]);
			d->has = q.has;
			d->memory_used = q.v[TCA_MQOS_XSTATS_MEMORY_USED];
			d->memory_limit = q.v[TCA_MQOS_XSTATS_MEMORY_LIMIT];
		}
	}
	return 0;
}

/* One consistent dump (retried when the configuration changed under it). */
int ctl_stats_get(const char *dev, struct ctl_stats *s)
{
	struct nl_msg *msg;
	int err = 0, tries;

	for (tries = 0; tries < 3; tries++) {
		memset(s, 0, sizeof(*s));
		msg = ctl_msg(MQOS_CMD_STATS_GET, NLM_F_DUMP);
		if (msg && dev && nla_put_string(msg, MQOS_A_IFNAME, dev) < 0) {
			nlmsg_free(msg);
			msg = NULL;
		}
		err = ctl_request(msg, stats_cb, s, NULL, 0);
		if (err != -EAGAIN)
			break;
		ctl_stats_free(s);
	}
	if (err)
		ctl_stats_free(s);
	return err;
}

/*
 * A class of DEV by its name ("realtime"), for the commands that take a
 * class: the names are the device's own, so they are looked up live.
 */
int ctl_class_by_name(const char *dev, const char *name, uint8_t *id)
{
	struct ctl_stats s;
	int i, err;

	err = ctl_stats_get(dev, &s);
	if (err)
		return err;
	err = -ENOENT;
	for (i = 0; i < s.ncls; i++) {
		if (!strcmp(s.cls[i].dev, dev) && !strcmp(s.cls[i].name, name)) {
			*id = s.cls[i].id;
			err = 0;
			break;
		}
	}
	ctl_stats_free(&s);
	return err;
}
