/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Lowering of a parsed TFLite model (subgraph 0) to an aiot ISA command
 * stream (include/uapi/linux/aiot_isa.h).
 *
 * Bindings, as the ISA's conventional slots:
 *   AIOT_ISA_BINDING_WEIGHTS (0): `weights` - constant tensors and the
 *	per-channel (bias, multiplier, shift) records
 *   AIOT_ISA_BINDING_INPUT   (1): graph input 0, at offset 0
 *   AIOT_ISA_BINDING_OUTPUT  (2): graph output 0, at offset 0
 *   AIOT_ISA_BINDING_ARENA   (3): intermediates, `arena_size` bytes
 *   4, 5, ... 15: the further graph inputs, then the further outputs, one
 *	slot each at offset 0 (so a caller binds each to a buffer of its
 *	own), up to AIOT_LOWER_MAX_IO inputs and outputs together.
 * An output that is also a graph input, an earlier output or a constant
 * gets its own slot all the same, filled by a copy (RESHAPE) at the end
 * of the stream; an output that later operators read stays where it is
 * and they read it from its slot.
 *
 * Variable tensors (the SVDF activation state) live in the arena for the
 * whole graph, so no other tensor shares their bytes: the arena must keep
 * its contents from one run to the next and start zeroed (a zeroed state is
 * the reset state, see struct aiot_isa_op_svdf).
 *
 * The stream declares ISA 1.0 unless it uses an ISA 1.1 addition (SVDF,
 * int16 softmax output, int16/int32 requantize output), so that models
 * without them still run on 1.0 validators.
 */
#ifndef AIOT_COMPILE_LOWER_H
#define AIOT_COMPILE_LOWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct tflite_model;

struct aiot_lowered_tensor {
	int32_t dtype;        /* enum aiot_isa_dtype */
	uint32_t dims[4];     /* NHWC */
	uint32_t bytes;
	float scale;          /* quantization, for the caller's (de)quantizing */
	int32_t zero_point;
	uint8_t binding;      /* its slot (the tensor is at offset 0 there) */
	bool dequantize;      /* an output the graph gives as float32: the host
			       * dequantizes it (its DEQUANTIZE is not lowered) */
	char name[64];        /* the model's tensor name, cut to 63 bytes */
};

/* Graph inputs and outputs together: the 16 binding slots less the
 * weights' and the arena's. */
#define AIOT_LOWER_MAX_IO	14

/*
 * A camera frame as the model's input (aiot-compile --input FMT:WxH): the
 * stream starts with FRAME_TO_TENSOR, which reads the frame from the input
 * slot and writes the graph's input (now in the arena).
 */
/* NV12M: the chroma plane's input slot (the luma's is AIOT_ISA_BINDING_INPUT). */
#define AIOT_LOWER_BINDING_CHROMA	4

struct aiot_lower_frame {
	uint32_t fourcc;      /* V4L2_PIX_FMT_* */
	uint32_t isa_format;  /* enum aiot_isa_pixel_format */
	uint32_t width, height;
	uint64_t bytes;       /* of one frame */
};

/*
 * "yuyv:640x480" (formats grey, yuyv, uyvy, nv12, rgb24, bgr24, nv12m, any case)
 * -> *frame. 0, or -EINVAL with the reason in err.
 */
int aiot_lower_parse_frame(const char *spec, struct aiot_lower_frame *frame,
			   char *err, size_t errlen);
/* "YUYV" etc. for messages; "?" if unknown. */
const char *aiot_lower_frame_name(uint32_t fourcc);

/*
 * aiot-compile --rolling-window ROWS[:HOP] (lower_window.c, docs/pipeline.md):
 * an audio front end (int16 frame of W samples -> int8 row of F features)
 * becomes a stage run once per slot of HOP samples (default 2/3 of W): the
 * blob's input is the slot, int16 [1, 1, 1, HOP]; its output the last ROWS
 * rows, newest last, int8 [1, 1, ROWS, F], kept between runs, as are the
 * frame's previous W - HOP samples (in the arena's state).
 */
struct aiot_lower_window {
	uint32_t rows;
	uint32_t hop;		/* 0: two thirds of the frame */
};

/* "49" or "49:320" -> *window. 0, or -EINVAL with the reason in err. */
int aiot_lower_parse_window(const char *spec, struct aiot_lower_window *window,
			    char *err, size_t errlen);

struct aiot_lowered_model {
	uint8_t *stream;      /* struct aiot_isa_header + operations */
	size_t stream_size;
	uint32_t op_count;
	uint8_t *weights;
	size_t weights_size;
	size_t arena_size;
	size_t state_size;    /* bytes of the arena that persist between runs (SVDF) */
	uint32_t isa_version; /* AIOT_ISA_VERSION() the stream declares */
	/* The graph's inputs and outputs, in the model's order; input and
	 * output are the first of each (the only ones with a frame or a
	 * rolling window). */
	unsigned int input_count, output_count;
	union {
		struct aiot_lowered_tensor input;
		struct aiot_lowered_tensor inputs[AIOT_LOWER_MAX_IO];
	};
	union {
		struct aiot_lowered_tensor output;
		struct aiot_lowered_tensor outputs[AIOT_LOWER_MAX_IO];
	};
	/* With a frame: input is the frame (dims [1, H, W, 1], bytes of the
	 * frame; NV12M: of its luma plane, the chroma plane being a second
	 * input of half that in AIOT_LOWER_BINDING_CHROMA), graph_input the
	 * model's own input it is converted to. */
	uint32_t input_pixel_format;  /* V4L2 fourcc, 0 without a frame */
	struct aiot_lowered_tensor graph_input;
};

/*
 * Lower every operator of subgraph 0. An operator without an ISA
 * equivalent is reported by index and name ("operator 1 (SVDF): not
 * supported by the aiot ISA") with -EOPNOTSUPP; inconsistent shapes or
 * quantization are -EINVAL. The model must outlive nothing: the result
 * owns its memory.
 */
int aiot_lower_model(const struct tflite_model *model, struct aiot_lowered_model **out,
		     char *err, size_t errlen);
/* The same, with a camera frame as the input when frame is not NULL. */
int aiot_lower_model_frame(const struct tflite_model *model,
			   const struct aiot_lower_frame *frame,
			   struct aiot_lowered_model **out, char *err, size_t errlen);
/* Either or both of frame and window may be NULL; not both set. */
int aiot_lower_model_opts(const struct tflite_model *model,
			  const struct aiot_lower_frame *frame,
			  const struct aiot_lower_window *window,
			  struct aiot_lowered_model **out, char *err, size_t errlen);
void aiot_lowered_model_free(struct aiot_lowered_model *lowered);

#ifdef __cplusplus
}
#endif

#endif /* AIOT_COMPILE_LOWER_H */
