// SPDX-License-Identifier: GPL-2.0-only
/*
 * TFLite operators -> aiot ISA operations, one function each (SVDF has
 * its own file, lower_svdf.c).
 */
#include "lower_internal.h"
#include "plan.h"
#include "quant.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int lower_fully_connected(struct lowering *l, const struct tflite_operator *op)
{
	struct aiot_isa_op_fully_connected fc;
	const struct tflite_tensor *filter;
	uint64_t depth, batches, units;
	float scale = 0.0f;
	int rc;

	if (op->input_count < 2 || op->output_count != 1)
		return lower_fail(l, "expects input, filter[, bias] and one output");
	lower_op_init(&fc.hdr, sizeof(fc), AIOT_ISA_OP_FULLY_CONNECTED);
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
	batches = l->m->tensors[op->inputs[0]].element_count / depth;
	if (batches * depth != l->m->tensors[op->inputs[0]].element_count ||
	    batches * units != l->m->tensors[op->outputs[0]].element_count || batches == 0)
		return lower_fail(l, "input/output element counts do not match the filter %llux%llu",
				  (unsigned long long)units, (unsigned long long)depth);
	/* TFLite flattens the input to [batches, depth]. */
	fc.input.dims[0] = (uint32_t)batches;
	fc.input.dims[1] = fc.input.dims[2] = 1;
	fc.input.dims[3] = (uint32_t)depth;
	fc.filter.dims[0] = (uint32_t)units;
	fc.filter.dims[1] = fc.filter.dims[2] = 1;
	fc.filter.dims[3] = (uint32_t)depth;
	fc.output.dims[0] = (uint32_t)batches;
	fc.output.dims[1] = fc.output.dims[2] = 1;
	fc.output.dims[3] = (uint32_t)units;
	rc = lower_require_int8(l, &fc.input, "input");
	if (!rc) rc = lower_require_int8(l, &fc.filter, "filter");
	if (!rc) rc = lower_require_int8(l, &fc.output, "output");
	if (!rc) rc = lower_channel_quant(l, op, (uint32_t)units, true, &fc.quant);
	if (!rc) rc = lower_per_tensor_quant(l, op->inputs[0], &scale, &fc.input_zero_point);
	if (!rc) rc = lower_per_tensor_quant(l, op->outputs[0], &scale, &fc.output_zero_point);
	if (!rc) rc = lower_activation(l, op->options.fc.activation, op->outputs[0], &fc.act);
	if (rc)
		return rc;
	fc.filter_zero_point = (int32_t)filter->quant.zero_point[0];
	return lower_emit(l, &fc, sizeof(fc));
}

int lower_conv(struct lowering *l, const struct tflite_operator *op, bool depthwise)
{
	const struct tflite_conv_options *o = &op->options.conv;
	struct aiot_isa_op_conv c;
	struct quant_padding ph, pw;
	uint32_t cin, cout, kh, kw;
	float scale = 0.0f;
	int rc;

	if (op->input_count < 2 || op->output_count != 1)
		return lower_fail(l, "expects input, filter[, bias] and one output");
	lower_op_init(&c.hdr, sizeof(c), depthwise ? AIOT_ISA_OP_DEPTHWISE_CONV_2D : AIOT_ISA_OP_CONV_2D);
	rc = lower_isa_tensor(l, op->inputs[0], &c.input);
	if (!rc) rc = lower_isa_tensor(l, op->inputs[1], &c.filter);
	if (!rc) rc = lower_isa_tensor(l, op->outputs[0], &c.output);
	if (!rc) rc = lower_require_int8(l, &c.input, "input");
	if (!rc) rc = lower_require_int8(l, &c.filter, "filter");
	if (!rc) rc = lower_require_int8(l, &c.output, "output");
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
	/* The stored depth_multiplier is redundant (TF >= 2.1): shapes decide. */
	c.depth_multiplier = depthwise ? cout / cin : 0;
	rc = lower_channel_quant(l, op, cout, false, &c.quant);
	if (!rc) rc = lower_per_tensor_quant(l, op->inputs[0], &scale, &c.input_zero_point);
	if (!rc) rc = lower_per_tensor_quant(l, op->outputs[0], &scale, &c.output_zero_point);
	if (!rc) rc = lower_activation(l, o->activation, op->outputs[0], &c.act);
	return rc ? rc : lower_emit(l, &c, sizeof(c));
}

int lower_pool(struct lowering *l, const struct tflite_operator *op, bool average)
{
	const struct tflite_pool_options *o = &op->options.pool;
	struct aiot_isa_op_pool p;
	struct quant_padding ph, pw;
	float in_scale = 0.0f, out_scale = 0.0f;
	int32_t in_zp = 0, out_zp = 0;
	int rc;

	if (op->input_count != 1 || op->output_count != 1)
		return lower_fail(l, "expects one input and one output");
	lower_op_init(&p.hdr, sizeof(p), average ? AIOT_ISA_OP_AVERAGE_POOL_2D : AIOT_ISA_OP_MAX_POOL_2D);
	rc = lower_isa_tensor(l, op->inputs[0], &p.input);
	if (!rc) rc = lower_isa_tensor(l, op->outputs[0], &p.output);
	if (!rc) rc = lower_require_int8_16(l, &p.input, NULL, "input");
	if (!rc) rc = lower_require_int8_16(l, &p.output, &p.input, "output");
	if (!rc) rc = lower_per_tensor_quant(l, op->inputs[0], &in_scale, &in_zp);
	if (!rc) rc = lower_per_tensor_quant(l, op->outputs[0], &out_scale, &out_zp);
	if (rc)
		return rc;
	if (in_scale != out_scale || in_zp != out_zp)
		return lower_fail(l, "input and output quantization differ");
	rc = lower_padding(l, o->padding, p.input.dims, o->filter_h, o->filter_w,
			   o->stride_h, o->stride_w, 1, 1, &ph, &pw);
	if (rc)
		return rc;
	if ((uint32_t)ph.out_size != p.output.dims[1] || (uint32_t)pw.out_size != p.output.dims[2] ||
	    p.input.dims[0] != p.output.dims[0] || p.input.dims[3] != p.output.dims[3])
		return lower_fail(l, "output shape does not match the pooling window");
	if (o->filter_h > UINT16_MAX || o->filter_w > UINT16_MAX ||
	    o->stride_h > UINT16_MAX || o->stride_w > UINT16_MAX ||
	    ph.pad_before > UINT16_MAX || pw.pad_before > UINT16_MAX)
		return lower_fail(l, "window, stride or padding exceeds the ISA's 16 bits");
	p.filter_h = (uint16_t)o->filter_h;
	p.filter_w = (uint16_t)o->filter_w;
	p.stride_h = (uint16_t)o->stride_h;
	p.stride_w = (uint16_t)o->stride_w;
	p.pad_top = (uint16_t)ph.pad_before;
	p.pad_left = (uint16_t)pw.pad_before;
	if (p.input.dtype == AIOT_ISA_DTYPE_INT16) {
		if (average && (uint32_t)p.filter_h * p.filter_w > AIOT_ISA_MAX_POOL_WINDOW_S16)
			return lower_fail(l, "an int16 average over %ux%u elements exceeds the "
					  "ISA's %d", p.filter_h, p.filter_w,
					  AIOT_ISA_MAX_POOL_WINDOW_S16);
		lower_need_isa(l, 8);
	}
	rc = lower_activation(l, o->activation, op->outputs[0], &p.act);
	return rc ? rc : lower_emit(l, &p, sizeof(p));
}

int lower_add(struct lowering *l, const struct tflite_operator *op)
{
	struct aiot_isa_op_add a;
	float s1 = 0.0f, s2 = 0.0f, so = 0.0f;
	double twice_max;
	int shift, rc;

	if (op->input_count != 2 || op->output_count != 1)
		return lower_fail(l, "expects two inputs and one output");
	lower_op_init(&a.hdr, sizeof(a), AIOT_ISA_OP_ADD);
	rc = lower_isa_tensor(l, op->inputs[0], &a.input1);
	if (!rc) rc = lower_isa_tensor(l, op->inputs[1], &a.input2);
	if (!rc) rc = lower_isa_tensor(l, op->outputs[0], &a.output);
	if (!rc) rc = lower_require_int8(l, &a.input1, "input 1");
	if (!rc) rc = lower_require_int8(l, &a.input2, "input 2");
	if (!rc) rc = lower_require_int8(l, &a.output, "output");
	if (!rc) rc = lower_per_tensor_quant(l, op->inputs[0], &s1, &a.input1_zero_point);
	if (!rc) rc = lower_per_tensor_quant(l, op->inputs[1], &s2, &a.input2_zero_point);
	if (!rc) rc = lower_per_tensor_quant(l, op->outputs[0], &so, &a.output_zero_point);
	if (rc)
		return rc;
	for (int d = 0; d < 4; d++)
		if ((a.input1.dims[d] != a.output.dims[d] && a.input1.dims[d] != 1) ||
		    (a.input2.dims[d] != a.output.dims[d] && a.input2.dims[d] != 1))
			return lower_fail(l, "inputs do not broadcast to the output shape");
	/* TFLite's int8 ADD: both inputs rescaled to twice the larger scale. */
	a.left_shift = ADD_LEFT_SHIFT;
	twice_max = 2.0 * (double)(s1 > s2 ? s1 : s2);
	rc = quant_quantize_multiplier((double)s1 / twice_max, &a.input1_multiplier, &shift);
	a.input1_shift = shift;
	if (!rc)
		rc = quant_quantize_multiplier((double)s2 / twice_max, &a.input2_multiplier, &shift);
	a.input2_shift = shift;
	if (!rc)
		rc = quant_quantize_multiplier(twice_max / ((double)(1 << ADD_LEFT_SHIFT) * (double)so),
					       &a.output_multiplier, &shift);
	a.output_shift = shift;
	if (rc || a.output_shift > 30)
		return lower_fail(l, "scales cannot be represented");
	rc = lower_activation(l, op->options.add.activation, op->outputs[0], &a.act);
	return rc ? rc : lower_emit(l, &a, sizeof(a));
}

int lower_reshape(struct lowering *l, const struct tflite_operator *op)
{
	struct aiot_isa_op_reshape r;
	int rc;

	if (op->input_count < 1 || op->output_count != 1)
		return lower_fail(l, "expects an input and one output");
	lower_op_init(&r.hdr, sizeof(r), AIOT_ISA_OP_RESHAPE);
	rc = lower_isa_tensor(l, op->inputs[0], &r.input);
	if (!rc) rc = lower_isa_tensor(l, op->outputs[0], &r.output);
	if (rc)
		return rc;
	if (r.input.dtype != r.output.dtype ||
	    l->m->tensors[op->inputs[0]].element_count !=
	    l->m->tensors[op->outputs[0]].element_count)
		return lower_fail(l, "input and output differ in type or element count");
	return lower_emit(l, &r, sizeof(r));
}

int lower_softmax(struct lowering *l, const struct tflite_operator *op)
{
	struct aiot_isa_op_softmax s;
	struct quant_softmax_scaling q;
	float in_scale = 0.0f, out_scale = 0.0f;
	int32_t zp = 0;
	int rc;

	if (op->input_count != 1 || op->output_count != 1 || op->inputs[0] < 0 ||
	    op->outputs[0] < 0)
		return lower_fail(l, "expects one input and one output");
	/* TFLite's 16x8 softmax: ISA 1.9's own operation and tables. */
	if (l->m->tensors[op->inputs[0]].type == TFLITE_TYPE_INT16)
		return lower_softmax_s16(l, op);
	lower_op_init(&s.hdr, sizeof(s), AIOT_ISA_OP_SOFTMAX);
	rc = lower_isa_tensor(l, op->inputs[0], &s.input);
	if (!rc) rc = lower_isa_tensor(l, op->outputs[0], &s.output);
	if (!rc) rc = lower_require_int8(l, &s.input, "input");
	if (!rc) rc = lower_per_tensor_quant(l, op->inputs[0], &in_scale, &zp);
	if (!rc) rc = lower_per_tensor_quant(l, op->outputs[0], &out_scale, &zp);
	if (rc)
		return rc;
	if (s.output.dtype == AIOT_ISA_DTYPE_INT16) {
		/* TFLite Micro's tolerance for the int16 output scale. */
		if (fabs((double)out_scale - 1.0 / 65536) > 0.001 / 65536 || zp != -32768)
			return lower_fail(l, "int16 softmax output must be scale 1/65536, zero "
					  "point -32768");
		lower_need_isa(l, 1);
	} else if (s.output.dtype != AIOT_ISA_DTYPE_INT8) {
		return lower_fail(l, "output must be int8 or int16");
	} else if (out_scale != 1.0f / 256 || zp != -128) {
		return lower_fail(l, "int8 softmax output must be scale 1/256, zero point -128");
	}
	rc = quant_softmax_params(op->options.softmax.beta, in_scale, &q);
	if (rc)
		return lower_fail(l, "beta * input scale cannot be represented (%s)", strerror(-rc));
	s.input_multiplier = q.input_multiplier;
	s.input_left_shift = q.input_left_shift;
	s.diff_min = q.diff_min;
	return lower_emit(l, &s, sizeof(s));
}

int lower_quantize(struct lowering *l, const struct tflite_operator *op)
{
	struct aiot_isa_op_requantize r;
	float in_scale = 0.0f, out_scale = 0.0f;
	int shift, rc;

	if (op->input_count != 1 || op->output_count != 1 || op->inputs[0] < 0)
		return lower_fail(l, "expects one input and one output");
	if (l->m->tensors[op->inputs[0]].type != TFLITE_TYPE_INT8 &&
	    l->m->tensors[op->inputs[0]].type != TFLITE_TYPE_INT16) {
		snprintf(l->msg, sizeof(l->msg), "input must be int8 or int16, not %s",
			 lower_type_name(l->m->tensors[op->inputs[0]].type));
		return -EOPNOTSUPP;
	}
	memset(&r, 0, sizeof(r));
	r.hdr.size = sizeof(r);
	rc = lower_isa_tensor(l, op->inputs[0], &r.input);
	if (!rc) rc = lower_isa_tensor(l, op->outputs[0], &r.output);
	if (rc)
		return rc;
	if (r.output.dtype != AIOT_ISA_DTYPE_INT8)
		lower_need_isa(l, 1); /* int16/int32 output */
	if (r.input.dtype == AIOT_ISA_DTYPE_INT8)
		r.hdr.opcode = AIOT_ISA_OP_REQUANTIZE;
	else if (r.input.dtype == AIOT_ISA_DTYPE_INT16)
		r.hdr.opcode = AIOT_ISA_OP_SENSOR_TO_INT8;
	else
		return lower_fail(l, "input must be int8 or int16");
	rc = lower_per_tensor_quant(l, op->inputs[0], &in_scale, &r.input_zero_point);
	if (!rc) rc = lower_per_tensor_quant(l, op->outputs[0], &out_scale, &r.output_zero_point);
	if (rc)
		return rc;
	rc = quant_quantize_multiplier((double)in_scale / (double)out_scale, &r.multiplier, &shift);
	if (rc || shift > 30)
		return lower_fail(l, "input/output scale ratio cannot be represented");
	r.shift = shift;
	lower_dtype_range(r.output.dtype, &r.act.min, &r.act.max);
	if (r.output_zero_point < r.act.min || r.output_zero_point > r.act.max)
		return lower_fail(l, "output zero point %d outside its type", r.output_zero_point);
	return lower_emit(l, &r, sizeof(r));
}
