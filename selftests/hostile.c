// SPDX-License-Identifier: GPL-2.0
/*
 * hostile: crafted and malformed frames for the mqos selftests.
 *
 *   hostile send IFNAME DSTMAC SET [-n REPEAT] [-s SEED] [-p USEC]
 *               [-4 SRC,DST] [-6 SRC,DST]
 *        writes the frames of SET with an AF_PACKET socket on IFNAME
 *        (Ethernet header included, source MAC = IFNAME's), REPEAT times.
 *        Prints "sent N frames, M malformed-mqtt, R refused, set SET"
 *        (refused: the qdisc dropped the frame at once, ENOBUFS).
 *   hostile sink PORT SECONDS
 *        accepts TCP connections and reads UDP datagrams on PORT, discards
 *        them; prints "sink TCP_BYTES UDP_DATAGRAMS". Ends after SECONDS,
 *        or earlier once the TCP connections it accepted have all ended
 *        (a slow guest may still be draining the sender's buffer when the
 *        sender has stopped writing).
 *   hostile stream DST PORT SECONDS
 *        one TCP connection to DST:PORT writing 60 KiB MQTT PUBLISH QoS 1
 *        messages for SECONDS (big writes: GSO super-packets on veth);
 *        prints "stream BYTES".
 *
 * Sent from the sender's interface, frames cross the gateway's forwarding
 * path and reach mqos on the gateway's egress if the gateway forwards
 * them (valid IP headers). Sent on the gateway's egress itself, every
 * frame goes straight into the mqos qdisc (AF_PACKET transmits through the
 * device's qdisc), including those no router would forward.
 *
 * SETs. "Good" sets have a known class under the default map:
 *   good-q0     MQTT PUBLISH QoS 0 over TCP 1883, IPv4 + IPv6  -> 1:4
 *   good-q1     ... QoS 1                                       -> 1:3
 *   good-q2     ... QoS 2                                       -> 1:2
 *   good-ef     UDP with DSCP EF, IPv4 + IPv6                   -> 1:2
 *   good-cs1    UDP with DSCP CS1                               -> 1:5
 *   good-sn     MQTT-SN PUBLISH QoS 2 over UDP 1884, IPv4 + IPv6 -> 1:2
 *   ext6-in     PUBLISH QoS 2 behind 1..8 IPv6 extension headers -> 1:2
 *   ext6-over   PUBLISH QoS 2 behind 9..12 extension headers    (no L4)
 *   vlan        PUBLISH QoS 2 in 802.1Q, QinQ (88a8+8100) frames -> 1:2
 * Hostile sets:
 *   l3          truncated IPv4/IPv6 headers, bogus version/IHL/total
 *               length/payload length, IPv6 chains cut short
 *   l4          truncated TCP/UDP/SCTP/DCCP headers, bad TCP data offset,
 *               bogus UDP length, options running past the segment
 *   mqtt        every malformed MQTT form: Remaining Length with a 4th
 *               continuation byte, QoS 3, DUP with QoS 0, bad fixed-header
 *               flags, reserved type 0, RL too small/beyond the packet,
 *               topic longer than the packet, zero-length topic, bad
 *               CONNECT protocol name, PINGREQ with a body, 0xFF bytes,
 *               more packets than the parser walks; IPv4 and IPv6
 *   sn          malformed MQTT-SN lengths and types, nested encapsulation
 *   frag        IPv4/IPv6 fragments: first/middle/last, tiny first,
 *               overlapping, atomic
 *   vlanbad     truncated tags, three stacked tags, tag + truncated IP
 *   random      random mutations of good frames (seeded)
 *   all         every hostile set above plus ext6-over
 *
 * "malformed-mqtt" counts the frames that mqos must count as malformed if
 * they reach it (MQTT framed as MQTT, or MQTT-SN, to ports 1883/1884).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MQTT_PORT	1883
#define SN_PORT		1884
#define PLAIN_PORT	5001
#define FRAME_MAX	2048

static int pkt_fd = -1;
static struct sockaddr_ll pkt_to;
static uint8_t mac_dst[6], mac_src[6];
static struct in_addr src4, dst4;
static struct in6_addr src6, dst6;
static unsigned long n_sent, n_malformed, n_dropped;
static unsigned int pace_us;
static uint64_t rnd_state = 0x9e3779b97f4a7c15ULL;

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static uint32_t rnd(void)
{
	/* xorshift64*: deterministic for a seed. */
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return (uint32_t)((rnd_state * 0x2545f4914f6cdd1dULL) >> 32);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* ---- frame building ------------------------------------------------------ */

struct frame {
	uint8_t b[FRAME_MAX];
	size_t len;
};

static void emit(const struct frame *f, int malformed)
{
	if (sendto(pkt_fd, f->b, f->len, 0, (struct sockaddr *)&pkt_to,
		   sizeof(pkt_to)) < 0) {
		/* ENOBUFS: the qdisc dropped it (NET_XMIT_DROP); count it. */
		if (errno != ENOBUFS && errno != EAGAIN)
			die("sendto");
		n_dropped++;
	}
	n_sent++;
	n_malformed += malformed ? 1 : 0;
	if (pace_us)
		usleep(pace_us);
}

/* Ethernet header with up to @ntags tags (outer first), returns its length. */
static size_t eth(uint8_t *b, uint16_t type, const uint16_t *tags, int ntags)
{
	size_t off = 12;
	int i;

	memcpy(b, mac_dst, 6);
	memcpy(b + 6, mac_src, 6);
	for (i = 0; i < ntags; i++) {
		put16(b + off, tags[i]);		/* TPID */
		put16(b + off + 2, (uint16_t)(100 + i));	/* TCI */
		off += 4;
	}
	put16(b + off, type);
	return off + 2;
}

/* L4 checksum of a complete TCP/UDP segment at @l4 (pseudo header). */
static void l4_csum(int v6, uint8_t proto, uint8_t *l4, size_t len)
{
	size_t coff = proto == IPPROTO_TCP ? 16 : 6;
	uint32_t sum = 0;
	uint8_t ph[8];

	if (len < coff + 2)
		return;
	l4[coff] = l4[coff + 1] = 0;
	if (v6) {
		sum = csum_add(sum, src6.s6_addr, 16);
		sum = csum_add(sum, dst6.s6_addr, 16);
	} else {
		sum = csum_add(sum, (uint8_t *)&src4, 4);
		sum = csum_add(sum, (uint8_t *)&dst4, 4);
	}
	ph[0] = 0; ph[1] = proto;
	put16(ph + 2, (uint16_t)len);
	sum = csum_add(sum, ph, 4);
	sum = csum_add(sum, l4, len);
	put16(l4 + coff, csum_fold(sum) ? csum_fold(sum) : 0xffff);
}

/*
 * IPv4 packet: header (20 bytes), then @l4 of @len bytes. @tos, @frag
 * (flags + offset field), @csum: fill the L4 checksum. Returns the IP
 * header's offset in the frame.
 */
static size_t ip4(struct frame *f, const uint16_t *tags, int ntags,
		  uint8_t tos, uint8_t proto, uint16_t frag,
		  const uint8_t *l4, size_t len, int csum)
{
	size_t o = eth(f->b, 0x0800, tags, ntags);
	uint8_t *h = f->b + o;

	memset(h, 0, 20);
	h[0] = 0x45;
	h[1] = tos;
	put16(h + 2, (uint16_t)(20 + len));
	put16(h + 4, (uint16_t)rnd());
	put16(h + 6, frag);
	h[8] = 64;
	h[9] = proto;
	memcpy(h + 12, &src4, 4);
	memcpy(h + 16, &dst4, 4);
	memcpy(h + 20, l4, len);
	if (csum)
		l4_csum(0, proto, h + 20, len);
	put16(h + 10, csum_fold(csum_add(0, h, 20)));
	f->len = o + 20 + len;
	return o;
}

/* IPv6 packet: header, @ext (extension headers, first next header @nh). */
static size_t ip6(struct frame *f, const uint16_t *tags, int ntags,
		  uint8_t tc, uint8_t nh, const uint8_t *ext, size_t extlen,
		  uint8_t proto, const uint8_t *l4, size_t len, int csum)
{
	size_t o = eth(f->b, 0x86dd, tags, ntags);
	uint8_t *h = f->b + o;

	h[0] = (uint8_t)(0x60 | tc >> 4);
	h[1] = (uint8_t)(tc << 4);
	h[2] = h[3] = 0;
	put16(h + 4, (uint16_t)(extlen + len));
	h[6] = extlen ? nh : proto;
	h[7] = 64;
	memcpy(h + 8, &src6, 16);
	memcpy(h + 24, &dst6, 16);
	memcpy(h + 40, ext, extlen);
	memcpy(h + 40 + extlen, l4, len);
	if (csum)
		l4_csum(1, proto, h + 40 + extlen, len);
	f->len = o + 40 + extlen + len;
	return o;
}

/* TCP segment (20-byte header, PSH|ACK) with @payload. */
static size_t tcp(uint8_t *b, uint16_t dport, const uint8_t *payload,
		  size_t plen)
{
	memset(b, 0, 20);
	put16(b, 40000 + (rnd() & 0xfff));
	put16(b + 2, dport);
	put16(b + 4, (uint16_t)rnd());
	b[12] = 5 << 4;
	b[13] = 0x18;
	put16(b + 14, 65535);
	memcpy(b + 20, payload, plen);
	return 20 + plen;
}

static size_t udp(uint8_t *b, uint16_t dport, const uint8_t *payload,
		  size_t plen)
{
	put16(b, 40000 + (rnd() & 0xfff));
	put16(b + 2, dport);
	put16(b + 4, (uint16_t)(8 + plen));
	b[6] = b[7] = 0;
	memcpy(b + 8, payload, plen);
	return 8 + plen;
}

/* MQTT Remaining Length, 1..4 bytes. */
static size_t mqtt_rl(uint8_t *p, uint32_t rl)
{
	size_t n = 0;

	do {
		p[n] = rl & 0x7f;
		rl >>= 7;
		if (rl)
			p[n] |= 0x80;
		n++;
	} while (rl && n < 4);
	return n;
}

/* A well-formed PUBLISH with @topic and @plen payload bytes. */
static size_t mqtt_publish(uint8_t *p, int qos, const char *topic, size_t plen)
{
	size_t tl = strlen(topic), rl = 2 + tl + (qos ? 2 : 0) + plen, n;

	p[0] = (uint8_t)(0x30 | qos << 1);
	n = 1 + mqtt_rl(p + 1, (uint32_t)rl);
	put16(p + n, (uint16_t)tl);
	memcpy(p + n + 2, topic, tl);
	n += 2 + tl;
	if (qos) {
		put16(p + n, 1);
		n += 2;
	}
	memset(p + n, 'x', plen);
	return n + plen;
}

/* An MQTT-SN PUBLISH: len type flags topicid(2) msgid(2) data. */
static size_t sn_publish(uint8_t *p, int qos, size_t dlen)
{
	p[0] = (uint8_t)(7 + dlen);
	p[1] = 0x0c;
	p[2] = (uint8_t)((qos < 0 ? 3 : qos) << 5 | 0x01);	/* predefined id */
	put16(p + 3, 1);
	put16(p + 5, 7);
	memset(p + 7, 'y', dlen);
	return 7 + dlen;
}

/* ---- sets ---------------------------------------------------------------- */

/* MQTT payload to TCP 1883 over IPv4 and IPv6. */
static void send_mqtt(const uint8_t *pl, size_t len, int malformed, uint8_t tos)
{
	uint8_t l4[FRAME_MAX];
	struct frame f;
	size_t n = tcp(l4, MQTT_PORT, pl, len);

	ip4(&f, NULL, 0, tos, IPPROTO_TCP, 0x4000, l4, n, 1);
	emit(&f, malformed);
	n = tcp(l4, MQTT_PORT, pl, len);
	ip6(&f, NULL, 0, tos, 0, NULL, 0, IPPROTO_TCP, l4, n, 1);
	emit(&f, malformed);
}

static void send_udp(uint16_t port, const uint8_t *pl, size_t len,
		     int malformed, uint8_t tos)
{
	uint8_t l4[FRAME_MAX];
	struct frame f;
	size_t n = udp(l4, port, pl, len);

	ip4(&f, NULL, 0, tos, IPPROTO_UDP, 0x4000, l4, n, 1);
	emit(&f, malformed);
	ip6(&f, NULL, 0, tos, 0, NULL, 0, IPPROTO_UDP, l4, n, 1);
	emit(&f, malformed);
}

static void set_good_qos(int qos)
{
	uint8_t p[256];

	send_mqtt(p, mqtt_publish(p, qos, "sensors/t1", 40), 0, 0);
}

static void set_good_dscp(uint8_t dscp)
{
	uint8_t p[100];

	memset(p, 'u', sizeof(p));
	send_udp(PLAIN_PORT, p, sizeof(p), 0, (uint8_t)(dscp << 2));
}

static void set_good_sn(void)
{
	uint8_t p[64];

	send_udp(SN_PORT, p, sn_publish(p, 2, 20), 0, 0);
}

/* @n destination-options headers (8 bytes each, PadN) before TCP. */
static void send_ext6_chain(int n)
{
	uint8_t ext[16 * 8], l4[256], pl[128];
	struct frame f;
	size_t plen = mqtt_publish(pl, 2, "ext/chain", 10), len;
	int i;

	for (i = 0; i < n; i++) {
		uint8_t *e = ext + 8 * i;

		e[0] = i + 1 < n ? 60 : IPPROTO_TCP;
		e[1] = 0;
		e[2] = 1;	/* PadN */
		e[3] = 4;
		memset(e + 4, 0, 4);
	}
	len = tcp(l4, MQTT_PORT, pl, plen);
	ip6(&f, NULL, 0, 0, 60, ext, 8 * (size_t)n, IPPROTO_TCP, l4, len, 1);
	emit(&f, 0);
}

static void set_ext6_in(void)
{
	uint8_t ext[64], l4[256], pl[128];
	struct frame f;
	size_t plen = mqtt_publish(pl, 2, "ext/mixed", 10), len;
	int n;

	for (n = 1; n <= 8; n++)
		send_ext6_chain(n);
	/* Hop-by-hop, routing (type 4, no segments left), atomic fragment,
	 * AH, destination options: 5 headers. */
	memset(ext, 0, sizeof(ext));
	ext[0] = 43; ext[1] = 0; ext[2] = 1; ext[3] = 4;	/* HBH PadN */
	ext[8] = 44; ext[9] = 0; ext[10] = 4; ext[11] = 0;	/* RH, left 0 */
	ext[16] = 51; ext[17] = 0;				/* FRAG, atomic */
	put16(ext + 20, 0x1234);
	ext[24] = 60; ext[25] = 1;				/* AH, 12 bytes ICV-less */
	ext[36] = IPPROTO_TCP; ext[37] = 0; ext[38] = 1; ext[39] = 4;	/* DST */
	len = tcp(l4, MQTT_PORT, pl, plen);
	ip6(&f, NULL, 0, 0, 0, ext, 44, IPPROTO_TCP, l4, len, 1);
	emit(&f, 0);
}

static void set_ext6_over(void)
{
	int n;

	for (n = 9; n <= 12; n++)
		send_ext6_chain(n);
}

static void set_vlan(void)
{
	static const uint16_t q[] = { 0x8100 }, qinq[] = { 0x88a8, 0x8100 };
	uint8_t l4[256], pl[128];
	struct frame f;
	size_t plen = mqtt_publish(pl, 2, "vlan/t", 10), len;

	len = tcp(l4, MQTT_PORT, pl, plen);
	ip4(&f, q, 1, 0, IPPROTO_TCP, 0x4000, l4, len, 1);
	emit(&f, 0);
	ip4(&f, qinq, 2, 0, IPPROTO_TCP, 0x4000, l4, len, 1);
	emit(&f, 0);
	ip6(&f, q, 1, 0, 0, NULL, 0, IPPROTO_TCP, l4, len, 1);
	emit(&f, 0);
	ip6(&f, qinq, 2, 0, 0, NULL, 0, IPPROTO_TCP, l4, len, 1);
	emit(&f, 0);
}

static void set_l3(void)
{
	uint8_t l4[256], pl[64];
	struct frame f, g;
	size_t o, len, cut;

	len = tcp(l4, MQTT_PORT, pl, mqtt_publish(pl, 1, "l3", 4));

	/* IPv4 header cut at every length from 0 to 19 bytes. */
	o = ip4(&g, NULL, 0, 0, IPPROTO_TCP, 0, l4, len, 1);
	for (cut = 0; cut < 20; cut++) {
		f = g;
		f.len = o + cut;
		emit(&f, 0);
	}
	/* IHL 0..4, IHL 15 with a short packet, version 5/6 in an IPv4 frame. */
	for (cut = 0; cut < 5; cut++) {
		f = g;
		f.b[o] = (uint8_t)(0x40 | cut);
		emit(&f, 0);
	}
	f = g;
	f.b[o] = 0x4f;
	emit(&f, 0);
	f = g;
	f.b[o] = 0x65;
	emit(&f, 0);
	/* Total length smaller than the header, 0, larger than the frame. */
	f = g; put16(f.b + o + 2, 10); emit(&f, 0);
	f = g; put16(f.b + o + 2, 0); emit(&f, 0);
	f = g; put16(f.b + o + 2, 0xffff); emit(&f, 0);
	f = g; put16(f.b + o + 2, 21); emit(&f, 0);	/* 1 byte of TCP */
	/* Options that claim to run past the header: IHL 6 with one byte. */
	f = g; f.b[o] = 0x46; put16(f.b + o + 2, 21); emit(&f, 0);

	/* IPv6 header cut at 0..39 bytes, wrong version, payload length
	 * 0 (as a jumbogram would), larger than the frame, 1. */
	o = ip6(&g, NULL, 0, 0, 0, NULL, 0, IPPROTO_TCP, l4, len, 1);
	for (cut = 0; cut < 40; cut += 3) {
		f = g;
		f.len = o + cut;
		emit(&f, 0);
	}
	f = g; f.b[o] = 0x40; emit(&f, 0);
	f = g; put16(f.b + o + 4, 0); emit(&f, 0);
	f = g; put16(f.b + o + 4, 0xffff); emit(&f, 0);
	f = g; put16(f.b + o + 4, 1); emit(&f, 0);
	/* An extension header that claims 2 KiB, and one cut in its middle. */
	{
		uint8_t ext[8] = { IPPROTO_TCP, 255, 1, 4, 0, 0, 0, 0 };

		ip6(&f, NULL, 0, 0, 60, ext, 8, IPPROTO_TCP, l4, len, 1);
		emit(&f, 0);
		ip6(&f, NULL, 0, 0, 60, ext, 4, IPPROTO_TCP, NULL, 0, 0);
		emit(&f, 0);
		ext[1] = 0;
		ext[0] = 51;	/* AH next, but nothing follows */
		ip6(&f, NULL, 0, 0, 60, ext, 8, 51, NULL, 0, 0);
		emit(&f, 0);
	}
	/* Not IP at all, with an IP ethertype's worth of bytes. */
	o = eth(f.b, 0x0806, NULL, 0);
	memset(f.b + o, 0xff, 28);
	f.len = o + 28;
	emit(&f, 0);
	/* Ethernet header only. */
	o = eth(f.b, 0x0800, NULL, 0);
	f.len = o;
	emit(&f, 0);
}

static void set_l4(void)
{
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP, 132, 33, 136 };
	uint8_t l4[256], pl[64];
	struct frame f;
	size_t len, cut, i;

	len = tcp(l4, MQTT_PORT, pl, mqtt_publish(pl, 2, "l4", 4));
	/* Every L4 protocol the parser knows, cut to 0..19 bytes. */
	for (i = 0; i < sizeof(protos); i++) {
		for (cut = 0; cut < 20; cut += 3) {
			ip4(&f, NULL, 0, 0, protos[i], 0, l4, cut, 0);
			emit(&f, 0);
			ip6(&f, NULL, 0, 0, 0, NULL, 0, protos[i], l4, cut, 0);
			emit(&f, 0);
		}
	}
	/* TCP data offset 0..4 and 15 (options beyond the segment). */
	for (i = 0; i < 6; i++) {
		uint8_t t[256];

		memcpy(t, l4, len);
		t[12] = (uint8_t)((i < 5 ? i : 15) << 4);
		ip4(&f, NULL, 0, 0, IPPROTO_TCP, 0, t, len, 1);
		emit(&f, 0);
		ip6(&f, NULL, 0, 0, 0, NULL, 0, IPPROTO_TCP, t, len, 1);
		emit(&f, 0);
	}
	/* TCP with 40 bytes of options and no payload; SYN to 1883. */
	{
		uint8_t t[60];

		memset(t, 1, sizeof(t));	/* NOPs */
		memcpy(t, l4, 20);
		t[12] = 15 << 4;
		t[13] = 0x02;
		ip4(&f, NULL, 0, 0, IPPROTO_TCP, 0, t, 60, 1);
		emit(&f, 0);
	}
	/* UDP length 0, 7, larger than the packet. */
	{
		uint8_t u[64];
		size_t ul = udp(u, SN_PORT, pl, 10);
		uint16_t lens[] = { 0, 7, 9, 4000 };

		for (i = 0; i < 4; i++) {
			put16(u + 4, lens[i]);
			ip4(&f, NULL, 0, 0, IPPROTO_UDP, 0, u, ul, 0);
			emit(&f, 0);
			ip6(&f, NULL, 0, 0, 0, NULL, 0, IPPROTO_UDP, u, ul, 0);
			emit(&f, 0);
		}
	}
}

/* Malformed MQTT that mqos counts: prefixed by a valid PINGREQ (framed). */
static void mqtt_bad(const uint8_t *p, size_t len)
{
	uint8_t b[512];

	b[0] = 0xc0;
	b[1] = 0x00;
	memcpy(b + 2, p, len);
	send_mqtt(b, len + 2, 1, 0);
}

static void set_mqtt(void)
{
	uint8_t p[512];
	size_t n;
	int i;

	/* Remaining Length with a 4th continuation byte. */
	{
		const uint8_t b[] = { 0x30, 0xff, 0xff, 0xff, 0xff, 0x7f, 0, 1, 'a' };

		mqtt_bad(b, sizeof(b));
		send_mqtt(b, sizeof(b), 0, 0);	/* unframed: not counted */
	}
	/* PUBLISH QoS 3, alone and framed (RL ends at the segment end). */
	{
		const uint8_t b[] = { 0x36, 0x05, 0x00, 0x01, 't', 0x00, 0x01 };

		send_mqtt(b, sizeof(b), 1, 0);
		mqtt_bad(b, sizeof(b));
	}
	/* DUP with QoS 0. */
	{
		const uint8_t b[] = { 0x38, 0x03, 0x00, 0x01, 't' };

		send_mqtt(b, sizeof(b), 1, 0);
	}
	/* Bad fixed-header flags of every other type, reserved type 0. */
	for (i = 0; i < 16; i++) {
		uint8_t b[8] = { 0, 0x02, 0x00, 0x01 };
		uint8_t flags = (i == 6 || i == 8 || i == 10) ? 0x0 : 0x1;

		if (i == 3)
			continue;
		b[0] = (uint8_t)(i << 4 | flags);
		mqtt_bad(b, 4);
	}
	/* PINGREQ with a body, PUBACK with RL 1, SUBSCRIBE with RL 2. */
	{
		const uint8_t a[] = { 0xc0, 0x01, 0x00 }, b[] = { 0x40, 0x01, 0x00 },
			      c[] = { 0x82, 0x02, 0x00, 0x01 };

		mqtt_bad(a, sizeof(a));
		mqtt_bad(b, sizeof(b));
		mqtt_bad(c, sizeof(c));
	}
	/* Topic longer than the packet, topic longer than RL. */
	{
		const uint8_t a[] = { 0x30, 0x04, 0x00, 0x40, 't', 't' },
			      b[] = { 0x32, 0x06, 0xff, 0xff, 't', 't', 0, 1 };

		send_mqtt(a, sizeof(a), 1, 0);
		send_mqtt(b, sizeof(b), 1, 0);
	}
	/* CONNECT with a wrong protocol name. */
	{
		const uint8_t b[] = { 0x10, 0x0c, 0x00, 0x04, 'M', 'Q', 'T', 'X',
				      0x04, 0x02, 0x00, 0x3c, 0x00, 0x00 };

		send_mqtt(b, sizeof(b), 1, 0);
	}
	/* Not counted, but hostile: RL far beyond the packet (a message
	 * that "continues"), a zero-length topic, a header cut
	 * after its first byte, 0xFF bytes alone, 17+ PINGREQs in a row. */
	{
		const uint8_t a[] = { 0x32, 0xff, 0xff, 0xff, 0x7f, 0x00, 0x02, 't', 't' },
			      b[] = { 0x30, 0x02, 0x00, 0x00 },
			      c[] = { 0x30, 0x00 }, d[] = { 0x30 };

		send_mqtt(a, sizeof(a), 0, 0);
		send_mqtt(b, sizeof(b), 0, 0);
		send_mqtt(c, sizeof(c), 1, 0);	/* RL 0: framed, too small */
		send_mqtt(d, sizeof(d), 0, 0);
	}
	memset(p, 0xff, sizeof(p));
	send_mqtt(p, 1, 0, 0);
	send_mqtt(p, 5, 0, 0);
	send_mqtt(p, 300, 0, 0);
	mqtt_bad(p, 8);			/* AUTH with flags 0xF after a PINGREQ */
	for (i = 0; i < 40; i += 2) {
		p[i] = 0xc0;
		p[i + 1] = 0x00;
	}
	send_mqtt(p, 40, 0, 0);
	/* Many PUBLISHes of growing QoS in one segment, and a good one
	 * followed by garbage. */
	n = 0;
	for (i = 0; i < 20; i++)
		n += mqtt_publish(p + n, i % 3, "m", 0);
	send_mqtt(p, n, 0, 0);
	n = mqtt_publish(p, 2, "g", 2);
	p[n] = 0x00;
	p[n + 1] = 0x00;
	send_mqtt(p, n + 2, 1, 0);
}

/* MQTT-SN payload over UDP 1884, IPv4 and IPv6: all counted. */
static void sn_bad(const uint8_t *p, size_t len)
{
	send_udp(SN_PORT, p, len, 1, 0);
}

static void set_sn(void)
{
	uint8_t p[300];

	/* One byte; length 0; length 1; length beyond the datagram. */
	{ const uint8_t b[] = { 0x05 }; sn_bad(b, 1); }
	{ const uint8_t b[] = { 0x00, 0x0c, 0, 0, 0, 0, 0 }; sn_bad(b, sizeof(b)); }
	{ const uint8_t b[] = { 0x01, 0x0c }; sn_bad(b, sizeof(b)); }
	{ const uint8_t b[] = { 0x40, 0x0c, 0x20, 0, 1, 0, 1 }; sn_bad(b, sizeof(b)); }
	/* 3-octet length cut, and claiming 65535. */
	{ const uint8_t b[] = { 0x01, 0x00 }; sn_bad(b, sizeof(b)); }
	{ const uint8_t b[] = { 0x01, 0xff, 0xff, 0x0c, 0x20, 0, 1 }; sn_bad(b, sizeof(b)); }
	/* 3-octet length of 2 (less than its own header). */
	{ const uint8_t b[] = { 0x01, 0x00, 0x02, 0x0c }; sn_bad(b, sizeof(b)); }
	/* Undefined types. */
	{ const uint8_t b[] = { 0x02, 0x03 }; sn_bad(b, sizeof(b)); }
	{ const uint8_t b[] = { 0x02, 0x11 }; sn_bad(b, sizeof(b)); }
	{ const uint8_t b[] = { 0x02, 0xfd }; sn_bad(b, sizeof(b)); }
	/* PUBLISH too short, topic id type 3. */
	{ const uint8_t b[] = { 0x05, 0x0c, 0x40, 0, 1 }; sn_bad(b, sizeof(b)); }
	{ const uint8_t b[] = { 0x07, 0x0c, 0x43, 0, 1, 0, 1 }; sn_bad(b, sizeof(b)); }
	/* Encapsulation: nested, empty, and inner length beyond the datagram. */
	{ const uint8_t b[] = { 0x03, 0xfe, 0x00, 0x03, 0xfe, 0x00, 0x02, 0x16 };
	  sn_bad(b, sizeof(b)); }
	{ const uint8_t b[] = { 0x03, 0xfe, 0x00 }; sn_bad(b, sizeof(b)); }
	{ const uint8_t b[] = { 0x03, 0xfe, 0x00, 0x50, 0x0c }; sn_bad(b, sizeof(b)); }
	{ const uint8_t b[] = { 0x01, 0xfe }; sn_bad(b, sizeof(b)); }
	/* 0xFF bytes. */
	memset(p, 0xff, sizeof(p));
	sn_bad(p, 2);
	sn_bad(p, 255);
	/* Good but odd: an encapsulated PUBLISH QoS -1 (not counted). */
	{
		uint8_t b[32] = { 0x03, 0xfe, 0x00 };

		send_udp(SN_PORT, b, 3 + sn_publish(b + 3, -1, 4), 0, 0);
	}
}

static void set_frag(void)
{
	uint8_t l4[256], pl[128], e[8];
	struct frame f;
	size_t len;

	len = udp(l4, SN_PORT, pl, sn_publish(pl, 2, 60));
	/* IPv4: first (MF), middle, last, tiny first (8 bytes), first with
	 * 4 bytes of a UDP header, overlapping middle, offset at the top. */
	ip4(&f, NULL, 0, 0, IPPROTO_UDP, 0x2000, l4, 40, 0); emit(&f, 0);
	ip4(&f, NULL, 0, 0, IPPROTO_UDP, 0x2000 | 5, l4, 40, 0); emit(&f, 0);
	ip4(&f, NULL, 0, 0, IPPROTO_UDP, 10, l4, len - 40, 0); emit(&f, 0);
	ip4(&f, NULL, 0, 0, IPPROTO_UDP, 0x2000, l4, 8, 0); emit(&f, 0);
	ip4(&f, NULL, 0, 0, IPPROTO_UDP, 0x2000, l4, 4, 0); emit(&f, 0);
	ip4(&f, NULL, 0, 0, IPPROTO_UDP, 0x2000 | 1, l4, 40, 0); emit(&f, 0);
	ip4(&f, NULL, 0, 0, IPPROTO_UDP, 0x1fff, l4, 16, 0); emit(&f, 0);
	ip4(&f, NULL, 0, 0, IPPROTO_TCP, 0x2000, l4, 4, 0); emit(&f, 0);
	/* IPv6 fragment headers: first, middle, last, overlapping, atomic,
	 * and a first fragment whose L4 is cut. */
	memset(e, 0, sizeof(e));
	e[0] = IPPROTO_UDP;
	put16(e + 2, 0x0001);			/* offset 0, M */
	ip6(&f, NULL, 0, 0, 44, e, 8, IPPROTO_UDP, l4, 40, 0); emit(&f, 0);
	put16(e + 2, (5 << 3) | 1);
	ip6(&f, NULL, 0, 0, 44, e, 8, IPPROTO_UDP, l4, 40, 0); emit(&f, 0);
	put16(e + 2, 10 << 3);
	ip6(&f, NULL, 0, 0, 44, e, 8, IPPROTO_UDP, l4, len - 40, 0); emit(&f, 0);
	put16(e + 2, (1 << 3) | 1);
	ip6(&f, NULL, 0, 0, 44, e, 8, IPPROTO_UDP, l4, 40, 0); emit(&f, 0);
	put16(e + 2, 0);
	ip6(&f, NULL, 0, 0, 44, e, 8, IPPROTO_UDP, l4, len, 1); emit(&f, 0);
	put16(e + 2, 1);
	ip6(&f, NULL, 0, 0, 44, e, 8, IPPROTO_UDP, l4, 3, 0); emit(&f, 0);
	/* A fragment header followed by another fragment header. */
	{
		uint8_t e2[16] = { 44, 0, 0, 1, 0, 0, 0, 1, IPPROTO_UDP, 0, 0, 8 };

		ip6(&f, NULL, 0, 0, 44, e2, 16, IPPROTO_UDP, l4, 20, 0);
		emit(&f, 0);
	}
}

static void set_vlanbad(void)
{
	static const uint16_t q3[] = { 0x88a8, 0x8100, 0x8100 };
	uint8_t l4[256], pl[64];
	struct frame f;
	size_t o, len;

	len = tcp(l4, MQTT_PORT, pl, mqtt_publish(pl, 2, "v", 2));
	/* Three tags (one more than parsed). */
	ip4(&f, q3, 3, 0, IPPROTO_TCP, 0, l4, len, 1);
	emit(&f, 0);
	/* A tag cut after 2 bytes, after the TCI, tag + 10 bytes of IPv4. */
	o = eth(f.b, 0x8100, NULL, 0);
	f.b[o] = 0; f.b[o + 1] = 100;
	f.len = o + 2;
	emit(&f, 0);
	f.len = o + 1;
	emit(&f, 0);
	ip4(&f, q3, 1, 0, IPPROTO_TCP, 0, l4, len, 1);
	f.len = 18 + 10;
	emit(&f, 0);
	/* QinQ announcing IPv6 with an IPv4 header inside. */
	o = ip4(&f, q3, 2, 0, IPPROTO_TCP, 0, l4, len, 1);
	put16(f.b + o - 2, 0x86dd);
	emit(&f, 0);
	/* A tag whose inner type is another 802.1ad tag with nothing after. */
	o = eth(f.b, 0x88a8, NULL, 0);
	f.b[o] = 0; f.b[o + 1] = 1; put16(f.b + o + 2, 0x88a8);
	f.len = o + 4;
	emit(&f, 0);
}

static void set_random(void)
{
	uint8_t l4[600], pl[512];
	struct frame f, g;
	size_t o, len, i, k;

	for (k = 0; k < 40; k++) {
		int v6 = rnd() & 1, is_udp = (rnd() % 3) == 0;
		size_t plen;

		if (is_udp)
			plen = sn_publish(pl, (int)(rnd() % 4) - 1, rnd() % 40);
		else
			plen = mqtt_publish(pl, (int)(rnd() % 3), "r/t", rnd() % 100);
		len = is_udp ? udp(l4, SN_PORT, pl, plen) :
			       tcp(l4, MQTT_PORT, pl, plen);
		if (v6)
			o = ip6(&g, NULL, 0, 0, 0, NULL, 0,
				is_udp ? IPPROTO_UDP : IPPROTO_TCP, l4, len, 1);
		else
			o = ip4(&g, NULL, 0, 0, is_udp ? IPPROTO_UDP : IPPROTO_TCP,
				0, l4, len, 1);
		/* Flip bytes after the Ethernet header; sometimes cut. */
		f = g;
		for (i = 0; i < 1 + rnd() % 6; i++)
			f.b[o + rnd() % (f.len - o)] = (uint8_t)rnd();
		if (rnd() % 4 == 0)
			f.len = o + rnd() % (f.len - o);
		emit(&f, 0);
		/* Random bytes as the MQTT payload. */
		for (i = 0; i < plen; i++)
			pl[i] = (uint8_t)rnd();
		if (!is_udp)
			pl[0] = (uint8_t)(0x30 | (rnd() & 0xf));
		send_mqtt(pl, plen, 0, 0);
	}
}

static int run_set(const char *set)
{
	if (!strcmp(set, "good-q0"))
		set_good_qos(0);
	else if (!strcmp(set, "good-q1"))
		set_good_qos(1);
	else if (!strcmp(set, "good-q2"))
		set_good_qos(2);
	else if (!strcmp(set, "good-ef"))
		set_good_dscp(46);
	else if (!strcmp(set, "good-cs1"))
		set_good_dscp(8);
	else if (!strcmp(set, "good-sn"))
		set_good_sn();
	else if (!strcmp(set, "ext6-in"))
		set_ext6_in();
	else if (!strcmp(set, "ext6-over"))
		set_ext6_over();
	else if (!strcmp(set, "vlan"))
		set_vlan();
	else if (!strcmp(set, "l3"))
		set_l3();
	else if (!strcmp(set, "l4"))
		set_l4();
	else if (!strcmp(set, "mqtt"))
		set_mqtt();
	else if (!strcmp(set, "sn"))
		set_sn();
	else if (!strcmp(set, "frag"))
		set_frag();
	else if (!strcmp(set, "vlanbad"))
		set_vlanbad();
	else if (!strcmp(set, "random"))
		set_random();
	else if (!strcmp(set, "all")) {
		set_l3(); set_l4(); set_mqtt(); set_sn(); set_frag();
		set_vlanbad(); set_ext6_over(); set_random();
	} else
		return -1;
	return 0;
}

/* ---- modes --------------------------------------------------------------- */

static int parse_mac(const char *s, uint8_t *mac)
{
	unsigned int m[6];
	int i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4],
		   &m[5]) != 6)
		return -1;
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)m[i];
	return 0;
}

static int parse_pair(int af, char *s, void *a, void *b)
{
	char *comma = strchr(s, ',');

	if (!comma)
		return -1;
	*comma = 0;
	return inet_pton(af, s, a) == 1 && inet_pton(af, comma + 1, b) == 1 ? 0 : -1;
}

static int do_send(int argc, char **argv)
{
	const char *ifname = argv[1], *set = argv[3];
	unsigned long repeat = 1, r;
	struct ifreq ifr;
	int opt;

	inet_pton(AF_INET, "192.0.2.2", &src4);
	inet_pton(AF_INET, "198.51.100.2", &dst4);
	inet_pton(AF_INET6, "2001:db8:1::2", &src6);
	inet_pton(AF_INET6, "2001:db8:2::2", &dst6);
	if (parse_mac(argv[2], mac_dst))
		return fprintf(stderr, "hostile: bad MAC '%s'\n", argv[2]), 2;
	optind = 4;
	while ((opt = getopt(argc, argv, "n:s:p:4:6:")) != -1) {
		switch (opt) {
		case 'n': repeat = strtoul(optarg, NULL, 0); break;
		case 's': rnd_state ^= strtoull(optarg, NULL, 0) * 0x9e3779b97f4a7c15ULL; break;
		case 'p': pace_us = (unsigned int)strtoul(optarg, NULL, 0); break;
		case '4':
			if (parse_pair(AF_INET, optarg, &src4, &dst4))
				return fprintf(stderr, "hostile: bad -4\n"), 2;
			break;
		case '6':
			if (parse_pair(AF_INET6, optarg, &src6, &dst6))
				return fprintf(stderr, "hostile: bad -6\n"), 2;
			break;
		default:
			return 2;
		}
	}
	if (!rnd_state)
		rnd_state = 1;

	pkt_fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (pkt_fd < 0)
		die("socket(AF_PACKET)");
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(pkt_fd, SIOCGIFHWADDR, &ifr) < 0)
		die(ifname);
	memcpy(mac_src, ifr.ifr_hwaddr.sa_data, 6);
	memset(&pkt_to, 0, sizeof(pkt_to));
	pkt_to.sll_family = AF_PACKET;
	pkt_to.sll_ifindex = (int)if_nametoindex(ifname);
	pkt_to.sll_halen = 6;
	memcpy(pkt_to.sll_addr, mac_dst, 6);

	for (r = 0; r < repeat; r++)
		if (run_set(set))
			return fprintf(stderr, "hostile: unknown set '%s'\n", set), 2;
	printf("sent %lu frames, %lu malformed-mqtt, %lu refused, set %s\n",
	       n_sent, n_malformed, n_dropped, set);
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int do_sink(int port, int secs)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6,
				   .sin6_port = htons((uint16_t)port) };
	struct pollfd pf[64];
	unsigned long long tcp_bytes = 0, udp_n = 0;
	static char buf[65536];
	double end = now_s() + secs;
	int n = 2, one = 1, i;
	int accepted = 0;

	pf[0].fd = socket(AF_INET6, SOCK_STREAM, 0);
	pf[1].fd = socket(AF_INET6, SOCK_DGRAM, 0);
	if (pf[0].fd < 0 || pf[1].fd < 0)
		die("socket");
	setsockopt(pf[0].fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(pf[0].fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    bind(pf[1].fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(pf[0].fd, 16))
		die("bind");
	printf("ready\n");
	fflush(stdout);
	pf[0].events = pf[1].events = POLLIN;
	while (now_s() < end && !(accepted && n == 2)) {
		if (poll(pf, (nfds_t)n, 200) <= 0)
			continue;
		if ((pf[0].revents & POLLIN) && n < 64) {
			pf[n].fd = accept(pf[0].fd, NULL, NULL);
			pf[n].events = POLLIN;
			if (pf[n].fd >= 0) {
				n++;
				accepted = 1;
			}
		}
		if (pf[1].revents & POLLIN && recv(pf[1].fd, buf, sizeof(buf), 0) >= 0)
			udp_n++;
		for (i = 2; i < n; i++) {
			ssize_t r;

			if (!(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			r = recv(pf[i].fd, buf, sizeof(buf), 0);
			if (r > 0) {
				tcp_bytes += (unsigned long long)r;
				continue;
			}
			close(pf[i].fd);
			pf[i] = pf[--n];
			i--;
		}
	}
	printf("sink %llu %llu\n", tcp_bytes, udp_n);
	return 0;
}

static int do_stream(const char *dst, int port, int secs)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	static uint8_t msg[61440 + 16];
	unsigned long long total = 0;
	double end = now_s() + secs;
	socklen_t sl;
	size_t len;
	int fd;

	if (inet_pton(AF_INET, dst, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		sl = sizeof(*s4);
	} else if (inet_pton(AF_INET6, dst, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		sl = sizeof(*s6);
	} else {
		return fprintf(stderr, "hostile: bad address '%s'\n", dst), 2;
	}
	fd = socket(ss.ss_family, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, sl))
		die("connect");
	len = mqtt_publish(msg, 1, "bulk/stream", 61440 - 20);
	while (now_s() < end) {
		ssize_t w = send(fd, msg, len, MSG_NOSIGNAL);

		if (w < 0)
			die("send");
		total += (unsigned long long)w;
	}
	close(fd);
	printf("stream %llu\n", total);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 5 && !strcmp(argv[1], "send"))
		return do_send(argc - 1, argv + 1);
	if (argc == 4 && !strcmp(argv[1], "sink"))
		return do_sink(atoi(argv[2]), atoi(argv[3]));
	if (argc == 5 && !strcmp(argv[1], "stream"))
		return do_stream(argv[2], atoi(argv[3]), atoi(argv[4]));
	fprintf(stderr,
		"usage: hostile send IFNAME DSTMAC SET [-n N] [-s SEED] [-p USEC] [-4 S,D] [-6 S,D]\n"
		"       hostile sink PORT SECONDS\n"
		"       hostile stream DST PORT SECONDS\n");
	return 2;
}
