// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Sensor streams: open (by path, name or index, found with libudev),
 * properties, settings, start/stop, dequeue/queue, ring mapping, slots as
 * dma-bufs, the driver's counters (sysfs).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libudev.h>

#include <aiot/sensor.h>

#include "internal.h"
#include "internal_logic.h"

struct aiot_sensor {
	int fd;
	char *path;
	/*
	 * The device's sysfs directory (O_PATH), found at open: its counters.
	 * Held open so that a device that replaces this one under the same
	 * name is never read instead (the old directory stays dead). -1 if
	 * not found.
	 */
	int sysfs_dirfd;
	/* The configured ring; written only by configure (not concurrent). */
	struct aiot_sensor_config config;
	bool configured;
	/* Ring mapping, made once on demand (compare-and-swap). */
	_Atomic(void *) ring;
	size_t ring_bytes;
	/*
	 * Each slot's times at its last dequeue: first sample, DMA done (0:
	 * the driver does not say). Relaxed atomics: threads may dequeue.
	 */
	struct {
		_Atomic uint64_t first_sample_ns, dma_done_ns;
	} timing[AIOT_SENSOR_MAX_SLOTS];
};

struct aiot_sensor_properties {
	struct aiot_sensor_info info;
};

struct aiot_sensor_settings {
	struct aiot_sensor_config config;
};

/*
 * The sysfs directory of the device behind an open character device, by
 * its device number (libudev: /sys/dev/char/MAJ:MIN), or -1.
 */
static int open_sysfs_dir(int fd)
{
	struct udev_device *dev;
	struct udev *udev;
	struct stat st;
	const char *syspath;
	int dirfd = -1;

	if (fstat(fd, &st) || !S_ISCHR(st.st_mode))
		return -1;
	udev = udev_new();
	if (!udev)
		return -1;
	dev = udev_device_new_from_devnum(udev, 'c', st.st_rdev);
	syspath = dev ? udev_device_get_syspath(dev) : NULL;
	if (syspath)
		dirfd = open(syspath, O_PATH | O_DIRECTORY | O_CLOEXEC);
	udev_device_unref(dev);
	udev_unref(udev);
	return dirfd;
}

int aiot_sensor_open(const char *path, struct aiot_sensor **sensor_out)
{
	struct aiot_sensor_info info;
	struct aiot_sensor *sensor;
	int fd, dirfd, ret;

	if (!path || !sensor_out)
		return -EINVAL;
	/* Non-blocking: dequeue waits in poll(), so it can time out. */
	fd = open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	/*
	 * Before INFO: if INFO then succeeds, the device was alive after its
	 * number led to this directory, so the directory is its own and not a
	 * successor's that took the number meanwhile.
	 */
	dirfd = open_sysfs_dir(fd);
	memset(&info, 0, sizeof(info));
	if (ioctl(fd, AIOT_SENSOR_IOC_INFO, &info)) {
		ret = errno == ENOTTY ? -ENODEV : -errno;
		goto err_close;
	}
	sensor = calloc(1, sizeof(*sensor));
	if (!sensor) {
		ret = -ENOMEM;
		goto err_close;
	}
	sensor->path = strdup(path);
	if (!sensor->path) {
		free(sensor);
		ret = -ENOMEM;
		goto err_close;
	}
	sensor->fd = fd;
	sensor->sysfs_dirfd = dirfd;
	atomic_init(&sensor->ring, NULL);
	*sensor_out = sensor;
	return 0;

err_close:
	if (dirfd >= 0)
		close(dirfd);
	close(fd);
	return ret;
}

/*
 * Find a device of class "aiot" by sysfs attribute "name" or by sysname,
 * and open its node.
 */
static int open_matching(const char *attr_name, const char *sysname,
			 struct aiot_sensor **sensor_out)
{
	struct udev *udev = udev_new();
	struct udev_enumerate *en;
	struct udev_list_entry *entry;
	int ret = -ENOENT;

	if (!udev)
		return -ENOMEM;
	en = udev_enumerate_new(udev);
	if (!en) {
		udev_unref(udev);
		return -ENOMEM;
	}
	if (udev_enumerate_add_match_subsystem(en, "aiot") < 0 ||
	    (attr_name && udev_enumerate_add_match_sysattr(en, "name", attr_name) < 0) ||
	    (sysname && udev_enumerate_add_match_sysname(en, sysname) < 0) ||
	    udev_enumerate_scan_devices(en) < 0)
		goto out;
	udev_list_entry_foreach(entry, udev_enumerate_get_list_entry(en)) {
		struct udev_device *dev =
			udev_device_new_from_syspath(udev, udev_list_entry_get_name(entry));
		const char *node = dev ? udev_device_get_devnode(dev) : NULL;

		if (node)
			ret = aiot_sensor_open(node, sensor_out);
		udev_device_unref(dev);
		if (node)
			break;
	}
out:
	udev_enumerate_unref(en);
	udev_unref(udev);
	return ret;
}

int aiot_sensor_open_by_name(const char *name, struct aiot_sensor **sensor_out)
{
	if (!name || !*name || !sensor_out)
		return -EINVAL;
	return open_matching(name, NULL, sensor_out);
}

int aiot_sensor_open_by_index(unsigned int index, struct aiot_sensor **sensor_out)
{
	char sysname[32];

	if (!sensor_out)
		return -EINVAL;
	snprintf(sysname, sizeof(sysname), "sensor%u", index);
	return open_matching(NULL, sysname, sensor_out);
}

static void unmap_ring(struct aiot_sensor *sensor)
{
	void *ring = atomic_exchange(&sensor->ring, NULL);

	if (ring)
		munmap(ring, sensor->ring_bytes);
}

void aiot_sensor_close(struct aiot_sensor *sensor)
{
	if (!sensor)
		return;
	unmap_ring(sensor);
	close(sensor->fd);
	if (sensor->sysfs_dirfd >= 0)
		close(sensor->sysfs_dirfd);
	free(sensor->path);
	free(sensor);
}

const char *aiot_sensor_get_path(const struct aiot_sensor *sensor)
{
	return sensor ? sensor->path : NULL;
}

int aiot_sensor_get_fd(const struct aiot_sensor *sensor)
{
	return sensor ? sensor->fd : -EINVAL;
}

int aiot_sensor_get_properties(struct aiot_sensor *sensor,
			       struct aiot_sensor_properties **props_out)
{
	struct aiot_sensor_properties *props;

	if (!sensor || !props_out)
		return -EINVAL;
	props = calloc(1, sizeof(*props));
	if (!props)
		return -ENOMEM;
	if (ioctl(sensor->fd, AIOT_SENSOR_IOC_INFO, &props->info)) {
		int ret = -errno;

		free(props);
		return ret;
	}
	props->info.name[sizeof(props->info.name) - 1] = '\0';
	*props_out = props;
	return 0;
}

void aiot_sensor_properties_free(struct aiot_sensor_properties *props)
{
	free(props);
}

const char *aiot_sensor_properties_get_name(const struct aiot_sensor_properties *props)
{
	return props ? props->info.name : "";
}

enum aiot_sensor_kind aiot_sensor_properties_get_kind(const struct aiot_sensor_properties *props)
{
	return props ? (enum aiot_sensor_kind)props->info.kind : AIOT_SENSOR_KIND_OTHER;
}

enum aiot_sensor_state
aiot_sensor_properties_get_state(const struct aiot_sensor_properties *props)
{
	return props ? (enum aiot_sensor_state)props->info.state :
		       AIOT_SENSOR_STATE_UNCONFIGURED;
}

bool aiot_sensor_properties_has_format(const struct aiot_sensor_properties *props,
				       enum aiot_sensor_format format)
{
	return props && (unsigned int)format < 32 && (props->info.formats >> format) & 1;
}

bool aiot_sensor_properties_has_pattern(const struct aiot_sensor_properties *props,
					unsigned int pattern)
{
	return props && pattern < 32 && (props->info.patterns >> pattern) & 1;
}

void aiot_sensor_properties_get_channels(const struct aiot_sensor_properties *props,
					 unsigned int *min, unsigned int *max)
{
	if (min)
		*min = props ? props->info.min_channels : 0;
	if (max)
		*max = props ? props->info.max_channels : 0;
}

void aiot_sensor_properties_get_rate_range(const struct aiot_sensor_properties *props,
					   unsigned int *min, unsigned int *max)
{
	if (min)
		*min = props ? props->info.min_rate_hz : 0;
	if (max)
		*max = props ? props->info.max_rate_hz : 0;
}

void aiot_sensor_properties_get_frame_size(const struct aiot_sensor_properties *props,
					   unsigned int *width, unsigned int *height)
{
	if (width)
		*width = props ? props->info.width : 0;
	if (height)
		*height = props ? props->info.height : 0;
}

unsigned int aiot_sensor_properties_get_max_slots(const struct aiot_sensor_properties *props)
{
	return props ? props->info.max_slots : 0;
}

size_t aiot_sensor_properties_get_max_slot_size(const struct aiot_sensor_properties *props)
{
	return props ? props->info.max_slot_bytes : 0;
}

uint64_t aiot_sensor_properties_get_max_ring_size(const struct aiot_sensor_properties *props)
{
	return props ? props->info.max_ring_bytes : 0;
}

uint64_t aiot_sensor_properties_get_capabilities(const struct aiot_sensor_properties *props)
{
	return props ? props->info.capabilities : 0;
}

uint64_t aiot_sensor_properties_get_drops(const struct aiot_sensor_properties *props)
{
	return props ? props->info.drops : 0;
}

uint64_t aiot_sensor_properties_get_sequence(const struct aiot_sensor_properties *props)
{
	return props ? props->info.sequence : 0;
}

/* Driver counters: sysfs attributes of the sensor device. */

const char *aiot_sensor_stat_attr(enum aiot_sensor_stat stat)
{
	switch (stat) {
	case AIOT_SENSOR_STAT_BYTES_COPIED:
		return "bytes_copied";
	case AIOT_SENSOR_STAT_DROPS:
		return "drops";
	case AIOT_SENSOR_STAT_OVERWRITTEN:
		return "overwritten";
	default:
		return NULL;
	}
}

int aiot_parse_counter(const char *text, uint64_t *value)
{
	unsigned long long v;
	char *end;

	/* strtoull() would take "-1", " 7" and "0x10": sysfs writes none. */
	if (!text || *text < '0' || *text > '9')
		return -EIO;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || end == text || (*end && strcmp(end, "\n") != 0))
		return -EIO;
	*value = v;
	return 0;
}

int aiot_sensor_read_counter(int sysfs_dirfd, enum aiot_sensor_stat stat, uint64_t *value)
{
	const char *attr = aiot_sensor_stat_attr(stat);
	char text[32];
	ssize_t n;
	int fd, ret;

	if (!attr || !value)
		return -EINVAL;
	if (sysfs_dirfd < 0)
		return -ENODEV;
	fd = openat(sysfs_dirfd, attr, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		/* A removed device's directory is empty: the device is gone. */
		if (errno == ENOENT || errno == ENODEV)
			return -ENODEV;
		return errno == EBADF || errno == ENOTDIR ? -EINVAL : -errno;
	}
	do
		n = read(fd, text, sizeof(text) - 1);
	while (n < 0 && errno == EINTR);
	ret = n < 0 ? (errno == ENODEV ? -ENODEV : -EIO) : 0;
	close(fd);
	if (ret)
		return ret;
	text[n] = '\0';
	return aiot_parse_counter(text, value);
}

int aiot_sensor_get_stat(const struct aiot_sensor *sensor, enum aiot_sensor_stat stat,
			 uint64_t *value_out)
{
	if (!sensor || !value_out || !aiot_sensor_stat_attr(stat))
		return -EINVAL;
	return aiot_sensor_read_counter(sensor->sysfs_dirfd, stat, value_out);
}

int aiot_sensor_find_test_pattern_in(int sysfs_dirfd, const char *name, unsigned int *pattern_out)
{
	char text[1024], *line, *save = NULL;
	ssize_t n;
	int fd;

	if (!name || !*name || !pattern_out)
		return -EINVAL;
	if (sysfs_dirfd < 0)
		return -ENODEV;
	fd = openat(sysfs_dirfd, "test_patterns", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		/* A removed device's directory is empty: the device is gone. */
		if (errno == ENODEV)
			return -ENODEV;
		/* A kernel without test_patterns: no test pattern by name. */
		return errno == ENOENT ? -ENOENT : -EIO;
	}
	do
		n = read(fd, text, sizeof(text) - 1);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n < 0)
		return errno == ENODEV ? -ENODEV : -EIO;
	text[n] = '\0';
	/* "number name" a line. */
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sep = strchr(line, ' '), *end;
		unsigned long v;

		if (!sep || line[0] < '0' || line[0] > '9')
			return -EIO;
		*sep = '\0';
		errno = 0;
		v = strtoul(line, &end, 10);
		if (errno || *end || v == 0 || v >= 32)
			return -EIO;
		if (!strcmp(sep + 1, name)) {
			*pattern_out = (unsigned int)v;
			return 0;
		}
	}
	return -ENOENT;
}

int aiot_sensor_find_test_pattern(const struct aiot_sensor *sensor, const char *name,
				  unsigned int *pattern_out)
{
	if (!sensor)
		return -EINVAL;
	return aiot_sensor_find_test_pattern_in(sensor->sysfs_dirfd, name, pattern_out);
}

struct aiot_sensor_settings *aiot_sensor_settings_new(void)
{
	struct aiot_sensor_settings *settings = calloc(1, sizeof(*settings));

	if (!settings)
		return NULL;
	settings->config.format = AIOT_SENSOR_FMT_S16_LE;
	settings->config.channels = 1;
	settings->config.rate_hz = 100;
	settings->config.samples_per_slot = 10;
	settings->config.slot_count = 4;
	settings->config.overflow = AIOT_SENSOR_OVERFLOW_DROP_NEWEST;
	settings->config.pattern = AIOT_SENSOR_PATTERN_LIVE;
	return settings;
}

void aiot_sensor_settings_free(struct aiot_sensor_settings *settings)
{
	free(settings);
}

/* Values are the kernel's to judge (one place for the rules); NULL is ours. */
#define SETTINGS_SETTER(name, field, type)				\
int aiot_sensor_settings_set_##name(struct aiot_sensor_settings *settings, \
				    type value)				\
{									\
	if (!settings)							\
		return -EINVAL;						\
	settings->config.field = (uint32_t)value;			\
	return 0;							\
}

SETTINGS_SETTER(format, format, enum aiot_sensor_format)
SETTINGS_SETTER(channels, channels, unsigned int)
SETTINGS_SETTER(rate, rate_hz, unsigned int)
SETTINGS_SETTER(samples_per_slot, samples_per_slot, unsigned int)
SETTINGS_SETTER(slot_count, slot_count, unsigned int)
SETTINGS_SETTER(overflow, overflow, enum aiot_sensor_overflow)
SETTINGS_SETTER(pattern, pattern, unsigned int)

int aiot_sensor_configure(struct aiot_sensor *sensor,
			  const struct aiot_sensor_settings *settings)
{
	struct aiot_sensor_config config;

	if (!sensor || !settings)
		return -EINVAL;
	/* A mapped ring blocks reconfiguration (EBUSY): drop ours first. */
	unmap_ring(sensor);
	config = settings->config;
	if (ioctl(sensor->fd, AIOT_SENSOR_IOC_CONFIGURE, &config))
		return -errno;
	sensor->config = config;
	sensor->ring_bytes = config.ring_bytes;
	for (unsigned int i = 0; i < AIOT_SENSOR_MAX_SLOTS; i++) {
		atomic_store_explicit(&sensor->timing[i].first_sample_ns, 0, memory_order_relaxed);
		atomic_store_explicit(&sensor->timing[i].dma_done_ns, 0, memory_order_relaxed);
	}
	sensor->configured = true;
	return 0;
}

unsigned int aiot_sensor_get_slot_count(const struct aiot_sensor *sensor)
{
	return sensor && sensor->configured ? sensor->config.slot_count : 0;
}

size_t aiot_sensor_get_slot_size(const struct aiot_sensor *sensor)
{
	return sensor && sensor->configured ? sensor->config.slot_bytes : 0;
}

uint64_t aiot_sensor_get_period_ns(const struct aiot_sensor *sensor)
{
	return sensor && sensor->configured ? sensor->config.period_ns : 0;
}

int aiot_sensor_start(struct aiot_sensor *sensor)
{
	if (!sensor)
		return -EINVAL;
	return ioctl(sensor->fd, AIOT_SENSOR_IOC_START) ? -errno : 0;
}

int aiot_sensor_stop(struct aiot_sensor *sensor)
{
	if (!sensor)
		return -EINVAL;
	return ioctl(sensor->fd, AIOT_SENSOR_IOC_STOP) ? -errno : 0;
}

static int64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int aiot_sensor_dequeue(struct aiot_sensor *sensor, int64_t timeout_ns,
			struct aiot_sensor_slot *slot)
{
	int64_t deadline = 0;

	if (!sensor || !slot)
		return -EINVAL;
	if (timeout_ns > 0)
		deadline = monotonic_ns() + timeout_ns;
	for (;;) {
		struct aiot_sensor_buffer buf = { 0 };
		struct pollfd pfd = { .fd = sensor->fd, .events = POLLIN };
		int wait_ms, ret;

		if (ioctl(sensor->fd, AIOT_SENSOR_IOC_DQBUF, &buf) == 0) {
			slot->index = buf.index;
			slot->flags = buf.flags;
			slot->sequence = buf.sequence;
			slot->timestamp_ns = buf.timestamp_ns;
			slot->bytes_used = buf.bytesused;
			if (buf.index < AIOT_SENSOR_MAX_SLOTS) {
				atomic_store_explicit(&sensor->timing[buf.index].first_sample_ns,
						      buf.timestamp_ns, memory_order_relaxed);
				atomic_store_explicit(&sensor->timing[buf.index].dma_done_ns,
						      buf.dma_done_ns, memory_order_relaxed);
			}
			return 0;
		}
		if (errno != EAGAIN)
			return -errno;
		/* Empty: wait for POLLIN (another thread may take it first). */
		if (timeout_ns == 0)
			return -ETIME;
		if (timeout_ns < 0) {
			wait_ms = -1;
		} else {
			int64_t left = deadline - monotonic_ns();

			if (left <= 0)
				return -ETIME;
			/* Round up: never spin with a 0 ms poll before the end. */
			left = (left + 999999) / 1000000;
			wait_ms = left > INT_MAX ? INT_MAX : (int)left;
		}
		ret = poll(&pfd, 1, wait_ms);
		if (ret < 0 && errno != EINTR)
			return -errno;
		/* POLLERR/POLLHUP: the next DQBUF says why (EPIPE, EIO, ENODEV). */
	}
}

int aiot_sensor_queue(struct aiot_sensor *sensor, unsigned int index)
{
	struct aiot_sensor_buffer buf = { .index = index };

	if (!sensor)
		return -EINVAL;
	return ioctl(sensor->fd, AIOT_SENSOR_IOC_QBUF, &buf) ? -errno : 0;
}

int aiot_sensor_get_slot_data(struct aiot_sensor *sensor, unsigned int index,
			      const void **data_out)
{
	void *ring, *expected = NULL;

	if (!sensor || !data_out || !sensor->configured ||
	    index >= sensor->config.slot_count)
		return -EINVAL;
	ring = atomic_load(&sensor->ring);
	if (!ring) {
		ring = mmap(NULL, sensor->ring_bytes, PROT_READ, MAP_SHARED,
			    sensor->fd, 0);
		if (ring == MAP_FAILED)
			return -errno;
		if (!atomic_compare_exchange_strong(&sensor->ring, &expected, ring)) {
			munmap(ring, sensor->ring_bytes);
			ring = expected;
		}
	}
	*data_out = (const uint8_t *)ring + (size_t)index * sensor->config.slot_stride;
	return 0;
}

int aiot_sensor_get_slot_timing(const struct aiot_sensor *sensor, unsigned int index,
				uint64_t *first_sample_ns, uint64_t *dma_done_ns)
{
	uint64_t first, done;

	if (!sensor || !sensor->configured || index >= sensor->config.slot_count ||
	    index >= AIOT_SENSOR_MAX_SLOTS)
		return -EINVAL;
	first = atomic_load_explicit(&sensor->timing[index].first_sample_ns,
				     memory_order_relaxed);
	done = atomic_load_explicit(&sensor->timing[index].dma_done_ns, memory_order_relaxed);
	if (!first)
		return -ENODATA;
	if (first_sample_ns)
		*first_sample_ns = first;
	if (dma_done_ns)
		*dma_done_ns = done;
	return done ? 0 : -ENODATA;
}

static int export_slot(struct aiot_sensor *sensor, unsigned int index, int access)
{
	struct aiot_sensor_expbuf exp = { .index = index, .flags = O_CLOEXEC | access };

	if (!sensor)
		return -EINVAL;
	if (ioctl(sensor->fd, AIOT_SENSOR_IOC_EXPBUF, &exp))
		return -errno;
	return exp.fd;
}

int aiot_sensor_export_slot(struct aiot_sensor *sensor, unsigned int index)
{
	return export_slot(sensor, index, O_RDONLY);
}

int aiot_sensor_import_slot(struct aiot_sensor *sensor, unsigned int index,
			    struct aiot_accel *accel, struct aiot_buffer **buffer_out)
{
	int fd, ret;

	if (!sensor || !accel || !buffer_out)
		return -EINVAL;
	fd = export_slot(sensor, index, O_RDONLY);
	if (fd < 0)
		return fd;
	ret = aiot_buffer_import_dmabuf(accel, fd, buffer_out);
	/* The import holds its own reference to the dma-buf. */
	close(fd);
	return ret;
}
