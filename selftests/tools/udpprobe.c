// SPDX-License-Identifier: GPL-2.0
/*
 * udpprobe: one-way delay of small DSCP-marked UDP probes (sender and
 * receiver on one machine, so they share CLOCK_REALTIME), and a packet
 * blaster for the packets/s measurement.
 *
 *   udpprobe send DST PORT INTERVAL_US SECONDS [TOS [SIZE [TAG]]]
 *       one probe every INTERVAL_US; prints "sent N"
 *   udpprobe recv PORT [SECONDS]
 *       one line per probe: "TAG SEQ DELAY_US RECV_UNIX_MS", until SECONDS
 *       (0: until SIGTERM/SIGINT); "ready" on stderr once bound
 *   udpprobe blast DST PORT SECONDS [SIZE]
 *       as many SIZE-byte datagrams as sendmmsg() takes, for SECONDS;
 *       prints "blast N PPS" (what the socket accepted, not what arrived)
 *   udpprobe hold PORT SECONDS
 *       bind PORT and never read it: arriving datagrams fill the buffer
 *       and are dropped by UDP, the cheapest sink there is
 *
 * IPv4 only.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define PROBE_MAGIC	0x6d716f7370726f62ULL	/* "mqosprob" */
#define BATCH		64

struct probe {
	uint64_t magic;
	uint64_t seq;
	uint64_t sent_ns;	/* CLOCK_REALTIME */
	char tag[32];
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int dst_addr(struct sockaddr_in *sa, const char *ip, const char *port)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)atoi(port));
	if (inet_pton(AF_INET, ip, &sa->sin_addr) != 1) {
		fprintf(stderr, "udpprobe: bad address '%s'\n", ip);
		return -1;
	}
	return 0;
}

static int bound_socket(const char *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_DGRAM, 0), one = 1;

	sa.sin_port = htons((uint16_t)atoi(port));
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("udpprobe: bind");
		return -1;
	}
	return fd;
}

static int do_send(int argc, char **argv)
{
	struct probe p = { .magic = PROBE_MAGIC };
	struct sockaddr_in sa;
	uint64_t gap, next, end, n = 0;
	int fd, tos = 0xb8, size = 64;

	if (argc < 4 || dst_addr(&sa, argv[0], argv[1]))
		return 2;
	gap = strtoull(argv[2], NULL, 0) * 1000ULL;
	end = clock_ns(CLOCK_MONOTONIC) + (uint64_t)(atof(argv[3]) * 1e9);
	if (argc > 4)
		tos = (int)strtol(argv[4], NULL, 0);
	if (argc > 5)
		size = atoi(argv[5]);
	if (argc > 6)
		snprintf(p.tag, sizeof(p.tag), "%s", argv[6]);
	else
		snprintf(p.tag, sizeof(p.tag), "-");
	if (size < (int)sizeof(p))
		size = sizeof(p);
	char *buf = calloc(1, (size_t)size);

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || !buf || !gap) {
		free(buf);
		return 1;
	}
	setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos));
	for (next = clock_ns(CLOCK_MONOTONIC); next < end && !stop; next += gap) {
		struct timespec ts = {
			.tv_sec = (time_t)(next / 1000000000ULL),
			.tv_nsec = (long)(next % 1000000000ULL),
		};

		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		p.seq = n;
		p.sent_ns = clock_ns(CLOCK_REALTIME);
		memcpy(buf, &p, sizeof(p));
		if (sendto(fd, buf, (size_t)size, 0, (struct sockaddr *)&sa,
			   sizeof(sa)) == size)
			n++;
	}
	printf("sent %" PRIu64 "\n", n);
	free(buf);
	close(fd);
	return 0;
}

static int do_recv(int argc, char **argv)
{
	struct timeval tv = { .tv_sec = 0, .tv_usec = 200000 };
	uint64_t end = UINT64_MAX;
	struct probe p;
	char buf[2048];
	int fd;

	if (argc < 1)
		return 2;
	if (argc > 1 && atof(argv[1]) > 0)
		end = clock_ns(CLOCK_MONOTONIC) + (uint64_t)(atof(argv[1]) * 1e9);
	fd = bound_socket(argv[0]);
	if (fd < 0)
		return 1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setvbuf(stdout, NULL, _IOLBF, 0);
	fprintf(stderr, "ready\n");
	while (!stop && clock_ns(CLOCK_MONOTONIC) < end) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		uint64_t now = clock_ns(CLOCK_REALTIME);

		if (n < (ssize_t)sizeof(p))
			continue;
		memcpy(&p, buf, sizeof(p));
		if (p.magic != PROBE_MAGIC)
			continue;
		p.tag[sizeof(p.tag) - 1] = '\0';
		printf("%s %" PRIu64 " %" PRIu64 " %" PRIu64 "\n", p.tag, p.seq,
		       now > p.sent_ns ? (now - p.sent_ns) / 1000 : 0,
		       now / 1000000);
	}
	return 0;
}

static int do_blast(int argc, char **argv)
{
	static char payload[BATCH][1500];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in sa;
	uint64_t start, end, now, n = 0;
	int fd, size = 18, i;

	if (argc < 3 || dst_addr(&sa, argv[0], argv[1]))
		return 2;
	if (argc > 3)
		size = atoi(argv[3]);
	if (size < 1 || size > 1472)
		return 2;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return 1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("udpprobe: connect");
		return 1;
	}
	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < BATCH; i++) {
		iov[i].iov_base = payload[i];
		iov[i].iov_len = (size_t)size;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	start = clock_ns(CLOCK_MONOTONIC);
	end = start + (uint64_t)(atof(argv[2]) * 1e9);
	do {
		int r = sendmmsg(fd, msgs, BATCH, 0);

		if (r > 0)
			n += (uint64_t)r;
		now = clock_ns(CLOCK_MONOTONIC);
	} while (now < end && !stop);
	printf("blast %" PRIu64 " %.0f\n", n, (double)n * 1e9 / (double)(now - start));
	return 0;
}

static int do_hold(int argc, char **argv)
{
	int fd;

	if (argc < 2)
		return 2;
	fd = bound_socket(argv[0]);
	if (fd < 0)
		return 1;
	fprintf(stderr, "ready\n");
	for (double left = atof(argv[1]); left > 0 && !stop; left -= 0.1)
		usleep(100000);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (argc >= 2 && !strcmp(argv[1], "send"))
		return do_send(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "recv"))
		return do_recv(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "blast"))
		return do_blast(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "hold"))
		return do_hold(argc - 2, argv + 2);
	fprintf(stderr,
		"usage: udpprobe send DST PORT INTERVAL_US SECONDS [TOS [SIZE [TAG]]]\n"
		"       udpprobe recv PORT [SECONDS]\n"
		"       udpprobe blast DST PORT SECONDS [SIZE]\n"
		"       udpprobe hold PORT SECONDS\n");
	return 2;
}
