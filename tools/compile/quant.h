/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Integer quantization arithmetic of TensorFlow Lite, done once in the
 * compiler so that the NPU only ever sees (multiplier, shift) pairs.
 *
 * Every function reproduces TFLite's reference computation bit for bit
 * (default build: double rounding, not TFLITE_SINGLE_ROUNDING) and, where
 * TFLite would abort or silently misbehave, returns a negative errno instead:
 *   -EDOM   an input is NaN, infinite, negative or zero where it may not be
 *   -ERANGE the result cannot be represented for the int32 kernels
 *   -EINVAL a parameter is out of its domain (stride 0, unknown enum, ...)
 *   -EOPNOTSUPP a fused activation TFLite's int8 kernels do not implement
 */
#ifndef AIOT_COMPILE_QUANT_H
#define AIOT_COMPILE_QUANT_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * real_multiplier ~= multiplier * 2^(shift - 31), multiplier in
 * [2^30, 2^31) or 0: TFLite's QuantizeMultiplier (frexp, round half away
 * from zero, 2^31 renormalized, shift < -31 flushed to (0, 0)).
 * shift > 0 is a left shift. -ERANGE if shift > 31 (values >= 2^31).
 */
int quant_quantize_multiplier(double real_multiplier, int32_t *multiplier, int *shift);

/*
 * CONV_2D / DEPTHWISE_CONV_2D (PopulateConvolutionQuantizationParams):
 * for each output channel c, quantize
 *   (double)input_scale * (double)filter_scale[c] / (double)output_scale
 * filter_scale_count is 1 (broadcast) or channel_count.
 */
int quant_per_channel_multipliers(float input_scale, const float *filter_scales,
				  size_t filter_scale_count, float output_scale,
				  size_t channel_count, int32_t *multipliers, int32_t *shifts);

/*
 * FULLY_CONNECTED per tensor (GetQuantizedConvolutionMultipler): note the
 * product input_scale * filter_scale is rounded to float before the
 * division in double; that is what TFLite computes.
 */
int quant_fully_connected_multiplier(float input_scale, float filter_scale,
				     float output_scale, int32_t *multiplier, int *shift);

/*
 * CalculateActivationRangeQuantized: clamp bounds of a fused activation
 * (TFLITE_ACT_NONE/RELU/RELU_N1_TO_1/RELU6) for an output of scale and
 * zero_point whose type spans [qmin, qmax].
 */
int quant_activation_range(int activation, float output_scale, int32_t output_zero_point,
			   int32_t qmin, int32_t qmax, int32_t *act_min, int32_t *act_max);

/* Integer range of a quantized type (INT8, UINT8, INT16): 0 or -EINVAL. */
int quant_type_range(int tflite_type, int32_t *qmin, int32_t *qmax);

/*
 * TFLite's CheckedLog2: *log2_result = round(log2(x)) in float arithmetic;
 * true when x is within 1e-3 (in log2) of that power of two.
 */
bool quant_checked_log2(float x, int *log2_result);

/*
 * TFLite Micro's int16 LOGISTIC / TANH Prepare(): the input multiplier
 * and right shift that bring input_scale to the table's 1 / (3 * 2^12),
 * the power-of-two cases (shift 0; TANH also 1) as (3 << shift, 0).
 * -ERANGE when the scale gives no multiplier in 1..32767.
 */
int quant_sigmoid_s16_multiplier(float input_scale, bool tanh_rules, int32_t *multiplier,
				 int32_t *left_shift);

/* int8 SOFTMAX (PreprocessSoftmaxScaling + CalculateInputRadius with
 * kScaledDiffIntegerBits = 5): input multiplier, its left shift and
 * diff_min, the most negative input difference that still counts. */
#define QUANT_SOFTMAX_SCALED_DIFF_INTEGER_BITS 5
struct quant_softmax_scaling {
	int32_t input_multiplier;
	int32_t input_left_shift;
	int32_t diff_min;
};
int quant_softmax_params(float beta, float input_scale, struct quant_softmax_scaling *out);

/*
 * Output size and padding of one spatial dimension (ComputeOutSize and
 * ComputePaddingWithOffset): SAME gives ceil(in / stride); VALID
 * (in - effective_filter) / stride + 1. pad_before is the top/left
 * padding, pad_extra the odd pixel TFLite adds at the bottom/right.
 * -EINVAL on sizes < 1 or an output that would be empty.
 */
struct quant_padding {
	int32_t out_size;
	int32_t pad_before;
	int32_t pad_extra;
};
int quant_compute_padding(int padding, int32_t in_size, int32_t filter_size,
			  int32_t stride, int32_t dilation, struct quant_padding *out);

#ifdef __cplusplus
}
#endif

#endif /* AIOT_COMPILE_QUANT_H */
