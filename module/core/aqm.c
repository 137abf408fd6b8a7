// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * CoDel-style AQM decision. See aqm.h.
 */
#include "aqm.h"

void mqos_aqm_reset(struct mqos_aqm *a)
{
	memset(a, 0, sizeof(*a));
}

/* floor(sqrt(x)), bit by bit: on a drop or a decay step, not per packet. */
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
 * DECAY: take off the count what the time since its schedule came due has
 * decayed, one step per interval / sqrt(count). A lag of more than one
 * step (the queue was idle, or empty between packets) is taken in closed
 * form, so that no call loops: the count c falls to about
 * (sqrt(c) - lag / (2 interval))^2, the integral of the steps.
 */
static void mqos_aqm_decay(struct mqos_aqm *a, const struct mqos_aqm_params *p,
			   u64 now)
{
	u64 lag, two_i, r8, d8;

	if (!a->count || now < a->drop_next)
		return;
	lag = now - a->drop_next;
	if (lag < mqos_aqm_control_law(p->interval_ns, a->count)) {
		a->count--;
		a->drop_next += mqos_aqm_control_law(p->interval_ns, a->count);
		return;
	}
	/*
	 * In 1/256ths: sqrt(count) < 2^16, and past the first test
	 * lag < 2 interval 2^16 with interval at most 10 s (the netlink
	 * policy's bound), so lag << 8 and the square fit in 64 bits.
	 */
	two_i = 2 * p->interval_ns;
	r8 = mqos_isqrt64((u64)a->count << 16);
	if (div64_u64(lag, two_i) > (r8 >> 8)) {
		a->count = 0;
		return;
	}
	d8 = div64_u64(lag << 8, two_i);
	a->count = d8 < r8 ? (u32)(((r8 - d8) * (r8 - d8)) >> 16) : 0;
	a->drop_next = now + mqos_aqm_control_law(p->interval_ns, a->count);
}

static bool mqos_aqm_decay_should_drop(struct mqos_aqm *a,
				       const struct mqos_aqm_params *p,
				       u64 sojourn_ns, u32 backlog_bytes,
				       u64 now)
{
	if (sojourn_ns < p->target_ns || backlog_bytes <= p->mtu) {
		a->dropping = false;
		mqos_aqm_decay(a, p, now);
		return false;
	}
	if (!a->dropping) {
		/*
		 * Back above target: first what the time below it took
		 * off the count, then the next signal interval /
		 * sqrt(count) from now (one interval for a new episode).
		 */
		mqos_aqm_decay(a, p, now);
		a->dropping = true;
		if (!a->count)
			a->count = 1;
		a->drop_next = now +
			mqos_aqm_control_law(p->interval_ns, a->count);
		return false;
	}
	if (now < a->drop_next)
		return false;
	if (a->count != ~0U)
		a->count++;
	a->drop_next += mqos_aqm_control_law(p->interval_ns, a->count);
	/*
	 * Packets further apart than the schedule (a slow flow, or ECN
	 * marks, which let the packet go) would leave it ever further
	 * behind, and a later dip below target would then decay the whole
	 * count at once: the schedule never lags now.
	 */
	if (a->drop_next < now)
		a->drop_next = now;
	return true;
}

void mqos_aqm_empty(struct mqos_aqm *a, const struct mqos_aqm_params *p,
		    u64 now)
{
	a->dropping = false;
	if (p->target_ns && p->mode == MQOS_AQM_DECAY)
		mqos_aqm_decay(a, p, now);
}

bool mqos_aqm_should_drop(struct mqos_aqm *a, const struct mqos_aqm_params *p,
			  u64 sojourn_ns, u32 backlog_bytes, u64 now)
{
	bool ok;
	u32 delta;

	if (!p->target_ns)
		return false;
	if (p->mode == MQOS_AQM_DECAY)
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
