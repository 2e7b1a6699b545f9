// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sensor rings: their layout, their memory, the write fences armed on their
 * slots, and the export of a slot as a dma-buf.
 *
 * A ring is one vmalloc_user() area of slot_count page-aligned slots. It is
 * reference counted: the stream, every mapping of the ring and every dma-buf
 * of one of its slots hold it, so a ring outlives a reconfiguration, the
 * closing of the stream or the removal of the sensor for as long as
 * userspace or an importer still uses its memory.
 */

#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/iosys-map.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "aiot_compat.h"
#include "aiot_sensor_priv.h"

static u32 aiot_sensor_format_bytes(u32 format)
{
	switch (format) {
	case AIOT_SENSOR_FMT_S16_LE:
		return 2;
	case AIOT_SENSOR_FMT_U8:
		return 1;
	default:
		return 0;
	}
}

/**
 * aiot_sensor_layout() - check a configuration and compute its ring layout
 * @desc: what the sensor accepts
 * @cfg: in: the request; out: slot_bytes, slot_stride, ring_bytes and
 *	period_ns filled in (their values on input are ignored)
 *
 * Return: 0, -EINVAL for a malformed request (unknown format, pattern,
 * overflow policy, flags or non-zero reserved fields), -ERANGE for a value
 * outside what the sensor or the core accepts.
 */
int aiot_sensor_layout(const struct aiot_sensor_desc *desc,
		       struct aiot_sensor_config *cfg)
{
	u32 esize = aiot_sensor_format_bytes(cfg->format);
	u64 bytes, period_ns;

	if (cfg->flags || memchr_inv(cfg->reserved, 0, sizeof(cfg->reserved)))
		return -EINVAL;
	if (!esize || !(desc->formats & BIT(cfg->format)))
		return -EINVAL;
	if (cfg->overflow > AIOT_SENSOR_OVERFLOW_OVERWRITE_OLDEST)
		return -EINVAL;
	if (cfg->pattern >= 32 || !(desc->patterns & BIT(cfg->pattern)))
		return -EINVAL;
	if (cfg->channels < desc->min_channels ||
	    cfg->channels > desc->max_channels)
		return -ERANGE;
	if (cfg->rate_hz < desc->min_rate_hz || cfg->rate_hz > desc->max_rate_hz ||
	    !cfg->rate_hz)
		return -ERANGE;
	if (!cfg->samples_per_slot || cfg->samples_per_slot > AIOT_SENSOR_MAX_SAMPLES)
		return -ERANGE;
	if (cfg->slot_count < AIOT_SENSOR_MIN_SLOTS ||
	    cfg->slot_count > AIOT_SENSOR_MAX_SLOTS)
		return -ERANGE;

	/* Each factor is at most 32 bits: check every product. */
	if (check_mul_overflow((u64)cfg->samples_per_slot, (u64)cfg->channels, &bytes) ||
	    check_mul_overflow(bytes, (u64)desc->width, &bytes) ||
	    check_mul_overflow(bytes, (u64)desc->height, &bytes) ||
	    check_mul_overflow(bytes, (u64)esize, &bytes) ||
	    !bytes || bytes > AIOT_SENSOR_MAX_SLOT_BYTES)
		return -ERANGE;

	period_ns = div_u64((u64)cfg->samples_per_slot * NSEC_PER_SEC,
			    cfg->rate_hz);
	if (period_ns < (u64)AIOT_SENSOR_MIN_PERIOD_US * NSEC_PER_USEC ||
	    period_ns > (u64)AIOT_SENSOR_MAX_PERIOD_US * NSEC_PER_USEC)
		return -ERANGE;

	cfg->slot_bytes = bytes;
	cfg->slot_stride = PAGE_ALIGN(bytes);
	cfg->ring_bytes = (u64)cfg->slot_stride * cfg->slot_count;
	cfg->period_ns = period_ns;
	return 0;
}

AIOT_EXPORT_FOR_KUNIT(aiot_sensor_layout);

/**
 * aiot_sensor_ring_alloc() - allocate the ring of a checked configuration
 * @cfg: a configuration aiot_sensor_layout() accepted
 *
 * Every slot starts in the queued list, without a fence.
 *
 * Return: the ring with one reference, or NULL.
 */
struct aiot_sensor_ring *aiot_sensor_ring_alloc(const struct aiot_sensor_config *cfg)
{
	struct aiot_sensor_ring *ring;
	unsigned int i;

	ring = kzalloc(struct_size(ring, slots, cfg->slot_count), GFP_KERNEL);
	if (!ring)
		return NULL;
	ring->size = cfg->ring_bytes;
	ring->vaddr = vmalloc_user(ring->size);
	if (!ring->vaddr) {
		kfree(ring);
		return NULL;
	}
	kref_init(&ring->ref);
	ring->count = cfg->slot_count;
	ring->stride = cfg->slot_stride;
	ring->slot_bytes = cfg->slot_bytes;
	INIT_LIST_HEAD(&ring->queued);
	INIT_LIST_HEAD(&ring->done);
	for (i = 0; i < ring->count; i++) {
		struct aiot_sensor_slot *slot = &ring->slots[i];

		slot->ring = ring;
		slot->index = i;
		slot->state = AIOT_SLOT_QUEUED;
		dma_resv_init(&slot->resv);
		list_add_tail(&slot->node, &ring->queued);
	}
	return ring;
}

AIOT_EXPORT_FOR_KUNIT(aiot_sensor_ring_alloc);

static void aiot_sensor_ring_release(struct kref *ref)
{
	struct aiot_sensor_ring *ring =
		container_of(ref, struct aiot_sensor_ring, ref);
	unsigned int i;

	for (i = 0; i < ring->count; i++) {
		dma_fence_put(ring->slots[i].wfence);
		dma_resv_fini(&ring->slots[i].resv);
	}
	vfree(ring->vaddr);
	kfree(ring);
}

void aiot_sensor_ring_put(struct aiot_sensor_ring *ring)
{
	if (ring)
		kref_put(&ring->ref, aiot_sensor_ring_release);
}

AIOT_EXPORT_FOR_KUNIT(aiot_sensor_ring_put);

static void *aiot_sensor_slot_vaddr(const struct aiot_sensor_slot *slot)
{
	return slot->ring->vaddr + (size_t)slot->index * slot->ring->stride;
}

/*
 * Write fences. Each carries its own lock, so that a fence stays usable
 * when the stream that armed it is gone.
 */
struct aiot_sensor_fence {
	struct dma_fence base;
	spinlock_t lock;	/* the fence's lock */
};

static const char *aiot_sensor_fence_driver_name(struct dma_fence *fence)
{
	return "aiot";
}

static const char *aiot_sensor_fence_timeline_name(struct dma_fence *fence)
{
	return "aiot-sensor-dma";
}

static const struct dma_fence_ops aiot_sensor_fence_ops = {
	.get_driver_name = aiot_sensor_fence_driver_name,
	.get_timeline_name = aiot_sensor_fence_timeline_name,
};

/**
 * aiot_sensor_fence_alloc() - a new, unsignalled write fence
 * @context: the stream's fence context
 * @seqno: its sequence number in that context
 *
 * Return: the fence, or NULL. Allocated in process context, when a slot is
 * armed, so that the DMA completion (hardirq) only signals.
 */
struct dma_fence *aiot_sensor_fence_alloc(u64 context, u64 seqno)
{
	struct aiot_sensor_fence *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return NULL;
	spin_lock_init(&f->lock);
	dma_fence_init(&f->base, &aiot_sensor_fence_ops, &f->lock, context,
		       seqno);
	return &f->base;
}

AIOT_EXPORT_FOR_KUNIT(aiot_sensor_fence_alloc);

bool aiot_sensor_fence_is_ours(struct dma_fence *fence)
{
	return fence->ops == &aiot_sensor_fence_ops;
}

AIOT_EXPORT_FOR_KUNIT(aiot_sensor_fence_is_ours);

/* Page faults on a mapping of ring memory: vmalloc pages, one at a time. */
static vm_fault_t aiot_sensor_fault(struct vm_fault *vmf, void *base,
				    size_t size)
{
	size_t off = (size_t)vmf->pgoff << PAGE_SHIFT;
	struct page *page;

	if (off >= size)
		return VM_FAULT_SIGBUS;
	page = vmalloc_to_page(base + off);
	if (!page)
		return VM_FAULT_SIGBUS;
	get_page(page);
	vmf->page = page;
	return 0;
}

static vm_fault_t aiot_sensor_ring_vm_fault(struct vm_fault *vmf)
{
	struct aiot_sensor_ring *ring = vmf->vma->vm_private_data;

	return aiot_sensor_fault(vmf, ring->vaddr, ring->size);
}

static void aiot_sensor_ring_vm_open(struct vm_area_struct *vma)
{
	struct aiot_sensor_ring *ring = vma->vm_private_data;

	kref_get(&ring->ref);
}

static void aiot_sensor_ring_vm_close(struct vm_area_struct *vma)
{
	aiot_sensor_ring_put(vma->vm_private_data);
}

static const struct vm_operations_struct aiot_sensor_ring_vm_ops = {
	.open = aiot_sensor_ring_vm_open,
	.close = aiot_sensor_ring_vm_close,
	.fault = aiot_sensor_ring_vm_fault,
};

/**
 * aiot_sensor_ring_mmap() - map (part of) a ring; slot i is at offset
 *	i * stride
 * @ring: the ring, which the mapping keeps a reference on
 * @vma: the mapping
 *
 * Return: 0 or -EINVAL if the mapping reaches past the ring.
 */
int aiot_sensor_ring_mmap(struct aiot_sensor_ring *ring,
			  struct vm_area_struct *vma)
{
	unsigned long pages = ring->size >> PAGE_SHIFT;

	if (vma->vm_pgoff >= pages || vma_pages(vma) > pages - vma->vm_pgoff)
		return -EINVAL;
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = &aiot_sensor_ring_vm_ops;
	vma->vm_private_data = ring;
	kref_get(&ring->ref);
	return 0;
}

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
