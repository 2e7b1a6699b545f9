// SPDX-License-Identifier: GPL-2.0-only
/*
 * A module that misbehaves on request, so that every CI run proves the QEMU
 * harness notices: a WARN and a leaked allocation must fail a guest run.
 * Never built into the product; only tests/qemu/aiot-qemu selftest loads it.
 */

#include <linux/bug.h>
#include <linux/module.h>
#include <linux/slab.h>

static bool warn;
module_param(warn, bool, 0444);
MODULE_PARM_DESC(warn, "WARN once at load");

static bool leak;
module_param(leak, bool, 0444);
MODULE_PARM_DESC(leak, "Leak 1 KiB at load");

/* Written, then forgotten: kmemleak must find nothing pointing to it. */
static void *aiot_selftest_lost;

static int __init aiot_harness_selftest_init(void)
{
	WARN(warn, "aiot harness selftest: deliberate warning\n");
	if (leak) {
		aiot_selftest_lost = kmalloc(1024, GFP_KERNEL);
		if (!aiot_selftest_lost)
			return -ENOMEM;
		memset(aiot_selftest_lost, 0xa5, 1024);
		WRITE_ONCE(aiot_selftest_lost, NULL);
	}
	return 0;
}

static void __exit aiot_harness_selftest_exit(void)
{
}

module_init(aiot_harness_selftest_init);
module_exit(aiot_harness_selftest_exit);

MODULE_DESCRIPTION("aiot test harness self-test: a deliberate WARN and leak");
MODULE_LICENSE("GPL");
