// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: ISA 1.8 in the kernel build of kernel/isa. An int16 max pool and
 * an int16 SUB with extreme zero points run on small tensors against values
 * worked out by hand, the version gate (minor 7 refuses int16 elements),
 * and the limits that keep the int16 arithmetic in 31 bits.
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

struct isa18_job {
	u8 stream[sizeof(struct aiot_isa_header) + sizeof(struct aiot_isa_op_add)];
	u32 len;
	u8 buf[NBIND][BUF_BYTES];
	u64 sizes[NBIND];
};

static struct isa18_job *isa18_job(struct kunit *test, const void *op,
				   u32 op_size, u32 minor)
{
	struct isa18_job *job = kunit_kzalloc(test, sizeof(*job), GFP_KERNEL);
	struct aiot_isa_header hdr = {
		.magic = AIOT_ISA_MAGIC,
		.version = AIOT_ISA_VERSION(AIOT_ISA_VERSION_MAJOR, minor),
		.size = sizeof(hdr) + op_size,
		.op_count = 1,
	};
	struct aiot_isa_op_header *oh;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, job);
	KUNIT_ASSERT_LE(test, sizeof(hdr) + op_size, sizeof(job->stream));
	memcpy(job->stream, &hdr, sizeof(hdr));
	memcpy(job->stream + sizeof(hdr), op, op_size);
	oh = (struct aiot_isa_op_header *)(job->stream + sizeof(hdr));
	oh->size = op_size;
	job->len = sizeof(hdr) + op_size;
	for (i = 0; i < NBIND; i++)
		job->sizes[i] = BUF_BYTES;
	memset(job->buf[2], FILL, BUF_BYTES);
	return job;
}

/* Validate and run; a rejection leaves binding 2 untouched. */
static int isa18_check(struct kunit *test, struct isa18_job *job)
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
		KUNIT_EXPECT_EQ(test, sum.isa_minor, 8u);
	}
	return ret;
}

/* A stream of @op alone, declaring minor 8, on zeroed inputs. */
static int isa18_run(struct kunit *test, const void *op, u32 op_size)
{
	return isa18_check(test, isa18_job(test, op, op_size, 8));
}

static struct aiot_isa_tensor isa18_t16(u8 binding, u32 h, u32 w)
{
	struct aiot_isa_tensor t = {
		.binding = binding, .dtype = AIOT_ISA_DTYPE_INT16,
		.dims = { 1, h, w, 1 },
	};

	return t;
}

/* 2x2 windows, stride 2, over [1, 2, 4, 1]: the most negative values too. */
static void isa18_max_pool(struct kunit *test)
{
	static const s16 in[8] = { S16_MIN, S16_MIN, -5, 7,
				   S16_MIN, S16_MIN, S16_MAX, -9 };
	struct aiot_isa_op_pool op = {
		.hdr.opcode = AIOT_ISA_OP_MAX_POOL_2D,
		.input = isa18_t16(1, 2, 4),
		.output = isa18_t16(2, 1, 2),
		.act = { .min = S16_MIN, .max = S16_MAX },
		.filter_h = 2, .filter_w = 2, .stride_h = 2, .stride_w = 2,
	};
	struct isa18_job *job = isa18_job(test, &op, sizeof(op), 8);
	s16 out[2];

	memcpy(job->buf[1], in, sizeof(in));
	KUNIT_ASSERT_EQ(test, isa18_check(test, job), 0);
	memcpy(out, job->buf[2], sizeof(out));
	KUNIT_EXPECT_EQ(test, out[0], S16_MIN);
	KUNIT_EXPECT_EQ(test, out[1], S16_MAX);

	/* ISA 1.7 has int8 pools only. */
	job = isa18_job(test, &op, sizeof(op), 7);
	memcpy(job->buf[1], in, sizeof(in));
	KUNIT_EXPECT_EQ(test, isa18_check(test, job), -EINVAL);

	/* An average over more than 65535 int16 values could overflow. */
	op.hdr.opcode = AIOT_ISA_OP_AVERAGE_POOL_2D;
	op.filter_h = 256;
	op.filter_w = 256;
	KUNIT_EXPECT_EQ(test, isa18_run(test, &op, sizeof(op)), -E2BIG);
}

/*
 * SUB with the identity rescaling (multipliers 2^30, shift 0, left shift
 * 15, output multiplier 2^30 with shift -13): out = (a - zp1) - (b - zp2)
 * + zp_out, clamped; zero points at the int16 extremes.
 */
static void isa18_sub(struct kunit *test)
{
	static const s16 a[2] = { S16_MAX, 0 };
	static const s16 b[2] = { S16_MIN, 100 };
	struct aiot_isa_op_add op = {
		.hdr.opcode = AIOT_ISA_OP_SUB,
		.input1 = isa18_t16(1, 1, 2),
		.input2 = isa18_t16(1, 1, 2),
		.output = isa18_t16(2, 1, 2),
		.input1_zero_point = S16_MAX,
		.input2_zero_point = S16_MIN,
		.output_zero_point = -1000,
		.left_shift = 15,
		.input1_multiplier = 1 << 30,
		.input2_multiplier = 1 << 30,
		.output_multiplier = 1 << 30,
		.output_shift = -13,
		.act = { .min = S16_MIN, .max = S16_MAX },
	};
	struct isa18_job *job;
	s16 out[2];

	op.input2.offset = sizeof(a);
	job = isa18_job(test, &op, sizeof(op), 8);
	memcpy(job->buf[1], a, sizeof(a));
	memcpy(job->buf[1] + sizeof(a), b, sizeof(b));
	KUNIT_ASSERT_EQ(test, isa18_check(test, job), 0);
	memcpy(out, job->buf[2], sizeof(out));
	/* (32767 - 32767) - (-32768 + 32768) - 1000 */
	KUNIT_EXPECT_EQ(test, out[0], -1000);
	/* (0 - 32767) - (100 + 32768) - 1000: below int16, clamped */
	KUNIT_EXPECT_EQ(test, out[1], S16_MIN);

	op.left_shift = 16;
	KUNIT_EXPECT_EQ(test, isa18_run(test, &op, sizeof(op)), -EINVAL);
	/* MUL's int16 input zero points must be 0. */
	op.hdr.opcode = AIOT_ISA_OP_MUL;
	op.left_shift = 0;
	op.input1_multiplier = 0;
	op.input2_multiplier = 0;
	KUNIT_EXPECT_EQ(test, isa18_run(test, &op, sizeof(op)), -EINVAL);
	op.input1_zero_point = 0;
	op.input2_zero_point = 0;
	KUNIT_EXPECT_EQ(test, isa18_run(test, &op, sizeof(op)), 0);
}

static struct kunit_case aiot_isa18_cases[] = {
	KUNIT_CASE(isa18_max_pool),
	KUNIT_CASE(isa18_sub),
	{}
};

static struct kunit_suite aiot_isa18_suite = {
	.name = "aiot-isa-1.8-int16",
	.test_cases = aiot_isa18_cases,
};

kunit_test_suite(aiot_isa18_suite);
