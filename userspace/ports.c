// SPDX-License-Identifier: GPL-2.0
/*
 * The grammar of `ports set` (also a line of a configuration file): the
 * TCP ports MQTT is read on and the UDP ports MQTT-SN is read on, and the
 * line `save` prints. The netlink side is ports_nl.c.
 */
#include <string.h>

#include "mqosctl.h"

void ctl_ports_init(struct ctl_ports *p)
{
	memset(p, 0, sizeof(*p));
	p->mqtt[0] = 1883;
	p->n_mqtt = 1;
	p->sn[0] = 1883;
	p->sn[1] = 1884;
	p->n_sn = 2;
}

/* "1883,8883" or "none" into @ports; the error names the word. */
static int parse_port_list(const char *kw, const char *s, uint16_t *ports,
			   uint8_t *n)
{
	char buf[64], *tok, *save = NULL;
	uint32_t v;
	int i;

	*n = 0;
	if (!strcmp(s, "none"))
		return 0;
	if (strlen(s) >= sizeof(buf))
		goto bad;
	strcpy(buf, s);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (parse_u32(tok, 65535, &v) || !v) {
			ctl_err("%s: '%s' is not a port (1..65535)", kw, tok);
			return -1;
		}
		for (i = 0; i < *n; i++) {
			if (ports[i] == v) {
				ctl_err("%s: port %u listed twice", kw, v);
				return -1;
			}
		}
		if (*n == MQOS_PORTS_MAX) {
			ctl_err("%s: '%s': at most %d ports", kw, s,
				MQOS_PORTS_MAX);
			return -1;
		}
		ports[(*n)++] = (uint16_t)v;
	}
	if (*n && s[strlen(s) - 1] != ',' && s[0] != ',' && !strstr(s, ",,"))
		return 0;
bad:
	ctl_err("%s: '%s' is not a port list (e.g. 1883,8883 or none)", kw, s);
	return -1;
}

/* set [mqtt LIST|none] [mqttsn LIST|none] */
int cmd_parse_ports(int argc, char **argv, struct ctl_ports *p)
{
	int i;

	if (argc < 1 || strcmp(argv[0], "set")) {
		ctl_err("ports: '%s': unknown command (expected set or show)",
			argc ? argv[0] : "");
		return -1;
	}
	if (argc < 2) {
		ctl_err("ports set: needs mqtt LIST and/or mqttsn LIST");
		return -1;
	}
	for (i = 1; i < argc; i += 2) {
		static const char *const kws[] = { "mqtt", "mqttsn", NULL };
		int w = ctl_kw_err(argv[i], kws, "keyword");
		const char *kw;
		bool sn;

		if (w < 0)
			return -1;
		kw = kws[w];
		sn = w == 1;
		if (i + 1 >= argc) {
			ctl_err("%s: needs a value", kw);
			return -1;
		}
		if (parse_port_list(kw, argv[i + 1], sn ? p->sn : p->mqtt,
				    sn ? &p->n_sn : &p->n_mqtt))
			return -1;
		p->has |= HAS(sn ? MQOS_PORTS_A_MQTTSN : MQOS_PORTS_A_MQTT);
	}
	return 0;
}

static void print_list(FILE *f, const uint16_t *ports, uint8_t n)
{
	int i;

	if (!n)
		fputs("none", f);
	for (i = 0; i < n; i++)
		fprintf(f, "%s%u", i ? "," : "", ports[i]);
}

void print_ports_set(FILE *f, const struct ctl_ports *p)
{
	fputs("ports set mqtt ", f);
	print_list(f, p->mqtt, p->n_mqtt);
	fputs(" mqttsn ", f);
	print_list(f, p->sn, p->n_sn);
	fputc('\n', f);
}
