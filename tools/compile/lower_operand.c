// SPDX-License-Identifier: GPL-2.0-only
/*
 * The lowering pass's operands: the stream and weight buffers, ISA tensors
 * from TFLite tensors, per-tensor and per-channel quantization, fused
 * activations.
 */
#include "lower_internal.h"
#include "plan.h"
#include "quant.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int lower_grow(uint8_t **buf, size_t *cap, size_t need)
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
int lower_weights_append(struct lowering *l, const void *data, size_t size, size_t *offset)
{
	size_t at = (l->weights_size + WEIGHTS_ALIGNMENT - 1) & ~(size_t)(WEIGHTS_ALIGNMENT - 1);

	if (at > UINT32_MAX || size > UINT32_MAX - at)
		return lower_fail(l, "weights exceed the ISA's 32-bit offsets");
	if (lower_grow(&l->weights, &l->weights_cap, at + size))
		return -ENOMEM;
	if (size)
		memcpy(l->weights + at, data, size);
	l->weights_size = at + size;
	*offset = at;
	return 0;
}

/* Op-private arena (state, scratch) past everything placed so far. */
int lower_arena_extend(struct lowering *l, size_t bytes, uint32_t *offset)
{
	size_t at = (l->arena_size + ARENA_ALIGNMENT - 1) & ~(size_t)(ARENA_ALIGNMENT - 1);

	if (at > UINT32_MAX || bytes > UINT32_MAX - at)
		return lower_fail(l, "arena exceeds the ISA's 32-bit offsets");
	*offset = (uint32_t)at;
	l->arena_size = at + bytes;
	return 0;
}

int lower_emit(struct lowering *l, const void *op, size_t size)
{
	if (l->op_count >= AIOT_ISA_MAX_OPS ||
	    l->stream_size + size > AIOT_ISA_MAX_STREAM_BYTES)
		return lower_fail(l, "command stream exceeds the ISA limits");
	if (lower_grow(&l->stream, &l->stream_cap, l->stream_size + size))
		return -ENOMEM;
	memcpy(l->stream + l->stream_size, op, size);
	l->stream_size += size;
	l->op_count++;
	return 0;
}

static int lower_isa_dtype(enum tflite_tensor_type type)
{
	switch (type) {
	case TFLITE_TYPE_INT8: return AIOT_ISA_DTYPE_INT8;
	case TFLITE_TYPE_INT16: return AIOT_ISA_DTYPE_INT16;
	case TFLITE_TYPE_INT32: return AIOT_ISA_DTYPE_INT32;
	/* The signal library's unsigned tensors: same bytes (ISA 1.4). */
	case TFLITE_TYPE_UINT32: return AIOT_ISA_DTYPE_INT32;
	case TFLITE_TYPE_UINT64: return AIOT_ISA_DTYPE_INT32;
	default: return AIOT_ISA_DTYPE_INVALID;
	}
}

/* Right-align a shape of rank <= 4 into NHWC dims padded with 1. */
static int lower_nhwc(struct lowering *l, const struct tflite_tensor *t, uint32_t dims[4])
{
	if (t->rank > 4)
		return lower_fail(l, "tensor \"%s\" has rank %u (the ISA takes at most 4)",
				  t->name, t->rank);
	for (int d = 0; d < 4; d++)
		dims[d] = 1;
	for (uint32_t d = 0; d < t->rank; d++) {
		if (t->shape[d] < 1 || t->shape[d] > AIOT_ISA_MAX_DIM)
			return lower_fail(l, "tensor \"%s\" dimension %u is %d (ISA: 1..%d)",
					  t->name, d, t->shape[d], AIOT_ISA_MAX_DIM);
		dims[4 - t->rank + d] = (uint32_t)t->shape[d];
	}
	return 0;
}

/* Where tensor `index` lives: graph input/output binding, the arena, or
 * (constants) the weights blob, copied there on first use. */
int lower_isa_tensor(struct lowering *l, int32_t index, struct aiot_isa_tensor *out)
{
	const struct tflite_model *m = l->m;
	const struct tflite_tensor *t;
	const struct tflite_buffer *b;
	int rc;

	if (index < 0)
		return lower_fail(l, "a required input is missing (-1)");
	t = &m->tensors[index];
	memset(out, 0, sizeof(*out));
	out->dtype = (uint8_t)lower_isa_dtype(t->type);
	if (out->dtype == AIOT_ISA_DTYPE_INVALID) {
		lower_fail(l, "tensor %d (\"%s\") has type %s; the ISA takes int8, int16, int32",
			   index, t->name, lower_type_name(t->type));
		return -EOPNOTSUPP;
	}
	rc = lower_nhwc(l, t, out->dims);
	if (rc)
		return rc;
	if (t->type == TFLITE_TYPE_UINT64) {
		/* u64 [.., C] as int32 [.., C, 2] (low, high words). */
		if (out->dims[0] != 1)
			return lower_fail(l, "uint64 tensor \"%s\" has rank %u (at most 3)",
					  t->name, t->rank);
		out->dims[0] = out->dims[1];
		out->dims[1] = out->dims[2];
		out->dims[2] = out->dims[3];
		out->dims[3] = 2;
	}
	if (t->byte_size > AIOT_ISA_MAX_TENSOR_BYTES)
		return lower_fail(l, "tensor %d is larger than the ISA allows", index);
	b = tflite_tensor_data(m, (uint32_t)index);
	if (lower_io_binding(l, index)) {
		out->binding = lower_io_binding(l, index);
	} else if (b) {
		if (l->weight_offsets[index] == SIZE_MAX) {
			rc = lower_weights_append(l, b->data, b->size, &l->weight_offsets[index]);
			if (rc)
				return rc;
		}
		out->binding = AIOT_ISA_BINDING_WEIGHTS;
		out->offset = (uint32_t)l->weight_offsets[index];
	} else if (l->arena_offsets[index] != PLAN_UNPLACED) {
		if (l->arena_offsets[index] > UINT32_MAX)
			return lower_fail(l, "arena offset exceeds 32 bits");
		out->binding = AIOT_ISA_BINDING_ARENA;
		out->offset = (uint32_t)l->arena_offsets[index];
	} else {
		return lower_fail(l, "tensor %d (\"%s\") has no storage", index, t->name);
	}
	return 0;
}

int lower_per_tensor_quant(struct lowering *l, int32_t index, float *scale, int32_t *zp)
{
	const struct tflite_tensor *t = &l->m->tensors[index];

	if (t->quant.count != 1)
		return lower_fail(l, "tensor %d (\"%s\") needs per-tensor quantization (has %u "
				  "scales)", index, t->name, t->quant.count);
	*scale = t->quant.scale[0];
	*zp = (int32_t)t->quant.zero_point[0];
	return 0;
}

void lower_dtype_range(unsigned int dtype, int32_t *min, int32_t *max)
{
	switch (dtype) {
	case AIOT_ISA_DTYPE_INT16:
		*min = INT16_MIN;
		*max = INT16_MAX;
		break;
	case AIOT_ISA_DTYPE_INT32:
		*min = INT32_MIN;
		*max = INT32_MAX;
		break;
	default:
		*min = INT8_MIN;
		*max = INT8_MAX;
		break;
	}
}

int lower_activation(struct lowering *l, enum tflite_activation act, int32_t out_index,
		     struct aiot_isa_activation *clamp)
{
	float scale = 0.0f;
	int32_t zp = 0, lo, hi;
	int rc = lower_per_tensor_quant(l, out_index, &scale, &zp);

	if (rc)
		return rc;
	/* int16 outputs: the int16x8 layers and ISA 1.8's int16 elements */
	lower_dtype_range(l->m->tensors[out_index].type == TFLITE_TYPE_INT16 ?
			  AIOT_ISA_DTYPE_INT16 : AIOT_ISA_DTYPE_INT8, &lo, &hi);
	rc = quant_activation_range(act, scale, zp, lo, hi, &clamp->min, &clamp->max);
	if (rc)
		return lower_fail(l, "fused activation %s cannot be lowered (%s)",
				  tflite_activation_name(act), strerror(-rc));
	return 0;
}

const char *lower_type_name(int32_t tflite_type)
{
	static const char *const names[TFLITE_TYPE_COUNT] = {
		"float32", "float16", "int32", "uint8", "int64", "string", "bool", "int16",
		"complex64", "int8", "float64", "complex128", "uint64", "resource",
		"variant", "uint32", "uint16", "int4",
	};

	return tflite_type >= 0 && tflite_type < TFLITE_TYPE_COUNT ? names[tflite_type] :
	       "unknown";
}

static const char *lower_isa_type_name(uint8_t dtype)
{
	switch (dtype) {
	case AIOT_ISA_DTYPE_INT8: return "int8";
	case AIOT_ISA_DTYPE_INT16: return "int16";
	case AIOT_ISA_DTYPE_INT32: return "int32";
	default: return "unknown";
	}
}

int lower_require_int8(struct lowering *l, const struct aiot_isa_tensor *t, const char *what)
{
	if (t->dtype == AIOT_ISA_DTYPE_INT8)
		return 0;
	lower_fail(l, "%s must be int8, not %s", what, lower_isa_type_name(t->dtype));
	return -EOPNOTSUPP;
}

/* int8, or int16 with the dtype of @like (NULL: either) when ISA 1.8 took it. */
int lower_require_int8_16(struct lowering *l, const struct aiot_isa_tensor *t,
			  const struct aiot_isa_tensor *like, const char *what)
{
	if (like && t->dtype != like->dtype) {
		lower_fail(l, "%s is %s where the operator's other tensors are %s", what,
			   lower_isa_type_name(t->dtype), lower_isa_type_name(like->dtype));
		return -EOPNOTSUPP;
	}
	if (t->dtype == AIOT_ISA_DTYPE_INT8 || t->dtype == AIOT_ISA_DTYPE_INT16)
		return 0;
	lower_fail(l, "%s must be int8 or int16, not %s", what, lower_isa_type_name(t->dtype));
	return -EOPNOTSUPP;
}

/* Per-channel (bias, multiplier, shift) records into the weights blob. */
int lower_channel_quant(struct lowering *l, const struct tflite_operator *op,
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

	rc = lower_per_tensor_quant(l, op->inputs[0], &in_scale, &zp);
	if (!rc)
		rc = lower_per_tensor_quant(l, op->outputs[0], &out_scale, &zp);
	if (rc)
		return rc;
	if (filter->quant.count != 1 && filter->quant.count != channels)
		return lower_fail(l, "filter has %u scales for %u output channels",
				  filter->quant.count, channels);
	for (uint32_t c = 0; c < filter->quant.count; c++)
		if (filter->quant.zero_point[c] != 0)
			return lower_fail(l, "filter zero point %lld: the ISA takes symmetric "
					  "weights", (long long)filter->quant.zero_point[c]);
	if (op->input_count > 2 && op->inputs[2] >= 0) {
		const struct tflite_tensor *bt = &m->tensors[op->inputs[2]];

		bias = tflite_tensor_data(m, (uint32_t)op->inputs[2]);
		if (!bias || bt->type != TFLITE_TYPE_INT32 || bt->element_count != channels)
			return lower_fail(l, "bias must be a constant int32 vector of %u", channels);
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
		rc = lower_fail(l, "output multiplier cannot be represented (%s)", strerror(-rc));
		goto out;
	}
	for (uint32_t c = 0; c < channels; c++) {
		if (bias)
			memcpy(&q[c].bias, bias->data + (size_t)c * 4, 4);
		q[c].multiplier = mult[c];
		q[c].shift = shift[c];
		if (shift[c] < -31 || shift[c] > 30) {
			rc = lower_fail(l, "channel %u shift %d outside the ISA's -31..30", c, shift[c]);
			goto out;
		}
	}
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

void lower_op_init(struct aiot_isa_op_header *hdr, size_t size, unsigned int opcode)
{
	memset(hdr, 0, size);
	hdr->opcode = (uint16_t)opcode;
	hdr->size = (uint32_t)size;
}

int lower_padding(struct lowering *l, enum tflite_padding padding, const uint32_t in_dims[4],
		  int32_t kh, int32_t kw, int32_t stride_h, int32_t stride_w, int32_t dilation_h,
		  int32_t dilation_w, struct quant_padding *ph, struct quant_padding *pw)
{
	int rc = quant_compute_padding(padding, (int32_t)in_dims[1], kh, stride_h, dilation_h, ph);

	if (!rc)
		rc = quant_compute_padding(padding, (int32_t)in_dims[2], kw, stride_w, dilation_w, pw);
	if (rc)
		return lower_fail(l, "padding cannot be computed (%s)", strerror(-rc));
	return 0;
}
