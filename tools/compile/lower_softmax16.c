// SPDX-License-Identifier: GPL-2.0-only
/*
 * ISA 1.9 lowering of int16 SOFTMAX (TensorFlow Lite's 16x8 quantization)
 * to SOFTMAX_S16, with TensorFlow Lite Micro's rules: int16 input with
 * zero point 0, int16 output of scale 1/32768 and zero point 0, and the
 * input rescaled so that differences of -65535..0 span exp() over
 * [-10, 0]. The two interpolation tables go into the weights.
 */
#include "lower_internal.h"
#include "quant.h"
#include "softmax_lut.h"
#include "../../lib/le_bytes.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* The largest shift SOFTMAX_S16 takes: -65535 * 2^15 still fits int32. */
#define SOFTMAX_S16_MAX_SHIFT 15

static int softmax16_table(struct lowering *l, void (*gen)(int16_t *),
			   struct aiot_isa_array_ref *ref)
{
	int16_t lut[SOFTMAX_LUT_ENTRIES];
	uint8_t bytes[sizeof(lut)];
	size_t offset;
	int rc;

	gen(lut);
	for (int i = 0; i < SOFTMAX_LUT_ENTRIES; i++)
		aiot_le16_put(bytes + 2 * i, (uint16_t)lut[i]);
	rc = lower_weights_append(l, bytes, sizeof(bytes), &offset);
	if (rc)
		return rc;
	memset(ref, 0, sizeof(*ref));
	ref->binding = AIOT_ISA_BINDING_WEIGHTS;
	ref->offset = (uint32_t)offset;
	return 0;
}

int lower_softmax_s16(struct lowering *l, const struct tflite_operator *op)
{
	const struct tflite_tensor *out_t = &l->m->tensors[op->outputs[0]];
	struct aiot_isa_op_softmax_s16 s;
	float in_scale = 0.0f, out_scale = 0.0f, beta = op->options.softmax.beta;
	int32_t in_zp = 0, out_zp = 0;
	int shift, rc;

	if (out_t->type != TFLITE_TYPE_INT16) {
		snprintf(l->msg, sizeof(l->msg), "int16 softmax output must be int16, not %s",
			 lower_type_name(out_t->type));
		return -EOPNOTSUPP;
	}
	lower_op_init(&s.hdr, sizeof(s), AIOT_ISA_OP_SOFTMAX_S16);
	rc = lower_isa_tensor(l, op->inputs[0], &s.input);
	if (!rc) rc = lower_isa_tensor(l, op->outputs[0], &s.output);
	if (!rc) rc = lower_per_tensor_quant(l, op->inputs[0], &in_scale, &in_zp);
	if (!rc) rc = lower_per_tensor_quant(l, op->outputs[0], &out_scale, &out_zp);
	if (rc)
		return rc;
	if (in_zp)
		return lower_fail(l, "int16 softmax input zero point must be 0, not %d", in_zp);
	/* TFLite Micro's tolerance for the output scale. */
	if (fabs((double)out_scale - 1.0 / 32768) > 0.001 / 32768 || out_zp)
		return lower_fail(l, "int16 softmax output must be scale 1/32768, zero point 0 "
				  "(have %g, %d)", (double)out_scale, out_zp);
	if (!(beta > 0.0f) || !isfinite(beta))
		return lower_fail(l, "int16 softmax beta must be positive (have %g)",
				  (double)beta);
	/* TFLM: differences of -65535..0 onto exp() over [-10, 0]. */
	rc = quant_quantize_multiplier((double)in_scale * (double)beta / (10.0 / 65535.0),
				       &s.input_multiplier, &shift);
	if (rc || shift > SOFTMAX_S16_MAX_SHIFT)
		return lower_fail(l, "int16 softmax: beta %g x input scale %g is too large "
				  "(the input shift would exceed %d)", (double)beta,
				  (double)in_scale, SOFTMAX_S16_MAX_SHIFT);
	s.input_shift = shift;
	rc = softmax16_table(l, softmax_lut_exp, &s.exp_table);
	if (!rc)
		rc = softmax16_table(l, softmax_lut_one_over_one_plus_x,
				     &s.one_over_one_plus_x_table);
	if (rc)
		return rc;
	lower_need_isa(l, 9);
	return lower_emit(l, &s, sizeof(s));
}
