// SPDX-License-Identifier: GPL-2.0-only
/*
 * Jobs whose input fence the device waits for (issue 12): a job reading a
 * sensor slot is handed to the device before the slot's DMA completes and
 * starts from the fence's callback, not from the scheduler's work. What
 * must hold around that: other files' jobs are not held up by a waiting
 * job; an entity's later jobs do not overtake it; a job of another entity
 * that depends on it waits for it to finish; closing the file cancels it;
 * a slow input is not a hang; the device going away fails it. The sensor
 * is stalled (aiot-sim's "stall" knob) to hold a slot's DMA for as long as
 * a case needs. Leaves the modules loaded as it found them.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm.h>
#include <drm/aiot_accel.h>
#include <linux/aiot_isa.h>
#include <linux/aiot_sensor.h>
#include <linux/sync_file.h>

#include "aiot_testlib.h"
#include "aiot_testlib_stream.h"
#include "tap.h"

#define SEC_NS 1000000000ll
#define MS_NS 1000000ll

/* The job's record without waiting: fills *w, 0 or -1. */
static int job_peek(int fd, uint64_t id, struct drm_aiot_job_wait *w)
{
	*w = (struct drm_aiot_job_wait){ .job_id = id };
	return ioctl(fd, DRM_IOCTL_AIOT_JOB_WAIT, w);
}

static int job_wait(int fd, uint64_t id, struct drm_aiot_job_wait *w)
{
	*w = (struct drm_aiot_job_wait){ .job_id = id, .timeout_ns = 30 * SEC_NS };
	return ioctl(fd, DRM_IOCTL_AIOT_JOB_WAIT, w);
}

/* A null job (one NOP) in @n's file, at @prio, after @in_syncobj if not 0. */
static int null_job(struct aiot_test_npu *n, uint32_t prio,
		    uint32_t in_syncobj, uint64_t *id)
{
	struct drm_aiot_submit s = { .priority = prio };
	uint32_t handles[1] = { in_syncobj };

	aiot_test_stream_one_op(n->cmd_map, AIOT_ISA_OP_NOP,
				sizeof(struct aiot_isa_op_header));
	s.cmd_handle = n->cmd;
	s.cmd_size = sizeof(struct aiot_isa_header) +
		     sizeof(struct aiot_isa_op_header);
	if (in_syncobj) {
		s.in_syncobjs = (uintptr_t)handles;
		s.in_syncobj_count = 1;
	}
	if (ioctl(n->fd, DRM_IOCTL_AIOT_SUBMIT, &s))
		return -1;
	*id = s.job_id;
	return 0;
}

/*
 * The usual setup: the mic stalled (no DMA), started, slot 0 exported and
 * imported into @n. Returns the slot's GEM handle, 0 on failure.
 */
static uint32_t stalled_slot(struct aiot_test_stream *st,
			     struct aiot_test_npu *n, int *dmabuf)
{
	if (aiot_test_stream_open(st, AIOT_SENSOR_KIND_MIC) ||
	    aiot_test_stream_configure(st, 2) ||
	    aiot_test_stream_knob(st, "stall", "1") ||
	    ioctl(st->fd, AIOT_SENSOR_IOC_START))
		return 0;
	*dmabuf = aiot_test_stream_expbuf(st, 0, O_RDWR);
	if (*dmabuf < 0)
		return 0;
	return aiot_test_npu_import(n, *dmabuf);
}

static void stalled_slot_close(struct aiot_test_stream *st, int dmabuf)
{
	aiot_test_stream_knob(st, "stall", "0");
	ioctl(st->fd, AIOT_SENSOR_IOC_STOP);
	if (dmabuf >= 0)
		close(dmabuf);
	close(st->fd);
}

/*
 * A job waiting for a slot holds the device for nobody: another file's
 * null jobs complete meanwhile. When the slot's DMA completes, the waiting
 * job runs, is counted as started by its fence, and copies the slot.
 */
static void waiting_job_does_not_block_others(void)
{
	struct drm_aiot_job_wait w, wn;
	struct aiot_test_stream st;
	struct aiot_test_npu a, b;
	long by_fence;
	uint64_t id, nid;
	int buf = -1, i;
	uint32_t h;

	REQUIRE(aiot_test_npu_open(&a) == 0);
	REQUIRE(aiot_test_npu_open(&b) == 0);
	REQUIRE((h = stalled_slot(&st, &a, &buf)) != 0);
	by_fence = aiot_test_npu_state_counter("jobs_started_by_fence");
	REQUIRE(by_fence >= 0);
	REQUIRE(aiot_test_npu_copy(&a, h, a.out, 0, 64, &id) == 0);

	for (i = 0; i < 8; i++) {
		REQUIRE(null_job(&b, DRM_AIOT_PRIORITY_NORMAL, 0, &nid) == 0);
		REQUIRE(job_wait(b.fd, nid, &wn) == 0);
		CHECK_EQ(wn.status, 0);
	}
	CHECK_EQ(job_peek(a.fd, id, &w), 0);
	CHECK_EQ(w.state, DRM_AIOT_JOB_QUEUED);

	CHECK_EQ(aiot_test_stream_knob(&st, "stall", "0"), 0);
	REQUIRE(job_wait(a.fd, id, &w) == 0);
	CHECK_EQ(w.status, 0);
	CHECK(w.started_ns > wn.ended_ns);
	CHECK_EQ(aiot_test_npu_state_counter("jobs_started_by_fence"),
		 by_fence + 1);
	stalled_slot_close(&st, buf);
	aiot_test_npu_close(&b);
	aiot_test_npu_close(&a);
}

/*
 * An entity's later job that needs nothing does not overtake the one
 * waiting ahead of it: it starts after it, and its fence signals after.
 */
static void entity_order_behind_waiting_job(void)
{
	struct drm_aiot_job_wait w1, w2;
	struct aiot_test_stream st;
	struct aiot_test_npu a;
	uint64_t id1, id2;
	int buf = -1;
	uint32_t h;

	REQUIRE(aiot_test_npu_open(&a) == 0);
	REQUIRE((h = stalled_slot(&st, &a, &buf)) != 0);
	REQUIRE(aiot_test_npu_copy(&a, h, a.out, 0, 64, &id1) == 0);
	REQUIRE(null_job(&a, DRM_AIOT_PRIORITY_NORMAL, 0, &id2) == 0);
	usleep(300 * 1000);
	CHECK_EQ(job_peek(a.fd, id2, &w2), 0);
	CHECK_EQ(w2.state, DRM_AIOT_JOB_QUEUED);

	CHECK_EQ(aiot_test_stream_knob(&st, "stall", "0"), 0);
	REQUIRE(job_wait(a.fd, id2, &w2) == 0);
	REQUIRE(job_wait(a.fd, id1, &w1) == 0);
	CHECK_EQ(w1.status, 0);
	CHECK_EQ(w2.status, 0);
	CHECK(w2.started_ns >= w1.started_ns);
	CHECK(w2.ended_ns >= w1.ended_ns);
	stalled_slot_close(&st, buf);
	aiot_test_npu_close(&a);
}

/*
 * A job of another entity (same file, high priority) that depends on the
 * waiting one through a syncobj must wait for it to finish, not only to be
 * handed to the device: the scheduler's shortcut for its own fences would
 * run it at once.
 */
static void other_entity_waits_for_waiting_job(void)
{
	struct drm_syncobj_create sc = { 0 };
	struct drm_aiot_submit s = { .priority = DRM_AIOT_PRIORITY_NORMAL };
	struct drm_aiot_job_wait w1, w2;
	struct aiot_isa_op_reshape *op;
	struct aiot_test_stream st;
	struct aiot_test_npu a;
	int buf = -1;
	uint64_t id2;
	uint32_t h;

	REQUIRE(aiot_test_npu_open(&a) == 0);
	REQUIRE((h = stalled_slot(&st, &a, &buf)) != 0);
	REQUIRE(ioctl(a.fd, DRM_IOCTL_SYNCOBJ_CREATE, &sc) == 0);
	op = aiot_test_stream_one_op(a.cmd_map, AIOT_ISA_OP_RESHAPE,
				     sizeof(*op));
	op->input = (struct aiot_isa_tensor){ .binding = 0,
		.dtype = AIOT_ISA_DTYPE_INT8, .dims = { 1, 1, 1, 64 } };
	op->output = (struct aiot_isa_tensor){ .binding = 1,
		.dtype = AIOT_ISA_DTYPE_INT8, .dims = { 1, 1, 1, 64 } };
	s.cmd_handle = a.cmd;
	s.cmd_size = sizeof(struct aiot_isa_header) + sizeof(*op);
	s.bindings[0] = h;
	s.bindings[1] = a.out;
	s.out_syncobj = sc.handle;
	REQUIRE(ioctl(a.fd, DRM_IOCTL_AIOT_SUBMIT, &s) == 0);

	REQUIRE(null_job(&a, DRM_AIOT_PRIORITY_HIGH, sc.handle, &id2) == 0);
	usleep(300 * 1000);
	CHECK_EQ(job_peek(a.fd, id2, &w2), 0);
	CHECK_EQ(w2.state, DRM_AIOT_JOB_QUEUED);

	CHECK_EQ(aiot_test_stream_knob(&st, "stall", "0"), 0);
	REQUIRE(job_wait(a.fd, id2, &w2) == 0);
	REQUIRE(job_wait(a.fd, s.job_id, &w1) == 0);
	CHECK_EQ(w1.status, 0);
	CHECK_EQ(w2.status, 0);
	CHECK(w2.started_ns >= w1.ended_ns);
	stalled_slot_close(&st, buf);
	aiot_test_npu_close(&a);
}

/* Status of a sync_file's fence once it signalled (poll up to 10 s). */
static int sync_file_result(int sf)
{
	struct pollfd p = { .fd = sf, .events = POLLIN };

	if (poll(&p, 1, 10000) != 1)
		return -1000;
	return aiot_test_sync_status(sf);
}

/*
 * Closing the file cancels the jobs waiting in the device for their slot:
 * close does not wait for the DMA, and their fences (kept in sync_files)
 * carry -ECANCELED while the sensor is still stalled.
 */
static void close_cancels_waiting_jobs(void)
{
	struct drm_aiot_submit s = { .priority = DRM_AIOT_PRIORITY_NORMAL };
	struct aiot_isa_op_reshape *op;
	struct aiot_test_stream st;
	struct aiot_test_npu a;
	int buf = -1, sf[3], slot_fence, i;
	uint64_t t0, t1;
	uint32_t h;

	REQUIRE(aiot_test_npu_open(&a) == 0);
	REQUIRE((h = stalled_slot(&st, &a, &buf)) != 0);
	op = aiot_test_stream_one_op(a.cmd_map, AIOT_ISA_OP_RESHAPE,
				     sizeof(*op));
	op->input = (struct aiot_isa_tensor){ .binding = 0,
		.dtype = AIOT_ISA_DTYPE_INT8, .dims = { 1, 1, 1, 64 } };
	op->output = (struct aiot_isa_tensor){ .binding = 1,
		.dtype = AIOT_ISA_DTYPE_INT8, .dims = { 1, 1, 1, 64 } };
	s.cmd_handle = a.cmd;
	s.cmd_size = sizeof(struct aiot_isa_header) + sizeof(*op);
	s.bindings[0] = h;
	s.bindings[1] = a.out;
	s.flags = DRM_AIOT_SUBMIT_OUT_SYNC_FILE;
	for (i = 0; i < 3; i++) {
		REQUIRE(ioctl(a.fd, DRM_IOCTL_AIOT_SUBMIT, &s) == 0);
		sf[i] = s.out_sync_file;
	}
	usleep(100 * 1000);
	CHECK_EQ(aiot_test_sync_status(sf[0]), 0);

	t0 = aiot_test_now_ns();
	aiot_test_npu_close(&a);
	t1 = aiot_test_now_ns();
	tap_diag("close with 3 jobs waiting for a slot: %llu us",
		 (unsigned long long)((t1 - t0) / 1000));
	for (i = 0; i < 3; i++) {
		CHECK_EQ(sync_file_result(sf[i]), -ECANCELED);
		close(sf[i]);
	}
	/* Cancelled, not failed by the sensor's watchdog: the slot waits on. */
	slot_fence = aiot_test_export_sync(buf);
	CHECK(slot_fence >= 0);
	CHECK_EQ(aiot_test_sync_status(slot_fence), 0);
	close(slot_fence);
	stalled_slot_close(&st, buf);
}

/*
 * Waiting for a slow input is not a hang: with a 500 ms job timeout, a job
 * waits 1.6 s for its slot (three timeouts) and completes without a reset.
 * The card keeps its own timeout: the wait is then three of those (below
 * the sensor's 5 s watchdog).
 */
static void slow_input_is_not_a_hang(void)
{
	struct drm_aiot_job_wait w;
	struct aiot_test_stream st;
	struct aiot_test_npu a;
	long timeouts, timeout_ms;
	int buf = -1;
	uint64_t id;
	uint32_t h;

	REQUIRE(aiot_test_npu_unload(1, 5000) == 0);
	REQUIRE(aiot_test_npu_load(1, "job_timeout_ms=500") == 0);
	timeout_ms = aiot_test_npu_state_counter("job_timeout_ms");
	REQUIRE(timeout_ms > 0 && timeout_ms <= 1500);
	timeouts = aiot_test_npu_state_counter("jobs_timed_out");
	REQUIRE(aiot_test_npu_open(&a) == 0);
	REQUIRE((h = stalled_slot(&st, &a, &buf)) != 0);
	REQUIRE(aiot_test_npu_copy(&a, h, a.out, 0, 64, &id) == 0);
	usleep(timeout_ms * 3200);
	CHECK_EQ(aiot_test_stream_knob(&st, "stall", "0"), 0);
	REQUIRE(job_wait(a.fd, id, &w) == 0);
	CHECK_EQ(w.status, 0);
	CHECK_EQ(aiot_test_npu_state_counter("jobs_timed_out"), timeouts);
	CHECK(aiot_test_npu_state_counter("timeout_checks") >= 1);
	stalled_slot_close(&st, buf);
	aiot_test_npu_close(&a);
	CHECK_EQ(aiot_test_npu_unload(1, 5000), 0);
	CHECK_EQ(aiot_test_npu_load(1, NULL), 0);
}

/*
 * With device_waits off, the scheduler waits for the slot as before: the
 * job still runs, and is not counted as started by its fence.
 */
static void scheduler_waits_when_off(void)
{
	struct drm_aiot_job_wait w;
	struct aiot_test_stream st;
	struct aiot_test_npu a;
	int buf = -1;
	long by_fence;
	uint64_t id;
	uint32_t h;

	REQUIRE(aiot_test_write_file("/sys/module/aiot/parameters/device_waits",
				     "0", 1) == 0);
	REQUIRE(aiot_test_npu_open(&a) == 0);
	REQUIRE((h = stalled_slot(&st, &a, &buf)) != 0);
	by_fence = aiot_test_npu_state_counter("jobs_started_by_fence");
	REQUIRE(aiot_test_npu_copy(&a, h, a.out, 0, 64, &id) == 0);
	usleep(100 * 1000);
	CHECK_EQ(aiot_test_stream_knob(&st, "stall", "0"), 0);
	REQUIRE(job_wait(a.fd, id, &w) == 0);
	CHECK_EQ(w.status, 0);
	CHECK_EQ(aiot_test_npu_state_counter("jobs_started_by_fence"),
		 by_fence);
	stalled_slot_close(&st, buf);
	aiot_test_npu_close(&a);
	CHECK_EQ(aiot_test_write_file("/sys/module/aiot/parameters/device_waits",
				      "1", 1), 0);
}

TAP_MAIN_WITH_HOOK(aiot_test_check_jobs_released,
	TAP_CASE(waiting_job_does_not_block_others),
	TAP_CASE(entity_order_behind_waiting_job),
	TAP_CASE(other_entity_waits_for_waiting_job),
	TAP_CASE(close_cancels_waiting_jobs),
	TAP_CASE(slow_input_is_not_a_hang),
	TAP_CASE(scheduler_waits_when_off),
)
