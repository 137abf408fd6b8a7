// SPDX-License-Identifier: GPL-2.0
/*
 * genl_fuzz: a hostile client of the "mqos" generic netlink family, with
 * raw netlink sockets (no libnl), for the selftests.
 *
 *   genl_fuzz family
 *        prints the family id; exit 4 if the family is not registered.
 *   genl_fuzz fuzz SEED COUNT [-u|-e] [-v]
 *        sends COUNT random messages (seeded PRNG): random commands
 *        (valid and not), header flags, versions and reserved field, and
 *        attribute trees - a quarter valid or one byte off, half shaped
 *        like the UAPI (real attribute types
 *        with wrong, boundary or random values, nests of the qdisc and rule
 *        attributes), a quarter random types, lengths and nesting, with
 *        length fields that lie. With -u, first drops to uid/gid 65534
 *        with no capabilities and checks that every mutating command is
 *        refused with EPERM. With -e, checks the same without dropping
 *        anything (the caller runs it without CAP_NET_ADMIN over the netns,
 *        e.g. as root of a user namespace that does not own it). Otherwise
 *        checks that no rejected message changed the configuration
 *        generation. Exit 1 on a violation.
 *   genl_fuzz replace DEV COUNT
 *        COUNT atomic configuration replacements (MQOS_CMD_CONFIG_REPLACE:
 *        the rule table applied, the device's class set checked)
 *        alternating between two class sets and rule tables, every tenth
 *        a rule flush, a counter reset every 50, all in one process;
 *        exit 1 if one is refused.
 *   genl_fuzz dump SECONDS
 *        STATS_GET, CLASS_GET and RULE_GET dumps in a loop; prints how many
 *        completed and how many were interrupted (NLM_F_DUMP_INTR).
 *   genl_fuzz failnth N rules|hook
 *        one request with the kernel's Nth allocation of this task failed
 *        (/proc/thread-self/fail-nth: CONFIG_FAULT_INJECTION): "rules" a
 *        rule table replacement (CONFIG_REPLACE, six rules), "hook" the
 *        hook switched on. Prints "injected 0|1 err E lost 0|1" (E the
 *        kernel's answer, lost: no answer, the ack could not be allocated).
 *        N = 0: the same request without a failure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "../include/uapi/linux/mqos.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif

#define MSG_MAX		8192

static int nl_fd = -1;
static uint16_t family_id;
static uint32_t seq = 1;
static uint64_t rs = 0x853c49e6748fea9bULL;

static uint32_t rnd(void)
{
	rs ^= rs >> 12;
	rs ^= rs << 25;
	rs ^= rs >> 27;
	return (uint32_t)((rs * 0x2545f4914f6cdd1dULL) >> 32);
}

static uint32_t rn(uint32_t n)
{
	return n ? rnd() % n : 0;
}

/* ---- message building ---------------------------------------------------- */

static uint8_t msg[MSG_MAX];
static size_t mlen;

static void msg_start(uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *n = (struct nlmsghdr *)msg;
	struct genlmsghdr *g = (struct genlmsghdr *)(msg + NLMSG_HDRLEN);

	memset(msg, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	n->nlmsg_type = family_id;
	n->nlmsg_flags = flags;
	n->nlmsg_seq = ++seq;
	g->cmd = cmd;
	g->version = MQOS_GENL_VERSION;
	mlen = NLMSG_HDRLEN + GENL_HDRLEN;
}

/* Room for an attribute of @len bytes? */
static int room(size_t len)
{
	return mlen + NLA_HDRLEN + NLA_ALIGN(len) <= MSG_MAX;
}

static size_t put(uint16_t type, const void *data, size_t len)
{
	struct nlattr *a = (struct nlattr *)(msg + mlen);
	size_t at = mlen;

	if (!room(len))
		return 0;
	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	if (len && data)
		memcpy(msg + mlen + NLA_HDRLEN, data, len);
	else if (len)
		memset(msg + mlen + NLA_HDRLEN, 0, len);
	memset(msg + mlen + NLA_HDRLEN + len, 0, NLA_ALIGN(len) - len);
	mlen += NLA_HDRLEN + NLA_ALIGN(len);
	return at;
}

static void put_u8(uint16_t t, uint8_t v) { put(t, &v, 1); }
static void put_u16(uint16_t t, uint16_t v) { put(t, &v, 2); }
static void put_u32(uint16_t t, uint32_t v) { put(t, &v, 4); }
static void put_u64(uint16_t t, uint64_t v) { put(t, &v, 8); }
static void put_str(uint16_t t, const char *s) { put(t, s, strlen(s) + 1); }

static size_t nest_start(uint16_t t)
{
	if (!room(0))
		return 0;
	return put(t | NLA_F_NESTED, NULL, 0);
}

static void nest_end(size_t at)
{
	struct nlattr *a = (struct nlattr *)(msg + at);

	if (at)
		a->nla_len = (uint16_t)(mlen - at);
}

/* ---- netlink I/O --------------------------------------------------------- */

static int nl_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = 10 };
	int one = 1, bufsz = 1 << 20;

	nl_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (nl_fd < 0 || bind(nl_fd, (struct sockaddr *)&sa, sizeof(sa)))
		return -1;
	setsockopt(nl_fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl_fd, SOL_SOCKET, SO_RCVBUF, &bufsz, sizeof(bufsz));
	setsockopt(nl_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return 0;
}

struct reply {
	int err;		/* 0 or -errno */
	int msgs;		/* data messages received */
	int intr;		/* a message had NLM_F_DUMP_INTR */
	int timeout;
	int unsent;		/* send() failed: the kernel never saw it */
	/* Data message callback. */
	void (*cb)(const struct nlmsghdr *n, void *arg);
	void *arg;
};

static uint8_t rbuf[1 << 16];
/* failnth: ENOBUFS on the socket is a lost answer, not an overrun dump. */
static int enobufs_lost;

/* Send msg[0..len) and read until its ack, error or NLMSG_DONE. */
static void transact(size_t len, struct reply *r)
{
	struct nlmsghdr *n = (struct nlmsghdr *)msg;
	uint32_t my_seq = n->nlmsg_seq;
	int dump = (n->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
	int want_ack = (n->nlmsg_flags & NLM_F_ACK) || dump;

	r->err = 0;
	r->msgs = 0;
	r->intr = 0;
	r->timeout = 0;
	r->unsent = 0;
	if (send(nl_fd, msg, len, 0) < 0) {
		r->err = -errno;
		r->unsent = 1;
		return;
	}
	for (;;) {
		ssize_t got = recv(nl_fd, rbuf, sizeof(rbuf), 0);
		struct nlmsghdr *h;
		int left;

		if (got < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				/* A doit without ACK that succeeded says nothing. */
				if (!want_ack)
					return;
				r->timeout = 1;
				r->err = -ETIMEDOUT;
				return;
			}
			if (errno == ENOBUFS && !enobufs_lost)
				continue;	/* dump overran the socket */
			r->err = -errno;
			return;
		}
		left = (int)got;
		for (h = (struct nlmsghdr *)rbuf; NLMSG_OK(h, left);
		     h = NLMSG_NEXT(h, left)) {
			if (h->nlmsg_seq != my_seq)
				continue;
			if (h->nlmsg_flags & NLM_F_DUMP_INTR)
				r->intr = 1;
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);

				r->err = e->error;
				return;
			}
			if (h->nlmsg_type == NLMSG_DONE) {
				int *e = NLMSG_DATA(h);

				if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(int)))
					r->err = *e;
				return;
			}
			r->msgs++;
			if (r->cb)
				r->cb(h, r->arg);
		}
	}
}

/* Attribute @type of a message (top level), or NULL. */
static const struct nlattr *find_attr(const struct nlmsghdr *h, size_t hdr,
				      uint16_t type)
{
	const uint8_t *p = (const uint8_t *)NLMSG_DATA(h) + hdr;
	const uint8_t *end = (const uint8_t *)h + h->nlmsg_len;

	while (p + NLA_HDRLEN <= end) {
		const struct nlattr *a = (const struct nlattr *)p;

		if (a->nla_len < NLA_HDRLEN || p + a->nla_len > end)
			break;
		if ((a->nla_type & NLA_TYPE_MASK) == type)
			return a;
		p += NLA_ALIGN(a->nla_len);
	}
	return NULL;
}

static void family_cb(const struct nlmsghdr *h, void *arg)
{
	const struct nlattr *a = find_attr(h, GENL_HDRLEN, CTRL_ATTR_FAMILY_ID);

	if (a && a->nla_len >= NLA_HDRLEN + 2)
		memcpy(arg, (const uint8_t *)a + NLA_HDRLEN, 2);
}

static int resolve_family(void)
{
	struct reply r = { .cb = family_cb, .arg = &family_id };
	uint16_t saved = family_id;

	family_id = GENL_ID_CTRL;
	msg_start(CTRL_CMD_GETFAMILY, NLM_F_REQUEST | NLM_F_ACK);
	((struct genlmsghdr *)(msg + NLMSG_HDRLEN))->version = 1;
	put_str(CTRL_ATTR_FAMILY_NAME, MQOS_GENL_NAME);
	((struct nlmsghdr *)msg)->nlmsg_len = (uint32_t)mlen;
	family_id = saved;
	r.arg = &family_id;
	transact(mlen, &r);
	return family_id ? 0 : -1;
}

/* The netns's configuration generation (first STATS_GET dump message). */
static void gen_cb(const struct nlmsghdr *h, void *arg)
{
	const struct nlattr *a = find_attr(h, GENL_HDRLEN, MQOS_A_GENERATION);
	int64_t *g = arg;

	if (a && *g < 0 && a->nla_len >= NLA_HDRLEN + 4) {
		uint32_t v;

		memcpy(&v, (const uint8_t *)a + NLA_HDRLEN, 4);
		*g = v;
	}
}

static int64_t generation(void)
{
	int64_t g = -1;
	struct reply r = { .cb = gen_cb, .arg = &g };
	int tries;

	for (tries = 0; tries < 5; tries++) {
		g = -1;
		msg_start(MQOS_CMD_STATS_GET, NLM_F_REQUEST | NLM_F_DUMP);
		((struct nlmsghdr *)msg)->nlmsg_len = (uint32_t)mlen;
		transact(mlen, &r);
		if (!r.err && !r.intr)
			break;
	}
	return g;
}

/* ---- random attribute trees -------------------------------------------- */

static const uint64_t interesting[] = {
	0, 1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 63, 64, 100, 101, 127, 128, 255,
	256, 1000, 1500, 4096, 4097, 65535, 65536, 0x7fffffff, 0x80000000,
	0xffffffff, 0x100000000ULL, 0xffffffffffffffffULL,
};

static uint64_t rval(void)
{
	if (rn(3))
		return interesting[rn(sizeof(interesting) / sizeof(interesting[0]))];
	return ((uint64_t)rnd() << 32) | rnd();
}

/* An integer attribute, usually of the right width, sometimes not. */
static void put_int(uint16_t t, size_t width)
{
	uint64_t v = rval();

	if (!rn(8))
		width = (size_t[]){ 0, 1, 2, 3, 4, 8, 12 }[rn(7)];
	put(t, &v, width <= 8 ? width : 8);
}

static void put_rand_bytes(uint16_t t, size_t max)
{
	uint8_t b[256];
	size_t len = rn((uint32_t)max + 1), i;

	for (i = 0; i < len; i++)
		b[i] = (uint8_t)rnd();
	put(t, b, len);
}

static void put_name(uint16_t t)
{
	static const char *const names[] = {
		"g1", "g0", "lo", "", "nonexistent0", "123456789012345",
		"1234567890123456", "realtime", "a\nb", "%s%n",
	};
	uint8_t b[40];

	switch (rn(4)) {
	case 0:
		/* Not NUL-terminated. */
		memset(b, 'A', sizeof(b));
		put(t, b, 1 + rn(sizeof(b)));
		break;
	case 1:
		put_rand_bytes(t, 24);
		break;
	default:
		put_str(t, names[rn(sizeof(names) / sizeof(names[0]))]);
	}
}

/* Random type: a real one most of the time, else anything. */
static uint16_t rtype(uint16_t max)
{
	uint16_t t = rn(5) ? (uint16_t)rn(max + 1u) : (uint16_t)rn(64);

	if (!rn(16))
		t = (uint16_t)rnd();
	if (!rn(12))
		t |= NLA_F_NET_BYTEORDER;
	return t & ~NLA_F_NESTED;
}

static void rand_tree(int depth);

static void class_attrs(int depth)
{
	int i, n = (int)rn(8);

	for (i = 0; i < n && room(64); i++) {
		uint16_t t = rtype(TCA_MQOS_CLASS_MAX + 1);

		switch (t) {
		case TCA_MQOS_CLASS_NAME:
			put_name(t);
			break;
		case TCA_MQOS_CLASS_RATE: case TCA_MQOS_CLASS_CEIL:
		case TCA_MQOS_CLASS_POLICE_RATE:
			put_int(t, 8);
			break;
		case TCA_MQOS_CLASS_QUANTUM: case TCA_MQOS_CLASS_LIMIT:
		case TCA_MQOS_CLASS_LIMIT_BYTES: case TCA_MQOS_CLASS_POLICE_BURST:
		case TCA_MQOS_CLASS_AQM_TARGET: case TCA_MQOS_CLASS_AQM_INTERVAL:
			put_int(t, 4);
			break;
		case TCA_MQOS_CLASS_DELETE:
			put(t, NULL, rn(4) ? 0 : rn(5));
			break;
		default:
			if (!rn(10) && depth < 4) {
				size_t at = nest_start(t);

				rand_tree(depth + 1);
				nest_end(at);
			} else {
				put_int(t, 1);
			}
		}
	}
}

static void qdisc_attrs(int depth)
{
	int i, n = (int)rn(5);

	for (i = 0; i < n && room(64); i++) {
		uint16_t t = rtype(TCA_MQOS_MAX + 1);
		size_t at, at2;
		int k;

		switch (t) {
		case TCA_MQOS_RATE:
			put_int(t, 8);
			break;
		case TCA_MQOS_OVERHEAD:
			put_int(t, 4);
			break;
		case TCA_MQOS_DEFAULT_CLASS:
			put_int(t, 1);
			break;
		case TCA_MQOS_RESET_STATS:
			put(t, NULL, rn(3) ? 0 : 4);
			break;
		case TCA_MQOS_CLASSES:
			at = nest_start(t);
			for (k = 0; k < (int)rn(6) && room(128); k++) {
				at2 = nest_start(rn(6) ? TCA_MQOS_CLASSES_CLASS : rtype(4));
				if (rn(4))
					put_u8(TCA_MQOS_CLASS_ID, (uint8_t)rn(20));
				class_attrs(depth + 1);
				nest_end(at2);
			}
			nest_end(at);
			break;
		default:
			put_rand_bytes(t, 16);
		}
	}
}

static void rule_attrs(void)
{
	int i, n = (int)rn(7);

	for (i = 0; i < n && room(96); i++) {
		uint16_t t = rtype(MQOS_RULE_A_MAX + 1);

		switch (t) {
		case MQOS_RULE_A_PREF: case MQOS_RULE_A_IIF: case MQOS_RULE_A_OIF:
			put_int(t, 4);
			break;
		case MQOS_RULE_A_DSCP: case MQOS_RULE_A_HITS_PACKETS:
		case MQOS_RULE_A_HITS_BYTES:
			put_int(t, 8);
			break;
		case MQOS_RULE_A_SPORT_MIN: case MQOS_RULE_A_SPORT_MAX:
		case MQOS_RULE_A_DPORT_MIN: case MQOS_RULE_A_DPORT_MAX:
			put_int(t, 2);
			break;
		case MQOS_RULE_A_TOPIC:
			put_rand_bytes(t, rn(4) ? 70 : 200);
			break;
		case MQOS_RULE_A_SRC: case MQOS_RULE_A_DST:
			put_rand_bytes(t, 20);
			break;
		default:
			put_int(t, 1);
		}
	}
	if (rn(4))
		put_u8(MQOS_RULE_A_CLASS, (uint8_t)rn(20));
}

/* Top-level attributes of the mqos family. */
static void mqos_attrs(void)
{
	int i, n = (int)rn(6);

	for (i = 0; i < n && room(128); i++) {
		uint16_t t = rtype(MQOS_A_MAX + 1);
		size_t at, at2;
		int k;

		switch (t) {
		case MQOS_A_IFINDEX:
			put_u32(t, rn(3) ? rn(8) : (uint32_t)rval());
			break;
		case MQOS_A_IFNAME:
			put_name(t);
			break;
		case MQOS_A_QDISC:
			at = nest_start(t);
			qdisc_attrs(1);
			nest_end(at);
			break;
		case MQOS_A_CLASS:
			at = nest_start(t);
			if (rn(4))
				put_u8(TCA_MQOS_CLASS_ID, (uint8_t)rn(20));
			class_attrs(1);
			nest_end(at);
			break;
		case MQOS_A_CLASS_ID:
			put_int(t, 1);
			break;
		case MQOS_A_RULE:
			at = nest_start(t);
			rule_attrs();
			nest_end(at);
			break;
		case MQOS_A_RULES:
			at = nest_start(t);
			for (k = 0; k < (int)rn(8) && room(160); k++) {
				at2 = nest_start(rn(8) ? MQOS_A_RULE : rtype(12));
				rule_attrs();
				nest_end(at2);
			}
			nest_end(at);
			break;
		case MQOS_A_DEVICE:
			at = nest_start(t);
			if (rn(3))
				put_name(MQOS_A_IFNAME);
			if (rn(3)) {
				at2 = nest_start(MQOS_A_QDISC);
				qdisc_attrs(1);
				nest_end(at2);
			}
			nest_end(at);
			break;
		case MQOS_A_PREF:
			put_int(t, 4);
			break;
		default:
			if (!rn(4)) {
				at = nest_start(t);
				rand_tree(1);
				nest_end(at);
			} else {
				put_rand_bytes(t, 24);
			}
		}
	}
}

/* Shapeless: random types, lengths and nesting. */
static void rand_tree(int depth)
{
	int i, n = (int)rn(5);

	for (i = 0; i < n && room(64); i++) {
		uint16_t t = (uint16_t)rn(40);

		if (depth < 5 && !rn(3)) {
			size_t at = nest_start(t);

			rand_tree(depth + 1);
			nest_end(at);
		} else {
			put_rand_bytes(t, 40);
		}
	}
}

/*
 * A message that is valid or nearly so (one byte changed half the time),
 * so that the fuzzing also reaches the code behind the policies: rule
 * tables, replacements and their checks, deletions (device and class
 * changes are refused past the policy: they go through rtnetlink).
 */
static void near_valid(uint8_t cmd)
{
	size_t at, at2, at3;
	int k;

	switch (cmd) {
	case MQOS_CMD_DEV_GET: case MQOS_CMD_STATS_RESET:
		put_str(MQOS_A_IFNAME, "g1");
		break;
	case MQOS_CMD_DEV_SET:
		put_str(MQOS_A_IFNAME, "g1");
		at = nest_start(MQOS_A_QDISC);
		put_u64(TCA_MQOS_RATE, rn(2) ? 0 : 125000ULL * (1 + rn(1000)));
		put_u32(TCA_MQOS_OVERHEAD, rn(300));
		put_u8(TCA_MQOS_DEFAULT_CLASS, (uint8_t)(1 + rn(6)));
		nest_end(at);
		break;
	case MQOS_CMD_CLASS_GET: case MQOS_CMD_CLASS_DEL:
		put_str(MQOS_A_IFNAME, "g1");
		put_u8(MQOS_A_CLASS_ID, (uint8_t)(1 + rn(MQOS_MAX_CLASSES)));
		break;
	case MQOS_CMD_CLASS_SET:
		put_str(MQOS_A_IFNAME, "g1");
		at = nest_start(MQOS_A_CLASS);
		put_u8(TCA_MQOS_CLASS_ID, (uint8_t)(1 + rn(MQOS_MAX_CLASSES)));
		put_u8(TCA_MQOS_CLASS_PRIO, (uint8_t)rn(MQOS_NUM_PRIOS));
		put_u32(TCA_MQOS_CLASS_LIMIT, 1 + rn(2000));
		put_u64(TCA_MQOS_CLASS_POLICE_RATE, rn(2) ? 0 : 1000 * rn(100000));
		put_u32(TCA_MQOS_CLASS_POLICE_BURST, 1500 + rn(60000));
		put_u8(TCA_MQOS_CLASS_POLICE_DEMOTE, (uint8_t)rn(8));
		put_u8(TCA_MQOS_CLASS_RATE_PCT, (uint8_t)rn(101));
		nest_end(at);
		break;
	case MQOS_CMD_RULE_ADD:
		at = nest_start(MQOS_A_RULE);
		put_u32(MQOS_RULE_A_PREF, rn(200));
		put_u8(MQOS_RULE_A_CLASS, (uint8_t)(1 + rn(8)));
		if (rn(2))
			put_u64(MQOS_RULE_A_DSCP, ((uint64_t)rnd() << 32) | rnd());
		if (rn(2))
			put_u8(MQOS_RULE_A_MQTT_QOS, (uint8_t)rn(8));
		if (rn(2))
			put(MQOS_RULE_A_TOPIC, "sensors/", rn(9));
		nest_end(at);
		break;
	case MQOS_CMD_RULE_DEL:
		put_u32(MQOS_A_PREF, rn(200));
		break;
	case MQOS_CMD_HOOK_SET:
		at = nest_start(MQOS_A_HOOK);
		put_u8(MQOS_HOOK_A_ENABLED, (uint8_t)rn(2));
		put_u8(MQOS_HOOK_A_MODE, (uint8_t)rn(3));
		put_u32(MQOS_HOOK_A_MASK, rn(2) ? MQOS_HOOK_DEFAULT_MASK : rnd());
		at2 = nest_start(MQOS_HOOK_A_CLASS);
		put_u8(MQOS_HOOK_CLASS_A_ID, (uint8_t)(1 + rn(MQOS_MAX_CLASSES + 1)));
		put_u8(MQOS_HOOK_CLASS_A_REMARK, (uint8_t)(rn(2) ? rn(70) : 0xff));
		put_u64(MQOS_HOOK_CLASS_A_POLICE_RATE, rn(2) ? 0 : 1000 * rn(100000));
		put_u32(MQOS_HOOK_CLASS_A_POLICE_BURST, rn(60000));
		nest_end(at2);
		nest_end(at);
		break;
	case MQOS_CMD_PORTS_SET:
		at = nest_start(MQOS_A_PORTS);
		for (k = 0; k < 2; k++) {
			int i, n = (int)rn(6);

			if (!rn(3))
				continue;
			at2 = nest_start(k ? MQOS_PORTS_A_MQTTSN : MQOS_PORTS_A_MQTT);
			for (i = 0; i < n; i++)
				put_u16(MQOS_PORTS_A_PORT, (uint16_t)(rn(4) ? 1880 + rn(8) : rnd()));
			nest_end(at2);
		}
		nest_end(at);
		break;
	case MQOS_CMD_CONFIG_REPLACE:
		if (rn(2)) {
			at = nest_start(MQOS_A_DEVICE);
			put_str(MQOS_A_IFNAME, "g1");
			at2 = nest_start(MQOS_A_QDISC);
			at3 = nest_start(TCA_MQOS_CLASSES);
			for (k = 1; k <= (int)(4 + rn(6)); k++) {
				size_t c = nest_start(TCA_MQOS_CLASSES_CLASS);

				put_u8(TCA_MQOS_CLASS_ID, (uint8_t)k);
				put_u8(TCA_MQOS_CLASS_PRIO, (uint8_t)rn(MQOS_NUM_PRIOS));
				nest_end(c);
			}
			nest_end(at3);
			nest_end(at2);
			nest_end(at);
		}
		at = nest_start(MQOS_A_RULES);
		for (k = 0; k < (int)rn(6); k++) {
			at2 = nest_start(MQOS_A_RULE);
			put_u32(MQOS_RULE_A_PREF, 10 * (uint32_t)(k + 1));
			put_u8(MQOS_RULE_A_CLASS, (uint8_t)(1 + rn(8)));
			put_u8(MQOS_RULE_A_PROTO, rn(2) ? 6 : 17);
			nest_end(at2);
		}
		nest_end(at);
		break;
	default:
		break;
	}
	if (rn(2) && mlen > NLMSG_HDRLEN + GENL_HDRLEN)
		msg[NLMSG_HDRLEN + GENL_HDRLEN +
		    rn((uint32_t)(mlen - NLMSG_HDRLEN - GENL_HDRLEN))] = (uint8_t)rnd();
}

/* Make one length field lie: an attribute's, or the message's. */
static size_t corrupt(size_t len)
{
	size_t hdr = NLMSG_HDRLEN + GENL_HDRLEN;
	struct nlmsghdr *n = (struct nlmsghdr *)msg;

	switch (rn(4)) {
	case 0:
		/* An attribute length pointing beyond the message, or below 4. */
		if (len > hdr + NLA_HDRLEN) {
			size_t off = hdr + 4 * rn((uint32_t)(len - hdr) / 4);
			struct nlattr *a = (struct nlattr *)(msg + off);

			if (off + NLA_HDRLEN <= len)
				a->nla_len = (uint16_t)(rn(2) ? rn(4) : a->nla_len + 4 + rn(400));
		}
		return len;
	case 1:
		/* Message shorter than its attributes. */
		if (len > hdr)
			len -= 1 + rn((uint32_t)(len - hdr));
		n->nlmsg_len = (uint32_t)len;
		return len;
	case 2:
		/* Trailing garbage that is not a whole attribute. */
		if (len + 3 <= MSG_MAX) {
			msg[len] = 0xff; msg[len + 1] = 0xff; msg[len + 2] = 0x01;
			len += 3;
		}
		n->nlmsg_len = (uint32_t)len;
		return len;
	default:
		/* Shorter than the genl header. */
		len = NLMSG_HDRLEN + rn(GENL_HDRLEN);
		n->nlmsg_len = (uint32_t)len;
		return len;
	}
}

static int is_mutating(uint8_t cmd)
{
	switch (cmd) {
	case MQOS_CMD_DEV_SET: case MQOS_CMD_CLASS_SET: case MQOS_CMD_CLASS_DEL:
	case MQOS_CMD_RULE_ADD: case MQOS_CMD_RULE_DEL: case MQOS_CMD_RULE_FLUSH:
	case MQOS_CMD_CONFIG_REPLACE: case MQOS_CMD_STATS_RESET:
	case MQOS_CMD_HOOK_SET: case MQOS_CMD_PORTS_SET:
		return 1;
	}
	return 0;
}

/* ---- modes --------------------------------------------------------------- */

static int drop_privileges(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
		return -1;
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	if (syscall(SYS_capget, &h, d))
		return -1;
	if (d[0].effective || d[1].effective || geteuid() == 0)
		return -1;
	return 0;
}

#define NERR 140

static int do_fuzz(uint64_t seed, unsigned long count, int unpriv, int verbose)
{
	unsigned long i, ok = 0, errs = 0, mut = 0, mut_eperm = 0, bad = 0;
	unsigned long changed = 0, timeouts = 0;
	unsigned long errno_count[NERR] = { 0 };
	int64_t gen = -1, g2;
	int e;

	rs ^= seed * 0x9e3779b97f4a7c15ULL;
	if (!rs)
		rs = 1;
	if (!unpriv)
		gen = generation();
	printf("# fuzz: seed %llu, %lu messages, %s, family id %u, generation %lld\n",
	       (unsigned long long)seed, count, unpriv ? "without CAP_NET_ADMIN over the netns" : "root",
	       family_id, (long long)gen);

	for (i = 0; i < count; i++) {
		struct reply r = { 0 };
		uint8_t cmd;
		/* Always an ACK: a reply ends every exchange. */
		uint16_t flags = NLM_F_REQUEST | NLM_F_ACK;
		struct genlmsghdr *g;
		size_t len;
		int checked;

		cmd = rn(8) ? (uint8_t)(1 + rn(MQOS_CMD_MAX)) : (uint8_t)rnd();
		if (!rn(6))
			flags |= NLM_F_DUMP;
		if (!rn(20))
			flags |= (uint16_t)(rnd() & 0x0ff0);
		msg_start(cmd, flags);
		g = (struct genlmsghdr *)(msg + NLMSG_HDRLEN);
		if (!rn(10))
			g->version = (uint8_t)rnd();
		if (!rn(10))
			g->reserved = (uint16_t)rnd();
		switch (rn(4)) {
		case 0:
			near_valid(cmd);
			break;
		case 1:
			rand_tree(0);
			break;
		default:
			mqos_attrs();
		}
		len = mlen;
		((struct nlmsghdr *)msg)->nlmsg_len = (uint32_t)len;
		if (!rn(10))
			len = corrupt(len);
		/* Mutating and long enough for the permission check. */
		checked = unpriv && is_mutating(cmd) &&
			  ((struct nlmsghdr *)msg)->nlmsg_len >= NLMSG_HDRLEN + GENL_HDRLEN &&
			  ((struct nlmsghdr *)msg)->nlmsg_len <= len;

		transact(len, &r);
		e = -r.err;
		if (r.timeout)
			timeouts++;
		if (r.err)
			errs++;
		else
			ok++;
		if (e >= 0 && e < NERR)
			errno_count[e]++;
		if (checked) {
			mut++;
			/* With DUMP set, 6.12 says "no such dump op" first. */
			if (e == EPERM ||
			    ((flags & NLM_F_DUMP) == NLM_F_DUMP && e == EOPNOTSUPP)) {
				mut_eperm++;
			} else {
				bad++;
				printf("# VIOLATION: message %lu cmd %u flags 0x%x from an unprivileged user: error %d\n",
				       i, cmd, flags, r.err);
			}
		}
		if (verbose)
			printf("# %lu cmd %u flags 0x%x len %zu -> %d\n", i, cmd,
			       flags, len, r.err);
		if (!unpriv && r.err) {
			g2 = generation();
			if (g2 != gen) {
				changed++;
				printf("# VIOLATION: message %lu cmd %u rejected (%d) but generation %lld -> %lld\n",
				       i, cmd, r.err, (long long)gen, (long long)g2);
			}
			gen = g2;
		} else if (!unpriv && (is_mutating(cmd) || !rn(8))) {
			gen = generation();
		}
	}
	printf("# fuzz: %lu sent, %lu accepted, %lu rejected, %lu timeouts\n",
	       count, ok, errs, timeouts);
	printf("# errors:");
	for (e = 1; e < NERR; e++)
		if (errno_count[e])
			printf(" %s %lu", strerrorname_np(e) ? strerrorname_np(e) : "?",
			       errno_count[e]);
	printf("\n");
	if (unpriv)
		printf("# unprivileged mutating messages: %lu, refused with EPERM: %lu, violations: %lu\n",
		       mut, mut_eperm, bad);
	else
		printf("# rejected messages that changed the generation: %lu\n", changed);
	return bad || changed || timeouts ? 1 : 0;
}

/*
 * One CONFIG_REPLACE, variant @v: with @devs the device's class set, which
 * the kernel only checks (MQOS_A_CHECK: a qdisc itself changes through
 * rtnetlink, as mqosctl load does it; rate_change.c changes one under
 * traffic); else the rule table, applied.
 */
static void build_replace(const char *dev, unsigned long v, int devs)
{
	static const char *const names[] = {
		"", "control", "realtime", "assured", "best-effort", "bulk", "extra6", "extra7",
	};
	size_t dv, qd, cls, c, rules, r;
	int id, nclasses = v & 1 ? 7 : 5, nrules = v % 10 == 9 ? 0 : (v & 1 ? 6 : 4);

	msg_start(MQOS_CMD_CONFIG_REPLACE, NLM_F_REQUEST | NLM_F_ACK);
	if (devs) {
		put(MQOS_A_CHECK, NULL, 0);
		dv = nest_start(MQOS_A_DEVICE);
		put_str(MQOS_A_IFNAME, dev);
		qd = nest_start(MQOS_A_QDISC);
		put_u8(TCA_MQOS_DEFAULT_CLASS, 4);
		cls = nest_start(TCA_MQOS_CLASSES);
		for (id = 1; id <= nclasses; id++) {
			c = nest_start(TCA_MQOS_CLASSES_CLASS);
			put_u8(TCA_MQOS_CLASS_ID, (uint8_t)id);
			put_str(TCA_MQOS_CLASS_NAME, names[id]);
			put_u8(TCA_MQOS_CLASS_PRIO, (uint8_t)(id - 1));
			if (v & 2)
				put_u32(TCA_MQOS_CLASS_LIMIT, 100 + 50 * (uint32_t)id);
			nest_end(c);
		}
		nest_end(cls);
		nest_end(qd);
		nest_end(dv);
		((struct nlmsghdr *)msg)->nlmsg_len = (uint32_t)mlen;
		return;
	}
	rules = nest_start(MQOS_A_RULES);
	for (id = 0; id < nrules; id++) {
		r = nest_start(MQOS_A_RULE);
		put_u32(MQOS_RULE_A_PREF, 10 * (uint32_t)(id + 1));
		switch (id) {
		case 0:
			put_u64(MQOS_RULE_A_DSCP, 1ULL << 46);
			put_u8(MQOS_RULE_A_CLASS, 2);
			break;
		case 1:
			put_u8(MQOS_RULE_A_MQTT_QOS, 1 << 2);
			put_u8(MQOS_RULE_A_CLASS, 2);
			break;
		case 2:
			put_u8(MQOS_RULE_A_MQTT_QOS, 1 << 1);
			put_u8(MQOS_RULE_A_CLASS, 3);
			break;
		case 3:
			put_u8(MQOS_RULE_A_MQTT_QOS, 1 << 0);
			put_u8(MQOS_RULE_A_CLASS, 4);
			break;
		case 4:
			put_u8(MQOS_RULE_A_PROTO, 6);
			put_u16(MQOS_RULE_A_DPORT_MIN, 5201);
			put_u8(MQOS_RULE_A_CLASS, 5);
			break;
		default:
			put_u8(MQOS_RULE_A_PROTO, 17);
			put_u8(MQOS_RULE_A_CLASS, 6);
		}
		nest_end(r);
	}
	nest_end(rules);
	((struct nlmsghdr *)msg)->nlmsg_len = (uint32_t)mlen;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int do_replace(const char *dev, unsigned long count)
{
	unsigned long i, fails = 0, resets = 0;
	double t0 = now_s();

	for (i = 0; i < count; i++) {
		struct reply r = { 0 };

		if (i % 10 != 9) {
			build_replace(dev, i, 1);
			transact(mlen, &r);
			if (r.err && ++fails <= 5)
				printf("# check %lu refused: %d\n", i, r.err);
			r.err = 0;
		}
		build_replace(dev, i, 0);
		transact(mlen, &r);
		if (r.err) {
			fails++;
			if (fails <= 5)
				printf("# replacement %lu refused: %d\n", i, r.err);
		}
		if (i % 50 == 49) {
			msg_start(MQOS_CMD_STATS_RESET, NLM_F_REQUEST | NLM_F_ACK);
			((struct nlmsghdr *)msg)->nlmsg_len = (uint32_t)mlen;
			transact(mlen, &r);
			if (r.err)
				fails++;
			resets++;
		}
	}
	printf("# replace: %lu replacements and %lu counter resets in %.1f s, %lu refused\n",
	       count, resets, now_s() - t0, fails);
	return fails ? 1 : 0;
}

static int do_dump(double secs)
{
	static const uint8_t cmds[] = { MQOS_CMD_STATS_GET, MQOS_CMD_CLASS_GET,
					MQOS_CMD_RULE_GET, MQOS_CMD_DEV_GET };
	unsigned long n = 0, intr = 0, errs = 0;
	double end = now_s() + secs;

	while (now_s() < end) {
		struct reply r = { 0 };

		msg_start(cmds[n % 4], NLM_F_REQUEST | NLM_F_DUMP);
		((struct nlmsghdr *)msg)->nlmsg_len = (uint32_t)mlen;
		transact(mlen, &r);
		n++;
		intr += r.intr || r.err == -EINTR;
		if (r.err && r.err != -EINTR) {
			errs++;
			if (errs <= 5)
				printf("# dump cmd %u: error %d\n", cmds[(n - 1) % 4], r.err);
		}
	}
	printf("# dump: %lu dumps, %lu interrupted, %lu errors\n", n, intr, errs);
	return errs ? 1 : 0;
}

static int do_failnth(const char *nth, const char *what)
{
	struct reply r = { 0 };
	char v[32] = "";
	size_t at;
	int f;

	if (!strcmp(what, "rules")) {
		build_replace(NULL, 1, 0);
	} else if (!strcmp(what, "hook")) {
		msg_start(MQOS_CMD_HOOK_SET, NLM_F_REQUEST | NLM_F_ACK);
		at = nest_start(MQOS_A_HOOK);
		put_u8(MQOS_HOOK_A_ENABLED, 1);
		nest_end(at);
		((struct nlmsghdr *)msg)->nlmsg_len = (uint32_t)mlen;
	} else {
		fprintf(stderr, "genl_fuzz: failnth: unknown request '%s'\n", what);
		return 2;
	}
	enobufs_lost = 1;
	if (!strtoul(nth, NULL, 0)) {
		transact(mlen, &r);
		strcpy(v, "1");		/* nothing armed, nothing injected */
		goto out;
	}
	f = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	if (f < 0) {
		perror("genl_fuzz: /proc/thread-self/fail-nth");
		return 2;
	}
	/* Nothing between arming and the request's send: each allocation
	 * counted is the kernel's work on it (or on the answer). */
	if (write(f, nth, strlen(nth)) < 0) {
		perror("genl_fuzz: fail-nth");
		return 2;
	}
	transact(mlen, &r);
	if (pread(f, v, sizeof(v) - 1, 0) < 0 || pwrite(f, "0", 1, 0) < 0) {
		perror("genl_fuzz: fail-nth");
		return 2;
	}
	close(f);
out:
	printf("injected %d err %d lost %d\n", !atoi(v), r.timeout ? 0 : r.err,
	       !r.unsent && (r.err == -ENOBUFS || r.timeout));
	return 0;
}

int main(int argc, char **argv)
{
	int unpriv = 0, drop = 0, verbose = 0, i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		goto usage;
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "-u"))
			unpriv = drop = 1;
		else if (!strcmp(argv[i], "-e"))
			unpriv = 1;
		else if (!strcmp(argv[i], "-v"))
			verbose = 1;
	}
	if (drop && drop_privileges()) {
		perror("genl_fuzz: dropping privileges");
		return 1;
	}
	if (nl_open()) {
		perror("genl_fuzz: netlink socket");
		return 1;
	}
	if (resolve_family()) {
		printf("genl_fuzz: generic netlink family \"%s\" is not registered\n",
		       MQOS_GENL_NAME);
		return 4;
	}
	if (!strcmp(argv[1], "family")) {
		printf("%u\n", family_id);
		return 0;
	}
	if (!strcmp(argv[1], "fuzz") && argc >= 4)
		return do_fuzz(strtoull(argv[2], NULL, 0), strtoul(argv[3], NULL, 0),
			       unpriv, verbose);
	if (!strcmp(argv[1], "replace") && argc >= 4)
		return do_replace(argv[2], strtoul(argv[3], NULL, 0));
	if (!strcmp(argv[1], "dump") && argc >= 3)
		return do_dump(atof(argv[2]));
	if (!strcmp(argv[1], "failnth") && argc >= 4)
		return do_failnth(argv[2], argv[3]);
usage:
	fprintf(stderr,
		"usage: genl_fuzz family\n"
		"       genl_fuzz fuzz SEED COUNT [-u|-e] [-v]\n"
		"       genl_fuzz replace DEV COUNT\n"
		"       genl_fuzz dump SECONDS\n"
		"       genl_fuzz failnth N rules|hook\n");
	return 2;
}
