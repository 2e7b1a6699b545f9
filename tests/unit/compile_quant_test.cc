// SPDX-License-Identifier: GPL-2.0-only
// TFLite quantization arithmetic: multiplier/shift, activation ranges,
// softmax scaling, padding.
#include <gtest/gtest.h>

#include <cerrno>
#include <cmath>
#include <limits>
#include <random>

#include "compile_test_util.h"

using namespace compile_test;

namespace {

struct MS {
	int32_t multiplier;
	int shift;
};

MS Quantize(double real, int expect_rc = 0)
{
	MS r{-1, -1};
	EXPECT_EQ(quant_quantize_multiplier(real, &r.multiplier, &r.shift), expect_rc) << real;
	return r;
}

TEST(QuantizeMultiplier, Zero)
{
	MS r = Quantize(0.0);
	EXPECT_EQ(r.multiplier, 0);
	EXPECT_EQ(r.shift, 0);
}

TEST(QuantizeMultiplier, ExactPowersOfTwo)
{
	MS half = Quantize(0.5);
	EXPECT_EQ(half.multiplier, 1 << 30);
	EXPECT_EQ(half.shift, 0);
	MS one = Quantize(1.0);
	EXPECT_EQ(one.multiplier, 1 << 30);
	EXPECT_EQ(one.shift, 1);
	MS quarter = Quantize(0.25);
	EXPECT_EQ(quarter.multiplier, 1 << 30);
	EXPECT_EQ(quarter.shift, -1);
}

TEST(QuantizeMultiplier, KnownValues)
{
	MS r = Quantize(0.75);
	EXPECT_EQ(r.multiplier, 1610612736); // 0.75 * 2^31
	EXPECT_EQ(r.shift, 0);
	r = Quantize(2.5);                   // 0.625 * 2^2
	EXPECT_EQ(r.multiplier, 1342177280);
	EXPECT_EQ(r.shift, 2);
	r = Quantize(1.0 / 3.0);             // 0.666.. * 2^-1, rounded
	EXPECT_EQ(r.multiplier, 1431655765);
	EXPECT_EQ(r.shift, -1);
	r = Quantize(0.1);                   // 0.8 * 2^-3
	EXPECT_EQ(r.multiplier, 1717986918);
	EXPECT_EQ(r.shift, -3);
}

TEST(QuantizeMultiplier, RoundingUpTo2Pow31Renormalizes)
{
	// q * 2^31 rounds to exactly 2^31: TFLite halves it and bumps the shift.
	MS r = Quantize(1.0 - std::ldexp(1.0, -40));
	EXPECT_EQ(r.multiplier, 1 << 30);
	EXPECT_EQ(r.shift, 1);
	r = Quantize(0.5 - std::ldexp(1.0, -40));
	EXPECT_EQ(r.multiplier, 1 << 30);
	EXPECT_EQ(r.shift, 0);
	// just below the rounding threshold stays at 2^31 - 1
	r = Quantize(1.0 - std::ldexp(1.0, -31));
	EXPECT_EQ(r.multiplier, INT32_MAX);
	EXPECT_EQ(r.shift, 0);
}

TEST(QuantizeMultiplier, TinyValuesFlushToZero)
{
	MS r = Quantize(std::ldexp(1.0, -32)); // frexp: 0.5 * 2^-31, still kept
	EXPECT_EQ(r.multiplier, 1 << 30);
	EXPECT_EQ(r.shift, -31);
	r = Quantize(std::ldexp(1.0, -33));    // shift -32: flushed
	EXPECT_EQ(r.multiplier, 0);
	EXPECT_EQ(r.shift, 0);
	r = Quantize(1e-12);
	EXPECT_EQ(r.multiplier, 0);
	EXPECT_EQ(r.shift, 0);
	r = Quantize(std::numeric_limits<double>::denorm_min());
	EXPECT_EQ(r.multiplier, 0);
	EXPECT_EQ(r.shift, 0);
}

TEST(QuantizeMultiplier, LargeAndInvalid)
{
	MS r = Quantize(1000.0);
	EXPECT_EQ(r.shift, 10);
	EXPECT_EQ(r.multiplier, 2097152000); // 1000/1024 * 2^31
	r = Quantize(std::ldexp(1.0, 30));
	EXPECT_EQ(r.shift, 31);
	Quantize(std::ldexp(1.0, 31), -ERANGE);
	Quantize(1e300, -ERANGE);
	Quantize(-0.5, -EDOM);
	Quantize(std::nan(""), -EDOM);
	Quantize(std::numeric_limits<double>::infinity(), -EDOM);
}

TEST(QuantizeMultiplier, ReconstructsTheRealValue)
{
	std::mt19937_64 rng(7);
	std::uniform_real_distribution<double> exponent(-30.0, 20.0);
	for (int i = 0; i < 20000; i++) {
		double real = std::exp2(exponent(rng));
		MS r = Quantize(real);
		ASSERT_GE(r.multiplier, 1 << 30);
		double back = std::ldexp((double)r.multiplier, r.shift - 31);
		ASSERT_LE(std::fabs(back - real) / real, std::ldexp(1.0, -31)) << real;
	}
}

TEST(PerChannel, UsesDoubleProductAndBroadcasts)
{
	const float input = 0.0078431377f, output = 0.023528477f;
	const float filters[3] = {0.0163588561f, 0.002f, 0.03f};
	int32_t m[3], s[3];
	ASSERT_EQ(quant_per_channel_multipliers(input, filters, 3, output, 3, m, s), 0);
	for (int c = 0; c < 3; c++) {
		int32_t em;
		int es;
		quant_quantize_multiplier((double)input * (double)filters[c] / (double)output,
					  &em, &es);
		EXPECT_EQ(m[c], em);
		EXPECT_EQ(s[c], es);
	}
	int32_t mb[4], sb[4];
	ASSERT_EQ(quant_per_channel_multipliers(input, filters, 1, output, 4, mb, sb), 0);
	for (int c = 0; c < 4; c++) {
		EXPECT_EQ(mb[c], m[0]);
		EXPECT_EQ(sb[c], s[0]);
	}
	EXPECT_EQ(quant_per_channel_multipliers(input, filters, 2, output, 3, m, s), -EINVAL);
	EXPECT_EQ(quant_per_channel_multipliers(input, filters, 3, 0.0f, 3, m, s), -EDOM);
	const float bad[1] = {-1.0f};
	EXPECT_EQ(quant_per_channel_multipliers(input, bad, 1, output, 3, m, s), -EDOM);
}

TEST(FullyConnected, RoundsTheProductToFloatFirst)
{
	// Find scales where float(a*b) differs from (double)a*(double)b
	// enough to change the multiplier: TFLite's FC path uses the former.
	std::mt19937 rng(3);
	std::uniform_real_distribution<float> dist(0.001f, 0.1f);
	int differing = 0;
	for (int i = 0; i < 5000; i++) {
		float a = dist(rng), b = dist(rng), c = dist(rng);
		int32_t m, em, dm;
		int s, es, ds;
		ASSERT_EQ(quant_fully_connected_multiplier(a, b, c, &m, &s), 0);
		float product = a * b;
		quant_quantize_multiplier((double)product / (double)c, &em, &es);
		quant_quantize_multiplier((double)a * (double)b / (double)c, &dm, &ds);
		ASSERT_EQ(m, em);
		ASSERT_EQ(s, es);
		differing += (dm != em || ds != es);
	}
	EXPECT_GT(differing, 0) << "test should exercise the float rounding";
}

TEST(FullyConnected, HelloWorldFirstLayer)
{
	// hello_world_int8 op 0: input 0.0244801156, weights 0.0040390091,
	// output 0.013325124 (scales as stored in the file).
	int32_t m;
	int s;
	ASSERT_EQ(quant_fully_connected_multiplier(0.0244801156f, 0.0040390091f,
						   0.013325124f, &m, &s), 0);
	EXPECT_EQ(s, -7); // 0.00742 = 0.95 * 2^-7
	double back = std::ldexp((double)m, s - 31);
	EXPECT_NEAR(back, 0.0244801156 * 0.0040390091 / 0.013325124, 1e-8);
}

TEST(ActivationRange, Int8)
{
	int32_t lo, hi;
	ASSERT_EQ(quant_activation_range(TFLITE_ACT_NONE, 0.05f, 10, -128, 127, &lo, &hi), 0);
	EXPECT_EQ(lo, -128);
	EXPECT_EQ(hi, 127);
	ASSERT_EQ(quant_activation_range(TFLITE_ACT_RELU, 0.05f, 10, -128, 127, &lo, &hi), 0);
	EXPECT_EQ(lo, 10);
	EXPECT_EQ(hi, 127);
	ASSERT_EQ(quant_activation_range(TFLITE_ACT_RELU6, 0.05f, 10, -128, 127, &lo, &hi), 0);
	EXPECT_EQ(lo, 10);
	EXPECT_EQ(hi, 127); // 10 + 120 = 130, clamped
	ASSERT_EQ(quant_activation_range(TFLITE_ACT_RELU6, 0.1f, -20, -128, 127, &lo, &hi), 0);
	EXPECT_EQ(lo, -20);
	EXPECT_EQ(hi, 40);
	ASSERT_EQ(quant_activation_range(TFLITE_ACT_RELU_N1_TO_1, 0.05f, 10, -128, 127,
					 &lo, &hi), 0);
	EXPECT_EQ(lo, -10);
	EXPECT_EQ(hi, 30);
	// RELU6 with the usual [0, 6] -> [-128, 127] quantization
	ASSERT_EQ(quant_activation_range(TFLITE_ACT_RELU6, 6.0f / 255, -128, -128, 127,
					 &lo, &hi), 0);
	EXPECT_EQ(lo, -128);
	EXPECT_EQ(hi, 127);
	// round half away from zero: 0.5 / 1.0 -> 1 (zp 0)
	ASSERT_EQ(quant_activation_range(TFLITE_ACT_RELU_N1_TO_1, 2.0f, 0, -128, 127,
					 &lo, &hi), 0);
	EXPECT_EQ(lo, -1);
	EXPECT_EQ(hi, 1);
	EXPECT_EQ(quant_activation_range(TFLITE_ACT_TANH, 0.05f, 0, -128, 127, &lo, &hi),
		  -EOPNOTSUPP);
	EXPECT_EQ(quant_activation_range(17, 0.05f, 0, -128, 127, &lo, &hi), -EINVAL);
	EXPECT_EQ(quant_activation_range(TFLITE_ACT_RELU, 0.0f, 0, -128, 127, &lo, &hi), -EDOM);
	EXPECT_EQ(quant_activation_range(TFLITE_ACT_RELU6, 1e-30f, 0, -128, 127, &lo, &hi),
		  -ERANGE);
	int32_t qmin, qmax;
	ASSERT_EQ(quant_type_range(TFLITE_TYPE_INT8, &qmin, &qmax), 0);
	EXPECT_EQ(qmin, -128);
	EXPECT_EQ(qmax, 127);
	EXPECT_EQ(quant_type_range(TFLITE_TYPE_FLOAT32, &qmin, &qmax), -EINVAL);
}

TEST(Softmax, PowerOfTwoScale)
{
	// beta 1, scale 1/16: real = 2^-4 * 2^26 = 2^22 -> (2^30, 23);
	// diff_min = -floor(31 * 2^26 / 2^23) = -248
	quant_softmax_scaling p;
	ASSERT_EQ(quant_softmax_params(1.0f, 1.0f / 16, &p), 0);
	EXPECT_EQ(p.input_multiplier, 1 << 30);
	EXPECT_EQ(p.input_left_shift, 23);
	EXPECT_EQ(p.diff_min, -248);
}

TEST(Softmax, GeneralScaleAndCap)
{
	quant_softmax_scaling p;
	ASSERT_EQ(quant_softmax_params(1.0f, 0.1f, &p), 0);
	int32_t m;
	int s;
	quant_quantize_multiplier(1.0 * (double)0.1f * (1 << 26), &m, &s);
	EXPECT_EQ(p.input_multiplier, m);
	EXPECT_EQ(p.input_left_shift, s);
	EXPECT_EQ(p.input_left_shift, 23);
	EXPECT_EQ(p.diff_min, -(int32_t)std::floor(31.0 * (1 << 26) / (1 << 23)));
	// beta * scale * 2^26 beyond 2^31 - 1 is capped there
	ASSERT_EQ(quant_softmax_params(1.0f, 1000.0f, &p), 0);
	EXPECT_EQ(p.input_left_shift, 31); // 2^31 - 1 = (1 - 2^-31) * 2^31, exact
	EXPECT_EQ(p.input_multiplier, INT32_MAX);
	EXPECT_EQ(p.diff_min, 0); // floor(31 * 2^26 / 2^31) = 0
	// too small to be a left shift: TFLite would CHECK-fail
	EXPECT_EQ(quant_softmax_params(1.0f, 1e-9f, &p), -ERANGE);
	EXPECT_EQ(quant_softmax_params(0.0f, 0.1f, &p), -EDOM);
	EXPECT_EQ(quant_softmax_params(NAN, 0.1f, &p), -EDOM);
}

quant_padding Pad(int padding, int in, int filter, int stride, int dilation, int rc = 0)
{
	quant_padding p{-1, -1, -1};
	EXPECT_EQ(quant_compute_padding(padding, in, filter, stride, dilation, &p), rc);
	return p;
}

TEST(Padding, SameAndValid)
{
	quant_padding p = Pad(TFLITE_PADDING_SAME, 96, 3, 2, 1); // person_detect op 0
	EXPECT_EQ(p.out_size, 48);
	EXPECT_EQ(p.pad_before, 0);
	EXPECT_EQ(p.pad_extra, 1);
	p = Pad(TFLITE_PADDING_SAME, 48, 3, 1, 1);
	EXPECT_EQ(p.out_size, 48);
	EXPECT_EQ(p.pad_before, 1);
	EXPECT_EQ(p.pad_extra, 0);
	p = Pad(TFLITE_PADDING_VALID, 3, 3, 2, 1); // person_detect average pool
	EXPECT_EQ(p.out_size, 1);
	EXPECT_EQ(p.pad_before, 0);
	EXPECT_EQ(p.pad_extra, 0);
	p = Pad(TFLITE_PADDING_VALID, 10, 3, 2, 1);
	EXPECT_EQ(p.out_size, 4);
	p = Pad(TFLITE_PADDING_SAME, 49, 10, 2, 1); // micro_speech depthwise (H)
	EXPECT_EQ(p.out_size, 25);
	EXPECT_EQ(p.pad_before, 4);
	EXPECT_EQ(p.pad_extra, 1);
	p = Pad(TFLITE_PADDING_SAME, 10, 3, 1, 2); // dilation 2: effective 5
	EXPECT_EQ(p.out_size, 10);
	EXPECT_EQ(p.pad_before, 2);
	EXPECT_EQ(p.pad_extra, 0);
	p = Pad(TFLITE_PADDING_VALID, 10, 3, 1, 2);
	EXPECT_EQ(p.out_size, 6);
	p = Pad(TFLITE_PADDING_SAME, 1, 5, 1, 1); // filter wider than input
	EXPECT_EQ(p.out_size, 1);
	EXPECT_EQ(p.pad_before, 2);
}

TEST(Padding, Rejects)
{
	Pad(TFLITE_PADDING_SAME, 10, 3, 0, 1, -EINVAL);
	Pad(TFLITE_PADDING_SAME, 10, 3, 1, 0, -EINVAL);
	Pad(TFLITE_PADDING_SAME, 0, 3, 1, 1, -EINVAL);
	Pad(TFLITE_PADDING_SAME, 10, 0, 1, 1, -EINVAL);
	Pad(TFLITE_PADDING_VALID, 2, 3, 1, 1, -EINVAL);
	Pad(7, 10, 3, 1, 1, -EINVAL);
	Pad(TFLITE_PADDING_SAME, INT32_MAX, INT32_MAX, 1, INT32_MAX, -ERANGE);
	quant_padding p = Pad(TFLITE_PADDING_VALID, INT32_MAX, 1, 1, 1);
	EXPECT_EQ(p.out_size, INT32_MAX);
}

} // namespace
