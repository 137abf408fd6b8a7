// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/net/mqos/ of every network namespace, readable by everyone:
 *
 *   classes  one row per device and class: the counters of mqosctl stats
 *            (the same numbers as the genl dump and tc -s class show)
 *   rules    one row per rule: pref, class, hits, and what it matches
 *   hook     the netfilter hook: state, counters, per-class remark and
 *            ingress policer (nf_hook.c)
 *
 * Delays are in microseconds; percentiles come from the class's log2
 * sojourn histogram with linear interpolation inside the bucket
 * (core/hist.c), jitter is the mean absolute difference of consecutive
 * sojourn times.
 */
#include <linux/kernel.h>
#include <linux/netdevice.h>
#include <linux/proc_fs.h>
#include <linux/rtnetlink.h>
#include <linux/seq_file.h>
#include <net/net_namespace.h>
#include <net/sch_generic.h>
#include <uapi/linux/mqos.h>

#include "mqos.h"
#include "genl.h"
#include "sch_mqos.h"
#include "core/dscp.h"

static u64 mqos_us(u64 ns)
{
	return div_u64(ns, NSEC_PER_USEC);
}

static void mqos_proc_class(struct seq_file *m, struct net_device *dev,
			    struct mqos_sched *q, unsigned int id)
{
	const struct mqos_class *cl = &q->cls[id];
	u64 bytes, packets, p50, p99, sp99, jitter = 0;
	const struct mqos_class_stats *st;
	const struct mqos_hist *h;
	struct mqos_class_snap *s;
	unsigned int start;

	s = kmalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return;
	do {
		start = u64_stats_fetch_begin(&cl->bstats.syncp);
		bytes = u64_stats_read(&cl->bstats.bytes);
		packets = u64_stats_read(&cl->bstats.packets);
	} while (u64_stats_fetch_retry(&cl->bstats.syncp, start));
	mqos_class_snapshot(cl, s);
	st = &s->st;
	h = &s->hist;
	if (h->count > 1)
		jitter = div64_u64(h->jitter_sum_ns, h->count - 1);
	p50 = mqos_hist_percentile(h->buckets, MQOS_HIST_BUCKETS, h->min_ns,
				   h->max_ns, 500);
	p99 = mqos_hist_percentile(h->buckets, MQOS_HIST_BUCKETS, h->min_ns,
				   h->max_ns, 990);
	sp99 = mqos_hist_percentile(s->sparse.buckets, MQOS_HIST_BUCKETS, 0,
				    s->sparse.max_ns, 990);

	seq_printf(m, "%-15s %5u %-15s %4u %12llu %15llu %7u %10u %9llu %9llu %9llu %9llu %9llu %9llu %9llu %9llu %9llu %9llu %9llu %6u %6u %6u %9llu %9llu\n",
		   dev->name, id, q->cfg->cls[id].name, q->cfg->cls[id].prio,
		   packets, bytes, READ_ONCE(cl->q.qlen), READ_ONCE(cl->backlog),
		   st->drop_policer, st->drop_limit, st->drop_aqm,
		   st->drop_other, st->ecn_marks, st->overlimits,
		   mqos_us(p50), mqos_us(p99), mqos_us(h->max_ns),
		   mqos_us(jitter), st->drop_memory,
		   q->cfg->cls[id].flows, READ_ONCE(cl->fq.new_flows.count),
		   READ_ONCE(cl->fq.old_flows.count),
		   s->way_collisions, mqos_us(sp99));
	kfree(s);
}

static int mqos_proc_classes_show(struct seq_file *m, void *v)
{
	struct net *net = seq_file_single_net(m);
	struct net_device *dev;
	struct mqos_sched *q;
	struct Qdisc *sch;
	unsigned int id;

	seq_printf(m, "%-15s %5s %-15s %4s %12s %15s %7s %10s %9s %9s %9s %9s %9s %9s %9s %9s %9s %9s %9s %6s %6s %6s %9s %9s\n",
		   "dev", "class", "name", "prio", "sent_pkts", "sent_bytes",
		   "backlog", "backlog_b", "drop_pol", "drop_lim", "drop_aqm",
		   "drop_oth", "ecn_mark", "overlim", "p50_us", "p99_us",
		   "max_us", "jitter_us", "drop_mem", "flows", "sparse",
		   "bulk", "way_cols", "sp_p99_us");
	/* A qdisc's configuration is replaced and freed under RTNL. */
	rtnl_lock();
	for_each_netdev(net, dev) {
		sch = mqos_dev_qdisc(dev);
		if (!sch)
			continue;
		q = qdisc_priv(sch);
		for (id = 1; id <= MQOS_MAX_CLASSES; id++)
			if (q->cfg->cls[id].present)
				mqos_proc_class(m, dev, q, id);
	}
	rtnl_unlock();
	return 0;
}

static void mqos_proc_set(struct seq_file *m, const char *key, u32 set,
			  const char *const *names, unsigned int n)
{
	const char *sep = " ";
	unsigned int i;

	seq_printf(m, " %s", key);
	for (i = 0; i < n; i++) {
		if (!(set & BIT(i)))
			continue;
		seq_printf(m, "%s%s", sep, names[i]);
		sep = ",";
	}
}

static void mqos_proc_match(struct seq_file *m, const struct mqos_rule *r)
{
	static const char *const qos[] = { "0", "1", "2", "-1" };
	static const char *const kinds[] = {
		"publish", "ack1", "ack2", "control", "subscribe",
	};
	const char *sep = " ";
	const char *name;
	unsigned int d;

	if (!r->match)
		seq_puts(m, " all");
	if (r->match & MQOS_RULE_DSCP) {
		seq_puts(m, " dscp");
		for (d = 0; d < 64; d++) {
			if (!(r->dscp & BIT_ULL(d)))
				continue;
			name = mqos_dscp_name(d);
			if (name)
				seq_printf(m, "%s%s", sep, name);
			else
				seq_printf(m, "%s%u", sep, d);
			sep = ",";
		}
	}
	if (r->match & MQOS_RULE_MQTT_QOS)
		mqos_proc_set(m, "mqtt-qos", r->mqtt_qos, qos, 3);
	if (r->match & MQOS_RULE_KIND)
		mqos_proc_set(m, "mqtt-kind", r->kinds, kinds,
			      ARRAY_SIZE(kinds));
	if (r->match & MQOS_RULE_TOPIC)
		seq_printf(m, " mqtt-topic \"%*pE\"", r->topic_len, r->topic);
	if (r->match & MQOS_RULE_SN_QOS)
		mqos_proc_set(m, "mqttsn-qos", r->sn_qos, qos, 4);
	if (r->match & MQOS_RULE_PROTO)
		seq_printf(m, " proto %u", r->proto);
	if (r->match & MQOS_RULE_SPORT)
		seq_printf(m, " sport %u-%u", r->sport_lo, r->sport_hi);
	if (r->match & MQOS_RULE_DPORT)
		seq_printf(m, " dport %u-%u", r->dport_lo, r->dport_hi);
	if ((r->match & MQOS_RULE_SADDR) && r->family == 4)
		seq_printf(m, " src %pI4/%u", r->src, r->src_plen);
	if ((r->match & MQOS_RULE_SADDR) && r->family == 6)
		seq_printf(m, " src %pI6c/%u", r->src, r->src_plen);
	if ((r->match & MQOS_RULE_DADDR) && r->family == 4)
		seq_printf(m, " dst %pI4/%u", r->dst, r->dst_plen);
	if ((r->match & MQOS_RULE_DADDR) && r->family == 6)
		seq_printf(m, " dst %pI6c/%u", r->dst, r->dst_plen);
	if (r->match & MQOS_RULE_IIF)
		seq_printf(m, " iif %d", r->iif);
	if (r->match & MQOS_RULE_OIF)
		seq_printf(m, " oif %d", r->oif);
}

static int mqos_proc_rules_show(struct seq_file *m, void *v)
{
	struct net *net = seq_file_single_net(m);
	struct mqos_net *mn = mqos_pernet(net);
	const struct mqos_ctl_rules *t;
	u64 packets, bytes;
	u32 i;

	seq_printf(m, "%10s %5s %12s %15s %s\n", "pref", "class", "hits_pkts",
		   "hits_bytes", "match");
	rcu_read_lock();
	t = rcu_dereference(mn->ctl.rules);
	for (i = 0; t && i < t->n; i++) {
		const struct mqos_rule *r = &t->krs->rs.rules[i];

		mqos_rules_read_hits(t->krs, i, &packets, &bytes);
		seq_printf(m, "%10u %5u %12llu %15llu", t->pref[i], r->class_id,
			   packets, bytes);
		mqos_proc_match(m, r);
		seq_putc(m, '\n');
	}
	rcu_read_unlock();
	return 0;
}

int mqos_proc_net_init(struct net *net)
{
	struct mqos_ctl_net *ctl = &mqos_pernet(net)->ctl;

	ctl->proc = proc_net_mkdir(net, "mqos", net->proc_net);
	if (!ctl->proc)
		return -ENOMEM;
	if (!proc_create_net_single("classes", 0444, ctl->proc,
				    mqos_proc_classes_show, NULL) ||
	    !proc_create_net_single("rules", 0444, ctl->proc,
				    mqos_proc_rules_show, NULL) ||
	    !proc_create_net_single("hook", 0444, ctl->proc,
				    mqos_hook_proc_show, NULL)) {
		remove_proc_subtree("mqos", net->proc_net);
		return -ENOMEM;
	}
	return 0;
}

void mqos_proc_net_exit(struct net *net)
{
	remove_proc_subtree("mqos", net->proc_net);
}
