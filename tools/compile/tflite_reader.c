// SPDX-License-Identifier: GPL-2.0-only
/*
 * TensorFlow Lite flatbuffer reader, written against the FlatBuffers binary
 * format and the TFLite schema (schema.fbs) without generated code.
 *
 * The generic FlatBuffers primitives (bounds-checked tables, vectors,
 * strings and scalars) are flatbuf.c's; this file knows the schema: the
 * field indices of its tables, its enums and what a valid model is.
 */
#include "flatbuf.h"
#include "tflite.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Field indices of the schema tables we read (field n is vtable slot n). */
enum { MODEL_VERSION = 0, MODEL_OPERATOR_CODES = 1, MODEL_SUBGRAPHS = 2,
       MODEL_DESCRIPTION = 3, MODEL_BUFFERS = 4 };
enum { SUBGRAPH_TENSORS = 0, SUBGRAPH_INPUTS = 1, SUBGRAPH_OUTPUTS = 2,
       SUBGRAPH_OPERATORS = 3, SUBGRAPH_NAME = 4 };
enum { TENSOR_SHAPE = 0, TENSOR_TYPE = 1, TENSOR_BUFFER = 2, TENSOR_NAME = 3,
       TENSOR_QUANTIZATION = 4, TENSOR_IS_VARIABLE = 5, TENSOR_SPARSITY = 6 };
enum { QUANT_SCALE = 2, QUANT_ZERO_POINT = 3, QUANT_DETAILS_TYPE = 4,
       QUANT_QUANTIZED_DIMENSION = 6 };
enum { OPCODE_DEPRECATED_BUILTIN_CODE = 0, OPCODE_CUSTOM_CODE = 1,
       OPCODE_VERSION = 2, OPCODE_BUILTIN_CODE = 3 };
enum { OPERATOR_OPCODE_INDEX = 0, OPERATOR_INPUTS = 1, OPERATOR_OUTPUTS = 2,
       OPERATOR_BUILTIN_OPTIONS_TYPE = 3, OPERATOR_BUILTIN_OPTIONS = 4,
       OPERATOR_CUSTOM_OPTIONS = 5,
       OPERATOR_LARGE_CUSTOM_OPTIONS_OFFSET = 9 };
enum { BUFFER_DATA = 0, BUFFER_OFFSET = 1, BUFFER_SIZE = 2 };
enum { CONV_PADDING = 0, CONV_STRIDE_W = 1, CONV_STRIDE_H = 2, CONV_ACTIVATION = 3,
       CONV_DILATION_W = 4, CONV_DILATION_H = 5 };
enum { DW_PADDING = 0, DW_STRIDE_W = 1, DW_STRIDE_H = 2, DW_DEPTH_MULTIPLIER = 3,
       DW_ACTIVATION = 4, DW_DILATION_W = 5, DW_DILATION_H = 6 };
enum { POOL_PADDING = 0, POOL_STRIDE_W = 1, POOL_STRIDE_H = 2, POOL_FILTER_W = 3,
       POOL_FILTER_H = 4, POOL_ACTIVATION = 5 };
enum { FC_ACTIVATION = 0, FC_WEIGHTS_FORMAT = 1, FC_KEEP_NUM_DIMS = 2 };
enum { ADD_ACTIVATION = 0 };   /* also SubOptions and MulOptions */
enum { LEAKY_RELU_ALPHA = 0 };
/* ResizeBilinearOptions: 0 and 1 are the deprecated new_height/new_width */
enum { RESIZE_BILINEAR_ALIGN_CORNERS = 2, RESIZE_BILINEAR_HALF_PIXEL_CENTERS = 3 };
enum { RESIZE_NN_ALIGN_CORNERS = 0, RESIZE_NN_HALF_PIXEL_CENTERS = 1 };
enum { SOFTMAX_BETA = 0 };
enum { CONCAT_AXIS = 0, CONCAT_ACTIVATION = 1 };
enum { REDUCER_KEEP_DIMS = 0 };
enum { TCONV_PADDING = 0, TCONV_STRIDE_W = 1, TCONV_STRIDE_H = 2, TCONV_ACTIVATION = 3 };
enum { SS_BEGIN_MASK = 0, SS_END_MASK = 1, SS_ELLIPSIS_MASK = 2, SS_NEW_AXIS_MASK = 3,
       SS_SHRINK_AXIS_MASK = 4, SS_OFFSET = 5 };
enum { RESHAPE_NEW_SHAPE = 0 };
enum { SVDF_RANK = 0, SVDF_ACTIVATION = 1, SVDF_ASYMMETRIC_QUANTIZE_INPUTS = 2 };
enum { LSTM_ACTIVATION = 0, LSTM_CELL_CLIP = 1, LSTM_PROJ_CLIP = 2, LSTM_TIME_MAJOR = 3,
       LSTM_ASYMMETRIC_QUANTIZE_INPUTS = 4, LSTM_DIAGONAL_RECURRENT_TENSORS = 5 };

/* ---- model parts ------------------------------------------------------- */

static int read_buffer(struct fb_reader *r, const struct fb_table *t, struct tflite_buffer *b)
{
	struct fb_vector data;
	uint64_t offset, size;
	bool has_data;
	int rc;

	rc = fb_vector(r, t, BUFFER_DATA, 1, &data, &has_data);
	if (!rc)
		rc = fb_u64(r, t, BUFFER_OFFSET, 0, &offset);
	if (!rc)
		rc = fb_u64(r, t, BUFFER_SIZE, 0, &size);
	if (rc)
		return rc;
	/* Models over 2 GB keep data after the flatbuffer; the schema says the
	 * offset (from the start of the file) is only meaningful when > 1. */
	if (offset > 1) {
		if (data.count)
			return fb_fail(r, "has both inline data (%u bytes) and external "
				       "data at offset %llu", data.count,
				       (unsigned long long)offset);
		if (!fb_in_file(r, offset, size))
			return fb_fail(r, "external data at offset %llu, size %llu lies "
				       "outside the file (%zu bytes)",
				       (unsigned long long)offset, (unsigned long long)size,
				       r->size);
		b->data = size ? r->buf + offset : NULL;
		b->size = (size_t)size;
		b->external = true;
		return 0;
	}
	b->data = data.count ? r->buf + data.pos : NULL;
	b->size = data.count;
	b->external = false;
	return 0;
}

static int64_t zero_point_min(enum tflite_tensor_type type)
{
	switch (type) {
	case TFLITE_TYPE_INT8: return INT8_MIN;
	case TFLITE_TYPE_UINT8: return 0;
	case TFLITE_TYPE_INT16: return INT16_MIN;
	case TFLITE_TYPE_UINT16: return 0;
	case TFLITE_TYPE_INT4: return -8;
	default: return INT32_MIN;
	}
}

static int64_t zero_point_max(enum tflite_tensor_type type)
{
	switch (type) {
	case TFLITE_TYPE_INT8: return INT8_MAX;
	case TFLITE_TYPE_UINT8: return UINT8_MAX;
	case TFLITE_TYPE_INT16: return INT16_MAX;
	case TFLITE_TYPE_UINT16: return UINT16_MAX;
	case TFLITE_TYPE_INT4: return 7;
	default: return INT32_MAX;
	}
}

static int read_quantization(struct fb_reader *r, const struct fb_table *q,
			     struct tflite_tensor *tensor)
{
	struct tflite_quant *quant = &tensor->quant;
	struct fb_vector scale, zero_point;
	uint8_t details_type;
	int32_t dim;
	int rc;

	rc = fb_vector(r, q, QUANT_SCALE, 4, &scale, NULL);
	if (!rc)
		rc = fb_vector(r, q, QUANT_ZERO_POINT, 8, &zero_point, NULL);
	if (!rc)
		rc = fb_u8(r, q, QUANT_DETAILS_TYPE, 0, &details_type);
	if (!rc)
		rc = fb_i32(r, q, QUANT_QUANTIZED_DIMENSION, 0, &dim);
	if (rc)
		return rc;
	if (details_type != 0) {
		snprintf(r->msg, sizeof(r->msg),
			 "custom quantization details (type %u) are not supported",
			 details_type);
		return -EOPNOTSUPP;
	}
	/* No scale means no affine quantization (min/max alone are only for
	 * importing back into TensorFlow). */
	if (scale.count == 0)
		return 0;
	if (zero_point.count != scale.count)
		return fb_fail(r, "%u scales but %u zero points", scale.count,
			       zero_point.count);
	/* quantized_dimension only means something per channel. Converters
	 * copy the filter's value onto the biases: person_detect's rank-1
	 * biases carry 3. A rank-1 tensor has one axis, so that is read as 0. */
	if (dim < 0)
		return fb_fail(r, "quantized_dimension %d is negative", dim);
	if (scale.count > 1 && tensor->rank == 1)
		dim = 0;
	if (scale.count > 1 && (uint32_t)dim >= tensor->rank)
		return fb_fail(r, "quantized_dimension %d out of range for rank %u",
			       dim, tensor->rank);
	if (scale.count > 1 && (uint32_t)tensor->shape[dim] != scale.count)
		return fb_fail(r, "%u scales: must be 1 (per tensor) or dimension %d "
			       "of the shape (%d) (per channel)", scale.count, dim,
			       tensor->shape[dim]);
	quant->scale = fb_calloc(r, scale.count, sizeof(float), &rc);
	if (!quant->scale)
		return rc;
	quant->zero_point = fb_calloc(r, scale.count, sizeof(int64_t), &rc);
	if (!quant->zero_point)
		return rc;
	quant->count = scale.count;
	quant->quantized_dimension = dim;
	for (uint32_t i = 0; i < scale.count; i++) {
		float s = fb_rd_f32(r, scale.pos + (size_t)i * 4);
		uint64_t zu = fb_rd_u64(r, zero_point.pos + (size_t)i * 8);
		int64_t z;

		memcpy(&z, &zu, sizeof(z));
		/* Multiplier arithmetic divides by scales and takes frexp of
		 * their products: only positive finite values make sense. */
		if (!isfinite(s) || !(s > 0.0f))
			return fb_fail(r, "scale[%u] = %g must be finite and > 0", i, (double)s);
		if (z < zero_point_min(tensor->type) || z > zero_point_max(tensor->type))
			return fb_fail(r, "zero_point[%u] = %lld out of range for %s", i,
				       (long long)z, tflite_type_name(tensor->type));
		quant->scale[i] = s;
		quant->zero_point[i] = z;
	}
	return 0;
}

static int read_tensor(struct fb_reader *r, const struct fb_table *t,
		       const struct tflite_model *m, struct tflite_tensor *tensor)
{
	struct fb_table quant, sparsity;
	struct fb_vector shape;
	bool has_quant, has_sparsity;
	uint8_t is_variable;
	int8_t type;
	uint64_t elements = 1;
	size_t elem_size;
	int rc;

	rc = fb_string_dup(r, t, TENSOR_NAME, &tensor->name, NULL);
	if (!rc)
		rc = fb_vector(r, t, TENSOR_SHAPE, 4, &shape, NULL);
	if (!rc)
		rc = fb_i8(r, t, TENSOR_TYPE, 0, &type);
	if (!rc)
		rc = fb_u32(r, t, TENSOR_BUFFER, 0, &tensor->buffer);
	if (!rc)
		rc = fb_u8(r, t, TENSOR_IS_VARIABLE, 0, &is_variable);
	if (!rc)
		rc = fb_table_field(r, t, TENSOR_SPARSITY, &sparsity, &has_sparsity);
	if (rc)
		return rc;
	if (type < 0 || type >= TFLITE_TYPE_COUNT)
		return fb_fail(r, "unknown type %d", type);
	tensor->type = (enum tflite_tensor_type)type;
	tensor->is_variable = is_variable != 0;
	if (has_sparsity) {
		snprintf(r->msg, sizeof(r->msg), "sparse tensors are not supported");
		return -EOPNOTSUPP;
	}
	if (shape.count > TFLITE_MAX_RANK)
		return fb_fail(r, "rank %u exceeds the maximum of %d", shape.count,
			       TFLITE_MAX_RANK);
	tensor->rank = shape.count;
	for (uint32_t i = 0; i < shape.count; i++) {
		int32_t d = fb_rd_i32(r, shape.pos + (size_t)i * 4);

		if (d < 0)
			return fb_fail(r, "dimension %u is %d (must be >= 0)", i, d);
		tensor->shape[i] = d;
		/* At most 8 factors < 2^31: multiply while the product stays
		 * below 2^63 or is already zero. */
		if (d != 0 && elements > INT64_MAX / (uint64_t)d)
			return fb_fail(r, "element count overflows 64 bits");
		elements *= (uint64_t)d;
	}
	tensor->element_count = elements;
	elem_size = tflite_type_size(tensor->type);
	if (elem_size && elements > UINT64_MAX / elem_size)
		return fb_fail(r, "byte size overflows 64 bits");
	tensor->byte_size = elements * elem_size;

	if (tensor->buffer >= m->buffer_count && !(tensor->buffer == 0 && m->buffer_count == 0))
		return fb_fail(r, "buffer index %u out of range (%u buffers)",
			       tensor->buffer, m->buffer_count);
	if (m->buffer_count) {
		const struct tflite_buffer *b = &m->buffers[tensor->buffer];

		/* The TFLite interpreter refuses constant data whose size
		 * does not match the shape; so do we. */
		if (b->size && elem_size && b->size != tensor->byte_size)
			return fb_fail(r, "buffer %u holds %zu bytes but shape and type "
				       "need %llu", tensor->buffer, b->size,
				       (unsigned long long)tensor->byte_size);
	}

	rc = fb_table_field(r, t, TENSOR_QUANTIZATION, &quant, &has_quant);
	if (!rc && has_quant)
		rc = read_quantization(r, &quant, tensor);
	if (rc)
		return fb_add_context(r, rc, "quantization");
	return 0;
}

static int read_opcode(struct fb_reader *r, const struct fb_table *t, struct tflite_opcode *op)
{
	int8_t deprecated;
	int32_t builtin;
	bool has_custom;
	int rc;

	rc = fb_i8(r, t, OPCODE_DEPRECATED_BUILTIN_CODE, 0, &deprecated);
	if (!rc)
		rc = fb_i32(r, t, OPCODE_BUILTIN_CODE, 0, &builtin);
	if (!rc)
		rc = fb_i32(r, t, OPCODE_VERSION, 1, &op->version);
	if (rc)
		return rc;
	if (deprecated < 0)
		return fb_fail(r, "deprecated_builtin_code %d is negative", deprecated);
	if (builtin < 0)
		return fb_fail(r, "builtin_code %d is negative", builtin);
	/* Old files only set the int8 field; new files set both, with the
	 * int8 one saturated at PLACEHOLDER_FOR_GREATER_OP_CODES (127) for
	 * codes above it. TFLite resolves this by taking the larger one. */
	op->builtin_code = builtin > deprecated ? builtin : deprecated;
	if (op->builtin_code == TFLITE_OP_CUSTOM) {
		rc = fb_string_dup(r, t, OPCODE_CUSTOM_CODE, &op->custom_name, &has_custom);
		if (rc)
			return fb_add_context(r, rc, "custom_code");
		if (!has_custom || op->custom_name[0] == '\0')
			return fb_fail(r, "CUSTOM operator code without a custom_code name");
	}
	return 0;
}

static int check_activation(struct fb_reader *r, uint8_t act, enum tflite_activation *out)
{
	if (act > TFLITE_ACT_SIGN_BIT)
		return fb_fail(r, "unknown fused activation %u", act);
	*out = (enum tflite_activation)act;
	return 0;
}

static int check_padding(struct fb_reader *r, uint8_t padding, enum tflite_padding *out)
{
	if (padding > TFLITE_PADDING_VALID)
		return fb_fail(r, "unknown padding %u", padding);
	*out = (enum tflite_padding)padding;
	return 0;
}

static int check_positive(struct fb_reader *r, const char *what, int32_t value)
{
	return value >= 1 ? 0 : fb_fail(r, "%s %d must be >= 1", what, value);
}

/* Decode the options of the ops we lower. Absent options read as the
 * schema defaults, which for strides and filter sizes (0) are invalid and
 * thus rejected: TFLite itself would divide by them. */
static int read_options(struct fb_reader *r, const struct fb_table *t, bool present,
			struct tflite_operator *op)
{
	static const struct fb_table empty; /* vsize 0: every field absent */
	const struct fb_table *o = present ? t : &empty;
	uint8_t padding = 0, act = 0, keep = 0;
	int8_t weights_format = 0;
	int rc = 0;

	switch (op->builtin_code) {
	case TFLITE_OP_CONV_2D: {
		struct tflite_conv_options *c = &op->options.conv;

		rc = fb_u8(r, o, CONV_PADDING, 0, &padding);
		if (!rc) rc = fb_i32(r, o, CONV_STRIDE_W, 0, &c->stride_w);
		if (!rc) rc = fb_i32(r, o, CONV_STRIDE_H, 0, &c->stride_h);
		if (!rc) rc = fb_u8(r, o, CONV_ACTIVATION, 0, &act);
		if (!rc) rc = fb_i32(r, o, CONV_DILATION_W, 1, &c->dilation_w);
		if (!rc) rc = fb_i32(r, o, CONV_DILATION_H, 1, &c->dilation_h);
		c->depth_multiplier = 1;
		if (!rc) rc = check_padding(r, padding, &c->padding);
		if (!rc) rc = check_activation(r, act, &c->activation);
		if (!rc) rc = check_positive(r, "stride_w", c->stride_w);
		if (!rc) rc = check_positive(r, "stride_h", c->stride_h);
		if (!rc) rc = check_positive(r, "dilation_w_factor", c->dilation_w);
		if (!rc) rc = check_positive(r, "dilation_h_factor", c->dilation_h);
		break;
	}
	case TFLITE_OP_DEPTHWISE_CONV_2D: {
		struct tflite_conv_options *c = &op->options.conv;

		rc = fb_u8(r, o, DW_PADDING, 0, &padding);
		if (!rc) rc = fb_i32(r, o, DW_STRIDE_W, 0, &c->stride_w);
		if (!rc) rc = fb_i32(r, o, DW_STRIDE_H, 0, &c->stride_h);
		if (!rc) rc = fb_i32(r, o, DW_DEPTH_MULTIPLIER, 0, &c->depth_multiplier);
		if (!rc) rc = fb_u8(r, o, DW_ACTIVATION, 0, &act);
		if (!rc) rc = fb_i32(r, o, DW_DILATION_W, 1, &c->dilation_w);
		if (!rc) rc = fb_i32(r, o, DW_DILATION_H, 1, &c->dilation_h);
		if (!rc) rc = check_padding(r, padding, &c->padding);
		if (!rc) rc = check_activation(r, act, &c->activation);
		if (!rc) rc = check_positive(r, "stride_w", c->stride_w);
		if (!rc) rc = check_positive(r, "stride_h", c->stride_h);
		if (!rc) rc = check_positive(r, "dilation_w_factor", c->dilation_w);
		if (!rc) rc = check_positive(r, "dilation_h_factor", c->dilation_h);
		/* Redundant since TF 2.x (the shapes decide) but never negative. */
		if (!rc && c->depth_multiplier < 0)
			rc = fb_fail(r, "depth_multiplier %d is negative", c->depth_multiplier);
		break;
	}
	case TFLITE_OP_AVERAGE_POOL_2D:
	case TFLITE_OP_MAX_POOL_2D: {
		struct tflite_pool_options *p = &op->options.pool;

		rc = fb_u8(r, o, POOL_PADDING, 0, &padding);
		if (!rc) rc = fb_i32(r, o, POOL_STRIDE_W, 0, &p->stride_w);
		if (!rc) rc = fb_i32(r, o, POOL_STRIDE_H, 0, &p->stride_h);
		if (!rc) rc = fb_i32(r, o, POOL_FILTER_W, 0, &p->filter_w);
		if (!rc) rc = fb_i32(r, o, POOL_FILTER_H, 0, &p->filter_h);
		if (!rc) rc = fb_u8(r, o, POOL_ACTIVATION, 0, &act);
		if (!rc) rc = check_padding(r, padding, &p->padding);
		if (!rc) rc = check_activation(r, act, &p->activation);
		if (!rc) rc = check_positive(r, "stride_w", p->stride_w);
		if (!rc) rc = check_positive(r, "stride_h", p->stride_h);
		if (!rc) rc = check_positive(r, "filter_width", p->filter_w);
		if (!rc) rc = check_positive(r, "filter_height", p->filter_h);
		break;
	}
	case TFLITE_OP_FULLY_CONNECTED: {
		struct tflite_fc_options *f = &op->options.fc;

		rc = fb_u8(r, o, FC_ACTIVATION, 0, &act);
		if (!rc) rc = fb_i8(r, o, FC_WEIGHTS_FORMAT, 0, &weights_format);
		if (!rc) rc = fb_u8(r, o, FC_KEEP_NUM_DIMS, 0, &keep);
		if (!rc) rc = check_activation(r, act, &f->activation);
		if (!rc && (weights_format < 0 || weights_format > 1))
			rc = fb_fail(r, "unknown weights_format %d", weights_format);
		f->weights_format = weights_format;
		f->keep_num_dims = keep != 0;
		break;
	}
	case TFLITE_OP_ADD:
	case TFLITE_OP_SUB:
	case TFLITE_OP_MUL:
		rc = fb_u8(r, o, ADD_ACTIVATION, 0, &act);
		if (!rc) rc = check_activation(r, act, &op->options.add.activation);
		break;
	case TFLITE_OP_CONCATENATION:
		rc = fb_i32(r, o, CONCAT_AXIS, 0, &op->options.concat.axis);
		if (!rc) rc = fb_u8(r, o, CONCAT_ACTIVATION, 0, &act);
		if (!rc) rc = check_activation(r, act, &op->options.concat.activation);
		break;
	case TFLITE_OP_TRANSPOSE_CONV: {
		struct tflite_conv_options *c = &op->options.conv;

		rc = fb_u8(r, o, TCONV_PADDING, 0, &padding);
		if (!rc) rc = fb_i32(r, o, TCONV_STRIDE_W, 0, &c->stride_w);
		if (!rc) rc = fb_i32(r, o, TCONV_STRIDE_H, 0, &c->stride_h);
		if (!rc) rc = fb_u8(r, o, TCONV_ACTIVATION, 0, &act);
		c->dilation_w = c->dilation_h = 1;
		c->depth_multiplier = 0;
		if (!rc) rc = check_padding(r, padding, &c->padding);
		if (!rc) rc = check_activation(r, act, &c->activation);
		if (!rc) rc = check_positive(r, "stride_w", c->stride_w);
		if (!rc) rc = check_positive(r, "stride_h", c->stride_h);
		break;
	}
	case TFLITE_OP_SUM:
	case TFLITE_OP_MEAN:
		rc = fb_u8(r, o, REDUCER_KEEP_DIMS, 0, &keep);
		op->options.reducer.keep_dims = keep != 0;
		break;
	case TFLITE_OP_STRIDED_SLICE: {
		struct tflite_strided_slice_options *s = &op->options.strided_slice;

		rc = fb_i32(r, o, SS_BEGIN_MASK, 0, &s->begin_mask);
		if (!rc) rc = fb_i32(r, o, SS_END_MASK, 0, &s->end_mask);
		if (!rc) rc = fb_i32(r, o, SS_ELLIPSIS_MASK, 0, &s->ellipsis_mask);
		if (!rc) rc = fb_i32(r, o, SS_NEW_AXIS_MASK, 0, &s->new_axis_mask);
		if (!rc) rc = fb_i32(r, o, SS_SHRINK_AXIS_MASK, 0, &s->shrink_axis_mask);
		if (!rc) rc = fb_u8(r, o, SS_OFFSET, 0, &keep);
		s->offset = keep != 0;
		break;
	}
	case TFLITE_OP_LEAKY_RELU:
		rc = fb_f32(r, o, LEAKY_RELU_ALPHA, 0.0f, &op->options.leaky_relu.alpha);
		if (!rc && !isfinite(op->options.leaky_relu.alpha))
			rc = fb_fail(r, "alpha is not finite");
		break;
	case TFLITE_OP_RESIZE_BILINEAR:
	case TFLITE_OP_RESIZE_NEAREST_NEIGHBOR: {
		bool bl = op->builtin_code == TFLITE_OP_RESIZE_BILINEAR;
		uint8_t align = 0, half = 0;

		rc = fb_u8(r, o, bl ? RESIZE_BILINEAR_ALIGN_CORNERS : RESIZE_NN_ALIGN_CORNERS, 0,
			   &align);
		if (!rc)
			rc = fb_u8(r, o, bl ? RESIZE_BILINEAR_HALF_PIXEL_CENTERS :
				   RESIZE_NN_HALF_PIXEL_CENTERS, 0, &half);
		op->options.resize.align_corners = align != 0;
		op->options.resize.half_pixel_centers = half != 0;
		break;
	}
	case TFLITE_OP_SOFTMAX:
		rc = fb_f32(r, o, SOFTMAX_BETA, 0.0f, &op->options.softmax.beta);
		if (!rc && !isfinite(op->options.softmax.beta))
			rc = fb_fail(r, "beta is not finite");
		break;
	case TFLITE_OP_SVDF: {
		struct tflite_svdf_options *v = &op->options.svdf;

		rc = fb_i32(r, o, SVDF_RANK, 0, &v->rank);
		if (!rc) rc = fb_u8(r, o, SVDF_ACTIVATION, 0, &act);
		if (!rc) rc = fb_u8(r, o, SVDF_ASYMMETRIC_QUANTIZE_INPUTS, 0, &keep);
		if (!rc) rc = check_activation(r, act, &v->activation);
		if (!rc) rc = check_positive(r, "rank", v->rank);
		v->asymmetric_quantize_inputs = keep != 0;
		break;
	}
	case TFLITE_OP_UNIDIRECTIONAL_SEQUENCE_LSTM: {
		struct tflite_lstm_options *v = &op->options.lstm;
		uint8_t tm = 0, aq = 0, diag = 0;

		rc = fb_u8(r, o, LSTM_ACTIVATION, 0, &v->activation);
		if (!rc) rc = fb_f32(r, o, LSTM_CELL_CLIP, 0.0f, &v->cell_clip);
		if (!rc) rc = fb_f32(r, o, LSTM_PROJ_CLIP, 0.0f, &v->proj_clip);
		if (!rc) rc = fb_u8(r, o, LSTM_TIME_MAJOR, 0, &tm);
		if (!rc) rc = fb_u8(r, o, LSTM_ASYMMETRIC_QUANTIZE_INPUTS, 0, &aq);
		if (!rc) rc = fb_u8(r, o, LSTM_DIAGONAL_RECURRENT_TENSORS, 0, &diag);
		if (!rc && (!isfinite(v->cell_clip) || !isfinite(v->proj_clip)))
			rc = fb_fail(r, "cell_clip or proj_clip is not finite");
		v->time_major = tm != 0;
		v->asymmetric_quantize_inputs = aq != 0;
		v->diagonal_recurrent_tensors = diag != 0;
		break;
	}
	case TFLITE_OP_RESHAPE: {
		struct tflite_reshape_options *s = &op->options.reshape;
		struct fb_vector v;

		rc = fb_vector(r, o, RESHAPE_NEW_SHAPE, 4, &v, NULL);
		if (!rc && v.count > TFLITE_MAX_RANK)
			rc = fb_fail(r, "new_shape has %u dimensions (max %d)", v.count,
				     TFLITE_MAX_RANK);
		if (rc)
			break;
		s->new_shape_count = v.count;
		for (uint32_t i = 0; i < v.count; i++)
			s->new_shape[i] = fb_rd_i32(r, v.pos + (size_t)i * 4);
		break;
	}
	default:
		break;
	}
	return rc ? fb_add_context(r, rc, "options") : 0;
}

/* The BuiltinOptions union member each decoded op must carry (if any). */
static int expected_options(int32_t builtin_code)
{
	switch (builtin_code) {
	case TFLITE_OP_CONV_2D: return TFLITE_OPTIONS_CONV_2D;
	case TFLITE_OP_DEPTHWISE_CONV_2D: return TFLITE_OPTIONS_DEPTHWISE_CONV_2D;
	case TFLITE_OP_AVERAGE_POOL_2D:
	case TFLITE_OP_MAX_POOL_2D: return TFLITE_OPTIONS_POOL_2D;
	case TFLITE_OP_FULLY_CONNECTED: return TFLITE_OPTIONS_FULLY_CONNECTED;
	case TFLITE_OP_SOFTMAX: return TFLITE_OPTIONS_SOFTMAX;
	case TFLITE_OP_ADD: return TFLITE_OPTIONS_ADD;
	case TFLITE_OP_SUB: return TFLITE_OPTIONS_SUB;
	case TFLITE_OP_MUL: return TFLITE_OPTIONS_MUL;
	case TFLITE_OP_MAXIMUM:
	case TFLITE_OP_MINIMUM: return TFLITE_OPTIONS_MAXIMUM_MINIMUM;
	case TFLITE_OP_LEAKY_RELU: return TFLITE_OPTIONS_LEAKY_RELU;
	case TFLITE_OP_RESIZE_BILINEAR: return TFLITE_OPTIONS_RESIZE_BILINEAR;
	case TFLITE_OP_RESIZE_NEAREST_NEIGHBOR: return TFLITE_OPTIONS_RESIZE_NEAREST_NEIGHBOR;
	case TFLITE_OP_RESHAPE: return TFLITE_OPTIONS_RESHAPE;
	case TFLITE_OP_CONCATENATION: return TFLITE_OPTIONS_CONCATENATION;
	case TFLITE_OP_SUM:
	case TFLITE_OP_MEAN: return TFLITE_OPTIONS_REDUCER;
	case TFLITE_OP_TRANSPOSE_CONV: return TFLITE_OPTIONS_TRANSPOSE_CONV;
	case TFLITE_OP_STRIDED_SLICE: return TFLITE_OPTIONS_STRIDED_SLICE;
	case TFLITE_OP_SVDF: return TFLITE_OPTIONS_SVDF;
	case TFLITE_OP_UNIDIRECTIONAL_SEQUENCE_LSTM:
		return TFLITE_OPTIONS_UNIDIRECTIONAL_SEQUENCE_LSTM;
	case TFLITE_OP_QUANTIZE: return TFLITE_OPTIONS_QUANTIZE;
	case TFLITE_OP_DEQUANTIZE: return TFLITE_OPTIONS_DEQUANTIZE;
	default: return -1; /* not decoded: any union member accepted */
	}
}

static int read_operator(struct fb_reader *r, const struct fb_table *t,
			 const struct tflite_model *m, struct tflite_operator *op)
{
	struct fb_table options;
	bool has_options;
	int expected, rc;

	rc = fb_u32(r, t, OPERATOR_OPCODE_INDEX, 0, &op->opcode_index);
	if (rc)
		return rc;
	if (op->opcode_index >= m->opcode_count)
		return fb_fail(r, "opcode index %u out of range (%u operator codes)",
			       op->opcode_index, m->opcode_count);
	op->builtin_code = m->opcodes[op->opcode_index].builtin_code;
	op->custom_name = m->opcodes[op->opcode_index].custom_name;

	rc = fb_i32_vector_dup(r, t, OPERATOR_INPUTS, &op->inputs, &op->input_count);
	if (rc)
		return fb_add_context(r, rc, "inputs");
	rc = fb_i32_vector_dup(r, t, OPERATOR_OUTPUTS, &op->outputs, &op->output_count);
	if (rc)
		return fb_add_context(r, rc, "outputs");
	for (uint32_t i = 0; i < op->input_count; i++) {
		int32_t ti = op->inputs[i];

		if (ti < -1 || (ti >= 0 && (uint32_t)ti >= m->tensor_count))
			return fb_fail(r, "input %u: tensor index %d out of range (%u tensors)",
				       i, ti, m->tensor_count);
	}
	for (uint32_t i = 0; i < op->output_count; i++) {
		int32_t ti = op->outputs[i];

		if (ti < 0 || (uint32_t)ti >= m->tensor_count)
			return fb_fail(r, "output %u: tensor index %d out of range (%u tensors)",
				       i, ti, m->tensor_count);
	}

	if (op->custom_name) {
		struct fb_vector copts;
		bool has_copts;

		rc = fb_vector(r, t, OPERATOR_CUSTOM_OPTIONS, 1, &copts, &has_copts);
		if (rc)
			return fb_add_context(r, rc, "custom_options");
		if (has_copts && copts.count) {
			op->custom_options = r->buf + copts.pos;
			op->custom_options_size = copts.count;
		}
	}
	rc = fb_u8(r, t, OPERATOR_BUILTIN_OPTIONS_TYPE, 0, &op->options_type);
	if (!rc)
		rc = fb_table_field(r, t, OPERATOR_BUILTIN_OPTIONS, &options, &has_options);
	if (rc)
		return fb_add_context(r, rc, "builtin_options");
	if (has_options && op->options_type == TFLITE_OPTIONS_NONE)
		return fb_fail(r, "builtin_options present but its union type is NONE");
	expected = expected_options(op->builtin_code);
	if (expected >= 0 && op->options_type != TFLITE_OPTIONS_NONE &&
	    op->options_type != expected)
		return fb_fail(r, "builtin_options type %u does not belong to %s "
			       "(expected %d)", op->options_type,
			       tflite_builtin_name(op->builtin_code), expected);
	if (expected >= 0 && op->options_type == TFLITE_OPTIONS_NONE)
		has_options = false;
	return read_options(r, &options, has_options, op);
}

static int read_index_list(struct fb_reader *r, const struct fb_table *t, unsigned field,
			   const char *what, uint32_t tensor_count,
			   int32_t **out, uint32_t *count)
{
	int rc = fb_i32_vector_dup(r, t, field, out, count);

	if (rc)
		return fb_add_context(r, rc, "%s", what);
	for (uint32_t i = 0; i < *count; i++)
		if ((*out)[i] < 0 || (uint32_t)(*out)[i] >= tensor_count)
			return fb_fail(r, "%s %u: tensor index %d out of range (%u tensors)",
				       what, i, (*out)[i], tensor_count);
	return 0;
}

static int read_subgraph(struct fb_reader *r, const struct fb_table *sg, struct tflite_model *m)
{
	struct fb_vector tensors, operators;
	struct fb_table t;
	int rc;

	rc = fb_string_dup(r, sg, SUBGRAPH_NAME, &m->subgraph_name, NULL);
	if (rc)
		return fb_add_context(r, rc, "name");

	rc = fb_vector(r, sg, SUBGRAPH_TENSORS, 4, &tensors, NULL);
	if (rc)
		return fb_add_context(r, rc, "tensors");
	m->tensors = fb_calloc(r, tensors.count, sizeof(*m->tensors), &rc);
	if (!m->tensors)
		return rc;
	m->tensor_count = tensors.count;
	for (uint32_t i = 0; i < tensors.count; i++) {
		rc = fb_vector_table(r, &tensors, i, &t);
		if (!rc)
			rc = read_tensor(r, &t, m, &m->tensors[i]);
		if (rc)
			return fb_add_context(r, rc, "tensor %u%s%s%s", i,
					      m->tensors[i].name ? " (" : "",
					      m->tensors[i].name ? m->tensors[i].name : "",
					      m->tensors[i].name ? ")" : "");
	}

	rc = read_index_list(r, sg, SUBGRAPH_INPUTS, "input", m->tensor_count,
			     &m->inputs, &m->input_count);
	if (!rc)
		rc = read_index_list(r, sg, SUBGRAPH_OUTPUTS, "output", m->tensor_count,
				     &m->outputs, &m->output_count);
	if (rc)
		return rc;

	rc = fb_vector(r, sg, SUBGRAPH_OPERATORS, 4, &operators, NULL);
	if (rc)
		return fb_add_context(r, rc, "operators");
	m->operators = fb_calloc(r, operators.count, sizeof(*m->operators), &rc);
	if (!m->operators)
		return rc;
	m->operator_count = operators.count;
	for (uint32_t i = 0; i < operators.count; i++) {
		struct tflite_operator *op = &m->operators[i];

		op->builtin_code = -1;
		rc = fb_vector_table(r, &operators, i, &t);
		if (!rc)
			rc = read_operator(r, &t, m, op);
		if (rc) {
			if (op->builtin_code < 0)
				return fb_add_context(r, rc, "operator %u", i);
			return fb_add_context(r, rc, "operator %u (%s)", i,
					      op->custom_name ? op->custom_name :
					      tflite_builtin_name(op->builtin_code));
		}
	}
	return 0;
}

static int read_model(struct fb_reader *r, struct tflite_model *m)
{
	struct fb_vector opcodes, buffers, subgraphs;
	struct fb_table root, t;
	int rc;

	if (r->size < 8)
		return fb_fail(r, "file too small (%zu bytes) for a flatbuffer header", r->size);
	if (memcmp(r->buf + 4, "TFL3", 4) != 0)
		return fb_fail(r, "missing \"TFL3\" file identifier at byte 4");
	rc = fb_table_at(r, fb_rd_u32(r, 0), &root);
	if (rc)
		return fb_add_context(r, rc, "root table");

	rc = fb_u32(r, &root, MODEL_VERSION, 0, &m->version);
	if (rc)
		return fb_add_context(r, rc, "model version");
	if (m->version != 3)
		return fb_fail(r, "schema version %u is not supported (expected 3)", m->version);
	rc = fb_string_dup(r, &root, MODEL_DESCRIPTION, &m->description, NULL);
	if (rc)
		return fb_add_context(r, rc, "description");

	rc = fb_vector(r, &root, MODEL_BUFFERS, 4, &buffers, NULL);
	if (rc)
		return fb_add_context(r, rc, "buffers");
	m->buffers = fb_calloc(r, buffers.count, sizeof(*m->buffers), &rc);
	if (!m->buffers)
		return rc;
	m->buffer_count = buffers.count;
	for (uint32_t i = 0; i < buffers.count; i++) {
		rc = fb_vector_table(r, &buffers, i, &t);
		if (!rc)
			rc = read_buffer(r, &t, &m->buffers[i]);
		if (rc)
			return fb_add_context(r, rc, "buffer %u", i);
	}

	rc = fb_vector(r, &root, MODEL_OPERATOR_CODES, 4, &opcodes, NULL);
	if (rc)
		return fb_add_context(r, rc, "operator_codes");
	m->opcodes = fb_calloc(r, opcodes.count, sizeof(*m->opcodes), &rc);
	if (!m->opcodes)
		return rc;
	m->opcode_count = opcodes.count;
	for (uint32_t i = 0; i < opcodes.count; i++) {
		rc = fb_vector_table(r, &opcodes, i, &t);
		if (!rc)
			rc = read_opcode(r, &t, &m->opcodes[i]);
		if (rc)
			return fb_add_context(r, rc, "operator code %u", i);
	}

	rc = fb_vector(r, &root, MODEL_SUBGRAPHS, 4, &subgraphs, NULL);
	if (rc)
		return fb_add_context(r, rc, "subgraphs");
	if (subgraphs.count == 0)
		return fb_fail(r, "model has no subgraphs");
	m->subgraph_count = subgraphs.count;
	rc = fb_vector_table(r, &subgraphs, 0, &t);
	if (!rc)
		rc = read_subgraph(r, &t, m);
	if (rc)
		return fb_add_context(r, rc, "subgraph 0");
	return 0;
}

int tflite_model_load(const void *data, size_t size, struct tflite_model **out,
		      char *err, size_t errlen)
{
	struct tflite_model *m;
	struct fb_reader r;
	int rc;

	if (out)
		*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	if (!out || (!data && size)) {
		if (err && errlen)
			snprintf(err, errlen, "invalid arguments");
		return -EINVAL;
	}
	/* uoffsets are 32-bit, but Buffer.offset may address data beyond 4 GB;
	 * only the budget arithmetic needs a bound here. */
	if (size > SIZE_MAX / 64 - (1u << 20)) {
		if (err && errlen)
			snprintf(err, errlen, "file too large (%zu bytes)", size);
		return -EFBIG;
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		if (err && errlen)
			snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	/* Own a copy so the model outlives the caller's buffer; malloc's
	 * alignment keeps the schema's 16-byte buffer alignment intact. */
	m->file = malloc(size ? size : 1);
	if (!m->file) {
		free(m);
		if (err && errlen)
			snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (size)
		memcpy(m->file, data, size);
	m->file_size = size;

	memset(&r, 0, sizeof(r));
	r.buf = m->file;
	r.size = size;
	r.alloc_budget = 64 * size + (1u << 20);
	rc = read_model(&r, m);
	if (rc) {
		if (err && errlen)
			snprintf(err, errlen, "%s", r.msg);
		tflite_model_free(m);
		return rc;
	}
	*out = m;
	return 0;
}

void tflite_model_free(struct tflite_model *m)
{
	if (!m)
		return;
	for (uint32_t i = 0; i < m->opcode_count; i++)
		free(m->opcodes[i].custom_name);
	for (uint32_t i = 0; i < m->tensor_count; i++) {
		free(m->tensors[i].name);
		free(m->tensors[i].quant.scale);
		free(m->tensors[i].quant.zero_point);
	}
	for (uint32_t i = 0; i < m->operator_count; i++) {
		free(m->operators[i].inputs);
		free(m->operators[i].outputs);
	}
	free(m->opcodes);
	free(m->tensors);
	free(m->operators);
	free(m->buffers);
	free(m->inputs);
	free(m->outputs);
	free(m->description);
	free(m->subgraph_name);
	free(m->file);
	free(m);
}

const struct tflite_buffer *tflite_tensor_data(const struct tflite_model *m,
					       uint32_t tensor_index)
{
	const struct tflite_buffer *b;

	if (!m || tensor_index >= m->tensor_count)
		return NULL;
	if (m->tensors[tensor_index].buffer >= m->buffer_count)
		return NULL;
	b = &m->buffers[m->tensors[tensor_index].buffer];
	return b->size ? b : NULL;
}
