// SPDX-License-Identifier: GPL-2.0
/*
 * The "mqos" qdisc's TCA_MQOS_* configuration: strict policies, parsing,
 * validation of the result as a whole, the offending attribute reported
 * through extack. Dumping it back and the statistics are sch_mqos_dump.c's.
 * The contract is documented in include/uapi/linux/mqos.h.
 */
#include <linux/kernel.h>
#include <net/netlink.h>
#include <net/pkt_sched.h>
#include <uapi/linux/mqos.h>

#include "sch_mqos.h"

#define MQOS_MAX_AQM_US		(10 * USEC_PER_SEC)
#define MQOS_MAX_QUANTUM	BIT(20)	/* keep the messages below in sync */

static struct netlink_range_validation mqos_rate_range = {
	.max = MQOS_MAX_RATE,
};

static struct netlink_range_validation mqos_quantum_range = {
	.min = MQOS_MIN_QUANTUM,
	.max = MQOS_MAX_QUANTUM,
};

static struct netlink_range_validation mqos_limit_range = {
	.min = 1,
	.max = U32_MAX,
};

static struct netlink_range_validation mqos_aqm_target_range = {
	.max = MQOS_MAX_AQM_US,
};

static struct netlink_range_validation mqos_aqm_interval_range = {
	.min = 1,
	.max = MQOS_MAX_AQM_US,
};

static const struct nla_policy mqos_class_policy[TCA_MQOS_CLASS_MAX + 1];

static const struct nla_policy mqos_classes_policy[TCA_MQOS_CLASSES_MAX + 1] = {
	[TCA_MQOS_CLASSES_CLASS] = NLA_POLICY_NESTED(mqos_class_policy),
};

static const struct nla_policy mqos_policy[TCA_MQOS_MAX + 1] = {
	[TCA_MQOS_RATE]		 = NLA_POLICY_FULL_RANGE(NLA_U64, &mqos_rate_range),
	[TCA_MQOS_OVERHEAD]	 = NLA_POLICY_MAX(NLA_U32, MQOS_MAX_OVERHEAD),
	[TCA_MQOS_DEFAULT_CLASS] = NLA_POLICY_RANGE(NLA_U8, 1, MQOS_MAX_CLASSES),
	[TCA_MQOS_CLASSES]	 = NLA_POLICY_NESTED(mqos_classes_policy),
	[TCA_MQOS_RESET_STATS]	 = { .type = NLA_FLAG },
	[TCA_MQOS_ISOLATION]	 = NLA_POLICY_MAX(NLA_U8, __MQOS_ISOLATE_MAX - 1),
	[TCA_MQOS_MEMORY_LIMIT]	 = { .type = NLA_U32 },
	[TCA_MQOS_CLASSES_REPLACE] = { .type = NLA_FLAG },
	[TCA_MQOS_INGRESS]	 = NLA_POLICY_MAX(NLA_U8, 1),
};

static const struct nla_policy mqos_class_policy[TCA_MQOS_CLASS_MAX + 1] = {
	[TCA_MQOS_CLASS_ID]	  = NLA_POLICY_RANGE(NLA_U8, 1, MQOS_MAX_CLASSES),
	[TCA_MQOS_CLASS_DELETE]	  = { .type = NLA_FLAG },
	[TCA_MQOS_CLASS_NAME]	  = { .type = NLA_NUL_STRING,
				      .len = MQOS_CLASS_NAME_LEN - 1 },
	[TCA_MQOS_CLASS_PRIO]	  = NLA_POLICY_MAX(NLA_U8, MQOS_NUM_PRIOS - 1),
	[TCA_MQOS_CLASS_RATE]	  = NLA_POLICY_FULL_RANGE(NLA_U64, &mqos_rate_range),
	[TCA_MQOS_CLASS_CEIL]	  = NLA_POLICY_FULL_RANGE(NLA_U64, &mqos_rate_range),
	[TCA_MQOS_CLASS_RATE_PCT] = NLA_POLICY_MAX(NLA_U8, 100),
	[TCA_MQOS_CLASS_CEIL_PCT] = NLA_POLICY_MAX(NLA_U8, 100),
	[TCA_MQOS_CLASS_QUANTUM]  = NLA_POLICY_FULL_RANGE(NLA_U32,
							  &mqos_quantum_range),
	[TCA_MQOS_CLASS_LIMIT]	  = NLA_POLICY_FULL_RANGE(NLA_U32,
							  &mqos_limit_range),
	[TCA_MQOS_CLASS_LIMIT_BYTES]  = { .type = NLA_U32 },
	[TCA_MQOS_CLASS_POLICE_RATE]  = NLA_POLICY_FULL_RANGE(NLA_U64,
							      &mqos_rate_range),
	[TCA_MQOS_CLASS_POLICE_BURST] = { .type = NLA_U32 },
	[TCA_MQOS_CLASS_POLICE_DEMOTE] = NLA_POLICY_MAX(NLA_U8, MQOS_MAX_CLASSES),
	[TCA_MQOS_CLASS_AQM_TARGET]   = NLA_POLICY_FULL_RANGE(NLA_U32,
							      &mqos_aqm_target_range),
	[TCA_MQOS_CLASS_AQM_INTERVAL] = NLA_POLICY_FULL_RANGE(NLA_U32,
							      &mqos_aqm_interval_range),
	[TCA_MQOS_CLASS_ECN]	  = NLA_POLICY_MAX(NLA_U8, 1),
	[TCA_MQOS_CLASS_DSCP]	  = { .type = NLA_U8 },
	[TCA_MQOS_CLASS_FLOWS]	  = NLA_POLICY_MAX(NLA_U32, MQOS_MAX_FLOWS),
	[TCA_MQOS_CLASS_AQM_MODE] = NLA_POLICY_MAX(NLA_U8, MQOS_AQM_MODE_MAX),
};

/* A rate is 0 (none) or at least the token bucket's minimum. */
static bool mqos_rate_bad(const struct nlattr *a)
{
	u64 v;

	if (!a)
		return false;
	v = nla_get_u64(a);
	return v && v < MQOS_TB_MIN_RATE;
}

static bool mqos_u32_bad(const struct nlattr *a, u32 min, u32 max)
{
	u32 v;

	if (!a)
		return false;
	v = nla_get_u32(a);
	return v < min || v > max;
}

/*
 * Checks of single attributes that the policy cannot express (ranges are
 * in the policies: the kernel's extack then names the attribute).
 */
static int mqos_check_class_attrs(struct nlattr **tb, u8 id, u32 mtu,
				  struct netlink_ext_ack *extack)
{
	struct nlattr *a;

	a = tb[TCA_MQOS_CLASS_NAME];
	if (a && (!nla_len(a) || !*(const char *)nla_data(a))) {
		NL_SET_ERR_MSG_ATTR(extack, a, "TCA_MQOS_CLASS_NAME: empty name");
		return -EINVAL;
	}
	if (mqos_rate_bad(tb[TCA_MQOS_CLASS_RATE])) {
		NL_SET_ERR_MSG_ATTR(extack, tb[TCA_MQOS_CLASS_RATE],
				    "TCA_MQOS_CLASS_RATE: below 125 bytes/s (1 kbit/s)");
		return -ERANGE;
	}
	if (mqos_rate_bad(tb[TCA_MQOS_CLASS_CEIL])) {
		NL_SET_ERR_MSG_ATTR(extack, tb[TCA_MQOS_CLASS_CEIL],
				    "TCA_MQOS_CLASS_CEIL: below 125 bytes/s (1 kbit/s)");
		return -ERANGE;
	}
	if (mqos_rate_bad(tb[TCA_MQOS_CLASS_POLICE_RATE])) {
		NL_SET_ERR_MSG_ATTR(extack, tb[TCA_MQOS_CLASS_POLICE_RATE],
				    "TCA_MQOS_CLASS_POLICE_RATE: below 125 bytes/s (1 kbit/s)");
		return -ERANGE;
	}
	if (mqos_u32_bad(tb[TCA_MQOS_CLASS_LIMIT_BYTES], mtu, U32_MAX)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[TCA_MQOS_CLASS_LIMIT_BYTES],
				    "TCA_MQOS_CLASS_LIMIT_BYTES: smaller than one MTU");
		return -ERANGE;
	}
	if (mqos_u32_bad(tb[TCA_MQOS_CLASS_POLICE_BURST], mtu,
			 MQOS_TB_MAX_LEN)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[TCA_MQOS_CLASS_POLICE_BURST],
				    "TCA_MQOS_CLASS_POLICE_BURST: not between one MTU and 1 MiB");
		return -ERANGE;
	}
	a = tb[TCA_MQOS_CLASS_POLICE_DEMOTE];
	if (a && nla_get_u8(a) == id) {
		NL_SET_ERR_MSG_ATTR(extack, a,
				    "TCA_MQOS_CLASS_POLICE_DEMOTE: a class cannot demote to itself");
		return -EINVAL;
	}
	a = tb[TCA_MQOS_CLASS_FLOWS];
	if (a && nla_get_u32(a) && !mqos_fq_nflows_ok(nla_get_u32(a))) {
		NL_SET_ERR_MSG_ATTR(extack, a,
				    "TCA_MQOS_CLASS_FLOWS: not 0 or a power of two in 8..16384");
		return -EINVAL;
	}
	a = tb[TCA_MQOS_CLASS_DSCP];
	if (a && nla_get_u8(a) > 63 && nla_get_u8(a) != MQOS_DSCP_KEEP) {
		NL_SET_ERR_MSG_ATTR(extack, a,
				    "TCA_MQOS_CLASS_DSCP: not 0..63 or 255 (keep)");
		return -ERANGE;
	}
	return 0;
}

/*
 * Apply one class's parsed attributes @tb (from @nest) to class @id of
 * @cfg, creating it if it does not exist.
 */
static int mqos_parse_class_tb(struct nlattr **tb, struct nlattr *nest, u8 id,
			       struct mqos_cfg *cfg, u32 mtu,
			       struct netlink_ext_ack *extack)
{
	struct mqos_class_cfg *c = &cfg->cls[id];
	int err;

	if (tb[TCA_MQOS_CLASS_DELETE]) {
		if (!c->present) {
			NL_SET_ERR_MSG_ATTR(extack, tb[TCA_MQOS_CLASS_DELETE],
					    "TCA_MQOS_CLASS_DELETE: no such class");
			return -ENOENT;
		}
		c->present = 0;
		return 0;
	}
	err = mqos_check_class_attrs(tb, id, mtu, extack);
	if (err)
		return err;
	if (!c->present)
		mqos_class_cfg_default(c, id, mtu);

	if (tb[TCA_MQOS_CLASS_NAME])
		nla_strscpy(c->name, tb[TCA_MQOS_CLASS_NAME], sizeof(c->name));
	if (tb[TCA_MQOS_CLASS_PRIO])
		c->prio = nla_get_u8(tb[TCA_MQOS_CLASS_PRIO]);
	if (tb[TCA_MQOS_CLASS_RATE])
		c->rate = nla_get_u64(tb[TCA_MQOS_CLASS_RATE]);
	if (tb[TCA_MQOS_CLASS_CEIL])
		c->ceil = nla_get_u64(tb[TCA_MQOS_CLASS_CEIL]);
	if (tb[TCA_MQOS_CLASS_RATE_PCT])
		c->rate_pct = nla_get_u8(tb[TCA_MQOS_CLASS_RATE_PCT]);
	if (tb[TCA_MQOS_CLASS_CEIL_PCT])
		c->ceil_pct = nla_get_u8(tb[TCA_MQOS_CLASS_CEIL_PCT]);
	if (tb[TCA_MQOS_CLASS_QUANTUM])
		c->quantum = nla_get_u32(tb[TCA_MQOS_CLASS_QUANTUM]);
	if (tb[TCA_MQOS_CLASS_LIMIT])
		c->limit = nla_get_u32(tb[TCA_MQOS_CLASS_LIMIT]);
	if (tb[TCA_MQOS_CLASS_LIMIT_BYTES])
		c->limit_bytes = nla_get_u32(tb[TCA_MQOS_CLASS_LIMIT_BYTES]);
	if (tb[TCA_MQOS_CLASS_POLICE_RATE])
		c->police_rate = nla_get_u64(tb[TCA_MQOS_CLASS_POLICE_RATE]);
	if (tb[TCA_MQOS_CLASS_POLICE_BURST])
		c->police_burst = nla_get_u32(tb[TCA_MQOS_CLASS_POLICE_BURST]);
	if (tb[TCA_MQOS_CLASS_POLICE_DEMOTE])
		c->police_demote = nla_get_u8(tb[TCA_MQOS_CLASS_POLICE_DEMOTE]);
	if (tb[TCA_MQOS_CLASS_AQM_TARGET])
		c->aqm_target_us = nla_get_u32(tb[TCA_MQOS_CLASS_AQM_TARGET]);
	if (tb[TCA_MQOS_CLASS_AQM_INTERVAL])
		c->aqm_interval_us = nla_get_u32(tb[TCA_MQOS_CLASS_AQM_INTERVAL]);
	if (tb[TCA_MQOS_CLASS_ECN])
		c->ecn = nla_get_u8(tb[TCA_MQOS_CLASS_ECN]);
	if (tb[TCA_MQOS_CLASS_DSCP])
		c->dscp = nla_get_u8(tb[TCA_MQOS_CLASS_DSCP]);
	if (tb[TCA_MQOS_CLASS_FLOWS])
		c->flows = nla_get_u32(tb[TCA_MQOS_CLASS_FLOWS]);
	if (tb[TCA_MQOS_CLASS_AQM_MODE])
		c->aqm_mode = nla_get_u8(tb[TCA_MQOS_CLASS_AQM_MODE]);

	/* Checks of the resulting class. */
	if (c->rate && c->ceil && c->ceil < c->rate) {
		NL_SET_ERR_MSG_ATTR(extack, tb[TCA_MQOS_CLASS_CEIL] ?: nest,
				    "TCA_MQOS_CLASS_CEIL: below the guaranteed rate");
		return -EINVAL;
	}
	if (c->police_rate && c->police_burst < mtu) {
		NL_SET_ERR_MSG_ATTR(extack,
				    tb[TCA_MQOS_CLASS_POLICE_RATE] ?: nest,
				    "TCA_MQOS_CLASS_POLICE_BURST is required with a policer rate");
		return -EINVAL;
	}
	if (c->aqm_target_us && c->aqm_interval_us < c->aqm_target_us) {
		NL_SET_ERR_MSG_ATTR(extack,
				    tb[TCA_MQOS_CLASS_AQM_INTERVAL] ?: nest,
				    "TCA_MQOS_CLASS_AQM_INTERVAL: shorter than the target");
		return -EINVAL;
	}
	return 0;
}

/* Apply one TCA_MQOS_CLASSES_CLASS nest to @cfg. */
static int mqos_parse_class(struct nlattr *nest, struct mqos_cfg *cfg,
			    u32 mtu, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[TCA_MQOS_CLASS_MAX + 1];
	int err;

	err = nla_parse_nested(tb, TCA_MQOS_CLASS_MAX, nest, mqos_class_policy,
			       extack);
	if (err < 0)
		return err;
	if (!tb[TCA_MQOS_CLASS_ID]) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "TCA_MQOS_CLASS_ID is required in a class");
		return -EINVAL;
	}
	return mqos_parse_class_tb(tb, nest, nla_get_u8(tb[TCA_MQOS_CLASS_ID]),
				   cfg, mtu, extack);
}

/* Checks of the whole configuration; @a is the attribute to blame. */
static int mqos_cfg_check(const struct mqos_cfg *new, struct nlattr *def,
			  struct nlattr *a, struct netlink_ext_ack *extack)
{
	unsigned int id;

	if (!new->cls[new->default_class].present) {
		NL_SET_ERR_MSG_ATTR(extack, def ?: a,
				    "TCA_MQOS_DEFAULT_CLASS: the default class does not exist (or would be deleted)");
		return -EINVAL;
	}
	for (id = 1; id <= MQOS_MAX_CLASSES; id++) {
		const struct mqos_class_cfg *c = &new->cls[id];

		if (c->present && c->police_demote &&
		    !new->cls[c->police_demote].present) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "TCA_MQOS_CLASS_POLICE_DEMOTE: names a class that does not exist (or would be deleted)");
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * Build in @new (from @old) the configuration that `tc class change` or
 * `tc class add` on class @id asks for: @opt holds TCA_MQOS_CLASS_*
 * attributes directly (the class id comes from the classid), or, with
 * @opt NULL and @del, the class is deleted.
 */
int mqos_cfg_parse_class(struct Qdisc *sch, const struct mqos_cfg *old,
			 struct mqos_cfg *new, struct nlattr *opt, u8 id,
			 bool del, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[TCA_MQOS_CLASS_MAX + 1] = {};
	u32 mtu = psched_mtu(qdisc_dev(sch));
	int err;

	memcpy(new, old, sizeof(*new));
	if (del) {
		new->cls[id].present = 0;
		return mqos_cfg_check(new, NULL, NULL, extack);
	}
	if (opt) {
		err = nla_parse_nested(tb, TCA_MQOS_CLASS_MAX, opt,
				       mqos_class_policy, extack);
		if (err < 0)
			return err;
	}
	if (tb[TCA_MQOS_CLASS_ID] && nla_get_u8(tb[TCA_MQOS_CLASS_ID]) != id) {
		NL_SET_ERR_MSG_ATTR(extack, tb[TCA_MQOS_CLASS_ID],
				    "TCA_MQOS_CLASS_ID: not the class the classid names");
		return -EINVAL;
	}
	if (tb[TCA_MQOS_CLASS_DELETE]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[TCA_MQOS_CLASS_DELETE],
				    "TCA_MQOS_CLASS_DELETE: use tc class del");
		return -EINVAL;
	}
	err = mqos_parse_class_tb(tb, opt, id, new, mtu, extack);
	if (err)
		return err;
	return mqos_cfg_check(new, NULL, opt, extack);
}

/*
 * Build the configuration a change asks for in @new (starting from @old).
 * Nothing is applied here; on error @new is garbage and the caller drops it.
 */
int mqos_cfg_parse(struct Qdisc *sch, const struct mqos_cfg *old,
		   struct mqos_cfg *new, struct nlattr *opt, bool *reset_stats,
		   struct netlink_ext_ack *extack)
{
	struct nlattr *tb[TCA_MQOS_MAX + 1];
	u32 mtu = psched_mtu(qdisc_dev(sch));
	struct nlattr *a;
	int err, rem;

	memcpy(new, old, sizeof(*new));
	if (!opt)
		return 0;
	err = nla_parse_nested(tb, TCA_MQOS_MAX, opt, mqos_policy, extack);
	if (err < 0)
		return err;

	if (mqos_rate_bad(tb[TCA_MQOS_RATE])) {
		NL_SET_ERR_MSG_ATTR(extack, tb[TCA_MQOS_RATE],
				    "TCA_MQOS_RATE: below 125 bytes/s (1 kbit/s)");
		return -ERANGE;
	}
	if (tb[TCA_MQOS_RATE])
		new->rate = nla_get_u64(tb[TCA_MQOS_RATE]);
	if (tb[TCA_MQOS_OVERHEAD])
		new->overhead = nla_get_u32(tb[TCA_MQOS_OVERHEAD]);
	if (tb[TCA_MQOS_DEFAULT_CLASS])
		new->default_class = nla_get_u8(tb[TCA_MQOS_DEFAULT_CLASS]);
	if (tb[TCA_MQOS_ISOLATION])
		new->isolation = nla_get_u8(tb[TCA_MQOS_ISOLATION]);
	if (tb[TCA_MQOS_INGRESS])
		new->ingress = nla_get_u8(tb[TCA_MQOS_INGRESS]);
	if (tb[TCA_MQOS_MEMORY_LIMIT]) {
		new->memory_limit = nla_get_u32(tb[TCA_MQOS_MEMORY_LIMIT]);
		if (!new->memory_limit)
			new->memory_limit = MQOS_DEFAULT_MEMORY_LIMIT;
	}
	*reset_stats = !!tb[TCA_MQOS_RESET_STATS];

	/* The classes given are all there is: the others go, and a class
	 * that stays starts from the defaults (its queue and counters stay).
	 */
	if (tb[TCA_MQOS_CLASSES_REPLACE]) {
		unsigned int id;

		if (!tb[TCA_MQOS_CLASSES]) {
			NL_SET_ERR_MSG_ATTR(extack, tb[TCA_MQOS_CLASSES_REPLACE],
					    "TCA_MQOS_CLASSES_REPLACE needs TCA_MQOS_CLASSES");
			return -EINVAL;
		}
		for (id = 1; id <= MQOS_MAX_CLASSES; id++)
			new->cls[id].present = 0;
	}
	if (tb[TCA_MQOS_CLASSES]) {
		nla_for_each_nested(a, tb[TCA_MQOS_CLASSES], rem) {
			if (nla_type(a) != TCA_MQOS_CLASSES_CLASS) {
				NL_SET_ERR_MSG_ATTR(extack, a,
						    "TCA_MQOS_CLASSES holds only TCA_MQOS_CLASSES_CLASS nests");
				return -EINVAL;
			}
			err = mqos_parse_class(a, new, mtu, extack);
			if (err)
				return err;
		}
	}

	return mqos_cfg_check(new, tb[TCA_MQOS_DEFAULT_CLASS],
			      tb[TCA_MQOS_CLASSES], extack);
}
