// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-run --sensor MIC --frontend FE.aiot MODEL.aiot [--replay A.wav,...]:
 * keyword spotting in a standing pipeline (docs/pipeline.md). FE is an
 * audio front end compiled with aiot-compile --rolling-window (one slot of
 * samples in, the feature window out); the kernel runs it on every slot
 * and MODEL on the window every K slots; this program only reads the
 * decision records, prints each (word, score, DMA completion -> decision)
 * and, at the end, the pipeline's counters. With --replay the simulated
 * microphone plays the .wav files one after the other (then loops).
 *
 * The detection rule: the top class of a decision if its probability is
 * at least 200/256 (TFLM micro_speech's threshold), else the first class
 * ("silence"). No averaging over decisions: K = 49 slots is one 0.98 s
 * window per decision, a whole word, and neighbouring windows hold
 * different words.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <aiot/pipeline.h>

#include "../common/sensor_rec.h"
#include "run.h"

#define DETECT_THRESHOLD (200.0 / 256.0)
#define READ_TIMEOUT_NS (30LL * 1000 * 1000 * 1000)

static volatile sig_atomic_t mic_stop;

static void on_mic_signal(int sig)
{
	(void)sig;
	mic_stop = 1;
}

/* The .wav files one after the other as aiot-sim's recording, given to it. */
static int give_recording(struct lp_stream *st, const struct live_opts *lo, size_t *samples,
			  char *err, size_t len)
{
	const size_t hsize = AIOT_SIM_REC_HEADER_SIZE;
	uint8_t *rec = NULL;
	size_t n = 0;
	int rc = 0;

	for (unsigned int i = 0; i < lo->image_count && !rc; i++) {
		int16_t *pcm = NULL;
		size_t count = 0;
		uint8_t *grown;

		rc = read_wav(lo->images[i], &pcm, &count);
		if (rc) {
			snprintf(err, len, "%s: %s", lo->images[i], rc == -EINVAL ?
				 "not a 16-bit mono PCM .wav" : strerror(-rc));
			rc = -EIO;
			break;
		}
		if ((n + count) * 2 > AIOT_SIM_REC_MAX_BYTES - hsize) {
			free(pcm);
			snprintf(err, len, "the recording is too large (at most %u B)",
				 AIOT_SIM_REC_MAX_BYTES);
			rc = -EFBIG;
			break;
		}
		grown = realloc(rec, hsize + (n + count) * 2 + 1);
		if (!grown) {
			free(pcm);
			snprintf(err, len, "out of memory");
			rc = -ENOMEM;
			break;
		}
		rec = grown;
		memcpy(rec + hsize + n * 2, pcm, count * 2);	/* S16_LE, as the .wav */
		n += count;
		free(pcm);
	}
	if (!rc && !n) {
		snprintf(err, len, "--replay: no samples");
		rc = -EIO;
	}
	if (!rc) {
		sensor_rec_header(rec, AIOT_SENSOR_FMT_S16_LE, 1, st->width, st->height,
				  st->rate_hz, rec + hsize, (uint32_t)(n * 2));
		rc = sensor_rec_give(st->node, rec, hsize + n * 2);
		if (rc)
			snprintf(err, len, "cannot give the recording to %s (sysfs %s, root "
				 "only): %s", st->sensor, AIOT_SIM_ATTR_REPLAY_DATA,
				 aiot_strerror(rc));
		else
			st->replaying = true;
	}
	free(rec);
	*samples = n;
	return rc;
}

static int configure(struct lp_stream *st, struct aiot_sensor *mic, unsigned int slots,
		     char *err, size_t len)
{
	struct aiot_sensor_settings *set = aiot_sensor_settings_new();
	int rc;

	if (!set) {
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	rc = aiot_sensor_settings_set_format(set, AIOT_SENSOR_FMT_S16_LE);
	if (!rc)
		rc = aiot_sensor_settings_set_channels(set, 1);
	if (!rc)
		rc = aiot_sensor_settings_set_rate(set, st->rate_hz);
	if (!rc)
		rc = aiot_sensor_settings_set_samples_per_slot(set, st->spp);
	if (!rc)
		rc = aiot_sensor_settings_set_slot_count(set, slots);
	if (!rc)
		rc = aiot_sensor_settings_set_overflow(set, AIOT_SENSOR_OVERFLOW_OVERWRITE_OLDEST);
	if (rc)
		snprintf(err, len, "sensor settings: %s", aiot_strerror(rc));
	else
		rc = lp_replay_configure(st, mic, set, slots, err, len);
	aiot_sensor_settings_free(set);
	return rc;
}

static void print_decision(const struct aiot_pipeline_record *r, const struct session *s,
			   const char *const *labels, unsigned int nlabels)
{
	unsigned int n = r->output_size, best = 0;
	char lb[32], a[32], b[32];
	double p_best;

	if (r->status || r->late) {
		printf("decision %llu (slot %llu): %s%s\n", (unsigned long long)r->period,
		       (unsigned long long)r->sequence, r->late ? "late" : "failed",
		       r->status ? r->status == -ETIME ? " (-ETIME)" : " (error)" : "");
		return;
	}
	for (unsigned int k = 1; k < n; k++)
		if ((int8_t)r->output[k] > (int8_t)r->output[best])
			best = k;
	p_best = ((int8_t)r->output[best] - s->out.zero_point) * (double)s->out.scale;
	printf("decision %llu (slot %llu): word %s score %.3f (%s %.3f) scores",
	       (unsigned long long)r->period, (unsigned long long)r->sequence,
	       lp_label(labels, nlabels, p_best >= DETECT_THRESHOLD ? best : 0, lb, sizeof(lb)),
	       p_best, lp_label(labels, nlabels, best, a, sizeof(a)), p_best);
	for (unsigned int k = 0; k < n; k++)
		printf(" %d", (int8_t)r->output[k]);
	printf(", DMA done->decision %s, device %s\n",
	       lp_fmt_time(a, sizeof(a), (double)(r->decided_ns - r->dma_done_ns)),
	       lp_fmt_time(b, sizeof(b), (double)(r->ended_ns - r->started_ns)));
	fflush(stdout);
}

int run_mic(const struct live_opts *lo, struct session *s, const char *model_path,
	    const char *fe_path, const char *const *labels, unsigned int nlabels)
{
	struct sigaction sa = { .sa_handler = on_mic_signal };
	struct lp_latencies to_decision = { 0 }, device = { 0 };
	struct aiot_pipeline *pl = NULL;
	struct aiot_pipeline_record rec;
	struct aiot_pipeline_stats ps;
	struct aiot_sensor *mic = NULL;
	struct aiot_model *fe = NULL;
	struct lp_stream st;
	uint32_t fe_out[4];
	uint64_t want = lo->count, got = 0, t0, cpu0, elapsed, cpu, busy0 = 0, busy = 0;
	bool have_busy;
	size_t samples = 0;
	unsigned int k;
	char err[LP_ERR_LEN], a[32], b[32], c[32];
	int rc, status = EXIT_FAIL;

	rc = aiot_model_load_file(s->accel, fe_path, &fe, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "aiot-run: %s: %s\n", fe_path, err);
		return EXIT_FAIL;
	}
	aiot_tensor_info_get_shape(aiot_model_get_output_info(fe, 0), fe_out);
	if (aiot_model_get_output_count(fe) != 1 ||
	    aiot_tensor_info_get_size(aiot_model_get_output_info(fe, 0)) !=
	    aiot_tensor_info_get_size(aiot_model_get_input_info(s->model, 0))) {
		fprintf(stderr, "aiot-run: %s: its output is not %s's input: the front end of a "
			"pipeline keeps the model's whole input (aiot-compile --rolling-window)\n",
			fe_path, model_path);
		goto out;
	}
	k = lo->period ? lo->period : fe_out[2];
	if ((rc = lp_open_sensor(lo->sensor, &mic, err, sizeof(err)))) {
		fprintf(stderr, "aiot-run: %s\n", err);
		goto out;
	}
	rc = lp_stream_init(&st, mic, lo->sensor, s->accel, fe, fe_path, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "aiot-run: %s\n", err);
		goto out;
	}
	if (st.format != AIOT_SENSOR_FMT_S16_LE || st.channels != 1) {
		fprintf(stderr, "aiot-run: %s is not a 16-bit mono microphone\n", lo->sensor);
		status = EXIT_USAGE;
		goto out;
	}
	lp_stream_set_rate(&st, lo->rate ? lo->rate : 16000);
	if (st.rate_hz < st.min_rate_hz || st.rate_hz > st.max_rate_hz) {
		fprintf(stderr, "aiot-run: %u Hz: %s takes %u..%u Hz\n", st.rate_hz, lo->sensor,
			st.min_rate_hz, st.max_rate_hz);
		status = EXIT_USAGE;
		goto out;
	}
	if (lo->image_count && !st.can_replay) {
		fprintf(stderr, "aiot-run: --replay needs a sensor that replays recordings "
			"(aiot-sim's); %s does not\n", lo->sensor);
		status = EXIT_USAGE;
		goto out;
	}
	if (lo->image_count && (rc = give_recording(&st, lo, &samples, err, sizeof(err)))) {
		fprintf(stderr, "aiot-run: %s\n", err);
		status = rc == -EIO ? EXIT_IO : EXIT_FAIL;
		goto out;
	}
	/* Without --count or --duration a replay is heard once: its whole windows. */
	if (!want && lo->duration <= 0 && samples)
		want = samples / ((uint64_t)st.spp * k) ? samples / ((uint64_t)st.spp * k) : 1;
	if ((rc = configure(&st, mic, lo->slots, err, sizeof(err)))) {
		fprintf(stderr, "aiot-run: %s\n", err);
		goto out;
	}
	/* Deadline: a job must start within one period of its slot's DMA. */
	rc = aiot_pipeline_create(fe, s->model, mic, k,
				  (uint64_t)k * st.spp * 1000000000ULL / st.rate_hz, &pl);
	if (rc) {
		fprintf(stderr, "aiot-run: cannot create the pipeline: %s\n", aiot_strerror(rc));
		goto out;
	}
	printf("pipeline on %s: %s (every slot: %u samples, %u Hz) -> %s every %u slots "
	       "(%s)%s", aiot_accel_get_path(s->accel), fe_path, st.spp, st.rate_hz,
	       model_path, k, lp_fmt_time(a, sizeof(a), (double)k * st.spp * 1e9 / st.rate_hz),
	       st.replaying ? ", replaying" : "");
	for (unsigned int i = 0; i < lo->image_count; i++)
		printf("%s %s", i ? "," : "", lo->images[i]);
	printf("\ndetection: the top class at probability >= %.3f, else %s\n", DETECT_THRESHOLD,
	       lp_label(labels, nlabels, 0, a, sizeof(a)));
	fflush(stdout);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if ((rc = aiot_pipeline_start(pl)) || (rc = aiot_sensor_start(mic))) {
		fprintf(stderr, "aiot-run: start: %s\n", aiot_strerror(rc));
		goto out;
	}
	t0 = lp_now_ns();
	cpu0 = lp_cpu_self_ns();
	have_busy = !lp_device_busy_ns(aiot_accel_get_fd(s->accel), &busy0);
	while (!mic_stop && (!want || got < want) &&
	       !(lo->duration > 0 && lp_now_ns() - t0 >= (uint64_t)(lo->duration * 1e9))) {
		rc = aiot_pipeline_read(pl, &rec, lo->duration > 0 ? 200000000LL : READ_TIMEOUT_NS);
		if (rc == 0 && lo->duration > 0)
			continue;
		if (rc != 1) {
			fprintf(stderr, "aiot-run: pipeline: %s\n", rc ? aiot_strerror(rc) :
				"no decision in 30 s");
			rc = rc ? rc : -ETIMEDOUT;
			break;
		}
		rc = 0;
		got++;
		if (!rec.status && !rec.late) {
			(void)lp_latencies_add(&to_decision, rec.decided_ns - rec.dma_done_ns);
			(void)lp_latencies_add(&device, rec.ended_ns - rec.started_ns);
		}
		if (!lo->summary)
			print_decision(&rec, s, labels, nlabels);
	}
	elapsed = lp_now_ns() - t0;
	cpu = lp_cpu_self_ns() - cpu0;
	aiot_sensor_stop(mic);
	aiot_pipeline_stop(pl);
	/* Every job of the period: 49 front ends and the model (fdinfo). */
	have_busy = have_busy && !lp_device_busy_ns(aiot_accel_get_fd(s->accel), &busy);
	busy -= have_busy ? busy0 : busy;
	if ((rc = aiot_pipeline_get_stats(pl, &ps))) {
		fprintf(stderr, "aiot-run: pipeline counters: %s\n", aiot_strerror(rc));
		goto out;
	}
	lp_latencies_sort(&to_decision);
	lp_latencies_sort(&device);
	printf("counters: slots %llu, front-end jobs %llu, periods %llu, decisions %llu, late %llu, "
	       "skipped slots %llu, failed %llu, sensor drops %llu, record overflows %llu, "
	       "userspace wake-ups %llu (%.4f per slot)\n",
	       (unsigned long long)ps.slots, (unsigned long long)ps.frontend_jobs,
	       (unsigned long long)ps.periods, (unsigned long long)ps.decisions,
	       (unsigned long long)ps.late, (unsigned long long)ps.skipped_slots,
	       (unsigned long long)ps.failed, (unsigned long long)ps.sensor_drops,
	       (unsigned long long)ps.overflows, (unsigned long long)ps.wakeups,
	       ps.slots ? (double)ps.wakeups / (double)ps.slots : 0.0);
	printf("timing: DMA done->decision p50 %s p99 %s, model device p50 %s; %.1f s, process "
	       "CPU %.2f%%\n",
	       lp_fmt_time(a, sizeof(a), (double)lp_latencies_percentile(&to_decision, 0.5)),
	       lp_fmt_time(b, sizeof(b), (double)lp_latencies_percentile(&to_decision, 0.99)),
	       lp_fmt_time(c, sizeof(c), (double)lp_latencies_percentile(&device, 0.5)),
	       (double)elapsed / 1e9, elapsed ? 100.0 * (double)cpu / (double)elapsed : 0.0);
	if (have_busy && ps.periods && ps.frontend_jobs)
		printf("device: %s a period (its front ends and model), %s a slot; busy %.2f%%\n",
		       lp_fmt_time(a, sizeof(a), (double)busy / (double)ps.periods),
		       lp_fmt_time(b, sizeof(b), (double)busy / (double)ps.frontend_jobs),
		       elapsed ? 100.0 * (double)busy / (double)elapsed : 0.0);
	fflush(stdout);
	if (rc || ps.failed)
		status = EXIT_FAIL;
	else if (mic_stop && want && got < want)
		status = EXIT_INTERRUPTED;
	else
		status = EXIT_OK;
out:
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	aiot_pipeline_free(pl);
	if (mic)
		aiot_sensor_close(mic);
	aiot_model_free(fe);
	lp_latencies_free(&to_decision);
	lp_latencies_free(&device);
	return status;
}
