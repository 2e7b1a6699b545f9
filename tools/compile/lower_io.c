// SPDX-License-Identifier: GPL-2.0-only
/*
 * The graph's inputs and outputs (see lower.h): one binding slot each, at
 * offset 0, so that a caller can hand each its own buffer. An output whose
 * tensor already has a home (a graph input, an earlier output, a constant)
 * is copied into its own slot at the end of the stream, since the blob
 * format lets no input and output share a slot.
 */
#include "lower_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Slots 1 and 2 for the first input and output, as single-I/O blobs have
 * always had; the others from 4 on (0 is the weights', 3 the arena's). */
#define FIRST_EXTRA_SLOT (AIOT_ISA_BINDING_ARENA + 1)

static uint8_t input_slot(unsigned int i)
{
	return i ? (uint8_t)(FIRST_EXTRA_SLOT + i - 1) : AIOT_ISA_BINDING_INPUT;
}

static uint8_t output_slot(const struct tflite_model *m, unsigned int j)
{
	return j ? (uint8_t)(FIRST_EXTRA_SLOT + m->input_count - 1 + j - 1) :
		   AIOT_ISA_BINDING_OUTPUT;
}

_Static_assert(FIRST_EXTRA_SLOT + AIOT_LOWER_MAX_IO - 2 == AIOT_ISA_MAX_BINDINGS,
	       "every graph input and output has a slot");

static const char *tensor_name(const struct lowering *l, int32_t index)
{
	const char *name = l->m->tensors[index].name;

	return name ? name : "";
}

int lower_io_setup(struct lowering *l)
{
	const struct tflite_model *m = l->m;
	uint8_t *written;
	int rc = 0;

	if (!m->input_count || !m->output_count)
		return lower_fail(l, "the graph has %u inputs and %u outputs; it needs at least "
				  "one of each", m->input_count, m->output_count);
	if (m->input_count + m->output_count > AIOT_LOWER_MAX_IO)
		return lower_fail(l, "%u graph inputs and %u outputs: at most %u together (one "
				  "binding slot each; the weights and the arena take 2 of %u)",
				  m->input_count, m->output_count, AIOT_LOWER_MAX_IO,
				  AIOT_ISA_MAX_BINDINGS);
	l->io_slot = calloc(m->tensor_count + 1, 1);
	written = calloc(m->tensor_count + 1, 1);
	if (!l->io_slot || !written) {
		free(written);
		lower_fail(l, "out of memory");
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < m->operator_count; i++)
		for (uint32_t k = 0; k < m->operators[i].output_count; k++)
			if (m->operators[i].outputs[k] >= 0)
				written[m->operators[i].outputs[k]] = 1;
	for (unsigned int i = 0; i < m->input_count && !rc; i++) {
		int32_t t = m->inputs[i];

		if (tflite_tensor_data(m, (uint32_t)t))
			rc = lower_fail(l, "graph input %u (tensor %d, \"%s\") is a constant", i, t,
					tensor_name(l, t));
		else if (written[t])
			rc = lower_fail(l, "graph input %u (tensor %d, \"%s\") is also written by "
					"an operator", i, t, tensor_name(l, t));
		else if (l->io_slot[t])
			rc = lower_fail(l, "graph input %u (tensor %d, \"%s\") is listed twice", i,
					t, tensor_name(l, t));
		else
			l->io_slot[t] = input_slot(i);
	}
	for (unsigned int j = 0; j < m->output_count && !rc; j++) {
		int32_t t = m->outputs[j];

		l->output_slot[j] = output_slot(m, j);
		if (l->io_slot[t] || tflite_tensor_data(m, (uint32_t)t))
			l->output_copied[j] = true;
		else if (!written[t])
			rc = lower_fail(l, "graph output %u (tensor %d, \"%s\") is written by no "
					"operator", j, t, tensor_name(l, t));
		else
			l->io_slot[t] = l->output_slot[j];
	}
	free(written);
	return rc;
}

uint8_t lower_io_binding(const struct lowering *l, int32_t index)
{
	const struct tflite_model *m = l->m;

	if (!l->io_slot || !l->io_slot[index])
		return 0;
	/* A frame or a rolling window moves the first input/output to the arena. */
	if ((l->input_in_arena && index == m->inputs[0]) ||
	    (l->output_in_arena && index == m->outputs[0]))
		return 0;
	return l->io_slot[index];
}

int lower_io_epilogue(struct lowering *l)
{
	for (unsigned int j = 0; j < l->m->output_count; j++) {
		struct aiot_isa_op_reshape r;
		int rc;

		if (!l->output_copied[j])
			continue;
		lower_op_init(&r.hdr, sizeof(r), AIOT_ISA_OP_RESHAPE);
		rc = lower_isa_tensor(l, l->m->outputs[j], &r.input);
		if (rc)
			return rc;
		r.output = r.input;
		r.output.binding = l->output_slot[j];
		r.output.offset = 0;
		rc = lower_emit(l, &r, sizeof(r));
		if (rc)
			return rc;
	}
	return 0;
}

static int describe_io(struct lowering *l, int32_t index, uint8_t slot,
		       struct aiot_lowered_tensor *io)
{
	struct aiot_isa_tensor t;
	int rc = lower_isa_tensor(l, index, &t);

	/* Plain integer I/O (the audio front end's int16 samples, int8
	 * features) has no quantization: scale 1, zero point 0. */
	if (!rc && l->m->tensors[index].quant.count == 0 && l->isa_minor >= 4) {
		io->scale = 1.0f;
		io->zero_point = 0;
	} else if (!rc) {
		rc = lower_per_tensor_quant(l, index, &io->scale, &io->zero_point);
	}
	if (rc)
		return rc;
	io->dtype = t.dtype;
	memcpy(io->dims, t.dims, sizeof(io->dims));
	io->bytes = (uint32_t)l->m->tensors[index].byte_size;
	io->binding = slot;
	snprintf(io->name, sizeof(io->name), "%s", tensor_name(l, index));
	return 0;
}

int lower_io_describe(struct lowering *l, struct aiot_lowered_model *res)
{
	const struct tflite_model *m = l->m;
	int rc = 0;

	res->input_count = m->input_count;
	res->output_count = m->output_count;
	for (unsigned int i = 0; i < m->input_count && !rc; i++)
		rc = describe_io(l, m->inputs[i], input_slot(i), &res->inputs[i]);
	for (unsigned int j = 0; j < m->output_count && !rc; j++)
		rc = describe_io(l, m->outputs[j], l->output_slot[j], &res->outputs[j]);
	return rc;
}
