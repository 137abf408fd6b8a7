// SPDX-License-Identifier: GPL-2.0
/*
 * MQTT stream framing for the netfilter hook (nf_hook.c).
 *
 * For each tracked TCP connection from or to an MQTT port, the hook keeps
 * where the next MQTT fixed header starts in each direction
 * (core/mqtt_stream.h): a segment is then read from its first real header,
 * and a segment that is only the middle of a message is not read as MQTT.
 * Only a PUBLISH whose header starts at a known position raises the
 * connection's class.
 *
 * The state lives in a per-netns hash table (struct mqos_frame_table),
 * keyed by the connection's original-direction tuple and its nf_conn,
 * created with the hook's conntrack use and freed with it. It holds at
 * most MQOS_FRAME_MAX entries (each 128 bytes of slab: 512 KiB, plus 8 KiB
 * of buckets): a connection that finds it full has no state, is never
 * raised, and is counted (frame_full). An entry holds a reference on its
 * nf_conn (nf_conntrack_get(); the put goes through the netfilter core's
 * nf_conntrack_destroy, no nf_conntrack symbol); a GC pass every
 * MQOS_FRAME_GC_SECS frees the entries whose connection conntrack has let
 * go (dying, or no reference left but ours). Disabling the hook (and so
 * netns exit and module unload) frees them all, after the hooks are gone
 * and an RCU grace period.
 */
#include <linux/jhash.h>
#include <linux/random.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <net/netfilter/nf_conntrack.h>

#include "classify.h"
#include "mqos.h"
#include "nf_frame.h"

#if MQOS_HAVE_CT

#define MQOS_FRAME_GC_SECS	5

/* One connection (128 bytes of slab). */
struct mqos_frame {
	struct hlist_node node;		/* in a bucket, under the table lock */
	struct rcu_head rcu;
	struct nf_conntrack_tuple tuple;	/* original direction */
	struct nf_conn *ct;		/* holds a reference (the GC puts it) */
	spinlock_t lock;		/* dir[] */
	struct mqos_mqtt_stream dir[IP_CT_DIR_MAX];
};

struct mqos_frame_table {
	spinlock_t lock;		/* insertions and removals */
	atomic_t count;			/* entries, <= MQOS_FRAME_MAX */
	u32 seed;
	struct delayed_work gc;
	struct hlist_head buckets[MQOS_FRAME_BUCKETS];
};

static u32 mqos_frame_bucket(const struct mqos_frame_table *t,
			     const struct nf_conntrack_tuple *tp)
{
	u32 h;

	h = jhash2((const u32 *)&tp->src.u3, sizeof(tp->src.u3) / sizeof(u32),
		   t->seed);
	h = jhash2((const u32 *)&tp->dst.u3, sizeof(tp->dst.u3) / sizeof(u32),
		   h);
	h = jhash_3words((__force u32)tp->src.u.all,
			 (__force u32)tp->dst.u.all, tp->dst.protonum, h);
	return h & (MQOS_FRAME_BUCKETS - 1);
}

static void mqos_frame_free_rcu(struct rcu_head *head)
{
	kfree(container_of(head, struct mqos_frame, rcu));
}

/* Unlinked by the caller (table lock held or no reader left). */
static void mqos_frame_release(struct mqos_frame_table *t, struct mqos_frame *f)
{
	nf_conntrack_put(&f->ct->ct_general);
	atomic_dec(&t->count);
	call_rcu(&f->rcu, mqos_frame_free_rcu);
}

/*
 * The entry of @ct, created if there is none and room is left. NULL if
 * the table is full (*@full set) or memory is short. Under RCU.
 */
static struct mqos_frame *mqos_frame_get(struct mqos_frame_table *t,
					 struct nf_conn *ct, bool *full)
{
	const struct nf_conntrack_tuple *tp =
		&ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	u32 b = mqos_frame_bucket(t, tp);
	struct mqos_frame *f, *n;

	hlist_for_each_entry_rcu(f, &t->buckets[b], node)
		if (READ_ONCE(f->ct) == ct && nf_ct_tuple_equal(&f->tuple, tp))
			return f;

	if (atomic_inc_return(&t->count) > MQOS_FRAME_MAX) {
		atomic_dec(&t->count);
		*full = true;
		return NULL;
	}
	n = kzalloc(sizeof(*n), GFP_ATOMIC);
	if (!n) {
		atomic_dec(&t->count);
		return NULL;
	}
	n->tuple = *tp;
	spin_lock_init(&n->lock);
	spin_lock_bh(&t->lock);
	hlist_for_each_entry(f, &t->buckets[b], node) {
		if (f->ct == ct && nf_ct_tuple_equal(&f->tuple, tp)) {
			/* Another CPU was first. */
			spin_unlock_bh(&t->lock);
			kfree(n);
			atomic_dec(&t->count);
			return f;
		}
	}
	nf_conntrack_get(&ct->ct_general);
	n->ct = ct;
	hlist_add_head_rcu(&n->node, &t->buckets[b]);
	spin_unlock_bh(&t->lock);
	return n;
}

/* Frees the entries whose connection is gone (all of them if @all). */
static void mqos_frame_sweep(struct mqos_frame_table *t, bool all)
{
	unsigned int i;

	for (i = 0; i < MQOS_FRAME_BUCKETS; i++) {
		struct mqos_frame *f;
		struct hlist_node *tmp;

		if (hlist_empty(&t->buckets[i]))
			continue;
		spin_lock_bh(&t->lock);
		hlist_for_each_entry_safe(f, tmp, &t->buckets[i], node) {
			if (!all && !nf_ct_is_dying(f->ct) &&
			    refcount_read(&f->ct->ct_general.use) > 1)
				continue;
			hlist_del_rcu(&f->node);
			mqos_frame_release(t, f);
		}
		spin_unlock_bh(&t->lock);
		cond_resched();
	}
}

static void mqos_frame_gc(struct work_struct *work)
{
	struct mqos_frame_table *t =
		container_of(to_delayed_work(work), struct mqos_frame_table, gc);

	mqos_frame_sweep(t, false);
	queue_delayed_work(system_power_efficient_wq, &t->gc,
			   MQOS_FRAME_GC_SECS * HZ);
}

/* With conntrack on, before the hooks are registered. */
int mqos_frame_on(struct mqos_hook_net *hn)
{
	struct mqos_frame_table *t = kvzalloc(sizeof(*t), GFP_KERNEL);
	unsigned int i;

	if (!t)
		return -ENOMEM;
	spin_lock_init(&t->lock);
	atomic_set(&t->count, 0);
	t->seed = get_random_u32();
	for (i = 0; i < MQOS_FRAME_BUCKETS; i++)
		INIT_HLIST_HEAD(&t->buckets[i]);
	INIT_DELAYED_WORK(&t->gc, mqos_frame_gc);
	queue_delayed_work(system_power_efficient_wq, &t->gc,
			   MQOS_FRAME_GC_SECS * HZ);
	rcu_assign_pointer(hn->frame, t);
	return 0;
}

/* After the hooks are unregistered, before conntrack is let go. */
void mqos_frame_off(struct mqos_hook_net *hn)
{
	struct mqos_frame_table *t = rcu_dereference_protected(hn->frame, 1);

	if (!t)
		return;
	RCU_INIT_POINTER(hn->frame, NULL);
	cancel_delayed_work_sync(&t->gc);
	synchronize_rcu();
	mqos_frame_sweep(t, true);
	/* The entries' call_rcu callbacks run before the table goes. */
	rcu_barrier();
	kvfree(t);
}

/*
 * Feed the segment to its connection's framing state and tell the
 * classifier where MQTT starts (@meta). Returns true if the segment was
 * read from a known header position (a PUBLISH in it may raise the
 * connection).
 */
bool mqos_frame_seg(struct mqos_net *mn, struct sk_buff *skb, u16 proto,
		    struct nf_conn *ct, enum ip_conntrack_dir dir,
		    struct mqos_meta *meta)
{
	struct mqos_hook_net *hn = &mn->hook;
	struct mqos_frame_table *t = rcu_dereference(hn->frame);
	struct mqos_hook_stats __percpu *st = hn->stats;
	struct mqos_tcp_seg seg;
	struct mqos_ms_res res;
	struct mqos_frame *f;
	bool full = false;
	u8 ev;

	if (!t || !mqos_classify_mqtt_seg(mn, skb, proto,
					  skb_network_offset(skb), &seg))
		return false;
	if (!seg.syn && seg.off >= seg.end)
		return false;		/* a bare ACK: nothing to learn */
	/* From here on, nothing in the segment is MQTT unless framing says. */
	meta->mqtt_frame = MQOS_FRAME_SKIP;
	f = mqos_frame_get(t, ct, &full);
	if (!f) {
		if (full)
			this_cpu_inc(hn->stats->frame_full);
		return false;
	}
	spin_lock_bh(&f->lock);
	mqos_classify_mqtt_feed(skb, skb_network_offset(skb), &seg,
				&f->dir[dir], &res);
	spin_unlock_bh(&f->lock);

	ev = res.events;
	if (ev & MQOS_MS_EV_SYN)
		this_cpu_inc(st->frame_syn);
	if (ev & MQOS_MS_EV_RESYNC)
		this_cpu_inc(st->frame_resync);
	if (ev & MQOS_MS_EV_LOST)
		this_cpu_inc(st->frame_lost);
	if (ev & MQOS_MS_EV_CONT)
		this_cpu_inc(st->frame_cont);
	if (ev & MQOS_MS_EV_OLD)
		this_cpu_inc(st->frame_old);
	if (ev & MQOS_MS_EV_AHEAD)
		this_cpu_inc(st->frame_ahead);
	if (seg.off >= seg.end)
		return false;
	if (res.verdict == MQOS_MS_UNTRUSTED)
		this_cpu_inc(st->frame_untrusted);
	if (res.verdict != MQOS_MS_AT)
		return false;
	this_cpu_inc(st->frame_at);
	meta->mqtt_frame = MQOS_FRAME_AT;
	meta->mqtt_skip = res.first;
	return true;
}

u32 mqos_frame_count(struct mqos_hook_net *hn)
{
	struct mqos_frame_table *t;
	u32 n = 0;

	rcu_read_lock();
	t = rcu_dereference(hn->frame);
	if (t)
		n = (u32)atomic_read(&t->count);
	rcu_read_unlock();
	return n;
}

#endif /* MQOS_HAVE_CT */
