/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * aiot ISA: command-stream validator and reference executor.
 *
 * Plain C shared by the kernel modules and the userspace library
 * (libaiot-isa): the validator proves that every tensor an operation
 * touches lies inside its bound buffer; the executor runs a stream with
 * TensorFlow Lite's int8 reference arithmetic, integers only.
 */
#ifndef AIOT_ISA_H
#define AIOT_ISA_H

#include "aiot_isa_port.h"
#include <linux/aiot_isa.h>

/* Number of opcodes this implementation knows. */
#define AIOT_ISA_NUM_OPCODES	(AIOT_ISA_OP_TRANSPOSE_CONV_S16 + 1)

/* No operation failed (aiot_isa_summary.error_op). */
#define AIOT_ISA_NO_OP		0xffffffffu
/* The stream header itself was rejected (aiot_isa_summary.error_op). */
#define AIOT_ISA_HEADER_OP	0xfffffffeu

/**
 * struct aiot_isa_summary - what a validated stream will do
 * @op_count: operations in the stream
 * @op_mask: bit n set when opcode n occurs
 * @bindings_read: bit n set when slot n is read
 * @bindings_written: bit n set when slot n is written
 * @error_op: on failure, the index of the rejected operation, or
 *	AIOT_ISA_HEADER_OP; AIOT_ISA_NO_OP on success
 * @isa_minor: the minor ISA version the stream declares; its operations
 *	need no newer one. A device of an older minor must refuse the stream.
 * @work: estimated work in multiply-accumulates plus elements moved,
 *	saturated at U64_MAX (for timeouts and scheduling)
 * @binding_extent: per slot, one past the highest byte accessed
 */
struct aiot_isa_summary {
	u32 op_count;
	u64 op_mask;
	u32 bindings_read;
	u32 bindings_written;
	u32 error_op;
	u32 isa_minor;
	u64 work;
	u64 binding_extent[AIOT_ISA_MAX_BINDINGS];
};

/*
 * The executor polls its stop hook before each operation and, within one,
 * each time this much work (the units of aiot_isa_summary.work) has been
 * done since the last poll. The work between two polls is at most
 * AIOT_ISA_STOP_INTERVAL + AIOT_ISA_MAX_STOP_STEP: the executor accounts
 * for work in steps of at most AIOT_ISA_MAX_STOP_STEP units (a row of a
 * filter window, one softmax row, a chunk of a copy), whatever the shapes.
 */
#define AIOT_ISA_STOP_INTERVAL	65536u
#define AIOT_ISA_MAX_STOP_STEP	(3u * AIOT_ISA_MAX_DIM)

/**
 * struct aiot_isa_exec_control - optional hooks for a running stream
 * @should_stop: polled before each operation and within one after every
 *	AIOT_ISA_STOP_INTERVAL units of work, so that a stop takes effect
 *	after a bounded amount of work even inside one huge operation; when
 *	it returns true the executor stops with -ECANCELED. The kernel can
 *	also reschedule from here, since the executor itself never sleeps.
 * @arg: passed to @should_stop
 */
struct aiot_isa_exec_control {
	bool (*should_stop)(void *arg);
	void *arg;
};

/* Any one operation record, copied out of the stream before it is used. */
union aiot_isa_op {
	struct aiot_isa_op_header hdr;
	struct aiot_isa_op_nop nop;
	struct aiot_isa_op_fully_connected fc;
	struct aiot_isa_op_conv conv;
	struct aiot_isa_op_pool pool;
	struct aiot_isa_op_add add;
	struct aiot_isa_op_reshape reshape;
	struct aiot_isa_op_softmax softmax;
	struct aiot_isa_op_requantize requant;
	struct aiot_isa_op_svdf svdf;
	struct aiot_isa_op_pad pad;
	struct aiot_isa_op_transpose transpose;
	struct aiot_isa_op_insert insert;
	struct aiot_isa_op_mean mean;
	struct aiot_isa_op_leaky_relu leaky;
	struct aiot_isa_op_table table;
	struct aiot_isa_op_resize resize;
	struct aiot_isa_op_frame_to_tensor frame;
	struct aiot_isa_op_signal_window sig_window;
	struct aiot_isa_op_signal_fft_auto_scale sig_autoscale;
	struct aiot_isa_op_signal_rfft sig_rfft;
	struct aiot_isa_op_signal_energy sig_energy;
	struct aiot_isa_op_signal_filter_bank sig_fbank;
	struct aiot_isa_op_signal_filter_bank_sqrt sig_sqrt;
	struct aiot_isa_op_signal_spectral_subtraction sig_subtract;
	struct aiot_isa_op_signal_pcan sig_pcan;
	struct aiot_isa_op_signal_filter_bank_log sig_log;
	struct aiot_isa_op_cast cast;
	struct aiot_isa_op_strided_slice slice;
	struct aiot_isa_op_binary_int32 bin32;
	struct aiot_isa_op_slice slice15;
	struct aiot_isa_op_transpose_conv tconv;
	struct aiot_isa_op_reduce reduce;
	struct aiot_isa_op_lstm lstm;
};

/* Walks a stream one validated operation at a time. */
struct aiot_isa_cursor {
	const u8 *stream;
	u32 size;
	u32 pos;
	u32 op_count;
	u32 op_index;
	u32 minor;
	const u64 *binding_sizes;
	unsigned int nbindings;
	const u8 *alias;
};

int aiot_isa_validate(const void *stream, size_t len, const u64 *binding_sizes,
		      unsigned int nbindings, struct aiot_isa_summary *out);

int aiot_isa_validate_aliased(const void *stream, size_t len,
			      const u64 *binding_sizes, const u8 *alias,
			      unsigned int nbindings,
			      struct aiot_isa_summary *out);

int aiot_isa_cursor_init(struct aiot_isa_cursor *cur, const void *stream,
			 size_t len, const u64 *binding_sizes,
			 unsigned int nbindings);
int aiot_isa_cursor_next(struct aiot_isa_cursor *cur, union aiot_isa_op *op,
			 struct aiot_isa_summary *sum);

int aiot_isa_execute(const void *stream, size_t len, void *const *bindings,
		     const u64 *binding_sizes, unsigned int nbindings);
int aiot_isa_execute_ctl(const void *stream, size_t len, void *const *bindings,
			 const u64 *binding_sizes, unsigned int nbindings,
			 const struct aiot_isa_exec_control *ctl);

#endif /* AIOT_ISA_H */
