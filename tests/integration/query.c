// SPDX-License-Identifier: GPL-2.0-only
/*
 * The accelerator's identity and DRM_IOCTL_AIOT_QUERY: answers, size
 * negotiation, and rejection of every malformed argument.
 */
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

#include "aiot_testlib.h"
#include "tap.h"

static char node[64];

static int open_accel(void)
{
	return aiot_test_open_accel(node, sizeof(node));
}

static int query(int fd, uint32_t type, void *buf, uint32_t *size)
{
	struct drm_aiot_query q = {
		.type = type,
		.size = *size,
		.ptr = (uintptr_t)buf,
	};
	int ret = ioctl(fd, DRM_IOCTL_AIOT_QUERY, &q);

	*size = q.size;
	return ret;
}

static void device_node_is_aiot(void)
{
	char name[32] = "";
	struct drm_version v = { .name = name, .name_len = sizeof(name) - 1 };
	int fd = open_accel();

	REQUIRE(fd >= 0);
	REQUIRE(ioctl(fd, DRM_IOCTL_VERSION, &v) == 0);
	CHECK(strcmp(name, "aiot") == 0);
	tap_diag("node %s: driver %s %d.%d.%d", node, name, v.version_major,
		 v.version_minor, v.version_patchlevel);
	close(fd);
}

static void query_reports_size(void)
{
	uint32_t size = 0;
	int fd = open_accel();

	REQUIRE(fd >= 0);
	CHECK_EQ(query(fd, DRM_AIOT_QUERY_DEVICE_INFO, NULL, &size), 0);
	CHECK_EQ(size, sizeof(struct drm_aiot_device_info));
	close(fd);
}

static void query_device_info(void)
{
	struct drm_aiot_device_info info;
	uint32_t size = sizeof(info);
	int fd = open_accel();
	int accel = strstr(node, "/accel/") != NULL;

	REQUIRE(fd >= 0);
	memset(&info, 0xa5, sizeof(info));
	REQUIRE(query(fd, DRM_AIOT_QUERY_DEVICE_INFO, &info, &size) == 0);
	CHECK_EQ(size, sizeof(info));
	CHECK_EQ(info.struct_size, sizeof(info));
	CHECK_EQ(info.uapi_major, AIOT_UAPI_VERSION_MAJOR);
	CHECK_EQ(info.uapi_minor, AIOT_UAPI_VERSION_MINOR);
	CHECK(strcmp(info.backend, "aiot-sim-npu") == 0);
	CHECK_EQ(info.hw_id, 0x41490001);
	CHECK_EQ(info.reserved0, 0);
	/* The accel-node capability matches the node we actually got. */
	CHECK_EQ(!!(info.capabilities & DRM_AIOT_CAP_ACCEL_NODE), accel);
	/* Exactly the capabilities that exist today are advertised. */
	CHECK_EQ(info.capabilities & ~DRM_AIOT_CAP_ACCEL_NODE,
		 DRM_AIOT_CAP_BO | DRM_AIOT_CAP_SUBMIT | DRM_AIOT_CAP_SYNC_FILE |
		 DRM_AIOT_CAP_PIPELINE | DRM_AIOT_CAP_PIPELINE_EXTERNAL);
	CHECK_EQ(info.isa_version, AIOT_ISA_VERSION_CURRENT);
	CHECK_EQ(info.max_bindings, DRM_AIOT_MAX_BINDINGS);
	CHECK(info.job_timeout_ms >= 10);
	CHECK_EQ(info.reserved1, 0);
	tap_diag("uapi %u.%u driver %u.%u.%u backend %s caps 0x%llx",
		 info.uapi_major, info.uapi_minor, info.driver_major,
		 info.driver_minor, info.driver_patch, info.backend,
		 (unsigned long long)info.capabilities);
	close(fd);
}

/* An old binary with a shorter struct gets a prefix and nothing more. */
static void query_short_buffer_gets_prefix(void)
{
	unsigned char buf[64];
	uint32_t size = 8;
	int fd = open_accel();
	size_t i;

	REQUIRE(fd >= 0);
	memset(buf, 0xa5, sizeof(buf));
	REQUIRE(query(fd, DRM_AIOT_QUERY_DEVICE_INFO, buf, &size) == 0);
	CHECK_EQ(size, sizeof(struct drm_aiot_device_info));
	CHECK_EQ(((uint32_t *)buf)[0], sizeof(struct drm_aiot_device_info));
	CHECK_EQ(((uint32_t *)buf)[1], AIOT_UAPI_VERSION_MAJOR);
	for (i = 8; i < sizeof(buf); i++)
		CHECK_EQ(buf[i], 0xa5);
	close(fd);
}

/* A newer binary with a longer struct sees zeros for unknown fields. */
static void query_long_buffer_tail_cleared(void)
{
	const size_t ksize = sizeof(struct drm_aiot_device_info);
	unsigned char buf[sizeof(struct drm_aiot_device_info) + 64];
	uint32_t size = ksize + 48;
	int fd = open_accel();
	size_t i;

	REQUIRE(fd >= 0);
	memset(buf, 0xa5, sizeof(buf));
	REQUIRE(query(fd, DRM_AIOT_QUERY_DEVICE_INFO, buf, &size) == 0);
	CHECK_EQ(size, ksize);
	for (i = ksize; i < ksize + 48; i++)
		CHECK_EQ(buf[i], 0);
	for (i = ksize + 48; i < sizeof(buf); i++)
		CHECK_EQ(buf[i], 0xa5);
	close(fd);
}

static void query_rejects_bad_arguments(void)
{
	struct drm_aiot_device_info info;
	struct drm_aiot_query q;
	int fd = open_accel();

	REQUIRE(fd >= 0);
	q = (struct drm_aiot_query){ .size = sizeof(info), .ptr = (uintptr_t)&info };

	q.flags = 1;
	CHECK_ERRNO(ioctl(fd, DRM_IOCTL_AIOT_QUERY, &q), EINVAL);
	q.flags = 0x80000000u;
	CHECK_ERRNO(ioctl(fd, DRM_IOCTL_AIOT_QUERY, &q), EINVAL);
	q.flags = 0;
	q.pad = 1;
	CHECK_ERRNO(ioctl(fd, DRM_IOCTL_AIOT_QUERY, &q), EINVAL);
	q.pad = 0;
	q.type = 0x7fffffff;
	CHECK_ERRNO(ioctl(fd, DRM_IOCTL_AIOT_QUERY, &q), EINVAL);
	q.type = DRM_AIOT_QUERY_DEVICE_INFO;
	q.ptr = 0;
	CHECK_ERRNO(ioctl(fd, DRM_IOCTL_AIOT_QUERY, &q), EINVAL);
	q.size = sizeof(info);
	q.ptr = 0x10;	/* unmapped */
	CHECK_ERRNO(ioctl(fd, DRM_IOCTL_AIOT_QUERY, &q), EFAULT);
	/* A kernel address is not a user buffer. */
	q.size = sizeof(info);
	q.ptr = 0xffff888000000000ull;
	CHECK_ERRNO(ioctl(fd, DRM_IOCTL_AIOT_QUERY, &q), EFAULT);
	/* The ioctl argument itself unreadable. */
	CHECK_ERRNO(ioctl(fd, DRM_IOCTL_AIOT_QUERY, (void *)0x10), EFAULT);
	/* Still works after all that. */
	q.ptr = (uintptr_t)&info;
	q.size = sizeof(info);
	CHECK_EQ(ioctl(fd, DRM_IOCTL_AIOT_QUERY, &q), 0);
	close(fd);
}

/* A read-only user page: the copy-out fails cleanly with EFAULT. */
static void query_readonly_buffer_faults(void)
{
	struct drm_aiot_query q = { .size = 64 };
	void *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd = open_accel();

	REQUIRE(fd >= 0);
	REQUIRE(ro != MAP_FAILED);
	q.ptr = (uintptr_t)ro;
	CHECK_ERRNO(ioctl(fd, DRM_IOCTL_AIOT_QUERY, &q), EFAULT);
	munmap(ro, 4096);
	close(fd);
}

static void unknown_ioctls_rejected(void)
{
	uint64_t arg[8] = { 0 };
	int fd = open_accel();

	REQUIRE(fd >= 0);
	/* Driver ioctl numbers that do not exist (yet). */
	CHECK_ERRNO(ioctl(fd, DRM_IOWR(DRM_COMMAND_BASE + 0x3f, uint64_t[8]), arg),
		    EINVAL);
	CHECK_ERRNO(ioctl(fd, DRM_IOWR(DRM_COMMAND_BASE + 0x20, uint64_t[8]), arg),
		    EINVAL);
	close(fd);
}

static void sysfs_matches_query(void)
{
	struct drm_aiot_device_info info;
	uint32_t size = sizeof(info);
	char dir[256], path[512], buf[128], want[64];
	int fd = open_accel();

	REQUIRE(fd >= 0);
	REQUIRE(query(fd, DRM_AIOT_QUERY_DEVICE_INFO, &info, &size) == 0);
	REQUIRE(aiot_test_node_sysfs(node, dir, sizeof(dir)) == 0);

	snprintf(path, sizeof(path), "%s/device/aiot/backend", dir);
	REQUIRE(aiot_test_read_file(path, buf, sizeof(buf)) == 0);
	CHECK(strcmp(buf, info.backend) == 0);

	snprintf(path, sizeof(path), "%s/device/aiot/uapi_version", dir);
	REQUIRE(aiot_test_read_file(path, buf, sizeof(buf)) == 0);
	snprintf(want, sizeof(want), "%u.%u", info.uapi_major, info.uapi_minor);
	CHECK(strcmp(buf, want) == 0);

	snprintf(path, sizeof(path), "%s/device/aiot/driver_version", dir);
	REQUIRE(aiot_test_read_file(path, buf, sizeof(buf)) == 0);
	snprintf(want, sizeof(want), "%u.%u.%u", info.driver_major,
		 info.driver_minor, info.driver_patch);
	CHECK(strcmp(buf, want) == 0);

	snprintf(path, sizeof(path), "%s/device/aiot/capabilities", dir);
	REQUIRE(aiot_test_read_file(path, buf, sizeof(buf)) == 0);
	snprintf(want, sizeof(want), "0x%016llx",
		 (unsigned long long)info.capabilities);
	CHECK(strcmp(buf, want) == 0);

	snprintf(path, sizeof(path), "%s/device/aiot/hw_id", dir);
	REQUIRE(aiot_test_read_file(path, buf, sizeof(buf)) == 0);
	snprintf(want, sizeof(want), "0x%08x", info.hw_id);
	CHECK(strcmp(buf, want) == 0);

	/* Read-only: a write is refused by permission bits, even for root. */
	snprintf(path, sizeof(path), "%s/device/aiot/backend", dir);
	CHECK_ERRNO(open(path, O_WRONLY), EACCES);
	close(fd);
}

/* <parent device>/aiot/<counter>: one value a file, no root needed. */
static void sysfs_counts_open_files_and_jobs(void)
{
	static const char *const counters[] = {
		"jobs_submitted", "jobs_completed", "jobs_failed",
		"jobs_timed_out", "busy_ns", "open_files",
	};
	int fd1 = open_accel(), fd2;
	long before, after;
	size_t i;

	REQUIRE(fd1 >= 0);
	for (i = 0; i < sizeof(counters) / sizeof(counters[0]); i++)
		CHECK(aiot_test_npu_sysfs_long(counters[i]) >= 0);
	before = aiot_test_npu_sysfs_long("open_files");
	fd2 = open(node, O_RDWR);
	REQUIRE(fd2 >= 0);
	after = aiot_test_npu_sysfs_long("open_files");
	CHECK_EQ(after, before + 1);
	close(fd2);
	CHECK_EQ(aiot_test_npu_sysfs_long("open_files"), before);
	CHECK(aiot_test_npu_sysfs_long("jobs_completed") <=
	      aiot_test_npu_sysfs_long("jobs_submitted"));
	close(fd1);
}

TAP_MAIN(
	TAP_CASE(device_node_is_aiot),
	TAP_CASE(query_reports_size),
	TAP_CASE(query_device_info),
	TAP_CASE(query_short_buffer_gets_prefix),
	TAP_CASE(query_long_buffer_tail_cleared),
	TAP_CASE(query_rejects_bad_arguments),
	TAP_CASE(query_readonly_buffer_faults),
	TAP_CASE(unknown_ioctls_rejected),
	TAP_CASE(sysfs_matches_query),
	TAP_CASE(sysfs_counts_open_files_and_jobs),
)
