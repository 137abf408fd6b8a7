// SPDX-License-Identifier: GPL-2.0
/*
 * Which flow and which hosts a packet belongs to, for the classes' flow
 * queues (core/fq.c).
 *
 * The flow is the kernel's flow hash of the packet (addresses, protocol,
 * ports; cached in the skb). The hosts are its source and destination
 * addresses, hashed only when host isolation is on. With a conntrack
 * entry, the hosts come from the connection's original direction instead
 * of the packet's headers: on a NAT gateway's uplink every device's
 * packets carry the gateway's address, but conntrack still knows which
 * device opened the connection. nf_ct_get() reads the skb, so this needs
 * no nf_conntrack symbol (mqos.ko has no link-time dependency on it).
 */
#include <linux/jhash.h>
#include <linux/skbuff.h>
#include <linux/random.h>
#include <net/flow_dissector.h>
#include <net/netfilter/nf_conntrack.h>
#include <uapi/linux/mqos.h>

#include "sch_mqos.h"

static u32 mqos_host_seed __read_mostly;

static u32 mqos_host_hash(const void *addr, u32 len)
{
	return jhash(addr, len, mqos_host_seed);
}

/* Hosts from the connection's original direction; false without one. */
static bool mqos_flow_hosts_ct(struct sk_buff *skb, struct mqos_flow_keys *k)
{
#if IS_ENABLED(CONFIG_NF_CONNTRACK)
	const struct nf_conntrack_tuple *orig;
	enum ip_conntrack_info ctinfo;
	const union nf_inet_addr *s, *d;
	struct nf_conn *ct;
	u32 len;

	ct = nf_ct_get(skb, &ctinfo);
	if (!ct)
		return false;
	orig = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	len = orig->src.l3num == AF_INET ? sizeof(orig->src.u3.ip) :
					   sizeof(orig->src.u3.in6);
	if (CTINFO2DIR(ctinfo) == IP_CT_DIR_ORIGINAL) {
		s = &orig->src.u3;
		d = &orig->dst.u3;
	} else {
		s = &orig->dst.u3;
		d = &orig->src.u3;
	}
	k->src = mqos_host_hash(s, len);
	k->dst = mqos_host_hash(d, len);
	return true;
#else
	return false;
#endif
}

void mqos_flow_keys(struct sk_buff *skb, u8 isolation,
		    struct mqos_flow_keys *k)
{
	struct flow_keys fk;
	bool hashed = skb->l4_hash || skb->sw_hash;

	k->src = 0;
	k->dst = 0;
	if (isolation == MQOS_ISOLATE_FLOWS) {
		k->flow = skb_get_hash(skb);
		return;
	}

	net_get_random_once(&mqos_host_seed, sizeof(mqos_host_seed));
	if (mqos_flow_hosts_ct(skb, k)) {
		k->flow = skb_get_hash(skb);
		return;
	}
	/*
	 * The hosts need the packet's addresses, and an skb without a hash
	 * would be dissected a second time by skb_get_hash(): dissect once
	 * and derive the hash from the same keys, with the same flags and
	 * seed (flow_hash_from_keys()), cached in the skb as it would be.
	 */
	if (!skb_flow_dissect_flow_keys(skb, &fk,
					FLOW_DISSECTOR_F_STOP_AT_FLOW_LABEL)) {
		k->flow = skb_get_hash(skb);
		return;
	}
	if (!hashed)
		__skb_set_sw_hash(skb, flow_hash_from_keys(&fk),
				  flow_keys_have_l4(&fk));
	k->flow = skb->hash;
	switch (fk.control.addr_type) {
	case FLOW_DISSECTOR_KEY_IPV4_ADDRS:
		k->src = mqos_host_hash(&fk.addrs.v4addrs.src, 4);
		k->dst = mqos_host_hash(&fk.addrs.v4addrs.dst, 4);
		break;
	case FLOW_DISSECTOR_KEY_IPV6_ADDRS:
		k->src = mqos_host_hash(&fk.addrs.v6addrs.src, 16);
		k->dst = mqos_host_hash(&fk.addrs.v6addrs.dst, 16);
		break;
	default:
		break;
	}
}
