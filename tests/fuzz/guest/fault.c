// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-fuzz: fault injection (debugfs): kmalloc and alloc_pages fail at
 * random in the fuzzing tasks (failslab, fail_page_alloc with
 * task-filter), and so do the driver's functions marked
 * ALLOW_ERROR_INJECTION (fail_function).
 *
 * No fault is injected below dma_buf_vmap(): 6.12's has WARN_ON_ONCE() on
 * an exporter's vmap failing, and drm_gem_shmem's vmap fails on any
 * injected ENOMEM (an aiot buffer exported before an unbind, imported into
 * the rebound device, mapped by a job). That warning is the kernel's, not
 * aiot's; the caller still gets the error. Each fault directory's
 * reject-start/reject-end (FAULT_INJECTION_STACKTRACE_FILTER, in the debug
 * kernel) is set to dma_buf_vmap()'s text from /proc/kallsyms.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fuzz.h"

/*
 * Turning faults off can fail because of them: open() allocates, and a
 * fault there left make-it-fail on for a bind (the firmware loader's
 * vmalloc warned, seed 13). Try until the write went through.
 */
void set_make_it_fail(int on)
{
	char path[64];
	int fd, tries;

	snprintf(path, sizeof(path), "/proc/self/task/%ld/make-it-fail", (long)syscall(SYS_gettid));
	for (tries = 0; tries < 10000; tries++) {
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0) {
			if (errno == ENOENT)
				return;	/* no fault injection in this kernel */
			continue;
		}
		if (write(fd, on ? "1" : "0", 1) == 1) {
			close(fd);
			return;
		}
		close(fd);
	}
}

/* Where SYM's text starts and where the next symbol starts. */
static bool sym_range(const char *sym, uint64_t *start, uint64_t *end)
{
	char line[512], type, name[256];
	uint64_t addr;
	FILE *f;

	*start = 0;
	*end = UINT64_MAX;
	f = fopen("/proc/kallsyms", "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%" SCNx64 " %c %255s", &addr, &type, name) == 3 &&
		    (type == 't' || type == 'T') && !strcmp(name, sym)) {
			*start = addr;
			break;
		}
	if (*start) {
		rewind(f);
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "%" SCNx64, &addr) == 1 && addr > *start && addr < *end)
				*end = addr;
	}
	fclose(f);
	return *start && *end != UINT64_MAX;
}

static uint64_t reject_start, reject_end;

/* Keep faults out of dma_buf_vmap() in DIR; false without the filter. */
static bool fault_reject(const char *dir, bool on)
{
	char val[32];

	if (on && !reject_start && !sym_range("dma_buf_vmap", &reject_start, &reject_end))
		return false;
	if (sysfs_write(dir, "stacktrace-depth", on ? "32" : "0"))
		return false;
	snprintf(val, sizeof(val), "0x%" PRIx64, on ? reject_start : 0);
	if (sysfs_write(dir, "reject-start", val))
		return false;
	snprintf(val, sizeof(val), "0x%" PRIx64, on ? reject_end : 0);
	return sysfs_write(dir, "reject-end", val) == 0;
}

bool fault_filtered = true;

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
		if (!fault_reject(dirs[i], percent))
			fault_filtered = false;
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
	if (!fault_reject(dir, percent))
		fault_filtered = false;
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
