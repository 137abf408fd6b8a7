// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * CoDel-style AQM decision. See aqm.h.
 */
#include "aqm.h"

void mqos_aqm_reset(struct mqos_aqm *a)
{
	memset(a, 0, sizeof(*a));
}

/* floor(sqrt(x)), bit by bit; only runs when a packet is dropped. */
static u64 mqos_isqrt64(u64 x)
{
	u64 r = 0, bit = 1ULL << 62;

	while (bit > x)
		bit >>= 2;
	while (bit) {
		if (x >= r + bit) {
			x -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
		bit >>= 2;
	}
	return r;
}

u64 mqos_aqm_control_law(u64 interval_ns, u32 count)
{
	u64 root;

	if (count <= 1)
		return interval_ns;
	/* sqrt(count << 32) = sqrt(count) << 16 */
	root = mqos_isqrt64((u64)count << 32);
	return div64_u64(interval_ns << 16, root);
}

static bool mqos_aqm_ok_to_drop(struct mqos_aqm *a,
				const struct mqos_aqm_params *p,
				u64 sojourn_ns, u32 backlog_bytes, u64 now)
{
	if (sojourn_ns < p->target_ns || backlog_bytes <= p->mtu) {
		a->first_above = 0;
		return false;
	}
	if (!a->first_above) {
		a->first_above = now + p->interval_ns;
		return false;
	}
	return now >= a->first_above;
}

/*
 * DECAY: a count whose schedule lies 16 intervals behind belongs to an
 * episode long over (as CoDel's re-entry window): forget it.
 */
static void mqos_aqm_forget(struct mqos_aqm *a, const struct mqos_aqm_params *p,
			    u64 now)
{
	if (a->count && now >= a->drop_next &&
	    now - a->drop_next >= 16 * p->interval_ns)
		a->count = 0;
}

/*
 * DECAY, below target: the count decays by one per control-law interval.
 * At most a few steps per packet; a schedule still behind after them
 * restarts from now, so no call loops long.
 */
static void mqos_aqm_decay(struct mqos_aqm *a, const struct mqos_aqm_params *p,
			   u64 now, int steps)
{
	while (steps-- && a->count && now >= a->drop_next) {
		a->count--;
		a->drop_next += mqos_aqm_control_law(p->interval_ns, a->count);
	}
	if (a->count && now > a->drop_next)
		a->drop_next = now;
}

static bool mqos_aqm_decay_should_drop(struct mqos_aqm *a,
				      const struct mqos_aqm_params *p,
				      u64 sojourn_ns, u32 backlog_bytes,
				      u64 now)
{
	bool due;

	mqos_aqm_forget(a, p, now);
	due = a->count && now >= a->drop_next;
	if (sojourn_ns >= p->target_ns && backlog_bytes > p->mtu) {
		if (!a->dropping) {
			/*
			 * Signal one interval / sqrt(count) from now, or at
			 * once if the kept schedule is already due.
			 */
			a->dropping = true;
			a->drop_next = now +
				mqos_aqm_control_law(p->interval_ns, a->count);
		}
		if (!a->count)
			a->count = 1;
	} else {
		a->dropping = false;
	}

	if (due && a->dropping) {
		if (a->count != ~0U)
			a->count++;
		a->drop_next += mqos_aqm_control_law(p->interval_ns, a->count);
		return true;
	}
	mqos_aqm_decay(a, p, now, 8);
	return false;
}

void mqos_aqm_empty(struct mqos_aqm *a, const struct mqos_aqm_params *p,
		    u64 now)
{
	a->dropping = false;
	if (p->mode != MQOS_AQM_MODE_DECAY)
		return;
	mqos_aqm_forget(a, p, now);
	mqos_aqm_decay(a, p, now, 1);
}

bool mqos_aqm_should_drop(struct mqos_aqm *a, const struct mqos_aqm_params *p,
			  u64 sojourn_ns, u32 backlog_bytes, u64 now)
{
	bool ok;
	u32 delta;

	if (!p->target_ns)
		return false;
	if (p->mode == MQOS_AQM_MODE_DECAY)
		return mqos_aqm_decay_should_drop(a, p, sojourn_ns,
						 backlog_bytes, now);

	ok = mqos_aqm_ok_to_drop(a, p, sojourn_ns, backlog_bytes, now);
	if (a->dropping) {
		if (!ok) {
			a->dropping = false;
			return false;
		}
		if (now < a->drop_next)
			return false;
		a->count++;
		a->drop_next += mqos_aqm_control_law(p->interval_ns, a->count);
		return true;
	}
	if (!ok)
		return false;

	/*
	 * Enter the dropping state. If it was left only recently, resume
	 * near the drop rate that was controlling the queue then. "Recently"
	 * is less than 16 intervals after the last scheduled drop, or before
	 * it: that drop can still lie ahead when the interval was shortened
	 * since it was scheduled (CoDel compares the signed difference).
	 */
	a->dropping = true;
	delta = a->count - a->lastcount;
	if (delta > 1 && (now < a->drop_next ||
			  now - a->drop_next < 16 * p->interval_ns))
		a->count = delta;
	else
		a->count = 1;
	a->lastcount = a->count;
	a->drop_next = now + mqos_aqm_control_law(p->interval_ns, a->count);
	return true;
}
