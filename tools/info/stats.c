// SPDX-License-Identifier: GPL-2.0-only
/*
 * The accelerators' job counters and busy time, which no ioctl gives:
 * aiot's debugfs state file (<debugfs>/aiot/<device>/state, root only),
 * the one place aiot-info reads debugfs. Without it they show as "n/a".
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "info.h"

void accel_read_stats(struct accel_dev *d)
{
	FILE *f = d->stats_file[0] ? fopen(d->stats_file, "r") : NULL;
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
void accel_find_stats(struct accel_dev *d)
{
	char link[PATH_MAX], path[PATH_MAX];
	ssize_t n;
	const char *base;

	d->stats_file[0] = 0;
	snprintf(path, sizeof(path), "%s/device", d->sysdir);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return;
	link[n] = 0;
	base = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
	snprintf(d->stats_file, sizeof(d->stats_file), "/sys/kernel/debug/aiot/%s/state", base);
	if (access(d->stats_file, R_OK))
		d->stats_file[0] = 0;
}
