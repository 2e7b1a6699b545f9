// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-fuzz: unbinding and rebinding the backends' devices (sysfs)
 * from a thread in the parent, mid-run.
 */

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

struct bound {
	char drv[320];	/* /sys/bus/<bus>/drivers/<driver> */
	char dev[256];
};

static struct bound devs[32];
int ndevs;

void find_devices(void)
{
	static const char *const buses[] = { "/sys/bus/platform/drivers",
					     "/sys/bus/pci/drivers" };
	unsigned int b;

	for (b = 0; b < 2; b++) {
		DIR *d = opendir(buses[b]);
		struct dirent *e;

		if (!d)
			continue;
		while ((e = readdir(d))) {
			char drv[320];
			DIR *dd;
			struct dirent *de;

			if (strncmp(e->d_name, "aiot", 4))
				continue;
			if (snprintf(drv, sizeof(drv), "%s/%s", buses[b], e->d_name) >=
			    (int)sizeof(drv))
				continue;
			dd = opendir(drv);
			if (!dd)
				continue;
			while ((de = readdir(dd)) && ndevs < 32) {
				/* Devices are the links that are not "module". */
				if (de->d_type != DT_LNK || !strcmp(de->d_name, "module"))
					continue;
				if (snprintf(devs[ndevs].drv, sizeof(devs[0].drv), "%s", drv) <
				    (int)sizeof(devs[0].drv) &&
				    snprintf(devs[ndevs].dev, sizeof(devs[0].dev), "%s", de->d_name) <
				    (int)sizeof(devs[0].dev))
					ndevs++;
			}
			closedir(dd);
		}
		closedir(d);
	}
}

static bool is_bound(const struct bound *b)
{
	char path[640];
	struct stat st;

	if (snprintf(path, sizeof(path), "%s/%s", b->drv, b->dev) >= (int)sizeof(path))
		return false;
	return lstat(path, &st) == 0;
}

void *unbinder_main(void *arg)
{
	struct rng *r = arg;

	if (opt.fault_percent)
		set_make_it_fail(1);
	while (!stopping()) {
		struct bound *b;

		usleep(200000 + rn(r, 2000) * 1000);
		if (stopping() || !ndevs)
			break;
		b = &devs[rn(r, ndevs)];
		if (is_bound(b))
			CALL(H_UNBIND, sysfs_write(b->drv, "unbind", b->dev));
		usleep(rn(r, 500) * 1000);
		/*
		 * Probe runs in this task: faults there reach the kernel's own
		 * allocations (the firmware loader's vmalloc), which warn on
		 * failure whoever asked. Removal keeps them.
		 */
		if (opt.fault_percent)
			set_make_it_fail(0);
		CALL(H_BIND, sysfs_write(b->drv, "bind", b->dev));
		if (opt.fault_percent)
			set_make_it_fail(1);
	}
	if (opt.fault_percent)
		set_make_it_fail(0);
	return NULL;
}

/* Bind back whatever is still unbound (a probe may have failed by design). */
int rebind_all(void)
{
	int i, tries, missing = 0;

	for (i = 0; i < ndevs; i++) {
		for (tries = 0; tries < 50 && !is_bound(&devs[i]); tries++) {
			sysfs_write(devs[i].drv, "bind", devs[i].dev);
			if (!is_bound(&devs[i]))
				usleep(100000);
		}
		if (!is_bound(&devs[i])) {
			fprintf(stderr, "aiot-fuzz: %s stays unbound from %s\n", devs[i].dev,
				devs[i].drv);
			missing++;
		}
	}
	return missing;
}
