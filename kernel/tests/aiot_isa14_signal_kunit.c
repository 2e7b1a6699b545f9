// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: ISA 1.4, the audio front end, in the kernel build of kernel/isa.
 * Golden runs of a few operations, the validator's rejections (the
 * executor agrees and leaves the output alone) and the version gate. The
 * device's gate (SUBMIT of a 1.4 stream on a 1.3 device) is in the 1.3
 * suite, whose fake device this shares nothing with.
 */

#include <kunit/test.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/string.h>

#include "isa/aiot_isa.h"

#define NBIND		4
#define BUF_BYTES	2048
#define FILL		0x5a

struct isa14_job {
	u8 stream[256];
	u32 len;
	u8 buf[NBIND][BUF_BYTES];
	u64 sizes[NBIND];
};

static struct isa14_job *job_one(struct kunit *test, const void *op, u32 size,
				 u32 minor)
{
	struct isa14_job *job = kunit_kzalloc(test, sizeof(*job), GFP_KERNEL);
	struct aiot_isa_header hdr = {
		.magic = AIOT_ISA_MAGIC,
		.version = AIOT_ISA_VERSION(AIOT_ISA_VERSION_MAJOR, minor),
		.size = sizeof(hdr) + size,
		.op_count = 1,
	};
	int i;

	KUNIT_ASSERT_NOT_NULL(test, job);
	memcpy(job->stream, &hdr, sizeof(hdr));
	memcpy(job->stream + sizeof(hdr), op, size);
	((struct aiot_isa_op_header *)(job->stream + sizeof(hdr)))->size = size;
	job->len = sizeof(hdr) + size;
	for (i = 0; i < NBIND; i++)
		job->sizes[i] = BUF_BYTES;
	memset(job->buf[2], FILL, BUF_BYTES);
	return job;
}

static int job_run(struct isa14_job *job)
{
	void *bind[NBIND] = { job->buf[0], job->buf[1], job->buf[2],
			      job->buf[3] };

	return aiot_isa_execute(job->stream, job->len, bind, job->sizes,
				NBIND);
}

static struct aiot_isa_tensor flat(u8 binding, u32 offset, u32 n, u8 dtype)
{
	struct aiot_isa_tensor t = {
		.binding = binding, .offset = offset, .dtype = dtype,
		.dims = { 1, 1, 1, n },
	};

	return t;
}

/* Validate and run; a rejection leaves binding 2 untouched. */
static int check_one(struct kunit *test, struct isa14_job *job)
{
	struct aiot_isa_summary sum;
	int ret, i;

	ret = aiot_isa_validate(job->stream, job->len, job->sizes, NBIND, &sum);
	KUNIT_EXPECT_EQ(test, job_run(job), ret);
	if (ret) {
		KUNIT_EXPECT_EQ(test, sum.error_op, 0u);
		for (i = 0; i < BUF_BYTES; i++)
			if (job->buf[2][i] != FILL)
				break;
		KUNIT_EXPECT_EQ(test, i, BUF_BYTES);
	} else {
		KUNIT_EXPECT_EQ(test, sum.isa_minor, 4u);
	}
	return ret;
}

static void isa14_window(struct kunit *test)
{
	static const s16 in[4] = { 1000, -1000, 32767, -32768 };
	static const s16 win[4] = { 16384, 16384, 32767, 32767 };
	static const s16 want[4] = { 1000, -1000, 32767, -32768 };
	struct aiot_isa_op_signal_window op = {
		.hdr.opcode = AIOT_ISA_OP_SIGNAL_WINDOW,
		.input = flat(1, 0, 4, AIOT_ISA_DTYPE_INT16),
		.weights = flat(0, 0, 4, AIOT_ISA_DTYPE_INT16),
		.output = flat(2, 0, 4, AIOT_ISA_DTYPE_INT16),
		.shift = 14,
	};
	struct isa14_job *job = job_one(test, &op, sizeof(op), 4);

	memcpy(job->buf[1], in, sizeof(in));
	memcpy(job->buf[0], win, sizeof(win));
	KUNIT_ASSERT_EQ(test, check_one(test, job), 0);
	KUNIT_EXPECT_MEMEQ(test, job->buf[2], want, sizeof(want));
}

static void isa14_div_and_sqrt(struct kunit *test)
{
	static const s32 num[4] = { 7, -7, S32_MIN, 5 };
	static const s32 den[4] = { 2, 2, -1, 0 };
	static const s32 quot[4] = { 3, -3, S32_MIN, 0 };
	static const u64 sq_in[4] = { 0, 15, 16, 1ull << 40 };
	static const u32 sq_want[4] = { 0, 4, 4, 1u << 20 };
	struct aiot_isa_op_binary_int32 div = {
		.hdr.opcode = AIOT_ISA_OP_DIV_INT32,
		.input1 = flat(1, 0, 4, AIOT_ISA_DTYPE_INT32),
		.input2 = flat(1, 16, 4, AIOT_ISA_DTYPE_INT32),
		.output = flat(2, 0, 4, AIOT_ISA_DTYPE_INT32),
		.act = { S32_MIN, S32_MAX },
	};
	struct aiot_isa_op_signal_filter_bank_sqrt sq = {
		.hdr.opcode = AIOT_ISA_OP_SIGNAL_FILTER_BANK_SQRT,
		.input = { .binding = 1, .dtype = AIOT_ISA_DTYPE_INT32,
			   .dims = { 1, 1, 4, 2 } },
		.scale = flat(1, 64, 1, AIOT_ISA_DTYPE_INT32),
		.output = flat(2, 0, 4, AIOT_ISA_DTYPE_INT32),
	};
	struct isa14_job *job = job_one(test, &div, sizeof(div), 4);

	memcpy(job->buf[1], num, sizeof(num));
	memcpy(job->buf[1] + 16, den, sizeof(den));
	KUNIT_ASSERT_EQ(test, check_one(test, job), 0);
	KUNIT_EXPECT_MEMEQ(test, job->buf[2], quot, sizeof(quot));

	job = job_one(test, &sq, sizeof(sq), 4);
	memcpy(job->buf[1], sq_in, sizeof(sq_in));
	KUNIT_ASSERT_EQ(test, check_one(test, job), 0);
	KUNIT_EXPECT_MEMEQ(test, job->buf[2], sq_want, sizeof(sq_want));
}

static void expect_rejected(struct kunit *test, const void *op, u32 size,
			    int err)
{
	KUNIT_EXPECT_EQ(test, check_one(test, job_one(test, op, size, 4)),
			err);
}

static void isa14_reject(struct kunit *test)
{
	struct aiot_isa_op_signal_window w = {
		.hdr.opcode = AIOT_ISA_OP_SIGNAL_WINDOW,
		.input = flat(1, 0, 480, AIOT_ISA_DTYPE_INT16),
		.weights = flat(0, 0, 480, AIOT_ISA_DTYPE_INT16),
		.output = flat(2, 0, 480, AIOT_ISA_DTYPE_INT16),
		.shift = 32,
	};
	struct aiot_isa_op_signal_rfft r = {
		.hdr.opcode = AIOT_ISA_OP_SIGNAL_RFFT,
		.input = flat(1, 0, 480, AIOT_ISA_DTYPE_INT16),
		.output = flat(2, 0, 514, AIOT_ISA_DTYPE_INT16),
		.scratch = flat(3, 0, 1024, AIOT_ISA_DTYPE_INT16),
		.fft_length = 480,
	};
	struct aiot_isa_op_signal_spectral_subtraction s = {
		.hdr.opcode = AIOT_ISA_OP_SIGNAL_SPECTRAL_SUBTRACTION,
		.input = flat(1, 0, 40, AIOT_ISA_DTYPE_INT32),
		.output = flat(2, 0, 40, AIOT_ISA_DTYPE_INT32),
		.noise_estimate = flat(2, 160, 40, AIOT_ISA_DTYPE_INT32),
		.state = flat(2, 0, 40, AIOT_ISA_DTYPE_INT32),
	};
	struct aiot_isa_op_signal_pcan p = {
		.hdr.opcode = AIOT_ISA_OP_SIGNAL_PCAN,
		.input = flat(1, 0, 40, AIOT_ISA_DTYPE_INT32),
		.noise_estimate = flat(1, 160, 40, AIOT_ISA_DTYPE_INT32),
		.gain_lut = flat(0, 0, AIOT_ISA_PCAN_LUT_ENTRIES - 1,
				 AIOT_ISA_DTYPE_INT16),
		.output = flat(2, 0, 40, AIOT_ISA_DTYPE_INT32),
	};

	expect_rejected(test, &w, sizeof(w), -EINVAL);		/* shift 32 */
	w.shift = 12;
	w.output.offset = BUF_BYTES - 4;			/* past the end */
	expect_rejected(test, &w, sizeof(w), -ENOSPC);
	expect_rejected(test, &r, sizeof(r), -EINVAL);		/* 480 not 2^n */
	r.fft_length = 512;
	r.twiddles.offset = BUF_BYTES - 1532;			/* 1536 bytes */
	expect_rejected(test, &r, sizeof(r), -ENOSPC);
	expect_rejected(test, &s, sizeof(s), -EINVAL);		/* state = out */
	expect_rejected(test, &p, sizeof(p), -EINVAL);		/* short table */
}

static void isa14_needs_minor_4(struct kunit *test)
{
	struct aiot_isa_op_binary_int32 op = {
		.hdr.opcode = AIOT_ISA_OP_ADD_INT32,
		.input1 = flat(1, 0, 4, AIOT_ISA_DTYPE_INT32),
		.input2 = flat(1, 16, 4, AIOT_ISA_DTYPE_INT32),
		.output = flat(2, 0, 4, AIOT_ISA_DTYPE_INT32),
		.act = { S32_MIN, S32_MAX },
	};
	struct aiot_isa_summary sum;
	struct isa14_job *job;
	u16 opc;

	KUNIT_EXPECT_EQ(test, check_one(test, job_one(test, &op, sizeof(op), 4)),
			0);
	for (opc = AIOT_ISA_OP_SIGNAL_WINDOW; opc <= AIOT_ISA_OP_MAXIMUM_INT32;
	     opc++) {
		op.hdr.opcode = opc;
		job = job_one(test, &op, sizeof(op), 3);
		KUNIT_EXPECT_EQ(test, aiot_isa_validate(job->stream, job->len,
							job->sizes, NBIND,
							&sum),
				-EOPNOTSUPP);
		KUNIT_EXPECT_EQ(test, job_run(job), -EOPNOTSUPP);
		KUNIT_EXPECT_EQ(test, job->buf[2][0], FILL);
	}
	/* Numbers this validator does not assign stay unknown. */
	for (opc = 24; opc <= 29; opc++) {
		op.hdr.opcode = opc;
		job = job_one(test, &op, sizeof(op), 4);
		KUNIT_EXPECT_EQ(test, job_run(job), -EOPNOTSUPP);
	}
}

static struct kunit_case aiot_isa14_cases[] = {
	KUNIT_CASE(isa14_window),
	KUNIT_CASE(isa14_div_and_sqrt),
	KUNIT_CASE(isa14_reject),
	KUNIT_CASE(isa14_needs_minor_4),
	{}
};

static struct kunit_suite aiot_isa14_suite = {
	.name = "aiot-isa-1.4-signal",
	.test_cases = aiot_isa14_cases,
};

kunit_test_suites(&aiot_isa14_suite);
