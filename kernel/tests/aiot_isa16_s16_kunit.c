// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: ISA 1.6's int16x8 operations in the kernel build of kernel/isa.
 * CONV_2D_S16, DEPTHWISE_CONV_2D_S16, FULLY_CONNECTED_S16 and ADD_S16 on
 * hand-computed cases (64-bit accumulator, int64 bias, TFLite's 64-bit
 * requantization with its round-half-up, saturation at the int16 limits),
 * the validator's rejections (the executor agrees and leaves the output
 * alone) and the version gate.
 */

#include <kunit/test.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/string.h>

#include "isa/aiot_isa.h"

#define NBIND		4
#define BUF_BYTES	512
#define FILL		0x5a
#define QUANT_OFF	256	/* the records in binding 0, 8-byte aligned */

struct isa16_job {
	u8 stream[256];
	u32 len;
	u8 buf[NBIND][BUF_BYTES];
	u64 sizes[NBIND];
};

static struct isa16_job *isa16_job(struct kunit *test, const void *op,
				   u32 size, u32 minor)
{
	struct isa16_job *job = kunit_kzalloc(test, sizeof(*job), GFP_KERNEL);
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
static int isa16_check(struct kunit *test, struct isa16_job *job)
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
		KUNIT_EXPECT_EQ(test, sum.isa_minor, 6u);
	}
	return ret;
}

static struct aiot_isa_tensor isa16_tensor(u8 binding, u32 n, u32 h, u32 w,
					   u32 c, u8 dtype)
{
	struct aiot_isa_tensor t = {
		.binding = binding,
		.dtype = dtype,
		.dims = { n, h, w, c },
	};

	return t;
}

static void isa16_put_s16(struct isa16_job *job, u32 binding, const s16 *v,
			  u32 n)
{
	memcpy(job->buf[binding], v, n * sizeof(*v));
}

static s16 isa16_out(struct isa16_job *job, u32 index)
{
	s16 v;

	memcpy(&v, job->buf[2] + index * sizeof(v), sizeof(v));
	return v;
}

static void isa16_put_quant(struct isa16_job *job, u32 channel, s64 bias,
			    s32 multiplier, s32 shift)
{
	struct aiot_isa_channel_quant64 q = { bias, multiplier, shift };

	memcpy(job->buf[0] + QUANT_OFF + channel * sizeof(q), &q, sizeof(q));
}

/* A 2x2 VALID convolution of a 2x2 int16 input: one output value. */
static const struct aiot_isa_op_conv isa16_conv = {
	.hdr.opcode = AIOT_ISA_OP_CONV_2D_S16,
	.input = { .binding = 1, .dtype = AIOT_ISA_DTYPE_INT16,
		   .dims = { 1, 2, 2, 1 } },
	.filter = { .binding = 0, .dtype = AIOT_ISA_DTYPE_INT8,
		    .dims = { 1, 2, 2, 1 } },
	.output = { .binding = 2, .dtype = AIOT_ISA_DTYPE_INT16,
		    .dims = { 1, 1, 1, 1 } },
	.quant = { .offset = QUANT_OFF, .binding = 0 },
	.act = { S16_MIN, S16_MAX },
	.stride_h = 1, .stride_w = 1, .dilation_h = 1, .dilation_w = 1,
};

static struct isa16_job *isa16_conv_job(struct kunit *test,
					const struct aiot_isa_op_conv *op,
					s64 bias, u32 minor)
{
	static const s16 in[4] = { 1000, -2000, 3000, 32767 };
	static const s8 w[4] = { 1, -1, 2, 127 };
	struct isa16_job *job = isa16_job(test, op, sizeof(*op), minor);

	isa16_put_s16(job, 1, in, 4);
	memcpy(job->buf[0], w, sizeof(w));
	/* 0.5 * 2^-2 */
	isa16_put_quant(job, 0, bias, 1 << 30, -2);
	return job;
}

static void isa16_conv_values(struct kunit *test)
{
	struct aiot_isa_op_conv op = isa16_conv;
	struct isa16_job *job;

	/* 1000 + 2000 + 6000 + 127 * 32767 - 4000000 = 170409; / 8 */
	job = isa16_conv_job(test, &op, -4000000, 6);
	KUNIT_ASSERT_EQ(test, isa16_check(test, job), 0);
	KUNIT_EXPECT_EQ(test, isa16_out(job, 0), 21301);
	/* An int64 bias beyond anything saturates, never wraps. */
	job = isa16_conv_job(test, &op, S64_MAX, 6);
	KUNIT_ASSERT_EQ(test, isa16_check(test, job), 0);
	KUNIT_EXPECT_EQ(test, isa16_out(job, 0), S16_MAX);
	job = isa16_conv_job(test, &op, S64_MIN, 6);
	KUNIT_ASSERT_EQ(test, isa16_check(test, job), 0);
	KUNIT_EXPECT_EQ(test, isa16_out(job, 0), S16_MIN);
	/* The clamp of a fused activation. */
	op.act.min = 0;
	op.act.max = 100;
	job = isa16_conv_job(test, &op, -4000000, 6);
	KUNIT_ASSERT_EQ(test, isa16_check(test, job), 0);
	KUNIT_EXPECT_EQ(test, isa16_out(job, 0), 100);
}

static void isa16_depthwise_values(struct kunit *test)
{
	static const s16 in[2] = { 300, -400 };
	static const s8 w[2] = { 3, 5 };
	struct aiot_isa_op_conv op = isa16_conv;
	struct isa16_job *job;

	op.hdr.opcode = AIOT_ISA_OP_DEPTHWISE_CONV_2D_S16;
	op.input = isa16_tensor(1, 1, 1, 1, 2, AIOT_ISA_DTYPE_INT16);
	op.filter = isa16_tensor(0, 1, 1, 1, 2, AIOT_ISA_DTYPE_INT8);
	op.output = isa16_tensor(2, 1, 1, 1, 2, AIOT_ISA_DTYPE_INT16);
	op.depth_multiplier = 1;
	job = isa16_job(test, &op, sizeof(op), 6);
	isa16_put_s16(job, 1, in, 2);
	memcpy(job->buf[0], w, sizeof(w));
	isa16_put_quant(job, 0, 0, 1 << 30, 0);
	isa16_put_quant(job, 1, 0, 1 << 30, 0);
	KUNIT_ASSERT_EQ(test, isa16_check(test, job), 0);
	KUNIT_EXPECT_EQ(test, isa16_out(job, 0), 450);
	KUNIT_EXPECT_EQ(test, isa16_out(job, 1), -1000);
}

static void isa16_fc_rounds_half_up(struct kunit *test)
{
	static const s16 in[2] = { 32767, -32768 };
	static const s8 w[2] = { 127, 127 };
	struct aiot_isa_op_fully_connected op = {
		.hdr.opcode = AIOT_ISA_OP_FULLY_CONNECTED_S16,
		.input = isa16_tensor(1, 1, 1, 1, 2, AIOT_ISA_DTYPE_INT16),
		.filter = isa16_tensor(0, 1, 1, 1, 2, AIOT_ISA_DTYPE_INT8),
		.output = isa16_tensor(2, 1, 1, 1, 1, AIOT_ISA_DTYPE_INT16),
		.quant = { .offset = QUANT_OFF },
		.act = { S16_MIN, S16_MAX },
	};
	struct isa16_job *job = isa16_job(test, &op, sizeof(op), 6);

	isa16_put_s16(job, 1, in, 2);
	memcpy(job->buf[0], w, sizeof(w));
	/* -127 * 0.5 = -63.5: TFLite's 64-bit path rounds it to -63. */
	isa16_put_quant(job, 0, 0, 1 << 30, 0);
	KUNIT_ASSERT_EQ(test, isa16_check(test, job), 0);
	KUNIT_EXPECT_EQ(test, isa16_out(job, 0), -63);
}

static const struct aiot_isa_op_add isa16_add = {
	.hdr.opcode = AIOT_ISA_OP_ADD_S16,
	.input1 = { .binding = 1, .dtype = AIOT_ISA_DTYPE_INT16,
		    .dims = { 1, 1, 1, 1 } },
	.input2 = { .binding = 3, .dtype = AIOT_ISA_DTYPE_INT16,
		    .dims = { 1, 1, 1, 1 } },
	.output = { .binding = 2, .dtype = AIOT_ISA_DTYPE_INT16,
		    .dims = { 1, 1, 1, 1 } },
	.left_shift = 15,
	.input1_multiplier = 1 << 30,
	.input2_multiplier = 1 << 30,
	.output_multiplier = 1 << 30,
	.output_shift = -14,
	.act = { S16_MIN, S16_MAX },
};

static void isa16_add_values(struct kunit *test)
{
	static const s16 a = 1000, b = -3000;
	struct aiot_isa_op_add op = isa16_add;
	struct isa16_job *job = isa16_job(test, &op, sizeof(op), 6);

	isa16_put_s16(job, 1, &a, 1);
	isa16_put_s16(job, 3, &b, 1);
	KUNIT_ASSERT_EQ(test, isa16_check(test, job), 0);
	KUNIT_EXPECT_EQ(test, isa16_out(job, 0), -1000);
}

static void isa16_reject(struct kunit *test)
{
	struct aiot_isa_op_conv c = isa16_conv;
	struct aiot_isa_op_add a = isa16_add;

	c.input_zero_point = 1;
	KUNIT_EXPECT_EQ(test, isa16_check(test, isa16_conv_job(test, &c, 0, 6)),
			-EINVAL);
	c = isa16_conv;
	c.quant.offset = QUANT_OFF + 4;	/* the int64 bias misaligned */
	KUNIT_EXPECT_EQ(test, isa16_check(test, isa16_conv_job(test, &c, 0, 6)),
			-EINVAL);
	c = isa16_conv;
	c.quant.offset = BUF_BYTES - 8;	/* a 16-byte record past the end */
	KUNIT_EXPECT_EQ(test, isa16_check(test, isa16_conv_job(test, &c, 0, 6)),
			-ENOSPC);
	c = isa16_conv;
	c.output.dtype = AIOT_ISA_DTYPE_INT8;
	KUNIT_EXPECT_EQ(test, isa16_check(test, isa16_conv_job(test, &c, 0, 6)),
			-EINVAL);
	c = isa16_conv;
	c.act.max = S16_MAX + 1;
	KUNIT_EXPECT_EQ(test, isa16_check(test, isa16_conv_job(test, &c, 0, 6)),
			-EINVAL);
	a.left_shift = 16;
	KUNIT_EXPECT_EQ(test,
			isa16_check(test, isa16_job(test, &a, sizeof(a), 6)),
			-EINVAL);
	a = isa16_add;
	a.output_zero_point = -1;
	KUNIT_EXPECT_EQ(test,
			isa16_check(test, isa16_job(test, &a, sizeof(a), 6)),
			-EINVAL);
}

static void isa16_needs_minor_6(struct kunit *test)
{
	struct aiot_isa_op_conv c = isa16_conv;
	u16 opc;

	KUNIT_EXPECT_EQ(test, isa16_check(test, isa16_conv_job(test, &c, 0, 5)),
			-EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, isa16_check(test, isa16_conv_job(test, &c, 0, 6)),
			0);
	for (opc = AIOT_ISA_NUM_OPCODES; opc < AIOT_ISA_NUM_OPCODES + 8; opc++) {
		c.hdr.opcode = opc;
		KUNIT_EXPECT_EQ(test,
				isa16_check(test,
					    isa16_conv_job(test, &c, 0, 6)),
				-EOPNOTSUPP);
	}
}

static struct kunit_case aiot_isa16_s16_cases[] = {
	KUNIT_CASE(isa16_conv_values),
	KUNIT_CASE(isa16_depthwise_values),
	KUNIT_CASE(isa16_fc_rounds_half_up),
	KUNIT_CASE(isa16_add_values),
	KUNIT_CASE(isa16_reject),
	KUNIT_CASE(isa16_needs_minor_6),
	{}
};

static struct kunit_suite aiot_isa16_s16_suite = {
	.name = "aiot-isa-1.6-int16x8",
	.test_cases = aiot_isa16_s16_cases,
};

kunit_test_suites(&aiot_isa16_s16_suite);
