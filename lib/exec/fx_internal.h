/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Fast executor internals: the data layouts the kernels share and the
 * table of kernels each SIMD level provides.
 *
 * Layouts (int16 throughout, so that products are exact):
 * - A (GEMM rows): one row per output element group, k contiguous, each
 *   value "input - input zero point" (in -255..255), rows padded with 0 to
 *   an even length kp.
 * - B (packed weights): blocks of FX_NR output channels; within a block,
 *   for each pair of k, FX_NR pairs (w[n][k], w[n][k+1]), so that one
 *   16-bit multiply-add gives a channel's two products. Values are
 *   "weight - filter zero point"; padding channels and k are 0.
 * - Depthwise image: the input with its padding made explicit, channels
 *   expanded by the depth multiplier and padded to FX_NR, "input - zero
 *   point"; weights [tap][channel], same channel padding.
 * Every product fits int16 (|w| <= 128, |x - zp| <= 255 for convolutions)
 * or int32, and the int32 sums wrap exactly as the reference's do.
 */
#ifndef AIOT_FX_INTERNAL_H
#define AIOT_FX_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "aiot_isa.h"

/* Output channels per packed weight block, and channel padding. */
#define FX_NR	16

/* Per output channel requantization, arrays padded to FX_NR. */
struct fx_rq {
	const s32 *bias;
	const s32 *mult;	/* clamped to >= 0 */
	const s32 *shift;	/* clamped to -31..30 */
	const s32 *left;	/* max(shift, 0) */
	const s32 *left_mul;	/* 1 << left */
	const s32 *right;	/* max(-shift, 0) */
	const s32 *rmask;	/* (1 << right) - 1 */
	const s32 *rhalf;	/* rmask >> 1 */
	s32 zero_point, act_min, act_max;
};

/* out[m * ldc + n] = requant(sum_k a[m][k] * b[n][k]), n < n_cols. */
struct fx_gemm {
	const s16 *a;
	size_t lda;
	u32 m;
	const s16 *b;
	u32 kp;
	u32 n;
	const struct fx_rq *rq;
	s8 *c;
	size_t ldc;
};

/* Depthwise convolution of one batch over an explicit-padding image. */
struct fx_dw {
	const s16 *img;
	u32 img_w;		/* padded width, in pixels */
	u32 cp;			/* channel stride of img and w */
	const s16 *w;
	u32 kh, kw, sh, sw, dh, dw;
	u32 oh, ow, cout;
	const struct fx_rq *rq;
	s8 *out;
};

struct fx_kernels {
	const char *name;
	void (*gemm)(const struct fx_gemm *g);
	void (*dwconv)(const struct fx_dw *d);
};

extern const struct fx_kernels fx_kernels_scalar;
/* NULL where this build has no such kernels. */
extern const struct fx_kernels *const fx_kernels_sse41;
extern const struct fx_kernels *const fx_kernels_avx2;
extern const struct fx_kernels *const fx_kernels_neon;

#endif /* AIOT_FX_INTERNAL_H */
