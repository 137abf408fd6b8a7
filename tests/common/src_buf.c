// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * struct mqos_src over a byte buffer. Like skb_header_pointer(), it hands
 * out a pointer into the data when the range is inside, else NULL. To
 * let ASan catch a caller that reads more than it asked for, the bytes
 * are copied into @buf (which is exactly @len bytes at the caller's side).
 */
#include "src_buf.h"

const void *mqos_src_read(const struct mqos_src *src, u32 off, u32 len,
			  void *buf)
{
	if (off > src->len || len > src->len - off)
		return NULL;
#ifdef MQOS_SRC_ZERO_COPY	/* benchmark: as skb_header_pointer on linear data */
	(void)buf;
	return src->data + off;
#else
	memcpy(buf, src->data + off, len);
	return buf;
#endif
}

u32 mqos_src_len(const struct mqos_src *src)
{
	return src->len;
}
