// SPDX-License-Identifier: GPL-2.0
/*
 * Which flow and which hosts a packet belongs to, for the classes' flow
 * queues (core/fq.c).
 *
 * The flow is the skb's hash when it has one (a local socket's, or the
 * NIC's), else a hash of the addresses, protocol and ports that the
 * classifier's parse (core/pkt.c) already read: the packet's headers are
 * walked once, not once more by the kernel's flow dissector as
 * skb_get_hash() would. Packets that parse gives no ports for (not IP,
 * fragments, ICMP, tunnels the dissector looks into) take
 * skb_get_hash(). The hosts are the source and destination addresses,
 * hashed only for the sides that host isolation counts (dual-srchost:
 * the source). With a conntrack entry, the hosts come from the
 * connection's original direction instead of the packet's headers, and
 * are looked up before any parse: on a NAT gateway's uplink every
 * device's packets carry the gateway's address, but conntrack still
 * knows which device opened the connection. nf_ct_get() reads the skb,
 * so this needs no nf_conntrack symbol (mqos.ko has no link-time
 * dependency on it).
 */
#include <linux/jhash.h>
#include <linux/skbuff.h>
#include <linux/random.h>
#include <net/netfilter/nf_conntrack.h>
#include <uapi/linux/mqos.h>

#include "classify.h"
#include "sch_mqos.h"

static u32 mqos_host_seed __read_mostly;
static u32 mqos_flow_seed __read_mostly;

/* @addr: 4 (IPv4) or 16 (IPv6) bytes, 32-bit aligned. */
static u32 mqos_host_hash(const u32 *addr, u32 len)
{
	if (len == 4)
		return jhash_1word(addr[0], mqos_host_seed);
	return jhash2(addr, 4, mqos_host_seed);
}

/*
 * The hosts that isolation counts (@src, @dst), from the connection's
 * original direction; false without a conntrack entry.
 */
static bool mqos_flow_hosts_ct(struct sk_buff *skb, bool src, bool dst,
			       struct mqos_flow_keys *k)
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
	if (src)
		k->src = mqos_host_hash(s->all, len);
	if (dst)
		k->dst = mqos_host_hash(d->all, len);
	return true;
#else
	return false;
#endif
}

/* The flow of a packet without an skb hash, from its parsed headers. */
static u32 mqos_flow_hash(struct sk_buff *skb, const struct mqos_pkt *p)
{
	u32 ports, basis;

	if (!(p->flags & MQOS_PKT_L4) ||
	    (p->flags & (MQOS_PKT_FRAG | MQOS_PKT_BAD)))
		return skb_get_hash(skb);
	net_get_random_once(&mqos_flow_seed, sizeof(mqos_flow_seed));
	ports = (u32)p->sport << 16 | p->dport;
	basis = mqos_flow_seed ^ p->l4proto;
	if (p->family == 4)
		return jhash_3words(p->saddr[0], p->daddr[0], ports, basis);
	return jhash2(p->daddr, 4, jhash2(p->saddr, 4,
					  jhash_1word(ports, basis)));
}

void mqos_flow_keys(struct sk_buff *skb, u8 isolation,
		    const struct mqos_pkt *pkt, struct mqos_flow_keys *k)
{
	bool hashed = skb->l4_hash || skb->sw_hash;
	bool src = isolation == MQOS_ISOLATE_DUAL_SRCHOST ||
		   isolation == MQOS_ISOLATE_TRIPLE;
	bool dst = isolation == MQOS_ISOLATE_DUAL_DSTHOST ||
		   isolation == MQOS_ISOLATE_TRIPLE;
	bool hosts_done = !(src || dst);	/* none wanted, or conntrack's */
	struct mqos_pkt own;
	u32 len;

	/* Only the hosts that isolation counts are hashed; the others stay 0. */
	k->src = 0;
	k->dst = 0;
	if (!hosts_done) {
		net_get_random_once(&mqos_host_seed, sizeof(mqos_host_seed));
		hosts_done = mqos_flow_hosts_ct(skb, src, dst, k);
	}
	/*
	 * A hashed skb needs no parse when no host is wanted or conntrack
	 * gave them (a local socket's packet, or one the hook saw).
	 */
	if (hashed) {
		k->flow = skb->hash;
		if (hosts_done)
			return;
	}
	/* A class from the priority, a filter or the mark: not parsed yet. */
	if (!pkt) {
		mqos_parse_skb(skb, &own);
		pkt = &own;
	}
	if (!hashed)
		k->flow = mqos_flow_hash(skb, pkt);
	if (hosts_done || !pkt->family)
		return;
	len = pkt->family == 4 ? 4 : 16;
	if (src)
		k->src = mqos_host_hash(pkt->saddr, len);
	if (dst)
		k->dst = mqos_host_hash(pkt->daddr, len);
}
