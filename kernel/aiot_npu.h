/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The seam between the aiot core and an NPU hardware backend. The core owns
 * the DRM device, the uAPI and the bookkeeping; a backend only describes its
 * hardware and, through &struct aiot_npu_ops, drives it. The core never
 * touches registers.
 */
#ifndef _AIOT_NPU_H_
#define _AIOT_NPU_H_

#include <linux/types.h>

struct device;
struct aiot_device;

/**
 * struct aiot_npu_ops - what a backend does for the core
 *
 * Empty for now: job execution and reset arrive with the scheduler. Every
 * callback will be optional unless documented otherwise.
 */
struct aiot_npu_ops {
};

/**
 * struct aiot_npu_desc - static description of an NPU backend
 * @name: backend name reported to userspace (at most 31 characters)
 * @hw_id: silicon or IP revision, reported to userspace as is
 */
struct aiot_npu_desc {
	const char *name;
	u32 hw_id;
};

struct aiot_device *aiot_npu_register(struct device *parent,
				      const struct aiot_npu_desc *desc,
				      const struct aiot_npu_ops *ops,
				      void *priv);
void aiot_npu_unregister(struct aiot_device *adev);

#endif /* _AIOT_NPU_H_ */
