// SPDX-License-Identifier: GPL-2.0-only
/*
 * The reference NPU: a simulated accelerator that registers with the aiot
 * core exactly as a hardware backend does.
 */

#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/platform_device.h>

#include "aiot_compat.h"
#include "aiot_npu.h"
#include "aiot_sim.h"

struct aiot_sim_npu {
	struct aiot_device *adev;
};

static const struct aiot_npu_desc aiot_sim_npu_desc = {
	.name = AIOT_SIM_NPU_NAME,
	.hw_id = AIOT_SIM_NPU_HW_ID,
};

static const struct aiot_npu_ops aiot_sim_npu_ops = {
};

static int aiot_sim_npu_probe(struct platform_device *pdev)
{
	struct aiot_sim_npu *npu;

	npu = devm_kzalloc(&pdev->dev, sizeof(*npu), GFP_KERNEL);
	if (!npu)
		return -ENOMEM;

	npu->adev = aiot_npu_register(&pdev->dev, &aiot_sim_npu_desc,
				      &aiot_sim_npu_ops, npu);
	if (IS_ERR(npu->adev))
		return dev_err_probe(&pdev->dev, PTR_ERR(npu->adev),
				     "cannot register the NPU\n");

	platform_set_drvdata(pdev, npu);
	return 0;
}

static void aiot_sim_npu_remove(struct platform_device *pdev)
{
	struct aiot_sim_npu *npu = platform_get_drvdata(pdev);

	aiot_npu_unregister(npu->adev);
}
AIOT_DEFINE_PLATFORM_REMOVE(aiot_sim_npu_remove)

static const struct of_device_id aiot_sim_npu_of_match[] = {
	{ .compatible = "aiot,sim-npu" },
	{ }
};
MODULE_DEVICE_TABLE(of, aiot_sim_npu_of_match);

struct platform_driver aiot_sim_npu_driver = {
	.probe = aiot_sim_npu_probe,
	.remove = AIOT_PLATFORM_REMOVE(aiot_sim_npu_remove),
	.driver = {
		.name = AIOT_SIM_NPU_NAME,
		.of_match_table = aiot_sim_npu_of_match,
	},
};
