// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: ISA 1.7's UNIDIRECTIONAL_SEQUENCE_LSTM in the kernel build of
 * kernel/isa. Two time steps of a two-batch LSTM with a clipped cell state
 * against values from the host tests' independent transcription of
 * TensorFlow Lite Micro's integer LSTM (tests/unit/isa_lstm_ref.h), the
 * state carried in its buffers, the validator's rejections (the executor
 * agrees and leaves the output alone) and the version gate.
 */

#include <kunit/test.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "isa/aiot_isa.h"

#define NBIND		4
#define BUF_BYTES	512
#define FILL		0x5a

/* Slot 3: hidden state, cell state, scratch. */
#define HIDDEN_OFF	0
#define CELL_OFF	64
#define SCRATCH_OFF	128

struct isa17_job {
	u8 stream[sizeof(struct aiot_isa_header) +
		  sizeof(struct aiot_isa_op_lstm)];
	u32 len;
	u8 buf[NBIND][BUF_BYTES];
	u64 sizes[NBIND];
};

static const s8 isa17_wi[4][4] = {
	{ 10, -20, 30, 40 }, { -50, 60, 70, -80 },
	{ 90, 100, -110, 120 }, { -5, 15, 25, -35 },
};

static const s8 isa17_wr[4][4] = {
	{ 7, -7, 14, 21 }, { -28, 35, 42, -49 },
	{ 56, 63, -70, 77 }, { -84, 91, 98, -105 },
};

static const s32 isa17_bias[4][2] = {
	{ 1000, -2000 }, { 3000, 4000 }, { -5000, 6000 }, { 7000, -8000 },
};

/* [T = 2, B = 2, I = 2], time major. */
static const s8 isa17_x[8] = { 12, -40, 100, 7, -128, 127, 33, -66 };
static const s8 isa17_h0[4] = { 1, -2, 3, -4 };
static const s16 isa17_c0[4] = { 1000, -2000, 30000, -30000 };

static struct aiot_isa_tensor isa17_t(u8 binding, u32 offset, u8 dtype,
				      u32 d0, u32 d1, u32 d2, u32 d3)
{
	struct aiot_isa_tensor t = {
		.offset = offset, .binding = binding, .dtype = dtype,
		.dims = { d0, d1, d2, d3 },
	};

	return t;
}

/*
 * The record: input FC 2^-6 and recurrent 2^-7 into Q3.12, cell scale
 * 2^-11 clipped at 5000, hidden scale 2^-7 with zero point 5.
 */
static void isa17_op(struct aiot_isa_op_lstm *op)
{
	int g;

	memset(op, 0, sizeof(*op));
	op->hdr.opcode = AIOT_ISA_OP_LSTM;
	op->hdr.size = sizeof(*op);
	op->input = isa17_t(1, 0, AIOT_ISA_DTYPE_INT8, 1, 2, 2, 2);
	op->output = isa17_t(2, 0, AIOT_ISA_DTYPE_INT8, 1, 2, 2, 2);
	op->input_weights = isa17_t(0, 0, AIOT_ISA_DTYPE_INT8, 4, 2, 1, 2);
	op->recurrent_weights = isa17_t(0, 16, AIOT_ISA_DTYPE_INT8, 4, 2, 1, 2);
	op->bias = isa17_t(0, 32, AIOT_ISA_DTYPE_INT32, 1, 1, 4, 2);
	for (g = 0; g < AIOT_ISA_LSTM_GATES; g++) {
		op->gate[g].input_multiplier = 1 << 30;
		op->gate[g].input_shift = -5;
		op->gate[g].recurrent_multiplier = 1 << 30;
		op->gate[g].recurrent_shift = -6;
	}
	op->hidden_state = isa17_t(3, HIDDEN_OFF, AIOT_ISA_DTYPE_INT8,
				   1, 1, 2, 2);
	op->cell_state = isa17_t(3, CELL_OFF, AIOT_ISA_DTYPE_INT16, 1, 1, 2, 2);
	op->scratch = isa17_t(3, SCRATCH_OFF, AIOT_ISA_DTYPE_INT16, 1, 1, 4, 2);
	op->input_zero_point = -3;
	op->hidden_zero_point = 5;
	op->forget_multiplier = 1 << 30;
	op->forget_shift = -14;
	op->input_multiplier = 1 << 30;
	op->input_shift = -18;
	op->hidden_multiplier = 1 << 30;
	op->hidden_shift = -22;
	op->cell_scale_power = -11;
	op->cell_clip = 5000;
	op->time_major = 1;
	op->cell_activation = AIOT_ISA_LSTM_ACT_TANH;
}

static struct isa17_job *isa17_job(struct kunit *test,
				   const struct aiot_isa_op_lstm *op, u32 minor)
{
	struct isa17_job *job = kunit_kzalloc(test, sizeof(*job), GFP_KERNEL);
	struct aiot_isa_header hdr = {
		.magic = AIOT_ISA_MAGIC,
		.version = AIOT_ISA_VERSION(AIOT_ISA_VERSION_MAJOR, minor),
		.size = sizeof(hdr) + sizeof(*op),
		.op_count = 1,
	};
	int g, i;

	KUNIT_ASSERT_NOT_NULL(test, job);
	memcpy(job->stream, &hdr, sizeof(hdr));
	memcpy(job->stream + sizeof(hdr), op, sizeof(*op));
	job->len = sizeof(hdr) + sizeof(*op);
	for (i = 0; i < NBIND; i++)
		job->sizes[i] = BUF_BYTES;
	for (g = 0; g < AIOT_ISA_LSTM_GATES; g++) {
		memcpy(job->buf[0] + g * 4, isa17_wi[g], 4);
		memcpy(job->buf[0] + 16 + g * 4, isa17_wr[g], 4);
		memcpy(job->buf[0] + 32 + g * 8, isa17_bias[g], 8);
	}
	memcpy(job->buf[1], isa17_x, sizeof(isa17_x));
	memset(job->buf[2], FILL, BUF_BYTES);
	memcpy(job->buf[3] + HIDDEN_OFF, isa17_h0, sizeof(isa17_h0));
	memcpy(job->buf[3] + CELL_OFF, isa17_c0, sizeof(isa17_c0));
	return job;
}

/* Validate and run; a rejection leaves the output and the state alone. */
static int isa17_check(struct kunit *test, struct isa17_job *job)
{
	void *bind[NBIND] = { job->buf[0], job->buf[1], job->buf[2],
			      job->buf[3] };
	struct aiot_isa_summary sum;
	int ret, run, i;

	ret = aiot_isa_validate(job->stream, job->len, job->sizes, NBIND, &sum);
	run = aiot_isa_execute(job->stream, job->len, bind, job->sizes, NBIND);
	KUNIT_EXPECT_EQ(test, run, ret);
	if (!ret) {
		KUNIT_EXPECT_EQ(test, sum.isa_minor, 7u);
		/* T x B x H x (4 x (I + H) + 1) */
		KUNIT_EXPECT_EQ(test, sum.work, 2ull * 2 * 2 * 17);
		return 0;
	}
	for (i = 0; i < BUF_BYTES; i++)
		if (job->buf[2][i] != FILL)
			break;
	KUNIT_EXPECT_EQ(test, i, BUF_BYTES);
	KUNIT_EXPECT_EQ(test, memcmp(job->buf[3] + CELL_OFF, isa17_c0,
				     sizeof(isa17_c0)), 0);
	return ret;
}

static void isa17_lstm_two_steps(struct kunit *test)
{
	static const s8 want_out[8] = { 20, -24, 69, -57, 12, -6, 58, -50 };
	static const s8 want_h[4] = { 12, -6, 58, -50 };
	/* 30000 and -30000 decay but are clipped to +-5000 on the way. */
	static const s16 want_c[4] = { 227, -363, 2446, -2608 };
	struct aiot_isa_op_lstm *op = kunit_kzalloc(test, sizeof(*op),
						    GFP_KERNEL);
	struct isa17_job *job;

	KUNIT_ASSERT_NOT_NULL(test, op);
	isa17_op(op);
	job = isa17_job(test, op, 7);
	KUNIT_ASSERT_EQ(test, isa17_check(test, job), 0);
	KUNIT_EXPECT_EQ(test, memcmp(job->buf[2], want_out, sizeof(want_out)),
			0);
	KUNIT_EXPECT_EQ(test, memcmp(job->buf[3] + HIDDEN_OFF, want_h,
				     sizeof(want_h)), 0);
	KUNIT_EXPECT_EQ(test, memcmp(job->buf[3] + CELL_OFF, want_c,
				     sizeof(want_c)), 0);
}

static void isa17_lstm_reject(struct kunit *test)
{
	struct aiot_isa_op_lstm *op = kunit_kzalloc(test, sizeof(*op),
						    GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, op);
	isa17_op(op);
	KUNIT_EXPECT_EQ(test, isa17_check(test, isa17_job(test, op, 6)),
			-EOPNOTSUPP);
	isa17_op(op);
	op->reserved[1] = 1;
	KUNIT_EXPECT_EQ(test, isa17_check(test, isa17_job(test, op, 7)),
			-EINVAL);
	isa17_op(op);
	op->time_major = 2;
	KUNIT_EXPECT_EQ(test, isa17_check(test, isa17_job(test, op, 7)),
			-EINVAL);
	isa17_op(op);
	op->cell_scale_power = AIOT_ISA_LSTM_CELL_POWER_MAX + 1;
	KUNIT_EXPECT_EQ(test, isa17_check(test, isa17_job(test, op, 7)),
			-EINVAL);
	isa17_op(op);
	op->scratch.offset = CELL_OFF;	/* scratch over the cell state */
	KUNIT_EXPECT_EQ(test, isa17_check(test, isa17_job(test, op, 7)),
			-EINVAL);
	isa17_op(op);
	op->hidden_state.dims[2] = 1;	/* not the input's batches */
	KUNIT_EXPECT_EQ(test, isa17_check(test, isa17_job(test, op, 7)),
			-EINVAL);
	isa17_op(op);
	op->bias.offset = BUF_BYTES;
	KUNIT_EXPECT_EQ(test, isa17_check(test, isa17_job(test, op, 7)),
			-ENOSPC);
}

static struct kunit_case aiot_isa17_cases[] = {
	KUNIT_CASE(isa17_lstm_two_steps),
	KUNIT_CASE(isa17_lstm_reject),
	{}
};

static struct kunit_suite aiot_isa17_suite = {
	.name = "aiot-isa-1.7-lstm",
	.test_cases = aiot_isa17_cases,
};

kunit_test_suites(&aiot_isa17_suite);
