// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the scheduler's timeout and recovery (aiot_sched.c, aiot_job.c),
 * driven through the real SUBMIT and JOB_WAIT ioctl handlers against a
 * backend the test controls. The backend holds every job it is given
 * until the test completes it, advances its progress counter only when
 * told to, and counts resets, so each case decides exactly what the
 * "hardware" does: hang, crawl, or finish.
 */

#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/iosys-map.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/aiot_accel.h>

#include "aiot_compat.h"
#include "aiot_device.h"
#include "aiot_npu.h"
#include "isa/aiot_isa.h"

#define TEST_TIMEOUT_MS	200
#define WAIT_NS		(5ULL * NSEC_PER_SEC)

struct test_npu {
	struct aiot_device *adev;
	spinlock_t lock;	/* held, resets */
	struct list_head held;
	unsigned int resets;
	atomic64_t progress;
	struct file *file;
	struct drm_file *drm_file;
	u32 stream_handle;
	struct delayed_work crawl;
	unsigned int crawl_steps;
};

static void test_npu_run(struct aiot_device *adev, struct aiot_npu_job *job)
{
	struct test_npu *npu = aiot_npu_priv(adev);
	unsigned long flags;

	if (aiot_npu_job_begin(job)) {
		aiot_npu_job_done(job, -ETIME);
		return;
	}
	spin_lock_irqsave(&npu->lock, flags);
	list_add_tail(&job->node, &npu->held);
	spin_unlock_irqrestore(&npu->lock, flags);
}

static void test_npu_reset(struct aiot_device *adev, struct aiot_npu_job *job)
{
	struct test_npu *npu = aiot_npu_priv(adev);

	spin_lock_irq(&npu->lock);
	list_del_init(&job->node);
	npu->resets++;
	spin_unlock_irq(&npu->lock);
	aiot_npu_job_done(job, -ETIMEDOUT);
}

static u64 test_npu_progress(struct aiot_device *adev)
{
	struct test_npu *npu = aiot_npu_priv(adev);

	return atomic64_read(&npu->progress);
}

static const struct aiot_npu_ops test_npu_ops = {
	.run = test_npu_run,
	.reset = test_npu_reset,
	.progress = test_npu_progress,
};

static const struct aiot_npu_desc test_npu_desc = {
	.name = "aiot-kunit-npu",
	.hw_id = 0x4b554e54,
	.isa_version = AIOT_ISA_VERSION_CURRENT,
	.queue_depth = 2,
	.job_timeout_ms = TEST_TIMEOUT_MS,
	.mem = AIOT_NPU_MEM_CPU,
};

static unsigned int test_npu_held(struct test_npu *npu)
{
	struct aiot_npu_job *job;
	unsigned int n = 0;

	spin_lock_irq(&npu->lock);
	list_for_each_entry(job, &npu->held, node)
		n++;
	spin_unlock_irq(&npu->lock);
	return n;
}

/* The device finishes its oldest job, as its interrupt would say. */
static bool test_npu_complete_one(struct test_npu *npu, int error)
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

static bool test_npu_wait_held(struct test_npu *npu, unsigned int n)
{
	int i;

	for (i = 0; i < 1000 && test_npu_held(npu) < n; i++)
		usleep_range(2000, 4000);
	return test_npu_held(npu) >= n;
}

/* A job that keeps the device busy but advances: progress every 50 ms. */
static void test_npu_crawl(struct work_struct *work)
{
	struct test_npu *npu = container_of(to_delayed_work(work),
					    struct test_npu, crawl);

	atomic64_inc(&npu->progress);
	if (--npu->crawl_steps)
		schedule_delayed_work(&npu->crawl, msecs_to_jiffies(50));
	else
		test_npu_complete_one(npu, 0);
}

/* A buffer holding a command stream of one operation record, @op. */
static u32 test_stream_bo(struct kunit *test, struct test_npu *npu,
			  const void *op, size_t op_size)
{
	struct drm_aiot_bo_create bo = { .size = PAGE_SIZE };
	struct aiot_isa_header *hdr;
	struct drm_gem_object *obj;
	struct iosys_map map;

	KUNIT_ASSERT_EQ(test, aiot_ioctl_bo_create(&npu->adev->drm, &bo,
						   npu->drm_file), 0);
	obj = drm_gem_object_lookup(npu->drm_file, bo.handle);
	KUNIT_ASSERT_NOT_NULL(test, obj);
	KUNIT_ASSERT_EQ(test, aiot_gem_vmap(obj, &map), 0);
	hdr = map.vaddr;
	hdr->magic = AIOT_ISA_MAGIC;
	hdr->version = AIOT_ISA_VERSION(1, 0);
	hdr->size = sizeof(*hdr) + op_size;
	hdr->op_count = 1;
	memcpy(hdr + 1, op, op_size);
	aiot_gem_vunmap(obj, &map);
	drm_gem_object_put(obj);
	return bo.handle;
}

static int test_npu_init(struct kunit *test)
{
	const struct aiot_isa_op_nop nop = {
		.hdr = { .opcode = AIOT_ISA_OP_NOP, .size = sizeof(nop) },
	};
	struct test_npu *npu;
	struct device *dev;
	char path[64];

	npu = kunit_kzalloc(test, sizeof(*npu), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, npu);
	spin_lock_init(&npu->lock);
	INIT_LIST_HEAD(&npu->held);
	INIT_DELAYED_WORK(&npu->crawl, test_npu_crawl);
	/* The exit handler undoes whatever part of this succeeded. */
	test->priv = npu;

	dev = kunit_device_register(test, "aiot-kunit-npu");
	KUNIT_ASSERT_FALSE(test, IS_ERR(dev));
	npu->adev = aiot_npu_register(dev, &test_npu_desc, &test_npu_ops, npu);
	KUNIT_ASSERT_FALSE(test, IS_ERR(npu->adev));

	/* A file on the device, as a process would have. */
	snprintf(path, sizeof(path), "/dev/accel/accel%d",
		 aiot_node_minor(&npu->adev->drm)->index);
	npu->file = filp_open(path, O_RDWR, 0);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(npu->file), "open %s: %ld", path,
			       PTR_ERR(npu->file));
	npu->drm_file = npu->file->private_data;

	/* The command stream of every job: a header and one NOP. */
	npu->stream_handle = test_stream_bo(test, npu, &nop, sizeof(nop));
	return 0;
}

static void test_npu_exit(struct kunit *test)
{
	struct test_npu *npu = test->priv;

	if (!npu)
		return;
	cancel_delayed_work_sync(&npu->crawl);
	/* The backend must hand back whatever it holds before it goes. */
	while (test_npu_complete_one(npu, -ENODEV))
		;
	if (!IS_ERR_OR_NULL(npu->file))
		fput(npu->file);
	if (!IS_ERR_OR_NULL(npu->adev))
		aiot_npu_unregister(npu->adev);
}

static u64 test_submit(struct kunit *test, struct test_npu *npu)
{
	struct drm_aiot_submit args = {
		.cmd_handle = npu->stream_handle,
		.cmd_size = sizeof(struct aiot_isa_header) +
			    sizeof(struct aiot_isa_op_nop),
		.priority = DRM_AIOT_PRIORITY_NORMAL,
	};

	KUNIT_ASSERT_EQ(test, aiot_ioctl_submit(&npu->adev->drm, &args,
						npu->drm_file), 0);
	return args.job_id;
}

static struct drm_aiot_job_wait test_wait(struct kunit *test,
					  struct test_npu *npu, u64 job_id)
{
	struct drm_aiot_job_wait args = {
		.job_id = job_id,
		.timeout_ns = WAIT_NS,
	};

	KUNIT_EXPECT_EQ(test, aiot_ioctl_job_wait(&npu->adev->drm, &args,
						  npu->drm_file), 0);
	return args;
}

/* Baseline: a job the device completes is neither checked nor reset. */
static void aiot_sched_completed_job_not_reset(struct kunit *test)
{
	struct test_npu *npu = test->priv;
	struct drm_aiot_job_wait w;
	u64 id = test_submit(test, npu);

	KUNIT_ASSERT_TRUE(test, test_npu_wait_held(npu, 1));
	KUNIT_EXPECT_TRUE(test, test_npu_complete_one(npu, 0));
	w = test_wait(test, npu, id);
	KUNIT_EXPECT_EQ(test, w.state, DRM_AIOT_JOB_DONE);
	KUNIT_EXPECT_EQ(test, w.status, 0);
	KUNIT_EXPECT_GE(test, w.ended_ns, w.started_ns);
	KUNIT_EXPECT_EQ(test, npu->resets, 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&npu->adev->stats.timeouts), 0);
}

/* No progress for a whole timeout: reset once, the job fails -ETIMEDOUT. */
static void aiot_sched_hung_job_reset(struct kunit *test)
{
	struct test_npu *npu = test->priv;
	struct drm_aiot_job_wait w;
	u64 id = test_submit(test, npu);

	KUNIT_ASSERT_TRUE(test, test_npu_wait_held(npu, 1));
	w = test_wait(test, npu, id);
	KUNIT_EXPECT_EQ(test, w.state, DRM_AIOT_JOB_DONE);
	KUNIT_EXPECT_EQ(test, w.status, -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, npu->resets, 1);
	KUNIT_EXPECT_EQ(test, atomic64_read(&npu->adev->stats.timeouts), 1);
	KUNIT_EXPECT_GE(test, atomic64_read(&npu->adev->stats.timeout_checks), 1);
	KUNIT_EXPECT_EQ(test, test_npu_held(npu), 0);
	/* At least one timeout period passed on the device. */
	KUNIT_EXPECT_GE(test, w.ended_ns - w.started_ns,
			(u64)TEST_TIMEOUT_MS * NSEC_PER_MSEC);
}

/*
 * Slow, not hung: a job that runs for several timeouts but advances the
 * progress counter is checked, left alone, and completes successfully.
 */
static void aiot_sched_slow_job_with_progress_not_reset(struct kunit *test)
{
	struct test_npu *npu = test->priv;
	struct drm_aiot_job_wait w;
	u64 id = test_submit(test, npu);

	KUNIT_ASSERT_TRUE(test, test_npu_wait_held(npu, 1));
	/* 16 steps of 50 ms: four timeout periods. */
	npu->crawl_steps = 16;
	schedule_delayed_work(&npu->crawl, msecs_to_jiffies(50));
	w = test_wait(test, npu, id);
	KUNIT_EXPECT_EQ(test, w.state, DRM_AIOT_JOB_DONE);
	KUNIT_EXPECT_EQ(test, w.status, 0);
	KUNIT_EXPECT_EQ(test, npu->resets, 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&npu->adev->stats.timeouts), 0);
	KUNIT_EXPECT_GE(test, atomic64_read(&npu->adev->stats.timeout_checks), 2);
	KUNIT_EXPECT_GE(test, w.ended_ns - w.started_ns,
			(u64)2 * TEST_TIMEOUT_MS * NSEC_PER_MSEC);
}

/*
 * Recovery keeps the other work: two jobs on the device, the first hangs.
 * Only it is reset; the second stays on the device and completes.
 */
static void aiot_sched_reset_keeps_next_job(struct kunit *test)
{
	struct test_npu *npu = test->priv;
	struct drm_aiot_job_wait w;
	u64 hung = test_submit(test, npu);
	u64 next = test_submit(test, npu);

	KUNIT_ASSERT_TRUE(test, test_npu_wait_held(npu, 2));
	w = test_wait(test, npu, hung);
	KUNIT_EXPECT_EQ(test, w.status, -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, npu->resets, 1);
	/* Still on the device, handed back by the resubmission untouched. */
	KUNIT_EXPECT_EQ(test, test_npu_held(npu), 1);
	atomic64_inc(&npu->progress);
	KUNIT_EXPECT_TRUE(test, test_npu_complete_one(npu, 0));
	w = test_wait(test, npu, next);
	KUNIT_EXPECT_EQ(test, w.state, DRM_AIOT_JOB_DONE);
	KUNIT_EXPECT_EQ(test, w.status, 0);
	KUNIT_EXPECT_EQ(test, npu->resets, 1);
}

/* After a reset the device takes new jobs and runs them normally. */
static void aiot_sched_device_usable_after_reset(struct kunit *test)
{
	struct test_npu *npu = test->priv;
	struct drm_aiot_job_wait w;
	u64 id = test_submit(test, npu);

	KUNIT_ASSERT_TRUE(test, test_npu_wait_held(npu, 1));
	w = test_wait(test, npu, id);
	KUNIT_EXPECT_EQ(test, w.status, -ETIMEDOUT);

	atomic64_inc(&npu->progress);
	id = test_submit(test, npu);
	KUNIT_ASSERT_TRUE(test, test_npu_wait_held(npu, 1));
	KUNIT_EXPECT_TRUE(test, test_npu_complete_one(npu, 0));
	w = test_wait(test, npu, id);
	KUNIT_EXPECT_EQ(test, w.status, 0);
	KUNIT_EXPECT_EQ(test, npu->resets, 1);
}

/* A stream that copies 16 bytes from one binding to another. */
static u32 test_copy_stream(struct kunit *test, struct test_npu *npu,
			    u8 from, u8 to)
{
	struct aiot_isa_op_reshape op = {
		.hdr = { .opcode = AIOT_ISA_OP_RESHAPE, .size = sizeof(op) },
		.input = { .binding = from, .dtype = AIOT_ISA_DTYPE_INT8,
			   .dims = { 1, 1, 1, 16 } },
	};

	op.output = op.input;
	op.output.binding = to;
	return test_stream_bo(test, npu, &op, sizeof(op));
}

/*
 * A deadline reaches the jobs a job waits for: B reads what A writes, so
 * B's deadline, set at SUBMIT, becomes A's through A's completion fence,
 * where A's backend reads it (aiot_npu_job_deadline()).
 */
static void aiot_sched_deadline_forwarded_to_producer(struct kunit *test)
{
	struct test_npu *npu = test->priv;
	struct drm_aiot_bo_create data[3] = {
		{ .size = PAGE_SIZE }, { .size = PAGE_SIZE }, { .size = PAGE_SIZE },
	};
	struct drm_aiot_submit a = {
		.cmd_size = sizeof(struct aiot_isa_header) +
			    sizeof(struct aiot_isa_op_reshape),
		.priority = DRM_AIOT_PRIORITY_NORMAL,
	};
	struct drm_aiot_submit b = a;
	struct aiot_npu_job *producer;
	u64 deadline;
	int i;

	if (!AIOT_HAS_FENCE_DEADLINE)
		kunit_skip(test, "no fence deadlines before Linux 6.4");
	for (i = 0; i < 3; i++)
		KUNIT_ASSERT_EQ(test, aiot_ioctl_bo_create(&npu->adev->drm, &data[i],
							   npu->drm_file), 0);
	a.cmd_handle = test_copy_stream(test, npu, 0, 1);
	a.bindings[0] = data[0].handle;
	a.bindings[1] = data[1].handle;
	b.cmd_handle = test_copy_stream(test, npu, 1, 2);
	b.bindings[1] = data[1].handle;
	b.bindings[2] = data[2].handle;

	KUNIT_ASSERT_EQ(test, aiot_ioctl_submit(&npu->adev->drm, &a, npu->drm_file), 0);
	KUNIT_ASSERT_TRUE(test, test_npu_wait_held(npu, 1));
	spin_lock_irq(&npu->lock);
	producer = list_first_entry(&npu->held, struct aiot_npu_job, node);
	spin_unlock_irq(&npu->lock);
	KUNIT_EXPECT_EQ(test, aiot_npu_job_deadline(producer), 0);

	deadline = ktime_get_ns() + 10 * NSEC_PER_SEC;
	b.deadline_ns = deadline;
	KUNIT_ASSERT_EQ(test, aiot_ioctl_submit(&npu->adev->drm, &b, npu->drm_file), 0);
	KUNIT_EXPECT_EQ(test, aiot_npu_job_deadline(producer), deadline);

	/* A later deadline does not postpone the sooner one. */
	b.deadline_ns = deadline + NSEC_PER_SEC;
	b.job_id = 0;
	KUNIT_ASSERT_EQ(test, aiot_ioctl_submit(&npu->adev->drm, &b, npu->drm_file), 0);
	KUNIT_EXPECT_EQ(test, aiot_npu_job_deadline(producer), deadline);

	KUNIT_EXPECT_TRUE(test, test_npu_complete_one(npu, 0));
	KUNIT_EXPECT_EQ(test, test_wait(test, npu, a.job_id).status, 0);
	KUNIT_ASSERT_TRUE(test, test_npu_wait_held(npu, 1));
	KUNIT_EXPECT_TRUE(test, test_npu_complete_one(npu, 0));
	KUNIT_ASSERT_TRUE(test, test_npu_wait_held(npu, 1));
	KUNIT_EXPECT_TRUE(test, test_npu_complete_one(npu, 0));
	KUNIT_EXPECT_EQ(test, test_wait(test, npu, b.job_id).status, 0);
}

static struct kunit_case aiot_sched_cases[] = {
	KUNIT_CASE(aiot_sched_completed_job_not_reset),
	KUNIT_CASE_SLOW(aiot_sched_hung_job_reset),
	KUNIT_CASE_SLOW(aiot_sched_slow_job_with_progress_not_reset),
	KUNIT_CASE_SLOW(aiot_sched_reset_keeps_next_job),
	KUNIT_CASE_SLOW(aiot_sched_device_usable_after_reset),
	KUNIT_CASE(aiot_sched_deadline_forwarded_to_producer),
	{ }
};

static struct kunit_suite aiot_sched_suite = {
	.name = "aiot_sched",
	.init = test_npu_init,
	.exit = test_npu_exit,
	.test_cases = aiot_sched_cases,
};

kunit_test_suite(aiot_sched_suite);
