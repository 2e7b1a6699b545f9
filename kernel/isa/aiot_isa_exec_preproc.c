// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * aiot ISA reference executor: the ISA 1.4 preprocessing operations.
 *
 * RESIZE is TFLite's int8 RESIZE_NEAREST_NEIGHBOR (its float index
 * arithmetic done exactly in integers) and RESIZE_BILINEAR
 * (ResizeBilinearInteger, 10-bit fixed point). FRAME_TO_TENSOR converts
 * the pixels of a camera frame to the output's channels, resizes them the
 * same way and quantises them. Only validated operations get here; frame
 * and tensor data are untrusted values that never choose an address.
 */

#include "aiot_isa_preproc.h"
#include "aiot_isa_exec.h"
#include "aiot_isa_math.h"

/* The stop hook is polled every this many output elements. */
#define AIOT_ISA_PREPROC_STEP	1024u

/* Where one output coordinate reads along one axis. */
struct aiot_isa_tap {
	u32 lo;		/* nearest: the index; bilinear: the lower index */
	u32 hi;		/* bilinear: the upper index */
	s32 frac;	/* bilinear: 2^10 * position - 2^10 * lo */
};

/* @v rounded to 24 significant bits, ties to even: a float's mantissa. */
static u64 aiot_isa_round24(u64 v)
{
	u64 rem, half;
	int len = 0, d;

	while (len < 64 && (v >> len))
		len++;
	if (len <= 24)
		return v;
	d = len - 24;
	rem = v & ((1ULL << d) - 1);
	half = 1ULL << (d - 1);
	v >>= d;
	if (rem > half || (rem == half && (v & 1)))
		v++;
	return v << d;
}

/*
 * TFLite's GetNearestNeighbor, which computes in single-precision float:
 * scale = in / out (align_corners with out > 1: (in - 1) / (out - 1)),
 * index = (o + (half_pixel_centers ? 1/2 : 0)) * scale, rounded half away
 * from zero for align_corners and floored otherwise, at most in - 1. Both
 * float roundings (the quotient and the product, to nearest even) are
 * done here exactly in integers, so the result is TFLite's bit for bit.
 */
static u32 aiot_isa_nearest(u32 o, u32 in, u32 out, u32 flags)
{
	bool align = flags & AIOT_ISA_RESIZE_ALIGN_CORNERS;
	u64 a = in, b = out, m, r, p;
	int k = 0;

	if (align && out > 1) {
		a = in - 1;
		b = out - 1;
	}
	if (!a)
		return 0;
	/* scale = m / 2^k with m of 24 bits; a, b < 2^16 so k < 40 */
	while ((a << k) / b < (1u << 23))
		k++;
	m = (a << k) / b;
	r = (a << k) % b;
	if (2 * r > b || (2 * r == b && (m & 1)))
		m++;
	/* (o + offset) * scale = p / 2^(k + 1), p < 2^42 */
	p = (2 * (u64)o + !!(flags & AIOT_ISA_RESIZE_HALF_PIXEL_CENTERS)) * m;
	p = aiot_isa_round24(p);
	if (align)
		p += 1ULL << k;
	p >>= k + 1;
	return p < in - 1 ? (u32)p : in - 1;
}

/*
 * TFLite's ComputeInterpolationValuesInteger. Where TFLite's lower index
 * would pass the last row (large upscales), it is clamped to it too.
 */
static void aiot_isa_bilinear(u32 o, u32 in, u32 out, u32 flags,
			      struct aiot_isa_tap *t)
{
	s64 scale = aiot_isa_resize_scale10(in, out, flags);
	s64 pos = (s64)o * scale, lo, hi;

	if (flags & AIOT_ISA_RESIZE_HALF_PIXEL_CENTERS)
		pos += scale / 2 - 512;
	/* Division truncates toward zero, as in TFLite. */
	lo = pos / 1024;
	hi = (pos + 1023) / 1024;
	if (lo < 0)
		lo = 0;
	if (lo > in - 1)
		lo = in - 1;
	if (hi > in - 1)
		hi = in - 1;
	t->lo = (u32)lo;
	t->hi = (u32)hi;
	t->frac = (s32)(pos - lo * 1024);
}

static void aiot_isa_tap(u32 mode, u32 o, u32 in, u32 out, u32 flags,
			 struct aiot_isa_tap *t)
{
	if (mode == AIOT_ISA_RESIZE_BILINEAR) {
		aiot_isa_bilinear(o, in, out, flags, t);
	} else {
		t->lo = aiot_isa_nearest(o, in, out, flags);
		t->hi = t->lo;
		t->frac = 0;
	}
}

/*
 * Four neighbours weighted in 2^20ths, rounded half away from zero
 * (TFLite's default double rounding): v[0] at (lo, lo), v[1] at (hi, lo),
 * v[2] at (lo, hi), v[3] at (hi, hi) as (y, x).
 */
static s32 aiot_isa_lerp(const s32 *v, s32 fy, s32 fx)
{
	s64 acc = (s64)v[0] * (1024 - fy) * (1024 - fx) +
		  (s64)v[1] * fy * (1024 - fx) +
		  (s64)v[2] * (1024 - fy) * fx +
		  (s64)v[3] * fy * fx;

	acc += acc > 0 ? (1 << 19) : -(1 << 19);
	return (s32)(acc / (1 << 20));
}

int aiot_isa_exec_resize(void *const *bindings,
			 const struct aiot_isa_op_resize *op,
			 aiot_isa_tick_fn tick, void *ex)
{
	const u8 *in = (const u8 *)bindings[op->input.binding] +
		       op->input.offset;
	u8 *out = (u8 *)bindings[op->output.binding] + op->output.offset;
	u8 dtype = op->input.dtype;
	const u32 *id = op->input.dims, *od = op->output.dims;
	const struct aiot_isa_window *w = &op->crop;
	u64 step = (u64)AIOT_ISA_PREPROC_STEP *
		   (op->mode == AIOT_ISA_RESIZE_BILINEAR ? 4 : 1);
	struct aiot_isa_tap ty, tx;
	size_t done = 0, row_y0, row_y1, p[4];
	u32 n, y, x, c;
	s32 v[4];

	for (n = 0; n < od[0]; n++) {
		for (y = 0; y < od[1]; y++) {
			aiot_isa_tap(op->mode, y, w->height, od[1], op->flags,
				     &ty);
			row_y0 = ((size_t)n * id[1] + w->y + ty.lo) * id[2];
			row_y1 = ((size_t)n * id[1] + w->y + ty.hi) * id[2];
			for (x = 0; x < od[2]; x++) {
				aiot_isa_tap(op->mode, x, w->width, od[2],
					     op->flags, &tx);
				p[0] = (row_y0 + w->x + tx.lo) * id[3];
				p[1] = (row_y1 + w->x + tx.lo) * id[3];
				p[2] = (row_y0 + w->x + tx.hi) * id[3];
				p[3] = (row_y1 + w->x + tx.hi) * id[3];
				for (c = 0; c < od[3]; c++, done++) {
					if (done % AIOT_ISA_PREPROC_STEP == 0 &&
					    tick(ex, step))
						return -ECANCELED;
					v[0] = aiot_isa_elem(in, dtype, p[0] + c);
					if (op->mode == AIOT_ISA_RESIZE_BILINEAR) {
						v[1] = aiot_isa_elem(in, dtype,
								     p[1] + c);
						v[2] = aiot_isa_elem(in, dtype,
								     p[2] + c);
						v[3] = aiot_isa_elem(in, dtype,
								     p[3] + c);
						/* |v| < 2^15: s64 holds the sum */
						v[0] = aiot_isa_lerp(v, ty.frac,
								     tx.frac);
					}
					aiot_isa_put_elem(out, dtype, done, v[0]);
				}
			}
		}
	}
	return 0;
}

static s32 aiot_isa_clamp_u8(s32 v)
{
	return aiot_clamp_s32(v, 0, 255);
}

/*
 * BT.601 limited-range Y'CbCr to full-range R'G'B' in 8.8 fixed point,
 * rounded by adding 1/2 and flooring (arithmetic shift).
 */
static void aiot_isa_yuv_to_rgb(s32 y, s32 u, s32 v, s32 *rgb)
{
	s32 c = 298 * (y - 16) + 128, d = u - 128, e = v - 128;

	rgb[0] = aiot_isa_clamp_u8((c + 409 * e) >> 8);
	rgb[1] = aiot_isa_clamp_u8((c - 100 * d - 208 * e) >> 8);
	rgb[2] = aiot_isa_clamp_u8((c + 516 * d) >> 8);
}

/*
 * Pixel (@x, @y) of a validated frame as @channels values 0..255: luma
 * (1) or R, G, B (3, or B, G, R with AIOT_ISA_FRAME_BGR).
 */
static void aiot_isa_pixel(const u8 *base, const u8 *base1,
			   const struct aiot_isa_frame *f, u32 x, u32 y,
			   u32 channels, u32 flags, s32 *out)
{
	const u8 *row = base + f->offset[0] + (size_t)y * f->stride[0];
	const u8 *uv;
	s32 rgb[3], t;

	switch (f->format) {
	case AIOT_ISA_PIX_GREY:
		rgb[0] = row[x];
		rgb[1] = rgb[0];
		rgb[2] = rgb[0];
		if (channels == 1) {
			out[0] = rgb[0];
			return;
		}
		break;
	case AIOT_ISA_PIX_YUYV:
		uv = row + (size_t)(x & ~1u) * 2;
		aiot_isa_yuv_to_rgb(row[(size_t)x * 2], uv[1], uv[3], rgb);
		if (channels == 1) {
			out[0] = aiot_isa_clamp_u8((298 * (row[(size_t)x * 2] -
							   16) + 128) >> 8);
			return;
		}
		break;
	case AIOT_ISA_PIX_UYVY:
		uv = row + (size_t)(x & ~1u) * 2;
		aiot_isa_yuv_to_rgb(row[(size_t)x * 2 + 1], uv[0], uv[2], rgb);
		if (channels == 1) {
			out[0] = aiot_isa_clamp_u8((298 * (row[(size_t)x * 2 +
							       1] - 16) +
						    128) >> 8);
			return;
		}
		break;
	case AIOT_ISA_PIX_NV12:
	case AIOT_ISA_PIX_NV12M:
		uv = base1 + f->offset[1] + (size_t)(y / 2) * f->stride[1] +
		     (x & ~1u);
		aiot_isa_yuv_to_rgb(row[x], uv[0], uv[1], rgb);
		if (channels == 1) {
			out[0] = aiot_isa_clamp_u8((298 * (row[x] - 16) +
						    128) >> 8);
			return;
		}
		break;
	case AIOT_ISA_PIX_BGR24:
		rgb[2] = row[(size_t)x * 3];
		rgb[1] = row[(size_t)x * 3 + 1];
		rgb[0] = row[(size_t)x * 3 + 2];
		break;
	default: /* AIOT_ISA_PIX_RGB24 */
		rgb[0] = row[(size_t)x * 3];
		rgb[1] = row[(size_t)x * 3 + 1];
		rgb[2] = row[(size_t)x * 3 + 2];
		break;
	}
	if (channels == 1) {
		/* BT.601 luma of full-range R'G'B' (weights sum to 256). */
		out[0] = (77 * rgb[0] + 150 * rgb[1] + 29 * rgb[2] + 128) >> 8;
		return;
	}
	if (flags & AIOT_ISA_FRAME_BGR) {
		t = rgb[0];
		rgb[0] = rgb[2];
		rgb[2] = t;
	}
	out[0] = rgb[0];
	out[1] = rgb[1];
	out[2] = rgb[2];
}

int aiot_isa_exec_frame_to_tensor(void *const *bindings,
				  const struct aiot_isa_op_frame_to_tensor *op,
				  aiot_isa_tick_fn tick, void *ex)
{
	const struct aiot_isa_frame *f = &op->frame;
	const u8 *base = (const u8 *)bindings[f->binding];
	/* Plane 1: NV12M's is in a buffer of its own (ISA 1.6). */
	const u8 *base1 = f->format == AIOT_ISA_PIX_NV12M ?
			  (const u8 *)bindings[f->binding1] : base;
	s8 *out = (s8 *)bindings[op->output.binding] + op->output.offset;
	const u32 *od = op->output.dims;
	const struct aiot_isa_window *w = &op->crop;
	bool bilinear = op->mode == AIOT_ISA_RESIZE_BILINEAR;
	u64 step = (u64)AIOT_ISA_PREPROC_STEP * od[3] * (bilinear ? 4 : 1);
	u32 ch = od[3], y, x, c, i;
	struct aiot_isa_tap ty, tx;
	s32 px[4][3], v[4], q;
	size_t done = 0;

	for (y = 0; y < od[1]; y++) {
		aiot_isa_tap(op->mode, y, w->height, od[1], op->flags, &ty);
		for (x = 0; x < od[2]; x++, done++) {
			if (done % AIOT_ISA_PREPROC_STEP == 0 && tick(ex, step))
				return -ECANCELED;
			aiot_isa_tap(op->mode, x, w->width, od[2], op->flags,
				     &tx);
			aiot_isa_pixel(base, base1, f, w->x + tx.lo,
				       w->y + ty.lo, ch, op->flags, px[0]);
			if (bilinear) {
				aiot_isa_pixel(base, base1, f, w->x + tx.lo,
					       w->y + ty.hi, ch, op->flags,
					       px[1]);
				aiot_isa_pixel(base, base1, f, w->x + tx.hi,
					       w->y + ty.lo, ch, op->flags,
					       px[2]);
				aiot_isa_pixel(base, base1, f, w->x + tx.hi,
					       w->y + ty.hi, ch, op->flags,
					       px[3]);
			}
			for (c = 0; c < ch; c++) {
				q = px[0][c];
				if (bilinear) {
					for (i = 0; i < 4; i++)
						v[i] = px[i][c];
					q = aiot_isa_lerp(v, ty.frac, tx.frac);
				}
				q = aiot_mbqm(q, op->multiplier, op->shift);
				q = aiot_wrap_add(q, op->output_zero_point);
				*out++ = (s8)aiot_clamp_s32(q, op->act.min,
							    op->act.max);
			}
		}
	}
	return 0;
}
