// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * aiot ISA reference executor, ISA 1.6's int16x8 operations: CONV_2D_S16,
 * DEPTHWISE_CONV_2D_S16 and FULLY_CONNECTED_S16 with the arithmetic of
 * TensorFlow Lite Micro's int16 reference kernels (64-bit accumulator,
 * int64 bias, the 64-bit MultiplyByQuantizedMultiplier), and ADD_S16 with
 * its int16 ADD (ADD's rescaling with a left shift of at most 15); and
 * ISA 1.9's TRANSPOSE_CONV_S16, TFLite's int16 TransposeConv with the same
 * 64-bit arithmetic.
 *
 * Tensor data and per-channel records are untrusted: every bit pattern
 * gives a defined result (see aiot_mbqm64()).
 */

#include "aiot_isa_exec.h"
#include "aiot_isa_math.h"

/* TFLite's 64-bit requantization assumes |x| < 2^47; we clamp to it. */
#define AIOT_S16X8_ACC_MAX	((1LL << 47) - 1)
#define AIOT_S16X8_ACC_MIN	(-(1LL << 47))

static s64 aiot_clamp_s64(s64 v, s64 lo, s64 hi)
{
	if (v < lo)
		return lo;
	if (v > hi)
		return hi;
	return v;
}

/*
 * TFLite's MultiplyByQuantizedMultiplier for a 64-bit x: the Q31
 * multiplier rounded to Q15, one product, one rounding right shift
 * (round half up) by 15 - shift. Out of TFLite's domain the inputs are
 * clamped (x to +-2^47, shift to -31..7, multiplier to >= 0) and the
 * result saturates to s32, so that every record is well defined.
 */
static s32 aiot_mbqm64(s64 x, s32 multiplier, s32 shift)
{
	s64 reduced, result;
	int total;

	if (multiplier < 0)
		multiplier = 0;
	shift = aiot_clamp_s32(shift, -31, 7);
	reduced = multiplier < 0x7fff0000 ?
		  ((s64)multiplier + (1 << 15)) >> 16 : 0x7fff;
	x = aiot_clamp_s64(x, AIOT_S16X8_ACC_MIN, AIOT_S16X8_ACC_MAX);
	total = 15 - shift;
	/* |x * reduced| <= 2^62: no overflow; >> of a negative is floor. */
	result = (x * reduced + (1LL << (total - 1))) >> total;
	return (s32)aiot_clamp_s64(result, AIOT_S32_MIN, AIOT_S32_MAX);
}

static s16 aiot_s16_load(const struct aiot_isa_exec *ex,
			 const struct aiot_isa_tensor *t, size_t index)
{
	const u8 *p = (const u8 *)ex->bindings[t->binding] + t->offset;
	s16 v;

	memcpy(&v, p + index * sizeof(v), sizeof(v));
	return v;
}

static void aiot_s16_store(const struct aiot_isa_exec *ex,
			   const struct aiot_isa_tensor *t, size_t index,
			   s32 v)
{
	u8 *p = (u8 *)ex->bindings[t->binding] + t->offset;
	s16 v16 = (s16)v;

	memcpy(p + index * sizeof(v16), &v16, sizeof(v16));
}

static s8 aiot_s16_filter(const struct aiot_isa_exec *ex,
			  const struct aiot_isa_tensor *t, size_t index)
{
	return ((const s8 *)ex->bindings[t->binding] + t->offset)[index];
}

/* Bias, requantization and clamp of one output channel's accumulator. */
static s32 aiot_s16_finish(const struct aiot_isa_exec *ex,
			   const struct aiot_isa_array_ref *ref, u32 channel,
			   s64 acc, const struct aiot_isa_activation *act)
{
	const u8 *p = (const u8 *)ex->bindings[ref->binding] + ref->offset;
	struct aiot_isa_channel_quant64 q;
	s64 biased;

	memcpy(&q, p + (size_t)channel * sizeof(q), sizeof(q));
	/* An extreme bias saturates; the clamp to 2^47 follows anyway. */
	if (check_add_overflow(acc, q.bias, &biased))
		biased = q.bias > 0 ? AIOT_S16X8_ACC_MAX : AIOT_S16X8_ACC_MIN;
	return aiot_clamp_s32(aiot_mbqm64(biased, q.multiplier, q.shift),
			      act->min, act->max);
}

static int aiot_isa_exec_fc_s16(struct aiot_isa_exec *ex,
				const struct aiot_isa_op_fully_connected *op)
{
	u32 batches = op->input.dims[0], depth = op->input.dims[3];
	u32 outs = op->output.dims[3];
	s32 zw = op->filter_zero_point;
	u32 b, o, d;
	s64 acc;

	for (b = 0; b < batches; b++) {
		for (o = 0; o < outs; o++) {
			size_t x0 = (size_t)b * depth, w0 = (size_t)o * depth;

			if (aiot_isa_tick(ex, depth))
				return -ECANCELED;
			/* Each product is below 2^23 and there are < 2^16. */
			acc = 0;
			for (d = 0; d < depth; d++)
				acc += (s32)aiot_s16_load(ex, &op->input,
							  x0 + d) *
				       ((s32)aiot_s16_filter(ex, &op->filter,
							     w0 + d) - zw);
			aiot_s16_store(ex, &op->output, (size_t)b * outs + o,
				       aiot_s16_finish(ex, &op->quant, o, acc,
						       &op->act));
		}
	}
	return 0;
}

/*
 * Sum over one output position and channel of a convolution (regular or
 * depthwise); padding contributes nothing, the zero point being 0.
 */
static s64 aiot_s16_conv_acc(struct aiot_isa_exec *ex,
			     const struct aiot_isa_op_conv *op, size_t in_n,
			     u32 oc, s64 y0, s64 x0)
{
	bool depthwise = op->hdr.opcode == AIOT_ISA_OP_DEPTHWISE_CONV_2D_S16;
	u32 in_h = op->input.dims[1], in_w = op->input.dims[2];
	u32 cin = op->input.dims[3], cout = op->output.dims[3];
	u32 kh = op->filter.dims[1], kw = op->filter.dims[2];
	u32 fy, fx, c;
	size_t px, pw;
	s64 acc = 0, y, x;

	for (fy = 0; fy < kh; fy++) {
		y = y0 + (s64)fy * op->dilation_h;
		if (y < 0 || y >= in_h)
			continue;
		/* A filter row of a depthwise filter is up to 2^16 taps. */
		if (depthwise && aiot_isa_tick(ex, kw))
			return 0;
		for (fx = 0; fx < kw; fx++) {
			x = x0 + (s64)fx * op->dilation_w;
			if (x < 0 || x >= in_w)
				continue;
			px = in_n + ((size_t)y * in_w + (size_t)x) * cin;
			if (depthwise) {
				pw = ((size_t)fy * kw + fx) * cout + oc;
				acc += (s32)aiot_s16_filter(ex, &op->filter,
							    pw) *
				       (s32)aiot_s16_load(ex, &op->input,
							  px + oc /
							  op->depth_multiplier);
				continue;
			}
			/* One tap is up to AIOT_ISA_MAX_DIM channels. */
			if (aiot_isa_tick(ex, cin))
				return 0;
			pw = (((size_t)oc * kh + fy) * kw + fx) * cin;
			for (c = 0; c < cin; c++)
				acc += (s32)aiot_s16_filter(ex, &op->filter,
							    pw + c) *
				       (s32)aiot_s16_load(ex, &op->input,
							  px + c);
		}
	}
	return acc;
}

static int aiot_isa_exec_conv_s16(struct aiot_isa_exec *ex,
				  const struct aiot_isa_op_conv *op)
{
	const u32 *id = op->input.dims, *od = op->output.dims;
	size_t in_batch = (size_t)id[1] * id[2] * id[3];
	size_t out_index = 0;
	u32 n, oy, ox, oc;
	s64 y0, x0, acc;

	for (n = 0; n < od[0]; n++) {
		for (oy = 0; oy < od[1]; oy++) {
			y0 = (s64)oy * op->stride_h - op->pad_top;
			for (ox = 0; ox < od[2]; ox++) {
				x0 = (s64)ox * op->stride_w - op->pad_left;
				for (oc = 0; oc < od[3]; oc++) {
					/* An output outside the input costs too. */
					if (aiot_isa_tick(ex, 1))
						return -ECANCELED;
					acc = aiot_s16_conv_acc(ex, op,
								n * in_batch,
								oc, y0, x0);
					if (ex->stopped)
						return -ECANCELED;
					aiot_s16_store(ex, &op->output,
						       out_index++,
						       aiot_s16_finish(ex,
								       &op->quant,
								       oc, acc,
								       &op->act));
				}
			}
		}
	}
	return 0;
}

/*
 * Sum over the taps that reach output (@oy, @ox, @oc) of batch @in_n of a
 * transposed convolution. Each step of work is at most AIOT_ISA_MAX_DIM:
 * a filter row's columns, then one tap's channels.
 */
static s64 aiot_s16_tconv_acc(struct aiot_isa_exec *ex,
			      const struct aiot_isa_op_transpose_conv *op,
			      size_t in_n, u32 oy, u32 ox, u32 oc)
{
	const u32 *id = op->input.dims, *fd = op->filter.dims;
	u32 ky, kx, c;
	size_t px, pw;
	s64 iy, ix, acc = 0;

	for (ky = 0; ky < fd[1]; ky++) {
		iy = aiot_isa_tconv_src(oy, ky, op->stride_h, op->pad_top,
					id[1]);
		if (iy < 0)
			continue;
		if (aiot_isa_tick(ex, fd[2]))
			return 0;
		for (kx = 0; kx < fd[2]; kx++) {
			ix = aiot_isa_tconv_src(ox, kx, op->stride_w,
						op->pad_left, id[2]);
			if (ix < 0)
				continue;
			if (aiot_isa_tick(ex, fd[3]))
				return 0;
			px = in_n + ((size_t)iy * id[2] + (size_t)ix) * id[3];
			pw = (((size_t)oc * fd[1] + ky) * fd[2] + kx) * fd[3];
			for (c = 0; c < fd[3]; c++)
				acc += (s32)aiot_s16_filter(ex, &op->filter,
							    pw + c) *
				       (s32)aiot_s16_load(ex, &op->input,
							  px + c);
		}
	}
	return acc;
}

/*
 * The reference scatters every input element into a zeroed int64 scratch
 * buffer the size of the output, then adds the bias and requantizes.
 * Gathering per output element adds the same products; their sum is exact
 * (|sum| <= 2^52, see aiot_isa_validate_16a.c), so the order does not
 * matter and no scratch buffer is needed.
 */
static int aiot_isa_exec_tconv_s16(struct aiot_isa_exec *ex,
				   const struct aiot_isa_op_transpose_conv *op)
{
	const u32 *id = op->input.dims, *od = op->output.dims;
	size_t in_batch = (size_t)id[1] * id[2] * id[3];
	size_t out_index = 0;
	u32 n, oy, ox, oc;
	s64 acc;

	for (n = 0; n < od[0]; n++) {
		for (oy = 0; oy < od[1]; oy++) {
			for (ox = 0; ox < od[2]; ox++) {
				for (oc = 0; oc < od[3]; oc++) {
					/* The filter rows are looked at. */
					if (aiot_isa_tick(ex,
							  op->filter.dims[1]))
						return -ECANCELED;
					acc = aiot_s16_tconv_acc(ex, op,
								 n * in_batch,
								 oy, ox, oc);
					if (ex->stopped)
						return -ECANCELED;
					aiot_s16_store(ex, &op->output,
						       out_index++,
						       aiot_s16_finish(ex,
								       &op->quant,
								       oc, acc,
								       &op->act));
				}
			}
		}
	}
	return 0;
}

/* Element offset in a tensor that broadcasts to the output's shape. */
static size_t aiot_s16_bcast(const struct aiot_isa_tensor *t, u32 n, u32 y,
			     u32 x, u32 c)
{
	const u32 *d = t->dims;

	n = d[0] == 1 ? 0 : n;
	y = d[1] == 1 ? 0 : y;
	x = d[2] == 1 ? 0 : x;
	c = d[3] == 1 ? 0 : c;
	return (((size_t)n * d[1] + y) * d[2] + x) * d[3] + c;
}

/*
 * TFLite's int16 ADD: both inputs shifted left (by 15), rescaled to a
 * common scale, summed, rescaled to the output; zero points are 0.
 * |v << 15| < 2^30 for an int16 v, so the shift cannot overflow.
 */
static s32 aiot_s16_add_one(const struct aiot_isa_op_add *op, s32 a, s32 b)
{
	s32 sa = aiot_mbqm(a * (1 << op->left_shift), op->input1_multiplier,
			   op->input1_shift);
	s32 sb = aiot_mbqm(b * (1 << op->left_shift), op->input2_multiplier,
			   op->input2_shift);

	return aiot_clamp_s32(aiot_mbqm(aiot_wrap_add(sa, sb),
					op->output_multiplier,
					op->output_shift),
			      op->act.min, op->act.max);
}

static int aiot_isa_exec_add_s16(struct aiot_isa_exec *ex,
				 const struct aiot_isa_op_add *op)
{
	const u32 *od = op->output.dims;
	size_t out_index = 0;
	u32 n, y, x, c;
	s32 a, b;

	for (n = 0; n < od[0]; n++) {
		for (y = 0; y < od[1]; y++) {
			for (x = 0; x < od[2]; x++) {
				if (aiot_isa_tick(ex, od[3]))
					return -ECANCELED;
				for (c = 0; c < od[3]; c++) {
					a = aiot_s16_load(ex, &op->input1,
							  aiot_s16_bcast(&op->input1,
									 n, y,
									 x, c));
					b = aiot_s16_load(ex, &op->input2,
							  aiot_s16_bcast(&op->input2,
									 n, y,
									 x, c));
					aiot_s16_store(ex, &op->output,
						       out_index++,
						       aiot_s16_add_one(op, a,
									b));
				}
			}
		}
	}
	return 0;
}

/**
 * aiot_isa_exec_s16_op() - run one validated int16x8 operation (ISA 1.6,
 *	and 1.9's TRANSPOSE_CONV_S16)
 * @ex: the executor
 * @op: the operation's private copy
 *
 * Return: 0 or -ECANCELED.
 */
int aiot_isa_exec_s16_op(struct aiot_isa_exec *ex, const union aiot_isa_op *op)
{
	switch (op->hdr.opcode) {
	case AIOT_ISA_OP_CONV_2D_S16:
	case AIOT_ISA_OP_DEPTHWISE_CONV_2D_S16:
		return aiot_isa_exec_conv_s16(ex, &op->conv);
	case AIOT_ISA_OP_FULLY_CONNECTED_S16:
		return aiot_isa_exec_fc_s16(ex, &op->fc);
	case AIOT_ISA_OP_ADD_S16:
		return aiot_isa_exec_add_s16(ex, &op->add);
	case AIOT_ISA_OP_TRANSPOSE_CONV_S16:
		return aiot_isa_exec_tconv_s16(ex, &op->tconv);
	default:
		return -EOPNOTSUPP;
	}
}
