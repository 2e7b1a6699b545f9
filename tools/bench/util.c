// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-bench's helpers: the fatal message, a path's result and its
 * figures, the labels, the sensor and the replay through the live pipeline,
 * the progress line.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <aiot/model_format.h>
#include <linux/aiot_isa.h>

#include "bench.h"

/* The loop of write_all() and read_all(): buf is written to when !out. */
static int transfer_all(int fd, void *buf, size_t n, bool out, bool sock, int timeout_ms,
			uint64_t *count)
{
	uint8_t *b = buf;

	while (n) {
		ssize_t k;

		if (timeout_ms >= 0) {
			struct pollfd pfd = { .fd = fd, .events = out ? POLLOUT : POLLIN };
			int ret = poll(&pfd, 1, timeout_ms);

			if (ret < 0 && errno == EINTR)
				continue;
			if (ret < 0)
				return -errno;
			if (ret == 0)
				return -ETIMEDOUT;
		}
		if (out)
			k = sock ? send(fd, b, n, MSG_NOSIGNAL) : write(fd, b, n);
		else
			k = sock ? recv(fd, b, n, 0) : read(fd, b, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k < 0 ? -errno : !out && sock ? -ECONNRESET : -EPIPE;
		b += k;
		n -= (size_t)k;
		if (count)
			*count += (uint64_t)k;
	}
	return 0;
}

int write_all(int fd, const void *p, size_t n, bool sock, uint64_t *count)
{
	/* Only read from: the loop is shared with read_all(). */
	return transfer_all(fd, (void *)p, n, true, sock, -1, count);
}

int read_all(int fd, void *p, size_t n, bool sock, int timeout_ms, uint64_t *count)
{
	return transfer_all(fd, p, n, false, sock, timeout_ms, count);
}

const char *const path_names[PATH_COUNT] = { "zero-copy", "relay", "copy", "tcp", "mqtt" };
const char *const path_titles[PATH_COUNT] = {
	"(a) zero-copy, fenced", "(b) relay: dequeue + submit, no copy", "(c) relay: dequeue + copy",
	"(d) loopback TCP to a server", "(e) MQTT broker hop, QoS 1",
};
const char *const load_names[LOAD_COUNT] = { "idle", "cpu_load" };
const char *const interval_names[IV_COUNT] = {
	"dma_to_job_start", "dma_to_decision", "device", "capture_to_decision",
};
const char *const interval_titles[IV_COUNT] = {
	"DMA done->job start", "DMA done->decision", "device", "capture->decision",
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

void result_times(struct result *r, const struct lp_decision *d)
{
	const uint64_t v[IV_CAPTURE_TO_DECISION] = {
		d->dma_to_start_ns, d->dma_to_decision_ns, d->device_ns,
	};

	if (!d->has_dma_done)
		return;
	for (int i = 0; i < IV_CAPTURE_TO_DECISION; i++)
		if (lp_latencies_add(&r->iv[i], v[i]))
			die("out of memory");
}

struct lp_latencies *result_iv(struct result *r, enum interval iv)
{
	return iv == IV_CAPTURE_TO_DECISION ? &r->lat : &r->iv[iv];
}

void result_free(struct result *r)
{
	for (int i = 0; i < IV_COUNT; i++)
		lp_latencies_free(result_iv(r, (enum interval)i));
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

/* ------------------------------------------------------------- model */

/*
 * The trivial model: one NOP, so the job costs what the driver's path
 * costs and nothing else. Its tensors are person_detect's kind: the
 * sensor's frame as int8 in (binding 1), two int8 scores out (binding 2).
 */
static int trivial_model(const struct ctx *c, struct aiot_accel *accel, struct aiot_model **model,
			 char *err, size_t len)
{
	struct {
		struct aiot_isa_header hdr;
		struct aiot_isa_op_nop op;
	} cs;
	struct aiot_model_tensor t[2];
	struct aiot_model_blob_parts parts = { 0 };
	struct aiot_sensor_properties *props = NULL;
	struct aiot_sensor *s = open_sensor(c->o->sensor);
	const float one = 1.0f;
	unsigned int w = 0, h = 0;
	void *blob = NULL;
	size_t size;
	int ret;

	if ((ret = aiot_sensor_get_properties(s, &props)))
		die("%s: %s", c->o->sensor, aiot_strerror(ret));
	aiot_sensor_properties_get_frame_size(props, &w, &h);
	aiot_sensor_properties_free(props);
	aiot_sensor_close(s);
	memset(&cs, 0, sizeof(cs));
	cs.hdr = (struct aiot_isa_header){ .magic = AIOT_ISA_MAGIC,
		.version = AIOT_ISA_VERSION_CURRENT, .size = sizeof(cs), .op_count = 1 };
	cs.op.hdr = (struct aiot_isa_op_header){ .opcode = AIOT_ISA_OP_NOP, .size = sizeof(cs.op) };
	memset(t, 0, sizeof(t));
	for (int i = 0; i < 2; i++) {
		t[i].direction = (uint8_t)i;
		t[i].dtype = AIOT_ISA_DTYPE_INT8;
		t[i].binding = (uint8_t)(1 + i);
		t[i].dims[0] = 1;
		t[i].dims[1] = i ? 1 : (h ? h : 1);
		t[i].dims[2] = i ? 1 : (w ? w : 1);
		t[i].dims[3] = i ? 2 : 1;
		t[i].size = t[i].dims[1] * t[i].dims[2] * t[i].dims[3];
		t[i].zero_point = -128;
		memcpy(&t[i].scale_bits, &one, 4);
	}
	parts.name = TRIVIAL_MODEL;
	parts.isa_version = AIOT_ISA_VERSION_CURRENT;
	parts.command_stream = &cs;
	parts.command_stream_size = sizeof(cs);
	parts.weights_binding = AIOT_MODEL_NO_BINDING;
	parts.arena_binding = AIOT_MODEL_NO_BINDING;
	parts.tensors = t;
	parts.tensor_count = 2;
	ret = aiot_model_blob_build(&parts, &blob, &size, err, len);
	if (!ret)
		ret = aiot_model_load(accel, blob, size, model, err, len);
	free(blob);
	return ret;
}

int load_model(const struct ctx *c, struct aiot_accel *accel, struct aiot_model **model,
	       char *err, size_t len)
{
	if (!strcmp(c->o->model, TRIVIAL_MODEL))
		return trivial_model(c, accel, model, err, len);
	return aiot_model_load_file(accel, c->o->model, model, err, len);
}

int run_job(struct aiot_model *model, struct aiot_job_config *cfg, struct aiot_sensor *s,
	    struct lp_decision *d)
{
	struct aiot_job *job;
	int ret;

	if ((ret = aiot_model_submit(model, cfg, &job)))
		return ret;
	ret = aiot_job_wait(job, 10 * NS);
	if (!ret)
		ret = aiot_job_get_status(job);
	if (!ret && s)
		lp_decision_times(d, s, job, lp_now_ns());
	aiot_job_free(job);
	return ret;
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
		   const struct lp_decision *d, const void *scores)
{
	result_add(r, lp_now_ns() - d->slot.timestamp_ns);
	result_times(r, d);
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
