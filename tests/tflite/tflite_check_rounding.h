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
#ifndef AIOT_TESTS_TFLITE_CHECK_ROUNDING_H
#define AIOT_TESTS_TFLITE_CHECK_ROUNDING_H

#include <algorithm>
#include <cmath>
#include <cstdint>

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

} // namespace tflite_check

#endif // AIOT_TESTS_TFLITE_CHECK_ROUNDING_H
