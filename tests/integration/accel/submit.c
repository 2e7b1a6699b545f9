// SPDX-License-Identifier: GPL-2.0-only
/*
 * The accel suite: submission, job records and JOB_WAIT, deadlines, every
 * malformed argument, fdinfo.
 */
#include "accel.h"

#include <sys/utsname.h>

void null_job_completes_with_timestamps(void)
{
	struct drm_aiot_job_wait w;
	struct drm_aiot_submit s;
	struct aiot_test_fc_job c;
	uint64_t t0 = aiot_test_now_ns();

	REQUIRE(ctx_open(&c, 0) == 0);
	s = submit_args(&c);
	REQUIRE(ioctl(c.fd, DRM_IOCTL_AIOT_SUBMIT, &s) == 0);
	CHECK(s.job_id >= 1);
	CHECK_EQ(s.out_sync_file, -1);
	REQUIRE(job_wait(c.fd, s.job_id, 10 * SEC_NS, &w) == 0);
	CHECK_EQ(w.state, DRM_AIOT_JOB_DONE);
	CHECK_EQ(w.status, 0);
	CHECK(w.queued_ns >= t0);
	CHECK(w.started_ns >= w.queued_ns);
	CHECK(w.ended_ns >= w.started_ns);
	CHECK(w.ended_ns <= aiot_test_now_ns());
	tap_diag("null job: queued->started %llu us, started->ended %llu us",
		 (unsigned long long)(w.started_ns - w.queued_ns) / 1000,
		 (unsigned long long)(w.ended_ns - w.started_ns) / 1000);
	aiot_test_fc_close(&c);
}

void fully_connected_is_bit_exact(void)
{
	static const int8_t inputs[][AIOT_TEST_FC_D] = {
		{ 0, 0, 0, 0 }, { 3, 3, 3, 3 }, { 127, -128, 127, -128 },
		{ -128, 127, -128, 127 }, { 5, -7, 9, 11 },
	};
	struct drm_aiot_job_wait w;
	struct drm_aiot_submit s;
	struct aiot_test_fc_job c;
	size_t i;
	int o;

	REQUIRE(ctx_open(&c, 1) == 0);
	for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		memcpy(c.in_map, inputs[i], AIOT_TEST_FC_D);
		memset(c.out_map, 0x42, AIOT_TEST_FC_O);
		s = submit_args(&c);
		REQUIRE(ioctl(c.fd, DRM_IOCTL_AIOT_SUBMIT, &s) == 0);
		REQUIRE(job_wait(c.fd, s.job_id, 10 * SEC_NS, &w) == 0);
		CHECK_EQ(w.status, 0);
		for (o = 0; o < AIOT_TEST_FC_O; o++)
			CHECK_EQ(((int8_t *)c.out_map)[o], aiot_test_fc_expect(inputs[i], o));
	}
	aiot_test_fc_close(&c);
}

void stream_is_copied_at_submit(void)
{
	struct drm_aiot_job_wait w;
	struct drm_aiot_submit s;
	struct aiot_test_fc_job c;

	REQUIRE(ctx_open(&c, 1) == 0);
	memset(c.in_map, 1, AIOT_TEST_FC_D);
	s = submit_args(&c);
	REQUIRE(ioctl(c.fd, DRM_IOCTL_AIOT_SUBMIT, &s) == 0);
	/* Scribbling on the stream after submit changes nothing. */
	memset(c.cmd_map, 0xff, c.cmd_size);
	REQUIRE(job_wait(c.fd, s.job_id, 10 * SEC_NS, &w) == 0);
	CHECK_EQ(w.status, 0);
	CHECK_EQ(((int8_t *)c.out_map)[0], aiot_test_fc_expect((int8_t[]){ 1, 1, 1, 1 }, 0));
	aiot_test_fc_close(&c);
}

void deadline_missed_job_does_not_run(void)
{
	struct drm_aiot_job_wait w;
	struct drm_aiot_submit s;
	struct aiot_test_fc_job c;

	REQUIRE(ctx_open(&c, 1) == 0);
	memset(c.out_map, 0x42, AIOT_TEST_FC_O);
	s = submit_args(&c);
	s.deadline_ns = 1;	/* long past */
	REQUIRE(ioctl(c.fd, DRM_IOCTL_AIOT_SUBMIT, &s) == 0);
	REQUIRE(job_wait(c.fd, s.job_id, 10 * SEC_NS, &w) == 0);
	CHECK_EQ(w.status, -ETIME);
	CHECK_EQ(((uint8_t *)c.out_map)[0], 0x42);
	s.deadline_ns = aiot_test_now_ns() + 60 * SEC_NS;
	REQUIRE(ioctl(c.fd, DRM_IOCTL_AIOT_SUBMIT, &s) == 0);
	REQUIRE(job_wait(c.fd, s.job_id, 10 * SEC_NS, &w) == 0);
	CHECK_EQ(w.status, 0);
	aiot_test_fc_close(&c);
}

void malformed_submits_rejected(void)
{
	struct drm_aiot_submit s, good;
	struct drm_aiot_job_wait w;
	struct aiot_test_fc_job c;
	uint32_t handles[65] = { 0 };
	struct aiot_isa_op_fully_connected *op;
	struct aiot_isa_header *h;

	REQUIRE(ctx_open(&c, 1) == 0);
	good = submit_args(&c);

#define BAD(field_assign, err) do {					\
		s = good;						\
		field_assign;						\
		CHECK_ERRNO(ioctl(c.fd, DRM_IOCTL_AIOT_SUBMIT, &s), err); \
	} while (0)

	BAD(s.flags = 2, EINVAL);
	BAD(s.flags = 0x80000000u, EINVAL);
	BAD(s.pad = 1, EINVAL);
	BAD(s.pad2 = 1, EINVAL);
	BAD(s.priority = 3, EINVAL);
	BAD(s.cmd_handle = 0, ENOENT);
	BAD(s.cmd_handle = 4242, ENOENT);
	BAD(s.cmd_size = 0, EINVAL);
	BAD(s.cmd_size = 4097, EINVAL);
	BAD(s.cmd_offset = 4090, EINVAL);
	BAD(s.cmd_offset = 0xffffffffu, EINVAL);
	BAD(s.cmd_size = (1u << 20) + 4, EINVAL);
	BAD(s.bindings[1] = 777, ENOENT);
	BAD(s.bindings[2] = 0, ENOSPC);		/* written slot unbound */
	BAD(s.bindings[15] = 555, ENOENT);
	BAD(s.in_syncobj_count = 65; s.in_syncobjs = (uintptr_t)handles, EINVAL);
	BAD(s.in_syncobj_count = 1; s.in_syncobjs = 16, EFAULT);
	BAD(s.in_syncobj_count = 1; s.in_syncobjs = (uintptr_t)handles, ENOENT);
	handles[0] = 9999;
	BAD(s.in_syncobj_count = 1; s.in_syncobjs = (uintptr_t)handles, ENOENT);
	BAD(s.out_syncobj = 31337, ENOENT);

	/* A tensor running past the end of its buffer. */
	op = (void *)((struct aiot_isa_header *)c.cmd_map + 1);
	op->output.offset = 4095;
	BAD((void)0, ENOSPC);
	op->output.offset = 0;
	op->quant.offset = 4096 - 12;	/* 2 records need 24 bytes */
	BAD((void)0, ENOSPC);
	op->quant.offset = 8;

	/* A stream with a bad magic, then a truncated one, then unknown flags. */
	h = c.cmd_map;
	h->magic ^= 1;
	BAD((void)0, EINVAL);
	h->magic ^= 1;
	BAD(s.cmd_size = c.cmd_size - 4, EINVAL);
	h->flags = 1;
	BAD((void)0, EINVAL);
	h->flags = 0;
	h->version = AIOT_ISA_VERSION(2, 0);
	BAD((void)0, EOPNOTSUPP);
	h->version = AIOT_ISA_VERSION_CURRENT;
#undef BAD

	/* After all that, the device and the file still work. */
	s = good;
	REQUIRE(ioctl(c.fd, DRM_IOCTL_AIOT_SUBMIT, &s) == 0);
	REQUIRE(job_wait(c.fd, s.job_id, 10 * SEC_NS, &w) == 0);
	CHECK_EQ(w.status, 0);
	aiot_test_fc_close(&c);
}

void job_wait_rejects(void)
{
	struct drm_aiot_job_wait w = { 0 };
	struct drm_aiot_submit s;
	struct aiot_test_fc_job c;

	REQUIRE(ctx_open(&c, 0) == 0);
	s = submit_args(&c);
	REQUIRE(ioctl(c.fd, DRM_IOCTL_AIOT_SUBMIT, &s) == 0);
	w.job_id = 0;
	CHECK_ERRNO(ioctl(c.fd, DRM_IOCTL_AIOT_JOB_WAIT, &w), ENOENT);
	w.job_id = s.job_id + 1;
	CHECK_ERRNO(ioctl(c.fd, DRM_IOCTL_AIOT_JOB_WAIT, &w), ENOENT);
	w.job_id = s.job_id + 256;
	CHECK_ERRNO(ioctl(c.fd, DRM_IOCTL_AIOT_JOB_WAIT, &w), ENOENT);
	w.job_id = s.job_id;
	w.flags = 1;
	CHECK_ERRNO(ioctl(c.fd, DRM_IOCTL_AIOT_JOB_WAIT, &w), EINVAL);
	w.flags = 0;
	w.pad = 1;
	CHECK_ERRNO(ioctl(c.fd, DRM_IOCTL_AIOT_JOB_WAIT, &w), EINVAL);
	w.pad = 0;
	w.timeout_ns = -5;
	CHECK_ERRNO(ioctl(c.fd, DRM_IOCTL_AIOT_JOB_WAIT, &w), EINVAL);
	aiot_test_fc_close(&c);
}

void records_are_per_file_and_bounded(void)
{
	struct drm_aiot_job_wait w;
	struct drm_aiot_submit s;
	struct aiot_test_fc_job c, other;
	uint64_t first = 0, last = 0;
	int i;

	REQUIRE(ctx_open(&c, 0) == 0);
	REQUIRE(ctx_open(&other, 0) == 0);
	for (i = 0; i < 300; i++) {
		s = submit_args(&c);
		REQUIRE(ioctl(c.fd, DRM_IOCTL_AIOT_SUBMIT, &s) == 0);
		if (!first)
			first = s.job_id;
		last = s.job_id;
	}
	CHECK_EQ(last - first, 299);
	REQUIRE(job_wait(c.fd, last, 30 * SEC_NS, &w) == 0);
	CHECK_EQ(w.status, 0);
	/* The oldest records were recycled. */
	CHECK_ERRNO(job_wait(c.fd, first, 0, &w), ENOENT);
	CHECK_EQ(job_wait(c.fd, last - 255, 0, &w), 0);
	/* Another file does not see these ids. */
	CHECK_ERRNO(job_wait(other.fd, last, 0, &w), ENOENT);
	aiot_test_fc_close(&other);
	aiot_test_fc_close(&c);
}

/* The running kernel is @major.@minor or newer. */
static int kernel_at_least(unsigned int major, unsigned int minor)
{
	struct utsname u;
	unsigned int ma = 0, mi = 0;

	if (uname(&u) || sscanf(u.release, "%u.%u", &ma, &mi) != 2)
		return 0;
	return ma > major || (ma == major && mi >= minor);
}

void fdinfo_reports_usage(void)
{
	struct drm_aiot_job_wait w;
	struct drm_aiot_submit s;
	char path[64], buf[2048];
	struct aiot_test_fc_job c;
	int i;

	REQUIRE(ctx_open(&c, 1) == 0);
	for (i = 0; i < 5; i++) {
		s = submit_args(&c);
		REQUIRE(ioctl(c.fd, DRM_IOCTL_AIOT_SUBMIT, &s) == 0);
	}
	REQUIRE(job_wait(c.fd, s.job_id, 30 * SEC_NS, &w) == 0);
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", c.fd);
	REQUIRE(aiot_test_read_file(path, buf, sizeof(buf)) == 0);
	/*
	 * Per-client fdinfo came with 6.5, on accel and render nodes alike:
	 * only an older kernel may lack it (a 6.12 without DRM accel, whose
	 * render node had none, must fail here).
	 */
	if (!strstr(buf, "drm-driver") && !kernel_at_least(6, 5)) {
		aiot_test_fc_close(&c);
		TAP_SKIP("this kernel has no DRM fdinfo (before 6.5)");
	}
	CHECK(strstr(buf, "drm-driver:\taiot") != NULL);
	CHECK(strstr(buf, "aiot-jobs-submitted:\t5") != NULL);
	CHECK(strstr(buf, "aiot-jobs-completed:\t5") != NULL);
	CHECK(strstr(buf, "drm-engine-npu:\t") != NULL);
	aiot_test_fc_close(&c);
}
