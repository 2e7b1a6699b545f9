// SPDX-License-Identifier: GPL-2.0-only
/*
 * <debugfs>/aiot/<device>/: the driver's state for people debugging it.
 * Not an ABI: tools use the QUERY ioctl and sysfs instead.
 */

#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/seq_file.h>
#include <drm/drm_drv.h>
#include <drm/aiot_accel.h>

#include "aiot_device.h"

static struct dentry *aiot_debugfs_root;

static int aiot_state_show(struct seq_file *m, void *unused)
{
	struct aiot_device *adev = m->private;

	seq_printf(m, "backend: %s\n", adev->desc->name);
	seq_printf(m, "hw_id: 0x%08x\n", adev->desc->hw_id);
	seq_printf(m, "uapi: %u.%u\n", AIOT_UAPI_VERSION_MAJOR,
		   AIOT_UAPI_VERSION_MINOR);
	seq_printf(m, "capabilities: 0x%016llx\n",
		   aiot_device_capabilities(adev));
	seq_printf(m, "open_files: %d\n", atomic_read(&adev->open_files));
	seq_printf(m, "job_timeout_ms: %u\n", adev->job_timeout_ms);
	seq_printf(m, "jobs_submitted: %lld\n",
		   atomic64_read(&adev->stats.submitted));
	seq_printf(m, "jobs_completed: %lld\n",
		   atomic64_read(&adev->stats.completed));
	seq_printf(m, "jobs_failed: %lld\n", atomic64_read(&adev->stats.failed));
	seq_printf(m, "jobs_timed_out: %lld\n",
		   atomic64_read(&adev->stats.timeouts));
	seq_printf(m, "timeout_checks: %lld\n",
		   atomic64_read(&adev->stats.timeout_checks));
	seq_printf(m, "busy_ns: %lld\n", atomic64_read(&adev->stats.busy_ns));
	seq_printf(m, "jobs_started_by_fence: %lld\n",
		   atomic64_read(&adev->stats.fence_starts));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(aiot_state);

void aiot_debugfs_device_add(struct aiot_device *adev)
{
	adev->debugfs = debugfs_create_dir(dev_name(adev->drm.dev),
					   aiot_debugfs_root);
	debugfs_create_file("state", 0444, adev->debugfs, adev,
			    &aiot_state_fops);
}

void aiot_debugfs_device_remove(struct aiot_device *adev)
{
	debugfs_remove_recursive(adev->debugfs);
	adev->debugfs = NULL;
}

void aiot_debugfs_init(void)
{
	aiot_debugfs_root = debugfs_create_dir("aiot", NULL);
}

void aiot_debugfs_exit(void)
{
	debugfs_remove_recursive(aiot_debugfs_root);
}
