// SPDX-License-Identifier: GPL-2.0-only OR MIT
//
// ISA 1.6 TRANSPOSE_CONV and REDUCE bit for bit against implementations
// written here from TensorFlow Lite Micro's reference kernels (the scatter
// of reference_integer_ops::TransposeConv into an int32 scratch buffer;
// reference_ops::QuantizedMeanOrSum's integer path and reference_ops::Mean),
// on generated cases: per-channel quantization, strides and paddings,
// zero points at the extremes, saturation, every axis set of int8 and
// int16. Then every validator rule and the version gate.
#include <gtest/gtest.h>

#include "isa_16a_ref.h"

using namespace isa_test;
using namespace isa_test::ref16a;

namespace {

constexpr uint8_t I8 = AIOT_ISA_DTYPE_INT8, I16 = AIOT_ISA_DTYPE_INT16;

template <typename Op> std::vector<uint8_t> Rec(Op op)
{
	op.hdr.size = sizeof(Op);
	std::vector<uint8_t> v(sizeof(Op));
	std::memcpy(v.data(), &op, sizeof(Op));
	return v;
}

Job Buffers()
{
	Job job;
	for (unsigned b = 0; b < 4; b++)
		job.reserve(b, 4096, 0);
	return job;
}

// Validates and runs one record in a stream declaring ISA 1.minor; the
// executor must refuse exactly what the validator refuses.
int ValidateRec(const std::vector<uint8_t> &rec, uint16_t minor = 6)
{
	StreamBuilder sb(minor);
	sb.add_raw(rec.data(), rec.size());
	auto s = sb.build();
	Job job = Buffers();
	int rc = job.validate(s);
	EXPECT_EQ(job.run(s), rc);
	return rc;
}

// ---------------------------------------------------------- TRANSPOSE_CONV

// Builds, validates and runs one TRANSPOSE_CONV; returns the executor's
// output next to the reference's.
void RunTconv(const TconvCase &c, std::mt19937 &rng, bool extreme_inputs = false)
{
	size_t in_n = size_t(c.n) * c.h * c.w * c.cin;
	size_t f_n = size_t(c.cout) * c.kh * c.kw * c.cin;
	size_t out_n = size_t(c.n) * c.oh * c.ow * c.cout;
	std::vector<int8_t> in(in_n), f(f_n);
	for (auto &v : in)
		v = extreme_inputs ? int8_t(rng() % 2 ? 127 : -128) : int8_t(rng());
	for (auto &v : f)
		v = extreme_inputs ? int8_t(rng() % 2 ? 127 : -127) : int8_t(rng());
	ref::Quant q;
	std::vector<aiot_isa_channel_quant> rec(c.cout);
	for (int oc = 0; oc < c.cout; oc++) {
		q.bias.push_back(int32_t(rng() % 40001) - 20000);
		q.mult.push_back(int32_t((1u << 30) + rng() % (1u << 30)));
		q.shift.push_back(-int(6 + rng() % 8));
		rec[oc] = {q.bias[oc], q.mult[oc], q.shift[oc]};
	}
	Job job;
	aiot_isa_op_transpose_conv op{};
	op.hdr.opcode = AIOT_ISA_OP_TRANSPOSE_CONV;
	op.input = tensor(1, job.put(1, in.data(), in_n), c.n, c.h, c.w, c.cin);
	op.filter = tensor(0, job.put(0, f.data(), f_n), c.cout, c.kh, c.kw, c.cin);
	op.quant.binding = 0;
	op.quant.offset = job.put(0, rec.data(), rec.size() * sizeof(rec[0]));
	op.output = tensor(2, job.reserve(2, out_n), c.n, c.oh, c.ow, c.cout);
	op.input_zero_point = c.in_zp;
	op.output_zero_point = c.out_zp;
	op.act = {c.amin, c.amax};
	op.stride_h = uint16_t(c.sh);
	op.stride_w = uint16_t(c.sw);
	op.pad_top = uint16_t(c.pt);
	op.pad_left = uint16_t(c.pl);
	StreamBuilder sb;
	sb.add(op);
	auto s = sb.build();
	aiot_isa_summary sum{};
	ASSERT_EQ(job.validate(s, &sum), 0);
	EXPECT_EQ(sum.work, uint64_t(out_n) * c.kh * c.kw * c.cin);
	ASSERT_EQ(job.run(s), 0);
	auto got = job.get<int8_t>(2, op.output.offset, out_n);
	auto want = RefTconv(c, in, f, q);
	ASSERT_EQ(got, want) << c.h << "x" << c.w << " k" << c.kh << "x" << c.kw << " s"
			     << c.sh << "x" << c.sw << " pad " << c.pt << "," << c.pl;
}

// TFLite's padding of the forward convolution from output to input.
void Pad(bool same, int out, int k, int s, int *in, int *pad)
{
	*in = same ? (out + s - 1) / s : (out - k + s) / s;
	int total = (*in - 1) * s + k - out;
	*pad = total > 0 ? total / 2 : 0;
}

TEST(Isa16a, TransposeConvMatchesTheScatterReference)
{
	std::mt19937 rng(1647);
	int cases = 0, strided = 0, padded = 0, clipped = 0;
	for (int iter = 0; iter < 300; iter++) {
		TconvCase c{};
		bool same = rng() % 2;
		c.n = 1 + int(rng() % 2);
		c.cin = 1 + int(rng() % 5);
		c.cout = 1 + int(rng() % 5);
		c.kh = 1 + int(rng() % 4);
		c.kw = 1 + int(rng() % 4);
		c.sh = 1 + int(rng() % 3);
		c.sw = 1 + int(rng() % 3);
		c.oh = c.kh + int(rng() % 7);
		c.ow = c.kw + int(rng() % 7);
		Pad(same, c.oh, c.kh, c.sh, &c.h, &c.pt);
		Pad(same, c.ow, c.kw, c.sw, &c.w, &c.pl);
		// Zero points at the extremes now and then.
		int zsel = int(rng() % 4);
		c.in_zp = zsel == 0 ? -128 : zsel == 1 ? 127 : int(rng() % 256) - 128;
		c.out_zp = zsel == 0 ? 127 : zsel == 1 ? -128 : int(rng() % 256) - 128;
		c.amin = -128;
		c.amax = 127;
		if (rng() % 4 == 0) {
			c.amin = c.out_zp;  // RELU
			c.amax = std::min(127, c.out_zp + 60);
			clipped++;
		}
		RunTconv(c, rng);
		if (HasFatalFailure())
			return;
		cases++;
		strided += c.sh > 1 || c.sw > 1;
		padded += c.pt > 0 || c.pl > 0;
	}
	EXPECT_EQ(cases, 300);
	EXPECT_GT(strided, 150);
	EXPECT_GT(padded, 80);
	EXPECT_GT(clipped, 40);
}

TEST(Isa16a, TransposeConvSaturatesAndWrapsLikeTheReference)
{
	std::mt19937 rng(7);
	// All-extreme inputs and weights, deep channels: the outputs saturate.
	TconvCase c{1, 3, 3, 64, 3, 3, 3, 2, 2, 1, 1, 5, 5, -128, 0, -128, 127};
	RunTconv(c, rng, true);
	// A 1x1 filter with stride 3: output rows and columns no tap reaches
	// hold bias alone.
	TconvCase d{1, 2, 2, 2, 2, 1, 1, 3, 3, 0, 0, 4, 4, 5, -7, -128, 127};
	RunTconv(d, rng);
}

// ------------------------------------------------------------------ REDUCE

struct ReduceRun {
	int rc;
	aiot_isa_summary sum;
};

template <typename T>
void CheckReduce(std::mt19937 &rng, const uint32_t d[4], unsigned axes, bool sum, bool trunc,
		 int32_t in_zp, int32_t out_zp, double ratio, bool extreme = false)
{
	uint8_t dt = sizeof(T) == 1 ? I8 : I16;
	size_t n_in = size_t(d[0]) * d[1] * d[2] * d[3];
	std::vector<T> in(n_in);
	for (auto &v : in)
		v = extreme ? (rng() % 8 ? std::numeric_limits<T>::max() :
					   std::numeric_limits<T>::min()) :
			      T(rng());
	int32_t m = 0;
	int shift = 0;
	if (!trunc)
		ref::QuantizeMultiplier(ratio, &m, &shift);
	// The op carries the multiplier after MEAN's 1 / n is folded in (the
	// compiler's work, tests/unit/compile_reduce_test.cc).
	int32_t om = m;
	int oshift = shift;
	int64_t cnt = 1;
	for (int a = 0; a < 4; a++)
		if (axes & (1u << a))
			cnt *= d[a];
	if (!sum && !trunc)
		MeanMultiplier(cnt, &om, &oshift);
	Job job;
	aiot_isa_op_reduce op{};
	op.hdr.opcode = AIOT_ISA_OP_REDUCE;
	op.input = tensor(1, job.put(1, in.data(), n_in * sizeof(T)), d[0], d[1], d[2], d[3],
			  dt);
	uint32_t od[4];
	for (int a = 0; a < 4; a++)
		od[a] = axes & (1u << a) ? 1 : d[a];
	size_t n_out = size_t(od[0]) * od[1] * od[2] * od[3];
	op.output = tensor(2, job.reserve(2, n_out * sizeof(T)), od[0], od[1], od[2], od[3], dt);
	op.axes = axes;
	op.mode = trunc ? AIOT_ISA_REDUCE_MEAN_TRUNC : AIOT_ISA_REDUCE_REQUANTIZE;
	op.input_zero_point = trunc ? 0 : in_zp;
	op.output_zero_point = trunc ? 0 : out_zp;
	op.multiplier = om;
	op.shift = oshift;
	op.act = {std::numeric_limits<T>::min(), std::numeric_limits<T>::max()};
	StreamBuilder sb;
	sb.add(op);
	auto s = sb.build();
	aiot_isa_summary sm{};
	ASSERT_EQ(job.validate(s, &sm), 0) << "axes " << axes;
	EXPECT_EQ(sm.work, uint64_t(n_in));
	ASSERT_EQ(job.run(s), 0);
	auto got = job.get<T>(2, op.output.offset, n_out);
	auto want = RefReduce<T>(in, d, axes, sum, trunc, in_zp, out_zp, m, shift);
	ASSERT_EQ(got, want) << "axes " << axes << (sum ? " SUM" : " MEAN")
			     << (trunc ? " trunc" : "") << " dims " << d[0] << "x" << d[1] << "x"
			     << d[2] << "x" << d[3];
}

TEST(Isa16a, ReduceOverEveryAxisSetMatchesTheReference)
{
	std::mt19937 rng(1606);
	int runs = 0;
	for (unsigned axes = 0; axes < 16; axes++) {
		for (int iter = 0; iter < 24; iter++) {
			uint32_t d[4];
			for (auto &x : d)
				x = 1 + rng() % 6;
			bool sum = iter % 3 == 0;
			bool trunc = !sum && iter % 3 == 1 && iter % 2;
			bool i16 = iter % 4 >= 2;
			int zsel = int(rng() % 4);
			// Ratios from far below 1 (MEAN-like) to above (SUM may saturate).
			double ratio = std::ldexp(0.5 + (rng() % 1000) / 2000.0,
						  int(rng() % 12) - 9);
			if (i16) {
				int32_t zi = zsel == 0 ? -32768 : zsel == 1 ? 32767 : 0;
				CheckReduce<int16_t>(rng, d, axes, sum, trunc, zi, -zi / 2, ratio);
			} else {
				int32_t zi = zsel == 0 ? -128 : zsel == 1 ? 127 : int(rng() % 256) - 128;
				int32_t zo = zsel == 0 ? 127 : zsel == 1 ? -128 : int(rng() % 256) - 128;
				CheckReduce<int8_t>(rng, d, axes, sum, trunc, zi, zo, ratio);
			}
			if (HasFatalFailure())
				return;
			runs++;
		}
	}
	EXPECT_EQ(runs, 16 * 24);
}

TEST(Isa16a, ReduceAtTheCountLimitsSaturatesExactly)
{
	std::mt19937 rng(3);
	// int16 SUM over 2^15 extreme elements: the largest exact sum.
	uint32_t d16[4] = {1, 128, 256, 2};
	CheckReduce<int16_t>(rng, d16, 0x6, true, false, -32768, 0, 1.0, true);
	CheckReduce<int16_t>(rng, d16, 0x6, false, false, 32767, 5, 0.8, true);
	CheckReduce<int16_t>(rng, d16, 0x6, false, true, 0, 0, 1.0, true);
	// int8 MEAN over many elements, the 1 / n capped at a right shift of 31
	// plus the output shift: TFLite's precision loss reproduced.
	uint32_t d8[4] = {2, 300, 300, 1};
	CheckReduce<int8_t>(rng, d8, 0x6, false, false, -128, 127, std::ldexp(1.0, -20), true);
	CheckReduce<int8_t>(rng, d8, 0xf, true, false, 127, -128, 3.5, true);
}

// ---------------------------------------------------------------- validator

aiot_isa_op_transpose_conv GoodTconv()
{
	aiot_isa_op_transpose_conv op{};
	op.hdr.opcode = AIOT_ISA_OP_TRANSPOSE_CONV;
	op.input = tensor(1, 0, 1, 2, 2, 3);
	op.filter = tensor(0, 0, 4, 3, 3, 3);
	op.quant.binding = 0;
	op.quant.offset = 256;
	op.output = tensor(2, 0, 1, 4, 4, 4);
	op.act = {-128, 127};
	op.stride_h = op.stride_w = 2;
	op.pad_top = op.pad_left = 1;
	return op;
}

TEST(Isa16a, TransposeConvValidatorRules)
{
	EXPECT_EQ(ValidateRec(Rec(GoodTconv())), 0);
	EXPECT_EQ(ValidateRec(Rec(GoodTconv()), 5), -EOPNOTSUPP) << "needs ISA 1.6";
	auto bad = [](auto change) {
		auto op = GoodTconv();
		change(op);
		return ValidateRec(Rec(op));
	};
	using T = aiot_isa_op_transpose_conv;
	EXPECT_EQ(bad([](T &o) { o.reserved[0] = 1; }), -EINVAL);
	EXPECT_EQ(bad([](T &o) { o.reserved[1] = 1; }), -EINVAL);
	EXPECT_EQ(bad([](T &o) { o.stride_h = 0; }), -EINVAL);
	EXPECT_EQ(bad([](T &o) { o.stride_w = 0; }), -EINVAL);
	EXPECT_EQ(bad([](T &o) { o.pad_top = 3; }), -EINVAL) << "padding past the filter";
	EXPECT_EQ(bad([](T &o) { o.pad_left = 3; }), -EINVAL);
	EXPECT_EQ(bad([](T &o) { o.input_zero_point = 128; }), -EINVAL);
	EXPECT_EQ(bad([](T &o) { o.output_zero_point = -129; }), -EINVAL);
	EXPECT_EQ(bad([](T &o) { o.act = {10, 9}; }), -EINVAL);
	EXPECT_EQ(bad([](T &o) { o.act = {-129, 0}; }), -EINVAL);
	EXPECT_EQ(bad([](T &o) { o.filter.dims[0] = 3; }), -EINVAL) << "Cout mismatch";
	EXPECT_EQ(bad([](T &o) { o.filter.dims[3] = 2; }), -EINVAL) << "Cin mismatch";
	EXPECT_EQ(bad([](T &o) { o.output.dims[0] = 2; }), -EINVAL) << "batch";
	EXPECT_EQ(bad([](T &o) { o.input.dtype = I16; }), -EINVAL);
	EXPECT_EQ(bad([](T &o) { o.filter.dtype = I16; }), -EINVAL);
	EXPECT_EQ(bad([](T &o) { o.output.binding = 1; }), -EINVAL) << "output over input";
	EXPECT_EQ(bad([](T &o) { o.output.binding = 0; o.output.offset = 200; }), -EINVAL)
		<< "output over filter and quant";
	EXPECT_EQ(bad([](T &o) { o.quant.offset = 4096 - 12 * 3; }), -ENOSPC)
		<< "quant records past the buffer";
	EXPECT_EQ(bad([](T &o) { o.input.dims[1] = 4096; }), -ENOSPC) << "input past the buffer";
	EXPECT_EQ(bad([](T &o) { o.quant.binding = 9; }), -EINVAL);
}

aiot_isa_op_reduce GoodReduce(uint8_t dt = I8)
{
	aiot_isa_op_reduce op{};
	op.hdr.opcode = AIOT_ISA_OP_REDUCE;
	op.input = tensor(1, 0, 2, 3, 4, 5, dt);
	op.output = tensor(2, 0, 2, 1, 4, 1, dt);
	op.axes = 0xa;
	op.mode = AIOT_ISA_REDUCE_REQUANTIZE;
	op.multiplier = 1 << 30;
	op.shift = -2;
	op.act = {-128, 127};
	return op;
}

TEST(Isa16a, ReduceValidatorRules)
{
	EXPECT_EQ(ValidateRec(Rec(GoodReduce())), 0);
	EXPECT_EQ(ValidateRec(Rec(GoodReduce()), 5), -EOPNOTSUPP) << "needs ISA 1.6";
	auto bad = [](auto change, uint8_t dt = I8) {
		auto op = GoodReduce(dt);
		change(op);
		return ValidateRec(Rec(op));
	};
	using R = aiot_isa_op_reduce;
	EXPECT_EQ(bad([](R &o) { o.reserved[0] = 1; }), -EINVAL);
	EXPECT_EQ(bad([](R &o) { o.reserved[1] = 1; }), -EINVAL);
	EXPECT_EQ(bad([](R &o) { o.axes |= 0x10; }), -EINVAL) << "axis bit 4";
	EXPECT_EQ(bad([](R &o) { o.axes = 0x2; }), -EINVAL) << "output dim 3 not kept";
	EXPECT_EQ(bad([](R &o) { o.output.dims[1] = 3; }), -EINVAL) << "reduced axis not 1";
	EXPECT_EQ(bad([](R &o) { o.output.dims[0] = 1; }), -EINVAL) << "kept axis changed";
	EXPECT_EQ(bad([](R &o) { o.mode = 2; }), -EINVAL);
	EXPECT_EQ(bad([](R &o) { o.multiplier = -1; }), -EINVAL);
	EXPECT_EQ(bad([](R &o) { o.shift = 31; }), -EINVAL);
	EXPECT_EQ(bad([](R &o) { o.shift = -32; }), -EINVAL);
	EXPECT_EQ(bad([](R &o) { o.input_zero_point = 128; }), -EINVAL);
	EXPECT_EQ(bad([](R &o) { o.output_zero_point = -129; }), -EINVAL);
	EXPECT_EQ(bad([](R &o) { o.act = {0, -1}; }), -EINVAL);
	EXPECT_EQ(bad([](R &o) { o.act = {-128, 128}; }), -EINVAL);
	EXPECT_EQ(bad([](R &o) { o.output.dtype = I16; }), -EINVAL) << "dtype mismatch";
	EXPECT_EQ(bad([](R &o) { o.input.dtype = AIOT_ISA_DTYPE_INT32;
				 o.output.dtype = AIOT_ISA_DTYPE_INT32; }), -EINVAL);
	EXPECT_EQ(bad([](R &o) { o.output.binding = 1; }), -EINVAL) << "output over input";
	EXPECT_EQ(bad([](R &o) { o.input.offset = 4000; }), -ENOSPC) << "input past the buffer";
	// MEAN_TRUNC carries no quantization.
	auto trunc = [](R &o) {
		o.mode = AIOT_ISA_REDUCE_MEAN_TRUNC;
		o.multiplier = 0;
		o.shift = 0;
	};
	EXPECT_EQ(bad(trunc), 0);
	EXPECT_EQ(bad([&](R &o) { trunc(o); o.multiplier = 1; }), -EINVAL);
	EXPECT_EQ(bad([&](R &o) { trunc(o); o.shift = -1; }), -EINVAL);
	EXPECT_EQ(bad([&](R &o) { trunc(o); o.input_zero_point = 1; }), -EINVAL);
	EXPECT_EQ(bad([&](R &o) { trunc(o); o.output_zero_point = 1; }), -EINVAL);
	// int16: its zero point and clamp ranges.
	EXPECT_EQ(bad([](R &o) { o.input_zero_point = -32768; o.act = {-32768, 32767}; }, I16),
		  0);
	EXPECT_EQ(bad([](R &o) { o.input_zero_point = 32768; o.act = {-32768, 32767}; }, I16),
		  -EINVAL);
	EXPECT_EQ(bad([](R &o) { o.act = {-32769, 0}; }, I16), -EINVAL);
}

TEST(Isa16a, ReduceCountLimits)
{
	// int16: n <= 2^15 elements per output.
	for (uint32_t h : {128u, 129u}) {
		aiot_isa_op_reduce op{};
		op.hdr.opcode = AIOT_ISA_OP_REDUCE;
		op.input = tensor(1, 0, 1, h, 256, 1, I16);
		op.output = tensor(2, 0, 1, 1, 1, 1, I16);
		op.axes = 0x6;
		op.act = {-32768, 32767};
		StreamBuilder sb;
		sb.add(op);
		Job job;
		job.reserve(1, size_t(h) * 256 * 2, 0);
		job.reserve(2, 64, 0);
		EXPECT_EQ(job.validate(sb.build()), h == 128 ? 0 : -EINVAL) << h;
	}
	// int8: n <= 2^23.
	for (uint32_t h : {128u, 129u}) {
		aiot_isa_op_reduce op{};
		op.hdr.opcode = AIOT_ISA_OP_REDUCE;
		op.input = tensor(1, 0, 1, h, 256, 256, I8);
		op.output = tensor(2, 0, 1, 1, 1, 1, I8);
		op.axes = 0xe;
		op.act = {-128, 127};
		StreamBuilder sb;
		sb.add(op);
		Job job;
		job.buf[1].resize(size_t(h) * 65536);  // 256 x 256 per row
		job.reserve(2, 64, 0);
		EXPECT_EQ(job.validate(sb.build()), h == 128 ? 0 : -EINVAL) << h;
	}
}

TEST(Isa16a, OpcodesAfterReduceStayUnassigned)
{
	for (uint16_t opc = AIOT_ISA_OP_REDUCE + 1; opc < AIOT_ISA_OP_REDUCE + 8; opc++) {
		auto rec = Rec(GoodReduce());
		std::memcpy(&rec[0], &opc, 2);
		// Opcodes of ISA 1.6's other additions have other record sizes.
		EXPECT_NE(ValidateRec(rec), 0) << opc;
	}
	EXPECT_GE(AIOT_ISA_VERSION_MINOR, 6);
}

} // namespace
