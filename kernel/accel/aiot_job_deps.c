// SPDX-License-Identifier: GPL-2.0-only
/*
 * A job's input fences, and who waits for them.
 *
 * drm_sched waits for a job's dependencies itself: the last one signalling
 * queues the scheduler's work, a kworker runs run_job, the backend starts
 * the job. Under CPU load that kworker is an ordinary task waiting for a
 * CPU (on 6.12 up to a scheduler tick), and it sits between a sensor's DMA
 * completing and the job that reads the slot.
 *
 * So fences from outside this device (a sensor slot's write fence, another
 * driver's, a sync_file) are not the scheduler's to wait for: run_job takes
 * the job at once and the device waits, as a GPU waits on a semaphore. The
 * fence's callback (the sensor's DMA-complete) raises an irq_work that
 * hands the job to the backend: no task has to be scheduled in between.
 * Fences of this device's own jobs stay the scheduler's: a job waiting in
 * the device holds one of the device's queue_depth places, and a job must
 * never hold one while waiting for a job that has none.
 *
 * An entity's jobs reach the backend in order (a later job does not
 * overtake one still waiting), and its fences signal in order (aiot_job.c).
 * Other devices' and this device's other entities' jobs are not held up by
 * a waiting job, but by the places it occupies.
 */

#include <linux/dma-fence.h>
#include <linux/dma-fence-unwrap.h>
#include <linux/dma-resv.h>
#include <linux/irq_work.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <drm/drm_drv.h>
#include <drm/drm_gem.h>
#include <drm/gpu_scheduler.h>

#include "aiot_compat.h"
#include "aiot_device.h"
#include "aiot_job.h"

static bool device_waits = true;
module_param(device_waits, bool, 0644);
MODULE_PARM_DESC(device_waits,
		 "Jobs submitted from now on leave their input fences from outside the device (sensor DMA, other drivers) to the device, which starts the job from the fence's signal (off: the scheduler's work waits for them)");

/* A fence of this device's own jobs: the scheduler's, or a hardware one. */
static bool aiot_fence_is_ours(struct aiot_job *job, struct dma_fence *fence)
{
	struct drm_sched_fence *s_fence = to_drm_sched_fence(fence);

	if (s_fence)
		return s_fence->sched == &job->adev->sched;
	return fence->ops == &aiot_hw_fence_ops;
}

/*
 * Containers (syncobj timeline points, merged sync_files) are looked into.
 * The walk holds a reference until it ends: no early exit.
 */
static bool aiot_fence_has_ours(struct aiot_job *job, struct dma_fence *fence)
{
	struct dma_fence_unwrap iter;
	struct dma_fence *f;
	bool ours = false;

	dma_fence_unwrap_for_each(f, &iter, fence)
		ours |= aiot_fence_is_ours(job, f);
	return ours;
}

static int aiot_job_add_device_wait(struct aiot_job *job,
				    struct dma_fence *fence)
{
	struct aiot_job_wait *more;
	unsigned int i;

	/* One per context, the later one, as the scheduler keeps them. */
	for (i = 0; i < job->wait_count; i++) {
		struct dma_fence *old = job->waits[i].fence;

		if (old->context != fence->context)
			continue;
		if (dma_fence_is_later(fence, old)) {
			job->waits[i].fence = fence;
			dma_fence_put(old);
		} else {
			dma_fence_put(fence);
		}
		return 0;
	}
	if (job->wait_count == job->wait_room) {
		more = krealloc_array(job->waits, job->wait_room + 4,
				      sizeof(*more), GFP_KERNEL_ACCOUNT);
		if (!more) {
			dma_fence_put(fence);
			return -ENOMEM;
		}
		job->waits = more;
		job->wait_room += 4;
	}
	job->waits[job->wait_count].fence = fence;
	job->waits[job->wait_count].job = job;
	job->wait_count++;
	return 0;
}

/**
 * aiot_job_add_dep() - the job may only start once @fence signalled
 * @job: a job being submitted (scheduler job initialised, not armed)
 * @fence: the fence; the reference is the job's, even on failure
 *
 * Return: 0 or -ENOMEM.
 */
int aiot_job_add_dep(struct aiot_job *job, struct dma_fence *fence)
{
	if (!fence)
		return 0;
	if (dma_fence_is_signaled(fence)) {
		dma_fence_put(fence);
		return 0;
	}
	if (!job->device_waits || aiot_fence_has_ours(job, fence))
		return drm_sched_job_add_dependency(&job->base, fence);
	return aiot_job_add_device_wait(job, fence);
}

/**
 * aiot_job_add_resv_deps() - the fences of @obj the job must wait for
 * @job: a job being submitted
 * @obj: a buffer it binds, its reservation locked
 * @write: the job writes it (then it waits for readers too)
 *
 * Return: 0 or -ENOMEM.
 */
int aiot_job_add_resv_deps(struct aiot_job *job, struct drm_gem_object *obj,
			   bool write)
{
	struct dma_resv_iter cursor;
	struct dma_fence *fence;
	int ret;

	dma_resv_for_each_fence(&cursor, obj->resv, dma_resv_usage_rw(write),
				fence) {
		ret = aiot_job_add_dep(job, dma_fence_get(fence));
		if (ret)
			return ret;
	}
	return 0;
}

/* Tell whoever signals the fences the device waits for when they are due. */
void aiot_job_forward_device_deadline(struct aiot_job *job, ktime_t deadline)
{
#if AIOT_HAS_FENCE_DEADLINE
	unsigned int i;

	for (i = 0; i < job->wait_count; i++)
		dma_fence_set_deadline(job->waits[i].fence, deadline);
#endif
}

void aiot_job_put_device_waits(struct aiot_job *job)
{
	unsigned int i;

	for (i = 0; i < job->wait_count; i++)
		dma_fence_put(job->waits[i].fence);
	kfree(job->waits);
}

/*
 * Hand @job to the backend, or complete it at once: cancelled (its file
 * closed), bad input (an in-fence failed), too late, or the device gone.
 * Any context, interrupts included: the backend's run is in the fence
 * signalling path.
 */
static void aiot_job_run_on_device(struct aiot_job *job)
{
	struct aiot_device *adev = job->adev;
	int idx, error = job->cancel_error;

	/* Not on the device yet when its file closed: cancelled. */
	if (!error && atomic_read(&job->afile->cancelled))
		error = -ECANCELED;
	/* An in-fence failed (a sensor's DMA, a writer job): bad input. */
	if (!error)
		error = aiot_job_in_fence_error(job);
	if (!error && job->deadline_ns && ktime_get_ns() > job->deadline_ns)
		error = -ETIME;
	if (!error && !drm_dev_enter(&adev->drm, &idx))
		error = -ENODEV;
	if (error) {
		aiot_job_complete(job, error);
		return;
	}
	if (job->waited)
		atomic64_inc(&adev->stats.fence_starts);
	WRITE_ONCE(to_aiot_hw_fence(job->hw_fence)->ran, true);
	aiot_sched_mark_progress(adev);
	aiot_job_dma_sync_for_device(adev, &job->dma, &job->npu);
	adev->ops->run(adev, &job->npu);
	drm_dev_exit(idx);
}

/*
 * Hand the entity's jobs whose fences all signalled to the backend, in the
 * entity's order, stopping at the first that still waits. One CPU at a
 * time per entity (@order->dispatching): the backend is called without the
 * lock, since it may complete a job at once, which takes it.
 */
static void aiot_job_order_dispatch(struct aiot_job_order *order)
{
	struct aiot_job *job, *next;
	unsigned long flags;

	spin_lock_irqsave(&order->lock, flags);
	if (order->dispatching)
		goto out;
	order->dispatching = true;
	for (;;) {
		next = NULL;
		list_for_each_entry(job, &order->jobs, order_node) {
			if (job->dispatched)
				continue;
			if (!atomic_read(&job->waits_left))
				next = job;
			break;
		}
		if (!next)
			break;
		next->dispatched = true;
		spin_unlock_irqrestore(&order->lock, flags);
		aiot_job_run_on_device(next);
		spin_lock_irqsave(&order->lock, flags);
	}
	order->dispatching = false;
out:
	spin_unlock_irqrestore(&order->lock, flags);
}

static void aiot_job_order_irq_work(struct irq_work *work)
{
	aiot_job_order_dispatch(container_of(work, struct aiot_job_order,
					     dispatch_work));
}

static void aiot_job_wait_done(struct aiot_job *job)
{
	if (atomic_dec_and_test(&job->waits_left))
		irq_work_queue(&job->order->dispatch_work);
}

/*
 * A fence the device waited for signalled: the DMA-complete of a sensor
 * slot, in its signaller's context with the fence's lock held. Nothing is
 * run under that lock: the irq_work runs the dispatch as soon as
 * interrupts are on again, on this CPU.
 */
static void aiot_job_wait_cb(struct dma_fence *fence, struct dma_fence_cb *cb)
{
	aiot_job_wait_done(container_of(cb, struct aiot_job_wait, cb)->job);
}

/**
 * aiot_job_run() - the scheduler hands a job over (run_job)
 * @job: the job, in its entity's order list
 *
 * Arms the callbacks of the fences the device waits for and hands the
 * entity's ready jobs to the backend. Signalling path: no allocation.
 */
void aiot_job_run(struct aiot_job *job)
{
	unsigned int i;

	/* One for this function, so that no callback sees 0 before the end. */
	atomic_set(&job->waits_left, 1);
	for (i = 0; !job->cancel_error && i < job->wait_count; i++) {
		atomic_inc(&job->waits_left);
		if (dma_fence_add_callback(job->waits[i].fence,
					   &job->waits[i].cb, aiot_job_wait_cb))
			atomic_dec(&job->waits_left);
		else
			job->waited = true;
	}
	atomic_dec(&job->waits_left);
	aiot_job_order_dispatch(job->order);
}

/*
 * Of @order's jobs waiting in the device for a fence, the first not yet
 * cancelled, marked and held (a waits_left reference) so it can't start
 * and go away while its callbacks are removed. NULL if none is left.
 */
static struct aiot_job *aiot_job_order_next_waiting(struct aiot_job_order *order)
{
	struct aiot_job *job, *found = NULL;

	spin_lock_irq(&order->lock);
	list_for_each_entry(job, &order->jobs, order_node) {
		if (job->dispatched || job->waits_cancelled || !job->wait_count)
			continue;
		job->waits_cancelled = true;
		atomic_inc(&job->waits_left);
		found = job;
		break;
	}
	spin_unlock_irq(&order->lock);
	return found;
}

/**
 * aiot_file_cancel_device_waits() - the file closes: stop waiting
 * @afile: the closing file (its cancelled flag set)
 *
 * Its jobs waiting in the device for a fence from outside stop waiting and
 * complete with -ECANCELED, in their entities' order, without running.
 * Process context; takes no fence's lock under the order's lock (the
 * callbacks take them the other way round).
 */
void aiot_file_cancel_device_waits(struct aiot_file *afile)
{
	struct aiot_job *job;
	unsigned int i, p;

	for (p = 0; p < AIOT_NUM_PRIORITIES; p++) {
		while ((job = aiot_job_order_next_waiting(&afile->order[p]))) {
			for (i = 0; i < job->wait_count; i++)
				if (dma_fence_remove_callback(job->waits[i].fence,
							      &job->waits[i].cb))
					aiot_job_wait_done(job);
			aiot_job_wait_done(job);
		}
		aiot_job_order_dispatch(&afile->order[p]);
	}
}

void aiot_job_order_init(struct aiot_job_order *order)
{
	spin_lock_init(&order->lock);
	INIT_LIST_HEAD(&order->jobs);
	init_irq_work(&order->dispatch_work, aiot_job_order_irq_work);
}

/* Before the order's file is freed: its irq_work may still be running. */
void aiot_job_order_fini(struct aiot_job_order *order)
{
	irq_work_sync(&order->dispatch_work);
}

bool aiot_job_device_waits_enabled(void)
{
	return READ_ONCE(device_waits);
}
