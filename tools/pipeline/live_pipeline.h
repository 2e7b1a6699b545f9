/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The zero-copy live pipeline of aiot's tools, shared by aiot-bench (path
 * (a) and --live) and aiot-run --sensor: one compiled model on one sensor
 * stream whose ring slots are imported into the accelerator, with a job
 * queued ahead on every slot so that it starts when the slot's DMA
 * completes (the slot's write fence), with no userspace wake-up between
 * DMA and NPU.
 *
 * Also what goes with it: matching a sensor stream to a model's input,
 * choosing a rate the NPU can follow, replaying 8-bit images through a
 * simulated camera (aiot-sim's replay firmware), a progress line, the
 * decision line, latency percentiles and human units.
 *
 * The files: stats.c (clocks, units, latencies, progress), stream.c (the
 * stream matched to the model, its configuration), replay.c (everything
 * about replaying images: the recording and how aiot-sim gets it), run.c
 * (the pipeline and its decision line).
 *
 * Tools-internal (not part of libaiot-accel). Functions that can fail
 * return 0 or a negative errno and write a complete message, without the
 * program's name, to err.
 */
#ifndef AIOT_TOOLS_LIVE_PIPELINE_H
#define AIOT_TOOLS_LIVE_PIPELINE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <aiot/accel.h>
#include <aiot/sensor.h>

#define LP_NS 1000000000LL
#define LP_MAX_SLOTS 16		/* ring slots of the pipeline */
#define LP_MAX_IMAGES 8		/* replayed images */
#define LP_ERR_LEN 512		/* enough for every message */

/* ------------------------------------------------------------ utilities */

uint64_t lp_now_ns(void);
/* User + system CPU time of this process, ns. */
uint64_t lp_cpu_self_ns(void);
/*
 * The NPU's busy time for the jobs of DRM file @drm_fd (its fdinfo's
 * drm-engine-npu, pipeline jobs included), ns; -errno, -ENOENT without it.
 */
int lp_device_busy_ns(int drm_fd, uint64_t *ns);
/* "12.3 ms", "456 us", "1.23 s" */
const char *lp_fmt_time(char *buf, size_t len, double ns);
/* "0 B", "18.0 KiB", "1.5 MiB" */
const char *lp_fmt_bytes(char *buf, size_t len, double bytes);

/* Latency samples, ns; percentiles once sorted. */
struct lp_latencies {
	uint64_t *v;
	size_t n, cap;
};

int lp_latencies_add(struct lp_latencies *l, uint64_t ns);	/* 0 or -ENOMEM */
void lp_latencies_sort(struct lp_latencies *l);
/* Nearest-rank percentile (p in 0..1) of sorted samples; 0 when empty. */
uint64_t lp_latencies_percentile(const struct lp_latencies *l, double p);
/* The largest of sorted samples; 0 when empty. */
uint64_t lp_latencies_max(const struct lp_latencies *l);
void lp_latencies_free(struct lp_latencies *l);

/* Index of the best output element and its dequantized score. */
unsigned int lp_best_class(const struct aiot_tensor_info *out, const void *scores,
			   double *score);
/* labels[k] when there is one, else "class k" in buf. */
const char *lp_label(const char *const *labels, unsigned int count, unsigned int k,
		     char *buf, size_t len);

/*
 * A progress line on stderr: rewritten in place twice a second on a
 * terminal, otherwise a new line every 5 s (serial consoles, logs).
 * total_s 0: no known end ("12 s"); total_count: "n/total decisions".
 * The line counts p->what, "decisions" unless the caller changes it.
 */
struct lp_progress {
	const char *name;
	uint64_t start, next;
	double total_s;
	size_t total_count;
	const char *what;	/* "decisions" (set by lp_progress_init()) */
	bool tty;
};

void lp_progress_init(struct lp_progress *p, const char *name, double total_s,
		      size_t total_count);
void lp_progress_tick(struct lp_progress *p, size_t decisions, uint64_t last_ns, bool quiet);
void lp_progress_done(struct lp_progress *p, bool quiet);

/* -------------------------------------------------- sensor and model */

/*
 * A sensor stream matched to a model: one slot of the stream is exactly the
 * model's input tensor (same element type: U8 for int8, S16_LE for int16).
 */
struct lp_stream {
	/* lp_stream_init() */
	const char *sensor;		/* name or device node, as given */
	const char *model_path;		/* for messages */
	struct aiot_accel *accel;
	struct aiot_model *model;
	const struct aiot_tensor_info *in, *out;
	size_t in_size, out_size, out_offset;
	unsigned int in_binding, out_binding;
	enum aiot_sensor_format format;
	unsigned int channels;
	unsigned int spp;		/* samples per slot */
	unsigned int min_rate_hz, max_rate_hz;
	enum aiot_sensor_kind kind;
	unsigned int width, height;	/* elements per sample: rows x columns */
	bool can_replay;		/* has a "replay" test pattern (aiot-sim) */
	unsigned int replay_pattern;	/* its number */
	char node[64];			/* the device node, for its sysfs */
	/* lp_stream_set_rate() */
	unsigned int rate_hz;		/* the sensor's sample rate */
	unsigned int slot_rate_hz;	/* slots per second (at least 1) */
	/* lp_replay_install(): the sensor has a recording, use the REPLAY pattern */
	bool replaying;
};

/* Open a stream by name ("camera0") or device node ("/dev/aiot/sensor2"). */
int lp_open_sensor(const char *name, struct aiot_sensor **out, char *err, size_t len);

/*
 * Check that the model can take slots of the stream (opened, not
 * necessarily owned) as its input without a copy, and fill st. The model
 * and accelerator stay the caller's.
 */
int lp_stream_init(struct lp_stream *st, struct aiot_sensor *sensor, const char *sensor_name,
		   struct aiot_accel *accel, struct aiot_model *model, const char *model_path,
		   char *err, size_t len);

/* Median time of five runs of the model on its own (zeroed) input. */
int lp_calibrate(struct aiot_model *model, uint64_t *t_inf_ns);
/* A sample rate at about half of what the NPU sustains, in the sensor's range. */
unsigned int lp_auto_rate(const struct lp_stream *st, uint64_t t_inf_ns);
void lp_stream_set_rate(struct lp_stream *st, unsigned int rate_hz);

/* Frames to replay through a simulated 8-bit grayscale camera. */
struct lp_replay {
	uint8_t *frames;		/* count frames of frame_bytes, top row first */
	size_t frame_bytes;
	unsigned int count;
	const char *names[LP_MAX_IMAGES];
};

/* Load uncompressed 8-bit BMPs of the stream's frame size. */
int lp_replay_load(struct lp_replay *r, const struct lp_stream *st, const char *const *images,
		   unsigned int count, char *err, size_t len);
/*
 * Make them aiot-sim's replay recording at st->rate_hz, each image lasting
 * hold frames (0: one second), and give it to the sensor (root only);
 * lp_configure() then uses the REPLAY pattern. Again after a rate change.
 */
int lp_replay_install(struct lp_stream *st, const struct lp_replay *r, unsigned int hold,
		      char *err, size_t len);
void lp_replay_free(struct lp_replay *r);
/*
 * Configure the stream s with set (lp_configure()'s settings) and the
 * stream's source: the sensor's live pattern, or the replay that
 * lp_replay_install() installed. A failure is told in err.
 */
int lp_replay_configure(const struct lp_stream *st, struct aiot_sensor *s,
			struct aiot_sensor_settings *set, unsigned int slots, char *err,
			size_t len);

/*
 * Open the stream again, configure it (DROP_NEWEST, st->rate_hz, one
 * model input per slot; REPLAY when installed) and hand it out, stopped.
 * The caller owns it until aiot_sensor_close().
 */
int lp_configure(const struct lp_stream *st, unsigned int slots, struct aiot_sensor **out,
		 char *err, size_t len);

/*
 * The sensor driver's cumulative bytes copied to userspace by read()
 * (aiot_sensor_get_stat()); *ok false when it cannot be read.
 */
uint64_t lp_driver_copied(const struct aiot_sensor *sensor, bool *ok);

/* The sequence numbers of the slots a consumer has dequeued so far. */
struct lp_sequence {
	uint64_t last;
	bool seen;
};

/* Record @sequence; return how many slots were dropped since the last one. */
uint64_t lp_sequence_gap(struct lp_sequence *seq, uint64_t sequence);

/* ----------------------------------------------------- the pipeline */

struct lp_decision {
	struct aiot_sensor_slot slot;
	const void *scores;	/* the output tensor, in place (valid during the call) */
	uint64_t latency_ns;	/* slot's capture timestamp -> scores in this process */
	uint64_t first_ts;	/* capture timestamp of the run's first slot */
	/*
	 * From the slot's DMA completion (its end of frame): to the job's
	 * start on the device, to the scores in this process; and the job's
	 * time on the device. All 0 (has_dma_done false) with a sensor
	 * driver that does not record DMA completion.
	 */
	bool has_dma_done;
	uint64_t dma_to_start_ns, dma_to_decision_ns, device_ns;
	bool error;		/* DMA fault or failed job: no scores */
};

struct lp_run_opts {
	unsigned int slots;		/* 2..LP_MAX_SLOTS */
	uint64_t duration_ns;		/* 0: no time limit */
	uint64_t max_slots;		/* 0: no count limit */
	volatile sig_atomic_t *stop;	/* set (by a signal handler) to stop; may be NULL */
	/* Every slot, in order, before it goes back to the DMA. */
	void (*on_decision)(void *arg, const struct lp_decision *d);
	void *arg;
};

struct lp_run_stats {
	uint64_t slots;		/* slots consumed */
	uint64_t decisions;	/* of which with scores */
	uint64_t errors;	/* DMA faults and failed jobs */
	uint64_t drops;		/* periods lost: sequence gaps */
	uint64_t elapsed_ns;	/* from the first jobs queued to the stop */
	uint64_t cpu_ns;	/* this process's CPU time meanwhile */
	uint64_t lib_copied;	/* AIOT_STAT_BYTES_COPIED meanwhile */
	uint64_t drv_copied;	/* the sensor driver's bytes_copied meanwhile */
	bool drv_known;		/* whether drv_copied could be read */
};

/*
 * Configure the stream, import every slot into the accelerator once, start
 * it with a job queued on every slot (slot bound as the model's input, a
 * per-slot output buffer), then: dequeue a slot, wait for its job, report
 * the decision, queue the slot back and queue the next job on it; until
 * the duration, the count or *stop. Everything is released on return.
 */
int lp_run_zero_copy(const struct lp_stream *st, const struct lp_run_opts *o,
		     struct lp_run_stats *stats, char *err, size_t len);

/*
 * d's intervals from its slot's DMA completion (has_dma_done and the
 * three after it), from the slot's last dequeue on s, the job's timing and
 * decided_ns, when the scores reached this process. Used by the copying
 * paths of aiot-bench too.
 */
void lp_decision_times(struct lp_decision *d, const struct aiot_sensor *s,
		       const struct aiot_job *job, uint64_t decided_ns);

/*
 * "#12    t=  2.00 s  person       0.94   capture->decision 243.0 ms
 *  DMA done->job start 1.2 ms ->decision 60.0 ms device 55.1 ms"
 * (one line; the second half when the driver records DMA completion).
 */
void lp_print_decision(const struct lp_stream *st, const struct lp_decision *d,
		       const char *const *labels, unsigned int label_count);

#endif /* AIOT_TOOLS_LIVE_PIPELINE_H */
