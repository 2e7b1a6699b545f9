// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Fast executor: portable kernels. They use the packed layouts of the SIMD
 * kernels (fx_internal.h) and the reference's requantization helpers, so
 * any machine runs the same plan, only slower.
 */
#include "fx_internal.h"
#include "aiot_isa_math.h"

static s8 fx_rq_one(const struct fx_rq *rq, u32 n, s32 acc)
{
	return (s8)aiot_requantize_acc(aiot_wrap_add(acc, rq->bias[n]),
				       rq->mult[n], rq->shift[n],
				       rq->zero_point, rq->act_min,
				       rq->act_max);
}

static void fx_gemm_scalar(const struct fx_gemm *g)
{
	u32 m, n, p;

	for (m = 0; m < g->m; m++) {
		const s16 *a = g->a + (size_t)m * g->lda;

		for (n = 0; n < g->n; n++) {
			const s16 *b = g->b + (size_t)(n / FX_NR) * FX_NR * g->kp +
				       (n % FX_NR) * 2;
			u32 acc = 0;

			for (p = 0; p < g->kp; p += 2, b += 2 * FX_NR)
				acc += (u32)((s32)a[p] * b[0] +
					     (s32)a[p + 1] * b[1]);
			g->c[(size_t)m * g->ldc + n] = fx_rq_one(g->rq, n,
								 (s32)acc);
		}
	}
}

static void fx_dwconv_scalar(const struct fx_dw *d)
{
	u32 oy, ox, c, fy, fx;

	for (oy = 0; oy < d->oh; oy++) {
		for (ox = 0; ox < d->ow; ox++) {
			s8 *out = d->out + ((size_t)oy * d->ow + ox) * d->cout;

			for (c = 0; c < d->cout; c++) {
				u32 acc = 0;

				for (fy = 0; fy < d->kh; fy++) {
					size_t y = (size_t)oy * d->sh +
						   (size_t)fy * d->dh;

					for (fx = 0; fx < d->kw; fx++) {
						size_t x = (size_t)ox * d->sw +
							   (size_t)fx * d->dw;
						s32 v = d->img[(y * d->img_w + x) *
							       d->cp + c];
						s32 w = d->w[((size_t)fy * d->kw +
							      fx) * d->cp + c];

						acc += (u32)(v * w);
					}
				}
				out[c] = fx_rq_one(d->rq, c, (s32)acc);
			}
		}
	}
}

const struct fx_kernels fx_kernels_scalar = {
	.name = "scalar",
	.gemm = fx_gemm_scalar,
	.dwconv = fx_dwconv_scalar,
};
