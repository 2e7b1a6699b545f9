/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A job inside the accel core: shared by SUBMIT (aiot_submit.c), the
 * scheduler backend (aiot_sched.c) and completion and records (aiot_job.c).
 */
#ifndef _AIOT_JOB_H_
#define _AIOT_JOB_H_

#include <linux/dma-fence.h>
#include <linux/iosys-map.h>
#include <linux/ktime.h>
#include <linux/workqueue.h>
#include <drm/gpu_scheduler.h>

#include "aiot_device.h"
#include "aiot_job_dma.h"

struct drm_gem_object;

struct aiot_job;

/**
 * struct aiot_job_wait - a fence the device waits for before it runs a job
 * @cb: the fence's callback, armed in run_job
 * @fence: the fence (a reference)
 * @job: the job that waits
 */
struct aiot_job_wait {
	struct dma_fence_cb cb;
	struct dma_fence *fence;
	struct aiot_job *job;
};

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
 * @dev_ended_ns: when the backend says it really ended (0: unknown), from
 *	aiot_npu_job_ended_at()
 * @cleanup_work: frees the job
 * @in_fences: what the job waited for (references): its in-syncobjs' and
 *	its buffers' fences; run_job fails the job with the first error one
 *	of them signalled with (aiot_job_in_fence_error())
 * @in_fence_count: how many @in_fences
 * @device_waits: SUBMIT leaves fences from outside the device to the device
 * @waits: the fences the device waits for (references), aiot_job_deps.c
 * @wait_count: how many @waits
 * @wait_room: allocated @waits
 * @waits_left: @waits not signalled yet (+1 while run_job arms them)
 * @waited: run_job armed a callback: the job starts from a fence's signal
 * @cancel_error: the scheduler cancelled the job before run_job
 * @dispatched: handed to the backend, or completed without it (under
 *	@order's lock)
 * @waits_cancelled: its file closed while it waited (under @order's lock)
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
	u64 dev_ended_ns;
	struct work_struct cleanup_work;
	struct dma_fence **in_fences;
	unsigned int in_fence_count;
	bool device_waits;
	struct aiot_job_wait *waits;
	unsigned int wait_count;
	unsigned int wait_room;
	atomic_t waits_left;
	bool waited;
	int cancel_error;
	bool dispatched;
	bool waits_cancelled;
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
	/* The job reached the backend: it may have written its buffers. */
	bool ran;
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

/* aiot_job_deps.c */
int aiot_job_add_dep(struct aiot_job *job, struct dma_fence *fence);
int aiot_job_add_resv_deps(struct aiot_job *job, struct drm_gem_object *obj,
			   bool write);
void aiot_job_forward_device_deadline(struct aiot_job *job, ktime_t deadline);
void aiot_job_put_device_waits(struct aiot_job *job);
void aiot_job_run(struct aiot_job *job);
void aiot_file_cancel_device_waits(struct aiot_file *afile);
void aiot_job_order_init(struct aiot_job_order *order);
void aiot_job_order_fini(struct aiot_job_order *order);
bool aiot_job_device_waits_enabled(void);

/* aiot_sched.c */
void aiot_sched_mark_progress(struct aiot_device *adev);

#endif /* _AIOT_JOB_H_ */
