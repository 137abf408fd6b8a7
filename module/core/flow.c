// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Flow stickiness arithmetic. See flow.h.
 */
#include <uapi/linux/mqos.h>

#include "flow.h"

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

u8 mqos_flow_mark_class(u32 mark, u32 mask)
{
	u32 v;

	if (!mask)
		return 0;
	v = (mark & mask) >> mqos_flow_shift(mask);
	return v <= MQOS_MAX_CLASSES ? (u8)v : 0;
}

u32 mqos_flow_mark_set(u32 mark, u32 mask, u8 cls)
{
	if (!mask)
		return mark;
	return (mark & ~mask) | (((u32)cls << mqos_flow_shift(mask)) & mask);
}

u8 mqos_flow_raise(u8 cur, u8 earned)
{
	if (!earned || earned > MQOS_MAX_CLASSES)
		return cur;
	if (!cur || earned < cur)
		return earned;
	return cur;
}
