// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-fuzz: command streams built shape-coherent from the ISA
 * (<linux/aiot_isa.h>), every tensor inside its bound buffer so that the
 * executor runs; then some are mutated, and some are random bytes.
 */

#include <string.h>

#include "fuzz.h"

/* Place a tensor of dims in a random one of the bindings that can hold it. */
static bool place(struct worker *w, const struct binding_space *bs,
		  struct aiot_isa_tensor *t, uint32_t dtype,
		  uint32_t n, uint32_t h, uint32_t wd, uint32_t c)
{
	uint32_t esz = aiot_isa_dtype_bytes(dtype);
	uint64_t bytes = (uint64_t)n * h * wd * c * esz;
	int tries;

	memset(t, 0, sizeof(*t));
	t->dtype = (uint8_t)dtype;
	t->dims[0] = n;
	t->dims[1] = h;
	t->dims[2] = wd;
	t->dims[3] = c;
	for (tries = 0; tries < 4; tries++) {
		int b = rn(&w->r, bs->n);

		if (bs->size[b] < bytes)
			continue;
		t->binding = (uint8_t)b;
		t->offset = rn(&w->r, (uint32_t)(bs->size[b] - bytes) / esz + 1) * esz;
		return true;
	}
	return false;
}

static bool place_array(struct worker *w, const struct binding_space *bs,
			struct aiot_isa_array_ref *a, uint32_t bytes)
{
	int b = rn(&w->r, bs->n);

	memset(a, 0, sizeof(*a));
	if (bs->size[b] < bytes)
		return false;
	a->binding = (uint8_t)b;
	a->offset = rn(&w->r, (bs->size[b] - bytes) / 4 + 1) * 4;
	return true;
}

static uint32_t small(struct worker *w, uint32_t max)
{
	return 1 + rn(&w->r, max);
}

static void act_i8(struct worker *w, struct aiot_isa_activation *a)
{
	a->min = -128 + (int32_t)rn(&w->r, 64);
	a->max = 127 - (int32_t)rn(&w->r, 64);
}

static int32_t zp(struct worker *w)
{
	return (int32_t)rn(&w->r, 256) - 128;
}

/*
 * One shape-coherent operation at p (room bytes free): returns its size, or
 * 0 if it could not be placed in the bound buffers.
 */
static uint32_t gen_op(struct worker *w, const struct binding_space *bs, void *p,
		       uint32_t room)
{
	uint32_t kind = rn(&w->r, 10);
	const uint32_t I8 = AIOT_ISA_DTYPE_INT8;

	switch (kind) {
	case 0: {
		struct aiot_isa_op_nop *op = p;

		if (room < sizeof(*op))
			return 0;
		memset(op, 0, sizeof(*op));
		op->hdr = (struct aiot_isa_op_header){ AIOT_ISA_OP_NOP, 0, sizeof(*op) };
		return sizeof(*op);
	}
	case 1: {
		struct aiot_isa_op_fully_connected *op = p;
		uint32_t b = small(w, 2), d = small(w, 32), o = small(w, 16);

		if (room < sizeof(*op))
			return 0;
		memset(op, 0, sizeof(*op));
		op->hdr = (struct aiot_isa_op_header){ AIOT_ISA_OP_FULLY_CONNECTED, 0,
						       sizeof(*op) };
		if (!place(w, bs, &op->input, I8, b, 1, 1, d) ||
		    !place(w, bs, &op->filter, I8, o, 1, 1, d) ||
		    !place(w, bs, &op->output, I8, b, 1, 1, o) ||
		    !place_array(w, bs, &op->quant, o * 12))
			return 0;
		op->input_zero_point = zp(w);
		op->filter_zero_point = chance(&w->r, 80) ? 0 : zp(w);
		op->output_zero_point = zp(w);
		act_i8(w, &op->act);
		return sizeof(*op);
	}
	case 2:
	case 3: {
		struct aiot_isa_op_conv *op = p;
		bool dw = kind == 3;
		uint32_t h = small(w, 8), wd = small(w, 8), cin = small(w, 4);
		uint32_t kh = small(w, 3), kw = small(w, 3), sh = small(w, 2), sw = small(w, 2);
		uint32_t dm = dw ? small(w, 2) : 0, cout = dw ? cin * dm : small(w, 4);
		uint32_t oh, ow;

		if (room < sizeof(*op))
			return 0;
		if (kh > h)
			kh = h;
		if (kw > wd)
			kw = wd;
		oh = (h - kh) / sh + 1;
		ow = (wd - kw) / sw + 1;
		memset(op, 0, sizeof(*op));
		op->hdr = (struct aiot_isa_op_header){
			dw ? AIOT_ISA_OP_DEPTHWISE_CONV_2D : AIOT_ISA_OP_CONV_2D, 0,
			sizeof(*op) };
		if (!place(w, bs, &op->input, I8, 1, h, wd, cin) ||
		    !(dw ? place(w, bs, &op->filter, I8, 1, kh, kw, cout)
			 : place(w, bs, &op->filter, I8, cout, kh, kw, cin)) ||
		    !place(w, bs, &op->output, I8, 1, oh, ow, cout) ||
		    !place_array(w, bs, &op->quant, cout * 12))
			return 0;
		op->input_zero_point = zp(w);
		op->output_zero_point = zp(w);
		act_i8(w, &op->act);
		op->stride_h = (uint16_t)sh;
		op->stride_w = (uint16_t)sw;
		op->dilation_h = 1;
		op->dilation_w = 1;
		op->depth_multiplier = dm;
		return sizeof(*op);
	}
	case 4:
	case 5: {
		struct aiot_isa_op_pool *op = p;
		uint32_t h = small(w, 8), wd = small(w, 8), c = small(w, 4);
		uint32_t fh = small(w, 3), fw = small(w, 3), sh = small(w, 2), sw = small(w, 2);

		if (room < sizeof(*op))
			return 0;
		if (fh > h)
			fh = h;
		if (fw > wd)
			fw = wd;
		memset(op, 0, sizeof(*op));
		op->hdr = (struct aiot_isa_op_header){
			kind == 4 ? AIOT_ISA_OP_AVERAGE_POOL_2D : AIOT_ISA_OP_MAX_POOL_2D, 0,
			sizeof(*op) };
		if (!place(w, bs, &op->input, I8, 1, h, wd, c) ||
		    !place(w, bs, &op->output, I8, 1, (h - fh) / sh + 1, (wd - fw) / sw + 1, c))
			return 0;
		act_i8(w, &op->act);
		op->filter_h = (uint16_t)fh;
		op->filter_w = (uint16_t)fw;
		op->stride_h = (uint16_t)sh;
		op->stride_w = (uint16_t)sw;
		return sizeof(*op);
	}
	case 6: {
		struct aiot_isa_op_add *op = p;
		uint32_t h = small(w, 4), wd = small(w, 4), c = small(w, 8);

		if (room < sizeof(*op))
			return 0;
		memset(op, 0, sizeof(*op));
		op->hdr = (struct aiot_isa_op_header){ AIOT_ISA_OP_ADD, 0, sizeof(*op) };
		if (!place(w, bs, &op->input1, I8, 1, h, wd, c) ||
		    !place(w, bs, &op->input2, I8, 1, chance(&w->r, 50) ? 1 : h, wd, c) ||
		    !place(w, bs, &op->output, I8, 1, h, wd, c))
			return 0;
		op->input1_zero_point = zp(w);
		op->input2_zero_point = zp(w);
		op->output_zero_point = zp(w);
		op->left_shift = 20;
		op->input1_multiplier = 1 << 30;
		op->input2_multiplier = 1 << 30;
		op->output_multiplier = (int32_t)(rnext(&w->r) & 0x7fffffff);
		op->output_shift = -(int32_t)rn(&w->r, 20);
		act_i8(w, &op->act);
		return sizeof(*op);
	}
	case 7: {
		struct aiot_isa_op_reshape *op = p;
		uint32_t a = small(w, 8), b = small(w, 8);

		if (room < sizeof(*op))
			return 0;
		memset(op, 0, sizeof(*op));
		op->hdr = (struct aiot_isa_op_header){ AIOT_ISA_OP_RESHAPE, 0, sizeof(*op) };
		if (!place(w, bs, &op->input, I8, 1, a, b, 1) ||
		    !place(w, bs, &op->output, I8, 1, 1, 1, a * b))
			return 0;
		return sizeof(*op);
	}
	case 8: {
		struct aiot_isa_op_softmax *op = p;
		uint32_t rows = small(w, 4), c = small(w, 16);

		if (room < sizeof(*op))
			return 0;
		memset(op, 0, sizeof(*op));
		op->hdr = (struct aiot_isa_op_header){ AIOT_ISA_OP_SOFTMAX, 0, sizeof(*op) };
		if (!place(w, bs, &op->input, I8, 1, 1, rows, c) ||
		    !place(w, bs, &op->output, I8, 1, 1, rows, c))
			return 0;
		op->input_multiplier = 1 << 30;
		op->input_left_shift = (int32_t)rn(&w->r, 32);
		op->diff_min = -(int32_t)rn(&w->r, 1000);
		return sizeof(*op);
	}
	default: {
		struct aiot_isa_op_requantize *op = p;
		bool s16 = chance(&w->r, 50);
		uint32_t n = small(w, 64);

		if (room < sizeof(*op))
			return 0;
		memset(op, 0, sizeof(*op));
		op->hdr = (struct aiot_isa_op_header){
			s16 ? AIOT_ISA_OP_SENSOR_TO_INT8 : AIOT_ISA_OP_REQUANTIZE, 0, sizeof(*op) };
		if (!place(w, bs, &op->input, s16 ? AIOT_ISA_DTYPE_INT16 : I8, 1, 1, n, 1) ||
		    !place(w, bs, &op->output, I8, 1, 1, n, 1))
			return 0;
		op->input_zero_point = s16 ? 0 : zp(w);
		op->output_zero_point = zp(w);
		op->multiplier = 1 << 30;
		op->shift = -(int32_t)rn(&w->r, 8);
		act_i8(w, &op->act);
		return sizeof(*op);
	}
	}
}

/* Flip, overwrite or splice some bytes and fields of a stream. */
static void mutate(struct worker *w, uint8_t *s, uint32_t len)
{
	int i, n = 1 + rn(&w->r, 4);

	for (i = 0; i < n && len >= 4; i++) {
		uint32_t at = rn(&w->r, len);

		switch (rn(&w->r, 4)) {
		case 0:
			s[at] ^= (uint8_t)(1u << rn(&w->r, 8));
			break;
		case 1:
			s[at] = (uint8_t)rnext(&w->r);
			break;
		default: {
			uint32_t v = rval32(&w->r);

			at &= ~3u;
			if (at + 4 <= len)
				memcpy(s + at, &v, 4);
			break;
		}
		}
	}
}

/*
 * A command stream into out (at most cap bytes) for buffers of the given
 * sizes: valid, mutated or random. Returns its length.
 */
uint32_t gen_stream(struct worker *w, const struct binding_space *bs,
		    uint8_t *out, uint32_t cap, bool *valid)
{
	struct aiot_isa_header *hdr = (void *)out;
	uint32_t len = sizeof(*hdr), ops = 0, want = 1 + rn(&w->r, 4), mode = rn(&w->r, 10);

	*valid = false;
	if (mode == 0 || cap < sizeof(*hdr)) {
		len = rn(&w->r, cap < 512 ? cap : 512);
		for (uint32_t i = 0; i < len; i++)
			out[i] = (uint8_t)rnext(&w->r);
		return len;
	}
	memset(hdr, 0, sizeof(*hdr));
	while (ops < want) {
		uint32_t sz = gen_op(w, bs, out + len, cap - len);

		if (!sz)
			break;
		len += sz;
		ops++;
	}
	hdr->magic = AIOT_ISA_MAGIC;
	hdr->version = AIOT_ISA_VERSION_CURRENT;
	hdr->size = len;
	hdr->op_count = ops;
	*valid = ops > 0 && mode > 3;
	if (mode <= 3)
		mutate(w, out, len);
	return len;
}
