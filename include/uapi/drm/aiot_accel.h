/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note OR MIT */
/*
 * aiot accelerator uAPI: the DRM accel device (/dev/accel/accelN, or a render
 * node /dev/dri/renderDN on kernels without DRM accel).
 *
 * Rules this header lives by, because binaries built against it must keep
 * working for years:
 *  - ioctl numbers are append-only; a number is never reused;
 *  - structs only grow at their end, and carry their size where they can grow;
 *  - every flags field rejects unknown bits with -EINVAL;
 *  - every pad/reserved field must be zero (-EINVAL otherwise), so that it can
 *    be given a meaning later.
 */
#ifndef _UAPI_DRM_AIOT_ACCEL_H_
#define _UAPI_DRM_AIOT_ACCEL_H_

#include "drm.h"

#if defined(__cplusplus)
extern "C" {
#endif

/* The DRM driver name reported by DRM_IOCTL_VERSION. */
#define AIOT_DRM_DRIVER_NAME	"aiot"

/*
 * uAPI version: the major changes only if compatibility is broken (never,
 * we hope); the minor grows with every addition.
 */
#define AIOT_UAPI_VERSION_MAJOR	1
#define AIOT_UAPI_VERSION_MINOR	0

#define DRM_AIOT_QUERY		0x00

#define DRM_IOCTL_AIOT_QUERY \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_AIOT_QUERY, struct drm_aiot_query)

/* What DRM_IOCTL_AIOT_QUERY can be asked about (append-only). */
enum drm_aiot_query_type {
	/* struct drm_aiot_device_info */
	DRM_AIOT_QUERY_DEVICE_INFO = 0,
};

/**
 * struct drm_aiot_query - ask the driver about the device
 * @type: what to query, one of &enum drm_aiot_query_type.
 * @size: in: bytes available at @ptr; out: size of the driver's answer.
 *	Call with @size 0 to learn the size. A smaller buffer gets the first
 *	@size bytes (an older binary sees the fields it knows); a larger one
 *	has its tail cleared.
 * @flags: must be zero.
 * @pad: must be zero.
 * @ptr: user pointer to the answer buffer, may be 0 when @size is 0.
 */
struct drm_aiot_query {
	__u32 type;
	__u32 size;
	__u32 flags;
	__u32 pad;
	__u64 ptr;
};

/* The device node is a DRM accel node (else a render node, on old kernels). */
#define DRM_AIOT_CAP_ACCEL_NODE		(1ULL << 0)

/**
 * struct drm_aiot_device_info - answer to %DRM_AIOT_QUERY_DEVICE_INFO
 * @struct_size: size of this struct as the driver knows it.
 * @uapi_major: %AIOT_UAPI_VERSION_MAJOR of the driver.
 * @uapi_minor: %AIOT_UAPI_VERSION_MINOR of the driver.
 * @driver_major: driver version, major.
 * @driver_minor: driver version, minor.
 * @driver_patch: driver version, patch level.
 * @hw_id: identifier of the hardware backend's silicon or IP revision.
 * @reserved0: zero.
 * @capabilities: DRM_AIOT_CAP_* bits of what this device supports now.
 * @backend: NUL-terminated name of the hardware backend ("aiot-sim-npu").
 */
struct drm_aiot_device_info {
	__u32 struct_size;
	__u32 uapi_major;
	__u32 uapi_minor;
	__u32 driver_major;
	__u32 driver_minor;
	__u32 driver_patch;
	__u32 hw_id;
	__u32 reserved0;
	__u64 capabilities;
	char backend[32];
};

#if defined(__cplusplus)
}
#endif

#endif /* _UAPI_DRM_AIOT_ACCEL_H_ */
