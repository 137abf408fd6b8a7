// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Flow queuing inside one class. See fq.h.
 */
#include "fq.h"

/* Least credit a queue gets per round under host isolation, in bytes. */
#define MQOS_FQ_MIN_CREDIT	128

bool mqos_fq_nflows_ok(u32 nflows)
{
	return nflows >= MQOS_FQ_WAYS && nflows <= MQOS_FQ_MAX_FLOWS &&
	       !(nflows & (nflows - 1));
}

size_t mqos_fq_flows_size(u32 nflows)
{
	return (size_t)nflows * sizeof(struct mqos_fq_flow);
}

size_t mqos_fq_hosts_size(u32 nflows)
{
	return (size_t)nflows * sizeof(struct mqos_fq_host);
}

/* First queue of the set a hash falls in: a multiply, not a division. */
static u32 mqos_fq_set(u32 nflows, u32 hash)
{
	u32 nsets = nflows / MQOS_FQ_WAYS;

	return (u32)(((u64)hash * nsets) >> 32) * MQOS_FQ_WAYS;
}

static unsigned int mqos_fq_fls(u32 x)
{
	return x ? 32 - (unsigned int)__builtin_clz(x) : 0;
}

/* ---- lists ------------------------------------------------------------- */

static void mqos_fq_push(struct mqos_fq *fq, struct mqos_fq_lists *l, u16 i)
{
	fq->flows[i].next = MQOS_FQ_NONE;
	if (l->tail == MQOS_FQ_NONE)
		l->head = i;
	else
		fq->flows[l->tail].next = i;
	l->tail = i;
	l->count++;
}

static u16 mqos_fq_pop(struct mqos_fq *fq, struct mqos_fq_lists *l)
{
	u16 i = l->head;

	l->head = fq->flows[i].next;
	if (l->head == MQOS_FQ_NONE)
		l->tail = MQOS_FQ_NONE;
	l->count--;
	return i;
}

static void mqos_fq_lists_init(struct mqos_fq_lists *l)
{
	l->head = MQOS_FQ_NONE;
	l->tail = MQOS_FQ_NONE;
	l->count = 0;
}

/* ---- backlog order ----------------------------------------------------- */

static void mqos_fq_fat_unlink(struct mqos_fq *fq, u16 i)
{
	struct mqos_fq_flow *f = &fq->flows[i];

	if (f->fat_prev != MQOS_FQ_NONE)
		fq->flows[f->fat_prev].fat_next = f->fat_next;
	else
		fq->fat_head[f->fat] = f->fat_next;
	if (f->fat_next != MQOS_FQ_NONE)
		fq->flows[f->fat_next].fat_prev = f->fat_prev;
	if (fq->fat_head[f->fat] == MQOS_FQ_NONE)
		fq->fat_map &= ~(1U << (f->fat - 1));
}

/* Keep queue @i in the list of its backlog's power of two. */
static void mqos_fq_fat_update(struct mqos_fq *fq, u16 i)
{
	struct mqos_fq_flow *f = &fq->flows[i];
	unsigned int b = mqos_fq_fls(f->backlog);

	if (b == f->fat)
		return;
	if (f->fat)
		mqos_fq_fat_unlink(fq, i);
	f->fat = b;
	if (!b)
		return;
	f->fat_prev = MQOS_FQ_NONE;
	f->fat_next = fq->fat_head[b];
	if (f->fat_next != MQOS_FQ_NONE)
		fq->flows[f->fat_next].fat_prev = i;
	fq->fat_head[b] = i;
	fq->fat_map |= 1U << (b - 1);
}

u16 mqos_fq_fattest(const struct mqos_fq *fq)
{
	if (!fq->fat_map)
		return MQOS_FQ_NONE;
	return fq->fat_head[mqos_fq_fls(fq->fat_map)];
}

/* ---- hosts ------------------------------------------------------------- */

/*
 * The host slot for host hash @h: its own, an idle one other than @taken,
 * or a shared one. @taken is the slot the flow's other host just got: it
 * counts no flow until the packet is enqueued, yet is not idle.
 */
static u16 mqos_fq_host(struct mqos_fq *fq, u32 h, u16 taken)
{
	u32 set = mqos_fq_set(fq->nflows, h), k;
	struct mqos_fq_host *hs = fq->hosts + set;

	for (k = 0; k < MQOS_FQ_WAYS; k++)
		if (hs[k].tag == h)
			return set + k;
	for (k = 0; k < MQOS_FQ_WAYS; k++) {
		if (!hs[k].flows && set + k != taken) {
			hs[k].tag = h;
			return set + k;
		}
	}
	return set + (h & (MQOS_FQ_WAYS - 1));
}

static void mqos_fq_host_ref(struct mqos_fq *fq, u16 h, int flows, int bulk)
{
	struct mqos_fq_host *hs;

	if (h == MQOS_FQ_NONE)
		return;
	hs = &fq->hosts[h];
	if (flows > 0 && !hs->flows++)
		fq->hosts_busy++;
	if (flows < 0 && !--hs->flows)
		fq->hosts_busy--;
	hs->bulk += bulk;
}

static void mqos_fq_hosts_ref(struct mqos_fq *fq, const struct mqos_fq_flow *f,
			      int flows, int bulk)
{
	if (!fq->hosts)
		return;
	mqos_fq_host_ref(fq, f->src, flows, bulk);
	mqos_fq_host_ref(fq, f->dst, flows, bulk);
}

/* Credit per round: the quantum, shared by the host's bulk queues. */
static s32 mqos_fq_credit(const struct mqos_fq *fq,
			  const struct mqos_fq_flow *f)
{
	u32 load = 1, q = fq->quantum;

	if (!fq->hosts)
		return q;
	if (f->src != MQOS_FQ_NONE)
		load = max_t(u32, load, fq->hosts[f->src].bulk);
	if (f->dst != MQOS_FQ_NONE)
		load = max_t(u32, load, fq->hosts[f->dst].bulk);
	if (load > 1)
		q = max_t(u32, q / load, MQOS_FQ_MIN_CREDIT);
	return q;
}

/* ---- the table --------------------------------------------------------- */

void mqos_fq_init(struct mqos_fq *fq, struct mqos_fq_flow *flows,
		  struct mqos_fq_host *hosts, u32 nflows, u32 quantum,
		  enum mqos_fq_isolate isolate)
{
	unsigned int b;

	memset(fq, 0, sizeof(*fq));
	fq->flows = flows;
	fq->nflows = nflows;
	fq->quantum = quantum;
	fq->isolate = hosts ? isolate : MQOS_FQ_ISOLATE_FLOWS;
	fq->hosts = fq->isolate == MQOS_FQ_ISOLATE_FLOWS ? NULL : hosts;
	for (b = 0; b <= MQOS_FQ_FAT_BUCKETS; b++)
		fq->fat_head[b] = MQOS_FQ_NONE;
	mqos_fq_reset(fq);
}

void mqos_fq_reset(struct mqos_fq *fq)
{
	u32 i;

	for (i = 0; i < fq->nflows; i++) {
		struct mqos_fq_flow *f = &fq->flows[i];

		f->head = NULL;
		f->tail = NULL;
		f->backlog = 0;
		f->deficit = 0;
		f->list = MQOS_FQ_IDLE;
		f->fat = 0;
		f->src = MQOS_FQ_NONE;
		f->dst = MQOS_FQ_NONE;
		mqos_aqm_reset(&f->aqm);
		if (fq->hosts) {
			fq->hosts[i].flows = 0;
			fq->hosts[i].bulk = 0;
		}
	}
	for (i = 0; i <= MQOS_FQ_FAT_BUCKETS; i++)
		fq->fat_head[i] = MQOS_FQ_NONE;
	fq->fat_map = 0;
	fq->hosts_busy = 0;
	mqos_fq_lists_init(&fq->new_flows);
	mqos_fq_lists_init(&fq->old_flows);
}

u16 mqos_fq_classify(struct mqos_fq *fq, u32 hash, u32 src, u32 dst)
{
	u32 set = mqos_fq_set(fq->nflows, hash), k;
	struct mqos_fq_flow *fs = fq->flows + set, *f;
	u16 i;

	for (k = 0; k < MQOS_FQ_WAYS; k++)
		if (fs[k].tag == hash)
			goto found;
	for (k = 0; k < MQOS_FQ_WAYS; k++) {
		if (fs[k].list == MQOS_FQ_IDLE) {
			/* A new flow: nothing of the last owner carries over. */
			fs[k].tag = hash;
			mqos_aqm_reset(&fs[k].aqm);
			goto found;
		}
	}
	fq->way_collisions++;
	k = hash & (MQOS_FQ_WAYS - 1);
found:
	i = set + k;
	f = &fq->flows[i];
	if (f->list == MQOS_FQ_IDLE && fq->hosts) {
		/* Counted against its hosts once it joins a list. */
		f->src = fq->isolate & MQOS_FQ_ISOLATE_SRC ?
			 mqos_fq_host(fq, src, MQOS_FQ_NONE) : MQOS_FQ_NONE;
		f->dst = fq->isolate & MQOS_FQ_ISOLATE_DST ?
			 mqos_fq_host(fq, dst, f->src) : MQOS_FQ_NONE;
	}
	return i;
}

bool mqos_fq_enqueued(struct mqos_fq *fq, u16 i, u32 len)
{
	struct mqos_fq_flow *f = &fq->flows[i];

	f->backlog += len;
	mqos_fq_fat_update(fq, i);
	if (f->list != MQOS_FQ_IDLE)
		return false;
	mqos_fq_hosts_ref(fq, f, 1, 0);
	f->deficit = mqos_fq_credit(fq, f);
	f->list = MQOS_FQ_NEW;
	mqos_fq_push(fq, &fq->new_flows, i);
	return true;
}

u16 mqos_fq_next(struct mqos_fq *fq)
{
	struct mqos_fq_lists *l;
	struct mqos_fq_flow *f;
	u16 i;

	/*
	 * Terminates: every pass through the loop gives the head queue at
	 * least MQOS_FQ_MIN_CREDIT bytes until one has credit left.
	 */
	for (;;) {
		if (fq->new_flows.count)
			l = &fq->new_flows;
		else if (fq->old_flows.count)
			l = &fq->old_flows;
		else
			return MQOS_FQ_NONE;
		i = l->head;
		f = &fq->flows[i];
		if (f->deficit > 0)
			return i;
		mqos_fq_pop(fq, l);
		if (f->list == MQOS_FQ_NEW) {
			/* Counted as bulk before its credit is worked out. */
			f->list = MQOS_FQ_OLD;
			mqos_fq_hosts_ref(fq, f, 0, 1);
		}
		f->deficit += mqos_fq_credit(fq, f);
		mqos_fq_push(fq, &fq->old_flows, i);
	}
}

void mqos_fq_sent(struct mqos_fq *fq, u16 i, u32 len)
{
	struct mqos_fq_flow *f = &fq->flows[i];

	f->deficit -= len;
	f->backlog -= min_t(u32, len, f->backlog);
	mqos_fq_fat_update(fq, i);
}

void mqos_fq_dropped(struct mqos_fq *fq, u16 i, u32 len)
{
	struct mqos_fq_flow *f = &fq->flows[i];

	f->backlog -= min_t(u32, len, f->backlog);
	mqos_fq_fat_update(fq, i);
}

void mqos_fq_emptied(struct mqos_fq *fq, u16 i)
{
	struct mqos_fq_flow *f = &fq->flows[i];
	bool was_new = f->list == MQOS_FQ_NEW;

	mqos_fq_pop(fq, was_new ? &fq->new_flows : &fq->old_flows);
	if (was_new && fq->old_flows.count) {
		f->list = MQOS_FQ_OLD;
		mqos_fq_hosts_ref(fq, f, 0, 1);
		mqos_fq_push(fq, &fq->old_flows, i);
		return;
	}
	mqos_fq_hosts_ref(fq, f, -1, was_new ? 0 : -1);
	f->list = MQOS_FQ_IDLE;
}

void mqos_fq_set_isolation(struct mqos_fq *fq, struct mqos_fq_host *hosts,
			   enum mqos_fq_isolate isolate)
{
	u32 i;

	/* Busy queues count against no host until they are idle once. */
	for (i = 0; i < fq->nflows; i++) {
		fq->flows[i].src = MQOS_FQ_NONE;
		fq->flows[i].dst = MQOS_FQ_NONE;
		if (hosts) {
			hosts[i].flows = 0;
			hosts[i].bulk = 0;
		}
	}
	fq->hosts_busy = 0;
	fq->isolate = hosts ? isolate : MQOS_FQ_ISOLATE_FLOWS;
	fq->hosts = fq->isolate == MQOS_FQ_ISOLATE_FLOWS ? NULL : hosts;
}
