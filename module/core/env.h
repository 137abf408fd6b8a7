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

#else
/* Userspace stand-ins for the few kernel helpers the core uses. */
#include "env_host.h"
#endif /* __KERNEL__ */

#endif /* MQOS_CORE_ENV_H */
