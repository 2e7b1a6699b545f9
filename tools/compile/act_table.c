// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tables of TFLite Micro's int8 LOGISTIC, TANH and HARD_SWISH (see
 * act_table.h): the parameters are derived in floating point exactly as
 * the kernels' Prepare() does, then each of the 256 inputs goes through
 * the kernel's integer arithmetic, written here from the definitions of
 * gemmlowp's fixed-point primitives.
 */
#include "act_table.h"
#include "quant.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>

/* ---- 32-bit gemmlowp primitives ----------------------------------------- */

static int32_t srdhm(int32_t a, int32_t b)
{
	int64_t ab = (int64_t)a * b;
	int64_t nudge = ab >= 0 ? (1LL << 30) : 1 - (1LL << 30);

	if (a == INT32_MIN && b == INT32_MIN)
		return INT32_MAX;
	return (int32_t)((ab + nudge) / (1LL << 31));
}

static int32_t rdbpot(int32_t x, int e)
{
	int32_t mask = (int32_t)((1LL << e) - 1);
	int32_t threshold = (mask >> 1) + (x < 0);

	return (x >> e) + ((x & mask) > threshold);
}

/* SaturatingRoundingMultiplyByPOT with a positive exponent. */
static int32_t sat_shl(int32_t x, int e)
{
	int64_t v = (int64_t)x * (1LL << e);

	return v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : (int32_t)v;
}

static int32_t wrap_add(int32_t a, int32_t b)
{
	return (int32_t)((uint32_t)a + (uint32_t)b);
}

static int32_t wrap_sub(int32_t a, int32_t b)
{
	return (int32_t)((uint32_t)a - (uint32_t)b);
}

/* exp(a) for a in [-1/4, 0), 0 integer bits in and out. */
static int32_t exp_quarter(int32_t a)
{
	const int32_t exp_minus_one_eighth = 1895147668, one_third = 715827883;
	int32_t x = wrap_add(a, 1 << 28);
	int32_t x2 = srdhm(x, x), x3 = srdhm(x2, x), x4 = srdhm(x2, x2);
	int32_t poly = srdhm(wrap_add(rdbpot(x4, 2), x3), one_third);

	poly = rdbpot(wrap_add(poly, x2), 1);
	return wrap_add(exp_minus_one_eighth, srdhm(exp_minus_one_eighth, wrap_add(x, poly)));
}

/* exp(a) for a <= 0 with int_bits (<= 5) integer bits; 0 integer bits out. */
static int32_t exp_on_negative_values(int32_t a, int int_bits)
{
	static const int32_t barrel[7] = {
		1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242,
	};
	const int frac = 31 - int_bits;
	const int32_t quarter = 1 << (frac - 2);
	int32_t amq = wrap_sub(a & (quarter - 1), quarter);
	int32_t result = exp_quarter(sat_shl(amq, int_bits));
	int32_t remainder = wrap_sub(amq, a);

	for (int k = -2; k <= 4; k++)
		if (int_bits > k && ((uint32_t)remainder & (1u << (frac + k))))
			result = srdhm(result, barrel[k + 2]);
	return a == 0 ? INT32_MAX : result;
}

/* Newton-Raphson x ~ 1 / half_den with 2 integer bits. */
static int32_t newton_reciprocal(int32_t a)
{
	int64_t sum = (int64_t)a + INT32_MAX;
	int32_t half_den = (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
	int32_t x = wrap_add(1515870810, srdhm(half_den, -1010580540));

	for (int i = 0; i < 3; i++) {
		int32_t one_minus = wrap_sub(1 << 29, srdhm(half_den, x));

		x = wrap_add(x, sat_shl(srdhm(x, one_minus), 2));
	}
	return x;
}

static int32_t logistic_q0(int32_t a)
{
	int32_t r;

	if (a == 0)
		return 1 << 30;
	r = newton_reciprocal(exp_on_negative_values(a > 0 ? -a : a, 4));
	r = sat_shl(r, 1); /* 1 / (1 + x): x / 2 back to 0 integer bits */
	return a > 0 ? r : wrap_sub(INT32_MAX, r);
}

static int32_t tanh_q0(int32_t a)
{
	int32_t t;

	if (a == 0)
		return 0;
	/* exp(2n) for n = -|a|: the raw value read with 5 integer bits */
	t = newton_reciprocal(exp_on_negative_values(a < 0 ? a : -a, 5));
	t = sat_shl(wrap_sub(t, 1 << 29), 2); /* (1 - x) / (1 + x) */
	return a < 0 ? -t : t;
}

/*
 * Prepare() of LOGISTIC and TANH: the input scale times 2^27 as a Q31
 * multiplier and its exponent (frexp, TfLiteRound), and the input radius
 * beyond which the output saturates (CalculateInputRadius).
 */
static int sigmoid_params(float in_scale, int32_t *mult, int *shift, int64_t *radius)
{
	double q;
	int64_t m;

	if (!(in_scale > 0.0f) || !isfinite(in_scale))
		return -EDOM;
	q = frexp((double)in_scale * (double)(1 << 27), shift);
	m = (int64_t)round(q * (double)(1LL << 31));
	/* negative shifts are undefined in TFLite; 2^31 overflows its int32 */
	if (*shift < 0 || *shift > 62 || m >= (1LL << 31))
		return -ERANGE;
	*mult = (int32_t)m;
	*radius = (int64_t)floor(1.0 * 15 * (double)(1LL << 27) / (double)(1LL << *shift));
	return 0;
}

/* MultiplyByQuantizedMultiplier on an input inside the radius (no overflow). */
static int32_t mbqm(int32_t x, int32_t m, int shift)
{
	int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;

	return rdbpot(srdhm((int32_t)((int64_t)x * (1LL << left)), m), right);
}

static int sigmoid_table(float in_scale, int32_t in_zp, bool tanh_not_logistic,
			 int8_t table[ACT_TABLE_ENTRIES])
{
	int32_t mult, v;
	int64_t radius;
	int shift, rc;

	rc = sigmoid_params(in_scale, &mult, &shift, &radius);
	if (rc)
		return rc;
	if (in_zp < -128 || in_zp > 127)
		return -EINVAL;
	for (int i = 0; i < ACT_TABLE_ENTRIES; i++) {
		int32_t x = i - 128 - in_zp;

		if (x <= -radius) {
			table[i] = INT8_MIN;
			continue;
		}
		if (x >= radius) {
			table[i] = INT8_MAX;
			continue;
		}
		v = mbqm(x, mult, shift);
		if (tanh_not_logistic) {
			v = rdbpot(tanh_q0(v), 31 - 7);
		} else {
			v = rdbpot(logistic_q0(v), 31 - 8) - 128;
		}
		table[i] = (int8_t)(v < INT8_MIN ? INT8_MIN : v > INT8_MAX ? INT8_MAX : v);
	}
	return 0;
}

int act_table_logistic(float in_scale, int32_t in_zp, int8_t table[ACT_TABLE_ENTRIES])
{
	return sigmoid_table(in_scale, in_zp, false, table);
}

int act_table_tanh(float in_scale, int32_t in_zp, int8_t table[ACT_TABLE_ENTRIES])
{
	return sigmoid_table(in_scale, in_zp, true, table);
}

/* ---- 16-bit primitives of HARD_SWISH ------------------------------------ */

static int16_t s16_srdhm(int16_t a, int16_t b)
{
	int32_t ab = (int32_t)a * b;
	int32_t nudge = ab >= 0 ? (1 << 14) : 1 - (1 << 14);

	if (a == INT16_MIN && b == INT16_MIN)
		return INT16_MAX;
	return (int16_t)((ab + nudge) / (1 << 15));
}

/* SaturatingDoublingHighMul: the same without the rounding nudge. */
static int16_t s16_sdhm(int16_t a, int16_t b)
{
	if (a == INT16_MIN && b == INT16_MIN)
		return INT16_MAX;
	return (int16_t)((int32_t)a * b / (1 << 15));
}

static int16_t s16_shl(int16_t a, int e)
{
	int64_t v = (int64_t)a * (1LL << e);

	return v > INT16_MAX ? INT16_MAX : v < INT16_MIN ? INT16_MIN : (int16_t)v;
}

/* gemmlowp's RoundingDivideByPOT instantiated for int16 (e in 0..31). */
static int16_t s16_rdbpot(int16_t x, int e)
{
	int16_t mask = (int16_t)(uint16_t)((1LL << e) - 1);
	int16_t threshold = (int16_t)((mask >> 1) + (x < 0));
	int16_t remainder = (int16_t)(x & mask);

	return (int16_t)((x >> (e > 15 ? 15 : e)) + (remainder > threshold));
}

/* DownScaleInt32ToInt16Multiplier */
static int16_t downscale_multiplier(int32_t m)
{
	if (m >= INT32_MAX - (1 << 15))
		return INT16_MAX;
	return (int16_t)((m + (1 << 15)) >> 16);
}

int act_table_hard_swish(float in_scale, int32_t in_zp, float out_scale, int32_t out_zp,
			 int8_t table[ACT_TABLE_ENTRIES])
{
	int32_t out_m32, relu_m32;
	int16_t out_m, relu_m;
	int out_exp, relu_exp, rc;
	float hires, out_mult, relu_mult;

	if (!(in_scale > 0.0f) || !isfinite(in_scale) || !(out_scale > 0.0f) ||
	    !isfinite(out_scale))
		return -EDOM;
	if (in_zp < -128 || in_zp > 127 || out_zp < -128 || out_zp > 127)
		return -EINVAL;
	/* HardSwishPrepare computes these in float */
	hires = (1.0f / 128.0f) * in_scale;
	out_mult = hires / out_scale;
	relu_mult = hires / (3.0f / 32768.0f);
	rc = quant_quantize_multiplier((double)out_mult, &out_m32, &out_exp);
	if (!rc)
		rc = quant_quantize_multiplier((double)relu_mult, &relu_m32, &relu_exp);
	if (rc)
		return rc;
	/* TFLite refuses a positive output exponent; shifts stay below 32 */
	if (out_exp > 0 || out_exp < -31 || relu_exp > 31 || relu_exp < -31)
		return -ERANGE;
	out_m = downscale_multiplier(out_m32);
	relu_m = downscale_multiplier(relu_m32);
	for (int i = 0; i < ACT_TABLE_ENTRIES; i++) {
		int16_t x = (int16_t)(i - 128 - in_zp);
		int16_t hires_x = (int16_t)(x * (1 << 7));
		int16_t pre_out = s16_srdhm(hires_x, out_m);
		int16_t relu = hires_x, out;

		if (relu_exp > 0)
			relu = s16_shl(relu, relu_exp - 1);
		relu = s16_srdhm(relu, relu_m);
		if (relu_exp > 0)
			relu = s16_shl(relu, 1);
		if (relu_exp < 0)
			relu = s16_rdbpot(relu, -relu_exp);
		relu = (int16_t)((relu + (1 << 15)) >> 1);
		out = s16_rdbpot(s16_sdhm(relu, pre_out), -out_exp);
		/* int16 addition as the kernel does it: it wraps */
		out = (int16_t)(uint16_t)((uint16_t)out + (uint16_t)out_zp);
		table[i] = (int8_t)(out < INT8_MIN ? INT8_MIN : out > INT8_MAX ? INT8_MAX : out);
	}
	return 0;
}
