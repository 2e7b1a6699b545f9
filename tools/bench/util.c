// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-bench's helpers: the fatal message, a path's result and its
 * figures, the labels, the sensor and the replay through the live pipeline,
 * the progress line.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"

const char *const path_names[PATH_COUNT] = { "zero-copy", "copy", "tcp" };
const char *const path_titles[PATH_COUNT] = {
	"(a) zero-copy, fenced", "(b) dequeue + copy", "(c) loopback TCP to a server",
};

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tool_vmsg(PROG, fmt, ap);
	va_end(ap);
	exit(1);
}

void result_add(struct result *r, uint64_t lat)
{
	if (lp_latencies_add(&r->lat, lat))
		die("out of memory");
}

uint64_t percentile(const struct result *r, double p)
{
	return lp_latencies_percentile(&r->lat, p);
}

double per_second(const struct result *r)
{
	return r->elapsed_ns ? (double)r->lat.n * 1e9 / (double)r->elapsed_ns : 0;
}

double copied_per_inf(const struct result *r)
{
	return r->lat.n ? (double)(r->app_copied + r->lib_copied + r->drv_copied) /
			  (double)r->lat.n : 0;
}

/* ------------------------------------------------------------ scores */

const char *label_of(const struct ctx *c, unsigned int i, char *buf, size_t len)
{
	return lp_label(c->o->labels, c->o->label_count, i, buf, len);
}

void count_class(const struct ctx *c, struct result *r, const void *scores)
{
	double s;
	unsigned int k = lp_best_class(c->st.out, scores, &s);

	if (k < MAX_LABELS)
		r->class_count[k]++;
}

/* ------------------------------------------------------------ sensor */

struct aiot_sensor *open_sensor(const char *name)
{
	struct aiot_sensor *s = NULL;
	char err[LP_ERR_LEN];

	if (lp_open_sensor(name, &s, err, sizeof(err)))
		die("%s", err);
	return s;
}

/* Configure a stream for the model; the caller owns the stream. */
struct aiot_sensor *configure_sensor(struct ctx *c, unsigned int slots)
{
	struct aiot_sensor *s = NULL;
	char err[LP_ERR_LEN];

	if (lp_configure(&c->st, slots, &s, err, sizeof(err)))
		die("%s", err);
	return s;
}

/* The replayed images as aiot-sim's replay firmware, at the current rate. */
void write_recording(struct ctx *c)
{
	char err[LP_ERR_LEN];

	if (lp_replay_install(&c->st, &c->replay, c->o->hold, err, sizeof(err)))
		die("%s", err);
}

/* ---------------------------------------------------------- progress */

void progress_init(struct lp_progress *p, const char *name, double total_s)
{
	lp_progress_init(p, name, total_s, 0);
}

void progress_tick(struct lp_progress *p, const struct result *r, bool quiet)
{
	lp_progress_tick(p, r->lat.n, r->lat.n ? r->lat.v[r->lat.n - 1] : 0, quiet);
}

void path_start(const struct ctx *c, struct aiot_sensor *s, enum path p, struct path_run *run)
{
	int ret;

	run->drv0 = lp_driver_copied(s, &run->drv0_ok);
	run->cpu0 = lp_cpu_self_ns();
	if ((ret = aiot_sensor_start(s)))
		die("start %s: %s", c->o->sensor, aiot_strerror(ret));
	run->t0 = lp_now_ns();
	run->end = run->t0 + (uint64_t)(c->o->duration * 1e9);
	progress_init(&run->pg, path_names[p], c->o->duration);
}

bool path_running(const struct path_run *run)
{
	return !interrupted && lp_now_ns() < run->end;
}

void path_decision(const struct ctx *c, struct result *r, struct path_run *run,
		   uint64_t capture_ns, const void *scores)
{
	result_add(r, lp_now_ns() - capture_ns);
	count_class(c, r, scores);
	progress_tick(&run->pg, r, c->o->quiet);
}

void path_stop(const struct ctx *c, struct result *r, struct path_run *run,
	       struct aiot_sensor *s)
{
	uint64_t drv1;
	bool ok1;

	r->elapsed_ns = lp_now_ns() - run->t0;
	lp_progress_done(&run->pg, c->o->quiet);
	aiot_sensor_stop(s);
	r->cpu_ns = lp_cpu_self_ns() - run->cpu0;
	drv1 = lp_driver_copied(s, &ok1);
	r->drv_known = run->drv0_ok && ok1;
	r->drv_copied = r->drv_known ? drv1 - run->drv0 : 0;
}
