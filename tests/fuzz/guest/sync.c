// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-fuzz: PRIME export and import of buffers, DRM syncobjs, the
 * sync_files of jobs and syncobjs, and the dma-bufs of BOs and of sensor
 * slots.
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm.h>
#include <linux/dma-buf.h>
#include <linux/sync_file.h>

#include "fuzz.h"

void keep_dmabuf(struct worker *w, int fd, uint32_t size)
{
	int slot = rn(&w->r, N_DMABUF);

	if (w->dmabuf[slot].fd >= 0)
		CALL(H_DMABUF_CLOSE, close(w->dmabuf[slot].fd));
	w->dmabuf[slot].fd = fd;
	w->dmabuf[slot].size = size;
}

void keep_syncfile(struct worker *w, int fd)
{
	int slot = rn(&w->r, N_SYNCFILE);

	if (w->syncfile[slot] >= 0)
		CALL(H_SYNC_FILE_CLOSE, close(w->syncfile[slot]));
	w->syncfile[slot] = fd;
}

void op_prime_export(struct worker *w)
{
	struct bo *b = some_bo(w);
	struct drm_prime_handle ph = { 0 };

	if (!b)
		return;
	ph.handle = chance(&w->r, 90) ? b->handle : rval32(&w->r);
	ph.flags = chance(&w->r, 90) ? DRM_CLOEXEC | (chance(&w->r, 50) ? DRM_RDWR : 0)
				     : rval32(&w->r);
	ph.fd = -1;
	if (CALL(H_PRIME_EXPORT, xioctl(b->fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &ph)) < 0)
		return;
	keep_dmabuf(w, ph.fd, b->size);
}

void op_prime_import(struct worker *w)
{
	int fd = any_accel(w);
	struct dmabuf *d = &w->dmabuf[rn(&w->r, N_DMABUF)];
	struct drm_prime_handle ph = { 0 };
	struct bo *b;
	int i;

	if (fd < 0)
		return;
	ph.fd = chance(&w->r, 85) ? d->fd : any_fd(w);
	if (chance(&w->r, 5))
		ph.flags = rval32(&w->r);
	if (CALL(H_PRIME_IMPORT, xioctl(fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &ph)) < 0)
		return;
	/* An import of a buffer already known on this fd gives its handle. */
	for (i = 0; i < N_BO; i++)
		if (w->bo[i].fd == fd && w->bo[i].handle == ph.handle)
			return;
	b = free_bo(w);
	if (!b)
		return;
	b->fd = fd;
	b->handle = ph.handle;
	b->size = ph.fd == d->fd ? d->size : 0;
	b->map = NULL;
}

/* ---- syncobjs and sync_files ---- */

void op_syncobj(struct worker *w)
{
	int fd = any_accel(w), k = rn(&w->r, N_SYNCOBJ);
	uint32_t handles[N_SYNCOBJ], n = 0, i;

	if (fd < 0)
		return;
	for (i = 0; i < N_SYNCOBJ; i++)
		if (w->syncobj[i].fd == fd)
			handles[n++] = w->syncobj[i].h;
	switch (rn(&w->r, 7)) {
	case 0: {
		struct drm_syncobj_create c = { 0 };

		c.flags = chance(&w->r, 90) ? rn(&w->r, 2) * DRM_SYNCOBJ_CREATE_SIGNALED
					    : rval32(&w->r);
		if (CALL(H_SYNCOBJ_CREATE, xioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &c)) == 0) {
			if (w->syncobj[k].fd >= 0) {
				struct drm_syncobj_destroy d = { .handle = w->syncobj[k].h };

				CALL(H_SYNCOBJ_DESTROY,
				     xioctl(w->syncobj[k].fd, DRM_IOCTL_SYNCOBJ_DESTROY, &d));
			}
			w->syncobj[k].fd = fd;
			w->syncobj[k].h = c.handle;
		}
		break;
	}
	case 1: {
		struct drm_syncobj_destroy d = { 0 };

		d.handle = w->syncobj[k].fd == fd ? w->syncobj[k].h : rval32(&w->r);
		if (CALL(H_SYNCOBJ_DESTROY, xioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, &d)) == 0 &&
		    w->syncobj[k].fd == fd)
			w->syncobj[k].fd = -1;
		break;
	}
	case 2: {
		struct drm_syncobj_wait sw = { 0 };

		sw.handles = (uintptr_t)(chance(&w->r, 95) ? (void *)handles : any_ptr(w, 32));
		/*
		 * Not beyond 64Ki: the DRM core kmallocs count * 4 bytes without
		 * __GFP_NOWARN (drm_syncobj_array_find(), 6.12), and a count past
		 * the largest kmalloc WARNs there, in the core, not in aiot.
		 */
		sw.count_handles = chance(&w->r, 95) ? (n ? 1 + rn(&w->r, n) : 0)
						     : rn(&w->r, 1u << 16);
		sw.timeout_nsec = now_ns() + rn(&w->r, 20) * 1000000ll;
		sw.flags = chance(&w->r, 90) ? rn(&w->r, 4) : rval32(&w->r);
		CALL(H_SYNCOBJ_WAIT, xioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, &sw));
		break;
	}
	case 3:
	case 4: {
		struct drm_syncobj_array a = { 0 };
		bool reset = rn(&w->r, 2);

		a.handles = (uintptr_t)handles;
		a.count_handles = n ? 1 + rn(&w->r, n) : rn(&w->r, 2);
		if (chance(&w->r, 5))
			a.pad = rval32(&w->r);
		CALL(reset ? H_SYNCOBJ_RESET : H_SYNCOBJ_SIGNAL,
		     xioctl(fd, reset ? DRM_IOCTL_SYNCOBJ_RESET : DRM_IOCTL_SYNCOBJ_SIGNAL, &a));
		break;
	}
	case 5: {
		struct drm_syncobj_handle h = { 0 };

		h.handle = w->syncobj[k].fd == fd ? w->syncobj[k].h : rval32(&w->r);
		h.flags = chance(&w->r, 60) ? DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE
					    : chance(&w->r, 80) ? 0 : rval32(&w->r);
		h.fd = -1;
		if (CALL(H_SYNCOBJ_TO_FD, xioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &h)) < 0)
			break;
		if (h.flags & DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE)
			keep_syncfile(w, h.fd);
		else
			close(h.fd);
		break;
	}
	default: {
		struct drm_syncobj_handle h = { 0 };

		h.fd = w->syncfile[rn(&w->r, N_SYNCFILE)];
		if (chance(&w->r, 20))
			h.fd = any_fd(w);
		h.handle = w->syncobj[k].fd == fd ? w->syncobj[k].h : 0;
		h.flags = h.handle ? DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE : 0;
		if (chance(&w->r, 5))
			h.flags = rval32(&w->r);
		if (CALL(H_SYNCOBJ_FROM_FD, xioctl(fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &h)) == 0 &&
		    !h.flags && w->syncobj[k].fd < 0) {
			w->syncobj[k].fd = fd;
			w->syncobj[k].h = h.handle;
		}
		break;
	}
	}
}

void op_sync_file(struct worker *w)
{
	int k = rn(&w->r, N_SYNCFILE), fd = w->syncfile[k];

	if (fd < 0)
		return;
	switch (rn(&w->r, 4)) {
	case 0: {
		struct sync_file_info info = { 0 };
		struct sync_fence_info fi[4];

		if (chance(&w->r, 50)) {
			info.num_fences = 1 + rn(&w->r, 4);
			info.sync_fence_info = (uintptr_t)(chance(&w->r, 90) ? (void *)fi
									     : any_ptr(w, 64));
		}
		CALL(H_SYNC_FILE_INFO, xioctl(fd, SYNC_IOC_FILE_INFO, &info));
		break;
	}
	case 1:
	case 2: {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		CALL(H_SYNC_FILE_POLL, poll(&p, 1, (int)rn(&w->r, 20)));
		break;
	}
	default:
		w->syncfile[k] = -1;
		CALL(H_SYNC_FILE_CLOSE, close(fd));
		break;
	}
}

/* ---- dma-bufs (of BOs and of sensor slots) ---- */

void op_dmabuf(struct worker *w)
{
	int k = rn(&w->r, N_DMABUF), fd = w->dmabuf[k].fd;

	if (fd < 0)
		return;
	switch (rn(&w->r, 6)) {
	case 0: {
		struct dma_buf_sync s = { 0 };

		s.flags = chance(&w->r, 90) ? (rn(&w->r, 3) + 1) | (rn(&w->r, 2) ? DMA_BUF_SYNC_END : 0)
					    : rval64(&w->r);
		CALL(H_DMABUF_SYNC, xioctl(fd, DMA_BUF_IOCTL_SYNC, &s));
		break;
	}
	case 1: {
		struct dma_buf_export_sync_file e = { 0 };

		e.flags = chance(&w->r, 90) ? 1 + rn(&w->r, 3) : rval32(&w->r);
		e.fd = -1;
		if (CALL(H_DMABUF_EXPORT_SYNC_FILE,
			 xioctl(fd, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &e)) == 0)
			keep_syncfile(w, e.fd);
		break;
	}
	case 2: {
		struct pollfd p = { .fd = fd, .events = rn(&w->r, 2) ? POLLIN : POLLOUT };

		CALL(H_DMABUF_POLL, poll(&p, 1, (int)rn(&w->r, 20)));
		break;
	}
	case 3:
	case 4: {
		size_t len = w->dmabuf[k].size ? w->dmabuf[k].size : 4096;
		void *p;

		if (chance(&w->r, 10))
			len += 4096 * rn(&w->r, 4);
		len = (len + 4095) & ~(size_t)4095;
		p = mmap(NULL, len, PROT_READ | (chance(&w->r, 50) ? PROT_WRITE : 0),
			 MAP_SHARED, fd, 0);
		if (CALL(H_DMABUF_MMAP, p == MAP_FAILED ? -1 : 0) < 0)
			break;
		touch(p, len, chance(&w->r, 30), &w->r);
		munmap(p, len);
		break;
	}
	default:
		w->dmabuf[k].fd = -1;
		CALL(H_DMABUF_CLOSE, close(fd));
		break;
	}
}
