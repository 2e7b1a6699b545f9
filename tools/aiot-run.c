// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-run: run a compiled model on files and print its decision.
 *
 *   aiot-run [--device npu|cpu] MODEL.aiot INPUT...
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
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <aiot/accel.h>
#include <aiot/model_format.h>
#include <linux/aiot_isa.h>

#include "cpu_model.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_IO = 3 };

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
		"\n"
		"Run a compiled model (aiot-compile) on input files and print the scores.\n"
		"\n"
		"  -d, --device npu|cpu   npu: the aiot accelerator (default when one is\n"
		"                         present); cpu: the userspace reference executor\n"
		"  -a, --accel PATH       accelerator node (default: the first aiot device)\n"
		"  -l, --labels a,b,...   class names of the outputs\n"
		"  -r, --raw              inputs are raw tensor bytes (exactly its size)\n"
		"  -b, --bench N          run N timed inferences on the (last) input, or on\n"
		"                         zeros without INPUT; print inferences/s, p50, p99\n"
		"  -h, --help             this text\n"
		"\n"
		"INPUT: .bmp (8-bit grayscale; pixel bytes fed unchanged, top row first),\n"
		".wav (16-bit mono PCM, into an int16 input), or any file with --raw.\n"
		"Exit status: 0 ok; 1 load/run failed; 2 usage; 3 input file unusable.\n");
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static const char *dtype_name(int dtype)
{
	switch (dtype) {
	case AIOT_ISA_DTYPE_INT8: return "int8";
	case AIOT_ISA_DTYPE_INT16: return "int16";
	case AIOT_ISA_DTYPE_INT32: return "int32";
	default: return "?";
	}
}

static size_t dtype_size(int dtype)
{
	return dtype == AIOT_ISA_DTYPE_INT32 ? 4 : dtype == AIOT_ISA_DTYPE_INT16 ? 2 : 1;
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
	int rc = accel_path ? aiot_accel_open(accel_path, &s->accel) :
			      aiot_accel_open_default(&s->accel);

	if (rc) {
		if (!quiet)
			fprintf(stderr, "aiot-run: no aiot accelerator%s%s: %s\n",
				accel_path ? " at " : "", accel_path ? accel_path : "",
				aiot_strerror(rc));
		return rc;
	}
	rc = aiot_model_load_file(s->accel, path, &s->model, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "aiot-run: %s: %s\n", path, err);
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
			 char *const *labels, unsigned int nlabels)
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

	if (!lat)
		return -ENOMEM;
	t0 = now_us();
	for (long i = 0; !rc && i < n; i++) {
		double a = now_us();

		rc = infer(s);
		lat[i] = now_us() - a;
	}
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

static unsigned int split_labels(char *list, char **labels)
{
	unsigned int n = 0;

	for (char *tok = strtok(list, ","); tok && n < MAX_LABELS; tok = strtok(NULL, ","))
		labels[n++] = tok;
	return n;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "accel", required_argument, NULL, 'a' },
		{ "labels", required_argument, NULL, 'l' },
		{ "raw", no_argument, NULL, 'r' },
		{ "bench", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *device = NULL, *accel_path = NULL, *label_arg = NULL, *model_path;
	struct session s = { 0 };
	char *labels[MAX_LABELS], *label_copy = NULL, *end;
	unsigned int nlabels = 0;
	long bench_n = 0;
	bool raw = false;
	int c, rc, status = EXIT_OK;

	while ((c = getopt_long(argc, argv, "d:a:l:rb:h", opts, NULL)) != -1) {
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
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (device && strcmp(device, "cpu") && strcmp(device, "npu")) {
		fprintf(stderr, "aiot-run: unknown device \"%s\" (npu or cpu)\n", device);
		return EXIT_USAGE;
	}
	if (optind >= argc || (optind == argc - 1 && !bench_n)) {
		fprintf(stderr, "aiot-run: %s\n", optind >= argc ? "no model given" :
			"no input given");
		usage(stderr);
		return EXIT_USAGE;
	}
	model_path = argv[optind++];

	if (!device || !strcmp(device, "npu")) {
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
	close_session(&s);
	return status;
}
