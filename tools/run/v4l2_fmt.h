/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * aiot-run --v4l2's format decisions (tools/run/v4l2_fmt.c): which V4L2
 * pixel format and size a model's input takes as it is, the nearest one a
 * camera offers instead, and the preprocessing a mismatch would need.
 * Pure logic, tested on the host (tests/unit/run_v4l2_fmt_test.cc).
 */
#ifndef AIOT_TOOLS_RUN_V4L2_FMT_H
#define AIOT_TOOLS_RUN_V4L2_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct v4l2_fmt_want {
	uint32_t fourcc;
	uint32_t width, height;
	uint32_t bytes_per_pixel;
};

/*
 * The frame an input tensor of @dtype (enum aiot_dtype) and NHWC @dims takes
 * with no preprocessing: an int8 [1, H, W, 1] takes GREY HxW, an int8
 * [1, H, W, 3] RGB24 HxW (pixel bytes fed unchanged, as aiot-run does with
 * .bmp files). 0, or -EINVAL with the missing preprocessing in @why.
 */
int v4l2_fmt_want_for(int dtype, const uint32_t dims[4], struct v4l2_fmt_want *want,
		      char *why, size_t len);
bool v4l2_fmt_offered(const uint32_t *fmts, unsigned int count, uint32_t fourcc);
/* The offered format closest to @want (0 if none is offered). */
uint32_t v4l2_fmt_nearest(const uint32_t *fmts, unsigned int count, uint32_t want);
/* Why @nearest is the nearest to @want, for the user. */
const char *v4l2_fmt_why_nearest(uint32_t want, uint32_t nearest);
/*
 * Does what the driver set (S_FMT) match @want exactly? 0, or -EINVAL with
 * the preprocessing the difference needs in @why.
 */
int v4l2_fmt_check(const struct v4l2_fmt_want *want, uint32_t fourcc, uint32_t width,
		   uint32_t height, uint32_t bytesperline, bool interlaced, char *why,
		   size_t len);

#ifdef __cplusplus
}
#endif

#endif /* AIOT_TOOLS_RUN_V4L2_FMT_H */
