// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: ISA 1.9's SOFTMAX_S16 in the kernel build of kernel/isa. A row of
 * three, with small linear tables whose lookups and interpolation are
 * worked out by hand in the comments, then the version gate (minor 8
 * refuses opcode 55) and the limits: the input shift and a table under
 * the output.
 */

#include <kunit/test.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "isa/aiot_isa.h"

#define SM16_TABLE_BYTES	(AIOT_ISA_SOFTMAX_S16_LUT_ENTRIES * 2)
/* Array references are 4-aligned: the second table after 1028 bytes. */
#define SM16_RECIP_OFFSET	ALIGN(SM16_TABLE_BYTES, 4)
#define SM16_WEIGHTS		(SM16_RECIP_OFFSET + SM16_TABLE_BYTES)
#define SM16_IO_BYTES		64
#define SM16_FILL		0x5a

struct sm16_job {
	u8 stream[sizeof(struct aiot_isa_header) +
		  sizeof(struct aiot_isa_op_softmax_s16)];
	u8 weights[SM16_WEIGHTS];
	u8 in[SM16_IO_BYTES];
	u8 out[SM16_IO_BYTES];
	u64 sizes[3];
};

static void sm16_put(u8 *buf, u32 index, s16 v)
{
	memcpy(buf + 2 * index, &v, sizeof(v));
}

static s16 sm16_get(const u8 *buf, u32 index)
{
	s16 v;

	memcpy(&v, buf + 2 * index, sizeof(v));
	return v;
}

/*
 * exp table: 64 * i (the last entry 32767); 1/(1+x) table: 32767 - 32 * i.
 * The input multiplier 2^30 with shift 1 is exactly 1: s = d.
 */
static struct sm16_job *sm16_job(struct kunit *test,
				 struct aiot_isa_op_softmax_s16 *op)
{
	struct sm16_job *job = kunit_kzalloc(test, sizeof(*job), GFP_KERNEL);
	u32 i;

	KUNIT_ASSERT_NOT_NULL(test, job);
	for (i = 0; i < AIOT_ISA_SOFTMAX_S16_LUT_ENTRIES; i++) {
		sm16_put(job->weights, i, i < 512 ? 64 * i : 32767);
		sm16_put(job->weights + SM16_RECIP_OFFSET, i, 32767 - 32 * i);
	}
	job->sizes[0] = SM16_WEIGHTS;
	job->sizes[1] = SM16_IO_BYTES;
	job->sizes[2] = SM16_IO_BYTES;
	memset(job->out, SM16_FILL, sizeof(job->out));

	memset(op, 0, sizeof(*op));
	op->hdr.opcode = AIOT_ISA_OP_SOFTMAX_S16;
	op->hdr.size = sizeof(*op);
	op->input.binding = 1;
	op->input.dtype = AIOT_ISA_DTYPE_INT16;
	op->input.dims[0] = 1;
	op->input.dims[1] = 1;
	op->input.dims[2] = 1;
	op->input.dims[3] = 3;
	op->output = op->input;
	op->output.binding = 2;
	op->exp_table.binding = 0;
	op->exp_table.offset = 0;
	op->one_over_one_plus_x_table.binding = 0;
	op->one_over_one_plus_x_table.offset = SM16_RECIP_OFFSET;
	op->input_multiplier = 1 << 30;
	op->input_shift = 1;
	return job;
}

static int sm16_run(struct kunit *test, struct sm16_job *job,
		    const struct aiot_isa_op_softmax_s16 *op, u32 minor)
{
	struct aiot_isa_header hdr = {
		.magic = AIOT_ISA_MAGIC,
		.version = AIOT_ISA_VERSION(AIOT_ISA_VERSION_MAJOR, minor),
		.size = sizeof(job->stream),
		.op_count = 1,
	};
	void *bind[3] = { job->weights, job->in, job->out };
	struct aiot_isa_summary sum;
	int ret, run;

	memcpy(job->stream, &hdr, sizeof(hdr));
	memcpy(job->stream + sizeof(hdr), op, sizeof(*op));
	ret = aiot_isa_validate(job->stream, sizeof(job->stream), job->sizes,
				3, &sum);
	run = aiot_isa_execute(job->stream, sizeof(job->stream), bind,
			       job->sizes, 3);
	KUNIT_EXPECT_EQ(test, run, ret);
	if (!ret)
		KUNIT_EXPECT_EQ(test, sum.isa_minor, minor);
	return ret;
}

static void aiot_isa19_softmax_row_by_hand(struct kunit *test)
{
	struct aiot_isa_op_softmax_s16 op;
	struct sm16_job *job = sm16_job(test, &op);

	/*
	 * x = 0, -128, -256: d = x - 0, s = d, lookups at s + 32767 =
	 * 32767, 32639, 32511, i.e. entries 511, 510, 509 with offset 127:
	 * 32704 + (63 * 127 + 64) >> 7 = 32767,
	 * 32640 + (64 * 127 + 64) >> 7 = 32704, 32576 + 64 = 32640.
	 */
	sm16_put(job->in, 0, 0);
	sm16_put(job->in, 1, -128);
	sm16_put(job->in, 2, -256);
	KUNIT_ASSERT_EQ(test, sm16_run(test, job, &op, 9), 0);
	/*
	 * S = 98111: clz 15, normalised ((S << 14) + 2^13) >> 14 = 98111,
	 * less 98304 is -193: entry 254, offset 63, 24639 +
	 * (-32 * 63 + 64) >> 7 = 24639 - 16 = 24623. Shift 31 - 15 = 16:
	 * (e * 24623 + 2^15) >> 16.
	 */
	KUNIT_EXPECT_EQ(test, sm16_get(job->out, 0), 12311);
	KUNIT_EXPECT_EQ(test, sm16_get(job->out, 1), 12287);
	KUNIT_EXPECT_EQ(test, sm16_get(job->out, 2), 12263);

	/* In place gives the same row. */
	op.output = op.input;
	KUNIT_ASSERT_EQ(test, sm16_run(test, job, &op, 9), 0);
	KUNIT_EXPECT_EQ(test, sm16_get(job->in, 0), 12311);
	KUNIT_EXPECT_EQ(test, sm16_get(job->in, 2), 12263);
}

static void aiot_isa19_softmax_gate_and_limits(struct kunit *test)
{
	struct aiot_isa_op_softmax_s16 op, bad;
	struct sm16_job *job = sm16_job(test, &op);

	KUNIT_EXPECT_EQ(test, sm16_run(test, job, &op, 9), 0);
	/* The same stream declared 1.8: opcode 55 is unknown there. */
	memset(job->out, SM16_FILL, sizeof(job->out));
	KUNIT_EXPECT_EQ(test, sm16_run(test, job, &op, 8), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, job->out[0], SM16_FILL);

	bad = op;
	bad.input_shift = 16;	/* -65535 << 16 leaves int32 */
	KUNIT_EXPECT_EQ(test, sm16_run(test, job, &bad, 9), -EINVAL);
	bad.input_shift = 15;
	KUNIT_EXPECT_EQ(test, sm16_run(test, job, &bad, 9), 0);
	bad = op;
	bad.input_multiplier = -1;
	KUNIT_EXPECT_EQ(test, sm16_run(test, job, &bad, 9), -EINVAL);
	bad = op;
	bad.output.binding = 0;	/* over the exp table */
	KUNIT_EXPECT_EQ(test, sm16_run(test, job, &bad, 9), -EINVAL);
	bad = op;
	bad.one_over_one_plus_x_table.offset = SM16_RECIP_OFFSET + 2;
	KUNIT_EXPECT_EQ(test, sm16_run(test, job, &bad, 9), -EINVAL);
	bad.one_over_one_plus_x_table.offset = SM16_RECIP_OFFSET + 4;
	KUNIT_EXPECT_EQ(test, sm16_run(test, job, &bad, 9), -ENOSPC);
	bad = op;
	bad.output.dtype = AIOT_ISA_DTYPE_INT8;
	KUNIT_EXPECT_EQ(test, sm16_run(test, job, &bad, 9), -EINVAL);
	bad = op;
	bad.reserved[1] = 1;
	KUNIT_EXPECT_EQ(test, sm16_run(test, job, &bad, 9), -EINVAL);
}

static struct kunit_case aiot_isa19_softmax_cases[] = {
	KUNIT_CASE(aiot_isa19_softmax_row_by_hand),
	KUNIT_CASE(aiot_isa19_softmax_gate_and_limits),
	{}
};

static struct kunit_suite aiot_isa19_softmax_suite = {
	.name = "aiot-isa-1.9-softmax",
	.test_cases = aiot_isa19_softmax_cases,
};

kunit_test_suite(aiot_isa19_softmax_suite);
