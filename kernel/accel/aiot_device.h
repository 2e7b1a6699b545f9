/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _AIOT_DEVICE_H_
#define _AIOT_DEVICE_H_

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/irq_work.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <drm/drm_device.h>
#include <drm/gpu_scheduler.h>

#include "aiot_job_dma.h"
#include "aiot_npu.h"

#define AIOT_DRIVER_MAJOR	0
#define AIOT_DRIVER_MINOR	2
#define AIOT_DRIVER_PATCH	0

/* Job records a file keeps for JOB_WAIT (a power of two). */
#define AIOT_JOB_RECORDS	256
/* Scheduler priorities a file can submit at: low, normal, high. */
#define AIOT_NUM_PRIORITIES	3

/*
 * Most work (docs/isa.md, "Work") one job may carry: about 4.3e9
 * multiply-accumulates, seconds of the CPU executor. The module parameter
 * max_job_work may lower it.
 */
#define AIOT_MAX_JOB_WORK	BIT_ULL(32)
/*
 * Jobs of one file submitted and not yet released: more than the 256 job
 * records a file keeps, since userspace may queue that many back to back.
 * Each holds a copy of its stream (up to 1 MiB, charged to the caller's
 * memory cgroup). The module parameter max_jobs_in_flight may lower it.
 */
#define AIOT_MAX_JOBS_IN_FLIGHT	1024

struct aiot_checker;
struct dentry;
struct drm_gem_object;
struct dma_fence;
struct drm_aiot_device_info;

/**
 * struct aiot_stats - counters, for debugfs, fdinfo and the benchmarks
 * @submitted: jobs accepted by SUBMIT
 * @completed: jobs that finished without error
 * @failed: jobs that finished with an error (timeouts included)
 * @timeouts: jobs reset after making no progress
 * @timeout_checks: times the job timeout fired, hung or not
 * @busy_ns: time jobs spent on the device
 * @fence_starts: jobs handed to the backend by the callback of an input
 *	fence the device waited for (aiot_job_deps.c), not by the scheduler
 */
struct aiot_stats {
	atomic64_t submitted;
	atomic64_t completed;
	atomic64_t failed;
	atomic64_t timeouts;
	atomic64_t timeout_checks;
	atomic64_t busy_ns;
	atomic64_t fence_starts;
};

/**
 * struct aiot_device - one accelerator
 * @drm: the DRM device, first so that container_of() is free
 * @desc: the backend's description
 * @checker: the command-stream checker of the ISA @desc declares
 * @ops: the backend's callbacks; only called inside drm_dev_enter()
 * @priv: the backend's private data
 * @debugfs: this device's directory under <debugfs>/aiot/
 * @open_files: number of open file descriptions, for debugfs
 * @sched: the job scheduler, one hardware queue
 * @submit_wq: the scheduler's run_job and free_job work: high-priority,
 *	per-CPU or ordered (NULL on kernels whose scheduler has its own kthread)
 * @fence_context: context of the hardware fences
 * @fence_seqno: last hardware fence seqno (run_job is serialised: one
 *	work item, never run on two CPUs at once)
 * @fence_lock: lock of the hardware fences
 * @job_timeout_ms: a job without progress for this long is reset
 * @last_progress: backend progress counter when the job timeout was last
 *	(re)armed: a job starting, a job freed, a timeout check
 * @last_progress_ns: when @last_progress was read (ktime_get_ns())
 * @stats: device-wide counters
 * @dma: buffers mapped for a %AIOT_NPU_MEM_DMA backend (aiot_job_dma.c)
 */
struct aiot_device {
	struct drm_device drm;
	const struct aiot_npu_desc *desc;
	const struct aiot_checker *checker;
	const struct aiot_npu_ops *ops;
	void *priv;
	struct dentry *debugfs;
	atomic_t open_files;
	struct drm_gpu_scheduler sched;
	struct workqueue_struct *submit_wq;
	u64 fence_context;
	u64 fence_seqno;
	spinlock_t fence_lock;	/* the hardware fences' lock */
	u32 job_timeout_ms;
	u64 last_progress;
	u64 last_progress_ns;
	unsigned long timeout_left;	/* across a system sleep */
	struct aiot_stats stats;
	struct aiot_dev_dma dma;
};

static inline struct aiot_device *to_aiot_device(struct drm_device *drm)
{
	return container_of(drm, struct aiot_device, drm);
}

/**
 * struct aiot_job_record - what JOB_WAIT reports about a job
 * @job_id: the job, or 0 for an empty record
 * @state: enum drm_aiot_job_state
 * @status: 0 or the job's negative errno
 * @queued_ns: CLOCK_MONOTONIC at submit
 * @started_ns: when it reached the device
 * @ended_ns: when it finished
 * @done: the job's completion fence (a reference), to wait on
 */
struct aiot_job_record {
	u64 job_id;
	u32 state;
	s32 status;
	u64 queued_ns;
	u64 started_ns;
	u64 ended_ns;
	struct dma_fence *done;
};

/**
 * struct aiot_job_order - the jobs of one entity on the device, in order
 * @lock: protects @jobs; taken in the signalling path, any context
 * @jobs: jobs run_job handed to the backend and not signalled yet, in the
 *	order the entity ran them. A job the backend completes before the
 *	ones ahead of it waits here: an entity's fences signal in order.
 *	A job the device waits for a fence for waits here too, and so do
 *	the entity's later jobs: they reach the backend in order.
 * @dispatching: a CPU is handing the entity's ready jobs to the backend
 * @dispatch_work: does it from a fence callback (aiot_job_deps.c)
 */
struct aiot_job_order {
	spinlock_t lock;	/* jobs, dispatching; any context */
	struct list_head jobs;
	bool dispatching;
	struct irq_work dispatch_work;
};

/**
 * struct aiot_file - per-open-file context of the accelerator
 * @refcount: held by the file and by each of its jobs, which outlive it
 * @adev: the device this file was opened on
 * @entities: one scheduler entity per priority
 * @order: per entity, its jobs on the device, to signal them in order
 * @cancelled: set when the file closes; the entities' "guilty" flag, so
 *	the scheduler cancels (-ECANCELED) the jobs it has not run yet
 * @close_work: tears the entities down once they are drained
 * @submit_lock: keeps arm + push of a job atomic, so ids and fences agree
 * @next_job_id: id of the next job (ids start at 1)
 * @records_lock: protects @records; taken in the signalling path
 * @records: the last %AIOT_JOB_RECORDS jobs, indexed by id
 * @stats: this file's counters, for fdinfo
 * @jobs_in_flight: jobs submitted and not yet released (see
 *	aiot_device_max_jobs_in_flight())
 * @pipelines_lock: protects @pipelines
 * @pipelines: the file's standing pipelines (aiot_pipeline.c)
 */
struct aiot_file {
	struct kref refcount;
	struct aiot_device *adev;
	struct drm_sched_entity entities[AIOT_NUM_PRIORITIES];
	struct aiot_job_order order[AIOT_NUM_PRIORITIES];
	atomic_t cancelled;
	struct work_struct close_work;
	struct mutex submit_lock;	/* arm + push, next_job_id */
	u64 next_job_id;
	spinlock_t records_lock;	/* records; signalling path */
	struct aiot_job_record records[AIOT_JOB_RECORDS];
	struct aiot_stats stats;
	atomic_t jobs_in_flight;
	struct mutex pipelines_lock;	/* pipelines */
	struct list_head pipelines;
};

/**
 * struct aiot_kernel_submit - a job submitted from inside the kernel
 * @stream: the command stream (copied)
 * @stream_size: its bytes
 * @priority: &enum drm_aiot_priority
 * @deadline_ns: as SUBMIT's, 0 for none
 * @bos: the buffer bound to each slot, NULL for none (the job takes its
 *	own references)
 */
struct aiot_kernel_submit {
	const void *stream;
	u32 stream_size;
	u32 priority;
	u64 deadline_ns;
	struct drm_gem_object *bos[AIOT_NPU_MAX_BINDINGS];
};

extern const struct drm_driver aiot_drm_driver;

u64 aiot_device_capabilities(const struct aiot_device *adev);
void aiot_device_fill_info(const struct aiot_device *adev,
			   struct drm_aiot_device_info *info);
u64 aiot_device_max_job_work(const struct aiot_device *adev);
u32 aiot_device_max_jobs_in_flight(const struct aiot_device *adev);

int aiot_ioctl_query(struct drm_device *drm, void *data,
		     struct drm_file *file);
int aiot_query_copy_out(u64 uptr, u32 *usize, const void *kbuf,
			u32 ksize);

int aiot_ioctl_bo_create(struct drm_device *drm, void *data,
			 struct drm_file *file);
int aiot_ioctl_bo_mmap_offset(struct drm_device *drm, void *data,
			      struct drm_file *file);
int aiot_ioctl_bo_wait(struct drm_device *drm, void *data,
		       struct drm_file *file);

int aiot_ioctl_submit(struct drm_device *drm, void *data,
		      struct drm_file *file);
int aiot_ioctl_job_wait(struct drm_device *drm, void *data,
			struct drm_file *file);
int aiot_submit_kernel(struct drm_file *file,
		       const struct aiot_kernel_submit *ks,
		       struct dma_fence **done, u64 *job_id,
		       bool validate_only);
void aiot_record_times(struct aiot_file *afile, u64 job_id, u64 *started_ns,
		       u64 *ended_ns);
void aiot_queue_cleanup_work(struct work_struct *work);

/* aiot_pipeline.c: standing pipelines (docs/pipeline.md). */
int aiot_ioctl_pipeline_create(struct drm_device *drm, void *data,
			       struct drm_file *file);
void aiot_pipeline_file_close(struct aiot_file *afile);
int aiot_sched_init(struct aiot_device *adev);
int aiot_file_init(struct aiot_file *afile, struct aiot_device *adev);
void aiot_file_close(struct aiot_file *afile);
void aiot_file_fini_entities(struct aiot_file *afile);
void aiot_file_put(struct aiot_file *afile);
int aiot_job_init_module(void);
void aiot_job_exit_module(void);

void aiot_debugfs_init(void);
void aiot_debugfs_exit(void);
void aiot_debugfs_device_add(struct aiot_device *adev);
void aiot_debugfs_device_remove(struct aiot_device *adev);

extern const struct attribute_group *aiot_device_groups[];

#endif /* _AIOT_DEVICE_H_ */
