// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The compiled model blob: parser and writer (include/aiot/model_format.h,
 * docs/model-format.md).
 *
 * This file stands alone (libc only), so that aiot-compile on the host and
 * the fuzzer link it without libdrm. The blob is untrusted: every field is
 * decoded byte by byte (no unaligned or type-punned access), and every
 * offset and length is checked with overflow-safe arithmetic before use.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <aiot/model_format.h>
#include <linux/aiot_isa.h>

#include "dtype.h"
#include "fail.h"
#include "le_bytes.h"

_Static_assert(sizeof(struct aiot_model_file_header) == AIOT_MODEL_HEADER_SIZE,
	       "header layout");
_Static_assert(sizeof(struct aiot_model_section) == AIOT_MODEL_SECTION_SIZE,
	       "section layout");
_Static_assert(sizeof(struct aiot_model_tensor) == AIOT_MODEL_TENSOR_SIZE,
	       "tensor layout");

/* Byte offsets of the header fields (the struct is documentation). */
enum {
	HDR_MAGIC = 0,
	HDR_VERSION_MAJOR = 8,
	HDR_VERSION_MINOR = 10,
	HDR_HEADER_SIZE = 12,
	HDR_SECTION_COUNT = 16,
	HDR_FLAGS = 20,
	HDR_TOTAL_SIZE = 24,
	HDR_HEADER_CRC = 32,
	HDR_PAYLOAD_CRC = 36,
	HDR_ISA_VERSION = 40,
	HDR_WEIGHTS_BINDING = 44,
	HDR_ARENA_BINDING = 45,
	HDR_RESERVED0 = 46,
	HDR_ARENA_SIZE = 48,
	HDR_RESERVED = 56,
};

enum {
	TEN_NAME = 0,
	TEN_DIRECTION = 24,
	TEN_DTYPE = 25,
	TEN_BINDING = 26,
	TEN_FLAGS = 27,
	TEN_OFFSET = 28,
	TEN_DIMS = 32,
	TEN_SCALE = 48,
	TEN_ZERO_POINT = 52,
	TEN_SIZE = 56,
	TEN_PIXEL_FORMAT = 60,
};

/* CRC-32 (reflected 0xEDB88320), four bits at a time: a 16-entry table. */
uint32_t aiot_crc32(uint32_t crc, const void *data, size_t len)
{
	static const uint32_t nibble_table[16] = {
		0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac,
		0x76dc4190, 0x6b6b51f4, 0x4db26158, 0x5005713c,
		0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
		0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
	};
	const uint8_t *p = data;

	crc = ~crc;
	while (len--) {
		crc ^= *p++;
		crc = (crc >> 4) ^ nibble_table[crc & 15];
		crc = (crc >> 4) ^ nibble_table[crc & 15];
	}
	return ~crc;
}

int aiot_fail(int ret, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

static bool zero_point_fits(uint8_t dtype, int32_t zp)
{
	switch (dtype) {
	case AIOT_ISA_DTYPE_INT8:
		return zp >= -128 && zp <= 127;
	case AIOT_ISA_DTYPE_INT16:
		return zp >= -32768 && zp <= 32767;
	default:
		return true;
	}
}

static const char *section_name(uint32_t type)
{
	switch (type) {
	case AIOT_MODEL_SECTION_COMMAND_STREAM:
		return "command stream";
	case AIOT_MODEL_SECTION_WEIGHTS:
		return "weights";
	case AIOT_MODEL_SECTION_TENSORS:
		return "tensors";
	case AIOT_MODEL_SECTION_NAME:
		return "name";
	default:
		return "unknown";
	}
}

/* V4L2's fourcc code (v4l2_fourcc() of <linux/videodev2.h>). */
#define FOURCC(a, b, c, d) \
	((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)

/* The camera frame formats a blob's input may be (docs/model-format.md). */
static const struct frame_format {
	uint32_t fourcc;
	uint8_t bytes_num, bytes_den;	/* bytes per pixel, a fraction */
	bool even_width, even_height;
} frame_formats[] = {
	{ FOURCC('G', 'R', 'E', 'Y'), 1, 1, false, false },
	{ FOURCC('Y', 'U', 'Y', 'V'), 2, 1, true, false },
	{ FOURCC('U', 'Y', 'V', 'Y'), 2, 1, true, false },
	{ FOURCC('N', 'V', '1', '2'), 3, 2, true, true },
	{ FOURCC('R', 'G', 'B', '3'), 3, 1, false, false },
	{ FOURCC('B', 'G', 'R', '3'), 3, 1, false, false },
	/* Both planes together; each is an input of its own (plane_bytes()). */
	{ FOURCC('N', 'M', '1', '2'), 3, 2, true, true },
};

#define FOURCC_NV12M FOURCC('N', 'M', '1', '2')

int aiot_model_frame_size(uint32_t fourcc, uint32_t width, uint32_t height,
			  uint64_t *bytes)
{
	for (size_t i = 0; i < sizeof(frame_formats) / sizeof(frame_formats[0]); i++) {
		const struct frame_format *f = &frame_formats[i];
		uint64_t n;

		if (f->fourcc != fourcc)
			continue;
		if (!width || !height || width > AIOT_ISA_MAX_DIM || height > AIOT_ISA_MAX_DIM ||
		    (f->even_width && width % 2) || (f->even_height && height % 2))
			return -EINVAL;
		n = (uint64_t)width * height * f->bytes_num / f->bytes_den;
		if (n > AIOT_ISA_MAX_TENSOR_BYTES)
			return -EINVAL;
		if (bytes)
			*bytes = n;
		return 0;
	}
	return -EINVAL;
}

static bool frame_format_known(uint32_t fourcc)
{
	for (size_t i = 0; i < sizeof(frame_formats) / sizeof(frame_formats[0]); i++)
		if (frame_formats[i].fourcc == fourcc)
			return true;
	return false;
}

/* "YUYV", or "0x12345678" when not printable. */
static const char *fourcc_text(uint32_t f, char out[16])
{
	for (int i = 0; i < 4; i++) {
		char c = (char)((f >> (8 * i)) & 0xff);

		if (c < ' ' || c > '~') {
			snprintf(out, 16, "0x%08x", f);
			return out;
		}
		out[i] = c;
	}
	out[4] = '\0';
	return out;
}

/* A camera frame input (pixel_format set): its own rules instead of the shape's. */
static int check_frame_tensor(const struct aiot_model_tensor *t, unsigned int index,
			      const struct aiot_model_file_header *h, char *err,
			      size_t errlen)
{
	char f[16];
	uint64_t bytes;

	fourcc_text(t->pixel_format, f);
	if (h->version_minor < AIOT_MODEL_VERSION_MINOR_PIXEL_FORMAT)
		return aiot_fail(-EINVAL, err, errlen,
			    "tensor %u: pixel format %s in a version %u.%u blob (reserved "
			    "before %u.%u, must be zero)", index, f, h->version_major,
			    h->version_minor, AIOT_MODEL_VERSION_MAJOR,
			    AIOT_MODEL_VERSION_MINOR_PIXEL_FORMAT);
	if (!frame_format_known(t->pixel_format))
		return aiot_fail(-EINVAL, err, errlen,
			    "tensor %u: unknown pixel format %s (GREY, YUYV, UYVY, NV12, "
			    "RGB3, BGR3, NM12 are known)", index, f);
	if (t->direction != AIOT_MODEL_TENSOR_INPUT)
		return aiot_fail(-EINVAL, err, errlen,
			    "tensor %u: an output with pixel format %s (only inputs are frames)",
			    index, f);
	if (t->dtype != AIOT_ISA_DTYPE_INT8)
		return aiot_fail(-EINVAL, err, errlen,
			    "tensor %u: %s frame with dtype %u (must be 1, int8 bytes)",
			    index, f, t->dtype);
	if (t->dims[0] != 1 || t->dims[3] != 1)
		return aiot_fail(-EINVAL, err, errlen,
			    "tensor %u: %s frame of dims [%u, %u, %u, %u] (must be [1, "
			    "height, width, 1])", index, f, t->dims[0], t->dims[1],
			    t->dims[2], t->dims[3]);
	if (aiot_model_frame_size(t->pixel_format, t->dims[2], t->dims[1], &bytes))
		return aiot_fail(-EINVAL, err, errlen,
			    "tensor %u: a %ux%u %s frame cannot be (odd or out-of-range size)",
			    index, t->dims[2], t->dims[1], f);
	/* NV12M: one input per plane, the luma's W*H bytes or the chroma's W*H/2. */
	if (t->pixel_format == FOURCC_NV12M &&
	    (t->size == (uint64_t)t->dims[1] * t->dims[2] ||
	     t->size == (uint64_t)t->dims[1] * t->dims[2] / 2))
		return 0;
	if (bytes != t->size)
		return aiot_fail(-EINVAL, err, errlen,
			    "tensor %u: size %u does not match a %ux%u %s frame (%llu bytes%s)",
			    index, t->size, t->dims[2], t->dims[1], f,
			    (unsigned long long)bytes,
			    t->pixel_format == FOURCC_NV12M ? " in two planes, one input each" :
			    "");
	return 0;
}

/*
 * NV12M frames are two inputs, plane 0 (luma, W*H bytes) then plane 1
 * (chroma, W*H/2 bytes) of the same frame size, each in a slot of its own.
 */
static int check_nv12m_inputs(const struct aiot_model_blob_view *view, char *err,
			      size_t errlen)
{
	const struct aiot_model_tensor *y, *uv;
	unsigned int first = view->input_count, n = 0;

	for (unsigned int i = 0; i < view->input_count; i++) {
		if (view->tensors[i].pixel_format != FOURCC_NV12M)
			continue;
		if (!n++)
			first = i;
	}
	if (!n)
		return 0;
	if (n != 2 || view->tensors[first + 1].pixel_format != FOURCC_NV12M)
		return aiot_fail(-EINVAL, err, errlen,
			    "%u NM12 (NV12M) inputs: a frame in that format is two consecutive "
			    "inputs, its luma plane then its chroma plane", n);
	y = &view->tensors[first];
	uv = &view->tensors[first + 1];
	if (y->dims[1] != uv->dims[1] || y->dims[2] != uv->dims[2] ||
	    y->size != y->dims[1] * y->dims[2] || uv->size != y->size / 2 ||
	    y->binding == uv->binding)
		return aiot_fail(-EINVAL, err, errlen,
			    "tensors %u and %u: not the luma (W*H bytes) then the chroma "
			    "(W*H/2 bytes) plane of one NM12 frame, in two binding slots",
			    first, first + 1);
	return 0;
}

static void decode_tensor(const uint8_t *p, struct aiot_model_tensor *t)
{
	memcpy(t->name, p + TEN_NAME, AIOT_MODEL_NAME_LEN);
	t->direction = p[TEN_DIRECTION];
	t->dtype = p[TEN_DTYPE];
	t->binding = p[TEN_BINDING];
	t->flags = p[TEN_FLAGS];
	t->offset = aiot_le32_get(p + TEN_OFFSET);
	for (int d = 0; d < 4; d++)
		t->dims[d] = aiot_le32_get(p + TEN_DIMS + 4 * d);
	t->scale_bits = aiot_le32_get(p + TEN_SCALE);
	t->zero_point = (int32_t)aiot_le32_get(p + TEN_ZERO_POINT);
	t->size = aiot_le32_get(p + TEN_SIZE);
	t->pixel_format = aiot_le32_get(p + TEN_PIXEL_FORMAT);
}

static void encode_tensor(uint8_t *p, const struct aiot_model_tensor *t)
{
	memcpy(p + TEN_NAME, t->name, AIOT_MODEL_NAME_LEN);
	p[TEN_DIRECTION] = t->direction;
	p[TEN_DTYPE] = t->dtype;
	p[TEN_BINDING] = t->binding;
	p[TEN_FLAGS] = t->flags;
	aiot_le32_put(p + TEN_OFFSET, t->offset);
	for (int d = 0; d < 4; d++)
		aiot_le32_put(p + TEN_DIMS + 4 * d, t->dims[d]);
	aiot_le32_put(p + TEN_SCALE, t->scale_bits);
	aiot_le32_put(p + TEN_ZERO_POINT, (uint32_t)t->zero_point);
	aiot_le32_put(p + TEN_SIZE, t->size);
	aiot_le32_put(p + TEN_PIXEL_FORMAT, t->pixel_format);
}

static int check_tensor(const struct aiot_model_tensor *t, unsigned int index,
			const struct aiot_model_file_header *h, char *err,
			size_t errlen)
{
	const char *what = t->direction == AIOT_MODEL_TENSOR_INPUT ? "input" : "output";
	unsigned int esize = aiot_dtype_size(t->dtype);
	uint64_t bytes;
	float scale;

	if (t->direction > AIOT_MODEL_TENSOR_OUTPUT)
		return aiot_fail(-EINVAL, err, errlen,
			    "tensor %u: direction %u is neither input (0) nor output (1)",
			    index, t->direction);
	if (t->flags && h->version_minor < AIOT_MODEL_VERSION_MINOR_DEQUANTIZE)
		return aiot_fail(-EINVAL, err, errlen,
			    "tensor %u (%s): flags 0x%02x in a version %u.%u blob (reserved "
			    "before %u.%u, must be zero)", index, what, t->flags,
			    h->version_major, h->version_minor, AIOT_MODEL_VERSION_MAJOR,
			    AIOT_MODEL_VERSION_MINOR_DEQUANTIZE);
	if (t->flags & ~AIOT_MODEL_TENSOR_F_DEQUANTIZE)
		return aiot_fail(-EINVAL, err, errlen, "tensor %u (%s): unknown flags 0x%02x",
			    index, what, t->flags & ~AIOT_MODEL_TENSOR_F_DEQUANTIZE);
	if ((t->flags & AIOT_MODEL_TENSOR_F_DEQUANTIZE) &&
	    (t->direction != AIOT_MODEL_TENSOR_OUTPUT || t->pixel_format))
		return aiot_fail(-EINVAL, err, errlen,
			    "tensor %u (%s): DEQUANTIZE on %s (only plain outputs are "
			    "dequantized)", index, what,
			    t->pixel_format ? "a camera frame" : "an input");
	if (t->pixel_format) {
		int ret = check_frame_tensor(t, index, h, err, errlen);

		if (ret)
			return ret;
	}
	if (!esize)
		return aiot_fail(-EINVAL, err, errlen, "tensor %u (%s): unknown dtype %u",
			    index, what, t->dtype);
	if (t->binding >= AIOT_MODEL_MAX_BINDINGS)
		return aiot_fail(-EINVAL, err, errlen,
			    "tensor %u (%s): binding slot %u out of range (max %u)",
			    index, what, t->binding, AIOT_MODEL_MAX_BINDINGS - 1);
	if (t->binding == h->weights_binding || t->binding == h->arena_binding)
		return aiot_fail(-EINVAL, err, errlen,
			    "tensor %u (%s): binding slot %u is the %s slot",
			    index, what, t->binding,
			    t->binding == h->weights_binding ? "weights" : "arena");
	if (t->offset % esize)
		return aiot_fail(-EINVAL, err, errlen,
			    "tensor %u (%s): offset %u not a multiple of its element size %u",
			    index, what, t->offset, esize);
	bytes = esize;
	for (int d = 0; d < 4; d++) {
		if (t->dims[d] < 1 || t->dims[d] > AIOT_ISA_MAX_DIM)
			return aiot_fail(-EINVAL, err, errlen,
				    "tensor %u (%s): dimension %d is %u (must be 1..%u)",
				    index, what, d, t->dims[d], AIOT_ISA_MAX_DIM);
		/* bytes <= 1 GiB before, dims < 2^16: no overflow. */
		bytes *= t->dims[d];
		if (bytes > AIOT_ISA_MAX_TENSOR_BYTES)
			break;
	}
	/* A frame's size is its format's (checked above), not its shape's. */
	if (bytes > AIOT_ISA_MAX_TENSOR_BYTES || (bytes != t->size && !t->pixel_format))
		return aiot_fail(-EINVAL, err, errlen,
			    "tensor %u (%s): size %u does not match its shape (%llu bytes)",
			    index, what, t->size, (unsigned long long)bytes);
	if ((uint64_t)t->offset + t->size > UINT32_MAX)
		return aiot_fail(-EINVAL, err, errlen,
			    "tensor %u (%s): offset %u + size %u overflows 32 bits",
			    index, what, t->offset, t->size);
	memcpy(&scale, &t->scale_bits, sizeof(scale));
	if (!isfinite(scale) || !(scale > 0.0f))
		return aiot_fail(-EINVAL, err, errlen,
			    "tensor %u (%s): scale must be finite and positive (bits 0x%08x)",
			    index, what, t->scale_bits);
	if (!zero_point_fits(t->dtype, t->zero_point))
		return aiot_fail(-EINVAL, err, errlen,
			    "tensor %u (%s): zero point %d out of its dtype's range",
			    index, what, t->zero_point);
	return 0;
}

static int check_tensor_table(struct aiot_model_blob_view *view, char *err,
			      size_t errlen)
{
	unsigned int count = view->input_count + view->output_count;
	int ret;

	for (unsigned int i = 0; i < count; i++) {
		const struct aiot_model_tensor *a = &view->tensors[i];

		ret = check_tensor(a, i, &view->header, err, errlen);
		if (ret)
			return ret;
		for (unsigned int j = 0; j < i; j++) {
			const struct aiot_model_tensor *b = &view->tensors[j];

			if (a->binding != b->binding)
				continue;
			if (a->direction != b->direction)
				return aiot_fail(-EINVAL, err, errlen,
					    "tensors %u and %u: an input and an output share binding slot %u",
					    j, i, a->binding);
			if ((uint64_t)a->offset < (uint64_t)b->offset + b->size &&
			    (uint64_t)b->offset < (uint64_t)a->offset + a->size)
				return aiot_fail(-EINVAL, err, errlen,
					    "tensors %u and %u overlap in binding slot %u",
					    j, i, a->binding);
		}
	}
	return check_nv12m_inputs(view, err, errlen);
}

static int check_command_stream(const uint8_t *p, size_t size,
				const struct aiot_model_file_header *h,
				char *err, size_t errlen)
{
	uint32_t magic, version, stream_size;

	if (size < sizeof(struct aiot_isa_header))
		return aiot_fail(-EINVAL, err, errlen,
			    "command stream: %zu bytes, shorter than its %zu-byte header",
			    size, sizeof(struct aiot_isa_header));
	if (size > AIOT_ISA_MAX_STREAM_BYTES)
		return aiot_fail(-EINVAL, err, errlen,
			    "command stream: %zu bytes, above the ISA's limit of %u",
			    size, AIOT_ISA_MAX_STREAM_BYTES);
	magic = aiot_le32_get(p + offsetof(struct aiot_isa_header, magic));
	version = aiot_le32_get(p + offsetof(struct aiot_isa_header, version));
	stream_size = aiot_le32_get(p + offsetof(struct aiot_isa_header, size));
	if (magic != AIOT_ISA_MAGIC)
		return aiot_fail(-EINVAL, err, errlen,
			    "command stream: bad ISA magic 0x%08x", magic);
	if (version != h->isa_version)
		return aiot_fail(-EINVAL, err, errlen,
			    "command stream: ISA version 0x%x differs from the header's 0x%x",
			    version, h->isa_version);
	if (stream_size != size)
		return aiot_fail(-EINVAL, err, errlen,
			    "command stream: its header says %u bytes, the section has %zu",
			    stream_size, size);
	return 0;
}

static int parse_header(const uint8_t *p, size_t size,
			struct aiot_model_file_header *h, char *err, size_t errlen)
{
	uint8_t copy[AIOT_MODEL_HEADER_SIZE];
	uint32_t crc;

	if (size < AIOT_MODEL_HEADER_SIZE)
		return aiot_fail(-ENOEXEC, err, errlen,
			    "%zu bytes: too short for a model blob header (%d bytes)",
			    size, AIOT_MODEL_HEADER_SIZE);
	if (memcmp(p + HDR_MAGIC, AIOT_MODEL_MAGIC, AIOT_MODEL_MAGIC_LEN))
		return aiot_fail(-ENOEXEC, err, errlen,
			    "not an aiot model blob (bad magic)");
	memset(h, 0, sizeof(*h));
	memcpy(h->magic, p, AIOT_MODEL_MAGIC_LEN);
	h->version_major = aiot_le16_get(p + HDR_VERSION_MAJOR);
	h->version_minor = aiot_le16_get(p + HDR_VERSION_MINOR);
	h->header_size = aiot_le32_get(p + HDR_HEADER_SIZE);
	h->section_count = aiot_le32_get(p + HDR_SECTION_COUNT);
	h->flags = aiot_le32_get(p + HDR_FLAGS);
	h->total_size = aiot_le64_get(p + HDR_TOTAL_SIZE);
	h->header_crc = aiot_le32_get(p + HDR_HEADER_CRC);
	h->payload_crc = aiot_le32_get(p + HDR_PAYLOAD_CRC);
	h->isa_version = aiot_le32_get(p + HDR_ISA_VERSION);
	h->weights_binding = p[HDR_WEIGHTS_BINDING];
	h->arena_binding = p[HDR_ARENA_BINDING];
	h->reserved0 = aiot_le16_get(p + HDR_RESERVED0);
	h->arena_size = aiot_le64_get(p + HDR_ARENA_SIZE);
	h->reserved[0] = aiot_le32_get(p + HDR_RESERVED);
	h->reserved[1] = aiot_le32_get(p + HDR_RESERVED + 4);

	/* The version decides how to read the rest: check it first. */
	if (h->version_major != AIOT_MODEL_VERSION_MAJOR ||
	    h->version_minor > AIOT_MODEL_VERSION_MINOR)
		return aiot_fail(-EPROTONOSUPPORT, err, errlen,
			    "model blob version %u.%u not supported (this reader: %u.0 to %u.%u)",
			    h->version_major, h->version_minor,
			    AIOT_MODEL_VERSION_MAJOR, AIOT_MODEL_VERSION_MAJOR,
			    AIOT_MODEL_VERSION_MINOR);
	memcpy(copy, p, sizeof(copy));
	memset(copy + HDR_HEADER_CRC, 0, 4);
	crc = aiot_crc32(0, copy, sizeof(copy));
	if (crc != h->header_crc)
		return aiot_fail(-EBADMSG, err, errlen,
			    "header checksum mismatch (stored 0x%08x, computed 0x%08x)",
			    h->header_crc, crc);
	if (h->header_size != AIOT_MODEL_HEADER_SIZE)
		return aiot_fail(-EINVAL, err, errlen, "header size %u, expected %u",
			    h->header_size, AIOT_MODEL_HEADER_SIZE);
	if (h->total_size != size)
		return aiot_fail(-EINVAL, err, errlen,
			    "blob is %zu bytes but its header says %llu (truncated or padded)",
			    size, (unsigned long long)h->total_size);
	if (h->total_size > AIOT_MODEL_MAX_BLOB_SIZE)
		return aiot_fail(-EINVAL, err, errlen, "blob of %llu bytes exceeds the limit of %u",
			    (unsigned long long)h->total_size, AIOT_MODEL_MAX_BLOB_SIZE);
	if (h->flags)
		return aiot_fail(-EINVAL, err, errlen, "unknown header flags 0x%x", h->flags);
	if (h->reserved0 || h->reserved[0] || h->reserved[1])
		return aiot_fail(-EINVAL, err, errlen, "reserved header fields must be zero");
	if (h->section_count < 1 || h->section_count > AIOT_MODEL_MAX_SECTIONS)
		return aiot_fail(-EINVAL, err, errlen, "section count %u (must be 1..%u)",
			    h->section_count, AIOT_MODEL_MAX_SECTIONS);
	if ((h->isa_version >> 16) != AIOT_ISA_VERSION_MAJOR)
		return aiot_fail(-EPROTONOSUPPORT, err, errlen,
			    "ISA major version %u not supported (this library: %u)",
			    h->isa_version >> 16, AIOT_ISA_VERSION_MAJOR);
	if (h->weights_binding != AIOT_MODEL_NO_BINDING &&
	    h->weights_binding >= AIOT_MODEL_MAX_BINDINGS)
		return aiot_fail(-EINVAL, err, errlen, "weights binding slot %u out of range",
			    h->weights_binding);
	if (h->arena_binding != AIOT_MODEL_NO_BINDING &&
	    h->arena_binding >= AIOT_MODEL_MAX_BINDINGS)
		return aiot_fail(-EINVAL, err, errlen, "arena binding slot %u out of range",
			    h->arena_binding);
	if (h->weights_binding != AIOT_MODEL_NO_BINDING &&
	    h->weights_binding == h->arena_binding)
		return aiot_fail(-EINVAL, err, errlen,
			    "weights and arena share binding slot %u", h->arena_binding);
	if ((h->arena_size == 0) != (h->arena_binding == AIOT_MODEL_NO_BINDING))
		return aiot_fail(-EINVAL, err, errlen,
			    "arena size %llu and arena binding slot %u disagree",
			    (unsigned long long)h->arena_size, h->arena_binding);
	if (h->arena_size > AIOT_MODEL_MAX_ARENA_SIZE)
		return aiot_fail(-EINVAL, err, errlen, "arena of %llu bytes exceeds the limit of %u",
			    (unsigned long long)h->arena_size, AIOT_MODEL_MAX_ARENA_SIZE);
	return 0;
}

int aiot_model_blob_parse(const void *data, size_t size,
			  struct aiot_model_blob_view *view, char *err,
			  size_t errlen)
{
	struct aiot_model_section sections[AIOT_MODEL_MAX_SECTIONS];
	const uint8_t *p = data;
	struct aiot_model_file_header *h;
	bool seen_stream = false, seen_tensors = false;
	bool seen_weights = false, seen_name = false;
	uint64_t table_end;
	uint32_t crc;
	int ret;

	if (err && errlen)
		err[0] = '\0';
	if (!data || !view)
		return aiot_fail(-EINVAL, err, errlen, "no blob or no view");
	memset(view, 0, sizeof(*view));
	h = &view->header;
	ret = parse_header(p, size, h, err, errlen);
	if (ret)
		return ret;

	/* From here on size == total_size <= 1 GiB: sums of two fit in 64 bits. */
	crc = aiot_crc32(0, p + AIOT_MODEL_HEADER_SIZE, size - AIOT_MODEL_HEADER_SIZE);
	if (crc != h->payload_crc)
		return aiot_fail(-EBADMSG, err, errlen,
			    "payload checksum mismatch (stored 0x%08x, computed 0x%08x)",
			    h->payload_crc, crc);

	table_end = (uint64_t)h->header_size +
		    (uint64_t)h->section_count * AIOT_MODEL_SECTION_SIZE;
	if (table_end > size)
		return aiot_fail(-EINVAL, err, errlen,
			    "section table (%u entries) ends at %llu, past the blob's %zu bytes",
			    h->section_count, (unsigned long long)table_end, size);

	for (uint32_t i = 0; i < h->section_count; i++) {
		const uint8_t *e = p + h->header_size + (size_t)i * AIOT_MODEL_SECTION_SIZE;
		struct aiot_model_section *s = &sections[i];

		s->type = aiot_le32_get(e);
		s->flags = aiot_le32_get(e + 4);
		s->offset = aiot_le64_get(e + 8);
		s->size = aiot_le64_get(e + 16);
		if (s->flags & ~AIOT_MODEL_SECTION_F_OPTIONAL)
			return aiot_fail(-EINVAL, err, errlen,
				    "section %u (%s): unknown flags 0x%x", i,
				    section_name(s->type), s->flags);
		if (s->offset < table_end || s->offset > size ||
		    s->size > size - s->offset)
			return aiot_fail(-EINVAL, err, errlen,
				    "section %u (%s): range %llu+%llu outside the payload %llu..%zu",
				    i, section_name(s->type),
				    (unsigned long long)s->offset,
				    (unsigned long long)s->size,
				    (unsigned long long)table_end, size);
		if (s->offset % AIOT_MODEL_SECTION_ALIGN)
			return aiot_fail(-EINVAL, err, errlen,
				    "section %u (%s): offset %llu not %d-byte aligned",
				    i, section_name(s->type),
				    (unsigned long long)s->offset, AIOT_MODEL_SECTION_ALIGN);
		for (uint32_t j = 0; j < i; j++) {
			const struct aiot_model_section *o = &sections[j];

			if (s->size && o->size && s->offset < o->offset + o->size &&
			    o->offset < s->offset + s->size)
				return aiot_fail(-EINVAL, err, errlen,
					    "sections %u (%s) and %u (%s) overlap", j,
					    section_name(o->type), i,
					    section_name(s->type));
		}
		if (!s->size && !(s->flags & AIOT_MODEL_SECTION_F_OPTIONAL))
			return aiot_fail(-EINVAL, err, errlen,
				    "section %u (%s): empty", i, section_name(s->type));

		switch (s->type) {
		case AIOT_MODEL_SECTION_COMMAND_STREAM:
			if (seen_stream)
				return aiot_fail(-EINVAL, err, errlen,
					    "section %u: a second command stream", i);
			seen_stream = true;
			view->command_stream = p + s->offset;
			view->command_stream_size = s->size;
			break;
		case AIOT_MODEL_SECTION_WEIGHTS:
			if (seen_weights)
				return aiot_fail(-EINVAL, err, errlen,
					    "section %u: a second weights section", i);
			seen_weights = true;
			view->weights = p + s->offset;
			view->weights_size = s->size;
			break;
		case AIOT_MODEL_SECTION_TENSORS:
			if (seen_tensors)
				return aiot_fail(-EINVAL, err, errlen,
					    "section %u: a second tensor table", i);
			seen_tensors = true;
			if (s->size % AIOT_MODEL_TENSOR_SIZE ||
			    s->size / AIOT_MODEL_TENSOR_SIZE > AIOT_MODEL_MAX_TENSORS)
				return aiot_fail(-EINVAL, err, errlen,
					    "tensor table: %llu bytes is not 1..%u records of %d bytes",
					    (unsigned long long)s->size,
					    AIOT_MODEL_MAX_TENSORS, AIOT_MODEL_TENSOR_SIZE);
			for (size_t t = 0; t < s->size / AIOT_MODEL_TENSOR_SIZE; t++) {
				struct aiot_model_tensor *rec = &view->tensors[t];

				decode_tensor(p + s->offset + t * AIOT_MODEL_TENSOR_SIZE, rec);
				if (rec->direction > AIOT_MODEL_TENSOR_OUTPUT)
					return aiot_fail(-EINVAL, err, errlen,
						    "tensor %zu: direction %u is neither input (0) nor output (1)",
						    t, rec->direction);
				if (rec->direction == AIOT_MODEL_TENSOR_INPUT) {
					if (view->output_count)
						return aiot_fail(-EINVAL, err, errlen,
							    "tensor %zu: an input after an output (inputs come first)",
							    t);
					view->input_count++;
				} else {
					view->output_count++;
				}
			}
			break;
		case AIOT_MODEL_SECTION_NAME: {
			size_t n = s->size < sizeof(view->name) - 1 ?
				   s->size : sizeof(view->name) - 1;

			if (seen_name)
				return aiot_fail(-EINVAL, err, errlen,
					    "section %u: a second name", i);
			seen_name = true;
			memcpy(view->name, p + s->offset, n);
			view->name[n] = '\0';
			/* Stop at an embedded NUL: the name is text. */
			view->name[strnlen(view->name, n)] = '\0';
			break;
		}
		default:
			if (!(s->flags & AIOT_MODEL_SECTION_F_OPTIONAL))
				return aiot_fail(-EINVAL, err, errlen,
					    "section %u: unknown type %u that is not optional",
					    i, s->type);
			break;
		}
	}

	if (!seen_stream)
		return aiot_fail(-EINVAL, err, errlen, "no command stream section");
	if (!seen_tensors)
		return aiot_fail(-EINVAL, err, errlen, "no tensor table section");
	if (h->weights_binding != AIOT_MODEL_NO_BINDING && !seen_weights)
		return aiot_fail(-EINVAL, err, errlen,
			    "weights binding slot %u but no weights section",
			    h->weights_binding);
	if (h->weights_binding == AIOT_MODEL_NO_BINDING && seen_weights)
		return aiot_fail(-EINVAL, err, errlen,
			    "weights section but no weights binding slot");
	if (!view->input_count || !view->output_count)
		return aiot_fail(-EINVAL, err, errlen,
			    "the model needs at least one input and one output (has %u and %u)",
			    view->input_count, view->output_count);
	ret = check_command_stream(view->command_stream, view->command_stream_size,
				   h, err, errlen);
	if (ret)
		return ret;
	return check_tensor_table(view, err, errlen);
}

static size_t align_up(size_t v)
{
	return (v + AIOT_MODEL_SECTION_ALIGN - 1) & ~(size_t)(AIOT_MODEL_SECTION_ALIGN - 1);
}

int aiot_model_blob_build(const struct aiot_model_blob_parts *parts,
			  void **blob_out, size_t *size_out, char *err,
			  size_t errlen)
{
	struct blob_section {
		uint32_t type;
		const void *data;
		size_t size;
	} sec[4];
	unsigned int nsec = 0;
	struct aiot_model_blob_view *check;
	size_t name_len, off, total;
	uint16_t minor = 0;
	uint8_t *blob;
	int ret;

	if (!parts || !blob_out || !size_out)
		return aiot_fail(-EINVAL, err, errlen, "missing argument");
	if (!parts->command_stream || !parts->command_stream_size)
		return aiot_fail(-EINVAL, err, errlen, "no command stream");
	if (!parts->tensors || !parts->tensor_count ||
	    parts->tensor_count > AIOT_MODEL_MAX_TENSORS)
		return aiot_fail(-EINVAL, err, errlen, "%u tensors (must be 1..%u)",
			    parts->tensor_count, AIOT_MODEL_MAX_TENSORS);
	if (parts->weights_size && !parts->weights)
		return aiot_fail(-EINVAL, err, errlen, "weights size without weights");
	if (parts->command_stream_size > AIOT_MODEL_MAX_BLOB_SIZE ||
	    parts->weights_size > AIOT_MODEL_MAX_BLOB_SIZE)
		return aiot_fail(-EINVAL, err, errlen, "sections exceed the blob size limit");

	/* The oldest minor that holds the parts: older readers keep reading them. */
	for (unsigned int t = 0; t < parts->tensor_count; t++)
		if (parts->tensors[t].pixel_format && minor < AIOT_MODEL_VERSION_MINOR_PIXEL_FORMAT)
			minor = AIOT_MODEL_VERSION_MINOR_PIXEL_FORMAT;
	for (unsigned int t = 0; t < parts->tensor_count; t++)
		if (parts->tensors[t].flags)
			minor = AIOT_MODEL_VERSION_MINOR_DEQUANTIZE;

	sec[nsec++] = (struct blob_section){ AIOT_MODEL_SECTION_COMMAND_STREAM,
					parts->command_stream,
					parts->command_stream_size };
	if (parts->weights_size)
		sec[nsec++] = (struct blob_section){ AIOT_MODEL_SECTION_WEIGHTS,
						parts->weights, parts->weights_size };
	sec[nsec++] = (struct blob_section){ AIOT_MODEL_SECTION_TENSORS, NULL,
					(size_t)parts->tensor_count * AIOT_MODEL_TENSOR_SIZE };
	name_len = parts->name ? strlen(parts->name) : 0;
	if (name_len)
		sec[nsec++] = (struct blob_section){ AIOT_MODEL_SECTION_NAME, parts->name,
						name_len };

	off = align_up(AIOT_MODEL_HEADER_SIZE + (size_t)nsec * AIOT_MODEL_SECTION_SIZE);
	total = off;
	for (unsigned int i = 0; i < nsec; i++)
		total = align_up(total) + sec[i].size;
	if (total > AIOT_MODEL_MAX_BLOB_SIZE)
		return aiot_fail(-EINVAL, err, errlen, "blob of %zu bytes exceeds the limit", total);

	blob = calloc(1, total);
	check = malloc(sizeof(*check));
	if (!blob || !check) {
		free(blob);
		free(check);
		return aiot_fail(-ENOMEM, err, errlen, "out of memory");
	}
	for (unsigned int i = 0; i < nsec; i++) {
		uint8_t *e = blob + AIOT_MODEL_HEADER_SIZE + i * AIOT_MODEL_SECTION_SIZE;

		off = align_up(off);
		aiot_le32_put(e, sec[i].type);
		aiot_le64_put(e + 8, off);
		aiot_le64_put(e + 16, sec[i].size);
		if (sec[i].type == AIOT_MODEL_SECTION_TENSORS) {
			for (unsigned int t = 0; t < parts->tensor_count; t++)
				encode_tensor(blob + off + t * AIOT_MODEL_TENSOR_SIZE,
					      &parts->tensors[t]);
		} else {
			memcpy(blob + off, sec[i].data, sec[i].size);
		}
		off += sec[i].size;
	}
	memcpy(blob + HDR_MAGIC, AIOT_MODEL_MAGIC, AIOT_MODEL_MAGIC_LEN);
	aiot_le16_put(blob + HDR_VERSION_MAJOR, AIOT_MODEL_VERSION_MAJOR);
	aiot_le16_put(blob + HDR_VERSION_MINOR, minor);
	aiot_le32_put(blob + HDR_HEADER_SIZE, AIOT_MODEL_HEADER_SIZE);
	aiot_le32_put(blob + HDR_SECTION_COUNT, nsec);
	aiot_le64_put(blob + HDR_TOTAL_SIZE, total);
	aiot_le32_put(blob + HDR_ISA_VERSION, parts->isa_version);
	blob[HDR_WEIGHTS_BINDING] = parts->weights_size ? parts->weights_binding :
				    AIOT_MODEL_NO_BINDING;
	blob[HDR_ARENA_BINDING] = parts->arena_size ? parts->arena_binding :
				  AIOT_MODEL_NO_BINDING;
	aiot_le64_put(blob + HDR_ARENA_SIZE, parts->arena_size);
	aiot_le32_put(blob + HDR_PAYLOAD_CRC,
		 aiot_crc32(0, blob + AIOT_MODEL_HEADER_SIZE, total - AIOT_MODEL_HEADER_SIZE));
	aiot_le32_put(blob + HDR_HEADER_CRC, aiot_crc32(0, blob, AIOT_MODEL_HEADER_SIZE));

	ret = aiot_model_blob_parse(blob, total, check, err, errlen);
	free(check);
	if (ret) {
		free(blob);
		return ret;
	}
	*blob_out = blob;
	*size_out = total;
	return 0;
}
