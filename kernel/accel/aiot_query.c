// SPDX-License-Identifier: GPL-2.0-only
/*
 * DRM_IOCTL_AIOT_QUERY: size-negotiated answers, so that binaries built
 * against an older or a newer uAPI header both keep working.
 */

#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/uaccess.h>
#include <drm/drm_device.h>
#include <drm/aiot_accel.h>

#include "aiot_compat.h"
#include "aiot_device.h"

/**
 * aiot_query_copy_out() - copy a query answer to a user buffer of any size
 * @uptr: user address of the buffer
 * @usize: in: the buffer's size; out: @ksize
 * @kbuf: the answer
 * @ksize: size of the answer
 *
 * A zero @usize only reports the size. A short buffer gets a prefix of the
 * answer; a long one has its tail cleared, so fields the driver does not know
 * read as zero.
 *
 * Return: 0, -EINVAL for a buffer size without a buffer, or -EFAULT.
 */
int aiot_query_copy_out(u64 uptr, u32 *usize, const void *kbuf, u32 ksize)
{
	void __user *ubuf = u64_to_user_ptr(uptr);
	u32 avail = *usize;

	*usize = ksize;
	if (!avail)
		return 0;
	if (!uptr)
		return -EINVAL;

	if (copy_to_user(ubuf, kbuf, min(avail, ksize)))
		return -EFAULT;
	if (avail > ksize && clear_user(ubuf + ksize, avail - ksize))
		return -EFAULT;
	return 0;
}

AIOT_EXPORT_FOR_KUNIT(aiot_query_copy_out);

int aiot_ioctl_query(struct drm_device *drm, void *data,
		     struct drm_file *file)
{
	struct aiot_device *adev = to_aiot_device(drm);
	struct drm_aiot_query *args = data;
	struct drm_aiot_device_info info;

	if (args->flags || args->pad)
		return -EINVAL;

	switch (args->type) {
	case DRM_AIOT_QUERY_DEVICE_INFO:
		aiot_device_fill_info(adev, &info);
		return aiot_query_copy_out(args->ptr, &args->size, &info,
					   sizeof(info));
	default:
		return -EINVAL;
	}
}

AIOT_EXPORT_FOR_KUNIT(aiot_ioctl_query);
