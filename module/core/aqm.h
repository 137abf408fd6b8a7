/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Per-class AQM: CoDel's control law (RFC 8289) on the sojourn time of the
 * packet at the head of the class queue.
 *
 * While the sojourn time has stayed above target for at least one interval,
 * the class enters the dropping state and drops (or ECN-marks) one packet,
 * then the next after interval / sqrt(count), and so on, until the sojourn
 * time falls below target again. A class with no more than one MTU queued
 * is never dropped from.
 *
 * Two modes differ in what a dip below target does once drops have begun.
 * MQOS_AQM_CODEL is RFC 8289: the dropping state ends, and the next
 * one starts only after a whole interval above target again (resuming
 * near the old count if that comes soon); the qdisc's default.
 * MQOS_AQM_DECAY keeps the count: it decays by one per control-law interval
 * while the queue stays below target or idle (a long spell in closed
 * form), and a queue back above target is signalled interval /
 * sqrt(count) later (as COBALT in sch_cake does). A queue of TCP flows
 * hovering around target dips often; CoDel lets it stand well above
 * target, decay holds it near. But decay signals more steadily, and in a
 * queue that sparse flows share with bulk (one FIFO) it hits their lone
 * packets more often, each a TCP retransmission timeout for them.
 *
 * mqos_aqm_should_drop() is called once per packet at dequeue; on true the
 * caller either ECN-marks the packet and sends it, or drops it and calls
 * again for the next one.
 */
#ifndef MQOS_CORE_AQM_H
#define MQOS_CORE_AQM_H

#include "env.h"

/* The modes; sch_mqos_cfg.c maps MQOS_AQM_MODE_* of the netlink API. */
enum mqos_aqm_mode {
	MQOS_AQM_DECAY,
	MQOS_AQM_CODEL,
};

struct mqos_aqm_params {
	u64 target_ns;		/* 0 = AQM off */
	u64 interval_ns;
	u32 mtu;		/* never drop with backlog at or below this */
	u8 mode;		/* enum mqos_aqm_mode */
};

struct mqos_aqm {
	u64 first_above;	/* CODEL: when sojourn > target lasts interval */
	u64 drop_next;		/* next drop; DECAY: or next decay step */
	u32 count;		/* drops in this dropping state (DECAY: kept) */
	u32 lastcount;		/* CODEL: count when the last state ended */
	bool dropping;
};

void mqos_aqm_reset(struct mqos_aqm *a);

bool mqos_aqm_should_drop(struct mqos_aqm *a, const struct mqos_aqm_params *p,
			  u64 sojourn_ns, u32 backlog_bytes, u64 now);

/* The queue was found empty at dequeue (DECAY: one decay step if due). */
void mqos_aqm_empty(struct mqos_aqm *a, const struct mqos_aqm_params *p,
		    u64 now);

/* interval / sqrt(count), in ns (exposed for the unit tests). */
u64 mqos_aqm_control_law(u64 interval_ns, u32 count);

#endif /* MQOS_CORE_AQM_H */
