// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * aiot ISA reference executor, ISA 1.4's audio front end: the operations of
 * TensorFlow Lite Micro's signal library (window, FFT auto scale, the
 * fixed-point real FFT of KISS FFT, energy, mel filter bank, square root,
 * spectral subtraction, PCAN, log) and the plain int32 operations around
 * them, integer only and bit-exact with that library's semantics.
 *
 * Tables (window, twiddles, gain and log tables, filter bank layout) are
 * data read at run time: every index computed from them is checked here.
 * State across runs (the noise estimate) lives in a bound buffer.
 */

#include "aiot_isa_exec.h"

/* Elements processed between two polls of the stop hook. */
#define AIOT_ISA_SIG_STEP	4096u

static void *aiot_isa_sig_ptr(const struct aiot_isa_exec *ex,
			      const struct aiot_isa_tensor *t)
{
	return (u8 *)ex->bindings[t->binding] + t->offset;
}

static size_t aiot_isa_sig_count(const struct aiot_isa_tensor *t)
{
	return (size_t)t->dims[0] * t->dims[1] * t->dims[2] * t->dims[3];
}

/* Bits needed for @x: 32 - clz(x), and 32 for 0 (the signal library's). */
static u32 aiot_isa_sig_msb32(u32 x)
{
	u32 n = 0;

	if (!x)
		return 32;
	while (x) {
		x >>= 1;
		n++;
	}
	return n;
}

static u32 aiot_isa_sig_msb64(u64 x)
{
	return x >> 32 ? 32 + aiot_isa_sig_msb32((u32)(x >> 32)) :
			 aiot_isa_sig_msb32((u32)x);
}

static int aiot_isa_exec_sig_window(struct aiot_isa_exec *ex,
				    const struct aiot_isa_op_signal_window *op)
{
	const s16 *in = aiot_isa_sig_ptr(ex, &op->input);
	const s16 *w = aiot_isa_sig_ptr(ex, &op->weights);
	s16 *out = aiot_isa_sig_ptr(ex, &op->output);
	size_t n = aiot_isa_sig_count(&op->input);
	size_t wn = aiot_isa_sig_count(&op->weights), i;
	s32 raw;

	for (i = 0; i < n; i++) {
		if (i % AIOT_ISA_SIG_STEP == 0 &&
		    aiot_isa_tick(ex, AIOT_ISA_SIG_STEP))
			return -ECANCELED;
		raw = ((s32)in[i] * w[i % wn]) >> op->shift;
		out[i] = (s16)(raw < -32768 ? -32768 : raw > 32767 ? 32767 : raw);
	}
	return 0;
}

static int
aiot_isa_exec_sig_autoscale(struct aiot_isa_exec *ex,
			    const struct aiot_isa_op_signal_fft_auto_scale *op)
{
	const s16 *in = aiot_isa_sig_ptr(ex, &op->input);
	s16 *out = aiot_isa_sig_ptr(ex, &op->output);
	s32 *scale = aiot_isa_sig_ptr(ex, &op->scale);
	size_t n = aiot_isa_sig_count(&op->input), i;
	s16 max = 0, v;
	s32 bits;

	if (aiot_isa_tick(ex, 2 * (u64)n))
		return -ECANCELED;
	/* In int16 arithmetic, as the library: -(-32768) stays -32768. */
	for (i = 0; i < n; i++) {
		v = in[i];
		if (v > max)
			max = v;
		else if ((s16)-v > max)
			max = (s16)-v;
	}
	bits = 16 - (s32)aiot_isa_sig_msb32((u32)(s32)max) - 1;
	if (bits < 0)
		bits = 0;
	for (i = 0; i < n; i++)
		out[i] = (s16)(u16)((u32)(s32)in[i] << bits);
	*scale = bits;
	return 0;
}

/* KISS FFT's fixed-point (Q15) complex arithmetic. */
struct aiot_isa_cpx {
	s16 r, i;
};

static s16 aiot_isa_sround(s32 x)
{
	return (s16)((x + (1 << 14)) >> 15);
}

static void aiot_isa_fixdiv(struct aiot_isa_cpx *c, s32 div)
{
	s32 k = 32767 / div;

	c->r = aiot_isa_sround(c->r * k);
	c->i = aiot_isa_sround(c->i * k);
}

static struct aiot_isa_cpx aiot_isa_cmul(struct aiot_isa_cpx a,
					 struct aiot_isa_cpx b)
{
	struct aiot_isa_cpx m;

	m.r = aiot_isa_sround(a.r * b.r - a.i * b.i);
	m.i = aiot_isa_sround(a.r * b.i + a.i * b.r);
	return m;
}

static struct aiot_isa_cpx aiot_isa_cadd(struct aiot_isa_cpx a,
					 struct aiot_isa_cpx b)
{
	struct aiot_isa_cpx s = { (s16)(a.r + b.r), (s16)(a.i + b.i) };

	return s;
}

static struct aiot_isa_cpx aiot_isa_csub(struct aiot_isa_cpx a,
					 struct aiot_isa_cpx b)
{
	struct aiot_isa_cpx s = { (s16)(a.r - b.r), (s16)(a.i - b.i) };

	return s;
}

static void aiot_isa_bfly2(struct aiot_isa_cpx *f, size_t fstride,
			   const struct aiot_isa_cpx *tw, size_t m)
{
	struct aiot_isa_cpx t;
	size_t k;

	for (k = 0; k < m; k++) {
		aiot_isa_fixdiv(&f[k], 2);
		aiot_isa_fixdiv(&f[k + m], 2);
		t = aiot_isa_cmul(f[k + m], tw[k * fstride]);
		f[k + m] = aiot_isa_csub(f[k], t);
		f[k] = aiot_isa_cadd(f[k], t);
	}
}

static void aiot_isa_bfly4(struct aiot_isa_cpx *f, size_t fstride,
			   const struct aiot_isa_cpx *tw, size_t m)
{
	struct aiot_isa_cpx s0, s1, s2, s3, s4, s5;
	size_t k;

	for (k = 0; k < m; k++) {
		aiot_isa_fixdiv(&f[k], 4);
		aiot_isa_fixdiv(&f[k + m], 4);
		aiot_isa_fixdiv(&f[k + 2 * m], 4);
		aiot_isa_fixdiv(&f[k + 3 * m], 4);
		s0 = aiot_isa_cmul(f[k + m], tw[k * fstride]);
		s1 = aiot_isa_cmul(f[k + 2 * m], tw[2 * k * fstride]);
		s2 = aiot_isa_cmul(f[k + 3 * m], tw[3 * k * fstride]);
		s5 = aiot_isa_csub(f[k], s1);
		f[k] = aiot_isa_cadd(f[k], s1);
		s3 = aiot_isa_cadd(s0, s2);
		s4 = aiot_isa_csub(s0, s2);
		f[k + 2 * m] = aiot_isa_csub(f[k], s3);
		f[k] = aiot_isa_cadd(f[k], s3);
		f[k + m].r = (s16)(s5.r + s4.i);
		f[k + m].i = (s16)(s5.i - s4.r);
		f[k + 3 * m].r = (s16)(s5.r - s4.i);
		f[k + 3 * m].i = (s16)(s5.i + s4.r);
	}
}

/*
 * KISS FFT's recursive decimation in time over @n complex points: radix 4
 * while 4 divides the length, then one radix 2 (n is a power of two, so
 * the recursion is at most 12 deep).
 */
static void aiot_isa_kf_work(struct aiot_isa_cpx *out,
			     const struct aiot_isa_cpx *in, size_t fstride,
			     size_t n, const struct aiot_isa_cpx *tw)
{
	size_t p = n % 4 == 0 ? 4 : 2, m = n / p, q;

	if (m == 1) {
		for (q = 0; q < p; q++)
			out[q] = in[q * fstride];
	} else {
		for (q = 0; q < p; q++)
			aiot_isa_kf_work(out + q * m, in + q * fstride,
					 fstride * p, m, tw);
	}
	if (p == 4)
		aiot_isa_bfly4(out, fstride, tw, m);
	else
		aiot_isa_bfly2(out, fstride, tw, m);
}

static int aiot_isa_exec_sig_rfft(struct aiot_isa_exec *ex,
				  const struct aiot_isa_op_signal_rfft *op)
{
	const u32 len = op->fft_length, ncfft = len / 2;
	const struct aiot_isa_cpx *tw = (const struct aiot_isa_cpx *)
		((const u8 *)ex->bindings[op->twiddles.binding] +
		 op->twiddles.offset);
	const struct aiot_isa_cpx *super = tw + ncfft;
	const s16 *in = aiot_isa_sig_ptr(ex, &op->input);
	s16 *outbase = aiot_isa_sig_ptr(ex, &op->output);
	s16 *scratch = aiot_isa_sig_ptr(ex, &op->scratch);
	struct aiot_isa_cpx *time = (struct aiot_isa_cpx *)scratch;
	struct aiot_isa_cpx *freq = (struct aiot_isa_cpx *)(scratch + len);
	struct aiot_isa_cpx fpk, fpnk, f1k, f2k, t, tdc, *out;
	const u32 width = op->input.dims[3];
	size_t rows = aiot_isa_sig_count(&op->input) / width, row;
	u32 k;

	for (row = 0; row < rows; row++) {
		if (aiot_isa_tick(ex, (u64)len * 16))
			return -ECANCELED;
		memcpy(scratch, in + row * width, width * sizeof(s16));
		memset(scratch + width, 0, (len - width) * sizeof(s16));
		aiot_isa_kf_work(freq, time, 1, ncfft, tw);
		out = (struct aiot_isa_cpx *)(outbase + row * (len + 2));

		tdc = freq[0];
		aiot_isa_fixdiv(&tdc, 2);
		out[0].r = (s16)(tdc.r + tdc.i);
		out[ncfft].r = (s16)(tdc.r - tdc.i);
		out[0].i = 0;
		out[ncfft].i = 0;
		for (k = 1; k <= ncfft / 2; k++) {
			fpk = freq[k];
			fpnk.r = freq[ncfft - k].r;
			fpnk.i = (s16)-freq[ncfft - k].i;
			aiot_isa_fixdiv(&fpk, 2);
			aiot_isa_fixdiv(&fpnk, 2);
			f1k = aiot_isa_cadd(fpk, fpnk);
			f2k = aiot_isa_csub(fpk, fpnk);
			t = aiot_isa_cmul(f2k, super[k - 1]);
			out[k].r = (s16)((f1k.r + t.r) >> 1);
			out[k].i = (s16)((f1k.i + t.i) >> 1);
			out[ncfft - k].r = (s16)((f1k.r - t.r) >> 1);
			out[ncfft - k].i = (s16)((t.i - f1k.i) >> 1);
		}
	}
	return 0;
}

static int aiot_isa_exec_sig_energy(struct aiot_isa_exec *ex,
				    const struct aiot_isa_op_signal_energy *op)
{
	const s16 *in = aiot_isa_sig_ptr(ex, &op->input);
	u32 *out = aiot_isa_sig_ptr(ex, &op->output);
	const u32 bins = op->output.dims[3];
	size_t rows = aiot_isa_sig_count(&op->output) / bins, row;
	const s16 *x;
	u32 i;

	for (row = 0; row < rows; row++) {
		if (aiot_isa_tick(ex, bins))
			return -ECANCELED;
		x = in + row * 2 * bins;
		for (i = op->start_index; i < op->end_index; i++)
			out[row * bins + i] = (u32)((s32)x[2 * i] * x[2 * i]) +
					      (u32)((s32)x[2 * i + 1] *
						    x[2 * i + 1]);
	}
	return 0;
}

static int
aiot_isa_exec_sig_fbank(struct aiot_isa_exec *ex,
			const struct aiot_isa_op_signal_filter_bank *op)
{
	const u32 *in = aiot_isa_sig_ptr(ex, &op->input);
	const s16 *w = aiot_isa_sig_ptr(ex, &op->weights);
	const s16 *uw = aiot_isa_sig_ptr(ex, &op->unweights);
	const s16 *fstart = aiot_isa_sig_ptr(ex, &op->channel_frequency_starts);
	const s16 *wstart = aiot_isa_sig_ptr(ex, &op->channel_weight_starts);
	const s16 *widths = aiot_isa_sig_ptr(ex, &op->channel_widths);
	u32 *out = aiot_isa_sig_ptr(ex, &op->output);
	const size_t nin = aiot_isa_sig_count(&op->input);
	const size_t nw = aiot_isa_sig_count(&op->weights);
	const size_t channels = aiot_isa_sig_count(&op->output) / 2;
	u64 acc = 0, unacc = 0;
	s64 f, wi;
	size_t c;
	s32 j;

	for (c = 0; c <= channels; c++) {
		if (aiot_isa_tick(ex, nin))
			return -ECANCELED;
		/* Terms outside the spectrum or the weights are skipped. */
		for (j = 0; j < widths[c]; j++) {
			f = (s64)fstart[c] + j;
			wi = (s64)wstart[c] + j;
			if (f < 0 || (u64)f >= nin || wi < 0 || (u64)wi >= nw)
				continue;
			acc += (u64)(s64)w[wi] * in[f];
			unacc += (u64)(s64)uw[wi] * in[f];
		}
		/* Channel 0 only carries the unweights into channel 1. */
		if (c) {
			out[2 * (c - 1)] = (u32)acc;
			out[2 * (c - 1) + 1] = (u32)(acc >> 32);
		}
		acc = unacc;
		unacc = 0;
	}
	return 0;
}

static u32 aiot_isa_sig_sqrt32(u32 num)
{
	u32 res = 0, bit;
	s32 top, iter;

	if (!num)
		return 0;
	top = (32 - (s32)aiot_isa_sig_msb32(num)) | 1;
	bit = 1u << (31 - top);
	for (iter = (31 - top) / 2 + 1; iter > 0; iter--) {
		if (num >= res + bit) {
			num -= res + bit;
			res = (res >> 1) + bit;
		} else {
			res >>= 1;
		}
		bit >>= 2;
	}
	if (num > res && res != 0xffff)
		res++;
	return (u16)res;
}

static u32 aiot_isa_sig_sqrt64(u64 num)
{
	u64 res = 0, bit;
	s32 top, iter;

	if (!(num >> 32))
		return aiot_isa_sig_sqrt32((u32)num);
	top = (64 - (s32)aiot_isa_sig_msb64(num)) | 1;
	bit = 1ull << (63 - top);
	for (iter = (63 - top) / 2 + 1; iter > 0; iter--) {
		if (num >= res + bit) {
			num -= res + bit;
			res = (res >> 1) + bit;
		} else {
			res >>= 1;
		}
		bit >>= 2;
	}
	if (num > res && res != 0xffffffffull)
		res++;
	return (u32)res;
}

static int
aiot_isa_exec_sig_sqrt(struct aiot_isa_exec *ex,
		       const struct aiot_isa_op_signal_filter_bank_sqrt *op)
{
	const u32 *in = aiot_isa_sig_ptr(ex, &op->input);
	const s32 *scale = aiot_isa_sig_ptr(ex, &op->scale);
	u32 *out = aiot_isa_sig_ptr(ex, &op->output);
	size_t n = aiot_isa_sig_count(&op->output), i;
	s32 shift = *scale;
	u32 r;

	if (aiot_isa_tick(ex, 32 * (u64)n))
		return -ECANCELED;
	for (i = 0; i < n; i++) {
		r = aiot_isa_sig_sqrt64(in[2 * i] | (u64)in[2 * i + 1] << 32);
		/* The shift is data: outside 0..31 it is defined here. */
		if (shift > 31)
			r = 0;
		else if (shift > 0)
			r >>= shift;
		out[i] = r;
	}
	return 0;
}

static int aiot_isa_exec_sig_subtract(struct aiot_isa_exec *ex,
				      const struct aiot_isa_op_signal_spectral_subtraction *op)
{
	const u32 *in = aiot_isa_sig_ptr(ex, &op->input);
	u32 *out = aiot_isa_sig_ptr(ex, &op->output);
	u32 *noise = aiot_isa_sig_ptr(ex, &op->noise_estimate);
	u32 *state = aiot_isa_sig_ptr(ex, &op->state);
	size_t n = aiot_isa_sig_count(&op->input), i;
	const u32 sb = op->smoothing_bits, ssb = op->spectral_subtraction_bits;
	u32 smooth, one_minus, up, est, floor, sub;

	if (aiot_isa_tick(ex, 2 * (u64)n))
		return -ECANCELED;
	for (i = 0; i < n; i++) {
		if (i & 1) {
			smooth = op->alternate_smoothing;
			one_minus = op->alternate_one_minus_smoothing;
		} else {
			smooth = op->smoothing;
			one_minus = op->one_minus_smoothing;
		}
		up = in[i] << sb;
		state[i] = (u32)(((u64)up * smooth +
				  (u64)state[i] * one_minus) >> ssb);
		est = state[i];
		if (est > up) {
			est = up;
			if (op->clamping)
				state[i] = est;
		}
		floor = (u32)(((u64)in[i] * op->min_signal_remaining) >> ssb);
		sub = (up - est) >> sb;
		out[i] = sub > floor ? sub : floor;
		noise[i] = state[i];
	}
	return 0;
}

static s16 aiot_isa_sig_wide_dynamic(u32 x, const s16 *lut)
{
	s32 interval, frac, result;

	if (x <= 2)
		return lut[x];
	interval = (s32)aiot_isa_sig_msb32(x);
	lut += 4 * interval - 6;
	frac = (s16)((interval < 11 ? x << (11 - interval) :
		      x >> (interval - 11)) & 0x3ff);
	result = ((s32)lut[2] * frac) >> 5;
	result += (s32)((u32)lut[1] << 5);
	result = (s32)((u32)result * (u32)frac);
	result = (s32)((u32)result + (1u << 14)) >> 15;
	result += lut[0];
	return (s16)result;
}

static u32 aiot_isa_sig_pcan_shrink(u32 x)
{
	/* 12 fractional bits in, 6 out. */
	if (x < (2u << 12))
		return (x * x) >> (2 + 2 * 12 - 6);
	return (x >> (12 - 6)) - (1u << 6);
}

static int aiot_isa_exec_sig_pcan(struct aiot_isa_exec *ex,
				  const struct aiot_isa_op_signal_pcan *op)
{
	const u32 *in = aiot_isa_sig_ptr(ex, &op->input);
	const u32 *noise = aiot_isa_sig_ptr(ex, &op->noise_estimate);
	const s16 *lut = aiot_isa_sig_ptr(ex, &op->gain_lut);
	u32 *out = aiot_isa_sig_ptr(ex, &op->output);
	size_t n = aiot_isa_sig_count(&op->input), i;
	u32 gain, snr;

	if (aiot_isa_tick(ex, 2 * (u64)n))
		return -ECANCELED;
	for (i = 0; i < n; i++) {
		gain = (u32)(s32)aiot_isa_sig_wide_dynamic(noise[i], lut);
		snr = (u32)(((u64)in[i] * gain) >> op->snr_shift);
		out[i] = aiot_isa_sig_pcan_shrink(snr);
	}
	return 0;
}

/* The signal library's Log32, with its correction table as data. */
static u32 aiot_isa_sig_log32(u32 x, u32 out_scale, const u16 *lut)
{
	const u32 integer = aiot_isa_sig_msb32(x) - 1;
	s32 frac = (s32)(x - (u32)(1ull << integer));
	u32 seg, log2, loge;
	s32 c0, c1, rel;

	if (integer < 16)
		frac <<= 16 - integer;
	else
		frac >>= integer - 16;
	seg = (u32)frac >> (16 - 7);
	c0 = lut[seg];
	c1 = lut[seg + 1];
	rel = ((c1 - c0) * (frac - (s32)(seg << (16 - 7)))) >> 16;
	log2 = (integer << 16) + (u32)(frac + c0 + rel);
	loge = (u32)((45426ull * log2 + 32768) >> 16);
	return (out_scale * loge + 32768) >> 16;
}

static int
aiot_isa_exec_sig_log(struct aiot_isa_exec *ex,
		      const struct aiot_isa_op_signal_filter_bank_log *op)
{
	const u32 *in = aiot_isa_sig_ptr(ex, &op->input);
	const u16 *lut = aiot_isa_sig_ptr(ex, &op->log_lut);
	s16 *out = aiot_isa_sig_ptr(ex, &op->output);
	size_t n = aiot_isa_sig_count(&op->input), i;
	u32 scaled, v;

	if (aiot_isa_tick(ex, 2 * (u64)n))
		return -ECANCELED;
	for (i = 0; i < n; i++) {
		scaled = in[i] << op->input_correction_bits;
		if (scaled > 1) {
			v = aiot_isa_sig_log32(scaled, op->output_scale, lut);
			out[i] = (s16)(v < 32767 ? v : 32767);
		} else {
			out[i] = 0;
		}
	}
	return 0;
}

static s32 aiot_isa_sig_load(const void *base, u8 dtype, size_t i)
{
	switch (dtype) {
	case AIOT_ISA_DTYPE_INT8:
		return ((const s8 *)base)[i];
	case AIOT_ISA_DTYPE_INT16:
		return ((const s16 *)base)[i];
	default:
		return ((const s32 *)base)[i];
	}
}

static void aiot_isa_sig_store(void *base, u8 dtype, size_t i, s32 v)
{
	switch (dtype) {
	case AIOT_ISA_DTYPE_INT8:
		((s8 *)base)[i] = (s8)v;
		break;
	case AIOT_ISA_DTYPE_INT16:
		((s16 *)base)[i] = (s16)v;
		break;
	default:
		((s32 *)base)[i] = v;
		break;
	}
}

static int aiot_isa_exec_cast(struct aiot_isa_exec *ex,
			      const struct aiot_isa_op_cast *op)
{
	const void *in = aiot_isa_sig_ptr(ex, &op->input);
	void *out = aiot_isa_sig_ptr(ex, &op->output);
	size_t n = aiot_isa_sig_count(&op->input), i;

	for (i = 0; i < n; i++) {
		if (i % AIOT_ISA_SIG_STEP == 0 &&
		    aiot_isa_tick(ex, AIOT_ISA_SIG_STEP))
			return -ECANCELED;
		aiot_isa_sig_store(out, op->output.dtype, i,
				   aiot_isa_sig_load(in, op->input.dtype, i));
	}
	return 0;
}

/* The positive-stride case of ISA 1.5's SLICE (aiot_isa_exec_shape.c). */
static int aiot_isa_exec_slice(struct aiot_isa_exec *ex,
			       const struct aiot_isa_op_strided_slice *op)
{
	s64 stride[AIOT_ISA_DIMS];
	int i;

	for (i = 0; i < AIOT_ISA_DIMS; i++)
		stride[i] = op->stride[i];
	return aiot_isa_exec_strided(ex, &op->input, &op->output, op->begin,
				     stride);
}

/* Flat index into @t of output position (n, h, w, c), broadcasting. */
static size_t aiot_isa_sig_bcast(const struct aiot_isa_tensor *t, u32 n, u32 h,
				 u32 w, u32 c)
{
	const u32 *d = t->dims;

	return (((size_t)(d[0] == 1 ? 0 : n) * d[1] + (d[1] == 1 ? 0 : h)) *
		d[2] + (d[2] == 1 ? 0 : w)) * d[3] + (d[3] == 1 ? 0 : c);
}

static s32 aiot_isa_bin32_apply(u16 opcode, s32 a, s32 b)
{
	switch (opcode) {
	case AIOT_ISA_OP_ADD_INT32:
		return (s32)((u32)a + (u32)b);
	case AIOT_ISA_OP_MUL_INT32:
		return (s32)((u32)a * (u32)b);
	case AIOT_ISA_OP_DIV_INT32:
		if (!b)
			return 0;
		if (b == -1)
			return (s32)(0u - (u32)a);
		return a / b;
	case AIOT_ISA_OP_MINIMUM_INT32:
		return a < b ? a : b;
	default:
		return a > b ? a : b;
	}
}

static int aiot_isa_exec_bin32(struct aiot_isa_exec *ex,
			       const struct aiot_isa_op_binary_int32 *op)
{
	const s32 *in1 = aiot_isa_sig_ptr(ex, &op->input1);
	const s32 *in2 = aiot_isa_sig_ptr(ex, &op->input2);
	s32 *out = aiot_isa_sig_ptr(ex, &op->output);
	const u32 *d = op->output.dims;
	size_t o = 0, i1, i2;
	u32 n, h, w, c;
	s32 v;

	for (n = 0; n < d[0]; n++) {
		for (h = 0; h < d[1]; h++) {
			for (w = 0; w < d[2]; w++) {
				if (aiot_isa_tick(ex, d[3]))
					return -ECANCELED;
				for (c = 0; c < d[3]; c++) {
					i1 = aiot_isa_sig_bcast(&op->input1, n, h, w, c);
					i2 = aiot_isa_sig_bcast(&op->input2, n, h, w, c);
					v = aiot_isa_bin32_apply(op->hdr.opcode,
								 in1[i1], in2[i2]);
					if (v < op->act.min)
						v = op->act.min;
					if (v > op->act.max)
						v = op->act.max;
					out[o++] = v;
				}
			}
		}
	}
	return 0;
}

int aiot_isa_exec_signal_op(struct aiot_isa_exec *ex,
			    const union aiot_isa_op *op)
{
	switch (op->hdr.opcode) {
	case AIOT_ISA_OP_SIGNAL_WINDOW:
		return aiot_isa_exec_sig_window(ex, &op->sig_window);
	case AIOT_ISA_OP_SIGNAL_FFT_AUTO_SCALE:
		return aiot_isa_exec_sig_autoscale(ex, &op->sig_autoscale);
	case AIOT_ISA_OP_SIGNAL_RFFT:
		return aiot_isa_exec_sig_rfft(ex, &op->sig_rfft);
	case AIOT_ISA_OP_SIGNAL_ENERGY:
		return aiot_isa_exec_sig_energy(ex, &op->sig_energy);
	case AIOT_ISA_OP_SIGNAL_FILTER_BANK:
		return aiot_isa_exec_sig_fbank(ex, &op->sig_fbank);
	case AIOT_ISA_OP_SIGNAL_FILTER_BANK_SQRT:
		return aiot_isa_exec_sig_sqrt(ex, &op->sig_sqrt);
	case AIOT_ISA_OP_SIGNAL_SPECTRAL_SUBTRACTION:
		return aiot_isa_exec_sig_subtract(ex, &op->sig_subtract);
	case AIOT_ISA_OP_SIGNAL_PCAN:
		return aiot_isa_exec_sig_pcan(ex, &op->sig_pcan);
	case AIOT_ISA_OP_SIGNAL_FILTER_BANK_LOG:
		return aiot_isa_exec_sig_log(ex, &op->sig_log);
	case AIOT_ISA_OP_CAST:
		return aiot_isa_exec_cast(ex, &op->cast);
	case AIOT_ISA_OP_STRIDED_SLICE:
		return aiot_isa_exec_slice(ex, &op->slice);
	case AIOT_ISA_OP_ADD_INT32:
	case AIOT_ISA_OP_MUL_INT32:
	case AIOT_ISA_OP_DIV_INT32:
	case AIOT_ISA_OP_MINIMUM_INT32:
	case AIOT_ISA_OP_MAXIMUM_INT32:
		return aiot_isa_exec_bin32(ex, &op->bin32);
	default:
		/* The cursor only yields known opcodes. */
		return -EOPNOTSUPP;
	}
}
