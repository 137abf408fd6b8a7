// SPDX-License-Identifier: GPL-2.0
/*
 * The "mqos" qdisc's configuration as state: the default classes, and
 * bringing the classes' token buckets, AQM parameters and queues in line
 * with a new struct mqos_cfg (sch_mqos_nl.c parses it, sch_mqos.c swaps
 * it in under sch_tree_lock and calls mqos_apply_cfg()).
 */
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <net/pkt_sched.h>
#include <net/sch_generic.h>
#include <uapi/linux/mqos.h>

#include "compat.h"
#include "sch_mqos.h"

#define MQOS_AQM_TARGET_US	5000
#define MQOS_AQM_INTERVAL_US	100000

/* The default class set; see the table at the top of sch_mqos.c. */
static const struct {
	const char *name;
	u8 prio;
	u8 rate_pct;
	u8 ceil_pct;
	u16 limit;
} mqos_default_classes[MQOS_NUM_DEFAULT_CLASSES + 1] = {
	[MQOS_CLASS_CONTROL]	 = { "control",     0,  5,  20,  128 },
	[MQOS_CLASS_REALTIME]	 = { "realtime",    1, 30,  60,  256 },
	[MQOS_CLASS_ASSURED]	 = { "assured",     2, 30, 100, 1000 },
	[MQOS_CLASS_BEST_EFFORT] = { "best-effort", 3, 10, 100, 1000 },
	[MQOS_CLASS_BULK]	 = { "bulk",        4,  5, 100, 1000 },
};

/*
 * A default byte limit: @pkts full packets. An ifb or dummy device takes
 * any MTU, so the product is capped rather than let wrap.
 */
static u32 mqos_limit_bytes(u32 pkts, u32 mtu)
{
	return min_t(u64, (u64)pkts * mtu, U32_MAX);
}

/* A class created by a change starts as an unshaped best-effort class. */
void mqos_class_cfg_default(struct mqos_class_cfg *c, u8 id, u32 mtu)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "class%u", id);
	c->prio = mqos_default_classes[MQOS_CLASS_BEST_EFFORT].prio;
	c->ceil_pct = 100;
	c->quantum = max_t(u32, mtu, MQOS_MIN_QUANTUM);
	c->limit = MQOS_DEFAULT_LIMIT_PKTS;
	c->limit_bytes = mqos_limit_bytes(MQOS_DEFAULT_LIMIT_PKTS, mtu);
	c->aqm_target_us = MQOS_AQM_TARGET_US;
	c->aqm_interval_us = MQOS_AQM_INTERVAL_US;
	c->ecn = 1;
	c->aqm_mode = MQOS_AQM_MODE_CODEL;
	c->dscp = MQOS_DSCP_KEEP;
	c->flows = MQOS_DEFAULT_FLOWS;
	c->present = 1;
}

void mqos_cfg_defaults(struct mqos_cfg *cfg, u32 mtu)
{
	unsigned int id;

	memset(cfg, 0, sizeof(*cfg));
	cfg->default_class = MQOS_CLASS_BEST_EFFORT;
	cfg->isolation = MQOS_ISOLATE_DUAL_SRCHOST;
	cfg->memory_limit = MQOS_DEFAULT_MEMORY_LIMIT;
	for (id = 1; id <= MQOS_NUM_DEFAULT_CLASSES; id++) {
		struct mqos_class_cfg *c = &cfg->cls[id];

		mqos_class_cfg_default(c, id, mtu);
		strscpy(c->name, mqos_default_classes[id].name, sizeof(c->name));
		c->prio = mqos_default_classes[id].prio;
		c->rate_pct = mqos_default_classes[id].rate_pct;
		c->ceil_pct = mqos_default_classes[id].ceil_pct;
		c->limit = mqos_default_classes[id].limit;
		c->limit_bytes = mqos_limit_bytes(c->limit, mtu);
	}
}

/* Bucket depth of shapers: 2 ms at the rate, at least two full packets. */
#define MQOS_SHAPER_BURST_NS	(2 * NSEC_PER_MSEC)

/*
 * Effective rate: absolute, else a percentage of the device rate. The
 * device rate is at most MQOS_MAX_RATE (netlink policy), so the product
 * cannot overflow.
 */
static u64 mqos_eff_rate(u64 abs, u8 pct, u64 dev_rate)
{
	if (abs)
		return dev_rate ? min(abs, dev_rate) : abs;
	return div_u64(dev_rate * min_t(u8, pct, 100), 100);
}

/* In time, so that no byte cap limits it at high rates. */
static u64 mqos_shaper_depth_ns(u64 rate, u32 pkt)
{
	if (!rate)
		return 0;
	return max_t(u64, MQOS_SHAPER_BURST_NS,
		     div64_u64(2ULL * pkt * NSEC_PER_SEC, rate));
}

/*
 * A bucket of a class that lived before this change keeps its credit
 * (rescaled if its rate changed); a new class's buckets start full. So a
 * change, or a stats reset, hands no policer or shaper a fresh burst.
 */
static void mqos_tb_set(struct mqos_tb *tb, bool live, u64 rate, u64 depth_ns,
			u64 now)
{
	if (live)
		mqos_tb_update_ns(tb, rate, depth_ns, now);
	else
		mqos_tb_init_ns(tb, rate, depth_ns, now);
}

/* Bring the class state in line with q->cfg. Under sch_tree_lock. */
void mqos_apply_cfg(struct Qdisc *sch, struct mqos_sched *q, u64 now)
{
	const struct mqos_cfg *cfg = q->cfg;
	u32 pkt = q->mtu + cfg->overhead;
	unsigned int id;
	u32 i;
	u64 r;
	u8 mode;

	mqos_tb_set(&q->dev_tb, q->dev_tb_live, cfg->rate,
		    mqos_shaper_depth_ns(cfg->rate, pkt), now);
	q->dev_tb_live = true;
	q->dev_waiting = false;

	for (id = 1; id <= MQOS_MAX_CLASSES; id++) {
		const struct mqos_class_cfg *cc = &cfg->cls[id];
		struct mqos_class *cl = &q->cls[id];
		u64 police_ns;

		if (!cc->present) {
			cl->tb_live = false;
			continue;
		}
		/* With a ceiling equal to the device rate, the device limits. */
		r = mqos_eff_rate(cc->rate, cc->rate_pct, cfg->rate);
		mqos_tb_set(&cl->rate_tb, cl->tb_live, r,
			    mqos_shaper_depth_ns(r, pkt), now);
		r = mqos_eff_rate(cc->ceil, cc->ceil_pct, cfg->rate);
		if (r == cfg->rate)
			r = 0;
		mqos_tb_set(&cl->ceil_tb, cl->tb_live, r,
			    mqos_shaper_depth_ns(r, pkt), now);
		police_ns = cc->police_rate ?
			div64_u64((u64)cc->police_burst * NSEC_PER_SEC,
				  cc->police_rate) : 0;
		mqos_tb_set(&cl->police_tb, cl->tb_live, cc->police_rate,
			    police_ns, now);
		cl->tb_live = true;
		cl->aqm_p.target_ns = (u64)cc->aqm_target_us * NSEC_PER_USEC;
		cl->aqm_p.interval_ns = (u64)cc->aqm_interval_us * NSEC_PER_USEC;
		cl->aqm_p.mtu = q->mtu;
		mode = cc->aqm_mode == MQOS_AQM_MODE_CODEL ? MQOS_AQM_CODEL :
							     MQOS_AQM_DECAY;
		if (cl->aqm_p.mode != mode) {
			/* The modes read the AQM state differently. */
			mqos_aqm_reset(&cl->aqm);
			for (i = 0; i < cl->fq.nflows; i++)
				mqos_aqm_reset(&cl->fq.flows[i].aqm);
			cl->aqm_p.mode = mode;
		}
		if (cl->fq.flows) {
			mqos_fq_set_quantum(&cl->fq, cc->quantum);
			if (cl->fq.isolate != cfg->isolation)
				mqos_fq_set_isolation(&cl->fq, cl->fqm.hosts,
						      cfg->isolation);
		}
		if (cl->q.qlen && cl->prio != cc->prio) {
			cl->prio = cc->prio;
			mqos_activate(q, cl);
		}
	}
}

/*
 * The device's MTU changed (seen at dequeue): the AQM's "at most one MTU
 * queued" guard follows at once; the shapers' depth (at least two
 * packets, but never less than 2 ms) at the next change.
 */
void mqos_mtu_changed(struct mqos_sched *q, u32 mtu)
{
	unsigned int id;

	q->mtu = mtu;
	for (id = 1; id <= MQOS_MAX_CLASSES; id++)
		q->cls[id].aqm_p.mtu = mtu;
}

/* The counters alone, whole on 32-bit machines too. */
void mqos_class_stats_read(const struct mqos_class *cl,
			   struct mqos_class_stats *st)
{
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(&cl->syncp);
		*st = cl->st;
	} while (u64_stats_fetch_retry(&cl->syncp, start));
}

/* Every drop, whatever its reason: what tc's "dropped" counts. */
u64 mqos_class_drops(const struct mqos_class_stats *st)
{
	return st->drop_policer + st->drop_limit + st->drop_aqm +
	       st->drop_other + st->drop_memory;
}

void mqos_class_snapshot(const struct mqos_class *cl,
			 struct mqos_class_snap *s)
{
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(&cl->syncp);
		s->st = cl->st;
		s->hist = cl->hist;
		s->sparse = cl->sparse_hist;
		s->way_collisions = cl->fq.way_collisions;
	} while (u64_stats_fetch_retry(&cl->syncp, start));
}

u64 mqos_dev_overlimits(const struct mqos_sched *q)
{
	unsigned int start;
	u64 v;

	do {
		start = u64_stats_fetch_begin(&q->syncp);
		v = q->dev_overlimits;
	} while (u64_stats_fetch_retry(&q->syncp, start));
	return v;
}

/* Free every packet of a class, its counts with them (qdisc reset). */
void mqos_free_packets(struct mqos_class *cl)
{
	struct mqos_fq_flow *f;
	u32 i;

	__qdisc_reset_queue(&cl->q);
	if (cl->fq.flows) {
		for (i = 0; i < cl->fq.nflows; i++) {
			f = &cl->fq.flows[i];
			if (f->head)
				rtnl_kfree_skbs(f->head, f->tail);
		}
		mqos_fq_reset(&cl->fq);
	}
	cl->q.qlen = 0;
	cl->backlog = 0;
	cl->mem = 0;
}

/*
 * Drop a class's queue (class deleted, or its flow queues rebuilt), and
 * tell the qdisc and its parents. Under sch_tree_lock.
 */
void mqos_purge_class(struct Qdisc *sch, struct mqos_sched *q,
		      struct mqos_class *cl)
{
	unsigned int qlen = cl->q.qlen, backlog = cl->backlog;

	if (!qlen)
		return;
	q->mem_used -= cl->mem;
	mqos_free_packets(cl);
	list_del_init(&cl->alist);
	sch->q.qlen -= qlen;
	sch->qstats.backlog -= backlog;
	qdisc_tree_reduce_backlog(sch, qlen, backlog);
}

/* ---- flow queue tables ------------------------------------------------- */

int mqos_fq_mem_alloc(struct mqos_fq_mem *m, u32 nflows)
{
	m->flows = kvzalloc(mqos_fq_flows_size(nflows), GFP_KERNEL);
	m->hosts = kvzalloc(mqos_fq_hosts_size(nflows), GFP_KERNEL);
	if (!m->flows || !m->hosts) {
		mqos_fq_mem_free(m);
		return -ENOMEM;
	}
	return 0;
}

void mqos_fq_mem_free(struct mqos_fq_mem *m)
{
	kvfree(m->flows);
	kvfree(m->hosts);
	m->flows = NULL;
	m->hosts = NULL;
}

/* Does @cc need another flow queue table than @cl has? */
bool mqos_fq_rebuild(const struct mqos_class *cl,
		     const struct mqos_class_cfg *cc)
{
	u32 want = cc->present ? cc->flows : 0;

	return want != (cl->fq.flows ? cl->fq.nflows : 0);
}

/*
 * Give @cl the table in @m (none if m->flows is NULL), dropping what the
 * old one held; @m gets the old table for the caller to free after the
 * lock. Under sch_tree_lock, with q->cfg already the new configuration.
 */
void mqos_fq_swap(struct Qdisc *sch, struct mqos_sched *q,
		  struct mqos_class *cl, struct mqos_fq_mem *m)
{
	const struct mqos_cfg *cfg = q->cfg;
	const struct mqos_class_cfg *cc = &cfg->cls[cl->id];
	struct mqos_fq_mem old = cl->fqm;

	mqos_purge_class(sch, q, cl);
	cl->fqm = *m;
	*m = old;
	memset(&cl->fq, 0, sizeof(cl->fq));
	if (cl->fqm.flows)
		mqos_fq_init(&cl->fq, cl->fqm.flows, cl->fqm.hosts, cc->flows,
			     cc->quantum, cfg->isolation);
}

/* Zero a class's counters and histogram (class created, or RESET_STATS). */
void mqos_reset_class_stats(struct mqos_class *cl)
{
	u64_stats_update_begin(&cl->syncp);
	cl->st = (struct mqos_class_stats){ 0 };
	mqos_hist_reset(&cl->hist);
	mqos_hist_reset(&cl->sparse_hist);
	cl->fq.way_collisions = 0;
	u64_stats_update_end(&cl->syncp);
	gnet_stats_basic_sync_init(&cl->bstats);
}

void mqos_reset_stats(struct mqos_sched *q)
{
	unsigned int id;

	for (id = 1; id <= MQOS_MAX_CLASSES; id++)
		mqos_reset_class_stats(&q->cls[id]);
	u64_stats_update_begin(&q->syncp);
	q->dev_overlimits = 0;
	u64_stats_update_end(&q->syncp);
}
