// SPDX-License-Identifier: GPL-2.0
/*
 * mqos: DiffServ and MQTT-QoS aware traffic control for Linux gateways.
 *
 * Module entry points only: bring the pieces up in order, tear them down in
 * reverse. Each piece lives in its own file.
 */
#include <linux/module.h>
#include <uapi/linux/mqos.h>

#include "mqos.h"
#include "debug.h"

static int __init mqos_init(void)
{
	int err;

	err = mqos_netns_init();
	if (err)
		goto err_netns;

	err = mqos_genl_init();
	if (err)
		goto err_genl;

	/* Last: once the qdisc is registered, packets can reach us. */
	err = mqos_qdisc_init();
	if (err)
		goto err_qdisc;

	pr_info("mqos " MQOS_VERSION_STR " loaded\n");
	return 0;

err_qdisc:
	mqos_genl_exit();
err_genl:
	mqos_netns_exit();
err_netns:
	return err;
}

static void __exit mqos_exit(void)
{
	mqos_qdisc_exit();
	mqos_genl_exit();
	mqos_netns_exit();
	mqos_obj_report();
	pr_info("mqos unloaded\n");
}

module_init(mqos_init);
module_exit(mqos_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("DiffServ and MQTT-QoS aware traffic control");
MODULE_AUTHOR("mqos developers");
MODULE_VERSION(MQOS_VERSION_STR);
/* tc autoloads "sch_<kind>" on 6.1 and "net-sch-<kind>" since 6.9. */
MODULE_ALIAS("sch_mqos");
MODULE_ALIAS("net-sch-mqos");
