// SPDX-License-Identifier: GPL-2.0-only
/*
 * ISA 1.6 int16x8 lowering: CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED
 * and ADD whose activations are int16 (TensorFlow Lite's 16x8
 * quantization: int16 activations with zero point 0, symmetric int8
 * weights, int64 or int32 biases) become CONV_2D_S16,
 * DEPTHWISE_CONV_2D_S16, FULLY_CONNECTED_S16 and ADD_S16.
 */
#include "lower_internal.h"
#include "plan.h"
#include "quant.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A tensor of the wrong type: the message names the type it has. */
static int s16_require(struct lowering *l, int32_t index, enum tflite_tensor_type want,
		       const char *what)
{
	const struct tflite_tensor *t = &l->m->tensors[index];

	if (t->type == want)
		return 0;
	snprintf(l->msg, sizeof(l->msg), "int16x8: %s must be %s, not %s", what,
		 lower_type_name((int32_t)want), lower_type_name(t->type));
	return -EOPNOTSUPP;
}

/* int16 activations are symmetric: zero point 0, one scale. */
static int s16_activation_quant(struct lowering *l, int32_t index, const char *what, float *scale)
{
	int32_t zp = 0;
	int rc = lower_per_tensor_quant(l, index, scale, &zp);

	if (rc)
		return rc;
	if (zp)
		return lower_fail(l, "int16x8: %s zero point %d, must be 0", what, zp);
	return 0;
}

/*
 * Per-channel (int64 bias, multiplier, shift) records into the weights,
 * 8-byte aligned. An int32 bias (TFLite allows it for 16x8) is widened.
 */
int lower_s16_channel_quant(struct lowering *l, const struct tflite_operator *op,
			    uint32_t channels, bool fc, struct aiot_isa_array_ref *ref)
{
	const struct tflite_model *m = l->m;
	const struct tflite_tensor *filter = &m->tensors[op->inputs[1]];
	const struct tflite_buffer *bias = NULL;
	const struct tflite_tensor *bt = NULL;
	struct aiot_isa_channel_quant64 *q;
	int32_t *mult, *shift;
	float in_scale = 0.0f, out_scale = 0.0f;
	size_t offset;
	int rc;

	rc = s16_activation_quant(l, op->inputs[0], "input", &in_scale);
	if (!rc)
		rc = s16_activation_quant(l, op->outputs[0], "output", &out_scale);
	if (rc)
		return rc;
	if (filter->quant.count != 1 && filter->quant.count != channels)
		return lower_fail(l, "filter has %u scales for %u output channels",
				  filter->quant.count, channels);
	for (uint32_t c = 0; c < filter->quant.count; c++)
		if (filter->quant.zero_point[c] != 0)
			return lower_fail(l, "filter zero point %lld: int16x8 takes symmetric "
					  "weights", (long long)filter->quant.zero_point[c]);
	if (op->input_count > 2 && op->inputs[2] >= 0) {
		bt = &m->tensors[op->inputs[2]];
		bias = tflite_tensor_data(m, (uint32_t)op->inputs[2]);
		if (bt->type != TFLITE_TYPE_INT64 && bt->type != TFLITE_TYPE_INT32) {
			snprintf(l->msg, sizeof(l->msg), "int16x8: bias must be int64 or int32, "
				 "not %s", lower_type_name(bt->type));
			return -EOPNOTSUPP;
		}
		if (!bias || bt->element_count != channels)
			return lower_fail(l, "bias must be a constant %s vector of %u",
					  lower_type_name(bt->type), channels);
	}
	q = calloc(channels, sizeof(*q));
	mult = calloc(channels, sizeof(*mult));
	shift = calloc(channels, sizeof(*shift));
	if (!q || !mult || !shift) {
		rc = -ENOMEM;
		goto out;
	}
	if (fc && filter->quant.count == 1) {
		int s;

		rc = quant_fully_connected_multiplier(in_scale, filter->quant.scale[0],
						      out_scale, &mult[0], &s);
		for (uint32_t c = 0; !rc && c < channels; c++) {
			mult[c] = mult[0];
			shift[c] = s;
		}
	} else {
		rc = quant_per_channel_multipliers(in_scale, filter->quant.scale,
						   filter->quant.count, out_scale, channels,
						   mult, shift);
	}
	if (rc) {
		rc = lower_fail(l, "output multiplier cannot be represented (%s)", strerror(-rc));
		goto out;
	}
	for (uint32_t c = 0; c < channels; c++) {
		if (bias && bt->type == TFLITE_TYPE_INT64) {
			memcpy(&q[c].bias, bias->data + (size_t)c * 8, 8);
		} else if (bias) {
			int32_t b32;

			memcpy(&b32, bias->data + (size_t)c * 4, 4);
			q[c].bias = b32;
		}
		q[c].multiplier = mult[c];
		q[c].shift = shift[c];
		/* TFLite's 64-bit requantization is defined for -31..7. */
		if (shift[c] < -31 || shift[c] > 7) {
			rc = lower_fail(l, "channel %u shift %d outside int16x8's -31..7", c,
					shift[c]);
			goto out;
		}
	}
	/* The weights blob is 16-byte aligned per append (WEIGHTS_ALIGNMENT). */
	rc = lower_weights_append(l, q, channels * sizeof(*q), &offset);
	if (!rc) {
		memset(ref, 0, sizeof(*ref));
		ref->binding = AIOT_ISA_BINDING_WEIGHTS;
		ref->offset = (uint32_t)offset;
	}
out:
	free(q);
	free(mult);
	free(shift);
	return rc;
}

/* Types of a weighted layer: int16 input and output, int8 filter. */
static int s16_layer_types(struct lowering *l, const struct tflite_operator *op)
{
	int rc = s16_require(l, op->inputs[1], TFLITE_TYPE_INT8, "filter");

	if (!rc)
		rc = s16_require(l, op->outputs[0], TFLITE_TYPE_INT16, "output");
	return rc;
}

static int s16_fully_connected(struct lowering *l, const struct tflite_operator *op)
{
	struct aiot_isa_op_fully_connected fc;
	const struct tflite_tensor *filter;
	uint64_t depth, batches, units;
	int rc;

	if (op->input_count < 2 || op->output_count != 1)
		return lower_fail(l, "expects input, filter[, bias] and one output");
	rc = s16_layer_types(l, op);
	if (rc)
		return rc;
	lower_op_init(&fc.hdr, sizeof(fc), AIOT_ISA_OP_FULLY_CONNECTED_S16);
	rc = lower_isa_tensor(l, op->inputs[0], &fc.input);
	if (!rc) rc = lower_isa_tensor(l, op->inputs[1], &fc.filter);
	if (!rc) rc = lower_isa_tensor(l, op->outputs[0], &fc.output);
	if (rc)
		return rc;
	filter = &l->m->tensors[op->inputs[1]];
	if (filter->rank != 2 || !tflite_tensor_data(l->m, (uint32_t)op->inputs[1]))
		return lower_fail(l, "filter must be a constant [units, depth] matrix");
	units = (uint64_t)filter->shape[0];
	depth = (uint64_t)filter->shape[1];
	batches = depth ? l->m->tensors[op->inputs[0]].element_count / depth : 0;
	if (batches * depth != l->m->tensors[op->inputs[0]].element_count ||
	    batches * units != l->m->tensors[op->outputs[0]].element_count || batches == 0 ||
	    batches > AIOT_ISA_MAX_DIM || depth > AIOT_ISA_MAX_DIM || units > AIOT_ISA_MAX_DIM)
		return lower_fail(l, "input/output element counts do not match the filter %llux%llu",
				  (unsigned long long)units, (unsigned long long)depth);
	fc.input.dims[0] = (uint32_t)batches;
	fc.input.dims[1] = fc.input.dims[2] = 1;
	fc.input.dims[3] = (uint32_t)depth;
	fc.filter.dims[0] = (uint32_t)units;
	fc.filter.dims[1] = fc.filter.dims[2] = 1;
	fc.filter.dims[3] = (uint32_t)depth;
	fc.output.dims[0] = (uint32_t)batches;
	fc.output.dims[1] = fc.output.dims[2] = 1;
	fc.output.dims[3] = (uint32_t)units;
	rc = lower_s16_channel_quant(l, op, (uint32_t)units, true, &fc.quant);
	if (!rc) rc = lower_activation(l, op->options.fc.activation, op->outputs[0], &fc.act);
	if (rc)
		return rc;
	lower_need_isa(l, 6);
	return lower_emit(l, &fc, sizeof(fc));
}

static int s16_conv(struct lowering *l, const struct tflite_operator *op, bool depthwise)
{
	const struct tflite_conv_options *o = &op->options.conv;
	struct aiot_isa_op_conv c;
	struct quant_padding ph, pw;
	uint32_t cin, cout, kh, kw;
	int rc;

	if (op->input_count < 2 || op->output_count != 1)
		return lower_fail(l, "expects input, filter[, bias] and one output");
	rc = s16_layer_types(l, op);
	if (rc)
		return rc;
	lower_op_init(&c.hdr, sizeof(c), depthwise ? AIOT_ISA_OP_DEPTHWISE_CONV_2D_S16 :
						     AIOT_ISA_OP_CONV_2D_S16);
	rc = lower_isa_tensor(l, op->inputs[0], &c.input);
	if (!rc) rc = lower_isa_tensor(l, op->inputs[1], &c.filter);
	if (!rc) rc = lower_isa_tensor(l, op->outputs[0], &c.output);
	if (rc)
		return rc;
	if (l->m->tensors[op->inputs[0]].rank != 4 || l->m->tensors[op->inputs[1]].rank != 4 ||
	    l->m->tensors[op->outputs[0]].rank != 4)
		return lower_fail(l, "input, filter and output must be 4-D");
	cin = c.input.dims[3];
	cout = c.output.dims[3];
	kh = c.filter.dims[1];
	kw = c.filter.dims[2];
	if (depthwise ? (c.filter.dims[0] != 1 || c.filter.dims[3] != cout || cout % cin)
		      : (c.filter.dims[0] != cout || c.filter.dims[3] != cin))
		return lower_fail(l, "filter shape %ux%ux%ux%u does not fit %u -> %u channels",
				  c.filter.dims[0], kh, kw, c.filter.dims[3], cin, cout);
	if (c.input.dims[0] != c.output.dims[0])
		return lower_fail(l, "batch %u -> %u", c.input.dims[0], c.output.dims[0]);
	rc = lower_padding(l, o->padding, c.input.dims, (int32_t)kh, (int32_t)kw,
			   o->stride_h, o->stride_w, o->dilation_h, o->dilation_w, &ph, &pw);
	if (rc)
		return rc;
	if ((uint32_t)ph.out_size != c.output.dims[1] || (uint32_t)pw.out_size != c.output.dims[2])
		return lower_fail(l, "output is %ux%u but padding and strides give %dx%d",
				  c.output.dims[1], c.output.dims[2], ph.out_size, pw.out_size);
	if (o->stride_h > AIOT_ISA_MAX_DIM || o->stride_w > AIOT_ISA_MAX_DIM ||
	    o->dilation_h > AIOT_ISA_MAX_DIM || o->dilation_w > AIOT_ISA_MAX_DIM ||
	    ph.pad_before > UINT16_MAX || pw.pad_before > UINT16_MAX)
		return lower_fail(l, "stride, dilation or padding exceeds the ISA's 16 bits");
	c.stride_h = (uint16_t)o->stride_h;
	c.stride_w = (uint16_t)o->stride_w;
	c.dilation_h = (uint16_t)o->dilation_h;
	c.dilation_w = (uint16_t)o->dilation_w;
	c.pad_top = (uint16_t)ph.pad_before;
	c.pad_left = (uint16_t)pw.pad_before;
	c.depth_multiplier = depthwise ? cout / cin : 0;
	rc = lower_s16_channel_quant(l, op, cout, false, &c.quant);
	if (!rc) rc = lower_activation(l, o->activation, op->outputs[0], &c.act);
	if (rc)
		return rc;
	lower_need_isa(l, 6);
	return lower_emit(l, &c, sizeof(c));
}

static int s16_add(struct lowering *l, const struct tflite_operator *op)
{
	struct aiot_isa_op_add a;
	float s1 = 0.0f, s2 = 0.0f, so = 0.0f;
	double twice_max;
	int shift, rc;

	if (op->input_count != 2 || op->output_count != 1)
		return lower_fail(l, "expects two inputs and one output");
	rc = s16_require(l, op->inputs[1], TFLITE_TYPE_INT16, "input 2");
	if (!rc) rc = s16_require(l, op->outputs[0], TFLITE_TYPE_INT16, "output");
	if (rc)
		return rc;
	lower_op_init(&a.hdr, sizeof(a), AIOT_ISA_OP_ADD_S16);
	rc = lower_isa_tensor(l, op->inputs[0], &a.input1);
	if (!rc) rc = lower_isa_tensor(l, op->inputs[1], &a.input2);
	if (!rc) rc = lower_isa_tensor(l, op->outputs[0], &a.output);
	if (!rc) rc = s16_activation_quant(l, op->inputs[0], "input 1", &s1);
	if (!rc) rc = s16_activation_quant(l, op->inputs[1], "input 2", &s2);
	if (!rc) rc = s16_activation_quant(l, op->outputs[0], "output", &so);
	if (rc)
		return rc;
	for (int d = 0; d < 4; d++)
		if ((a.input1.dims[d] != a.output.dims[d] && a.input1.dims[d] != 1) ||
		    (a.input2.dims[d] != a.output.dims[d] && a.input2.dims[d] != 1))
			return lower_fail(l, "inputs do not broadcast to the output shape");
	/* TFLite Micro's int16 ADD: ADD's general rescaling, left shift 15. */
	a.left_shift = ADD_S16_LEFT_SHIFT;
	twice_max = 2.0 * (double)(s1 > s2 ? s1 : s2);
	rc = quant_quantize_multiplier((double)s1 / twice_max, &a.input1_multiplier, &shift);
	a.input1_shift = shift;
	if (!rc)
		rc = quant_quantize_multiplier((double)s2 / twice_max, &a.input2_multiplier, &shift);
	a.input2_shift = shift;
	if (!rc)
		rc = quant_quantize_multiplier(twice_max /
					       ((double)(1 << ADD_S16_LEFT_SHIFT) * (double)so),
					       &a.output_multiplier, &shift);
	a.output_shift = shift;
	if (rc || a.output_shift > 30)
		return lower_fail(l, "scales cannot be represented");
	rc = lower_activation(l, op->options.add.activation, op->outputs[0], &a.act);
	if (rc)
		return rc;
	lower_need_isa(l, 6);
	return lower_emit(l, &a, sizeof(a));
}

int lower_s16_op(struct lowering *l, const struct tflite_operator *op)
{
	if (op->input_count < 1 || op->inputs[0] < 0 ||
	    l->m->tensors[op->inputs[0]].type != TFLITE_TYPE_INT16)
		return 1;
	switch (op->builtin_code) {
	case TFLITE_OP_FULLY_CONNECTED: return s16_fully_connected(l, op);
	case TFLITE_OP_CONV_2D: return s16_conv(l, op, false);
	case TFLITE_OP_DEPTHWISE_CONV_2D: return s16_conv(l, op, true);
	case TFLITE_OP_ADD: return s16_add(l, op);
	default: return 1;
	}
}
