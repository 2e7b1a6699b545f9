// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-info: the aiot accelerators and sensor streams of this machine, what
 * they are and can do, and (--watch) what they are doing.
 *
 * Everything the library can ask (libaiot-accel). Device-wide counters that
 * no ioctl gives come from sysfs (sensors: drops, bytes_copied) and, for the
 * accelerators' job counters and busy time, from sysfs
 * (<accel>/device/aiot/jobs_*, busy_ns); without them they show as "n/a".
 * --watch also reports devices arriving and leaving (the library's monitor).
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "info.h"

volatile sig_atomic_t stop;

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
"Job counters and busy time come from sysfs. Exit status: 0 done;\n"
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
	tool_catch_signals(&stop);
	setvbuf(stdout, NULL, _IOLBF, 0);
	watch(ad, na, sd, ns, want_a, want_s, interval, count, json);
	return fatal ? 1 : 0;
}
