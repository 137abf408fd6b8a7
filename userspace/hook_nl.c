// SPDX-License-Identifier: GPL-2.0
/*
 * The netfilter hook over netlink: HOOK_GET / HOOK_SET, `hook show`, and
 * the hook's part of `stats`. The grammar is hook.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <json-c/json.h>
#include <netlink/netlink.h>
#include <netlink/genl/genl.h>

#include "mqosctl.h"

static uint64_t get_num(struct nlattr *a)
{
	switch (nla_len(a)) {
	case 1: return nla_get_u8(a);
	case 4: return nla_get_u32(a);
	case 8: return nla_get_u64(a);
	}
	return 0;
}

static void get_class(struct nlattr *nest, struct ctl_hook *h)
{
	struct nlattr *tb[MQOS_HOOK_CLASS_A_MAX + 1];
	struct ctl_hook_class *c;
	uint8_t id;

	if (nla_parse_nested(tb, MQOS_HOOK_CLASS_A_MAX, nest, NULL) < 0 ||
	    !tb[MQOS_HOOK_CLASS_A_ID])
		return;
	id = nla_get_u8(tb[MQOS_HOOK_CLASS_A_ID]);
	if (id < 1 || id > MQOS_MAX_CLASSES)
		return;
	c = &h->cls[id];
#define G(attr, field) if (tb[attr]) c->field = get_num(tb[attr])
	G(MQOS_HOOK_CLASS_A_REMARK, dscp);
	G(MQOS_HOOK_CLASS_A_POLICE_RATE, rate);
	G(MQOS_HOOK_CLASS_A_POLICE_BURST, burst);
	G(MQOS_HOOK_CLASS_A_PACKETS, packets);
	G(MQOS_HOOK_CLASS_A_REMARKED, remarked);
	G(MQOS_HOOK_CLASS_A_POLICE_DROPS, police_drops);
#undef G
}

static int hook_cb(struct nlattr **top, void *arg)
{
	struct nlattr *tb[MQOS_HOOK_A_MAX + 1], *a;
	struct ctl_hook *h = arg;
	int rem;

	if (!top[MQOS_A_HOOK] ||
	    nla_parse_nested(tb, MQOS_HOOK_A_MAX, top[MQOS_A_HOOK], NULL) < 0)
		return 0;
#define G(attr, field) if (tb[attr]) h->field = get_num(tb[attr])
	G(MQOS_HOOK_A_ENABLED, enabled);
	G(MQOS_HOOK_A_MODE, mode);
	G(MQOS_HOOK_A_MASK, mask);
	G(MQOS_HOOK_A_DECAY, decay);
	G(MQOS_HOOK_A_CONNTRACK, conntrack);
	G(MQOS_HOOK_A_PACKETS, packets);
	G(MQOS_HOOK_A_NO_CT, no_ct);
	G(MQOS_HOOK_A_STICKY, sticky);
	G(MQOS_HOOK_A_RAISED, raised);
	G(MQOS_HOOK_A_DECAYED, decayed);
	G(MQOS_HOOK_A_FRAME_ENTRIES, frame_entries);
	G(MQOS_HOOK_A_FRAME_MAX, frame_max);
	G(MQOS_HOOK_A_FRAME_FULL, frame_full);
	G(MQOS_HOOK_A_FRAME_AT, frame_at);
	G(MQOS_HOOK_A_FRAME_CONT, frame_cont);
	G(MQOS_HOOK_A_FRAME_OLD, frame_old);
	G(MQOS_HOOK_A_FRAME_AHEAD, frame_ahead);
	G(MQOS_HOOK_A_FRAME_UNTRUSTED, frame_untrusted);
	G(MQOS_HOOK_A_FRAME_SYN, frame_syn);
	G(MQOS_HOOK_A_FRAME_RESYNC, frame_resync);
	G(MQOS_HOOK_A_FRAME_LOST, frame_lost);
#undef G
	nla_for_each_nested(a, top[MQOS_A_HOOK], rem)
		if (nla_type(a) == MQOS_HOOK_A_CLASS)
			get_class(a, h);
	return 0;
}

int ctl_hook_get(struct ctl_hook *h)
{
	ctl_hook_init(h);
	return ctl_request(ctl_msg(MQOS_CMD_HOOK_GET, 0), hook_cb, h, NULL, 0);
}

#define PUT(cond, expr) do { if ((cond) && (expr) < 0) goto nomem; } while (0)

int ctl_hook_set(const struct ctl_hook *h, bool reset, bool reset_stats)
{
	struct nl_msg *msg = ctl_msg(MQOS_CMD_HOOK_SET, 0);
	struct nlattr *n, *cn;
	int id;

	if (!msg)
		return -ENOMEM;
	n = nla_nest_start(msg, MQOS_A_HOOK);
	if (!n)
		goto nomem;
	PUT(reset, nla_put_flag(msg, MQOS_HOOK_A_RESET));
	PUT(reset_stats, nla_put_flag(msg, MQOS_HOOK_A_RESET_STATS));
	PUT(h->has & HAS(MQOS_HOOK_A_ENABLED),
	    nla_put_u8(msg, MQOS_HOOK_A_ENABLED, h->enabled));
	PUT(h->has & HAS(MQOS_HOOK_A_MODE),
	    nla_put_u8(msg, MQOS_HOOK_A_MODE, h->mode));
	PUT(h->has & HAS(MQOS_HOOK_A_MASK),
	    nla_put_u32(msg, MQOS_HOOK_A_MASK, h->mask));
	PUT(h->has & HAS(MQOS_HOOK_A_DECAY),
	    nla_put_u32(msg, MQOS_HOOK_A_DECAY, h->decay));
	for (id = 1; id <= MQOS_MAX_CLASSES; id++) {
		const struct ctl_hook_class *c = &h->cls[id];

		if (!c->has)
			continue;
		cn = nla_nest_start(msg, MQOS_HOOK_A_CLASS);
		if (!cn)
			goto nomem;
		PUT(1, nla_put_u8(msg, MQOS_HOOK_CLASS_A_ID, id));
		PUT(c->has & HAS(MQOS_HOOK_CLASS_A_REMARK),
		    nla_put_u8(msg, MQOS_HOOK_CLASS_A_REMARK, c->dscp));
		PUT(c->has & HAS(MQOS_HOOK_CLASS_A_POLICE_RATE),
		    nla_put_u64(msg, MQOS_HOOK_CLASS_A_POLICE_RATE, c->rate));
		PUT(c->has & HAS(MQOS_HOOK_CLASS_A_POLICE_BURST),
		    nla_put_u32(msg, MQOS_HOOK_CLASS_A_POLICE_BURST, c->burst));
		nla_nest_end(msg, cn);
	}
	nla_nest_end(msg, n);
	return ctl_request(msg, NULL, NULL, NULL, 0);
nomem:
	nlmsg_free(msg);
	return -ENOMEM;
}

struct json_object *hook_json(const struct ctl_hook *h)
{
	json_object *o = json_object_new_object();
	json_object *arr = json_object_new_array();
	char buf[16];
	int id;

	json_object_object_add(o, "enabled", json_object_new_boolean(h->enabled));
	json_object_object_add(o, "mode", json_object_new_string(
		h->mode == MQOS_HOOK_MODE_PACKET ? "packet" : "sticky"));
	snprintf(buf, sizeof(buf), "0x%08x", h->mask);
	json_object_object_add(o, "mask", json_object_new_string(buf));
	json_object_object_add(o, "decay_s", json_object_new_int64(h->decay));
	json_object_object_add(o, "conntrack",
			       json_object_new_boolean(h->conntrack));
	json_object_object_add(o, "packets", json_object_new_uint64(h->packets));
	json_object_object_add(o, "no_ct", json_object_new_uint64(h->no_ct));
	json_object_object_add(o, "sticky", json_object_new_uint64(h->sticky));
	json_object_object_add(o, "raised", json_object_new_uint64(h->raised));
	json_object_object_add(o, "decayed", json_object_new_uint64(h->decayed));
	{
		json_object *f = json_object_new_object();

#define F(key, v) json_object_object_add(f, key, json_object_new_uint64(v))
		F("entries", h->frame_entries);
		F("max_entries", h->frame_max);
		F("table_full", h->frame_full);
		F("segments_at_header", h->frame_at);
		F("continuations_skipped", h->frame_cont);
		F("retransmissions_skipped", h->frame_old);
		F("out_of_order_skipped", h->frame_ahead);
		F("untrusted", h->frame_untrusted);
		F("handshakes", h->frame_syn);
		F("resyncs", h->frame_resync);
		F("lost", h->frame_lost);
#undef F
		json_object_object_add(o, "framing", f);
	}
	for (id = 1; id <= MQOS_MAX_CLASSES; id++) {
		const struct ctl_hook_class *c = &h->cls[id];
		json_object *co;

		if (c->dscp == MQOS_DSCP_KEEP && !c->rate && !c->packets &&
		    !c->police_drops)
			continue;
		co = json_object_new_object();
		json_object_object_add(co, "class", json_object_new_int(id));
		if (c->dscp == MQOS_DSCP_KEEP)
			json_object_object_add(co, "remark", NULL);
		else
			json_object_object_add(co, "remark",
					       json_object_new_int(c->dscp));
		/* police_rate (bytes/s) and police_burst came first, without
		 * units in their names; kept for readers of then.
		 */
		json_object_object_add(co, "police_rate",
				       json_object_new_uint64(c->rate));
		json_object_object_add(co, "police_burst",
				       json_object_new_uint64(c->burst));
		json_object_object_add(co, "police_rate_bps",
				       json_object_new_uint64(c->rate * 8));
		json_object_object_add(co, "police_burst_bytes",
				       json_object_new_uint64(c->burst));
		json_object_object_add(co, "packets",
				       json_object_new_uint64(c->packets));
		json_object_object_add(co, "remarked",
				       json_object_new_uint64(c->remarked));
		json_object_object_add(co, "police_drops",
				       json_object_new_uint64(c->police_drops));
		json_object_array_add(arr, co);
	}
	json_object_object_add(o, "classes", arr);
	return o;
}

void hook_stats_text(const struct ctl_hook *h)
{
	int id;

	printf("hook %s, mode %s, mask 0x%08x, conntrack %s: %" PRIu64
	       " pkts, %" PRIu64 " without conntrack (per packet), %" PRIu64
	       " in their connection's class, %" PRIu64 " class raises",
	       h->enabled ? "on" : "off",
	       h->mode == MQOS_HOOK_MODE_PACKET ? "packet" : "sticky", h->mask,
	       h->conntrack ? "yes" : "no (per-packet fallback)", h->packets,
	       h->no_ct, h->sticky, h->raised);
	if (h->decay)
		printf(", %" PRIu64 " decays (after %us)", h->decayed, h->decay);
	putchar('\n');
	printf("  mqtt framing: %u/%u connections, %" PRIu64 " table full; segments: %"
	       PRIu64 " at a header, %" PRIu64 " continuation skipped, %" PRIu64
	       " retransmitted, %" PRIu64 " out of order, %" PRIu64
	       " untrusted; positions: %" PRIu64 " from handshakes, %" PRIu64
	       " resyncs, %" PRIu64 " lost\n", h->frame_entries, h->frame_max,
	       h->frame_full, h->frame_at, h->frame_cont, h->frame_old,
	       h->frame_ahead, h->frame_untrusted, h->frame_syn,
	       h->frame_resync, h->frame_lost);
	for (id = 1; id <= MQOS_MAX_CLASSES; id++) {
		const struct ctl_hook_class *c = &h->cls[id];

		if (!c->packets && !c->remarked && !c->police_drops)
			continue;
		printf("  hook class %d: %" PRIu64 " pkts, remarked %" PRIu64
		       ", ingress policer drops %" PRIu64 "\n", id, c->packets,
		       c->remarked, c->police_drops);
	}
}

int cmd_hook_show(bool json)
{
	struct ctl_hook h;
	int err, id;

	err = ctl_hook_get(&h);
	if (err)
		return err;
	if (json) {
		json_object *o = hook_json(&h);

		printf("%s\n", json_object_to_json_string_ext(o,
			JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
		return 0;
	}
	print_hook_set(stdout, &h);
	for (id = 1; id <= MQOS_MAX_CLASSES; id++)
		print_hook_class(stdout, &h, id);
	hook_stats_text(&h);
	return 0;
}
