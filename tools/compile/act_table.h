/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The 256-entry tables of ISA 1.3's TABLE operation: TensorFlow Lite
 * Micro's int8 LOGISTIC, TANH and HARD_SWISH evaluated with their own
 * integer arithmetic (gemmlowp fixed point, no floating point after the
 * parameters are derived) for every int8 input, so that a table lookup is
 * bit-exact with the reference kernel. table[i] is the output for the
 * input value i - 128. See docs/isa.md.
 */
#ifndef AIOT_COMPILE_ACT_TABLE_H
#define AIOT_COMPILE_ACT_TABLE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ACT_TABLE_ENTRIES 256

/*
 * LOGISTIC (reference_integer_ops::Logistic, output scale 1/256, zero
 * point -128) and TANH (reference_integer_ops::Tanh, output scale 1/128,
 * zero point 0) for an input of scale in_scale and zero point in_zp.
 * -EDOM for a scale that is not positive and finite, -ERANGE for one the
 * kernels cannot represent (a negative input left shift).
 */
int act_table_logistic(float in_scale, int32_t in_zp, int8_t table[ACT_TABLE_ENTRIES]);
int act_table_tanh(float in_scale, int32_t in_zp, int8_t table[ACT_TABLE_ENTRIES]);

/*
 * HARD_SWISH (reference_ops::HardSwish<int8_t> with the parameters of
 * TFLite Micro's HardSwishPrepare). -ERANGE when the output multiplier's
 * exponent is positive, which TFLite refuses as well.
 */
int act_table_hard_swish(float in_scale, int32_t in_zp, float out_scale, int32_t out_zp,
			 int8_t table[ACT_TABLE_ENTRIES]);

#ifdef __cplusplus
}
#endif

#endif /* AIOT_COMPILE_ACT_TABLE_H */
