/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Where packet bytes come from.
 *
 * The core never touches packet memory directly. It asks for a small copy
 * (or a pointer, when the bytes are contiguous) of [off, off + len) through
 * mqos_src_read(), which returns NULL when any byte of the range lies
 * outside the packet. The module implements this over an sk_buff with
 * skb_header_pointer() (module/classify.c); host tests, the fuzzer and the
 * benchmark over a plain byte buffer (tests/common/src_buf.c).
 *
 * Offsets are relative to the start of the source, whatever it is (an
 * Ethernet header for host buffers, the L2 or L3 header of an skb).
 */
#ifndef MQOS_CORE_SRC_H
#define MQOS_CORE_SRC_H

#include "env.h"

struct mqos_src;	/* opaque: defined by the kernel glue or the host tests */

/* Bytes [off, off + len) of @src: a pointer into the packet or into @buf
 * (which must hold @len bytes), or NULL if out of range.
 */
const void *mqos_src_read(const struct mqos_src *src, u32 off, u32 len,
			  void *buf);

/* Number of bytes readable from offset 0. */
u32 mqos_src_len(const struct mqos_src *src);

#endif /* MQOS_CORE_SRC_H */
