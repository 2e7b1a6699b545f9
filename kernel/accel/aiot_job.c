// SPDX-License-Identifier: GPL-2.0-only
/*
 * Jobs: SUBMIT (aiot_submit.c) validates a command stream against the
 * buffers bound to it and queues it on drm_sched (aiot_sched.c); the backend
 * runs it and completes it through aiot_npu_job_done(). Completion is a
 * dma_fence: in the buffers' dma_resv (implicit sync, e.g. with a sensor
 * slot), in a syncobj or a sync_file (explicit sync), and in the file's job
 * records (JOB_WAIT). This file: the hardware fence, completion, the job
 * records and JOB_WAIT, the job's cleanup and the file's lifetime.
 *
 * DMA-fence rules: everything a job needs is allocated, looked up, mapped
 * and validated in SUBMIT. run_job, the backend and aiot_npu_job_done()
 * only take spinlocks and never allocate.
 */

#include <linux/dma-fence.h>
#include <linux/iosys-map.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/aiot_accel.h>

#include "aiot_compat.h"
#include "aiot_device.h"
#include "aiot_job.h"

/* Frees finished jobs outside the scheduler's own workqueue (see below). */
static struct workqueue_struct *aiot_cleanup_wq;

static unsigned int job_wait_spin_us;
module_param(job_wait_spin_us, uint, 0644);
MODULE_PARM_DESC(job_wait_spin_us,
		 "JOB_WAIT polls the job this long before it sleeps (0: sleeps at once)");

static const char *aiot_fence_driver_name(struct dma_fence *fence)
{
	return "aiot";
}

static const char *aiot_fence_timeline_name(struct dma_fence *fence)
{
	return "aiot-npu";
}

#if AIOT_HAS_FENCE_DEADLINE
/* Any context, no fence lock held: keep the soonest, lock-free. */
static void aiot_hw_fence_set_deadline(struct dma_fence *fence,
				       ktime_t deadline)
{
	struct aiot_hw_fence *hwf = to_aiot_hw_fence(fence);
	s64 want = max_t(s64, ktime_to_ns(deadline), 1);
	s64 cur = atomic64_read(&hwf->deadline_ns);

	do {
		if (cur && cur <= want)
			return;
	} while (!atomic64_try_cmpxchg(&hwf->deadline_ns, &cur, want));
}
#endif

/*
 * A fence outlives its job in whatever holds it: a sync_file, a syncobj,
 * a dma_resv, the scheduler's fence that reports its scheduler's name.
 * Its lock and that scheduler live in the device, its ops in this module:
 * a live fence holds both, from run_job (signalling path: reference
 * counts only) until its release.
 */
void aiot_hw_fence_hold(struct aiot_device *adev, struct dma_fence *fence)
{
	struct aiot_hw_fence *hwf = to_aiot_hw_fence(fence);

	hwf->adev = adev;
	drm_dev_get(&adev->drm);
	__module_get(THIS_MODULE);
}

static void aiot_hw_fence_release_work(struct work_struct *work)
{
	struct aiot_hw_fence *hwf = container_of(work, struct aiot_hw_fence,
						 release_work);
	struct aiot_device *adev = hwf->adev;

	dma_fence_free(&hwf->base);
	/* The device's last reference may tear it down: process context. */
	drm_dev_put(&adev->drm);
	/* Module exit drains this workqueue, so returning is safe. */
	module_put(THIS_MODULE);
}

/* Any context (the last put may be in an interrupt): defer the puts. */
static void aiot_hw_fence_release(struct dma_fence *fence)
{
	struct aiot_hw_fence *hwf = to_aiot_hw_fence(fence);

	INIT_WORK(&hwf->release_work, aiot_hw_fence_release_work);
	queue_work(aiot_cleanup_wq, &hwf->release_work);
}

const struct dma_fence_ops aiot_hw_fence_ops = {
	.get_driver_name = aiot_fence_driver_name,
	.get_timeline_name = aiot_fence_timeline_name,
	.release = aiot_hw_fence_release,
#if AIOT_HAS_FENCE_DEADLINE
	.set_deadline = aiot_hw_fence_set_deadline,
#endif
};

static struct aiot_job_record *aiot_record(struct aiot_file *afile, u64 id)
{
	return &afile->records[id & (AIOT_JOB_RECORDS - 1)];
}

/* Signalling path: spinlock only. */
static void aiot_record_update(struct aiot_job *job, u32 state, int status,
			       u64 started_ns, u64 ended_ns)
{
	struct aiot_file *afile = job->afile;
	struct aiot_job_record *rec;
	unsigned long flags;

	spin_lock_irqsave(&afile->records_lock, flags);
	rec = aiot_record(afile, job->job_id);
	if (rec->job_id == job->job_id) {
		rec->state = state;
		rec->status = status;
		if (started_ns)
			rec->started_ns = started_ns;
		if (ended_ns)
			rec->ended_ns = ended_ns;
	}
	spin_unlock_irqrestore(&afile->records_lock, flags);
}

/*
 * run_job hands the entity's jobs to the backend in order: keep that order
 * for their fences. Signalling path: spinlock only.
 */
void aiot_job_order_add(struct aiot_job *job)
{
	struct aiot_job_order *order = job->order;
	unsigned long flags;

	spin_lock_irqsave(&order->lock, flags);
	list_add_tail(&job->order_node, &order->jobs);
	spin_unlock_irqrestore(&order->lock, flags);
}

static void aiot_job_signal(struct aiot_job *job)
{
	/*
	 * The scheduler's finished fence (the one userspace holds) carries
	 * the error too: 6.12's scheduler copies it from @hw_fence, 6.1's
	 * does not. Not signalled yet: it signals from @hw_fence's callback.
	 */
	if (job->hw_error) {
		dma_fence_set_error(&job->base.s_fence->finished,
				    job->hw_error);
		dma_fence_set_error(job->hw_fence, job->hw_error);
	}
	aiot_record_update(job, DRM_AIOT_JOB_DONE, job->hw_error, 0,
			   job->ended_ns);
	/* After this the scheduler may free the job: touch nothing more. */
	dma_fence_signal(job->hw_fence);
}

/*
 * The backend is done with @job. Its fence signals now if no earlier job
 * of its entity is still on the device, else when the last of those does:
 * dma_resv keeps one fence per context (the entity's), so a later job's
 * fence signalling first would stand for an earlier job still at work
 * (a deadline-missed job completes in run_job while the one ahead runs;
 * a backend may run jobs out of order). Any context; spinlocks only.
 */
void aiot_job_complete(struct aiot_job *job, int error)
{
	struct aiot_job_order *order = job->order;
	struct aiot_device *adev = job->adev;
	struct aiot_job *j, *tmp;
	u64 now = ktime_get_ns();
	unsigned long flags;
	LIST_HEAD(ready);

	/* A backend that knows when the job really ended said so. */
	if (job->dev_ended_ns && job->dev_ended_ns < now)
		now = max(job->dev_ended_ns, job->started_ns);

	if (job->started_ns && now > job->started_ns) {
		atomic64_add(now - job->started_ns, &adev->stats.busy_ns);
		atomic64_add(now - job->started_ns, &job->afile->stats.busy_ns);
	}
	if (error) {
		atomic64_inc(&adev->stats.failed);
		atomic64_inc(&job->afile->stats.failed);
	} else {
		atomic64_inc(&adev->stats.completed);
		atomic64_inc(&job->afile->stats.completed);
	}
	aiot_job_dma_sync_for_cpu(adev, &job->dma, &job->npu);

	spin_lock_irqsave(&order->lock, flags);
	job->hw_error = error;
	job->ended_ns = now;
	job->hw_ended = true;
	/* The first of the entity's jobs, and those done behind it. */
	if (list_first_entry(&order->jobs, struct aiot_job, order_node) == job) {
		list_for_each_entry_safe(j, tmp, &order->jobs, order_node) {
			if (!j->hw_ended)
				break;
			list_move_tail(&j->order_node, &ready);
		}
	}
	spin_unlock_irqrestore(&order->lock, flags);

	while (!list_empty(&ready)) {
		j = list_first_entry(&ready, struct aiot_job, order_node);
		list_del_init(&j->order_node);
		aiot_job_signal(j);
	}
}

/**
 * aiot_npu_job_begin() - the backend is about to execute a job
 * @npu_job: the job, as given to &aiot_npu_ops.run
 *
 * Records the start time, as the device sees it (jobs may wait in the
 * backend's own queue after run). Any context.
 *
 * Return: 0 to go ahead, or the error to complete the job with, without
 * running it (-ETIME: its deadline passed).
 */
int aiot_npu_job_begin(struct aiot_npu_job *npu_job)
{
	struct aiot_job *job = container_of(npu_job, struct aiot_job, npu);
	u64 now = ktime_get_ns();

	if (job->deadline_ns && now > job->deadline_ns)
		return -ETIME;
	job->started_ns = now;
	aiot_record_update(job, DRM_AIOT_JOB_RUNNING, 0, now, 0);
	return 0;
}
EXPORT_SYMBOL_GPL(aiot_npu_job_begin);

/**
 * aiot_npu_job_started_at() - when the device really started a job
 * @npu_job: the job, as given to &aiot_npu_ops.run, not done yet
 * @started_ns: CLOCK_MONOTONIC time (ktime_get_ns()) it started
 *
 * For hardware that queues jobs and reports with each completion when it
 * ran (the NPU card): aiot_npu_job_begin() was called when the job was
 * handed over, this corrects the start time that JOB_WAIT and the
 * statistics report, just before aiot_npu_job_done(). Any context.
 */
void aiot_npu_job_started_at(struct aiot_npu_job *npu_job, u64 started_ns)
{
	struct aiot_job *job = container_of(npu_job, struct aiot_job, npu);

	job->started_ns = started_ns;
	aiot_record_update(job, DRM_AIOT_JOB_RUNNING, 0, started_ns, 0);
}
EXPORT_SYMBOL_GPL(aiot_npu_job_started_at);

/**
 * aiot_npu_job_ended_at() - when the device really ended a job
 * @npu_job: the job, as given to &aiot_npu_ops.run, not done yet
 * @ended_ns: CLOCK_MONOTONIC time (ktime_get_ns()) it ended
 *
 * For hardware that reports several completions at once: the job ended
 * before aiot_npu_job_done() was called for it, and a job completed in the
 * same batch after it ran in between. The end time JOB_WAIT, the records
 * and the busy time report is then this one, not aiot_npu_job_done()'s
 * (it is ignored if later than that). Call just before aiot_npu_job_done().
 * Any context.
 */
void aiot_npu_job_ended_at(struct aiot_npu_job *npu_job, u64 ended_ns)
{
	struct aiot_job *job = container_of(npu_job, struct aiot_job, npu);

	job->dev_ended_ns = ended_ns;
}
EXPORT_SYMBOL_GPL(aiot_npu_job_ended_at);

/**
 * aiot_npu_job_done() - the backend finished a job
 * @npu_job: the job, as given to &aiot_npu_ops.run
 * @error: 0, or a negative errno (-ETIMEDOUT after a reset)
 *
 * Any context, interrupts included; the job must not be touched after.
 */
void aiot_npu_job_done(struct aiot_npu_job *npu_job, int error)
{
	aiot_job_complete(container_of(npu_job, struct aiot_job, npu), error);
}
EXPORT_SYMBOL_GPL(aiot_npu_job_done);

/**
 * aiot_npu_job_deadline() - when the job's result is needed
 * @npu_job: the job, as given to &aiot_npu_ops.run
 *
 * The sooner of the job's own deadline (SUBMIT) and the deadlines waiters
 * set on its completion fence since (e.g. a job that reads its output and
 * has a deadline of its own). A backend may raise its clock or run the job
 * ahead of others to meet it. Any context.
 *
 * Return: CLOCK_MONOTONIC nanoseconds, 0 when nobody asked.
 */
u64 aiot_npu_job_deadline(struct aiot_npu_job *npu_job)
{
	struct aiot_job *job = container_of(npu_job, struct aiot_job, npu);
	u64 waiter = atomic64_read(&to_aiot_hw_fence(job->hw_fence)->deadline_ns);

	if (!job->deadline_ns)
		return waiter;
	return waiter ? min(waiter, job->deadline_ns) : job->deadline_ns;
}
EXPORT_SYMBOL_GPL(aiot_npu_job_deadline);

void aiot_job_cleanup_work(struct work_struct *work)
{
	struct aiot_job *job = container_of(work, struct aiot_job, cleanup_work);
	struct aiot_device *adev = job->adev;
	int i;

	for (i = 0; i < AIOT_NPU_MAX_BINDINGS; i++) {
		if (!job->bos[i])
			continue;
		if (!iosys_map_is_null(&job->maps[i]))
			aiot_gem_vunmap(job->bos[i], &job->maps[i]);
		drm_gem_object_put(job->bos[i]);
	}
	aiot_job_dma_release(adev, &job->dma);
	for (i = 0; i < job->in_fence_count; i++)
		dma_fence_put(job->in_fences[i]);
	kfree(job->in_fences);
	aiot_job_put_device_waits(job);
	kvfree(job->npu.stream);
	if (job->hw_fence_live)
		dma_fence_put(job->hw_fence);
	else
		kfree(job->hw_fence);
	dma_fence_put(job->done);
	dma_fence_put(job->prev_record_done);
	atomic_dec(&job->afile->jobs_in_flight);
	aiot_file_put(job->afile);
	drm_dev_put(&adev->drm);
	kfree(job);
	/* Module exit drains this workqueue, so returning is safe. */
	module_put(THIS_MODULE);
}

/*
 * The last reference to the device may be the job's, and the device's
 * release tears the scheduler down: never from the scheduler's own work.
 */
void aiot_job_queue_cleanup(struct aiot_job *job)
{
	queue_work(aiot_cleanup_wq, &job->cleanup_work);
}

/* Run @work on the cleanup workqueue, which module exit drains. */
void aiot_queue_cleanup_work(struct work_struct *work)
{
	queue_work(aiot_cleanup_wq, work);
}

/**
 * aiot_record_times() - a job's start and end times from its file's record
 * @afile: the job's file
 * @job_id: the job
 * @started_ns: out: when it started on the device, 0 if it did not
 * @ended_ns: out: when it ended, 0 if not yet (or the record is gone)
 */
void aiot_record_times(struct aiot_file *afile, u64 job_id, u64 *started_ns,
		       u64 *ended_ns)
{
	struct aiot_job_record *rec = aiot_record(afile, job_id);
	unsigned long flags;

	*started_ns = 0;
	*ended_ns = 0;
	spin_lock_irqsave(&afile->records_lock, flags);
	if (rec->job_id == job_id) {
		*started_ns = rec->started_ns;
		*ended_ns = rec->ended_ns;
	}
	spin_unlock_irqrestore(&afile->records_lock, flags);
}

static void aiot_file_release(struct kref *kref)
{
	struct aiot_file *afile = container_of(kref, struct aiot_file, refcount);
	int i;

	for (i = 0; i < AIOT_NUM_PRIORITIES; i++)
		aiot_job_order_fini(&afile->order[i]);
	for (i = 0; i < AIOT_JOB_RECORDS; i++)
		dma_fence_put(afile->records[i].done);
	mutex_destroy(&afile->submit_lock);
	kvfree(afile);
}

void aiot_file_put(struct aiot_file *afile)
{
	kref_put(&afile->refcount, aiot_file_release);
}

/*
 * The entities are torn down once the scheduler has taken their last job
 * (each cancelled on the way, see aiot_file_close()): never with jobs in
 * them, which drm_sched would kill with -ESRCH.
 */
static void aiot_file_close_work(struct work_struct *work)
{
	struct aiot_file *afile = container_of(work, struct aiot_file,
					       close_work);
	struct aiot_device *adev = afile->adev;

	aiot_file_fini_entities(afile);
	aiot_file_put(afile);
	drm_dev_put(&adev->drm);
	/* Module exit drains this workqueue, so returning is safe. */
	module_put(THIS_MODULE);
}

/*
 * The file is closing. Its jobs that the scheduler has not handed to the
 * backend yet are cancelled: the entities' guilty flag makes the scheduler
 * fail each with -ECANCELED, without running it, as it reaches it (after
 * its dependencies; its fence signals after the ones of the entity's
 * earlier jobs), and so are those waiting in the device for a fence
 * (aiot_job_deps.c). Jobs the backend holds finish. Nothing here waits.
 */
void aiot_file_close(struct aiot_file *afile)
{
	atomic_set(&afile->cancelled, 1);
	aiot_file_cancel_device_waits(afile);
	kref_get(&afile->refcount);
	drm_dev_get(&afile->adev->drm);
	__module_get(THIS_MODULE);
	INIT_WORK(&afile->close_work, aiot_file_close_work);
	queue_work(aiot_cleanup_wq, &afile->close_work);
}

/* Returns the fence of the record's previous job, to put unlocked. */
struct dma_fence *aiot_record_start(struct aiot_file *afile,
				    struct aiot_job *job)
{
	struct aiot_job_record *rec = aiot_record(afile, job->job_id);
	struct dma_fence *old;

	spin_lock_irq(&afile->records_lock);
	old = rec->done;
	rec->job_id = job->job_id;
	rec->state = DRM_AIOT_JOB_QUEUED;
	rec->status = 0;
	rec->queued_ns = ktime_get_ns();
	rec->started_ns = 0;
	rec->ended_ns = 0;
	rec->done = dma_fence_get(job->done);
	spin_unlock_irq(&afile->records_lock);
	return old;
}

void aiot_job_free_unsubmitted(struct aiot_job *job, bool sched_init)
{
	if (sched_init)
		drm_sched_job_cleanup(&job->base);
	job->done = NULL;
	/* Same teardown as a finished job, synchronously. */
	aiot_job_cleanup_work(&job->cleanup_work);
}

/*
 * A short job ends within a wakeup's cost: polling for it a few
 * microseconds saves the sleep and the wakeup. Bounded, and never when
 * the CPU is wanted or a signal is pending.
 */
static bool aiot_job_wait_spin(struct dma_fence *fence)
{
	unsigned int us = READ_ONCE(job_wait_spin_us);
	u64 end;

	if (!us)
		return false;
	end = ktime_get_ns() + (u64)us * NSEC_PER_USEC;
	do {
		if (dma_fence_is_signaled(fence))
			return true;
		if (need_resched() || signal_pending(current))
			break;
		cpu_relax();
	} while (ktime_get_ns() < end);
	return false;
}

int aiot_ioctl_job_wait(struct drm_device *drm, void *data,
			struct drm_file *file)
{
	struct aiot_file *afile = file->driver_priv;
	struct drm_aiot_job_wait *args = data;
	struct aiot_job_record *rec;
	struct dma_fence *fence = NULL;
	long timeout, ret = 0;

	if (args->flags || args->pad || args->timeout_ns < 0)
		return -EINVAL;

	spin_lock_irq(&afile->records_lock);
	rec = aiot_record(afile, args->job_id);
	if (!args->job_id || rec->job_id != args->job_id) {
		spin_unlock_irq(&afile->records_lock);
		return -ENOENT;
	}
	fence = dma_fence_get(rec->done);
	spin_unlock_irq(&afile->records_lock);

	if (fence && args->timeout_ns && !aiot_job_wait_spin(fence)) {
		timeout = min_t(u64, nsecs_to_jiffies64(args->timeout_ns),
				MAX_SCHEDULE_TIMEOUT);
		ret = dma_fence_wait_timeout(fence, true, timeout);
	}
	dma_fence_put(fence);
	if (ret < 0)
		return ret;

	spin_lock_irq(&afile->records_lock);
	if (rec->job_id != args->job_id) {
		/* Recycled while we waited: 256 newer jobs went through. */
		spin_unlock_irq(&afile->records_lock);
		return -ENOENT;
	}
	args->state = rec->state;
	args->status = rec->status;
	args->queued_ns = rec->queued_ns;
	args->started_ns = rec->started_ns;
	args->ended_ns = rec->ended_ns;
	/* Cancelled before it ran: the scheduler's fence carries why. */
	if (rec->state != DRM_AIOT_JOB_DONE && dma_fence_is_signaled(rec->done)) {
		args->state = DRM_AIOT_JOB_DONE;
		args->status = rec->done->error ? rec->done->error : -ECANCELED;
	}
	spin_unlock_irq(&afile->records_lock);

	if (args->state != DRM_AIOT_JOB_DONE && args->timeout_ns)
		return -ETIME;
	return 0;
}

AIOT_EXPORT_FOR_KUNIT(aiot_ioctl_job_wait);

int aiot_job_init_module(void)
{
	aiot_cleanup_wq = alloc_workqueue("aiot-cleanup", WQ_UNBOUND, 0);
	return aiot_cleanup_wq ? 0 : -ENOMEM;
}

void aiot_job_exit_module(void)
{
	destroy_workqueue(aiot_cleanup_wq);
}
