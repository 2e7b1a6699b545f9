// SPDX-License-Identifier: GPL-2.0-only
// The requantization arithmetic of the three implementations make
// check-tflite compares, written independently here from their published
// definitions, to explain element by element where TensorFlow Lite and aiot
// differ on a convolution-like layer:
// - double rounding (TFLite Micro, TFLite's default reference kernels, aiot):
//   SaturatingRoundingDoublingHighMul, then RoundingDivideByPOT;
// - single rounding (TFLite built with TFLITE_SINGLE_ROUNDING): one 64-bit
//   product rounded half up once;
// - XNNPACK's fp32 requantization (its QS8 kernels, the delegate TFLite's
//   WebAssembly build applies by default): float(acc) * float scale,
//   rounded to nearest even.
// Below those, the per-element arithmetic of the other kernels TFLite's
// build runs where aiot follows TFLite Micro's reference: XNNPACK's QS8
// Leaky ReLU and S8 bilinear resize, TFLite's float-rescaled int8
// MEAN/SUM, and the reference integer bilinear resize and reduction that
// aiot computes.
#ifndef AIOT_TESTS_TFLITE_CHECK_ROUNDING_H
#define AIOT_TESTS_TFLITE_CHECK_ROUNDING_H

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace tflite_check {

// One output element of a convolution-like layer: its int32 (int8 layers)
// or int64 (int16x8) accumulator including the bias, the layer's real scale
// for it (in double, as TFLite computes it before QuantizeMultiplier), the
// float scale XNNPACK computes, and the output's zero point and clamp.
struct Acc {
	int64_t acc;
	double scale;
	float xnn_scale;
	int32_t zp, lo, hi;
	bool wide; // int16x8: TFLite's 64-bit MultiplyByQuantizedMultiplier
};

// QuantizeMultiplier: frexp, the mantissa rounded half away from zero
// to 31 bits; 2^31 becomes 2^30 with the exponent one higher.
inline void QuantizeMultiplier(double d, int32_t *m, int *shift)
{
	*m = 0;
	*shift = 0;
	if (d == 0.0)
		return;
	double q = std::frexp(d, shift);
	int64_t fixed = int64_t(std::round(q * double(1ll << 31)));
	if (fixed == (1ll << 31)) {
		fixed /= 2;
		++*shift;
	}
	if (*shift < -31) {
		*shift = 0;
		fixed = 0;
	}
	*m = int32_t(fixed);
}

inline int32_t SaturatingRoundingDoublingHighMul(int32_t a, int32_t b)
{
	if (a == b && a == INT32_MIN)
		return INT32_MAX;
	int64_t ab = int64_t(a) * b;
	int64_t nudge = ab >= 0 ? (1ll << 30) : 1 - (1ll << 30);
	return int32_t((ab + nudge) / (1ll << 31));
}

inline int32_t RoundingDivideByPOT(int32_t x, int e)
{
	int32_t mask = int32_t((1ll << e) - 1);
	int32_t rem = x & mask;
	int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
	return (x >> e) + (rem > threshold ? 1 : 0);
}

inline int32_t Clamp(int64_t v, const Acc &a)
{
	return int32_t(std::min<int64_t>(std::max<int64_t>(v + a.zp, a.lo), a.hi));
}

// MultiplyByQuantizedMultiplier as TFLite Micro and aiot round: twice.
inline int32_t MultiplyDoubleRounding(int32_t x, int32_t m, int shift)
{
	int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
	return RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(
					   int32_t(int64_t(x) * (1ll << left)), m), right);
}

// TFLITE_SINGLE_ROUNDING's MultiplyByQuantizedMultiplier: one 64-bit
// product rounded half up once.
inline int64_t MultiplySingleRounding(int64_t x, int32_t m, int shift)
{
	int total = 31 - shift;
	__int128 p = (__int128)x * m + ((__int128)1 << (total - 1));
	return int64_t(p >> total);
}

// What TFLite Micro and aiot compute.
inline int32_t DoubleRounding(const Acc &a)
{
	int32_t m;
	int shift;
	QuantizeMultiplier(a.scale, &m, &shift);
	if (a.wide) {
		// The 64-bit accumulator: the multiplier reduced to 16 bits,
		// one rounding shift.
		int32_t reduced = m < 0x7fff0000 ? (m + (1 << 15)) >> 16 : 0x7fff;
		int total = 15 - shift;
		int64_t x = a.acc * reduced + (1ll << (total - 1));
		return Clamp(x >> total, a);
	}
	return Clamp(MultiplyDoubleRounding(int32_t(a.acc), m, shift), a);
}

inline int32_t SingleRounding(const Acc &a)
{
	int32_t m;
	int shift;
	QuantizeMultiplier(a.scale, &m, &shift);
	return Clamp(MultiplySingleRounding(a.acc, m, shift), a);
}

// XNNPACK's fp32 requantization: nearest, ties to even.
inline int32_t Fp32Rounding(const Acc &a)
{
	float f = float(a.acc) * a.xnn_scale;
	f = std::min(std::max(f, float(a.lo - a.zp)), float(a.hi - a.zp));
	return Clamp(int64_t(std::nearbyint(f)), a);
}

// ---- XNNPACK's QS8 Leaky ReLU (xnn_qs8_vlrelu, its WebAssembly SIMD
// kernels) ----------------------------------------------------------------

// The two 16-bit multipliers, negated: -256 times the float ratios
// input/output scale and that times alpha, rounded to nearest even.
struct XnnLeakyRelu {
	int32_t in_zp, out_zp, pos_mult, neg_mult;
};

inline XnnLeakyRelu XnnLeakyReluParams(float in_scale, int32_t in_zp, float out_scale,
				       int32_t out_zp, float alpha)
{
	const float pos = in_scale / out_scale, neg = pos * alpha;
	return {in_zp, out_zp, int32_t(std::lrint(-256.0f * pos)),
		int32_t(std::lrint(-256.0f * neg))};
}

inline int32_t Sat16(int64_t v)
{
	return int32_t(std::min<int64_t>(std::max<int64_t>(v, INT16_MIN), INT16_MAX));
}

// (zp - x) * 2^7 times the multiplier in Q15, rounded half up
// (q15mulr_sat), then the zero point added and narrowed, saturating.
inline int32_t XnnLeakyReluElement(const XnnLeakyRelu &p, int32_t x)
{
	const int32_t m = x > p.in_zp ? p.pos_mult : p.neg_mult;
	const int32_t acc = (p.in_zp - x) * 128; // |acc| <= 255 * 128: no wrap
	const int32_t prod = Sat16((int64_t(acc) * m + (1 << 14)) >> 15);
	return std::min(std::max(Sat16(prod + p.out_zp), -128), 127);
}

// ---- bilinear resize, int8, NHWC --------------------------------------------

struct Resize {
	int H, W, OH, OW, C;
	bool align, half;
};

// XNNPACK's S8 bilinear (xnn_indirection_init_resize_bilinear2d_hwc_q11 and
// the s8-ibilinear kernels): the source position in float, its fraction
// rounded to 11 bits (nearest even), interpolated across then down in
// 32-bit integers, rounded half up by 2^22 once. TFLite's legacy mode
// (neither flag) and align_corners sample at o * scale; half-pixel centres
// at o * scale + (scale / 2 - 1/2), clamped to the input.
struct XnnTap {
	int lo, hi;
	int32_t frac11;
};

inline XnnTap XnnBilinearTap(int o, int in, int out, bool align, bool half)
{
	const int adj = align && out != 1 ? 1 : 0;
	const float scale = float(in - adj) / float(out - adj);
	float pos = float(o) * scale;
	if (half && !align) {
		pos += 0.5f * scale - 0.5f;
		pos = std::min(std::max(pos, 0.0f), float(in - 1));
	}
	XnnTap t;
	t.lo = int(pos);
	t.hi = std::min(t.lo + 1, in - 1);
	t.frac11 = int32_t(std::lrint((pos - float(t.lo)) * 2048.0f));
	return t;
}

inline int32_t XnnBilinearElement(const Resize &r, const int8_t *in, int oy, int ox, int c)
{
	const XnnTap ty = XnnBilinearTap(oy, r.H, r.OH, r.align, r.half);
	const XnnTap tx = XnnBilinearTap(ox, r.W, r.OW, r.align, r.half);
	auto at = [&](int y, int x) { return int32_t(in[(size_t(y) * r.W + x) * r.C + c]); };
	const int32_t tl = at(ty.lo, tx.lo), tr = at(ty.lo, tx.hi);
	const int32_t bl = at(ty.hi, tx.lo), br = at(ty.hi, tx.hi);
	const int32_t top = tl * 2048 + (tr - tl) * tx.frac11;
	const int32_t bottom = bl * 2048 + (br - bl) * tx.frac11;
	const int32_t acc = top * 2048 + (bottom - top) * ty.frac11;
	return (acc + (1 << 21)) >> 22; // arithmetic shift: floor
}

// TFLite's reference ResizeBilinearInteger (TFLite Micro's, aiot's): the
// scale in float rounded to 10 bits, positions in 2^10ths, the lower index
// truncated, the four weights' product in 2^20ths rounded half away from
// zero (same quantization in and out, so no requantization follows).
struct RefTap {
	int lo, hi;
	int32_t pos10;
};

inline RefTap RefBilinearTap(int o, int in, int out, bool align, bool half)
{
	float scale = float(in) / float(out);
	if (align && out > 1)
		scale = float(in - 1) / float(out - 1);
	const int32_t scale10 = int32_t(std::round(scale * 1024.0f));
	RefTap t;
	t.pos10 = o * scale10 + (half ? scale10 / 2 - 512 : 0);
	t.lo = std::max(t.pos10 / 1024, 0);
	t.hi = std::min((t.pos10 + 1023) / 1024, in - 1);
	return t;
}

inline int32_t RefBilinearElement(const Resize &r, const int8_t *in, int oy, int ox, int c)
{
	const RefTap ty = RefBilinearTap(oy, r.H, r.OH, r.align, r.half);
	const RefTap tx = RefBilinearTap(ox, r.W, r.OW, r.align, r.half);
	auto at = [&](int y, int x) { return int64_t(in[(size_t(y) * r.W + x) * r.C + c]); };
	const int64_t fy = ty.pos10 - 1024 * ty.lo, fx = tx.pos10 - 1024 * tx.lo;
	const int64_t sum = at(ty.lo, tx.lo) * (1024 - fy) * (1024 - fx) +
			    at(ty.hi, tx.lo) * fy * (1024 - fx) +
			    at(ty.lo, tx.hi) * (1024 - fy) * fx + at(ty.hi, tx.hi) * fy * fx;
	const int64_t half = sum > 0 ? (1 << 19) : -(1 << 19);
	return int32_t((sum + half) / (1 << 20)); // division truncates toward zero
}

// ---- int8 MEAN and SUM: the sum of the reduced elements, rescaled --------

struct Reduce {
	float in_scale, out_scale;
	int32_t in_zp, out_zp;
	int64_t n; // elements reduced into each output
	bool sum;
};

// TFLite's QuantizedMeanOrSum (reference_ops and optimized_ops alike; the
// path its MEAN takes unless the axes are 1 and 2 of a 4-D input kept or
// the quantizations are equal, and its int8 SUM whenever they differ): in
// float, the ratio input/output scale and a bias -zp * ratio (times n for
// SUM); MEAN divides the float sum by n first. Rounded half away from
// zero; MEAN saturates, SUM's int32 is cast to int8 (wraps).
inline int32_t TfliteFloatReduce(const Reduce &r, int32_t sum)
{
	const float scale = r.in_scale / r.out_scale;
	if (r.sum) {
		const float bias = float(-r.in_zp) * scale * float(r.n);
		const int32_t v = int32_t(std::round(float(sum) * scale + bias)) + r.out_zp;
		return int8_t(uint8_t(v & 0xff));
	}
	const float bias = float(-r.in_zp) * scale;
	const float mean = float(sum) / float(r.n);
	const float v = std::round(mean * scale + bias) + float(r.out_zp);
	return int32_t(std::min(std::max(v, -128.0f), 127.0f));
}

// TFLite Micro's integer QuantizedMeanOrSum (aiot's REDUCE): the sum less
// n * zp through MultiplyByQuantizedMultiplier (double rounding); MEAN's
// multiplier first divided by n, with 2^s, s = floor(log2 n) at most 32
// and at most 31 + shift, moved into it from the shift.
inline int32_t TflmIntegerReduce(const Reduce &r, int32_t sum)
{
	int32_t m;
	int shift;
	QuantizeMultiplier(double(r.in_scale) / double(r.out_scale), &m, &shift);
	if (!r.sum) {
		int s = 0;
		while (s < 63 && (int64_t(1) << (s + 1)) <= r.n)
			s++;
		s = std::min(std::min(s, 32), 31 + shift);
		m = int32_t((int64_t(m) << s) / r.n);
		shift -= s;
	}
	const int32_t v = MultiplyDoubleRounding(sum - int32_t(r.n) * r.in_zp, m, shift) + r.out_zp;
	return std::min(std::max(v, -128), 127);
}


// int16 SOFTMAX. aiot follows TensorFlow Lite Micro, whose SoftmaxPrepare
// computes its two 513-entry tables with gen_lut in float (expf, float
// 1/(1+x)) and the input multiplier from double(scale) * double(beta);
// TensorFlow Lite's own SoftmaxPrepare computes the same tables in double
// (gen_lut<double>, later LUTPopulate<double>) and the multiplier from the
// float product scale * beta. The tables differ: two entries of 1/(1+x)
// (160 and 294) are one lower or higher in float, so a row whose
// normalised sum interpolates next to them can come out one apart. The
// kernel is the same (reference_ops::SoftmaxInt16), written out here.
template <typename F> void SoftmaxGenLut(bool exp, int16_t *lut)
{
	const F lo = F(0), hi = exp ? F(-10) : F(1);
	const F in_min = exp ? hi : lo, in_max = exp ? lo : hi;
	auto f = [exp](F x) { return exp ? F(std::exp(x)) : F(1) / (F(1) + x); };
	const F step = (in_max - in_min) / 512, half = step / 2;
	const F inv = F(65536) / (F(1) - F(-1));
	auto clamp = [](F v) { return std::min(std::max(v, F(-32768)), F(32767)); };
	for (int i = 0; i < 512; i++) {
		const F v = f(in_min + i * step), v_mid = f(in_min + i * step + half);
		const F v_next = f(in_min + (i + 1) * step);
		const F line = std::round((v_next * inv + std::round(v * inv)) / 2);
		const F bias = std::round((line - std::round(v_mid * inv)) / 2);
		lut[i] = int16_t(clamp(std::round(v * inv) - bias));
	}
	lut[512] = int16_t(clamp(std::round(f(in_max) * inv)));
}

// The interpolating int16 lookup (int16 slope and result, wrapping).
inline int16_t SoftmaxLookup(int16_t v, const int16_t *lut)
{
	const int i = 256 + (v >> 7), o = v & 0x7f;
	const int16_t slope = int16_t(uint16_t(lut[i + 1] - lut[i]));
	return int16_t(uint16_t(lut[i] + ((slope * o + 64) >> 7)));
}

// reference_ops::SoftmaxInt16 over rows of depth values.
inline std::vector<int32_t> SoftmaxInt16(const std::vector<int16_t> &x, size_t depth,
					 int32_t m, int shift, const int16_t *exp_lut,
					 const int16_t *recip_lut)
{
	std::vector<int32_t> y(x.size());
	for (size_t r = 0; r < x.size() / depth; r++) {
		const int16_t *in = &x[r * depth];
		int32_t *out = &y[r * depth];
		const int16_t max = *std::max_element(in, in + depth);
		int32_t sum = 0;
		for (size_t c = 0; c < depth; c++) {
			int32_t s = MultiplyDoubleRounding(in[c] - max, m, shift) + 32767;
			out[c] = SoftmaxLookup(int16_t(std::min(std::max(s, -32768), 32767)),
					       exp_lut);
			sum += out[c];
		}
		int h = 0;
		while (!(uint32_t(sum) << h & 0x80000000u))
			h++;
		const int32_t n = int32_t(((int64_t(sum) << (h - 1)) + (1 << 13)) >> 14);
		const int16_t recip = SoftmaxLookup(
			int16_t(std::min(std::max(n - 98304, -32768), 32767)), recip_lut);
		const int k = 31 - h;
		for (size_t c = 0; c < depth; c++) {
			const int64_t v = (int64_t(out[c]) * recip + (int64_t(1) << (k - 1))) >> k;
			out[c] = int32_t(std::min<int64_t>(std::max<int64_t>(v, 0), 32767));
		}
	}
	return y;
}

} // namespace tflite_check

#endif // AIOT_TESTS_TFLITE_CHECK_ROUNDING_H
