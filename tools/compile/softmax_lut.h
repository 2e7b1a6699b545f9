/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The two int16 tables of TensorFlow Lite Micro's int16 SOFTMAX, which
 * ISA 1.9's SOFTMAX_S16 interpolates (AIOT_ISA_SOFTMAX_S16_LUT_ENTRIES
 * entries each, Q0.15).
 */
#ifndef AIOT_COMPILE_SOFTMAX_LUT_H
#define AIOT_COMPILE_SOFTMAX_LUT_H

#include <stdint.h>

#define SOFTMAX_LUT_ENTRIES 513

/* exp(x) for x in [-10, 0]: the softmax numerators. */
void softmax_lut_exp(int16_t lut[SOFTMAX_LUT_ENTRIES]);
/* 1 / (1 + x) for x in [0, 1]: the reciprocal of the normalised sum. */
void softmax_lut_one_over_one_plus_x(int16_t lut[SOFTMAX_LUT_ENTRIES]);

#endif
