// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Packet view: L2 tags, IPv4/IPv6 (with extension headers), L4 ports.
 * See pkt.h for what is found and the bounds that apply.
 */
#include "pkt.h"

#define IPV6_NH_HOPOPTS		0
#define IPV6_NH_ROUTING		43
#define IPV6_NH_FRAGMENT	44
#define IPV6_NH_AH		51
#define IPV6_NH_DSTOPTS		60

/* End of the IP packet: its own length field if sane, else the source. */
static u32 ip_end(u32 off, u32 ip_len, u32 src_len)
{
	/* 0 is what GSO/BIG TCP and IPv6 jumbograms leave in the field. */
	if (ip_len == 0 || off + ip_len > src_len)
		return src_len;
	return off + ip_len;
}

static void parse_l4(struct mqos_pkt *p, const struct mqos_src *src)
{
	u32 off = p->l4_off;
	u8 buf[20];
	const u8 *h;
	u32 hlen;

	switch (p->l4proto) {
	case MQOS_IPPROTO_TCP:
		hlen = 20;
		break;
	case MQOS_IPPROTO_UDP:
	case MQOS_IPPROTO_UDPLITE:
		hlen = 8;
		break;
	case MQOS_IPPROTO_SCTP:
	case MQOS_IPPROTO_DCCP:
		hlen = 4;
		break;
	default:
		return;
	}
	if (off + hlen > p->end) {
		p->flags |= MQOS_PKT_BAD;
		return;
	}
	h = mqos_src_read(src, off, hlen, buf);
	if (!h) {
		p->flags |= MQOS_PKT_BAD;
		return;
	}
	p->sport = mqos_get_be16(h);
	p->dport = mqos_get_be16(h + 2);
	p->flags |= MQOS_PKT_L4;

	if (p->l4proto == MQOS_IPPROTO_TCP) {
		hlen = (u32)(h[12] >> 4) * 4;
		if (hlen < 20 || off + hlen > p->end) {
			p->flags |= MQOS_PKT_BAD;
			return;
		}
	} else if (p->l4proto == MQOS_IPPROTO_SCTP ||
		   p->l4proto == MQOS_IPPROTO_DCCP) {
		return;
	}
	p->payload_off = off + hlen;
	p->flags |= MQOS_PKT_PAYLOAD;
}

static void parse_ipv4(struct mqos_pkt *p, const struct mqos_src *src,
		       u32 off, u32 src_len)
{
	u8 buf[20];
	const u8 *h;
	u32 hlen;
	u16 frag;

	h = mqos_src_read(src, off, 20, buf);
	if (!h || (h[0] >> 4) != 4)
		goto bad;
	hlen = (u32)(h[0] & 0x0f) * 4;
	if (hlen < 20 || off + hlen > src_len)
		goto bad;
	p->end = ip_end(off, mqos_get_be16(h + 2), src_len);
	if (off + hlen > p->end)
		goto bad;

	p->family = 4;
	p->l3_off = off;
	p->dsfield = h[1];
	p->l4proto = h[9];
	memcpy(&p->saddr[0], h + 12, 4);
	memcpy(&p->daddr[0], h + 16, 4);

	frag = mqos_get_be16(h + 6);
	if (frag & 0x3fff) {			/* MF or an offset */
		p->flags |= MQOS_PKT_FRAG;
		if (frag & 0x1fff) {
			p->flags |= MQOS_PKT_FRAG_LATER;
			return;
		}
	}
	p->l4_off = off + hlen;
	parse_l4(p, src);
	return;
bad:
	p->flags |= MQOS_PKT_BAD;
}

static void parse_ipv6(struct mqos_pkt *p, const struct mqos_src *src,
		       u32 off, u32 src_len)
{
	u8 buf[40];
	const u8 *h;
	u32 cur, len;
	u8 nh;
	int i;

	h = mqos_src_read(src, off, 40, buf);
	if (!h || (h[0] >> 4) != 6)
		goto bad;
	p->family = 6;
	p->l3_off = off;
	p->dsfield = (u8)((h[0] << 4) | (h[1] >> 4));
	memcpy(p->saddr, h + 8, 16);
	memcpy(p->daddr, h + 24, 16);
	nh = h[6];
	len = mqos_get_be16(h + 4);
	p->end = ip_end(off, len ? len + 40 : 0, src_len);

	cur = off + 40;
	for (i = 0; i < MQOS_PKT_MAX_EXTHDR; i++) {
		u8 eb[8];
		const u8 *e;

		if (nh != IPV6_NH_HOPOPTS && nh != IPV6_NH_ROUTING &&
		    nh != IPV6_NH_DSTOPTS && nh != IPV6_NH_FRAGMENT &&
		    nh != IPV6_NH_AH)
			break;
		e = cur + 8 <= p->end ? mqos_src_read(src, cur, 8, eb) : NULL;
		if (!e)
			goto bad_l4;
		if (nh == IPV6_NH_FRAGMENT) {
			len = 8;
			p->flags |= MQOS_PKT_FRAG;
			if (mqos_get_be16(e + 2) & 0xfff8)
				p->flags |= MQOS_PKT_FRAG_LATER;
		} else if (nh == IPV6_NH_AH) {
			len = ((u32)e[1] + 2) * 4;
		} else {
			len = ((u32)e[1] + 1) * 8;
		}
		nh = e[0];
		cur += len;
		if (cur > p->end)
			goto bad_l4;
		if (p->flags & MQOS_PKT_FRAG_LATER) {
			/* What follows is payload of a fragment. */
			p->l4proto = nh;
			return;
		}
	}
	p->l4proto = nh;
	if (i == MQOS_PKT_MAX_EXTHDR &&
	    (nh == IPV6_NH_HOPOPTS || nh == IPV6_NH_ROUTING ||
	     nh == IPV6_NH_DSTOPTS || nh == IPV6_NH_FRAGMENT ||
	     nh == IPV6_NH_AH)) {
		p->flags |= MQOS_PKT_EXT_LIMIT;
		return;
	}
	p->l4_off = cur;
	parse_l4(p, src);
	return;
bad_l4:
	/* The IPv6 header itself is good: keep DSCP and addresses. */
	p->l4proto = 0;
bad:
	p->flags |= MQOS_PKT_BAD;
}

void mqos_pkt_parse(struct mqos_pkt *p, const struct mqos_src *src, u32 off,
		    u16 ethertype)
{
	u32 src_len = mqos_src_len(src);
	int i;

	memset(p, 0, sizeof(*p));

	for (i = 0; i < MQOS_PKT_MAX_VLAN; i++) {
		u8 buf[4];
		const u8 *t;

		if (ethertype != MQOS_ETH_P_8021Q &&
		    ethertype != MQOS_ETH_P_8021AD)
			break;
		t = mqos_src_read(src, off, 4, buf);	/* TCI, next type */
		if (!t) {
			p->flags |= MQOS_PKT_BAD;
			return;
		}
		p->flags |= MQOS_PKT_VLAN;
		ethertype = mqos_get_be16(t + 2);
		off += 4;
	}

	if (ethertype == MQOS_ETH_P_IP)
		parse_ipv4(p, src, off, src_len);
	else if (ethertype == MQOS_ETH_P_IPV6)
		parse_ipv6(p, src, off, src_len);
}

void mqos_pkt_parse_eth(struct mqos_pkt *p, const struct mqos_src *src)
{
	u8 buf[MQOS_ETH_HLEN];
	const u8 *h = mqos_src_read(src, 0, MQOS_ETH_HLEN, buf);

	if (!h) {
		memset(p, 0, sizeof(*p));
		p->flags |= MQOS_PKT_BAD;
		return;
	}
	mqos_pkt_parse(p, src, MQOS_ETH_HLEN, mqos_get_be16(h + 12));
}
