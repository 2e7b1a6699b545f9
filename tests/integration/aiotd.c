// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiotd (tools/aiotd/, docs/cloud.md) against a real broker: Debian's
 * mosquitto, started by this suite inside the guest on its loopback (as
 * aiot-bench's path (e) does). Inside, not on the host through QEMU's user
 * networking: the suite has to stop, restart and kill the broker in the
 * middle of a run, which from inside the guest is a kill() away, with no
 * host-side helper, port or timing to coordinate. The broker keeps its
 * subscribers' sessions on disk (persistence true), so that a restart
 * loses nothing it had acknowledged.
 *
 * aiotd runs person_detect on aiot-sim's camera0, every slot a decision
 * (threshold 0). A subscriber of this program (libmosquitto, persistent
 * session, QoS 1) records every message. The cases:
 *  - bad configurations and credentials refused with exit code 2;
 *  - nominal: birth (retained, online, bdseq), decisions with sequence
 *    numbers 1, 2, 3... in order, each with its fields; telemetry; on
 *    SIGTERM exit 0 and the retained "offline" status;
 *  - the broker stopped for 30 s mid-run then started again: every
 *    decision arrives, the first time in order, no gap; the decisions of
 *    the outage among them (spooled, then forwarded);
 *  - aiotd killed with -9 (broker up, then broker down) and restarted:
 *    the sequence carries on, no gap, nothing lost;
 *  - malformed commands (unknown, oversized, binary, quotes in the
 *    topic): each answered with a reason, aiotd keeps running and
 *    publishing;
 *  - model updates: every kind of bad one refused with its reason (the
 *    test run compares the output for the update's reference input with
 *    the digest it states); a good one swapped in at a slot boundary;
 *  - an accepted model stored: after kill -9 and a restart it is the one
 *    running and published; corrupted on disk, it is refused at start
 *    with a status message and the configured model runs.
 * Duplicates are allowed (at-least-once) and counted.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <grp.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <mosquitto.h>

#include <aiot/accel.h>

#include "tap.h"
#include "../../tools/aiotd/model_update.h"

#define AIOTD		"/aiot/bin/aiotd"
#define MOSQUITTO	"/usr/sbin/mosquitto"
#define MODEL		"/aiot/data/models/person_detect.aiot"
#define DIR		"/tmp/aiotd-test"
#define SPOOL		DIR "/spool"
#define CONF		DIR "/aiotd.conf"
#define MQ_CONF		DIR "/mosquitto.conf"
#define MQ_DIR		DIR "/mq/"
#define MQ_LOG		DIR "/mosquitto.log"
#define AIOTD_LOG	DIR "/aiotd.log"
#define PORT		18830
#define TLS_PORT	18831
#define TLS		"/aiot/data/aiotd-tls/"
#define DEVICE		"t1"
#define MAX_RX		20000
#define NSTREAMS	8
#ifndef STREAMS_SECONDS
#define STREAMS_SECONDS	15	/* make CFLAGS=-DSTREAMS_SECONDS=60 for the issue's run */
#endif
#define WAIT_S		120
#define OUTAGE_S	30	/* the issue's outage */

/* -------------------------------------------------------- the subscriber */

struct rx {
	pthread_mutex_t lock;
	unsigned int n;			/* decisions, duplicates included */
	uint64_t seq[MAX_RX];		/* in arrival order */
	uint64_t time_ms[MAX_RX];	/* the decision's wall-clock time */
	uint64_t hop_ns[MAX_RX];	/* arrival - decided_ns (same clock, same guest) */
	uint64_t arr_ns[MAX_RX];	/* arrival, CLOCK_MONOTONIC */
	uint64_t slot[MAX_RX];		/* the sensor slot's sequence */
	unsigned int version[MAX_RX];	/* model_version */
	char model_status[512];		/* the last aiot/t1/cam/model */
	unsigned int bad;		/* decisions missing a field */
	char first_bad[512];
	unsigned int online, offline;
	uint64_t bdseq;
	unsigned int telemetry;
	char telemetry_last[4096];
	unsigned int replies, replies_ok;
	char replies_text[8192];
	/* every stream's decisions (the many_streams case): cam0..cam7 */
	struct {
		uint64_t next;		/* the next new seq expected */
		unsigned int n, dups, out_of_order;
		uint64_t first_ms, last_ms;
	} st[NSTREAMS];
};

static struct rx rx = { .lock = PTHREAD_MUTEX_INITIALIZER };
static struct mosquitto *sub;
static pid_t broker_pid, aiotd_pid;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The number after "key": in a JSON text; false when absent. */
static bool json_u64(const char *s, const char *key, uint64_t *v)
{
	char k[64];
	const char *p;

	snprintf(k, sizeof(k), "\"%s\":", key);
	p = strstr(s, k);
	if (!p)
		return false;
	p += strlen(k);
	if (*p < '0' || *p > '9')
		return false;
	*v = strtoull(p, NULL, 10);
	return true;
}

static void on_sub_connect(struct mosquitto *m, void *arg, int rc)
{
	(void)arg;
	if (!rc)
		mosquitto_subscribe(m, NULL, "aiot/" DEVICE "/#", 1);
}

static void on_sub_message(struct mosquitto *m, void *arg, const struct mosquitto_message *mm)
{
	uint64_t t = now_ns();
	char *p;

	(void)m;
	(void)arg;
	p = malloc((size_t)mm->payloadlen + 1);
	if (!p)
		return;
	memcpy(p, mm->payload, (size_t)mm->payloadlen);
	p[mm->payloadlen] = '\0';
	pthread_mutex_lock(&rx.lock);
	if (!strncmp(mm->topic, "aiot/" DEVICE "/cam", 11) && mm->topic[11] >= '0' &&
	    mm->topic[11] < '0' + NSTREAMS && !strcmp(mm->topic + 12, "/decision")) {
		unsigned int k = (unsigned int)(mm->topic[11] - '0');
		uint64_t seq, tm;

		if (json_u64(p, "seq", &seq) && json_u64(p, "time_ms", &tm)) {
			if (!rx.st[k].next)
				rx.st[k].next = 1;
			if (seq < rx.st[k].next)
				rx.st[k].dups++;
			else if (seq == rx.st[k].next)
				rx.st[k].next++;
			else
				rx.st[k].out_of_order++;
			if (!rx.st[k].n++)
				rx.st[k].first_ms = tm;
			rx.st[k].last_ms = tm;
		} else if (!rx.bad++) {
			snprintf(rx.first_bad, sizeof(rx.first_bad), "%s", p);
		}
	} else if (!strcmp(mm->topic, "aiot/" DEVICE "/cam/decision")) {
		uint64_t seq, tm, decided, capture, latency, dma = 0;
		bool ok = json_u64(p, "seq", &seq) && json_u64(p, "time_ms", &tm) &&
			  json_u64(p, "decided_ns", &decided) &&
			  json_u64(p, "capture_ns", &capture) &&
			  json_u64(p, "latency_ns", &latency) && json_u64(p, "bdseq", &dma) &&
			  json_u64(p, "sseq", &dma) && json_u64(p, "slot", &dma) &&
			  strstr(p, "\"device\":\"" DEVICE "\"") &&
			  strstr(p, "\"stream\":\"cam\"") &&
			  strstr(p, "\"model_crc\":\"") &&
			  (strstr(p, "\"label\":\"person\"") ||
			   strstr(p, "\"label\":\"no_person\"")) &&
			  strstr(p, "\"score\":") && p[mm->payloadlen - 1] == '}' &&
			  decided > capture && latency == decided - capture;

		if (ok && json_u64(p, "dma_done_ns", &dma))
			ok = dma >= capture && dma <= decided;
		if (!ok) {
			if (!rx.bad++)
				snprintf(rx.first_bad, sizeof(rx.first_bad), "%s", p);
		} else if (rx.n < MAX_RX) {
			rx.seq[rx.n] = seq;
			rx.time_ms[rx.n] = tm;
			rx.hop_ns[rx.n] = t > decided ? t - decided : 0;
			rx.arr_ns[rx.n] = t;
			rx.slot[rx.n] = json_u64(p, "slot", &dma) ? dma : 0;
			rx.version[rx.n] = json_u64(p, "model_version", &dma) ? (unsigned int)dma : 0;
			rx.n++;
		}
	} else if (!strcmp(mm->topic, "aiot/" DEVICE "/cam/model")) {
		snprintf(rx.model_status, sizeof(rx.model_status), "%s", p);
	} else if (!strcmp(mm->topic, "aiot/" DEVICE "/status")) {
		if (strstr(p, "\"online\":true")) {
			rx.online++;
			json_u64(p, "bdseq", &rx.bdseq);
		} else if (strstr(p, "\"online\":false")) {
			rx.offline++;
		}
	} else if (!strcmp(mm->topic, "aiot/" DEVICE "/telemetry")) {
		rx.telemetry++;
		snprintf(rx.telemetry_last, sizeof(rx.telemetry_last), "%s", p);
	} else if (!strcmp(mm->topic, "aiot/" DEVICE "/reply")) {
		size_t l = strlen(rx.replies_text);

		rx.replies++;
		if (strstr(p, "\"ok\":true"))
			rx.replies_ok++;
		snprintf(rx.replies_text + l, sizeof(rx.replies_text) - l, "%s\n", p);
	}
	pthread_mutex_unlock(&rx.lock);
	free(p);
}

static bool sub_start(void)
{
	pthread_mutex_lock(&rx.lock);
	memset((char *)&rx + sizeof(rx.lock), 0, sizeof(rx) - sizeof(rx.lock));
	pthread_mutex_unlock(&rx.lock);
	mosquitto_lib_init();
	/* A persistent session: what the broker queued for it survives a restart. */
	sub = mosquitto_new("aiotd-test-sub", false, NULL);
	if (!sub)
		return false;
	mosquitto_connect_callback_set(sub, on_sub_connect);
	mosquitto_message_callback_set(sub, on_sub_message);
	mosquitto_reconnect_delay_set(sub, 1, 1, false);
	for (int i = 0; i < 100; i++) {
		if (mosquitto_connect(sub, "127.0.0.1", PORT, 30) == MOSQ_ERR_SUCCESS)
			return mosquitto_loop_start(sub) == MOSQ_ERR_SUCCESS;
		usleep(100000);
	}
	return false;
}

static void sub_stop(void)
{
	if (!sub)
		return;
	/* Not forced: pthread_cancel() needs libgcc_s, which the guest lacks. */
	mosquitto_disconnect(sub);
	mosquitto_loop_stop(sub, false);
	mosquitto_destroy(sub);
	sub = NULL;
	mosquitto_lib_cleanup();
}

/* ----------------------------------------------------- broker and daemon */

static bool write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	size_t len = strlen(text);
	bool ok;

	if (fd < 0)
		return false;
	ok = write(fd, text, len) == (ssize_t)len;
	fchmod(fd, mode);
	return !close(fd) && ok;
}

static void tail(const char *path, int lines)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "tail -n %d %s 2>/dev/null | sed 's/^/#   /'", lines, path);
	fflush(stdout);
	if (system(cmd) < 0)
		tap_diag("tail %s failed", path);
}

static pid_t spawn(const char *log, char *const argv[])
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);

		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

/* Loopback only, sessions and their queues on disk, as root (no mosquitto user). */
static bool broker_start(void)
{
	static char *const argv[] = { MOSQUITTO, "-c", MQ_CONF, NULL };
	char conf[1024];

	snprintf(conf, sizeof(conf),
		 "listener %d 127.0.0.1\nallow_anonymous true\npersistence true\n"
		 "persistence_location " MQ_DIR "\nautosave_interval 1\nuser root\n"
		 "max_queued_messages 100000\n"
		 /* TLS, client certificates of the test CA required (mk/aiotd.mk) */
		 "listener %d 127.0.0.1\ncafile " TLS "ca.crt\ncertfile " TLS "server.crt\n"
		 "keyfile " TLS "server.key\nrequire_certificate true\n", PORT, TLS_PORT);
	if (!write_file(MQ_CONF, conf, 0644))
		return false;
	broker_pid = spawn(MQ_LOG, argv);
	return broker_pid > 0;
}

static void broker_stop(void)
{
	if (broker_pid > 0) {
		kill(broker_pid, SIGTERM);
		waitpid(broker_pid, NULL, 0);
		broker_pid = 0;
	}
}

/* The suite's configuration; extra: more global keys (they override). */
static bool write_conf_with(const char *extra)
{
	char text[1024];

	snprintf(text, sizeof(text),
		 "# tests/integration/aiotd.c\n"
		 "device " DEVICE "\n"
		 "broker_host 127.0.0.1\n"
		 "broker_port %d\n"
		 "keepalive 10\n"
		 "spool_dir " SPOOL "\n"
		 "spool_size 1M\n"
		 "spool_segment 64K\n"
		 "fsync always\n"
		 "telemetry 2\n"
		 "%s"
		 "[stream cam]\n"
		 "sensor camera0\n"
		 "model " MODEL "\n"
		 "labels no_person,person\n"
		 "threshold 0\n"
		 "rate 4\n"
		 "slots 4\n", PORT, extra);
	return write_file(CONF, text, 0644);
}

static bool write_conf(void)
{
	return write_conf_with("");
}

static bool aiotd_start(void)
{
	static char *const argv[] = { AIOTD, "-v", "-c", CONF, NULL };

	aiotd_pid = spawn(AIOTD_LOG, argv);
	return aiotd_pid > 0;
}

/* Signal aiotd and reap it: its exit status, or -1 when killed/stuck. */
static int aiotd_stop(int sig)
{
	int st = 0;

	if (aiotd_pid <= 0)
		return -1;
	kill(aiotd_pid, sig);
	for (int i = 0; i < 200; i++) {
		if (waitpid(aiotd_pid, &st, WNOHANG) == aiotd_pid) {
			aiotd_pid = 0;
			return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		}
		usleep(50000);
	}
	kill(aiotd_pid, SIGKILL);
	waitpid(aiotd_pid, NULL, 0);
	aiotd_pid = 0;
	tap_diag("aiotd did not exit within 10 s of signal %d", sig);
	return -1;
}

static bool aiotd_alive(void)
{
	return aiotd_pid > 0 && waitpid(aiotd_pid, NULL, WNOHANG) == 0;
}

/* A clean directory; the loopback up (busybox init may leave it down). */
static void fresh(void)
{
	if (system("rm -rf " DIR " && mkdir -p " MQ_DIR))
		tap_diag("cannot clean " DIR);
	if (system("ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up"))
		tap_diag("cannot bring the loopback up");
}

static void teardown(void)
{
	if (aiotd_pid > 0)
		aiotd_stop(SIGKILL);
	sub_stop();
	broker_stop();
}

static unsigned int rx_count(void)
{
	unsigned int n;

	pthread_mutex_lock(&rx.lock);
	n = rx.n;
	pthread_mutex_unlock(&rx.lock);
	return n;
}

static uint64_t rx_max_seq(void)
{
	uint64_t m = 0;

	pthread_mutex_lock(&rx.lock);
	for (unsigned int i = 0; i < rx.n; i++)
		if (rx.seq[i] > m)
			m = rx.seq[i];
	pthread_mutex_unlock(&rx.lock);
	return m;
}

/* Wait (WAIT_S at most) until at least n decisions arrived. */
static bool wait_decisions(unsigned int n)
{
	uint64_t end = now_ns() + WAIT_S * 1000000000ull;

	while (now_ns() < end) {
		if (rx_count() >= n)
			return true;
		usleep(100000);
	}
	tap_diag("waited %d s for %u decisions, got %u", WAIT_S, n, rx_count());
	return false;
}

/* Wait until a decision made after wall-clock time t_ms arrives. */
static bool wait_decided_after(uint64_t t_ms)
{
	uint64_t end = now_ns() + WAIT_S * 1000000000ull;

	while (now_ns() < end) {
		bool found = false;

		pthread_mutex_lock(&rx.lock);
		for (unsigned int i = 0; i < rx.n && !found; i++)
			found = rx.time_ms[i] > t_ms;
		pthread_mutex_unlock(&rx.lock);
		if (found)
			return true;
		usleep(100000);
	}
	tap_diag("no decision made after %" PRIu64 " arrived in %d s", t_ms, WAIT_S);
	return false;
}

/*
 * Sequences 1..max all there; each arrived for the first time in order
 * (a new number is always the next one); duplicates counted. Returns max.
 */
static uint64_t check_sequence(unsigned int *dups)
{
	uint64_t next = 1, max = 0;
	bool ok = true;

	*dups = 0;
	pthread_mutex_lock(&rx.lock);
	for (unsigned int i = 0; i < rx.n; i++) {
		uint64_t s = rx.seq[i];

		if (s < next) {
			(*dups)++;
		} else if (s == next) {
			next++;
		} else if (ok) {
			tap_diag("decision %u: seq %" PRIu64 " arrived when %" PRIu64
				 " was the next one", i, s, next);
			ok = false;
		}
		if (s > max)
			max = s;
	}
	CHECK(ok);
	CHECK_EQ(next - 1, max);
	CHECK_EQ(rx.bad, 0);
	if (rx.bad)
		tap_diag("malformed decision: %s", rx.first_bad);
	pthread_mutex_unlock(&rx.lock);
	return max;
}

static bool started(void)
{
	fresh();
	if (access(MOSQUITTO, X_OK)) {
		tap_diag(MOSQUITTO " is missing (Debian's mosquitto, tests/qemu/aiot-qemu)");
		return false;
	}
	return write_conf() && broker_start() && sub_start() && aiotd_start();
}

/* ----------------------------------------------------------------- cases */

static int run_check(const char *extra_conf, bool with_base)
{
	char cmd[512];
	int st;

	if (with_base) {
		FILE *f = fopen(DIR "/bad.conf", "w");

		if (!f)
			return -1;
		fprintf(f, "%s", extra_conf);
		fclose(f);
		snprintf(cmd, sizeof(cmd), AIOTD " --check -c " DIR "/bad.conf >>" AIOTD_LOG " 2>&1");
	} else {
		snprintf(cmd, sizeof(cmd), AIOTD " %s >>" AIOTD_LOG " 2>&1", extra_conf);
	}
	st = system(cmd);
	return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void config_refused(void)
{
	static const char base[] = "device t1\nspool_dir /tmp/x\n[stream cam]\nsensor camera0\n"
				   "model /m\n";
	char buf[512];

	fresh();
	CHECK_EQ(run_check(base, true), 0);
	snprintf(buf, sizeof(buf), "%sthreshold 1.5\n", base);
	CHECK_EQ(run_check(buf, true), 2);
	snprintf(buf, sizeof(buf), "%ssensr camera0\n", base);
	CHECK_EQ(run_check(buf, true), 2);
	snprintf(buf, sizeof(buf), "device a/b\n%s", base);
	CHECK_EQ(run_check(buf, true), 2);
	snprintf(buf, sizeof(buf), "%s[stream cam]\nsensor mic0\nmodel /m\n", base);
	CHECK_EQ(run_check(buf, true), 2);
	CHECK_EQ(run_check("spool_dir /tmp/x\n", true), 2);
	/* Credentials: only from a file that nobody else can read. */
	REQUIRE(write_file(DIR "/cred", "username u\npassword p\n", 0644));
	snprintf(buf, sizeof(buf), "credentials " DIR "/cred\n%s", base);
	CHECK_EQ(run_check(buf, true), 2);
	REQUIRE(chmod(DIR "/cred", 0600) == 0);
	CHECK_EQ(run_check(buf, true), 0);
	CHECK_EQ(run_check("--bogus -c " CONF, false), 2);
	CHECK_EQ(run_check("", false), 2);
	/* A model that is not there: a clear failure at start, not a running daemon. */
	REQUIRE(write_conf());
	snprintf(buf, sizeof(buf), "sed -i 's|^model .*|model /nonexistent.aiot|' " CONF);
	REQUIRE(system(buf) == 0);
	CHECK_EQ(run_check("-c " CONF, false), 1);
	tail(AIOTD_LOG, 3);
}

static void nominal(void)
{
	uint64_t t0 = now_ns(), max, hop[MAX_RX], first_ms, last_ms;
	unsigned int dups, n;

	REQUIRE(started());
	REQUIRE(wait_decisions(10));
	for (int i = 0; i < 60 && !rx.telemetry; i++)
		usleep(100000);
	CHECK(aiotd_alive());
	CHECK_EQ(aiotd_stop(SIGTERM), 0);
	usleep(500000);
	max = check_sequence(&dups);
	pthread_mutex_lock(&rx.lock);
	CHECK(rx.online >= 1);
	CHECK(rx.bdseq >= 1);
	CHECK(rx.offline >= 1);
	CHECK(rx.telemetry >= 1);
	CHECK(strstr(rx.telemetry_last, "\"stream\":\"cam\"") != NULL);
	CHECK(strstr(rx.telemetry_last, "\"latency_p99_ns\":") != NULL);
	n = rx.n;
	memcpy(hop, rx.hop_ns, n * sizeof(hop[0]));
	first_ms = rx.time_ms[0];
	last_ms = rx.time_ms[n - 1];
	{
		uint64_t lat = 0, dma = 0;

		json_u64(rx.telemetry_last, "latency_p50_ns", &lat);
		json_u64(rx.telemetry_last, "dma_to_decision_p50_ns", &dma);
		tap_diag("telemetry p50: capture->decision %.2f ms, DMA done->decision (the "
			 "fenced path) %.2f ms", (double)lat / 1e6, (double)dma / 1e6);
	}
	pthread_mutex_unlock(&rx.lock);
	CHECK_EQ(dups, 0);
	for (unsigned int i = 1; i < n; i++)
		for (unsigned int j = i; j > 0 && hop[j - 1] > hop[j]; j--) {
			uint64_t t = hop[j];

			hop[j] = hop[j - 1];
			hop[j - 1] = t;
		}
	tap_diag("%u decisions (seq 1..%" PRIu64 ") in %.1f s, %.2f decisions/s; "
		 "decided->subscriber (spool + broker hop) p50 %.2f ms p99 %.2f ms",
		 n, max, (double)(now_ns() - t0) / 1e9,
		 last_ms > first_ms ? (double)(n - 1) * 1000.0 / (double)(last_ms - first_ms) : 0.0,
		 (double)hop[n / 2] / 1e6, (double)hop[(n * 99 + 99) / 100 - 1] / 1e6);
	teardown();
}

static void broker_outage(void)
{
	uint64_t down_ms, up_ms, up_ns, max, during = 0, first = 0, last = 0;
	unsigned int dups, before, backlog = 0;

	REQUIRE(started());
	REQUIRE(wait_decisions(5));
	broker_stop();
	down_ms = wall_ms();
	before = rx_count();
	sleep(OUTAGE_S);
	REQUIRE(broker_start());
	up_ms = wall_ms();
	up_ns = now_ns();
	REQUIRE(wait_decided_after(up_ms + 2000));
	CHECK(aiotd_alive());
	CHECK_EQ(aiotd_stop(SIGTERM), 0);
	sleep(1);
	max = check_sequence(&dups);
	pthread_mutex_lock(&rx.lock);
	for (unsigned int i = 0; i < rx.n; i++)
		if (rx.time_ms[i] > down_ms + 500 && rx.time_ms[i] + 500 < up_ms)
			during++;
	/* The backlog: decided before the restart, arrived after it. */
	for (unsigned int i = 0; i < rx.n; i++) {
		if (rx.time_ms[i] >= up_ms || rx.arr_ns[i] < up_ns)
			continue;
		if (!backlog++)
			first = rx.arr_ns[i];
		last = rx.arr_ns[i];
	}
	CHECK(rx.online >= 2);
	pthread_mutex_unlock(&rx.lock);
	/* Decided while the broker was away, and delivered all the same. */
	CHECK(during > 0);
	tap_diag("broker down %.1f s: %u decisions before, %" PRIu64 " made during the outage "
		 "(spooled, then forwarded), seq 1..%" PRIu64 " all delivered, %u duplicates",
		 (double)(up_ms - down_ms) / 1e3, before, during, max, dups);
	tap_diag("spool drain after the reconnect: %u decisions arrived in %.1f ms (%.0f/s)",
		 backlog, (double)(last - first) / 1e6,
		 last > first ? (double)(backlog - 1) * 1e9 / (double)(last - first) : 0.0);
	tail(AIOTD_LOG, 6);
	teardown();
}

static void kill9(void)
{
	uint64_t max, m1, m2, t_ms, down_ms, kill_ms, during = 0;
	unsigned int dups;

	REQUIRE(started());
	REQUIRE(wait_decisions(5));
	/* Broker up: killed mid-stream, restarted, the sequence carries on. */
	CHECK_EQ(aiotd_stop(SIGKILL), -1);
	m1 = rx_max_seq();
	REQUIRE(aiotd_start());
	t_ms = wall_ms();
	REQUIRE(wait_decided_after(t_ms + 1000));
	/* Broker down: what is spooled when the daemon dies goes out after restart. */
	broker_stop();
	down_ms = wall_ms();
	sleep(3);
	CHECK_EQ(aiotd_stop(SIGKILL), -1);
	kill_ms = wall_ms();
	m2 = rx_max_seq();
	REQUIRE(broker_start());
	REQUIRE(aiotd_start());
	t_ms = wall_ms();
	REQUIRE(wait_decided_after(t_ms + 1000));
	CHECK_EQ(aiotd_stop(SIGTERM), 0);
	sleep(1);
	max = check_sequence(&dups);
	CHECK(max > m2);
	pthread_mutex_lock(&rx.lock);
	for (unsigned int i = 0; i < rx.n; i++)
		if (rx.time_ms[i] > down_ms + 500 && rx.time_ms[i] < kill_ms)
			during++;
	pthread_mutex_unlock(&rx.lock);
	/* Only in the spool when the daemon was killed, delivered by the next one. */
	CHECK(during > 0);
	tap_diag("killed at seq ~%" PRIu64 " (broker up) and ~%" PRIu64 " (broker down, %" PRIu64
		 " decisions in the spool only): seq 1..%" PRIu64 " all delivered, %u duplicates",
		 m1, m2, during, max, dups);
	tail(AIOTD_LOG, 8);
	teardown();
}

static void malformed_commands(void)
{
	static const char *const topics[] = {
		"aiot/" DEVICE "/cmd/ping",
		"aiot/" DEVICE "/cmd/telemetry",
		"aiot/" DEVICE "/cmd/model",
		"aiot/" DEVICE "/cmd/model",
		"aiot/" DEVICE "/cmd/a\"b\\c",
		"aiot/" DEVICE "/cmd/ping",
		"aiot/" DEVICE "/cmd/no-such-command",
	};
	static uint8_t junk[200000];
	const int sizes[] = { 0, 2, 100000, 2, 3, 256, 5000 };
	unsigned int n0, want = sizeof(topics) / sizeof(topics[0]);
	uint64_t end;

	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 131 + 7);
	junk[1] = '{';
	REQUIRE(started());
	REQUIRE(wait_decisions(3));
	for (unsigned int i = 0; i < want; i++)
		REQUIRE(mosquitto_publish(sub, NULL, topics[i], sizes[i],
					  sizes[i] ? junk : NULL, 1, false) == MOSQ_ERR_SUCCESS);
	end = now_ns() + 30 * 1000000000ull;
	while (now_ns() < end && rx.replies < want)
		usleep(100000);
	n0 = rx_count();
	REQUIRE(wait_decisions(n0 + 3));
	CHECK(aiotd_alive());
	pthread_mutex_lock(&rx.lock);
	CHECK_EQ(rx.replies, want);
	/* ping, telemetry and the binary ping: the rest refused, with the reason */
	CHECK_EQ(rx.replies_ok, 3);
	CHECK(strstr(rx.replies_text, "payload too large") != NULL);
	CHECK(strstr(rx.replies_text, "model updates need model_key") != NULL);
	CHECK(strstr(rx.replies_text, "\"command\":\"a\\\"b\\\\c\"") != NULL);
	CHECK(strstr(rx.replies_text, "unknown command") != NULL);
	tap_diag("replies:\n%s", rx.replies_text);
	pthread_mutex_unlock(&rx.lock);
	CHECK_EQ(aiotd_stop(SIGTERM), 0);
	teardown();
}

/* Over TLS: the broker's certificate checked against the test CA, ours by it. */
static void tls(void)
{
	REQUIRE(access(TLS "ca.crt", R_OK) == 0);
	fresh();
	REQUIRE(write_conf_with("broker_port 18831\n"
				"tls_ca " TLS "ca.crt\ntls_cert " TLS "client.crt\n"
				"tls_key " TLS "client.key\n"));
	REQUIRE(broker_start() && sub_start() && aiotd_start());
	REQUIRE(wait_decisions(5));
	CHECK(rx.online >= 1);
	CHECK_EQ(aiotd_stop(SIGTERM), 0);
	sleep(1);
	{
		unsigned int dups;

		check_sequence(&dups);
	}
	teardown();
}

/*
 * Refused both ways: a client certificate of another CA (the broker says
 * no), a broker whose certificate is not of the CA we trust (we say no).
 * Nothing is published; aiotd keeps trying and keeps spooling.
 */
static void tls_wrong_certificate(void)
{
	static const char *const confs[] = {
		"broker_port 18831\ntls_ca " TLS "ca.crt\ntls_cert " TLS "rogue-client.crt\n"
		"tls_key " TLS "rogue-client.key\n",
		"broker_port 18831\ntls_ca " TLS "rogue-ca.crt\ntls_cert " TLS "client.crt\n"
		"tls_key " TLS "client.key\n",
	};

	REQUIRE(access(TLS "ca.crt", R_OK) == 0);
	for (int i = 0; i < 2; i++) {
		char cmd[128];

		fresh();
		REQUIRE(write_conf_with(confs[i]));
		REQUIRE(broker_start() && sub_start() && aiotd_start());
		sleep(6);
		CHECK(aiotd_alive());
		pthread_mutex_lock(&rx.lock);
		CHECK_EQ(rx.online, 0);
		CHECK_EQ(rx.n, 0);
		pthread_mutex_unlock(&rx.lock);
		CHECK_EQ(aiotd_stop(SIGTERM), 0);
		/* What it decided meanwhile waits in the spool. */
		snprintf(cmd, sizeof(cmd), "test -s " SPOOL "/0000000000000001.seg");
		CHECK(system(cmd) == 0);
		tail(AIOTD_LOG, 3);
		teardown();
	}
}

/*
 * Eight cameras (aiot-sim reloaded with sensors=camera x 8), one stream
 * each at 2 Hz, all publishing for STREAMS_SECONDS: every stream's
 * sequence complete and in order; the rates per stream and in total.
 */
static void many_streams(void)
{
	char conf[4096], cmd[256];
	size_t n;
	unsigned int total = 0;
	uint64_t t0;

	fresh();
	if (system("rmmod aiot_sim && modprobe aiot-sim sensors=camera,camera,camera,camera,"
		   "camera,camera,camera,camera")) {
		tap_diag("cannot reload aiot-sim with eight cameras");
		tap_case_failed = 1;
		goto restore;
	}
	n = (size_t)snprintf(conf, sizeof(conf),
			     "device " DEVICE "\nbroker_host 127.0.0.1\nbroker_port %d\n"
			     "spool_dir " SPOOL "\nspool_size 4M\nspool_segment 256K\n"
			     "telemetry 5\n", PORT);
	for (int i = 0; i < NSTREAMS; i++)
		n += (size_t)snprintf(conf + n, sizeof(conf) - n,
				      "[stream cam%d]\nsensor camera%d\nmodel " MODEL "\n"
				      "labels no_person,person\nrate 2\nslots 3\n", i, i);
	if (!write_file(CONF, conf, 0644) || !broker_start() || !sub_start() || !aiotd_start()) {
		tap_case_failed = 1;
		goto restore;
	}
	t0 = now_ns();
	sleep(STREAMS_SECONDS);
	CHECK(aiotd_alive());
	CHECK_EQ(aiotd_stop(SIGTERM), 0);
	sleep(1);
	pthread_mutex_lock(&rx.lock);
	for (int i = 0; i < NSTREAMS; i++) {
		double secs = (double)(rx.st[i].last_ms - rx.st[i].first_ms) / 1e3;

		CHECK(rx.st[i].n > 0);
		CHECK_EQ(rx.st[i].out_of_order, 0);
		CHECK_EQ(rx.st[i].next - 1 + rx.st[i].dups, rx.st[i].n);
		tap_diag("cam%d: %u decisions (seq 1..%" PRIu64 ", %u duplicates), %.2f/s", i,
			 rx.st[i].n, rx.st[i].next - 1, rx.st[i].dups,
			 secs > 0 ? (double)(rx.st[i].n - 1) / secs : 0.0);
		total += rx.st[i].n;
	}
	CHECK_EQ(rx.bad, 0);
	tap_diag("last telemetry: %s", rx.telemetry_last);
	pthread_mutex_unlock(&rx.lock);
	tap_diag("%d streams for %.0f s: %u decisions, %.2f/s in total", NSTREAMS,
		 (double)(now_ns() - t0) / 1e9, total,
		 (double)total * 1e9 / (double)(now_ns() - t0));
	tail(AIOTD_LOG, 3);
restore:
	teardown();
	snprintf(cmd, sizeof(cmd), "rmmod aiot_sim; modprobe aiot-sim");
	if (system(cmd))
		tap_diag("cannot reload aiot-sim");
}

/*
 * An update's reference input and the digest of person_detect's output
 * for it: what the cloud computes on its own reference before signing.
 * Here the device computes it, before aiotd starts, on a fresh load of the
 * model file: a deterministic pattern, not an all-zero image.
 */
static uint8_t ref_in[1 << 16];
static size_t ref_len;
static uint8_t ref_digest[32];

static bool reference_output(void)
{
	struct aiot_accel *a = NULL;
	struct aiot_model *m = NULL;
	uint8_t *out = NULL;
	size_t olen;
	char err[256] = "";
	bool ok = false;

	if (aiot_accel_open_default(&a) || aiot_model_load_file(a, MODEL, &m, err, sizeof(err))) {
		tap_diag("reference output: %s", err);
		goto out;
	}
	ref_len = aiot_tensor_info_get_size(aiot_model_get_input_info(m, 0));
	olen = aiot_tensor_info_get_size(aiot_model_get_output_info(m, 0));
	out = malloc(olen);
	if (!out || !ref_len || ref_len > sizeof(ref_in))
		goto out;
	for (size_t i = 0; i < ref_len; i++)
		ref_in[i] = (uint8_t)((i * 37 + i / 96 * 11) & 0xff);
	ok = !aiot_model_write_input(m, 0, ref_in, ref_len) &&
	     !aiot_model_run(m, 60 * 1000000000ll) &&
	     !aiot_model_read_output(m, 0, out, olen) && !mu_sha256(out, olen, ref_digest);
out:
	free(out);
	aiot_model_free(m);
	aiot_accel_close(a);
	return ok;
}

static const uint8_t mkey[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
				  17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30 };

/* person_detect's blob (*size bytes) and the configuration with the key. */
static uint8_t *model_setup(size_t *size)
{
	size_t cap = 1 << 20;
	uint8_t *blob = malloc(cap);
	char extra[512], hex[65];
	FILE *f = fopen(MODEL, "rb");

	fresh();
	if (!blob || !f) {
		if (f)
			fclose(f);
		free(blob);
		return NULL;
	}
	*size = fread(blob, 1, cap, f);
	fclose(f);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", mkey[i]);
	if (!*size || *size == cap || !write_file(DIR "/key", hex, 0600) || !reference_output()) {
		free(blob);
		return NULL;
	}
	snprintf(extra, sizeof(extra), "model_key " DIR "/key\nmodel_max %zu\n",
		 *size + MU_HDR + ref_len + 4096);
	if (!write_conf_with(extra) || system("sed -i 's/^rate 4$/rate 2/' " CONF)) {
		free(blob);
		return NULL;
	}
	return blob;
}

/* Send one model update; wait for its reply (60 s). */
static bool send_model(const uint8_t *msg, size_t len)
{
	unsigned int before = rx.replies;
	uint64_t end = now_ns() + 60 * 1000000000ull;

	if (mosquitto_publish(sub, NULL, "aiot/" DEVICE "/cmd/model", (int)len, msg, 1,
			      false) != MOSQ_ERR_SUCCESS)
		return false;
	while (now_ns() < end && rx.replies == before)
		usleep(50000);
	return rx.replies > before;
}

/* Wait (60 s) until a decision of model_version v arrives after index from. */
static bool wait_version(unsigned int from, unsigned int v)
{
	for (int i = 0; i < 600; i++) {
		bool found = false;

		pthread_mutex_lock(&rx.lock);
		for (unsigned int k = from; k < rx.n && !found; k++)
			found = rx.version[k] == v;
		pthread_mutex_unlock(&rx.lock);
		if (found)
			return true;
		usleep(100000);
	}
	tap_diag("no decision of model version %u after #%u", v, from);
	return false;
}

/*
 * Models from the cloud: oversized, malformed, the first format (no
 * reference test), wrongly signed, corrupt (SHA-256), refused by the
 * accelerator, for no such stream, another shape, a reference input of
 * the wrong size, an output that differs from the one the update states:
 * each refused with its reason while version 1 keeps running; then a good
 * one (version 2) swapped in at a slot boundary: the decisions'
 * model_version goes from 1 to 2 between two consecutive slots, no
 * sequence gap, the new version published (retained).
 */
static void model_updates(void)
{
	uint8_t other[32] = { 0 }, wrong[32];
	uint8_t *blob, *msg = NULL;
	size_t size = 0, len;
	unsigned int dups, v1_after = 0, switches = 0, n0;
	uint64_t last_v1_slot = 0, first_v2_slot = 0;
	FILE *f;

	blob = model_setup(&size);
	REQUIRE(blob);
	msg = malloc((1 << 20) + MU_HDR + sizeof(ref_in));
	REQUIRE(msg);
	REQUIRE(broker_start() && sub_start() && aiotd_start());
	REQUIRE(wait_decisions(3));

	/* oversized */
	memset(msg, 'x', size + MU_HDR + ref_len + 5000);
	CHECK(send_model(msg, size + MU_HDR + ref_len + 5000));
	/* malformed */
	CHECK(send_model(msg, 50));
	/* the first format: no reference test */
	memcpy(msg, MU_MAGIC_V1, 8);
	CHECK(send_model(msg, 200));
	/* wrongly signed */
	mu_build(msg, "cam", 2, blob, size, ref_in, ref_len, ref_digest, other, sizeof(other));
	CHECK(send_model(msg, size + MU_HDR + ref_len));
	/* corrupt in transit: its SHA-256 */
	mu_build(msg, "cam", 2, blob, size, ref_in, ref_len, ref_digest, mkey, sizeof(mkey));
	msg[MU_HDR + size / 2] ^= 0x10;
	CHECK(send_model(msg, size + MU_HDR + ref_len));
	/* signed and intact, but not a model the accelerator takes */
	blob[size / 2] ^= 0x10;
	mu_build(msg, "cam", 2, blob, size, ref_in, ref_len, ref_digest, mkey, sizeof(mkey));
	blob[size / 2] ^= 0x10;
	CHECK(send_model(msg, size + MU_HDR + ref_len));
	/* no such stream */
	mu_build(msg, "nope", 2, blob, size, ref_in, ref_len, ref_digest, mkey, sizeof(mkey));
	CHECK(send_model(msg, size + MU_HDR + ref_len));
	/* a good model, but not one for this stream's input and output */
	f = fopen("/aiot/data/models/hello_world_int8.aiot", "rb");
	REQUIRE(f);
	len = fread(msg + MU_HDR, 1, 1 << 20, f);
	fclose(f);
	REQUIRE(len > 0);
	mu_build(msg, "cam", 2, msg + MU_HDR, len, ref_in, ref_len, ref_digest, mkey,
		 sizeof(mkey));
	CHECK(send_model(msg, len + MU_HDR + ref_len));
	/* the reference input is not the model's input's size */
	mu_build(msg, "cam", 2, blob, size, ref_in, ref_len - 1, ref_digest, mkey, sizeof(mkey));
	CHECK(send_model(msg, size + MU_HDR + ref_len - 1));
	/* runs, but its output is not the one the update states */
	memcpy(wrong, ref_digest, 32);
	wrong[0] ^= 0x40;
	mu_build(msg, "cam", 2, blob, size, ref_in, ref_len, wrong, mkey, sizeof(mkey));
	CHECK(send_model(msg, size + MU_HDR + ref_len));
	/* version 1 still runs */
	n0 = rx_count();
	REQUIRE(wait_decisions(n0 + 2));
	/* the good one */
	mu_build(msg, "cam", 2, blob, size, ref_in, ref_len, ref_digest, mkey, sizeof(mkey));
	CHECK(send_model(msg, size + MU_HDR + ref_len));
	CHECK(wait_version(0, 2));
	n0 = rx_count();
	REQUIRE(wait_decisions(n0 + 3));
	CHECK(aiotd_alive());
	CHECK_EQ(aiotd_stop(SIGTERM), 0);
	sleep(1);
	check_sequence(&dups);
	pthread_mutex_lock(&rx.lock);
	for (unsigned int k = 0; k < rx.n; k++) {
		if (k && rx.version[k] != rx.version[k - 1]) {
			switches++;
			last_v1_slot = rx.slot[k - 1];
			first_v2_slot = rx.slot[k];
		}
		if (rx.version[k] == 1 && switches)
			v1_after++;
	}
	/* One switch, 1 -> 2, between consecutive slots; never back. */
	CHECK_EQ(switches, 1);
	CHECK_EQ(v1_after, 0);
	CHECK_EQ(rx.version[0], 1);
	CHECK_EQ(rx.version[rx.n - 1], 2);
	CHECK_EQ(first_v2_slot, last_v1_slot + 1);
	CHECK(strstr(rx.model_status, "\"model_version\":2") != NULL);
	CHECK_EQ(rx.replies, 11);
	CHECK_EQ(rx.replies_ok, 1);
	CHECK(strstr(rx.replies_text, "larger than model_max") != NULL);
	CHECK(strstr(rx.replies_text, "not a model update") != NULL);
	CHECK(strstr(rx.replies_text, "AIOTMDL1 carries no reference test") != NULL);
	CHECK(strstr(rx.replies_text, "authentication failed") != NULL);
	CHECK(strstr(rx.replies_text, "SHA-256 mismatch") != NULL);
	CHECK(strstr(rx.replies_text, "refused by the accelerator") != NULL);
	CHECK(strstr(rx.replies_text, "no such stream") != NULL);
	CHECK(strstr(rx.replies_text, "differs from the running model") != NULL);
	CHECK(strstr(rx.replies_text, "the reference input is") != NULL);
	CHECK(strstr(rx.replies_text, "test output differs from the expected one") != NULL);
	tap_diag("replies:\n%s", rx.replies_text);
	tap_diag("swapped at slot %" PRIu64 " -> %" PRIu64 "; %u decisions, %u duplicates; %s",
		 last_v1_slot, first_v2_slot, rx.n, dups, rx.model_status);
	pthread_mutex_unlock(&rx.lock);
	free(blob);
	free(msg);
	teardown();
}

/*
 * An accepted update survives the daemon: version 3 accepted, aiotd
 * killed with -9 and restarted: its first decisions are version 3's and
 * version 3 is published (the retained model topic, the birth). Then the
 * stored update corrupted on disk (a byte of its blob), aiotd killed and
 * restarted: the stored model is refused with a status message saying
 * why, the configured model (version 1) runs and is published. No
 * sequence gap throughout.
 */
static void model_persists(void)
{
	uint8_t *blob, *msg;
	size_t size = 0, len;
	unsigned int dups, n0, bad_version = 0;
	uint64_t max_before;
	char path[] = SPOOL "/model-cam.upd";
	FILE *f;

	blob = model_setup(&size);
	REQUIRE(blob);
	len = size + MU_HDR + ref_len;
	msg = malloc(len);
	REQUIRE(msg);
	REQUIRE(broker_start() && sub_start() && aiotd_start());
	REQUIRE(wait_decisions(3));
	mu_build(msg, "cam", 3, blob, size, ref_in, ref_len, ref_digest, mkey, sizeof(mkey));
	CHECK(send_model(msg, len));
	CHECK(wait_version(0, 3));
	CHECK(access(path, R_OK) == 0);

	/* kill -9, restart: every decision made since is version 3's */
	CHECK_EQ(aiotd_stop(SIGKILL), -1);
	max_before = rx_max_seq();
	pthread_mutex_lock(&rx.lock);
	rx.model_status[0] = '\0';
	rx.online = 0;
	n0 = rx.n;
	pthread_mutex_unlock(&rx.lock);
	REQUIRE(aiotd_start());
	REQUIRE(wait_decisions(n0 + 3));
	pthread_mutex_lock(&rx.lock);
	/* (the spooled ones the killed daemon made after the swap: 3 as well) */
	for (unsigned int k = n0; k < rx.n; k++)
		if (rx.seq[k] > max_before && rx.version[k] != 3 && !bad_version++)
			tap_diag("seq %" PRIu64 ": model_version %u", rx.seq[k], rx.version[k]);
	CHECK_EQ(bad_version, 0);
	CHECK_EQ(rx.version[rx.n - 1], 3);
	CHECK(rx.online >= 1);
	CHECK(strstr(rx.model_status, "\"model_version\":3") != NULL);
	tap_diag("after kill -9: %s", rx.model_status);
	if (tap_case_failed)
		tap_diag("replies:\n%s", rx.replies_text);
	pthread_mutex_unlock(&rx.lock);

	/* corrupted on disk: refused at start, the configured model runs */
	CHECK_EQ(aiotd_stop(SIGKILL), -1);
	f = fopen(path, "r+b");
	REQUIRE(f);
	REQUIRE(fseek(f, (long)(MU_HDR + size / 3), SEEK_SET) == 0);
	REQUIRE(fputc(0x5a ^ blob[size / 3], f) != EOF);
	fclose(f);
	pthread_mutex_lock(&rx.lock);
	rx.model_status[0] = '\0';
	rx.replies_text[0] = '\0';
	n0 = rx.n;
	pthread_mutex_unlock(&rx.lock);
	REQUIRE(aiotd_start());
	REQUIRE(wait_version(n0, 1));
	n0 = rx_count();
	REQUIRE(wait_decisions(n0 + 2));
	CHECK(aiotd_alive());
	CHECK_EQ(aiotd_stop(SIGTERM), 0);
	sleep(1);
	check_sequence(&dups);
	pthread_mutex_lock(&rx.lock);
	CHECK_EQ(rx.version[rx.n - 1], 1);
	for (unsigned int k = n0; k < rx.n; k++)
		CHECK_EQ(rx.version[k], 1);
	CHECK(strstr(rx.replies_text, "stored model refused at start: SHA-256 mismatch") != NULL);
	CHECK(strstr(rx.model_status, "\"model_version\":1") != NULL);
	tap_diag("corrupted: %s%s; %u decisions, %u duplicates", rx.replies_text,
		 rx.model_status, rx.n, dups);
	pthread_mutex_unlock(&rx.lock);
	CHECK(access(SPOOL "/model-cam.upd.refused", F_OK) == 0);
	CHECK(access(path, F_OK) != 0);
	tail(AIOTD_LOG, 4);
	free(blob);
	free(msg);
	teardown();
}

/*
 * The daemon needs no privilege: an unprivileged uid whose supplementary
 * group owns the device nodes (what the udev rules do, udev/) runs the
 * nominal case; the same uid without that group cannot open the
 * accelerator and aiotd exits at start saying so.
 */
#define UNPRIV_UID	4243
#define UNPRIV_GID	4243	/* its own primary group */
#define NODE_GID	4242	/* the nodes' group: render/video on a board */

struct node_mode {
	char path[64];
	uid_t uid;
	gid_t gid;
	mode_t mode;
};

static int nodes_to_group(struct node_mode *saved, int max)
{
	static const char *const globs[] = { "/dev/aiot/sensor*", "/dev/accel/accel*",
					     "/dev/dri/renderD*" };
	struct stat st;
	int n = 0;

	for (size_t i = 0; i < sizeof(globs) / sizeof(globs[0]); i++) {
		glob_t g;

		if (glob(globs[i], 0, NULL, &g))
			continue;
		for (size_t j = 0; j < g.gl_pathc && n < max; j++) {
			if (stat(g.gl_pathv[j], &st))
				continue;
			snprintf(saved[n].path, sizeof(saved[n].path), "%s", g.gl_pathv[j]);
			saved[n].uid = st.st_uid;
			saved[n].gid = st.st_gid;
			saved[n].mode = st.st_mode & 07777;
			if (chown(saved[n].path, 0, NODE_GID) || chmod(saved[n].path, 0660))
				tap_diag("cannot give %s to group %d", saved[n].path, NODE_GID);
			n++;
		}
		globfree(&g);
	}
	return n;
}

static void nodes_restore(const struct node_mode *saved, int n)
{
	for (int i = 0; i < n; i++)
		if (chown(saved[i].path, saved[i].uid, saved[i].gid) ||
		    chmod(saved[i].path, saved[i].mode))
			tap_diag("cannot restore %s", saved[i].path);
}

/* aiotd as UNPRIV_UID, with or without NODE_GID among its groups. */
static pid_t aiotd_spawn_unprivileged(bool with_group)
{
	static char *const argv[] = { AIOTD, "-v", "-c", CONF, NULL };
	const gid_t groups[1] = { NODE_GID };
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		int fd = open(AIOTD_LOG, O_WRONLY | O_CREAT | O_APPEND, 0644);

		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		if (setgroups(with_group ? 1 : 0, groups) || setgid(UNPRIV_GID) ||
		    setuid(UNPRIV_UID))
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

static void unprivileged(void)
{
	struct node_mode saved[32];
	char path[64], line[256];
	int n, st = 0, uid = -1;
	bool exited = false;
	FILE *f;

	fresh();
	if (access(MOSQUITTO, X_OK))
		TAP_SKIP(MOSQUITTO " is missing");
	REQUIRE(write_conf() && broker_start() && sub_start());
	/* The spool is the daemon's own directory. */
	REQUIRE(chown(DIR, UNPRIV_UID, UNPRIV_GID) == 0);
	n = nodes_to_group(saved, 32);
	CHECK(n >= 2);

	/* Without the nodes' group: refused at start, with the reason. */
	aiotd_pid = aiotd_spawn_unprivileged(false);
	REQUIRE(aiotd_pid > 0);
	for (int i = 0; i < 200 && !exited; i++) {
		if (waitpid(aiotd_pid, &st, WNOHANG) == aiotd_pid)
			exited = true;
		else
			usleep(50000);
	}
	if (!exited)
		aiotd_stop(SIGKILL);
	aiotd_pid = 0;
	CHECK(exited);
	CHECK(exited && WIFEXITED(st) && WEXITSTATUS(st) != 0);
	{
		char log[4096] = "";
		FILE *lf = fopen(AIOTD_LOG, "r");
		size_t got = lf ? fread(log, 1, sizeof(log) - 1, lf) : 0;

		log[got] = 0;
		if (lf)
			fclose(lf);
		/* The reason, not "no aiot device". */
		CHECK(strstr(log, "accelerator: permission denied") != NULL);
	}
	tail(AIOTD_LOG, 2);

	/* With it: the nominal case, as that uid. */
	aiotd_pid = aiotd_spawn_unprivileged(true);
	REQUIRE(aiotd_pid > 0);
	CHECK(wait_decisions(5));
	snprintf(path, sizeof(path), "/proc/%d/status", (int)aiotd_pid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Uid: %d", &uid) == 1)
			break;
	if (f)
		fclose(f);
	CHECK_EQ(uid, UNPRIV_UID);
	CHECK(aiotd_alive());
	CHECK_EQ(aiotd_stop(SIGTERM), 0);
	nodes_restore(saved, n);
	teardown();
}

static void after_case(const char *name)
{
	(void)name;
	teardown();
}

TAP_MAIN_WITH_HOOK(after_case,
		   TAP_CASE(config_refused),
		   TAP_CASE(nominal),
		   TAP_CASE(unprivileged),
		   TAP_CASE(broker_outage),
		   TAP_CASE(kill9),
		   TAP_CASE(malformed_commands),
		   TAP_CASE(tls),
		   TAP_CASE(tls_wrong_certificate),
		   TAP_CASE(model_updates),
		   TAP_CASE(model_persists),
		   TAP_CASE(many_streams))
