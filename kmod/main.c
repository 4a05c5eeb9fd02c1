// SPDX-License-Identifier: GPL-2.0
/*
 * ckpt_cokernel: boot a lightweight co-kernel on cores and memory taken
 * from Linux, and drive it over a shared-memory channel.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include "enclave.h"
#include "app.h"
#include "boot.h"
#include "hotplug.h"
#include "inject.h"
#include "watchdog.h"

static int __init ckpt_cokernel_init(void)
{
	int err;

	err = cok_boot_init();
	if (err)
		return err;
	err = cok_hotplug_init();
	if (err)
		goto out_boot;
	err = cok_genl_register();
	if (err)
		goto out_hotplug;
	err = cok_cdev_register();
	if (err)
		goto out_genl;
	cok_inject_init();
	pr_info("loaded: co-kernel image %u bytes\n", cok_image->mem_size);
	return 0;

out_genl:
	cok_genl_unregister();
out_hotplug:
	cok_hotplug_exit();
out_boot:
	cok_boot_exit();
	return err;
}

static void __exit ckpt_cokernel_exit(void)
{
	cok_inject_exit();
	cok_cdev_unregister();
	cok_genl_unregister();
	cok_enclave_destroy_all();
	cok_watchdog_exit();
	cok_hotplug_exit();
	cok_boot_exit();
	pr_info("unloaded\n");
}

module_init(ckpt_cokernel_init);
module_exit(ckpt_cokernel_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Lightweight co-kernel enclaves for checkpointable HPC applications");
MODULE_AUTHOR("ckpt_cokernel developers");
