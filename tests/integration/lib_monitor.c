// SPDX-License-Identifier: GPL-2.0-only
/*
 * libaiot-accel's hotplug monitor and the driver counters of sensor
 * streams, against the real modules.
 *
 * Monitor: unloading aiot-sim must report the removal of the accelerator
 * and of every sensor stream (with the names and nodes they had), loading
 * it again their arrival, with nodes that aiot_accel_open() and
 * aiot_sensor_open() take. The guests run no udevd: the monitor listens
 * to the kernel's uevents there. Leaves aiot and aiot-sim loaded.
 *
 * Counters: read() of a slot raises bytes_copied by exactly its size;
 * dequeue/queue and the ring mapping leave it alone; drops and overwritten
 * agree with the kernel's other views.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <aiot/accel.h>
#include <aiot/sensor.h>
#include <aiot/sim_sensor.h>

#include "aiot_testlib.h"
#include "tap.h"

#define SECOND_NS	1000000000LL
#define MS_NS		1000000LL
#define MAX_DEVICES	32

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * SECOND_NS + ts.tv_nsec;
}

/* ------------------------------------------------------------- monitor */

struct device_seen {
	enum aiot_monitor_kind kind;
	char path[128];
	char name[64];		/* sensors */
	int events;		/* how many events named it */
};

/* What is there now: the accelerator and every sensor stream. */
static int list_devices(struct device_seen *devs, int max)
{
	struct aiot_accel *accel = NULL;
	int n = 0;

	if (aiot_accel_open_default(&accel) == 0) {
		devs[n] = (struct device_seen){ .kind = AIOT_MONITOR_KIND_ACCEL };
		snprintf(devs[n].path, sizeof(devs[n].path), "%s", aiot_accel_get_path(accel));
		n++;
		aiot_accel_close(accel);
	}
	for (unsigned int i = 0; i < 64 && n < max; i++) {
		struct aiot_sensor *sensor = NULL;
		struct aiot_sensor_properties *props = NULL;

		if (aiot_sensor_open_by_index(i, &sensor))
			continue;
		if (aiot_sensor_get_properties(sensor, &props) == 0) {
			devs[n] = (struct device_seen){ .kind = AIOT_MONITOR_KIND_SENSOR };
			snprintf(devs[n].path, sizeof(devs[n].path), "%s",
				 aiot_sensor_get_path(sensor));
			snprintf(devs[n].name, sizeof(devs[n].name), "%s",
				 aiot_sensor_properties_get_name(props));
			n++;
		}
		aiot_sensor_properties_free(props);
		aiot_sensor_close(sensor);
	}
	return n;
}

static struct device_seen *find_device(struct device_seen *devs, int n,
				       const struct aiot_monitor_event *ev)
{
	const char *name = aiot_monitor_event_get_sensor_name(ev);

	for (int i = 0; i < n; i++) {
		if (devs[i].kind != aiot_monitor_event_get_kind(ev))
			continue;
		/* Sensors by their stable name (a node number may change). */
		if (devs[i].kind == AIOT_MONITOR_KIND_SENSOR ?
		    name && strcmp(devs[i].name, name) == 0 :
		    strcmp(devs[i].path, aiot_monitor_event_get_path(ev)) == 0)
			return &devs[i];
	}
	return NULL;
}

static int all_seen(const struct device_seen *devs, int n)
{
	for (int i = 0; i < n; i++)
		if (!devs[i].events)
			return 0;
	return 1;
}

static const char *type_name(enum aiot_monitor_event_type t)
{
	return t == AIOT_MONITOR_EVENT_ADD ? "add" : t == AIOT_MONITOR_EVENT_REMOVE ? "remove" : "?";
}

/* The accel node appears a moment before DRM lets it be opened. */
static int open_accel_retrying(const char *path, struct aiot_accel **accel)
{
	int ret, tries = 0;

	for (;;) {
		ret = aiot_accel_open(path, accel);
		if (ret != -ENODEV && ret != -ENOENT && ret != -ENXIO)
			break;
		if (++tries >= 200)
			break;
		usleep(10 * 1000);
	}
	if (tries)
		tap_diag("%s: aiot_accel_open() succeeded after %d retries", path, tries);
	return ret;
}

/*
 * Read events until every device in @devs was named by one of @type, or
 * 10 s passed. Events of the other type, or of devices not in @devs, fail
 * the case; so does naming a device twice.
 */
static void collect(struct aiot_monitor *mon, enum aiot_monitor_event_type type,
		    struct device_seen *devs, int n)
{
	int64_t deadline = now_ns() + 10 * SECOND_NS;

	while (!all_seen(devs, n) && now_ns() < deadline) {
		struct aiot_monitor_event *ev = NULL;
		struct device_seen *d;
		int ret = aiot_monitor_wait(mon, deadline - now_ns());

		if (ret <= 0) {
			CHECK_EQ(ret, 0);
			break;
		}
		while ((ret = aiot_monitor_read_event(mon, &ev)) == 0) {
			const char *path = aiot_monitor_event_get_path(ev);
			const char *name = aiot_monitor_event_get_sensor_name(ev);

			tap_diag("%s %s %s%s%s (%s)", type_name(aiot_monitor_event_get_type(ev)),
				 aiot_monitor_event_get_kind(ev) == AIOT_MONITOR_KIND_ACCEL ?
				 "accelerator" : "sensor", path ? path : "(null)",
				 name ? " " : "", name ? name : "",
				 aiot_monitor_event_get_syspath(ev));
			CHECK_EQ(aiot_monitor_event_get_type(ev), type);
			CHECK(path && strncmp(path, "/dev/", 5) == 0);
			CHECK(aiot_monitor_event_get_syspath(ev) &&
			      strncmp(aiot_monitor_event_get_syspath(ev), "/sys/", 5) == 0);
			if (aiot_monitor_event_get_kind(ev) == AIOT_MONITOR_KIND_SENSOR) {
				CHECK(name && *name);
				CHECK(path && strncmp(path, "/dev/aiot/sensor", 16) == 0);
			} else {
				CHECK_EQ(aiot_monitor_event_get_kind(ev), AIOT_MONITOR_KIND_ACCEL);
				CHECK(name == NULL);
				CHECK(path && (strncmp(path, "/dev/accel/accel", 16) == 0 ||
					       strncmp(path, "/dev/dri/renderD", 16) == 0));
			}
			d = path ? find_device(devs, n, ev) : NULL;
			if (!d) {
				tap_diag("an event for a device that was not listed");
				tap_case_failed = 1;
			} else if (d->events++) {
				tap_diag("a second event for %s", d->path);
				tap_case_failed = 1;
			}
			if (d && type == AIOT_MONITOR_EVENT_REMOVE)
				CHECK(strcmp(d->path, path) == 0);	/* the node it had */
			if (d && type == AIOT_MONITOR_EVENT_ADD)
				snprintf(d->path, sizeof(d->path), "%s", path);	/* the new one */
			aiot_monitor_event_free(ev);
			ev = NULL;
		}
		CHECK_EQ(ret, -EAGAIN);
	}
	for (int i = 0; i < n; i++)
		if (!devs[i].events) {
			tap_diag("no %s event for %s %s", type_name(type), devs[i].path, devs[i].name);
			tap_case_failed = 1;
		}
}

static void monitor_basics(void)
{
	struct aiot_monitor *mon = NULL;
	struct aiot_monitor_event *ev = NULL;
	const char *want = access("/run/udev/control", F_OK) == 0 ? "udev" : "kernel";
	int ret;

	CHECK_EQ(aiot_monitor_new(NULL), -EINVAL);
	ret = aiot_monitor_new(&mon);
	if (ret)
		tap_diag("aiot_monitor_new: %s", aiot_strerror(ret));
	REQUIRE(ret == 0 && mon);
	tap_diag("events from \"%s\"", aiot_monitor_get_source(mon));
	CHECK(strcmp(aiot_monitor_get_source(mon), want) == 0);
	CHECK(aiot_monitor_get_fd(mon) >= 0);
	CHECK_EQ(aiot_monitor_read_event(mon, NULL), -EINVAL);
	/* Nothing happens to the devices: nothing to report. */
	while (aiot_monitor_wait(mon, 100 * MS_NS) == 1) {
		ret = aiot_monitor_read_event(mon, &ev);
		if (ret == 0) {
			tap_diag("unexpected event for %s", aiot_monitor_event_get_path(ev));
			tap_case_failed = 1;
			aiot_monitor_event_free(ev);
			ev = NULL;
		}
	}
	CHECK_EQ(aiot_monitor_wait(mon, 0), 0);
	CHECK_EQ(aiot_monitor_read_event(mon, &ev), -EAGAIN);
	CHECK(ev == NULL);
	aiot_monitor_free(mon);
}

static void unload_and_reload_are_reported(void)
{
	struct device_seen devs[MAX_DEVICES];
	struct aiot_monitor *mon = NULL;
	struct aiot_sensor *held = NULL;
	struct aiot_monitor_event *ev = NULL;
	uint64_t value;
	int n = list_devices(devs, MAX_DEVICES), sensors = 0, ret;

	for (int i = 0; i < n; i++)
		sensors += devs[i].kind == AIOT_MONITOR_KIND_SENSOR;
	tap_diag("%d devices: the accelerator and %d sensor streams", n, sensors);
	REQUIRE(n >= 2 && n - sensors == 1);
	REQUIRE(aiot_monitor_new(&mon) == 0);
	/* A stream kept open over the removal: its counters say it is gone. */
	REQUIRE(aiot_sensor_open_by_name(devs[1].name, &held) == 0);
	CHECK_EQ(aiot_sensor_get_stat(held, AIOT_SENSOR_STAT_DROPS, &value), 0);

	REQUIRE(aiot_test_rmmod_wait("aiot_sim", 5000) == 0);
	collect(mon, AIOT_MONITOR_EVENT_REMOVE, devs, n);
	CHECK_EQ(aiot_sensor_get_stat(held, AIOT_SENSOR_STAT_DROPS, &value), -ENODEV);
	CHECK_EQ(aiot_sensor_get_stat(held, AIOT_SENSOR_STAT_BYTES_COPIED, &value), -ENODEV);
	for (int i = 0; i < n; i++) {
		struct aiot_accel *accel = NULL;
		struct aiot_sensor *sensor = NULL;

		/* The nodes reported are gone. */
		if (devs[i].kind == AIOT_MONITOR_KIND_ACCEL)
			CHECK(aiot_accel_open(devs[i].path, &accel) < 0);
		else
			CHECK(aiot_sensor_open(devs[i].path, &sensor) < 0);
		devs[i].events = 0;
	}

	ret = aiot_test_modprobe("aiot-sim");
	REQUIRE(ret == 0);
	collect(mon, AIOT_MONITOR_EVENT_ADD, devs, n);
	/* The same devices as before, through the nodes the events gave. */
	for (int i = 0; i < n; i++) {
		struct aiot_accel *accel = NULL;
		struct aiot_sensor *sensor = NULL;
		struct aiot_sensor_properties *props = NULL;

		if (!devs[i].events)
			continue;
		if (devs[i].kind == AIOT_MONITOR_KIND_ACCEL) {
			ret = open_accel_retrying(devs[i].path, &accel);
			if (ret)
				tap_diag("aiot_accel_open(%s): %s", devs[i].path, aiot_strerror(ret));
			CHECK_EQ(ret, 0);
			aiot_accel_close(accel);
			continue;
		}
		ret = aiot_sensor_open(devs[i].path, &sensor);
		if (ret)
			tap_diag("aiot_sensor_open(%s): %s", devs[i].path, aiot_strerror(ret));
		CHECK_EQ(ret, 0);
		if (ret == 0 && aiot_sensor_get_properties(sensor, &props) == 0)
			CHECK(strcmp(aiot_sensor_properties_get_name(props), devs[i].name) == 0);
		/* A new device: its counters start again. */
		if (ret == 0) {
			CHECK_EQ(aiot_sensor_get_stat(sensor, AIOT_SENSOR_STAT_BYTES_COPIED, &value), 0);
			CHECK_EQ(value, 0);
		}
		aiot_sensor_properties_free(props);
		aiot_sensor_close(sensor);
	}
	/* And the stream held open still reads the dead device, not the new one. */
	CHECK_EQ(aiot_sensor_get_stat(held, AIOT_SENSOR_STAT_DROPS, &value), -ENODEV);
	aiot_sensor_close(held);
	/* Nothing else arrives. */
	while (aiot_monitor_wait(mon, 200 * MS_NS) == 1)
		if (aiot_monitor_read_event(mon, &ev) == 0) {
			tap_diag("unexpected %s of %s", type_name(aiot_monitor_event_get_type(ev)),
				 aiot_monitor_event_get_path(ev));
			tap_case_failed = 1;
			aiot_monitor_event_free(ev);
			ev = NULL;
		}
	aiot_monitor_free(mon);
}

/* Two monitors see the same events; freeing one leaves the other alone. */
static void two_monitors(void)
{
	struct aiot_monitor *a = NULL, *b = NULL;
	struct aiot_monitor_event *ev;
	int removes[2] = { 0, 0 }, adds[2] = { 0, 0 };
	int64_t deadline;

	REQUIRE(aiot_monitor_new(&a) == 0);
	REQUIRE(aiot_monitor_new(&b) == 0);
	REQUIRE(aiot_test_rmmod_wait("aiot_sim", 5000) == 0);
	REQUIRE(aiot_test_modprobe("aiot-sim") == 0);
	/* Removals and arrivals pair up, on both monitors. */
	deadline = now_ns() + 3 * SECOND_NS;
	while (now_ns() < deadline) {
		struct aiot_monitor *m[2] = { a, b };

		for (int i = 0; i < 2; i++) {
			while (aiot_monitor_read_event(m[i], &ev) == 0) {
				if (aiot_monitor_event_get_type(ev) == AIOT_MONITOR_EVENT_ADD)
					adds[i]++;
				else
					removes[i]++;
				aiot_monitor_event_free(ev);
			}
		}
		if (removes[0] && removes[0] == adds[0] && removes[1] == removes[0] &&
		    adds[1] == adds[0])
			break;
		usleep(20 * 1000);
	}
	tap_diag("monitor a: %d removals, %d arrivals; b: %d, %d", removes[0], adds[0],
		 removes[1], adds[1]);
	CHECK(removes[0] >= 2);
	CHECK_EQ(adds[0], removes[0]);
	CHECK_EQ(removes[1], removes[0]);
	CHECK_EQ(adds[1], adds[0]);
	aiot_monitor_free(a);
	aiot_monitor_free(b);
	aiot_monitor_free(NULL);
}

/* aiot-info --watch reports the same arrivals and removals. */
static void aiot_info_watch_reports_hotplug(void)
{
	int removed_accel = 0, arrived_accel = 0, removed_sensors = 0, arrived_sensors = 0;
	int pipefd[2], status = -1, watching = 0;
	int64_t deadline;
	char line[256];
	pid_t pid;
	FILE *out;

	REQUIRE(pipe(pipefd) == 0);
	pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		close(pipefd[0]);
		close(pipefd[1]);
		execlp("aiot-info", "aiot-info", "--watch", "0.2", (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	out = fdopen(pipefd[0], "r");
	REQUIRE(out);
	/* Its first line comes once it listed the devices and watches. */
	if (fgets(line, sizeof(line), out)) {
		tap_diag("aiot-info: %.*s", (int)strcspn(line, "\n"), line);
		watching = strstr(line, "every 0.2 s") != NULL;
	}
	CHECK(watching);
	if (watching) {
		CHECK_EQ(aiot_test_rmmod_wait("aiot_sim", 5000), 0);
		CHECK_EQ(aiot_test_modprobe("aiot-sim"), 0);
	}
	deadline = now_ns() + 10 * SECOND_NS;
	while (watching && now_ns() < deadline && fgets(line, sizeof(line), out)) {
		if (!strstr(line, "arrived:") && !strstr(line, "removed:"))
			continue;
		tap_diag("aiot-info: %.*s", (int)strcspn(line, "\n"), line);
		removed_accel += strstr(line, "removed: accelerator /dev/") != NULL;
		arrived_accel += strstr(line, "arrived: accelerator /dev/") != NULL;
		removed_sensors += strstr(line, "removed: sensor stream /dev/aiot/") != NULL;
		arrived_sensors += strstr(line, "arrived: sensor stream /dev/aiot/") != NULL;
		if (arrived_accel && removed_sensors && arrived_sensors == removed_sensors &&
		    arrived_sensors >= 3)
			break;
	}
	/* Ctrl-C: it stops cleanly (read on: it may be printing). */
	kill(pid, SIGINT);
	while (fgets(line, sizeof(line), out))
		;
	fclose(out);
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_EQ(removed_accel, 1);
	CHECK_EQ(arrived_accel, 1);
	CHECK(removed_sensors >= 3);	/* aiot-sim's accel0, mic0, camera0 */
	CHECK_EQ(arrived_sensors, removed_sensors);
}

/* -------------------------------------------------------------- counters */

#define CHANNELS	3	/* accel0: x, y, z */
#define SAMPLES		8

static struct aiot_sensor *configured_accel0(unsigned int rate, unsigned int slots,
					     enum aiot_sensor_overflow overflow)
{
	struct aiot_sensor_settings *s = aiot_sensor_settings_new();
	struct aiot_sensor *sensor = NULL;
	int ret = aiot_sensor_open_by_name("accel0", &sensor);

	if (ret || !s) {
		tap_diag("accel0: %s", aiot_strerror(ret ? ret : -ENOMEM));
		aiot_sensor_settings_free(s);
		aiot_sensor_close(sensor);
		return NULL;
	}
	aiot_sensor_settings_set_format(s, AIOT_SENSOR_FMT_S16_LE);
	aiot_sensor_settings_set_channels(s, CHANNELS);
	aiot_sensor_settings_set_rate(s, rate);
	aiot_sensor_settings_set_samples_per_slot(s, SAMPLES);
	aiot_sensor_settings_set_slot_count(s, slots);
	aiot_sensor_settings_set_overflow(s, overflow);
	aiot_sensor_settings_set_pattern(s, AIOT_SIM_PATTERN_RAMP);
	ret = aiot_sensor_configure(sensor, s);
	aiot_sensor_settings_free(s);
	if (ret) {
		tap_diag("configure accel0: %s", aiot_strerror(ret));
		aiot_sensor_close(sensor);
		return NULL;
	}
	return sensor;
}

static uint64_t stat_of(struct aiot_sensor *sensor, enum aiot_sensor_stat stat)
{
	uint64_t v = UINT64_MAX;
	int ret = aiot_sensor_get_stat(sensor, stat, &v);

	if (ret) {
		tap_diag("aiot_sensor_get_stat(%d): %s", stat, aiot_strerror(ret));
		tap_case_failed = 1;
	}
	return v;
}

static void stat_arguments(void)
{
	struct aiot_sensor *sensor = NULL;
	uint64_t v = 7;

	CHECK_EQ(aiot_sensor_get_stat(NULL, AIOT_SENSOR_STAT_BYTES_COPIED, &v), -EINVAL);
	REQUIRE(aiot_sensor_open_by_name("accel0", &sensor) == 0);
	CHECK_EQ(aiot_sensor_get_stat(sensor, AIOT_SENSOR_STAT_BYTES_COPIED, NULL), -EINVAL);
	CHECK_EQ(aiot_sensor_get_stat(sensor, AIOT_SENSOR_STAT_COUNT_, &v), -EINVAL);
	CHECK_EQ(aiot_sensor_get_stat(sensor, (enum aiot_sensor_stat)-1, &v), -EINVAL);
	CHECK_EQ(v, 7);
	for (int s = 0; s < AIOT_SENSOR_STAT_COUNT_; s++)
		CHECK_EQ(aiot_sensor_get_stat(sensor, (enum aiot_sensor_stat)s, &v), 0);
	aiot_sensor_close(sensor);
}

static void read_counts_bytes_copied(void)
{
	struct aiot_sensor *sensor = configured_accel0(400, 4, AIOT_SENSOR_OVERFLOW_DROP_NEWEST);
	size_t slot_size;
	uint64_t before, total = 0;
	char buf[4096];

	REQUIRE(sensor);
	slot_size = aiot_sensor_get_slot_size(sensor);
	REQUIRE(slot_size == CHANNELS * SAMPLES * 2 && slot_size <= sizeof(buf));
	before = stat_of(sensor, AIOT_SENSOR_STAT_BYTES_COPIED);
	REQUIRE(aiot_sensor_start(sensor) == 0);
	for (int i = 0; i < 10; i++) {
		struct pollfd pfd = { .fd = aiot_sensor_get_fd(sensor), .events = POLLIN };
		uint64_t after;
		ssize_t n;

		REQUIRE(poll(&pfd, 1, 2000) == 1);
		n = read(aiot_sensor_get_fd(sensor), buf, sizeof(buf));
		REQUIRE(n > 0);
		CHECK_EQ(n, slot_size);
		total += (uint64_t)n;
		/* The counter moves by exactly what this read() copied. */
		after = stat_of(sensor, AIOT_SENSOR_STAT_BYTES_COPIED);
		CHECK_EQ(after - before, total);
	}
	tap_diag("10 read()s: %llu bytes copied by the driver",
		 (unsigned long long)(stat_of(sensor, AIOT_SENSOR_STAT_BYTES_COPIED) - before));
	aiot_sensor_stop(sensor);
	aiot_sensor_close(sensor);
}

static void zero_copy_leaves_bytes_copied(void)
{
	struct aiot_sensor *sensor = configured_accel0(400, 4, AIOT_SENSOR_OVERFLOW_DROP_NEWEST);
	struct aiot_sensor_properties *props = NULL;
	struct aiot_sensor_slot slot;
	uint64_t before;

	REQUIRE(sensor);
	before = stat_of(sensor, AIOT_SENSOR_STAT_BYTES_COPIED);
	REQUIRE(aiot_sensor_start(sensor) == 0);
	for (int i = 0; i < 12; i++) {
		const int16_t *data;

		REQUIRE(aiot_sensor_dequeue(sensor, 2 * SECOND_NS, &slot) == 0);
		REQUIRE(aiot_sensor_get_slot_data(sensor, slot.index, (const void **)&data) == 0);
		CHECK_EQ(slot.bytes_used, CHANNELS * SAMPLES * 2);
		CHECK_EQ(aiot_sensor_queue(sensor, slot.index), 0);
	}
	CHECK_EQ(stat_of(sensor, AIOT_SENSOR_STAT_BYTES_COPIED), before);
	aiot_sensor_stop(sensor);
	/* Stopped: the ioctl's view of drops and sysfs's agree. */
	REQUIRE(aiot_sensor_get_properties(sensor, &props) == 0);
	CHECK_EQ(stat_of(sensor, AIOT_SENSOR_STAT_DROPS), aiot_sensor_properties_get_drops(props));
	aiot_sensor_properties_free(props);
	aiot_sensor_close(sensor);
}

static void overwrites_are_counted(void)
{
	/* 2 slots of 8 samples at 1 kHz: a slot every 8 ms, none dequeued. */
	struct aiot_sensor *sensor = configured_accel0(1000, 2,
						       AIOT_SENSOR_OVERFLOW_OVERWRITE_OLDEST);
	uint64_t drops, overwritten, copied;

	REQUIRE(sensor);
	drops = stat_of(sensor, AIOT_SENSOR_STAT_DROPS);
	overwritten = stat_of(sensor, AIOT_SENSOR_STAT_OVERWRITTEN);
	copied = stat_of(sensor, AIOT_SENSOR_STAT_BYTES_COPIED);
	REQUIRE(aiot_sensor_start(sensor) == 0);
	usleep(300 * 1000);
	aiot_sensor_stop(sensor);
	overwritten = stat_of(sensor, AIOT_SENSOR_STAT_OVERWRITTEN) - overwritten;
	drops = stat_of(sensor, AIOT_SENSOR_STAT_DROPS) - drops;
	tap_diag("300 ms unread: %llu overwritten, %llu dropped",
		 (unsigned long long)overwritten, (unsigned long long)drops);
	CHECK(overwritten > 0);
	CHECK(drops >= overwritten);	/* an overwrite is a drop too */
	CHECK_EQ(stat_of(sensor, AIOT_SENSOR_STAT_BYTES_COPIED), copied);
	aiot_sensor_close(sensor);
}

TAP_MAIN(
	TAP_CASE(monitor_basics),
	TAP_CASE(unload_and_reload_are_reported),
	TAP_CASE(two_monitors),
	TAP_CASE(aiot_info_watch_reports_hotplug),
	TAP_CASE(stat_arguments),
	TAP_CASE(read_counts_bytes_copied),
	TAP_CASE(zero_copy_leaves_bytes_copied),
	TAP_CASE(overwrites_are_counted),
)
