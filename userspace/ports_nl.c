// SPDX-License-Identifier: GPL-2.0
/*
 * MQOS_A_PORTS over netlink: PORTS_GET, PORTS_SET, `ports show`. The
 * grammar is ports.c.
 */
#include <errno.h>
#include <string.h>
#include <json-c/json.h>
#include <netlink/netlink.h>
#include <netlink/genl/genl.h>

#include "mqosctl.h"

static int put_list(struct nl_msg *msg, int type, const uint16_t *ports,
		    uint8_t n)
{
	struct nlattr *list = nla_nest_start(msg, type | NLA_F_NESTED);
	int i;

	if (!list)
		return -EMSGSIZE;
	for (i = 0; i < n; i++)
		if (nla_put_u16(msg, MQOS_PORTS_A_PORT, ports[i]) < 0)
			return -EMSGSIZE;
	/* "none" is an empty list: plain nla_nest_end() would drop it. */
	nla_nest_end_keep_empty(msg, list);
	return 0;
}

int ctl_put_ports(struct nl_msg *msg, const struct ctl_ports *p)
{
	struct nlattr *nest = nla_nest_start(msg, MQOS_A_PORTS | NLA_F_NESTED);

	if (!nest ||
	    ((p->has & HAS(MQOS_PORTS_A_MQTT)) &&
	     put_list(msg, MQOS_PORTS_A_MQTT, p->mqtt, p->n_mqtt)) ||
	    ((p->has & HAS(MQOS_PORTS_A_MQTTSN)) &&
	     put_list(msg, MQOS_PORTS_A_MQTTSN, p->sn, p->n_sn)))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

int ctl_ports_set(const struct ctl_ports *p)
{
	struct nl_msg *msg = ctl_msg(MQOS_CMD_PORTS_SET, 0);

	if (!msg)
		return -ENOMEM;
	if (ctl_put_ports(msg, p)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return ctl_request(msg, NULL, NULL, NULL, 0);
}

static void get_list(struct nlattr *list, uint16_t *ports, uint8_t *n)
{
	struct nlattr *a;
	int rem;

	*n = 0;
	nla_for_each_nested(a, list, rem)
		if (nla_type(a) == MQOS_PORTS_A_PORT && *n < MQOS_PORTS_MAX &&
		    nla_len(a) == 2)
			ports[(*n)++] = nla_get_u16(a);
}

static int ports_cb(struct nlattr **top, void *arg)
{
	struct nlattr *tb[MQOS_PORTS_A_MAX + 1];
	struct ctl_ports *p = arg;

	if (!top[MQOS_A_PORTS] ||
	    nla_parse_nested(tb, MQOS_PORTS_A_MAX, top[MQOS_A_PORTS], NULL) < 0)
		return 0;
	if (tb[MQOS_PORTS_A_MQTT]) {
		get_list(tb[MQOS_PORTS_A_MQTT], p->mqtt, &p->n_mqtt);
		p->has |= HAS(MQOS_PORTS_A_MQTT);
	}
	if (tb[MQOS_PORTS_A_MQTTSN]) {
		get_list(tb[MQOS_PORTS_A_MQTTSN], p->sn, &p->n_sn);
		p->has |= HAS(MQOS_PORTS_A_MQTTSN);
	}
	return 0;
}

int ctl_ports_get(struct ctl_ports *p)
{
	int err;

	memset(p, 0, sizeof(*p));
	err = ctl_request(ctl_msg(MQOS_CMD_PORTS_GET, 0), ports_cb, p, NULL, 0);
	if (!err && p->has != (HAS(MQOS_PORTS_A_MQTT) | HAS(MQOS_PORTS_A_MQTTSN))) {
		ctl_err("ports: the kernel's answer lacks a port list");
		return -EPROTO;
	}
	return err;
}

static json_object *list_json(const uint16_t *ports, uint8_t n)
{
	json_object *a = json_object_new_array();
	int i;

	for (i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_int(ports[i]));
	return a;
}

int cmd_ports_show(bool json)
{
	struct ctl_ports p;
	int err;

	err = ctl_ports_get(&p);
	if (err)
		return err;
	if (json) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "mqtt", list_json(p.mqtt, p.n_mqtt));
		json_object_object_add(o, "mqttsn", list_json(p.sn, p.n_sn));
		ctl_json_print(o);
		return 0;
	}
	print_ports_set(stdout, &p);
	return 0;
}
