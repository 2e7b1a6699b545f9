// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * aiot ISA reference executor, ISA 1.6's TRANSPOSE_CONV and REDUCE (SUM and
 * MEAN over any set of axes), bit-exact with TensorFlow Lite's reference
 * kernels.
 */

#include "aiot_isa_exec.h"
#include "aiot_isa_math.h"

static const u8 *aiot_isa_16a_ptr(const struct aiot_isa_exec *ex,
				  const struct aiot_isa_tensor *t)
{
	return (const u8 *)ex->bindings[t->binding] + t->offset;
}

/* Element @i of an int8 or int16 tensor. */
static s32 aiot_isa_16a_load(const u8 *p, u8 dtype, size_t i)
{
	s16 v;

	if (dtype == AIOT_ISA_DTYPE_INT8)
		return ((const s8 *)p)[i];
	memcpy(&v, p + i * sizeof(v), sizeof(v));
	return v;
}

static void aiot_isa_16a_store(u8 *p, u8 dtype, size_t i, s32 v)
{
	s16 v16 = (s16)v;

	if (dtype == AIOT_ISA_DTYPE_INT8)
		((s8 *)p)[i] = (s8)v;
	else
		memcpy(p + i * sizeof(v16), &v16, sizeof(v16));
}

/**
 * aiot_isa_tconv_src() - the input row (or column) of a transposed
 *	convolution's tap, for TRANSPOSE_CONV and TRANSPOSE_CONV_S16
 * @o: output row
 * @k: filter row
 * @stride: the stride along it (not 0)
 * @pad: rows cut off before the output
 * @in: input rows
 *
 * Return: the input row i < @in with o = i * stride - pad + k, or -1.
 */
s64 aiot_isa_tconv_src(u32 o, u32 k, u32 stride, u32 pad, u32 in)
{
	s64 t = (s64)o + pad - k;

	if (t < 0 || t % stride)
		return -1;
	t /= stride;
	return t < in ? t : -1;
}

/* Sum over the taps that reach output (@n, @oy, @ox, @oc), wrapping. */
static s32 aiot_isa_tconv_acc(const struct aiot_isa_op_transpose_conv *op,
			      const s8 *in, const s8 *filter, u32 n, u32 oy,
			      u32 ox, u32 oc)
{
	const u32 *id = op->input.dims, *fd = op->filter.dims;
	u32 ky, kx, c;
	const s8 *x, *w;
	s64 iy, ix;
	s32 acc = 0;

	for (ky = 0; ky < fd[1]; ky++) {
		iy = aiot_isa_tconv_src(oy, ky, op->stride_h, op->pad_top,
					id[1]);
		if (iy < 0)
			continue;
		for (kx = 0; kx < fd[2]; kx++) {
			ix = aiot_isa_tconv_src(ox, kx, op->stride_w,
						op->pad_left, id[2]);
			if (ix < 0)
				continue;
			x = in + (((size_t)n * id[1] + iy) * id[2] + ix) * id[3];
			w = filter + (((size_t)oc * fd[1] + ky) * fd[2] + kx) *
				     fd[3];
			for (c = 0; c < fd[3]; c++)
				acc = aiot_wrap_add(acc, (x[c] -
							  op->input_zero_point) *
							 w[c]);
		}
	}
	return acc;
}

/*
 * The reference scatters each input element into the outputs it reaches;
 * gathering per output adds the same products, and wrapping 32-bit sums
 * do not depend on the order.
 */
static int aiot_isa_exec_tconv(struct aiot_isa_exec *ex,
			       const struct aiot_isa_op_transpose_conv *op)
{
	const s8 *in = (const s8 *)aiot_isa_16a_ptr(ex, &op->input);
	const s8 *filter = (const s8 *)aiot_isa_16a_ptr(ex, &op->filter);
	s8 *out = (s8 *)aiot_isa_16a_ptr(ex, &op->output);
	const u32 *fd = op->filter.dims, *od = op->output.dims;
	const u8 *qp = (const u8 *)ex->bindings[op->quant.binding] +
		       op->quant.offset;
	u64 taps = (u64)od[3] * fd[1] * fd[2] * fd[3];
	struct aiot_isa_channel_quant q;
	u32 n, oy, ox, oc;
	s32 acc;

	for (n = 0; n < od[0]; n++) {
		for (oy = 0; oy < od[1]; oy++) {
			for (ox = 0; ox < od[2]; ox++) {
				if (aiot_isa_tick(ex, taps))
					return -ECANCELED;
				for (oc = 0; oc < od[3]; oc++) {
					acc = aiot_isa_tconv_acc(op, in, filter,
								 n, oy, ox, oc);
					memcpy(&q, qp + (size_t)oc * sizeof(q),
					       sizeof(q));
					acc = aiot_wrap_add(acc, q.bias);
					*out++ = (s8)aiot_requantize_acc(acc,
						q.multiplier, q.shift,
						op->output_zero_point,
						op->act.min, op->act.max);
				}
			}
		}
	}
	return 0;
}

/* Sum of the input elements that output element @o[] reduces. */
static bool aiot_isa_reduce_sum(struct aiot_isa_exec *ex,
				const struct aiot_isa_op_reduce *op,
				const u8 *src, const u32 *o, s32 *sum)
{
	const u32 *id = op->input.dims;
	u32 lo[AIOT_ISA_DIMS], hi[AIOT_ISA_DIMS], i0, i1, i2, i3;
	u8 dtype = op->input.dtype;
	size_t row;
	s32 acc = 0;
	int i;

	for (i = 0; i < AIOT_ISA_DIMS; i++) {
		lo[i] = op->axes & (1u << i) ? 0 : o[i];
		hi[i] = op->axes & (1u << i) ? id[i] : o[i] + 1;
	}
	for (i0 = lo[0]; i0 < hi[0]; i0++) {
		for (i1 = lo[1]; i1 < hi[1]; i1++) {
			for (i2 = lo[2]; i2 < hi[2]; i2++) {
				if (aiot_isa_tick(ex, hi[3] - lo[3]))
					return false;
				row = (((size_t)i0 * id[1] + i1) * id[2] + i2) *
				      id[3];
				/* |sum| < 2^31: the validator bounds the count. */
				for (i3 = lo[3]; i3 < hi[3]; i3++)
					acc += aiot_isa_16a_load(src, dtype,
								 row + i3);
			}
		}
	}
	*sum = acc;
	return true;
}

static int aiot_isa_exec_reduce(struct aiot_isa_exec *ex,
				const struct aiot_isa_op_reduce *op)
{
	const u8 *src = aiot_isa_16a_ptr(ex, &op->input);
	u8 *dst = (u8 *)aiot_isa_16a_ptr(ex, &op->output);
	const u32 *id = op->input.dims, *od = op->output.dims;
	u32 o[AIOT_ISA_DIMS];
	s32 count = 1, sum, v;
	size_t idx = 0;
	int i;

	for (i = 0; i < AIOT_ISA_DIMS; i++)
		if (op->axes & (1u << i))
			count *= (s32)id[i];
	for (o[0] = 0; o[0] < od[0]; o[0]++) {
		for (o[1] = 0; o[1] < od[1]; o[1]++) {
			for (o[2] = 0; o[2] < od[2]; o[2]++) {
				for (o[3] = 0; o[3] < od[3]; o[3]++) {
					if (!aiot_isa_reduce_sum(ex, op, src, o,
								 &sum))
						return -ECANCELED;
					if (op->mode == AIOT_ISA_REDUCE_MEAN_TRUNC) {
						v = sum / count;
					} else {
						/* |sum - n * zp| < 2^31 too. */
						v = aiot_mbqm(sum - count *
							      op->input_zero_point,
							      op->multiplier,
							      op->shift);
						v = aiot_wrap_add(v,
								  op->output_zero_point);
					}
					v = aiot_clamp_s32(v, op->act.min,
							   op->act.max);
					aiot_isa_16a_store(dst, op->output.dtype,
							   idx++, v);
				}
			}
		}
	}
	return 0;
}

int aiot_isa_exec_16a_op(struct aiot_isa_exec *ex,
			 const union aiot_isa_op *op)
{
	switch (op->hdr.opcode) {
	case AIOT_ISA_OP_TRANSPOSE_CONV:
		return aiot_isa_exec_tconv(ex, &op->tconv);
	case AIOT_ISA_OP_REDUCE:
		return aiot_isa_exec_reduce(ex, &op->reduce);
	default:
		/* The cursor only yields known opcodes. */
		return -EOPNOTSUPP;
	}
}
