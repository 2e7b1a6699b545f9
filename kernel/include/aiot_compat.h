/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Differences between the kernels aiot supports (6.1 LTS and 6.12 LTS), kept
 * in one place so the rest of the driver reads like plain upstream code.
 * checkpatch's LINUX_VERSION_CODE and unused-macro-argument warnings are
 * expected here, and only here: this file is what an out-of-tree driver has
 * instead of being merged into one kernel version.
 */
#ifndef _AIOT_COMPAT_H_
#define _AIOT_COMPAT_H_

#include <linux/sched.h>
#include <linux/version.h>
#include <drm/drm_drv.h>
#include <drm/drm_gem.h>

#include <drm/drm_file.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/gpu_scheduler.h>

#if IS_ENABLED(CONFIG_DRM_ACCEL)
#include <drm/drm_accel.h>

/* The accelerator is a compute accel device: /dev/accel/accelN. */
#define AIOT_DRIVER_NODE_FEATURES	DRIVER_COMPUTE_ACCEL
#define AIOT_HAS_ACCEL_NODE		true
/*
 * DRM_ACCEL_FOPS with aiot's ioctl entry points (aiot_drv.c), which refuse
 * the DRM core's ioctls that a render node would refuse.
 */
#define AIOT_DEFINE_FOPS(name)						\
	static const struct file_operations name = {			\
		.owner = THIS_MODULE,					\
		.open = accel_open,					\
		.release = drm_release,					\
		.unlocked_ioctl = aiot_accel_ioctl,			\
		.compat_ioctl = aiot_accel_compat_ioctl,		\
		.poll = drm_poll,					\
		.read = drm_read,					\
		.llseek = noop_llseek,					\
		.mmap = drm_gem_mmap,					\
		.fop_flags = FOP_UNSIGNED_OFFSET,			\
		.show_fdinfo = drm_show_fdinfo,				\
	}
#define aiot_node_minor(drm)		((drm)->accel)
#else
/*
 * 6.1 has no DRM accel subsystem, and a kernel built without it (Debian's
 * arm64 6.12) has none either: fall back to a render node.
 */
#define AIOT_DRIVER_NODE_FEATURES	DRIVER_RENDER
#define AIOT_HAS_ACCEL_NODE		false
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
/* DEFINE_DRM_GEM_FOPS has no fdinfo: the render node's clients get it too. */
#define AIOT_DEFINE_FOPS(name)						\
	static const struct file_operations name = {			\
		.owner = THIS_MODULE,					\
		DRM_GEM_FOPS,						\
		.show_fdinfo = drm_show_fdinfo,				\
	}
#else
#define AIOT_DEFINE_FOPS(name)		DEFINE_DRM_GEM_FOPS(name)
#endif
#define aiot_node_minor(drm)		((drm)->render)
#endif

/* Per-client statistics in fdinfo: drm_show_fdinfo() arrived in 6.5. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
#define AIOT_HAS_FDINFO			1
#else
#define AIOT_HAS_FDINFO			0
#endif

/*
 * drm_sched API. Debian's kernels carry backports, so these follow the
 * headers of Debian's 6.1 and 6.12 rather than upstream's version numbers.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#define AIOT_SCHED_PRIORITY_LOW		DRM_SCHED_PRIORITY_LOW
#define aiot_sched_job_init(job, entity, owner, file)			\
	drm_sched_job_init(job, entity, 1, owner, (file)->client_id)
#define aiot_sched_start(sched)		drm_sched_start(sched)
#define AIOT_SCHED_INIT_NUM_RQS(n)	.num_rqs = (n),
/*
 * run_job and free_job run as work items on a workqueue the driver may
 * give (submit_wq): a high-priority one keeps a CPU load from delaying a
 * job's start. The scheduler's own kthread of 6.1 is boosted instead.
 */
#define AIOT_SCHED_HAS_SUBMIT_WQ	1
static inline void
aiot_sched_args_set_submit_wq(struct drm_sched_init_args *args,
			      struct workqueue_struct *wq)
{
	args->submit_wq = wq;
}

static inline void aiot_sched_boost_thread(struct drm_gpu_scheduler *sched)
{
}
#else
#define AIOT_SCHED_PRIORITY_LOW		DRM_SCHED_PRIORITY_MIN
#define aiot_sched_job_init(job, entity, owner, file)			\
	drm_sched_job_init(job, entity, owner)
#define aiot_sched_start(sched)		drm_sched_start(sched, true)
#define AIOT_SCHED_INIT_NUM_RQS(n)
/* 6.1's scheduler runs jobs from its own kthread: no submit_wq. */
#define AIOT_SCHED_HAS_SUBMIT_WQ	0
static inline void
aiot_sched_args_set_submit_wq(struct drm_sched_init_args *args,
			      struct workqueue_struct *wq)
{
}

static inline void aiot_sched_boost_thread(struct drm_gpu_scheduler *sched)
{
	sched_set_fifo_low(sched->thread);
}
#endif

/* vmap of a GEM object without holding its reservation lock. */
static inline int aiot_gem_vmap(struct drm_gem_object *obj,
				struct iosys_map *map)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
	return drm_gem_vmap_unlocked(obj, map);
#else
	return obj->funcs->vmap(obj, map);
#endif
}

static inline void aiot_gem_vunmap(struct drm_gem_object *obj,
				   struct iosys_map *map)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
	drm_gem_vunmap_unlocked(obj, map);
#else
	obj->funcs->vunmap(obj, map);
#endif
}

/* dma_buf_map_attachment() takes the reservation lock itself since 6.2. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#define aiot_dma_buf_map_attachment(a, dir)				\
	dma_buf_map_attachment_unlocked(a, dir)
#define aiot_dma_buf_unmap_attachment(a, sgt, dir)			\
	dma_buf_unmap_attachment_unlocked(a, sgt, dir)
#else
#define aiot_dma_buf_map_attachment(a, dir)				\
	dma_buf_map_attachment(a, dir)
#define aiot_dma_buf_unmap_attachment(a, sgt, dir)			\
	dma_buf_unmap_attachment(a, sgt, dir)
#endif

/* drm_driver.date lost its meaning in 6.12 and is gone in 6.14. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 14, 0)
#define AIOT_DRM_DRIVER_DATE		.date = "20261124",
#else
#define AIOT_DRM_DRIVER_DATE
#endif

/* platform_driver.remove returns void since 6.11 (remove_new before). */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 11, 0)
#define AIOT_PLATFORM_REMOVE(fn)	fn##_compat
#define AIOT_DEFINE_PLATFORM_REMOVE(fn)					\
	static int fn##_compat(struct platform_device *pdev)		\
	{								\
		fn(pdev);						\
		return 0;						\
	}
#else
#define AIOT_PLATFORM_REMOVE(fn)	fn
#define AIOT_DEFINE_PLATFORM_REMOVE(fn)
#endif

/* struct class.devnode takes a const device since 6.2. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
#define AIOT_DEVNODE_CONST
#else
#define AIOT_DEVNODE_CONST		const
#endif

/* vma->vm_flags is changed through helpers since 6.3. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
#include <linux/mm_types.h>
static inline void vm_flags_set(struct vm_area_struct *vma, unsigned long flags)
{
	vma->vm_flags |= flags;
}
#endif

/* Fence deadlines (dma_fence_set_deadline(), &dma_fence_ops.set_deadline) since 6.4. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#define AIOT_HAS_FENCE_DEADLINE		1
#else
#define AIOT_HAS_FENCE_DEADLINE		0
#endif

/*
 * Internal functions that KUnit suites (aiot_kunit.ko) call; exported only
 * in kernels built with KUnit, in the namespace upstream uses for that.
 */
#if IS_ENABLED(CONFIG_KUNIT)
#include <kunit/visibility.h>
#define AIOT_EXPORT_FOR_KUNIT(sym)	EXPORT_SYMBOL_IF_KUNIT(sym)
#else
#define AIOT_EXPORT_FOR_KUNIT(sym)
#endif

#endif /* _AIOT_COMPAT_H_ */
