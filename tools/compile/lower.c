// SPDX-License-Identifier: GPL-2.0-only
/*
 * TFLite int8 operators -> aiot ISA operations (see lower.h). All scale
 * arithmetic goes through quant.c so that the integers match TFLite's
 * reference kernels; this file only checks shapes and lays out memory.
 */
#include "lower_internal.h"
#include "plan.h"
#include "quant.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/videodev2.h>

__attribute__((format(printf, 2, 3)))
int lower_fail(struct lowering *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(l->msg, sizeof(l->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int lower_operator(struct lowering *l, const struct tflite_operator *op)
{
	int rc = lower_signal_op(l, op);

	if (rc != 1)
		return rc;
	rc = lower_s16_op(l, op);
	if (rc != 1)
		return rc;
	switch (op->builtin_code) {
	case TFLITE_OP_FULLY_CONNECTED: return lower_fully_connected(l, op);
	case TFLITE_OP_CONV_2D: return lower_conv(l, op, false);
	case TFLITE_OP_DEPTHWISE_CONV_2D: return lower_conv(l, op, true);
	case TFLITE_OP_AVERAGE_POOL_2D: return lower_pool(l, op, true);
	case TFLITE_OP_MAX_POOL_2D: return lower_pool(l, op, false);
	case TFLITE_OP_ADD: return lower_add(l, op);
	case TFLITE_OP_RESHAPE: return lower_reshape(l, op);
	case TFLITE_OP_SOFTMAX: return lower_softmax(l, op);
	case TFLITE_OP_QUANTIZE: return lower_quantize(l, op);
	case TFLITE_OP_SVDF: return lower_svdf(l, op);
	case TFLITE_OP_UNIDIRECTIONAL_SEQUENCE_LSTM: return lower_lstm(l, op);
	case TFLITE_OP_PAD: return lower_pad(l, op, false);
	case TFLITE_OP_PADV2: return lower_pad(l, op, true);
	case TFLITE_OP_TRANSPOSE: return lower_transpose(l, op);
	case TFLITE_OP_CONCATENATION: return lower_concatenation(l, op);
	case TFLITE_OP_MEAN: return lower_mean(l, op);
	case TFLITE_OP_SUM: return lower_reduce(l, op, true);
	case TFLITE_OP_TRANSPOSE_CONV: return lower_transpose_conv(l, op);
	case TFLITE_OP_SUB: return lower_binary(l, op, AIOT_ISA_OP_SUB);
	case TFLITE_OP_MUL: return lower_binary(l, op, AIOT_ISA_OP_MUL);
	case TFLITE_OP_MAXIMUM: return lower_binary(l, op, AIOT_ISA_OP_MAXIMUM);
	case TFLITE_OP_MINIMUM: return lower_binary(l, op, AIOT_ISA_OP_MINIMUM);
	case TFLITE_OP_RELU: return lower_relu(l, op, TFLITE_ACT_RELU);
	case TFLITE_OP_RELU6: return lower_relu(l, op, TFLITE_ACT_RELU6);
	case TFLITE_OP_RELU_N1_TO_1: return lower_relu(l, op, TFLITE_ACT_RELU_N1_TO_1);
	case TFLITE_OP_LEAKY_RELU: return lower_leaky_relu(l, op);
	case TFLITE_OP_RESIZE_BILINEAR:
	case TFLITE_OP_RESIZE_NEAREST_NEIGHBOR: return lower_resize(l, op);
	case TFLITE_OP_LOGISTIC:
	case TFLITE_OP_TANH:
	case TFLITE_OP_HARD_SWISH: return lower_table_act(l, op, op->builtin_code);
	case TFLITE_OP_STRIDED_SLICE:
	case TFLITE_OP_SLICE:
	case TFLITE_OP_SPLIT:
	case TFLITE_OP_SPLIT_V: return lower_shape_op(l, op);
	case TFLITE_OP_DEQUANTIZE:
		/* docs/isa.md, "Not in ISA 1.5": no float dtype in the ISA. */
		snprintf(l->msg, sizeof(l->msg), "a float tensor inside the graph: the aiot ISA "
			 "has integer types only (a DEQUANTIZE of an int8 or int16 tensor that "
			 "gives a graph output, and nothing else, is left to the host)");
		return -EOPNOTSUPP;
	default:
		snprintf(l->msg, sizeof(l->msg), "not supported by the aiot ISA");
		return -EOPNOTSUPP;
	}
}

/* Append "operator I (NAME): reason" to the report, one line each. */
static int lower_report(struct lowering *l, char **report, size_t *len, uint32_t index,
			const struct tflite_operator *op)
{
	char line[sizeof(l->msg) + 128];
	size_t n;
	char *p;

	n = (size_t)snprintf(line, sizeof(line), "%soperator %u (%s): %.400s", *len ? "\n" : "",
			     index, op->custom_name ? op->custom_name :
			     tflite_builtin_name(op->builtin_code), l->msg);
	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	p = realloc(*report, *len + n + 1);
	if (!p) {
		snprintf(l->msg, sizeof(l->msg), "out of memory");
		return -ENOMEM;
	}
	memcpy(p + *len, line, n + 1);
	*report = p;
	*len += n;
	return 0;
}

int aiot_lower_model(const struct tflite_model *m, struct aiot_lowered_model **out,
		     char *err, size_t errlen)
{
	return aiot_lower_model_frame(m, NULL, out, err, errlen);
}

int aiot_lower_model_frame(const struct tflite_model *m, const struct aiot_lower_frame *frame,
			   struct aiot_lowered_model **out, char *err, size_t errlen)
{
	return aiot_lower_model_opts(m, frame, NULL, out, err, errlen);
}

int aiot_lower_model_opts(const struct tflite_model *model,
			  const struct aiot_lower_frame *frame,
			  const struct aiot_lower_window *window,
			  struct aiot_lowered_model **out, char *err, size_t errlen)
{
	const struct tflite_model *m;
	struct lower_dequant dq;
	struct lower_window_plan wp;
	struct aiot_lowered_model *res = NULL;
	struct aiot_isa_header hdr;
	struct lowering l;
	size_t arena = 0, report_len = 0;
	char *report = NULL;
	uint32_t failed = 0;
	int rc, first_rc = 0;

	if (err && errlen)
		err[0] = '\0';
	if (!model || !out)
		return -EINVAL;
	*out = NULL;
	memset(&l, 0, sizeof(l));
	if (lower_dequant_fold(model, &dq))
		return -ENOMEM;
	/* From here on the model is the one without its final DEQUANTIZEs. */
	m = &dq.m;
	l.m = m;
	if (window && dq.folded) {
		rc = lower_fail(&l, "--rolling-window: the front end's output is a DEQUANTIZE's "
				"float tensor");
		goto out;
	}
	if (frame && window) {
		rc = lower_fail(&l, "--input and --rolling-window do not go together");
		goto out;
	}
	if ((frame || window) &&
	    (m->input_count != 1 || m->output_count != 1 || m->inputs[0] == m->outputs[0])) {
		rc = lower_fail(&l, "%s takes a model of one graph input and one distinct output "
				"(this one has %u inputs, %u outputs)",
				frame ? "--input" : "--rolling-window", m->input_count,
				m->output_count);
		goto out;
	}
	l.arena_offsets = calloc(m->tensor_count + 1, sizeof(size_t));
	l.weight_offsets = calloc(m->tensor_count + 1, sizeof(size_t));
	res = calloc(1, sizeof(*res));
	if (!l.arena_offsets || !l.weight_offsets || !res) {
		rc = -ENOMEM;
		snprintf(l.msg, sizeof(l.msg), "out of memory");
		goto out;
	}
	for (uint32_t t = 0; t < m->tensor_count; t++)
		l.weight_offsets[t] = SIZE_MAX;
	rc = lower_io_setup(&l);
	if (rc)
		goto out;
	rc = plan_model_arena_flags(m, ARENA_ALIGNMENT, PLAN_EXCLUDE_GRAPH_IO, l.arena_offsets,
				    &arena, l.msg, sizeof(l.msg));
	if (rc)
		goto out;
	l.arena_size = arena;
	if (frame) {
		/* The graph's input moves to the arena, past the plan: the frame
		 * takes its slot. */
		size_t at = (arena + ARENA_ALIGNMENT - 1) & ~(size_t)(ARENA_ALIGNMENT - 1);

		l.input_in_arena = true;
		l.arena_offsets[m->inputs[0]] = at;
		l.arena_size = at + m->tensors[m->inputs[0]].byte_size;
	}
	if (window) {
		rc = lower_window_setup(&l, window, &wp);
		if (rc)
			goto out;
	}

	memset(&hdr, 0, sizeof(hdr));
	rc = lower_grow(&l.stream, &l.stream_cap, sizeof(hdr));
	if (rc)
		goto out;
	l.stream_size = sizeof(hdr);
	if (frame) {
		rc = lower_frame_prologue(&l, frame);
		if (rc)
			goto out;
	}
	if (window) {
		rc = lower_window_prologue(&l, &wp);
		if (rc)
			goto out;
	}
	/*
	 * Every operator is tried, so that one run names all that cannot be
	 * lowered, each on its own line; the stream is only used when all did.
	 */
	for (uint32_t i = 0; i < m->operator_count; i++) {
		const struct tflite_operator *op = &m->operators[i];

		rc = lower_operator(&l, op);
		if (rc == -ENOMEM)
			goto out;
		if (rc) {
			if (!first_rc || (first_rc != -EOPNOTSUPP && rc == -EOPNOTSUPP))
				first_rc = rc;
			failed++;
			rc = lower_report(&l, &report, &report_len, dq.op_index[i], op);
			if (rc)
				goto out;
		}
	}
	if (failed) {
		rc = first_rc;
		goto out;
	}
	if (window) {
		rc = lower_window_epilogue(&l, &wp);
		if (rc)
			goto out;
	}
	rc = lower_io_epilogue(&l);
	if (!rc)
		rc = lower_io_describe(&l, res);
	if (!rc)
		lower_dequant_describe(&dq, res);
	if (!rc && frame) {
		res->graph_input = res->input;
		res->input = (struct aiot_lowered_tensor){
			.name = "frame",
			.binding = AIOT_ISA_BINDING_INPUT,
			.dtype = AIOT_ISA_DTYPE_INT8,
			.dims = { 1, frame->height, frame->width, 1 },
			/* NV12M: the luma plane; the chroma is a second input */
			.bytes = frame->fourcc == V4L2_PIX_FMT_NV12M ?
				 frame->width * frame->height : (uint32_t)frame->bytes,
			.scale = 1.0f,	/* plain bytes */
			.zero_point = 0,
		};
		res->input_pixel_format = frame->fourcc;
	}
	if (!rc && window) {
		/* the slot in, the window out (lower_window.c) */
		res->input.dims[0] = res->input.dims[1] = res->input.dims[2] = 1;
		res->input.dims[3] = wp.hop;
		res->input.bytes = wp.hop * 2;
		res->output.dims[0] = res->output.dims[1] = 1;
		res->output.dims[2] = wp.rows;
		res->output.dims[3] = wp.features;
		res->output.bytes = wp.rows * wp.features;
		snprintf(res->input.name, sizeof(res->input.name), "slot");
		snprintf(res->output.name, sizeof(res->output.name), "window");
	}
	if (rc)
		goto out;
	hdr.magic = AIOT_ISA_MAGIC;
	hdr.version = AIOT_ISA_VERSION(AIOT_ISA_VERSION_MAJOR, l.isa_minor);
	hdr.size = (uint32_t)l.stream_size;
	hdr.op_count = l.op_count;
	memcpy(l.stream, &hdr, sizeof(hdr));

	res->stream = l.stream;
	res->stream_size = l.stream_size;
	res->op_count = l.op_count;
	res->weights = l.weights;
	res->weights_size = l.weights_size;
	res->arena_size = l.arena_size;
	res->state_size = l.state_size;
	res->isa_version = hdr.version;
	l.stream = l.weights = NULL;
	*out = res;
	res = NULL;
out:
	if (rc && err && errlen)
		snprintf(err, errlen, "%s", report ? report : l.msg);
	free(report);
	free(l.arena_offsets);
	free(l.weight_offsets);
	free(l.io_slot);
	free(l.stream);
	free(l.weights);
	free(res);
	lower_dequant_free(&dq);
	return rc;
}

void aiot_lowered_model_free(struct aiot_lowered_model *lowered)
{
	if (!lowered)
		return;
	free(lowered->stream);
	free(lowered->weights);
	free(lowered);
}
