/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Build test frames: Ethernet [+ VLAN tags] + IPv4 [options] | IPv6
 * [extension headers] + TCP | UDP | other + payload.
 */
#ifndef MQOS_TESTS_PKTBUILD_H
#define MQOS_TESTS_PKTBUILD_H

#include <stddef.h>
#include <stdint.h>

enum pb_frag { PB_NOFRAG, PB_FRAG_FIRST, PB_FRAG_LATER };

struct pb {
	int family;		/* 4 (default if 0) or 6 */
	int vlans;		/* in-band tags: 0, 1, 2 (QinQ: 802.1ad outer) */
	uint8_t dscp, ecn;
	uint8_t proto;		/* default TCP */
	uint16_t sport, dport;
	int ip4_opt_len;	/* IPv4 options, multiple of 4, <= 40 */
	uint8_t ext[8];		/* IPv6 extension header types in order */
	int n_ext;
	enum pb_frag frag;
	uint8_t saddr[16], daddr[16];	/* IPv4: first 4 bytes */
	int tcp_opt_len;	/* TCP options, multiple of 4 */
	int pad;		/* trailing bytes after the IP packet */
};

/*
 * The u32 whose bytes in memory are a.b.c.d: an IPv4 address in network
 * order as the core keeps it (struct mqos_rule's src/dst, struct mqos_pkt's
 * saddr/daddr), on a little- or a big-endian machine alike. A constant
 * expression, for initialisers.
 */
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define NET32(a, b, c, d) \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))
#else
#define NET32(a, b, c, d) \
	((uint32_t)(d) << 24 | (uint32_t)(c) << 16 | (uint32_t)(b) << 8 | (uint32_t)(a))
#endif

/* Returns the frame length written to @buf (at most @cap). */
size_t pb_build(uint8_t *buf, size_t cap, const struct pb *o,
		const void *payload, size_t plen);

/* Offset of the L4 payload in the last frame built. */
extern size_t pb_payload_off;

#endif
