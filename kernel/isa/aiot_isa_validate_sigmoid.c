// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * aiot ISA validator, ISA 1.9's int16 LOGISTIC and TANH (SIGMOID_S16).
 */

#include "aiot_isa_validate.h"

static int aiot_isa_check_sigmoid_s16(const struct aiot_isa_cursor *cur,
				      const struct aiot_isa_op_sigmoid_s16 *op,
				      struct aiot_isa_summary *sum)
{
	int ret;

	if (op->reserved)
		return -EINVAL;
	if (op->function != AIOT_ISA_SIGMOID_LOGISTIC &&
	    op->function != AIOT_ISA_SIGMOID_TANH)
		return -EINVAL;
	/* |x| * multiplier plus the rounding term stays below 2^31 */
	if (op->input_multiplier < 1 ||
	    op->input_multiplier > AIOT_ISA_SIGMOID_MAX_MULTIPLIER ||
	    op->input_left_shift < 0 || op->input_left_shift > 31)
		return -EINVAL;
	ret = aiot_isa_check_io(cur, &op->input, AIOT_ISA_DTYPE_INT16,
				&op->output, AIOT_ISA_DTYPE_INT16, true, sum);
	if (ret)
		return ret;
	if (!aiot_isa_same_dims(&op->input, &op->output))
		return -EINVAL;
	aiot_isa_add_work(sum, aiot_isa_elems(&op->output));
	return 0;
}

int aiot_isa_check_sigmoid_op(const struct aiot_isa_cursor *cur,
			      const union aiot_isa_op *op,
			      struct aiot_isa_summary *sum)
{
	return aiot_isa_check_sigmoid_s16(cur, &op->sigmoid, sum);
}
