// SPDX-License-Identifier: GPL-2.0-only OR MIT
//
// Independent implementations of TensorFlow Lite Micro's int8
// TRANSPOSE_CONV (reference_integer_ops::TransposeConv) and integer
// SUM / MEAN (reference_ops::QuantizedMeanOrSum, reference_ops::Mean),
// written from their definitions for the ISA 1.6 host tests
// (isa_16a_test.cc, compile_ops16a_test.cc).
#ifndef AIOT_ISA_16A_REF_H
#define AIOT_ISA_16A_REF_H

#include "isa_test_util.h"

namespace isa_test {
namespace ref16a {

using namespace isa_test::ref;

// MultiplyByQuantizedMultiplier with the left shift wrapping as TFLite's
// int32 multiplication does on the hardware it runs on.
inline int32_t Mbqm(int32_t x, int32_t m, int shift)
{
	int left = shift > 0 ? shift : 0;
	int right = shift > 0 ? 0 : -shift;
	return RDBPOT(SRDHM(int32_t(uint32_t(x) << left), m), right);
}

struct TconvCase {
	int n, h, w, cin, cout, kh, kw, sh, sw, pt, pl, oh, ow;
	int in_zp, out_zp, amin, amax;
};

// reference_integer_ops::TransposeConv: each input element scattered into
// the outputs it reaches, an int32 scratch sum per output element.
inline std::vector<int8_t> RefTconv(const TconvCase &c, const std::vector<int8_t> &in,
			     const std::vector<int8_t> &f, const Quant &q)
{
	std::vector<uint32_t> scratch(size_t(c.n) * c.oh * c.ow * c.cout, 0);
	for (int b = 0; b < c.n; b++)
		for (int y = 0; y < c.h; y++)
			for (int x = 0; x < c.w; x++)
				for (int ic = 0; ic < c.cin; ic++) {
					int32_t v = in[((size_t(b) * c.h + y) * c.w + x) * c.cin + ic];
					for (int ky = 0; ky < c.kh; ky++)
						for (int kx = 0; kx < c.kw; kx++)
							for (int oc = 0; oc < c.cout; oc++) {
								int oy = y * c.sh - c.pt + ky;
								int ox = x * c.sw - c.pl + kx;
								if (oy < 0 || oy >= c.oh || ox < 0 || ox >= c.ow)
									continue;
								int32_t w = f[((size_t(oc) * c.kh + ky) * c.kw + kx) *
									      c.cin + ic];
								scratch[((size_t(b) * c.oh + oy) * c.ow + ox) *
									c.cout + oc] += uint32_t((v - c.in_zp) * w);
							}
				}
	std::vector<int8_t> out(scratch.size());
	for (size_t i = 0; i < scratch.size(); i++) {
		int oc = int(i % c.cout);
		int32_t acc = int32_t(scratch[i] + uint32_t(q.bias[oc]));
		acc = Mbqm(acc, q.mult[oc], q.shift[oc]) + c.out_zp;
		out[i] = Clamp8(acc, c.amin, c.amax);
	}
	return out;
}

// TFLite's MEAN: 1 / n folded into the multiplier as the reference does,
// the shift capped at 32 and at 31 + the output shift.
inline void MeanMultiplier(int64_t n, int32_t *m, int *shift)
{
	int s = 63 - __builtin_clzll(uint64_t(n));
	s = std::min(s, 32);
	s = std::min(s, 31 + *shift);
	*m = int32_t((int64_t(*m) << s) / n);
	*shift -= s;
}

// reference_ops::QuantizedMeanOrSum (integer path) or, when
// trunc, reference_ops::Mean; dims are NHWC, axes a bit mask.
template <typename T>
std::vector<T> RefReduce(const std::vector<T> &in, const uint32_t d[4], unsigned axes, bool sum,
			 bool trunc, int32_t in_zp, int32_t out_zp, int32_t m, int shift)
{
	uint32_t od[4];
	int64_t n = 1;
	for (int a = 0; a < 4; a++) {
		od[a] = axes & (1u << a) ? 1 : d[a];
		if (axes & (1u << a))
			n *= d[a];
	}
	std::vector<int32_t> temp(size_t(od[0]) * od[1] * od[2] * od[3], 0);
	// Every input element adds into the output whose index has the
	// reduced coordinates at 0.
	size_t i = 0;
	for (uint32_t a = 0; a < d[0]; a++)
		for (uint32_t b = 0; b < d[1]; b++)
			for (uint32_t c = 0; c < d[2]; c++)
				for (uint32_t e = 0; e < d[3]; e++, i++) {
					uint32_t o[4] = {a, b, c, e};
					size_t off = 0;
					for (int k = 0; k < 4; k++)
						off = off * od[k] + (axes & (1u << k) ? 0 : o[k]);
					temp[off] += in[i];
				}
	std::vector<T> out(temp.size());
	if (trunc) {
		for (size_t k = 0; k < temp.size(); k++)
			out[k] = T(temp[k] / int32_t(n));
		return out;
	}
	if (!sum)
		MeanMultiplier(n, &m, &shift);
	for (size_t k = 0; k < temp.size(); k++) {
		int32_t v = Mbqm(int32_t(int64_t(temp[k]) - int64_t(in_zp) * n), m, shift) + out_zp;
		v = std::min<int32_t>(std::max<int32_t>(v, std::numeric_limits<T>::min()),
				      std::numeric_limits<T>::max());
		out[k] = T(v);
	}
	return out;
}

} // namespace ref16a
} // namespace isa_test

#endif // AIOT_ISA_16A_REF_H
