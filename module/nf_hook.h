/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The netfilter hook of a network namespace: conntrack-sticky flow
 * classes, DSCP remarking and ingress policing (UAPI section 4).
 *
 *   nf_hook.c    per-netns state, the hook itself, what the qdisc asks
 *   nf_frame.c   MQTT stream framing per connection (nf_frame.h)
 *   genl_hook.c  MQOS_CMD_HOOK_GET / HOOK_SET
 *
 * Locking. The configuration is changed under genl_mutex (HOOK_SET) and
 * read by the datapath with READ_ONCE; a class's policer bucket is
 * changed and used under its spinlock. Counters are per CPU.
 */
#ifndef MQOS_NF_HOOK_H
#define MQOS_NF_HOOK_H

#include <linux/percpu.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <uapi/linux/mqos.h>

#include "core/tbf.h"

struct net;
struct seq_file;
struct netlink_ext_ack;

/* Hook counters of one CPU. */
struct mqos_hook_stats {
	u64 packets;
	u64 no_ct;
	u64 sticky;
	u64 raised;
	u64 decayed;
	/* MQTT stream framing (nf_frame.c, core/mqtt_stream.h) */
	u64 frame_at;		/* segments read from a known header */
	u64 frame_cont;		/* segments of continuation only, skipped */
	u64 frame_old;		/* segments seen before, skipped */
	u64 frame_ahead;	/* segments after a gap, skipped */
	u64 frame_untrusted;	/* segments while the position is unknown */
	u64 frame_syn;		/* positions learned from a handshake */
	u64 frame_resync;	/* positions learned by the resync rule */
	u64 frame_lost;		/* positions lost */
	u64 frame_full;		/* connections left without state: table full */
	u64 cls_packets[MQOS_MAX_CLASSES + 1];
	u64 remarked[MQOS_MAX_CLASSES + 1];
	u64 police_drops[MQOS_MAX_CLASSES + 1];
};

/* Per class: remarking and the ingress policer. */
struct mqos_hook_class {
	spinlock_t lock;		/* tb */
	struct mqos_tb tb;
	u64 rate;			/* bytes/s, 0 = no policer */
	u32 burst;			/* bytes */
	u8 dscp;			/* MQOS_DSCP_KEEP = no remarking */
};

/*
 * MQTT stream framing state of the netns's connections, while the hook is
 * on with conntrack: MQOS_FRAME_BUCKETS hash buckets, at most
 * MQOS_FRAME_MAX entries (one per TCP connection to an MQTT port, both
 * directions). nf_frame.c.
 */
#define MQOS_FRAME_BUCKETS	1024
#define MQOS_FRAME_MAX		4096
struct mqos_frame_table;

/* Embedded in struct mqos_net. */
struct mqos_hook_net {
	bool enabled;			/* hooks registered */
	bool ct;			/* conntrack turned on for the netns */
	u8 mode;			/* enum mqos_hook_mode */
	u32 mask;			/* ct mark bits of the flow class */
	u32 decay;			/* seconds, 0 = never falls */
	void (*ct_put)(struct net *net, u8 nfproto);	/* while ct */
	struct mqos_hook_stats __percpu *stats;
	struct mqos_frame_table __rcu *frame;	/* while ct */
	struct mqos_hook_class cls[MQOS_MAX_CLASSES + 1];	/* [0] unused */
};

/* A complete hook configuration, as HOOK_SET builds it before applying. */
struct mqos_hook_conf {
	bool enabled;
	u8 mode;
	u32 mask;
	u32 decay;
	u8 dscp[MQOS_MAX_CLASSES + 1];
	u64 rate[MQOS_MAX_CLASSES + 1];
	u32 burst[MQOS_MAX_CLASSES + 1];
};

/* Pernet (netns.c). */
int mqos_hook_net_init(struct net *net);
void mqos_hook_net_pre_exit(struct net *net);
void mqos_hook_net_exit(struct net *net);

/* Configuration (genl_hook.c, under genl_mutex). */
void mqos_hook_conf_get(struct net *net, struct mqos_hook_conf *conf);
void mqos_hook_conf_default(struct mqos_hook_conf *conf);
int mqos_hook_conf_apply(struct net *net, const struct mqos_hook_conf *conf,
			 struct netlink_ext_ack *extack);
void mqos_hook_stats_sum(struct net *net, struct mqos_hook_stats *sum);
/* Framing state entries in use now. */
u32 mqos_hook_frame_entries(struct net *net);
void mqos_hook_stats_reset(struct net *net);

/*
 * For the qdisc: the class the packet's connection earned (ct mark under
 * the mask; skb->mark under the mask when the skb has no conntrack entry,
 * as on an ifb where `action connmark` restored it), or 0. Any context.
 */
u8 mqos_hook_flow_class(const struct mqos_hook_net *hn,
			const struct sk_buff *skb);
/*
 * For the qdisc, when mqos_hook_flow_class() gave no class: true if no
 * flow state speaks for the packet (the hook off or in per-packet mode,
 * or no conntrack entry), so the default map classifies MQTT acks and
 * control packets by themselves; false for a tracked connection that has
 * not earned a class yet (it rides in its DSCP class until its first
 * PUBLISH). Any context.
 */
bool mqos_hook_per_packet(const struct mqos_hook_net *hn,
			  const struct sk_buff *skb);

/* /proc/net/mqos/hook */
int mqos_hook_proc_show(struct seq_file *m, void *v);

#endif /* MQOS_NF_HOOK_H */
