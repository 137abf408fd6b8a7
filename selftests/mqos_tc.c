// SPDX-License-Identifier: GPL-2.0
/*
 * mqos_tc: a small test client for the mqos qdisc's rtnetlink attributes,
 * until mqosctl can do the same. Stock tc cannot send mqos options.
 *
 *   mqos_tc DEV change [rate R] [overhead N] [default ID] [reset]
 *                      [isolation 0..3] [memlimit BYTES]
 *                      [class ID [delete] [name S] [prio P] [rate R] [ceil R]
 *                       [rate_pct P] [ceil_pct P] [quantum B] [limit N]
 *                       [limit_bytes B] [police R BURST] [demote ID]
 *                       [aqm TARGET_US INTERVAL_US] [aqm_mode M] [ecn 0|1] [dscp D]
 *                       [flows N]]...
 *   mqos_tc DEV add|replace [the same]   create root 1: with options
 *   mqos_tc DEV class ID [the class keywords]   RTM_NEWTCLASS for 1:ID,
 *                           the attributes flat in TCA_OPTIONS (tc class
 *                           change / add)
 *   mqos_tc DEV stats       "qdisc key value ...", then one line per class
 *                           (from the class dump): "class ID key value ..."
 *
 * With MQOS_FAIL_NTH=N in the environment, the kernel fails the Nth
 * allocation this task makes from the request on (its fault injection:
 * /proc/thread-self/fail-nth, a kernel with CONFIG_FAULT_INJECTION and
 * FAILSLAB/FAIL_PAGE_ALLOC); after the answer "fail-nth: injected" or
 * "fail-nth: not reached" goes to stderr. A request the kernel could not
 * answer (no memory for the ack: ENOBUFS on the socket) exits 3.
 *
 * Rates: a number with kbit/mbit/gbit/bit, or bare bytes per second.
 * The qdisc is the root qdisc of DEV. Exit status 0 on success; kernel
 * errors print the extack message.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/pkt_sched.h>
#include <linux/gen_stats.h>

#include "../include/uapi/linux/mqos.h"

#define BUFSZ	65536

static char buf[BUFSZ];
static struct nlmsghdr *nlh;

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "mqos_tc: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	exit(2);
}

static struct nlattr *put(int type, const void *data, size_t len)
{
	struct nlattr *a = (struct nlattr *)((char *)nlh + NLMSG_ALIGN(nlh->nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy((char *)a + NLA_HDRLEN, data, len);
	nlh->nlmsg_len = NLMSG_ALIGN(nlh->nlmsg_len) + NLA_ALIGN(a->nla_len);
	return a;
}

static void put_u8(int t, uint8_t v) { put(t, &v, 1); }
static void put_u32(int t, uint32_t v) { put(t, &v, 4); }
static void put_u64(int t, uint64_t v) { put(t, &v, 8); }
static struct nlattr *nest_start(int t) { return put(t | NLA_F_NESTED, NULL, 0); }

static void nest_end(struct nlattr *a)
{
	a->nla_len = (char *)nlh + nlh->nlmsg_len - (char *)a;
}

static uint64_t num(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end)
		die("not a number: '%s'", s);
	return v;
}

/* Rate in bytes per second. */
static uint64_t rate(const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s)
		die("not a rate: '%s'", s);
	if (!*end)
		return (uint64_t)v;
	if (!strcasecmp(end, "bit"))
		return (uint64_t)(v / 8);
	if (!strcasecmp(end, "kbit"))
		return (uint64_t)(v * 1000 / 8);
	if (!strcasecmp(end, "mbit"))
		return (uint64_t)(v * 1000000 / 8);
	if (!strcasecmp(end, "gbit"))
		return (uint64_t)(v * 1000000000 / 8);
	die("unknown rate unit in '%s'", s);
	return 0;
}

/* MQOS_FAIL_NTH: arm the task's fault injection; -1 when not asked for. */
static int fail_nth_arm(void)
{
	const char *n = getenv("MQOS_FAIL_NTH");
	int f;

	if (!n)
		return -1;
	f = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	if (f < 0 || write(f, n, strlen(n)) < 0) {
		perror("mqos_tc: /proc/thread-self/fail-nth");
		exit(2);
	}
	return f;
}

/* Whether the armed failure happened (the count reached 0); disarm. */
static void fail_nth_report(int f)
{
	char v[32] = "";

	if (f < 0)
		return;
	if (pread(f, v, sizeof(v) - 1, 0) < 0 || pwrite(f, "0", 1, 0) < 0) {
		perror("mqos_tc: /proc/thread-self/fail-nth");
		exit(2);
	}
	close(f);
	fprintf(stderr, "fail-nth: %s\n", atoi(v) ? "not reached" : "injected");
}

static int talk(int fd)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int f = fail_nth_arm(), e;
	ssize_t n;

	if (sendto(fd, nlh, nlh->nlmsg_len, 0, (struct sockaddr *)&sa,
		   sizeof(sa)) < 0) {
		e = errno;
		fail_nth_report(f);
		fprintf(stderr, "mqos_tc: sendto: %s\n", strerror(e));
		exit(1);
	}
	n = recv(fd, buf, BUFSZ, 0);
	e = errno;
	fail_nth_report(f);
	if (n < 0) {
		fprintf(stderr, "mqos_tc: recv: %s\n", strerror(e));
		exit(e == ENOBUFS ? 3 : 1);
	}
	return (int)n;
}

enum { M_CHANGE, M_ADD, M_REPLACE, M_CLASS };

static int do_change(int fd, int ifindex, int argc, char **argv, int mode,
		     uint32_t id)
{
	struct nlattr *opts, *classes = NULL, *cls = NULL;
	struct tcmsg *tcm;
	struct nlmsghdr *r;
	int i;

	memset(buf, 0, BUFSZ);
	nlh = (struct nlmsghdr *)buf;
	nlh->nlmsg_len = NLMSG_LENGTH(sizeof(*tcm));
	nlh->nlmsg_type = mode == M_CLASS ? RTM_NEWTCLASS : RTM_NEWQDISC;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	if (mode == M_ADD)
		nlh->nlmsg_flags |= NLM_F_CREATE | NLM_F_EXCL;
	if (mode == M_REPLACE)
		nlh->nlmsg_flags |= NLM_F_CREATE | NLM_F_REPLACE;
	if (mode == M_CLASS)	/* as `tc class replace`: add or change */
		nlh->nlmsg_flags |= NLM_F_CREATE;
	tcm = NLMSG_DATA(nlh);
	tcm->tcm_family = AF_UNSPEC;
	tcm->tcm_ifindex = ifindex;
	tcm->tcm_parent = TC_H_ROOT;
	if (mode == M_ADD || mode == M_REPLACE)
		tcm->tcm_handle = 0x10000;
	if (mode == M_CLASS)
		tcm->tcm_handle = 0x10000 | id;
	put(TCA_KIND, "mqos", 5);
	opts = nest_start(TCA_OPTIONS);
	if (mode == M_CLASS)
		cls = opts;	/* class keywords only, straight in OPTIONS */

#define NEED(n) do { if (i + (n) >= argc) die("missing value after '%s'", argv[i]); } while (0)
	for (i = 0; i < argc; i++) {
		const char *k = argv[i];

		if (!strcmp(k, "class")) {
			NEED(1);
			if (cls)
				nest_end(cls);
			if (!classes)
				classes = nest_start(TCA_MQOS_CLASSES);
			cls = nest_start(TCA_MQOS_CLASSES_CLASS);
			put_u8(TCA_MQOS_CLASS_ID, num(argv[++i]));
		} else if (!cls) {
			/* qdisc-level keywords */
			if (!strcmp(k, "rate")) {
				NEED(1);
				put_u64(TCA_MQOS_RATE, rate(argv[++i]));
			} else if (!strcmp(k, "overhead")) {
				NEED(1);
				put_u32(TCA_MQOS_OVERHEAD, num(argv[++i]));
			} else if (!strcmp(k, "default")) {
				NEED(1);
				put_u8(TCA_MQOS_DEFAULT_CLASS, num(argv[++i]));
			} else if (!strcmp(k, "reset")) {
				put(TCA_MQOS_RESET_STATS, NULL, 0);
			} else if (!strcmp(k, "isolation")) {
				NEED(1);
				put_u8(TCA_MQOS_ISOLATION, num(argv[++i]));
			} else if (!strcmp(k, "memlimit")) {
				NEED(1);
				put_u32(TCA_MQOS_MEMORY_LIMIT, num(argv[++i]));
			} else {
				die("unknown qdisc keyword '%s'", k);
			}
		} else if (!strcmp(k, "delete")) {
			put(TCA_MQOS_CLASS_DELETE, NULL, 0);
		} else if (!strcmp(k, "name")) {
			NEED(1);
			i++;
			put(TCA_MQOS_CLASS_NAME, argv[i], strlen(argv[i]) + 1);
		} else if (!strcmp(k, "prio")) {
			NEED(1);
			put_u8(TCA_MQOS_CLASS_PRIO, num(argv[++i]));
		} else if (!strcmp(k, "rate")) {
			NEED(1);
			put_u64(TCA_MQOS_CLASS_RATE, rate(argv[++i]));
		} else if (!strcmp(k, "ceil")) {
			NEED(1);
			put_u64(TCA_MQOS_CLASS_CEIL, rate(argv[++i]));
		} else if (!strcmp(k, "rate_pct")) {
			NEED(1);
			put_u8(TCA_MQOS_CLASS_RATE_PCT, num(argv[++i]));
		} else if (!strcmp(k, "ceil_pct")) {
			NEED(1);
			put_u8(TCA_MQOS_CLASS_CEIL_PCT, num(argv[++i]));
		} else if (!strcmp(k, "quantum")) {
			NEED(1);
			put_u32(TCA_MQOS_CLASS_QUANTUM, num(argv[++i]));
		} else if (!strcmp(k, "limit")) {
			NEED(1);
			put_u32(TCA_MQOS_CLASS_LIMIT, num(argv[++i]));
		} else if (!strcmp(k, "limit_bytes")) {
			NEED(1);
			put_u32(TCA_MQOS_CLASS_LIMIT_BYTES, num(argv[++i]));
		} else if (!strcmp(k, "police")) {
			NEED(2);
			put_u64(TCA_MQOS_CLASS_POLICE_RATE, rate(argv[++i]));
			put_u32(TCA_MQOS_CLASS_POLICE_BURST, num(argv[++i]));
		} else if (!strcmp(k, "demote")) {
			NEED(1);
			put_u8(TCA_MQOS_CLASS_POLICE_DEMOTE, num(argv[++i]));
		} else if (!strcmp(k, "aqm")) {
			NEED(2);
			put_u32(TCA_MQOS_CLASS_AQM_TARGET, num(argv[++i]));
			put_u32(TCA_MQOS_CLASS_AQM_INTERVAL, num(argv[++i]));
		} else if (!strcmp(k, "aqm_mode")) {
			NEED(1);
			put_u8(TCA_MQOS_CLASS_AQM_MODE, num(argv[++i]));
		} else if (!strcmp(k, "ecn")) {
			NEED(1);
			put_u8(TCA_MQOS_CLASS_ECN, num(argv[++i]));
		} else if (!strcmp(k, "dscp")) {
			NEED(1);
			put_u8(TCA_MQOS_CLASS_DSCP, num(argv[++i]));
		} else if (!strcmp(k, "flows")) {
			NEED(1);
			put_u32(TCA_MQOS_CLASS_FLOWS, num(argv[++i]));
		} else if (!strcmp(k, "raw_u32")) {
			/* raw_u32 TYPE VALUE: for negative tests */
			NEED(2);
			put_u32(num(argv[i + 1]), num(argv[i + 2]));
			i += 2;
		} else {
			die("unknown class keyword '%s'", k);
		}
	}
	if (cls && cls != opts)
		nest_end(cls);
	if (classes)
		nest_end(classes);
	nest_end(opts);

	talk(fd);
	r = (struct nlmsghdr *)buf;
	if (r->nlmsg_type == NLMSG_ERROR) {
		struct nlmsgerr *e = NLMSG_DATA(r);
		struct nlattr *a;
		int len;

		if (!e->error)
			return 0;
		fprintf(stderr, "mqos_tc: %s", strerror(-e->error));
		/* extack: TLVs after the echoed request header */
		a = (struct nlattr *)((char *)e + sizeof(*e) +
				      (r->nlmsg_flags & NLM_F_CAPPED ? 0 :
				       e->msg.nlmsg_len - NLMSG_HDRLEN));
		len = (char *)r + r->nlmsg_len - (char *)a;
		if (r->nlmsg_flags & NLM_F_ACK_TLVS) {
			while (len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
			       a->nla_len <= len) {
				if (a->nla_type == NLMSGERR_ATTR_MSG)
					fprintf(stderr, ": %s",
						(char *)a + NLA_HDRLEN);
				len -= NLA_ALIGN(a->nla_len);
				a = (struct nlattr *)((char *)a +
						      NLA_ALIGN(a->nla_len));
			}
		}
		fprintf(stderr, "\n");
		return 1;
	}
	return 0;
}

static const char *const xstat_names[TCA_MQOS_XSTATS_MAX + 1] = {
	[TCA_MQOS_XSTATS_ENQ_PACKETS] = "enq_packets",
	[TCA_MQOS_XSTATS_ENQ_BYTES] = "enq_bytes",
	[TCA_MQOS_XSTATS_SENT_PACKETS] = "sent_packets",
	[TCA_MQOS_XSTATS_SENT_BYTES] = "sent_bytes",
	[TCA_MQOS_XSTATS_BACKLOG_PACKETS] = "backlog_packets",
	[TCA_MQOS_XSTATS_BACKLOG_BYTES] = "backlog_bytes",
	[TCA_MQOS_XSTATS_DROP_POLICER] = "drop_policer",
	[TCA_MQOS_XSTATS_DROP_LIMIT] = "drop_limit",
	[TCA_MQOS_XSTATS_DROP_AQM] = "drop_aqm",
	[TCA_MQOS_XSTATS_DROP_OTHER] = "drop_other",
	[TCA_MQOS_XSTATS_DEMOTED] = "demoted",
	[TCA_MQOS_XSTATS_ECN_MARKS] = "ecn_marks",
	[TCA_MQOS_XSTATS_OVERLIMITS] = "overlimits",
	[TCA_MQOS_XSTATS_DELAY_COUNT] = "delay_count",
	[TCA_MQOS_XSTATS_DELAY_SUM] = "delay_sum_ns",
	[TCA_MQOS_XSTATS_DELAY_MIN] = "delay_min_ns",
	[TCA_MQOS_XSTATS_DELAY_MAX] = "delay_max_ns",
	[TCA_MQOS_XSTATS_JITTER_SUM] = "jitter_sum_ns",
	[TCA_MQOS_XSTATS_DEV_OVERLIMITS] = "dev_overlimits",
	[TCA_MQOS_XSTATS_DEV_RATE] = "dev_rate",
	[TCA_MQOS_XSTATS_DROP_MEMORY] = "drop_memory",
	[TCA_MQOS_XSTATS_FLOWS] = "flows",
	[TCA_MQOS_XSTATS_FLOWS_SPARSE] = "flows_sparse",
	[TCA_MQOS_XSTATS_FLOWS_BULK] = "flows_bulk",
	[TCA_MQOS_XSTATS_WAY_COLLISIONS] = "way_collisions",
	[TCA_MQOS_XSTATS_HOSTS] = "hosts",
	[TCA_MQOS_XSTATS_MEMORY_USED] = "memory_used",
	[TCA_MQOS_XSTATS_MEMORY_LIMIT] = "memory_limit",
	[TCA_MQOS_XSTATS_SPARSE_COUNT] = "sparse_count",
	[TCA_MQOS_XSTATS_SPARSE_SUM] = "sparse_sum_ns",
	[TCA_MQOS_XSTATS_SPARSE_MAX] = "sparse_max_ns",
};

#define for_each_attr(a, start, len) \
	for (a = (struct nlattr *)(start); \
	     (len) >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= (len); \
	     (len) -= NLA_ALIGN(a->nla_len), \
	     a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len)))

static void print_xstats(struct nlattr *nest)
{
	int len = nest->nla_len - NLA_HDRLEN;
	struct nlattr *a;

	for_each_attr(a, (char *)nest + NLA_HDRLEN, len) {
		int t = a->nla_type & NLA_TYPE_MASK;
		void *d = (char *)a + NLA_HDRLEN;

		if (t == TCA_MQOS_XSTATS_CLASS_ID || t == TCA_MQOS_XSTATS_PRIO)
			printf(" %s %u", t == TCA_MQOS_XSTATS_PRIO ? "prio" : "id",
			       *(uint8_t *)d);
		else if (t == TCA_MQOS_XSTATS_NAME)
			printf(" name %s", (char *)d);
		else if (t == TCA_MQOS_XSTATS_DELAY_HIST ||
			 t == TCA_MQOS_XSTATS_SPARSE_HIST) {
			int hl = a->nla_len - NLA_HDRLEN;
			struct nlattr *h;

			printf(t == TCA_MQOS_XSTATS_DELAY_HIST ? " hist" :
			       " sparse_hist");
			for_each_attr(h, d, hl)
				printf("%c%" PRIu64, h->nla_type == 1 ? ' ' : ',',
				       *(uint64_t *)((char *)h + NLA_HDRLEN));
		} else if (t <= TCA_MQOS_XSTATS_MAX && xstat_names[t]) {
			if (a->nla_len == NLA_HDRLEN + 4)
				printf(" %s %u", xstat_names[t], *(uint32_t *)d);
			else
				printf(" %s %" PRIu64, xstat_names[t],
				       *(uint64_t *)d);
		}
	}
}

/* TCA_STATS_APP inside a message's TCA_STATS2, or NULL. */
static struct nlattr *stats_app(struct nlmsghdr *r, int *is_mqos)
{
	struct tcmsg *t = NLMSG_DATA(r);
	int len = r->nlmsg_len - NLMSG_LENGTH(sizeof(*t)), sl;
	struct nlattr *a, *s;

	for_each_attr(a, (char *)t + NLMSG_ALIGN(sizeof(*t)), len) {
		if (a->nla_type == TCA_KIND)
			*is_mqos = !strcmp((char *)a + NLA_HDRLEN, "mqos");
		if ((a->nla_type & NLA_TYPE_MASK) != TCA_STATS2)
			continue;
		sl = a->nla_len - NLA_HDRLEN;
		for_each_attr(s, (char *)a + NLA_HDRLEN, sl)
			if ((s->nla_type & NLA_TYPE_MASK) == TCA_STATS_APP)
				return s;
	}
	return NULL;
}

/* One dump (RTM_GETQDISC or RTM_GETTCLASS) of DEV, printed as lines. */
static int dump(int fd, int ifindex, int type, uint32_t *major)
{
	struct tcmsg *tcm;
	struct nlmsghdr *r;
	int n, found = 0;

	memset(buf, 0, BUFSZ);
	nlh = (struct nlmsghdr *)buf;
	nlh->nlmsg_len = NLMSG_LENGTH(sizeof(*tcm));
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	tcm = NLMSG_DATA(nlh);
	tcm->tcm_ifindex = ifindex;
	n = talk(fd);
	for (;;) {
		for (r = (struct nlmsghdr *)buf; NLMSG_OK(r, n);
		     r = NLMSG_NEXT(r, n)) {
			struct tcmsg *t = NLMSG_DATA(r);
			struct nlattr *app;
			int mqos = 0;

			if (r->nlmsg_type == NLMSG_DONE)
				return found ? 0 : 1;
			if (t->tcm_ifindex != ifindex)
				continue;
			if (r->nlmsg_type == RTM_NEWQDISC &&
			    t->tcm_parent == TC_H_ROOT) {
				app = stats_app(r, &mqos);
				if (!mqos || !app)
					continue;
				*major = TC_H_MAJ(t->tcm_handle);
				printf("qdisc");
			} else if (r->nlmsg_type == RTM_NEWTCLASS &&
				   TC_H_MAJ(t->tcm_handle) == *major) {
				app = stats_app(r, &mqos);
				if (!app)
					continue;
				printf("class %u", TC_H_MIN(t->tcm_handle));
			} else {
				continue;
			}
			found = 1;
			print_xstats(app);
			printf("\n");
		}
		n = recv(fd, buf, BUFSZ, 0);
		if (n <= 0)
			return 1;
	}
}

static int do_stats(int fd, int ifindex)
{
	uint32_t major = 0;

	if (dump(fd, ifindex, RTM_GETQDISC, &major))
		return 1;
	return dump(fd, ifindex, RTM_GETTCLASS, &major);
}

int main(int argc, char **argv)
{
	int fd, ifindex, one = 1;

	if (argc < 3) {
		fprintf(stderr, "usage: mqos_tc DEV change ... | DEV stats\n");
		return 2;
	}
	ifindex = if_nametoindex(argv[1]);
	if (!ifindex)
		die("no such device '%s'", argv[1]);
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0) {
		perror("socket");
		return 1;
	}
	/* Error messages (extack) from the kernel; harmless if refused. */
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	if (!strcmp(argv[2], "change"))
		return do_change(fd, ifindex, argc - 3, argv + 3, M_CHANGE, 0);
	if (!strcmp(argv[2], "add"))
		return do_change(fd, ifindex, argc - 3, argv + 3, M_ADD, 0);
	if (!strcmp(argv[2], "replace"))
		return do_change(fd, ifindex, argc - 3, argv + 3, M_REPLACE, 0);
	if (!strcmp(argv[2], "class") && argc > 3)
		return do_change(fd, ifindex, argc - 4, argv + 4, M_CLASS,
				 (uint32_t)num(argv[3]));
	if (!strcmp(argv[2], "stats"))
		return do_stats(fd, ifindex);
	die("unknown command '%s'", argv[2]);
	return 2;
}
