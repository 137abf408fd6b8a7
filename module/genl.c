// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "mqos": policies, the command table and
 * registration. The contract is section 3 of include/uapi/linux/mqos.h;
 * the commands live in genl_dev.c (device and class changes, replace,
 * stats reset), genl_dump.c (device and class replies, the stats dump),
 * genl_rules.c and genl_rule_attr.c (rules), genl_hook.c (the netfilter hook) and genl_ports.c
 * (where MQTT is read).
 *
 * Portable across 6.1 and 6.12: full .ops with one strict policy each,
 * resv_start_op past the last command (so every command rejects unknown
 * attributes and a non-zero reserved header field), no split ops, no
 * family header.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/if.h>
#include <net/genetlink.h>
#include <uapi/linux/mqos.h>

#include "mqos.h"
#include "genl.h"

/* ---- helpers shared by the commands -------------------------------------- */

void mqos_ctl_changed(struct net *net)
{
	struct mqos_net *mn = mqos_pernet(net);

	atomic_inc(&mn->ctl.gen);
}

u32 mqos_dump_seq(const struct net *net)
{
	/* Never 0: netlink ignores a dump sequence of 0. */
	return ((u32)atomic_read(&mqos_pernet(net)->ctl.gen) +
		READ_ONCE(net->dev_base_seq)) | 1;
}

/*
 * 6.1 has no formatted extack messages (NL_SET_ERR_MSG_FMT came in 6.3);
 * there the message stays as it is and its offset names the element.
 */
void mqos_extack_prefix(struct netlink_ext_ack *extack, const char *prefix)
{
#ifdef MQOS_HAVE_NL_ERR_FMT
	char msg[NETLINK_MAX_FMTMSG_LEN];

	if (!extack || !extack->_msg)
		return;
	/* Too long to prefix whole: keep the reason, not the name. */
	if (strlen(prefix) + 2 + strlen(extack->_msg) >= sizeof(msg))
		return;
	strscpy(msg, extack->_msg, sizeof(msg));
	NL_SET_ERR_MSG_FMT(extack, "%s: %s", prefix, msg);
#endif
}

/* ---- policies, one per command ------------------------------------------ */

#define MQOS_POLICY_DEV							\
	[MQOS_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),	\
	[MQOS_A_IFNAME]	 = { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 }

/* DEV_GET, STATS_GET, STATS_RESET */
static const struct nla_policy mqos_dev_policy[MQOS_A_MAX + 1] = {
	MQOS_POLICY_DEV,
};

static const struct nla_policy mqos_dev_set_policy[MQOS_A_MAX + 1] = {
	MQOS_POLICY_DEV,
	[MQOS_A_QDISC] = { .type = NLA_NESTED },
};

/* CLASS_GET, CLASS_DEL */
static const struct nla_policy mqos_class_id_policy[MQOS_A_MAX + 1] = {
	MQOS_POLICY_DEV,
	[MQOS_A_CLASS_ID] = NLA_POLICY_RANGE(NLA_U8, 1, MQOS_MAX_CLASSES),
};

static const struct nla_policy mqos_class_set_policy[MQOS_A_MAX + 1] = {
	MQOS_POLICY_DEV,
	[MQOS_A_CLASS] = { .type = NLA_NESTED },
};

static const struct nla_policy mqos_rule_add_policy[MQOS_A_MAX + 1] = {
	[MQOS_A_RULE] = { .type = NLA_NESTED },
	[MQOS_A_RULE_DEFAULT] = { .type = NLA_U8 },
};

static const struct nla_policy mqos_rule_del_policy[MQOS_A_MAX + 1] = {
	[MQOS_A_PREF] = { .type = NLA_U32 },
};

static const struct nla_policy mqos_replace_policy[MQOS_A_MAX + 1] = {
	[MQOS_A_DEVICE] = { .type = NLA_NESTED },
	[MQOS_A_RULES]	= { .type = NLA_NESTED },
	[MQOS_A_PORTS]	= NLA_POLICY_NESTED(mqos_ports_policy),
	[MQOS_A_RULE_DEFAULT] = { .type = NLA_U8 },
	[MQOS_A_CHECK]	= { .type = NLA_FLAG },
};

static const struct nla_policy mqos_ports_set_policy[MQOS_A_MAX + 1] = {
	[MQOS_A_PORTS]	= NLA_POLICY_NESTED(mqos_ports_policy),
};

/* ---- the family ---------------------------------------------------------- */

/* Every mqos policy covers the one attribute space, [MQOS_A_MAX + 1]. */
#define MQOS_OP(_cmd, _policy, _flags)		\
	.cmd = (_cmd),				\
	.policy = (_policy),			\
	.maxattr = MQOS_A_MAX,			\
	.flags = (_flags)

/*
 * Reads are open to everyone; changes need CAP_NET_ADMIN in the user
 * namespace that owns the network namespace. Commands without a policy
 * (RULE_GET, RULE_FLUSH, HOOK_GET, PORTS_GET) take no attributes at all.
 */
static const struct genl_ops mqos_genl_ops[] = {
	{
		MQOS_OP(MQOS_CMD_DEV_GET, mqos_dev_policy, 0),
		.doit = mqos_nl_dev_get,
		.start = mqos_nl_dump_start,
		.dumpit = mqos_nl_dev_get_dump,
	}, {
		MQOS_OP(MQOS_CMD_DEV_SET, mqos_dev_set_policy,
			GENL_UNS_ADMIN_PERM),
		.doit = mqos_nl_dev_change_retired,
	}, {
		MQOS_OP(MQOS_CMD_CLASS_GET, mqos_class_id_policy, 0),
		.doit = mqos_nl_class_get,
		.start = mqos_nl_dump_start,
		.dumpit = mqos_nl_class_get_dump,
	}, {
		MQOS_OP(MQOS_CMD_CLASS_SET, mqos_class_set_policy,
			GENL_UNS_ADMIN_PERM),
		.doit = mqos_nl_dev_change_retired,
	}, {
		MQOS_OP(MQOS_CMD_CLASS_DEL, mqos_class_id_policy,
			GENL_UNS_ADMIN_PERM),
		.doit = mqos_nl_dev_change_retired,
	}, {
		.cmd = MQOS_CMD_RULE_GET,
		.doit = mqos_nl_rule_get,
		.dumpit = mqos_nl_rule_get_dump,
	}, {
		MQOS_OP(MQOS_CMD_RULE_ADD, mqos_rule_add_policy,
			GENL_UNS_ADMIN_PERM),
		.doit = mqos_nl_rule_add,
	}, {
		MQOS_OP(MQOS_CMD_RULE_DEL, mqos_rule_del_policy,
			GENL_UNS_ADMIN_PERM),
		.doit = mqos_nl_rule_del,
	}, {
		.cmd = MQOS_CMD_RULE_FLUSH,
		.flags = GENL_UNS_ADMIN_PERM,
		.doit = mqos_nl_rule_flush,
	}, {
		MQOS_OP(MQOS_CMD_CONFIG_REPLACE, mqos_replace_policy,
			GENL_UNS_ADMIN_PERM),
		.doit = mqos_nl_config_replace,
	}, {
		MQOS_OP(MQOS_CMD_STATS_GET, mqos_dev_policy, 0),
		.start = mqos_nl_dump_start,
		.dumpit = mqos_nl_stats_get_dump,
	}, {
		MQOS_OP(MQOS_CMD_STATS_RESET, mqos_dev_policy,
			GENL_UNS_ADMIN_PERM),
		.doit = mqos_nl_stats_reset,
	}, {
		.cmd = MQOS_CMD_HOOK_GET,
		.doit = mqos_nl_hook_get,
	}, {
		MQOS_OP(MQOS_CMD_HOOK_SET, mqos_hook_set_policy,
			GENL_UNS_ADMIN_PERM),
		.doit = mqos_nl_hook_set,
	}, {
		.cmd = MQOS_CMD_PORTS_GET,
		.doit = mqos_nl_ports_get,
	}, {
		MQOS_OP(MQOS_CMD_PORTS_SET, mqos_ports_set_policy,
			GENL_UNS_ADMIN_PERM),
		.doit = mqos_nl_ports_set,
	},
};

struct genl_family mqos_genl_family __ro_after_init = {
	.name		= MQOS_GENL_NAME,
	.version	= MQOS_GENL_VERSION,
	.maxattr	= MQOS_A_MAX,
	.netnsok	= true,
	.module		= THIS_MODULE,
	.ops		= mqos_genl_ops,
	.n_ops		= ARRAY_SIZE(mqos_genl_ops),
	.resv_start_op	= MQOS_CMD_MAX + 1,
};

int mqos_genl_init(void)
{
	return genl_register_family(&mqos_genl_family);
}

void mqos_genl_exit(void)
{
	genl_unregister_family(&mqos_genl_family);
}

/* ---- per network namespace ----------------------------------------------- */

int mqos_ctl_net_init(struct net *net)
{
	struct mqos_net *mn = mqos_pernet(net);

	RCU_INIT_POINTER(mn->ctl.rules, NULL);
	atomic_set(&mn->ctl.gen, 1);
	return mqos_proc_net_init(net);
}

void mqos_ctl_net_exit(struct net *net)
{
	mqos_proc_net_exit(net);
	mqos_rules_ctl_exit(net);
}
