// SPDX-License-Identifier: GPL-2.0-only
/*
 * SUM and MEAN over any set of axes -> ISA 1.6 REDUCE, TensorFlow Lite
 * Micro's integer reduce: QuantizedMeanOrSum (the sum requantized with
 * input scale / output scale; for MEAN with 1 / n folded into that
 * multiplier the way the reference does it) or, for a MEAN whose input and
 * output quantization are equal, reference_ops::Mean's truncating division.
 *
 * The 4-D int8 MEAN over axes 1 and 2 with keep_dims stays ISA 1.2 MEAN
 * (lower_move.c), which models compiled before ISA 1.6 use.
 */
#include "lower_internal.h"
#include "quant.h"

#include <errno.h>
#include <string.h>

/* The reduced axes of an operator's input as an NHWC bit mask. */
static int lower_reduce_mask(struct lowering *l, const struct tflite_operator *op,
			     uint32_t *mask)
{
	const struct tflite_tensor *in = &l->m->tensors[op->inputs[0]];
	const struct tflite_tensor *at;
	const struct tflite_buffer *b;
	int32_t rank = (int32_t)in->rank;

	*mask = 0;
	if (op->inputs[1] < 0)
		return lower_fail(l, "axis is missing");
	at = &l->m->tensors[op->inputs[1]];
	b = tflite_tensor_data(l->m, (uint32_t)op->inputs[1]);
	if (!b)
		return lower_fail(l, "axis must be a constant tensor");
	if (at->type != TFLITE_TYPE_INT32)
		return lower_fail(l, "axis must be int32, not %s", lower_type_name(at->type));
	if (b->size < at->element_count * 4)
		return lower_fail(l, "axis data is shorter than its shape");
	if (rank > 4)
		return lower_fail(l, "input has rank %d (the ISA takes at most 4)", rank);
	for (uint64_t i = 0; i < at->element_count; i++) {
		int32_t a;

		memcpy(&a, b->data + i * 4, 4);
		/* Negative axes count from the end; repeats are one axis. */
		if (a < -rank || a >= rank)
			return lower_fail(l, "axis %d outside the rank-%d input", a, rank);
		if (a < 0)
			a += rank;
		*mask |= 1u << (4 - rank + a);
	}
	return 0;
}

bool lower_reduce_is_mean_hw(struct lowering *l, const struct tflite_operator *op)
{
	const struct tflite_model *m = l->m;
	uint32_t mask;
	char saved[sizeof(l->msg)];
	bool hw;

	if (op->input_count != 2 || op->output_count != 1 || op->inputs[0] < 0 ||
	    m->tensors[op->inputs[0]].rank != 4 ||
	    m->tensors[op->inputs[0]].type != TFLITE_TYPE_INT8 ||
	    !op->options.reducer.keep_dims)
		return false;
	/* A bad axis is reported by whichever lowering runs. */
	memcpy(saved, l->msg, sizeof(saved));
	hw = !lower_reduce_mask(l, op, &mask) && mask == 0x6;
	memcpy(l->msg, saved, sizeof(saved));
	return hw;
}

/*
 * TFLite's MEAN: multiplier * 2^shift / n as the reference computes it, with
 * s = floor(log2(n)) capped at 32 and at 31 + shift (some precision lost).
 */
static void lower_mean_multiplier(uint64_t n, int32_t *multiplier, int32_t *shift)
{
	int s = 63 - __builtin_clzll(n);

	if (s > 32)
		s = 32;
	if (s > 31 + *shift)
		s = 31 + *shift;
	*multiplier = (int32_t)(((int64_t)*multiplier << s) / (int64_t)n);
	*shift -= s;
}

int lower_reduce(struct lowering *l, const struct tflite_operator *op, bool sum)
{
	const char *name = sum ? "SUM" : "MEAN";
	const struct tflite_tensor *ot;
	struct aiot_isa_op_reduce r;
	float in_scale = 0.0f, out_scale = 0.0f;
	uint32_t mask, rank, want_rank, j;
	uint64_t n = 1, limit;
	int32_t lo, hi;
	int shift, rc;

	if (op->input_count != 2 || op->output_count != 1)
		return lower_fail(l, "expects input, axis and one output");
	lower_op_init(&r.hdr, sizeof(r), AIOT_ISA_OP_REDUCE);
	rc = lower_isa_tensor(l, op->inputs[0], &r.input);
	if (!rc) rc = lower_isa_tensor(l, op->outputs[0], &r.output);
	if (rc)
		return rc;
	if (r.input.dtype != AIOT_ISA_DTYPE_INT8 && r.input.dtype != AIOT_ISA_DTYPE_INT16) {
		lower_fail(l, "%s input is %s; int8 and int16 are lowered", name,
			   lower_type_name(l->m->tensors[op->inputs[0]].type));
		return -EOPNOTSUPP;
	}
	if (r.output.dtype != r.input.dtype)
		return lower_fail(l, "output type %s differs from the input's",
				  lower_type_name(l->m->tensors[op->outputs[0]].type));
	rc = lower_reduce_mask(l, op, &mask);
	if (!rc) rc = lower_per_tensor_quant(l, op->inputs[0], &in_scale, &r.input_zero_point);
	if (!rc) rc = lower_per_tensor_quant(l, op->outputs[0], &out_scale, &r.output_zero_point);
	if (rc)
		return rc;
	/* The output: the input's dims with the reduced ones 1 (keep_dims) or
	 * dropped; in memory both are the same NHWC tensor. */
	rank = l->m->tensors[op->inputs[0]].rank;
	ot = &l->m->tensors[op->outputs[0]];
	want_rank = rank;
	for (uint32_t a = 4 - rank; a < 4; a++) {
		if (mask & (1u << a)) {
			n *= r.input.dims[a];
			if (!op->options.reducer.keep_dims)
				want_rank--;
		}
	}
	if (ot->rank != want_rank)
		return lower_fail(l, "output has rank %u, the reduction gives %u", ot->rank,
				  want_rank);
	j = 0;
	for (uint32_t a = 4 - rank; a < 4; a++) {
		bool reduced = mask & (1u << a);

		if (reduced && !op->options.reducer.keep_dims)
			continue;
		if ((uint32_t)ot->shape[j] != (reduced ? 1 : r.input.dims[a]))
			return lower_fail(l, "output dimension %u is %d, the reduction gives %u", j,
					  ot->shape[j], reduced ? 1 : r.input.dims[a]);
		j++;
	}
	for (int a = 0; a < 4; a++)
		r.output.dims[a] = mask & (1u << a) ? 1 : r.input.dims[a];
	limit = r.input.dtype == AIOT_ISA_DTYPE_INT8 ? AIOT_ISA_REDUCE_MAX_INT8 :
						     AIOT_ISA_REDUCE_MAX_INT16;
	if (n > limit)
		return lower_fail(l, "%s over %llu elements (the ISA sums at most %llu of %s)",
				  name, (unsigned long long)n, (unsigned long long)limit,
				  lower_type_name(l->m->tensors[op->inputs[0]].type));
	r.axes = mask;
	lower_dtype_range(r.input.dtype, &lo, &hi);
	r.act.min = lo;
	r.act.max = hi;
	if (!sum && r.input_zero_point == r.output_zero_point && in_scale == out_scale) {
		r.mode = AIOT_ISA_REDUCE_MEAN_TRUNC;
		r.input_zero_point = r.output_zero_point = 0;
	} else {
		r.mode = AIOT_ISA_REDUCE_REQUANTIZE;
		rc = quant_quantize_multiplier((double)in_scale / (double)out_scale,
					       &r.multiplier, &shift);
		if (rc || shift > 30)
			return lower_fail(l, "input/output scale ratio %g cannot be represented",
					  (double)in_scale / (double)out_scale);
		r.shift = shift;
		if (!sum)
			lower_mean_multiplier(n, &r.multiplier, &r.shift);
	}
	lower_need_isa(l, 6);
	return lower_emit(l, &r, sizeof(r));
}
