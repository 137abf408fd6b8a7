/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints of the mqos qdisc (sys/kernel/tracing/events/mqos/):
 *   mqos_enqueue  a packet queued in a class
 *   mqos_dequeue  a packet sent, with its sojourn time
 *   mqos_drop     a packet dropped, with the reason (policer, limit, aqm,
 *                 memory, other)
 * Defined in sch_mqos.c (CREATE_TRACE_POINTS).
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM mqos

#if !defined(MQOS_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define MQOS_TRACE_H

#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/tracepoint.h>

#define MQOS_DROP_REASONS			\
	EM(MQOS_DROP_POLICER, "policer")	\
	EM(MQOS_DROP_LIMIT, "limit")		\
	EM(MQOS_DROP_AQM, "aqm")		\
	EM(MQOS_DROP_MEMORY, "memory")		\
	EMe(MQOS_DROP_OTHER, "other")

#undef EM
#undef EMe
#define EM(a, b)	TRACE_DEFINE_ENUM(a);
#define EMe(a, b)	TRACE_DEFINE_ENUM(a);
MQOS_DROP_REASONS
#undef EM
#undef EMe
#define EM(a, b)	{ a, b },
#define EMe(a, b)	{ a, b }

TRACE_EVENT(mqos_enqueue,
	TP_PROTO(const struct net_device *dev, const struct sk_buff *skb,
		 u8 class_id, u32 class_qlen),
	TP_ARGS(dev, skb, class_id, class_qlen),
	TP_STRUCT__entry(
		__field(int, ifindex)
		__field(const void *, skbaddr)
		__field(unsigned int, len)
		__field(u8, class_id)
		__field(u32, class_qlen)
	),
	TP_fast_assign(
		__entry->ifindex = dev->ifindex;
		__entry->skbaddr = skb;
		__entry->len = qdisc_pkt_len(skb);
		__entry->class_id = class_id;
		__entry->class_qlen = class_qlen;
	),
	TP_printk("ifindex=%d skbaddr=%p len=%u class=%u qlen=%u",
		  __entry->ifindex, __entry->skbaddr, __entry->len,
		  __entry->class_id, __entry->class_qlen)
);

TRACE_EVENT(mqos_dequeue,
	TP_PROTO(const struct net_device *dev, const struct sk_buff *skb,
		 u8 class_id, u64 sojourn_ns, bool sparse),
	TP_ARGS(dev, skb, class_id, sojourn_ns, sparse),
	TP_STRUCT__entry(
		__field(int, ifindex)
		__field(const void *, skbaddr)
		__field(unsigned int, len)
		__field(u8, class_id)
		__field(u64, sojourn_ns)
		__field(bool, sparse)
	),
	TP_fast_assign(
		__entry->ifindex = dev->ifindex;
		__entry->skbaddr = skb;
		__entry->len = qdisc_pkt_len(skb);
		__entry->class_id = class_id;
		__entry->sojourn_ns = sojourn_ns;
		__entry->sparse = sparse;
	),
	TP_printk("ifindex=%d skbaddr=%p len=%u class=%u sojourn_ns=%llu sparse=%d",
		  __entry->ifindex, __entry->skbaddr, __entry->len,
		  __entry->class_id, __entry->sojourn_ns, __entry->sparse)
);

TRACE_EVENT(mqos_drop,
	TP_PROTO(const struct net_device *dev, const struct sk_buff *skb,
		 u8 class_id, int reason),
	TP_ARGS(dev, skb, class_id, reason),
	TP_STRUCT__entry(
		__field(int, ifindex)
		__field(const void *, skbaddr)
		__field(unsigned int, len)
		__field(u8, class_id)
		__field(int, reason)
	),
	TP_fast_assign(
		__entry->ifindex = dev->ifindex;
		__entry->skbaddr = skb;
		__entry->len = qdisc_pkt_len(skb);
		__entry->class_id = class_id;
		__entry->reason = reason;
	),
	TP_printk("ifindex=%d skbaddr=%p len=%u class=%u reason=%s",
		  __entry->ifindex, __entry->skbaddr, __entry->len,
		  __entry->class_id,
		  __print_symbolic(__entry->reason, MQOS_DROP_REASONS))
);

#endif /* MQOS_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE mqos_trace
#include <trace/define_trace.h>
