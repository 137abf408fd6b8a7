/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Packet view: what the classifier needs from L2/L3/L4 headers.
 *
 * mqos_pkt_parse() walks, with bounded loops and no recursion:
 *   - up to MQOS_PKT_MAX_VLAN in-band 802.1Q / 802.1ad tags (QinQ);
 *   - IPv4 (options skipped by IHL) or IPv6 with up to MQOS_PKT_MAX_EXTHDR
 *     extension headers (hop-by-hop, routing, destination options,
 *     fragment, AH);
 *   - the L4 ports of TCP, UDP, UDP-Lite, SCTP and DCCP, and the payload
 *     offset of TCP and UDP.
 * Only a first fragment (or an unfragmented packet) carries L4; for a
 * non-first fragment l4proto is known but MQOS_PKT_L4 is not set.
 *
 * A packet that is not IP, or whose IP header is truncated or invalid,
 * gives family 0 (DSCP unknown). Never reads outside the source.
 */
#ifndef MQOS_CORE_PKT_H
#define MQOS_CORE_PKT_H

#include "env.h"
#include "src.h"

#define MQOS_PKT_MAX_VLAN	2
#define MQOS_PKT_MAX_EXTHDR	8

#define MQOS_ETH_P_IP		0x0800
#define MQOS_ETH_P_IPV6		0x86DD
#define MQOS_ETH_P_8021Q	0x8100
#define MQOS_ETH_P_8021AD	0x88A8
#define MQOS_ETH_HLEN		14

#define MQOS_IPPROTO_TCP	6
#define MQOS_IPPROTO_UDP	17
#define MQOS_IPPROTO_DCCP	33
#define MQOS_IPPROTO_SCTP	132
#define MQOS_IPPROTO_UDPLITE	136

/* struct mqos_pkt.flags */
#define MQOS_PKT_L4		BIT(0)	/* sport/dport valid */
#define MQOS_PKT_PAYLOAD	BIT(1)	/* payload_off valid (TCP, UDP) */
#define MQOS_PKT_FRAG		BIT(2)	/* a fragment (first or not) */
#define MQOS_PKT_FRAG_LATER	BIT(3)	/* a non-first fragment: no L4 */
#define MQOS_PKT_VLAN		BIT(4)	/* at least one in-band tag seen */
#define MQOS_PKT_BAD		BIT(5)	/* L3/L4 header invalid or cut short */
#define MQOS_PKT_EXT_LIMIT	BIT(6)	/* IPv6 chain longer than the bound */

/*
 * 56 bytes; built on the stack once per packet. Addresses are in network
 * byte order; an IPv4 address is in saddr[0] / daddr[0], the rest zero.
 */
struct mqos_pkt {
	u32 saddr[4];
	u32 daddr[4];
	u32 l3_off;		/* IPv4/IPv6 header */
	u32 l4_off;		/* L4 header (valid with MQOS_PKT_L4) */
	u32 payload_off;	/* TCP/UDP payload (with MQOS_PKT_PAYLOAD) */
	u32 end;		/* end of the IP packet within the source */
	u16 sport;		/* host byte order */
	u16 dport;
	u8 family;		/* 4, 6, or 0 when not IP */
	u8 dsfield;		/* DSCP << 2 | ECN */
	u8 l4proto;		/* IPPROTO_*, or 0 */
	u8 flags;		/* MQOS_PKT_* */
};

static inline u8 mqos_pkt_dscp(const struct mqos_pkt *p)
{
	return p->dsfield >> 2;
}

static inline u8 mqos_pkt_ecn(const struct mqos_pkt *p)
{
	return p->dsfield & 3;
}

/*
 * Parse from offset @off of @src, where the bytes that follow an ethertype
 * @ethertype (host byte order) start: an IP header, or the TCI of a VLAN
 * tag if @ethertype is 802.1Q/802.1ad. Fills @p (always fully).
 */
void mqos_pkt_parse(struct mqos_pkt *p, const struct mqos_src *src, u32 off,
		    u16 ethertype);

/* Same, for a source that starts with an Ethernet header. */
void mqos_pkt_parse_eth(struct mqos_pkt *p, const struct mqos_src *src);

#endif /* MQOS_CORE_PKT_H */
