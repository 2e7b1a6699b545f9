// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-bench's path (e): an MQTT broker hop, what gateways do today. Debian's
 * mosquitto broker runs on the guest's loopback (started here, 127.0.0.1
 * only, nothing persisted); the capture side copies each slot out and
 * publishes it at QoS 1 (what gateways use: the broker acknowledges every
 * message); a separate inference process subscribed to the topic at QoS 1
 * copies the payload into its tensor, runs the model and holds the scores:
 * that is the decision. It measures DMA done->job start, DMA done->decision
 * and the device time there (CLOCK_MONOTONIC is the same clock in both
 * processes) and hands each record back over a pipe, which is bookkeeping,
 * not part of the path. The capture side waits for that record before the
 * next slot, as the TCP path waits for its reply.
 *
 * No broker, no path: if /usr/sbin/mosquitto is missing or does not start,
 * the bench fails.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <mosquitto.h>

#include "bench.h"

#define MOSQUITTO_BIN "/usr/sbin/mosquitto"
#define BROKER_CONF "/tmp/aiot-bench-mosquitto.conf"
#define BROKER_LOG "/tmp/aiot-bench-mosquitto.log"
#define BROKER_HOST "127.0.0.1"
#define BROKER_PORT 1883
#define TOPIC "aiot/bench/slot"
#define QOS 1
#define MQ_MAGIC 0x4d514954u	/* "MQIT" */

/* The published message: this header, then the slot (len bytes; 0 ends). */
struct mq_msg {
	uint32_t magic;
	uint32_t len;
	uint64_t sequence;
	uint64_t capture_ns;	/* the slot's first sample */
	uint64_t dma_done_ns;	/* its DMA completion, 0: unknown */
};

/* The inference process's record of one message (then out_size scores). */
struct mq_rec {
	uint64_t sequence;
	int32_t status;
	uint32_t has_dma_done;
	uint64_t dma_to_start_ns, dma_to_decision_ns, device_ns;
	uint64_t capture_to_decision_ns;
	/* with the last record (the end): the counters of the process */
	uint64_t bytes_recv, lib_copied, cpu_ns;
};

static pid_t broker_pid;

static void broker_stop(void)
{
	if (broker_pid > 0) {
		kill(broker_pid, SIGTERM);
		waitpid(broker_pid, NULL, 0);
		broker_pid = 0;
	}
}

/*
 * The broker: a minimal configuration, its log in BROKER_LOG. "user root":
 * the guest has no mosquitto user to drop privileges to.
 */
static void broker_start(void)
{
	static const char conf[] =
		"# aiot-bench path (e): loopback only, nothing persisted\n"
		"listener 1883 127.0.0.1\n"
		"allow_anonymous true\n"
		"persistence false\n"
		"user root\n";
	int fd, log;

	if (access(MOSQUITTO_BIN, X_OK))
		die("path (e) needs the MQTT broker " MOSQUITTO_BIN " (Debian's mosquitto): %s",
		    strerror(errno));
	fd = open(BROKER_CONF, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write_all(fd, conf, sizeof(conf) - 1, false, NULL) || close(fd))
		die(BROKER_CONF ": %s", strerror(errno));
	log = open(BROKER_LOG, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (log < 0)
		die(BROKER_LOG ": %s", strerror(errno));
	fflush(NULL);
	broker_pid = fork();
	if (broker_pid < 0)
		die("fork: %s", strerror(errno));
	if (broker_pid == 0) {
		dup2(log, STDOUT_FILENO);
		dup2(log, STDERR_FILENO);
		execl(MOSQUITTO_BIN, "mosquitto", "-c", BROKER_CONF, (char *)NULL);
		_exit(127);
	}
	close(log);
	atexit(broker_stop);
}

/*
 * Connect to the broker, retrying while it starts; die if it exited. 30 s:
 * under the CPU load the benchmark makes itself, in an emulated guest, the
 * broker has taken longer than 5 s to listen.
 */
static struct mosquitto *broker_connect(const char *id)
{
	struct mosquitto *m = mosquitto_new(id, true, NULL);
	uint64_t end = lp_now_ns() + 30 * NS;
	int ret, status;

	if (!m)
		die("mosquitto_new: %s", strerror(errno));
	for (;;) {
		ret = mosquitto_connect(m, BROKER_HOST, BROKER_PORT, 60);
		if (ret == MOSQ_ERR_SUCCESS)
			return m;
		if (broker_pid > 0 && waitpid(broker_pid, &status, WNOHANG) == broker_pid) {
			broker_pid = 0;
			die("the MQTT broker " MOSQUITTO_BIN " exited (status 0x%x), see " BROKER_LOG,
			    status);
		}
		if (lp_now_ns() > end)
			die("MQTT broker on " BROKER_HOST ":%d: %s", BROKER_PORT,
			    mosquitto_strerror(ret));
		nanosleep(&(struct timespec){ .tv_nsec = 20000000 }, NULL);
	}
}

/* ------------------------------------------------ the inference process */

struct sub {
	struct ctx *c;
	struct aiot_accel *accel;
	struct aiot_model *model;
	const void *scores;
	int out;		/* the pipe to the capture side */
	uint64_t bytes_recv;
	int failed;		/* a write to the pipe failed, or a bad message */
	bool done;
};

static void on_message(struct mosquitto *m, void *arg, const struct mosquitto_message *msg)
{
	struct sub *sb = arg;
	struct ctx *c = sb->c;
	struct mq_msg h;
	struct mq_rec rec = { 0 };
	uint64_t started = 0, ended = 0;

	sb->bytes_recv += (uint64_t)msg->payloadlen;
	if ((size_t)msg->payloadlen < sizeof(h)) {
		sb->failed = -EPROTO;
		mosquitto_disconnect(m);
		return;
	}
	memcpy(&h, msg->payload, sizeof(h));
	if (h.magic != MQ_MAGIC || h.len > c->st.in_size ||
	    (size_t)msg->payloadlen != sizeof(h) + h.len) {
		sb->failed = -EPROTO;
		mosquitto_disconnect(m);
		return;
	}
	if (!h.len) {		/* the end: the counters */
		rec.bytes_recv = sb->bytes_recv;
		rec.lib_copied = aiot_accel_get_stat(sb->accel, AIOT_STAT_BYTES_COPIED);
		rec.cpu_ns = lp_cpu_self_ns();
		sb->done = true;
		sb->failed = write_all(sb->out, &rec, sizeof(rec), false, NULL);
		mosquitto_disconnect(m);
		return;
	}
	rec.sequence = h.sequence;
	rec.status = aiot_model_write_input(sb->model, 0, (const uint8_t *)msg->payload + sizeof(h),
					    h.len);
	if (!rec.status) {
		struct aiot_job *job;

		rec.status = aiot_model_submit(sb->model, NULL, &job);
		if (!rec.status) {
			rec.status = aiot_job_wait(job, 10 * NS);
			if (!rec.status)
				rec.status = aiot_job_get_status(job);
			aiot_job_get_timing(job, NULL, NULL, &started, &ended);
			aiot_job_free(job);
		}
	}
	if (!rec.status) {
		/* The decision: the scores are in this process now. */
		uint64_t now = lp_now_ns();

		rec.capture_to_decision_ns = now - h.capture_ns;
		if (h.dma_done_ns && started >= h.dma_done_ns && ended >= started) {
			rec.has_dma_done = 1;
			rec.dma_to_start_ns = started - h.dma_done_ns;
			rec.dma_to_decision_ns = now - h.dma_done_ns;
			rec.device_ns = ended - started;
		}
	}
	if (write_all(sb->out, &rec, sizeof(rec), false, NULL) ||
	    write_all(sb->out, sb->scores, c->st.out_size, false, NULL)) {
		sb->failed = -EPIPE;
		mosquitto_disconnect(m);
	}
}

static void on_connect(struct mosquitto *m, void *arg, int rc)
{
	struct sub *sb = arg;
	int ret;

	if (rc || (ret = mosquitto_subscribe(m, NULL, TOPIC, QOS))) {
		fprintf(stderr, PROG ": MQTT subscriber: connect %d, subscribe failed\n", rc);
		sb->failed = -ECONNREFUSED;
		mosquitto_disconnect(m);
	}
}

static void on_subscribe(struct mosquitto *m, void *arg, int mid, int qos_count,
			 const int *granted)
{
	struct sub *sb = arg;
	char ready = 1;

	(void)m;
	(void)mid;
	if (qos_count < 1 || granted[0] != QOS) {
		sb->failed = -EPROTO;
		mosquitto_disconnect(m);
		return;
	}
	/* Subscribed: the capture side may publish now. */
	if (write_all(sb->out, &ready, 1, false, NULL))
		sb->failed = -EPIPE;
}

static int mqtt_subscriber(struct ctx *c, int out)
{
	struct sub sb = { .c = c, .out = out };
	struct mosquitto *m;
	char err[256] = "";
	int ret;

	ret = c->o->accel ? aiot_accel_open(c->o->accel, &sb.accel) :
			    aiot_accel_open_default(&sb.accel);
	if (!ret)
		ret = load_model(c, sb.accel, &sb.model, err, sizeof(err));
	if (!ret)
		ret = aiot_model_map_output(sb.model, 0, &sb.scores);
	if (ret) {
		fprintf(stderr, PROG ": MQTT subscriber: %s %s\n", aiot_strerror(ret), err);
		return 1;
	}
	m = broker_connect("aiot-bench-inference");
	mosquitto_user_data_set(m, &sb);
	mosquitto_connect_callback_set(m, on_connect);
	mosquitto_subscribe_callback_set(m, on_subscribe);
	mosquitto_message_callback_set(m, on_message);
	/* on_connect is called for the connection made by broker_connect(). */
	ret = mosquitto_loop_forever(m, -1, 1);
	if (ret != MOSQ_ERR_SUCCESS && !sb.done)
		fprintf(stderr, PROG ": MQTT subscriber: %s\n", mosquitto_strerror(ret));
	mosquitto_destroy(m);
	aiot_model_free(sb.model);
	aiot_accel_close(sb.accel);
	if (sb.failed)
		fprintf(stderr, PROG ": MQTT subscriber: %s\n", aiot_strerror(sb.failed));
	return sb.done && !sb.failed ? 0 : 1;
}

/* --------------------------------------------------- the capture side */

void run_mqtt(struct ctx *c, struct result *r)
{
	size_t msg_len = sizeof(struct mq_msg) + c->st.in_size;
	uint8_t *buf = malloc(msg_len), *scores = malloc(c->st.out_size);
	struct lp_sequence seq = { 0 };
	struct aiot_sensor *s;
	struct mosquitto *m;
	struct path_run run;
	struct mq_rec rec;
	struct rusage ru;
	uint64_t published = 0;
	int pfd[2], ret, status;
	char ready;
	pid_t pid;

	if (!buf || !scores)
		die("out of memory");
	loopback_up();
	mosquitto_lib_init();
	broker_start();
	if (pipe2(pfd, O_CLOEXEC))
		die("pipe: %s", strerror(errno));
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		close(pfd[0]);
		broker_pid = 0;	/* the parent's to stop */
		_exit(mqtt_subscriber(c, pfd[1]));
	}
	close(pfd[1]);
	if ((ret = read_all(pfd[0], &ready, 1, false, 10000, NULL)))
		die("the MQTT inference process did not subscribe to " TOPIC ": %s",
		    aiot_strerror(ret));
	m = broker_connect("aiot-bench-capture");
	if ((ret = mosquitto_loop_start(m)))
		die("mosquitto_loop_start: %s", mosquitto_strerror(ret));

	s = configure_sensor(c, c->o->slots);
	path_start(c, s, PATH_MQTT, &run);
	while (path_running(&run)) {
		struct aiot_sensor_slot slot;
		struct mq_msg h = { .magic = MQ_MAGIC };
		struct lp_decision d = { 0 };
		uint64_t done = 0;
		const void *data;

		if (!next_slot(c, s, r, &seq, &slot, &data))
			continue;
		h.len = (uint32_t)c->st.in_size;
		h.sequence = slot.sequence;
		h.capture_ns = slot.timestamp_ns;
		if (!aiot_sensor_get_slot_timing(s, slot.index, NULL, &done))
			h.dma_done_ns = done;
		memcpy(buf, &h, sizeof(h));
		memcpy(buf + sizeof(h), data, c->st.in_size);	/* read() into the app */
		r->app_copied += c->st.in_size;
		if ((ret = aiot_sensor_queue(s, slot.index)))
			die("queue slot %u: %s", slot.index, aiot_strerror(ret));
		/* libmosquitto copies the payload into its packet, then sends it */
		ret = mosquitto_publish(m, NULL, TOPIC, (int)msg_len, buf, QOS, false);
		if (ret)
			die("MQTT publish: %s", mosquitto_strerror(ret));
		published += msg_len;
		if ((ret = read_all(pfd[0], &rec, sizeof(rec), false, 10000, NULL)) ||
		    (ret = read_all(pfd[0], scores, c->st.out_size, false, 10000, NULL)))
			die("no decision from the MQTT inference process: %s", aiot_strerror(ret));
		if (rec.sequence != slot.sequence)
			die("MQTT: decision for slot %llu, expected %llu",
			    (unsigned long long)rec.sequence, (unsigned long long)slot.sequence);
		if (rec.status) {
			r->errors++;
			continue;
		}
		d.slot = slot;
		d.has_dma_done = rec.has_dma_done;
		d.dma_to_start_ns = rec.dma_to_start_ns;
		d.dma_to_decision_ns = rec.dma_to_decision_ns;
		d.device_ns = rec.device_ns;
		/* as path_decision(), with the inference process's decision time */
		result_add(r, rec.capture_to_decision_ns);
		result_times(r, &d);
		count_class(c, r, scores);
		progress_tick(&run.pg, r, c->o->quiet);
	}
	path_stop(c, r, &run, s);
	{
		struct mq_msg h = { .magic = MQ_MAGIC, .len = 0 };

		ret = mosquitto_publish(m, NULL, TOPIC, sizeof(h), &h, QOS, false);
		if (ret)
			die("MQTT publish: %s", mosquitto_strerror(ret));
		if ((ret = read_all(pfd[0], &rec, sizeof(rec), false, 10000, NULL)))
			die("the MQTT inference process did not report its counters: %s",
			    aiot_strerror(ret));
	}
	mosquitto_disconnect(m);
	mosquitto_loop_stop(m, false);
	mosquitto_destroy(m);
	close(pfd[0]);
	if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		die("the MQTT inference process failed (status 0x%x)", status);
	r->cpu_ns += rec.cpu_ns;
	if (broker_pid > 0) {
		/* the broker's CPU time is the path's too */
		kill(broker_pid, SIGTERM);
		if (wait4(broker_pid, &status, 0, &ru) == broker_pid)
			r->cpu_ns += (uint64_t)ru.ru_utime.tv_sec * NS +
				     (uint64_t)ru.ru_utime.tv_usec * 1000 +
				     (uint64_t)ru.ru_stime.tv_sec * NS +
				     (uint64_t)ru.ru_stime.tv_usec * 1000;
		broker_pid = 0;
	}
	mosquitto_lib_cleanup();
	/*
	 * Capture: ring -> buffer, the library's copy into its packet (counted
	 * as what was published); inference: what it received. The broker's own
	 * copies (receive, send) are not counted.
	 */
	r->app_copied += published + rec.bytes_recv;
	r->lib_copied = rec.lib_copied;
	aiot_sensor_close(s);
	free(buf);
	free(scores);
	r->ran = true;
}
