// SPDX-License-Identifier: GPL-2.0
/*
 * sk_buff glue of the classifier: struct mqos_src over skb_header_pointer,
 * and the per-netns rules. The decisions are in core/classify.c.
 */
#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/if_vlan.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>

#include "classify.h"
#include "mqos.h"
#include "core/pkt.h"

/* Bytes [base, base + len) of an skb, whatever its layout. */
struct mqos_src {
	const struct sk_buff *skb;
	int base;
	u32 len;
};

const void *mqos_src_read(const struct mqos_src *src, u32 off, u32 len,
			  void *buf)
{
	if (off > src->len || len > src->len - off)
		return NULL;
	return skb_header_pointer(src->skb, src->base + (int)off, (int)len,
				  buf);
}

u32 mqos_src_len(const struct mqos_src *src)
{
	return src->len;
}

/* The bytes from @start to the end of the skb; false if @start is not in it. */
static bool mqos_src_init(struct mqos_src *src, const struct sk_buff *skb,
			  int start)
{
	if (start < 0 || start > (int)skb->len)
		return false;
	src->skb = skb;
	src->base = start;
	src->len = skb->len - (u32)start;
	return true;
}

/* mqos_classify_net(), leaving the parsed packet view in @pkt. */
static void mqos_classify_net_pkt(struct mqos_net *mn, struct sk_buff *skb,
				  u16 proto, int start,
				  const struct mqos_meta *meta, bool count,
				  struct mqos_cls_res *res,
				  struct mqos_pkt *pkt)
{
	struct mqos_rules_net *rn = &mn->rules;
	struct mqos_kruleset *krs;
	struct mqos_src src;

	res->class_id = 0;
	res->flags = 0;
	res->rule = -1;
	if (!mqos_src_init(&src, skb, start)) {
		memset(pkt, 0, sizeof(*pkt));
		return;
	}
	mqos_pkt_parse(pkt, &src, 0, proto);

	rcu_read_lock();
	krs = rcu_dereference(rn->cur);
	mqos_classify_pkt(&src, pkt, meta, krs ? &krs->rs : NULL, res);
	if (count && krs && res->rule >= 0)
		mqos_rules_hit(krs, res->rule, skb->len);
	if (count && (res->flags & MQOS_CLS_MALFORMED))
		atomic64_inc(&rn->malformed);
	rcu_read_unlock();
}

void mqos_classify_net(struct mqos_net *mn, struct sk_buff *skb, u16 proto,
		       int start, const struct mqos_meta *meta, bool count,
		       struct mqos_cls_res *res)
{
	struct mqos_pkt pkt;

	mqos_classify_net_pkt(mn, skb, proto, start, meta, count, res, &pkt);
}

bool mqos_classify_mqtt_seg(struct mqos_net *mn, const struct sk_buff *skb,
			    u16 proto, int start, struct mqos_tcp_seg *seg)
{
	const struct mqos_cls_cfg *cfg = &mqos_cls_default_cfg;
	struct mqos_kruleset *krs;
	struct mqos_src src;
	struct mqos_pkt pkt;
	u8 buf[14];
	const u8 *h;
	bool ok = false;
	int i;

	if (!mqos_src_init(&src, skb, start))
		return false;
	mqos_pkt_parse(&pkt, &src, 0, proto);
	if (pkt.l4proto != MQOS_IPPROTO_TCP ||
	    (pkt.flags & (MQOS_PKT_BAD | MQOS_PKT_FRAG)) ||
	    !(pkt.flags & MQOS_PKT_PAYLOAD))
		return false;
	h = mqos_src_read(&src, pkt.l4_off, sizeof(buf), buf);
	if (!h)
		return false;

	rcu_read_lock();
	krs = rcu_dereference(mn->rules.cur);
	if (krs)
		cfg = &krs->rs.cfg;
	for (i = 0; i < MQOS_CFG_PORTS; i++)
		if (cfg->mqtt_ports[i] && (cfg->mqtt_ports[i] == pkt.sport ||
					   cfg->mqtt_ports[i] == pkt.dport))
			ok = true;
	rcu_read_unlock();
	if (!ok)
		return false;
	seg->seq = get_unaligned_be32(h + 4);
	seg->syn = h[13] & 0x02;	/* TCP flags: SYN */
	seg->off = pkt.payload_off;
	seg->end = pkt.end;
	return true;
}

void mqos_classify_mqtt_feed(const struct sk_buff *skb, int start,
			     const struct mqos_tcp_seg *seg,
			     struct mqos_mqtt_stream *st,
			     struct mqos_ms_res *res)
{
	struct mqos_src src = {
		.skb = skb,
		.base = start,
		.len = skb->len - (u32)start,
	};

	mqos_mqtt_stream_seg(st, seg->seq, seg->syn, &src, seg->off, seg->end,
			     res);
}

/*
 * Where the skb's headers start: the network header, or the in-band tag
 * after the MAC header when skb->protocol is 802.1Q/802.1ad; -1 if that
 * tag cannot be reached. *@proto: the ethertype there (host order).
 */
static int mqos_skb_start(const struct sk_buff *skb, u16 *proto)
{
	*proto = ntohs(skb->protocol);
	if (*proto == ETH_P_8021Q || *proto == ETH_P_8021AD) {
		if (!skb->dev || skb->dev->type != ARPHRD_ETHER ||
		    !skb_mac_header_was_set(skb))
			return -1;
		return skb_mac_offset(skb) + ETH_HLEN;
	}
	return skb_network_offset(skb);
}

void mqos_classify_skb(struct mqos_net *mn, struct sk_buff *skb,
		       struct mqos_cls_res *res, struct mqos_pkt *pkt)
{
	struct mqos_meta meta = {};
	u16 proto;
	int start = mqos_skb_start(skb, &proto);

	if (skb->dev) {
		meta.oif = skb->dev->ifindex;
		meta.iif = skb->skb_iif;
	}
	meta.packet_mode = mqos_hook_per_packet(&mn->hook, skb);
	mqos_classify_net_pkt(mn, skb, proto, start, &meta, true, res, pkt);
}

void mqos_parse_skb(const struct sk_buff *skb, struct mqos_pkt *pkt)
{
	struct mqos_src src;
	u16 proto;

	if (mqos_src_init(&src, skb, mqos_skb_start(skb, &proto)))
		mqos_pkt_parse(pkt, &src, 0, proto);
	else
		memset(pkt, 0, sizeof(*pkt));
}
