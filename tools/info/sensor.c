// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-info's sensor streams: finding them, their sysfs counters, showing
 * what they are and can do.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "info.h"

int scan_sensors(struct sensor_dev *devs, int max)
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

void sensor_read_sysfs(struct sensor_dev *d)
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

/*
 * The sensor's patterns: "live" (0, the uAPI's) and the backend's test
 * patterns, named in sysfs test_patterns ("n name" a line); a pattern the
 * list does not name shows as its number.
 */
struct pattern_names {
	char name[32][24];
};

static void read_pattern_names(const struct sensor_dev *d, struct pattern_names *pn)
{
	char path[400], line[64];
	FILE *f;

	memset(pn, 0, sizeof(*pn));
	snprintf(pn->name[0], sizeof(pn->name[0]), "live");
	snprintf(path, sizeof(path), "/sys/class/aiot/%s/test_patterns", d->sysname);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned int n;
		char name[24];

		if (sscanf(line, "%u %23s", &n, name) == 2 && n > 0 && n < 32)
			snprintf(pn->name[n], sizeof(pn->name[n]), "%s", name);
	}
	fclose(f);
}

static const char *pattern_name(struct pattern_names *pn, unsigned int n)
{
	if (!pn->name[n][0])
		snprintf(pn->name[n], sizeof(pn->name[n]), "pattern-%u", n);
	return pn->name[n];
}

static const struct {
	uint64_t bit;
	const char *name;
} sensor_caps[] = {
	{ AIOT_SENSOR_CAP_MMAP, "mmap" },
	{ AIOT_SENSOR_CAP_DMABUF, "dma-buf" },
	{ AIOT_SENSOR_CAP_OVERWRITE, "overwrite-oldest" },
};

int show_sensor(struct sensor_dev *d, bool json, bool first)
{
	struct aiot_sensor *s;
	struct aiot_sensor_properties *p;
	unsigned int cmin, cmax, rmin, rmax, w, h;
	struct pattern_names pn;
	uint64_t caps;
	char b1[32], b2[32], b3[32];
	int ret, n;

	if ((ret = aiot_sensor_open_by_index(d->index, &s)) ||
	    (ret = aiot_sensor_get_properties(s, &p))) {
		err("%s: %s", d->sysname, aiot_strerror(ret));
		return ret;
	}
	sensor_read_sysfs(d);
	read_pattern_names(d, &pn);
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
		for (unsigned int i = 0; i < 32; i++)
			if (aiot_sensor_properties_has_pattern(p, i))
				printf("%s\"%s\"", n++ ? ", " : "", pattern_name(&pn, i));
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
		for (unsigned int i = 0; i < 32; i++)
			if (aiot_sensor_properties_has_pattern(p, i))
				printf(" %s", pattern_name(&pn, i));
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
