// SPDX-License-Identifier: GPL-2.0
/*
 * Per network namespace state: each netns has its own rules and counters,
 * and deleting a netns frees everything that belongs to it.
 */
#include <linux/module.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "mqos.h"
#include "debug.h"

unsigned int mqos_net_id __read_mostly;

static int __net_init mqos_net_init(struct net *net)
{
	struct mqos_net *mn = mqos_pernet(net);
	int err;

	mn->net = net;
	mqos_rules_net_init(&mn->rules);
	err = mqos_hook_net_init(net);
	if (err)
		goto err_hook;
	err = mqos_ctl_net_init(net);
	if (err)
		goto err_ctl;
	mqos_obj_created(MQOS_OBJ_NETNS);
	return 0;

err_ctl:
	mqos_hook_net_exit(net);
err_hook:
	mqos_rules_net_exit(&mn->rules);
	return err;
}

static void __net_exit mqos_net_pre_exit(struct net *net)
{
	mqos_hook_net_pre_exit(net);
}

static void __net_exit mqos_net_exit(struct net *net)
{
	mqos_ctl_net_exit(net);
	mqos_hook_net_exit(net);
	mqos_rules_net_exit(&mqos_pernet(net)->rules);
	mqos_obj_destroyed(MQOS_OBJ_NETNS);
}

static struct pernet_operations mqos_net_ops = {
	.init = mqos_net_init,
	.pre_exit = mqos_net_pre_exit,
	.exit = mqos_net_exit,
	.id   = &mqos_net_id,
	.size = sizeof(struct mqos_net),
};

int mqos_netns_init(void)
{
	return register_pernet_subsys(&mqos_net_ops);
}

void mqos_netns_exit(void)
{
	unregister_pernet_subsys(&mqos_net_ops);
	/* Replaced rule tables are freed by call_rcu: wait for them. */
	rcu_barrier();
}
