// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-fuzz: the accelerator's ioctls: opening and closing its files,
 * QUERY, buffers (BO_CREATE, mmap, BO_WAIT, GEM_CLOSE), SUBMIT and
 * JOB_WAIT, and ioctl numbers nobody defined.
 */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm.h>
#include <drm/aiot_accel.h>

#include "fuzz.h"

void op_open_accel(struct worker *w)
{
	char path[128];
	int slot = rn(&w->r, N_ACCEL), fd;

	if (w->accel[slot] >= 0)
		return;
	if (random_node(&w->r, "/dev/accel", "accel", path, sizeof(path)) &&
	    random_node(&w->r, "/dev/dri", "renderD", path, sizeof(path)))
		return;
	fd = CALL(H_OPEN_ACCEL, open(path, O_RDWR | O_CLOEXEC));
	if (fd < 0)
		return;
	if (!is_aiot_accel(fd)) {
		close(fd);
		return;
	}
	w->accel[slot] = fd;
}

static void forget_fd_objects(struct worker *w, int fd)
{
	int i;

	for (i = 0; i < N_BO; i++) {
		if (w->bo[i].fd != fd)
			continue;
		if (w->bo[i].map)
			munmap(w->bo[i].map, w->bo[i].size);
		w->bo[i] = (struct bo){ .fd = -1 };
	}
	for (i = 0; i < N_SYNCOBJ; i++)
		if (w->syncobj[i].fd == fd)
			w->syncobj[i].fd = -1;
	for (i = 0; i < N_JOB; i++)
		if (w->job[i].fd == fd)
			w->job[i].fd = -1;
}

void op_close_accel(struct worker *w)
{
	int slot = rn(&w->r, N_ACCEL), fd = w->accel[slot];

	if (fd < 0)
		return;
	forget_fd_objects(w, fd);
	w->accel[slot] = -1;
	CALL(H_CLOSE_ACCEL, close(fd));
}

/* ---- accelerator ioctls ---- */

void op_version_cap(struct worker *w)
{
	int fd = any_accel(w);
	struct drm_get_cap cap = { .capability = rn(&w->r, 0x20) };
	struct drm_version v = { 0 };

	if (fd < 0)
		return;
	if (chance(&w->r, 50)) {
		v.name_len = rn(&w->r, 64);
		v.name = (char *)any_ptr(w, v.name_len);
		v.desc_len = rn(&w->r, 64);
		v.desc = (char *)w->scratch + 1024;
		CALL(H_VERSION, xioctl(fd, DRM_IOCTL_VERSION, &v));
	} else {
		CALL(H_GET_CAP, xioctl(fd, DRM_IOCTL_GET_CAP, &cap));
	}
}

void op_query(struct worker *w)
{
	int fd = any_accel(w);
	struct drm_aiot_query q = { 0 };

	if (fd < 0)
		return;
	q.type = chance(&w->r, 80) ? DRM_AIOT_QUERY_DEVICE_INFO : rval32(&w->r);
	q.size = chance(&w->r, 60) ? sizeof(struct drm_aiot_device_info) : rval32(&w->r) % 512;
	q.ptr = (uintptr_t)any_ptr(w, q.size);
	if (chance(&w->r, 10))
		q.flags = rval32(&w->r);
	if (chance(&w->r, 10))
		q.pad = rval32(&w->r);
	CALL(H_QUERY, xioctl(fd, DRM_IOCTL_AIOT_QUERY, &q));
}

struct bo *free_bo(struct worker *w)
{
	int i, start = rn(&w->r, N_BO);

	for (i = 0; i < N_BO; i++)
		if (w->bo[(start + i) % N_BO].fd < 0)
			return &w->bo[(start + i) % N_BO];
	return NULL;
}

struct bo *some_bo(struct worker *w)
{
	int i, start = rn(&w->r, N_BO);

	for (i = 0; i < N_BO; i++)
		if (w->bo[(start + i) % N_BO].fd >= 0)
			return &w->bo[(start + i) % N_BO];
	return NULL;
}

static void drop_bo(struct bo *b)
{
	if (b->map)
		munmap(b->map, b->size);
	*b = (struct bo){ .fd = -1 };
}

void op_bo_create(struct worker *w)
{
	int fd = any_accel(w);
	struct drm_aiot_bo_create c = { 0 };
	struct bo *b = free_bo(w);

	if (fd < 0)
		return;
	if (!b) {
		/*
		 * Full: give one back first, nearly always by closing its
		 * handle: a thread whose file lives long would otherwise
		 * leak buffers until the guest runs out of memory.
		 */
		b = some_bo(w);
		if (chance(&w->r, 95)) {
			struct drm_gem_close gc = { .handle = b->handle };

			CALL(H_GEM_CLOSE, xioctl(b->fd, DRM_IOCTL_GEM_CLOSE, &gc));
		}
		drop_bo(b);
	}
	switch (rn(&w->r, 10)) {
	case 0:
		/*
		 * Any size, but one the driver accepts stays within what a
		 * 1-2 GiB guest can back: a job binding it pins every page,
		 * and the OOM killer's report would end the run. Sizes past
		 * the 1 GiB limit are still refused by the driver.
		 */
		c.size = rval64(&w->r);
		if (c.size > (16u << 20) && c.size <= (1ull << 30))
			c.size = 16u << 20;
		break;
	case 1:
		c.size = (1 + rn(&w->r, 256)) * 4096;
		break;
	default:
		c.size = (1 + rn(&w->r, 4)) * 4096;
		break;
	}
	if (chance(&w->r, 5))
		c.flags = rval32(&w->r);
	if (CALL(H_BO_CREATE, xioctl(fd, DRM_IOCTL_AIOT_BO_CREATE, &c)) < 0)
		return;
	b->fd = fd;
	b->handle = c.handle;
	b->size = (uint32_t)((c.size + 4095) & ~4095ull);
	b->map = NULL;
}

/* The BO's CPU mapping (made on first use), or NULL. */
static void *bo_map(struct worker *w, struct bo *b)
{
	struct drm_aiot_bo_mmap_offset mo = { .handle = b->handle };
	void *p;

	(void)w;
	if (b->map)
		return b->map;
	if (!b->size || b->size > (64u << 20))
		return NULL;
	if (CALL(H_BO_MMAP_OFFSET, xioctl(b->fd, DRM_IOCTL_AIOT_BO_MMAP_OFFSET, &mo)) < 0)
		return NULL;
	p = mmap(NULL, b->size, PROT_READ | PROT_WRITE, MAP_SHARED, b->fd, mo.offset);
	if (CALL(H_BO_MMAP, p == MAP_FAILED ? -1 : 0) < 0)
		return NULL;
	b->map = p;
	return p;
}

void op_bo_mmap(struct worker *w)
{
	struct bo *b = some_bo(w);
	struct drm_aiot_bo_mmap_offset mo = { 0 };
	int fd = any_accel(w);
	void *p;
	size_t len;

	if (!b || fd < 0)
		return;
	if (chance(&w->r, 60)) {
		p = bo_map(w, b);
		if (p)
			touch(p, b->size, chance(&w->r, 50), &w->r);
		return;
	}
	/* Odd requests: other handles, flags, lengths, offsets. */
	mo.handle = chance(&w->r, 70) ? b->handle : rval32(&w->r);
	if (chance(&w->r, 10))
		mo.flags = rval32(&w->r);
	if (CALL(H_BO_MMAP_OFFSET, xioctl(fd, DRM_IOCTL_AIOT_BO_MMAP_OFFSET, &mo)) < 0)
		mo.offset = rval64(&w->r) & ~4095ull;
	len = (1 + rn(&w->r, 8)) * 4096;
	p = mmap(NULL, len, chance(&w->r, 50) ? PROT_READ : PROT_READ | PROT_WRITE,
		 chance(&w->r, 90) ? MAP_SHARED : MAP_PRIVATE, fd,
		 mo.offset + (chance(&w->r, 10) ? 4096 * rn(&w->r, 4) : 0));
	if (CALL(H_BO_MMAP, p == MAP_FAILED ? -1 : 0) < 0)
		return;
	touch(p, len, chance(&w->r, 50), &w->r);
	munmap(p, len);
}

void op_bo_wait(struct worker *w)
{
	struct bo *b = some_bo(w);
	struct drm_aiot_bo_wait bw = { 0 };

	if (!b)
		return;
	bw.handle = chance(&w->r, 90) ? b->handle : rval32(&w->r);
	bw.flags = chance(&w->r, 90) ? rn(&w->r, 2) * DRM_AIOT_BO_WAIT_WRITERS : rval32(&w->r);
	bw.timeout_ns = chance(&w->r, 90) ? rn(&w->r, 20) * 1000000ll : -(int64_t)rn(&w->r, 10);
	CALL(H_BO_WAIT, xioctl(b->fd, DRM_IOCTL_AIOT_BO_WAIT, &bw));
}

void op_gem_close(struct worker *w)
{
	struct bo *b = some_bo(w);
	struct drm_gem_close gc = { 0 };
	int fd = any_accel(w);

	if (!b || fd < 0)
		return;
	gc.handle = chance(&w->r, 85) ? b->handle : rval32(&w->r);
	if (chance(&w->r, 5))
		gc.pad = rval32(&w->r);
	if (CALL(H_GEM_CLOSE, xioctl(b->fd, DRM_IOCTL_GEM_CLOSE, &gc)) == 0 &&
	    gc.handle == b->handle)
		drop_bo(b);
}

/* ---- submit and jobs ---- */

static void fill_quant(struct worker *w, struct bo *b)
{
	uint8_t *p = bo_map(w, b);
	uint32_t i;

	if (!p || b->size > (1u << 20))
		return;
	/* Sensible requantisation records everywhere: bias, multiplier, shift. */
	for (i = 0; i + 12 <= b->size && i < 8192; i += 12) {
		int32_t q[3] = { (int32_t)rn(&w->r, 200) - 100, 1 << 30,
				 -(int32_t)rn(&w->r, 8) };

		memcpy(p + i, q, sizeof(q));
	}
}

static struct bo *bo_on(struct worker *w, int fd, bool need_size)
{
	int i, start = rn(&w->r, N_BO);

	for (i = 0; i < N_BO; i++) {
		struct bo *b = &w->bo[(start + i) % N_BO];

		if (b->fd == fd && (!need_size || (b->size && b->size <= (1u << 20))))
			return b;
	}
	return NULL;
}

static void keep_job(struct worker *w, int fd, uint64_t id)
{
	int slot = rn(&w->r, N_JOB);

	w->job[slot].fd = fd;
	w->job[slot].id = id;
}

void op_submit(struct worker *w)
{
	int fd = any_accel(w);
	struct drm_aiot_submit s = { 0 };
	struct binding_space bs = { 0 };
	struct bo *cmd;
	uint32_t handles[8];
	uint8_t *cp;
	uint32_t len, i;
	bool valid;
	long ret;

	if (fd < 0)
		return;
	cmd = bo_on(w, fd, true);
	if (!cmd || !(cp = bo_map(w, cmd)))
		return;
	/* Bindings: buffers of this file with known sizes (sensor slots too). */
	bs.n = 1 + rn(&w->r, 4);
	for (i = 0; i < (uint32_t)bs.n; i++) {
		struct bo *b = bo_on(w, fd, true);

		if (!b)
			return;
		s.bindings[i] = b->handle;
		bs.size[i] = b->size;
		if (i == 0 && chance(&w->r, 50))
			fill_quant(w, b);
	}
	s.cmd_offset = chance(&w->r, 80) ? 0 : rn(&w->r, cmd->size / 4) * 4;
	if (s.cmd_offset >= cmd->size)
		s.cmd_offset = 0;
	len = gen_stream(w, &bs, cp + s.cmd_offset, cmd->size - s.cmd_offset, &valid);
	s.cmd_handle = cmd->handle;
	s.cmd_size = len;
	if (chance(&w->r, 5)) {
		s.cmd_size = rval32(&w->r);
		valid = false;
	}
	if (chance(&w->r, 5)) {
		s.cmd_handle = rval32(&w->r);
		valid = false;
	}
	if (chance(&w->r, 5)) {
		s.bindings[rn(&w->r, DRM_AIOT_MAX_BINDINGS)] = rval32(&w->r);
		valid = false;
	}
	s.priority = chance(&w->r, 95) ? rn(&w->r, 3) : rval32(&w->r);
	s.flags = chance(&w->r, 40) ? DRM_AIOT_SUBMIT_OUT_SYNC_FILE : 0;
	if (chance(&w->r, 3))
		s.flags = rval32(&w->r);
	s.out_sync_file = -1;
	if (chance(&w->r, 30)) {
		uint32_t n = 0;

		for (i = 0; i < N_SYNCOBJ && n < 8; i++)
			if (w->syncobj[i].fd == fd && chance(&w->r, 50))
				handles[n++] = w->syncobj[i].h;
		s.in_syncobj_count = chance(&w->r, 95) ? n : rval32(&w->r);
		s.in_syncobjs = (uintptr_t)(chance(&w->r, 95) ? (void *)handles
							      : any_ptr(w, 64));
	}
	if (chance(&w->r, 30)) {
		uint32_t k = rn(&w->r, N_SYNCOBJ);

		s.out_syncobj = w->syncobj[k].fd == fd ? w->syncobj[k].h : rval32(&w->r);
	}
	if (chance(&w->r, 10))
		s.deadline_ns = now_ns() + (int64_t)rn(&w->r, 20) * 1000000 - 5000000;
	if (chance(&w->r, 3)) {
		s.pad = rval32(&w->r);
		s.pad2 = rval32(&w->r);
	}
	ret = CALL(H_SUBMIT, xioctl(fd, DRM_IOCTL_AIOT_SUBMIT, &s));
	if (valid)
		count(H_SUBMIT_VALID, ret, errno);
	if (ret < 0)
		return;
	keep_job(w, fd, s.job_id);
	if ((s.flags & DRM_AIOT_SUBMIT_OUT_SYNC_FILE) && s.out_sync_file >= 0)
		keep_syncfile(w, s.out_sync_file);
}

void op_job_wait(struct worker *w)
{
	int k = rn(&w->r, N_JOB);
	struct drm_aiot_job_wait jw = { 0 };
	int fd = w->job[k].fd >= 0 ? w->job[k].fd : any_accel(w);

	if (fd < 0)
		return;
	jw.job_id = w->job[k].fd >= 0 && chance(&w->r, 90) ? w->job[k].id : rval64(&w->r);
	jw.timeout_ns = chance(&w->r, 90) ? rn(&w->r, 30) * 1000000ll : -(int64_t)rn(&w->r, 3);
	if (chance(&w->r, 5))
		jw.flags = rval32(&w->r);
	CALL(H_JOB_WAIT, xioctl(fd, DRM_IOCTL_AIOT_JOB_WAIT, &jw));
}

/*
 * The DRM core's syncobj ioctls that take an array count: with a random
 * count, 6.12's drm_syncobj_array_find() asks kmalloc for it without
 * __GFP_NOWARN and WARNs (a core issue, not aiot's; op_syncobj() keeps
 * its counts small). Random ioctl numbers stay away from them.
 */
static bool drm_core_array_ioctl(unsigned long cmd)
{
	unsigned int nr = _IOC_NR(cmd);

	if (_IOC_TYPE(cmd) != DRM_IOCTL_BASE)
		return false;
	return nr == _IOC_NR(DRM_IOCTL_SYNCOBJ_WAIT) ||
	       nr == _IOC_NR(DRM_IOCTL_SYNCOBJ_RESET) ||
	       nr == _IOC_NR(DRM_IOCTL_SYNCOBJ_SIGNAL) ||
	       nr == _IOC_NR(DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT) ||
	       nr == _IOC_NR(DRM_IOCTL_SYNCOBJ_QUERY) ||
	       nr == _IOC_NR(DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL);
}

/* An ioctl nobody defined, or a defined one with a wrong size, on any fd. */
void op_bad_ioctl(struct worker *w)
{
	bool sensor = chance(&w->r, 40);
	int fd = sensor ? w->sensor[rn(&w->r, N_SENSOR)].fd : any_accel(w);
	unsigned int dir = rn(&w->r, 4), size = rn(&w->r, 256), nr;
	unsigned long cmd;

	if (fd < 0)
		return;
	if (sensor)
		nr = rn(&w->r, 16);
	else
		nr = chance(&w->r, 70) ? DRM_COMMAND_BASE + rn(&w->r, 16) : rn(&w->r, 0xd0);
	cmd = _IOC(dir, sensor ? AIOT_SENSOR_IOC_MAGIC : DRM_IOCTL_BASE, nr, size);
	if (chance(&w->r, 10))
		cmd = (unsigned long)rnext(&w->r);
	if (drm_core_array_ioctl(cmd))
		cmd = _IOC(dir, DRM_IOCTL_BASE, DRM_COMMAND_BASE + (nr & 15), size);
	/* Never the destructive DRM master/auth ones: they do not reach us. */
	for (unsigned int i = 0; i < 256; i++)
		w->scratch[i] = chance(&w->r, 70) ? 0 : (uint8_t)rnext(&w->r);
	CALL(sensor ? H_S_BAD_IOCTL : H_ACCEL_BAD_IOCTL,
	     ioctl(fd, cmd, chance(&w->r, 90) ? w->scratch : any_ptr(w, size)));
}
