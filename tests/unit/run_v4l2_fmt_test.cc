// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-run --v4l2's format decisions (tools/run/v4l2_fmt.c): which frame a
 * model's input takes as it is, the nearest format a camera offers instead,
 * and the preprocessing each mismatch is refused for.
 */
#include <gtest/gtest.h>

#include <cerrno>
#include <string>

#include <linux/videodev2.h>

#include <aiot/accel.h>

#include "v4l2_fmt.h"

namespace {

TEST(RunV4l2Fmt, WhatAnInputTakes)
{
	struct v4l2_fmt_want w = {};
	char why[256] = "";
	const uint32_t grey[4] = { 1, 180, 320, 1 }, rgb[4] = { 1, 96, 96, 3 };
	const uint32_t two[4] = { 1, 96, 96, 2 }, batch[4] = { 2, 96, 96, 1 };

	ASSERT_EQ(v4l2_fmt_want_for(AIOT_DTYPE_INT8, grey, &w, why, sizeof(why)), 0);
	EXPECT_EQ(w.fourcc, (uint32_t)V4L2_PIX_FMT_GREY);
	EXPECT_EQ(w.width, 320u);
	EXPECT_EQ(w.height, 180u);
	EXPECT_EQ(w.bytes_per_pixel, 1u);
	ASSERT_EQ(v4l2_fmt_want_for(AIOT_DTYPE_INT8, rgb, &w, why, sizeof(why)), 0);
	EXPECT_EQ(w.fourcc, (uint32_t)V4L2_PIX_FMT_RGB24);
	EXPECT_EQ(w.bytes_per_pixel, 3u);
	EXPECT_EQ(v4l2_fmt_want_for(AIOT_DTYPE_INT16, grey, &w, why, sizeof(why)), -EINVAL);
	EXPECT_NE(std::string(why).find("quantisation"), std::string::npos) << why;
	EXPECT_EQ(v4l2_fmt_want_for(AIOT_DTYPE_INT8, two, &w, why, sizeof(why)), -EINVAL);
	EXPECT_NE(std::string(why).find("pixel-format conversion"), std::string::npos) << why;
	EXPECT_EQ(v4l2_fmt_want_for(AIOT_DTYPE_INT8, batch, &w, why, sizeof(why)), -EINVAL);
	EXPECT_NE(std::string(why).find("batch of 2"), std::string::npos) << why;
}

TEST(RunV4l2Fmt, NearestFormat)
{
	const uint32_t vivid_like[] = { V4L2_PIX_FMT_YUYV, V4L2_PIX_FMT_UYVY, V4L2_PIX_FMT_GREY,
					V4L2_PIX_FMT_RGB24 };
	const uint32_t no_grey[] = { V4L2_PIX_FMT_MJPEG, V4L2_PIX_FMT_NV12, V4L2_PIX_FMT_YUYV };
	const uint32_t odd[] = { V4L2_PIX_FMT_MJPEG };

	EXPECT_TRUE(v4l2_fmt_offered(vivid_like, 4, V4L2_PIX_FMT_GREY));
	EXPECT_FALSE(v4l2_fmt_offered(no_grey, 3, V4L2_PIX_FMT_GREY));
	EXPECT_EQ(v4l2_fmt_nearest(vivid_like, 4, V4L2_PIX_FMT_GREY), (uint32_t)V4L2_PIX_FMT_GREY);
	// Packed YUV before planar: YUYV's luma is every other byte of one plane.
	EXPECT_EQ(v4l2_fmt_nearest(no_grey, 3, V4L2_PIX_FMT_GREY), (uint32_t)V4L2_PIX_FMT_YUYV);
	EXPECT_EQ(v4l2_fmt_nearest(no_grey, 3, V4L2_PIX_FMT_RGB24), (uint32_t)V4L2_PIX_FMT_YUYV);
	// Nothing close: the camera's first format; nothing at all: 0.
	EXPECT_EQ(v4l2_fmt_nearest(odd, 1, V4L2_PIX_FMT_GREY), (uint32_t)V4L2_PIX_FMT_MJPEG);
	EXPECT_EQ(v4l2_fmt_nearest(odd, 0, V4L2_PIX_FMT_GREY), 0u);
	EXPECT_NE(std::string(v4l2_fmt_why_nearest(V4L2_PIX_FMT_GREY, V4L2_PIX_FMT_YUYV))
			  .find("luma"), std::string::npos);
	EXPECT_NE(std::string(v4l2_fmt_why_nearest(V4L2_PIX_FMT_GREY, V4L2_PIX_FMT_NV12))
			  .find("first plane"), std::string::npos);
	EXPECT_NE(std::string(v4l2_fmt_why_nearest(V4L2_PIX_FMT_RGB24, V4L2_PIX_FMT_BGR24))
			  .find("other order"), std::string::npos);
}

TEST(RunV4l2Fmt, WhatTheDriverSetIsChecked)
{
	const struct v4l2_fmt_want w = { V4L2_PIX_FMT_GREY, 96, 96, 1 };
	char why[256] = "";

	EXPECT_EQ(v4l2_fmt_check(&w, V4L2_PIX_FMT_GREY, 96, 96, 96, false, why, sizeof(why)), 0);
	// vivid's webcam turns 96x96 into 320x180.
	EXPECT_EQ(v4l2_fmt_check(&w, V4L2_PIX_FMT_GREY, 320, 180, 320, false, why, sizeof(why)),
		  -EINVAL);
	EXPECT_NE(std::string(why).find("resize (or crop) 320x180 -> 96x96"), std::string::npos)
		<< why;
	EXPECT_EQ(v4l2_fmt_check(&w, V4L2_PIX_FMT_GREY, 96, 96, 128, false, why, sizeof(why)),
		  -EINVAL);
	EXPECT_NE(std::string(why).find("rows padded to 128 bytes"), std::string::npos) << why;
	EXPECT_EQ(v4l2_fmt_check(&w, V4L2_PIX_FMT_YUYV, 96, 96, 192, false, why, sizeof(why)),
		  -EINVAL);
	EXPECT_NE(std::string(why).find("pixel-format conversion"), std::string::npos) << why;
	EXPECT_EQ(v4l2_fmt_check(&w, V4L2_PIX_FMT_GREY, 96, 96, 96, true, why, sizeof(why)),
		  -EINVAL);
	EXPECT_NE(std::string(why).find("deinterlacing"), std::string::npos) << why;
	const struct v4l2_fmt_want rgb = { V4L2_PIX_FMT_RGB24, 4, 2, 3 };
	EXPECT_EQ(v4l2_fmt_check(&rgb, V4L2_PIX_FMT_RGB24, 4, 2, 12, false, why, sizeof(why)), 0);
	EXPECT_EQ(v4l2_fmt_check(&rgb, V4L2_PIX_FMT_RGB24, 4, 2, 4, false, why, sizeof(why)),
		  -EINVAL);
}

}  // namespace
