// SPDX-License-Identifier: GPL-2.0-only
/*
 * TFLite's int8 UNIDIRECTIONAL_SEQUENCE_LSTM -> the ISA's LSTM (1.7).
 *
 * What TFLite Micro's integer kernel runs and nothing more: the 24-input
 * layout with the four gates' weights and biases present and the
 * peephole, projection and layer norm inputs absent (-1), int8 input,
 * output and hidden state, int8 weights, int32 biases, int16 cell state,
 * the cell gate's activation TANH. The parameters are derived as its
 * prepare does (lstm_eval_common.cc: PrepareGateParametersInteger and
 * CreateLstmCellStateInfo; docs/isa.md lists them).
 *
 * State: the hidden and cell states are the model's variable tensors,
 * planned for the whole graph, so they keep their bytes from one run to
 * the next and are counted in state_size. A zeroed arena is the reset
 * state for the int16 cell state, but TFLite Micro resets an int8 variable
 * tensor to its zero point. So, when that zero point is not 0, the hidden
 * state is stored between runs as (byte - zero point) mod 256: a TABLE op
 * adds the zero point back in place before the LSTM and another takes it
 * off after, both exact bijections of the 256 byte values.
 */
#include "lower_internal.h"
#include "quant.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* TFLite's input numbering (lstm_shared.h). */
enum {
	LSTM_INPUT = 0,
	LSTM_INPUT_WEIGHTS = 1,		/* 1..4: input, forget, cell, output gate */
	LSTM_RECURRENT_WEIGHTS = 5,	/* 5..8 */
	LSTM_PEEPHOLE = 9,		/* 9..11 */
	LSTM_BIAS = 12,			/* 12..15 */
	LSTM_PROJECTION = 16,		/* 16, 17 */
	LSTM_HIDDEN_STATE = 18,
	LSTM_CELL_STATE = 19,
	LSTM_LAYER_NORM = 20,		/* 20..23 */
	LSTM_INPUT_COUNT = 24,
};

static const char *const lstm_input_names[LSTM_INPUT_COUNT] = {
	"input",
	"input_to_input_weights", "input_to_forget_weights",
	"input_to_cell_weights", "input_to_output_weights",
	"recurrent_to_input_weights", "recurrent_to_forget_weights",
	"recurrent_to_cell_weights", "recurrent_to_output_weights",
	"cell_to_input_weights", "cell_to_forget_weights", "cell_to_output_weights",
	"input_gate_bias", "forget_gate_bias", "cell_gate_bias", "output_gate_bias",
	"projection_weights", "projection_bias",
	"output_state", "cell_state",
	"input_layer_norm_coefficients", "forget_layer_norm_coefficients",
	"cell_layer_norm_coefficients", "output_layer_norm_coefficients",
};

static const char *const lstm_activation_names[] = {
	"NONE", "RELU", "RELU_N1_TO_1", "RELU6", "TANH", "SIGN_BIT",
};

/* Gate pre-activations are Q3.12, gate outputs Q0.15 (float, as TFLM). */
#define LSTM_GATE_INPUT_SCALE	(1.0f / 4096)
#define LSTM_GATE_OUTPUT_SCALE	(1.0f / 32768)

struct lstm_shape {
	uint32_t batches, steps, input_depth, units;
};

/*
 * The variants TFLite Micro's integer kernel refuses, each named with its
 * inputs: absent input-gate tensors (CIFG), peepholes, projection, layer
 * normalisation. Then any other required input that is absent.
 */
static int lstm_check_layout(struct lowering *l, const struct tflite_operator *op)
{
	static const struct {
		int first, count;
		bool present_is_wrong;
		const char *what;
	} groups[] = {
		{ LSTM_INPUT_WEIGHTS, 1, false, "CIFG (coupled input and forget gates)" },
		{ LSTM_RECURRENT_WEIGHTS, 1, false, "CIFG (coupled input and forget gates)" },
		{ LSTM_BIAS, 1, false, "CIFG (coupled input and forget gates)" },
		{ LSTM_PEEPHOLE, 3, true, "peephole connections" },
		{ LSTM_PROJECTION, 2, true, "a projection layer" },
		{ LSTM_LAYER_NORM, 4, true, "layer normalisation" },
	};
	char list[320];
	size_t len = 0;
	const char *what = NULL;

	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		for (int i = groups[g].first; i < groups[g].first + groups[g].count; i++) {
			if ((op->inputs[i] >= 0) != groups[g].present_is_wrong)
				continue;
			if (what && strcmp(what, groups[g].what))
				return lower_fail(l, "an LSTM with %s and %s: TFLite Micro's integer "
						  "kernel has neither", what, groups[g].what);
			what = groups[g].what;
			if (len < sizeof(list))
				len += (size_t)snprintf(list + len, sizeof(list) - len, "%sinput %d "
							"(%s) %s", len ? ", " : "", i,
							lstm_input_names[i],
							groups[g].present_is_wrong ? "present" :
							"absent");
		}
	}
	if (what)
		return lower_fail(l, "%s is not supported (TFLite Micro's integer kernel has "
				  "none): %s", what, list);
	for (int i = 0; i < LSTM_INPUT_COUNT; i++) {
		bool optional = (i >= LSTM_PEEPHOLE && i < LSTM_BIAS) ||
				(i >= LSTM_PROJECTION && i < LSTM_HIDDEN_STATE) ||
				i >= LSTM_LAYER_NORM;

		if (!optional && op->inputs[i] < 0)
			return lower_fail(l, "input %d (%s) is absent; it is required", i,
					  lstm_input_names[i]);
	}
	return 0;
}

/* A constant symmetric per-tensor int8 [rows, cols] weight matrix. */
static int lstm_weights(struct lowering *l, const struct tflite_operator *op, int input,
			uint32_t rows, uint32_t cols, float *scale, const uint8_t **data)
{
	int32_t index = op->inputs[input];
	const struct tflite_tensor *t = &l->m->tensors[index];
	const struct tflite_buffer *b = tflite_tensor_data(l->m, (uint32_t)index);
	int32_t zp = 0;
	int rc;

	if (t->type != TFLITE_TYPE_INT8)
		return lower_fail(l, "input %d (%s) is %s; the int8 LSTM takes int8 weights",
				  input, lstm_input_names[input], lower_type_name(t->type));
	if (t->rank != 2 || (uint32_t)t->shape[0] != rows || (uint32_t)t->shape[1] != cols)
		return lower_fail(l, "input %d (%s) must be [%u, %u]", input,
				  lstm_input_names[input], rows, cols);
	if (!b || b->size != (size_t)rows * cols)
		return lower_fail(l, "input %d (%s) must be a constant tensor", input,
				  lstm_input_names[input]);
	if (t->quant.count > 1)
		return lower_fail(l, "input %d (%s) has %u per-channel scales; TFLite Micro's "
				  "LSTM takes one scale per weight tensor", input,
				  lstm_input_names[input], t->quant.count);
	rc = lower_per_tensor_quant(l, index, scale, &zp);
	if (rc)
		return rc;
	if (zp != 0)
		return lower_fail(l, "input %d (%s) has zero point %d; the ISA takes symmetric "
				  "weights", input, lstm_input_names[input], zp);
	*data = b->data;
	return 0;
}

/* A variable tensor of batches x units elements of the given type. */
static int lstm_state(struct lowering *l, const struct tflite_operator *op, int input,
		      const struct lstm_shape *s, enum tflite_tensor_type type,
		      struct aiot_isa_tensor *out)
{
	int32_t index = op->inputs[input];
	const struct tflite_tensor *t = &l->m->tensors[index];
	int rc;

	if (t->type != type)
		return lower_fail(l, "input %d (%s) is %s; the int8 LSTM needs %s", input,
				  lstm_input_names[input], lower_type_name(t->type),
				  lower_type_name(type));
	if (!t->is_variable || tflite_tensor_data(l->m, (uint32_t)index))
		return lower_fail(l, "input %d (%s) must be a variable tensor without data",
				  input, lstm_input_names[input]);
	if (t->element_count != (uint64_t)s->batches * s->units)
		return lower_fail(l, "input %d (%s) has %llu elements, not batches x units = "
				  "%u x %u", input, lstm_input_names[input],
				  (unsigned long long)t->element_count, s->batches, s->units);
	for (uint32_t o = 0; o < l->m->operator_count; o++) {
		const struct tflite_operator *other = &l->m->operators[o];

		if (other == op)
			continue;
		for (uint32_t k = 0; k < other->input_count + other->output_count; k++) {
			int32_t u = k < other->input_count ? other->inputs[k] :
				    other->outputs[k - other->input_count];

			if (u == index)
				return lower_fail(l, "input %d (%s) is also used by operator %u; "
						  "the LSTM's state must be its own", input,
						  lstm_input_names[input], o);
		}
	}
	rc = lower_isa_tensor(l, index, out);
	if (rc)
		return rc;
	if (out->binding != AIOT_ISA_BINDING_ARENA)
		return lower_fail(l, "input %d (%s) must not be a graph input or output", input,
				  lstm_input_names[input]);
	out->dims[0] = out->dims[1] = 1;
	out->dims[2] = s->batches;
	out->dims[3] = s->units;
	return 0;
}

static int lstm_multiplier(struct lowering *l, double real, const char *what, int32_t *m,
			   int32_t *s)
{
	int shift = 0;
	int rc = quant_quantize_multiplier(real, m, &shift);

	if (rc || shift < -31 || shift > 30)
		return lower_fail(l, "the %s scale %g cannot be represented (shift %d; the ISA "
				  "takes -31..30)", what, real, shift);
	*s = shift;
	return 0;
}

/* A gate's fully connected layer to Q3.12: TFLite's float product. */
static int lstm_layer_multiplier(struct lowering *l, float in_scale, float weight_scale,
				 int input, int32_t *m, int32_t *s)
{
	int shift = 0;
	int rc = quant_fully_connected_multiplier(in_scale, weight_scale, LSTM_GATE_INPUT_SCALE,
						  m, &shift);

	if (rc || shift < -31 || shift > 30)
		return lower_fail(l, "input %d (%s): the layer's scale cannot be represented "
				  "(shift %d; the ISA takes -31..30)", input,
				  lstm_input_names[input], shift);
	*s = shift;
	return 0;
}

/* The input, its layout and the op's sizes; the output against them. */
static int lstm_shapes(struct lowering *l, const struct tflite_operator *op,
		       struct lstm_shape *s)
{
	const struct tflite_model *m = l->m;
	const struct tflite_tensor *in = &m->tensors[op->inputs[LSTM_INPUT]];
	const struct tflite_tensor *out = &m->tensors[op->outputs[0]];
	const struct tflite_tensor *wf = &m->tensors[op->inputs[LSTM_INPUT_WEIGHTS + 1]];
	bool tm = op->options.lstm.time_major;

	if (in->type == TFLITE_TYPE_FLOAT32)
		return lower_fail(l, "a float32 LSTM: the ISA has integer types only");
	if (in->type != TFLITE_TYPE_INT8)
		return lower_fail(l, "input is %s; the ISA's LSTM is int8 (TFLite Micro's 8x8->16 "
				  "kernel)", lower_type_name(in->type));
	if (out->type != TFLITE_TYPE_INT8)
		return lower_fail(l, "output is %s; it must be int8 like the input",
				  lower_type_name(out->type));
	if (in->rank != 3)
		return lower_fail(l, "input has rank %u; it must be [%s, input]", in->rank,
				  tm ? "time, batch" : "batch, time");
	if (wf->rank != 2)
		return lower_fail(l, "input 2 (%s) has rank %u, not 2", lstm_input_names[2],
				  wf->rank);
	s->steps = (uint32_t)in->shape[tm ? 0 : 1];
	s->batches = (uint32_t)in->shape[tm ? 1 : 0];
	s->input_depth = (uint32_t)in->shape[2];
	s->units = (uint32_t)wf->shape[0];
	if (!s->steps || !s->batches || !s->input_depth || !s->units ||
	    s->steps > AIOT_ISA_MAX_DIM || s->batches > AIOT_ISA_MAX_DIM ||
	    s->input_depth > AIOT_ISA_MAX_DIM || s->units > AIOT_ISA_MAX_DIM)
		return lower_fail(l, "sizes (steps %u, batches %u, input %u, units %u) outside "
				  "the ISA's 1..%d", s->steps, s->batches, s->input_depth,
				  s->units, AIOT_ISA_MAX_DIM);
	if (out->rank != 3 || out->shape[0] != in->shape[0] || out->shape[1] != in->shape[1] ||
	    (uint32_t)out->shape[2] != s->units)
		return lower_fail(l, "output must be [%d, %d, %u] (the input's first two "
				  "dimensions and the units)", in->shape[0], in->shape[1], s->units);
	return 0;
}

/* The four gates' matrices, one after another, into the weights blob. */
static int lstm_append_gates(struct lowering *l, const uint8_t *const gate[4], size_t bytes,
			     struct aiot_isa_tensor *t)
{
	uint8_t *buf = malloc(4 * bytes);
	size_t offset = 0;
	int rc;

	if (!buf)
		return -ENOMEM;
	for (int g = 0; g < 4; g++)
		memcpy(buf + (size_t)g * bytes, gate[g], bytes);
	rc = lower_weights_append(l, buf, 4 * bytes, &offset);
	free(buf);
	t->binding = AIOT_ISA_BINDING_WEIGHTS;
	t->offset = (uint32_t)offset;
	return rc;
}

/* hidden += delta (mod 256) in place: the stored <-> TFLite form. */
static int lstm_emit_shift(struct lowering *l, const struct aiot_isa_tensor *hidden, int delta)
{
	struct aiot_isa_op_table t;
	int8_t table[AIOT_ISA_TABLE_ENTRIES];
	size_t offset = 0;
	int rc;

	for (int i = 0; i < AIOT_ISA_TABLE_ENTRIES; i++)
		table[i] = (int8_t)(uint8_t)(i - 128 + delta);
	rc = lower_weights_append(l, table, sizeof(table), &offset);
	if (rc)
		return rc;
	lower_op_init(&t.hdr, sizeof(t), AIOT_ISA_OP_TABLE);
	t.input = *hidden;
	t.output = *hidden;
	t.table.binding = AIOT_ISA_BINDING_WEIGHTS;
	t.table.offset = (uint32_t)offset;
	return lower_emit(l, &t, sizeof(t));
}

int lower_lstm(struct lowering *l, const struct tflite_operator *op)
{
	const struct tflite_model *m = l->m;
	const struct tflite_lstm_options *o = &op->options.lstm;
	const uint8_t *wi[4], *wr[4], *bias[4];
	float in_s = 0.0f, h_s = 0.0f, c_s = 0.0f, wi_s[4], wr_s[4];
	struct aiot_isa_op_lstm v;
	struct lstm_shape s;
	int32_t c_zp = 0;
	uint32_t scratch = 0;
	int log2_c;
	int rc;

	if (op->input_count != LSTM_INPUT_COUNT || op->output_count != 1)
		return lower_fail(l, "has %u inputs and %u outputs; TFLite Micro's kernel takes "
				  "the 24-input layout and one output", op->input_count,
				  op->output_count);
	if (o->activation != TFLITE_ACT_TANH)
		return lower_fail(l, "the cell gate's activation is %s; TFLite Micro's integer "
				  "kernel takes TANH", o->activation <= TFLITE_ACT_SIGN_BIT ?
				  lstm_activation_names[o->activation] : "unknown");
	if (o->asymmetric_quantize_inputs)
		return lower_fail(l, "asymmetric_quantize_inputs (a hybrid LSTM with float "
				  "activations) is not supported");
	if (o->diagonal_recurrent_tensors)
		return lower_fail(l, "diagonal_recurrent_tensors is not supported (TFLite Micro's "
				  "kernel takes full recurrent matrices)");
	if (o->cell_clip < 0.0f)
		return lower_fail(l, "cell_clip %g is negative", (double)o->cell_clip);
	rc = lstm_check_layout(l, op);
	if (!rc)
		rc = lstm_shapes(l, op, &s);
	if (rc)
		return rc;

	lower_op_init(&v.hdr, sizeof(v), AIOT_ISA_OP_LSTM);
	for (int g = 0; g < 4; g++) {
		const struct tflite_tensor *bt = &m->tensors[op->inputs[LSTM_BIAS + g]];
		const struct tflite_buffer *bb;

		rc = lstm_weights(l, op, LSTM_INPUT_WEIGHTS + g, s.units, s.input_depth,
				  &wi_s[g], &wi[g]);
		if (!rc)
			rc = lstm_weights(l, op, LSTM_RECURRENT_WEIGHTS + g, s.units, s.units,
					  &wr_s[g], &wr[g]);
		if (rc)
			return rc;
		bb = tflite_tensor_data(m, (uint32_t)op->inputs[LSTM_BIAS + g]);
		if (bt->type != TFLITE_TYPE_INT32 || bt->rank != 1 ||
		    (uint32_t)bt->shape[0] != s.units || !bb || bb->size != (size_t)s.units * 4)
			return lower_fail(l, "input %d (%s) must be a constant int32 [%u]",
					  LSTM_BIAS + g, lstm_input_names[LSTM_BIAS + g], s.units);
		bias[g] = bb->data;
	}
	rc = lower_isa_tensor(l, op->inputs[LSTM_INPUT], &v.input);
	if (!rc)
		rc = lower_isa_tensor(l, op->outputs[0], &v.output);
	if (!rc)
		rc = lstm_state(l, op, LSTM_HIDDEN_STATE, &s, TFLITE_TYPE_INT8, &v.hidden_state);
	if (!rc)
		rc = lstm_state(l, op, LSTM_CELL_STATE, &s, TFLITE_TYPE_INT16, &v.cell_state);
	if (!rc)
		rc = lower_per_tensor_quant(l, op->inputs[LSTM_INPUT], &in_s, &v.input_zero_point);
	if (!rc)
		rc = lower_per_tensor_quant(l, op->inputs[LSTM_HIDDEN_STATE], &h_s,
					    &v.hidden_zero_point);
	if (!rc)
		rc = lower_per_tensor_quant(l, op->inputs[LSTM_CELL_STATE], &c_s, &c_zp);
	if (rc)
		return rc;
	v.input.dims[0] = v.output.dims[0] = 1;
	v.input.dims[1] = v.output.dims[1] = o->time_major ? s.steps : s.batches;
	v.input.dims[2] = v.output.dims[2] = o->time_major ? s.batches : s.steps;
	v.input.dims[3] = s.input_depth;
	v.output.dims[3] = s.units;

	/* CreateGateParams: each layer's float scale product over 2^-12 */
	for (int g = 0; g < 4; g++) {
		struct aiot_isa_lstm_gate_quant *q = &v.gate[g];

		rc = lstm_layer_multiplier(l, in_s, wi_s[g], LSTM_INPUT_WEIGHTS + g,
					   &q->input_multiplier, &q->input_shift);
		if (!rc)
			rc = lstm_layer_multiplier(l, h_s, wr_s[g], LSTM_RECURRENT_WEIGHTS + g,
						   &q->recurrent_multiplier, &q->recurrent_shift);
		if (rc)
			return rc;
	}
	/* CreateInterGateMulParams: products of float scales in double */
	rc = lstm_multiplier(l, (double)LSTM_GATE_OUTPUT_SCALE * (double)c_s / (double)c_s,
			     "forget x cell", &v.forget_multiplier, &v.forget_shift);
	if (!rc)
		rc = lstm_multiplier(l, (double)LSTM_GATE_OUTPUT_SCALE *
				     (double)LSTM_GATE_OUTPUT_SCALE / (double)c_s,
				     "input x cell gate", &v.input_multiplier, &v.input_shift);
	if (!rc)
		rc = lstm_multiplier(l, (double)LSTM_GATE_OUTPUT_SCALE *
				     (double)LSTM_GATE_OUTPUT_SCALE / (double)h_s,
				     "tanh(cell) x output gate", &v.hidden_multiplier,
				     &v.hidden_shift);
	if (rc)
		return rc;
	if (!quant_checked_log2(c_s, &log2_c))
		return lower_fail(l, "input 19 (cell_state) scale %g is not a power of two; "
				  "TFLite Micro's integer tanh needs one", (double)c_s);
	v.cell_scale_power = log2_c;
	if (v.cell_scale_power < AIOT_ISA_LSTM_CELL_POWER_MIN ||
	    v.cell_scale_power > AIOT_ISA_LSTM_CELL_POWER_MAX)
		return lower_fail(l, "input 19 (cell_state) scale 2^%d is outside the ISA's "
				  "2^%d..2^%d", v.cell_scale_power, AIOT_ISA_LSTM_CELL_POWER_MIN,
				  AIOT_ISA_LSTM_CELL_POWER_MAX);
	if (o->cell_clip > 0.0f) {
		double q = fmin(fmax((double)o->cell_clip / (double)c_s, -32768.0), 32767.0);

		v.cell_clip = (int16_t)q;
		if (v.cell_clip <= 0)
			return lower_fail(l, "cell_clip %g is below one step of the cell state "
					  "(%g): it would clamp the cell state to 0",
					  (double)o->cell_clip, (double)c_s);
	}
	v.time_major = o->time_major;
	v.cell_activation = AIOT_ISA_LSTM_ACT_TANH;

	rc = lstm_append_gates(l, wi, (size_t)s.units * s.input_depth, &v.input_weights);
	if (!rc)
		rc = lstm_append_gates(l, wr, (size_t)s.units * s.units, &v.recurrent_weights);
	if (!rc)
		rc = lstm_append_gates(l, bias, (size_t)s.units * 4, &v.bias);
	if (!rc)
		rc = lower_arena_extend(l, (size_t)4 * s.units * 2, &scratch);
	if (rc)
		return rc;
	v.input_weights.dtype = v.recurrent_weights.dtype = AIOT_ISA_DTYPE_INT8;
	v.input_weights.dims[0] = v.recurrent_weights.dims[0] = 4;
	v.input_weights.dims[1] = v.recurrent_weights.dims[1] = s.units;
	v.input_weights.dims[2] = v.recurrent_weights.dims[2] = 1;
	v.input_weights.dims[3] = s.input_depth;
	v.recurrent_weights.dims[3] = s.units;
	v.bias.dtype = AIOT_ISA_DTYPE_INT32;
	v.bias.dims[0] = v.bias.dims[1] = 1;
	v.bias.dims[2] = 4;
	v.bias.dims[3] = s.units;
	v.scratch = v.bias;
	v.scratch.binding = AIOT_ISA_BINDING_ARENA;
	v.scratch.offset = scratch;
	v.scratch.dtype = AIOT_ISA_DTYPE_INT16;

	l->state_size += (size_t)s.batches * s.units * 3;
	lower_need_isa(l, 7);
	if (v.hidden_zero_point) {
		rc = lstm_emit_shift(l, &v.hidden_state, v.hidden_zero_point);
		if (rc)
			return rc;
	}
	rc = lower_emit(l, &v, sizeof(v));
	if (!rc && v.hidden_zero_point)
		rc = lstm_emit_shift(l, &v.hidden_state, -v.hidden_zero_point);
	return rc;
}
