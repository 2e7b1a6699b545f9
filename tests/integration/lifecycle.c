// SPDX-License-Identifier: GPL-2.0-only
/*
 * Module and device lifecycle: unbinding the backend under an open file,
 * refusing to unload the core while a file is open, reloading.
 * Leaves aiot and aiot-sim loaded, as it found them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <drm.h>
#include <drm/aiot_accel.h>

#include "aiot_testlib.h"
#include "tap.h"

static int query_ok(int fd)
{
	struct drm_aiot_device_info info;
	struct drm_aiot_query q = {
		.type = DRM_AIOT_QUERY_DEVICE_INFO,
		.size = sizeof(info),
		.ptr = (uintptr_t)&info,
	};

	return ioctl(fd, DRM_IOCTL_AIOT_QUERY, &q);
}

static void modules_loaded(void)
{
	CHECK(aiot_test_module_loaded("aiot"));
	CHECK(aiot_test_module_loaded("aiot_sim"));
}

static void core_unload_refused_while_backend_loaded(void)
{
	CHECK_EQ(aiot_test_rmmod("aiot"), -EWOULDBLOCK);
	CHECK(aiot_test_module_loaded("aiot"));
}

/* The backend goes away under an open file: the file stays valid, every
 * ioctl on it fails with ENODEV, and the core cannot be unloaded until the
 * file is closed. */
static void backend_unbind_with_open_file(void)
{
	char node[64];
	int fd = aiot_test_open_accel(node, sizeof(node));

	REQUIRE(fd >= 0);
	CHECK_EQ(query_ok(fd), 0);
	REQUIRE(aiot_test_rmmod("aiot_sim") == 0);
	CHECK(!aiot_test_module_loaded("aiot_sim"));
	CHECK_ERRNO(query_ok(fd), ENODEV);
	CHECK_ERRNO(access(node, F_OK), ENOENT);
	CHECK_EQ(aiot_test_rmmod("aiot"), -EWOULDBLOCK);
	close(fd);
	CHECK_EQ(aiot_test_rmmod_wait("aiot", 5000), 0);
	CHECK(!aiot_test_module_loaded("aiot"));
	REQUIRE(aiot_test_modprobe("aiot-sim") == 0);
	CHECK(aiot_test_module_loaded("aiot"));
}

static void reload_gives_working_device(void)
{
	char node[64];
	int fd, i;

	for (i = 0; i < 3; i++) {
		REQUIRE(aiot_test_rmmod("aiot_sim") == 0);
		REQUIRE(aiot_test_rmmod_wait("aiot", 5000) == 0);
		REQUIRE(aiot_test_modprobe("aiot-sim") == 0);
	}
	fd = aiot_test_open_accel(node, sizeof(node));
	REQUIRE(fd >= 0);
	CHECK_EQ(query_ok(fd), 0);
	close(fd);
}

/* Many files, unbind with all of them open, close in a different order. */
static void many_files_across_unbind(void)
{
	char node[64];
	int fds[16], i;

	for (i = 0; i < 16; i++) {
		fds[i] = aiot_test_open_accel(node, sizeof(node));
		REQUIRE(fds[i] >= 0);
	}
	REQUIRE(aiot_test_rmmod("aiot_sim") == 0);
	for (i = 0; i < 16; i += 2)
		close(fds[i]);
	for (i = 1; i < 16; i += 2) {
		CHECK_ERRNO(query_ok(fds[i]), ENODEV);
		close(fds[i]);
	}
	REQUIRE(aiot_test_modprobe("aiot-sim") == 0);
	fds[0] = aiot_test_open_accel(node, sizeof(node));
	REQUIRE(fds[0] >= 0);
	CHECK_EQ(query_ok(fds[0]), 0);
	close(fds[0]);
}

static void sim_without_devices_creates_none(void)
{
	char node[64];
	int fd;

	/* A devicetree's node binds whatever create_devices says (the suite
	 * devicetree checks that guest). */
	if (access("/sys/firmware/devicetree/base/aiot-npu", F_OK) == 0)
		TAP_SKIP("a devicetree describes the NPU");
	REQUIRE(aiot_test_rmmod("aiot_sim") == 0);
	REQUIRE(system("modprobe aiot-sim create_devices=0") == 0);
	fd = aiot_test_open_accel(node, sizeof(node));
	CHECK(fd < 0);
	if (fd >= 0)
		close(fd);
	REQUIRE(aiot_test_rmmod("aiot_sim") == 0);
	REQUIRE(aiot_test_modprobe("aiot-sim") == 0);
	fd = aiot_test_open_accel(node, sizeof(node));
	CHECK(fd >= 0);
	if (fd >= 0)
		close(fd);
}

TAP_MAIN(
	TAP_CASE(modules_loaded),
	TAP_CASE(core_unload_refused_while_backend_loaded),
	TAP_CASE(backend_unbind_with_open_file),
	TAP_CASE(reload_gives_working_device),
	TAP_CASE(many_files_across_unbind),
	TAP_CASE(sim_without_devices_creates_none),
)
