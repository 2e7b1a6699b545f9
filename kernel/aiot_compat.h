/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Differences between the kernels aiot supports (6.1 LTS and 6.12 LTS), kept
 * in one place so the rest of the driver reads like plain upstream code.
 */
#ifndef _AIOT_COMPAT_H_
#define _AIOT_COMPAT_H_

#include <linux/version.h>
#include <drm/drm_drv.h>
#include <drm/drm_gem.h>

#if IS_ENABLED(CONFIG_DRM_ACCEL)
#include <drm/drm_accel.h>

/* The accelerator is a compute accel device: /dev/accel/accelN. */
#define AIOT_DRIVER_NODE_FEATURES	DRIVER_COMPUTE_ACCEL
#define AIOT_HAS_ACCEL_NODE		true
#define AIOT_DEFINE_FOPS(name)		DEFINE_DRM_ACCEL_FOPS(name)
#else
/* 6.1 has no DRM accel subsystem: fall back to a render node. */
#define AIOT_DRIVER_NODE_FEATURES	DRIVER_RENDER
#define AIOT_HAS_ACCEL_NODE		false
#define AIOT_DEFINE_FOPS(name)		DEFINE_DRM_GEM_FOPS(name)
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
