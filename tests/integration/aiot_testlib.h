/* SPDX-License-Identifier: GPL-2.0-only */
/* Helpers shared by aiot's guest tests: finding the device, sysfs, modules. */
#ifndef AIOT_TESTLIB_H
#define AIOT_TESTLIB_H

#include <stddef.h>

/* Open the aiot accelerator node (accel or render), or -1 with errno set. */
int aiot_test_open_accel(char *path, size_t pathlen);
/* The sysfs class directory of that node (e.g. /sys/class/accel/accel0). */
int aiot_test_node_sysfs(const char *devpath, char *out, size_t outlen);
/* Read a small sysfs/debugfs file into buf (trailing newline stripped). */
int aiot_test_read_file(const char *path, char *buf, size_t len);
/* Create or replace a file with len bytes. 0 or -errno. */
int aiot_test_write_file(const char *path, const void *data, size_t len);
/* Load or unload a module by name, as modprobe/rmmod do. 0 or -errno. */
int aiot_test_modprobe(const char *name);
int aiot_test_rmmod(const char *name);
/* Same, retrying while the module is busy, up to timeout_ms. */
int aiot_test_rmmod_wait(const char *name, int timeout_ms);
/* Is a module loaded? */
int aiot_test_module_loaded(const char *name);
/*
 * Open the first sensor stream (/dev/aiot/sensorN) of a kind
 * (AIOT_SENSOR_KIND_*), or -1 with errno set. path gets its node.
 */
int aiot_test_open_sensor(unsigned int kind, char *path, size_t pathlen);

#endif
