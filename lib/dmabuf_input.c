// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * External dma-bufs (a V4L2 camera's buffers from VIDIOC_EXPBUF, another
 * driver's exports) as a model's input, with no copy: each dma-buf is
 * imported once per model, found again by the identity of its file, checked
 * against the input tensor, and released on request or with the model.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* The cache entry of the dma-buf of @st. Called with model->lock. */
static struct aiot_dmabuf_import *find_import(struct aiot_model *model,
					      const struct stat *st)
{
	for (size_t i = 0; i < model->dmabuf_count; i++) {
		struct aiot_dmabuf_import *imp = &model->dmabufs[i];

		if (imp->dev == st->st_dev && imp->ino == st->st_ino)
			return imp;
	}
	return NULL;
}

/* Free entry @i: unbind it, close the import and the fd. With model->lock. */
static void drop_import(struct aiot_model *model, size_t i)
{
	struct aiot_dmabuf_import *imp = &model->dmabufs[i];

	for (unsigned int slot = 0; slot < AIOT_MAX_BINDINGS; slot++)
		if (model->bound[slot] == imp->buffer)
			model->bound[slot] = model->own[slot];
	aiot_buffer_free(imp->buffer);
	close(imp->fd);
	model->dmabufs[i] = model->dmabufs[--model->dmabuf_count];
}

/*
 * Does a dma-buf of @size bytes, with the tensor's data at @offset and
 * @length bytes filled (0: to the end), serve input @t of @model? 0 or
 * -EINVAL with the reason.
 */
static int check_fit(const struct aiot_model *model, unsigned int index,
		     const struct aiot_tensor_info *t, size_t size, size_t offset,
		     size_t length, char *err, size_t errlen)
{
	size_t need = model->slot_need[t->desc.binding];

	if (offset != t->desc.offset)
		return aiot_fail(-EINVAL, err, errlen,
			    "input %u: data at offset %zu of the dma-buf, but the model reads it at "
			    "offset %u of its binding slot (bindings are whole buffers)",
			    index, offset, t->desc.offset);
	if (offset > size)
		return aiot_fail(-EINVAL, err, errlen, "input %u: offset %zu beyond the dma-buf's %zu bytes",
			    index, offset, size);
	if (!length)
		length = size - offset;
	if (length > size - offset)
		return aiot_fail(-EINVAL, err, errlen,
			    "input %u: %zu bytes from offset %zu overrun the dma-buf's %zu bytes",
			    index, length, offset, size);
	if (length < t->desc.size)
		return aiot_fail(-EINVAL, err, errlen,
			    "input %u: %zu bytes of data, the tensor takes %u (shape %ux%ux%ux%u)",
			    index, length, t->desc.size, t->desc.dims[0], t->desc.dims[1],
			    t->desc.dims[2], t->desc.dims[3]);
	if (size < need)
		return aiot_fail(-EINVAL, err, errlen,
			    "input %u: the dma-buf has %zu bytes, its binding slot %u needs %zu",
			    index, size, t->desc.binding, need);
	return 0;
}

int aiot_model_import_input_dmabuf(struct aiot_model *model, unsigned int index,
				   int dmabuf_fd, size_t offset, size_t length,
				   struct aiot_buffer **buffer_out, char *err, size_t errlen)
{
	const struct aiot_tensor_info *t = aiot_model_get_input_info(model, index);
	struct aiot_dmabuf_import *imp, *grown;
	struct aiot_buffer *buf = NULL;
	struct stat st;
	off_t end;
	int ret, fd;

	if (err && errlen)
		err[0] = '\0';
	if (!model || !buffer_out)
		return aiot_fail(-EINVAL, err, errlen, "missing argument");
	if (!t)
		return aiot_fail(-EINVAL, err, errlen, "no input %u (the model has %u)", index,
			    model->input_count);
	if (dmabuf_fd < 0 || fstat(dmabuf_fd, &st))
		return aiot_fail(-EBADF, err, errlen, "fd %d is not open", dmabuf_fd);

	pthread_mutex_lock(&model->lock);
	imp = find_import(model, &st);
	if (imp) {
		ret = check_fit(model, index, t, imp->size, offset, length, err, errlen);
		if (!ret)
			*buffer_out = imp->buffer;
		pthread_mutex_unlock(&model->lock);
		return ret;
	}
	pthread_mutex_unlock(&model->lock);

	/*
	 * A dma-buf tells its size through lseek(); pipes and sockets cannot
	 * seek. Other files that can are refused by the PRIME import.
	 */
	end = lseek(dmabuf_fd, 0, SEEK_END);
	if (end <= 0)
		return aiot_fail(-EBADF, err, errlen, "fd %d is not a dma-buf (%s)", dmabuf_fd,
			    end == 0 ? "it has no bytes" : "it cannot seek");
	lseek(dmabuf_fd, 0, SEEK_SET);
	ret = check_fit(model, index, t, (size_t)end, offset, length, err, errlen);
	if (ret)
		return ret;
	fd = fcntl(dmabuf_fd, F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return aiot_fail(-errno, err, errlen, "dup of fd %d: %s", dmabuf_fd, strerror(errno));
	ret = aiot_buffer_import_dmabuf(model->accel, fd, &buf);
	if (ret) {
		close(fd);
		return aiot_fail(ret, err, errlen, "PRIME import of fd %d: %s%s", dmabuf_fd,
			    aiot_strerror(ret), ret == -EINVAL ? " (not a dma-buf?)" : "");
	}
	if (buf->accel != model->accel) {
		/* Cannot happen: imported on the model's own accelerator. */
		aiot_buffer_free(buf);
		close(fd);
		return aiot_fail(-EXDEV, err, errlen, "imported on another accelerator");
	}

	pthread_mutex_lock(&model->lock);
	/* Another thread may have imported the same dma-buf meanwhile. */
	imp = find_import(model, &st);
	if (imp) {
		*buffer_out = imp->buffer;
		pthread_mutex_unlock(&model->lock);
		aiot_buffer_free(buf);
		close(fd);
		return 0;
	}
	if (model->dmabuf_count == model->dmabuf_capacity) {
		size_t cap = model->dmabuf_capacity ? 2 * model->dmabuf_capacity : 8;

		grown = realloc(model->dmabufs, cap * sizeof(*grown));
		if (!grown) {
			pthread_mutex_unlock(&model->lock);
			aiot_buffer_free(buf);
			close(fd);
			return aiot_fail(-ENOMEM, err, errlen, "out of memory");
		}
		model->dmabufs = grown;
		model->dmabuf_capacity = cap;
	}
	model->dmabufs[model->dmabuf_count++] = (struct aiot_dmabuf_import){
		.dev = st.st_dev, .ino = st.st_ino, .fd = fd, .size = (size_t)end,
		.buffer = buf,
	};
	*buffer_out = buf;
	pthread_mutex_unlock(&model->lock);
	return 0;
}

int aiot_model_bind_input_dmabuf(struct aiot_model *model, unsigned int index,
				 int dmabuf_fd, size_t offset, size_t length, char *err,
				 size_t errlen)
{
	struct aiot_buffer *buf;
	int ret;

	ret = aiot_model_import_input_dmabuf(model, index, dmabuf_fd, offset, length, &buf,
					     err, errlen);
	if (ret)
		return ret;
	ret = aiot_model_bind_input(model, index, buf);
	if (ret)
		return aiot_fail(ret, err, errlen, "binding input %u: %s", index, aiot_strerror(ret));
	return 0;
}

int aiot_model_release_dmabuf(struct aiot_model *model, int dmabuf_fd)
{
	struct aiot_dmabuf_import *imp;
	struct stat st;

	if (!model)
		return -EINVAL;
	if (dmabuf_fd < 0 || fstat(dmabuf_fd, &st))
		return -EBADF;
	pthread_mutex_lock(&model->lock);
	imp = find_import(model, &st);
	if (imp)
		drop_import(model, (size_t)(imp - model->dmabufs));
	pthread_mutex_unlock(&model->lock);
	return imp ? 0 : -ENOENT;
}

unsigned int aiot_model_get_dmabuf_count(const struct aiot_model *model)
{
	unsigned int n;

	if (!model)
		return 0;
	pthread_mutex_lock((pthread_mutex_t *)&model->lock);
	n = (unsigned int)model->dmabuf_count;
	pthread_mutex_unlock((pthread_mutex_t *)&model->lock);
	return n;
}

void aiot_model_release_dmabufs(struct aiot_model *model)
{
	pthread_mutex_lock(&model->lock);
	while (model->dmabuf_count)
		drop_import(model, model->dmabuf_count - 1);
	pthread_mutex_unlock(&model->lock);
	free(model->dmabufs);
	model->dmabufs = NULL;
	model->dmabuf_capacity = 0;
}
