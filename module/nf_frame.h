/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MQTT stream framing of the hook's TCP connections (nf_frame.c): where
 * each direction's next MQTT fixed header starts, kept per connection in
 * a per-netns table while the hook has conntrack. Used by nf_hook.c only.
 */
#ifndef MQOS_NF_FRAME_H
#define MQOS_NF_FRAME_H

#include <linux/skbuff.h>
#include <linux/types.h>
#include <net/netfilter/nf_conntrack.h>

#include "core/classify.h"

#if IS_ENABLED(CONFIG_NF_CONNTRACK) && IS_ENABLED(CONFIG_NF_CONNTRACK_MARK)
#define MQOS_HAVE_CT 1
#else
#define MQOS_HAVE_CT 0
#endif

struct mqos_net;
struct mqos_hook_net;

#if MQOS_HAVE_CT
/*
 * With conntrack on, before the hooks are registered (genl_mutex).
 * -ENOMEM if the table cannot be had: the hook is not switched on.
 */
int mqos_frame_on(struct mqos_hook_net *hn);
/* After the hooks are unregistered, before conntrack is let go. */
void mqos_frame_off(struct mqos_hook_net *hn);
/*
 * Feed a segment of connection @ct (direction @dir) to its framing state
 * and tell the classifier where MQTT starts in it (@meta). True if the
 * segment was read from a known header position. Under RCU (the hook).
 */
bool mqos_frame_seg(struct mqos_net *mn, struct sk_buff *skb, u16 proto,
		    struct nf_conn *ct, enum ip_conntrack_dir dir,
		    struct mqos_meta *meta);
/* Entries in use. */
u32 mqos_frame_count(struct mqos_hook_net *hn);
#else
static inline int mqos_frame_on(struct mqos_hook_net *hn)
{
	return 0;
}

static inline void mqos_frame_off(struct mqos_hook_net *hn) {}
static inline u32 mqos_frame_count(struct mqos_hook_net *hn)
{
	return 0;
}
#endif

#endif /* MQOS_NF_FRAME_H */
