// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * aiot ISA reference executor: runs a command stream on the CPU with the
 * integer arithmetic of TensorFlow Lite's int8 reference kernels, so that
 * results are bit-exact with it.
 *
 * Safety does not depend on the caller: every operation is re-validated
 * from a private copy right before it runs, so an unvalidated or changing
 * stream can at worst be rejected. Tensor data and per-channel parameters
 * are untrusted values, but never influence which bytes are accessed.
 * No allocation, no floating point, small stack frames.
 */

#include "aiot_isa_exec.h"
#include "aiot_isa_math.h"
#include "aiot_isa_preproc.h"

/* Bytes a chunked copy moves between two checks of the stop hook. */
#define AIOT_ISA_MOVE_CHUNK	(64 * 1024)

static bool aiot_isa_stopped(struct aiot_isa_exec *ex)
{
	if (!ex->stopped)
		ex->stopped = ex->ctl && ex->ctl->should_stop &&
			      ex->ctl->should_stop(ex->ctl->arg);
	ex->until_check = AIOT_ISA_STOP_INTERVAL;
	return ex->stopped;
}

/*
 * Account for @work units about to be done (the validator's units:
 * multiply-accumulates or elements) and poll the stop hook once
 * AIOT_ISA_STOP_INTERVAL units have gone by since the last poll. Callers
 * pass at most a few times AIOT_ISA_MAX_DIM units at a time, so the hook
 * runs after a bounded amount of work whatever the shapes.
 */
bool aiot_isa_tick(struct aiot_isa_exec *ex, u64 work)
{
	if (ex->stopped)
		return true;
	if (work < ex->until_check) {
		ex->until_check -= work;
		return false;
	}
	return aiot_isa_stopped(ex);
}

/* memmove() in chunks, polling the stop hook between them. */
static bool aiot_isa_move(struct aiot_isa_exec *ex, u8 *dst, const u8 *src,
			  size_t bytes)
{
	size_t n;

	if (dst == src)
		return false;
	/* Copy away from the overlap, so that no source byte is overwritten. */
	while (bytes) {
		n = bytes < AIOT_ISA_MOVE_CHUNK ? bytes : AIOT_ISA_MOVE_CHUNK;
		if (aiot_isa_tick(ex, n))
			return true;
		if (dst < src) {
			memmove(dst, src, n);
			dst += n;
			src += n;
		} else {
			memmove(dst + bytes - n, src + bytes - n, n);
		}
		bytes -= n;
	}
	return false;
}

static const s8 *aiot_isa_src8(const struct aiot_isa_exec *ex,
			       const struct aiot_isa_tensor *t)
{
	return (const s8 *)ex->bindings[t->binding] + t->offset;
}

static s8 *aiot_isa_dst8(const struct aiot_isa_exec *ex,
			 const struct aiot_isa_tensor *t)
{
	return (s8 *)ex->bindings[t->binding] + t->offset;
}

/* Element @index of an int8 or int16 tensor (ISA 1.8 elementwise ops). */
static s32 aiot_isa_load(const struct aiot_isa_exec *ex,
			 const struct aiot_isa_tensor *t, size_t index)
{
	const u8 *p = (const u8 *)ex->bindings[t->binding] + t->offset;

	return aiot_isa_elem(p, t->dtype, index);
}

/* Store element @index of a tensor of any dtype; @v fits that dtype. */
static void aiot_isa_store(const struct aiot_isa_exec *ex,
			   const struct aiot_isa_tensor *t, size_t index, s32 v)
{
	u8 *p = (u8 *)ex->bindings[t->binding] + t->offset;

	aiot_isa_put_elem(p, t->dtype, index, v);
}

static void aiot_isa_load_quant(const struct aiot_isa_exec *ex,
				const struct aiot_isa_array_ref *ref, u32 channel,
				struct aiot_isa_channel_quant *q)
{
	const u8 *p = (const u8 *)ex->bindings[ref->binding] + ref->offset;

	memcpy(q, p + (size_t)channel * sizeof(*q), sizeof(*q));
}

static s32 aiot_isa_finish_acc(s32 acc, const struct aiot_isa_channel_quant *q,
			       s32 zero_point,
			       const struct aiot_isa_activation *act)
{
	return aiot_requantize_acc(aiot_wrap_add(acc, q->bias), q->multiplier,
				   q->shift, zero_point, act->min, act->max);
}

static int aiot_isa_exec_fc(struct aiot_isa_exec *ex,
			    const struct aiot_isa_op_fully_connected *op)
{
	const s8 *in = aiot_isa_src8(ex, &op->input);
	const s8 *filter = aiot_isa_src8(ex, &op->filter);
	s8 *out = aiot_isa_dst8(ex, &op->output);
	u32 batches = op->input.dims[0], depth = op->input.dims[3];
	u32 outs = op->output.dims[3];
	struct aiot_isa_channel_quant q;
	u32 b, o, d;
	s32 acc;

	for (b = 0; b < batches; b++) {
		for (o = 0; o < outs; o++) {
			const s8 *x = in + (size_t)b * depth;
			const s8 *w = filter + (size_t)o * depth;
			s32 zx = op->input_zero_point;
			s32 zw = op->filter_zero_point;

			if (aiot_isa_tick(ex, depth))
				return -ECANCELED;

			acc = 0;
			for (d = 0; d < depth; d++)
				acc = aiot_wrap_add(acc, (x[d] - zx) * (w[d] - zw));
			aiot_isa_load_quant(ex, &op->quant, o, &q);
			acc = aiot_isa_finish_acc(acc, &q, op->output_zero_point,
						  &op->act);
			out[(size_t)b * outs + o] = (s8)acc;
		}
	}
	return 0;
}

/* Sum over one output position of a regular convolution. */
static s32 aiot_isa_conv_acc(struct aiot_isa_exec *ex,
			     const struct aiot_isa_op_conv *op, const s8 *in,
			     const s8 *filter, u32 oc, s64 y0, s64 x0)
{
	u32 in_h = op->input.dims[1], in_w = op->input.dims[2];
	u32 cin = op->input.dims[3];
	u32 kh = op->filter.dims[1], kw = op->filter.dims[2];
	s32 zp = op->input_zero_point;
	u32 fy, fx, c;
	s32 acc = 0;

	for (fy = 0; fy < kh; fy++) {
		s64 y = y0 + (s64)fy * op->dilation_h;

		if (y < 0 || y >= in_h)
			continue;
		for (fx = 0; fx < kw; fx++) {
			s64 x = x0 + (s64)fx * op->dilation_w;
			const s8 *px, *pw;

			if (x < 0 || x >= in_w)
				continue;
			/* One tap is up to AIOT_ISA_MAX_DIM channels. */
			if (aiot_isa_tick(ex, cin))
				return 0;
			px = in + ((size_t)y * in_w + (size_t)x) * cin;
			pw = filter + (((size_t)oc * kh + fy) * kw + fx) * cin;
			for (c = 0; c < cin; c++)
				acc = aiot_wrap_add(acc, pw[c] * (px[c] - zp));
		}
	}
	return acc;
}

/* Sum over one output position and channel of a depthwise convolution. */
static s32 aiot_isa_dwconv_acc(struct aiot_isa_exec *ex,
			       const struct aiot_isa_op_conv *op,
			       const s8 *in, const s8 *filter, u32 oc,
			       s64 y0, s64 x0)
{
	u32 in_h = op->input.dims[1], in_w = op->input.dims[2];
	u32 cin = op->input.dims[3], cout = op->output.dims[3];
	u32 kh = op->filter.dims[1], kw = op->filter.dims[2];
	u32 ic = oc / op->depth_multiplier;
	u32 fy, fx;
	s32 acc = 0;

	for (fy = 0; fy < kh; fy++) {
		s64 y = y0 + (s64)fy * op->dilation_h;

		if (y < 0 || y >= in_h)
			continue;
		/* One filter row is up to AIOT_ISA_MAX_DIM taps. */
		if (aiot_isa_tick(ex, kw))
			return 0;
		for (fx = 0; fx < kw; fx++) {
			s64 x = x0 + (s64)fx * op->dilation_w;
			s32 v, w;

			if (x < 0 || x >= in_w)
				continue;
			v = in[((size_t)y * in_w + (size_t)x) * cin + ic];
			w = filter[((size_t)fy * kw + fx) * cout + oc];
			acc = aiot_wrap_add(acc, w * (v - op->input_zero_point));
		}
	}
	return acc;
}

static int aiot_isa_exec_conv(struct aiot_isa_exec *ex,
			      const struct aiot_isa_op_conv *op)
{
	bool depthwise = op->hdr.opcode == AIOT_ISA_OP_DEPTHWISE_CONV_2D;
	const s8 *in = aiot_isa_src8(ex, &op->input);
	const s8 *filter = aiot_isa_src8(ex, &op->filter);
	s8 *out = aiot_isa_dst8(ex, &op->output);
	const u32 *id = op->input.dims, *od = op->output.dims;
	size_t in_batch = (size_t)id[1] * id[2] * id[3];
	struct aiot_isa_channel_quant q;
	u32 n, oy, ox, oc;
	s64 y0, x0;
	s32 acc;

	for (n = 0; n < od[0]; n++) {
		const s8 *in_n = in + n * in_batch;

		for (oy = 0; oy < od[1]; oy++) {
			y0 = (s64)oy * op->stride_h - op->pad_top;
			for (ox = 0; ox < od[2]; ox++) {
				x0 = (s64)ox * op->stride_w - op->pad_left;
				for (oc = 0; oc < od[3]; oc++) {
					/* An output outside the input costs too. */
					if (aiot_isa_tick(ex, 1))
						return -ECANCELED;
					acc = depthwise ?
					      aiot_isa_dwconv_acc(ex, op, in_n,
								  filter, oc,
								  y0, x0) :
					      aiot_isa_conv_acc(ex, op, in_n,
								filter, oc, y0,
								x0);
					if (ex->stopped)
						return -ECANCELED;
					aiot_isa_load_quant(ex, &op->quant, oc,
							    &q);
					acc = aiot_isa_finish_acc(acc, &q,
								  op->output_zero_point,
								  &op->act);
					*out++ = (s8)acc;
				}
			}
		}
	}
	return 0;
}

/* The part of a pooling window [start, start + size) inside [0, limit). */
static void aiot_isa_clip(s64 start, u32 size, u32 limit, u32 *lo, u32 *hi)
{
	s64 a = start < 0 ? 0 : start;
	s64 b = start + size;

	if (b > limit)
		b = limit;
	if (b < a)
		b = a;
	*lo = (u32)a;
	*hi = (u32)b;
}

static s32 aiot_isa_pool_one(struct aiot_isa_exec *ex,
			     const struct aiot_isa_op_pool *op, size_t base,
			     u32 y_lo, u32 y_hi, u32 x_lo, u32 x_hi, u32 c)
{
	bool average = op->hdr.opcode == AIOT_ISA_OP_AVERAGE_POOL_2D;
	bool wide = op->input.dtype == AIOT_ISA_DTYPE_INT16;
	u32 in_w = op->input.dims[2], channels = op->input.dims[3];
	/* TFLite's max pool starts from the type's lowest value. */
	s32 acc = average ? 0 : wide ? -32768 : -128;
	s32 count = (s32)((y_hi - y_lo) * (x_hi - x_lo));
	u32 y, x;
	s32 v;

	for (y = y_lo; y < y_hi; y++) {
		/* A window row is up to AIOT_ISA_MAX_DIM elements. */
		if (aiot_isa_tick(ex, x_hi - x_lo))
			return 0;
		for (x = x_lo; x < x_hi; x++) {
			v = aiot_isa_load(ex, &op->input, base +
					  ((size_t)y * in_w + x) * channels + c);
			if (average)
				acc += v;
			else if (v > acc)
				acc = v;
		}
	}
	if (!average)
		return acc;
	/* Validation guarantees a non-empty window; stay defined anyway. */
	if (!count)
		return 0;
	/* Round half away from zero, as TFLite's integer average pool. */
	if (acc > 0)
		return (acc + count / 2) / count;
	return (acc - count / 2) / count;
}

static int aiot_isa_exec_pool(struct aiot_isa_exec *ex,
			      const struct aiot_isa_op_pool *op)
{
	const u32 *id = op->input.dims, *od = op->output.dims;
	size_t in_batch = (size_t)id[1] * id[2] * id[3], at = 0;
	u32 n, oy, ox, c, y_lo, y_hi, x_lo, x_hi;
	s32 v;

	for (n = 0; n < od[0]; n++) {
		for (oy = 0; oy < od[1]; oy++) {
			aiot_isa_clip((s64)oy * op->stride_h - op->pad_top,
				      op->filter_h, id[1], &y_lo, &y_hi);
			for (ox = 0; ox < od[2]; ox++) {
				aiot_isa_clip((s64)ox * op->stride_w -
					      op->pad_left, op->filter_w, id[2],
					      &x_lo, &x_hi);
				for (c = 0; c < od[3]; c++) {
					if (aiot_isa_tick(ex, 1))
						return -ECANCELED;
					v = aiot_isa_pool_one(ex, op,
							      n * in_batch,
							      y_lo, y_hi, x_lo,
							      x_hi, c);
					if (ex->stopped)
						return -ECANCELED;
					v = aiot_clamp_s32(v, op->act.min,
							   op->act.max);
					aiot_isa_store(ex, &op->output, at++, v);
				}
			}
		}
	}
	return 0;
}

/* Element offset in a tensor that broadcasts to the output's shape. */
static size_t aiot_isa_bcast_index(const struct aiot_isa_tensor *t, u32 n,
				   u32 y, u32 x, u32 c)
{
	const u32 *d = t->dims;

	n = d[0] == 1 ? 0 : n;
	y = d[1] == 1 ? 0 : y;
	x = d[2] == 1 ? 0 : x;
	c = d[3] == 1 ? 0 : c;
	return (((size_t)n * d[1] + y) * d[2] + x) * d[3] + c;
}

/*
 * One element of ADD or of an ISA 1.3 elementwise operation that shares
 * its descriptor (SUB, MUL, MAXIMUM, MINIMUM).
 */
static s32 aiot_isa_add_one(const struct aiot_isa_op_add *op, s32 a, s32 b)
{
	s32 sa, sb, sum;

	switch (op->hdr.opcode) {
	case AIOT_ISA_OP_MAXIMUM:
		return aiot_clamp_s32(a > b ? a : b, op->act.min, op->act.max);
	case AIOT_ISA_OP_MINIMUM:
		return aiot_clamp_s32(a < b ? a : b, op->act.min, op->act.max);
	case AIOT_ISA_OP_MUL:
		/* |product| <= 255 * 255, or 2^30 for int16 (zero points 0). */
		sum = (a - op->input1_zero_point) * (b - op->input2_zero_point);
		return aiot_requantize_acc(sum, op->output_multiplier,
					   op->output_shift,
					   op->output_zero_point, op->act.min,
					   op->act.max);
	default:
		break;
	}
	sa = (a - op->input1_zero_point) * (1 << op->left_shift);
	sb = (b - op->input2_zero_point) * (1 << op->left_shift);
	sa = aiot_mbqm(sa, op->input1_multiplier, op->input1_shift);
	sb = aiot_mbqm(sb, op->input2_multiplier, op->input2_shift);
	if (op->hdr.opcode == AIOT_ISA_OP_SUB)
		sum = aiot_wrap_sub(sa, sb);
	else
		sum = aiot_wrap_add(sa, sb);
	return aiot_requantize_acc(sum, op->output_multiplier,
				   op->output_shift, op->output_zero_point,
				   op->act.min, op->act.max);
}

static int aiot_isa_exec_add(struct aiot_isa_exec *ex,
			     const struct aiot_isa_op_add *op)
{
	const u32 *od = op->output.dims;
	size_t at = 0;
	u32 n, y, x, c;
	s32 a, b;

	for (n = 0; n < od[0]; n++) {
		for (y = 0; y < od[1]; y++) {
			for (x = 0; x < od[2]; x++) {
				if (aiot_isa_tick(ex, od[3]))
					return -ECANCELED;
				for (c = 0; c < od[3]; c++) {
					a = aiot_isa_load(ex, &op->input1,
							  aiot_isa_bcast_index(&op->input1,
									       n, y, x, c));
					b = aiot_isa_load(ex, &op->input2,
							  aiot_isa_bcast_index(&op->input2,
									       n, y, x, c));
					aiot_isa_store(ex, &op->output, at++,
						       aiot_isa_add_one(op, a, b));
				}
			}
		}
	}
	return 0;
}

static int aiot_isa_exec_reshape(struct aiot_isa_exec *ex,
				 const struct aiot_isa_op_reshape *op)
{
	const u32 *d = op->input.dims;
	size_t bytes = (size_t)d[0] * d[1] * d[2] * d[3];
	const u8 *src = (const u8 *)ex->bindings[op->input.binding] +
			op->input.offset;
	u8 *dst = (u8 *)ex->bindings[op->output.binding] + op->output.offset;

	if (op->input.dtype == AIOT_ISA_DTYPE_INT16)
		bytes *= 2;
	else if (op->input.dtype == AIOT_ISA_DTYPE_INT32)
		bytes *= 4;
	return aiot_isa_move(ex, dst, src, bytes) ? -ECANCELED : 0;
}

/* Softmax keeps exp differences with 5 and sums with 12 integer bits. */
#define AIOT_SOFTMAX_DIFF_INT_BITS	5
#define AIOT_SOFTMAX_ACC_INT_BITS	12

static s32 aiot_isa_softmax_exp(const struct aiot_isa_op_softmax *op,
				s32 diff)
{
	s32 scaled = (s32)((u32)diff << op->input_left_shift);

	scaled = aiot_srdhm(scaled, op->input_multiplier);
	return aiot_fx_exp_on_negative_values_5(scaled);
}

/*
 * One row of softmax; the output is int8 (scale 1/256, zero point -128) or
 * int16 (scale 1/65536, zero point -32768), TFLite's two int8 variants.
 */
static void aiot_isa_softmax_row(struct aiot_isa_exec *ex,
				 const struct aiot_isa_op_softmax *op,
				 const s8 *in, size_t row, u32 depth)
{
	bool wide = op->output.dtype == AIOT_ISA_DTYPE_INT16;
	s32 out_min = wide ? -32768 : -128, out_max = wide ? 32767 : 127;
	int out_bits = wide ? 16 : 8;
	s32 max = -128, sum = 0, diff, scale, v;
	int bits_over_unit;
	u32 c;

	for (c = 0; c < depth; c++)
		if (in[c] > max)
			max = in[c];
	for (c = 0; c < depth; c++) {
		diff = in[c] - max;
		if (diff < op->diff_min)
			continue;
		/* exp() has 0 integer bits; the sum keeps 12. */
		v = aiot_isa_softmax_exp(op, diff);
		v = aiot_rounding_divide_by_pot(v, AIOT_SOFTMAX_ACC_INT_BITS);
		sum = aiot_wrap_add(sum, v);
	}
	scale = aiot_fx_reciprocal(sum, AIOT_SOFTMAX_ACC_INT_BITS,
				   &bits_over_unit);
	for (c = 0; c < depth; c++) {
		diff = in[c] - max;
		if (diff < op->diff_min) {
			aiot_isa_store(ex, &op->output, row * depth + c,
				       out_min);
			continue;
		}
		v = aiot_srdhm(scale, aiot_isa_softmax_exp(op, diff));
		/* Keep out_bits of the 31 fraction bits. */
		v = aiot_rounding_divide_by_pot(v, bits_over_unit + 31 -
						out_bits);
		v = aiot_clamp_s32(aiot_wrap_add(v, out_min), out_min, out_max);
		aiot_isa_store(ex, &op->output, row * depth + c, v);
	}
}

static int aiot_isa_exec_softmax(struct aiot_isa_exec *ex,
				 const struct aiot_isa_op_softmax *op)
{
	const s8 *in = aiot_isa_src8(ex, &op->input);
	const u32 *d = op->input.dims;
	u32 depth = d[3];
	size_t rows = (size_t)d[0] * d[1] * d[2], r;

	for (r = 0; r < rows; r++) {
		/* Three passes over a row of up to AIOT_ISA_MAX_DIM. */
		if (aiot_isa_tick(ex, 3 * (u64)depth))
			return -ECANCELED;
		aiot_isa_softmax_row(ex, op, in + r * depth, r, depth);
	}
	return 0;
}

static int aiot_isa_exec_requant(struct aiot_isa_exec *ex,
				 const struct aiot_isa_op_requantize *op)
{
	const u32 *d = op->output.dims;
	size_t count = (size_t)d[0] * d[1] * d[2] * d[3], i;
	s32 v;

	for (i = 0; i < count; i++) {
		if (aiot_isa_tick(ex, 1))
			return -ECANCELED;
		/* int16 for SENSOR_TO_INT8, int8 for REQUANTIZE (validated) */
		v = aiot_isa_load(ex, &op->input, i);
		/* act lies within the output type (validated). */
		v = aiot_requantize_acc(v - op->input_zero_point,
					op->multiplier, op->shift,
					op->output_zero_point, op->act.min,
					op->act.max);
		aiot_isa_store(ex, &op->output, i, v);
	}
	return 0;
}

/*
 * SVDF state element i as q - zero point. The int8 state is stored
 * relative to its zero point (wrapping), so that zeroed memory is the
 * reset state; the int16 state has zero point 0.
 */
static s32 aiot_isa_svdf_state_diff(const u8 *state, bool wide, size_t i,
				    s32 zp)
{
	s16 v16;
	s8 q;

	if (wide) {
		memcpy(&v16, state + i * sizeof(v16), sizeof(v16));
		return v16;
	}
	q = (s8)(u8)(state[i] + (u32)zp);
	return q - zp;
}

static s32 aiot_isa_svdf_weight_time(const u8 *wt, bool wide, size_t i)
{
	s16 v16;

	if (wide) {
		memcpy(&v16, wt + i * sizeof(v16), sizeof(v16));
		return v16;
	}
	return (s8)wt[i];
}

/* Feature stage of one batch: the newest state column of every filter. */
static void aiot_isa_svdf_feature(struct aiot_isa_exec *ex,
				  const struct aiot_isa_op_svdf *op, u32 b,
				  u8 *state)
{
	bool wide = op->weights_time.dtype == AIOT_ISA_DTYPE_INT16;
	const s8 *in = aiot_isa_src8(ex, &op->input);
	const s8 *wf = aiot_isa_src8(ex, &op->weights_feature);
	u32 depth = op->input.dims[3], filters = op->weights_feature.dims[0];
	u32 memory = op->weights_time.dims[3];
	s32 lo = wide ? -32768 : -128, hi = wide ? 32767 : 127;
	s32 zp = op->state_zero_point, acc;
	size_t at;
	u32 f, i;
	s16 v16;

	in += (size_t)b * depth;
	for (f = 0; f < filters; f++) {
		const s8 *w = wf + (size_t)f * depth;

		if (aiot_isa_tick(ex, depth))
			return;
		acc = 0;
		for (i = 0; i < depth; i++)
			acc = aiot_wrap_add(acc, w[i] *
					    (in[i] - op->input_zero_point));
		acc = aiot_mbqm(acc, op->feature_multiplier,
				op->feature_shift);
		/* The zero point goes in before the clamp, as TFLite Micro. */
		acc = aiot_clamp_s32(aiot_wrap_add(acc, zp), lo, hi);
		at = ((size_t)b * filters + f) * memory + memory - 1;
		if (wide) {
			v16 = (s16)acc;
			memcpy(state + at * sizeof(v16), &v16, sizeof(v16));
		} else {
			state[at] = (u8)(acc - zp);
		}
	}
}

/* Time stage of one batch: rank-R reduction, bias and requantization. */
static void aiot_isa_svdf_time(struct aiot_isa_exec *ex,
			       const struct aiot_isa_op_svdf *op, u32 b,
			       const u8 *state)
{
	bool wide = op->weights_time.dtype == AIOT_ISA_DTYPE_INT16;
	const u8 *wt = (const u8 *)aiot_isa_src8(ex, &op->weights_time);
	const u8 *bias = (const u8 *)ex->bindings[op->bias.binding] +
			 op->bias.offset;
	u32 filters = op->weights_feature.dims[0];
	u32 memory = op->weights_time.dims[3], units = op->output.dims[3];
	s8 *out = aiot_isa_dst8(ex, &op->output) + (size_t)b * units;
	s32 zp = op->state_zero_point, acc, w, x;
	size_t row, wrow;
	u32 u, r, m, f;

	for (u = 0; u < units; u++) {
		memcpy(&acc, bias + (size_t)u * sizeof(acc), sizeof(acc));
		for (r = 0; r < op->rank; r++) {
			f = u * op->rank + r;
			row = ((size_t)b * filters + f) * memory;
			wrow = (size_t)f * memory;
			/* Twice: the state shift is counted here too. */
			if (aiot_isa_tick(ex, 2 * (u64)memory))
				return;
			for (m = 0; m < memory; m++) {
				w = aiot_isa_svdf_weight_time(wt, wide, wrow + m);
				x = aiot_isa_svdf_state_diff(state, wide, row + m,
							     zp);
				/* |w * x| < 2^31 for int16 w, |x| <= 65535 */
				acc = aiot_wrap_add(acc, w * x);
			}
		}
		out[u] = (s8)aiot_requantize_acc(acc, op->time_multiplier,
						 op->time_shift,
						 op->output_zero_point,
						 op->act.min, op->act.max);
	}
}

static int aiot_isa_exec_svdf(struct aiot_isa_exec *ex,
			      const struct aiot_isa_op_svdf *op)
{
	u8 *state = (u8 *)ex->bindings[op->state.binding] + op->state.offset;
	const u32 *d = op->state.dims;
	size_t esize = op->state.dtype == AIOT_ISA_DTYPE_INT16 ? 2 : 1;
	size_t count = (size_t)d[0] * d[1] * d[2] * d[3];
	u32 b;

	/* Age the whole state by one step (TFLite shifts it flat). */
	if (aiot_isa_move(ex, state, state + esize, (count - 1) * esize))
		return -ECANCELED;
	for (b = 0; b < op->input.dims[0] && !ex->stopped; b++)
		aiot_isa_svdf_feature(ex, op, b, state);
	for (b = 0; b < op->input.dims[0] && !ex->stopped; b++)
		aiot_isa_svdf_time(ex, op, b, state);
	return ex->stopped ? -ECANCELED : 0;
}

/* ISA 1.2: data movement (PAD, TRANSPOSE, INSERT) and MEAN. */

static u8 *aiot_isa_base(const struct aiot_isa_exec *ex,
			 const struct aiot_isa_tensor *t)
{
	return (u8 *)ex->bindings[t->binding] + t->offset;
}

/* Row-major offset in elements of [n, y, x, c] in a tensor of dims @d. */
static size_t aiot_isa_offset(const u32 *d, u32 n, u32 y, u32 x, u32 c)
{
	return (((size_t)n * d[1] + y) * d[2] + x) * d[3] + c;
}

/* @count elements of value @v (within the dtype) from element @index. */
static void aiot_isa_fill(const struct aiot_isa_exec *ex,
			  const struct aiot_isa_tensor *t, size_t index,
			  size_t count, s32 v)
{
	size_t i;

	for (i = 0; i < count; i++)
		aiot_isa_store(ex, t, index + i, v);
}

static int aiot_isa_exec_pad(struct aiot_isa_exec *ex,
			     const struct aiot_isa_op_pad *op)
{
	const u32 *id = op->input.dims, *od = op->output.dims;
	const u32 *b = op->before;
	size_t esize = aiot_isa_dtype_bytes(op->output.dtype);
	const u8 *in = aiot_isa_base(ex, &op->input);
	u8 *out = aiot_isa_base(ex, &op->output);
	u32 n, y, x;
	size_t row;

	for (n = 0; n < od[0]; n++) {
		for (y = 0; y < od[1]; y++) {
			for (x = 0; x < od[2]; x++) {
				/* A row is up to AIOT_ISA_MAX_DIM elements. */
				if (aiot_isa_tick(ex, od[3]))
					return -ECANCELED;
				row = aiot_isa_offset(od, n, y, x, 0);
				if (n < b[0] || n - b[0] >= id[0] ||
				    y < b[1] || y - b[1] >= id[1] ||
				    x < b[2] || x - b[2] >= id[2]) {
					aiot_isa_fill(ex, &op->output, row, od[3],
						      op->value);
					continue;
				}
				aiot_isa_fill(ex, &op->output, row, b[3],
					      op->value);
				memcpy(out + (row + b[3]) * esize,
				       in + aiot_isa_offset(id, n - b[0],
							    y - b[1], x - b[2],
							    0) * esize,
				       (size_t)id[3] * esize);
				aiot_isa_fill(ex, &op->output,
					      row + b[3] + id[3],
					      od[3] - b[3] - id[3], op->value);
			}
		}
	}
	return 0;
}

static int aiot_isa_exec_transpose(struct aiot_isa_exec *ex,
				   const struct aiot_isa_op_transpose *op)
{
	const u32 *id = op->input.dims, *od = op->output.dims;
	size_t esize = aiot_isa_dtype_bytes(op->output.dtype);
	const u8 *in = aiot_isa_base(ex, &op->input);
	u8 *out = aiot_isa_base(ex, &op->output);
	size_t in_stride[AIOT_ISA_DIMS], step[AIOT_ISA_DIMS], from;
	u32 o[AIOT_ISA_DIMS];
	int i;

	in_stride[3] = 1;
	for (i = 2; i >= 0; i--)
		in_stride[i] = in_stride[i + 1] * id[i + 1];
	/* Output axis i walks input axis perm[i]. */
	for (i = 0; i < AIOT_ISA_DIMS; i++)
		step[i] = in_stride[op->perm[i]];
	for (o[0] = 0; o[0] < od[0]; o[0]++) {
		for (o[1] = 0; o[1] < od[1]; o[1]++) {
			for (o[2] = 0; o[2] < od[2]; o[2]++) {
				if (aiot_isa_tick(ex, od[3]))
					return -ECANCELED;
				from = o[0] * step[0] + o[1] * step[1] +
				       o[2] * step[2];
				for (o[3] = 0; o[3] < od[3]; o[3]++) {
					memcpy(out, in + from * esize, esize);
					out += esize;
					from += step[3];
				}
			}
		}
	}
	return 0;
}

static int aiot_isa_exec_insert(struct aiot_isa_exec *ex,
				const struct aiot_isa_op_insert *op)
{
	const u32 *id = op->input.dims, *od = op->output.dims;
	const u32 *at = op->offset;
	size_t esize = aiot_isa_dtype_bytes(op->output.dtype);
	const u8 *in = aiot_isa_base(ex, &op->input);
	u8 *out = aiot_isa_base(ex, &op->output);
	size_t row_bytes = (size_t)id[3] * esize;
	u32 n, y, x;

	for (n = 0; n < id[0]; n++) {
		for (y = 0; y < id[1]; y++) {
			for (x = 0; x < id[2]; x++) {
				if (aiot_isa_tick(ex, id[3]))
					return -ECANCELED;
				memcpy(out + aiot_isa_offset(od, n + at[0],
							     y + at[1],
							     x + at[2],
							     at[3]) * esize,
				       in, row_bytes);
				in += row_bytes;
			}
		}
	}
	return 0;
}

/*
 * acc / n rounded half away from zero, as TFLite's (acc + n/2) / n for
 * acc > 0 and (acc - n/2) / n otherwise, without overflowing for any acc.
 */
static s32 aiot_isa_div_round(s32 acc, s32 n)
{
	s32 q = acc / n, r = acc % n, h = n / 2;

	if (acc > 0)
		return q + (r >= n - h ? 1 : 0);
	return q - (r <= h - n ? 1 : 0);
}

static int aiot_isa_exec_mean(struct aiot_isa_exec *ex,
			      const struct aiot_isa_op_mean *op)
{
	const u32 *id = op->input.dims;
	const s8 *in = aiot_isa_src8(ex, &op->input);
	s8 *out = aiot_isa_dst8(ex, &op->output);
	s32 count = (s32)(id[1] * id[2]), acc;
	u32 n, c, y, x;

	for (n = 0; n < id[0]; n++) {
		for (c = 0; c < id[3]; c++) {
			acc = 0;
			for (y = 0; y < id[1]; y++) {
				if (aiot_isa_tick(ex, id[2]))
					return -ECANCELED;
				/* |acc| <= 255 * 2^23: no overflow. */
				for (x = 0; x < id[2]; x++)
					acc += in[aiot_isa_offset(id, n, y, x, c)] -
					       op->input_zero_point;
			}
			acc = aiot_mbqm(acc, op->multiplier, op->shift);
			acc = aiot_isa_div_round(acc, count);
			acc = aiot_clamp_s32(aiot_wrap_add(acc,
							   op->output_zero_point),
					     op->act.min, op->act.max);
			out[(size_t)n * id[3] + c] = (s8)acc;
		}
	}
	return 0;
}

/* Elementwise operations poll the stop hook every this many elements. */
#define AIOT_ISA_ELEM_STEP	4096u

static int aiot_isa_exec_leaky_relu(struct aiot_isa_exec *ex,
				    const struct aiot_isa_op_leaky_relu *op)
{
	const u32 *d = op->output.dims;
	size_t count = (size_t)d[0] * d[1] * d[2] * d[3], i;
	s32 x, v;

	for (i = 0; i < count; i++) {
		if (i % AIOT_ISA_ELEM_STEP == 0 &&
		    aiot_isa_tick(ex, AIOT_ISA_ELEM_STEP))
			return -ECANCELED;
		x = aiot_isa_load(ex, &op->input, i) - op->input_zero_point;
		if (x >= 0)
			v = aiot_mbqm(x, op->identity_multiplier,
				      op->identity_shift);
		else
			v = aiot_mbqm(x, op->alpha_multiplier, op->alpha_shift);
		aiot_isa_store(ex, &op->output, i,
			       aiot_clamp_s32(aiot_wrap_add(v,
							    op->output_zero_point),
					      op->act.min, op->act.max));
	}
	return 0;
}

static int aiot_isa_exec_table(struct aiot_isa_exec *ex,
			       const struct aiot_isa_op_table *op)
{
	const s8 *in = aiot_isa_src8(ex, &op->input);
	const s8 *table = (const s8 *)ex->bindings[op->table.binding] +
			  op->table.offset;
	s8 *out = aiot_isa_dst8(ex, &op->output);
	const u32 *d = op->output.dims;
	size_t count = (size_t)d[0] * d[1] * d[2] * d[3], i;

	for (i = 0; i < count; i++) {
		if (i % AIOT_ISA_ELEM_STEP == 0 &&
		    aiot_isa_tick(ex, AIOT_ISA_ELEM_STEP))
			return -ECANCELED;
		out[i] = table[in[i] + 128];
	}
	return 0;
}

/* aiot_isa_tick() for the operations in other files. */
static bool aiot_isa_tick_cb(void *ex, u64 work)
{
	return aiot_isa_tick(ex, work);
}

static int aiot_isa_exec_op(struct aiot_isa_exec *ex,
			    const union aiot_isa_op *op)
{
	switch (op->hdr.opcode) {
	case AIOT_ISA_OP_NOP:
		return 0;
	case AIOT_ISA_OP_FULLY_CONNECTED:
		return aiot_isa_exec_fc(ex, &op->fc);
	case AIOT_ISA_OP_CONV_2D:
	case AIOT_ISA_OP_DEPTHWISE_CONV_2D:
		return aiot_isa_exec_conv(ex, &op->conv);
	case AIOT_ISA_OP_AVERAGE_POOL_2D:
	case AIOT_ISA_OP_MAX_POOL_2D:
		return aiot_isa_exec_pool(ex, &op->pool);
	case AIOT_ISA_OP_ADD:
	case AIOT_ISA_OP_SUB:
	case AIOT_ISA_OP_MUL:
	case AIOT_ISA_OP_MAXIMUM:
	case AIOT_ISA_OP_MINIMUM:
		return aiot_isa_exec_add(ex, &op->add);
	case AIOT_ISA_OP_RESHAPE:
		return aiot_isa_exec_reshape(ex, &op->reshape);
	case AIOT_ISA_OP_SOFTMAX:
		return aiot_isa_exec_softmax(ex, &op->softmax);
	case AIOT_ISA_OP_REQUANTIZE:
	case AIOT_ISA_OP_SENSOR_TO_INT8:
		return aiot_isa_exec_requant(ex, &op->requant);
	case AIOT_ISA_OP_SVDF:
		return aiot_isa_exec_svdf(ex, &op->svdf);
	case AIOT_ISA_OP_PAD:
		return aiot_isa_exec_pad(ex, &op->pad);
	case AIOT_ISA_OP_TRANSPOSE:
		return aiot_isa_exec_transpose(ex, &op->transpose);
	case AIOT_ISA_OP_INSERT:
		return aiot_isa_exec_insert(ex, &op->insert);
	case AIOT_ISA_OP_MEAN:
		return aiot_isa_exec_mean(ex, &op->mean);
	case AIOT_ISA_OP_LEAKY_RELU:
		return aiot_isa_exec_leaky_relu(ex, &op->leaky);
	case AIOT_ISA_OP_TABLE:
		return aiot_isa_exec_table(ex, &op->table);
	case AIOT_ISA_OP_RESIZE:
		return aiot_isa_exec_resize(ex->bindings, &op->resize,
					    aiot_isa_tick_cb, ex);
	case AIOT_ISA_OP_FRAME_TO_TENSOR:
		return aiot_isa_exec_frame_to_tensor(ex->bindings, &op->frame,
						     aiot_isa_tick_cb, ex);
	case AIOT_ISA_OP_SLICE:
		return aiot_isa_exec_shape_op(ex, op);
	case AIOT_ISA_OP_TRANSPOSE_CONV:
	case AIOT_ISA_OP_REDUCE:
		return aiot_isa_exec_16a_op(ex, op);
	case AIOT_ISA_OP_LSTM:
		return aiot_isa_exec_lstm_op(ex, op);
	case AIOT_ISA_OP_CONV_2D_S16:
	case AIOT_ISA_OP_DEPTHWISE_CONV_2D_S16:
	case AIOT_ISA_OP_FULLY_CONNECTED_S16:
	case AIOT_ISA_OP_ADD_S16:
	case AIOT_ISA_OP_TRANSPOSE_CONV_S16:
		return aiot_isa_exec_s16_op(ex, op);
	case AIOT_ISA_OP_SOFTMAX_S16:
		return aiot_isa_exec_softmax16_op(ex, op);
	case AIOT_ISA_OP_SIGMOID_S16:
		return aiot_isa_exec_sigmoid_op(ex, op);
	default:
		/* ISA 1.4's audio front end; unknown opcodes never get here. */
		return aiot_isa_exec_signal_op(ex, op);
	}
}

/**
 * aiot_isa_execute_ctl() - run a command stream on the CPU
 * @stream: the command stream
 * @len: bytes available at @stream
 * @bindings: base address of each bound buffer
 * @binding_sizes: size in bytes of each bound buffer
 * @nbindings: entries in @bindings and @binding_sizes
 * @ctl: optional cancellation hook, may be NULL
 *
 * The whole stream is validated first, and each operation again from a
 * private copy immediately before it runs, so no access can leave its
 * buffer even for a stream that was never validated or that changes
 * concurrently (such a change can stop a run midway with an error).
 * Never sleeps and never allocates.
 *
 * Return: 0 on success, -ECANCELED if @ctl asked to stop, or the
 * validator's negative errno.
 */
int aiot_isa_execute_ctl(const void *stream, size_t len, void *const *bindings,
			 const u64 *binding_sizes, unsigned int nbindings,
			 const struct aiot_isa_exec_control *ctl)
{
	struct aiot_isa_exec ex = { .bindings = bindings, .ctl = ctl };
	struct aiot_isa_cursor cur;
	union aiot_isa_op op;
	unsigned int i;
	int ret;

	if (nbindings && !bindings)
		return -EINVAL;
	for (i = 0; i < nbindings && i < AIOT_ISA_MAX_BINDINGS; i++)
		if (binding_sizes && binding_sizes[i] && !bindings[i])
			return -EINVAL;
	/* All or nothing: a bad operation must not leave half a result. */
	ret = aiot_isa_validate(stream, len, binding_sizes, nbindings, NULL);
	if (ret)
		return ret;
	ret = aiot_isa_cursor_init(&cur, stream, len, binding_sizes, nbindings);
	if (ret)
		return ret;
	while ((ret = aiot_isa_cursor_next(&cur, &op, NULL)) > 0) {
		/* Between operations, and within them every so much work. */
		if (aiot_isa_stopped(&ex))
			return -ECANCELED;
		ret = aiot_isa_exec_op(&ex, &op);
		if (ret)
			return ret;
	}
	return ret;
}

AIOT_ISA_EXPORT(aiot_isa_execute_ctl);

/**
 * aiot_isa_execute() - run a command stream on the CPU
 * @stream: the command stream
 * @len: bytes available at @stream
 * @bindings: base address of each bound buffer
 * @binding_sizes: size in bytes of each bound buffer
 * @nbindings: entries in @bindings and @binding_sizes
 *
 * aiot_isa_execute_ctl() without a cancellation hook.
 *
 * Return: 0 on success or a negative errno.
 */
int aiot_isa_execute(const void *stream, size_t len, void *const *bindings,
		     const u64 *binding_sizes, unsigned int nbindings)
{
	return aiot_isa_execute_ctl(stream, len, bindings, binding_sizes,
				    nbindings, NULL);
}

AIOT_ISA_EXPORT(aiot_isa_execute);
