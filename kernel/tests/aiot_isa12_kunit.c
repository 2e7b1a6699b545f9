// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * KUnit tests for the ISA 1.2 operations (PAD, TRANSPOSE, INSERT, MEAN):
 * one run each with golden values worked out by hand in the comments, and
 * the kernel validator's rejection of bad parameters of each, of a stream
 * that uses them without declaring ISA 1.2, with nothing written.
 */

#include <kunit/test.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "../isa/aiot_isa.h"

#define NBIND		3
#define BUF_BYTES	128
#define FILL		0x5a

struct isa12_job {
	u8 stream[512];
	u32 len;
	u32 ops;
	u8 buf[NBIND][BUF_BYTES];
	u64 sizes[NBIND];
};

static struct isa12_job *job_new(struct kunit *test)
{
	struct isa12_job *job = kunit_kzalloc(test, sizeof(*job), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, job);
	job->len = sizeof(struct aiot_isa_header);
	for (i = 0; i < NBIND; i++)
		job->sizes[i] = BUF_BYTES;
	memset(job->buf[2], FILL, BUF_BYTES);
	return job;
}

static void job_add(struct isa12_job *job, void *op, u32 size)
{
	struct aiot_isa_op_header *hdr = op;

	hdr->size = size;
	memcpy(job->stream + job->len, op, size);
	job->len += size;
	job->ops++;
}

static void job_seal(struct isa12_job *job, u32 minor)
{
	struct aiot_isa_header hdr = {
		.magic = AIOT_ISA_MAGIC,
		.version = AIOT_ISA_VERSION(AIOT_ISA_VERSION_MAJOR, minor),
		.size = job->len,
		.op_count = job->ops,
	};

	memcpy(job->stream, &hdr, sizeof(hdr));
}

static int job_run(struct isa12_job *job)
{
	void *bind[NBIND];
	int i;

	for (i = 0; i < NBIND; i++)
		bind[i] = job->buf[i];
	return aiot_isa_execute(job->stream, job->len, bind, job->sizes,
				NBIND);
}

static struct aiot_isa_tensor t8(u8 binding, u32 offset, u32 n, u32 h, u32 w,
				 u32 c)
{
	struct aiot_isa_tensor t = {
		.binding = binding, .offset = offset,
		.dtype = AIOT_ISA_DTYPE_INT8, .dims = { n, h, w, c },
	};

	return t;
}

/*
 * One operation in a 1.2 stream: validate it, run it; on a rejection the
 * executor must agree and the output must be untouched.
 */
static int check_one(struct kunit *test, void *op, u32 size)
{
	struct isa12_job *job = job_new(test);
	struct aiot_isa_summary sum;
	int ret, i;

	job_add(job, op, size);
	job_seal(job, 2);
	ret = aiot_isa_validate(job->stream, job->len, job->sizes, NBIND,
				&sum);
	KUNIT_EXPECT_EQ(test, job_run(job), ret);
	if (ret) {
		KUNIT_EXPECT_EQ(test, sum.error_op, 0u);
		for (i = 0; i < BUF_BYTES; i++)
			KUNIT_EXPECT_EQ(test, job->buf[2][i], FILL);
	}
	return ret;
}

static void isa12_pad(struct kunit *test)
{
	static const s8 in[4] = { 1, 2, 3, 4 };
	/* [1,1,2,2] padded by one row above and one channel each side. */
	static const s8 want[16] = {
		-5, -5, -5, -5, -5, -5, -5, -5,
		-5, 1, 2, -5, -5, 3, 4, -5,
	};
	struct aiot_isa_op_pad op = {
		.hdr.opcode = AIOT_ISA_OP_PAD,
		.input = t8(1, 0, 1, 1, 2, 2),
		.output = t8(2, 0, 1, 2, 2, 4),
		.before = { 0, 1, 0, 1 },
		.value = -5,
	};
	struct isa12_job *job = job_new(test);

	memcpy(job->buf[1], in, sizeof(in));
	job_add(job, &op, sizeof(op));
	job_seal(job, 2);
	KUNIT_ASSERT_EQ(test, job_run(job), 0);
	KUNIT_EXPECT_EQ(test, memcmp(job->buf[2], want, sizeof(want)), 0);
}

static void isa12_transpose(struct kunit *test)
{
	static const s8 in[6] = { 0, 1, 2, 3, 4, 5 };
	/* [1,1,2,3] with W and C swapped: out[x][c] = in[c][x]. */
	static const s8 want[6] = { 0, 3, 1, 4, 2, 5 };
	struct aiot_isa_op_transpose op = {
		.hdr.opcode = AIOT_ISA_OP_TRANSPOSE,
		.input = t8(1, 0, 1, 1, 2, 3),
		.output = t8(2, 0, 1, 1, 3, 2),
		.perm = { 0, 1, 3, 2 },
	};
	struct isa12_job *job = job_new(test);

	memcpy(job->buf[1], in, sizeof(in));
	job_add(job, &op, sizeof(op));
	job_seal(job, 2);
	KUNIT_ASSERT_EQ(test, job_run(job), 0);
	KUNIT_EXPECT_EQ(test, memcmp(job->buf[2], want, sizeof(want)), 0);
}

static void isa12_insert(struct kunit *test)
{
	static const s8 a[2] = { 1, 2 }, b[3] = { 3, 4, 5 };
	static const s8 want[5] = { 1, 2, 3, 4, 5 };
	struct aiot_isa_op_insert op = {
		.hdr.opcode = AIOT_ISA_OP_INSERT,
		.input = t8(1, 0, 1, 1, 1, 2),
		.output = t8(2, 0, 1, 1, 1, 5),
	};
	struct isa12_job *job = job_new(test);

	memcpy(job->buf[1], a, sizeof(a));
	memcpy(job->buf[1] + 4, b, sizeof(b));
	job_add(job, &op, sizeof(op));
	op.input = t8(1, 4, 1, 1, 1, 3);
	op.offset[3] = 2;
	job_add(job, &op, sizeof(op));
	job_seal(job, 2);
	KUNIT_ASSERT_EQ(test, job_run(job), 0);
	KUNIT_EXPECT_EQ(test, memcmp(job->buf[2], want, sizeof(want)), 0);
	KUNIT_EXPECT_EQ(test, job->buf[2][5], FILL);
}

static void isa12_mean(struct kunit *test)
{
	/*
	 * [1,2,2,2], scale ratio 1 (multiplier 2^30, shift 1), zero points 0.
	 * Channel 0: 1 + 2 + 3 + 5 = 11, 11 / 4 = 2.75 -> (11 + 2) / 4 = 3.
	 * Channel 1: -1 - 2 - 3 - 4 = -10, -2.5 -> (-10 - 2) / 4 = -3.
	 */
	static const s8 in[8] = { 1, -1, 2, -2, 3, -3, 5, -4 };
	struct aiot_isa_op_mean op = {
		.hdr.opcode = AIOT_ISA_OP_MEAN,
		.input = t8(1, 0, 1, 2, 2, 2),
		.output = t8(2, 0, 1, 1, 1, 2),
		.multiplier = 0x40000000,
		.shift = 1,
		.act = { -128, 127 },
	};
	struct isa12_job *job = job_new(test);

	memcpy(job->buf[1], in, sizeof(in));
	job_add(job, &op, sizeof(op));
	job_seal(job, 2);
	KUNIT_ASSERT_EQ(test, job_run(job), 0);
	KUNIT_EXPECT_EQ(test, (s8)job->buf[2][0], 3);
	KUNIT_EXPECT_EQ(test, (s8)job->buf[2][1], -3);
}

static void isa12_reject_pad(struct kunit *test)
{
	struct aiot_isa_op_pad ok = {
		.hdr.opcode = AIOT_ISA_OP_PAD,
		.input = t8(1, 0, 1, 2, 2, 4),
		.output = t8(2, 0, 1, 4, 4, 4),
		.before = { 0, 1, 1, 0 },
	};
	struct aiot_isa_op_pad op;

	op = ok;
	KUNIT_EXPECT_EQ(test, check_one(test, &op, sizeof(op)), 0);
	op = ok;
	op.before[1] = 3;	/* input window past the output */
	KUNIT_EXPECT_EQ(test, check_one(test, &op, sizeof(op)), -EINVAL);
	op = ok;
	op.before[2] = 0xffffffff;	/* would wrap in 32 bits */
	KUNIT_EXPECT_EQ(test, check_one(test, &op, sizeof(op)), -EINVAL);
	op = ok;
	op.value = -129;
	KUNIT_EXPECT_EQ(test, check_one(test, &op, sizeof(op)), -EINVAL);
	op = ok;
	op.reserved = 1;
	KUNIT_EXPECT_EQ(test, check_one(test, &op, sizeof(op)), -EINVAL);
	op = ok;
	op.output.dims[3] = 9;	/* 144 bytes in a 128-byte buffer */
	KUNIT_EXPECT_EQ(test, check_one(test, &op, sizeof(op)), -ENOSPC);
	op = ok;
	op.output.binding = 1;	/* overlaps its input */
	KUNIT_EXPECT_EQ(test, check_one(test, &op, sizeof(op)), -EINVAL);
}

static void isa12_reject_transpose(struct kunit *test)
{
	struct aiot_isa_op_transpose ok = {
		.hdr.opcode = AIOT_ISA_OP_TRANSPOSE,
		.input = t8(1, 0, 1, 2, 3, 4),
		.output = t8(2, 0, 1, 4, 2, 3),
		.perm = { 0, 3, 1, 2 },
	};
	struct aiot_isa_op_transpose op;

	op = ok;
	KUNIT_EXPECT_EQ(test, check_one(test, &op, sizeof(op)), 0);
	op = ok;
	op.perm[3] = 1;		/* not a permutation */
	KUNIT_EXPECT_EQ(test, check_one(test, &op, sizeof(op)), -EINVAL);
	op = ok;
	op.perm[0] = 4;
	KUNIT_EXPECT_EQ(test, check_one(test, &op, sizeof(op)), -EINVAL);
	op = ok;
	op.output.dims[1] = 2;	/* dims that do not follow perm */
	op.output.dims[2] = 4;
	KUNIT_EXPECT_EQ(test, check_one(test, &op, sizeof(op)), -EINVAL);
	op = ok;
	op.reserved = 1;
	KUNIT_EXPECT_EQ(test, check_one(test, &op, sizeof(op)), -EINVAL);
	op = ok;
	op.output.dtype = AIOT_ISA_DTYPE_INT16;	/* not the input's */
	KUNIT_EXPECT_EQ(test, check_one(test, &op, sizeof(op)), -EINVAL);
}

static void isa12_reject_insert(struct kunit *test)
{
	struct aiot_isa_op_insert ok = {
		.hdr.opcode = AIOT_ISA_OP_INSERT,
		.input = t8(1, 0, 1, 2, 2, 4),
		.output = t8(2, 0, 1, 2, 2, 12),
		.offset = { 0, 0, 0, 8 },
	};
	struct aiot_isa_op_insert op;

	op = ok;
	KUNIT_EXPECT_EQ(test, check_one(test, &op, sizeof(op)), 0);
	op = ok;
	op.offset[3] = 9;
	KUNIT_EXPECT_EQ(test, check_one(test, &op, sizeof(op)), -EINVAL);
	op = ok;
	op.offset[0] = 0xffffffff;
	KUNIT_EXPECT_EQ(test, check_one(test, &op, sizeof(op)), -EINVAL);
	op = ok;
	op.reserved[1] = 1;
	KUNIT_EXPECT_EQ(test, check_one(test, &op, sizeof(op)), -EINVAL);
	op = ok;
	op.output.offset = 100;	/* 48 bytes from 100: past 128 */
	KUNIT_EXPECT_EQ(test, check_one(test, &op, sizeof(op)), -ENOSPC);
}

static void isa12_reject_mean(struct kunit *test)
{
	struct aiot_isa_op_mean ok = {
		.hdr.opcode = AIOT_ISA_OP_MEAN,
		.input = t8(1, 0, 1, 4, 4, 4),
		.output = t8(2, 0, 1, 1, 1, 4),
		.multiplier = 0x40000000,
		.act = { -128, 127 },
	};
	struct aiot_isa_op_mean op;

	op = ok;
	KUNIT_EXPECT_EQ(test, check_one(test, &op, sizeof(op)), 0);
	op = ok;
	op.output.dims[2] = 2;
	KUNIT_EXPECT_EQ(test, check_one(test, &op, sizeof(op)), -EINVAL);
	op = ok;
	op.output.dims[3] = 2;
	KUNIT_EXPECT_EQ(test, check_one(test, &op, sizeof(op)), -EINVAL);
	op = ok;
	op.input_zero_point = 128;
	KUNIT_EXPECT_EQ(test, check_one(test, &op, sizeof(op)), -EINVAL);
	op = ok;
	op.output_zero_point = -129;
	KUNIT_EXPECT_EQ(test, check_one(test, &op, sizeof(op)), -EINVAL);
	op = ok;
	op.multiplier = -1;
	KUNIT_EXPECT_EQ(test, check_one(test, &op, sizeof(op)), -EINVAL);
	op = ok;
	op.shift = -32;
	KUNIT_EXPECT_EQ(test, check_one(test, &op, sizeof(op)), -EINVAL);
	op = ok;
	op.act.min = 5;
	op.act.max = 4;
	KUNIT_EXPECT_EQ(test, check_one(test, &op, sizeof(op)), -EINVAL);
	op = ok;
	op.reserved[0] = 1;
	KUNIT_EXPECT_EQ(test, check_one(test, &op, sizeof(op)), -EINVAL);
}

/* Each new opcode in a stream that declares 1.1: refused, nothing runs. */
static void isa12_needs_minor_2(struct kunit *test)
{
	struct aiot_isa_op_insert op = {
		.hdr.opcode = AIOT_ISA_OP_INSERT,
		.input = t8(1, 0, 1, 1, 1, 4),
		.output = t8(2, 0, 1, 1, 1, 4),
	};
	static const u16 opcodes[] = {
		AIOT_ISA_OP_PAD, AIOT_ISA_OP_TRANSPOSE, AIOT_ISA_OP_INSERT,
		AIOT_ISA_OP_MEAN,
	};
	static const u32 sizes[] = {
		sizeof(struct aiot_isa_op_pad),
		sizeof(struct aiot_isa_op_transpose),
		sizeof(struct aiot_isa_op_insert),
		sizeof(struct aiot_isa_op_mean),
	};
	struct aiot_isa_summary sum;
	struct isa12_job *job;
	u8 rec[128] = { 0 };
	int i;

	for (i = 0; i < ARRAY_SIZE(opcodes); i++) {
		job = job_new(test);
		memcpy(rec, &op, sizeof(op));
		((struct aiot_isa_op_header *)rec)->opcode = opcodes[i];
		job_add(job, rec, sizes[i]);
		job_seal(job, 1);
		KUNIT_EXPECT_EQ(test, aiot_isa_validate(job->stream, job->len,
							job->sizes, NBIND,
							&sum),
				-EOPNOTSUPP);
		KUNIT_EXPECT_EQ(test, sum.error_op, 0u);
		KUNIT_EXPECT_EQ(test, job_run(job), -EOPNOTSUPP);
		KUNIT_EXPECT_EQ(test, job->buf[2][0], FILL);
	}
	/* The same INSERT declared 1.2 passes and reports its minor. */
	job = job_new(test);
	job_add(job, &op, sizeof(op));
	job_seal(job, 2);
	KUNIT_EXPECT_EQ(test, aiot_isa_validate(job->stream, job->len,
						job->sizes, NBIND, &sum), 0);
	KUNIT_EXPECT_EQ(test, sum.isa_minor, 2u);
}

static struct kunit_case aiot_isa12_cases[] = {
	KUNIT_CASE(isa12_pad),
	KUNIT_CASE(isa12_transpose),
	KUNIT_CASE(isa12_insert),
	KUNIT_CASE(isa12_mean),
	KUNIT_CASE(isa12_reject_pad),
	KUNIT_CASE(isa12_reject_transpose),
	KUNIT_CASE(isa12_reject_insert),
	KUNIT_CASE(isa12_reject_mean),
	KUNIT_CASE(isa12_needs_minor_2),
	{}
};

static struct kunit_suite aiot_isa12_suite = {
	.name = "aiot-isa-1.2",
	.test_cases = aiot_isa12_cases,
};

kunit_test_suites(&aiot_isa12_suite);
