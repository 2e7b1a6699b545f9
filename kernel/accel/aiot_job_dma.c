// SPDX-License-Identifier: GPL-2.0-only
/*
 * Buffers as device memory (see aiot_npu.h, &enum aiot_npu_mem).
 *
 * A backend that declared %AIOT_NPU_MEM_DMA gets every bound buffer of a
 * job mapped for its own struct device (the parent of the DRM device) and
 * the validated command stream in coherent memory. The core maps a buffer
 * object once, the first time a job binds it, and keeps the mapping for the
 * object's lifetime: a shmem object's pages are pinned and mapped
 * bidirectionally; an imported dma-buf is attached to the device at import
 * and its attachment mapped on first use. Each job then only syncs: for the
 * device when it reaches the backend (after its in-fences, e.g. a sensor's
 * DMA, signalled) and for the CPU when it completes, before its fence
 * signals, in the directions the validated stream uses the buffers.
 *
 * A dma-buf imported into the device by several files is one object,
 * attached and mapped once: overlapping mappings of the same memory for
 * one device are not allowed by the DMA API.
 *
 * When the backend unbinds, every mapping and every stream copy is released
 * after its remove() returned (a devres action registered with the device),
 * i.e. once the backend completed every job it held: files may stay open
 * and keep their buffers, but nothing stays mapped for a device that is
 * gone. A backend with %AIOT_NPU_MEM_CPU gets kernel addresses instead, and
 * its imports are attached but never DMA-mapped.
 */

#include <linux/device.h>
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/error-injection.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <drm/drm_drv.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_managed.h>
#include <drm/drm_prime.h>

#include "aiot_compat.h"
#include "aiot_device.h"
#include "aiot_job_dma.h"

/**
 * struct aiot_bo - an aiot buffer object: a shmem object plus its mapping
 * @base: the shmem object
 * @dma_sgt: mapped for the backend's device, or NULL
 * @dma_node: in &aiot_dev_dma.bos while @dma_sgt is set
 * @import_key: the dma-buf this object is the device's import of, or NULL
 */
struct aiot_bo {
	struct drm_gem_shmem_object base;
	struct sg_table *dma_sgt;
	struct list_head dma_node;
	struct dma_buf *import_key;
};

static struct aiot_bo *to_aiot_bo(struct drm_gem_object *obj)
{
	return container_of(to_drm_gem_shmem_obj(obj), struct aiot_bo, base);
}

static struct device *aiot_dma_dev(struct aiot_device *adev)
{
	return adev->drm.dev;
}

static void aiot_bo_dma_unmap_locked(struct aiot_device *adev,
				     struct aiot_bo *bo)
{
	struct drm_gem_object *obj = &bo->base.base;

	lockdep_assert_held(&adev->dma.lock);
	if (!bo->dma_sgt)
		return;
	if (obj->import_attach) {
		aiot_dma_buf_unmap_attachment(obj->import_attach, bo->dma_sgt,
					      DMA_BIDIRECTIONAL);
	} else {
		dma_unmap_sgtable(aiot_dma_dev(adev), bo->dma_sgt,
				  DMA_BIDIRECTIONAL, 0);
		sg_free_table(bo->dma_sgt);
		kfree(bo->dma_sgt);
		drm_gem_shmem_unpin(&bo->base);
	}
	bo->dma_sgt = NULL;
	list_del_init(&bo->dma_node);
}

static int aiot_bo_dma_map_locked(struct aiot_device *adev, struct aiot_bo *bo)
{
	struct drm_gem_object *obj = &bo->base.base;
	struct sg_table *sgt;
	int ret;

	lockdep_assert_held(&adev->dma.lock);
	if (bo->dma_sgt)
		return 0;
	if (adev->dma.released)
		return -ENODEV;

	if (obj->import_attach) {
		sgt = aiot_dma_buf_map_attachment(obj->import_attach,
						  DMA_BIDIRECTIONAL);
		if (IS_ERR(sgt))
			return PTR_ERR(sgt);
	} else {
		ret = drm_gem_shmem_pin(&bo->base);
		if (ret)
			return ret;
		sgt = kzalloc(sizeof(*sgt), GFP_KERNEL);
		if (!sgt) {
			drm_gem_shmem_unpin(&bo->base);
			return -ENOMEM;
		}
		/* Segments no longer than the device takes. */
		ret = sg_alloc_table_from_pages_segment(sgt, bo->base.pages,
							obj->size >> PAGE_SHIFT,
							0, obj->size,
							dma_get_max_seg_size(aiot_dma_dev(adev)),
							GFP_KERNEL);
		if (!ret)
			ret = dma_map_sgtable(aiot_dma_dev(adev), sgt,
					      DMA_BIDIRECTIONAL, 0);
		if (ret) {
			sg_free_table(sgt);
			kfree(sgt);
			drm_gem_shmem_unpin(&bo->base);
			return ret;
		}
	}
	bo->dma_sgt = sgt;
	list_add_tail(&bo->dma_node, &adev->dma.bos);
	return 0;
}

static void aiot_bo_free(struct drm_gem_object *obj)
{
	struct aiot_device *adev = to_aiot_device(obj->dev);
	struct aiot_bo *bo = to_aiot_bo(obj);

	mutex_lock(&adev->dma.lock);
	/* A newer import of the same dma-buf may have taken the entry. */
	if (bo->import_key)
		xa_cmpxchg(&adev->dma.imports, (unsigned long)bo->import_key,
			   bo, NULL, 0);
	aiot_bo_dma_unmap_locked(adev, bo);
	mutex_unlock(&adev->dma.lock);
	drm_gem_shmem_object_free(obj);
}

static const struct drm_gem_object_funcs aiot_bo_funcs = {
	.free = aiot_bo_free,
	.print_info = drm_gem_shmem_object_print_info,
	.pin = drm_gem_shmem_object_pin,
	.unpin = drm_gem_shmem_object_unpin,
	.get_sg_table = drm_gem_shmem_object_get_sg_table,
	.vmap = drm_gem_shmem_object_vmap,
	.vunmap = drm_gem_shmem_object_vunmap,
	.mmap = drm_gem_shmem_object_mmap,
	.vm_ops = &drm_gem_shmem_vm_ops,
};

/* &drm_driver.gem_create_object: every object, created or imported. */
struct drm_gem_object *aiot_gem_create_object(struct drm_device *drm,
					      size_t size)
{
	struct aiot_bo *bo;

	bo = kzalloc(sizeof(*bo), GFP_KERNEL);
	if (!bo)
		return ERR_PTR(-ENOMEM);
	INIT_LIST_HEAD(&bo->dma_node);
	bo->base.base.funcs = &aiot_bo_funcs;
	return &bo->base.base;
}
ALLOW_ERROR_INJECTION(aiot_gem_create_object, ERRNO);

/*
 * &drm_driver.gem_prime_import: attach the dma-buf to the backend's device,
 * without mapping it (a CPU backend never maps it; a DMA backend maps it the
 * first time a job binds it), and import a dma-buf once per device.
 */
struct drm_gem_object *aiot_gem_prime_import(struct drm_device *drm,
					     struct dma_buf *dma_buf)
{
	struct aiot_device *adev = to_aiot_device(drm);
	struct dma_buf_attachment *attach;
	struct drm_gem_object *obj;
	struct aiot_bo *bo;
	void *old;

	/* One of ours, exported by this very device: the object itself. */
	if (dma_buf->ops->release == drm_gem_dmabuf_release) {
		obj = dma_buf->priv;
		if (obj->dev == drm) {
			drm_gem_object_get(obj);
			return obj;
		}
	}

	mutex_lock(&adev->dma.lock);
	bo = xa_load(&adev->dma.imports, (unsigned long)dma_buf);
	if (bo && kref_get_unless_zero(&bo->base.base.refcount)) {
		mutex_unlock(&adev->dma.lock);
		return &bo->base.base;
	}

	attach = dma_buf_attach(dma_buf, drm->dev);
	if (IS_ERR(attach)) {
		obj = ERR_CAST(attach);
		goto out_unlock;
	}
	get_dma_buf(dma_buf);
	obj = drm_gem_shmem_prime_import_sg_table(drm, attach, NULL);
	if (IS_ERR(obj)) {
		dma_buf_detach(dma_buf, attach);
		dma_buf_put(dma_buf);
		goto out_unlock;
	}
	obj->import_attach = attach;
	obj->resv = dma_buf->resv;

	/* Without an entry the import still works, it is just not shared. */
	bo = to_aiot_bo(obj);
	old = xa_store(&adev->dma.imports, (unsigned long)dma_buf, bo,
		       GFP_KERNEL);
	if (!xa_is_err(old))
		bo->import_key = dma_buf;
out_unlock:
	mutex_unlock(&adev->dma.lock);
	return obj;
}

/* Devres action: the backend's remove() returned, no job is on it. */
static void aiot_dev_dma_release(void *data)
{
	struct aiot_device *adev = data;
	struct aiot_job_dma *jd, *jtmp;
	struct aiot_bo *bo, *btmp;

	mutex_lock(&adev->dma.lock);
	adev->dma.released = true;
	list_for_each_entry_safe(bo, btmp, &adev->dma.bos, dma_node)
		aiot_bo_dma_unmap_locked(adev, bo);
	list_for_each_entry_safe(jd, jtmp, &adev->dma.jobs, node) {
		dma_free_coherent(aiot_dma_dev(adev), jd->stream_bytes,
				  jd->stream, jd->stream_dma);
		jd->stream = NULL;
		list_del_init(&jd->node);
	}
	mutex_unlock(&adev->dma.lock);
}

/*
 * DRM-managed action: the last reference to the device is gone, and with
 * it every buffer object. The imports table holds no entry any more, but
 * a store that failed for memory may have left empty nodes behind (the
 * fuzzer's fault injection found them as leaks after an unbind).
 */
static void aiot_dev_dma_fini(struct drm_device *drm, void *data)
{
	struct aiot_device *adev = data;

	xa_destroy(&adev->dma.imports);
}

/**
 * aiot_dev_dma_init() - set up the core's DMA side of a new device
 * @adev: the device, being registered
 *
 * Return: 0 or a negative errno.
 */
int aiot_dev_dma_init(struct aiot_device *adev)
{
	int ret;

	mutex_init(&adev->dma.lock);
	INIT_LIST_HEAD(&adev->dma.bos);
	INIT_LIST_HEAD(&adev->dma.jobs);
	xa_init(&adev->dma.imports);
	ret = drmm_add_action_or_reset(&adev->drm, aiot_dev_dma_fini, adev);
	if (ret)
		return ret;
	if (adev->desc->mem != AIOT_NPU_MEM_DMA)
		return 0;
	return devm_add_action_or_reset(aiot_dma_dev(adev),
					aiot_dev_dma_release, adev);
}

/**
 * aiot_job_dma_prepare() - map a job's buffers and copy its stream
 * @adev: the device
 * @jd: the job's DMA state
 * @npu: the job as the backend will see it; @npu->stream is validated
 * @bos: the buffer bound to each slot, or NULL
 * @written: bit n set when the stream writes slot n
 *
 * SUBMIT, process context. Nothing to do for a CPU backend.
 *
 * Return: 0 or a negative errno (-ENODEV once the device is gone).
 */
int aiot_job_dma_prepare(struct aiot_device *adev, struct aiot_job_dma *jd,
			 struct aiot_npu_job *npu,
			 struct drm_gem_object *const *bos, u32 written)
{
	struct aiot_bo *bo;
	int i, idx, ret = 0;

	INIT_LIST_HEAD(&jd->node);
	if (adev->desc->mem != AIOT_NPU_MEM_DMA)
		return 0;
	/* Unregistering waits for us, then releases what we mapped. */
	if (!drm_dev_enter(&adev->drm, &idx))
		return -ENODEV;

	mutex_lock(&adev->dma.lock);
	for (i = 0; i < AIOT_NPU_MAX_BINDINGS; i++) {
		npu->dir[i] = DMA_NONE;
		if (!bos[i])
			continue;
		bo = to_aiot_bo(bos[i]);
		ret = aiot_bo_dma_map_locked(adev, bo);
		if (ret)
			goto out_unlock;
		npu->sgt[i] = bo->dma_sgt;
		npu->dir[i] = written & BIT(i) ? DMA_BIDIRECTIONAL :
						 DMA_TO_DEVICE;
	}

	jd->stream = dma_alloc_coherent(aiot_dma_dev(adev), npu->stream_size,
					&npu->stream_dma, GFP_KERNEL);
	if (!jd->stream) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	jd->stream_bytes = npu->stream_size;
	jd->stream_dma = npu->stream_dma;
	memcpy(jd->stream, npu->stream, npu->stream_size);
	list_add_tail(&jd->node, &adev->dma.jobs);
out_unlock:
	mutex_unlock(&adev->dma.lock);
	drm_dev_exit(idx);
	return ret;
}

/**
 * aiot_job_dma_sync_for_device() - hand a job's buffers to the device
 * @adev: the device
 * @jd: the job's DMA state
 * @npu: the job
 *
 * run_job, inside drm_dev_enter(): no allocation, no sleeping.
 */
void aiot_job_dma_sync_for_device(struct aiot_device *adev,
				  struct aiot_job_dma *jd,
				  struct aiot_npu_job *npu)
{
	int i;

	if (adev->desc->mem != AIOT_NPU_MEM_DMA)
		return;
	for (i = 0; i < AIOT_NPU_MAX_BINDINGS; i++)
		if (npu->sgt[i])
			dma_sync_sgtable_for_device(aiot_dma_dev(adev),
						    npu->sgt[i], npu->dir[i]);
	jd->synced = true;
}

/**
 * aiot_job_dma_sync_for_cpu() - take back what a finished job wrote
 * @adev: the device
 * @jd: the job's DMA state
 * @npu: the job
 *
 * Before the job's fence signals. Any context (the backend's interrupt).
 * The mappings are still there: the backend completes every job before its
 * remove() returns.
 */
void aiot_job_dma_sync_for_cpu(struct aiot_device *adev,
			       struct aiot_job_dma *jd,
			       struct aiot_npu_job *npu)
{
	int i;

	if (!jd->synced)
		return;
	for (i = 0; i < AIOT_NPU_MAX_BINDINGS; i++)
		if (npu->sgt[i] && npu->dir[i] != DMA_TO_DEVICE)
			dma_sync_sgtable_for_cpu(aiot_dma_dev(adev),
						 npu->sgt[i], npu->dir[i]);
}

/**
 * aiot_job_dma_release() - free a job's stream copy
 * @adev: the device
 * @jd: the job's DMA state
 *
 * Job cleanup, process context.
 */
void aiot_job_dma_release(struct aiot_device *adev, struct aiot_job_dma *jd)
{
	if (!READ_ONCE(jd->stream))
		return;
	mutex_lock(&adev->dma.lock);
	if (jd->stream) {
		dma_free_coherent(aiot_dma_dev(adev), jd->stream_bytes,
				  jd->stream, jd->stream_dma);
		jd->stream = NULL;
		list_del_init(&jd->node);
	}
	mutex_unlock(&adev->dma.lock);
}
