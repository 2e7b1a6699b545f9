// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the ISA 1.4 preprocessing operations (RESIZE,
 * FRAME_TO_TENSOR) in the kernel's build of kernel/isa: golden runs worked
 * out by hand in the comments; the validator's rejection of bad parameters,
 * with nothing written; the refusal of both in a stream that declares ISA
 * 1.3 and of the unassigned opcodes 24..29. The device gate (a 1.3 device
 * refuses a 1.4 stream) is aiot-isa-1.3's isa13_device_gate.
 */

#include <kunit/test.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "isa/aiot_isa.h"

#define NBIND		3
#define BUF_BYTES	512
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

/* Validate and run; a rejection must leave the output untouched. */
static int check_one(struct kunit *test, struct isa14_job *job)
{
	void *bind[NBIND] = { job->buf[0], job->buf[1], job->buf[2] };
	struct aiot_isa_summary sum;
	int ret, i;

	ret = aiot_isa_validate(job->stream, job->len, job->sizes, NBIND, &sum);
	KUNIT_EXPECT_EQ(test, aiot_isa_execute(job->stream, job->len, bind,
					       job->sizes, NBIND), ret);
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

static struct aiot_isa_tensor t8(u8 binding, u32 n, u32 h, u32 w, u32 c)
{
	struct aiot_isa_tensor t = {
		.binding = binding, .dtype = AIOT_ISA_DTYPE_INT8,
		.dims = { n, h, w, c },
	};

	return t;
}

/* YUYV 2x1 of white (Y 235) and black (Y 16), neutral chroma, as RGB. */
static struct aiot_isa_op_frame_to_tensor frame_op(void)
{
	struct aiot_isa_op_frame_to_tensor op = {
		.hdr.opcode = AIOT_ISA_OP_FRAME_TO_TENSOR,
		.frame = { .stride = { 4 }, .width = 2, .height = 1,
			   .binding = 1, .format = AIOT_ISA_PIX_YUYV },
		.crop = { .height = 1, .width = 2 },
		.output = t8(2, 1, 1, 2, 3),
		.mode = AIOT_ISA_RESIZE_NEAREST,
		/* 1.0: MBQM(v, 2^30, 1) == v */
		.multiplier = 1 << 30,
		.shift = 1,
		.output_zero_point = -128,
		.act = { -128, 127 },
	};

	return op;
}

static void isa14_frame_to_tensor(struct kunit *test)
{
	struct aiot_isa_op_frame_to_tensor op = frame_op();
	static const u8 yuyv[] = { 235, 128, 16, 128 };
	/* 298 * 219 + 128 >> 8 = 255 -> 127; 128 >> 8 = 0 -> -128 */
	static const s8 want[] = { 127, 127, 127, -128, -128, -128 };
	/* BT.601 red: Y 81, Cb 90, Cr 240 -> (255, 0, 0); BGR order */
	static const u8 red[] = { 81, 90, 81, 240 };
	static const s8 want_bgr[] = { -128, -128, 127, -128, -128, 127 };
	struct isa14_job *job = job_one(test, &op, sizeof(op), 4);

	memcpy(job->buf[1], yuyv, sizeof(yuyv));
	KUNIT_ASSERT_EQ(test, check_one(test, job), 0);
	KUNIT_EXPECT_MEMEQ(test, job->buf[2], want, sizeof(want));
	KUNIT_EXPECT_EQ(test, job->buf[2][sizeof(want)], FILL);

	op.flags = AIOT_ISA_FRAME_BGR;
	job = job_one(test, &op, sizeof(op), 4);
	memcpy(job->buf[1], red, sizeof(red));
	KUNIT_ASSERT_EQ(test, check_one(test, job), 0);
	KUNIT_EXPECT_MEMEQ(test, job->buf[2], want_bgr, sizeof(want_bgr));
}

/* 1x4x1x1 {-100, 0, 50, 100} to 1x2x1x1. */
static struct aiot_isa_op_resize resize_op(u32 mode, u32 flags)
{
	struct aiot_isa_op_resize op = {
		.hdr.opcode = AIOT_ISA_OP_RESIZE,
		.input = t8(1, 1, 4, 1, 1),
		.output = t8(2, 1, 2, 1, 1),
		.crop = { .height = 4, .width = 1 },
		.mode = mode,
		.flags = flags,
	};

	return op;
}

static void isa14_resize(struct kunit *test)
{
	static const s8 in[] = { -100, 0, 50, 100 };
	/* nearest: rows floor(o * 4 / 2) = 0, 2 */
	static const s8 nearest[] = { -100, 50 };
	/*
	 * bilinear, half pixel centers: scale10 2048, pos = o * 2048 + 512;
	 * row 0 is (-100 * 512 + 0 * 512) / 1024 = -50, row 1 is
	 * (50 + 100) / 2 = 75.
	 */
	static const s8 bilinear[] = { -50, 75 };
	struct aiot_isa_op_resize op = resize_op(AIOT_ISA_RESIZE_NEAREST, 0);
	struct isa14_job *job = job_one(test, &op, sizeof(op), 4);

	memcpy(job->buf[1], in, sizeof(in));
	KUNIT_ASSERT_EQ(test, check_one(test, job), 0);
	KUNIT_EXPECT_MEMEQ(test, job->buf[2], nearest, sizeof(nearest));

	op = resize_op(AIOT_ISA_RESIZE_BILINEAR,
		       AIOT_ISA_RESIZE_HALF_PIXEL_CENTERS);
	job = job_one(test, &op, sizeof(op), 4);
	memcpy(job->buf[1], in, sizeof(in));
	KUNIT_ASSERT_EQ(test, check_one(test, job), 0);
	KUNIT_EXPECT_MEMEQ(test, job->buf[2], bilinear, sizeof(bilinear));
}

static void expect_frame_rejected(struct kunit *test,
				  const struct aiot_isa_op_frame_to_tensor *op,
				  int err)
{
	KUNIT_EXPECT_EQ(test, check_one(test, job_one(test, op, sizeof(*op), 4)),
			err);
}

static void isa14_reject_frame(struct kunit *test)
{
	struct aiot_isa_op_frame_to_tensor op;

	op = frame_op();
	op.frame.format = 7;
	expect_frame_rejected(test, &op, -EINVAL);
	op = frame_op();
	op.frame.width = 3;	/* odd YUYV */
	op.frame.stride[0] = 6;
	expect_frame_rejected(test, &op, -EINVAL);
	op = frame_op();
	op.frame.stride[0] = 3;	/* below the row */
	expect_frame_rejected(test, &op, -EINVAL);
	op = frame_op();
	op.frame.offset[0] = BUF_BYTES - 2;	/* past the buffer */
	expect_frame_rejected(test, &op, -ENOSPC);
	op = frame_op();
	op.frame.offset[1] = 4;	/* a second plane of YUYV */
	expect_frame_rejected(test, &op, -EINVAL);
	op = frame_op();
	op.frame.reserved = 1;
	expect_frame_rejected(test, &op, -EINVAL);
	op = frame_op();
	op.crop.x = 1;		/* outside the frame */
	expect_frame_rejected(test, &op, -EINVAL);
	op = frame_op();
	op.crop.y = U32_MAX;	/* wraps */
	expect_frame_rejected(test, &op, -EINVAL);
	op = frame_op();
	op.output.dims[3] = 2;
	expect_frame_rejected(test, &op, -EINVAL);
	op = frame_op();
	op.output.binding = 1;	/* over the frame */
	expect_frame_rejected(test, &op, -EINVAL);
	op = frame_op();
	op.flags = 1u << 3;
	expect_frame_rejected(test, &op, -EINVAL);
	op = frame_op();
	op.mode = AIOT_ISA_RESIZE_BILINEAR;
	op.flags = AIOT_ISA_RESIZE_FLAGS;
	expect_frame_rejected(test, &op, -EINVAL);
	op = frame_op();
	op.multiplier = -1;
	expect_frame_rejected(test, &op, -EINVAL);
	op = frame_op();
	op.reserved = 1;
	expect_frame_rejected(test, &op, -EINVAL);
}

static void isa14_reject_resize(struct kunit *test)
{
	struct aiot_isa_op_resize op;

	op = resize_op(0, 0);
	KUNIT_EXPECT_EQ(test, check_one(test, job_one(test, &op, sizeof(op), 4)),
			-EINVAL);
	op = resize_op(AIOT_ISA_RESIZE_NEAREST, AIOT_ISA_FRAME_BGR);
	KUNIT_EXPECT_EQ(test, check_one(test, job_one(test, &op, sizeof(op), 4)),
			-EINVAL);
	op = resize_op(AIOT_ISA_RESIZE_NEAREST, 0);
	op.crop.height = 5;
	KUNIT_EXPECT_EQ(test, check_one(test, job_one(test, &op, sizeof(op), 4)),
			-EINVAL);
	op = resize_op(AIOT_ISA_RESIZE_NEAREST, 0);
	op.output.dims[3] = 2;
	KUNIT_EXPECT_EQ(test, check_one(test, job_one(test, &op, sizeof(op), 4)),
			-EINVAL);
	op = resize_op(AIOT_ISA_RESIZE_NEAREST, 0);
	op.reserved[0] = 1;
	KUNIT_EXPECT_EQ(test, check_one(test, job_one(test, &op, sizeof(op), 4)),
			-EINVAL);
}

static void isa14_needs_minor_4(struct kunit *test)
{
	struct aiot_isa_op_frame_to_tensor f = frame_op();
	struct aiot_isa_op_resize r = resize_op(AIOT_ISA_RESIZE_NEAREST, 0);
	struct isa14_job *job;
	u16 opcode;

	KUNIT_EXPECT_EQ(test, check_one(test, job_one(test, &f, sizeof(f), 3)),
			-EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, check_one(test, job_one(test, &r, sizeof(r), 3)),
			-EOPNOTSUPP);
	/* 24..29 belong to later preprocessing: unknown today */
	for (opcode = AIOT_ISA_OP_FRAME_TO_TENSOR + 1; opcode < 30; opcode++) {
		r.hdr.opcode = opcode;
		job = job_one(test, &r, sizeof(r), 4);
		KUNIT_EXPECT_EQ(test, check_one(test, job), -EOPNOTSUPP);
	}
}

static struct kunit_case aiot_isa14_cases[] = {
	KUNIT_CASE(isa14_frame_to_tensor),
	KUNIT_CASE(isa14_resize),
	KUNIT_CASE(isa14_reject_frame),
	KUNIT_CASE(isa14_reject_resize),
	KUNIT_CASE(isa14_needs_minor_4),
	{}
};

static struct kunit_suite aiot_isa14_suite = {
	.name = "aiot-isa-1.4-preproc",
	.test_cases = aiot_isa14_cases,
};

kunit_test_suites(&aiot_isa14_suite);
