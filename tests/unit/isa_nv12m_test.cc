// SPDX-License-Identifier: GPL-2.0-only OR MIT
//
// ISA 1.6 NV12M: FRAME_TO_TENSOR with NV12's chroma plane in a buffer of
// its own (aiot_isa_frame.binding1), as a multi-planar V4L2 camera
// delivers it. The output must be byte for byte the one of the same two
// planes laid out as one NV12 buffer (that path is checked against an
// independent reference in isa_preproc_test.cc); plus the version gate and
// the validator's rules for the second buffer.
#include <gtest/gtest.h>

#include "isa_test_util.h"

namespace {

using namespace isa_test;

template <typename Op> std::vector<uint8_t> Stream(const Op &op, uint16_t minor = 6)
{
	return one_op(op, minor);
}

std::vector<uint8_t> RandomBytes(std::mt19937 &rng, size_t n)
{
	std::vector<uint8_t> v(n);
	for (auto &b : v)
		b = uint8_t(rng());
	return v;
}

aiot_isa_op_frame_to_tensor BaseOp(uint32_t w, uint32_t h)
{
	aiot_isa_op_frame_to_tensor op{};
	op.hdr.opcode = AIOT_ISA_OP_FRAME_TO_TENSOR;
	op.frame.width = w;
	op.frame.height = h;
	op.crop = { 0, 0, h, w };
	op.mode = AIOT_ISA_RESIZE_BILINEAR;
	op.flags = AIOT_ISA_RESIZE_HALF_PIXEL_CENTERS;
	op.multiplier = 1 << 30;
	op.shift = 1;
	op.output_zero_point = -128;
	op.act = { -128, 127 };
	return op;
}

TEST(IsaNv12m, SameOutputAsOneBufferNv12)
{
	std::mt19937 rng(1606);
	const uint32_t kFlags[] = { 0, AIOT_ISA_RESIZE_ALIGN_CORNERS,
				    AIOT_ISA_RESIZE_HALF_PIXEL_CENTERS };
	int cases = 0;
	for (int iter = 0; iter < 200; iter++) {
		uint32_t W = 2 * (1 + rng() % 20), H = 2 * (1 + rng() % 12);
		// padded rows (bytesperline > width) and offsets in both planes
		uint32_t s0 = W + (rng() % 3) * 8, s1 = W + (rng() % 3) * 8;
		uint32_t o0 = (rng() % 3) * 4, o1 = (rng() % 3) * 4;
		auto luma = RandomBytes(rng, o0 + size_t(s0) * H);
		auto chroma = RandomBytes(rng, o1 + size_t(s1) * (H / 2));
		uint32_t C = rng() % 2 ? 3 : 1, OH = 1 + rng() % 16, OW = 1 + rng() % 16;
		auto op = BaseOp(W, H);
		op.mode = 1 + rng() % 2;
		op.flags = kFlags[rng() % 3];
		if (C == 3 && rng() % 2)
			op.flags |= AIOT_ISA_FRAME_BGR;
		op.crop.height = 1 + rng() % H;
		op.crop.width = 1 + rng() % W;
		op.crop.y = rng() % (H - op.crop.height + 1);
		op.crop.x = rng() % (W - op.crop.width + 1);
		op.output_zero_point = int(rng() % 256) - 128;

		// NV12M: luma in binding 1, chroma in binding 4, output in 2
		Job m(5);
		m.put(1, luma.data(), luma.size());
		m.put(4, chroma.data(), chroma.size());
		uint32_t ooff = m.reserve(2, size_t(OH) * OW * C + 5);
		auto om = op;
		om.frame.format = AIOT_ISA_PIX_NV12M;
		om.frame.binding = 1;
		om.frame.binding1 = 4;
		om.frame.offset[0] = o0;
		om.frame.stride[0] = s0;
		om.frame.offset[1] = o1;
		om.frame.stride[1] = s1;
		om.output = tensor(2, ooff, 1, OH, OW, C);
		aiot_isa_summary sum;
		auto sm = Stream(om);
		ASSERT_EQ(m.validate(sm, &sum), 0) << iter;
		EXPECT_EQ(sum.bindings_read, (1u << 1) | (1u << 4));
		EXPECT_EQ(sum.bindings_written, 1u << 2);
		EXPECT_EQ(sum.isa_minor, 6u);
		ASSERT_EQ(m.run(sm), 0);

		// NV12: the same planes one after the other in binding 1
		Job n;
		std::vector<uint8_t> one(luma);
		while (one.size() % 4)
			one.push_back(0);
		uint32_t base1 = uint32_t(one.size());
		one.insert(one.end(), chroma.begin(), chroma.end());
		n.put(1, one.data(), one.size());
		n.reserve(2, size_t(OH) * OW * C + 5);
		auto on = om;
		on.frame.format = AIOT_ISA_PIX_NV12;
		on.frame.binding1 = 0;
		on.frame.offset[1] = base1 + o1;
		ASSERT_EQ(n.run(Stream(on, 4)), 0) << iter;

		auto got = m.get<int8_t>(2, ooff, size_t(OH) * OW * C + 5);
		auto want = n.get<int8_t>(2, 0, size_t(OH) * OW * C + 5);
		ASSERT_EQ(got, want) << "iter " << iter << " " << W << "x" << H;
		for (size_t i = size_t(OH) * OW * C; i < got.size(); i++)
			ASSERT_EQ(uint8_t(got[i]), 0xa5) << "wrote past the output";
		cases++;
	}
	EXPECT_EQ(cases, 200);
}

struct Nv12mFixture {
	Job job{ 5 };
	aiot_isa_op_frame_to_tensor op = BaseOp(640, 480);
	Nv12mFixture()
	{
		job.reserve(1, 640 * 480);
		job.reserve(4, 640 * 240);
		job.reserve(2, 96 * 96);
		op.frame.format = AIOT_ISA_PIX_NV12M;
		op.frame.binding = 1;
		op.frame.binding1 = 4;
		op.frame.stride[0] = 640;
		op.frame.stride[1] = 640;
		op.output = tensor(2, 0, 1, 96, 96, 1);
	}
};

TEST(IsaNv12m, ValidatorRules)
{
	Nv12mFixture fx;
	ASSERT_EQ(fx.job.validate(Stream(fx.op)), 0);
	auto bad = [&](auto mutate, int err, const char *what, uint32_t minor = 6) {
		auto o = fx.op;
		mutate(o);
		EXPECT_EQ(fx.job.validate(Stream(o, minor)), err) << what;
	};
	using Op = aiot_isa_op_frame_to_tensor;
	// ISA 1.6: a 1.5 stream may not use NV12M (nor binding1)
	bad([](Op &) {}, -EINVAL, "NV12M in a 1.5 stream", 5);
	bad([](Op &o) { o.frame.format = AIOT_ISA_PIX_NV12; }, -EINVAL,
	    "binding1 with NV12");
	bad([](Op &o) { o.frame.format = AIOT_ISA_PIX_GREY; o.frame.offset[1] = 0;
			o.frame.stride[1] = 0; }, -EINVAL, "binding1 with GREY");
	bad([](Op &o) { o.frame.reserved = 1; }, -EINVAL, "frame reserved");
	bad([](Op &o) { o.frame.format = 8; }, -EINVAL, "unknown format");
	bad([](Op &o) { o.frame.binding1 = 9; }, -EINVAL, "chroma binding not bound");
	bad([](Op &o) { o.frame.offset[1] = 4; }, -ENOSPC, "chroma past its buffer");
	bad([](Op &o) { o.frame.stride[1] = 648; }, -ENOSPC, "chroma rows past its buffer");
	bad([](Op &o) { o.frame.stride[1] = 320; }, -EINVAL, "chroma stride below the row");
	bad([](Op &o) { o.frame.height = 479; o.crop.height = 479; }, -EINVAL, "odd height");
	bad([](Op &o) { o.frame.width = 639; o.crop.width = 639; }, -EINVAL, "odd width");
	bad([](Op &o) { o.output.binding = 4; }, -EINVAL, "output over the chroma plane");
	// The luma plane alone is checked against binding 0's size, not 4's.
	bad([](Op &o) { o.frame.stride[0] = 648; }, -ENOSPC, "luma rows past its buffer");
	// Both planes in one buffer is allowed (binding1 == binding).
	Job one(3);
	one.reserve(1, 640 * 480 * 3 / 2);
	one.reserve(2, 96 * 96);
	auto o = fx.op;
	o.frame.binding1 = 1;
	o.frame.offset[1] = 640 * 480;
	EXPECT_EQ(one.validate(Stream(o)), 0);
	// NV12 with a zero binding1 stays valid in a 1.6 stream.
	o.frame.format = AIOT_ISA_PIX_NV12;
	o.frame.binding1 = 0;
	EXPECT_EQ(one.validate(Stream(o)), 0);
}

// The chroma plane really comes from binding1: a neutral chroma plane in
// binding 4 and a saturated one where NV12 would look (after the luma).
TEST(IsaNv12m, ChromaComesFromItsOwnBuffer)
{
	const uint32_t W = 4, H = 2;
	std::vector<uint8_t> luma(W * H, 126), chroma(W * H / 2, 128);
	Job job(5);
	job.put(1, luma.data(), luma.size());
	std::vector<uint8_t> decoy(W * H / 2, 240);
	job.put(1, decoy.data(), decoy.size());
	job.put(4, chroma.data(), chroma.size());
	job.reserve(2, W * H * 3);
	auto op = BaseOp(W, H);
	op.mode = AIOT_ISA_RESIZE_NEAREST;
	op.flags = 0;
	op.frame.format = AIOT_ISA_PIX_NV12M;
	op.frame.binding = 1;
	op.frame.binding1 = 4;
	op.frame.stride[0] = W;
	op.frame.stride[1] = W;
	op.output = tensor(2, 0, 1, H, W, 3);
	ASSERT_EQ(job.run(Stream(op)), 0);
	// Y 126 with neutral chroma: grey (298 * 110 + 128) >> 8 = 128 -> 0
	for (int8_t v : job.get<int8_t>(2, 0, W * H * 3))
		EXPECT_EQ(v, 0);
}

} // namespace
