// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Standing pipelines (docs/pipeline.md): DRM_IOCTL_AIOT_PIPELINE_CREATE on
 * a model's buffers, and the decision file's records.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <aiot/pipeline.h>

#include "internal.h"

struct aiot_pipeline {
	int fd;
	_Atomic uint64_t wakeups, reads;
};

/* The model's @nth tensor of direction @dir, or NULL. */
static const struct aiot_model_tensor *nth_tensor(const struct aiot_model *m,
						   unsigned int dir,
						   unsigned int nth)
{
	unsigned int i;

	for (i = 0; i < m->input_count + m->output_count; i++)
		if (m->tensors[i].desc.direction == dir && !nth--)
			return &m->tensors[i].desc;
	return NULL;
}

static const struct aiot_model_tensor *first_tensor(const struct aiot_model *m,
						     unsigned int dir)
{
	return nth_tensor(m, dir, 0);
}

/* A model's own buffers as a stage; @slot_binding gets the sensor's slot. */
static void fill_stage(struct drm_aiot_pipeline_stage *st,
		       const struct aiot_model *m, int slot_binding)
{
	unsigned int i;

	memset(st, 0, sizeof(*st));
	st->cmd_handle = m->cmd_buffer->handle;
	st->cmd_size = (uint32_t)m->cmd_size;
	for (i = 0; i < AIOT_MAX_BINDINGS; i++)
		if (m->own[i])
			st->bindings[i] = m->own[i]->handle;
	if (m->weights)
		st->bindings[m->weights_binding] = m->weights->handle;
	if (m->arena)
		st->bindings[m->arena_binding] = m->arena->handle;
	if (slot_binding >= 0) {
		st->flags = DRM_AIOT_PIPELINE_STAGE_SLOT;
		st->slot_binding = (uint32_t)slot_binding;
		st->bindings[slot_binding] = 0;
	}
}

/* The frame's plane 1 as the reading stage's second input (NV12M). */
static void add_plane1(struct drm_aiot_pipeline_stage *st,
		       const struct aiot_model *m)
{
	const struct aiot_model_tensor *in1;

	in1 = nth_tensor(m, AIOT_MODEL_TENSOR_INPUT, 1);
	if (!in1)
		return;
	st->flags |= DRM_AIOT_PIPELINE_STAGE_PLANE1;
	st->plane1_binding = in1->binding;
	st->bindings[in1->binding] = 0;
}

static int create(struct aiot_model *frontend, struct aiot_model *model,
		  struct aiot_sensor *sensor, unsigned int period_slots,
		  uint64_t deadline_ns, struct aiot_pipeline **pipeline_out)
{
	const struct aiot_model_tensor *in, *fe_in, *fe_out, *out;
	struct drm_aiot_pipeline_create c;
	struct aiot_pipeline *p;

	if (!model || !pipeline_out || !period_slots ||
	    (frontend && frontend->accel != model->accel))
		return -EINVAL;
	if (!aiot_accel_has_capability(model->accel, AIOT_ACCEL_CAP_PIPELINE) ||
	    (!sensor && !aiot_accel_has_capability(model->accel,
					AIOT_ACCEL_CAP_PIPELINE_EXTERNAL)))
		return -EOPNOTSUPP;
	in = first_tensor(model, AIOT_MODEL_TENSOR_INPUT);
	out = first_tensor(model, AIOT_MODEL_TENSOR_OUTPUT);
	if (!in || !out || out->size > AIOT_PIPELINE_MAX_OUTPUT ||
	    !model->own[out->binding])
		return -EINVAL;
	memset(&c, 0, sizeof(c));
	if (sensor) {
		c.sensor_fd = aiot_sensor_get_fd(sensor);
	} else {
		c.flags = DRM_AIOT_PIPELINE_SOURCE_EXTERNAL;
		c.sensor_fd = -1;
	}
	if (frontend) {
		fe_in = first_tensor(frontend, AIOT_MODEL_TENSOR_INPUT);
		fe_out = first_tensor(frontend, AIOT_MODEL_TENSOR_OUTPUT);
		if (!fe_in || !fe_out || !frontend->own[fe_out->binding])
			return -EINVAL;
		fill_stage(&c.frontend, frontend, fe_in->binding);
		if (!sensor)
			add_plane1(&c.frontend, frontend);
		fill_stage(&c.model, model, -1);
		/* The front end's output buffer is the model's input. */
		c.model.bindings[in->binding] =
			frontend->own[fe_out->binding]->handle;
	} else {
		fill_stage(&c.model, model, in->binding);
		if (!sensor)
			add_plane1(&c.model, model);
	}
	c.period_slots = period_slots;
	c.priority = DRM_AIOT_PRIORITY_NORMAL;
	c.deadline_ns = deadline_ns;
	c.output_handle = model->own[out->binding]->handle;
	c.output_offset = out->offset;
	c.output_size = out->size;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	if (ioctl(aiot_accel_get_fd(model->accel),
		  DRM_IOCTL_AIOT_PIPELINE_CREATE, &c)) {
		int err = -errno;

		free(p);
		return err;
	}
	p->fd = c.fd;
	/* aiot_pipeline_read() polls, with its own timeout. */
	fcntl(p->fd, F_SETFL, fcntl(p->fd, F_GETFL) | O_NONBLOCK);
	*pipeline_out = p;
	return 0;
}

int aiot_pipeline_create(struct aiot_model *frontend, struct aiot_model *model,
			 struct aiot_sensor *sensor, unsigned int period_slots,
			 uint64_t deadline_ns,
			 struct aiot_pipeline **pipeline_out)
{
	if (!sensor)
		return -EINVAL;
	return create(frontend, model, sensor, period_slots, deadline_ns,
		      pipeline_out);
}

int aiot_pipeline_create_external(struct aiot_model *frontend,
				  struct aiot_model *model,
				  unsigned int period_slots,
				  uint64_t deadline_ns,
				  struct aiot_pipeline **pipeline_out)
{
	return create(frontend, model, NULL, period_slots, deadline_ns,
		      pipeline_out);
}

int aiot_pipeline_push_frame(struct aiot_pipeline *pipeline,
			     const int *dmabuf_fds, unsigned int planes,
			     uint64_t sequence, uint64_t timestamp_ns,
			     int *fence_fd_out)
{
	struct drm_aiot_pipeline_frame f;
	unsigned int i;

	if (fence_fd_out)
		*fence_fd_out = -1;
	if (!pipeline || !dmabuf_fds || !planes ||
	    planes > DRM_AIOT_PIPELINE_MAX_PLANES)
		return -EINVAL;
	memset(&f, 0, sizeof(f));
	f.flags = fence_fd_out ? DRM_AIOT_PIPELINE_FRAME_FENCE_FD : 0;
	f.planes = planes;
	for (i = 0; i < planes; i++)
		f.dmabuf_fd[i] = dmabuf_fds[i];
	f.sequence = sequence;
	f.timestamp_ns = timestamp_ns;
	while (ioctl(pipeline->fd, DRM_AIOT_PIPELINE_IOC_FRAME, &f))
		if (errno != EINTR)
			return -errno;
	if (fence_fd_out)
		*fence_fd_out = f.fence_fd;
	return f.flags & DRM_AIOT_PIPELINE_FRAME_SKIPPED ?
	       AIOT_PIPELINE_FRAME_SKIPPED : 0;
}

static int pipeline_ioctl(struct aiot_pipeline *p, unsigned long cmd, void *arg)
{
	if (!p)
		return -EINVAL;
	return ioctl(p->fd, cmd, arg) ? -errno : 0;
}

int aiot_pipeline_start(struct aiot_pipeline *pipeline)
{
	return pipeline_ioctl(pipeline, DRM_AIOT_PIPELINE_IOC_START, NULL);
}

int aiot_pipeline_stop(struct aiot_pipeline *pipeline)
{
	return pipeline_ioctl(pipeline, DRM_AIOT_PIPELINE_IOC_STOP, NULL);
}

int aiot_pipeline_get_fd(const struct aiot_pipeline *pipeline)
{
	return pipeline ? pipeline->fd : -EINVAL;
}

static void to_record(const struct drm_aiot_pipeline_record *k,
		      struct aiot_pipeline_record *r)
{
	memset(r, 0, sizeof(*r));
	r->period = k->period;
	r->sequence = k->sequence;
	r->first_sample_ns = k->timestamp_ns;
	r->dma_done_ns = k->dma_done_ns;
	r->started_ns = k->started_ns;
	r->ended_ns = k->ended_ns;
	r->decided_ns = k->decided_ns;
	r->status = k->status;
	r->late = k->flags & DRM_AIOT_PIPELINE_REC_LATE;
	r->output_size = k->output_size <= AIOT_PIPELINE_MAX_OUTPUT ?
			 k->output_size : AIOT_PIPELINE_MAX_OUTPUT;
	memcpy(r->output, k->output, r->output_size);
}

int aiot_pipeline_read(struct aiot_pipeline *pipeline,
		       struct aiot_pipeline_record *record, int64_t timeout_ns)
{
	struct drm_aiot_pipeline_record k;
	struct pollfd pfd;
	ssize_t n;
	int ret, ms;

	if (!pipeline || !record)
		return -EINVAL;
	for (;;) {
		n = read(pipeline->fd, &k, sizeof(k));
		if (n == (ssize_t)sizeof(k)) {
			to_record(&k, record);
			pipeline->reads++;
			return 1;
		}
		if (n == 0)
			return -ENODATA;
		if (n > 0)
			return -EIO;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return -errno;
		if (!timeout_ns)
			return 0;
		/* Nothing there: this is a wake-up the caller pays for. */
		pfd = (struct pollfd){ .fd = pipeline->fd, .events = POLLIN };
		ms = timeout_ns < 0 ? -1 :
		     timeout_ns / 1000000 > 0x7fffffff ? 0x7fffffff :
		     (int)((timeout_ns + 999999) / 1000000);
		ret = poll(&pfd, 1, ms);
		if (ret < 0 && errno != EINTR)
			return -errno;
		if (ret > 0)
			pipeline->wakeups++;
		if (ret == 0)
			return 0;
	}
}

int aiot_pipeline_get_stats(struct aiot_pipeline *pipeline,
			    struct aiot_pipeline_stats *stats)
{
	struct drm_aiot_pipeline_stats k;
	int ret;

	if (!stats)
		return -EINVAL;
	ret = pipeline_ioctl(pipeline, DRM_AIOT_PIPELINE_IOC_STATS, &k);
	if (ret)
		return ret;
	memset(stats, 0, sizeof(*stats));
	stats->slots = k.slots;
	stats->frontend_jobs = k.frontend_jobs;
	stats->periods = k.periods;
	stats->decisions = k.decisions;
	stats->late = k.late;
	stats->skipped_slots = k.skipped_slots;
	stats->failed = k.failed;
	stats->sensor_drops = k.sensor_drops;
	stats->overflows = k.overflows;
	stats->wakeups = pipeline->wakeups;
	stats->reads = pipeline->reads;
	return 0;
}

void aiot_pipeline_free(struct aiot_pipeline *pipeline)
{
	if (!pipeline)
		return;
	close(pipeline->fd);
	free(pipeline);
}
