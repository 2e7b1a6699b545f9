/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libaiot-accel internals that are pure logic (no device, no libudev), so
 * that the host unit tests can drive them. Unlike internal.h this header
 * pulls in no C11 atomics: C++ (Google Test) can include it. Nothing here
 * is exported (-fvisibility=hidden); the tests link the objects directly.
 */
#ifndef AIOT_LIB_INTERNAL_LOGIC_H
#define AIOT_LIB_INTERNAL_LOGIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <aiot/accel.h>
#include <aiot/sensor.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------- monitor */

/* Where udevd listens; present if and only if udevd runs. */
#define AIOT_UDEV_CONTROL	"/run/udev/control"

/*
 * The netlink source for libudev's monitor: "udev" (events after udevd's
 * rules ran: nodes, permissions, links in place) when udevd runs, i.e.
 * @udev_control exists; "kernel" (raw uevents) otherwise, since without
 * udevd nothing is ever sent on the "udev" source.
 */
const char *aiot_monitor_pick_source(const char *udev_control);

/*
 * Which aiot device kind a device of this subsystem and sysname could be:
 * a sensor stream ("aiot", sensorN), an accelerator node ("accel", accelN;
 * "drm", renderDN on kernels without DRM accel), or 0 for anything else
 * (DRM card nodes, other subsystems). An accelerator candidate still has
 * to be checked for being aiot's.
 */
enum aiot_monitor_kind aiot_monitor_classify(const char *subsystem, const char *sysname);

/*
 * The device node of a uevent's DEVNAME property: relative to /dev in raw
 * kernel uevents ("accel/accel0"), absolute in udev's ("/dev/accel/accel0").
 * 0 and a malloc()ed path; -ENOENT for no DEVNAME (NULL or empty),
 * -EINVAL for one that leaves /dev ("..", "/etc/x"), -ENOMEM.
 */
int aiot_monitor_devnode(const char *devname, char **path_out);

/* What the monitor uses of one uevent; any string may be NULL. */
struct aiot_uevent {
	const char *action;		/* "add", "remove", others ignored */
	const char *subsystem;
	const char *sysname;
	const char *syspath;		/* the key of a device */
	const char *devname;		/* the DEVNAME property */
	/* Read from sysfs on "add" only (gone on "remove"): */
	const char *sensor_name;	/* a sensor's attribute "name" */
	bool aiot_parent;		/* an accel node's parent is aiot's */
};

/* An aiot device the monitor has seen: what a "remove" no longer tells. */
struct aiot_monitor_known {
	char *syspath;
	char *path;
	char *name;			/* sensors; NULL if unknown */
	enum aiot_monitor_kind kind;
};

struct aiot_monitor_table {
	struct aiot_monitor_known *entries;
	size_t count, capacity;
};

/*
 * Apply a uevent to the table of known devices: an "add" of an aiot device
 * enters (or refreshes) it, a "remove" of a known one leaves it. Devices
 * are recognised on "add" (subsystem, sysname, aiot parent) and by their
 * syspath on "remove", when sysfs is gone.
 *
 * Return: 1 and an event (if @event_out is not NULL) for an aiot device's
 * arrival or removal; 0 for anything else; -ENOMEM.
 */
int aiot_monitor_table_apply(struct aiot_monitor_table *table, const struct aiot_uevent *ue,
			     struct aiot_monitor_event **event_out);

/* Free every entry (the table itself is the caller's). */
void aiot_monitor_table_clear(struct aiot_monitor_table *table);

/* ------------------------------------------------------- sensor counters */

/* The sysfs attribute of a sensor device holding this counter, or NULL. */
const char *aiot_sensor_stat_attr(enum aiot_sensor_stat stat);

/*
 * A counter as sysfs shows it ("1234\n"): 0 and the value, or -EIO for
 * anything but one decimal number (and an optional newline).
 */
int aiot_parse_counter(const char *text, uint64_t *value);

/*
 * Read a counter from the sysfs directory @sysfs_dirfd of a sensor device.
 * Return: 0; -EINVAL (unknown @stat, bad fd); -ENODEV if the attribute is
 * gone (the device was removed); -EIO for unreadable or malformed text.
 */
int aiot_sensor_read_counter(int sysfs_dirfd, enum aiot_sensor_stat stat, uint64_t *value);

/*
 * Look a test pattern up by name in the attribute test_patterns ("n name"
 * a line) of the sensor's sysfs directory @sysfs_dirfd.
 * Return: 0; -ENOENT (no such name, or no list); -ENODEV (no directory);
 * -EIO for malformed text; -EINVAL for a NULL or empty argument.
 */
int aiot_sensor_find_test_pattern_in(int sysfs_dirfd, const char *name, unsigned int *pattern_out);

#ifdef __cplusplus
}
#endif

#endif /* AIOT_LIB_INTERNAL_LOGIC_H */
