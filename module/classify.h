/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The classifier on sk_buffs: the qdisc's and the netfilter hook's entry.
 *
 * Reads the packet only through skb_header_pointer(), from the network
 * header (skb_network_offset, skb->protocol), or from the MAC header when
 * skb->protocol is an in-band 802.1Q/802.1ad tag. A hardware-accelerated
 * tag (skb_vlan_tag_present) is outside the data and skb->protocol is
 * already the inner protocol. The caller names the namespace whose rules
 * and hook apply (struct mqos_net, looked up once by the caller: the
 * qdisc keeps its device's). Callable from any context, under RCU or
 * not (it takes rcu_read_lock).
 */
#ifndef MQOS_CLASSIFY_H
#define MQOS_CLASSIFY_H

#include <linux/skbuff.h>

#include "core/classify.h"
#include "core/pkt.h"
#include "core/mqtt_stream.h"

struct mqos_net;

/*
 * The qdisc's verdict: res->class_id 1..MQOS_MAX_CLASSES, or 0 if
 * undecided (the qdisc then uses its default class). Counts rule hits
 * and malformed MQTT in @mn, the netns of the qdisc's device. Leaves the
 * packet view it parsed in @pkt, for the flow keys.
 */
void mqos_classify_skb(struct mqos_net *mn, struct sk_buff *skb,
		       struct mqos_cls_res *res, struct mqos_pkt *pkt);

/* Only the packet view (family 0 when the skb holds no IP header). */
void mqos_parse_skb(const struct sk_buff *skb, struct mqos_pkt *pkt);

/*
 * The same for a caller that knows the namespace, where the packet starts
 * (@start, from skb->data; ethertype @proto, host order) and where it was
 * (@meta): the netfilter hook. Rule hits and malformed MQTT are counted
 * only if @count (the hook does not count: the qdisc counts the packet).
 */
void mqos_classify_net(struct mqos_net *mn, struct sk_buff *skb, u16 proto,
		       int start, const struct mqos_meta *meta, bool count,
		       struct mqos_cls_res *res);

/* A TCP segment, for stream framing. Offsets from the packet start. */
struct mqos_tcp_seg {
	u32 seq;		/* sequence number of the first payload byte */
	u32 off;		/* payload */
	u32 end;		/* end of the IP packet */
	bool syn;
};

/*
 * True, and *@seg filled, if the packet at @start (ethertype @proto) is a
 * whole (not fragmented) TCP segment from or to one of the netns's MQTT
 * ports. Any context.
 */
bool mqos_classify_mqtt_seg(struct mqos_net *mn, const struct sk_buff *skb,
			    u16 proto, int start, struct mqos_tcp_seg *seg);

/* Feed @seg's payload to the stream state @st (core/mqtt_stream.h). */
void mqos_classify_mqtt_feed(const struct sk_buff *skb, int start,
			     const struct mqos_tcp_seg *seg,
			     struct mqos_mqtt_stream *st,
			     struct mqos_ms_res *res);

#endif /* MQOS_CLASSIFY_H */
