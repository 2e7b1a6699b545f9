// SPDX-License-Identifier: GPL-2.0-only
#include "lib_test_fakes.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct aiot_accel *fake_accel_new(uint64_t caps)
{
	struct aiot_accel *accel = calloc(1, sizeof(*accel));

	if (!accel)
		return NULL;
	accel->fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	accel->path = strdup("/dev/null");
	accel->info.capabilities = caps;
	pthread_mutex_init(&accel->import_lock, NULL);
	return accel;
}

struct aiot_buffer *fake_buffer_new(struct aiot_accel *accel, uint32_t handle,
				    size_t size)
{
	struct aiot_buffer *buf = calloc(1, sizeof(*buf));

	if (!buf)
		return NULL;
	buf->accel = accel;
	buf->handle = handle;
	buf->size = size;
	atomic_init(&buf->map, NULL);
	return buf;
}

void fake_buffer_free(struct aiot_buffer *buffer)
{
	free(buffer);
}

struct aiot_job *fake_job_new(struct aiot_accel *accel, uint32_t syncobj)
{
	struct aiot_job *job = calloc(1, sizeof(*job));

	if (!job)
		return NULL;
	job->accel = accel;
	job->out_syncobj = syncobj;
	job->fence_fd = -1;
	pthread_mutex_init(&job->lock, NULL);
	return job;
}

void fake_job_free(struct aiot_job *job)
{
	if (!job)
		return;
	pthread_mutex_destroy(&job->lock);
	free(job);
}

int fake_config_to_submit(const struct aiot_job_config *config,
			  const struct aiot_accel *accel,
			  struct drm_aiot_submit *submit)
{
	return aiot_job_config_to_submit(config, accel, submit);
}
