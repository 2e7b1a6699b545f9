// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-run: run a compiled model on files, or on a live sensor stream, and
 * print its decisions.
 *
 *   aiot-run [--device npu|cpu] MODEL.aiot INPUT...
 *   aiot-run --sensor NAME [--replay A.bmp,...] [--count N] [--duration SEC]
 *            MODEL.aiot
 *
 * --device npu loads the blob onto the aiot accelerator through
 * libaiot-accel's model API; --device cpu runs it on the userspace build of
 * the ISA reference executor (the CPU fallback, bit-exact with the NPU).
 * Inputs: .bmp (8-bit grayscale, pixel bytes fed unchanged, top row
 * first: upstream's convention), .wav (16-bit mono PCM into an int16
 * input) or, with --raw, the tensor's bytes. Several inputs run one after
 * the other on the same model, so stateful models (SVDF) see a stream.
 * --bench N reports throughput and latency percentiles. See
 * docs/compiler.md.
 *
 * --sensor runs the model on the NPU on every slot of a live sensor stream
 * with no copy: live_pipeline.c (shared with aiot-bench) imports the ring's
 * slots into the accelerator and queues a job ahead on each, which starts
 * when the slot's DMA completes. Each decision is printed with its
 * capture -> decision latency, then a summary. See docs/tools.md.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <aiot/accel.h>
#include <aiot/model_format.h>
#include <aiot/sensor.h>
#include <linux/aiot_isa.h>

#include "../lib/dtype.h"
#include "cpu_model.h"
#include "live_pipeline.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_IO = 3, EXIT_INTERRUPTED = 130 };

#define MAX_FILE_BYTES (64u * 1024 * 1024)
#define MAX_LABELS 64
#define NPU_TIMEOUT_NS (10LL * 1000 * 1000 * 1000)

/* One input or output tensor, whichever device describes it. */
struct tensor_desc {
	int dtype;
	uint32_t dims[4];
	size_t size;
	float scale;
	int32_t zero_point;
	char name[AIOT_MODEL_NAME_LEN + 1];
};

struct session {
	bool npu;
	struct aiot_cpu_model *cpu;
	struct aiot_accel *accel;
	struct aiot_model *model;
	struct tensor_desc in, out;
	uint8_t *in_buf, *out_buf;  /* NPU: host copies; CPU: the model's buffers */
	char name[64];
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: aiot-run [OPTIONS] MODEL.aiot INPUT...\n"
		"       aiot-run --sensor NAME [LIVE OPTIONS] MODEL.aiot\n"
		"\n"
		"Run a compiled model (aiot-compile) on input files and print the scores;\n"
		"or, with --sensor, on every slot of a live sensor stream, on the NPU with\n"
		"no copy, printing each decision with its capture->decision latency and a\n"
		"summary at the end.\n"
		"\n"
		"  -d, --device npu|cpu   npu: the aiot accelerator (default when one is\n"
		"                         present); cpu: the userspace reference executor\n"
		"  -a, --accel PATH       accelerator node (default: the first aiot device)\n"
		"  -l, --labels a,b,...   class names of the outputs (default for\n"
		"                         person_detect and micro_speech)\n"
		"  -r, --raw              inputs are raw tensor bytes (exactly its size)\n"
		"  -b, --bench N          run N timed inferences on the (last) input, or on\n"
		"                         zeros without INPUT; print inferences/s, p50, p99\n"
		"  -h, --help             this text\n"
		"\n"
		"INPUT: .bmp (8-bit grayscale; pixel bytes fed unchanged, top row first),\n"
		".wav (16-bit mono PCM, into an int16 input), or any file with --raw.\n"
		"\n"
		"Live options (the model's input must be exactly one slot of the stream,\n"
		"of the same element type: U8 samples for an int8 input, S16_LE for int16):\n"
		"  -s, --sensor NAME      the sensor stream, by name (camera0; aiot-info lists\n"
		"                         them) or device node (/dev/aiot/sensor2)\n"
		"  -i, --replay A.bmp,... the (simulated) camera replays these 8-bit\n"
		"                         grayscale images, in this order, then loops\n"
		"                         (default: the sensor's live pattern); up to %d\n"
		"      --hold N           frames each replayed image lasts (default: 1 s)\n"
		"  -c, --count N          stop after N slots (each a decision or an error)\n"
		"  -t, --duration SEC     stop after SEC seconds (default, without --count\n"
		"                         either: run until Ctrl-C)\n"
		"      --rate HZ          sensor sample rate (default: about half of what the\n"
		"                         NPU sustains, from 5 timed runs at start)\n"
		"      --slots N          ring slots, each with a job queued ahead, 2..%d\n"
		"                         (default 4)\n"
		"  -S, --summary          print only the summary, not every decision; a\n"
		"                         progress line goes to stderr every 5 s\n"
		"  -q, --quiet            with --summary: no progress line\n"
		"\n"
		"Live output: \"#SEQ t=SEC LABEL SCORE capture->decision LATENCY\" per slot,\n"
		"SEQ being the sensor's period number (gaps are dropped periods), then\n"
		"\"summary: N decisions ..., p50/p99/max latency, bytes the CPU copied\n"
		"(library + sensor driver; 0 on this path), dropped periods, errors\".\n"
		"Ctrl-C stops the stream and prints the summary.\n"
		"\n"
		"Exit status: 0 ok; 1 load/run failed (no accelerator, unknown sensor,\n"
		"model unusable or not fitting the sensor, a device error, or a slot whose\n"
		"DMA or job failed); 2 usage (also a --rate the sensor does not take, or\n"
		"--replay on a sensor that is not an 8-bit camera); 3 input file (INPUT or\n"
		"--replay image) unusable; 130 interrupted before --count/--duration.\n",
		LP_MAX_IMAGES, LP_MAX_SLOTS);
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static const char *dtype_name(int dtype)
{
	const char *name = aiot_dtype_name((unsigned int)dtype);

	return name ? name : "?";
}

/* Never 0: the blob's parser has checked the types. */
static size_t dtype_size(int dtype)
{
	unsigned int size = aiot_dtype_size((unsigned int)dtype);

	return size ? size : 1;
}

static int read_file(const char *path, uint8_t **data, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, len = 0, n;

	if (!f)
		return -errno;
	do {
		if (len == cap) {
			uint8_t *p;

			cap = cap ? cap * 2 : 65536;
			if (cap > MAX_FILE_BYTES) {
				free(buf);
				fclose(f);
				return -EFBIG;
			}
			p = realloc(buf, cap);
			if (!p) {
				free(buf);
				fclose(f);
				return -ENOMEM;
			}
			buf = p;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n);
	if (ferror(f)) {
		free(buf);
		fclose(f);
		return -EIO;
	}
	fclose(f);
	*data = buf;
	*size = len;
	return 0;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcasecmp(s + a - b, suffix);
}

/*
 * 8-bit grayscale BMP -> input bytes, top row first, values unchanged
 * (upstream's person_detection test feeds them so: pixel 200 is int8 -56).
 */
static int load_bmp(const char *path, const uint8_t *f, size_t n, const struct tensor_desc *in,
		    uint8_t *dst)
{
	uint32_t data_at, w, stride;
	int32_t h;
	uint16_t bpp;
	uint32_t compression;

	if (n < 54 || f[0] != 'B' || f[1] != 'M') {
		fprintf(stderr, "aiot-run: %s: not a BMP file\n", path);
		return -EINVAL;
	}
	data_at = le32(f + 10);
	w = le32(f + 18);
	h = (int32_t)le32(f + 22);
	bpp = le16(f + 28);
	compression = le32(f + 30);
	if (bpp != 8 || compression != 0 || w == 0 || w > 65535 || h == 0 || h < -65535 ||
	    h > 65535) {
		fprintf(stderr, "aiot-run: %s: need an uncompressed 8-bit grayscale BMP "
			"(has %u bits per pixel, compression %u)\n", path, bpp, compression);
		return -EINVAL;
	}
	if (in->dtype != AIOT_ISA_DTYPE_INT8 || (size_t)w * (uint32_t)abs(h) != in->size) {
		fprintf(stderr, "aiot-run: %s: %ux%d pixels do not fit the %s input of %zu "
			"elements\n", path, w, abs(h), dtype_name(in->dtype), in->size /
			dtype_size(in->dtype));
		return -EINVAL;
	}
	stride = (w + 3) / 4 * 4;
	if (data_at > n || (uint64_t)stride * (uint32_t)abs(h) > n - data_at) {
		fprintf(stderr, "aiot-run: %s: truncated pixel data\n", path);
		return -EINVAL;
	}
	for (uint32_t row = 0; row < (uint32_t)abs(h); row++) {
		/* positive height: rows are stored bottom-up */
		uint32_t src = h > 0 ? (uint32_t)h - 1 - row : row;

		memcpy(dst + (size_t)row * w, f + data_at + (size_t)src * stride, w);
	}
	return 0;
}

/* 16-bit mono PCM into an int16 input: the first samples, zero padded. */
static int load_wav(const char *path, const uint8_t *f, size_t n, const struct tensor_desc *in,
		    uint8_t *dst)
{
	size_t pos = 12, want = in->size / 2, have;
	bool fmt_ok = false;

	if (n < 12 || memcmp(f, "RIFF", 4) || memcmp(f + 8, "WAVE", 4)) {
		fprintf(stderr, "aiot-run: %s: not a RIFF/WAVE file\n", path);
		return -EINVAL;
	}
	if (in->dtype != AIOT_ISA_DTYPE_INT16) {
		fprintf(stderr, "aiot-run: %s: the model's input is %s; a .wav goes into an int16 "
			"input (audio features are not computed here)\n", path,
			dtype_name(in->dtype));
		return -EINVAL;
	}
	while (pos + 8 <= n) {
		uint32_t len = le32(f + pos + 4);
		const uint8_t *body = f + pos + 8;

		if (len > n - pos - 8) {
			fprintf(stderr, "aiot-run: %s: truncated chunk\n", path);
			return -EINVAL;
		}
		if (!memcmp(f + pos, "fmt ", 4) && len >= 16) {
			fmt_ok = le16(body) == 1 && le16(body + 2) == 1 && le16(body + 14) == 16;
			if (!fmt_ok) {
				fprintf(stderr, "aiot-run: %s: need 16-bit mono PCM (format %u, "
					"%u channels, %u bits)\n", path, le16(body),
					le16(body + 2), le16(body + 14));
				return -EINVAL;
			}
		} else if (!memcmp(f + pos, "data", 4)) {
			if (!fmt_ok) {
				fprintf(stderr, "aiot-run: %s: data before fmt chunk\n", path);
				return -EINVAL;
			}
			have = len / 2 < want ? len / 2 : want;
			memset(dst, 0, in->size);
			memcpy(dst, body, have * 2);
			if (have < want)
				fprintf(stderr, "aiot-run: %s: %zu samples, input takes %zu: "
					"zero padded\n", path, have, want);
			return 0;
		}
		pos += 8 + len + (len & 1);
	}
	fprintf(stderr, "aiot-run: %s: no data chunk\n", path);
	return -EINVAL;
}

static int load_input(const char *path, bool raw, const struct tensor_desc *in, uint8_t *dst)
{
	uint8_t *f = NULL;
	size_t n = 0;
	int rc = read_file(path, &f, &n);

	if (rc) {
		fprintf(stderr, "aiot-run: %s: %s\n", path,
			rc == -EFBIG ? "larger than 64 MiB" : strerror(-rc));
		return rc;
	}
	if (raw) {
		if (n != in->size) {
			fprintf(stderr, "aiot-run: %s: %zu bytes, the input tensor has %zu\n", path,
				n, in->size);
			rc = -EINVAL;
		} else {
			memcpy(dst, f, n);
		}
	} else if (has_suffix(path, ".bmp")) {
		rc = load_bmp(path, f, n, in, dst);
	} else if (has_suffix(path, ".wav")) {
		rc = load_wav(path, f, n, in, dst);
	} else {
		fprintf(stderr, "aiot-run: %s: unknown input type (use .bmp, .wav or --raw)\n",
			path);
		rc = -EINVAL;
	}
	free(f);
	return rc;
}

static void desc_from_blob(const struct aiot_model_tensor *t, struct tensor_desc *d)
{
	d->dtype = t->dtype;
	memcpy(d->dims, t->dims, sizeof(d->dims));
	d->size = t->size;
	memcpy(&d->scale, &t->scale_bits, sizeof(d->scale));
	d->zero_point = t->zero_point;
	memcpy(d->name, t->name, AIOT_MODEL_NAME_LEN);
	d->name[AIOT_MODEL_NAME_LEN] = '\0';
}

static void desc_from_info(const struct aiot_tensor_info *t, struct tensor_desc *d)
{
	d->dtype = aiot_tensor_info_get_dtype(t);
	aiot_tensor_info_get_shape(t, d->dims);
	d->size = aiot_tensor_info_get_size(t);
	d->scale = aiot_tensor_info_get_scale(t);
	d->zero_point = aiot_tensor_info_get_zero_point(t);
	snprintf(d->name, sizeof(d->name), "%s", aiot_tensor_info_get_name(t));
}

static int open_cpu(struct session *s, const char *path)
{
	const struct aiot_model_blob_view *v;
	char err[512];
	uint8_t *blob;
	size_t size;
	int rc = read_file(path, &blob, &size);

	if (rc) {
		fprintf(stderr, "aiot-run: %s: %s\n", path, strerror(-rc));
		return rc;
	}
	rc = aiot_cpu_model_load(blob, size, &s->cpu, err, sizeof(err));
	free(blob);
	if (rc) {
		fprintf(stderr, "aiot-run: %s: %s\n", path, err);
		return rc;
	}
	v = aiot_cpu_model_view(s->cpu);
	if (v->input_count != 1 || v->output_count != 1) {
		fprintf(stderr, "aiot-run: %s: %u inputs and %u outputs; aiot-run takes one each\n",
			path, v->input_count, v->output_count);
		return -EOPNOTSUPP;
	}
	desc_from_blob(&v->tensors[0], &s->in);
	desc_from_blob(&v->tensors[1], &s->out);
	s->in_buf = aiot_cpu_model_tensor(s->cpu, 0);
	s->out_buf = aiot_cpu_model_tensor(s->cpu, 1);
	snprintf(s->name, sizeof(s->name), "%s", v->name);
	return 0;
}

static int open_npu(struct session *s, const char *accel_path, const char *path, bool quiet)
{
	char err[512];
	uint8_t *blob;
	size_t size;
	int rc = accel_path ? aiot_accel_open(accel_path, &s->accel) :
			      aiot_accel_open_default(&s->accel);

	if (rc) {
		if (quiet)
			return rc;
		if (rc == -ENODEV && !accel_path)
			fprintf(stderr, "aiot-run: no aiot accelerator found (is the module loaded? "
				"try: modprobe aiot-sim)\n");
		else
			fprintf(stderr, "aiot-run: no aiot accelerator%s%s: %s\n",
				accel_path ? " at " : "", accel_path ? accel_path : "",
				aiot_strerror(rc));
		return rc;
	}
	/*
	 * Read the file here, so that a missing or unreadable file is told as
	 * such; the library then says what is wrong with the blob itself.
	 */
	rc = read_file(path, &blob, &size);
	if (rc) {
		fprintf(stderr, "aiot-run: %s: %s\n", path,
			rc == -EFBIG ? "larger than 64 MiB" : strerror(-rc));
		return rc;
	}
	err[0] = '\0';
	rc = aiot_model_load(s->accel, blob, size, &s->model, err, sizeof(err));
	free(blob);
	if (rc) {
		fprintf(stderr, "aiot-run: %s: %s\n", path, err[0] ? err : aiot_strerror(rc));
		return rc;
	}
	if (aiot_model_get_input_count(s->model) != 1 ||
	    aiot_model_get_output_count(s->model) != 1) {
		fprintf(stderr, "aiot-run: %s: aiot-run takes models with one input and one "
			"output\n", path);
		return -EOPNOTSUPP;
	}
	desc_from_info(aiot_model_get_input_info(s->model, 0), &s->in);
	desc_from_info(aiot_model_get_output_info(s->model, 0), &s->out);
	s->in_buf = calloc(1, s->in.size);
	s->out_buf = calloc(1, s->out.size);
	if (!s->in_buf || !s->out_buf)
		return -ENOMEM;
	snprintf(s->name, sizeof(s->name), "%s", aiot_model_get_name(s->model));
	s->npu = true;
	return 0;
}

static void close_session(struct session *s)
{
	if (s->npu) {
		free(s->in_buf);
		free(s->out_buf);
	}
	aiot_model_free(s->model);
	aiot_accel_close(s->accel);
	aiot_cpu_model_free(s->cpu);
}

/* One inference; the input is in s->in_buf, the output lands in s->out_buf. */
static int infer(struct session *s)
{
	int rc;

	if (!s->npu)
		return aiot_cpu_model_run(s->cpu);
	rc = aiot_model_write_input(s->model, 0, s->in_buf, s->in.size);
	if (!rc)
		rc = aiot_model_run(s->model, NPU_TIMEOUT_NS);
	if (!rc)
		rc = aiot_model_read_output(s->model, 0, s->out_buf, s->out.size);
	return rc;
}

static int64_t output_value(const struct session *s, size_t i)
{
	int16_t v16;
	int32_t v32;

	switch (s->out.dtype) {
	case AIOT_ISA_DTYPE_INT16:
		memcpy(&v16, s->out_buf + 2 * i, 2);
		return v16;
	case AIOT_ISA_DTYPE_INT32:
		memcpy(&v32, s->out_buf + 4 * i, 4);
		return v32;
	default:
		return (int8_t)s->out_buf[i];
	}
}

static void print_scores(const struct session *s, const char *input, double us,
			 const char *const *labels, unsigned int nlabels)
{
	size_t count = s->out.size / dtype_size(s->out.dtype), best = 0;
	int64_t best_v = 0;

	printf("%s: %.3f ms on %s\n", input, us / 1000.0, s->npu ? "npu" : "cpu");
	for (size_t i = 0; i < count; i++) {
		int64_t q = output_value(s, i);
		double real = (double)s->out.scale * (double)(q - s->out.zero_point);

		if (i == 0 || q > best_v) {
			best = i;
			best_v = q;
		}
		if (i < nlabels)
			printf("  [%zu] %-12s %s %6lld  %.6f\n", i, labels[i],
			       dtype_name(s->out.dtype), (long long)q, real);
		else
			printf("  [%zu] %s %6lld  %.6f\n", i, dtype_name(s->out.dtype),
			       (long long)q, real);
	}
	if (count > 1) {
		if (best < nlabels)
			printf("  -> %s (class %zu)\n", labels[best], best);
		else
			printf("  -> class %zu\n", best);
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int bench(struct session *s, long n)
{
	double *lat = malloc((size_t)n * sizeof(*lat)), t0, total;
	int rc = infer(s); /* warm-up: caches, first-touch page faults */
	struct lp_progress pg;

	if (!lat)
		return -ENOMEM;
	/* Long runs: a progress line on stderr after 5 s (live_pipeline.c). */
	lp_progress_init(&pg, "bench", 0, (size_t)n);
	pg.what = "inferences";
	t0 = now_us();
	for (long i = 0; !rc && i < n; i++) {
		double a = now_us();

		rc = infer(s);
		lat[i] = now_us() - a;
		lp_progress_tick(&pg, (size_t)i + 1, (uint64_t)(lat[i] * 1e3), false);
	}
	lp_progress_done(&pg, false);
	total = now_us() - t0;
	if (!rc) {
		qsort(lat, (size_t)n, sizeof(*lat), cmp_double);
		printf("bench %s on %s: %ld inferences in %.1f ms: %.1f inferences/s\n",
		       s->name, s->npu ? "npu" : "cpu", n, total / 1000.0, n / (total / 1e6));
		printf("  latency min %.3f ms, p50 %.3f ms, p99 %.3f ms, max %.3f ms\n",
		       lat[0] / 1000.0, lat[(size_t)((n - 1) * 0.50)] / 1000.0,
		       lat[(size_t)((n - 1) * 0.99)] / 1000.0, lat[n - 1] / 1000.0);
	}
	free(lat);
	return rc;
}

/* Class names of the models in ../shared/models, by blob name. */
static const char *default_labels(const char *name)
{
	if (!strcmp(name, "person_detect"))
		return "no_person,person";
	if (!strcmp(name, "micro_speech_quantized"))
		return "silence,unknown,yes,no";
	return NULL;
}

static unsigned int split_labels(char *list, const char **labels)
{
	unsigned int n = 0;

	for (char *tok = strtok(list, ","); tok && n < MAX_LABELS; tok = strtok(NULL, ","))
		labels[n++] = tok;
	return n;
}

/* ------------------------------------------------------------ --sensor */

#define LIVE_FW_DIR "/tmp/aiot-run-fw"

struct live_opts {
	const char *sensor;
	const char *images[LP_MAX_IMAGES];
	unsigned int image_count;
	unsigned int hold;	/* frames per replayed image; 0: one second */
	unsigned int rate;	/* 0: from the calibration */
	unsigned int slots;
	uint64_t count;		/* 0: no limit */
	double duration;	/* 0: no limit */
	bool summary;
	bool quiet;
};

struct live_state {
	const struct lp_stream *st;
	const char *const *labels;
	unsigned int nlabels;
	struct lp_latencies lat;
	unsigned int class_count[MAX_LABELS];
	unsigned int other_classes;	/* beyond MAX_LABELS */
	uint64_t last_ns;
	struct lp_progress pg;
	bool print, quiet;
};

static volatile sig_atomic_t live_stop;

static void on_live_signal(int sig)
{
	(void)sig;
	live_stop = 1;
}

static void live_decision(void *arg, const struct lp_decision *d)
{
	struct live_state *l = arg;

	if (!d->error) {
		double score;
		unsigned int k = lp_best_class(l->st->out, d->scores, &score);

		/* Out of memory only loses a sample for the percentiles. */
		(void)lp_latencies_add(&l->lat, d->latency_ns);
		if (k < MAX_LABELS)
			l->class_count[k]++;
		else
			l->other_classes++;
		l->last_ns = d->latency_ns;
	}
	if (l->print)
		lp_print_decision(l->st, d, l->labels, l->nlabels);
	else
		lp_progress_tick(&l->pg, l->lat.n, l->last_ns, l->quiet);
}

static const char *base_name(const char *path)
{
	const char *p = strrchr(path, '/');

	return p ? p + 1 : path;
}

/* Exit status of a live run (see usage()). */
static int run_live(const struct live_opts *lo, struct session *s, const char *model_path,
		    const char *const *labels, unsigned int nlabels)
{
	struct live_state l = { .labels = labels, .nlabels = nlabels, .quiet = lo->quiet };
	struct lp_run_opts ro = {
		.slots = lo->slots,
		.duration_ns = (uint64_t)(lo->duration * 1e9),
		.max_slots = lo->count,
		.stop = &live_stop,
		.on_decision = live_decision,
		.arg = &l,
	};
	struct sigaction sa = { .sa_handler = on_live_signal };
	struct aiot_accel_info *ai = NULL;
	struct aiot_sensor *sensor = NULL;
	struct lp_replay replay = { 0 };
	struct lp_run_stats rs;
	struct lp_stream st;
	char err[LP_ERR_LEN], a[32], b[32], d[32], lb[32];
	uint64_t t_inf;
	int rc, status = EXIT_FAIL;

	l.st = &st;
	l.print = !lo->summary;
	if ((rc = lp_open_sensor(lo->sensor, &sensor, err, sizeof(err)))) {
		fprintf(stderr, "aiot-run: %s\n", err);
		return EXIT_FAIL;
	}
	rc = lp_stream_init(&st, sensor, lo->sensor, s->accel, s->model, model_path, err,
			    sizeof(err));
	aiot_sensor_close(sensor);	/* lp_run_zero_copy() opens it as its owner */
	if (rc) {
		fprintf(stderr, "aiot-run: %s\n", err);
		return EXIT_FAIL;
	}
	if (lo->rate && (lo->rate < st.min_rate_hz || lo->rate > st.max_rate_hz)) {
		fprintf(stderr, "aiot-run: --rate %u: %s takes %u..%u Hz\n", lo->rate, lo->sensor,
			st.min_rate_hz, st.max_rate_hz);
		return EXIT_USAGE;
	}
	if (lo->image_count && (st.format != AIOT_SENSOR_FMT_U8 || st.channels != 1)) {
		fprintf(stderr, "aiot-run: --replay needs an 8-bit grayscale camera; %s is not\n",
			lo->sensor);
		return EXIT_USAGE;
	}
	if (lo->image_count && !st.can_replay) {
		fprintf(stderr, "aiot-run: --replay needs a sensor that replays recordings "
			"(aiot-sim's); %s does not\n", lo->sensor);
		return EXIT_USAGE;
	}
	if (lo->image_count &&
	    lp_replay_load(&replay, &st, lo->images, lo->image_count, err, sizeof(err))) {
		fprintf(stderr, "aiot-run: %s\n", err);
		return EXIT_IO;
	}

	/* How fast is the NPU? Without --rate, the sensor runs at half of that. */
	if ((rc = lp_calibrate(s->model, &t_inf))) {
		fprintf(stderr, "aiot-run: %s: timing run on the NPU failed: %s\n", model_path,
			aiot_strerror(rc));
		goto out;
	}
	lp_stream_set_rate(&st, lo->rate ? lo->rate : lp_auto_rate(&st, t_inf));
	if (lo->image_count &&
	    lp_replay_install(&st, &replay, lo->hold, LIVE_FW_DIR, err, sizeof(err))) {
		fprintf(stderr, "aiot-run: %s\n", err);
		goto out;
	}

	if ((rc = aiot_accel_get_info(s->accel, &ai))) {
		fprintf(stderr, "aiot-run: accelerator info: %s\n", aiot_strerror(rc));
		goto out;
	}
	printf("%s on %s (%s), sensor %s: %u Hz, %u sample%s per slot, %u slots",
	       s->name[0] ? s->name : model_path, aiot_accel_get_path(s->accel),
	       aiot_accel_info_get_backend(ai), lo->sensor, st.rate_hz, st.spp,
	       st.spp == 1 ? "" : "s", lo->slots);
	aiot_accel_info_free(ai);
	if (replay.count) {
		printf(", replaying");
		for (unsigned int i = 0; i < replay.count; i++)
			printf("%s %s", i ? "," : "", base_name(replay.names[i]));
		printf(" (%u frames each)", lo->hold ? lo->hold : st.rate_hz);
	}
	printf("\ninput %zu B = one slot; one inference alone takes %s on the NPU%s\n", st.in_size,
	       lp_fmt_time(a, sizeof(a), (double)t_inf),
	       lo->rate ? "" : " (rate chosen at about half of what it sustains)");
	printf("a slot's timestamp is its first sample: every latency includes the slot's own "
	       "%s of capture\n", lp_fmt_time(a, sizeof(a), 1e9 / st.slot_rate_hz));
	printf("streaming ");
	if (lo->count)
		printf("%llu slots%s", (unsigned long long)lo->count, lo->duration > 0 ? " at most" : "");
	if (lo->duration > 0)
		printf("%sfor %g s", lo->count ? ", " : "", lo->duration);
	if (!lo->count && lo->duration <= 0)
		printf("until Ctrl-C");
	printf(": every slot goes to the NPU without a copy\n");
	fflush(stdout);

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	lp_progress_init(&l.pg, "live", lo->duration, (size_t)lo->count);
	rc = lp_run_zero_copy(&st, &ro, &rs, err, sizeof(err));
	lp_progress_done(&l.pg, l.print || l.quiet);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	if (rc) {
		fprintf(stderr, "aiot-run: %s\n", err);
		if (!rs.slots)
			goto out;
	}

	lp_latencies_sort(&l.lat);
	printf("summary: %llu decisions in %.1f s (%.2f/s), capture->decision p50 %s p99 %s max %s, ",
	       (unsigned long long)rs.decisions, (double)rs.elapsed_ns / 1e9,
	       rs.elapsed_ns ? (double)rs.decisions * 1e9 / (double)rs.elapsed_ns : 0.0,
	       lp_fmt_time(a, sizeof(a), (double)lp_latencies_percentile(&l.lat, 0.50)),
	       lp_fmt_time(b, sizeof(b), (double)lp_latencies_percentile(&l.lat, 0.99)),
	       lp_fmt_time(d, sizeof(d), (double)lp_latencies_max(&l.lat)));
	printf("%s copied by the CPU (library %s, ",
	       lp_fmt_bytes(a, sizeof(a), (double)(rs.lib_copied + rs.drv_copied)),
	       lp_fmt_bytes(b, sizeof(b), (double)rs.lib_copied));
	if (rs.drv_known)
		printf("sensor driver %s), ", lp_fmt_bytes(d, sizeof(d), (double)rs.drv_copied));
	else
		printf("sensor driver n/a), ");
	printf("%llu dropped, %llu errors;", (unsigned long long)rs.drops,
	       (unsigned long long)rs.errors);
	for (unsigned int k = 0; k < MAX_LABELS; k++)
		if (l.class_count[k])
			printf(" %s %u", lp_label(labels, nlabels, k, lb, sizeof(lb)), l.class_count[k]);
	if (l.other_classes)
		printf(" other classes %u", l.other_classes);
	printf("\n");
	fflush(stdout);
	if (rc || rs.errors)
		status = EXIT_FAIL;
	else if (live_stop && (lo->count || lo->duration > 0) &&
		 !(lo->count && rs.slots >= lo->count) &&
		 !(lo->duration > 0 && rs.elapsed_ns >= (uint64_t)(lo->duration * 1e9)))
		status = EXIT_INTERRUPTED;
	else
		status = EXIT_OK;
out:
	lp_latencies_free(&l.lat);
	lp_replay_free(&replay);
	return status;
}

/* ---------------------------------------------------------------- main */

static int parse_count(const char *opt, const char *arg, unsigned long long min,
		       unsigned long long max, unsigned long long *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || v < min || v > max) {
		fprintf(stderr, "aiot-run: %s takes a count of %llu..%llu, not '%s'\n", opt, min,
			max, arg);
		return -1;
	}
	*out = v;
	return 0;
}

enum { OPT_HOLD = 256, OPT_RATE, OPT_SLOTS };

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "accel", required_argument, NULL, 'a' },
		{ "labels", required_argument, NULL, 'l' },
		{ "raw", no_argument, NULL, 'r' },
		{ "bench", required_argument, NULL, 'b' },
		{ "sensor", required_argument, NULL, 's' },
		{ "replay", required_argument, NULL, 'i' },
		{ "hold", required_argument, NULL, OPT_HOLD },
		{ "count", required_argument, NULL, 'c' },
		{ "duration", required_argument, NULL, 't' },
		{ "rate", required_argument, NULL, OPT_RATE },
		{ "slots", required_argument, NULL, OPT_SLOTS },
		{ "summary", no_argument, NULL, 'S' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *device = NULL, *accel_path = NULL, *label_arg = NULL, *model_path;
	struct live_opts lo = { .slots = 4 };
	struct session s = { 0 };
	const char *labels[MAX_LABELS];
	char *label_copy = NULL, *replay_copy = NULL, *end;
	const char *replay_arg = NULL;
	unsigned int nlabels = 0;
	unsigned long long v;
	long bench_n = 0;
	bool raw = false;
	int c, rc, status = EXIT_OK;

	while ((c = getopt_long(argc, argv, "d:a:l:rb:s:i:c:t:Sqh", opts, NULL)) != -1) {
		switch (c) {
		case 'd': device = optarg; break;
		case 'a': accel_path = optarg; break;
		case 'l': label_arg = optarg; break;
		case 'r': raw = true; break;
		case 'b':
			errno = 0;
			bench_n = strtol(optarg, &end, 10);
			if (errno || *end || bench_n < 1 || bench_n > 10000000) {
				fprintf(stderr, "aiot-run: --bench takes a count of 1..10000000\n");
				return EXIT_USAGE;
			}
			break;
		case 's': lo.sensor = optarg; break;
		case 'i': replay_arg = optarg; break;
		case OPT_HOLD:
			if (parse_count("--hold", optarg, 1, 100000, &v))
				return EXIT_USAGE;
			lo.hold = (unsigned int)v;
			break;
		case 'c':
			if (parse_count("--count", optarg, 1, 1000000000, &v))
				return EXIT_USAGE;
			lo.count = v;
			break;
		case 't':
			errno = 0;
			lo.duration = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(lo.duration > 0) ||
			    lo.duration > 31 * 86400.0) {
				fprintf(stderr, "aiot-run: --duration takes seconds in (0, %u], not "
					"'%s'\n", 31 * 86400, optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_RATE:
			if (parse_count("--rate", optarg, 1, 10000000, &v))
				return EXIT_USAGE;
			lo.rate = (unsigned int)v;
			break;
		case OPT_SLOTS:
			if (parse_count("--slots", optarg, 2, LP_MAX_SLOTS, &v))
				return EXIT_USAGE;
			lo.slots = (unsigned int)v;
			break;
		case 'S': lo.summary = true; break;
		case 'q': lo.quiet = true; break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (device && strcmp(device, "cpu") && strcmp(device, "npu")) {
		fprintf(stderr, "aiot-run: unknown device \"%s\" (npu or cpu)\n", device);
		return EXIT_USAGE;
	}
	if (lo.sensor) {
		const char *bad = device && !strcmp(device, "cpu") ?
				  "--device cpu (a live stream runs on the NPU, without a copy)" :
				  raw ? "--raw" : bench_n ? "--bench" : NULL;

		if (bad) {
			fprintf(stderr, "aiot-run: --sensor does not go with %s\n", bad);
			return EXIT_USAGE;
		}
		if (optind >= argc) {
			fprintf(stderr, "aiot-run: no model given\n");
			usage(stderr);
			return EXIT_USAGE;
		}
		if (optind + 1 < argc) {
			fprintf(stderr, "aiot-run: --sensor takes no INPUT file ('%s'); --replay "
				"A.bmp,B.bmp has the camera replay images\n", argv[optind + 1]);
			return EXIT_USAGE;
		}
	} else {
		const char *live_only = replay_arg ? "--replay" : lo.hold ? "--hold" :
					lo.count ? "--count" : lo.duration > 0 ? "--duration" :
					lo.rate ? "--rate" : lo.slots != 4 ? "--slots" :
					lo.summary ? "--summary" : lo.quiet ? "--quiet" : NULL;

		if (live_only) {
			fprintf(stderr, "aiot-run: %s goes with --sensor\n", live_only);
			return EXIT_USAGE;
		}
		if (optind >= argc || (optind == argc - 1 && !bench_n)) {
			fprintf(stderr, "aiot-run: %s\n", optind >= argc ? "no model given" :
				"no input given");
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (lo.hold && !replay_arg) {
		fprintf(stderr, "aiot-run: --hold goes with --replay\n");
		return EXIT_USAGE;
	}
	if (lo.quiet && !lo.summary) {
		fprintf(stderr, "aiot-run: --quiet goes with --summary (every decision is printed "
			"otherwise)\n");
		return EXIT_USAGE;
	}
	if (replay_arg) {
		replay_copy = strdup(replay_arg);
		if (!replay_copy) {
			fprintf(stderr, "aiot-run: out of memory\n");
			return EXIT_FAIL;
		}
		for (char *tok = strtok(replay_copy, ","); tok; tok = strtok(NULL, ",")) {
			if (lo.image_count == LP_MAX_IMAGES) {
				fprintf(stderr, "aiot-run: --replay takes at most %d images\n",
					LP_MAX_IMAGES);
				free(replay_copy);
				return EXIT_USAGE;
			}
			lo.images[lo.image_count++] = tok;
		}
		if (!lo.image_count) {
			fprintf(stderr, "aiot-run: --replay needs at least one image\n");
			free(replay_copy);
			return EXIT_USAGE;
		}
	}
	model_path = argv[optind++];

	if (lo.sensor) {
		rc = open_npu(&s, accel_path, model_path, false);
	} else if (!device || !strcmp(device, "npu")) {
		rc = open_npu(&s, accel_path, model_path, !device);
		if (rc && !device && !s.accel) {
			fprintf(stderr, "aiot-run: no aiot accelerator; running on the CPU "
				"(--device cpu)\n");
			rc = open_cpu(&s, model_path);
		}
	} else {
		rc = open_cpu(&s, model_path);
	}
	if (rc) {
		status = EXIT_FAIL;
		goto out;
	}
	if (!label_arg)
		label_arg = default_labels(s.name);
	if (label_arg) {
		label_copy = strdup(label_arg);
		if (!label_copy) {
			status = EXIT_FAIL;
			goto out;
		}
		nlabels = split_labels(label_copy, labels);
	}
	if (lo.sensor) {
		status = run_live(&lo, &s, model_path, labels, nlabels);
		goto out;
	}
	printf("model %s: input %s [%ux%ux%ux%u], output %s [%ux%ux%ux%u] scale %g zero "
	       "point %d\n", s.name[0] ? s.name : model_path, dtype_name(s.in.dtype),
	       s.in.dims[0], s.in.dims[1], s.in.dims[2], s.in.dims[3], dtype_name(s.out.dtype),
	       s.out.dims[0], s.out.dims[1], s.out.dims[2], s.out.dims[3], (double)s.out.scale,
	       s.out.zero_point);
	for (; optind < argc; optind++) {
		double t0;

		if (load_input(argv[optind], raw, &s.in, s.in_buf)) {
			status = EXIT_IO;
			goto out;
		}
		t0 = now_us();
		rc = infer(&s);
		if (rc) {
			fprintf(stderr, "aiot-run: %s: inference failed: %s\n", argv[optind],
				strerror(-rc));
			status = EXIT_FAIL;
			goto out;
		}
		print_scores(&s, argv[optind], now_us() - t0, labels, nlabels);
	}
	if (bench_n) {
		rc = bench(&s, bench_n);
		if (rc) {
			fprintf(stderr, "aiot-run: bench: %s\n", strerror(-rc));
			status = EXIT_FAIL;
		}
	}
out:
	free(label_copy);
	free(replay_copy);
	close_session(&s);
	return status;
}
