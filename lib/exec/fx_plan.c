// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Fast executor: plans (a validated private copy of the stream, weights
 * repacked for the kernels) and the run loop. Convolutions and fully
 * connected layers run on the SIMD kernels; every other operation runs on
 * the reference executor as a one-operation stream over the same buffers.
 */
#include <stdlib.h>

#include "fastexec.h"
#include "fx_internal.h"

/* Scratch or packed weights above this go to the reference instead. */
#define FX_MAX_BUF	((size_t)256 << 20)
/* GEMM rows built by one im2col pass. */
#define FX_MC		64
/* The eight per-channel arrays of struct fx_rq. */
#define FX_RQ_ARRAYS	8

enum fx_kind { FX_REF, FX_FC, FX_CONV, FX_DW };

struct fx_op {
	union aiot_isa_op op;
	enum fx_kind kind;
	u8 *mini;		/* FX_REF: header + this record */
	size_t mini_len;
	bool cached;		/* weights packed once, at prepare */
	s16 *w;
	u32 k, kp, np;		/* GEMM depth, padded depth, padded channels */
	s32 *rqbuf;
	struct fx_rq rq;
	u32 ph, pw, cs;		/* explicit-padding image: rows, cols, channels */
	bool direct;		/* 1x1 stride 1 convolution: the image is A */
	bool transposed;	/* filter[k][n]: a depthwise layer on one channel */
};

struct aiot_fx_plan {
	u8 *stream;
	u64 sizes[AIOT_ISA_MAX_BINDINGS];
	unsigned int nbindings;
	const struct fx_kernels *k;
	enum aiot_fx_simd simd;
	struct fx_op *ops;
	u32 nops;
	s16 *img;
	size_t img_len;
	s16 *col;
	size_t col_len;
	unsigned int nfast, nref;
};

static u32 fx_round_up(u32 v, u32 to)
{
	return (v + to - 1) / to * to;
}

static const s8 *fx_src(void *const *bindings, const struct aiot_isa_tensor *t)
{
	return (const s8 *)bindings[t->binding] + t->offset;
}

static bool fx_mul_ok(size_t a, size_t b, size_t *out)
{
	return !__builtin_mul_overflow(a, b, out) && *out <= FX_MAX_BUF;
}

static int fx_make_mini(struct fx_op *o, const u8 *rec, u32 size)
{
	struct aiot_isa_header h = {
		.magic = AIOT_ISA_MAGIC,
		.version = AIOT_ISA_VERSION_CURRENT,
		.op_count = 1,
	};

	h.size = (u32)sizeof(h) + size;
	o->mini = malloc(h.size);
	if (!o->mini)
		return -ENOMEM;
	memcpy(o->mini, &h, sizeof(h));
	memcpy(o->mini + sizeof(h), rec, size);
	o->mini_len = h.size;
	o->kind = FX_REF;
	return 0;
}

/* Per output channel parameters from the quant array, clamped as aiot_mbqm. */
static void fx_load_rq(struct fx_op *o, void *const *bindings,
		       const struct aiot_isa_array_ref *ref, u32 channels)
{
	const u8 *p = (const u8 *)bindings[ref->binding] + ref->offset;
	s32 *a = o->rqbuf;
	u32 np = o->np, i;

	memset(a, 0, (size_t)np * FX_RQ_ARRAYS * sizeof(*a));
	for (i = 0; i < channels; i++) {
		struct aiot_isa_channel_quant q;
		s32 shift, left, right;

		memcpy(&q, p + (size_t)i * sizeof(q), sizeof(q));
		shift = q.shift < -31 ? -31 : (q.shift > 30 ? 30 : q.shift);
		left = shift > 0 ? shift : 0;
		right = shift > 0 ? 0 : -shift;
		a[i] = q.bias;
		a[np + i] = q.multiplier < 0 ? 0 : q.multiplier;
		a[2 * np + i] = shift;
		a[3 * np + i] = left;
		a[4 * np + i] = (s32)(1u << left);
		a[5 * np + i] = right;
		a[6 * np + i] = (s32)((1ull << right) - 1);
		a[7 * np + i] = (s32)(((1ull << right) - 1) >> 1);
	}
	/* Padding channels: multiplier 0, left_mul 1 (never stored anyway). */
	for (; i < np; i++)
		a[4 * np + i] = 1;
	o->rq.bias = a;
	o->rq.mult = a + np;
	o->rq.shift = a + 2 * np;
	o->rq.left = a + 3 * np;
	o->rq.left_mul = a + 4 * np;
	o->rq.right = a + 5 * np;
	o->rq.rmask = a + 6 * np;
	o->rq.rhalf = a + 7 * np;
}

/*
 * B[n][k] = filter[n * K + k] - zw (or filter[k * n_total + n] when
 * transposed), packed in blocks of FX_NR channels.
 */
static void fx_pack_gemm(struct fx_op *o, const s8 *filter, u32 n, s32 zw)
{
	u32 c, k;

	memset(o->w, 0, (size_t)o->np * o->kp * sizeof(*o->w));
	for (c = 0; c < n; c++) {
		s16 *blk = o->w + (size_t)(c / FX_NR) * FX_NR * o->kp +
			   (c % FX_NR) * 2;

		for (k = 0; k < o->k; k++) {
			size_t at = o->transposed ? (size_t)k * n + c :
				    (size_t)c * o->k + k;

			blk[(size_t)(k / 2) * 2 * FX_NR + k % 2] =
				(s16)(filter[at] - zw);
		}
	}
}

/* w[tap][c] = filter[tap][c], channels padded to cs. */
static void fx_pack_dw(struct fx_op *o, const s8 *filter, u32 taps, u32 cout)
{
	u32 t, c;

	memset(o->w, 0, (size_t)o->cs * taps * sizeof(*o->w));
	for (t = 0; t < taps; t++)
		for (c = 0; c < cout; c++)
			o->w[(size_t)t * o->cs + c] = filter[(size_t)t * cout + c];
}

static void fx_refresh(struct fx_op *o, void *const *bindings)
{
	const union aiot_isa_op *op = &o->op;

	if (o->kind == FX_FC) {
		fx_pack_gemm(o, fx_src(bindings, &op->fc.filter),
			     op->fc.output.dims[3], op->fc.filter_zero_point);
		fx_load_rq(o, bindings, &op->fc.quant, op->fc.output.dims[3]);
	} else if (o->kind == FX_CONV) {
		fx_pack_gemm(o, fx_src(bindings, &op->conv.filter),
			     op->conv.output.dims[3], 0);
		fx_load_rq(o, bindings, &op->conv.quant, op->conv.output.dims[3]);
	} else if (o->kind == FX_DW) {
		fx_pack_dw(o, fx_src(bindings, &op->conv.filter),
			   op->conv.filter.dims[1] * op->conv.filter.dims[2],
			   op->conv.output.dims[3]);
		fx_load_rq(o, bindings, &op->conv.quant, op->conv.output.dims[3]);
	}
	o->rq.zero_point = o->kind == FX_FC ? op->fc.output_zero_point :
			   op->conv.output_zero_point;
	o->rq.act_min = o->kind == FX_FC ? op->fc.act.min : op->conv.act.min;
	o->rq.act_max = o->kind == FX_FC ? op->fc.act.max : op->conv.act.max;
}

/* Geometry of a convolution; false when its buffers would be too big. */
static bool fx_plan_conv(struct aiot_fx_plan *pl, struct fx_op *o)
{
	const struct aiot_isa_op_conv *c = &o->op.conv;
	const u32 *id = c->input.dims, *fd = c->filter.dims, *od = c->output.dims;
	bool dw = c->hdr.opcode == AIOT_ISA_OP_DEPTHWISE_CONV_2D;
	u64 need_h = (u64)(od[1] - 1) * c->stride_h + (u64)(fd[1] - 1) * c->dilation_h + 1;
	u64 need_w = (u64)(od[2] - 1) * c->stride_w + (u64)(fd[2] - 1) * c->dilation_w + 1;
	u64 ph = (u64)id[1] + c->pad_top, pw = (u64)id[2] + c->pad_left;
	size_t img, w, col;

	ph = ph > need_h ? ph : need_h;
	pw = pw > need_w ? pw : need_w;
	if (ph > 0xffffffffu || pw > 0xffffffffu)
		return false;
	o->ph = (u32)ph;
	o->pw = (u32)pw;
	o->np = fx_round_up(od[3], FX_NR);
	if (dw && id[3] == 1) {
		/*
		 * One input channel: every output channel sees the same taps,
		 * which is a regular convolution with a transposed filter.
		 */
		o->transposed = true;
		dw = false;
	}
	if (dw) {
		o->kind = FX_DW;
		/*
		 * Channels padded to 8 only: a kernel's 16-lane load may run
		 * into the next pixel or tap (the buffers have slack), and the
		 * lanes past cout are never stored.
		 */
		o->cs = fx_round_up(od[3], 8);
		if (!fx_mul_ok((size_t)fd[1] * fd[2], o->cs, &w))
			return false;
	} else {
		o->kind = FX_CONV;
		o->direct = fd[1] == 1 && fd[2] == 1 && c->stride_h == 1 &&
			    c->stride_w == 1 && !c->pad_top && !c->pad_left &&
			    od[1] == id[1] && od[2] == id[2];
		o->k = fd[1] * fd[2] * id[3];
		if ((u64)fd[1] * fd[2] * id[3] >= 0x7fffffffu)
			return false;
		o->kp = fx_round_up(o->k, 2);
		o->cs = o->direct ? o->kp : id[3];
		if (!fx_mul_ok(o->np, o->kp, &w) ||
		    !fx_mul_ok(FX_MC, o->kp, &col))
			return false;
		if (!o->direct && col > pl->col_len)
			pl->col_len = col;
	}
	if (!fx_mul_ok((size_t)o->ph * o->pw, o->cs, &img))
		return false;
	if (img + 16 > pl->img_len)
		pl->img_len = img + 16;
	o->w = malloc(w * sizeof(*o->w) + 32);
	return o->w != NULL;
}

static bool fx_plan_fc(struct aiot_fx_plan *pl, struct fx_op *o)
{
	const struct aiot_isa_op_fully_connected *f = &o->op.fc;
	size_t w, a;

	o->kind = FX_FC;
	o->k = f->input.dims[3];
	o->kp = fx_round_up(o->k, 2);
	o->np = fx_round_up(f->output.dims[3], FX_NR);
	if (!fx_mul_ok(o->np, o->kp, &w) || !fx_mul_ok(f->input.dims[0], o->kp, &a))
		return false;
	if (a + 16 > pl->img_len)
		pl->img_len = a + 16;
	o->w = malloc(w * sizeof(*o->w) + 32);
	return o->w != NULL;
}

void aiot_fx_free(struct aiot_fx_plan *pl)
{
	u32 i;

	if (!pl)
		return;
	for (i = 0; i < pl->nops; i++) {
		free(pl->ops[i].mini);
		free(pl->ops[i].w);
		free(pl->ops[i].rqbuf);
	}
	free(pl->ops);
	free(pl->img);
	free(pl->col);
	free(pl->stream);
	free(pl);
}

static const struct fx_kernels *fx_kernels_for(enum aiot_fx_simd simd)
{
	switch (simd) {
	case AIOT_FX_SIMD_AVX2:
		return fx_kernels_avx2;
	case AIOT_FX_SIMD_SSE41:
		return fx_kernels_sse41;
	case AIOT_FX_SIMD_NEON:
		return fx_kernels_neon;
	default:
		return &fx_kernels_scalar;
	}
}

static int fx_plan_op(struct aiot_fx_plan *pl, struct fx_op *o, const u8 *rec,
		      void *const *bindings, u32 const_mask)
{
	const union aiot_isa_op *op = &o->op;
	u32 used;
	bool fast;

	switch (op->hdr.opcode) {
	case AIOT_ISA_OP_FULLY_CONNECTED:
		fast = fx_plan_fc(pl, o);
		used = 1u << op->fc.filter.binding | 1u << op->fc.quant.binding;
		break;
	case AIOT_ISA_OP_CONV_2D:
	case AIOT_ISA_OP_DEPTHWISE_CONV_2D:
		fast = fx_plan_conv(pl, o);
		used = 1u << op->conv.filter.binding | 1u << op->conv.quant.binding;
		break;
	default:
		fast = false;
		used = 0;
		break;
	}
	if (!fast) {
		free(o->w);
		o->w = NULL;
		pl->nref++;
		return fx_make_mini(o, rec, op->hdr.size);
	}
	pl->nfast++;
	o->rqbuf = malloc((size_t)o->np * FX_RQ_ARRAYS * sizeof(*o->rqbuf));
	if (!o->rqbuf)
		return -ENOMEM;
	o->cached = (used & const_mask) == used;
	if (o->cached)
		fx_refresh(o, bindings);
	return 0;
}

int aiot_fx_prepare(const void *stream, size_t len, void *const *bindings,
		    const uint64_t *sizes, unsigned int nbindings,
		    uint32_t const_mask, enum aiot_fx_simd simd,
		    struct aiot_fx_plan **out)
{
	struct aiot_isa_summary sum;
	struct aiot_isa_cursor cur;
	struct aiot_fx_plan *pl;
	unsigned int i;
	size_t size;
	int ret;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!stream || nbindings > AIOT_ISA_MAX_BINDINGS ||
	    (nbindings && (!bindings || !sizes)))
		return -EINVAL;
	for (i = 0; i < nbindings; i++)
		if (sizes[i] && !bindings[i])
			return -EINVAL;
	ret = aiot_fx_simd_resolve(simd);
	if (ret < 0)
		return ret;
	simd = (enum aiot_fx_simd)ret;
	ret = aiot_isa_validate(stream, len, sizes, nbindings, &sum);
	if (ret)
		return ret;
	pl = calloc(1, sizeof(*pl));
	if (!pl)
		return -ENOMEM;
	pl->simd = simd;
	pl->k = fx_kernels_for(simd);
	pl->nbindings = nbindings;
	memcpy(pl->sizes, sizes, nbindings * sizeof(*sizes));
	{
		struct aiot_isa_header h;

		memcpy(&h, stream, sizeof(h));
		size = h.size;	/* validated: <= len */
	}
	pl->stream = malloc(size);
	pl->ops = calloc(sum.op_count ? sum.op_count : 1, sizeof(*pl->ops));
	ret = -ENOMEM;
	if (!pl->stream || !pl->ops)
		goto fail;
	memcpy(pl->stream, stream, size);
	/* From here on only the private copy counts. */
	ret = aiot_isa_cursor_init(&cur, pl->stream, size, pl->sizes, nbindings);
	while (!ret) {
		struct fx_op *o = &pl->ops[pl->nops];
		u32 pos = cur.pos;

		ret = aiot_isa_cursor_next(&cur, &o->op, NULL);
		if (ret <= 0)
			break;
		pl->nops++;
		ret = fx_plan_op(pl, o, pl->stream + pos, bindings, const_mask);
	}
	if (ret)
		goto fail;
	if (pl->img_len) {
		pl->img = malloc(pl->img_len * sizeof(*pl->img));
		if (!pl->img)
			goto nomem;
	}
	if (pl->col_len) {
		pl->col = malloc(pl->col_len * sizeof(*pl->col) + 32);
		if (!pl->col)
			goto nomem;
	}
	*out = pl;
	return 0;
nomem:
	ret = -ENOMEM;
fail:
	aiot_fx_free(pl);
	return ret;
}

/* img = input - zp with explicit zero padding; dm > 0 expands channels. */
static void fx_build_image(const struct fx_op *o, s16 *img, const s8 *in,
			   u32 dm)
{
	const struct aiot_isa_op_conv *c = &o->op.conv;
	u32 h = c->input.dims[1], w = c->input.dims[2], cin = c->input.dims[3];
	u32 cout = dm ? cin * dm : cin;
	size_t row_len = (size_t)o->pw * o->cs;
	size_t left = (size_t)c->pad_left * o->cs;
	size_t right = row_len - left - (size_t)w * o->cs;
	s16 zp = (s16)c->input_zero_point;
	u32 py, x, ch, k;

	for (py = 0; py < o->ph; py++) {
		s16 *row = img + py * row_len, *dst = row + left;
		s64 y = (s64)py - c->pad_top;
		const s8 *src;

		if (y < 0 || y >= h) {
			memset(row, 0, row_len * sizeof(*row));
			continue;
		}
		memset(row, 0, left * sizeof(*row));
		src = in + (size_t)y * w * cin;
		if (dm <= 1 && o->cs == cin) {
			/* The common case: one flat, vectorizable loop. */
			for (size_t i = 0; i < (size_t)w * cin; i++)
				dst[i] = (s16)(src[i] - zp);
		} else {
			for (x = 0; x < w; x++, dst += o->cs, src += cin) {
				s16 *d = dst;

				for (ch = 0; ch < cin; ch++)
					for (k = 0; k < (dm > 1 ? dm : 1); k++)
						*d++ = (s16)(src[ch] - zp);
				for (ch = cout; ch < o->cs; ch++)
					dst[ch] = 0;
			}
		}
		memset(row + left + (size_t)w * o->cs, 0, right * sizeof(*row));
	}
}

static void fx_run_conv(struct aiot_fx_plan *pl, struct fx_op *o,
			void *const *bindings)
{
	const struct aiot_isa_op_conv *c = &o->op.conv;
	const u32 *id = c->input.dims, *fd = c->filter.dims, *od = c->output.dims;
	const s8 *in = fx_src(bindings, &c->input);
	s8 *out = (s8 *)bindings[c->output.binding] + c->output.offset;
	size_t in_batch = (size_t)id[1] * id[2] * id[3];
	size_t out_batch = (size_t)od[1] * od[2] * od[3];
	u32 n, m0, m, fy, fx, cin = id[3];
	u32 rows = od[1] * od[2];
	struct fx_gemm g = {
		.b = o->w, .kp = o->kp, .n = od[3], .rq = &o->rq, .ldc = od[3],
	};

	for (n = 0; n < od[0]; n++) {
		fx_build_image(o, pl->img, in + n * in_batch, 0);
		if (o->direct) {
			g.a = pl->img;
			g.lda = o->kp;
			g.m = rows;
			g.c = out + n * out_batch;
			pl->k->gemm(&g);
			continue;
		}
		for (m0 = 0; m0 < rows; m0 += FX_MC) {
			u32 mc = rows - m0 < FX_MC ? rows - m0 : FX_MC;

			for (m = 0; m < mc; m++) {
				u32 oy = (m0 + m) / od[2], ox = (m0 + m) % od[2];
				s16 *dst = pl->col + (size_t)m * o->kp;

				for (fy = 0; fy < fd[1]; fy++) {
					size_t y = (size_t)oy * c->stride_h +
						   (size_t)fy * c->dilation_h;

					if (c->dilation_w == 1) {
						/* A filter row is contiguous in the image. */
						const s16 *src = pl->img + (y * o->pw +
							(size_t)ox * c->stride_w) * cin;
						u32 len = fd[2] * cin, i;

						for (i = 0; i < len; i++)
							dst[i] = src[i];
						dst += len;
						continue;
					}
					for (fx = 0; fx < fd[2]; fx++) {
						size_t x = (size_t)ox * c->stride_w +
							   (size_t)fx * c->dilation_w;

						const s16 *src = pl->img + (y * o->pw + x) * cin;

						if (cin == 1)
							*dst = *src;
						else
							memcpy(dst, src, cin * sizeof(*dst));
						dst += cin;
					}
				}
				if (o->kp > o->k)
					*dst = 0;
			}
			g.a = pl->col;
			g.lda = o->kp;
			g.m = mc;
			g.c = out + n * out_batch + (size_t)m0 * od[3];
			pl->k->gemm(&g);
		}
	}
}

static void fx_run_dw(struct aiot_fx_plan *pl, struct fx_op *o,
		      void *const *bindings)
{
	const struct aiot_isa_op_conv *c = &o->op.conv;
	const u32 *id = c->input.dims, *fd = c->filter.dims, *od = c->output.dims;
	const s8 *in = fx_src(bindings, &c->input);
	s8 *out = (s8 *)bindings[c->output.binding] + c->output.offset;
	size_t in_batch = (size_t)id[1] * id[2] * id[3];
	size_t out_batch = (size_t)od[1] * od[2] * od[3];
	struct fx_dw d = {
		.img = pl->img, .img_w = o->pw, .cp = o->cs, .w = o->w,
		.kh = fd[1], .kw = fd[2], .sh = c->stride_h, .sw = c->stride_w,
		.dh = c->dilation_h, .dw = c->dilation_w, .oh = od[1],
		.ow = od[2], .cout = od[3], .rq = &o->rq,
	};
	u32 n;

	for (n = 0; n < od[0]; n++) {
		fx_build_image(o, pl->img, in + n * in_batch, c->depth_multiplier);
		d.out = out + n * out_batch;
		pl->k->dwconv(&d);
	}
}

static void fx_run_fc(struct aiot_fx_plan *pl, struct fx_op *o,
		      void *const *bindings)
{
	const struct aiot_isa_op_fully_connected *f = &o->op.fc;
	const s8 *in = fx_src(bindings, &f->input);
	u32 batches = f->input.dims[0], depth = f->input.dims[3], b, d;
	struct fx_gemm g = {
		.a = pl->img, .lda = o->kp, .m = batches, .b = o->w,
		.kp = o->kp, .n = f->output.dims[3], .rq = &o->rq,
		.c = (s8 *)bindings[f->output.binding] + f->output.offset,
		.ldc = f->output.dims[3],
	};

	for (b = 0; b < batches; b++) {
		s16 *row = pl->img + (size_t)b * o->kp;

		for (d = 0; d < depth; d++)
			row[d] = (s16)(in[(size_t)b * depth + d] - f->input_zero_point);
		if (o->kp > depth)
			row[depth] = 0;
	}
	pl->k->gemm(&g);
}

int aiot_fx_run(struct aiot_fx_plan *pl, void *const *bindings,
		const uint64_t *sizes, unsigned int nbindings)
{
	unsigned int i;
	u32 j;
	int ret;

	if (!pl || nbindings != pl->nbindings || (nbindings && (!bindings || !sizes)))
		return -EINVAL;
	for (i = 0; i < nbindings; i++)
		if (sizes[i] < pl->sizes[i] || (pl->sizes[i] && !bindings[i]))
			return -EINVAL;
	for (j = 0; j < pl->nops; j++) {
		struct fx_op *o = &pl->ops[j];

		if (o->kind != FX_REF && !o->cached)
			fx_refresh(o, bindings);
		switch (o->kind) {
		case FX_FC:
			fx_run_fc(pl, o, bindings);
			break;
		case FX_CONV:
			fx_run_conv(pl, o, bindings);
			break;
		case FX_DW:
			fx_run_dw(pl, o, bindings);
			break;
		default:
			ret = aiot_isa_execute(o->mini, o->mini_len, bindings,
					       pl->sizes, pl->nbindings);
			if (ret)
				return ret;
			break;
		}
	}
	return 0;
}

enum aiot_fx_simd aiot_fx_plan_simd(const struct aiot_fx_plan *pl)
{
	return pl ? pl->simd : AIOT_FX_SIMD_AUTO;
}

unsigned int aiot_fx_plan_fast_ops(const struct aiot_fx_plan *pl)
{
	return pl ? pl->nfast : 0;
}

unsigned int aiot_fx_plan_ref_ops(const struct aiot_fx_plan *pl)
{
	return pl ? pl->nref : 0;
}
