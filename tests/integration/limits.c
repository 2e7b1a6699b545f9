// SPDX-License-Identifier: GPL-2.0-only
/*
 * Limits on what one job and one file may take (issue 13, items 6 and 8):
 * the per-job work budget (QUERY max_job_work, -E2BIG), the cap on a
 * file's unfinished jobs (QUERY max_jobs_in_flight, -EBUSY), the sensor
 * ring size cap (INFO max_ring_bytes, -ERANGE), and ring memory charged
 * to the memory cgroup of the task that configures it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <drm.h>
#include <drm/aiot_accel.h>
#include <linux/aiot_isa.h>
#include <linux/aiot_sensor.h>

#include "aiot_testlib.h"
#include "tap.h"

#define SEC_NS 1000000000LL
#define PARAM_WORK "/sys/module/aiot/parameters/max_job_work"
#define PARAM_JOBS "/sys/module/aiot/parameters/max_jobs_in_flight"
#define PARAM_RING "/sys/module/aiot_sensor/parameters/max_ring_bytes"

static char node[64];

static unsigned long long read_ull(const char *path)
{
	char buf[64] = "";

	if (aiot_test_read_file(path, buf, sizeof(buf)))
		return ~0ULL;
	return strtoull(buf, NULL, 0);
}

static int write_ull(const char *path, unsigned long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu", v);
	return aiot_test_write_file(path, buf, strlen(buf));
}

static int device_info(int fd, struct drm_aiot_device_info *info)
{
	struct drm_aiot_query q = {
		.type = DRM_AIOT_QUERY_DEVICE_INFO,
		.size = sizeof(*info),
		.ptr = (uintptr_t)info,
	};

	memset(info, 0xa5, sizeof(*info));
	return ioctl(fd, DRM_IOCTL_AIOT_QUERY, &q);
}

static struct drm_aiot_submit fc_submit(const struct aiot_test_fc_job *c)
{
	struct drm_aiot_submit s = {
		.cmd_handle = c->cmd,
		.cmd_size = c->cmd_size,
		.priority = DRM_AIOT_PRIORITY_NORMAL,
	};

	s.bindings[AIOT_ISA_BINDING_WEIGHTS] = c->weights;
	s.bindings[AIOT_ISA_BINDING_INPUT] = c->in;
	s.bindings[AIOT_ISA_BINDING_OUTPUT] = c->out;
	return s;
}

static int job_wait(int fd, uint64_t id, int64_t timeout_ns,
		    struct drm_aiot_job_wait *w)
{
	memset(w, 0, sizeof(*w));
	w->job_id = id;
	w->timeout_ns = timeout_ns;
	return ioctl(fd, DRM_IOCTL_AIOT_JOB_WAIT, w);
}

static void limits_reported_in_query(void)
{
	struct drm_aiot_device_info info;
	int fd = aiot_test_open_accel(node, sizeof(node));

	REQUIRE(fd >= 0);
	REQUIRE(device_info(fd, &info) == 0);
	CHECK_EQ(info.struct_size, sizeof(info));
	CHECK(info.struct_size > DRM_AIOT_DEVICE_INFO_SIZE_V1);
	CHECK(info.uapi_minor >= 1);
	/* The defaults, as documented; the parameters say the same. */
	CHECK_EQ(info.max_job_work, 1ULL << 32);
	CHECK_EQ(info.max_job_work, read_ull(PARAM_WORK));
	CHECK_EQ(info.max_jobs_in_flight, 1024);
	CHECK_EQ(info.max_jobs_in_flight, read_ull(PARAM_JOBS));
	CHECK_EQ(info.reserved2, 0);
	tap_diag("max_job_work %llu, max_jobs_in_flight %u",
		 (unsigned long long)info.max_job_work, info.max_jobs_in_flight);
	close(fd);
}

/*
 * A valid CONV_2D of modest bytes and huge work: 4096 output columns of
 * 64 channels, each a 256 x 256 reduction, 1.7e10 MACs. Without a work
 * budget it is accepted and holds the NPU for minutes.
 */
static void huge_work_rejected_with_e2big(void)
{
	const uint32_t filter_bytes = 64 * 256 * 256;
	struct drm_aiot_submit s = { .priority = DRM_AIOT_PRIORITY_NORMAL };
	uint32_t cmd, filter, in, out, quant;
	struct aiot_isa_op_conv *op;
	unsigned char *stream;
	int fd;

	fd = aiot_test_open_accel(node, sizeof(node));
	REQUIRE(fd >= 0);
	cmd = aiot_test_bo_create(fd, 4096);
	filter = aiot_test_bo_create(fd, filter_bytes);
	in = aiot_test_bo_create(fd, 256 * 256);
	out = aiot_test_bo_create(fd, 4096 * 64);
	quant = aiot_test_bo_create(fd, 4096);
	REQUIRE(cmd && filter && in && out && quant);
	stream = aiot_test_bo_map(fd, cmd, 4096);
	REQUIRE(stream);
	op = aiot_test_stream_one_op(stream, AIOT_ISA_OP_CONV_2D, sizeof(*op));
	op->input = (struct aiot_isa_tensor){ .binding = 1,
		.dtype = AIOT_ISA_DTYPE_INT8, .dims = { 1, 1, 256, 256 } };
	op->filter = (struct aiot_isa_tensor){ .binding = 0,
		.dtype = AIOT_ISA_DTYPE_INT8, .dims = { 64, 1, 256, 256 } };
	op->output = (struct aiot_isa_tensor){ .binding = 2,
		.dtype = AIOT_ISA_DTYPE_INT8, .dims = { 1, 1, 4096, 64 } };
	op->quant.binding = 3;
	op->act.min = -128;
	op->act.max = 127;
	op->stride_h = op->stride_w = op->dilation_h = op->dilation_w = 1;
	munmap(stream, 4096);
	s.cmd_handle = cmd;
	s.cmd_size = sizeof(struct aiot_isa_header) + sizeof(*op);
	s.bindings[0] = filter;
	s.bindings[1] = in;
	s.bindings[2] = out;
	s.bindings[3] = quant;
	CHECK_ERRNO(ioctl(fd, DRM_IOCTL_AIOT_SUBMIT, &s), E2BIG);
	/* Shrunk to 4 columns (1.7e7 MACs), the same layer is accepted. */
	stream = aiot_test_bo_map(fd, cmd, 4096);
	REQUIRE(stream);
	op = (void *)(stream + sizeof(struct aiot_isa_header));
	op->output.dims[2] = 4;
	munmap(stream, 4096);
	if (ioctl(fd, DRM_IOCTL_AIOT_SUBMIT, &s) == 0) {
		struct drm_aiot_job_wait w;

		REQUIRE(job_wait(fd, s.job_id, 120 * SEC_NS, &w) == 0);
		CHECK_EQ(w.status, 0);
	} else {
		CHECK(!"the small layer was rejected");
		tap_diag("SUBMIT: %s", strerror(errno));
	}
	close(fd);
}

/* The limit is exact, and the module parameter lowers it. */
static void work_limit_is_exact_and_lowerable(void)
{
	unsigned long long saved = read_ull(PARAM_WORK);
	struct drm_aiot_device_info info;
	struct drm_aiot_job_wait w;
	struct drm_aiot_submit s;
	struct aiot_test_fc_job c;
	int ret, err;

	REQUIRE(saved != ~0ULL);
	REQUIRE(aiot_test_fc_open(&c, node, sizeof(node), 0) == 0);
	/* The FC job is 1 x 2 outputs x 4 deep: 8 MACs. */
	REQUIRE(write_ull(PARAM_WORK, 8) == 0);
	REQUIRE(device_info(c.fd, &info) == 0);
	CHECK_EQ(info.max_job_work, 8);
	s = fc_submit(&c);
	ret = ioctl(c.fd, DRM_IOCTL_AIOT_SUBMIT, &s);
	CHECK_EQ(ret, 0);
	if (!ret) {
		CHECK(job_wait(c.fd, s.job_id, 30 * SEC_NS, &w) == 0);
		CHECK_EQ(w.status, 0);
	}
	write_ull(PARAM_WORK, 7);
	s = fc_submit(&c);
	ret = ioctl(c.fd, DRM_IOCTL_AIOT_SUBMIT, &s);
	err = errno;
	write_ull(PARAM_WORK, saved);
	CHECK_EQ(ret, -1);
	CHECK_EQ(err, E2BIG);
	/* Above the built-in limit, the parameter does not raise it. */
	write_ull(PARAM_WORK, ~0ULL);
	REQUIRE(device_info(c.fd, &info) == 0);
	write_ull(PARAM_WORK, saved);
	CHECK_EQ(info.max_job_work, 1ULL << 32);
	close(c.fd);
}

/*
 * A file may have max_jobs_in_flight unfinished jobs; one more fails with
 * EBUSY until one is released. Another file has its own count.
 */
static void jobs_in_flight_capped_per_file(void)
{
	unsigned long long saved = read_ull(PARAM_JOBS);
	const unsigned int cap = 4;
	struct drm_aiot_device_info info;
	struct drm_aiot_submit s[8];
	struct drm_aiot_job_wait w;
	struct aiot_test_fc_job c, other;
	unsigned int i, n = 0;
	int ret = -1, err = 0, tries;

	REQUIRE(saved != ~0ULL);
	REQUIRE(aiot_test_fc_open(&c, node, sizeof(node), 0) == 0);
	REQUIRE(aiot_test_fc_open(&other, node, sizeof(node), 0) == 0);
	REQUIRE(write_ull(PARAM_JOBS, cap) == 0);
	CHECK(device_info(c.fd, &info) == 0);
	CHECK_EQ(info.max_jobs_in_flight, cap);
	/* The first job hangs until the timeout resets it: the rest queue. */
	if (aiot_test_npu_knob("hang_next_jobs", "1")) {
		write_ull(PARAM_JOBS, saved);
		REQUIRE(!"hang_next_jobs");
	}
	for (i = 0; i < cap; i++) {
		s[i] = fc_submit(&c);
		if (ioctl(c.fd, DRM_IOCTL_AIOT_SUBMIT, &s[i]))
			break;
		n++;
	}
	s[cap] = fc_submit(&c);
	ret = ioctl(c.fd, DRM_IOCTL_AIOT_SUBMIT, &s[cap]);
	err = errno;
	CHECK_EQ(n, cap);
	CHECK_EQ(ret, -1);
	CHECK_EQ(err, EBUSY);
	/* Per file: another file is not affected. */
	s[cap + 1] = fc_submit(&other);
	CHECK_EQ(ioctl(other.fd, DRM_IOCTL_AIOT_SUBMIT, &s[cap + 1]), 0);
	for (i = 0; i < n; i++)
		CHECK(job_wait(c.fd, s[i].job_id, 60 * SEC_NS, &w) == 0);
	CHECK(job_wait(other.fd, s[cap + 1].job_id, 60 * SEC_NS, &w) == 0);
	/* Released shortly after they finish: room again. */
	for (tries = 0; tries < 200; tries++) {
		s[cap] = fc_submit(&c);
		ret = ioctl(c.fd, DRM_IOCTL_AIOT_SUBMIT, &s[cap]);
		if (!ret || errno != EBUSY)
			break;
		usleep(10000);
	}
	write_ull(PARAM_JOBS, saved);
	CHECK_EQ(ret, 0);
	if (!ret)
		CHECK(job_wait(c.fd, s[cap].job_id, 30 * SEC_NS, &w) == 0);
	close(other.fd);
	close(c.fd);
}

static int sensor_info(int fd, struct aiot_sensor_info *info)
{
	memset(info, 0xa5, sizeof(*info));
	return ioctl(fd, AIOT_SENSOR_IOC_INFO, info);
}

/* Accelerometer, 3 channels of s16: 6 bytes a sample. */
static struct aiot_sensor_config accel_cfg(uint32_t rate, uint32_t spp,
					   uint32_t slots)
{
	struct aiot_sensor_config c = {
		.format = AIOT_SENSOR_FMT_S16_LE,
		.channels = 3,
		.rate_hz = rate,
		.samples_per_slot = spp,
		.slot_count = slots,
	};

	return c;
}

static void ring_size_capped(void)
{
	unsigned long long saved = read_ull(PARAM_RING);
	struct aiot_sensor_config c;
	struct aiot_sensor_info info;
	char path[64];
	int fd, ret, err;

	REQUIRE(saved != ~0ULL);
	fd = aiot_test_open_sensor(AIOT_SENSOR_KIND_ACCEL, path, sizeof(path));
	REQUIRE(fd >= 0);
	REQUIRE(sensor_info(fd, &info) == 0);
	CHECK_EQ(info.struct_size, sizeof(info));
	CHECK_EQ(info.max_ring_bytes, 256ULL << 20);
	CHECK_EQ(info.max_ring_bytes, saved);
	CHECK_EQ(info.max_ring_bytes,
		 (uint64_t)info.max_slots * info.max_slot_bytes);
	CHECK_EQ(info.reserved, 0);
	/* 1000 samples of 6 bytes: 2 pages a slot; 8 slots are 64 KiB. */
	REQUIRE(write_ull(PARAM_RING, 65536) == 0);
	CHECK(sensor_info(fd, &info) == 0);
	CHECK_EQ(info.max_ring_bytes, 65536);
	c = accel_cfg(1000, 1000, 9);
	ret = ioctl(fd, AIOT_SENSOR_IOC_CONFIGURE, &c);
	err = errno;
	CHECK_EQ(ret, -1);
	CHECK_EQ(err, ERANGE);
	c = accel_cfg(1000, 1000, 8);
	ret = ioctl(fd, AIOT_SENSOR_IOC_CONFIGURE, &c);
	err = errno;
	write_ull(PARAM_RING, saved);
	CHECK_EQ(ret, 0);
	if (ret)
		tap_diag("CONFIGURE: %s", strerror(err));
	else
		CHECK_EQ(c.ring_bytes, 65536);
	close(fd);
}

static long long cg_read(const char *dir, const char *file)
{
	char path[256], buf[64] = "";

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (aiot_test_read_file(path, buf, sizeof(buf)))
		return -1;
	return strtoll(buf, NULL, 10);
}

static int cg_write(const char *dir, const char *file, const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return aiot_test_write_file(path, val, strlen(val));
}

/*
 * A 15 MiB ring is charged to the memory cgroup of the task that
 * configures it (the ring outlives close through its mappings).
 */
static void ring_charged_to_memcg(void)
{
	const char *root = "/sys/fs/cgroup", *cg = "/sys/fs/cgroup/aiot-limits";
	struct aiot_sensor_config c;
	long long before, after;
	char path[64], pid[16];
	int fd, ret;

	mkdir(root, 0755);
	if (access("/sys/fs/cgroup/cgroup.controllers", F_OK) &&
	    mount("none", root, "cgroup2", 0, NULL))
		TAP_SKIP("no cgroup2");
	if (cg_write(root, "cgroup.subtree_control", "+memory"))
		TAP_SKIP("no memory controller");
	if (mkdir(cg, 0755) && errno != EEXIST)
		TAP_SKIP("cannot create a cgroup");
	snprintf(pid, sizeof(pid), "%d", getpid());
	REQUIRE(cg_write(cg, "cgroup.procs", pid) == 0);

	fd = aiot_test_open_sensor(AIOT_SENSOR_KIND_ACCEL, path, sizeof(path));
	before = cg_read(cg, "memory.current");
	/* 40000 samples of 6 bytes: 59 pages a slot, 64 slots: 15.4 MB. */
	c = accel_cfg(4000, 40000, 64);
	ret = fd >= 0 ? ioctl(fd, AIOT_SENSOR_IOC_CONFIGURE, &c) : -1;
	after = cg_read(cg, "memory.current");
	CHECK(fd >= 0);
	CHECK_EQ(ret, 0);
	tap_diag("memory.current %lld -> %lld for a ring of %llu bytes", before,
		 after, (unsigned long long)c.ring_bytes);
	CHECK(before >= 0 && after - before >= (long long)c.ring_bytes);
	if (fd >= 0)
		close(fd);
	cg_write(root, "cgroup.procs", pid);
	rmdir(cg);
}

TAP_MAIN(
	TAP_CASE(limits_reported_in_query),
	TAP_CASE(huge_work_rejected_with_e2big),
	TAP_CASE(work_limit_is_exact_and_lowerable),
	TAP_CASE(jobs_in_flight_capped_per_file),
	TAP_CASE(ring_size_capped),
	TAP_CASE(ring_charged_to_memcg),
)
