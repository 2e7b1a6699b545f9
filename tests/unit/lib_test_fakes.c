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

struct aiot_model *fake_model_new(struct aiot_accel *accel, uint32_t in_offset,
				  uint32_t in_size, size_t slot_need)
{
	struct aiot_model *model = calloc(1, sizeof(*model));
	struct aiot_model_tensor *t;

	if (!model)
		return NULL;
	model->accel = accel;
	pthread_mutex_init(&model->lock, NULL);
	model->input_count = 1;
	model->output_count = 1;
	t = &model->tensors[0].desc;
	t->direction = 0;
	t->dtype = 1;
	t->binding = 1;
	t->offset = in_offset;
	t->size = in_size;
	t->dims[0] = t->dims[3] = 1;
	t->dims[1] = in_size;
	t->dims[2] = 1;
	t = &model->tensors[1].desc;
	t->direction = 1;
	t->dtype = 1;
	t->binding = 2;
	t->size = 2;
	t->dims[0] = t->dims[1] = t->dims[2] = 1;
	t->dims[3] = 2;
	model->slot_need[1] = slot_need;
	model->slot_need[2] = 2;
	model->own[1] = model->bound[1] = fake_buffer_new(accel, 101, slot_need);
	model->own[2] = model->bound[2] = fake_buffer_new(accel, 102, 4096);
	return model;
}

struct aiot_model_tensor *fake_model_output_desc(struct aiot_model *model)
{
	return &model->tensors[1].desc;
}

void fake_model_map_output(struct aiot_model *model, void *mem)
{
	atomic_store(&model->own[2]->map, mem);
}

void fake_model_free(struct aiot_model *model)
{
	if (!model)
		return;
	fake_buffer_free(model->own[1]);
	fake_buffer_free(model->own[2]);
	free(model->dmabufs);
	pthread_mutex_destroy(&model->lock);
	free(model);
}

int fake_config_to_submit(const struct aiot_job_config *config,
			  const struct aiot_accel *accel,
			  struct drm_aiot_submit *submit)
{
	return aiot_job_config_to_submit(config, accel, submit);
}
