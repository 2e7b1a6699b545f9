// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Fast executor: AVX2 kernels (built with -mavx2, only called when the CPU
 * has AVX2). GEMM: 6 rows x 16 channels per step with vpmaddwd on int16
 * pairs; depthwise: 16 channels per step with exact int16 products.
 * Requantization is gemmlowp's double rounding, lane by lane, exactly as
 * aiot_mbqm() in kernel/isa/aiot_isa_math.h.
 */
#include "fx_internal.h"

#if defined(__x86_64__) && defined(__AVX2__)
#include <immintrin.h>
#include <string.h>

#define FX_MR	6

static inline __m256i fx_ld(const s32 *p)
{
	return _mm256_loadu_si256((const __m256i *)p);
}

/* Requantize 8 int32 sums of channels n..n+7. */
static inline __m256i fx_rq8(__m256i acc, const struct fx_rq *rq, u32 n)
{
	const __m256i one = _mm256_set1_epi32(1);
	const __m256i nudge = _mm256_set1_epi64x(1LL << 30);
	__m256i x, m, pe, po, h, e, mask, rem, thr;

	x = _mm256_add_epi32(acc, fx_ld(rq->bias + n));
	x = _mm256_sllv_epi32(x, fx_ld(rq->left + n));
	m = fx_ld(rq->mult + n);
	/*
	 * High half of 2*x*m rounded: (x*m + 2^30) >> 31 (floor) equals the
	 * reference's round-half-away-from-zero then truncating division.
	 */
	pe = _mm256_mul_epi32(x, m);
	po = _mm256_mul_epi32(_mm256_srli_epi64(x, 32), _mm256_srli_epi64(m, 32));
	pe = _mm256_srli_epi64(_mm256_add_epi64(pe, nudge), 31);
	po = _mm256_srli_epi64(_mm256_add_epi64(po, nudge), 31);
	h = _mm256_blend_epi32(pe, _mm256_slli_epi64(po, 32), 0xaa);
	/* Rounding divide by 2^right, ties away from zero. */
	e = fx_ld(rq->right + n);
	mask = _mm256_sub_epi32(_mm256_sllv_epi32(one, e), one);
	rem = _mm256_and_si256(h, mask);
	thr = _mm256_sub_epi32(_mm256_srai_epi32(mask, 1),
			       _mm256_cmpgt_epi32(_mm256_setzero_si256(), h));
	h = _mm256_sub_epi32(_mm256_srav_epi32(h, e), _mm256_cmpgt_epi32(rem, thr));
	h = _mm256_add_epi32(h, _mm256_set1_epi32(rq->zero_point));
	h = _mm256_max_epi32(h, _mm256_set1_epi32(rq->act_min));
	return _mm256_min_epi32(h, _mm256_set1_epi32(rq->act_max));
}

/* Store 16 requantized channels (values already within int8). */
static inline void fx_store16(s8 *dst, __m256i lo, __m256i hi, u32 count)
{
	__m256i p = _mm256_permute4x64_epi64(_mm256_packs_epi32(lo, hi), 0xd8);
	__m128i b = _mm_packs_epi16(_mm256_castsi256_si128(p),
				    _mm256_extracti128_si256(p, 1));

	if (count >= 16) {
		_mm_storeu_si128((__m128i *)dst, b);
	} else {
		s8 tmp[16];

		_mm_storeu_si128((__m128i *)tmp, b);
		memcpy(dst, tmp, count);
	}
}

static inline __m256i fx_bcast_pair(const s16 *p)
{
	s32 v;

	memcpy(&v, p, sizeof(v));
	return _mm256_set1_epi32(v);
}

#define FX_STEP(r)							\
	do {								\
		__m256i x = fx_bcast_pair(a[r] + p);			\
		lo[r] = _mm256_add_epi32(lo[r], _mm256_madd_epi16(x, b0));	\
		hi[r] = _mm256_add_epi32(hi[r], _mm256_madd_epi16(x, b1));	\
	} while (0)

static void fx_gemm_avx2(const struct fx_gemm *g)
{
	u32 m, nb, p, r, rows;

	for (m = 0; m < g->m; m += FX_MR) {
		const s16 *a[FX_MR];

		rows = g->m - m < FX_MR ? g->m - m : FX_MR;
		for (r = 0; r < FX_MR; r++)
			a[r] = g->a + (size_t)(m + (r < rows ? r : 0)) * g->lda;
		for (nb = 0; nb < g->n; nb += FX_NR) {
			const s16 *b = g->b + (size_t)nb * g->kp;
			__m256i lo[FX_MR], hi[FX_MR];
			u32 count = g->n - nb < FX_NR ? g->n - nb : FX_NR;

			for (r = 0; r < FX_MR; r++)
				lo[r] = hi[r] = _mm256_setzero_si256();
			for (p = 0; p < g->kp; p += 2, b += 2 * FX_NR) {
				__m256i b0 = _mm256_loadu_si256((const __m256i *)b);
				__m256i b1 = _mm256_loadu_si256((const __m256i *)(b + 16));

				FX_STEP(0);
				FX_STEP(1);
				FX_STEP(2);
				FX_STEP(3);
				FX_STEP(4);
				FX_STEP(5);
			}
			/* Up to 8 channels: no need to requantize the rest. */
			for (r = 0; r < rows; r++)
				fx_store16(g->c + (size_t)(m + r) * g->ldc + nb,
					   fx_rq8(lo[r], g->rq, nb),
					   count > 8 ? fx_rq8(hi[r], g->rq, nb + 8) :
					   _mm256_setzero_si256(),
					   count);
		}
	}
}

static void fx_dwconv_avx2(const struct fx_dw *d)
{
	u32 oy, ox, c, fy, fx;

	for (oy = 0; oy < d->oh; oy++) {
		for (ox = 0; ox < d->ow; ox++) {
			s8 *out = d->out + ((size_t)oy * d->ow + ox) * d->cout;

			for (c = 0; c < d->cout; c += FX_NR) {
				__m256i lo = _mm256_setzero_si256(), hi = lo;
				u32 count = d->cout - c < FX_NR ? d->cout - c : FX_NR;

				for (fy = 0; fy < d->kh; fy++) {
					size_t y = (size_t)oy * d->sh + (size_t)fy * d->dh;
					const s16 *row = d->img + (y * d->img_w +
								   (size_t)ox * d->sw) * d->cp + c;
					const s16 *wr = d->w + (size_t)fy * d->kw * d->cp + c;

					for (fx = 0; fx < d->kw; fx++) {
						__m256i x = _mm256_loadu_si256((const __m256i *)
							(row + (size_t)fx * d->dw * d->cp));
						__m256i w = _mm256_loadu_si256((const __m256i *)
							(wr + (size_t)fx * d->cp));
						__m256i pr = _mm256_mullo_epi16(x, w);

						lo = _mm256_add_epi32(lo, _mm256_cvtepi16_epi32(
							_mm256_castsi256_si128(pr)));
						hi = _mm256_add_epi32(hi, _mm256_cvtepi16_epi32(
							_mm256_extracti128_si256(pr, 1)));
					}
				}
				fx_store16(out + c, fx_rq8(lo, d->rq, c),
					   count > 8 ? fx_rq8(hi, d->rq, c + 8) :
					   _mm256_setzero_si256(), count);
			}
		}
	}
}

static const struct fx_kernels fx_avx2 = {
	.name = "avx2",
	.gemm = fx_gemm_avx2,
	.dwconv = fx_dwconv_avx2,
};

const struct fx_kernels *const fx_kernels_avx2 = &fx_avx2;
#else
const struct fx_kernels *const fx_kernels_avx2;
#endif
