// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * aiot ISA reference executor, ISA 1.5's shape operations: SLICE, the
 * strided slice of TFLite's SLICE, STRIDED_SLICE and SPLIT (ISA 1.4's
 * STRIDED_SLICE runs here too, as its positive-stride case).
 */

#include "aiot_isa_exec.h"

static const u8 *aiot_isa_shape_ptr(const struct aiot_isa_exec *ex,
				    const struct aiot_isa_tensor *t)
{
	return (const u8 *)ex->bindings[t->binding] + t->offset;
}

/**
 * aiot_isa_exec_strided() - out[p] = in[begin + p * stride] on every axis
 * @ex: the executor
 * @in: input tensor
 * @out: output tensor, the same dtype
 * @begin: first element per axis
 * @stride: step per axis; the validator proved every index inside @in
 *
 * Return: 0 or -ECANCELED.
 */
int aiot_isa_exec_strided(struct aiot_isa_exec *ex,
			  const struct aiot_isa_tensor *in,
			  const struct aiot_isa_tensor *out, const u32 *begin,
			  const s64 *stride)
{
	const u8 *src = aiot_isa_shape_ptr(ex, in);
	u8 *dst = (u8 *)aiot_isa_shape_ptr(ex, out);
	const u32 *id = in->dims, *od = out->dims;
	size_t es = aiot_isa_dtype_bytes(in->dtype);
	s64 step[AIOT_ISA_DIMS], row;
	u32 n, h, w, c;

	/* Element strides of the input's axes times the slice's strides. */
	step[3] = stride[3];
	step[2] = stride[2] * id[3];
	step[1] = stride[1] * id[3] * id[2];
	step[0] = stride[0] * id[3] * id[2] * id[1];
	for (n = 0; n < od[0]; n++) {
		for (h = 0; h < od[1]; h++) {
			for (w = 0; w < od[2]; w++) {
				if (aiot_isa_tick(ex, od[3]))
					return -ECANCELED;
				row = (((s64)begin[0] * id[1] + begin[1]) * id[2] +
				       begin[2]) * id[3] + begin[3] +
				      n * step[0] + h * step[1] + w * step[2];
				for (c = 0; c < od[3]; c++) {
					memcpy(dst, src + (size_t)(row + c * step[3]) * es,
					       es);
					dst += es;
				}
			}
		}
	}
	return 0;
}

static int aiot_isa_exec_slice15(struct aiot_isa_exec *ex,
				 const struct aiot_isa_op_slice *op)
{
	s64 stride[AIOT_ISA_DIMS];
	int i;

	for (i = 0; i < AIOT_ISA_DIMS; i++)
		stride[i] = op->stride[i];
	return aiot_isa_exec_strided(ex, &op->input, &op->output, op->begin,
				     stride);
}

int aiot_isa_exec_shape_op(struct aiot_isa_exec *ex,
			   const union aiot_isa_op *op)
{
	switch (op->hdr.opcode) {
	case AIOT_ISA_OP_SLICE:
		return aiot_isa_exec_slice15(ex, &op->slice15);
	default:
		/* The cursor only yields known opcodes. */
		return -EOPNOTSUPP;
	}
}
