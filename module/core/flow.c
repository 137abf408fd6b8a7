// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Flow stickiness arithmetic. See flow.h.
 */
#include <uapi/linux/mqos.h>

#include "flow.h"

#define MQOS_FLOW_CLASS_FIELD	((1U << MQOS_FLOW_CLASS_BITS) - 1)

/* The position of @mask's lowest bit (@mask != 0). */
static unsigned int mqos_flow_shift(u32 mask)
{
	unsigned int s = 0;

	while (!(mask & (1U << s)))
		s++;
	return s;
}

/*
 * Where the class and its age sit under @mask: the shift of the mask's
 * run and the number of age bits above the class. False if the mask is
 * not usable (not one run of bits, or too narrow for the class ids).
 */
static bool mqos_flow_layout(u32 mask, unsigned int *shift,
			     unsigned int *age_bits)
{
	unsigned int s, width = 0;
	u32 field;

	if (!mask)
		return false;
	s = mqos_flow_shift(mask);
	field = mask >> s;
	/* Contiguous: field is 2^n - 1. */
	if (field & (field + 1) || field < MQOS_MAX_CLASSES)
		return false;
	for (; field; field >>= 1)
		width++;
	*shift = s;
	*age_bits = width - MQOS_FLOW_CLASS_BITS;
	return true;
}

/* The class in the low bits of the field at @shift; out of range = 0. */
static u8 mqos_flow_class_at(u32 mark, unsigned int shift)
{
	u32 v = (mark >> shift) & MQOS_FLOW_CLASS_FIELD;

	return v <= MQOS_MAX_CLASSES ? (u8)v : 0;
}

bool mqos_flow_mask_valid(u32 mask)
{
	unsigned int shift, age_bits;

	return mqos_flow_layout(mask, &shift, &age_bits);
}

unsigned int mqos_flow_age_bits(u32 mask)
{
	unsigned int shift, age_bits;

	return mqos_flow_layout(mask, &shift, &age_bits) ? age_bits : 0;
}

/* Per packet in the qdisc: the mask was validated when it was set. */
u8 mqos_flow_mark_class(u32 mark, u32 mask)
{
	if (!mask)
		return 0;
	return mqos_flow_class_at(mark & mask, mqos_flow_shift(mask));
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
	unsigned int shift, abits;
	u32 amask, stamp, new;
	u8 was, cur, up;

	*events = 0;
	*cls = 0;
	if (!mqos_flow_layout(mask, &shift, &abits))
		return mark;
	/* abits = 0 when the class field ends at bit 31: no shift by 32. */
	amask = abits ? (1U << abits) - 1 : 0;
	stamp = abits ? (mark >> (shift + MQOS_FLOW_CLASS_BITS)) & amask : 0;
	decay = decay && abits >= MQOS_FLOW_AGE_MIN_BITS;
	was = mqos_flow_class_at(mark, shift);
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
