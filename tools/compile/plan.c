// SPDX-License-Identifier: GPL-2.0-only
/* Greedy, lifetime-aware arena planner (see plan.h). */
#include "plan.h"
#include "tflite.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct placed {
	size_t offset;
	size_t end;     /* offset + aligned size */
};

/* qsort has no context argument: sort an index array through a struct that
 * carries the key with it instead of a global. */
struct order_key {
	size_t size;
	int32_t first_use;
	size_t index;
};

static int by_size_desc(const void *a, const void *b)
{
	const struct order_key *x = a, *y = b;

	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;
	if (x->first_use != y->first_use)
		return x->first_use < y->first_use ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static int by_offset(const void *a, const void *b)
{
	const struct placed *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static bool lifetimes_overlap(const struct plan_request *a, const struct plan_request *b)
{
	return a->first_use <= b->last_use && b->first_use <= a->last_use;
}

int plan_arena(const struct plan_request *requests, size_t count, size_t alignment,
	       size_t *offsets, size_t *arena_size, char *err, size_t errlen)
{
	struct order_key *order = NULL;
	struct placed *live = NULL;
	size_t *aligned = NULL, total = 0;
	int rc = 0;

	if (err && errlen)
		err[0] = '\0';
	if (!arena_size || (count && (!requests || !offsets)) ||
	    alignment == 0 || (alignment & (alignment - 1)) != 0) {
		if (err && errlen)
			snprintf(err, errlen, "invalid arguments (alignment %zu)", alignment);
		return -EINVAL;
	}
	*arena_size = 0;
	if (count == 0)
		return 0;
	if (count > SIZE_MAX / sizeof(struct order_key))
		return -ENOMEM;
	order = calloc(count, sizeof(*order));
	live = calloc(count, sizeof(*live));
	aligned = calloc(count, sizeof(*aligned));
	if (!order || !live || !aligned) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < count; i++) {
		const struct plan_request *r = &requests[i];

		if (r->first_use < 0 || r->last_use < r->first_use) {
			if (err && errlen)
				snprintf(err, errlen, "request %zu: lifetime [%d, %d] is invalid",
					 i, r->first_use, r->last_use);
			rc = -EINVAL;
			goto out;
		}
		if (r->size > SIZE_MAX - (alignment - 1)) {
			if (err && errlen)
				snprintf(err, errlen, "request %zu: size %zu overflows", i, r->size);
			rc = -EINVAL;
			goto out;
		}
		aligned[i] = (r->size + alignment - 1) & ~(alignment - 1);
		order[i] = (struct order_key){ r->size, r->first_use, i };
		offsets[i] = PLAN_UNPLACED;
	}
	qsort(order, count, sizeof(*order), by_size_desc);

	for (size_t k = 0; k < count && order[k].size; k++) {
		size_t i = order[k].index, n = 0, candidate = 0;

		/* Collect buffers already placed whose lifetimes meet this one,
		 * sorted by offset, then take the first gap that fits. */
		for (size_t j = 0; j < count; j++) {
			if (j == i || offsets[j] == PLAN_UNPLACED ||
			    !lifetimes_overlap(&requests[i], &requests[j]))
				continue;
			live[n++] = (struct placed){ offsets[j], offsets[j] + aligned[j] };
		}
		qsort(live, n, sizeof(*live), by_offset);
		for (size_t j = 0; j < n; j++) {
			if (live[j].offset >= candidate &&
			    live[j].offset - candidate >= aligned[i])
				break;
			if (live[j].end > candidate)
				candidate = live[j].end;
		}
		if (candidate > SIZE_MAX - aligned[i]) {
			if (err && errlen)
				snprintf(err, errlen, "request %zu: arena size overflows", i);
			rc = -EINVAL;
			goto out;
		}
		offsets[i] = candidate;
		if (candidate + aligned[i] > total)
			total = candidate + aligned[i];
	}
	*arena_size = total;
out:
	free(order);
	free(live);
	free(aligned);
	return rc;
}

int plan_model_arena(const struct tflite_model *m, size_t alignment,
		     size_t *offsets, size_t *arena_size, char *err, size_t errlen)
{
	return plan_model_arena_flags(m, alignment, 0, offsets, arena_size, err, errlen);
}

int plan_model_arena_flags(const struct tflite_model *m, size_t alignment,
			   unsigned int flags, size_t *offsets, size_t *arena_size,
			   char *err, size_t errlen)
{
	struct plan_request *requests;
	int32_t last_op;
	int rc;

	if (!m || !arena_size || (m->tensor_count && !offsets) ||
	    (flags & ~PLAN_EXCLUDE_GRAPH_IO)) {
		if (err && errlen)
			snprintf(err, errlen, "invalid arguments");
		return -EINVAL;
	}
	requests = calloc(m->tensor_count ? m->tensor_count : 1, sizeof(*requests));
	if (!requests)
		return -ENOMEM;
	for (uint32_t t = 0; t < m->tensor_count; t++)
		requests[t] = (struct plan_request){ 0, INT32_MAX, -1 };

	/* Widen each tensor's [first, last] over the operators touching it. */
	for (uint32_t o = 0; o < m->operator_count; o++) {
		const struct tflite_operator *op = &m->operators[o];

		for (uint64_t k = 0; k < (uint64_t)op->input_count + op->output_count; k++) {
			int32_t t = k < op->input_count ? op->inputs[k] :
				    op->outputs[k - op->input_count];

			if (t < 0)
				continue;
			if ((int32_t)o < requests[t].first_use)
				requests[t].first_use = (int32_t)o;
			if ((int32_t)o > requests[t].last_use)
				requests[t].last_use = (int32_t)o;
		}
	}
	last_op = m->operator_count ? (int32_t)m->operator_count - 1 : 0;
	for (uint64_t k = 0; k < (uint64_t)m->input_count + m->output_count; k++) {
		bool is_input = k < m->input_count;
		int32_t t = is_input ? m->inputs[k] : m->outputs[k - m->input_count];

		if (is_input)
			requests[t].first_use = 0;
		else
			requests[t].last_use = last_op;
		if (requests[t].first_use == INT32_MAX)
			requests[t].first_use = 0;
		if (requests[t].last_use < requests[t].first_use)
			requests[t].last_use = is_input ? 0 : last_op;
	}
	for (uint32_t t = 0; t < m->tensor_count; t++) {
		const struct tflite_tensor *tensor = &m->tensors[t];
		struct plan_request *r = &requests[t];

		if (tensor->is_variable && r->last_use >= 0) {
			r->first_use = 0;
			r->last_use = last_op;
		}
		if (r->last_use < 0 || tflite_tensor_data(m, t)) {
			/* untouched or constant: not in the arena */
			*r = (struct plan_request){ 0, 0, 0 };
			continue;
		}
		if (tensor->byte_size == 0 && tensor->element_count != 0) {
			if (err && errlen)
				snprintf(err, errlen, "tensor %u (%s): type %s has no fixed "
					 "size to plan", t, tensor->name,
					 tflite_type_name(tensor->type));
			free(requests);
			return -EINVAL;
		}
		if (tensor->byte_size > SIZE_MAX / 2) {
			if (err && errlen)
				snprintf(err, errlen, "tensor %u (%s): %llu bytes is too large",
					 t, tensor->name,
					 (unsigned long long)tensor->byte_size);
			free(requests);
			return -EFBIG;
		}
		r->size = (size_t)tensor->byte_size;
	}
	if (flags & PLAN_EXCLUDE_GRAPH_IO)
		for (uint64_t k = 0; k < (uint64_t)m->input_count + m->output_count; k++)
			requests[k < m->input_count ? m->inputs[k] :
				 m->outputs[k - m->input_count]].size = 0;
	rc = plan_arena(requests, m->tensor_count, alignment, offsets, arena_size,
			err, errlen);
	free(requests);
	return rc;
}
