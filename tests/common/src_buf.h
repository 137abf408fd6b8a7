/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Host implementation of struct mqos_src over a byte buffer, for unit
 * tests, the fuzzer and the benchmark.
 */
#ifndef MQOS_TESTS_SRC_BUF_H
#define MQOS_TESTS_SRC_BUF_H

#include "core/src.h"

struct mqos_src {
	const u8 *data;
	u32 len;
};

static inline void mqos_src_init(struct mqos_src *s, const void *data, u32 len)
{
	s->data = data;
	s->len = len;
}

#endif
