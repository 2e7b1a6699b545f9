/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared by the lowering pass's files (tools/compile/lower*.c): lower.c
 * (the model: operators in order), lower_io.c (its inputs and outputs),
 * lower_operand.c
 * (the output buffers, tensors, quantization and activations of an
 * operation), lower_ops.c (one operator each), lower_svdf.c (SVDF).
 */
#ifndef AIOT_COMPILE_LOWER_INTERNAL_H
#define AIOT_COMPILE_LOWER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/aiot_isa.h>

#include "lower.h"
#include "tflite.h"

#define WEIGHTS_ALIGNMENT 16
#define ARENA_ALIGNMENT 16
/* TFLite's int8 ADD scales both inputs up by 2^20 before adding. */
#define ADD_LEFT_SHIFT 20
/* TFLite's int16 ADD and SUB scale both inputs up by 2^15 instead. */
#define ADD_S16_LEFT_SHIFT 15

struct lowering {
	const struct tflite_model *m;
	size_t *arena_offsets;      /* per tensor, PLAN_UNPLACED if not there */
	size_t *weight_offsets;     /* per tensor, SIZE_MAX until copied */
	uint8_t *stream, *weights;
	size_t stream_size, stream_cap, weights_size, weights_cap;
	uint32_t op_count;
	uint32_t isa_minor;         /* newest ISA 1.x addition used */
	size_t state_size;
	size_t arena_size;          /* grows past the plan for op-private state/scratch */
	bool input_in_arena;        /* a frame is the input: the graph's input is in the arena */
	bool output_in_arena;       /* --rolling-window: the graph's output is in the arena */
	uint8_t *io_slot;           /* per tensor: its graph input/output slot, 0 if none */
	uint8_t output_slot[AIOT_LOWER_MAX_IO];
	bool output_copied[AIOT_LOWER_MAX_IO]; /* lives elsewhere, copied at the end */
	char msg[512];
};

/* lower.c */
/* The message into l->msg; returns -EINVAL. */
__attribute__((format(printf, 2, 3)))
int lower_fail(struct lowering *l, const char *fmt, ...);

/* The stream uses an addition of ISA 1.minor: it declares at least that. */
static inline void lower_need_isa(struct lowering *l, uint32_t minor)
{
	if (l->isa_minor < minor)
		l->isa_minor = minor;
}

/* lower_io.c: the graph's inputs and outputs, a binding slot each */
/* Check them and give each its slot; before any operator. */
int lower_io_setup(struct lowering *l);
/* The slot of a graph input/output tensor; 0 for any other tensor. */
uint8_t lower_io_binding(const struct lowering *l, int32_t index);
/* Copy each output that lives elsewhere into its slot; after the operators. */
int lower_io_epilogue(struct lowering *l);
/* res->inputs[] and res->outputs[]. */
int lower_io_describe(struct lowering *l, struct aiot_lowered_model *res);

/* lower_dequant.c: graph outputs that a DEQUANTIZE gives as float32 */
struct lower_dequant {
	struct tflite_model m;		/* what the lowering sees */
	int32_t *outputs;		/* m.outputs */
	struct tflite_operator *ops;	/* m.operators, less the folded */
	uint32_t *op_index;		/* m.operators[i] is the model's op_index[i] */
	int32_t float_output[AIOT_LOWER_MAX_IO];	/* output j's float tensor, or -1 */
	unsigned int folded;
};
/*
 * d->m: @m with each DEQUANTIZE that gives a graph output from an int8 or
 * int16 tensor (per-tensor quantization; the float tensor read by no other
 * operator) left out, that output being its input instead.
 * 0 or -ENOMEM. @m must outlive d.
 */
int lower_dequant_fold(const struct tflite_model *m, struct lower_dequant *d);
/* Mark the folded outputs of res, under their float tensors' names. */
void lower_dequant_describe(const struct lower_dequant *d, struct aiot_lowered_model *res);
void lower_dequant_free(struct lower_dequant *d);

/* lower_operand.c */
/* "int8", "float32", ...: a TFLite tensor type as messages name it. */
const char *lower_type_name(int32_t tflite_type);
int lower_grow(uint8_t **buf, size_t *cap, size_t need);
int lower_weights_append(struct lowering *l, const void *data, size_t size, size_t *offset);
int lower_emit(struct lowering *l, const void *op, size_t size);
/* bytes of op-private arena (state or scratch) past the plan and all so far */
int lower_arena_extend(struct lowering *l, size_t bytes, uint32_t *offset);
int lower_isa_tensor(struct lowering *l, int32_t index, struct aiot_isa_tensor *out);
int lower_per_tensor_quant(struct lowering *l, int32_t index, float *scale, int32_t *zp);
int lower_activation(struct lowering *l, enum tflite_activation act, int32_t out_index,
		     struct aiot_isa_activation *clamp);
/* The range of an ISA dtype: int16, int32, otherwise int8. */
void lower_dtype_range(unsigned int dtype, int32_t *min, int32_t *max);
int lower_require_int8(struct lowering *l, const struct aiot_isa_tensor *t, const char *what);
int lower_require_int8_16(struct lowering *l, const struct aiot_isa_tensor *t,
			  const struct aiot_isa_tensor *like, const char *what);
int lower_channel_quant(struct lowering *l, const struct tflite_operator *op, uint32_t channels,
			bool float_product_fc, struct aiot_isa_array_ref *ref);
/*
 * Zero an operation of size bytes and fill in its header, its first
 * member (every ISA operation starts with struct aiot_isa_op_header).
 */
void lower_op_init(struct aiot_isa_op_header *hdr, size_t size, unsigned int opcode);
struct quant_padding;
/* TFLite's padding of a kh x kw window over an NHWC input, rows and columns. */
int lower_padding(struct lowering *l, enum tflite_padding padding, const uint32_t in_dims[4],
		  int32_t kh, int32_t kw, int32_t stride_h, int32_t stride_w, int32_t dilation_h,
		  int32_t dilation_w, struct quant_padding *ph, struct quant_padding *pw);

/* lower_ops.c */
int lower_fully_connected(struct lowering *l, const struct tflite_operator *op);
int lower_conv(struct lowering *l, const struct tflite_operator *op, bool depthwise);
int lower_pool(struct lowering *l, const struct tflite_operator *op, bool average);
int lower_add(struct lowering *l, const struct tflite_operator *op);
int lower_reshape(struct lowering *l, const struct tflite_operator *op);
int lower_softmax(struct lowering *l, const struct tflite_operator *op);
/* ISA 1.9: int16 SOFTMAX (lower_softmax16.c). */
int lower_softmax_s16(struct lowering *l, const struct tflite_operator *op);
int lower_quantize(struct lowering *l, const struct tflite_operator *op);

/* lower_move.c (ISA 1.2) */
int lower_pad(struct lowering *l, const struct tflite_operator *op, bool v2);
int lower_transpose(struct lowering *l, const struct tflite_operator *op);
int lower_concatenation(struct lowering *l, const struct tflite_operator *op);
int lower_mean(struct lowering *l, const struct tflite_operator *op);

/* lower_act.c (ISA 1.3; RELU, RELU6 and RELU_N1_TO_1 are REQUANTIZE) */
int lower_binary(struct lowering *l, const struct tflite_operator *op, unsigned int opcode);
int lower_relu(struct lowering *l, const struct tflite_operator *op, int activation);
int lower_leaky_relu(struct lowering *l, const struct tflite_operator *op);
int lower_table_act(struct lowering *l, const struct tflite_operator *op, int32_t builtin);

/* lower_preproc.c (ISA 1.4) */
int lower_resize(struct lowering *l, const struct tflite_operator *op);
/* lower_frame.c (ISA 1.4): FRAME_TO_TENSOR from the frame to the graph input */
int lower_frame_prologue(struct lowering *l, const struct aiot_lower_frame *frame);
/* lower_signal.c (ISA 1.4): TFLM's Signal* custom ops and the int32 forms of
 * CAST, CONCATENATION, ADD, MUL, DIV, MINIMUM, MAXIMUM.
 * Returns 1 when the operator is not one of these. */
int lower_signal_op(struct lowering *l, const struct tflite_operator *op);

/* lower_shape.c (ISA 1.4 STRIDED_SLICE / 1.5 SLICE): SLICE, STRIDED_SLICE,
 * SPLIT, SPLIT_V of any element type. Returns 1 when not one of these. */
int lower_shape_op(struct lowering *l, const struct tflite_operator *op);

/* lower_reduce.c (ISA 1.6 REDUCE): SUM, and MEAN over any axes */
int lower_reduce(struct lowering *l, const struct tflite_operator *op, bool sum);
/* The 4-D int8 MEAN over H and W with keep_dims that ISA 1.2 MEAN takes. */
bool lower_reduce_is_mean_hw(struct lowering *l, const struct tflite_operator *op);
/* lower_tconv.c: TRANSPOSE_CONV, int8 (ISA 1.6) or int16x8 (ISA 1.9) */
int lower_transpose_conv(struct lowering *l, const struct tflite_operator *op);
/* lower_s16.c (ISA 1.6): CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED and ADD
 * with int16 activations (int16x8). Returns 1 when the input is not int16. */
int lower_s16_op(struct lowering *l, const struct tflite_operator *op);
/* The int16x8 layers' quant64 records of (input, filter[, bias]) -> output,
 * appended to the weights; for TRANSPOSE_CONV_S16 too. */
int lower_s16_channel_quant(struct lowering *l, const struct tflite_operator *op,
			    uint32_t channels, bool fc, struct aiot_isa_array_ref *ref);

/* lower_window.c (--rolling-window): the slot -> frame prologue and the
 * row -> window epilogue around an audio front end. */
struct lower_window_plan {
	uint32_t frame, hop, features, rows;
	size_t tail_offset, scratch_offset;	/* in the arena */
};
/* Check the model, place the frame, the row, the tail and the scratch. */
int lower_window_setup(struct lowering *l, const struct aiot_lower_window *w,
		       struct lower_window_plan *wp);
int lower_window_prologue(struct lowering *l, const struct lower_window_plan *wp);
int lower_window_epilogue(struct lowering *l, const struct lower_window_plan *wp);

/* lower_svdf.c */
int lower_svdf(struct lowering *l, const struct tflite_operator *op);
/* lower_lstm.c (ISA 1.7): UNIDIRECTIONAL_SEQUENCE_LSTM */
int lower_lstm(struct lowering *l, const struct tflite_operator *op);

#endif /* AIOT_COMPILE_LOWER_INTERNAL_H */
