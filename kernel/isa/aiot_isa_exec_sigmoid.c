// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * aiot ISA reference executor: TensorFlow Lite's int16 LOGISTIC and TANH,
 * ISA 1.9's SIGMOID_S16 and the gates of ISA 1.7's LSTM, bit-exact with
 * TensorFlow Lite Micro's reference_integer_ops::Logistic and Tanh
 * (docs/isa.md).
 */

#include "aiot_isa_exec.h"

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

/* x / 2^s rounded toward minus infinity, for any sign (0 <= s < 64). */
static s64 aiot_isa_floor_shift64(s64 x, unsigned int s)
{
	return x >= 0 ? x >> s : ~(~x >> s);
}

/*
 * The table's argument: floor((x * multiplier + half) / 2^shift), in
 * units of 1 / (3 * 2^12). Computed in 64 bits; the callers keep it
 * within 31 (|x| <= 2^15, multiplier < 2^16 with shift 0, < 2^15 else).
 */
static s32 aiot_isa_sigmoid_arg(s32 x, s32 multiplier, u32 shift)
{
	s64 v = (s64)x * multiplier;

	if (shift)
		v = aiot_isa_floor_shift64(v + (1LL << (shift - 1)), shift);
	return (s32)v;
}

/**
 * aiot_isa_logistic_s16() - TFLite's int16 Logistic of one element
 * @x: the int16 input
 * @multiplier: input multiplier (3 << k in TFLite's power-of-two case)
 * @shift: input right shift, 0..31
 *
 * Return: the logistic in Q0.15, 0..32767.
 */
s16 aiot_isa_logistic_s16(s32 x, s32 multiplier, u32 shift)
{
	s32 v = aiot_isa_sigmoid_arg(x, multiplier, shift);
	u32 a = v < 0 ? 0u - (u32)v : (u32)v;
	u32 i = a >> 9, r;

	if (i >= 255) {
		r = 0x7fffu << 10;
	} else {
		r = ((u32)aiot_isa_sigmoid_lut[i] << 9) +
		    (a & 0x1ff) * (u32)(aiot_isa_sigmoid_lut[i + 1] -
					aiot_isa_sigmoid_lut[i]);
	}
	/* sigmoid(-t) = 1 - sigmoid(t), with the reference's rounding */
	r = v >= 0 ? r + (1u << 9) : (1u << 25) - r + (1u << 9) - 1;
	return (s16)(r >> 10);
}

/**
 * aiot_isa_tanh_s16() - TFLite's int16 Tanh of one element
 * @x: the int16 input
 * @multiplier: input multiplier (3 << k in TFLite's power-of-two case)
 * @shift: input right shift, 0..31
 *
 * tanh(t) = 2 * sigmoid(2t) - 1: the same table, read at twice the rate.
 *
 * Return: the tanh in Q0.15, -32768..32767.
 */
s16 aiot_isa_tanh_s16(s32 x, s32 multiplier, u32 shift)
{
	s32 v = aiot_isa_sigmoid_arg(x, multiplier, shift), r;
	u32 a = v < 0 ? 0u - (u32)v : (u32)v;
	u32 i = a >> 8;

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
	return (s16)aiot_isa_floor_shift64(r, 8);
}

/* Elements between two calls of the stop hook. */
#define AIOT_ISA_SIGMOID_STEP	4096u

static int aiot_isa_exec_sigmoid_s16(struct aiot_isa_exec *ex,
				     const struct aiot_isa_op_sigmoid_s16 *op)
{
	const u8 *in = (const u8 *)ex->bindings[op->input.binding] +
		       op->input.offset;
	u8 *out = (u8 *)ex->bindings[op->output.binding] + op->output.offset;
	const u32 *d = op->output.dims;
	size_t count = (size_t)d[0] * d[1] * d[2] * d[3], i;
	bool is_tanh = op->function == AIOT_ISA_SIGMOID_TANH;
	s32 x, y;

	for (i = 0; i < count; i++) {
		if (i % AIOT_ISA_SIGMOID_STEP == 0 &&
		    aiot_isa_tick(ex, AIOT_ISA_SIGMOID_STEP))
			return -ECANCELED;
		/* in place is allowed: element i is read before it is written */
		x = aiot_isa_elem(in, AIOT_ISA_DTYPE_INT16, i);
		if (is_tanh)
			y = aiot_isa_tanh_s16(x, op->input_multiplier,
					      op->input_left_shift);
		else
			y = aiot_isa_logistic_s16(x, op->input_multiplier,
						  op->input_left_shift);
		aiot_isa_put_elem(out, AIOT_ISA_DTYPE_INT16, i, y);
	}
	return 0;
}

int aiot_isa_exec_sigmoid_op(struct aiot_isa_exec *ex,
			     const union aiot_isa_op *op)
{
	return aiot_isa_exec_sigmoid_s16(ex, &op->sigmoid);
}
