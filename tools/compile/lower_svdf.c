// SPDX-License-Identifier: GPL-2.0-only
/*
 * TFLite's SVDF -> the ISA's SVDF operation.
 */
#include "lower_internal.h"
#include "plan.h"
#include "quant.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Symmetric per-tensor quantization of a constant weight tensor. */
static int lower_symmetric_scale(struct lowering *l, int32_t index, const char *what, float *scale)
{
	int32_t zp = 0;
	int rc = lower_per_tensor_quant(l, index, scale, &zp);

	if (rc)
		return rc;
	if (zp != 0)
		return lower_fail(l, "%s zero point %d: the ISA takes symmetric weights", what, zp);
	if (!tflite_tensor_data(l->m, (uint32_t)index))
		return lower_fail(l, "%s must be a constant tensor", what);
	return 0;
}

/*
 * SVDF as TFLite Micro runs it (svdf_common.cc, EvalIntegerSvdfReference):
 * the fused activation is not applied to the int8 output, only the int8
 * clamp; both effective scales are computed in float, then widened.
 */
int lower_svdf(struct lowering *l, const struct tflite_operator *op)
{
	const struct tflite_model *m = l->m;
	const struct tflite_tensor *in_t, *wf_t, *wt_t, *st_t, *out_t;
	struct aiot_isa_op_svdf v;
	float in_s = 0.0f, wf_s = 0.0f, wt_s = 0.0f, st_s = 0.0f, out_s = 0.0f;
	uint32_t batches, depth, filters, memory, units, rank;
	int32_t *bias = NULL;
	size_t offset;
	int shift, rc;

	if (op->input_count != 5 || op->output_count != 1 || op->inputs[0] < 0 ||
	    op->inputs[1] < 0 || op->inputs[2] < 0 || op->inputs[4] < 0)
		return lower_fail(l, "expects input, weights_feature, weights_time, [bias], "
				  "activation state and one output");
	in_t = &m->tensors[op->inputs[0]];
	wf_t = &m->tensors[op->inputs[1]];
	wt_t = &m->tensors[op->inputs[2]];
	st_t = &m->tensors[op->inputs[4]];
	out_t = &m->tensors[op->outputs[0]];
	if (in_t->rank != 2 || wf_t->rank != 2 || wt_t->rank != 2 || st_t->rank != 2 ||
	    out_t->rank != 2)
		return lower_fail(l, "input, weights, state and output must be 2-D");
	if (op->options.svdf.asymmetric_quantize_inputs)
		return lower_fail(l, "asymmetric_quantize_inputs (hybrid SVDF) is not lowered");
	if (!st_t->is_variable || tflite_tensor_data(m, (uint32_t)op->inputs[4]))
		return lower_fail(l, "the activation state must be a variable tensor");
	batches = (uint32_t)in_t->shape[0];
	depth = (uint32_t)in_t->shape[1];
	filters = (uint32_t)wf_t->shape[0];
	memory = (uint32_t)wt_t->shape[1];
	rank = (uint32_t)op->options.svdf.rank;
	units = filters / rank;
	if ((uint32_t)wf_t->shape[1] != depth || (uint32_t)wt_t->shape[0] != filters ||
	    filters % rank || (uint32_t)out_t->shape[0] != batches ||
	    (uint32_t)out_t->shape[1] != units || (uint32_t)st_t->shape[0] != batches ||
	    (uint64_t)(uint32_t)st_t->shape[1] != (uint64_t)filters * memory)
		return lower_fail(l, "shapes do not fit: input %ux%u, weights_feature %dx%d, "
				  "weights_time %dx%d, state %dx%d, output %dx%d, rank %u",
				  batches, depth, wf_t->shape[0], wf_t->shape[1], wt_t->shape[0],
				  wt_t->shape[1], st_t->shape[0], st_t->shape[1], out_t->shape[0],
				  out_t->shape[1], rank);
	if (filters > AIOT_ISA_MAX_DIM || memory > AIOT_ISA_MAX_DIM)
		return lower_fail(l, "filters or memory exceed the ISA's dimension limit");

	lower_op_init(&v.hdr, sizeof(v), AIOT_ISA_OP_SVDF);
	rc = lower_isa_tensor(l, op->inputs[0], &v.input);
	if (!rc) rc = lower_isa_tensor(l, op->inputs[1], &v.weights_feature);
	if (!rc) rc = lower_isa_tensor(l, op->inputs[2], &v.weights_time);
	if (!rc) rc = lower_isa_tensor(l, op->inputs[4], &v.state);
	if (!rc) rc = lower_isa_tensor(l, op->outputs[0], &v.output);
	if (!rc) rc = lower_require_int8(l, &v.input, "input");
	if (!rc) rc = lower_require_int8(l, &v.weights_feature, "weights_feature");
	if (!rc) rc = lower_require_int8(l, &v.output, "output");
	if (rc)
		return rc;
	if (v.weights_time.dtype != AIOT_ISA_DTYPE_INT8 &&
	    v.weights_time.dtype != AIOT_ISA_DTYPE_INT16)
		return lower_fail(l, "weights_time must be int8 or int16");
	if (v.state.dtype != v.weights_time.dtype)
		return lower_fail(l, "activation state and weights_time differ in type");
	if (v.state.binding != AIOT_ISA_BINDING_ARENA)
		return lower_fail(l, "the activation state must not be a graph input or output");
	v.input.dims[0] = batches;
	v.input.dims[1] = v.input.dims[2] = 1;
	v.input.dims[3] = depth;
	v.weights_feature.dims[0] = filters;
	v.weights_feature.dims[1] = v.weights_feature.dims[2] = 1;
	v.weights_feature.dims[3] = depth;
	v.weights_time.dims[0] = filters;
	v.weights_time.dims[1] = v.weights_time.dims[2] = 1;
	v.weights_time.dims[3] = memory;
	v.state.dims[0] = batches;
	v.state.dims[1] = 1;
	v.state.dims[2] = filters;
	v.state.dims[3] = memory;
	v.output.dims[0] = batches;
	v.output.dims[1] = v.output.dims[2] = 1;
	v.output.dims[3] = units;
	v.rank = rank;

	rc = lower_per_tensor_quant(l, op->inputs[0], &in_s, &v.input_zero_point);
	if (!rc) rc = lower_per_tensor_quant(l, op->inputs[4], &st_s, &v.state_zero_point);
	if (!rc) rc = lower_per_tensor_quant(l, op->outputs[0], &out_s, &v.output_zero_point);
	if (!rc) rc = lower_symmetric_scale(l, op->inputs[1], "weights_feature", &wf_s);
	if (!rc) rc = lower_symmetric_scale(l, op->inputs[2], "weights_time", &wt_s);
	if (rc)
		return rc;
	if (v.state.dtype == AIOT_ISA_DTYPE_INT16 && v.state_zero_point != 0)
		return lower_fail(l, "an int16 activation state needs zero point 0");
	/* float products, as TFLite Micro's PrepareSvdf computes them */
	rc = quant_quantize_multiplier((double)(in_s * wf_s / st_s), &v.feature_multiplier,
				       &shift);
	v.feature_shift = shift;
	if (!rc && shift <= 30)
		rc = quant_quantize_multiplier((double)(st_s * wt_s / out_s),
					       &v.time_multiplier, &shift);
	v.time_shift = shift;
	if (rc || v.feature_shift > 30 || v.time_shift > 30)
		return lower_fail(l, "effective scales cannot be represented");
	v.act.min = INT8_MIN;
	v.act.max = INT8_MAX;

	bias = calloc(units, sizeof(*bias));
	if (!bias)
		return -ENOMEM;
	if (op->inputs[3] >= 0) {
		const struct tflite_tensor *bt = &m->tensors[op->inputs[3]];
		const struct tflite_buffer *bb = tflite_tensor_data(m, (uint32_t)op->inputs[3]);

		if (!bb || bt->type != TFLITE_TYPE_INT32 || bt->element_count != units ||
		    bb->size != (size_t)units * 4) {
			free(bias);
			return lower_fail(l, "bias must be a constant int32 vector of %u", units);
		}
		memcpy(bias, bb->data, (size_t)units * 4);
	}
	rc = lower_weights_append(l, bias, (size_t)units * sizeof(*bias), &offset);
	free(bias);
	if (rc)
		return rc;
	v.bias.binding = AIOT_ISA_BINDING_WEIGHTS;
	v.bias.offset = (uint32_t)offset;
	l->state_size += (size_t)batches * filters * memory *
			 (v.state.dtype == AIOT_ISA_DTYPE_INT16 ? 2 : 1);
	lower_need_isa(l, 1);
	return lower_emit(l, &v, sizeof(v));
}
