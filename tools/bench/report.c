// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-bench's report: each path's figures, the ratios between paths and
 * the saturated run.
 */
#include <stdio.h>

#include "bench.h"

/* ------------------------------------------------------------ report */

void print_result(const struct ctx *c, enum path p, const struct result *r)
{
	char a[32], b[32], d[32], e[32], lb[32];

	printf("%s: %zu decisions in %.1f s: %.2f inferences/s\n", path_titles[p], r->lat.n,
	       (double)r->elapsed_ns / 1e9, per_second(r));
	printf("  capture->decision  p50 %s  p99 %s  max %s\n",
	       lp_fmt_time(a, sizeof(a), (double)percentile(r, 0.50)),
	       lp_fmt_time(b, sizeof(b), (double)percentile(r, 0.99)),
	       lp_fmt_time(d, sizeof(d), r->lat.n ? (double)lp_latencies_max(&r->lat) : 0));
	printf("  CPU bytes copied   %s per inference (application %s, library %s, driver %s)\n",
	       lp_fmt_bytes(a, sizeof(a), copied_per_inf(r)),
	       lp_fmt_bytes(b, sizeof(b), r->lat.n ? (double)r->app_copied / (double)r->lat.n : 0),
	       lp_fmt_bytes(d, sizeof(d), r->lat.n ? (double)r->lib_copied / (double)r->lat.n : 0),
	       r->drv_known ? lp_fmt_bytes(e, sizeof(e), (double)r->drv_copied / (double)r->lat.n) :
			      "n/a");
	printf("  CPU time           %s per inference; %llu periods dropped, %llu errors\n",
	       lp_fmt_time(a, sizeof(a), r->lat.n ? (double)r->cpu_ns / (double)r->lat.n : 0),
	       (unsigned long long)r->drops, (unsigned long long)r->errors);
	printf("  decisions:");
	for (unsigned int k = 0; k < MAX_LABELS; k++)
		if (r->class_count[k])
			printf(" %s %u", label_of(c, k, lb, sizeof(lb)), r->class_count[k]);
	printf("\n");
}

static void ratio(const char *what, double a, double b, const char *unit)
{
	if (b > 0)
		printf(" %s %.2fx%s", what, a / b, unit);
	else
		printf(" %s n/a", what);
}

void print_ratios(const struct result *a, const struct result *x, const char *name)
{
	char b1[32], b2[32];

	printf("(a)/%s:", name);
	ratio("latency p50", (double)percentile(a, 0.5), (double)percentile(x, 0.5), ",");
	ratio("p99", (double)percentile(a, 0.99), (double)percentile(x, 0.99), ",");
	ratio("inferences/s", per_second(a), per_second(x), ",");
	ratio("CPU time/inference", a->lat.n ? (double)a->cpu_ns / (double)a->lat.n : 0,
	      x->lat.n ? (double)x->cpu_ns / (double)x->lat.n : 0, ",");
	printf(" bytes copied %s vs %s per inference\n",
	       lp_fmt_bytes(b1, sizeof(b1), copied_per_inf(a)),
	       lp_fmt_bytes(b2, sizeof(b2), copied_per_inf(x)));
}

/*
 * The sensor faster than the NPU: each path runs flat out, and the slots it
 * cannot take are dropped (DROP_NEWEST). Latency is not reported: it is
 * mostly the time frames wait in the ring.
 */
void saturate(struct ctx *c, const struct result *paced)
{
	static struct result sat[PATH_COUNT];
	unsigned int rate = c->st.rate_hz;
	double duration = c->o->duration;

	lp_stream_set_rate(&c->st, c->st.max_rate_hz);
	c->o->duration = c->o->saturate;
	if (c->st.replaying)
		write_recording(c);
	printf("saturated: sensor at %u Hz, %.0f s per path:", c->st.rate_hz, c->o->duration);
	fflush(stdout);
	for (int p = 0; p < PATH_COUNT && !interrupted; p++) {
		bool q = c->o->quiet;

		if (!paced[p].ran)
			continue;
		c->o->quiet = true;
		if (p == PATH_ZERO_COPY)
			run_zero_copy(c, &sat[p], false);
		else if (p == PATH_COPY)
			run_copy(c, &sat[p]);
		else
			run_tcp(c, &sat[p]);
		c->o->quiet = q;
		printf(" %s %.2f inferences/s%s", path_names[p], per_second(&sat[p]),
		       p + 1 < PATH_COUNT && paced[p + 1].ran ? "," : "\n");
		fflush(stdout);
	}
	if (sat[PATH_ZERO_COPY].ran && sat[PATH_COPY].ran)
		printf("saturated inferences/s (a)/(b) %.2fx", per_second(&sat[PATH_ZERO_COPY]) /
		       per_second(&sat[PATH_COPY]));
	if (sat[PATH_ZERO_COPY].ran && sat[PATH_TCP].ran)
		printf(", (a)/(c) %.2fx", per_second(&sat[PATH_ZERO_COPY]) / per_second(&sat[PATH_TCP]));
	printf("\n");
	for (int p = 0; p < PATH_COUNT; p++)
		lp_latencies_free(&sat[p].lat);
	lp_stream_set_rate(&c->st, rate);
	c->o->duration = duration;
}
