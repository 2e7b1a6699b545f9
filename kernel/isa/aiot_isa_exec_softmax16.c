// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * aiot ISA reference executor, ISA 1.9's SOFTMAX_S16: the arithmetic of
 * TensorFlow Lite Micro's SoftmaxInt16. exp() of each difference from the
 * row maximum and 1 / (1 + x) of the normalised row sum both come from
 * 513-entry int16 tables that the compiler generated; here they are only
 * interpolated, with integers.
 *
 * The tables are read at execution time and never trusted: every bit
 * pattern gives a defined result. Where TFLite's arithmetic would be
 * undefined for tables it never generates (a row sum below 2), docs/isa.md
 * defines the result.
 */

#include "aiot_isa_exec.h"
#include "aiot_isa_math.h"

static s32 aiot_sm16_load(const u8 *base, size_t index)
{
	s16 v;

	memcpy(&v, base + index * sizeof(v), sizeof(v));
	return v;
}

static void aiot_sm16_store(u8 *base, size_t index, s32 v)
{
	s16 v16 = (s16)v;

	memcpy(base + index * sizeof(v16), &v16, sizeof(v16));
}

/*
 * TFLite's int16 table lookup: the high 9 bits of @value pick an entry,
 * the low 7 interpolate towards the next one. The slope and the result
 * are int16 in TFLite and wrap as they do there.
 */
static s32 aiot_sm16_lut(const u8 *lut, s32 value)
{
	u32 index = (u32)(256 + (value >> 7));
	s32 offset = value & 0x7f;
	s32 base = aiot_sm16_load(lut, index);
	s32 slope = (s16)(u16)(aiot_sm16_load(lut, index + 1) - base);

	/* |slope * offset| < 2^22; >> of a negative value is floor. */
	return (s16)(u16)(base + ((slope * offset + 64) >> 7));
}

static const u8 *aiot_sm16_table(const struct aiot_isa_exec *ex,
				 const struct aiot_isa_array_ref *ref)
{
	return (const u8 *)ex->bindings[ref->binding] + ref->offset;
}

/* exp(diff * beta * scale) for diff in -65535..0, Q0.15. */
static s32 aiot_sm16_exp(const struct aiot_isa_op_softmax_s16 *op,
			 const u8 *exp_lut, s32 diff)
{
	/* The validator's input_shift <= 15 keeps diff << shift in int32. */
	s32 scaled = aiot_mbqm(diff, op->input_multiplier, op->input_shift);

	/* [-65535, 0] onto the table's [-32768, 32767]. */
	return aiot_sm16_lut(exp_lut,
			     aiot_clamp_s32(scaled + 32767, -32768, 32767));
}

/*
 * One row. The exps are kept in the output, as TFLite does, so that an
 * in-place row reads each input before its output overwrites it.
 */
static void aiot_sm16_row(const struct aiot_isa_op_softmax_s16 *op,
			  const u8 *in, u8 *out, const u8 *exp_lut,
			  const u8 *recip_lut, u32 depth)
{
	s32 max = -32768, sum = 0, shifted, recip, v;
	int headroom_plus_one, right_shift;
	s64 round;
	u32 c;

	for (c = 0; c < depth; c++) {
		v = aiot_sm16_load(in, c);
		if (v > max)
			max = v;
	}
	for (c = 0; c < depth; c++) {
		v = aiot_sm16_exp(op, exp_lut, aiot_sm16_load(in, c) - max);
		aiot_sm16_store(out, c, v);
		/* |sum| <= 65535 * 32768 < 2^31: no overflow. */
		sum += v;
	}
	/* Only a hostile exp table gets here: TFLite is undefined. */
	if (sum <= 0) {
		for (c = 0; c < depth; c++)
			aiot_sm16_store(out, c, 0);
		return;
	}
	/* The sum normalised to [1, 2) in Q1.14, then 1 / sum in Q0.15. */
	headroom_plus_one = aiot_clz32((u32)sum);
	shifted = (s32)((((s64)sum << (headroom_plus_one - 1)) +
			 (1 << 13)) >> 14);
	recip = aiot_sm16_lut(recip_lut,
			      aiot_clamp_s32(shifted - (1 << 15) - (1 << 16),
					     -32768, 32767));
	/* sum == 1 leaves no shift, and TFLite's rounding term is UB. */
	right_shift = 31 - headroom_plus_one;
	round = right_shift ? 1LL << (right_shift - 1) : 0;
	for (c = 0; c < depth; c++) {
		s64 p = (s64)aiot_sm16_load(out, c) * recip + round;

		aiot_sm16_store(out, c,
				aiot_clamp_s32((s32)(p >> right_shift), 0,
					       32767));
	}
}

/**
 * aiot_isa_exec_softmax16_op() - run one validated ISA 1.9 SOFTMAX_S16
 * @ex: the running stream
 * @op: the operation; its opcode is AIOT_ISA_OP_SOFTMAX_S16
 *
 * Return: 0, or -ECANCELED when the stop hook asked to stop.
 */
int aiot_isa_exec_softmax16_op(struct aiot_isa_exec *ex,
			       const union aiot_isa_op *op)
{
	const struct aiot_isa_op_softmax_s16 *sm = &op->softmax16;
	const u8 *in = (const u8 *)ex->bindings[sm->input.binding] +
		       sm->input.offset;
	u8 *out = (u8 *)ex->bindings[sm->output.binding] + sm->output.offset;
	const u8 *exp_lut = aiot_sm16_table(ex, &sm->exp_table);
	const u8 *recip_lut = aiot_sm16_table(ex,
					      &sm->one_over_one_plus_x_table);
	const u32 *d = sm->input.dims;
	u32 depth = d[3];
	size_t rows = (size_t)d[0] * d[1] * d[2], r, row_bytes;

	row_bytes = (size_t)depth * sizeof(s16);
	for (r = 0; r < rows; r++) {
		/* Three passes over a row of up to AIOT_ISA_MAX_DIM. */
		if (aiot_isa_tick(ex, 3 * (u64)depth))
			return -ECANCELED;
		aiot_sm16_row(sm, in + r * row_bytes, out + r * row_bytes,
			      exp_lut, recip_lut, depth);
	}
	return 0;
}
