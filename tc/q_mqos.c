// SPDX-License-Identifier: GPL-2.0
/*
 * q_mqos.so: the "mqos" qdisc for stock tc (iproute2 5.10 .. 6.18).
 *
 * tc loads q_<kind>.so from its library directory (or $TC_LIB_DIR) and
 * looks up <kind>_qdisc_util. The plugin is built without iproute2's
 * headers: it keeps its own copy of struct qdisc_util (the same layout
 * in every release from 5.10 to 6.18) and declares the few helpers of
 * tc's executable it calls, all exported by tc (linked -export-dynamic)
 * with the same signature in every one of those releases:
 *
 *   addattr_l addattr_nest addattr_nest_end
 *   get_rate64 get_size get_time
 *   print_color_string print_color_uint print_color_u64
 *   open_json_object close_json_object open_json_array close_json_array
 *   print_nl is_json_context
 *
 * Helpers that changed or went away (print_rate, sprint_rate, print_size,
 * matches, invarg) are not used: rates, sizes and times are formatted
 * here, and a bad word is reported here, before anything is sent.
 *
 * The attribute layout is include/uapi/linux/mqos.h section 2:
 *   qdisc:  TCA_OPTIONS { TCA_MQOS_RATE, _OVERHEAD, _DEFAULT_CLASS,
 *           _ISOLATION, _MEMORY_LIMIT, _RESET_STATS, _INGRESS }
 *   class:  TCA_OPTIONS { TCA_MQOS_CLASS_ID (the classid's minor),
 *           TCA_MQOS_CLASS_* } - flat, one class, the class being the
 *           one the RTM_NEWTCLASS names
 * Every nest carries NLA_F_NESTED (the kernel parses them strictly).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <limits.h>
#include <strings.h>
#include <linux/types.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/pkt_sched.h>
#include <linux/mqos.h>

#include "../module/core/hist.h"
#include "../module/core/dscp.h"

#define EXPORT __attribute__((visibility("default")))

/* ---- what tc provides (declared here, not taken from its headers) ---- */

struct qdisc_util {
	struct qdisc_util *next;
	const char *id;
	int (*parse_qopt)(struct qdisc_util *qu, int argc, char **argv,
			  struct nlmsghdr *n, const char *dev);
	int (*print_qopt)(struct qdisc_util *qu, FILE *f, struct rtattr *opt);
	int (*print_xstats)(struct qdisc_util *qu, FILE *f,
			    struct rtattr *xstats);
	int (*parse_copt)(struct qdisc_util *qu, int argc, char **argv,
			  struct nlmsghdr *n, const char *dev);
	int (*print_copt)(struct qdisc_util *qu, FILE *f, struct rtattr *opt);
	int (*has_block)(struct qdisc_util *qu, struct rtattr *opt,
			 __u32 block_idx, bool *p_has);
};

/* json_print.h: enum output_type and color.h's COLOR_NONE (5.10..6.18). */
enum mqos_tc_output { MQ_FP = 1, MQ_JSON = 2, MQ_ANY = 4 };
#define MQ_COLOR_NONE 6

int addattr_l(struct nlmsghdr *n, int maxlen, int type, const void *data,
	      int alen);
struct rtattr *addattr_nest(struct nlmsghdr *n, int maxlen, int type);
int addattr_nest_end(struct nlmsghdr *n, struct rtattr *nest);
int get_rate64(__u64 *rate, const char *str);
int get_size(unsigned int *size, const char *str);
int get_time(unsigned int *time, const char *str);
int print_color_string(int t, int color, const char *key, const char *fmt,
		       const char *value);
int print_color_uint(int t, int color, const char *key, const char *fmt,
		     unsigned int value);
int print_color_u64(int t, int color, const char *key, const char *fmt,
		    uint64_t value);
void open_json_object(const char *str);
void close_json_object(void);
void open_json_array(int type, const char *delim);
void close_json_array(int type, const char *delim);
void print_nl(void);
bool is_json_context(void);

#define MAXLEN 1024

static void pstr(int t, const char *key, const char *fmt, const char *v)
{
	print_color_string(t, MQ_COLOR_NONE, key, fmt, v);
}

static void puint(int t, const char *key, const char *fmt, unsigned int v)
{
	print_color_uint(t, MQ_COLOR_NONE, key, fmt, v);
}

static void pu64(int t, const char *key, const char *fmt, uint64_t v)
{
	print_color_u64(t, MQ_COLOR_NONE, key, fmt, v);
}

/* Text only: "KEY VALUE" with a formatted value; JSON gets the number. */
static void pnum_fmt(const char *word, const char *json_key, uint64_t v,
		     const char *text)
{
	char buf[96];

	snprintf(buf, sizeof(buf), "%s %s ", word, text);
	pstr(MQ_FP, NULL, "%s", buf);
	pu64(MQ_JSON, json_key, NULL, v);
}

/* ---- formatting ------------------------------------------------------ */

/*
 * bytes/s -> "20Mbit": the largest unit that keeps the value exact, so
 * that what is printed reads back as the same rate.
 */
static void fmt_rate(char *buf, size_t len, uint64_t bytes)
{
	static const char *const units[] = { "bit", "Kbit", "Mbit", "Gbit",
					     "Tbit" };
	uint64_t r = bytes * 8;
	unsigned int i = 0;

	while (i < 4 && r >= 1000 && r % 1000 == 0) {
		r /= 1000;
		i++;
	}
	snprintf(buf, len, "%llu%s", (unsigned long long)r, units[i]);
}

static void fmt_size(char *buf, size_t len, uint64_t b)
{
	if (b >= (1 << 20) && !(b % (1 << 20)))
		snprintf(buf, len, "%lluMb", (unsigned long long)(b >> 20));
	else if (b >= 1024 && !(b % 1024))
		snprintf(buf, len, "%lluKb", (unsigned long long)(b >> 10));
	else
		snprintf(buf, len, "%llub", (unsigned long long)b);
}

static void fmt_us(char *buf, size_t len, uint64_t us)
{
	if (us >= 1000000 && !(us % 1000000))
		snprintf(buf, len, "%llus", (unsigned long long)(us / 1000000));
	else if (us >= 1000 && !(us % 1000))
		snprintf(buf, len, "%llums", (unsigned long long)(us / 1000));
	else
		snprintf(buf, len, "%lluus", (unsigned long long)us);
}

static void fmt_ns(char *buf, size_t len, uint64_t ns)
{
	if (ns < 1000)
		snprintf(buf, len, "%lluns", (unsigned long long)ns);
	else if (ns < 1000000)
		snprintf(buf, len, "%.1fus", ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, len, "%.2fms", ns / 1e6);
	else
		snprintf(buf, len, "%.3fs", ns / 1e9);
}

/* ---- attributes ---------------------------------------------------------- */

static void parse_attrs(struct rtattr **tb, int max, const struct rtattr *nest)
{
	const struct rtattr *a = RTA_DATA(nest);
	int len = RTA_PAYLOAD(nest);

	memset(tb, 0, sizeof(*tb) * (max + 1));
	for (; RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		int type = a->rta_type & NLA_TYPE_MASK;

		if (type <= max && !tb[type])
			tb[type] = (struct rtattr *)a;
	}
}

static uint64_t get_uint(const struct rtattr *a)
{
	uint64_t v64;
	uint32_t v32;
	uint16_t v16;

	switch (RTA_PAYLOAD(a)) {
	case 1:
		return *(const uint8_t *)RTA_DATA(a);
	case 2:
		memcpy(&v16, RTA_DATA(a), 2);
		return v16;
	case 4:
		memcpy(&v32, RTA_DATA(a), 4);
		return v32;
	case 8:
		memcpy(&v64, RTA_DATA(a), 8);
		return v64;
	}
	return 0;
}

static int put(struct nlmsghdr *n, int type, const void *v, int len)
{
	if (addattr_l(n, MAXLEN, type, v, len) < 0) {
		fprintf(stderr, "mqos: message too long\n");
		return -1;
	}
	return 0;
}

static int put_u8(struct nlmsghdr *n, int type, uint8_t v)
{
	return put(n, type, &v, 1);
}

static int put_u32(struct nlmsghdr *n, int type, uint32_t v)
{
	return put(n, type, &v, 4);
}

static int put_u64(struct nlmsghdr *n, int type, uint64_t v)
{
	return put(n, type, &v, 8);
}

/* ---- parsing ----------------------------------------------------------- */

static int bad(const char *word, const char *val, const char *why)
{
	if (val)
		fprintf(stderr, "mqos: bad %s \"%s\": %s\n", word, val, why);
	else
		fprintf(stderr, "mqos: %s: %s\n", word, why);
	return -1;
}

/* A decimal number in [min, max]. */
static int parse_num(const char *word, const char *s, unsigned long long min,
		     unsigned long long max, unsigned long long *out)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+')
		return bad(word, s, "not a number");
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return bad(word, s, "not a number");
	if (v < min || v > max) {
		char why[80];

		snprintf(why, sizeof(why), "not in %llu..%llu", min, max);
		return bad(word, s, why);
	}
	*out = v;
	return 0;
}

/* RATE (tc units: 20mbit, 1gbit, 500kbps) in bytes/s. */
static int parse_rate(const char *word, const char *s, uint64_t *out)
{
	__u64 r;

	if (!s || get_rate64(&r, s) || !r)
		return bad(word, s, "not a rate (e.g. 20mbit, 1gbit)");
	if (r < 125)
		return bad(word, s, "below 1kbit");
#ifdef MQOS_MAX_RATE
	if (r > MQOS_MAX_RATE)
		return bad(word, s, "above 1tbit");
#endif
	*out = r;
	return 0;
}

/* "N%" -> N, or -1 when @s is no percentage. */
static int parse_pct(const char *word, const char *s, int *out)
{
	unsigned long long v;
	size_t len = s ? strlen(s) : 0;
	char buf[8];

	if (!len || s[len - 1] != '%')
		return 1;
	if (len >= sizeof(buf))
		return bad(word, s, "not a percentage 0%..100%");
	memcpy(buf, s, len - 1);
	buf[len - 1] = 0;
	if (parse_num(word, buf, 0, 100, &v))
		return -1;
	*out = (int)v;
	return 0;
}

static int parse_size_word(const char *word, const char *s, uint32_t min,
			   uint32_t max, uint32_t *out)
{
	unsigned int v;

	if (!s || get_size(&v, s))
		return bad(word, s, "not a size (e.g. 1514, 64kb, 4mb)");
	if (v < min || v > max) {
		char why[80];

		snprintf(why, sizeof(why), "not in %u..%u bytes", min, max);
		return bad(word, s, why);
	}
	*out = v;
	return 0;
}

static int parse_time_word(const char *word, const char *s, uint32_t max_us,
			   uint32_t *out)
{
	unsigned int v;

	if (!s || get_time(&v, s))
		return bad(word, s, "not a time (e.g. 5ms, 100ms, 1s)");
	if (v > max_us)
		return bad(word, s, "more than 10s");
	*out = v;
	return 0;
}

static const char *const aqm_mode_names[MQOS_AQM_MODE_MAX + 1] = {
	[MQOS_AQM_MODE_DECAY] = "decay",
	[MQOS_AQM_MODE_CODEL] = "codel",
};

static const char *const isolation_names[__MQOS_ISOLATE_MAX] = {
	[MQOS_ISOLATE_FLOWS] = "flows",
	[MQOS_ISOLATE_DUAL_SRCHOST] = "dual-srchost",
	[MQOS_ISOLATE_DUAL_DSTHOST] = "dual-dsthost",
	[MQOS_ISOLATE_TRIPLE] = "triple",
};

static void qdisc_usage(void)
{
	fputs("Usage: ... mqos [ bandwidth RATE | unlimited ] [ overhead BYTES ]\n"
		"                [ default-class 1..16 ] [ memlimit SIZE ]\n"
		"                [ isolation flows | dual-srchost | dual-dsthost | triple ]\n"
		"                [ ingress | egress ] [ reset-stats ]\n"
		"       tc class change dev DEV classid MAJOR:N mqos [ rate RATE|PCT% ]\n"
		"                [ ceil RATE|PCT% ] [ prio 0..7 ] [ quantum SIZE ]\n"
		"                [ limit PACKETS ] [ limit-bytes SIZE ] [ flows N ]\n"
		"                [ police-rate RATE ] [ police-burst SIZE ] [ demote 0..16 ]\n"
		"                [ target TIME ] [ interval TIME ] [ aqm decay | codel ]\n"
		"                [ ecn | noecn ]\n"
		"                [ dscp DSCP | keep ] [ name NAME ]\n", stderr);
}

/* Each option at most once: @seen is a bit per attribute type. */
static int once(const char *word, unsigned long long *seen, int type)
{
	if (*seen & (1ULL << type)) {
		fprintf(stderr, "mqos: \"%s\" given twice\n", word);
		return -1;
	}
	*seen |= 1ULL << type;
	return 0;
}

static int mqos_parse_opt(struct qdisc_util *qu, int argc, char **argv,
			  struct nlmsghdr *n, const char *dev)
{
	unsigned long long seen = 0, v;
	struct rtattr *tail;
	uint32_t u32;
	uint64_t u64;
	int i;

	if (!argc)
		return 0;	/* no options: nothing to send */
	tail = addattr_nest(n, MAXLEN, TCA_OPTIONS | NLA_F_NESTED);
	if (!tail)
		return -1;
	for (; argc > 0; argc--, argv++) {
		const char *w = *argv, *val = argc > 1 ? argv[1] : NULL;

		if (!strcmp(w, "help")) {
			qdisc_usage();
			return -1;
		}
		if (!strcmp(w, "ingress") || !strcmp(w, "egress")) {
			if (once(w, &seen, TCA_MQOS_INGRESS) ||
			    put_u8(n, TCA_MQOS_INGRESS, w[0] == 'i'))
				return -1;
			continue;
		}
		if (!strcmp(w, "reset-stats")) {
			if (once(w, &seen, TCA_MQOS_RESET_STATS) ||
			    put(n, TCA_MQOS_RESET_STATS, NULL, 0))
				return -1;
			continue;
		}
		if (!val) {
			if (strcmp(w, "bandwidth") && strcmp(w, "overhead") &&
			    strcmp(w, "default-class") &&
			    strcmp(w, "isolation") && strcmp(w, "memlimit"))
				goto unknown;
			return bad(w, NULL, "needs a value");
		}
		if (!strcmp(w, "bandwidth")) {
			if (once(w, &seen, TCA_MQOS_RATE))
				return -1;
			if (!strcmp(val, "unlimited"))
				u64 = 0;
			else if (parse_rate(w, val, &u64))
				return -1;
			if (put_u64(n, TCA_MQOS_RATE, u64))
				return -1;
		} else if (!strcmp(w, "overhead")) {
			if (once(w, &seen, TCA_MQOS_OVERHEAD) ||
			    parse_num(w, val, 0, MQOS_MAX_OVERHEAD, &v) ||
			    put_u32(n, TCA_MQOS_OVERHEAD, (uint32_t)v))
				return -1;
		} else if (!strcmp(w, "default-class")) {
			if (once(w, &seen, TCA_MQOS_DEFAULT_CLASS) ||
			    parse_num(w, val, 1, MQOS_MAX_CLASSES, &v) ||
			    put_u8(n, TCA_MQOS_DEFAULT_CLASS, (uint8_t)v))
				return -1;
		} else if (!strcmp(w, "isolation")) {
			if (once(w, &seen, TCA_MQOS_ISOLATION))
				return -1;
			for (i = 0; i < __MQOS_ISOLATE_MAX; i++)
				if (!strcmp(val, isolation_names[i]))
					break;
			if (i == __MQOS_ISOLATE_MAX)
				return bad(w, val,
					   "not flows, dual-srchost, dual-dsthost or triple");
			if (put_u8(n, TCA_MQOS_ISOLATION, (uint8_t)i))
				return -1;
		} else if (!strcmp(w, "memlimit")) {
			if (once(w, &seen, TCA_MQOS_MEMORY_LIMIT) ||
			    parse_size_word(w, val, 1, UINT32_MAX, &u32) ||
			    put_u32(n, TCA_MQOS_MEMORY_LIMIT, u32))
				return -1;
		} else {
			goto unknown;
		}
		argc--, argv++;
	}
	addattr_nest_end(n, tail);
	return 0;

unknown:
	fprintf(stderr, "mqos: unknown option \"%s\"\n", *argv);
	qdisc_usage();
	return -1;
}

/* One class option: returns 1 if it took a value, 0 if not, -1 on error. */
static int parse_class_word(struct nlmsghdr *n, unsigned long long *seen,
			    const char *w, const char *val)
{
	unsigned long long v;
	uint32_t u32;
	uint64_t u64;
	int pct, r;
	uint8_t d;

	if (!strcmp(w, "ecn") || !strcmp(w, "noecn")) {
		if (once(w, seen, TCA_MQOS_CLASS_ECN) ||
		    put_u8(n, TCA_MQOS_CLASS_ECN, w[0] == 'e'))
			return -1;
		return 0;
	}
	if (!strcmp(w, "rate") || !strcmp(w, "ceil")) {
		bool rate = w[0] == 'r';

		if (!val)
			return bad(w, NULL, "needs a value");
		if (once(w, seen, rate ? TCA_MQOS_CLASS_RATE : TCA_MQOS_CLASS_CEIL))
			return -1;
		r = parse_pct(w, val, &pct);
		if (r < 0)
			return -1;
		if (!r) {
			/* A percentage: the absolute value must be 0 to count. */
			if (put_u8(n, rate ? TCA_MQOS_CLASS_RATE_PCT :
				   TCA_MQOS_CLASS_CEIL_PCT, (uint8_t)pct) ||
			    put_u64(n, rate ? TCA_MQOS_CLASS_RATE :
				    TCA_MQOS_CLASS_CEIL, 0))
				return -1;
			return 1;
		}
		if (!strcmp(val, "none"))
			u64 = 0;
		else if (parse_rate(w, val, &u64))
			return -1;
		if (put_u64(n, rate ? TCA_MQOS_CLASS_RATE : TCA_MQOS_CLASS_CEIL,
			    u64))
			return -1;
		return 1;
	}
	if (!strcmp(w, "prio") || !strcmp(w, "quantum") ||
	    !strcmp(w, "limit") || !strcmp(w, "limit-bytes") ||
	    !strcmp(w, "flows") || !strcmp(w, "police-rate") ||
	    !strcmp(w, "police-burst") || !strcmp(w, "demote") ||
	    !strcmp(w, "target") || !strcmp(w, "interval") ||
	    !strcmp(w, "aqm") || !strcmp(w, "dscp") || !strcmp(w, "name")) {
		if (!val)
			return bad(w, NULL, "needs a value");
	} else {
		fprintf(stderr, "mqos: unknown class option \"%s\"\n", w);
		qdisc_usage();
		return -1;
	}

	if (!strcmp(w, "prio")) {
		if (once(w, seen, TCA_MQOS_CLASS_PRIO) ||
		    parse_num(w, val, 0, MQOS_NUM_PRIOS - 1, &v) ||
		    put_u8(n, TCA_MQOS_CLASS_PRIO, (uint8_t)v))
			return -1;
	} else if (!strcmp(w, "quantum")) {
		if (once(w, seen, TCA_MQOS_CLASS_QUANTUM) ||
		    parse_size_word(w, val, MQOS_MIN_QUANTUM, 1 << 20, &u32) ||
		    put_u32(n, TCA_MQOS_CLASS_QUANTUM, u32))
			return -1;
	} else if (!strcmp(w, "limit")) {
		if (once(w, seen, TCA_MQOS_CLASS_LIMIT) ||
		    parse_num(w, val, 1, UINT32_MAX, &v) ||
		    put_u32(n, TCA_MQOS_CLASS_LIMIT, (uint32_t)v))
			return -1;
	} else if (!strcmp(w, "limit-bytes")) {
		if (once(w, seen, TCA_MQOS_CLASS_LIMIT_BYTES) ||
		    parse_size_word(w, val, 1, UINT32_MAX, &u32) ||
		    put_u32(n, TCA_MQOS_CLASS_LIMIT_BYTES, u32))
			return -1;
	} else if (!strcmp(w, "flows")) {
		if (once(w, seen, TCA_MQOS_CLASS_FLOWS) ||
		    parse_num(w, val, 0, MQOS_MAX_FLOWS, &v))
			return -1;
		if (v && (v < MQOS_FLOW_WAYS || (v & (v - 1)))) {
			char why[64];

			snprintf(why, sizeof(why), "not 0 or a power of two %d..%d",
				 MQOS_FLOW_WAYS, MQOS_MAX_FLOWS);
			return bad(w, val, why);
		}
		if (put_u32(n, TCA_MQOS_CLASS_FLOWS, (uint32_t)v))
			return -1;
	} else if (!strcmp(w, "police-rate")) {
		if (once(w, seen, TCA_MQOS_CLASS_POLICE_RATE))
			return -1;
		if (!strcmp(val, "none"))
			u64 = 0;
		else if (parse_rate(w, val, &u64))
			return -1;
		if (put_u64(n, TCA_MQOS_CLASS_POLICE_RATE, u64))
			return -1;
	} else if (!strcmp(w, "police-burst")) {
		if (once(w, seen, TCA_MQOS_CLASS_POLICE_BURST) ||
		    parse_size_word(w, val, 1, 1 << 20, &u32) ||
		    put_u32(n, TCA_MQOS_CLASS_POLICE_BURST, u32))
			return -1;
	} else if (!strcmp(w, "demote")) {
		if (once(w, seen, TCA_MQOS_CLASS_POLICE_DEMOTE))
			return -1;
		if (!strcmp(val, "drop"))
			v = 0;
		else if (parse_num(w, val, 0, MQOS_MAX_CLASSES, &v))
			return -1;
		if (put_u8(n, TCA_MQOS_CLASS_POLICE_DEMOTE, (uint8_t)v))
			return -1;
	} else if (!strcmp(w, "target")) {
		if (once(w, seen, TCA_MQOS_CLASS_AQM_TARGET) ||
		    parse_time_word(w, val, 10000000, &u32) ||
		    put_u32(n, TCA_MQOS_CLASS_AQM_TARGET, u32))
			return -1;
	} else if (!strcmp(w, "interval")) {
		if (once(w, seen, TCA_MQOS_CLASS_AQM_INTERVAL) ||
		    parse_time_word(w, val, 10000000, &u32))
			return -1;
		if (!u32)
			return bad(w, val, "must be at least 1us");
		if (put_u32(n, TCA_MQOS_CLASS_AQM_INTERVAL, u32))
			return -1;
	} else if (!strcmp(w, "aqm")) {
		if (once(w, seen, TCA_MQOS_CLASS_AQM_MODE))
			return -1;
		for (d = 0; d <= MQOS_AQM_MODE_MAX; d++)
			if (!strcmp(val, aqm_mode_names[d]))
				break;
		if (d > MQOS_AQM_MODE_MAX)
			return bad(w, val, "not decay or codel");
		if (put_u8(n, TCA_MQOS_CLASS_AQM_MODE, d))
			return -1;
	} else if (!strcmp(w, "dscp")) {
		if (once(w, seen, TCA_MQOS_CLASS_DSCP))
			return -1;
		if (!strcmp(val, "keep"))
			d = MQOS_DSCP_KEEP;
		else if (mqos_dscp_parse(val, &d))
			return bad(w, val, "not a DSCP (0..63, EF, AF41, CS6, ...) or keep");
		if (put_u8(n, TCA_MQOS_CLASS_DSCP, d))
			return -1;
	} else {	/* name */
		if (once(w, seen, TCA_MQOS_CLASS_NAME))
			return -1;
		if (!*val || strlen(val) >= MQOS_CLASS_NAME_LEN)
			return bad(w, val, "must be 1..15 characters");
		if (put(n, TCA_MQOS_CLASS_NAME, val, strlen(val) + 1))
			return -1;
	}
	return 1;
}

static int mqos_parse_class_opt(struct qdisc_util *qu, int argc, char **argv,
				struct nlmsghdr *n, const char *dev)
{
	struct tcmsg *t = NLMSG_DATA(n);
	unsigned long long seen = 0;
	struct rtattr *tail;
	uint32_t id = TC_H_MIN(t->tcm_handle);
	int r;

	if (argc && !strcmp(*argv, "help")) {
		qdisc_usage();
		return -1;
	}
	if (!t->tcm_handle || id < 1 || id > MQOS_MAX_CLASSES) {
		fprintf(stderr,
			"mqos: classid MAJOR:N with N in 1..%d is required\n",
			MQOS_MAX_CLASSES);
		return -1;
	}
	tail = addattr_nest(n, MAXLEN, TCA_OPTIONS | NLA_F_NESTED);
	if (!tail || put_u8(n, TCA_MQOS_CLASS_ID, (uint8_t)id))
		return -1;
	for (; argc > 0; argc--, argv++) {
		r = parse_class_word(n, &seen, argv[0],
				     argc > 1 ? argv[1] : NULL);
		if (r < 0)
			return -1;
		if (r) {
			argc--;
			argv++;
		}
	}
	addattr_nest_end(n, tail);
	return 0;
}

/* ---- printing the configuration ---------------------------------------- */

static void print_rate_opt(const char *word, const char *key,
			   const struct rtattr *abs, const struct rtattr *pct)
{
	uint64_t v = abs ? get_uint(abs) : 0;
	char buf[32];

	if (v) {
		fmt_rate(buf, sizeof(buf), v);
		pnum_fmt(word, key, v, buf);
	} else if (pct && get_uint(pct)) {
		char jkey[32];

		snprintf(buf, sizeof(buf), "%s %u%% ", word,
			 (unsigned int)get_uint(pct));
		pstr(MQ_FP, NULL, "%s", buf);
		snprintf(jkey, sizeof(jkey), "%s_pct", key);
		puint(MQ_JSON, jkey, NULL, (unsigned int)get_uint(pct));
	}
}

/* Flat TCA_MQOS_CLASS_* of one class. */
static void print_class_attrs(struct rtattr **tb, bool with_id)
{
	char buf[32];
	uint64_t v;

	if (with_id && tb[TCA_MQOS_CLASS_ID])
		puint(MQ_ANY, "class", "class %u ",
		      (unsigned int)get_uint(tb[TCA_MQOS_CLASS_ID]));
	if (tb[TCA_MQOS_CLASS_NAME])
		pstr(MQ_ANY, "name", "name %s ",
		     (const char *)RTA_DATA(tb[TCA_MQOS_CLASS_NAME]));
	if (tb[TCA_MQOS_CLASS_PRIO])
		puint(MQ_ANY, "prio", "prio %u ",
		      (unsigned int)get_uint(tb[TCA_MQOS_CLASS_PRIO]));
	print_rate_opt("rate", "rate", tb[TCA_MQOS_CLASS_RATE],
		       tb[TCA_MQOS_CLASS_RATE_PCT]);
	print_rate_opt("ceil", "ceil", tb[TCA_MQOS_CLASS_CEIL],
		       tb[TCA_MQOS_CLASS_CEIL_PCT]);
	if (tb[TCA_MQOS_CLASS_QUANTUM])
		puint(MQ_ANY, "quantum", "quantum %u ",
		      (unsigned int)get_uint(tb[TCA_MQOS_CLASS_QUANTUM]));
	if (tb[TCA_MQOS_CLASS_LIMIT])
		puint(MQ_ANY, "limit", "limit %up ",
		      (unsigned int)get_uint(tb[TCA_MQOS_CLASS_LIMIT]));
	if (tb[TCA_MQOS_CLASS_LIMIT_BYTES] &&
	    (v = get_uint(tb[TCA_MQOS_CLASS_LIMIT_BYTES]))) {
		fmt_size(buf, sizeof(buf), v);
		pnum_fmt("limit-bytes", "limit_bytes", v, buf);
	}
	if (tb[TCA_MQOS_CLASS_FLOWS])
		puint(MQ_ANY, "flows", "flows %u ",
		      (unsigned int)get_uint(tb[TCA_MQOS_CLASS_FLOWS]));
	if (tb[TCA_MQOS_CLASS_POLICE_RATE] &&
	    (v = get_uint(tb[TCA_MQOS_CLASS_POLICE_RATE]))) {
		fmt_rate(buf, sizeof(buf), v);
		pnum_fmt("police-rate", "police_rate", v, buf);
		if (tb[TCA_MQOS_CLASS_POLICE_BURST]) {
			v = get_uint(tb[TCA_MQOS_CLASS_POLICE_BURST]);
			fmt_size(buf, sizeof(buf), v);
			pnum_fmt("police-burst", "police_burst", v, buf);
		}
		if (tb[TCA_MQOS_CLASS_POLICE_DEMOTE] &&
		    get_uint(tb[TCA_MQOS_CLASS_POLICE_DEMOTE]))
			puint(MQ_ANY, "demote", "demote %u ",
			      (unsigned int)get_uint(tb[TCA_MQOS_CLASS_POLICE_DEMOTE]));
	}
	if (tb[TCA_MQOS_CLASS_AQM_TARGET]) {
		v = get_uint(tb[TCA_MQOS_CLASS_AQM_TARGET]);
		if (!v) {
			pstr(MQ_FP, NULL, "target 0 ", NULL);
		} else {
			fmt_us(buf, sizeof(buf), v);
			pnum_fmt("target", "target_us", v, buf);
			if (tb[TCA_MQOS_CLASS_AQM_INTERVAL]) {
				v = get_uint(tb[TCA_MQOS_CLASS_AQM_INTERVAL]);
				fmt_us(buf, sizeof(buf), v);
				pnum_fmt("interval", "interval_us", v, buf);
			}
		}
		pu64(MQ_JSON, "aqm", NULL, !!v);
	}
	if (tb[TCA_MQOS_CLASS_AQM_MODE]) {
		v = get_uint(tb[TCA_MQOS_CLASS_AQM_MODE]);
		pstr(MQ_ANY, "aqm_mode", "aqm %s ",
		     v <= MQOS_AQM_MODE_MAX ? aqm_mode_names[v] : "unknown");
	}
	if (tb[TCA_MQOS_CLASS_ECN]) {
		bool ecn = get_uint(tb[TCA_MQOS_CLASS_ECN]);

		pstr(MQ_FP, NULL, ecn ? "ecn " : "noecn ", NULL);
		puint(MQ_JSON, "ecn", NULL, ecn);
	}
	if (tb[TCA_MQOS_CLASS_DSCP]) {
		unsigned int d = (unsigned int)get_uint(tb[TCA_MQOS_CLASS_DSCP]);
		const char *name = d == MQOS_DSCP_KEEP ? NULL :
				   mqos_dscp_name((uint8_t)d);

		/* JSON: the number, MQOS_DSCP_KEEP (255) for keep. */
		if (d == MQOS_DSCP_KEEP)
			pstr(MQ_FP, NULL, "dscp keep ", NULL);
		else if (name)
			pstr(MQ_FP, NULL, "dscp %s ", name);
		else
			puint(MQ_FP, NULL, "dscp %u ", d);
		puint(MQ_JSON, "dscp", NULL, d);
	}
}

static int mqos_print_class_opt(struct qdisc_util *qu, FILE *f,
				struct rtattr *opt)
{
	struct rtattr *tb[TCA_MQOS_CLASS_MAX + 1];

	if (!opt)
		return 0;
	parse_attrs(tb, TCA_MQOS_CLASS_MAX, opt);
	print_class_attrs(tb, false);
	return 0;
}

static int mqos_print_opt(struct qdisc_util *qu, FILE *f, struct rtattr *opt)
{
	struct rtattr *tb[TCA_MQOS_MAX + 1], *a;
	char buf[32];
	uint64_t v;
	int len;

	if (!opt)
		return 0;
	parse_attrs(tb, TCA_MQOS_MAX, opt);
	if (tb[TCA_MQOS_RATE]) {
		v = get_uint(tb[TCA_MQOS_RATE]);
		if (v) {
			fmt_rate(buf, sizeof(buf), v);
			pnum_fmt("bandwidth", "bandwidth", v, buf);
		} else {
			pstr(MQ_FP, NULL, "bandwidth unlimited ", NULL);
			pu64(MQ_JSON, "bandwidth", NULL, 0);
		}
	}
	if (tb[TCA_MQOS_OVERHEAD])
		puint(MQ_ANY, "overhead", "overhead %u ",
		      (unsigned int)get_uint(tb[TCA_MQOS_OVERHEAD]));
	if (tb[TCA_MQOS_DEFAULT_CLASS])
		puint(MQ_ANY, "default_class", "default-class %u ",
		      (unsigned int)get_uint(tb[TCA_MQOS_DEFAULT_CLASS]));
	if (tb[TCA_MQOS_ISOLATION]) {
		v = get_uint(tb[TCA_MQOS_ISOLATION]);
		pstr(MQ_ANY, "isolation", "isolation %s ",
		     v < __MQOS_ISOLATE_MAX ? isolation_names[v] : "unknown");
	}
	if (tb[TCA_MQOS_INGRESS]) {
		v = get_uint(tb[TCA_MQOS_INGRESS]);
		if (v)
			pstr(MQ_FP, NULL, "ingress ", NULL);
		pu64(MQ_JSON, "ingress", NULL, v);
	}
	if (tb[TCA_MQOS_MEMORY_LIMIT]) {
		v = get_uint(tb[TCA_MQOS_MEMORY_LIMIT]);
		fmt_size(buf, sizeof(buf), v ? v : MQOS_DEFAULT_MEMORY_LIMIT);
		pnum_fmt("memlimit", "memlimit", v ? v : MQOS_DEFAULT_MEMORY_LIMIT,
			 buf);
	}
	if (!tb[TCA_MQOS_CLASSES])
		return 0;

	/* Every class's configuration, one line each. */
	open_json_array(MQ_JSON, "classes");
	a = RTA_DATA(tb[TCA_MQOS_CLASSES]);
	len = RTA_PAYLOAD(tb[TCA_MQOS_CLASSES]);
	for (; RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		struct rtattr *ctb[TCA_MQOS_CLASS_MAX + 1];

		if ((a->rta_type & NLA_TYPE_MASK) != TCA_MQOS_CLASSES_CLASS)
			continue;
		parse_attrs(ctb, TCA_MQOS_CLASS_MAX, a);
		print_nl();
		pstr(MQ_FP, NULL, "  ", NULL);
		open_json_object(NULL);
		print_class_attrs(ctb, true);
		close_json_object();
	}
	close_json_array(MQ_JSON, NULL);
	return 0;
}

/* ---- statistics ------------------------------------------------------- */

static uint64_t xs(struct rtattr **tb, int type)
{
	return tb[type] ? get_uint(tb[type]) : 0;
}

static void print_delay(const char *word, const char *key, uint64_t ns)
{
	char buf[32];

	fmt_ns(buf, sizeof(buf), ns);
	pnum_fmt(word, key, ns, buf);
}

/* A histogram nest: bucket b is attribute type b + 1. */
static void get_hist(const struct rtattr *nest, uint64_t *buckets)
{
	const struct rtattr *a;
	int len;

	if (!nest)
		return;
	a = RTA_DATA(nest);
	len = RTA_PAYLOAD(nest);
	for (; RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		int b = (a->rta_type & NLA_TYPE_MASK) - 1;

		if (b >= 0 && b < MQOS_HIST_NBUCKETS)
			buckets[b] = get_uint(a);
	}
}

/*
 * A line and JSON object @key of sojourn times: count (printed after
 * @word), mean, p50 and p99 from the histogram, max; with @full (the
 * class's own delays) also min and jitter, which sparse flows do not keep.
 */
static void print_delays(struct rtattr **tb, const char *indent,
			 const char *key, const char *word, int count_attr,
			 int sum_attr, int max_attr, int hist_attr, bool full)
{
	uint64_t buckets[MQOS_HIST_NBUCKETS] = { 0 };
	uint64_t count = xs(tb, count_attr), max = xs(tb, max_attr);
	uint64_t min = full ? xs(tb, TCA_MQOS_XSTATS_DELAY_MIN) : 0;
	char fmt[48];

	get_hist(tb[hist_attr], buckets);
	print_nl();
	pstr(MQ_FP, NULL, "%s", indent);
	open_json_object(key);
	snprintf(fmt, sizeof(fmt), "%s %%llu ", word);
	pu64(MQ_ANY, "count", fmt, count);
	if (count) {
		print_delay("mean", "mean_ns", xs(tb, sum_attr) / count);
		print_delay("p50", "p50_ns",
			    mqos_hist_percentile(buckets, MQOS_HIST_NBUCKETS,
						 min, max, 500));
		print_delay("p99", "p99_ns",
			    mqos_hist_percentile(buckets, MQOS_HIST_NBUCKETS,
						 min, max, 990));
		if (full)
			print_delay("min", "min_ns", min);
		print_delay("max", "max_ns", max);
		if (full)
			print_delay("jitter", "jitter_ns", count > 1 ?
				    xs(tb, TCA_MQOS_XSTATS_JITTER_SUM) /
				    (count - 1) : 0);
	}
	close_json_object();
}

/* One class's TCA_MQOS_XSTATS_* (a class dump, or an older qdisc's nest). */
static void print_class_xstats(struct rtattr **tb, const char *indent)
{

	pstr(MQ_FP, NULL, "%s", indent);
	if (tb[TCA_MQOS_XSTATS_CLASS_ID])
		puint(MQ_ANY, "class", "class %u ",
		      (unsigned int)xs(tb, TCA_MQOS_XSTATS_CLASS_ID));
	if (tb[TCA_MQOS_XSTATS_NAME])
		pstr(MQ_ANY, "name", "%s ",
		     (const char *)RTA_DATA(tb[TCA_MQOS_XSTATS_NAME]));
	if (tb[TCA_MQOS_XSTATS_PRIO])
		puint(MQ_ANY, "prio", "prio %u ",
		      (unsigned int)xs(tb, TCA_MQOS_XSTATS_PRIO));
	pu64(MQ_ANY, "enqueued_packets", "enqueued %llu pkts ",
	     xs(tb, TCA_MQOS_XSTATS_ENQ_PACKETS));
	pu64(MQ_ANY, "enqueued_bytes", "%llu bytes ",
	     xs(tb, TCA_MQOS_XSTATS_ENQ_BYTES));
	pu64(MQ_ANY, "sent_packets", "sent %llu pkts ",
	     xs(tb, TCA_MQOS_XSTATS_SENT_PACKETS));
	pu64(MQ_ANY, "sent_bytes", "%llu bytes ",
	     xs(tb, TCA_MQOS_XSTATS_SENT_BYTES));
	pu64(MQ_ANY, "backlog_packets", "backlog %llup ",
	     xs(tb, TCA_MQOS_XSTATS_BACKLOG_PACKETS));
	pu64(MQ_ANY, "backlog_bytes", "%llub",
	     xs(tb, TCA_MQOS_XSTATS_BACKLOG_BYTES));

	/* Sojourn time: mean, percentiles from the histogram, max, jitter. */
	print_delays(tb, indent, "delay", "delay count",
		     TCA_MQOS_XSTATS_DELAY_COUNT, TCA_MQOS_XSTATS_DELAY_SUM,
		     TCA_MQOS_XSTATS_DELAY_MAX, TCA_MQOS_XSTATS_DELAY_HIST, true);

	print_nl();
	pstr(MQ_FP, NULL, "%s", indent);
	open_json_object("drops");
	pu64(MQ_ANY, "policer", "drops policer %llu ",
	     xs(tb, TCA_MQOS_XSTATS_DROP_POLICER));
	pu64(MQ_ANY, "limit", "limit %llu ", xs(tb, TCA_MQOS_XSTATS_DROP_LIMIT));
	pu64(MQ_ANY, "aqm", "aqm %llu ", xs(tb, TCA_MQOS_XSTATS_DROP_AQM));
	if (tb[TCA_MQOS_XSTATS_DROP_MEMORY])
		pu64(MQ_ANY, "memory", "memory %llu ",
		     xs(tb, TCA_MQOS_XSTATS_DROP_MEMORY));
	pu64(MQ_ANY, "other", "other %llu ", xs(tb, TCA_MQOS_XSTATS_DROP_OTHER));
	close_json_object();
	pu64(MQ_ANY, "demoted", "demoted %llu ", xs(tb, TCA_MQOS_XSTATS_DEMOTED));
	pu64(MQ_ANY, "ecn_marks", "ecn-marks %llu ",
	     xs(tb, TCA_MQOS_XSTATS_ECN_MARKS));
	pu64(MQ_ANY, "overlimits", "overlimits %llu",
	     xs(tb, TCA_MQOS_XSTATS_OVERLIMITS));

	/* Packets sent from new (sparse) flows: their own sojourn times. */
	if (tb[TCA_MQOS_XSTATS_SPARSE_COUNT])
		print_delays(tb, indent, "sparse_delay", "sparse-flow delay count",
			     TCA_MQOS_XSTATS_SPARSE_COUNT,
			     TCA_MQOS_XSTATS_SPARSE_SUM,
			     TCA_MQOS_XSTATS_SPARSE_MAX,
			     TCA_MQOS_XSTATS_SPARSE_HIST, false);
	if (tb[TCA_MQOS_XSTATS_FLOWS]) {
		print_nl();
		pstr(MQ_FP, NULL, "%s", indent);
		open_json_object("flows");
		pu64(MQ_ANY, "queues", "flows %llu ",
		     xs(tb, TCA_MQOS_XSTATS_FLOWS));
		pu64(MQ_ANY, "sparse", "sparse %llu ",
		     xs(tb, TCA_MQOS_XSTATS_FLOWS_SPARSE));
		pu64(MQ_ANY, "bulk", "bulk %llu ",
		     xs(tb, TCA_MQOS_XSTATS_FLOWS_BULK));
		pu64(MQ_ANY, "way_collisions", "way-collisions %llu ",
		     xs(tb, TCA_MQOS_XSTATS_WAY_COLLISIONS));
		pu64(MQ_ANY, "hosts", "hosts %llu",
		     xs(tb, TCA_MQOS_XSTATS_HOSTS));
		close_json_object();
	}
}

static int mqos_print_xstats(struct qdisc_util *qu, FILE *f,
			     struct rtattr *xstats)
{
	struct rtattr *tb[TCA_MQOS_XSTATS_MAX + 1];
	char buf[32];

	if (!xstats)
		return 0;
	parse_attrs(tb, TCA_MQOS_XSTATS_MAX, xstats);
	open_json_object("xstats");
	if (tb[TCA_MQOS_XSTATS_CLASS_ID]) {	/* a class dump */
		print_class_xstats(tb, " ");
		close_json_object();
		return 0;
	}

	/* The qdisc: device counters, then whatever class detail it has. */
	pstr(MQ_FP, NULL, " ", NULL);
	if (tb[TCA_MQOS_XSTATS_DEV_RATE]) {
		uint64_t v = xs(tb, TCA_MQOS_XSTATS_DEV_RATE);

		if (v)
			fmt_rate(buf, sizeof(buf), v);
		else
			snprintf(buf, sizeof(buf), "unlimited");
		pnum_fmt("bandwidth", "bandwidth", v, buf);
	}
	pu64(MQ_ANY, "dev_overlimits", "overlimits %llu ",
	     xs(tb, TCA_MQOS_XSTATS_DEV_OVERLIMITS));
	if (tb[TCA_MQOS_XSTATS_MEMORY_USED]) {
		fmt_size(buf, sizeof(buf), xs(tb, TCA_MQOS_XSTATS_MEMORY_USED));
		pnum_fmt("memory", "memory_used",
			 xs(tb, TCA_MQOS_XSTATS_MEMORY_USED), buf);
	}
	if (tb[TCA_MQOS_XSTATS_MEMORY_LIMIT]) {
		fmt_size(buf, sizeof(buf), xs(tb, TCA_MQOS_XSTATS_MEMORY_LIMIT));
		pnum_fmt("of", "memory_limit",
			 xs(tb, TCA_MQOS_XSTATS_MEMORY_LIMIT), buf);
	}
	/* The classes' totals (compact qdisc stats). */
	if (tb[TCA_MQOS_XSTATS_DROP_POLICER] || tb[TCA_MQOS_XSTATS_DROP_MEMORY]) {
		print_nl();
		pstr(MQ_FP, NULL, " ", NULL);
		open_json_object("drops");
		if (tb[TCA_MQOS_XSTATS_DROP_POLICER]) {
			pu64(MQ_ANY, "policer", "drops policer %llu ",
			     xs(tb, TCA_MQOS_XSTATS_DROP_POLICER));
			pu64(MQ_ANY, "limit", "limit %llu ",
			     xs(tb, TCA_MQOS_XSTATS_DROP_LIMIT));
			pu64(MQ_ANY, "aqm", "aqm %llu ",
			     xs(tb, TCA_MQOS_XSTATS_DROP_AQM));
		} else {
			pstr(MQ_FP, NULL, "drops ", NULL);
		}
		if (tb[TCA_MQOS_XSTATS_DROP_MEMORY])
			pu64(MQ_ANY, "memory", "memory %llu ",
			     xs(tb, TCA_MQOS_XSTATS_DROP_MEMORY));
		if (tb[TCA_MQOS_XSTATS_DROP_OTHER])
			pu64(MQ_ANY, "other", "other %llu ",
			     xs(tb, TCA_MQOS_XSTATS_DROP_OTHER));
		close_json_object();
		if (tb[TCA_MQOS_XSTATS_ECN_MARKS])
			pu64(MQ_ANY, "ecn_marks", "ecn-marks %llu",
			     xs(tb, TCA_MQOS_XSTATS_ECN_MARKS));
	}
	if (tb[TCA_MQOS_XSTATS_CLASSES]) {
		struct rtattr *a = RTA_DATA(tb[TCA_MQOS_XSTATS_CLASSES]);
		int len = RTA_PAYLOAD(tb[TCA_MQOS_XSTATS_CLASSES]);

		open_json_array(MQ_JSON, "classes");
		for (; RTA_OK(a, len); a = RTA_NEXT(a, len)) {
			struct rtattr *ctb[TCA_MQOS_XSTATS_MAX + 1];

			parse_attrs(ctb, TCA_MQOS_XSTATS_MAX, a);
			print_nl();
			open_json_object(NULL);
			print_class_xstats(ctb, "  ");
			close_json_object();
		}
		close_json_array(MQ_JSON, NULL);
	}
	close_json_object();
	return 0;
}

EXPORT struct qdisc_util mqos_qdisc_util = {
	.id		= "mqos",
	.parse_qopt	= mqos_parse_opt,
	.print_qopt	= mqos_print_opt,
	.print_xstats	= mqos_print_xstats,
	.parse_copt	= mqos_parse_class_opt,
	.print_copt	= mqos_print_class_opt,
};
