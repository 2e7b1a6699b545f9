// SPDX-License-Identifier: GPL-2.0-only
/*
 * Buffer objects: shmem-backed GEM objects, mmap-able, shareable as
 * dma-bufs; imported dma-bufs (sensor slots) are GEM objects too.
 */

#include <linux/dma-resv.h>
#include <linux/jiffies.h>
#include <linux/sizes.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/aiot_accel.h>

#include "aiot_compat.h"
#include "aiot_device.h"

/* Bigger than any model or sensor ring we run, small enough to never wrap. */
#define AIOT_BO_MAX_SIZE	SZ_1G

int aiot_ioctl_bo_create(struct drm_device *drm, void *data,
			 struct drm_file *file)
{
	struct drm_aiot_bo_create *args = data;
	struct drm_gem_shmem_object *shmem;
	int ret;

	if (args->flags)
		return -EINVAL;
	if (!args->size || args->size > AIOT_BO_MAX_SIZE)
		return -EINVAL;

	shmem = drm_gem_shmem_create(drm, PAGE_ALIGN(args->size));
	if (IS_ERR(shmem))
		return PTR_ERR(shmem);

	ret = drm_gem_handle_create(file, &shmem->base, &args->handle);
	/* The handle holds the reference now, or creation failed. */
	drm_gem_object_put(&shmem->base);
	return ret;
}

AIOT_EXPORT_FOR_KUNIT(aiot_ioctl_bo_create);

int aiot_ioctl_bo_mmap_offset(struct drm_device *drm, void *data,
			      struct drm_file *file)
{
	struct drm_aiot_bo_mmap_offset *args = data;
	struct drm_gem_object *obj;
	int ret;

	if (args->flags)
		return -EINVAL;

	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;

	ret = drm_gem_create_mmap_offset(obj);
	if (!ret)
		args->offset = drm_vma_node_offset_addr(&obj->vma_node);
	drm_gem_object_put(obj);
	return ret;
}

int aiot_ioctl_bo_wait(struct drm_device *drm, void *data,
		       struct drm_file *file)
{
	struct drm_aiot_bo_wait *args = data;
	enum dma_resv_usage usage = DMA_RESV_USAGE_READ;
	struct drm_gem_object *obj;
	unsigned long timeout;
	long ret;

	if (args->flags & ~DRM_AIOT_BO_WAIT_WRITERS)
		return -EINVAL;
	if (args->timeout_ns < 0)
		return -EINVAL;
	if (args->flags & DRM_AIOT_BO_WAIT_WRITERS)
		usage = DMA_RESV_USAGE_WRITE;

	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;

	timeout = nsecs_to_jiffies64(args->timeout_ns);
	timeout = min_t(u64, timeout, MAX_SCHEDULE_TIMEOUT);
	ret = dma_resv_wait_timeout(obj->resv, usage, true, timeout);
	drm_gem_object_put(obj);
	if (ret == 0)
		return -ETIME;
	return ret < 0 ? ret : 0;
}
