/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place for differences between the kernels mqos builds for
 * (Debian 6.1 and 6.12). Chosen by probing headers, not version numbers.
 */
#ifndef MQOS_COMPAT_H
#define MQOS_COMPAT_H

/*
 * The MQOS_HAVE_* macros come from header probes in Kbuild.
 *
 * skb_gso_segment() moved from netdevice.h to net/gso.h in 6.5.
 */
#ifdef MQOS_HAVE_NET_GSO_H
#include <net/gso.h>
#else
#include <linux/netdevice.h>
#endif

#endif /* MQOS_COMPAT_H */
