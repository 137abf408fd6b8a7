// SPDX-License-Identifier: GPL-2.0
/*
 * Words to values and back, as tc writes them. Pure functions (no
 * netlink): the host unit tests link this file alone.
 *
 * Rates: a number with an optional unit, like tc: bit (also a bare
 * number), kbit mbit gbit tbit, kibit mibit gibit, bps (bytes/s), kbps
 * mbps gbps, kibps mibps. Sizes: bytes; b, k/kb, m/mb, g/gb (powers of
 * 1024), kbit mbit (1024 bits). Times: us (also bare), ms, s. Seconds
 * (long times): s (also bare), m/min, h, d; whole seconds only.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mqosctl.h"
#include "../module/core/dscp.h"

const char *ctl_file;
int ctl_line;

void ctl_err(const char *fmt, ...)
{
	va_list ap;

	fputs("mqosctl: ", stderr);
	if (ctl_file && ctl_line > 0)
		fprintf(stderr, "%s: line %d: ", ctl_file, ctl_line);
	else if (ctl_file)
		fprintf(stderr, "%s: ", ctl_file);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (ctl_hint && !ctl_file)
		fprintf(stderr, "; see 'mqosctl %s%shelp'", ctl_hint,
			ctl_hint[0] ? " " : "");
	fputc('\n', stderr);
}

const char *ctl_hint;

int ctl_kw(const char *word, const char *const *kws)
{
	size_t len = strlen(word);
	int i, found = -1, n = 0;
	char list[256];

	if (!len)
		return -1;
	for (i = 0; kws[i]; i++) {
		if (!strcmp(word, kws[i]))
			return i;
		if (!strncmp(word, kws[i], len)) {
			found = i;
			n++;
		}
	}
	if (n <= 1)
		return found;
	list[0] = 0;
	for (i = 0; kws[i]; i++)
		if (!strncmp(word, kws[i], len))
			snprintf(list + strlen(list), sizeof(list) - strlen(list),
				 "%s%s", list[0] ? ", " : "", kws[i]);
	ctl_err("'%s': ambiguous (%s)", word, list);
	return -2;
}

int ctl_kw_err(const char *word, const char *const *kws, const char *what)
{
	int i = ctl_kw(word, kws), k;
	char list[512];

	if (i != -1)
		return i < 0 ? -1 : i;
	list[0] = 0;
	for (k = 0; kws[k]; k++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
			 k ? (kws[k + 1] ? ", " : " or ") : "", kws[k]);
	ctl_err("'%s': unknown %s (expected %s)", word, what, list);
	return -1;
}

int parse_u32(const char *s, uint32_t max, uint32_t *out)
{
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > max)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

struct unit {
	const char *name;
	double scale;
};

/* In bits per second. */
static const struct unit rate_units[] = {
	{ "", 1 }, { "bit", 1 },
	{ "kbit", 1e3 }, { "mbit", 1e6 }, { "gbit", 1e9 }, { "tbit", 1e12 },
	{ "kibit", 1024. }, { "mibit", 1024. * 1024 },
	{ "gibit", 1024. * 1024 * 1024 },
	{ "bps", 8 }, { "kbps", 8e3 }, { "mbps", 8e6 }, { "gbps", 8e9 },
	{ "kibps", 8 * 1024. }, { "mibps", 8 * 1024. * 1024 },
};

/* In bytes. */
static const struct unit size_units[] = {
	{ "", 1 }, { "b", 1 },
	{ "k", 1024 }, { "kb", 1024 }, { "m", 1024 * 1024 },
	{ "mb", 1024 * 1024 }, { "g", 1024. * 1024 * 1024 },
	{ "gb", 1024. * 1024 * 1024 },
	{ "kbit", 128 }, { "mbit", 128 * 1024 },
};

/* In microseconds. */
static const struct unit time_units[] = {
	{ "", 1 }, { "us", 1 }, { "usec", 1 }, { "ms", 1e3 },
	{ "msec", 1e3 }, { "s", 1e6 }, { "sec", 1e6 },
};

/* In seconds. */
static const struct unit seconds_units[] = {
	{ "", 1 }, { "s", 1 }, { "sec", 1 }, { "m", 60 }, { "min", 60 },
	{ "h", 3600 }, { "d", 86400 },
};

static int parse_units(const char *s, const struct unit *u, size_t nu,
		       double *out)
{
	char *end;
	double v;
	size_t i;

	if (!isdigit((unsigned char)s[0]) && s[0] != '.')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || !isfinite(v) || v < 0)
		return -1;
	for (i = 0; i < nu; i++) {
		if (!strcasecmp(end, u[i].name)) {
			*out = v * u[i].scale;
			return 0;
		}
	}
	return -1;
}

int parse_rate(const char *s, uint64_t *bytes_per_s)
{
	double bits;

	if (parse_units(s, rate_units, sizeof(rate_units) / sizeof(rate_units[0]),
			&bits) || bits / 8 > 1e18)
		return -1;
	*bytes_per_s = (uint64_t)llround(bits / 8);
	return 0;
}

int parse_size(const char *s, uint32_t *bytes)
{
	double v;

	if (parse_units(s, size_units, sizeof(size_units) / sizeof(size_units[0]),
			&v) || v > UINT32_MAX)
		return -1;
	*bytes = (uint32_t)llround(v);
	return 0;
}

int parse_time(const char *s, uint32_t *us)
{
	double v;

	if (parse_units(s, time_units, sizeof(time_units) / sizeof(time_units[0]),
			&v) || v > UINT32_MAX)
		return -1;
	*us = (uint32_t)llround(v);
	return 0;
}

int parse_seconds(const char *s, uint32_t max, uint32_t *sec)
{
	double v;

	if (parse_units(s, seconds_units,
			sizeof(seconds_units) / sizeof(seconds_units[0]), &v) ||
	    v > max || v != floor(v))
		return -1;
	*sec = (uint32_t)v;
	return 0;
}

int parse_dscp(const char *s, uint8_t *dscp)
{
	return mqos_dscp_parse(s, dscp);
}

/* Comma-separated list of items; @item parses one (in a copy). */
static int parse_list(const char *s, int (*item)(const char *w, void *arg),
		      void *arg)
{
	char buf[256], *w, *save = NULL;

	if (!s[0] || strlen(s) >= sizeof(buf) || s[strlen(s) - 1] == ',')
		return -1;
	strcpy(buf, s);
	for (w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save))
		if (item(w, arg))
			return -1;
	return 0;
}

static int dscp_item(const char *w, void *arg)
{
	uint64_t *set = arg;
	const char *dash = strchr(w, '-');
	uint8_t lo, hi;
	char first[16];

	if (dash && dash != w) {	/* a numeric range, "8-15" */
		if ((size_t)(dash - w) >= sizeof(first))
			return -1;
		memcpy(first, w, dash - w);
		first[dash - w] = 0;
		if (mqos_dscp_parse(first, &lo) || mqos_dscp_parse(dash + 1, &hi) ||
		    lo > hi)
			return -1;
	} else if (mqos_dscp_parse(w, &lo)) {
		return -1;
	} else {
		hi = lo;
	}
	for (; lo <= hi; lo++)
		*set |= 1ULL << lo;
	return 0;
}

int parse_dscp_set(const char *s, uint64_t *set)
{
	*set = 0;
	return parse_list(s, dscp_item, set);
}

struct qos_arg {
	uint8_t *set;
	bool sn;
};

static int qos_item(const char *w, void *arg)
{
	struct qos_arg *q = arg;

	if (q->sn && !strcmp(w, "-1"))
		*q->set |= 1U << 3;
	else if (w[0] >= '0' && w[0] <= '2' && !w[1])
		*q->set |= 1U << (w[0] - '0');
	else
		return -1;
	return 0;
}

int parse_qos_set(const char *s, bool sn, uint8_t *set)
{
	struct qos_arg q = { set, sn };

	*set = 0;
	return parse_list(s, qos_item, &q);
}

static const char *const kind_names[] = {
	"publish", "ack1", "ack2", "control", "subscribe",
};

static int kind_item(const char *w, void *arg)
{
	uint8_t *set = arg;
	size_t i;

	for (i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]); i++) {
		if (!strcasecmp(w, kind_names[i])) {
			*set |= 1U << i;
			return 0;
		}
	}
	return -1;
}

int parse_kinds(const char *s, uint8_t *set)
{
	*set = 0;
	return parse_list(s, kind_item, set);
}

int parse_ports(const char *s, uint16_t *lo, uint16_t *hi)
{
	const char *dash = strchr(s, '-');
	char first[8];
	uint32_t a, b;

	if (dash) {
		if (dash == s || (size_t)(dash - s) >= sizeof(first))
			return -1;
		memcpy(first, s, dash - s);
		first[dash - s] = 0;
		if (parse_u32(first, 65535, &a) || parse_u32(dash + 1, 65535, &b))
			return -1;
	} else {
		if (parse_u32(s, 65535, &a))
			return -1;
		b = a;
	}
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return 0;
}

int parse_prefix(const char *s, uint8_t *family, uint8_t *addr, uint8_t *plen)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash;
	uint32_t len, max;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = 0;
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, buf, addr) == 1) {
		*family = 4;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, addr) == 1) {
		*family = 6;
		max = 128;
	} else {
		return -1;
	}
	if (!slash)
		len = max;
	else if (parse_u32(slash, max, &len))
		return -1;
	*plen = (uint8_t)len;
	return 0;
}

int parse_proto(const char *s, uint8_t *proto)
{
	static const struct { const char *name; uint8_t p; } names[] = {
		{ "tcp", 6 }, { "udp", 17 }, { "icmp", 1 }, { "icmpv6", 58 },
		{ "sctp", 132 }, { "udplite", 136 }, { "dccp", 33 },
		{ "gre", 47 }, { "esp", 50 },
	};
	uint32_t v;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcasecmp(s, names[i].name)) {
			*proto = names[i].p;
			return 0;
		}
	}
	if (parse_u32(s, 255, &v))
		return -1;
	*proto = (uint8_t)v;
	return 0;
}

/* ---- formatting: the shortest exact form that parses back --------------- */

void fmt_rate(char *buf, size_t n, uint64_t bytes_per_s)
{
	uint64_t bits = bytes_per_s * 8;

	if (bits && bits % 1000000000 == 0)
		snprintf(buf, n, "%" PRIu64 "gbit", bits / 1000000000);
	else if (bits && bits % 1000000 == 0)
		snprintf(buf, n, "%" PRIu64 "mbit", bits / 1000000);
	else if (bits && bits % 1000 == 0)
		snprintf(buf, n, "%" PRIu64 "kbit", bits / 1000);
	else
		snprintf(buf, n, "%" PRIu64 "bit", bits);
}

void fmt_size(char *buf, size_t n, uint64_t bytes)
{
	if (bytes && bytes % (1024 * 1024) == 0)
		snprintf(buf, n, "%" PRIu64 "m", bytes / (1024 * 1024));
	else if (bytes && bytes % 1024 == 0)
		snprintf(buf, n, "%" PRIu64 "k", bytes / 1024);
	else
		snprintf(buf, n, "%" PRIu64, bytes);
}

void fmt_time(char *buf, size_t n, uint32_t us)
{
	if (us && us % 1000000 == 0)
		snprintf(buf, n, "%us", us / 1000000);
	else if (us && us % 1000 == 0)
		snprintf(buf, n, "%ums", us / 1000);
	else
		snprintf(buf, n, "%uus", us);
}

static void append(char *buf, size_t n, const char *s)
{
	size_t len = strlen(buf);

	if (len < n)
		snprintf(buf + len, n - len, "%s%s", len ? "," : "", s);
}

void fmt_dscp_set(char *buf, size_t n, uint64_t set)
{
	char num[8];
	const char *name;
	unsigned int d;

	buf[0] = 0;
	for (d = 0; d < 64; d++) {
		if (!(set & (1ULL << d)))
			continue;
		name = mqos_dscp_name((uint8_t)d);
		if (!name) {
			snprintf(num, sizeof(num), "%u", d);
			name = num;
		}
		append(buf, n, name);
	}
}

void fmt_qos_set(char *buf, size_t n, uint8_t set, bool sn)
{
	static const char *const names[] = { "0", "1", "2", "-1" };
	unsigned int i;

	buf[0] = 0;
	if (sn && (set & (1U << 3)))
		append(buf, n, "-1");
	for (i = 0; i < 3; i++)
		if (set & (1U << i))
			append(buf, n, names[i]);
}

void fmt_kinds(char *buf, size_t n, uint8_t set)
{
	unsigned int i;

	buf[0] = 0;
	for (i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]); i++)
		if (set & (1U << i))
			append(buf, n, kind_names[i]);
}

void fmt_prefix(char *buf, size_t n, uint8_t family, const uint8_t *addr,
		uint8_t plen)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(family == 4 ? AF_INET : AF_INET6, addr, a, sizeof(a));
	snprintf(buf, n, "%s/%u", a, plen);
}

/* "...", with " \ and non-printable bytes escaped; tokenize() reads it. */
void fmt_quoted(char *buf, size_t n, const char *s, size_t len)
{
	size_t o = 0, i;

	if (n < 3)
		return;
	buf[o++] = '"';
	for (i = 0; i < len && o + 6 < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			o += snprintf(buf + o, n - o, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			o += snprintf(buf + o, n - o, "\\x%02x", c);
		else
			buf[o++] = (char)c;
	}
	buf[o++] = '"';
	buf[o] = 0;
}

static int hexdigit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int tokenize(char *line, char **argv, int max)
{
	char *r = line, *w = line;
	int argc = 0;

	for (;;) {
		while (*r == ' ' || *r == '\t' || *r == '\n' || *r == '\r')
			r++;
		if (!*r || *r == '#')
			return argc;
		if (argc == max) {
			ctl_err("too many words");
			return -1;
		}
		argv[argc++] = w;
		while (*r && *r != ' ' && *r != '\t' && *r != '\n' &&
		       *r != '\r') {
			if (*r != '"') {
				*w++ = *r++;
				continue;
			}
			for (r++; *r != '"'; r++) {
				if (!*r) {
					ctl_err("unterminated quote");
					return -1;
				}
				if (*r != '\\') {
					*w++ = *r;
					continue;
				}
				r++;
				if (*r == 'x' && hexdigit(r[1]) >= 0 &&
				    hexdigit(r[2]) >= 0) {
					*w++ = (char)(hexdigit(r[1]) * 16 +
						      hexdigit(r[2]));
					r += 2;
				} else if (*r == '"' || *r == '\\') {
					*w++ = *r;
				} else {
					ctl_err("bad escape in quotes");
					return -1;
				}
			}
			r++;
		}
		if (*r)
			r++;
		*w++ = 0;
	}
}

int ctl_lines_open(struct ctl_lines *cl, const char *path)
{
	memset(cl, 0, sizeof(*cl));
	if (!strcmp(path, "-")) {
		cl->f = stdin;
		cl->name = "<stdin>";
		return 0;
	}
	cl->f = fopen(path, "r");
	if (!cl->f) {
		ctl_err("%s: %s", path, strerror(errno));
		return EXIT_RUNTIME;
	}
	cl->name = path;
	return 0;
}

int ctl_lines_next(struct ctl_lines *cl, char **argv)
{
	if (getline(&cl->buf, &cl->cap, cl->f) < 0)
		return -2;
	ctl_file = cl->name;
	ctl_line = ++cl->lineno;
	return tokenize(cl->buf, argv, CTL_MAX_WORDS);
}

void ctl_lines_close(struct ctl_lines *cl)
{
	free(cl->buf);
	cl->buf = NULL;
	if (cl->f && cl->f != stdin)
		fclose(cl->f);
	cl->f = NULL;
}
