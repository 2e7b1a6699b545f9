// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot: the NPU core, a DRM accel driver. It owns the accelerator's DRM
 * device and uAPI; NPU backends (aiot-sim.ko or a board's driver) register
 * with it through aiot_npu.h. The sensor streams are aiot-sensor.ko's.
 */

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_print.h>
#include <drm/aiot_accel.h>

#include "aiot_compat.h"
#include "aiot_device.h"

static int aiot_open(struct drm_device *drm, struct drm_file *file)
{
	struct aiot_device *adev = to_aiot_device(drm);
	struct aiot_file *afile;

	int ret;

	/* Any process may ask: a failure is its ENOMEM, not a kernel warning. */
	afile = kvzalloc(sizeof(*afile), GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!afile)
		return -ENOMEM;

	ret = aiot_file_init(afile, adev);
	if (ret) {
		kvfree(afile);
		return ret;
	}
	file->driver_priv = afile;
	atomic_inc(&adev->open_files);
	return 0;
}

static void aiot_postclose(struct drm_device *drm, struct drm_file *file)
{
	struct aiot_file *afile = file->driver_priv;

	atomic_dec(&afile->adev->open_files);
	aiot_pipeline_file_close(afile);
	aiot_file_close(afile);
	/* Jobs still on the device keep the context until they finish. */
	aiot_file_put(afile);
}

#if AIOT_HAS_FDINFO
/* drm-usage-stats: what this client used the NPU for. */
static void aiot_show_fdinfo(struct drm_printer *p, struct drm_file *file)
{
	struct aiot_file *afile = file->driver_priv;

	drm_printf(p, "drm-engine-npu:\t%llu ns\n",
		   (u64)atomic64_read(&afile->stats.busy_ns));
	drm_printf(p, "aiot-jobs-submitted:\t%llu\n",
		   (u64)atomic64_read(&afile->stats.submitted));
	drm_printf(p, "aiot-jobs-completed:\t%llu\n",
		   (u64)atomic64_read(&afile->stats.completed));
	drm_printf(p, "aiot-jobs-failed:\t%llu\n",
		   (u64)atomic64_read(&afile->stats.failed));
}
#endif

static const struct drm_ioctl_desc aiot_ioctls[] = {
	DRM_IOCTL_DEF_DRV(AIOT_QUERY, aiot_ioctl_query, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(AIOT_BO_CREATE, aiot_ioctl_bo_create, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(AIOT_BO_MMAP_OFFSET, aiot_ioctl_bo_mmap_offset,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(AIOT_BO_WAIT, aiot_ioctl_bo_wait, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(AIOT_SUBMIT, aiot_ioctl_submit, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(AIOT_JOB_WAIT, aiot_ioctl_job_wait, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(AIOT_PIPELINE_CREATE, aiot_ioctl_pipeline_create,
			  DRM_RENDER_ALLOW),
};

#if IS_ENABLED(CONFIG_DRM_ACCEL)
/*
 * The DRM core gives an accel node's files every core ioctl: it checks
 * DRM_RENDER_ALLOW for render nodes only, and some ioctls that are not
 * render-allowed use the file's DRM master, which an accel file never has
 * (GET_UNIQUE: a NULL pointer dereference in drm_getunique(), found by
 * tests/fuzz/guest). Refuse them with -EACCES as a render node does: what
 * passes is the driver's own ioctls and the core's render-allowed ones.
 */
static bool aiot_accel_ioctl_allowed(unsigned int cmd)
{
	unsigned int nr = DRM_IOCTL_NR(cmd);

	if (nr >= DRM_COMMAND_BASE && nr < DRM_COMMAND_END)
		return true;
	switch (nr) {
	case DRM_IOCTL_NR(DRM_IOCTL_VERSION):
	case DRM_IOCTL_NR(DRM_IOCTL_GET_CAP):
	case DRM_IOCTL_NR(DRM_IOCTL_GEM_CLOSE):
	case DRM_IOCTL_NR(DRM_IOCTL_PRIME_HANDLE_TO_FD):
	case DRM_IOCTL_NR(DRM_IOCTL_PRIME_FD_TO_HANDLE):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_CREATE):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_DESTROY):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_TRANSFER):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_WAIT):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_EVENTFD):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_RESET):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_SIGNAL):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_QUERY):
		return true;
	default:
		return false;
	}
}

static long aiot_accel_ioctl(struct file *filp, unsigned int cmd,
			     unsigned long arg)
{
	if (!aiot_accel_ioctl_allowed(cmd))
		return -EACCES;
	return drm_ioctl(filp, cmd, arg);
}

#ifdef CONFIG_COMPAT
static long aiot_accel_compat_ioctl(struct file *filp, unsigned int cmd,
				    unsigned long arg)
{
	if (!aiot_accel_ioctl_allowed(cmd))
		return -EACCES;
	return drm_compat_ioctl(filp, cmd, arg);
}
#else
#define aiot_accel_compat_ioctl NULL
#endif
#endif

AIOT_DEFINE_FOPS(aiot_fops);

const struct drm_driver aiot_drm_driver = {
	.driver_features = AIOT_DRIVER_NODE_FEATURES | DRIVER_GEM |
			   DRIVER_SYNCOBJ,
	.open = aiot_open,
	.postclose = aiot_postclose,
#if AIOT_HAS_FDINFO
	.show_fdinfo = aiot_show_fdinfo,
#endif
	DRM_GEM_SHMEM_DRIVER_OPS,
	.gem_create_object = aiot_gem_create_object,
	.gem_prime_import = aiot_gem_prime_import,
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
	int ret;

	ret = aiot_job_init_module();
	if (ret)
		return ret;
	aiot_debugfs_init();
	return 0;
}

static void __exit aiot_exit(void)
{
	aiot_debugfs_exit();
	/* Drains job cleanups that still run this module's code. */
	aiot_job_exit_module();
}

module_init(aiot_init);
module_exit(aiot_exit);

MODULE_DESCRIPTION("aiot NPU core: DRM accel device");
MODULE_AUTHOR("The aiot authors");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(DMA_BUF);
MODULE_VERSION(__stringify(AIOT_DRIVER_MAJOR) "." __stringify(AIOT_DRIVER_MINOR)
	       "." __stringify(AIOT_DRIVER_PATCH));
