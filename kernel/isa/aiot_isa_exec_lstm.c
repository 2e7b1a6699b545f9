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

/*
 * 65536 * sigmoid(i / 24) for i = 0..255 as TensorFlow Lite's int16
 * logistic and tanh kernels tabulate it (their values, which are not all
 * the nearest integer; the last one is capped at 65535). Data, not code:
 * TensorFlow Lite's sigmoid_table_uint16 (Apache-2.0; NOTICE), needed for
 * bit-exact results.
 */
static const u16 aiot_isa_sigmoid_lut[256] = {
	32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513,
	38180, 38841, 39498, 40149, 40794, 41432, 42064, 42688,
	43304, 43912, 44511, 45102, 45683, 46255, 46817, 47369,
	47911, 48443, 48964, 49475, 49975, 50464, 50942, 51409,
	51865, 52311, 52745, 53169, 53581, 53983, 54374, 54755,
	55125, 55485, 55834, 56174, 56503, 56823, 57133, 57433,
	57724, 58007, 58280, 58544, 58800, 59048, 59288, 59519,
	59743, 59959, 60168, 60370, 60565, 60753, 60935, 61110,
	61279, 61441, 61599, 61750, 61896, 62036, 62172, 62302,
	62428, 62549, 62666, 62778, 62886, 62990, 63090, 63186,
	63279, 63368, 63454, 63536, 63615, 63691, 63765, 63835,
	63903, 63968, 64030, 64090, 64148, 64204, 64257, 64308,
	64357, 64405, 64450, 64494, 64536, 64576, 64614, 64652,
	64687, 64721, 64754, 64786, 64816, 64845, 64873, 64900,
	64926, 64950, 64974, 64997, 65019, 65039, 65060, 65079,
	65097, 65115, 65132, 65149, 65164, 65179, 65194, 65208,
	65221, 65234, 65246, 65258, 65269, 65280, 65291, 65301,
	65310, 65319, 65328, 65337, 65345, 65352, 65360, 65367,
	65374, 65381, 65387, 65393, 65399, 65404, 65410, 65415,
	65420, 65425, 65429, 65433, 65438, 65442, 65445, 65449,
	65453, 65456, 65459, 65462, 65465, 65468, 65471, 65474,
	65476, 65479, 65481, 65483, 65485, 65488, 65489, 65491,
	65493, 65495, 65497, 65498, 65500, 65501, 65503, 65504,
	65505, 65507, 65508, 65509, 65510, 65511, 65512, 65513,
	65514, 65515, 65516, 65517, 65517, 65518, 65519, 65520,
	65520, 65521, 65522, 65522, 65523, 65523, 65524, 65524,
	65525, 65525, 65526, 65526, 65526, 65527, 65527, 65528,
	65528, 65528, 65529, 65529, 65529, 65529, 65530, 65530,
	65530, 65530, 65531, 65531, 65531, 65531, 65531, 65532,
	65532, 65532, 65532, 65532, 65532, 65533, 65533, 65533,
	65533, 65533, 65533, 65533, 65533, 65534, 65534, 65534,
	65534, 65534, 65534, 65534, 65534, 65534, 65534, 65535,
};

/* x / 2^s rounded toward minus infinity, for any sign (0 <= s < 32). */
static s32 aiot_isa_floor_shift(s32 x, unsigned int s)
{
	return x >= 0 ? x >> s : ~(~x >> s);
}

static s32 aiot_isa_sat16(s32 v)
{
	return aiot_clamp_s32(v, AIOT_S16_MIN, AIOT_S16_MAX);
}

/* Q3.12 in, Q0.15 out: TFLite's int16 Logistic with multiplier 3, shift 0. */
static s16 aiot_isa_lstm_sigmoid(s32 x)
{
	s32 v = x * 3;
	u32 a = v < 0 ? (u32)-v : (u32)v;
	u32 i = a >> 9, r;

	if (i >= 255) {
		r = 0x7fffu << 10;
	} else {
		r = ((u32)aiot_isa_sigmoid_lut[i] << 9) +
		    (a & 0x1ff) * (u32)(aiot_isa_sigmoid_lut[i + 1] -
					aiot_isa_sigmoid_lut[i]);
	}
	r = v >= 0 ? r + (1u << 9) : (1u << 25) - r + (1u << 9) - 1;
	return (s16)(r >> 10);
}

/*
 * tanh of an int16 of scale 2^@power (-12: the gates' Q3.12), Q0.15 out:
 * TFLite's int16 Tanh as TFLite Micro's LSTM calls it.
 */
static s16 aiot_isa_lstm_tanh(s32 x, s32 power)
{
	s32 shift = 12 + power, v, r;
	u32 a, i;

	if (shift >= 0)
		v = x * (3 << shift);
	else
		v = aiot_isa_floor_shift(x * 3 + (1 << (-shift - 1)), -shift);
	a = v < 0 ? (u32)-v : (u32)v;
	i = a >> 8;
	if (i >= 255) {
		r = 0xffff << 8;
	} else {
		r = ((s32)aiot_isa_sigmoid_lut[i] << 8) +
		    (s32)(a & 0xff) * (aiot_isa_sigmoid_lut[i + 1] -
				       aiot_isa_sigmoid_lut[i]);
	}
	if (v >= 0)
		r = r - (1 << 23) + (1 << 7);
	else
		r = -r + (1 << 23) + (1 << 7) - 1;
	return (s16)aiot_isa_floor_shift(r, 8);
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
