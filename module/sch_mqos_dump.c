// SPDX-License-Identifier: GPL-2.0
/*
 * What the "mqos" qdisc tells netlink: its TCA_MQOS_* configuration (the
 * same attributes it is configured with, sch_mqos_nl.c) and the nested
 * TCA_STATS_APP statistics of the qdisc and of each class. The contract
 * is documented in include/uapi/linux/mqos.h.
 */
#include <linux/kernel.h>
#include <net/netlink.h>
#include <net/pkt_sched.h>
#include <uapi/linux/mqos.h>

#include "sch_mqos.h"

static int mqos_dump_class_cfg(const struct mqos_class_cfg *c, u8 id,
			       struct sk_buff *skb)
{
	struct nlattr *nest;

	nest = nla_nest_start(skb, TCA_MQOS_CLASSES_CLASS);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u8(skb, TCA_MQOS_CLASS_ID, id) ||
	    nla_put_string(skb, TCA_MQOS_CLASS_NAME, c->name) ||
	    nla_put_u8(skb, TCA_MQOS_CLASS_PRIO, c->prio) ||
	    nla_put_u64_64bit(skb, TCA_MQOS_CLASS_RATE, c->rate,
			      TCA_MQOS_CLASS_PAD) ||
	    nla_put_u64_64bit(skb, TCA_MQOS_CLASS_CEIL, c->ceil,
			      TCA_MQOS_CLASS_PAD) ||
	    nla_put_u8(skb, TCA_MQOS_CLASS_RATE_PCT, c->rate_pct) ||
	    nla_put_u8(skb, TCA_MQOS_CLASS_CEIL_PCT, c->ceil_pct) ||
	    nla_put_u32(skb, TCA_MQOS_CLASS_QUANTUM, c->quantum) ||
	    nla_put_u32(skb, TCA_MQOS_CLASS_LIMIT, c->limit) ||
	    nla_put_u32(skb, TCA_MQOS_CLASS_LIMIT_BYTES, c->limit_bytes) ||
	    nla_put_u64_64bit(skb, TCA_MQOS_CLASS_POLICE_RATE, c->police_rate,
			      TCA_MQOS_CLASS_PAD) ||
	    nla_put_u32(skb, TCA_MQOS_CLASS_POLICE_BURST, c->police_burst) ||
	    nla_put_u8(skb, TCA_MQOS_CLASS_POLICE_DEMOTE, c->police_demote) ||
	    nla_put_u32(skb, TCA_MQOS_CLASS_AQM_TARGET, c->aqm_target_us) ||
	    nla_put_u32(skb, TCA_MQOS_CLASS_AQM_INTERVAL, c->aqm_interval_us) ||
	    nla_put_u8(skb, TCA_MQOS_CLASS_ECN, c->ecn) ||
	    nla_put_u8(skb, TCA_MQOS_CLASS_DSCP, c->dscp) ||
	    nla_put_u32(skb, TCA_MQOS_CLASS_FLOWS, c->flows) ||
	    nla_put_u8(skb, TCA_MQOS_CLASS_AQM_MODE, c->aqm_mode)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* Under RTNL, like every configuration change: q->cfg is stable. */
int mqos_dump_cfg(struct mqos_sched *q, struct sk_buff *skb)
{
	const struct mqos_cfg *cfg = q->cfg;
	struct nlattr *nest;
	unsigned int id;

	if (nla_put_u64_64bit(skb, TCA_MQOS_RATE, cfg->rate, TCA_MQOS_PAD) ||
	    nla_put_u32(skb, TCA_MQOS_OVERHEAD, cfg->overhead) ||
	    nla_put_u8(skb, TCA_MQOS_DEFAULT_CLASS, cfg->default_class) ||
	    nla_put_u8(skb, TCA_MQOS_ISOLATION, cfg->isolation) ||
	    nla_put_u8(skb, TCA_MQOS_INGRESS, cfg->ingress) ||
	    nla_put_u32(skb, TCA_MQOS_MEMORY_LIMIT, cfg->memory_limit))
		return -EMSGSIZE;
	nest = nla_nest_start(skb, TCA_MQOS_CLASSES);
	if (!nest)
		return -EMSGSIZE;
	for (id = 1; id <= MQOS_MAX_CLASSES; id++) {
		if (!cfg->cls[id].present)
			continue;
		if (mqos_dump_class_cfg(&cfg->cls[id], id, skb))
			return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int mqos_put_u64(struct sk_buff *skb, int type, u64 v)
{
	return nla_put_u64_64bit(skb, type, v, TCA_MQOS_XSTATS_PAD);
}

static int mqos_put_hist(struct sk_buff *skb, int type,
			 const struct mqos_hist *h)
{
	struct nlattr *hist;
	unsigned int b;

	hist = nla_nest_start(skb, type);
	if (!hist)
		return -EMSGSIZE;
	/* Bucket b is attribute b + 1; type 0 is only ever padding. */
	for (b = 0; b < MQOS_HIST_BUCKETS; b++)
		if (nla_put_u64_64bit(skb, b + 1, READ_ONCE(h->buckets[b]), 0))
			return -EMSGSIZE;
	nla_nest_end(skb, hist);
	return 0;
}

static int mqos_put_class_xstats(struct mqos_sched *q, struct mqos_class *cl,
				 struct sk_buff *skb)
{
	const struct mqos_class_cfg *c = &q->cfg->cls[cl->id];
	const struct mqos_class_stats *st;
	const struct mqos_hist *h;
	struct mqos_class_snap s;
	unsigned int start;
	u64 bytes, packets;

	BUILD_BUG_ON(MQOS_HIST_NBUCKETS != MQOS_HIST_BUCKETS);
	mqos_class_snapshot(cl, &s);
	st = &s.st;
	h = &s.hist;
	do {
		start = u64_stats_fetch_begin(&cl->bstats.syncp);
		bytes = u64_stats_read(&cl->bstats.bytes);
		packets = u64_stats_read(&cl->bstats.packets);
	} while (u64_stats_fetch_retry(&cl->bstats.syncp, start));

	if (nla_put_u8(skb, TCA_MQOS_XSTATS_CLASS_ID, cl->id) ||
	    nla_put_string(skb, TCA_MQOS_XSTATS_NAME, c->name) ||
	    nla_put_u8(skb, TCA_MQOS_XSTATS_PRIO, c->prio) ||
	    mqos_put_u64(skb, TCA_MQOS_XSTATS_ENQ_PACKETS,
			 READ_ONCE(st->enq_packets)) ||
	    mqos_put_u64(skb, TCA_MQOS_XSTATS_ENQ_BYTES,
			 READ_ONCE(st->enq_bytes)) ||
	    mqos_put_u64(skb, TCA_MQOS_XSTATS_SENT_PACKETS, packets) ||
	    mqos_put_u64(skb, TCA_MQOS_XSTATS_SENT_BYTES, bytes) ||
	    nla_put_u32(skb, TCA_MQOS_XSTATS_BACKLOG_PACKETS,
			READ_ONCE(cl->q.qlen)) ||
	    nla_put_u32(skb, TCA_MQOS_XSTATS_BACKLOG_BYTES,
			READ_ONCE(cl->backlog)) ||
	    mqos_put_u64(skb, TCA_MQOS_XSTATS_DROP_POLICER,
			 READ_ONCE(st->drop_policer)) ||
	    mqos_put_u64(skb, TCA_MQOS_XSTATS_DROP_LIMIT,
			 READ_ONCE(st->drop_limit)) ||
	    mqos_put_u64(skb, TCA_MQOS_XSTATS_DROP_AQM,
			 READ_ONCE(st->drop_aqm)) ||
	    mqos_put_u64(skb, TCA_MQOS_XSTATS_DROP_OTHER,
			 READ_ONCE(st->drop_other)) ||
	    mqos_put_u64(skb, TCA_MQOS_XSTATS_DEMOTED,
			 READ_ONCE(st->demoted)) ||
	    mqos_put_u64(skb, TCA_MQOS_XSTATS_ECN_MARKS,
			 READ_ONCE(st->ecn_marks)) ||
	    mqos_put_u64(skb, TCA_MQOS_XSTATS_OVERLIMITS,
			 READ_ONCE(st->overlimits)) ||
	    mqos_put_u64(skb, TCA_MQOS_XSTATS_DELAY_COUNT,
			 READ_ONCE(h->count)) ||
	    mqos_put_u64(skb, TCA_MQOS_XSTATS_DELAY_SUM,
			 READ_ONCE(h->sum_ns)) ||
	    mqos_put_u64(skb, TCA_MQOS_XSTATS_DELAY_MIN,
			 READ_ONCE(h->min_ns)) ||
	    mqos_put_u64(skb, TCA_MQOS_XSTATS_DELAY_MAX,
			 READ_ONCE(h->max_ns)) ||
	    mqos_put_u64(skb, TCA_MQOS_XSTATS_JITTER_SUM,
			 READ_ONCE(h->jitter_sum_ns)) ||
	    mqos_put_u64(skb, TCA_MQOS_XSTATS_DROP_MEMORY,
			 READ_ONCE(st->drop_memory)) ||
	    nla_put_u32(skb, TCA_MQOS_XSTATS_FLOWS, c->flows) ||
	    nla_put_u32(skb, TCA_MQOS_XSTATS_FLOWS_SPARSE,
			READ_ONCE(cl->fq.new_flows.count)) ||
	    nla_put_u32(skb, TCA_MQOS_XSTATS_FLOWS_BULK,
			READ_ONCE(cl->fq.old_flows.count)) ||
	    mqos_put_u64(skb, TCA_MQOS_XSTATS_WAY_COLLISIONS,
			 s.way_collisions) ||
	    nla_put_u32(skb, TCA_MQOS_XSTATS_HOSTS,
			READ_ONCE(cl->fq.hosts_busy)))
		return -EMSGSIZE;

	if (mqos_put_hist(skb, TCA_MQOS_XSTATS_DELAY_HIST, h))
		return -EMSGSIZE;
	h = &s.sparse;
	if (!c->flows)
		return 0;
	if (mqos_put_u64(skb, TCA_MQOS_XSTATS_SPARSE_COUNT,
			 READ_ONCE(h->count)) ||
	    mqos_put_u64(skb, TCA_MQOS_XSTATS_SPARSE_SUM,
			 READ_ONCE(h->sum_ns)) ||
	    mqos_put_u64(skb, TCA_MQOS_XSTATS_SPARSE_MAX,
			 READ_ONCE(h->max_ns)) ||
	    mqos_put_hist(skb, TCA_MQOS_XSTATS_SPARSE_HIST, h))
		return -EMSGSIZE;
	return 0;
}

/* TCA_STATS_APP of one class (tc -s class show). */
int mqos_dump_class_xstats(struct mqos_sched *q, struct mqos_class *cl,
			   struct sk_buff *skb)
{
	struct nlattr *app;

	app = nla_nest_start_noflag(skb, TCA_STATS_APP);
	if (!app)
		return -EMSGSIZE;
	if (mqos_put_class_xstats(q, cl, skb)) {
		nla_nest_cancel(skb, app);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, app);
	return 0;
}

/*
 * TCA_STATS_APP of the qdisc: device counters and the classes' drop and
 * mark totals. Each class's detail is in its own class dump: with every
 * class's histograms here, a qdisc message with many classes outgrew
 * what a notification can carry (NLMSG_GOODSIZE).
 */
int mqos_dump_qdisc_xstats(struct mqos_sched *q, struct sk_buff *skb)
{
	u64 policer = 0, limit = 0, aqm = 0, other = 0, memory = 0, ecn = 0;
	struct nlattr *app;
	unsigned int id;

	for (id = 1; id <= MQOS_MAX_CLASSES; id++) {
		struct mqos_class_stats st;

		mqos_class_stats_read(&q->cls[id], &st);
		policer += st.drop_policer;
		limit += st.drop_limit;
		aqm += st.drop_aqm;
		other += st.drop_other;
		memory += st.drop_memory;
		ecn += st.ecn_marks;
	}
	app = nla_nest_start_noflag(skb, TCA_STATS_APP);
	if (!app)
		return -EMSGSIZE;
	if (mqos_put_u64(skb, TCA_MQOS_XSTATS_DEV_OVERLIMITS,
			 mqos_dev_overlimits(q)) ||
	    mqos_put_u64(skb, TCA_MQOS_XSTATS_DEV_RATE, q->cfg->rate) ||
	    mqos_put_u64(skb, TCA_MQOS_XSTATS_MEMORY_USED,
			 READ_ONCE(q->mem_used)) ||
	    mqos_put_u64(skb, TCA_MQOS_XSTATS_MEMORY_LIMIT,
			 q->cfg->memory_limit) ||
	    mqos_put_u64(skb, TCA_MQOS_XSTATS_DROP_POLICER, policer) ||
	    mqos_put_u64(skb, TCA_MQOS_XSTATS_DROP_LIMIT, limit) ||
	    mqos_put_u64(skb, TCA_MQOS_XSTATS_DROP_AQM, aqm) ||
	    mqos_put_u64(skb, TCA_MQOS_XSTATS_DROP_OTHER, other) ||
	    mqos_put_u64(skb, TCA_MQOS_XSTATS_DROP_MEMORY, memory) ||
	    mqos_put_u64(skb, TCA_MQOS_XSTATS_ECN_MARKS, ecn)) {
		nla_nest_cancel(skb, app);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, app);
	return 0;
}
