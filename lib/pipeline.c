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

static const struct aiot_model_tensor *first_tensor(const struct aiot_model *m,
						     unsigned int dir)
{
	unsigned int i;

	for (i = 0; i < m->input_count + m->output_count; i++)
		if (m->tensors[i].desc.direction == dir)
			return &m->tensors[i].desc;
	return NULL;
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

int aiot_pipeline_create(struct aiot_model *frontend, struct aiot_model *model,
			 struct aiot_sensor *sensor, unsigned int period_slots,
			 uint64_t deadline_ns,
			 struct aiot_pipeline **pipeline_out)
{
	const struct aiot_model_tensor *in, *fe_in, *fe_out, *out;
	struct drm_aiot_pipeline_create c;
	struct aiot_pipeline *p;

	if (!model || !sensor || !pipeline_out || !period_slots ||
	    (frontend && frontend->accel != model->accel))
		return -EINVAL;
	if (!aiot_accel_has_capability(model->accel, AIOT_ACCEL_CAP_PIPELINE))
		return -EOPNOTSUPP;
	in = first_tensor(model, AIOT_MODEL_TENSOR_INPUT);
	out = first_tensor(model, AIOT_MODEL_TENSOR_OUTPUT);
	if (!in || !out || out->size > AIOT_PIPELINE_MAX_OUTPUT ||
	    !model->own[out->binding])
		return -EINVAL;
	memset(&c, 0, sizeof(c));
	c.sensor_fd = aiot_sensor_get_fd(sensor);
	if (frontend) {
		fe_in = first_tensor(frontend, AIOT_MODEL_TENSOR_INPUT);
		fe_out = first_tensor(frontend, AIOT_MODEL_TENSOR_OUTPUT);
		if (!fe_in || !fe_out || !frontend->own[fe_out->binding])
			return -EINVAL;
		fill_stage(&c.frontend, frontend, fe_in->binding);
		fill_stage(&c.model, model, -1);
		/* The front end's output buffer is the model's input. */
		c.model.bindings[in->binding] =
			frontend->own[fe_out->binding]->handle;
	} else {
		fill_stage(&c.model, model, in->binding);
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
