// SPDX-License-Identifier: GPL-2.0-only
/*
 * The live pipeline's utilities (live_pipeline.h): clocks, human units,
 * latency statistics, the best class of a decision, the progress line.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "../../lib/dtype.h"
#include "internal.h"
#include "live_pipeline.h"

int lp_fail(int ret, char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (err && len) {
		va_start(ap, fmt);
		vsnprintf(err, len, fmt, ap);
		va_end(ap);
	}
	return ret;
}

/* ------------------------------------------------------------ utilities */

uint64_t lp_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * LP_NS + (uint64_t)ts.tv_nsec;
}

uint64_t lp_cpu_self_ns(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * LP_NS +
	       (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000;
}

int lp_device_busy_ns(int drm_fd, uint64_t *ns)
{
	char path[64], line[256];
	unsigned long long v;
	FILE *f;
	int ret = -ENOENT;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", drm_fd);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "drm-engine-npu: %llu ns", &v) == 1) {
			*ns = v;
			ret = 0;
			break;
		}
	fclose(f);
	return ret;
}

const char *lp_fmt_time(char *buf, size_t len, double ns)
{
	if (ns >= 1e9)
		snprintf(buf, len, "%.2f s", ns / 1e9);
	else if (ns >= 1e6)
		snprintf(buf, len, "%.1f ms", ns / 1e6);
	else if (ns >= 1e3)
		snprintf(buf, len, "%.0f us", ns / 1e3);
	else
		snprintf(buf, len, "%.0f ns", ns);
	return buf;
}

const char *lp_fmt_bytes(char *buf, size_t len, double b)
{
	if (b >= 1024.0 * 1024)
		snprintf(buf, len, "%.1f MiB", b / (1024.0 * 1024));
	else if (b >= 1024.0)
		snprintf(buf, len, "%.1f KiB", b / 1024.0);
	else
		snprintf(buf, len, "%.0f B", b);
	return buf;
}

int lp_latencies_add(struct lp_latencies *l, uint64_t ns)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 1024;
		uint64_t *p = realloc(l->v, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		l->v = p;
		l->cap = cap;
	}
	l->v[l->n++] = ns;
	return 0;
}

int lp_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

void lp_latencies_sort(struct lp_latencies *l)
{
	if (l->n)
		qsort(l->v, l->n, sizeof(l->v[0]), lp_cmp_u64);
}

uint64_t lp_latencies_percentile(const struct lp_latencies *l, double p)
{
	size_t i;

	if (!l->n)
		return 0;
	i = (size_t)ceil(p * (double)l->n);
	i = i ? i - 1 : 0;
	if (i >= l->n)
		i = l->n - 1;
	return l->v[i];
}

uint64_t lp_latencies_max(const struct lp_latencies *l)
{
	return l->n ? l->v[l->n - 1] : 0;
}

void lp_latencies_free(struct lp_latencies *l)
{
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

unsigned int lp_best_class(const struct aiot_tensor_info *out, const void *scores,
			   double *score)
{
	float scale = aiot_tensor_info_get_scale(out);
	int32_t zp = aiot_tensor_info_get_zero_point(out);
	enum aiot_dtype t = aiot_tensor_info_get_dtype(out);
	unsigned int esize = aiot_dtype_size(t) ? aiot_dtype_size(t) : 4;
	size_t n = aiot_tensor_info_get_size(out) / esize;
	unsigned int best = 0;
	long bestv = LONG_MIN;

	for (size_t i = 0; i < n; i++) {
		long v = t == AIOT_DTYPE_INT8 ? ((const int8_t *)scores)[i] :
			 t == AIOT_DTYPE_INT16 ? ((const int16_t *)scores)[i] :
			 ((const int32_t *)scores)[i];
		if (v > bestv) {
			bestv = v;
			best = (unsigned int)i;
		}
	}
	*score = scale * (double)(bestv - zp);
	return best;
}

const char *lp_label(const char *const *labels, unsigned int count, unsigned int k,
		     char *buf, size_t len)
{
	if (k < count)
		return labels[k];
	snprintf(buf, len, "class %u", k);
	return buf;
}

/* ------------------------------------------------------------- progress */

void lp_progress_init(struct lp_progress *p, const char *name, double total_s,
		      size_t total_count)
{
	const char *term = getenv("TERM");

	p->name = name;
	p->start = lp_now_ns();
	p->next = p->start + 5 * LP_NS;
	p->total_s = total_s;
	p->total_count = total_count;
	p->what = "decisions";
	/* Serial consoles are ttys too: rewrite the line only on a terminal. */
	p->tty = isatty(STDERR_FILENO) && term && strcmp(term, "linux") && strcmp(term, "dumb");
}

void lp_progress_tick(struct lp_progress *p, size_t decisions, uint64_t last_ns, bool quiet)
{
	uint64_t t = lp_now_ns();
	char a[32], total[32] = "", count[32] = "";

	if (quiet || t < p->next)
		return;
	p->next = t + (p->tty ? LP_NS / 2 : 5 * LP_NS);
	if (p->total_s > 0)
		snprintf(total, sizeof(total), "/%.0f", p->total_s);
	if (p->total_count)
		snprintf(count, sizeof(count), "/%zu", p->total_count);
	fprintf(stderr, "%s  %-10s %4.0f%s s  %6zu%s %s  last %s%s",
		p->tty ? "\r" : "", p->name, (double)(t - p->start) / 1e9, total, decisions, count,
		p->what, lp_fmt_time(a, sizeof(a), (double)last_ns), p->tty ? "   " : "\n");
}

void lp_progress_done(struct lp_progress *p, bool quiet)
{
	if (!quiet && p->tty)
		fprintf(stderr, "\r%70s\r", "");
}
