// SPDX-License-Identifier: LGPL-2.1-or-later
/* Job configurations, submission, and jobs: wait, status, fences, timing. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xf86drm.h>

#include "internal.h"

struct aiot_job_config *aiot_job_config_new(void)
{
	struct aiot_job_config *config = calloc(1, sizeof(*config));

	if (config)
		config->priority = AIOT_PRIORITY_NORMAL;
	return config;
}

void aiot_job_config_free(struct aiot_job_config *config)
{
	free(config);
}

int aiot_job_config_set_command_stream(struct aiot_job_config *config,
				       struct aiot_buffer *buffer, size_t offset,
				       size_t size)
{
	if (!config)
		return -EINVAL;
	if (!buffer) {
		config->cmd_buffer = NULL;
		config->cmd_offset = 0;
		config->cmd_size = 0;
		return 0;
	}
	if (!size || offset > UINT32_MAX || size > UINT32_MAX ||
	    offset > buffer->size || size > buffer->size - offset)
		return -EINVAL;
	config->cmd_buffer = buffer;
	config->cmd_offset = (uint32_t)offset;
	config->cmd_size = (uint32_t)size;
	return 0;
}

int aiot_job_config_set_binding(struct aiot_job_config *config, unsigned int slot,
				struct aiot_buffer *buffer)
{
	if (!config || slot >= AIOT_MAX_BINDINGS)
		return -EINVAL;
	config->bindings[slot] = buffer;
	return 0;
}

struct aiot_buffer *aiot_job_config_get_binding(const struct aiot_job_config *config,
						unsigned int slot)
{
	if (!config || slot >= AIOT_MAX_BINDINGS)
		return NULL;
	return config->bindings[slot];
}

static int add_in_fence(struct aiot_job_config *config, struct aiot_in_fence fence)
{
	if (config->in_fence_count >= AIOT_MAX_IN_FENCES)
		return -E2BIG;
	config->in_fences[config->in_fence_count++] = fence;
	return 0;
}

int aiot_job_config_add_in_syncobj(struct aiot_job_config *config, uint32_t handle)
{
	if (!config || !handle)
		return -EINVAL;
	return add_in_fence(config, (struct aiot_in_fence){
		.kind = AIOT_IN_FENCE_SYNCOBJ, .syncobj = handle });
}

int aiot_job_config_add_in_sync_file(struct aiot_job_config *config, int sync_file_fd)
{
	if (!config)
		return -EINVAL;
	if (sync_file_fd < 0)
		return -EBADF;
	return add_in_fence(config, (struct aiot_in_fence){
		.kind = AIOT_IN_FENCE_SYNC_FILE, .sync_file = sync_file_fd });
}

int aiot_job_config_add_in_job(struct aiot_job_config *config, struct aiot_job *job)
{
	if (!config || !job)
		return -EINVAL;
	return add_in_fence(config, (struct aiot_in_fence){
		.kind = AIOT_IN_FENCE_JOB, .job = job });
}

void aiot_job_config_clear_in_fences(struct aiot_job_config *config)
{
	if (config)
		config->in_fence_count = 0;
}

unsigned int aiot_job_config_get_in_fence_count(const struct aiot_job_config *config)
{
	return config ? config->in_fence_count : 0;
}

int aiot_job_config_set_priority(struct aiot_job_config *config,
				 enum aiot_priority priority)
{
	if (!config)
		return -EINVAL;
	switch (priority) {
	case AIOT_PRIORITY_LOW:
	case AIOT_PRIORITY_NORMAL:
	case AIOT_PRIORITY_HIGH:
		config->priority = priority;
		return 0;
	default:
		return -EINVAL;
	}
}

enum aiot_priority aiot_job_config_get_priority(const struct aiot_job_config *config)
{
	return config ? config->priority : AIOT_PRIORITY_NORMAL;
}

int aiot_job_config_set_deadline(struct aiot_job_config *config, uint64_t deadline_ns)
{
	if (!config)
		return -EINVAL;
	config->deadline_ns = deadline_ns;
	return 0;
}

uint64_t aiot_job_config_get_deadline(const struct aiot_job_config *config)
{
	return config ? config->deadline_ns : 0;
}

int aiot_job_config_set_capture_time(struct aiot_job_config *config,
				     uint64_t capture_ns)
{
	if (!config)
		return -EINVAL;
	config->capture_ns = capture_ns;
	return 0;
}

int aiot_job_config_set_flags(struct aiot_job_config *config, unsigned int flags)
{
	if (!config || (flags & ~AIOT_JOB_CONFIG_FENCE_FD))
		return -EINVAL;
	config->flags = flags;
	return 0;
}

unsigned int aiot_job_config_get_flags(const struct aiot_job_config *config)
{
	return config ? config->flags : 0;
}

int aiot_job_config_to_submit(const struct aiot_job_config *config,
			      const struct aiot_accel *accel,
			      struct drm_aiot_submit *submit)
{
	memset(submit, 0, sizeof(*submit));
	submit->out_sync_file = -1;
	if (!config->cmd_buffer || !config->cmd_size)
		return -EINVAL;
	if (config->cmd_buffer->accel != accel)
		return -EXDEV;
	submit->cmd_handle = config->cmd_buffer->handle;
	submit->cmd_offset = config->cmd_offset;
	submit->cmd_size = config->cmd_size;
	for (unsigned int slot = 0; slot < AIOT_MAX_BINDINGS; slot++) {
		const struct aiot_buffer *buf = config->bindings[slot];

		if (!buf)
			continue;
		if (buf->accel != accel)
			return -EXDEV;
		submit->bindings[slot] = buf->handle;
	}
	for (unsigned int i = 0; i < config->in_fence_count; i++) {
		const struct aiot_in_fence *f = &config->in_fences[i];

		if (f->kind == AIOT_IN_FENCE_JOB && f->job->accel != accel)
			return -EXDEV;
	}
	switch (config->priority) {
	case AIOT_PRIORITY_LOW:
		submit->priority = DRM_AIOT_PRIORITY_LOW;
		break;
	case AIOT_PRIORITY_NORMAL:
		submit->priority = DRM_AIOT_PRIORITY_NORMAL;
		break;
	case AIOT_PRIORITY_HIGH:
		submit->priority = DRM_AIOT_PRIORITY_HIGH;
		break;
	default:
		return -EINVAL;
	}
	submit->deadline_ns = config->deadline_ns;
	if ((config->flags & AIOT_JOB_CONFIG_FENCE_FD) &&
	    aiot_accel_has_capability(accel, AIOT_ACCEL_CAP_SYNC_FILE))
		submit->flags |= DRM_AIOT_SUBMIT_OUT_SYNC_FILE;
	return 0;
}

int aiot_accel_submit(struct aiot_accel *accel, const struct aiot_job_config *config,
		      struct aiot_job **job_out)
{
	uint32_t in_handles[AIOT_MAX_IN_FENCES];
	bool temporary[AIOT_MAX_IN_FENCES] = { false };
	struct drm_aiot_submit submit;
	struct aiot_job *job;
	unsigned int i, n = 0;
	uint32_t out_syncobj = 0;
	int ret;

	if (!accel || !config || !job_out)
		return -EINVAL;
	if (!aiot_accel_has_capability(accel, AIOT_ACCEL_CAP_SUBMIT))
		return -EOPNOTSUPP;
	ret = aiot_job_config_to_submit(config, accel, &submit);
	if (ret)
		return ret;
	job = calloc(1, sizeof(*job));
	if (!job)
		return -ENOMEM;

	/*
	 * The kernel takes in-fences as syncobjs only: a sync_file goes into a
	 * temporary syncobj, which can go as soon as SUBMIT has taken its fence.
	 */
	for (n = 0; n < config->in_fence_count; n++) {
		const struct aiot_in_fence *f = &config->in_fences[n];

		switch (f->kind) {
		case AIOT_IN_FENCE_SYNCOBJ:
			in_handles[n] = f->syncobj;
			break;
		case AIOT_IN_FENCE_JOB:
			in_handles[n] = f->job->out_syncobj;
			break;
		case AIOT_IN_FENCE_SYNC_FILE:
			if (drmSyncobjCreate(accel->fd, 0, &in_handles[n])) {
				ret = -errno;
				goto out;
			}
			temporary[n] = true;
			if (drmSyncobjImportSyncFile(accel->fd, in_handles[n],
						     f->sync_file)) {
				ret = -errno;
				n++;
				goto out;
			}
			break;
		}
	}
	if (drmSyncobjCreate(accel->fd, 0, &out_syncobj)) {
		ret = -errno;
		goto out;
	}
	submit.in_syncobj_count = n;
	submit.in_syncobjs = (uintptr_t)in_handles;
	submit.out_syncobj = out_syncobj;
	if (drmIoctl(accel->fd, DRM_IOCTL_AIOT_SUBMIT, &submit)) {
		ret = -errno;
		goto out;
	}
	job->accel = accel;
	job->job_id = submit.job_id;
	job->out_syncobj = out_syncobj;
	job->capture_ns = config->capture_ns;
	job->fence_fd = (submit.flags & DRM_AIOT_SUBMIT_OUT_SYNC_FILE) ?
			submit.out_sync_file : -1;
	pthread_mutex_init(&job->lock, NULL);
	aiot_stat_add(accel, AIOT_STAT_JOBS_SUBMITTED, 1);
	*job_out = job;
	job = NULL;
	out_syncobj = 0;
	ret = 0;
out:
	for (i = 0; i < n; i++)
		if (temporary[i])
			drmSyncobjDestroy(accel->fd, in_handles[i]);
	if (out_syncobj)
		drmSyncobjDestroy(accel->fd, out_syncobj);
	free(job);
	return ret;
}

int aiot_job_wait(struct aiot_job *job, int64_t timeout_ns)
{
	struct drm_aiot_job_wait record = { 0 };
	int ret = 0;

	if (!job)
		return -EINVAL;
	pthread_mutex_lock(&job->lock);
	if (job->done) {
		pthread_mutex_unlock(&job->lock);
		return 0;
	}
	pthread_mutex_unlock(&job->lock);

	/* No lock across the wait: get_status() must not block behind it. */
	record.job_id = job->job_id;
	record.timeout_ns = aiot_timeout_to_uapi(timeout_ns);
	if (drmIoctl(job->accel->fd, DRM_IOCTL_AIOT_JOB_WAIT, &record))
		ret = -errno;
	if (ret && ret != -ETIME)
		return ret;

	pthread_mutex_lock(&job->lock);
	if (!job->done) {
		/* The kernel fills the record on -ETIME too: keep known times. */
		job->record = record;
		if (record.state == DRM_AIOT_JOB_DONE) {
			job->done = true;
			aiot_stat_add(job->accel, record.status ?
				      AIOT_STAT_JOBS_FAILED : AIOT_STAT_JOBS_COMPLETED, 1);
		}
	}
	ret = job->done ? 0 : -ETIME;
	pthread_mutex_unlock(&job->lock);
	return ret;
}

int aiot_job_get_status(const struct aiot_job *job)
{
	struct aiot_job *j = (struct aiot_job *)job;
	int status;

	if (!job)
		return -EINVAL;
	pthread_mutex_lock(&j->lock);
	status = j->done ? j->record.status : -EINPROGRESS;
	pthread_mutex_unlock(&j->lock);
	return status;
}

int aiot_job_get_fence_fd(struct aiot_job *job)
{
	int fd, ret = 0;

	if (!job)
		return -EINVAL;
	pthread_mutex_lock(&job->lock);
	if (job->fence_fd < 0) {
		if (drmSyncobjExportSyncFile(job->accel->fd, job->out_syncobj, &fd))
			ret = -errno;
		else
			job->fence_fd = fd;
	}
	fd = job->fence_fd;
	pthread_mutex_unlock(&job->lock);
	return ret ? ret : fd;
}

uint32_t aiot_job_get_syncobj(const struct aiot_job *job)
{
	return job ? job->out_syncobj : 0;
}

int aiot_job_get_timing(const struct aiot_job *job, uint64_t *capture_ns,
			uint64_t *queued_ns, uint64_t *started_ns, uint64_t *ended_ns)
{
	struct aiot_job *j = (struct aiot_job *)job;
	bool done;

	if (!job)
		return -EINVAL;
	pthread_mutex_lock(&j->lock);
	if (capture_ns)
		*capture_ns = j->capture_ns;
	if (queued_ns)
		*queued_ns = j->record.queued_ns;
	if (started_ns)
		*started_ns = j->record.started_ns;
	if (ended_ns)
		*ended_ns = j->record.ended_ns;
	done = j->done;
	pthread_mutex_unlock(&j->lock);
	return done ? 0 : -EINPROGRESS;
}

uint64_t aiot_job_get_id(const struct aiot_job *job)
{
	return job ? job->job_id : 0;
}

void aiot_job_free(struct aiot_job *job)
{
	if (!job)
		return;
	if (job->fence_fd >= 0)
		close(job->fence_fd);
	drmSyncobjDestroy(job->accel->fd, job->out_syncobj);
	pthread_mutex_destroy(&job->lock);
	free(job);
}
