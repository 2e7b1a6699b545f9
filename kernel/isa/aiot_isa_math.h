/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Integer arithmetic of TensorFlow Lite's int8 reference kernels (the
 * gemmlowp fixed-point primitives), written so that every input is defined
 * behaviour: where TFLite relies on two's complement wrap-around, these
 * helpers wrap explicitly through unsigned arithmetic.
 */
#ifndef AIOT_ISA_MATH_H
#define AIOT_ISA_MATH_H

#include "aiot_isa_port.h"

#define AIOT_S32_MAX	((s32)0x7fffffff)
#define AIOT_S32_MIN	(-AIOT_S32_MAX - 1)

static inline s32 aiot_wrap_add(s32 a, s32 b)
{
	return (s32)((u32)a + (u32)b);
}

static inline s32 aiot_wrap_sub(s32 a, s32 b)
{
	return (s32)((u32)a - (u32)b);
}

static inline s32 aiot_wrap_mul(s32 a, s32 b)
{
	return (s32)((u32)a * (u32)b);
}

static inline s32 aiot_clamp_s32(s32 v, s32 lo, s32 hi)
{
	if (v < lo)
		return lo;
	if (v > hi)
		return hi;
	return v;
}

/*
 * High 32 bits of 2*a*b, rounded to nearest with ties away from zero; the
 * one overflowing case (INT32_MIN squared) saturates.
 */
static inline s32 aiot_srdhm(s32 a, s32 b)
{
	s64 ab = (s64)a * (s64)b;
	s64 nudge = ab >= 0 ? (1LL << 30) : (1 - (1LL << 30));

	if (a == AIOT_S32_MIN && b == AIOT_S32_MIN)
		return AIOT_S32_MAX;
	/* C division truncates toward zero, as the reference requires. */
	return (s32)((ab + nudge) / (1LL << 31));
}

/*
 * x / 2^exponent rounded to nearest, ties away from zero. TFLite defines
 * exponents 0..31 only; larger ones give 0 here, the quotient's magnitude
 * being below one half for all but INT32_MIN.
 */
static inline s32 aiot_rounding_divide_by_pot(s32 x, int exponent)
{
	s32 mask, remainder, threshold;

	if (exponent <= 0)
		return x;
	if (exponent > 31)
		return 0;
	mask = (s32)((1ULL << exponent) - 1);
	remainder = x & mask;
	threshold = (mask >> 1) + (x < 0 ? 1 : 0);
	/* Arithmetic right shift of a negative value: gcc/clang define it. */
	return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/* x * 2^exponent for exponent 0..31, saturating at the s32 limits. */
static inline s32 aiot_saturating_shift_left(s32 x, int exponent)
{
	s32 threshold;

	if (exponent <= 0)
		return x;
	if (exponent > 31)
		return x > 0 ? AIOT_S32_MAX : (x < 0 ? AIOT_S32_MIN : 0);
	threshold = (s32)((1ULL << (31 - exponent)) - 1);
	if (x > threshold)
		return AIOT_S32_MAX;
	if (x < -threshold)
		return AIOT_S32_MIN;
	return (s32)((u32)x << exponent);
}

/*
 * TFLite's MultiplyByQuantizedMultiplier: x * multiplier * 2^shift with
 * multiplier in Q31. Out-of-range parameters are clamped (shift to -31..30,
 * multiplier to >= 0) so that untrusted values stay well defined. The left
 * shift wraps, as TFLite's int32 multiplication does on real hardware.
 */
static inline s32 aiot_mbqm(s32 x, s32 multiplier, s32 shift)
{
	int left, right;

	if (multiplier < 0)
		multiplier = 0;
	shift = aiot_clamp_s32(shift, -31, 30);
	left = shift > 0 ? shift : 0;
	right = shift > 0 ? 0 : -shift;
	x = (s32)((u32)x << left);
	return aiot_rounding_divide_by_pot(aiot_srdhm(x, multiplier), right);
}

/* Requantize an int32 accumulator to an int8 output value. */
static inline s32 aiot_requantize_acc(s32 acc, s32 multiplier, s32 shift,
				      s32 zero_point, s32 act_min, s32 act_max)
{
	s32 v = aiot_mbqm(acc, multiplier, shift);

	return aiot_clamp_s32(aiot_wrap_add(v, zero_point), act_min, act_max);
}

/* gemmlowp fixed point: raw s32 with a compile-time count of integer bits. */

/* exp(a) for a in [-1/4, 0), a and result with 0 integer bits. */
static inline s32 aiot_fx_exp_quarter(s32 a)
{
	const s32 exp_minus_one_eighth = 1895147668;
	const s32 one_third = 715827883;
	s32 x, x2, x3, x4, x4_over_4, poly;

	/* Taylor expansion around -1/8: x = a + 1/8. */
	x = aiot_wrap_add(a, 1 << 28);
	x2 = aiot_srdhm(x, x);
	x3 = aiot_srdhm(x2, x);
	x4 = aiot_srdhm(x2, x2);
	x4_over_4 = aiot_rounding_divide_by_pot(x4, 2);
	poly = aiot_srdhm(aiot_wrap_add(x4_over_4, x3), one_third);
	poly = aiot_rounding_divide_by_pot(aiot_wrap_add(poly, x2), 1);
	return aiot_wrap_add(exp_minus_one_eighth,
			     aiot_srdhm(exp_minus_one_eighth,
					aiot_wrap_add(x, poly)));
}

/*
 * exp(a) for a <= 0 given with 5 integer bits (26 fractional); the result
 * has 0 integer bits. This is the only instantiation softmax needs.
 */
static inline s32 aiot_fx_exp_on_negative_values_5(s32 a)
{
	/* exp(-2^k) for k = -2..4 in Q31 */
	static const s32 barrel[7] = {
		1672461947, 1302514674, 790015084, 290630308,
		39332535, 720401, 242,
	};
	const int frac_bits = 26;
	const s32 one_quarter = 1 << (frac_bits - 2);
	s32 a_mod_quarter_minus_quarter, remainder, result;
	int k;

	a_mod_quarter_minus_quarter =
		aiot_wrap_sub(a & (one_quarter - 1), one_quarter);
	/* Rescale from 5 integer bits to 0. */
	result = aiot_saturating_shift_left(a_mod_quarter_minus_quarter, 5);
	result = aiot_fx_exp_quarter(result);
	remainder = aiot_wrap_sub(a_mod_quarter_minus_quarter, a);
	for (k = 0; k < 7; k++) {
		if ((u32)remainder & (1u << (frac_bits - 2 + k)))
			result = aiot_srdhm(result, barrel[k]);
	}
	if (a == 0)
		result = AIOT_S32_MAX;
	return result;
}

/* (a + b) / 2 rounded half away from zero, computed without overflow. */
static inline s32 aiot_rounding_half_sum(s32 a, s32 b)
{
	s64 sum = (s64)a + (s64)b;

	return (s32)((sum + (sum >= 0 ? 1 : -1)) / 2);
}

/* 1 / (1 + a) for a in [0, 1) with 0 integer bits, by Newton-Raphson. */
static inline s32 aiot_fx_one_over_one_plus_x(s32 a)
{
	const s32 c48_over_17 = 1515870810;	/* 2 integer bits */
	const s32 neg_c32_over_17 = -1010580540;	/* 2 integer bits */
	const s32 one_q2 = 1 << 29;
	s32 half_den = aiot_rounding_half_sum(a, AIOT_S32_MAX);
	s32 x, prod;
	int i;

	x = aiot_wrap_add(c48_over_17, aiot_srdhm(half_den, neg_c32_over_17));
	for (i = 0; i < 3; i++) {
		prod = aiot_srdhm(half_den, x);
		prod = aiot_srdhm(x, aiot_wrap_sub(one_q2, prod));
		x = aiot_wrap_add(x, aiot_saturating_shift_left(prod, 2));
	}
	/* x / 2 keeps the raw value with one integer bit; back to zero. */
	return aiot_saturating_shift_left(x, 1);
}

static inline int aiot_clz32(u32 x)
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

/*
 * TFLite's GetReciprocal: for x > 0 with x_integer_bits integer bits,
 * returns 1/x as a 0-integer-bit fraction scaled by 2^-num_bits_over_unit.
 */
static inline s32 aiot_fx_reciprocal(s32 x, int x_integer_bits,
				     int *num_bits_over_unit)
{
	int headroom_plus_one = aiot_clz32((u32)x);
	u32 shifted;

	*num_bits_over_unit = x_integer_bits - headroom_plus_one;
	shifted = headroom_plus_one >= 32 ? 0 : (u32)x << headroom_plus_one;
	return aiot_fx_one_over_one_plus_x((s32)(shifted - 0x80000000u));
}

#endif /* AIOT_ISA_MATH_H */
