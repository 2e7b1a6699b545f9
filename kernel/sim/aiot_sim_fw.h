/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _AIOT_SIM_FW_H_
#define _AIOT_SIM_FW_H_

#include <linux/types.h>

struct device;

/**
 * struct aiot_sim_fw_info - what the loaded firmware says about itself
 * @version: AIOT_SIM_FW_VERSION(major, minor, patch)
 * @selftest_ns: how long its self-test ran at probe
 */
struct aiot_sim_fw_info {
	u32 version;
	u64 selftest_ns;
};

int aiot_sim_fw_load(struct device *dev, u32 device_isa,
		     struct aiot_sim_fw_info *info);

#endif /* _AIOT_SIM_FW_H_ */
