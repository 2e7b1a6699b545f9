// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * KUnit tests for the aiot ISA validator and reference executor.
 *
 * Golden values are derived by hand in the comments from TensorFlow Lite's
 * integer definitions (SaturatingRoundingDoublingHighMul truncates
 * (a * b + 2^30) / 2^31 toward zero, nudging negative products by
 * 1 - 2^30; RoundingDivideByPOT rounds ties away from zero), never by
 * calling the code under test.
 */

#include <kunit/test.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "../isa/aiot_isa.h"

#define HALF_Q31	0x40000000	/* 0.5 in Q31 */
#define NBIND		4
#define BUF_BYTES	256

/* A job: a stream under construction and NBIND buffers. */
struct isa_job {
	u8 stream[1024];
	u32 len;
	u32 ops;
	u8 buf[NBIND][BUF_BYTES];
	u64 sizes[NBIND];
};

static struct isa_job *job_new(struct kunit *test)
{
	struct isa_job *job = kunit_kzalloc(test, sizeof(*job), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, job);
	job->len = sizeof(struct aiot_isa_header);
	for (i = 0; i < NBIND; i++)
		job->sizes[i] = BUF_BYTES;
	return job;
}

static void job_add(struct isa_job *job, void *op, u32 size)
{
	struct aiot_isa_op_header *hdr = op;

	hdr->size = size;
	memcpy(job->stream + job->len, op, size);
	job->len += size;
	job->ops++;
}

static void job_seal(struct isa_job *job)
{
	struct aiot_isa_header hdr = {
		.magic = AIOT_ISA_MAGIC,
		.version = AIOT_ISA_VERSION_CURRENT,
		.size = job->len,
		.op_count = job->ops,
	};

	memcpy(job->stream, &hdr, sizeof(hdr));
}

static int job_validate(struct isa_job *job)
{
	return aiot_isa_validate(job->stream, job->len, job->sizes, NBIND,
				 NULL);
}

static int job_run(struct isa_job *job)
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

static void put_quant(struct isa_job *job, u32 offset, u32 channels,
		      const s32 *bias, s32 multiplier, s32 shift)
{
	struct aiot_isa_channel_quant q;
	u32 i;

	for (i = 0; i < channels; i++) {
		q.bias = bias ? bias[i] : 0;
		q.multiplier = multiplier;
		q.shift = shift;
		memcpy(job->buf[0] + offset + i * sizeof(q), &q, sizeof(q));
	}
}

/* Runs one REQUANTIZE over n values of binding 1 into binding 2. */
static void run_requant(struct kunit *test, const s8 *in, s8 *out, u32 n,
			s32 in_zp, s32 out_zp, s32 multiplier, s32 shift)
{
	struct isa_job *job = job_new(test);
	struct aiot_isa_op_requantize op = {
		.hdr.opcode = AIOT_ISA_OP_REQUANTIZE,
		.input = t8(1, 0, 1, 1, 1, n),
		.output = t8(2, 0, 1, 1, 1, n),
		.input_zero_point = in_zp,
		.output_zero_point = out_zp,
		.multiplier = multiplier,
		.shift = shift,
		.act = { -128, 127 },
	};

	memcpy(job->buf[1], in, n);
	job_add(job, &op, sizeof(op));
	job_seal(job);
	KUNIT_ASSERT_EQ(test, job_run(job), 0);
	memcpy(out, job->buf[2], n);
}

static void isa_requant_rounding(struct kunit *test)
{
	/*
	 * x * 0.25 (0.5, shift -1): 2 -> 1 (0.5 up), -2 -> -1 (-0.5 away),
	 * 6 -> 2, -6 -> -2, 127 -> 32, -128 -> -32.
	 */
	static const s8 in[] = { 2, -2, 6, -6, 127, -128 };
	static const s8 want[] = { 1, -1, 2, -2, 32, -32 };
	s8 out[ARRAY_SIZE(in)];

	run_requant(test, in, out, ARRAY_SIZE(in), 0, 0, HALF_Q31, -1);
	KUNIT_EXPECT_MEMEQ(test, out, want, sizeof(want));
}

static void isa_requant_saturation_and_zero_points(struct kunit *test)
{
	/* x * 2: 100 -> 127, -100 -> -128, 3 -> 6. */
	static const s8 in1[] = { 100, -100, 3 };
	static const s8 want1[] = { 127, -128, 6 };
	/* Identity, zero points -128 -> 127: everything saturates high. */
	static const s8 in2[] = { -128, 127, -1 };
	static const s8 want2[] = { 127, 127, 127 };
	/* Shift -31, multiplier INT32_MAX: 255 * ~2^-31 -> 0 -> zero point. */
	static const s8 in3[] = { 127, -128 };
	static const s8 want3[] = { 7, 7 };
	s8 out[3];

	run_requant(test, in1, out, 3, 0, 0, HALF_Q31, 2);
	KUNIT_EXPECT_MEMEQ(test, out, want1, sizeof(want1));
	run_requant(test, in2, out, 3, -128, 127, HALF_Q31, 1);
	KUNIT_EXPECT_MEMEQ(test, out, want2, sizeof(want2));
	run_requant(test, in3, out, 2, -128, 7, 0x7fffffff, -31);
	KUNIT_EXPECT_MEMEQ(test, out, want3, sizeof(want3));
}

static void isa_sensor_to_int8(struct kunit *test)
{
	/*
	 * (x - 1000) / 256: 1000 -> 0, 1256 -> 1, 1128 -> 0.5 -> 1,
	 * 872 -> -0.5 -> -1, 32767 -> 124.09 -> 124, -32768 -> -128.
	 */
	static const s16 in[] = { 1000, 1256, 1128, 872, 32767, -32768 };
	static const s8 want[] = { 0, 1, 1, -1, 124, -128 };
	struct isa_job *job = job_new(test);
	struct aiot_isa_op_requantize op = {
		.hdr.opcode = AIOT_ISA_OP_SENSOR_TO_INT8,
		.input = t8(1, 0, 1, 1, 6, 1),
		.output = t8(2, 0, 1, 1, 6, 1),
		.input_zero_point = 1000,
		.multiplier = HALF_Q31,
		.shift = -7,
		.act = { -128, 127 },
	};

	op.input.dtype = AIOT_ISA_DTYPE_INT16;
	memcpy(job->buf[1], in, sizeof(in));
	job_add(job, &op, sizeof(op));
	job_seal(job);
	KUNIT_ASSERT_EQ(test, job_run(job), 0);
	KUNIT_EXPECT_MEMEQ(test, job->buf[2], want, sizeof(want));
}

static void isa_fully_connected(struct kunit *test)
{
	/*
	 * Input zero point -1, filter rows [3, -4] (bias 10) and [127, 127],
	 * scale 0.5, output zero point 3:
	 * row 0: ch0 2*3 + 3*-4 + 10 = 4 -> 2 -> 5;
	 *        ch1 (2 + 3) * 127 = 635 -> 317.5 -> 318 -> 127.
	 * row 1: ch0 -128 + 10 = -118 -> -59 -> -56; ch1 32512 -> 127.
	 * row 2: ch0 137 -> 68.5 -> 69 -> 72; ch1 -32258 -> -128.
	 */
	static const s8 in[] = { 1, 2, 127, 127, -128, -128 };
	static const s8 filter[] = { 3, -4, 127, 127 };
	static const s32 bias[] = { 10, 0 };
	static const s8 want[] = { 5, 127, -56, 127, 72, -128 };
	struct isa_job *job = job_new(test);
	struct aiot_isa_op_fully_connected op = {
		.hdr.opcode = AIOT_ISA_OP_FULLY_CONNECTED,
		.input = t8(1, 0, 3, 1, 1, 2),
		.filter = t8(0, 0, 2, 1, 1, 2),
		.output = t8(2, 0, 3, 1, 1, 2),
		.quant = { .binding = 0, .offset = 16 },
		.input_zero_point = -1,
		.output_zero_point = 3,
		.act = { -128, 127 },
	};

	memcpy(job->buf[0], filter, sizeof(filter));
	put_quant(job, 16, 2, bias, HALF_Q31, 0);
	memcpy(job->buf[1], in, sizeof(in));
	job_add(job, &op, sizeof(op));
	job_seal(job);
	KUNIT_ASSERT_EQ(test, job_run(job), 0);
	KUNIT_EXPECT_MEMEQ(test, job->buf[2], want, sizeof(want));
}

static void isa_conv_padding(struct kunit *test)
{
	/*
	 * [[1,2],[3,4]] with zero point 1 is [[0,1],[2,3]]; a 2x2 filter of
	 * ones with pad 1 sums the visible taps: 0, 0+1, 0+2, 0+1+2+3.
	 */
	static const s8 in[] = { 1, 2, 3, 4 };
	static const s8 filter[] = { 1, 1, 1, 1 };
	static const s8 want[] = { 0, 1, 2, 6 };
	struct isa_job *job = job_new(test);
	struct aiot_isa_op_conv op = {
		.hdr.opcode = AIOT_ISA_OP_CONV_2D,
		.input = t8(1, 0, 1, 2, 2, 1),
		.filter = t8(0, 0, 1, 2, 2, 1),
		.output = t8(2, 0, 1, 2, 2, 1),
		.quant = { .binding = 0, .offset = 16 },
		.input_zero_point = 1,
		.act = { -128, 127 },
		.stride_h = 1, .stride_w = 1,
		.dilation_h = 1, .dilation_w = 1,
		.pad_top = 1, .pad_left = 1,
	};

	memcpy(job->buf[0], filter, sizeof(filter));
	put_quant(job, 16, 1, NULL, HALF_Q31, 1);
	memcpy(job->buf[1], in, sizeof(in));
	job_add(job, &op, sizeof(op));
	job_seal(job);
	KUNIT_ASSERT_EQ(test, job_run(job), 0);
	KUNIT_EXPECT_MEMEQ(test, job->buf[2], want, sizeof(want));
}

static void isa_depthwise(struct kunit *test)
{
	/* Channels [10, -10], multiplier 2, taps [1, 2, 3, -1], bias 5 on 3. */
	static const s8 in[] = { 10, -10 };
	static const s8 filter[] = { 1, 2, 3, -1 };
	static const s32 bias[] = { 0, 0, 0, 5 };
	static const s8 want[] = { 10, 20, -30, 15 };
	struct isa_job *job = job_new(test);
	struct aiot_isa_op_conv op = {
		.hdr.opcode = AIOT_ISA_OP_DEPTHWISE_CONV_2D,
		.input = t8(1, 0, 1, 1, 1, 2),
		.filter = t8(0, 0, 1, 1, 1, 4),
		.output = t8(2, 0, 1, 1, 1, 4),
		.quant = { .binding = 0, .offset = 16 },
		.act = { -128, 127 },
		.stride_h = 1, .stride_w = 1,
		.dilation_h = 1, .dilation_w = 1,
		.depth_multiplier = 2,
	};

	memcpy(job->buf[0], filter, sizeof(filter));
	put_quant(job, 16, 4, bias, HALF_Q31, 1);
	memcpy(job->buf[1], in, sizeof(in));
	job_add(job, &op, sizeof(op));
	job_seal(job);
	KUNIT_ASSERT_EQ(test, job_run(job), 0);
	KUNIT_EXPECT_MEMEQ(test, job->buf[2], want, sizeof(want));
}

static void isa_pools(struct kunit *test)
{
	/*
	 * Two rows, six channels, one 2x1 window. Average: 1.5 -> 2,
	 * -1.5 -> -2, -0.5 -> -1, 0.5 -> 1, 127, -128. Max of the same.
	 */
	static const s8 in[] = { 1, -1, 1, 2, 127, -128,
				 2, -2, -2, -1, 127, -128 };
	static const s8 want_avg[] = { 2, -2, -1, 1, 127, -128 };
	static const s8 want_max[] = { 2, -1, 1, 2, 127, -128 };
	struct isa_job *job = job_new(test);
	struct aiot_isa_op_pool op = {
		.hdr.opcode = AIOT_ISA_OP_AVERAGE_POOL_2D,
		.input = t8(1, 0, 1, 2, 1, 6),
		.output = t8(2, 0, 1, 1, 1, 6),
		.act = { -128, 127 },
		.filter_h = 2, .filter_w = 1, .stride_h = 2, .stride_w = 1,
	};

	memcpy(job->buf[1], in, sizeof(in));
	job_add(job, &op, sizeof(op));
	op.hdr.opcode = AIOT_ISA_OP_MAX_POOL_2D;
	op.output.binding = 3;
	job_add(job, &op, sizeof(op));
	job_seal(job);
	KUNIT_ASSERT_EQ(test, job_run(job), 0);
	KUNIT_EXPECT_MEMEQ(test, job->buf[2], want_avg, sizeof(want_avg));
	KUNIT_EXPECT_MEMEQ(test, job->buf[3], want_max, sizeof(want_max));
}

static void isa_add(struct kunit *test)
{
	/*
	 * Each input x * 2^20 * 0.5, sum * 0.5 * 2^-19 = (a + b) / 2:
	 * (1, 0) -> 0.5 -> 1; (-1, 0) -> -1; (3, 0) -> 2; (127, 127) -> 127;
	 * second input broadcast from one element.
	 */
	static const s8 a[] = { 1, -1, 3, 127 };
	static const s8 want[] = { 1, -1, 2, 64 };
	struct isa_job *job = job_new(test);
	struct aiot_isa_op_add op = {
		.hdr.opcode = AIOT_ISA_OP_ADD,
		.input1 = t8(1, 0, 1, 1, 1, 4),
		.input2 = t8(1, 8, 1, 1, 1, 1),
		.output = t8(2, 0, 1, 1, 1, 4),
		.left_shift = 20,
		.input1_multiplier = HALF_Q31,
		.input2_multiplier = HALF_Q31,
		.output_multiplier = HALF_Q31,
		.output_shift = -19,
		.act = { -128, 127 },
	};

	memcpy(job->buf[1], a, sizeof(a));
	job->buf[1][8] = 0;
	job_add(job, &op, sizeof(op));
	job_seal(job);
	KUNIT_ASSERT_EQ(test, job_run(job), 0);
	KUNIT_EXPECT_MEMEQ(test, job->buf[2], want, sizeof(want));
}

static void isa_softmax(struct kunit *test)
{
	/*
	 * Scale 1/16 (multiplier 0.5, left shift 23). Row 0: four equal
	 * values -> 1/4 each -> 64 - 128 = -64. Row 1: difference 16 is
	 * exp(-1): 0.731 -> 187 -> 59 and 0.269 -> 69 -> -59, and a value
	 * below diff_min (-200) gets -128.
	 */
	static const s8 in[] = { -5, -5, -5, -5, 20, 4, -128, -128 };
	static const s8 want[] = { -64, -64, -64, -64, 59, -59, -128, -128 };
	struct isa_job *job = job_new(test);
	struct aiot_isa_op_softmax op = {
		.hdr.opcode = AIOT_ISA_OP_SOFTMAX,
		.input = t8(1, 0, 1, 1, 2, 4),
		.output = t8(2, 0, 1, 1, 2, 4),
		.input_multiplier = HALF_Q31,
		.input_left_shift = 23,
		.diff_min = -140,
	};

	memcpy(job->buf[1], in, sizeof(in));
	job_add(job, &op, sizeof(op));
	job_seal(job);
	KUNIT_ASSERT_EQ(test, job_run(job), 0);
	KUNIT_EXPECT_MEMEQ(test, job->buf[2], want, sizeof(want));
}

/* A valid one-op job (reshape of 16 bytes) that hostile tests break. */
static struct isa_job *valid_job(struct kunit *test,
				 struct aiot_isa_op_reshape *op)
{
	struct isa_job *job = job_new(test);

	memset(op, 0, sizeof(*op));
	op->hdr.opcode = AIOT_ISA_OP_RESHAPE;
	op->input = t8(1, 0, 1, 4, 4, 1);
	op->output = t8(2, 0, 1, 1, 1, 16);
	return job;
}

static int check_reshape(struct kunit *test,
			 void (*mutate)(struct aiot_isa_op_reshape *op))
{
	struct aiot_isa_op_reshape op;
	struct isa_job *job = valid_job(test, &op);
	int ret;

	mutate(&op);
	job_add(job, &op, sizeof(op));
	job_seal(job);
	ret = job_validate(job);
	/* The executor must agree and must not have written anything. */
	KUNIT_EXPECT_EQ(test, job_run(job), ret);
	if (ret)
		KUNIT_EXPECT_EQ(test, job->buf[2][0], 0);
	return ret;
}

static void m_none(struct aiot_isa_op_reshape *op)
{
}

static void m_oob(struct aiot_isa_op_reshape *op)
{
	op->output.offset = BUF_BYTES - 15;
}

static void m_huge_off(struct aiot_isa_op_reshape *op)
{
	op->input.offset = 0xffffffff;
}

static void m_dims(struct aiot_isa_op_reshape *op)
{
	op->input.dims[0] = AIOT_ISA_MAX_DIM;
	op->input.dims[1] = AIOT_ISA_MAX_DIM;
	op->input.dims[2] = AIOT_ISA_MAX_DIM;
	op->input.dims[3] = AIOT_ISA_MAX_DIM;
}

static void m_dim_max(struct aiot_isa_op_reshape *op)
{
	op->input.dims[3] = 0xffffffff;
}

static void m_dim_zero(struct aiot_isa_op_reshape *op)
{
	op->input.dims[2] = 0;
}

static void m_binding(struct aiot_isa_op_reshape *op)
{
	op->input.binding = NBIND;
}

static void m_reserved(struct aiot_isa_op_reshape *op)
{
	op->output.reserved = 1;
}

static void m_dtype(struct aiot_isa_op_reshape *op)
{
	op->output.dtype = 9;
}

static void m_opcode(struct aiot_isa_op_reshape *op)
{
	op->hdr.opcode = 0x7fff;
}

static void m_flags(struct aiot_isa_op_reshape *op)
{
	op->hdr.flags = 1;
}

static void m_overlap(struct aiot_isa_op_reshape *op)
{
	op->output.binding = 1;
	op->output.offset = 8;
}

static void isa_validate_hostile_ops(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, check_reshape(test, m_none), 0);
	KUNIT_EXPECT_EQ(test, check_reshape(test, m_oob), -ENOSPC);
	KUNIT_EXPECT_EQ(test, check_reshape(test, m_huge_off), -ENOSPC);
	KUNIT_EXPECT_EQ(test, check_reshape(test, m_dims), -E2BIG);
	KUNIT_EXPECT_EQ(test, check_reshape(test, m_dim_max), -E2BIG);
	KUNIT_EXPECT_EQ(test, check_reshape(test, m_dim_zero), -EINVAL);
	KUNIT_EXPECT_EQ(test, check_reshape(test, m_binding), -EINVAL);
	KUNIT_EXPECT_EQ(test, check_reshape(test, m_reserved), -EINVAL);
	KUNIT_EXPECT_EQ(test, check_reshape(test, m_dtype), -EINVAL);
	KUNIT_EXPECT_EQ(test, check_reshape(test, m_opcode), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, check_reshape(test, m_flags), -EINVAL);
	KUNIT_EXPECT_EQ(test, check_reshape(test, m_overlap), -EINVAL);
}

static void isa_validate_hostile_headers(struct kunit *test)
{
	struct aiot_isa_op_reshape op;
	struct isa_job *job = valid_job(test, &op);
	struct aiot_isa_header *hdr = (struct aiot_isa_header *)job->stream;
	struct aiot_isa_summary sum;
	u32 len;

	job_add(job, &op, sizeof(op));
	job_seal(job);
	KUNIT_ASSERT_EQ(test, job_validate(job), 0);

	/* Every truncation, with the header size left or made to match. */
	for (len = 0; len < job->len; len++) {
		KUNIT_EXPECT_NE(test, aiot_isa_validate(job->stream, len,
							job->sizes, NBIND,
							NULL), 0);
	}
	hdr->size = job->len - 4;
	KUNIT_EXPECT_EQ(test, aiot_isa_validate(job->stream, job->len - 4,
						job->sizes, NBIND, NULL),
			-EINVAL);
	job_seal(job);

	hdr->magic ^= 0x100;
	KUNIT_EXPECT_EQ(test, aiot_isa_validate(job->stream, job->len,
						job->sizes, NBIND, &sum),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, sum.error_op, AIOT_ISA_HEADER_OP);
	job_seal(job);
	hdr->version = AIOT_ISA_VERSION(AIOT_ISA_VERSION_MAJOR + 1, 0);
	KUNIT_EXPECT_EQ(test, job_validate(job), -EOPNOTSUPP);
	job_seal(job);
	hdr->version = AIOT_ISA_VERSION_CURRENT + 1;
	KUNIT_EXPECT_EQ(test, job_validate(job), -EOPNOTSUPP);
	job_seal(job);
	hdr->reserved[1] = 1;
	KUNIT_EXPECT_EQ(test, job_validate(job), -EINVAL);
	job_seal(job);
	hdr->flags = 1;
	KUNIT_EXPECT_EQ(test, job_validate(job), -EINVAL);
	job_seal(job);
	hdr->size = 0xfffffffc;
	KUNIT_EXPECT_EQ(test, job_validate(job), -E2BIG);
	job_seal(job);
	hdr->op_count = 0xffffffff;
	KUNIT_EXPECT_EQ(test, job_validate(job), -E2BIG);
	job_seal(job);
	hdr->op_count = 2;
	KUNIT_EXPECT_EQ(test, job_validate(job), -EINVAL);
	job_seal(job);
	hdr->op_count = 0;
	KUNIT_EXPECT_EQ(test, job_validate(job), -EINVAL);
	job_seal(job);
	KUNIT_EXPECT_EQ(test, aiot_isa_validate(job->stream, job->len,
						job->sizes,
						AIOT_ISA_MAX_BINDINGS + 1,
						NULL),
			-EINVAL);
	/* A tiny buffer binding: the tensor no longer fits. */
	job->sizes[2] = 15;
	KUNIT_EXPECT_EQ(test, job_validate(job), -ENOSPC);
}

static struct kunit_case aiot_isa_exec_cases[] = {
	KUNIT_CASE(isa_requant_rounding),
	KUNIT_CASE(isa_requant_saturation_and_zero_points),
	KUNIT_CASE(isa_sensor_to_int8),
	KUNIT_CASE(isa_fully_connected),
	KUNIT_CASE(isa_conv_padding),
	KUNIT_CASE(isa_depthwise),
	KUNIT_CASE(isa_pools),
	KUNIT_CASE(isa_add),
	KUNIT_CASE(isa_softmax),
	{}
};

static struct kunit_suite aiot_isa_exec_suite = {
	.name = "aiot-isa-exec",
	.test_cases = aiot_isa_exec_cases,
};

static struct kunit_case aiot_isa_validate_cases[] = {
	KUNIT_CASE(isa_validate_hostile_ops),
	KUNIT_CASE(isa_validate_hostile_headers),
	{}
};

static struct kunit_suite aiot_isa_validate_suite = {
	.name = "aiot-isa-validate",
	.test_cases = aiot_isa_validate_cases,
};

kunit_test_suites(&aiot_isa_exec_suite, &aiot_isa_validate_suite);

MODULE_DESCRIPTION("KUnit tests for the aiot ISA validator and executor");
MODULE_LICENSE("Dual MIT/GPL");
