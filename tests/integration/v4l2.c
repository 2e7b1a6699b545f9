// SPDX-License-Identifier: GPL-2.0-only
/*
 * V4L2 cameras into the NPU with no copy, on Debian's vivid (the kernel's
 * virtual capture driver, packed into the guest by aiot-qemu: SUITE_KMODS):
 *  - vivid's MMAP buffers, exported once each with VIDIOC_EXPBUF, import
 *    once each into a model (aiot_model_import_input_dmabuf(): a second fd
 *    of the same dma-buf finds the same buffer); a job that copies its
 *    input to its output (RESHAPE) shows every frame byte for byte as the
 *    mmap'd V4L2 buffer has it, with vivid's vmalloc and dma-contig
 *    allocators, GREY and YUYV; the job's fence polls readable before the
 *    buffer is queued back; 0 bytes copied by the library; at STREAMOFF
 *    every buffer is back, the imports release, REQBUFS 0 finds nothing
 *    in use, and vivid unloads;
 *  - aiot-run --v4l2 runs a small generated model (320x180 GREY, vivid's
 *    webcam size: which half of the frame is brighter) live on vivid's
 *    frames: every decision printed with its latency, the decision the CPU
 *    computes on a frame of the same pattern, every buffer returned, 0
 *    bytes copied; Ctrl-C stops it cleanly; a model whose input needs
 *    preprocessing (resize, quantisation) is refused with the reason;
 *  - camera frames preprocessed on the NPU (ISA 1.4 FRAME_TO_TENSOR, the
 *    operation aiot-compile --input prepends): vivid's YUYV and NV12
 *    640x480 frames bound with no copy to the preprocessing alone give
 *    the 96x96 int8 tensor the CPU executor computes from the same V4L2
 *    buffer, bit for bit; person_detect compiled with --input yuyv:640x480
 *    and nv12:640x480 runs live through aiot-run --v4l2, which negotiates
 *    the format (0 bytes copied, every buffer back), and a blob for a size
 *    the camera lacks is refused with the reason.
 * The harness fails the run on any kernel warning (vivid's unload too).
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/videodev2.h>

#include <aiot/accel.h>
#include <aiot/model_format.h>
#include <aiot/pipeline.h>
#include <linux/aiot_isa.h>

#include "aiot_testlib.h"
#include "aiot_testlib_cmd.h"
#include "tap.h"

#define RUN		"/aiot/bin/aiot-run"
#define NBUF		4
#define FRAMES		6
#define W		320	/* vivid's webcam: 320x180 is its smallest size */
#define H		180

static char video[32];
/* vivid loaded with multiplanar=2: only the multi-planar API */
static bool mplane;

/* ------------------------------------------------------------- helpers */

static int sh(const char *cmd)
{
	int st = system(cmd);

	return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* modprobe vivid with @params; find its capture node. 0 or -1. */
static int vivid_load(const char *params)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "modprobe vivid %s", params);
	if (sh(cmd))
		return -1;
	for (int tries = 0; tries < 50; tries++) {
		for (int n = 0; n < 16; n++) {
			struct v4l2_capability cap = { 0 };
			int fd;

			snprintf(video, sizeof(video), "/dev/video%d", n);
			fd = open(video, O_RDWR | O_CLOEXEC);
			if (fd < 0)
				continue;
			if (!ioctl(fd, VIDIOC_QUERYCAP, &cap) &&
			    !strcmp((const char *)cap.driver, "vivid") &&
			    (cap.device_caps & (V4L2_CAP_VIDEO_CAPTURE |
						V4L2_CAP_VIDEO_CAPTURE_MPLANE))) {
				mplane = !(cap.device_caps & V4L2_CAP_VIDEO_CAPTURE);
				close(fd);
				return 0;
			}
			close(fd);
		}
		usleep(100 * 1000);
	}
	video[0] = '\0';
	return -1;
}

static int vivid_unload(void)
{
	return aiot_test_rmmod_wait("vivid", 5000);
}

/* A one-op model: input [1,h,w,c] of @dtype at slot 1, the op's output at slot 2. */
static int write_model(const char *path, uint32_t opcode, int dtype, uint32_t h, uint32_t w,
		       uint32_t c, const uint32_t out_dims[4])
{
	union {
		struct aiot_isa_op_reshape reshape;
		struct aiot_isa_op_pool pool;
	} *op;
	uint8_t stream[sizeof(struct aiot_isa_header) + sizeof(*op)];
	struct aiot_model_tensor t[2];
	struct aiot_model_blob_parts parts = { 0 };
	struct aiot_isa_tensor in = { .binding = 1, .dtype = (uint8_t)dtype,
				      .dims = { 1, h, w, c } };
	struct aiot_isa_tensor out = { .binding = 2, .dtype = (uint8_t)dtype };
	uint32_t esize = dtype == AIOT_ISA_DTYPE_INT16 ? 2 : 1;
	char err[256];
	void *blob;
	size_t size;
	FILE *f;
	int ret;

	memcpy(out.dims, out_dims, sizeof(out.dims));
	if (opcode == AIOT_ISA_OP_RESHAPE) {
		op = aiot_test_stream_one_op(stream, opcode, sizeof(op->reshape));
		op->reshape.input = in;
		op->reshape.output = out;
	} else {
		op = aiot_test_stream_one_op(stream, opcode, sizeof(op->pool));
		op->pool.input = in;
		op->pool.output = out;
		op->pool.act = (struct aiot_isa_activation){ -128, 127 };
		op->pool.filter_h = (uint16_t)h;
		op->pool.filter_w = (uint16_t)(w / out_dims[2]);
		op->pool.stride_h = (uint16_t)h;
		op->pool.stride_w = (uint16_t)(w / out_dims[2]);
	}
	memset(t, 0, sizeof(t));
	for (int i = 0; i < 2; i++) {
		const struct aiot_isa_tensor *src = i ? &out : &in;

		snprintf(t[i].name, sizeof(t[i].name), i ? "out" : "frame");
		t[i].direction = (uint8_t)i;
		t[i].dtype = (uint8_t)dtype;
		t[i].binding = src->binding;
		memcpy(t[i].dims, src->dims, sizeof(t[i].dims));
		t[i].size = src->dims[0] * src->dims[1] * src->dims[2] * src->dims[3] * esize;
		t[i].scale_bits = 0x3f800000;	/* 1.0f */
	}
	parts.name = opcode == AIOT_ISA_OP_RESHAPE ? "copy" : "halves";
	parts.isa_version = AIOT_ISA_VERSION_CURRENT;
	parts.command_stream = stream;
	parts.command_stream_size = ((struct aiot_isa_header *)stream)->size;
	parts.weights_binding = AIOT_MODEL_NO_BINDING;
	parts.arena_binding = AIOT_MODEL_NO_BINDING;
	parts.tensors = t;
	parts.tensor_count = 2;
	ret = aiot_model_blob_build(&parts, &blob, &size, err, sizeof(err));
	if (ret) {
		tap_diag("model %s: %s", path, err);
		return ret;
	}
	f = fopen(path, "wb");
	ret = f && fwrite(blob, 1, size, f) == size ? 0 : -EIO;
	if (f)
		fclose(f);
	free(blob);
	return ret;
}

#define PLANES		2	/* NV12M's */

/*
 * A vivid capture queue, single- or multi-planar (vivid multiplanar=2):
 * per buffer and plane its mmap and its dma-buf (VIDIOC_EXPBUF .plane).
 */
struct cam {
	int fd;
	uint32_t type;		/* V4L2_BUF_TYPE_VIDEO_CAPTURE(_MPLANE) */
	unsigned int planes;	/* memory planes per buffer */
	struct v4l2_format fmt;
	unsigned int count;
	uint32_t bpl[PLANES], sizeimage[PLANES];	/* what S_FMT gave */
	int dmabuf[NBUF][PLANES];
	void *map[NBUF][PLANES];
	size_t len[NBUF][PLANES];
};

/* A buffer with room for its planes. */
struct cam_buf {
	struct v4l2_buffer b;
	struct v4l2_plane p[PLANES];
};

static struct v4l2_buffer *cam_buf(const struct cam *c, struct cam_buf *cb, unsigned int i)
{
	memset(cb, 0, sizeof(*cb));
	cb->b.type = c->type;
	cb->b.memory = V4L2_MEMORY_MMAP;
	cb->b.index = i;
	if (c->type == V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE) {
		cb->b.m.planes = cb->p;
		cb->b.length = PLANES;
	}
	return &cb->b;
}

static uint32_t cam_used(const struct cam *c, const struct cam_buf *cb, unsigned int p)
{
	return c->type == V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE ? cb->p[p].bytesused :
	       cb->b.bytesused;
}

/*
 * The one format negotiation of the suite: S_FMT @fourcc @w x @h (the
 * multi-planar API when vivid has only that), checked to be exactly that
 * with packed rows in every plane (@bpl bytes per pixel in plane 0, 1 in
 * plane 1), then REQBUFS NBUF MMAP, QUERYBUF + mmap + EXPBUF of each plane
 * of each buffer. 0, or -1 after a diagnostic.
 */
static int cam_open_at(struct cam *c, uint32_t fourcc, uint32_t w, uint32_t h)
{
	struct v4l2_requestbuffers req = { .count = NBUF, .memory = V4L2_MEMORY_MMAP };
	uint32_t bpp = fourcc == V4L2_PIX_FMT_YUYV ? 2 : 1, got_fourcc, got_w, got_h;

	memset(c, 0, sizeof(*c));
	for (int i = 0; i < NBUF; i++)
		for (int p = 0; p < PLANES; p++)
			c->dmabuf[i][p] = -1;
	c->type = mplane ? V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE : V4L2_BUF_TYPE_VIDEO_CAPTURE;
	req.type = c->type;
	c->fd = open(video, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (c->fd < 0)
		return -1;
	c->fmt.type = c->type;
	if (mplane) {
		c->fmt.fmt.pix_mp.width = w;
		c->fmt.fmt.pix_mp.height = h;
		c->fmt.fmt.pix_mp.pixelformat = fourcc;
		c->fmt.fmt.pix_mp.field = V4L2_FIELD_NONE;
	} else {
		c->fmt.fmt.pix.width = w;
		c->fmt.fmt.pix.height = h;
		c->fmt.fmt.pix.pixelformat = fourcc;
		c->fmt.fmt.pix.field = V4L2_FIELD_NONE;
	}
	if (ioctl(c->fd, VIDIOC_S_FMT, &c->fmt)) {
		tap_diag("VIDIOC_S_FMT: %s", strerror(errno));
		return -1;
	}
	if (mplane) {
		got_fourcc = c->fmt.fmt.pix_mp.pixelformat;
		got_w = c->fmt.fmt.pix_mp.width;
		got_h = c->fmt.fmt.pix_mp.height;
		c->planes = c->fmt.fmt.pix_mp.num_planes;
		for (unsigned int p = 0; p < PLANES && p < c->planes; p++) {
			c->bpl[p] = c->fmt.fmt.pix_mp.plane_fmt[p].bytesperline;
			c->sizeimage[p] = c->fmt.fmt.pix_mp.plane_fmt[p].sizeimage;
		}
	} else {
		got_fourcc = c->fmt.fmt.pix.pixelformat;
		got_w = c->fmt.fmt.pix.width;
		got_h = c->fmt.fmt.pix.height;
		c->planes = 1;
		c->bpl[0] = c->fmt.fmt.pix.bytesperline;
		c->sizeimage[0] = c->fmt.fmt.pix.sizeimage;
	}
	if (got_fourcc != fourcc || got_w != w || got_h != h || c->bpl[0] != w * bpp ||
	    c->planes != (fourcc == V4L2_PIX_FMT_NV12M ? 2u : 1u) ||
	    (c->planes == 2 && c->bpl[1] != w)) {
		tap_diag("asked %.4s %ux%u, vivid gives %.4s %ux%u in %u planes, %u/%u bytes "
			 "per row", (const char *)&fourcc, w, h, (const char *)&got_fourcc, got_w,
			 got_h, c->planes, c->bpl[0], c->bpl[1]);
		return -1;
	}
	if (ioctl(c->fd, VIDIOC_REQBUFS, &req))
		return -1;
	c->count = req.count;
	if (c->count != NBUF)
		return -1;
	for (unsigned int i = 0; i < c->count; i++) {
		struct cam_buf cb;
		struct v4l2_buffer *b = cam_buf(c, &cb, i);

		if (ioctl(c->fd, VIDIOC_QUERYBUF, b))
			return -1;
		for (unsigned int p = 0; p < c->planes; p++) {
			struct v4l2_exportbuffer exp = { .type = c->type, .index = i, .plane = p,
							 .flags = O_RDWR | O_CLOEXEC };
			off_t at = mplane ? (off_t)cb.p[p].m.mem_offset : (off_t)b->m.offset;

			c->len[i][p] = mplane ? cb.p[p].length : b->length;
			c->map[i][p] = mmap(NULL, c->len[i][p], PROT_READ, MAP_SHARED, c->fd, at);
			if (c->map[i][p] == MAP_FAILED) {
				c->map[i][p] = NULL;
				return -1;
			}
			if (ioctl(c->fd, VIDIOC_EXPBUF, &exp))
				return -1;
			c->dmabuf[i][p] = exp.fd;
		}
	}
	return 0;
}

static int cam_open(struct cam *c, uint32_t fourcc)
{
	return cam_open_at(c, fourcc, W, H);
}

/* QBUF every buffer, STREAMON. */
static int cam_start(struct cam *c)
{
	int type = (int)c->type;

	for (unsigned int i = 0; i < c->count; i++) {
		struct cam_buf cb;

		if (ioctl(c->fd, VIDIOC_QBUF, cam_buf(c, &cb, i)))
			return -1;
	}
	return ioctl(c->fd, VIDIOC_STREAMON, &type);
}

static int cam_stop(struct cam *c)
{
	int type = (int)c->type;

	return ioctl(c->fd, VIDIOC_STREAMOFF, &type);
}

/* Buffers neither queued nor done in the driver. */
static unsigned int cam_returned(const struct cam *c)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < c->count; i++) {
		struct cam_buf cb;
		struct v4l2_buffer *b = cam_buf(c, &cb, i);

		if (!ioctl(c->fd, VIDIOC_QUERYBUF, b) &&
		    !(b->flags & (V4L2_BUF_FLAG_QUEUED | V4L2_BUF_FLAG_DONE)))
			n++;
	}
	return n;
}

/* Close what is left; REQBUFS 0 must then find nothing in use. */
static int cam_close(struct cam *c)
{
	struct v4l2_requestbuffers req = { .count = 0, .type = c->type,
					   .memory = V4L2_MEMORY_MMAP };
	int ret = 0;

	if (c->fd < 0)
		return 0;
	for (unsigned int i = 0; i < NBUF; i++) {
		for (unsigned int p = 0; p < PLANES; p++) {
			if (c->dmabuf[i][p] >= 0)
				close(c->dmabuf[i][p]);
			if (c->map[i][p])
				munmap(c->map[i][p], c->len[i][p]);
			c->dmabuf[i][p] = -1;
			c->map[i][p] = NULL;
		}
	}
	if (c->count && ioctl(c->fd, VIDIOC_REQBUFS, &req))
		ret = -errno;
	close(c->fd);
	c->fd = -1;
	return ret;
}

/* Wait for a frame and dequeue it. */
static int cam_dequeue(struct cam *c, struct cam_buf *cb)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };

	if (poll(&pfd, 1, 10000) != 1)
		return -1;
	return ioctl(c->fd, VIDIOC_DQBUF, cam_buf(c, cb, 0));
}

/* ------------------------------------------------------------- frames */

static int last_halves = -1;	/* class the CPU finds on a GREY frame: 0 left, 1 right */

/*
 * FRAMES frames of vivid (allocator @alloc) in @fourcc through a copy job
 * each: output == the mmap'd V4L2 buffer, byte for byte.
 */
static void copy_frames(const char *alloc, uint32_t fourcc, uint32_t channels)
{
	const uint32_t dims[4] = { 1, H, W, channels };
	struct aiot_accel *accel = NULL;
	struct aiot_model *model = NULL;
	struct aiot_buffer *imp[NBUF], *again;
	struct cam c = { .fd = -1 };
	uint64_t buffers0;
	char err[256], path[64];
	size_t size = (size_t)W * H * channels;
	int ret;

	REQUIRE(vivid_load(alloc) == 0);
	snprintf(path, sizeof(path), "/tmp/copy%u.aiot", channels);
	REQUIRE(write_model(path, AIOT_ISA_OP_RESHAPE, AIOT_ISA_DTYPE_INT8, H, W, channels,
			    dims) == 0);
	REQUIRE(aiot_accel_open_default(&accel) == 0);
	ret = aiot_model_load_file(accel, path, &model, err, sizeof(err));
	if (ret)
		tap_diag("load %s: %s", path, err);
	REQUIRE(ret == 0);
	REQUIRE(cam_open(&c, fourcc) == 0);
	REQUIRE(c.sizeimage[0] >= size);

	/* Each buffer imported once; another fd of the same dma-buf finds it. */
	buffers0 = aiot_accel_get_stat(accel, AIOT_STAT_BUFFERS);
	for (unsigned int i = 0; i < NBUF; i++) {
		int dup_fd;

		ret = aiot_model_import_input_dmabuf(model, 0, c.dmabuf[i][0], 0, 0, &imp[i], err,
						     sizeof(err));
		if (ret)
			tap_diag("import buffer %u: %s", i, err);
		REQUIRE(ret == 0);
		dup_fd = dup(c.dmabuf[i][0]);
		REQUIRE(dup_fd >= 0);
		CHECK_EQ(aiot_model_import_input_dmabuf(model, 0, dup_fd, 0, 0, &again, err,
							sizeof(err)), 0);
		CHECK(again == imp[i]);
		close(dup_fd);
	}
	CHECK_EQ(aiot_model_get_dmabuf_count(model), NBUF);
	CHECK_EQ(aiot_accel_get_stat(accel, AIOT_STAT_BUFFERS) - buffers0, NBUF);
	/* A frame said to start further in cannot be bound (whole-buffer bindings). */
	CHECK_EQ(aiot_model_bind_input_dmabuf(model, 0, c.dmabuf[0][0], 64, 0, err, sizeof(err)),
		 -EINVAL);

	REQUIRE(cam_start(&c) == 0);
	for (int f = 0; f < FRAMES; f++) {
		struct aiot_job *job = NULL;
		struct cam_buf cb;
		struct v4l2_buffer *bp = &cb.b, b;
		struct pollfd pfd;
		const uint8_t *out, *frame;
		unsigned int distinct = 0;
		bool seen[256] = { false };

		REQUIRE(cam_dequeue(&c, &cb) == 0);
		b = *bp;
		CHECK(!(b.flags & V4L2_BUF_FLAG_ERROR));
		CHECK(b.bytesused >= size);
		ret = aiot_model_bind_input_dmabuf(model, 0, c.dmabuf[b.index][0], 0, b.bytesused,
						   err, sizeof(err));
		if (ret)
			tap_diag("bind: %s", err);
		REQUIRE(ret == 0);
		REQUIRE(aiot_model_submit(model, NULL, &job) == 0);
		pfd = (struct pollfd){ .fd = aiot_job_get_fence_fd(job), .events = POLLIN };
		REQUIRE(pfd.fd >= 0);
		CHECK_EQ(poll(&pfd, 1, 20000), 1);
		CHECK(pfd.revents & POLLIN);
		/* Signalled: the record is there without waiting. */
		CHECK_EQ(aiot_job_wait(job, 0), 0);
		CHECK_EQ(aiot_job_get_status(job), 0);
		aiot_job_free(job);
		REQUIRE(aiot_model_map_output(model, 0, (const void **)&out) == 0);
		frame = c.map[b.index][0];
		for (size_t k = 0; k < size; k++) {
			if (!seen[frame[k]])
				distinct++;
			seen[frame[k]] = true;
		}
		/* vivid's colour bars: a real picture, not a blank buffer. */
		CHECK(distinct >= 4);
		if (memcmp(out, frame, size)) {
			size_t k = 0;

			while (out[k] == frame[k])
				k++;
			tap_diag("frame #%u (buffer %u): byte %zu is %u on the NPU, %u in the "
				 "V4L2 buffer", b.sequence, b.index, k, out[k], frame[k]);
			CHECK(!"the job's copy differs from the frame");
		}
		if (channels == 1) {
			/* Which half is brighter, as int8 (bytes unchanged)? */
			long long sum[2] = { 0, 0 };

			for (size_t k = 0; k < size; k++)
				sum[(k % W) >= W / 2] += (int8_t)frame[k];
			last_halves = sum[1] > sum[0];
			if (f == 0)
				tap_diag("frame halves as int8: left mean %.1f, right mean %.1f",
					 (double)sum[0] / (W / 2 * H), (double)sum[1] / (W / 2 * H));
		}
		CHECK(ioctl(c.fd, VIDIOC_QBUF, bp) == 0);
	}
	CHECK_EQ(aiot_accel_get_stat(accel, AIOT_STAT_BYTES_COPIED), 0);
	CHECK(cam_stop(&c) == 0);
	CHECK_EQ(cam_returned(&c), NBUF);
	for (unsigned int i = 0; i < NBUF; i++)
		CHECK_EQ(aiot_model_release_dmabuf(model, c.dmabuf[i][0]), 0);
	CHECK_EQ(aiot_model_release_dmabuf(model, c.dmabuf[0][0]), -ENOENT);
	CHECK_EQ(aiot_model_get_dmabuf_count(model), 0);
	CHECK_EQ(aiot_accel_get_stat(accel, AIOT_STAT_BUFFERS), buffers0);
	/* The NPU holds nothing of vivid's any more: REQBUFS 0 frees the buffers. */
	CHECK_EQ(cam_close(&c), 0);
	aiot_model_free(model);
	aiot_accel_close(accel);
	CHECK_EQ(vivid_unload(), 0);
	unlink(path);
}

static void grey_vmalloc_byte_for_byte(void)
{
	copy_frames("allocators=0", V4L2_PIX_FMT_GREY, 1);
}

static void grey_dma_contig_byte_for_byte(void)
{
	copy_frames("allocators=1", V4L2_PIX_FMT_GREY, 1);
}

static void yuyv_dma_contig_byte_for_byte(void)
{
	copy_frames("allocators=1", V4L2_PIX_FMT_YUYV, 2);
}

/* A model freed with dma-bufs still imported releases them itself. */
static void model_free_releases_imports(void)
{
	const uint32_t dims[4] = { 1, H, W, 1 };
	struct aiot_accel *accel = NULL;
	struct aiot_model *model = NULL;
	struct aiot_buffer *b;
	struct cam c = { .fd = -1 };
	uint64_t buffers0;
	char err[256];

	REQUIRE(vivid_load("") == 0);
	REQUIRE(write_model("/tmp/copy1.aiot", AIOT_ISA_OP_RESHAPE, AIOT_ISA_DTYPE_INT8, H, W, 1,
			    dims) == 0);
	REQUIRE(aiot_accel_open_default(&accel) == 0);
	buffers0 = aiot_accel_get_stat(accel, AIOT_STAT_BUFFERS);
	REQUIRE(aiot_model_load_file(accel, "/tmp/copy1.aiot", &model, err, sizeof(err)) == 0);
	REQUIRE(cam_open(&c, V4L2_PIX_FMT_GREY) == 0);
	for (unsigned int i = 0; i < NBUF; i++)
		CHECK_EQ(aiot_model_import_input_dmabuf(model, 0, c.dmabuf[i][0], 0, 0, &b, err,
							sizeof(err)), 0);
	CHECK_EQ(aiot_model_get_dmabuf_count(model), NBUF);
	aiot_model_free(model);
	CHECK_EQ(aiot_accel_get_stat(accel, AIOT_STAT_BUFFERS), buffers0);
	CHECK_EQ(cam_close(&c), 0);
	aiot_accel_close(accel);
	CHECK_EQ(vivid_unload(), 0);
	unlink("/tmp/copy1.aiot");
}

/* ------------------------------------------------------------- aiot-run */

static struct aiot_test_cmd out;

/* Run aiot-run with these arguments, stdout and stderr merged; its exit code. */
static int run(const char *args)
{
	static const char *const always[] = { "summary", "stop", NULL };
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), RUN " %s 2>&1", args);
	return aiot_test_cmd_run(&out, cmd, 16, always);
}

#define COUNT 60

/*
 * vivid's device-wide settings that aiot-run then finds: GREY 320x180 at
 * the frame interval nearest 1/30 s, and timestamps taken at the start of
 * exposure (by default vivid stamps the end of the frame's period, which it
 * has not reached when it delivers the frame). @fps receives the rate.
 */
static int vivid_prepare(double *fps)
{
	uint32_t type = mplane ? V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE : V4L2_BUF_TYPE_VIDEO_CAPTURE;
	struct v4l2_format fmt = { .type = type };
	struct v4l2_streamparm parm = { .type = type };
	struct v4l2_queryctrl q = { .id = V4L2_CTRL_FLAG_NEXT_CTRL };
	struct v4l2_fract best = { 0, 0 };
	double best_d = 1e9;
	int fd = open(video, O_RDWR | O_CLOEXEC), ret = -1;

	if (fd < 0)
		return -1;
	if (mplane)
		fmt.fmt.pix_mp = (struct v4l2_pix_format_mplane){
			.width = W, .height = H, .pixelformat = V4L2_PIX_FMT_GREY,
			.field = V4L2_FIELD_NONE };
	else
		fmt.fmt.pix = (struct v4l2_pix_format){ .width = W, .height = H,
							.pixelformat = V4L2_PIX_FMT_GREY,
							.field = V4L2_FIELD_NONE };
	if (ioctl(fd, VIDIOC_S_FMT, &fmt))
		goto out;
	for (unsigned int i = 0;; i++) {
		struct v4l2_frmivalenum iv = { .index = i, .pixel_format = V4L2_PIX_FMT_GREY,
					       .width = W, .height = H };

		if (ioctl(fd, VIDIOC_ENUM_FRAMEINTERVALS, &iv) ||
		    iv.type != V4L2_FRMIVAL_TYPE_DISCRETE)
			break;
		if (iv.discrete.numerator && iv.discrete.denominator &&
		    fabs((double)iv.discrete.denominator / iv.discrete.numerator - 30) < best_d) {
			best = iv.discrete;
			best_d = fabs((double)best.denominator / best.numerator - 30);
		}
	}
	if (best.denominator) {
		parm.parm.capture.timeperframe = best;
		if (ioctl(fd, VIDIOC_S_PARM, &parm))
			goto out;
	}
	if (ioctl(fd, VIDIOC_G_PARM, &parm) || !parm.parm.capture.timeperframe.numerator)
		goto out;
	*fps = (double)parm.parm.capture.timeperframe.denominator /
	       parm.parm.capture.timeperframe.numerator;
	while (!ioctl(fd, VIDIOC_QUERYCTRL, &q)) {
		if (!strcmp((const char *)q.name, "Timestamp Source")) {
			struct v4l2_control ctl = { .id = q.id, .value = 1 };	/* SOE */

			ret = ioctl(fd, VIDIOC_S_CTRL, &ctl);
			break;
		}
		q.id |= V4L2_CTRL_FLAG_NEXT_CTRL;
	}
out:
	close(fd);
	return ret;
}

static void aiot_run_live_on_vivid(void)
{
	const uint32_t halves[4] = { 1, 1, 2, 1 };
	const char *sum, *stop;
	char args[256], label[32];
	int n = 0, agree = 0;
	double fps = 0, p50, p99, cam_fps = 0;
	unsigned long long dec = 0, frames = 0;

	if (access(RUN, X_OK))
		TAP_SKIP("no aiot-run in the guest");
	REQUIRE(write_model("/tmp/halves.aiot", AIOT_ISA_OP_AVERAGE_POOL_2D, AIOT_ISA_DTYPE_INT8,
			    H, W, 1, halves) == 0);
	REQUIRE(vivid_load("") == 0);
	REQUIRE(vivid_prepare(&cam_fps) == 0);
	tap_diag("vivid: GREY %ux%u at %.2f frames/s, timestamps at the start of exposure", W, H,
		 cam_fps);
	snprintf(args, sizeof(args), "--v4l2 %s --count %d --labels left,right /tmp/halves.aiot",
		 video, COUNT);
	CHECK_EQ(run(args), 0);
	CHECK(aiot_test_cmd_has(&out, "timestamps: CLOCK_MONOTONIC, start of exposure"));
	CHECK(aiot_test_cmd_has(&out, "format: GREY 320x180, 57600 bytes per frame: the model's input as it "
			 "is (no preprocessing)"));
	CHECK(aiot_test_cmd_has(&out, "each exported once (VIDIOC_EXPBUF) and imported once into the NPU "
			 "(4 dma-bufs held)"));
	for (int i = 0; i < out.n; i++) {
		unsigned int seq;
		double t, score, lat;
		char unit[8];

		if (out.line[i][0] != '#')
			continue;
		if (sscanf(out.line[i], "#%u t=%lf s %31s %lf capture->decision %lf %7s", &seq, &t, label,
			   &score, &lat, unit) != 6) {
			tap_diag("unparsed: %s", out.line[i]);
			CHECK(!"a decision line that does not parse");
			continue;
		}
		n++;
		CHECK(aiot_test_to_ns(lat, unit) > 0 && aiot_test_to_ns(lat, unit) < 30e9);
		/* The CPU's answer on a frame of the same pattern (copy case). */
		if (last_halves >= 0)
			agree += !strcmp(label, last_halves ? "right" : "left");
	}
	CHECK_EQ(n, COUNT);
	if (last_halves >= 0)
		CHECK_EQ(agree, n);
	stop = aiot_test_cmd_find_line(&out, "stop: ");
	REQUIRE(stop != NULL);
	CHECK(strstr(stop, "buffers returned 4/4, NPU imports left 0, buffers freed (REQBUFS 0): "
			   "yes") != NULL);
	sum = aiot_test_cmd_find_line(&out, "summary: ");
	REQUIRE(sum != NULL);
	CHECK(sscanf(sum, "summary: %llu decisions on %llu frames", &dec, &frames) == 2);
	CHECK_EQ(dec, COUNT);
	CHECK(frames >= dec);
	CHECK(strstr(sum, ", 0 B copied by the CPU,") != NULL);
	CHECK(strstr(sum, " 0 errors;") != NULL);
	p50 = aiot_test_time_after(sum, "p50 ");
	p99 = aiot_test_time_after(sum, "p99 ");
	CHECK(p50 > 0 && p99 >= p50);
	{
		const char *f = strstr(sum, "(");

		CHECK(f && sscanf(f, "(%lf frames/s", &fps) == 1 && fps > 0);
	}
	/* Every frame decided or counted: as many as the camera sends, or stale. */
	tap_diag("figures: %.2f frames/s decided (camera %.2f), capture->decision p50 %.2f ms "
		 "p99 %.2f ms, 0 B copied", fps, cam_fps, p50 / 1e6, p99 / 1e6);
	CHECK_EQ(vivid_unload(), 0);
}

static void aiot_run_stops_on_ctrl_c(void)
{
	const uint32_t halves[4] = { 1, 1, 2, 1 };
	char args[512];
	const char *sum;
	unsigned long long n = 0;

	if (access(RUN, X_OK))
		TAP_SKIP("no aiot-run in the guest");
	REQUIRE(write_model("/tmp/halves.aiot", AIOT_ISA_OP_AVERAGE_POOL_2D, AIOT_ISA_DTYPE_INT8,
			    H, W, 1, halves) == 0);
	REQUIRE(vivid_load("") == 0);
	snprintf(args, sizeof(args),
		 "--v4l2 %s --summary /tmp/halves.aiot > /tmp/v4l2.out 2>&1 & pid=$!; i=0; "
		 "until grep -q '^streaming' /tmp/v4l2.out || [ $i -ge 600 ]; do sleep 0.1; "
		 "i=$((i + 1)); done; sleep 2; kill -INT $pid; wait $pid; rc=$?; "
		 "cat /tmp/v4l2.out; exit $rc", video);
	CHECK_EQ(run(args), 0);
	CHECK(aiot_test_cmd_has(&out, "until Ctrl-C"));
	CHECK(aiot_test_cmd_has(&out, "stop: buffers returned 4/4, NPU imports left 0, buffers freed "
			 "(REQBUFS 0): yes"));
	sum = aiot_test_cmd_find_line(&out, "summary: ");
	REQUIRE(sum != NULL);
	CHECK(sscanf(sum, "summary: %llu decisions", &n) == 1 && n >= 1);
	CHECK(strstr(sum, ", 0 B copied by the CPU,") != NULL);
	CHECK_EQ(vivid_unload(), 0);
	unlink("/tmp/v4l2.out");
}

static void aiot_run_refuses_what_needs_preprocessing(void)
{
	const uint32_t small[4] = { 1, 96, 96, 1 }, frame[4] = { 1, H, W, 1 };
	char args[256];

	if (access(RUN, X_OK))
		TAP_SKIP("no aiot-run in the guest");
	REQUIRE(vivid_load("") == 0);
	/* person_detect's size: vivid's webcam gives 320x180 at the least. */
	REQUIRE(write_model("/tmp/small.aiot", AIOT_ISA_OP_RESHAPE, AIOT_ISA_DTYPE_INT8, 96, 96, 1,
			    small) == 0);
	snprintf(args, sizeof(args), "--v4l2 %s --count 1 /tmp/small.aiot", video);
	CHECK_EQ(run(args), 1);
	CHECK(aiot_test_cmd_has(&out, "format: asked GREY 96x96, the camera gives GREY 320x180"));
	CHECK(aiot_test_cmd_has(&out, "needs preprocessing: resize (or crop) 320x180 -> 96x96"));
	CHECK(!aiot_test_cmd_find_line(&out, "summary: "));
	/* 16-bit elements: the pixels would need quantisation. */
	REQUIRE(write_model("/tmp/wide.aiot", AIOT_ISA_OP_RESHAPE, AIOT_ISA_DTYPE_INT16, H, W, 1,
			    frame) == 0);
	snprintf(args, sizeof(args), "--v4l2 %s --count 1 /tmp/wide.aiot", video);
	CHECK_EQ(run(args), 1);
	CHECK(aiot_test_cmd_has(&out, "cannot come from a camera as it is: its elements are 16-bit"));
	CHECK(aiot_test_cmd_has(&out, "quantisation"));
	/* Not a camera. */
	CHECK_EQ(run("--v4l2 /dev/null --count 1 /tmp/small.aiot"), 1);
	CHECK(aiot_test_cmd_has(&out, "/dev/null is not a V4L2 device"));
	/* Nothing was left behind in vivid. */
	CHECK_EQ(vivid_unload(), 0);
	unlink("/tmp/small.aiot");
	unlink("/tmp/wide.aiot");
}

/* ------------------------------------------------- camera frames, preprocessed */

#define CAM_W	640
#define CAM_H	480
#define PD	96	/* person_detect's input: 96x96 luma */
#define MODELS	"/aiot/data/models/"

/* libaiot-isa.a's CPU executor (kernel/isa/aiot_isa.h), the reference. */
int aiot_isa_execute(const void *stream, size_t len, void *const *bindings,
		     const uint64_t *binding_sizes, unsigned int nbindings);

static uint8_t pre_stream[sizeof(struct aiot_isa_header) +
			  sizeof(struct aiot_isa_op_frame_to_tensor)];

/*
 * The preprocessing aiot-compile --input FMT:640x480 prepends to
 * person_detect (tools/compile/lower_frame.c: whole frame, bilinear,
 * half-pixel centres, luma, q = v - 128), alone: frame in slot 1, the
 * 96x96 int8 tensor out in slot 2, the frame's fourcc in the blob.
 */
static int write_preproc_model(const char *path, uint32_t fourcc, uint8_t isa_format,
			       uint32_t w, uint32_t h)
{
	struct aiot_isa_op_frame_to_tensor *op;
	struct aiot_model_tensor t[3];
	bool nv12m = fourcc == V4L2_PIX_FMT_NV12M;
	unsigned int n;
	struct aiot_model_blob_parts parts = { 0 };
	uint64_t bytes = 0;
	char err[256];
	void *blob;
	size_t size;
	FILE *f;
	int ret;

	if (aiot_model_frame_size(fourcc, w, h, &bytes))
		return -EINVAL;
	memset(pre_stream, 0, sizeof(pre_stream));
	op = aiot_test_stream_one_op(pre_stream, AIOT_ISA_OP_FRAME_TO_TENSOR, sizeof(*op));
	/* NV12M: the chroma plane in slot 4, ISA 1.6 */
	((struct aiot_isa_header *)pre_stream)->version = AIOT_ISA_VERSION(1, nv12m ? 6 : 4);
	op->frame.binding = 1;
	op->frame.format = isa_format;
	op->frame.width = w;
	op->frame.height = h;
	op->frame.stride[0] = fourcc == V4L2_PIX_FMT_YUYV ? 2 * w : w;
	if (fourcc == V4L2_PIX_FMT_NV12) {
		op->frame.offset[1] = w * h;
		op->frame.stride[1] = w;
	}
	if (nv12m) {
		op->frame.binding1 = 4;
		op->frame.stride[1] = w;
	}
	op->crop = (struct aiot_isa_window){ 0, 0, h, w };
	op->output = (struct aiot_isa_tensor){ .binding = 2, .dtype = AIOT_ISA_DTYPE_INT8,
					       .dims = { 1, PD, PD, 1 } };
	op->mode = AIOT_ISA_RESIZE_BILINEAR;
	op->flags = AIOT_ISA_RESIZE_HALF_PIXEL_CENTERS;
	op->multiplier = 1 << 30;
	op->shift = 1;
	op->output_zero_point = -128;
	op->act = (struct aiot_isa_activation){ -128, 127 };
	memset(t, 0, sizeof(t));
	snprintf(t[0].name, sizeof(t[0].name), "frame");
	t[0].dtype = AIOT_ISA_DTYPE_INT8;
	t[0].binding = 1;
	t[0].dims[0] = 1;
	t[0].dims[1] = h;
	t[0].dims[2] = w;
	t[0].dims[3] = 1;
	t[0].size = (uint32_t)(nv12m ? w * h : bytes);
	t[0].pixel_format = fourcc;
	t[0].scale_bits = 0x3f800000;
	n = 1;
	if (nv12m) {
		/* the chroma plane: an input of its own */
		t[1] = t[0];
		snprintf(t[1].name, sizeof(t[1].name), "frame_chroma");
		t[1].binding = 4;
		t[1].size = w * h / 2;
		n = 2;
	}
	snprintf(t[n].name, sizeof(t[n].name), "input");
	t[n].direction = AIOT_MODEL_TENSOR_OUTPUT;
	t[n].dtype = AIOT_ISA_DTYPE_INT8;
	t[n].binding = 2;
	memcpy(t[n].dims, op->output.dims, sizeof(t[n].dims));
	t[n].size = PD * PD;
	t[n].scale_bits = 0x3f800000;
	parts.name = "preproc";
	parts.isa_version = AIOT_ISA_VERSION(1, nv12m ? 6 : 4);
	parts.command_stream = pre_stream;
	parts.command_stream_size = ((struct aiot_isa_header *)pre_stream)->size;
	parts.weights_binding = AIOT_MODEL_NO_BINDING;
	parts.arena_binding = AIOT_MODEL_NO_BINDING;
	parts.tensors = t;
	parts.tensor_count = n + 1;
	ret = aiot_model_blob_build(&parts, &blob, &size, err, sizeof(err));
	if (ret) {
		tap_diag("model %s: %s", path, err);
		return ret;
	}
	f = fopen(path, "wb");
	ret = f && fwrite(blob, 1, size, f) == size ? 0 : -EIO;
	if (f)
		fclose(f);
	free(blob);
	return ret;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * vivid's 640x480 frames (@fourcc) bound with no copy to the preprocessing
 * alone: the NPU's 96x96 tensor equals the CPU executor's on the same frame
 * bytes (the mmap'd V4L2 buffer; NV12M: both planes, each its own dma-buf
 * and input), FRAMES frames; 0 bytes copied; every buffer back at
 * STREAMOFF.
 */
static void preproc_frames(uint32_t fourcc, uint8_t isa_format, const char *name,
			   const char *vivid_params)
{
	struct aiot_accel *accel = NULL;
	struct aiot_model *model = NULL;
	struct aiot_buffer *imp;
	struct cam c = { .fd = -1 };
	uint64_t bytes = 0, dev[FRAMES];
	uint8_t want[PD * PD];
	unsigned int ndev = 0, planes = fourcc == V4L2_PIX_FMT_NV12M ? 2 : 1;
	char err[256], path[64];
	int ret;

	REQUIRE(vivid_load(vivid_params) == 0);
	REQUIRE(aiot_model_frame_size(fourcc, CAM_W, CAM_H, &bytes) == 0);
	snprintf(path, sizeof(path), "/tmp/preproc_%s.aiot", name);
	REQUIRE(write_preproc_model(path, fourcc, isa_format, CAM_W, CAM_H) == 0);
	REQUIRE(aiot_accel_open_default(&accel) == 0);
	ret = aiot_model_load_file(accel, path, &model, err, sizeof(err));
	if (ret)
		tap_diag("load %s: %s", path, err);
	REQUIRE(ret == 0);
	CHECK_EQ(aiot_model_get_input_count(model), planes);
	for (unsigned int p = 0; p < planes; p++)
		CHECK_EQ(aiot_tensor_info_get_pixel_format(aiot_model_get_input_info(model, p)),
			 fourcc);
	REQUIRE(cam_open_at(&c, fourcc, CAM_W, CAM_H) == 0);
	CHECK_EQ(c.planes, planes);
	if (planes == 2) {
		REQUIRE(c.sizeimage[0] >= CAM_W * CAM_H && c.sizeimage[1] >= CAM_W * CAM_H / 2);
	} else {
		REQUIRE(c.sizeimage[0] >= bytes);
	}
	for (unsigned int i = 0; i < NBUF; i++) {
		for (unsigned int p = 0; p < planes; p++) {
			ret = aiot_model_import_input_dmabuf(model, p, c.dmabuf[i][p], 0, 0, &imp,
							     err, sizeof(err));
			if (ret)
				tap_diag("import buffer %u plane %u: %s", i, p, err);
			REQUIRE(ret == 0);
		}
	}
	CHECK_EQ(aiot_model_get_dmabuf_count(model), NBUF * planes);
	REQUIRE(cam_start(&c) == 0);
	for (int f = 0; f < FRAMES; f++) {
		struct aiot_job *job = NULL;
		struct cam_buf cb;
		struct v4l2_buffer *b = &cb.b;
		struct pollfd pfd;
		const int8_t *npu;
		uint64_t started = 0, ended = 0;
		void *bind[5] = { NULL };
		uint64_t sizes[5] = { 0 };
		unsigned int distinct = 0;
		bool seen[256] = { false };

		REQUIRE(cam_dequeue(&c, &cb) == 0);
		CHECK(!(b->flags & V4L2_BUF_FLAG_ERROR));
		for (unsigned int p = 0; p < planes; p++) {
			ret = aiot_model_bind_input_dmabuf(model, p, c.dmabuf[b->index][p], 0,
							   cam_used(&c, &cb, p), err, sizeof(err));
			if (ret)
				tap_diag("bind plane %u: %s", p, err);
			REQUIRE(ret == 0);
		}
		REQUIRE(aiot_model_submit(model, NULL, &job) == 0);
		pfd = (struct pollfd){ .fd = aiot_job_get_fence_fd(job), .events = POLLIN };
		CHECK_EQ(poll(&pfd, 1, 20000), 1);
		CHECK_EQ(aiot_job_wait(job, 0), 0);
		CHECK_EQ(aiot_job_get_status(job), 0);
		aiot_job_get_timing(job, NULL, NULL, &started, &ended);
		if (started && ended >= started)
			dev[ndev++] = ended - started;
		aiot_job_free(job);
		REQUIRE(aiot_model_map_output(model, 0, (const void **)&npu) == 0);
		/* The reference: the CPU executor on the V4L2 buffer's bytes. */
		memset(want, 0x5a, sizeof(want));
		bind[1] = c.map[b->index][0];
		sizes[1] = c.len[b->index][0];
		bind[2] = want;
		sizes[2] = sizeof(want);
		if (planes == 2) {
			bind[4] = c.map[b->index][1];
			sizes[4] = c.len[b->index][1];
		}
		CHECK_EQ(aiot_isa_execute(pre_stream, sizeof(pre_stream), bind, sizes,
					  planes == 2 ? 5 : 3), 0);
		for (size_t k = 0; k < sizeof(want); k++) {
			if (!seen[want[k]])
				distinct++;
			seen[want[k]] = true;
		}
		CHECK(distinct >= 4);	/* vivid's bars, converted: a picture */
		if (memcmp(npu, want, sizeof(want))) {
			size_t k = 0;

			while ((uint8_t)npu[k] == want[k])
				k++;
			tap_diag("%s frame #%u: element %zu is %d on the NPU, %d on the CPU", name,
				 b->sequence, k, npu[k], (int8_t)want[k]);
			CHECK(!"the NPU's preprocessing differs from the CPU executor's");
		}
		CHECK(ioctl(c.fd, VIDIOC_QBUF, b) == 0);
	}
	CHECK_EQ(aiot_accel_get_stat(accel, AIOT_STAT_BYTES_COPIED), 0);
	CHECK(cam_stop(&c) == 0);
	CHECK_EQ(cam_returned(&c), NBUF);
	for (unsigned int i = 0; i < NBUF; i++)
		for (unsigned int p = 0; p < planes; p++)
			CHECK_EQ(aiot_model_release_dmabuf(model, c.dmabuf[i][p]), 0);
	CHECK_EQ(aiot_model_get_dmabuf_count(model), 0);
	CHECK_EQ(cam_close(&c), 0);
	if (ndev) {
		qsort(dev, ndev, sizeof(dev[0]), cmp_u64);
		tap_diag("figures: FRAME_TO_TENSOR %s 640x480 -> 96x96 alone: device time p50 "
			 "%.3f ms (%u jobs)", name, (double)dev[ndev / 2] / 1e6, ndev);
	}
	aiot_model_free(model);
	aiot_accel_close(accel);
	CHECK_EQ(vivid_unload(), 0);
	unlink(path);
}

static void preproc_yuyv_npu_equals_cpu(void)
{
	preproc_frames(V4L2_PIX_FMT_YUYV, AIOT_ISA_PIX_YUYV, "YUYV", "");
}

static void preproc_nv12_npu_equals_cpu(void)
{
	preproc_frames(V4L2_PIX_FMT_NV12, AIOT_ISA_PIX_NV12, "NV12", "");
}

/* vivid multiplanar=2: NV12M, each plane its own dma-buf and input (ISA 1.6). */
static void preproc_nv12m_npu_equals_cpu(void)
{
	preproc_frames(V4L2_PIX_FMT_NV12M, AIOT_ISA_PIX_NV12M, "NV12M", "multiplanar=2");
}

/*
 * aiot-run --v4l2 with person_detect compiled with --input FMT:640x480:
 * negotiates that format, every frame decided, figures printed.
 */
static void person_detect_live_opts(const char *model, const char *fmt_line,
				    const char *vivid_params, const char *opts)
{
	char args[256];
	const char *sum, *stop;
	double fps = 0, p50, p99, devp50, cam_fps = 0;
	unsigned long long dec = 0, frames = 0;
	int n = 0;

	if (access(RUN, X_OK) || access(model, R_OK))
		TAP_SKIP("no aiot-run or person_detect_*640.aiot in the guest");
	REQUIRE(vivid_load(vivid_params) == 0);
	REQUIRE(vivid_prepare(&cam_fps) == 0);	/* start-of-exposure timestamps */
	snprintf(args, sizeof(args), "--v4l2 %s %s--count %d %s", video, opts, 30, model);
	CHECK_EQ(run(args), 0);
	CHECK(aiot_test_cmd_has(&out, fmt_line));
	CHECK(aiot_test_cmd_has(&out, "640x480 camera frame ("));
	for (int i = 0; i < out.n; i++)
		if (out.line[i][0] == '#' && strstr(out.line[i], "capture->decision") &&
		    (strstr(out.line[i], " person ") || strstr(out.line[i], " no_person ")))
			n++;
	CHECK_EQ(n, 30);
	stop = aiot_test_cmd_find_line(&out, "stop: ");
	REQUIRE(stop != NULL);
	CHECK(strstr(stop, "buffers returned 4/4, NPU imports left 0, buffers freed (REQBUFS 0): "
			   "yes") != NULL);
	sum = aiot_test_cmd_find_line(&out, "summary: ");
	REQUIRE(sum != NULL);
	CHECK(sscanf(sum, "summary: %llu decisions on %llu frames", &dec, &frames) == 2);
	CHECK_EQ(dec, 30);
	CHECK(strstr(sum, ", 0 B copied by the CPU,") != NULL);
	CHECK(strstr(sum, " 0 errors;") != NULL);
	p50 = aiot_test_time_after(sum, "p50 ");
	p99 = aiot_test_time_after(sum, "p99 ");
	devp50 = aiot_test_time_after(sum, "device p50 ");
	{
		const char *f = strstr(sum, "(");

		CHECK(f && sscanf(f, "(%lf frames/s", &fps) == 1 && fps > 0);
	}
	CHECK(!strstr(sum, "stamped after their decision"));
	tap_diag("figures: %s%s: %.2f frames/s, capture->decision p50 %.2f ms p99 %.2f ms, "
		 "device (preprocessing + model) p50 %.2f ms, 0 B copied", opts, model, fps,
		 p50 / 1e6, p99 / 1e6, devp50 / 1e6);
	if (strstr(sum, " pipeline: ")) {
		unsigned long long handed = 0, skipped = 0, late = 0;
		double wk = -1;

		CHECK(sscanf(strstr(sum, " pipeline: "), " pipeline: %llu frames handed in, %llu "
			     "skipped (model busy), %llu late, %lf userspace wake-ups per frame",
			     &handed, &skipped, &late, &wk) == 4);
		CHECK(handed >= dec && wk > 0 && wk <= 2.5);
		tap_diag("figures: pipeline: %llu frames handed in, %llu skipped (model busy), "
			 "%.2f userspace wake-ups per frame", handed, skipped, wk);
	}
	CHECK_EQ(vivid_unload(), 0);
}

static void person_detect_live(const char *model, const char *fmt_line,
			       const char *vivid_params)
{
	person_detect_live_opts(model, fmt_line, vivid_params, "");
}

/* The same through the standing pipeline: YUYV, and NV12M's two planes. */
static void pipeline_person_detect_yuyv_live(void)
{
	person_detect_live_opts(MODELS "person_detect_yuyv640.aiot",
				"format: YUYV 640x480, 614400 bytes per frame: the frame the model "
				"was compiled for", "", "--pipeline ");
	CHECK(aiot_test_cmd_has(&out, "pipeline: the model runs in the kernel"));
}

static void pipeline_person_detect_nv12m_live(void)
{
	person_detect_live_opts(MODELS "person_detect_nv12m640.aiot",
				"format: NM12 640x480, 307200 + 153600 bytes in two planes, each "
				"its own dma-buf and its own input of the model", "multiplanar=2",
				"--pipeline ");
	CHECK(aiot_test_cmd_has(&out, "buffers: 4 MMAP buffers of 2 planes, each exported once "
			 "(VIDIOC_EXPBUF); the pipeline imports each dma-buf once"));
}

static void person_detect_yuyv_live(void)
{
	person_detect_live(MODELS "person_detect_yuyv640.aiot",
			   "format: YUYV 640x480, 614400 bytes per frame: the frame the model "
			   "was compiled for", "");
}

static void person_detect_nv12_live(void)
{
	person_detect_live(MODELS "person_detect_nv12640.aiot",
			   "format: NV12 640x480, 460800 bytes per frame: the frame the model "
			   "was compiled for", "");
}

/*
 * vivid multiplanar=2, person_detect compiled with --input nv12m:640x480:
 * both planes of each buffer bound as the model's two inputs, no copy.
 */
static void person_detect_nv12m_live(void)
{
	person_detect_live(MODELS "person_detect_nv12m640.aiot",
			   "format: NM12 640x480, 307200 + 153600 bytes in two planes, each its "
			   "own dma-buf and its own input of the model", "multiplanar=2");
	CHECK(aiot_test_cmd_has(&out, "multi-planar API"));
	CHECK(aiot_test_cmd_has(&out, "buffers: 4 MMAP buffers of 2 planes, each plane "
			 "exported once (VIDIOC_EXPBUF) and imported once into the NPU as its own "
			 "input (8 dma-bufs held)"));
}

/* A blob compiled for a frame size the camera does not have: refused clearly. */
static void frame_blob_refused_when_camera_cannot(void)
{
	char args[256];

	if (access(RUN, X_OK))
		TAP_SKIP("no aiot-run in the guest");
	REQUIRE(vivid_load("") == 0);
	REQUIRE(write_preproc_model("/tmp/odd.aiot", V4L2_PIX_FMT_YUYV, AIOT_ISA_PIX_YUYV, 642,
				    480) == 0);
	snprintf(args, sizeof(args), "--v4l2 %s --count 1 /tmp/odd.aiot", video);
	CHECK_EQ(run(args), 1);
	CHECK(aiot_test_cmd_has(&out, "input a YUYV 642x480 camera frame"));
	CHECK(aiot_test_cmd_has(&out, "cannot give the frame the model was compiled for: "
			 "resize (or crop) 640x480 -> 642x480"));
	CHECK(!aiot_test_cmd_find_line(&out, "summary: "));
	CHECK_EQ(vivid_unload(), 0);
	unlink("/tmp/odd.aiot");
}

/* ------------------------------------------ standing pipeline (uAPI 1.3) */

/*
 * vivid's frames handed to an external standing pipeline (the halves model,
 * K = 1, aiot_pipeline_push_frame()): each record's output bytes equal a
 * plain job's (another instance of the same model) on the same V4L2
 * buffer, its sequence and timestamp the buffer's; the frame's fence
 * signals; nothing copied; at stop every buffer back, REQBUFS 0 succeeds
 * once the pipeline is freed, vivid unloads.
 */
static void pipeline_record_equals_plain_job(void)
{
	const uint32_t halves[4] = { 1, 1, 2, 1 };
	struct aiot_accel *accel = NULL;
	struct aiot_model *mp = NULL, *mj = NULL;
	struct aiot_pipeline *pipe = NULL;
	struct aiot_pipeline_stats st;
	struct aiot_buffer *imp;
	struct cam c = { .fd = -1 };
	char err[256];
	int ret, equal = 0, closed = -1;

	REQUIRE(write_model("/tmp/halves.aiot", AIOT_ISA_OP_AVERAGE_POOL_2D, AIOT_ISA_DTYPE_INT8,
			    H, W, 1, halves) == 0);
	REQUIRE(vivid_load("") == 0);
	REQUIRE(aiot_accel_open_default(&accel) == 0);
	if (!aiot_accel_has_capability(accel, AIOT_ACCEL_CAP_PIPELINE_EXTERNAL))
		CHECK(!"no AIOT_ACCEL_CAP_PIPELINE_EXTERNAL");
	ret = aiot_model_load_file(accel, "/tmp/halves.aiot", &mp, err, sizeof(err));
	if (!ret)
		ret = aiot_model_load_file(accel, "/tmp/halves.aiot", &mj, err, sizeof(err));
	if (ret)
		tap_diag("load: %s", err);
	REQUIRE(ret == 0);
	REQUIRE(aiot_pipeline_create_external(NULL, mp, 1, 0, &pipe) == 0);
	REQUIRE(aiot_pipeline_start(pipe) == 0);
	REQUIRE(cam_open(&c, V4L2_PIX_FMT_GREY) == 0);
	for (unsigned int i = 0; i < NBUF; i++)
		REQUIRE(aiot_model_import_input_dmabuf(mj, 0, c.dmabuf[i][0], 0, 0, &imp, err,
						       sizeof(err)) == 0);
	REQUIRE(cam_start(&c) == 0);
	for (int f = 0; f < FRAMES; f++) {
		struct aiot_pipeline_record rec;
		struct aiot_job *job = NULL;
		struct cam_buf cb;
		struct v4l2_buffer b;
		const uint8_t *jout;
		uint64_t ts;
		int fence = -1;

		REQUIRE(cam_dequeue(&c, &cb) == 0);
		b = cb.b;
		ts = (uint64_t)b.timestamp.tv_sec * 1000000000ull +
		     (uint64_t)b.timestamp.tv_usec * 1000ull;
		/* One at a time: the previous period has ended, never skipped. */
		CHECK_EQ(aiot_pipeline_push_frame(pipe, &c.dmabuf[b.index][0], 1, b.sequence, ts,
						  &fence), 0);
		REQUIRE(fence >= 0);
		{
			struct pollfd pfd = { .fd = fence, .events = POLLIN };

			CHECK_EQ(poll(&pfd, 1, 20000), 1);
			close(fence);
		}
		REQUIRE(aiot_pipeline_read(pipe, &rec, 20000000000LL) == 1);
		CHECK_EQ(rec.status, 0);
		CHECK_EQ(rec.sequence, b.sequence);
		CHECK_EQ(rec.first_sample_ns, ts);
		/* The same frame through a plain job. */
		REQUIRE(aiot_model_bind_input_dmabuf(mj, 0, c.dmabuf[b.index][0], 0, b.bytesused,
						     err, sizeof(err)) == 0);
		REQUIRE(aiot_model_submit(mj, NULL, &job) == 0);
		CHECK_EQ(aiot_job_wait(job, 20000000000LL), 0);
		CHECK_EQ(aiot_job_get_status(job), 0);
		aiot_job_free(job);
		REQUIRE(aiot_model_map_output(mj, 0, (const void **)&jout) == 0);
		CHECK_EQ(rec.output_size, aiot_tensor_info_get_size(aiot_model_get_output_info(mj, 0)));
		if (!memcmp(rec.output, jout, rec.output_size))
			equal++;
		else
			tap_diag("frame #%u: the pipeline's output %d %d, the plain job's %d %d",
				 b.sequence, (int8_t)rec.output[0], (int8_t)rec.output[1],
				 (int8_t)jout[0], (int8_t)jout[1]);
		CHECK(ioctl(c.fd, VIDIOC_QBUF, &cb.b) == 0);
	}
	CHECK_EQ(equal, FRAMES);
	REQUIRE(aiot_pipeline_get_stats(pipe, &st) == 0);
	CHECK_EQ(st.slots, FRAMES);
	CHECK_EQ(st.decisions, FRAMES);
	CHECK_EQ(st.skipped_slots, 0);
	CHECK_EQ(aiot_accel_get_stat(accel, AIOT_STAT_BYTES_COPIED), 0);
	CHECK(cam_stop(&c) == 0);
	CHECK_EQ(cam_returned(&c), NBUF);
	aiot_pipeline_free(pipe);
	for (unsigned int i = 0; i < NBUF; i++)
		CHECK_EQ(aiot_model_release_dmabuf(mj, c.dmabuf[i][0]), 0);
	/* The pipeline's imports go in a work item after its file closed. */
	for (int i = 0; i < 200 && closed; i++) {
		struct v4l2_requestbuffers req = { .count = 0, .type = c.type,
						   .memory = V4L2_MEMORY_MMAP };

		closed = ioctl(c.fd, VIDIOC_REQBUFS, &req) ? -errno : 0;
		if (closed)
			usleep(10 * 1000);
	}
	CHECK_EQ(closed, 0);
	c.count = 0;
	CHECK_EQ(cam_close(&c), 0);
	aiot_model_free(mj);
	aiot_model_free(mp);
	aiot_accel_close(accel);
	CHECK_EQ(vivid_unload(), 0);
}

/* aiot-run --v4l2 --pipeline: the halves model live, every buffer back. */
static void aiot_run_pipeline_live_on_vivid(void)
{
	const uint32_t halves[4] = { 1, 1, 2, 1 };
	const char *sum, *stop, *wk;
	char args[256], label[32];
	int n = 0, agree = 0;
	double fps = 0, p50, p99, devp50, wakeups = -1, cam_fps = 0;
	unsigned long long dec = 0, frames = 0;

	if (access(RUN, X_OK))
		TAP_SKIP("no aiot-run in the guest");
	REQUIRE(write_model("/tmp/halves.aiot", AIOT_ISA_OP_AVERAGE_POOL_2D, AIOT_ISA_DTYPE_INT8,
			    H, W, 1, halves) == 0);
	REQUIRE(vivid_load("") == 0);
	REQUIRE(vivid_prepare(&cam_fps) == 0);
	snprintf(args, sizeof(args), "--v4l2 %s --pipeline --count %d --labels left,right "
		 "/tmp/halves.aiot", video, COUNT);
	CHECK_EQ(run(args), 0);
	CHECK(aiot_test_cmd_has(&out, "pipeline: the model runs in the kernel on each frame"));
	CHECK(aiot_test_cmd_has(&out, "the pipeline imports each dma-buf once"));
	for (int i = 0; i < out.n; i++) {
		unsigned int seq;
		double t, score, lat;
		char unit[8];

		if (out.line[i][0] != '#')
			continue;
		if (sscanf(out.line[i], "#%u t=%lf s %31s %lf capture->decision %lf %7s", &seq, &t, label,
			   &score, &lat, unit) != 6) {
			tap_diag("unparsed: %s", out.line[i]);
			CHECK(!"a decision line that does not parse");
			continue;
		}
		n++;
		CHECK(aiot_test_to_ns(lat, unit) > 0 && aiot_test_to_ns(lat, unit) < 30e9);
		if (last_halves >= 0)
			agree += !strcmp(label, last_halves ? "right" : "left");
	}
	CHECK_EQ(n, COUNT);
	if (last_halves >= 0)
		CHECK_EQ(agree, n);
	stop = aiot_test_cmd_find_line(&out, "stop: ");
	REQUIRE(stop != NULL);
	CHECK(strstr(stop, "buffers returned 4/4, NPU imports left 0, buffers freed (REQBUFS 0): "
			   "yes") != NULL);
	sum = aiot_test_cmd_find_line(&out, "summary: ");
	REQUIRE(sum != NULL);
	CHECK(sscanf(sum, "summary: %llu decisions on %llu frames", &dec, &frames) == 2);
	CHECK_EQ(dec, COUNT);
	CHECK(strstr(sum, ", 0 B copied by the CPU,") != NULL);
	CHECK(strstr(sum, " 0 errors;") != NULL);
	p50 = aiot_test_time_after(sum, "p50 ");
	p99 = aiot_test_time_after(sum, "p99 ");
	devp50 = aiot_test_time_after(sum, "device p50 ");
	CHECK(p50 > 0 && p99 >= p50);
	{
		const char *f = strstr(sum, "(");

		CHECK(f && sscanf(f, "(%lf frames/s", &fps) == 1 && fps > 0);
	}
	wk = strstr(sum, "skipped (model busy), ");
	CHECK(wk != NULL);
	if (wk) {
		unsigned long long late;

		CHECK(sscanf(wk, "skipped (model busy), %llu late, %lf userspace wake-ups per frame",
			     &late, &wakeups) == 2);
		/* One wake-up for the frame, at most one for its record. */
		CHECK(wakeups > 0 && wakeups <= 2.5);
	}
	tap_diag("figures: --pipeline GREY 320x180: %.2f frames/s decided (camera %.2f), "
		 "capture->decision p50 %.2f ms p99 %.2f ms, device (model) p50 %.3f ms, "
		 "%.2f wake-ups per frame, 0 B copied", fps, cam_fps, p50 / 1e6, p99 / 1e6,
		 devp50 / 1e6, wakeups);
	CHECK_EQ(vivid_unload(), 0);
}

static void vivid_gone(void)
{
	CHECK(!aiot_test_module_loaded("vivid"));
	/* Loads and unloads once more after all of it. */
	CHECK_EQ(vivid_load(""), 0);
	CHECK_EQ(vivid_unload(), 0);
	unlink("/tmp/halves.aiot");
}

TAP_MAIN(TAP_CASE(grey_vmalloc_byte_for_byte), TAP_CASE(grey_dma_contig_byte_for_byte),
	 TAP_CASE(yuyv_dma_contig_byte_for_byte), TAP_CASE(model_free_releases_imports),
	 TAP_CASE(aiot_run_live_on_vivid), TAP_CASE(aiot_run_stops_on_ctrl_c),
	 TAP_CASE(aiot_run_refuses_what_needs_preprocessing),
	 TAP_CASE(preproc_yuyv_npu_equals_cpu), TAP_CASE(preproc_nv12_npu_equals_cpu),
	 TAP_CASE(person_detect_yuyv_live), TAP_CASE(person_detect_nv12_live),
	 TAP_CASE(preproc_nv12m_npu_equals_cpu), TAP_CASE(person_detect_nv12m_live),
	 TAP_CASE(frame_blob_refused_when_camera_cannot),
	 TAP_CASE(pipeline_record_equals_plain_job), TAP_CASE(aiot_run_pipeline_live_on_vivid),
	 TAP_CASE(pipeline_person_detect_yuyv_live), TAP_CASE(pipeline_person_detect_nv12m_live),
	 TAP_CASE(vivid_gone))
