// SPDX-License-Identifier: GPL-2.0-only
/* The accel suite: a sensor slot's dma-buf, imported into two processes. */
#include "accel.h"

/* RESHAPE n int8 bytes of binding 0 into binding 1: the job copies them. */
static size_t build_copy_stream(void *buf, uint32_t n)
{
	struct aiot_isa_op_reshape *op;

	op = aiot_test_stream_one_op(buf, AIOT_ISA_OP_RESHAPE, sizeof(*op));
	op->input = (struct aiot_isa_tensor){ .binding = 0,
		.dtype = AIOT_ISA_DTYPE_INT8, .dims = { 1, 1, 1, n } };
	op->output = (struct aiot_isa_tensor){ .binding = 1,
		.dtype = AIOT_ISA_DTYPE_INT8, .dims = { 1, 1, 1, n } };
	return sizeof(struct aiot_isa_header) + sizeof(*op);
}

#define SLOT_MAX 8192

/* What one importing process reports back through shared memory. */
struct importer {
	int stage;		/* how far it got: 4 is done */
	int status;		/* the job's JOB_WAIT status */
	uint8_t out[SLOT_MAX];	/* what its job read from the slot */
};

/*
 * One process: open the accelerator, PRIME-import the slot, tell the
 * parent, wait until both have imported, then run a job that reads the
 * slot as its input and copies it into a buffer of its own.
 */
static void importer_run(struct importer *r, int dmabuf, uint32_t n,
			 int ready, int go)
{
	struct drm_prime_handle imp = { .fd = dmabuf };
	struct drm_aiot_submit s = { .priority = DRM_AIOT_PRIORITY_NORMAL };
	struct drm_aiot_job_wait w;
	char path[64], byte = 0;
	uint32_t cmd, out;
	void *cmd_map;
	uint8_t *out_map;
	int fd;

	fd = aiot_test_open_accel(path, sizeof(path));
	if (fd < 0 || ioctl(fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &imp))
		_exit(1);
	r->stage = 1;
	cmd = aiot_test_bo_create(fd, 4096);
	out = aiot_test_bo_create(fd, SLOT_MAX);
	cmd_map = cmd ? aiot_test_bo_map(fd, cmd, 4096) : NULL;
	out_map = out ? aiot_test_bo_map(fd, out, SLOT_MAX) : NULL;
	if (!cmd_map || !out_map)
		_exit(1);
	s.cmd_handle = cmd;
	s.cmd_size = build_copy_stream(cmd_map, n);
	memset(out_map, 0x5a, SLOT_MAX);
	s.bindings[0] = imp.handle;
	s.bindings[1] = out;
	r->stage = 2;
	if (write(ready, &byte, 1) != 1 || read(go, &byte, 1) != 1)
		_exit(1);
	if (ioctl(fd, DRM_IOCTL_AIOT_SUBMIT, &s))
		_exit(1);
	r->stage = 3;
	if (job_wait(fd, s.job_id, 60 * SEC_NS, &w))
		_exit(1);
	r->status = w.status;
	memcpy(r->out, out_map, n);
	r->stage = 4;
	_exit(0);
}

/*
 * The case: one sensor slot's dma-buf imported into two processes,
 * both importing before either job runs, each binding it as a job's input.
 * Both jobs read the bytes the sensor wrote. In the debug guest DMA-API
 * debugging must stay silent (the harness fails the run on any report):
 * the slot is mapped for the sensor and, for a DMA backend, for the NPU.
 */
void sensor_slot_imported_into_two_processes(void)
{
	struct aiot_sensor_info info;
	struct aiot_sensor_config cfg;
	struct aiot_sensor_buffer b = { 0 };
	struct aiot_sensor_expbuf e = { .flags = O_RDWR };
	struct dma_buf_sync sync = { 0 };
	struct importer *r;
	struct pollfd p;
	int ready[2], go[2], st, i, ws, distinct = 0;
	pid_t pid[2];
	char snode[64], byte = 0;
	uint8_t *slot;
	uint32_t n;

	/* aiot-sim's sensors are loaded in every boot, the card's too. */
	st = aiot_test_open_sensor(AIOT_SENSOR_KIND_MIC, snode, sizeof(snode));
	REQUIRE(st >= 0);
	REQUIRE(ioctl(st, AIOT_SENSOR_IOC_INFO, &info) == 0);
	cfg = (struct aiot_sensor_config){
		.format = AIOT_SENSOR_FMT_S16_LE,
		.channels = info.max_channels,
		.rate_hz = 16000,
		.samples_per_slot = 800,
		.slot_count = 4,
		.pattern = AIOT_SIM_PATTERN_NOISE,
	};
	REQUIRE(ioctl(st, AIOT_SENSOR_IOC_CONFIGURE, &cfg) == 0);
	n = cfg.slot_bytes;
	REQUIRE(n > 0 && n <= SLOT_MAX);
	REQUIRE(ioctl(st, AIOT_SENSOR_IOC_START) == 0);
	p = (struct pollfd){ .fd = st, .events = POLLIN };
	REQUIRE(poll(&p, 1, 20000) == 1);
	REQUIRE(ioctl(st, AIOT_SENSOR_IOC_DQBUF, &b) == 0);
	CHECK_EQ(b.flags & AIOT_SENSOR_BUF_ERROR, 0);
	/* Dequeued, the slot is ours: the sensor does not write it again. */
	e.index = b.index;
	REQUIRE(ioctl(st, AIOT_SENSOR_IOC_EXPBUF, &e) == 0);
	slot = mmap(NULL, cfg.slot_stride, PROT_READ, MAP_SHARED, e.fd, 0);
	REQUIRE(slot != MAP_FAILED);
	sync.flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ;
	CHECK_EQ(ioctl(e.fd, DMA_BUF_IOCTL_SYNC, &sync), 0);
	/* Noise: a copy of the wrong bytes cannot pass for the right ones. */
	for (i = 1; i < (int)n; i++)
		distinct += slot[i] != slot[0];
	CHECK(distinct > (int)n / 2);

	r = mmap(NULL, 2 * sizeof(*r), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	REQUIRE(r != MAP_FAILED);
	REQUIRE(pipe(ready) == 0 && pipe(go) == 0);
	for (i = 0; i < 2; i++) {
		pid[i] = fork();
		REQUIRE(pid[i] >= 0);
		if (pid[i] == 0) {
			close(ready[0]);
			close(go[1]);
			close(st);
			importer_run(&r[i], e.fd, n, ready[1], go[0]);
		}
	}
	close(ready[1]);
	close(go[0]);
	/* Both have imported the slot before either job is submitted. */
	for (i = 0; i < 2; i++)
		CHECK_EQ(read(ready[0], &byte, 1), 1);
	CHECK_EQ(write(go[1], "gg", 2), 2);
	close(go[1]);
	close(ready[0]);
	for (i = 0; i < 2; i++) {
		REQUIRE(waitpid(pid[i], &ws, 0) == pid[i]);
		CHECK(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
		CHECK_EQ(r[i].stage, 4);
		CHECK_EQ(r[i].status, 0);
		CHECK(memcmp(r[i].out, slot, n) == 0);
	}
	CHECK(memcmp(r[0].out, r[1].out, n) == 0);
	sync.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ;
	CHECK_EQ(ioctl(e.fd, DMA_BUF_IOCTL_SYNC, &sync), 0);
	CHECK_EQ(ioctl(st, AIOT_SENSOR_IOC_STOP), 0);
	munmap(r, 2 * sizeof(*r));
	munmap(slot, cfg.slot_stride);
	close(e.fd);
	close(st);
}
