// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Flow stickiness arithmetic. See flow.h.
 */
#include <uapi/linux/mqos.h>

#include "flow.h"

#define MQOS_FLOW_CLASS_FIELD	((1U << MQOS_FLOW_CLASS_BITS) - 1)

static unsigned int mqos_flow_shift(u32 mask)
{
	unsigned int s = 0;

	while (s < 31 && !(mask & (1U << s)))
		s++;
	return s;
}

bool mqos_flow_mask_valid(u32 mask)
{
	u32 field;

	if (!mask)
		return false;
	field = mask >> mqos_flow_shift(mask);
	/* Contiguous: field is 2^n - 1. */
	if (field & (field + 1))
		return false;
	return field >= MQOS_MAX_CLASSES;
}

unsigned int mqos_flow_age_bits(u32 mask)
{
	unsigned int n = 0;
	u32 field;

	if (!mqos_flow_mask_valid(mask))
		return 0;
	for (field = mask >> mqos_flow_shift(mask); field; field >>= 1)
		n++;
	return n - MQOS_FLOW_CLASS_BITS;
}

u8 mqos_flow_mark_class(u32 mark, u32 mask)
{
	u32 v;

	if (!mask)
		return 0;
	v = ((mark & mask) >> mqos_flow_shift(mask)) & MQOS_FLOW_CLASS_FIELD;
	return v <= MQOS_MAX_CLASSES ? (u8)v : 0;
}

u8 mqos_flow_raise(u8 cur, u8 earned)
{
	if (!earned || earned > MQOS_MAX_CLASSES)
		return cur;
	if (!cur || earned < cur)
		return earned;
	return cur;
}

u32 mqos_flow_update(u32 mark, u32 mask, u8 earned, bool decay, u32 epoch,
		     u8 *cls, unsigned int *events)
{
	unsigned int shift = mqos_flow_shift(mask);
	unsigned int abits = mqos_flow_age_bits(mask);
	u32 amask, stamp, new;
	u8 was, cur, up;

	*events = 0;
	*cls = 0;
	if (!mqos_flow_mask_valid(mask))
		return mark;
	/* abits = 0 when the class field ends at bit 31: no shift by 32. */
	amask = abits ? (1U << abits) - 1 : 0;
	stamp = abits ? (mark >> (shift + MQOS_FLOW_CLASS_BITS)) & amask : 0;
	decay = decay && abits >= MQOS_FLOW_AGE_MIN_BITS;
	was = mqos_flow_mark_class(mark, mask);
	cur = was;
	if (decay && cur && ((epoch - stamp) & amask) >= MQOS_FLOW_DECAY_EPOCHS)
		cur = 0;
	up = mqos_flow_raise(cur, earned);

	if (up && (!was || up < was))
		*events |= MQOS_FLOW_RAISED;
	else if (was && (!up || up > was))
		*events |= MQOS_FLOW_DECAYED;
	/* Earning the class (again) restarts its age. */
	if (decay && up && earned == up)
		stamp = epoch & amask;
	new = (((u32)up | stamp << MQOS_FLOW_CLASS_BITS) << shift) & mask;
	*cls = up;
	return (mark & ~mask) | new;
}
