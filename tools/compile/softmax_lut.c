// SPDX-License-Identifier: GPL-2.0-only
/*
 * The int16 SOFTMAX tables as TensorFlow Lite Micro's SoftmaxPrepare
 * makes them: gen_lut<float, int16_t, int16_t> with outputs in [-1, 1]
 * (so 32768 per unit), 512 steps plus the end point, each entry the
 * rounded sample corrected by half the rounded error of linear
 * interpolation at the step's midpoint.
 *
 * Bit-exactness needs TFLM's float arithmetic: every value is a float,
 * the functions are expf() and a float reciprocal, rounding is roundf()
 * (TfLiteRound: half away from zero). ISO C (-std=c11) keeps GCC from
 * fusing the multiply-adds, which TFLM does not do either.
 */
#include "softmax_lut.h"

#include <math.h>

static float lut_clamp16(float v)
{
	return fminf(fmaxf(v, -32768.0f), 32767.0f);
}

static void softmax_lut_gen(float (*f)(float), float in_min, float in_max,
			    int16_t lut[SOFTMAX_LUT_ENTRIES])
{
	const int steps = SOFTMAX_LUT_ENTRIES - 1;
	/* outputs -1..1 onto int16's 65536 values */
	const float out_min = -1.0f, out_max = 1.0f;
	const float scale_inv = 65536.0f / (out_max - out_min);
	const float step = (in_max - in_min) / (float)steps;
	const float half_step = step / 2;

	for (int i = 0; i < steps; i++) {
		float x = in_min + (float)i * step;
		float v = f(x);
		float v_mid = f(x + half_step);
		float v_next = f(in_min + (float)(i + 1) * step);
		float sample = roundf(v * scale_inv);
		/* where the straight line between the samples passes the midpoint */
		float mid_line = roundf((v_next * scale_inv + sample) / 2);
		float mid = roundf(v_mid * scale_inv);
		float bias = roundf((mid_line - mid) / 2);

		lut[i] = (int16_t)lut_clamp16(sample - bias);
	}
	lut[steps] = (int16_t)lut_clamp16(roundf(f(in_max) * scale_inv));
}

static float lut_exp(float x)
{
	return expf(x);
}

static float lut_one_over_one_plus_x(float x)
{
	return 1.0f / (1.0f + x);
}

void softmax_lut_exp(int16_t lut[SOFTMAX_LUT_ENTRIES])
{
	/* exp(-10) * 32768 < 2: what lies below adds nothing to a sum */
	softmax_lut_gen(lut_exp, -10.0f, 0.0f, lut);
}

void softmax_lut_one_over_one_plus_x(int16_t lut[SOFTMAX_LUT_ENTRIES])
{
	softmax_lut_gen(lut_one_over_one_plus_x, 0.0f, 1.0f, lut);
}
