// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-sim bound through devicetree: the arm64 guest (tests/qemu/aiot-qemu
 * -k arm64) boots with QEMU's own devicetree plus dts-overlays/aiot-sim.dtso
 * and tests/qemu/arm64-test.dtso, and loads aiot-sim with create_devices=0,
 * so every aiot device there comes from a node's compatible. Only that
 * guest runs this suite (DT_ONLY_SUITES).
 *
 * The nodes' labels follow the binding (^[^/\s]{1,31}$): one the sensor's
 * name cannot hold whole, or with a '/' or white space, is refused at
 * probe instead of being truncated into another sensor's name.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"

#define PDEVS "/sys/bus/platform/devices"
#define LABEL_MAX "accel-label-of-thirty-one-chars"

/* Contents of a sysfs or devicetree file, without a trailing newline. */
static int read_str(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = 0;
	while (n && buf[n - 1] == '\n')
		buf[--n] = 0;
	return 0;
}

/* The platform device made from the top-level node @node, bound or not. */
static int node_has_driver(const char *node)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), PDEVS "/%s/of_node", node);
	if (access(path, F_OK))
		return -1;
	snprintf(path, sizeof(path), PDEVS "/%s/driver", node);
	return access(path, F_OK) == 0;
}

/* How many sensor streams are named @name; *total gets all of them. */
static int sensors_named(const char *name, int *total)
{
	DIR *d = opendir("/sys/class/aiot");
	struct dirent *e;
	int n = 0;

	*total = 0;
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char path[PATH_MAX], buf[64];

		if (strncmp(e->d_name, "sensor", 6))
			continue;
		snprintf(path, sizeof(path), "/sys/class/aiot/%s/name", e->d_name);
		if (read_str(path, buf, sizeof(buf)))
			continue;
		(*total)++;
		n += !strcmp(buf, name);
	}
	closedir(d);
	return n;
}

static void booted_with_aiot_nodes(void)
{
	char compat[64];

	REQUIRE(access("/sys/firmware/devicetree/base", F_OK) == 0);
	REQUIRE(read_str("/sys/firmware/devicetree/base/aiot-npu/compatible",
			 compat, sizeof(compat)) == 0);
	CHECK(strcmp(compat, "aiot,sim-npu") == 0);
}

static void sim_fallback_is_off(void)
{
	char val[8];

	REQUIRE(read_str("/sys/module/aiot_sim/parameters/create_devices",
			 val, sizeof(val)) == 0);
	CHECK(strcmp(val, "N") == 0);
}

static void npu_bound_through_compatible(void)
{
	char path[PATH_MAX], drv[PATH_MAX];
	ssize_t n;

	CHECK_EQ(node_has_driver("aiot-npu"), 1);
	snprintf(path, sizeof(path), PDEVS "/aiot-npu/driver");
	n = readlink(path, drv, sizeof(drv) - 1);
	REQUIRE(n > 0);
	drv[n] = 0;
	tap_diag("aiot-npu bound to %s", strrchr(drv, '/') + 1);
	/* The NPU's aiot sysfs group: the DRM device is up. */
	snprintf(path, sizeof(path), PDEVS "/aiot-npu/aiot/backend");
	CHECK(access(path, F_OK) == 0);
}

static void sensors_are_the_nodes(void)
{
	static const struct {
		const char *node, *label;
	} want[] = {
		{ "aiot-accelerometer", "accel0" },
		{ "aiot-microphone-0", "mic0" },
		{ "aiot-microphone-1", "mic1" },
		{ "aiot-camera", "camera0" },
		{ "aiot-test-label-max", LABEL_MAX },
	};
	size_t i;
	int total = 0;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		int bound = node_has_driver(want[i].node);

		if (bound != 1)
			tap_diag("%s: %s", want[i].node,
				 bound < 0 ? "no device" : "not bound");
		CHECK_EQ(bound, 1);
		CHECK_EQ(sensors_named(want[i].label, &total), 1);
	}
	/* Nothing else: no sensor of the sensors= fallback, none refused. */
	CHECK_EQ(total, 5);
}

static void overlong_label_refused(void)
{
	int total;

	/* 32 characters: truncated, it would be LABEL_MAX's name too. */
	CHECK_EQ(node_has_driver("aiot-test-label-long"), 0);
	CHECK_EQ(sensors_named(LABEL_MAX, &total), 1);
	CHECK_EQ(sensors_named(LABEL_MAX "X", &total), 0);
}

static void label_with_slash_or_space_refused(void)
{
	int total;

	CHECK_EQ(node_has_driver("aiot-test-label-slash"), 0);
	CHECK_EQ(node_has_driver("aiot-test-label-space"), 0);
	CHECK_EQ(sensors_named("mic/2", &total), 0);
	CHECK_EQ(sensors_named("mic 3", &total), 0);
}

TAP_MAIN(
	TAP_CASE(booted_with_aiot_nodes),
	TAP_CASE(sim_fallback_is_off),
	TAP_CASE(npu_bound_through_compatible),
	TAP_CASE(sensors_are_the_nodes),
	TAP_CASE(overlong_label_refused),
	TAP_CASE(label_with_slash_or_space_refused),
)
