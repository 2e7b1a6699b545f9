// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * aiot ISA validator: the ISA 1.4 preprocessing operations, RESIZE on int8
 * tensors and FRAME_TO_TENSOR from a camera frame (ISA 1.6: NV12M, the
 * chroma plane in a second buffer; see docs/isa.md).
 */

#include "aiot_isa_validate.h"

/* Work of one output element: the pixels it reads. */
static u64 aiot_isa_resize_taps(u32 mode)
{
	return mode == AIOT_ISA_RESIZE_BILINEAR ? 4 : 1;
}

static int aiot_isa_check_resize_mode(u32 mode, u32 flags, u32 known)
{
	if (flags & ~known)
		return -EINVAL;
	if (mode != AIOT_ISA_RESIZE_NEAREST &&
	    mode != AIOT_ISA_RESIZE_BILINEAR)
		return -EINVAL;
	/* TFLite's bilinear resize allows at most one of the two. */
	if (mode == AIOT_ISA_RESIZE_BILINEAR &&
	    (flags & AIOT_ISA_RESIZE_ALIGN_CORNERS) &&
	    (flags & AIOT_ISA_RESIZE_HALF_PIXEL_CENTERS))
		return -EINVAL;
	return 0;
}

/*
 * A window inside an image of @height x @width. Any output size works:
 * the 10-bit positions stay below 2^10 * 65535 + 2^15.
 */
static int aiot_isa_check_window(const struct aiot_isa_window *w, u32 height,
				 u32 width)
{
	if (!w->height || !w->width)
		return -EINVAL;
	if ((u64)w->y + w->height > height || (u64)w->x + w->width > width)
		return -EINVAL;
	return 0;
}

int aiot_isa_check_resize(const struct aiot_isa_cursor *cur,
			  const struct aiot_isa_op_resize *op,
			  struct aiot_isa_summary *sum)
{
	const u32 *in = op->input.dims, *out = op->output.dims;
	struct aiot_isa_span s_in, s_out;
	u64 work;
	u8 type;
	int ret;

	if (op->reserved[0] || op->reserved[1])
		return -EINVAL;
	ret = aiot_isa_check_resize_mode(op->mode, op->flags,
					 AIOT_ISA_RESIZE_FLAGS);
	if (ret)
		return ret;
	/* ISA 1.8: int16 elements too. */
	type = aiot_isa_elem_type(cur, &op->input);
	ret = aiot_isa_check_tensor(cur, &op->input, type, false, sum, &s_in);
	if (!ret)
		ret = aiot_isa_check_tensor(cur, &op->output, type, true, sum,
					    &s_out);
	if (ret)
		return ret;
	if (out[0] != in[0] || out[3] != in[3])
		return -EINVAL;
	ret = aiot_isa_check_window(&op->crop, in[1], in[2]);
	if (!ret)
		ret = aiot_isa_check_alias(&s_out, &s_in, false);
	if (ret)
		return ret;
	aiot_isa_mul4(out[0], out[1], out[2], out[3], &work);
	aiot_isa_add_work(sum, work * aiot_isa_resize_taps(op->mode));
	return 0;
}

/* Bytes per pixel of a frame's first plane; 0 for an unknown format. */
static u32 aiot_isa_frame_bpp(u8 format)
{
	switch (format) {
	case AIOT_ISA_PIX_GREY:
	case AIOT_ISA_PIX_NV12:
	case AIOT_ISA_PIX_NV12M:
		return 1;
	case AIOT_ISA_PIX_YUYV:
	case AIOT_ISA_PIX_UYVY:
		return 2;
	case AIOT_ISA_PIX_RGB24:
	case AIOT_ISA_PIX_BGR24:
		return 3;
	default:
		return 0;
	}
}

/* @rows rows of @row_bytes, @stride apart, at @offset of buffer @binding. */
static int aiot_isa_check_plane(const struct aiot_isa_cursor *cur, u32 binding,
				u32 offset, u32 stride, u32 rows, u64 row_bytes,
				struct aiot_isa_summary *sum,
				struct aiot_isa_span *span)
{
	if (stride < row_bytes)
		return -EINVAL;
	/* At most 2^32 * 2^16 + 2^18: no overflow in u64. */
	return aiot_isa_check_bytes(cur, binding, offset,
				    (u64)stride * (rows - 1) + row_bytes, sum,
				    span);
}

static int aiot_isa_check_frame(const struct aiot_isa_cursor *cur,
				const struct aiot_isa_frame *f,
				struct aiot_isa_summary *sum,
				struct aiot_isa_span *s_y,
				struct aiot_isa_span *s_uv)
{
	u32 bpp = aiot_isa_frame_bpp(f->format);
	bool nv12m = f->format == AIOT_ISA_PIX_NV12M;
	bool nv12 = f->format == AIOT_ISA_PIX_NV12 || nv12m;
	int ret;

	if (f->reserved || !bpp)
		return -EINVAL;
	/* ISA 1.6: NV12M, its chroma plane in a buffer of its own. */
	if (nv12m && cur->minor < 6)
		return -EINVAL;
	if (!nv12m && f->binding1)
		return -EINVAL;
	if (!f->width || !f->height)
		return -EINVAL;
	if (f->width > AIOT_ISA_MAX_DIM || f->height > AIOT_ISA_MAX_DIM)
		return -E2BIG;
	/* Chroma is shared by pixel pairs (and row pairs for NV12). */
	if (bpp == 2 || nv12) {
		if (f->width % 2 || (nv12 && f->height % 2))
			return -EINVAL;
	}
	if (!nv12 && (f->offset[1] || f->stride[1]))
		return -EINVAL;
	ret = aiot_isa_check_plane(cur, f->binding, f->offset[0], f->stride[0],
				   f->height, (u64)f->width * bpp, sum, s_y);
	if (ret)
		return ret;
	*s_uv = *s_y;
	if (nv12)
		ret = aiot_isa_check_plane(cur, nv12m ? f->binding1 : f->binding,
					   f->offset[1], f->stride[1],
					   f->height / 2, f->width, sum, s_uv);
	return ret;
}

int aiot_isa_check_frame_to_tensor(const struct aiot_isa_cursor *cur,
				   const struct aiot_isa_op_frame_to_tensor *op,
				   struct aiot_isa_summary *sum)
{
	const u32 *out = op->output.dims;
	struct aiot_isa_span s_y, s_uv, s_out;
	u64 work;
	int ret;

	if (op->reserved)
		return -EINVAL;
	ret = aiot_isa_check_resize_mode(op->mode, op->flags,
					 AIOT_ISA_FRAME_FLAGS);
	if (!ret)
		ret = aiot_isa_check_frame(cur, &op->frame, sum, &s_y, &s_uv);
	if (!ret)
		ret = aiot_isa_check_tensor(cur, &op->output,
					    AIOT_ISA_DTYPE_INT8, true, sum,
					    &s_out);
	if (ret)
		return ret;
	if (out[0] != 1 || (out[3] != 1 && out[3] != 3))
		return -EINVAL;
	if ((op->flags & AIOT_ISA_FRAME_BGR) && out[3] != 3)
		return -EINVAL;
	if (!aiot_isa_zp8_ok(op->output_zero_point) ||
	    !aiot_isa_quant_ok(op->multiplier, op->shift))
		return -EINVAL;
	ret = aiot_isa_check_act(&op->act);
	if (!ret)
		ret = aiot_isa_check_window(&op->crop, op->frame.height,
					    op->frame.width);
	if (!ret)
		ret = aiot_isa_check_alias(&s_out, &s_y, false);
	if (!ret)
		ret = aiot_isa_check_alias(&s_out, &s_uv, false);
	if (ret)
		return ret;
	aiot_isa_mul4(out[1], out[2], out[3], 1, &work);
	aiot_isa_add_work(sum, work * aiot_isa_resize_taps(op->mode));
	return 0;
}
