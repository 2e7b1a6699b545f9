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
#include "tap.h"

#define SEC_NS 1000000000ll

struct stream {
	int fd;
	char node[64];
	struct aiot_sensor_info info;
	struct aiot_sensor_config cfg;
};

static int open_kind(struct stream *st, unsigned int kind)
{
	memset(st, 0, sizeof(*st));
	st->fd = aiot_test_open_sensor(kind, st->node, sizeof(st->node));
	if (st->fd < 0)
		return -1;
	return ioctl(st->fd, AIOT_SENSOR_IOC_INFO, &st->info);
}

/* A small ring: @slots slots of 160 samples at 16 kHz (10 ms a period). */
static int configure(struct stream *st, uint32_t slots)
{
	st->cfg = (struct aiot_sensor_config){
		.format = AIOT_SENSOR_FMT_S16_LE,
		.channels = st->info.max_channels,
		.rate_hz = st->info.max_rate_hz < 16000 ? st->info.max_rate_hz :
							   16000,
		.samples_per_slot = 160,
		.slot_count = slots,
		.pattern = AIOT_SIM_PATTERN_NOISE,
	};
	return ioctl(st->fd, AIOT_SENSOR_IOC_CONFIGURE, &st->cfg);
}

static int knob(const struct stream *st, const char *name, const char *val)
{
	char path[160];
	int fd, ret;

	snprintf(path, sizeof(path), "/sys/kernel/debug/aiot-sim-sensor/%s/%s",
		 st->info.name, name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	ret = write(fd, val, strlen(val)) == (ssize_t)strlen(val) ? 0 : -1;
	close(fd);
	return ret;
}

static int expbuf(const struct stream *st, uint32_t index, int mode)
{
	struct aiot_sensor_expbuf e = { .index = index,
					.flags = mode | O_CLOEXEC };

	if (ioctl(st->fd, AIOT_SENSOR_IOC_EXPBUF, &e))
		return -1;
	return e.fd;
}

/* The write fences of a slot's dma-buf, as a sync_file. */
static int export_sync(int dmabuf)
{
	struct dma_buf_export_sync_file x = { .flags = DMA_BUF_SYNC_READ,
					      .fd = -1 };

	if (ioctl(dmabuf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &x))
		return -1;
	return x.fd;
}

/* Its (single) fence's status: 0 pending, 1 signalled, or -errno. */
static int sync_status(int sf)
{
	struct sync_fence_info fi = { 0 };
	struct sync_file_info info = { 0 };

	info.num_fences = 1;
	info.sync_fence_info = (uintptr_t)&fi;
	if (ioctl(sf, SYNC_IOC_FILE_INFO, &info))
		return -1000 - errno;
	return fi.status;
}

/* ---- the NPU side ---- */

struct npu {
	int fd;
	uint32_t cmd, out;
	void *cmd_map;
};

static int npu_open(struct npu *n)
{
	char path[64];

	memset(n, 0, sizeof(*n));
	n->fd = aiot_test_open_accel(path, sizeof(path));
	if (n->fd < 0)
		return -1;
	n->cmd = aiot_test_bo_create(n->fd, 4096);
	n->out = aiot_test_bo_create(n->fd, 65536);
	n->cmd_map = n->cmd ? aiot_test_bo_map(n->fd, n->cmd, 4096) : NULL;
	return n->cmd_map && n->out ? 0 : -1;
}

static void npu_close(struct npu *n)
{
	if (n->cmd_map)
		munmap(n->cmd_map, 4096);
	if (n->fd >= 0)
		close(n->fd);
	n->fd = -1;
}

static uint32_t npu_import(struct npu *n, int dmabuf)
{
	struct drm_prime_handle imp = { .fd = dmabuf };

	if (ioctl(n->fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &imp))
		return 0;
	return imp.handle;
}

/*
 * Submit RESHAPE of @bytes int8 from binding 0 into binding 1; binding 2,
 * if not 0, is bound and read by nothing (the job still waits for it and
 * fences it as a reader). Returns the ioctl's result, the job id in *id.
 */
static int npu_copy_at(struct npu *n, uint32_t in, uint32_t out,
		       uint32_t out_offset, uint32_t extra, uint32_t bytes,
		       uint64_t *id)
{
	struct drm_aiot_submit s = { .priority = DRM_AIOT_PRIORITY_NORMAL };
	struct aiot_isa_op_reshape *op;

	op = aiot_test_stream_one_op(n->cmd_map, AIOT_ISA_OP_RESHAPE,
				     sizeof(*op));
	op->input = (struct aiot_isa_tensor){ .binding = 0,
		.dtype = AIOT_ISA_DTYPE_INT8, .dims = { 1, 1, 1, bytes } };
	op->output = (struct aiot_isa_tensor){ .binding = 1,
		.offset = out_offset, .dtype = AIOT_ISA_DTYPE_INT8,
		.dims = { 1, 1, 1, bytes } };
	s.cmd_handle = n->cmd;
	s.cmd_size = sizeof(struct aiot_isa_header) + sizeof(*op);
	s.bindings[0] = in;
	s.bindings[1] = out;
	s.bindings[2] = extra;
	if (ioctl(n->fd, DRM_IOCTL_AIOT_SUBMIT, &s))
		return -1;
	*id = s.job_id;
	return 0;
}

static int npu_copy(struct npu *n, uint32_t in, uint32_t out, uint32_t extra,
		    uint32_t bytes, uint64_t *id)
{
	return npu_copy_at(n, in, out, 0, extra, bytes, id);
}

/* The job's final status (0 or -errno), or a value below -1000. */
static int npu_status(struct npu *n, uint64_t id)
{
	struct drm_aiot_job_wait w = { .job_id = id, .timeout_ns = 60 * SEC_NS };

	if (ioctl(n->fd, DRM_IOCTL_AIOT_JOB_WAIT, &w))
		return -1000 - errno;
	return w.status;
}

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
	struct stream a, b;
	struct aiot_sensor_buffer buf = { 0 };
	struct aiot_sensor_config cfg;
	struct aiot_sensor_info info;
	struct aiot_sensor_expbuf e = { .flags = O_RDWR };
	struct pollfd p[2];
	uint8_t *ring, byte[8192];
	void *m;
	int i, fds[2];

	REQUIRE(open_kind(&a, AIOT_SENSOR_KIND_MIC) == 0);
	REQUIRE(open_kind(&b, AIOT_SENSOR_KIND_MIC) == 0);
	REQUIRE(configure(&a, 4) == 0);
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
	REQUIRE(open_kind(&a, AIOT_SENSOR_KIND_MIC) == 0);
	CHECK_EQ(configure(&a, 2), 0);
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
	struct stream a;
	struct pollfd p;
	int buf, sf;

	REQUIRE(open_kind(&a, AIOT_SENSOR_KIND_MIC) == 0);
	REQUIRE(configure(&a, 2) == 0);
	REQUIRE(knob(&a, "stall", "1") == 0);
	REQUIRE(ioctl(a.fd, AIOT_SENSOR_IOC_START) == 0);
	REQUIRE((buf = expbuf(&a, 0, O_RDWR)) >= 0);
	REQUIRE((sf = export_sync(buf)) >= 0);
	CHECK_EQ(sync_status(sf), 0);		/* stalled: pending */
	REQUIRE(ioctl(a.fd, AIOT_SENSOR_IOC_STOP) == 0);
	CHECK_EQ(sync_status(sf), -ECANCELED);
	CHECK_EQ(knob(&a, "stall", "0"), 0);
	close(buf);
	close(a.fd);

	REQUIRE(aiot_test_npu_unload(1, 20000) == 0);
	/* Only the fence holds it now. */
	CHECK_EQ(aiot_test_rmmod("aiot_sensor"), -EWOULDBLOCK);
	CHECK(aiot_test_module_loaded("aiot_sensor"));
	p = (struct pollfd){ .fd = sf, .events = POLLIN };
	CHECK_EQ(poll(&p, 1, 1000), 1);
	CHECK_EQ(sync_status(sf), -ECANCELED);
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
	struct stream a;
	struct aiot_sensor_buffer b = { 0 };
	struct pollfd p;
	int buf, sf;

	REQUIRE(open_kind(&a, AIOT_SENSOR_KIND_MIC) == 0);
	REQUIRE(configure(&a, 2) == 0);
	REQUIRE(knob(&a, "stall", "1") == 0);
	REQUIRE(ioctl(a.fd, AIOT_SENSOR_IOC_START) == 0);
	REQUIRE((buf = expbuf(&a, 0, O_RDWR)) >= 0);
	REQUIRE((sf = export_sync(buf)) >= 0);
	p = (struct pollfd){ .fd = sf, .events = POLLIN };
	CHECK_EQ(poll(&p, 1, 60000), 1);
	CHECK_EQ(sync_status(sf), -ETIMEDOUT);
	CHECK_ERRNO(ioctl(a.fd, AIOT_SENSOR_IOC_DQBUF, &b), EIO);
	CHECK_EQ(knob(&a, "stall", "0"), 0);
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
	struct stream a;
	struct npu n;
	uint64_t id;
	uint32_t h;
	int buf;

	REQUIRE(npu_open(&n) == 0);
	REQUIRE(open_kind(&a, AIOT_SENSOR_KIND_MIC) == 0);
	REQUIRE(configure(&a, 2) == 0);
	REQUIRE(knob(&a, "stall", "1") == 0);
	REQUIRE(knob(&a, "faults", "1") == 0);
	REQUIRE(ioctl(a.fd, AIOT_SENSOR_IOC_START) == 0);
	REQUIRE((buf = expbuf(&a, 0, O_RDWR)) >= 0);
	REQUIRE((h = npu_import(&n, buf)) != 0);
	REQUIRE(npu_copy(&n, h, n.out, 0, 64, &id) == 0);
	CHECK_EQ(knob(&a, "stall", "0"), 0);
	CHECK_EQ(npu_status(&n, id), -EIO);
	CHECK_EQ(ioctl(a.fd, AIOT_SENSOR_IOC_STOP), 0);
	CHECK_EQ(knob(&a, "faults", "0"), 0);
	close(buf);
	close(a.fd);
	npu_close(&n);
}

/*
 * Stream A is stopped, its slot 0 queued; a job reads it (bound, unused)
 * while waiting for stream B's slot, which B (stalled) never fills. START
 * of A would let the DMA overwrite what the job reads: EBUSY. STOP of B
 * cancels B's fence: the job ends with ECANCELED, not run; then A starts.
 */
static void start_refuses_queued_slot_with_reader(void)
{
	struct stream a, b;
	struct npu n;
	uint64_t id;
	uint32_t ha, hb;
	int bufa, bufb;

	REQUIRE(npu_open(&n) == 0);
	REQUIRE(open_kind(&a, AIOT_SENSOR_KIND_MIC) == 0);
	REQUIRE(open_kind(&b, AIOT_SENSOR_KIND_ACCEL) == 0);
	REQUIRE(configure(&a, 2) == 0);
	REQUIRE(configure(&b, 2) == 0);
	REQUIRE(knob(&b, "stall", "1") == 0);
	REQUIRE(ioctl(b.fd, AIOT_SENSOR_IOC_START) == 0);
	REQUIRE((bufa = expbuf(&a, 0, O_RDONLY)) >= 0);
	REQUIRE((bufb = expbuf(&b, 0, O_RDONLY)) >= 0);
	REQUIRE((ha = npu_import(&n, bufa)) != 0);
	REQUIRE((hb = npu_import(&n, bufb)) != 0);
	REQUIRE(npu_copy(&n, hb, n.out, ha, 64, &id) == 0);

	CHECK_ERRNO(ioctl(a.fd, AIOT_SENSOR_IOC_START), EBUSY);
	CHECK_EQ(ioctl(b.fd, AIOT_SENSOR_IOC_STOP), 0);
	CHECK_EQ(npu_status(&n, id), -ECANCELED);
	CHECK_EQ(ioctl(a.fd, AIOT_SENSOR_IOC_START), 0);
	CHECK_EQ(ioctl(a.fd, AIOT_SENSOR_IOC_STOP), 0);
	CHECK_EQ(knob(&b, "stall", "0"), 0);
	close(bufa);
	close(bufb);
	close(a.fd);
	close(b.fd);
	npu_close(&n);
}

/* A slot exported read-only is not a job's output; read-write it may be. */
static void readonly_slot_is_not_written(void)
{
	struct stream a;
	struct npu n;
	uint64_t id;
	uint32_t ro, rw;
	int bro, brw;

	REQUIRE(npu_open(&n) == 0);
	REQUIRE(open_kind(&a, AIOT_SENSOR_KIND_MIC) == 0);
	REQUIRE(configure(&a, 2) == 0);
	REQUIRE((bro = expbuf(&a, 1, O_RDONLY)) >= 0);
	REQUIRE((brw = expbuf(&a, 0, O_RDWR)) >= 0);
	REQUIRE((ro = npu_import(&n, bro)) != 0);
	REQUIRE((rw = npu_import(&n, brw)) != 0);
	CHECK_ERRNO(npu_copy(&n, n.out, ro, 0, 64, &id), EACCES);
	/* Reading it is fine. */
	REQUIRE(npu_copy(&n, ro, n.out, 0, 64, &id) == 0);
	CHECK_EQ(npu_status(&n, id), 0);
	REQUIRE(npu_copy(&n, n.out, rw, 0, 64, &id) == 0);
	CHECK_EQ(npu_status(&n, id), 0);
	close(bro);
	close(brw);
	close(a.fd);
	npu_close(&n);
}

/*
 * Two dma-bufs of one slot share its reservation object: a job binding
 * both locks and fences it once (it used to fail with EALREADY).
 */
static void two_dmabufs_of_one_slot_in_one_job(void)
{
	struct stream a;
	struct npu n;
	uint64_t id;
	uint32_t h1, h2;
	int b1, b2;

	REQUIRE(npu_open(&n) == 0);
	REQUIRE(open_kind(&a, AIOT_SENSOR_KIND_MIC) == 0);
	REQUIRE(configure(&a, 2) == 0);
	REQUIRE((b1 = expbuf(&a, 0, O_RDWR)) >= 0);
	REQUIRE((b2 = expbuf(&a, 0, O_RDONLY)) >= 0);
	REQUIRE((h1 = npu_import(&n, b1)) != 0);
	REQUIRE((h2 = npu_import(&n, b2)) != 0);
	CHECK(h1 != h2);
	CHECK_EQ(npu_copy(&n, h1, n.out, h2, 64, &id), 0);
	CHECK_EQ(npu_status(&n, id), 0);
	close(b1);
	close(b2);
	close(a.fd);
	npu_close(&n);
}

/*
 * The ISA's overlap checks compare buffers, not bindings: an output may not
 * overlap its input through a second binding of the same buffer, nor
 * through a second dma-buf of the same slot; disjoint bytes are fine.
 */
static void aliasing_is_checked_by_buffer(void)
{
	struct stream a;
	struct npu n;
	uint64_t id;
	uint32_t h1, h2;
	int b1, b2;

	REQUIRE(npu_open(&n) == 0);
	CHECK_ERRNO(npu_copy_at(&n, n.out, n.out, 16, 0, 64, &id), EINVAL);
	REQUIRE(npu_copy_at(&n, n.out, n.out, 128, 0, 64, &id) == 0);
	CHECK_EQ(npu_status(&n, id), 0);

	REQUIRE(open_kind(&a, AIOT_SENSOR_KIND_MIC) == 0);
	REQUIRE(configure(&a, 2) == 0);
	REQUIRE((b1 = expbuf(&a, 0, O_RDWR)) >= 0);
	REQUIRE((b2 = expbuf(&a, 0, O_RDWR)) >= 0);
	REQUIRE((h1 = npu_import(&n, b1)) != 0);
	REQUIRE((h2 = npu_import(&n, b2)) != 0);
	CHECK_ERRNO(npu_copy_at(&n, h1, h2, 16, 0, 64, &id), EINVAL);
	REQUIRE(npu_copy_at(&n, h1, h2, 128, 0, 64, &id) == 0);
	CHECK_EQ(npu_status(&n, id), 0);
	close(b1);
	close(b2);
	close(a.fd);
	npu_close(&n);
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
