// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * aiot ISA command-stream validator: each operation's shapes, parameters,
 * overlaps and work, on a private copy of its record (see
 * aiot_isa_validate.c for the stream and its operands).
 */

#include "aiot_isa_validate.h"

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
	u8 type = aiot_isa_elem_type(cur, &op->input);
	struct aiot_isa_span s_in, s_out;
	u32 window;
	u64 work;
	int ret;

	if (op->reserved)
		return -EINVAL;
	ret = aiot_isa_check_tensor(cur, &op->input, type, false, sum, &s_in);
	if (!ret)
		ret = aiot_isa_check_tensor(cur, &op->output, type, true, sum,
					    &s_out);
	if (ret)
		return ret;
	if (out[0] != in[0] || out[3] != in[3])
		return -EINVAL;
	if (!op->filter_h || !op->filter_w || !op->stride_h || !op->stride_w)
		return -EINVAL;
	/* Keeps the int32 sum of a window exact, as TFLite assumes. */
	window = (u32)op->filter_h * op->filter_w;
	if (window > AIOT_ISA_MAX_POOL_WINDOW ||
	    (type == AIOT_ISA_DTYPE_INT16 &&
	     op->hdr.opcode == AIOT_ISA_OP_AVERAGE_POOL_2D &&
	     window > AIOT_ISA_MAX_POOL_WINDOW_S16))
		return -E2BIG;
	if (!aiot_isa_windows_overlap(in[1], out[1], op->filter_h, op->stride_h,
				      op->pad_top) ||
	    !aiot_isa_windows_overlap(in[2], out[2], op->filter_w, op->stride_w,
				      op->pad_left))
		return -EINVAL;
	ret = aiot_isa_check_act_type(&op->act, type);
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

/*
 * ADD and SUB rescale both inputs; MUL (ISA 1.3) only its product, so its
 * input rescaling must be zero; MAXIMUM and MINIMUM (ISA 1.3) compare the
 * stored values and have no parameters besides the clamp. With int16
 * elements (ISA 1.8) SUB's inputs less their zero points, shifted left by
 * at most 15, stay within 31 bits, and MUL's zero points are 0 so that
 * its product does.
 */
static int aiot_isa_check_add_params(const struct aiot_isa_op_add *op,
				     u8 type)
{
	bool wide = type == AIOT_ISA_DTYPE_INT16;
	bool zps_ok = aiot_isa_zp_ok(op->input1_zero_point, type) &&
		      aiot_isa_zp_ok(op->input2_zero_point, type) &&
		      aiot_isa_zp_ok(op->output_zero_point, type);
	bool no_input_scaling = !op->left_shift && !op->input1_multiplier &&
				!op->input1_shift && !op->input2_multiplier &&
				!op->input2_shift;

	switch (op->hdr.opcode) {
	case AIOT_ISA_OP_MUL:
		if (wide && (op->input1_zero_point || op->input2_zero_point))
			return -EINVAL;
		if (!zps_ok || !no_input_scaling ||
		    !aiot_isa_quant_ok(op->output_multiplier, op->output_shift))
			return -EINVAL;
		return 0;
	case AIOT_ISA_OP_MAXIMUM:
	case AIOT_ISA_OP_MINIMUM:
		if (op->input1_zero_point || op->input2_zero_point ||
		    op->output_zero_point || !no_input_scaling ||
		    op->output_multiplier || op->output_shift)
			return -EINVAL;
		return 0;
	default:
		if (!zps_ok ||
		    !aiot_isa_in_range(op->left_shift, 0, wide ? 15 : 23) ||
		    !aiot_isa_quant_ok(op->input1_multiplier,
				       op->input1_shift) ||
		    !aiot_isa_quant_ok(op->input2_multiplier,
				       op->input2_shift) ||
		    !aiot_isa_quant_ok(op->output_multiplier, op->output_shift))
			return -EINVAL;
		return 0;
	}
}

/*
 * ADD, and from ISA 1.3 SUB, MUL, MAXIMUM and MINIMUM; from ISA 1.8 all
 * but ADD (whose int16 form is ADD_S16) with int16 elements too.
 */
static int aiot_isa_check_add(const struct aiot_isa_cursor *cur,
			      const struct aiot_isa_op_add *op,
			      struct aiot_isa_summary *sum)
{
	u8 type = op->hdr.opcode == AIOT_ISA_OP_ADD ? AIOT_ISA_DTYPE_INT8 :
		  aiot_isa_elem_type(cur, &op->input1);
	struct aiot_isa_span s_in1, s_in2, s_out;
	int ret;

	ret = aiot_isa_check_tensor(cur, &op->input1, type, false, sum,
				    &s_in1);
	if (!ret)
		ret = aiot_isa_check_tensor(cur, &op->input2, type, false, sum,
					    &s_in2);
	if (!ret)
		ret = aiot_isa_check_tensor(cur, &op->output, type, true, sum,
					    &s_out);
	if (ret)
		return ret;
	if (!aiot_isa_broadcasts_to(&op->input1, &op->output) ||
	    !aiot_isa_broadcasts_to(&op->input2, &op->output))
		return -EINVAL;
	ret = aiot_isa_check_add_params(op, type);
	if (!ret)
		ret = aiot_isa_check_act_type(&op->act, type);
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

/* The input and output of a data movement: same dtype, no overlap. */
static int aiot_isa_check_move(const struct aiot_isa_cursor *cur,
			       const struct aiot_isa_tensor *input,
			       const struct aiot_isa_tensor *output,
			       struct aiot_isa_summary *sum,
			       struct aiot_isa_span *s_in,
			       struct aiot_isa_span *s_out)
{
	int ret;

	ret = aiot_isa_check_tensor(cur, input, AIOT_ISA_DTYPE_INVALID, false,
				    sum, s_in);
	if (!ret)
		ret = aiot_isa_check_tensor(cur, output, input->dtype, true, sum,
					    s_out);
	if (!ret)
		ret = aiot_isa_check_alias(s_out, s_in, false);
	return ret;
}

/* Every @offset[i] + @inner[i] fits in @outer[i], without overflow. */
static bool aiot_isa_window_fits(const u32 *offset, const u32 *inner,
				 const u32 *outer)
{
	int i;

	for (i = 0; i < AIOT_ISA_DIMS; i++)
		if ((u64)offset[i] + inner[i] > outer[i])
			return false;
	return true;
}

static int aiot_isa_check_pad(const struct aiot_isa_cursor *cur,
			      const struct aiot_isa_op_pad *op,
			      struct aiot_isa_summary *sum)
{
	struct aiot_isa_span s_in, s_out;
	int ret;

	if (op->reserved)
		return -EINVAL;
	ret = aiot_isa_check_move(cur, &op->input, &op->output, sum, &s_in,
				  &s_out);
	if (ret)
		return ret;
	if (!aiot_isa_window_fits(op->before, op->input.dims, op->output.dims) ||
	    !aiot_isa_zp_ok(op->value, op->output.dtype))
		return -EINVAL;
	aiot_isa_add_work(sum, aiot_isa_elems(&op->output));
	return 0;
}

static int aiot_isa_check_transpose(const struct aiot_isa_cursor *cur,
				    const struct aiot_isa_op_transpose *op,
				    struct aiot_isa_summary *sum)
{
	struct aiot_isa_span s_in, s_out;
	u32 seen = 0;
	int i, ret;

	if (op->reserved)
		return -EINVAL;
	ret = aiot_isa_check_move(cur, &op->input, &op->output, sum, &s_in,
				  &s_out);
	if (ret)
		return ret;
	for (i = 0; i < AIOT_ISA_DIMS; i++) {
		if (op->perm[i] >= AIOT_ISA_DIMS || seen & (1u << op->perm[i]))
			return -EINVAL;
		seen |= 1u << op->perm[i];
		if (op->output.dims[i] != op->input.dims[op->perm[i]])
			return -EINVAL;
	}
	aiot_isa_add_work(sum, aiot_isa_elems(&op->output));
	return 0;
}

static int aiot_isa_check_insert(const struct aiot_isa_cursor *cur,
				 const struct aiot_isa_op_insert *op,
				 struct aiot_isa_summary *sum)
{
	struct aiot_isa_span s_in, s_out;
	int ret;

	if (op->reserved[0] || op->reserved[1])
		return -EINVAL;
	ret = aiot_isa_check_move(cur, &op->input, &op->output, sum, &s_in,
				  &s_out);
	if (ret)
		return ret;
	if (!aiot_isa_window_fits(op->offset, op->input.dims, op->output.dims))
		return -EINVAL;
	aiot_isa_add_work(sum, aiot_isa_elems(&op->input));
	return 0;
}

static int aiot_isa_check_mean(const struct aiot_isa_cursor *cur,
			       const struct aiot_isa_op_mean *op,
			       struct aiot_isa_summary *sum)
{
	const u32 *in = op->input.dims, *out = op->output.dims;
	struct aiot_isa_span s_in, s_out;
	int ret;

	if (op->reserved[0] || op->reserved[1])
		return -EINVAL;
	ret = aiot_isa_check_tensor(cur, &op->input, AIOT_ISA_DTYPE_INT8, false,
				    sum, &s_in);
	if (!ret)
		ret = aiot_isa_check_tensor(cur, &op->output,
					    AIOT_ISA_DTYPE_INT8, true, sum,
					    &s_out);
	if (ret)
		return ret;
	if (out[0] != in[0] || out[1] != 1 || out[2] != 1 || out[3] != in[3])
		return -EINVAL;
	/* Keeps the int32 sum exact and the divisor positive. */
	if ((u64)in[1] * in[2] > AIOT_ISA_MAX_POOL_WINDOW)
		return -E2BIG;
	if (!aiot_isa_zp8_ok(op->input_zero_point) ||
	    !aiot_isa_zp8_ok(op->output_zero_point) ||
	    !aiot_isa_quant_ok(op->multiplier, op->shift))
		return -EINVAL;
	ret = aiot_isa_check_act(&op->act);
	if (!ret)
		ret = aiot_isa_check_alias(&s_out, &s_in, false);
	if (ret)
		return ret;
	aiot_isa_add_work(sum, aiot_isa_elems(&op->input));
	return 0;
}

static int aiot_isa_check_leaky_relu(const struct aiot_isa_cursor *cur,
				     const struct aiot_isa_op_leaky_relu *op,
				     struct aiot_isa_summary *sum)
{
	u8 type = aiot_isa_elem_type(cur, &op->input);
	struct aiot_isa_span s_in, s_out;
	int ret;

	ret = aiot_isa_check_tensor(cur, &op->input, type, false, sum, &s_in);
	if (!ret)
		ret = aiot_isa_check_tensor(cur, &op->output, type, true, sum,
					    &s_out);
	if (ret)
		return ret;
	if (!aiot_isa_same_dims(&op->input, &op->output))
		return -EINVAL;
	if (!aiot_isa_zp_ok(op->input_zero_point, type) ||
	    !aiot_isa_zp_ok(op->output_zero_point, type) ||
	    !aiot_isa_quant_ok(op->identity_multiplier, op->identity_shift) ||
	    !aiot_isa_quant_ok(op->alpha_multiplier, op->alpha_shift))
		return -EINVAL;
	ret = aiot_isa_check_act_type(&op->act, type);
	if (!ret)
		ret = aiot_isa_check_alias(&s_out, &s_in, true);
	if (ret)
		return ret;
	aiot_isa_add_work(sum, aiot_isa_elems(&op->output));
	return 0;
}

static int aiot_isa_check_table(const struct aiot_isa_cursor *cur,
				const struct aiot_isa_op_table *op,
				struct aiot_isa_summary *sum)
{
	struct aiot_isa_span s_in, s_out, s_table;
	int ret;

	if (op->reserved[0] || op->reserved[1])
		return -EINVAL;
	ret = aiot_isa_check_tensor(cur, &op->input, AIOT_ISA_DTYPE_INT8, false,
				    sum, &s_in);
	if (!ret)
		ret = aiot_isa_check_tensor(cur, &op->output,
					    AIOT_ISA_DTYPE_INT8, true, sum,
					    &s_out);
	if (!ret)
		ret = aiot_isa_check_array(cur, &op->table,
					   AIOT_ISA_TABLE_ENTRIES, 1, sum,
					   &s_table);
	if (ret)
		return ret;
	if (!aiot_isa_same_dims(&op->input, &op->output))
		return -EINVAL;
	ret = aiot_isa_check_alias(&s_out, &s_in, true);
	if (!ret)
		ret = aiot_isa_check_alias(&s_out, &s_table, false);
	if (ret)
		return ret;
	aiot_isa_add_work(sum, aiot_isa_elems(&op->output));
	return 0;
}

int aiot_isa_check_op(const struct aiot_isa_cursor *cur,
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
	case AIOT_ISA_OP_SUB:
	case AIOT_ISA_OP_MUL:
	case AIOT_ISA_OP_MAXIMUM:
	case AIOT_ISA_OP_MINIMUM:
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
	case AIOT_ISA_OP_PAD:
		return aiot_isa_check_pad(cur, &op->pad, sum);
	case AIOT_ISA_OP_TRANSPOSE:
		return aiot_isa_check_transpose(cur, &op->transpose, sum);
	case AIOT_ISA_OP_INSERT:
		return aiot_isa_check_insert(cur, &op->insert, sum);
	case AIOT_ISA_OP_MEAN:
		return aiot_isa_check_mean(cur, &op->mean, sum);
	case AIOT_ISA_OP_LEAKY_RELU:
		return aiot_isa_check_leaky_relu(cur, &op->leaky, sum);
	case AIOT_ISA_OP_TABLE:
		return aiot_isa_check_table(cur, &op->table, sum);
	case AIOT_ISA_OP_RESIZE:
		return aiot_isa_check_resize(cur, &op->resize, sum);
	case AIOT_ISA_OP_FRAME_TO_TENSOR:
		return aiot_isa_check_frame_to_tensor(cur, &op->frame, sum);
	case AIOT_ISA_OP_SLICE:
		return aiot_isa_check_shape_op(cur, op, sum);
	case AIOT_ISA_OP_TRANSPOSE_CONV:
	case AIOT_ISA_OP_TRANSPOSE_CONV_S16:
	case AIOT_ISA_OP_REDUCE:
		return aiot_isa_check_16a_op(cur, op, sum);
	case AIOT_ISA_OP_LSTM:
		return aiot_isa_check_lstm_op(cur, op, sum);
	case AIOT_ISA_OP_CONV_2D_S16:
	case AIOT_ISA_OP_DEPTHWISE_CONV_2D_S16:
	case AIOT_ISA_OP_FULLY_CONNECTED_S16:
	case AIOT_ISA_OP_ADD_S16:
		return aiot_isa_check_s16_op(cur, op, sum);
	case AIOT_ISA_OP_SOFTMAX_S16:
		return aiot_isa_check_softmax16_op(cur, op, sum);
	case AIOT_ISA_OP_SIGMOID_S16:
		return aiot_isa_check_sigmoid_op(cur, op, sum);
	default:
		return aiot_isa_check_signal_op(cur, op, sum);
	}
}
