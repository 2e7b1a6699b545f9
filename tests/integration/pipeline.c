// SPDX-License-Identifier: GPL-2.0-only
/*
 * Standing pipelines (docs/pipeline.md): the kernel runs a front end on
 * every slot of a sensor stream and a model every K slots, and userspace
 * only reads decision records. The microphone of aiot-sim plays its RAMP
 * pattern, so slot s starts with the sample s * 160: the front end copies
 * a slot's first bytes into a "feature" buffer, the model copies those into
 * the output, and each record's output bytes must be the ramp value of the
 * record's own sequence number. Checked here:
 *  - records arrive with consecutive periods, sane timestamps (first sample
 *    < DMA done <= job start < job end <= decided) and the right output;
 *  - K = 4: one record per 4 slots, sequences 4 apart;
 *  - camera-style: no front end, the model reads the slot itself (K = 1);
 *  - a job that hangs (the front end, or a model reading the slot): the
 *    slots that come meanwhile are skipped and counted (LATE records), no
 *    job queues behind it, the stream does not stop behind the hung job's
 *    slot, and the pipeline recovers; a hung front end with K = 16: a few
 *    front ends queue behind it (the ring's slots less two), then slots
 *    are skipped; a deadline nobody can meet: every period late (-ETIME);
 *  - closing the decision file, closing the DRM file, and unloading the
 *    backend (rmmod aiot_sim) with a running pipeline: it ends (EOF,
 *    POLLHUP), every job is released, the sensor is free again;
 *  - every bad argument of CREATE is refused, with the errno documented;
 *  - libaiot-accel's aiot_pipeline_*: the camera path (person_detect on
 *    every frame, K = 1) with at most one userspace wake-up per decision;
 *  - frames from userspace (uAPI 1.3, SOURCE_EXTERNAL): aiot buffers
 *    exported as dma-bufs handed in with FRAME give records with their
 *    own bytes, sequence and timestamp, fences that signal, gaps counted;
 *    every bad argument refused (a buffer too small for the model's read:
 *    ENOSPC, not cached); teardown with a frame in flight signals its
 *    fence.
 *  - aiot-run --sensor mic0 --frontend (micro_speech, K = 49) on replayed
 *    yes/no/silence/noise: the word, and the CPU path's exact scores.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm/aiot_accel.h>
#include <linux/aiot_isa.h>
#include <linux/aiot_sensor.h>
#include <aiot/sim_sensor.h>

#include <aiot/pipeline.h>

#include "aiot_testlib.h"
#include "aiot_testlib_cmd.h"
#include "aiot_testlib_stream.h"
#include "tap.h"

#define COPY_BYTES	8
#define REC_SIZE	sizeof(struct drm_aiot_pipeline_record)

struct pl {
	struct aiot_test_stream st;
	int fd;			/* accel */
	uint32_t fe_cmd, model_cmd, feat, out;
	uint32_t fe_size, model_size;
	int pfd;		/* decision file */
};

/* A one-op RESHAPE stream copying @bytes int8 from binding 0 to 1. */
static uint32_t copy_stream(int fd, uint32_t *handle)
{
	struct aiot_isa_op_reshape *op;
	void *map;

	*handle = aiot_test_bo_create(fd, 4096);
	if (!*handle)
		return 0;
	map = aiot_test_bo_map(fd, *handle, 4096);
	if (!map)
		return 0;
	op = aiot_test_stream_one_op(map, AIOT_ISA_OP_RESHAPE, sizeof(*op));
	op->input = (struct aiot_isa_tensor){ .binding = 0,
		.dtype = AIOT_ISA_DTYPE_INT8, .dims = { 1, 1, 1, COPY_BYTES } };
	op->output = (struct aiot_isa_tensor){ .binding = 1,
		.dtype = AIOT_ISA_DTYPE_INT8, .dims = { 1, 1, 1, COPY_BYTES } };
	munmap(map, 4096);
	return sizeof(struct aiot_isa_header) + sizeof(*op);
}

/* The mic configured (RAMP, overwrite-oldest, @slots slots), an NPU file. */
static int pl_open_slots(struct pl *p, uint32_t slots)
{
	char node[64];

	memset(p, 0, sizeof(*p));
	p->pfd = -1;
	p->fd = -1;
	if (aiot_test_stream_open(&p->st, AIOT_SENSOR_KIND_MIC)) {
		tap_diag("no microphone: %s", strerror(errno));
		return -1;
	}
	p->st.cfg = (struct aiot_sensor_config){
		.format = AIOT_SENSOR_FMT_S16_LE,
		.channels = 1,
		.rate_hz = 16000,
		.samples_per_slot = 160,
		.slot_count = slots,
		.overflow = AIOT_SENSOR_OVERFLOW_OVERWRITE_OLDEST,
		.pattern = AIOT_SIM_PATTERN_RAMP,
	};
	if (ioctl(p->st.fd, AIOT_SENSOR_IOC_CONFIGURE, &p->st.cfg)) {
		tap_diag("CONFIGURE: %s", strerror(errno));
		return -1;
	}
	p->fd = aiot_test_open_accel(node, sizeof(node));
	if (p->fd < 0) {
		tap_diag("no accelerator: %s", strerror(errno));
		return -1;
	}
	p->fe_size = copy_stream(p->fd, &p->fe_cmd);
	p->model_size = copy_stream(p->fd, &p->model_cmd);
	p->feat = aiot_test_bo_create(p->fd, 4096);
	p->out = aiot_test_bo_create(p->fd, 4096);
	return p->fe_size && p->model_size && p->feat && p->out ? 0 : -1;
}

static int pl_open(struct pl *p)
{
	return pl_open_slots(p, 4);
}

static void pl_close(struct pl *p)
{
	if (p->pfd >= 0)
		close(p->pfd);
	if (p->fd >= 0)
		close(p->fd);
	if (p->st.fd >= 0)
		close(p->st.fd);
	p->pfd = p->fd = p->st.fd = -1;
}

/* F: slot (binding 0) -> features; M: features -> output. */
static void pl_args(struct pl *p, struct drm_aiot_pipeline_create *c,
		    uint32_t k)
{
	memset(c, 0, sizeof(*c));
	c->sensor_fd = p->st.fd;
	c->frontend.cmd_handle = p->fe_cmd;
	c->frontend.cmd_size = p->fe_size;
	c->frontend.flags = DRM_AIOT_PIPELINE_STAGE_SLOT;
	c->frontend.slot_binding = 0;
	c->frontend.bindings[1] = p->feat;
	c->model.cmd_handle = p->model_cmd;
	c->model.cmd_size = p->model_size;
	c->model.bindings[0] = p->feat;
	c->model.bindings[1] = p->out;
	c->period_slots = k;
	c->priority = DRM_AIOT_PRIORITY_NORMAL;
	c->output_handle = p->out;
	c->output_size = COPY_BYTES;
}

static int pl_create(struct pl *p, struct drm_aiot_pipeline_create *c)
{
	if (ioctl(p->fd, DRM_IOCTL_AIOT_PIPELINE_CREATE, c))
		return -1;
	p->pfd = c->fd;
	return 0;
}

static int pl_start(struct pl *p)
{
	if (ioctl(p->pfd, DRM_AIOT_PIPELINE_IOC_START))
		return -1;
	return ioctl(p->st.fd, AIOT_SENSOR_IOC_START);
}

/* Read @n records (waiting up to @ms each); how many came. */
static int pl_read(struct pl *p, struct drm_aiot_pipeline_record *r, int n,
		   int ms)
{
	struct pollfd pfd = { .fd = p->pfd, .events = POLLIN };
	int got = 0;
	ssize_t len;

	while (got < n) {
		if (poll(&pfd, 1, ms) <= 0 || !(pfd.revents & POLLIN))
			break;
		len = read(p->pfd, &r[got], (size_t)(n - got) * REC_SIZE);
		if (len <= 0)
			break;
		if (len % REC_SIZE) {
			tap_diag("read %zd bytes, not whole records", len);
			tap_case_failed = 1;
			break;
		}
		got += len / REC_SIZE;
	}
	return got;
}

static struct drm_aiot_pipeline_stats pl_stats(struct pl *p)
{
	struct drm_aiot_pipeline_stats s;

	memset(&s, 0xff, sizeof(s));
	if (ioctl(p->pfd, DRM_AIOT_PIPELINE_IOC_STATS, &s)) {
		tap_diag("STATS: %s", strerror(errno));
		tap_case_failed = 1;
	}
	return s;
}

/*
 * The ramp's sample at the start of slot @seq, as the output's first 2
 * bytes: aiot-sim's RAMP is 2n for sample n of a mono stream.
 */
static uint16_t ramp_at(uint64_t seq)
{
	return (uint16_t)(seq * 160 * 2);
}

static void check_record(const struct drm_aiot_pipeline_record *r)
{
	uint16_t v = r->output[0] | r->output[1] << 8;

	CHECK_EQ(r->status, 0);
	CHECK(r->flags & DRM_AIOT_PIPELINE_REC_RAN);
	CHECK(!(r->flags & DRM_AIOT_PIPELINE_REC_LATE));
	CHECK_EQ(r->output_size, COPY_BYTES);
	CHECK_EQ(r->reserved0, 0);
	CHECK(r->timestamp_ns && r->timestamp_ns < r->dma_done_ns);
	CHECK(r->dma_done_ns <= r->started_ns);
	CHECK(r->started_ns <= r->ended_ns);
	CHECK(r->ended_ns <= r->decided_ns);
	/* The output is the slot the record names: its own ramp value. */
	CHECK_EQ(v, ramp_at(r->sequence));
	/* And its next sample, two up. */
	CHECK_EQ((uint16_t)(r->output[2] | r->output[3] << 8),
		 (uint16_t)(ramp_at(r->sequence) + 2));
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void records_arrive(void)
{
	struct drm_aiot_pipeline_record r[20];
	struct drm_aiot_pipeline_create c;
	struct drm_aiot_pipeline_stats s;
	struct pollfd pfd;
	struct pl p;
	int i, n, good = 0;
	uint64_t lat[20], dev[20];

	if (pl_open(&p)) {
		pl_close(&p);
		TAP_SKIP("no simulated microphone or accelerator");
	}
	pl_args(&p, &c, 1);
	REQUIRE(pl_create(&p, &c) == 0);
	CHECK(c.fd >= 0);
	CHECK(fcntl(c.fd, F_GETFD) & FD_CLOEXEC);
	/* Created, not started: nothing to read. */
	pfd = (struct pollfd){ .fd = p.pfd, .events = POLLIN };
	CHECK_EQ(poll(&pfd, 1, 100), 0);
	CHECK_ERRNO(read(p.pfd, r, REC_SIZE - 1), EINVAL);
	REQUIRE(pl_start(&p) == 0);
	n = pl_read(&p, r, 20, 5000);
	CHECK_EQ(n, 20);
	for (i = 0; i < n; i++) {
		if (i) {
			/* Skipped periods leave a gap, counted in late. */
			CHECK(r[i].period > r[i - 1].period);
			CHECK_EQ(r[i].period - r[i - 1].period - 1,
				 r[i].late - r[i - 1].late -
				 !!(r[i].flags & DRM_AIOT_PIPELINE_REC_LATE));
			CHECK(r[i].sequence > r[i - 1].sequence);
		}
		/* A slow guest may be late now and then: counted, not wrong. */
		if (r[i].flags & DRM_AIOT_PIPELINE_REC_LATE)
			continue;
		check_record(&r[i]);
		good++;
		lat[good - 1] = r[i].decided_ns - r[i].dma_done_ns;
		dev[good - 1] = r[i].ended_ns - r[i].started_ns;
	}
	/* Periods skipped before the first record are its late count. */
	CHECK_EQ(r[0].period, r[0].late -
		 !!(r[0].flags & DRM_AIOT_PIPELINE_REC_LATE));
	CHECK(good >= n / 2);
	s = pl_stats(&p);
	CHECK(s.periods >= (uint64_t)n);
	CHECK(s.decisions >= (uint64_t)good);
	CHECK(s.slots >= s.periods);
	CHECK(s.frontend_jobs <= s.slots - s.skipped_slots);
	CHECK(s.frontend_jobs + s.skipped_slots + 16 >= s.slots);
	CHECK_EQ(s.reserved[0], 0);
	qsort(lat, good, sizeof(lat[0]), cmp_u64);
	qsort(dev, good, sizeof(dev[0]), cmp_u64);
	tap_diag("%d records, slots %llu, skipped %llu, late %llu, wakeups %llu (%.3f a slot); model job p50 %.3f ms; DMA->decision p50 %.2f ms, p99 %.2f ms",
		 n, (unsigned long long)s.slots,
		 (unsigned long long)s.skipped_slots,
		 (unsigned long long)s.late, (unsigned long long)s.wakeups,
		 s.slots ? (double)s.wakeups / s.slots : 0.0,
		 good ? dev[good / 2] / 1e6 : 0.0,
		 good ? lat[good / 2] / 1e6 : 0.0,
		 good ? lat[(good * 99 - 1) / 100] / 1e6 : 0.0);
	/* STOP: the records stop coming (after what was in flight). */
	CHECK(ioctl(p.pfd, DRM_AIOT_PIPELINE_IOC_STOP) == 0);
	CHECK(ioctl(p.pfd, DRM_AIOT_PIPELINE_IOC_STOP) == 0);
	usleep(100 * 1000);
	while (pl_read(&p, r, 20, 0) > 0)
		;
	s = pl_stats(&p);
	usleep(200 * 1000);
	CHECK_EQ(pl_stats(&p).periods, s.periods);
	/* START again: they come back. */
	CHECK(ioctl(p.pfd, DRM_AIOT_PIPELINE_IOC_START) == 0);
	CHECK(pl_read(&p, r, 3, 5000) == 3);
	CHECK(ioctl(p.pfd, 0xdead) == -1 && errno == ENOTTY);
	pl_close(&p);
}

static void k_slots_per_decision(void)
{
	struct drm_aiot_pipeline_record r[8];
	struct drm_aiot_pipeline_create c;
	struct drm_aiot_pipeline_stats s;
	struct pl p;
	int i, n;

	if (pl_open(&p)) {
		pl_close(&p);
		TAP_SKIP("no simulated microphone or accelerator");
	}
	pl_args(&p, &c, 4);
	REQUIRE(pl_create(&p, &c) == 0);
	REQUIRE(pl_start(&p) == 0);
	n = pl_read(&p, r, 8, 5000);
	CHECK_EQ(n, 8);
	s = pl_stats(&p);
	for (i = 0; i < n; i++) {
		/* A decision every 4th slot, skipped periods included. */
		if (i && !s.sensor_drops)
			CHECK_EQ(r[i].sequence - r[i - 1].sequence,
				 4 * (r[i].period - r[i - 1].period));
		if (!(r[i].flags & DRM_AIOT_PIPELINE_REC_LATE))
			check_record(&r[i]);
	}
	/*
	 * Four slots per period, each given a front-end job or skipped (a
	 * loaded guest skips many: the check was fe jobs >= 3 per period).
	 */
	CHECK(s.slots >= 4 * s.periods);
	CHECK(s.frontend_jobs + s.skipped_slots >= 4 * s.periods);
	CHECK(s.frontend_jobs > 0);
	pl_close(&p);
}

/* The camera's shape: no front end, the model reads the slot, K = 1. */
static void model_reads_slot(void)
{
	struct drm_aiot_pipeline_record r[6];
	struct drm_aiot_pipeline_create c;
	struct pl p;
	int i, n;

	if (pl_open(&p)) {
		pl_close(&p);
		TAP_SKIP("no simulated microphone or accelerator");
	}
	pl_args(&p, &c, 1);
	memset(&c.frontend, 0, sizeof(c.frontend));
	c.model.flags = DRM_AIOT_PIPELINE_STAGE_SLOT;
	c.model.slot_binding = 0;
	c.model.bindings[0] = 0;
	REQUIRE(pl_create(&p, &c) == 0);
	REQUIRE(pl_start(&p) == 0);
	n = pl_read(&p, r, 6, 5000);
	CHECK_EQ(n, 6);
	for (i = 0; i < n; i++)
		if (!(r[i].flags & DRM_AIOT_PIPELINE_REC_LATE))
			check_record(&r[i]);
	CHECK_EQ(pl_stats(&p).frontend_jobs, 0);
	pl_close(&p);
}

/*
 * A job that hangs: the slots that come meanwhile are skipped and counted,
 * nothing queues behind it, the stream keeps running. hang_next_jobs hangs
 * the next job the simulated NPU starts: with a front end that is most
 * often the front end of the next slot (the model runs right behind it),
 * with @camera (no front end, the model reads the slot) always the model.
 * Either way the hung job reads a slot of the 4-slot ring until the job
 * timeout resets it: the ring must go on with the other three.
 */
static void hung_job(bool camera)
{
	static struct drm_aiot_pipeline_record r[1024];
	struct drm_aiot_pipeline_create c;
	struct drm_aiot_pipeline_stats s, mid0, mid1;
	long sub0, sub1;
	struct pl p;
	int i, n, ok_after = 0, failed = 0;

	if (aiot_test_npu_is_card())
		TAP_SKIP("hang_next_jobs is the simulated NPU's");
	if (pl_open(&p)) {
		pl_close(&p);
		TAP_SKIP("no simulated microphone or accelerator");
	}
	pl_args(&p, &c, 1);
	if (camera) {
		memset(&c.frontend, 0, sizeof(c.frontend));
		c.model.flags = DRM_AIOT_PIPELINE_STAGE_SLOT;
		c.model.slot_binding = 0;
		c.model.bindings[0] = 0;
	}
	c.record_count = 1024;
	REQUIRE(pl_create(&p, &c) == 0);
	REQUIRE(pl_start(&p) == 0);
	REQUIRE(pl_read(&p, r, 2, 5000) == 2);
	sub0 = aiot_test_npu_sysfs_long("jobs_submitted");
	REQUIRE(aiot_test_npu_knob("hang_next_jobs", "1") == 0);
	/*
	 * In the middle of the hang (the job timeout resets it after 2 s)
	 * the stream still runs and every slot that comes is skipped.
	 */
	usleep(500 * 1000);
	mid0 = pl_stats(&p);
	usleep(1000 * 1000);
	mid1 = pl_stats(&p);
	/* Then the reset, and the pipeline recovers. */
	usleep(2500 * 1000);
	sub1 = aiot_test_npu_sysfs_long("jobs_submitted");
	s = pl_stats(&p);
	n = pl_read(&p, r, 1024, 0);
	for (i = 0; i < n; i++) {
		if (r[i].status && !(r[i].flags & DRM_AIOT_PIPELINE_REC_LATE)) {
			failed++;
			CHECK_EQ(r[i].status, -ETIMEDOUT);
		} else if (failed && !r[i].status) {
			ok_after++;
		}
	}
	tap_diag("4 s with a hung job: %ld jobs submitted, %llu slots, %llu skipped, %llu late, %llu sensor drops, %d failed records, %d good after; 1 s in the hang: %llu slots, %llu skipped",
		 sub1 - sub0, (unsigned long long)s.slots,
		 (unsigned long long)s.skipped_slots,
		 (unsigned long long)s.late,
		 (unsigned long long)s.sensor_drops, failed, ok_after,
		 (unsigned long long)(mid1.slots - mid0.slots),
		 (unsigned long long)(mid1.skipped_slots - mid0.skipped_slots));
	/*
	 * During the hang the slots keep coming (a ring stopped behind the
	 * hung job's slot gives none) and are all skipped... A slot is
	 * counted when it arrives and skipped when the slot work has looked
	 * at it: one in flight at either snapshot moves the two counts
	 * apart by one (seen in the debug guest: 99 slots, 100 skipped).
	 */
	CHECK(mid1.slots - mid0.slots >= 5);
	CHECK(mid1.skipped_slots - mid0.skipped_slots + 1 >=
	      mid1.slots - mid0.slots);
	CHECK(mid1.skipped_slots - mid0.skipped_slots <=
	      mid1.slots - mid0.slots + 1);
	CHECK(s.skipped_slots >= 10);
	CHECK(s.late >= 10);
	CHECK_EQ(failed, 1);
	CHECK(ok_after >= 1);
	/* ...not queued: at most 2 jobs (1 without a front end) per slot taken. */
	CHECK(sub1 - sub0 <= (camera ? 1 : 2) * (long)(s.slots - s.skipped_slots));
	/* And no backlog after it: decisions are fresh again. */
	CHECK(pl_read(&p, r, 3, 5000) == 3);
	for (i = 0; i < 3; i++) {
		if (r[i].flags & DRM_AIOT_PIPELINE_REC_LATE)
			continue;
		check_record(&r[i]);
		CHECK(r[i].decided_ns - r[i].dma_done_ns < 500000000ULL);
	}
	pl_close(&p);
}

static void hung_model_skips_not_queues(void)
{
	hung_job(false);
}

/* The hung job reads the slot: the ring still runs on the other slots. */
static void hung_slot_reader_skips_not_stalls(void)
{
	hung_job(true);
}

/*
 * A front end that takes longer than a slot does not cost its period a
 * hole: the next slots' front ends queue behind it, up to the ring's
 * slots less two (the DMA's and one to recycle), here 8 - 2 = 6 unfinished
 * at once; only then are slots skipped. The hung front end (K = 16, so the
 * next job the simulated NPU starts is almost always a front end) is the
 * slow one; after its reset the queued ones run and decisions are fresh.
 */
static void hung_frontend_queues_a_few(void)
{
	static struct drm_aiot_pipeline_record r[1024];
	struct drm_aiot_pipeline_create c;
	struct drm_aiot_pipeline_stats s0, mid0, mid1;
	long sub_mid0, sub_mid1;
	struct pl p;
	int i, n, good = 0;

	if (aiot_test_npu_is_card())
		TAP_SKIP("hang_next_jobs is the simulated NPU's");
	if (pl_open_slots(&p, 8)) {
		pl_close(&p);
		TAP_SKIP("no simulated microphone or accelerator");
	}
	pl_args(&p, &c, 16);
	c.record_count = 1024;
	REQUIRE(pl_create(&p, &c) == 0);
	REQUIRE(pl_start(&p) == 0);
	REQUIRE(pl_read(&p, r, 2, 5000) == 2);
	s0 = pl_stats(&p);
	REQUIRE(aiot_test_npu_knob("hang_next_jobs", "1") == 0);
	usleep(500 * 1000);
	mid0 = pl_stats(&p);
	sub_mid0 = aiot_test_npu_sysfs_long("jobs_submitted");
	usleep(1000 * 1000);
	mid1 = pl_stats(&p);
	sub_mid1 = aiot_test_npu_sysfs_long("jobs_submitted");
	tap_diag("hung front end: %llu front ends queued in its first 0.5 s; the next 1 s: %llu slots, %llu skipped, %ld jobs submitted",
		 (unsigned long long)(mid0.frontend_jobs - s0.frontend_jobs),
		 (unsigned long long)(mid1.slots - mid0.slots),
		 (unsigned long long)(mid1.skipped_slots - mid0.skipped_slots),
		 sub_mid1 - sub_mid0);
	/*
	 * Six unfinished at once: the hung one and five behind it. Counted
	 * from the snapshot before the knob, that is 5 when the hung one was
	 * already queued then (seen on 6.1), 7 when one more finished in
	 * between; the rule before queued none behind it.
	 */
	CHECK(mid0.frontend_jobs - s0.frontend_jobs >= 5);
	CHECK(mid0.frontend_jobs - s0.frontend_jobs <= 7);
	/* Then nothing more: the slots keep coming and are skipped. */
	CHECK(mid1.slots - mid0.slots >= 5);
	CHECK_EQ(mid1.frontend_jobs, mid0.frontend_jobs);
	CHECK_EQ(sub_mid1, sub_mid0);
	CHECK(mid1.skipped_slots - mid0.skipped_slots + 1 >=
	      mid1.slots - mid0.slots);
	/* After the reset (2 s): the queue drains, decisions are fresh. */
	usleep(2500 * 1000);
	while (pl_read(&p, r, 1024, 0) > 0)
		;
	n = pl_read(&p, r, 3, 5000);
	CHECK_EQ(n, 3);
	for (i = 0; i < n; i++) {
		if (r[i].flags & DRM_AIOT_PIPELINE_REC_LATE)
			continue;
		check_record(&r[i]);
		CHECK(r[i].decided_ns - r[i].dma_done_ns < 500000000ULL);
		good++;
	}
	CHECK(good >= 1);
	pl_close(&p);
}

static void missed_deadline_is_late(void)
{
	struct drm_aiot_pipeline_record r[5];
	struct drm_aiot_pipeline_create c;
	struct drm_aiot_pipeline_stats s;
	struct pl p;
	int i, n;

	if (pl_open(&p)) {
		pl_close(&p);
		TAP_SKIP("no simulated microphone or accelerator");
	}
	pl_args(&p, &c, 1);
	c.deadline_ns = 1;	/* 1 ns after the DMA: never met */
	REQUIRE(pl_create(&p, &c) == 0);
	REQUIRE(pl_start(&p) == 0);
	n = pl_read(&p, r, 5, 5000);
	CHECK_EQ(n, 5);
	for (i = 0; i < n; i++) {
		CHECK_EQ(r[i].status, -ETIME);
		CHECK(r[i].flags & DRM_AIOT_PIPELINE_REC_LATE);
		CHECK(!(r[i].flags & DRM_AIOT_PIPELINE_REC_RAN));
		CHECK_EQ(r[i].output_size, 0);
	}
	s = pl_stats(&p);
	CHECK_EQ(s.decisions, 0);
	CHECK(s.late >= (uint64_t)n);
	CHECK_EQ(s.late, s.periods);
	pl_close(&p);
}

/* After a pipeline is gone its sensor is free: CONFIGURE works again. */
static void check_sensor_free(struct pl *p)
{
	struct aiot_sensor_config cfg = p->st.cfg;
	int i;

	ioctl(p->st.fd, AIOT_SENSOR_IOC_STOP);
	/* The slots' imports go with the last job. */
	for (i = 0; i < 100; i++) {
		if (!ioctl(p->st.fd, AIOT_SENSOR_IOC_CONFIGURE, &cfg))
			return;
		usleep(20 * 1000);
	}
	tap_diag("CONFIGURE after the pipeline: %s", strerror(errno));
	tap_case_failed = 1;
}

static void close_decision_file_tears_down(void)
{
	struct drm_aiot_pipeline_record r[2];
	struct drm_aiot_pipeline_create c;
	struct pl p;

	if (pl_open(&p)) {
		pl_close(&p);
		TAP_SKIP("no simulated microphone or accelerator");
	}
	pl_args(&p, &c, 1);
	REQUIRE(pl_create(&p, &c) == 0);
	/* While the pipeline holds the slots, the ring cannot change. */
	CHECK_ERRNO(ioctl(p.st.fd, AIOT_SENSOR_IOC_CONFIGURE, &p.st.cfg), EBUSY);
	/* Nor can a second pipeline take the stream. */
	CHECK_ERRNO(ioctl(p.fd, DRM_IOCTL_AIOT_PIPELINE_CREATE, &c), EBUSY);
	REQUIRE(pl_start(&p) == 0);
	CHECK(pl_read(&p, r, 2, 5000) == 2);
	close(p.pfd);
	p.pfd = -1;
	check_sensor_free(&p);
	pl_close(&p);
}

static void close_drm_file_ends_pipeline(void)
{
	struct drm_aiot_pipeline_record r[64];
	struct drm_aiot_pipeline_create c;
	struct pollfd pfd;
	struct pl p;
	int i;
	ssize_t len = -1;

	if (pl_open(&p)) {
		pl_close(&p);
		TAP_SKIP("no simulated microphone or accelerator");
	}
	pl_args(&p, &c, 1);
	REQUIRE(pl_create(&p, &c) == 0);
	REQUIRE(pl_start(&p) == 0);
	CHECK(pl_read(&p, r, 2, 5000) == 2);
	close(p.fd);
	p.fd = -1;
	pfd = (struct pollfd){ .fd = p.pfd, .events = POLLIN };
	CHECK(poll(&pfd, 1, 5000) == 1);
	CHECK(pfd.revents & POLLHUP);
	/* What was decided is still there; then end of file. */
	for (i = 0; i < 10 && len; i++)
		len = read(p.pfd, r, sizeof(r));
	CHECK_EQ(len, 0);
	CHECK_ERRNO(ioctl(p.pfd, DRM_AIOT_PIPELINE_IOC_START), ENODEV);
	close(p.pfd);
	p.pfd = -1;
	check_sensor_free(&p);
	pl_close(&p);
}

static void rmmod_backend_ends_pipeline(void)
{
	struct drm_aiot_pipeline_record r[64];
	struct drm_aiot_pipeline_create c;
	struct pollfd pfd;
	struct pl p;
	int i, ret;
	ssize_t len = -1;

	if (aiot_test_npu_is_card())
		TAP_SKIP("the sim's own NPU and sensor go together");
	if (pl_open(&p)) {
		pl_close(&p);
		TAP_SKIP("no simulated microphone or accelerator");
	}
	pl_args(&p, &c, 1);
	REQUIRE(pl_create(&p, &c) == 0);
	REQUIRE(pl_start(&p) == 0);
	CHECK(pl_read(&p, r, 2, 5000) == 2);
	/* Files open on the sensor and the NPU do not keep aiot-sim. */
	ret = aiot_test_rmmod_wait("aiot_sim", 10000);
	CHECK_EQ(ret, 0);
	pfd = (struct pollfd){ .fd = p.pfd, .events = POLLIN };
	CHECK(poll(&pfd, 1, 5000) == 1);
	CHECK(pfd.revents & POLLHUP);
	for (i = 0; i < 10 && len; i++)
		len = read(p.pfd, r, sizeof(r));
	CHECK_EQ(len, 0);
	pl_close(&p);
	if (!ret)
		CHECK(aiot_test_npu_load(0, NULL) == 0);
}

#define BAD(field_expr, err) do {					\
	pl_args(&p, &c, 1);						\
	field_expr;							\
	errno = 0;							\
	if (ioctl(p.fd, DRM_IOCTL_AIOT_PIPELINE_CREATE, &c) == 0) {	\
		tap_diag("accepted: %s", #field_expr);			\
		tap_case_failed = 1;					\
		close(c.fd);						\
	} else if (errno != (err)) {					\
		tap_diag("%s: %s, want %s", #field_expr,		\
			 strerror(errno), strerror(err));		\
		tap_case_failed = 1;					\
	}								\
} while (0)

static void bad_args_rejected(void)
{
	struct drm_aiot_pipeline_create c;
	struct aiot_sensor_config cfg;
	struct pl p;
	int i, nullfd;

	if (pl_open(&p)) {
		pl_close(&p);
		TAP_SKIP("no simulated microphone or accelerator");
	}
	nullfd = open("/dev/null", O_RDONLY);
	BAD(c.flags = 1, EINVAL);
	BAD(c.reserved[0] = 1, EINVAL);
	BAD(c.reserved[4] = 1, EINVAL);
	BAD(c.sensor_fd = -1, EBADF);
	BAD(c.sensor_fd = nullfd, EBADF);
	BAD(c.sensor_fd = p.fd, EBADF);
	BAD(c.period_slots = 0, EINVAL);
	BAD(c.period_slots = 65537, EINVAL);
	BAD(c.priority = 3, EINVAL);
	BAD(c.deadline_ns = 11000000000ULL, EINVAL);
	BAD(c.output_size = DRM_AIOT_PIPELINE_MAX_OUTPUT + 1, EINVAL);
	BAD((c.output_handle = 0, c.output_size = 0, c.output_offset = 4), EINVAL);
	BAD(c.output_offset = 4095, EINVAL);
	BAD(c.output_handle = 999, ENOENT);
	BAD(c.record_count = DRM_AIOT_PIPELINE_MAX_RECORDS + 1, EINVAL);
	BAD(c.frontend.flags = 2, EINVAL);
	BAD(c.frontend.reserved = 1, EINVAL);
	BAD(c.frontend.slot_binding = 16, EINVAL);
	BAD(c.frontend.slot_binding = 1, EINVAL);	/* bound already */
	BAD(c.model.slot_binding = 1, EINVAL);		/* without the flag */
	BAD(c.model.cmd_size = 0, EINVAL);		/* the model is required */
	BAD((c.frontend.flags = 0), EINVAL);		/* slot bound nowhere */
	BAD((c.frontend.cmd_size = 0), EINVAL);		/* rest not zero */
	BAD(c.frontend.cmd_handle = 999, ENOENT);
	BAD(c.frontend.bindings[2] = 999, ENOENT);
	BAD(c.model.bindings[5] = 999, ENOENT);
	BAD(c.frontend.cmd_offset = 4090, EINVAL);
	BAD(c.model.cmd_size = 3, EINVAL);		/* malformed stream */
	BAD(c.model.bindings[1] = 0, ENOSPC);		/* unbound slot */
	/* The front end may not write the sensor's slot (read-only). */
	BAD((c.frontend.slot_binding = 1, c.frontend.bindings[1] = 0,
	     c.frontend.bindings[0] = p.feat), EACCES);
	/* A stream another file configured, or none configured. */
	cfg = p.st.cfg;
	cfg.overflow = AIOT_SENSOR_OVERFLOW_DROP_NEWEST;
	for (i = 0; i < 100 && ioctl(p.st.fd, AIOT_SENSOR_IOC_CONFIGURE, &cfg); i++)
		usleep(20 * 1000);	/* failed creates free their imports late */
	CHECK(i < 100);
	BAD((void)0, EINVAL);				/* not overwrite-oldest */
	if (nullfd >= 0)
		close(nullfd);
	pl_close(&p);
}

#define PERSON_DETECT "/aiot/data/models/person_detect.aiot"

static void lib_camera_pipeline(void)
{
	struct aiot_sensor_settings *set = NULL;
	struct aiot_pipeline_record rec;
	struct aiot_pipeline_stats st;
	struct aiot_pipeline *pl = NULL;
	struct aiot_sensor *cam = NULL;
	struct aiot_accel *accel = NULL;
	struct aiot_model *model = NULL;
	unsigned int pattern;
	int i, ret, got = 0;

	if (access(PERSON_DETECT, R_OK))
		TAP_SKIP("no person_detect.aiot");
	if (aiot_sensor_open_by_name("camera0", &cam))
		TAP_SKIP("no simulated camera");
	REQUIRE(aiot_accel_open_default(&accel) == 0);
	REQUIRE(aiot_model_load_file(accel, PERSON_DETECT, &model, NULL, 0) == 0);
	set = aiot_sensor_settings_new();
	REQUIRE(set);
	CHECK(aiot_sensor_settings_set_format(set, AIOT_SENSOR_FMT_U8) == 0);
	CHECK(aiot_sensor_settings_set_rate(set, 2) == 0);
	CHECK(aiot_sensor_settings_set_samples_per_slot(set, 1) == 0);
	CHECK(aiot_sensor_settings_set_slot_count(set, 4) == 0);
	CHECK(aiot_sensor_settings_set_overflow(set,
			AIOT_SENSOR_OVERFLOW_OVERWRITE_OLDEST) == 0);
	if (!aiot_sensor_find_test_pattern(cam, "noise", &pattern))
		CHECK(aiot_sensor_settings_set_pattern(set, pattern) == 0);
	REQUIRE(aiot_sensor_configure(cam, set) == 0);
	/* Not the model's input size or no pipelines: refused, clearly. */
	CHECK_EQ(aiot_pipeline_create(NULL, model, cam, 0, 0, &pl), -EINVAL);
	ret = aiot_pipeline_create(NULL, model, cam, 1, 0, &pl);
	REQUIRE(ret == 0);
	CHECK(aiot_pipeline_get_fd(pl) >= 0);
	CHECK_EQ(aiot_pipeline_read(pl, &rec, 0), 0);
	REQUIRE(aiot_pipeline_start(pl) == 0);
	REQUIRE(aiot_sensor_start(cam) == 0);
	for (i = 0; i < 3; i++) {
		ret = aiot_pipeline_read(pl, &rec, 30LL * 1000000000);
		CHECK_EQ(ret, 1);
		if (ret != 1)
			break;
		got++;
		if (rec.late)
			continue;
		CHECK_EQ(rec.status, 0);
		CHECK_EQ(rec.output_size, 2);
		CHECK(rec.dma_done_ns <= rec.started_ns);
		CHECK(rec.started_ns < rec.ended_ns);
		tap_diag("frame %llu: scores %d %d, device %.1f ms, DMA done -> decision %.1f ms",
			 (unsigned long long)rec.sequence, (int8_t)rec.output[0],
			 (int8_t)rec.output[1],
			 (rec.ended_ns - rec.started_ns) / 1e6,
			 (rec.decided_ns - rec.dma_done_ns) / 1e6);
	}
	REQUIRE(aiot_pipeline_get_stats(pl, &st) == 0);
	CHECK_EQ(st.reads, (uint64_t)got);
	/* No per-slot work in userspace: at most a wake-up per decision. */
	CHECK(st.wakeups <= st.reads);
	CHECK(st.slots >= st.reads);
	CHECK_EQ(st.frontend_jobs, 0);
	CHECK(aiot_pipeline_stop(pl) == 0);
	aiot_pipeline_free(pl);
	aiot_sensor_stop(cam);
	aiot_sensor_settings_free(set);
	aiot_model_free(model);
	aiot_sensor_close(cam);
	aiot_accel_close(accel);
}

/* ------------------------------------ frames from userspace (uAPI 1.3) */

/*
 * An external pipeline (DRM_AIOT_PIPELINE_SOURCE_EXTERNAL): no sensor, the
 * frames are aiot buffers exported as dma-bufs (as a camera's V4L2 buffers
 * would be). The model copies the frame's first EXT_READ bytes (binding 0)
 * into the output (binding 1); a record carries the first COPY_BYTES.
 */
#define EXT_READ	8192
#define EXT_BUFS	3

struct ext {
	int fd, pfd;
	uint32_t cmd, out, cmd_size;
	uint32_t frame[EXT_BUFS];
	int dmabuf[EXT_BUFS];
};

static int ext_open(struct ext *e)
{
	struct aiot_isa_op_reshape *op;
	char node[64];
	void *map;

	memset(e, 0, sizeof(*e));
	e->pfd = -1;
	for (int i = 0; i < EXT_BUFS; i++)
		e->dmabuf[i] = -1;
	e->fd = aiot_test_open_accel(node, sizeof(node));
	if (e->fd < 0)
		return -1;
	e->cmd = aiot_test_bo_create(e->fd, 4096);
	e->out = aiot_test_bo_create(e->fd, EXT_READ);
	if (!e->cmd || !e->out)
		return -1;
	map = aiot_test_bo_map(e->fd, e->cmd, 4096);
	if (!map)
		return -1;
	op = aiot_test_stream_one_op(map, AIOT_ISA_OP_RESHAPE, sizeof(*op));
	op->input = (struct aiot_isa_tensor){ .binding = 0,
		.dtype = AIOT_ISA_DTYPE_INT8, .dims = { 1, 1, 1, EXT_READ } };
	op->output = (struct aiot_isa_tensor){ .binding = 1,
		.dtype = AIOT_ISA_DTYPE_INT8, .dims = { 1, 1, 1, EXT_READ } };
	munmap(map, 4096);
	e->cmd_size = sizeof(struct aiot_isa_header) + sizeof(*op);
	for (int i = 0; i < EXT_BUFS; i++) {
		struct drm_prime_handle ph = { .flags = DRM_CLOEXEC | DRM_RDWR };

		/* The last one is too small for what the model reads. */
		ph.handle = e->frame[i] = aiot_test_bo_create(e->fd,
					i == EXT_BUFS - 1 ? 4096 : EXT_READ);
		if (!ph.handle || ioctl(e->fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &ph))
			return -1;
		e->dmabuf[i] = ph.fd;
	}
	return 0;
}

static void ext_close(struct ext *e)
{
	for (int i = 0; i < EXT_BUFS; i++)
		if (e->dmabuf[i] >= 0)
			close(e->dmabuf[i]);
	if (e->pfd >= 0)
		close(e->pfd);
	if (e->fd >= 0)
		close(e->fd);
	e->pfd = e->fd = -1;
}

static void ext_args(struct ext *e, struct drm_aiot_pipeline_create *c)
{
	memset(c, 0, sizeof(*c));
	c->flags = DRM_AIOT_PIPELINE_SOURCE_EXTERNAL;
	c->sensor_fd = -1;
	c->model.cmd_handle = e->cmd;
	c->model.cmd_size = e->cmd_size;
	c->model.flags = DRM_AIOT_PIPELINE_STAGE_SLOT;
	c->model.slot_binding = 0;
	c->model.bindings[1] = e->out;
	c->period_slots = 1;
	c->output_handle = e->out;
	c->output_size = COPY_BYTES;
}

/* Fill frame buffer @i with bytes seed, seed + 1, ... */
static int ext_fill(struct ext *e, int i, uint8_t seed)
{
	uint8_t *m = aiot_test_bo_map(e->fd, e->frame[i], 4096);

	if (!m)
		return -1;
	for (int j = 0; j < 4096; j++)
		m[j] = (uint8_t)(seed + j);
	munmap(m, 4096);
	return 0;
}

static int ext_push(struct ext *e, struct drm_aiot_pipeline_frame *f, int i,
		    uint64_t seq)
{
	memset(f, 0, sizeof(*f));
	f->flags = DRM_AIOT_PIPELINE_FRAME_FENCE_FD;
	f->planes = 1;
	f->dmabuf_fd[0] = i >= 0 ? e->dmabuf[i] : -1;
	f->sequence = seq;
	f->timestamp_ns = aiot_test_now_ns();
	return ioctl(e->pfd, DRM_AIOT_PIPELINE_IOC_FRAME, f) ? -errno : 0;
}

/* A sync_file signalled within @ms. */
static bool fence_signals(int fence, int ms)
{
	struct pollfd pfd = { .fd = fence, .events = POLLIN };

	return poll(&pfd, 1, ms) == 1 && (pfd.revents & POLLIN);
}

/*
 * Frames handed in: each gives a record with its sequence, timestamp and
 * the frame's bytes, its fence signals once the job read it; a buffer
 * handed in again (the import cache) shows its new content.
 */
static void external_frames_decide(void)
{
	struct drm_aiot_pipeline_create c;
	struct drm_aiot_pipeline_frame f;
	struct drm_aiot_pipeline_record r;
	struct drm_aiot_pipeline_stats s;
	struct ext e;
	int n = 0;

	if (ext_open(&e)) {
		ext_close(&e);
		TAP_SKIP("no accelerator");
	}
	ext_args(&e, &c);
	REQUIRE(ioctl(e.fd, DRM_IOCTL_AIOT_PIPELINE_CREATE, &c) == 0);
	e.pfd = c.fd;
	CHECK_EQ(ext_push(&e, &f, 0, 1), -EPIPE);	/* not started */
	REQUIRE(ioctl(e.pfd, DRM_AIOT_PIPELINE_IOC_START) == 0);
	for (int k = 0; k < 6; k++) {
		struct pollfd pfd = { .fd = e.pfd, .events = POLLIN };
		int buf = k % 2;
		uint64_t ts;

		REQUIRE(ext_fill(&e, buf, (uint8_t)(17 * k + 1)) == 0);
		REQUIRE(ext_push(&e, &f, buf, 100 + k) == 0);
		ts = f.timestamp_ns;
		/* Sequential: the previous period has ended, never skipped. */
		CHECK(!(f.flags & DRM_AIOT_PIPELINE_FRAME_SKIPPED));
		REQUIRE(f.fence_fd >= 0);
		CHECK(fence_signals(f.fence_fd, 10000));
		close(f.fence_fd);
		REQUIRE(poll(&pfd, 1, 10000) == 1);
		REQUIRE(read(e.pfd, &r, sizeof(r)) == (ssize_t)sizeof(r));
		CHECK_EQ(r.status, 0);
		CHECK_EQ(r.sequence, 100 + k);
		CHECK_EQ(r.timestamp_ns, ts);
		CHECK(r.flags & DRM_AIOT_PIPELINE_REC_RAN);
		CHECK(!(r.flags & DRM_AIOT_PIPELINE_REC_LATE));
		CHECK(r.dma_done_ns >= ts && r.started_ns >= r.dma_done_ns &&
		      r.ended_ns >= r.started_ns && r.decided_ns >= r.ended_ns);
		CHECK_EQ(r.output_size, COPY_BYTES);
		for (int j = 0; j < COPY_BYTES; j++)
			n += r.output[j] == (uint8_t)(17 * k + 1 + j);
	}
	CHECK_EQ(n, 6 * COPY_BYTES);
	s = pl_stats(&(struct pl){ .pfd = e.pfd });
	CHECK_EQ(s.slots, 6);
	CHECK_EQ(s.decisions, 6);
	CHECK_EQ(s.periods, 6);
	CHECK_EQ(s.skipped_slots, 0);
	CHECK_EQ(s.sensor_drops, 0);
	/* A gap in the sequence is counted, the record flagged. */
	REQUIRE(ext_push(&e, &f, 0, 110) == 0);
	if (f.fence_fd >= 0) {
		CHECK(fence_signals(f.fence_fd, 10000));
		close(f.fence_fd);
	}
	{
		struct pollfd pfd = { .fd = e.pfd, .events = POLLIN };

		REQUIRE(poll(&pfd, 1, 10000) == 1);
		REQUIRE(read(e.pfd, &r, sizeof(r)) == (ssize_t)sizeof(r));
		CHECK(r.flags & DRM_AIOT_PIPELINE_REC_GAP);
	}
	s = pl_stats(&(struct pl){ .pfd = e.pfd });
	CHECK_EQ(s.sensor_drops, 4);
	ext_close(&e);
}

/* Every bad argument of an external pipeline and of FRAME: a clear errno. */
static void external_bad_args_rejected(void)
{
	struct drm_aiot_pipeline_create c;
	struct drm_aiot_pipeline_frame f;
	struct pl sp;
	struct ext e;
	int nullfd, ret;

	if (ext_open(&e)) {
		ext_close(&e);
		TAP_SKIP("no accelerator");
	}
#define XBAD(expr, err) do {						\
	ext_args(&e, &c);						\
	expr;								\
	errno = 0;							\
	if (ioctl(e.fd, DRM_IOCTL_AIOT_PIPELINE_CREATE, &c) == 0) {	\
		tap_diag("accepted: %s", #expr);			\
		tap_case_failed = 1;					\
		close(c.fd);						\
	} else if (errno != (err)) {					\
		tap_diag("%s: %s, want %s", #expr, strerror(errno),	\
			 strerror(err));				\
		tap_case_failed = 1;					\
	}								\
} while (0)
	XBAD(c.flags |= 1u << 1, EINVAL);
	XBAD(c.sensor_fd = 0, EINVAL);
	XBAD(c.model.reserved = 1, EINVAL);
	XBAD(c.model.flags |= 1u << 2, EINVAL);
	/* Plane 1: with plane 0, not on plane 0's binding, unbound. */
	XBAD((c.model.flags = DRM_AIOT_PIPELINE_STAGE_PLANE1,
	      c.model.plane1_binding = 2), EINVAL);
	XBAD((c.model.flags |= DRM_AIOT_PIPELINE_STAGE_PLANE1,
	      c.model.plane1_binding = 0), EINVAL);
	XBAD((c.model.flags |= DRM_AIOT_PIPELINE_STAGE_PLANE1,
	      c.model.plane1_binding = 1), EINVAL);
	XBAD((c.model.flags |= DRM_AIOT_PIPELINE_STAGE_PLANE1,
	      c.model.plane1_binding = 16), EINVAL);
#undef XBAD
	ext_args(&e, &c);
	REQUIRE(ioctl(e.fd, DRM_IOCTL_AIOT_PIPELINE_CREATE, &c) == 0);
	e.pfd = c.fd;
	REQUIRE(ioctl(e.pfd, DRM_AIOT_PIPELINE_IOC_START) == 0);
	nullfd = open("/dev/null", O_RDONLY);
#define FBAD(expr, err) do {						\
	memset(&f, 0, sizeof(f));					\
	f.planes = 1;							\
	f.dmabuf_fd[0] = e.dmabuf[0];					\
	expr;								\
	errno = 0;							\
	ret = ioctl(e.pfd, DRM_AIOT_PIPELINE_IOC_FRAME, &f);		\
	if (!ret || errno != (err)) {					\
		tap_diag("%s: %s, want %s", #expr,			\
			 ret ? strerror(errno) : "accepted",		\
			 strerror(err));				\
		tap_case_failed = 1;					\
	}								\
} while (0)
	FBAD(f.flags = 1u << 1, EINVAL);
	FBAD(f.flags = DRM_AIOT_PIPELINE_FRAME_SKIPPED, EINVAL);
	FBAD(f.reserved[0] = 1, EINVAL);
	FBAD(f.reserved[4] = 1, EINVAL);
	FBAD(f.planes = 0, EINVAL);
	FBAD(f.planes = 2, EINVAL);		/* no stage binds plane 1 */
	FBAD(f.dmabuf_fd[1] = e.dmabuf[1], EINVAL);
	FBAD(f.dmabuf_fd[0] = -1, EBADF);
	FBAD(f.dmabuf_fd[0] = 9999, EBADF);
	FBAD(f.dmabuf_fd[0] = nullfd, EBADF);	/* not a dma-buf */
	/* Smaller than the model's validated read of the frame. */
	FBAD(f.dmabuf_fd[0] = e.dmabuf[EXT_BUFS - 1], ENOSPC);
	FBAD(f.dmabuf_fd[0] = e.dmabuf[EXT_BUFS - 1], ENOSPC);	/* not cached */
#undef FBAD
	/* The pipeline still takes good frames afterwards. */
	CHECK_EQ(ext_push(&e, &f, 1, 1), 0);
	if (f.fence_fd >= 0) {
		CHECK(fence_signals(f.fence_fd, 10000));
		close(f.fence_fd);
	}
	{
		struct drm_aiot_pipeline_record r;

		CHECK_EQ(pl_read(&(struct pl){ .pfd = e.pfd }, &r, 1, 10000), 1);
		CHECK_EQ(r.status, 0);
	}
	/* After STOP, and on an ended pipeline. */
	CHECK(ioctl(e.pfd, DRM_AIOT_PIPELINE_IOC_STOP) == 0);
	CHECK_EQ(ext_push(&e, &f, 0, 2), -EPIPE);
	close(e.fd);
	e.fd = -1;
	CHECK_EQ(ext_push(&e, &f, 0, 3), -ENODEV);
	/* A sensor's pipeline takes no frames. */
	if (!pl_open(&sp)) {
		struct drm_aiot_pipeline_create sc;

		pl_args(&sp, &sc, 1);
		if (pl_create(&sp, &sc) == 0) {
			memset(&f, 0, sizeof(f));
			f.planes = 1;
			f.dmabuf_fd[0] = e.dmabuf[0];
			errno = 0;
			CHECK(ioctl(sp.pfd, DRM_AIOT_PIPELINE_IOC_FRAME, &f) == -1 &&
			      errno == EINVAL);
		} else {
			CHECK(!"sensor pipeline create");
		}
	}
	pl_close(&sp);
	if (nullfd >= 0)
		close(nullfd);
	ext_close(&e);
}

/*
 * Teardown with a frame in flight: the decision file and the DRM file
 * closed right after FRAME; the frame's fence signals all the same, every
 * job is released (the suite's hook).
 */
static void external_teardown_frame_in_flight(void)
{
	struct drm_aiot_pipeline_create c;
	struct drm_aiot_pipeline_frame f;
	struct ext e;
	int fences[2] = { -1, -1 };

	for (int round = 0; round < 2; round++) {
		if (ext_open(&e)) {
			ext_close(&e);
			TAP_SKIP("no accelerator");
		}
		ext_args(&e, &c);
		REQUIRE(ioctl(e.fd, DRM_IOCTL_AIOT_PIPELINE_CREATE, &c) == 0);
		e.pfd = c.fd;
		REQUIRE(ioctl(e.pfd, DRM_AIOT_PIPELINE_IOC_START) == 0);
		REQUIRE(ext_push(&e, &f, 0, 1) == 0);
		fences[round] = f.fence_fd;
		CHECK(fences[round] >= 0);
		/* Round 0: the decision file first; round 1: the DRM file. */
		if (round == 0) {
			close(e.pfd);
			e.pfd = -1;
		} else {
			close(e.fd);
			e.fd = -1;
		}
		ext_close(&e);
		if (fences[round] >= 0) {
			CHECK(fence_signals(fences[round], 10000));
			close(fences[round]);
		}
	}
}

/*
 * Keyword spotting through the standing pipeline, as aiot-run runs it
 * (docs/pipeline.md): the simulated microphone replays one 1 s recording,
 * the kernel runs the --rolling-window front end on every slot of 320
 * samples and micro_speech on the window every 49 slots. The first
 * decision (slot 48) sees exactly the samples aiot-run --device cpu feeds
 * the same front end from the start of the file (the stage's first 160
 * "previous" samples are zeros in both), so its four int8 scores must
 * equal the CPU path's, and its word the recording's. No slot may be
 * skipped or late, and the library may wake up at most once a decision.
 */
#define KWS_RUN		"/aiot/bin/aiot-run"
#define KWS_FE		"/aiot/data/models/audio_preprocessor_int8_win49.aiot"
#define KWS_MODEL	"/aiot/data/models/micro_speech_quantized.aiot"
#define KWS_AUDIO	"/aiot/data/audio/"

static int kws_cpu_scores(struct aiot_test_cmd *out, const char *wav, int scores[4])
{
	char cmd[512];
	int found = 0;

	snprintf(cmd, sizeof(cmd), KWS_RUN " --device cpu --frontend " KWS_FE " " KWS_MODEL
		 " " KWS_AUDIO "%s 2>&1", wav);
	if (aiot_test_cmd_run(out, cmd, 20, NULL))
		return -1;
	for (int i = 0; i < out->n; i++) {
		int k, q;
		char label[32], type[16];

		if (sscanf(out->line[i], " [%d] %31s %15s %d", &k, label, type, &q) == 4 &&
		    k >= 0 && k < 4) {
			scores[k] = q;
			found++;
		}
	}
	return found == 4 ? 0 : -1;
}

/* The counter @key of aiot-run's "counters:" line, or ~0ULL. */
static unsigned long long kws_counter(const char *line, const char *key)
{
	const char *p = strstr(line, key);
	unsigned long long v;

	return p && sscanf(p + strlen(key), " %llu", &v) == 1 ? v : ~0ULL;
}

/*
 * One replay of @wav through the pipeline; 1 when a slot was skipped or
 * dropped (a loaded TCG host: try again), else 0 with the checks done.
 */
static int kws_pipeline_once(struct aiot_test_cmd *out, const char *wav, const char *word,
			     const int want[4])
{
	unsigned long long slot = 0, periods;
	char cmd[512], got_word[32] = "";
	const char *l, *d;
	int got[4];

	/* 8 kHz (the mic's lowest): 25 slots a second. */
	snprintf(cmd, sizeof(cmd), KWS_RUN " --sensor mic0 --rate 8000 --frontend " KWS_FE
		 " --replay " KWS_AUDIO "%s " KWS_MODEL " 2>&1", wav);
	CHECK_EQ(aiot_test_cmd_run(out, cmd, 20, NULL), 0);
	l = aiot_test_cmd_find_line(out, "counters: ");
	d = aiot_test_cmd_find_line(out, "decision 0 ");
	CHECK(l && d);
	if (!l || !d)
		return 0;
	periods = kws_counter(l, "periods");
	CHECK_EQ(periods, 1);
	/* At most one wake-up of the library per record, none per slot. */
	CHECK(kws_counter(l, "wake-ups") <= periods);
	CHECK_EQ(kws_counter(l, "failed"), 0);
	if (kws_counter(l, "skipped slots") || kws_counter(l, "sensor drops") ||
	    kws_counter(l, "late")) {
		tap_diag("%s: a slot skipped or dropped (a busy host): again", wav);
		return 1;
	}
	CHECK_EQ(kws_counter(l, "decisions"), 1);
	CHECK_EQ(sscanf(d, "decision 0 (slot %llu): word %31s score %*f (%*s %*f) scores "
			"%d %d %d %d", &slot, got_word, &got[0], &got[1], &got[2], &got[3]), 6);
	CHECK_EQ(slot, 48);
	CHECK(!strcmp(got_word, word));
	for (int k = 0; k < 4; k++)
		CHECK_EQ(got[k], want[k]);
	tap_diag("%s: %s, scores %d %d %d %d (CPU path %d %d %d %d)", wav, got_word, got[0],
		 got[1], got[2], got[3], want[0], want[1], want[2], want[3]);
	return 0;
}

/* Runs of one file before a skipped or dropped slot in each fails the case. */
#define KWS_TRIES 20

static void mic_keywords_through_pipeline(void)
{
	static const struct { const char *wav, *word; } cases[] = {
		{ "yes_1000ms.wav", "yes" }, { "no_1000ms.wav", "no" },
		{ "silence_1000ms.wav", "silence" }, { "noise_1000ms.wav", "silence" },
	};
	static struct aiot_test_cmd out;

	if (access(KWS_RUN, X_OK) || access(KWS_FE, R_OK) || access(KWS_MODEL, R_OK) ||
	    access(KWS_AUDIO "yes_1000ms.wav", R_OK))
		TAP_SKIP("no aiot-run, micro_speech blobs or recordings");
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		int want[4], tries = 0;

		REQUIRE(kws_cpu_scores(&out, cases[c].wav, want) == 0);
		/*
		 * The debug kernel's sim NPU follows 8 kHz slots only just: alone
		 * on the host, 18 of 26 runs had a skipped slot, up to nine in a
		 * row for one file (2026-12-01).
		 */
		while (kws_pipeline_once(&out, cases[c].wav, cases[c].word, want) &&
		       ++tries < KWS_TRIES)
			;
		/* Every run had a skipped slot: the host is too slow to tell. */
		CHECK(tries < KWS_TRIES);
	}
}

TAP_MAIN_WITH_HOOK(aiot_test_check_jobs_released,
	TAP_CASE(records_arrive),
	TAP_CASE(k_slots_per_decision),
	TAP_CASE(model_reads_slot),
	TAP_CASE(missed_deadline_is_late),
	TAP_CASE(hung_model_skips_not_queues),
	TAP_CASE(hung_slot_reader_skips_not_stalls),
	TAP_CASE(hung_frontend_queues_a_few),
	TAP_CASE(close_decision_file_tears_down),
	TAP_CASE(close_drm_file_ends_pipeline),
	TAP_CASE(bad_args_rejected),
	TAP_CASE(lib_camera_pipeline),
	TAP_CASE(external_frames_decide),
	TAP_CASE(external_bad_args_rejected),
	TAP_CASE(external_teardown_frame_in_flight),
	TAP_CASE(mic_keywords_through_pipeline),
	TAP_CASE(rmmod_backend_ends_pipeline),
)
