// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot: the framework module. It owns the accelerator's DRM device and uAPI
 * and, later, the sensor stream devices; hardware backends (aiot-sim.ko or a
 * board's driver) register with it through aiot_npu.h.
 */

#include <linux/module.h>
#include <linux/slab.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_ioctl.h>
#include <drm/aiot_accel.h>

#include "aiot_compat.h"
#include "aiot_device.h"

static int aiot_open(struct drm_device *drm, struct drm_file *file)
{
	struct aiot_device *adev = to_aiot_device(drm);
	struct aiot_file *afile;

	afile = kzalloc(sizeof(*afile), GFP_KERNEL);
	if (!afile)
		return -ENOMEM;

	afile->adev = adev;
	file->driver_priv = afile;
	atomic_inc(&adev->open_files);
	return 0;
}

static void aiot_postclose(struct drm_device *drm, struct drm_file *file)
{
	struct aiot_file *afile = file->driver_priv;

	atomic_dec(&afile->adev->open_files);
	kfree(afile);
}

static const struct drm_ioctl_desc aiot_ioctls[] = {
	DRM_IOCTL_DEF_DRV(AIOT_QUERY, aiot_ioctl_query, DRM_RENDER_ALLOW),
};

AIOT_DEFINE_FOPS(aiot_fops);

const struct drm_driver aiot_drm_driver = {
	.driver_features = AIOT_DRIVER_NODE_FEATURES | DRIVER_GEM,
	.open = aiot_open,
	.postclose = aiot_postclose,
	.ioctls = aiot_ioctls,
	.num_ioctls = ARRAY_SIZE(aiot_ioctls),
	.fops = &aiot_fops,
	.name = AIOT_DRM_DRIVER_NAME,
	.desc = "aiot sensor-to-inference accelerator",
	AIOT_DRM_DRIVER_DATE
	.major = AIOT_DRIVER_MAJOR,
	.minor = AIOT_DRIVER_MINOR,
	.patchlevel = AIOT_DRIVER_PATCH,
};

static int __init aiot_init(void)
{
	aiot_debugfs_init();
	return 0;
}

static void __exit aiot_exit(void)
{
	aiot_debugfs_exit();
}

module_init(aiot_init);
module_exit(aiot_exit);

MODULE_DESCRIPTION("aiot sensor-to-inference framework: DRM accel device and sensor streams");
MODULE_AUTHOR("The aiot authors");
MODULE_LICENSE("GPL");
MODULE_VERSION(__stringify(AIOT_DRIVER_MAJOR) "." __stringify(AIOT_DRIVER_MINOR)
	       "." __stringify(AIOT_DRIVER_PATCH));
