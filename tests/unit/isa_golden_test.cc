// SPDX-License-Identifier: GPL-2.0-only OR MIT
//
// Hand-checked golden vectors: each expected value is derived in the
// comment next to it from the TFLite definitions (SaturatingRounding-
// DoublingHighMul truncates (a*b + 2^30) / 2^31 toward zero, with the
// nudge 1 - 2^30 for negative products; RoundingDivideByPOT rounds ties
// away from zero), not computed by the code under test.

#include <gtest/gtest.h>

#include "isa_test_util.h"

using namespace isa_test;

namespace {

constexpr int32_t kHalf = 1 << 30;	// 0.5 in Q31

std::vector<int8_t> requant(const std::vector<int8_t> &in, int in_zp,
			    int out_zp, int32_t m, int shift,
			    aiot_isa_activation act = { -128, 127 })
{
	Job job;
	aiot_isa_op_requantize op{};
	op.hdr.opcode = AIOT_ISA_OP_REQUANTIZE;
	uint32_t n = uint32_t(in.size());
	op.input = tensor(1, job.put(1, in.data(), n), 1, 1, 1, n);
	op.output = tensor(2, job.reserve(2, n), 1, 1, 1, n);
	op.input_zero_point = in_zp;
	op.output_zero_point = out_zp;
	op.multiplier = m;
	op.shift = shift;
	op.act = act;
	StreamBuilder sb;
	sb.add(op);
	auto s = sb.build();
	EXPECT_EQ(job.run(s), 0);
	return job.get<int8_t>(2, 0, n);
}

TEST(IsaGolden, RequantizeRoundsTiesAwayFromZero)
{
	// x * 0.25 as multiplier 0.5, shift -1:
	//  2 -> srdhm 1 (1.5 truncated) -> rdbpot(1,1) = 1     (0.5 -> 1)
	// -2 -> srdhm -1 -> rdbpot(-1,1) = -1                   (-0.5 -> -1)
	//  6 -> 3 -> 2 (1.5 -> 2); -6 -> -3 -> -2 (-1.5 -> -2)
	//  4 -> 1; -4 -> -1; 127 -> 64 -> 32; -128 -> -64 -> -32
	std::vector<int8_t> in = { 2, -2, 6, -6, 4, -4, 127, -128 };
	std::vector<int8_t> want = { 1, -1, 2, -2, 1, -1, 32, -32 };
	EXPECT_EQ(requant(in, 0, 0, kHalf, -1), want);
}

TEST(IsaGolden, DoublingHighMulTieIsNotSymmetric)
{
	// x * 0.5 with shift 0 rounds only in srdhm: 1 -> (2^30 + 2^30) / 2^31
	// = 1; -1 -> (-2^30 + 1 - 2^30) / 2^31 = -0.99.. -> 0; 3 -> 2; -3 -> -1.
	std::vector<int8_t> in = { 1, -1, 3, -3 };
	std::vector<int8_t> want = { 1, 0, 2, -1 };
	EXPECT_EQ(requant(in, 0, 0, kHalf, 0), want);
}

TEST(IsaGolden, RequantizeSaturatesAndExtremeZeroPoints)
{
	// x * 2 (0.5, shift 2): 100 -> 200 -> 127; -100 -> -200 -> -128.
	EXPECT_EQ(requant({ 100, -100, 3 }, 0, 0, kHalf, 2),
		  (std::vector<int8_t>{ 127, -128, 6 }));
	// Identity scale (0.5, shift 1) with zero points -128 -> 127:
	// -128 -> 0 + 127 = 127; 127 -> 255 + 127 -> 127; -1 -> 127 + 127 -> 127.
	EXPECT_EQ(requant({ -128, 127, -1 }, -128, 127, kHalf, 1),
		  (std::vector<int8_t>{ 127, 127, 127 }));
	// Zero points 127 -> -128: -128 -> -255 - 128 -> -128; 127 -> 0 - 128;
	// 0 -> -127 - 128 -> -128.
	EXPECT_EQ(requant({ -128, 127, 0 }, 127, -128, kHalf, 1),
		  (std::vector<int8_t>{ -128, -128, -128 }));
	// shift -31 with the largest multiplier: (127 + 128) * ~2^-31 -> 0, so
	// the output is the zero point.
	EXPECT_EQ(requant({ 127, -128 }, -128, 7, 0x7fffffff, -31),
		  (std::vector<int8_t>{ 7, 7 }));
	// Fused activation clamp applies after the zero point.
	EXPECT_EQ(requant({ -50, 50 }, 0, 0, kHalf, 1, { -10, 20 }),
		  (std::vector<int8_t>{ -10, 20 }));
}

TEST(IsaGolden, SensorToInt8)
{
	// int16 samples scaled by 1/256 (0.5, shift -7), zero point 1000:
	// (1000 - 1000) -> 0; (1256 - 1000) = 256 -> 1; 1128: 128/256 = 0.5 -> 1;
	// 872: -0.5 -> -1; 32767: 31767/256 = 124.09 -> 124; -32768 -> -131.9 -> -128
	std::vector<int16_t> in = { 1000, 1256, 1128, 872, 32767, -32768 };
	std::vector<int8_t> want = { 0, 1, 1, -1, 124, -128 };
	Job job;
	aiot_isa_op_requantize op{};
	op.hdr.opcode = AIOT_ISA_OP_SENSOR_TO_INT8;
	op.input = tensor(1, job.put(1, in.data(), in.size() * 2), 1, 1, 6, 1,
			  AIOT_ISA_DTYPE_INT16);
	op.output = tensor(2, job.reserve(2, 6), 1, 1, 6, 1);
	op.input_zero_point = 1000;
	op.multiplier = kHalf;
	op.shift = -7;
	op.act = { -128, 127 };
	StreamBuilder sb;
	sb.add(op);
	ASSERT_EQ(job.run(sb.build()), 0);
	EXPECT_EQ(job.get<int8_t>(2, 0, 6), want);
}

TEST(IsaGolden, FullyConnected)
{
	// Input zero point -1, filter rows [3, -4] (bias 10) and [127, 127]
	// (bias 0), scale 0.5, output zero point 3:
	// row 0 ch 0: 2*3 + 3*-4 = -6 + 10 = 4 -> 2 -> 5.
	// row 1 ch 0: 128*3 + 128*-4 = -128 + 10 = -118 -> -59 -> -56.
	// row 1 ch 1: 128*127*2 = 32512 -> 16256 -> 127 (saturates).
	// row 2 ch 0: -127*3 + -127*-4 = 127 + 10 = 137 -> 68.5 -> 69 -> 72.
	// row 2 ch 1: -127*127*2 = -32258 -> -16129 -> -128 (saturates).
	std::vector<int8_t> in = { 1, 2, 127, 127, -128, -128 };
	std::vector<int8_t> f = { 3, -4, 127, 127 };
	Job job;
	aiot_isa_op_fully_connected op{};
	op.hdr.opcode = AIOT_ISA_OP_FULLY_CONNECTED;
	op.filter = tensor(0, job.put(0, f.data(), 4), 2, 1, 1, 2);
	ref::Quant q{ { 10, 0 }, { kHalf, kHalf }, { 0, 0 } };
	op.quant.offset = put_quant(job, 0, q);
	op.input = tensor(1, job.put(1, in.data(), 6), 3, 1, 1, 2);
	op.output = tensor(2, job.reserve(2, 6), 3, 1, 1, 2);
	op.input_zero_point = -1;
	op.output_zero_point = 3;
	op.act = { -128, 127 };
	StreamBuilder sb;
	sb.add(op);
	ASSERT_EQ(job.run(sb.build()), 0);
	auto out = job.get<int8_t>(2, 0, 6);
	EXPECT_EQ(out[0], 5);
	EXPECT_EQ(out[2], -56);
	EXPECT_EQ(out[3], 127);
	EXPECT_EQ(out[4], 72);
	EXPECT_EQ(out[5], -128);
	// Output channel 1 (filter row 1, bias 0) on row 0: (2*127 + 3*127)
	// = 635 -> 317.5 -> 318 (srdhm rounds up) -> + 3 = 321 -> 127.
	EXPECT_EQ(out[1], 127);
}

TEST(IsaGolden, Conv2dPaddingSkipsTaps)
{
	// 2x2 input [[1,2],[3,4]] (zero point 1 -> [[0,1],[2,3]]), 2x2 filter
	// of ones, pad top/left 1, identity scale (0.5, shift 1):
	// out(0,0) = x(0,0) = 0; out(0,1) = 0+1 = 1; out(1,0) = 0+2 = 2;
	// out(1,1) = 6.
	std::vector<int8_t> in = { 1, 2, 3, 4 }, f = { 1, 1, 1, 1 };
	Job job;
	aiot_isa_op_conv op{};
	op.hdr.opcode = AIOT_ISA_OP_CONV_2D;
	op.filter = tensor(0, job.put(0, f.data(), 4), 1, 2, 2, 1);
	op.quant.offset = put_quant(job, 0, ref::Quant{ { 0 }, { kHalf }, { 1 } });
	op.input = tensor(1, job.put(1, in.data(), 4), 1, 2, 2, 1);
	op.output = tensor(2, job.reserve(2, 4), 1, 2, 2, 1);
	op.input_zero_point = 1;
	op.act = { -128, 127 };
	op.stride_h = op.stride_w = op.dilation_h = op.dilation_w = 1;
	op.pad_top = op.pad_left = 1;
	StreamBuilder sb;
	sb.add(op);
	ASSERT_EQ(job.run(sb.build()), 0);
	EXPECT_EQ(job.get<int8_t>(2, 0, 4), (std::vector<int8_t>{ 0, 1, 2, 6 }));
}

TEST(IsaGolden, DepthwiseMultiplier)
{
	// Input channels [10, -10], depth multiplier 2, 1x1 filter
	// [1, 2, 3, -1]: outputs 10*1, 10*2, -10*3, -10*-1 with bias
	// [0, 0, 0, 5] -> [10, 20, -30, 15].
	std::vector<int8_t> in = { 10, -10 }, f = { 1, 2, 3, -1 };
	Job job;
	aiot_isa_op_conv op{};
	op.hdr.opcode = AIOT_ISA_OP_DEPTHWISE_CONV_2D;
	op.filter = tensor(0, job.put(0, f.data(), 4), 1, 1, 1, 4);
	op.quant.offset = put_quant(job, 0, ref::Quant{ { 0, 0, 0, 5 },
		{ kHalf, kHalf, kHalf, kHalf }, { 1, 1, 1, 1 } });
	op.input = tensor(1, job.put(1, in.data(), 2), 1, 1, 1, 2);
	op.output = tensor(2, job.reserve(2, 4), 1, 1, 1, 4);
	op.act = { -128, 127 };
	op.stride_h = op.stride_w = op.dilation_h = op.dilation_w = 1;
	op.depth_multiplier = 2;
	StreamBuilder sb;
	sb.add(op);
	ASSERT_EQ(job.run(sb.build()), 0);
	EXPECT_EQ(job.get<int8_t>(2, 0, 4),
		  (std::vector<int8_t>{ 10, 20, -30, 15 }));
}

std::vector<int8_t> pool(uint16_t opcode, const std::vector<int8_t> &in,
			 uint32_t h, uint32_t oh, uint16_t fh, uint16_t pad,
			 aiot_isa_activation act = { -128, 127 })
{
	Job job;
	aiot_isa_op_pool op{};
	op.hdr.opcode = opcode;
	uint32_t c = uint32_t(in.size()) / h;
	op.input = tensor(1, job.put(1, in.data(), in.size()), 1, h, 1, c);
	op.output = tensor(2, job.reserve(2, oh * c), 1, oh, 1, c);
	op.act = act;
	op.filter_h = fh;
	op.filter_w = 1;
	op.stride_h = fh;
	op.stride_w = 1;
	op.pad_top = pad;
	StreamBuilder sb;
	sb.add(op);
	EXPECT_EQ(job.run(sb.build()), 0);
	return job.get<int8_t>(2, 0, oh * c);
}

TEST(IsaGolden, AveragePoolRounding)
{
	// Columns are channels; 2-row windows. (1+2)/2 = 1.5 -> 2;
	// (-1-2)/2 -> -2; (1-2)/2 = -0.5 -> -1; (2-1)/2 = 0.5 -> 1;
	// (127+127)/2 = 127; (-128-128)/2 = -128.
	std::vector<int8_t> in = { 1, -1, 1, 2, 127, -128,
				   2, -2, -2, -1, 127, -128 };
	EXPECT_EQ(pool(AIOT_ISA_OP_AVERAGE_POOL_2D, in, 2, 1, 2, 0),
		  (std::vector<int8_t>{ 2, -2, -1, 1, 127, -128 }));
	// Padding is not counted: a 3-row window with pad 1 over rows [4, 6]
	// averages 2 values: 5, not 10/3.
	EXPECT_EQ(pool(AIOT_ISA_OP_AVERAGE_POOL_2D, { 4, 6 }, 2, 1, 3, 1),
		  (std::vector<int8_t>{ 5 }));
}

TEST(IsaGolden, MaxPoolAndClamp)
{
	std::vector<int8_t> in = { -128, 3, -128, 7 };
	EXPECT_EQ(pool(AIOT_ISA_OP_MAX_POOL_2D, in, 2, 1, 2, 0),
		  (std::vector<int8_t>{ -128, 7 }));
	EXPECT_EQ(pool(AIOT_ISA_OP_MAX_POOL_2D, in, 2, 1, 2, 0, { -100, 5 }),
		  (std::vector<int8_t>{ -100, 5 }));
}

std::vector<int8_t> add(const std::vector<int8_t> &a,
			const std::vector<int8_t> &b, int out_shift)
{
	Job job;
	aiot_isa_op_add op{};
	op.hdr.opcode = AIOT_ISA_OP_ADD;
	uint32_t n = uint32_t(a.size());
	op.input1 = tensor(1, job.put(1, a.data(), n), 1, 1, 1, n);
	op.input2 = tensor(1, job.put(1, b.data(), n), 1, 1, 1, n);
	op.output = tensor(2, job.reserve(2, n), 1, 1, 1, n);
	op.left_shift = 20;
	op.input1_multiplier = op.input2_multiplier = kHalf;
	op.output_multiplier = kHalf;
	op.output_shift = out_shift;
	op.act = { -128, 127 };
	StreamBuilder sb;
	sb.add(op);
	EXPECT_EQ(job.run(sb.build()), 0);
	return job.get<int8_t>(2, 0, n);
}

TEST(IsaGolden, AddScalesRoundsAndSaturates)
{
	// Inputs x * 2^20 * 0.5 each; output * 0.5 * 2^-18 gives a + b.
	EXPECT_EQ(add({ 3, 100, -100, 1 }, { 5, 100, -100, 0 }, -18),
		  (std::vector<int8_t>{ 8, 127, -128, 1 }));
	// With 2^-19 the sum is halved: 0.5 -> 1, -0.5 -> -1, 1.5 -> 2.
	EXPECT_EQ(add({ 1, -1, 3 }, { 0, 0, 0 }, -19),
		  (std::vector<int8_t>{ 1, -1, 2 }));
}

std::vector<int8_t> softmax(const std::vector<int8_t> &in, int diff_min)
{
	Job job;
	aiot_isa_op_softmax op{};
	op.hdr.opcode = AIOT_ISA_OP_SOFTMAX;
	uint32_t n = uint32_t(in.size());
	op.input = tensor(1, job.put(1, in.data(), n), 1, 1, 1, n);
	op.output = tensor(2, job.reserve(2, n), 1, 1, 1, n);
	// beta * scale = 1/16: 2^26 / 16 = 2^22 = 0.5 * 2^23.
	op.input_multiplier = kHalf;
	op.input_left_shift = 23;
	op.diff_min = diff_min;
	StreamBuilder sb;
	sb.add(op);
	EXPECT_EQ(job.run(sb.build()), 0);
	return job.get<int8_t>(2, 0, n);
}

TEST(IsaGolden, SoftmaxUniformAndExcluded)
{
	// Equal logits: probability 1/n, output 256/n - 128.
	EXPECT_EQ(softmax({ 9, 9 }, -1000), (std::vector<int8_t>{ 0, 0 }));
	EXPECT_EQ(softmax({ -5, -5, -5, -5 }, -1000),
		  (std::vector<int8_t>{ -64, -64, -64, -64 }));
	// A single class has probability 1: 256 - 128 saturates at 127.
	EXPECT_EQ(softmax({ -128 }, -1000), (std::vector<int8_t>{ 127 }));
	// A difference below diff_min is probability 0 (-128) and the rest
	// shares everything.
	EXPECT_EQ(softmax({ 127, -128 }, -100),
		  (std::vector<int8_t>{ 127, -128 }));
	// Difference 16 at scale 1/16 is exp(-1): p = 1/(1+e^-1) = 0.731 ->
	// 187.1 -> 59, and 0.269 -> 68.9 -> -59.
	EXPECT_EQ(softmax({ 20, 4 }, -1000), (std::vector<int8_t>{ 59, -59 }));
}

} // namespace
