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
 *   confirm.c  load --confirm: the rollback timer and `mqosctl confirm`
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

/*
 * While a command line is parsed (not in a file), the object whose help
 * explains it ("class"): usage errors end with "; see 'mqosctl class
 * help'", so that one line names the bad word and where to look.
 */
extern const char *ctl_hint;

/*
 * @word is one of @kws (NULL-terminated) or a prefix of exactly one (as
 * ip and tc take "sh" for "show"). Returns its index; -1 (no message)
 * when it matches none, -2 (message naming the candidates) when it is
 * ambiguous.
 */
int ctl_kw(const char *word, const char *const *kws);
/* ctl_kw, with "'WORD': unknown WHAT (expected a, b or c)" for -1. */
int ctl_kw_err(const char *word, const char *const *kws, const char *what);

int parse_u32(const char *s, uint32_t max, uint32_t *out);
int parse_rate(const char *s, uint64_t *bytes_per_s);	/* like tc; bare = bit/s */
int parse_dev_name(const char *s, char *name);	/* 1..IFNAMSIZ-1 chars */
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
	uint8_t prio, rate_pct, ceil_pct, police_demote, ecn, dscp, aqm_mode;
	uint64_t rate, ceil, police_rate;
	uint32_t quantum, limit, limit_bytes, police_burst;
	uint32_t aqm_target, aqm_interval;
	uint32_t flows;		/* flow queues, 0 = one FIFO */
	int line;
};

struct ctl_dev {
	char name[IFNAMSIZ];
	uint32_t ifindex;
	uint32_t has;		/* bit per TCA_MQOS_* given */
	uint64_t rate;
	uint32_t overhead;
	uint8_t default_class;
	uint8_t isolation;	/* enum mqos_isolation */
	uint32_t memory_limit;	/* bytes, 0 = the default */
	uint8_t ingress;	/* 1: drops charged to the device rate */
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
#define HAS64(x)	(1ULL << (x))

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
	/* MQTT stream framing, from the kernel */
	uint32_t frame_entries, frame_max;
	uint64_t frame_full, frame_at, frame_cont, frame_old, frame_ahead;
	uint64_t frame_untrusted, frame_syn, frame_resync, frame_lost;
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
/* show.c: a rule as JSON (rule show, stats). */
struct json_object *rule_json(const struct ctl_rule *r);

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

/* ingress add DEV rate R [ifb NAME]: a set-up, stated or found. */
struct ctl_ingress {
	char dev[IFNAMSIZ];
	char ifb[IFNAMSIZ];
	uint64_t rate;		/* bytes/s: the ifb's mqos rate */
	int line;		/* load: the line that states it */
};

/* DEV rate R [ifb NAME] (@add), DEV [ifb NAME]: -1 on error. */
int cmd_parse_ingress(int argc, char **argv, bool add, struct ctl_ingress *in);
/* "ifb-DEV" into @ifb (IFNAMSIZ), or -1 (reported) if it does not fit. */
int ctl_ingress_ifb_name(const char *dev, char *ifb);

int cmd_parse_class(int argc, char **argv, struct ctl_dev *dev,
		    struct ctl_class **out);
int cmd_parse_dev(int argc, char **argv, struct ctl_dev *dev);
int cmd_parse_rule(int argc, char **argv, struct ctl_rule *r);
/* rule default map|device|class N -> MQOS_A_RULE_DEFAULT's value. */
int cmd_parse_rule_default(int argc, char **argv, uint8_t *v);
int parse_class_id(const char *s, uint8_t *id);
/* isolation names, by enum mqos_isolation ("flows", "dual-srchost", ...) */
extern const char *const ctl_isolation_names[__MQOS_ISOLATE_MAX + 1];
extern const char *const ctl_aqm_mode_names[MQOS_AQM_MODE_MAX + 2];

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
/* MQOS_A_QDISC with the device's settings, left open; NULL on error. */
struct nlattr *ctl_put_dev(struct nl_msg *msg, const struct ctl_dev *d);
int ctl_put_dev_attrs(struct nl_msg *msg, const struct ctl_dev *d);
int ctl_put_rule(struct nl_msg *msg, int type, const struct ctl_rule *r);
int ctl_put_ports(struct nl_msg *msg, const struct ctl_ports *p);	/* ports.c */
void ctl_get_class(struct nlattr *nest, struct ctl_class *c);
void ctl_get_rule(struct nlattr *nest, struct ctl_rule *r);
void ctl_get_qdisc(struct nlattr *nest, struct ctl_dev *d);

/* ---- show.c --------------------------------------------------------------- */

void print_class_args(FILE *f, const struct ctl_class *c);
void print_rule_args(FILE *f, const struct ctl_rule *r);
void print_rule_default(FILE *f, uint8_t v);	/* "map", "class 3" ... */
int ctl_rule_default_get(uint8_t *v);
int cmd_class_show(const char *dev, bool json);
int cmd_dev_show(const char *dev, bool json);
int cmd_rule_show(bool json);
int cmd_save(FILE *f);

/* JSON output: -p (pretty) sets JSON_C_TO_STRING_PRETTY. */
struct json_object;
extern int ctl_json_flags;
void ctl_json_print(struct json_object *o);	/* prints and frees */

/* The format `save` writes and the newest `load` reads ("format N"). */
#define CTL_FORMAT	2
int cmd_stats(const char *dev, bool json, unsigned int watch, bool reset);

/* ---- load.c --------------------------------------------------------------- */

/*
 * load FILE: returns EXIT_*. @check: parse and validate only, change
 * nothing. @confirm: seconds after which the configuration before the
 * load comes back unless `mqosctl confirm` runs (0: no rollback).
 */
int cmd_load(const char *path, bool check, unsigned int confirm);

/* ---- confirm.c ------------------------------------------------------------ */

/* Save the running configuration (for a rollback); EXIT_*. */
int ctl_confirm_prepare(void);
/* After the load: start the timer that rolls back in @sec s; EXIT_*. */
int ctl_confirm_arm(unsigned int sec);
/* A load that failed: forget what prepare saved. */
void ctl_confirm_cancel(void);
int cmd_confirm(void);		/* mqosctl confirm: EXIT_* */

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
	uint64_t has;		/* bit per TCA_MQOS_XSTATS_* (qdisc only) sent */
	uint64_t memory_used, memory_limit;
};

struct ctl_stats_class {
	char dev[IFNAMSIZ];
	char name[MQOS_CLASS_NAME_LEN];
	uint8_t id, prio;
	uint64_t v[TCA_MQOS_XSTATS_MAX + 1];	/* by TCA_MQOS_XSTATS_* */
	uint64_t has;				/* bit per attribute sent */
	uint64_t hist[MQOS_HIST_NBUCKETS];
	uint64_t sparse_hist[MQOS_HIST_NBUCKETS];	/* SPARSE_HIST */
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
/* DEV's class called NAME: 0, or -ENOENT (or a netlink error). */
int ctl_class_by_name(const char *dev, const char *name, uint8_t *id);
void ctl_stats_free(struct ctl_stats *s);

/* ---- prom.c --------------------------------------------------------------- */

/* Prometheus text format to stdout, or written+renamed to @path. */
int cmd_stats_prom(const char *dev, const char *path, unsigned int watch);

/* rtnl.c: device and class changes as RTM_NEWQDISC (like tc qdisc change). */
int ctl_rtnl_dev_set(const struct ctl_dev *d);
int ctl_rtnl_dev_replace(const struct ctl_dev *d);
int ctl_rtnl_class_set(const char *dev, const struct ctl_class *c);
int ctl_rtnl_class_del(const char *dev, uint8_t id);
void ctl_rtnl_close(void);

/*
 * ingress add/del (ingress.c): DEV's downlink shaped by mqos on an ifb. An
 * ingress set-up is DEV's ingress qdisc with a matchall filter that
 * redirects (mirred egress redirect) to a device of kind ifb whose root
 * qdisc is mqos: what `ingress add` makes, `save` prints and `load` keeps.
 */
int ctl_rtnl_ingress_add(const char *dev, const char *ifb, uint64_t rate);
int ctl_rtnl_ingress_del(const char *dev, const char *ifb);
int ctl_rtnl_ingress_flush(void);	/* every set-up; 0 or -errno */
/* The set-ups in the namespace (*@v malloc'ed, rate 0); 0 or -errno. */
int ctl_rtnl_ingress_list(struct ctl_ingress **v, int *n);
/* Whether @dev has an ingress qdisc: 1, 0, or -errno. */
int ctl_rtnl_has_ingress_qdisc(const char *dev);
/* load, in steps: the ifb up with a root mqos qdisc (defaults)... */
int ctl_rtnl_ingress_make_ifb(const char *ifb);
/* ...then, once the ifb is configured, DEV's ingress qdisc and filter. */
int ctl_rtnl_ingress_redirect(const char *dev, const char *ifb);
/* Remove an ifb (only one of kind ifb); errors quiet if @quiet. */
int ctl_rtnl_ifb_del(const char *ifb, bool quiet);

#endif /* MQOSCTL_H */
