// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-run --sensor: the model on every slot of a live sensor stream, on
 * the NPU with no copy (the live pipeline, tools/pipeline/), each decision
 * printed with its capture -> decision latency, then a summary.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "run.h"

/* ------------------------------------------------------------ --sensor */


struct live_state {
	const struct lp_stream *st;
	const char *const *labels;
	unsigned int nlabels;
	struct lp_latencies lat;
	/* from the slots' DMA completion: to the job's start, to the decision; device */
	struct lp_latencies to_start, to_decision, device;
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
		if (d->has_dma_done) {
			(void)lp_latencies_add(&l->to_start, d->dma_to_start_ns);
			(void)lp_latencies_add(&l->to_decision, d->dma_to_decision_ns);
			(void)lp_latencies_add(&l->device, d->device_ns);
		}
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

int run_live(const struct live_opts *lo, struct session *s, const char *model_path,
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

	/* From here on Ctrl-C ends the run cleanly, even during the timing runs. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	/* How fast is the NPU? Without --rate, the sensor runs at half of that. */
	if ((rc = lp_calibrate(s->model, &t_inf))) {
		fprintf(stderr, "aiot-run: %s: timing run on the NPU failed: %s\n", model_path,
			aiot_strerror(rc));
		goto out;
	}
	lp_stream_set_rate(&st, lo->rate ? lo->rate : lp_auto_rate(&st, t_inf));
	if (lo->image_count &&
	    lp_replay_install(&st, &replay, lo->hold, err, sizeof(err))) {
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
	printf("a slot's timestamp is its first sample: capture->decision includes the slot's own "
	       "%s of capture; the DMA-done intervals start when its DMA completed\n",
	       lp_fmt_time(a, sizeof(a), 1e9 / st.slot_rate_hz));
	printf("streaming ");
	if (lo->count)
		printf("%llu slots%s", (unsigned long long)lo->count, lo->duration > 0 ? " at most" : "");
	if (lo->duration > 0)
		printf("%sfor %g s", lo->count ? ", " : "", lo->duration);
	if (!lo->count && lo->duration <= 0)
		printf("until Ctrl-C");
	printf(": every slot goes to the NPU without a copy\n");
	fflush(stdout);

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
	if (l.to_start.n) {
		struct lp_latencies *iv[] = { &l.to_start, &l.to_decision, &l.device };
		const char *const name[] = { "DMA done->job start", "DMA done->decision",
					     "device" };

		printf("timing:");
		for (int i = 0; i < 3; i++) {
			lp_latencies_sort(iv[i]);
			printf("%s %s p50 %s", i ? "," : "", name[i],
			       lp_fmt_time(a, sizeof(a), (double)lp_latencies_percentile(iv[i], 0.5)));
			printf(" p99 %s", lp_fmt_time(a, sizeof(a),
						     (double)lp_latencies_percentile(iv[i], 0.99)));
			printf(" max %s", lp_fmt_time(a, sizeof(a), (double)lp_latencies_max(iv[i])));
		}
		printf("\n");
	}
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
	lp_latencies_free(&l.to_start);
	lp_latencies_free(&l.to_decision);
	lp_latencies_free(&l.device);
	lp_replay_free(&replay);
	return status;
}
