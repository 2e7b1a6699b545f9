// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sensor rings: a slot exported as a dma-buf. The dma-buf holds a
 * reference on the ring, so an importer (an NPU job) keeps the memory.
 */

#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/iosys-map.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "aiot_compat.h"
#include "aiot_sensor_priv.h"

/* dma-buf of one slot. */

struct aiot_sensor_dmabuf {
	struct aiot_sensor_slot *slot;
	struct mutex lock;		/* protects @attachments */
	struct list_head attachments;
};

struct aiot_sensor_attachment {
	struct list_head node;
	struct device *dev;
	struct sg_table sgt;
	bool mapped;
};

static int aiot_sensor_dmabuf_attach(struct dma_buf *dmabuf,
				     struct dma_buf_attachment *attach)
{
	struct aiot_sensor_dmabuf *buf = dmabuf->priv;
	void *vaddr = aiot_sensor_slot_vaddr(buf->slot);
	unsigned int npages = buf->slot->ring->stride >> PAGE_SHIFT;
	struct aiot_sensor_attachment *a;
	struct scatterlist *sg;
	unsigned int i;
	int ret;

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	ret = sg_alloc_table(&a->sgt, npages, GFP_KERNEL);
	if (ret) {
		kfree(a);
		return ret;
	}
	for_each_sgtable_sg(&a->sgt, sg, i)
		sg_set_page(sg, vmalloc_to_page(vaddr + (size_t)i * PAGE_SIZE),
			    PAGE_SIZE, 0);
	a->dev = attach->dev;
	attach->priv = a;
	mutex_lock(&buf->lock);
	list_add(&a->node, &buf->attachments);
	mutex_unlock(&buf->lock);
	return 0;
}

static void aiot_sensor_dmabuf_detach(struct dma_buf *dmabuf,
				      struct dma_buf_attachment *attach)
{
	struct aiot_sensor_dmabuf *buf = dmabuf->priv;
	struct aiot_sensor_attachment *a = attach->priv;

	mutex_lock(&buf->lock);
	list_del(&a->node);
	mutex_unlock(&buf->lock);
	sg_free_table(&a->sgt);
	kfree(a);
}

static struct sg_table *
aiot_sensor_dmabuf_map(struct dma_buf_attachment *attach,
		       enum dma_data_direction dir)
{
	struct aiot_sensor_attachment *a = attach->priv;
	int ret;

	ret = dma_map_sgtable(attach->dev, &a->sgt, dir, 0);
	if (ret)
		return ERR_PTR(ret);
	a->mapped = true;
	return &a->sgt;
}

static void aiot_sensor_dmabuf_unmap(struct dma_buf_attachment *attach,
				     struct sg_table *sgt,
				     enum dma_data_direction dir)
{
	struct aiot_sensor_attachment *a = attach->priv;

	a->mapped = false;
	dma_unmap_sgtable(attach->dev, sgt, dir, 0);
}

static int aiot_sensor_dmabuf_begin_cpu(struct dma_buf *dmabuf,
					enum dma_data_direction dir)
{
	struct aiot_sensor_dmabuf *buf = dmabuf->priv;
	struct aiot_sensor_attachment *a;

	mutex_lock(&buf->lock);
	list_for_each_entry(a, &buf->attachments, node)
		if (a->mapped)
			dma_sync_sgtable_for_cpu(a->dev, &a->sgt, dir);
	mutex_unlock(&buf->lock);
	return 0;
}

static int aiot_sensor_dmabuf_end_cpu(struct dma_buf *dmabuf,
				      enum dma_data_direction dir)
{
	struct aiot_sensor_dmabuf *buf = dmabuf->priv;
	struct aiot_sensor_attachment *a;

	mutex_lock(&buf->lock);
	list_for_each_entry(a, &buf->attachments, node)
		if (a->mapped)
			dma_sync_sgtable_for_device(a->dev, &a->sgt, dir);
	mutex_unlock(&buf->lock);
	return 0;
}

static vm_fault_t aiot_sensor_dmabuf_vm_fault(struct vm_fault *vmf)
{
	struct aiot_sensor_dmabuf *buf = vmf->vma->vm_private_data;

	return aiot_sensor_fault(vmf, aiot_sensor_slot_vaddr(buf->slot),
				 buf->slot->ring->stride);
}

static const struct vm_operations_struct aiot_sensor_dmabuf_vm_ops = {
	.fault = aiot_sensor_dmabuf_vm_fault,
};

static int aiot_sensor_dmabuf_mmap(struct dma_buf *dmabuf,
				   struct vm_area_struct *vma)
{
	unsigned long pages = dmabuf->size >> PAGE_SHIFT;

	if (vma->vm_pgoff >= pages || vma_pages(vma) > pages - vma->vm_pgoff)
		return -EINVAL;
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = &aiot_sensor_dmabuf_vm_ops;
	vma->vm_private_data = dmabuf->priv;
	return 0;
}

static int aiot_sensor_dmabuf_vmap(struct dma_buf *dmabuf,
				   struct iosys_map *map)
{
	struct aiot_sensor_dmabuf *buf = dmabuf->priv;

	iosys_map_set_vaddr(map, aiot_sensor_slot_vaddr(buf->slot));
	return 0;
}

static void aiot_sensor_dmabuf_release(struct dma_buf *dmabuf)
{
	struct aiot_sensor_dmabuf *buf = dmabuf->priv;

	aiot_sensor_ring_put(buf->slot->ring);
	mutex_destroy(&buf->lock);
	kfree(buf);
}

static const struct dma_buf_ops aiot_sensor_dmabuf_ops = {
	.attach = aiot_sensor_dmabuf_attach,
	.detach = aiot_sensor_dmabuf_detach,
	.map_dma_buf = aiot_sensor_dmabuf_map,
	.unmap_dma_buf = aiot_sensor_dmabuf_unmap,
	.begin_cpu_access = aiot_sensor_dmabuf_begin_cpu,
	.end_cpu_access = aiot_sensor_dmabuf_end_cpu,
	.mmap = aiot_sensor_dmabuf_mmap,
	.vmap = aiot_sensor_dmabuf_vmap,
	.release = aiot_sensor_dmabuf_release,
};

/**
 * aiot_sensor_slot_export() - export a slot as a dma-buf
 * @slot: the slot; its ring gets a reference held by the dma-buf
 * @flags: O_CLOEXEC and access mode of the dma-buf file
 *
 * Every dma-buf of a slot shares the slot's reservation object, so the
 * write fences armed on the slot are seen through all of them.
 *
 * Return: the dma-buf or an ERR_PTR().
 */
struct dma_buf *aiot_sensor_slot_export(struct aiot_sensor_slot *slot,
					int flags)
{
	DEFINE_DMA_BUF_EXPORT_INFO(info);
	struct aiot_sensor_dmabuf *buf;
	struct dma_buf *dmabuf;

	buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return ERR_PTR(-ENOMEM);
	buf->slot = slot;
	mutex_init(&buf->lock);
	INIT_LIST_HEAD(&buf->attachments);

	info.ops = &aiot_sensor_dmabuf_ops;
	info.size = slot->ring->stride;
	info.flags = flags;
	info.resv = &slot->resv;
	info.priv = buf;
	kref_get(&slot->ring->ref);
	dmabuf = dma_buf_export(&info);
	if (IS_ERR(dmabuf)) {
		aiot_sensor_ring_put(slot->ring);
		mutex_destroy(&buf->lock);
		kfree(buf);
	}
	return dmabuf;
}

AIOT_EXPORT_FOR_KUNIT(aiot_sensor_slot_export);
