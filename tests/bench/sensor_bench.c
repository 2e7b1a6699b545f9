// SPDX-License-Identifier: GPL-2.0-only
/*
 * sensor_bench: what fetching sensor data costs, by the three ways a
 * program can get it, on the same stream (the simulated camera, 96x96 U8,
 * 60 fps, 10 frames per slot: 92160-byte slots every 167 ms):
 *   (a) mmap of the ring + DQBUF/QBUF: no copy;
 *   (b) dma-buf of each slot (EXPBUF) + mmap + DMA_BUF_IOCTL_SYNC: no copy,
 *       the path an importer (the NPU) shares;
 *   (c) read(): the driver copies each slot into the program's buffer.
 * Each way touches every byte of every slot once (a checksum), so the
 * figures compare fetching, not reading. The sensor sets the pace: slots/s
 * is the same for the three; "fetch MB/s" is slot bytes over the time spent
 * fetching (from the slot being ready to it being given back), i.e. how
 * fast that way could go; "copied/slot" is what the driver copied to
 * userspace (INFO.bytes_copied).
 *
 * Then the drop count with 8 simultaneous 16 kHz microphones (aiot-sim
 * reloaded with sensors=mic x 8), one reader process each, for a few
 * seconds, by DQBUF and by read().
 *
 * Prints figures and ratios; asserts nothing about speed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/aiot_sensor.h>
#include <aiot/sim_sensor.h>
#include <linux/dma-buf.h>

#include "aiot_testlib.h"

#define FETCH_SECONDS	4
#define MICS		8
#define MIC_SECONDS	5
#define WAIT_MS		20000

/* Where the checksums go, so that the compiler keeps them. */
static volatile uint64_t bench_sink;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Touch every byte once, 8 at a time. */
static uint64_t checksum(const uint8_t *p, size_t len)
{
	uint64_t sum = 0, w;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, p + i, 8);
		sum += w;
	}
	for (; i < len; i++)
		sum += p[i];
	return sum;
}

static int wait_in(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (poll(&p, 1, WAIT_MS) != 1 || !(p.revents & POLLIN)) {
		errno = ETIMEDOUT;
		return -1;
	}
	return 0;
}

static int info(int fd, struct aiot_sensor_info *i)
{
	memset(i, 0, sizeof(*i));
	return ioctl(fd, AIOT_SENSOR_IOC_INFO, i);
}

enum way { WAY_MMAP, WAY_DMABUF, WAY_READ };
static const char *const way_name[] = {
	[WAY_MMAP] = "mmap + DQBUF/QBUF",
	[WAY_DMABUF] = "dma-buf + mmap + SYNC",
	[WAY_READ] = "read()",
};

struct fetch_result {
	unsigned int slots;
	uint64_t drops;
	double wall_s;
	double p50_us, p99_us;
	double fetch_mbs;	/* slot bytes / median fetch time */
	double slots_s;		/* delivered */
	double copied_per_slot;
};

/* One way of fetching, on the camera, for FETCH_SECONDS. */
static int fetch_run(enum way way, struct fetch_result *r)
{
	struct aiot_sensor_config cfg = {
		.format = AIOT_SENSOR_FMT_U8, .channels = 1, .rate_hz = 60,
		.samples_per_slot = 10, .slot_count = 8,
		.overflow = AIOT_SENSOR_OVERFLOW_DROP_NEWEST,
		.pattern = AIOT_SENSOR_PATTERN_LIVE,
	};
	struct aiot_sensor_info i0, i1;
	int dfd[AIOT_SENSOR_MAX_SLOTS];
	uint8_t *dmap[AIOT_SENSOR_MAX_SLOTS];
	uint8_t *ring = NULL, *buf = NULL;
	uint64_t *t = NULL, t_start, t_end, sink = 0;
	unsigned int n = 0, cap, s;
	char node[64];
	int fd, ret = -1;

	for (s = 0; s < AIOT_SENSOR_MAX_SLOTS; s++) {
		dfd[s] = -1;
		dmap[s] = NULL;
	}
	fd = aiot_test_open_sensor(AIOT_SENSOR_KIND_CAMERA, node, sizeof(node));
	if (fd < 0 || ioctl(fd, AIOT_SENSOR_IOC_CONFIGURE, &cfg))
		goto out;
	cap = (unsigned int)(FETCH_SECONDS * 1000000000ull / cfg.period_ns) + 16;
	t = calloc(cap, sizeof(*t));
	buf = malloc(cfg.slot_bytes);
	if (!t || !buf)
		goto out;
	if (way == WAY_MMAP) {
		ring = mmap(NULL, cfg.ring_bytes, PROT_READ, MAP_SHARED, fd, 0);
		if (ring == MAP_FAILED) {
			ring = NULL;
			goto out;
		}
	}
	if (way == WAY_DMABUF) {
		for (s = 0; s < cfg.slot_count; s++) {
			struct aiot_sensor_expbuf e = { .index = s,
				.flags = O_RDONLY | O_CLOEXEC };

			if (ioctl(fd, AIOT_SENSOR_IOC_EXPBUF, &e))
				goto out;
			dfd[s] = e.fd;
			dmap[s] = mmap(NULL, cfg.slot_stride, PROT_READ,
				       MAP_SHARED, e.fd, 0);
			if (dmap[s] == MAP_FAILED) {
				dmap[s] = NULL;
				goto out;
			}
		}
	}
	if (info(fd, &i0) || ioctl(fd, AIOT_SENSOR_IOC_START))
		goto out;
	t_start = now_ns();
	t_end = t_start + FETCH_SECONDS * 1000000000ull;
	while (n < cap && now_ns() < t_end) {
		struct aiot_sensor_buffer b = { 0 };
		struct dma_buf_sync sync = { 0 };
		uint64_t t0;

		if (wait_in(fd))
			goto stop;
		t0 = now_ns();
		switch (way) {
		case WAY_MMAP:
			if (ioctl(fd, AIOT_SENSOR_IOC_DQBUF, &b))
				goto stop;
			sink += checksum(ring + b.offset, b.bytesused);
			break;
		case WAY_DMABUF:
			if (ioctl(fd, AIOT_SENSOR_IOC_DQBUF, &b))
				goto stop;
			sync.flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ;
			if (ioctl(dfd[b.index], DMA_BUF_IOCTL_SYNC, &sync))
				goto stop;
			sink += checksum(dmap[b.index], b.bytesused);
			sync.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ;
			if (ioctl(dfd[b.index], DMA_BUF_IOCTL_SYNC, &sync))
				goto stop;
			break;
		case WAY_READ: {
			ssize_t got = read(fd, buf, cfg.slot_bytes);

			if (got != (ssize_t)cfg.slot_bytes)
				goto stop;
			sink += checksum(buf, got);
			break;
		}
		}
		if (way != WAY_READ) {
			struct aiot_sensor_buffer q = { .index = b.index };

			if (ioctl(fd, AIOT_SENSOR_IOC_QBUF, &q))
				goto stop;
		}
		t[n++] = now_ns() - t0;
	}
	ret = 0;
stop:
	r->wall_s = (now_ns() - t_start) / 1e9;
	if (ret)
		fprintf(stderr, "sensor_bench: %s: %s\n", way_name[way],
			strerror(errno));
	ioctl(fd, AIOT_SENSOR_IOC_STOP);
	if (!ret && info(fd, &i1))
		ret = -1;
	if (!ret && n) {
		qsort(t, n, sizeof(*t), cmp_u64);
		r->slots = n;
		r->drops = i1.drops - i0.drops;
		r->p50_us = t[(n - 1) / 2] / 1e3;
		r->p99_us = t[(size_t)(0.99 * (n - 1))] / 1e3;
		r->fetch_mbs = cfg.slot_bytes / (r->p50_us / 1e6) / 1e6;
		r->slots_s = n / r->wall_s;
		r->copied_per_slot = (double)(i1.bytes_copied -
					      i0.bytes_copied) / n;
	} else if (!n) {
		ret = -1;
	}
	bench_sink += sink;
out:
	for (s = 0; s < AIOT_SENSOR_MAX_SLOTS; s++) {
		if (dmap[s])
			munmap(dmap[s], cfg.slot_stride);
		if (dfd[s] >= 0)
			close(dfd[s]);
	}
	if (ring)
		munmap(ring, cfg.ring_bytes);
	if (fd >= 0)
		close(fd);
	free(t);
	free(buf);
	return ret;
}

static int fetch_compare(void)
{
	struct fetch_result r[3];
	int w;

	memset(r, 0, sizeof(r));
	printf("sensor_bench: fetch, camera 96x96 U8, 60 fps, 10 frames (92160 bytes) per slot, 8 slots, %d s per way\n",
	       FETCH_SECONDS);
	printf("  (QEMU TCG guest: absolute figures are emulated, ratios matter)\n");
	printf("  %-24s %6s %8s %10s %10s %12s %8s %12s\n", "way", "slots",
	       "slots/s", "p50 us", "p99 us", "fetch MB/s", "drops",
	       "copied/slot");
	for (w = WAY_MMAP; w <= WAY_READ; w++) {
		if (fetch_run(w, &r[w])) {
			printf("  %-24s failed\n", way_name[w]);
			return -1;
		}
		printf("  %-24s %6u %8.2f %10.1f %10.1f %12.1f %8llu %12.0f\n",
		       way_name[w], r[w].slots, r[w].slots_s, r[w].p50_us,
		       r[w].p99_us, r[w].fetch_mbs,
		       (unsigned long long)r[w].drops, r[w].copied_per_slot);
	}
	printf("  fetch throughput: mmap %.2fx read(), dma-buf %.2fx read(); p50 fetch time: read() %.2fx mmap, %.2fx dma-buf\n",
	       r[WAY_MMAP].fetch_mbs / r[WAY_READ].fetch_mbs,
	       r[WAY_DMABUF].fetch_mbs / r[WAY_READ].fetch_mbs,
	       r[WAY_READ].p50_us / r[WAY_MMAP].p50_us,
	       r[WAY_READ].p50_us / r[WAY_DMABUF].p50_us);
	return 0;
}

/* Eight microphones. */

struct mic_result {
	int ok;
	char name[AIOT_SENSOR_NAME_LEN];
	uint64_t slots, periods, drops, gaps, copied;
};

/* Open the n-th stream (by /dev/aiot/sensorN order) that is a microphone. */
static int open_mic(unsigned int nth, char *node, size_t len)
{
	struct aiot_sensor_info in;
	unsigned int seen = 0;
	int id, fd;

	for (id = 0; id < 256; id++) {
		snprintf(node, len, "/dev/aiot/sensor%d", id);
		fd = open(node, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (!info(fd, &in) && in.kind == AIOT_SENSOR_KIND_MIC &&
		    seen++ == nth)
			return fd;
		close(fd);
	}
	errno = ENODEV;
	return -1;
}

static void mic_reader(unsigned int nth, int use_read, struct mic_result *r)
{
	struct aiot_sensor_config cfg = {
		.format = AIOT_SENSOR_FMT_S16_LE, .channels = 1,
		.rate_hz = 16000, .samples_per_slot = 160, .slot_count = 8,
		.overflow = AIOT_SENSOR_OVERFLOW_DROP_NEWEST,
		.pattern = AIOT_SIM_PATTERN_SINE,
	};
	struct aiot_sensor_info i0, i1;
	uint64_t t_end, last = 0, sink = 0;
	uint8_t *ring = NULL, buf[320];
	char node[64];
	int fd;

	fd = open_mic(nth, node, sizeof(node));
	if (fd < 0 || ioctl(fd, AIOT_SENSOR_IOC_CONFIGURE, &cfg) || info(fd, &i0))
		return;
	memcpy(r->name, i0.name, sizeof(r->name));
	if (!use_read) {
		ring = mmap(NULL, cfg.ring_bytes, PROT_READ, MAP_SHARED, fd, 0);
		if (ring == MAP_FAILED)
			return;
	}
	if (ioctl(fd, AIOT_SENSOR_IOC_START))
		return;
	t_end = now_ns() + MIC_SECONDS * 1000000000ull;
	while (now_ns() < t_end) {
		struct aiot_sensor_buffer b = { 0 };

		if (wait_in(fd))
			return;
		if (use_read) {
			if (read(fd, buf, sizeof(buf)) != sizeof(buf))
				return;
			sink += checksum(buf, sizeof(buf));
		} else {
			struct aiot_sensor_buffer q = { 0 };

			if (ioctl(fd, AIOT_SENSOR_IOC_DQBUF, &b))
				return;
			sink += checksum(ring + b.offset, b.bytesused);
			if (r->slots)
				r->gaps += b.sequence - last - 1;
			last = b.sequence;
			q.index = b.index;
			if (ioctl(fd, AIOT_SENSOR_IOC_QBUF, &q))
				return;
		}
		r->slots++;
	}
	ioctl(fd, AIOT_SENSOR_IOC_STOP);
	if (info(fd, &i1))
		return;
	r->periods = i1.sequence;
	r->drops = i1.drops - i0.drops;
	r->copied = i1.bytes_copied - i0.bytes_copied;
	bench_sink += sink;
	r->ok = 1;
	close(fd);
}

static int mics_round(int use_read)
{
	struct mic_result *res;
	uint64_t slots = 0, periods = 0, drops = 0, copied = 0;
	unsigned int m;
	pid_t pid[MICS];
	int failed = 0;

	res = mmap(NULL, MICS * sizeof(*res), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (res == MAP_FAILED)
		return -1;
	memset(res, 0, MICS * sizeof(*res));
	fflush(stdout);
	for (m = 0; m < MICS; m++) {
		pid[m] = fork();
		if (pid[m] == 0) {
			mic_reader(m, use_read, &res[m]);
			_exit(res[m].ok ? 0 : 1);
		}
	}
	for (m = 0; m < MICS; m++) {
		int st;

		if (pid[m] < 0 || waitpid(pid[m], &st, 0) < 0 ||
		    !WIFEXITED(st) || WEXITSTATUS(st))
			failed++;
	}
	printf("  8 x mic 16 kHz, 10 ms slots, 8 slots each, %d s, one reader process each, by %s:\n",
	       MIC_SECONDS, use_read ? "read()" : "mmap + DQBUF/QBUF");
	for (m = 0; m < MICS; m++) {
		if (!res[m].ok) {
			printf("    stream %u: failed\n", m);
			continue;
		}
		printf("    %-8s periods %5llu  read %5llu  drops %4llu (%.2f%%)%s",
		       res[m].name, (unsigned long long)res[m].periods,
		       (unsigned long long)res[m].slots,
		       (unsigned long long)res[m].drops,
		       res[m].periods ? 100.0 * res[m].drops / res[m].periods : 0,
		       use_read ? "" : "  sequence gaps ");
		if (!use_read)
			printf("%llu", (unsigned long long)res[m].gaps);
		printf("\n");
		slots += res[m].slots;
		periods += res[m].periods;
		drops += res[m].drops;
		copied += res[m].copied;
	}
	printf("    total: periods %llu, read %llu, drops %llu (%.3f%%), CPU bytes copied %llu (%.0f per slot)\n",
	       (unsigned long long)periods, (unsigned long long)slots,
	       (unsigned long long)drops,
	       periods ? 100.0 * drops / periods : 0,
	       (unsigned long long)copied, slots ? (double)copied / slots : 0);
	munmap(res, MICS * sizeof(*res));
	return failed ? -1 : 0;
}

static int mics_compare(void)
{
	int ret;

	if (aiot_test_rmmod_wait("aiot_sim", 10000) ||
	    system("modprobe aiot-sim sensors=mic,mic,mic,mic,mic,mic,mic,mic")) {
		fprintf(stderr, "sensor_bench: cannot reload aiot-sim with 8 mics\n");
		return -1;
	}
	printf("sensor_bench: drops, 8 simultaneous microphones (aiot-sim sensors=mic x 8)\n");
	ret = mics_round(0);
	if (mics_round(1))
		ret = -1;
	/* Back to the default sensors for whatever runs next. */
	if (aiot_test_rmmod_wait("aiot_sim", 10000) ||
	    aiot_test_modprobe("aiot-sim"))
		ret = -1;
	return ret;
}

int main(void)
{
	int ret = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (fetch_compare())
		ret = 1;
	if (mics_compare())
		ret = 1;
	return ret;
}
