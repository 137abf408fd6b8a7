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
 * At this stage the qdisc accepts no options: `tc qdisc add ... mqos`
 * gives the defaults. Attributes are reserved here as they land.
 */
enum {
	TCA_MQOS_UNSPEC,
	__TCA_MQOS_MAX,
};
#define TCA_MQOS_MAX (__TCA_MQOS_MAX - 1)

#endif /* _UAPI_LINUX_MQOS_H */
