/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * aiot-info's parts (tools/info/): main.c (options, the listing),
 * util.c (messages, units, JSON strings, sysfs reads), accel.c and
 * sensor.c (finding and showing each kind of device), stats.c (the
 * accelerators' job counters, from sysfs), watch.c (--watch).
 */
#ifndef AIOT_TOOLS_INFO_H
#define AIOT_TOOLS_INFO_H

#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <aiot/accel.h>
#include <aiot/sensor.h>

#include "../common/tool.h"

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
	char stats_file[PATH_MAX + 64];	/* its job counters' folder (stats.c), "" if none */
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

/* set by SIGINT/SIGTERM (main.c) */
extern volatile sig_atomic_t stop;

/* util.c */
/* The message on stderr, prefixed with the program's name. */
void err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
uint64_t now_ns(void);
const char *fmt_bytes(char *buf, size_t len, double b);
const char *fmt_time_ms(char *buf, size_t len, double ms);
const char *fmt_rate(char *buf, size_t len, double hz);
void json_str(const char *s);
int read_line(const char *path, char *buf, size_t len);
bool read_u64(const char *path, uint64_t *v);

/* stats.c: the job counters into d->st (st.known false without them) */
void accel_read_stats(struct accel_dev *d);
/* Where d's counters are, from d->sysdir. */
void accel_find_stats(struct accel_dev *d);

/* accel.c */
int scan_accels(struct accel_dev *devs, int max, bool *fatal);
int show_accel(struct accel_dev *d, bool json, bool first);

/* sensor.c */
int scan_sensors(struct sensor_dev *devs, int max);
void sensor_read_sysfs(struct sensor_dev *d);
int show_sensor(struct sensor_dev *d, bool json, bool first);

/* watch.c */
int watch(struct accel_dev *ad, int na, struct sensor_dev *sd, int ns, bool want_a,
	  bool want_s, double interval, long count, bool json);

#endif /* AIOT_TOOLS_INFO_H */
