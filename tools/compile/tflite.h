/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * TensorFlow Lite flatbuffer reader (aiot-compile front half).
 *
 * The file is untrusted: tflite_model_load() checks every offset, vtable,
 * vector, string, index, shape and quantization parameter it uses and
 * fails with a negative errno and a message naming what and where, e.g.
 * "subgraph 0: operator 7 (CONV_2D): input 1: tensor index 93 out of range
 * (88 tensors)". Only subgraph 0 (the main graph) is read.
 *
 * The loaded model owns a private copy of the file; buffer data pointers
 * point into that copy, so the caller's memory may be freed after loading.
 * Buffer data is little-endian and only as aligned as the file places it
 * (the schema asks for 16): read multi-byte values with memcpy.
 */
#ifndef AIOT_COMPILE_TFLITE_H
#define AIOT_COMPILE_TFLITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Highest tensor rank accepted; TFLite kernels use at most 6. */
#define TFLITE_MAX_RANK 8

/* TensorType enum of schema.fbs. */
enum tflite_tensor_type {
	TFLITE_TYPE_FLOAT32 = 0,
	TFLITE_TYPE_FLOAT16 = 1,
	TFLITE_TYPE_INT32 = 2,
	TFLITE_TYPE_UINT8 = 3,
	TFLITE_TYPE_INT64 = 4,
	TFLITE_TYPE_STRING = 5,
	TFLITE_TYPE_BOOL = 6,
	TFLITE_TYPE_INT16 = 7,
	TFLITE_TYPE_COMPLEX64 = 8,
	TFLITE_TYPE_INT8 = 9,
	TFLITE_TYPE_FLOAT64 = 10,
	TFLITE_TYPE_COMPLEX128 = 11,
	TFLITE_TYPE_UINT64 = 12,
	TFLITE_TYPE_RESOURCE = 13,
	TFLITE_TYPE_VARIANT = 14,
	TFLITE_TYPE_UINT32 = 15,
	TFLITE_TYPE_UINT16 = 16,
	TFLITE_TYPE_INT4 = 17,
	TFLITE_TYPE_COUNT
};

enum tflite_padding {
	TFLITE_PADDING_SAME = 0,
	TFLITE_PADDING_VALID = 1,
};

/* ActivationFunctionType enum of schema.fbs. */
enum tflite_activation {
	TFLITE_ACT_NONE = 0,
	TFLITE_ACT_RELU = 1,
	TFLITE_ACT_RELU_N1_TO_1 = 2,
	TFLITE_ACT_RELU6 = 3,
	TFLITE_ACT_TANH = 4,
	TFLITE_ACT_SIGN_BIT = 5,
};

/* The BuiltinOperator codes the compiler cares about (full list by name:
 * tflite_builtin_name()). */
enum tflite_builtin {
	TFLITE_OP_ADD = 0,
	TFLITE_OP_AVERAGE_POOL_2D = 1,
	TFLITE_OP_CONCATENATION = 2,
	TFLITE_OP_CONV_2D = 3,
	TFLITE_OP_DEPTHWISE_CONV_2D = 4,
	TFLITE_OP_DEQUANTIZE = 6,
	TFLITE_OP_FULLY_CONNECTED = 9,
	TFLITE_OP_LOGISTIC = 14,
	TFLITE_OP_MAX_POOL_2D = 17,
	TFLITE_OP_MUL = 18,
	TFLITE_OP_RELU = 19,
	TFLITE_OP_RELU_N1_TO_1 = 20,
	TFLITE_OP_RELU6 = 21,
	TFLITE_OP_RESHAPE = 22,
	TFLITE_OP_RESIZE_BILINEAR = 23,
	TFLITE_OP_SOFTMAX = 25,
	TFLITE_OP_SVDF = 27,
	TFLITE_OP_TANH = 28,
	TFLITE_OP_CUSTOM = 32,
	TFLITE_OP_PAD = 34,
	TFLITE_OP_TRANSPOSE = 39,
	TFLITE_OP_MEAN = 40,
	TFLITE_OP_SUB = 41,
	TFLITE_OP_SQUEEZE = 43,
	TFLITE_OP_MAXIMUM = 55,
	TFLITE_OP_MINIMUM = 57,
	TFLITE_OP_PADV2 = 60,
	TFLITE_OP_RESIZE_NEAREST_NEIGHBOR = 97,
	TFLITE_OP_STRIDED_SLICE = 45,
	TFLITE_OP_DIV = 42,
	TFLITE_OP_CAST = 53,
	TFLITE_OP_LEAKY_RELU = 98,
	TFLITE_OP_QUANTIZE = 114,
	TFLITE_OP_HARD_SWISH = 117,
	TFLITE_OP_SPLIT = 49,
	TFLITE_OP_SLICE = 65,
	TFLITE_OP_SPLIT_V = 102,
	TFLITE_OP_TRANSPOSE_CONV = 67,
	TFLITE_OP_SUM = 74,
	TFLITE_OP_UNIDIRECTIONAL_SEQUENCE_LSTM = 44,
	/* deprecated_builtin_code holds this when the real code is >= 127 */
	TFLITE_OP_PLACEHOLDER_FOR_GREATER_OP_CODES = 127,
};

/* BuiltinOptions union member indices (0 = none) that are decoded. */
enum tflite_options_type {
	TFLITE_OPTIONS_NONE = 0,
	TFLITE_OPTIONS_CONV_2D = 1,
	TFLITE_OPTIONS_DEPTHWISE_CONV_2D = 2,
	TFLITE_OPTIONS_POOL_2D = 5,
	TFLITE_OPTIONS_SVDF = 6,
	TFLITE_OPTIONS_FULLY_CONNECTED = 8,
	TFLITE_OPTIONS_SOFTMAX = 9,
	TFLITE_OPTIONS_CONCATENATION = 10,
	TFLITE_OPTIONS_ADD = 11,
	TFLITE_OPTIONS_RESIZE_BILINEAR = 15,
	TFLITE_OPTIONS_RESHAPE = 17,
	TFLITE_OPTIONS_MUL = 21,
	TFLITE_OPTIONS_REDUCER = 27,
	TFLITE_OPTIONS_SUB = 28,
	TFLITE_OPTIONS_STRIDED_SLICE = 32,
	TFLITE_OPTIONS_DEQUANTIZE = 38,
	TFLITE_OPTIONS_MAXIMUM_MINIMUM = 39,
	TFLITE_OPTIONS_RESIZE_NEAREST_NEIGHBOR = 74,
	TFLITE_OPTIONS_LEAKY_RELU = 75,
	TFLITE_OPTIONS_QUANTIZE = 89,
	TFLITE_OPTIONS_TRANSPOSE_CONV = 49,
	TFLITE_OPTIONS_UNIDIRECTIONAL_SEQUENCE_LSTM = 71,
};

/* Affine quantization: real = scale[c] * (q - zero_point[c]). */
struct tflite_quant {
	uint32_t count;          /* 0: not quantized; 1: per tensor; else per channel */
	float *scale;            /* count entries, each finite and > 0 */
	int64_t *zero_point;     /* count entries, within the tensor type's range */
	int32_t quantized_dimension; /* < rank when count > 1 */
};

struct tflite_tensor {
	char *name;              /* never NULL ("" when absent) */
	enum tflite_tensor_type type;
	uint32_t rank;
	int32_t shape[TFLITE_MAX_RANK]; /* each >= 0 */
	uint64_t element_count;  /* product of shape (1 for a scalar) */
	uint64_t byte_size;      /* element_count * element size; 0 if the type has no fixed size */
	uint32_t buffer;         /* index into model buffers; 0 is the empty sentinel */
	bool is_variable;
	struct tflite_quant quant;
};

struct tflite_buffer {
	const uint8_t *data;     /* NULL when size == 0 */
	size_t size;
	bool external;           /* stored after the flatbuffer (Buffer.offset/size) */
};

struct tflite_opcode {
	int32_t builtin_code;    /* resolved: max(builtin_code, deprecated_builtin_code) */
	int32_t version;
	char *custom_name;       /* CUSTOM ops only, else NULL */
};

struct tflite_conv_options {        /* CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV */
	enum tflite_padding padding;
	int32_t stride_w, stride_h;     /* >= 1 */
	int32_t dilation_w, dilation_h; /* >= 1 */
	int32_t depth_multiplier;       /* DEPTHWISE_CONV_2D only, >= 0 */
	enum tflite_activation activation;
};

struct tflite_pool_options {        /* AVERAGE_POOL_2D and MAX_POOL_2D */
	enum tflite_padding padding;
	int32_t stride_w, stride_h;     /* >= 1 */
	int32_t filter_w, filter_h;     /* >= 1 */
	enum tflite_activation activation;
};

struct tflite_fc_options {
	enum tflite_activation activation;
	int32_t weights_format;         /* 0 DEFAULT, 1 SHUFFLED4x16INT8 */
	bool keep_num_dims;
};

struct tflite_add_options {         /* ADD, SUB, MUL */
	enum tflite_activation activation;
};

struct tflite_leaky_relu_options {
	float alpha;                    /* finite */
};

struct tflite_resize_options {      /* RESIZE_BILINEAR, RESIZE_NEAREST_NEIGHBOR */
	bool align_corners;
	bool half_pixel_centers;
};

struct tflite_concat_options {
	int32_t axis;                   /* may be negative: counts from the end */
	enum tflite_activation activation;
};

struct tflite_reducer_options {     /* MEAN, SUM, ... */
	bool keep_dims;
};

struct tflite_strided_slice_options {
	int32_t begin_mask, end_mask;   /* bit i: axis i's begin/end ignored */
	int32_t ellipsis_mask, new_axis_mask, shrink_axis_mask;
	bool offset;                    /* end is relative to begin */
};

struct tflite_softmax_options {
	float beta;                     /* finite */
};

struct tflite_svdf_options {
	int32_t rank;                   /* >= 1 */
	enum tflite_activation activation;
	bool asymmetric_quantize_inputs;
};

/* UNIDIRECTIONAL_SEQUENCE_LSTM; the activation is kept as stored (the
 * lowering names what it refuses). */
struct tflite_lstm_options {
	uint8_t activation;             /* the cell gate's, ActivationFunctionType */
	float cell_clip, proj_clip;     /* finite */
	bool time_major;
	bool asymmetric_quantize_inputs;
	bool diagonal_recurrent_tensors;
};

struct tflite_reshape_options {
	uint32_t new_shape_count;       /* 0 when absent: the shape input tensor decides */
	int32_t new_shape[TFLITE_MAX_RANK];
};

struct tflite_operator {
	uint32_t opcode_index;
	int32_t builtin_code;           /* copy of opcodes[opcode_index].builtin_code */
	const char *custom_name;        /* copy of opcodes[opcode_index].custom_name */
	uint32_t input_count;
	int32_t *inputs;                /* -1: optional input left out */
	uint32_t output_count;
	int32_t *outputs;               /* always a valid tensor index */
	/* CUSTOM ops: their flexbuffer options inside the model's private
	 * copy of the file (NULL, 0 when absent); bounds-checked by the reader */
	const uint8_t *custom_options;
	uint32_t custom_options_size;
	uint8_t options_type;           /* BuiltinOptions union type as stored */
	/* Decoded options of the ops listed in enum tflite_options_type; the
	 * member matching builtin_code is valid (TFLite defaults if absent). */
	union {
		struct tflite_conv_options conv;
		struct tflite_pool_options pool;
		struct tflite_fc_options fc;
		struct tflite_add_options add;
		struct tflite_softmax_options softmax;
		struct tflite_reshape_options reshape;
		struct tflite_svdf_options svdf;
		struct tflite_lstm_options lstm;
		struct tflite_concat_options concat;
		struct tflite_reducer_options reducer;
		struct tflite_leaky_relu_options leaky_relu;
		struct tflite_resize_options resize;
		struct tflite_strided_slice_options strided_slice;
	} options;
};

struct tflite_model {
	uint32_t version;               /* schema version (3) */
	char *description;              /* never NULL */
	uint32_t subgraph_count;        /* only subgraph 0 is decoded */
	char *subgraph_name;            /* never NULL */

	uint32_t opcode_count;
	struct tflite_opcode *opcodes;
	uint32_t buffer_count;
	struct tflite_buffer *buffers;
	uint32_t tensor_count;
	struct tflite_tensor *tensors;
	uint32_t operator_count;
	struct tflite_operator *operators;
	uint32_t input_count;
	int32_t *inputs;
	uint32_t output_count;
	int32_t *outputs;

	uint8_t *file;                  /* private copy of the input */
	size_t file_size;
};

/*
 * Parse and validate a .tflite file. On success *out is set and 0 returned;
 * on failure a negative errno (-EINVAL malformed, -EOPNOTSUPP a valid
 * feature this reader does not take, -ENOMEM, -EFBIG too large) is returned,
 * *out is NULL and err holds a message (err may be NULL).
 */
int tflite_model_load(const void *data, size_t size, struct tflite_model **out,
		      char *err, size_t errlen);
void tflite_model_free(struct tflite_model *model);

/* "CONV_2D", ...; "UNKNOWN" for codes outside the schema's list. */
const char *tflite_builtin_name(int32_t code);
/* "INT8", ...; "UNKNOWN" outside the enum. */
const char *tflite_type_name(int32_t type);
/* "NONE", "RELU", ... */
const char *tflite_activation_name(int32_t activation);
/* Bytes per element; 0 for STRING, RESOURCE, VARIANT, INT4 (packed). */
size_t tflite_type_size(int32_t type);

/* Constant data of a tensor (NULL when it has none). */
const struct tflite_buffer *tflite_tensor_data(const struct tflite_model *model,
					       uint32_t tensor_index);

#ifdef __cplusplus
}
#endif

#endif /* AIOT_COMPILE_TFLITE_H */
