// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sensor streams, the DMA side: what a backend calls, per period, from any
 * context (hardirq included) to learn where to write and to hand the slot
 * back. Only the stream's spinlock is taken here; fences are signalled here.
 */

#include <linux/dma-fence.h>
#include <linux/export.h>
#include <linux/spinlock.h>

#include "aiot_compat.h"
#include "aiot_sensor_priv.h"

/* The DMA side, called by backends from any context. */

/**
 * aiot_sensor_dma_begin() - take the next queued slot for a period's DMA
 * @s: the stream
 * @sequence: out: the period's sequence number (counted even when dropped)
 * @vaddr: out: where to write the period's samples, ring->slot_bytes long
 *
 * Every period the backend produces goes through here (or through
 * aiot_sensor_dma_skip()), so that sequence numbers count periods.
 *
 * Return: the slot to pass to aiot_sensor_dma_end(), or NULL if no slot is
 * queued (the period is dropped and counted) or the stream is stopped.
 */
struct aiot_sensor_slot *aiot_sensor_dma_begin(struct aiot_sensor *s,
					       u64 *sequence, void **vaddr)
{
	struct aiot_sensor_slot *slot = NULL;
	struct aiot_sensor_ring *ring;
	unsigned long flags;
	bool kick = false;

	spin_lock_irqsave(&s->lock, flags);
	ring = s->ring;
	*sequence = s->next_seq;
	if (!s->streaming || !ring)
		goto out;
	s->next_seq++;
	s->last_progress = jiffies;
	slot = list_first_entry_or_null(&ring->queued, struct aiot_sensor_slot,
					node);
	if (slot) {
		list_del_init(&slot->node);
		slot->state = AIOT_SLOT_ACTIVE;
		slot->sequence = *sequence;
		*vaddr = ring->vaddr + (size_t)slot->index * ring->stride;
	} else {
		s->drops++;
		s->gap = true;
		kick = aiot_sensor_overwrites(s);
	}
out:
	spin_unlock_irqrestore(&s->lock, flags);
	if (kick)
		queue_work(system_highpri_wq, &s->recycle_work);
	return slot;
}
EXPORT_SYMBOL_GPL(aiot_sensor_dma_begin);

/**
 * aiot_sensor_dma_end() - a period's DMA into a slot has completed
 * @s: the stream
 * @slot: from aiot_sensor_dma_begin()
 * @timestamp: CLOCK_MONOTONIC time of the period's first sample
 * @bytesused: bytes written
 * @error: 0, or the DMA's error (the slot is flagged and its write fence
 *	signalled with the error)
 *
 * Records the completion time (the slot's DMA-done timestamp; @timestamp,
 * a sample already written, is earlier), signals the slot's write fence and wakes the readers.
 */
void aiot_sensor_dma_end(struct aiot_sensor *s, struct aiot_sensor_slot *slot,
			 ktime_t timestamp, u32 bytesused, int error)
{
	struct aiot_sensor_ring *ring = slot->ring;
	unsigned long flags;
	bool kick;

	spin_lock_irqsave(&s->lock, flags);
	slot->timestamp = timestamp;
	/* Taken right before the fence signals: what a queued job waits for. */
	slot->dma_done = ktime_get();
	slot->bytesused = min(bytesused, ring->slot_bytes);
	slot->flags = error ? AIOT_SENSOR_BUF_ERROR : 0;
	if (s->gap)
		slot->flags |= AIOT_SENSOR_BUF_OVERFLOWED;
	s->gap = false;
	slot->state = AIOT_SLOT_DONE;
	list_add_tail(&slot->node, &ring->done);
	/*
	 * Signalled under the lock, after the slot is DONE: a reader that sees
	 * the fence signalled can dequeue the slot. The fence's callbacks
	 * (dma-buf poll, sync_file, schedulers) never call back into us.
	 */
	if (slot->wfence) {
		if (error)
			dma_fence_set_error(slot->wfence, error);
		dma_fence_signal(slot->wfence);
	}
	kick = s->streaming && aiot_sensor_overwrites(s) &&
	       list_empty(&ring->queued);
	if (s->consumer)
		aiot_sensor_consumer_notify(s, slot);
	spin_unlock_irqrestore(&s->lock, flags);

	wake_up_interruptible(&s->wq);
	if (kick)
		queue_work(system_highpri_wq, &s->recycle_work);
}
EXPORT_SYMBOL_GPL(aiot_sensor_dma_end);

/**
 * aiot_sensor_dma_skip() - periods the backend could not produce at all
 * @s: the stream
 * @periods: how many; counted as drops
 */
void aiot_sensor_dma_skip(struct aiot_sensor *s, u64 periods)
{
	unsigned long flags;

	spin_lock_irqsave(&s->lock, flags);
	if (s->streaming && periods) {
		s->next_seq += periods;
		s->drops += periods;
		s->gap = true;
		s->last_progress = jiffies;
	}
	spin_unlock_irqrestore(&s->lock, flags);
}
EXPORT_SYMBOL_GPL(aiot_sensor_dma_skip);

void *aiot_sensor_get_drvdata(struct aiot_sensor *s)
{
	return s->priv;
}
EXPORT_SYMBOL_GPL(aiot_sensor_get_drvdata);
