// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sensor streams, the slots: arming a slot (its write fence, under the
 * stream's mutex), queueing it for DMA, stopping, recycling the oldest
 * slot when the ring overwrites, and the watchdog that fails pending
 * fences when a backend stops producing.
 */

#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/jiffies.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "aiot_compat.h"
#include "aiot_sensor_priv.h"

/* Arming slots: process context, under the stream's mutex. */

/*
 * Give @slot a new write fence (if @fence) after checking, if @check_readers,
 * that nobody still reads it (no unsignalled fence of usage READ or
 * stronger). Return: 0, -EBUSY if a reader is pending, -ENOMEM, -EINTR.
 */
int aiot_sensor_slot_arm(struct aiot_sensor *s, struct aiot_sensor_slot *slot,
			 bool fence, bool check_readers)
{
	struct dma_fence *f = NULL, *old;
	int ret = 0;

	lockdep_assert_held(&s->mutex);
	if (fence) {
		f = aiot_sensor_fence_alloc(s->fence_context,
					    s->fence_seqno + 1);
		if (!f)
			return -ENOMEM;
	}
	if (f || check_readers) {
		ret = dma_resv_lock_interruptible(&slot->resv, NULL);
		if (ret)
			goto put;
		if (check_readers &&
		    !dma_resv_test_signaled(&slot->resv, DMA_RESV_USAGE_READ))
			ret = -EBUSY;
		if (!ret && f)
			ret = dma_resv_reserve_fences(&slot->resv, 1);
		if (!ret && f) {
			s->fence_seqno++;
			dma_resv_add_fence(&slot->resv, f, DMA_RESV_USAGE_WRITE);
		}
		dma_resv_unlock(&slot->resv);
		if (ret)
			goto put;
	}
	spin_lock_irq(&s->lock);
	old = slot->wfence;
	slot->wfence = f;
	spin_unlock_irq(&s->lock);
	dma_fence_put(old);
	return 0;
put:
	dma_fence_put(f);
	return ret;
}

/* Arm a slot that is in no list and append it to the DMA queue. */
int aiot_sensor_slot_queue(struct aiot_sensor *s,
			   struct aiot_sensor_slot *slot)
{
	int ret = aiot_sensor_slot_arm(s, slot, s->streaming, true);

	if (ret)
		return ret;
	spin_lock_irq(&s->lock);
	slot->state = AIOT_SLOT_QUEUED;
	list_add_tail(&slot->node, &slot->ring->queued);
	spin_unlock_irq(&s->lock);
	return 0;
}

/* Stop the backend if it runs. Under the mutex, process context. */
void aiot_sensor_backend_stop(struct aiot_sensor *s)
{
	lockdep_assert_held(&s->mutex);
	if (s->running && s->ops)
		s->ops->stop(s);
	s->running = false;
}

/*
 * Signal every armed, unfilled slot's fence with @err and stop streaming.
 * Fences of one context signal in seqno order: the queue's order. Under
 * the lock only: the watchdog calls it in its fence signalling section.
 */
static void aiot_sensor_fail_queued(struct aiot_sensor *s, int err)
{
	struct aiot_sensor_slot *slot;

	lockdep_assert_held(&s->lock);
	s->streaming = false;
	if (!s->ring)
		return;
	list_for_each_entry(slot, &s->ring->queued, node) {
		if (slot->wfence && !dma_fence_is_signaled(slot->wfence)) {
			dma_fence_set_error(slot->wfence, err);
			dma_fence_signal(slot->wfence);
		}
	}
}

/*
 * Stop producing; signal every armed, unfilled slot's fence with @err.
 */
void aiot_sensor_stop_locked(struct aiot_sensor *s, int err)
{
	lockdep_assert_held(&s->mutex);
	aiot_sensor_backend_stop(s);
	if (!s->streaming)
		return;
	spin_lock_irq(&s->lock);
	aiot_sensor_fail_queued(s, err);
	spin_unlock_irq(&s->lock);
	cancel_delayed_work(&s->watchdog);
	wake_up_interruptible_all(&s->wq);
}

/*
 * Overwrite-oldest: re-arm the oldest filled slot for the next period. A
 * slot a reader's fence holds is left alone, with its data. Without an
 * in-kernel consumer that blocks the ring (new periods are dropped: a
 * dequeuing reader gets the periods in order). With one (a standing
 * pipeline) nobody dequeues: the next oldest filled slot nobody holds is
 * taken instead, so a job that reads one slot for long (a hung front end)
 * does not stop the stream while its chain skips and counts the periods.
 */
void aiot_sensor_recycle_work(struct work_struct *work)
{
	struct aiot_sensor *s = container_of(work, struct aiot_sensor,
					     recycle_work);
	struct aiot_sensor_slot *slot, *next;
	struct aiot_sensor_ring *ring;
	struct list_head *pos;
	bool skip;
	int ret;

	mutex_lock(&s->mutex);
	ring = s->ring;
	if (!s->streaming || !ring || !aiot_sensor_overwrites(s))
		goto out;
	/*
	 * Under the mutex nothing leaves the done list but through us, and
	 * the DMA path only appends to it: @pos stays in the list.
	 */
	pos = &ring->done;
	for (;;) {
		spin_lock_irq(&s->lock);
		skip = s->consumer;
		if (!list_empty(&ring->queued) || list_is_last(pos, &ring->done)) {
			if (pos != &ring->done)
				s->recycle_blocked++;
			spin_unlock_irq(&s->lock);
			goto out;
		}
		slot = list_entry(pos->next, struct aiot_sensor_slot, node);
		if (slot->consumer_held) {
			/* The consumer has yet to fence it: keep its data. */
			if (!skip) {
				s->recycle_blocked++;
				spin_unlock_irq(&s->lock);
				goto out;
			}
			pos = &slot->node;
			spin_unlock_irq(&s->lock);
			continue;
		}
		list_del_init(&slot->node);
		slot->state = AIOT_SLOT_RECYCLING;
		spin_unlock_irq(&s->lock);

		ret = aiot_sensor_slot_arm(s, slot, true, true);

		spin_lock_irq(&s->lock);
		if (ret) {
			/* A reader holds it: keep its data, in its place. */
			slot->state = AIOT_SLOT_DONE;
			list_add(&slot->node, pos);
			if (ret == -EBUSY && skip) {
				pos = &slot->node;
				spin_unlock_irq(&s->lock);
				continue;
			}
			s->recycle_blocked++;
			spin_unlock_irq(&s->lock);
			goto out;
		}
		slot->state = AIOT_SLOT_QUEUED;
		list_add_tail(&slot->node, &ring->queued);
		s->drops++;
		s->overwritten++;
		/* The period after the overwritten one marks the gap. */
		if (!list_is_last(pos, &ring->done)) {
			next = list_entry(pos->next, struct aiot_sensor_slot,
					  node);
			next->flags |= AIOT_SENSOR_BUF_OVERFLOWED;
		} else {
			s->gap = true;
		}
		spin_unlock_irq(&s->lock);
		break;
	}
out:
	mutex_unlock(&s->mutex);
}

/*
 * Bounded time: if the backend stops producing, fail the pending fences.
 * The fences other drivers wait for depend on this work, so by the DMA
 * fence rules it signals them under the spinlock alone: the mutex is held
 * across allocations and dma_resv_lock(), which may wait for fences. The
 * backend is stopped afterwards, under the mutex, outside that section.
 */
void aiot_sensor_watchdog(struct work_struct *work)
{
	struct aiot_sensor *s = container_of(to_delayed_work(work),
					     struct aiot_sensor, watchdog);
	bool stalled = false, cookie;

	cookie = dma_fence_begin_signalling();
	spin_lock_irq(&s->lock);
	if (s->streaming) {
		stalled = time_after(jiffies, s->last_progress + s->timeout);
		if (stalled) {
			/* Before the fences: their waiters may read it. */
			s->error = -ETIMEDOUT;
			aiot_sensor_fail_queued(s, -ETIMEDOUT);
		} else {
			/* Under the lock: stop_locked() cancels after it. */
			queue_delayed_work(system_freezable_wq,
					   &s->watchdog, s->timeout / 4 + 1);
		}
	}
	spin_unlock_irq(&s->lock);
	dma_fence_end_signalling(cookie);
	if (!stalled)
		return;

	dev_err(&s->dev, "no DMA completion for %u ms: stream stopped\n",
		jiffies_to_msecs(s->timeout));
	wake_up_interruptible_all(&s->wq);
	mutex_lock(&s->mutex);
	/* Unless a STOP, START or unregister came in between. */
	if (!s->streaming)
		aiot_sensor_backend_stop(s);
	mutex_unlock(&s->mutex);
}
