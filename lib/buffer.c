// SPDX-License-Identifier: LGPL-2.1-or-later
/* Buffer objects: create, import/export as dma-buf, map, wait, free. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xf86drm.h>

#include "internal.h"

/* The uAPI's limit for one buffer. */
#define AIOT_BUFFER_MAX_SIZE	(1024ull * 1024 * 1024)

static struct aiot_buffer *buffer_new(struct aiot_accel *accel, uint32_t handle,
				      size_t size, bool imported)
{
	struct aiot_buffer *buf = calloc(1, sizeof(*buf));

	if (!buf)
		return NULL;
	buf->accel = accel;
	buf->handle = handle;
	buf->size = size;
	buf->imported = imported;
	atomic_init(&buf->map, NULL);
	return buf;
}

static void gem_close(int fd, uint32_t handle)
{
	struct drm_gem_close close_arg = { .handle = handle };

	drmIoctl(fd, DRM_IOCTL_GEM_CLOSE, &close_arg);
}

/* Count one more user of an imported handle. Called with import_lock. */
static int import_ref_get(struct aiot_accel *accel, uint32_t handle)
{
	struct aiot_import_ref *grown;

	for (size_t i = 0; i < accel->import_count; i++) {
		if (accel->imports[i].handle == handle) {
			accel->imports[i].refs++;
			return 0;
		}
	}
	if (accel->import_count == accel->import_capacity) {
		size_t cap = accel->import_capacity ? 2 * accel->import_capacity : 8;

		grown = realloc(accel->imports, cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		accel->imports = grown;
		accel->import_capacity = cap;
	}
	accel->imports[accel->import_count++] =
		(struct aiot_import_ref){ .handle = handle, .refs = 1 };
	return 0;
}

/* Drop a user; true if it was the last one. Called with import_lock. */
static bool import_ref_put(struct aiot_accel *accel, uint32_t handle)
{
	for (size_t i = 0; i < accel->import_count; i++) {
		if (accel->imports[i].handle != handle)
			continue;
		if (--accel->imports[i].refs)
			return false;
		accel->imports[i] = accel->imports[--accel->import_count];
		return true;
	}
	return true;
}

int aiot_buffer_create(struct aiot_accel *accel, size_t size,
		       struct aiot_buffer **buffer_out)
{
	struct drm_aiot_bo_create create = { 0 };
	struct aiot_buffer *buf;
	long page = sysconf(_SC_PAGESIZE);

	if (!accel || !buffer_out || !size || size > AIOT_BUFFER_MAX_SIZE)
		return -EINVAL;
	if (!aiot_accel_has_capability(accel, AIOT_ACCEL_CAP_BO))
		return -EOPNOTSUPP;
	create.size = size;
	if (drmIoctl(accel->fd, DRM_IOCTL_AIOT_BO_CREATE, &create))
		return -errno;
	/* The kernel rounds up to pages; the mapping covers what it made. */
	size = (size + (size_t)page - 1) & ~((size_t)page - 1);
	buf = buffer_new(accel, create.handle, size, false);
	pthread_mutex_lock(&accel->import_lock);
	if (!buf || import_ref_get(accel, create.handle)) {
		gem_close(accel->fd, create.handle);
		pthread_mutex_unlock(&accel->import_lock);
		free(buf);
		return -ENOMEM;
	}
	pthread_mutex_unlock(&accel->import_lock);
	aiot_stat_add(accel, AIOT_STAT_BUFFERS, 1);
	*buffer_out = buf;
	return 0;
}

int aiot_buffer_import_dmabuf(struct aiot_accel *accel, int dmabuf_fd,
			      struct aiot_buffer **buffer_out)
{
	struct aiot_buffer *buf;
	uint32_t handle;
	off_t size;
	int ret;

	if (!accel || !buffer_out)
		return -EINVAL;
	if (dmabuf_fd < 0)
		return -EBADF;
	if (!aiot_accel_has_capability(accel, AIOT_ACCEL_CAP_BO))
		return -EOPNOTSUPP;
	/* A dma-buf reports its size through lseek(SEEK_END). */
	size = lseek(dmabuf_fd, 0, SEEK_END);
	if (size < 0)
		return errno == ESPIPE ? -EBADF : -errno;
	lseek(dmabuf_fd, 0, SEEK_SET);
	if (size == 0)
		return -EBADF;

	pthread_mutex_lock(&accel->import_lock);
	if (drmPrimeFDToHandle(accel->fd, dmabuf_fd, &handle)) {
		ret = -errno;
		pthread_mutex_unlock(&accel->import_lock);
		return ret;
	}
	ret = import_ref_get(accel, handle);
	if (ret) {
		if (import_ref_put(accel, handle))
			gem_close(accel->fd, handle);
		pthread_mutex_unlock(&accel->import_lock);
		return ret;
	}
	buf = buffer_new(accel, handle, (size_t)size, true);
	if (!buf) {
		if (import_ref_put(accel, handle))
			gem_close(accel->fd, handle);
		pthread_mutex_unlock(&accel->import_lock);
		return -ENOMEM;
	}
	pthread_mutex_unlock(&accel->import_lock);
	aiot_stat_add(accel, AIOT_STAT_BUFFERS, 1);
	*buffer_out = buf;
	return 0;
}

int aiot_buffer_export_dmabuf(struct aiot_buffer *buffer)
{
	int fd;

	if (!buffer)
		return -EINVAL;
	if (drmPrimeHandleToFD(buffer->accel->fd, buffer->handle,
			       DRM_CLOEXEC | DRM_RDWR, &fd))
		return -errno;
	return fd;
}

int aiot_buffer_map(struct aiot_buffer *buffer, void **ptr_out)
{
	struct drm_aiot_bo_mmap_offset arg = { 0 };
	void *ptr, *expected = NULL;

	if (!buffer || !ptr_out)
		return -EINVAL;
	ptr = atomic_load(&buffer->map);
	if (ptr) {
		*ptr_out = ptr;
		return 0;
	}
	arg.handle = buffer->handle;
	if (drmIoctl(buffer->accel->fd, DRM_IOCTL_AIOT_BO_MMAP_OFFSET, &arg))
		return -errno;
	ptr = mmap(NULL, buffer->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   buffer->accel->fd, (off_t)arg.offset);
	if (ptr == MAP_FAILED)
		return -errno;
	/* Two threads may map at once: the first to publish wins. */
	if (!atomic_compare_exchange_strong(&buffer->map, &expected, ptr)) {
		munmap(ptr, buffer->size);
		ptr = expected;
	}
	*ptr_out = ptr;
	return 0;
}

int aiot_buffer_wait(struct aiot_buffer *buffer, unsigned int flags,
		     int64_t timeout_ns)
{
	struct drm_aiot_bo_wait arg = { 0 };

	if (!buffer || (flags & ~AIOT_BUFFER_WAIT_WRITERS))
		return -EINVAL;
	arg.handle = buffer->handle;
	arg.flags = flags & AIOT_BUFFER_WAIT_WRITERS ? DRM_AIOT_BO_WAIT_WRITERS : 0;
	arg.timeout_ns = aiot_timeout_to_uapi(timeout_ns);
	if (drmIoctl(buffer->accel->fd, DRM_IOCTL_AIOT_BO_WAIT, &arg))
		return -errno;
	return 0;
}

size_t aiot_buffer_get_size(const struct aiot_buffer *buffer)
{
	return buffer ? buffer->size : 0;
}

uint32_t aiot_buffer_get_handle(const struct aiot_buffer *buffer)
{
	return buffer ? buffer->handle : 0;
}

void aiot_buffer_free(struct aiot_buffer *buffer)
{
	struct aiot_accel *accel;
	void *map;

	if (!buffer)
		return;
	accel = buffer->accel;
	map = atomic_load(&buffer->map);
	if (map)
		munmap(map, buffer->size);
	pthread_mutex_lock(&accel->import_lock);
	if (import_ref_put(accel, buffer->handle))
		gem_close(accel->fd, buffer->handle);
	pthread_mutex_unlock(&accel->import_lock);
	aiot_stat_sub(accel, AIOT_STAT_BUFFERS, 1);
	free(buffer);
}
