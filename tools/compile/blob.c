// SPDX-License-Identifier: GPL-2.0-only
/*
 * Model blob writer (see blob.h): the lowered model handed to
 * libaiot-accel's writer, aiot_model_blob_build() (lib/model.c), so that
 * the format is laid out, checksummed and checked in one place.
 */
#include "blob.h"
#include "lower.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <aiot/model_format.h>
#include <linux/aiot_isa.h>
#include <linux/videodev2.h>

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* What the blob stores of a lowered tensor, in the library's host-order record. */
static void to_model_tensor(struct aiot_model_tensor *p, const struct aiot_lowered_tensor *t,
			    const char *name, uint8_t direction)
{
	memset(p, 0, sizeof(*p));
	if (!name)
		name = t->name;
	memcpy(p->name, name, strnlen(name, AIOT_MODEL_NAME_LEN));
	p->direction = direction;
	p->dtype = (uint8_t)t->dtype;
	p->binding = t->binding;
	p->offset = 0;
	memcpy(p->dims, t->dims, sizeof(p->dims));
	memcpy(&p->scale_bits, &t->scale, sizeof(p->scale_bits));
	p->zero_point = t->zero_point;
	p->size = t->bytes;
	p->flags = t->dequantize ? AIOT_MODEL_TENSOR_F_DEQUANTIZE : 0;
}

int aiot_blob_write(const struct aiot_lowered_model *lm, const struct aiot_blob_names *names,
		    void **blob_out, size_t *size_out, char *err, size_t errlen)
{
	struct aiot_model_tensor tensors[AIOT_LOWER_MAX_IO + 1];
	unsigned int n = 0;
	struct aiot_model_blob_parts parts = { 0 };
	const char *model_name = names && names->model ? names->model : "";
	char name[64];

	if (err && errlen)
		err[0] = '\0';
	if (!lm || !blob_out || !size_out)
		return fail(err, errlen, "missing argument");
	if (!lm->stream || lm->stream_size < sizeof(struct aiot_isa_header))
		return fail(err, errlen, "no command stream");
	if (lm->arena_size > AIOT_MODEL_MAX_ARENA_SIZE)
		return fail(err, errlen, "arena of %zu bytes exceeds the format's limit",
			    lm->arena_size);
	if (lm->stream_size > AIOT_MODEL_MAX_BLOB_SIZE ||
	    lm->weights_size > AIOT_MODEL_MAX_BLOB_SIZE)
		return fail(err, errlen, "sections exceed the format's size limit");

	if (!lm->input_count || !lm->output_count ||
	    lm->input_count + lm->output_count > AIOT_LOWER_MAX_IO)
		return fail(err, errlen, "%u inputs and %u outputs (1..%u together, one of each "
			    "at least)", lm->input_count, lm->output_count, AIOT_LOWER_MAX_IO);
	for (unsigned int i = 0; i < lm->input_count; i++) {
		to_model_tensor(&tensors[n], &lm->inputs[i], i == 0 && names ? names->input : NULL,
				AIOT_MODEL_TENSOR_INPUT);
		if (i == 0)
			tensors[n].pixel_format = lm->input_pixel_format;
		n++;
	}
	if (lm->input_pixel_format == V4L2_PIX_FMT_NV12M) {
		/* plane 1, the chroma: an input of its own, half the luma's bytes */
		struct aiot_lowered_tensor uv = lm->input;

		uv.bytes /= 2;
		uv.binding = AIOT_LOWER_BINDING_CHROMA;
		to_model_tensor(&tensors[n], &uv, "frame_chroma", AIOT_MODEL_TENSOR_INPUT);
		tensors[n++].pixel_format = V4L2_PIX_FMT_NV12M;
	}
	for (unsigned int j = 0; j < lm->output_count; j++)
		to_model_tensor(&tensors[n++], &lm->outputs[j],
				j == 0 && names ? names->output : NULL, AIOT_MODEL_TENSOR_OUTPUT);
	/* the format's name section holds at most 63 bytes */
	snprintf(name, sizeof(name), "%s", model_name);
	parts.name = name;
	parts.isa_version = lm->isa_version;
	parts.command_stream = lm->stream;
	parts.command_stream_size = lm->stream_size;
	parts.weights = lm->weights;
	parts.weights_size = lm->weights_size;
	parts.weights_binding = AIOT_ISA_BINDING_WEIGHTS;
	parts.arena_size = lm->arena_size;
	parts.arena_binding = AIOT_ISA_BINDING_ARENA;
	parts.tensors = tensors;
	parts.tensor_count = n;
	return aiot_model_blob_build(&parts, blob_out, size_out, err, errlen);
}
