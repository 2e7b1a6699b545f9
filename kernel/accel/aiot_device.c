// SPDX-License-Identifier: GPL-2.0-only
/*
 * Registration of an accelerator by its hardware backend, and what the core
 * reports about it (capabilities, device info, sysfs).
 */

#include <linux/device.h>
#include <linux/moduleparam.h>
#include <linux/export.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <drm/drm_drv.h>
#include <drm/aiot_accel.h>

#include "aiot_check.h"
#include "aiot_compat.h"
#include "aiot_device.h"

static unsigned int job_timeout_ms = 2000;
module_param(job_timeout_ms, uint, 0444);
MODULE_PARM_DESC(job_timeout_ms,
		 "A job making no progress for this long is reset (default: 2000)");

static unsigned long long max_job_work = AIOT_MAX_JOB_WORK;
module_param(max_job_work, ullong, 0644);
MODULE_PARM_DESC(max_job_work,
		 "Most work (multiply-accumulates, elements moved) one job may carry; at most and by default 2^32");

static unsigned int max_jobs_in_flight = AIOT_MAX_JOBS_IN_FLIGHT;
module_param(max_jobs_in_flight, uint, 0644);
MODULE_PARM_DESC(max_jobs_in_flight,
		 "Most unfinished jobs of one open file; 1 to 1024 (default: 1024)");

/**
 * aiot_device_max_job_work() - the work limit of one job
 * @adev: the device
 *
 * Return: %AIOT_MAX_JOB_WORK, or less if the module parameter says so.
 */
u64 aiot_device_max_job_work(const struct aiot_device *adev)
{
	return min_t(u64, READ_ONCE(max_job_work), AIOT_MAX_JOB_WORK);
}

/**
 * aiot_device_max_jobs_in_flight() - the cap on a file's unfinished jobs
 * @adev: the device
 *
 * Return: %AIOT_MAX_JOBS_IN_FLIGHT, or less (at least 1) if the module
 * parameter says so.
 */
u32 aiot_device_max_jobs_in_flight(const struct aiot_device *adev)
{
	return clamp_t(u32, READ_ONCE(max_jobs_in_flight), 1,
		       AIOT_MAX_JOBS_IN_FLIGHT);
}

u64 aiot_device_capabilities(const struct aiot_device *adev)
{
	u64 caps = DRM_AIOT_CAP_BO | DRM_AIOT_CAP_SUBMIT |
		   DRM_AIOT_CAP_SYNC_FILE | DRM_AIOT_CAP_PIPELINE |
		   DRM_AIOT_CAP_PIPELINE_EXTERNAL;

	if (AIOT_HAS_ACCEL_NODE)
		caps |= DRM_AIOT_CAP_ACCEL_NODE;
	return caps;
}

void aiot_device_fill_info(const struct aiot_device *adev,
			   struct drm_aiot_device_info *info)
{
	memset(info, 0, sizeof(*info));
	info->struct_size = sizeof(*info);
	info->uapi_major = AIOT_UAPI_VERSION_MAJOR;
	info->uapi_minor = AIOT_UAPI_VERSION_MINOR;
	info->driver_major = AIOT_DRIVER_MAJOR;
	info->driver_minor = AIOT_DRIVER_MINOR;
	info->driver_patch = AIOT_DRIVER_PATCH;
	info->hw_id = adev->desc->hw_id;
	info->capabilities = aiot_device_capabilities(adev);
	strscpy(info->backend, adev->desc->name, sizeof(info->backend));
	info->isa_version = adev->desc->isa_version;
	info->max_bindings = AIOT_NPU_MAX_BINDINGS;
	info->job_timeout_ms = adev->job_timeout_ms;
	info->max_job_work = aiot_device_max_job_work(adev);
	info->max_jobs_in_flight = aiot_device_max_jobs_in_flight(adev);
}

/*
 * The parent's drvdata belongs to the backend, so the core finds its device
 * from the parent through a devres entry keyed by this (empty) release.
 */
static void aiot_parent_link_release(struct device *dev, void *res)
{
}

static struct aiot_device *dev_to_aiot(struct device *dev)
{
	struct aiot_device **link;

	link = devres_find(dev, aiot_parent_link_release, NULL, NULL);
	return link ? *link : NULL;
}

/**
 * aiot_npu_register() - create the accelerator device of an NPU backend
 * @parent: the backend's device (e.g. its platform device); the DRM device
 *	is bound to its lifetime and must be unregistered before it unbinds
 * @desc: static description of the hardware, must outlive the registration
 * @ops: the backend's callbacks, must outlive the registration
 * @priv: the backend's private data, handed back in callbacks
 *
 * Return: the new device, or an ERR_PTR().
 */
struct aiot_device *aiot_npu_register(struct device *parent,
				      const struct aiot_npu_desc *desc,
				      const struct aiot_npu_ops *ops,
				      void *priv)
{
	const struct aiot_checker *checker;
	struct aiot_device *adev, **link;
	int ret;

	if (!desc || !desc->name || !ops || !ops->run || !ops->reset)
		return ERR_PTR(-EINVAL);
	/* A backend says how it reaches memory: by the CPU or by DMA. */
	if (desc->mem != AIOT_NPU_MEM_CPU && desc->mem != AIOT_NPU_MEM_DMA)
		return ERR_PTR(-EINVAL);
	checker = aiot_checker_find(desc->isa_version);
	if (!checker) {
		dev_err(parent, "%s: no command-stream checker for ISA %u.%u\n",
			desc->name, desc->isa_version >> 16,
			desc->isa_version & 0xffff);
		return ERR_PTR(-EOPNOTSUPP);
	}

	adev = devm_drm_dev_alloc(parent, &aiot_drm_driver,
				  struct aiot_device, drm);
	if (IS_ERR(adev))
		return adev;

	adev->desc = desc;
	adev->checker = checker;
	adev->ops = ops;
	adev->priv = priv;
	atomic_set(&adev->open_files, 0);
	adev->job_timeout_ms = max(desc->job_timeout_ms ?: job_timeout_ms, 10u);

	ret = aiot_dev_dma_init(adev);
	if (ret)
		return ERR_PTR(ret);

	ret = aiot_sched_init(adev);
	if (ret)
		return ERR_PTR(ret);

	link = devres_alloc(aiot_parent_link_release, sizeof(*link), GFP_KERNEL);
	if (!link)
		return ERR_PTR(-ENOMEM);
	*link = adev;
	devres_add(parent, link);

	ret = devm_device_add_group(parent, aiot_device_groups[0]);
	if (ret)
		return ERR_PTR(ret);

	ret = drm_dev_register(&adev->drm, 0);
	if (ret)
		return ERR_PTR(ret);

	aiot_debugfs_device_add(adev);
	return adev;
}
EXPORT_SYMBOL_GPL(aiot_npu_register);

/**
 * aiot_npu_unregister() - remove an accelerator from userspace's view
 * @adev: the device from aiot_npu_register()
 *
 * Files still open keep the &struct aiot_device alive but get -ENODEV from
 * every ioctl; the backend's callbacks are never called again once this
 * returns, so the backend may go away.
 */
void aiot_npu_unregister(struct aiot_device *adev)
{
	aiot_debugfs_device_remove(adev);
	drm_dev_unplug(&adev->drm);
}
EXPORT_SYMBOL_GPL(aiot_npu_unregister);

/**
 * aiot_npu_suspend() - the system goes to sleep: hold the job timeout
 * @adev: the device from aiot_npu_register()
 *
 * A backend's suspend callback calls it before it quiesces: jobs that it
 * holds until resume must not time out while the system sleeps.
 */
void aiot_npu_suspend(struct aiot_device *adev)
{
	adev->timeout_left = drm_sched_suspend_timeout(&adev->sched);
}
EXPORT_SYMBOL_GPL(aiot_npu_suspend);

/**
 * aiot_npu_resume() - the system woke up: the job timeout runs again
 * @adev: the device from aiot_npu_register()
 *
 * From the backend's resume callback, once it runs jobs again. The time
 * asleep does not count as time without progress.
 */
void aiot_npu_resume(struct aiot_device *adev)
{
	WRITE_ONCE(adev->last_progress_ns, ktime_get_ns());
	drm_sched_resume_timeout(&adev->sched, adev->timeout_left);
}
EXPORT_SYMBOL_GPL(aiot_npu_resume);

/**
 * aiot_npu_priv() - the backend's private data
 * @adev: the device from aiot_npu_register()
 *
 * Return: what the backend passed as @priv.
 */
void *aiot_npu_priv(struct aiot_device *adev)
{
	return adev->priv;
}
EXPORT_SYMBOL_GPL(aiot_npu_priv);

/* sysfs: <parent>/aiot/ — what udev rules and aiot-info read. */

static ssize_t backend_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	struct aiot_device *adev = dev_to_aiot(dev);

	return adev ? sysfs_emit(buf, "%s\n", adev->desc->name) : -ENODEV;
}
static DEVICE_ATTR_RO(backend);

static ssize_t hw_id_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct aiot_device *adev = dev_to_aiot(dev);

	return adev ? sysfs_emit(buf, "0x%08x\n", adev->desc->hw_id) : -ENODEV;
}
static DEVICE_ATTR_RO(hw_id);

static ssize_t capabilities_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	struct aiot_device *adev = dev_to_aiot(dev);

	return adev ? sysfs_emit(buf, "0x%016llx\n",
				 aiot_device_capabilities(adev)) : -ENODEV;
}
static DEVICE_ATTR_RO(capabilities);

static ssize_t uapi_version_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u.%u\n", AIOT_UAPI_VERSION_MAJOR,
			  AIOT_UAPI_VERSION_MINOR);
}
static DEVICE_ATTR_RO(uapi_version);

static ssize_t driver_version_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u.%u.%u\n", AIOT_DRIVER_MAJOR,
			  AIOT_DRIVER_MINOR, AIOT_DRIVER_PATCH);
}
static DEVICE_ATTR_RO(driver_version);

/*
 * The device-wide job counters and busy time, one value a file (the
 * stable interface aiot-info reads; debugfs state is not an ABI).
 */
#define AIOT_STAT_ATTR(_name, _field)					\
static ssize_t _name##_show(struct device *dev,				\
			    struct device_attribute *attr, char *buf)	\
{									\
	struct aiot_device *adev = dev_to_aiot(dev);			\
									\
	return adev ? sysfs_emit(buf, "%lld\n",				\
				 atomic64_read(&adev->stats._field)) :	\
		      -ENODEV;						\
}									\
static DEVICE_ATTR_RO(_name)

AIOT_STAT_ATTR(jobs_submitted, submitted);
AIOT_STAT_ATTR(jobs_completed, completed);
AIOT_STAT_ATTR(jobs_failed, failed);
AIOT_STAT_ATTR(jobs_timed_out, timeouts);
AIOT_STAT_ATTR(busy_ns, busy_ns);

static ssize_t open_files_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct aiot_device *adev = dev_to_aiot(dev);

	return adev ? sysfs_emit(buf, "%d\n", atomic_read(&adev->open_files)) :
		      -ENODEV;
}
static DEVICE_ATTR_RO(open_files);

static struct attribute *aiot_device_attrs[] = {
	&dev_attr_backend.attr,
	&dev_attr_hw_id.attr,
	&dev_attr_capabilities.attr,
	&dev_attr_uapi_version.attr,
	&dev_attr_driver_version.attr,
	&dev_attr_jobs_submitted.attr,
	&dev_attr_jobs_completed.attr,
	&dev_attr_jobs_failed.attr,
	&dev_attr_jobs_timed_out.attr,
	&dev_attr_busy_ns.attr,
	&dev_attr_open_files.attr,
	NULL,
};

static const struct attribute_group aiot_device_group = {
	.name = "aiot",
	.attrs = aiot_device_attrs,
};

const struct attribute_group *aiot_device_groups[] = {
	&aiot_device_group,
	NULL,
};
