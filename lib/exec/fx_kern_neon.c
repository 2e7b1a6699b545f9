// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Fast executor: arm64 Advanced SIMD kernels. GEMM: 4 rows x 16 channels
 * per step, the packed int16 pairs split by vld2q and accumulated with
 * widening multiply-adds; depthwise: 8 channels per step. Requantization
 * uses gemmlowp's NEON forms, which equal its scalar double rounding:
 * vqrdmulhq_s32 is (2*x*m + 2^31) >> 32, i.e. the reference's rounded high
 * half; the rounding right shift is vrshlq_s32 after subtracting one from
 * negative values.
 *
 * Compiled for arm64 only and, at the time of writing, checked by
 * compiling (clang --target=aarch64-linux-gnu) but not run: there is no
 * arm64 machine or user-mode emulator here. The host tests select it on an
 * arm64 machine like any other level.
 */
#include "fx_internal.h"

#if defined(__aarch64__) && defined(__ARM_NEON)
#include <arm_neon.h>

#define FX_MR	4

/* Requantize 4 int32 sums of channels n..n+3. */
static inline int32x4_t fx_rq4(int32x4_t acc, const struct fx_rq *rq, u32 n)
{
	int32x4_t x = vaddq_s32(acc, vld1q_s32(rq->bias + n));
	int32x4_t neg_right = vnegq_s32(vld1q_s32(rq->right + n));
	int32x4_t fixup;

	x = vshlq_s32(x, vld1q_s32(rq->left + n));
	x = vqrdmulhq_s32(x, vld1q_s32(rq->mult + n));
	fixup = vshrq_n_s32(vandq_s32(x, neg_right), 31);
	x = vrshlq_s32(vqaddq_s32(x, fixup), neg_right);
	x = vaddq_s32(x, vdupq_n_s32(rq->zero_point));
	x = vmaxq_s32(x, vdupq_n_s32(rq->act_min));
	return vminq_s32(x, vdupq_n_s32(rq->act_max));
}

/* Store 8 requantized channels (values already within int8). */
static inline void fx_store8(s8 *dst, int32x4_t lo, int32x4_t hi, u32 count)
{
	int8x8_t b = vmovn_s16(vcombine_s16(vmovn_s32(lo), vmovn_s32(hi)));

	if (count >= 8) {
		vst1_s8(dst, b);
	} else {
		s8 tmp[8];

		vst1_s8(tmp, b);
		memcpy(dst, tmp, count);
	}
}

static void fx_gemm_neon(const struct fx_gemm *g)
{
	u32 m, nb, p, r, j, rows;

	for (m = 0; m < g->m; m += FX_MR) {
		const s16 *a[FX_MR];

		rows = g->m - m < FX_MR ? g->m - m : FX_MR;
		for (r = 0; r < FX_MR; r++)
			a[r] = g->a + (size_t)(m + (r < rows ? r : 0)) * g->lda;
		for (nb = 0; nb < g->n; nb += FX_NR) {
			const s16 *b = g->b + (size_t)nb * g->kp;
			int32x4_t c[FX_MR][4];
			u32 count = g->n - nb < FX_NR ? g->n - nb : FX_NR;

			for (r = 0; r < FX_MR; r++)
				for (j = 0; j < 4; j++)
					c[r][j] = vdupq_n_s32(0);
			for (p = 0; p < g->kp; p += 2, b += 2 * FX_NR) {
				/* .val[0]: w[n][k], .val[1]: w[n][k + 1] */
				int16x8x2_t b0 = vld2q_s16(b);
				int16x8x2_t b1 = vld2q_s16(b + 16);

				for (r = 0; r < FX_MR; r++) {
					int16x4_t x = vdup_n_s16(0);

					x = vld1_lane_s16(a[r] + p, x, 0);
					x = vld1_lane_s16(a[r] + p + 1, x, 1);
					c[r][0] = vmlal_lane_s16(c[r][0], vget_low_s16(b0.val[0]), x, 0);
					c[r][0] = vmlal_lane_s16(c[r][0], vget_low_s16(b0.val[1]), x, 1);
					c[r][1] = vmlal_lane_s16(c[r][1], vget_high_s16(b0.val[0]), x, 0);
					c[r][1] = vmlal_lane_s16(c[r][1], vget_high_s16(b0.val[1]), x, 1);
					c[r][2] = vmlal_lane_s16(c[r][2], vget_low_s16(b1.val[0]), x, 0);
					c[r][2] = vmlal_lane_s16(c[r][2], vget_low_s16(b1.val[1]), x, 1);
					c[r][3] = vmlal_lane_s16(c[r][3], vget_high_s16(b1.val[0]), x, 0);
					c[r][3] = vmlal_lane_s16(c[r][3], vget_high_s16(b1.val[1]), x, 1);
				}
			}
			for (r = 0; r < rows; r++) {
				s8 *dst = g->c + (size_t)(m + r) * g->ldc + nb;

				fx_store8(dst, fx_rq4(c[r][0], g->rq, nb),
					  fx_rq4(c[r][1], g->rq, nb + 4), count);
				if (count > 8)
					fx_store8(dst + 8, fx_rq4(c[r][2], g->rq, nb + 8),
						  fx_rq4(c[r][3], g->rq, nb + 12), count - 8);
			}
		}
	}
}

static void fx_dwconv_neon(const struct fx_dw *d)
{
	u32 oy, ox, c, fy, fx;

	for (oy = 0; oy < d->oh; oy++) {
		for (ox = 0; ox < d->ow; ox++) {
			s8 *out = d->out + ((size_t)oy * d->ow + ox) * d->cout;

			for (c = 0; c < d->cout; c += 8) {
				int32x4_t lo = vdupq_n_s32(0), hi = lo;
				u32 count = d->cout - c < 8 ? d->cout - c : 8;

				for (fy = 0; fy < d->kh; fy++) {
					size_t y = (size_t)oy * d->sh + (size_t)fy * d->dh;
					const s16 *row = d->img + (y * d->img_w +
								   (size_t)ox * d->sw) * d->cp + c;
					const s16 *wr = d->w + (size_t)fy * d->kw * d->cp + c;

					for (fx = 0; fx < d->kw; fx++) {
						int16x8_t x = vld1q_s16(row + (size_t)fx * d->dw * d->cp);
						int16x8_t w = vld1q_s16(wr + (size_t)fx * d->cp);

						lo = vmlal_s16(lo, vget_low_s16(x), vget_low_s16(w));
						hi = vmlal_high_s16(hi, x, w);
					}
				}
				fx_store8(out + c, fx_rq4(lo, d->rq, c), fx_rq4(hi, d->rq, c + 4),
					  count);
			}
		}
	}
}

static const struct fx_kernels fx_neon = {
	.name = "neon",
	.gemm = fx_gemm_neon,
	.dwconv = fx_dwconv_neon,
};

const struct fx_kernels *const fx_kernels_neon = &fx_neon;
#else
const struct fx_kernels *const fx_kernels_neon;
#endif
