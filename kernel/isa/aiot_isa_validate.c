// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * aiot ISA command-stream validator: the stream and its operands.
 *
 * A command stream comes from userspace and is untrusted: the validator
 * proves, before anything runs, that the stream is well formed and that
 * every byte each operation reads or writes lies inside its bound buffer.
 * All size arithmetic is overflow-checked. Operation records are copied out
 * of the stream before they are checked, so the executor acts on exactly
 * the bytes that were validated even if the stream memory changes
 * underneath.
 *
 * This file walks the stream (header, cursor, summary, bindings that share
 * memory) and checks single operands; aiot_isa_validate_ops.c checks each
 * operation's shapes and parameters.
 */

#include "aiot_isa_validate.h"

static const u32 aiot_isa_op_sizes[AIOT_ISA_NUM_OPCODES] = {
	[AIOT_ISA_OP_NOP] = sizeof(struct aiot_isa_op_nop),
	[AIOT_ISA_OP_FULLY_CONNECTED] =
		sizeof(struct aiot_isa_op_fully_connected),
	[AIOT_ISA_OP_CONV_2D] = sizeof(struct aiot_isa_op_conv),
	[AIOT_ISA_OP_DEPTHWISE_CONV_2D] = sizeof(struct aiot_isa_op_conv),
	[AIOT_ISA_OP_AVERAGE_POOL_2D] = sizeof(struct aiot_isa_op_pool),
	[AIOT_ISA_OP_MAX_POOL_2D] = sizeof(struct aiot_isa_op_pool),
	[AIOT_ISA_OP_ADD] = sizeof(struct aiot_isa_op_add),
	[AIOT_ISA_OP_RESHAPE] = sizeof(struct aiot_isa_op_reshape),
	[AIOT_ISA_OP_SOFTMAX] = sizeof(struct aiot_isa_op_softmax),
	[AIOT_ISA_OP_REQUANTIZE] = sizeof(struct aiot_isa_op_requantize),
	[AIOT_ISA_OP_SENSOR_TO_INT8] = sizeof(struct aiot_isa_op_requantize),
	[AIOT_ISA_OP_SVDF] = sizeof(struct aiot_isa_op_svdf),
	[AIOT_ISA_OP_PAD] = sizeof(struct aiot_isa_op_pad),
	[AIOT_ISA_OP_TRANSPOSE] = sizeof(struct aiot_isa_op_transpose),
	[AIOT_ISA_OP_INSERT] = sizeof(struct aiot_isa_op_insert),
	[AIOT_ISA_OP_MEAN] = sizeof(struct aiot_isa_op_mean),
	[AIOT_ISA_OP_SUB] = sizeof(struct aiot_isa_op_add),
	[AIOT_ISA_OP_MUL] = sizeof(struct aiot_isa_op_add),
	[AIOT_ISA_OP_MAXIMUM] = sizeof(struct aiot_isa_op_add),
	[AIOT_ISA_OP_MINIMUM] = sizeof(struct aiot_isa_op_add),
	[AIOT_ISA_OP_LEAKY_RELU] = sizeof(struct aiot_isa_op_leaky_relu),
	[AIOT_ISA_OP_TABLE] = sizeof(struct aiot_isa_op_table),
	[AIOT_ISA_OP_RESIZE] = sizeof(struct aiot_isa_op_resize),
	[AIOT_ISA_OP_FRAME_TO_TENSOR] =
		sizeof(struct aiot_isa_op_frame_to_tensor),
	AIOT_ISA_SIGNAL_OP_SIZES
	AIOT_ISA_15_OP_SIZES
	AIOT_ISA_16_OPS_A_SIZES
	AIOT_ISA_16_S16_OP_SIZES
	AIOT_ISA_17_LSTM_OP_SIZES
	AIOT_ISA_19_SOFTMAX_S16_OP_SIZES
	AIOT_ISA_19_SIGMOID_OP_SIZES
	AIOT_ISA_19_OP_SIZES
};

/*
 * The minor version that added each opcode. The 1.1 opcode predates this
 * check and is accepted in any 1.x stream, as it always was.
 */
static u32 aiot_isa_op_minor(u16 opcode)
{
	if (opcode >= AIOT_ISA_OP_TRANSPOSE_CONV_S16)
		return 9;
	if (opcode == AIOT_ISA_OP_LSTM)
		return 7;
	if (opcode >= AIOT_ISA_OP_TRANSPOSE_CONV)
		return 6;
	if (opcode >= AIOT_ISA_OP_SLICE)
		return 5;
	if (opcode >= AIOT_ISA_OP_RESIZE)
		return 4;
	if (opcode >= AIOT_ISA_OP_SUB)
		return 3;
	return opcode >= AIOT_ISA_OP_PAD ? 2 : 0;
}

/* Marks [offset, offset + bytes) of a binding as used. */
static int aiot_isa_check_span(const struct aiot_isa_cursor *cur, u32 binding,
			       u64 offset, u64 bytes, bool written,
			       struct aiot_isa_summary *sum,
			       struct aiot_isa_span *span)
{
	u64 end;

	if (binding >= cur->nbindings || binding >= AIOT_ISA_MAX_BINDINGS)
		return -EINVAL;
	if (check_add_overflow(offset, bytes, &end))
		return -EOVERFLOW;
	if (end > cur->binding_sizes[binding])
		return -ENOSPC;
	if (span) {
		span->binding = cur->alias ? cur->alias[binding] : binding;
		span->start = offset;
		span->end = end;
	}
	if (!sum)
		return 0;
	if (written)
		sum->bindings_written |= 1u << binding;
	else
		sum->bindings_read |= 1u << binding;
	if (end > sum->binding_extent[binding])
		sum->binding_extent[binding] = end;
	return 0;
}

int aiot_isa_check_tensor(const struct aiot_isa_cursor *cur,
			  const struct aiot_isa_tensor *t, u8 dtype,
			  bool written, struct aiot_isa_summary *sum,
			  struct aiot_isa_span *span)
{
	u32 esize = aiot_isa_dtype_bytes(t->dtype);
	u64 elems, bytes;
	int i;

	if (t->reserved)
		return -EINVAL;
	if (!esize || (dtype != AIOT_ISA_DTYPE_INVALID && t->dtype != dtype))
		return -EINVAL;
	for (i = 0; i < AIOT_ISA_DIMS; i++) {
		if (!t->dims[i])
			return -EINVAL;
		if (t->dims[i] > AIOT_ISA_MAX_DIM)
			return -E2BIG;
	}
	if (!aiot_isa_mul4(t->dims[0], t->dims[1], t->dims[2], t->dims[3],
			   &elems) ||
	    check_mul_overflow(elems, (u64)esize, &bytes))
		return -EOVERFLOW;
	if (bytes > AIOT_ISA_MAX_TENSOR_BYTES)
		return -E2BIG;
	if (t->offset % esize)
		return -EINVAL;
	return aiot_isa_check_span(cur, t->binding, t->offset, bytes, written,
				   sum, span);
}

int aiot_isa_check_array(const struct aiot_isa_cursor *cur,
			 const struct aiot_isa_array_ref *ref, u32 count,
			 u32 record_size, struct aiot_isa_summary *sum,
			 struct aiot_isa_span *span)
{
	u64 bytes;

	if (ref->reserved[0] || ref->reserved[1] || ref->reserved[2])
		return -EINVAL;
	if (ref->offset % 4)
		return -EINVAL;
	if (check_mul_overflow((u64)count, (u64)record_size, &bytes))
		return -EOVERFLOW;
	if (bytes > AIOT_ISA_MAX_TENSOR_BYTES)
		return -E2BIG;
	return aiot_isa_check_span(cur, ref->binding, ref->offset, bytes, false,
				   sum, span);
}

/* @bytes raw bytes at any offset of a binding (a frame's plane). */
int aiot_isa_check_bytes(const struct aiot_isa_cursor *cur, u32 binding,
			 u64 offset, u64 bytes, struct aiot_isa_summary *sum,
			 struct aiot_isa_span *span)
{
	return aiot_isa_check_span(cur, binding, offset, bytes, false, sum,
				   span);
}

static bool aiot_isa_spans_overlap(const struct aiot_isa_span *a,
				   const struct aiot_isa_span *b)
{
	return a->binding == b->binding && a->start < b->end &&
	       b->start < a->end;
}

static bool aiot_isa_spans_equal(const struct aiot_isa_span *a,
				 const struct aiot_isa_span *b)
{
	return a->binding == b->binding && a->start == b->start &&
	       a->end == b->end;
}

/*
 * An output may not overlap an input, except that elementwise operations
 * may work in place on exactly the same bytes.
 */
int aiot_isa_check_alias(const struct aiot_isa_span *out,
			 const struct aiot_isa_span *in, bool in_place_ok)
{
	if (!aiot_isa_spans_overlap(out, in))
		return 0;
	if (in_place_ok && aiot_isa_spans_equal(out, in))
		return 0;
	return -EINVAL;
}

/* The value range of a dtype, for zero points and clamps. */
static void aiot_isa_dtype_range(u8 dtype, s32 *lo, s32 *hi)
{
	switch (dtype) {
	case AIOT_ISA_DTYPE_INT16:
		*lo = AIOT_ISA_S16_MIN;
		*hi = AIOT_ISA_S16_MAX;
		break;
	case AIOT_ISA_DTYPE_INT32:
		*lo = -0x7fffffff - 1;
		*hi = 0x7fffffff;
		break;
	default:
		*lo = AIOT_ISA_S8_MIN;
		*hi = AIOT_ISA_S8_MAX;
		break;
	}
}

int aiot_isa_check_act_type(const struct aiot_isa_activation *act, u8 dtype)
{
	s32 lo, hi;

	aiot_isa_dtype_range(dtype, &lo, &hi);
	if (!aiot_isa_in_range(act->min, lo, hi) ||
	    !aiot_isa_in_range(act->max, lo, hi) || act->min > act->max)
		return -EINVAL;
	return 0;
}

int aiot_isa_check_act(const struct aiot_isa_activation *act)
{
	return aiot_isa_check_act_type(act, AIOT_ISA_DTYPE_INT8);
}

/*
 * ISA 1.8 lets the pools, SUB, MUL, MAXIMUM, MINIMUM, LEAKY_RELU and
 * RESIZE take int16 elements: the dtype every tensor of such an operation
 * must have, read off its first tensor. An older stream gets int8 and so
 * the int8-only rules it was written for.
 */
u8 aiot_isa_elem_type(const struct aiot_isa_cursor *cur,
		      const struct aiot_isa_tensor *t)
{
	if (t->dtype == AIOT_ISA_DTYPE_INT16 && cur->minor >= 8)
		return AIOT_ISA_DTYPE_INT16;
	return AIOT_ISA_DTYPE_INT8;
}

bool aiot_isa_zp_ok(s32 zp, u8 dtype)
{
	s32 lo, hi;

	aiot_isa_dtype_range(dtype, &lo, &hi);
	return aiot_isa_in_range(zp, lo, hi);
}

bool aiot_isa_same_dims(const struct aiot_isa_tensor *a,
			const struct aiot_isa_tensor *b)
{
	int i;

	for (i = 0; i < AIOT_ISA_DIMS; i++)
		if (a->dims[i] != b->dims[i])
			return false;
	return true;
}

/**
 * aiot_isa_cursor_init() - check a stream header and start walking it
 * @cur: cursor to initialise
 * @stream: the command stream
 * @len: bytes available at @stream (may exceed the stream's own size)
 * @binding_sizes: size in bytes of each bound buffer
 * @nbindings: entries in @binding_sizes, at most AIOT_ISA_MAX_BINDINGS
 *
 * Return: 0, or a negative errno if the header is malformed (-EINVAL), of
 * an unsupported version (-EOPNOTSUPP) or too large (-E2BIG).
 */
int aiot_isa_cursor_init(struct aiot_isa_cursor *cur, const void *stream,
			 size_t len, const u64 *binding_sizes,
			 unsigned int nbindings)
{
	struct aiot_isa_header hdr;

	memset(cur, 0, sizeof(*cur));
	if (!stream || len < sizeof(hdr))
		return -EINVAL;
	if (nbindings > AIOT_ISA_MAX_BINDINGS || (nbindings && !binding_sizes))
		return -EINVAL;
	memcpy(&hdr, stream, sizeof(hdr));
	if (hdr.magic != AIOT_ISA_MAGIC)
		return -EINVAL;
	if (hdr.version >> 16 != AIOT_ISA_VERSION_MAJOR ||
	    (hdr.version & 0xffff) > AIOT_ISA_VERSION_MINOR)
		return -EOPNOTSUPP;
	if (hdr.flags || hdr.reserved[0] || hdr.reserved[1] ||
	    hdr.reserved[2])
		return -EINVAL;
	if (hdr.size > AIOT_ISA_MAX_STREAM_BYTES ||
	    hdr.op_count > AIOT_ISA_MAX_OPS)
		return -E2BIG;
	if (hdr.size < sizeof(hdr) || hdr.size > len || hdr.size % 4)
		return -EINVAL;
	cur->stream = stream;
	cur->size = hdr.size;
	cur->pos = sizeof(hdr);
	cur->op_count = hdr.op_count;
	cur->minor = hdr.version & 0xffff;
	cur->binding_sizes = binding_sizes;
	cur->nbindings = nbindings;
	return 0;
}

AIOT_ISA_EXPORT(aiot_isa_cursor_init);

/**
 * aiot_isa_cursor_next() - copy out and validate the next operation
 * @cur: cursor from aiot_isa_cursor_init()
 * @op: receives a private copy of the operation record
 * @sum: summary to accumulate into, or NULL
 *
 * Return: 1 when @op holds a validated operation, 0 at the end of a
 * well-formed stream, or a negative errno: -EINVAL (malformed record,
 * reserved bits set, inconsistent shapes, trailing bytes), -EOPNOTSUPP
 * (unknown opcode), -ENOSPC (a tensor outside its buffer), -E2BIG or
 * -EOVERFLOW (sizes too large).
 */
int aiot_isa_cursor_next(struct aiot_isa_cursor *cur, union aiot_isa_op *op,
			 struct aiot_isa_summary *sum)
{
	struct aiot_isa_op_header hdr;
	int ret;

	if (cur->op_index == cur->op_count)
		return cur->pos == cur->size ? 0 : -EINVAL;
	if (cur->size - cur->pos < sizeof(hdr))
		return -EINVAL;
	memcpy(&hdr, cur->stream + cur->pos, sizeof(hdr));
	if (hdr.opcode >= AIOT_ISA_NUM_OPCODES ||
	    !aiot_isa_op_sizes[hdr.opcode] ||
	    aiot_isa_op_minor(hdr.opcode) > cur->minor)
		return -EOPNOTSUPP;
	if (hdr.flags || hdr.size != aiot_isa_op_sizes[hdr.opcode])
		return -EINVAL;
	if (cur->size - cur->pos < hdr.size)
		return -EINVAL;
	memset(op, 0, sizeof(*op));
	memcpy(op, cur->stream + cur->pos, hdr.size);
	/* The stream may change under us: trust only the private copy. */
	op->hdr = hdr;
	ret = aiot_isa_check_op(cur, op, sum);
	if (ret)
		return ret;
	cur->pos += hdr.size;
	cur->op_index++;
	if (sum) {
		sum->op_count++;
		sum->op_mask |= 1ull << hdr.opcode;
	}
	return 1;
}

AIOT_ISA_EXPORT(aiot_isa_cursor_next);

/**
 * aiot_isa_validate() - check a whole command stream against its bindings
 * @stream: the command stream
 * @len: bytes available at @stream
 * @binding_sizes: size in bytes of each bound buffer
 * @nbindings: entries in @binding_sizes, at most AIOT_ISA_MAX_BINDINGS
 * @out: if not NULL, receives what the stream does; on failure its
 *	error_op names the rejected operation
 *
 * Proves that the stream is well formed and that every access of every
 * operation stays inside its buffer. Does not read tensor data, which may
 * change before execution; the executor treats data as untrusted values.
 *
 * Return: 0 if the stream is valid, otherwise a negative errno as for
 * aiot_isa_cursor_init() and aiot_isa_cursor_next().
 */
int aiot_isa_validate(const void *stream, size_t len, const u64 *binding_sizes,
		      unsigned int nbindings, struct aiot_isa_summary *out)
{
	return aiot_isa_validate_aliased(stream, len, binding_sizes, NULL,
					 nbindings, out);
}

AIOT_ISA_EXPORT(aiot_isa_validate);

/**
 * aiot_isa_validate_aliased() - aiot_isa_validate() with bindings that share
 *	memory
 * @stream: the command stream
 * @len: its bytes
 * @binding_sizes: bytes of each bound buffer
 * @alias: NULL, or for each binding the lowest binding bound to the same
 *	memory at the same address (itself if none): the same buffer bound
 *	twice, two dma-bufs of one sensor slot. Overlap checks compare
 *	buffers, not bindings: an output may not overlap an input through
 *	another binding of the same memory either.
 * @nbindings: entries in @binding_sizes and @alias
 * @out: as for aiot_isa_validate()
 *
 * Return: as aiot_isa_validate().
 */
int aiot_isa_validate_aliased(const void *stream, size_t len,
			      const u64 *binding_sizes, const u8 *alias,
			      unsigned int nbindings,
			      struct aiot_isa_summary *out)
{
	struct aiot_isa_cursor cur;
	union aiot_isa_op op;
	unsigned int i;
	int ret;

	if (out) {
		memset(out, 0, sizeof(*out));
		out->error_op = AIOT_ISA_HEADER_OP;
	}
	ret = aiot_isa_cursor_init(&cur, stream, len, binding_sizes, nbindings);
	if (ret)
		return ret;
	if (out)
		out->isa_minor = cur.minor;
	if (alias) {
		for (i = 0; i < nbindings; i++)
			if (alias[i] > i)
				return -EINVAL;
		cur.alias = alias;
	}
	do {
		if (out)
			out->error_op = cur.op_index;
		ret = aiot_isa_cursor_next(&cur, &op, out);
	} while (ret > 0);
	if (!ret && out)
		out->error_op = AIOT_ISA_NO_OP;
	return ret;
}

AIOT_ISA_EXPORT(aiot_isa_validate_aliased);
