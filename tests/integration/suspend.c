// SPDX-License-Identifier: GPL-2.0-only
/*
 * Suspend to idle with work in flight (issue 13): a microphone stream of
 * 1 s periods is running and accelerator jobs are queued behind its slots'
 * write fences when the guest enters s2idle (`freeze` to /sys/power/state),
 * woken by the CMOS RTC's alarm. After resume no fence is lost: every
 * slot's write fence and every job's fence signals without error, every
 * job completes with status 0 and the result the CPU computes from the
 * slot it read, and the stream goes on (sequence numbers grow; a gap is
 * counted in INFO.drops).
 *
 * The sensor stops sampling while the system sleeps (aiot-sim's dev_pm_ops
 * pause its period timer): the periods the suspend lasted are counted as
 * drops on resume. Without that, the sim's hrtimer kept filling slots
 * through pm_test's wait, and INFO.drops did not move.
 *
 * A guest that cannot suspend to idle (no "freeze" in /sys/power/state, no
 * pm_test) skips, and says why.
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
#include <time.h>
#include <unistd.h>

#include <drm.h>
#include <linux/dma-buf.h>
#include <linux/sync_file.h>
#include <drm/aiot_accel.h>
#include <linux/aiot_isa.h>
#include <linux/aiot_sensor.h>

#include "aiot_testlib.h"
#include "tap.h"

#define RATE		8000
#define SLOTS		4
#define SAMPLES		RATE		/* 1 s periods */
#define WAKE_AFTER_S	3

static int64_t clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t mono_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

static long read_long(const char *path)
{
	char buf[64];

	if (aiot_test_read_file(path, buf, sizeof(buf)))
		return -1;
	return strtol(buf, NULL, 10);
}

/* Successful suspends so far (sysfs on 6.x, else debugfs), or -1. */
static long suspend_successes(void)
{
	long n = read_long("/sys/power/suspend_stats/success");
	char buf[4096];
	const char *p;

	if (n >= 0)
		return n;
	if (aiot_test_read_file("/sys/kernel/debug/suspend_stats", buf, sizeof(buf)))
		return -1;
	p = strstr(buf, "success:");
	return p ? strtol(p + 8, NULL, 10) : -1;
}

/*
 * Enter s2idle. In QEMU's q35 guest the CMOS RTC's alarm does not wake
 * s2idle (measured on deb612: no resume within 300 s), so where the kernel
 * has PM_DEBUG the cycle runs with pm_test "platform": the freezer, every
 * device's suspend and resume callbacks (noirq and late included) and the
 * platform's s2idle prepare/restore, then WAKE_AFTER_S seconds in place of
 * the idle loop. The RTC alarm is set too, for a kernel that sleeps. 0 or
 * -errno.
 */
static int suspend_to_idle(void)
{
	char alarm[32];
	int fd, ret = 0;

	snprintf(alarm, sizeof(alarm), "%d", WAKE_AFTER_S);
	if (aiot_test_write_file("/sys/power/pm_test", "platform", 8) == 0)
		aiot_test_write_file("/sys/module/suspend/parameters/pm_test_delay",
				     alarm, strlen(alarm));
	else if (access("/sys/class/rtc/rtc0/wakealarm", W_OK))
		return -ENODEV;
	aiot_test_write_file("/sys/class/rtc/rtc0/wakealarm", "0", 1);
	snprintf(alarm, sizeof(alarm), "+%d", WAKE_AFTER_S);
	aiot_test_write_file("/sys/class/rtc/rtc0/wakealarm", alarm, strlen(alarm));
	fd = open("/sys/power/state", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* Returns after the resume. */
	if (write(fd, "freeze", 6) != 6)
		ret = -errno;
	close(fd);
	aiot_test_write_file("/sys/power/pm_test", "none", 4);
	return ret;
}

static int can_suspend(const char **why)
{
	char buf[128];

	if (aiot_test_read_file("/sys/power/state", buf, sizeof(buf)) ||
	    !strstr(buf, "freeze")) {
		*why = "no s2idle (freeze) in /sys/power/state";
		return 0;
	}
	if (access("/sys/power/pm_test", W_OK)) {
		*why = "no /sys/power/pm_test (PM_DEBUG), and the RTC does not wake QEMU's s2idle";
		return 0;
	}
	return 1;
}

/* One SENSOR_TO_INT8 of n int16 samples (binding 1) into int8 (binding 2). */
static uint32_t s2i8_stream(void *buf, uint32_t n)
{
	struct aiot_isa_op_requantize *op;

	op = aiot_test_stream_one_op(buf, AIOT_ISA_OP_SENSOR_TO_INT8, sizeof(*op));
	op->input = (struct aiot_isa_tensor){ .offset = 0, .binding = 1,
		.dtype = AIOT_ISA_DTYPE_INT16, .dims = { 1, 1, n, 1 } };
	op->output = (struct aiot_isa_tensor){ .offset = 0, .binding = 2,
		.dtype = AIOT_ISA_DTYPE_INT8, .dims = { 1, 1, n, 1 } };
	op->multiplier = 1 << 30;	/* x 0.5 */
	op->shift = -7;			/* x 2^-7: x / 256 */
	op->act.min = -128;
	op->act.max = 127;
	return ((struct aiot_isa_header *)buf)->size;
}

/* What the NPU must compute from one sample: x * 2^30 / 2^31 / 2^7, rounded. */
static int8_t s2i8_expect(int16_t x)
{
	int64_t ab = (int64_t)x * (1 << 30);
	int64_t nudge = ab >= 0 ? (1 << 30) : 1 - (1 << 30);
	int32_t r = (int32_t)((ab + nudge) / (1ll << 31));
	int32_t mask = (1 << 7) - 1, rem = r & mask, thr = (mask >> 1) + (r < 0);

	r = (r >> 7) + (rem > thr);
	return r < -128 ? -128 : r > 127 ? 127 : (int8_t)r;
}

static int sync_file_status(int fd)
{
	struct sync_file_info info = { 0 };

	if (ioctl(fd, SYNC_IOC_FILE_INFO, &info))
		return -1000 - errno;
	return info.status;
}

static void suspend_with_stream_and_queued_jobs(void)
{
	struct aiot_sensor_config cfg = {
		.format = AIOT_SENSOR_FMT_S16_LE, .channels = 1, .rate_hz = RATE,
		.samples_per_slot = SAMPLES, .slot_count = SLOTS,
		.overflow = AIOT_SENSOR_OVERFLOW_DROP_NEWEST,
	};
	struct aiot_sensor_info info0 = { 0 }, info1 = { 0 }, info_r = { 0 };
	int dmabuf[SLOTS], write_fence[SLOTS], job_fence[SLOTS];
	uint32_t slot_bo[SLOTS], out_bo[SLOTS], cmd_bo;
	uint64_t job_id[SLOTS];
	const char *why = NULL;
	char node[64];
	int sfd, afd, i, ret;
	long before;
	int64_t t_suspend, t_resume, boot_suspend, boot_resume, slept_s;
	uint8_t *cmd;
	const int16_t *ring;
	uint64_t last_seq = 0;
	int dequeued = 0;

	if (!can_suspend(&why))
		TAP_SKIP(why);
	sfd = aiot_test_open_sensor(AIOT_SENSOR_KIND_MIC, node, sizeof(node));
	REQUIRE(sfd >= 0);
	afd = aiot_test_open_accel(node, sizeof(node));
	REQUIRE(afd >= 0);
	REQUIRE(ioctl(sfd, AIOT_SENSOR_IOC_CONFIGURE, &cfg) == 0);
	ring = mmap(NULL, cfg.ring_bytes, PROT_READ, MAP_SHARED, sfd, 0);
	REQUIRE(ring != MAP_FAILED);
	cmd_bo = aiot_test_bo_create(afd, 4096);
	REQUIRE(cmd_bo);
	cmd = aiot_test_bo_map(afd, cmd_bo, 4096);
	REQUIRE(cmd);
	s2i8_stream(cmd, SAMPLES);
	for (i = 0; i < SLOTS; i++) {
		struct aiot_sensor_expbuf e = { .index = i, .flags = O_CLOEXEC | O_RDWR };
		struct drm_prime_handle ph = { 0 };

		REQUIRE(ioctl(sfd, AIOT_SENSOR_IOC_EXPBUF, &e) == 0);
		dmabuf[i] = e.fd;
		ph.fd = e.fd;
		REQUIRE(ioctl(afd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &ph) == 0);
		slot_bo[i] = ph.handle;
		out_bo[i] = aiot_test_bo_create(afd, SAMPLES);
		REQUIRE(out_bo[i]);
	}
	REQUIRE(ioctl(sfd, AIOT_SENSOR_IOC_START) == 0);
	/* Every slot is armed: take its write fence while it is pending. */
	for (i = 0; i < SLOTS; i++) {
		struct dma_buf_export_sync_file es = { .flags = DMA_BUF_SYNC_READ, .fd = -1 };

		REQUIRE(ioctl(dmabuf[i], DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &es) == 0);
		write_fence[i] = es.fd;
	}
	/* One job per slot, each waiting for its slot's DMA (1 s, 2 s, ...). */
	for (i = 0; i < SLOTS; i++) {
		struct drm_aiot_submit s = { 0 };

		s.flags = DRM_AIOT_SUBMIT_OUT_SYNC_FILE;
		s.cmd_handle = cmd_bo;
		s.cmd_size = ((struct aiot_isa_header *)cmd)->size;
		s.bindings[1] = slot_bo[i];
		s.bindings[2] = out_bo[i];
		s.priority = DRM_AIOT_PRIORITY_NORMAL;
		s.out_sync_file = -1;
		REQUIRE(ioctl(afd, DRM_IOCTL_AIOT_SUBMIT, &s) == 0);
		job_id[i] = s.job_id;
		job_fence[i] = s.out_sync_file;
	}
	CHECK_EQ(ioctl(sfd, AIOT_SENSOR_IOC_INFO, &info0), 0);
	before = suspend_successes();
	t_suspend = mono_ns();
	boot_suspend = clock_ns(CLOCK_BOOTTIME);
	ret = suspend_to_idle();
	boot_resume = clock_ns(CLOCK_BOOTTIME);
	t_resume = mono_ns();
	tap_diag("s2idle: write returned %d after %.2f s (monotonic), suspends %ld -> %ld",
		 ret, (t_resume - t_suspend) / 1e9, before, suspend_successes());
	CHECK_EQ(ret, 0);
	if (before >= 0)
		CHECK_EQ(suspend_successes(), before + 1);
	/*
	 * Resume counts the periods the suspend lasted as dropped (all 4 slots
	 * were queued, so a sensor that went on sampling dropped none): at
	 * least one less than the whole seconds it lasted, by CLOCK_BOOTTIME,
	 * up to the WAKE_AFTER_S asked. pm_test's wait is a busy delay
	 * calibrated at boot, and a loaded TCG guest has come back from a 3 s
	 * one after 0.98 s (and 1.66 s): then it is fewer drops, rightly.
	 */
	CHECK_EQ(ioctl(sfd, AIOT_SENSOR_IOC_INFO, &info_r), 0);
	slept_s = (boot_resume - boot_suspend) / 1000000000;
	if (slept_s > WAKE_AFTER_S)
		slept_s = WAKE_AFTER_S;
	tap_diag("drops across the suspend: %llu -> %llu (it lasted %.2f s by CLOCK_BOOTTIME)",
		 (unsigned long long)info0.drops, (unsigned long long)info_r.drops,
		 (boot_resume - boot_suspend) / 1e9);
	CHECK((int64_t)(info_r.drops - info0.drops) >= slept_s - 1);

	/* No fence lost: every job completes, correctly, on its slot's data. */
	for (i = 0; i < SLOTS; i++) {
		struct drm_aiot_job_wait jw = { .job_id = job_id[i],
						.timeout_ns = (SLOTS + 10) * 1000000000ll };
		const int8_t *out = aiot_test_bo_map(afd, out_bo[i], SAMPLES);
		const int16_t *in = (const int16_t *)((const char *)ring +
						      (size_t)i * cfg.slot_stride);
		int k, bad = 0;

		CHECK_EQ(ioctl(afd, DRM_IOCTL_AIOT_JOB_WAIT, &jw), 0);
		CHECK_EQ(jw.state, DRM_AIOT_JOB_DONE);
		CHECK_EQ(jw.status, 0);
		CHECK_EQ(sync_file_status(job_fence[i]), 1);
		CHECK_EQ(sync_file_status(write_fence[i]), 1);
		REQUIRE(out);
		for (k = 0; k < SAMPLES; k++)
			bad += out[k] != s2i8_expect(in[k]);
		CHECK_EQ(bad, 0);
		tap_diag("job %d: started %.2f s after the suspend began", i,
			 jw.started_ns ? ((int64_t)jw.started_ns - t_suspend) / 1e9 : -1.0);
		close(job_fence[i]);
		close(write_fence[i]);
	}
	/*
	 * The stream goes on: dequeue and requeue for a few more periods. Every
	 * period is accounted for: the last sequence + 1 = dequeued + dropped.
	 */
	while (dequeued < SLOTS + 3) {
		struct pollfd p = { .fd = sfd, .events = POLLIN };
		struct aiot_sensor_buffer b = { 0 };

		REQUIRE(poll(&p, 1, 5000) == 1);
		REQUIRE(ioctl(sfd, AIOT_SENSOR_IOC_DQBUF, &b) == 0);
		CHECK(!(b.flags & AIOT_SENSOR_BUF_ERROR));
		CHECK(dequeued == 0 || b.sequence > last_seq);
		last_seq = b.sequence;
		dequeued++;
		/* Output-only fields: OVERFLOWED marks the periods lost before. */
		b.dma_done_ns = 0;
		b.flags = 0;
		CHECK_EQ(ioctl(sfd, AIOT_SENSOR_IOC_QBUF, &b), 0);
	}
	CHECK_EQ(ioctl(sfd, AIOT_SENSOR_IOC_INFO, &info1), 0);
	CHECK_EQ(info1.state, AIOT_SENSOR_STATE_STREAMING);
	tap_diag("after resume: %d slots dequeued, last sequence %llu, drops %llu -> %llu",
		 dequeued, (unsigned long long)last_seq, (unsigned long long)info0.drops,
		 (unsigned long long)info1.drops);
	CHECK(last_seq + 1 >= (uint64_t)dequeued);
	CHECK_EQ(last_seq + 1 - dequeued, info1.drops - info0.drops);
	CHECK_EQ(ioctl(sfd, AIOT_SENSOR_IOC_STOP), 0);
	for (i = 0; i < SLOTS; i++)
		close(dmabuf[i]);
	munmap((void *)ring, cfg.ring_bytes);
	close(afd);
	close(sfd);
}

/* A second cycle with nothing in flight: the devices still work after it. */
static void suspend_idle_then_job(void)
{
	const char *why = NULL;
	char node[64];
	struct aiot_test_fc_job j;
	int i;
	int8_t *in, *out;
	struct drm_aiot_submit s = { 0 };
	struct drm_aiot_job_wait jw = { 0 };

	if (!can_suspend(&why))
		TAP_SKIP(why);
	CHECK_EQ(suspend_to_idle(), 0);
	REQUIRE(aiot_test_fc_open(&j, node, sizeof(node), AIOT_TEST_FC_MAPPED) == 0);
	in = j.in_map;
	out = j.out_map;
	for (i = 0; i < AIOT_TEST_FC_D; i++)
		in[i] = (int8_t)(5 - 3 * i);
	s.cmd_handle = j.cmd;
	s.cmd_size = j.cmd_size;
	s.bindings[0] = j.weights;
	s.bindings[1] = j.in;
	s.bindings[2] = j.out;
	s.out_sync_file = -1;
	REQUIRE(ioctl(j.fd, DRM_IOCTL_AIOT_SUBMIT, &s) == 0);
	jw.job_id = s.job_id;
	jw.timeout_ns = 10000000000ll;
	CHECK_EQ(ioctl(j.fd, DRM_IOCTL_AIOT_JOB_WAIT, &jw), 0);
	CHECK_EQ(jw.status, 0);
	for (i = 0; i < AIOT_TEST_FC_O; i++)
		CHECK_EQ(out[i], aiot_test_fc_expect(in, i));
	aiot_test_fc_close(&j);
}

TAP_MAIN(TAP_CASE(suspend_with_stream_and_queued_jobs), TAP_CASE(suspend_idle_then_job))
