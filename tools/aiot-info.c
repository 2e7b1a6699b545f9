// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-info: list aiot accelerators with their versions and capabilities.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <drm.h>
#include <drm/aiot_accel.h>

static const struct {
	uint64_t bit;
	const char *name;
} caps[] = {
	{ DRM_AIOT_CAP_ACCEL_NODE, "accel-node" },
};

static int show_node(const char *path)
{
	struct drm_aiot_device_info info;
	struct drm_aiot_query q = {
		.type = DRM_AIOT_QUERY_DEVICE_INFO,
		.size = sizeof(info),
		.ptr = (uintptr_t)&info,
	};
	char name[32] = "";
	struct drm_version v = { .name = name, .name_len = sizeof(name) - 1 };
	size_t i;
	int fd;

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (ioctl(fd, DRM_IOCTL_VERSION, &v) || strcmp(name, AIOT_DRM_DRIVER_NAME)) {
		close(fd);
		return 0;
	}
	memset(&info, 0, sizeof(info));
	if (ioctl(fd, DRM_IOCTL_AIOT_QUERY, &q)) {
		fprintf(stderr, "aiot-info: %s: query failed: %s\n", path,
			strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	printf("%s\n", path);
	printf("  backend:      %s (hw id 0x%08x)\n", info.backend, info.hw_id);
	printf("  driver:       %u.%u.%u, uAPI %u.%u\n", info.driver_major,
	       info.driver_minor, info.driver_patch, info.uapi_major,
	       info.uapi_minor);
	printf("  capabilities:");
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		if (info.capabilities & caps[i].bit)
			printf(" %s", caps[i].name);
	printf(" (0x%llx)\n", (unsigned long long)info.capabilities);
	return 1;
}

static int scan(const char *dir, const char *prefix)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	char path[300];
	int found = 0, r;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, prefix, strlen(prefix)))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		r = show_node(path);
		if (r < 0) {
			closedir(d);
			return r;
		}
		found += r;
	}
	closedir(d);
	return found;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: aiot-info [--help]\n"
		"List the aiot accelerators of this machine: backend, driver and\n"
		"uAPI versions, capabilities. Exit status 2 if there is none.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, n, m;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return 0;
		}
		usage(stderr);
		return 1;
	}
	n = scan("/dev/accel", "accel");
	m = n < 0 ? n : scan("/dev/dri", "renderD");
	if (n < 0 || m < 0)
		return 1;
	if (n + m == 0) {
		fprintf(stderr,
			"aiot-info: no aiot accelerator found (is the module loaded? try: modprobe aiot-sim)\n");
		return 2;
	}
	return 0;
}
