// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-sim: simulated aiot hardware, so that the whole stack runs without a
 * board. Like vkms, it is a real driver: its platform drivers bind to
 * devicetree nodes when a devicetree describes them, and where none does
 * (a PC, a QEMU guest) the module creates the platform devices itself.
 */

#include <linux/err.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/platform_device.h>

#include "aiot_sim.h"
#include "aiot_sim_sensor.h"

static bool create_devices = true;
module_param(create_devices, bool, 0444);
MODULE_PARM_DESC(create_devices,
		 "Create the simulated devices when no devicetree node describes them (default: true)");

static bool npu = true;
module_param(npu, bool, 0444);
MODULE_PARM_DESC(npu,
		 "Create the reference NPU (default: true; false when another NPU, e.g. the card, is tested)");

static struct platform_device *aiot_sim_npu_pdev;

static bool aiot_sim_described_by_dt(const char *compatible)
{
	struct device_node *np;

	np = of_find_compatible_node(NULL, NULL, compatible);
	of_node_put(np);
	return np;
}

static int __init aiot_sim_init(void)
{
	int ret;

	ret = platform_driver_register(&aiot_sim_npu_driver);
	if (ret)
		return ret;

	if (create_devices && npu && !aiot_sim_described_by_dt("aiot,sim-npu")) {
		aiot_sim_npu_pdev =
			platform_device_register_simple(AIOT_SIM_NPU_NAME, 0,
							NULL, 0);
		if (IS_ERR(aiot_sim_npu_pdev)) {
			ret = PTR_ERR(aiot_sim_npu_pdev);
			aiot_sim_npu_pdev = NULL;
			platform_driver_unregister(&aiot_sim_npu_driver);
			return ret;
		}
	}

	ret = aiot_sim_sensor_init(create_devices);
	if (ret) {
		platform_device_unregister(aiot_sim_npu_pdev);
		aiot_sim_npu_pdev = NULL;
		platform_driver_unregister(&aiot_sim_npu_driver);
		return ret;
	}
	return 0;
}

static void __exit aiot_sim_exit(void)
{
	aiot_sim_sensor_exit();
	platform_device_unregister(aiot_sim_npu_pdev);
	platform_driver_unregister(&aiot_sim_npu_driver);
}

module_init(aiot_sim_init);
module_exit(aiot_sim_exit);

MODULE_DESCRIPTION("aiot simulated hardware: reference NPU and sensors");
MODULE_AUTHOR("The aiot authors");
MODULE_LICENSE("GPL");
MODULE_SOFTDEP("pre: aiot");
