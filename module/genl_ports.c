// SPDX-License-Identifier: GPL-2.0
/*
 * Where MQTT is read: the MQTT (TCP) and MQTT-SN (UDP) port lists of a
 * network namespace, MQOS_A_PORTS (section 5 of the UAPI header), and the
 * PORTS_GET / PORTS_SET commands.
 *
 * The lists live in the rule table (struct mqos_cls_cfg) so that the
 * classifier reads rules and ports under one RCU pointer; changing them
 * publishes a copy of the table with the new lists.
 */
#include <linux/kernel.h>
#include <net/genetlink.h>
#include <uapi/linux/mqos.h>

#include "mqos.h"
#include "genl.h"

static_assert(MQOS_CFG_PORTS == MQOS_PORTS_MAX);

static const struct nla_policy mqos_port_list_policy[MQOS_PORTS_A_MAX + 1] = {
	[MQOS_PORTS_A_PORT]	= NLA_POLICY_MIN(NLA_U16, 1),
};

/* Inside MQOS_A_PORTS (PORTS_SET, CONFIG_REPLACE). */
const struct nla_policy mqos_ports_policy[MQOS_PORTS_A_MAX + 1] = {
	[MQOS_PORTS_A_MQTT]	= NLA_POLICY_NESTED(mqos_port_list_policy),
	[MQOS_PORTS_A_MQTTSN]	= NLA_POLICY_NESTED(mqos_port_list_policy),
	[MQOS_PORTS_A_PORT]	= {
		.type = NLA_REJECT,
		.reject_message = "MQOS_PORTS_A_PORT belongs in MQOS_PORTS_A_MQTT or _MQTTSN",
	},
};

/* One list (validated by the policy) into @ports[MQOS_CFG_PORTS]. */
static int mqos_port_list_parse(const struct nlattr *list, u16 *ports,
				struct netlink_ext_ack *extack)
{
	const struct nlattr *a;
	int rem, n = 0, i;
	u16 p;

	memset(ports, 0, MQOS_CFG_PORTS * sizeof(*ports));
	/* The policy let only MQOS_PORTS_A_PORT into the list. */
	nla_for_each_nested(a, list, rem) {
		if (n == MQOS_CFG_PORTS) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "more than 4 ports in a list");
			return -E2BIG;
		}
		p = nla_get_u16(a);
		for (i = 0; i < n; i++) {
			if (ports[i] == p) {
				NL_SET_ERR_MSG_ATTR(extack, a,
						    "port listed twice");
				return -EINVAL;
			}
		}
		ports[n++] = p;
	}
	return 0;
}

/*
 * MQOS_A_PORTS @nest over @cfg: a list given replaces that list, an absent
 * one stays. On error @cfg may be half changed: parse into a copy.
 */
int mqos_ports_parse(const struct nlattr *nest, struct mqos_cls_cfg *cfg,
		     struct netlink_ext_ack *extack)
{
	struct nlattr *tb[MQOS_PORTS_A_MAX + 1];
	int err;

	err = nla_parse_nested(tb, MQOS_PORTS_A_MAX, nest, mqos_ports_policy,
			       extack);
	if (err)
		return err;
	if (tb[MQOS_PORTS_A_MQTT]) {
		err = mqos_port_list_parse(tb[MQOS_PORTS_A_MQTT],
					   cfg->mqtt_ports, extack);
		if (err)
			return err;
	}
	if (tb[MQOS_PORTS_A_MQTTSN])
		err = mqos_port_list_parse(tb[MQOS_PORTS_A_MQTTSN],
					   cfg->sn_ports, extack);
	return err;
}

static int mqos_port_list_put(struct sk_buff *skb, int type, const u16 *ports)
{
	struct nlattr *list = nla_nest_start(skb, type);
	int i;

	if (!list)
		return -EMSGSIZE;
	for (i = 0; i < MQOS_CFG_PORTS; i++) {
		if (ports[i] && nla_put_u16(skb, MQOS_PORTS_A_PORT, ports[i])) {
			nla_nest_cancel(skb, list);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, list);
	return 0;
}

static int mqos_ports_put(struct sk_buff *skb, const struct mqos_cls_cfg *cfg)
{
	struct nlattr *nest = nla_nest_start(skb, MQOS_A_PORTS);

	if (!nest)
		return -EMSGSIZE;
	if (mqos_port_list_put(skb, MQOS_PORTS_A_MQTT, cfg->mqtt_ports) ||
	    mqos_port_list_put(skb, MQOS_PORTS_A_MQTTSN, cfg->sn_ports)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

int mqos_nl_ports_get(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &mqos_genl_family, 0,
				MQOS_CMD_PORTS_GET);
	if (!hdr || mqos_ports_put(msg, mqos_rules_cfg(net))) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

int mqos_nl_ports_set(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *a = info->attrs[MQOS_A_PORTS];
	struct net *net = genl_info_net(info);
	struct mqos_ctl_rules *t;
	struct mqos_cls_cfg cfg;
	int err;

	if (!a) {
		NL_SET_ERR_MSG(info->extack, "MQOS_A_PORTS is required");
		return -EINVAL;
	}
	cfg = *mqos_rules_cfg(net);
	err = mqos_ports_parse(a, &cfg, info->extack);
	if (err)
		return err;
	err = mqos_rules_with_cfg(net, &cfg, &t);
	if (err)
		return err;
	mqos_rules_publish(net, t);
	return 0;
}
