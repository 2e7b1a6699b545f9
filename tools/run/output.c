// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-run's output: the scores of an inference, --bench's throughput and
 * latency percentiles, the class labels.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "run.h"

double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* An output's values, quantized and real, and the top class; pad before each line. */
static void print_output(const struct tensor_desc *d, const uint8_t *buf, const char *pad,
			 const char *const *labels, unsigned int nlabels)
{
	size_t count = d->size / dtype_size(d->dtype), best = 0;
	int64_t best_v = 0;

	for (size_t i = 0; i < count; i++) {
		int64_t q = aiot_dtype_load((unsigned int)d->dtype, buf, i);
		double real = (double)d->scale * (double)(q - d->zero_point);

		if (i == 0 || q > best_v) {
			best = i;
			best_v = q;
		}
		if (d->dequantize)
			/* The graph's own float32 output: TFLite's DEQUANTIZE, exactly. */
			printf("%s  [%zu] %s%s%.9g  (%s %lld)\n", pad, i,
			       i < nlabels ? labels[i] : "", i < nlabels ? " " : "",
			       (double)(float)real, dtype_name(d->dtype), (long long)q);
		else if (i < nlabels)
			printf("%s  [%zu] %-12s %s %6lld  %.6f\n", pad, i, labels[i],
			       dtype_name(d->dtype), (long long)q, real);
		else
			printf("%s  [%zu] %s %6lld  %.6f\n", pad, i, dtype_name(d->dtype),
			       (long long)q, real);
	}
	if (count > 1) {
		if (best < nlabels)
			printf("%s  -> %s (class %zu)\n", pad, labels[best], best);
		else
			printf("%s  -> class %zu\n", pad, best);
	}
}

void print_scores(const struct session *s, const char *input, double us,
		  const char *const *labels, unsigned int nlabels)
{
	printf("%s: %.3f ms on %s\n", input, us / 1000.0, s->npu ? "npu" : "cpu");
	if (s->output_count == 1) {
		print_output(&s->out, s->out_buf, "", labels, nlabels);
		return;
	}
	for (unsigned int j = 0; j < s->output_count; j++) {
		const struct tensor_desc *d = &s->outs[j];

		printf("  output %u \"%s\" %s [%ux%ux%ux%u]:\n", j, d->name, dtype_name(d->dtype),
		       d->dims[0], d->dims[1], d->dims[2], d->dims[3]);
		print_output(d, s->out_bufs[j], "  ", labels, j == 0 ? nlabels : 0);
	}
}

static void print_desc(const char *what, unsigned int index, const struct tensor_desc *d)
{
	printf("  %s %u \"%s\" %s [%ux%ux%ux%u] scale %g zero point %d%s\n", what, index,
	       d->name, dtype_name(d->dtype), d->dims[0], d->dims[1], d->dims[2], d->dims[3],
	       (double)d->scale, d->zero_point, d->dequantize ? ", dequantized to float32" : "");
}

void print_model(const struct session *s, const char *model_path)
{
	const char *name = s->name[0] ? s->name : model_path;

	if (s->input_count == 1 && s->output_count == 1) {
		printf("model %s: input %s [%ux%ux%ux%u], output %s [%ux%ux%ux%u] scale %g zero "
		       "point %d%s\n", name, dtype_name(s->in.dtype), s->in.dims[0],
		       s->in.dims[1], s->in.dims[2], s->in.dims[3], dtype_name(s->out.dtype),
		       s->out.dims[0], s->out.dims[1], s->out.dims[2], s->out.dims[3],
		       (double)s->out.scale, s->out.zero_point,
		       s->out.dequantize ? ", dequantized to float32" : "");
		return;
	}
	printf("model %s: %u inputs, %u outputs\n", name, s->input_count, s->output_count);
	for (unsigned int i = 0; i < s->input_count; i++)
		print_desc("input", i, &s->ins[i]);
	for (unsigned int j = 0; j < s->output_count; j++)
		print_desc("output", j, &s->outs[j]);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* "  WHAT min .. ms, p50 .. ms, p99 .. ms, max .. ms" of n sorted us. */
static void print_percentiles(const char *what, const double *us, long n)
{
	printf("  %s min %.3f ms, p50 %.3f ms, p99 %.3f ms, max %.3f ms\n", what,
	       us[0] / 1000.0, us[(size_t)((n - 1) * 0.50)] / 1000.0,
	       us[(size_t)((n - 1) * 0.99)] / 1000.0, us[n - 1] / 1000.0);
}

int bench(struct session *s, long n)
{
	double *lat = malloc((size_t)n * sizeof(*lat)), t0, total;
	double *dev = malloc((size_t)n * sizeof(*dev));
	int rc = infer(s); /* warm-up: caches, first-touch page faults */
	struct lp_progress pg;

	if (!lat || !dev) {
		free(lat);
		free(dev);
		return -ENOMEM;
	}
	/* Long runs: a progress line on stderr after 5 s (tools/pipeline/). */
	lp_progress_init(&pg, "bench", 0, (size_t)n);
	pg.what = "inferences";
	t0 = now_us();
	for (long i = 0; !rc && i < n; i++) {
		double a = now_us();

		rc = infer(s);
		lat[i] = now_us() - a;
		dev[i] = s->npu ? s->device_ns / 1e3 : 0;
		lp_progress_tick(&pg, (size_t)i + 1, (uint64_t)(lat[i] * 1e3), false);
	}
	lp_progress_done(&pg, false);
	total = now_us() - t0;
	if (!rc) {
		qsort(lat, (size_t)n, sizeof(*lat), cmp_double);
		printf("bench %s on %s%s%s: %ld inferences in %.1f ms: %.1f inferences/s\n",
		       s->name, s->npu ? "npu" : "cpu", s->npu ? " " : "",
		       s->npu ? aiot_accel_get_path(s->accel) : "", n, total / 1000.0,
		       n / (total / 1e6));
		print_percentiles("latency", lat, n);
		/* The kernel's record of each job: its time on the device. */
		if (s->npu) {
			qsort(dev, (size_t)n, sizeof(*dev), cmp_double);
			print_percentiles("device (JOB_WAIT started->ended)", dev, n);
		}
	}
	free(lat);
	free(dev);
	return rc;
}

const char *default_labels(const char *name)
{
	if (!strcmp(name, "person_detect"))
		return "no_person,person";
	if (!strcmp(name, "micro_speech_quantized"))
		return "silence,unknown,yes,no";
	return NULL;
}

unsigned int split_labels(char *list, const char **labels)
{
	unsigned int n = 0;

	for (char *tok = strtok(list, ","); tok && n < MAX_LABELS; tok = strtok(NULL, ","))
		labels[n++] = tok;
	return n;
}
