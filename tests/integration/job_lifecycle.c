// SPDX-License-Identifier: GPL-2.0-only
/*
 * A job's life past the happy path, on the NPU under test (aiot-qemu
 * --npu): closing a file or killing its process with jobs queued (they are
 * cancelled with ECANCELED, close() does not wait), the reset of a hung job
 * within its timeout, and an entity's fences signalling in order.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <drm.h>
#include <drm/aiot_accel.h>
#include <linux/sync_file.h>

#include "aiot_testlib.h"
#include "tap.h"

#define SEC_NS		1000000000LL
#define MS_NS		1000000LL
/* A hung job, then this many: more than any backend holds at once. */
#define QUEUED		8
/* Jobs a backend may hold besides the hung one (aiot-card: 4 slots). */
#define MAX_HELD	3

static char node[64];

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * SEC_NS + ts.tv_nsec;
}

static int submit(const struct aiot_test_fc_job *c, uint64_t deadline_ns,
		  int *sync_fd, uint64_t *job_id)
{
	struct drm_aiot_submit s = {
		.cmd_handle = c->cmd,
		.cmd_size = c->cmd_size,
		.priority = DRM_AIOT_PRIORITY_NORMAL,
		.deadline_ns = deadline_ns,
		.flags = sync_fd ? DRM_AIOT_SUBMIT_OUT_SYNC_FILE : 0,
	};

	s.bindings[0] = c->weights;
	s.bindings[1] = c->in;
	s.bindings[2] = c->out;
	if (ioctl(c->fd, DRM_IOCTL_AIOT_SUBMIT, &s))
		return -1;
	if (sync_fd)
		*sync_fd = s.out_sync_file;
	if (job_id)
		*job_id = s.job_id;
	return 0;
}

static int job_wait(int fd, uint64_t id, int64_t timeout_ns,
		    struct drm_aiot_job_wait *w)
{
	memset(w, 0, sizeof(*w));
	w->job_id = id;
	w->timeout_ns = timeout_ns;
	return ioctl(fd, DRM_IOCTL_AIOT_JOB_WAIT, w);
}

/* 0: pending, 1: signalled, -errno: signalled with an error. */
static int fence_status(int sync_fd)
{
	struct sync_file_info info = { 0 };

	if (ioctl(sync_fd, SYNC_IOC_FILE_INFO, &info))
		return -10000;
	return info.status;
}

static int fence_wait(int sync_fd, int timeout_ms)
{
	struct pollfd p = { .fd = sync_fd, .events = POLLIN };

	return poll(&p, 1, timeout_ms) == 1;
}

/* The debug guest's kernel: kmemleak (with KASAN and lockdep). */
static int debug_kernel(void)
{
	return access("/sys/kernel/debug/kmemleak", F_OK) == 0;
}

static uint32_t job_timeout_ms(int fd)
{
	struct drm_aiot_device_info info;
	struct drm_aiot_query q = { .type = DRM_AIOT_QUERY_DEVICE_INFO,
		.size = sizeof(info), .ptr = (uintptr_t)&info };

	if (ioctl(fd, DRM_IOCTL_AIOT_QUERY, &q))
		return 0;
	return info.job_timeout_ms;
}

/*
 * The fences of a hung job and of the QUEUED jobs submitted behind it, its
 * file gone: the hung one signals first (reset by the timeout), then the
 * others. At most MAX_HELD of them were on the device already and ran;
 * every later one is cancelled with ECANCELED.
 */
static void check_cancelled(const int *fences)
{
	int i, ran = 0, cancelled = 0, other = 0, st;

	/* All signal, the hung job's timeout after at most. */
	for (i = 0; i <= QUEUED; i++)
		REQUIRE(fence_wait(fences[i], 60 * 1000));
	for (i = 1; i <= QUEUED; i++) {
		st = fence_status(fences[i]);
		if (st == 1 && cancelled == 0)
			ran++;
		else if (st == -ECANCELED)
			cancelled++;
		else
			other++;
		if (st != -ECANCELED)
			tap_diag("job %d after the hung one: status %d", i, st);
	}
	tap_diag("hung job: status %d; after it %d ran, %d cancelled",
		 fence_status(fences[0]), ran, cancelled);
	CHECK(fence_status(fences[0]) != -ECANCELED);
	CHECK(ran <= MAX_HELD);
	CHECK(cancelled >= QUEUED - MAX_HELD);
	CHECK_EQ(other, 0);
}

/*
 * docs/uapi.md: closing the file cancels its jobs that have not reached the
 * device. close() returns at once (it used to wait for all of them to run,
 * the hung one's timeout first), their fences carry ECANCELED and signal
 * after the fence of the job still on the device.
 */
static void close_cancels_queued_jobs(void)
{
	int fences[QUEUED + 1], i;
	uint64_t t0, close_ns;
	struct aiot_test_fc_job c;

	REQUIRE(aiot_test_fc_open(&c, node, sizeof(node), 0) == 0);
	REQUIRE(aiot_test_npu_knob("hang_next_jobs", "1") == 0);
	for (i = 0; i <= QUEUED; i++)
		REQUIRE(submit(&c, 0, &fences[i], NULL) == 0);
	/* Let the scheduler hand the device what it takes. */
	usleep(200 * 1000);
	t0 = now_ns();
	REQUIRE(close(c.fd) == 0);
	close_ns = now_ns() - t0;
	tap_diag("close() with %d jobs queued: %llu us", QUEUED + 1,
		 (unsigned long long)close_ns / 1000);
	/*
	 * 50 ms, the target; the debug kernel (KASAN, kmemleak: 10x slower
	 * under TCG) gets 500 ms. Waiting for the queue takes seconds.
	 */
	CHECK(close_ns < (debug_kernel() ? 500 : 50) * MS_NS);
	/* In order: nothing signals before the hung job is reset. */
	CHECK_EQ(fence_status(fences[0]), 0);
	CHECK_EQ(fence_status(fences[QUEUED]), 0);
	REQUIRE(fence_wait(fences[QUEUED], 60 * 1000));
	CHECK(fence_status(fences[0]) != 0);
	check_cancelled(fences);
	for (i = 0; i <= QUEUED; i++)
		close(fences[i]);
}

static int send_fds(int sock, const int *fds, int n)
{
	char data = 'f', cbuf[CMSG_SPACE(sizeof(int) * (QUEUED + 1))];
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = CMSG_SPACE(sizeof(int) * n) };
	struct cmsghdr *cm;

	memset(cbuf, 0, sizeof(cbuf));
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int) * n);
	memcpy(CMSG_DATA(cm), fds, sizeof(int) * n);
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

static int recv_fds(int sock, int *fds, int n)
{
	char data, cbuf[CMSG_SPACE(sizeof(int) * (QUEUED + 1))];
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;

	if (recvmsg(sock, &msg, 0) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS ||
	    cm->cmsg_len != CMSG_LEN(sizeof(int) * n))
		return -1;
	memcpy(fds, CMSG_DATA(cm), sizeof(int) * n);
	return 0;
}

/*
 * A process killed with jobs queued: the same as a close, ECANCELED (the
 * scheduler's kill path used to end them with ESRCH), and its exit does
 * not wait for them.
 */
static void killed_process_jobs_cancelled(void)
{
	int sv[2], fences[QUEUED + 1], status, i;
	uint64_t t0, exit_ns;
	pid_t pid;

	REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	REQUIRE(aiot_test_npu_knob("hang_next_jobs", "1") == 0);
	pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		struct aiot_test_fc_job c;

		close(sv[0]);
		if (aiot_test_fc_open(&c, node, sizeof(node), 0))
			_exit(2);
		for (i = 0; i <= QUEUED; i++)
			if (submit(&c, 0, &fences[i], NULL))
				_exit(3);
		if (send_fds(sv[1], fences, QUEUED + 1))
			_exit(4);
		pause();
		_exit(0);
	}
	close(sv[1]);
	REQUIRE(recv_fds(sv[0], fences, QUEUED + 1) == 0);
	usleep(200 * 1000);
	t0 = now_ns();
	kill(pid, SIGKILL);
	REQUIRE(waitpid(pid, &status, 0) == pid);
	exit_ns = now_ns() - t0;
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	tap_diag("killed with %d jobs queued: gone in %llu us", QUEUED + 1,
		 (unsigned long long)exit_ns / 1000);
	CHECK(exit_ns < 500 * MS_NS);
	check_cancelled(fences);
	for (i = 0; i <= QUEUED; i++)
		close(fences[i]);
	close(sv[0]);
}

/*
 * A job that makes no progress at all is reset one job_timeout_ms after it
 * started, not two: the first timeout check used to only record the
 * progress counter. One check, one reset, within 1.1x the timeout.
 */
static void hung_job_reset_within_timeout(void)
{
	struct drm_aiot_job_wait w;
	uint64_t id, took_ns;
	long checks;
	uint32_t timeout;
	struct aiot_test_fc_job c;

	REQUIRE(aiot_test_fc_open(&c, node, sizeof(node), 0) == 0);
	timeout = job_timeout_ms(c.fd);
	REQUIRE(timeout > 0);
	/* A job that runs moves the progress counter, as any would. */
	REQUIRE(submit(&c, 0, NULL, &id) == 0);
	REQUIRE(job_wait(c.fd, id, 30 * SEC_NS, &w) == 0);
	CHECK_EQ(w.status, 0);

	checks = aiot_test_npu_state_counter("timeout_checks");
	REQUIRE(aiot_test_npu_knob("hang_next_jobs", "1") == 0);
	REQUIRE(submit(&c, 0, NULL, &id) == 0);
	REQUIRE(job_wait(c.fd, id, 60 * SEC_NS, &w) == 0);
	CHECK_EQ(w.state, DRM_AIOT_JOB_DONE);
	CHECK_EQ(w.status, -ETIMEDOUT);
	/* From when the device took it (the scheduler armed the timeout). */
	took_ns = w.ended_ns - (w.started_ns ? w.started_ns : w.queued_ns);
	tap_diag("hung job reset %llu ms after it started, %llu ms after submit (job_timeout_ms %u), checks %ld -> %ld",
		 (unsigned long long)took_ns / MS_NS,
		 (unsigned long long)(w.ended_ns - w.queued_ns) / MS_NS,
		 timeout, checks,
		 aiot_test_npu_state_counter("timeout_checks"));
	CHECK(took_ns >= (uint64_t)timeout * MS_NS * 9 / 10);
	CHECK(took_ns <= (uint64_t)timeout * MS_NS * 11 / 10);
	CHECK_EQ(aiot_test_npu_state_counter("timeout_checks"), checks + 1);
	close(c.fd);
}

/*
 * Job A hangs; job B, of the same file and priority (the same entity),
 * reads the same input and completes at once in run_job (deadline long
 * past). dma_resv keeps one fence per context: B's read fence replaced
 * A's in the input's reservation. B's fence must not signal while A runs,
 * or the buffer looks idle (BO_WAIT, a sensor ring recycling a slot) while
 * A still reads it.
 */
static void entity_fences_signal_in_order(void)
{
	struct drm_aiot_bo_wait bw = { 0 };
	struct drm_aiot_job_wait w;
	int fa, fb;
	uint64_t a, b;
	struct aiot_test_fc_job c;

	REQUIRE(aiot_test_fc_open(&c, node, sizeof(node), 0) == 0);
	REQUIRE(aiot_test_npu_knob("hang_next_jobs", "1") == 0);
	REQUIRE(submit(&c, 0, &fa, &a) == 0);
	REQUIRE(submit(&c, 1, &fb, &b) == 0);
	usleep(300 * 1000);
	/* B is done on the device: it did not run. */
	REQUIRE(job_wait(c.fd, a, 0, &w) == 0);
	CHECK(w.state != DRM_AIOT_JOB_DONE);
	CHECK_EQ(fence_status(fa), 0);
	CHECK_EQ(fence_status(fb), 0);
	bw.handle = c.in;
	bw.timeout_ns = 0;
	CHECK_ERRNO(ioctl(c.fd, DRM_IOCTL_AIOT_BO_WAIT, &bw), ETIME);
	bw.handle = c.out;
	CHECK_ERRNO(ioctl(c.fd, DRM_IOCTL_AIOT_BO_WAIT, &bw), ETIME);

	/* A is reset by the timeout; then B's fence signals, after it. */
	REQUIRE(fence_wait(fb, 60 * 1000));
	CHECK(fence_status(fa) != 0);
	REQUIRE(job_wait(c.fd, a, 0, &w) == 0);
	CHECK_EQ(w.status, -ETIMEDOUT);
	REQUIRE(job_wait(c.fd, b, 0, &w) == 0);
	CHECK_EQ(w.state, DRM_AIOT_JOB_DONE);
	CHECK_EQ(w.status, -ETIME);
	CHECK_EQ(fence_status(fb), -ETIME);
	bw.handle = c.in;
	CHECK_EQ(ioctl(c.fd, DRM_IOCTL_AIOT_BO_WAIT, &bw), 0);
	close(fa);
	close(fb);
	close(c.fd);
}

/*
 * A job's sync_file outlives its device and the core module: with the
 * backend unbound and the file closed it still answers (its fence's lock
 * and its scheduler's name live in the device), and aiot.ko stays loaded
 * until it is closed (the fence's ops are aiot's). Fails without: aiot.ko
 * unloads under the sync_file, whose next call reads freed memory.
 */
static void sync_file_outlives_device(void)
{
	struct sync_fence_info fi = { 0 };
	struct sync_file_info info = { 0 };
	struct drm_aiot_job_wait w;
	struct aiot_test_fc_job c;
	uint64_t id;
	int sf = -1;

	REQUIRE(aiot_test_fc_open(&c, node, sizeof(node), 0) == 0);
	REQUIRE(submit(&c, 0, &sf, &id) == 0);
	REQUIRE(job_wait(c.fd, id, 10 * SEC_NS, &w) == 0);
	CHECK_EQ(w.status, 0);
	close(c.fd);
	REQUIRE(aiot_test_npu_unload(0, 20000) == 0);

	/* Only the fence holds aiot.ko now. */
	CHECK_EQ(aiot_test_rmmod("aiot"), -EWOULDBLOCK);
	CHECK(aiot_test_module_loaded("aiot"));
	info.num_fences = 1;
	info.sync_fence_info = (uintptr_t)&fi;
	CHECK_EQ(ioctl(sf, SYNC_IOC_FILE_INFO, &info), 0);
	CHECK_EQ(info.status, 1);
	CHECK_EQ(fi.status, 1);
	CHECK(fi.driver_name[0] != '\0');
	CHECK(fi.obj_name[0] != '\0');
	CHECK(fence_wait(sf, 1000));
	close(sf);

	/* The last reference goes from a work item: wait for it. */
	CHECK_EQ(aiot_test_rmmod_wait("aiot", 10000), 0);
	CHECK(!aiot_test_module_loaded("aiot"));
	REQUIRE(aiot_test_npu_load(1, NULL) == 0);
}

TAP_MAIN_WITH_HOOK(aiot_test_check_jobs_released,
	TAP_CASE(hung_job_reset_within_timeout),
	TAP_CASE(entity_fences_signal_in_order),
	TAP_CASE(close_cancels_queued_jobs),
	TAP_CASE(killed_process_jobs_cancelled),
	TAP_CASE(sync_file_outlives_device),
)
