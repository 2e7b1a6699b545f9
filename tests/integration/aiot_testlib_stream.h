/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Test helpers for suites that feed a sensor stream's slots to the NPU: a
 * stream of aiot-sim's sensors with its debugfs knobs, slot dma-bufs and
 * their fences, and an NPU file that copies bytes out of an imported slot.
 */
#ifndef AIOT_TESTLIB_STREAM_H
#define AIOT_TESTLIB_STREAM_H

#include <stdint.h>
#include <linux/aiot_sensor.h>

struct aiot_test_stream {
	int fd;
	char node[64];
	struct aiot_sensor_info info;
	struct aiot_sensor_config cfg;
};

/* Open the first sensor of @kind and read its INFO; 0 or -1. */
int aiot_test_stream_open(struct aiot_test_stream *st, unsigned int kind);
/* A small ring: @slots slots of 160 samples at 16 kHz (10 ms a period). */
int aiot_test_stream_configure(struct aiot_test_stream *st, uint32_t slots);
/* Write aiot-sim's debugfs knob @name of the stream's sensor ("stall", ...). */
int aiot_test_stream_knob(const struct aiot_test_stream *st, const char *name,
			  const char *val);
/* Slot @index as a dma-buf opened with @mode (O_RDONLY, O_RDWR); fd or -1. */
int aiot_test_stream_expbuf(const struct aiot_test_stream *st, uint32_t index,
			    int mode);
/* The write fences of a slot's dma-buf, as a sync_file; fd or -1. */
int aiot_test_export_sync(int dmabuf);
/* A sync_file's (single) fence: 0 pending, 1 signalled, or -errno. */
int aiot_test_sync_status(int sf);

struct aiot_test_npu {
	int fd;
	uint32_t cmd, out;
	void *cmd_map;
};

/* Open the accelerator with a 4 KiB command buffer and a 64 KiB output. */
int aiot_test_npu_open(struct aiot_test_npu *n);
void aiot_test_npu_close(struct aiot_test_npu *n);
/* Import a dma-buf; the GEM handle or 0. */
uint32_t aiot_test_npu_import(struct aiot_test_npu *n, int dmabuf);
/*
 * Submit RESHAPE of @bytes int8 from binding 0 into binding 1 at
 * @out_offset; binding 2, if not 0, is bound and read by nothing (the job
 * still waits for it and fences it as a reader). 0 and the job id in *id,
 * or -1 with errno.
 */
int aiot_test_npu_copy_at(struct aiot_test_npu *n, uint32_t in, uint32_t out,
			  uint32_t out_offset, uint32_t extra, uint32_t bytes,
			  uint64_t *id);
int aiot_test_npu_copy(struct aiot_test_npu *n, uint32_t in, uint32_t out,
		       uint32_t extra, uint32_t bytes, uint64_t *id);
/* The job's final status (0 or -errno), or a value below -1000. */
int aiot_test_npu_status(struct aiot_test_npu *n, uint64_t id);

#endif
