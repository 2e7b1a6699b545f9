// SPDX-License-Identifier: GPL-2.0-only
/*
 * Model blob writer (see blob.h). Every field is encoded byte by byte in
 * little-endian order; the layout constants come from model_format.h.
 */
#include "blob.h"
#include "lower.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <aiot/model_format.h>
#include <linux/aiot_isa.h>

#include "../../lib/le_bytes.h"

/* Header field offsets (model_format.h documents the struct). */
enum {
	HDR_MAGIC = 0, HDR_VERSION_MAJOR = 8, HDR_VERSION_MINOR = 10,
	HDR_HEADER_SIZE = 12, HDR_SECTION_COUNT = 16, HDR_FLAGS = 20,
	HDR_TOTAL_SIZE = 24, HDR_HEADER_CRC = 32, HDR_PAYLOAD_CRC = 36,
	HDR_ISA_VERSION = 40, HDR_WEIGHTS_BINDING = 44, HDR_ARENA_BINDING = 45,
	HDR_ARENA_SIZE = 48,
};

enum {
	TEN_NAME = 0, TEN_DIRECTION = 24, TEN_DTYPE = 25, TEN_BINDING = 26,
	TEN_OFFSET = 28, TEN_DIMS = 32, TEN_SCALE = 48, TEN_ZERO_POINT = 52,
	TEN_SIZE = 56,
};

#define MAX_SECTIONS 4

struct blob_section {
	uint32_t type;
	const void *data;
	size_t size;
};

uint32_t aiot_blob_crc32(uint32_t crc, const void *data, size_t len)
{
	static uint32_t table[256];
	static bool ready;
	const uint8_t *p = data;

	/* Benign race: every thread computes the same table. */
	if (!ready) {
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t c = i;

			for (int k = 0; k < 8; k++)
				c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
			table[i] = c;
		}
		ready = true;
	}
	crc = ~crc;
	while (len--)
		crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

static size_t align8(size_t v)
{
	return (v + AIOT_MODEL_SECTION_ALIGN - 1) & ~(size_t)(AIOT_MODEL_SECTION_ALIGN - 1);
}

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

static void encode_tensor(uint8_t *p, const struct aiot_lowered_tensor *t, const char *name,
			  uint8_t direction, uint8_t binding)
{
	uint32_t scale_bits;

	memset(p, 0, AIOT_MODEL_TENSOR_SIZE);
	if (name)
		memcpy(p + TEN_NAME, name, strnlen(name, AIOT_MODEL_NAME_LEN));
	p[TEN_DIRECTION] = direction;
	p[TEN_DTYPE] = (uint8_t)t->dtype;
	p[TEN_BINDING] = binding;
	aiot_le32_put(p + TEN_OFFSET, 0);
	for (int d = 0; d < 4; d++)
		aiot_le32_put(p + TEN_DIMS + 4 * d, t->dims[d]);
	memcpy(&scale_bits, &t->scale, sizeof(scale_bits));
	aiot_le32_put(p + TEN_SCALE, scale_bits);
	aiot_le32_put(p + TEN_ZERO_POINT, (uint32_t)t->zero_point);
	aiot_le32_put(p + TEN_SIZE, t->bytes);
}

int aiot_blob_write(const struct aiot_lowered_model *lm, const struct aiot_blob_names *names,
		    void **blob_out, size_t *size_out, char *err, size_t errlen)
{
	struct blob_section sec[MAX_SECTIONS];
	uint8_t tensors[2 * AIOT_MODEL_TENSOR_SIZE];
	const char *model_name = names && names->model ? names->model : "";
	size_t name_len = strnlen(model_name, 63), total, off;
	unsigned int nsec = 0;
	uint8_t *blob;

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

	encode_tensor(tensors, &lm->input, names ? names->input : NULL,
		      AIOT_MODEL_TENSOR_INPUT, AIOT_ISA_BINDING_INPUT);
	encode_tensor(tensors + AIOT_MODEL_TENSOR_SIZE, &lm->output,
		      names ? names->output : NULL, AIOT_MODEL_TENSOR_OUTPUT,
		      AIOT_ISA_BINDING_OUTPUT);
	sec[nsec++] = (struct blob_section){ AIOT_MODEL_SECTION_COMMAND_STREAM, lm->stream,
					lm->stream_size };
	if (lm->weights_size)
		sec[nsec++] = (struct blob_section){ AIOT_MODEL_SECTION_WEIGHTS, lm->weights,
						lm->weights_size };
	sec[nsec++] = (struct blob_section){ AIOT_MODEL_SECTION_TENSORS, tensors, sizeof(tensors) };
	if (name_len)
		sec[nsec++] = (struct blob_section){ AIOT_MODEL_SECTION_NAME, model_name, name_len };

	total = AIOT_MODEL_HEADER_SIZE + (size_t)nsec * AIOT_MODEL_SECTION_SIZE;
	for (unsigned int i = 0; i < nsec; i++)
		total = align8(total) + sec[i].size;
	if (total > AIOT_MODEL_MAX_BLOB_SIZE)
		return fail(err, errlen, "blob of %zu bytes exceeds the format's limit", total);
	blob = calloc(1, total); /* padding bytes are zero */
	if (!blob) {
		if (err && errlen)
			snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	off = AIOT_MODEL_HEADER_SIZE + (size_t)nsec * AIOT_MODEL_SECTION_SIZE;
	for (unsigned int i = 0; i < nsec; i++) {
		uint8_t *e = blob + AIOT_MODEL_HEADER_SIZE + (size_t)i * AIOT_MODEL_SECTION_SIZE;

		off = align8(off);
		aiot_le32_put(e, sec[i].type);
		aiot_le32_put(e + 4, 0);
		aiot_le64_put(e + 8, off);
		aiot_le64_put(e + 16, sec[i].size);
		memcpy(blob + off, sec[i].data, sec[i].size);
		off += sec[i].size;
	}
	memcpy(blob + HDR_MAGIC, AIOT_MODEL_MAGIC, AIOT_MODEL_MAGIC_LEN);
	aiot_le16_put(blob + HDR_VERSION_MAJOR, AIOT_MODEL_VERSION_MAJOR);
	aiot_le16_put(blob + HDR_VERSION_MINOR, AIOT_MODEL_VERSION_MINOR);
	aiot_le32_put(blob + HDR_HEADER_SIZE, AIOT_MODEL_HEADER_SIZE);
	aiot_le32_put(blob + HDR_SECTION_COUNT, nsec);
	aiot_le32_put(blob + HDR_FLAGS, 0);
	aiot_le64_put(blob + HDR_TOTAL_SIZE, total);
	aiot_le32_put(blob + HDR_ISA_VERSION, lm->isa_version);
	blob[HDR_WEIGHTS_BINDING] = lm->weights_size ? AIOT_ISA_BINDING_WEIGHTS :
				    AIOT_MODEL_NO_BINDING;
	blob[HDR_ARENA_BINDING] = lm->arena_size ? AIOT_ISA_BINDING_ARENA :
				  AIOT_MODEL_NO_BINDING;
	aiot_le64_put(blob + HDR_ARENA_SIZE, lm->arena_size);
	aiot_le32_put(blob + HDR_PAYLOAD_CRC, aiot_blob_crc32(0, blob + AIOT_MODEL_HEADER_SIZE,
						      total - AIOT_MODEL_HEADER_SIZE));
	/* header_crc is computed with its own field still zero */
	aiot_le32_put(blob + HDR_HEADER_CRC, aiot_blob_crc32(0, blob, AIOT_MODEL_HEADER_SIZE));
	*blob_out = blob;
	*size_out = total;
	return 0;
}
