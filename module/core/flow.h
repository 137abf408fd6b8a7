/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Flow stickiness arithmetic: a connection's class kept in some bits of a
 * 32-bit mark (the conntrack mark), under a configurable mask.
 *
 * The class id is stored shifted to the mask's lowest bit; 0 in those bits
 * means "no class earned yet". The mask must be one run of contiguous bits,
 * wide enough for MQOS_MAX_CLASSES (5 bits for 16 classes). Bits of the
 * mark outside the mask are never changed.
 *
 * Order of classes: a lower class id is a higher class (the default set
 * is numbered in priority order: control 1 ... bulk 5). A connection's
 * class only rises: mqos_flow_raise() keeps the higher of the two.
 */
#ifndef MQOS_CORE_FLOW_H
#define MQOS_CORE_FLOW_H

#include "env.h"

/* True if @mask is usable: contiguous, holds 1..MQOS_MAX_CLASSES. */
bool mqos_flow_mask_valid(u32 mask);

/* The class stored in @mark under @mask (valid mask), or 0. */
u8 mqos_flow_mark_class(u32 mark, u32 mask);

/* @mark with the bits under @mask replaced by class @cls (0 clears). */
u32 mqos_flow_mark_set(u32 mark, u32 mask, u8 cls);

/*
 * The class a connection has after a packet that earned @earned (0 =
 * nothing earned) when it had @cur (0 = none yet): the higher of the two.
 */
u8 mqos_flow_raise(u8 cur, u8 earned);

#endif /* MQOS_CORE_FLOW_H */
