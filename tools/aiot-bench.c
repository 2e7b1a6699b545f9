// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-bench: sensor-to-decision latency, throughput and CPU copies of one
 * model on one sensor stream, through three paths, in one run:
 *
 *  (a) zero-copy: every ring slot is imported into the accelerator once;
 *      a job is queued ahead on each slot, so it starts when the slot's DMA
 *      completes (its write fence), and reads the very pages the sensor
 *      wrote. Nothing is copied by the CPU. This is the live pipeline of
 *      live_pipeline.c, shared with aiot-run --sensor.
 *  (b) copy: the application dequeues a slot, copies it out of the ring
 *      (what read() does in the kernel), then copies it into the model's
 *      input tensor (aiot_model_write_input()), runs the model and waits.
 *  (c) tcp: what a gateway does today: the application copies the slot out,
 *      sends it over a loopback TCP connection to a separate inference
 *      process, which receives it, copies it into its tensor, runs the
 *      model and sends the scores back.
 *
 * Latency is capture -> decision: from the slot's capture timestamp (the
 * driver's CLOCK_MONOTONIC time of the DMA) to the moment the consuming
 * process holds the scores. Copies are counted where they happen: our own
 * memcpy/send/recv, the library's AIOT_STAT_BYTES_COPIED and the sensor
 * driver's bytes_copied (aiot_sensor_get_stat()), when it has one.
 *
 * --live runs path (a) alone and prints every decision: the demo pipeline
 * before aiot-run --sensor took that role.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <aiot/accel.h>
#include <aiot/sensor.h>

#include "live_pipeline.h"

#define PROG "aiot-bench"
#define NS LP_NS
#define MAX_SLOTS LP_MAX_SLOTS
#define MAX_LABELS 16
#define MAX_IMAGES LP_MAX_IMAGES
#define FW_DIR "/tmp/aiot-bench-fw"

enum path { PATH_ZERO_COPY, PATH_COPY, PATH_TCP, PATH_COUNT };

static const char *const path_names[PATH_COUNT] = { "zero-copy", "copy", "tcp" };
static const char *const path_titles[PATH_COUNT] = {
	"(a) zero-copy, fenced", "(b) dequeue + copy", "(c) loopback TCP to a server",
};

struct opts {
	const char *model;
	const char *sensor;
	const char *accel;
	const char *images[MAX_IMAGES];
	unsigned int image_count;
	const char *labels[MAX_LABELS];
	unsigned int label_count;
	double duration;
	unsigned int rate;	/* 0: auto */
	unsigned int hold;	/* frames per replayed image, 0: one second */
	unsigned int slots;
	double saturate;	/* seconds per path at the sensor's top rate, 0: skip */
	bool paths[PATH_COUNT];
	bool live;
	bool quiet;
};

struct result {
	bool ran;
	struct lp_latencies lat; /* capture -> decision, ns */
	uint64_t elapsed_ns;
	uint64_t drops;		/* sequence gaps */
	uint64_t errors;	/* slots with a DMA error, failed jobs */
	uint64_t app_copied;	/* memcpy/send/recv by this tool (both processes) */
	uint64_t lib_copied;	/* AIOT_STAT_BYTES_COPIED (both processes) */
	uint64_t drv_copied;	/* the sensor driver's bytes_copied */
	bool drv_known;
	uint64_t cpu_ns;	/* user + system time of the processes involved */
	unsigned int class_count[MAX_LABELS];
};

struct ctx {
	struct opts *o;
	struct lp_stream st;	/* the sensor matched to the model, its rate */
	struct lp_replay replay;	/* --replay: the images */
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void result_add(struct result *r, uint64_t lat)
{
	if (lp_latencies_add(&r->lat, lat))
		die("out of memory");
}

static uint64_t percentile(const struct result *r, double p)
{
	return lp_latencies_percentile(&r->lat, p);
}

static double per_second(const struct result *r)
{
	return r->elapsed_ns ? (double)r->lat.n * 1e9 / (double)r->elapsed_ns : 0;
}

static double copied_per_inf(const struct result *r)
{
	return r->lat.n ? (double)(r->app_copied + r->lib_copied + r->drv_copied) /
			  (double)r->lat.n : 0;
}

/* ------------------------------------------------------------ scores */

static const char *label_of(const struct ctx *c, unsigned int i, char *buf, size_t len)
{
	return lp_label(c->o->labels, c->o->label_count, i, buf, len);
}

static void count_class(const struct ctx *c, struct result *r, const void *scores)
{
	double s;
	unsigned int k = lp_best_class(c->st.out, scores, &s);

	if (k < MAX_LABELS)
		r->class_count[k]++;
}

/* ------------------------------------------------------------ sensor */

static struct aiot_sensor *open_sensor(const char *name)
{
	struct aiot_sensor *s = NULL;
	char err[LP_ERR_LEN];

	if (lp_open_sensor(name, &s, err, sizeof(err)))
		die("%s", err);
	return s;
}

/* Configure a stream for the model; the caller owns the stream. */
static struct aiot_sensor *configure_sensor(struct ctx *c, unsigned int slots)
{
	struct aiot_sensor *s = NULL;
	char err[LP_ERR_LEN];

	if (lp_configure(&c->st, slots, &s, err, sizeof(err)))
		die("%s", err);
	return s;
}

/* The replayed images as aiot-sim's replay firmware, at the current rate. */
static void write_recording(struct ctx *c)
{
	char err[LP_ERR_LEN];

	if (lp_replay_install(&c->st, &c->replay, c->o->hold, FW_DIR, err, sizeof(err)))
		die("%s", err);
}

/* ---------------------------------------------------------- progress */

static void progress_init(struct lp_progress *p, const char *name, double total_s)
{
	lp_progress_init(p, name, total_s, 0);
}

static void progress_tick(struct lp_progress *p, const struct result *r, bool quiet)
{
	lp_progress_tick(p, r->lat.n, r->lat.n ? r->lat.v[r->lat.n - 1] : 0, quiet);
}

/* ------------------------------------------------- (a) zero-copy path */

struct zc_state {
	struct ctx *c;
	struct result *r;
	struct lp_progress pg;
	bool live;
};

static void zc_decision(void *arg, const struct lp_decision *d)
{
	struct zc_state *z = arg;

	if (!d->error) {
		result_add(z->r, d->latency_ns);
		count_class(z->c, z->r, d->scores);
		if (z->live)
			lp_print_decision(&z->c->st, d, z->c->o->labels, z->c->o->label_count);
	}
	if (!z->live)
		progress_tick(&z->pg, z->r, z->c->o->quiet);
}

static void run_zero_copy(struct ctx *c, struct result *r, bool live)
{
	struct zc_state z = { .c = c, .r = r, .live = live };
	struct lp_run_opts o = {
		.slots = c->o->slots,
		.duration_ns = (uint64_t)(c->o->duration * 1e9),
		.stop = &interrupted,
		.on_decision = zc_decision,
		.arg = &z,
	};
	struct lp_run_stats s;
	char err[LP_ERR_LEN];

	progress_init(&z.pg, path_names[PATH_ZERO_COPY], c->o->duration);
	if (lp_run_zero_copy(&c->st, &o, &s, err, sizeof(err)))
		die("%s", err);
	lp_progress_done(&z.pg, c->o->quiet || live);
	r->elapsed_ns = s.elapsed_ns;
	r->drops = s.drops;
	r->errors = s.errors;
	r->cpu_ns = s.cpu_ns;
	r->lib_copied = s.lib_copied;
	r->drv_known = s.drv_known;
	r->drv_copied = s.drv_copied;
	r->ran = true;
}

/* ------------------------------------------------------ (b) copy path */

/*
 * The copying paths' next slot, as an application dequeues it: its
 * sequence gap counted as drops; a slot whose DMA failed is counted and
 * given back (false). Otherwise *data is the slot's samples, still queued
 * to nobody until the caller gives the slot back.
 */
static bool next_slot(struct ctx *c, struct aiot_sensor *s, struct result *r,
		      struct lp_sequence *seq, struct aiot_sensor_slot *slot,
		      const void **data)
{
	int ret;

	ret = aiot_sensor_dequeue(s, 2 * NS + (int64_t)(NS / c->st.slot_rate_hz), slot);
	if (ret)
		die("dequeue from %s: %s", c->o->sensor, aiot_strerror(ret));
	r->drops += lp_sequence_gap(seq, slot->sequence);
	if (slot->flags & AIOT_SENSOR_BUF_ERROR) {
		r->errors++;
		aiot_sensor_queue(s, slot->index);
		return false;
	}
	if ((ret = aiot_sensor_get_slot_data(s, slot->index, data)))
		die("map slot: %s", aiot_strerror(ret));
	return true;
}

static void run_copy(struct ctx *c, struct result *r)
{
	struct aiot_sensor *s = configure_sensor(c, c->o->slots);
	uint8_t *buf = malloc(c->st.in_size);
	uint64_t lib0 = aiot_accel_get_stat(c->st.accel, AIOT_STAT_BYTES_COPIED), drv0, drv1;
	uint64_t cpu0, t0, end;
	struct lp_sequence seq = { 0 };
	const void *scores;
	struct lp_progress pg;
	bool ok0, ok1;
	int ret;

	if (!buf)
		die("out of memory");
	/* The model's own input buffer: undo any earlier binding. */
	aiot_model_bind_input(c->st.model, 0, NULL);
	if ((ret = aiot_model_map_output(c->st.model, 0, &scores)))
		die("map output: %s", aiot_strerror(ret));
	drv0 = lp_driver_copied(s, &ok0);
	cpu0 = lp_cpu_self_ns();
	if ((ret = aiot_sensor_start(s)))
		die("start %s: %s", c->o->sensor, aiot_strerror(ret));
	t0 = lp_now_ns();
	end = t0 + (uint64_t)(c->o->duration * 1e9);
	progress_init(&pg, path_names[PATH_COPY], c->o->duration);
	while (!interrupted && lp_now_ns() < end) {
		struct aiot_sensor_slot slot;
		const void *data;

		if (!next_slot(c, s, r, &seq, &slot, &data))
			continue;
		/* What read() does: the slot's bytes into the application's memory. */
		memcpy(buf, data, c->st.in_size);
		r->app_copied += c->st.in_size;
		if ((ret = aiot_sensor_queue(s, slot.index)))
			die("queue slot %u: %s", slot.index, aiot_strerror(ret));
		/* Then into the accelerator's tensor. */
		if ((ret = aiot_model_write_input(c->st.model, 0, buf, c->st.in_size)))
			die("write input: %s", aiot_strerror(ret));
		ret = aiot_model_run(c->st.model, 10 * NS);
		if (ret) {
			r->errors++;
			continue;
		}
		result_add(r, lp_now_ns() - slot.timestamp_ns);
		count_class(c, r, scores);
		progress_tick(&pg, r, c->o->quiet);
	}
	r->elapsed_ns = lp_now_ns() - t0;
	lp_progress_done(&pg, c->o->quiet);
	aiot_sensor_stop(s);
	r->cpu_ns = lp_cpu_self_ns() - cpu0;
	r->lib_copied = aiot_accel_get_stat(c->st.accel, AIOT_STAT_BYTES_COPIED) - lib0;
	drv1 = lp_driver_copied(s, &ok1);
	r->drv_known = ok0 && ok1;
	r->drv_copied = r->drv_known ? drv1 - drv0 : 0;
	aiot_sensor_close(s);
	free(buf);
	r->ran = true;
}

/* ---------------------------------------------- (c) loopback TCP path */

#define MSG_MAGIC 0x41494f54u	/* "AIOT" */

struct msg {
	uint32_t magic;
	uint32_t len;		/* payload bytes; 0 ends the session */
	uint64_t sequence;
	uint64_t capture_ns;
	int32_t status;
	uint32_t pad;
};

struct server_stats {
	uint64_t bytes_sent, bytes_recv, lib_copied, cpu_ns, jobs, failed;
};

static int send_all(int fd, const void *p, size_t n, uint64_t *count)
{
	const uint8_t *b = p;

	while (n) {
		ssize_t k = send(fd, b, n, MSG_NOSIGNAL);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k < 0 ? -errno : -EPIPE;
		b += k;
		n -= (size_t)k;
		*count += (uint64_t)k;
	}
	return 0;
}

static int recv_all(int fd, void *p, size_t n, uint64_t *count)
{
	uint8_t *b = p;

	while (n) {
		ssize_t k = recv(fd, b, n, 0);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k < 0 ? -errno : -ECONNRESET;
		b += k;
		n -= (size_t)k;
		*count += (uint64_t)k;
	}
	return 0;
}

/* The "inference service": its own process, its own device file and model. */
static int tcp_server(struct ctx *c, int lfd)
{
	struct aiot_accel *accel = NULL;
	struct aiot_model *model = NULL;
	struct server_stats st = { 0 };
	uint8_t *buf = malloc(c->st.in_size);
	const void *scores;
	char err[256] = "";
	int fd, ret, one = 1;

	fd = accept(lfd, NULL, NULL);
	close(lfd);
	if (fd < 0 || !buf) {
		fprintf(stderr, PROG ": server: accept: %s\n", strerror(errno));
		return 1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	ret = c->o->accel ? aiot_accel_open(c->o->accel, &accel) : aiot_accel_open_default(&accel);
	if (!ret)
		ret = aiot_model_load_file(accel, c->o->model, &model, err, sizeof(err));
	if (!ret)
		ret = aiot_model_map_output(model, 0, &scores);
	if (ret) {
		fprintf(stderr, PROG ": server: %s %s\n", aiot_strerror(ret), err);
		return 1;
	}
	for (;;) {
		struct msg m;

		if ((ret = recv_all(fd, &m, sizeof(m), &st.bytes_recv)))
			break;
		if (m.magic != MSG_MAGIC || m.len > c->st.in_size) {
			ret = -EPROTO;
			break;
		}
		if (!m.len) {	/* the end: report the counters */
			st.lib_copied = aiot_accel_get_stat(accel, AIOT_STAT_BYTES_COPIED);
			st.cpu_ns = lp_cpu_self_ns();
			ret = send_all(fd, &st, sizeof(st), &st.bytes_sent);
			break;
		}
		if ((ret = recv_all(fd, buf, m.len, &st.bytes_recv)))
			break;
		m.status = aiot_model_write_input(model, 0, buf, m.len);
		if (!m.status)
			m.status = aiot_model_run(model, 10 * NS);
		st.jobs++;
		st.failed += m.status != 0;
		m.len = (uint32_t)c->st.out_size;
		if ((ret = send_all(fd, &m, sizeof(m), &st.bytes_sent)) ||
		    (ret = send_all(fd, scores, c->st.out_size, &st.bytes_sent)))
			break;
	}
	if (ret)
		fprintf(stderr, PROG ": server: %s\n", aiot_strerror(ret));
	aiot_model_free(model);
	aiot_accel_close(accel);
	close(fd);
	free(buf);
	return ret ? 1 : 0;
}

/* Busybox guests boot with the loopback interface down. */
static void loopback_up(void)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		return;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (!ioctl(s, SIOCGIFFLAGS, &ifr) && !(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
		if (ioctl(s, SIOCSIFFLAGS, &ifr))
			fprintf(stderr, PROG ": the loopback interface is down and cannot be brought up: %s\n",
				strerror(errno));
	}
	close(s);
}

static void run_tcp(struct ctx *c, struct result *r)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	socklen_t alen = sizeof(addr);
	struct server_stats st;
	struct aiot_sensor *s;
	uint8_t *buf = malloc(sizeof(struct msg) + c->st.in_size), *scores = malloc(c->st.out_size);
	uint64_t drv0, drv1, cpu0, t0, end, sent = 0, recvd = 0;
	struct lp_sequence seq = { 0 };
	struct lp_progress pg;
	struct rusage ru;
	bool ok0, ok1;
	int lfd, fd, ret, one = 1, status;
	pid_t pid;

	if (!buf || !scores)
		die("out of memory");
	loopback_up();
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    listen(lfd, 1) || getsockname(lfd, (struct sockaddr *)&addr, &alen))
		die("loopback TCP server socket: %s", strerror(errno));
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0)
		_exit(tcp_server(c, lfd));
	close(lfd);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)))
		die("connect to the inference server on 127.0.0.1:%u: %s",
		    ntohs(addr.sin_port), strerror(errno));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

	s = configure_sensor(c, c->o->slots);
	drv0 = lp_driver_copied(s, &ok0);
	cpu0 = lp_cpu_self_ns();
	if ((ret = aiot_sensor_start(s)))
		die("start %s: %s", c->o->sensor, aiot_strerror(ret));
	t0 = lp_now_ns();
	end = t0 + (uint64_t)(c->o->duration * 1e9);
	progress_init(&pg, path_names[PATH_TCP], c->o->duration);
	while (!interrupted && lp_now_ns() < end) {
		struct aiot_sensor_slot slot;
		struct msg m = { .magic = MSG_MAGIC };
		const void *data;

		if (!next_slot(c, s, r, &seq, &slot, &data))
			continue;
		m.len = (uint32_t)c->st.in_size;
		m.sequence = slot.sequence;
		m.capture_ns = slot.timestamp_ns;
		memcpy(buf, &m, sizeof(m));
		memcpy(buf + sizeof(m), data, c->st.in_size);	/* read() into the app */
		r->app_copied += c->st.in_size;
		if ((ret = aiot_sensor_queue(s, slot.index)))
			die("queue slot %u: %s", slot.index, aiot_strerror(ret));
		if ((ret = send_all(fd, buf, sizeof(m) + c->st.in_size, &sent)) ||
		    (ret = recv_all(fd, &m, sizeof(m), &recvd)) ||
		    (m.magic != MSG_MAGIC || m.len != c->st.out_size ? (ret = -EPROTO) : 0) ||
		    (ret = recv_all(fd, scores, c->st.out_size, &recvd)))
			die("inference server connection: %s", aiot_strerror(ret));
		if (m.status) {
			r->errors++;
			continue;
		}
		result_add(r, lp_now_ns() - m.capture_ns);
		count_class(c, r, scores);
		progress_tick(&pg, r, c->o->quiet);
	}
	r->elapsed_ns = lp_now_ns() - t0;
	lp_progress_done(&pg, c->o->quiet);
	aiot_sensor_stop(s);
	r->cpu_ns = lp_cpu_self_ns() - cpu0;
	{
		struct msg m = { .magic = MSG_MAGIC, .len = 0 };
		uint64_t ignore = 0;

		if ((ret = send_all(fd, &m, sizeof(m), &sent)) ||
		    (ret = recv_all(fd, &st, sizeof(st), &ignore)))
			die("inference server did not report its counters: %s", aiot_strerror(ret));
	}
	close(fd);
	if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		die("the inference server failed (status 0x%x)", status);
	/* Client: ring -> buffer, send, recv. Server: recv, send; its library's copies. */
	r->app_copied += sent + recvd + st.bytes_recv + st.bytes_sent;
	r->lib_copied = st.lib_copied;
	r->cpu_ns += st.cpu_ns;
	drv1 = lp_driver_copied(s, &ok1);
	r->drv_known = ok0 && ok1;
	r->drv_copied = r->drv_known ? drv1 - drv0 : 0;
	aiot_sensor_close(s);
	free(buf);
	free(scores);
	r->ran = true;
}

/* ------------------------------------------------------------ report */

static void print_result(const struct ctx *c, enum path p, const struct result *r)
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

static void print_ratios(const struct result *a, const struct result *x, const char *name)
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
static void saturate(struct ctx *c, const struct result *paced)
{
	static struct result sat[PATH_COUNT];
	unsigned int rate = c->st.rate_hz;
	double duration = c->o->duration;

	lp_stream_set_rate(&c->st, c->st.max_rate_hz);
	c->o->duration = c->o->saturate;
	if (c->st.fw_dir)
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

/* ------------------------------------------------------------- setup */

static void usage(FILE *f)
{
	fprintf(f,
"Usage: aiot-bench [OPTIONS]\n"
"\n"
"Run one compiled model on one live sensor stream through three paths and\n"
"compare them: capture->decision latency (p50/p99/max), inferences per\n"
"second, CPU bytes copied and CPU time per inference.\n"
"  (a) zero-copy: sensor slots imported into the NPU, jobs queued ahead on\n"
"      upcoming slots, each starting when its slot's DMA completes\n"
"  (b) copy: dequeue, copy the slot out, copy it into the input tensor, run\n"
"  (c) tcp: copy out, send over loopback TCP to a separate inference\n"
"      process that copies it into its tensor, runs, sends the scores back\n"
"\n"
"  -m, --model FILE       compiled model (aiot-compile); its input must be\n"
"                         exactly one sensor slot (default:\n"
"                         /aiot/data/models/person_detect.aiot)\n"
"  -s, --sensor NAME      sensor stream by name or device node (default camera0)\n"
"  -a, --accel PATH       accelerator node (default: the first aiot device)\n"
"  -i, --replay A.bmp,... replay these 8-bit grayscale images (simulated\n"
"                         camera; default: the sensor's live pattern)\n"
"      --hold N           frames each replayed image lasts (default: 1 s)\n"
"  -l, --labels a,b,...   class names of the model's outputs\n"
"  -d, --duration SEC     seconds per path (default 20; --live: 10)\n"
"  -r, --rate HZ          sensor rate (default: from a calibration run, about\n"
"                         half of what the NPU sustains, so every path keeps up)\n"
"  -n, --slots N          ring slots, 2..%d (default 4)\n"
"  -p, --paths LIST       some of zero-copy,copy,tcp (default: all three)\n"
"  -S, --saturate SEC     then run each path SEC seconds with the sensor at its\n"
"                         top rate, faster than the NPU: the most inferences/s\n"
"                         each path sustains (default 5; 0 skips)\n"
"  -L, --live             path (a) only, print every decision with its\n"
"                         latency, then a summary (as aiot-run --sensor does)\n"
"  -q, --quiet            no progress lines\n"
"  -h, --help             this text\n"
"\n"
"Exit status: 0 done; 1 a device, model or I/O error; 2 usage.\n", MAX_SLOTS);
}

static unsigned int parse_uint(const char *opt, const char *s, unsigned int min, unsigned int max)
{
	char *e;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &e, 10);
	if (errno || e == s || *e || v < min || v > max) {
		fprintf(stderr, PROG ": %s: '%s' is not a number in %u..%u\n", opt, s, min, max);
		exit(2);
	}
	return (unsigned int)v;
}

static unsigned int split(char *s, const char **out, unsigned int max, const char *opt)
{
	unsigned int n = 0;

	for (char *tok = strtok(s, ","); tok; tok = strtok(NULL, ",")) {
		if (n == max) {
			fprintf(stderr, PROG ": %s: at most %u items\n", opt, max);
			exit(2);
		}
		out[n++] = tok;
	}
	return n;
}

static void parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "model", required_argument, NULL, 'm' },
		{ "sensor", required_argument, NULL, 's' },
		{ "accel", required_argument, NULL, 'a' },
		{ "replay", required_argument, NULL, 'i' },
		{ "hold", required_argument, NULL, 'H' },
		{ "labels", required_argument, NULL, 'l' },
		{ "duration", required_argument, NULL, 'd' },
		{ "rate", required_argument, NULL, 'r' },
		{ "slots", required_argument, NULL, 'n' },
		{ "paths", required_argument, NULL, 'p' },
		{ "saturate", required_argument, NULL, 'S' },
		{ "live", no_argument, NULL, 'L' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool duration_set = false;
	int ch;

	o->model = "/aiot/data/models/person_detect.aiot";
	o->sensor = "camera0";
	o->duration = 20;
	o->slots = 4;
	o->saturate = 5;
	for (int p = 0; p < PATH_COUNT; p++)
		o->paths[p] = true;
	while ((ch = getopt_long(argc, argv, "m:s:a:i:l:d:r:n:p:Lqh", lo, NULL)) != -1) {
		switch (ch) {
		case 'm': o->model = optarg; break;
		case 's': o->sensor = optarg; break;
		case 'a': o->accel = optarg; break;
		case 'i': o->image_count = split(optarg, o->images, MAX_IMAGES, "--replay"); break;
		case 'H': o->hold = parse_uint("--hold", optarg, 1, 100000); break;
		case 'l': o->label_count = split(optarg, o->labels, MAX_LABELS, "--labels"); break;
		case 'd': {
			char *e;

			o->duration = strtod(optarg, &e);
			if (e == optarg || *e || !(o->duration > 0) || o->duration > 86400) {
				fprintf(stderr, PROG ": --duration: '%s' is not a number of seconds in (0, 86400]\n",
					optarg);
				exit(2);
			}
			duration_set = true;
			break;
		}
		case 'r': o->rate = parse_uint("--rate", optarg, 1, 1000000); break;
		case 'S': o->saturate = parse_uint("--saturate", optarg, 0, 86400); break;
		case 'n': o->slots = parse_uint("--slots", optarg, 2, MAX_SLOTS); break;
		case 'p': {
			const char *items[PATH_COUNT + 1];
			unsigned int n = split(optarg, items, PATH_COUNT + 1, "--paths");

			memset(o->paths, 0, sizeof(o->paths));
			for (unsigned int i = 0; i < n; i++) {
				int p;

				for (p = 0; p < PATH_COUNT; p++)
					if (!strcmp(items[i], path_names[p]))
						break;
				if (p == PATH_COUNT) {
					fprintf(stderr, PROG ": --paths: unknown path '%s' (zero-copy, copy, tcp)\n",
						items[i]);
					exit(2);
				}
				o->paths[p] = true;
			}
			break;
		}
		case 'L': o->live = true; break;
		case 'q': o->quiet = true; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (optind != argc) {
		fprintf(stderr, PROG ": unexpected argument '%s' (see --help)\n", argv[optind]);
		exit(2);
	}
	if (o->live)
		o->saturate = 0;
	if (o->live && !duration_set)
		o->duration = 10;
}

static void setup(struct ctx *c)
{
	struct aiot_sensor *s = open_sensor(c->o->sensor);
	struct aiot_accel_info *ai = NULL;
	struct aiot_accel *accel = NULL;
	struct aiot_model *model = NULL;
	char err[LP_ERR_LEN] = "", a[32];
	uint64_t t_inf;
	int ret;

	ret = c->o->accel ? aiot_accel_open(c->o->accel, &accel) : aiot_accel_open_default(&accel);
	if (ret == -ENODEV && !c->o->accel)
		die("no aiot accelerator found (is the module loaded? try: modprobe aiot-sim)");
	if (ret)
		die("accelerator %s: %s", c->o->accel ? c->o->accel : "", aiot_strerror(ret));
	if ((ret = aiot_model_load_file(accel, c->o->model, &model, err, sizeof(err))))
		die("%s: %s%s%s", c->o->model, aiot_strerror(ret), err[0] ? ": " : "", err);
	if (lp_stream_init(&c->st, s, c->o->sensor, accel, model, c->o->model, err, sizeof(err)))
		die("%s", err);

	/* How fast can the NPU go? Choose a sensor rate every path can follow. */
	if ((ret = lp_calibrate(model, &t_inf)))
		die("calibration run of %s: %s", c->o->model, aiot_strerror(ret));
	lp_stream_set_rate(&c->st, c->o->rate ? c->o->rate : lp_auto_rate(&c->st, t_inf));
	if (c->o->image_count) {
		if (lp_replay_load(&c->replay, &c->st, c->o->images, c->o->image_count, err,
				   sizeof(err)))
			die("%s", err);
		write_recording(c);
	}

	if ((ret = aiot_accel_get_info(accel, &ai)))
		die("accelerator info: %s", aiot_strerror(ret));
	printf("%s on %s (%s), sensor %s: %u Hz, %u sample%s per slot, %u slots%s\n",
	       aiot_model_get_name(model), aiot_accel_get_path(accel),
	       aiot_accel_info_get_backend(ai), c->o->sensor, c->st.rate_hz, c->st.spp,
	       c->st.spp == 1 ? "" : "s", c->o->slots, c->st.fw_dir ? ", replaying images" : "");
	printf("input %zu B = one slot; one inference alone takes %s on the NPU%s\n",
	       c->st.in_size, lp_fmt_time(a, sizeof(a), (double)t_inf),
	       c->o->rate ? "" : " (rate chosen at about half of what it sustains)");
	printf("a slot's timestamp is its first sample: every latency includes the slot's own "
	       "%s of capture\n", lp_fmt_time(a, sizeof(a), 1e9 / c->st.slot_rate_hz));
	fflush(stdout);
	aiot_accel_info_free(ai);
	aiot_sensor_close(s);
}

int main(int argc, char **argv)
{
	static struct result res[PATH_COUNT];
	struct opts o = { 0 };
	struct ctx c = { .o = &o };
	struct sigaction sa = { .sa_handler = on_signal };

	parse_args(argc, argv, &o);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);
	setup(&c);

	if (o.live) {
		struct result *r = &res[PATH_ZERO_COPY];
		char a[32], b[32], d[32], lb[32];

		printf("streaming for %.0f s: every slot goes to the NPU without a copy\n", o.duration);
		run_zero_copy(&c, r, true);
		lp_latencies_sort(&r->lat);
		printf("summary: %zu decisions in %.1f s (%.2f/s), capture->decision p50 %s p99 %s max %s, "
		       "%s copied, %llu dropped, %llu errors;",
		       r->lat.n, (double)r->elapsed_ns / 1e9, per_second(r),
		       lp_fmt_time(a, sizeof(a), (double)percentile(r, 0.5)),
		       lp_fmt_time(b, sizeof(b), (double)percentile(r, 0.99)),
		       lp_fmt_time(d, sizeof(d), (double)lp_latencies_max(&r->lat)),
		       lp_fmt_bytes(lb, sizeof(lb), copied_per_inf(r) * (double)r->lat.n),
		       (unsigned long long)r->drops, (unsigned long long)r->errors);
		for (unsigned int k = 0; k < MAX_LABELS; k++)
			if (r->class_count[k])
				printf(" %s %u", label_of(&c, k, lb, sizeof(lb)), r->class_count[k]);
		printf("\n");
	} else {
		for (int p = 0; p < PATH_COUNT && !interrupted; p++) {
			if (!o.paths[p])
				continue;
			if (p == PATH_ZERO_COPY)
				run_zero_copy(&c, &res[p], false);
			else if (p == PATH_COPY)
				run_copy(&c, &res[p]);
			else
				run_tcp(&c, &res[p]);
			lp_latencies_sort(&res[p].lat);
			print_result(&c, (enum path)p, &res[p]);
		}
		if (res[PATH_ZERO_COPY].ran && res[PATH_COPY].ran)
			print_ratios(&res[PATH_ZERO_COPY], &res[PATH_COPY], "(b)");
		if (res[PATH_ZERO_COPY].ran && res[PATH_TCP].ran)
			print_ratios(&res[PATH_ZERO_COPY], &res[PATH_TCP], "(c)");
		if (o.saturate > 0 && !interrupted)
			saturate(&c, res);
		if (res[PATH_ZERO_COPY].ran && copied_per_inf(&res[PATH_ZERO_COPY]) != 0) {
			printf("FAIL: the zero-copy path copied bytes\n");
			return 1;
		}
	}
	for (int p = 0; p < PATH_COUNT; p++)
		lp_latencies_free(&res[p].lat);
	lp_replay_free(&c.replay);
	aiot_model_free(c.st.model);
	aiot_accel_close(c.st.accel);
	return interrupted ? 130 : 0;
}
