/* SPDX-License-Identifier: GPL-2.0 */
/*
 * DSCP rewriting shared by the qdisc (per class, at dequeue) and the
 * netfilter hook (per class, at PRE_ROUTING / LOCAL_OUT).
 */
#ifndef MQOS_DSFIELD_H
#define MQOS_DSFIELD_H

#include <linux/ipv6.h>
#include <linux/skbuff.h>
#include <net/checksum.h>
#include <net/dsfield.h>
#include <net/inet_ecn.h>

#include "debug.h"

/*
 * Rewrite an IPv6 header's DSCP, keeping ECN. The traffic class is not
 * under any checksum of its own, but a CHECKSUM_COMPLETE skb's csum
 * covers it: update it as IP6_ECN_set_ce() does, or the stack (an ifb,
 * local delivery) would take the packet for corrupt.
 */
static inline void mqos_ipv6_set_dscp(struct sk_buff *skb,
				      struct ipv6hdr *iph, u8 dscp)
{
	bool check = mqos_debug_csum_before(skb);
	__be32 from = *(__be32 *)iph, to;

	ipv6_change_dsfield(iph, INET_ECN_MASK, dscp << 2);
	to = *(__be32 *)iph;
	if (skb->ip_summed == CHECKSUM_COMPLETE)
		skb->csum = csum_add(csum_sub(skb->csum, (__force __wsum)from),
				     (__force __wsum)to);
	if (check)
		mqos_debug_csum_after(skb);
}

#endif /* MQOS_DSFIELD_H */
