// SPDX-License-Identifier: GPL-2.0-only OR MIT
//
// Every aiot ISA operation on generated cases, run by the kernel/isa
// executor and compared bit for bit with the independent TFLite int8
// reference in isa_test_util.h.

#include <gtest/gtest.h>

#include "isa_test_util.h"

using namespace isa_test;

namespace {

constexpr int kCases = 60;

aiot_isa_activation random_act(std::mt19937 &rng)
{
	std::uniform_int_distribution<int> pick(0, 3);
	switch (pick(rng)) {
	case 0:
		return { -128, 127 };
	case 1:
		return { -20, 127 };	// RELU with zero point -20
	case 2:
		return { -20, 40 };	// RELU6-like
	default:
		return { -128, -128 };	// degenerate but legal
	}
}

int rnd(std::mt19937 &rng, int lo, int hi)
{
	return std::uniform_int_distribution<int>(lo, hi)(rng);
}

TEST(IsaOps, FullyConnectedMatchesReference)
{
	std::mt19937 rng(1);
	for (int i = 0; i < kCases; ++i) {
		int B = rnd(rng, 1, 3), D = rnd(rng, 1, 40), O = rnd(rng, 1, 12);
		int in_zp = rnd(rng, -128, 127), f_zp = rnd(rng, -3, 3);
		int out_zp = rnd(rng, -128, 127);
		auto act = random_act(rng);
		auto in = random_i8(rng, size_t(B) * D);
		auto f = random_i8(rng, size_t(O) * D);
		auto q = random_quant(rng, O);

		Job job;
		aiot_isa_op_fully_connected op{};
		op.hdr.opcode = AIOT_ISA_OP_FULLY_CONNECTED;
		op.filter = tensor(0, job.put(0, f.data(), f.size()), O, 1, 1, D);
		op.quant.binding = 0;
		op.quant.offset = put_quant(job, 0, q);
		op.input = tensor(1, job.put(1, in.data(), in.size()), B, 1, 1, D);
		op.output = tensor(2, job.reserve(2, size_t(B) * O), B, 1, 1, O);
		op.input_zero_point = in_zp;
		op.filter_zero_point = f_zp;
		op.output_zero_point = out_zp;
		op.act = act;
		StreamBuilder sb;
		sb.add(op);
		auto s = sb.build();
		ASSERT_EQ(job.validate(s), 0);
		ASSERT_EQ(job.run(s), 0);
		auto want = ref::FullyConnected(in, f, q, B, D, O, in_zp, f_zp,
						out_zp, act.min, act.max);
		EXPECT_EQ(job.get<int8_t>(2, op.output.offset, want.size()), want)
			<< "case " << i;
	}
}

void conv_case(std::mt19937 &rng, bool depthwise, int i)
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
	// Output extent as TFLite would compute for this padding, at least 1.
	int eff_h = (g.KH - 1) * g.dh + 1, eff_w = (g.KW - 1) * g.dw + 1;
	g.OH = std::max(1, (g.H + 2 * g.pt - eff_h) / g.sh + 1);
	g.OW = std::max(1, (g.W + 2 * g.pl - eff_w) / g.sw + 1);
	int in_zp = rnd(rng, -128, 127), out_zp = rnd(rng, -128, 127);
	auto act = random_act(rng);
	auto in = random_i8(rng, size_t(g.N) * g.H * g.W * g.Cin);
	size_t fsize = depthwise ? size_t(g.KH) * g.KW * g.Cout :
				   size_t(g.Cout) * g.KH * g.KW * g.Cin;
	auto f = random_i8(rng, fsize);
	auto q = random_quant(rng, g.Cout);

	Job job;
	aiot_isa_op_conv op{};
	op.hdr.opcode = depthwise ? AIOT_ISA_OP_DEPTHWISE_CONV_2D :
				    AIOT_ISA_OP_CONV_2D;
	uint32_t foff = job.put(0, f.data(), f.size());
	op.filter = depthwise ? tensor(0, foff, 1, g.KH, g.KW, g.Cout) :
				tensor(0, foff, g.Cout, g.KH, g.KW, g.Cin);
	op.quant.offset = put_quant(job, 0, q);
	op.input = tensor(1, job.put(1, in.data(), in.size()), g.N, g.H, g.W,
			  g.Cin);
	size_t osize = size_t(g.N) * g.OH * g.OW * g.Cout;
	op.output = tensor(3, job.reserve(3, osize), g.N, g.OH, g.OW, g.Cout);
	op.input_zero_point = in_zp;
	op.output_zero_point = out_zp;
	op.act = act;
	op.stride_h = uint16_t(g.sh);
	op.stride_w = uint16_t(g.sw);
	op.dilation_h = uint16_t(g.dh);
	op.dilation_w = uint16_t(g.dw);
	op.pad_top = uint16_t(g.pt);
	op.pad_left = uint16_t(g.pl);
	op.depth_multiplier = uint32_t(g.dm);
	StreamBuilder sb;
	sb.add(op);
	auto s = sb.build();
	ASSERT_EQ(job.validate(s), 0) << "case " << i;
	ASSERT_EQ(job.run(s), 0);
	auto want = depthwise ?
		ref::DepthwiseConv(in, f, q, g, in_zp, out_zp, act.min, act.max) :
		ref::Conv(in, f, q, g, in_zp, out_zp, act.min, act.max);
	EXPECT_EQ(job.get<int8_t>(3, op.output.offset, osize), want)
		<< "case " << i;
}

TEST(IsaOps, Conv2dMatchesReference)
{
	std::mt19937 rng(2);
	for (int i = 0; i < kCases; ++i)
		conv_case(rng, false, i);
}

TEST(IsaOps, DepthwiseConv2dMatchesReference)
{
	std::mt19937 rng(3);
	for (int i = 0; i < kCases; ++i)
		conv_case(rng, true, i);
}

void pool_case(std::mt19937 &rng, bool average, int i)
{
	int N = rnd(rng, 1, 2), H = rnd(rng, 1, 10), W = rnd(rng, 1, 10);
	int C = rnd(rng, 1, 4), fh = rnd(rng, 1, 4), fw = rnd(rng, 1, 4);
	int sh = rnd(rng, 1, 3), sw = rnd(rng, 1, 3);
	int pt = rnd(rng, 0, fh - 1), pl = rnd(rng, 0, fw - 1);
	// Largest output whose last window still overlaps the input.
	int OH = (H - 1 + pt) / sh + 1, OW = (W - 1 + pl) / sw + 1;
	OH = rnd(rng, 1, OH);
	OW = rnd(rng, 1, OW);
	auto act = random_act(rng);
	auto in = random_i8(rng, size_t(N) * H * W * C);

	Job job;
	aiot_isa_op_pool op{};
	op.hdr.opcode = average ? AIOT_ISA_OP_AVERAGE_POOL_2D :
				  AIOT_ISA_OP_MAX_POOL_2D;
	op.input = tensor(1, job.put(1, in.data(), in.size()), N, H, W, C);
	size_t osize = size_t(N) * OH * OW * C;
	op.output = tensor(2, job.reserve(2, osize), N, OH, OW, C);
	op.act = act;
	op.filter_h = uint16_t(fh);
	op.filter_w = uint16_t(fw);
	op.stride_h = uint16_t(sh);
	op.stride_w = uint16_t(sw);
	op.pad_top = uint16_t(pt);
	op.pad_left = uint16_t(pl);
	StreamBuilder sb;
	sb.add(op);
	auto s = sb.build();
	ASSERT_EQ(job.validate(s), 0) << "case " << i;
	ASSERT_EQ(job.run(s), 0);
	auto want = ref::Pool(average, in, N, H, W, C, OH, OW, fh, fw, sh, sw,
			      pt, pl, act.min, act.max);
	EXPECT_EQ(job.get<int8_t>(2, op.output.offset, osize), want)
		<< "case " << i;
}

TEST(IsaOps, AveragePoolMatchesReference)
{
	std::mt19937 rng(4);
	for (int i = 0; i < kCases; ++i)
		pool_case(rng, true, i);
}

TEST(IsaOps, MaxPoolMatchesReference)
{
	std::mt19937 rng(5);
	for (int i = 0; i < kCases; ++i)
		pool_case(rng, false, i);
}

// TFLite's int8 ADD preparation: twice the larger input scale, 20 bits.
ref::AddParams add_params(double s1, double s2, double so, int zp1, int zp2,
			  int zpo, aiot_isa_activation act)
{
	ref::AddParams p{};
	p.zp1 = zp1;
	p.zp2 = zp2;
	p.zpo = zpo;
	p.left_shift = 20;
	const double twice_max = 2 * std::max(s1, s2);
	ref::QuantizeMultiplier(s1 / twice_max, &p.m1, &p.s1);
	ref::QuantizeMultiplier(s2 / twice_max, &p.m2, &p.s2);
	ref::QuantizeMultiplier(twice_max / ((1 << 20) * so), &p.mo, &p.so);
	p.amin = act.min;
	p.amax = act.max;
	return p;
}

TEST(IsaOps, AddMatchesReferenceWithBroadcast)
{
	std::mt19937 rng(6);
	std::uniform_real_distribution<double> scale(0.01, 0.2);
	for (int i = 0; i < kCases; ++i) {
		uint32_t od[4] = { uint32_t(rnd(rng, 1, 2)), uint32_t(rnd(rng, 1, 4)),
				   uint32_t(rnd(rng, 1, 4)), uint32_t(rnd(rng, 1, 5)) };
		uint32_t d1[4], d2[4];
		for (int k = 0; k < 4; ++k) {
			d1[k] = rnd(rng, 0, 3) ? od[k] : 1;
			d2[k] = rnd(rng, 0, 3) ? od[k] : 1;
		}
		auto act = random_act(rng);
		auto p = add_params(scale(rng), scale(rng), scale(rng),
				    rnd(rng, -128, 127), rnd(rng, -128, 127),
				    rnd(rng, -128, 127), act);
		auto a = random_i8(rng, size_t(d1[0]) * d1[1] * d1[2] * d1[3]);
		auto b = random_i8(rng, size_t(d2[0]) * d2[1] * d2[2] * d2[3]);

		Job job;
		aiot_isa_op_add op{};
		op.hdr.opcode = AIOT_ISA_OP_ADD;
		op.input1 = tensor(1, job.put(1, a.data(), a.size()), d1[0],
				   d1[1], d1[2], d1[3]);
		op.input2 = tensor(3, job.put(3, b.data(), b.size()), d2[0],
				   d2[1], d2[2], d2[3]);
		size_t on = size_t(od[0]) * od[1] * od[2] * od[3];
		op.output = tensor(2, job.reserve(2, on), od[0], od[1], od[2],
				   od[3]);
		op.input1_zero_point = p.zp1;
		op.input2_zero_point = p.zp2;
		op.output_zero_point = p.zpo;
		op.left_shift = p.left_shift;
		op.input1_multiplier = p.m1;
		op.input1_shift = p.s1;
		op.input2_multiplier = p.m2;
		op.input2_shift = p.s2;
		op.output_multiplier = p.mo;
		op.output_shift = p.so;
		op.act = act;
		StreamBuilder sb;
		sb.add(op);
		auto s = sb.build();
		ASSERT_EQ(job.validate(s), 0) << "case " << i;
		ASSERT_EQ(job.run(s), 0);
		std::vector<int8_t> want(on);
		size_t idx = 0;
		for (uint32_t n = 0; n < od[0]; ++n)
			for (uint32_t y = 0; y < od[1]; ++y)
				for (uint32_t x = 0; x < od[2]; ++x)
					for (uint32_t c = 0; c < od[3]; ++c) {
						auto at = [&](const uint32_t *d) {
							return (((size_t(d[0] == 1 ? 0 : n) * d[1] +
								  (d[1] == 1 ? 0 : y)) * d[2] +
								 (d[2] == 1 ? 0 : x)) * d[3] +
								(d[3] == 1 ? 0 : c));
						};
						want[idx++] = ref::AddOne(p, a[at(d1)], b[at(d2)]);
					}
		EXPECT_EQ(job.get<int8_t>(2, op.output.offset, on), want)
			<< "case " << i;
	}
}

TEST(IsaOps, SoftmaxMatchesReference)
{
	std::mt19937 rng(7);
	const double scales[] = { 1.0 / 256, 1.0 / 16, 0.1, 0.5, 1.0 };
	for (int i = 0; i < kCases; ++i) {
		int rows = rnd(rng, 1, 4), depth = rnd(rng, 1, 300);
		double in_scale = scales[rnd(rng, 0, 4)];
		double beta = rnd(rng, 0, 1) ? 1.0 : 0.5;
		int32_t mult;
		int ls, diff_min;
		ref::SoftmaxParams(beta, in_scale, &mult, &ls, &diff_min);
		auto in = random_i8(rng, size_t(rows) * depth);
		if (i % 5 == 0)	// many equal values stress the sum
			std::fill(in.begin(), in.end(), int8_t(rnd(rng, -128, 127)));

		Job job;
		aiot_isa_op_softmax op{};
		op.hdr.opcode = AIOT_ISA_OP_SOFTMAX;
		op.input = tensor(1, job.put(1, in.data(), in.size()), 1, 1,
				  rows, depth);
		op.output = tensor(2, job.reserve(2, in.size()), 1, 1, rows,
				   depth);
		op.input_multiplier = mult;
		op.input_left_shift = ls;
		op.diff_min = diff_min;
		StreamBuilder sb;
		sb.add(op);
		auto s = sb.build();
		ASSERT_EQ(job.validate(s), 0);
		ASSERT_EQ(job.run(s), 0);
		auto want = ref::Softmax(in, depth, mult, ls, diff_min);
		EXPECT_EQ(job.get<int8_t>(2, op.output.offset, in.size()), want)
			<< "case " << i << " depth " << depth << " scale "
			<< in_scale;
	}
}

void requant_case(std::mt19937 &rng, bool sensor, int i)
{
	std::uniform_real_distribution<double> ratio(0.001, 3.0);
	int count = rnd(rng, 1, 200);
	int in_zp = sensor ? rnd(rng, -32768, 32767) : rnd(rng, -128, 127);
	int out_zp = rnd(rng, -128, 127);
	int32_t m;
	int sh;
	ref::QuantizeMultiplier(ratio(rng) / (sensor ? 256 : 1), &m, &sh);
	auto act = random_act(rng);

	Job job;
	aiot_isa_op_requantize op{};
	op.hdr.opcode = sensor ? AIOT_ISA_OP_SENSOR_TO_INT8 :
				 AIOT_ISA_OP_REQUANTIZE;
	std::vector<int32_t> vals(count);
	if (sensor) {
		std::vector<int16_t> in(count);
		for (auto &v : in)
			v = int16_t(rnd(rng, -32768, 32767));
		std::copy(in.begin(), in.end(), vals.begin());
		op.input = tensor(1, job.put(1, in.data(), in.size() * 2), 1,
				  1, count, 1, AIOT_ISA_DTYPE_INT16);
	} else {
		auto in = random_i8(rng, count);
		std::copy(in.begin(), in.end(), vals.begin());
		op.input = tensor(1, job.put(1, in.data(), in.size()), 1, 1,
				  count, 1);
	}
	op.output = tensor(2, job.reserve(2, count), 1, 1, count, 1);
	op.input_zero_point = in_zp;
	op.output_zero_point = out_zp;
	op.multiplier = m;
	op.shift = sh;
	op.act = act;
	StreamBuilder sb;
	sb.add(op);
	auto s = sb.build();
	ASSERT_EQ(job.validate(s), 0) << "case " << i;
	ASSERT_EQ(job.run(s), 0);
	std::vector<int8_t> want;
	for (int32_t v : vals)
		want.push_back(ref::Requant(v, in_zp, out_zp, m, sh, act.min,
					    act.max));
	EXPECT_EQ(job.get<int8_t>(2, op.output.offset, count), want)
		<< "case " << i;
}

TEST(IsaOps, RequantizeMatchesReference)
{
	std::mt19937 rng(8);
	for (int i = 0; i < kCases; ++i)
		requant_case(rng, false, i);
}

TEST(IsaOps, SensorToInt8MatchesReference)
{
	std::mt19937 rng(9);
	for (int i = 0; i < kCases; ++i)
		requant_case(rng, true, i);
}

TEST(IsaOps, ReshapeCopiesAndInPlaceIsNoop)
{
	std::mt19937 rng(10);
	auto in = random_i8(rng, 24);
	Job job;
	aiot_isa_op_reshape op{};
	op.hdr.opcode = AIOT_ISA_OP_RESHAPE;
	op.input = tensor(1, job.put(1, in.data(), in.size()), 1, 2, 3, 4);
	op.output = tensor(2, job.reserve(2, 24), 1, 1, 1, 24);
	aiot_isa_op_reshape inplace = op;
	inplace.output = op.input;
	inplace.output.dims[1] = 6;
	inplace.output.dims[2] = 1;
	StreamBuilder sb;
	sb.add(op);
	sb.add(inplace);
	sb.add(aiot_isa_op_nop{ { AIOT_ISA_OP_NOP, 0, 0 } });
	auto s = sb.build();
	aiot_isa_summary sum;
	ASSERT_EQ(job.validate(s, &sum), 0);
	EXPECT_EQ(sum.op_count, 3u);
	EXPECT_EQ(sum.bindings_read, 1u << 1);
	EXPECT_EQ(sum.bindings_written, (1u << 1) | (1u << 2));
	EXPECT_EQ(sum.binding_extent[2], 24u);
	EXPECT_EQ(sum.error_op, AIOT_ISA_NO_OP);
	ASSERT_EQ(job.run(s), 0);
	EXPECT_EQ(job.get<int8_t>(2, 0, 24), in);
	EXPECT_EQ(job.get<int8_t>(1, 0, 24), in);
}

// A small network chained through the arena: sensor -> conv -> pool ->
// reshape -> fc -> softmax, each stage checked against the reference.
TEST(IsaOps, ChainedStreamMatchesReference)
{
	std::mt19937 rng(11);
	const int H = 8, W = 8, C = 3, K = 4;
	std::vector<int16_t> raw(H * W * C);
	for (auto &v : raw)
		v = int16_t(rnd(rng, -4000, 4000));
	int32_t sm;
	int ss;
	ref::QuantizeMultiplier(1.0 / 32, &sm, &ss);
	std::vector<int8_t> x(raw.size());
	for (size_t i = 0; i < raw.size(); ++i)
		x[i] = ref::Requant(raw[i], 0, -3, sm, ss, -128, 127);
	ref::ConvGeom g{ 1, H, W, C, 3, 3, H, W, K, 1, 1, 1, 1, 1, 1, 0 };
	auto f = random_i8(rng, size_t(K) * 9 * C);
	auto q = random_quant(rng, K);
	auto y = ref::Conv(x, f, q, g, -3, 5, 5, 127);
	auto z = ref::Pool(true, y, 1, H, W, K, 1, 1, H, W, 1, 1, 0, 0, -128, 127);
	auto f2 = random_i8(rng, 5 * K);
	auto q2 = random_quant(rng, 5);
	auto o = ref::FullyConnected(z, f2, q2, 1, K, 5, 5, 0, 0, -128, 127);
	int32_t smm;
	int sls, sdm;
	ref::SoftmaxParams(1.0, 0.1, &smm, &sls, &sdm);
	auto want = ref::Softmax(o, 5, smm, sls, sdm);

	Job job;
	StreamBuilder sb;
	aiot_isa_op_requantize s2i{};
	s2i.hdr.opcode = AIOT_ISA_OP_SENSOR_TO_INT8;
	s2i.input = tensor(1, job.put(1, raw.data(), raw.size() * 2), 1, H, W, C,
			   AIOT_ISA_DTYPE_INT16);
	s2i.output = tensor(3, job.reserve(3, raw.size()), 1, H, W, C);
	s2i.output_zero_point = -3;
	s2i.multiplier = sm;
	s2i.shift = ss;
	s2i.act = { -128, 127 };
	sb.add(s2i);
	aiot_isa_op_conv conv{};
	conv.hdr.opcode = AIOT_ISA_OP_CONV_2D;
	conv.input = s2i.output;
	conv.filter = tensor(0, job.put(0, f.data(), f.size()), K, 3, 3, C);
	conv.quant.offset = put_quant(job, 0, q);
	conv.output = tensor(3, job.reserve(3, y.size()), 1, H, W, K);
	conv.input_zero_point = -3;
	conv.output_zero_point = 5;
	conv.act = { 5, 127 };
	conv.stride_h = conv.stride_w = conv.dilation_h = conv.dilation_w = 1;
	conv.pad_top = conv.pad_left = 1;
	sb.add(conv);
	aiot_isa_op_pool pool{};
	pool.hdr.opcode = AIOT_ISA_OP_AVERAGE_POOL_2D;
	pool.input = conv.output;
	pool.output = tensor(3, job.reserve(3, K), 1, 1, 1, K);
	pool.act = { -128, 127 };
	pool.filter_h = H;
	pool.filter_w = W;
	pool.stride_h = pool.stride_w = 1;
	sb.add(pool);
	aiot_isa_op_fully_connected fc{};
	fc.hdr.opcode = AIOT_ISA_OP_FULLY_CONNECTED;
	fc.input = pool.output;
	fc.filter = tensor(0, job.put(0, f2.data(), f2.size()), 5, 1, 1, K);
	fc.quant.offset = put_quant(job, 0, q2);
	fc.output = tensor(3, job.reserve(3, 5), 1, 1, 1, 5);
	fc.input_zero_point = 5;
	fc.act = { -128, 127 };
	sb.add(fc);
	aiot_isa_op_softmax sm_op{};
	sm_op.hdr.opcode = AIOT_ISA_OP_SOFTMAX;
	sm_op.input = fc.output;
	sm_op.output = tensor(2, job.reserve(2, 5), 1, 1, 1, 5);
	sm_op.input_multiplier = smm;
	sm_op.input_left_shift = sls;
	sm_op.diff_min = sdm;
	sb.add(sm_op);
	auto s = sb.build();
	ASSERT_EQ(job.validate(s), 0);
	ASSERT_EQ(job.run(s), 0);
	EXPECT_EQ(job.get<int8_t>(3, s2i.output.offset, x.size()), x);
	EXPECT_EQ(job.get<int8_t>(3, conv.output.offset, y.size()), y);
	EXPECT_EQ(job.get<int8_t>(2, sm_op.output.offset, 5), want);
}

} // namespace
