// SPDX-License-Identifier: GPL-2.0-only
/*
 * TFLite int8 operators -> aiot ISA operations (see lower.h). All scale
 * arithmetic goes through quant.c so that the integers match TFLite's
 * reference kernels; this file only checks shapes and lays out memory.
 */
#include "lower.h"
#include "plan.h"
#include "quant.h"
#include "tflite.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/aiot_isa.h>

#define WEIGHTS_ALIGNMENT 16
#define ARENA_ALIGNMENT 16
/* TFLite's int8 ADD scales both inputs up by 2^20 before adding. */
#define ADD_LEFT_SHIFT 20

struct lowering {
	const struct tflite_model *m;
	size_t *arena_offsets;      /* per tensor, PLAN_UNPLACED if not there */
	size_t *weight_offsets;     /* per tensor, SIZE_MAX until copied */
	uint8_t *stream, *weights;
	size_t stream_size, stream_cap, weights_size, weights_cap;
	uint32_t op_count;
	bool needs_isa_1_1;         /* uses an ISA 1.1 addition */
	size_t state_size;
	char msg[512];
};

__attribute__((format(printf, 2, 3)))
static int fail(struct lowering *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(l->msg, sizeof(l->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int grow(uint8_t **buf, size_t *cap, size_t need)
{
	size_t cap2 = *cap ? *cap : 4096;
	uint8_t *p;

	while (cap2 < need) {
		if (cap2 > SIZE_MAX / 2)
			return -ENOMEM;
		cap2 *= 2;
	}
	if (cap2 == *cap)
		return 0;
	p = realloc(*buf, cap2);
	if (!p)
		return -ENOMEM;
	memset(p + *cap, 0, cap2 - *cap); /* padding bytes must be zero */
	*buf = p;
	*cap = cap2;
	return 0;
}

/* Append `size` bytes at an aligned offset of the weights blob. */
static int weights_append(struct lowering *l, const void *data, size_t size, size_t *offset)
{
	size_t at = (l->weights_size + WEIGHTS_ALIGNMENT - 1) & ~(size_t)(WEIGHTS_ALIGNMENT - 1);

	if (at > UINT32_MAX || size > UINT32_MAX - at)
		return fail(l, "weights exceed the ISA's 32-bit offsets");
	if (grow(&l->weights, &l->weights_cap, at + size))
		return -ENOMEM;
	if (size)
		memcpy(l->weights + at, data, size);
	l->weights_size = at + size;
	*offset = at;
	return 0;
}

static int emit(struct lowering *l, const void *op, size_t size)
{
	if (l->op_count >= AIOT_ISA_MAX_OPS ||
	    l->stream_size + size > AIOT_ISA_MAX_STREAM_BYTES)
		return fail(l, "command stream exceeds the ISA limits");
	if (grow(&l->stream, &l->stream_cap, l->stream_size + size))
		return -ENOMEM;
	memcpy(l->stream + l->stream_size, op, size);
	l->stream_size += size;
	l->op_count++;
	return 0;
}

static int isa_dtype(enum tflite_tensor_type type)
{
	switch (type) {
	case TFLITE_TYPE_INT8: return AIOT_ISA_DTYPE_INT8;
	case TFLITE_TYPE_INT16: return AIOT_ISA_DTYPE_INT16;
	case TFLITE_TYPE_INT32: return AIOT_ISA_DTYPE_INT32;
	default: return AIOT_ISA_DTYPE_INVALID;
	}
}

/* Right-align a shape of rank <= 4 into NHWC dims padded with 1. */
static int nhwc(struct lowering *l, const struct tflite_tensor *t, uint32_t dims[4])
{
	if (t->rank > 4)
		return fail(l, "tensor \"%s\" has rank %u (the ISA takes at most 4)",
			    t->name, t->rank);
	for (int d = 0; d < 4; d++)
		dims[d] = 1;
	for (uint32_t d = 0; d < t->rank; d++) {
		if (t->shape[d] < 1 || t->shape[d] > AIOT_ISA_MAX_DIM)
			return fail(l, "tensor \"%s\" dimension %u is %d (ISA: 1..%d)",
				    t->name, d, t->shape[d], AIOT_ISA_MAX_DIM);
		dims[4 - t->rank + d] = (uint32_t)t->shape[d];
	}
	return 0;
}

/* Where tensor `index` lives: graph input/output binding, the arena, or
 * (constants) the weights blob, copied there on first use. */
static int isa_tensor(struct lowering *l, int32_t index, struct aiot_isa_tensor *out)
{
	const struct tflite_model *m = l->m;
	const struct tflite_tensor *t;
	const struct tflite_buffer *b;
	int rc;

	if (index < 0)
		return fail(l, "a required input is missing (-1)");
	t = &m->tensors[index];
	memset(out, 0, sizeof(*out));
	out->dtype = (uint8_t)isa_dtype(t->type);
	if (out->dtype == AIOT_ISA_DTYPE_INVALID)
		return fail(l, "tensor %d (\"%s\") has type %s; the ISA takes INT8, INT16, "
			    "INT32", index, t->name, tflite_type_name(t->type));
	rc = nhwc(l, t, out->dims);
	if (rc)
		return rc;
	if (t->byte_size > AIOT_ISA_MAX_TENSOR_BYTES)
		return fail(l, "tensor %d is larger than the ISA allows", index);
	b = tflite_tensor_data(m, (uint32_t)index);
	if (m->input_count && index == m->inputs[0]) {
		out->binding = AIOT_ISA_BINDING_INPUT;
	} else if (m->output_count && index == m->outputs[0]) {
		out->binding = AIOT_ISA_BINDING_OUTPUT;
	} else if (b) {
		if (l->weight_offsets[index] == SIZE_MAX) {
			rc = weights_append(l, b->data, b->size, &l->weight_offsets[index]);
			if (rc)
				return rc;
		}
		out->binding = AIOT_ISA_BINDING_WEIGHTS;
		out->offset = (uint32_t)l->weight_offsets[index];
	} else if (l->arena_offsets[index] != PLAN_UNPLACED) {
		if (l->arena_offsets[index] > UINT32_MAX)
			return fail(l, "arena offset exceeds 32 bits");
		out->binding = AIOT_ISA_BINDING_ARENA;
		out->offset = (uint32_t)l->arena_offsets[index];
	} else {
		return fail(l, "tensor %d (\"%s\") has no storage", index, t->name);
	}
	return 0;
}

static int per_tensor_quant(struct lowering *l, int32_t index, float *scale, int32_t *zp)
{
	const struct tflite_tensor *t = &l->m->tensors[index];

	if (t->quant.count != 1)
		return fail(l, "tensor %d (\"%s\") needs per-tensor quantization (has %u "
			    "scales)", index, t->name, t->quant.count);
	*scale = t->quant.scale[0];
	*zp = (int32_t)t->quant.zero_point[0];
	return 0;
}

static int activation(struct lowering *l, enum tflite_activation act, int32_t out_index,
		      struct aiot_isa_activation *clamp)
{
	float scale = 0.0f;
	int32_t zp = 0;
	int rc = per_tensor_quant(l, out_index, &scale, &zp);

	if (rc)
		return rc;
	rc = quant_activation_range(act, scale, zp, INT8_MIN, INT8_MAX, &clamp->min, &clamp->max);
	if (rc)
		return fail(l, "fused activation %s cannot be lowered (%s)",
			    tflite_activation_name(act), strerror(-rc));
	return 0;
}

static int require_int8(struct lowering *l, const struct aiot_isa_tensor *t, const char *what)
{
	return t->dtype == AIOT_ISA_DTYPE_INT8 ? 0 : fail(l, "%s must be int8", what);
}

/* Per-channel (bias, multiplier, shift) records into the weights blob. */
static int channel_quant(struct lowering *l, const struct tflite_operator *op,
			 uint32_t channels, bool float_product_fc,
			 struct aiot_isa_array_ref *ref)
{
	const struct tflite_model *m = l->m;
	const struct tflite_tensor *filter = &m->tensors[op->inputs[1]];
	const struct tflite_buffer *bias = NULL;
	struct aiot_isa_channel_quant *q;
	int32_t *mult, *shift;
	float in_scale = 0.0f, out_scale = 0.0f;
	int32_t zp = 0;
	size_t offset;
	int rc;

	rc = per_tensor_quant(l, op->inputs[0], &in_scale, &zp);
	if (!rc)
		rc = per_tensor_quant(l, op->outputs[0], &out_scale, &zp);
	if (rc)
		return rc;
	if (filter->quant.count != 1 && filter->quant.count != channels)
		return fail(l, "filter has %u scales for %u output channels",
			    filter->quant.count, channels);
	for (uint32_t c = 0; c < filter->quant.count; c++)
		if (filter->quant.zero_point[c] != 0)
			return fail(l, "filter zero point %lld: the ISA takes symmetric "
				    "weights", (long long)filter->quant.zero_point[c]);
	if (op->input_count > 2 && op->inputs[2] >= 0) {
		const struct tflite_tensor *bt = &m->tensors[op->inputs[2]];

		bias = tflite_tensor_data(m, (uint32_t)op->inputs[2]);
		if (!bias || bt->type != TFLITE_TYPE_INT32 || bt->element_count != channels)
			return fail(l, "bias must be a constant int32 vector of %u", channels);
	}
	q = calloc(channels, sizeof(*q));
	mult = calloc(channels, sizeof(*mult));
	shift = calloc(channels, sizeof(*shift));
	if (!q || !mult || !shift) {
		rc = -ENOMEM;
		goto out;
	}
	if (float_product_fc && filter->quant.count == 1) {
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
		rc = fail(l, "output multiplier cannot be represented (%s)", strerror(-rc));
		goto out;
	}
	for (uint32_t c = 0; c < channels; c++) {
		if (bias)
			memcpy(&q[c].bias, bias->data + (size_t)c * 4, 4);
		q[c].multiplier = mult[c];
		q[c].shift = shift[c];
		if (shift[c] < -31 || shift[c] > 30) {
			rc = fail(l, "channel %u shift %d outside the ISA's -31..30", c, shift[c]);
			goto out;
		}
	}
	rc = weights_append(l, q, channels * sizeof(*q), &offset);
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

static int lower_fully_connected(struct lowering *l, const struct tflite_operator *op)
{
	struct aiot_isa_op_fully_connected fc;
	const struct tflite_tensor *filter;
	uint64_t depth, batches, units;
	float scale = 0.0f;
	int rc;

	if (op->input_count < 2 || op->output_count != 1)
		return fail(l, "expects input, filter[, bias] and one output");
	memset(&fc, 0, sizeof(fc));
	fc.hdr.opcode = AIOT_ISA_OP_FULLY_CONNECTED;
	fc.hdr.size = sizeof(fc);
	rc = isa_tensor(l, op->inputs[0], &fc.input);
	if (!rc) rc = isa_tensor(l, op->inputs[1], &fc.filter);
	if (!rc) rc = isa_tensor(l, op->outputs[0], &fc.output);
	if (rc)
		return rc;
	filter = &l->m->tensors[op->inputs[1]];
	if (filter->rank != 2 || !tflite_tensor_data(l->m, (uint32_t)op->inputs[1]))
		return fail(l, "filter must be a constant [units, depth] matrix");
	units = (uint64_t)filter->shape[0];
	depth = (uint64_t)filter->shape[1];
	batches = l->m->tensors[op->inputs[0]].element_count / depth;
	if (batches * depth != l->m->tensors[op->inputs[0]].element_count ||
	    batches * units != l->m->tensors[op->outputs[0]].element_count || batches == 0)
		return fail(l, "input/output element counts do not match the filter %llux%llu",
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
	rc = require_int8(l, &fc.input, "input");
	if (!rc) rc = require_int8(l, &fc.filter, "filter");
	if (!rc) rc = require_int8(l, &fc.output, "output");
	if (!rc) rc = channel_quant(l, op, (uint32_t)units, true, &fc.quant);
	if (!rc) rc = per_tensor_quant(l, op->inputs[0], &scale, &fc.input_zero_point);
	if (!rc) rc = per_tensor_quant(l, op->outputs[0], &scale, &fc.output_zero_point);
	if (!rc) rc = activation(l, op->options.fc.activation, op->outputs[0], &fc.act);
	if (rc)
		return rc;
	fc.filter_zero_point = (int32_t)filter->quant.zero_point[0];
	return emit(l, &fc, sizeof(fc));
}

static int lower_conv(struct lowering *l, const struct tflite_operator *op, bool depthwise)
{
	const struct tflite_conv_options *o = &op->options.conv;
	struct aiot_isa_op_conv c;
	struct quant_padding ph, pw;
	uint32_t cin, cout, kh, kw;
	float scale = 0.0f;
	int rc;

	if (op->input_count < 2 || op->output_count != 1)
		return fail(l, "expects input, filter[, bias] and one output");
	memset(&c, 0, sizeof(c));
	c.hdr.opcode = depthwise ? AIOT_ISA_OP_DEPTHWISE_CONV_2D : AIOT_ISA_OP_CONV_2D;
	c.hdr.size = sizeof(c);
	rc = isa_tensor(l, op->inputs[0], &c.input);
	if (!rc) rc = isa_tensor(l, op->inputs[1], &c.filter);
	if (!rc) rc = isa_tensor(l, op->outputs[0], &c.output);
	if (!rc) rc = require_int8(l, &c.input, "input");
	if (!rc) rc = require_int8(l, &c.filter, "filter");
	if (!rc) rc = require_int8(l, &c.output, "output");
	if (rc)
		return rc;
	if (l->m->tensors[op->inputs[0]].rank != 4 || l->m->tensors[op->inputs[1]].rank != 4 ||
	    l->m->tensors[op->outputs[0]].rank != 4)
		return fail(l, "input, filter and output must be 4-D");
	cin = c.input.dims[3];
	cout = c.output.dims[3];
	kh = c.filter.dims[1];
	kw = c.filter.dims[2];
	if (depthwise ? (c.filter.dims[0] != 1 || c.filter.dims[3] != cout || cout % cin)
		      : (c.filter.dims[0] != cout || c.filter.dims[3] != cin))
		return fail(l, "filter shape %ux%ux%ux%u does not fit %u -> %u channels",
			    c.filter.dims[0], kh, kw, c.filter.dims[3], cin, cout);
	if (c.input.dims[0] != c.output.dims[0])
		return fail(l, "batch %u -> %u", c.input.dims[0], c.output.dims[0]);
	rc = quant_compute_padding(o->padding, (int32_t)c.input.dims[1], (int32_t)kh,
				   o->stride_h, o->dilation_h, &ph);
	if (!rc)
		rc = quant_compute_padding(o->padding, (int32_t)c.input.dims[2], (int32_t)kw,
					   o->stride_w, o->dilation_w, &pw);
	if (rc)
		return fail(l, "padding cannot be computed (%s)", strerror(-rc));
	if ((uint32_t)ph.out_size != c.output.dims[1] || (uint32_t)pw.out_size != c.output.dims[2])
		return fail(l, "output is %ux%u but padding and strides give %dx%d",
			    c.output.dims[1], c.output.dims[2], ph.out_size, pw.out_size);
	if (o->stride_h > AIOT_ISA_MAX_DIM || o->stride_w > AIOT_ISA_MAX_DIM ||
	    o->dilation_h > AIOT_ISA_MAX_DIM || o->dilation_w > AIOT_ISA_MAX_DIM ||
	    ph.pad_before > UINT16_MAX || pw.pad_before > UINT16_MAX)
		return fail(l, "stride, dilation or padding exceeds the ISA's 16 bits");
	c.stride_h = (uint16_t)o->stride_h;
	c.stride_w = (uint16_t)o->stride_w;
	c.dilation_h = (uint16_t)o->dilation_h;
	c.dilation_w = (uint16_t)o->dilation_w;
	c.pad_top = (uint16_t)ph.pad_before;
	c.pad_left = (uint16_t)pw.pad_before;
	/* The stored depth_multiplier is redundant (TF >= 2.1): shapes decide. */
	c.depth_multiplier = depthwise ? cout / cin : 0;
	rc = channel_quant(l, op, cout, false, &c.quant);
	if (!rc) rc = per_tensor_quant(l, op->inputs[0], &scale, &c.input_zero_point);
	if (!rc) rc = per_tensor_quant(l, op->outputs[0], &scale, &c.output_zero_point);
	if (!rc) rc = activation(l, o->activation, op->outputs[0], &c.act);
	return rc ? rc : emit(l, &c, sizeof(c));
}

static int lower_pool(struct lowering *l, const struct tflite_operator *op, bool average)
{
	const struct tflite_pool_options *o = &op->options.pool;
	struct aiot_isa_op_pool p;
	struct quant_padding ph, pw;
	float in_scale = 0.0f, out_scale = 0.0f;
	int32_t in_zp = 0, out_zp = 0;
	int rc;

	if (op->input_count != 1 || op->output_count != 1)
		return fail(l, "expects one input and one output");
	memset(&p, 0, sizeof(p));
	p.hdr.opcode = average ? AIOT_ISA_OP_AVERAGE_POOL_2D : AIOT_ISA_OP_MAX_POOL_2D;
	p.hdr.size = sizeof(p);
	rc = isa_tensor(l, op->inputs[0], &p.input);
	if (!rc) rc = isa_tensor(l, op->outputs[0], &p.output);
	if (!rc) rc = require_int8(l, &p.input, "input");
	if (!rc) rc = require_int8(l, &p.output, "output");
	if (!rc) rc = per_tensor_quant(l, op->inputs[0], &in_scale, &in_zp);
	if (!rc) rc = per_tensor_quant(l, op->outputs[0], &out_scale, &out_zp);
	if (rc)
		return rc;
	if (in_scale != out_scale || in_zp != out_zp)
		return fail(l, "input and output quantization differ");
	rc = quant_compute_padding(o->padding, (int32_t)p.input.dims[1], o->filter_h,
				   o->stride_h, 1, &ph);
	if (!rc)
		rc = quant_compute_padding(o->padding, (int32_t)p.input.dims[2], o->filter_w,
					   o->stride_w, 1, &pw);
	if (rc)
		return fail(l, "padding cannot be computed (%s)", strerror(-rc));
	if ((uint32_t)ph.out_size != p.output.dims[1] || (uint32_t)pw.out_size != p.output.dims[2] ||
	    p.input.dims[0] != p.output.dims[0] || p.input.dims[3] != p.output.dims[3])
		return fail(l, "output shape does not match the pooling window");
	if (o->filter_h > UINT16_MAX || o->filter_w > UINT16_MAX ||
	    o->stride_h > UINT16_MAX || o->stride_w > UINT16_MAX ||
	    ph.pad_before > UINT16_MAX || pw.pad_before > UINT16_MAX)
		return fail(l, "window, stride or padding exceeds the ISA's 16 bits");
	p.filter_h = (uint16_t)o->filter_h;
	p.filter_w = (uint16_t)o->filter_w;
	p.stride_h = (uint16_t)o->stride_h;
	p.stride_w = (uint16_t)o->stride_w;
	p.pad_top = (uint16_t)ph.pad_before;
	p.pad_left = (uint16_t)pw.pad_before;
	rc = activation(l, o->activation, op->outputs[0], &p.act);
	return rc ? rc : emit(l, &p, sizeof(p));
}

static int lower_add(struct lowering *l, const struct tflite_operator *op)
{
	struct aiot_isa_op_add a;
	float s1 = 0.0f, s2 = 0.0f, so = 0.0f;
	double twice_max;
	int shift, rc;

	if (op->input_count != 2 || op->output_count != 1)
		return fail(l, "expects two inputs and one output");
	memset(&a, 0, sizeof(a));
	a.hdr.opcode = AIOT_ISA_OP_ADD;
	a.hdr.size = sizeof(a);
	rc = isa_tensor(l, op->inputs[0], &a.input1);
	if (!rc) rc = isa_tensor(l, op->inputs[1], &a.input2);
	if (!rc) rc = isa_tensor(l, op->outputs[0], &a.output);
	if (!rc) rc = require_int8(l, &a.input1, "input 1");
	if (!rc) rc = require_int8(l, &a.input2, "input 2");
	if (!rc) rc = require_int8(l, &a.output, "output");
	if (!rc) rc = per_tensor_quant(l, op->inputs[0], &s1, &a.input1_zero_point);
	if (!rc) rc = per_tensor_quant(l, op->inputs[1], &s2, &a.input2_zero_point);
	if (!rc) rc = per_tensor_quant(l, op->outputs[0], &so, &a.output_zero_point);
	if (rc)
		return rc;
	for (int d = 0; d < 4; d++)
		if ((a.input1.dims[d] != a.output.dims[d] && a.input1.dims[d] != 1) ||
		    (a.input2.dims[d] != a.output.dims[d] && a.input2.dims[d] != 1))
			return fail(l, "inputs do not broadcast to the output shape");
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
		return fail(l, "scales cannot be represented");
	rc = activation(l, op->options.add.activation, op->outputs[0], &a.act);
	return rc ? rc : emit(l, &a, sizeof(a));
}

static int lower_reshape(struct lowering *l, const struct tflite_operator *op)
{
	struct aiot_isa_op_reshape r;
	int rc;

	if (op->input_count < 1 || op->output_count != 1)
		return fail(l, "expects an input and one output");
	memset(&r, 0, sizeof(r));
	r.hdr.opcode = AIOT_ISA_OP_RESHAPE;
	r.hdr.size = sizeof(r);
	rc = isa_tensor(l, op->inputs[0], &r.input);
	if (!rc) rc = isa_tensor(l, op->outputs[0], &r.output);
	if (rc)
		return rc;
	if (r.input.dtype != r.output.dtype ||
	    l->m->tensors[op->inputs[0]].element_count !=
	    l->m->tensors[op->outputs[0]].element_count)
		return fail(l, "input and output differ in type or element count");
	return emit(l, &r, sizeof(r));
}

static int lower_softmax(struct lowering *l, const struct tflite_operator *op)
{
	struct aiot_isa_op_softmax s;
	struct quant_softmax_scaling q;
	float in_scale = 0.0f, out_scale = 0.0f;
	int32_t zp = 0;
	int rc;

	if (op->input_count != 1 || op->output_count != 1)
		return fail(l, "expects one input and one output");
	memset(&s, 0, sizeof(s));
	s.hdr.opcode = AIOT_ISA_OP_SOFTMAX;
	s.hdr.size = sizeof(s);
	rc = isa_tensor(l, op->inputs[0], &s.input);
	if (!rc) rc = isa_tensor(l, op->outputs[0], &s.output);
	if (!rc) rc = require_int8(l, &s.input, "input");
	if (!rc) rc = per_tensor_quant(l, op->inputs[0], &in_scale, &zp);
	if (!rc) rc = per_tensor_quant(l, op->outputs[0], &out_scale, &zp);
	if (rc)
		return rc;
	if (s.output.dtype == AIOT_ISA_DTYPE_INT16) {
		/* TFLite Micro's tolerance for the int16 output scale. */
		if (fabs((double)out_scale - 1.0 / 65536) > 0.001 / 65536 || zp != -32768)
			return fail(l, "int16 softmax output must be scale 1/65536, zero "
				    "point -32768");
		l->needs_isa_1_1 = true;
	} else if (s.output.dtype != AIOT_ISA_DTYPE_INT8) {
		return fail(l, "output must be int8 or int16");
	} else if (out_scale != 1.0f / 256 || zp != -128) {
		return fail(l, "int8 softmax output must be scale 1/256, zero point -128");
	}
	rc = quant_softmax_params(op->options.softmax.beta, in_scale, &q);
	if (rc)
		return fail(l, "beta * input scale cannot be represented (%s)", strerror(-rc));
	s.input_multiplier = q.input_multiplier;
	s.input_left_shift = q.input_left_shift;
	s.diff_min = q.diff_min;
	return emit(l, &s, sizeof(s));
}

static int lower_quantize(struct lowering *l, const struct tflite_operator *op)
{
	struct aiot_isa_op_requantize r;
	float in_scale = 0.0f, out_scale = 0.0f;
	int shift, rc;

	if (op->input_count != 1 || op->output_count != 1 || op->inputs[0] < 0)
		return fail(l, "expects one input and one output");
	if (l->m->tensors[op->inputs[0]].type != TFLITE_TYPE_INT8 &&
	    l->m->tensors[op->inputs[0]].type != TFLITE_TYPE_INT16) {
		snprintf(l->msg, sizeof(l->msg),
			 "input must be int8 or int16 (float input is not lowered)");
		return -EOPNOTSUPP;
	}
	memset(&r, 0, sizeof(r));
	r.hdr.size = sizeof(r);
	rc = isa_tensor(l, op->inputs[0], &r.input);
	if (!rc) rc = isa_tensor(l, op->outputs[0], &r.output);
	if (rc)
		return rc;
	if (r.output.dtype != AIOT_ISA_DTYPE_INT8)
		l->needs_isa_1_1 = true; /* int16/int32 output */
	if (r.input.dtype == AIOT_ISA_DTYPE_INT8)
		r.hdr.opcode = AIOT_ISA_OP_REQUANTIZE;
	else if (r.input.dtype == AIOT_ISA_DTYPE_INT16)
		r.hdr.opcode = AIOT_ISA_OP_SENSOR_TO_INT8;
	else
		return fail(l, "input must be int8 or int16");
	rc = per_tensor_quant(l, op->inputs[0], &in_scale, &r.input_zero_point);
	if (!rc) rc = per_tensor_quant(l, op->outputs[0], &out_scale, &r.output_zero_point);
	if (rc)
		return rc;
	rc = quant_quantize_multiplier((double)in_scale / (double)out_scale, &r.multiplier, &shift);
	if (rc || shift > 30)
		return fail(l, "input/output scale ratio cannot be represented");
	r.shift = shift;
	switch (r.output.dtype) {
	case AIOT_ISA_DTYPE_INT16:
		r.act.min = INT16_MIN;
		r.act.max = INT16_MAX;
		break;
	case AIOT_ISA_DTYPE_INT32:
		r.act.min = INT32_MIN;
		r.act.max = INT32_MAX;
		break;
	default:
		r.act.min = INT8_MIN;
		r.act.max = INT8_MAX;
		break;
	}
	if (r.output_zero_point < r.act.min || r.output_zero_point > r.act.max)
		return fail(l, "output zero point %d outside its type", r.output_zero_point);
	return emit(l, &r, sizeof(r));
}

/* Symmetric per-tensor quantization of a constant weight tensor. */
static int symmetric_scale(struct lowering *l, int32_t index, const char *what, float *scale)
{
	int32_t zp = 0;
	int rc = per_tensor_quant(l, index, scale, &zp);

	if (rc)
		return rc;
	if (zp != 0)
		return fail(l, "%s zero point %d: the ISA takes symmetric weights", what, zp);
	if (!tflite_tensor_data(l->m, (uint32_t)index))
		return fail(l, "%s must be a constant tensor", what);
	return 0;
}

/*
 * SVDF as TFLite Micro runs it (svdf_common.cc, EvalIntegerSvdfReference):
 * the fused activation is not applied to the int8 output, only the int8
 * clamp; both effective scales are computed in float, then widened.
 */
static int lower_svdf(struct lowering *l, const struct tflite_operator *op)
{
	const struct tflite_model *m = l->m;
	const struct tflite_tensor *in_t, *wf_t, *wt_t, *st_t, *out_t;
	struct aiot_isa_op_svdf v;
	float in_s = 0.0f, wf_s = 0.0f, wt_s = 0.0f, st_s = 0.0f, out_s = 0.0f;
	uint32_t batches, depth, filters, memory, units, rank;
	int32_t *bias = NULL;
	size_t offset;
	int shift, rc;

	if (op->input_count != 5 || op->output_count != 1 || op->inputs[0] < 0 ||
	    op->inputs[1] < 0 || op->inputs[2] < 0 || op->inputs[4] < 0)
		return fail(l, "expects input, weights_feature, weights_time, [bias], "
			    "activation state and one output");
	in_t = &m->tensors[op->inputs[0]];
	wf_t = &m->tensors[op->inputs[1]];
	wt_t = &m->tensors[op->inputs[2]];
	st_t = &m->tensors[op->inputs[4]];
	out_t = &m->tensors[op->outputs[0]];
	if (in_t->rank != 2 || wf_t->rank != 2 || wt_t->rank != 2 || st_t->rank != 2 ||
	    out_t->rank != 2)
		return fail(l, "input, weights, state and output must be 2-D");
	if (op->options.svdf.asymmetric_quantize_inputs)
		return fail(l, "asymmetric_quantize_inputs (hybrid SVDF) is not lowered");
	if (!st_t->is_variable || tflite_tensor_data(m, (uint32_t)op->inputs[4]))
		return fail(l, "the activation state must be a variable tensor");
	batches = (uint32_t)in_t->shape[0];
	depth = (uint32_t)in_t->shape[1];
	filters = (uint32_t)wf_t->shape[0];
	memory = (uint32_t)wt_t->shape[1];
	rank = (uint32_t)op->options.svdf.rank;
	units = filters / rank;
	if ((uint32_t)wf_t->shape[1] != depth || (uint32_t)wt_t->shape[0] != filters ||
	    filters % rank || (uint32_t)out_t->shape[0] != batches ||
	    (uint32_t)out_t->shape[1] != units || (uint32_t)st_t->shape[0] != batches ||
	    (uint64_t)(uint32_t)st_t->shape[1] != (uint64_t)filters * memory)
		return fail(l, "shapes do not fit: input %ux%u, weights_feature %dx%d, "
			    "weights_time %dx%d, state %dx%d, output %dx%d, rank %u",
			    batches, depth, wf_t->shape[0], wf_t->shape[1], wt_t->shape[0],
			    wt_t->shape[1], st_t->shape[0], st_t->shape[1], out_t->shape[0],
			    out_t->shape[1], rank);
	if (filters > AIOT_ISA_MAX_DIM || memory > AIOT_ISA_MAX_DIM)
		return fail(l, "filters or memory exceed the ISA's dimension limit");

	memset(&v, 0, sizeof(v));
	v.hdr.opcode = AIOT_ISA_OP_SVDF;
	v.hdr.size = sizeof(v);
	rc = isa_tensor(l, op->inputs[0], &v.input);
	if (!rc) rc = isa_tensor(l, op->inputs[1], &v.weights_feature);
	if (!rc) rc = isa_tensor(l, op->inputs[2], &v.weights_time);
	if (!rc) rc = isa_tensor(l, op->inputs[4], &v.state);
	if (!rc) rc = isa_tensor(l, op->outputs[0], &v.output);
	if (!rc) rc = require_int8(l, &v.input, "input");
	if (!rc) rc = require_int8(l, &v.weights_feature, "weights_feature");
	if (!rc) rc = require_int8(l, &v.output, "output");
	if (rc)
		return rc;
	if (v.weights_time.dtype != AIOT_ISA_DTYPE_INT8 &&
	    v.weights_time.dtype != AIOT_ISA_DTYPE_INT16)
		return fail(l, "weights_time must be int8 or int16");
	if (v.state.dtype != v.weights_time.dtype)
		return fail(l, "activation state and weights_time differ in type");
	if (v.state.binding != AIOT_ISA_BINDING_ARENA)
		return fail(l, "the activation state must not be a graph input or output");
	v.input.dims[0] = batches;
	v.input.dims[1] = v.input.dims[2] = 1;
	v.input.dims[3] = depth;
	v.weights_feature.dims[0] = filters;
	v.weights_feature.dims[1] = v.weights_feature.dims[2] = 1;
	v.weights_feature.dims[3] = depth;
	v.weights_time.dims[0] = filters;
	v.weights_time.dims[1] = v.weights_time.dims[2] = 1;
	v.weights_time.dims[3] = memory;
	v.state.dims[0] = batches;
	v.state.dims[1] = 1;
	v.state.dims[2] = filters;
	v.state.dims[3] = memory;
	v.output.dims[0] = batches;
	v.output.dims[1] = v.output.dims[2] = 1;
	v.output.dims[3] = units;
	v.rank = rank;

	rc = per_tensor_quant(l, op->inputs[0], &in_s, &v.input_zero_point);
	if (!rc) rc = per_tensor_quant(l, op->inputs[4], &st_s, &v.state_zero_point);
	if (!rc) rc = per_tensor_quant(l, op->outputs[0], &out_s, &v.output_zero_point);
	if (!rc) rc = symmetric_scale(l, op->inputs[1], "weights_feature", &wf_s);
	if (!rc) rc = symmetric_scale(l, op->inputs[2], "weights_time", &wt_s);
	if (rc)
		return rc;
	if (v.state.dtype == AIOT_ISA_DTYPE_INT16 && v.state_zero_point != 0)
		return fail(l, "an int16 activation state needs zero point 0");
	/* float products, as TFLite Micro's PrepareSvdf computes them */
	rc = quant_quantize_multiplier((double)(in_s * wf_s / st_s), &v.feature_multiplier,
				       &shift);
	v.feature_shift = shift;
	if (!rc && shift <= 30)
		rc = quant_quantize_multiplier((double)(st_s * wt_s / out_s),
					       &v.time_multiplier, &shift);
	v.time_shift = shift;
	if (rc || v.feature_shift > 30 || v.time_shift > 30)
		return fail(l, "effective scales cannot be represented");
	v.act.min = INT8_MIN;
	v.act.max = INT8_MAX;

	bias = calloc(units, sizeof(*bias));
	if (!bias)
		return -ENOMEM;
	if (op->inputs[3] >= 0) {
		const struct tflite_tensor *bt = &m->tensors[op->inputs[3]];
		const struct tflite_buffer *bb = tflite_tensor_data(m, (uint32_t)op->inputs[3]);

		if (!bb || bt->type != TFLITE_TYPE_INT32 || bt->element_count != units ||
		    bb->size != (size_t)units * 4) {
			free(bias);
			return fail(l, "bias must be a constant int32 vector of %u", units);
		}
		memcpy(bias, bb->data, (size_t)units * 4);
	}
	rc = weights_append(l, bias, (size_t)units * sizeof(*bias), &offset);
	free(bias);
	if (rc)
		return rc;
	v.bias.binding = AIOT_ISA_BINDING_WEIGHTS;
	v.bias.offset = (uint32_t)offset;
	l->state_size += (size_t)batches * filters * memory *
			 (v.state.dtype == AIOT_ISA_DTYPE_INT16 ? 2 : 1);
	l->needs_isa_1_1 = true;
	return emit(l, &v, sizeof(v));
}

static int lower_operator(struct lowering *l, const struct tflite_operator *op)
{
	switch (op->builtin_code) {
	case TFLITE_OP_FULLY_CONNECTED: return lower_fully_connected(l, op);
	case TFLITE_OP_CONV_2D: return lower_conv(l, op, false);
	case TFLITE_OP_DEPTHWISE_CONV_2D: return lower_conv(l, op, true);
	case TFLITE_OP_AVERAGE_POOL_2D: return lower_pool(l, op, true);
	case TFLITE_OP_MAX_POOL_2D: return lower_pool(l, op, false);
	case TFLITE_OP_ADD: return lower_add(l, op);
	case TFLITE_OP_RESHAPE: return lower_reshape(l, op);
	case TFLITE_OP_SOFTMAX: return lower_softmax(l, op);
	case TFLITE_OP_QUANTIZE: return lower_quantize(l, op);
	case TFLITE_OP_SVDF: return lower_svdf(l, op);
	default:
		snprintf(l->msg, sizeof(l->msg), "not supported by the aiot ISA");
		return -EOPNOTSUPP;
	}
}

static int describe_io(struct lowering *l, int32_t index, struct aiot_lowered_tensor *io)
{
	struct aiot_isa_tensor t;
	int rc = isa_tensor(l, index, &t);

	if (!rc)
		rc = per_tensor_quant(l, index, &io->scale, &io->zero_point);
	if (rc)
		return rc;
	io->dtype = t.dtype;
	memcpy(io->dims, t.dims, sizeof(io->dims));
	io->bytes = (uint32_t)l->m->tensors[index].byte_size;
	return 0;
}

int aiot_lower_model(const struct tflite_model *m, struct aiot_lowered_model **out,
		     char *err, size_t errlen)
{
	struct aiot_lowered_model *res = NULL;
	struct aiot_isa_header hdr;
	struct lowering l;
	size_t arena = 0;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (!m || !out)
		return -EINVAL;
	*out = NULL;
	memset(&l, 0, sizeof(l));
	l.m = m;
	if (m->input_count != 1 || m->output_count != 1 || m->inputs[0] == m->outputs[0]) {
		rc = fail(&l, "exactly one graph input and one distinct output are supported "
			  "(%u inputs, %u outputs)", m->input_count, m->output_count);
		goto out;
	}
	l.arena_offsets = calloc(m->tensor_count + 1, sizeof(size_t));
	l.weight_offsets = calloc(m->tensor_count + 1, sizeof(size_t));
	res = calloc(1, sizeof(*res));
	if (!l.arena_offsets || !l.weight_offsets || !res) {
		rc = -ENOMEM;
		snprintf(l.msg, sizeof(l.msg), "out of memory");
		goto out;
	}
	for (uint32_t t = 0; t < m->tensor_count; t++)
		l.weight_offsets[t] = SIZE_MAX;
	rc = plan_model_arena_flags(m, ARENA_ALIGNMENT, PLAN_EXCLUDE_GRAPH_IO, l.arena_offsets,
				    &arena, l.msg, sizeof(l.msg));
	if (rc)
		goto out;

	memset(&hdr, 0, sizeof(hdr));
	rc = grow(&l.stream, &l.stream_cap, sizeof(hdr));
	if (rc)
		goto out;
	l.stream_size = sizeof(hdr);
	for (uint32_t i = 0; i < m->operator_count; i++) {
		const struct tflite_operator *op = &m->operators[i];

		rc = lower_operator(&l, op);
		if (rc) {
			char detail[sizeof(l.msg)];

			memcpy(detail, l.msg, sizeof(detail));
			snprintf(l.msg, sizeof(l.msg), "operator %u (%s): %.400s", i,
				 op->custom_name ? op->custom_name :
				 tflite_builtin_name(op->builtin_code), detail);
			goto out;
		}
	}
	rc = describe_io(&l, m->inputs[0], &res->input);
	if (!rc)
		rc = describe_io(&l, m->outputs[0], &res->output);
	if (rc)
		goto out;
	hdr.magic = AIOT_ISA_MAGIC;
	hdr.version = AIOT_ISA_VERSION(AIOT_ISA_VERSION_MAJOR, l.needs_isa_1_1 ? 1 : 0);
	hdr.size = (uint32_t)l.stream_size;
	hdr.op_count = l.op_count;
	memcpy(l.stream, &hdr, sizeof(hdr));

	res->stream = l.stream;
	res->stream_size = l.stream_size;
	res->op_count = l.op_count;
	res->weights = l.weights;
	res->weights_size = l.weights_size;
	res->arena_size = arena;
	res->state_size = l.state_size;
	res->isa_version = hdr.version;
	l.stream = l.weights = NULL;
	*out = res;
	res = NULL;
out:
	if (rc && err && errlen)
		snprintf(err, errlen, "%s", l.msg);
	free(l.arena_offsets);
	free(l.weight_offsets);
	free(l.stream);
	free(l.weights);
	free(res);
	return rc;
}

void aiot_lowered_model_free(struct aiot_lowered_model *lowered)
{
	if (!lowered)
		return;
	free(lowered->stream);
	free(lowered->weights);
	free(lowered);
}
