// SPDX-License-Identifier: GPL-2.0
/*
 * udpgen: a paced UDP load generator and counting sink for the selftests
 * (iperf3 in the TCG guest prints no interval lines, and we want exact
 * packet counts).
 *
 *   udpgen send DST PORT RATE_BITS SECONDS [SIZE [TOS [SRC]]]
 *        sends SIZE-byte UDP payloads at RATE_BITS bit/s (of IP packets)
 *        for SECONDS, from address SRC if given; prints "sent PACKETS
 *        BYTES NS ON_TIME" (IP bytes; NS is how long sending took, more
 *        than SECONDS when the sender fell behind and caught up after;
 *        ON_TIME the bytes it sent within SECONDS).
 *   udpgen recv PORT SECONDS
 *        counts datagrams that arrive within SECONDS after the first one
 *        (by the kernel's receive times; or until SECONDS + 5 of
 *        silence); prints "recv PACKETS BYTES RATE_BITS WINDOW_NS ODD"
 *        with IP bytes, the rate over the measured interval, that
 *        interval, and how many datagrams carried a receive time more
 *        than a minute from when they were read (then the read time
 *        counts instead; a sign of another clock in skb->tstamp).
 *
 * Only IPv4. Payload sizes count IP + UDP headers (28 bytes) toward the rate.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define HDRS	28

static uint64_t ts_ns(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * 1000000000ULL + ts->tv_nsec;
}

/*
 * The sender paces on CLOCK_MONOTONIC; the receiver compares with the
 * kernel's receive times, which are CLOCK_REALTIME.
 */
static uint64_t clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts_ns(&ts);
}

static int do_send(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	uint64_t rate, start, next, end, gap, sent = 0, on_time = 0;
	int fd, size = 1000, tos = 0;
	double secs;
	char *pkt;

	if (argc < 4)
		return 2;
	inet_pton(AF_INET, argv[0], &sa.sin_addr);
	sa.sin_port = htons(atoi(argv[1]));
	rate = strtoull(argv[2], NULL, 0);
	secs = atof(argv[3]);
	if (argc > 4)
		size = atoi(argv[4]);
	if (argc > 5)
		tos = strtol(argv[5], NULL, 0);
	pkt = calloc(1, size);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || !pkt || !rate)
		return 1;
	setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos));
	if (argc > 6) {
		struct sockaddr_in src = { .sin_family = AF_INET };

		if (inet_pton(AF_INET, argv[6], &src.sin_addr) != 1 ||
		    bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0)
			return 1;
	}
	gap = (uint64_t)(size + HDRS) * 8 * 1000000000ULL / rate;
	start = clock_ns(CLOCK_MONOTONIC);
	end = start + (uint64_t)(secs * 1e9);
	for (next = start; next < end; next += gap) {
		uint64_t t = clock_ns(CLOCK_MONOTONIC);

		if (t < next) {
			struct timespec ts = {
				.tv_sec = next / 1000000000ULL,
				.tv_nsec = next % 1000000000ULL,
			};

			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		}
		if (size >= (int)sizeof(sent))
			memcpy(pkt, &sent, sizeof(sent));
		if (sendto(fd, pkt, size, 0, (struct sockaddr *)&sa,
			   sizeof(sa)) == size) {
			sent++;
			if (clock_ns(CLOCK_MONOTONIC) < end)
				on_time++;
		}
	}
	/*
	 * A busy CPU can make the sender fall behind; it then sends as fast
	 * as it can until it has caught up, after SECONDS. The last field
	 * counts what it sent within SECONDS.
	 */
	printf("sent %llu %llu %llu %llu\n", (unsigned long long)sent,
	       (unsigned long long)(sent * (size + HDRS)),
	       (unsigned long long)(clock_ns(CLOCK_MONOTONIC) - start),
	       (unsigned long long)(on_time * (size + HDRS)));
	return 0;
}

/*
 * The kernel's receive time of the datagram @msg carried (realtime ns),
 * or the time it was read if there is none or it lies more than a minute
 * from that (*@odd counts those).
 */
static uint64_t rx_time(struct msghdr *msg, uint64_t *odd)
{
	uint64_t now = clock_ns(CLOCK_REALTIME), t;
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
			struct timespec ts;

			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			t = ts_ns(&ts);
			if (t + 60000000000ULL >= now && t <= now + 60000000000ULL)
				return t;
			(*odd)++;
			break;
		}
	}
	return now;
}

/*
 * The window and the rate are taken from the kernel's receive times, not
 * from when this process got to read: a receiver that the busy guest
 * schedules late reads the same datagrams later (they wait in the 8 MB
 * receive buffer), and must not measure its own CPU share instead of
 * what the qdisc sent.
 */
static int do_recv(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct timeval tv = { .tv_sec = 0, .tv_usec = 200000 };
	uint64_t first = 0, last = 0, pkts = 0, bytes = 0, odd = 0, limit, deadline;
	union {
		char buf[CMSG_SPACE(sizeof(struct timespec))];
		struct cmsghdr align;
	} ctl;
	static char pkt[65536];
	struct iovec iov = { .iov_base = pkt, .iov_len = sizeof(pkt) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
	};
	double secs;
	int fd, one = 1, rcvbuf = 8 << 20;

	if (argc < 2)
		return 2;
	sa.sin_port = htons(atoi(argv[0]));
	secs = atof(argv[1]);
	limit = (uint64_t)(secs * 1e9);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
	/* A slow (emulated) receiver must not lose what the qdisc sent. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("bind");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	deadline = clock_ns(CLOCK_REALTIME) + limit + 5000000000ULL;
	for (;;) {
		ssize_t n;
		uint64_t t;

		msg.msg_control = ctl.buf;
		msg.msg_controllen = sizeof(ctl.buf);
		n = recvmsg(fd, &msg, 0);
		t = n > 0 ? rx_time(&msg, &odd) : clock_ns(CLOCK_REALTIME);
		if (n > 0) {
			/*
			 * Arrived after the window: everything before is in.
			 * Receive times need not grow in the order datagrams
			 * are read (two CPUs stamp them), so the window runs
			 * from the earliest to the latest seen.
			 */
			if (first && t > first && t - first >= limit)
				break;
			if (!first || t < first)
				first = t;
			if (t > last)
				last = t;
			pkts++;
			bytes += n + HDRS;
		}
		if (!first && t > deadline)
			break;
		/* the window is over, or the sender stopped */
		if (first && n < 0 && t > last &&
		    (t - first >= limit || t - last > 1000000000ULL))
			break;
	}
	printf("recv %llu %llu %llu %llu %llu\n", (unsigned long long)pkts,
	       (unsigned long long)bytes,
	       (unsigned long long)(last > first ?
		       (double)bytes * 8 * 1e9 / (last - first) : 0),
	       (unsigned long long)(last - first), (unsigned long long)odd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "send"))
		return do_send(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "recv"))
		return do_recv(argc - 2, argv + 2);
	fprintf(stderr, "usage: udpgen send DST PORT RATE_BITS SECONDS [SIZE [TOS [SRC]]] | recv PORT SECONDS\n");
	return 2;
}
