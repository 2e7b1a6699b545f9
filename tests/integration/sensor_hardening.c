// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sensor hardening (issue 13, items 5, 9 and 10): an open sensor file that
 * outlives its backend, write fences kept in a sync_file across rmmod, the
 * watchdog, write-fence errors failing the jobs that read the slot, START
 * with readers on queued slots, read-only slot dma-bufs, two dma-bufs of
 * one slot in one job. Runs on aiot-sim's NPU and sensors; leaves the
 * modules loaded as it found them.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm.h>
#include <drm/aiot_accel.h>
#include <linux/aiot_isa.h>
#include <linux/aiot_sensor.h>
#include <linux/dma-buf.h>
#include <linux/sync_file.h>
#include <aiot/sim_sensor.h>

#include "aiot_testlib.h"
#include "aiot_testlib_stream.h"
#include "tap.h"

#define SEC_NS 1000000000ll

/* ---- item 5: an open file outlives its backend ---- */

/*
 * Two files of the mic, one configured, streaming and mapped, one not; the
 * backend is unloaded under them. Every operation on either fails with
 * ENODEV (poll: hang-up), INFO included: it used to copy the name out of
 * the backend's freed memory (KASAN in the debug guest), and CONFIGURE read
 * the backend's description before checking that it was still there. The
 * ring's mapping keeps its memory.
 */
static void fd_outlives_backend(void)
{
	struct aiot_test_stream a, b;
	struct aiot_sensor_buffer buf = { 0 };
	struct aiot_sensor_config cfg;
	struct aiot_sensor_info info;
	struct aiot_sensor_expbuf e = { .flags = O_RDWR };
	struct pollfd p[2];
	uint8_t *ring, byte[8192];
	void *m;
	int i, fds[2];

	REQUIRE(aiot_test_stream_open(&a, AIOT_SENSOR_KIND_MIC) == 0);
	REQUIRE(aiot_test_stream_open(&b, AIOT_SENSOR_KIND_MIC) == 0);
	REQUIRE(aiot_test_stream_configure(&a, 4) == 0);
	ring = mmap(NULL, a.cfg.ring_bytes, PROT_READ, MAP_SHARED, a.fd, 0);
	REQUIRE(ring != MAP_FAILED);
	REQUIRE(ioctl(a.fd, AIOT_SENSOR_IOC_START) == 0);

	REQUIRE(aiot_test_npu_unload(0, 20000) == 0);
	CHECK(!aiot_test_module_loaded("aiot_sim"));
	CHECK_ERRNO(access(a.node, F_OK), ENOENT);

	fds[0] = a.fd;
	fds[1] = b.fd;
	for (i = 0; i < 2; i++) {
		int fd = fds[i];

		CHECK_ERRNO(ioctl(fd, AIOT_SENSOR_IOC_INFO, &info), ENODEV);
		cfg = a.cfg;
		CHECK_ERRNO(ioctl(fd, AIOT_SENSOR_IOC_CONFIGURE, &cfg), ENODEV);
		CHECK_ERRNO(ioctl(fd, AIOT_SENSOR_IOC_G_CONFIG, &cfg), ENODEV);
		CHECK_ERRNO(ioctl(fd, AIOT_SENSOR_IOC_START), ENODEV);
		CHECK_ERRNO(ioctl(fd, AIOT_SENSOR_IOC_STOP), ENODEV);
		CHECK_ERRNO(ioctl(fd, AIOT_SENSOR_IOC_DQBUF, &buf), ENODEV);
		buf.index = 0;
		CHECK_ERRNO(ioctl(fd, AIOT_SENSOR_IOC_QBUF, &buf), ENODEV);
		CHECK_ERRNO(ioctl(fd, AIOT_SENSOR_IOC_EXPBUF, &e), ENODEV);
		CHECK_ERRNO(read(fd, byte, sizeof(byte)), ENODEV);
		m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
		CHECK(m == MAP_FAILED && errno == ENODEV);
		if (m != MAP_FAILED)
			munmap(m, 4096);
		p[i] = (struct pollfd){ .fd = fd, .events = POLLIN };
	}
	CHECK_EQ(poll(p, 2, 1000), 2);
	CHECK(p[0].revents & POLLHUP);
	CHECK(p[1].revents & POLLHUP);
	/* The mapping still reads (its memory is the ring's, not the backend's). */
	memcpy(byte, ring, 64);
	munmap(ring, a.cfg.ring_bytes);
	close(a.fd);
	close(b.fd);
	REQUIRE(aiot_test_npu_load(0, NULL) == 0);
	/* A fresh file works again. */
	REQUIRE(aiot_test_stream_open(&a, AIOT_SENSOR_KIND_MIC) == 0);
	CHECK_EQ(aiot_test_stream_configure(&a, 2), 0);
	close(a.fd);
}

/* ---- item 10: a write fence kept in a sync_file across rmmod ---- */

/*
 * Keep a slot's write fence in a sync_file, close everything else, unload
 * the backend: aiot-sensor, whose code the fence's ops are, must stay
 * loaded as long as the fence lives; the sync_file still polls and
 * reports its fence, and once closed the module unloads.
 */
static void sync_file_outlives_stream(void)
{
	struct aiot_test_stream a;
	struct pollfd p;
	int buf, sf;

	REQUIRE(aiot_test_stream_open(&a, AIOT_SENSOR_KIND_MIC) == 0);
	REQUIRE(aiot_test_stream_configure(&a, 2) == 0);
	REQUIRE(aiot_test_stream_knob(&a, "stall", "1") == 0);
	REQUIRE(ioctl(a.fd, AIOT_SENSOR_IOC_START) == 0);
	REQUIRE((buf = aiot_test_stream_expbuf(&a, 0, O_RDWR)) >= 0);
	REQUIRE((sf = aiot_test_export_sync(buf)) >= 0);
	CHECK_EQ(aiot_test_sync_status(sf), 0);		/* stalled: pending */
	REQUIRE(ioctl(a.fd, AIOT_SENSOR_IOC_STOP) == 0);
	CHECK_EQ(aiot_test_sync_status(sf), -ECANCELED);
	CHECK_EQ(aiot_test_stream_knob(&a, "stall", "0"), 0);
	close(buf);
	close(a.fd);

	REQUIRE(aiot_test_npu_unload(1, 20000) == 0);
	/* Only the fence holds it now. */
	CHECK_EQ(aiot_test_rmmod("aiot_sensor"), -EWOULDBLOCK);
	CHECK(aiot_test_module_loaded("aiot_sensor"));
	p = (struct pollfd){ .fd = sf, .events = POLLIN };
	CHECK_EQ(poll(&p, 1, 1000), 1);
	CHECK_EQ(aiot_test_sync_status(sf), -ECANCELED);
	close(sf);
	CHECK_EQ(aiot_test_rmmod_wait("aiot_sensor", 10000), 0);
	CHECK(!aiot_test_module_loaded("aiot_sensor"));
	REQUIRE(aiot_test_modprobe("aiot-sensor") == 0);
	REQUIRE(aiot_test_npu_load(1, NULL) == 0);
}

/*
 * The watchdog fails a stalled stream's fences with ETIMEDOUT (in the
 * debug guest under lockdep, which checks its fence signalling section).
 */
static void watchdog_times_out_fences(void)
{
	struct aiot_test_stream a;
	struct aiot_sensor_buffer b = { 0 };
	struct pollfd p;
	int buf, sf;

	REQUIRE(aiot_test_stream_open(&a, AIOT_SENSOR_KIND_MIC) == 0);
	REQUIRE(aiot_test_stream_configure(&a, 2) == 0);
	REQUIRE(aiot_test_stream_knob(&a, "stall", "1") == 0);
	REQUIRE(ioctl(a.fd, AIOT_SENSOR_IOC_START) == 0);
	REQUIRE((buf = aiot_test_stream_expbuf(&a, 0, O_RDWR)) >= 0);
	REQUIRE((sf = aiot_test_export_sync(buf)) >= 0);
	p = (struct pollfd){ .fd = sf, .events = POLLIN };
	CHECK_EQ(poll(&p, 1, 60000), 1);
	CHECK_EQ(aiot_test_sync_status(sf), -ETIMEDOUT);
	CHECK_ERRNO(ioctl(a.fd, AIOT_SENSOR_IOC_DQBUF, &b), EIO);
	CHECK_EQ(aiot_test_stream_knob(&a, "stall", "0"), 0);
	/* The stream starts again after a timeout. */
	CHECK_EQ(ioctl(a.fd, AIOT_SENSOR_IOC_START), 0);
	p = (struct pollfd){ .fd = a.fd, .events = POLLIN };
	CHECK_EQ(poll(&p, 1, 20000), 1);
	CHECK_EQ(ioctl(a.fd, AIOT_SENSOR_IOC_DQBUF, &b), 0);
	close(sf);
	close(buf);
	close(a.fd);
}

/* ---- item 9: write-fence errors, readers, access modes, aliasing ---- */

/*
 * A job that reads a slot whose DMA fails ends with the DMA's error, not
 * run: its input is not valid data.
 */
static void dma_error_fails_dependent_job(void)
{
	struct aiot_test_stream a;
	struct aiot_test_npu n;
	uint64_t id, id2, id3;
	uint32_t h, out2;
	int buf;

	REQUIRE(aiot_test_npu_open(&n) == 0);
	REQUIRE(aiot_test_stream_open(&a, AIOT_SENSOR_KIND_MIC) == 0);
	REQUIRE(aiot_test_stream_configure(&a, 2) == 0);
	REQUIRE(aiot_test_stream_knob(&a, "stall", "1") == 0);
	REQUIRE(aiot_test_stream_knob(&a, "faults", "1") == 0);
	REQUIRE(ioctl(a.fd, AIOT_SENSOR_IOC_START) == 0);
	REQUIRE((buf = aiot_test_stream_expbuf(&a, 0, O_RDWR)) >= 0);
	REQUIRE((h = aiot_test_npu_import(&n, buf)) != 0);
	REQUIRE(aiot_test_npu_copy(&n, h, n.out, 0, 64, &id) == 0);
	/*
	 * Jobs reading what the failed job would have written: it did not
	 * run, so it wrote nothing and its error is not theirs (once it was,
	 * and every later job of a model failed, each with the one before's
	 * error). out2 is read and written by each in turn.
	 */
	out2 = aiot_test_bo_create(n.fd, 65536);
	REQUIRE(out2 != 0);
	REQUIRE(aiot_test_npu_copy(&n, n.out, out2, 0, 64, &id2) == 0);
	REQUIRE(aiot_test_npu_copy(&n, out2, n.out, 0, 64, &id3) == 0);
	CHECK_EQ(aiot_test_stream_knob(&a, "stall", "0"), 0);
	CHECK_EQ(aiot_test_npu_status(&n, id), -EIO);
	CHECK_EQ(aiot_test_npu_status(&n, id2), 0);
	CHECK_EQ(aiot_test_npu_status(&n, id3), 0);
	CHECK_EQ(ioctl(a.fd, AIOT_SENSOR_IOC_STOP), 0);
	CHECK_EQ(aiot_test_stream_knob(&a, "faults", "0"), 0);
	close(buf);
	close(a.fd);
	aiot_test_npu_close(&n);
}

/*
 * Stream A is stopped, its slot 0 queued; a job reads it (bound, unused)
 * while waiting for stream B's slot, which B (stalled) never fills. START
 * of A would let the DMA overwrite what the job reads: EBUSY. STOP of B
 * cancels B's fence: the job ends with ECANCELED, not run; then A starts.
 */
static void start_refuses_queued_slot_with_reader(void)
{
	struct aiot_test_stream a, b;
	struct aiot_test_npu n;
	uint64_t id;
	uint32_t ha, hb;
	int bufa, bufb;

	REQUIRE(aiot_test_npu_open(&n) == 0);
	REQUIRE(aiot_test_stream_open(&a, AIOT_SENSOR_KIND_MIC) == 0);
	REQUIRE(aiot_test_stream_open(&b, AIOT_SENSOR_KIND_ACCEL) == 0);
	REQUIRE(aiot_test_stream_configure(&a, 2) == 0);
	REQUIRE(aiot_test_stream_configure(&b, 2) == 0);
	REQUIRE(aiot_test_stream_knob(&b, "stall", "1") == 0);
	REQUIRE(ioctl(b.fd, AIOT_SENSOR_IOC_START) == 0);
	REQUIRE((bufa = aiot_test_stream_expbuf(&a, 0, O_RDONLY)) >= 0);
	REQUIRE((bufb = aiot_test_stream_expbuf(&b, 0, O_RDONLY)) >= 0);
	REQUIRE((ha = aiot_test_npu_import(&n, bufa)) != 0);
	REQUIRE((hb = aiot_test_npu_import(&n, bufb)) != 0);
	REQUIRE(aiot_test_npu_copy(&n, hb, n.out, ha, 64, &id) == 0);

	CHECK_ERRNO(ioctl(a.fd, AIOT_SENSOR_IOC_START), EBUSY);
	CHECK_EQ(ioctl(b.fd, AIOT_SENSOR_IOC_STOP), 0);
	CHECK_EQ(aiot_test_npu_status(&n, id), -ECANCELED);
	CHECK_EQ(ioctl(a.fd, AIOT_SENSOR_IOC_START), 0);
	CHECK_EQ(ioctl(a.fd, AIOT_SENSOR_IOC_STOP), 0);
	CHECK_EQ(aiot_test_stream_knob(&b, "stall", "0"), 0);
	close(bufa);
	close(bufb);
	close(a.fd);
	close(b.fd);
	aiot_test_npu_close(&n);
}

/* A slot exported read-only is not a job's output; read-write it may be. */
static void readonly_slot_is_not_written(void)
{
	struct aiot_test_stream a;
	struct aiot_test_npu n;
	uint64_t id;
	uint32_t ro, rw;
	int bro, brw;

	REQUIRE(aiot_test_npu_open(&n) == 0);
	REQUIRE(aiot_test_stream_open(&a, AIOT_SENSOR_KIND_MIC) == 0);
	REQUIRE(aiot_test_stream_configure(&a, 2) == 0);
	REQUIRE((bro = aiot_test_stream_expbuf(&a, 1, O_RDONLY)) >= 0);
	REQUIRE((brw = aiot_test_stream_expbuf(&a, 0, O_RDWR)) >= 0);
	REQUIRE((ro = aiot_test_npu_import(&n, bro)) != 0);
	REQUIRE((rw = aiot_test_npu_import(&n, brw)) != 0);
	CHECK_ERRNO(aiot_test_npu_copy(&n, n.out, ro, 0, 64, &id), EACCES);
	/* Reading it is fine. */
	REQUIRE(aiot_test_npu_copy(&n, ro, n.out, 0, 64, &id) == 0);
	CHECK_EQ(aiot_test_npu_status(&n, id), 0);
	REQUIRE(aiot_test_npu_copy(&n, n.out, rw, 0, 64, &id) == 0);
	CHECK_EQ(aiot_test_npu_status(&n, id), 0);
	close(bro);
	close(brw);
	close(a.fd);
	aiot_test_npu_close(&n);
}

/*
 * Two dma-bufs of one slot share its reservation object: a job binding
 * both locks and fences it once (it used to fail with EALREADY).
 */
static void two_dmabufs_of_one_slot_in_one_job(void)
{
	struct aiot_test_stream a;
	struct aiot_test_npu n;
	uint64_t id;
	uint32_t h1, h2;
	int b1, b2;

	REQUIRE(aiot_test_npu_open(&n) == 0);
	REQUIRE(aiot_test_stream_open(&a, AIOT_SENSOR_KIND_MIC) == 0);
	REQUIRE(aiot_test_stream_configure(&a, 2) == 0);
	REQUIRE((b1 = aiot_test_stream_expbuf(&a, 0, O_RDWR)) >= 0);
	REQUIRE((b2 = aiot_test_stream_expbuf(&a, 0, O_RDONLY)) >= 0);
	REQUIRE((h1 = aiot_test_npu_import(&n, b1)) != 0);
	REQUIRE((h2 = aiot_test_npu_import(&n, b2)) != 0);
	CHECK(h1 != h2);
	CHECK_EQ(aiot_test_npu_copy(&n, h1, n.out, h2, 64, &id), 0);
	CHECK_EQ(aiot_test_npu_status(&n, id), 0);
	close(b1);
	close(b2);
	close(a.fd);
	aiot_test_npu_close(&n);
}

/*
 * The ISA's overlap checks compare buffers, not bindings: an output may not
 * overlap its input through a second binding of the same buffer, nor
 * through a second dma-buf of the same slot; disjoint bytes are fine.
 */
static void aliasing_is_checked_by_buffer(void)
{
	struct aiot_test_stream a;
	struct aiot_test_npu n;
	uint64_t id;
	uint32_t h1, h2;
	int b1, b2;

	REQUIRE(aiot_test_npu_open(&n) == 0);
	CHECK_ERRNO(aiot_test_npu_copy_at(&n, n.out, n.out, 16, 0, 64, &id), EINVAL);
	REQUIRE(aiot_test_npu_copy_at(&n, n.out, n.out, 128, 0, 64, &id) == 0);
	CHECK_EQ(aiot_test_npu_status(&n, id), 0);

	REQUIRE(aiot_test_stream_open(&a, AIOT_SENSOR_KIND_MIC) == 0);
	REQUIRE(aiot_test_stream_configure(&a, 2) == 0);
	REQUIRE((b1 = aiot_test_stream_expbuf(&a, 0, O_RDWR)) >= 0);
	REQUIRE((b2 = aiot_test_stream_expbuf(&a, 0, O_RDWR)) >= 0);
	REQUIRE((h1 = aiot_test_npu_import(&n, b1)) != 0);
	REQUIRE((h2 = aiot_test_npu_import(&n, b2)) != 0);
	CHECK_ERRNO(aiot_test_npu_copy_at(&n, h1, h2, 16, 0, 64, &id), EINVAL);
	REQUIRE(aiot_test_npu_copy_at(&n, h1, h2, 128, 0, 64, &id) == 0);
	CHECK_EQ(aiot_test_npu_status(&n, id), 0);
	close(b1);
	close(b2);
	close(a.fd);
	aiot_test_npu_close(&n);
}

TAP_MAIN(
	TAP_CASE(fd_outlives_backend),
	TAP_CASE(watchdog_times_out_fences),
	TAP_CASE(dma_error_fails_dependent_job),
	TAP_CASE(start_refuses_queued_slot_with_reader),
	TAP_CASE(readonly_slot_is_not_written),
	TAP_CASE(two_dmabufs_of_one_slot_in_one_job),
	TAP_CASE(aliasing_is_checked_by_buffer),
	TAP_CASE(sync_file_outlives_stream),
)
