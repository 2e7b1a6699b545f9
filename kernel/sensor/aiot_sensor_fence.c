// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sensor rings: the write fences armed on their slots.
 */

#include <linux/dma-fence.h>
#include <linux/error-injection.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "aiot_compat.h"
#include "aiot_sensor_priv.h"

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

/*
 * A fence may outlive the stream, its file and its dma-bufs: a sync_file
 * or another driver may keep it for as long as it likes, and calls these
 * ops until then. Each fence holds a reference on this module, so the
 * module cannot be unloaded under it; the reference goes last, in a tail
 * call, once the fence's memory is handed to RCU.
 */
static void aiot_sensor_fence_release(struct dma_fence *fence)
{
	dma_fence_free(fence);
	module_put(THIS_MODULE);
}

static const struct dma_fence_ops aiot_sensor_fence_ops = {
	.get_driver_name = aiot_sensor_fence_driver_name,
	.get_timeline_name = aiot_sensor_fence_timeline_name,
	.release = aiot_sensor_fence_release,
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
	__module_get(THIS_MODULE);
	spin_lock_init(&f->lock);
	dma_fence_init(&f->base, &aiot_sensor_fence_ops, &f->lock, context,
		       seqno);
	return &f->base;
}
ALLOW_ERROR_INJECTION(aiot_sensor_fence_alloc, NULL);

AIOT_EXPORT_FOR_KUNIT(aiot_sensor_fence_alloc);

bool aiot_sensor_fence_is_ours(struct dma_fence *fence)
{
	return fence->ops == &aiot_sensor_fence_ops;
}

AIOT_EXPORT_FOR_KUNIT(aiot_sensor_fence_is_ours);
