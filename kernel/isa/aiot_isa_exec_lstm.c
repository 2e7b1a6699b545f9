// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * aiot ISA reference executor, ISA 1.7's UNIDIRECTIONAL_SEQUENCE_LSTM:
 * int8 activations and weights, int32 biases, int16 gates and cell state,
 * bit-exact with TensorFlow Lite Micro's integer LSTM (docs/isa.md).
 */

#include "aiot_isa_exec.h"
#include "aiot_isa_math.h"

#define AIOT_S16_MIN	(-32768)
#define AIOT_S16_MAX	32767

static s32 aiot_isa_sat16(s32 v)
{
	return aiot_clamp_s32(v, AIOT_S16_MIN, AIOT_S16_MAX);
}

/* Q3.12 in, Q0.15 out: TFLite's int16 Logistic with multiplier 3, shift 0. */
static s16 aiot_isa_lstm_sigmoid(s32 x)
{
	return aiot_isa_logistic_s16(x, 3, 0);
}

/*
 * tanh of an int16 of scale 2^@power (-12: the gates' Q3.12), Q0.15 out:
 * TFLite's int16 Tanh as TFLite Micro's LSTM calls it (its power-of-two
 * multiplier, or 3 and a rounding shift for a finer scale).
 */
static s16 aiot_isa_lstm_tanh(s32 x, s32 power)
{
	s32 shift = 12 + power;

	if (shift >= 0)
		return aiot_isa_tanh_s16(x, 3 << shift, 0);
	return aiot_isa_tanh_s16(x, 3, -shift);
}

static const void *aiot_isa_lstm_ptr(const struct aiot_isa_exec *ex,
				     const struct aiot_isa_tensor *t)
{
	return (const u8 *)ex->bindings[t->binding] + t->offset;
}

/* One int8 fully connected row: bias + sum w * (x - zp), wrapping. */
static s32 aiot_isa_lstm_dot(const s8 *w, const s8 *x, u32 n, s32 zp,
			     s32 bias)
{
	s32 acc = bias;
	u32 k;

	for (k = 0; k < n; k++)
		acc = aiot_wrap_add(acc, w[k] * (x[k] - zp));
	return acc;
}

/*
 * The four gates of one batch row into @g (4 x H int16): each gate's
 * input and recurrent layers requantized to Q3.12 and saturated to int16
 * separately, their saturating sum, then the gate's nonlinearity.
 */
static bool aiot_isa_lstm_gates(struct aiot_isa_exec *ex,
				const struct aiot_isa_op_lstm *op,
				const s8 *x, const s8 *h, s16 *g)
{
	u32 in = op->input.dims[3], hd = op->hidden_state.dims[3];
	const struct aiot_isa_lstm_gate_quant *q;
	const s8 *wi, *wr;
	const s32 *bias;
	s32 a, r, s;
	u32 gate, j;

	for (gate = 0; gate < AIOT_ISA_LSTM_GATES; gate++) {
		q = &op->gate[gate];
		wi = (const s8 *)aiot_isa_lstm_ptr(ex, &op->input_weights) +
		     (size_t)gate * hd * in;
		wr = (const s8 *)aiot_isa_lstm_ptr(ex, &op->recurrent_weights) +
		     (size_t)gate * hd * hd;
		bias = (const s32 *)aiot_isa_lstm_ptr(ex, &op->bias) +
		       (size_t)gate * hd;
		for (j = 0; j < hd; j++) {
			if (aiot_isa_tick(ex, (u64)in + hd))
				return true;
			a = aiot_isa_lstm_dot(wi + (size_t)j * in, x, in,
					      op->input_zero_point, bias[j]);
			a = aiot_isa_sat16(aiot_mbqm(a, q->input_multiplier,
						     q->input_shift));
			r = aiot_isa_lstm_dot(wr + (size_t)j * hd, h, hd,
					      op->hidden_zero_point, 0);
			r = aiot_isa_sat16(aiot_mbqm(r, q->recurrent_multiplier,
						     q->recurrent_shift));
			s = aiot_isa_sat16(a + r);
			if (gate == AIOT_ISA_LSTM_GATE_CELL &&
			    op->cell_activation == AIOT_ISA_LSTM_ACT_TANH)
				g[gate * hd + j] = aiot_isa_lstm_tanh(s, -12);
			else
				g[gate * hd + j] = aiot_isa_lstm_sigmoid(s);
		}
	}
	return false;
}

/* One time step of one batch row: gates, cell state, hidden state, output. */
static bool aiot_isa_lstm_step(struct aiot_isa_exec *ex,
			       const struct aiot_isa_op_lstm *op, const s8 *x,
			       s8 *h, s16 *c, s16 *g, s8 *out)
{
	u32 hd = op->hidden_state.dims[3], j;
	const s16 *ig = g, *fg = g + hd, *cg = g + 2 * hd, *og = g + 3 * hd;
	s32 clip = op->cell_clip, fc, ic, v, t;

	if (aiot_isa_lstm_gates(ex, op, x, h, g))
		return true;
	if (aiot_isa_tick(ex, hd))
		return true;
	for (j = 0; j < hd; j++) {
		fc = aiot_isa_sat16(aiot_mbqm(fg[j] * c[j],
					      op->forget_multiplier,
					      op->forget_shift));
		ic = aiot_isa_sat16(aiot_mbqm(ig[j] * cg[j],
					      op->input_multiplier,
					      op->input_shift));
		v = aiot_isa_sat16(fc + ic);
		if (clip > 0)
			v = aiot_clamp_s32(v, -clip, clip);
		c[j] = (s16)v;
		t = aiot_isa_lstm_tanh(v, op->cell_scale_power);
		v = aiot_mbqm(t * og[j], op->hidden_multiplier,
			      op->hidden_shift);
		v = aiot_clamp_s32(aiot_wrap_add(v, op->hidden_zero_point),
				   -128, 127);
		h[j] = (s8)v;
		out[j] = (s8)v;
	}
	return false;
}

static int aiot_isa_exec_lstm(struct aiot_isa_exec *ex,
			      const struct aiot_isa_op_lstm *op)
{
	const s8 *in = aiot_isa_lstm_ptr(ex, &op->input);
	s8 *out = (s8 *)aiot_isa_lstm_ptr(ex, &op->output);
	s8 *h = (s8 *)aiot_isa_lstm_ptr(ex, &op->hidden_state);
	s16 *c = (s16 *)aiot_isa_lstm_ptr(ex, &op->cell_state);
	s16 *g = (s16 *)aiot_isa_lstm_ptr(ex, &op->scratch);
	u32 id = op->input.dims[3], hd = op->hidden_state.dims[3];
	u32 d1 = op->input.dims[1], d2 = op->input.dims[2];
	u32 batches = op->hidden_state.dims[2];
	u32 steps = op->time_major ? d1 : d2;
	u32 t, b;
	size_t row;

	/* Batches are independent: one row at a time gives TFLite's result. */
	for (t = 0; t < steps; t++) {
		for (b = 0; b < batches; b++) {
			row = op->time_major ? (size_t)t * d2 + b :
					       (size_t)b * d2 + t;
			if (aiot_isa_lstm_step(ex, op, in + row * id,
					       h + (size_t)b * hd,
					       c + (size_t)b * hd, g,
					       out + row * hd))
				return -ECANCELED;
		}
	}
	return 0;
}

int aiot_isa_exec_lstm_op(struct aiot_isa_exec *ex,
			  const union aiot_isa_op *op)
{
	return aiot_isa_exec_lstm(ex, &op->lstm);
}
