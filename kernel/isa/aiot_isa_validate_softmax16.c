// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * aiot ISA validator, ISA 1.9's SOFTMAX_S16: TensorFlow Lite Micro's int16
 * softmax, which interpolates two 513-entry int16 tables the compiler put
 * in a bound buffer.
 *
 * Why these limits keep the executor's arithmetic defined: a row has at
 * most AIOT_ISA_MAX_DIM (65535) elements and each interpolated exp() is
 * an int16, so the int32 row sum stays within +-65535 * 32768 < 2^31; a
 * difference from the row maximum lies in -65535..0, so an input_shift of
 * at most 15 keeps diff * 2^input_shift inside int32.
 */

#include "aiot_isa_validate.h"

#define AIOT_ISA_SOFTMAX_S16_SHIFT_MIN	(-31)
#define AIOT_ISA_SOFTMAX_S16_SHIFT_MAX	15

/**
 * aiot_isa_check_softmax16_op() - one ISA 1.9 SOFTMAX_S16
 * @cur: the cursor
 * @op: the operation's private copy; its opcode is AIOT_ISA_OP_SOFTMAX_S16
 * @sum: summary, or NULL
 *
 * Return: 0 or a negative errno (see aiot_isa_cursor_next()).
 */
int aiot_isa_check_softmax16_op(const struct aiot_isa_cursor *cur,
				const union aiot_isa_op *op,
				struct aiot_isa_summary *sum)
{
	const struct aiot_isa_op_softmax_s16 *sm = &op->softmax16;
	struct aiot_isa_span s_in, s_out, s_exp, s_recip;
	int ret;

	if (sm->reserved[0] || sm->reserved[1])
		return -EINVAL;
	ret = aiot_isa_check_tensor(cur, &sm->input, AIOT_ISA_DTYPE_INT16,
				    false, sum, &s_in);
	if (!ret)
		ret = aiot_isa_check_tensor(cur, &sm->output,
					    AIOT_ISA_DTYPE_INT16, true, sum,
					    &s_out);
	/* aiot_isa_check_array() also keeps the tables' offsets aligned. */
	if (!ret)
		ret = aiot_isa_check_array(cur, &sm->exp_table,
					   AIOT_ISA_SOFTMAX_S16_LUT_ENTRIES,
					   sizeof(s16), sum, &s_exp);
	if (!ret)
		ret = aiot_isa_check_array(cur, &sm->one_over_one_plus_x_table,
					   AIOT_ISA_SOFTMAX_S16_LUT_ENTRIES,
					   sizeof(s16), sum, &s_recip);
	if (ret)
		return ret;
	if (!aiot_isa_same_dims(&sm->input, &sm->output))
		return -EINVAL;
	if (sm->input_multiplier < 0 ||
	    !aiot_isa_in_range(sm->input_shift,
			       AIOT_ISA_SOFTMAX_S16_SHIFT_MIN,
			       AIOT_ISA_SOFTMAX_S16_SHIFT_MAX))
		return -EINVAL;
	/*
	 * A row is read in full (its maximum) before any of it is written,
	 * and each element is read before its own output is written: in
	 * place works, a partial overlap does not. The tables are read for
	 * every element, so the output never touches them.
	 */
	ret = aiot_isa_check_alias(&s_out, &s_in, true);
	if (!ret)
		ret = aiot_isa_check_alias(&s_out, &s_exp, false);
	if (!ret)
		ret = aiot_isa_check_alias(&s_out, &s_recip, false);
	if (ret)
		return ret;
	/* Three passes over each row, as for the int8 softmax. */
	aiot_isa_add_work(sum, 3 * ((s_out.end - s_out.start) / sizeof(s16)));
	return 0;
}
