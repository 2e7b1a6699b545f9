/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * aiot ISA executor: what its files share (private to kernel/isa).
 * aiot_isa_exec.c runs the stream and the int8 operations,
 * aiot_isa_exec_signal.c ISA 1.4's audio front end.
 */
#ifndef AIOT_ISA_EXEC_H
#define AIOT_ISA_EXEC_H

#include "aiot_isa.h"

/*
 * @until_check: work left before the next call of the stop hook
 * @stopped: the hook asked to stop; every loop unwinds
 */
struct aiot_isa_exec {
	void *const *bindings;
	const struct aiot_isa_exec_control *ctl;
	u64 until_check;
	bool stopped;
};

/*
 * Element @i of an int8 or (ISA 1.8) int16 array at @base; @dtype is the
 * validated dtype of its tensor.
 */
static inline s32 aiot_isa_elem(const u8 *base, u8 dtype, size_t i)
{
	s16 v;

	if (dtype != AIOT_ISA_DTYPE_INT16)
		return (s8)base[i];
	memcpy(&v, base + i * sizeof(v), sizeof(v));
	return v;
}

/* Store element @i of an int8, int16 or int32 array; @v fits @dtype. */
static inline void aiot_isa_put_elem(u8 *base, u8 dtype, size_t i, s32 v)
{
	s16 v16 = (s16)v;
	s8 v8 = (s8)v;

	if (dtype == AIOT_ISA_DTYPE_INT32)
		memcpy(base + i * sizeof(v), &v, sizeof(v));
	else if (dtype == AIOT_ISA_DTYPE_INT16)
		memcpy(base + i * sizeof(v16), &v16, sizeof(v16));
	else
		memcpy(base + i, &v8, sizeof(v8));
}

bool aiot_isa_tick(struct aiot_isa_exec *ex, u64 work);
int aiot_isa_exec_signal_op(struct aiot_isa_exec *ex,
			    const union aiot_isa_op *op);

/* ISA 1.5 (aiot_isa_exec_shape.c); STRIDED_SLICE of 1.4 uses it too. */
int aiot_isa_exec_shape_op(struct aiot_isa_exec *ex,
			   const union aiot_isa_op *op);
int aiot_isa_exec_strided(struct aiot_isa_exec *ex,
			  const struct aiot_isa_tensor *in,
			  const struct aiot_isa_tensor *out, const u32 *begin,
			  const s64 *stride);

/* ISA 1.6's TRANSPOSE_CONV and REDUCE (aiot_isa_exec_16a.c). */
int aiot_isa_exec_16a_op(struct aiot_isa_exec *ex,
			 const union aiot_isa_op *op);
/* TRANSPOSE_CONV's geometry, shared with ISA 1.9's TRANSPOSE_CONV_S16. */
s64 aiot_isa_tconv_src(u32 o, u32 k, u32 stride, u32 pad, u32 in);

/* ISA 1.7's UNIDIRECTIONAL_SEQUENCE_LSTM (aiot_isa_exec_lstm.c). */
int aiot_isa_exec_lstm_op(struct aiot_isa_exec *ex,
			  const union aiot_isa_op *op);

/*
 * TFLite's int16 LOGISTIC and TANH of one element, Q0.15 out: ISA 1.9's
 * SIGMOID_S16 and ISA 1.7's LSTM gates (aiot_isa_exec_sigmoid.c).
 */
s16 aiot_isa_logistic_s16(s32 x, s32 multiplier, u32 shift);
s16 aiot_isa_tanh_s16(s32 x, s32 multiplier, u32 shift);
int aiot_isa_exec_sigmoid_op(struct aiot_isa_exec *ex,
			     const union aiot_isa_op *op);

/* ISA 1.6's int16x8 operations and ISA 1.9's TRANSPOSE_CONV_S16
 * (aiot_isa_exec_s16.c).
 */
int aiot_isa_exec_s16_op(struct aiot_isa_exec *ex, const union aiot_isa_op *op);

/* ISA 1.9's SOFTMAX_S16 (aiot_isa_exec_softmax16.c). */
int aiot_isa_exec_softmax16_op(struct aiot_isa_exec *ex,
			       const union aiot_isa_op *op);

#endif /* AIOT_ISA_EXEC_H */
