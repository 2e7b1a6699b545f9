// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * KUnit tests for the work budget of a command stream: the validator's
 * account of a job's work, and the executor polling its stop hook after a
 * bounded amount of work, however the work is shaped (issue 13, item 6).
 */

#include <kunit/test.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "../isa/aiot_isa.h"
#include "aiot_device.h"

#define WNBIND		4
/* Enough for the shapes below; kvzalloc'd per test. */
#define WBUF_BYTES	(4u << 20)

struct work_job {
	u8 stream[4096];
	u32 len;
	u32 ops;
	void *buf[WNBIND];
	u64 sizes[WNBIND];
};

/* Counts the executor's polls; asks it to stop at poll stop_at (0: never). */
struct poll_count {
	unsigned int polls;
	unsigned int stop_at;
};

static bool count_poll(void *arg)
{
	struct poll_count *pc = arg;

	pc->polls++;
	return pc->stop_at && pc->polls >= pc->stop_at;
}

static void work_buf_free(void *p)
{
	kvfree(p);
}

static struct work_job *work_job_new(struct kunit *test)
{
	struct work_job *job = kunit_kzalloc(test, sizeof(*job), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, job);
	job->len = sizeof(struct aiot_isa_header);
	for (i = 0; i < WNBIND; i++) {
		job->buf[i] = kvzalloc(WBUF_BYTES, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, job->buf[i]);
		KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
								work_buf_free,
								job->buf[i]),
				0);
		job->sizes[i] = WBUF_BYTES;
	}
	return job;
}

static void work_job_add(struct work_job *job, void *op, u32 size)
{
	struct aiot_isa_op_header *hdr = op;
	struct aiot_isa_header h = {
		.magic = AIOT_ISA_MAGIC,
		.version = AIOT_ISA_VERSION_CURRENT,
	};

	if (WARN_ON(job->len + size > sizeof(job->stream)))
		return;
	hdr->size = size;
	memcpy(job->stream + job->len, op, size);
	job->len += size;
	job->ops++;
	h.size = job->len;
	h.op_count = job->ops;
	memcpy(job->stream, &h, sizeof(h));
}

static int work_job_run(struct work_job *job, struct poll_count *pc)
{
	const struct aiot_isa_exec_control ctl = {
		.should_stop = count_poll,
		.arg = pc,
	};

	return aiot_isa_execute_ctl(job->stream, job->len, job->buf,
				    job->sizes, WNBIND, &ctl);
}

static u64 work_job_work(struct kunit *test, struct work_job *job)
{
	struct aiot_isa_summary sum;

	KUNIT_ASSERT_EQ(test, aiot_isa_validate(job->stream, job->len,
						job->sizes, WNBIND, &sum), 0);
	return sum.work;
}

static struct aiot_isa_tensor w8(u8 binding, u32 n, u32 h, u32 w, u32 c)
{
	struct aiot_isa_tensor t = {
		.binding = binding,
		.dtype = AIOT_ISA_DTYPE_INT8, .dims = { n, h, w, c },
	};

	return t;
}

/* A CONV_2D with unit quantization; the caller sets the shapes. */
static struct aiot_isa_op_conv work_conv(void)
{
	struct aiot_isa_op_conv op = {
		.hdr.opcode = AIOT_ISA_OP_CONV_2D,
		.quant = { .binding = 3, .offset = 0 },
		.act = { -128, 127 },
		.stride_h = 1, .stride_w = 1,
		.dilation_h = 1, .dilation_w = 1,
	};

	return op;
}

/*
 * At least one poll per AIOT_ISA_STOP_INTERVAL + AIOT_ISA_MAX_STOP_STEP
 * units of work, plus the one before the operation.
 */
static void expect_polls_for(struct kunit *test, unsigned int polls, u64 work)
{
	u64 bound = AIOT_ISA_STOP_INTERVAL + AIOT_ISA_MAX_STOP_STEP;

	KUNIT_EXPECT_GE_MSG(test, (u64)polls, 1 + work / bound,
			    "%u polls for %llu units of work", polls, work);
}

/* The CONV_2D: valid, bytes within limits, ~1.8e13 MACs. */
static void work_huge_conv_counted(struct kunit *test)
{
	struct work_job *job = kunit_kzalloc(test, sizeof(*job), GFP_KERNEL);
	struct aiot_isa_op_conv op = work_conv();
	struct aiot_isa_summary sum;

	KUNIT_ASSERT_NOT_NULL(test, job);
	job->len = sizeof(struct aiot_isa_header);
	op.input = w8(1, 1, 1, 65535, 1);
	op.filter = w8(0, 65535, 1, 16384, 1);
	/* (65535 - 16384) / 3 + 1 = 16384 columns of 65535 channels */
	op.output = w8(2, 1, 1, 16384, 65535);
	op.stride_w = 3;
	/* Sizes only: the validator never touches the data. */
	job->sizes[0] = 65535ull * 16384;
	job->sizes[1] = 65535;
	job->sizes[2] = 16384ull * 65535;
	job->sizes[3] = 65535ull * sizeof(struct aiot_isa_channel_quant);
	work_job_add(job, &op, sizeof(op));
	KUNIT_ASSERT_EQ(test, aiot_isa_validate(job->stream, job->len,
						job->sizes, WNBIND, &sum), 0);
	/* out columns * out channels * (kh * kw * cin) */
	KUNIT_EXPECT_EQ(test, sum.work, 16384ull * 65535 * 16384);
	KUNIT_EXPECT_GT(test, sum.work, AIOT_MAX_JOB_WORK);
}

/*
 * The sum saturates rather than wraps to a small budget: 17 operations of
 * (65535 * 16384)^2 MACs each (a 1 GiB output, a 1 GiB reduction) exceed
 * 2^64, 16 do not.
 */
static void work_saturates(struct kunit *test)
{
	struct work_job *job = kunit_kzalloc(test, sizeof(*job), GFP_KERNEL);
	struct aiot_isa_op_conv op = work_conv();
	const u64 per_op = (65535ull * 16384) * (65535ull * 16384);
	struct aiot_isa_summary sum;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, job);
	job->len = sizeof(struct aiot_isa_header);
	op.input = w8(1, 1, 1, 16384, 65535);
	op.filter = w8(0, 1, 1, 16384, 65535);
	op.output = w8(2, 1, 65535, 16384, 1);
	job->sizes[0] = 65535ull * 16384;
	job->sizes[1] = 65535ull * 16384;
	job->sizes[2] = 65535ull * 16384;
	job->sizes[3] = sizeof(struct aiot_isa_channel_quant);
	for (i = 0; i < 16; i++)
		work_job_add(job, &op, sizeof(op));
	KUNIT_ASSERT_EQ(test, aiot_isa_validate(job->stream, job->len,
						job->sizes, WNBIND, &sum), 0);
	KUNIT_EXPECT_EQ(test, sum.work, 16 * per_op);
	work_job_add(job, &op, sizeof(op));
	KUNIT_ASSERT_EQ(test, aiot_isa_validate(job->stream, job->len,
						job->sizes, WNBIND, &sum), 0);
	KUNIT_EXPECT_EQ(test, sum.work, U64_MAX);
}

/* One output row of 1M MACs: polled throughout the row, not once per row. */
static void work_polls_within_a_row(struct kunit *test)
{
	struct work_job *job = work_job_new(test);
	struct aiot_isa_op_conv op = work_conv();
	struct poll_count pc = { 0 };
	u64 work;

	op.input = w8(1, 1, 1, 64, 256);
	op.filter = w8(0, 64, 1, 1, 256);
	op.output = w8(2, 1, 1, 64, 64);
	work_job_add(job, &op, sizeof(op));
	work = work_job_work(test, job);
	KUNIT_ASSERT_EQ(test, work, 64ull * 64 * 256);
	KUNIT_ASSERT_EQ(test, work_job_run(job, &pc), 0);
	expect_polls_for(test, pc.polls, work);
}

/* One output element with a 1M-tap reduction (a 1x1024 filter, 1024 deep). */
static void work_polls_within_an_output(struct kunit *test)
{
	struct work_job *job = work_job_new(test);
	struct aiot_isa_op_conv op = work_conv();
	struct poll_count pc = { 0 };
	u64 work;

	op.input = w8(1, 1, 1, 1024, 1024);
	op.filter = w8(0, 1, 1, 1024, 1024);
	op.output = w8(2, 1, 1, 1, 1);
	work_job_add(job, &op, sizeof(op));
	work = work_job_work(test, job);
	KUNIT_ASSERT_EQ(test, work, 1024ull * 1024);
	KUNIT_ASSERT_EQ(test, work_job_run(job, &pc), 0);
	expect_polls_for(test, pc.polls, work);
}

/* A 4 MiB RESHAPE copy is chunked, and still copies every byte. */
static void work_polls_within_a_copy(struct kunit *test)
{
	struct work_job *job = work_job_new(test);
	struct aiot_isa_op_reshape op = {
		.hdr.opcode = AIOT_ISA_OP_RESHAPE,
		.input = w8(1, 1, 1, 1024, 4096),
		.output = w8(2, 1, 1, 4096, 1024),
	};
	struct poll_count pc = { 0 };
	u8 *in, *out;
	u32 i;

	in = job->buf[1];
	out = job->buf[2];
	for (i = 0; i < WBUF_BYTES; i++)
		in[i] = (u8)(i * 7 + (i >> 12));
	work_job_add(job, &op, sizeof(op));
	KUNIT_ASSERT_EQ(test, work_job_run(job, &pc), 0);
	expect_polls_for(test, pc.polls, WBUF_BYTES);
	KUNIT_EXPECT_EQ(test, memcmp(in, out, WBUF_BYTES), 0);
}

/* Once the hook says stop, the executor stops there: no further poll. */
static void work_stops_at_the_poll(struct kunit *test)
{
	struct work_job *job = work_job_new(test);
	struct aiot_isa_op_conv op = work_conv();
	struct poll_count pc = { .stop_at = 3 };

	op.input = w8(1, 1, 1, 64, 256);
	op.filter = w8(0, 64, 1, 1, 256);
	op.output = w8(2, 1, 1, 64, 64);
	work_job_add(job, &op, sizeof(op));
	KUNIT_EXPECT_EQ(test, work_job_run(job, &pc), -ECANCELED);
	KUNIT_EXPECT_EQ(test, pc.polls, 3u);

	/* A stop pending before the run: nothing runs. */
	pc.polls = 0;
	pc.stop_at = 1;
	KUNIT_EXPECT_EQ(test, work_job_run(job, &pc), -ECANCELED);
	KUNIT_EXPECT_EQ(test, pc.polls, 1u);
}

static struct kunit_case aiot_isa_work_cases[] = {
	KUNIT_CASE(work_huge_conv_counted),
	KUNIT_CASE(work_saturates),
	KUNIT_CASE(work_polls_within_a_row),
	KUNIT_CASE(work_polls_within_an_output),
	KUNIT_CASE(work_polls_within_a_copy),
	KUNIT_CASE(work_stops_at_the_poll),
	{}
};

static struct kunit_suite aiot_isa_work_suite = {
	.name = "aiot-isa-work",
	.test_cases = aiot_isa_work_cases,
};

kunit_test_suites(&aiot_isa_work_suite);
