/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Buffers as device memory: what the core does for a backend that declared
 * %AIOT_NPU_MEM_DMA (see aiot_npu.h), and the buffer objects and imports
 * that make it possible. Kept apart from the job code so that the job path
 * calls it in a few well-defined places.
 */
#ifndef _AIOT_JOB_DMA_H_
#define _AIOT_JOB_DMA_H_

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/xarray.h>

struct aiot_device;
struct aiot_npu_job;
struct dma_buf;
struct drm_device;
struct drm_gem_object;

/**
 * struct aiot_dev_dma - a device's DMA mappings, owned by the core
 * @lock: protects everything below and each buffer's mapping
 * @bos: buffer objects mapped for the backend's device (&aiot_bo.dma_node)
 * @jobs: jobs holding a command-stream copy (&aiot_job_dma.node)
 * @imports: imported dma-bufs of this device, by &struct dma_buf: a
 *	dma-buf imported by several files is one object, attached and mapped
 *	once for the device
 * @released: the backend unbound; nothing is mapped any more
 */
struct aiot_dev_dma {
	struct mutex lock;	/* bos, jobs, imports, mappings */
	struct list_head bos;
	struct list_head jobs;
	struct xarray imports;
	bool released;
};

/**
 * struct aiot_job_dma - the DMA side of one job
 * @stream: coherent copy of the validated command stream, or NULL
 * @stream_bytes: its size
 * @stream_dma: its bus address
 * @node: in &aiot_dev_dma.jobs while @stream is allocated
 * @synced: the buffers were synced for the device (the job reached it)
 */
struct aiot_job_dma {
	void *stream;
	size_t stream_bytes;
	dma_addr_t stream_dma;
	struct list_head node;
	bool synced;
};

int aiot_dev_dma_init(struct aiot_device *adev);

struct drm_gem_object *aiot_gem_create_object(struct drm_device *drm,
					      size_t size);
struct drm_gem_object *aiot_gem_prime_import(struct drm_device *drm,
					     struct dma_buf *dma_buf);

int aiot_job_dma_prepare(struct aiot_device *adev, struct aiot_job_dma *jd,
			 struct aiot_npu_job *npu,
			 struct drm_gem_object *const *bos, u32 written);
void aiot_job_dma_sync_for_device(struct aiot_device *adev,
				  struct aiot_job_dma *jd,
				  struct aiot_npu_job *npu);
void aiot_job_dma_sync_for_cpu(struct aiot_device *adev,
			       struct aiot_job_dma *jd,
			       struct aiot_npu_job *npu);
void aiot_job_dma_release(struct aiot_device *adev, struct aiot_job_dma *jd);

#endif /* _AIOT_JOB_DMA_H_ */
