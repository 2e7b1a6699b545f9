// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Hotplug: accelerators and sensor streams coming and going, from
 * libudev's netlink monitor. Without udevd (small systems, the test
 * guests) the monitor listens to the kernel's own uevents, whose DEVNAME
 * is relative to /dev.
 *
 * A "remove" uevent comes after sysfs is gone: nothing tells there whether
 * a render node was aiot's, nor what a sensor was called. So the monitor
 * keeps a table of the aiot devices it knows (listed when it starts, then
 * added and removed by events) and recognises removals by syspath.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libudev.h>

#include "internal_logic.h"

struct aiot_monitor_event {
	enum aiot_monitor_event_type type;
	enum aiot_monitor_kind kind;
	char *path;
	char *syspath;
	char *name;
};

struct aiot_monitor {
	struct udev *udev;
	struct udev_monitor *mon;
	int fd;
	const char *source;		/* "udev" or "kernel" */
	pthread_mutex_t lock;		/* the table, the libudev objects */
	struct aiot_monitor_table table;
};

/* ---------------------------------------------------------- pure logic */

const char *aiot_monitor_pick_source(const char *udev_control)
{
	return udev_control && access(udev_control, F_OK) == 0 ? "udev" : "kernel";
}

static bool has_prefix(const char *s, const char *prefix)
{
	return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

enum aiot_monitor_kind aiot_monitor_classify(const char *subsystem, const char *sysname)
{
	if (!subsystem || !sysname)
		return 0;
	if (strcmp(subsystem, "aiot") == 0 && has_prefix(sysname, "sensor"))
		return AIOT_MONITOR_KIND_SENSOR;
	if (strcmp(subsystem, "accel") == 0 && has_prefix(sysname, "accel"))
		return AIOT_MONITOR_KIND_ACCEL;
	/* Kernels without DRM accel: a render node (the card node is not ours). */
	if (strcmp(subsystem, "drm") == 0 && has_prefix(sysname, "renderD"))
		return AIOT_MONITOR_KIND_ACCEL;
	return 0;
}

int aiot_monitor_devnode(const char *devname, char **path_out)
{
	const char *rel = devname;
	size_t len;
	char *path;

	if (!devname || !*devname)
		return -ENOENT;
	if (devname[0] == '/') {
		if (!has_prefix(devname, "/dev/"))
			return -EINVAL;
		rel = devname + strlen("/dev/");
	}
	/* The kernel names nodes below /dev; refuse anything that climbs out. */
	if (!*rel || strcmp(rel, "..") == 0 || has_prefix(rel, "../") ||
	    strstr(rel, "/../") || (strlen(rel) >= 3 && strcmp(rel + strlen(rel) - 3, "/..") == 0))
		return -EINVAL;
	len = strlen("/dev/") + strlen(rel) + 1;
	path = malloc(len);
	if (!path)
		return -ENOMEM;
	strcpy(path, "/dev/");
	strcat(path, rel);
	*path_out = path;
	return 0;
}

static void known_free(struct aiot_monitor_known *k)
{
	free(k->syspath);
	free(k->path);
	free(k->name);
	memset(k, 0, sizeof(*k));
}

void aiot_monitor_table_clear(struct aiot_monitor_table *table)
{
	for (size_t i = 0; i < table->count; i++)
		known_free(&table->entries[i]);
	free(table->entries);
	memset(table, 0, sizeof(*table));
}

static struct aiot_monitor_known *table_find(struct aiot_monitor_table *table,
					     const char *syspath)
{
	for (size_t i = 0; i < table->count; i++)
		if (strcmp(table->entries[i].syspath, syspath) == 0)
			return &table->entries[i];
	return NULL;
}

static char *strdup_or_null(const char *s, bool *failed)
{
	char *copy;

	if (!s)
		return NULL;
	copy = strdup(s);
	if (!copy)
		*failed = true;
	return copy;
}

static int make_event(enum aiot_monitor_event_type type, const struct aiot_monitor_known *k,
		      struct aiot_monitor_event **event_out)
{
	struct aiot_monitor_event *ev;
	bool failed = false;

	if (!event_out)
		return 1;
	ev = calloc(1, sizeof(*ev));
	if (!ev)
		return -ENOMEM;
	ev->type = type;
	ev->kind = k->kind;
	ev->path = strdup_or_null(k->path, &failed);
	ev->syspath = strdup_or_null(k->syspath, &failed);
	ev->name = strdup_or_null(k->name, &failed);
	if (failed) {
		aiot_monitor_event_free(ev);
		return -ENOMEM;
	}
	*event_out = ev;
	return 1;
}

static int table_add(struct aiot_monitor_table *table, const struct aiot_uevent *ue,
		     enum aiot_monitor_kind kind, struct aiot_monitor_event **event_out)
{
	struct aiot_monitor_known fresh = { .kind = kind }, *k;
	bool failed = false;
	int ret;

	ret = aiot_monitor_devnode(ue->devname, &fresh.path);
	if (ret == -ENOMEM)
		return ret;
	if (ret)
		return 0;		/* no node: nothing anyone could open */
	fresh.syspath = strdup_or_null(ue->syspath, &failed);
	if (kind == AIOT_MONITOR_KIND_SENSOR)
		fresh.name = strdup_or_null(ue->sensor_name, &failed);
	if (failed) {
		known_free(&fresh);
		return -ENOMEM;
	}
	k = table_find(table, ue->syspath);
	if (k) {
		/* Listed at start and announced again, or re-added: refresh. */
		known_free(k);
	} else {
		if (table->count == table->capacity) {
			size_t cap = table->capacity ? 2 * table->capacity : 8;
			struct aiot_monitor_known *grown =
				realloc(table->entries, cap * sizeof(*grown));

			if (!grown) {
				known_free(&fresh);
				return -ENOMEM;
			}
			table->entries = grown;
			table->capacity = cap;
		}
		k = &table->entries[table->count++];
	}
	*k = fresh;
	return make_event(AIOT_MONITOR_EVENT_ADD, k, event_out);
}

int aiot_monitor_table_apply(struct aiot_monitor_table *table, const struct aiot_uevent *ue,
			     struct aiot_monitor_event **event_out)
{
	struct aiot_monitor_known *k;
	enum aiot_monitor_kind kind;
	int ret;

	if (!table || !ue || !ue->action || !ue->syspath)
		return 0;
	if (strcmp(ue->action, "add") == 0) {
		kind = aiot_monitor_classify(ue->subsystem, ue->sysname);
		/* An accel or render node of another driver is not ours. */
		if (!kind || (kind == AIOT_MONITOR_KIND_ACCEL && !ue->aiot_parent))
			return 0;
		return table_add(table, ue, kind, event_out);
	}
	if (strcmp(ue->action, "remove") != 0)
		return 0;		/* change, bind, move, ...: not arrivals */
	k = table_find(table, ue->syspath);
	if (!k)
		return 0;
	ret = make_event(AIOT_MONITOR_EVENT_REMOVE, k, event_out);
	if (ret < 0)
		return ret;		/* keep it: the caller may retry */
	known_free(k);
	*k = table->entries[--table->count];
	return ret;
}

/* ------------------------------------------------------------- libudev */

/*
 * Is this accel/render node aiot's? The aiot core gives the node's parent
 * (the backend's device) an attribute group "aiot" before it registers the
 * DRM device, so it is there when the node's "add" arrives. No need to
 * open the node, which the caller may not be allowed to.
 */
static bool parent_is_aiot(struct udev_device *dev)
{
	struct udev_device *parent = udev_device_get_parent(dev);

	/* The parent belongs to @dev: no unref. */
	return parent && udev_device_get_sysattr_value(parent, "aiot/backend") != NULL;
}

static int apply_device(struct aiot_monitor *mon, struct udev_device *dev, const char *action,
			struct aiot_monitor_event **event_out)
{
	struct aiot_uevent ue = {
		.action = action,
		.subsystem = udev_device_get_subsystem(dev),
		.sysname = udev_device_get_sysname(dev),
		.syspath = udev_device_get_syspath(dev),
		.devname = udev_device_get_property_value(dev, "DEVNAME"),
	};

	if (action && strcmp(action, "add") == 0) {
		enum aiot_monitor_kind kind = aiot_monitor_classify(ue.subsystem, ue.sysname);

		if (kind == AIOT_MONITOR_KIND_SENSOR)
			ue.sensor_name = udev_device_get_sysattr_value(dev, "name");
		else if (kind == AIOT_MONITOR_KIND_ACCEL)
			ue.aiot_parent = parent_is_aiot(dev);
	}
	/* Enumerated devices carry DEVNAME too (their uevent file); just in case. */
	if (!ue.devname)
		ue.devname = udev_device_get_devnode(dev);
	return aiot_monitor_table_apply(&mon->table, &ue, event_out);
}

/* The aiot devices present now, so that their removal is recognised. */
static int list_present(struct aiot_monitor *mon)
{
	static const char *const subsystems[] = { "aiot", "accel", "drm" };
	int ret = 0;

	for (size_t i = 0; i < sizeof(subsystems) / sizeof(subsystems[0]) && ret >= 0; i++) {
		struct udev_enumerate *en = udev_enumerate_new(mon->udev);
		struct udev_list_entry *entry;

		if (!en)
			return -ENOMEM;
		if (udev_enumerate_add_match_subsystem(en, subsystems[i]) < 0 ||
		    udev_enumerate_scan_devices(en) < 0) {
			udev_enumerate_unref(en);
			continue;	/* e.g. no "accel" class on this kernel */
		}
		udev_list_entry_foreach(entry, udev_enumerate_get_list_entry(en)) {
			struct udev_device *dev = udev_device_new_from_syspath(
				mon->udev, udev_list_entry_get_name(entry));

			if (!dev)
				continue;
			ret = apply_device(mon, dev, "add", NULL);
			udev_device_unref(dev);
			if (ret < 0)
				break;
		}
		udev_enumerate_unref(en);
	}
	return ret < 0 ? ret : 0;
}

/* libudev reports failures through errno, or not at all. */
static int udev_errno(int fallback)
{
	return errno > 0 ? -errno : fallback;
}

int aiot_monitor_new(struct aiot_monitor **monitor_out)
{
	static const char *const subsystems[] = { "aiot", "accel", "drm" };
	struct aiot_monitor *mon;
	int ret;

	if (!monitor_out)
		return -EINVAL;
	mon = calloc(1, sizeof(*mon));
	if (!mon)
		return -ENOMEM;
	mon->fd = -1;
	ret = pthread_mutex_init(&mon->lock, NULL);
	if (ret) {
		free(mon);
		return -ret;
	}
	errno = 0;
	mon->udev = udev_new();
	if (!mon->udev) {
		ret = udev_errno(-ENOMEM);
		goto err;
	}
	mon->source = aiot_monitor_pick_source(AIOT_UDEV_CONTROL);
	errno = 0;
	mon->mon = udev_monitor_new_from_netlink(mon->udev, mon->source);
	if (!mon->mon) {
		ret = udev_errno(-ENOMEM);
		goto err;
	}
	/*
	 * The filter runs in the kernel for udev's messages (BPF) and in
	 * libudev for the kernel's; the table checks again anyway.
	 */
	for (size_t i = 0; i < sizeof(subsystems) / sizeof(subsystems[0]); i++) {
		ret = udev_monitor_filter_add_match_subsystem_devtype(mon->mon, subsystems[i], NULL);
		if (ret < 0)
			goto err;
	}
	/* Unloading a backend sends a burst; more room than the default. */
	udev_monitor_set_receive_buffer_size(mon->mon, 1024 * 1024);
	ret = udev_monitor_enable_receiving(mon->mon);
	if (ret < 0)
		goto err;
	mon->fd = udev_monitor_get_fd(mon->mon);
	if (mon->fd < 0) {
		ret = mon->fd;
		goto err;
	}
	/* After receiving starts: a device added meanwhile is seen either way. */
	ret = list_present(mon);
	if (ret < 0)
		goto err;
	*monitor_out = mon;
	return 0;

err:
	aiot_monitor_free(mon);
	return ret;
}

void aiot_monitor_free(struct aiot_monitor *monitor)
{
	if (!monitor)
		return;
	udev_monitor_unref(monitor->mon);
	udev_unref(monitor->udev);
	aiot_monitor_table_clear(&monitor->table);
	pthread_mutex_destroy(&monitor->lock);
	free(monitor);
}

int aiot_monitor_get_fd(const struct aiot_monitor *monitor)
{
	return monitor ? monitor->fd : -EINVAL;
}

const char *aiot_monitor_get_source(const struct aiot_monitor *monitor)
{
	return monitor ? monitor->source : NULL;
}

int aiot_monitor_wait(struct aiot_monitor *monitor, int64_t timeout_ns)
{
	struct pollfd pfd;
	int timeout_ms, ret;

	if (!monitor)
		return -EINVAL;
	if (timeout_ns < 0) {
		timeout_ms = -1;
	} else {
		/* Round up: a positive timeout never becomes a poll. */
		int64_t ms = timeout_ns / 1000000 + (timeout_ns % 1000000 != 0);

		timeout_ms = ms > INT_MAX ? INT_MAX : (int)ms;
	}
	pfd = (struct pollfd){ .fd = monitor->fd, .events = POLLIN };
	ret = poll(&pfd, 1, timeout_ms);
	if (ret < 0)
		return -errno;
	return ret > 0 ? 1 : 0;
}

int aiot_monitor_read_event(struct aiot_monitor *monitor, struct aiot_monitor_event **event_out)
{
	int ret = 0;

	if (!monitor || !event_out)
		return -EINVAL;
	pthread_mutex_lock(&monitor->lock);
	while (ret == 0) {
		struct udev_device *dev;

		/* Non-blocking; libudev skips what its filter rejects. */
		errno = 0;
		dev = udev_monitor_receive_device(monitor->mon);
		if (!dev) {
			ret = errno == ENOBUFS || errno == ENOMEM ? -errno : -EAGAIN;
			break;
		}
		ret = apply_device(monitor, dev, udev_device_get_action(dev), event_out);
		udev_device_unref(dev);
	}
	pthread_mutex_unlock(&monitor->lock);
	return ret < 0 ? ret : 0;
}

void aiot_monitor_event_free(struct aiot_monitor_event *event)
{
	if (!event)
		return;
	free(event->path);
	free(event->syspath);
	free(event->name);
	free(event);
}

enum aiot_monitor_event_type aiot_monitor_event_get_type(const struct aiot_monitor_event *event)
{
	return event ? event->type : 0;
}

enum aiot_monitor_kind aiot_monitor_event_get_kind(const struct aiot_monitor_event *event)
{
	return event ? event->kind : 0;
}

const char *aiot_monitor_event_get_path(const struct aiot_monitor_event *event)
{
	return event ? event->path : NULL;
}

const char *aiot_monitor_event_get_sensor_name(const struct aiot_monitor_event *event)
{
	return event ? event->name : NULL;
}

const char *aiot_monitor_event_get_syspath(const struct aiot_monitor_event *event)
{
	return event ? event->syspath : NULL;
}
