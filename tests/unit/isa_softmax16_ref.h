// SPDX-License-Identifier: GPL-2.0-only OR MIT
//
// An INDEPENDENT transcription of TensorFlow Lite Micro's int16 softmax,
// written from its definitions, for the ISA 1.9 tests
// (isa_softmax_s16_test.cc) and the lowering test (compile_softmax16_test.cc):
// - the two tables of SoftmaxPrepare: gen_lut<float, int16_t, int16_t> of
//   exp over [-10, 0] and of 1 / (1 + x) over [0, 1], outputs in [-1, 1],
//   float arithmetic and std::round as TfLiteRound does;
// - the input multiplier: QuantizeMultiplier(double(input scale) *
//   double(beta) / (10.0 / 65535.0));
// - reference_ops::SoftmaxInt16 with the interpolating int16 lookup.
#ifndef AIOT_ISA_SOFTMAX16_REF_H
#define AIOT_ISA_SOFTMAX16_REF_H

#include <cmath>
#include <cstdint>
#include <vector>

#include "isa_test_util.h"

namespace isa_test {
namespace refsm16 {

constexpr int kLutSize = 513;

using Lut = std::vector<int16_t>;

inline Lut GenLut(float (*f)(float), float in_min, float in_max,
		  float out_min, float out_max)
{
	const int steps = 512;
	const float step = (in_max - in_min) / steps;
	const float half_step = step / 2;
	const float scale_inv = float(32767 - (-32768) + 1) / (out_max - out_min);
	Lut lut(kLutSize);
	for (int i = 0; i < steps; i++) {
		const float v = f(in_min + i * step);
		const float v_mid = f(in_min + i * step + half_step);
		const float v_next = f(in_min + (i + 1) * step);
		const float sample = std::round(v * scale_inv);
		const float mid_interp =
			std::round((v_next * scale_inv + std::round(v * scale_inv)) / 2);
		const float mid = std::round(v_mid * scale_inv);
		const float bias = std::round((mid_interp - mid) / 2);
		lut[i] = int16_t(std::min(std::max(sample - bias, -32768.0f), 32767.0f));
	}
	lut[steps] = int16_t(std::min(
		std::max(std::round(f(in_max) * scale_inv), -32768.0f), 32767.0f));
	return lut;
}

inline float ExpF(float x) { return std::exp(x); }
inline float OneOverOnePlusX(float x) { return 1.0f / (1.0f + x); }

inline Lut ExpLut() { return GenLut(ExpF, -10.0f, 0.0f, -1.0f, 1.0f); }
inline Lut RecipLut() { return GenLut(OneOverOnePlusX, 0.0f, 1.0f, -1.0f, 1.0f); }

// The int16 lookup: 9 bits index, 7 bits interpolate; int16 wrap-around
// of the slope and of the result as in TFLite (two's complement).
inline int16_t Lookup(int16_t value, const Lut &lut)
{
	const uint16_t index = uint16_t(256 + (value >> 7));
	const int16_t offset = int16_t(value & 0x7f);
	const int16_t base = lut[index];
	const int16_t slope = int16_t(uint16_t(lut[index + 1] - lut[index]));
	const int delta = (slope * offset + 64) >> 7;
	return int16_t(uint16_t(base + delta));
}

inline void InputMultiplier(float input_scale, float beta, int32_t *m, int *shift)
{
	ref::QuantizeMultiplier(double(input_scale) * double(beta) / (10.0 / 65535.0),
				m, shift);
}

inline int CountLeadingZeros32(uint32_t x)
{
	int n = 0;
	if (!x)
		return 32;
	while (!(x & 0x80000000u)) {
		x <<= 1;
		n++;
	}
	return n;
}

// reference_ops::SoftmaxInt16 over rows of `depth` elements. Defined (as
// in TFLite) when each row's sum of exps is at least 2, which the tables
// above always give; `sums`, if given, receives each row's sum.
inline std::vector<int16_t> Softmax(const std::vector<int16_t> &in, size_t depth,
				    int32_t mult, int shift, const Lut &exp_lut,
				    const Lut &recip_lut,
				    std::vector<int32_t> *sums = nullptr)
{
	std::vector<int16_t> out(in.size());
	for (size_t r = 0; r < in.size() / depth; r++) {
		const int16_t *x = &in[r * depth];
		int16_t *y = &out[r * depth];
		int16_t max = INT16_MIN;
		for (size_t c = 0; c < depth; c++)
			max = std::max(max, x[c]);
		int32_t sum = 0;
		for (size_t c = 0; c < depth; c++) {
			int32_t diff = x[c] - max;
			int32_t scaled = ref::MBQM(diff, mult, shift);
			int32_t sym = scaled + 32767;
			int16_t sat = int16_t(std::min(std::max(sym, -32768), 32767));
			y[c] = Lookup(sat, exp_lut);
			sum += y[c];
		}
		if (sums)
			sums->push_back(sum);
		EXPECT_GE(sum, 2) << "outside TFLite's defined domain";
		if (sum < 2)
			continue;
		uint8_t headroom_plus_one = uint8_t(CountLeadingZeros32(uint32_t(sum)));
		int32_t shifted_sum = int32_t(
			((int64_t(sum) << (headroom_plus_one - 1)) + (1 << 13)) >> 14);
		int32_t sym_sum = shifted_sum + (-((1 << 15) + (1 << 16)));
		int16_t sat_sum = int16_t(std::min(std::max(sym_sum, -32768), 32767));
		int16_t recip = Lookup(sat_sum, recip_lut);
		for (size_t c = 0; c < depth; c++) {
			uint8_t right_shift = uint8_t(31 - headroom_plus_one);
			int64_t round = int64_t(1) << (right_shift - 1);
			int32_t res = int32_t((int64_t(y[c]) * int64_t(recip) + round) >>
					      right_shift);
			y[c] = int16_t(std::min(std::max(res, 0), 32767));
		}
	}
	return out;
}

} // namespace refsm16
} // namespace isa_test

#endif // AIOT_ISA_SOFTMAX16_REF_H
