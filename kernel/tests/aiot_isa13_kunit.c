// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the ISA 1.3 operations (SUB, MUL, MAXIMUM, MINIMUM,
 * LEAKY_RELU, TABLE): one run each with golden values worked out by hand in
 * the comments; the kernel validator's rejection of bad parameters of each,
 * with nothing written; the validator's refusal of each in a stream that
 * declares ISA 1.2; and the device's gate: SUBMIT of a stream declaring
 * ISA 1.3 to a device of ISA 1.2 fails with -EOPNOTSUPP, through the real
 * ioctl handler, while a device of ISA 1.3 takes it.
 */

#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/errno.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/iosys-map.h>
#include <linux/kernel.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/aiot_accel.h>

#include "aiot_compat.h"
#include "aiot_device.h"
#include "aiot_npu.h"
#include "isa/aiot_isa.h"

#define NBIND		3
#define BUF_BYTES	512
#define FILL		0x5a

struct isa13_job {
	u8 stream[256];
	u32 len;
	u8 buf[NBIND][BUF_BYTES];
	u64 sizes[NBIND];
};

/* A job of one operation in a stream declaring ISA 1.@minor. */
static struct isa13_job *job_one(struct kunit *test, const void *op, u32 size,
				 u32 minor)
{
	struct isa13_job *job = kunit_kzalloc(test, sizeof(*job), GFP_KERNEL);
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

static int job_run(struct isa13_job *job)
{
	void *bind[NBIND] = { job->buf[0], job->buf[1], job->buf[2] };

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

/* Validate and run @op; a rejection must leave the output untouched. */
static int check_one(struct kunit *test, struct isa13_job *job)
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
		KUNIT_EXPECT_EQ(test, sum.isa_minor, 3u);
	}
	return ret;
}

/* in1 = {-100, -1, 0, 50, 100, 127} at [0], in2 = {3, -128} broadcast. */
static struct aiot_isa_op_add binary_op(u16 opcode)
{
	struct aiot_isa_op_add op = {
		.hdr.opcode = opcode,
		.input1 = t8(1, 0, 1, 1, 3, 2),
		.input2 = t8(1, 8, 1, 1, 1, 2),
		.output = t8(2, 0, 1, 1, 3, 2),
		.act = { -128, 127 },
	};

	return op;
}

static void fill_binary_inputs(struct isa13_job *job)
{
	static const s8 in1[6] = { -100, -1, 0, 50, 100, 127 };
	static const s8 in2[2] = { 3, -128 };

	memcpy(job->buf[1], in1, sizeof(in1));
	memcpy(job->buf[1] + 8, in2, sizeof(in2));
}

static void isa13_max_min(struct kunit *test)
{
	/* pairs (in1, in2): (-100,3) (-1,-128) (0,3) (50,-128) (100,3) (127,-128) */
	static const s8 want_max[6] = { 3, -1, 3, 50, 100, 127 };
	static const s8 want_min[6] = { -100, -128, 0, -128, 2, -128 };
	struct aiot_isa_op_add op = binary_op(AIOT_ISA_OP_MAXIMUM);
	struct isa13_job *job = job_one(test, &op, sizeof(op), 3);

	fill_binary_inputs(job);
	KUNIT_ASSERT_EQ(test, check_one(test, job), 0);
	KUNIT_EXPECT_MEMEQ(test, job->buf[2], want_max, 6);

	op = binary_op(AIOT_ISA_OP_MINIMUM);
	op.act.max = 2;		/* the clamp applies: min(100, 3) becomes 2 */
	job = job_one(test, &op, sizeof(op), 3);
	fill_binary_inputs(job);
	KUNIT_ASSERT_EQ(test, check_one(test, job), 0);
	KUNIT_EXPECT_MEMEQ(test, job->buf[2], want_min, 6);
}

static void isa13_mul(struct kunit *test)
{
	/*
	 * zero points 0, multiplier 2^30 with shift -6: out = round(a*b/128)
	 * (half away from zero): -100*3=-300 -> -2 (-2.34); -1*-128=128 -> 1;
	 * 0; 50*-128=-6400 -> -50; 100*3=300 -> 2; 127*-128=-16256 -> -127.
	 * Output zero point 5 shifts them all; the lower clamp -120 cuts -127.
	 */
	static const s8 want[6] = { 3, 6, 5, -45, 7, -120 };
	struct aiot_isa_op_add op = binary_op(AIOT_ISA_OP_MUL);
	struct isa13_job *job;

	op.output_multiplier = 1 << 30;
	op.output_shift = -6;
	op.output_zero_point = 5;
	op.act.min = -120;
	job = job_one(test, &op, sizeof(op), 3);
	fill_binary_inputs(job);
	KUNIT_ASSERT_EQ(test, check_one(test, job), 0);
	KUNIT_EXPECT_MEMEQ(test, job->buf[2], want, 6);
}

static void isa13_sub(struct kunit *test)
{
	/*
	 * left shift 20, inputs scaled by 1/2 (2^30, shift 0), output by 2^-20
	 * (2^30, shift -19): out = (in1 - in2) / 2 rounded half away from
	 * zero at the end of two roundings: -103 -> -52 (-51.5), 127 -> 64
	 * (63.5), -3 -> -2 (-1.5), 178 -> 89, 97 -> 49 (48.5), 255 -> 127
	 * (127.5 saturates to the int8 clamp).
	 */
	static const s8 want[6] = { -52, 64, -2, 89, 49, 127 };
	struct aiot_isa_op_add op = binary_op(AIOT_ISA_OP_SUB);
	struct isa13_job *job;

	op.left_shift = 20;
	op.input1_multiplier = 1 << 30;
	op.input2_multiplier = 1 << 30;
	op.output_multiplier = 1 << 30;
	op.output_shift = -19;
	job = job_one(test, &op, sizeof(op), 3);
	fill_binary_inputs(job);
	KUNIT_ASSERT_EQ(test, check_one(test, job), 0);
	KUNIT_EXPECT_MEMEQ(test, job->buf[2], want, 6);
}

static void isa13_leaky_relu(struct kunit *test)
{
	/*
	 * in zero point -1: x = in + 1. Identity 2^30 shift 1 (x1); alpha
	 * 2^30 shift -2 (x/8 in two roundings). Output zero point 10.
	 * in -100: x -99 -> -12 (-12.375) + 10 = -2; in -1: 0 -> 10;
	 * in 0: 1 -> 11; in 50: 51 -> 61; in 100: 101 -> 111; in 127: 128 ->
	 * 138, clamped 127.
	 */
	static const s8 in[6] = { -100, -1, 0, 50, 100, 127 };
	static const s8 want[6] = { -2, 10, 11, 61, 111, 127 };
	struct aiot_isa_op_leaky_relu op = {
		.hdr.opcode = AIOT_ISA_OP_LEAKY_RELU,
		.input = t8(1, 0, 1, 1, 1, 6),
		.output = t8(2, 0, 1, 1, 1, 6),
		.input_zero_point = -1,
		.output_zero_point = 10,
		.identity_multiplier = 1 << 30,
		.identity_shift = 1,
		.alpha_multiplier = 1 << 30,
		.alpha_shift = -2,
		.act = { -128, 127 },
	};
	struct isa13_job *job = job_one(test, &op, sizeof(op), 3);

	memcpy(job->buf[1], in, sizeof(in));
	KUNIT_ASSERT_EQ(test, check_one(test, job), 0);
	KUNIT_EXPECT_MEMEQ(test, job->buf[2], want, 6);
}

static void isa13_table(struct kunit *test)
{
	/* table[i] = 127 - i (wrapping): -128 -> 127, 0 -> -1, 127 -> -128 */
	static const s8 in[4] = { -128, 0, 127, -1 };
	static const s8 want[4] = { 127, -1, -128, 0 };
	struct aiot_isa_op_table op = {
		.hdr.opcode = AIOT_ISA_OP_TABLE,
		.input = t8(1, 0, 1, 1, 2, 2),
		.output = t8(2, 0, 1, 1, 2, 2),
		.table = { .offset = 256, .binding = 0 },
	};
	struct isa13_job *job = job_one(test, &op, sizeof(op), 3);
	int i;

	for (i = 0; i < AIOT_ISA_TABLE_ENTRIES; i++)
		job->buf[0][256 + i] = (u8)(127 - i);
	memcpy(job->buf[1], in, sizeof(in));
	KUNIT_ASSERT_EQ(test, check_one(test, job), 0);
	KUNIT_EXPECT_MEMEQ(test, job->buf[2], want, 4);
}

static void expect_rejected(struct kunit *test, const void *op, u32 size,
			    int err)
{
	KUNIT_EXPECT_EQ(test, check_one(test, job_one(test, op, size, 3)),
			err);
}

static void isa13_reject_binary(struct kunit *test)
{
	struct aiot_isa_op_add op;

	op = binary_op(AIOT_ISA_OP_MUL);
	op.left_shift = 20;		/* MUL takes no input rescaling */
	expect_rejected(test, &op, sizeof(op), -EINVAL);
	op = binary_op(AIOT_ISA_OP_MUL);
	op.output_shift = 31;
	expect_rejected(test, &op, sizeof(op), -EINVAL);
	op = binary_op(AIOT_ISA_OP_SUB);
	op.input2_multiplier = -1;
	expect_rejected(test, &op, sizeof(op), -EINVAL);
	op = binary_op(AIOT_ISA_OP_SUB);
	op.input2.dims[3] = 3;		/* does not broadcast */
	expect_rejected(test, &op, sizeof(op), -EINVAL);
	op = binary_op(AIOT_ISA_OP_MAXIMUM);
	op.output_zero_point = 1;	/* MAXIMUM has no parameters */
	expect_rejected(test, &op, sizeof(op), -EINVAL);
	op = binary_op(AIOT_ISA_OP_MINIMUM);
	op.output.offset = BUF_BYTES - 4;	/* past the buffer */
	expect_rejected(test, &op, sizeof(op), -ENOSPC);
}

static void isa13_reject_leaky_relu(struct kunit *test)
{
	struct aiot_isa_op_leaky_relu op = {
		.hdr.opcode = AIOT_ISA_OP_LEAKY_RELU,
		.input = t8(1, 0, 1, 1, 1, 6),
		.output = t8(2, 0, 1, 1, 1, 6),
		.act = { -128, 127 },
	};
	struct aiot_isa_op_leaky_relu bad;

	bad = op;
	bad.alpha_multiplier = -5;
	expect_rejected(test, &bad, sizeof(bad), -EINVAL);
	bad = op;
	bad.identity_shift = 31;
	expect_rejected(test, &bad, sizeof(bad), -EINVAL);
	bad = op;
	bad.output_zero_point = -129;
	expect_rejected(test, &bad, sizeof(bad), -EINVAL);
	bad = op;
	bad.output.dims[3] = 5;
	expect_rejected(test, &bad, sizeof(bad), -EINVAL);
}

static void isa13_reject_table(struct kunit *test)
{
	struct aiot_isa_op_table op = {
		.hdr.opcode = AIOT_ISA_OP_TABLE,
		.input = t8(1, 0, 1, 1, 2, 2),
		.output = t8(2, 0, 1, 1, 2, 2),
	};
	struct aiot_isa_op_table bad;

	bad = op;
	bad.table.offset = BUF_BYTES - 252;	/* 256 entries do not fit */
	expect_rejected(test, &bad, sizeof(bad), -ENOSPC);
	bad = op;
	bad.table.offset = 2;			/* not 4-aligned */
	expect_rejected(test, &bad, sizeof(bad), -EINVAL);
	bad = op;
	bad.reserved[0] = 1;
	expect_rejected(test, &bad, sizeof(bad), -EINVAL);
	bad = op;
	bad.table.binding = 2;			/* overlaps the output */
	expect_rejected(test, &bad, sizeof(bad), -EINVAL);
}

static void isa13_needs_minor_3(struct kunit *test)
{
	static const u16 opcodes[] = {
		AIOT_ISA_OP_SUB, AIOT_ISA_OP_MUL, AIOT_ISA_OP_MAXIMUM,
		AIOT_ISA_OP_MINIMUM, AIOT_ISA_OP_LEAKY_RELU, AIOT_ISA_OP_TABLE,
	};
	static const u32 sizes[] = {
		sizeof(struct aiot_isa_op_add), sizeof(struct aiot_isa_op_add),
		sizeof(struct aiot_isa_op_add), sizeof(struct aiot_isa_op_add),
		sizeof(struct aiot_isa_op_leaky_relu),
		sizeof(struct aiot_isa_op_table),
	};
	struct aiot_isa_op_add op = binary_op(AIOT_ISA_OP_MAXIMUM);
	struct aiot_isa_summary sum;
	struct isa13_job *job;
	u8 rec[sizeof(struct aiot_isa_op_add)];
	int i;

	for (i = 0; i < ARRAY_SIZE(opcodes); i++) {
		memset(rec, 0, sizeof(rec));
		memcpy(rec, &op, sizeof(op));
		((struct aiot_isa_op_header *)rec)->opcode = opcodes[i];
		job = job_one(test, rec, sizes[i], 2);
		KUNIT_EXPECT_EQ(test, aiot_isa_validate(job->stream, job->len,
							job->sizes, NBIND,
							&sum),
				-EOPNOTSUPP);
		KUNIT_EXPECT_EQ(test, sum.error_op, 0u);
		KUNIT_EXPECT_EQ(test, job_run(job), -EOPNOTSUPP);
		KUNIT_EXPECT_EQ(test, job->buf[2][0], FILL);
	}
}

/* ---- the device's gate, through SUBMIT ---------------------------------- */

struct gate_npu {
	struct aiot_device *adev;
	spinlock_t lock;	/* held */
	struct list_head held;
	struct file *file;
	struct drm_file *drm_file;
};

static void gate_npu_run(struct aiot_device *adev, struct aiot_npu_job *job)
{
	struct gate_npu *npu = aiot_npu_priv(adev);
	unsigned long flags;

	if (aiot_npu_job_begin(job)) {
		aiot_npu_job_done(job, -ETIME);
		return;
	}
	spin_lock_irqsave(&npu->lock, flags);
	list_add_tail(&job->node, &npu->held);
	spin_unlock_irqrestore(&npu->lock, flags);
}

static bool gate_npu_complete_one(struct gate_npu *npu, int error)
{
	struct aiot_npu_job *job;

	spin_lock_irq(&npu->lock);
	job = list_first_entry_or_null(&npu->held, struct aiot_npu_job, node);
	if (job)
		list_del_init(&job->node);
	spin_unlock_irq(&npu->lock);
	if (job)
		aiot_npu_job_done(job, error);
	return job;
}

static void gate_npu_reset(struct aiot_device *adev, struct aiot_npu_job *job)
{
	struct gate_npu *npu = aiot_npu_priv(adev);

	spin_lock_irq(&npu->lock);
	list_del_init(&job->node);
	spin_unlock_irq(&npu->lock);
	aiot_npu_job_done(job, -ETIMEDOUT);
}

static const struct aiot_npu_ops gate_npu_ops = {
	.run = gate_npu_run,
	.reset = gate_npu_reset,
};

static const struct aiot_npu_desc gate_desc_12 = {
	.name = "aiot-kunit-isa12",
	.hw_id = 0x4b493132,
	.isa_version = AIOT_ISA_VERSION(1, 2),
	.queue_depth = 2,
	.job_timeout_ms = 5000,
	.mem = AIOT_NPU_MEM_CPU,
};

static const struct aiot_npu_desc gate_desc_13 = {
	.name = "aiot-kunit-isa13",
	.hw_id = 0x4b493133,
	.isa_version = AIOT_ISA_VERSION(1, 3),
	.queue_depth = 2,
	.job_timeout_ms = 5000,
	.mem = AIOT_NPU_MEM_CPU,
};

static const struct aiot_npu_desc gate_desc_14 = {
	.name = "aiot-kunit-isa14",
	.hw_id = 0x4b493134,
	.isa_version = AIOT_ISA_VERSION(1, 4),
	.queue_depth = 2,
	.job_timeout_ms = 5000,
	.mem = AIOT_NPU_MEM_CPU,
};

static void gate_npu_exit(void *data)
{
	struct gate_npu *npu = data;

	while (gate_npu_complete_one(npu, -ENODEV))
		;
	if (!IS_ERR_OR_NULL(npu->file))
		fput(npu->file);
	if (!IS_ERR_OR_NULL(npu->adev))
		aiot_npu_unregister(npu->adev);
}

static struct gate_npu *gate_npu_new(struct kunit *test,
				     const struct aiot_npu_desc *desc)
{
	struct gate_npu *npu = kunit_kzalloc(test, sizeof(*npu), GFP_KERNEL);
	struct device *dev;
	char path[64];

	KUNIT_ASSERT_NOT_NULL(test, npu);
	spin_lock_init(&npu->lock);
	INIT_LIST_HEAD(&npu->held);
	dev = kunit_device_register(test, desc->name);
	KUNIT_ASSERT_FALSE(test, IS_ERR(dev));
	npu->adev = aiot_npu_register(dev, desc, &gate_npu_ops, npu);
	KUNIT_ASSERT_FALSE(test, IS_ERR(npu->adev));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, gate_npu_exit,
							npu), 0);
	snprintf(path, sizeof(path), "/dev/accel/accel%d",
		 aiot_node_minor(&npu->adev->drm)->index);
	npu->file = filp_open(path, O_RDWR, 0);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(npu->file), "open %s: %ld", path,
			       PTR_ERR(npu->file));
	npu->drm_file = npu->file->private_data;
	return npu;
}

/* SUBMIT a stream of one NOP that declares ISA 1.@minor. */
static int gate_submit(struct kunit *test, struct gate_npu *npu, u32 minor)
{
	struct drm_aiot_bo_create bo = { .size = PAGE_SIZE };
	struct aiot_isa_op_nop nop = {
		.hdr = { .opcode = AIOT_ISA_OP_NOP, .size = sizeof(nop) },
	};
	struct drm_aiot_submit args = {
		.cmd_size = sizeof(struct aiot_isa_header) + sizeof(nop),
		.priority = DRM_AIOT_PRIORITY_NORMAL,
	};
	struct aiot_isa_header *hdr;
	struct drm_gem_object *obj;
	struct iosys_map map;
	int ret;

	KUNIT_ASSERT_EQ(test, aiot_ioctl_bo_create(&npu->adev->drm, &bo,
						   npu->drm_file), 0);
	obj = drm_gem_object_lookup(npu->drm_file, bo.handle);
	KUNIT_ASSERT_NOT_NULL(test, obj);
	KUNIT_ASSERT_EQ(test, aiot_gem_vmap(obj, &map), 0);
	hdr = map.vaddr;
	hdr->magic = AIOT_ISA_MAGIC;
	hdr->version = AIOT_ISA_VERSION(1, minor);
	hdr->size = sizeof(*hdr) + sizeof(nop);
	hdr->op_count = 1;
	memcpy(hdr + 1, &nop, sizeof(nop));
	aiot_gem_vunmap(obj, &map);
	drm_gem_object_put(obj);
	args.cmd_handle = bo.handle;
	ret = aiot_ioctl_submit(&npu->adev->drm, &args, npu->drm_file);
	if (!ret) {
		/* the device takes it; finish it as its interrupt would */
		int i;

		for (i = 0; i < 1000 && !gate_npu_complete_one(npu, 0); i++)
			usleep_range(2000, 4000);
	}
	return ret;
}

static void isa13_device_gate(struct kunit *test)
{
	struct gate_npu *old = gate_npu_new(test, &gate_desc_12);
	struct gate_npu *new = gate_npu_new(test, &gate_desc_13);

	/* A 1.2 device refuses a stream declaring 1.3, takes one of 1.2. */
	KUNIT_EXPECT_EQ(test, gate_submit(test, old, 3), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, gate_submit(test, old, 2), 0);
	/* A 1.3 device takes it and refuses a stream declaring 1.4. */
	KUNIT_EXPECT_EQ(test, gate_submit(test, new, 3), 0);
	KUNIT_EXPECT_EQ(test, gate_submit(test, new, 4), -EOPNOTSUPP);
	/* A 1.4 device takes a 1.4 stream; 1.5 is refused by the validator. */
	KUNIT_EXPECT_EQ(test, gate_submit(test, gate_npu_new(test, &gate_desc_14),
					  4), 0);
	KUNIT_EXPECT_EQ(test, gate_submit(test, new, 5), -EOPNOTSUPP);
}

static struct kunit_case aiot_isa13_cases[] = {
	KUNIT_CASE(isa13_max_min),
	KUNIT_CASE(isa13_mul),
	KUNIT_CASE(isa13_sub),
	KUNIT_CASE(isa13_leaky_relu),
	KUNIT_CASE(isa13_table),
	KUNIT_CASE(isa13_reject_binary),
	KUNIT_CASE(isa13_reject_leaky_relu),
	KUNIT_CASE(isa13_reject_table),
	KUNIT_CASE(isa13_needs_minor_3),
	KUNIT_CASE(isa13_device_gate),
	{}
};

static struct kunit_suite aiot_isa13_suite = {
	.name = "aiot-isa-1.3",
	.test_cases = aiot_isa13_cases,
};

kunit_test_suites(&aiot_isa13_suite);
