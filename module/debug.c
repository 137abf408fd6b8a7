// SPDX-License-Identifier: GPL-2.0
/*
 * Object accounting for debug builds; see debug.h. Compiled only with
 * MQOS_DEBUG (Kbuild), so a release module carries none of it.
 */
#include <linux/atomic.h>
#include <linux/bug.h>
#include <linux/delay.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/skbuff.h>
#include <net/checksum.h>

#include "debug.h"

static unsigned int debug_publish_delay_ms;
module_param(debug_publish_delay_ms, uint, 0644);
MODULE_PARM_DESC(debug_publish_delay_ms,
		 "debug builds: sleep this long inside a rule table publication (tests)");

void mqos_debug_publish_window(void)
{
	unsigned int ms = READ_ONCE(debug_publish_delay_ms);

	if (ms)
		msleep(min(ms, 10000U));
}

static atomic64_t mqos_csum_checked, mqos_csum_stale;

/* Does skb->csum (CHECKSUM_COMPLETE) sum the bytes from skb->data on? */
static bool mqos_csum_true(struct sk_buff *skb)
{
	return csum_fold(skb_checksum(skb, 0, skb->len, 0)) ==
	       csum_fold(skb->csum);
}

bool mqos_debug_csum_before(struct sk_buff *skb)
{
	return skb->ip_summed == CHECKSUM_COMPLETE && mqos_csum_true(skb);
}

void mqos_debug_csum_after(struct sk_buff *skb)
{
	atomic64_inc(&mqos_csum_checked);
	if (mqos_csum_true(skb))
		return;
	atomic64_inc(&mqos_csum_stale);
	pr_warn_once("DSCP rewrite left a CHECKSUM_COMPLETE csum stale\n");
}

static const char * const mqos_obj_names[__MQOS_OBJ_MAX] = {
	[MQOS_OBJ_NETNS]	= "netns",
	[MQOS_OBJ_QDISC]	= "qdisc",
	[MQOS_OBJ_RULESET]	= "ruleset",
	[MQOS_OBJ_CTL_RULES]	= "ctl_rules",
	[MQOS_OBJ_HOOK]		= "nf_hooks",
	[MQOS_OBJ_HOOK_STATS]	= "hook_stats",
};

static atomic64_t mqos_obj_new[__MQOS_OBJ_MAX];
static atomic64_t mqos_obj_del[__MQOS_OBJ_MAX];

void mqos_obj_created(enum mqos_obj type)
{
	atomic64_inc(&mqos_obj_new[type]);
}

void mqos_obj_destroyed(enum mqos_obj type)
{
	atomic64_inc(&mqos_obj_del[type]);
}

bool mqos_obj_report(void)
{
	bool balanced = true;
	int i;

	for (i = 0; i < __MQOS_OBJ_MAX; i++) {
		s64 n = atomic64_read(&mqos_obj_new[i]);
		s64 d = atomic64_read(&mqos_obj_del[i]);

		pr_info("objects: %s created %lld destroyed %lld\n",
			mqos_obj_names[i], n, d);
		if (n != d)
			balanced = false;
	}
	pr_info("csum: CHECKSUM_COMPLETE rewrites checked %lld stale %lld\n",
		atomic64_read(&mqos_csum_checked),
		atomic64_read(&mqos_csum_stale));
	WARN(!balanced, "mqos: objects leaked or freed twice\n");
	if (balanced)
		pr_info("objects: balanced\n");
	return balanced;
}
