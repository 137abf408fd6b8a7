// SPDX-License-Identifier: GPL-2.0
/*
 * MQOS_CMD_HOOK_GET and MQOS_CMD_HOOK_SET: the netfilter hook's
 * configuration and counters (UAPI section 4). The hook is nf_hook.c.
 *
 * HOOK_SET builds a complete new configuration (the current one, or the
 * defaults with RESET, plus what the request says), validates all of it,
 * and only then applies it: on an error nothing has changed.
 */
#include <linux/kernel.h>
#include <net/genetlink.h>
#include <uapi/linux/mqos.h>

#include "genl.h"
#include "mqos.h"
#include "nf_hook.h"
#include "core/flow.h"

static const struct nla_policy mqos_hook_class_policy[MQOS_HOOK_CLASS_A_MAX + 1] = {
	[MQOS_HOOK_CLASS_A_ID]		 = NLA_POLICY_RANGE(NLA_U8, 1, MQOS_MAX_CLASSES),
	[MQOS_HOOK_CLASS_A_REMARK]	 = { .type = NLA_U8 },
	[MQOS_HOOK_CLASS_A_POLICE_RATE]	 = { .type = NLA_U64 },
	[MQOS_HOOK_CLASS_A_POLICE_BURST] = { .type = NLA_U32 },
};

/* Not const: 6.1's NLA_POLICY_FULL_RANGE takes a plain pointer. */
static struct netlink_range_validation mqos_hook_decay_range = {
	.max = MQOS_HOOK_DECAY_MAX,
};

static const struct nla_policy mqos_hook_policy[MQOS_HOOK_A_MAX + 1] = {
	[MQOS_HOOK_A_ENABLED]	  = NLA_POLICY_MAX(NLA_U8, 1),
	[MQOS_HOOK_A_MODE]	  = NLA_POLICY_MAX(NLA_U8, MQOS_HOOK_MODE_PACKET),
	[MQOS_HOOK_A_MASK]	  = { .type = NLA_U32 },
	[MQOS_HOOK_A_DECAY]	  = NLA_POLICY_FULL_RANGE(NLA_U32, &mqos_hook_decay_range),
	[MQOS_HOOK_A_CLASS]	  = NLA_POLICY_NESTED(mqos_hook_class_policy),
	[MQOS_HOOK_A_RESET]	  = { .type = NLA_FLAG },
	[MQOS_HOOK_A_RESET_STATS] = { .type = NLA_FLAG },
};

const struct nla_policy mqos_hook_set_policy[MQOS_A_MAX + 1] = {
	[MQOS_A_HOOK] = NLA_POLICY_NESTED(mqos_hook_policy),
};

/* ---- HOOK_GET ------------------------------------------------------------- */

static int mqos_hook_put(struct sk_buff *skb, struct net *net)
{
	const struct mqos_hook_net *hn = &mqos_pernet(net)->hook;
	struct mqos_hook_stats *sum;
	struct mqos_hook_conf conf;
	struct nlattr *nest, *cn;
	unsigned int i;
	int err = -EMSGSIZE;

	sum = kmalloc(sizeof(*sum), GFP_KERNEL);
	if (!sum)
		return -ENOMEM;
	mqos_hook_conf_get(net, &conf);
	mqos_hook_stats_sum(net, sum);

	nest = nla_nest_start(skb, MQOS_A_HOOK);
	if (!nest)
		goto out;
	if (nla_put_u8(skb, MQOS_HOOK_A_ENABLED, conf.enabled) ||
	    nla_put_u8(skb, MQOS_HOOK_A_MODE, conf.mode) ||
	    nla_put_u32(skb, MQOS_HOOK_A_MASK, conf.mask) ||
	    nla_put_u32(skb, MQOS_HOOK_A_DECAY, conf.decay) ||
	    nla_put_u8(skb, MQOS_HOOK_A_CONNTRACK, READ_ONCE(hn->ct)) ||
	    nla_put_u64_64bit(skb, MQOS_HOOK_A_PACKETS, sum->packets,
			      MQOS_HOOK_A_PAD) ||
	    nla_put_u64_64bit(skb, MQOS_HOOK_A_NO_CT, sum->no_ct,
			      MQOS_HOOK_A_PAD) ||
	    nla_put_u64_64bit(skb, MQOS_HOOK_A_STICKY, sum->sticky,
			      MQOS_HOOK_A_PAD) ||
	    nla_put_u64_64bit(skb, MQOS_HOOK_A_RAISED, sum->raised,
			      MQOS_HOOK_A_PAD) ||
	    nla_put_u64_64bit(skb, MQOS_HOOK_A_DECAYED, sum->decayed,
			      MQOS_HOOK_A_PAD))
		goto out;
	if (nla_put_u32(skb, MQOS_HOOK_A_FRAME_ENTRIES,
			mqos_hook_frame_entries(net)) ||
	    nla_put_u32(skb, MQOS_HOOK_A_FRAME_MAX, MQOS_FRAME_MAX) ||
	    nla_put_u64_64bit(skb, MQOS_HOOK_A_FRAME_FULL, sum->frame_full,
			      MQOS_HOOK_A_PAD) ||
	    nla_put_u64_64bit(skb, MQOS_HOOK_A_FRAME_AT, sum->frame_at,
			      MQOS_HOOK_A_PAD) ||
	    nla_put_u64_64bit(skb, MQOS_HOOK_A_FRAME_CONT, sum->frame_cont,
			      MQOS_HOOK_A_PAD) ||
	    nla_put_u64_64bit(skb, MQOS_HOOK_A_FRAME_OLD, sum->frame_old,
			      MQOS_HOOK_A_PAD) ||
	    nla_put_u64_64bit(skb, MQOS_HOOK_A_FRAME_AHEAD, sum->frame_ahead,
			      MQOS_HOOK_A_PAD) ||
	    nla_put_u64_64bit(skb, MQOS_HOOK_A_FRAME_UNTRUSTED,
			      sum->frame_untrusted, MQOS_HOOK_A_PAD) ||
	    nla_put_u64_64bit(skb, MQOS_HOOK_A_FRAME_SYN, sum->frame_syn,
			      MQOS_HOOK_A_PAD) ||
	    nla_put_u64_64bit(skb, MQOS_HOOK_A_FRAME_RESYNC, sum->frame_resync,
			      MQOS_HOOK_A_PAD) ||
	    nla_put_u64_64bit(skb, MQOS_HOOK_A_FRAME_LOST, sum->frame_lost,
			      MQOS_HOOK_A_PAD))
		goto out;
	for (i = 1; i <= MQOS_MAX_CLASSES; i++) {
		cn = nla_nest_start(skb, MQOS_HOOK_A_CLASS);
		if (!cn ||
		    nla_put_u8(skb, MQOS_HOOK_CLASS_A_ID, i) ||
		    nla_put_u8(skb, MQOS_HOOK_CLASS_A_REMARK, conf.dscp[i]) ||
		    nla_put_u64_64bit(skb, MQOS_HOOK_CLASS_A_POLICE_RATE,
				      conf.rate[i], MQOS_HOOK_CLASS_A_PAD) ||
		    nla_put_u32(skb, MQOS_HOOK_CLASS_A_POLICE_BURST,
				conf.burst[i]) ||
		    nla_put_u64_64bit(skb, MQOS_HOOK_CLASS_A_PACKETS,
				      sum->cls_packets[i],
				      MQOS_HOOK_CLASS_A_PAD) ||
		    nla_put_u64_64bit(skb, MQOS_HOOK_CLASS_A_REMARKED,
				      sum->remarked[i], MQOS_HOOK_CLASS_A_PAD) ||
		    nla_put_u64_64bit(skb, MQOS_HOOK_CLASS_A_POLICE_DROPS,
				      sum->police_drops[i],
				      MQOS_HOOK_CLASS_A_PAD))
			goto out;
		nla_nest_end(skb, cn);
	}
	nla_nest_end(skb, nest);
	err = 0;
out:
	kfree(sum);
	return err;
}

int mqos_nl_hook_get(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &mqos_genl_family, 0,
				MQOS_CMD_HOOK_GET);
	if (!hdr) {
		err = -EMSGSIZE;
		goto err_free;
	}
	err = mqos_hook_put(msg, net);
	if (err)
		goto err_free;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	return err;
}

/* ---- HOOK_SET ------------------------------------------------------------- */

static int mqos_hook_parse_class(const struct nlattr *nest,
				 struct mqos_hook_conf *conf,
				 struct netlink_ext_ack *extack)
{
	struct nlattr *tb[MQOS_HOOK_CLASS_A_MAX + 1];
	u8 id;
	int err;

	err = nla_parse_nested(tb, MQOS_HOOK_CLASS_A_MAX, nest,
			       mqos_hook_class_policy, extack);
	if (err)
		return err;
	if (!tb[MQOS_HOOK_CLASS_A_ID]) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "hook class: ID is required");
		return -EINVAL;
	}
	id = nla_get_u8(tb[MQOS_HOOK_CLASS_A_ID]);
	if (tb[MQOS_HOOK_CLASS_A_REMARK]) {
		u8 d = nla_get_u8(tb[MQOS_HOOK_CLASS_A_REMARK]);

		if (d > 63 && d != MQOS_DSCP_KEEP) {
			NL_SET_ERR_MSG_ATTR(extack, tb[MQOS_HOOK_CLASS_A_REMARK],
					    "hook class: REMARK must be a DSCP 0..63 or 255 (keep)");
			return -ERANGE;
		}
		conf->dscp[id] = d;
	}
	if (tb[MQOS_HOOK_CLASS_A_POLICE_RATE])
		conf->rate[id] = nla_get_u64(tb[MQOS_HOOK_CLASS_A_POLICE_RATE]);
	if (tb[MQOS_HOOK_CLASS_A_POLICE_BURST])
		conf->burst[id] = nla_get_u32(tb[MQOS_HOOK_CLASS_A_POLICE_BURST]);
	if (conf->rate[id] && conf->rate[id] < MQOS_TB_MIN_RATE) {
		NL_SET_ERR_MSG_ATTR(extack, tb[MQOS_HOOK_CLASS_A_POLICE_RATE] ?: nest,
				    "hook class: POLICE_RATE below 1 kbit/s");
		return -ERANGE;
	}
	if (conf->rate[id] && !conf->burst[id]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[MQOS_HOOK_CLASS_A_POLICE_BURST] ?: nest,
				    "hook class: a policer needs POLICE_BURST >= 1");
		return -EINVAL;
	}
	/* The bucket holds at most this much; a larger burst would be cut. */
	if (conf->burst[id] > MQOS_TB_MAX_LEN) {
		NL_SET_ERR_MSG_ATTR(extack, tb[MQOS_HOOK_CLASS_A_POLICE_BURST],
				    "hook class: POLICE_BURST above 1 MiB");
		return -ERANGE;
	}
	return 0;
}

int mqos_nl_hook_set(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *tb[MQOS_HOOK_A_MAX + 1];
	struct mqos_hook_conf *conf;
	const struct nlattr *a;
	int err, rem;

	if (!info->attrs[MQOS_A_HOOK]) {
		NL_SET_ERR_MSG(extack, "HOOK is required");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, MQOS_HOOK_A_MAX, info->attrs[MQOS_A_HOOK],
			       mqos_hook_policy, extack);
	if (err)
		return err;

	conf = kmalloc(sizeof(*conf), GFP_KERNEL);
	if (!conf)
		return -ENOMEM;
	if (tb[MQOS_HOOK_A_RESET])
		mqos_hook_conf_default(conf);
	else
		mqos_hook_conf_get(net, conf);
	if (tb[MQOS_HOOK_A_ENABLED])
		conf->enabled = nla_get_u8(tb[MQOS_HOOK_A_ENABLED]);
	if (tb[MQOS_HOOK_A_MODE])
		conf->mode = nla_get_u8(tb[MQOS_HOOK_A_MODE]);
	if (tb[MQOS_HOOK_A_MASK]) {
		conf->mask = nla_get_u32(tb[MQOS_HOOK_A_MASK]);
		if (!mqos_flow_mask_valid(conf->mask)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[MQOS_HOOK_A_MASK],
					    "MASK must be contiguous bits holding class 1..16 (at least 5 bits)");
			err = -EINVAL;
			goto out;
		}
	}
	if (tb[MQOS_HOOK_A_DECAY])
		conf->decay = nla_get_u32(tb[MQOS_HOOK_A_DECAY]);
	if (conf->decay &&
	    mqos_flow_age_bits(conf->mask) < MQOS_FLOW_AGE_MIN_BITS) {
		NL_SET_ERR_MSG_ATTR(extack, tb[MQOS_HOOK_A_DECAY] ?:
				    tb[MQOS_HOOK_A_MASK],
				    "DECAY needs a MASK of at least 8 bits (5 for the class, 3 for its age)");
		err = -EINVAL;
		goto out;
	}
	nla_for_each_nested(a, info->attrs[MQOS_A_HOOK], rem) {
		if (nla_type(a) != MQOS_HOOK_A_CLASS)
			continue;
		err = mqos_hook_parse_class(a, conf, extack);
		if (err)
			goto out;
	}

	err = mqos_hook_conf_apply(net, conf, extack);
	if (err)
		goto out;
	if (tb[MQOS_HOOK_A_RESET_STATS])
		mqos_hook_stats_reset(net);
	mqos_ctl_changed(net);
out:
	kfree(conf);
	return err;
}
