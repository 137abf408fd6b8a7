/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mqosctl internals.
 *
 *   mqosctl.c  main, options, command dispatch, usage
 *   parse.c    words -> values and back: rates, sizes, times, DSCP and
 *              QoS sets, ports, prefixes, the line tokenizer (no libnl)
 *   cmd.c      the grammar: class/dev/rule arguments -> struct ctl_*
 *   nl.c       the generic netlink socket, requests, extack reporting
 *   show.c     show, save and stats output (text and JSON)
 *   load.c     load FILE: a whole configuration, one CONFIG_REPLACE
 *   stats_nl.c the statistics dump, for show.c and prom.c
 *   prom.c     stats --prometheus: the Prometheus text exposition format
 *   hook.c     hook set/class grammar; hook_nl.c its netlink and output
 *   ports.c    ports set grammar (where MQTT is read); ports_nl.c netlink
 *   batch.c    -b FILE: one command per line, in one process
 */
#ifndef MQOSCTL_H
#define MQOSCTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <net/if.h>
#include <linux/mqos.h>

#define EXIT_OK		0
#define EXIT_RUNTIME	1
#define EXIT_USAGE	2

/* ---- parse.c ------------------------------------------------------------- */

/* Where words come from, for messages: "FILE: line N: ", "FILE: " (line 0)
 * or nothing (no file). */
extern const char *ctl_file;
extern int ctl_line;

/* Print "mqosctl: [FILE: [line N: ]]fmt\n" on stderr. */
void ctl_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

int parse_u32(const char *s, uint32_t max, uint32_t *out);
int parse_rate(const char *s, uint64_t *bytes_per_s);	/* like tc; bare = bit/s */
int parse_size(const char *s, uint32_t *bytes);	/* bare = bytes; k m g */
int parse_time(const char *s, uint32_t *us);	/* bare = us; us ms s */
/* Whole seconds up to @max; bare = s; s m min h d. */
int parse_seconds(const char *s, uint32_t max, uint32_t *sec);
int parse_dscp(const char *s, uint8_t *dscp);
int parse_dscp_set(const char *s, uint64_t *set);
int parse_qos_set(const char *s, bool sn, uint8_t *set);
int parse_kinds(const char *s, uint8_t *set);
int parse_ports(const char *s, uint16_t *lo, uint16_t *hi);
int parse_prefix(const char *s, uint8_t *family, uint8_t *addr,
		 uint8_t *plen);
int parse_proto(const char *s, uint8_t *proto);

/* Exact, parseable forms: "10mbit", "64k", "5ms". */
void fmt_rate(char *buf, size_t n, uint64_t bytes_per_s);
void fmt_size(char *buf, size_t n, uint64_t bytes);
void fmt_time(char *buf, size_t n, uint32_t us);
void fmt_dscp_set(char *buf, size_t n, uint64_t set);
void fmt_qos_set(char *buf, size_t n, uint8_t set, bool sn);
void fmt_kinds(char *buf, size_t n, uint8_t set);
void fmt_prefix(char *buf, size_t n, uint8_t family, const uint8_t *addr,
		uint8_t plen);
void fmt_quoted(char *buf, size_t n, const char *s, size_t len);

/*
 * Split @line into at most @max words (modified in place). Double quotes
 * group, with \" \\ and \xHH escapes; '#' outside quotes ends the line.
 * Returns the number of words, or -1 (message printed).
 */
int tokenize(char *line, char **argv, int max);

/*
 * A file of command lines ("-" is stdin), for load and -b: ctl_lines_next
 * reads one line, points ctl_file/ctl_line at it and splits it into
 * @argv (CTL_MAX_WORDS). Returns the number of words (0: blank or
 * comment), -1 for a line tokenize refused, -2 at the end of the file.
 */
#define CTL_MAX_WORDS	64
struct ctl_lines {
	FILE *f;
	const char *name;	/* for messages: the path or "<stdin>" */
	char *buf;
	size_t cap;
	int lineno;
};

int ctl_lines_open(struct ctl_lines *cl, const char *path); /* 0 or EXIT_RUNTIME */
int ctl_lines_next(struct ctl_lines *cl, char **argv);
void ctl_lines_close(struct ctl_lines *cl);

/* ---- the configuration model ---------------------------------------------- */

/* One class: the TCA_MQOS_CLASS_* values; has = bit per attribute given. */
struct ctl_class {
	uint32_t has;
	uint8_t id;
	char name[MQOS_CLASS_NAME_LEN];
	uint8_t prio, rate_pct, ceil_pct, police_demote, ecn, dscp;
	uint64_t rate, ceil, police_rate;
	uint32_t quantum, limit, limit_bytes, police_burst;
	uint32_t aqm_target, aqm_interval;
	int line;
};

struct ctl_dev {
	char name[IFNAMSIZ];
	uint32_t ifindex;
	uint32_t has;		/* bit per TCA_MQOS_* given */
	uint64_t rate;
	uint32_t overhead;
	uint8_t default_class;
	struct ctl_class cls[MQOS_MAX_CLASSES + 1];
	int line;
};

/* One rule: the MQOS_RULE_A_* values; has = bit per attribute. */
struct ctl_rule {
	uint32_t has;
	uint32_t pref;
	uint8_t class_id;
	uint64_t dscp;
	uint8_t mqtt_qos, kinds, sn_qos, proto;
	uint16_t sport_lo, sport_hi, dport_lo, dport_hi;
	uint8_t family, src_plen, dst_plen;
	uint8_t src[16], dst[16];
	uint32_t iif, oif;
	char topic[MQOS_RULE_TOPIC_MAX + 1];
	uint8_t topic_len;
	uint64_t hits_packets, hits_bytes;
	int line;
};

#define HAS(x)	(1U << (x))

/* The netfilter hook: MQOS_HOOK_A_* values; has = bit per attribute. */
struct ctl_hook_class {
	uint32_t has;			/* bit per MQOS_HOOK_CLASS_A_* */
	uint8_t dscp;			/* remark; MQOS_DSCP_KEEP = none */
	uint64_t rate;			/* ingress policer, bytes/s; 0 = off */
	uint32_t burst;
	uint64_t packets, remarked, police_drops;	/* from the kernel */
};

struct ctl_hook {
	uint32_t has;			/* bit per MQOS_HOOK_A_* */
	uint8_t enabled, mode, conntrack;
	uint32_t mask;
	uint32_t decay;			/* seconds, 0 = off */
	uint64_t packets, no_ct, sticky, raised, decayed; /* from the kernel */
	struct ctl_hook_class cls[MQOS_MAX_CLASSES + 1];
};

/* ---- hook.c (grammar), hook_nl.c (netlink, show, stats) -------------------- */

void ctl_hook_init(struct ctl_hook *h);	/* defaults: off, sticky, mask */
/* hook set ... | hook class ...: into @h (has bits set); -1 on error. */
int cmd_parse_hook(int argc, char **argv, struct ctl_hook *h);
void print_hook_set(FILE *f, const struct ctl_hook *h);
void print_hook_class(FILE *f, const struct ctl_hook *h, int id);

int ctl_hook_get(struct ctl_hook *h);
/* HOOK_SET with what @h has; @reset: start from the defaults. */
int ctl_hook_set(const struct ctl_hook *h, bool reset, bool reset_stats);
int cmd_hook_show(bool json);
void hook_stats_text(const struct ctl_hook *h);
struct json_object;
struct json_object *hook_json(const struct ctl_hook *h);

/* ---- ports.c (grammar), ports_nl.c (netlink, show) ------------------------- */
/* MQTT (TCP) and MQTT-SN (UDP) ports; has = bit per MQOS_PORTS_A_* list. */
struct ctl_ports {
	uint32_t has;
	uint16_t mqtt[MQOS_PORTS_MAX], sn[MQOS_PORTS_MAX];
	uint8_t n_mqtt, n_sn;
};

void ctl_ports_init(struct ctl_ports *p);	/* the kernel's defaults */
/* set [mqtt LIST|none] [mqttsn LIST|none] into @p; -1 on error. */
int cmd_parse_ports(int argc, char **argv, struct ctl_ports *p);
void print_ports_set(FILE *f, const struct ctl_ports *p);
int ctl_ports_get(struct ctl_ports *p);
int ctl_ports_set(const struct ctl_ports *p);
int cmd_ports_show(bool json);

/* ---- cmd.c ---------------------------------------------------------------- */

int cmd_parse_class(int argc, char **argv, struct ctl_dev *dev,
		    struct ctl_class **out);
int cmd_parse_dev(int argc, char **argv, struct ctl_dev *dev);
int cmd_parse_rule(int argc, char **argv, struct ctl_rule *r);
int parse_class_id(const char *s, uint8_t *id);

/* ---- nl.c ----------------------------------------------------------------- */

struct nl_msg;
struct nlattr;

/* An element of a request, for mapping an extack offset back to a line. */
struct ctl_span {
	uint32_t start, end;	/* offsets from the netlink header */
	int line;
	const char *what;	/* "rule 3", "class 2 of eth0" */
};

int ctl_nl_open(void);
void ctl_nl_close(void);
struct nl_msg *ctl_msg(uint8_t cmd, int flags);
/*
 * Send @msg (freed) and wait for the answer; @cb is called for every
 * reply message's attributes (tb[MQOS_A_MAX + 1]). Returns 0 or a
 * negative errno, after printing the kernel's message (mapped to @spans).
 */
int ctl_request(struct nl_msg *msg, int (*cb)(struct nlattr **tb, void *arg),
		void *arg, const struct ctl_span *spans, int nspans);

int ctl_put_class(struct nl_msg *msg, int type, const struct ctl_class *c);
int ctl_put_rule(struct nl_msg *msg, int type, const struct ctl_rule *r);
int ctl_put_ports(struct nl_msg *msg, const struct ctl_ports *p);	/* ports.c */
void ctl_get_class(struct nlattr *nest, struct ctl_class *c);
void ctl_get_rule(struct nlattr *nest, struct ctl_rule *r);
void ctl_get_qdisc(struct nlattr *nest, struct ctl_dev *d);

/* ---- show.c --------------------------------------------------------------- */

void print_class_args(FILE *f, const struct ctl_class *c);
void print_rule_args(FILE *f, const struct ctl_rule *r);
int cmd_class_show(const char *dev, bool json);
int cmd_dev_show(const char *dev, bool json);
int cmd_rule_show(bool json);
int cmd_save(FILE *f);
int cmd_stats(const char *dev, bool json, unsigned int watch, bool reset);

/* ---- load.c --------------------------------------------------------------- */

int cmd_load(const char *path);	/* returns EXIT_* */

/* ---- batch.c and mqosctl.c ------------------------------------------------ */

/* The -b FILE being run (NULL outside a batch; "-" is stdin). */
extern const char *ctl_batch_path;
int cmd_batch(const char *path, bool force);	/* worst EXIT_* */
int ctl_run(int argc, char **argv);		/* one command line's words */

/* ---- stats_nl.c ------------------------------------------------------------ */
struct ctl_stats_dev {
	char name[IFNAMSIZ];
	uint64_t rate, overlimits, packets, bytes, drops;
	uint32_t backlog;
};

struct ctl_stats_class {
	char dev[IFNAMSIZ];
	char name[MQOS_CLASS_NAME_LEN];
	uint8_t id, prio;
	uint64_t v[TCA_MQOS_XSTATS_MAX + 1];	/* by TCA_MQOS_XSTATS_* */
	uint64_t hist[MQOS_HIST_NBUCKETS];
};

/* One STATS_GET dump: devices, classes, rules (no filter) and malformed. */
struct ctl_stats {
	struct ctl_stats_dev *dev;
	struct ctl_stats_class *cls;
	struct ctl_rule *rules;
	int ndev, ncls, nrules;
	uint64_t malformed;
};

/* A consistent dump (retried if the configuration changed under it). */
int ctl_stats_get(const char *dev, struct ctl_stats *s);
void ctl_stats_free(struct ctl_stats *s);

/* ---- prom.c --------------------------------------------------------------- */

/* Prometheus text format to stdout, or written+renamed to @path. */
int cmd_stats_prom(const char *dev, const char *path, unsigned int watch);

/* rtnl.c: device and class changes as RTM_NEWQDISC (like tc qdisc change). */
int ctl_rtnl_dev_set(const struct ctl_dev *d);
int ctl_rtnl_class_set(const char *dev, const struct ctl_class *c);
int ctl_rtnl_class_del(const char *dev, uint8_t id);
void ctl_rtnl_close(void);

#endif /* MQOSCTL_H */
