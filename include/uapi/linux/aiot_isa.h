/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note OR MIT */
/*
 * aiot NPU instruction set: a command stream of int8 tensor operations.
 *
 * A stream is a struct aiot_isa_header followed by header.op_count
 * operation records. Every record starts with a struct aiot_isa_op_header
 * whose size is exactly the size of the descriptor for its opcode.
 * Tensors live in buffers that the job binds to numbered slots; an
 * operation names a tensor by slot, byte offset, element type and NHWC
 * shape. All fields are little-endian. Every reserved field and every
 * padding byte must be zero. See docs/isa.md for the semantics.
 *
 * Compatibility: opcodes, dtypes and flags are append-only. A descriptor
 * never changes size or layout within a major version; new behaviour gets
 * a new opcode or a flag bit, and older validators reject what they do not
 * know.
 */
#ifndef _UAPI_LINUX_AIOT_ISA_H
#define _UAPI_LINUX_AIOT_ISA_H

#include <linux/types.h>

/* "AIOT" read as a little-endian u32 */
#define AIOT_ISA_MAGIC			0x544f4941u
#define AIOT_ISA_VERSION_MAJOR		1
#define AIOT_ISA_VERSION_MINOR		9
#define AIOT_ISA_VERSION(major, minor)	(((major) << 16) | (minor))
#define AIOT_ISA_VERSION_CURRENT \
	AIOT_ISA_VERSION(AIOT_ISA_VERSION_MAJOR, AIOT_ISA_VERSION_MINOR)

/*
 * Limits every implementation accepts; larger streams are rejected.
 * AIOT_ISA_MAX_BINDINGS is the one definition of the binding slots of a
 * job: DRM_AIOT_MAX_BINDINGS of <drm/aiot_accel.h> equals it.
 */
#define AIOT_ISA_MAX_BINDINGS		16
#define AIOT_ISA_MAX_OPS		8192
#define AIOT_ISA_MAX_STREAM_BYTES	(1024 * 1024)
#define AIOT_ISA_MAX_TENSOR_BYTES	(1024 * 1024 * 1024)
#define AIOT_ISA_MAX_DIM		65535
#define AIOT_ISA_DIMS			4
#define AIOT_ISA_MAX_POOL_WINDOW	(8 * 1024 * 1024)
/* int16 AVERAGE_POOL_2D (ISA 1.8): its int32 sum and rounding stay exact */
#define AIOT_ISA_MAX_POOL_WINDOW_S16	65535

/* Conventional binding slots; any slot below AIOT_ISA_MAX_BINDINGS works. */
#define AIOT_ISA_BINDING_WEIGHTS	0
#define AIOT_ISA_BINDING_INPUT		1
#define AIOT_ISA_BINDING_OUTPUT		2
#define AIOT_ISA_BINDING_ARENA		3

/* Operation codes: append only, never renumber. */
enum aiot_isa_opcode {
	AIOT_ISA_OP_NOP			= 0,
	AIOT_ISA_OP_FULLY_CONNECTED	= 1,
	AIOT_ISA_OP_CONV_2D		= 2,
	AIOT_ISA_OP_DEPTHWISE_CONV_2D	= 3,
	AIOT_ISA_OP_AVERAGE_POOL_2D	= 4,
	AIOT_ISA_OP_MAX_POOL_2D		= 5,
	AIOT_ISA_OP_ADD			= 6,
	AIOT_ISA_OP_RESHAPE		= 7,
	AIOT_ISA_OP_SOFTMAX		= 8,
	AIOT_ISA_OP_REQUANTIZE		= 9,
	AIOT_ISA_OP_SENSOR_TO_INT8	= 10,
	AIOT_ISA_OP_SVDF		= 11,	/* ISA 1.1 */
	AIOT_ISA_OP_PAD			= 12,	/* ISA 1.2 */
	AIOT_ISA_OP_TRANSPOSE		= 13,	/* ISA 1.2 */
	AIOT_ISA_OP_INSERT		= 14,	/* ISA 1.2 */
	AIOT_ISA_OP_MEAN		= 15,	/* ISA 1.2 */
	AIOT_ISA_OP_SUB			= 16,	/* ISA 1.3 */
	AIOT_ISA_OP_MUL			= 17,	/* ISA 1.3 */
	AIOT_ISA_OP_MAXIMUM		= 18,	/* ISA 1.3 */
	AIOT_ISA_OP_MINIMUM		= 19,	/* ISA 1.3 */
	AIOT_ISA_OP_LEAKY_RELU		= 20,	/* ISA 1.3 */
	AIOT_ISA_OP_TABLE		= 21,	/* ISA 1.3 */
	AIOT_ISA_OP_RESIZE		= 22,	/* ISA 1.4 */
	AIOT_ISA_OP_FRAME_TO_TENSOR	= 23,	/* ISA 1.4 */
	/* 24..29: unassigned (refused) */
	AIOT_ISA_OP_SIGNAL_WINDOW	= 30,	/* ISA 1.4, audio front end */
	AIOT_ISA_OP_SIGNAL_FFT_AUTO_SCALE = 31,	/* ISA 1.4 */
	AIOT_ISA_OP_SIGNAL_RFFT		= 32,	/* ISA 1.4 */
	AIOT_ISA_OP_SIGNAL_ENERGY	= 33,	/* ISA 1.4 */
	AIOT_ISA_OP_SIGNAL_FILTER_BANK	= 34,	/* ISA 1.4 */
	AIOT_ISA_OP_SIGNAL_FILTER_BANK_SQRT = 35, /* ISA 1.4 */
	AIOT_ISA_OP_SIGNAL_SPECTRAL_SUBTRACTION = 36, /* ISA 1.4 */
	AIOT_ISA_OP_SIGNAL_PCAN		= 37,	/* ISA 1.4 */
	AIOT_ISA_OP_SIGNAL_FILTER_BANK_LOG = 38, /* ISA 1.4 */
	AIOT_ISA_OP_CAST		= 39,	/* ISA 1.4 */
	AIOT_ISA_OP_STRIDED_SLICE	= 40,	/* ISA 1.4 */
	AIOT_ISA_OP_ADD_INT32		= 41,	/* ISA 1.4 */
	AIOT_ISA_OP_MUL_INT32		= 42,	/* ISA 1.4 */
	AIOT_ISA_OP_DIV_INT32		= 43,	/* ISA 1.4 */
	AIOT_ISA_OP_MINIMUM_INT32	= 44,	/* ISA 1.4 */
	AIOT_ISA_OP_MAXIMUM_INT32	= 45,	/* ISA 1.4 */
	AIOT_ISA_OP_SLICE		= 46,	/* ISA 1.5 */
	AIOT_ISA_OP_TRANSPOSE_CONV	= 47,	/* ISA 1.6 */
	AIOT_ISA_OP_REDUCE		= 48,	/* ISA 1.6 */
	AIOT_ISA_OP_LSTM		= 49,	/* ISA 1.7 */
	AIOT_ISA_OP_CONV_2D_S16		= 50,	/* ISA 1.6, int16x8 */
	AIOT_ISA_OP_DEPTHWISE_CONV_2D_S16 = 51,	/* ISA 1.6, int16x8 */
	AIOT_ISA_OP_FULLY_CONNECTED_S16	= 52,	/* ISA 1.6, int16x8 */
	AIOT_ISA_OP_ADD_S16		= 53,	/* ISA 1.6, int16 */
	AIOT_ISA_OP_TRANSPOSE_CONV_S16	= 54,	/* ISA 1.9, int16x8 */
	AIOT_ISA_OP_SOFTMAX_S16		= 55,	/* ISA 1.9, int16 */
	AIOT_ISA_OP_SIGMOID_S16		= 56,	/* ISA 1.9, int16 */
};

/* Element types: append only. */
enum aiot_isa_dtype {
	AIOT_ISA_DTYPE_INVALID	= 0,
	AIOT_ISA_DTYPE_INT8	= 1,
	AIOT_ISA_DTYPE_INT16	= 2,
	AIOT_ISA_DTYPE_INT32	= 3,
};

/*
 * Bytes of one element of a type (&enum aiot_isa_dtype); 0 for a type the
 * ISA does not have. The one definition the validator, the executor's users
 * and the library share.
 */
static __inline__ __u32 aiot_isa_dtype_bytes(__u32 dtype)
{
	switch (dtype) {
	case AIOT_ISA_DTYPE_INT8:
		return 1;
	case AIOT_ISA_DTYPE_INT16:
		return 2;
	case AIOT_ISA_DTYPE_INT32:
		return 4;
	default:
		return 0;
	}
}

/**
 * struct aiot_isa_header - start of every command stream
 * @magic: AIOT_ISA_MAGIC
 * @version: AIOT_ISA_VERSION(major, minor); the major must match, the minor
 *	must not be newer than the validator's
 * @size: total bytes of the stream, this header included
 * @op_count: number of operation records after the header
 * @flags: none defined, must be 0
 * @reserved: must be 0
 */
struct aiot_isa_header {
	__u32 magic;
	__u32 version;
	__u32 size;
	__u32 op_count;
	__u32 flags;
	__u32 reserved[3];
};

/**
 * struct aiot_isa_op_header - start of every operation record
 * @opcode: enum aiot_isa_opcode
 * @flags: none defined, must be 0
 * @size: bytes of the whole record, this header included; must equal the
 *	size of the opcode's descriptor
 */
struct aiot_isa_op_header {
	__u16 opcode;
	__u16 flags;
	__u32 size;
};

/**
 * struct aiot_isa_tensor - a dense NHWC tensor inside a bound buffer
 * @offset: byte offset of element [0,0,0,0] in the buffer; a multiple of
 *	the element size
 * @binding: binding slot of the buffer
 * @dtype: enum aiot_isa_dtype
 * @reserved: must be 0
 * @dims: N, H, W, C; each in 1..AIOT_ISA_MAX_DIM
 *
 * The whole tensor (product of @dims times element size, at most
 * AIOT_ISA_MAX_TENSOR_BYTES) must lie inside the buffer.
 */
struct aiot_isa_tensor {
	__u32 offset;
	__u8 binding;
	__u8 dtype;
	__u16 reserved;
	__u32 dims[AIOT_ISA_DIMS];
};

/**
 * struct aiot_isa_channel_quant - requantization of one output channel
 * @bias: added to the int32 accumulator before requantization
 * @multiplier: Q31 fixed-point multiplier, 0..INT32_MAX (a negative value
 *	is treated as 0)
 * @shift: power-of-two exponent applied with the multiplier; positive
 *	shifts left; values outside -31..30 are clamped to that range
 *
 * An array of these lives in a bound buffer (usually the weights) and is
 * read at execution time, so it is never trusted: the clamping above makes
 * every bit pattern well defined.
 */
struct aiot_isa_channel_quant {
	__s32 bias;
	__s32 multiplier;
	__s32 shift;
};

/**
 * struct aiot_isa_array_ref - an array of fixed-size records in a buffer
 * @offset: byte offset, a multiple of 4
 * @binding: binding slot
 * @reserved: must be 0
 *
 * The element count is implied by the operation (e.g. output channels).
 */
struct aiot_isa_array_ref {
	__u32 offset;
	__u8 binding;
	__u8 reserved[3];
};

/**
 * struct aiot_isa_activation - fused activation as an output clamp
 * @min: lowest output value (e.g. the quantized 0 for RELU)
 * @max: highest output value; min <= max, both within the output type
 */
struct aiot_isa_activation {
	__s32 min;
	__s32 max;
};

/**
 * struct aiot_isa_op_nop - does nothing (null jobs, benchmarks)
 * @hdr: opcode AIOT_ISA_OP_NOP
 */
struct aiot_isa_op_nop {
	struct aiot_isa_op_header hdr;
};

/**
 * struct aiot_isa_op_fully_connected - output = input x filter^T
 * @hdr: opcode AIOT_ISA_OP_FULLY_CONNECTED
 * @input: int8 [B, 1, 1, D]
 * @filter: int8 [O, 1, 1, D]
 * @output: int8 [B, 1, 1, O]
 * @quant: O records of struct aiot_isa_channel_quant
 * @input_zero_point: -128..127
 * @filter_zero_point: -128..127 (0 for symmetric weights)
 * @output_zero_point: -128..127
 * @act: output clamp
 * @reserved: must be 0
 */
struct aiot_isa_op_fully_connected {
	struct aiot_isa_op_header hdr;
	struct aiot_isa_tensor input;
	struct aiot_isa_tensor filter;
	struct aiot_isa_tensor output;
	struct aiot_isa_array_ref quant;
	__s32 input_zero_point;
	__s32 filter_zero_point;
	__s32 output_zero_point;
	struct aiot_isa_activation act;
	__u32 reserved;
};

/**
 * struct aiot_isa_op_conv - CONV_2D and DEPTHWISE_CONV_2D
 * @hdr: opcode AIOT_ISA_OP_CONV_2D or AIOT_ISA_OP_DEPTHWISE_CONV_2D
 * @input: int8 [N, H, W, Cin]
 * @filter: int8; CONV_2D: [Cout, KH, KW, Cin];
 *	DEPTHWISE_CONV_2D: [1, KH, KW, Cout] with Cout = Cin * depth_multiplier
 * @output: int8 [N, OH, OW, Cout]
 * @quant: Cout records of struct aiot_isa_channel_quant
 * @input_zero_point: -128..127 (weights are symmetric: zero point 0)
 * @output_zero_point: -128..127
 * @act: output clamp
 * @stride_h: 1..AIOT_ISA_MAX_DIM
 * @stride_w: 1..AIOT_ISA_MAX_DIM
 * @dilation_h: 1..AIOT_ISA_MAX_DIM
 * @dilation_w: 1..AIOT_ISA_MAX_DIM
 * @pad_top: rows of implicit zero point above the input
 * @pad_left: columns of implicit zero point left of the input
 * @depth_multiplier: DEPTHWISE_CONV_2D: >= 1; CONV_2D: must be 0
 */
struct aiot_isa_op_conv {
	struct aiot_isa_op_header hdr;
	struct aiot_isa_tensor input;
	struct aiot_isa_tensor filter;
	struct aiot_isa_tensor output;
	struct aiot_isa_array_ref quant;
	__s32 input_zero_point;
	__s32 output_zero_point;
	struct aiot_isa_activation act;
	__u16 stride_h;
	__u16 stride_w;
	__u16 dilation_h;
	__u16 dilation_w;
	__u16 pad_top;
	__u16 pad_left;
	__u32 depth_multiplier;
};

/**
 * struct aiot_isa_op_pool - AVERAGE_POOL_2D and MAX_POOL_2D
 * @hdr: opcode AIOT_ISA_OP_AVERAGE_POOL_2D or AIOT_ISA_OP_MAX_POOL_2D
 * @input: int8 [N, H, W, C]
 * @output: int8 [N, OH, OW, C], same quantization as the input
 * @act: output clamp
 * @filter_h: window rows, >= 1
 * @filter_w: window columns, >= 1
 * @stride_h: >= 1
 * @stride_w: >= 1
 * @pad_top: window rows above the input (skipped, not counted)
 * @pad_left: window columns left of the input (skipped, not counted)
 * @reserved: must be 0
 *
 * Every window must overlap the input in at least one element, and
 * filter_h * filter_w must not exceed AIOT_ISA_MAX_POOL_WINDOW.
 */
struct aiot_isa_op_pool {
	struct aiot_isa_op_header hdr;
	struct aiot_isa_tensor input;
	struct aiot_isa_tensor output;
	struct aiot_isa_activation act;
	__u16 filter_h;
	__u16 filter_w;
	__u16 stride_h;
	__u16 stride_w;
	__u16 pad_top;
	__u16 pad_left;
	__u32 reserved;
};

/**
 * struct aiot_isa_op_add - elementwise sum with 4-D broadcasting
 * @hdr: opcode AIOT_ISA_OP_ADD
 * @input1: int8; each dim equals the output's or is 1
 * @input2: int8; each dim equals the output's or is 1
 * @output: int8
 * @input1_zero_point: -128..127
 * @input2_zero_point: -128..127
 * @output_zero_point: -128..127
 * @left_shift: 0..23, applied to both inputs first (TFLite uses 20)
 * @input1_multiplier: 0..INT32_MAX
 * @input1_shift: -31..30
 * @input2_multiplier: 0..INT32_MAX
 * @input2_shift: -31..30
 * @output_multiplier: 0..INT32_MAX
 * @output_shift: -31..30
 * @act: output clamp
 */
struct aiot_isa_op_add {
	struct aiot_isa_op_header hdr;
	struct aiot_isa_tensor input1;
	struct aiot_isa_tensor input2;
	struct aiot_isa_tensor output;
	__s32 input1_zero_point;
	__s32 input2_zero_point;
	__s32 output_zero_point;
	__s32 left_shift;
	__s32 input1_multiplier;
	__s32 input1_shift;
	__s32 input2_multiplier;
	__s32 input2_shift;
	__s32 output_multiplier;
	__s32 output_shift;
	struct aiot_isa_activation act;
};

/**
 * struct aiot_isa_op_reshape - copy the bytes of a tensor under a new shape
 * @hdr: opcode AIOT_ISA_OP_RESHAPE
 * @input: any dtype
 * @output: same dtype and element count; may be exactly @input (a no-op)
 */
struct aiot_isa_op_reshape {
	struct aiot_isa_op_header hdr;
	struct aiot_isa_tensor input;
	struct aiot_isa_tensor output;
};

/**
 * struct aiot_isa_op_softmax - softmax over the innermost (C) dimension
 * @hdr: opcode AIOT_ISA_OP_SOFTMAX
 * @input: int8
 * @output: int8, same shape; scale 1/256, zero point -128
 * @input_multiplier: beta * input scale as a Q31 multiplier, 0..INT32_MAX
 * @input_left_shift: 0..31, its exponent
 * @diff_min: <= 0; differences from the row maximum below it give 0
 *	probability (output -128)
 * @reserved: must be 0
 */
struct aiot_isa_op_softmax {
	struct aiot_isa_op_header hdr;
	struct aiot_isa_tensor input;
	struct aiot_isa_tensor output;
	__s32 input_multiplier;
	__s32 input_left_shift;
	__s32 diff_min;
	__u32 reserved;
};

/**
 * struct aiot_isa_op_requantize - REQUANTIZE and SENSOR_TO_INT8
 * @hdr: opcode AIOT_ISA_OP_REQUANTIZE (int8 input) or
 *	AIOT_ISA_OP_SENSOR_TO_INT8 (int16 input, e.g. raw sensor samples)
 * @input: int8 or int16 as the opcode says
 * @output: int8, same shape as @input
 * @input_zero_point: within the input type's range
 * @output_zero_point: -128..127
 * @multiplier: input scale / output scale as a Q31 multiplier,
 *	0..INT32_MAX
 * @shift: -31..30, its exponent
 * @act: output clamp (-128..127 for a plain conversion)
 */
struct aiot_isa_op_requantize {
	struct aiot_isa_op_header hdr;
	struct aiot_isa_tensor input;
	struct aiot_isa_tensor output;
	__s32 input_zero_point;
	__s32 output_zero_point;
	__s32 multiplier;
	__s32 shift;
	struct aiot_isa_activation act;
};

/*
 * ISA 1.1 additions. A stream that uses any of them declares minor version
 * 1, so that a 1.0 validator rejects it as a whole instead of failing on
 * the first unknown record.
 *
 * Wider outputs (the output tensor's dtype selects them; a 1.0 validator
 * rejects these dtypes):
 * - SOFTMAX may write an int16 output: scale 1/65536, zero point -32768
 *   (TFLite's int8 -> int16 softmax).
 * - REQUANTIZE and SENSOR_TO_INT8 may write an int16 or int32 output;
 *   output_zero_point and act then lie within the output type's range
 *   (TFLite's QUANTIZE int16 -> int32, for instance).
 */

/**
 * struct aiot_isa_op_svdf - TFLite's SVDF (rank-R time filter), int8
 * @hdr: opcode AIOT_ISA_OP_SVDF
 * @input: int8 [B, 1, 1, I]
 * @weights_feature: int8 [F, 1, 1, I], symmetric (zero point 0)
 * @weights_time: int8 or int16 [F, 1, 1, M], symmetric
 * @state: the activation state, same dtype as @weights_time, [B, 1, F, M];
 *	read and written: it persists from one run to the next. It is stored
 *	relative to @state_zero_point (byte = q - zero point, wrapping), so
 *	that an all-zero buffer is the reset state (every value the real 0).
 *	Whoever allocates the buffer zeroes it; zeroing it again resets the
 *	filter's memory.
 * @output: int8 [B, 1, 1, U] with U = F / @rank
 * @bias: U records of __s32, added to each unit's sum (write zeros for
 *	none)
 * @input_zero_point: -128..127
 * @state_zero_point: within the state dtype's range; 0 for int16
 * @output_zero_point: -128..127
 * @feature_multiplier: input scale * feature scale / state scale, Q31,
 *	0..INT32_MAX
 * @feature_shift: -31..30, its exponent
 * @time_multiplier: state scale * time scale / output scale, Q31,
 *	0..INT32_MAX
 * @time_shift: -31..30, its exponent
 * @rank: R >= 1, dividing F
 * @act: output clamp (int8)
 * @reserved: must be 0 (pads the record to a multiple of 8 bytes)
 *
 * Per run: the state (all B*F*M elements, flat) moves one element towards
 * index 0; for every batch b and filter f, element [b][f][M-1] becomes
 * clamp(MBQM(sum_i wf[f][i] * (in[b][i] - input_zp), feature) +
 * state_zp, state type); then for every unit u,
 * out[b][u] = clamp(MBQM(bias[u] + sum over the R filters f of u (f =
 * u*R .. u*R+R-1) of sum_m wt[f][m] * (state[b][f][m] - state_zp), time) +
 * output_zp, act). @state may not overlap any other tensor.
 */
struct aiot_isa_op_svdf {
	struct aiot_isa_op_header hdr;
	struct aiot_isa_tensor input;
	struct aiot_isa_tensor weights_feature;
	struct aiot_isa_tensor weights_time;
	struct aiot_isa_tensor state;
	struct aiot_isa_tensor output;
	struct aiot_isa_array_ref bias;
	__s32 input_zero_point;
	__s32 state_zero_point;
	__s32 output_zero_point;
	__s32 feature_multiplier;
	__s32 feature_shift;
	__s32 time_multiplier;
	__s32 time_shift;
	__u32 rank;
	struct aiot_isa_activation act;
	__u32 reserved[2];
};

/*
 * ISA 1.2 additions: the data movement and reduction of mainstream CNNs.
 * A stream that uses one of these operations must declare minor version 2
 * or later; the validator rejects them (-EOPNOTSUPP) in a stream that
 * declares an older minor, and a 1.1 validator rejects the whole stream.
 */

/**
 * struct aiot_isa_op_pad - copy a tensor into a larger one, filling the rest
 * @hdr: opcode AIOT_ISA_OP_PAD
 * @input: any dtype
 * @output: same dtype; output.dims[i] >= before[i] + input.dims[i]
 * @before: elements of padding before the input on each axis (N, H, W, C)
 * @value: the padding element, within the dtype's range (TFLite's PAD pads
 *	with the output zero point, PADV2 with its constant)
 * @reserved: must be 0
 *
 * out[p] = in[p - before] where that lies inside the input, else @value.
 * Input and output may not overlap.
 */
struct aiot_isa_op_pad {
	struct aiot_isa_op_header hdr;
	struct aiot_isa_tensor input;
	struct aiot_isa_tensor output;
	__u32 before[AIOT_ISA_DIMS];
	__s32 value;
	__u32 reserved;
};

/**
 * struct aiot_isa_op_transpose - permute the axes of a tensor
 * @hdr: opcode AIOT_ISA_OP_TRANSPOSE
 * @input: any dtype
 * @output: same dtype, output.dims[i] == input.dims[perm[i]]
 * @perm: a permutation of 0..3: output axis i is input axis perm[i]
 * @reserved: must be 0
 *
 * Input and output may not overlap.
 */
struct aiot_isa_op_transpose {
	struct aiot_isa_op_header hdr;
	struct aiot_isa_tensor input;
	struct aiot_isa_tensor output;
	__u8 perm[AIOT_ISA_DIMS];
	__u32 reserved;
};

/**
 * struct aiot_isa_op_insert - copy a tensor into a window of a larger one
 * @hdr: opcode AIOT_ISA_OP_INSERT
 * @input: any dtype
 * @output: same dtype; output.dims[i] >= offset[i] + input.dims[i]
 * @offset: where element [0,0,0,0] of the input goes in the output
 * @reserved: must be 0
 *
 * out[offset + p] = in[p]; the rest of the output is left as it is (one
 * INSERT per input makes TFLite's CONCATENATION). Input and output may not
 * overlap.
 */
struct aiot_isa_op_insert {
	struct aiot_isa_op_header hdr;
	struct aiot_isa_tensor input;
	struct aiot_isa_tensor output;
	__u32 offset[AIOT_ISA_DIMS];
	__u32 reserved[2];
};

/**
 * struct aiot_isa_op_mean - int8 mean over H and W (global average)
 * @hdr: opcode AIOT_ISA_OP_MEAN
 * @input: int8 [N, H, W, C], H * W <= AIOT_ISA_MAX_POOL_WINDOW
 * @output: int8 [N, 1, 1, C]
 * @input_zero_point: -128..127
 * @output_zero_point: -128..127
 * @multiplier: input scale / output scale as a Q31 multiplier, >= 0
 * @shift: -31..30, its exponent
 * @act: output clamp
 * @reserved: must be 0
 *
 * TFLite's reference_integer_ops::Mean: acc = sum over H, W of
 * (in - input_zp); acc = MBQM(acc, multiplier, shift); then divided by
 * n = H * W rounding half away from zero ((acc + n/2) / n for acc > 0,
 * else (acc - n/2) / n); out = clamp(acc + output_zp, act).
 */
struct aiot_isa_op_mean {
	struct aiot_isa_op_header hdr;
	struct aiot_isa_tensor input;
	struct aiot_isa_tensor output;
	__s32 input_zero_point;
	__s32 output_zero_point;
	__s32 multiplier;
	__s32 shift;
	struct aiot_isa_activation act;
	__u32 reserved[2];
};

/*
 * ISA 1.3 additions: elementwise arithmetic and activations. A stream that
 * uses one of these operations must declare minor version 3 or later.
 *
 * SUB, MUL, MAXIMUM and MINIMUM use the descriptor of ADD,
 * struct aiot_isa_op_add, with the same broadcasting (each input dim equals
 * the output's or is 1) and the same in-place rule:
 * - SUB: as ADD with the scaled second input subtracted (TFLite's int8 SUB);
 * - MUL: out = clamp(MBQM((x1 - zp1) * (x2 - zp2), output_multiplier,
 *   output_shift) + output_zp, act); left_shift and the input multipliers
 *   and shifts must be 0;
 * - MAXIMUM / MINIMUM: out = clamp(max (min) of the raw int8 values, act),
 *   as TFLite compares the stored values; every zero point, multiplier,
 *   shift and left_shift must be 0.
 */

/**
 * struct aiot_isa_op_leaky_relu - TFLite's int8 LEAKY_RELU
 * @hdr: opcode AIOT_ISA_OP_LEAKY_RELU
 * @input: int8
 * @output: int8, same shape; may be exactly @input (in place)
 * @input_zero_point: -128..127
 * @output_zero_point: -128..127
 * @identity_multiplier: input scale / output scale, Q31, >= 0
 * @identity_shift: -31..30, its exponent
 * @alpha_multiplier: input scale * alpha / output scale, Q31, >= 0
 * @alpha_shift: -31..30, its exponent
 * @act: output clamp (-128..127 for TFLite's LEAKY_RELU)
 *
 * x = in - input_zp; out = clamp(MBQM(x, x >= 0 ? identity : alpha) +
 * output_zp, act).
 */
struct aiot_isa_op_leaky_relu {
	struct aiot_isa_op_header hdr;
	struct aiot_isa_tensor input;
	struct aiot_isa_tensor output;
	__s32 input_zero_point;
	__s32 output_zero_point;
	__s32 identity_multiplier;
	__s32 identity_shift;
	__s32 alpha_multiplier;
	__s32 alpha_shift;
	struct aiot_isa_activation act;
};

/* Entries of the table of AIOT_ISA_OP_TABLE: one per int8 value. */
#define AIOT_ISA_TABLE_ENTRIES		256

/**
 * struct aiot_isa_op_table - int8 -> int8 through a 256-entry table
 * @hdr: opcode AIOT_ISA_OP_TABLE
 * @input: int8
 * @output: int8, same shape; may be exactly @input (in place)
 * @table: AIOT_ISA_TABLE_ENTRIES int8 values in a bound buffer (usually
 *	the weights): out = table[in + 128]
 * @reserved: must be 0
 *
 * The compiler fills the table with the integer arithmetic of TFLite's
 * LOGISTIC, TANH or HARD_SWISH for every int8 input (docs/isa.md).
 */
struct aiot_isa_op_table {
	struct aiot_isa_op_header hdr;
	struct aiot_isa_tensor input;
	struct aiot_isa_tensor output;
	struct aiot_isa_array_ref table;
	__u32 reserved[2];
};

/*
 * ISA 1.4 additions: image preprocessing (resize, crop, pixel-format
 * conversion, quantisation) so that a camera frame goes to the NPU as it
 * is. A stream that uses one of these operations must declare minor
 * version 4 or later. Exact integer semantics: docs/isa.md.
 */

/* Interpolation of AIOT_ISA_OP_RESIZE and AIOT_ISA_OP_FRAME_TO_TENSOR. */
enum aiot_isa_resize_mode {
	AIOT_ISA_RESIZE_NEAREST		= 1,	/* TFLite RESIZE_NEAREST_NEIGHBOR */
	AIOT_ISA_RESIZE_BILINEAR	= 2,	/* TFLite RESIZE_BILINEAR, int8 */
};

/* Resize flags: TFLite's options of the same names. */
#define AIOT_ISA_RESIZE_ALIGN_CORNERS		(1u << 0)
#define AIOT_ISA_RESIZE_HALF_PIXEL_CENTERS	(1u << 1)
/* AIOT_ISA_OP_FRAME_TO_TENSOR only: channels in B, G, R order */
#define AIOT_ISA_FRAME_BGR			(1u << 2)
#define AIOT_ISA_RESIZE_FLAGS \
	(AIOT_ISA_RESIZE_ALIGN_CORNERS | AIOT_ISA_RESIZE_HALF_PIXEL_CENTERS)
#define AIOT_ISA_FRAME_FLAGS	(AIOT_ISA_RESIZE_FLAGS | AIOT_ISA_FRAME_BGR)

/**
 * struct aiot_isa_window - a rectangle of an image
 * @y: first row
 * @x: first column
 * @height: rows, >= 1
 * @width: columns, >= 1
 */
struct aiot_isa_window {
	__u32 y;
	__u32 x;
	__u32 height;
	__u32 width;
};

/**
 * struct aiot_isa_op_resize - crop and resize an int8 NHWC tensor
 * @hdr: opcode AIOT_ISA_OP_RESIZE
 * @input: int8 [N, H, W, C]
 * @output: int8 [N, OH, OW, C], same quantisation as the input; may not
 *	overlap the input
 * @crop: the window of every input image that is resized, inside [H, W]
 *	(the whole image for TFLite's RESIZE_*)
 * @mode: enum aiot_isa_resize_mode
 * @flags: AIOT_ISA_RESIZE_* (HALF_PIXEL_CENTERS and ALIGN_CORNERS are
 *	exclusive for BILINEAR, as in TFLite)
 * @reserved: must be 0
 */
struct aiot_isa_op_resize {
	struct aiot_isa_op_header hdr;
	struct aiot_isa_tensor input;
	struct aiot_isa_tensor output;
	struct aiot_isa_window crop;
	__u32 mode;
	__u32 flags;
	__u32 reserved[2];
};

/* Pixel formats of a frame (the V4L2 formats of the same names). */
enum aiot_isa_pixel_format {
	AIOT_ISA_PIX_GREY	= 1,	/* 8-bit luma, full range */
	AIOT_ISA_PIX_YUYV	= 2,	/* 4:2:2 Y0 Cb Y1 Cr, BT.601 limited */
	AIOT_ISA_PIX_UYVY	= 3,	/* 4:2:2 Cb Y0 Cr Y1, BT.601 limited */
	AIOT_ISA_PIX_NV12	= 4,	/* Y plane, then Cb Cr 4:2:0 plane */
	AIOT_ISA_PIX_RGB24	= 5,	/* R G B, full range */
	AIOT_ISA_PIX_BGR24	= 6,	/* B G R, full range */
	/* ISA 1.6: NV12 with its chroma plane in another buffer (binding1) */
	AIOT_ISA_PIX_NV12M	= 7,
};

/**
 * struct aiot_isa_frame - an image in a camera's pixel format
 * @offset: byte offset of each plane in its buffer (plane 1: NV12's and
 *	NV12M's chroma, otherwise must be 0)
 * @stride: bytes per row of each plane (plane 1: NV12 and NV12M only,
 *	else 0)
 * @width: pixels per row, 1..AIOT_ISA_MAX_DIM; even for YUYV, UYVY, NV12,
 *	NV12M
 * @height: rows, 1..AIOT_ISA_MAX_DIM; even for NV12, NV12M
 * @binding: binding slot of the buffer holding plane 0 (and every other
 *	plane but NV12M's chroma)
 * @format: enum aiot_isa_pixel_format
 * @binding1: ISA 1.6, NV12M only: binding slot of the buffer holding
 *	plane 1 (may equal @binding); must be 0 for any other format (this
 *	byte was the low half of a reserved field before ISA 1.6)
 * @reserved: must be 0
 *
 * A plane of R rows of B bytes (B = width * bytes per pixel; NV12, NV12M:
 * height rows of width bytes, then height / 2 rows of width bytes) needs
 * stride >= B and stride * (R - 1) + B bytes from its offset inside its
 * buffer.
 */
struct aiot_isa_frame {
	__u32 offset[2];
	__u32 stride[2];
	__u32 width;
	__u32 height;
	__u8 binding;
	__u8 format;
	__u8 binding1;
	__u8 reserved;
};

/**
 * struct aiot_isa_op_frame_to_tensor - camera frame to a model's int8 input
 * @hdr: opcode AIOT_ISA_OP_FRAME_TO_TENSOR
 * @frame: the source image
 * @crop: the window of the frame that is used, inside the frame
 * @output: int8 [1, OH, OW, C], C 1 (luma) or 3 (R, G, B or with
 *	AIOT_ISA_FRAME_BGR B, G, R); may not overlap the frame
 * @mode: enum aiot_isa_resize_mode, window -> OH x OW
 * @flags: AIOT_ISA_FRAME_FLAGS
 * @multiplier: pixel scale / input scale as a Q31 multiplier, >= 0
 * @shift: -31..30, its exponent
 * @output_zero_point: -128..127
 * @act: output clamp, within -128..127
 * @reserved: must be 0
 *
 * Each output element: the pixel (or the four of bilinear) converted to
 * the output's channels as 0..255 values, interpolated as TFLite's
 * integer resize does, then out = clamp(MBQM(v, multiplier, shift) +
 * output_zero_point, act). The frame is read once, nothing else is
 * written.
 */
struct aiot_isa_op_frame_to_tensor {
	struct aiot_isa_op_header hdr;
	struct aiot_isa_frame frame;
	struct aiot_isa_window crop;
	struct aiot_isa_tensor output;
	__u32 mode;
	__u32 flags;
	__s32 multiplier;
	__s32 shift;
	__s32 output_zero_point;
	struct aiot_isa_activation act;
	__u32 reserved;
};

/*
 * ISA 1.4 additions, the audio front end (TFLite Micro's signal library,
 * integer only): opcodes 30..45. A stream that uses one of them must
 * declare minor version 4 or later.
 *
 * The signal library's unsigned tensors are stored as INT32 tensors and
 * read as u32; a u64 tensor (the filter bank's output) is an INT32 tensor
 * whose innermost dim is 2: [.., C, 2], each element the low then the high
 * word. Tables the kernels index (window, twiddles, gain and log tables)
 * are data in bound buffers, read at run time and never trusted: every
 * index computed from them is bounds-checked, and any bytes give a defined
 * result. State that lives across runs (spectral subtraction's noise
 * estimate) is a tensor in a buffer bound to the job, never kept in the
 * executor; an all-zero state is the reset state.
 */

/**
 * struct aiot_isa_op_signal_window - SignalWindow: out = sat16((in * w) >> shift)
 * @hdr: opcode AIOT_ISA_OP_SIGNAL_WINDOW
 * @input: int16; its element count is a multiple of @weights' count
 * @weights: int16 window coefficients, applied to every row of that length
 * @output: int16, same dims as @input; may be exactly @input
 * @shift: 0..31, arithmetic right shift of the 32-bit product
 * @reserved: must be 0
 */
struct aiot_isa_op_signal_window {
	struct aiot_isa_op_header hdr;
	struct aiot_isa_tensor input;
	struct aiot_isa_tensor weights;
	struct aiot_isa_tensor output;
	__s32 shift;
	__u32 reserved;
};

/**
 * struct aiot_isa_op_signal_fft_auto_scale - SignalFftAutoScale
 * @hdr: opcode AIOT_ISA_OP_SIGNAL_FFT_AUTO_SCALE
 * @input: int16
 * @output: int16, same dims; may be exactly @input
 * @scale: int32 [1,1,1,1]: the shift applied (read by FILTER_BANK_SQRT)
 *
 * max = TFLM's MaxAbs16 (int16 arithmetic: -32768 stays -32768);
 * shift = 15 - bits(max as u32) clamped at 0 (bits(0) = 32);
 * out = (s16)(in * 2^shift).
 */
struct aiot_isa_op_signal_fft_auto_scale {
	struct aiot_isa_op_header hdr;
	struct aiot_isa_tensor input;
	struct aiot_isa_tensor output;
	struct aiot_isa_tensor scale;
};

/**
 * struct aiot_isa_op_signal_rfft - SignalRfft, int16 (fixed-point KISS FFT)
 * @hdr: opcode AIOT_ISA_OP_SIGNAL_RFFT
 * @input: int16 [N, H, W, L], rows of L <= @fft_length samples (zero padded)
 * @output: int16 [N, H, W, @fft_length + 2]: @fft_length / 2 + 1 complex
 *	values (real, imaginary) per row
 * @scratch: int16 with at least 2 * @fft_length elements, overwritten
 * @twiddles: 3 * @fft_length / 2 int16 in a bound buffer: the @fft_length/2
 *	twiddles of the complex FFT, then the @fft_length/4 super twiddles of
 *	the real FFT, each (cos, sin) as KISS FFT rounds them
 * @fft_length: a power of two, 4..4096
 * @reserved: must be 0
 */
struct aiot_isa_op_signal_rfft {
	struct aiot_isa_op_header hdr;
	struct aiot_isa_tensor input;
	struct aiot_isa_tensor output;
	struct aiot_isa_tensor scratch;
	struct aiot_isa_array_ref twiddles;
	__u32 fft_length;
	__u32 reserved;
};

/**
 * struct aiot_isa_op_signal_energy - SignalEnergy: |X[k]|^2 as u32
 * @hdr: opcode AIOT_ISA_OP_SIGNAL_ENERGY
 * @input: int16 [.., 2K] complex (real, imaginary)
 * @output: int32 (u32) [.., K] with the same leading dims
 * @start_index: first bin written
 * @end_index: one past the last bin written, start <= end <= K; the other
 *	bins of the output are left as they are
 */
struct aiot_isa_op_signal_energy {
	struct aiot_isa_op_header hdr;
	struct aiot_isa_tensor input;
	struct aiot_isa_tensor output;
	__u32 start_index;
	__u32 end_index;
};

/**
 * struct aiot_isa_op_signal_filter_bank - SignalFilterBank (mel bank)
 * @hdr: opcode AIOT_ISA_OP_SIGNAL_FILTER_BANK
 * @input: int32 (u32) [1,1,1,F] spectrum energies
 * @output: int32 [1,1,C,2]: C u64 channel energies
 * @weights: int16 [.., W]
 * @unweights: int16, as many as @weights
 * @channel_frequency_starts: int16, C + 1 elements
 * @channel_weight_starts: int16, C + 1 elements
 * @channel_widths: int16, C + 1 elements
 *
 * TFLM's FilterbankAccumulateChannels with channel 0 discarded. A term
 * whose frequency or weight index falls outside @input or @weights is
 * skipped (the tables are data).
 */
struct aiot_isa_op_signal_filter_bank {
	struct aiot_isa_op_header hdr;
	struct aiot_isa_tensor input;
	struct aiot_isa_tensor output;
	struct aiot_isa_tensor weights;
	struct aiot_isa_tensor unweights;
	struct aiot_isa_tensor channel_frequency_starts;
	struct aiot_isa_tensor channel_weight_starts;
	struct aiot_isa_tensor channel_widths;
};

/**
 * struct aiot_isa_op_signal_filter_bank_sqrt - SignalFilterBankSquareRoot
 * @hdr: opcode AIOT_ISA_OP_SIGNAL_FILTER_BANK_SQRT
 * @input: int32 [.., C, 2]: C u64 values
 * @scale: int32 [1,1,1,1], the shift (FFT_AUTO_SCALE's); read at run time,
 *	a value outside 0..31 gives 0 (negative: no shift)
 * @output: int32 (u32) [1,1,1,C]: Sqrt64(in) >> scale
 */
struct aiot_isa_op_signal_filter_bank_sqrt {
	struct aiot_isa_op_header hdr;
	struct aiot_isa_tensor input;
	struct aiot_isa_tensor scale;
	struct aiot_isa_tensor output;
};

/**
 * struct aiot_isa_op_signal_spectral_subtraction - noise estimate and floor
 * @hdr: opcode AIOT_ISA_OP_SIGNAL_SPECTRAL_SUBTRACTION
 * @input: int32 (u32) [.., C]
 * @output: int32 (u32), same dims
 * @noise_estimate: int32 (u32), same dims: a copy of @state after the run
 * @state: int32 (u32), same dims: the noise estimate, read and written,
 *	persisting between runs (all zero = reset); overlaps no other operand
 * @smoothing: even channels' coefficient
 * @one_minus_smoothing: even channels'
 * @alternate_smoothing: odd channels' coefficient
 * @alternate_one_minus_smoothing: odd channels'
 * @min_signal_remaining: floor coefficient
 * @smoothing_bits: 0..31
 * @spectral_subtraction_bits: 0..63
 * @clamping: 0 or 1
 */
struct aiot_isa_op_signal_spectral_subtraction {
	struct aiot_isa_op_header hdr;
	struct aiot_isa_tensor input;
	struct aiot_isa_tensor output;
	struct aiot_isa_tensor noise_estimate;
	struct aiot_isa_tensor state;
	__u32 smoothing;
	__u32 one_minus_smoothing;
	__u32 alternate_smoothing;
	__u32 alternate_one_minus_smoothing;
	__u32 min_signal_remaining;
	__u32 smoothing_bits;
	__u32 spectral_subtraction_bits;
	__u32 clamping;
};

/* Gain table entries SignalPCAN can index. */
#define AIOT_ISA_PCAN_LUT_ENTRIES	125
/* Log table entries SignalFilterBankLog can index (128 segments + 1). */
#define AIOT_ISA_LOG_LUT_ENTRIES	129

/**
 * struct aiot_isa_op_signal_pcan - SignalPCAN (per-channel gain control)
 * @hdr: opcode AIOT_ISA_OP_SIGNAL_PCAN
 * @input: int32 (u32) [.., C]
 * @noise_estimate: int32 (u32), same dims
 * @gain_lut: int16 with at least AIOT_ISA_PCAN_LUT_ENTRIES elements
 * @output: int32 (u32), same dims; may be exactly @input
 * @snr_shift: 0..63
 * @reserved: must be 0
 */
struct aiot_isa_op_signal_pcan {
	struct aiot_isa_op_header hdr;
	struct aiot_isa_tensor input;
	struct aiot_isa_tensor noise_estimate;
	struct aiot_isa_tensor gain_lut;
	struct aiot_isa_tensor output;
	__u32 snr_shift;
	__u32 reserved;
};

/**
 * struct aiot_isa_op_signal_filter_bank_log - SignalFilterBankLog
 * @hdr: opcode AIOT_ISA_OP_SIGNAL_FILTER_BANK_LOG
 * @input: int32 (u32) [.., C]
 * @log_lut: int16 (read as u16) with at least AIOT_ISA_LOG_LUT_ENTRIES
 *	elements: the signal library's log2 correction table
 * @output: int16, same dims
 * @output_scale: multiplier of the natural log (u32 arithmetic)
 * @input_correction_bits: 0..31
 */
struct aiot_isa_op_signal_filter_bank_log {
	struct aiot_isa_op_header hdr;
	struct aiot_isa_tensor input;
	struct aiot_isa_tensor log_lut;
	struct aiot_isa_tensor output;
	__u32 output_scale;
	__u32 input_correction_bits;
};

/**
 * struct aiot_isa_op_cast - element type conversion
 * @hdr: opcode AIOT_ISA_OP_CAST
 * @input: any dtype
 * @output: any dtype, same dims: the value sign-extended or truncated
 *	(modulo 2^bits) to the output type, as a C cast does
 */
struct aiot_isa_op_cast {
	struct aiot_isa_op_header hdr;
	struct aiot_isa_tensor input;
	struct aiot_isa_tensor output;
};

/**
 * struct aiot_isa_op_strided_slice - out[p] = in[begin + p * stride]
 * @hdr: opcode AIOT_ISA_OP_STRIDED_SLICE
 * @input: any dtype
 * @output: same dtype; on every axis begin + (out - 1) * stride < in
 * @begin: first element per axis
 * @stride: step per axis, >= 1
 */
struct aiot_isa_op_strided_slice {
	struct aiot_isa_op_header hdr;
	struct aiot_isa_tensor input;
	struct aiot_isa_tensor output;
	__u32 begin[AIOT_ISA_DIMS];
	__u32 stride[AIOT_ISA_DIMS];
};

/**
 * struct aiot_isa_op_binary_int32 - int32 ADD, MUL, DIV, MINIMUM, MAXIMUM
 * @hdr: opcode AIOT_ISA_OP_ADD_INT32 .. AIOT_ISA_OP_MAXIMUM_INT32
 * @input1: int32; each dim equals the output's or is 1 (broadcast)
 * @input2: int32; likewise
 * @output: int32; may be exactly an input of the same dims
 * @act: output clamp, min <= max
 *
 * Sums and products wrap modulo 2^32; DIV truncates toward zero, x / 0
 * gives 0 and INT32_MIN / -1 gives INT32_MIN.
 */
struct aiot_isa_op_binary_int32 {
	struct aiot_isa_op_header hdr;
	struct aiot_isa_tensor input1;
	struct aiot_isa_tensor input2;
	struct aiot_isa_tensor output;
	struct aiot_isa_activation act;
};

/*
 * ISA 1.5 additions (opcodes 46..): more of the operator set of mainstream
 * edge models. A stream that uses one of them must declare minor version 5
 * or later. Opcodes after the last one here stay unassigned (refused).
 */

/**
 * struct aiot_isa_op_slice - out[p] = in[begin + p * stride], any stride sign
 * @hdr: opcode AIOT_ISA_OP_SLICE
 * @input: any dtype
 * @output: same dtype; may not overlap @input
 * @begin: first element per axis, < the input's dim
 * @stride: step per axis, non-zero; negative walks the axis backwards. On
 *	every axis begin + (out - 1) * stride lies in 0 .. in - 1.
 *
 * AIOT_ISA_OP_STRIDED_SLICE with signed strides: TFLite's SLICE,
 * STRIDED_SLICE (masks and negative indices resolved by the compiler) and
 * SPLIT / SPLIT_V (one slice per output).
 */
struct aiot_isa_op_slice {
	struct aiot_isa_op_header hdr;
	struct aiot_isa_tensor input;
	struct aiot_isa_tensor output;
	__u32 begin[AIOT_ISA_DIMS];
	__s32 stride[AIOT_ISA_DIMS];
};

/*
 * ISA 1.6 additions (opcodes 47..48): TRANSPOSE_CONV and SUM / MEAN over any
 * set of axes. A stream that uses one of them must declare minor version 6
 * or later.
 */

/**
 * struct aiot_isa_op_transpose_conv - int8 transposed convolution
 * @hdr: opcode AIOT_ISA_OP_TRANSPOSE_CONV
 * @input: int8 [N, H, W, Cin]
 * @filter: int8 [Cout, KH, KW, Cin], symmetric (zero point 0)
 * @output: int8 [N, OH, OW, Cout]; overlaps none of the other operands
 * @quant: Cout records of struct aiot_isa_channel_quant
 * @input_zero_point: -128..127
 * @output_zero_point: -128..127
 * @act: output clamp
 * @stride_h: 1..AIOT_ISA_MAX_DIM
 * @stride_w: 1..AIOT_ISA_MAX_DIM
 * @pad_top: output rows cut off above (TFLite's padding_values.height)
 * @pad_left: output columns cut off on the left
 * @reserved: must be 0
 *
 * TFLite's reference_integer_ops::TransposeConv: every input element
 * (n, y, x, ic) adds (in - input_zp) * filter[oc][ky][kx][ic] to output
 * (n, y * stride_h - pad_top + ky, x * stride_w - pad_left + kx, oc) when
 * that lies inside the output. Sums wrap at 32 bits like the reference's
 * int32 scratch buffer; then bias, MBQM, output_zp and the clamp as in
 * CONV_2D.
 */
struct aiot_isa_op_transpose_conv {
	struct aiot_isa_op_header hdr;
	struct aiot_isa_tensor input;
	struct aiot_isa_tensor filter;
	struct aiot_isa_tensor output;
	struct aiot_isa_array_ref quant;
	__s32 input_zero_point;
	__s32 output_zero_point;
	struct aiot_isa_activation act;
	__u16 stride_h;
	__u16 stride_w;
	__u16 pad_top;
	__u16 pad_left;
	__u32 reserved[2];
};

/* How AIOT_ISA_OP_REDUCE turns the sum of its input into the output. */
enum aiot_isa_reduce_mode {
	/*
	 * clamp(MBQM(sum - n * input_zp) + output_zp): SUM, and MEAN with
	 * 1 / n folded into the multiplier by the compiler
	 */
	AIOT_ISA_REDUCE_REQUANTIZE	= 0,
	/*
	 * sum / n truncated toward zero, no zero points (TFLite's MEAN when
	 * input and output quantization are equal)
	 */
	AIOT_ISA_REDUCE_MEAN_TRUNC	= 1,
};

/* Largest count of reduced elements per output (keeps the sums exact). */
#define AIOT_ISA_REDUCE_MAX_INT8	(1u << 23)
#define AIOT_ISA_REDUCE_MAX_INT16	(1u << 15)

/**
 * struct aiot_isa_op_reduce - SUM or MEAN over any set of axes
 * @hdr: opcode AIOT_ISA_OP_REDUCE
 * @input: int8 or int16 [N, H, W, C]
 * @output: the input's dtype; its dims equal the input's except on the
 *	reduced axes, where they are 1; may not overlap the input
 * @axes: bit i set: axis i is reduced; bits 4..31 must be 0. The product
 *	n of the reduced dims is at most AIOT_ISA_REDUCE_MAX_INT8 (int8) or
 *	AIOT_ISA_REDUCE_MAX_INT16 (int16); n = 1 with no axis.
 * @mode: enum aiot_isa_reduce_mode
 * @input_zero_point: within the input type (0 in MEAN_TRUNC mode)
 * @output_zero_point: within the output type (0 in MEAN_TRUNC mode)
 * @multiplier: Q31, >= 0 (0 in MEAN_TRUNC mode)
 * @shift: -31..30 (0 in MEAN_TRUNC mode)
 * @act: output clamp within the output type
 * @reserved: must be 0
 *
 * TFLite's reference_ops::QuantizedMeanOrSum (integer form) and, for
 * MEAN_TRUNC, reference_ops::Mean.
 */
struct aiot_isa_op_reduce {
	struct aiot_isa_op_header hdr;
	struct aiot_isa_tensor input;
	struct aiot_isa_tensor output;
	__u32 axes;
	__u32 mode;
	__s32 input_zero_point;
	__s32 output_zero_point;
	__s32 multiplier;
	__s32 shift;
	struct aiot_isa_activation act;
	__u32 reserved[2];
};

/*
 * ISA 1.6 int16x8 additions (opcodes 50..53): int16 activations with
 * int8 weights and int64 biases, TensorFlow Lite's 16x8 quantization. The
 * operations reuse the int8 operations' descriptors; the opcode says that
 * the activations are int16 and, for the weighted layers, that the
 * per-channel records are struct aiot_isa_channel_quant64. A stream that
 * uses one of them must declare minor version 6 or later.
 *
 * AIOT_ISA_OP_CONV_2D_S16, AIOT_ISA_OP_DEPTHWISE_CONV_2D_S16: struct
 * aiot_isa_op_conv with int16 @input and @output, int8 @filter, @quant
 * pointing at Cout struct aiot_isa_channel_quant64 records (offset a
 * multiple of 8), both zero points 0 and @act within -32768..32767.
 *
 * AIOT_ISA_OP_FULLY_CONNECTED_S16: struct aiot_isa_op_fully_connected
 * likewise; @input_zero_point and @output_zero_point 0, @filter_zero_point
 * -128..127.
 *
 * AIOT_ISA_OP_ADD_S16: struct aiot_isa_op_add with int16 tensors, all
 * three zero points 0, @left_shift 0..15 (TFLite uses 15), the
 * multipliers and shifts as for ADD, @act within -32768..32767.
 */

/**
 * struct aiot_isa_channel_quant64 - requantization of one int16x8 channel
 * @bias: added to the 64-bit accumulator before requantization
 * @multiplier: Q31 fixed-point multiplier, 0..INT32_MAX (a negative value
 *	is treated as 0)
 * @shift: power-of-two exponent; values outside -31..7 are clamped to it
 *
 * Read at execution time and never trusted, like struct
 * aiot_isa_channel_quant: every bit pattern is well defined (docs/isa.md).
 */
struct aiot_isa_channel_quant64 {
	__s64 bias;
	__s32 multiplier;
	__s32 shift;
};

/*
 * ISA 1.7 addition (opcode 49): UNIDIRECTIONAL_SEQUENCE_LSTM, int8 with the
 * int16 cell state and int16 gate arithmetic of TensorFlow Lite Micro's
 * integer LSTM. A stream that uses it must declare minor version 7 or later.
 */

/* The four gates, in TFLite's order; index of the per-gate arrays below. */
enum aiot_isa_lstm_gate {
	AIOT_ISA_LSTM_GATE_INPUT	= 0,
	AIOT_ISA_LSTM_GATE_FORGET	= 1,
	AIOT_ISA_LSTM_GATE_CELL		= 2,
	AIOT_ISA_LSTM_GATE_OUTPUT	= 3,
	AIOT_ISA_LSTM_GATES		= 4,
};

/* The cell gate's nonlinearity (TFLite's fused activation of the op). */
enum aiot_isa_lstm_activation {
	AIOT_ISA_LSTM_ACT_TANH		= 0,
	AIOT_ISA_LSTM_ACT_SIGMOID	= 1,
};

/* Smallest and largest log2 of the cell state's scale. */
#define AIOT_ISA_LSTM_CELL_POWER_MIN	(-31)
#define AIOT_ISA_LSTM_CELL_POWER_MAX	2

/**
 * struct aiot_isa_lstm_gate_quant - requantization of one gate's two
 *	fully connected layers to the gates' Q3.12 int16 domain
 * @input_multiplier: Q31, >= 0: input scale x weight scale / 2^-12
 * @input_shift: -31..30
 * @recurrent_multiplier: Q31, >= 0: hidden scale x weight scale / 2^-12
 * @recurrent_shift: -31..30
 */
struct aiot_isa_lstm_gate_quant {
	__s32 input_multiplier;
	__s32 input_shift;
	__s32 recurrent_multiplier;
	__s32 recurrent_shift;
};

/**
 * struct aiot_isa_op_lstm - int8 UNIDIRECTIONAL_SEQUENCE_LSTM
 * @hdr: opcode AIOT_ISA_OP_LSTM
 * @input: int8 [1, T, B, I] (@time_major 1) or [1, B, T, I] (0)
 * @output: int8 [1, T, B, H] or [1, B, T, H], the input's layout
 * @input_weights: int8 [4, H, 1, I], symmetric: gate g's [H, I] matrix
 *	at index g of enum aiot_isa_lstm_gate
 * @recurrent_weights: int8 [4, H, 1, H], symmetric, the same way
 * @bias: int32 [1, 1, 4, H]: gate g's H biases at row g
 * @hidden_state: int8 [1, 1, B, H], read and written: the state carried
 *	from one run to the next (quantized like @output)
 * @cell_state: int16 [1, 1, B, H], read and written, scale 2^@cell_scale_power
 * @scratch: int16 [1, 1, 4, H], overwritten
 * @gate: per gate, the requantization of its two fully connected layers
 * @input_zero_point: -128..127
 * @hidden_zero_point: -128..127, of @hidden_state and @output
 * @forget_multiplier: forget gate x cell state -> cell state (2^-15), >= 0
 * @forget_shift: -31..30
 * @input_multiplier: input gate x cell gate -> cell state
 *	(2^-30 / cell scale), >= 0
 * @input_shift: -31..30
 * @hidden_multiplier: tanh(cell) x output gate -> hidden state
 *	(2^-30 / hidden scale), >= 0
 * @hidden_shift: -31..30
 * @cell_scale_power: log2 of the cell state's scale,
 *	AIOT_ISA_LSTM_CELL_POWER_MIN..AIOT_ISA_LSTM_CELL_POWER_MAX
 * @cell_clip: 0 (none) or 1..32767: the cell state is clamped to
 *	[-cell_clip, cell_clip]
 * @time_major: 1: @input is [T, B, I]; 0: [B, T, I]
 * @cell_activation: enum aiot_isa_lstm_activation
 * @reserved: must be 0
 *
 * No peepholes, projection or layer normalisation (TFLite Micro's integer
 * kernel has none); no overlap between any written operand and any other
 * operand. docs/isa.md gives the arithmetic.
 */
struct aiot_isa_op_lstm {
	struct aiot_isa_op_header hdr;
	struct aiot_isa_tensor input;
	struct aiot_isa_tensor output;
	struct aiot_isa_tensor input_weights;
	struct aiot_isa_tensor recurrent_weights;
	struct aiot_isa_tensor bias;
	struct aiot_isa_tensor hidden_state;
	struct aiot_isa_tensor cell_state;
	struct aiot_isa_tensor scratch;
	struct aiot_isa_lstm_gate_quant gate[AIOT_ISA_LSTM_GATES];
	__s32 input_zero_point;
	__s32 hidden_zero_point;
	__s32 forget_multiplier;
	__s32 forget_shift;
	__s32 input_multiplier;
	__s32 input_shift;
	__s32 hidden_multiplier;
	__s32 hidden_shift;
	__s32 cell_scale_power;
	__s32 cell_clip;
	__u32 time_major;
	__u32 cell_activation;
	__u32 reserved[2];
};

/*
 * ISA 1.8: int16 elements for operations that had int8 only, as in
 * TensorFlow Lite Micro's int16 kernels. No new opcode or descriptor: a
 * stream whose operation below has int16 tensors must declare minor
 * version 8 or later, and every tensor of the operation is then int16.
 * - AVERAGE_POOL_2D, MAX_POOL_2D: the int8 arithmetic on int16 values;
 *   an average pool's filter_h * filter_w is at most
 *   AIOT_ISA_MAX_POOL_WINDOW_S16.
 * - SUB, MUL, MAXIMUM, MINIMUM: the int8 arithmetic with zero points
 *   within int16; SUB's left_shift is at most 15 (TFLite's int16 SUB uses
 *   15), MUL's input zero points are 0 (so its product fits 31 bits).
 * - LEAKY_RELU: the int8 arithmetic, zero points within int16.
 * - RESIZE: both modes, the int8 arithmetic on int16 values.
 * @act of each is a range within int16.
 */

/*
 * ISA 1.9 addition (opcode 54): TRANSPOSE_CONV with int16 activations and
 * int8 weights, TensorFlow Lite's 16x8 quantization. A stream that uses it
 * must declare minor version 9 or later.
 *
 * AIOT_ISA_OP_TRANSPOSE_CONV_S16: struct aiot_isa_op_transpose_conv with
 * int16 @input and @output, int8 @filter (symmetric), @quant pointing at
 * Cout struct aiot_isa_channel_quant64 records (offset a multiple of 8),
 * both zero points 0 and @act within -32768..32767; shapes, strides,
 * padding, overlaps and reserved fields as for AIOT_ISA_OP_TRANSPOSE_CONV.
 * TFLite's reference_integer_ops::TransposeConv for int16: every product
 * in * filter is summed in 64 bits (exact: at most 2^30 taps of at most
 * 2^22 each, the filter being at most AIOT_ISA_MAX_TENSOR_BYTES), then
 * the int64 bias, the 64-bit requantization and the clamp of
 * AIOT_ISA_OP_CONV_2D_S16.
 */

/*
 * ISA 1.9 addition (opcode 55): int16 SOFTMAX, TensorFlow Lite Micro's
 * SoftmaxInt16 (16x8 quantization). A stream that uses it must declare
 * minor version 9 or later.
 */

/* Entries of each of SOFTMAX_S16's two interpolated int16 tables. */
#define AIOT_ISA_SOFTMAX_S16_LUT_ENTRIES	513

/**
 * struct aiot_isa_op_softmax_s16 - int16 softmax over the innermost (C)
 *	dimension
 * @hdr: opcode AIOT_ISA_OP_SOFTMAX_S16
 * @input: int16, zero point 0
 * @output: int16, same shape, scale 1/32768, zero point 0; may be exactly
 *	@input (in place), otherwise overlaps neither @input nor a table
 * @exp_table: AIOT_ISA_SOFTMAX_S16_LUT_ENTRIES int16 values of exp(x) for
 *	x in [-10, 0], in a bound buffer (usually the weights)
 * @one_over_one_plus_x_table: AIOT_ISA_SOFTMAX_S16_LUT_ENTRIES int16
 *	values of 1 / (1 + x) for x in [0, 1], likewise
 * @input_multiplier: beta * input scale * 65535 / 10 as a Q31 multiplier,
 *	0..INT32_MAX
 * @input_shift: -31..15, its exponent (15 keeps a row's largest
 *	difference, -65535, times 2^15 inside int32)
 * @reserved: must be 0
 *
 * The compiler computes both tables (TFLite Micro's gen_lut); the
 * executor only interpolates them. Table contents are read at execution
 * time and never trusted: every bit pattern gives a defined result
 * (docs/isa.md, "ISA 1.9: SOFTMAX_S16").
 */
struct aiot_isa_op_softmax_s16 {
	struct aiot_isa_op_header hdr;
	struct aiot_isa_tensor input;
	struct aiot_isa_tensor output;
	struct aiot_isa_array_ref exp_table;
	struct aiot_isa_array_ref one_over_one_plus_x_table;
	__s32 input_multiplier;
	__s32 input_shift;
	__u32 reserved[2];
};

/*
 * ISA 1.9 addition (opcode 56): int16 LOGISTIC and TANH as TensorFlow Lite
 * Micro computes them, by interpolating a 256-entry table of the sigmoid
 * that every implementation carries (docs/isa.md). A stream that uses it
 * must declare minor version 9 or later.
 */

/* The function of AIOT_ISA_OP_SIGMOID_S16. */
enum aiot_isa_sigmoid_fn {
	AIOT_ISA_SIGMOID_LOGISTIC	= 0,
	AIOT_ISA_SIGMOID_TANH		= 1,
};

/* Largest input multiplier of AIOT_ISA_OP_SIGMOID_S16. */
#define AIOT_ISA_SIGMOID_MAX_MULTIPLIER	32767

/**
 * struct aiot_isa_op_sigmoid_s16 - int16 logistic or tanh
 * @hdr: opcode AIOT_ISA_OP_SIGMOID_S16
 * @input: int16, zero point 0
 * @output: int16, same shape, scale 2^-15 and zero point 0; may be
 *	exactly @input (in place)
 * @function: enum aiot_isa_sigmoid_fn
 * @input_multiplier: 1..AIOT_ISA_SIGMOID_MAX_MULTIPLIER
 * @input_left_shift: 0..31
 * @reserved: must be 0
 *
 * Each input x becomes v = floor((x * @input_multiplier + r) /
 * 2^@input_left_shift), r half of that power of two (0 for a shift of 0):
 * the input in units of 1 / (3 * 2^12), whose magnitude indexes the
 * table. TensorFlow Lite's Prepare()
 * derives the pair from the input scale; its power-of-two case is the
 * pair (3 << shift, 0).
 */
struct aiot_isa_op_sigmoid_s16 {
	struct aiot_isa_op_header hdr;
	struct aiot_isa_tensor input;
	struct aiot_isa_tensor output;
	__u32 function;
	__s32 input_multiplier;
	__s32 input_left_shift;
	__u32 reserved;
};

#endif /* _UAPI_LINUX_AIOT_ISA_H */
