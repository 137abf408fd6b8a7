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
 *   3. (reserved) The generic netlink family "mqos".
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

/* The default class set (DESIGN.md section 3). */
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
 * `tc qdisc add ... mqos` takes no options and gives the default class set
 * (see module/sch_mqos.c for the table). RTM_NEWQDISC with NLM_F_REPLACE
 * ("change") on an existing mqos qdisc takes the attributes below; every
 * attribute is optional and what is absent stays as it is. A change is
 * validated as a whole and applied atomically: on any error nothing
 * changes and the extack message names the attribute.
 *
 * Rates are in bytes per second (like tc's u64 rate attributes), sizes in
 * bytes, times in microseconds.
 *
 * Dumps (`tc qdisc show`) return the whole configuration in the same
 * attributes, with one TCA_MQOS_CLASS nest per configured class.
 */
enum {
	TCA_MQOS_UNSPEC,
	TCA_MQOS_PAD,
	TCA_MQOS_RATE,		/* u64: device rate, bytes/s; 0 = line rate */
	TCA_MQOS_OVERHEAD,	/* u32: bytes added to every packet, 0..256 */
	TCA_MQOS_DEFAULT_CLASS,	/* u8: class of unclassified packets */
	TCA_MQOS_CLASSES,	/* nest of TCA_MQOS_CLASS nests */
	TCA_MQOS_RESET_STATS,	/* flag: zero all counters (change only) */
	__TCA_MQOS_MAX
};

#define TCA_MQOS_MAX (__TCA_MQOS_MAX - 1)

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
#define MQOS_MIN_QUANTUM	256
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
 * DELAY_HIST holds MQOS_HIST_BUCKETS u64 attributes, attribute type b + 1
 * for bucket b: bucket 0 is [0, 1 us), bucket b is [2^(b-1), 2^b) us, the
 * last bucket is everything above.
 *
 * A class's stats (tc -s class show) are one set of TCA_MQOS_XSTATS_*.
 * The qdisc's stats carry device-level counters and TCA_MQOS_XSTATS_CLASSES,
 * a nest with one nest per class (attribute type = class id) holding that
 * class's TCA_MQOS_XSTATS_*, so one dump returns everything.
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
	TCA_MQOS_XSTATS_CLASSES,	/* qdisc only: nest of class nests */
	TCA_MQOS_XSTATS_DEV_OVERLIMITS,	/* qdisc only: device rate reached */
	TCA_MQOS_XSTATS_DEV_RATE,	/* qdisc only: effective rate, bytes/s */
	__TCA_MQOS_XSTATS_MAX
};

#define TCA_MQOS_XSTATS_MAX (__TCA_MQOS_XSTATS_MAX - 1)

#endif /* _UAPI_LINUX_MQOS_H */
