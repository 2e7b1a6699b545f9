// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: ISA 1.9's TRANSPOSE_CONV_S16 in the kernel build of kernel/isa.
 * A 2x2 int16 input through a 2x2 int8 filter at stride 1, every output
 * worked out by hand (overlapping taps, the int64 bias, round half up,
 * saturation at both int16 limits), the version gate (minor 8 refuses
 * opcode 54) and a few of the validator's rules.
 */

#include <kunit/test.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/string.h>

#include "isa/aiot_isa.h"

#define NBIND		3
#define BUF_BYTES	256
#define FILL		0x5a
#define QUANT_OFFSET	8

struct isa19_job {
	u8 stream[sizeof(struct aiot_isa_header) +
		  sizeof(struct aiot_isa_op_transpose_conv)];
	u32 len;
	u8 buf[NBIND][BUF_BYTES];
	u64 sizes[NBIND];
};

/*
 * in  [1, 2, 2, 1]: 1000 -2000 / 3 4        (binding 1)
 * w   [1, 2, 2, 1]: 1 2 / -1 -128           (binding 0, offset 0)
 * one record {bias 5, 0.5, shift 0}         (binding 0, QUANT_OFFSET)
 * out [1, 3, 3, 1]                          (binding 2)
 */
static const s16 isa19_in[4] = { 1000, -2000, 3, 4 };
static const s8 isa19_w[4] = { 1, 2, -1, -128 };

static struct aiot_isa_op_transpose_conv isa19_op(void)
{
	struct aiot_isa_op_transpose_conv op = {
		.hdr.opcode = AIOT_ISA_OP_TRANSPOSE_CONV_S16,
		.input = { .binding = 1, .dtype = AIOT_ISA_DTYPE_INT16,
			   .dims = { 1, 2, 2, 1 } },
		.filter = { .binding = 0, .dtype = AIOT_ISA_DTYPE_INT8,
			    .dims = { 1, 2, 2, 1 } },
		.output = { .binding = 2, .dtype = AIOT_ISA_DTYPE_INT16,
			    .dims = { 1, 3, 3, 1 } },
		.quant = { .binding = 0, .offset = QUANT_OFFSET },
		.act = { .min = S16_MIN, .max = S16_MAX },
		.stride_h = 1,
		.stride_w = 1,
	};

	return op;
}

static struct isa19_job *isa19_job(struct kunit *test,
				   const struct aiot_isa_op_transpose_conv *op,
				   u32 minor)
{
	struct isa19_job *job = kunit_kzalloc(test, sizeof(*job), GFP_KERNEL);
	struct aiot_isa_header hdr = {
		.magic = AIOT_ISA_MAGIC,
		.version = AIOT_ISA_VERSION(AIOT_ISA_VERSION_MAJOR, minor),
		.size = sizeof(hdr) + sizeof(*op),
		.op_count = 1,
	};
	struct aiot_isa_channel_quant64 q = {
		.bias = 5, .multiplier = 1 << 30, .shift = 0,
	};
	struct aiot_isa_op_header *oh;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, job);
	memcpy(job->stream, &hdr, sizeof(hdr));
	memcpy(job->stream + sizeof(hdr), op, sizeof(*op));
	oh = (struct aiot_isa_op_header *)(job->stream + sizeof(hdr));
	oh->size = sizeof(*op);
	job->len = sizeof(hdr) + sizeof(*op);
	for (i = 0; i < NBIND; i++)
		job->sizes[i] = BUF_BYTES;
	memcpy(job->buf[0], isa19_w, sizeof(isa19_w));
	memcpy(job->buf[0] + QUANT_OFFSET, &q, sizeof(q));
	memcpy(job->buf[1], isa19_in, sizeof(isa19_in));
	memset(job->buf[2], FILL, BUF_BYTES);
	return job;
}

/* Validate and run; a rejection leaves binding 2 untouched. */
static int isa19_check(struct kunit *test, struct isa19_job *job)
{
	void *bind[NBIND] = { job->buf[0], job->buf[1], job->buf[2] };
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
		KUNIT_EXPECT_EQ(test, sum.isa_minor, 9u);
		KUNIT_EXPECT_EQ(test, sum.op_mask,
				1ull << AIOT_ISA_OP_TRANSPOSE_CONV_S16);
	}
	return ret;
}

static int isa19_run(struct kunit *test,
		     const struct aiot_isa_op_transpose_conv *op)
{
	return isa19_check(test, isa19_job(test, op, 9));
}

/*
 * out[oy][ox] = sum of in[iy][ix] * w[oy - iy][ox - ix], plus 5, times
 * 0.5 rounded half up (the Q31 0.5 reduces to 2^14, the shift is 15):
 *   1000 + 5 = 1005     -> 503     2000 - 2000 + 5 = 5 -> 3
 *   -4000 + 5 = -3995   -> -1997   -1000 + 3 + 5 = -992 -> -496
 *   -128000 + 2000 + 6 + 4 + 5 = -125985 -> -62992: S16_MIN
 *   256000 + 8 + 5 = 256013 -> 128007: S16_MAX
 *   -3 + 5 = 2 -> 1     -384 - 4 + 5 = -383 -> -191
 *   -512 + 5 = -507     -> -253
 */
static void isa19_tconv_by_hand(struct kunit *test)
{
	static const s16 want[9] = { 503, 3, -1997, -496, S16_MIN, S16_MAX,
				     1, -191, -253 };
	struct aiot_isa_op_transpose_conv op = isa19_op();
	struct isa19_job *job = isa19_job(test, &op, 9);
	s16 out[9];
	int i;

	KUNIT_ASSERT_EQ(test, isa19_check(test, job), 0);
	memcpy(out, job->buf[2], sizeof(out));
	for (i = 0; i < 9; i++)
		KUNIT_EXPECT_EQ_MSG(test, out[i], want[i], "output %d", i);

	/* A narrower clamp bounds the same outputs. */
	op.act.min = -500;
	op.act.max = 500;
	job = isa19_job(test, &op, 9);
	KUNIT_ASSERT_EQ(test, isa19_check(test, job), 0);
	memcpy(out, job->buf[2], sizeof(out));
	KUNIT_EXPECT_EQ(test, out[0], 500);
	KUNIT_EXPECT_EQ(test, out[2], -500);
	KUNIT_EXPECT_EQ(test, out[3], -496);
}

/* Opcode 54 is ISA 1.9's: a stream declaring 1.8 is refused. */
static void isa19_version_gate(struct kunit *test)
{
	struct aiot_isa_op_transpose_conv op = isa19_op();

	KUNIT_EXPECT_EQ(test, isa19_check(test, isa19_job(test, &op, 8)),
			-EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, isa19_check(test, isa19_job(test, &op, 9)), 0);
	KUNIT_EXPECT_LT(test, AIOT_ISA_OP_TRANSPOSE_CONV_S16,
			AIOT_ISA_NUM_OPCODES);
}

static void isa19_rules(struct kunit *test)
{
	struct aiot_isa_op_transpose_conv op = isa19_op();

	op.quant.offset = QUANT_OFFSET + 4;	/* int64 bias misaligned */
	KUNIT_EXPECT_EQ(test, isa19_run(test, &op), -EINVAL);
	op = isa19_op();
	op.input_zero_point = 1;
	KUNIT_EXPECT_EQ(test, isa19_run(test, &op), -EINVAL);
	op = isa19_op();
	op.act.max = S16_MAX + 1;
	KUNIT_EXPECT_EQ(test, isa19_run(test, &op), -EINVAL);
	op = isa19_op();
	op.pad_top = 2;				/* the filter's height */
	KUNIT_EXPECT_EQ(test, isa19_run(test, &op), -EINVAL);
	op = isa19_op();
	op.reserved[1] = 1;
	KUNIT_EXPECT_EQ(test, isa19_run(test, &op), -EINVAL);
	op = isa19_op();
	op.input.dtype = AIOT_ISA_DTYPE_INT8;
	KUNIT_EXPECT_EQ(test, isa19_run(test, &op), -EINVAL);
	/* The output on top of the records. */
	op = isa19_op();
	op.output.binding = 0;
	op.output.offset = QUANT_OFFSET;
	KUNIT_EXPECT_EQ(test, isa19_run(test, &op), -EINVAL);
}

static struct kunit_case aiot_isa19_tconv_cases[] = {
	KUNIT_CASE(isa19_tconv_by_hand),
	KUNIT_CASE(isa19_version_gate),
	KUNIT_CASE(isa19_rules),
	{}
};

static struct kunit_suite aiot_isa19_tconv_suite = {
	.name = "aiot-isa-1.9-tconv-s16",
	.test_cases = aiot_isa19_tconv_cases,
};

kunit_test_suite(aiot_isa19_tconv_suite);
