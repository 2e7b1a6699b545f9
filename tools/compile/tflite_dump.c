// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-tflite-dump MODEL: print what the TFLite reader sees in subgraph 0 -
 * tensors with shape, type and quantization, operators by name with their
 * inputs, outputs and options, an op histogram and the planned arena size.
 */
#include "plan.h"
#include "quant.h"
#include "tflite.h"
#include "../common/tool.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_ALIGNMENT 16

/* Names come from the file: print them without control characters. */
static void print_sanitized(const char *s)
{
	for (; *s; s++)
		putchar((unsigned char)*s >= 0x20 && (unsigned char)*s < 0x7f ? *s : '?');
}

static void print_shape(const struct tflite_tensor *t)
{
	putchar('[');
	for (uint32_t d = 0; d < t->rank; d++)
		printf(d ? "x%d" : "%d", t->shape[d]);
	putchar(']');
}

static void print_tensor(const struct tflite_model *m, uint32_t i, const size_t *offsets)
{
	const struct tflite_tensor *t = &m->tensors[i];
	const struct tflite_buffer *b = tflite_tensor_data(m, i);

	printf("  t%-4u %-8s ", i, tflite_type_name(t->type));
	print_shape(t);
	if (t->quant.count == 1)
		printf(" scale=%.9g zp=%lld", (double)t->quant.scale[0],
		       (long long)t->quant.zero_point[0]);
	else if (t->quant.count > 1)
		printf(" per-channel(%u, dim %d) scale[0]=%.9g zp[0]=%lld",
		       t->quant.count, t->quant.quantized_dimension,
		       (double)t->quant.scale[0], (long long)t->quant.zero_point[0]);
	if (b)
		printf(" const(buffer %u, %zu bytes%s)", t->buffer, b->size,
		       b->external ? ", external" : "");
	else if (offsets[i] != PLAN_UNPLACED)
		printf(" arena@%zu", offsets[i]);
	if (t->is_variable)
		printf(" variable");
	printf(" \"");
	print_sanitized(t->name);
	printf("\"\n");
}

static void print_options(const struct tflite_operator *op)
{
	const struct tflite_conv_options *c = &op->options.conv;
	const struct tflite_pool_options *p = &op->options.pool;

	switch (op->builtin_code) {
	case TFLITE_OP_CONV_2D:
	case TFLITE_OP_DEPTHWISE_CONV_2D:
		printf("      padding=%s stride=%dx%d dilation=%dx%d act=%s",
		       c->padding == TFLITE_PADDING_SAME ? "SAME" : "VALID",
		       c->stride_h, c->stride_w, c->dilation_h, c->dilation_w,
		       tflite_activation_name(c->activation));
		if (op->builtin_code == TFLITE_OP_DEPTHWISE_CONV_2D)
			printf(" depth_multiplier=%d", c->depth_multiplier);
		putchar('\n');
		break;
	case TFLITE_OP_AVERAGE_POOL_2D:
	case TFLITE_OP_MAX_POOL_2D:
		printf("      padding=%s stride=%dx%d filter=%dx%d act=%s\n",
		       p->padding == TFLITE_PADDING_SAME ? "SAME" : "VALID",
		       p->stride_h, p->stride_w, p->filter_h, p->filter_w,
		       tflite_activation_name(p->activation));
		break;
	case TFLITE_OP_FULLY_CONNECTED:
		printf("      act=%s weights_format=%d keep_num_dims=%d\n",
		       tflite_activation_name(op->options.fc.activation),
		       op->options.fc.weights_format, op->options.fc.keep_num_dims);
		break;
	case TFLITE_OP_ADD:
		printf("      act=%s\n", tflite_activation_name(op->options.add.activation));
		break;
	case TFLITE_OP_SVDF:
		printf("      rank=%d act=%s asymmetric_quantize_inputs=%d\n",
		       op->options.svdf.rank,
		       tflite_activation_name(op->options.svdf.activation),
		       op->options.svdf.asymmetric_quantize_inputs);
		break;
	case TFLITE_OP_SOFTMAX:
		printf("      beta=%.9g\n", (double)op->options.softmax.beta);
		break;
	case TFLITE_OP_RESHAPE:
		if (op->options.reshape.new_shape_count) {
			printf("      new_shape=[");
			for (uint32_t d = 0; d < op->options.reshape.new_shape_count; d++)
				printf(d ? "x%d" : "%d", op->options.reshape.new_shape[d]);
			printf("]\n");
		}
		break;
	default:
		break;
	}
}

static void print_index_list(const int32_t *list, uint32_t count)
{
	for (uint32_t k = 0; k < count; k++) {
		if (list[k] < 0)
			printf("%s-", k ? " " : "");
		else
			printf("%st%d", k ? " " : "", list[k]);
	}
}

static const char *op_name(const struct tflite_operator *op)
{
	return op->custom_name ? op->custom_name : tflite_builtin_name(op->builtin_code);
}

static void print_histogram(const struct tflite_model *m)
{
	bool *seen = calloc(m->operator_count ? m->operator_count : 1, sizeof(*seen));

	if (!seen)
		return;
	printf("op counts:");
	for (uint32_t i = 0; i < m->operator_count; i++) {
		unsigned n = 0;

		if (seen[i])
			continue;
		for (uint32_t j = i; j < m->operator_count; j++) {
			if (m->operators[j].builtin_code == m->operators[i].builtin_code &&
			    strcmp(op_name(&m->operators[j]), op_name(&m->operators[i])) == 0) {
				seen[j] = true;
				n++;
			}
		}
		printf(" %s=%u", op_name(&m->operators[i]), n);
	}
	putchar('\n');
	free(seen);
}

static int dump(const char *path)
{
	char err[512];
	struct tflite_model *m;
	unsigned char *data = NULL;
	size_t size = 0, arena = 0, *offsets;
	int rc;

	rc = tool_read_file(path, SIZE_MAX, &data, &size);
	if (rc) {
		fprintf(stderr, "%s: %s\n", path, strerror(-rc));
		return 1;
	}
	rc = tflite_model_load(data, size, &m, err, sizeof(err));
	free(data);
	if (rc) {
		fprintf(stderr, "%s: %s (%s)\n", path, err, strerror(-rc));
		return 1;
	}
	offsets = calloc(m->tensor_count ? m->tensor_count : 1, sizeof(*offsets));
	if (!offsets) {
		tflite_model_free(m);
		return 1;
	}
	rc = plan_model_arena(m, ARENA_ALIGNMENT, offsets, &arena, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "%s: arena planning: %s\n", path, err);
		for (uint32_t i = 0; i < m->tensor_count; i++)
			offsets[i] = PLAN_UNPLACED;
	}

	printf("%s: schema %u, %zu bytes, %u subgraph(s), %u buffers, description \"",
	       path, m->version, m->file_size, m->subgraph_count, m->buffer_count);
	print_sanitized(m->description);
	printf("\"\nsubgraph 0 \"");
	print_sanitized(m->subgraph_name);
	printf("\": %u tensors, %u operators\n", m->tensor_count, m->operator_count);
	printf("inputs: ");
	print_index_list(m->inputs, m->input_count);
	printf("\noutputs: ");
	print_index_list(m->outputs, m->output_count);
	printf("\ntensors:\n");
	for (uint32_t i = 0; i < m->tensor_count; i++)
		print_tensor(m, i, offsets);
	printf("operators:\n");
	for (uint32_t i = 0; i < m->operator_count; i++) {
		const struct tflite_operator *op = &m->operators[i];

		printf("  op%-3u %s%s (code %d, v%d): in ", i, op_name(op),
		       op->custom_name ? " [custom]" : "", op->builtin_code,
		       m->opcodes[op->opcode_index].version);
		print_index_list(op->inputs, op->input_count);
		printf(" -> out ");
		print_index_list(op->outputs, op->output_count);
		putchar('\n');
		print_options(op);
	}
	print_histogram(m);
	if (rc == 0)
		printf("arena: %zu bytes (alignment %d)\n", arena, ARENA_ALIGNMENT);
	free(offsets);
	tflite_model_free(m);
	return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
	int status = 0;

	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		fprintf(stderr, "usage: %s MODEL.tflite...\n", argv[0]);
		return argc < 2 ? 2 : 0;
	}
	for (int i = 1; i < argc; i++)
		status |= dump(argv[i]);
	return status;
}
