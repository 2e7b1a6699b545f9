/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * aiot ISA validator: what its two halves share (private to kernel/isa).
 *
 * aiot_isa_validate.c walks the stream (header, cursor, summary, aliased
 * bindings) and checks single operands: a tensor or an array inside its
 * buffer, overlaps, value ranges. aiot_isa_validate_ops.c checks each
 * operation's shapes and parameters with those and counts its work.
 */
#ifndef AIOT_ISA_VALIDATE_H
#define AIOT_ISA_VALIDATE_H

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

static inline bool aiot_isa_in_range(s32 v, s32 lo, s32 hi)
{
	return v >= lo && v <= hi;
}

static inline void aiot_isa_add_work(struct aiot_isa_summary *sum, u64 work)
{
	if (sum && check_add_overflow(sum->work, work, &sum->work))
		sum->work = ~0ULL;
}

/* Elements of a tensor whose dims were validated (at most 2^30). */
static inline u64 aiot_isa_elems(const struct aiot_isa_tensor *t)
{
	return (u64)t->dims[0] * t->dims[1] * t->dims[2] * t->dims[3];
}

/* Product of up to four factors; false when it overflows u64. */
static inline bool aiot_isa_mul4(u64 a, u64 b, u64 c, u64 d, u64 *out)
{
	u64 ab, cd;

	if (check_mul_overflow(a, b, &ab) || check_mul_overflow(c, d, &cd))
		return false;
	return !check_mul_overflow(ab, cd, out);
}

static inline bool aiot_isa_zp8_ok(s32 zp)
{
	return aiot_isa_in_range(zp, AIOT_ISA_S8_MIN, AIOT_ISA_S8_MAX);
}

static inline bool aiot_isa_quant_ok(s32 multiplier, s32 shift)
{
	return multiplier >= 0 && aiot_isa_in_range(shift, -31, 30);
}

/* Operands (aiot_isa_validate.c); each returns 0 or a negative errno. */
int aiot_isa_check_tensor(const struct aiot_isa_cursor *cur,
			  const struct aiot_isa_tensor *t, u8 dtype,
			  bool written, struct aiot_isa_summary *sum,
			  struct aiot_isa_span *span);
int aiot_isa_check_array(const struct aiot_isa_cursor *cur,
			 const struct aiot_isa_array_ref *ref, u32 count,
			 u32 record_size, struct aiot_isa_summary *sum,
			 struct aiot_isa_span *span);
int aiot_isa_check_bytes(const struct aiot_isa_cursor *cur, u32 binding,
			 u64 offset, u64 bytes, struct aiot_isa_summary *sum,
			 struct aiot_isa_span *span);
int aiot_isa_check_alias(const struct aiot_isa_span *out,
			 const struct aiot_isa_span *in, bool in_place_ok);
int aiot_isa_check_act_type(const struct aiot_isa_activation *act, u8 dtype);
int aiot_isa_check_act(const struct aiot_isa_activation *act);
bool aiot_isa_zp_ok(s32 zp, u8 dtype);
u8 aiot_isa_elem_type(const struct aiot_isa_cursor *cur,
		      const struct aiot_isa_tensor *t);
bool aiot_isa_same_dims(const struct aiot_isa_tensor *a,
			const struct aiot_isa_tensor *b);

/* The ISA 1.4 audio front end's record sizes (aiot_isa_validate.c's table). */
#define AIOT_ISA_SIGNAL_OP_SIZES \
	[AIOT_ISA_OP_SIGNAL_WINDOW] = sizeof(struct aiot_isa_op_signal_window), \
	[AIOT_ISA_OP_SIGNAL_FFT_AUTO_SCALE] = \
		sizeof(struct aiot_isa_op_signal_fft_auto_scale), \
	[AIOT_ISA_OP_SIGNAL_RFFT] = sizeof(struct aiot_isa_op_signal_rfft), \
	[AIOT_ISA_OP_SIGNAL_ENERGY] = sizeof(struct aiot_isa_op_signal_energy), \
	[AIOT_ISA_OP_SIGNAL_FILTER_BANK] = \
		sizeof(struct aiot_isa_op_signal_filter_bank), \
	[AIOT_ISA_OP_SIGNAL_FILTER_BANK_SQRT] = \
		sizeof(struct aiot_isa_op_signal_filter_bank_sqrt), \
	[AIOT_ISA_OP_SIGNAL_SPECTRAL_SUBTRACTION] = \
		sizeof(struct aiot_isa_op_signal_spectral_subtraction), \
	[AIOT_ISA_OP_SIGNAL_PCAN] = sizeof(struct aiot_isa_op_signal_pcan), \
	[AIOT_ISA_OP_SIGNAL_FILTER_BANK_LOG] = \
		sizeof(struct aiot_isa_op_signal_filter_bank_log), \
	[AIOT_ISA_OP_CAST] = sizeof(struct aiot_isa_op_cast), \
	[AIOT_ISA_OP_STRIDED_SLICE] = sizeof(struct aiot_isa_op_strided_slice), \
	[AIOT_ISA_OP_ADD_INT32] = sizeof(struct aiot_isa_op_binary_int32), \
	[AIOT_ISA_OP_MUL_INT32] = sizeof(struct aiot_isa_op_binary_int32), \
	[AIOT_ISA_OP_DIV_INT32] = sizeof(struct aiot_isa_op_binary_int32), \
	[AIOT_ISA_OP_MINIMUM_INT32] = sizeof(struct aiot_isa_op_binary_int32), \
	[AIOT_ISA_OP_MAXIMUM_INT32] = sizeof(struct aiot_isa_op_binary_int32),

/* ISA 1.5's record sizes (aiot_isa_validate.c's table). */
#define AIOT_ISA_15_OP_SIZES \
	[AIOT_ISA_OP_SLICE] = sizeof(struct aiot_isa_op_slice),

/* ISA 1.6's TRANSPOSE_CONV and REDUCE (aiot_isa_validate_16a.c). */
#define AIOT_ISA_16_OPS_A_SIZES \
	[AIOT_ISA_OP_TRANSPOSE_CONV] = \
		sizeof(struct aiot_isa_op_transpose_conv), \
	[AIOT_ISA_OP_REDUCE] = sizeof(struct aiot_isa_op_reduce),
int aiot_isa_check_16a_op(const struct aiot_isa_cursor *cur,
			  const union aiot_isa_op *op,
			  struct aiot_isa_summary *sum);

/* ISA 1.7's UNIDIRECTIONAL_SEQUENCE_LSTM (aiot_isa_validate_lstm.c). */
#define AIOT_ISA_17_LSTM_OP_SIZES \
	[AIOT_ISA_OP_LSTM] = sizeof(struct aiot_isa_op_lstm),
int aiot_isa_check_lstm_op(const struct aiot_isa_cursor *cur,
			   const union aiot_isa_op *op,
			   struct aiot_isa_summary *sum);

/* ISA 1.6's int16x8 record sizes (aiot_isa_validate.c's table). */
#define AIOT_ISA_16_S16_OP_SIZES \
	[AIOT_ISA_OP_CONV_2D_S16] = sizeof(struct aiot_isa_op_conv), \
	[AIOT_ISA_OP_DEPTHWISE_CONV_2D_S16] = sizeof(struct aiot_isa_op_conv), \
	[AIOT_ISA_OP_FULLY_CONNECTED_S16] = \
		sizeof(struct aiot_isa_op_fully_connected), \
	[AIOT_ISA_OP_ADD_S16] = sizeof(struct aiot_isa_op_add),

/* ISA 1.9's TRANSPOSE_CONV_S16 (aiot_isa_validate_16a.c, beside the int8 op). */
#define AIOT_ISA_19_OP_SIZES \
	[AIOT_ISA_OP_TRANSPOSE_CONV_S16] = \
		sizeof(struct aiot_isa_op_transpose_conv),
/* ISA 1.9's int16 LOGISTIC and TANH (aiot_isa_validate_sigmoid.c). */
#define AIOT_ISA_19_SIGMOID_OP_SIZES \
	[AIOT_ISA_OP_SIGMOID_S16] = sizeof(struct aiot_isa_op_sigmoid_s16),
int aiot_isa_check_sigmoid_op(const struct aiot_isa_cursor *cur,
			      const union aiot_isa_op *op,
			      struct aiot_isa_summary *sum);

/* ISA 1.6's int16x8 operations (aiot_isa_validate_s16.c). */
int aiot_isa_check_s16_op(const struct aiot_isa_cursor *cur,
			  const union aiot_isa_op *op,
			  struct aiot_isa_summary *sum);

/* ISA 1.9's SOFTMAX_S16 (aiot_isa_validate_softmax16.c). */
#define AIOT_ISA_19_SOFTMAX_S16_OP_SIZES \
	[AIOT_ISA_OP_SOFTMAX_S16] = sizeof(struct aiot_isa_op_softmax_s16),
int aiot_isa_check_softmax16_op(const struct aiot_isa_cursor *cur,
				const union aiot_isa_op *op,
				struct aiot_isa_summary *sum);

/* ISA 1.5's operations (aiot_isa_validate_shape.c). */
int aiot_isa_check_shape_op(const struct aiot_isa_cursor *cur,
			    const union aiot_isa_op *op,
			    struct aiot_isa_summary *sum);
int aiot_isa_check_io(const struct aiot_isa_cursor *cur,
		      const struct aiot_isa_tensor *in, u8 in_dtype,
		      const struct aiot_isa_tensor *out, u8 out_dtype,
		      bool in_place_ok, struct aiot_isa_summary *sum);
int aiot_isa_check_strided(const struct aiot_isa_cursor *cur,
			   const struct aiot_isa_tensor *in,
			   const struct aiot_isa_tensor *out, const u32 *begin,
			   const s64 *stride, struct aiot_isa_summary *sum);

/* The ISA 1.4 audio front end's checks (aiot_isa_validate_signal.c). */
int aiot_isa_check_signal_op(const struct aiot_isa_cursor *cur,
			     const union aiot_isa_op *op,
			     struct aiot_isa_summary *sum);

/* One copied-out operation's shapes and parameters (aiot_isa_validate_ops.c). */
int aiot_isa_check_op(const struct aiot_isa_cursor *cur,
		      const union aiot_isa_op *op,
		      struct aiot_isa_summary *sum);
/* ISA 1.4 preprocessing (aiot_isa_validate_preproc.c). */
int aiot_isa_check_resize(const struct aiot_isa_cursor *cur,
			  const struct aiot_isa_op_resize *op,
			  struct aiot_isa_summary *sum);
int aiot_isa_check_frame_to_tensor(const struct aiot_isa_cursor *cur,
				   const struct aiot_isa_op_frame_to_tensor *op,
				   struct aiot_isa_summary *sum);

#endif /* AIOT_ISA_VALIDATE_H */
