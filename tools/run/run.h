/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * aiot-run's parts (tools/run/): main.c (options), input.c (input file
 * decoders), session.c (the model on the NPU or the CPU), output.c
 * (scores, --bench, labels), live.c (--sensor, on the live pipeline),
 * v4l2.c and v4l2_fmt.c (--v4l2, a V4L2 camera).
 */
#ifndef AIOT_TOOLS_RUN_H
#define AIOT_TOOLS_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <aiot/accel.h>
#include <aiot/model_format.h>

#include "../../lib/dtype.h"
#include "../common/tool.h"
#include "cpu_model.h"
#include "live_pipeline.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_IO = 3, EXIT_INTERRUPTED = 130 };

#define MAX_FILE_BYTES (64u * 1024 * 1024)	/* inputs and blobs: tool_read_file() */
#define MAX_LABELS 64
#define NPU_TIMEOUT_NS (10LL * 1000 * 1000 * 1000)

/* One input or output tensor, whichever device describes it. */
struct tensor_desc {
	int dtype;
	uint32_t dims[4];
	size_t size;
	float scale;
	int32_t zero_point;
	uint32_t pixel_format;	/* V4L2 fourcc of a camera-frame input, else 0 */
	bool dequantize;	/* the graph gives it as float32 (DEQUANTIZE) */
	char name[AIOT_MODEL_NAME_LEN + 1];
};

/* Inputs and outputs of a model, together: the blob format's limit. */
#define RUN_MAX_IO AIOT_MODEL_MAX_TENSORS

struct session {
	bool npu;
	struct aiot_cpu_model *cpu;
	struct aiot_accel *accel;
	struct aiot_model *model;
	/* The model's inputs and outputs; in, out, in_buf and out_buf are the
	 * first of each (the only ones of the live paths). An NV12M frame's
	 * two planes count as one input here (in_planes). */
	unsigned int input_count, output_count;
	union {
		struct tensor_desc in;
		struct tensor_desc ins[RUN_MAX_IO];
	};
	union {
		struct tensor_desc out;
		struct tensor_desc outs[RUN_MAX_IO];
	};
	/* Planes of a camera frame input: 2 for NV12M (input 1: the chroma, in1_size bytes) */
	unsigned int in_planes;
	size_t in1_size;
	/* NPU: host copies; CPU: the model's buffers */
	union {
		uint8_t *in_buf;
		uint8_t *in_bufs[RUN_MAX_IO];
	};
	union {
		uint8_t *out_buf;
		uint8_t *out_bufs[RUN_MAX_IO];
	};
	uint64_t device_ns;         /* NPU: the last job's JOB_WAIT started->ended */
	char name[64];
};

static inline const char *dtype_name(int dtype)
{
	const char *name = aiot_dtype_name((unsigned int)dtype);

	return name ? name : "?";
}

/* Never 0: the blob's parser has checked the types. */
static inline size_t dtype_size(int dtype)
{
	unsigned int size = aiot_dtype_size((unsigned int)dtype);

	return size ? size : 1;
}

/* --sensor's options (main.c) */
struct live_opts {
	const char *sensor;
	const char *v4l2;	/* --v4l2 DEVICE (v4l2.c) */
	bool v4l2_pipeline;	/* --pipeline: frames to a standing pipeline */
	const char *images[LP_MAX_IMAGES];
	unsigned int image_count;
	unsigned int hold;	/* frames per replayed image; 0: one second */
	unsigned int rate;	/* 0: from the calibration */
	unsigned int slots;
	unsigned int period;	/* --period K: slots per decision (mic.c); 0: the window's rows */
	uint64_t count;		/* 0: no limit */
	double duration;	/* 0: no limit */
	bool summary;
	bool quiet;
};

/* frontend.c: --frontend FE.aiot on a .wav INPUT, then the model */
int run_frontend(const char *fe_path, const char *accel_path, struct session *s,
		 const char *input, const char **labels, unsigned int nlabels);

/* The samples of a 16-bit mono PCM .wav (malloc()ed), *count of them;
 * -EINVAL when it is not one. */
int read_wav(const char *path, int16_t **pcm, size_t *count);

/* mic.c: --sensor MIC --frontend FE.aiot (a --rolling-window front end):
 * the standing pipeline (docs/pipeline.md); exit status as run_live(). */
int run_mic(const struct live_opts *lo, struct session *s, const char *model_path,
	    const char *fe_path, const char *const *labels, unsigned int nlabels);

/* input.c */
/* INPUT into dst (in->size bytes): .bmp, .wav or, with raw, its bytes. */
int load_input(const char *path, bool raw, const struct tensor_desc *in, uint8_t *dst);
/*
 * One INPUT argument into every input of the session: for a model of one
 * input the argument is the file; of several, "FILE,FILE,..." (one per
 * input, in order) or "NAME=FILE,..." (by tensor name, each once).
 */
int load_inputs(const char *arg, bool raw, struct session *s);

/* session.c */
int open_cpu(struct session *s, const char *path);
/* quiet: no message when there is no accelerator (the caller falls back). */
int open_npu(struct session *s, const char *accel_path, const char *path, bool quiet);
void close_session(struct session *s);
/* One inference; the inputs are in s->in_bufs, the outputs land in s->out_bufs. */
int infer(struct session *s);

/* output.c */
double now_us(void);
/* Every output; the labels name output 0's classes. */
void print_scores(const struct session *s, const char *input, double us,
		  const char *const *labels, unsigned int nlabels);
/* "model NAME: input ..., output ..." */
void print_model(const struct session *s, const char *model_path);
int bench(struct session *s, long n);
/* cpubench.c: reference vs fast executor in the same run (CPU sessions). */
int bench_cpu_executors(struct session *s, long n);
/* Class names of the models in ../shared/models, by blob name. */
const char *default_labels(const char *name);
unsigned int split_labels(char *list, const char **labels);

/* live.c: exit status of a live run (see usage()). */
int run_live(const struct live_opts *lo, struct session *s, const char *model_path,
	     const char *const *labels, unsigned int nlabels);

/* v4l2.c: --v4l2, exit status as run_live(). */
int run_v4l2(const struct live_opts *lo, struct session *s, const char *model_path,
	     const char *const *labels, unsigned int nlabels);

#endif /* AIOT_TOOLS_RUN_H */
