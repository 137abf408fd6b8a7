/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Flow stickiness arithmetic: a connection's class kept in some bits of a
 * 32-bit mark (the conntrack mark), under a configurable mask.
 *
 * The mask is one run of contiguous bits, at least MQOS_FLOW_CLASS_BITS
 * wide. Its lowest 5 bits hold the class id (1..MQOS_MAX_CLASSES; 0 means
 * "no class earned yet"). Bits of the run above those, if any, hold the
 * class's age for decay (below). Bits of the mark outside the mask are
 * never changed.
 *
 * Order of classes: a lower class id is a higher class (the default set
 * is numbered in priority order: control 1 ... bulk 5). Without decay a
 * connection's class only rises: mqos_flow_raise() keeps the higher of
 * the two.
 *
 * Decay. Time is counted in epochs of half the decay time. When a packet
 * earns the connection's class (or a higher one), the current epoch is
 * stamped into the age bits. A packet that finds the stamp
 * MQOS_FLOW_DECAY_EPOCHS or more epochs old drops the class first, so a
 * class falls between 1 and 1.5 decay times after it was last earned, at
 * the connection's next packet. The age is kept modulo 2^age_bits epochs,
 * so an age is only told apart from a fresh one up to 2^age_bits - 1
 * epochs: a connection silent for longer (3.5 decay times with 3 age
 * bits) may read as fresh once more, and then falls a decay time later.
 * Each packet checks the age, so a connection that sends anything (an
 * MQTT keepalive) at least every 2.5 decay times falls in time. With 2
 * age bits there would be no such margin at all (ages 3 and 4 fall in
 * one epoch of each other): decay needs MQOS_FLOW_AGE_MIN_BITS. That is
 * the price of keeping no per-connection state outside the mark.
 */
#ifndef MQOS_CORE_FLOW_H
#define MQOS_CORE_FLOW_H

#include "env.h"

#define MQOS_FLOW_CLASS_BITS	5	/* holds 1..MQOS_MAX_CLASSES */
#define MQOS_FLOW_AGE_MIN_BITS	3	/* ages 0..7: see below */
#define MQOS_FLOW_DECAY_EPOCHS	3	/* a stamp this old has decayed */

/* mqos_flow_update()'s events. */
#define MQOS_FLOW_RAISED	0x1	/* the class rose (or was first set) */
#define MQOS_FLOW_DECAYED	0x2	/* the class fell by decay */

/* True if @mask is usable: contiguous, holds 1..MQOS_MAX_CLASSES. */
bool mqos_flow_mask_valid(u32 mask);

/* Bits of a valid @mask above the class: room for the age (0 = none). */
unsigned int mqos_flow_age_bits(u32 mask);

/* The class stored in @mark under @mask (valid mask), or 0. */
u8 mqos_flow_mark_class(u32 mark, u32 mask);

/*
 * The class a connection has after a packet that earned @earned (0 =
 * nothing earned) when it had @cur (0 = none yet): the higher of the two.
 */
u8 mqos_flow_raise(u8 cur, u8 earned);

/*
 * The mark after a packet that earned @earned, at epoch @epoch when
 * @decay is on (ignored if the mask has fewer than MQOS_FLOW_AGE_MIN_BITS
 * age bits). *@cls: the connection's class now (0 = none); *@events:
 * MQOS_FLOW_* of what changed. Equal to @mark if nothing changed.
 */
u32 mqos_flow_update(u32 mark, u32 mask, u8 earned, bool decay, u32 epoch,
		     u8 *cls, unsigned int *events);

#endif /* MQOS_CORE_FLOW_H */
