/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _AIOT_DEVICE_H_
#define _AIOT_DEVICE_H_

#include <linux/atomic.h>
#include <drm/drm_device.h>

#include "aiot_npu.h"

#define AIOT_DRIVER_MAJOR	0
#define AIOT_DRIVER_MINOR	1
#define AIOT_DRIVER_PATCH	0

struct dentry;
struct drm_aiot_device_info;

/**
 * struct aiot_device - one accelerator
 * @drm: the DRM device, first so that container_of() is free
 * @desc: the backend's description
 * @ops: the backend's callbacks; only called inside drm_dev_enter()
 * @priv: the backend's private data
 * @debugfs: this device's directory under <debugfs>/aiot/
 * @open_files: number of open file descriptions, for debugfs
 */
struct aiot_device {
	struct drm_device drm;
	const struct aiot_npu_desc *desc;
	const struct aiot_npu_ops *ops;
	void *priv;
	struct dentry *debugfs;
	atomic_t open_files;
};

static inline struct aiot_device *to_aiot_device(struct drm_device *drm)
{
	return container_of(drm, struct aiot_device, drm);
}

/**
 * struct aiot_file - per-open-file context of the accelerator
 * @adev: the device this file was opened on
 */
struct aiot_file {
	struct aiot_device *adev;
};

extern const struct drm_driver aiot_drm_driver;

u64 aiot_device_capabilities(const struct aiot_device *adev);
void aiot_device_fill_info(const struct aiot_device *adev,
			   struct drm_aiot_device_info *info);

int aiot_ioctl_query(struct drm_device *drm, void *data,
		     struct drm_file *file);
int aiot_query_copy_out(u64 uptr, u32 *usize, const void *kbuf,
			u32 ksize);

void aiot_debugfs_init(void);
void aiot_debugfs_exit(void);
void aiot_debugfs_device_add(struct aiot_device *adev);
void aiot_debugfs_device_remove(struct aiot_device *adev);

extern const struct attribute_group *aiot_device_groups[];

#endif /* _AIOT_DEVICE_H_ */
