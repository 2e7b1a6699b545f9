// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: ISA 1.6's TRANSPOSE_CONV and REDUCE in the kernel build of
 * kernel/isa. A transposed convolution with overlapping taps against a
 * scatter loop written here, SUM and the truncating MEAN over axis sets,
 * the validator's rejections (the executor agrees and leaves the output
 * alone) and the version gate.
 */

#include <kunit/test.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "isa/aiot_isa.h"

#define NBIND		4
#define BUF_BYTES	1024
#define FILL		0x5a

struct isa16a_job {
	u8 stream[256];
	u32 len;
	u8 buf[NBIND][BUF_BYTES];
	u64 sizes[NBIND];
};

static struct isa16a_job *isa16a_job(struct kunit *test, const void *op,
				     u32 size, u32 minor)
{
	struct isa16a_job *job = kunit_kzalloc(test, sizeof(*job), GFP_KERNEL);
	struct aiot_isa_header hdr = {
		.magic = AIOT_ISA_MAGIC,
		.version = AIOT_ISA_VERSION(AIOT_ISA_VERSION_MAJOR, minor),
		.size = sizeof(hdr) + size,
		.op_count = 1,
	};
	struct aiot_isa_op_header oh;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, job);
	memcpy(job->stream, &hdr, sizeof(hdr));
	memcpy(job->stream + sizeof(hdr), op, size);
	memcpy(&oh, op, sizeof(oh));
	oh.size = size;
	memcpy(job->stream + sizeof(hdr), &oh, sizeof(oh));
	job->len = sizeof(hdr) + size;
	for (i = 0; i < NBIND; i++)
		job->sizes[i] = BUF_BYTES;
	memset(job->buf[2], FILL, BUF_BYTES);
	return job;
}

/* Validate and run; a rejection leaves binding 2 untouched. */
static int isa16a_check(struct kunit *test, struct isa16a_job *job)
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
	}
	return ret;
}

/*
 * [1, 3, 3, 2] -> [1, 4, 4, 3] with a 2x2 filter, stride 1, no padding:
 * neighbouring inputs' taps overlap. Quantization 2^30 * 2^1 is the
 * identity, so the output is the sum itself plus the bias.
 */
static const struct aiot_isa_op_transpose_conv isa16a_tconv = {
	.hdr.opcode = AIOT_ISA_OP_TRANSPOSE_CONV,
	.input = { .binding = 1, .dtype = AIOT_ISA_DTYPE_INT8,
		   .dims = { 1, 3, 3, 2 } },
	.filter = { .binding = 0, .dtype = AIOT_ISA_DTYPE_INT8,
		    .dims = { 3, 2, 2, 2 } },
	.output = { .binding = 2, .dtype = AIOT_ISA_DTYPE_INT8,
		    .dims = { 1, 4, 4, 3 } },
	.quant = { .binding = 0, .offset = 512 },
	.input_zero_point = 1,
	.output_zero_point = -3,
	.act = { -128, 127 },
	.stride_h = 1,
	.stride_w = 1,
};

static void isa16a_fill_tconv(struct isa16a_job *job)
{
	struct aiot_isa_channel_quant q;
	int i;

	for (i = 0; i < 18; i++)
		job->buf[1][i] = (u8)(i % 7 - 3);
	for (i = 0; i < 24; i++)
		job->buf[0][i] = (u8)(i % 5 - 2);
	for (i = 0; i < 3; i++) {
		q.bias = i - 1;
		q.multiplier = 1 << 30;
		q.shift = 1;
		memcpy(job->buf[0] + 512 + i * sizeof(q), &q, sizeof(q));
	}
}

static void isa16a_tconv_overlapping_taps(struct kunit *test)
{
	struct isa16a_job *job = isa16a_job(test, &isa16a_tconv,
					    sizeof(isa16a_tconv), 6);
	const s8 *in = (const s8 *)job->buf[1], *w = (const s8 *)job->buf[0];
	const s8 *out = (const s8 *)job->buf[2];
	int want[4][4][3] = {};
	int i, y, x, ic, ky, kx, oc;

	isa16a_fill_tconv(job);
	KUNIT_ASSERT_EQ(test, isa16a_check(test, job), 0);
	/* The reference's scatter: each input into the outputs it reaches. */
	for (i = 0; i < 3 * 3 * 2 * 2 * 2 * 3; i++) {
		oc = i % 3;
		kx = i / 3 % 2;
		ky = i / 6 % 2;
		ic = i / 12 % 2;
		x = i / 24 % 3;
		y = i / 72;
		want[y + ky][x + kx][oc] += (in[(y * 3 + x) * 2 + ic] - 1) *
					    w[((oc * 2 + ky) * 2 + kx) * 2 + ic];
	}
	for (y = 0; y < 4; y++)
		for (x = 0; x < 4; x++)
			for (oc = 0; oc < 3; oc++)
				KUNIT_EXPECT_EQ(test, out[(y * 4 + x) * 3 + oc],
						want[y][x][oc] + oc - 1 - 3);
}

static void isa16a_tconv_reject(struct kunit *test)
{
	struct aiot_isa_op_transpose_conv op;
	struct isa16a_job *job;

	op = isa16a_tconv;
	op.pad_top = 2;		/* past the 2-row filter */
	job = isa16a_job(test, &op, sizeof(op), 6);
	isa16a_fill_tconv(job);
	KUNIT_EXPECT_EQ(test, isa16a_check(test, job), -EINVAL);
	op = isa16a_tconv;
	op.reserved[1] = 1;
	job = isa16a_job(test, &op, sizeof(op), 6);
	KUNIT_EXPECT_EQ(test, isa16a_check(test, job), -EINVAL);
	op = isa16a_tconv;
	op.filter.dims[3] = 1;	/* Cin mismatch */
	job = isa16a_job(test, &op, sizeof(op), 6);
	KUNIT_EXPECT_EQ(test, isa16a_check(test, job), -EINVAL);
	op = isa16a_tconv;
	op.quant.offset = BUF_BYTES - 24;	/* 3 records do not fit */
	job = isa16a_job(test, &op, sizeof(op), 6);
	KUNIT_EXPECT_EQ(test, isa16a_check(test, job), -ENOSPC);
	job = isa16a_job(test, &isa16a_tconv, sizeof(isa16a_tconv), 5);
	isa16a_fill_tconv(job);
	KUNIT_EXPECT_EQ(test, isa16a_check(test, job), -EOPNOTSUPP);
}

/* int16 [1, 2, 3, 2]; SUM over axes 1 and 3 with the identity scale. */
static const struct aiot_isa_op_reduce isa16a_sum = {
	.hdr.opcode = AIOT_ISA_OP_REDUCE,
	.input = { .binding = 1, .dtype = AIOT_ISA_DTYPE_INT16,
		   .dims = { 1, 2, 3, 2 } },
	.output = { .binding = 2, .dtype = AIOT_ISA_DTYPE_INT16,
		    .dims = { 1, 1, 3, 1 } },
	.axes = 0xa,
	.mode = AIOT_ISA_REDUCE_REQUANTIZE,
	.input_zero_point = -2,
	.output_zero_point = 7,
	.multiplier = 1 << 30,
	.shift = 1,
	.act = { -32768, 32767 },
};

static void isa16a_reduce_sum_and_mean(struct kunit *test)
{
	struct aiot_isa_op_reduce op = isa16a_sum;
	struct isa16a_job *job = isa16a_job(test, &op, sizeof(op), 6);
	s16 in[12], out[3];
	int i, x, want;

	for (i = 0; i < 12; i++)
		in[i] = (s16)(1000 * i - 5000);
	memcpy(job->buf[1], in, sizeof(in));
	KUNIT_ASSERT_EQ(test, isa16a_check(test, job), 0);
	memcpy(out, job->buf[2], sizeof(out));
	for (x = 0; x < 3; x++) {
		/* 4 elements each, less 4 times the zero point -2. */
		want = in[x * 2] + in[x * 2 + 1] + in[6 + x * 2] +
		       in[6 + x * 2 + 1] + 8 + 7;
		KUNIT_EXPECT_EQ(test, out[x], want);
	}

	/* MEAN_TRUNC over axis 2 of int8: C division, toward zero. */
	op.input.dtype = AIOT_ISA_DTYPE_INT8;
	op.output.dtype = AIOT_ISA_DTYPE_INT8;
	op.output.dims[1] = 2;
	op.output.dims[2] = 1;
	op.output.dims[3] = 2;
	op.axes = 0x4;
	op.mode = AIOT_ISA_REDUCE_MEAN_TRUNC;
	op.input_zero_point = 0;
	op.output_zero_point = 0;
	op.multiplier = 0;
	op.shift = 0;
	op.act.min = -128;
	op.act.max = 127;
	job = isa16a_job(test, &op, sizeof(op), 6);
	for (i = 0; i < 12; i++)
		job->buf[1][i] = (u8)(s8)(i * 3 - 13);
	KUNIT_ASSERT_EQ(test, isa16a_check(test, job), 0);
	for (i = 0; i < 4; i++) {
		int h = i / 2, c = i % 2, s = 0;

		for (x = 0; x < 3; x++)
			s += (s8)job->buf[1][(h * 3 + x) * 2 + c];
		KUNIT_EXPECT_EQ(test, (s8)job->buf[2][i], s / 3);
	}
}

static void isa16a_reduce_reject(struct kunit *test)
{
	struct aiot_isa_op_reduce op;

	op = isa16a_sum;
	op.axes = 0x1a;
	KUNIT_EXPECT_EQ(test, isa16a_check(test, isa16a_job(test, &op,
							    sizeof(op), 6)),
			-EINVAL);
	op = isa16a_sum;
	op.output.dims[2] = 1;	/* axis 2 is kept */
	KUNIT_EXPECT_EQ(test, isa16a_check(test, isa16a_job(test, &op,
							    sizeof(op), 6)),
			-EINVAL);
	op = isa16a_sum;
	op.mode = AIOT_ISA_REDUCE_MEAN_TRUNC;	/* with quantization set */
	KUNIT_EXPECT_EQ(test, isa16a_check(test, isa16a_job(test, &op,
							    sizeof(op), 6)),
			-EINVAL);
	op = isa16a_sum;
	op.reserved[0] = 1;
	KUNIT_EXPECT_EQ(test, isa16a_check(test, isa16a_job(test, &op,
							    sizeof(op), 6)),
			-EINVAL);
	op = isa16a_sum;
	KUNIT_EXPECT_EQ(test, isa16a_check(test, isa16a_job(test, &op,
							    sizeof(op), 5)),
			-EOPNOTSUPP);
}

static struct kunit_case aiot_isa16a_cases[] = {
	KUNIT_CASE(isa16a_tconv_overlapping_taps),
	KUNIT_CASE(isa16a_tconv_reject),
	KUNIT_CASE(isa16a_reduce_sum_and_mean),
	KUNIT_CASE(isa16a_reduce_reject),
	{}
};

static struct kunit_suite aiot_isa16a_suite = {
	.name = "aiot-isa-1.6-ops-a",
	.test_cases = aiot_isa16a_cases,
};

kunit_test_suites(&aiot_isa16a_suite);
