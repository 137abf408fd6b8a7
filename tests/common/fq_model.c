// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Packet model around core/fq.c for the unit tests and the fuzzer. See
 * fq_model.h.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fq_model.h"

int fqm_init(struct fqm *m, u32 nflows, u32 quantum,
	     enum mqos_fq_isolate isolate)
{
	memset(m, 0, sizeof(*m));
	m->flows = calloc(1, mqos_fq_flows_size(nflows));
	m->hosts = calloc(1, mqos_fq_hosts_size(nflows));
	if (!m->flows || !m->hosts) {
		free(m->flows);
		free(m->hosts);
		return -1;
	}
	m->nflows = nflows;
	mqos_fq_init(&m->fq, m->flows, m->hosts, nflows, quantum, isolate);
	return 0;
}

static void fqm_free_packets(struct fqm *m)
{
	struct fqm_pkt *p, *n;
	u32 i;

	for (i = 0; i < m->nflows; i++) {
		for (p = m->flows[i].head; p; p = n) {
			n = p->next;
			free(p);
		}
		m->flows[i].head = NULL;
		m->flows[i].tail = NULL;
	}
	m->pkts = 0;
	m->bytes = 0;
}

void fqm_free(struct fqm *m)
{
	if (m->flows)
		fqm_free_packets(m);
	free(m->flows);
	free(m->hosts);
	memset(m, 0, sizeof(*m));
}

static void fqm_link(struct mqos_fq_flow *f, struct fqm_pkt *p)
{
	p->next = NULL;
	if (f->tail)
		((struct fqm_pkt *)f->tail)->next = p;
	else
		f->head = p;
	f->tail = p;
}

static struct fqm_pkt *fqm_unlink(struct fqm *m, struct mqos_fq_flow *f)
{
	struct fqm_pkt *p = f->head;

	if (p) {
		f->head = p->next;
		if (!f->head)
			f->tail = NULL;
		p->next = NULL;
		m->pkts--;
		m->bytes -= p->len;
	}
	return p;
}

u16 fqm_enqueue(struct fqm *m, u32 hash, u32 src, u32 dst, u32 len)
{
	struct fqm_pkt *p = calloc(1, sizeof(*p));
	u16 i;

	m->now++;
	if (!p)
		return MQOS_FQ_NONE;
	p->len = len;
	p->hash = hash;
	p->src = src;
	p->dst = dst;
	p->t_enq = m->now;
	i = mqos_fq_classify(&m->fq, hash, src, dst);
	fqm_link(&m->flows[i], p);
	mqos_fq_enqueued(&m->fq, i, len);
	m->pkts++;
	m->bytes += len;
	return i;
}

/* As sch_mqos's mqos_fq_dequeue(), with the AQM's verdicts given. */
struct fqm_pkt *fqm_dequeue(struct fqm *m, unsigned int aqm_drops,
			    u16 *queue)
{
	struct fqm_pkt *p;
	u16 i;

	m->now++;
	while ((i = mqos_fq_next(&m->fq)) != MQOS_FQ_NONE) {
		while ((p = fqm_unlink(m, &m->flows[i]))) {
			if (!aqm_drops) {
				mqos_fq_sent(&m->fq, i, p->len);
				if (queue)
					*queue = i;
				return p;
			}
			aqm_drops--;
			mqos_fq_dropped(&m->fq, i, p->len);
			free(p);
		}
		mqos_fq_emptied(&m->fq, i);
	}
	return NULL;
}

/* As sch_mqos's mqos_drop_fat() for a class with flow queues. */
unsigned int fqm_drop_fat(struct fqm *m)
{
	unsigned int n = 0;
	u32 dropped = 0, target;
	struct fqm_pkt *p;
	u16 i;

	m->now++;
	i = mqos_fq_fattest(&m->fq);
	if (i == MQOS_FQ_NONE)
		return 0;
	target = m->flows[i].backlog / 2;
	do {
		p = fqm_unlink(m, &m->flows[i]);
		if (!p)
			break;
		mqos_fq_dropped(&m->fq, i, p->len);
		dropped += p->len;
		free(p);
		n++;
	} while (dropped < target && n < 64);
	return n;
}

void fqm_reset(struct fqm *m)
{
	m->now++;
	fqm_free_packets(m);
	mqos_fq_reset(&m->fq);
}

void fqm_set_isolation(struct fqm *m, enum mqos_fq_isolate isolate)
{
	m->now++;
	mqos_fq_set_isolation(&m->fq, m->hosts, isolate);
}

/* ---- invariants ------------------------------------------------------ */

static char fqm_why[256];

#define FQM_FAIL(...)							\
	do {								\
		snprintf(fqm_why, sizeof(fqm_why), __VA_ARGS__);	\
		goto out;						\
	} while (0)

static unsigned int fqm_fls(u32 x)
{
	return x ? 32 - (unsigned int)__builtin_clz(x) : 0;
}

/* Walk one DRR list: its members are exactly the queues marked @list. */
static const char *fqm_check_list(const struct fqm *m,
				  const struct mqos_fq_lists *l, u8 list,
				  const char *name)
{
	u32 n = 0, marked = 0, i;
	u16 j, last = MQOS_FQ_NONE;

	for (j = l->head; j != MQOS_FQ_NONE; j = m->flows[j].next) {
		if (j >= m->nflows)
			FQM_FAIL("%s list: index %u out of range", name, j);
		if (m->flows[j].list != list)
			FQM_FAIL("%s list: queue %u is marked list %u", name, j,
				 m->flows[j].list);
		if (++n > m->nflows)
			FQM_FAIL("%s list: a cycle", name);
		last = j;
	}
	if (l->tail != last)
		FQM_FAIL("%s list: tail %u, last member %u", name, l->tail,
			 last);
	if (l->count != n)
		FQM_FAIL("%s list: count %u, %u members", name, l->count, n);
	for (i = 0; i < m->nflows; i++)
		marked += m->flows[i].list == list;
	if (marked != n)
		FQM_FAIL("%s list: %u members, %u queues marked", name, n,
			 marked);
	return NULL;
out:
	return fqm_why;
}

static const char *fqm_check_fat(const struct fqm *m)
{
	const struct mqos_fq *fq = &m->fq;
	u32 linked = 0, nonempty = 0, max = 0, i;
	unsigned int b;
	u16 j, prev;

	for (i = 0; i < m->nflows; i++) {
		const struct mqos_fq_flow *f = &m->flows[i];

		if (f->fat != fqm_fls(f->backlog))
			FQM_FAIL("queue %u: backlog %u in bucket %u", i,
				 f->backlog, f->fat);
		nonempty += f->backlog > 0;
		if (f->backlog > max)
			max = f->backlog;
	}
	if (fq->fat_head[0] != MQOS_FQ_NONE)
		FQM_FAIL("bucket 0 (empty queues) has a list");
	for (b = 1; b <= MQOS_FQ_FAT_BUCKETS; b++) {
		bool bit = fq->fat_map & (1U << (b - 1));

		if (bit != (fq->fat_head[b] != MQOS_FQ_NONE))
			FQM_FAIL("fat_map bit %u is %d, bucket head %u", b - 1,
				 bit, fq->fat_head[b]);
		prev = MQOS_FQ_NONE;
		for (j = fq->fat_head[b]; j != MQOS_FQ_NONE;
		     j = m->flows[j].fat_next) {
			if (j >= m->nflows)
				FQM_FAIL("bucket %u: index %u out of range", b,
					 j);
			if (m->flows[j].fat != b)
				FQM_FAIL("bucket %u: queue %u is in bucket %u",
					 b, j, m->flows[j].fat);
			if (m->flows[j].fat_prev != prev)
				FQM_FAIL("bucket %u: queue %u fat_prev %u, not %u",
					 b, j, m->flows[j].fat_prev, prev);
			if (++linked > m->nflows)
				FQM_FAIL("bucket %u: a cycle", b);
			prev = j;
		}
	}
	if (linked != nonempty)
		FQM_FAIL("%u queues in buckets, %u with a backlog", linked,
			 nonempty);
	j = mqos_fq_fattest(fq);
	if (!max && j != MQOS_FQ_NONE)
		FQM_FAIL("nothing queued, fattest is %u", j);
	if (max && (j >= m->nflows || 2ULL * m->flows[j].backlog < max))
		FQM_FAIL("fattest %u holds %u bytes, the most is %u", j,
			 j < m->nflows ? m->flows[j].backlog : 0, max);
	return NULL;
out:
	return fqm_why;
}

static const char *fqm_check_hosts(const struct fqm *m)
{
	static u32 flows[MQOS_FQ_MAX_FLOWS], bulk[MQOS_FQ_MAX_FLOWS];
	const struct mqos_fq *fq = &m->fq;
	u32 busy = 0, refs = 0, sum = 0, i;

	if (!fq->hosts) {
		if (fq->isolate != MQOS_FQ_ISOLATE_FLOWS)
			return "isolating hosts without a host table";
		return NULL;
	}
	if (fq->isolate == MQOS_FQ_ISOLATE_FLOWS)
		return "a host table without host isolation";
	if (m->nflows > MQOS_FQ_MAX_FLOWS)
		return "more queues than the core allows";
	memset(flows, 0, m->nflows * sizeof(*flows));
	memset(bulk, 0, m->nflows * sizeof(*bulk));
	for (i = 0; i < m->nflows; i++) {
		const struct mqos_fq_flow *f = &m->flows[i];
		u16 h[2] = { f->src, f->dst };
		unsigned int k;

		if (f->list == MQOS_FQ_IDLE)
			continue;
		for (k = 0; k < 2; k++) {
			if (h[k] == MQOS_FQ_NONE)
				continue;
			if (h[k] >= m->nflows)
				FQM_FAIL("queue %u: host slot %u out of range",
					 i, h[k]);
			flows[h[k]]++;
			bulk[h[k]] += f->list == MQOS_FQ_OLD;
			refs++;
		}
		if (f->src != MQOS_FQ_NONE &&
		    !(fq->isolate & MQOS_FQ_ISOLATE_SRC))
			FQM_FAIL("queue %u: a source host without isolating sources",
				 i);
		if (f->dst != MQOS_FQ_NONE &&
		    !(fq->isolate & MQOS_FQ_ISOLATE_DST))
			FQM_FAIL("queue %u: a destination host without isolating destinations",
				 i);
	}
	for (i = 0; i < m->nflows; i++) {
		const struct mqos_fq_host *hs = &fq->hosts[i];

		if (hs->flows != flows[i] || hs->bulk != bulk[i])
			FQM_FAIL("host %u: flows %u bulk %u, busy queues say %u and %u",
				 i, hs->flows, hs->bulk, flows[i], bulk[i]);
		if (hs->bulk > hs->flows)
			FQM_FAIL("host %u: bulk %u > flows %u", i, hs->bulk,
				 hs->flows);
		busy += hs->flows > 0;
		sum += hs->flows;
	}
	if (sum != refs)
		FQM_FAIL("hosts count %u flows, busy queues hold %u host slots",
			 sum, refs);
	if (fq->hosts_busy != busy)
		FQM_FAIL("hosts_busy %u, %u hosts have a busy queue",
			 fq->hosts_busy, busy);
	return NULL;
out:
	return fqm_why;
}

const char *fqm_check(const struct fqm *m)
{
	const struct mqos_fq *fq = &m->fq;
	u64 bytes = 0;
	u32 pkts = 0, i;
	const char *why;

	fqm_why[0] = 0;
	if (fq->flows != m->flows || fq->nflows != m->nflows)
		return "the core lost its table";
	for (i = 0; i < m->nflows; i++) {
		const struct mqos_fq_flow *f = &m->flows[i];
		const struct fqm_pkt *p, *last = NULL;
		u64 q = 0;
		u32 n = 0;

		if (f->list > MQOS_FQ_OLD)
			FQM_FAIL("queue %u: list %u", i, f->list);
		for (p = f->head; p; p = p->next) {
			q += p->len;
			last = p;
			if (++n > m->pkts)
				FQM_FAIL("queue %u: a cycle in its packets", i);
		}
		if (f->tail != last)
			FQM_FAIL("queue %u: tail is not its last packet", i);
		if (q != f->backlog)
			FQM_FAIL("queue %u: backlog %u, its packets hold %llu",
				 i, f->backlog, (unsigned long long)q);
		if ((f->backlog || f->head) && f->list == MQOS_FQ_IDLE)
			FQM_FAIL("queue %u: %u packets, %u bytes, on no list",
				 i, n, f->backlog);
		pkts += n;
		bytes += q;
	}
	if (pkts != m->pkts || bytes != m->bytes)
		FQM_FAIL("queues hold %u packets %llu bytes, the model %u %llu",
			 pkts, (unsigned long long)bytes, m->pkts,
			 (unsigned long long)m->bytes);
	why = fqm_check_list(m, &fq->new_flows, MQOS_FQ_NEW, "new");
	if (!why)
		why = fqm_check_list(m, &fq->old_flows, MQOS_FQ_OLD, "old");
	if (!why)
		why = fqm_check_fat(m);
	if (!why)
		why = fqm_check_hosts(m);
	return why;
out:
	return fqm_why;
}
