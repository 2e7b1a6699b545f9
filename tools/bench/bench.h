/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * aiot-bench's parts (tools/bench/): main.c (options, setup), util.c
 * (results, messages, the sensor through the live pipeline, the trivial
 * model), floors.c (ioctl, eventfd and null-job floors, throughput and
 * fairness), load.c (the CPU load), one file per path (zero_copy.c,
 * copy.c for the relay paths, tcp.c, mqtt.c) and report.c (figures, the latency
 * table, ratios, JSON, the saturated run).
 */
#ifndef AIOT_TOOLS_BENCH_H
#define AIOT_TOOLS_BENCH_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <aiot/accel.h>
#include <aiot/sensor.h>

#include "../common/tool.h"

#include "live_pipeline.h"

#define PROG "aiot-bench"
#define NS LP_NS
#define MAX_SLOTS LP_MAX_SLOTS
#define MAX_LABELS 16
#define MAX_IMAGES LP_MAX_IMAGES

enum path { PATH_ZERO_COPY, PATH_RELAY, PATH_COPY, PATH_TCP, PATH_MQTT, PATH_COUNT };

/* Each path runs idle, then under a CPU load of its own (load.c). */
enum load { LOAD_IDLE, LOAD_CPU, LOAD_COUNT };

extern const char *const load_names[LOAD_COUNT];

/* The model "trivial": one NOP, the sensor's frame in, two scores out. */
#define TRIVIAL_MODEL "trivial"

extern const char *const path_names[PATH_COUNT];
extern const char *const path_titles[PATH_COUNT];

struct opts {
	const char *model;
	const char *sensor;
	const char *accel;
	const char *images[MAX_IMAGES];
	unsigned int image_count;
	const char *labels[MAX_LABELS];
	unsigned int label_count;
	double duration;
	unsigned int rate;	/* 0: auto */
	unsigned int hold;	/* frames per replayed image, 0: one second */
	unsigned int slots;
	double saturate;	/* seconds per path at the sensor's top rate, 0: skip */
	bool paths[PATH_COUNT];
	bool loads[LOAD_COUNT];
	unsigned int load_procs;	/* CPU hogs of the loaded runs, 0: one per CPU */
	bool floors;		/* floors, throughput and fairness first */
	unsigned int floor_samples;
	const char *json_file;	/* also write the figures as JSON there ("-": stdout only) */
	bool live;
	bool quiet;
};

/* Samples of one interval, ns. */
enum interval { IV_DMA_TO_START, IV_DMA_TO_DECISION, IV_DEVICE, IV_CAPTURE_TO_DECISION,
		IV_COUNT };

extern const char *const interval_names[IV_COUNT];
extern const char *const interval_titles[IV_COUNT];

struct result {
	bool ran;
	struct lp_latencies lat; /* capture -> decision, ns */
	/* from the slot's DMA completion, and the device time (lp_decision) */
	struct lp_latencies iv[IV_CAPTURE_TO_DECISION];
	uint64_t elapsed_ns;
	uint64_t drops;		/* sequence gaps */
	uint64_t errors;	/* slots with a DMA error, failed jobs */
	uint64_t app_copied;	/* memcpy/send/recv by this tool (both processes) */
	uint64_t lib_copied;	/* AIOT_STAT_BYTES_COPIED (both processes) */
	uint64_t drv_copied;	/* the sensor driver's bytes_copied */
	bool drv_known;
	uint64_t cpu_ns;	/* user + system time of the processes involved */
	unsigned int class_count[MAX_LABELS];
};

struct ctx {
	struct opts *o;
	struct lp_stream st;	/* the sensor matched to the model, its rate */
	struct lp_replay replay;	/* --replay: the images */
};

/* set by SIGINT/SIGTERM (main.c) */
extern volatile sig_atomic_t interrupted;

/* util.c */
/* The message on stderr, prefixed with the program's name; exit(1). */
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/*
 * Move exactly n bytes to or from fd (a pipe or file; a socket if sock:
 * send() and recv(), without SIGPIPE), retrying short transfers and EINTR;
 * count (NULL: none) grows by the bytes moved. read_all() waits at most
 * timeout_ms for each chunk (-1: no limit). 0 or -errno: -EPIPE when the
 * other end closed (-ECONNRESET for a socket being read), -ETIMEDOUT.
 */
int write_all(int fd, const void *p, size_t n, bool sock, uint64_t *count);
int read_all(int fd, void *p, size_t n, bool sock, int timeout_ms, uint64_t *count);
void result_add(struct result *r, uint64_t lat);
/* d's intervals from the DMA completion, if it has them. */
void result_times(struct result *r, const struct lp_decision *d);
/* The samples of interval iv (IV_CAPTURE_TO_DECISION: r->lat). */
struct lp_latencies *result_iv(struct result *r, enum interval iv);
void result_free(struct result *r);
/* @path's model on @accel: the file, or the trivial model for @sensor's frame. */
int load_model(const struct ctx *c, struct aiot_accel *accel, struct aiot_model **model,
	       char *err, size_t len);
/*
 * Run the model once on @cfg's bindings (NULL: its own buffers) and wait:
 * the job's status, or an error of the submission or the wait. d gets the
 * intervals from the slot's DMA completion when @s is given.
 */
int run_job(struct aiot_model *model, struct aiot_job_config *cfg, struct aiot_sensor *s,
	    struct lp_decision *d);
uint64_t percentile(const struct result *r, double p);
double per_second(const struct result *r);
double copied_per_inf(const struct result *r);
const char *label_of(const struct ctx *c, unsigned int i, char *buf, size_t len);
void count_class(const struct ctx *c, struct result *r, const void *scores);
struct aiot_sensor *open_sensor(const char *name);
/* Configure a stream for the model; the caller owns the stream. */
struct aiot_sensor *configure_sensor(struct ctx *c, unsigned int slots);
/* The replayed images as aiot-sim's replay firmware, at the current rate. */
void write_recording(struct ctx *c);
void progress_init(struct lp_progress *p, const char *name, double total_s);
void progress_tick(struct lp_progress *p, const struct result *r, bool quiet);
/*
 * A copying path's run (copy.c, tcp.c): path_start() counts from now and
 * starts the sensor; path_running() until the duration or Ctrl-C; every
 * decision with path_decision(); path_stop() stops the sensor and fills
 * r's elapsed time, CPU time and the sensor driver's copies.
 */
struct path_run {
	struct lp_progress pg;
	uint64_t t0, end, cpu0, drv0;
	bool drv0_ok;
};

void path_start(const struct ctx *c, struct aiot_sensor *s, enum path p, struct path_run *run);
bool path_running(const struct path_run *run);
void path_decision(const struct ctx *c, struct result *r, struct path_run *run,
		   const struct lp_decision *d, const void *scores);
void path_stop(const struct ctx *c, struct result *r, struct path_run *run,
	       struct aiot_sensor *s);

/* main.c: path p's run into r */
void run_path(struct ctx *c, enum path p, struct result *r);

/* zero_copy.c */
void run_zero_copy(struct ctx *c, struct result *r, bool live);

/* copy.c */
/*
 * The copying paths' next slot (tcp.c's too), see copy.c: false for a
 * slot whose DMA failed (counted and given back).
 */
bool next_slot(struct ctx *c, struct aiot_sensor *s, struct result *r,
	       struct lp_sequence *seq, struct aiot_sensor_slot *slot, const void **data);
void run_copy(struct ctx *c, struct result *r);
/* Relay without a copy: dequeue, submit a job on the slot itself, wait. */
void run_relay(struct ctx *c, struct result *r);

/* tcp.c */
void run_tcp(struct ctx *c, struct result *r);
/* Bring the loopback interface up (busybox guests boot with it down). */
void loopback_up(void);

/* mqtt.c: path (e), through a mosquitto broker on the loopback */
void run_mqtt(struct ctx *c, struct result *r);

/* floors.c */
struct floors {
	bool ran;
	int samples;
	/* [awake][kind]: p50, p99, max in ns */
	uint64_t v[2][4][3];
	double jobs_1, jobs_4, share[4];
};

void run_floors(const struct ctx *c, struct floors *f);
void print_floors(const struct floors *f);
void json_floors(FILE *out, const struct floors *f);

/* load.c: @n CPU hogs at nice 0 (0: one per CPU); stop kills them. */
void load_start(unsigned int n);
void load_stop(void);

/* report.c */
void print_result(const struct ctx *c, enum path p, const struct result *r);
/* The latency table of every path and load, ratios to the fenced path. */
void print_table(const struct ctx *c, struct result res[LOAD_COUNT][PATH_COUNT]);
void write_json(FILE *out, const struct ctx *c, const struct floors *f,
		struct result res[LOAD_COUNT][PATH_COUNT]);
void print_ratios(const struct result *a, const struct result *x, const char *name);
void saturate(struct ctx *c, const struct result *paced);

#endif /* AIOT_TOOLS_BENCH_H */
