// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiotd: one live pipeline (tools/pipeline/) per configured sensor stream;
 * every decision goes into the spool (spool.h) first, then to the MQTT
 * broker with QoS 1, in order, and leaves the spool when the broker has
 * acknowledged it. A birth message (retained), a last will "offline",
 * Sparkplug-B-like bdseq/seq numbers, periodic telemetry, commands.
 * docs/cloud.md describes the topics, the payloads and the spool.
 *
 * Threads: one per stream (the pipeline; its decisions go into the spool
 * under d->lock) and the main one (the MQTT client, single-threaded on
 * mosquitto_loop(): the publishing window and the callbacks are its own).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mosquitto.h>

#include <aiot/model_format.h>

#include "../common/tool.h"
#include "aiotd.h"
#include "commands.h"
#include "live_pipeline.h"
#include "model_update.h"
#include "spool.h"

#define PROG		"aiotd"
#define WINDOW		64		/* QoS 1 messages in flight */
#define LAT_WIN		1024		/* latencies kept per stream for the percentiles */
#define MAX_MODEL	(64u << 20)
#define STATE_FILE	"aiotd.state"
#define RECORD_MAX	2048

enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,
	EXIT_USAGE = 2,
};

struct latwin {
	uint64_t v[LAT_WIN];
	unsigned int n, next;
};

struct aiotd;

struct stream {
	const struct aiotd_stream_cfg *cfg;
	struct aiotd *d;
	struct aiot_accel *accel;
	struct aiot_model *model;
	struct lp_stream st;
	struct lp_replay replay;
	char topic[128];
	char model_name[64];
	uint32_t model_crc;
	pthread_t thread;
	bool started;
	/* under d->lock */
	uint32_t version;		/* the model the next jobs run */
	uint32_t slot_ver[LP_MAX_SLOTS], slot_crc[LP_MAX_SLOTS];	/* each slot's queued job's */
	struct aiot_model *pending;	/* accepted, swapped in at the next slot */
	uint32_t pending_version, pending_crc;
	struct aiot_model *old;		/* swapped out; freed once no job of it is left */
	unsigned int old_left;
	bool swapped;			/* the main thread publishes the new version */
	uint64_t seq;			/* the last decision's */
	uint64_t slots, decisions, errors, drops, below, restarts, lost;
	struct lp_sequence sq;
	struct latwin lat, dma_lat;
	char last_err[LP_ERR_LEN];
	char note[LP_ERR_LEN + 160];	/* a stored model refused at start */
	uint32_t note_version;
};

struct inflight {
	int mid;
	bool acked;
	struct spool_pos end;
};

struct aiotd {
	struct aiotd_cfg cfg;
	pthread_mutex_t lock;		/* the spool, the streams' counters */
	struct spool *spool;
	uint64_t spool_errors;
	struct stream streams[AIOTD_MAX_STREAMS];
	unsigned int n;
	char user[128], pass[256];
	uint8_t key[MU_KEY_MAX];
	size_t keylen;
	bool verbose;
	uint64_t start_ns;
	/* the main thread's */
	struct mosquitto *m;
	bool connected;
	uint64_t bdseq;
	unsigned int sseq;
	uint64_t connects, published, acked, commands, rejected;
	uint64_t drain_start_ns, drain_records, drain_acked0;	/* the backlog at connect */
	struct spool_pos rpos;
	struct inflight win[WINDOW];
	unsigned int head, count;
	char t_status[96], t_telemetry[96], t_reply[96], t_cmd[96];
	size_t cmd_prefix_len;
};

static volatile sig_atomic_t stop;

static void msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tool_vmsg(PROG, fmt, ap);
	va_end(ap);
}

static uint64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void latwin_add(struct latwin *w, uint64_t v)
{
	w->v[w->next] = v;
	w->next = (w->next + 1) % LAT_WIN;
	if (w->n < LAT_WIN)
		w->n++;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* p50 and p99 (nearest rank) of the window. */
static void latwin_pct(const struct latwin *w, uint64_t *p50, uint64_t *p99)
{
	uint64_t tmp[LAT_WIN];

	*p50 = *p99 = 0;
	if (!w->n)
		return;
	memcpy(tmp, w->v, w->n * sizeof(tmp[0]));
	qsort(tmp, w->n, sizeof(tmp[0]), cmp_u64);
	*p50 = tmp[(w->n * 50 + 99) / 100 - 1];
	*p99 = tmp[(w->n * 99 + 99) / 100 - 1];
}

/* ------------------------------------------------------------ the state */

/*
 * aiotd.state in the spool directory: "bdseq N" and "seq STREAM N" lines,
 * replaced atomically. With the records still in the spool it gives every
 * stream's last sequence number after a restart (docs/cloud.md).
 */
static void write_state(struct aiotd *d)
{
	char tmp[AIOTD_PATH_LEN + 32], path[AIOTD_PATH_LEN + 32];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s/%s.tmp", d->cfg.spool_dir, STATE_FILE);
	snprintf(path, sizeof(path), "%s/%s", d->cfg.spool_dir, STATE_FILE);
	f = fopen(tmp, "we");
	if (!f)
		return;
	fprintf(f, "bdseq %" PRIu64 "\n", d->bdseq);
	for (unsigned int i = 0; i < d->n; i++)
		fprintf(f, "seq %s %" PRIu64 "\n", d->streams[i].cfg->name, d->streams[i].seq);
	if (fflush(f) || (d->cfg.fsync_ms >= 0 && fdatasync(fileno(f)))) {
		fclose(f);
		return;
	}
	fclose(f);
	rename(tmp, path);
}

static struct stream *stream_by_name(struct aiotd *d, const char *name, size_t len)
{
	for (unsigned int i = 0; i < d->n; i++)
		if (strlen(d->streams[i].cfg->name) == len &&
		    !memcmp(d->streams[i].cfg->name, name, len))
			return &d->streams[i];
	return NULL;
}

/* The sequence numbers carry on from the state file and the spool's records. */
static void recover_state(struct aiotd *d)
{
	char path[AIOTD_PATH_LEN + 32], line[256];
	struct spool_pos pos;
	char *buf;
	size_t len;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", d->cfg.spool_dir, STATE_FILE);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f)) {
		char name[64];
		unsigned long long n;
		struct stream *s;

		if (sscanf(line, "bdseq %llu", &n) == 1)
			d->bdseq = n;
		else if (sscanf(line, "seq %63s %llu", name, &n) == 2 &&
			 (s = stream_by_name(d, name, strlen(name))))
			s->seq = n;
	}
	if (f)
		fclose(f);
	buf = malloc(SPOOL_MAX_RECORD + 1);
	if (!buf)
		return;
	pos = spool_acked(d->spool);
	while (!spool_read(d->spool, &pos, buf, SPOOL_MAX_RECORD, &len)) {
		const char *topic = buf, *stream, *end, *seq;
		size_t tlen = strnlen(buf, len);
		struct stream *s;

		buf[len] = '\0';
		if (tlen == len)
			continue;
		/* aiot/DEVICE/STREAM/decision */
		stream = strchr(topic + 5, '/');
		end = stream ? strchr(stream + 1, '/') : NULL;
		if (!end || !(s = stream_by_name(d, stream + 1, (size_t)(end - stream - 1))))
			continue;
		seq = strstr(buf + tlen + 1, "\"seq\":");
		if (seq) {
			unsigned long long n = strtoull(seq + 6, NULL, 10);

			if (n > s->seq)
				s->seq = n;
		}
	}
	free(buf);
}

/* ----------------------------------------------------------- pipelines */

/*
 * In the pipeline's thread, between a slot's decision and the next job on
 * it (d->lock held): an accepted model becomes the stream's, so every job
 * queued from now on runs it and no slot is skipped; the jobs already
 * queued finish on the old one, which is freed once each slot has come
 * round again (the ring's slots come back in order).
 */
static void swap_model(struct stream *s, unsigned int idx)
{
	(void)idx;
	if (s->old && !--s->old_left) {
		aiot_model_free(s->old);
		s->old = NULL;
	}
	if (!s->pending || s->old)
		return;
	s->old = s->model;
	s->old_left = s->cfg->slots + 1;
	s->model = s->pending;
	s->st.model = s->pending;
	s->st.in = aiot_model_get_input_info(s->pending, 0);
	s->st.out = aiot_model_get_output_info(s->pending, 0);
	s->version = s->pending_version;
	s->model_crc = s->pending_crc;
	snprintf(s->model_name, sizeof(s->model_name), "%s", aiot_model_get_name(s->model));
	s->pending = NULL;
	s->swapped = true;
}

static void on_decision(void *arg, const struct lp_decision *dd)
{
	struct stream *s = arg;
	struct aiotd *d = s->d;
	char rec[RECORD_MAX], lb[32];
	uint64_t decided = dd->slot.timestamp_ns + dd->latency_ns, dropped_before;
	unsigned int idx = dd->slot.index < LP_MAX_SLOTS ? dd->slot.index : 0;
	struct spool_stats ss;
	size_t n;
	int ret;

	pthread_mutex_lock(&d->lock);
	swap_model(s, idx);
	s->slots++;
	s->drops += lp_sequence_gap(&s->sq, dd->slot.sequence);
	n = (size_t)snprintf(rec, sizeof(rec), "%s", s->topic) + 1;
	n += (size_t)snprintf(rec + n, sizeof(rec) - n,
			      "{\"device\":\"%s\",\"stream\":\"%s\",\"model\":\"",
			      d->cfg.device, s->cfg->name);
	cmd_json_str(rec, sizeof(rec), &n, s->model_name, strlen(s->model_name));
	n += (size_t)snprintf(rec + n, sizeof(rec) - n,
			      "\",\"model_version\":%u,\"model_crc\":\"%08x\",\"seq\":%" PRIu64
			      ",\"slot\":%" PRIu64 ",\"time_ms\":%" PRIu64 ",\"capture_ns\":%" PRIu64,
			      s->slot_ver[idx], s->slot_crc[idx], s->seq + 1,
			      (uint64_t)dd->slot.sequence, wall_ms(), (uint64_t)dd->slot.timestamp_ns);
	if (dd->has_dma_done)
		n += (size_t)snprintf(rec + n, sizeof(rec) - n, ",\"dma_done_ns\":%" PRIu64,
				      decided - dd->dma_to_decision_ns);
	n += (size_t)snprintf(rec + n, sizeof(rec) - n, ",\"decided_ns\":%" PRIu64, decided);
	if (dd->error) {
		s->errors++;
		n += (size_t)snprintf(rec + n, sizeof(rec) - n, ",\"error\":\"%s\"",
				      (dd->slot.flags & AIOT_SENSOR_BUF_ERROR) ? "dma" : "job");
	} else {
		double score;
		unsigned int k = lp_best_class(s->st.out, dd->scores, &score);

		s->decisions++;
		latwin_add(&s->lat, dd->latency_ns);
		if (dd->has_dma_done)
			latwin_add(&s->dma_lat, dd->dma_to_decision_ns);
		if (score < s->cfg->threshold) {
			s->below++;
			goto out;
		}
		n += (size_t)snprintf(rec + n, sizeof(rec) - n,
				      ",\"label\":\"%s\",\"class\":%u,\"score\":%.4f"
				      ",\"latency_ns\":%" PRIu64,
				      lp_label(s->cfg->labels, s->cfg->nlabels, k, lb, sizeof(lb)),
				      k, score, dd->latency_ns);
		if (dd->has_dma_done)
			n += (size_t)snprintf(rec + n, sizeof(rec) - n,
					      ",\"dma_to_decision_ns\":%" PRIu64,
					      dd->dma_to_decision_ns);
	}
	/* No closing brace: the publisher adds the session's numbers and it. */
	s->seq++;
	spool_get_stats(d->spool, &ss);
	dropped_before = ss.dropped;
	ret = n < sizeof(rec) ? spool_append(d->spool, rec, n) : -EOVERFLOW;
	if (ret) {
		/* Lost, and the sequence shows it: the number is not used again. */
		s->lost++;
		d->spool_errors++;
		snprintf(s->last_err, sizeof(s->last_err), "spool: %s", strerror(-ret));
	}
	spool_get_stats(d->spool, &ss);
	if (ss.dropped != dropped_before)
		write_state(d);
out:
	/* The job queued on this slot next runs the model current now. */
	s->slot_ver[idx] = s->version;
	s->slot_crc[idx] = s->model_crc;
	pthread_mutex_unlock(&d->lock);
}

static void *stream_main(void *arg)
{
	struct stream *s = arg;
	struct lp_run_opts ro = {
		.slots = s->cfg->slots,
		.stop = &stop,
		.on_decision = on_decision,
		.arg = s,
	};

	while (!stop) {
		struct lp_run_stats rs;
		char err[LP_ERR_LEN];
		int ret = lp_run_zero_copy(&s->st, &ro, &rs, err, sizeof(err));

		if (!ret || stop)
			break;
		msg("stream %s: %s; again in 1 s", s->cfg->name, err);
		pthread_mutex_lock(&s->d->lock);
		s->restarts++;
		snprintf(s->last_err, sizeof(s->last_err), "%s", err);
		pthread_mutex_unlock(&s->d->lock);
		for (int i = 0; i < 10 && !stop; i++)
			usleep(100000);
	}
	return NULL;
}

static int stream_setup(struct aiotd *d, struct stream *s)
{
	const struct aiotd_stream_cfg *c = s->cfg;
	struct aiot_sensor *sensor = NULL;
	char err[LP_ERR_LEN];
	uint8_t *blob = NULL;
	size_t size;
	uint64_t t_inf = 0;
	int ret;

	snprintf(s->topic, sizeof(s->topic), "aiot/%s/%s/decision", d->cfg.device, c->name);
	ret = d->cfg.accel[0] ? aiot_accel_open(d->cfg.accel, &s->accel) :
				aiot_accel_open_default(&s->accel);
	if (ret) {
		msg("stream %s: accelerator: %s", c->name, aiot_strerror(ret));
		return ret;
	}
	if ((ret = tool_read_file(c->model, MAX_MODEL, &blob, &size))) {
		msg("stream %s: model %s: %s", c->name, c->model, strerror(-ret));
		return ret;
	}
	s->model_crc = aiot_crc32(0, blob, size);
	ret = aiot_model_load(s->accel, blob, size, &s->model, err, sizeof(err));
	free(blob);
	if (ret) {
		msg("stream %s: model %s: %s", c->name, c->model, err[0] ? err : aiot_strerror(ret));
		return ret;
	}
	snprintf(s->model_name, sizeof(s->model_name), "%s", aiot_model_get_name(s->model));
	s->version = c->model_version;
	for (unsigned int i = 0; i < LP_MAX_SLOTS; i++) {
		s->slot_ver[i] = s->version;
		s->slot_crc[i] = s->model_crc;
	}
	if ((ret = lp_open_sensor(c->sensor, &sensor, err, sizeof(err)))) {
		msg("stream %s: %s", c->name, err);
		return ret;
	}
	ret = lp_stream_init(&s->st, sensor, c->sensor, s->accel, s->model, c->model, err,
			     sizeof(err));
	aiot_sensor_close(sensor);
	if (ret) {
		msg("stream %s: %s", c->name, err);
		return ret;
	}
	if (c->rate_hz && (c->rate_hz < s->st.min_rate_hz || c->rate_hz > s->st.max_rate_hz)) {
		msg("stream %s: rate %u: %s takes %u..%u Hz", c->name, c->rate_hz, c->sensor,
		    s->st.min_rate_hz, s->st.max_rate_hz);
		return -EINVAL;
	}
	if (!c->rate_hz) {
		if ((ret = lp_calibrate(s->model, &t_inf))) {
			msg("stream %s: timing run: %s", c->name, aiot_strerror(ret));
			return ret;
		}
	}
	lp_stream_set_rate(&s->st, c->rate_hz ? c->rate_hz : lp_auto_rate(&s->st, t_inf));
	if (c->nreplay) {
		const char *imgs[2] = { c->replay[0], c->replay[1] };

		if ((ret = lp_replay_load(&s->replay, &s->st, imgs, c->nreplay, err,
					  sizeof(err))) ||
		    (ret = lp_replay_install(&s->st, &s->replay, c->hold, err, sizeof(err)))) {
			msg("stream %s: %s", c->name, err);
			return ret;
		}
	}
	s->d = d;
	return 0;
}

static void stream_free(struct stream *s)
{
	lp_replay_free(&s->replay);
	aiot_model_free(s->pending);
	aiot_model_free(s->old);
	aiot_model_free(s->model);
	aiot_accel_close(s->accel);
}

/* ---------------------------------------------------------------- MQTT */

static int publish(struct aiotd *d, int *mid, const char *topic, const char *payload,
		   size_t len, bool retain)
{
	int ret = mosquitto_publish(d->m, mid, topic, (int)len, payload, 1, retain);

	if (ret == MOSQ_ERR_SUCCESS)
		d->sseq = (d->sseq + 1) % 256;
	return ret;
}

static void publish_birth(struct aiotd *d)
{
	char b[8192];
	size_t n;

	d->sseq = 0;
	n = (size_t)snprintf(b, sizeof(b), "{\"online\":true,\"device\":\"%s\",\"bdseq\":%" PRIu64
			     ",\"seq\":0,\"time_ms\":%" PRIu64 ",\"streams\":[", d->cfg.device,
			     d->bdseq, wall_ms());
	for (unsigned int i = 0; i < d->n && n < sizeof(b); i++) {
		struct stream *s = &d->streams[i];

		n += (size_t)snprintf(b + n, sizeof(b) - n,
				      "%s{\"stream\":\"%s\",\"sensor\":\"%s\",\"model\":\"",
				      i ? "," : "", s->cfg->name, s->cfg->sensor);
		cmd_json_str(b, sizeof(b), &n, s->model_name, strlen(s->model_name));
		n += (size_t)snprintf(b + n, sizeof(b) - n,
				      "\",\"model_version\":%u,\"model_crc\":\"%08x\",\"rate_hz\":%u,"
				      "\"slot_rate_hz\":%u,\"threshold\":%.4f,\"labels\":[",
				      s->version, s->model_crc, s->st.rate_hz, s->st.slot_rate_hz,
				      s->cfg->threshold);
		for (unsigned int k = 0; k < s->cfg->nlabels && n < sizeof(b); k++)
			n += (size_t)snprintf(b + n, sizeof(b) - n, "%s\"%s\"", k ? "," : "",
					      s->cfg->labels[k]);
		if (n < sizeof(b))
			n += (size_t)snprintf(b + n, sizeof(b) - n, "]}");
	}
	if (n < sizeof(b))
		n += (size_t)snprintf(b + n, sizeof(b) - n, "]}");
	if (n >= sizeof(b)) {
		msg("birth message too long");
		return;
	}
	publish(d, NULL, d->t_status, b, n, true);
}

static void publish_telemetry(struct aiotd *d)
{
	char b[16384];
	struct spool_stats ss;
	size_t n;

	pthread_mutex_lock(&d->lock);
	spool_get_stats(d->spool, &ss);
	n = (size_t)snprintf(b, sizeof(b),
			     "{\"device\":\"%s\",\"bdseq\":%" PRIu64 ",\"seq\":%u,\"time_ms\":%"
			     PRIu64 ",\"uptime_s\":%.1f,\"connects\":%" PRIu64
			     ",\"published\":%" PRIu64 ",\"acked\":%" PRIu64
			     ",\"commands\":%" PRIu64 ",\"rejected\":%" PRIu64
			     ",\"spool\":{\"pending\":%" PRIu64 ",\"pending_bytes\":%" PRIu64
			     ",\"dropped\":%" PRIu64 ",\"truncated\":%" PRIu64 ",\"bytes\":%"
			     PRIu64 ",\"segments\":%u,\"errors\":%" PRIu64 "},\"streams\":[",
			     d->cfg.device, d->bdseq, d->sseq, wall_ms(),
			     (double)(lp_now_ns() - d->start_ns) / 1e9, d->connects, d->published,
			     d->acked, d->commands, d->rejected, ss.pending, ss.pending_bytes,
			     ss.dropped, ss.truncated, ss.bytes, ss.segments, d->spool_errors);
	for (unsigned int i = 0; i < d->n && n < sizeof(b); i++) {
		struct stream *s = &d->streams[i];
		uint64_t p50, p99, dp50, dp99;

		latwin_pct(&s->lat, &p50, &p99);
		latwin_pct(&s->dma_lat, &dp50, &dp99);
		n += (size_t)snprintf(b + n, sizeof(b) - n,
				      "%s{\"stream\":\"%s\",\"model_version\":%u,\"seq\":%" PRIu64
				      ",\"slots\":%" PRIu64
				      ",\"decisions\":%" PRIu64 ",\"errors\":%" PRIu64
				      ",\"drops\":%" PRIu64 ",\"below_threshold\":%" PRIu64
				      ",\"lost\":%" PRIu64 ",\"restarts\":%" PRIu64
				      ",\"jobs_submitted\":%" PRIu64 ",\"jobs_completed\":%" PRIu64
				      ",\"jobs_failed\":%" PRIu64 ",\"latency_p50_ns\":%" PRIu64
				      ",\"latency_p99_ns\":%" PRIu64
				      ",\"dma_to_decision_p50_ns\":%" PRIu64
				      ",\"dma_to_decision_p99_ns\":%" PRIu64 "}",
				      i ? "," : "", s->cfg->name, s->version, s->seq, s->slots,
				      s->decisions,
				      s->errors, s->drops, s->below, s->lost, s->restarts,
				      aiot_accel_get_stat(s->accel, AIOT_STAT_JOBS_SUBMITTED),
				      aiot_accel_get_stat(s->accel, AIOT_STAT_JOBS_COMPLETED),
				      aiot_accel_get_stat(s->accel, AIOT_STAT_JOBS_FAILED),
				      p50, p99, dp50, dp99);
	}
	pthread_mutex_unlock(&d->lock);
	if (n + 3 > sizeof(b))
		return;
	n += (size_t)snprintf(b + n, sizeof(b) - n, "]}");
	publish(d, NULL, d->t_telemetry, b, n, false);
}

static void model_reply(struct aiotd *d, const char *stream, uint32_t version, const char *error)
{
	char b[CMD_REPLY_MAX];
	size_t n = cmd_model_reply(d->cfg.device, stream, version, error, b, sizeof(b));

	if (error)
		d->rejected++;
	publish(d, NULL, d->t_reply, b, n, false);
}

/* The input and output of m are exactly those of the stream's running model. */
static bool same_io(const struct stream *s, struct aiot_model *m)
{
	const struct aiot_tensor_info *in, *out;

	if (aiot_model_get_input_count(m) != 1 || aiot_model_get_output_count(m) != 1)
		return false;
	in = aiot_model_get_input_info(m, 0);
	out = aiot_model_get_output_info(m, 0);
	return aiot_tensor_info_get_dtype(in) == aiot_tensor_info_get_dtype(s->st.in) &&
	       aiot_tensor_info_get_size(in) == aiot_tensor_info_get_size(s->st.in) &&
	       aiot_tensor_info_get_binding(in) == aiot_tensor_info_get_binding(s->st.in) &&
	       aiot_tensor_info_get_offset(in) == aiot_tensor_info_get_offset(s->st.in) &&
	       aiot_tensor_info_get_dtype(out) == aiot_tensor_info_get_dtype(s->st.out) &&
	       aiot_tensor_info_get_size(out) == aiot_tensor_info_get_size(s->st.out) &&
	       aiot_tensor_info_get_binding(out) == aiot_tensor_info_get_binding(s->st.out) &&
	       aiot_tensor_info_get_offset(out) == aiot_tensor_info_get_offset(s->st.out) &&
	       aiot_tensor_info_get_scale(out) == aiot_tensor_info_get_scale(s->st.out) &&
	       aiot_tensor_info_get_zero_point(out) == aiot_tensor_info_get_zero_point(s->st.out);
}

/*
 * The test run: three jobs of m on the update's reference input; each
 * must complete without error and its output's SHA-256 be the one the
 * update states. *device_ns: their median time on the device (not the
 * wait behind the stream's own jobs, which share the device). 0, or a
 * negative errno with why.
 */
static int test_run(struct aiot_model *m, const struct model_update *u, uint64_t *device_ns,
		    char *why, size_t whylen)
{
	const struct aiot_tensor_info *out = aiot_model_get_output_info(m, 0);
	size_t osize = aiot_tensor_info_get_size(out);
	uint64_t t[3];
	uint8_t *o;
	int ret;

	if (u->ref_size != aiot_tensor_info_get_size(aiot_model_get_input_info(m, 0))) {
		snprintf(why, whylen, "the reference input is %zu bytes, the model's input %zu",
			 u->ref_size, aiot_tensor_info_get_size(aiot_model_get_input_info(m, 0)));
		return -EINVAL;
	}
	if ((ret = aiot_model_write_input(m, 0, u->ref, u->ref_size))) {
		snprintf(why, whylen, "test run: writing the reference input: %s",
			 aiot_strerror(ret));
		return ret;
	}
	o = malloc(osize ? osize : 1);
	if (!o) {
		snprintf(why, whylen, "test run: out of memory");
		return -ENOMEM;
	}
	for (int i = 0; i < 3; i++) {
		struct aiot_job *job;
		uint64_t started = 0, ended = 0;
		uint8_t digest[32];

		ret = aiot_model_submit(m, NULL, &job);
		if (ret)
			break;
		ret = aiot_job_wait(job, 30 * LP_NS);
		if (!ret)
			ret = aiot_job_get_status(job);
		if (!ret)
			ret = aiot_job_get_timing(job, NULL, NULL, &started, &ended);
		aiot_job_free(job);
		if (ret)
			break;
		t[i] = ended > started ? ended - started : 0;
		if ((ret = aiot_model_read_output(m, 0, o, osize)) ||
		    (ret = mu_sha256(o, osize, digest)))
			break;
		if (memcmp(digest, u->expected, 32)) {
			char got[65], want[65];

			for (int k = 0; k < 32; k++) {
				snprintf(got + 2 * k, 3, "%02x", digest[k]);
				snprintf(want + 2 * k, 3, "%02x", u->expected[k]);
			}
			snprintf(why, whylen, "test output differs from the expected one "
				 "(SHA-256 %.16s..., expected %.16s...)", got, want);
			free(o);
			return -EBADMSG;
		}
	}
	free(o);
	if (ret) {
		snprintf(why, whylen, "test run failed on the accelerator: %s", aiot_strerror(ret));
		return ret;
	}
	qsort(t, 3, sizeof(t[0]), cmp_u64);
	*device_ns = t[1];
	return 0;
}

/*
 * An authenticated update of s, checked as far as the device can: loaded
 * (the kernel validates its command stream), its input and output compared
 * with the running model's, test-run on its reference input (the output's
 * digest must match, each job must take less than a slot period on the
 * device). 0 and *out, or why.
 */
static int check_update(struct stream *s, const struct model_update *u,
			struct aiot_model **out, char *why, size_t whylen)
{
	struct aiot_model *m = NULL;
	char e[LP_ERR_LEN];
	uint64_t t_inf = 0;
	int ret;

	e[0] = '\0';
	ret = aiot_model_load(s->accel, u->blob, u->size, &m, e, sizeof(e));
	if (ret) {
		snprintf(why, whylen, "refused by the accelerator: %s", e[0] ? e : aiot_strerror(ret));
		return ret;
	}
	if (!same_io(s, m)) {
		snprintf(why, whylen, "input or output differs from the running model's");
		aiot_model_free(m);
		return -EINVAL;
	}
	if ((ret = test_run(m, u, &t_inf, why, whylen))) {
		aiot_model_free(m);
		return ret;
	}
	if (t_inf > LP_NS / (s->st.slot_rate_hz ? s->st.slot_rate_hz : 1)) {
		snprintf(why, whylen, "test run slower than the stream's slot period");
		aiot_model_free(m);
		return -ETIME;
	}
	*out = m;
	return 0;
}

/* ------------------------------------------------- stored model updates */

static void stored_path(const struct aiotd *d, const struct stream *s, char *p, size_t len)
{
	snprintf(p, len, "%s/model-%s.upd", d->cfg.spool_dir, s->cfg->name);
}

/*
 * Keep an accepted update (the whole authenticated message) as
 * spool_dir/model-STREAM.upd: written to a temporary file, fsync, rename,
 * fsync of the directory; so a crash leaves the old or the new one whole.
 */
static int store_update(struct aiotd *d, struct stream *s, const uint8_t *raw, size_t len)
{
	char path[AIOTD_PATH_LEN + 64], tmp[AIOTD_PATH_LEN + 80];
	size_t done = 0;
	int fd, dfd, ret = 0;

	stored_path(d, s, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	while (done < len) {
		ssize_t w = write(fd, raw + done, len - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			ret = w < 0 ? -errno : -EIO;
			break;
		}
		done += (size_t)w;
	}
	if (!ret && fsync(fd))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret) {
		unlink(tmp);
		return ret;
	}
	dfd = open(d->cfg.spool_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	if (fsync(dfd))
		ret = -errno;
	close(dfd);
	return ret;
}

/*
 * A stored update into *buf (malloc'd): -EFBIG over max. Not
 * tool_read_file(): the spool directory is the daemon's, so a symbolic
 * link (O_NOFOLLOW) or anything but a regular file there is refused.
 */
static int read_stored(const char *path, size_t max, uint8_t **buf, size_t *len)
{
	struct stat sb;
	size_t done = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), ret = 0;

	*buf = NULL;
	if (fd < 0)
		return -errno;
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	if ((uint64_t)sb.st_size > max) {
		close(fd);
		return -EFBIG;
	}
	*len = (size_t)sb.st_size;
	*buf = malloc(*len ? *len : 1);
	if (!*buf) {
		close(fd);
		return -ENOMEM;
	}
	while (done < *len) {
		ssize_t r = read(fd, *buf + done, *len - done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			ret = r < 0 ? -errno : -EIO;
			break;
		}
		done += (size_t)r;
	}
	close(fd);
	if (ret) {
		free(*buf);
		*buf = NULL;
	}
	return ret;
}

/*
 * At start, after the configured model is set up: a stored update of the
 * stream is verified again (its MAC with this device's key, its SHA-256,
 * then check_update(): load, shape, test run on its reference input) and
 * becomes the stream's model. Refused, it is renamed *.refused and the
 * configured model runs; the reason is published on the reply topic
 * after the connection (s->note).
 */
static void load_stored(struct aiotd *d, struct stream *s)
{
	char path[AIOTD_PATH_LEN + 64], bad[AIOTD_PATH_LEN + 80], why[LP_ERR_LEN];
	struct model_update u;
	struct aiot_model *m = NULL;
	uint8_t *buf = NULL;
	size_t len = 0;
	int ret;

	memset(&u, 0, sizeof(u));
	stored_path(d, s, path, sizeof(path));
	if (access(path, F_OK))
		return;
	ret = read_stored(path, d->cfg.model_max, &buf, &len);
	if (ret)
		snprintf(why, sizeof(why), "cannot read it: %s", strerror(-ret));
	else if (!d->keylen)
		snprintf(why, sizeof(why), "no model_key to verify it");
	else if (!(ret = mu_verify(buf, len, d->key, d->keylen, d->cfg.model_max, &u, why,
				   sizeof(why))) && strcmp(u.stream, s->cfg->name)) {
		snprintf(why, sizeof(why), "it is for stream %s", u.stream);
		ret = -EINVAL;
	}
	if (!ret && d->keylen)
		ret = check_update(s, &u, &m, why, sizeof(why));
	else if (!ret)
		ret = -EACCES;
	if (ret) {
		snprintf(bad, sizeof(bad), "%s.refused", path);
		rename(path, bad);
		snprintf(s->note, sizeof(s->note), "stored model refused at start: %s; running "
			 "the configured model (version %u)", why, s->version);
		msg("stream %s: %s", s->cfg->name, s->note);
		s->note_version = u.version;
		s->swapped = true;	/* the configured model is the active one */
		free(buf);
		return;
	}
	aiot_model_free(s->model);
	s->model = m;
	s->st.model = m;
	s->st.in = aiot_model_get_input_info(m, 0);
	s->st.out = aiot_model_get_output_info(m, 0);
	s->version = u.version;
	s->model_crc = aiot_crc32(0, u.blob, u.size);
	snprintf(s->model_name, sizeof(s->model_name), "%s", aiot_model_get_name(m));
	for (unsigned int i = 0; i < LP_MAX_SLOTS; i++) {
		s->slot_ver[i] = s->version;
		s->slot_crc[i] = s->model_crc;
	}
	s->swapped = true;
	msg("stream %s: stored model version %u verified, running it", s->cfg->name, u.version);
	free(buf);
}

/*
 * cmd/model, authenticated (cmd_dispatch: size, format, SHA-256, HMAC with
 * the device key, a known stream): check_update(), stored on disk, then
 * handed to the pipeline, which swaps it in at the next slot. Any refusal
 * leaves the running model as it is and says why.
 */
static void handle_model(struct aiotd *d, const struct model_update *u, const uint8_t *raw,
			 size_t len)
{
	struct aiot_model *m = NULL;
	struct stream *s = stream_by_name(d, u->stream, strlen(u->stream));
	char why[LP_ERR_LEN + 64];
	bool busy;
	int ret;

	if (!s) {
		model_reply(d, u->stream, u->version, "no such stream");
		return;
	}
	pthread_mutex_lock(&d->lock);
	busy = s->pending || s->old;
	pthread_mutex_unlock(&d->lock);
	if (busy) {
		model_reply(d, u->stream, u->version, "an update of this stream is in progress");
		return;
	}
	if (check_update(s, u, &m, why, sizeof(why))) {
		model_reply(d, u->stream, u->version, why);
		return;
	}
	if ((ret = store_update(d, s, raw, len))) {
		snprintf(why, sizeof(why), "cannot store it: %s", strerror(-ret));
		model_reply(d, u->stream, u->version, why);
		aiot_model_free(m);
		return;
	}
	pthread_mutex_lock(&d->lock);
	s->pending = m;
	s->pending_version = u->version;
	s->pending_crc = aiot_crc32(0, u->blob, u->size);
	pthread_mutex_unlock(&d->lock);
	model_reply(d, u->stream, u->version, NULL);
}

/* After a swap: the stream's active model, retained. */
static void publish_swaps(struct aiotd *d)
{
	for (unsigned int i = 0; i < d->n; i++) {
		struct stream *s = &d->streams[i];
		char topic[128], b[256];
		bool swapped;
		int n;

		pthread_mutex_lock(&d->lock);
		swapped = s->swapped;
		s->swapped = false;
		n = snprintf(b, sizeof(b), "{\"device\":\"%s\",\"stream\":\"%s\","
			     "\"model_version\":%u,\"model_crc\":\"%08x\",\"active\":true}",
			     d->cfg.device, s->cfg->name, s->version, s->model_crc);
		pthread_mutex_unlock(&d->lock);
		if (s->note[0]) {
			model_reply(d, s->cfg->name, s->note_version, s->note);
			s->note[0] = '\0';
		}
		if (!swapped)
			continue;
		snprintf(topic, sizeof(topic), "aiot/%.32s/%.32s/model", d->cfg.device,
			 s->cfg->name);
		publish(d, NULL, topic, b, (size_t)n, true);
	}
}

/*
 * Commands under aiot/DEVICE/cmd/: anything at all may arrive here (any
 * bytes, any size, any topic): cmd_dispatch() answers it or hands over an
 * authenticated model update; nothing else of it is trusted.
 */
static void on_message(struct mosquitto *m, void *arg, const struct mosquitto_message *mm)
{
	struct aiotd *d = arg;
	const char *names[AIOTD_MAX_STREAMS];
	struct cmd_ctx c = {
		.device = d->cfg.device, .streams = names, .nstreams = d->n,
		.key = d->key, .keylen = d->keylen, .model_max = d->cfg.model_max,
	};
	struct model_update u;
	char b[CMD_REPLY_MAX];
	enum cmd_action a;

	(void)m;
	d->commands++;
	for (unsigned int i = 0; i < d->n; i++)
		names[i] = d->streams[i].cfg->name;
	a = cmd_dispatch(&c, mm->topic, mm->payload, mm->payloadlen, &u, b, sizeof(b));
	if (a == CMD_MODEL) {
		handle_model(d, &u, mm->payload, (size_t)mm->payloadlen);
		return;
	}
	if (a == CMD_REFUSED)
		d->rejected++;
	publish(d, NULL, d->t_reply, b, strlen(b), false);
	if (a == CMD_TELEMETRY)
		publish_telemetry(d);
}

static void on_connect(struct mosquitto *m, void *arg, int rc)
{
	struct aiotd *d = arg;
	char sub[128];

	if (rc) {
		msg("broker refused the connection: %s", mosquitto_connack_string(rc));
		return;
	}
	d->connected = true;
	d->connects++;
	if (d->verbose)
		msg("connected to %s:%u (bdseq %" PRIu64 ")", d->cfg.host, d->cfg.port, d->bdseq);
	publish_birth(d);
	if (d->verbose) {
		struct spool_stats ss;

		pthread_mutex_lock(&d->lock);
		spool_get_stats(d->spool, &ss);
		pthread_mutex_unlock(&d->lock);
		d->drain_records = ss.pending;
		d->drain_acked0 = d->acked;
		d->drain_start_ns = ss.pending ? lp_now_ns() : 0;
	}
	snprintf(sub, sizeof(sub), "%s+", d->t_cmd);
	mosquitto_subscribe(m, NULL, sub, 1);
}

static void on_disconnect(struct mosquitto *m, void *arg, int rc)
{
	struct aiotd *d = arg;

	(void)m;
	if (d->connected && d->verbose)
		msg("disconnected from the broker (%s)", mosquitto_strerror(rc));
	d->connected = false;
}

static void on_publish(struct mosquitto *m, void *arg, int mid)
{
	struct aiotd *d = arg;

	(void)m;
	for (unsigned int i = 0; i < d->count; i++) {
		struct inflight *f = &d->win[(d->head + i) % WINDOW];

		if (f->mid == mid) {
			f->acked = true;
			break;
		}
	}
}

/* Forget the connection; what was in flight is sent again from the spool. */
static void drop_connection(struct aiotd *d)
{
	if (d->m) {
		mosquitto_disconnect(d->m);
		mosquitto_destroy(d->m);
		d->m = NULL;
	}
	d->connected = false;
	d->count = 0;
	d->rpos = spool_acked(d->spool);
}

/*
 * A new client for every connection: nothing of an old session's queue
 * comes back behind the spool's back. Returns 0 when the connection is
 * under way (on_connect says how it went).
 */
static int connect_broker(struct aiotd *d)
{
	char will[256];
	int ret, n;

	d->m = mosquitto_new(NULL, true, d);
	if (!d->m)
		return -ENOMEM;
	mosquitto_int_option(d->m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
	mosquitto_connect_callback_set(d->m, on_connect);
	mosquitto_disconnect_callback_set(d->m, on_disconnect);
	mosquitto_publish_callback_set(d->m, on_publish);
	mosquitto_message_callback_set(d->m, on_message);
	mosquitto_max_inflight_messages_set(d->m, WINDOW + 16);
	if (d->user[0] && (ret = mosquitto_username_pw_set(d->m, d->user, d->pass)))
		goto fail;
	if (d->cfg.tls_ca[0] &&
	    (ret = mosquitto_tls_set(d->m, d->cfg.tls_ca, NULL,
				     d->cfg.tls_cert[0] ? d->cfg.tls_cert : NULL,
				     d->cfg.tls_key[0] ? d->cfg.tls_key : NULL, NULL)))
		goto fail;
	d->bdseq++;
	n = snprintf(will, sizeof(will), "{\"online\":false,\"device\":\"%s\",\"bdseq\":%" PRIu64
		     "}", d->cfg.device, d->bdseq);
	if ((ret = mosquitto_will_set(d->m, d->t_status, n, will, 1, true)))
		goto fail;
	ret = mosquitto_connect(d->m, d->cfg.host, (int)d->cfg.port, (int)d->cfg.keepalive_s);
	if (ret == MOSQ_ERR_SUCCESS)
		return 0;
fail:
	if (d->verbose || ret != MOSQ_ERR_ERRNO)
		msg("connect to %s:%u: %s", d->cfg.host, d->cfg.port,
		    ret == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(ret));
	mosquitto_destroy(d->m);
	d->m = NULL;
	return -EIO;
}

/* Publish from the spool while the window has room. */
static void pump(struct aiotd *d)
{
	static char buf[SPOOL_MAX_RECORD + 64];

	while (d->connected && d->count < WINDOW) {
		struct spool_pos pos = d->rpos;
		size_t len, tlen;
		int ret, mid;

		pthread_mutex_lock(&d->lock);
		ret = spool_read(d->spool, &pos, buf, SPOOL_MAX_RECORD, &len);
		pthread_mutex_unlock(&d->lock);
		if (ret == -ENOENT)
			return;
		if (ret) {
			msg("spool read: %s", strerror(-ret));
			return;
		}
		tlen = strnlen(buf, len);
		if (tlen == len || !tlen) {
			/* Not one of ours: skipped (acknowledged with the next). */
			d->rpos = pos;
			continue;
		}
		len += (size_t)snprintf(buf + len, sizeof(buf) - len,
					",\"bdseq\":%" PRIu64 ",\"sseq\":%u}", d->bdseq, d->sseq);
		ret = publish(d, &mid, buf, buf + tlen + 1, len - tlen - 1, false);
		if (ret != MOSQ_ERR_SUCCESS)
			return;
		d->win[(d->head + d->count) % WINDOW] = (struct inflight){ mid, false, pos };
		d->count++;
		d->published++;
		d->rpos = pos;
	}
}

/* The acknowledged head of the window leaves the spool. */
static void settle(struct aiotd *d)
{
	struct spool_pos end;
	uint64_t n = 0;
	int ret;

	while (d->count && d->win[d->head].acked) {
		end = d->win[d->head].end;
		d->head = (d->head + 1) % WINDOW;
		d->count--;
		n++;
	}
	if (!n)
		return;
	d->acked += n;
	pthread_mutex_lock(&d->lock);
	write_state(d);
	ret = spool_ack(d->spool, end, n);
	pthread_mutex_unlock(&d->lock);
	if (ret)
		msg("spool: storing the cursor: %s", strerror(-ret));
}

/* -v: how fast the backlog found at connect left the spool (acknowledged). */
static void report_drain(struct aiotd *d)
{
	struct spool_stats ss;
	double ms;

	pthread_mutex_lock(&d->lock);
	spool_get_stats(d->spool, &ss);
	pthread_mutex_unlock(&d->lock);
	if (ss.pending)
		return;
	ms = (double)(lp_now_ns() - d->drain_start_ns) / 1e6;
	msg("spool drained: a backlog of %" PRIu64 " records, %" PRIu64 " acknowledged in "
	    "%.1f ms (%.0f/s)", d->drain_records, d->acked - d->drain_acked0, ms,
	    ms > 0 ? (double)(d->acked - d->drain_acked0) * 1e3 / ms : 0.0);
	d->drain_start_ns = 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " -c CONFIG [options]\n"
		"Runs a live pipeline per configured sensor stream and publishes every decision\n"
		"to an MQTT broker, through an on-disk spool while the broker is away\n"
		"(docs/cloud.md).\n"
		"  -c, --config FILE   the configuration (docs/cloud.md, \"Configuration\")\n"
		"      --check         check the configuration and the credentials, then exit\n"
		"  -v, --verbose       say when the broker connects and disconnects\n"
		"  -h, --help          this help\n");
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'C' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct aiotd dd;
	struct aiotd *d = &dd;
	const char *cfg_path = NULL;
	bool check = false;
	char err[512];
	struct spool_opts so;
	uint64_t next_try = 0, backoff = 200000000ull, next_tel;
	int c, ret, status = EXIT_FAIL;

	while ((c = getopt_long(argc, argv, "c:vh", lopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			cfg_path = optarg;
			break;
		case 'C':
			check = true;
			break;
		case 'v':
			d->verbose = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (!cfg_path || optind != argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (aiotd_cfg_load(&d->cfg, cfg_path, err, sizeof(err))) {
		msg("%s", err);
		return EXIT_USAGE;
	}
	if (d->cfg.credentials[0] &&
	    aiotd_read_credentials(d->cfg.credentials, d->user, sizeof(d->user), d->pass,
				   sizeof(d->pass), err, sizeof(err))) {
		msg("%s", err);
		return EXIT_USAGE;
	}
	if (d->cfg.model_key[0]) {
		int k = mu_read_key(d->cfg.model_key, d->key, err, sizeof(err));

		if (k < 0) {
			msg("%s", err);
			return EXIT_USAGE;
		}
		d->keylen = (size_t)k;
	}
	if (check) {
		printf("%s: device %s, broker %s:%u%s, %u stream%s, spool %s\n", cfg_path,
		       d->cfg.device, d->cfg.host, d->cfg.port, d->cfg.tls_ca[0] ? " (TLS)" : "",
		       d->cfg.nstreams, d->cfg.nstreams == 1 ? "" : "s", d->cfg.spool_dir);
		return EXIT_OK;
	}
	snprintf(d->t_status, sizeof(d->t_status), "aiot/%.32s/status", d->cfg.device);
	snprintf(d->t_telemetry, sizeof(d->t_telemetry), "aiot/%.32s/telemetry", d->cfg.device);
	snprintf(d->t_reply, sizeof(d->t_reply), "aiot/%.32s/reply", d->cfg.device);
	snprintf(d->t_cmd, sizeof(d->t_cmd), "aiot/%.32s/cmd/", d->cfg.device);
	d->cmd_prefix_len = strlen(d->t_cmd);
	pthread_mutex_init(&d->lock, NULL);
	d->start_ns = lp_now_ns();

	so = (struct spool_opts){ .dir = d->cfg.spool_dir, .max_bytes = d->cfg.spool_bytes,
				  .segment_bytes = d->cfg.segment_bytes,
				  .fsync_ms = d->cfg.fsync_ms };
	if (spool_open(&d->spool, &so, err, sizeof(err))) {
		msg("%s", err);
		return EXIT_FAIL;
	}
	d->n = d->cfg.nstreams;
	for (unsigned int i = 0; i < d->n; i++) {
		d->streams[i].cfg = &d->cfg.streams[i];
		d->streams[i].d = d;
	}
	recover_state(d);
	d->rpos = spool_acked(d->spool);

	signal(SIGPIPE, SIG_IGN);
	tool_catch_signals(&stop);
	for (unsigned int i = 0; i < d->n; i++)
		if (stream_setup(d, &d->streams[i]))
			goto out;
		else
			load_stored(d, &d->streams[i]);
	mosquitto_lib_init();
	for (unsigned int i = 0; i < d->n; i++) {
		struct stream *s = &d->streams[i];

		if ((ret = pthread_create(&s->thread, NULL, stream_main, s))) {
			msg("thread: %s", strerror(ret));
			stop = 1;
			break;
		}
		s->started = true;
		printf("stream %s: %s at %u Hz (%u slots/s), model %s (crc %08x), topic %s\n",
		       s->cfg->name, s->cfg->sensor, s->st.rate_hz, s->st.slot_rate_hz,
		       s->model_name, s->model_crc, s->topic);
	}
	fflush(stdout);
	next_tel = lp_now_ns() + (uint64_t)d->cfg.telemetry_s * LP_NS;
	while (!stop) {
		uint64_t now = lp_now_ns();

		if (!d->m && now >= next_try) {
			if (connect_broker(d)) {
				next_try = now + backoff;
				backoff = backoff * 2 > 5 * LP_NS ? 5 * LP_NS : backoff * 2;
			} else {
				backoff = 200000000ull;
			}
		}
		if (!d->m) {
			usleep(50000);
			pthread_mutex_lock(&d->lock);
			spool_sync(d->spool);
			pthread_mutex_unlock(&d->lock);
			continue;
		}
		ret = mosquitto_loop(d->m, 20, 1);
		if (ret != MOSQ_ERR_SUCCESS) {
			if (d->verbose)
				msg("broker connection: %s", mosquitto_strerror(ret));
			drop_connection(d);
			next_try = lp_now_ns() + backoff;
			continue;
		}
		settle(d);
		if (d->drain_start_ns)
			report_drain(d);
		pump(d);
		if (d->connected)
			publish_swaps(d);
		if (d->connected && d->cfg.telemetry_s && now >= next_tel) {
			publish_telemetry(d);
			next_tel = now + (uint64_t)d->cfg.telemetry_s * LP_NS;
		}
		pthread_mutex_lock(&d->lock);
		spool_sync(d->spool);
		pthread_mutex_unlock(&d->lock);
	}
	status = EXIT_OK;
out:
	stop = 1;
	for (unsigned int i = 0; i < d->n; i++)
		if (d->streams[i].started)
			pthread_join(d->streams[i].thread, NULL);
	/* A last drain (2 s at most), the death message, a clean disconnect. */
	if (d->m && d->connected) {
		uint64_t end = lp_now_ns() + 2 * LP_NS;
		char off[256];
		int n;

		while (lp_now_ns() < end && d->connected) {
			struct spool_stats ss;

			pump(d);
			if (mosquitto_loop(d->m, 20, 1) != MOSQ_ERR_SUCCESS)
				break;
			settle(d);
			spool_get_stats(d->spool, &ss);
			if (!ss.pending)
				break;
		}
		n = snprintf(off, sizeof(off), "{\"online\":false,\"device\":\"%s\",\"bdseq\":%"
			     PRIu64 "}", d->cfg.device, d->bdseq);
		publish(d, NULL, d->t_status, off, (size_t)n, true);
		for (int i = 0; i < 10; i++)
			mosquitto_loop(d->m, 20, 1);
	}
	if (d->m) {
		mosquitto_disconnect(d->m);
		mosquitto_destroy(d->m);
	}
	mosquitto_lib_cleanup();
	pthread_mutex_lock(&d->lock);
	write_state(d);
	pthread_mutex_unlock(&d->lock);
	for (unsigned int i = 0; i < d->n; i++)
		stream_free(&d->streams[i]);
	spool_close(d->spool);
	return status;
}
