// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * aiot ISA validator, ISA 1.6's int16x8 operations: CONV_2D_S16,
 * DEPTHWISE_CONV_2D_S16, FULLY_CONNECTED_S16 (int16 activations, int8
 * weights, struct aiot_isa_channel_quant64 records with int64 biases) and
 * ADD_S16. They use the int8 operations' descriptors; what differs is the
 * dtypes, the record size and the zero points, which must all be 0.
 */

#include "aiot_isa_validate.h"

/* Where the operands of an int16x8 weighted layer lie. */
struct aiot_isa_s16_spans {
	struct aiot_isa_span in, filter, quant, out;
};

/*
 * int16 input and output, int8 filter, one 16-byte record per output
 * channel at an offset that keeps the int64 bias aligned, an int16 clamp
 * and an output that overlaps none of the inputs.
 */
static int aiot_isa_check_s16_layer(const struct aiot_isa_cursor *cur,
				    const struct aiot_isa_tensor *input,
				    const struct aiot_isa_tensor *filter,
				    const struct aiot_isa_tensor *output,
				    const struct aiot_isa_array_ref *quant,
				    struct aiot_isa_summary *sum,
				    struct aiot_isa_s16_spans *spans)
{
	int ret;

	if (quant->offset % sizeof(s64))
		return -EINVAL;
	ret = aiot_isa_check_tensor(cur, input, AIOT_ISA_DTYPE_INT16, false,
				    sum, &spans->in);
	if (!ret)
		ret = aiot_isa_check_tensor(cur, filter, AIOT_ISA_DTYPE_INT8,
					    false, sum, &spans->filter);
	if (!ret)
		ret = aiot_isa_check_tensor(cur, output, AIOT_ISA_DTYPE_INT16,
					    true, sum, &spans->out);
	if (!ret)
		ret = aiot_isa_check_array(cur, quant, output->dims[3],
					   sizeof(struct aiot_isa_channel_quant64),
					   sum, &spans->quant);
	return ret;
}

static int aiot_isa_check_s16_output(const struct aiot_isa_activation *act,
				     const struct aiot_isa_s16_spans *spans)
{
	int ret;

	ret = aiot_isa_check_act_type(act, AIOT_ISA_DTYPE_INT16);
	if (!ret)
		ret = aiot_isa_check_alias(&spans->out, &spans->in, false);
	if (!ret)
		ret = aiot_isa_check_alias(&spans->out, &spans->filter, false);
	if (!ret)
		ret = aiot_isa_check_alias(&spans->out, &spans->quant, false);
	return ret;
}

static int aiot_isa_check_fc_s16(const struct aiot_isa_cursor *cur,
				 const struct aiot_isa_op_fully_connected *op,
				 struct aiot_isa_summary *sum)
{
	const u32 *in = op->input.dims, *f = op->filter.dims;
	const u32 *out = op->output.dims;
	struct aiot_isa_s16_spans spans;
	u64 work;
	int ret;

	if (op->reserved)
		return -EINVAL;
	ret = aiot_isa_check_s16_layer(cur, &op->input, &op->filter,
				       &op->output, &op->quant, sum, &spans);
	if (ret)
		return ret;
	if (in[1] != 1 || in[2] != 1 || f[1] != 1 || f[2] != 1 ||
	    out[1] != 1 || out[2] != 1 || in[3] != f[3] ||
	    out[0] != in[0] || out[3] != f[0])
		return -EINVAL;
	if (op->input_zero_point || op->output_zero_point ||
	    !aiot_isa_zp8_ok(op->filter_zero_point))
		return -EINVAL;
	ret = aiot_isa_check_s16_output(&op->act, &spans);
	if (ret)
		return ret;
	if (!aiot_isa_mul4(in[0], out[3], in[3], 1, &work))
		work = ~0ULL;
	aiot_isa_add_work(sum, work);
	return 0;
}

static int aiot_isa_check_conv_s16(const struct aiot_isa_cursor *cur,
				   const struct aiot_isa_op_conv *op,
				   struct aiot_isa_summary *sum)
{
	const u32 *in = op->input.dims, *f = op->filter.dims;
	const u32 *out = op->output.dims;
	bool depthwise = op->hdr.opcode == AIOT_ISA_OP_DEPTHWISE_CONV_2D_S16;
	struct aiot_isa_s16_spans spans;
	u64 work, taps, cout;
	int ret;

	ret = aiot_isa_check_s16_layer(cur, &op->input, &op->filter,
				       &op->output, &op->quant, sum, &spans);
	if (ret)
		return ret;
	if (out[0] != in[0])
		return -EINVAL;
	if (depthwise) {
		if (!op->depth_multiplier ||
		    op->depth_multiplier > AIOT_ISA_MAX_DIM)
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
	if ((u64)op->pad_top > (u64)(f[1] - 1) * op->dilation_h ||
	    (u64)op->pad_left > (u64)(f[2] - 1) * op->dilation_w)
		return -EINVAL;
	if (op->input_zero_point || op->output_zero_point)
		return -EINVAL;
	ret = aiot_isa_check_s16_output(&op->act, &spans);
	if (ret)
		return ret;
	taps = (u64)f[1] * f[2] * (depthwise ? 1 : in[3]);
	if (!aiot_isa_mul4(out[0] * (u64)out[1], out[2], out[3], taps, &work))
		work = ~0ULL;
	aiot_isa_add_work(sum, work);
	return 0;
}

static bool aiot_isa_s16_broadcasts_to(const struct aiot_isa_tensor *in,
				       const struct aiot_isa_tensor *out)
{
	int i;

	for (i = 0; i < AIOT_ISA_DIMS; i++)
		if (in->dims[i] != out->dims[i] && in->dims[i] != 1)
			return false;
	return true;
}

/*
 * A left shift of at most 15 keeps (int16 << left_shift) inside int32,
 * which is why TFLite picks 15 for int16 (and 20 for int8).
 */
static int aiot_isa_check_add_s16(const struct aiot_isa_cursor *cur,
				  const struct aiot_isa_op_add *op,
				  struct aiot_isa_summary *sum)
{
	struct aiot_isa_span s_in1, s_in2, s_out;
	int ret;

	ret = aiot_isa_check_tensor(cur, &op->input1, AIOT_ISA_DTYPE_INT16,
				    false, sum, &s_in1);
	if (!ret)
		ret = aiot_isa_check_tensor(cur, &op->input2,
					    AIOT_ISA_DTYPE_INT16, false, sum,
					    &s_in2);
	if (!ret)
		ret = aiot_isa_check_tensor(cur, &op->output,
					    AIOT_ISA_DTYPE_INT16, true, sum,
					    &s_out);
	if (ret)
		return ret;
	if (!aiot_isa_s16_broadcasts_to(&op->input1, &op->output) ||
	    !aiot_isa_s16_broadcasts_to(&op->input2, &op->output))
		return -EINVAL;
	if (op->input1_zero_point || op->input2_zero_point ||
	    op->output_zero_point ||
	    !aiot_isa_in_range(op->left_shift, 0, 15) ||
	    !aiot_isa_quant_ok(op->input1_multiplier, op->input1_shift) ||
	    !aiot_isa_quant_ok(op->input2_multiplier, op->input2_shift) ||
	    !aiot_isa_quant_ok(op->output_multiplier, op->output_shift))
		return -EINVAL;
	ret = aiot_isa_check_act_type(&op->act, AIOT_ISA_DTYPE_INT16);
	/* Same bytes means same shape here, so in place is elementwise. */
	if (!ret)
		ret = aiot_isa_check_alias(&s_out, &s_in1, true);
	if (!ret)
		ret = aiot_isa_check_alias(&s_out, &s_in2, true);
	if (ret)
		return ret;
	aiot_isa_add_work(sum, (s_out.end - s_out.start) / sizeof(s16));
	return 0;
}

/**
 * aiot_isa_check_s16_op() - one ISA 1.6 int16x8 operation
 * @cur: the cursor
 * @op: the operation's private copy; its opcode is one of 50..53
 * @sum: summary, or NULL
 *
 * Return: 0 or a negative errno (see aiot_isa_cursor_next()).
 */
int aiot_isa_check_s16_op(const struct aiot_isa_cursor *cur,
			  const union aiot_isa_op *op,
			  struct aiot_isa_summary *sum)
{
	switch (op->hdr.opcode) {
	case AIOT_ISA_OP_CONV_2D_S16:
	case AIOT_ISA_OP_DEPTHWISE_CONV_2D_S16:
		return aiot_isa_check_conv_s16(cur, &op->conv, sum);
	case AIOT_ISA_OP_FULLY_CONNECTED_S16:
		return aiot_isa_check_fc_s16(cur, &op->fc, sum);
	case AIOT_ISA_OP_ADD_S16:
		return aiot_isa_check_add_s16(cur, &op->add, sum);
	default:
		return -EOPNOTSUPP;
	}
}
