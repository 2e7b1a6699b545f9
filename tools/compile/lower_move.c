// SPDX-License-Identifier: GPL-2.0-only
/*
 * TFLite's data movement and reduction operators of mainstream CNNs ->
 * ISA 1.2 operations: PAD/PADV2 -> PAD, TRANSPOSE -> TRANSPOSE,
 * CONCATENATION -> one INSERT per input, MEAN over H and W -> MEAN.
 *
 * Shapes of rank < 4 are right-aligned into NHWC (lower_nhwc()), so TFLite
 * axis a of a rank-r tensor is ISA axis a + 4 - r.
 */
#include "lower_internal.h"
#include "quant.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Up to `max` integers of a constant int32 or int64 tensor. */
static int lower_const_ints(struct lowering *l, int32_t index, const char *what,
			    int64_t *vals, uint32_t max, uint32_t *count)
{
	const struct tflite_tensor *t;
	const struct tflite_buffer *b;
	size_t esize;

	if (index < 0)
		return lower_fail(l, "%s is missing", what);
	t = &l->m->tensors[index];
	b = tflite_tensor_data(l->m, (uint32_t)index);
	if (!b)
		return lower_fail(l, "%s must be a constant tensor", what);
	if (t->type != TFLITE_TYPE_INT32 && t->type != TFLITE_TYPE_INT64)
		return lower_fail(l, "%s must be int32 or int64, not %s", what,
				  lower_type_name(t->type));
	esize = t->type == TFLITE_TYPE_INT32 ? 4 : 8;
	if (t->element_count > max || b->size < t->element_count * esize)
		return lower_fail(l, "%s has %llu elements (at most %u)", what,
				  (unsigned long long)t->element_count, max);
	for (uint32_t i = 0; i < t->element_count; i++) {
		if (esize == 4) {
			int32_t v;

			memcpy(&v, b->data + (size_t)i * 4, 4);
			vals[i] = v;
		} else {
			memcpy(&vals[i], b->data + (size_t)i * 8, 8);
		}
	}
	*count = (uint32_t)t->element_count;
	return 0;
}

/* The rank of a tensor that lower_isa_tensor() accepted (<= 4). */
static uint32_t lower_rank(struct lowering *l, int32_t index)
{
	return l->m->tensors[index].rank;
}

/* A pure data movement keeps the quantization: input and output share it. */
static int lower_same_quant(struct lowering *l, int32_t a, int32_t b, const char *what)
{
	float sa = 0.0f, sb = 0.0f;
	int32_t za = 0, zb = 0;
	int rc;

	rc = lower_per_tensor_quant(l, a, &sa, &za);
	if (!rc)
		rc = lower_per_tensor_quant(l, b, &sb, &zb);
	if (rc)
		return rc;
	if (sa != sb || za != zb) {
		lower_fail(l, "%s quantization (%g, %d) differs from the output's (%g, %d); "
			   "requantizing is not lowered", what, (double)sa, za, (double)sb, zb);
		return -EOPNOTSUPP;
	}
	return 0;
}

int lower_pad(struct lowering *l, const struct tflite_operator *op, bool v2)
{
	struct aiot_isa_op_pad p;
	int64_t pads[8];
	uint32_t n = 0, rank, lead;
	float scale = 0.0f;
	int32_t zp = 0;
	int rc;

	if (op->input_count != (v2 ? 3u : 2u) || op->output_count != 1)
		return lower_fail(l, "expects input, paddings%s and one output",
				  v2 ? ", constant_values" : "");
	lower_op_init(&p.hdr, sizeof(p), AIOT_ISA_OP_PAD);
	rc = lower_isa_tensor(l, op->inputs[0], &p.input);
	if (!rc) rc = lower_isa_tensor(l, op->outputs[0], &p.output);
	if (!rc) rc = lower_require_int8_16(l, &p.input, NULL, "input");
	if (!rc) rc = lower_require_int8_16(l, &p.output, &p.input, "output");
	if (!rc) rc = lower_same_quant(l, op->inputs[0], op->outputs[0], "input");
	if (!rc) rc = lower_const_ints(l, op->inputs[1], "paddings", pads, 8, &n);
	if (rc)
		return rc;
	rank = lower_rank(l, op->inputs[0]);
	if (n != 2 * rank)
		return lower_fail(l, "paddings has %u values for a rank-%u input", n, rank);
	lead = 4 - rank;
	for (uint32_t d = 0; d < rank; d++) {
		int64_t before = pads[2 * d], after = pads[2 * d + 1];

		if (before < 0 || after < 0 ||
		    (uint64_t)before + (uint64_t)after + p.input.dims[lead + d] !=
		    p.output.dims[lead + d])
			return lower_fail(l, "paddings %lld,%lld of dimension %u do not give the "
					  "output's %u", (long long)before, (long long)after, d,
					  p.output.dims[lead + d]);
		p.before[lead + d] = (uint32_t)before;
	}
	/* PAD pads with the zero point (a real 0), PADV2 with its constant. */
	rc = lower_per_tensor_quant(l, op->outputs[0], &scale, &zp);
	if (rc)
		return rc;
	p.value = zp;
	if (v2) {
		const struct tflite_tensor *c;
		const struct tflite_buffer *b;
		int32_t czp = 0;
		float cscale = 0.0f;

		if (op->inputs[2] < 0)
			return lower_fail(l, "constant_values is missing");
		c = &l->m->tensors[op->inputs[2]];
		b = tflite_tensor_data(l->m, (uint32_t)op->inputs[2]);
		if (c->type != l->m->tensors[op->inputs[0]].type)
			return lower_fail(l, "constant_values must be %s as the input, not %s",
					  lower_type_name(l->m->tensors[op->inputs[0]].type),
					  lower_type_name(c->type));
		if (!b || c->element_count != 1 || b->size < c->byte_size)
			return lower_fail(l, "constant_values must be one constant element");
		rc = lower_per_tensor_quant(l, op->inputs[2], &cscale, &czp);
		if (rc)
			return rc;
		if (cscale != scale || czp != zp)
			return lower_fail(l, "constant_values quantization differs from the "
					  "output's");
		if (c->type == TFLITE_TYPE_INT16)
			p.value = (int16_t)(b->data[0] | b->data[1] << 8);
		else
			p.value = (int8_t)b->data[0];
	}
	lower_need_isa(l, 2);
	return lower_emit(l, &p, sizeof(p));
}

int lower_transpose(struct lowering *l, const struct tflite_operator *op)
{
	struct aiot_isa_op_transpose t;
	int64_t perm[4];
	uint32_t n = 0, rank, lead, seen = 0;
	int rc;

	if (op->input_count != 2 || op->output_count != 1)
		return lower_fail(l, "expects input, perm and one output");
	lower_op_init(&t.hdr, sizeof(t), AIOT_ISA_OP_TRANSPOSE);
	rc = lower_isa_tensor(l, op->inputs[0], &t.input);
	if (!rc) rc = lower_isa_tensor(l, op->outputs[0], &t.output);
	if (!rc) rc = lower_require_int8_16(l, &t.input, NULL, "input");
	if (!rc) rc = lower_require_int8_16(l, &t.output, &t.input, "output");
	if (!rc) rc = lower_same_quant(l, op->inputs[0], op->outputs[0], "input");
	if (!rc) rc = lower_const_ints(l, op->inputs[1], "perm", perm, 4, &n);
	if (rc)
		return rc;
	rank = lower_rank(l, op->inputs[0]);
	if (n != rank || lower_rank(l, op->outputs[0]) != rank)
		return lower_fail(l, "perm has %u entries for a rank-%u input", n, rank);
	lead = 4 - rank;
	for (uint32_t d = 0; d < lead; d++)
		t.perm[d] = (uint8_t)d;
	for (uint32_t d = 0; d < rank; d++) {
		if (perm[d] < 0 || perm[d] >= rank || (seen & (1u << perm[d])))
			return lower_fail(l, "perm is not a permutation of 0..%u", rank - 1);
		seen |= 1u << perm[d];
		t.perm[lead + d] = (uint8_t)(perm[d] + lead);
		if (t.output.dims[lead + d] != t.input.dims[t.perm[lead + d]])
			return lower_fail(l, "output dimension %u does not match perm", d);
	}
	lower_need_isa(l, 2);
	return lower_emit(l, &t, sizeof(t));
}

int lower_concatenation(struct lowering *l, const struct tflite_operator *op)
{
	struct aiot_isa_op_insert ins;
	struct aiot_isa_tensor out;
	uint32_t rank, axis, at = 0;
	int32_t a;
	int rc;

	if (op->input_count < 1 || op->output_count != 1)
		return lower_fail(l, "expects inputs and one output");
	if (op->options.concat.activation != TFLITE_ACT_NONE) {
		lower_fail(l, "fused activation %s is not lowered",
			   tflite_activation_name(op->options.concat.activation));
		return -EOPNOTSUPP;
	}
	rc = lower_isa_tensor(l, op->outputs[0], &out);
	if (!rc) rc = lower_require_int8_16(l, &out, NULL, "output");
	if (rc)
		return rc;
	rank = lower_rank(l, op->outputs[0]);
	a = op->options.concat.axis;
	if (a < 0)
		a += (int32_t)rank;
	if (a < 0 || (uint32_t)a >= rank)
		return lower_fail(l, "axis %d outside a rank-%u output", op->options.concat.axis,
				  rank);
	axis = (uint32_t)a + 4 - rank;
	/* Check every input first, so that nothing is emitted for a bad one. */
	for (uint32_t i = 0; i < op->input_count; i++) {
		char what[32];

		snprintf(what, sizeof(what), "input %u", i);
		lower_op_init(&ins.hdr, sizeof(ins), AIOT_ISA_OP_INSERT);
		rc = lower_isa_tensor(l, op->inputs[i], &ins.input);
		if (!rc) rc = lower_require_int8_16(l, &ins.input, &out, what);
		if (!rc) rc = lower_same_quant(l, op->inputs[i], op->outputs[0], what);
		if (rc)
			return rc;
		if (lower_rank(l, op->inputs[i]) != rank)
			return lower_fail(l, "%s has rank %u, the output %u", what,
					  lower_rank(l, op->inputs[i]), rank);
		for (uint32_t d = 0; d < 4; d++)
			if (d != axis && ins.input.dims[d] != out.dims[d])
				return lower_fail(l, "%s does not match the output outside the axis",
						  what);
		at += ins.input.dims[axis];
	}
	if (at != out.dims[axis])
		return lower_fail(l, "inputs add up to %u along the axis, the output has %u", at,
				  out.dims[axis]);
	at = 0;
	for (uint32_t i = 0; i < op->input_count; i++) {
		lower_op_init(&ins.hdr, sizeof(ins), AIOT_ISA_OP_INSERT);
		rc = lower_isa_tensor(l, op->inputs[i], &ins.input);
		if (rc)
			return rc;
		ins.output = out;
		ins.offset[axis] = at;
		at += ins.input.dims[axis];
		rc = lower_emit(l, &ins, sizeof(ins));
		if (rc)
			return rc;
	}
	lower_need_isa(l, 2);
	return 0;
}

int lower_mean(struct lowering *l, const struct tflite_operator *op)
{
	struct aiot_isa_op_mean m;
	float in_scale = 0.0f, out_scale = 0.0f;
	int64_t axes[4];
	uint32_t n = 0, mask = 0;
	int shift, rc;

	if (op->input_count != 2 || op->output_count != 1)
		return lower_fail(l, "expects input, axis and one output");
	/* Every other axis set, int16 and keep_dims false: ISA 1.6 REDUCE. */
	if (!lower_reduce_is_mean_hw(l, op))
		return lower_reduce(l, op, false);
	lower_op_init(&m.hdr, sizeof(m), AIOT_ISA_OP_MEAN);
	rc = lower_isa_tensor(l, op->inputs[0], &m.input);
	if (!rc) rc = lower_isa_tensor(l, op->outputs[0], &m.output);
	if (!rc) rc = lower_require_int8(l, &m.input, "input");
	if (!rc) rc = lower_require_int8(l, &m.output, "output");
	if (!rc) rc = lower_const_ints(l, op->inputs[1], "axis", axes, 4, &n);
	if (!rc) rc = lower_per_tensor_quant(l, op->inputs[0], &in_scale, &m.input_zero_point);
	if (!rc) rc = lower_per_tensor_quant(l, op->outputs[0], &out_scale, &m.output_zero_point);
	if (rc)
		return rc;
	for (uint32_t i = 0; i < n; i++) {
		int64_t a = axes[i] < 0 ? axes[i] + 4 : axes[i];

		if (a < 0 || a > 3)
			return lower_fail(l, "axis %lld outside the input", (long long)axes[i]);
		mask |= 1u << a;
	}
	/*
	 * TFLite Micro's integer MEAN is the 4-D mean over H and W that keeps
	 * its dims; it computes the other cases differently (in float).
	 */
	if (lower_rank(l, op->inputs[0]) != 4 || mask != 0x6 || !op->options.reducer.keep_dims) {
		lower_fail(l, "only the mean over axes 1 and 2 of a 4-D input with keep_dims is "
			   "lowered");
		return -EOPNOTSUPP;
	}
	if (m.output.dims[0] != m.input.dims[0] || m.output.dims[1] != 1 ||
	    m.output.dims[2] != 1 || m.output.dims[3] != m.input.dims[3])
		return lower_fail(l, "output shape does not match the mean over H and W");
	if ((uint64_t)m.input.dims[1] * m.input.dims[2] > AIOT_ISA_MAX_POOL_WINDOW)
		return lower_fail(l, "H x W exceeds the ISA's %d elements", AIOT_ISA_MAX_POOL_WINDOW);
	rc = quant_quantize_multiplier((double)in_scale / (double)out_scale, &m.multiplier, &shift);
	if (rc || shift > 30 || shift < -31)
		return lower_fail(l, "input/output scale ratio cannot be represented");
	m.shift = shift;
	m.act.min = INT8_MIN;
	m.act.max = INT8_MAX;
	lower_need_isa(l, 2);
	return lower_emit(l, &m, sizeof(m));
}
