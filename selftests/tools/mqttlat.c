// SPDX-License-Identifier: GPL-2.0
/*
 * mqttlat: MQTT publish -> delivery latency, with libmosquitto against a
 * real broker. Every payload starts with "SEQ SEND_NS TAG" (CLOCK_REALTIME
 * ns), so a subscriber on the same machine (any namespace) knows how long
 * each message took from the publisher's call to its own callback.
 *
 *   mqttlat pub [-h HOST] [-p PORT] [-B BIND_ADDR] -t TOPIC [-q QOS]
 *               [-n CONNS] [-i INTERVAL_MS] [-b BURST] [-s SIZE]
 *               [-d SECONDS] [-g TAG] [-w WINDOW]
 *       Every INTERVAL_MS, on each of CONNS connections, publish BURST
 *       messages of SIZE bytes to TOPIC (TOPIC/<conn> when CONNS > 1) for
 *       SECONDS. Waits (up to 10 s) for QoS 1/2 acknowledgements, then
 *       prints "published N acked N".
 *       -w WINDOW (QoS 1/2, one connection): no interval; publish as fast
 *       as the broker acknowledges, with at most WINDOW messages
 *       unacknowledged (a device flooding its uplink).
 *       -B BIND_ADDR: the clients' local address (a second device on the
 *       same machine).
 *   mqttlat sub [-h HOST] [-p PORT] -t FILTER [-q QOS] [-d SECONDS]
 *       Subscribe to FILTER and print one line per message:
 *       "TAG SEQ LATENCY_US RECV_UNIX_MS QOS", until SECONDS have passed
 *       (0: until SIGTERM/SIGINT). Prints "ready" (to stderr) once the
 *       subscription is acknowledged.
 *
 * -C CAFILE (both): MQTT over TLS; the broker's certificate must be signed
 * by CAFILE and name HOST (an IP address in its subjectAltName will do).
 *
 * TCP_NODELAY is set on the client sockets, as latency-minded MQTT clients
 * do; the broker's own setting is its configuration's.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mosquitto.h>

#define MAX_CONNS	64
#define MAX_PAYLOAD	65536

struct opts {
	const char *host;
	int port;
	const char *topic;
	int qos;
	int conns;
	int interval_ms;
	int burst;
	int size;
	double seconds;
	const char *tag;
	const char *bind;
	int window;
	const char *cafile;
};

static volatile sig_atomic_t stop;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t acked_cond = PTHREAD_COND_INITIALIZER;
static long acked;
static bool subscribed;
static int sub_qos;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void sleep_until(uint64_t t)
{
	struct timespec ts = {
		.tv_sec = (time_t)(t / 1000000000ULL),
		.tv_nsec = (long)(t % 1000000000ULL),
	};

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR && !stop)
		;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: mqttlat pub [-h HOST] [-p PORT] [-B BIND_ADDR] -t TOPIC [-q QOS]\n"
		"                   [-n CONNS] [-i INTERVAL_MS] [-b BURST] [-s SIZE]\n"
		"                   [-d SECONDS] [-g TAG] [-w WINDOW] [-C CAFILE]\n"
		"       mqttlat sub [-h HOST] [-p PORT] -t FILTER [-q QOS] [-d SECONDS]\n"
		"                   [-C CAFILE]\n");
	exit(2);
}

static void on_publish(struct mosquitto *m, void *obj, int mid)
{
	(void)m; (void)obj; (void)mid;
	pthread_mutex_lock(&lock);
	acked++;
	pthread_cond_signal(&acked_cond);
	pthread_mutex_unlock(&lock);
}

static struct mosquitto *client(const struct opts *o, const char *role, int idx)
{
	struct mosquitto *m;
	char id[64];
	int rc;

	snprintf(id, sizeof(id), "mqttlat-%s-%d-%d", role, (int)getpid(), idx);
	m = mosquitto_new(id, true, NULL);
	if (!m) {
		perror("mosquitto_new");
		exit(1);
	}
	mosquitto_int_option(m, MOSQ_OPT_TCP_NODELAY, 1);
	mosquitto_max_inflight_messages_set(m, 100);
	if (o->cafile) {
		rc = mosquitto_tls_set(m, o->cafile, NULL, NULL, NULL, NULL);
		if (rc != MOSQ_ERR_SUCCESS) {
			fprintf(stderr, "mqttlat: TLS with %s: %s\n", o->cafile,
				mosquitto_strerror(rc));
			exit(1);
		}
	}
	/* Connect with retries: the broker may still be starting. */
	for (int i = 0; i < 50; i++) {
		rc = mosquitto_connect_bind(m, o->host, o->port, 60, o->bind);
		if (rc == MOSQ_ERR_SUCCESS)
			return m;
		usleep(100000);
	}
	fprintf(stderr, "mqttlat: connect %s:%d%s%s: %s\n", o->host, o->port,
		o->bind ? " from " : "", o->bind ? o->bind : "", mosquitto_strerror(rc));
	exit(1);
}

/* fill_payload: "SEQ SEND_NS TAG " padded to SIZE bytes; its length. */
static int fill_payload(const struct opts *o, char *payload, long seq)
{
	int len = snprintf(payload, MAX_PAYLOAD, "%ld %" PRIu64 " %s ",
			   seq, realtime_ns(), o->tag);

	if (len < o->size) {
		memset(payload + len, 'x', (size_t)(o->size - len));
		len = o->size;
	}
	return len;
}

/*
 * pub_window: publish on M until END (monotonic ns) as fast as the broker
 * acknowledges, keeping at most o->window messages unacknowledged.
 * Returns the number published.
 */
static long pub_window(const struct opts *o, struct mosquitto *m, uint64_t end,
		       char *payload)
{
	long published = 0, seq = 0;
	struct timespec ts;
	int len;

	while (!stop && mono_ns() < end) {
		pthread_mutex_lock(&lock);
		while (!stop && published - acked >= o->window) {
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 50000000L;	/* re-check the deadline */
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&acked_cond, &lock, &ts);
			if (mono_ns() >= end)
				break;
		}
		pthread_mutex_unlock(&lock);
		if (stop || mono_ns() >= end)
			break;
		len = fill_payload(o, payload, seq++);
		if (mosquitto_publish(m, NULL, o->topic, len, payload, o->qos,
				      false) == MOSQ_ERR_SUCCESS)
			published++;
		else
			usleep(1000);	/* not connected (yet): do not spin */
	}
	return published;
}

static int do_pub(const struct opts *o)
{
	static char payload[MAX_PAYLOAD];
	struct mosquitto *m[MAX_CONNS];
	char topic[256];
	uint64_t start, end, next, gap;
	long seq = 0, published = 0, want;
	int c, b, len;

	for (c = 0; c < o->conns; c++) {
		m[c] = client(o, "pub", c);
		mosquitto_publish_callback_set(m[c], on_publish);
		if (mosquitto_loop_start(m[c]) != MOSQ_ERR_SUCCESS) {
			fprintf(stderr, "mqttlat: loop_start failed\n");
			return 1;
		}
	}
	gap = (uint64_t)o->interval_ms * 1000000ULL;
	start = mono_ns();
	end = start + (uint64_t)(o->seconds * 1e9);
	if (o->window)
		published = pub_window(o, m[0], end, payload);
	for (next = start; !o->window && next < end && !stop; next += gap) {
		sleep_until(next);
		for (b = 0; b < o->burst; b++) {
			for (c = 0; c < o->conns; c++) {
				if (o->conns > 1)
					snprintf(topic, sizeof(topic), "%s/%d", o->topic, c);
				else
					snprintf(topic, sizeof(topic), "%s", o->topic);
				len = fill_payload(o, payload, seq++);
				if (mosquitto_publish(m[c], NULL, topic, len, payload,
						      o->qos, false) == MOSQ_ERR_SUCCESS)
					published++;
			}
		}
	}
	/* Wait for the acknowledgements of QoS 1/2 (QoS 0: "sent"). */
	want = published;
	for (int i = 0; i < 1000; i++) {
		long a;

		pthread_mutex_lock(&lock);
		a = acked;
		pthread_mutex_unlock(&lock);
		if (a >= want)
			break;
		usleep(10000);
	}
	for (c = 0; c < o->conns; c++) {
		mosquitto_disconnect(m[c]);
		mosquitto_loop_stop(m[c], false);
		mosquitto_destroy(m[c]);
	}
	printf("published %ld acked %ld\n", published, acked);
	return 0;
}

static void on_subscribe(struct mosquitto *m, void *obj, int mid, int n,
			 const int *granted)
{
	(void)m; (void)obj; (void)mid;
	if (n > 0)
		sub_qos = granted[0];
	subscribed = true;
}

static void on_message(struct mosquitto *m, void *obj,
		       const struct mosquitto_message *msg)
{
	uint64_t now = realtime_ns(), sent;
	char buf[128], tag[64];
	long seq;
	int n;

	(void)m; (void)obj;
	n = msg->payloadlen < (int)sizeof(buf) - 1 ? msg->payloadlen : (int)sizeof(buf) - 1;
	memcpy(buf, msg->payload, (size_t)n);
	buf[n] = '\0';
	if (sscanf(buf, "%ld %" SCNu64 " %63s", &seq, &sent, tag) != 3)
		return;
	printf("%s %ld %" PRIu64 " %" PRIu64 " %d\n", tag, seq,
	       now > sent ? (now - sent) / 1000 : 0, now / 1000000, msg->qos);
}

static int do_sub(const struct opts *o)
{
	struct mosquitto *m;
	uint64_t end;

	setvbuf(stdout, NULL, _IOLBF, 0);
	m = client(o, "sub", 0);
	mosquitto_message_callback_set(m, on_message);
	mosquitto_subscribe_callback_set(m, on_subscribe);
	if (mosquitto_subscribe(m, NULL, o->topic, o->qos) != MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "mqttlat: subscribe failed\n");
		return 1;
	}
	end = o->seconds > 0 ? mono_ns() + (uint64_t)(o->seconds * 1e9) : UINT64_MAX;
	while (!stop && mono_ns() < end) {
		int rc = mosquitto_loop(m, 100, 1);

		if (subscribed) {
			fprintf(stderr, "ready (granted QoS %d)\n", sub_qos);
			subscribed = false;
		}
		if (rc != MOSQ_ERR_SUCCESS && !stop) {
			fprintf(stderr, "mqttlat: %s, reconnecting\n", mosquitto_strerror(rc));
			usleep(100000);
			mosquitto_reconnect(m);
		}
	}
	mosquitto_disconnect(m);
	mosquitto_destroy(m);
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = {
		.host = "127.0.0.1", .port = 1883, .qos = 0, .conns = 1,
		.interval_ms = 1000, .burst = 1, .size = 64, .seconds = 10,
		.tag = "-",
	};
	struct sigaction sa = { .sa_handler = on_signal };
	bool pub;
	int c;

	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "pub"))
		pub = true;
	else if (!strcmp(argv[1], "sub"))
		pub = false;
	else
		usage();
	optind = 2;
	while ((c = getopt(argc, argv, "h:p:t:q:n:i:b:s:d:g:B:w:C:")) != -1) {
		switch (c) {
		case 'h': o.host = optarg; break;
		case 'p': o.port = atoi(optarg); break;
		case 't': o.topic = optarg; break;
		case 'q': o.qos = atoi(optarg); break;
		case 'n': o.conns = atoi(optarg); break;
		case 'i': o.interval_ms = atoi(optarg); break;
		case 'b': o.burst = atoi(optarg); break;
		case 's': o.size = atoi(optarg); break;
		case 'd': o.seconds = atof(optarg); break;
		case 'g': o.tag = optarg; break;
		case 'B': o.bind = optarg; break;
		case 'w': o.window = atoi(optarg); break;
		case 'C': o.cafile = optarg; break;
		default: usage();
		}
	}
	if (!o.topic || o.qos < 0 || o.qos > 2 || o.conns < 1 ||
	    o.conns > MAX_CONNS || o.interval_ms < 1 || o.burst < 1 ||
	    o.size < 1 || o.size > MAX_PAYLOAD || strchr(o.tag, ' ') ||
	    o.window < 0 || o.window > 100 ||
	    (o.window && (o.qos == 0 || o.conns != 1)))
		usage();
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	mosquitto_lib_init();
	c = pub ? do_pub(&o) : do_sub(&o);
	mosquitto_lib_cleanup();
	return c;
}
