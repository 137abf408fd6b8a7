/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The one place where the kernel-independent core learns where it runs.
 *
 * Files in module/core/ are compiled into mqos.ko and, unchanged, into the
 * host unit tests, fuzzers and benchmarks. They include only this header
 * (and each other), never a kernel or libc header directly, so a core file
 * that builds on the host also builds in the module.
 */
#ifndef MQOS_CORE_ENV_H
#define MQOS_CORE_ENV_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/compiler.h>
#include <linux/bits.h>
#include <linux/math64.h>
#include <asm/byteorder.h>
/* asm/unaligned.h became linux/unaligned.h in 6.12 (Kbuild probes it). */
#ifdef MQOS_HAVE_LINUX_UNALIGNED_H
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

#define mqos_get_be16(p)	get_unaligned_be16(p)
#define mqos_get_be32(p)	get_unaligned_be32(p)

#else /* host */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

#ifndef likely
#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#endif
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif
#ifndef BIT
#define BIT(n)		(1UL << (n))
#endif
#ifndef min_t
#define min_t(t, a, b)	((t)(a) < (t)(b) ? (t)(a) : (t)(b))
#define max_t(t, a, b)	((t)(a) > (t)(b) ? (t)(a) : (t)(b))
#endif
#define READ_ONCE(x)	(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

static inline u16 mqos_get_be16(const void *p)
{
	const u8 *b = p;

	return (u16)((b[0] << 8) | b[1]);
}

static inline u32 mqos_get_be32(const void *p)
{
	const u8 *b = p;

	return ((u32)b[0] << 24) | ((u32)b[1] << 16) | ((u32)b[2] << 8) | b[3];
}

static inline u64 div64_u64(u64 a, u64 b)
{
	return a / b;
}
#endif /* __KERNEL__ */

#endif /* MQOS_CORE_ENV_H */
