// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * aiot ISA validator, ISA 1.7's UNIDIRECTIONAL_SEQUENCE_LSTM.
 */

#include "aiot_isa_validate.h"

/* Operands: the read-only ones first, then the written ones. */
#define AIOT_ISA_LSTM_READ	4
#define AIOT_ISA_LSTM_OPERANDS	(AIOT_ISA_LSTM_READ + 4)

static bool aiot_isa_lstm_dims(const struct aiot_isa_tensor *t, u32 d0,
			       u32 d1, u32 d2, u32 d3)
{
	return t->dims[0] == d0 && t->dims[1] == d1 && t->dims[2] == d2 &&
	       t->dims[3] == d3;
}

static int aiot_isa_check_lstm_shapes(const struct aiot_isa_op_lstm *op)
{
	u32 in = op->input.dims[3], hd = op->hidden_state.dims[3];
	u32 d1 = op->input.dims[1], d2 = op->input.dims[2];
	u32 batches = op->time_major ? d2 : d1;
	const u32 gates = AIOT_ISA_LSTM_GATES;

	if (op->input.dims[0] != 1)
		return -EINVAL;
	if (!aiot_isa_lstm_dims(&op->output, 1, d1, d2, hd) ||
	    !aiot_isa_lstm_dims(&op->hidden_state, 1, 1, batches, hd) ||
	    !aiot_isa_lstm_dims(&op->cell_state, 1, 1, batches, hd) ||
	    !aiot_isa_lstm_dims(&op->scratch, 1, 1, gates, hd) ||
	    !aiot_isa_lstm_dims(&op->input_weights, gates, hd, 1, in) ||
	    !aiot_isa_lstm_dims(&op->recurrent_weights, gates, hd, 1, hd) ||
	    !aiot_isa_lstm_dims(&op->bias, 1, 1, gates, hd))
		return -EINVAL;
	return 0;
}

static int aiot_isa_check_lstm_params(const struct aiot_isa_op_lstm *op)
{
	const struct aiot_isa_lstm_gate_quant *q;
	int g;

	if (op->reserved[0] || op->reserved[1] || op->time_major > 1 ||
	    op->cell_activation > AIOT_ISA_LSTM_ACT_SIGMOID)
		return -EINVAL;
	if (!aiot_isa_zp8_ok(op->input_zero_point) ||
	    !aiot_isa_zp8_ok(op->hidden_zero_point))
		return -EINVAL;
	for (g = 0; g < AIOT_ISA_LSTM_GATES; g++) {
		q = &op->gate[g];
		if (!aiot_isa_quant_ok(q->input_multiplier, q->input_shift) ||
		    !aiot_isa_quant_ok(q->recurrent_multiplier,
				       q->recurrent_shift))
			return -EINVAL;
	}
	if (!aiot_isa_quant_ok(op->forget_multiplier, op->forget_shift) ||
	    !aiot_isa_quant_ok(op->input_multiplier, op->input_shift) ||
	    !aiot_isa_quant_ok(op->hidden_multiplier, op->hidden_shift))
		return -EINVAL;
	if (!aiot_isa_in_range(op->cell_scale_power,
			       AIOT_ISA_LSTM_CELL_POWER_MIN,
			       AIOT_ISA_LSTM_CELL_POWER_MAX) ||
	    !aiot_isa_in_range(op->cell_clip, 0, AIOT_ISA_S16_MAX))
		return -EINVAL;
	return 0;
}

/*
 * Every operand inside its buffer; each written one (output, hidden
 * state, cell state, scratch) overlaps no other operand.
 */
static int aiot_isa_check_lstm_operands(const struct aiot_isa_cursor *cur,
					const struct aiot_isa_op_lstm *op,
					struct aiot_isa_summary *sum)
{
	const struct aiot_isa_tensor *t[AIOT_ISA_LSTM_OPERANDS] = {
		&op->input, &op->input_weights, &op->recurrent_weights,
		&op->bias, &op->output, &op->hidden_state, &op->cell_state,
		&op->scratch,
	};
	static const u8 dtype[AIOT_ISA_LSTM_OPERANDS] = {
		AIOT_ISA_DTYPE_INT8, AIOT_ISA_DTYPE_INT8, AIOT_ISA_DTYPE_INT8,
		AIOT_ISA_DTYPE_INT32, AIOT_ISA_DTYPE_INT8, AIOT_ISA_DTYPE_INT8,
		AIOT_ISA_DTYPE_INT16, AIOT_ISA_DTYPE_INT16,
	};
	struct aiot_isa_span s[AIOT_ISA_LSTM_OPERANDS];
	int i, j, ret;

	for (i = 0; i < AIOT_ISA_LSTM_OPERANDS; i++) {
		ret = aiot_isa_check_tensor(cur, t[i], dtype[i],
					    i >= AIOT_ISA_LSTM_READ, sum, &s[i]);
		/* The states are read as well as written. */
		if (!ret && (t[i] == &op->hidden_state ||
			     t[i] == &op->cell_state))
			ret = aiot_isa_check_tensor(cur, t[i], dtype[i], false,
						    sum, NULL);
		if (ret)
			return ret;
	}
	for (i = AIOT_ISA_LSTM_READ; i < AIOT_ISA_LSTM_OPERANDS; i++)
		for (j = 0; j < AIOT_ISA_LSTM_OPERANDS; j++)
			if (j != i && aiot_isa_check_alias(&s[i], &s[j], false))
				return -EINVAL;
	return 0;
}

static int aiot_isa_check_lstm(const struct aiot_isa_cursor *cur,
			       const struct aiot_isa_op_lstm *op,
			       struct aiot_isa_summary *sum)
{
	u64 rows, per_row, work;
	int ret;

	ret = aiot_isa_check_lstm_params(op);
	if (!ret)
		ret = aiot_isa_check_lstm_operands(cur, op, sum);
	if (!ret)
		ret = aiot_isa_check_lstm_shapes(op);
	if (ret)
		return ret;
	/* Per step and batch row: 4 x H x (I + H) products, H updates. */
	rows = (u64)op->input.dims[1] * op->input.dims[2];
	per_row = (u64)op->hidden_state.dims[3] *
		  (4 * ((u64)op->input.dims[3] + op->hidden_state.dims[3]) +
		   1);
	if (!aiot_isa_mul4(rows, per_row, 1, 1, &work))
		work = ~0ULL;
	aiot_isa_add_work(sum, work);
	return 0;
}

int aiot_isa_check_lstm_op(const struct aiot_isa_cursor *cur,
			   const union aiot_isa_op *op,
			   struct aiot_isa_summary *sum)
{
	return aiot_isa_check_lstm(cur, &op->lstm, sum);
}
