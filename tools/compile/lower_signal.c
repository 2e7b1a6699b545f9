// SPDX-License-Identifier: GPL-2.0-only
/*
 * ISA 1.4 lowering: TensorFlow Lite Micro's audio front end (the Signal*
 * custom operators of audio_preprocessor_int8.tflite) and the int32 forms
 * of CAST, CONCATENATION, ADD, MUL, DIV, MINIMUM and
 * MAXIMUM around them.
 *
 * Custom operators carry their options as a flexbuffer map; a small
 * bounded reader below takes the integers it needs by key. Tables the
 * kernels need but the model does not carry (the FFT twiddles, the log
 * correction table) are computed here and placed in the weights; state
 * that lives across runs (spectral subtraction's noise estimate) and the
 * FFT's scratch are placed past the planned arena, the state counted in
 * state_size.
 */
#include "lower_internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- a bounded flexbuffer map reader ------------------------------------ */

enum { FBX_INT = 1, FBX_UINT = 2, FBX_INDIRECT_INT = 6, FBX_INDIRECT_UINT = 7,
       FBX_MAP = 9, FBX_BOOL = 26 };

struct fbx {
	const uint8_t *b;
	size_t n;
};

/* Little-endian unsigned of width w (1, 2, 4, 8) at pos; false if outside. */
static bool fbx_read(const struct fbx *f, size_t pos, unsigned int w, uint64_t *v)
{
	if ((w != 1 && w != 2 && w != 4 && w != 8) || pos > f->n || f->n - pos < w)
		return false;
	*v = 0;
	for (unsigned int i = 0; i < w; i++)
		*v |= (uint64_t)f->b[pos + i] << (8 * i);
	return true;
}

static int64_t fbx_sext(uint64_t v, unsigned int w)
{
	if (w == 8)
		return (int64_t)v;
	if (v & (1ull << (8 * w - 1)))
		return (int64_t)(v - (1ull << (8 * w)));
	return (int64_t)v;
}

/* pos - off, false if it would leave the buffer. */
static bool fbx_back(size_t pos, uint64_t off, size_t *out)
{
	if (off > pos)
		return false;
	*out = pos - (size_t)off;
	return true;
}

static bool fbx_key_is(const struct fbx *f, size_t pos, const char *key)
{
	size_t len = strlen(key);

	return pos < f->n && f->n - pos > len && !memcmp(f->b + pos, key, len) &&
	       f->b[pos + len] == '\0';
}

/*
 * The integer (or bool) stored under key in the flexbuffer map at the
 * root: 0 found, -ENOENT absent, -EINVAL malformed or not an integer.
 */
static int fbx_map_int(const uint8_t *buf, size_t n, const char *key, int64_t *out)
{
	struct fbx f = { buf, n };
	uint64_t off, size, koff, kbw, v;
	size_t root, vec, kvec, kpos, elem, at;
	unsigned int ebw, rbw;
	uint8_t packed;

	if (!buf || n < 3)
		return -EINVAL;
	rbw = buf[n - 1];
	packed = buf[n - 2];
	if ((packed >> 2) != FBX_MAP || n - 2 < rbw)
		return -EINVAL;
	root = n - 2 - rbw;
	ebw = 1u << (packed & 3);
	if (!fbx_read(&f, root, rbw, &off) || !fbx_back(root, off, &vec) ||
	    vec < 3 * (size_t)ebw || !fbx_read(&f, vec - ebw, ebw, &size) ||
	    !fbx_read(&f, vec - 2 * ebw, ebw, &kbw) ||
	    !fbx_read(&f, vec - 3 * ebw, ebw, &koff) ||
	    !fbx_back(vec - 3 * ebw, koff, &kvec) || size > n)
		return -EINVAL;
	if (vec + size * (ebw + 1) > n)
		return -EINVAL;
	for (uint64_t i = 0; i < size; i++) {
		elem = kvec + (size_t)(i * kbw);
		if (!fbx_read(&f, elem, (unsigned int)kbw, &off) || !fbx_back(elem, off, &kpos))
			return -EINVAL;
		if (!fbx_key_is(&f, kpos, key))
			continue;
		packed = buf[vec + size * ebw + i];
		elem = vec + (size_t)i * ebw;
		switch (packed >> 2) {
		case FBX_INT:
		case FBX_UINT:
		case FBX_BOOL:
			if (!fbx_read(&f, elem, ebw, &v))
				return -EINVAL;
			*out = (packed >> 2) == FBX_INT ? fbx_sext(v, ebw) : (int64_t)v;
			return 0;
		case FBX_INDIRECT_INT:
		case FBX_INDIRECT_UINT:
			if (!fbx_read(&f, elem, ebw, &off) || !fbx_back(elem, off, &at) ||
			    !fbx_read(&f, at, 1u << (packed & 3), &v))
				return -EINVAL;
			*out = (packed >> 2) == FBX_INDIRECT_INT ?
			       fbx_sext(v, 1u << (packed & 3)) : (int64_t)v;
			return 0;
		default:
			return -EINVAL;
		}
	}
	return -ENOENT;
}

/* Option key of op as an integer in [lo, hi], or a message. */
static int sig_option(struct lowering *l, const struct tflite_operator *op, const char *key,
		      int64_t lo, int64_t hi, int64_t *out)
{
	int rc = fbx_map_int(op->custom_options, op->custom_options_size, key, out);

	if (rc == -ENOENT)
		return lower_fail(l, "custom option \"%s\" is missing", key);
	if (rc)
		return lower_fail(l, "custom options are malformed (reading \"%s\")", key);
	if (*out < lo || *out > hi)
		return lower_fail(l, "custom option \"%s\" is %lld (expected %lld..%lld)", key,
				  (long long)*out, (long long)lo, (long long)hi);
	return 0;
}

static int sig_arity(struct lowering *l, const struct tflite_operator *op, uint32_t ins,
		     uint32_t outs)
{
	if (op->input_count != ins || op->output_count != outs)
		return lower_fail(l, "expects %u inputs and %u outputs (has %u and %u)", ins, outs,
				  op->input_count, op->output_count);
	return 0;
}

static bool sig_type_is(struct lowering *l, int32_t index, enum tflite_tensor_type type)
{
	return index >= 0 && l->m->tensors[index].type == type;
}

static int sig_types(struct lowering *l, const struct tflite_operator *op,
		     const enum tflite_tensor_type *in, const enum tflite_tensor_type *out)
{
	for (uint32_t i = 0; i < op->input_count; i++)
		if (!sig_type_is(l, op->inputs[i], in[i]))
			return lower_fail(l, "input %u is not %s", i, tflite_type_name(in[i]));
	for (uint32_t i = 0; i < op->output_count; i++)
		if (!sig_type_is(l, op->outputs[i], out[i]))
			return lower_fail(l, "output %u is not %s", i, tflite_type_name(out[i]));
	return 0;
}

/* bytes past the planned arena, 16-byte aligned; *offset where. */
static void sig_flat(struct aiot_isa_tensor *t, uint32_t binding, uint32_t offset, uint8_t dtype,
		     uint32_t count)
{
	memset(t, 0, sizeof(*t));
	t->binding = (uint8_t)binding;
	t->offset = offset;
	t->dtype = dtype;
	t->dims[0] = t->dims[1] = t->dims[2] = 1;
	t->dims[3] = count;
}

static uint64_t sig_elems(const struct aiot_isa_tensor *t)
{
	return (uint64_t)t->dims[0] * t->dims[1] * t->dims[2] * t->dims[3];
}

static int lower_sig_window(struct lowering *l, const struct tflite_operator *op)
{
	static const enum tflite_tensor_type in[] = { TFLITE_TYPE_INT16, TFLITE_TYPE_INT16 };
	static const enum tflite_tensor_type out[] = { TFLITE_TYPE_INT16 };
	struct aiot_isa_op_signal_window w;
	int64_t shift;
	int rc = sig_arity(l, op, 2, 1);

	if (!rc) rc = sig_types(l, op, in, out);
	if (!rc) rc = sig_option(l, op, "shift", 0, 31, &shift);
	lower_op_init(&w.hdr, sizeof(w), AIOT_ISA_OP_SIGNAL_WINDOW);
	if (!rc) rc = lower_isa_tensor(l, op->inputs[0], &w.input);
	if (!rc) rc = lower_isa_tensor(l, op->inputs[1], &w.weights);
	if (!rc) rc = lower_isa_tensor(l, op->outputs[0], &w.output);
	if (rc)
		return rc;
	if (sig_elems(&w.input) != sig_elems(&w.output) ||
	    sig_elems(&w.input) % sig_elems(&w.weights))
		return lower_fail(l, "input, window and output sizes do not match");
	memcpy(w.output.dims, w.input.dims, sizeof(w.input.dims));
	w.shift = (int32_t)shift;
	lower_need_isa(l, 4);
	return lower_emit(l, &w, sizeof(w));
}

static int lower_sig_autoscale(struct lowering *l, const struct tflite_operator *op)
{
	static const enum tflite_tensor_type in[] = { TFLITE_TYPE_INT16 };
	static const enum tflite_tensor_type out[] = { TFLITE_TYPE_INT16, TFLITE_TYPE_INT32 };
	struct aiot_isa_op_signal_fft_auto_scale a;
	int rc = sig_arity(l, op, 1, 2);

	if (!rc) rc = sig_types(l, op, in, out);
	lower_op_init(&a.hdr, sizeof(a), AIOT_ISA_OP_SIGNAL_FFT_AUTO_SCALE);
	if (!rc) rc = lower_isa_tensor(l, op->inputs[0], &a.input);
	if (!rc) rc = lower_isa_tensor(l, op->outputs[0], &a.output);
	if (!rc) rc = lower_isa_tensor(l, op->outputs[1], &a.scale);
	if (rc)
		return rc;
	if (sig_elems(&a.input) != sig_elems(&a.output) || sig_elems(&a.scale) != 1)
		return lower_fail(l, "input and output differ in size, or the scale is not a scalar");
	memcpy(a.output.dims, a.input.dims, sizeof(a.input.dims));
	lower_need_isa(l, 4);
	return lower_emit(l, &a, sizeof(a));
}

/* KISS FFT's fixed-point twiddle: floor(0.5 + 32767 * cos/sin(phase)). */
static void sig_twiddle(int16_t *dst, double phase)
{
	dst[0] = (int16_t)floor(0.5 + 32767.0 * cos(phase));
	dst[1] = (int16_t)floor(0.5 + 32767.0 * sin(phase));
}

static int lower_sig_rfft(struct lowering *l, const struct tflite_operator *op)
{
	static const enum tflite_tensor_type in[] = { TFLITE_TYPE_INT16 };
	static const enum tflite_tensor_type out[] = { TFLITE_TYPE_INT16 };
	const double pi = 3.14159265358979323846264338327950288;
	struct aiot_isa_op_signal_rfft r;
	int16_t tw[3 * 4096 / 2];
	int64_t len, type;
	uint32_t scratch = 0;
	size_t at;
	int rc = sig_arity(l, op, 1, 1);

	if (!rc) rc = sig_types(l, op, in, out);
	if (!rc) rc = sig_option(l, op, "fft_length", 4, 4096, &len);
	if (!rc && (len & (len - 1)))
		rc = lower_fail(l, "fft_length %lld is not a power of two", (long long)len);
	if (!rc && fbx_map_int(op->custom_options, op->custom_options_size, "T", &type) == 0 &&
	    type != TFLITE_TYPE_INT16)
		rc = lower_fail(l, "only the int16 RFFT is supported (T = %lld)", (long long)type);
	lower_op_init(&r.hdr, sizeof(r), AIOT_ISA_OP_SIGNAL_RFFT);
	if (!rc) rc = lower_isa_tensor(l, op->inputs[0], &r.input);
	if (!rc) rc = lower_isa_tensor(l, op->outputs[0], &r.output);
	if (rc)
		return rc;
	if (r.input.dims[3] > len || r.output.dims[3] != len + 2 ||
	    sig_elems(&r.input) / r.input.dims[3] != sig_elems(&r.output) / r.output.dims[3])
		return lower_fail(l, "input rows of %u and output rows of %u do not fit fft_length "
				  "%lld", r.input.dims[3], r.output.dims[3], (long long)len);
	/* The complex FFT of len/2 points, then the real FFT's super twiddles. */
	for (int64_t i = 0; i < len / 2; i++)
		sig_twiddle(&tw[2 * i], -2.0 * pi * (double)i / (double)(len / 2));
	for (int64_t i = 0; i < len / 4; i++)
		sig_twiddle(&tw[len + 2 * i], -pi * ((double)(i + 1) / (double)(len / 2) + 0.5));
	rc = lower_weights_append(l, tw, (size_t)(3 * (len / 2)) * sizeof(int16_t), &at);
	if (!rc) rc = lower_arena_extend(l, (size_t)(2 * len) * sizeof(int16_t), &scratch);
	if (rc)
		return rc;
	r.twiddles.binding = AIOT_ISA_BINDING_WEIGHTS;
	r.twiddles.offset = (uint32_t)at;
	sig_flat(&r.scratch, AIOT_ISA_BINDING_ARENA, scratch, AIOT_ISA_DTYPE_INT16,
		 (uint32_t)(2 * len));
	r.fft_length = (uint32_t)len;
	lower_need_isa(l, 4);
	return lower_emit(l, &r, sizeof(r));
}

static int lower_sig_energy(struct lowering *l, const struct tflite_operator *op)
{
	static const enum tflite_tensor_type in[] = { TFLITE_TYPE_INT16 };
	static const enum tflite_tensor_type out[] = { TFLITE_TYPE_UINT32 };
	struct aiot_isa_op_signal_energy e;
	int64_t start, end;
	int rc = sig_arity(l, op, 1, 1);

	if (!rc) rc = sig_types(l, op, in, out);
	if (!rc) rc = sig_option(l, op, "start_index", 0, AIOT_ISA_MAX_DIM, &start);
	if (!rc) rc = sig_option(l, op, "end_index", 0, AIOT_ISA_MAX_DIM, &end);
	lower_op_init(&e.hdr, sizeof(e), AIOT_ISA_OP_SIGNAL_ENERGY);
	if (!rc) rc = lower_isa_tensor(l, op->inputs[0], &e.input);
	if (!rc) rc = lower_isa_tensor(l, op->outputs[0], &e.output);
	if (rc)
		return rc;
	if (e.input.dims[3] != 2 * e.output.dims[3] || start > end || end > e.output.dims[3])
		return lower_fail(l, "bins %lld..%lld do not fit a spectrum of %u into %u outputs",
				  (long long)start, (long long)end, e.input.dims[3] / 2,
				  e.output.dims[3]);
	e.start_index = (uint32_t)start;
	e.end_index = (uint32_t)end;
	lower_need_isa(l, 4);
	return lower_emit(l, &e, sizeof(e));
}

static int lower_sig_filter_bank(struct lowering *l, const struct tflite_operator *op)
{
	static const enum tflite_tensor_type in[] = {
		TFLITE_TYPE_UINT32, TFLITE_TYPE_INT16, TFLITE_TYPE_INT16, TFLITE_TYPE_INT16,
		TFLITE_TYPE_INT16, TFLITE_TYPE_INT16 };
	static const enum tflite_tensor_type out[] = { TFLITE_TYPE_UINT64 };
	struct aiot_isa_op_signal_filter_bank f;
	int64_t channels;
	int rc = sig_arity(l, op, 6, 1);

	if (!rc) rc = sig_types(l, op, in, out);
	if (!rc) rc = sig_option(l, op, "num_channels", 1, AIOT_ISA_MAX_DIM - 1, &channels);
	lower_op_init(&f.hdr, sizeof(f), AIOT_ISA_OP_SIGNAL_FILTER_BANK);
	if (!rc) rc = lower_isa_tensor(l, op->inputs[0], &f.input);
	if (!rc) rc = lower_isa_tensor(l, op->inputs[1], &f.weights);
	if (!rc) rc = lower_isa_tensor(l, op->inputs[2], &f.unweights);
	if (!rc) rc = lower_isa_tensor(l, op->inputs[3], &f.channel_frequency_starts);
	if (!rc) rc = lower_isa_tensor(l, op->inputs[4], &f.channel_weight_starts);
	if (!rc) rc = lower_isa_tensor(l, op->inputs[5], &f.channel_widths);
	if (!rc) rc = lower_isa_tensor(l, op->outputs[0], &f.output);
	if (rc)
		return rc;
	if (sig_elems(&f.output) != 2 * (uint64_t)channels ||
	    sig_elems(&f.channel_frequency_starts) != (uint64_t)channels + 1 ||
	    sig_elems(&f.channel_weight_starts) != (uint64_t)channels + 1 ||
	    sig_elems(&f.channel_widths) != (uint64_t)channels + 1 ||
	    sig_elems(&f.weights) != sig_elems(&f.unweights))
		return lower_fail(l, "tables do not match num_channels %lld", (long long)channels);
	lower_need_isa(l, 4);
	return lower_emit(l, &f, sizeof(f));
}

static int lower_sig_sqrt(struct lowering *l, const struct tflite_operator *op)
{
	static const enum tflite_tensor_type in[] = { TFLITE_TYPE_UINT64, TFLITE_TYPE_INT32 };
	static const enum tflite_tensor_type out[] = { TFLITE_TYPE_UINT32 };
	struct aiot_isa_op_signal_filter_bank_sqrt s;
	int rc = sig_arity(l, op, 2, 1);

	if (!rc) rc = sig_types(l, op, in, out);
	lower_op_init(&s.hdr, sizeof(s), AIOT_ISA_OP_SIGNAL_FILTER_BANK_SQRT);
	if (!rc) rc = lower_isa_tensor(l, op->inputs[0], &s.input);
	if (!rc) rc = lower_isa_tensor(l, op->inputs[1], &s.scale);
	if (!rc) rc = lower_isa_tensor(l, op->outputs[0], &s.output);
	if (rc)
		return rc;
	if (sig_elems(&s.input) != 2 * sig_elems(&s.output) || sig_elems(&s.scale) != 1)
		return lower_fail(l, "input and output differ in channels");
	lower_need_isa(l, 4);
	return lower_emit(l, &s, sizeof(s));
}

static int lower_sig_subtract(struct lowering *l, const struct tflite_operator *op)
{
	static const enum tflite_tensor_type in[] = { TFLITE_TYPE_UINT32 };
	static const enum tflite_tensor_type out[] = { TFLITE_TYPE_UINT32, TFLITE_TYPE_UINT32 };
	struct aiot_isa_op_signal_spectral_subtraction s;
	int64_t v[9];
	static const char *const keys[9] = {
		"smoothing", "one_minus_smoothing", "alternate_smoothing",
		"alternate_one_minus_smoothing", "min_signal_remaining", "smoothing_bits",
		"spectral_subtraction_bits", "clamping", "num_channels" };
	static const int64_t hi[9] = { UINT32_MAX, UINT32_MAX, UINT32_MAX, UINT32_MAX,
				       UINT32_MAX, 31, 63, 1, AIOT_ISA_MAX_DIM };
	uint32_t state = 0;
	int rc = sig_arity(l, op, 1, 2);

	if (!rc) rc = sig_types(l, op, in, out);
	for (int i = 0; !rc && i < 9; i++)
		rc = sig_option(l, op, keys[i], 0, hi[i], &v[i]);
	lower_op_init(&s.hdr, sizeof(s), AIOT_ISA_OP_SIGNAL_SPECTRAL_SUBTRACTION);
	if (!rc) rc = lower_isa_tensor(l, op->inputs[0], &s.input);
	if (!rc) rc = lower_isa_tensor(l, op->outputs[0], &s.output);
	if (!rc) rc = lower_isa_tensor(l, op->outputs[1], &s.noise_estimate);
	if (rc)
		return rc;
	if (sig_elems(&s.input) != (uint64_t)v[8] || sig_elems(&s.output) != (uint64_t)v[8] ||
	    sig_elems(&s.noise_estimate) != (uint64_t)v[8])
		return lower_fail(l, "tensors do not match num_channels %lld", (long long)v[8]);
	/* The noise estimate persists between runs: the arena's state. */
	rc = lower_arena_extend(l, (size_t)v[8] * 4, &state);
	if (rc)
		return rc;
	l->state_size += (size_t)v[8] * 4;
	s.state = s.input;
	s.state.binding = AIOT_ISA_BINDING_ARENA;
	s.state.offset = state;
	memcpy(s.output.dims, s.input.dims, sizeof(s.input.dims));
	memcpy(s.noise_estimate.dims, s.input.dims, sizeof(s.input.dims));
	s.smoothing = (uint32_t)v[0];
	s.one_minus_smoothing = (uint32_t)v[1];
	s.alternate_smoothing = (uint32_t)v[2];
	s.alternate_one_minus_smoothing = (uint32_t)v[3];
	s.min_signal_remaining = (uint32_t)v[4];
	s.smoothing_bits = (uint32_t)v[5];
	s.spectral_subtraction_bits = (uint32_t)v[6];
	s.clamping = (uint32_t)v[7];
	lower_need_isa(l, 4);
	return lower_emit(l, &s, sizeof(s));
}

static int lower_sig_pcan(struct lowering *l, const struct tflite_operator *op)
{
	static const enum tflite_tensor_type in[] = {
		TFLITE_TYPE_UINT32, TFLITE_TYPE_UINT32, TFLITE_TYPE_INT16 };
	static const enum tflite_tensor_type out[] = { TFLITE_TYPE_UINT32 };
	struct aiot_isa_op_signal_pcan p;
	int64_t shift;
	int rc = sig_arity(l, op, 3, 1);

	if (!rc) rc = sig_types(l, op, in, out);
	if (!rc) rc = sig_option(l, op, "snr_shift", 0, 63, &shift);
	lower_op_init(&p.hdr, sizeof(p), AIOT_ISA_OP_SIGNAL_PCAN);
	if (!rc) rc = lower_isa_tensor(l, op->inputs[0], &p.input);
	if (!rc) rc = lower_isa_tensor(l, op->inputs[1], &p.noise_estimate);
	if (!rc) rc = lower_isa_tensor(l, op->inputs[2], &p.gain_lut);
	if (!rc) rc = lower_isa_tensor(l, op->outputs[0], &p.output);
	if (rc)
		return rc;
	if (sig_elems(&p.input) != sig_elems(&p.output) ||
	    sig_elems(&p.input) != sig_elems(&p.noise_estimate) ||
	    sig_elems(&p.gain_lut) < AIOT_ISA_PCAN_LUT_ENTRIES)
		return lower_fail(l, "channel counts differ or the gain table has fewer than %d "
				  "entries", AIOT_ISA_PCAN_LUT_ENTRIES);
	memcpy(p.output.dims, p.input.dims, sizeof(p.input.dims));
	memcpy(p.noise_estimate.dims, p.input.dims, sizeof(p.input.dims));
	p.snr_shift = (uint32_t)shift;
	lower_need_isa(l, 4);
	return lower_emit(l, &p, sizeof(p));
}

static int lower_sig_log(struct lowering *l, const struct tflite_operator *op)
{
	static const enum tflite_tensor_type in[] = { TFLITE_TYPE_UINT32 };
	static const enum tflite_tensor_type out[] = { TFLITE_TYPE_INT16 };
	struct aiot_isa_op_signal_filter_bank_log g;
	uint16_t lut[AIOT_ISA_LOG_LUT_ENTRIES + 1];
	int64_t bits, scale;
	size_t at;
	int rc = sig_arity(l, op, 1, 1);

	if (!rc) rc = sig_types(l, op, in, out);
	if (!rc) rc = sig_option(l, op, "input_correction_bits", 0, 31, &bits);
	if (!rc) rc = sig_option(l, op, "output_scale", 0, UINT32_MAX, &scale);
	lower_op_init(&g.hdr, sizeof(g), AIOT_ISA_OP_SIGNAL_FILTER_BANK_LOG);
	if (!rc) rc = lower_isa_tensor(l, op->inputs[0], &g.input);
	if (!rc) rc = lower_isa_tensor(l, op->outputs[0], &g.output);
	if (rc)
		return rc;
	if (sig_elems(&g.input) != sig_elems(&g.output))
		return lower_fail(l, "input and output differ in channels");
	/* log2(1 + x) - x over 128 segments of [0, 1), in 1/65536. */
	for (int i = 0; i <= AIOT_ISA_LOG_LUT_ENTRIES; i++)
		lut[i] = (uint16_t)lround(65536.0 * (log2(1.0 + i / 128.0) - i / 128.0));
	rc = lower_weights_append(l, lut, sizeof(lut), &at);
	if (rc)
		return rc;
	sig_flat(&g.log_lut, AIOT_ISA_BINDING_WEIGHTS, (uint32_t)at, AIOT_ISA_DTYPE_INT16,
		 AIOT_ISA_LOG_LUT_ENTRIES + 1);
	memcpy(g.output.dims, g.input.dims, sizeof(g.input.dims));
	g.output_scale = (uint32_t)scale;
	g.input_correction_bits = (uint32_t)bits;
	lower_need_isa(l, 4);
	return lower_emit(l, &g, sizeof(g));
}

/* ---- int32 forms of builtin operators ----------------------------------- */

static bool sig_int_type(enum tflite_tensor_type t)
{
	return t == TFLITE_TYPE_INT8 || t == TFLITE_TYPE_INT16 || t == TFLITE_TYPE_INT32 ||
	       t == TFLITE_TYPE_UINT32;
}

static int lower_cast(struct lowering *l, const struct tflite_operator *op)
{
	struct aiot_isa_op_cast c;
	int rc = sig_arity(l, op, 1, 1);

	if (rc)
		return rc;
	if (!sig_int_type(l->m->tensors[op->inputs[0]].type) ||
	    !sig_int_type(l->m->tensors[op->outputs[0]].type))
		return lower_fail(l, "casts between int8, int16, int32 and uint32 only (%s -> %s)",
				  lower_type_name(l->m->tensors[op->inputs[0]].type),
				  lower_type_name(l->m->tensors[op->outputs[0]].type));
	/* uint32 <-> int32 and narrowing keep the low bits, as C does. */
	lower_op_init(&c.hdr, sizeof(c), AIOT_ISA_OP_CAST);
	rc = lower_isa_tensor(l, op->inputs[0], &c.input);
	if (!rc) rc = lower_isa_tensor(l, op->outputs[0], &c.output);
	if (rc)
		return rc;
	if (sig_elems(&c.input) != sig_elems(&c.output))
		return lower_fail(l, "input and output differ in element count");
	memcpy(c.output.dims, c.input.dims, sizeof(c.input.dims));
	lower_need_isa(l, 4);
	return lower_emit(l, &c, sizeof(c));
}

static int lower_concat_int32(struct lowering *l, const struct tflite_operator *op)
{
	struct aiot_isa_op_insert ins;
	struct aiot_isa_tensor out;
	uint32_t at = 0;
	int rc;

	if (op->output_count != 1 || op->input_count < 1)
		return lower_fail(l, "expects inputs and one output");
	if (l->m->tensors[op->outputs[0]].rank != 1)
		return lower_fail(l, "int32 concatenation of 1-D tensors only");
	rc = lower_isa_tensor(l, op->outputs[0], &out);
	if (rc)
		return rc;
	for (uint32_t i = 0; i < op->input_count; i++) {
		lower_op_init(&ins.hdr, sizeof(ins), AIOT_ISA_OP_INSERT);
		if (!sig_type_is(l, op->inputs[i], TFLITE_TYPE_INT32) ||
		    l->m->tensors[op->inputs[i]].rank != 1)
			return lower_fail(l, "input %u is not a 1-D int32 tensor", i);
		rc = lower_isa_tensor(l, op->inputs[i], &ins.input);
		if (rc)
			return rc;
		ins.output = out;
		ins.offset[3] = at;
		at += ins.input.dims[3];
		if (at > out.dims[3])
			return lower_fail(l, "inputs are longer than the output");
		rc = lower_emit(l, &ins, sizeof(ins));
		if (rc)
			return rc;
	}
	if (at != out.dims[3])
		return lower_fail(l, "inputs are shorter than the output");
	lower_need_isa(l, 2);
	return 0;
}

static int lower_binary_int32(struct lowering *l, const struct tflite_operator *op,
			      unsigned int opcode)
{
	struct aiot_isa_op_binary_int32 b;
	int rc = sig_arity(l, op, 2, 1);

	if (rc)
		return rc;
	for (uint32_t i = 0; i < 2; i++)
		if (!sig_type_is(l, op->inputs[i], TFLITE_TYPE_INT32))
			return lower_fail(l, "input %u is not int32", i);
	lower_op_init(&b.hdr, sizeof(b), opcode);
	rc = lower_isa_tensor(l, op->inputs[0], &b.input1);
	if (!rc) rc = lower_isa_tensor(l, op->inputs[1], &b.input2);
	if (!rc) rc = lower_isa_tensor(l, op->outputs[0], &b.output);
	if (rc)
		return rc;
	for (int d = 0; d < 4; d++)
		if ((b.input1.dims[d] != b.output.dims[d] && b.input1.dims[d] != 1) ||
		    (b.input2.dims[d] != b.output.dims[d] && b.input2.dims[d] != 1))
			return lower_fail(l, "inputs do not broadcast to the output");
	b.act.min = INT32_MIN;
	b.act.max = INT32_MAX;
	if ((opcode == AIOT_ISA_OP_ADD_INT32 || opcode == AIOT_ISA_OP_MUL_INT32) &&
	    op->options.add.activation != TFLITE_ACT_NONE) {
		if (op->options.add.activation == TFLITE_ACT_RELU)
			b.act.min = 0;
		else
			return lower_fail(l, "int32 activation %s not supported",
					  tflite_activation_name(op->options.add.activation));
	}
	lower_need_isa(l, 4);
	return lower_emit(l, &b, sizeof(b));
}

int lower_signal_op(struct lowering *l, const struct tflite_operator *op)
{
	static const struct {
		const char *name;
		int (*lower)(struct lowering *l, const struct tflite_operator *op);
	} custom[] = {
		{ "SignalWindow", lower_sig_window },
		{ "SignalFftAutoScale", lower_sig_autoscale },
		{ "SignalRfft", lower_sig_rfft },
		{ "SignalEnergy", lower_sig_energy },
		{ "SignalFilterBank", lower_sig_filter_bank },
		{ "SignalFilterBankSquareRoot", lower_sig_sqrt },
		{ "SignalFilterBankSpectralSubtraction", lower_sig_subtract },
		{ "SignalPCAN", lower_sig_pcan },
		{ "SignalFilterBankLog", lower_sig_log },
	};
	bool int32_out = op->output_count == 1 &&
			 sig_type_is(l, op->outputs[0], TFLITE_TYPE_INT32);

	if (op->custom_name) {
		for (size_t i = 0; i < sizeof(custom) / sizeof(custom[0]); i++)
			if (!strcmp(op->custom_name, custom[i].name))
				return custom[i].lower(l, op);
		return 1;
	}
	switch (op->builtin_code) {
	case TFLITE_OP_CAST: return lower_cast(l, op);
	case TFLITE_OP_DIV:
		if (int32_out)
			return lower_binary_int32(l, op, AIOT_ISA_OP_DIV_INT32);
		return 1;
	case TFLITE_OP_CONCATENATION:
		return int32_out ? lower_concat_int32(l, op) : 1;
	case TFLITE_OP_ADD:
		return int32_out ? lower_binary_int32(l, op, AIOT_ISA_OP_ADD_INT32) : 1;
	case TFLITE_OP_MUL:
		return int32_out ? lower_binary_int32(l, op, AIOT_ISA_OP_MUL_INT32) : 1;
	case TFLITE_OP_MINIMUM:
		return int32_out ? lower_binary_int32(l, op, AIOT_ISA_OP_MINIMUM_INT32) : 1;
	case TFLITE_OP_MAXIMUM:
		return int32_out ? lower_binary_int32(l, op, AIOT_ISA_OP_MAXIMUM_INT32) : 1;
	default:
		return 1;
	}
}
