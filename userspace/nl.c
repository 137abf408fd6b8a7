// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink side of mqosctl (libnl-genl-3): one socket, requests
 * that wait for their ACK or the end of their dump, and the kernel's
 * extended ACK (message and offset) printed for the user. The offset is
 * mapped back to the element of the request that was wrong, so that
 * `load` can name the line.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <netlink/netlink.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/family.h>

#include "mqosctl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

static struct nl_sock *sk;
static int family;

/* The version an mqos module reports in /sys/module/mqos/version, or "". */
static void module_version(char *buf, size_t n)
{
	FILE *f = fopen("/sys/module/mqos/version", "r");

	buf[0] = 0;
	if (f) {
		if (fgets(buf, (int)n, f))
			buf[strcspn(buf, "\n")] = 0;
		fclose(f);
	}
}

/* No "mqos" family: not loaded at all, or an mqos.ko from before it. */
static void ctl_module_missing(void)
{
	char v[64];

	if (access("/sys/module/mqos", F_OK)) {
		ctl_err("the mqos module is not loaded (modprobe mqos, or insmod ./mqos.ko)");
		return;
	}
	module_version(v, sizeof(v));
	ctl_err("the loaded mqos module (version %s) is too old for mqosctl %s: it has no \"%s\" netlink family; rmmod mqos and load the new one",
		v[0] ? v : "unknown", MQOS_VERSION_STR, MQOS_GENL_NAME);
}

/*
 * The family's version and attribute space against ours: an older module
 * knows fewer attributes (its strict policies would refuse ours with a
 * message about the attribute, not about the module).
 */
static int ctl_module_check(struct nl_sock *s)
{
	struct nl_cache *cache = NULL;
	struct genl_family *fam;
	int ver, maxattr, bad = 0;
	char v[64];

	if (genl_ctrl_alloc_cache(s, &cache) < 0)
		return 0;	/* cannot tell: let the requests speak */
	fam = genl_ctrl_search_by_name(cache, MQOS_GENL_NAME);
	if (fam) {
		ver = genl_family_get_version(fam);
		maxattr = genl_family_get_maxattr(fam);
		if (ver != MQOS_GENL_VERSION || maxattr < MQOS_A_MAX) {
			module_version(v, sizeof(v));
			ctl_err("the loaded mqos module (version %s, netlink v%d, %d attributes) does not match mqosctl %s (netlink v%d, %d attributes): load the mqos module that came with this mqosctl",
				v[0] ? v : "unknown", ver, maxattr,
				MQOS_VERSION_STR, MQOS_GENL_VERSION, MQOS_A_MAX);
			bad = -1;
		}
		genl_family_put(fam);
	}
	nl_cache_free(cache);
	return bad;
}

int ctl_nl_open(void)
{
	int one = 1, err;

	sk = nl_socket_alloc();
	if (!sk) {
		ctl_err("out of memory");
		return -ENOMEM;
	}
	err = genl_connect(sk);
	if (err < 0) {
		ctl_err("generic netlink: %s", nl_geterror(err));
		goto err_free;
	}
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK, &one,
		   sizeof(one));
	nl_socket_set_buffer_size(sk, 1 << 20, 1 << 20);
	family = genl_ctrl_resolve(sk, MQOS_GENL_NAME);
	if (family < 0) {
		ctl_module_missing();
		err = -ENOENT;
		goto err_free;
	}
	if (ctl_module_check(sk)) {
		err = -EPROTO;
		goto err_free;
	}
	return 0;

err_free:
	nl_socket_free(sk);
	sk = NULL;
	return err < 0 ? err : -EIO;
}

void ctl_nl_close(void)
{
	ctl_rtnl_close();
	if (sk)
		nl_socket_free(sk);
	sk = NULL;
}

struct nl_msg *ctl_msg(uint8_t cmd, int flags)
{
	struct nl_msg *msg;

	if (!sk && ctl_nl_open())
		return NULL;
	msg = nlmsg_alloc();

	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0,
				flags, cmd, MQOS_GENL_VERSION)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

struct req {
	int (*cb)(struct nlattr **tb, void *arg);
	void *arg;
	int err;
	bool done;
	const struct ctl_span *spans;
	int nspans;
};

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[MQOS_A_MAX + 1];
	struct req *r = arg;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, MQOS_A_MAX, NULL) < 0)
		return NL_SKIP;
	if (r->cb && !r->err)
		r->err = r->cb(tb, r->arg);
	return NL_OK;
}

static int on_finish(struct nl_msg *msg, void *arg)
{
	struct req *r = arg;

	r->done = true;
	return NL_STOP;
}

/* Print the error with the kernel's extack message and offset, mapped. */
static void report(const struct req *r, const struct nlmsgerr *e,
		   const struct nlmsghdr *nlh)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1] = { NULL };
	const char *msg = NULL, *what = NULL;
	size_t hlen = sizeof(*e);
	int line = 0, i;

	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		hlen += e->msg.nlmsg_len - NLMSG_HDRLEN;
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) &&
	    nlh->nlmsg_len > NLMSG_HDRLEN + hlen)
		nla_parse(tb, NLMSGERR_ATTR_MAX,
			  (struct nlattr *)((char *)e + NLMSG_ALIGN(hlen)),
			  nlh->nlmsg_len - NLMSG_HDRLEN - NLMSG_ALIGN(hlen),
			  NULL);
	if (tb[NLMSGERR_ATTR_MSG])
		msg = nla_get_string(tb[NLMSGERR_ATTR_MSG]);
	if (tb[NLMSGERR_ATTR_OFFS]) {
		uint32_t off = nla_get_u32(tb[NLMSGERR_ATTR_OFFS]);

		/* The innermost (last listed) element that holds it. */
		for (i = 0; i < r->nspans; i++) {
			if (off >= r->spans[i].start && off < r->spans[i].end) {
				line = r->spans[i].line;
				what = r->spans[i].what;
			}
		}
	}
	/*
	 * A load's error names the line that holds the attribute, or else the
	 * file alone; any other request keeps the caller's place (a -b line).
	 */
	if (line)
		ctl_line = line;
	else if (r->nspans)
		ctl_line = 0;
	if (e->error == -EPERM && !msg)
		ctl_err("%s: changing mqos needs CAP_NET_ADMIN (run as root)",
			strerror(EPERM));
	else if (what && msg && strncmp(msg, what, strlen(what)))
		ctl_err("%s: %s (%s)", what, msg, strerror(-e->error));
	else if (msg)
		ctl_err("%s (%s)", msg, strerror(-e->error));
	else if (what)
		ctl_err("%s: %s", what, strerror(-e->error));
	else
		ctl_err("%s", strerror(-e->error));
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	const struct nlmsghdr *nlh = (void *)((char *)e - NLMSG_HDRLEN);
	struct req *r = arg;

	r->done = true;
	if (e->error) {
		r->err = e->error;
		report(r, e, nlh);
	}
	return NL_STOP;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct req *r = arg;

	r->done = true;
	return NL_STOP;
}

int ctl_request(struct nl_msg *msg, int (*cb)(struct nlattr **tb, void *arg),
		void *arg, const struct ctl_span *spans, int nspans)
{
	struct req r = { cb, arg, 0, false, spans, nspans };
	struct nl_cb *nlcb;
	int err;

	if (!msg) {
		if (sk)		/* else ctl_nl_open() said why */
			ctl_err("out of memory");
		return -ENOMEM;
	}
	nlcb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!nlcb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_cb_set(nlcb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &r);
	nl_cb_set(nlcb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, &r);
	nl_cb_set(nlcb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &r);
	nl_cb_err(nlcb, NL_CB_CUSTOM, on_error, &r);

	err = nl_send_auto(sk, msg);
	nlmsg_free(msg);
	while (err >= 0 && !r.done) {
		err = nl_recvmsgs(sk, nlcb);
		if (err == -NLE_DUMP_INTR) {
			ctl_err("the configuration changed during the dump; try again");
			r.err = -EAGAIN;
			break;
		}
	}
	nl_cb_put(nlcb);
	if (err < 0 && !r.err) {
		ctl_err("netlink: %s", nl_geterror(err));
		return -EIO;
	}
	return r.err;
}

/* ---- encoding and decoding the configuration ------------------------------- */

#define PUT(cond, expr) do { if ((cond) && (expr) < 0) return -1; } while (0)

/*
 * The device's settings as TCA_MQOS_* attributes (inside TCA_OPTIONS for
 * rtnetlink, inside MQOS_A_QDISC for load); 0 or -1 (no room).
 */
int ctl_put_dev_attrs(struct nl_msg *msg, const struct ctl_dev *d)
{
	uint32_t h = d->has;

	PUT(h & HAS(TCA_MQOS_RATE), nla_put_u64(msg, TCA_MQOS_RATE, d->rate));
	PUT(h & HAS(TCA_MQOS_OVERHEAD),
	    nla_put_u32(msg, TCA_MQOS_OVERHEAD, d->overhead));
	PUT(h & HAS(TCA_MQOS_DEFAULT_CLASS),
	    nla_put_u8(msg, TCA_MQOS_DEFAULT_CLASS, d->default_class));
	PUT(h & HAS(TCA_MQOS_ISOLATION),
	    nla_put_u8(msg, TCA_MQOS_ISOLATION, d->isolation));
	PUT(h & HAS(TCA_MQOS_MEMORY_LIMIT),
	    nla_put_u32(msg, TCA_MQOS_MEMORY_LIMIT, d->memory_limit));
	PUT(h & HAS(TCA_MQOS_INGRESS),
	    nla_put_u8(msg, TCA_MQOS_INGRESS, d->ingress));
	return 0;
}

/*
 * The device's settings in an MQOS_A_QDISC nest (load): returns the open
 * nest (the caller may add the classes, then ends it) or NULL.
 */
struct nlattr *ctl_put_dev(struct nl_msg *msg, const struct ctl_dev *d)
{
	struct nlattr *q = nla_nest_start(msg, MQOS_A_QDISC | NLA_F_NESTED);

	if (!q || ctl_put_dev_attrs(msg, d) < 0)
		return NULL;
	return q;
}

int ctl_put_class(struct nl_msg *msg, int type, const struct ctl_class *c)
{
	struct nlattr *n = nla_nest_start(msg, type | NLA_F_NESTED);
	uint32_t h = c->has;

	if (!n)
		return -1;
	PUT(1, nla_put_u8(msg, TCA_MQOS_CLASS_ID, c->id));
	PUT(h & HAS(TCA_MQOS_CLASS_NAME),
	    nla_put_string(msg, TCA_MQOS_CLASS_NAME, c->name));
	PUT(h & HAS(TCA_MQOS_CLASS_PRIO),
	    nla_put_u8(msg, TCA_MQOS_CLASS_PRIO, c->prio));
	PUT(h & HAS(TCA_MQOS_CLASS_RATE),
	    nla_put_u64(msg, TCA_MQOS_CLASS_RATE, c->rate));
	PUT(h & HAS(TCA_MQOS_CLASS_RATE_PCT),
	    nla_put_u8(msg, TCA_MQOS_CLASS_RATE_PCT, c->rate_pct));
	PUT(h & HAS(TCA_MQOS_CLASS_CEIL),
	    nla_put_u64(msg, TCA_MQOS_CLASS_CEIL, c->ceil));
	PUT(h & HAS(TCA_MQOS_CLASS_CEIL_PCT),
	    nla_put_u8(msg, TCA_MQOS_CLASS_CEIL_PCT, c->ceil_pct));
	PUT(h & HAS(TCA_MQOS_CLASS_QUANTUM),
	    nla_put_u32(msg, TCA_MQOS_CLASS_QUANTUM, c->quantum));
	PUT(h & HAS(TCA_MQOS_CLASS_LIMIT),
	    nla_put_u32(msg, TCA_MQOS_CLASS_LIMIT, c->limit));
	PUT(h & HAS(TCA_MQOS_CLASS_LIMIT_BYTES),
	    nla_put_u32(msg, TCA_MQOS_CLASS_LIMIT_BYTES, c->limit_bytes));
	PUT(h & HAS(TCA_MQOS_CLASS_POLICE_RATE),
	    nla_put_u64(msg, TCA_MQOS_CLASS_POLICE_RATE, c->police_rate));
	PUT(h & HAS(TCA_MQOS_CLASS_POLICE_BURST),
	    nla_put_u32(msg, TCA_MQOS_CLASS_POLICE_BURST, c->police_burst));
	PUT(h & HAS(TCA_MQOS_CLASS_POLICE_DEMOTE),
	    nla_put_u8(msg, TCA_MQOS_CLASS_POLICE_DEMOTE, c->police_demote));
	PUT(h & HAS(TCA_MQOS_CLASS_AQM_TARGET),
	    nla_put_u32(msg, TCA_MQOS_CLASS_AQM_TARGET, c->aqm_target));
	PUT(h & HAS(TCA_MQOS_CLASS_AQM_INTERVAL),
	    nla_put_u32(msg, TCA_MQOS_CLASS_AQM_INTERVAL, c->aqm_interval));
	PUT(h & HAS(TCA_MQOS_CLASS_ECN),
	    nla_put_u8(msg, TCA_MQOS_CLASS_ECN, c->ecn));
	PUT(h & HAS(TCA_MQOS_CLASS_DSCP),
	    nla_put_u8(msg, TCA_MQOS_CLASS_DSCP, c->dscp));
	PUT(h & HAS(TCA_MQOS_CLASS_FLOWS),
	    nla_put_u32(msg, TCA_MQOS_CLASS_FLOWS, c->flows));
	PUT(h & HAS(TCA_MQOS_CLASS_AQM_MODE),
	    nla_put_u8(msg, TCA_MQOS_CLASS_AQM_MODE, c->aqm_mode));
	nla_nest_end(msg, n);
	return 0;
}

int ctl_put_rule(struct nl_msg *msg, int type, const struct ctl_rule *r)
{
	struct nlattr *n = nla_nest_start(msg, type | NLA_F_NESTED);
	int alen = r->family == 4 ? 4 : 16;
	uint32_t h = r->has;

	if (!n)
		return -1;
	PUT(h & HAS(MQOS_RULE_A_PREF),
	    nla_put_u32(msg, MQOS_RULE_A_PREF, r->pref));
	PUT(1, nla_put_u8(msg, MQOS_RULE_A_CLASS, r->class_id));
	PUT(h & HAS(MQOS_RULE_A_DSCP),
	    nla_put_u64(msg, MQOS_RULE_A_DSCP, r->dscp));
	PUT(h & HAS(MQOS_RULE_A_MQTT_QOS),
	    nla_put_u8(msg, MQOS_RULE_A_MQTT_QOS, r->mqtt_qos));
	PUT(h & HAS(MQOS_RULE_A_KINDS),
	    nla_put_u8(msg, MQOS_RULE_A_KINDS, r->kinds));
	PUT(h & HAS(MQOS_RULE_A_TOPIC),
	    nla_put(msg, MQOS_RULE_A_TOPIC, r->topic_len, r->topic));
	PUT(h & HAS(MQOS_RULE_A_SN_QOS),
	    nla_put_u8(msg, MQOS_RULE_A_SN_QOS, r->sn_qos));
	PUT(h & HAS(MQOS_RULE_A_PROTO),
	    nla_put_u8(msg, MQOS_RULE_A_PROTO, r->proto));
	PUT(h & HAS(MQOS_RULE_A_SPORT_MIN),
	    nla_put_u16(msg, MQOS_RULE_A_SPORT_MIN, r->sport_lo));
	PUT(h & HAS(MQOS_RULE_A_SPORT_MAX),
	    nla_put_u16(msg, MQOS_RULE_A_SPORT_MAX, r->sport_hi));
	PUT(h & HAS(MQOS_RULE_A_DPORT_MIN),
	    nla_put_u16(msg, MQOS_RULE_A_DPORT_MIN, r->dport_lo));
	PUT(h & HAS(MQOS_RULE_A_DPORT_MAX),
	    nla_put_u16(msg, MQOS_RULE_A_DPORT_MAX, r->dport_hi));
	PUT(h & HAS(MQOS_RULE_A_SRC), nla_put(msg, MQOS_RULE_A_SRC, alen, r->src));
	PUT(h & HAS(MQOS_RULE_A_SRC_PLEN),
	    nla_put_u8(msg, MQOS_RULE_A_SRC_PLEN, r->src_plen));
	PUT(h & HAS(MQOS_RULE_A_DST), nla_put(msg, MQOS_RULE_A_DST, alen, r->dst));
	PUT(h & HAS(MQOS_RULE_A_DST_PLEN),
	    nla_put_u8(msg, MQOS_RULE_A_DST_PLEN, r->dst_plen));
	PUT(h & HAS(MQOS_RULE_A_IIF), nla_put_u32(msg, MQOS_RULE_A_IIF, r->iif));
	PUT(h & HAS(MQOS_RULE_A_OIF), nla_put_u32(msg, MQOS_RULE_A_OIF, r->oif));
	nla_nest_end(msg, n);
	return 0;
}

static uint64_t get_uint(const struct nlattr *a)
{
	switch (nla_len(a)) {
	case 1: return nla_get_u8((struct nlattr *)a);
	case 2: return nla_get_u16((struct nlattr *)a);
	case 4: return nla_get_u32((struct nlattr *)a);
	case 8: return nla_get_u64((struct nlattr *)a);
	}
	return 0;
}

void ctl_get_class(struct nlattr *nest, struct ctl_class *c)
{
	struct nlattr *tb[TCA_MQOS_CLASS_MAX + 1];
	int i;

	memset(c, 0, sizeof(*c));
	if (nla_parse_nested(tb, TCA_MQOS_CLASS_MAX, nest, NULL) < 0)
		return;
	for (i = 0; i <= TCA_MQOS_CLASS_MAX; i++)
		if (tb[i])
			c->has |= HAS(i);
#define G(attr, field) if (tb[attr]) c->field = get_uint(tb[attr])
	G(TCA_MQOS_CLASS_ID, id);
	G(TCA_MQOS_CLASS_PRIO, prio);
	G(TCA_MQOS_CLASS_RATE, rate);
	G(TCA_MQOS_CLASS_CEIL, ceil);
	G(TCA_MQOS_CLASS_RATE_PCT, rate_pct);
	G(TCA_MQOS_CLASS_CEIL_PCT, ceil_pct);
	G(TCA_MQOS_CLASS_QUANTUM, quantum);
	G(TCA_MQOS_CLASS_LIMIT, limit);
	G(TCA_MQOS_CLASS_LIMIT_BYTES, limit_bytes);
	G(TCA_MQOS_CLASS_POLICE_RATE, police_rate);
	G(TCA_MQOS_CLASS_POLICE_BURST, police_burst);
	G(TCA_MQOS_CLASS_POLICE_DEMOTE, police_demote);
	G(TCA_MQOS_CLASS_AQM_TARGET, aqm_target);
	G(TCA_MQOS_CLASS_AQM_INTERVAL, aqm_interval);
	G(TCA_MQOS_CLASS_ECN, ecn);
	G(TCA_MQOS_CLASS_DSCP, dscp);
	G(TCA_MQOS_CLASS_FLOWS, flows);
	G(TCA_MQOS_CLASS_AQM_MODE, aqm_mode);
#undef G
	if (tb[TCA_MQOS_CLASS_NAME])
		snprintf(c->name, sizeof(c->name), "%s",
			 nla_get_string(tb[TCA_MQOS_CLASS_NAME]));
}

void ctl_get_qdisc(struct nlattr *nest, struct ctl_dev *d)
{
	struct nlattr *tb[TCA_MQOS_MAX + 1], *a;
	struct ctl_class c;
	int rem;

	if (nla_parse_nested(tb, TCA_MQOS_MAX, nest, NULL) < 0)
		return;
	if (tb[TCA_MQOS_RATE])
		d->rate = nla_get_u64(tb[TCA_MQOS_RATE]);
	if (tb[TCA_MQOS_OVERHEAD])
		d->overhead = nla_get_u32(tb[TCA_MQOS_OVERHEAD]);
	if (tb[TCA_MQOS_DEFAULT_CLASS])
		d->default_class = nla_get_u8(tb[TCA_MQOS_DEFAULT_CLASS]);
	/* Sent by modules with flow queuing only: shown when present. */
	if (tb[TCA_MQOS_ISOLATION]) {
		d->isolation = nla_get_u8(tb[TCA_MQOS_ISOLATION]);
		d->has |= HAS(TCA_MQOS_ISOLATION);
	}
	if (tb[TCA_MQOS_MEMORY_LIMIT]) {
		d->memory_limit = nla_get_u32(tb[TCA_MQOS_MEMORY_LIMIT]);
		d->has |= HAS(TCA_MQOS_MEMORY_LIMIT);
	}
	if (tb[TCA_MQOS_INGRESS]) {
		d->ingress = nla_get_u8(tb[TCA_MQOS_INGRESS]);
		d->has |= HAS(TCA_MQOS_INGRESS);
	}
	if (!tb[TCA_MQOS_CLASSES])
		return;
	nla_for_each_nested(a, tb[TCA_MQOS_CLASSES], rem) {
		ctl_get_class(a, &c);
		if (c.id >= 1 && c.id <= MQOS_MAX_CLASSES)
			d->cls[c.id] = c;
	}
}

void ctl_get_rule(struct nlattr *nest, struct ctl_rule *r)
{
	struct nlattr *tb[MQOS_RULE_A_MAX + 1];
	int i;

	memset(r, 0, sizeof(*r));
	if (nla_parse_nested(tb, MQOS_RULE_A_MAX, nest, NULL) < 0)
		return;
	for (i = 0; i <= MQOS_RULE_A_MAX; i++)
		if (tb[i])
			r->has |= HAS(i);
#define G(attr, field) if (tb[attr]) r->field = get_uint(tb[attr])
	G(MQOS_RULE_A_PREF, pref);
	G(MQOS_RULE_A_CLASS, class_id);
	G(MQOS_RULE_A_DSCP, dscp);
	G(MQOS_RULE_A_MQTT_QOS, mqtt_qos);
	G(MQOS_RULE_A_KINDS, kinds);
	G(MQOS_RULE_A_SN_QOS, sn_qos);
	G(MQOS_RULE_A_PROTO, proto);
	G(MQOS_RULE_A_SPORT_MIN, sport_lo);
	G(MQOS_RULE_A_SPORT_MAX, sport_hi);
	G(MQOS_RULE_A_DPORT_MIN, dport_lo);
	G(MQOS_RULE_A_DPORT_MAX, dport_hi);
	G(MQOS_RULE_A_SRC_PLEN, src_plen);
	G(MQOS_RULE_A_DST_PLEN, dst_plen);
	G(MQOS_RULE_A_IIF, iif);
	G(MQOS_RULE_A_OIF, oif);
	G(MQOS_RULE_A_HITS_PACKETS, hits_packets);
	G(MQOS_RULE_A_HITS_BYTES, hits_bytes);
#undef G
	if (tb[MQOS_RULE_A_TOPIC]) {
		r->topic_len = (uint8_t)nla_len(tb[MQOS_RULE_A_TOPIC]);
		if (r->topic_len > MQOS_RULE_TOPIC_MAX)
			r->topic_len = MQOS_RULE_TOPIC_MAX;
		memcpy(r->topic, nla_data(tb[MQOS_RULE_A_TOPIC]), r->topic_len);
	}
	for (i = MQOS_RULE_A_SRC; i <= MQOS_RULE_A_DST; i += 2) {
		int len = tb[i] ? nla_len(tb[i]) : 0;

		if (len != 4 && len != 16)
			continue;
		r->family = len == 4 ? 4 : 6;
		memcpy(i == MQOS_RULE_A_SRC ? r->src : r->dst, nla_data(tb[i]),
		       len);
	}
}
