// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Accelerator objects: open (by path or discovered with libudev), query,
 * counters, close.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <libudev.h>
#include <xf86drm.h>

#include "internal.h"

static int query_device_info(int fd, struct drm_aiot_device_info *info)
{
	struct drm_aiot_query q = {
		.type = DRM_AIOT_QUERY_DEVICE_INFO,
		.size = sizeof(*info),
		.ptr = (uintptr_t)info,
	};

	/* A shorter answer (older driver) leaves the tail zero: "absent". */
	memset(info, 0, sizeof(*info));
	if (drmIoctl(fd, DRM_IOCTL_AIOT_QUERY, &q))
		return -errno;
	info->backend[sizeof(info->backend) - 1] = '\0';
	return 0;
}

/* Does this open DRM file belong to the aiot driver? */
static bool is_aiot_node(int fd)
{
	drmVersionPtr v = drmGetVersion(fd);
	bool match;

	if (!v)
		return false;
	match = v->name && strcmp(v->name, AIOT_DRM_DRIVER_NAME) == 0;
	drmFreeVersion(v);
	return match;
}

int aiot_accel_open(const char *path, struct aiot_accel **accel_out)
{
	struct aiot_accel *accel;
	int fd, ret;

	if (!path || !accel_out)
		return -EINVAL;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (!is_aiot_node(fd)) {
		ret = -ENODEV;
		goto err_close;
	}
	accel = calloc(1, sizeof(*accel));
	if (!accel) {
		ret = -ENOMEM;
		goto err_close;
	}
	accel->fd = fd;
	ret = query_device_info(fd, &accel->info);
	if (ret)
		goto err_free;
	if (accel->info.uapi_major != AIOT_UAPI_VERSION_MAJOR) {
		ret = -EPROTONOSUPPORT;
		goto err_free;
	}
	accel->path = strdup(path);
	if (!accel->path) {
		ret = -ENOMEM;
		goto err_free;
	}
	ret = pthread_mutex_init(&accel->import_lock, NULL);
	if (ret) {
		ret = -ret;
		goto err_free;
	}
	*accel_out = accel;
	return 0;

err_free:
	free(accel->path);
	free(accel);
err_close:
	close(fd);
	return ret;
}

/*
 * Candidates of one subsystem, sorted by minor number so that "the first"
 * does not depend on sysfs directory order.
 */
struct node_candidate {
	unsigned int minor;
	char *devnode;
};

static int compare_candidates(const void *a, const void *b)
{
	const struct node_candidate *x = a, *y = b;

	return (x->minor > y->minor) - (x->minor < y->minor);
}

static int open_first_in(struct udev *udev, const char *subsystem,
			 const char *name_prefix, struct aiot_accel **accel_out)
{
	struct udev_enumerate *en = udev_enumerate_new(udev);
	struct udev_list_entry *entry;
	struct node_candidate *cand = NULL;
	size_t count = 0, i;
	int ret = -ENODEV, denied = 0;

	if (!en)
		return -ENOMEM;
	if (udev_enumerate_add_match_subsystem(en, subsystem) < 0 ||
	    udev_enumerate_scan_devices(en) < 0)
		goto out;
	udev_list_entry_foreach(entry, udev_enumerate_get_list_entry(en)) {
		struct udev_device *dev =
			udev_device_new_from_syspath(udev, udev_list_entry_get_name(entry));
		const char *node = dev ? udev_device_get_devnode(dev) : NULL;
		const char *sysname = dev ? udev_device_get_sysname(dev) : NULL;
		struct node_candidate *grown;

		if (node && sysname &&
		    strncmp(sysname, name_prefix, strlen(name_prefix)) == 0) {
			grown = realloc(cand, (count + 1) * sizeof(*cand));
			if (grown) {
				cand = grown;
				cand[count].minor = minor(udev_device_get_devnum(dev));
				cand[count].devnode = strdup(node);
				if (cand[count].devnode)
					count++;
			}
		}
		udev_device_unref(dev);
	}
	if (count)
		qsort(cand, count, sizeof(*cand), compare_candidates);
	for (i = 0; i < count; i++) {
		int r = aiot_accel_open(cand[i].devnode, accel_out);

		/* Another driver's node, or one we may not open: keep looking. */
		if (r == 0) {
			ret = 0;
			break;
		}
		if (r == -ENOMEM) {
			ret = r;
			break;
		}
		if (r == -EACCES || r == -EPERM)
			denied = r;
	}
	/* Nothing opened, but a node refused us: say that, not "no device". */
	if (ret == -ENODEV && denied)
		ret = denied;
out:
	for (i = 0; i < count; i++)
		free(cand[i].devnode);
	free(cand);
	udev_enumerate_unref(en);
	return ret;
}

int aiot_accel_open_default(struct aiot_accel **accel_out)
{
	struct udev *udev;
	int ret;

	if (!accel_out)
		return -EINVAL;
	udev = udev_new();
	if (!udev)
		return -ENOMEM;
	ret = open_first_in(udev, "accel", "accel", accel_out);
	if (ret == -ENODEV || ret == -EACCES || ret == -EPERM) {
		int r = open_first_in(udev, "drm", "renderD", accel_out);

		if (r != -ENODEV || ret == -ENODEV)
			ret = r;
	}
	udev_unref(udev);
	return ret;
}

void aiot_accel_close(struct aiot_accel *accel)
{
	if (!accel)
		return;
	close(accel->fd);
	pthread_mutex_destroy(&accel->import_lock);
	free(accel->imports);
	free(accel->path);
	free(accel);
}

const char *aiot_accel_get_path(const struct aiot_accel *accel)
{
	return accel ? accel->path : NULL;
}

int aiot_accel_get_fd(const struct aiot_accel *accel)
{
	return accel ? accel->fd : -EINVAL;
}

bool aiot_accel_has_capability(const struct aiot_accel *accel, uint64_t caps)
{
	return accel && (accel->info.capabilities & caps) == caps;
}

int aiot_accel_get_info(struct aiot_accel *accel, struct aiot_accel_info **info_out)
{
	struct aiot_accel_info *info;
	int ret;

	if (!accel || !info_out)
		return -EINVAL;
	info = calloc(1, sizeof(*info));
	if (!info)
		return -ENOMEM;
	ret = query_device_info(accel->fd, &info->info);
	if (ret) {
		free(info);
		return ret;
	}
	*info_out = info;
	return 0;
}

uint64_t aiot_accel_get_stat(const struct aiot_accel *accel, enum aiot_stat stat)
{
	if (!accel || (unsigned int)stat >= AIOT_STAT_COUNT_)
		return 0;
	return atomic_load_explicit(&accel->stats[stat], memory_order_relaxed);
}

void aiot_accel_info_free(struct aiot_accel_info *info)
{
	free(info);
}

const char *aiot_accel_info_get_backend(const struct aiot_accel_info *info)
{
	return info ? info->info.backend : "";
}

uint64_t aiot_accel_info_get_capabilities(const struct aiot_accel_info *info)
{
	return info ? info->info.capabilities : 0;
}

unsigned int aiot_accel_info_get_uapi_major(const struct aiot_accel_info *info)
{
	return info ? info->info.uapi_major : 0;
}

unsigned int aiot_accel_info_get_uapi_minor(const struct aiot_accel_info *info)
{
	return info ? info->info.uapi_minor : 0;
}

void aiot_accel_info_get_driver_version(const struct aiot_accel_info *info,
					unsigned int *major, unsigned int *minor,
					unsigned int *patch)
{
	if (major)
		*major = info ? info->info.driver_major : 0;
	if (minor)
		*minor = info ? info->info.driver_minor : 0;
	if (patch)
		*patch = info ? info->info.driver_patch : 0;
}

uint32_t aiot_accel_info_get_hw_id(const struct aiot_accel_info *info)
{
	return info ? info->info.hw_id : 0;
}

uint32_t aiot_accel_info_get_isa_version(const struct aiot_accel_info *info)
{
	return info ? info->info.isa_version : 0;
}

unsigned int aiot_accel_info_get_max_bindings(const struct aiot_accel_info *info)
{
	return info ? info->info.max_bindings : 0;
}

unsigned int aiot_accel_info_get_job_timeout_ms(const struct aiot_accel_info *info)
{
	return info ? info->info.job_timeout_ms : 0;
}

/* An older driver clears the tail of the answer: 0 means "not reported". */
uint64_t aiot_accel_info_get_max_job_work(const struct aiot_accel_info *info)
{
	return info ? info->info.max_job_work : 0;
}

unsigned int aiot_accel_info_get_max_jobs_in_flight(const struct aiot_accel_info *info)
{
	return info ? info->info.max_jobs_in_flight : 0;
}
