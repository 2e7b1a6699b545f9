// SPDX-License-Identifier: GPL-2.0-only OR MIT
//
// ISA 1.4 preprocessing: RESIZE (int8, nearest and bilinear with TFLite's
// align_corners / half_pixel_centers) and FRAME_TO_TENSOR (GREY, YUYV,
// UYVY, NV12, RGB24, BGR24 frames to a 1- or 3-channel int8 tensor),
// bit-exact on generated cases against an independent implementation
// written here from TFLite's definitions (the nearest index with TFLite's
// own float arithmetic), plus the validator's rejections and the version
// gate.
#include <gtest/gtest.h>

#include "isa_resize_ref.h"
#include "isa_test_util.h"

namespace {

using namespace isa_test;

template <typename Op> std::vector<uint8_t> Stream(const Op &op, uint16_t minor = 4)
{
	return one_op(op, minor);
}

namespace ref14 {

using namespace isa_resize_ref;

int Clamp255(int v)
{
	return std::min(255, std::max(0, v));
}

// A whole frame converted to planar-free RGB (3 values per pixel), each
// pixel on its own: BT.601 limited range, 8.8 fixed point, +128, floor.
void YuvToRgb(int y, int u, int v, int32_t *rgb)
{
	int c = y - 16, d = u - 128, e = v - 128;
	rgb[0] = Clamp255((298 * c + 409 * e + 128) >> 8);
	rgb[1] = Clamp255((298 * c - 100 * d - 208 * e + 128) >> 8);
	rgb[2] = Clamp255((298 * c + 516 * d + 128) >> 8);
}

struct Frame {
	uint32_t format, width, height, stride0, stride1, off0, off1;
	std::vector<uint8_t> bytes;
};

// Every pixel of the frame in the output's channel order (1 or 3).
std::vector<int32_t> Convert(const Frame &f, int channels, bool bgr)
{
	std::vector<int32_t> img;
	for (uint32_t y = 0; y < f.height; y++) {
		const uint8_t *row = f.bytes.data() + f.off0 + y * f.stride0;
		for (uint32_t x = 0; x < f.width; x++) {
			int32_t rgb[3];
			int luma = -1;
			const uint8_t *mp = row + (x / 2) * 4;
			switch (f.format) {
			case AIOT_ISA_PIX_GREY:
				rgb[0] = rgb[1] = rgb[2] = luma = row[x];
				break;
			case AIOT_ISA_PIX_YUYV:
				YuvToRgb(row[2 * x], mp[1], mp[3], rgb);
				luma = Clamp255((298 * (row[2 * x] - 16) + 128) >> 8);
				break;
			case AIOT_ISA_PIX_UYVY:
				YuvToRgb(row[2 * x + 1], mp[0], mp[2], rgb);
				luma = Clamp255((298 * (row[2 * x + 1] - 16) + 128) >> 8);
				break;
			case AIOT_ISA_PIX_NV12: {
				const uint8_t *uv = f.bytes.data() + f.off1 +
						    (y / 2) * f.stride1 + (x / 2) * 2;
				YuvToRgb(row[x], uv[0], uv[1], rgb);
				luma = Clamp255((298 * (row[x] - 16) + 128) >> 8);
				break;
			}
			case AIOT_ISA_PIX_RGB24:
				for (int k = 0; k < 3; k++)
					rgb[k] = row[3 * x + k];
				break;
			default:
				for (int k = 0; k < 3; k++)
					rgb[k] = row[3 * x + 2 - k];
				break;
			}
			if (channels == 1) {
				if (luma < 0)
					luma = (77 * rgb[0] + 150 * rgb[1] + 29 * rgb[2] + 128) >> 8;
				img.push_back(luma);
				continue;
			}
			if (bgr)
				std::swap(rgb[0], rgb[2]);
			img.insert(img.end(), rgb, rgb + 3);
		}
	}
	return img;
}

} // namespace ref14

uint32_t Bpp(uint32_t fmt)
{
	switch (fmt) {
	case AIOT_ISA_PIX_YUYV:
	case AIOT_ISA_PIX_UYVY:
		return 2;
	case AIOT_ISA_PIX_RGB24:
	case AIOT_ISA_PIX_BGR24:
		return 3;
	default:
		return 1;
	}
}

ref14::Frame RandomFrame(std::mt19937 &rng, uint32_t fmt, uint32_t w, uint32_t h)
{
	ref14::Frame f{};
	f.format = fmt;
	f.width = w;
	f.height = h;
	f.stride0 = w * Bpp(fmt) + (rng() % 3) * 4;
	f.off0 = (rng() % 4) * 4;
	size_t bytes = f.off0 + size_t(f.stride0) * h;
	if (fmt == AIOT_ISA_PIX_NV12) {
		f.stride1 = w + (rng() % 2) * 8;
		f.off1 = uint32_t(bytes + (rng() % 2) * 4);
		bytes = f.off1 + size_t(f.stride1) * (h / 2);
	}
	f.bytes.resize(bytes);
	for (auto &b : f.bytes)
		b = uint8_t(rng());
	return f;
}

aiot_isa_frame FrameDesc(const ref14::Frame &f, uint8_t binding)
{
	aiot_isa_frame d{};
	d.offset[0] = f.off0;
	d.offset[1] = f.off1;
	d.stride[0] = f.stride0;
	d.stride[1] = f.stride1;
	d.width = f.width;
	d.height = f.height;
	d.binding = binding;
	d.format = uint8_t(f.format);
	return d;
}

const uint32_t kFormats[] = { AIOT_ISA_PIX_GREY, AIOT_ISA_PIX_YUYV, AIOT_ISA_PIX_UYVY,
			      AIOT_ISA_PIX_NV12, AIOT_ISA_PIX_RGB24, AIOT_ISA_PIX_BGR24 };

// flags: every TFLite combination (bilinear excludes align + half).
const uint32_t kFlags[] = { 0, AIOT_ISA_RESIZE_ALIGN_CORNERS, AIOT_ISA_RESIZE_HALF_PIXEL_CENTERS,
			    AIOT_ISA_RESIZE_ALIGN_CORNERS | AIOT_ISA_RESIZE_HALF_PIXEL_CENTERS };

TEST(IsaPreproc, ResizeMatchesReference)
{
	std::mt19937 rng(1404);
	int cases = 0;
	for (int iter = 0; iter < 300; iter++) {
		for (uint32_t mode : { AIOT_ISA_RESIZE_NEAREST, AIOT_ISA_RESIZE_BILINEAR }) {
			uint32_t flags = kFlags[rng() % 4];
			if (mode == AIOT_ISA_RESIZE_BILINEAR && flags == 3)
				flags = AIOT_ISA_RESIZE_HALF_PIXEL_CENTERS;
			int n = 1 + rng() % 2, H = 1 + rng() % 20, W = 1 + rng() % 20,
			    C = 1 + rng() % 4;
			int h = 1 + rng() % H, w = 1 + rng() % W;
			int y0 = rng() % (H - h + 1), x0 = rng() % (W - w + 1);
			int OH = 1 + rng() % 24, OW = 1 + rng() % 24;
			auto in = random_i8(rng, size_t(n) * H * W * C);
			Job job;
			uint32_t ioff = job.put(1, in.data(), in.size());
			uint32_t ooff = job.reserve(2, size_t(n) * OH * OW * C);
			aiot_isa_op_resize op{};
			op.hdr.opcode = AIOT_ISA_OP_RESIZE;
			op.input = tensor(1, ioff, n, H, W, C);
			op.output = tensor(2, ooff, n, OH, OW, C);
			op.crop = { uint32_t(y0), uint32_t(x0), uint32_t(h), uint32_t(w) };
			op.mode = mode;
			op.flags = flags;
			auto s = Stream(op);
			aiot_isa_summary sum;
			ASSERT_EQ(job.validate(s, &sum), 0);
			EXPECT_EQ(sum.isa_minor, 4u);
			EXPECT_EQ(sum.work, uint64_t(n) * OH * OW * C *
						    (mode == AIOT_ISA_RESIZE_BILINEAR ? 4 : 1));
			ASSERT_EQ(job.run(s), 0);
			std::vector<int32_t> in32(in.begin(), in.end());
			auto want = ref14::Resize(in32, n, H, W, C, y0, x0, h, w, OH, OW,
						  mode == AIOT_ISA_RESIZE_BILINEAR,
						  flags & AIOT_ISA_RESIZE_ALIGN_CORNERS,
						  flags & AIOT_ISA_RESIZE_HALF_PIXEL_CENTERS);
			auto got = job.get<int8_t>(2, ooff, want.size());
			for (size_t i = 0; i < want.size(); i++)
				ASSERT_EQ(got[i], want[i])
					<< "iter " << iter << " mode " << mode << " flags "
					<< flags << " " << H << "x" << W << " -> " << OH << "x"
					<< OW << " at " << i;
			cases++;
		}
	}
	EXPECT_EQ(cases, 600);
}

// The camera-sized case: 640x480 to 96x96 and 224x224, every flag set.
TEST(IsaPreproc, ResizeCameraSizesMatchReference)
{
	std::mt19937 rng(96);
	for (uint32_t mode : { AIOT_ISA_RESIZE_NEAREST, AIOT_ISA_RESIZE_BILINEAR })
		for (uint32_t flags : kFlags) {
			if (mode == AIOT_ISA_RESIZE_BILINEAR && flags == 3)
				continue;
			for (int o : { 96, 224 }) {
				auto in = random_i8(rng, 480 * 640);
				Job job;
				job.put(1, in.data(), in.size());
				job.reserve(2, size_t(o) * o);
				aiot_isa_op_resize op{};
				op.hdr.opcode = AIOT_ISA_OP_RESIZE;
				op.input = tensor(1, 0, 1, 480, 640, 1);
				op.output = tensor(2, 0, 1, o, o, 1);
				op.crop = { 0, 0, 480, 640 };
				op.mode = mode;
				op.flags = flags;
				ASSERT_EQ(job.run(Stream(op)), 0);
				std::vector<int32_t> in32(in.begin(), in.end());
				auto want = ref14::Resize(in32, 1, 480, 640, 1, 0, 0, 480,
							  640, o, o,
							  mode == AIOT_ISA_RESIZE_BILINEAR,
							  flags & 1, flags & 2);
				auto got = job.get<int8_t>(2, 0, want.size());
				EXPECT_TRUE(std::equal(want.begin(), want.end(), got.begin()))
					<< mode << " " << flags << " " << o;
			}
		}
}

TEST(IsaPreproc, FrameToTensorMatchesReference)
{
	std::mt19937 rng(1605);
	int cases = 0;
	for (int iter = 0; iter < 60; iter++) {
		for (uint32_t fmt : kFormats) {
			bool chroma = fmt == AIOT_ISA_PIX_YUYV || fmt == AIOT_ISA_PIX_UYVY ||
				      fmt == AIOT_ISA_PIX_NV12;
			uint32_t W = 2 + rng() % 30, H = 2 + rng() % 20;
			if (chroma)
				W &= ~1u;
			if (fmt == AIOT_ISA_PIX_NV12)
				H &= ~1u;
			auto f = RandomFrame(rng, fmt, W, H);
			uint32_t mode = 1 + rng() % 2, flags = kFlags[rng() % 4];
			if (mode == AIOT_ISA_RESIZE_BILINEAR && flags == 3)
				flags = AIOT_ISA_RESIZE_ALIGN_CORNERS;
			int C = rng() % 2 ? 3 : 1;
			if (C == 3 && rng() % 2)
				flags |= AIOT_ISA_FRAME_BGR;
			uint32_t h = 1 + rng() % H, w = 1 + rng() % W;
			uint32_t y0 = rng() % (H - h + 1), x0 = rng() % (W - w + 1);
			uint32_t OH = 1 + rng() % 16, OW = 1 + rng() % 16;
			Job job;
			job.put(1, f.bytes.data(), f.bytes.size());
			uint32_t ooff = job.reserve(2, size_t(OH) * OW * C + 7);
			aiot_isa_op_frame_to_tensor op{};
			op.hdr.opcode = AIOT_ISA_OP_FRAME_TO_TENSOR;
			op.frame = FrameDesc(f, 1);
			op.crop = { y0, x0, h, w };
			op.output = tensor(2, ooff, 1, OH, OW, C);
			op.mode = mode;
			op.flags = flags;
			double real = std::ldexp(double(1 + rng() % 1000), -int(rng() % 12));
			int shift;
			ref::QuantizeMultiplier(real, &op.multiplier, &shift);
			op.shift = shift;
			op.output_zero_point = int(rng() % 256) - 128;
			op.act = { -128 + int(rng() % 8), 127 - int(rng() % 8) };
			auto s = Stream(op);
			aiot_isa_summary sum;
			ASSERT_EQ(job.validate(s, &sum), 0) << iter << " " << fmt;
			EXPECT_EQ(sum.work, uint64_t(OH) * OW * C * (mode == 2 ? 4 : 1));
			EXPECT_EQ(sum.bindings_read, 1u << 1);
			EXPECT_EQ(sum.bindings_written, 1u << 2);
			ASSERT_EQ(job.run(s), 0);
			auto img = ref14::Convert(f, C, flags & AIOT_ISA_FRAME_BGR);
			auto v = ref14::Resize(img, 1, H, W, C, y0, x0, h, w, OH, OW,
					       mode == 2, flags & 1, flags & 2);
			auto got = job.get<int8_t>(2, ooff, v.size() + 7);
			for (size_t i = 0; i < v.size(); i++) {
				int8_t want = ref::Clamp8(ref::MBQM(v[i], op.multiplier, op.shift) +
								  op.output_zero_point,
							  op.act.min, op.act.max);
				ASSERT_EQ(got[i], want) << "iter " << iter << " fmt " << fmt
							<< " C " << C << " flags " << flags
							<< " at " << i;
			}
			for (size_t i = v.size(); i < got.size(); i++)
				ASSERT_EQ(uint8_t(got[i]), 0xa5) << "wrote past the output";
			cases++;
		}
	}
	EXPECT_EQ(cases, 360);
}

// Known values: the colour matrix on pure colours and the identity
// quantisation (multiplier 2^30, shift 1 is 1.0; zero point -128).
TEST(IsaPreproc, FrameToTensorKnownPixels)
{
	// YUYV 2x1: Y0=235 (white), Y1=16 (black), neutral chroma.
	const uint8_t yuyv[] = { 235, 128, 16, 128 };
	Job job;
	job.put(1, yuyv, sizeof(yuyv));
	job.reserve(2, 6);
	aiot_isa_op_frame_to_tensor op{};
	op.hdr.opcode = AIOT_ISA_OP_FRAME_TO_TENSOR;
	op.frame.width = 2;
	op.frame.height = 1;
	op.frame.stride[0] = 4;
	op.frame.binding = 1;
	op.frame.format = AIOT_ISA_PIX_YUYV;
	op.crop = { 0, 0, 1, 2 };
	op.output = tensor(2, 0, 1, 1, 2, 3);
	op.mode = AIOT_ISA_RESIZE_NEAREST;
	op.multiplier = 1 << 30;
	op.shift = 1;
	op.output_zero_point = -128;
	op.act = { -128, 127 };
	ASSERT_EQ(job.run(Stream(op)), 0);
	EXPECT_EQ(job.get<int8_t>(2, 0, 6),
		  (std::vector<int8_t>{ 127, 127, 127, -128, -128, -128 }));
	// Red in BT.601 limited range: Y 81, Cb 90, Cr 240 -> (255, 0, 0).
	const uint8_t red[] = { 81, 90, 81, 240 };
	Job j2;
	j2.put(1, red, sizeof(red));
	j2.reserve(2, 6);
	op.flags = AIOT_ISA_FRAME_BGR;
	ASSERT_EQ(j2.run(Stream(op)), 0);
	EXPECT_EQ(j2.get<int8_t>(2, 0, 6), (std::vector<int8_t>{ -128, -128, 127, -128, -128, 127 }));
}

struct FrameFixture {
	Job job;
	aiot_isa_op_frame_to_tensor op{};
	FrameFixture()
	{
		job.reserve(1, 640 * 480 * 2);
		job.reserve(2, 96 * 96 * 3);
		op.hdr.opcode = AIOT_ISA_OP_FRAME_TO_TENSOR;
		op.frame.width = 640;
		op.frame.height = 480;
		op.frame.stride[0] = 1280;
		op.frame.binding = 1;
		op.frame.format = AIOT_ISA_PIX_YUYV;
		op.crop = { 0, 0, 480, 640 };
		op.output = tensor(2, 0, 1, 96, 96, 1);
		op.mode = AIOT_ISA_RESIZE_BILINEAR;
		op.multiplier = 1 << 30;
		op.shift = 1;
		op.output_zero_point = -128;
		op.act = { -128, 127 };
	}
	int check(const aiot_isa_op_frame_to_tensor &o) { return job.validate(Stream(o)); }
};

TEST(IsaPreproc, FrameValidatorRejectsBadParameters)
{
	FrameFixture fx;
	ASSERT_EQ(fx.check(fx.op), 0);
	auto bad = [&](auto mutate, int err, const char *what) {
		auto o = fx.op;
		mutate(o);
		EXPECT_EQ(fx.check(o), err) << what;
	};
	using Op = aiot_isa_op_frame_to_tensor;
	bad([](Op &o) { o.frame.format = 0; }, -EINVAL, "format 0");
	bad([](Op &o) { o.frame.format = 7; }, -EINVAL, "unknown format");
	bad([](Op &o) { o.frame.reserved = 1; }, -EINVAL, "frame reserved");
	bad([](Op &o) { o.reserved = 1; }, -EINVAL, "reserved");
	bad([](Op &o) { o.frame.width = 639; o.crop.width = 639; }, -EINVAL, "odd YUYV width");
	bad([](Op &o) { o.frame.width = 0; }, -EINVAL, "width 0");
	bad([](Op &o) { o.frame.height = 70000; }, -E2BIG, "height > 65535");
	bad([](Op &o) { o.frame.stride[0] = 1278; }, -EINVAL, "stride below the row");
	bad([](Op &o) { o.frame.stride[0] = 1282; }, -ENOSPC, "plane past the buffer");
	bad([](Op &o) { o.frame.offset[0] = 4; }, -ENOSPC, "offset past the buffer");
	bad([](Op &o) { o.frame.offset[0] = 0xfffffff0u; }, -ENOSPC, "huge offset");
	bad([](Op &o) { o.frame.stride[1] = 640; }, -EINVAL, "plane 1 of YUYV");
	bad([](Op &o) { o.frame.binding = 9; }, -EINVAL, "binding not bound");
	bad([](Op &o) { o.crop.height = 0; }, -EINVAL, "empty crop");
	bad([](Op &o) { o.crop.y = 1; }, -EINVAL, "crop below the frame");
	bad([](Op &o) { o.crop.x = 0xffffffffu; o.crop.width = 2; }, -EINVAL, "crop wraps");
	bad([](Op &o) { o.mode = 0; }, -EINVAL, "mode 0");
	bad([](Op &o) { o.mode = 3; }, -EINVAL, "mode 3");
	bad([](Op &o) { o.flags = 8; }, -EINVAL, "unknown flag");
	bad([](Op &o) { o.flags = 3; }, -EINVAL, "bilinear with both flags");
	bad([](Op &o) { o.flags = AIOT_ISA_FRAME_BGR; }, -EINVAL, "BGR of one channel");
	bad([](Op &o) { o.output.dims[3] = 2; }, -EINVAL, "two channels");
	bad([](Op &o) { o.output.dims[0] = 2; }, -EINVAL, "batch 2");
	bad([](Op &o) { o.output.dtype = AIOT_ISA_DTYPE_INT16; }, -EINVAL, "int16 output");
	bad([](Op &o) { o.output_zero_point = 128; }, -EINVAL, "zero point");
	bad([](Op &o) { o.multiplier = -1; }, -EINVAL, "negative multiplier");
	bad([](Op &o) { o.shift = 31; }, -EINVAL, "shift");
	bad([](Op &o) { o.act = { 5, 4 }; }, -EINVAL, "act min > max");
	bad([](Op &o) { o.output.binding = 1; }, -EINVAL, "output over the frame");
	bad([](Op &o) { o.output.dims[1] = 60000; o.output.dims[2] = 60000; }, -E2BIG,
	    "output too large");

	// NV12: an even height, and a chroma plane inside the buffer.
	Job nv;
	nv.reserve(1, 640 * 480 * 3 / 2);
	nv.reserve(2, 96 * 96);
	auto o = fx.op;
	o.frame.format = AIOT_ISA_PIX_NV12;
	o.frame.stride[0] = 640;
	o.frame.offset[1] = 640 * 480;
	o.frame.stride[1] = 640;
	EXPECT_EQ(nv.validate(Stream(o)), 0);
	auto o2 = o;
	o2.frame.height = 479;
	o2.crop.height = 479;
	EXPECT_EQ(nv.validate(Stream(o2)), -EINVAL);
	o2 = o;
	o2.frame.offset[1] = 640 * 480 + 4;
	EXPECT_EQ(nv.validate(Stream(o2)), -ENOSPC);
	o2 = o;
	o2.frame.stride[1] = 320;
	EXPECT_EQ(nv.validate(Stream(o2)), -EINVAL);
}

TEST(IsaPreproc, ResizeValidatorRejectsBadParameters)
{
	Job job;
	job.reserve(1, 8 * 8 * 2);
	job.reserve(2, 4 * 4 * 2);
	aiot_isa_op_resize op{};
	op.hdr.opcode = AIOT_ISA_OP_RESIZE;
	op.input = tensor(1, 0, 1, 8, 8, 2);
	op.output = tensor(2, 0, 1, 4, 4, 2);
	op.crop = { 0, 0, 8, 8 };
	op.mode = AIOT_ISA_RESIZE_BILINEAR;
	ASSERT_EQ(job.validate(Stream(op)), 0);
	auto bad = [&](auto mutate, int err, const char *what) {
		auto o = op;
		mutate(o);
		EXPECT_EQ(job.validate(Stream(o)), err) << what;
	};
	using Op = aiot_isa_op_resize;
	bad([](Op &o) { o.reserved[1] = 1; }, -EINVAL, "reserved");
	bad([](Op &o) { o.mode = 0; }, -EINVAL, "mode");
	bad([](Op &o) { o.flags = AIOT_ISA_FRAME_BGR; }, -EINVAL, "frame flag");
	bad([](Op &o) { o.flags = 3; }, -EINVAL, "bilinear with both flags");
	bad([](Op &o) { o.output.dims[3] = 1; }, -EINVAL, "channels differ");
	bad([](Op &o) { o.output.dims[0] = 2; o.output.dims[1] = 2; }, -EINVAL, "batch differs");
	bad([](Op &o) { o.crop.x = 1; }, -EINVAL, "crop outside");
	bad([](Op &o) { o.crop.width = 0; }, -EINVAL, "empty crop");
	bad([](Op &o) { o.output = o.input; o.output.dims[1] = 4; o.output.dims[2] = 4; },
	    -EINVAL, "output over the input");
	bad([](Op &o) { o.input.dtype = AIOT_ISA_DTYPE_INT16; }, -EINVAL, "int16");
	// nearest takes both flags, as TFLite's RESIZE_NEAREST_NEIGHBOR does
	auto o = op;
	o.mode = AIOT_ISA_RESIZE_NEAREST;
	o.flags = 3;
	EXPECT_EQ(job.validate(Stream(o)), 0);
}

TEST(IsaPreproc, NewOpcodesNeedAStreamDeclaringIsa14)
{
	FrameFixture fx;
	for (uint32_t minor : { 3u, 0u }) {
		aiot_isa_summary sum;
		auto s = Stream(fx.op, minor);
		EXPECT_EQ(fx.job.validate(s, &sum), -EOPNOTSUPP) << minor;
		EXPECT_EQ(sum.error_op, 0u);
		EXPECT_EQ(fx.job.run(s), -EOPNOTSUPP);
	}
	EXPECT_EQ(fx.job.get<uint8_t>(2, 0, 4), (std::vector<uint8_t>(4, 0xa5)));
	aiot_isa_op_resize r{};
	r.hdr.opcode = AIOT_ISA_OP_RESIZE;
	r.input = tensor(1, 0, 1, 8, 8, 1);
	r.output = tensor(2, 0, 1, 4, 4, 1);
	r.crop = { 0, 0, 8, 8 };
	r.mode = AIOT_ISA_RESIZE_NEAREST;
	EXPECT_EQ(fx.job.validate(Stream(r, 3)), -EOPNOTSUPP);
	EXPECT_EQ(fx.job.validate(Stream(r, 4)), 0);
	// Opcodes 24..29 are not assigned yet: unknown.
	for (uint16_t opc = AIOT_ISA_OP_FRAME_TO_TENSOR + 1; opc < 30; opc++) {
		auto s = Stream(r, 4);
		aiot_isa_op_header h;
		std::memcpy(&h, s.data() + sizeof(aiot_isa_header), sizeof(h));
		h.opcode = opc;
		std::memcpy(s.data() + sizeof(aiot_isa_header), &h, sizeof(h));
		EXPECT_EQ(fx.job.validate(s), -EOPNOTSUPP) << opc;
	}
}

TEST(IsaPreproc, StopHookInterruptsALargeFrame)
{
	Job job;
	job.reserve(1, 4096 * 2048 * 3, 9);
	job.reserve(2, 2048 * 2048 * 3, 0);
	aiot_isa_op_frame_to_tensor op{};
	op.hdr.opcode = AIOT_ISA_OP_FRAME_TO_TENSOR;
	op.frame.width = 4096;
	op.frame.height = 2048;
	op.frame.stride[0] = 4096 * 3;
	op.frame.binding = 1;
	op.frame.format = AIOT_ISA_PIX_RGB24;
	op.crop = { 0, 0, 2048, 4096 };
	op.output = tensor(2, 0, 1, 2048, 2048, 3);
	op.mode = AIOT_ISA_RESIZE_BILINEAR;
	op.multiplier = 1 << 30;
	op.shift = 1;
	op.act = { -128, 127 };
	auto s = Stream(op);
	auto sz = job.sizes();
	std::vector<void *> p;
	for (auto &v : job.buf)
		p.push_back(v.data());
	int polls = 0;
	aiot_isa_exec_control ctl{};
	ctl.should_stop = [](void *arg) { return ++*static_cast<int *>(arg) > 8; };
	ctl.arg = &polls;
	EXPECT_EQ(aiot_isa_execute_ctl(s.data(), s.size(), p.data(), sz.data(),
				       unsigned(sz.size()), &ctl), -ECANCELED);
	auto out = job.get<uint8_t>(2, 0, 2048 * 2048 * 3);
	EXPECT_EQ(out.front(), 9u);
	EXPECT_EQ(out.back(), 0u);
	EXPECT_EQ(polls, 9);
}

} // namespace
