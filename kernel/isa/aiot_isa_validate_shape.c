// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * aiot ISA validator, ISA 1.5's shape operations: SLICE (a strided slice
 * with strides of either sign; ISA 1.4's STRIDED_SLICE is its positive
 * case and is checked here too).
 *
 * aiot_isa_check_io() is the "input and output inside their buffers, the
 * dtypes they must have, no overlap" sequence that one-input, one-output
 * operations share.
 */

#include "aiot_isa_validate.h"

/**
 * aiot_isa_check_io() - the operands of a one-input, one-output operation
 * @cur: the cursor
 * @in: the input tensor
 * @in_dtype: its required dtype, or AIOT_ISA_DTYPE_INVALID for any
 * @out: the output tensor
 * @out_dtype: its required dtype, or AIOT_ISA_DTYPE_INVALID for the input's
 * @in_place_ok: the output may be exactly the input (else no overlap)
 * @sum: summary to account the bindings in, or NULL
 *
 * Return: 0 or a negative errno (see aiot_isa_check_tensor()).
 */
int aiot_isa_check_io(const struct aiot_isa_cursor *cur,
		      const struct aiot_isa_tensor *in, u8 in_dtype,
		      const struct aiot_isa_tensor *out, u8 out_dtype,
		      bool in_place_ok, struct aiot_isa_summary *sum)
{
	struct aiot_isa_span s_in, s_out;
	int ret;

	ret = aiot_isa_check_tensor(cur, in, in_dtype, false, sum, &s_in);
	if (ret)
		return ret;
	if (out_dtype == AIOT_ISA_DTYPE_INVALID)
		out_dtype = in->dtype;
	ret = aiot_isa_check_tensor(cur, out, out_dtype, true, sum, &s_out);
	if (ret)
		return ret;
	return aiot_isa_check_alias(&s_out, &s_in, in_place_ok);
}

/**
 * aiot_isa_check_strided() - a strided slice of any stride sign
 * @cur: the cursor
 * @in: the input, any dtype
 * @out: the output, the input's dtype, not overlapping it
 * @begin: first element per axis
 * @stride: step per axis, non-zero
 * @sum: summary, or NULL
 *
 * On every axis begin and begin + (out - 1) * stride must lie inside the
 * input: with dims <= 65535 and |stride| < 2^32 the s64 arithmetic cannot
 * overflow.
 *
 * Return: 0 or a negative errno.
 */
int aiot_isa_check_strided(const struct aiot_isa_cursor *cur,
			   const struct aiot_isa_tensor *in,
			   const struct aiot_isa_tensor *out, const u32 *begin,
			   const s64 *stride, struct aiot_isa_summary *sum)
{
	s64 last;
	int i, ret;

	ret = aiot_isa_check_io(cur, in, AIOT_ISA_DTYPE_INVALID, out,
				AIOT_ISA_DTYPE_INVALID, false, sum);
	if (ret)
		return ret;
	for (i = 0; i < AIOT_ISA_DIMS; i++) {
		if (!stride[i] || begin[i] >= in->dims[i])
			return -EINVAL;
		last = (s64)begin[i] + (s64)(out->dims[i] - 1) * stride[i];
		if (last < 0 || last >= in->dims[i])
			return -EINVAL;
	}
	aiot_isa_add_work(sum, aiot_isa_elems(out));
	return 0;
}

static int aiot_isa_check_slice15(const struct aiot_isa_cursor *cur,
				  const struct aiot_isa_op_slice *op,
				  struct aiot_isa_summary *sum)
{
	s64 stride[AIOT_ISA_DIMS];
	int i;

	for (i = 0; i < AIOT_ISA_DIMS; i++)
		stride[i] = op->stride[i];
	return aiot_isa_check_strided(cur, &op->input, &op->output, op->begin,
				      stride, sum);
}

int aiot_isa_check_shape_op(const struct aiot_isa_cursor *cur,
			    const union aiot_isa_op *op,
			    struct aiot_isa_summary *sum)
{
	switch (op->hdr.opcode) {
	case AIOT_ISA_OP_SLICE:
		return aiot_isa_check_slice15(cur, &op->slice15, sum);
	default:
		return -EOPNOTSUPP;
	}
}
