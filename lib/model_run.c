// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Models on a device: load a parsed blob into buffers, describe its
 * tensors, bind callers' buffers to its inputs and outputs, run it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dtype.h"
#include "internal.h"

/* A buffer holding a copy of bytes from the blob. */
static int upload(struct aiot_accel *accel, const void *data, size_t size,
		  struct aiot_buffer **out)
{
	void *ptr;
	int ret;

	ret = aiot_buffer_create(accel, size, out);
	if (ret)
		return ret;
	ret = aiot_buffer_map(*out, &ptr);
	if (ret)
		return ret;
	memcpy(ptr, data, size);
	aiot_stat_add(accel, AIOT_STAT_BYTES_LOADED, size);
	return 0;
}

void aiot_model_free(struct aiot_model *model)
{
	if (!model)
		return;
	aiot_model_release_dmabufs(model);
	aiot_buffer_free(model->cmd_buffer);
	aiot_buffer_free(model->weights);
	aiot_buffer_free(model->arena);
	for (unsigned int slot = 0; slot < AIOT_MAX_BINDINGS; slot++)
		aiot_buffer_free(model->own[slot]);
	pthread_mutex_destroy(&model->lock);
	free(model);
}

int aiot_model_load(struct aiot_accel *accel, const void *blob, size_t size,
		    struct aiot_model **model_out, char *err, size_t errlen)
{
	struct aiot_model_blob_view *view;
	struct aiot_model *model;
	unsigned int slot, count;
	int ret;

	if (err && errlen)
		err[0] = '\0';
	if (!accel || !blob || !model_out)
		return aiot_fail(-EINVAL, err, errlen, "missing argument");
	view = malloc(sizeof(*view));
	model = calloc(1, sizeof(*model));
	if (!view || !model) {
		free(view);
		free(model);
		return aiot_fail(-ENOMEM, err, errlen, "out of memory");
	}
	pthread_mutex_init(&model->lock, NULL);
	ret = aiot_model_blob_parse(blob, size, view, err, errlen);
	if (ret)
		goto out;

	model->accel = accel;
	snprintf(model->name, sizeof(model->name), "%s", view->name);
	model->weights_binding = view->header.weights_binding;
	model->arena_binding = view->header.arena_binding;
	model->arena_size = view->header.arena_size;
	model->input_count = view->input_count;
	model->output_count = view->output_count;
	count = view->input_count + view->output_count;
	for (unsigned int i = 0; i < count; i++) {
		struct aiot_tensor_info *t = &model->tensors[i];
		size_t end;

		t->desc = view->tensors[i];
		memcpy(t->name, t->desc.name, AIOT_MODEL_NAME_LEN);
		t->name[AIOT_MODEL_NAME_LEN] = '\0';
		/* The parser bounded offset + size to 32 bits. */
		end = (size_t)t->desc.offset + t->desc.size;
		if (end > model->slot_need[t->desc.binding])
			model->slot_need[t->desc.binding] = end;
	}

	ret = upload(accel, view->command_stream, view->command_stream_size,
		     &model->cmd_buffer);
	if (ret) {
		aiot_fail(ret, err, errlen, "command stream buffer: %s", aiot_strerror(ret));
		goto out;
	}
	model->cmd_size = view->command_stream_size;
	if (view->weights) {
		ret = upload(accel, view->weights, view->weights_size, &model->weights);
		if (ret) {
			aiot_fail(ret, err, errlen, "weights buffer (%zu bytes): %s",
			     view->weights_size, aiot_strerror(ret));
			goto out;
		}
	}
	if (model->arena_size) {
		ret = aiot_buffer_create(accel, model->arena_size, &model->arena);
		if (ret) {
			aiot_fail(ret, err, errlen, "arena buffer (%zu bytes): %s",
			     model->arena_size, aiot_strerror(ret));
			goto out;
		}
	}
	for (slot = 0; slot < AIOT_MAX_BINDINGS; slot++) {
		if (!model->slot_need[slot])
			continue;
		ret = aiot_buffer_create(accel, model->slot_need[slot], &model->own[slot]);
		if (ret) {
			aiot_fail(ret, err, errlen, "buffer of binding slot %u: %s", slot,
			     aiot_strerror(ret));
			goto out;
		}
		model->bound[slot] = model->own[slot];
	}
	*model_out = model;
	model = NULL;
out:
	free(view);
	aiot_model_free(model);
	return ret;
}

int aiot_model_load_file(struct aiot_accel *accel, const char *path,
			 struct aiot_model **model_out, char *err, size_t errlen)
{
	struct stat st;
	size_t done = 0;
	void *blob;
	int fd, ret;

	if (!accel || !path || !model_out)
		return aiot_fail(-EINVAL, err, errlen, "missing argument");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		return aiot_fail(ret, err, errlen, "%s: %s", path, aiot_strerror(ret));
	}
	if (fstat(fd, &st)) {
		ret = -errno;
		close(fd);
		return aiot_fail(ret, err, errlen, "%s: %s", path, aiot_strerror(ret));
	}
	if (st.st_size > AIOT_MODEL_MAX_BLOB_SIZE) {
		close(fd);
		return aiot_fail(-EFBIG, err, errlen, "%s: %lld bytes, above the %u-byte limit",
			    path, (long long)st.st_size, AIOT_MODEL_MAX_BLOB_SIZE);
	}
	blob = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!blob) {
		close(fd);
		return aiot_fail(-ENOMEM, err, errlen, "out of memory");
	}
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, (char *)blob + done, (size_t)st.st_size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	close(fd);
	ret = aiot_model_load(accel, blob, done, model_out, err, errlen);
	free(blob);
	return ret;
}

const char *aiot_model_get_name(const struct aiot_model *model)
{
	return model ? model->name : "";
}

unsigned int aiot_model_get_input_count(const struct aiot_model *model)
{
	return model ? model->input_count : 0;
}

unsigned int aiot_model_get_output_count(const struct aiot_model *model)
{
	return model ? model->output_count : 0;
}

size_t aiot_model_get_arena_size(const struct aiot_model *model)
{
	return model ? model->arena_size : 0;
}

struct aiot_accel *aiot_model_get_accel(const struct aiot_model *model)
{
	return model ? model->accel : NULL;
}

static struct aiot_tensor_info *input_info(const struct aiot_model *model,
					   unsigned int index)
{
	if (!model || index >= model->input_count)
		return NULL;
	return (struct aiot_tensor_info *)&model->tensors[index];
}

static struct aiot_tensor_info *output_info(const struct aiot_model *model,
					    unsigned int index)
{
	if (!model || index >= model->output_count)
		return NULL;
	return (struct aiot_tensor_info *)&model->tensors[model->input_count + index];
}

const struct aiot_tensor_info *aiot_model_get_input_info(const struct aiot_model *model,
							 unsigned int index)
{
	return input_info(model, index);
}

const struct aiot_tensor_info *aiot_model_get_output_info(const struct aiot_model *model,
							  unsigned int index)
{
	return output_info(model, index);
}

/* Index of the first of @count tensors from @first called @name. */
static int find_tensor(const struct aiot_model *model, unsigned int first, unsigned int count,
		       const char *name)
{
	if (!model || !name)
		return -EINVAL;
	for (unsigned int i = 0; i < count; i++)
		if (!strcmp(model->tensors[first + i].name, name))
			return (int)i;
	return -ENOENT;
}

int aiot_model_find_input(const struct aiot_model *model, const char *name)
{
	return find_tensor(model, 0, model ? model->input_count : 0, name);
}

int aiot_model_find_output(const struct aiot_model *model, const char *name)
{
	return find_tensor(model, model ? model->input_count : 0,
			   model ? model->output_count : 0, name);
}

const char *aiot_tensor_info_get_name(const struct aiot_tensor_info *info)
{
	return info ? info->name : "";
}

enum aiot_dtype aiot_tensor_info_get_dtype(const struct aiot_tensor_info *info)
{
	return info ? (enum aiot_dtype)info->desc.dtype : AIOT_DTYPE_INT8;
}

void aiot_tensor_info_get_shape(const struct aiot_tensor_info *info,
				uint32_t dims[AIOT_TENSOR_DIMS])
{
	for (int d = 0; d < AIOT_TENSOR_DIMS; d++)
		dims[d] = info ? info->desc.dims[d] : 0;
}

size_t aiot_tensor_info_get_size(const struct aiot_tensor_info *info)
{
	return info ? info->desc.size : 0;
}

float aiot_tensor_info_get_scale(const struct aiot_tensor_info *info)
{
	float scale = 0.0f;

	if (info)
		memcpy(&scale, &info->desc.scale_bits, sizeof(scale));
	return scale;
}

int32_t aiot_tensor_info_get_zero_point(const struct aiot_tensor_info *info)
{
	return info ? info->desc.zero_point : 0;
}

uint32_t aiot_tensor_info_get_pixel_format(const struct aiot_tensor_info *info)
{
	return info ? info->desc.pixel_format : 0;
}

bool aiot_tensor_info_is_dequantized(const struct aiot_tensor_info *info)
{
	return info && (info->desc.flags & AIOT_MODEL_TENSOR_F_DEQUANTIZE);
}

unsigned int aiot_tensor_info_get_binding(const struct aiot_tensor_info *info)
{
	return info ? info->desc.binding : 0;
}

size_t aiot_tensor_info_get_offset(const struct aiot_tensor_info *info)
{
	return info ? info->desc.offset : 0;
}

static int bind(struct aiot_model *model, const struct aiot_tensor_info *t,
		struct aiot_buffer *buffer)
{
	unsigned int slot;

	if (!t)
		return -EINVAL;
	slot = t->desc.binding;
	if (buffer && buffer->accel != model->accel)
		return -EXDEV;
	if (buffer && buffer->size < model->slot_need[slot])
		return -EINVAL;
	pthread_mutex_lock(&model->lock);
	model->bound[slot] = buffer ? buffer : model->own[slot];
	pthread_mutex_unlock(&model->lock);
	return 0;
}

int aiot_model_bind_input(struct aiot_model *model, unsigned int index,
			  struct aiot_buffer *buffer)
{
	return bind(model, input_info(model, index), buffer);
}

int aiot_model_bind_output(struct aiot_model *model, unsigned int index,
			   struct aiot_buffer *buffer)
{
	return bind(model, output_info(model, index), buffer);
}

/* Address of tensor @t in the buffer bound to its slot now. */
static int tensor_ptr(struct aiot_model *model, const struct aiot_tensor_info *t,
		      uint8_t **ptr)
{
	struct aiot_buffer *buf;
	void *base;
	int ret;

	pthread_mutex_lock(&model->lock);
	buf = model->bound[t->desc.binding];
	pthread_mutex_unlock(&model->lock);
	ret = aiot_buffer_map(buf, &base);
	if (ret)
		return ret;
	*ptr = (uint8_t *)base + t->desc.offset;
	return 0;
}

int aiot_model_write_input(struct aiot_model *model, unsigned int index,
			   const void *data, size_t size)
{
	const struct aiot_tensor_info *t = input_info(model, index);
	uint8_t *dst;
	int ret;

	if (!t || !data || size != t->desc.size)
		return -EINVAL;
	ret = tensor_ptr(model, t, &dst);
	if (ret)
		return ret;
	memcpy(dst, data, size);
	aiot_stat_add(model->accel, AIOT_STAT_BYTES_COPIED, size);
	return 0;
}

int aiot_model_read_output(struct aiot_model *model, unsigned int index,
			   void *data, size_t size)
{
	const struct aiot_tensor_info *t = output_info(model, index);
	uint8_t *src;
	int ret;

	if (!t || !data || size != t->desc.size)
		return -EINVAL;
	ret = tensor_ptr(model, t, &src);
	if (ret)
		return ret;
	memcpy(data, src, size);
	aiot_stat_add(model->accel, AIOT_STAT_BYTES_COPIED, size);
	return 0;
}

int aiot_model_read_output_float(struct aiot_model *model, unsigned int index,
				 float *values, size_t count)
{
	const struct aiot_tensor_info *t = output_info(model, index);
	unsigned int esize;
	uint8_t *src;
	double scale;
	int ret;

	if (!t || !values)
		return -EINVAL;
	esize = aiot_dtype_size(t->desc.dtype);
	if (!esize || count != t->desc.size / esize)
		return -EINVAL;
	ret = tensor_ptr(model, t, &src);
	if (ret)
		return ret;
	scale = (double)aiot_tensor_info_get_scale(t);
	/* As TensorFlow Lite's DEQUANTIZE: in double, then to float. */
	for (size_t i = 0; i < count; i++)
		values[i] = (float)(scale * (double)(aiot_dtype_load(t->desc.dtype, src, i) -
						     t->desc.zero_point));
	aiot_stat_add(model->accel, AIOT_STAT_BYTES_COPIED, t->desc.size);
	return 0;
}

int aiot_model_map_output(struct aiot_model *model, unsigned int index,
			  const void **ptr_out)
{
	const struct aiot_tensor_info *t = output_info(model, index);
	uint8_t *ptr;
	int ret;

	if (!t || !ptr_out)
		return -EINVAL;
	ret = tensor_ptr(model, t, &ptr);
	if (ret)
		return ret;
	*ptr_out = ptr;
	return 0;
}

int aiot_model_submit(struct aiot_model *model, const struct aiot_job_config *options,
		      struct aiot_job **job_out)
{
	struct aiot_job_config config;
	unsigned int slot;

	if (!model || !job_out)
		return -EINVAL;
	if (options)
		config = *options;
	else
		config = (struct aiot_job_config){ .priority = AIOT_PRIORITY_NORMAL };
	config.cmd_buffer = model->cmd_buffer;
	config.cmd_offset = 0;
	config.cmd_size = (uint32_t)model->cmd_size;
	pthread_mutex_lock(&model->lock);
	for (slot = 0; slot < AIOT_MAX_BINDINGS; slot++) {
		if (!model->slot_need[slot])
			continue;
		if (!config.bindings[slot])
			config.bindings[slot] = model->bound[slot];
		else if (config.bindings[slot]->size < model->slot_need[slot])
			break;
	}
	pthread_mutex_unlock(&model->lock);
	if (slot < AIOT_MAX_BINDINGS)
		return -EINVAL;
	if (model->weights_binding != AIOT_MODEL_NO_BINDING)
		config.bindings[model->weights_binding] = model->weights;
	if (model->arena_binding != AIOT_MODEL_NO_BINDING)
		config.bindings[model->arena_binding] = model->arena;
	return aiot_accel_submit(model->accel, &config, job_out);
}

int aiot_model_run(struct aiot_model *model, int64_t timeout_ns)
{
	struct aiot_job *job;
	int ret;

	ret = aiot_model_submit(model, NULL, &job);
	if (ret)
		return ret;
	ret = aiot_job_wait(job, timeout_ns);
	if (!ret)
		ret = aiot_job_get_status(job);
	aiot_job_free(job);
	return ret;
}
