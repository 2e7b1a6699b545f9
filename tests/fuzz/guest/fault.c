// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-fuzz: fault injection (debugfs): kmalloc and alloc_pages fail at
 * random in the fuzzing tasks (failslab, fail_page_alloc with
 * task-filter), and so do the driver's functions marked
 * ALLOW_ERROR_INJECTION (fail_function).
 */

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fuzz.h"

void set_make_it_fail(int on)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%ld/make-it-fail", (long)syscall(SYS_gettid));
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (write(fd, on ? "1" : "0", 1) < 0) {
		/* Without fault injection in the kernel: nothing to do. */
	}
	close(fd);
}

bool fault_setup(int percent)
{
	static const char *const dirs[] = { "/sys/kernel/debug/failslab",
					    "/sys/kernel/debug/fail_page_alloc" };
	char val[16];
	unsigned int i;
	bool any = false;

	snprintf(val, sizeof(val), "%d", percent);
	for (i = 0; i < 2; i++) {
		if (access(dirs[i], F_OK))
			continue;
		/* Quiet (a report would fail the run), only our tasks, GFP_KERNEL too. */
		sysfs_write(dirs[i], "verbose", "0");
		sysfs_write(dirs[i], "task-filter", "Y");
		sysfs_write(dirs[i], "ignore-gfp-wait", "N");
		sysfs_write(dirs[i], "interval", "1");
		sysfs_write(dirs[i], "times", "-1");
		sysfs_write(dirs[i], "space", "0");
		if (i == 1)
			sysfs_write(dirs[i], "min-order", "0");
		sysfs_write(dirs[i], "probability", percent ? val : "0");
		any = true;
	}
	return any;
}

/* Functions of the driver marked ALLOW_ERROR_INJECTION, failed at random. */
int fail_function_setup(int percent)
{
	const char *dir = "/sys/kernel/debug/fail_function";
	char line[256], val[16];
	FILE *f;
	int n = 0;

	if (access(dir, F_OK))
		return 0;
	sysfs_write(dir, "inject", "");	/* clear */
	if (!percent)
		return 0;
	f = fopen("/sys/kernel/debug/error_injection/list", "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char fn[128], type[32], mod[64] = "";

		/* "func [module]\tTYPE": ERRNO, NULL or ERRNO_NULL are ours. */
		if (sscanf(line, "%127s [%63[^]]] %31s", fn, mod, type) != 3 ||
		    strncmp(mod, "aiot", 4) || !strcmp(type, "TRUE"))
			continue;
		if (sysfs_write(dir, "inject", fn) == 0) {
			char sub[256];

			/* NULL functions fail with NULL (the default retval). */
			if (strncmp(type, "ERRNO", 5) == 0 &&
			    snprintf(sub, sizeof(sub), "%s/%s", dir, fn) < (int)sizeof(sub))
				sysfs_write(sub, "retval", "-12");
			n++;
		}
	}
	fclose(f);
	snprintf(val, sizeof(val), "%d", percent);
	sysfs_write(dir, "verbose", "0");
	sysfs_write(dir, "task-filter", "Y");
	sysfs_write(dir, "interval", "1");
	sysfs_write(dir, "times", "-1");
	sysfs_write(dir, "probability", val);
	return n;
}
