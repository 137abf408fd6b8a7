/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Host (userspace) side of env.h: the kernel types and helpers the core
 * uses, in plain C. Only the unit tests, fuzzers, benchmarks and mqosctl
 * see this file; the module never does, so kernel style rules that are
 * about kernel code (kernel types, volatile) do not apply here.
 */
#ifndef MQOS_CORE_ENV_HOST_H
#define MQOS_CORE_ENV_HOST_H

#ifdef __KERNEL__
#error "env_host.h is for host builds only"
#endif

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

/*
 * A plain u64 division on a 32-bit kernel calls libgcc (__udivdi3,
 * __aeabi_uldivmod), which the kernel does not link: the core divides
 * through div64_u64(). MQOS_DIV64_EXTERN makes it an external call, so
 * that tests/Makefile's div64-<arch> finds any libgcc division left in the
 * core's 32-bit objects.
 */
#ifdef MQOS_DIV64_EXTERN
u64 div64_u64(u64 a, u64 b);
#else
static inline u64 div64_u64(u64 a, u64 b)
{
	return a / b;
}
#endif

#endif /* MQOS_CORE_ENV_HOST_H */
