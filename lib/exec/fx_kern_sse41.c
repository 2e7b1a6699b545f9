// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Fast executor: SSE4.1 kernels (built with -msse4.1, only called when the
 * CPU has SSE4.1). GEMM: 2 rows x 16 channels per step with pmaddwd;
 * depthwise: 8 channels per step. SSE has no per-lane variable shifts: the
 * left shift is a multiplication by 2^left (same wrap-around) and the
 * rounding right shift goes lane by lane.
 */
#include "fx_internal.h"

#if defined(__x86_64__) && defined(__SSE4_1__)
#include <smmintrin.h>
#include <string.h>

#define FX_MR	2

static inline __m128i fx_ld(const s32 *p)
{
	return _mm_loadu_si128((const __m128i *)p);
}

/* Arithmetic shift of each lane by its own count (0..31). */
static inline __m128i fx_srav4(__m128i h, const s32 *e)
{
	__m128i r0 = _mm_sra_epi32(h, _mm_cvtsi32_si128(e[0]));
	__m128i r1 = _mm_sra_epi32(h, _mm_cvtsi32_si128(e[1]));
	__m128i r2 = _mm_sra_epi32(h, _mm_cvtsi32_si128(e[2]));
	__m128i r3 = _mm_sra_epi32(h, _mm_cvtsi32_si128(e[3]));

	r0 = _mm_blend_epi16(r0, r1, 0x0c);
	r2 = _mm_blend_epi16(r2, r3, 0xc0);
	return _mm_blend_epi16(r0, r2, 0xf0);
}

/* Requantize 4 int32 sums of channels n..n+3 (see fx_kern_avx2.c). */
static inline __m128i fx_rq4(__m128i acc, const struct fx_rq *rq, u32 n)
{
	const __m128i nudge = _mm_set1_epi64x(1LL << 30);
	__m128i x, m, pe, po, h, rem, thr;

	x = _mm_add_epi32(acc, fx_ld(rq->bias + n));
	x = _mm_mullo_epi32(x, fx_ld(rq->left_mul + n));
	m = fx_ld(rq->mult + n);
	pe = _mm_mul_epi32(x, m);
	po = _mm_mul_epi32(_mm_srli_epi64(x, 32), _mm_srli_epi64(m, 32));
	pe = _mm_srli_epi64(_mm_add_epi64(pe, nudge), 31);
	po = _mm_srli_epi64(_mm_add_epi64(po, nudge), 31);
	h = _mm_blend_epi16(pe, _mm_slli_epi64(po, 32), 0xcc);
	rem = _mm_and_si128(h, fx_ld(rq->rmask + n));
	thr = _mm_sub_epi32(fx_ld(rq->rhalf + n),
			    _mm_cmpgt_epi32(_mm_setzero_si128(), h));
	h = _mm_sub_epi32(fx_srav4(h, rq->right + n), _mm_cmpgt_epi32(rem, thr));
	h = _mm_add_epi32(h, _mm_set1_epi32(rq->zero_point));
	h = _mm_max_epi32(h, _mm_set1_epi32(rq->act_min));
	return _mm_min_epi32(h, _mm_set1_epi32(rq->act_max));
}

/* Store 8 requantized channels (values already within int8). */
static inline void fx_store8(s8 *dst, __m128i lo, __m128i hi, u32 count)
{
	__m128i b = _mm_packs_epi16(_mm_packs_epi32(lo, hi), _mm_setzero_si128());

	if (count >= 8) {
		_mm_storel_epi64((__m128i *)dst, b);
	} else {
		s8 tmp[16];

		_mm_storeu_si128((__m128i *)tmp, b);
		memcpy(dst, tmp, count);
	}
}

static inline __m128i fx_bcast_pair(const s16 *p)
{
	s32 v;

	memcpy(&v, p, sizeof(v));
	return _mm_set1_epi32(v);
}

static void fx_gemm_sse41(const struct fx_gemm *g)
{
	u32 m, nb, p, r, j, rows;

	for (m = 0; m < g->m; m += FX_MR) {
		const s16 *a0 = g->a + (size_t)m * g->lda;
		const s16 *a1;

		rows = g->m - m < FX_MR ? g->m - m : FX_MR;
		a1 = rows > 1 ? a0 + g->lda : a0;
		for (nb = 0; nb < g->n; nb += FX_NR) {
			const s16 *b = g->b + (size_t)nb * g->kp;
			__m128i c0[4], c1[4];
			u32 count = g->n - nb < FX_NR ? g->n - nb : FX_NR;

			for (j = 0; j < 4; j++)
				c0[j] = c1[j] = _mm_setzero_si128();
			for (p = 0; p < g->kp; p += 2, b += 2 * FX_NR) {
				__m128i x0 = fx_bcast_pair(a0 + p);
				__m128i x1 = fx_bcast_pair(a1 + p);

				for (j = 0; j < 4; j++) {
					__m128i bj = _mm_loadu_si128((const __m128i *)(b + 8 * j));

					c0[j] = _mm_add_epi32(c0[j], _mm_madd_epi16(x0, bj));
					c1[j] = _mm_add_epi32(c1[j], _mm_madd_epi16(x1, bj));
				}
			}
			for (r = 0; r < rows; r++) {
				__m128i *c = r ? c1 : c0;
				s8 *dst = g->c + (size_t)(m + r) * g->ldc + nb;

				fx_store8(dst, fx_rq4(c[0], g->rq, nb),
					  fx_rq4(c[1], g->rq, nb + 4), count);
				if (count > 8)
					fx_store8(dst + 8, fx_rq4(c[2], g->rq, nb + 8),
						  fx_rq4(c[3], g->rq, nb + 12),
						  count - 8);
			}
		}
	}
}

static void fx_dwconv_sse41(const struct fx_dw *d)
{
	u32 oy, ox, c, fy, fx;

	for (oy = 0; oy < d->oh; oy++) {
		for (ox = 0; ox < d->ow; ox++) {
			s8 *out = d->out + ((size_t)oy * d->ow + ox) * d->cout;

			for (c = 0; c < d->cout; c += 8) {
				__m128i lo = _mm_setzero_si128(), hi = lo;
				u32 count = d->cout - c < 8 ? d->cout - c : 8;

				for (fy = 0; fy < d->kh; fy++) {
					size_t y = (size_t)oy * d->sh + (size_t)fy * d->dh;
					const s16 *row = d->img + (y * d->img_w +
								   (size_t)ox * d->sw) * d->cp + c;
					const s16 *wr = d->w + (size_t)fy * d->kw * d->cp + c;

					for (fx = 0; fx < d->kw; fx++) {
						__m128i x = _mm_loadu_si128((const __m128i *)
							(row + (size_t)fx * d->dw * d->cp));
						__m128i w = _mm_loadu_si128((const __m128i *)
							(wr + (size_t)fx * d->cp));
						__m128i pr = _mm_mullo_epi16(x, w);

						lo = _mm_add_epi32(lo, _mm_cvtepi16_epi32(pr));
						hi = _mm_add_epi32(hi, _mm_cvtepi16_epi32(
							_mm_srli_si128(pr, 8)));
					}
				}
				fx_store8(out + c, fx_rq4(lo, d->rq, c),
					  fx_rq4(hi, d->rq, c + 4), count);
			}
		}
	}
}

static const struct fx_kernels fx_sse41 = {
	.name = "sse4.1",
	.gemm = fx_gemm_sse41,
	.dwconv = fx_dwconv_sse41,
};

const struct fx_kernels *const fx_kernels_sse41 = &fx_sse41;
#else
const struct fx_kernels *const fx_kernels_sse41;
#endif
