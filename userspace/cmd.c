// SPDX-License-Identifier: GPL-2.0
/*
 * The grammar of mqosctl's arguments (and of a configuration file's
 * lines): class set, dev set, rule add. Words become struct ctl_*; every
 * error names the word and what was expected, and returns -1.
 */
#include <string.h>
#include <strings.h>
#include <net/if.h>

#include "mqosctl.h"

static int need(int argc, int i, const char *kw)
{
	if (i + 1 < argc)
		return 0;
	ctl_err("%s: needs a value", kw);
	return -1;
}

int parse_class_id(const char *s, uint8_t *id)
{
	uint32_t v;

	if (parse_u32(s, MQOS_MAX_CLASSES, &v) || !v) {
		ctl_err("'%s': not a class (1..%d)", s, MQOS_MAX_CLASSES);
		return -1;
	}
	*id = (uint8_t)v;
	return 0;
}

int parse_dev_name(const char *s, char *name)
{
	if (!s[0] || strlen(s) >= IFNAMSIZ) {
		ctl_err("'%s': not a device name", s);
		return -1;
	}
	strcpy(name, s);
	return 0;
}

/* "10mbit", "30%" or "none": absolute and percentage are exclusive. */
static int parse_rate_pct(const char *kw, const char *s, uint64_t *abs,
			  uint8_t *pct)
{
	size_t len = strlen(s);
	char buf[8];
	uint32_t v;

	*abs = 0;
	*pct = 0;
	if (!strcmp(s, "none"))
		return 0;
	if (len > 1 && s[len - 1] == '%' && len < sizeof(buf)) {
		memcpy(buf, s, len - 1);
		buf[len - 1] = 0;
		if (!parse_u32(buf, 100, &v)) {
			*pct = (uint8_t)v;
			return 0;
		}
	} else if (!parse_rate(s, abs)) {
		return 0;
	}
	ctl_err("%s: '%s' is not a rate (e.g. 10mbit, 30%%, none)", kw, s);
	return -1;
}

/*
 * police RATE BURST [demote CLASS] | police rate RATE burst BURST
 * [demote CLASS] | police off, from argv[*i] (the word after "police");
 * *i is left on the last word taken.
 */
static int parse_police(int argc, char **argv, int *i, struct ctl_class *c)
{
	static const char *const kws[] = { "rate", "burst", "demote", NULL };
	bool keyed = false, got_rate = false, got_burst = false, got_demote = false;
	int k = *i, w;

	c->has |= HAS(TCA_MQOS_CLASS_POLICE_RATE);
	if (!strcmp(argv[k], "off")) {
		c->police_rate = 0;
		return 0;
	}
	c->police_demote = 0;
	c->has |= HAS(TCA_MQOS_CLASS_POLICE_BURST) |
		  HAS(TCA_MQOS_CLASS_POLICE_DEMOTE);
	w = ctl_kw(argv[k], kws);
	if (w < -1)
		return -1;
	if (w == 0 || w == 1) {		/* rate R burst B, in any order */
		keyed = true;
	} else {
		/* Positional: RATE BURST. */
		if (parse_rate(argv[k], &c->police_rate) || !c->police_rate) {
			ctl_err("police: '%s' is not a rate (e.g. 1mbit, rate 1mbit, or off)",
				argv[k]);
			return -1;
		}
		if (k + 1 >= argc) {
			ctl_err("police: needs RATE BURST");
			return -1;
		}
		k++;
		if (parse_size(argv[k], &c->police_burst)) {
			ctl_err("police: '%s' is not a burst size (e.g. 15k)",
				argv[k]);
			return -1;
		}
		got_rate = got_burst = true;
	}
	/* Keywords: rate, burst (keyed form only), demote (both forms). */
	for (k = keyed ? k : k + 1; k < argc; k++) {
		w = ctl_kw(argv[k], kws);

		if (w < -1)
			return -1;
		/* A word police already took ends it: the class's own "rate". */
		if (w < 0 || (!keyed && w != 2) || (w == 0 && got_rate) ||
		    (w == 1 && got_burst) || (w == 2 && got_demote))
			break;
		if (k + 1 >= argc) {
			ctl_err("police %s: needs a value", kws[w]);
			return -1;
		}
		k++;
		if (w == 0) {
			if (parse_rate(argv[k], &c->police_rate) ||
			    !c->police_rate) {
				ctl_err("police rate: '%s' is not a rate (e.g. 1mbit)",
					argv[k]);
				return -1;
			}
			got_rate = true;
		} else if (w == 1) {
			if (parse_size(argv[k], &c->police_burst)) {
				ctl_err("police burst: '%s' is not a size (e.g. 15k)",
					argv[k]);
				return -1;
			}
			got_burst = true;
		} else {
			if (parse_class_id(argv[k], &c->police_demote))
				return -1;
			got_demote = true;
		}
	}
	if (!got_rate || !got_burst) {
		ctl_err("police: needs %s (police rate RATE burst BURST [demote CLASS])",
			got_rate ? "burst BURST" : "rate RATE");
		return -1;
	}
	*i = k - 1;
	return 0;
}

/* 0 (one FIFO) or a power of two, MQOS_FLOW_WAYS..MQOS_MAX_FLOWS. */
static int parse_flows(const char *s, uint32_t *flows)
{
	if (!parse_u32(s, MQOS_MAX_FLOWS, flows) &&
	    (!*flows || (*flows >= MQOS_FLOW_WAYS && !(*flows & (*flows - 1)))))
		return 0;
	ctl_err("flows: '%s': 0 (one FIFO) or a power of two, %d..%d", s,
		MQOS_FLOW_WAYS, MQOS_MAX_FLOWS);
	return -1;
}

static const char *const class_kws[] = {
	"name", "prio", "rate", "ceil", "quantum", "limit", "limit-bytes",
	"police", "target", "interval", "aqm", "ecn", "dscp", "flows", NULL
};

const char *const ctl_aqm_mode_names[MQOS_AQM_MODE_MAX + 2] = {
	[MQOS_AQM_MODE_DECAY] = "decay",
	[MQOS_AQM_MODE_CODEL] = "codel",
	[MQOS_AQM_MODE_MAX + 1] = NULL,
};

/* class set DEV CLASS [name N] [prio P] ... (see the man page) */
int cmd_parse_class(int argc, char **argv, struct ctl_dev *dev,
		    struct ctl_class **out)
{
	struct ctl_class *c;
	uint32_t v;
	uint8_t id;
	int i, w;

	if (argc < 2) {
		ctl_err("class set: needs DEV and CLASS");
		return -1;
	}
	if (parse_dev_name(argv[0], dev->name) || parse_class_id(argv[1], &id))
		return -1;
	c = &dev->cls[id];
	c->id = id;
	c->has |= HAS(TCA_MQOS_CLASS_ID);
	for (i = 2; i < argc; i++) {
		const char *kw, *val = argv[i + 1];

		w = ctl_kw_err(argv[i], class_kws, "keyword");
		if (w < 0)
			return -1;
		kw = class_kws[w];
		if (need(argc, i, kw))
			return -1;
		if (!strcmp(kw, "name")) {
			if (!val[0] || strlen(val) >= MQOS_CLASS_NAME_LEN) {
				ctl_err("name: '%s': 1..%d characters", val,
					MQOS_CLASS_NAME_LEN - 1);
				return -1;
			}
			strcpy(c->name, val);
			c->has |= HAS(TCA_MQOS_CLASS_NAME);
		} else if (!strcmp(kw, "prio")) {
			if (parse_u32(val, MQOS_NUM_PRIOS - 1, &v)) {
				ctl_err("prio: '%s' is not a priority (0..%d, 0 highest)",
					val, MQOS_NUM_PRIOS - 1);
				return -1;
			}
			c->prio = (uint8_t)v;
			c->has |= HAS(TCA_MQOS_CLASS_PRIO);
		} else if (!strcmp(kw, "rate") || !strcmp(kw, "ceil")) {
			bool rate = kw[0] == 'r';

			if (parse_rate_pct(kw, val, rate ? &c->rate : &c->ceil,
					   rate ? &c->rate_pct : &c->ceil_pct))
				return -1;
			c->has |= rate ? HAS(TCA_MQOS_CLASS_RATE) |
					 HAS(TCA_MQOS_CLASS_RATE_PCT) :
					 HAS(TCA_MQOS_CLASS_CEIL) |
					 HAS(TCA_MQOS_CLASS_CEIL_PCT);
		} else if (!strcmp(kw, "quantum") || !strcmp(kw, "limit-bytes")) {
			bool q = kw[0] == 'q';

			if (parse_size(val, q ? &c->quantum : &c->limit_bytes)) {
				ctl_err("%s: '%s' is not a size (e.g. 1514, 64k)",
					kw, val);
				return -1;
			}
			c->has |= q ? HAS(TCA_MQOS_CLASS_QUANTUM) :
				      HAS(TCA_MQOS_CLASS_LIMIT_BYTES);
		} else if (!strcmp(kw, "limit")) {
			if (parse_u32(val, UINT32_MAX, &c->limit) || !c->limit) {
				ctl_err("limit: '%s' is not a packet count (1 or more)",
					val);
				return -1;
			}
			c->has |= HAS(TCA_MQOS_CLASS_LIMIT);
		} else if (!strcmp(kw, "police")) {
			i++;
			if (parse_police(argc, argv, &i, c))
				return -1;
		} else if (!strcmp(kw, "target") || !strcmp(kw, "interval")) {
			bool t = kw[0] == 't';

			if (parse_time(val, t ? &c->aqm_target :
				       &c->aqm_interval)) {
				ctl_err("%s: '%s' is not a time (e.g. 5ms, 100ms, 0)",
					kw, val);
				return -1;
			}
			c->has |= t ? HAS(TCA_MQOS_CLASS_AQM_TARGET) :
				      HAS(TCA_MQOS_CLASS_AQM_INTERVAL);
		} else if (!strcmp(kw, "aqm")) {
			int m = ctl_kw_err(val, ctl_aqm_mode_names, "aqm mode");

			if (m < 0)
				return -1;
			c->aqm_mode = (uint8_t)m;
			c->has |= HAS(TCA_MQOS_CLASS_AQM_MODE);
		} else if (!strcmp(kw, "ecn")) {
			if (strcmp(val, "on") && strcmp(val, "off")) {
				ctl_err("ecn: '%s': expected on or off", val);
				return -1;
			}
			c->ecn = !strcmp(val, "on");
			c->has |= HAS(TCA_MQOS_CLASS_ECN);
		} else if (!strcmp(kw, "dscp")) {
			if (!strcmp(val, "keep")) {
				c->dscp = MQOS_DSCP_KEEP;
			} else if (parse_dscp(val, &c->dscp)) {
				ctl_err("dscp: '%s' is not a DSCP (a name like EF or AF41, 0..63, or keep)",
					val);
				return -1;
			}
			c->has |= HAS(TCA_MQOS_CLASS_DSCP);
		} else {	/* flows */
			if (parse_flows(val, &c->flows))
				return -1;
			c->has |= HAS(TCA_MQOS_CLASS_FLOWS);
		}
		if (strcmp(kw, "police"))
			i++;
	}
	*out = c;
	return 0;
}

const char *const ctl_isolation_names[__MQOS_ISOLATE_MAX + 1] = {
	[MQOS_ISOLATE_FLOWS] = "flows",
	[MQOS_ISOLATE_DUAL_SRCHOST] = "dual-srchost",
	[MQOS_ISOLATE_DUAL_DSTHOST] = "dual-dsthost",
	[MQOS_ISOLATE_TRIPLE] = "triple",
	[__MQOS_ISOLATE_MAX] = NULL,
};

/* dev set DEV [rate R] [overhead BYTES] [default CLASS] [isolation I]
 * [memlimit SIZE] [ingress on|off] */
int cmd_parse_dev(int argc, char **argv, struct ctl_dev *dev)
{
	static const char *const kws[] = {
		"rate", "overhead", "default", "isolation", "memlimit",
		"ingress", NULL
	};
	static const char *const onoff[] = { "off", "on", NULL };
	uint32_t v;
	int i, w;

	if (argc < 1) {
		ctl_err("dev set: needs DEV");
		return -1;
	}
	if (parse_dev_name(argv[0], dev->name))
		return -1;
	for (i = 1; i < argc; i += 2) {
		const char *kw, *val = argv[i + 1];

		w = ctl_kw_err(argv[i], kws, "keyword");
		if (w < 0)
			return -1;
		kw = kws[w];
		if (need(argc, i, kw))
			return -1;
		if (w == 0) {
			if (!strcmp(val, "none"))
				dev->rate = 0;
			else if (parse_rate(val, &dev->rate)) {
				ctl_err("rate: '%s' is not a rate (e.g. 10mbit, or 0 for line rate)",
					val);
				return -1;
			}
			dev->has |= HAS(TCA_MQOS_RATE);
		} else if (w == 1) {
			if (parse_u32(val, MQOS_MAX_OVERHEAD, &v)) {
				ctl_err("overhead: '%s' is not a byte count (0..%d)",
					val, MQOS_MAX_OVERHEAD);
				return -1;
			}
			dev->overhead = v;
			dev->has |= HAS(TCA_MQOS_OVERHEAD);
		} else if (w == 2) {
			if (parse_class_id(val, &dev->default_class))
				return -1;
			dev->has |= HAS(TCA_MQOS_DEFAULT_CLASS);
		} else if (w == 3) {
			int k = ctl_kw_err(val, ctl_isolation_names,
					   "isolation");

			if (k < 0)
				return -1;
			dev->isolation = (uint8_t)k;
			dev->has |= HAS(TCA_MQOS_ISOLATION);
		} else if (w == 5) {
			int k = ctl_kw_err(val, onoff, "ingress");

			if (k < 0)
				return -1;
			dev->ingress = (uint8_t)k;
			dev->has |= HAS(TCA_MQOS_INGRESS);
		} else {
			if (!strcmp(val, "default"))
				dev->memory_limit = 0;
			else if (parse_size(val, &dev->memory_limit) ||
				 !dev->memory_limit) {
				ctl_err("memlimit: '%s' is not a size (e.g. 4m, or default)",
					val);
				return -1;
			}
			dev->has |= HAS(TCA_MQOS_MEMORY_LIMIT);
		}
	}
	return 0;
}

/* rule default map | device | class N */
int cmd_parse_rule_default(int argc, char **argv, uint8_t *v)
{
	static const char *const kws[] = { "map", "device", "class", NULL };
	int w;

	if (argc < 1) {
		ctl_err("rule default: needs map, device or class CLASS");
		return -1;
	}
	w = ctl_kw_err(argv[0], kws, "default");
	if (w < 0)
		return -1;
	if (w == 2) {
		if (argc < 2) {
			ctl_err("rule default class: needs CLASS");
			return -1;
		}
		if (parse_class_id(argv[1], v))
			return -1;
	} else {
		*v = w ? MQOS_RULE_DEFAULT_DEVICE : MQOS_RULE_DEFAULT_MAP;
	}
	if (argc > (w == 2 ? 2 : 1)) {
		ctl_err("'%s': unexpected argument", argv[w == 2 ? 2 : 1]);
		return -1;
	}
	return 0;
}

static int parse_ifname(const char *kw, const char *s, uint32_t *ifindex)
{
	*ifindex = if_nametoindex(s);
	if (*ifindex)
		return 0;
	if (!parse_u32(s, INT32_MAX, ifindex) && *ifindex)
		return 0;
	ctl_err("%s: '%s': no such device", kw, s);
	return -1;
}

static const char *const rule_head_kws[] = { "pref", "match", "class", NULL };
static const char *const rule_kws[] = {
	"all", "dscp", "mqtt-qos", "mqtt-kind", "mqtt-topic", "mqttsn-qos",
	"proto", "sport", "dport", "src", "dst", "iif", "oif", "class", "pref",
	"match", NULL
};

/* rule add [pref N] match SELECTOR... class CLASS */
int cmd_parse_rule(int argc, char **argv, struct ctl_rule *r)
{
	bool matching = false;
	int i;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < argc; i++) {
		const char *kw, *val = i + 1 < argc ? argv[i + 1] : "";
		const char *bad = NULL;
		int w = ctl_kw(argv[i], matching ? rule_kws : rule_head_kws);

		if (w < -1)
			return -1;
		if (w == -1) {
			if (matching)
				ctl_err("'%s': unknown selector (expected all, dscp, mqtt-qos, mqtt-kind, mqtt-topic, mqttsn-qos, proto, sport, dport, src, dst, iif, oif or class)",
					argv[i]);
			else
				ctl_err("'%s': unknown keyword (expected pref, match or class)",
					argv[i]);
			return -1;
		}
		kw = matching ? rule_kws[w] : rule_head_kws[w];
		if (!strcmp(kw, "match")) {
			matching = true;
			continue;
		}
		if (!strcmp(kw, "all") && matching)
			continue;
		if (need(argc, i, kw))
			return -1;
		if (!strcmp(kw, "pref")) {
			if (parse_u32(val, UINT32_MAX, &r->pref))
				bad = "not a number (0..4294967295)";
			r->has |= HAS(MQOS_RULE_A_PREF);
		} else if (!strcmp(kw, "class")) {
			if (parse_class_id(val, &r->class_id))
				return -1;
			r->has |= HAS(MQOS_RULE_A_CLASS);
		} else if (!matching) {
			ctl_err("'%s': unknown keyword (expected pref, match or class)",
				kw);
			return -1;
		} else if (!strcmp(kw, "dscp")) {
			if (parse_dscp_set(val, &r->dscp))
				bad = "not a DSCP list (names like EF, AF41, CS6 or 0..63, comma-separated)";
			r->has |= HAS(MQOS_RULE_A_DSCP);
		} else if (!strcmp(kw, "mqtt-qos")) {
			if (parse_qos_set(val, false, &r->mqtt_qos))
				bad = "not a QoS list (0, 1, 2, comma-separated)";
			r->has |= HAS(MQOS_RULE_A_MQTT_QOS);
		} else if (!strcmp(kw, "mqttsn-qos")) {
			if (parse_qos_set(val, true, &r->sn_qos))
				bad = "not a QoS list (-1, 0, 1, 2, comma-separated)";
			r->has |= HAS(MQOS_RULE_A_SN_QOS);
		} else if (!strcmp(kw, "mqtt-kind")) {
			if (parse_kinds(val, &r->kinds))
				bad = "not a kind list (publish, ack1, ack2, control, subscribe)";
			r->has |= HAS(MQOS_RULE_A_KINDS);
		} else if (!strcmp(kw, "mqtt-topic")) {
			if (strlen(val) > MQOS_RULE_TOPIC_MAX)
				bad = "topic prefix longer than 64 bytes";
			else
				strcpy(r->topic, val);
			r->topic_len = (uint8_t)strlen(r->topic);
			r->has |= HAS(MQOS_RULE_A_TOPIC);
		} else if (!strcmp(kw, "proto")) {
			if (parse_proto(val, &r->proto))
				bad = "not a protocol (tcp, udp or 0..255)";
			r->has |= HAS(MQOS_RULE_A_PROTO);
		} else if (!strcmp(kw, "sport") || !strcmp(kw, "dport")) {
			bool s = kw[0] == 's';

			if (parse_ports(val, s ? &r->sport_lo : &r->dport_lo,
					s ? &r->sport_hi : &r->dport_hi))
				bad = "not a port or range (N or N-M, 0..65535)";
			else if (s ? r->sport_lo > r->sport_hi :
				 r->dport_lo > r->dport_hi)
				bad = "port range inverted";
			r->has |= s ? HAS(MQOS_RULE_A_SPORT_MIN) |
				      HAS(MQOS_RULE_A_SPORT_MAX) :
				      HAS(MQOS_RULE_A_DPORT_MIN) |
				      HAS(MQOS_RULE_A_DPORT_MAX);
		} else if (!strcmp(kw, "src") || !strcmp(kw, "dst")) {
			bool s = kw[0] == 's';
			uint8_t fam;

			if (parse_prefix(val, &fam, s ? r->src : r->dst,
					 s ? &r->src_plen : &r->dst_plen))
				bad = "not an address or prefix (e.g. 10.0.0.0/8, 2001:db8::/32)";
			else if (r->family && r->family != fam)
				bad = "src and dst of different address families";
			r->family = fam;
			r->has |= s ? HAS(MQOS_RULE_A_SRC) |
				      HAS(MQOS_RULE_A_SRC_PLEN) :
				      HAS(MQOS_RULE_A_DST) |
				      HAS(MQOS_RULE_A_DST_PLEN);
		} else if (!strcmp(kw, "iif") || !strcmp(kw, "oif")) {
			bool in = kw[0] == 'i';

			if (parse_ifname(kw, val, in ? &r->iif : &r->oif))
				return -1;
			r->has |= in ? HAS(MQOS_RULE_A_IIF) : HAS(MQOS_RULE_A_OIF);
		} else {
			ctl_err("'%s': unknown selector (expected all, dscp, mqtt-qos, mqtt-kind, mqtt-topic, mqttsn-qos, proto, sport, dport, src, dst, iif, oif or class)",
				kw);
			return -1;
		}
		if (bad) {
			ctl_err("%s: '%s': %s", kw, val, bad);
			return -1;
		}
		i++;
	}
	if (!(r->has & HAS(MQOS_RULE_A_CLASS))) {
		ctl_err("rule: needs 'class CLASS'");
		return -1;
	}
	return 0;
}

/* ---- ingress add / del ------------------------------------------------ */

#define IFB_PREFIX	"ifb-"

/* The ifb of DEV when none is named: "ifb-DEV", if that fits. */
int ctl_ingress_ifb_name(const char *dev, char *ifb)
{
	if (strlen(IFB_PREFIX) + strlen(dev) >= IFNAMSIZ) {
		ctl_err("ingress: '%s%s' is too long for an interface name; name the ifb (ifb NAME)",
			IFB_PREFIX, dev);
		return -1;
	}
	snprintf(ifb, IFNAMSIZ, "%s%s", IFB_PREFIX, dev);
	return 0;
}

/*
 * DEV rate R [ifb NAME] (@add) or DEV [ifb NAME]: the words after
 * `ingress add|del`, on the command line and in a file (load). The ifb
 * is "ifb-DEV" unless named.
 */
int cmd_parse_ingress(int argc, char **argv, bool add, struct ctl_ingress *in)
{
	static const char *const kws[] = { "rate", "ifb", NULL };
	const char *cmd = add ? "ingress add" : "ingress del";
	bool has_rate = false;
	int i, w;

	memset(in, 0, sizeof(*in));
	if (argc < 1) {
		ctl_err("%s: needs DEV", cmd);
		return -1;
	}
	if (parse_dev_name(argv[0], in->dev))
		return -1;
	for (i = 1; i < argc; i += 2) {
		w = ctl_kw_err(argv[i], kws, "keyword");
		if (w < 0 || need(argc, i, kws[w]))
			return -1;
		if (w == 0 && !add) {
			ctl_err("%s: 'rate': unexpected argument", cmd);
			return -1;
		}
		if (w == 0 && has_rate) {
			ctl_err("rate: given twice");
			return -1;
		}
		/* 0 is the line rate, as for dev set: sorted, not shaped. */
		if (w == 0 && parse_rate(argv[i + 1], &in->rate)) {
			ctl_err("rate: '%s' is not a rate (e.g. 20mbit)",
				argv[i + 1]);
			return -1;
		}
		if (w == 0)
			has_rate = true;
		if (w == 1 && in->ifb[0]) {
			ctl_err("ifb: given twice");
			return -1;
		}
		if (w == 1 && parse_dev_name(argv[i + 1], in->ifb))
			return -1;
	}
	if (add && !has_rate) {
		ctl_err("%s: needs rate R", cmd);
		return -1;
	}
	if (!in->ifb[0] && ctl_ingress_ifb_name(in->dev, in->ifb))
		return -1;
	if (!strcmp(in->ifb, in->dev)) {
		ctl_err("ifb: '%s' is DEV itself", in->ifb);
		return -1;
	}
	return 0;
}
