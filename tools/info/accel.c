// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-info's accelerators: finding them, showing what they are and can do.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "info.h"

int scan_accels(struct accel_dev *devs, int max, bool *fatal)
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
					accel_find_stats(&devs[n]);
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

int show_accel(struct accel_dev *d, bool json, bool first)
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
		printf("], \"capability_bits\": %" PRIu64 ", \"max_bindings\": %u, \"job_timeout_ms\": %u"
		       ", \"max_job_work\": %" PRIu64 ", \"max_jobs_in_flight\": %u",
		       caps, aiot_accel_info_get_max_bindings(info),
		       aiot_accel_info_get_job_timeout_ms(info),
		       aiot_accel_info_get_max_job_work(info),
		       aiot_accel_info_get_max_jobs_in_flight(info));
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
		if (aiot_accel_info_get_max_job_work(info))
			printf("  limits:        %" PRIu64 " work units (MACs) a job, %u jobs in flight a file\n",
			       aiot_accel_info_get_max_job_work(info),
			       aiot_accel_info_get_max_jobs_in_flight(info));
		if (d->st.known)
			printf("  stats:         %" PRIu64 " jobs submitted, %" PRIu64 " completed, %" PRIu64
			       " failed (%" PRIu64 " timed out), busy %.3f s, %d open file%s\n",
			       d->st.submitted, d->st.completed, d->st.failed, d->st.timed_out,
			       (double)d->st.busy_ns / 1e9, d->st.open_files,
			       d->st.open_files == 1 ? "" : "s");
		else
			printf("  stats:         n/a (no job counters in sysfs: an older aiot.ko?)\n");
	}
	aiot_accel_info_free(info);
	aiot_accel_close(a);
	return 0;
}
