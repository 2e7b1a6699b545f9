// SPDX-License-Identifier: GPL-2.0-only
/* See aiot_testlib_stream.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm.h>
#include <drm/aiot_accel.h>
#include <linux/aiot_isa.h>
#include <linux/aiot_sensor.h>
#include <linux/dma-buf.h>
#include <linux/sync_file.h>
#include <aiot/sim_sensor.h>

#include "aiot_testlib.h"
#include "aiot_testlib_stream.h"

#define SEC_NS 1000000000ll

int aiot_test_stream_open(struct aiot_test_stream *st, unsigned int kind)
{
	memset(st, 0, sizeof(*st));
	st->fd = aiot_test_open_sensor(kind, st->node, sizeof(st->node));
	if (st->fd < 0)
		return -1;
	return ioctl(st->fd, AIOT_SENSOR_IOC_INFO, &st->info);
}

/* A small ring: @slots slots of 160 samples at 16 kHz (10 ms a period). */
int aiot_test_stream_configure(struct aiot_test_stream *st, uint32_t slots)
{
	st->cfg = (struct aiot_sensor_config){
		.format = AIOT_SENSOR_FMT_S16_LE,
		.channels = st->info.max_channels,
		.rate_hz = st->info.max_rate_hz < 16000 ? st->info.max_rate_hz :
							   16000,
		.samples_per_slot = 160,
		.slot_count = slots,
		.pattern = AIOT_SIM_PATTERN_NOISE,
	};
	return ioctl(st->fd, AIOT_SENSOR_IOC_CONFIGURE, &st->cfg);
}

int aiot_test_stream_knob(const struct aiot_test_stream *st, const char *name,
			  const char *val)
{
	char path[160];
	int fd, ret;

	snprintf(path, sizeof(path), "/sys/kernel/debug/aiot-sim-sensor/%s/%s",
		 st->info.name, name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	ret = write(fd, val, strlen(val)) == (ssize_t)strlen(val) ? 0 : -1;
	close(fd);
	return ret;
}

int aiot_test_stream_expbuf(const struct aiot_test_stream *st, uint32_t index,
			    int mode)
{
	struct aiot_sensor_expbuf e = { .index = index,
					.flags = mode | O_CLOEXEC };

	if (ioctl(st->fd, AIOT_SENSOR_IOC_EXPBUF, &e))
		return -1;
	return e.fd;
}

/* The write fences of a slot's dma-buf, as a sync_file. */
int aiot_test_export_sync(int dmabuf)
{
	struct dma_buf_export_sync_file x = { .flags = DMA_BUF_SYNC_READ,
					      .fd = -1 };

	if (ioctl(dmabuf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &x))
		return -1;
	return x.fd;
}

/* Its (single) fence's status: 0 pending, 1 signalled, or -errno. */
int aiot_test_sync_status(int sf)
{
	struct sync_fence_info fi = { 0 };
	struct sync_file_info info = { 0 };

	info.num_fences = 1;
	info.sync_fence_info = (uintptr_t)&fi;
	if (ioctl(sf, SYNC_IOC_FILE_INFO, &info))
		return -1000 - errno;
	return fi.status;
}

/* ---- the NPU side ---- */


int aiot_test_npu_open(struct aiot_test_npu *n)
{
	char path[64];

	memset(n, 0, sizeof(*n));
	n->fd = aiot_test_open_accel(path, sizeof(path));
	if (n->fd < 0)
		return -1;
	n->cmd = aiot_test_bo_create(n->fd, 4096);
	n->out = aiot_test_bo_create(n->fd, 65536);
	n->cmd_map = n->cmd ? aiot_test_bo_map(n->fd, n->cmd, 4096) : NULL;
	return n->cmd_map && n->out ? 0 : -1;
}

void aiot_test_npu_close(struct aiot_test_npu *n)
{
	if (n->cmd_map)
		munmap(n->cmd_map, 4096);
	if (n->fd >= 0)
		close(n->fd);
	n->fd = -1;
}

uint32_t aiot_test_npu_import(struct aiot_test_npu *n, int dmabuf)
{
	struct drm_prime_handle imp = { .fd = dmabuf };

	if (ioctl(n->fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &imp))
		return 0;
	return imp.handle;
}

/*
 * Submit RESHAPE of @bytes int8 from binding 0 into binding 1; binding 2,
 * if not 0, is bound and read by nothing (the job still waits for it and
 * fences it as a reader). Returns the ioctl's result, the job id in *id.
 */
int aiot_test_npu_copy_at(struct aiot_test_npu *n, uint32_t in, uint32_t out,
		       uint32_t out_offset, uint32_t extra, uint32_t bytes,
		       uint64_t *id)
{
	struct drm_aiot_submit s = { .priority = DRM_AIOT_PRIORITY_NORMAL };
	struct aiot_isa_op_reshape *op;

	op = aiot_test_stream_one_op(n->cmd_map, AIOT_ISA_OP_RESHAPE,
				     sizeof(*op));
	op->input = (struct aiot_isa_tensor){ .binding = 0,
		.dtype = AIOT_ISA_DTYPE_INT8, .dims = { 1, 1, 1, bytes } };
	op->output = (struct aiot_isa_tensor){ .binding = 1,
		.offset = out_offset, .dtype = AIOT_ISA_DTYPE_INT8,
		.dims = { 1, 1, 1, bytes } };
	s.cmd_handle = n->cmd;
	s.cmd_size = sizeof(struct aiot_isa_header) + sizeof(*op);
	s.bindings[0] = in;
	s.bindings[1] = out;
	s.bindings[2] = extra;
	if (ioctl(n->fd, DRM_IOCTL_AIOT_SUBMIT, &s))
		return -1;
	*id = s.job_id;
	return 0;
}

int aiot_test_npu_copy(struct aiot_test_npu *n, uint32_t in, uint32_t out,
		       uint32_t extra, uint32_t bytes, uint64_t *id)
{
	return aiot_test_npu_copy_at(n, in, out, 0, extra, bytes, id);
}

/* The job's final status (0 or -errno), or a value below -1000. */
int aiot_test_npu_status(struct aiot_test_npu *n, uint64_t id)
{
	struct drm_aiot_job_wait w = { .job_id = id, .timeout_ns = 60 * SEC_NS };

	if (ioctl(n->fd, DRM_IOCTL_AIOT_JOB_WAIT, &w))
		return -1000 - errno;
	return w.status;
}

