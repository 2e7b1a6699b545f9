// SPDX-License-Identifier: GPL-2.0-only
/*
 * ISA 1.3 lowering: elementwise SUB, MUL, MAXIMUM, MINIMUM and the
 * standalone activations RELU, RELU6, RELU_N1_TO_1, LEAKY_RELU, LOGISTIC,
 * TANH and HARD_SWISH, each with the parameters TensorFlow Lite Micro's
 * Prepare() derives (see docs/compiler.md).
 */
#include "act_table.h"
#include "lower_internal.h"
#include "quant.h"

#include <errno.h>
#include <math.h>
#include <string.h>

/* Input, output, both int8 (or both int16) with per-tensor quantization. */
struct unary {
	struct aiot_isa_tensor in, out;
	float in_scale, out_scale;
	int32_t in_zp, out_zp;
};

static int lower_unary_operands(struct lowering *l, const struct tflite_operator *op,
				bool int16_ok, struct unary *u)
{
	int rc;

	if (op->input_count < 1 || op->output_count != 1)
		return lower_fail(l, "expects one input and one output");
	rc = lower_isa_tensor(l, op->inputs[0], &u->in);
	if (!rc) rc = lower_isa_tensor(l, op->outputs[0], &u->out);
	if (!rc && int16_ok) {
		rc = lower_require_int8_16(l, &u->in, NULL, "input");
		if (!rc) rc = lower_require_int8_16(l, &u->out, &u->in, "output");
	} else if (!rc) {
		rc = lower_require_int8(l, &u->in, "input");
		if (!rc) rc = lower_require_int8(l, &u->out, "output");
	}
	if (!rc) rc = lower_per_tensor_quant(l, op->inputs[0], &u->in_scale, &u->in_zp);
	if (!rc) rc = lower_per_tensor_quant(l, op->outputs[0], &u->out_scale, &u->out_zp);
	if (rc)
		return rc;
	if (memcmp(u->in.dims, u->out.dims, sizeof(u->in.dims)))
		return lower_fail(l, "input and output shapes differ");
	return 0;
}

/*
 * SUB, MUL, MAXIMUM, MINIMUM: the descriptor of ADD (ISA 1.3); int16 from
 * ISA 1.8, with TFLite's int16 rules: SUB's inputs shifted left by 15
 * instead of 20; MUL's zero points 0.
 */
int lower_binary(struct lowering *l, const struct tflite_operator *op, unsigned int opcode)
{
	struct aiot_isa_op_add a;
	float s1 = 0.0f, s2 = 0.0f, so = 0.0f;
	int shift = 0, rc, left_shift = ADD_LEFT_SHIFT;
	uint32_t minor = 3;
	bool wide;

	if (op->input_count != 2 || op->output_count != 1)
		return lower_fail(l, "expects two inputs and one output");
	lower_op_init(&a.hdr, sizeof(a), opcode);
	rc = lower_isa_tensor(l, op->inputs[0], &a.input1);
	if (!rc) rc = lower_isa_tensor(l, op->inputs[1], &a.input2);
	if (!rc) rc = lower_isa_tensor(l, op->outputs[0], &a.output);
	if (!rc) rc = lower_require_int8_16(l, &a.input1, NULL, "input 1");
	if (!rc) rc = lower_require_int8_16(l, &a.input2, &a.input1, "input 2");
	if (!rc) rc = lower_require_int8_16(l, &a.output, &a.input1, "output");
	if (!rc) rc = lower_per_tensor_quant(l, op->inputs[0], &s1, &a.input1_zero_point);
	if (!rc) rc = lower_per_tensor_quant(l, op->inputs[1], &s2, &a.input2_zero_point);
	if (!rc) rc = lower_per_tensor_quant(l, op->outputs[0], &so, &a.output_zero_point);
	if (rc)
		return rc;
	wide = a.input1.dtype == AIOT_ISA_DTYPE_INT16;
	if (wide) {
		/* TFLite's int16 activations are symmetric; MUL's product needs it */
		if (opcode == AIOT_ISA_OP_MUL && (a.input1_zero_point || a.input2_zero_point))
			return lower_fail(l, "int16 input zero points must be 0 (have %d, %d)",
					  a.input1_zero_point, a.input2_zero_point);
		left_shift = ADD_S16_LEFT_SHIFT;
		minor = 8;
	}
	for (int d = 0; d < 4; d++)
		if ((a.input1.dims[d] != a.output.dims[d] && a.input1.dims[d] != 1) ||
		    (a.input2.dims[d] != a.output.dims[d] && a.input2.dims[d] != 1))
			return lower_fail(l, "inputs do not broadcast to the output shape");
	switch (opcode) {
	case AIOT_ISA_OP_SUB: {
		/* TFLite's int8 SUB: ADD's rescaling, the second input negated */
		double twice_max = 2.0 * (double)(s1 > s2 ? s1 : s2);

		a.left_shift = left_shift;
		rc = quant_quantize_multiplier((double)s1 / twice_max, &a.input1_multiplier,
					       &shift);
		a.input1_shift = shift;
		if (!rc)
			rc = quant_quantize_multiplier((double)s2 / twice_max,
						       &a.input2_multiplier, &shift);
		a.input2_shift = shift;
		if (!rc)
			rc = quant_quantize_multiplier(twice_max / ((double)(1 << left_shift) *
								    (double)so),
						       &a.output_multiplier, &shift);
		a.output_shift = shift;
		if (rc || a.output_shift > 30)
			return lower_fail(l, "scales cannot be represented");
		break;
	}
	case AIOT_ISA_OP_MUL:
		/* TFLite Micro's MUL: in1 * in2 / out in double */
		rc = quant_quantize_multiplier((double)s1 * (double)s2 / (double)so,
					       &a.output_multiplier, &shift);
		a.output_shift = shift;
		if (rc || shift > 30)
			return lower_fail(l, "scales cannot be represented (input1 %g x input2 %g "
					  "/ output %g)", (double)s1, (double)s2, (double)so);
		break;
	default:
		/* MAXIMUM/MINIMUM compare stored values: one quantization for all */
		if (s1 != so || s2 != so || a.input1_zero_point != a.output_zero_point ||
		    a.input2_zero_point != a.output_zero_point)
			return lower_fail(l, "inputs (%g, %d) and (%g, %d) are not quantized as "
					  "the output (%g, %d)", (double)s1, a.input1_zero_point,
					  (double)s2, a.input2_zero_point, (double)so,
					  a.output_zero_point);
		a.input1_zero_point = a.input2_zero_point = a.output_zero_point = 0;
		lower_dtype_range(a.input1.dtype, &a.act.min, &a.act.max);
		lower_need_isa(l, minor);
		return lower_emit(l, &a, sizeof(a));
	}
	rc = lower_activation(l, op->options.add.activation, op->outputs[0], &a.act);
	if (rc)
		return rc;
	lower_need_isa(l, minor);
	return lower_emit(l, &a, sizeof(a));
}

/*
 * RELU and RELU_N1_TO_1 requantize and clamp to the range in output units
 * (TFLite Micro's ReluQuantized, TFLite's QuantizedReluX); RELU6 clamps the
 * stored input to [zero, six] in input units (TFLite Micro's
 * Relu6Quantized). All three are ISA 1.0 REQUANTIZE.
 */
int lower_relu(struct lowering *l, const struct tflite_operator *op, int activation)
{
	struct aiot_isa_op_requantize r;
	int32_t lo, hi;
	struct unary u;
	int shift = 0, rc;
	bool wide;

	/* TFLite has no int16 RELU_N1_TO_1 */
	rc = lower_unary_operands(l, op, activation != TFLITE_ACT_RELU_N1_TO_1, &u);
	if (rc)
		return rc;
	wide = u.in.dtype == AIOT_ISA_DTYPE_INT16;
	lower_dtype_range(u.in.dtype, &lo, &hi);
	/* an int16 input is SENSOR_TO_INT8's, whose int16 output is ISA 1.1 */
	lower_op_init(&r.hdr, sizeof(r), wide ? AIOT_ISA_OP_SENSOR_TO_INT8 :
			      AIOT_ISA_OP_REQUANTIZE);
	if (wide)
		lower_need_isa(l, 1);
	r.input = u.in;
	r.output = u.out;
	if (activation == TFLITE_ACT_RELU6) {
		/* identity: MBQM(x, 2^30, 1) == x */
		r.multiplier = 1 << 30;
		r.shift = 1;
		rc = quant_activation_range(activation, u.in_scale, u.in_zp, lo, hi, &r.act.min,
					    &r.act.max);
	} else {
		r.input_zero_point = u.in_zp;
		r.output_zero_point = u.out_zp;
		rc = quant_quantize_multiplier((double)u.in_scale / (double)u.out_scale,
					       &r.multiplier, &shift);
		r.shift = shift;
		if (rc || shift > 30)
			return lower_fail(l, "scales cannot be represented (input %g / output %g)",
					  (double)u.in_scale, (double)u.out_scale);
		rc = quant_activation_range(activation, u.out_scale, u.out_zp, lo, hi, &r.act.min,
					    &r.act.max);
	}
	if (rc)
		return lower_fail(l, "its clamp cannot be represented (%s)", strerror(-rc));
	return lower_emit(l, &r, sizeof(r));
}

int lower_leaky_relu(struct lowering *l, const struct tflite_operator *op)
{
	struct aiot_isa_op_leaky_relu k;
	float alpha = op->options.leaky_relu.alpha;
	struct unary u;
	int shift = 0, rc;

	rc = lower_unary_operands(l, op, true, &u);
	if (rc)
		return rc;
	if (alpha < 0.0f)
		return lower_fail(l, "alpha %g is negative; only alpha >= 0 is lowered",
				  (double)alpha);
	lower_op_init(&k.hdr, sizeof(k), AIOT_ISA_OP_LEAKY_RELU);
	k.input = u.in;
	k.output = u.out;
	k.input_zero_point = u.in_zp;
	k.output_zero_point = u.out_zp;
	/* LeakyReluPrepare: the alpha product in float, then to double */
	rc = quant_quantize_multiplier((double)(u.in_scale * alpha / u.out_scale),
				       &k.alpha_multiplier, &shift);
	k.alpha_shift = shift;
	if (!rc && shift <= 30)
		rc = quant_quantize_multiplier((double)(u.in_scale / u.out_scale),
					       &k.identity_multiplier, &shift);
	k.identity_shift = shift;
	if (rc || shift > 30 || k.alpha_shift > 30)
		return lower_fail(l, "scales cannot be represented (input %g, alpha %g, output %g)",
				  (double)u.in_scale, (double)alpha, (double)u.out_scale);
	lower_dtype_range(u.in.dtype, &k.act.min, &k.act.max);
	lower_need_isa(l, u.in.dtype == AIOT_ISA_DTYPE_INT16 ? 8 : 3);
	return lower_emit(l, &k, sizeof(k));
}

/*
 * int16 LOGISTIC and TANH: ISA 1.9's SIGMOID_S16, which interpolates
 * TFLite's sigmoid table, with the input multiplier and shift TFLite
 * Micro's Prepare() derives; it insists on zero points 0 and an output
 * scale of 2^-15.
 */
static int lower_sigmoid_s16(struct lowering *l, const struct unary *u, int32_t builtin)
{
	bool tanh_fn = builtin == TFLITE_OP_TANH;
	struct aiot_isa_op_sigmoid_s16 s;
	int log2_out;

	if (u->in_zp != 0 || u->out_zp != 0)
		return lower_fail(l, "int16 zero points must be 0 (have %d, %d)", u->in_zp,
				  u->out_zp);
	if (!quant_checked_log2(u->out_scale, &log2_out) || log2_out != -15)
		return lower_fail(l, "int16 output must have scale 2^-15 (has %g)",
				  (double)u->out_scale);
	lower_op_init(&s.hdr, sizeof(s), AIOT_ISA_OP_SIGMOID_S16);
	s.input = u->in;
	s.output = u->out;
	s.function = tanh_fn ? AIOT_ISA_SIGMOID_TANH : AIOT_ISA_SIGMOID_LOGISTIC;
	if (quant_sigmoid_s16_multiplier(u->in_scale, tanh_fn, &s.input_multiplier,
					 &s.input_left_shift))
		return lower_fail(l, "input scale %g cannot be represented (TFLite's int16 "
				  "multiplier must lie in 1..32767)", (double)u->in_scale);
	lower_need_isa(l, 9);
	return lower_emit(l, &s, sizeof(s));
}

/*
 * LOGISTIC, TANH, HARD_SWISH: a TABLE (ISA 1.3) filled by act_table.c;
 * int16 LOGISTIC and TANH as SIGMOID_S16 (TFLite has no int16 HARD_SWISH).
 */
int lower_table_act(struct lowering *l, const struct tflite_operator *op, int32_t builtin)
{
	int8_t table[ACT_TABLE_ENTRIES];
	struct aiot_isa_op_table t;
	size_t offset = 0;
	struct unary u;
	int rc;

	rc = lower_unary_operands(l, op, builtin != TFLITE_OP_HARD_SWISH, &u);
	if (rc)
		return rc;
	if (u.in.dtype == AIOT_ISA_DTYPE_INT16)
		return lower_sigmoid_s16(l, &u, builtin);
	switch (builtin) {
	case TFLITE_OP_LOGISTIC:
		/* what TFLite's Prepare() insists on for int8 */
		if (u.out_zp != -128 || fabsf(u.out_scale - 1.0f / 256) > 0.001f * (1.0f / 256))
			return lower_fail(l, "output must have scale 1/256 and zero point -128 "
					  "(has %g, %d)", (double)u.out_scale, u.out_zp);
		rc = act_table_logistic(u.in_scale, u.in_zp, table);
		break;
	case TFLITE_OP_TANH:
		if (u.out_zp != 0 || fabsf(u.out_scale - 1.0f / 128) > 0.001f * (1.0f / 128))
			return lower_fail(l, "output must have scale 1/128 and zero point 0 "
					  "(has %g, %d)", (double)u.out_scale, u.out_zp);
		rc = act_table_tanh(u.in_scale, u.in_zp, table);
		break;
	default:
		rc = act_table_hard_swish(u.in_scale, u.in_zp, u.out_scale, u.out_zp, table);
		break;
	}
	if (rc)
		return lower_fail(l, "input scale %g cannot be represented (%s)",
				  (double)u.in_scale, strerror(-rc));
	rc = lower_weights_append(l, table, sizeof(table), &offset);
	if (rc)
		return rc;
	lower_op_init(&t.hdr, sizeof(t), AIOT_ISA_OP_TABLE);
	t.input = u.in;
	t.output = u.out;
	t.table.binding = AIOT_ISA_BINDING_WEIGHTS;
	t.table.offset = (uint32_t)offset;
	lower_need_isa(l, 3);
	return lower_emit(l, &t, sizeof(t));
}
