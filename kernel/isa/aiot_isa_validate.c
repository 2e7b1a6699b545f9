// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * aiot ISA command-stream validator.
 *
 * A command stream comes from userspace and is untrusted: this file proves,
 * before anything runs, that the stream is well formed and that every byte
 * each operation reads or writes lies inside its bound buffer. All size
 * arithmetic is overflow-checked. Operation records are copied out of the
 * stream before they are checked, so the executor acts on exactly the
 * bytes that were validated even if the stream memory changes underneath.
 */

#include "aiot_isa.h"

#define AIOT_ISA_S8_MIN		(-128)
#define AIOT_ISA_S8_MAX		127
#define AIOT_ISA_S16_MIN	(-32768)
#define AIOT_ISA_S16_MAX	32767

/*
 * Bytes of a tensor plus where it is, for overlap checks: @binding is the
 * buffer's (the lowest binding of the same memory, see
 * aiot_isa_validate_aliased()), not necessarily the tensor's.
 */
struct aiot_isa_span {
	u32 binding;
	u64 start;
	u64 end;
};

static const u32 aiot_isa_op_sizes[AIOT_ISA_NUM_OPCODES] = {
	[AIOT_ISA_OP_NOP] = sizeof(struct aiot_isa_op_nop),
	[AIOT_ISA_OP_FULLY_CONNECTED] =
		sizeof(struct aiot_isa_op_fully_connected),
	[AIOT_ISA_OP_CONV_2D] = sizeof(struct aiot_isa_op_conv),
	[AIOT_ISA_OP_DEPTHWISE_CONV_2D] = sizeof(struct aiot_isa_op_conv),
	[AIOT_ISA_OP_AVERAGE_POOL_2D] = sizeof(struct aiot_isa_op_pool),
	[AIOT_ISA_OP_MAX_POOL_2D] = sizeof(struct aiot_isa_op_pool),
	[AIOT_ISA_OP_ADD] = sizeof(struct aiot_isa_op_add),
	[AIOT_ISA_OP_RESHAPE] = sizeof(struct aiot_isa_op_reshape),
	[AIOT_ISA_OP_SOFTMAX] = sizeof(struct aiot_isa_op_softmax),
	[AIOT_ISA_OP_REQUANTIZE] = sizeof(struct aiot_isa_op_requantize),
	[AIOT_ISA_OP_SENSOR_TO_INT8] = sizeof(struct aiot_isa_op_requantize),
	[AIOT_ISA_OP_SVDF] = sizeof(struct aiot_isa_op_svdf),
};

static bool aiot_isa_in_range(s32 v, s32 lo, s32 hi)
{
	return v >= lo && v <= hi;
}

static void aiot_isa_add_work(struct aiot_isa_summary *sum, u64 work)
{
	if (sum && check_add_overflow(sum->work, work, &sum->work))
		sum->work = ~0ULL;
}

/* Product of up to four factors; false when it overflows u64. */
static bool aiot_isa_mul4(u64 a, u64 b, u64 c, u64 d, u64 *out)
{
	u64 ab, cd;

	if (check_mul_overflow(a, b, &ab) || check_mul_overflow(c, d, &cd))
		return false;
	return !check_mul_overflow(ab, cd, out);
}

/* Marks [offset, offset + bytes) of a binding as used. */
static int aiot_isa_check_span(const struct aiot_isa_cursor *cur, u32 binding,
			       u64 offset, u64 bytes, bool written,
			       struct aiot_isa_summary *sum,
			       struct aiot_isa_span *span)
{
	u64 end;

	if (binding >= cur->nbindings || binding >= AIOT_ISA_MAX_BINDINGS)
		return -EINVAL;
	if (check_add_overflow(offset, bytes, &end))
		return -EOVERFLOW;
	if (end > cur->binding_sizes[binding])
		return -ENOSPC;
	if (span) {
		span->binding = cur->alias ? cur->alias[binding] : binding;
		span->start = offset;
		span->end = end;
	}
	if (!sum)
		return 0;
	if (written)
		sum->bindings_written |= 1u << binding;
	else
		sum->bindings_read |= 1u << binding;
	if (end > sum->binding_extent[binding])
		sum->binding_extent[binding] = end;
	return 0;
}

static int aiot_isa_check_tensor(const struct aiot_isa_cursor *cur,
				 const struct aiot_isa_tensor *t, u8 dtype,
				 bool written, struct aiot_isa_summary *sum,
				 struct aiot_isa_span *span)
{
	u32 esize = aiot_isa_dtype_bytes(t->dtype);
	u64 elems, bytes;
	int i;

	if (t->reserved)
		return -EINVAL;
	if (!esize || (dtype != AIOT_ISA_DTYPE_INVALID && t->dtype != dtype))
		return -EINVAL;
	for (i = 0; i < AIOT_ISA_DIMS; i++) {
		if (!t->dims[i])
			return -EINVAL;
		if (t->dims[i] > AIOT_ISA_MAX_DIM)
			return -E2BIG;
	}
	if (!aiot_isa_mul4(t->dims[0], t->dims[1], t->dims[2], t->dims[3],
			   &elems) ||
	    check_mul_overflow(elems, (u64)esize, &bytes))
		return -EOVERFLOW;
	if (bytes > AIOT_ISA_MAX_TENSOR_BYTES)
		return -E2BIG;
	if (t->offset % esize)
		return -EINVAL;
	return aiot_isa_check_span(cur, t->binding, t->offset, bytes, written,
				   sum, span);
}

static int aiot_isa_check_array(const struct aiot_isa_cursor *cur,
				const struct aiot_isa_array_ref *ref, u32 count,
				u32 record_size, struct aiot_isa_summary *sum,
				struct aiot_isa_span *span)
{
	u64 bytes;

	if (ref->reserved[0] || ref->reserved[1] || ref->reserved[2])
		return -EINVAL;
	if (ref->offset % 4)
		return -EINVAL;
	if (check_mul_overflow((u64)count, (u64)record_size, &bytes))
		return -EOVERFLOW;
	if (bytes > AIOT_ISA_MAX_TENSOR_BYTES)
		return -E2BIG;
	return aiot_isa_check_span(cur, ref->binding, ref->offset, bytes, false,
				   sum, span);
}

static bool aiot_isa_spans_overlap(const struct aiot_isa_span *a,
				   const struct aiot_isa_span *b)
{
	return a->binding == b->binding && a->start < b->end &&
	       b->start < a->end;
}

static bool aiot_isa_spans_equal(const struct aiot_isa_span *a,
				 const struct aiot_isa_span *b)
{
	return a->binding == b->binding && a->start == b->start &&
	       a->end == b->end;
}

/*
 * An output may not overlap an input, except that elementwise operations
 * may work in place on exactly the same bytes.
 */
static int aiot_isa_check_alias(const struct aiot_isa_span *out,
				const struct aiot_isa_span *in, bool in_place_ok)
{
	if (!aiot_isa_spans_overlap(out, in))
		return 0;
	if (in_place_ok && aiot_isa_spans_equal(out, in))
		return 0;
	return -EINVAL;
}

/* The value range of a dtype, for zero points and clamps. */
static void aiot_isa_dtype_range(u8 dtype, s32 *lo, s32 *hi)
{
	switch (dtype) {
	case AIOT_ISA_DTYPE_INT16:
		*lo = AIOT_ISA_S16_MIN;
		*hi = AIOT_ISA_S16_MAX;
		break;
	case AIOT_ISA_DTYPE_INT32:
		*lo = -0x7fffffff - 1;
		*hi = 0x7fffffff;
		break;
	default:
		*lo = AIOT_ISA_S8_MIN;
		*hi = AIOT_ISA_S8_MAX;
		break;
	}
}

static int aiot_isa_check_act_type(const struct aiot_isa_activation *act,
				   u8 dtype)
{
	s32 lo, hi;

	aiot_isa_dtype_range(dtype, &lo, &hi);
	if (!aiot_isa_in_range(act->min, lo, hi) ||
	    !aiot_isa_in_range(act->max, lo, hi) || act->min > act->max)
		return -EINVAL;
	return 0;
}

static int aiot_isa_check_act(const struct aiot_isa_activation *act)
{
	return aiot_isa_check_act_type(act, AIOT_ISA_DTYPE_INT8);
}

static bool aiot_isa_zp_ok(s32 zp, u8 dtype)
{
	s32 lo, hi;

	aiot_isa_dtype_range(dtype, &lo, &hi);
	return aiot_isa_in_range(zp, lo, hi);
}

static bool aiot_isa_zp8_ok(s32 zp)
{
	return aiot_isa_in_range(zp, AIOT_ISA_S8_MIN, AIOT_ISA_S8_MAX);
}

static bool aiot_isa_quant_ok(s32 multiplier, s32 shift)
{
	return multiplier >= 0 && aiot_isa_in_range(shift, -31, 30);
}

static bool aiot_isa_same_dims(const struct aiot_isa_tensor *a,
			       const struct aiot_isa_tensor *b)
{
	int i;

	for (i = 0; i < AIOT_ISA_DIMS; i++)
		if (a->dims[i] != b->dims[i])
			return false;
	return true;
}

/* Where the operands of a weighted layer (FC, convolutions) lie. */
struct aiot_isa_layer_spans {
	struct aiot_isa_span in, filter, quant, out;
};

/*
 * The operands every weighted layer has: int8 input, filter and output
 * tensors, and one requantization record per output channel.
 */
static int aiot_isa_check_layer(const struct aiot_isa_cursor *cur,
				const struct aiot_isa_tensor *input,
				const struct aiot_isa_tensor *filter,
				const struct aiot_isa_tensor *output,
				const struct aiot_isa_array_ref *quant,
				struct aiot_isa_summary *sum,
				struct aiot_isa_layer_spans *spans)
{
	int ret;

	ret = aiot_isa_check_tensor(cur, input, AIOT_ISA_DTYPE_INT8, false,
				    sum, &spans->in);
	if (!ret)
		ret = aiot_isa_check_tensor(cur, filter, AIOT_ISA_DTYPE_INT8,
					    false, sum, &spans->filter);
	if (!ret)
		ret = aiot_isa_check_tensor(cur, output, AIOT_ISA_DTYPE_INT8,
					    true, sum, &spans->out);
	if (!ret)
		ret = aiot_isa_check_array(cur, quant, output->dims[3],
					   sizeof(struct aiot_isa_channel_quant),
					   sum, &spans->quant);
	return ret;
}

/* Its activation clamp, and an output that overlaps none of its inputs. */
static int aiot_isa_check_layer_output(const struct aiot_isa_activation *act,
				       const struct aiot_isa_layer_spans *spans)
{
	int ret;

	ret = aiot_isa_check_act(act);
	if (!ret)
		ret = aiot_isa_check_alias(&spans->out, &spans->in, false);
	if (!ret)
		ret = aiot_isa_check_alias(&spans->out, &spans->filter, false);
	if (!ret)
		ret = aiot_isa_check_alias(&spans->out, &spans->quant, false);
	return ret;
}

static int aiot_isa_check_fc(const struct aiot_isa_cursor *cur,
			     const struct aiot_isa_op_fully_connected *op,
			     struct aiot_isa_summary *sum)
{
	const u32 *in = op->input.dims, *f = op->filter.dims;
	const u32 *out = op->output.dims;
	struct aiot_isa_layer_spans spans;
	u64 work;
	int ret;

	if (op->reserved)
		return -EINVAL;
	ret = aiot_isa_check_layer(cur, &op->input, &op->filter, &op->output,
				   &op->quant, sum, &spans);
	if (ret)
		return ret;
	if (in[1] != 1 || in[2] != 1 || f[1] != 1 || f[2] != 1 ||
	    out[1] != 1 || out[2] != 1 || in[3] != f[3] ||
	    out[0] != in[0] || out[3] != f[0])
		return -EINVAL;
	if (!aiot_isa_zp8_ok(op->input_zero_point) ||
	    !aiot_isa_zp8_ok(op->filter_zero_point) ||
	    !aiot_isa_zp8_ok(op->output_zero_point))
		return -EINVAL;
	ret = aiot_isa_check_layer_output(&op->act, &spans);
	if (ret)
		return ret;
	if (!aiot_isa_mul4(in[0], out[3], in[3], 1, &work))
		work = ~0ULL;
	aiot_isa_add_work(sum, work);
	return 0;
}

static int aiot_isa_check_conv(const struct aiot_isa_cursor *cur,
			       const struct aiot_isa_op_conv *op,
			       struct aiot_isa_summary *sum)
{
	const u32 *in = op->input.dims, *f = op->filter.dims;
	const u32 *out = op->output.dims;
	bool depthwise = op->hdr.opcode == AIOT_ISA_OP_DEPTHWISE_CONV_2D;
	struct aiot_isa_layer_spans spans;
	u64 work, taps, cout;
	int ret;

	ret = aiot_isa_check_layer(cur, &op->input, &op->filter, &op->output,
				   &op->quant, sum, &spans);
	if (ret)
		return ret;
	if (out[0] != in[0])
		return -EINVAL;
	if (depthwise) {
		if (!op->depth_multiplier || op->depth_multiplier > AIOT_ISA_MAX_DIM)
			return -EINVAL;
		cout = (u64)in[3] * op->depth_multiplier;
		if (f[0] != 1 || f[3] != cout || out[3] != cout)
			return -EINVAL;
	} else {
		if (op->depth_multiplier)
			return -EINVAL;
		if (f[3] != in[3] || f[0] != out[3])
			return -EINVAL;
	}
	if (!op->stride_h || !op->stride_w || !op->dilation_h ||
	    !op->dilation_w)
		return -EINVAL;
	/* Padding beyond the dilated filter would only ever see padding. */
	if ((u64)op->pad_top > (u64)(f[1] - 1) * op->dilation_h ||
	    (u64)op->pad_left > (u64)(f[2] - 1) * op->dilation_w)
		return -EINVAL;
	if (!aiot_isa_zp8_ok(op->input_zero_point) ||
	    !aiot_isa_zp8_ok(op->output_zero_point))
		return -EINVAL;
	ret = aiot_isa_check_layer_output(&op->act, &spans);
	if (ret)
		return ret;
	taps = (u64)f[1] * f[2] * (depthwise ? 1 : in[3]);
	if (!aiot_isa_mul4(out[0] * (u64)out[1], out[2], out[3], taps, &work))
		work = ~0ULL;
	aiot_isa_add_work(sum, work);
	return 0;
}

/* Every pooling window must overlap the input, or it has no value. */
static bool aiot_isa_windows_overlap(u32 in, u32 out, u32 filter, u32 stride,
				     u32 pad)
{
	u64 last_start = (u64)(out - 1) * stride;

	return pad < filter && last_start < (u64)in + pad;
}

static int aiot_isa_check_pool(const struct aiot_isa_cursor *cur,
			       const struct aiot_isa_op_pool *op,
			       struct aiot_isa_summary *sum)
{
	const u32 *in = op->input.dims, *out = op->output.dims;
	struct aiot_isa_span s_in, s_out;
	u64 work;
	int ret;

	if (op->reserved)
		return -EINVAL;
	ret = aiot_isa_check_tensor(cur, &op->input, AIOT_ISA_DTYPE_INT8,
				    false, sum, &s_in);
	if (!ret)
		ret = aiot_isa_check_tensor(cur, &op->output,
					    AIOT_ISA_DTYPE_INT8, true, sum,
					    &s_out);
	if (ret)
		return ret;
	if (out[0] != in[0] || out[3] != in[3])
		return -EINVAL;
	if (!op->filter_h || !op->filter_w || !op->stride_h || !op->stride_w)
		return -EINVAL;
	/* Keeps the int32 sum of a window exact, as TFLite assumes. */
	if ((u32)op->filter_h * op->filter_w > AIOT_ISA_MAX_POOL_WINDOW)
		return -E2BIG;
	if (!aiot_isa_windows_overlap(in[1], out[1], op->filter_h, op->stride_h,
				      op->pad_top) ||
	    !aiot_isa_windows_overlap(in[2], out[2], op->filter_w, op->stride_w,
				      op->pad_left))
		return -EINVAL;
	ret = aiot_isa_check_act(&op->act);
	if (!ret)
		ret = aiot_isa_check_alias(&s_out, &s_in, false);
	if (ret)
		return ret;
	if (!aiot_isa_mul4(out[0] * (u64)out[1], out[2], out[3],
			   (u64)op->filter_h * op->filter_w, &work))
		work = ~0ULL;
	aiot_isa_add_work(sum, work);
	return 0;
}

static bool aiot_isa_broadcasts_to(const struct aiot_isa_tensor *in,
				   const struct aiot_isa_tensor *out)
{
	int i;

	for (i = 0; i < AIOT_ISA_DIMS; i++)
		if (in->dims[i] != out->dims[i] && in->dims[i] != 1)
			return false;
	return true;
}

static int aiot_isa_check_add(const struct aiot_isa_cursor *cur,
			      const struct aiot_isa_op_add *op,
			      struct aiot_isa_summary *sum)
{
	struct aiot_isa_span s_in1, s_in2, s_out;
	int ret;

	ret = aiot_isa_check_tensor(cur, &op->input1, AIOT_ISA_DTYPE_INT8,
				    false, sum, &s_in1);
	if (!ret)
		ret = aiot_isa_check_tensor(cur, &op->input2,
					    AIOT_ISA_DTYPE_INT8, false, sum,
					    &s_in2);
	if (!ret)
		ret = aiot_isa_check_tensor(cur, &op->output,
					    AIOT_ISA_DTYPE_INT8, true, sum,
					    &s_out);
	if (ret)
		return ret;
	if (!aiot_isa_broadcasts_to(&op->input1, &op->output) ||
	    !aiot_isa_broadcasts_to(&op->input2, &op->output))
		return -EINVAL;
	if (!aiot_isa_zp8_ok(op->input1_zero_point) ||
	    !aiot_isa_zp8_ok(op->input2_zero_point) ||
	    !aiot_isa_zp8_ok(op->output_zero_point) ||
	    !aiot_isa_in_range(op->left_shift, 0, 23) ||
	    !aiot_isa_quant_ok(op->input1_multiplier, op->input1_shift) ||
	    !aiot_isa_quant_ok(op->input2_multiplier, op->input2_shift) ||
	    !aiot_isa_quant_ok(op->output_multiplier, op->output_shift))
		return -EINVAL;
	ret = aiot_isa_check_act(&op->act);
	/* Same bytes means same shape here, so in place is elementwise. */
	if (!ret)
		ret = aiot_isa_check_alias(&s_out, &s_in1, true);
	if (!ret)
		ret = aiot_isa_check_alias(&s_out, &s_in2, true);
	if (ret)
		return ret;
	aiot_isa_add_work(sum, s_out.end - s_out.start);
	return 0;
}

static int aiot_isa_check_reshape(const struct aiot_isa_cursor *cur,
				  const struct aiot_isa_op_reshape *op,
				  struct aiot_isa_summary *sum)
{
	struct aiot_isa_span s_in, s_out;
	int ret;

	ret = aiot_isa_check_tensor(cur, &op->input, AIOT_ISA_DTYPE_INVALID,
				    false, sum, &s_in);
	if (!ret)
		ret = aiot_isa_check_tensor(cur, &op->output, op->input.dtype,
					    true, sum, &s_out);
	if (ret)
		return ret;
	if (s_in.end - s_in.start != s_out.end - s_out.start)
		return -EINVAL;
	ret = aiot_isa_check_alias(&s_out, &s_in, true);
	if (ret)
		return ret;
	aiot_isa_add_work(sum, s_out.end - s_out.start);
	return 0;
}

static int aiot_isa_check_softmax(const struct aiot_isa_cursor *cur,
				  const struct aiot_isa_op_softmax *op,
				  struct aiot_isa_summary *sum)
{
	/* ISA 1.1: an int16 output (scale 1/65536, zero point -32768). */
	u8 out_type = op->output.dtype == AIOT_ISA_DTYPE_INT16 ?
		      AIOT_ISA_DTYPE_INT16 : AIOT_ISA_DTYPE_INT8;
	struct aiot_isa_span s_in, s_out;
	int ret;

	if (op->reserved)
		return -EINVAL;
	ret = aiot_isa_check_tensor(cur, &op->input, AIOT_ISA_DTYPE_INT8,
				    false, sum, &s_in);
	if (!ret)
		ret = aiot_isa_check_tensor(cur, &op->output, out_type, true,
					    sum, &s_out);
	if (ret)
		return ret;
	if (!aiot_isa_same_dims(&op->input, &op->output))
		return -EINVAL;
	if (op->input_multiplier < 0 ||
	    !aiot_isa_in_range(op->input_left_shift, 0, 31) ||
	    op->diff_min > 0)
		return -EINVAL;
	/* Each row is read in full before any of it is written. */
	ret = aiot_isa_check_alias(&s_out, &s_in,
				   out_type == AIOT_ISA_DTYPE_INT8);
	if (ret)
		return ret;
	aiot_isa_add_work(sum, 3 * (s_out.end - s_out.start));
	return 0;
}

static int aiot_isa_check_requant(const struct aiot_isa_cursor *cur,
				  const struct aiot_isa_op_requantize *op,
				  struct aiot_isa_summary *sum)
{
	bool sensor = op->hdr.opcode == AIOT_ISA_OP_SENSOR_TO_INT8;
	u8 in_type = sensor ? AIOT_ISA_DTYPE_INT16 : AIOT_ISA_DTYPE_INT8;
	u8 out_type = op->output.dtype;
	struct aiot_isa_span s_in, s_out;
	int ret;

	/* ISA 1.1: int16 and int32 outputs besides int8. */
	if (out_type != AIOT_ISA_DTYPE_INT16 && out_type != AIOT_ISA_DTYPE_INT32)
		out_type = AIOT_ISA_DTYPE_INT8;
	ret = aiot_isa_check_tensor(cur, &op->input, in_type, false, sum,
				    &s_in);
	if (!ret)
		ret = aiot_isa_check_tensor(cur, &op->output, out_type, true,
					    sum, &s_out);
	if (ret)
		return ret;
	if (!aiot_isa_same_dims(&op->input, &op->output))
		return -EINVAL;
	if (!aiot_isa_zp_ok(op->input_zero_point, in_type) ||
	    !aiot_isa_zp_ok(op->output_zero_point, out_type) ||
	    !aiot_isa_quant_ok(op->multiplier, op->shift))
		return -EINVAL;
	ret = aiot_isa_check_act_type(&op->act, out_type);
	/* In place only between elements of the same size. */
	if (!ret)
		ret = aiot_isa_check_alias(&s_out, &s_in, in_type == out_type);
	if (ret)
		return ret;
	aiot_isa_add_work(sum, s_out.end - s_out.start);
	return 0;
}

/* The state is read and written: account for both directions. */
static int aiot_isa_check_svdf_state(const struct aiot_isa_cursor *cur,
				     const struct aiot_isa_op_svdf *op,
				     struct aiot_isa_summary *sum,
				     struct aiot_isa_span *span)
{
	int ret;

	ret = aiot_isa_check_tensor(cur, &op->state, op->weights_time.dtype,
				    false, sum, span);
	if (!ret)
		ret = aiot_isa_check_tensor(cur, &op->state,
					    op->weights_time.dtype, true, sum,
					    span);
	return ret;
}

static int aiot_isa_check_svdf(const struct aiot_isa_cursor *cur,
			       const struct aiot_isa_op_svdf *op,
			       struct aiot_isa_summary *sum)
{
	const u32 *in = op->input.dims, *wf = op->weights_feature.dims;
	const u32 *wt = op->weights_time.dims, *st = op->state.dims;
	const u32 *out = op->output.dims;
	struct aiot_isa_span s_in, s_wf, s_wt, s_st, s_b, s_out;
	u8 state_type = op->weights_time.dtype;
	u64 work;
	int ret;

	if (op->reserved[0] || op->reserved[1])
		return -EINVAL;
	if (state_type != AIOT_ISA_DTYPE_INT8 &&
	    state_type != AIOT_ISA_DTYPE_INT16)
		return -EINVAL;
	ret = aiot_isa_check_tensor(cur, &op->input, AIOT_ISA_DTYPE_INT8,
				    false, sum, &s_in);
	if (!ret)
		ret = aiot_isa_check_tensor(cur, &op->weights_feature,
					    AIOT_ISA_DTYPE_INT8, false, sum,
					    &s_wf);
	if (!ret)
		ret = aiot_isa_check_tensor(cur, &op->weights_time, state_type,
					    false, sum, &s_wt);
	if (!ret)
		ret = aiot_isa_check_svdf_state(cur, op, sum, &s_st);
	if (!ret)
		ret = aiot_isa_check_tensor(cur, &op->output,
					    AIOT_ISA_DTYPE_INT8, true, sum,
					    &s_out);
	if (!ret)
		ret = aiot_isa_check_array(cur, &op->bias, out[3], sizeof(s32),
					   sum, &s_b);
	if (ret)
		return ret;
	/* input [B,1,1,I], wf [F,1,1,I], wt [F,1,1,M], state [B,1,F,M] */
	if (in[1] != 1 || in[2] != 1 || wf[1] != 1 || wf[2] != 1 ||
	    wt[1] != 1 || wt[2] != 1 || st[1] != 1 || out[1] != 1 ||
	    out[2] != 1 || wf[3] != in[3] || wt[0] != wf[0] ||
	    st[0] != in[0] || st[2] != wf[0] || st[3] != wt[3] ||
	    out[0] != in[0])
		return -EINVAL;
	if (!op->rank || op->rank > AIOT_ISA_MAX_DIM ||
	    (u64)out[3] * op->rank != wf[0])
		return -EINVAL;
	if (!aiot_isa_zp8_ok(op->input_zero_point) ||
	    !aiot_isa_zp8_ok(op->output_zero_point) ||
	    !aiot_isa_zp_ok(op->state_zero_point, state_type) ||
	    (state_type == AIOT_ISA_DTYPE_INT16 && op->state_zero_point) ||
	    !aiot_isa_quant_ok(op->feature_multiplier, op->feature_shift) ||
	    !aiot_isa_quant_ok(op->time_multiplier, op->time_shift))
		return -EINVAL;
	ret = aiot_isa_check_act(&op->act);
	/* The state is private to this operation: it overlaps nothing. */
	if (!ret)
		ret = aiot_isa_check_alias(&s_st, &s_in, false);
	if (!ret)
		ret = aiot_isa_check_alias(&s_st, &s_wf, false);
	if (!ret)
		ret = aiot_isa_check_alias(&s_st, &s_wt, false);
	if (!ret)
		ret = aiot_isa_check_alias(&s_st, &s_b, false);
	if (!ret)
		ret = aiot_isa_check_alias(&s_st, &s_out, false);
	if (!ret)
		ret = aiot_isa_check_alias(&s_out, &s_in, false);
	if (!ret)
		ret = aiot_isa_check_alias(&s_out, &s_wf, false);
	if (!ret)
		ret = aiot_isa_check_alias(&s_out, &s_wt, false);
	if (!ret)
		ret = aiot_isa_check_alias(&s_out, &s_b, false);
	if (ret)
		return ret;
	/* feature matmul, time dot products, state shift */
	if (!aiot_isa_mul4(in[0], wf[0], (u64)in[3] + 2 * (u64)wt[3], 1,
			   &work))
		work = ~0ULL;
	aiot_isa_add_work(sum, work);
	return 0;
}

static int aiot_isa_check_op(const struct aiot_isa_cursor *cur,
			     const union aiot_isa_op *op,
			     struct aiot_isa_summary *sum)
{
	switch (op->hdr.opcode) {
	case AIOT_ISA_OP_NOP:
		return 0;
	case AIOT_ISA_OP_FULLY_CONNECTED:
		return aiot_isa_check_fc(cur, &op->fc, sum);
	case AIOT_ISA_OP_CONV_2D:
	case AIOT_ISA_OP_DEPTHWISE_CONV_2D:
		return aiot_isa_check_conv(cur, &op->conv, sum);
	case AIOT_ISA_OP_AVERAGE_POOL_2D:
	case AIOT_ISA_OP_MAX_POOL_2D:
		return aiot_isa_check_pool(cur, &op->pool, sum);
	case AIOT_ISA_OP_ADD:
		return aiot_isa_check_add(cur, &op->add, sum);
	case AIOT_ISA_OP_RESHAPE:
		return aiot_isa_check_reshape(cur, &op->reshape, sum);
	case AIOT_ISA_OP_SOFTMAX:
		return aiot_isa_check_softmax(cur, &op->softmax, sum);
	case AIOT_ISA_OP_REQUANTIZE:
	case AIOT_ISA_OP_SENSOR_TO_INT8:
		return aiot_isa_check_requant(cur, &op->requant, sum);
	case AIOT_ISA_OP_SVDF:
		return aiot_isa_check_svdf(cur, &op->svdf, sum);
	default:
		return -EOPNOTSUPP;
	}
}

/**
 * aiot_isa_cursor_init() - check a stream header and start walking it
 * @cur: cursor to initialise
 * @stream: the command stream
 * @len: bytes available at @stream (may exceed the stream's own size)
 * @binding_sizes: size in bytes of each bound buffer
 * @nbindings: entries in @binding_sizes, at most AIOT_ISA_MAX_BINDINGS
 *
 * Return: 0, or a negative errno if the header is malformed (-EINVAL), of
 * an unsupported version (-EOPNOTSUPP) or too large (-E2BIG).
 */
int aiot_isa_cursor_init(struct aiot_isa_cursor *cur, const void *stream,
			 size_t len, const u64 *binding_sizes,
			 unsigned int nbindings)
{
	struct aiot_isa_header hdr;

	memset(cur, 0, sizeof(*cur));
	if (!stream || len < sizeof(hdr))
		return -EINVAL;
	if (nbindings > AIOT_ISA_MAX_BINDINGS || (nbindings && !binding_sizes))
		return -EINVAL;
	memcpy(&hdr, stream, sizeof(hdr));
	if (hdr.magic != AIOT_ISA_MAGIC)
		return -EINVAL;
	if (hdr.version >> 16 != AIOT_ISA_VERSION_MAJOR ||
	    (hdr.version & 0xffff) > AIOT_ISA_VERSION_MINOR)
		return -EOPNOTSUPP;
	if (hdr.flags || hdr.reserved[0] || hdr.reserved[1] ||
	    hdr.reserved[2])
		return -EINVAL;
	if (hdr.size > AIOT_ISA_MAX_STREAM_BYTES ||
	    hdr.op_count > AIOT_ISA_MAX_OPS)
		return -E2BIG;
	if (hdr.size < sizeof(hdr) || hdr.size > len || hdr.size % 4)
		return -EINVAL;
	cur->stream = stream;
	cur->size = hdr.size;
	cur->pos = sizeof(hdr);
	cur->op_count = hdr.op_count;
	cur->binding_sizes = binding_sizes;
	cur->nbindings = nbindings;
	return 0;
}

AIOT_ISA_EXPORT(aiot_isa_cursor_init);

/**
 * aiot_isa_cursor_next() - copy out and validate the next operation
 * @cur: cursor from aiot_isa_cursor_init()
 * @op: receives a private copy of the operation record
 * @sum: summary to accumulate into, or NULL
 *
 * Return: 1 when @op holds a validated operation, 0 at the end of a
 * well-formed stream, or a negative errno: -EINVAL (malformed record,
 * reserved bits set, inconsistent shapes, trailing bytes), -EOPNOTSUPP
 * (unknown opcode), -ENOSPC (a tensor outside its buffer), -E2BIG or
 * -EOVERFLOW (sizes too large).
 */
int aiot_isa_cursor_next(struct aiot_isa_cursor *cur, union aiot_isa_op *op,
			 struct aiot_isa_summary *sum)
{
	struct aiot_isa_op_header hdr;
	int ret;

	if (cur->op_index == cur->op_count)
		return cur->pos == cur->size ? 0 : -EINVAL;
	if (cur->size - cur->pos < sizeof(hdr))
		return -EINVAL;
	memcpy(&hdr, cur->stream + cur->pos, sizeof(hdr));
	if (hdr.opcode >= AIOT_ISA_NUM_OPCODES)
		return -EOPNOTSUPP;
	if (hdr.flags || hdr.size != aiot_isa_op_sizes[hdr.opcode])
		return -EINVAL;
	if (cur->size - cur->pos < hdr.size)
		return -EINVAL;
	memset(op, 0, sizeof(*op));
	memcpy(op, cur->stream + cur->pos, hdr.size);
	/* The stream may change under us: trust only the private copy. */
	op->hdr = hdr;
	ret = aiot_isa_check_op(cur, op, sum);
	if (ret)
		return ret;
	cur->pos += hdr.size;
	cur->op_index++;
	if (sum) {
		sum->op_count++;
		sum->op_mask |= 1u << hdr.opcode;
	}
	return 1;
}

AIOT_ISA_EXPORT(aiot_isa_cursor_next);

/**
 * aiot_isa_validate() - check a whole command stream against its bindings
 * @stream: the command stream
 * @len: bytes available at @stream
 * @binding_sizes: size in bytes of each bound buffer
 * @nbindings: entries in @binding_sizes, at most AIOT_ISA_MAX_BINDINGS
 * @out: if not NULL, receives what the stream does; on failure its
 *	error_op names the rejected operation
 *
 * Proves that the stream is well formed and that every access of every
 * operation stays inside its buffer. Does not read tensor data, which may
 * change before execution; the executor treats data as untrusted values.
 *
 * Return: 0 if the stream is valid, otherwise a negative errno as for
 * aiot_isa_cursor_init() and aiot_isa_cursor_next().
 */
int aiot_isa_validate(const void *stream, size_t len, const u64 *binding_sizes,
		      unsigned int nbindings, struct aiot_isa_summary *out)
{
	return aiot_isa_validate_aliased(stream, len, binding_sizes, NULL,
					 nbindings, out);
}

AIOT_ISA_EXPORT(aiot_isa_validate);

/**
 * aiot_isa_validate_aliased() - aiot_isa_validate() with bindings that share
 *	memory
 * @stream: the command stream
 * @len: its bytes
 * @binding_sizes: bytes of each bound buffer
 * @alias: NULL, or for each binding the lowest binding bound to the same
 *	memory at the same address (itself if none): the same buffer bound
 *	twice, two dma-bufs of one sensor slot. Overlap checks compare
 *	buffers, not bindings: an output may not overlap an input through
 *	another binding of the same memory either.
 * @nbindings: entries in @binding_sizes and @alias
 * @out: as for aiot_isa_validate()
 *
 * Return: as aiot_isa_validate().
 */
int aiot_isa_validate_aliased(const void *stream, size_t len,
			      const u64 *binding_sizes, const u8 *alias,
			      unsigned int nbindings,
			      struct aiot_isa_summary *out)
{
	struct aiot_isa_cursor cur;
	union aiot_isa_op op;
	unsigned int i;
	int ret;

	if (out) {
		memset(out, 0, sizeof(*out));
		out->error_op = AIOT_ISA_HEADER_OP;
	}
	ret = aiot_isa_cursor_init(&cur, stream, len, binding_sizes, nbindings);
	if (ret)
		return ret;
	if (alias) {
		for (i = 0; i < nbindings; i++)
			if (alias[i] > i)
				return -EINVAL;
		cur.alias = alias;
	}
	do {
		if (out)
			out->error_op = cur.op_index;
		ret = aiot_isa_cursor_next(&cur, &op, out);
	} while (ret > 0);
	if (!ret && out)
		out->error_op = AIOT_ISA_NO_OP;
	return ret;
}

AIOT_ISA_EXPORT(aiot_isa_validate_aliased);
