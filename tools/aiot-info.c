// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-info: the aiot accelerators and sensor streams of this machine, what
 * they are and can do, and (--watch) what they are doing.
 *
 * Everything the library can ask (libaiot-accel). Device-wide counters that
 * no ioctl gives come from sysfs (sensors: drops, bytes_copied) and, for the
 * accelerators' job counters and busy time, from debugfs
 * (<debugfs>/aiot/<device>/state, root only); without it they show as "n/a".
 * --watch also reports devices arriving and leaving (the library's monitor).
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <aiot/accel.h>
#include <aiot/sensor.h>

#define PROG "aiot-info"
#define MAX_DEVS 64

struct accel_stats {
	bool known;
	uint64_t submitted, completed, failed, timed_out, busy_ns;
	int open_files;
};

struct accel_dev {
	char node[300];
	char sysdir[300];	/* /sys/class/accel/accelN or /sys/class/drm/renderDN */
	char debugfs[PATH_MAX + 64];	/* its debugfs state file */
	struct accel_stats st;
};

struct sensor_dev {
	char sysname[260];	/* sensorN */
	unsigned int index;
	char name[64];
	uint64_t sequence, drops, bytes_copied, overwritten;
	bool has_copied, has_overwritten;
	char state[32];
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void err(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static const char *fmt_bytes(char *buf, size_t len, double b)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int u = 0;

	while (b >= 1024 && u < 4) {
		b /= 1024;
		u++;
	}
	snprintf(buf, len, u ? "%.1f %s" : "%.0f %s", b, unit[u]);
	return buf;
}

static const char *fmt_time_ms(char *buf, size_t len, double ms)
{
	if (ms >= 1000)
		snprintf(buf, len, "%.3g s", ms / 1000);
	else
		snprintf(buf, len, "%.0f ms", ms);
	return buf;
}

static const char *fmt_rate(char *buf, size_t len, double hz)
{
	if (hz >= 1000)
		snprintf(buf, len, "%.3g kHz", hz / 1000);
	else
		snprintf(buf, len, "%.0f Hz", hz);
	return buf;
}

/* A string for JSON: quotes and control characters escaped. */
static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

static bool read_u64(const char *path, uint64_t *v)
{
	char buf[64], *e;

	if (read_line(path, buf, sizeof(buf)))
		return false;
	*v = strtoull(buf, &e, 0);
	return e != buf;
}

/* ------------------------------------------------------------ accelerators */

static void accel_read_stats(struct accel_dev *d)
{
	FILE *f = d->debugfs[0] ? fopen(d->debugfs, "r") : NULL;
	char line[128], key[64];
	unsigned long long v;

	memset(&d->st, 0, sizeof(d->st));
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63[^:]: %lli", key, (long long *)&v) != 2)
			continue;
		if (!strcmp(key, "jobs_submitted")) {
			d->st.submitted = v;
			d->st.known = true;
		} else if (!strcmp(key, "jobs_completed")) {
			d->st.completed = v;
		} else if (!strcmp(key, "jobs_failed")) {
			d->st.failed = v;
		} else if (!strcmp(key, "jobs_timed_out")) {
			d->st.timed_out = v;
		} else if (!strcmp(key, "busy_ns")) {
			d->st.busy_ns = v;
		} else if (!strcmp(key, "open_files")) {
			d->st.open_files = (int)v;
		}
	}
	fclose(f);
}

/* The debugfs directory is named after the accelerator's parent device. */
static void accel_find_debugfs(struct accel_dev *d)
{
	char link[PATH_MAX], path[PATH_MAX];
	ssize_t n;
	const char *base;

	d->debugfs[0] = 0;
	snprintf(path, sizeof(path), "%s/device", d->sysdir);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return;
	link[n] = 0;
	base = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
	snprintf(d->debugfs, sizeof(d->debugfs), "/sys/kernel/debug/aiot/%s/state", base);
	if (access(d->debugfs, R_OK))
		d->debugfs[0] = 0;
}

static int scan_accels(struct accel_dev *devs, int max, bool *fatal)
{
	static const struct {
		const char *dir, *prefix, *sys;
	} where[] = {
		{ "/dev/accel", "accel", "/sys/class/accel" },
		{ "/dev/dri", "renderD", "/sys/class/drm" },
	};
	int n = 0;

	for (size_t w = 0; w < 2; w++) {
		struct dirent **list;
		int k = scandir(where[w].dir, &list, NULL, versionsort);

		for (int i = 0; i < k; i++) {
			const char *e = list[i]->d_name;
			struct aiot_accel *a;
			char node[300];
			int ret;

			if (!strncmp(e, where[w].prefix, strlen(where[w].prefix)) && n < max) {
				snprintf(node, sizeof(node), "%s/%s", where[w].dir, e);
				ret = aiot_accel_open(node, &a);
				if (!ret) {
					snprintf(devs[n].node, sizeof(devs[n].node), "%s", node);
					snprintf(devs[n].sysdir, sizeof(devs[n].sysdir), "%s/%s",
						 where[w].sys, e);
					accel_find_debugfs(&devs[n]);
					aiot_accel_close(a);
					n++;
				} else if (ret != -ENODEV) {
					err("%s: %s%s", node, aiot_strerror(ret),
					    ret == -EACCES ? " (not in its group? try as root)" : "");
					*fatal = true;
				}
			}
			free(list[i]);
		}
		if (k >= 0)
			free(list);
	}
	return n;
}

static const struct {
	uint64_t bit;
	const char *name;
} accel_caps[] = {
	{ AIOT_ACCEL_CAP_ACCEL_NODE, "accel-node" },
	{ AIOT_ACCEL_CAP_BO, "buffers" },
	{ AIOT_ACCEL_CAP_SUBMIT, "jobs" },
	{ AIOT_ACCEL_CAP_SYNC_FILE, "sync-file" },
};

static int show_accel(struct accel_dev *d, bool json, bool first)
{
	struct aiot_accel *a;
	struct aiot_accel_info *info;
	unsigned int maj, min, pat;
	uint64_t caps, known = 0;
	uint32_t isa;
	char b1[32];
	int ret;

	if ((ret = aiot_accel_open(d->node, &a)) || (ret = aiot_accel_get_info(a, &info))) {
		err("%s: %s", d->node, aiot_strerror(ret));
		return ret;
	}
	aiot_accel_info_get_driver_version(info, &maj, &min, &pat);
	caps = aiot_accel_info_get_capabilities(info);
	isa = aiot_accel_info_get_isa_version(info);
	accel_read_stats(d);
	if (json) {
		printf("%s\n    {\"node\": ", first ? "" : ",");
		json_str(d->node);
		printf(", \"backend\": ");
		json_str(aiot_accel_info_get_backend(info));
		printf(", \"hw_id\": %u, \"driver_version\": \"%u.%u.%u\", \"uapi_version\": \"%u.%u\", "
		       "\"isa_version\": \"%u.%u\", \"capabilities\": [",
		       aiot_accel_info_get_hw_id(info), maj, min, pat,
		       aiot_accel_info_get_uapi_major(info), aiot_accel_info_get_uapi_minor(info),
		       isa >> 16, isa & 0xffff);
		for (size_t i = 0, n = 0; i < sizeof(accel_caps) / sizeof(accel_caps[0]); i++)
			if (caps & accel_caps[i].bit)
				printf("%s\"%s\"", n++ ? ", " : "", accel_caps[i].name);
		printf("], \"capability_bits\": %" PRIu64 ", \"max_bindings\": %u, \"job_timeout_ms\": %u",
		       caps, aiot_accel_info_get_max_bindings(info),
		       aiot_accel_info_get_job_timeout_ms(info));
		if (d->st.known)
			printf(", \"stats\": {\"jobs_submitted\": %" PRIu64 ", \"jobs_completed\": %" PRIu64
			       ", \"jobs_failed\": %" PRIu64 ", \"jobs_timed_out\": %" PRIu64
			       ", \"busy_ns\": %" PRIu64 ", \"open_files\": %d}",
			       d->st.submitted, d->st.completed, d->st.failed, d->st.timed_out,
			       d->st.busy_ns, d->st.open_files);
		printf("}");
	} else {
		printf("%s\n", d->node);
		printf("  backend:       %s (hw id 0x%08x)\n", aiot_accel_info_get_backend(info),
		       aiot_accel_info_get_hw_id(info));
		printf("  driver:        %u.%u.%u, uAPI %u.%u, ISA %u.%u\n", maj, min, pat,
		       aiot_accel_info_get_uapi_major(info), aiot_accel_info_get_uapi_minor(info),
		       isa >> 16, isa & 0xffff);
		printf("  capabilities: ");
		for (size_t i = 0; i < sizeof(accel_caps) / sizeof(accel_caps[0]); i++) {
			if (caps & accel_caps[i].bit)
				printf(" %s", accel_caps[i].name);
			known |= accel_caps[i].bit;
		}
		if (caps & ~known)
			printf(" unknown:0x%" PRIx64, caps & ~known);
		printf("\n");
		printf("  jobs:          %u bindings each, hang timeout %s\n",
		       aiot_accel_info_get_max_bindings(info),
		       fmt_time_ms(b1, sizeof(b1), aiot_accel_info_get_job_timeout_ms(info)));
		if (d->st.known)
			printf("  stats:         %" PRIu64 " jobs submitted, %" PRIu64 " completed, %" PRIu64
			       " failed (%" PRIu64 " timed out), busy %.3f s, %d open file%s\n",
			       d->st.submitted, d->st.completed, d->st.failed, d->st.timed_out,
			       (double)d->st.busy_ns / 1e9, d->st.open_files,
			       d->st.open_files == 1 ? "" : "s");
		else
			printf("  stats:         n/a (needs root and debugfs at /sys/kernel/debug)\n");
	}
	aiot_accel_info_free(info);
	aiot_accel_close(a);
	return 0;
}

/* ------------------------------------------------------------------ sensors */

static int scan_sensors(struct sensor_dev *devs, int max)
{
	struct dirent **list;
	int k = scandir("/sys/class/aiot", &list, NULL, versionsort), n = 0;

	for (int i = 0; i < k; i++) {
		unsigned int idx;
		char tail;

		if (sscanf(list[i]->d_name, "sensor%u%c", &idx, &tail) == 1 && n < max) {
			snprintf(devs[n].sysname, sizeof(devs[n].sysname), "%s", list[i]->d_name);
			devs[n].index = idx;
			n++;
		}
		free(list[i]);
	}
	if (k >= 0)
		free(list);
	return n;
}

static void sensor_read_sysfs(struct sensor_dev *d)
{
	char path[400];

	snprintf(path, sizeof(path), "/sys/class/aiot/%s/name", d->sysname);
	if (read_line(path, d->name, sizeof(d->name)))
		snprintf(d->name, sizeof(d->name), "?");
	snprintf(path, sizeof(path), "/sys/class/aiot/%s/state", d->sysname);
	if (read_line(path, d->state, sizeof(d->state)))
		snprintf(d->state, sizeof(d->state), "?");
	snprintf(path, sizeof(path), "/sys/class/aiot/%s/sequence", d->sysname);
	read_u64(path, &d->sequence);
	snprintf(path, sizeof(path), "/sys/class/aiot/%s/drops", d->sysname);
	read_u64(path, &d->drops);
	snprintf(path, sizeof(path), "/sys/class/aiot/%s/bytes_copied", d->sysname);
	d->has_copied = read_u64(path, &d->bytes_copied);
	snprintf(path, sizeof(path), "/sys/class/aiot/%s/overwritten", d->sysname);
	d->has_overwritten = read_u64(path, &d->overwritten);
}

static const char *kind_name(enum aiot_sensor_kind k)
{
	switch (k) {
	case AIOT_SENSOR_KIND_ACCEL: return "accelerometer";
	case AIOT_SENSOR_KIND_MIC: return "microphone";
	case AIOT_SENSOR_KIND_CAMERA: return "camera";
	default: return "other";
	}
}

static const char *state_name(enum aiot_sensor_state s)
{
	switch (s) {
	case AIOT_SENSOR_STATE_UNCONFIGURED: return "unconfigured";
	case AIOT_SENSOR_STATE_STOPPED: return "stopped";
	case AIOT_SENSOR_STATE_STREAMING: return "streaming";
	case AIOT_SENSOR_STATE_ERROR: return "error";
	default: return "unknown";
	}
}

static const struct {
	enum aiot_sensor_format f;
	const char *name;
} formats[] = {
	{ AIOT_SENSOR_FMT_S16_LE, "S16_LE" },
	{ AIOT_SENSOR_FMT_U8, "U8" },
};

static const struct {
	enum aiot_sensor_pattern p;
	const char *name;
} patterns[] = {
	{ AIOT_SENSOR_PATTERN_LIVE, "live" },
	{ AIOT_SENSOR_PATTERN_SINE, "sine" },
	{ AIOT_SENSOR_PATTERN_RAMP, "ramp" },
	{ AIOT_SENSOR_PATTERN_NOISE, "noise" },
	{ AIOT_SENSOR_PATTERN_ANOMALY, "anomaly" },
	{ AIOT_SENSOR_PATTERN_REPLAY, "replay" },
};

static const struct {
	uint64_t bit;
	const char *name;
} sensor_caps[] = {
	{ AIOT_SENSOR_CAP_MMAP, "mmap" },
	{ AIOT_SENSOR_CAP_DMABUF, "dma-buf" },
	{ AIOT_SENSOR_CAP_OVERWRITE, "overwrite-oldest" },
};

static int show_sensor(struct sensor_dev *d, bool json, bool first)
{
	struct aiot_sensor *s;
	struct aiot_sensor_properties *p;
	unsigned int cmin, cmax, rmin, rmax, w, h;
	uint64_t caps;
	char b1[32], b2[32], b3[32];
	int ret, n;

	if ((ret = aiot_sensor_open_by_index(d->index, &s)) ||
	    (ret = aiot_sensor_get_properties(s, &p))) {
		err("%s: %s", d->sysname, aiot_strerror(ret));
		return ret;
	}
	sensor_read_sysfs(d);
	aiot_sensor_properties_get_channels(p, &cmin, &cmax);
	aiot_sensor_properties_get_rate_range(p, &rmin, &rmax);
	aiot_sensor_properties_get_frame_size(p, &w, &h);
	caps = aiot_sensor_properties_get_capabilities(p);
	if (json) {
		printf("%s\n    {\"node\": ", first ? "" : ",");
		json_str(aiot_sensor_get_path(s));
		printf(", \"name\": ");
		json_str(aiot_sensor_properties_get_name(p));
		printf(", \"kind\": \"%s\", \"state\": \"%s\", \"formats\": [",
		       kind_name(aiot_sensor_properties_get_kind(p)),
		       state_name(aiot_sensor_properties_get_state(p)));
		n = 0;
		for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
			if (aiot_sensor_properties_has_format(p, formats[i].f))
				printf("%s\"%s\"", n++ ? ", " : "", formats[i].name);
		printf("], \"patterns\": [");
		n = 0;
		for (size_t i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++)
			if (aiot_sensor_properties_has_pattern(p, patterns[i].p))
				printf("%s\"%s\"", n++ ? ", " : "", patterns[i].name);
		printf("], \"channels\": [%u, %u], \"rate_hz\": [%u, %u], \"frame\": [%u, %u], "
		       "\"max_slots\": %u, \"max_slot_bytes\": %zu, \"capabilities\": [",
		       cmin, cmax, rmin, rmax, w, h, aiot_sensor_properties_get_max_slots(p),
		       aiot_sensor_properties_get_max_slot_size(p));
		n = 0;
		for (size_t i = 0; i < sizeof(sensor_caps) / sizeof(sensor_caps[0]); i++)
			if (caps & sensor_caps[i].bit)
				printf("%s\"%s\"", n++ ? ", " : "", sensor_caps[i].name);
		printf("], \"sequence\": %" PRIu64 ", \"drops\": %" PRIu64,
		       aiot_sensor_properties_get_sequence(p), aiot_sensor_properties_get_drops(p));
		if (d->has_copied)
			printf(", \"bytes_copied\": %" PRIu64, d->bytes_copied);
		printf("}");
	} else {
		printf("%s  %s\n", aiot_sensor_get_path(s), aiot_sensor_properties_get_name(p));
		printf("  kind:          %s, %s\n", kind_name(aiot_sensor_properties_get_kind(p)),
		       state_name(aiot_sensor_properties_get_state(p)));
		printf("  formats:      ");
		for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
			if (aiot_sensor_properties_has_format(p, formats[i].f))
				printf(" %s", formats[i].name);
		if (w > 1 || h > 1)
			printf(", %ux%u frames", w, h);
		if (cmin == cmax)
			printf(", %u channel%s", cmin, cmin == 1 ? "" : "s");
		else
			printf(", %u..%u channels", cmin, cmax);
		printf(", %s..%s\n", fmt_rate(b1, sizeof(b1), rmin), fmt_rate(b2, sizeof(b2), rmax));
		printf("  patterns:     ");
		for (size_t i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++)
			if (aiot_sensor_properties_has_pattern(p, patterns[i].p))
				printf(" %s", patterns[i].name);
		printf("\n  ring:          up to %u slots of %s;",
		       aiot_sensor_properties_get_max_slots(p),
		       fmt_bytes(b3, sizeof(b3), (double)aiot_sensor_properties_get_max_slot_size(p)));
		for (size_t i = 0; i < sizeof(sensor_caps) / sizeof(sensor_caps[0]); i++)
			if (caps & sensor_caps[i].bit)
				printf(" %s", sensor_caps[i].name);
		printf("\n  counters:      %" PRIu64 " periods, %" PRIu64 " dropped",
		       aiot_sensor_properties_get_sequence(p), aiot_sensor_properties_get_drops(p));
		if (d->has_copied)
			printf(", %s copied by read()", fmt_bytes(b1, sizeof(b1), (double)d->bytes_copied));
		printf("\n");
	}
	aiot_sensor_properties_free(p);
	aiot_sensor_close(s);
	return 0;
}

/* -------------------------------------------------------------------- watch */

/* The devices watched, with their counters at the previous update. */
struct watched {
	struct accel_dev *ad;
	struct accel_stats *prev_a;
	int na;
	struct sensor_dev *sd, *prev_s;
	int ns;
	bool want_a, want_s;	/* --accelerators, --sensors */
};

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* An arrival or removal: say so, and watch the device, or stop. */
static void on_device_event(struct watched *w, struct aiot_monitor_event *ev, bool json,
			    double t)
{
	bool add = aiot_monitor_event_get_type(ev) == AIOT_MONITOR_EVENT_ADD;
	bool accel = aiot_monitor_event_get_kind(ev) == AIOT_MONITOR_KIND_ACCEL;
	const char *node = aiot_monitor_event_get_path(ev);
	const char *name = aiot_monitor_event_get_sensor_name(ev);
	const char *base = base_name(node);
	int i;

	if (accel ? !w->want_a : !w->want_s)
		return;
	if (json) {
		printf("{\"t\": %.3f, \"event\": \"%s\", \"kind\": \"%s\", \"node\": ", t,
		       add ? "add" : "remove", accel ? "accelerator" : "sensor");
		json_str(node);
		if (name) {
			printf(", \"name\": ");
			json_str(name);
		}
		printf("}\n");
	} else {
		printf("[%7.1f s] %s %s %s%s%s\n", t, add ? "arrived:" : "removed:",
		       accel ? "accelerator" : "sensor stream", node, name ? " " : "",
		       name ? name : "");
	}
	if (accel) {
		for (i = 0; i < w->na && strcmp(w->ad[i].node, node); i++)
			;
		if (!add && i < w->na) {
			memmove(&w->ad[i], &w->ad[i + 1], (size_t)(w->na - i - 1) * sizeof(*w->ad));
			memmove(&w->prev_a[i], &w->prev_a[i + 1],
				(size_t)(w->na - i - 1) * sizeof(*w->prev_a));
			w->na--;
		} else if (add && i == w->na && w->na < MAX_DEVS) {
			struct accel_dev *d = &w->ad[w->na];

			memset(d, 0, sizeof(*d));
			snprintf(d->node, sizeof(d->node), "%s", node);
			snprintf(d->sysdir, sizeof(d->sysdir), "/sys/class/%s/%s",
				 strncmp(base, "renderD", 7) ? "accel" : "drm", base);
			accel_find_debugfs(d);
			accel_read_stats(d);
			w->prev_a[w->na++] = d->st;
		}
		return;
	}
	for (i = 0; i < w->ns && strcmp(w->sd[i].sysname, base); i++)
		;
	if (!add && i < w->ns) {
		memmove(&w->sd[i], &w->sd[i + 1], (size_t)(w->ns - i - 1) * sizeof(*w->sd));
		memmove(&w->prev_s[i], &w->prev_s[i + 1],
			(size_t)(w->ns - i - 1) * sizeof(*w->prev_s));
		w->ns--;
	} else if (add && i == w->ns && w->ns < MAX_DEVS &&
		   sscanf(base, "sensor%u", &w->sd[w->ns].index) == 1) {
		struct sensor_dev *d = &w->sd[w->ns];

		snprintf(d->sysname, sizeof(d->sysname), "%s", base);
		sensor_read_sysfs(d);
		w->prev_s[w->ns++] = *d;
	}
}

/*
 * Sleep @seconds, reporting device arrivals and removals meanwhile (if
 * @mon). False if interrupted by a signal.
 */
static bool wait_watching(struct aiot_monitor *mon, struct watched *w, double seconds,
			  bool json, uint64_t t0)
{
	uint64_t end = now_ns() + (uint64_t)(seconds * 1e9);

	for (;;) {
		uint64_t t = now_ns();
		struct aiot_monitor_event *ev;
		int ret;

		if (stop)
			return false;
		if (t >= end)
			return true;
		if (!mon) {
			struct timespec ts = { (time_t)((end - t) / 1000000000u),
					       (long)((end - t) % 1000000000u) };

			nanosleep(&ts, NULL);
			continue;
		}
		ret = aiot_monitor_wait(mon, (int64_t)(end - t));
		if (ret <= 0)
			continue;	/* timeout, or a signal: the loop decides */
		while ((ret = aiot_monitor_read_event(mon, &ev)) == 0) {
			on_device_event(w, ev, json, (double)(now_ns() - t0) / 1e9);
			aiot_monitor_event_free(ev);
		}
		if (ret == -ENOBUFS)
			err("device events were lost (the list may be out of date)");
		fflush(stdout);
	}
}

static int watch(struct accel_dev *ad, int na, struct sensor_dev *sd, int ns, bool want_a,
		 bool want_s, double interval, long count, bool json)
{
	static struct accel_stats prev_a[MAX_DEVS];
	static struct sensor_dev prev_s[MAX_DEVS];
	struct watched w = { ad, prev_a, na, sd, prev_s, ns, want_a, want_s };
	struct aiot_monitor *mon = NULL;
	uint64_t t_prev = now_ns(), t0 = t_prev;
	char b1[32];
	int ret = aiot_monitor_new(&mon);

	if (ret)
		err("device arrivals and removals are not reported: %s", aiot_strerror(ret));

	for (int i = 0; i < na; i++) {
		accel_read_stats(&ad[i]);
		prev_a[i] = ad[i].st;
	}
	for (int i = 0; i < ns; i++) {
		sensor_read_sysfs(&sd[i]);
		prev_s[i] = sd[i];
	}
	if (!json)
		printf("every %.3g s; Ctrl-C stops\n", interval);
	for (long k = 0; !stop && (count < 0 || k < count); k++) {
		uint64_t t;
		double dt;

		if (!wait_watching(mon, &w, interval, json, t0))
			break;
		na = w.na;
		ns = w.ns;
		t = now_ns();
		dt = (double)(t - t_prev) / 1e9;
		t_prev = t;
		if (json)
			printf("{\"t\": %.3f, \"accelerators\": [", (double)(t - t0) / 1e9);
		else
			printf("[%7.1f s]\n", (double)(t - t0) / 1e9);
		for (int i = 0; i < na; i++) {
			struct accel_stats *a = &ad[i].st, *p = &prev_a[i];
			double busy;

			accel_read_stats(&ad[i]);
			busy = 100.0 * (double)(a->busy_ns - p->busy_ns) / (dt * 1e9);
			if (busy > 100)
				busy = 100;
			if (json) {
				printf("%s{\"node\": ", i ? ", " : "");
				json_str(ad[i].node);
				if (a->known)
					printf(", \"jobs_submitted\": %" PRIu64 ", \"jobs_completed\": %" PRIu64
					       ", \"jobs_failed\": %" PRIu64 ", \"busy_percent\": %.1f",
					       a->submitted - p->submitted, a->completed - p->completed,
					       a->failed - p->failed, busy);
				printf("}");
			} else if (a->known) {
				printf("  %-18s %7.1f jobs/s submitted, %7.1f/s completed, %" PRIu64
				       " failed, busy %5.1f %%\n",
				       ad[i].node, (double)(a->submitted - p->submitted) / dt,
				       (double)(a->completed - p->completed) / dt,
				       a->failed - p->failed, busy);
			} else {
				printf("  %-18s stats n/a (needs root and debugfs)\n", ad[i].node);
			}
			*p = *a;
		}
		if (json)
			printf("], \"sensors\": [");
		for (int i = 0; i < ns; i++) {
			struct sensor_dev *s = &sd[i], *p = &prev_s[i];
			double periods;

			sensor_read_sysfs(s);
			/* START resets the sequence: count from 0 then. */
			periods = (double)(s->sequence >= p->sequence ? s->sequence - p->sequence :
					   s->sequence);
			if (json) {
				printf("%s{\"name\": ", i ? ", " : "");
				json_str(s->name);
				printf(", \"state\": ");
				json_str(s->state);
				printf(", \"periods\": %.0f, \"drops\": %" PRIu64, periods,
				       s->drops - p->drops);
				if (s->has_copied)
					printf(", \"bytes_copied\": %" PRIu64,
					       s->bytes_copied - p->bytes_copied);
				printf("}");
			} else {
				printf("  %-18s %-12s %7.1f periods/s, %" PRIu64 " dropped",
				       s->name, s->state, periods / dt, s->drops - p->drops);
				if (s->has_copied)
					printf(", %s/s copied by read()",
					       fmt_bytes(b1, sizeof(b1),
							 (double)(s->bytes_copied - p->bytes_copied) / dt));
				printf("\n");
			}
			*p = *s;
		}
		if (json)
			printf("]}\n");
		fflush(stdout);
	}
	aiot_monitor_free(mon);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
"Usage: aiot-info [--json] [--watch SECONDS [--count N]] [--accelerators|--sensors]\n"
"\n"
"List the aiot accelerators (node, backend, driver/uAPI/ISA versions,\n"
"capabilities, job timeout, job counters) and sensor streams (name, kind,\n"
"state, formats, rates, ring limits, periods and drops) of this machine.\n"
"\n"
"  -w, --watch SECONDS   instead, print live statistics every SECONDS: jobs\n"
"                        submitted/completed/failed per second, NPU busy %%,\n"
"                        sensor periods/s, drops, bytes copied by read();\n"
"                        and devices arriving or leaving, as they do\n"
"  -c, --count N         stop after N updates (default: until Ctrl-C)\n"
"  -j, --json            JSON instead of text (--watch: one object per line)\n"
"  -a, --accelerators    accelerators only\n"
"  -s, --sensors         sensor streams only\n"
"  -h, --help            this text\n"
"\n"
"Job counters and busy time come from debugfs (root). Exit status: 0 done;\n"
"1 a device could not be read; 2 no aiot device found, or usage.\n");
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "watch", required_argument, NULL, 'w' },
		{ "count", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "accelerators", no_argument, NULL, 'a' },
		{ "sensors", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct accel_dev ad[MAX_DEVS];
	static struct sensor_dev sd[MAX_DEVS];
	bool json = false, want_a = true, want_s = true, fatal = false;
	double interval = 0;
	long count = -1;
	int ch, na = 0, ns = 0, rc = 0;
	char *e;

	while ((ch = getopt_long(argc, argv, "w:c:jash", lo, NULL)) != -1) {
		switch (ch) {
		case 'w':
			interval = strtod(optarg, &e);
			if (e == optarg || *e || !(interval >= 0.1) || interval > 86400) {
				err("--watch: '%s' is not a number of seconds in 0.1..86400", optarg);
				return 2;
			}
			break;
		case 'c':
			count = strtol(optarg, &e, 10);
			if (e == optarg || *e || count < 1) {
				err("--count: '%s' is not a positive number", optarg);
				return 2;
			}
			break;
		case 'j': json = true; break;
		case 'a': want_s = false; want_a = true; break;
		case 's': want_a = false; want_s = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		err("unexpected argument '%s' (see --help)", argv[optind]);
		return 2;
	}
	if (want_a)
		na = scan_accels(ad, MAX_DEVS, &fatal);
	if (want_s)
		ns = scan_sensors(sd, MAX_DEVS);
	if (na + ns == 0) {
		if (!fatal)
			err("no aiot %s found (is the module loaded? try: modprobe aiot-sim)",
			    want_a && want_s ? "device" : want_a ? "accelerator" : "sensor stream");
		return fatal ? 1 : 2;
	}
	if (interval > 0)
		goto live;	/* --watch: the live statistics only */
	if (json)
		printf("{\"accelerators\": [");
	for (int i = 0; i < na; i++)
		if (show_accel(&ad[i], json, i == 0))
			rc = 1;
	if (json)
		printf("%s], \"sensors\": [", na ? "\n  " : "");
	else if (na && ns)
		printf("\n");
	for (int i = 0; i < ns; i++)
		if (show_sensor(&sd[i], json, i == 0))
			rc = 1;
	if (json)
		printf("%s]}\n", ns ? "\n  " : "");
	if (fatal)
		rc = 1;
	return rc;
live:
	{
		struct sigaction sa = { .sa_handler = on_signal };

		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		setvbuf(stdout, NULL, _IOLBF, 0);
		watch(ad, na, sd, ns, want_a, want_s, interval, count, json);
	}
	return fatal ? 1 : 0;
}
