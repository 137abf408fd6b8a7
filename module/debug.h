/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Object accounting for debug builds (`make DEBUG=1`).
 *
 * Every long-lived object the module allocates is counted when created and
 * when destroyed; at unload the counts must balance, or the module WARNs
 * (which fails a vm-run, booted with panic_on_warn). In normal builds the
 * calls compile to nothing.
 */
#ifndef MQOS_DEBUG_H
#define MQOS_DEBUG_H

enum mqos_obj {
	MQOS_OBJ_NETNS,		/* struct mqos_net set up by pernet init */
	MQOS_OBJ_QDISC,		/* an mqos qdisc instance */
	MQOS_OBJ_RULESET,	/* struct mqos_kruleset */
	MQOS_OBJ_CTL_RULES,	/* the control plane's pref table */
	MQOS_OBJ_HOOK,		/* netfilter hooks registered in a netns */
	MQOS_OBJ_HOOK_STATS,	/* a netns's per-CPU hook counters */
	__MQOS_OBJ_MAX
};

/*
 * A writer's window between two steps that readers must never see apart,
 * widened for a test: rule table publication sleeps debug_publish_delay_ms
 * (a module parameter of debug builds, 0 by default) between switching
 * the classifier's table and the control plane's (genl_rules.c).
 *
 * CHECKSUM_COMPLETE after a DSCP rewrite (dsfield.h): debug builds sum the
 * bytes skb->csum covers before and after and count the rewrites so
 * checked and those that left it stale (reported at unload; a test reads
 * the counts, a WARN would end the whole suite's VM).
 * mqos_debug_csum_before() is true when the check applies.
 */
struct sk_buff;

#ifdef MQOS_DEBUG
bool mqos_debug_csum_before(struct sk_buff *skb);
void mqos_debug_csum_after(struct sk_buff *skb);
void mqos_obj_created(enum mqos_obj type);
void mqos_obj_destroyed(enum mqos_obj type);
/* Logs the counts; returns false (and WARNs) if they do not balance. */
bool mqos_obj_report(void);
void mqos_debug_publish_window(void);
#else
static inline bool mqos_debug_csum_before(struct sk_buff *skb) { return false; }
static inline void mqos_debug_csum_after(struct sk_buff *skb) {}
static inline void mqos_obj_created(enum mqos_obj type) {}
static inline void mqos_obj_destroyed(enum mqos_obj type) {}
static inline bool mqos_obj_report(void) { return true; }
static inline void mqos_debug_publish_window(void) {}
#endif

#endif /* MQOS_DEBUG_H */
