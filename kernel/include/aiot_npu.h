/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The seam between the aiot core and an NPU hardware backend. The core owns
 * the DRM device, the uAPI, validation, scheduling and fences; a backend
 * only describes its hardware and, through &struct aiot_npu_ops, runs jobs
 * on it. The core never touches registers.
 */
#ifndef _AIOT_NPU_H_
#define _AIOT_NPU_H_

#include <linux/dma-direction.h>
#include <linux/list.h>
#include <linux/types.h>
#include <linux/aiot_isa.h>

struct device;
struct sg_table;
struct aiot_device;

/*
 * Binding slots of a job. The one definition of the count is the ISA's
 * (AIOT_ISA_MAX_BINDINGS); the DRM uAPI's DRM_AIOT_MAX_BINDINGS must equal
 * it, which the core checks at build time (aiot_submit.c).
 */
#define AIOT_NPU_MAX_BINDINGS	AIOT_ISA_MAX_BINDINGS

/**
 * enum aiot_npu_mem - how a backend reaches the buffers of a job
 * @AIOT_NPU_MEM_CPU: the backend computes on the CPU (aiot-sim, the KUnit
 *	backend): the core hands it kernel virtual addresses (&aiot_npu_job.vaddr)
 *	and never DMA-maps a buffer for it.
 * @AIOT_NPU_MEM_DMA: the device reads and writes memory by DMA: the core
 *	maps every bound buffer for the backend's own &struct device (the
 *	parent given to aiot_npu_register()) and hands over sg tables, their
 *	directions and the command stream in DMA-able memory. It does the
 *	dma_sync_*() calls a non-coherent device needs around each job.
 *
 * There is no default: a backend states which one it is (0 is refused).
 */
enum aiot_npu_mem {
	AIOT_NPU_MEM_CPU = 1,
	AIOT_NPU_MEM_DMA = 2,
};

/**
 * struct aiot_npu_job - what a backend sees of a job
 * @stream: the validated command stream (a kernel copy, read-only)
 * @stream_size: its size in bytes
 * @vaddr: %AIOT_NPU_MEM_CPU: kernel address of the buffer bound to each
 *	slot, or NULL
 * @size: size of each bound buffer, 0 when unbound
 * @sgt: %AIOT_NPU_MEM_DMA: the buffer bound to each slot, mapped for the
 *	backend's device (walk it with for_each_sgtable_dma_sg()), or NULL.
 *	The core owns the mapping; it stays valid until the job is done and,
 *	for a backend being removed, until its remove() returned.
 * @dir: %AIOT_NPU_MEM_DMA: how the job uses each bound buffer:
 *	%DMA_TO_DEVICE (only read) or %DMA_BIDIRECTIONAL (written; a device
 *	may rewrite bytes it did not change), %DMA_NONE when unbound
 * @stream_dma: %AIOT_NPU_MEM_DMA: bus address of a copy of @stream in
 *	coherent memory for the backend's device (one contiguous segment of
 *	@stream_size bytes), written before the job reaches the backend
 * @node: free for the backend's own queue while it owns the job
 */
struct aiot_npu_job {
	const void *stream;
	u32 stream_size;
	void *vaddr[AIOT_NPU_MAX_BINDINGS];
	u64 size[AIOT_NPU_MAX_BINDINGS];
	struct sg_table *sgt[AIOT_NPU_MAX_BINDINGS];
	enum dma_data_direction dir[AIOT_NPU_MAX_BINDINGS];
	dma_addr_t stream_dma;
	struct list_head node;
};

/**
 * struct aiot_npu_ops - what a backend does for the core
 * @run: take @job. Called in the fence signalling path, from the
 *	scheduler's run_job or, for a job whose input fence the device
 *	waited for, from an irq_work raised by that fence's signal (hard
 *	interrupt context): it must not allocate memory nor sleep, and takes
 *	its spinlocks with interrupts off. When the device starts executing it, the backend
 *	calls aiot_npu_job_begin() (and skips the job if that fails). The
 *	backend owns the job until it calls aiot_npu_job_done(), which it
 *	must always do, even when reset or removed.
 * @reset: @job made no progress for a whole timeout: stop it, so that it
 *	completes with aiot_npu_job_done(-ETIMEDOUT), before returning.
 *	Other jobs the backend holds must go on. Process context.
 * @progress: a counter that advances while the device does work, so that
 *	a slow job is told apart from a hung one. Optional: without it every
 *	timeout is a hang.
 */
struct aiot_npu_ops {
	void (*run)(struct aiot_device *adev, struct aiot_npu_job *job);
	void (*reset)(struct aiot_device *adev, struct aiot_npu_job *job);
	u64 (*progress)(struct aiot_device *adev);
};

/**
 * struct aiot_npu_desc - static description of an NPU backend
 * @name: backend name reported to userspace (at most 31 characters)
 * @hw_id: silicon or IP revision, reported to userspace as is
 * @isa_version: command-stream ISA version it executes
 * @queue_depth: jobs the hardware may hold at once (>= 1)
 * @job_timeout_ms: a job without progress for this long is reset; 0 for
 *	aiot's job_timeout_ms module parameter. Hardware with a known worst
 *	case (and the KUnit backend) sets its own.
 * @mem: enum aiot_npu_mem, how the backend reaches memory (required)
 */
struct aiot_npu_desc {
	const char *name;
	u32 hw_id;
	u32 isa_version;
	u32 queue_depth;
	u32 job_timeout_ms;
	u32 mem;
};

struct aiot_device *aiot_npu_register(struct device *parent,
				      const struct aiot_npu_desc *desc,
				      const struct aiot_npu_ops *ops,
				      void *priv);
void aiot_npu_unregister(struct aiot_device *adev);
void aiot_npu_suspend(struct aiot_device *adev);
void aiot_npu_resume(struct aiot_device *adev);
void *aiot_npu_priv(struct aiot_device *adev);
int aiot_npu_job_begin(struct aiot_npu_job *job);
void aiot_npu_job_started_at(struct aiot_npu_job *job, u64 started_ns);
void aiot_npu_job_ended_at(struct aiot_npu_job *job, u64 ended_ns);
void aiot_npu_job_done(struct aiot_npu_job *job, int error);
u64 aiot_npu_job_deadline(struct aiot_npu_job *job);

#endif /* _AIOT_NPU_H_ */
