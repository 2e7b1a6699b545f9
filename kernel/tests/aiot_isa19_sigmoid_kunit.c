// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: ISA 1.9's SIGMOID_S16 in the kernel build of kernel/isa. int16
 * LOGISTIC and TANH at TFLite's power-of-two pair (3, 0) (input scale
 * 2^-12) against values worked out by hand from the sigmoid table, the
 * version gate and the multiplier limit.
 */

#include <kunit/test.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/string.h>

#include "isa/aiot_isa.h"

#define NBIND		3
#define BUF_BYTES	64
#define FILL		0x5a
#define COUNT		5

struct isa19_job {
	u8 stream[sizeof(struct aiot_isa_header) +
		  sizeof(struct aiot_isa_op_sigmoid_s16)];
	u8 buf[NBIND][BUF_BYTES];
	u64 sizes[NBIND];
};

/* 0, 1.0, -1.0 and both ends, at scale 2^-12 */
static const s16 isa19_in[COUNT] = { 0, 4096, -4096, S16_MAX, S16_MIN };

static struct aiot_isa_op_sigmoid_s16 isa19_op(u32 function)
{
	struct aiot_isa_op_sigmoid_s16 op = {
		.hdr.opcode = AIOT_ISA_OP_SIGMOID_S16,
		.hdr.size = sizeof(op),
		.input = { .binding = 1, .dtype = AIOT_ISA_DTYPE_INT16,
			   .dims = { 1, 1, COUNT, 1 } },
		.output = { .binding = 2, .dtype = AIOT_ISA_DTYPE_INT16,
			    .dims = { 1, 1, COUNT, 1 } },
		.function = function,
		.input_multiplier = 3,
	};

	return op;
}

/* Validates and runs @op in a stream of minor @minor; fills @out. */
static int isa19_run(struct kunit *test,
		     const struct aiot_isa_op_sigmoid_s16 *op, u32 minor,
		     s16 *out)
{
	struct isa19_job *job = kunit_kzalloc(test, sizeof(*job), GFP_KERNEL);
	struct aiot_isa_header hdr = {
		.magic = AIOT_ISA_MAGIC,
		.version = AIOT_ISA_VERSION(AIOT_ISA_VERSION_MAJOR, minor),
		.size = sizeof(job->stream),
		.op_count = 1,
	};
	struct aiot_isa_summary sum;
	void *bind[NBIND];
	int ret, run, i;

	KUNIT_ASSERT_NOT_NULL(test, job);
	memcpy(job->stream, &hdr, sizeof(hdr));
	memcpy(job->stream + sizeof(hdr), op, sizeof(*op));
	for (i = 0; i < NBIND; i++) {
		job->sizes[i] = BUF_BYTES;
		bind[i] = job->buf[i];
	}
	memcpy(job->buf[1], isa19_in, sizeof(isa19_in));
	memset(job->buf[2], FILL, BUF_BYTES);
	ret = aiot_isa_validate(job->stream, sizeof(job->stream), job->sizes,
				NBIND, &sum);
	run = aiot_isa_execute(job->stream, sizeof(job->stream), bind,
			       job->sizes, NBIND);
	KUNIT_EXPECT_EQ(test, run, ret);
	if (ret) {
		/* a refused stream writes nothing */
		for (i = 0; i < BUF_BYTES; i++)
			if (job->buf[2][i] != FILL)
				break;
		KUNIT_EXPECT_EQ(test, i, BUF_BYTES);
	} else {
		KUNIT_EXPECT_EQ(test, sum.isa_minor, 9u);
		memcpy(out, job->buf[2], COUNT * sizeof(*out));
	}
	return ret;
}

/*
 * v = 3x in units of 1/12288: x = 4096 reads table entry 24 (47911), so
 * (47911 << 9) + 2^9 >> 10 = 23956, and -4096 its complement
 * (2^25 - (47911 << 9) + 511) >> 10 = 8812; 32767 (8.0) gives 32757,
 * 32768 x sigmoid(8).
 */
static void isa19_logistic(struct kunit *test)
{
	struct aiot_isa_op_sigmoid_s16 op = isa19_op(AIOT_ISA_SIGMOID_LOGISTIC);
	static const s16 want[COUNT] = { 16384, 23956, 8812, 32757, 11 };
	s16 out[COUNT];
	int i;

	KUNIT_ASSERT_EQ(test, isa19_run(test, &op, 9, out), 0);
	for (i = 0; i < COUNT; i++)
		KUNIT_EXPECT_EQ(test, out[i], want[i]);
}

/*
 * tanh(1) reads entry 48 (57724) at 2^8 units a step:
 * ((57724 << 8) - 2^23 + 2^7) >> 8 = 24956 = 32768 x tanh(1), and -24956
 * for -1.0; the ends saturate to 32767 and -32767.
 */
static void isa19_tanh(struct kunit *test)
{
	struct aiot_isa_op_sigmoid_s16 op = isa19_op(AIOT_ISA_SIGMOID_TANH);
	static const s16 want[COUNT] = { 0, 24956, -24956, 32767, -32767 };
	s16 out[COUNT];
	int i;

	KUNIT_ASSERT_EQ(test, isa19_run(test, &op, 9, out), 0);
	for (i = 0; i < COUNT; i++)
		KUNIT_EXPECT_EQ(test, out[i], want[i]);
}

static void isa19_limits(struct kunit *test)
{
	struct aiot_isa_op_sigmoid_s16 op = isa19_op(AIOT_ISA_SIGMOID_TANH);
	s16 out[COUNT];

	/* a 1.8 device does not know opcode 56 */
	KUNIT_EXPECT_EQ(test, isa19_run(test, &op, 8, out), -EOPNOTSUPP);
	op.input_multiplier = AIOT_ISA_SIGMOID_MAX_MULTIPLIER + 1;
	KUNIT_EXPECT_EQ(test, isa19_run(test, &op, 9, out), -EINVAL);
	op.input_multiplier = AIOT_ISA_SIGMOID_MAX_MULTIPLIER;
	op.input_left_shift = 32;
	KUNIT_EXPECT_EQ(test, isa19_run(test, &op, 9, out), -EINVAL);
	op.input_left_shift = 31;
	KUNIT_EXPECT_EQ(test, isa19_run(test, &op, 9, out), 0);
	op.function = 2;
	KUNIT_EXPECT_EQ(test, isa19_run(test, &op, 9, out), -EINVAL);
}

static struct kunit_case aiot_isa19_sigmoid_cases[] = {
	KUNIT_CASE(isa19_logistic),
	KUNIT_CASE(isa19_tanh),
	KUNIT_CASE(isa19_limits),
	{}
};

static struct kunit_suite aiot_isa19_sigmoid_suite = {
	.name = "aiot-isa-1.9-sigmoid",
	.test_cases = aiot_isa19_sigmoid_cases,
};

kunit_test_suite(aiot_isa19_sigmoid_suite);
