// SPDX-License-Identifier: GPL-2.0-only
/*
 * The reference NPU: a simulated accelerator that registers with the aiot
 * core exactly as a hardware backend does. Its "hardware" is a worker that
 * runs the command stream with the reference executor (bit-exact with
 * TensorFlow Lite's int8 kernels) and completes the job the way an
 * interrupt handler would.
 */

#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "aiot_compat.h"
#include "aiot_npu.h"
#include "aiot_sim.h"
#include "aiot_sim_fw.h"
#include "aiot_sim_fw_format.h"
#include "isa/aiot_isa.h"

/**
 * struct aiot_sim_npu - the simulated device
 * @adev: its accelerator in the aiot core
 * @wq: the "hardware": one job at a time, in order
 * @work: runs the queued jobs
 * @lock: protects @queue, @current_job, @abort, @removing
 * @queue: jobs handed over by run, not started yet
 * @current_job: the job executing, or NULL
 * @abort: stop @current_job (reset)
 * @removing: the device is going away: fail what is left
 * @suspended: the system sleeps: start no job, keep them queued
 * @idle: woken when @current_job finishes
 * @progress: advances as the executor works; read by the timeout check
 * @hang_next: fault injection: the next job hangs until reset
 * @debugfs: fault injection knobs
 * @fw: the firmware it was probed with
 */
struct aiot_sim_npu {
	struct aiot_device *adev;
	struct workqueue_struct *wq;
	struct work_struct work;
	spinlock_t lock;	/* queue, current_job, abort, removing, suspended */
	struct list_head queue;
	struct aiot_npu_job *current_job;
	bool abort;
	bool removing;
	bool suspended;
	wait_queue_head_t idle;
	atomic64_t progress;
	u32 hang_next;
	struct dentry *debugfs;
	struct aiot_sim_fw_info fw;
};

/*
 * Polled by the executor between operations and output rows. A big layer
 * runs for seconds on a slow CPU: yield here, or the timeout handler and
 * other work queued on this CPU starve behind the "hardware".
 */
static bool aiot_sim_npu_should_stop(void *arg)
{
	struct aiot_sim_npu *npu = arg;

	atomic64_inc(&npu->progress);
	cond_resched();
	return READ_ONCE(npu->abort);
}

/* A job the fault injection made hang: no progress until reset. */
static int aiot_sim_npu_hang(struct aiot_sim_npu *npu)
{
	while (!READ_ONCE(npu->abort))
		usleep_range(5000, 10000);
	return -ETIMEDOUT;
}

static void aiot_sim_npu_work(struct work_struct *work)
{
	struct aiot_sim_npu *npu = container_of(work, struct aiot_sim_npu, work);
	const struct aiot_isa_exec_control ctl = {
		.should_stop = aiot_sim_npu_should_stop,
		.arg = npu,
	};
	struct aiot_npu_job *job;
	bool hang;
	int err;

	for (;;) {
		spin_lock_irq(&npu->lock);
		job = list_first_entry_or_null(&npu->queue, struct aiot_npu_job,
					       node);
		if (!job || npu->suspended) {
			spin_unlock_irq(&npu->lock);
			break;
		}
		list_del_init(&job->node);
		npu->current_job = job;
		npu->abort = npu->removing;
		hang = npu->hang_next > 0;
		if (hang)
			npu->hang_next--;
		spin_unlock_irq(&npu->lock);

		err = READ_ONCE(npu->abort) ? -ENODEV : aiot_npu_job_begin(job);
		if (!err && hang)
			err = aiot_sim_npu_hang(npu);
		else if (!err)
			err = aiot_isa_execute_ctl(job->stream, job->stream_size,
						   job->vaddr, job->size,
						   AIOT_NPU_MAX_BINDINGS, &ctl);
		/* Stopped by a reset: the job timed out. */
		if (err == -ECANCELED)
			err = READ_ONCE(npu->removing) ? -ENODEV : -ETIMEDOUT;

		spin_lock_irq(&npu->lock);
		npu->current_job = NULL;
		npu->abort = false;
		spin_unlock_irq(&npu->lock);

		/* The "interrupt": the job is the core's again. */
		aiot_npu_job_done(job, err);
		wake_up_all(&npu->idle);
		cond_resched();
	}
}

static bool inline_nop = true;
module_param(inline_nop, bool, 0644);
MODULE_PARM_DESC(inline_nop,
		 "Complete command streams of NOPs alone in run, without the device's workqueue");

/*
 * A stream of NOPs only (a null job, a trivial model) has nothing to
 * compute: the stream was validated at SUBMIT, so its records are walked
 * by their sizes without checks.
 */
static bool aiot_sim_npu_is_nop(const struct aiot_npu_job *job)
{
	const struct aiot_isa_header *hdr = job->stream;
	const u8 *p = job->stream;
	u32 off = sizeof(*hdr), i;

	if (job->stream_size < sizeof(*hdr) || hdr->op_count > 8)
		return false;
	for (i = 0; i < hdr->op_count; i++) {
		const struct aiot_isa_op_header *op = (const void *)(p + off);

		if (off + sizeof(*op) > job->stream_size ||
		    op->opcode != AIOT_ISA_OP_NOP || !op->size)
			return false;
		off += op->size;
	}
	return true;
}

/*
 * Fence signalling path: spinlock and queue_work only; or, for a NOP
 * stream on an idle device, the job begins and completes here, which saves
 * the workqueue's hop (a wakeup of another kworker, often on another CPU).
 */
static void aiot_sim_npu_run(struct aiot_device *adev, struct aiot_npu_job *job)
{
	struct aiot_sim_npu *npu = aiot_npu_priv(adev);
	unsigned long flags;
	bool now = false, kick;
	int err;

	spin_lock_irqsave(&npu->lock, flags);
	if (READ_ONCE(inline_nop) && list_empty(&npu->queue) && !npu->current_job &&
	    !npu->hang_next && !npu->removing && !npu->suspended &&
	    aiot_sim_npu_is_nop(job)) {
		npu->current_job = job;
		now = true;
	} else {
		list_add_tail(&job->node, &npu->queue);
	}
	spin_unlock_irqrestore(&npu->lock, flags);
	if (!now) {
		queue_work(npu->wq, &npu->work);
		return;
	}
	err = aiot_npu_job_begin(job);
	atomic64_inc(&npu->progress);
	spin_lock_irqsave(&npu->lock, flags);
	npu->current_job = NULL;
	kick = !list_empty(&npu->queue);
	spin_unlock_irqrestore(&npu->lock, flags);
	aiot_npu_job_done(job, err);
	wake_up_all(&npu->idle);
	/* Jobs queued meanwhile waited for the device to be idle. */
	if (kick)
		queue_work(npu->wq, &npu->work);
}

static void aiot_sim_npu_reset(struct aiot_device *adev,
			       struct aiot_npu_job *job)
{
	struct aiot_sim_npu *npu = aiot_npu_priv(adev);
	bool queued = false;

	spin_lock_irq(&npu->lock);
	if (npu->current_job == job) {
		npu->abort = true;
	} else if (!list_empty(&job->node)) {
		list_del_init(&job->node);
		queued = true;
	}
	spin_unlock_irq(&npu->lock);

	if (queued) {
		aiot_npu_job_done(job, -ETIMEDOUT);
		return;
	}
	/* Like waiting for a hardware reset to finish. */
	wait_event_timeout(npu->idle, READ_ONCE(npu->current_job) != job,
			   5 * HZ);
}

static u64 aiot_sim_npu_progress(struct aiot_device *adev)
{
	struct aiot_sim_npu *npu = aiot_npu_priv(adev);

	return atomic64_read(&npu->progress);
}

static const struct aiot_npu_ops aiot_sim_npu_ops = {
	.run = aiot_sim_npu_run,
	.reset = aiot_sim_npu_reset,
	.progress = aiot_sim_npu_progress,
};

static const struct aiot_npu_desc aiot_sim_npu_desc = {
	.name = AIOT_SIM_NPU_NAME,
	.hw_id = AIOT_SIM_NPU_HW_ID,
	.isa_version = AIOT_ISA_VERSION_CURRENT,
	.queue_depth = 2,
	.mem = AIOT_NPU_MEM_CPU,
};

static ssize_t firmware_version_show(struct device *dev,
				     struct device_attribute *attr, char *buf)
{
	struct aiot_sim_npu *npu = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%u.%u.%u\n", npu->fw.version >> 16,
			  (npu->fw.version >> 8) & 0xff, npu->fw.version & 0xff);
}

static DEVICE_ATTR_RO(firmware_version);

static struct attribute *aiot_sim_npu_attrs[] = {
	&dev_attr_firmware_version.attr,
	NULL
};
ATTRIBUTE_GROUPS(aiot_sim_npu);

static int aiot_sim_npu_probe(struct platform_device *pdev)
{
	struct aiot_sim_npu *npu;
	int ret;

	npu = devm_kzalloc(&pdev->dev, sizeof(*npu), GFP_KERNEL);
	if (!npu)
		return -ENOMEM;

	/* Like hardware that will not come up without its firmware. */
	ret = aiot_sim_fw_load(&pdev->dev, aiot_sim_npu_desc.isa_version,
			       &npu->fw);
	if (ret)
		return ret;

	spin_lock_init(&npu->lock);
	INIT_LIST_HEAD(&npu->queue);
	init_waitqueue_head(&npu->idle);
	INIT_WORK(&npu->work, aiot_sim_npu_work);
	/* It completes fences: it must make progress under memory pressure. */
	npu->wq = alloc_ordered_workqueue("aiot-sim-npu", WQ_MEM_RECLAIM |
					  WQ_HIGHPRI);
	if (!npu->wq)
		return -ENOMEM;

	npu->adev = aiot_npu_register(&pdev->dev, &aiot_sim_npu_desc,
				      &aiot_sim_npu_ops, npu);
	if (IS_ERR(npu->adev)) {
		destroy_workqueue(npu->wq);
		return dev_err_probe(&pdev->dev, PTR_ERR(npu->adev),
				     "cannot register the NPU\n");
	}

	npu->debugfs = debugfs_create_dir(dev_name(&pdev->dev), NULL);
	debugfs_create_u32("hang_next_jobs", 0600, npu->debugfs,
			   &npu->hang_next);
	platform_set_drvdata(pdev, npu);
	return 0;
}

static void aiot_sim_npu_remove(struct platform_device *pdev)
{
	struct aiot_sim_npu *npu = platform_get_drvdata(pdev);

	debugfs_remove_recursive(npu->debugfs);
	/* No more jobs come in once this returns... */
	aiot_npu_unregister(npu->adev);
	/* ...and those we hold complete with -ENODEV. */
	spin_lock_irq(&npu->lock);
	npu->removing = true;
	npu->abort = true;
	spin_unlock_irq(&npu->lock);
	destroy_workqueue(npu->wq);
}

AIOT_DEFINE_PLATFORM_REMOVE(aiot_sim_npu_remove)

/* System sleep: the job running finishes, the queued ones wait for resume. */
static int aiot_sim_npu_suspend(struct device *dev)
{
	struct aiot_sim_npu *npu = dev_get_drvdata(dev);

	aiot_npu_suspend(npu->adev);
	spin_lock_irq(&npu->lock);
	npu->suspended = true;
	spin_unlock_irq(&npu->lock);
	flush_work(&npu->work);
	return 0;
}

static int aiot_sim_npu_resume(struct device *dev)
{
	struct aiot_sim_npu *npu = dev_get_drvdata(dev);
	bool kick;

	spin_lock_irq(&npu->lock);
	npu->suspended = false;
	kick = !list_empty(&npu->queue);
	spin_unlock_irq(&npu->lock);
	if (kick)
		queue_work(npu->wq, &npu->work);
	aiot_npu_resume(npu->adev);
	return 0;
}

static DEFINE_SIMPLE_DEV_PM_OPS(aiot_sim_npu_pm_ops, aiot_sim_npu_suspend,
				aiot_sim_npu_resume);

static const struct of_device_id aiot_sim_npu_of_match[] = {
	{ .compatible = "aiot,sim-npu" },
	{ }
};
MODULE_DEVICE_TABLE(of, aiot_sim_npu_of_match);
MODULE_FIRMWARE(AIOT_SIM_FW_NAME);

struct platform_driver aiot_sim_npu_driver = {
	.probe = aiot_sim_npu_probe,
	.remove = AIOT_PLATFORM_REMOVE(aiot_sim_npu_remove),
	.driver = {
		.name = AIOT_SIM_NPU_NAME,
		.of_match_table = aiot_sim_npu_of_match,
		.dev_groups = aiot_sim_npu_groups,
		.pm = pm_sleep_ptr(&aiot_sim_npu_pm_ops),
	},
};
