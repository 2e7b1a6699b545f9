// SPDX-License-Identifier: GPL-2.0-only
/* aiot-run --v4l2's format decisions: see v4l2_fmt.h. */
#include <errno.h>
#include <stdio.h>

#include <linux/videodev2.h>

#include <aiot/accel.h>

#include "v4l2_fmt.h"

int v4l2_fmt_want_for(int dtype, const uint32_t dims[4], struct v4l2_fmt_want *want,
		      char *why, size_t len)
{
	if (dtype != AIOT_DTYPE_INT8) {
		snprintf(why, len, "its elements are %d-bit: a camera's 8-bit pixels need "
			 "quantisation to that type (aiot-compile --input feeds int8 inputs only)",
			 dtype == AIOT_DTYPE_INT16 ? 16 : 32);
		return -EINVAL;
	}
	if (dims[0] != 1) {
		snprintf(why, len, "it takes a batch of %u frames; a camera gives one at a time",
			 dims[0]);
		return -EINVAL;
	}
	want->width = dims[2];
	want->height = dims[1];
	want->bytes_per_pixel = dims[3];
	switch (dims[3]) {
	case 1:
		want->fourcc = V4L2_PIX_FMT_GREY;
		return 0;
	case 3:
		want->fourcc = V4L2_PIX_FMT_RGB24;
		return 0;
	default:
		snprintf(why, len, "%u channels per pixel: no camera format gives that; needs "
			 "pixel-format conversion to it (aiot-compile --input gives 1 or 3)",
			 dims[3]);
		return -EINVAL;
	}
}

bool v4l2_fmt_offered(const uint32_t *fmts, unsigned int count, uint32_t fourcc)
{
	for (unsigned int i = 0; i < count; i++)
		if (fmts[i] == fourcc)
			return true;
	return false;
}

/* Closest first: what carries the wanted image with the least conversion. */
static const uint32_t near_grey[] = {
	V4L2_PIX_FMT_YUYV, V4L2_PIX_FMT_UYVY, V4L2_PIX_FMT_YVYU, V4L2_PIX_FMT_VYUY,
	V4L2_PIX_FMT_NV12, V4L2_PIX_FMT_NV21, V4L2_PIX_FMT_NV16, V4L2_PIX_FMT_NV61,
	V4L2_PIX_FMT_YUV420, V4L2_PIX_FMT_YVU420, V4L2_PIX_FMT_Y16, V4L2_PIX_FMT_RGB24,
	V4L2_PIX_FMT_BGR24, 0,
};
static const uint32_t near_rgb[] = {
	V4L2_PIX_FMT_BGR24, V4L2_PIX_FMT_XRGB32, V4L2_PIX_FMT_XBGR32, V4L2_PIX_FMT_RGB32,
	V4L2_PIX_FMT_BGR32, V4L2_PIX_FMT_RGB565, V4L2_PIX_FMT_YUYV, V4L2_PIX_FMT_UYVY,
	V4L2_PIX_FMT_NV12, V4L2_PIX_FMT_NV21, V4L2_PIX_FMT_GREY, 0,
};

uint32_t v4l2_fmt_nearest(const uint32_t *fmts, unsigned int count, uint32_t want)
{
	const uint32_t *order = want == V4L2_PIX_FMT_GREY ? near_grey : near_rgb;

	if (v4l2_fmt_offered(fmts, count, want))
		return want;
	for (unsigned int i = 0; order[i]; i++)
		if (v4l2_fmt_offered(fmts, count, order[i]))
			return order[i];
	return count ? fmts[0] : 0;
}

const char *v4l2_fmt_why_nearest(uint32_t want, uint32_t nearest)
{
	bool packed_yuv = nearest == V4L2_PIX_FMT_YUYV || nearest == V4L2_PIX_FMT_UYVY ||
			  nearest == V4L2_PIX_FMT_YVYU || nearest == V4L2_PIX_FMT_VYUY;
	bool planar_yuv = nearest == V4L2_PIX_FMT_NV12 || nearest == V4L2_PIX_FMT_NV21 ||
			  nearest == V4L2_PIX_FMT_NV16 || nearest == V4L2_PIX_FMT_NV61 ||
			  nearest == V4L2_PIX_FMT_YUV420 || nearest == V4L2_PIX_FMT_YVU420;

	if (nearest == want)
		return "the format itself";
	if (want == V4L2_PIX_FMT_GREY) {
		if (packed_yuv)
			return "its luma bytes are the grey image, interleaved with chroma";
		if (planar_yuv)
			return "its first plane is the grey image, chroma follows";
		if (nearest == V4L2_PIX_FMT_Y16)
			return "grey at 16 bits per pixel";
		if (nearest == V4L2_PIX_FMT_RGB24 || nearest == V4L2_PIX_FMT_BGR24)
			return "colour: grey is a weighted sum of its channels";
	} else {
		if (nearest == V4L2_PIX_FMT_BGR24)
			return "the same channels in the other order";
		if (nearest == V4L2_PIX_FMT_GREY)
			return "grey only: the colour channels are missing";
		if (packed_yuv || planar_yuv)
			return "YUV: RGB is a matrix of it";
		return "RGB with another depth or an extra byte per pixel";
	}
	return "the camera's first format, none is closer";
}

int v4l2_fmt_check(const struct v4l2_fmt_want *want, uint32_t fourcc, uint32_t width,
		   uint32_t height, uint32_t bytesperline, bool interlaced, char *why,
		   size_t len)
{
	if (fourcc != want->fourcc) {
		snprintf(why, len, "the camera switched to another pixel format: pixel-format "
			 "conversion (compile the model with aiot-compile --input for this format)");
		return -EINVAL;
	}
	if (width != want->width || height != want->height) {
		snprintf(why, len, "resize (or crop) %ux%u -> %ux%u, the model's input size "
			 "(aiot-compile --input FMT:%ux%u adds it)", width, height, want->width,
			 want->height, width, height);
		return -EINVAL;
	}
	if ((uint64_t)bytesperline != (uint64_t)width * want->bytes_per_pixel) {
		snprintf(why, len, "rows padded to %u bytes, the model's are %llu: a crop that "
			 "drops the padding (aiot-compile --input takes packed rows)", bytesperline,
			 (unsigned long long)width * want->bytes_per_pixel);
		return -EINVAL;
	}
	if (interlaced) {
		snprintf(why, len, "interlaced fields: deinterlacing (not supported)");
		return -EINVAL;
	}
	return 0;
}
