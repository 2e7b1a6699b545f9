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
};

/*
 * The slot's memory mapped for one device, shared by every attachment of
 * that device to any dma-buf of the slot: the DMA API does not allow two
 * overlapping mappings of the same memory for one device (DMA-API debug:
 * "cacheline tracking EEXIST"), and a slot may be exported several times
 * (O_RDONLY and O_RDWR, or by different programs) and imported by one
 * device through each. Mapped bidirectionally, whatever the importer asked
 * for; in the slot's list, under its ring's maps_lock.
 */
struct aiot_sensor_dmamap {
	struct list_head node;
	struct device *dev;
	struct sg_table sgt;
	unsigned int users;
};

static struct aiot_sensor_dmamap *
aiot_sensor_dmamap_new(struct aiot_sensor_slot *slot, struct device *dev)
{
	void *vaddr = aiot_sensor_slot_vaddr(slot);
	unsigned int npages = slot->ring->stride >> PAGE_SHIFT;
	struct aiot_sensor_dmamap *m;
	struct scatterlist *sg;
	unsigned int i;
	int ret;

	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return ERR_PTR(-ENOMEM);
	ret = sg_alloc_table(&m->sgt, npages, GFP_KERNEL);
	if (ret)
		goto err_free;
	for_each_sgtable_sg(&m->sgt, sg, i)
		sg_set_page(sg, vmalloc_to_page(vaddr + (size_t)i * PAGE_SIZE),
			    PAGE_SIZE, 0);
	ret = dma_map_sgtable(dev, &m->sgt, DMA_BIDIRECTIONAL, 0);
	if (ret)
		goto err_table;
	m->dev = dev;
	m->users = 1;
	return m;

err_table:
	sg_free_table(&m->sgt);
err_free:
	kfree(m);
	return ERR_PTR(ret);
}

static struct sg_table *
aiot_sensor_dmabuf_map(struct dma_buf_attachment *attach,
		       enum dma_data_direction dir)
{
	struct aiot_sensor_dmabuf *buf = attach->dmabuf->priv;
	struct aiot_sensor_slot *slot = buf->slot;
	struct aiot_sensor_ring *ring = slot->ring;
	struct aiot_sensor_dmamap *m;

	mutex_lock(&ring->maps_lock);
	list_for_each_entry(m, &slot->maps, node) {
		if (m->dev == attach->dev) {
			m->users++;
			goto out;
		}
	}
	m = aiot_sensor_dmamap_new(slot, attach->dev);
	if (!IS_ERR(m))
		list_add(&m->node, &slot->maps);
out:
	mutex_unlock(&ring->maps_lock);
	return IS_ERR(m) ? ERR_CAST(m) : &m->sgt;
}

static void aiot_sensor_dmabuf_unmap(struct dma_buf_attachment *attach,
				     struct sg_table *sgt,
				     enum dma_data_direction dir)
{
	struct aiot_sensor_dmabuf *buf = attach->dmabuf->priv;
	struct aiot_sensor_ring *ring = buf->slot->ring;
	struct aiot_sensor_dmamap *m =
		container_of(sgt, struct aiot_sensor_dmamap, sgt);
	bool last;

	mutex_lock(&ring->maps_lock);
	last = !--m->users;
	if (last)
		list_del(&m->node);
	mutex_unlock(&ring->maps_lock);
	if (!last)
		return;
	dma_unmap_sgtable(m->dev, &m->sgt, DMA_BIDIRECTIONAL, 0);
	sg_free_table(&m->sgt);
	kfree(m);
}

/* CPU access: sync every device's mapping of the slot, whatever dma-buf. */
static int aiot_sensor_dmabuf_begin_cpu(struct dma_buf *dmabuf,
					enum dma_data_direction dir)
{
	struct aiot_sensor_dmabuf *buf = dmabuf->priv;
	struct aiot_sensor_ring *ring = buf->slot->ring;
	struct aiot_sensor_dmamap *m;

	mutex_lock(&ring->maps_lock);
	list_for_each_entry(m, &buf->slot->maps, node)
		dma_sync_sgtable_for_cpu(m->dev, &m->sgt, dir);
	mutex_unlock(&ring->maps_lock);
	return 0;
}

static int aiot_sensor_dmabuf_end_cpu(struct dma_buf *dmabuf,
				      enum dma_data_direction dir)
{
	struct aiot_sensor_dmabuf *buf = dmabuf->priv;
	struct aiot_sensor_ring *ring = buf->slot->ring;
	struct aiot_sensor_dmamap *m;

	mutex_lock(&ring->maps_lock);
	list_for_each_entry(m, &buf->slot->maps, node)
		dma_sync_sgtable_for_device(m->dev, &m->sgt, dir);
	mutex_unlock(&ring->maps_lock);
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
	kfree(buf);
}

static const struct dma_buf_ops aiot_sensor_dmabuf_ops = {
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

	info.ops = &aiot_sensor_dmabuf_ops;
	info.size = slot->ring->stride;
	info.flags = flags;
	info.resv = &slot->resv;
	info.priv = buf;
	kref_get(&slot->ring->ref);
	dmabuf = dma_buf_export(&info);
	if (IS_ERR(dmabuf)) {
		aiot_sensor_ring_put(slot->ring);
		kfree(buf);
	}
	return dmabuf;
}

AIOT_EXPORT_FOR_KUNIT(aiot_sensor_slot_export);
