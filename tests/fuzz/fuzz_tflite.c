// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for the TFLite reader: any byte string must either load
 * (and then survive arena planning and the per-op quantization helpers) or
 * be rejected with a message, never crash, leak or trip a sanitizer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lower.h"
#include "plan.h"
#include "quant.h"
#include "tflite.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Exercise the arithmetic the lowering will run on what the reader let in. */
static void exercise_ops(const struct tflite_model *m)
{
	for (uint32_t i = 0; i < m->operator_count; i++) {
		const struct tflite_operator *op = &m->operators[i];
		const struct tflite_tensor *in, *out, *filter;
		int32_t mult[8], shifts[8], lo, hi;
		struct quant_padding pad;

		if (op->input_count < 1 || op->output_count < 1 || op->inputs[0] < 0)
			continue;
		in = &m->tensors[op->inputs[0]];
		out = &m->tensors[op->outputs[0]];
		if (in->quant.count != 1 || out->quant.count != 1)
			continue;
		switch (op->builtin_code) {
		case TFLITE_OP_CONV_2D:
		case TFLITE_OP_DEPTHWISE_CONV_2D:
			if (op->input_count < 2 || op->inputs[1] < 0)
				break;
			filter = &m->tensors[op->inputs[1]];
			if (filter->quant.count == 0)
				break;
			quant_per_channel_multipliers(in->quant.scale[0], filter->quant.scale,
						      filter->quant.count, out->quant.scale[0],
						      filter->quant.count > 8 ? 8 : filter->quant.count,
						      mult, shifts);
			if (in->rank == 4 && filter->rank == 4)
				quant_compute_padding(op->options.conv.padding, in->shape[1],
						      filter->shape[1], op->options.conv.stride_h,
						      op->options.conv.dilation_h, &pad);
			quant_activation_range(op->options.conv.activation, out->quant.scale[0],
					       (int32_t)out->quant.zero_point[0], -128, 127,
					       &lo, &hi);
			break;
		case TFLITE_OP_AVERAGE_POOL_2D:
		case TFLITE_OP_MAX_POOL_2D:
			if (in->rank == 4)
				quant_compute_padding(op->options.pool.padding, in->shape[2],
						      op->options.pool.filter_w,
						      op->options.pool.stride_w, 1, &pad);
			break;
		case TFLITE_OP_SOFTMAX: {
			struct quant_softmax_scaling s;

			quant_softmax_params(op->options.softmax.beta, in->quant.scale[0], &s);
			break;
		}
		default:
			break;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tflite_model *m = NULL;
	char err[512];
	size_t arena, *offsets;

	if (tflite_model_load(data, size, &m, err, sizeof(err)) != 0) {
		if (err[0] == '\0')
			abort(); /* every rejection must say why */
		return 0;
	}
	offsets = calloc(m->tensor_count ? m->tensor_count : 1, sizeof(*offsets));
	if (offsets)
		plan_model_arena(m, 16, offsets, &arena, err, sizeof(err));
	free(offsets);
	exercise_ops(m);
	{
		struct aiot_lowered_model *lowered = NULL;

		if (aiot_lower_model(m, &lowered, err, sizeof(err)) == 0)
			aiot_lowered_model_free(lowered);
		else if (err[0] == '\0')
			abort();
	}
	tflite_model_free(m);
	return 0;
}
