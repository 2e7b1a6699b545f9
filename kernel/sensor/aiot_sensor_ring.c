// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sensor rings: their layout, their memory and the mmap() of a whole ring.
 * The write fences armed on their slots are in aiot_sensor_fence.c, the
 * export of a slot as a dma-buf in aiot_sensor_dmabuf.c.
 *
 * A ring is one vmalloc area of slot_count page-aligned slots. It is
 * reference counted: the stream, every mapping of the ring and every dma-buf
 * of one of its slots hold it, so a ring outlives a reconfiguration, the
 * closing of the stream or the removal of the sensor for as long as
 * userspace or an importer still uses its memory.
 */

#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/error-injection.h>
#include <linux/iosys-map.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
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

static unsigned long long max_ring_bytes = AIOT_SENSOR_MAX_RING_BYTES;
module_param(max_ring_bytes, ullong, 0644);
MODULE_PARM_DESC(max_ring_bytes,
		 "Most bytes of one sensor ring; at most and by default 256 MiB");

/* The ring size cap: the module parameter, within the core's limit. */
u64 aiot_sensor_max_ring_bytes(void)
{
	return min_t(u64, READ_ONCE(max_ring_bytes), AIOT_SENSOR_MAX_RING_BYTES);
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

	if ((u64)PAGE_ALIGN(bytes) * cfg->slot_count > aiot_sensor_max_ring_bytes())
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

	ring = kzalloc(struct_size(ring, slots, cfg->slot_count),
		       GFP_KERNEL_ACCOUNT);
	if (!ring)
		return NULL;
	ring->size = cfg->ring_bytes;
	/*
	 * Charged to the configuring task's memory cgroup: the ring outlives
	 * the file while mapped. Pages are inserted one by one at fault time,
	 * so the area needs no VM_USERMAP (vmalloc_user() cannot charge).
	 * Its size is the caller's: a failure is its ENOMEM, not a warning.
	 */
	ring->vaddr = __vmalloc(ring->size, GFP_KERNEL_ACCOUNT | __GFP_ZERO |
				__GFP_NOWARN);
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
	mutex_init(&ring->maps_lock);
	for (i = 0; i < ring->count; i++) {
		struct aiot_sensor_slot *slot = &ring->slots[i];

		slot->ring = ring;
		slot->index = i;
		slot->state = AIOT_SLOT_QUEUED;
		dma_resv_init(&slot->resv);
		INIT_LIST_HEAD(&slot->maps);
		list_add_tail(&slot->node, &ring->queued);
	}
	return ring;
}
ALLOW_ERROR_INJECTION(aiot_sensor_ring_alloc, NULL);

AIOT_EXPORT_FOR_KUNIT(aiot_sensor_ring_alloc);

static void aiot_sensor_ring_release(struct kref *ref)
{
	struct aiot_sensor_ring *ring =
		container_of(ref, struct aiot_sensor_ring, ref);
	unsigned int i;

	for (i = 0; i < ring->count; i++) {
		/* Each dma-buf holds the ring: every mapping is gone. */
		WARN_ON(!list_empty(&ring->slots[i].maps));
		dma_fence_put(ring->slots[i].wfence);
		dma_resv_fini(&ring->slots[i].resv);
	}
	mutex_destroy(&ring->maps_lock);
	vfree(ring->vaddr);
	kfree(ring);
}

void aiot_sensor_ring_put(struct aiot_sensor_ring *ring)
{
	if (ring)
		kref_put(&ring->ref, aiot_sensor_ring_release);
}

AIOT_EXPORT_FOR_KUNIT(aiot_sensor_ring_put);

/* Page faults on a mapping of ring memory: vmalloc pages, one at a time. */
vm_fault_t aiot_sensor_fault(struct vm_fault *vmf, void *base, size_t size)
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
