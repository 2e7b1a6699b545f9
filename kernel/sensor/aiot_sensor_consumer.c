// SPDX-License-Identifier: GPL-2.0-only
/*
 * An in-kernel consumer of a stream's filled slots: aiot.ko's standing
 * pipeline (docs/pipeline.md) attaches here, through the file that owns
 * the stream, and is told of every slot the DMA fills, from the DMA's own
 * completion path. aiot.ko takes this with symbol_get(): the two modules
 * load and unload independently.
 */

#include <linux/device.h>
#include <linux/dma-buf.h>
#include <linux/err.h>
#include <linux/export.h>
#include <linux/fcntl.h>
#include <linux/fs.h>

#include "aiot_sensor_priv.h"

/* Under the stream's spinlock, from aiot_sensor_dma_end(). */
void aiot_sensor_consumer_notify(struct aiot_sensor *s,
				 struct aiot_sensor_slot *slot)
{
	struct aiot_sensor_slot_done done = {
		.index = slot->index,
		.flags = slot->flags,
		.sequence = slot->sequence,
		.timestamp_ns = ktime_to_ns(slot->timestamp),
		.dma_done_ns = ktime_to_ns(slot->dma_done),
		.bytesused = slot->bytesused,
	};

	lockdep_assert_held(&s->lock);
	slot->consumer_held = s->consumer->slot_done(s->consumer, &done);
}

/* Under the stream's spinlock. */
static void aiot_sensor_consumer_unhold(struct aiot_sensor *s, u32 index)
{
	u32 i;

	lockdep_assert_held(&s->lock);
	if (!s->ring)
		return;
	for (i = 0; i < s->ring->count; i++)
		if (index == U32_MAX || i == index)
			s->ring->slots[i].consumer_held = false;
}

/*
 * A held slot is not recycled (aiot_sensor_recycle_work()); the next
 * period's DMA start retries the recycling. The spinlock alone: the ring
 * is replaced under it, and the mutex may be held for long (the recycle
 * work, a reconfiguration).
 */
static void aiot_sensor_consumer_release_slot(struct aiot_sensor_consumer *c,
					      u32 index)
{
	struct aiot_sensor *s = c->sensor;

	spin_lock_irq(&s->lock);
	if (index < U32_MAX)
		aiot_sensor_consumer_unhold(s, index);
	spin_unlock_irq(&s->lock);
}

/* The backend is going away (aiot_sensor_unregister()); under @mutex. */
void aiot_sensor_consumer_gone(struct aiot_sensor *s)
{
	lockdep_assert_held(&s->mutex);
	spin_lock_irq(&s->lock);
	if (s->consumer)
		s->consumer->gone(s->consumer);
	spin_unlock_irq(&s->lock);
}

static struct dma_buf *aiot_sensor_consumer_export(struct aiot_sensor_consumer *c,
						   u32 index)
{
	struct aiot_sensor *s = c->sensor;
	struct dma_buf *dmabuf;

	mutex_lock(&s->mutex);
	if (!s->ops)
		dmabuf = ERR_PTR(-ENODEV);
	else if (!s->ring || index >= s->ring->count)
		dmabuf = ERR_PTR(-EINVAL);
	else
		dmabuf = aiot_sensor_slot_export(&s->ring->slots[index],
						 O_RDONLY | O_CLOEXEC);
	mutex_unlock(&s->mutex);
	return dmabuf;
}

static void aiot_sensor_consumer_detach(struct aiot_sensor_consumer *c)
{
	struct aiot_sensor *s = c->sensor;

	mutex_lock(&s->mutex);
	spin_lock_irq(&s->lock);
	if (s->consumer == c) {
		s->consumer = NULL;
		aiot_sensor_consumer_unhold(s, U32_MAX);
	}
	spin_unlock_irq(&s->lock);
	mutex_unlock(&s->mutex);
	c->sensor = NULL;
	put_device(&s->dev);
}

/**
 * aiot_sensor_consumer_attach() - consume a stream's slots in the kernel
 * @owner: a file of a sensor stream, the one that configured it
 * @c: the consumer, with @c->slot_done and @c->gone set
 *
 * The stream must be configured by @owner with the overflow policy
 * OVERWRITE_OLDEST: nobody dequeues the slots, the ring recycles the oldest
 * filled one (never one a reader's fence still holds).
 *
 * Return: 0 (@c's other fields are filled in), -EBADF (not a sensor
 * stream), -EINVAL (not configured, or another overflow policy), -EBUSY
 * (another file owns the stream, or a consumer is attached), -ENODEV.
 */
int aiot_sensor_consumer_attach(struct file *owner,
				struct aiot_sensor_consumer *c)
{
	struct aiot_sensor *s;
	int ret;

	if (owner->f_op != &aiot_sensor_fops)
		return -EBADF;
	s = owner->private_data;
	mutex_lock(&s->mutex);
	ret = aiot_sensor_check_owner(s, owner);
	if (ret)
		goto unlock;
	ret = -EINVAL;
	if (!s->ring || !aiot_sensor_overwrites(s))
		goto unlock;
	ret = -EBUSY;
	if (s->consumer)
		goto unlock;
	get_device(&s->dev);
	c->sensor = s;
	c->slot_count = s->ring->count;
	c->slot_bytes = s->ring->slot_bytes;
	c->export_slot = aiot_sensor_consumer_export;
	c->release_slot = aiot_sensor_consumer_release_slot;
	c->detach = aiot_sensor_consumer_detach;
	spin_lock_irq(&s->lock);
	s->consumer = c;
	spin_unlock_irq(&s->lock);
	ret = 0;
unlock:
	mutex_unlock(&s->mutex);
	return ret;
}
EXPORT_SYMBOL_GPL(aiot_sensor_consumer_attach);
