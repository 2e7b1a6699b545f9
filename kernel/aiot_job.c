// SPDX-License-Identifier: GPL-2.0-only
/*
 * Jobs: SUBMIT validates a command stream against the buffers bound to it
 * and queues it on drm_sched; the backend runs it and completes it through
 * aiot_npu_job_done(). Completion is a dma_fence: in the buffers' dma_resv
 * (implicit sync, e.g. with a sensor slot), in a syncobj or a sync_file
 * (explicit sync), and in the file's job records (JOB_WAIT).
 *
 * DMA-fence rules: everything a job needs is allocated, looked up, mapped
 * and validated in SUBMIT. run_job, the backend and aiot_npu_job_done()
 * only take spinlocks and never allocate.
 */

#include <linux/capability.h>
#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/file.h>
#include <linux/iosys-map.h>
#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/sync_file.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_managed.h>
#include <drm/drm_syncobj.h>
#include <drm/gpu_scheduler.h>
#include <drm/aiot_accel.h>

#include "aiot_compat.h"
#include "aiot_device.h"
#include "aiot_job_dma.h"
#include "isa/aiot_isa.h"

#define AIOT_MAX_IN_SYNCOBJS	64

/* Frees finished jobs outside the scheduler's own workqueue (see below). */
static struct workqueue_struct *aiot_cleanup_wq;

/**
 * struct aiot_job - a job from SUBMIT to its cleanup
 * @base: the scheduler's job
 * @npu: what the backend sees; @npu.node is the backend's
 * @adev: the device
 * @afile: the submitting file; the job holds a reference
 * @job_id: id in @afile's records
 * @hw_fence: completion of the job on the device; allocated at submit,
 *	initialised in run_job (which may not allocate)
 * @hw_fence_live: @hw_fence was initialised and is refcounted
 * @done: the scheduler's finished fence, a reference
 * @bos: the buffer bound to each slot (references), NULL if none
 * @maps: their kernel mappings (CPU backends)
 * @dma: buffers as device memory (DMA backends)
 * @deadline_ns: CLOCK_MONOTONIC time after which the job is not run
 * @started_ns: when run_job handed it to the backend
 * @cleanup_work: frees the job
 */
struct aiot_job {
	struct drm_sched_job base;
	struct aiot_npu_job npu;
	struct aiot_device *adev;
	struct aiot_file *afile;
	u64 job_id;
	struct dma_fence *hw_fence;
	bool hw_fence_live;
	struct dma_fence *done;
	struct drm_gem_object *bos[AIOT_NPU_MAX_BINDINGS];
	struct iosys_map maps[AIOT_NPU_MAX_BINDINGS];
	struct aiot_job_dma dma;
	u64 deadline_ns;
	u64 started_ns;
	struct work_struct cleanup_work;
};

static struct aiot_job *to_aiot_job(struct drm_sched_job *sched_job)
{
	return container_of(sched_job, struct aiot_job, base);
}

static const char *aiot_fence_driver_name(struct dma_fence *fence)
{
	return "aiot";
}

static const char *aiot_fence_timeline_name(struct dma_fence *fence)
{
	return "aiot-npu";
}

/**
 * struct aiot_hw_fence - a job's completion on the device
 * @base: the fence; first, so that the default release frees the whole
 * @deadline_ns: the soonest CLOCK_MONOTONIC time a waiter asked for it
 *	(dma_fence_set_deadline()), 0 if none. It lives in the fence, not
 *	the job: a waiter may set it after the job is gone.
 */
struct aiot_hw_fence {
	struct dma_fence base;
	atomic64_t deadline_ns;
};

static struct aiot_hw_fence *to_aiot_hw_fence(struct dma_fence *fence)
{
	return container_of(fence, struct aiot_hw_fence, base);
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

static const struct dma_fence_ops aiot_hw_fence_ops = {
	.get_driver_name = aiot_fence_driver_name,
	.get_timeline_name = aiot_fence_timeline_name,
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

static void aiot_job_complete(struct aiot_job *job, int error)
{
	struct aiot_device *adev = job->adev;
	u64 now = ktime_get_ns();

	if (job->started_ns && now > job->started_ns) {
		atomic64_add(now - job->started_ns, &adev->stats.busy_ns);
		atomic64_add(now - job->started_ns, &job->afile->stats.busy_ns);
	}
	if (error) {
		atomic64_inc(&adev->stats.failed);
		atomic64_inc(&job->afile->stats.failed);
		dma_fence_set_error(job->hw_fence, error);
	} else {
		atomic64_inc(&adev->stats.completed);
		atomic64_inc(&job->afile->stats.completed);
	}
	aiot_record_update(job, DRM_AIOT_JOB_DONE, error, 0, now);
	aiot_job_dma_sync_for_cpu(adev, &job->dma, &job->npu);
	/* After this the scheduler may free the job: touch nothing more. */
	dma_fence_signal(job->hw_fence);
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

/*
 * Tell whoever signals the job's in-fences (another job, a sensor's DMA)
 * when the job needs them, so they can hurry as well.
 */
static void aiot_job_forward_deadline(struct aiot_job *job)
{
#if AIOT_HAS_FENCE_DEADLINE
	struct dma_fence *fence;
	unsigned long index;

	xa_for_each(&job->base.dependencies, index, fence)
		dma_fence_set_deadline(fence, ns_to_ktime(job->deadline_ns));
#endif
}

static struct dma_fence *aiot_sched_run_job(struct drm_sched_job *sched_job)
{
	struct aiot_job *job = to_aiot_job(sched_job);
	struct aiot_device *adev = job->adev;
	struct dma_fence *fence = job->hw_fence;
	int idx, error = 0;

	/*
	 * Called again by drm_sched_resubmit_jobs() after a timeout check for
	 * jobs still on the device: they were not reset and keep running.
	 */
	if (job->hw_fence_live)
		return dma_fence_get(fence);

	/* The job was cancelled (its file closed) before it got here. */
	if (unlikely(sched_job->s_fence->finished.error))
		return NULL;

	dma_fence_init(fence, &aiot_hw_fence_ops, &adev->fence_lock,
		       adev->fence_context, ++adev->fence_seqno);
	job->hw_fence_live = true;
	/* One reference for the scheduler, one for the job. */
	dma_fence_get(fence);

	if (job->deadline_ns && ktime_get_ns() > job->deadline_ns)
		error = -ETIME;
	else if (!drm_dev_enter(&adev->drm, &idx))
		error = -ENODEV;

	if (error) {
		aiot_job_complete(job, error);
		return fence;
	}
	aiot_job_dma_sync_for_device(adev, &job->dma, &job->npu);
	adev->ops->run(adev, &job->npu);
	drm_dev_exit(idx);
	return fence;
}

static void aiot_reset_uevent(struct aiot_device *adev)
{
	struct drm_minor *minor = aiot_node_minor(&adev->drm);
	char *envp[] = { "AIOT_RESET=1", NULL };

	if (minor && minor->kdev)
		kobject_uevent_env(&minor->kdev->kobj, KOBJ_CHANGE, envp);
}

static enum drm_gpu_sched_stat
aiot_sched_timedout_job(struct drm_sched_job *sched_job)
{
	struct aiot_job *job = to_aiot_job(sched_job);
	struct aiot_device *adev = job->adev;
	bool hung = false;
	u64 progress;
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

	if (!dma_fence_is_signaled(job->hw_fence) &&
	    drm_dev_enter(&adev->drm, &idx)) {
		progress = adev->ops->progress ? adev->ops->progress(adev) : 0;
		if (!adev->ops->progress || progress == adev->last_progress) {
			hung = true;
			atomic64_inc(&adev->stats.timeouts);
			dev_warn(adev->drm.dev, "job %llu made no progress in %u ms: reset\n",
				 job->job_id, adev->job_timeout_ms);
			adev->ops->reset(adev, &job->npu);
		}
		adev->last_progress = progress;
		drm_dev_exit(idx);
	}

	drm_sched_resubmit_jobs(&adev->sched);
	aiot_sched_start(&adev->sched);
	if (hung)
		aiot_reset_uevent(adev);
	return DRM_GPU_SCHED_STAT_NOMINAL;
}

static void aiot_job_cleanup_work(struct work_struct *work)
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
	kvfree(job->npu.stream);
	if (job->hw_fence_live)
		dma_fence_put(job->hw_fence);
	else
		kfree(job->hw_fence);
	dma_fence_put(job->done);
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
static void aiot_sched_free_job(struct drm_sched_job *sched_job)
{
	struct aiot_job *job = to_aiot_job(sched_job);

	drm_sched_job_cleanup(sched_job);
	queue_work(aiot_cleanup_wq, &job->cleanup_work);
}

static const struct drm_sched_backend_ops aiot_sched_ops = {
	.run_job = aiot_sched_run_job,
	.timedout_job = aiot_sched_timedout_job,
	.free_job = aiot_sched_free_job,
};

static void aiot_sched_fini(struct drm_device *drm, void *unused)
{
	drm_sched_fini(&to_aiot_device(drm)->sched);
}

int aiot_sched_init(struct aiot_device *adev)
{
	const struct drm_sched_init_args args = {
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
	ret = drm_sched_init(&adev->sched, &args);
	if (ret)
		return ret;
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
	mutex_init(&afile->submit_lock);
	spin_lock_init(&afile->records_lock);
	for (i = 0; i < AIOT_NUM_PRIORITIES; i++) {
		ret = drm_sched_entity_init(&afile->entities[i],
					    aiot_priorities[i], &sched, 1,
					    NULL);
		if (ret) {
			while (i--)
				drm_sched_entity_destroy(&afile->entities[i]);
			return ret;
		}
	}
	return 0;
}

/* The file is closing: jobs not yet on the device are cancelled. */
void aiot_file_close(struct aiot_file *afile)
{
	int i;

	for (i = 0; i < AIOT_NUM_PRIORITIES; i++)
		drm_sched_entity_destroy(&afile->entities[i]);
}

static void aiot_file_release(struct kref *kref)
{
	struct aiot_file *afile = container_of(kref, struct aiot_file, refcount);
	int i;

	for (i = 0; i < AIOT_JOB_RECORDS; i++)
		dma_fence_put(afile->records[i].done);
	mutex_destroy(&afile->submit_lock);
	kvfree(afile);
}

void aiot_file_put(struct aiot_file *afile)
{
	kref_put(&afile->refcount, aiot_file_release);
}

/* Returns the fence of the record's previous job, to put unlocked. */
static struct dma_fence *aiot_record_start(struct aiot_file *afile,
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

static void aiot_job_free_unsubmitted(struct aiot_job *job, bool sched_init)
{
	if (sched_init)
		drm_sched_job_cleanup(&job->base);
	job->done = NULL;
	/* Same teardown as a finished job, synchronously. */
	aiot_job_cleanup_work(&job->cleanup_work);
}

/* Copy the stream out of its buffer: it must not change once validated. */
static int aiot_job_copy_stream(struct aiot_job *job, struct drm_file *file,
				const struct drm_aiot_submit *args)
{
	struct drm_gem_object *obj;
	struct iosys_map map;
	u64 end;
	void *stream;
	int ret;

	if (!args->cmd_size || args->cmd_size > AIOT_ISA_MAX_STREAM_BYTES)
		return -EINVAL;

	obj = drm_gem_object_lookup(file, args->cmd_handle);
	if (!obj)
		return -ENOENT;

	end = (u64)args->cmd_offset + args->cmd_size;
	if (end > obj->size) {
		ret = -EINVAL;
		goto out_put;
	}
	stream = kvmalloc(args->cmd_size, GFP_KERNEL);
	if (!stream) {
		ret = -ENOMEM;
		goto out_put;
	}
	ret = aiot_gem_vmap(obj, &map);
	if (ret) {
		kvfree(stream);
		goto out_put;
	}
	iosys_map_memcpy_from(stream, &map, args->cmd_offset, args->cmd_size);
	aiot_gem_vunmap(obj, &map);
	job->npu.stream = stream;
	job->npu.stream_size = args->cmd_size;
out_put:
	drm_gem_object_put(obj);
	return ret;
}

static int aiot_job_bind(struct aiot_job *job, struct drm_file *file,
			 const struct drm_aiot_submit *args)
{
	int i, ret;

	for (i = 0; i < DRM_AIOT_MAX_BINDINGS; i++) {
		if (!args->bindings[i])
			continue;
		job->bos[i] = drm_gem_object_lookup(file, args->bindings[i]);
		if (!job->bos[i])
			return -ENOENT;
		job->npu.size[i] = job->bos[i]->size;
	}
	/* A DMA backend gets device mappings instead, once validated. */
	if (job->adev->desc->mem == AIOT_NPU_MEM_DMA)
		return 0;
	for (i = 0; i < DRM_AIOT_MAX_BINDINGS; i++) {
		if (!job->bos[i])
			continue;
		ret = aiot_gem_vmap(job->bos[i], &job->maps[i]);
		if (ret)
			return ret;
		if (job->maps[i].is_iomem) {
			/* The reference NPU needs plain memory. */
			aiot_gem_vunmap(job->bos[i], &job->maps[i]);
			iosys_map_clear(&job->maps[i]);
			return -EINVAL;
		}
		job->npu.vaddr[i] = job->maps[i].vaddr;
	}
	return 0;
}

static int aiot_job_add_in_syncobjs(struct aiot_job *job, struct drm_file *file,
				    const struct drm_aiot_submit *args)
{
	u32 handles[AIOT_MAX_IN_SYNCOBJS];
	struct dma_fence *fence;
	u32 i;
	int ret;

	if (!args->in_syncobj_count)
		return 0;
	if (args->in_syncobj_count > AIOT_MAX_IN_SYNCOBJS)
		return -EINVAL;
	if (copy_from_user(handles, u64_to_user_ptr(args->in_syncobjs),
			   args->in_syncobj_count * sizeof(handles[0])))
		return -EFAULT;

	for (i = 0; i < args->in_syncobj_count; i++) {
		ret = drm_syncobj_find_fence(file, handles[i], 0, 0, &fence);
		if (ret)
			return ret;
		/* Takes the reference, even on failure. */
		ret = drm_sched_job_add_dependency(&job->base, fence);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * The distinct buffers of the job, each with whether the job writes it;
 * a buffer bound to two slots is locked and fenced once.
 */
static int aiot_job_unique_bos(struct aiot_job *job, u32 written,
			       struct drm_gem_object **objs, bool *writes)
{
	int i, j, n = 0;

	for (i = 0; i < AIOT_NPU_MAX_BINDINGS; i++) {
		if (!job->bos[i])
			continue;
		for (j = 0; j < n; j++)
			if (objs[j] == job->bos[i])
				break;
		if (j == n)
			objs[n++] = job->bos[i];
		writes[j] |= !!(written & BIT(i));
	}
	return n;
}

static int aiot_submit_check_args(const struct drm_aiot_submit *args)
{
	if (args->flags & ~DRM_AIOT_SUBMIT_OUT_SYNC_FILE)
		return -EINVAL;
	if (args->pad || args->pad2)
		return -EINVAL;
	if (args->priority > DRM_AIOT_PRIORITY_HIGH)
		return -EINVAL;
	if (args->priority == DRM_AIOT_PRIORITY_HIGH && !capable(CAP_SYS_NICE))
		return -EACCES;
	return 0;
}

int aiot_ioctl_submit(struct drm_device *drm, void *data,
		      struct drm_file *file)
{
	struct aiot_device *adev = to_aiot_device(drm);
	struct aiot_file *afile = file->driver_priv;
	struct drm_aiot_submit *args = data;
	struct drm_gem_object *objs[AIOT_NPU_MAX_BINDINGS];
	bool writes[AIOT_NPU_MAX_BINDINGS] = { };
	struct drm_syncobj *out_syncobj = NULL;
	struct aiot_isa_summary summary;
	struct ww_acquire_ctx acquire;
	struct dma_fence *old_fence, *done;
	struct sync_file *sync_file;
	struct aiot_hw_fence *hw_fence;
	struct aiot_job *job;
	bool sched_init = false;
	int out_fd = -1;
	int i, nobjs, ret;

	ret = aiot_submit_check_args(args);
	if (ret)
		return ret;

	job = kzalloc(sizeof(*job), GFP_KERNEL);
	if (!job)
		return -ENOMEM;
	hw_fence = kzalloc(sizeof(*hw_fence), GFP_KERNEL);
	if (!hw_fence) {
		kfree(job);
		return -ENOMEM;
	}
	job->hw_fence = &hw_fence->base;
	/* From here the job owns these; its cleanup gives them back. */
	__module_get(THIS_MODULE);
	drm_dev_get(drm);
	kref_get(&afile->refcount);
	job->adev = adev;
	job->afile = afile;
	job->deadline_ns = args->deadline_ns;
	INIT_LIST_HEAD(&job->npu.node);
	INIT_WORK(&job->cleanup_work, aiot_job_cleanup_work);

	ret = aiot_job_copy_stream(job, file, args);
	if (ret)
		goto err_free;
	ret = aiot_job_bind(job, file, args);
	if (ret)
		goto err_free;
	ret = aiot_isa_validate(job->npu.stream, job->npu.stream_size,
				job->npu.size, AIOT_NPU_MAX_BINDINGS, &summary);
	if (ret) {
		drm_dbg(drm, "command stream rejected at op %u: %d\n",
			summary.error_op, ret);
		goto err_free;
	}
	ret = aiot_job_dma_prepare(adev, &job->dma, &job->npu, job->bos,
				   summary.bindings_written);
	if (ret)
		goto err_free;

	ret = aiot_sched_job_init(&job->base, &afile->entities[args->priority],
				  afile, file);
	if (ret)
		goto err_free;
	sched_init = true;

	ret = aiot_job_add_in_syncobjs(job, file, args);
	if (ret)
		goto err_free;

	if (args->out_syncobj) {
		out_syncobj = drm_syncobj_find(file, args->out_syncobj);
		if (!out_syncobj) {
			ret = -ENOENT;
			goto err_free;
		}
	}
	if (args->flags & DRM_AIOT_SUBMIT_OUT_SYNC_FILE) {
		out_fd = get_unused_fd_flags(O_CLOEXEC);
		if (out_fd < 0) {
			ret = out_fd;
			goto err_free;
		}
	}

	nobjs = aiot_job_unique_bos(job, summary.bindings_written, objs, writes);
	/* Ours, for the unlock after the push, when the job may be gone. */
	for (i = 0; i < nobjs; i++)
		drm_gem_object_get(objs[i]);
	ret = drm_gem_lock_reservations(objs, nobjs, &acquire);
	if (ret)
		goto err_put_objs;
	for (i = 0; i < nobjs; i++) {
		ret = dma_resv_reserve_fences(objs[i]->resv, 1);
		if (ret)
			goto err_unlock;
		/* Wait for writers; a writer also waits for readers. */
		ret = drm_sched_job_add_implicit_dependencies(&job->base,
							      objs[i],
							      writes[i]);
		if (ret)
			goto err_unlock;
	}

	if (job->deadline_ns)
		aiot_job_forward_deadline(job);

	mutex_lock(&afile->submit_lock);
	drm_sched_job_arm(&job->base);
	job->done = dma_fence_get(&job->base.s_fence->finished);
	job->job_id = afile->next_job_id++;

	old_fence = aiot_record_start(afile, job);
	for (i = 0; i < nobjs; i++)
		dma_resv_add_fence(objs[i]->resv, job->done,
				   writes[i] ? DMA_RESV_USAGE_WRITE :
					       DMA_RESV_USAGE_READ);
	atomic64_inc(&adev->stats.submitted);
	atomic64_inc(&afile->stats.submitted);
	args->job_id = job->job_id;
	/* Once pushed, the job may run and be freed at any moment. */
	done = dma_fence_get(job->done);
	drm_sched_entity_push_job(&job->base);
	mutex_unlock(&afile->submit_lock);
	drm_gem_unlock_reservations(objs, nobjs, &acquire);
	for (i = 0; i < nobjs; i++)
		drm_gem_object_put(objs[i]);
	dma_fence_put(old_fence);

	/* The job is queued: what follows cannot undo it. */
	if (out_syncobj) {
		drm_syncobj_replace_fence(out_syncobj, done);
		drm_syncobj_put(out_syncobj);
	}
	args->out_sync_file = -1;
	if (out_fd >= 0) {
		sync_file = sync_file_create(done);
		if (!sync_file) {
			put_unused_fd(out_fd);
			ret = -ENOMEM;
		} else {
			fd_install(out_fd, sync_file->file);
			args->out_sync_file = out_fd;
		}
	}
	dma_fence_put(done);
	return ret;

err_unlock:
	drm_gem_unlock_reservations(objs, nobjs, &acquire);
err_put_objs:
	for (i = 0; i < nobjs; i++)
		drm_gem_object_put(objs[i]);
err_free:
	if (out_fd >= 0)
		put_unused_fd(out_fd);
	if (out_syncobj)
		drm_syncobj_put(out_syncobj);
	aiot_job_free_unsubmitted(job, sched_init);
	return ret;
}

AIOT_EXPORT_FOR_KUNIT(aiot_ioctl_submit);

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

	if (fence && args->timeout_ns) {
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
