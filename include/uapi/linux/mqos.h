/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * mqos - DiffServ and MQTT-QoS aware traffic control.
 *
 * This header is the contract between the kernel module (mqos.ko) and
 * userspace (mqosctl, tc). It is included unchanged by both sides.
 *
 * Sections:
 *   1. Limits and class numbering shared by everything.
 *   2. The qdisc's rtnetlink attributes (TCA_MQOS_*), used by tc.
 *   3. The generic netlink family "mqos" (mqosctl).
 */
#ifndef _UAPI_LINUX_MQOS_H
#define _UAPI_LINUX_MQOS_H

#include <linux/types.h>

#define MQOS_VERSION_STR	"0.1.0"

/*
 * 1. Limits.
 *
 * Classes are numbered 1..MQOS_MAX_CLASSES; 0 means "no class / not
 * decided". The tc class id of class N is <qdisc major>:N.
 */
#define MQOS_MAX_CLASSES	16
#define MQOS_NUM_DEFAULT_CLASSES 5

/* The default class set (docs/design.md section 3). */
enum mqos_default_class {
	MQOS_CLASS_NONE = 0,
	MQOS_CLASS_CONTROL = 1,
	MQOS_CLASS_REALTIME = 2,
	MQOS_CLASS_ASSURED = 3,
	MQOS_CLASS_BEST_EFFORT = 4,
	MQOS_CLASS_BULK = 5,
};

#define MQOS_DEFAULT_LIMIT_PKTS	1000

/*
 * 2. Qdisc attributes (TCA_OPTIONS of "mqos").
 *
 * `tc qdisc add ... mqos` gives the default class set (see
 * module/sch_mqos_cfg.c for the table), then applies the attributes below
 * if any were given; RTM_NEWQDISC with NLM_F_REPLACE ("change") on an
 * existing mqos qdisc takes the same. Every attribute is optional and what
 * is absent stays as it is. A change is
 * validated as a whole and applied atomically: on any error nothing
 * changes and the extack message names the attribute.
 *
 * Rates are in bytes per second (like tc's u64 rate attributes), sizes in
 * bytes, times in microseconds.
 *
 * Dumps (`tc qdisc show`) return the whole configuration in the same
 * attributes, with one TCA_MQOS_CLASSES_CLASS nest (inside TCA_MQOS_CLASSES)
 * per configured class.
 */
enum {
	TCA_MQOS_UNSPEC,
	TCA_MQOS_PAD,
	TCA_MQOS_RATE,		/* u64: device rate, bytes/s; 0 = line rate */
	TCA_MQOS_OVERHEAD,	/* u32: bytes added to every packet, 0..256 */
	TCA_MQOS_DEFAULT_CLASS,	/* u8: class of unclassified packets */
	TCA_MQOS_CLASSES,	/* nest of TCA_MQOS_CLASS nests */
	TCA_MQOS_RESET_STATS,	/* flag: zero all counters (change only) */
	TCA_MQOS_ISOLATION,	/* u8: enum mqos_isolation */
	TCA_MQOS_MEMORY_LIMIT,	/* u32: bytes of skb truesize queued, all
				 * classes together; 0 = the default
				 * (MQOS_DEFAULT_MEMORY_LIMIT)
				 */
	TCA_MQOS_CLASSES_REPLACE, /* flag: TCA_MQOS_CLASSES is the whole
				   * class set: classes not in it are
				   * deleted, each listed class starts
				   * from the defaults (mqosctl load)
				   */
	TCA_MQOS_INGRESS,	/* u8: 1 = ingress mode (the qdisc shapes
				 * what already crossed the link, e.g. on
				 * an ifb): a dropped packet is charged
				 * to the device rate as if it had been
				 * sent (at most one burst of debt; an
				 * unresponsive flood above the rate
				 * leaves little room for the rest);
				 * 0 = egress (the default)
				 */
	__TCA_MQOS_MAX
};

#define TCA_MQOS_MAX (__TCA_MQOS_MAX - 1)

/*
 * Fairness inside a class with flow queues (TCA_MQOS_ISOLATION). A flow is
 * a connection (addresses, protocol, ports); a host is one address. With
 * conntrack, the connection's original direction names the hosts, so
 * devices behind NAT stay apart. "dual-srchost": every source host gets an
 * equal share of the class first, then its flows share that; the default,
 * for an uplink where the devices are the sources. "dual-dsthost": the same
 * by destination, for a downlink. "triple": both.
 */
enum mqos_isolation {
	MQOS_ISOLATE_FLOWS,		/* flows only */
	MQOS_ISOLATE_DUAL_SRCHOST,	/* default */
	MQOS_ISOLATE_DUAL_DSTHOST,
	MQOS_ISOLATE_TRIPLE,
	__MQOS_ISOLATE_MAX
};

#define MQOS_DEFAULT_MEMORY_LIMIT	(4U << 20)	/* bytes */
#define MQOS_DEFAULT_FLOWS		1024	/* flow queues per class */
#define MQOS_MAX_FLOWS			16384
#define MQOS_FLOW_WAYS			8	/* set-associative hashing */

/* Inside TCA_MQOS_CLASSES: any number of these. */
enum {
	TCA_MQOS_CLASSES_UNSPEC,
	TCA_MQOS_CLASSES_CLASS,	/* nest of TCA_MQOS_CLASS_* */
	__TCA_MQOS_CLASSES_MAX
};

#define TCA_MQOS_CLASSES_MAX (__TCA_MQOS_CLASSES_MAX - 1)

#define MQOS_CLASS_NAME_LEN	16	/* including the NUL */
#define MQOS_NUM_PRIOS		8	/* priorities 0 (highest) .. 7 */
#define MQOS_DSCP_KEEP		0xff	/* TCA_MQOS_CLASS_DSCP: no remarking */
/*
 * TCA_MQOS_CLASS_AQM_MODE: what the AQM does when the sojourn time dips
 * below target once drops have begun. DECAY keeps the drop count and lets
 * it decay by one per control-law interval (as COBALT does); CODEL ends
 * the dropping state and waits a whole interval above target again
 * (RFC 8289).
 */
#define MQOS_AQM_MODE_DECAY	0
#define MQOS_AQM_MODE_CODEL	1
#define MQOS_AQM_MODE_MAX	1
#define MQOS_MIN_QUANTUM	256
#define MQOS_MAX_RATE		125000000000ULL	/* bytes/s: 1 Tbit/s */
#define MQOS_MAX_OVERHEAD	256

/*
 * One class. TCA_MQOS_CLASS_ID is required. A class that does not exist
 * yet is created (starting from the best-effort defaults) unless
 * TCA_MQOS_CLASS_DELETE is given, which removes it (dropping its queue);
 * the default class cannot be deleted.
 *
 * Guaranteed rate and ceiling are given absolute (RATE, CEIL) or as a
 * percentage of the device rate (RATE_PCT, CEIL_PCT); an absolute value
 * other than 0 wins. With the device at line rate (TCA_MQOS_RATE 0), a
 * percentage means "no limit".
 */
enum {
	TCA_MQOS_CLASS_UNSPEC,
	TCA_MQOS_CLASS_PAD,
	TCA_MQOS_CLASS_ID,		/* u8: 1..MQOS_MAX_CLASSES */
	TCA_MQOS_CLASS_DELETE,		/* flag */
	TCA_MQOS_CLASS_NAME,		/* string, < MQOS_CLASS_NAME_LEN */
	TCA_MQOS_CLASS_PRIO,		/* u8: 0..MQOS_NUM_PRIOS - 1 */
	TCA_MQOS_CLASS_RATE,		/* u64: guaranteed, bytes/s; 0 = none */
	TCA_MQOS_CLASS_CEIL,		/* u64: ceiling, bytes/s; 0 = none */
	TCA_MQOS_CLASS_RATE_PCT,	/* u8: 0..100 % of the device rate */
	TCA_MQOS_CLASS_CEIL_PCT,	/* u8: 0..100 % of the device rate */
	TCA_MQOS_CLASS_QUANTUM,		/* u32: DRR quantum, bytes */
	TCA_MQOS_CLASS_LIMIT,		/* u32: queue limit, packets */
	TCA_MQOS_CLASS_LIMIT_BYTES,	/* u32: queue limit, bytes */
	TCA_MQOS_CLASS_POLICE_RATE,	/* u64: bytes/s; 0 = no policer */
	TCA_MQOS_CLASS_POLICE_BURST,	/* u32: bytes */
	TCA_MQOS_CLASS_POLICE_DEMOTE,	/* u8: class for excess; 0 = drop */
	TCA_MQOS_CLASS_AQM_TARGET,	/* u32: us; 0 = AQM off */
	TCA_MQOS_CLASS_AQM_INTERVAL,	/* u32: us */
	TCA_MQOS_CLASS_ECN,		/* u8: 1 = mark ECT packets, not drop */
	TCA_MQOS_CLASS_DSCP,		/* u8: remark on dequeue, or DSCP_KEEP */
	TCA_MQOS_CLASS_FLOWS,		/* u32: flow queues, 0 = one FIFO, else
					 * a power of two, MQOS_FLOW_WAYS ..
					 * MQOS_MAX_FLOWS; changing it drops
					 * the class's queue
					 */
	TCA_MQOS_CLASS_AQM_MODE,	/* u8: MQOS_AQM_MODE_*; default CODEL */
	__TCA_MQOS_CLASS_MAX
};

#define TCA_MQOS_CLASS_MAX (__TCA_MQOS_CLASS_MAX - 1)

/*
 * 2b. Statistics (TCA_STATS_APP of the qdisc and of each class).
 *
 * Nested attributes, so that counters can be added without breaking
 * readers. Counters are u64 unless noted; times in ns. The sojourn fields
 * are raw sums so that a reader can compute means over any interval:
 * mean = DELAY_SUM / DELAY_COUNT, jitter = JITTER_SUM / (DELAY_COUNT - 1).
 * DELAY_HIST holds MQOS_HIST_NBUCKETS u64 attributes, attribute type b + 1
 * for bucket b: bucket 0 is [0, 1 us), bucket b is [2^(b-1), 2^b) us, the
 * last bucket is everything above.
 *
 * A class's stats (tc -s class show) are one set of TCA_MQOS_XSTATS_*.
 * The qdisc's stats carry device-level counters, the memory in use, and
 * the classes' totals of DROP_* and ECN_MARKS; per-class detail is only in
 * the class dumps (TCA_MQOS_XSTATS_CLASSES is no longer sent), so that a
 * qdisc message stays small enough for a notification.
 */
#define MQOS_HIST_NBUCKETS	24

enum {
	TCA_MQOS_XSTATS_UNSPEC,
	TCA_MQOS_XSTATS_PAD,
	TCA_MQOS_XSTATS_CLASS_ID,	/* u8 */
	TCA_MQOS_XSTATS_NAME,		/* string */
	TCA_MQOS_XSTATS_PRIO,		/* u8 */
	TCA_MQOS_XSTATS_ENQ_PACKETS,
	TCA_MQOS_XSTATS_ENQ_BYTES,
	TCA_MQOS_XSTATS_SENT_PACKETS,
	TCA_MQOS_XSTATS_SENT_BYTES,
	TCA_MQOS_XSTATS_BACKLOG_PACKETS,	/* u32 */
	TCA_MQOS_XSTATS_BACKLOG_BYTES,		/* u32 */
	TCA_MQOS_XSTATS_DROP_POLICER,
	TCA_MQOS_XSTATS_DROP_LIMIT,
	TCA_MQOS_XSTATS_DROP_AQM,
	TCA_MQOS_XSTATS_DROP_OTHER,	/* e.g. GSO segmentation failed */
	TCA_MQOS_XSTATS_DEMOTED,	/* packets the policer moved out */
	TCA_MQOS_XSTATS_ECN_MARKS,
	TCA_MQOS_XSTATS_OVERLIMITS,	/* times the ceiling was reached */
	TCA_MQOS_XSTATS_DELAY_COUNT,
	TCA_MQOS_XSTATS_DELAY_SUM,
	TCA_MQOS_XSTATS_DELAY_MIN,
	TCA_MQOS_XSTATS_DELAY_MAX,
	TCA_MQOS_XSTATS_JITTER_SUM,
	TCA_MQOS_XSTATS_DELAY_HIST,	/* nest, see above */
	TCA_MQOS_XSTATS_CLASSES,	/* unused (was: nest of class nests) */
	TCA_MQOS_XSTATS_DEV_OVERLIMITS,	/* qdisc only: device rate reached */
	TCA_MQOS_XSTATS_DEV_RATE,	/* qdisc only: effective rate, bytes/s */
	TCA_MQOS_XSTATS_DROP_MEMORY,	/* over the qdisc's memory limit */
	TCA_MQOS_XSTATS_FLOWS,		/* u32: flow queues (0 = FIFO) */
	TCA_MQOS_XSTATS_FLOWS_SPARSE,	/* u32: flows now on the new list */
	TCA_MQOS_XSTATS_FLOWS_BULK,	/* u32: flows now on the old list */
	TCA_MQOS_XSTATS_WAY_COLLISIONS,	/* flows that had to share a queue */
	TCA_MQOS_XSTATS_HOSTS,		/* u32: hosts with queued flows */
	TCA_MQOS_XSTATS_MEMORY_USED,	/* qdisc only: bytes (truesize) */
	TCA_MQOS_XSTATS_MEMORY_LIMIT,	/* qdisc only: bytes */
	TCA_MQOS_XSTATS_SPARSE_COUNT,	/* sojourn of packets sent from */
	TCA_MQOS_XSTATS_SPARSE_SUM,	/* new (sparse) flows: count, sum, */
	TCA_MQOS_XSTATS_SPARSE_MAX,	/* max (ns) and histogram, as for */
	TCA_MQOS_XSTATS_SPARSE_HIST,	/* DELAY_* */
	__TCA_MQOS_XSTATS_MAX
};

#define TCA_MQOS_XSTATS_MAX (__TCA_MQOS_XSTATS_MAX - 1)

/*
 * 3. The generic netlink family "mqos".
 *
 * The control plane of mqosctl. Every command works on the caller's
 * network namespace. Commands that change something need CAP_NET_ADMIN in
 * that namespace's user namespace; GETs and dumps are open to everyone.
 * Every command has its own strict policy: an attribute that the command
 * does not take, a wrong length or an out-of-range value is rejected with
 * EINVAL (or ERANGE) and an extended ACK message naming the attribute; the
 * ACK's offset points at it. The genl header's reserved field must be 0.
 *
 * Devices are named by MQOS_A_IFINDEX or MQOS_A_IFNAME (IFINDEX wins);
 * their root qdisc must be "mqos", else ENOENT / EOPNOTSUPP with "no mqos
 * qdisc on DEV". Device and class configuration travels in the qdisc's own
 * format (section 2), so the kernel has one parser for tc and mqosctl:
 *
 *   MQOS_A_QDISC   nest of TCA_MQOS_* (like the qdisc's TCA_OPTIONS)
 *   MQOS_A_CLASS   nest of TCA_MQOS_CLASS_* (one class; ID required)
 *
 * Commands (request attributes -> reply):
 *
 * MQOS_CMD_DEV_GET     doit: IFINDEX|IFNAME -> one device message
 *                      dump: every device with an mqos root qdisc.
 *                      Device message: IFINDEX, IFNAME, QDISC (the whole
 *                      configuration: RATE, OVERHEAD, DEFAULT_CLASS,
 *                      CLASSES), GENERATION.
 * MQOS_CMD_DEV_SET     retired: EOPNOTSUPP. A qdisc's configuration
 *                      changes through rtnetlink only (RTM_NEWQDISC as `tc
 *                      qdisc change`, section 2), which notifies it.
 * MQOS_CMD_CLASS_GET   doit: IFINDEX|IFNAME and CLASS_ID -> one class
 *                      message; dump (optional IFINDEX|IFNAME filter): one
 *                      message per class. Class message: IFINDEX, IFNAME,
 *                      CLASS (every TCA_MQOS_CLASS_* of it).
 * MQOS_CMD_CLASS_SET   retired: EOPNOTSUPP (RTM_NEWTCLASS, or
 * MQOS_CMD_CLASS_DEL   RTM_NEWQDISC with a TCA_MQOS_CLASSES_CLASS nest).
 * MQOS_CMD_RULE_GET    doit: one message with MQOS_A_RULE_DEFAULT.
 *                      dump: one message per rule, in table order:
 *                      RULE (with PREF and the HITS counters).
 * MQOS_CMD_RULE_ADD    RULE. Rules are kept ordered by PREF (first match
 *                      wins); without PREF the rule goes last (pref = last
 *                      + 10). A PREF already in the table is EEXIST.
 *                      Hit counters of the other rules are kept.
 * MQOS_CMD_RULE_DEL    PREF.
 * MQOS_CMD_RULE_FLUSH  no attributes: no rules (MQOS_A_RULE_DEFAULT stays;
 *                      with its default, MAP, the built-in default map)
 *                      (the MQTT ports of section 5 stay).
 * MQOS_CMD_CONFIG_REPLACE
 *                      any number of DEVICE nests (each: IFINDEX|IFNAME,
 *                      QDISC), and/or RULES and/or PORTS (section 5)
 *                      and/or RULE_DEFAULT. Everything is validated first
 *                      - each device's configuration as the qdisc would
 *                      parse it, the whole rule table as it would be
 *                      compiled - and only then applied; on any error
 *                      nothing has changed and the extended ACK names the
 *                      element ("rule 3: ...", and its offset). RULES
 *                      given replaces the rule table (an empty nest =
 *                      flush; new table, counters from zero); absent keeps
 *                      it. PORTS as in PORTS_SET, applied with the rules.
 *                      DEVICE nests are only validated and need CHECK
 *                      (without it: EOPNOTSUPP; a qdisc changes through
 *                      rtnetlink). Per device, in QDISC: RATE/OVERHEAD/
 *                      DEFAULT_CLASS as in a change; CLASSES is the whole
 *                      class set, as with TCA_MQOS_CLASSES_REPLACE.
 *                      With CHECK nothing is applied at all: mqosctl load
 *                      validates a whole file this way, then replaces each
 *                      qdisc with one RTM_NEWQDISC and the rules here.
 * MQOS_CMD_STATS_GET   dump (optional IFINDEX|IFNAME filter), messages:
 *                      - netns (first, without filter): MALFORMED,
 *                        GENERATION;
 *                      - per device: IFINDEX, IFNAME, DEV_RATE,
 *                        DEV_OVERLIMITS, SENT_PACKETS, SENT_BYTES, DROPS,
 *                        BACKLOG;
 *                      - per class: IFINDEX, IFNAME, CLASS_ID, XSTATS (a
 *                        nest of TCA_MQOS_XSTATS_*, as in section 2b);
 *                      - per rule (without filter): RULE.
 *                      Tell them apart by CLASS_ID / RULE / IFINDEX.
 * MQOS_CMD_STATS_RESET optional IFINDEX|IFNAME: zero that device's counters;
 *                      without: every mqos device of the netns and the
 *                      rule hit counters.
 *
 * Dumps of any size: a dump that spans several messages while the
 * configuration changes is flagged NLM_F_DUMP_INTR; retry it.
 */
#define MQOS_GENL_NAME		"mqos"
#define MQOS_GENL_VERSION	1

enum mqos_cmd {
	MQOS_CMD_UNSPEC,
	MQOS_CMD_DEV_GET,
	MQOS_CMD_DEV_SET,
	MQOS_CMD_CLASS_GET,
	MQOS_CMD_CLASS_SET,
	MQOS_CMD_CLASS_DEL,
	MQOS_CMD_RULE_GET,
	MQOS_CMD_RULE_ADD,
	MQOS_CMD_RULE_DEL,
	MQOS_CMD_RULE_FLUSH,
	MQOS_CMD_CONFIG_REPLACE,
	MQOS_CMD_STATS_GET,
	MQOS_CMD_STATS_RESET,
	MQOS_CMD_HOOK_GET,
	MQOS_CMD_HOOK_SET,
	MQOS_CMD_PORTS_GET,
	MQOS_CMD_PORTS_SET,
	__MQOS_CMD_MAX
};

#define MQOS_CMD_MAX (__MQOS_CMD_MAX - 1)

enum mqos_attr {
	MQOS_A_UNSPEC,
	MQOS_A_PAD,
	MQOS_A_IFINDEX,		/* u32 */
	MQOS_A_IFNAME,		/* string, < IFNAMSIZ (16) */
	MQOS_A_QDISC,		/* nest: TCA_MQOS_* */
	MQOS_A_CLASS,		/* nest: TCA_MQOS_CLASS_* */
	MQOS_A_CLASS_ID,	/* u8: 1..MQOS_MAX_CLASSES */
	MQOS_A_RULE,		/* nest: MQOS_RULE_A_* */
	MQOS_A_RULES,		/* nest: MQOS_A_RULE nests, in order */
	MQOS_A_DEVICE,		/* nest: IFINDEX|IFNAME, QDISC (CONFIG_REPLACE) */
	MQOS_A_PREF,		/* u32: rule preference (RULE_DEL) */
	MQOS_A_XSTATS,		/* nest: TCA_MQOS_XSTATS_* of one class */
	MQOS_A_DEV_RATE,	/* u64: effective device rate, bytes/s */
	MQOS_A_DEV_OVERLIMITS,	/* u64: times the device rate was reached */
	MQOS_A_SENT_PACKETS,	/* u64: qdisc totals */
	MQOS_A_SENT_BYTES,	/* u64 */
	MQOS_A_DROPS,		/* u64 */
	MQOS_A_BACKLOG,		/* u32: packets queued */
	MQOS_A_MALFORMED,	/* u64: malformed MQTT/MQTT-SN seen (netns) */
	MQOS_A_GENERATION,	/* u32: bumped by every configuration change */
	MQOS_A_HOOK,		/* nest: MQOS_HOOK_A_* (HOOK_GET, HOOK_SET) */
	MQOS_A_PORTS,		/* nest: MQOS_PORTS_A_* (section 5) */
	MQOS_A_RULE_DEFAULT,	/* u8: MQOS_RULE_DEFAULT_* or a class 1..16 */
	MQOS_A_CHECK,		/* flag: CONFIG_REPLACE validates only */
	__MQOS_A_MAX
};

/*
 * MQOS_A_RULE_DEFAULT: what a packet that matches no rule gets.
 *   MQOS_RULE_DEFAULT_MAP     the built-in DSCP/MQTT default map (the
 *                             default: rules refine the map)
 *   1..MQOS_MAX_CLASSES       that class
 *   MQOS_RULE_DEFAULT_DEVICE  the qdisc's TCA_MQOS_DEFAULT_CLASS (what a
 *                             table with rules did before this attribute)
 * Read with RULE_GET as a doit (no NLM_F_DUMP): one message with
 * MQOS_A_RULE_DEFAULT. Set with RULE_ADD carrying MQOS_A_RULE_DEFAULT and
 * no MQOS_A_RULE (the rules stay), or with CONFIG_REPLACE next to RULES
 * (absent: unchanged). RULE_FLUSH keeps it.
 */
#define MQOS_RULE_DEFAULT_MAP		0
#define MQOS_RULE_DEFAULT_DEVICE	0xff

#define MQOS_A_MAX (__MQOS_A_MAX - 1)

/* MQOS_RULE_A_KINDS bits. */
#define MQOS_RULE_KIND_PUBLISH		(1U << 0)
#define MQOS_RULE_KIND_ACK1		(1U << 1)	/* PUBACK */
#define MQOS_RULE_KIND_ACK2		(1U << 2)	/* PUBREC/PUBREL/PUBCOMP */
#define MQOS_RULE_KIND_CONTROL		(1U << 3)	/* CONNECT, PINGREQ... */
#define MQOS_RULE_KIND_SUBSCRIBE	(1U << 4)	/* (UN)SUBSCRIBE, ..ACK */
#define MQOS_RULE_KIND_ALL		0x1f

#define MQOS_RULE_TOPIC_MAX	64	/* bytes of a topic prefix */
#define MQOS_RULE_MAX		4096	/* rules per namespace */

/*
 * One rule (MQOS_A_RULE). Every match attribute is optional; those given
 * must all match (AND); a rule without any matches every packet. CLASS is
 * required on input. HITS_* appear in dumps only.
 */
enum mqos_rule_attr {
	MQOS_RULE_A_UNSPEC,
	MQOS_RULE_A_PAD,
	MQOS_RULE_A_PREF,	/* u32: order, lowest first */
	MQOS_RULE_A_CLASS,	/* u8: 1..MQOS_MAX_CLASSES */
	MQOS_RULE_A_DSCP,	/* u64: set of DSCPs, bit d = DSCP d */
	MQOS_RULE_A_MQTT_QOS,	/* u8: bits 0..2 = PUBLISH QoS 0..2 */
	MQOS_RULE_A_KINDS,	/* u8: MQOS_RULE_KIND_* */
	MQOS_RULE_A_TOPIC,	/* binary: PUBLISH topic prefix, 0..64 bytes */
	MQOS_RULE_A_SN_QOS,	/* u8: bits 0..2 = QoS 0..2, bit 3 = QoS -1 */
	MQOS_RULE_A_PROTO,	/* u8: IPPROTO_* */
	MQOS_RULE_A_SPORT_MIN,	/* u16: source port range; MAX defaults */
	MQOS_RULE_A_SPORT_MAX,	/* u16   to MIN */
	MQOS_RULE_A_DPORT_MIN,	/* u16: destination port range */
	MQOS_RULE_A_DPORT_MAX,	/* u16 */
	MQOS_RULE_A_SRC,	/* binary: 4 (IPv4) or 16 (IPv6) bytes */
	MQOS_RULE_A_SRC_PLEN,	/* u8: prefix length; default full */
	MQOS_RULE_A_DST,	/* binary: 4 or 16 bytes, same family as SRC */
	MQOS_RULE_A_DST_PLEN,	/* u8 */
	MQOS_RULE_A_IIF,	/* u32: input ifindex */
	MQOS_RULE_A_OIF,	/* u32: output ifindex */
	MQOS_RULE_A_HITS_PACKETS,	/* u64 (dumps) */
	MQOS_RULE_A_HITS_BYTES,		/* u64 (dumps) */
	__MQOS_RULE_A_MAX
};

#define MQOS_RULE_A_MAX (__MQOS_RULE_A_MAX - 1)

/*
 * 4. The netfilter hook (per network namespace; off by default).
 *
 * MQOS_CMD_HOOK_GET    doit, no attributes -> one message with MQOS_A_HOOK:
 *                      ENABLED, MODE, MASK, DECAY, CONNTRACK, the counters,
 *                      and one MQOS_HOOK_A_CLASS nest per class 1..16 (ID,
 *                      REMARK, POLICE_RATE, POLICE_BURST and its counters).
 * MQOS_CMD_HOOK_SET    MQOS_A_HOOK with any of ENABLED, MODE, MASK, DECAY,
 *                      CLASS nests (ID required), RESET, RESET_STATS. What
 *                      is absent stays as it is; with RESET everything
 *                      starts from the defaults first (off, sticky, default
 *                      mask, no decay, no remark, no policer). Validated as
 *                      a whole (DECAY needs a MASK of 8 bits or more), then
 *                      applied; on an error nothing changes.
 *
 * When enabled, mqos registers netfilter hooks in the namespace for IPv4
 * and IPv6 at PRE_ROUTING (forwarded and locally delivered traffic) and
 * LOCAL_OUT (locally generated traffic), at priority
 * NF_IP_PRI_CONNTRACK + 1: right after conntrack has attached its entry,
 * before NAT and the mangle/filter tables, so that an ingress flood is
 * policed before routing and forwarding spend anything on it. Each packet
 * is classified by the namespace's rules there (IIF rules match; OIF rules
 * do not, the output device is not known yet), then:
 *
 *  - Flow stickiness (MODE sticky, the default; TCP connections only):
 *    the class a connection earned is kept in its conntrack mark, in the
 *    bits of MASK. Only a PUBLISH (its QoS, its topic) raises it. A lower
 *    class id is a higher class. Without DECAY it never falls. With DECAY
 *    (seconds), a class that no PUBLISH has earned again for between 1
 *    and 1.5 times DECAY falls at the connection's next packet (to what
 *    that packet earns, else to none). Its age lives in the mask bits
 *    above the low 5 (the class), so DECAY needs a wider MASK, e.g.
 *    0x00ff0000: 3 bits count half-DECAY epochs. A connection silent for
 *    3.5 x DECAY or longer may read as fresh once more and fall a DECAY
 *    later; one that sends anything (a keepalive) at least every
 *    2.5 x DECAY falls in time (see module/core/flow.h).
 *    Before the first PUBLISH the mark bits are 0 and every packet keeps
 *    the class the rules give it without MQTT (DSCP, ports). The mqos
 *    qdisc reads the mark back for every packet of the connection, both
 *    directions, including segments that start mid-message: the override
 *    order is skb->priority, then this mark, then the rules.
 *    UDP (MQTT-SN) is always classified per packet.
 *  - MODE packet: no marks; every packet on its own, control packets to
 *    control and acks by their QoS level (also in the qdisc).
 *  - Conntrack is used when available: enabling the hook asks for the
 *    nf_conntrack module (loaded on demand, no hard dependency) and turns
 *    it on in the namespace. Without it, packets are classified one by one
 *    (CONNTRACK 0 and the NO_CT counter say so).
 *  - Per class, optional DSCP remarking (ECN bits kept, IPv4 checksum
 *    fixed) and an ingress policer (token bucket; packets over it are
 *    dropped at PRE_ROUTING and counted; locally generated traffic is not
 *    policed).
 */
/*
 * Default MASK: ct mark bits 16..20 (a class 1..16 needs 5 bits). Chosen
 * away from the low 16 bits (firewall zones, policy routing fwmarks, the
 * values people write by hand: 0x1, 0xff, 0x4000/0x8000 of kube-proxy,
 * 0x3f00 of mwan3) and from the top byte, where act_ctinfo keeps a DSCP
 * (0xfc000000 plus the 0x01000000 state bit). Rule hits and malformed-MQTT
 * counters count the qdisc's decisions, not the hook's (a packet would be
 * counted twice).
 */
#define MQOS_HOOK_DEFAULT_MASK	0x001f0000U
#define MQOS_HOOK_DECAY_MAX	604800U		/* a week, in seconds */

enum mqos_hook_mode {
	MQOS_HOOK_MODE_STICKY = 0,
	MQOS_HOOK_MODE_PACKET = 1,
};

enum mqos_hook_attr {
	MQOS_HOOK_A_UNSPEC,
	MQOS_HOOK_A_PAD,
	MQOS_HOOK_A_ENABLED,	/* u8: 0 or 1 */
	MQOS_HOOK_A_MODE,	/* u8: enum mqos_hook_mode */
	MQOS_HOOK_A_MASK,	/* u32: ct mark bits, contiguous, >= 5 bits */
	MQOS_HOOK_A_CLASS,	/* nest: MQOS_HOOK_CLASS_A_* (repeated) */
	MQOS_HOOK_A_RESET,	/* flag (SET): start from the defaults */
	MQOS_HOOK_A_RESET_STATS, /* flag (SET): zero the hook counters */
	MQOS_HOOK_A_CONNTRACK,	/* u8 (GET): 1 = conntrack in use */
	MQOS_HOOK_A_PACKETS,	/* u64 (GET): packets seen by the hook */
	MQOS_HOOK_A_NO_CT,	/* u64: of them without a conntrack entry */
	MQOS_HOOK_A_STICKY,	/* u64: given their connection's class */
	MQOS_HOOK_A_RAISED,	/* u64: times a connection's class rose */
	MQOS_HOOK_A_DECAY,	/* u32: seconds, 0 = off (1..MQOS_HOOK_DECAY_MAX) */
	MQOS_HOOK_A_DECAYED,	/* u64 (GET): times a class fell by decay */
	/* MQTT stream framing (GET; docs/mqtt-framing.md) */
	MQOS_HOOK_A_FRAME_ENTRIES,	/* u32: connections with state now */
	MQOS_HOOK_A_FRAME_MAX,		/* u32: the bound of that */
	MQOS_HOOK_A_FRAME_FULL,		/* u64: connections left without */
	MQOS_HOOK_A_FRAME_AT,		/* u64: segments read from a header */
	MQOS_HOOK_A_FRAME_CONT,		/* u64: continuation segments skipped */
	MQOS_HOOK_A_FRAME_OLD,		/* u64: retransmitted segments skipped */
	MQOS_HOOK_A_FRAME_AHEAD,	/* u64: out-of-order segments skipped */
	MQOS_HOOK_A_FRAME_UNTRUSTED,	/* u64: segments, position unknown */
	MQOS_HOOK_A_FRAME_SYN,		/* u64: positions from a handshake */
	MQOS_HOOK_A_FRAME_RESYNC,	/* u64: positions from the resync rule */
	MQOS_HOOK_A_FRAME_LOST,		/* u64: positions lost */
	__MQOS_HOOK_A_MAX
};

#define MQOS_HOOK_A_MAX (__MQOS_HOOK_A_MAX - 1)

enum mqos_hook_class_attr {
	MQOS_HOOK_CLASS_A_UNSPEC,
	MQOS_HOOK_CLASS_A_PAD,
	MQOS_HOOK_CLASS_A_ID,		/* u8: 1..MQOS_MAX_CLASSES */
	MQOS_HOOK_CLASS_A_REMARK,	/* u8: DSCP 0..63, or MQOS_DSCP_KEEP */
	MQOS_HOOK_CLASS_A_POLICE_RATE,	/* u64: bytes/s; 0 = no policer */
	MQOS_HOOK_CLASS_A_POLICE_BURST,	/* u32: bytes, 1 .. 1 MiB; needed with RATE */
	MQOS_HOOK_CLASS_A_PACKETS,	/* u64 (GET): packets of this class */
	MQOS_HOOK_CLASS_A_REMARKED,	/* u64 (GET): DSCP rewritten */
	MQOS_HOOK_CLASS_A_POLICE_DROPS,	/* u64 (GET): ingress policer drops */
	__MQOS_HOOK_CLASS_A_MAX
};

#define MQOS_HOOK_CLASS_A_MAX (__MQOS_HOOK_CLASS_A_MAX - 1)

/*
 * 5. Where MQTT is read (per network namespace).
 *
 * The classifier parses MQTT in TCP segments from or to one of the MQTT
 * ports, and MQTT-SN in UDP datagrams from or to one of the MQTT-SN ports.
 * Defaults: MQTT 1883; MQTT-SN 1883 and 1884. Up to MQOS_PORTS_MAX each;
 * an empty list turns that parser off (DSCP and port rules still apply).
 * The ports belong to the rule table and are published with it: a packet
 * is classified with one table and its ports. RULE_ADD/DEL/FLUSH keep
 * them; CONFIG_REPLACE with MQOS_A_PORTS sets them together with the
 * rules.
 *
 * MQOS_CMD_PORTS_GET   doit, no attributes -> one message with MQOS_A_PORTS
 *                      holding both lists (MQTT, MQTTSN; empty nests for
 *                      empty lists).
 * MQOS_CMD_PORTS_SET   MQOS_A_PORTS: a list given (MQTT and/or MQTTSN, an
 *                      empty nest = no ports) replaces that list; a list
 *                      absent stays. Rule hit counters are kept. Each list
 *                      holds MQOS_PORTS_A_PORT (u16, 1..65535), each port
 *                      at most once.
 */
#define MQOS_PORTS_MAX		4

enum mqos_ports_attr {
	MQOS_PORTS_A_UNSPEC,
	MQOS_PORTS_A_MQTT,	/* nest: MQOS_PORTS_A_PORT (repeated): TCP */
	MQOS_PORTS_A_MQTTSN,	/* nest: MQOS_PORTS_A_PORT (repeated): UDP */
	MQOS_PORTS_A_PORT,	/* u16: 1..65535, only inside a list */
	__MQOS_PORTS_A_MAX
};

#define MQOS_PORTS_A_MAX (__MQOS_PORTS_A_MAX - 1)

#endif /* _UAPI_LINUX_MQOS_H */
