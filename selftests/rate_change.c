// SPDX-License-Identifier: GPL-2.0
/*
 * rate_change DEV SECONDS PERIOD_MS [LO_BPS HI_BPS]
 *
 * Changes the device rate of DEV's root mqos qdisc every PERIOD_MS for
 * SECONDS, on one rtnetlink socket, as an autorate tool would (the same
 * RTM_NEWQDISC as `tc qdisc change dev DEV root mqos bandwidth R`). The
 * rates are drawn between LO and HI bytes/s (default 500000..5000000,
 * 4..40 Mbit/s) from a fixed seed. Before each change it reads the
 * qdisc's counters (RTM_GETQDISC): bytes sent and drops by reason. The
 * run ends after SECONDS: on a machine where the round trips take longer
 * than PERIOD_MS there are fewer changes, and it says how many.
 *
 * Afterwards, for every window of 1, 10 and 100 consecutive periods, the
 * bytes sent in it must stay within what the rates in force allowed:
 *   sum(max(rate before, rate after) * period) + (depth + late) * rate_max
 *   + one MTU
 * where depth is the shaper's burst (2 ms, or two packets at a low rate)
 * and late is what a late qdisc timer may send at once (25 ms). The
 * window's time runs from before the first reading to after the last,
 * so scheduling delays of this program only make the bound looser.
 *
 * Prints:
 *   changes N failed F
 *   drops limit L aqm A policer P memory M other O
 *   other-drops K          (policer + memory + other, moved during the run)
 *   windows W over V       (and the worst windows)
 * Exit 0 if all changes were acknowledged, K is 0 and no window is over;
 * 1 otherwise; 2 on a usage or setup error.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/socket.h>
#include <linux/gen_stats.h>
#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/mqos.h>

#define MTU_BYTES	1514
#define DEPTH_NS	2000000ULL
#define LATE_NS		25000000ULL

struct sample {
	uint64_t t0, t1;	/* ns, before and after the reading */
	uint64_t bytes;		/* sent, at the reading */
	uint64_t rate;		/* set right after the reading */
};

struct counters {
	uint64_t bytes;
	uint64_t drop[5];	/* policer, limit, aqm, other, memory */
};

static int fd, ifindex;
static uint32_t seq;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void put_attr(struct nlmsghdr *n, unsigned short type, const void *d,
		     unsigned short len)
{
	struct rtattr *a = (struct rtattr *)((char *)n + NLMSG_ALIGN(n->nlmsg_len));

	a->rta_type = type;
	a->rta_len = RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(a), d, len);
	n->nlmsg_len = NLMSG_ALIGN(n->nlmsg_len) + RTA_ALIGN(a->rta_len);
}

static struct rtattr *nest_start(struct nlmsghdr *n, unsigned short type)
{
	struct rtattr *a = (struct rtattr *)((char *)n + NLMSG_ALIGN(n->nlmsg_len));

	put_attr(n, type, NULL, 0);
	return a;
}

static void nest_end(struct nlmsghdr *n, struct rtattr *a)
{
	a->rta_len = (unsigned short)((char *)n + n->nlmsg_len - (char *)a);
}

static uint64_t get_u64(const struct rtattr *a)
{
	uint64_t v = 0;
	uint32_t v32;

	if (RTA_PAYLOAD(a) >= 8) {
		memcpy(&v, RTA_DATA(a), 8);
	} else if (RTA_PAYLOAD(a) >= 4) {
		memcpy(&v32, RTA_DATA(a), 4);
		v = v32;
	}
	return v;
}

static void parse_app(const struct rtattr *app, struct counters *c)
{
	int len = (int)RTA_PAYLOAD(app);
	const struct rtattr *a;

	for (a = RTA_DATA(app); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		switch (a->rta_type) {
		case TCA_MQOS_XSTATS_DROP_POLICER:
			c->drop[0] = get_u64(a);
			break;
		case TCA_MQOS_XSTATS_DROP_LIMIT:
			c->drop[1] = get_u64(a);
			break;
		case TCA_MQOS_XSTATS_DROP_AQM:
			c->drop[2] = get_u64(a);
			break;
		case TCA_MQOS_XSTATS_DROP_OTHER:
			c->drop[3] = get_u64(a);
			break;
		case TCA_MQOS_XSTATS_DROP_MEMORY:
			c->drop[4] = get_u64(a);
			break;
		}
	}
}

static void parse_qdisc(struct nlmsghdr *h, struct counters *c, int *got)
{
	struct tcmsg *t = NLMSG_DATA(h);
	int len = (int)h->nlmsg_len - NLMSG_LENGTH(sizeof(*t));
	struct rtattr *a, *s;
	struct gnet_stats_basic b;
	int slen;

	if (t->tcm_ifindex != ifindex || t->tcm_parent != TC_H_ROOT)
		return;
	for (a = TCA_RTA(t); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type != TCA_STATS2)
			continue;
		slen = (int)RTA_PAYLOAD(a);
		for (s = RTA_DATA(a); RTA_OK(s, slen); s = RTA_NEXT(s, slen)) {
			if (s->rta_type == TCA_STATS_BASIC &&
			    RTA_PAYLOAD(s) >= sizeof(b)) {
				memcpy(&b, RTA_DATA(s), sizeof(b));
				c->bytes = b.bytes;
				*got = 1;
			} else if (s->rta_type == TCA_STATS_APP) {
				parse_app(s, c);
			}
		}
	}
}

/*
 * Send @n and read until its ACK (or, for the qdisc dump, its end); 0,
 * -errno from the kernel, or -ENOENT (no root qdisc on the device).
 */
static int talk(struct nlmsghdr *n, struct counters *c)
{
	char buf[65536];
	int got = 0, err = 1;
	ssize_t r;

	n->nlmsg_seq = ++seq;
	if (send(fd, n, n->nlmsg_len, 0) < 0)
		return -errno;
	while (err > 0) {
		struct nlmsghdr *h;
		int len;

		r = recv(fd, buf, sizeof(buf), 0);
		if (r < 0)
			return -errno;
		len = (int)r;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, len);
		     h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR) {
				err = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
				break;
			}
			if (h->nlmsg_type == NLMSG_DONE) {
				err = got ? 0 : -ENOENT;
				break;
			}
			if (h->nlmsg_type == RTM_NEWQDISC && c)
				parse_qdisc(h, c, &got);
		}
	}
	return err;
}

static int qdisc_read(struct counters *c)
{
	char buf[256] = { 0 };
	struct nlmsghdr *n = (struct nlmsghdr *)buf;
	struct tcmsg *t;

	n->nlmsg_len = NLMSG_LENGTH(sizeof(*t));
	/*
	 * A dump: a plain GET of one qdisc is answered only to RTNLGRP_TC
	 * listeners on some kernels (6.1), never to the asker.
	 */
	n->nlmsg_type = RTM_GETQDISC;
	n->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	t = NLMSG_DATA(n);
	t->tcm_family = AF_UNSPEC;
	t->tcm_ifindex = ifindex;
	t->tcm_parent = TC_H_ROOT;
	return talk(n, c);
}

static int rate_set(uint64_t rate)
{
	char buf[256] = { 0 };
	struct nlmsghdr *n = (struct nlmsghdr *)buf;
	struct rtattr *opts;
	struct tcmsg *t;

	n->nlmsg_len = NLMSG_LENGTH(sizeof(*t));
	n->nlmsg_type = RTM_NEWQDISC;
	n->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	t = NLMSG_DATA(n);
	t->tcm_family = AF_UNSPEC;
	t->tcm_ifindex = ifindex;
	t->tcm_parent = TC_H_ROOT;
	put_attr(n, TCA_KIND, "mqos", 5);
	opts = nest_start(n, TCA_OPTIONS | NLA_F_NESTED);
	put_attr(n, TCA_MQOS_RATE, &rate, sizeof(rate));
	nest_end(n, opts);
	return talk(n, NULL);
}

static uint64_t rnd_state = 0x2545f4914f6cdd1dULL;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

static uint64_t max64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/*
 * Bytes the shaper may send between reading @a and reading @b: from
 * reading i to reading i + 1 the rate is rate[i - 1] until change i is
 * applied, then rate[i].
 */
static double allowed(const struct sample *s, int a, int b, uint64_t *rmax)
{
	uint64_t r, t0, t1, hi = 0;
	double sum = 0;
	int i;

	for (i = a; i < b; i++) {
		t0 = s[i].t0;
		t1 = i + 1 == b ? s[i + 1].t1 : s[i + 1].t0;
		r = max64(s[i].rate, i ? s[i - 1].rate : s[i].rate);
		hi = max64(hi, r);
		sum += (double)r * (double)(t1 - t0) / 1e9;
	}
	*rmax = hi;
	/* depth: max(2 ms, two packets); one packet of debt */
	return sum + (double)hi * (double)(DEPTH_NS + LATE_NS) / 1e9 +
	       3.0 * MTU_BYTES;
}

int main(int argc, char **argv)
{
	static const int wins[] = { 1, 10, 100 };
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	uint64_t lo = 500000, hi = 5000000, next, end, period_ns, base_rate;
	struct counters c0 = { 0 }, c = { 0 };
	unsigned int changes = 0, failed = 0, over = 0, windows = 0;
	int n, i, w, seconds, one = 1, err;
	struct sample *s;
	double worst = 0;

	if (argc != 4 && argc != 6) {
		fprintf(stderr, "usage: rate_change DEV SECONDS PERIOD_MS [LO_BPS HI_BPS]\n");
		return 2;
	}
	ifindex = (int)if_nametoindex(argv[1]);
	seconds = atoi(argv[2]);
	period_ns = strtoull(argv[3], NULL, 0) * 1000000ULL;
	if (argc == 6) {
		lo = strtoull(argv[4], NULL, 0);
		hi = strtoull(argv[5], NULL, 0);
	}
	if (!ifindex || seconds <= 0 || !period_ns || lo < 125 || hi < lo) {
		fprintf(stderr, "rate_change: bad arguments\n");
		return 2;
	}
	n = (int)((uint64_t)seconds * 1000000000ULL / period_ns);
	s = calloc((size_t)n + 1, sizeof(*s));
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (!s || fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("rate_change: socket");
		free(s);
		return 2;
	}
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	err = qdisc_read(&c0);
	if (err) {
		fprintf(stderr, "rate_change: reading the qdisc: %s\n",
			strerror(-err));
		free(s);
		return 2;
	}
	base_rate = lo;
	next = now_ns();
	end = next + (uint64_t)seconds * 1000000000ULL;
	for (i = 0; i <= n; i++) {
		s[i].t0 = now_ns();
		err = qdisc_read(&c);
		s[i].t1 = now_ns();
		s[i].bytes = c.bytes;
		if (err) {
			fprintf(stderr, "rate_change: reading the qdisc: %s\n",
				strerror(-err));
			free(s);
			return 2;
		}
		s[i].rate = i ? s[i - 1].rate : base_rate;
		/* A slow machine makes fewer changes, never a longer run. */
		if (s[i].t1 >= end)
			n = i;
		if (i == n)
			break;
		s[i].rate = lo + rnd() % (hi - lo + 1);
		err = rate_set(s[i].rate);
		changes++;
		if (err) {
			failed++;
			if (failed <= 5)
				fprintf(stderr, "rate_change: change %d: %s\n",
					i, strerror(-err));
			s[i].rate = i ? s[i - 1].rate : base_rate;
		}
		next += period_ns;
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME,
				&(struct timespec){ .tv_sec = (time_t)(next / 1000000000ULL),
						    .tv_nsec = (long)(next % 1000000000ULL) },
				NULL);
	}
	/*
	 * The rate before the first change is not known here (the shaper
	 * ran at whatever was set): the first window starts at sample 1.
	 */
	for (w = 0; w < 3; w++) {
		for (i = 1; i + wins[w] <= n; i++) {
			uint64_t rmax, sent = s[i + wins[w]].bytes - s[i].bytes;
			double lim = allowed(s, i, i + wins[w], &rmax);

			windows++;
			if (sent / lim > worst)
				worst = sent / lim;
			if (sent > lim) {
				over++;
				if (over <= 10)
					printf("# over: window of %d at %d: %llu bytes > %.0f (%.1f ms, rate max %llu B/s)\n",
					       wins[w], i, (unsigned long long)sent, lim,
					       (double)(s[i + wins[w]].t1 - s[i].t0) / 1e6,
					       (unsigned long long)rmax);
			}
		}
	}
	printf("# %llu bytes sent in %.1f s, rates %llu..%llu B/s, worst window at %.0f%% of its bound\n",
	       (unsigned long long)(s[n].bytes - s[0].bytes),
	       (double)(s[n].t1 - s[0].t0) / 1e9, (unsigned long long)lo,
	       (unsigned long long)hi, worst * 100);
	printf("changes %u failed %u\n", changes, failed);
	printf("drops limit %llu aqm %llu policer %llu memory %llu other %llu\n",
	       (unsigned long long)(c.drop[1] - c0.drop[1]),
	       (unsigned long long)(c.drop[2] - c0.drop[2]),
	       (unsigned long long)(c.drop[0] - c0.drop[0]),
	       (unsigned long long)(c.drop[4] - c0.drop[4]),
	       (unsigned long long)(c.drop[3] - c0.drop[3]));
	printf("other-drops %llu\n",
	       (unsigned long long)(c.drop[0] - c0.drop[0] + c.drop[3] -
				    c0.drop[3] + c.drop[4] - c0.drop[4]));
	printf("windows %u over %u\n", windows, over);
	free(s);
	close(fd);
	return failed || over || c.drop[0] != c0.drop[0] ||
	       c.drop[3] != c0.drop[3] || c.drop[4] != c0.drop[4];
}
