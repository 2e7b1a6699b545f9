// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sensor streams from aiot-sim's simulated sensors: content against the
 * generators, sequence numbers and timestamps, drops under a stalled reader,
 * both overflow policies, dma-buf export with mmap and DMA_BUF_IOCTL_SYNC,
 * write fences (signalled on completion, with an error on stop, fault and
 * timeout), and rejection of every bad request.
 *
 * Timing: QEMU here is TCG, slow and jittery. Nothing asserts speed; waits
 * are long; assertions are on counts and relations (and on timestamps,
 * which the sensor computes from its sample clock, not from when the
 * emulated timer happened to run).
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <linux/aiot_sensor.h>
#include <aiot/sim_sensor.h>
#include <linux/dma-buf.h>
#include <linux/sync_file.h>

#include "aiot_testlib.h"
#include "tap.h"

#define WAIT_MS 20000	/* for one period; generous under TCG */

struct stream {
	int fd;
	char node[64];
	struct aiot_sensor_info info;
	struct aiot_sensor_config cfg;
	uint8_t *ring;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int open_kind(struct stream *st, unsigned int kind)
{
	memset(st, 0, sizeof(*st));
	st->fd = aiot_test_open_sensor(kind, st->node, sizeof(st->node));
	if (st->fd < 0)
		return -1;
	return ioctl(st->fd, AIOT_SENSOR_IOC_INFO, &st->info);
}

static void close_stream(struct stream *st)
{
	if (st->ring)
		munmap(st->ring, st->cfg.ring_bytes);
	if (st->fd >= 0)
		close(st->fd);
	st->fd = -1;
	st->ring = NULL;
}

static struct aiot_sensor_config mkcfg(const struct stream *st, uint32_t rate,
				       uint32_t spp, uint32_t slots,
				       uint32_t overflow, uint32_t pattern)
{
	struct aiot_sensor_config c = {
		.format = st->info.kind == AIOT_SENSOR_KIND_CAMERA ?
			  AIOT_SENSOR_FMT_U8 : AIOT_SENSOR_FMT_S16_LE,
		.channels = st->info.max_channels,
		.rate_hz = rate,
		.samples_per_slot = spp,
		.slot_count = slots,
		.overflow = overflow,
		.pattern = pattern,
	};
	return c;
}

/* Configure, map the ring. */
static int setup(struct stream *st, struct aiot_sensor_config c)
{
	st->cfg = c;
	if (ioctl(st->fd, AIOT_SENSOR_IOC_CONFIGURE, &st->cfg))
		return -1;
	st->ring = mmap(NULL, st->cfg.ring_bytes, PROT_READ, MAP_SHARED,
			st->fd, 0);
	if (st->ring == MAP_FAILED) {
		st->ring = NULL;
		return -1;
	}
	return 0;
}

static int wait_fd(int fd, short events, int ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int r = poll(&p, 1, ms);

	return r == 1 ? p.revents : r;
}

/* Blocking dequeue with a timeout, so that a broken driver fails the case
 * instead of hanging the guest. */
static int dq(struct stream *st, struct aiot_sensor_buffer *b)
{
	int r = wait_fd(st->fd, POLLIN, WAIT_MS);

	if (r <= 0 || !(r & POLLIN)) {
		errno = r == 0 ? ETIMEDOUT : EIO;
		return -1;
	}
	memset(b, 0, sizeof(*b));
	return ioctl(st->fd, AIOT_SENSOR_IOC_DQBUF, b);
}

static int qb(struct stream *st, uint32_t index)
{
	struct aiot_sensor_buffer b = { .index = index };

	return ioctl(st->fd, AIOT_SENSOR_IOC_QBUF, &b);
}

static int expbuf(struct stream *st, uint32_t index)
{
	struct aiot_sensor_expbuf e = { .index = index,
					.flags = O_RDWR | O_CLOEXEC };

	if (ioctl(st->fd, AIOT_SENSOR_IOC_EXPBUF, &e))
		return -1;
	return e.fd;
}

/*
 * The fences a reader of a slot's dma-buf must wait for (its write fence),
 * as a sync_file. The reservation object forgets signalled fences, so a
 * fence's error is seen through a sync_file taken while it was pending.
 */
static int export_sync(int dmabuf)
{
	struct dma_buf_export_sync_file sf = { .flags = DMA_BUF_SYNC_READ,
					       .fd = -1 };

	if (ioctl(dmabuf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &sf))
		return -1;
	return sf.fd;
}

/* 1 signalled, 0 pending, -errno signalled with an error. */
static int sync_status(int sync_fd)
{
	struct sync_file_info info = { 0 };

	if (ioctl(sync_fd, SYNC_IOC_FILE_INFO, &info))
		return -1000 - errno;
	return info.status;
}

/* Status of what a reader of the dma-buf would wait for now. */
static int fence_status(int dmabuf)
{
	int sf = export_sync(dmabuf), ret;

	if (sf < 0)
		return -2000 - errno;
	ret = sync_status(sf);
	close(sf);
	return ret;
}

static uint64_t sysfs_u64(const struct stream *st, const char *attr)
{
	char path[128], buf[64];

	snprintf(path, sizeof(path), "/sys/class/aiot/%s/%s",
		 strrchr(st->node, '/') + 1, attr);
	if (aiot_test_read_file(path, buf, sizeof(buf)))
		return UINT64_MAX;
	return strtoull(buf, NULL, 0);
}

static int sysfs_str(const struct stream *st, const char *attr, char *buf,
		     size_t len)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/class/aiot/%s/%s",
		 strrchr(st->node, '/') + 1, attr);
	return aiot_test_read_file(path, buf, len);
}

/* The generators, written independently of the driver's code. */
static uint32_t lowbias32(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352du;
	x ^= x >> 15;
	x *= 0x846ca68bu;
	x ^= x >> 16;
	return x;
}

static int sine_hz(unsigned int kind, unsigned int ch)
{
	return kind == AIOT_SENSOR_KIND_MIC ? 440 : (int)ch + 1;
}

static double sine_amp(unsigned int kind)
{
	return kind == AIOT_SENSOR_KIND_MIC ? 8192.0 : 4096.0;
}

/* The recording being replayed (REPLAY), as read from its file. */
static const uint8_t *rec_data;
static uint32_t rec_bytes;

/* Expected element k of sample n; *tol is the accepted difference. */
static long expect(const struct stream *st, uint32_t pattern, uint64_t n,
		   uint32_t k, long *tol)
{
	const struct aiot_sensor_config *c = &st->cfg;
	uint32_t elems = c->channels * st->info.width * st->info.height;
	uint64_t e = n * elems + k;
	int s16 = c->format == AIOT_SENSOR_FMT_S16_LE;

	*tol = 0;
	if (st->info.kind == AIOT_SENSOR_KIND_CAMERA &&
	    pattern == AIOT_SENSOR_PATTERN_LIVE) {
		uint32_t x = k % st->info.width, y = k / st->info.width;

		return (uint8_t)(x + y + 2 * n);
	}
	if (pattern == AIOT_SIM_PATTERN_ANOMALY)
		pattern = n % (2 * c->rate_hz) < c->rate_hz / 10 ?
			  AIOT_SIM_PATTERN_NOISE : AIOT_SIM_PATTERN_SINE;
	switch (pattern) {
	case AIOT_SIM_PATTERN_REPLAY: {
		uint64_t off = (e * (s16 ? 2 : 1)) % rec_bytes;

		return s16 ? (long)(int16_t)(rec_data[off] | rec_data[off + 1] << 8) :
			     rec_data[off];
	}
	case AIOT_SIM_PATTERN_RAMP:
		return s16 ? (long)(int16_t)(uint16_t)(e + n) : (uint8_t)(e + n);
	case AIOT_SIM_PATTERN_NOISE:
		return s16 ? (long)(int16_t)(lowbias32((uint32_t)e) >> 16) :
			     (long)(lowbias32((uint32_t)e) >> 24);
	default: {
		unsigned int ch = k % c->channels;
		double ph = (double)((n * sine_hz(st->info.kind, ch)) % c->rate_hz) /
			    c->rate_hz;

		*tol = 3;
		return lround(sine_amp(st->info.kind) * sin(2 * M_PI * ph));
	}
	}
}

/* Check every element of a filled slot against the generator. */
static int check_slot(const struct stream *st, const uint8_t *p,
		      uint64_t seq, uint32_t pattern)
{
	const struct aiot_sensor_config *c = &st->cfg;
	uint32_t elems = c->channels * st->info.width * st->info.height;
	int s16 = c->format == AIOT_SENSOR_FMT_S16_LE;
	uint32_t i, k;
	int bad = 0;

	for (i = 0; i < c->samples_per_slot; i++) {
		uint64_t n = seq * c->samples_per_slot + i;

		for (k = 0; k < elems; k++) {
			long tol, want = expect(st, pattern, n, k, &tol);
			long got = s16 ? (int16_t)(p[0] | p[1] << 8) : p[0];

			p += s16 ? 2 : 1;
			if (labs(got - want) > tol) {
				if (bad++ < 3)
					tap_diag("seq %llu sample %llu elem %u: got %ld want %ld",
						 (unsigned long long)seq,
						 (unsigned long long)n, k, got, want);
			}
		}
	}
	return bad;
}

static void sensors_present(void)
{
	static const struct { unsigned int kind; const char *name, *kname; } want[] = {
		{ AIOT_SENSOR_KIND_ACCEL, "accel0", "accel" },
		{ AIOT_SENSOR_KIND_MIC, "mic0", "mic" },
		{ AIOT_SENSOR_KIND_CAMERA, "camera0", "camera" },
	};
	unsigned int i;

	for (i = 0; i < 3; i++) {
		struct stream st;
		char buf[64];

		REQUIRE(open_kind(&st, want[i].kind) == 0);
		CHECK_EQ(st.info.struct_size, sizeof(st.info));
		CHECK_EQ(st.info.uapi_version, AIOT_SENSOR_UAPI_VERSION);
		CHECK(strcmp(st.info.name, want[i].name) == 0);
		CHECK_EQ(st.info.state, AIOT_SENSOR_STATE_UNCONFIGURED);
		CHECK(st.info.capabilities & AIOT_SENSOR_CAP_DMABUF);
		CHECK(st.info.capabilities & AIOT_SENSOR_CAP_MMAP);
		CHECK(st.info.capabilities & AIOT_SENSOR_CAP_OVERWRITE);
		CHECK(sysfs_str(&st, "name", buf, sizeof(buf)) == 0 &&
		      strcmp(buf, want[i].name) == 0);
		CHECK(sysfs_str(&st, "kind", buf, sizeof(buf)) == 0 &&
		      strcmp(buf, want[i].kname) == 0);
		CHECK(sysfs_str(&st, "state", buf, sizeof(buf)) == 0 &&
		      strcmp(buf, "unconfigured") == 0);
		if (want[i].kind == AIOT_SENSOR_KIND_CAMERA) {
			CHECK_EQ(st.info.width, 96);
			CHECK_EQ(st.info.height, 96);
			CHECK_EQ(st.info.formats, 1u << AIOT_SENSOR_FMT_U8);
		} else {
			CHECK_EQ(st.info.formats, 1u << AIOT_SENSOR_FMT_S16_LE);
		}
		if (want[i].kind == AIOT_SENSOR_KIND_ACCEL)
			CHECK_EQ(st.info.max_channels, 3);
		if (want[i].kind == AIOT_SENSOR_KIND_MIC)
			CHECK(st.info.min_rate_hz <= 16000 &&
			      st.info.max_rate_hz >= 16000);
		close_stream(&st);
	}
}

/* An older binary's smaller INFO gets a prefix; a newer one a zero tail. */
static void info_struct_sizes(void)
{
	struct stream st;
	struct { struct aiot_sensor_info info; uint8_t tail[16]; } big;
	uint8_t zero[16] = { 0 };

	REQUIRE(open_kind(&st, AIOT_SENSOR_KIND_ACCEL) == 0);
	memset(&big, 0xa5, sizeof(big));
	REQUIRE(ioctl(st.fd, _IOR(AIOT_SENSOR_IOC_MAGIC, 0x00, big), &big) == 0);
	CHECK_EQ(big.info.struct_size, sizeof(big.info));
	CHECK(memcmp(big.tail, zero, sizeof(zero)) == 0);
	CHECK_ERRNO(ioctl(st.fd, _IOR(AIOT_SENSOR_IOC_MAGIC, 0x00, uint64_t), &big),
		    ENOTTY);
	/* The first published INFO (without bytes_copied) still works. */
	{
		struct { uint8_t b[AIOT_SENSOR_INFO_SIZE_V1]; } v1;

		memset(&big, 0xa5, sizeof(big));
		CHECK_EQ(ioctl(st.fd, _IOR(AIOT_SENSOR_IOC_MAGIC, 0x00, v1), &big),
			 0);
		CHECK_EQ(big.info.struct_size, sizeof(big.info));
		CHECK_EQ(big.info.bytes_copied, 0xa5a5a5a5a5a5a5a5ull);
		CHECK_ERRNO(ioctl(st.fd, _IOR(AIOT_SENSOR_IOC_MAGIC, 0x00,
					      uint8_t[AIOT_SENSOR_INFO_SIZE_V1 - 8]),
				  &big), ENOTTY);
	}
	CHECK_ERRNO(ioctl(st.fd, _IOR(AIOT_SENSOR_IOC_MAGIC, 0x3f, big), &big),
		    ENOTTY);
	CHECK_ERRNO(ioctl(st.fd, _IOW(AIOT_SENSOR_IOC_MAGIC, 0x00,
				       struct aiot_sensor_info), &big), ENOTTY);
	close_stream(&st);
}

static void bad_configs_rejected(void)
{
	struct stream st, cam, other;
	struct aiot_sensor_config c, good;
	struct { struct aiot_sensor_config c; uint32_t tail; } big;

	REQUIRE(open_kind(&st, AIOT_SENSOR_KIND_ACCEL) == 0);
	good = mkcfg(&st, 100, 10, 4, AIOT_SENSOR_OVERFLOW_DROP_NEWEST,
		     AIOT_SIM_PATTERN_RAMP);
#define BAD(field, value, err) do {					\
		c = good; c.field = value;				\
		CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_CONFIGURE, &c), err); \
	} while (0)
	BAD(flags, 1, EINVAL);
	BAD(flags, 0x80000000u, EINVAL);
	BAD(reserved[0], 1, EINVAL);
	BAD(reserved[1], 1ull << 63, EINVAL);
	BAD(format, 0, EINVAL);
	BAD(format, AIOT_SENSOR_FMT_U8, EINVAL);	/* not an accel format */
	BAD(format, 77, EINVAL);
	BAD(overflow, 2, EINVAL);
	BAD(pattern, 6, EINVAL);
	BAD(pattern, 31, EINVAL);
	BAD(pattern, 1000, EINVAL);
	BAD(channels, 0, ERANGE);
	BAD(channels, 4, ERANGE);
	BAD(rate_hz, 0, ERANGE);
	BAD(rate_hz, st.info.max_rate_hz + 1, ERANGE);
	BAD(samples_per_slot, 0, ERANGE);
	BAD(samples_per_slot, 65537, ERANGE);
	BAD(slot_count, 0, ERANGE);
	BAD(slot_count, 1, ERANGE);
	BAD(slot_count, AIOT_SENSOR_MAX_SLOTS + 1, ERANGE);
	/* period 10 / 4000 Hz = 2.5 ms is fine, 1 / 4000 Hz too short */
	c = good; c.rate_hz = 4000; c.samples_per_slot = 1;
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_CONFIGURE, &c), ERANGE);
	/* 20 samples at 1 Hz: 20 s, longer than the 10 s limit */
	c = good; c.rate_hz = 1; c.samples_per_slot = 20;
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_CONFIGURE, &c), ERANGE);
	/* Nothing was configured by all that. */
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_START), EINVAL);
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_G_CONFIG, &c), EINVAL);

	/* A newer binary's bigger struct: its unknown tail must be zero. */
	memset(&big, 0, sizeof(big));
	big.c = good;
	big.tail = 1;
	CHECK_ERRNO(ioctl(st.fd, _IOWR(AIOT_SENSOR_IOC_MAGIC, 0x01, big), &big),
		    E2BIG);
	big.tail = 0;
	CHECK_EQ(ioctl(st.fd, _IOWR(AIOT_SENSOR_IOC_MAGIC, 0x01, big), &big), 0);
	CHECK_EQ(big.c.slot_bytes, 10 * 3 * 2);
	CHECK_EQ(big.c.slot_stride, 4096);
	CHECK_EQ(big.c.ring_bytes, 4 * 4096);
	CHECK_EQ(big.c.period_ns, 100000000);
	CHECK_EQ(big.tail, 0);

	/* Too big a slot: 1000 frames of 96x96. */
	REQUIRE(open_kind(&cam, AIOT_SENSOR_KIND_CAMERA) == 0);
	c = mkcfg(&cam, 30, 1000, 2, 0, 0);
	CHECK_ERRNO(ioctl(cam.fd, AIOT_SENSOR_IOC_CONFIGURE, &c), ERANGE);
	c = mkcfg(&cam, 30, 1, 2, 0, AIOT_SIM_PATTERN_SINE);
	CHECK_ERRNO(ioctl(cam.fd, AIOT_SENSOR_IOC_CONFIGURE, &c), EINVAL);
	close_stream(&cam);

	/* The stream belongs to the file that configured it. */
	c = good;
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_CONFIGURE, &c) == 0);
	REQUIRE(open_kind(&other, AIOT_SENSOR_KIND_ACCEL) == 0);
	CHECK_ERRNO(ioctl(other.fd, AIOT_SENSOR_IOC_CONFIGURE, &c), EBUSY);
	CHECK_ERRNO(ioctl(other.fd, AIOT_SENSOR_IOC_START), EBUSY);
	CHECK(mmap(NULL, 4096, PROT_READ, MAP_SHARED, other.fd, 0) == MAP_FAILED);
	CHECK_EQ(other.info.state, AIOT_SENSOR_STATE_STOPPED);
	close_stream(&other);
	close_stream(&st);
}

static void bad_buffer_requests_rejected(void)
{
	struct stream st;
	struct aiot_sensor_buffer b;
	struct aiot_sensor_expbuf e;
	void *m;

	REQUIRE(open_kind(&st, AIOT_SENSOR_KIND_ACCEL) == 0);
	memset(&b, 0, sizeof(b));
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_DQBUF, &b), EINVAL);
	REQUIRE(setup(&st, mkcfg(&st, 100, 10, 4, 0, AIOT_SIM_PATTERN_RAMP)) == 0);

	/* Mapping past the ring. */
	m = mmap(NULL, st.cfg.ring_bytes + 4096, PROT_READ, MAP_SHARED, st.fd, 0);
	CHECK(m == MAP_FAILED);
	m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, st.fd, st.cfg.ring_bytes);
	CHECK(m == MAP_FAILED);
	/* Mapped: the ring cannot be reconfigured. */
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_CONFIGURE, &st.cfg), EBUSY);

	/* Stopped, nothing filled: DQBUF says the stream is stopped. */
	memset(&b, 0, sizeof(b));
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_DQBUF, &b), EPIPE);
	b.flags = 1;
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_DQBUF, &b), EINVAL);
	memset(&b, 0, sizeof(b));
	b.reserved = 1;
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_DQBUF, &b), EINVAL);
	/* dma_done_ns is output only: what a program left there is ignored. */
	memset(&b, 0, sizeof(b));
	b.dma_done_ns = 12345;
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_DQBUF, &b), EPIPE);

	/* QBUF: bad index, bad flags, a slot already queued. */
	memset(&b, 0, sizeof(b));
	b.index = 4;
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_QBUF, &b), EINVAL);
	b.index = 0;
	b.flags = AIOT_SENSOR_BUF_ERROR;
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_QBUF, &b), EINVAL);
	b.flags = 0;
	b.reserved = 1;
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_QBUF, &b), EINVAL);
	b.reserved = 0;
	b.dma_done_ns = 12345;
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_QBUF, &b), EBUSY);
	b.dma_done_ns = 0;
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_QBUF, &b), EBUSY);

	/* EXPBUF: bad index, unknown flags, write-only, reserved. */
	memset(&e, 0, sizeof(e));
	e.index = 99;
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_EXPBUF, &e), EINVAL);
	e.index = 0;
	e.flags = O_RDWR | O_NONBLOCK;
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_EXPBUF, &e), EINVAL);
	e.flags = O_WRONLY;
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_EXPBUF, &e), EINVAL);
	e.flags = O_RDWR;
	e.reserved = 1;
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_EXPBUF, &e), EINVAL);

	/* Streaming: no second START, no reconfiguration; empty: EAGAIN. */
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_START) == 0);
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_START), EBUSY);
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_CONFIGURE, &st.cfg), EBUSY);
	{
		int nb = open(st.node, O_RDWR | O_NONBLOCK);

		REQUIRE(nb >= 0);
		memset(&b, 0, sizeof(b));
		CHECK_ERRNO(ioctl(nb, AIOT_SENSOR_IOC_DQBUF, &b), EBUSY);
		close(nb);
	}
	CHECK_EQ(ioctl(st.fd, AIOT_SENSOR_IOC_STOP), 0);
	CHECK_EQ(ioctl(st.fd, AIOT_SENSOR_IOC_STOP), 0);
	close_stream(&st);
}

/*
 * Stream a sensor for `count` slots, requeueing each: check content,
 * sequence continuity (or exactly counted gaps), timestamps.
 */
static void stream_and_check(unsigned int kind, struct aiot_sensor_config c,
			     int count)
{
	struct stream st;
	struct aiot_sensor_buffer b;
	uint64_t t_start, prev_seq = 0, prev_ts = 0, prev_done = 0, gaps = 0, drops0;
	uint64_t span_min = UINT64_MAX, span_max = 0;
	int i, bad = 0;

	REQUIRE(open_kind(&st, kind) == 0);
	c.channels = c.channels ? c.channels : st.info.max_channels;
	c.format = kind == AIOT_SENSOR_KIND_CAMERA ? AIOT_SENSOR_FMT_U8 :
						     AIOT_SENSOR_FMT_S16_LE;
	REQUIRE(setup(&st, c) == 0);
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_INFO, &st.info) == 0);
	CHECK_EQ(st.info.state, AIOT_SENSOR_STATE_STOPPED);
	drops0 = st.info.drops;
	t_start = now_ns();
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_START) == 0);
	for (i = 0; i < count; i++) {
		uint64_t t_dq;

		REQUIRE(dq(&st, &b) == 0);
		t_dq = now_ns();
		CHECK(b.index < st.cfg.slot_count);
		CHECK_EQ(b.offset, b.index * st.cfg.slot_stride);
		CHECK_EQ(b.bytesused, st.cfg.slot_bytes);
		CHECK(!(b.flags & AIOT_SENSOR_BUF_ERROR));
		/* The slot is complete only at the end of its period. */
		CHECK(b.timestamp_ns >= t_start);
		CHECK(b.timestamp_ns + st.cfg.period_ns <= t_dq);
		/*
		 * Its DMA completed after its first sample, and at least a
		 * slot's worth of periods later, before the DQBUF returned.
		 */
		CHECK(b.dma_done_ns != 0);
		CHECK(b.dma_done_ns >= b.timestamp_ns);
		CHECK(b.dma_done_ns <= t_dq);
		CHECK(b.dma_done_ns - b.timestamp_ns >= st.cfg.period_ns);
		if (b.dma_done_ns - b.timestamp_ns < span_min)
			span_min = b.dma_done_ns - b.timestamp_ns;
		if (b.dma_done_ns - b.timestamp_ns > span_max)
			span_max = b.dma_done_ns - b.timestamp_ns;
		CHECK_EQ(b.reserved, 0);
		if (i == 0) {
			CHECK_EQ(b.sequence, 0);
		} else {
			uint64_t d = b.sequence - prev_seq;

			CHECK(b.sequence > prev_seq);
			gaps += d - 1;
			/* A gap, and only a gap, is flagged. */
			CHECK_EQ(!!(b.flags & AIOT_SENSOR_BUF_OVERFLOWED), d > 1);
			/* Spaced by the period (+-1 us for rounding). */
			CHECK(llabs((long long)(b.timestamp_ns - prev_ts) -
				    (long long)(d * st.cfg.period_ns)) <= 1000);
			/* Completions are monotonic. */
			CHECK(b.dma_done_ns > prev_done);
		}
		bad += check_slot(&st, st.ring + b.offset, b.sequence, c.pattern);
		prev_seq = b.sequence;
		prev_ts = b.timestamp_ns;
		prev_done = b.dma_done_ns;
		REQUIRE(qb(&st, b.index) == 0);
	}
	CHECK_EQ(bad, 0);
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_INFO, &st.info) == 0);
	CHECK_EQ(st.info.state, AIOT_SENSOR_STATE_STREAMING);
	/* Every gap is counted as a drop (more may have happened since). */
	CHECK(st.info.drops - drops0 >= gaps);
	CHECK(st.info.sequence > prev_seq);
	if (gaps)
		tap_diag("%llu periods dropped by a slow guest",
			 (unsigned long long)gaps);
	tap_diag("first sample -> DMA done: %llu..%llu us for a %llu us period",
		 (unsigned long long)span_min / 1000, (unsigned long long)span_max / 1000,
		 (unsigned long long)st.cfg.period_ns / 1000);
	CHECK_EQ(ioctl(st.fd, AIOT_SENSOR_IOC_STOP), 0);
	close_stream(&st);
}

static void accel_ramp(void)
{
	struct aiot_sensor_config c = { .rate_hz = 200, .samples_per_slot = 20,
		.slot_count = 8, .pattern = AIOT_SIM_PATTERN_RAMP };

	stream_and_check(AIOT_SENSOR_KIND_ACCEL, c, 12);
}

static void accel_sine_two_channels(void)
{
	struct aiot_sensor_config c = { .rate_hz = 100, .samples_per_slot = 25,
		.slot_count = 4, .channels = 2 };

	stream_and_check(AIOT_SENSOR_KIND_ACCEL, c, 6);
}

static void accel_anomaly(void)
{
	/* Samples 0..9 of every 200 are noise: slot 0 is, slots 1.. are not. */
	struct aiot_sensor_config c = { .rate_hz = 100, .samples_per_slot = 10,
		.slot_count = 4, .pattern = AIOT_SIM_PATTERN_ANOMALY };

	stream_and_check(AIOT_SENSOR_KIND_ACCEL, c, 4);
}

static void mic_16k_sine(void)
{
	struct aiot_sensor_config c = { .rate_hz = 16000, .samples_per_slot = 320,
		.slot_count = 8, .pattern = AIOT_SIM_PATTERN_SINE };

	stream_and_check(AIOT_SENSOR_KIND_MIC, c, 25);
}

static void mic_16k_noise(void)
{
	struct aiot_sensor_config c = { .rate_hz = 16000, .samples_per_slot = 160,
		.slot_count = 16, .pattern = AIOT_SIM_PATTERN_NOISE };

	stream_and_check(AIOT_SENSOR_KIND_MIC, c, 25);
}

static void camera_frames(void)
{
	struct aiot_sensor_config c = { .rate_hz = 15, .samples_per_slot = 1,
		.slot_count = 4, .pattern = AIOT_SENSOR_PATTERN_LIVE };

	stream_and_check(AIOT_SENSOR_KIND_CAMERA, c, 6);
}

static void camera_two_frames_per_slot_ramp(void)
{
	struct aiot_sensor_config c = { .rate_hz = 20, .samples_per_slot = 2,
		.slot_count = 3, .pattern = AIOT_SIM_PATTERN_RAMP };

	stream_and_check(AIOT_SENSOR_KIND_CAMERA, c, 4);
}

/* Drain the filled slots without blocking; return how many. */
static int drain(struct stream *st, struct aiot_sensor_buffer *out, int max)
{
	int n = 0;

	while (n < max && wait_fd(st->fd, POLLIN, 0) > 0) {
		memset(&out[n], 0, sizeof(out[n]));
		if (ioctl(st->fd, AIOT_SENSOR_IOC_DQBUF, &out[n]))
			break;
		n++;
	}
	return n;
}

/* Wait until the sensor has produced `periods` periods. */
static int wait_sequence(struct stream *st, uint64_t periods)
{
	int i;

	for (i = 0; i < 600; i++) {
		if (ioctl(st->fd, AIOT_SENSOR_IOC_INFO, &st->info))
			return -1;
		if (st->info.sequence >= periods)
			return 0;
		usleep(50000);
	}
	errno = ETIMEDOUT;
	return -1;
}

static void drop_newest_under_stalled_reader(void)
{
	struct stream st;
	struct aiot_sensor_buffer b[8], nb;
	uint64_t drops0, sys0;
	int n, i, bad = 0;

	REQUIRE(open_kind(&st, AIOT_SENSOR_KIND_MIC) == 0);
	REQUIRE(setup(&st, mkcfg(&st, 16000, 160, 4,
				 AIOT_SENSOR_OVERFLOW_DROP_NEWEST,
				 AIOT_SIM_PATTERN_RAMP)) == 0);
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_INFO, &st.info) == 0);
	drops0 = st.info.drops;
	sys0 = sysfs_u64(&st, "drops");
	CHECK_EQ(sys0, drops0);
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_START) == 0);
	/* Nobody reads while 20 periods go by: 4 fill, 16 drop. */
	REQUIRE(wait_sequence(&st, 20) == 0);
	n = drain(&st, b, 8);
	CHECK_EQ(n, 4);
	/* Drop-newest keeps the oldest: periods 0..3, in order. */
	for (i = 0; i < n; i++) {
		CHECK_EQ(b[i].sequence, i);
		CHECK_EQ(b[i].flags, 0);
		bad += check_slot(&st, st.ring + b[i].offset, b[i].sequence,
				  AIOT_SIM_PATTERN_RAMP);
	}
	CHECK_EQ(bad, 0);
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_INFO, &st.info) == 0);
	CHECK(st.info.drops - drops0 >= 16);
	CHECK(sysfs_u64(&st, "drops") - sys0 >= 16);
	for (i = 0; i < n; i++)
		REQUIRE(qb(&st, b[i].index) == 0);
	/* The next slot carries the gap: flagged, and all of it counted. */
	REQUIRE(dq(&st, &nb) == 0);
	CHECK(nb.sequence >= 20);
	CHECK(nb.flags & AIOT_SENSOR_BUF_OVERFLOWED);
	CHECK_EQ(check_slot(&st, st.ring + nb.offset, nb.sequence,
			    AIOT_SIM_PATTERN_RAMP), 0);
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_INFO, &st.info) == 0);
	CHECK(st.info.drops - drops0 >= nb.sequence - 4);
	CHECK_EQ(ioctl(st.fd, AIOT_SENSOR_IOC_STOP), 0);
	/* Counters are cumulative: they survive the stop. */
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_INFO, &st.info) == 0);
	CHECK(st.info.drops - drops0 >= nb.sequence - 4);
	CHECK_EQ(sysfs_u64(&st, "drops"), st.info.drops);
	close_stream(&st);
}

static void overwrite_oldest_under_stalled_reader(void)
{
	struct stream st;
	struct aiot_sensor_buffer b[8];
	uint64_t drops0, ow0;
	int n, i, bad = 0;

	REQUIRE(open_kind(&st, AIOT_SENSOR_KIND_MIC) == 0);
	REQUIRE(setup(&st, mkcfg(&st, 16000, 160, 4,
				 AIOT_SENSOR_OVERFLOW_OVERWRITE_OLDEST,
				 AIOT_SIM_PATTERN_RAMP)) == 0);
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_INFO, &st.info) == 0);
	drops0 = st.info.drops;
	ow0 = sysfs_u64(&st, "overwritten");
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_START) == 0);
	REQUIRE(wait_sequence(&st, 40) == 0);
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_STOP) == 0);
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_INFO, &st.info) == 0);
	n = drain(&st, b, 8);
	/* The newest periods survive, the oldest were overwritten. */
	CHECK(n >= 2 && n <= 4);
	for (i = 0; i < n; i++) {
		if (i)
			CHECK(b[i].sequence > b[i - 1].sequence);
		bad += check_slot(&st, st.ring + b[i].offset, b[i].sequence,
				  AIOT_SIM_PATTERN_RAMP);
	}
	CHECK_EQ(bad, 0);
	CHECK(n > 0 && b[0].sequence >= 20);
	CHECK(n > 0 && b[n - 1].sequence + 8 >= st.info.sequence);
	CHECK(n > 0 && (b[0].flags & AIOT_SENSOR_BUF_OVERFLOWED));
	CHECK(sysfs_u64(&st, "overwritten") - ow0 >= 10);
	/* Every period is either dequeued or counted as dropped. */
	CHECK_EQ(st.info.drops - drops0 + n, st.info.sequence);
	close_stream(&st);
}

static void dmabuf_export_mmap_sync(void)
{
	struct stream st;
	struct aiot_sensor_buffer b;
	struct dma_buf_sync sync;
	uint8_t *m;
	int fd;
	off_t size;

	REQUIRE(open_kind(&st, AIOT_SENSOR_KIND_MIC) == 0);
	REQUIRE(setup(&st, mkcfg(&st, 16000, 800, 4, 0,
				 AIOT_SIM_PATTERN_NOISE)) == 0);
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_START) == 0);
	REQUIRE(dq(&st, &b) == 0);
	fd = expbuf(&st, b.index);
	REQUIRE(fd >= 0);
	size = lseek(fd, 0, SEEK_END);
	CHECK_EQ(size, st.cfg.slot_stride);
	m = mmap(NULL, st.cfg.slot_stride, PROT_READ, MAP_SHARED, fd, 0);
	REQUIRE(m != MAP_FAILED);
	CHECK(mmap(NULL, st.cfg.slot_stride + 4096, PROT_READ, MAP_SHARED, fd,
		   0) == MAP_FAILED);
	sync.flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ;
	CHECK_EQ(ioctl(fd, DMA_BUF_IOCTL_SYNC, &sync), 0);
	CHECK_EQ(check_slot(&st, m, b.sequence, AIOT_SIM_PATTERN_NOISE), 0);
	CHECK(memcmp(m, st.ring + b.offset, st.cfg.slot_bytes) == 0);
	sync.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ;
	CHECK_EQ(ioctl(fd, DMA_BUF_IOCTL_SYNC, &sync), 0);
	sync.flags = 0x100;
	CHECK_ERRNO(ioctl(fd, DMA_BUF_IOCTL_SYNC, &sync), EINVAL);
	/* Filled and dequeued: its write fence has signalled. */
	CHECK_EQ(fence_status(fd), 1);
	/* Exported: the memory stays, the ring cannot be reconfigured. */
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_STOP) == 0);
	munmap(st.ring, st.cfg.ring_bytes);
	st.ring = NULL;
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_CONFIGURE, &st.cfg), EBUSY);
	/* Closing the stream keeps the dma-buf valid. */
	close_stream(&st);
	CHECK_EQ(check_slot(&st, m, b.sequence, AIOT_SIM_PATTERN_NOISE), 0);
	munmap(m, st.cfg.slot_stride);
	close(fd);
}

/* Slow periods (1 s) so that "not yet signalled" is observable. */
static void fence_signals_on_completion(void)
{
	struct stream st;
	struct aiot_sensor_buffer b;
	int fds[2], i, r;

	REQUIRE(open_kind(&st, AIOT_SENSOR_KIND_ACCEL) == 0);
	REQUIRE(setup(&st, mkcfg(&st, 2, 4, 2, 0,
				 AIOT_SIM_PATTERN_RAMP)) == 0);
	for (i = 0; i < 2; i++) {
		fds[i] = expbuf(&st, i);
		REQUIRE(fds[i] >= 0);
		/* Not streaming: no fence, readable at once. */
		CHECK_EQ(fence_status(fds[i]), 1);
	}
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_START) == 0);
	/* Armed: both write fences pending, reading must wait. */
	CHECK_EQ(fence_status(fds[0]), 0);
	CHECK_EQ(fence_status(fds[1]), 0);
	CHECK_EQ(wait_fd(fds[1], POLLIN, 0), 0);
	/* Slot 0 is filled first: its fence signals, without error. */
	r = wait_fd(fds[0], POLLIN, WAIT_MS);
	CHECK(r > 0 && (r & POLLIN));
	CHECK_EQ(fence_status(fds[0]), 1);
	REQUIRE(dq(&st, &b) == 0);
	CHECK_EQ(b.index, 0);
	CHECK_EQ(b.sequence, 0);
	r = wait_fd(fds[1], POLLIN, WAIT_MS);
	CHECK(r > 0 && (r & POLLIN));
	CHECK_EQ(fence_status(fds[1]), 1);
	/* Requeued while streaming: armed again with a new fence. */
	REQUIRE(qb(&st, 0) == 0);
	CHECK_EQ(fence_status(fds[0]), 0);
	r = wait_fd(fds[0], POLLIN, WAIT_MS);
	CHECK(r > 0 && (r & POLLIN));
	CHECK_EQ(fence_status(fds[0]), 1);
	CHECK_EQ(ioctl(st.fd, AIOT_SENSOR_IOC_STOP), 0);
	close(fds[0]);
	close(fds[1]);
	close_stream(&st);
}

static void fence_error_on_stop(void)
{
	struct stream st;
	int fds[3], sync[3], i;

	REQUIRE(open_kind(&st, AIOT_SENSOR_KIND_ACCEL) == 0);
	/* 5 s periods: nothing completes before the stop. */
	REQUIRE(setup(&st, mkcfg(&st, 1, 5, 3, 0,
				 AIOT_SIM_PATTERN_RAMP)) == 0);
	for (i = 0; i < 3; i++)
		REQUIRE((fds[i] = expbuf(&st, i)) >= 0);
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_START) == 0);
	for (i = 0; i < 3; i++) {
		REQUIRE((sync[i] = export_sync(fds[i])) >= 0);
		CHECK_EQ(sync_status(sync[i]), 0);
		CHECK_EQ(wait_fd(fds[i], POLLIN, 0), 0);
	}
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_STOP) == 0);
	for (i = 0; i < 3; i++) {
		int r = wait_fd(fds[i], POLLIN, 0);

		CHECK(r > 0 && (r & POLLIN));
		r = wait_fd(sync[i], POLLIN, 0);
		CHECK(r > 0 && (r & POLLIN));
		CHECK_EQ(sync_status(sync[i]), -ECANCELED);
		close(sync[i]);
	}
	/* A new start arms new fences, which the owner's close cancels. */
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_START) == 0);
	REQUIRE((sync[0] = export_sync(fds[0])) >= 0);
	CHECK_EQ(sync_status(sync[0]), 0);
	close_stream(&st);
	CHECK_EQ(sync_status(sync[0]), -ECANCELED);
	CHECK_EQ(fence_status(fds[0]), 1);
	close(sync[0]);
	for (i = 0; i < 3; i++)
		close(fds[i]);
}

static int debugfs_write(const char *name, const char *knob, const char *val)
{
	char path[128];
	int fd, ret;

	snprintf(path, sizeof(path), "/sys/kernel/debug/aiot-sim-sensor/%s/%s",
		 name, knob);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	ret = write(fd, val, strlen(val)) == (ssize_t)strlen(val) ? 0 : -1;
	close(fd);
	return ret;
}

static void fence_error_on_dma_fault(void)
{
	struct stream st;
	struct aiot_sensor_buffer b;
	int fd0, fd1, s0, s1;

	REQUIRE(open_kind(&st, AIOT_SENSOR_KIND_ACCEL) == 0);
	/* 1 s periods: the fences are taken while pending. */
	REQUIRE(setup(&st, mkcfg(&st, 2, 2, 2, 0,
				 AIOT_SIM_PATTERN_RAMP)) == 0);
	REQUIRE((fd0 = expbuf(&st, 0)) >= 0);
	REQUIRE((fd1 = expbuf(&st, 1)) >= 0);
	REQUIRE(debugfs_write(st.info.name, "faults", "1") == 0);
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_START) == 0);
	REQUIRE((s0 = export_sync(fd0)) >= 0);
	REQUIRE((s1 = export_sync(fd1)) >= 0);
	CHECK_EQ(sync_status(s0), 0);
	REQUIRE(dq(&st, &b) == 0);
	CHECK_EQ(b.index, 0);
	CHECK(b.flags & AIOT_SENSOR_BUF_ERROR);
	CHECK_EQ(sync_status(s0), -EIO);
	REQUIRE(dq(&st, &b) == 0);
	CHECK_EQ(b.index, 1);
	CHECK_EQ(b.flags & AIOT_SENSOR_BUF_ERROR, 0);
	CHECK_EQ(sync_status(s1), 1);
	CHECK_EQ(ioctl(st.fd, AIOT_SENSOR_IOC_STOP), 0);
	close(s0);
	close(s1);
	close(fd0);
	close(fd1);
	close_stream(&st);
}

/* A DMA that never completes: the watchdog fails the fences in bounded time. */
static void fence_error_on_dma_timeout(void)
{
	struct stream st;
	struct aiot_sensor_buffer b;
	char state[32];
	int fd, sf, r;

	REQUIRE(open_kind(&st, AIOT_SENSOR_KIND_ACCEL) == 0);
	REQUIRE(setup(&st, mkcfg(&st, 100, 10, 2, 0,
				 AIOT_SIM_PATTERN_RAMP)) == 0);
	REQUIRE((fd = expbuf(&st, 1)) >= 0);
	REQUIRE(debugfs_write(st.info.name, "stall", "1") == 0);
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_START) == 0);
	REQUIRE((sf = export_sync(fd)) >= 0);
	CHECK_EQ(sync_status(sf), 0);
	/* Timeout: (2 + 2) periods + 5 s; wait up to 30 s. */
	r = wait_fd(sf, POLLIN, 30000);
	CHECK(r > 0 && (r & POLLIN));
	CHECK_EQ(sync_status(sf), -ETIMEDOUT);
	close(sf);
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_INFO, &st.info) == 0);
	CHECK_EQ(st.info.state, AIOT_SENSOR_STATE_ERROR);
	CHECK(sysfs_str(&st, "state", state, sizeof(state)) == 0 &&
	      strcmp(state, "error") == 0);
	memset(&b, 0, sizeof(b));
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_DQBUF, &b), EIO);
	CHECK(wait_fd(st.fd, POLLIN, 0) & POLLERR);
	REQUIRE(debugfs_write(st.info.name, "stall", "0") == 0);
	/* The stream recovers with a new start. */
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_START) == 0);
	REQUIRE(dq(&st, &b) == 0);
	CHECK_EQ(b.sequence, 0);
	CHECK_EQ(ioctl(st.fd, AIOT_SENSOR_IOC_STOP), 0);
	close(fd);
	close_stream(&st);
}

/* The project's recordings, installed as aiot-sim's default names. */
#define REC_DIR "/lib/firmware/aiot"

/* Write an attribute of aiot-sim's device behind the stream, in pieces. */
static int sim_attr_write(const struct stream *st, const char *attr,
			  const void *data, size_t len)
{
	char path[160];
	size_t done = 0;
	int fd, ret = 0;

	snprintf(path, sizeof(path), "/sys/class/aiot/%s/device/%s",
		 strrchr(st->node, '/') + 1, attr);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (done < len) {
		ssize_t n = write(fd, (const uint8_t *)data + done, len - done);

		if (n <= 0) {
			ret = n < 0 ? -errno : -EIO;
			break;
		}
		done += n;
	}
	close(fd);
	return ret;
}

static int sim_attr_read(const struct stream *st, const char *attr,
			 char *buf, size_t len)
{
	char path[160];

	snprintf(path, sizeof(path), "/sys/class/aiot/%s/device/%s",
		 strrchr(st->node, '/') + 1, attr);
	return aiot_test_read_file(path, buf, len);
}

static uint8_t *read_all(const char *path, size_t *len)
{
	static uint8_t buf[1 << 20];
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0)
		return NULL;
	*len = n;
	return buf;
}

static uint32_t le32_at(const uint8_t *p, size_t off)
{
	return p[off] | p[off + 1] << 8 | p[off + 2] << 16 |
	       (uint32_t)p[off + 3] << 24;
}

/*
 * Stream a recording: every sample must come from the file, looping.
 * aiot-sim finds it by its default name, or by the name given to
 * replay_firmware, or takes it written to replay_data.
 */
enum rec_source { REC_DEFAULT, REC_NAMED, REC_WRITTEN };

static void replay(const char *kind, unsigned int skind, uint32_t spp,
		   int count, enum rec_source src)
{
	char path[128], name[64];
	struct aiot_sensor_config c = { .samples_per_slot = spp,
					.slot_count = 4,
					.pattern = AIOT_SIM_PATTERN_REPLAY };
	struct stream st;
	size_t len;
	uint8_t *f;

	snprintf(path, sizeof(path), REC_DIR "/aiot-rec-%s.bin", kind);
	f = read_all(path, &len);
	if (!f)
		TAP_SKIP("no recording (../shared/models missing at build time)");
	REQUIRE(len > AIOT_SIM_REC_HEADER_SIZE);
	REQUIRE(le32_at(f, AIOT_SIM_REC_OFF_MAGIC) == AIOT_SIM_REC_MAGIC);
	REQUIRE((le32_at(f, AIOT_SIM_REC_OFF_VERSION) & 0xffff) ==
		AIOT_SIM_REC_VERSION);
	REQUIRE(len == AIOT_SIM_REC_HEADER_SIZE +
		le32_at(f, AIOT_SIM_REC_OFF_DATA_BYTES));
	c.channels = le32_at(f, AIOT_SIM_REC_OFF_CHANNELS);
	c.rate_hz = le32_at(f, AIOT_SIM_REC_OFF_RATE_HZ);
	rec_data = f + AIOT_SIM_REC_HEADER_SIZE;
	rec_bytes = le32_at(f, AIOT_SIM_REC_OFF_DATA_BYTES);
	REQUIRE(open_kind(&st, skind) == 0);
	/* An empty name: the default names. */
	snprintf(name, sizeof(name), "\n");
	if (src == REC_NAMED)
		snprintf(name, sizeof(name), "aiot/aiot-rec-%s.bin\n", kind);
	REQUIRE(sim_attr_write(&st, AIOT_SIM_ATTR_REPLAY_FIRMWARE, name,
			       strlen(name)) == 0);
	if (src == REC_WRITTEN)
		REQUIRE(sim_attr_write(&st, AIOT_SIM_ATTR_REPLAY_DATA, f,
				       len) == 0);
	close_stream(&st);
	stream_and_check(skind, c, count);
	REQUIRE(open_kind(&st, skind) == 0);
	CHECK_EQ(sim_attr_write(&st, AIOT_SIM_ATTR_REPLAY_FIRMWARE, "\n", 1), 0);
	close_stream(&st);
}

static void replay_mic_speech(void)
{
	/* 1 s of "yes" at 16 kHz in 100 ms slots, looping after 10. */
	replay("mic", AIOT_SENSOR_KIND_MIC, 1600, 13, REC_DEFAULT);
}

static void replay_camera_frame(void)
{
	replay("camera", AIOT_SENSOR_KIND_CAMERA, 1, 2, REC_DEFAULT);
}

static void replay_accel_taps(void)
{
	replay("accel", AIOT_SENSOR_KIND_ACCEL, 50, 6, REC_DEFAULT);
}

static void replay_named_firmware(void)
{
	replay("accel", AIOT_SENSOR_KIND_ACCEL, 50, 3, REC_NAMED);
}

static void replay_written_recording(void)
{
	replay("accel", AIOT_SENSOR_KIND_ACCEL, 50, 3, REC_WRITTEN);
}

/* The backend names its test patterns; the uAPI only has LIVE. */
static void test_patterns_named_in_sysfs(void)
{
	struct stream st;
	char text[256];

	REQUIRE(open_kind(&st, AIOT_SENSOR_KIND_ACCEL) == 0);
	REQUIRE(sysfs_str(&st, "test_patterns", text, sizeof(text)) == 0);
	CHECK(strcmp(text, "1 sine\n2 ramp\n3 noise\n4 anomaly\n5 replay") == 0);
	CHECK_EQ(st.info.patterns, 0x3fu);
	close_stream(&st);
	REQUIRE(open_kind(&st, AIOT_SENSOR_KIND_CAMERA) == 0);
	REQUIRE(sysfs_str(&st, "test_patterns", text, sizeof(text)) == 0);
	CHECK(strcmp(text, "2 ramp\n3 noise\n5 replay") == 0);
	CHECK_EQ(st.info.patterns, 0x2du);
	close_stream(&st);
}

static void replay_bad_names_rejected(void)
{
	static const char *const bad[] = {
		"/lib/firmware/aiot/aiot-rec-accel.bin", "../aiot-rec-accel.bin",
		"aiot/../../etc/passwd", ".hidden", "aiot/a b.bin",
		"aiot/0123456789012345678901234567890123456789012345678901234567890123.bin",
	};
	struct stream st;
	char text[128];
	size_t i;

	REQUIRE(open_kind(&st, AIOT_SENSOR_KIND_ACCEL) == 0);
	REQUIRE(sim_attr_write(&st, AIOT_SIM_ATTR_REPLAY_FIRMWARE, "aiot/x.bin",
			       10) == 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_EQ(sim_attr_write(&st, AIOT_SIM_ATTR_REPLAY_FIRMWARE,
					bad[i], strlen(bad[i])), -EINVAL);
	/* A refused name leaves the last good one. */
	REQUIRE(sim_attr_read(&st, AIOT_SIM_ATTR_REPLAY_FIRMWARE, text,
			      sizeof(text)) == 0);
	CHECK(strcmp(text, "aiot/x.bin") == 0);
	CHECK_EQ(sim_attr_write(&st, AIOT_SIM_ATTR_REPLAY_FIRMWARE, "\n", 1), 0);
	REQUIRE(sim_attr_read(&st, AIOT_SIM_ATTR_REPLAY_FIRMWARE, text,
			      sizeof(text)) == 0);
	CHECK_EQ(text[0], 0);
	close_stream(&st);
}

static void replay_bad_recordings_rejected(void)
{
	static uint8_t good[1 << 16], bad[1 << 16];
	struct stream st;
	struct aiot_sensor_config c;
	char path[160];
	size_t len;
	uint8_t *f;
	int fd;

	f = read_all(REC_DIR "/aiot-rec-accel.bin", &len);
	REQUIRE(f && len <= sizeof(good));
	memcpy(good, f, len);
	REQUIRE(open_kind(&st, AIOT_SENSOR_KIND_ACCEL) == 0);
	c = mkcfg(&st, 100, 10, 4, 0, AIOT_SIM_PATTERN_REPLAY);
#define TRY(buf, n, err) do {						\
		REQUIRE(sim_attr_write(&st, AIOT_SIM_ATTR_REPLAY_DATA, buf, n) == 0); \
		CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_CONFIGURE, &c), err); \
	} while (0)
	/* No recording at all. */
	REQUIRE(sim_attr_write(&st, AIOT_SIM_ATTR_REPLAY_FIRMWARE,
			       "aiot/none.bin", 13) == 0);
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_CONFIGURE, &c), ENOENT);
	TRY(good, 20, EMSGSIZE);		/* truncated header */
	TRY(good, len - 2, EMSGSIZE);		/* truncated data */
	memcpy(bad, good, len);
	bad[AIOT_SIM_REC_OFF_MAGIC] ^= 1;
	TRY(bad, len, EINVAL);			/* magic */
	memcpy(bad, good, len);
	bad[AIOT_SIM_REC_OFF_VERSION] = 2;
	TRY(bad, len, EPROTO);			/* version */
	memcpy(bad, good, len);
	bad[len - 1] ^= 0x40;
	TRY(bad, len, EBADMSG);			/* checksum */
	memcpy(bad, good, len);
	bad[AIOT_SIM_REC_OFF_RESERVED] = 1;
	TRY(bad, len, EINVAL);			/* reserved */
	/* Past the largest recording, or not where the last write ended. */
	snprintf(path, sizeof(path), "/sys/class/aiot/%s/device/%s",
		 strrchr(st.node, '/') + 1, AIOT_SIM_ATTR_REPLAY_DATA);
	REQUIRE((fd = open(path, O_WRONLY | O_CLOEXEC)) >= 0);
	CHECK_ERRNO(pwrite(fd, good, 16, AIOT_SIM_REC_MAX_BYTES - 8), EFBIG);
	CHECK_ERRNO(pwrite(fd, good, 16, len + 4096), EINVAL);
	close(fd);
	/* A good recording that does not match the configuration. */
	REQUIRE(sim_attr_write(&st, AIOT_SIM_ATTR_REPLAY_DATA, good, len) == 0);
	c.rate_hz = 50;
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_CONFIGURE, &c), EINVAL);
	c.rate_hz = 100;
	c.channels = 2;
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_CONFIGURE, &c), EINVAL);
	c.channels = 3;
	CHECK_EQ(ioctl(st.fd, AIOT_SENSOR_IOC_CONFIGURE, &c), 0);
#undef TRY
	CHECK_EQ(sim_attr_write(&st, AIOT_SIM_ATTR_REPLAY_FIRMWARE, "\n", 1), 0);
	close_stream(&st);
}

/* The backend goes away under a streaming, mapped, exported stream. */
static void unplug_while_streaming(void)
{
	struct stream st;
	struct aiot_sensor_buffer b;
	uint8_t copy[64];
	uint32_t offset;
	int fd, queued_fd, sf, r;

	REQUIRE(open_kind(&st, AIOT_SENSOR_KIND_ACCEL) == 0);
	REQUIRE(setup(&st, mkcfg(&st, 2, 4, 2, 0,
				 AIOT_SIM_PATTERN_RAMP)) == 0);
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_START) == 0);
	REQUIRE(dq(&st, &b) == 0);
	REQUIRE((fd = expbuf(&st, b.index)) >= 0);
	REQUIRE((queued_fd = expbuf(&st, !b.index)) >= 0);
	offset = b.offset;
	memcpy(copy, st.ring + offset, sizeof(copy));
	REQUIRE((sf = export_sync(queued_fd)) >= 0);
	CHECK_EQ(sync_status(sf), 0);
	REQUIRE(aiot_test_rmmod("aiot_sim") == 0);
	/* The queued slot's fence was failed, the file is dead but valid. */
	CHECK_EQ(sync_status(sf), -ENODEV);
	close(sf);
	r = wait_fd(st.fd, POLLIN, 0);
	CHECK(r > 0 && (r & POLLHUP));
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_START), ENODEV);
	memset(&b, 0, sizeof(b));
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_DQBUF, &b), ENODEV);
	CHECK_ERRNO(access(st.node, F_OK), ENOENT);
	/* Mappings keep their memory. */
	CHECK(memcmp(copy, st.ring + offset, sizeof(copy)) == 0);
	CHECK_EQ(aiot_test_rmmod("aiot_sensor"), -EWOULDBLOCK);
	close_stream(&st);
	close(fd);
	close(queued_fd);
	REQUIRE(aiot_test_modprobe("aiot-sim") == 0);
	REQUIRE(open_kind(&st, AIOT_SENSOR_KIND_ACCEL) == 0);
	close_stream(&st);
}

/* read(): the copying path. */

/*
 * read() does not say which period it returns: find the first sequence in
 * [from, to] whose first samples match (NOISE is a hash: no false match).
 */
static int64_t find_seq(const struct stream *st, const uint8_t *p,
			uint64_t from, uint64_t to, uint32_t pattern)
{
	uint64_t seq;
	uint32_t k;

	for (seq = from; seq <= to; seq++) {
		for (k = 0; k < 8; k++) {
			long tol, want = expect(st, pattern,
						seq * st->cfg.samples_per_slot + k,
						0, &tol);
			long got = (int16_t)(p[2 * k] | p[2 * k + 1] << 8);

			if (labs(got - want) > tol)
				break;
		}
		if (k == 8)
			return (int64_t)seq;
	}
	return -1;
}

/* read() with a timeout, so that a broken driver fails instead of hanging. */
static ssize_t read_wait(struct stream *st, void *buf, size_t len)
{
	int r = wait_fd(st->fd, POLLIN, WAIT_MS);

	if (r <= 0 || !(r & POLLIN)) {
		errno = r == 0 ? ETIMEDOUT : EIO;
		return -1;
	}
	return read(st->fd, buf, len);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* Whole slots, oldest first, equal to the generator; copies counted. */
static void read_matches_generator(void)
{
	struct stream st;
	struct aiot_sensor_config c;
	uint64_t copied0, sys0, drops0, gaps = 0;
	int64_t seq, prev = -1;
	uint8_t *buf;
	int i, bad = 0;

	REQUIRE(open_kind(&st, AIOT_SENSOR_KIND_MIC) == 0);
	c = mkcfg(&st, 16000, 800, 8, AIOT_SENSOR_OVERFLOW_DROP_NEWEST,
		  AIOT_SIM_PATTERN_NOISE);
	st.cfg = c;
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_CONFIGURE, &st.cfg) == 0);
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_INFO, &st.info) == 0);
	copied0 = st.info.bytes_copied;
	drops0 = st.info.drops;
	sys0 = sysfs_u64(&st, "bytes_copied");
	CHECK_EQ(sys0, copied0);
	/* Room for three slots: still one slot per read(). */
	REQUIRE((buf = malloc(3 * st.cfg.slot_bytes)) != NULL);
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_START) == 0);
	for (i = 0; i < 20; i++) {
		ssize_t n = read_wait(&st, buf, 3 * st.cfg.slot_bytes);

		REQUIRE(n == (ssize_t)st.cfg.slot_bytes);
		REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_INFO, &st.info) == 0);
		seq = find_seq(&st, buf, prev + 1, st.info.sequence,
			       AIOT_SIM_PATTERN_NOISE);
		CHECK(seq >= 0);
		if (seq < 0)
			break;
		if (i == 0)
			CHECK_EQ(seq, 0);
		gaps += seq - prev - 1;
		bad += check_slot(&st, buf, seq, AIOT_SIM_PATTERN_NOISE);
		prev = seq;
	}
	CHECK_EQ(bad, 0);
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_INFO, &st.info) == 0);
	/* Exactly what was returned, in INFO and in sysfs. */
	CHECK_EQ(st.info.bytes_copied - copied0, 20ull * st.cfg.slot_bytes);
	CHECK_EQ(sysfs_u64(&st, "bytes_copied") - sys0,
		 20ull * st.cfg.slot_bytes);
	/* Periods read() skipped over were counted as drops. */
	CHECK(st.info.drops - drops0 >= gaps);
	if (gaps)
		tap_diag("%llu periods dropped by a slow guest",
			 (unsigned long long)gaps);
	/* Stopped: what was filled can still be read, then EPIPE. */
	CHECK_EQ(ioctl(st.fd, AIOT_SENSOR_IOC_STOP), 0);
	for (i = 0; i < 8 && read(st.fd, buf, st.cfg.slot_bytes) > 0; i++)
		;
	CHECK_ERRNO(read(st.fd, buf, st.cfg.slot_bytes), EPIPE);
	free(buf);
	close_stream(&st);
}

/* read() blocks until a slot is filled, unless O_NONBLOCK. */
static void read_blocking_and_nonblocking(void)
{
	struct sigaction sa = { .sa_handler = on_alarm }, old;
	struct stream st;
	uint8_t buf[64];
	uint64_t t0, t1;
	ssize_t n;
	int fl;

	REQUIRE(open_kind(&st, AIOT_SENSOR_KIND_ACCEL) == 0);
	/* 3 channels, 2 samples per 1 s slot: 12 bytes, one per second. */
	st.cfg = mkcfg(&st, 2, 2, 2, 0, AIOT_SIM_PATTERN_RAMP);
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_CONFIGURE, &st.cfg) == 0);
	REQUIRE(st.cfg.slot_bytes == 12);
	fl = fcntl(st.fd, F_GETFL);
	REQUIRE(fcntl(st.fd, F_SETFL, fl | O_NONBLOCK) == 0);
	t0 = now_ns();
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_START) == 0);
	/* Nothing can be filled before the first period ends. */
	CHECK_ERRNO(read(st.fd, buf, sizeof(buf)), EAGAIN);
	REQUIRE(fcntl(st.fd, F_SETFL, fl) == 0);
	/* Blocking, with an alarm (no SA_RESTART) against a hang. */
	sigemptyset(&sa.sa_mask);
	REQUIRE(sigaction(SIGALRM, &sa, &old) == 0);
	alarm(WAIT_MS / 1000);
	n = read(st.fd, buf, sizeof(buf));
	t1 = now_ns();
	alarm(0);
	sigaction(SIGALRM, &old, NULL);
	CHECK_EQ(n, 12);
	/* It waited for the end of the first period. */
	CHECK(t1 - t0 >= st.cfg.period_ns);
	CHECK(n == 12 && (int16_t)(buf[0] | buf[1] << 8) == 0 &&
	      (int16_t)(buf[2] | buf[3] << 8) == 1);
	/* A signal interrupts a blocked read(): EINTR, nothing consumed. */
	REQUIRE(sigaction(SIGALRM, &sa, &old) == 0);
	{
		struct itimerval it = { .it_value = { .tv_usec = 100000 } };

		setitimer(ITIMER_REAL, &it, NULL);
	}
	n = read(st.fd, buf, sizeof(buf));
	sigaction(SIGALRM, &old, NULL);
	CHECK(n == 12 || (n < 0 && errno == EINTR));
	CHECK_EQ(ioctl(st.fd, AIOT_SENSOR_IOC_STOP), 0);
	close_stream(&st);
}

/* Short buffers, bad pointers, not the owner, mixing with DQBUF, faults. */
static void read_bad_requests_rejected(void)
{
	struct stream st, other;
	struct aiot_sensor_buffer b;
	struct aiot_sensor_config c;
	uint8_t buf[64];
	uint64_t copied0;

	REQUIRE(open_kind(&st, AIOT_SENSOR_KIND_ACCEL) == 0);
	/* Not configured. */
	CHECK_ERRNO(read(st.fd, buf, sizeof(buf)), EINVAL);
	/* 3 channels x 10 samples x 2 bytes: 60-byte slots, 10 ms periods. */
	c = mkcfg(&st, 1000, 10, 4, 0, AIOT_SIM_PATTERN_RAMP);
	st.cfg = c;
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_CONFIGURE, &st.cfg) == 0);
	REQUIRE(st.cfg.slot_bytes == 60);
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_INFO, &st.info) == 0);
	copied0 = st.info.bytes_copied;
	/* Whole slots only. */
	CHECK_ERRNO(read(st.fd, buf, 59), EINVAL);
	CHECK_ERRNO(read(st.fd, buf, 1), EINVAL);
	CHECK_ERRNO(read(st.fd, buf, 0), EINVAL);
	/* Stopped, nothing filled. */
	CHECK_ERRNO(read(st.fd, buf, 60), EPIPE);
	/* Another file: the stream is not its own. */
	REQUIRE(open_kind(&other, AIOT_SENSOR_KIND_ACCEL) == 0);
	CHECK_ERRNO(read(other.fd, buf, 60), EBUSY);
	close_stream(&other);

	/* A DMA fault: -EIO for that slot, the next one is fine. */
	REQUIRE(debugfs_write(st.info.name, "faults", "1") == 0);
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_START) == 0);
	CHECK_ERRNO(read_wait(&st, buf, 60), EIO);
	CHECK_EQ(read_wait(&st, buf, 60), 60);
	/* Bad address: EFAULT, the slot is lost, nothing counted. */
	CHECK_ERRNO(read_wait(&st, NULL, 60), EFAULT);
	/* read() chose the I/O mode: DQBUF and QBUF are refused. */
	memset(&b, 0, sizeof(b));
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_DQBUF, &b), EBUSY);
	memset(&b, 0, sizeof(b));
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_QBUF, &b), EBUSY);
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_INFO, &st.info) == 0);
	CHECK_EQ(st.info.bytes_copied - copied0, 60);
	CHECK_EQ(ioctl(st.fd, AIOT_SENSOR_IOC_STOP), 0);

	/* CONFIGURE resets the choice; DQBUF first, then read() is refused. */
	st.cfg = c;
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_CONFIGURE, &st.cfg) == 0);
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_START) == 0);
	REQUIRE(dq(&st, &b) == 0);
	CHECK_ERRNO(read(st.fd, buf, 60), EBUSY);
	CHECK_EQ(qb(&st, b.index), 0);
	CHECK_EQ(ioctl(st.fd, AIOT_SENSOR_IOC_STOP), 0);
	close_stream(&st);
}

TAP_MAIN(
	TAP_CASE(sensors_present),
	TAP_CASE(info_struct_sizes),
	TAP_CASE(bad_configs_rejected),
	TAP_CASE(bad_buffer_requests_rejected),
	TAP_CASE(accel_ramp),
	TAP_CASE(accel_sine_two_channels),
	TAP_CASE(accel_anomaly),
	TAP_CASE(mic_16k_sine),
	TAP_CASE(mic_16k_noise),
	TAP_CASE(camera_frames),
	TAP_CASE(camera_two_frames_per_slot_ramp),
	TAP_CASE(drop_newest_under_stalled_reader),
	TAP_CASE(overwrite_oldest_under_stalled_reader),
	TAP_CASE(dmabuf_export_mmap_sync),
	TAP_CASE(fence_signals_on_completion),
	TAP_CASE(fence_error_on_stop),
	TAP_CASE(fence_error_on_dma_fault),
	TAP_CASE(fence_error_on_dma_timeout),
	TAP_CASE(replay_mic_speech),
	TAP_CASE(replay_camera_frame),
	TAP_CASE(replay_accel_taps),
	TAP_CASE(replay_named_firmware),
	TAP_CASE(replay_written_recording),
	TAP_CASE(test_patterns_named_in_sysfs),
	TAP_CASE(replay_bad_names_rejected),
	TAP_CASE(replay_bad_recordings_rejected),
	TAP_CASE(read_matches_generator),
	TAP_CASE(read_blocking_and_nonblocking),
	TAP_CASE(read_bad_requests_rejected),
	TAP_CASE(unplug_while_streaming),
)
