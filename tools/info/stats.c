// SPDX-License-Identifier: GPL-2.0-only
/*
 * The accelerators' job counters and busy time, which no ioctl gives: the
 * driver's sysfs group on the accelerator's parent device
 * (/sys/class/accel/accelN/device/aiot/jobs_submitted ..., one value a
 * file, readable by anyone; docs/uapi.md). A kernel without them shows
 * them as "n/a".
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "info.h"

static bool read_stat(const struct accel_dev *d, const char *name, uint64_t *v)
{
	char path[PATH_MAX + 128];

	snprintf(path, sizeof(path), "%s/%s", d->stats_file, name);
	return read_u64(path, v);
}

void accel_read_stats(struct accel_dev *d)
{
	uint64_t open_files = 0;

	memset(&d->st, 0, sizeof(d->st));
	if (!d->stats_file[0])
		return;
	d->st.known = read_stat(d, "jobs_submitted", &d->st.submitted);
	read_stat(d, "jobs_completed", &d->st.completed);
	read_stat(d, "jobs_failed", &d->st.failed);
	read_stat(d, "jobs_timed_out", &d->st.timed_out);
	read_stat(d, "busy_ns", &d->st.busy_ns);
	read_stat(d, "open_files", &open_files);
	d->st.open_files = (int)open_files;
}

/* The counters' folder: <sysdir>/device/aiot, if it has them. */
void accel_find_stats(struct accel_dev *d)
{
	snprintf(d->stats_file, sizeof(d->stats_file), "%s/device/aiot", d->sysdir);
	if (access(d->stats_file, F_OK) || !read_stat(d, "jobs_submitted", &(uint64_t){ 0 }))
		d->stats_file[0] = 0;
}
