// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: ISA 1.5 in the kernel build of kernel/isa. SLICE (a strided slice
 * with negative strides) run on a small tensor, the validator's rejections
 * of bad parameters (the executor agrees and leaves the output alone), the
 * version gate and the opcodes after the last one staying unassigned.
 */

#include <kunit/test.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/string.h>

#include "isa/aiot_isa.h"

#define NBIND		4
#define BUF_BYTES	1024
#define FILL		0x5a

struct isa15_job {
	u8 stream[128];
	u32 len;
	u8 buf[NBIND][BUF_BYTES];
	u64 sizes[NBIND];
};

static struct isa15_job *isa15_job(struct kunit *test,
				   const struct aiot_isa_op_slice *op,
				   u32 minor)
{
	struct isa15_job *job = kunit_kzalloc(test, sizeof(*job), GFP_KERNEL);
	struct aiot_isa_header hdr = {
		.magic = AIOT_ISA_MAGIC,
		.version = AIOT_ISA_VERSION(AIOT_ISA_VERSION_MAJOR, minor),
		.size = sizeof(hdr) + sizeof(*op),
		.op_count = 1,
	};
	struct aiot_isa_op_slice rec = *op;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, job);
	rec.hdr.size = sizeof(rec);
	memcpy(job->stream, &hdr, sizeof(hdr));
	memcpy(job->stream + sizeof(hdr), &rec, sizeof(rec));
	job->len = sizeof(hdr) + sizeof(rec);
	for (i = 0; i < NBIND; i++)
		job->sizes[i] = BUF_BYTES;
	for (i = 0; i < BUF_BYTES; i++)
		job->buf[1][i] = (u8)i;
	memset(job->buf[2], FILL, BUF_BYTES);
	return job;
}

/* Validate and run; a rejection leaves binding 2 untouched. */
static int isa15_check(struct kunit *test, struct isa15_job *job)
{
	void *bind[NBIND] = { job->buf[0], job->buf[1], job->buf[2],
			      job->buf[3] };
	struct aiot_isa_summary sum;
	int ret, run, i;

	ret = aiot_isa_validate(job->stream, job->len, job->sizes, NBIND, &sum);
	run = aiot_isa_execute(job->stream, job->len, bind, job->sizes, NBIND);
	KUNIT_EXPECT_EQ(test, run, ret);
	if (ret) {
		for (i = 0; i < BUF_BYTES; i++)
			if (job->buf[2][i] != FILL)
				break;
		KUNIT_EXPECT_EQ(test, i, BUF_BYTES);
	} else {
		KUNIT_EXPECT_EQ(test, sum.isa_minor, 5u);
	}
	return ret;
}

static struct aiot_isa_tensor isa15_tensor(u8 binding, u32 n, u32 h, u32 w,
					   u32 c, u8 dtype)
{
	struct aiot_isa_tensor t = {
		.binding = binding, .dtype = dtype, .dims = { n, h, w, c },
	};

	return t;
}

/* [1, 3, 4, 2] int16, rows reversed, every other column from the last. */
static const struct aiot_isa_op_slice isa15_good = {
	.hdr.opcode = AIOT_ISA_OP_SLICE,
	.input = { .binding = 1, .dtype = AIOT_ISA_DTYPE_INT16,
		   .dims = { 1, 3, 4, 2 } },
	.output = { .binding = 2, .dtype = AIOT_ISA_DTYPE_INT16,
		    .dims = { 1, 3, 2, 2 } },
	.begin = { 0, 2, 3, 0 },
	.stride = { 1, -1, -2, 1 },
};

static void isa15_slice_reverses(struct kunit *test)
{
	struct isa15_job *job = isa15_job(test, &isa15_good, 5);
	const s16 *in = (const s16 *)job->buf[1];
	const s16 *out = (const s16 *)job->buf[2];
	int h, w, c;

	KUNIT_ASSERT_EQ(test, isa15_check(test, job), 0);
	for (h = 0; h < 3; h++)
		for (w = 0; w < 2; w++)
			for (c = 0; c < 2; c++)
				KUNIT_EXPECT_EQ(test, out[(h * 2 + w) * 2 + c],
						in[((2 - h) * 4 + 3 - 2 * w) * 2 + c]);
}

static void isa15_reject(struct kunit *test)
{
	struct aiot_isa_op_slice op;

	op = isa15_good;
	op.stride[2] = 0;
	KUNIT_EXPECT_EQ(test, isa15_check(test, isa15_job(test, &op, 5)),
			-EINVAL);
	op = isa15_good;
	op.begin[2] = 1;			/* 1, -1: below the axis */
	KUNIT_EXPECT_EQ(test, isa15_check(test, isa15_job(test, &op, 5)),
			-EINVAL);
	op = isa15_good;
	op.stride[1] = 1;			/* 2, 3, 4: past the axis */
	KUNIT_EXPECT_EQ(test, isa15_check(test, isa15_job(test, &op, 5)),
			-EINVAL);
	op = isa15_good;
	op.stride[1] = S32_MIN;
	KUNIT_EXPECT_EQ(test, isa15_check(test, isa15_job(test, &op, 5)),
			-EINVAL);
	op = isa15_good;
	op.begin[3] = U32_MAX;
	KUNIT_EXPECT_EQ(test, isa15_check(test, isa15_job(test, &op, 5)),
			-EINVAL);
	op = isa15_good;
	op.output.dtype = AIOT_ISA_DTYPE_INT8;
	KUNIT_EXPECT_EQ(test, isa15_check(test, isa15_job(test, &op, 5)),
			-EINVAL);
	op = isa15_good;
	op.output.binding = 1;			/* overlaps the input */
	KUNIT_EXPECT_EQ(test, isa15_check(test, isa15_job(test, &op, 5)),
			-EINVAL);
	op = isa15_good;
	op.output = isa15_tensor(2, 1, 3, 2, 256, AIOT_ISA_DTYPE_INT16);
	KUNIT_EXPECT_EQ(test, isa15_check(test, isa15_job(test, &op, 5)),
			-ENOSPC);
	op = isa15_good;
	op.hdr.flags = 1;
	KUNIT_EXPECT_EQ(test, isa15_check(test, isa15_job(test, &op, 5)),
			-EINVAL);
}

static void isa15_needs_minor_5(struct kunit *test)
{
	struct aiot_isa_op_slice op = isa15_good;
	u16 opc;

	KUNIT_EXPECT_EQ(test, isa15_check(test, isa15_job(test, &op, 4)),
			-EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, isa15_check(test, isa15_job(test, &op, 5)), 0);
	/* Numbers after the last assigned one stay unknown. */
	for (opc = AIOT_ISA_NUM_OPCODES; opc < AIOT_ISA_NUM_OPCODES + 8; opc++) {
		op.hdr.opcode = opc;
		KUNIT_EXPECT_EQ(test,
				isa15_check(test, isa15_job(test, &op, 5)),
				-EOPNOTSUPP);
	}
}

static struct kunit_case aiot_isa15_cases[] = {
	KUNIT_CASE(isa15_slice_reverses),
	KUNIT_CASE(isa15_reject),
	KUNIT_CASE(isa15_needs_minor_5),
	{}
};

static struct kunit_suite aiot_isa15_suite = {
	.name = "aiot-isa-1.5",
	.test_cases = aiot_isa15_cases,
};

kunit_test_suites(&aiot_isa15_suite);
