// SPDX-License-Identifier: GPL-2.0-only
/*
 * Graphs that end with DEQUANTIZE (see lower_internal.h). A model that
 * gives float32 outputs computes in integers and converts at the end; the
 * ISA has integer types only, so that last step is left to the host: the
 * lowering sees a shallow copy of the model whose outputs are those
 * DEQUANTIZEs' integer inputs and which lacks the DEQUANTIZEs, and the blob
 * marks each such output (AIOT_MODEL_TENSOR_F_DEQUANTIZE) under the float
 * tensor's name. A DEQUANTIZE anywhere else stays an unsupported operator.
 */
#include "lower_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The graph output @t is: its index, or -1. */
static int graph_output(const struct tflite_model *m, int32_t t)
{
	for (uint32_t j = 0; j < m->output_count; j++)
		if (m->outputs[j] == t)
			return (int)j;
	return -1;
}

/* Does an operator other than @self read @t? */
static bool read_elsewhere(const struct tflite_model *m, uint32_t self, int32_t t)
{
	for (uint32_t i = 0; i < m->operator_count; i++)
		for (uint32_t k = 0; i != self && k < m->operators[i].input_count; k++)
			if (m->operators[i].inputs[k] == t)
				return true;
	return false;
}

/* DEQUANTIZE @i gives a graph output the host can dequantize alone. */
static bool foldable(const struct tflite_model *m, uint32_t i)
{
	const struct tflite_operator *op = &m->operators[i];
	const struct tflite_tensor *in, *out;

	if (op->builtin_code != TFLITE_OP_DEQUANTIZE || op->input_count != 1 ||
	    op->output_count != 1 || op->inputs[0] < 0)
		return false;
	in = &m->tensors[op->inputs[0]];
	out = &m->tensors[op->outputs[0]];
	return out->type == TFLITE_TYPE_FLOAT32 &&
	       (in->type == TFLITE_TYPE_INT8 || in->type == TFLITE_TYPE_INT16) &&
	       in->quant.count == 1 && in->element_count == out->element_count &&
	       graph_output(m, op->outputs[0]) >= 0 && !read_elsewhere(m, i, op->outputs[0]);
}

int lower_dequant_fold(const struct tflite_model *m, struct lower_dequant *d)
{
	uint32_t n = 0;

	memset(d, 0, sizeof(*d));
	d->m = *m;
	for (unsigned int j = 0; j < AIOT_LOWER_MAX_IO; j++)
		d->float_output[j] = -1;
	d->outputs = malloc((m->output_count + 1) * sizeof(*d->outputs));
	d->ops = malloc((m->operator_count + 1) * sizeof(*d->ops));
	d->op_index = malloc((m->operator_count + 1) * sizeof(*d->op_index));
	if (!d->outputs || !d->ops || !d->op_index) {
		lower_dequant_free(d);
		return -ENOMEM;
	}
	memcpy(d->outputs, m->outputs, m->output_count * sizeof(*d->outputs));
	for (uint32_t i = 0; i < m->operator_count; i++) {
		const struct tflite_operator *op = &m->operators[i];
		int j = foldable(m, i) ? graph_output(m, op->outputs[0]) : -1;

		if (j >= 0 && j < AIOT_LOWER_MAX_IO) {
			d->outputs[j] = op->inputs[0];
			d->float_output[j] = op->outputs[0];
			d->folded++;
			continue;
		}
		d->ops[n] = *op;
		d->op_index[n++] = i;
	}
	d->m.outputs = d->outputs;
	d->m.operators = d->ops;
	d->m.operator_count = n;
	return 0;
}

void lower_dequant_describe(const struct lower_dequant *d, struct aiot_lowered_model *res)
{
	for (unsigned int j = 0; j < res->output_count && j < AIOT_LOWER_MAX_IO; j++) {
		if (d->float_output[j] < 0)
			continue;
		res->outputs[j].dequantize = true;
		snprintf(res->outputs[j].name, sizeof(res->outputs[j].name), "%s",
			 d->m.tensors[d->float_output[j]].name);
	}
}

void lower_dequant_free(struct lower_dequant *d)
{
	free(d->outputs);
	free(d->ops);
	free(d->op_index);
	d->outputs = NULL;
	d->ops = NULL;
	d->op_index = NULL;
}
