// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-run --v4l2: the model on every frame of a V4L2 camera, on the NPU
 * with no copy. The camera's MMAP buffers are exported once each
 * (VIDIOC_EXPBUF) and imported once each into the model
 * (aiot_model_import_input_dmabuf()); each dequeued frame is bound as the
 * model's input, the job submitted, and the buffer queued back to the
 * camera only when the job's fence (a sync_file) signalled. Each decision
 * is printed with the frame's V4L2 timestamp -> decision latency.
 *
 * Multi-planar cameras (V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE) work the same
 * way: each plane of each buffer is exported once (VIDIOC_EXPBUF .plane)
 * and is its own input of the model: an NV12M blob (aiot-compile --input
 * nv12m:WxH) takes the luma plane as input 0 and the chroma plane as
 * input 1, two dma-bufs bound with no copy.
 *
 * With --pipeline the frames go to a standing pipeline instead (uAPI 1.3,
 * docs/pipeline.md): each dequeued frame's dma-bufs are handed to the
 * kernel (aiot_pipeline_push_frame(), imported once per buffer there),
 * which runs the model on it with no job queued by us; a frame that comes
 * while the model still runs is skipped by the kernel and queued back at
 * once. A buffer goes back to the camera when the decision record of its
 * frame is read (the model is the only job that reads it), so one poll()
 * wake-up serves both the release and the decision.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <aiot/pipeline.h>

#include <linux/videodev2.h>

#include "run.h"
#include "v4l2_fmt.h"

#define V4L2_MAX_BUFFERS LP_MAX_SLOTS

#define V4L2_MAX_PLANES 2	/* NV12M's; the model's inputs */

struct cam {
	int fd;
	const char *path;
	struct v4l2_format fmt;
	uint32_t type;			/* V4L2_BUF_TYPE_VIDEO_CAPTURE(_MPLANE) */
	unsigned int planes;		/* memory planes per buffer, 1 or 2 */
	unsigned int count;		/* buffers the driver gave */
	/* EXPBUF fds per buffer and plane, -1 when none */
	int dmabuf[V4L2_MAX_BUFFERS][V4L2_MAX_PLANES];
	bool streaming;
	bool pipeline;			/* --pipeline: the kernel imports them */
};

/* A buffer with room for its planes (multi-planar API). */
struct cam_buf {
	struct v4l2_buffer b;
	struct v4l2_plane planes[V4L2_MAX_PLANES];
};

static void cam_buf_init(const struct cam *c, struct cam_buf *cb, unsigned int index)
{
	memset(cb, 0, sizeof(*cb));
	cb->b.type = c->type;
	cb->b.memory = V4L2_MEMORY_MMAP;
	cb->b.index = index;
	if (c->type == V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE) {
		cb->b.m.planes = cb->planes;
		cb->b.length = V4L2_MAX_PLANES;
	}
}

/* *dst = *src, the plane pointer pointing at dst's own planes. */
static void cam_buf_copy(struct cam_buf *dst, const struct cam_buf *src)
{
	*dst = *src;
	if (src->b.type == V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE)
		dst->b.m.planes = dst->planes;
}

/* Bytes the driver filled in plane @p of a dequeued buffer. */
static uint32_t cam_buf_used(const struct cam_buf *cb, unsigned int p)
{
	if (cb->b.type == V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE)
		return cb->planes[p].bytesused;
	return cb->b.bytesused;
}

static volatile sig_atomic_t v4l2_stop;

static void on_v4l2_signal(int sig)
{
	(void)sig;
	v4l2_stop = 1;
}

static int xioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do
		ret = ioctl(fd, req, arg);
	while (ret < 0 && errno == EINTR);
	return ret;
}

static void fourcc_str(uint32_t f, char out[5])
{
	for (int i = 0; i < 4; i++) {
		char c = (char)((f >> (8 * i)) & 0xff);

		out[i] = c >= ' ' && c <= '~' ? c : '?';
	}
	out[4] = '\0';
}

/* The camera's pixel formats for capture buffers of @type. */
static unsigned int enum_formats(int fd, uint32_t type, uint32_t *fmts, unsigned int max)
{
	unsigned int n = 0;

	for (unsigned int i = 0; n < max; i++) {
		struct v4l2_fmtdesc d = { .index = i, .type = type };

		if (xioctl(fd, VIDIOC_ENUM_FMT, &d))
			break;
		fmts[n++] = d.pixelformat;
	}
	return n;
}

/*
 * Open the camera and agree on a format the model's input takes as it is.
 * Prints each decision; 0, or EXIT_FAIL/EXIT_USAGE after the reason.
 */
static int negotiate(struct cam *c, const struct tensor_desc *in, unsigned int nplanes,
		     size_t in1_size)
{
	struct {
		uint32_t fourcc, width, height, field;
		uint32_t bpl[V4L2_MAX_PLANES], sizeimage[V4L2_MAX_PLANES];
	} got = { 0 };
	struct v4l2_capability cap = { 0 };
	struct v4l2_streamparm parm = { 0 };
	struct v4l2_fract *tpf;
	struct v4l2_fmt_want want;
	uint32_t fmts[256], caps;
	unsigned int nfmts;
	char a[5], b[5], why[256];
	int bad;

	if (in->pixel_format) {
		/* compiled with aiot-compile --input: the frame is the input */
		want.fourcc = in->pixel_format;
		want.width = in->dims[2];
		want.height = in->dims[1];
		/* NV12M: 1 byte per pixel in the luma plane, input 0 */
		want.bytes_per_pixel = in->pixel_format == V4L2_PIX_FMT_YUYV ||
				       in->pixel_format == V4L2_PIX_FMT_UYVY ? 2 :
				       in->pixel_format == V4L2_PIX_FMT_RGB24 ||
				       in->pixel_format == V4L2_PIX_FMT_BGR24 ? 3 : 1;
	} else if (v4l2_fmt_want_for(in->dtype, in->dims, &want, why, sizeof(why))) {
		fprintf(stderr, "aiot-run: the model's input %s [%ux%ux%ux%u] cannot come from a "
			"camera as it is: %s\n", dtype_name(in->dtype), in->dims[0], in->dims[1],
			in->dims[2], in->dims[3], why);
		return EXIT_FAIL;
	}
	c->fd = open(c->path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (c->fd < 0) {
		fprintf(stderr, "aiot-run: %s: %s\n", c->path, strerror(errno));
		return EXIT_FAIL;
	}
	if (xioctl(c->fd, VIDIOC_QUERYCAP, &cap)) {
		fprintf(stderr, "aiot-run: %s is not a V4L2 device (%s)\n", c->path,
			strerror(errno));
		return EXIT_FAIL;
	}
	caps = cap.capabilities & V4L2_CAP_DEVICE_CAPS ? cap.device_caps : cap.capabilities;
	/*
	 * Multi-planar capture when the camera has only that, or when the
	 * model takes the planes in buffers of their own (NV12M).
	 */
	if ((caps & V4L2_CAP_VIDEO_CAPTURE_MPLANE) &&
	    (!(caps & V4L2_CAP_VIDEO_CAPTURE) || want.fourcc == V4L2_PIX_FMT_NV12M))
		c->type = V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE;
	else
		c->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	if (!(caps & V4L2_CAP_STREAMING) ||
	    !(caps & (V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_VIDEO_CAPTURE_MPLANE))) {
		fprintf(stderr, "aiot-run: %s (%s, %s) is no streaming capture device\n", c->path,
			(const char *)cap.driver, (const char *)cap.card);
		return EXIT_FAIL;
	}
	if (want.fourcc == V4L2_PIX_FMT_NV12M && c->type != V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE) {
		fprintf(stderr, "aiot-run: %s (%s) is no multi-planar capture device: an NV12M "
			"model takes its two planes in buffers of their own (compile it with "
			"--input nv12:WxH for a single-planar camera)\n", c->path,
			(const char *)cap.driver);
		return EXIT_FAIL;
	}
	printf("camera %s: %s (%s)%s\n", c->path, (const char *)cap.card,
	       (const char *)cap.driver,
	       c->type == V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE ? ", multi-planar API" : "");
	nfmts = enum_formats(c->fd, c->type, fmts, 256);
	fourcc_str(want.fourcc, a);
	if (!v4l2_fmt_offered(fmts, nfmts, want.fourcc)) {
		uint32_t near = v4l2_fmt_nearest(fmts, nfmts, want.fourcc);

		if (!near) {
			fprintf(stderr, "aiot-run: %s offers no pixel format at all\n", c->path);
			return EXIT_FAIL;
		}
		fourcc_str(near, b);
		if (in->pixel_format) {
			uint32_t alt = 0;

			for (unsigned int i = 0; i < nfmts && !alt; i++)
				if (!aiot_model_frame_size(fmts[i], want.width, want.height, NULL))
					alt = fmts[i];
			fourcc_str(alt, b);
			fprintf(stderr, "aiot-run: %s does not offer %s, the frame the model was "
				"compiled for (aiot-compile --input); %s%s\n", c->path, a,
				alt ? "it offers " : "none of its formats is one --input takes",
				alt ? b : "");
			return EXIT_FAIL;
		}
		printf("format: the model takes %s; the camera does not offer it, nearest: %s "
		       "(%s)\n", a, b, v4l2_fmt_why_nearest(want.fourcc, near));
		fprintf(stderr, "aiot-run: %s gives %s, the model takes %s %ux%u: needs "
			"preprocessing: pixel-format conversion %s -> %s (compile the model with "
			"aiot-compile --input FMT:WxH for the camera's frames)\n",
			c->path, b, a, want.width, want.height, b, a);
		return EXIT_FAIL;
	}
	c->fmt.type = c->type;
	if (c->type == V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE) {
		c->fmt.fmt.pix_mp.width = want.width;
		c->fmt.fmt.pix_mp.height = want.height;
		c->fmt.fmt.pix_mp.pixelformat = want.fourcc;
		c->fmt.fmt.pix_mp.field = V4L2_FIELD_NONE;
	} else {
		c->fmt.fmt.pix.width = want.width;
		c->fmt.fmt.pix.height = want.height;
		c->fmt.fmt.pix.pixelformat = want.fourcc;
		c->fmt.fmt.pix.field = V4L2_FIELD_NONE;
	}
	if (xioctl(c->fd, VIDIOC_S_FMT, &c->fmt)) {
		fprintf(stderr, "aiot-run: %s: VIDIOC_S_FMT %s %ux%u: %s\n", c->path, a,
			want.width, want.height, strerror(errno));
		return EXIT_FAIL;
	}
	if (c->type == V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE) {
		const struct v4l2_pix_format_mplane *mp = &c->fmt.fmt.pix_mp;

		got.fourcc = mp->pixelformat;
		got.width = mp->width;
		got.height = mp->height;
		got.field = mp->field;
		c->planes = mp->num_planes;
		for (unsigned int p = 0; p < V4L2_MAX_PLANES && p < mp->num_planes; p++) {
			got.bpl[p] = mp->plane_fmt[p].bytesperline;
			got.sizeimage[p] = mp->plane_fmt[p].sizeimage;
		}
	} else {
		got.fourcc = c->fmt.fmt.pix.pixelformat;
		got.width = c->fmt.fmt.pix.width;
		got.height = c->fmt.fmt.pix.height;
		got.field = c->fmt.fmt.pix.field;
		got.bpl[0] = c->fmt.fmt.pix.bytesperline;
		got.sizeimage[0] = c->fmt.fmt.pix.sizeimage;
		c->planes = 1;
	}
	fourcc_str(got.fourcc, b);
	if (c->planes != nplanes) {
		fprintf(stderr, "aiot-run: %s: %s in %u memory planes, the model takes %u "
			"input%s\n", c->path, b, c->planes, nplanes, nplanes > 1 ? "s" : "");
		return EXIT_FAIL;
	}
	bad = v4l2_fmt_check(&want, got.fourcc, got.width, got.height, got.bpl[0],
			     got.field != V4L2_FIELD_NONE, why, sizeof(why));
	if (!bad && nplanes == 2 && got.bpl[1] != got.width) {
		snprintf(why, sizeof(why), "chroma rows padded to %u bytes, the model's are %u: "
			 "a crop that drops the padding (aiot-compile --input takes packed rows)",
			 got.bpl[1], got.width);
		bad = -EINVAL;
	}
	if (bad) {
		printf("format: asked %s %ux%u, the camera gives %s %ux%u (%u bytes per row)\n",
		       a, want.width, want.height, b, got.width, got.height, got.bpl[0]);
		if (in->pixel_format)
			fprintf(stderr, "aiot-run: %s cannot give the frame the model was compiled "
				"for: %s\n", c->path, why);
		else
			fprintf(stderr, "aiot-run: %s: needs preprocessing: %s\n", c->path, why);
		return EXIT_FAIL;
	}
	for (unsigned int p = 0; p < nplanes; p++) {
		size_t need = p ? in1_size : in->size;

		if (!in->pixel_format || got.sizeimage[p] >= need)
			continue;
		fprintf(stderr, "aiot-run: %s: %s %ux%u frames of %u bytes%s, the model reads "
			"%zu\n", c->path, b, got.width, got.height, got.sizeimage[p],
			nplanes > 1 ? (p ? " in the chroma plane" : " in the luma plane") : "",
			need);
		return EXIT_FAIL;
	}
	if (nplanes == 2)
		printf("format: %s %ux%u, %u + %u bytes in two planes, each its own dma-buf and "
		       "its own input of the model: the frame the model was compiled for "
		       "(FRAME_TO_TENSOR converts it on the NPU)\n", b, got.width, got.height,
		       got.sizeimage[0], got.sizeimage[1]);
	else 	if (in->pixel_format)
		printf("format: %s %ux%u, %u bytes per frame: the frame the model was compiled "
		       "for (FRAME_TO_TENSOR converts it on the NPU)\n", b, got.width, got.height,
		       got.sizeimage[0]);
	else
		printf("format: %s %ux%u, %u bytes per frame: the model's input as it is (no "
		       "preprocessing)\n", b, got.width, got.height, got.sizeimage[0]);
	parm.type = c->type;
	tpf = &parm.parm.capture.timeperframe;
	if (!xioctl(c->fd, VIDIOC_G_PARM, &parm) && tpf->numerator && tpf->denominator)
		printf("frame interval: %u/%u s (%.2f frames/s, the camera's setting)\n",
		       tpf->numerator, tpf->denominator,
		       (double)tpf->denominator / tpf->numerator);
	return 0;
}

/* REQBUFS MMAP, EXPBUF each buffer once, import each into the model once. */
static int setup_buffers(struct cam *c, struct session *s, unsigned int want)
{
	struct v4l2_requestbuffers req = {
		.count = want, .type = c->type, .memory = V4L2_MEMORY_MMAP,
	};
	struct aiot_buffer *buf;
	char err[LP_ERR_LEN];
	int ret;

	if (xioctl(c->fd, VIDIOC_REQBUFS, &req)) {
		fprintf(stderr, "aiot-run: %s: VIDIOC_REQBUFS %u MMAP: %s\n", c->path, want,
			strerror(errno));
		return EXIT_FAIL;
	}
	if (req.count < 2 || req.count > V4L2_MAX_BUFFERS) {
		fprintf(stderr, "aiot-run: %s gave %u buffers; 2..%d work\n", c->path, req.count,
			V4L2_MAX_BUFFERS);
		c->count = req.count;
		return EXIT_FAIL;
	}
	c->count = req.count;
	/* Each plane of each buffer: its own dma-buf, input p of the model. */
	for (unsigned int i = 0; i < c->count * c->planes; i++) {
		unsigned int idx = i / c->planes, p = i % c->planes;
		struct v4l2_exportbuffer exp = {
			.type = c->type, .index = idx, .plane = p,
			.flags = O_RDWR | O_CLOEXEC,
		};

		if (xioctl(c->fd, VIDIOC_EXPBUF, &exp)) {
			fprintf(stderr, "aiot-run: %s: VIDIOC_EXPBUF of buffer %u plane %u: %s\n",
				c->path, idx, p, strerror(errno));
			return EXIT_FAIL;
		}
		c->dmabuf[idx][p] = exp.fd;
		if (c->pipeline)
			continue;
		ret = aiot_model_import_input_dmabuf(s->model, p, exp.fd, 0, 0, &buf, err,
						     sizeof(err));
		if (ret) {
			fprintf(stderr, "aiot-run: buffer %u plane %u of %s into the NPU: %s\n",
				idx, p, c->path, err[0] ? err : aiot_strerror(ret));
			return EXIT_FAIL;
		}
	}
	if (c->pipeline)
		printf("buffers: %u MMAP buffers of %u plane%s, each exported once "
		       "(VIDIOC_EXPBUF); the pipeline imports each dma-buf once, on its "
		       "first frame\n", c->count, c->planes, c->planes > 1 ? "s" : "");
	else if (c->planes > 1)
		printf("buffers: %u MMAP buffers of %u planes, each plane exported once "
		       "(VIDIOC_EXPBUF) and imported once into the NPU as its own input (%u "
		       "dma-bufs held)\n", c->count, c->planes,
		       aiot_model_get_dmabuf_count(s->model));
	else
		printf("buffers: %u MMAP buffers, each exported once (VIDIOC_EXPBUF) and "
		       "imported once into the NPU (%u dma-bufs held)\n", c->count,
		       aiot_model_get_dmabuf_count(s->model));
	for (unsigned int i = 0; i < c->count; i++) {
		struct cam_buf cb;

		cam_buf_init(c, &cb, i);
		if (xioctl(c->fd, VIDIOC_QBUF, &cb.b)) {
			fprintf(stderr, "aiot-run: %s: VIDIOC_QBUF %u: %s\n", c->path, i,
				strerror(errno));
			return EXIT_FAIL;
		}
	}
	return 0;
}

/* Buffers the application holds: neither queued nor done in the driver. */
static unsigned int buffers_returned(const struct cam *c)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < c->count; i++) {
		struct cam_buf cb;

		cam_buf_init(c, &cb, i);
		if (!xioctl(c->fd, VIDIOC_QUERYBUF, &cb.b) &&
		    !(cb.b.flags & (V4L2_BUF_FLAG_QUEUED | V4L2_BUF_FLAG_DONE)))
			n++;
	}
	return n;
}

/*
 * Stop streaming, then give everything back: the NPU's imports, the
 * exported fds, and the buffers themselves (REQBUFS 0 fails while any is
 * still in use). Prints what it found; false if something was held.
 */
static bool teardown(struct cam *c, struct session *s, bool report)
{
	int type = (int)c->type;
	struct v4l2_requestbuffers req = {
		.count = 0, .type = c->type, .memory = V4L2_MEMORY_MMAP,
	};
	unsigned int returned = 0, held;
	bool ok = true, freed;

	if (c->fd < 0)
		return true;
	if (c->streaming && xioctl(c->fd, VIDIOC_STREAMOFF, &type))
		ok = false;
	c->streaming = false;
	if (c->count)
		returned = buffers_returned(c);
	for (unsigned int i = 0; i < c->count * V4L2_MAX_PLANES; i++) {
		int *fd = &c->dmabuf[i / V4L2_MAX_PLANES][i % V4L2_MAX_PLANES];

		if (*fd < 0)
			continue;
		if (!c->pipeline && aiot_model_release_dmabuf(s->model, *fd))
			ok = false;
		close(*fd);
		*fd = -1;
	}
	held = aiot_model_get_dmabuf_count(s->model);
	freed = !c->count || !xioctl(c->fd, VIDIOC_REQBUFS, &req);
	/*
	 * A pipeline's imports go when the kernel frees it, in a work item
	 * after its file closed: the buffers may be in use a little longer.
	 */
	for (int i = 0; !freed && c->pipeline && errno == EBUSY && i < 200; i++) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		nanosleep(&ts, NULL);
		freed = !xioctl(c->fd, VIDIOC_REQBUFS, &req);
	}
	if (report && c->count)
		printf("stop: buffers returned %u/%u, NPU imports left %u, buffers freed "
		       "(REQBUFS 0): %s\n", returned, c->count, held,
		       freed ? "yes" : strerror(errno));
	ok = ok && returned == c->count && !held && freed;
	close(c->fd);
	c->fd = -1;
	return ok;
}

static uint64_t timeval_ns(const struct timeval *tv)
{
	return (uint64_t)tv->tv_sec * 1000000000ull + (uint64_t)tv->tv_usec * 1000ull;
}

struct v4l2_run {
	struct lp_latencies lat, device;
	uint64_t frames, decisions, stale, gaps, errors;
	uint64_t future;	/* frames stamped after their decision */
	uint64_t first_ts, last_seq;
	bool have_seq;
	uint64_t frames_seen;
	unsigned int class_count[MAX_LABELS];
	/* --pipeline */
	struct aiot_pipeline *pipe;
	uint64_t held[V4L2_MAX_BUFFERS];	/* sequence + 1 of the frame it has, or 0 */
	struct cam_buf held_buf[V4L2_MAX_BUFFERS];
	uint64_t pushed, skipped, wakeups;
	bool draining;			/* --count reached: records only release */
};

/* One frame: bind it, run the model, wait for the fence, decide, requeue. */
static int one_frame(struct cam *c, struct session *s, struct cam_buf *cb,
		     struct v4l2_run *r, const struct live_opts *lo,
		     const char *const *labels, unsigned int nlabels)
{
	struct v4l2_buffer *b = &cb->b;
	struct aiot_job_config *opts = NULL;
	struct aiot_job *job = NULL;
	uint64_t cap_ns = timeval_ns(&b->timestamp), dec_ns, started = 0, ended = 0;
	struct pollfd pfd;
	const void *scores;
	char err[LP_ERR_LEN], t1[32], t2[32], lb[32];
	double score;
	unsigned int k;
	int ret = 0, fence;

	/* Every plane is an input: the luma and (NV12M) the chroma. */
	for (unsigned int p = 0; p < c->planes && !ret; p++) {
		ret = aiot_model_bind_input_dmabuf(s->model, p, c->dmabuf[b->index][p], 0,
						   cam_buf_used(cb, p), err, sizeof(err));
		if (ret)
			fprintf(stderr, "aiot-run: frame #%u plane %u: %s\n", b->sequence, p,
				err);
	}
	if (ret)
		goto out;
	opts = aiot_job_config_new();
	if (!opts) {
		ret = -ENOMEM;
		goto out;
	}
	aiot_job_config_set_capture_time(opts, cap_ns);
	ret = aiot_model_submit(s->model, opts, &job);
	if (ret) {
		fprintf(stderr, "aiot-run: frame #%u: submit: %s\n", b->sequence,
			aiot_strerror(ret));
		goto out;
	}
	/* The buffer goes back to the camera only once the job read it. */
	fence = aiot_job_get_fence_fd(job);
	if (fence < 0) {
		ret = fence;
		goto out;
	}
	pfd = (struct pollfd){ .fd = fence, .events = POLLIN };
	do
		ret = poll(&pfd, 1, (int)(NPU_TIMEOUT_NS / 1000000));
	while (ret < 0 && errno == EINTR);
	if (ret <= 0) {
		ret = ret ? -errno : -ETIME;
		fprintf(stderr, "aiot-run: frame #%u: the job's fence: %s\n", b->sequence,
			aiot_strerror(ret));
		goto out;
	}
	/* The fence signalled: collect the job's record (no wait), then its status. */
	ret = aiot_job_wait(job, 0);
	if (!ret)
		ret = aiot_job_get_status(job);
	if (!ret)
		ret = aiot_model_map_output(s->model, 0, &scores);
	dec_ns = lp_now_ns();
	if (ret) {
		r->errors++;
		printf("#%-5u error: %s\n", b->sequence, aiot_strerror(ret));
		ret = 0;
		goto out;
	}
	aiot_job_get_timing(job, NULL, NULL, &started, &ended);
	k = lp_best_class(aiot_model_get_output_info(s->model, 0), scores, &score);
	if (k < MAX_LABELS)
		r->class_count[k]++;
	r->decisions++;
	/*
	 * A driver may stamp a frame with a time it has not reached yet (vivid
	 * stamps the end of the frame's period by default, ahead of delivery):
	 * such latencies are counted, not averaged in.
	 */
	if (dec_ns >= cap_ns)
		(void)lp_latencies_add(&r->lat, dec_ns - cap_ns);
	else
		r->future++;
	if (started && ended >= started)
		(void)lp_latencies_add(&r->device, ended - started);
	if (!r->first_ts)
		r->first_ts = cap_ns;
	if (!lo->summary) {
		printf("#%-5u t=%6.2f s  %-12s %.2f   capture->decision %s%s  device %s\n",
		       b->sequence, (double)(cap_ns - r->first_ts) / 1e9,
		       lp_label(labels, nlabels, k, lb, sizeof(lb)), score,
		       dec_ns >= cap_ns ? "" : "-",
		       lp_fmt_time(t1, sizeof(t1), dec_ns >= cap_ns ? (double)(dec_ns - cap_ns) :
				   (double)(cap_ns - dec_ns)),
		       lp_fmt_time(t2, sizeof(t2), started && ended >= started ?
				   (double)(ended - started) : 0.0));
		fflush(stdout);
	}
out:
	aiot_job_free(job);
	aiot_job_config_free(opts);
	if (xioctl(c->fd, VIDIOC_QBUF, b) && !ret) {
		fprintf(stderr, "aiot-run: %s: VIDIOC_QBUF %u: %s\n", c->path, b->index,
			strerror(errno));
		ret = -errno;
	}
	return ret;
}

static void print_timestamps(const struct cam_buf *cb)
{
	uint32_t src = cb->b.flags & V4L2_BUF_FLAG_TSTAMP_SRC_MASK;

	printf("timestamps: %s, %s\n",
	       (cb->b.flags & V4L2_BUF_FLAG_TIMESTAMP_MASK) == V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC ?
	       "CLOCK_MONOTONIC" : "not CLOCK_MONOTONIC: latencies are not comparable",
	       src == V4L2_BUF_FLAG_TSTAMP_SRC_SOE ? "start of exposure" :
	       "end of frame (V4L2_BUF_FLAG_TSTAMP_SRC_EOF)");
}

/* Count the frames the camera skipped, from the sequence numbers. */
static void note_sequence(struct v4l2_run *r, uint32_t seq)
{
	if (r->have_seq && seq > r->last_seq + 1)
		r->gaps += seq - r->last_seq - 1;
	r->last_seq = seq;
	r->have_seq = true;
	r->frames++;
}

/*
 * Dequeue every frame that is ready; keep the newest in @newest and give
 * the older ones straight back (they would only add latency). 1 if a
 * frame was dequeued, 0 if none was ready, negative errno.
 */
static int dequeue_newest(struct cam *c, struct v4l2_run *r, struct cam_buf *newest)
{
	int got = 0;

	for (;;) {
		struct cam_buf cb;

		cam_buf_init(c, &cb, 0);
		if (xioctl(c->fd, VIDIOC_DQBUF, &cb.b)) {
			if (errno == EAGAIN)
				return got;
			return -errno;
		}
		note_sequence(r, cb.b.sequence);
		if (cb.b.flags & V4L2_BUF_FLAG_ERROR) {
			r->errors++;
			if (xioctl(c->fd, VIDIOC_QBUF, &cb.b))
				return -errno;
			continue;
		}
		if (got) {
			r->stale++;
			if (xioctl(c->fd, VIDIOC_QBUF, &newest->b))
				return -errno;
		}
		cam_buf_copy(newest, &cb);
		got = 1;
	}
}

/* Buffers the pipeline still has. */
static unsigned int pl_held(const struct cam *c, const struct v4l2_run *r)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < c->count; i++)
		n += r->held[i] != 0;
	return n;
}

/*
 * One decision record of the pipeline: the frames up to its sequence are
 * no longer read (the model is the only job reading a frame, and the
 * record is written after it finished), so their buffers go back to the
 * camera; then the decision is printed.
 */
static int pl_record(struct cam *c, struct session *s, struct v4l2_run *r,
		     const struct aiot_pipeline_record *rec, const struct live_opts *lo,
		     const char *const *labels, unsigned int nlabels)
{
	const struct aiot_tensor_info *oi = aiot_model_get_output_info(s->model, 0);
	uint64_t dec_ns = lp_now_ns(), cap_ns = rec->first_sample_ns;
	char t1[32], t2[32], lb[32];
	double score;
	unsigned int k;
	int ret = 0;

	for (unsigned int i = 0; i < c->count; i++) {
		if (!r->held[i] || r->held[i] - 1 > rec->sequence)
			continue;
		r->held[i] = 0;
		if (c->streaming && xioctl(c->fd, VIDIOC_QBUF, &r->held_buf[i].b) && !ret) {
			ret = -errno;
			fprintf(stderr, "aiot-run: %s: VIDIOC_QBUF %u: %s\n", c->path, i,
				strerror(errno));
		}
	}
	if (r->draining)
		return ret;
	if (rec->status || !oi || rec->output_size < aiot_tensor_info_get_size(oi)) {
		r->errors++;
		printf("#%-5llu error: %s\n", (unsigned long long)rec->sequence,
		       aiot_strerror(rec->status ? rec->status : -EIO));
		return ret;
	}
	k = lp_best_class(oi, rec->output, &score);
	if (k < MAX_LABELS)
		r->class_count[k]++;
	r->decisions++;
	if (dec_ns >= cap_ns)
		(void)lp_latencies_add(&r->lat, dec_ns - cap_ns);
	else
		r->future++;
	if (rec->started_ns && rec->ended_ns >= rec->started_ns)
		(void)lp_latencies_add(&r->device, rec->ended_ns - rec->started_ns);
	if (!r->first_ts)
		r->first_ts = cap_ns;
	if (!lo->summary) {
		printf("#%-5llu t=%6.2f s  %-12s %.2f   capture->decision %s%s  device %s\n",
		       (unsigned long long)rec->sequence, (double)(cap_ns - r->first_ts) / 1e9,
		       lp_label(labels, nlabels, k, lb, sizeof(lb)), score,
		       dec_ns >= cap_ns ? "" : "-",
		       lp_fmt_time(t1, sizeof(t1), dec_ns >= cap_ns ? (double)(dec_ns - cap_ns) :
				   (double)(cap_ns - dec_ns)),
		       lp_fmt_time(t2, sizeof(t2), rec->started_ns && rec->ended_ns >= rec->started_ns ?
				   (double)(rec->ended_ns - rec->started_ns) : 0.0));
		fflush(stdout);
	}
	return ret;
}

/* Every record there is, without waiting. */
static int pl_drain(struct cam *c, struct session *s, struct v4l2_run *r,
		    const struct live_opts *lo, const char *const *labels, unsigned int nlabels)
{
	struct aiot_pipeline_record rec;
	int ret, err = 0;

	while ((ret = aiot_pipeline_read(r->pipe, &rec, 0)) == 1) {
		ret = pl_record(c, s, r, &rec, lo, labels, nlabels);
		if (ret && !err)
			err = ret;
	}
	return ret < 0 && ret != -ENODATA ? ret : err;
}

/* Hand a dequeued frame to the pipeline; requeue it at once if skipped. */
static int pl_push(struct cam *c, struct v4l2_run *r, struct cam_buf *cb)
{
	struct v4l2_buffer *b = &cb->b;
	int ret;

	ret = aiot_pipeline_push_frame(r->pipe, c->dmabuf[b->index], c->planes, b->sequence,
				       timeval_ns(&b->timestamp), NULL);
	if (ret < 0) {
		fprintf(stderr, "aiot-run: frame #%u to the pipeline: %s\n", b->sequence,
			aiot_strerror(ret));
		r->errors++;
	} else {
		r->pushed++;
	}
	if (ret == 0) {
		r->held[b->index] = (uint64_t)b->sequence + 1;
		cam_buf_copy(&r->held_buf[b->index], cb);
		return 0;
	}
	if (ret == AIOT_PIPELINE_FRAME_SKIPPED)
		r->skipped++;
	if (xioctl(c->fd, VIDIOC_QBUF, b))
		return -errno;
	return ret < 0 ? ret : 0;
}

/* The --pipeline loop: camera frames in, decision records out. */
static int pl_loop(struct cam *c, struct session *s, struct v4l2_run *r,
		   const struct live_opts *lo, const char *const *labels, unsigned int nlabels,
		   uint64_t deadline)
{
	int rc = 0;

	while (!v4l2_stop && !rc) {
		struct pollfd pfd[2] = {
			{ .fd = c->fd, .events = POLLIN },
			{ .fd = aiot_pipeline_get_fd(r->pipe), .events = POLLIN },
		};
		struct cam_buf buf;
		int n;

		if (lo->count && r->decisions + r->errors >= lo->count)
			break;
		if (deadline && lp_now_ns() >= deadline)
			break;
		n = poll(pfd, 2, 1000);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			break;
		}
		if (!n)
			continue;
		r->wakeups++;
		if (pfd[1].revents & (POLLIN | POLLHUP)) {
			rc = pl_drain(c, s, r, lo, labels, nlabels);
			if (!rc && (pfd[1].revents & POLLHUP)) {
				fprintf(stderr, "aiot-run: the pipeline ended (device gone)\n");
				rc = -ENODEV;
			}
			if (rc)
				break;
		}
		if (!(pfd[0].revents & POLLIN))
			continue;
		n = dequeue_newest(c, r, &buf);
		if (n < 0) {
			rc = n;
			fprintf(stderr, "aiot-run: %s: VIDIOC_DQBUF: %s\n", c->path, strerror(-n));
			break;
		}
		if (!n)
			continue;
		if (!r->frames_seen++)
			print_timestamps(&buf);
		rc = pl_push(c, r, &buf);
	}
	/* No new frame; the one in flight still gives its record. */
	r->draining = true;
	aiot_pipeline_stop(r->pipe);
	for (uint64_t end = lp_now_ns() + NPU_TIMEOUT_NS; pl_held(c, r) && lp_now_ns() < end;) {
		struct pollfd pfd = { .fd = aiot_pipeline_get_fd(r->pipe), .events = POLLIN };

		if (poll(&pfd, 1, 100) > 0 && pl_drain(c, s, r, lo, labels, nlabels) && !rc)
			rc = -EIO;
	}
	if (pl_held(c, r) && !rc) {
		fprintf(stderr, "aiot-run: %u frames still with the pipeline at stop\n",
			pl_held(c, r));
		rc = -ETIME;
	}
	return rc;
}

int run_v4l2(const struct live_opts *lo, struct session *s, const char *model_path,
	     const char *const *labels, unsigned int nlabels)
{
	struct cam c = { .fd = -1, .path = lo->v4l2, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
			 .pipeline = lo->v4l2_pipeline };
	struct aiot_pipeline_stats ps = { 0 };
	struct sigaction sa = { .sa_handler = on_v4l2_signal };
	struct v4l2_run r = { 0 };
	int type;
	uint64_t t0, elapsed = 0, deadline = 0, copied;
	char a[32], b2[32], d[32];
	int rc = -EIO, status = EXIT_FAIL, nrc;
	bool clean;

	for (unsigned int i = 0; i < V4L2_MAX_BUFFERS; i++)
		for (unsigned int p = 0; p < V4L2_MAX_PLANES; p++)
			c.dmabuf[i][p] = -1;
	if (s->in.pixel_format) {
		char f[5];

		fourcc_str(s->in.pixel_format, f);
		if (s->in_planes == 2)
			printf("model %s: input a %s %ux%u camera frame (%zu + %zu bytes, two "
			       "planes, two inputs)\n", s->name[0] ? s->name : model_path, f,
			       s->in.dims[2], s->in.dims[1], s->in.size, s->in1_size);
		else
			printf("model %s: input a %s %ux%u camera frame (%zu bytes)\n",
			       s->name[0] ? s->name : model_path, f, s->in.dims[2],
			       s->in.dims[1], s->in.size);
	} else {
		printf("model %s: input %s [%ux%ux%ux%u]\n", s->name[0] ? s->name : model_path,
		       dtype_name(s->in.dtype), s->in.dims[0], s->in.dims[1], s->in.dims[2],
		       s->in.dims[3]);
	}
	nrc = negotiate(&c, &s->in, s->in_planes, s->in1_size);
	if (nrc) {
		teardown(&c, s, false);
		return nrc;
	}
	if (setup_buffers(&c, s, lo->slots))
		goto out;
	if (c.pipeline) {
		int ret = aiot_pipeline_create_external(NULL, s->model, 1, 0, &r.pipe);

		if (!ret)
			ret = aiot_pipeline_start(r.pipe);
		if (ret) {
			fprintf(stderr, "aiot-run: a standing pipeline for the camera: %s%s\n",
				aiot_strerror(ret), ret == -EOPNOTSUPP ?
				" (the driver has no external pipelines: uAPI 1.3)" : "");
			goto out;
		}
		printf("pipeline: the model runs in the kernel on each frame handed in "
		       "(uAPI 1.3); a frame that comes while it runs is skipped\n");
	}

	/* Ctrl-C ends the run cleanly: poll() returns, the buffers come back. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	type = (int)c.type;
	if (xioctl(c.fd, VIDIOC_STREAMON, &type)) {
		fprintf(stderr, "aiot-run: %s: VIDIOC_STREAMON: %s\n", c.path, strerror(errno));
		goto out;
	}
	c.streaming = true;
	printf("streaming ");
	if (lo->count)
		printf("%llu frames%s", (unsigned long long)lo->count,
		       lo->duration > 0 ? " at most" : "");
	if (lo->duration > 0)
		printf("%sfor %g s", lo->count ? ", " : "", lo->duration);
	if (!lo->count && lo->duration <= 0)
		printf("until Ctrl-C");
	if (c.pipeline)
		printf(": each frame's dma-buf goes to the pipeline without a copy and is "
		       "requeued when its decision is read\n");
	else
		printf(": each frame is bound to the NPU without a copy and requeued when its "
		       "job's fence signals\n");
	fflush(stdout);

	t0 = lp_now_ns();
	if (lo->duration > 0)
		deadline = t0 + (uint64_t)(lo->duration * 1e9);
	rc = 0;
	if (c.pipeline)
		rc = pl_loop(&c, s, &r, lo, labels, nlabels, deadline);
	while (!c.pipeline && !v4l2_stop && !rc) {
		struct pollfd pfd = { .fd = c.fd, .events = POLLIN };
		struct cam_buf buf;
		int n;

		if (lo->count && r.decisions + r.errors >= lo->count)
			break;
		if (deadline && lp_now_ns() >= deadline)
			break;
		n = poll(&pfd, 1, 1000);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			break;
		}
		if (!n)
			continue;
		n = dequeue_newest(&c, &r, &buf);
		if (n < 0) {
			rc = n;
			fprintf(stderr, "aiot-run: %s: VIDIOC_DQBUF: %s\n", c.path, strerror(-n));
			break;
		}
		if (!n)
			continue;
		if (!r.frames_seen++)
			print_timestamps(&buf);
		rc = one_frame(&c, s, &buf, &r, lo, labels, nlabels);
	}
	elapsed = lp_now_ns() - t0;
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
out:
	copied = aiot_accel_get_stat(s->accel, AIOT_STAT_BYTES_COPIED);
	if (r.pipe) {
		aiot_pipeline_get_stats(r.pipe, &ps);
		/* Its imports of the camera's buffers go with it. */
		aiot_pipeline_free(r.pipe);
		r.pipe = NULL;
	}
	clean = teardown(&c, s, true);
	if (r.frames) {
		lp_latencies_sort(&r.lat);
		lp_latencies_sort(&r.device);
		printf("summary: %llu decisions on %llu frames in %.1f s (%.2f frames/s), "
		       "capture->decision p50 %s p99 %s max %s, ",
		       (unsigned long long)r.decisions, (unsigned long long)r.frames,
		       (double)elapsed / 1e9,
		       elapsed ? (double)r.decisions * 1e9 / (double)elapsed : 0.0,
		       lp_fmt_time(a, sizeof(a), (double)lp_latencies_percentile(&r.lat, 0.50)),
		       lp_fmt_time(b2, sizeof(b2), (double)lp_latencies_percentile(&r.lat, 0.99)),
		       lp_fmt_time(d, sizeof(d), (double)lp_latencies_max(&r.lat)));
		if (r.future)
			printf("%llu frames stamped after their decision (not in the percentiles), ",
			       (unsigned long long)r.future);
		printf("device p50 %s, %s copied by the CPU, %llu stale frames requeued unused, "
		       "%llu frames skipped by the camera, %llu errors;",
		       lp_fmt_time(a, sizeof(a), (double)lp_latencies_percentile(&r.device, 0.50)),
		       lp_fmt_bytes(b2, sizeof(b2), (double)copied),
		       (unsigned long long)r.stale, (unsigned long long)r.gaps,
		       (unsigned long long)r.errors);
		if (c.pipeline)
			printf(" pipeline: %llu frames handed in, %llu skipped (model busy), "
			       "%llu late, %.2f userspace wake-ups per frame (%llu);",
			       (unsigned long long)r.pushed, (unsigned long long)r.skipped,
			       (unsigned long long)ps.late,
			       (double)r.wakeups / (double)r.frames, (unsigned long long)r.wakeups);
		for (unsigned int k = 0; k < MAX_LABELS; k++)
			if (r.class_count[k])
				printf(" %s %u", lp_label(labels, nlabels, k, d, sizeof(d)),
				       r.class_count[k]);
		printf("\n");
		fflush(stdout);
	}
	if (rc || r.errors || !clean)
		status = EXIT_FAIL;
	else if (v4l2_stop && (lo->count || lo->duration > 0) &&
		 !(lo->count && r.decisions >= lo->count) &&
		 !(lo->duration > 0 && elapsed >= (uint64_t)(lo->duration * 1e9)))
		status = EXIT_INTERRUPTED;
	else
		status = EXIT_OK;
	lp_latencies_free(&r.lat);
	lp_latencies_free(&r.device);
	return status;
}
