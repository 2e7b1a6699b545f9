// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-compile --input FMT:WxH: a camera frame as the model's input. The
 * stream starts with one ISA 1.4 FRAME_TO_TENSOR (docs/isa.md) that reads
 * the frame from the input slot (offset 0, rows packed: stride = width *
 * bytes per pixel; NV12's chroma plane right after its luma plane; NV12M's
 * chroma plane, ISA 1.6, at offset 0 of a second input slot,
 * AIOT_LOWER_BINDING_CHROMA) and writes the graph's input, which lower.c
 * moved into the arena:
 *
 *   - the whole frame is the crop window, resized to the input's H x W
 *     bilinearly with half-pixel centres (tf.image.resize's default);
 *   - C = 1 takes the luma, C = 3 R, G, B (BT.601 limited range for YUV);
 *   - the pixel values 0..255 span the input's int8 range: q = v - 128,
 *     whatever the input's scale (as TFLite Micro's camera examples feed
 *     person_detect: pixel ^ 0x80).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <linux/videodev2.h>

#include <aiot/model_format.h>

#include "lower_internal.h"

static const struct {
	const char *name;
	uint32_t fourcc;
	uint32_t isa_format;
} frame_formats[] = {
	{ "grey", V4L2_PIX_FMT_GREY, AIOT_ISA_PIX_GREY },
	{ "yuyv", V4L2_PIX_FMT_YUYV, AIOT_ISA_PIX_YUYV },
	{ "uyvy", V4L2_PIX_FMT_UYVY, AIOT_ISA_PIX_UYVY },
	{ "nv12", V4L2_PIX_FMT_NV12, AIOT_ISA_PIX_NV12 },
	{ "rgb24", V4L2_PIX_FMT_RGB24, AIOT_ISA_PIX_RGB24 },
	{ "bgr24", V4L2_PIX_FMT_BGR24, AIOT_ISA_PIX_BGR24 },
	{ "nv12m", V4L2_PIX_FMT_NV12M, AIOT_ISA_PIX_NV12M },
};
#define FRAME_FORMAT_COUNT (sizeof(frame_formats) / sizeof(frame_formats[0]))

const char *aiot_lower_frame_name(uint32_t fourcc)
{
	static const char *const upper[] = { "GREY", "YUYV", "UYVY", "NV12", "RGB24", "BGR24",
					      "NV12M" };

	for (size_t i = 0; i < FRAME_FORMAT_COUNT; i++)
		if (frame_formats[i].fourcc == fourcc)
			return upper[i];
	return "?";
}

__attribute__((format(printf, 3, 4)))
static int parse_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* A decimal 1..65535 at *p, no sign, no leading zero; advances *p. */
static int parse_dim(const char **p, uint32_t *out)
{
	unsigned long v = 0;
	const char *s = *p;

	if (!isdigit((unsigned char)*s) || *s == '0')
		return -EINVAL;
	while (isdigit((unsigned char)*s)) {
		v = v * 10 + (unsigned long)(*s++ - '0');
		if (v > AIOT_ISA_MAX_DIM)
			return -EINVAL;
	}
	*out = (uint32_t)v;
	*p = s;
	return 0;
}

int aiot_lower_parse_frame(const char *spec, struct aiot_lower_frame *frame,
			   char *err, size_t errlen)
{
	const char *colon = spec ? strchr(spec, ':') : NULL;
	const char *p;
	size_t i, n;

	if (!colon)
		return parse_fail(err, errlen, "\"%s\": expected FORMAT:WIDTHxHEIGHT, e.g. "
				  "yuyv:640x480", spec ? spec : "");
	n = (size_t)(colon - spec);
	for (i = 0; i < FRAME_FORMAT_COUNT; i++)
		if (strlen(frame_formats[i].name) == n &&
		    !strncasecmp(spec, frame_formats[i].name, n))
			break;
	if (i == FRAME_FORMAT_COUNT)
		return parse_fail(err, errlen, "\"%.*s\": unknown pixel format (grey, yuyv, uyvy, "
				  "nv12, rgb24, bgr24, nv12m)", (int)n, spec);
	memset(frame, 0, sizeof(*frame));
	frame->fourcc = frame_formats[i].fourcc;
	frame->isa_format = frame_formats[i].isa_format;
	p = colon + 1;
	if (parse_dim(&p, &frame->width) || (*p != 'x' && *p != 'X'))
		goto bad_size;
	p++;
	if (parse_dim(&p, &frame->height) || *p)
		goto bad_size;
	if (aiot_model_frame_size(frame->fourcc, frame->width, frame->height, &frame->bytes))
		return parse_fail(err, errlen, "%s %ux%u: %s", aiot_lower_frame_name(frame->fourcc),
				  frame->width, frame->height,
				  frame->fourcc == V4L2_PIX_FMT_NV12 ||
				  frame->fourcc == V4L2_PIX_FMT_NV12M ?
				  "NV12 and NV12M need an even width and height" :
				  "YUYV and UYVY need an even width");
	return 0;
bad_size:
	return parse_fail(err, errlen, "\"%s\": the size must be WIDTHxHEIGHT, each 1..%u",
			  colon + 1, AIOT_ISA_MAX_DIM);
}

int lower_frame_prologue(struct lowering *l, const struct aiot_lower_frame *frame)
{
	int32_t index = l->m->inputs[0];
	struct aiot_isa_op_frame_to_tensor f;
	uint32_t bpp = frame->fourcc == V4L2_PIX_FMT_YUYV || frame->fourcc == V4L2_PIX_FMT_UYVY ?
		       2 : frame->fourcc == V4L2_PIX_FMT_RGB24 ||
		       frame->fourcc == V4L2_PIX_FMT_BGR24 ? 3 : 1;
	int rc;

	lower_op_init(&f.hdr, sizeof(f), AIOT_ISA_OP_FRAME_TO_TENSOR);
	rc = lower_isa_tensor(l, index, &f.output);
	if (!rc && f.output.dtype != AIOT_ISA_DTYPE_INT8)
		rc = lower_fail(l, "the model's input is not int8: a frame feeds only an int8 "
				"input");
	if (!rc && (f.output.dims[0] != 1 || (f.output.dims[3] != 1 && f.output.dims[3] != 3)))
		rc = lower_fail(l, "the model's input is [%u, %u, %u, %u]: a frame feeds [1, H, W, "
				"1] (luma) or [1, H, W, 3] (R, G, B)", f.output.dims[0],
				f.output.dims[1], f.output.dims[2], f.output.dims[3]);
	if (rc)
		goto fail;
	/* 0..255 spans the int8 range: q = v - 128, the identity multiplier */
	f.multiplier = 1 << 30;
	f.shift = 1;
	f.output_zero_point = -128;
	f.frame.binding = AIOT_ISA_BINDING_INPUT;
	f.frame.format = (uint8_t)frame->isa_format;
	f.frame.width = frame->width;
	f.frame.height = frame->height;
	f.frame.stride[0] = frame->width * bpp;
	if (frame->fourcc == V4L2_PIX_FMT_NV12) {
		f.frame.offset[1] = frame->width * frame->height;
		f.frame.stride[1] = frame->width;
	}
	if (frame->fourcc == V4L2_PIX_FMT_NV12M) {
		/* the chroma plane is an input of its own: ISA 1.6 */
		f.frame.binding1 = AIOT_LOWER_BINDING_CHROMA;
		f.frame.stride[1] = frame->width;
		lower_need_isa(l, 6);
	}
	f.crop.height = frame->height;
	f.crop.width = frame->width;
	f.mode = AIOT_ISA_RESIZE_BILINEAR;
	f.flags = AIOT_ISA_RESIZE_HALF_PIXEL_CENTERS;
	f.act.min = -128;
	f.act.max = 127;
	lower_need_isa(l, 4);
	return lower_emit(l, &f, sizeof(f));
fail:
	{
		char msg[sizeof(l->msg)];

		snprintf(msg, sizeof(msg), "%s", l->msg);
		snprintf(l->msg, sizeof(l->msg), "--input %s:%ux%u: %.400s",
			 aiot_lower_frame_name(frame->fourcc), frame->width, frame->height, msg);
	}
	return rc;
}
