// SPDX-License-Identifier: GPL-2.0-only
/*
 * The NPU card's faults (docs/npu-card.md section 8), driven through
 * aiot-card's debugfs knobs, plus PCI remove/rescan. The harness runs it
 * only in card boots (aiot-qemu --npu card); started elsewhere, every case
 * is skipped.
 *
 * - a hung card is reset and the other clients' jobs complete, correctly;
 * - a DMA error fails only its job, with -EFAULT;
 * - a corrupt completion resets the card and no job is lost;
 * - surprise removal with jobs queued and a sensor stream running: every
 *   fence signals, no process dies, and the device goes away cleanly;
 * - rescan brings a working card back;
 * - a card refusing its reset on removal does no DMA once removal returned.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <drm.h>
#include <drm/aiot_accel.h>
#include <linux/aiot_isa.h>
#include <linux/aiot_sensor.h>

#include "aiot_testlib.h"
#include "tap.h"

#define SEC_NS		1000000000LL
#define NJOBS		8
#define CARD_DRIVER	"/sys/bus/pci/drivers/aiot-card"

static char node[64];

/*
 * One client: a file with a stream, weights, and per job its own input and
 * output buffer, so that every job's result can be checked afterwards.
 */
struct client {
	int fd;
	uint32_t cmd, weights, in[NJOBS], out[NJOBS];
	void *cmd_map, *w_map;
	int8_t *in_map[NJOBS], *out_map[NJOBS];
	uint32_t cmd_size;
	uint64_t ids[NJOBS];
	int fences[NJOBS];
};

static int client_open(struct client *c)
{
	int i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < NJOBS; i++)
		c->fences[i] = -1;
	c->fd = aiot_test_open_accel(node, sizeof(node));
	if (c->fd < 0)
		return -1;
	c->cmd = aiot_test_bo_create(c->fd, 4096);
	c->weights = aiot_test_bo_create(c->fd, 4096);
	if (!c->cmd || !c->weights)
		return -1;
	c->cmd_map = aiot_test_bo_map(c->fd, c->cmd, 4096);
	c->w_map = aiot_test_bo_map(c->fd, c->weights, 4096);
	if (!c->cmd_map || !c->w_map)
		return -1;
	for (i = 0; i < NJOBS; i++) {
		c->in[i] = aiot_test_bo_create(c->fd, 4096);
		c->out[i] = aiot_test_bo_create(c->fd, 4096);
		if (!c->in[i] || !c->out[i])
			return -1;
		c->in_map[i] = aiot_test_bo_map(c->fd, c->in[i], 4096);
		c->out_map[i] = aiot_test_bo_map(c->fd, c->out[i], 4096);
		if (!c->in_map[i] || !c->out_map[i])
			return -1;
	}
	c->cmd_size = aiot_test_fc_stream(c->cmd_map);
	aiot_test_fc_weights(c->w_map);
	return 0;
}

static void client_close(struct client *c)
{
	int i;

	for (i = 0; i < NJOBS; i++) {
		if (c->in_map[i])
			munmap(c->in_map[i], 4096);
		if (c->out_map[i])
			munmap(c->out_map[i], 4096);
		if (c->fences[i] >= 0)
			close(c->fences[i]);
	}
	if (c->cmd_map)
		munmap(c->cmd_map, 4096);
	if (c->w_map)
		munmap(c->w_map, 4096);
	if (c->fd >= 0)
		close(c->fd);
}

/* Job i of the client: input i+1, i+2, ...; its output poisoned. */
static int client_submit(struct client *c, int i)
{
	struct drm_aiot_submit s = {
		.cmd_handle = c->cmd,
		.cmd_size = c->cmd_size,
		.priority = DRM_AIOT_PRIORITY_NORMAL,
		.flags = DRM_AIOT_SUBMIT_OUT_SYNC_FILE,
	};
	int d;

	for (d = 0; d < AIOT_TEST_FC_D; d++)
		c->in_map[i][d] = (int8_t)(i * 7 + d * 3 - 10);
	memset(c->out_map[i], 0x5a, AIOT_TEST_FC_O);
	s.bindings[0] = c->weights;
	s.bindings[1] = c->in[i];
	s.bindings[2] = c->out[i];
	if (ioctl(c->fd, DRM_IOCTL_AIOT_SUBMIT, &s))
		return -1;
	c->ids[i] = s.job_id;
	c->fences[i] = s.out_sync_file;
	return 0;
}

/* 0 when job i finished (state DONE), its status in *status. */
static int client_wait(struct client *c, int i, int64_t timeout_ns, int *status)
{
	struct drm_aiot_job_wait w = { .job_id = c->ids[i],
				       .timeout_ns = timeout_ns };

	if (ioctl(c->fd, DRM_IOCTL_AIOT_JOB_WAIT, &w))
		return -1;
	*status = w.status;
	return 0;
}

static int client_output_ok(const struct client *c, int i)
{
	int o;

	for (o = 0; o < AIOT_TEST_FC_O; o++)
		if (c->out_map[i][o] != aiot_test_fc_expect(c->in_map[i], o))
			return 0;
	return 1;
}

/* The job's out-fence signalled within timeout_ms. */
static int fence_signalled(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, timeout_ms) == 1 && (p.revents & POLLIN);
}

/* The card's PCI address (the first device bound to aiot-card). */
static int card_bdf(char *bdf, size_t len)
{
	struct dirent *de;
	DIR *d = opendir(CARD_DRIVER);
	int ret = -1;

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "0000:", 5))
			continue;
		if (strlen(de->d_name) < len) {
			memcpy(bdf, de->d_name, strlen(de->d_name) + 1);
			ret = 0;
		}
		break;
	}
	closedir(d);
	return ret;
}

static int write_str(const char *path, const char *s)
{
	return aiot_test_write_file(path, s, strlen(s)) ? -1 : 0;
}

/*
 * One command to the emulator's control socket (our ttyS2; on arm64, whose
 * virt machine has one serial port, a virtio console: AIOT_CARD_TTY): plug
 * the card back, set a knob, ask its status. Its reply's line into out, if
 * given.
 */
static int emulator_command_reply(const char *cmd, char *out, size_t outlen)
{
	char reply[256] = "";
	struct termios tio;
	struct pollfd p;
	size_t got = 0;
	const char *tty = getenv("AIOT_CARD_TTY");
	int console = tty && *tty;
	int fd = open(console ? tty : "/dev/ttyS2",
		      O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	/*
	 * Raw, without echo: a virtio console (arm64's hvc1) resets its modes
	 * on the last close and would echo the reply back to the emulator as
	 * a command, whose answer would be read as the next reply. (ttyS2
	 * keeps the modes guest-init.sh gave it.)
	 */
	if (console && tcgetattr(fd, &tio) == 0) {
		cfmakeraw(&tio);
		tcsetattr(fd, TCSANOW, &tio);
	}
	if (write(fd, cmd, strlen(cmd)) != (ssize_t)strlen(cmd)) {
		close(fd);
		return -1;
	}
	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	while (got < sizeof(reply) - 1 && poll(&p, 1, 5000) == 1) {
		ssize_t n = read(fd, reply + got, sizeof(reply) - 1 - got);

		if (n <= 0)
			break;
		got += n;
		if (memchr(reply, '\n', got))
			break;
	}
	close(fd);
	reply[strcspn(reply, "\n")] = '\0';
	tap_diag("emulator: %.*s -> %s", (int)strcspn(cmd, "\n"), cmd, reply);
	if (out)
		snprintf(out, outlen, "%s", reply);
	return strncmp(reply, "ok", 2) ? -1 : 0;
}

static int emulator_command(const char *cmd)
{
	return emulator_command_reply(cmd, NULL, 0);
}

/* Wait for the card's accelerator node to (re)appear. */
static int wait_card_node(int timeout_ms)
{
	struct drm_aiot_device_info info;
	struct drm_aiot_query q = { .type = DRM_AIOT_QUERY_DEVICE_INFO,
		.size = sizeof(info), .ptr = (uintptr_t)&info };
	int waited, fd;

	for (waited = 0; waited < timeout_ms; waited += 50) {
		fd = aiot_test_open_accel(node, sizeof(node));
		if (fd >= 0) {
			memset(&info, 0, sizeof(info));
			if (!ioctl(fd, DRM_IOCTL_AIOT_QUERY, &q) &&
			    !strcmp(info.backend, "aiot-npu-card")) {
				close(fd);
				return 0;
			}
			close(fd);
		}
		usleep(50 * 1000);
	}
	return -1;
}

/* One job, right answer: the card works. */
static int card_works(void)
{
	struct client c;
	int st = -1, ok;

	if (client_open(&c)) {
		client_close(&c);
		return -1;
	}
	ok = !client_submit(&c, 0) && !client_wait(&c, 0, 30 * SEC_NS, &st) &&
	     st == 0 && client_output_ok(&c, 0);
	client_close(&c);
	return ok ? 0 : -1;
}

#define REQUIRE_CARD() do {						\
	if (!aiot_test_npu_is_card())					\
		TAP_SKIP("the NPU under test is not the card");		\
} while (0)

/* ---- cases ---- */

static void card_is_the_accelerator(void)
{
	struct drm_aiot_device_info info;
	struct drm_aiot_query q = { .type = DRM_AIOT_QUERY_DEVICE_INFO,
		.size = sizeof(info), .ptr = (uintptr_t)&info };
	struct client c;
	int i, st;

	REQUIRE_CARD();
	REQUIRE(client_open(&c) == 0);
	REQUIRE(ioctl(c.fd, DRM_IOCTL_AIOT_QUERY, &q) == 0);
	CHECK(strcmp(info.backend, "aiot-npu-card") == 0);
	CHECK_EQ(info.hw_id >> 16, 1);
	for (i = 0; i < NJOBS; i++)
		REQUIRE(client_submit(&c, i) == 0);
	for (i = 0; i < NJOBS; i++) {
		REQUIRE(client_wait(&c, i, 30 * SEC_NS, &st) == 0);
		CHECK_EQ(st, 0);
		CHECK(client_output_ok(&c, i));
	}
	client_close(&c);
}

static void dma_error_fails_only_its_job(void)
{
	struct client c;
	int i, st;

	REQUIRE_CARD();
	REQUIRE(client_open(&c) == 0);
	REQUIRE(aiot_test_npu_knob("dma_error_jobs", "1") == 0);
	for (i = 0; i < 3; i++)
		REQUIRE(client_submit(&c, i) == 0);
	REQUIRE(client_wait(&c, 0, 30 * SEC_NS, &st) == 0);
	CHECK_EQ(st, -EFAULT);
	/* It never touched memory: the output is still the poison. */
	CHECK_EQ((uint8_t)c.out_map[0][0], 0x5a);
	for (i = 1; i < 3; i++) {
		REQUIRE(client_wait(&c, i, 30 * SEC_NS, &st) == 0);
		CHECK_EQ(st, 0);
		CHECK(client_output_ok(&c, i));
	}
	client_close(&c);
}

static void hung_card_reset_other_clients_complete(void)
{
	struct client a, b;
	long timeouts = aiot_test_npu_state_counter("jobs_timed_out");
	int i, st;

	REQUIRE_CARD();
	REQUIRE(client_open(&a) == 0);
	REQUIRE(client_open(&b) == 0);
	REQUIRE(aiot_test_npu_knob("hang_next_jobs", "1") == 0);
	REQUIRE(client_submit(&a, 0) == 0);
	for (i = 0; i < 4; i++)
		REQUIRE(client_submit(&b, i) == 0);
	REQUIRE(client_wait(&a, 0, 60 * SEC_NS, &st) == 0);
	CHECK_EQ(st, -ETIMEDOUT);
	for (i = 0; i < 4; i++) {
		REQUIRE(client_wait(&b, i, 60 * SEC_NS, &st) == 0);
		CHECK_EQ(st, 0);
		CHECK(client_output_ok(&b, i));
	}
	CHECK_EQ(aiot_test_npu_state_counter("jobs_timed_out"), timeouts + 1);
	client_close(&a);
	client_close(&b);
	CHECK(card_works() == 0);
}

static void corrupt_completion_loses_no_job(void)
{
	struct client c;
	int i, st;

	REQUIRE_CARD();
	REQUIRE(client_open(&c) == 0);
	REQUIRE(aiot_test_npu_knob("corrupt_completions", "1") == 0);
	for (i = 0; i < 4; i++)
		REQUIRE(client_submit(&c, i) == 0);
	for (i = 0; i < 4; i++) {
		REQUIRE(client_wait(&c, i, 60 * SEC_NS, &st) == 0);
		CHECK_EQ(st, 0);
		CHECK(client_output_ok(&c, i));
	}
	client_close(&c);
	CHECK(card_works() == 0);
}

/* A process streaming sensor slots for secs seconds: exit 0 if it kept going. */
static pid_t start_stream(int secs)
{
	pid_t pid = fork();
	struct aiot_sensor_info info;
	struct aiot_sensor_config cfg;
	struct aiot_sensor_buffer b;
	struct pollfd p;
	char path[64];
	time_t end;
	int fd, frames = 0;

	if (pid)
		return pid;
	fd = aiot_test_open_sensor(AIOT_SENSOR_KIND_ACCEL, path, sizeof(path));
	if (fd < 0 || ioctl(fd, AIOT_SENSOR_IOC_INFO, &info))
		_exit(2);
	memset(&cfg, 0, sizeof(cfg));
	cfg.format = AIOT_SENSOR_FMT_S16_LE;
	cfg.channels = info.max_channels;
	cfg.rate_hz = 100;
	cfg.samples_per_slot = 10;
	cfg.slot_count = 4;
	cfg.overflow = AIOT_SENSOR_OVERFLOW_OVERWRITE_OLDEST;
	if (ioctl(fd, AIOT_SENSOR_IOC_CONFIGURE, &cfg) ||
	    ioctl(fd, AIOT_SENSOR_IOC_START))
		_exit(3);
	end = time(NULL) + secs;
	while (time(NULL) < end) {
		p = (struct pollfd){ .fd = fd, .events = POLLIN };
		if (poll(&p, 1, 2000) != 1)
			_exit(4);
		memset(&b, 0, sizeof(b));
		if (ioctl(fd, AIOT_SENSOR_IOC_DQBUF, &b))
			_exit(5);
		if (ioctl(fd, AIOT_SENSOR_IOC_QBUF, &b))
			_exit(6);
		frames++;
	}
	ioctl(fd, AIOT_SENSOR_IOC_STOP);
	close(fd);
	_exit(frames > 10 ? 0 : 7);
}

/*
 * The card vanishes (reads all-ones) with a job hung on it and more queued
 * while another process streams: every job's fence signals, the stream
 * goes on, the device is unregistered, files stay valid. PCI remove, the
 * card plugged back, rescan: a working card again.
 */
static void surprise_removal_then_rescan(void)
{
	char bdf[64], path[256];
	struct client c;
	int i, st, wstatus, signalled = 0;
	pid_t streamer;

	REQUIRE_CARD();
	REQUIRE(card_bdf(bdf, sizeof(bdf)) == 0);
	streamer = start_stream(8);
	REQUIRE(streamer > 0);
	REQUIRE(client_open(&c) == 0);
	REQUIRE(aiot_test_npu_knob("hang_next_jobs", "1") == 0);
	for (i = 0; i < NJOBS; i++)
		REQUIRE(client_submit(&c, i) == 0);
	usleep(200 * 1000);
	REQUIRE(aiot_test_npu_knob("remove", "1") == 0);

	/* Detected at the next timeout check at the latest. */
	for (i = 0; i < NJOBS; i++)
		signalled += fence_signalled(c.fences[i], 30 * 1000);
	CHECK_EQ(signalled, NJOBS);
	for (i = 0; i < NJOBS; i++) {
		/* Failed by the driver, or the device is already gone. */
		if (client_wait(&c, i, 0, &st) == 0)
			CHECK(st != 0);
		else
			CHECK_EQ(errno, ENODEV);
	}
	/* The driver unregisters from a work item, a moment later. */
	for (i = 0; i < 100; i++) {
		close(c.fences[0]);
		c.fences[0] = -1;
		if (client_submit(&c, 0))
			break;
		usleep(50 * 1000);
	}
	CHECK_EQ(errno, ENODEV);
	client_close(&c);

	REQUIRE(waitpid(streamer, &wstatus, 0) == streamer);
	CHECK(WIFEXITED(wstatus));
	CHECK_EQ(WEXITSTATUS(wstatus), 0);

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/remove", bdf);
	REQUIRE(write_str(path, "1") == 0);
	REQUIRE(emulator_command("restore\n") == 0);
	REQUIRE(write_str("/sys/bus/pci/rescan", "1") == 0);
	REQUIRE(wait_card_node(10000) == 0);
	CHECK(card_works() == 0);
}

/*
 * Orderly removal through sysfs with jobs 0..n-1 of c on the card: how
 * many of their fences signalled within 10 s each (-1: no removal).
 */
static int remove_card(const char *bdf, struct client *c, int n)
{
	char path[256];
	int i, signalled = 0;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/remove", bdf);
	if (write_str(path, "1"))
		return -1;
	for (i = 0; i < n; i++)
		signalled += fence_signalled(c->fences[i], 10 * 1000);
	return signalled;
}

/* Orderly PCI removal with jobs on the card: all complete, rescan works. */
static void pci_remove_with_jobs_then_rescan(void)
{
	char bdf[64];
	struct client c;
	int i;

	REQUIRE_CARD();
	REQUIRE(card_bdf(bdf, sizeof(bdf)) == 0);
	REQUIRE(client_open(&c) == 0);
	REQUIRE(aiot_test_npu_knob("hang_next_jobs", "1") == 0);
	for (i = 0; i < NJOBS; i++)
		REQUIRE(client_submit(&c, i) == 0);
	usleep(200 * 1000);
	CHECK_EQ(remove_card(bdf, &c, NJOBS), NJOBS);
	CHECK(client_submit(&c, 0) != 0);
	CHECK_EQ(errno, ENODEV);
	client_close(&c);

	REQUIRE(write_str("/sys/bus/pci/rescan", "1") == 0);
	REQUIRE(wait_card_node(10000) == 0);
	CHECK(card_works() == 0);
}

/*
 * A card that refuses its reset while the driver is removed, with a job
 * running and more queued: once removal returns, the card does no more
 * DMA, now or later. The core unmaps (and may free) every job's buffers
 * as soon as remove() completed them; a card still executing would write
 * a job's results into that memory. The emulator's status is the witness:
 * not busy, disabled, and its progress and job count stay where they were.
 */
static void refused_reset_on_remove_then_no_dma(void)
{
	char bdf[64], before[256], after[256], *b, *a;
	struct client c;
	int i;

	REQUIRE_CARD();
	REQUIRE(card_bdf(bdf, sizeof(bdf)) == 0);
	REQUIRE(client_open(&c) == 0);
	/* Each job takes a few 300 ms progress steps. */
	REQUIRE(aiot_test_npu_knob("slow_us", "300000") == 0);
	REQUIRE(aiot_test_npu_knob("refuse_reset", "1") == 0);
	for (i = 0; i < 4; i++)
		REQUIRE(client_submit(&c, i) == 0);
	usleep(100 * 1000);
	REQUIRE(emulator_command_reply("status\n", before, sizeof(before)) == 0);
	CHECK(strstr(before, " busy=1 ") != NULL);
	CHECK_EQ(remove_card(bdf, &c, 4), 4);

	REQUIRE(emulator_command_reply("status\n", before, sizeof(before)) == 0);
	CHECK(strstr(before, " enabled=0 ") != NULL);
	CHECK(strstr(before, " busy=0 ") != NULL);
	/* Longer than a job: one still running would have progressed. */
	usleep(1500 * 1000);
	REQUIRE(emulator_command_reply("status\n", after, sizeof(after)) == 0);
	b = strstr(before, " progress=");
	a = strstr(after, " progress=");
	REQUIRE(a && b);
	CHECK(strcmp(a, b) == 0);
	client_close(&c);

	/* No reset took the knobs away: the host clears them, then rescan. */
	REQUIRE(emulator_command("refuse-reset 0\n") == 0);
	REQUIRE(emulator_command("slow-us 0\n") == 0);
	REQUIRE(write_str("/sys/bus/pci/rescan", "1") == 0);
	REQUIRE(wait_card_node(10000) == 0);
	CHECK(card_works() == 0);
}

TAP_MAIN(TAP_CASE(card_is_the_accelerator),
	 TAP_CASE(dma_error_fails_only_its_job),
	 TAP_CASE(hung_card_reset_other_clients_complete),
	 TAP_CASE(corrupt_completion_loses_no_job),
	 TAP_CASE(pci_remove_with_jobs_then_rescan),
	 TAP_CASE(refused_reset_on_remove_then_no_dma),
	 TAP_CASE(surprise_removal_then_rescan))
