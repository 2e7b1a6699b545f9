// SPDX-License-Identifier: GPL-2.0-only OR MIT
//
// ISA 1.6's int16x8 operations (CONV_2D_S16, DEPTHWISE_CONV_2D_S16,
// FULLY_CONNECTED_S16, ADD_S16) on generated cases, run by the kernel/isa
// executor and compared bit for bit with an independent transcription of
// TensorFlow Lite Micro's int16 reference kernels (64-bit accumulator,
// int64 bias, the int64 MultiplyByQuantizedMultiplier); plus the
// validator's rules for them.

#include <gtest/gtest.h>

#include "isa_s16_ref.h"

using namespace isa_test;

namespace {

constexpr int kCases = 80;

int rnd(std::mt19937 &rng, int lo, int hi)
{
	return std::uniform_int_distribution<int>(lo, hi)(rng);
}


// ------------------------------------------------------------ generators

std::vector<int16_t> random_i16(std::mt19937 &rng, size_t n, bool extremes)
{
	std::vector<int16_t> v(n);
	for (auto &x : v) {
		int pick = rnd(rng, 0, 9);
		if (extremes && pick == 0)
			x = INT16_MIN;
		else if (extremes && pick == 1)
			x = INT16_MAX;
		else
			x = int16_t(rnd(rng, INT16_MIN, INT16_MAX));
	}
	return v;
}

std::vector<int8_t> random_w8(std::mt19937 &rng, size_t n)
{
	std::vector<int8_t> v(n);
	for (auto &x : v)
		x = int8_t(rnd(rng, -127, 127));
	return v;
}

// Per-channel scales that put a typical output (the accumulator's spread
// is about sqrt(taps) * 1.4e6) near +-8000; 1 in 5 layers has scales 64
// times bigger, whose outputs mostly saturate at the int16 limits. Biases
// are of the accumulator's size, or 0, or up to 2^43 (saturating). All
// stay inside TFLite's domain (|acc| < 2^47, scaled value in int32).
ref16::Quant64 random_quant64(std::mt19937 &rng, int channels, int taps)
{
	ref16::Quant64 q;
	bool saturate = rnd(rng, 0, 4) == 0;
	double root = std::sqrt(double(taps));
	double base = 0.005 / root;
	int bias_range = int(std::min(root * (1 << 21), double(1 << 30)));
	std::uniform_real_distribution<double> s(0.25, 2.0);
	for (int c = 0; c < channels; ++c) {
		int32_t m;
		int sh;
		double d = base * s(rng) * (saturate ? 64 : 1);

		ref::QuantizeMultiplier(d, &m, &sh);
		q.mult.push_back(m);
		q.shift.push_back(sh);
		switch (rnd(rng, 0, 5)) {
		case 0: // far beyond any accumulator: the output saturates,
			// the scaled value (+-1e9) still fits in int32
			q.bias.push_back((rnd(rng, 0, 1) ? 1 : -1) *
					 int64_t(1e9 / d));
			break;
		case 1:
			q.bias.push_back(0);
			break;
		default:
			q.bias.push_back(rnd(rng, -bias_range, bias_range));
			break;
		}
	}
	return q;
}

aiot_isa_activation random_act16(std::mt19937 &rng)
{
	switch (rnd(rng, 0, 3)) {
	case 0:
		return { INT16_MIN, INT16_MAX };
	case 1:
		return { 0, INT16_MAX };	// RELU (zero point 0)
	case 2:
		return { -4096, 4096 };		// RELU_N1_TO_1 at scale 2^-12
	default:
		return { 0, 6 * 1024 };		// RELU6 at scale 2^-10
	}
}

// Appends at an 8-byte aligned offset (the int64 records need it).
uint32_t put8(Job &job, unsigned int b, const void *p, size_t n)
{
	while (job.buf[b].size() % 8)
		job.buf[b].push_back(0);
	return job.put(b, p, n);
}

uint32_t put_quant64(Job &job, unsigned int b, const ref16::Quant64 &q)
{
	std::vector<aiot_isa_channel_quant64> v(q.bias.size());
	for (size_t i = 0; i < v.size(); ++i)
		v[i] = { q.bias[i], q.mult[i], q.shift[i] };
	return put8(job, b, v.data(), v.size() * sizeof(v[0]));
}

// -------------------------------------------------------------- FC

struct FcCase {
	Job job;
	aiot_isa_op_fully_connected op{};
	std::vector<int16_t> want;
};

void make_fc(std::mt19937 &rng, FcCase &fc, bool with_filter_zp)
{
	int B = rnd(rng, 1, 3), D = rnd(rng, 1, 64), O = rnd(rng, 1, 12);
	int f_zp = with_filter_zp ? rnd(rng, -128, 127) : 0;
	auto act = random_act16(rng);
	auto in = random_i16(rng, size_t(B) * D, true);
	auto w = random_w8(rng, size_t(O) * D);
	auto q = random_quant64(rng, O, D);

	auto &op = fc.op;
	op.hdr.opcode = AIOT_ISA_OP_FULLY_CONNECTED_S16;
	op.filter = tensor(0, fc.job.put(0, w.data(), w.size()), O, 1, 1, D);
	op.quant.offset = put_quant64(fc.job, 0, q);
	op.input = tensor(1, fc.job.put(1, in.data(), in.size() * 2), B, 1, 1,
			  D, AIOT_ISA_DTYPE_INT16);
	op.output = tensor(2, fc.job.reserve(2, size_t(B) * O * 2), B, 1, 1, O,
			   AIOT_ISA_DTYPE_INT16);
	op.filter_zero_point = f_zp;
	op.act = act;
	fc.want = ref16::FullyConnected(in, w, q, B, D, O, f_zp, act.min,
					act.max);
}

template <typename Op> std::vector<uint8_t> one_op_stream(const Op *op, size_t size)
{
	StreamBuilder sb;
	EXPECT_EQ(size, sizeof(Op));
	sb.add(*op);
	return sb.build();
}

TEST(IsaS16, FullyConnectedMatchesReference)
{
	std::mt19937 rng(1601);
	for (int i = 0; i < kCases; ++i) {
		FcCase fc;
		make_fc(rng, fc, i % 4 == 3);
		auto s = one_op_stream(&fc.op, sizeof(fc.op));
		ASSERT_EQ(fc.job.validate(s), 0) << "case " << i;
		ASSERT_EQ(fc.job.run(s), 0);
		EXPECT_EQ(fc.job.get<int16_t>(2, fc.op.output.offset,
					      fc.want.size()), fc.want)
			<< "case " << i;
	}
}

// ------------------------------------------------------------ convs

struct ConvCase {
	Job job;
	aiot_isa_op_conv op{};
	std::vector<int16_t> want;
};

void make_conv(std::mt19937 &rng, ConvCase &cc, bool depthwise)
{
	ref::ConvGeom g{};
	g.N = rnd(rng, 1, 2);
	g.H = rnd(rng, 1, 9);
	g.W = rnd(rng, 1, 9);
	g.Cin = rnd(rng, 1, depthwise ? 6 : 5);
	g.KH = rnd(rng, 1, 3);
	g.KW = rnd(rng, 1, 3);
	g.sh = rnd(rng, 1, 3);
	g.sw = rnd(rng, 1, 3);
	g.dh = rnd(rng, 1, 2);
	g.dw = rnd(rng, 1, 2);
	g.dm = depthwise ? rnd(rng, 1, 3) : 0;
	g.Cout = depthwise ? g.Cin * g.dm : rnd(rng, 1, 6);
	g.pt = rnd(rng, 0, (g.KH - 1) * g.dh);
	g.pl = rnd(rng, 0, (g.KW - 1) * g.dw);
	int eff_h = (g.KH - 1) * g.dh + 1, eff_w = (g.KW - 1) * g.dw + 1;
	g.OH = std::max(1, (g.H + 2 * g.pt - eff_h) / g.sh + 1);
	g.OW = std::max(1, (g.W + 2 * g.pl - eff_w) / g.sw + 1);
	auto act = random_act16(rng);
	auto in = random_i16(rng, size_t(g.N) * g.H * g.W * g.Cin, true);
	size_t fsize = depthwise ? size_t(g.KH) * g.KW * g.Cout :
				   size_t(g.Cout) * g.KH * g.KW * g.Cin;
	auto f = random_w8(rng, fsize);
	auto q = random_quant64(rng, g.Cout,
				g.KH * g.KW * (depthwise ? 1 : g.Cin));

	auto &op = cc.op;
	op.hdr.opcode = depthwise ? AIOT_ISA_OP_DEPTHWISE_CONV_2D_S16 :
				    AIOT_ISA_OP_CONV_2D_S16;
	uint32_t foff = cc.job.put(0, f.data(), f.size());
	op.filter = depthwise ? tensor(0, foff, 1, g.KH, g.KW, g.Cout) :
				tensor(0, foff, g.Cout, g.KH, g.KW, g.Cin);
	op.quant.offset = put_quant64(cc.job, 0, q);
	op.input = tensor(1, cc.job.put(1, in.data(), in.size() * 2), g.N, g.H,
			  g.W, g.Cin, AIOT_ISA_DTYPE_INT16);
	size_t on = size_t(g.N) * g.OH * g.OW * g.Cout;
	op.output = tensor(3, cc.job.reserve(3, on * 2), g.N, g.OH, g.OW,
			   g.Cout, AIOT_ISA_DTYPE_INT16);
	op.act = act;
	op.stride_h = uint16_t(g.sh);
	op.stride_w = uint16_t(g.sw);
	op.dilation_h = uint16_t(g.dh);
	op.dilation_w = uint16_t(g.dw);
	op.pad_top = uint16_t(g.pt);
	op.pad_left = uint16_t(g.pl);
	op.depth_multiplier = uint32_t(g.dm);
	cc.want = depthwise ? ref16::DepthwiseConv(in, f, q, g, act.min, act.max) :
			      ref16::Conv(in, f, q, g, act.min, act.max);
}

void conv_cases(bool depthwise, unsigned int seed)
{
	std::mt19937 rng(seed);
	size_t saturated = 0, total = 0;
	for (int i = 0; i < kCases; ++i) {
		ConvCase cc;
		make_conv(rng, cc, depthwise);
		auto s = one_op_stream(&cc.op, sizeof(cc.op));
		ASSERT_EQ(cc.job.validate(s), 0) << "case " << i;
		ASSERT_EQ(cc.job.run(s), 0);
		EXPECT_EQ(cc.job.get<int16_t>(3, cc.op.output.offset,
					      cc.want.size()), cc.want)
			<< "case " << i;
		for (int16_t v : cc.want)
			saturated += v == INT16_MIN || v == INT16_MAX;
		total += cc.want.size();
	}
	// The cases reach both int16 limits, not only the middle.
	EXPECT_GT(saturated, total / 50);
	EXPECT_LT(saturated, total / 2);
}

TEST(IsaS16, Conv2dMatchesReference)
{
	conv_cases(false, 1602);
}

TEST(IsaS16, DepthwiseConv2dMatchesReference)
{
	conv_cases(true, 1603);
}

// -------------------------------------------------------------- ADD

ref::AddParams add16_params(double s1, double s2, double so,
			    aiot_isa_activation act)
{
	ref::AddParams p{};
	p.left_shift = 15;
	double twice_max = 2.0 * std::max(s1, s2);
	ref::QuantizeMultiplier(s1 / twice_max, &p.m1, &p.s1);
	ref::QuantizeMultiplier(s2 / twice_max, &p.m2, &p.s2);
	ref::QuantizeMultiplier(twice_max / (double(1 << 15) * so), &p.mo,
				&p.so);
	p.amin = act.min;
	p.amax = act.max;
	return p;
}

struct AddCase {
	Job job;
	aiot_isa_op_add op{};
	std::vector<int16_t> want;
};

void make_add(std::mt19937 &rng, AddCase &ac)
{
	std::uniform_real_distribution<double> scale(1e-5, 1e-3);
	uint32_t od[4] = { uint32_t(rnd(rng, 1, 2)), uint32_t(rnd(rng, 1, 4)),
			   uint32_t(rnd(rng, 1, 4)), uint32_t(rnd(rng, 1, 5)) };
	uint32_t d1[4], d2[4];
	for (int k = 0; k < 4; ++k) {
		d1[k] = rnd(rng, 0, 3) ? od[k] : 1;
		d2[k] = rnd(rng, 0, 3) ? od[k] : 1;
	}
	auto act = random_act16(rng);
	auto p = add16_params(scale(rng), scale(rng), scale(rng), act);
	auto a = random_i16(rng, size_t(d1[0]) * d1[1] * d1[2] * d1[3], true);
	auto b = random_i16(rng, size_t(d2[0]) * d2[1] * d2[2] * d2[3], true);
	size_t on = size_t(od[0]) * od[1] * od[2] * od[3];

	auto &op = ac.op;
	op.hdr.opcode = AIOT_ISA_OP_ADD_S16;
	op.input1 = tensor(1, ac.job.put(1, a.data(), a.size() * 2), d1[0],
			   d1[1], d1[2], d1[3], AIOT_ISA_DTYPE_INT16);
	op.input2 = tensor(3, ac.job.put(3, b.data(), b.size() * 2), d2[0],
			   d2[1], d2[2], d2[3], AIOT_ISA_DTYPE_INT16);
	op.output = tensor(2, ac.job.reserve(2, on * 2), od[0], od[1], od[2],
			   od[3], AIOT_ISA_DTYPE_INT16);
	op.left_shift = p.left_shift;
	op.input1_multiplier = p.m1;
	op.input1_shift = p.s1;
	op.input2_multiplier = p.m2;
	op.input2_shift = p.s2;
	op.output_multiplier = p.mo;
	op.output_shift = p.so;
	op.act = act;
	ac.want.clear();
	for (uint32_t n = 0; n < od[0]; ++n)
	for (uint32_t y = 0; y < od[1]; ++y)
	for (uint32_t x = 0; x < od[2]; ++x)
	for (uint32_t c = 0; c < od[3]; ++c) {
		auto at = [&](const uint32_t *d) {
			return ((size_t(d[0] == 1 ? 0 : n) * d[1] +
				 (d[1] == 1 ? 0 : y)) * d[2] +
				(d[2] == 1 ? 0 : x)) * d[3] + (d[3] == 1 ? 0 : c);
		};
		ac.want.push_back(ref16::AddOne(p, a[at(d1)], b[at(d2)]));
	}
}

TEST(IsaS16, AddMatchesReferenceWithBroadcast)
{
	std::mt19937 rng(1604);
	for (int i = 0; i < kCases; ++i) {
		AddCase ac;
		make_add(rng, ac);
		auto s = one_op_stream(&ac.op, sizeof(ac.op));
		ASSERT_EQ(ac.job.validate(s), 0) << "case " << i;
		ASSERT_EQ(ac.job.run(s), 0);
		EXPECT_EQ(ac.job.get<int16_t>(2, ac.op.output.offset,
					      ac.want.size()), ac.want)
			<< "case " << i;
	}
}

TEST(IsaS16, AddInPlaceMatchesReference)
{
	std::mt19937 rng(1605);
	for (int i = 0; i < 20; ++i) {
		AddCase ac;
		make_add(rng, ac);
		auto &op = ac.op;
		if (std::memcmp(op.input1.dims, op.output.dims,
				sizeof(op.output.dims)))
			continue;
		op.output.binding = op.input1.binding;
		op.output.offset = op.input1.offset;
		auto s = one_op_stream(&op, sizeof(op));
		ASSERT_EQ(ac.job.validate(s), 0);
		ASSERT_EQ(ac.job.run(s), 0);
		EXPECT_EQ(ac.job.get<int16_t>(1, op.output.offset,
					      ac.want.size()), ac.want);
	}
}

// ------------------------------------------------------- edge cases

// A single-tap FC whose record and input decide the output exactly.
int16_t fc_one(int16_t x, int8_t w, int64_t bias, int32_t mult, int32_t shift,
	       aiot_isa_activation act = { INT16_MIN, INT16_MAX })
{
	Job job;
	aiot_isa_op_fully_connected op{};
	aiot_isa_channel_quant64 q = { bias, mult, shift };
	op.hdr.opcode = AIOT_ISA_OP_FULLY_CONNECTED_S16;
	op.filter = tensor(0, job.put(0, &w, 1), 1, 1, 1, 1);
	op.quant.offset = put8(job, 0, &q, sizeof(q));
	op.input = tensor(1, job.put(1, &x, 2), 1, 1, 1, 1,
			  AIOT_ISA_DTYPE_INT16);
	op.output = tensor(2, job.reserve(2, 2), 1, 1, 1, 1,
			   AIOT_ISA_DTYPE_INT16);
	op.act = act;
	auto s = one_op_stream(&op, sizeof(op));
	EXPECT_EQ(job.validate(s), 0);
	EXPECT_EQ(job.run(s), 0);
	return job.get<int16_t>(2, op.output.offset, 1)[0];
}

TEST(IsaS16, SaturatesAtInt16Limits)
{
	const int32_t half = 1 << 30;	// 0.5 in Q31
	// x * w * 0.5 * 2^shift, then clamp.
	EXPECT_EQ(fc_one(INT16_MAX, 127, 0, half, 0), INT16_MAX);
	EXPECT_EQ(fc_one(INT16_MIN, 127, 0, half, 0), INT16_MIN);
	EXPECT_EQ(fc_one(INT16_MIN, -128, 0, half, 0), INT16_MAX);
	EXPECT_EQ(fc_one(INT16_MIN, -128, 0, half, -7), 16384);
	EXPECT_EQ(fc_one(1000, 1, 0, half, 0), 500);
	// The activation clamp, not the type, bounds the result.
	EXPECT_EQ(fc_one(1000, 1, 0, half, 0, { 0, 100 }), 100);
	EXPECT_EQ(fc_one(-1000, 1, 0, half, 0, { 0, 100 }), 0);
	// Round half up (not away from zero): -1.5 -> -1, 1.5 -> 2.
	EXPECT_EQ(fc_one(-3, 1, 0, half, 0), -1);
	EXPECT_EQ(fc_one(3, 1, 0, half, 0), 2);
}

TEST(IsaS16, BiasExtremes)
{
	const int32_t one = INT32_MAX;	// ~1.0 in Q31, reduced to 0x7fff
	auto want = [](int64_t acc, int32_t m, int shift) {
		return ref16::Clamp16(ref16::MBQM64(acc, m, shift), INT16_MIN,
				      INT16_MAX);
	};
	// Inside TFLite's domain (|acc| < 2^47) the bias is exact.
	EXPECT_EQ(fc_one(0, 0, (int64_t(1) << 46), one, -31),
		  want(int64_t(1) << 46, one, -31));
	EXPECT_EQ(fc_one(0, 0, (int64_t(1) << 46), one, -31), 32767);
	EXPECT_EQ(fc_one(0, 0, -(int64_t(1) << 47), one, -31),
		  want(-(int64_t(1) << 47), one, -31));
	EXPECT_EQ(fc_one(0, 0, -(int64_t(1) << 44), one, -31), -8192);
	EXPECT_EQ(fc_one(5, 3, 7000, one, -1), want(7015, one, -1));
	EXPECT_EQ(fc_one(5, 3, 7000, one, -1), 3507);
	// Beyond it every bias is still defined: it saturates.
	EXPECT_EQ(fc_one(INT16_MAX, 127, INT64_MAX, one, 0), INT16_MAX);
	EXPECT_EQ(fc_one(INT16_MIN, 127, INT64_MIN, one, 0), INT16_MIN);
	// 2^47 - 1 times 0x7fff / 2^46 is 65534: saturated by the type.
	EXPECT_EQ(fc_one(0, 0, INT64_MAX, one, -31), INT16_MAX);
	EXPECT_EQ(fc_one(0, 0, INT64_MIN, one, 7), INT16_MIN);
	// Out-of-range records: negative multiplier is 0, shifts clamp.
	EXPECT_EQ(fc_one(1000, 1, 0, -5, 0), 0);
	EXPECT_EQ(fc_one(1, 1, 0, 1 << 30, 30), fc_one(1, 1, 0, 1 << 30, 7));
	EXPECT_EQ(fc_one(INT16_MAX, 127, 0, 1 << 30, -100), 0);
}

// ------------------------------------------------------- validator

class S16Reject : public ::testing::Test {
protected:
	void SetUp() override
	{
		std::mt19937 rng(1606);
		make_conv(rng, cc, false);
		make_fc(rng, fc, false);
		make_add(rng, ac);
	}
	int conv_rc(const aiot_isa_op_conv &op)
	{
		return cc.job.validate(one_op_stream(&op, sizeof(op)));
	}
	int fc_rc(const aiot_isa_op_fully_connected &op)
	{
		return fc.job.validate(one_op_stream(&op, sizeof(op)));
	}
	int add_rc(const aiot_isa_op_add &op)
	{
		return ac.job.validate(one_op_stream(&op, sizeof(op)));
	}
	ConvCase cc;
	FcCase fc;
	AddCase ac;
};

TEST_F(S16Reject, GoodCasesPass)
{
	EXPECT_EQ(conv_rc(cc.op), 0);
	EXPECT_EQ(fc_rc(fc.op), 0);
	EXPECT_EQ(add_rc(ac.op), 0);
}

TEST_F(S16Reject, ZeroPointsMustBeZero)
{
	auto c = cc.op;
	c.input_zero_point = 1;
	EXPECT_EQ(conv_rc(c), -EINVAL);
	c = cc.op;
	c.output_zero_point = -1;
	EXPECT_EQ(conv_rc(c), -EINVAL);
	auto f = fc.op;
	f.input_zero_point = 3;
	EXPECT_EQ(fc_rc(f), -EINVAL);
	f = fc.op;
	f.output_zero_point = 3;
	EXPECT_EQ(fc_rc(f), -EINVAL);
	f = fc.op;
	f.filter_zero_point = 128;
	EXPECT_EQ(fc_rc(f), -EINVAL);
	f.filter_zero_point = -128;
	EXPECT_EQ(fc_rc(f), 0);
	auto a = ac.op;
	a.input1_zero_point = 1;
	EXPECT_EQ(add_rc(a), -EINVAL);
	a = ac.op;
	a.input2_zero_point = 1;
	EXPECT_EQ(add_rc(a), -EINVAL);
	a = ac.op;
	a.output_zero_point = 1;
	EXPECT_EQ(add_rc(a), -EINVAL);
}

TEST_F(S16Reject, DtypesAreChecked)
{
	auto c = cc.op;
	c.input.dtype = AIOT_ISA_DTYPE_INT8;
	EXPECT_EQ(conv_rc(c), -EINVAL);
	c = cc.op;
	c.output.dtype = AIOT_ISA_DTYPE_INT8;
	EXPECT_EQ(conv_rc(c), -EINVAL);
	c = cc.op;
	c.filter.dtype = AIOT_ISA_DTYPE_INT16;
	EXPECT_NE(conv_rc(c), 0);
	auto f = fc.op;
	f.input.dtype = AIOT_ISA_DTYPE_INT32;
	EXPECT_NE(fc_rc(f), 0);
	auto a = ac.op;
	a.input2.dtype = AIOT_ISA_DTYPE_INT8;
	EXPECT_EQ(add_rc(a), -EINVAL);
	// The int8 opcodes keep refusing int16 activations.
	c = cc.op;
	c.hdr.opcode = AIOT_ISA_OP_CONV_2D;
	EXPECT_EQ(conv_rc(c), -EINVAL);
	a = ac.op;
	a.hdr.opcode = AIOT_ISA_OP_ADD;
	EXPECT_EQ(add_rc(a), -EINVAL);
}

TEST_F(S16Reject, RecordsInsideTheirBufferAndAligned)
{
	auto c = cc.op;
	c.quant.offset += 4;
	EXPECT_EQ(conv_rc(c), -EINVAL);
	c = cc.op;
	c.quant.offset = uint32_t(cc.job.buf[0].size() - 8);
	c.quant.offset -= c.quant.offset % 8;
	EXPECT_EQ(conv_rc(c), -ENOSPC);
	c = cc.op;
	c.quant.reserved[1] = 1;
	EXPECT_EQ(conv_rc(c), -EINVAL);
	auto f = fc.op;
	f.quant.binding = 9;
	EXPECT_EQ(fc_rc(f), -EINVAL);
	f = fc.op;
	f.output.offset = uint32_t(fc.job.buf[2].size());
	EXPECT_EQ(fc_rc(f), -ENOSPC);
	f = fc.op;
	f.input.offset += 1;	// not a multiple of the element size
	EXPECT_EQ(fc_rc(f), -EINVAL);
	f = fc.op;
	f.reserved = 1;
	EXPECT_EQ(fc_rc(f), -EINVAL);
}

TEST_F(S16Reject, ShapesAndParameters)
{
	auto c = cc.op;
	c.filter.dims[3] += 1;
	EXPECT_NE(conv_rc(c), 0);
	c = cc.op;
	c.depth_multiplier = 1;
	EXPECT_EQ(conv_rc(c), -EINVAL);
	c = cc.op;
	c.stride_w = 0;
	EXPECT_EQ(conv_rc(c), -EINVAL);
	c = cc.op;
	c.pad_top = uint16_t((c.filter.dims[1] - 1) * c.dilation_h + 1);
	EXPECT_EQ(conv_rc(c), -EINVAL);
	c = cc.op;
	c.act = { -1, INT16_MAX + 1 };
	EXPECT_EQ(conv_rc(c), -EINVAL);
	c.act = { 5, 4 };
	EXPECT_EQ(conv_rc(c), -EINVAL);
	c.act = { INT16_MIN, INT16_MAX };
	EXPECT_EQ(conv_rc(c), 0);
	auto a = ac.op;
	a.left_shift = 16;	// int16 << 16 no longer fits int32
	EXPECT_EQ(add_rc(a), -EINVAL);
	a.left_shift = 0;
	EXPECT_EQ(add_rc(a), 0);
	a = ac.op;
	a.output_shift = 31;
	EXPECT_EQ(add_rc(a), -EINVAL);
	a = ac.op;
	a.input1_multiplier = -1;
	EXPECT_EQ(add_rc(a), -EINVAL);
	a = ac.op;
	a.input1.dims[3] = a.output.dims[3] + 1;
	EXPECT_NE(add_rc(a), 0);
}

TEST_F(S16Reject, OutputMayNotOverlapInputs)
{
	auto c = cc.op;
	c.output.binding = c.input.binding;
	c.output.offset = c.input.offset;
	// Resized so that it fits the input's buffer, then refused as alias.
	c.output.dims[0] = c.output.dims[1] = c.output.dims[2] = 1;
	c.output.dims[3] = c.filter.dims[0];
	EXPECT_NE(conv_rc(c), 0);
}

TEST_F(S16Reject, NeedsIsa16)
{
	for (int old = 0; old <= 5; ++old) {
		auto s = one_op_stream(&cc.op, sizeof(cc.op));
		aiot_isa_header h;
		std::memcpy(&h, s.data(), sizeof(h));
		h.version = AIOT_ISA_VERSION(1, old);
		std::memcpy(s.data(), &h, sizeof(h));
		EXPECT_EQ(cc.job.validate(s), -EOPNOTSUPP) << "1." << old;
	}
	// The opcodes after the last one (ISA 1.9's 54) are unassigned.
	for (unsigned int opcode = AIOT_ISA_NUM_OPCODES; opcode < 64;
	     ++opcode) {
		auto c = cc.op;
		c.hdr.opcode = uint16_t(opcode);
		EXPECT_EQ(conv_rc(c), -EOPNOTSUPP) << opcode;
	}
}

TEST_F(S16Reject, SummaryCountsWork)
{
	aiot_isa_summary sum{};
	ASSERT_EQ(cc.job.validate(one_op_stream(&cc.op, sizeof(cc.op)), &sum),
		  0);
	const uint32_t *od = cc.op.output.dims, *f = cc.op.filter.dims;
	EXPECT_EQ(sum.work, uint64_t(od[0]) * od[1] * od[2] * od[3] * f[1] *
				    f[2] * f[3]);
	EXPECT_EQ(sum.isa_minor, uint32_t(AIOT_ISA_VERSION_MINOR));
	EXPECT_EQ(sum.op_mask, 1ull << AIOT_ISA_OP_CONV_2D_S16);
}

// Each operation's output feeds the next: FC -> ADD of two FC outputs.
TEST(IsaS16, ChainedStream)
{
	std::mt19937 rng(1607);
	FcCase fc;
	make_fc(rng, fc, false);
	auto &op = fc.op;
	uint32_t outs = op.output.dims[3], batches = op.output.dims[0];
	aiot_isa_op_add add{};
	add.hdr.opcode = AIOT_ISA_OP_ADD_S16;
	add.input1 = op.output;
	add.input2 = op.output;
	add.output = tensor(3, fc.job.reserve(3, size_t(batches) * outs * 2),
			    batches, 1, 1, outs, AIOT_ISA_DTYPE_INT16);
	auto p = add16_params(1e-4, 1e-4, 2e-4, { INT16_MIN, INT16_MAX });
	add.left_shift = 15;
	add.input1_multiplier = p.m1;
	add.input1_shift = p.s1;
	add.input2_multiplier = p.m2;
	add.input2_shift = p.s2;
	add.output_multiplier = p.mo;
	add.output_shift = p.so;
	add.act = { INT16_MIN, INT16_MAX };
	StreamBuilder sb;
	sb.add(op);
	sb.add(add);
	auto s = sb.build();
	ASSERT_EQ(fc.job.validate(s), 0);
	ASSERT_EQ(fc.job.run(s), 0);
	std::vector<int16_t> want;
	for (int16_t v : fc.want)
		want.push_back(ref16::AddOne(p, v, v));
	EXPECT_EQ(fc.job.get<int16_t>(3, add.output.offset, want.size()), want);
}

} // namespace
