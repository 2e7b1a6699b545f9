// SPDX-License-Identifier: GPL-2.0-only
/* The accel suite: explicit (syncobj, sync_file) and implicit fences. */
#include "accel.h"

void out_syncobj_and_sync_file(void)
{
	struct drm_syncobj_create sc = { 0 };
	struct drm_syncobj_wait sw = { 0 };
	struct drm_aiot_submit s;
	struct pollfd pfd;
	struct aiot_test_fc_job c;

	REQUIRE(ctx_open(&c, 0) == 0);
	REQUIRE(ioctl(c.fd, DRM_IOCTL_SYNCOBJ_CREATE, &sc) == 0);
	s = submit_args(&c);
	s.out_syncobj = sc.handle;
	s.flags = DRM_AIOT_SUBMIT_OUT_SYNC_FILE;
	REQUIRE(ioctl(c.fd, DRM_IOCTL_AIOT_SUBMIT, &s) == 0);
	REQUIRE(s.out_sync_file >= 0);
	pfd = (struct pollfd){ .fd = s.out_sync_file, .events = POLLIN };
	CHECK_EQ(poll(&pfd, 1, 10000), 1);
	CHECK(pfd.revents & POLLIN);
	sw.handles = (uintptr_t)&sc.handle;
	sw.count_handles = 1;
	sw.timeout_nsec = (int64_t)(aiot_test_now_ns() + 10 * SEC_NS);
	CHECK_EQ(ioctl(c.fd, DRM_IOCTL_SYNCOBJ_WAIT, &sw), 0);
	close(s.out_sync_file);
	aiot_test_fc_close(&c);
}

/* B waits for A through a syncobj; C reads what A wrote (implicit sync). */
void fences_order_jobs(void)
{
	struct drm_syncobj_create sc = { 0 };
	struct drm_aiot_job_wait wa, wb, wc;
	struct drm_aiot_submit a, b, cc;
	struct drm_aiot_bo_wait bw = { 0 };
	struct aiot_test_fc_job c;
	uint32_t nop, handles[1];
	void *nop_map;

	REQUIRE(ctx_open(&c, 1) == 0);
	REQUIRE(ioctl(c.fd, DRM_IOCTL_SYNCOBJ_CREATE, &sc) == 0);
	nop = aiot_test_bo_create(c.fd, 4096);
	nop_map = aiot_test_bo_map(c.fd, nop, 4096);
	REQUIRE(nop_map);
	build_nop_stream(nop_map, 64);

	memset(c.in_map, 2, AIOT_TEST_FC_D);
	a = submit_args(&c);
	a.out_syncobj = sc.handle;
	REQUIRE(ioctl(c.fd, DRM_IOCTL_AIOT_SUBMIT, &a) == 0);

	handles[0] = sc.handle;
	b = (struct drm_aiot_submit){ .cmd_handle = nop,
		.cmd_size = sizeof(struct aiot_isa_header) + 64 * 8,
		.in_syncobjs = (uintptr_t)handles, .in_syncobj_count = 1 };
	REQUIRE(ioctl(c.fd, DRM_IOCTL_AIOT_SUBMIT, &b) == 0);

	/* C reads A's output buffer as its input: implicit dependency. */
	cc = submit_args(&c);
	cc.bindings[1] = c.out;
	cc.bindings[2] = aiot_test_bo_create(c.fd, 4096);
	REQUIRE(ioctl(c.fd, DRM_IOCTL_AIOT_SUBMIT, &cc) == 0);

	bw.handle = cc.bindings[2];
	bw.timeout_ns = 10 * SEC_NS;
	CHECK_EQ(ioctl(c.fd, DRM_IOCTL_AIOT_BO_WAIT, &bw), 0);
	REQUIRE(job_wait(c.fd, a.job_id, 10 * SEC_NS, &wa) == 0);
	REQUIRE(job_wait(c.fd, b.job_id, 10 * SEC_NS, &wb) == 0);
	REQUIRE(job_wait(c.fd, cc.job_id, 10 * SEC_NS, &wc) == 0);
	CHECK_EQ(wa.status, 0);
	CHECK_EQ(wb.status, 0);
	CHECK_EQ(wc.status, 0);
	CHECK(wb.started_ns >= wa.ended_ns);
	CHECK(wc.started_ns >= wa.ended_ns);
	CHECK(a.job_id < b.job_id && b.job_id < cc.job_id);
	munmap(nop_map, 4096);
	aiot_test_fc_close(&c);
}

void bo_wait_times_out_on_busy_buffer(void)
{
	struct drm_aiot_bo_wait bw = { 0 };
	struct drm_aiot_job_wait w;
	struct drm_aiot_submit s;
	struct aiot_test_fc_job c;

	REQUIRE(ctx_open(&c, 1) == 0);
	REQUIRE(aiot_test_npu_knob("hang_next_jobs", "1") == 0);
	s = submit_args(&c);
	REQUIRE(ioctl(c.fd, DRM_IOCTL_AIOT_SUBMIT, &s) == 0);
	bw.handle = c.out;
	bw.timeout_ns = 0;
	CHECK_ERRNO(ioctl(c.fd, DRM_IOCTL_AIOT_BO_WAIT, &bw), ETIME);
	bw.timeout_ns = 50 * 1000 * 1000;
	CHECK_ERRNO(ioctl(c.fd, DRM_IOCTL_AIOT_BO_WAIT, &bw), ETIME);
	/* Reading the record without waiting: not done yet. */
	REQUIRE(job_wait(c.fd, s.job_id, 0, &w) == 0);
	CHECK(w.state != DRM_AIOT_JOB_DONE);
	bw.flags = 4;
	CHECK_ERRNO(ioctl(c.fd, DRM_IOCTL_AIOT_BO_WAIT, &bw), EINVAL);
	bw.flags = 0;
	bw.timeout_ns = -1;
	CHECK_ERRNO(ioctl(c.fd, DRM_IOCTL_AIOT_BO_WAIT, &bw), EINVAL);
	bw.handle = 999;
	bw.timeout_ns = 0;
	CHECK_ERRNO(ioctl(c.fd, DRM_IOCTL_AIOT_BO_WAIT, &bw), ENOENT);
	/* The hung job is reset by the timeout and fails with ETIMEDOUT. */
	REQUIRE(job_wait(c.fd, s.job_id, 30 * SEC_NS, &w) == 0);
	CHECK_EQ(w.state, DRM_AIOT_JOB_DONE);
	CHECK_EQ(w.status, -ETIMEDOUT);
	aiot_test_fc_close(&c);
}
