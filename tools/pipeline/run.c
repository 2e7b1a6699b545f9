// SPDX-License-Identifier: GPL-2.0-only
/*
 * The zero-copy live pipeline itself (live_pipeline.h): slots imported
 * into the accelerator, a job queued ahead on every slot, decisions.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/dtype.h"
#include "internal.h"
#include "live_pipeline.h"

/* ----------------------------------------------------- the pipeline */

/* A job on slot i: the slot as the model's input, out[i] as its output. */
static int submit_on(const struct lp_stream *st, struct aiot_job_config *cfg,
		     struct aiot_buffer *slot, struct aiot_buffer *out, struct aiot_job **job)
{
	aiot_job_config_set_binding(cfg, st->in_binding, slot);
	aiot_job_config_set_binding(cfg, st->out_binding, out);
	return aiot_model_submit(st->model, cfg, job);
}

void lp_decision_times(struct lp_decision *d, const struct aiot_sensor *s,
		       const struct aiot_job *job, uint64_t decided_ns)
{
	uint64_t done = 0, started = 0, ended = 0;

	d->has_dma_done = !aiot_sensor_get_slot_timing(s, d->slot.index, NULL, &done) &&
			  !aiot_job_get_timing(job, NULL, NULL, &started, &ended) &&
			  started >= done && ended >= started && decided_ns >= done;
	if (!d->has_dma_done)
		return;
	d->dma_to_start_ns = started - done;
	d->dma_to_decision_ns = decided_ns - done;
	d->device_ns = ended - started;
}

int lp_run_zero_copy(const struct lp_stream *st, const struct lp_run_opts *o,
		     struct lp_run_stats *stats, char *err, size_t len)
{
	unsigned int n = o->slots;
	struct aiot_buffer *slot_buf[LP_MAX_SLOTS] = { 0 }, *out_buf[LP_MAX_SLOTS] = { 0 };
	struct aiot_job *job[LP_MAX_SLOTS] = { 0 };
	const uint8_t *out_map[LP_MAX_SLOTS];
	struct aiot_job_config *cfg;
	struct aiot_sensor *s = NULL;
	uint64_t lib0, drv0, drv1, cpu0, t0 = 0, end = 0, first_ts = 0;
	struct lp_sequence seq = { 0 };
	bool started = false, ok0, ok1;
	int ret;

	memset(stats, 0, sizeof(*stats));
	if (n < 2 || n > LP_MAX_SLOTS)
		return lp_fail(-EINVAL, err, len, "%u slots: the pipeline takes 2..%d", n,
			       LP_MAX_SLOTS);
	cfg = aiot_job_config_new();
	if (!cfg)
		return lp_fail(-ENOMEM, err, len, "out of memory");
	lib0 = aiot_accel_get_stat(st->accel, AIOT_STAT_BYTES_COPIED);
	if ((ret = lp_configure(st, n, &s, err, len)))
		goto out;
	for (unsigned int i = 0; i < n; i++) {
		void *p;

		if ((ret = aiot_sensor_import_slot(s, i, st->accel, &slot_buf[i]))) {
			lp_fail(ret, err, len, "import slot %u of %s into the accelerator: %s", i,
				st->sensor, aiot_strerror(ret));
			goto out;
		}
		if ((ret = aiot_buffer_create(st->accel, st->out_offset + st->out_size,
					      &out_buf[i])) ||
		    (ret = aiot_buffer_map(out_buf[i], &p))) {
			lp_fail(ret, err, len, "output buffer: %s", aiot_strerror(ret));
			goto out;
		}
		out_map[i] = (const uint8_t *)p + st->out_offset;
	}
	drv0 = lp_driver_copied(s, &ok0);
	cpu0 = lp_cpu_self_ns();
	if ((ret = aiot_sensor_start(s))) {
		lp_fail(ret, err, len, "start %s: %s", st->sensor, aiot_strerror(ret));
		goto out;
	}
	started = true;
	/* A job on every slot before its DMA even started: each waits for its fence. */
	for (unsigned int i = 0; i < n; i++) {
		if ((ret = submit_on(st, cfg, slot_buf[i], out_buf[i], &job[i]))) {
			lp_fail(ret, err, len, "submit: %s", aiot_strerror(ret));
			goto out;
		}
	}
	t0 = lp_now_ns();
	end = o->duration_ns ? t0 + o->duration_ns : UINT64_MAX;
	while (!(o->stop && *o->stop) && lp_now_ns() < end &&
	       (!o->max_slots || stats->slots < o->max_slots)) {
		struct lp_decision d = { 0 };
		unsigned int i;

		ret = aiot_sensor_dequeue(s, 2 * LP_NS + (int64_t)(LP_NS / st->slot_rate_hz),
					  &d.slot);
		if (ret) {
			lp_fail(ret, err, len, "dequeue from %s: %s", st->sensor, aiot_strerror(ret));
			goto out;
		}
		i = d.slot.index;
		if (i >= n || !job[i]) {
			ret = lp_fail(-EPROTO, err, len, "dequeued slot %u that has no job", i);
			goto out;
		}
		if ((ret = aiot_job_wait(job[i], 10 * LP_NS))) {
			lp_fail(ret, err, len, "waiting for the job on slot %u: %s", i,
				aiot_strerror(ret));
			goto out;
		}
		d.latency_ns = lp_now_ns() - d.slot.timestamp_ns;
		lp_decision_times(&d, s, job[i], d.latency_ns + d.slot.timestamp_ns);
		stats->drops += lp_sequence_gap(&seq, d.slot.sequence);
		if (!first_ts)
			first_ts = d.slot.timestamp_ns;
		d.first_ts = first_ts;
		stats->slots++;
		if ((d.slot.flags & AIOT_SENSOR_BUF_ERROR) || aiot_job_get_status(job[i])) {
			d.error = true;
			stats->errors++;
		} else {
			d.scores = out_map[i];
			stats->decisions++;
		}
		if (o->on_decision)
			o->on_decision(o->arg, &d);
		aiot_job_free(job[i]);
		job[i] = NULL;
		/* The job is done: the slot goes back to the DMA, then a job waits on it. */
		if ((ret = aiot_sensor_queue(s, i))) {
			lp_fail(ret, err, len, "queue slot %u: %s", i, aiot_strerror(ret));
			goto out;
		}
		if ((ret = submit_on(st, cfg, slot_buf[i], out_buf[i], &job[i]))) {
			lp_fail(ret, err, len, "submit: %s", aiot_strerror(ret));
			goto out;
		}
	}
	ret = 0;
out:
	if (t0)
		stats->elapsed_ns = lp_now_ns() - t0;
	if (s)
		aiot_sensor_stop(s);	/* pending fences signal -ECANCELED: the jobs complete */
	for (unsigned int i = 0; i < n; i++) {
		if (job[i])
			aiot_job_wait(job[i], 10 * LP_NS);
		aiot_job_free(job[i]);
	}
	if (started) {
		stats->cpu_ns = lp_cpu_self_ns() - cpu0;
		stats->lib_copied = aiot_accel_get_stat(st->accel, AIOT_STAT_BYTES_COPIED) - lib0;
		drv1 = lp_driver_copied(s, &ok1);
		stats->drv_known = ok0 && ok1;
		stats->drv_copied = stats->drv_known ? drv1 - drv0 : 0;
	}
	for (unsigned int i = 0; i < n; i++) {
		aiot_buffer_free(slot_buf[i]);
		aiot_buffer_free(out_buf[i]);
	}
	aiot_job_config_free(cfg);
	aiot_sensor_close(s);
	return ret;
}

void lp_print_decision(const struct lp_stream *st, const struct lp_decision *d,
		       const char *const *labels, unsigned int label_count)
{
	char a[32], lb[32];
	double score;
	unsigned int k;

	if (d->error) {
		printf("#%-5llu t=%6.2f s  %-12s        %s\n", (unsigned long long)d->slot.sequence,
		       (double)(d->slot.timestamp_ns - d->first_ts) / 1e9, "error",
		       (d->slot.flags & AIOT_SENSOR_BUF_ERROR) ? "the slot's DMA failed" :
		       "the job failed");
	} else {
		k = lp_best_class(st->out, d->scores, &score);
		printf("#%-5llu t=%6.2f s  %-12s %.2f   capture->decision %s",
		       (unsigned long long)d->slot.sequence,
		       (double)(d->slot.timestamp_ns - d->first_ts) / 1e9,
		       lp_label(labels, label_count, k, lb, sizeof(lb)), score,
		       lp_fmt_time(a, sizeof(a), (double)d->latency_ns));
		if (d->has_dma_done) {
			printf("  DMA done->job start %s",
			       lp_fmt_time(a, sizeof(a), (double)d->dma_to_start_ns));
			printf(" ->decision %s",
			       lp_fmt_time(a, sizeof(a), (double)d->dma_to_decision_ns));
			printf(" device %s", lp_fmt_time(a, sizeof(a), (double)d->device_ns));
		}
		printf("\n");
	}
	fflush(stdout);
}
