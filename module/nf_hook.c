// SPDX-License-Identifier: GPL-2.0
/*
 * The netfilter hook of a network namespace (UAPI section 4).
 *
 * Where it hooks
 * --------------
 * IPv4 and IPv6, PRE_ROUTING and LOCAL_OUT, at NF_IP_PRI_CONNTRACK + 1:
 *  - right after conntrack, so nf_ct_get() finds the packet's entry (the
 *    one both directions of a connection share) and the first packet of a
 *    connection is already marked when it reaches the qdisc;
 *  - PRE_ROUTING sees every packet that enters (forwarded and locally
 *    delivered) before routing, NAT and the filter tables, so the ingress
 *    policer cuts a flood before the forwarding path spends anything on it,
 *    and rules see the addresses the device used (before DNAT);
 *  - LOCAL_OUT adds what the gateway itself sends (a local broker's acks).
 * FORWARD + LOCAL_OUT would police later (after routing); POST_ROUTING
 * would classify after SNAT, where a masqueraded device's address is gone.
 * The price: the output device is not known at PRE_ROUTING, so OIF rules
 * do not match here (the qdisc still applies them per packet).
 *
 * Conntrack without a hard dependency
 * -----------------------------------
 * Reading and writing ct->mark needs no nf_conntrack symbol (nf_ct_get()
 * is inline). Conntrack must however be on in the namespace, which takes
 * nf_ct_netns_get(): that one is looked up with symbol_request() when the
 * hook is enabled (loading nf_conntrack on demand), and released when it
 * is disabled. mqos.ko thus loads without nf_conntrack; when it cannot be
 * had, the hook classifies packet by packet and says so (conntrack 0).
 *
 * Writing the mark does not send a ctnetlink event (that would need
 * nf_conntrack symbols on every update); `conntrack -L` still shows it.
 *
 * The MQTT stream framing state the hook reads segments with is in
 * nf_frame.c.
 */
#include <linux/module.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <net/dsfield.h>
#include <net/inet_ecn.h>
#include <net/netfilter/nf_conntrack.h>

#include "classify.h"
#include "debug.h"
#include "dsfield.h"
#include "mqos.h"
#include "nf_frame.h"
#include "nf_hook.h"
#include "core/flow.h"

static struct mqos_hook_net *mqos_hook_net(const struct net *net)
{
	return &mqos_pernet(net)->hook;
}

/* ---- conntrack --------------------------------------------------------- */

#if MQOS_HAVE_CT
static struct nf_conn *mqos_hook_ct(const struct sk_buff *skb)
{
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct = nf_ct_get(skb, &ctinfo);

	if (!ct || nf_ct_is_template(ct))
		return NULL;
	return ct;
}

/* The decay clock: epochs of half the decay time (core/flow.h). */
static u32 mqos_hook_epoch(u32 decay)
{
	unsigned long len = max_t(unsigned long, 1, (unsigned long)decay * HZ / 2);

	return (u32)(jiffies / len);
}

/*
 * Raise the connection's class in its mark to @earned if that is higher,
 * or let it fall by decay (@decay seconds, 0 = off). Other bits of the
 * mark (a firewall's) are never touched, even when a CONNMARK rule writes
 * them at the same time. Returns the class the connection has now;
 * *@events tells what changed (MQOS_FLOW_*).
 */
static u8 mqos_hook_ct_update(struct nf_conn *ct, u32 mask, u32 decay,
			      u8 earned, unsigned int *events)
{
	u32 epoch = decay ? mqos_hook_epoch(decay) : 0;
	u32 old = READ_ONCE(ct->mark), new;
	u8 cls;

	do {
		new = mqos_flow_update(old, mask, earned, decay != 0, epoch,
				       &cls, events);
		if (new == old)
			return cls;
	} while (!try_cmpxchg(&ct->mark, &old, new));
	return cls;
}

/*
 * Conntrack for @net, when nf_conntrack can be loaded: without it the
 * hook classifies each packet on its own (design.md, section 7). An error
 * of conntrack's own (no memory for its hooks) is returned: the hook is
 * then not switched on, rather than on without the connections it was
 * asked to follow.
 */
static int mqos_hook_ct_on(struct net *net, struct mqos_hook_net *hn)
{
	int (*get)(struct net *net, u8 nfproto);
	void (*put)(struct net *net, u8 nfproto);
	int err = 0;

	get = symbol_request(nf_ct_netns_get);
	if (!get)
		return 0;
	put = symbol_get(nf_ct_netns_put);
	if (put)
		err = get(net, NFPROTO_INET);
	if (put && !err) {
		/* put's module reference pins nf_conntrack until ct_off. */
		hn->ct_put = put;
		WRITE_ONCE(hn->ct, true);
	} else if (put) {
		symbol_put(nf_ct_netns_put);
	}
	symbol_put(nf_ct_netns_get);
	return err;
}

static void mqos_hook_ct_off(struct net *net, struct mqos_hook_net *hn)
{
	if (!hn->ct)
		return;
	hn->ct_put(net, NFPROTO_INET);
	hn->ct_put = NULL;
	WRITE_ONCE(hn->ct, false);
	symbol_put(nf_ct_netns_put);
}

#else
static int mqos_hook_ct_on(struct net *net, struct mqos_hook_net *hn)
{
	return 0;
}

static void mqos_hook_ct_off(struct net *net, struct mqos_hook_net *hn) {}
#endif

u32 mqos_hook_frame_entries(struct net *net)
{
	return mqos_frame_count(mqos_hook_net(net));
}

/* ---- the hook ------------------------------------------------------------ */

/* Rewrite the DSCP, keeping ECN (and the IPv4 checksum). True if changed. */
static bool mqos_hook_remark(struct sk_buff *skb, u8 pf, u8 dscp)
{
	unsigned int len = skb_network_offset(skb);

	if (pf == NFPROTO_IPV4) {
		len += sizeof(struct iphdr);
		if (ipv4_get_dsfield(ip_hdr(skb)) >> 2 == dscp ||
		    skb_ensure_writable(skb, len))
			return false;
		ipv4_change_dsfield(ip_hdr(skb), INET_ECN_MASK, dscp << 2);
	} else {
		len += sizeof(struct ipv6hdr);
		if (ipv6_get_dsfield(ipv6_hdr(skb)) >> 2 == dscp ||
		    skb_ensure_writable(skb, len))
			return false;
		mqos_ipv6_set_dscp(skb, ipv6_hdr(skb), dscp);
	}
	return true;
}

static bool mqos_hook_police(struct mqos_hook_class *hc, u32 len)
{
	bool ok;

	spin_lock_bh(&hc->lock);
	ok = mqos_tb_police(&hc->tb, len, ktime_get_ns());
	spin_unlock_bh(&hc->lock);
	return ok;
}

static unsigned int mqos_nf_hook(void *priv, struct sk_buff *skb,
				 const struct nf_hook_state *state)
{
	struct mqos_net *mn = mqos_pernet(state->net);
	struct mqos_hook_net *hn = &mn->hook;
	u8 mode = READ_ONCE(hn->mode);
	struct mqos_hook_class *hc;
	struct mqos_meta meta = {};
	struct mqos_cls_res res;
	u8 cls, dscp;
	u16 proto = state->pf == NFPROTO_IPV4 ? ETH_P_IP : ETH_P_IPV6;
	bool framed = false;
#if MQOS_HAVE_CT
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct;
#endif

	if (state->in)
		meta.iif = state->in->ifindex;
	if (state->out)
		meta.oif = state->out->ifindex;
#if MQOS_HAVE_CT
	ct = mqos_hook_ct(skb);
	/* No conntrack entry, no flow to be sticky in: per packet. */
	meta.packet_mode = mode == MQOS_HOOK_MODE_PACKET || !ct;
	if (ct && nf_ct_protonum(ct) == IPPROTO_TCP && nf_ct_get(skb, &ctinfo))
		framed = mqos_frame_seg(mn, skb, proto, ct, CTINFO2DIR(ctinfo),
					&meta);
#else
	meta.packet_mode = true;
#endif
	mqos_classify_net(mn, skb, proto, skb_network_offset(skb),
			  &meta, false, &res);
	cls = res.class_id;
	this_cpu_inc(hn->stats->packets);

#if MQOS_HAVE_CT
	if (!ct) {
		this_cpu_inc(hn->stats->no_ct);
	} else if (mode == MQOS_HOOK_MODE_STICKY &&
		   nf_ct_protonum(ct) == IPPROTO_TCP) {
		/*
		 * Only a PUBLISH whose header starts at a known stream
		 * position earns; everything rides in what was earned.
		 */
		u8 earned = framed && (res.flags & MQOS_CLS_PUBLISH) ? cls : 0;
		unsigned int events;
		u8 flow;

		flow = mqos_hook_ct_update(ct, READ_ONCE(hn->mask),
					   READ_ONCE(hn->decay), earned, &events);
		if (events & MQOS_FLOW_RAISED)
			this_cpu_inc(hn->stats->raised);
		if (events & MQOS_FLOW_DECAYED)
			this_cpu_inc(hn->stats->decayed);
		if (flow) {
			cls = flow;
			this_cpu_inc(hn->stats->sticky);
		}
	}
#else
	this_cpu_inc(hn->stats->no_ct);
#endif
	if (!cls || cls > MQOS_MAX_CLASSES)
		return NF_ACCEPT;
	this_cpu_inc(hn->stats->cls_packets[cls]);

	hc = &hn->cls[cls];
	if (state->hook == NF_INET_PRE_ROUTING && READ_ONCE(hc->rate) &&
	    !mqos_hook_police(hc, skb->len)) {
		this_cpu_inc(hn->stats->police_drops[cls]);
		return NF_DROP;
	}
	dscp = READ_ONCE(hc->dscp);
	if (dscp != MQOS_DSCP_KEEP && mqos_hook_remark(skb, state->pf, dscp))
		this_cpu_inc(hn->stats->remarked[cls]);
	return NF_ACCEPT;
}

static const struct nf_hook_ops mqos_nf_ops[] = {
	{
		.hook		= mqos_nf_hook,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP_PRI_CONNTRACK + 1,
	}, {
		.hook		= mqos_nf_hook,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_LOCAL_OUT,
		.priority	= NF_IP_PRI_CONNTRACK + 1,
	}, {
		.hook		= mqos_nf_hook,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP6_PRI_CONNTRACK + 1,
	}, {
		.hook		= mqos_nf_hook,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_LOCAL_OUT,
		.priority	= NF_IP6_PRI_CONNTRACK + 1,
	},
};

/* ---- what the qdisc asks --------------------------------------------------- */

u8 mqos_hook_flow_class(const struct mqos_hook_net *hn,
			const struct sk_buff *skb)
{
#if MQOS_HAVE_CT
	struct nf_conn *ct;

	if (!READ_ONCE(hn->enabled) ||
	    READ_ONCE(hn->mode) != MQOS_HOOK_MODE_STICKY)
		return 0;
	ct = mqos_hook_ct(skb);
	if (ct)
		return mqos_flow_mark_class(READ_ONCE(ct->mark),
					    READ_ONCE(hn->mask));
	/*
	 * No conntrack entry: a packet on an ifb before PRE_ROUTING, whose
	 * ct mark `action connmark` copied into skb->mark ahead of the
	 * mirred redirect. The class bits mean the same there.
	 */
	return mqos_flow_mark_class(skb->mark, READ_ONCE(hn->mask));
#else
	return 0;
#endif
}

bool mqos_hook_per_packet(const struct mqos_hook_net *hn,
			  const struct sk_buff *skb)
{
	if (!READ_ONCE(hn->enabled) ||
	    READ_ONCE(hn->mode) == MQOS_HOOK_MODE_PACKET)
		return true;
#if MQOS_HAVE_CT
	return !mqos_hook_ct(skb);
#else
	return true;
#endif
}

/* ---- configuration (genl_mutex) -------------------------------------------- */

static int mqos_hook_enable(struct net *net, struct mqos_hook_net *hn)
{
	int err;

	err = mqos_hook_ct_on(net, hn);
	if (err)
		return err;
	if (hn->ct) {
		err = mqos_frame_on(hn);
		if (err)
			goto ct_off;
	}
	err = nf_register_net_hooks(net, mqos_nf_ops, ARRAY_SIZE(mqos_nf_ops));
	if (err)
		goto frame_off;
	mqos_obj_created(MQOS_OBJ_HOOK);
	WRITE_ONCE(hn->enabled, true);
	return 0;

frame_off:
	mqos_frame_off(hn);
ct_off:
	mqos_hook_ct_off(net, hn);
	return err;
}

static void mqos_hook_disable(struct net *net, struct mqos_hook_net *hn)
{
	if (!hn->enabled)
		return;
	WRITE_ONCE(hn->enabled, false);
	/* Waits until no packet is inside mqos_nf_hook() any more. */
	nf_unregister_net_hooks(net, mqos_nf_ops, ARRAY_SIZE(mqos_nf_ops));
	mqos_frame_off(hn);
	mqos_hook_ct_off(net, hn);
	mqos_obj_destroyed(MQOS_OBJ_HOOK);
}

void mqos_hook_conf_default(struct mqos_hook_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	conf->mode = MQOS_HOOK_MODE_STICKY;
	conf->mask = MQOS_HOOK_DEFAULT_MASK;
	memset(conf->dscp, MQOS_DSCP_KEEP, sizeof(conf->dscp));
}

void mqos_hook_conf_get(struct net *net, struct mqos_hook_conf *conf)
{
	struct mqos_hook_net *hn = mqos_hook_net(net);
	unsigned int i;

	conf->enabled = hn->enabled;
	conf->mode = hn->mode;
	conf->mask = hn->mask;
	conf->decay = hn->decay;
	for (i = 0; i <= MQOS_MAX_CLASSES; i++) {
		conf->dscp[i] = hn->cls[i].dscp;
		conf->rate[i] = hn->cls[i].rate;
		conf->burst[i] = hn->cls[i].burst;
	}
}

/* @conf is valid (genl_hook.c checked it). Nothing changes on an error. */
int mqos_hook_conf_apply(struct net *net, const struct mqos_hook_conf *conf,
			 struct netlink_ext_ack *extack)
{
	struct mqos_hook_net *hn = mqos_hook_net(net);
	u64 now = ktime_get_ns();
	unsigned int i;
	int err;

	if (conf->enabled && !hn->enabled) {
		err = mqos_hook_enable(net, hn);
		if (err) {
			NL_SET_ERR_MSG(extack, "cannot switch the hook on");
			return err;
		}
	}
	WRITE_ONCE(hn->mode, conf->mode);
	WRITE_ONCE(hn->mask, conf->mask);
	WRITE_ONCE(hn->decay, conf->decay);
	for (i = 1; i <= MQOS_MAX_CLASSES; i++) {
		struct mqos_hook_class *hc = &hn->cls[i];

		WRITE_ONCE(hc->dscp, conf->dscp[i]);
		if (hc->rate == conf->rate[i] && hc->burst == conf->burst[i])
			continue;
		spin_lock_bh(&hc->lock);
		mqos_tb_init(&hc->tb, conf->rate[i], conf->burst[i], now);
		hc->burst = conf->burst[i];
		WRITE_ONCE(hc->rate, conf->rate[i]);
		spin_unlock_bh(&hc->lock);
	}
	if (!conf->enabled)
		mqos_hook_disable(net, hn);
	return 0;
}

void mqos_hook_stats_sum(struct net *net, struct mqos_hook_stats *sum)
{
	struct mqos_hook_net *hn = mqos_hook_net(net);
	unsigned int cpu, i;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct mqos_hook_stats *s = per_cpu_ptr(hn->stats, cpu);

		sum->packets += READ_ONCE(s->packets);
		sum->no_ct += READ_ONCE(s->no_ct);
		sum->sticky += READ_ONCE(s->sticky);
		sum->raised += READ_ONCE(s->raised);
		sum->decayed += READ_ONCE(s->decayed);
		sum->frame_at += READ_ONCE(s->frame_at);
		sum->frame_cont += READ_ONCE(s->frame_cont);
		sum->frame_old += READ_ONCE(s->frame_old);
		sum->frame_ahead += READ_ONCE(s->frame_ahead);
		sum->frame_untrusted += READ_ONCE(s->frame_untrusted);
		sum->frame_syn += READ_ONCE(s->frame_syn);
		sum->frame_resync += READ_ONCE(s->frame_resync);
		sum->frame_lost += READ_ONCE(s->frame_lost);
		sum->frame_full += READ_ONCE(s->frame_full);
		for (i = 0; i <= MQOS_MAX_CLASSES; i++) {
			sum->cls_packets[i] += READ_ONCE(s->cls_packets[i]);
			sum->remarked[i] += READ_ONCE(s->remarked[i]);
			sum->police_drops[i] += READ_ONCE(s->police_drops[i]);
		}
	}
}

/* Counters being incremented meanwhile may keep a few counts: harmless. */
void mqos_hook_stats_reset(struct net *net)
{
	struct mqos_hook_net *hn = mqos_hook_net(net);
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		memset(per_cpu_ptr(hn->stats, cpu), 0,
		       sizeof(struct mqos_hook_stats));
}

/* ---- /proc/net/mqos/hook --------------------------------------------------- */

int mqos_hook_proc_show(struct seq_file *m, void *v)
{
	struct net *net = seq_file_single_net(m);
	struct mqos_hook_net *hn = mqos_hook_net(net);
	struct mqos_hook_stats *sum;
	unsigned int i;

	sum = kmalloc(sizeof(*sum), GFP_KERNEL);
	if (!sum)
		return -ENOMEM;
	mqos_hook_stats_sum(net, sum);
	seq_printf(m, "enabled %u\nmode %s\nmask 0x%08x\ndecay %u\nconntrack %u\n",
		   READ_ONCE(hn->enabled),
		   READ_ONCE(hn->mode) == MQOS_HOOK_MODE_PACKET ? "packet" :
		   "sticky", READ_ONCE(hn->mask), READ_ONCE(hn->decay),
		   READ_ONCE(hn->ct));
	seq_printf(m, "packets %llu\nno_ct %llu\nsticky %llu\nraised %llu\ndecayed %llu\n",
		   sum->packets, sum->no_ct, sum->sticky, sum->raised,
		   sum->decayed);
	seq_printf(m, "frame_entries %u\nframe_max %u\nframe_full %llu\n",
		   mqos_frame_count(hn), MQOS_FRAME_MAX, sum->frame_full);
	seq_printf(m, "frame_at %llu\nframe_cont %llu\nframe_old %llu\nframe_ahead %llu\nframe_untrusted %llu\n",
		   sum->frame_at, sum->frame_cont, sum->frame_old,
		   sum->frame_ahead, sum->frame_untrusted);
	seq_printf(m, "frame_syn %llu\nframe_resync %llu\nframe_lost %llu\n",
		   sum->frame_syn, sum->frame_resync, sum->frame_lost);
	seq_printf(m, "%5s %6s %12s %10s %12s %12s %12s\n", "class", "remark",
		   "police_rate", "burst", "packets", "remarked", "police_drop");
	for (i = 1; i <= MQOS_MAX_CLASSES; i++) {
		const struct mqos_hook_class *hc = &hn->cls[i];
		u8 dscp = READ_ONCE(hc->dscp);

		if (dscp == MQOS_DSCP_KEEP && !READ_ONCE(hc->rate) &&
		    !sum->cls_packets[i] && !sum->police_drops[i])
			continue;
		seq_printf(m, "%5u ", i);
		if (dscp == MQOS_DSCP_KEEP)
			seq_printf(m, "%6s", "-");
		else
			seq_printf(m, "%6u", dscp);
		seq_printf(m, " %12llu %10u %12llu %12llu %12llu\n",
			   READ_ONCE(hc->rate), READ_ONCE(hc->burst),
			   sum->cls_packets[i], sum->remarked[i],
			   sum->police_drops[i]);
	}
	kfree(sum);
	return 0;
}

/* ---- per network namespace ----------------------------------------------- */

int mqos_hook_net_init(struct net *net)
{
	struct mqos_hook_net *hn = mqos_hook_net(net);
	unsigned int i;

	hn->stats = alloc_percpu(struct mqos_hook_stats);
	if (!hn->stats)
		return -ENOMEM;
	mqos_obj_created(MQOS_OBJ_HOOK_STATS);
	hn->enabled = false;
	hn->ct = false;
	RCU_INIT_POINTER(hn->frame, NULL);
	hn->mode = MQOS_HOOK_MODE_STICKY;
	hn->mask = MQOS_HOOK_DEFAULT_MASK;
	hn->decay = 0;
	for (i = 0; i <= MQOS_MAX_CLASSES; i++) {
		spin_lock_init(&hn->cls[i].lock);
		hn->cls[i].dscp = MQOS_DSCP_KEEP;
		hn->cls[i].rate = 0;
		hn->cls[i].burst = 0;
		mqos_tb_init(&hn->cls[i].tb, 0, 0, 0);
	}
	return 0;
}

/*
 * pre_exit: before any pernet exit, so conntrack (whose pernet ops may
 * have been registered after ours, when the hook loaded it) is still
 * fully there when we give it back.
 */
void mqos_hook_net_pre_exit(struct net *net)
{
	mqos_hook_disable(net, mqos_hook_net(net));
}

void mqos_hook_net_exit(struct net *net)
{
	struct mqos_hook_net *hn = mqos_hook_net(net);

	free_percpu(hn->stats);
	hn->stats = NULL;
	mqos_obj_destroyed(MQOS_OBJ_HOOK_STATS);
}
