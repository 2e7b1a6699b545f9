// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * aiot ISA validator, ISA 1.6's TRANSPOSE_CONV and REDUCE (SUM and MEAN
 * over any set of axes), and ISA 1.9's TRANSPOSE_CONV_S16, whose rules are
 * TRANSPOSE_CONV's but for the dtypes, the records and the zero points.
 */

#include "aiot_isa_validate.h"

/*
 * The zero points of TRANSPOSE_CONV (int8, any) or TRANSPOSE_CONV_S16
 * (TFLite's 16x8 requires 0 for both).
 */
static bool aiot_isa_tconv_zps_ok(const struct aiot_isa_op_transpose_conv *op,
				  bool is_s16)
{
	if (is_s16)
		return !op->input_zero_point && !op->output_zero_point;
	return aiot_isa_zp8_ok(op->input_zero_point) &&
	       aiot_isa_zp8_ok(op->output_zero_point);
}

/*
 * TRANSPOSE_CONV and TRANSPOSE_CONV_S16. The latter's int64 sums need no
 * limit of their own: a product is at most 2^15 * 2^7 and an output sums
 * at most KH * KW * Cin <= AIOT_ISA_MAX_TENSOR_BYTES = 2^30 of them (the
 * filter is that big), so |sum| <= 2^52.
 */
static int aiot_isa_check_tconv(const struct aiot_isa_cursor *cur,
				const struct aiot_isa_op_transpose_conv *op,
				struct aiot_isa_summary *sum)
{
	const u32 *in = op->input.dims, *f = op->filter.dims;
	const u32 *out = op->output.dims;
	bool is_s16 = op->hdr.opcode == AIOT_ISA_OP_TRANSPOSE_CONV_S16;
	u8 act_type = is_s16 ? AIOT_ISA_DTYPE_INT16 : AIOT_ISA_DTYPE_INT8;
	u32 record = is_s16 ? sizeof(struct aiot_isa_channel_quant64) :
			   sizeof(struct aiot_isa_channel_quant);
	struct aiot_isa_span s_in, s_f, s_out, s_q;
	u64 work;
	int ret;

	if (op->reserved[0] || op->reserved[1])
		return -EINVAL;
	/* The int64 biases must be naturally aligned. */
	if (is_s16 && op->quant.offset % sizeof(s64))
		return -EINVAL;
	ret = aiot_isa_check_tensor(cur, &op->input, act_type, false, sum,
				    &s_in);
	if (!ret)
		ret = aiot_isa_check_tensor(cur, &op->filter,
					    AIOT_ISA_DTYPE_INT8, false, sum,
					    &s_f);
	if (!ret)
		ret = aiot_isa_check_tensor(cur, &op->output, act_type, true,
					    sum, &s_out);
	if (!ret)
		ret = aiot_isa_check_array(cur, &op->quant, out[3], record,
					   sum, &s_q);
	if (ret)
		return ret;
	if (out[0] != in[0] || f[0] != out[3] || f[3] != in[3])
		return -EINVAL;
	if (!op->stride_h || !op->stride_w)
		return -EINVAL;
	/* Padding past the filter would cut off whole input rows. */
	if (op->pad_top >= f[1] || op->pad_left >= f[2])
		return -EINVAL;
	if (!aiot_isa_tconv_zps_ok(op, is_s16))
		return -EINVAL;
	ret = aiot_isa_check_act_type(&op->act, act_type);
	if (!ret)
		ret = aiot_isa_check_alias(&s_out, &s_in, false);
	if (!ret)
		ret = aiot_isa_check_alias(&s_out, &s_f, false);
	if (!ret)
		ret = aiot_isa_check_alias(&s_out, &s_q, false);
	if (ret)
		return ret;
	/* Each output element visits every filter tap once. */
	if (!aiot_isa_mul4(out[0] * (u64)out[1], out[2], out[3],
			   (u64)f[1] * f[2] * f[3], &work))
		work = ~0ULL;
	aiot_isa_add_work(sum, work);
	return 0;
}

static int aiot_isa_check_reduce(const struct aiot_isa_cursor *cur,
				 const struct aiot_isa_op_reduce *op,
				 struct aiot_isa_summary *sum)
{
	const u32 *in = op->input.dims, *out = op->output.dims;
	u8 dtype = op->input.dtype;
	u64 n = 1, limit;
	int i, ret;

	if (op->reserved[0] || op->reserved[1] || op->axes & ~0xfu)
		return -EINVAL;
	if (dtype != AIOT_ISA_DTYPE_INT8 && dtype != AIOT_ISA_DTYPE_INT16)
		return -EINVAL;
	ret = aiot_isa_check_io(cur, &op->input, dtype, &op->output, dtype,
				false, sum);
	if (ret)
		return ret;
	for (i = 0; i < AIOT_ISA_DIMS; i++) {
		if (op->axes & (1u << i)) {
			if (out[i] != 1)
				return -EINVAL;
			n *= in[i];
		} else if (out[i] != in[i]) {
			return -EINVAL;
		}
	}
	limit = dtype == AIOT_ISA_DTYPE_INT8 ? AIOT_ISA_REDUCE_MAX_INT8 :
					       AIOT_ISA_REDUCE_MAX_INT16;
	if (n > limit)
		return -EINVAL;
	switch (op->mode) {
	case AIOT_ISA_REDUCE_REQUANTIZE:
		if (!aiot_isa_zp_ok(op->input_zero_point, dtype) ||
		    !aiot_isa_zp_ok(op->output_zero_point, dtype) ||
		    !aiot_isa_quant_ok(op->multiplier, op->shift))
			return -EINVAL;
		break;
	case AIOT_ISA_REDUCE_MEAN_TRUNC:
		if (op->input_zero_point || op->output_zero_point ||
		    op->multiplier || op->shift)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	ret = aiot_isa_check_act_type(&op->act, dtype);
	if (ret)
		return ret;
	/* The input is read once, the output written once. */
	aiot_isa_add_work(sum, (u64)in[0] * in[1] * in[2] * in[3]);
	return 0;
}

int aiot_isa_check_16a_op(const struct aiot_isa_cursor *cur,
			  const union aiot_isa_op *op,
			  struct aiot_isa_summary *sum)
{
	switch (op->hdr.opcode) {
	case AIOT_ISA_OP_TRANSPOSE_CONV:
	case AIOT_ISA_OP_TRANSPOSE_CONV_S16:
		return aiot_isa_check_tconv(cur, &op->tconv, sum);
	case AIOT_ISA_OP_REDUCE:
		return aiot_isa_check_reduce(cur, &op->reduce, sum);
	default:
		return -EOPNOTSUPP;
	}
}
