// SPDX-License-Identifier: GPL-2.0-only
/*
 * TRANSPOSE_CONV -> ISA 1.6 TRANSPOSE_CONV: int8 input and output, int8
 * weights quantized per channel (or per tensor), optional int32 bias, as
 * TensorFlow Lite Micro's reference_integer_ops::TransposeConv computes it.
 * With an int16 input (TFLite's 16x8 quantization: int16 activations with
 * zero point 0, symmetric int8 weights, optional int64 bias) -> ISA 1.9
 * TRANSPOSE_CONV_S16, the int16 variant of that kernel.
 *
 * TFLite's inputs are (output_shape, filter, input[, bias]); the padding is
 * that of the forward convolution from the output to the input
 * (ComputePaddingHeightWidth over the output's height and width).
 */
#include "lower_internal.h"
#include "quant.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* A constant output_shape input must name the output's shape. */
static int lower_tconv_shape(struct lowering *l, const struct tflite_operator *op)
{
	const struct tflite_tensor *st, *ot = &l->m->tensors[op->outputs[0]];
	const struct tflite_buffer *b;

	if (op->inputs[0] < 0)
		return lower_fail(l, "output_shape is missing");
	st = &l->m->tensors[op->inputs[0]];
	b = tflite_tensor_data(l->m, (uint32_t)op->inputs[0]);
	if (!b)
		return 0;	/* TFLite Micro ignores it: the output tensor decides */
	if (st->type != TFLITE_TYPE_INT32 || st->element_count != 4 || b->size < 16)
		return lower_fail(l, "output_shape must be 4 int32 values");
	for (uint32_t i = 0; i < 4; i++) {
		int32_t v;

		memcpy(&v, b->data + i * 4, 4);
		if (v != ot->shape[i])
			return lower_fail(l, "output_shape[%u] is %d, the output's %d", i, v,
					  ot->shape[i]);
	}
	return 0;
}

/* The activation and bias types: int8, or int16x8 with an int64 bias. */
static int lower_tconv_types(struct lowering *l, const struct tflite_operator *op, bool is_s16,
			     const struct aiot_isa_op_transpose_conv *c)
{
	const struct tflite_tensor *bias;
	int rc;

	if (!is_s16) {
		rc = lower_require_int8(l, &c->input, "input");
		if (!rc) rc = lower_require_int8(l, &c->filter, "filter");
		if (!rc) rc = lower_require_int8(l, &c->output, "output");
		return rc;
	}
	if (c->filter.dtype != AIOT_ISA_DTYPE_INT8 || c->output.dtype != AIOT_ISA_DTYPE_INT16) {
		lower_fail(l, "int16x8: filter must be int8 and output int16, not %s and %s",
			   lower_type_name(l->m->tensors[op->inputs[1]].type),
			   lower_type_name(l->m->tensors[op->outputs[0]].type));
		return -EOPNOTSUPP;
	}
	if (op->input_count < 4 || op->inputs[3] < 0)
		return 0;
	/* TFLite takes only int64 (its 16x8 kernel reads the bias as int64). */
	bias = &l->m->tensors[op->inputs[3]];
	if (bias->type != TFLITE_TYPE_INT64) {
		snprintf(l->msg, sizeof(l->msg), "int16x8: bias must be int64, not %s",
			 lower_type_name(bias->type));
		return -EOPNOTSUPP;
	}
	return 0;
}

/* The requantization: int8's records and zero points, or int16x8's. */
static int lower_tconv_quant(struct lowering *l, const struct tflite_operator *op, bool is_s16,
			     struct aiot_isa_op_transpose_conv *c)
{
	struct tflite_operator as_conv;
	float scale = 0.0f;
	int32_t ins[3];
	int rc;

	/* The records are read from (input, filter, bias) of a convolution. */
	as_conv = *op;
	ins[0] = op->inputs[2];
	ins[1] = op->inputs[1];
	ins[2] = op->input_count > 3 ? op->inputs[3] : -1;
	as_conv.inputs = ins;
	as_conv.input_count = 3;
	if (is_s16)	/* also requires both zero points to be 0 */
		return lower_s16_channel_quant(l, &as_conv, c->output.dims[3], false, &c->quant);
	rc = lower_channel_quant(l, &as_conv, c->output.dims[3], false, &c->quant);
	if (!rc) rc = lower_per_tensor_quant(l, op->inputs[2], &scale, &c->input_zero_point);
	if (!rc) rc = lower_per_tensor_quant(l, op->outputs[0], &scale, &c->output_zero_point);
	return rc;
}

int lower_transpose_conv(struct lowering *l, const struct tflite_operator *op)
{
	const struct tflite_conv_options *o = &op->options.conv;
	struct aiot_isa_op_transpose_conv c;
	struct quant_padding ph, pw;
	bool is_s16;
	int rc;

	if (op->input_count < 3 || op->input_count > 4 || op->output_count != 1)
		return lower_fail(l, "expects output_shape, filter, input[, bias] and one output");
	if (o->activation != TFLITE_ACT_NONE) {
		/* TFLite applies it, TFLite Micro's reference does not. */
		lower_fail(l, "fused activation %s: TFLite and TFLite Micro disagree on it",
			   tflite_activation_name(o->activation));
		return -EOPNOTSUPP;
	}
	is_s16 = op->inputs[2] >= 0 && l->m->tensors[op->inputs[2]].type == TFLITE_TYPE_INT16;
	lower_op_init(&c.hdr, sizeof(c),
		      is_s16 ? AIOT_ISA_OP_TRANSPOSE_CONV_S16 : AIOT_ISA_OP_TRANSPOSE_CONV);
	rc = lower_isa_tensor(l, op->inputs[2], &c.input);
	if (!rc) rc = lower_isa_tensor(l, op->inputs[1], &c.filter);
	if (!rc) rc = lower_isa_tensor(l, op->outputs[0], &c.output);
	if (!rc) rc = lower_tconv_types(l, op, is_s16, &c);
	if (!rc) rc = lower_tconv_shape(l, op);
	if (rc)
		return rc;
	if (l->m->tensors[op->inputs[2]].rank != 4 || l->m->tensors[op->inputs[1]].rank != 4 ||
	    l->m->tensors[op->outputs[0]].rank != 4)
		return lower_fail(l, "input, filter and output must be 4-D");
	if (!tflite_tensor_data(l->m, (uint32_t)op->inputs[1]))
		return lower_fail(l, "filter must be constant");
	if (c.filter.dims[0] != c.output.dims[3] || c.filter.dims[3] != c.input.dims[3])
		return lower_fail(l, "filter shape %ux%ux%ux%u does not fit %u -> %u channels",
				  c.filter.dims[0], c.filter.dims[1], c.filter.dims[2],
				  c.filter.dims[3], c.input.dims[3], c.output.dims[3]);
	if (c.input.dims[0] != c.output.dims[0])
		return lower_fail(l, "batch %u -> %u", c.input.dims[0], c.output.dims[0]);
	/* The forward convolution over the output must give the input. */
	rc = lower_padding(l, o->padding, c.output.dims, (int32_t)c.filter.dims[1],
			   (int32_t)c.filter.dims[2], o->stride_h, o->stride_w, 1, 1, &ph, &pw);
	if (rc)
		return rc;
	if ((uint32_t)ph.out_size != c.input.dims[1] || (uint32_t)pw.out_size != c.input.dims[2])
		return lower_fail(l, "input is %ux%u but the output, padding and strides give %dx%d",
				  c.input.dims[1], c.input.dims[2], ph.out_size, pw.out_size);
	if (o->stride_h > AIOT_ISA_MAX_DIM || o->stride_w > AIOT_ISA_MAX_DIM)
		return lower_fail(l, "stride exceeds the ISA's 16 bits");
	c.stride_h = (uint16_t)o->stride_h;
	c.stride_w = (uint16_t)o->stride_w;
	c.pad_top = (uint16_t)ph.pad_before;
	c.pad_left = (uint16_t)pw.pad_before;
	rc = lower_tconv_quant(l, op, is_s16, &c);
	if (!rc) rc = lower_activation(l, TFLITE_ACT_NONE, op->outputs[0], &c.act);
	if (rc)
		return rc;
	lower_need_isa(l, is_s16 ? 9 : 6);
	return lower_emit(l, &c, sizeof(c));
}
