// SPDX-License-Identifier: GPL-2.0-only OR MIT
//
// An INDEPENDENT transcription of TensorFlow Lite Micro's int16x8
// reference kernels (int16 activations, int8 weights, int64 bias, 64-bit
// accumulator), written from their definitions, for the ISA 1.6 and 1.9
// tests (isa_s16_test.cc, isa_tconv_s16_test.cc) and the int16x8 lowering
// tests (compile_s16_test.cc).
#ifndef AIOT_ISA_S16_REF_H
#define AIOT_ISA_S16_REF_H

#include <gtest/gtest.h>

#include "isa_test_util.h"

namespace isa_test {

namespace ref16 {

// TFLite's MultiplyByQuantizedMultiplier(int64_t x, ...) (the default,
// double-rounding build): the multiplier reduced to 16 bits, one product,
// add half, arithmetic shift right by 15 - shift. Valid for |x| < 2^47,
// -31 <= shift <= 7, which the cases below respect.
inline int32_t MBQM64(int64_t x, int32_t qm, int shift)
{
	EXPECT_GE(x, -(int64_t(1) << 47));
	EXPECT_LT(x, int64_t(1) << 47);
	int32_t reduced = qm < 0x7FFF0000 ? (qm + (1 << 15)) >> 16 : 0x7FFF;
	int total_shift = 15 - shift;
	int64_t r = x * int64_t(reduced) + (int64_t(1) << (total_shift - 1));
	r >>= total_shift;
	EXPECT_GE(r, int64_t(INT32_MIN));
	EXPECT_LE(r, int64_t(INT32_MAX));
	return int32_t(r);
}

struct Quant64 {
	std::vector<int64_t> bias;
	std::vector<int32_t> mult, shift;
};

inline int16_t Clamp16(int32_t v, int lo, int hi)
{
	return int16_t(std::min(std::max(v, lo), hi));
}

// reference_integer_ops::FullyConnected, int16 input, int8 weights
inline std::vector<int16_t> FullyConnected(const std::vector<int16_t> &in,
				    const std::vector<int8_t> &w,
				    const Quant64 &q, int B, int D, int O,
				    int f_zp, int amin, int amax)
{
	std::vector<int16_t> out(size_t(B) * O);
	for (int b = 0; b < B; ++b)
		for (int o = 0; o < O; ++o) {
			int64_t acc = 0;
			for (int d = 0; d < D; ++d)
				acc += int32_t(w[size_t(o) * D + d] - f_zp) *
				       int32_t(in[size_t(b) * D + d]);
			acc += q.bias[o];
			out[size_t(b) * O + o] =
				Clamp16(MBQM64(acc, q.mult[o], q.shift[o]),
					amin, amax);
		}
	return out;
}

// reference_integer_ops::ConvPerChannel, int16 variant
inline std::vector<int16_t> Conv(const std::vector<int16_t> &in,
			  const std::vector<int8_t> &f, const Quant64 &q,
			  const ref::ConvGeom &g, int amin, int amax)
{
	std::vector<int16_t> out(size_t(g.N) * g.OH * g.OW * g.Cout);
	for (int b = 0; b < g.N; ++b)
	for (int oy = 0; oy < g.OH; ++oy)
	for (int ox = 0; ox < g.OW; ++ox)
	for (int oc = 0; oc < g.Cout; ++oc) {
		int64_t acc = 0;
		for (int fy = 0; fy < g.KH; ++fy)
		for (int fx = 0; fx < g.KW; ++fx) {
			int iy = oy * g.sh - g.pt + g.dh * fy;
			int ix = ox * g.sw - g.pl + g.dw * fx;
			if (iy < 0 || iy >= g.H || ix < 0 || ix >= g.W)
				continue;
			for (int ic = 0; ic < g.Cin; ++ic)
				acc += int64_t(f[((size_t(oc) * g.KH + fy) * g.KW + fx) * g.Cin + ic]) *
				       in[((size_t(b) * g.H + iy) * g.W + ix) * g.Cin + ic];
		}
		acc += q.bias[oc];
		out[((size_t(b) * g.OH + oy) * g.OW + ox) * g.Cout + oc] =
			Clamp16(MBQM64(acc, q.mult[oc], q.shift[oc]), amin, amax);
	}
	return out;
}

// reference_integer_ops::DepthwiseConvPerChannel, int16 variant
inline std::vector<int16_t> DepthwiseConv(const std::vector<int16_t> &in,
				   const std::vector<int8_t> &f,
				   const Quant64 &q, const ref::ConvGeom &g,
				   int amin, int amax)
{
	std::vector<int16_t> out(size_t(g.N) * g.OH * g.OW * g.Cout);
	for (int b = 0; b < g.N; ++b)
	for (int oy = 0; oy < g.OH; ++oy)
	for (int ox = 0; ox < g.OW; ++ox)
	for (int ic = 0; ic < g.Cin; ++ic)
	for (int m = 0; m < g.dm; ++m) {
		int oc = m + ic * g.dm;
		int64_t acc = 0;
		for (int fy = 0; fy < g.KH; ++fy)
		for (int fx = 0; fx < g.KW; ++fx) {
			int iy = oy * g.sh - g.pt + g.dh * fy;
			int ix = ox * g.sw - g.pl + g.dw * fx;
			if (iy < 0 || iy >= g.H || ix < 0 || ix >= g.W)
				continue;
			acc += int64_t(f[(size_t(fy) * g.KW + fx) * g.Cout + oc]) *
			       in[((size_t(b) * g.H + iy) * g.W + ix) * g.Cin + ic];
		}
		acc += q.bias[oc];
		out[((size_t(b) * g.OH + oy) * g.OW + ox) * g.Cout + oc] =
			Clamp16(MBQM64(acc, q.mult[oc], q.shift[oc]), amin, amax);
	}
	return out;
}

// Geometry of a transposed convolution: input H x W, output OH x OW,
// rows / columns cut off before the output (TFLite's padding_values).
struct TconvGeom {
	int N, H, W, Cin, KH, KW, OH, OW, Cout, sh, sw, pt, pl;
};

// reference_integer_ops::TransposeConv, int16 input (ISA 1.9): every input
// element scattered into a zeroed int64 scratch buffer the output's size,
// then the bias if there is one (null: none), the 64-bit MBQM and the
// clamp; no zero points.
inline std::vector<int16_t> TransposeConv(const std::vector<int16_t> &in,
					  const std::vector<int8_t> &f,
					  const Quant64 &q, const TconvGeom &g,
					  bool has_bias, int amin, int amax)
{
	std::vector<int64_t> scratch(size_t(g.N) * g.OH * g.OW * g.Cout, 0);
	for (int b = 0; b < g.N; ++b)
	for (int iy = 0; iy < g.H; ++iy)
	for (int ix = 0; ix < g.W; ++ix)
	for (int ic = 0; ic < g.Cin; ++ic)
	for (int fy = 0; fy < g.KH; ++fy)
	for (int fx = 0; fx < g.KW; ++fx)
	for (int oc = 0; oc < g.Cout; ++oc) {
		int oy = iy * g.sh - g.pt + fy, ox = ix * g.sw - g.pl + fx;
		if (oy < 0 || oy >= g.OH || ox < 0 || ox >= g.OW)
			continue;
		int32_t x = in[((size_t(b) * g.H + iy) * g.W + ix) * g.Cin + ic];
		int32_t w = f[((size_t(oc) * g.KH + fy) * g.KW + fx) * g.Cin + ic];
		scratch[((size_t(b) * g.OH + oy) * g.OW + ox) * g.Cout + oc] += x * w;
	}
	std::vector<int16_t> out(scratch.size());
	for (size_t i = 0; i < scratch.size(); ++i) {
		int oc = int(i % size_t(g.Cout));
		int64_t acc = scratch[i] + (has_bias ? q.bias[size_t(oc)] : 0);
		out[i] = Clamp16(MBQM64(acc, q.mult[size_t(oc)], q.shift[size_t(oc)]),
				 amin, amax);
	}
	return out;
}

// reference_ops AddElementwise for int16 (offsets 0, left_shift 15)
inline int16_t AddOne(const ref::AddParams &p, int16_t a, int16_t b)
{
	int32_t s1 = int32_t(a) * (1 << p.left_shift);
	int32_t s2 = int32_t(b) * (1 << p.left_shift);
	int32_t r1 = ref::RDBPOT(ref::SRDHM(s1, p.m1), -p.s1);
	int32_t r2 = ref::RDBPOT(ref::SRDHM(s2, p.m2), -p.s2);
	int32_t raw = ref::RDBPOT(ref::SRDHM(r1 + r2, p.mo), -p.so);
	return Clamp16(raw, p.amin, p.amax);
}

} // namespace ref16

} // namespace isa_test

#endif // AIOT_ISA_S16_REF_H
