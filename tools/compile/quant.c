// SPDX-License-Identifier: GPL-2.0-only
/*
 * TFLite's quantization arithmetic (see quant.h). The formulas are facts of
 * TFLite's reference kernels; the guards around them replace TFLite's
 * CHECK-aborts with error returns.
 */
#include "quant.h"
#include "tflite.h"

#include <errno.h>
#include <math.h>

int quant_quantize_multiplier(double real_multiplier, int32_t *multiplier, int *shift)
{
	int64_t q_fixed;
	int exponent;
	double q;

	*multiplier = 0;
	*shift = 0;
	if (!isfinite(real_multiplier) || real_multiplier < 0.0)
		return -EDOM;
	if (real_multiplier == 0.0)
		return 0;
	/* q in [0.5, 1): q * 2^31 rounds (half away from zero) into
	 * [2^30, 2^31]; 2^31 itself renormalizes to 2^30 with shift + 1. */
	q = frexp(real_multiplier, &exponent);
	q_fixed = (int64_t)round(q * (double)(1LL << 31));
	if (q_fixed == (1LL << 31)) {
		q_fixed /= 2;
		exponent++;
	}
	/* Below 2^-32 every product would shift out to zero: TFLite flushes
	 * to (0, 0) rather than emit a right shift of more than 31. */
	if (exponent < -31) {
		exponent = 0;
		q_fixed = 0;
	}
	/* A left shift of 32 or more would overflow the int32 kernels. */
	if (exponent > 31)
		return -ERANGE;
	*multiplier = (int32_t)q_fixed;
	*shift = exponent;
	return 0;
}

static int positive_finite(float x)
{
	return isfinite(x) && x > 0.0f;
}

int quant_per_channel_multipliers(float input_scale, const float *filter_scales,
				  size_t filter_scale_count, float output_scale,
				  size_t channel_count, int32_t *multipliers, int32_t *shifts)
{
	if (!filter_scales || !multipliers || !shifts || channel_count == 0)
		return -EINVAL;
	if (filter_scale_count != 1 && filter_scale_count != channel_count)
		return -EINVAL;
	if (!positive_finite(input_scale) || !positive_finite(output_scale))
		return -EDOM;
	for (size_t c = 0; c < channel_count; c++) {
		float filter_scale = filter_scales[filter_scale_count == 1 ? 0 : c];
		double effective;
		int shift, rc;

		if (!positive_finite(filter_scale))
			return -EDOM;
		effective = (double)input_scale * (double)filter_scale /
			    (double)output_scale;
		rc = quant_quantize_multiplier(effective, &multipliers[c], &shift);
		if (rc)
			return rc;
		shifts[c] = shift;
	}
	return 0;
}

int quant_fully_connected_multiplier(float input_scale, float filter_scale,
				     float output_scale, int32_t *multiplier, int *shift)
{
	float product;

	*multiplier = 0;
	*shift = 0;
	if (!positive_finite(input_scale) || !positive_finite(filter_scale) ||
	    !positive_finite(output_scale))
		return -EDOM;
	product = input_scale * filter_scale; /* float, as TFLite does */
	return quant_quantize_multiplier((double)product / (double)output_scale,
					 multiplier, shift);
}

/* zero_point + round(f / scale) in float, as TFLite's Quantize helper. */
static int quantize_value(float scale, int32_t zero_point, float f, int32_t *q)
{
	float scaled = roundf(f / scale);
	int64_t sum;

	if (!(scaled >= -2147483648.0f && scaled < 2147483648.0f))
		return -ERANGE;
	sum = (int64_t)zero_point + (int64_t)scaled;
	if (sum < INT32_MIN || sum > INT32_MAX)
		return -ERANGE;
	*q = (int32_t)sum;
	return 0;
}

int quant_activation_range(int activation, float output_scale, int32_t output_zero_point,
			   int32_t qmin, int32_t qmax, int32_t *act_min, int32_t *act_max)
{
	int32_t lo = qmin, hi = qmax, q;
	int rc = 0;

	if (qmin > qmax)
		return -EINVAL;
	if (!positive_finite(output_scale))
		return -EDOM;
	switch (activation) {
	case TFLITE_ACT_NONE:
		break;
	case TFLITE_ACT_RELU:
		rc = quantize_value(output_scale, output_zero_point, 0.0f, &q);
		if (!rc && q > lo)
			lo = q;
		break;
	case TFLITE_ACT_RELU6:
		rc = quantize_value(output_scale, output_zero_point, 0.0f, &q);
		if (!rc && q > lo)
			lo = q;
		if (!rc)
			rc = quantize_value(output_scale, output_zero_point, 6.0f, &q);
		if (!rc && q < hi)
			hi = q;
		break;
	case TFLITE_ACT_RELU_N1_TO_1:
		rc = quantize_value(output_scale, output_zero_point, -1.0f, &q);
		if (!rc && q > lo)
			lo = q;
		if (!rc)
			rc = quantize_value(output_scale, output_zero_point, 1.0f, &q);
		if (!rc && q < hi)
			hi = q;
		break;
	case TFLITE_ACT_TANH:
	case TFLITE_ACT_SIGN_BIT:
		/* TFLite's int8 kernels would silently clamp to [qmin, qmax]
		 * and skip the function: refuse rather than miscompute. */
		return -EOPNOTSUPP;
	default:
		return -EINVAL;
	}
	if (rc)
		return rc;
	*act_min = lo;
	*act_max = hi;
	return 0;
}

int quant_type_range(int tflite_type, int32_t *qmin, int32_t *qmax)
{
	switch (tflite_type) {
	case TFLITE_TYPE_INT8: *qmin = INT8_MIN; *qmax = INT8_MAX; return 0;
	case TFLITE_TYPE_UINT8: *qmin = 0; *qmax = UINT8_MAX; return 0;
	case TFLITE_TYPE_INT16: *qmin = INT16_MIN; *qmax = INT16_MAX; return 0;
	default: return -EINVAL;
	}
}

int quant_softmax_params(float beta, float input_scale, struct quant_softmax_scaling *out)
{
	const int integer_bits = QUANT_SOFTMAX_SCALED_DIFF_INTEGER_BITS;
	/* Capping is harmless: past this every non-maximal input already
	 * rounds exp() to zero. */
	const double max_real_multiplier = (double)(1LL << 31) - 1.0;
	double real, radius;
	int32_t multiplier;
	int shift, rc;

	if (!isfinite(beta) || !positive_finite(input_scale) || beta <= 0.0f)
		return -EDOM;
	real = (double)beta * (double)input_scale * (double)(1 << (31 - integer_bits));
	if (real > max_real_multiplier)
		real = max_real_multiplier;
	/* TFLite CHECKs real > 1 (QuantizeMultiplierGreaterThanOne): the
	 * fixed-point exp needs a non-negative left shift. */
	if (!(real > 1.0))
		return -ERANGE;
	rc = quant_quantize_multiplier(real, &multiplier, &shift);
	if (rc)
		return rc;
	if (shift < 0 || shift > 31)
		return -ERANGE;
	/* CalculateInputRadius(5, shift, 31): floor((2^5 - 1) * 2^26 / 2^shift) */
	radius = 1.0 * ((1 << integer_bits) - 1) * (double)(1LL << (31 - integer_bits)) /
		 (double)(1LL << shift);
	out->input_multiplier = multiplier;
	out->input_left_shift = shift;
	out->diff_min = -(int32_t)floor(radius);
	return 0;
}

int quant_compute_padding(int padding, int32_t in_size, int32_t filter_size,
			  int32_t stride, int32_t dilation, struct quant_padding *out)
{
	int64_t effective_filter, out_size, total;

	if (in_size < 1 || filter_size < 1 || stride < 1 || dilation < 1)
		return -EINVAL;
	effective_filter = ((int64_t)filter_size - 1) * dilation + 1;
	switch (padding) {
	case TFLITE_PADDING_SAME:
		out_size = ((int64_t)in_size + stride - 1) / stride;
		break;
	case TFLITE_PADDING_VALID:
		if (effective_filter > in_size)
			return -EINVAL; /* TFLite would produce an empty output */
		out_size = ((int64_t)in_size + stride - effective_filter) / stride;
		break;
	default:
		return -EINVAL;
	}
	if (out_size < 1 || out_size > INT32_MAX)
		return -EINVAL;
	total = (out_size - 1) * stride + effective_filter - in_size;
	if (total < 0)
		total = 0;
	if (total / 2 > INT32_MAX)
		return -ERANGE;
	out->out_size = (int32_t)out_size;
	out->pad_before = (int32_t)(total / 2);
	out->pad_extra = (int32_t)(total % 2);
	return 0;
}

bool quant_checked_log2(float x, int *log2_result)
{
	const float x_log2 = logf(x) * (1.0f / logf(2.0f));
	const float rounded = roundf(x_log2);

	*log2_result = (int)rounded;
	return fabsf(x_log2 - rounded) < 1e-3f;
}

int quant_sigmoid_s16_multiplier(float input_scale, bool tanh_rules, int32_t *multiplier,
				 int32_t *left_shift)
{
	int log2_in, shift = 0;
	double m;

	if (quant_checked_log2(input_scale, &log2_in)) {
		shift = 12 + log2_in;
		if (shift == 0 || (tanh_rules && shift == 1)) {
			*multiplier = 3 << shift;
			*left_shift = 0;
			return 0;
		}
	}
	/* scale the input to units of 1 / (3 * 4096), with 14 to 15 bits */
	m = (double)input_scale * 4096.0 * 3.0;
	shift = 0;
	while (m <= 32767.0 / 2.0 && shift <= 30) {
		shift++;
		m *= 2.0;
	}
	if (!(m >= 1.0 && m <= 32767.0))
		return -ERANGE;
	*multiplier = (int32_t)m;
	*left_shift = shift;
	return 0;
}
