// SPDX-License-Identifier: GPL-2.0-only
/*
 * The scheduler backend: drm_sched's run_job, timedout_job and free_job,
 * the scheduler of a device and the entities (one per priority) of a file.
 * run_job is in the fence signalling path: no allocation, no sleeping lock.
 */

#include <linux/dma-fence.h>
#include <linux/kobject.h>
#include <linux/moduleparam.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_managed.h>
#include <drm/gpu_scheduler.h>
#include <drm/aiot_accel.h>

#include "aiot_compat.h"
#include "aiot_device.h"
#include "aiot_job.h"

/*
 * The scheduler (re)arms the job timeout when it hands a job over and when
 * it frees one, and a job reaches the backend: the timeout check measures
 * progress from here. Inside drm_dev_enter(); any context.
 */
void aiot_sched_mark_progress(struct aiot_device *adev)
{
	if (!adev->ops->progress)
		return;
	WRITE_ONCE(adev->last_progress, adev->ops->progress(adev));
	WRITE_ONCE(adev->last_progress_ns, ktime_get_ns());
}

static struct dma_fence *aiot_sched_run_job(struct drm_sched_job *sched_job)
{
	struct aiot_job *job = to_aiot_job(sched_job);
	struct aiot_device *adev = job->adev;
	struct dma_fence *fence = job->hw_fence;

	/*
	 * Called again by drm_sched_resubmit_jobs() after a timeout check for
	 * jobs still on the device: they were not reset and keep running.
	 */
	if (job->hw_fence_live)
		return dma_fence_get(fence);

	dma_fence_init(fence, &aiot_hw_fence_ops, &adev->fence_lock,
		       adev->fence_context, ++adev->fence_seqno);
	aiot_hw_fence_hold(adev, fence);
	job->hw_fence_live = true;
	/* One reference for the scheduler, one for the job. */
	dma_fence_get(fence);
	/*
	 * Every job goes through the entity's order, those that do not run
	 * too: their fences signal after the ones of the jobs ahead.
	 */
	aiot_job_order_add(job);
	/* Cancelled: its file closed (the entity's guilty flag). */
	job->cancel_error = sched_job->s_fence->finished.error;
	/*
	 * To the backend now, or from the callback of the last fence the
	 * device waits for (aiot_job_deps.c).
	 */
	aiot_job_run(job);
	return fence;
}

static void aiot_reset_uevent(struct aiot_device *adev)
{
	struct drm_minor *minor = aiot_node_minor(&adev->drm);
	char *envp[2] = { "AIOT_RESET=1", NULL };

	if (minor && minor->kdev)
		kobject_uevent_env(&minor->kdev->kobj, KOBJ_CHANGE, envp);
}

/*
 * The oldest job the backend holds and has not completed, NULL if none:
 * the scheduler's pending list also has jobs that wait in the device for
 * a fence, which are not running. The scheduler is stopped.
 */
static struct aiot_job *aiot_sched_oldest_on_device(struct aiot_device *adev)
{
	struct drm_sched_job *s_job;
	struct aiot_job *job, *found = NULL;
	unsigned long flags;
	bool on_device;

	spin_lock(&adev->sched.job_list_lock);
	list_for_each_entry(s_job, &adev->sched.pending_list, list) {
		job = to_aiot_job(s_job);
		spin_lock_irqsave(&job->order->lock, flags);
		on_device = job->dispatched && !job->hw_ended;
		spin_unlock_irqrestore(&job->order->lock, flags);
		if (on_device && !dma_fence_is_signaled(job->hw_fence)) {
			found = job;
			break;
		}
	}
	spin_unlock(&adev->sched.job_list_lock);
	return found;
}

static enum drm_gpu_sched_stat
aiot_sched_timedout_job(struct drm_sched_job *sched_job)
{
	struct aiot_job *job = to_aiot_job(sched_job);
	struct aiot_device *adev = job->adev;
	bool hung = false;
	u64 progress, now, since_ms;
	int idx;

	/*
	 * The scheduler took the job off its pending list. drm_sched_stop()
	 * puts it back and detaches the jobs from their device fences;
	 * drm_sched_resubmit_jobs() hands them back (run_job returns the
	 * same fence for a job already on the device: only the hung one is
	 * reset, the others go on), and drm_sched_start() rearms completion
	 * and the timeout. The 6.1 and 6.12 schedulers offer no lighter way
	 * to say "not hung, keep waiting".
	 */
	drm_sched_stop(&adev->sched, sched_job);
	atomic64_inc(&adev->stats.timeout_checks);
	/* A job the device waits for a fence for is not hung: judge the next. */
	job = aiot_sched_oldest_on_device(adev);

	if (job && drm_dev_enter(&adev->drm, &idx)) {
		now = ktime_get_ns();
		since_ms = div_u64(now - READ_ONCE(adev->last_progress_ns),
				   NSEC_PER_MSEC);
		progress = adev->ops->progress ? adev->ops->progress(adev) : 0;
		/*
		 * Progress is counted from when the timeout was armed (see
		 * aiot_sched_mark_progress()). A kernel that did not rearm it
		 * for a later job may fire early: too short a time to tell,
		 * look again a timeout later.
		 */
		if (!adev->ops->progress ||
		    (progress == READ_ONCE(adev->last_progress) &&
		     since_ms >= adev->job_timeout_ms / 2)) {
			hung = true;
			atomic64_inc(&adev->stats.timeouts);
			dev_warn(adev->drm.dev, "job %llu made no progress in %llu ms: reset\n",
				 job->job_id, since_ms);
			adev->ops->reset(adev, &job->npu);
		}
		WRITE_ONCE(adev->last_progress, progress);
		WRITE_ONCE(adev->last_progress_ns, now);
		drm_dev_exit(idx);
	}

	drm_sched_resubmit_jobs(&adev->sched);
	aiot_sched_start(&adev->sched);
	if (hung)
		aiot_reset_uevent(adev);
	return DRM_GPU_SCHED_STAT_NOMINAL;
}

/* See aiot_job_queue_cleanup(): never freed from the scheduler's work. */
static void aiot_sched_free_job(struct drm_sched_job *sched_job)
{
	struct aiot_job *job = to_aiot_job(sched_job);
	struct aiot_device *adev = job->adev;
	int idx;

	/* The scheduler just rearmed the timeout for the next job, if any. */
	if (drm_dev_enter(&adev->drm, &idx)) {
		aiot_sched_mark_progress(adev);
		drm_dev_exit(idx);
	}
	drm_sched_job_cleanup(sched_job);
	aiot_job_queue_cleanup(job);
}

static const struct drm_sched_backend_ops aiot_sched_ops = {
	.run_job = aiot_sched_run_job,
	.timedout_job = aiot_sched_timedout_job,
	.free_job = aiot_sched_free_job,
};

static void aiot_sched_fini(struct drm_device *drm, void *unused)
{
	struct aiot_device *adev = to_aiot_device(drm);

	drm_sched_fini(&adev->sched);
	if (adev->submit_wq)
		destroy_workqueue(adev->submit_wq);
}

static bool submit_highpri = true;
module_param(submit_highpri, bool, 0644);
MODULE_PARM_DESC(submit_highpri,
		 "Devices registered from now on run jobs from a high-priority workqueue (6.1: a SCHED_FIFO scheduler thread)");

static bool submit_percpu = true;
module_param(submit_percpu, bool, 0644);
MODULE_PARM_DESC(submit_percpu,
		 "With submit_highpri, devices registered from now on start a job on the CPU that queued it (6.12)");

/*
 * The hop from a job's last dependency signalling (a sensor slot's DMA,
 * another job) to run_job is the scheduler's work item: on an ordinary
 * nice-0 kworker it waits behind any CPU load. Our own workqueue runs it
 * at high priority; WQ_MEM_RECLAIM because it signals fences memory
 * reclaim may wait for.
 *
 * Per-CPU rather than ordered: run_job stays serialised (a work item never
 * runs on two CPUs at once) while free_job may run beside it, which
 * drm_sched allows. A job SUBMIT queues then starts on the submitter's CPU
 * and the kworker wakes the waiter there too (the fair scheduler keeps a
 * task woken by a per-CPU kworker on that CPU), instead of waking an idle
 * CPU twice: under a hypervisor each of those wakeups is a round trip to
 * the host that costs more than the whole job.
 */
int aiot_sched_init(struct aiot_device *adev)
{
	struct drm_sched_init_args args = {
		.ops = &aiot_sched_ops,
		AIOT_SCHED_INIT_NUM_RQS(DRM_SCHED_PRIORITY_COUNT)
		.credit_limit = max(adev->desc->queue_depth, 1u),
		.hang_limit = 0,
		.timeout = msecs_to_jiffies(adev->job_timeout_ms),
		.name = "aiot-npu",
		.dev = adev->drm.dev,
	};
	int ret;

	spin_lock_init(&adev->fence_lock);
	adev->fence_context = dma_fence_context_alloc(1);
	if (AIOT_SCHED_HAS_SUBMIT_WQ && READ_ONCE(submit_highpri)) {
		if (READ_ONCE(submit_percpu))
			adev->submit_wq = alloc_workqueue("aiot-submit",
							  WQ_HIGHPRI |
							  WQ_MEM_RECLAIM, 0);
		else
			adev->submit_wq = alloc_ordered_workqueue("aiot-submit",
								  WQ_HIGHPRI |
								  WQ_MEM_RECLAIM);
		if (!adev->submit_wq)
			return -ENOMEM;
	}
	aiot_sched_args_set_submit_wq(&args, adev->submit_wq);
	ret = drm_sched_init(&adev->sched, &args);
	if (ret) {
		if (adev->submit_wq)
			destroy_workqueue(adev->submit_wq);
		adev->submit_wq = NULL;
		return ret;
	}
	if (READ_ONCE(submit_highpri))
		aiot_sched_boost_thread(&adev->sched);
	return drmm_add_action_or_reset(&adev->drm, aiot_sched_fini, NULL);
}

static const enum drm_sched_priority aiot_priorities[AIOT_NUM_PRIORITIES] = {
	[DRM_AIOT_PRIORITY_LOW] = AIOT_SCHED_PRIORITY_LOW,
	[DRM_AIOT_PRIORITY_NORMAL] = DRM_SCHED_PRIORITY_NORMAL,
	[DRM_AIOT_PRIORITY_HIGH] = DRM_SCHED_PRIORITY_HIGH,
};

int aiot_file_init(struct aiot_file *afile, struct aiot_device *adev)
{
	struct drm_gpu_scheduler *sched = &adev->sched;
	int i, ret;

	kref_init(&afile->refcount);
	afile->adev = adev;
	afile->next_job_id = 1;
	atomic_set(&afile->cancelled, 0);
	mutex_init(&afile->submit_lock);
	spin_lock_init(&afile->records_lock);
	mutex_init(&afile->pipelines_lock);
	INIT_LIST_HEAD(&afile->pipelines);
	for (i = 0; i < AIOT_NUM_PRIORITIES; i++)
		aiot_job_order_init(&afile->order[i]);
	for (i = 0; i < AIOT_NUM_PRIORITIES; i++) {
		ret = drm_sched_entity_init(&afile->entities[i],
					    aiot_priorities[i], &sched, 1,
					    &afile->cancelled);
		if (ret) {
			while (i--)
				drm_sched_entity_destroy(&afile->entities[i]);
			return ret;
		}
	}
	return 0;
}

/*
 * From aiot_file_close()'s work, with afile->cancelled set: waits until
 * the scheduler has taken (and cancelled) the entities' last jobs, which
 * takes as long as their dependencies and a free slot on the device.
 */
void aiot_file_fini_entities(struct aiot_file *afile)
{
	int i;

	for (i = 0; i < AIOT_NUM_PRIORITIES; i++)
		drm_sched_entity_destroy(&afile->entities[i]);
}
