// SPDX-License-Identifier: GPL-2.0-only
/*
 * SLICE, STRIDED_SLICE (any element type, begin/end/shrink masks, negative
 * indices and strides) and SPLIT / SPLIT_V, all lowered to strided slices:
 * ISA 1.4's STRIDED_SLICE when every stride is positive, ISA 1.5's SLICE
 * when one is negative. A SPLIT is one slice per output.
 *
 * STRIDED_SLICE follows TFLite's strided_slice_logic (docs/isa.md): per axis
 * with stride s and size d, a masked begin is the first element in the
 * walking direction, a masked end runs to the last; a negative index counts
 * from the end (+ d); then begin is clamped to [0, d] (s > 0) or [-1, d - 1]
 * (s < 0) and so is end; a shrunk axis takes the single element at begin.
 * The count is ceil((end - begin) / s) when positive.
 */
#include "lower_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#define SHAPE_MAX_RANK 4

/* The ISA dim of TFLite axis `axis` of a rank-`rank` tensor (right-aligned). */
static uint32_t shape_isa_dim(uint32_t rank, uint32_t axis)
{
	return AIOT_ISA_DIMS - rank + axis;
}

/* A constant int32 vector input of 1..max entries; *n how many. */
static int shape_const_vec(struct lowering *l, int32_t index, const char *what, uint32_t max,
			   int32_t *out, uint32_t *n)
{
	const struct tflite_buffer *b = index >= 0 ? tflite_tensor_data(l->m, (uint32_t)index) :
					NULL;

	if (!b || l->m->tensors[index].type != TFLITE_TYPE_INT32 || b->size % 4 ||
	    b->size / 4 > max || (n && !b->size) || (!n && b->size != 4 * (size_t)max))
		return lower_fail(l, "%s must be a constant int32 vector of %s%u entries (is %s%s)",
				  what, n ? "1.." : "", max,
				  index >= 0 ? lower_type_name(l->m->tensors[index].type) : "missing",
				  b ? "" : ", not constant");
	for (size_t i = 0; i < b->size / 4; i++)
		memcpy(&out[i], b->data + 4 * i, 4);
	if (n)
		*n = (uint32_t)(b->size / 4);
	return 0;
}

/*
 * One strided slice of input `in` into output `out`, whose ISA dims are
 * set to `dims` (the kept-dims shape: the same bytes). ISA 1.4's
 * STRIDED_SLICE when every stride is positive, ISA 1.5's SLICE otherwise.
 */
static int shape_emit_slice(struct lowering *l, int32_t in, int32_t out, const uint32_t *begin,
			    const int32_t *stride, const uint32_t *dims)
{
	struct aiot_isa_tensor ti, to;
	uint64_t want = 1, have = 1;
	bool negative = false;
	int rc;

	rc = lower_isa_tensor(l, in, &ti);
	if (!rc) rc = lower_isa_tensor(l, out, &to);
	if (rc)
		return rc;
	if (ti.dtype != to.dtype)
		return lower_fail(l, "input is %s, output %s: a slice keeps the type",
				  lower_type_name(l->m->tensors[in].type),
				  lower_type_name(l->m->tensors[out].type));
	for (int d = 0; d < AIOT_ISA_DIMS; d++) {
		want *= dims[d];
		have *= to.dims[d];
		negative |= stride[d] < 0;
	}
	if (want != have)
		return lower_fail(l, "output \"%s\" has %llu elements, the slice %llu",
				  l->m->tensors[out].name, (unsigned long long)have,
				  (unsigned long long)want);
	memcpy(to.dims, dims, sizeof(to.dims));
	if (negative) {
		struct aiot_isa_op_slice s;

		lower_op_init(&s.hdr, sizeof(s), AIOT_ISA_OP_SLICE);
		s.input = ti;
		s.output = to;
		memcpy(s.begin, begin, sizeof(s.begin));
		memcpy(s.stride, stride, sizeof(s.stride));
		lower_need_isa(l, 5);
		return lower_emit(l, &s, sizeof(s));
	} else {
		struct aiot_isa_op_strided_slice s;

		lower_op_init(&s.hdr, sizeof(s), AIOT_ISA_OP_STRIDED_SLICE);
		s.input = ti;
		s.output = to;
		memcpy(s.begin, begin, sizeof(s.begin));
		for (int d = 0; d < AIOT_ISA_DIMS; d++)
			s.stride[d] = (uint32_t)stride[d];
		lower_need_isa(l, 4);
		return lower_emit(l, &s, sizeof(s));
	}
}

/* The output's shape must be the sliced dims without the shrunk axes. */
static int shape_check_out(struct lowering *l, int32_t out, uint32_t rank, const uint32_t *dims,
			   uint32_t shrink)
{
	const struct tflite_tensor *t = &l->m->tensors[out];
	uint32_t k = 0;

	for (uint32_t i = 0; i < rank; i++) {
		uint32_t n = dims[shape_isa_dim(rank, i)];

		if (shrink & (1u << i))
			continue;
		if (k >= t->rank || (uint32_t)t->shape[k] != n)
			break;
		k++;
	}
	if (k != t->rank || k + (uint32_t)__builtin_popcount(shrink) != rank) {
		char got[64] = "", *p = got;

		for (uint32_t i = 0; i < rank; i++)
			if (!(shrink & (1u << i)))
				p += snprintf(p, (size_t)(got + sizeof(got) - p), "%s%u",
					      p == got ? "" : ",", dims[shape_isa_dim(rank, i)]);
		return lower_fail(l, "output \"%s\" has rank %u, the slice is [%s]", t->name,
				  t->rank, got);
	}
	return 0;
}

static int32_t shape_clamp(int64_t v, int64_t lo, int64_t hi)
{
	return (int32_t)(v < lo ? lo : v > hi ? hi : v);
}

static int lower_strided_slice_any(struct lowering *l, const struct tflite_operator *op)
{
	const struct tflite_strided_slice_options *o = &op->options.strided_slice;
	int32_t begin[SHAPE_MAX_RANK], end[SHAPE_MAX_RANK], stride[SHAPE_MAX_RANK];
	int32_t isa_stride[AIOT_ISA_DIMS] = { 1, 1, 1, 1 };
	uint32_t isa_begin[AIOT_ISA_DIMS] = { 0 }, dims[AIOT_ISA_DIMS] = { 1, 1, 1, 1 };
	uint32_t rank, nb, ne, ns, shrink;
	const struct tflite_tensor *t;
	int rc;

	if (op->input_count != 4 || op->output_count != 1)
		return lower_fail(l, "expects 4 inputs and 1 output (has %u and %u)",
				  op->input_count, op->output_count);
	t = &l->m->tensors[op->inputs[0]];
	rank = t->rank;
	if (rank < 1 || rank > SHAPE_MAX_RANK)
		return lower_fail(l, "input rank %u (1..4)", rank);
	if (o->ellipsis_mask || o->new_axis_mask)
		return lower_fail(l, "ellipsis_mask %d / new_axis_mask %d are not supported (TFLite "
				  "refuses them too)", o->ellipsis_mask, o->new_axis_mask);
	if (o->offset)
		return lower_fail(l, "the offset option is not supported");
	rc = shape_const_vec(l, op->inputs[1], "begin", rank, begin, &nb);
	if (!rc) rc = shape_const_vec(l, op->inputs[2], "end", rank, end, &ne);
	if (!rc) rc = shape_const_vec(l, op->inputs[3], "strides", rank, stride, &ns);
	if (rc)
		return rc;
	if (nb != ne || nb != ns)
		return lower_fail(l, "begin, end and strides differ in length (%u, %u, %u)", nb, ne,
				  ns);
	shrink = (uint32_t)o->shrink_axis_mask & ((1u << nb) - 1);
	for (uint32_t i = 0; i < rank; i++) {
		int64_t d = t->shape[i], s = 1, b, e, n;
		bool bm = true, em = true, sh = false;
		uint32_t k = shape_isa_dim(rank, i);

		if (i < nb) {
			s = stride[i];
			bm = o->begin_mask & (1 << i);
			em = o->end_mask & (1 << i);
			sh = shrink & (1u << i);
			b = begin[i];
			e = end[i];
		}
		if (!s)
			return lower_fail(l, "axis %u: stride 0", i);
		b = bm ? (s > 0 ? INT32_MIN : INT32_MAX) : b;
		if (b < 0)
			b += d;
		b = s > 0 ? shape_clamp(b, 0, d) : shape_clamp(b, -1, d - 1);
		if (sh && bm)
			return lower_fail(l, "axis %u: begin_mask on a shrunk axis (TensorFlow "
					  "ignores the mask there, TFLite does not)", i);
		if (sh) {
			/* TFLite: one element at begin, which must be in range. */
			if (b < 0 || b >= d)
				return lower_fail(l, "axis %u: shrunk axis index %d outside 0..%lld",
						  i, begin[i], (long long)d - 1);
			e = b + 1;
			s = 1;
		} else {
			e = em ? (s > 0 ? INT32_MAX : INT32_MIN) : e;
			if (e < 0)
				e += d;
			e = s > 0 ? shape_clamp(e, 0, d) : shape_clamp(e, -1, d - 1);
		}
		n = s > 0 ? (e - b + s - 1) / s : (b - e + (-s) - 1) / (-s);
		if (n <= 0)
			return lower_fail(l, "axis %u: the slice is empty (begin %lld, end %lld, "
					  "stride %lld); the ISA has no empty tensors", i,
					  (long long)b, (long long)e, (long long)s);
		dims[k] = (uint32_t)n;
		isa_begin[k] = (uint32_t)b;
		/* One element: any stride reads it; keep the ISA 1.4 form. */
		isa_stride[k] = n == 1 ? 1 : (int32_t)s;
	}
	rc = shape_check_out(l, op->outputs[0], rank, dims, shrink);
	if (rc)
		return rc;
	return shape_emit_slice(l, op->inputs[0], op->outputs[0], isa_begin, isa_stride, dims);
}

static int lower_slice(struct lowering *l, const struct tflite_operator *op)
{
	int32_t begin[SHAPE_MAX_RANK], size[SHAPE_MAX_RANK];
	int32_t stride[AIOT_ISA_DIMS] = { 1, 1, 1, 1 };
	uint32_t isa_begin[AIOT_ISA_DIMS] = { 0 }, dims[AIOT_ISA_DIMS] = { 1, 1, 1, 1 };
	const struct tflite_tensor *t;
	uint32_t rank;
	int rc;

	if (op->input_count != 3 || op->output_count != 1)
		return lower_fail(l, "expects 3 inputs and 1 output (has %u and %u)",
				  op->input_count, op->output_count);
	t = &l->m->tensors[op->inputs[0]];
	rank = t->rank;
	if (rank < 1 || rank > SHAPE_MAX_RANK)
		return lower_fail(l, "input rank %u (1..4)", rank);
	rc = shape_const_vec(l, op->inputs[1], "begin", rank, begin, NULL);
	if (!rc) rc = shape_const_vec(l, op->inputs[2], "size", rank, size, NULL);
	if (rc)
		return rc;
	for (uint32_t i = 0; i < rank; i++) {
		int64_t d = t->shape[i], n = size[i] == -1 ? d - begin[i] : size[i];
		uint32_t k = shape_isa_dim(rank, i);

		/* TFLite's SLICE: size -1 is "to the end"; else all in range. */
		if (begin[i] < 0 || begin[i] >= d || n < 1 || begin[i] + n > d)
			return lower_fail(l, "axis %u: begin %d, size %d outside the input's %lld "
					  "(or empty)", i, begin[i], size[i], (long long)d);
		isa_begin[k] = (uint32_t)begin[i];
		dims[k] = (uint32_t)n;
	}
	rc = shape_check_out(l, op->outputs[0], rank, dims, 0);
	if (rc)
		return rc;
	return shape_emit_slice(l, op->inputs[0], op->outputs[0], isa_begin, stride, dims);
}

/* SPLIT (axis, input) into equal parts, SPLIT_V (input, sizes, axis). */
static int lower_split(struct lowering *l, const struct tflite_operator *op, bool v)
{
	int32_t in = op->inputs[v ? 0 : 1], axis, sizes[64];
	int32_t stride[AIOT_ISA_DIMS] = { 1, 1, 1, 1 };
	uint32_t rank, n = op->output_count, infer = UINT32_MAX, at = 0;
	const struct tflite_tensor *t;
	int64_t total = 0;
	int rc;

	if (op->input_count != (v ? 3u : 2u) || n < 1 || n > 64)
		return lower_fail(l, "expects %u inputs and 1..64 outputs (has %u and %u)",
				  v ? 3 : 2, op->input_count, n);
	t = &l->m->tensors[in];
	rank = t->rank;
	if (rank < 1 || rank > SHAPE_MAX_RANK)
		return lower_fail(l, "input rank %u (1..4)", rank);
	rc = shape_const_vec(l, op->inputs[v ? 2 : 0], "axis", 1, &axis, NULL);
	if (rc)
		return rc;
	if (axis < -(int32_t)rank || axis >= (int32_t)rank)
		return lower_fail(l, "axis %d outside the input's rank %u", axis, rank);
	if (axis < 0)
		axis += (int32_t)rank;
	if (v) {
		uint32_t count;

		rc = shape_const_vec(l, op->inputs[1], "size_splits", n, sizes, &count);
		if (rc)
			return rc;
		if (count != n)
			return lower_fail(l, "size_splits has %u entries for %u outputs", count, n);
	} else {
		if (t->shape[axis] % (int32_t)n)
			return lower_fail(l, "axis %d of size %d does not split into %u", axis,
					  t->shape[axis], n);
		for (uint32_t i = 0; i < n; i++)
			sizes[i] = t->shape[axis] / (int32_t)n;
	}
	for (uint32_t i = 0; i < n; i++) {
		if (sizes[i] == -1 && infer == UINT32_MAX) {
			infer = i;
			continue;
		}
		if (sizes[i] < 1)
			return lower_fail(l, "split %u has size %d (the ISA has no empty tensors)", i,
					  sizes[i]);
		total += sizes[i];
	}
	if (infer != UINT32_MAX) {
		if (total >= t->shape[axis])
			return lower_fail(l, "no room for the inferred split %u", infer);
		sizes[infer] = (int32_t)(t->shape[axis] - total);
		total = t->shape[axis];
	}
	if (total != t->shape[axis])
		return lower_fail(l, "splits sum to %lld, axis %d has %d", (long long)total, axis,
				  t->shape[axis]);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t begin[AIOT_ISA_DIMS] = { 0 }, dims[AIOT_ISA_DIMS] = { 1, 1, 1, 1 };
		uint32_t k = shape_isa_dim(rank, (uint32_t)axis);

		for (uint32_t d = 0; d < rank; d++)
			dims[shape_isa_dim(rank, d)] = (uint32_t)t->shape[d];
		dims[k] = (uint32_t)sizes[i];
		begin[k] = at;
		at += (uint32_t)sizes[i];
		rc = shape_check_out(l, op->outputs[i], rank, dims, 0);
		if (!rc)
			rc = shape_emit_slice(l, in, op->outputs[i], begin, stride, dims);
		if (rc)
			return rc;
	}
	return 0;
}

int lower_shape_op(struct lowering *l, const struct tflite_operator *op)
{
	if (op->custom_name)
		return 1;
	switch (op->builtin_code) {
	case TFLITE_OP_STRIDED_SLICE: return lower_strided_slice_any(l, op);
	case TFLITE_OP_SLICE: return lower_slice(l, op);
	case TFLITE_OP_SPLIT: return lower_split(l, op, false);
	case TFLITE_OP_SPLIT_V: return lower_split(l, op, true);
	default: return 1;
	}
}
