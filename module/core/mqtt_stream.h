/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * MQTT stream framing: where, in one direction of a TCP connection, the
 * next MQTT fixed header starts. With it a segment is read from its first
 * real header on, and a segment that holds only the middle of a message
 * (a large PUBLISH's continuation) is never read as MQTT at all.
 *
 * Positions are TCP sequence numbers (compared modulo 2^32). A position is
 * KNOWN ("a known boundary") in two ways only:
 *
 *  1. Handshake. A SYN (or SYN-ACK) with sequence number ISN: the first
 *     payload byte, ISN + 1, is the first fixed header of the direction
 *     (CONNECT, CONNACK).
 *  2. Resync, for a connection the walker met in the middle (module
 *     loaded or hook switched on later, or the position was lost): whole
 *     segments, each in order right after the previous one, whose bytes
 *     from the first to the last are a chain of valid, whole MQTT packets
 *     (mqos_mqtt_parse(): OK, nothing cut at the end), with together at
 *     least MQOS_MS_RESYNC_PKTS packets. The end of the last such segment
 *     becomes known. Those segments themselves are not trusted (verdict
 *     UNTRUSTED); what follows them is.
 *
 * From a known position every fixed header is read (type, flags, minimal
 * Remaining Length, the type's minimum) and the position advances by
 * 1 + its length bytes + its Remaining Length. A fixed header cut by the
 * segment end is kept (at most 4 bytes) and completed by the next one.
 *
 * Per segment [seq, seq + len), with N the known position:
 *  - it ends at or before N (+ the kept header bytes): the body of the
 *    message being walked. SKIP: CONT if it brings bytes not seen before,
 *    OLD if not (a retransmission).
 *  - it starts after N: bytes in between were not seen (reordering, or a
 *    loss before this point). SKIP (AHEAD); the position is kept, the
 *    missing segment will come.
 *  - otherwise it covers N: walked from N (bytes before N are the end of
 *    a message already walked). AT, with the offset of the first header
 *    that starts in the segment, or SKIP (CONT) if none does (only the
 *    rest of a header cut by the previous segment end).
 * The position is LOST, and nothing is trusted until a SYN or a resync,
 * when a header at a known position is invalid, or when the next header
 * lies in bytes that went by already (the highest sequence number seen,
 * from an AHEAD segment, is beyond it).
 *
 * Memory: struct mqos_mqtt_stream, 16 bytes a direction; no allocation.
 * Time: linear in the headers of the segment (and, while not known, one
 * mqos_mqtt_parse() of it).
 */
#ifndef MQOS_CORE_MQTT_STREAM_H
#define MQOS_CORE_MQTT_STREAM_H

#include "env.h"
#include "src.h"

/* Whole packets a resync needs, over one or more contiguous segments. */
#define MQOS_MS_RESYNC_PKTS	2

enum mqos_ms_state {
	MQOS_MS_LOST = 0,	/* no position (also a zeroed state) */
	MQOS_MS_CAND,		/* resync under way: next, cand */
	MQOS_MS_KNOWN,		/* next (+ have header bytes in hdr) */
};

/* One direction of one connection. 16 bytes. */
struct mqos_mqtt_stream {
	u32 next;	/* KNOWN: where the next header starts; CAND: chain end */
	u32 hi;		/* KNOWN: end of the furthest byte seen */
	u8 state;	/* enum mqos_ms_state */
	u8 have;	/* KNOWN: bytes of the header at next kept in hdr */
	u8 cand;	/* CAND: whole packets chained so far */
	u8 hdr[4];	/* the start of a fixed header cut by a segment end */
	u8 pad;
};

enum mqos_ms_verdict {
	MQOS_MS_UNTRUSTED = 0,	/* position not known: no MQTT verdict */
	MQOS_MS_SKIP,		/* known, but no header starts in the segment */
	MQOS_MS_AT,		/* headers start at .first, to the segment end */
};

/* struct mqos_ms_res.events */
#define MQOS_MS_EV_SYN		BIT(0)	/* position learned from the handshake */
#define MQOS_MS_EV_RESYNC	BIT(1)	/* position learned by the resync rule */
#define MQOS_MS_EV_LOST		BIT(2)	/* position lost in this segment */
#define MQOS_MS_EV_CONT		BIT(3)	/* new bytes, all continuation: skipped */
#define MQOS_MS_EV_OLD		BIT(4)	/* bytes seen before: skipped */
#define MQOS_MS_EV_AHEAD	BIT(5)	/* out of order (gap before), skipped */

struct mqos_ms_res {
	u8 verdict;	/* enum mqos_ms_verdict */
	u8 events;	/* MQOS_MS_EV_* */
	u16 nhdr;	/* AT: headers that start in the segment (saturates) */
	u32 first;	/* AT: offset of the first from the payload start */
};

/*
 * Feed one segment of the direction: TCP sequence number @seq, @syn if the
 * SYN flag is set, payload [off, end) of @src (may be empty). Updates @st
 * and fills @res. Never fails; any bytes are accepted.
 */
void mqos_mqtt_stream_seg(struct mqos_mqtt_stream *st, u32 seq, bool syn,
			  const struct mqos_src *src, u32 off, u32 end,
			  struct mqos_ms_res *res);

#endif /* MQOS_CORE_MQTT_STREAM_H */
