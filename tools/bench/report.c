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

	printf("(a) / %.3s:", name);
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
		run_path(c, (enum path)p, &sat[p]);
		c->o->quiet = q;
		printf(" %s %.2f inferences/s%s", path_names[p], per_second(&sat[p]),
		       p + 1 < PATH_COUNT && paced[p + 1].ran ? "," : "");
		fflush(stdout);
	}
	printf("\nsaturated inferences/s relative to (a):");
	for (int p = PATH_RELAY; p < PATH_COUNT; p++)
		if (sat[PATH_ZERO_COPY].ran && sat[p].ran)
			printf(" %s %.2fx", path_names[p], per_second(&sat[PATH_ZERO_COPY]) /
			       per_second(&sat[p]));
	printf("\n");
	for (int p = 0; p < PATH_COUNT; p++)
		result_free(&sat[p]);
	lp_stream_set_rate(&c->st, rate);
	c->o->duration = duration;
}

/* ------------------------------------------------------ latency table */

static uint64_t iv_pct(struct result *r, enum interval iv, double p)
{
	return lp_latencies_percentile(result_iv(r, iv), p);
}

static uint64_t iv_max(struct result *r, enum interval iv)
{
	return lp_latencies_max(result_iv(r, iv));
}

static void sort_all(struct result res[LOAD_COUNT][PATH_COUNT])
{
	for (int l = 0; l < LOAD_COUNT; l++)
		for (int p = 0; p < PATH_COUNT; p++)
			for (int i = 0; i < IV_COUNT; i++)
				lp_latencies_sort(result_iv(&res[l][p], (enum interval)i));
}

static void ms3(struct result *r, enum interval iv)
{
	printf(" %8.2f %8.2f %8.2f |", (double)iv_pct(r, iv, 0.5) / 1e6,
	       (double)iv_pct(r, iv, 0.99) / 1e6, (double)iv_max(r, iv) / 1e6);
}

void print_table(const struct ctx *c, struct result res[LOAD_COUNT][PATH_COUNT])
{
	sort_all(res);
	printf("\nlatency of %s, ms (p50 p99 max); 'DMA done' is when the slot's DMA completed "
	       "(its write fence signalled):\n", aiot_model_get_name(c->st.model));
	for (int l = 0; l < LOAD_COUNT; l++) {
		struct result *fenced = &res[l][PATH_ZERO_COPY];

		if (!c->o->loads[l])
			continue;
		printf("%s%s:\n", load_names[l],
		       l == LOAD_CPU ? " (a nice-0 CPU hog per CPU)" : "");
		printf("  %-38s | %-26s | %-26s | %-26s | start p99 / fenced's\n", "path",
		       "DMA done->job start", "DMA done->decision", "device");
		for (int p = 0; p < PATH_COUNT; p++) {
			struct result *r = &res[l][p];

			if (!r->ran)
				continue;
			printf("  %-38s |", path_titles[p]);
			for (int i = 0; i < IV_CAPTURE_TO_DECISION; i++)
				ms3(r, (enum interval)i);
			if (fenced->ran && iv_pct(fenced, IV_DMA_TO_START, 0.99))
				printf(" %.1fx\n", (double)iv_pct(r, IV_DMA_TO_START, 0.99) /
						   (double)iv_pct(fenced, IV_DMA_TO_START, 0.99));
			else
				printf(" n/a\n");
		}
	}
	if (res[LOAD_CPU][PATH_ZERO_COPY].ran) {
		struct result *f = &res[LOAD_CPU][PATH_ZERO_COPY];
		double fp99 = (double)iv_pct(f, IV_DMA_TO_START, 0.99);

		printf("targets under load: fenced DMA done->job start p99 %.2f ms", fp99 / 1e6);
		for (int p = PATH_RELAY; p < PATH_COUNT; p++)
			if (res[LOAD_CPU][p].ran)
				printf("; %s %.1fx it (target >= %dx)", path_names[p],
				       (double)iv_pct(&res[LOAD_CPU][p], IV_DMA_TO_START, 0.99) /
				       (fp99 ? fp99 : 1), p >= PATH_TCP ? 20 : 5);
		printf("\n");
	}
}

static void json_path(FILE *out, struct result *r)
{
	fprintf(out, "{\"decisions\":%zu,\"per_s\":%.2f,\"drops\":%llu,\"errors\":%llu,"
		"\"copied_per_inference\":%.0f", r->lat.n, per_second(r),
		(unsigned long long)r->drops, (unsigned long long)r->errors, copied_per_inf(r));
	for (int i = 0; i < IV_COUNT; i++)
		fprintf(out, ",\"%s\":{\"n\":%zu,\"p50_us\":%.1f,\"p99_us\":%.1f,\"max_us\":%.1f}",
			interval_names[i], result_iv(r, (enum interval)i)->n,
			(double)iv_pct(r, (enum interval)i, 0.5) / 1e3,
			(double)iv_pct(r, (enum interval)i, 0.99) / 1e3,
			(double)iv_max(r, (enum interval)i) / 1e3);
	fprintf(out, "}");
}

void write_json(FILE *out, const struct ctx *c, const struct floors *f,
		struct result res[LOAD_COUNT][PATH_COUNT])
{
	bool first = true;

	sort_all(res);
	fprintf(out, "{\"model\":\"%s\",\"sensor\":\"%s\",\"rate_hz\":%u,\"slots\":%u,",
		aiot_model_get_name(c->st.model), c->o->sensor, c->st.rate_hz, c->o->slots);
	if (f->ran) {
		json_floors(out, f);
		fprintf(out, ",");
	}
	fprintf(out, "\"paths\":{");
	for (int p = 0; p < PATH_COUNT; p++) {
		bool any = false;

		for (int l = 0; l < LOAD_COUNT; l++)
			any |= res[l][p].ran;
		if (!any)
			continue;
		fprintf(out, "%s\"%s\":{", first ? "" : ",", path_names[p]);
		first = false;
		for (int l = 0, n = 0; l < LOAD_COUNT; l++) {
			struct result *fenced = &res[l][PATH_ZERO_COPY];

			if (!res[l][p].ran)
				continue;
			fprintf(out, "%s\"%s\":", n++ ? "," : "", load_names[l]);
			json_path(out, &res[l][p]);
			if (fenced->ran && iv_pct(fenced, IV_DMA_TO_START, 0.99)) {
				/* ratio inserted after the object: keep it a sibling */
				fprintf(out, ",\"%s_start_p99_over_fenced\":%.2f", load_names[l],
					(double)iv_pct(&res[l][p], IV_DMA_TO_START, 0.99) /
					(double)iv_pct(fenced, IV_DMA_TO_START, 0.99));
			}
		}
		fprintf(out, "}");
	}
	fprintf(out, "}}\n");
}
