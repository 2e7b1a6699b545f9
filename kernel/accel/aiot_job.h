/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A job inside the accel core: shared by SUBMIT (aiot_submit.c), the
 * scheduler backend (aiot_sched.c) and completion and records (aiot_job.c).
 */
#ifndef _AIOT_JOB_H_
#define _AIOT_JOB_H_

#include <linux/dma-fence.h>
#include <linux/iosys-map.h>
#include <linux/workqueue.h>
#include <drm/gpu_scheduler.h>

#include "aiot_device.h"
#include "aiot_job_dma.h"

struct drm_gem_object;

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
 * @order: the entity's &struct aiot_job_order
 * @order_node: in @order's list from run_job until @hw_fence signals
 * @hw_ended: the backend completed the job (under @order's lock)
 * @hw_error: and its error, for when @hw_fence signals
 * @ended_ns: when the backend completed it
 * @cleanup_work: frees the job
 * @in_fences: what the job waited for (references): its in-syncobjs' and
 *	its buffers' fences; run_job fails the job with the first error one
 *	of them signalled with (aiot_job_in_fence_error())
 * @in_fence_count: how many @in_fences
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
	struct dma_fence *prev_record_done;
	struct drm_gem_object *bos[AIOT_NPU_MAX_BINDINGS];
	struct iosys_map maps[AIOT_NPU_MAX_BINDINGS];
	struct aiot_job_dma dma;
	u64 deadline_ns;
	u64 started_ns;
	struct aiot_job_order *order;
	struct list_head order_node;
	bool hw_ended;
	int hw_error;
	u64 ended_ns;
	struct work_struct cleanup_work;
	struct dma_fence **in_fences;
	unsigned int in_fence_count;
};

static inline struct aiot_job *to_aiot_job(struct drm_sched_job *sched_job)
{
	return container_of(sched_job, struct aiot_job, base);
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
	/* Held while the fence lives: see aiot_hw_fence_hold(). */
	struct aiot_device *adev;
	struct work_struct release_work;
};

void aiot_hw_fence_hold(struct aiot_device *adev, struct dma_fence *fence);

static inline struct aiot_hw_fence *to_aiot_hw_fence(struct dma_fence *fence)
{
	return container_of(fence, struct aiot_hw_fence, base);
}

/* aiot_job.c */
extern const struct dma_fence_ops aiot_hw_fence_ops;
void aiot_job_order_add(struct aiot_job *job);
void aiot_job_complete(struct aiot_job *job, int error);
void aiot_job_cleanup_work(struct work_struct *work);
void aiot_job_queue_cleanup(struct aiot_job *job);
int aiot_job_in_fence_error(struct aiot_job *job);
void aiot_job_free_unsubmitted(struct aiot_job *job, bool sched_init);
struct dma_fence *aiot_record_start(struct aiot_file *afile,
				    struct aiot_job *job);

#endif /* _AIOT_JOB_H_ */
