// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sensor streams: one character device per stream (/dev/aiot/sensorN, class
 * "aiot"), with a ring of DMA slots, V4L2/IIO-like queue semantics, write
 * fences and dma-buf export. Backends register through aiot_sensor.h.
 *
 * Locking: the stream's mutex serializes every operation that changes the
 * configuration, the owner, the streaming state or arms a slot (fence
 * allocation and dma_resv locking happen there, in process context). Its
 * spinlock protects the ring's lists and counters and is the only lock the
 * DMA completion path (hardirq) takes; fences are only signalled there.
 * No copy to or from userspace happens under the mutex (mmap() takes it
 * under mmap_lock): read() takes a slot out of the lists (READING) and a
 * reference on the ring, copies without locks, then requeues the slot.
 */

#include <linux/cdev.h>
#include <linux/dma-buf.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "aiot_compat.h"
#include "aiot_sensor_priv.h"

#define AIOT_SENSOR_MAX_DEVICES	256

static dev_t aiot_sensor_devt;
static DEFINE_IDA(aiot_sensor_ida);

static char *aiot_sensor_devnode(AIOT_DEVNODE_CONST struct device *dev,
				 umode_t *mode)
{
	return kasprintf(GFP_KERNEL, "aiot/%s", dev_name(dev));
}

static struct class aiot_sensor_class = {
	.name = "aiot",
	.devnode = aiot_sensor_devnode,
};

static bool aiot_sensor_overwrites(const struct aiot_sensor *s)
{
	return s->cfg.overflow == AIOT_SENSOR_OVERFLOW_OVERWRITE_OLDEST;
}

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
 * Signals the slot's write fence and wakes the readers.
 */
void aiot_sensor_dma_end(struct aiot_sensor *s, struct aiot_sensor_slot *slot,
			 ktime_t timestamp, u32 bytesused, int error)
{
	struct aiot_sensor_ring *ring = slot->ring;
	unsigned long flags;
	bool kick;

	spin_lock_irqsave(&s->lock, flags);
	slot->timestamp = timestamp;
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

/* Arming slots: process context, under the stream's mutex. */

/*
 * Give @slot a new write fence (if @fence) after checking, if @check_readers,
 * that nobody still reads it (no unsignalled fence of usage READ or
 * stronger). Return: 0, -EBUSY if a reader is pending, -ENOMEM, -EINTR.
 */
static int aiot_sensor_slot_arm(struct aiot_sensor *s,
				struct aiot_sensor_slot *slot, bool fence,
				bool check_readers)
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
static int aiot_sensor_slot_queue(struct aiot_sensor *s,
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

/*
 * Stop producing; signal every armed, unfilled slot's fence with @err.
 * Fences of one context signal in seqno order: the queue's order.
 */
static void aiot_sensor_stop_locked(struct aiot_sensor *s, int err)
{
	struct aiot_sensor_slot *slot;

	lockdep_assert_held(&s->mutex);
	if (!s->streaming)
		return;
	if (s->ops)
		s->ops->stop(s);
	spin_lock_irq(&s->lock);
	s->streaming = false;
	list_for_each_entry(slot, &s->ring->queued, node) {
		if (slot->wfence && !dma_fence_is_signaled(slot->wfence)) {
			dma_fence_set_error(slot->wfence, err);
			dma_fence_signal(slot->wfence);
		}
	}
	spin_unlock_irq(&s->lock);
	cancel_delayed_work(&s->watchdog);
	wake_up_interruptible_all(&s->wq);
}

/* Overwrite-oldest: re-arm the oldest filled slot for the next period. */
static void aiot_sensor_recycle_work(struct work_struct *work)
{
	struct aiot_sensor *s = container_of(work, struct aiot_sensor,
					     recycle_work);
	struct aiot_sensor_slot *slot, *next;
	struct aiot_sensor_ring *ring;
	int ret;

	mutex_lock(&s->mutex);
	ring = s->ring;
	if (!s->streaming || !ring || !aiot_sensor_overwrites(s))
		goto out;
	spin_lock_irq(&s->lock);
	slot = list_first_entry_or_null(&ring->done, struct aiot_sensor_slot,
					node);
	if (!list_empty(&ring->queued) || !slot) {
		spin_unlock_irq(&s->lock);
		goto out;
	}
	list_del_init(&slot->node);
	slot->state = AIOT_SLOT_RECYCLING;
	spin_unlock_irq(&s->lock);

	ret = aiot_sensor_slot_arm(s, slot, true, true);

	spin_lock_irq(&s->lock);
	if (ret) {
		/* A reader holds it: keep its data, drop new periods. */
		slot->state = AIOT_SLOT_DONE;
		list_add(&slot->node, &ring->done);
		s->recycle_blocked++;
	} else {
		slot->state = AIOT_SLOT_QUEUED;
		list_add_tail(&slot->node, &ring->queued);
		s->drops++;
		s->overwritten++;
		next = list_first_entry_or_null(&ring->done,
						struct aiot_sensor_slot, node);
		if (next)
			next->flags |= AIOT_SENSOR_BUF_OVERFLOWED;
		else
			s->gap = true;
	}
	spin_unlock_irq(&s->lock);
out:
	mutex_unlock(&s->mutex);
}

/* Bounded time: if the backend stops producing, fail the pending fences. */
static void aiot_sensor_watchdog(struct work_struct *work)
{
	struct aiot_sensor *s = container_of(to_delayed_work(work),
					     struct aiot_sensor, watchdog);
	bool stalled;

	mutex_lock(&s->mutex);
	if (!s->streaming)
		goto out;
	spin_lock_irq(&s->lock);
	stalled = time_after(jiffies, s->last_progress + s->timeout);
	spin_unlock_irq(&s->lock);
	if (stalled) {
		dev_err(&s->dev, "no DMA completion for %u ms: stream stopped\n",
			jiffies_to_msecs(s->timeout));
		/* Before the fences signal: their waiters may look at the state. */
		spin_lock_irq(&s->lock);
		s->error = -ETIMEDOUT;
		spin_unlock_irq(&s->lock);
		aiot_sensor_stop_locked(s, -ETIMEDOUT);
	} else {
		schedule_delayed_work(&s->watchdog, s->timeout / 4 + 1);
	}
out:
	mutex_unlock(&s->mutex);
}

/* The stream operations. */

/* Is @owner allowed to use the configured stream? */
static int aiot_sensor_check_owner(struct aiot_sensor *s, struct file *owner)
{
	lockdep_assert_held(&s->mutex);
	if (!s->ops)
		return -ENODEV;
	if (!s->owner)
		return -EINVAL;		/* not configured */
	if (s->owner != owner)
		return -EBUSY;
	return 0;
}

/* The owner consumes slots with DQBUF/QBUF or with read(), not both. */
static int aiot_sensor_use_io(struct aiot_sensor *s, enum aiot_sensor_io io)
{
	lockdep_assert_held(&s->mutex);
	if (s->io != AIOT_SENSOR_IO_NONE && s->io != io)
		return -EBUSY;
	s->io = io;
	return 0;
}

int aiot_sensor_configure(struct aiot_sensor *s, struct file *owner,
			  struct aiot_sensor_config *cfg)
{
	struct aiot_sensor_ring *ring, *old = NULL;
	int ret;

	ret = aiot_sensor_layout(s->desc, cfg);
	if (ret)
		return ret;

	mutex_lock(&s->mutex);
	ret = -ENODEV;
	if (!s->ops)
		goto unlock;
	ret = -EBUSY;
	if ((s->owner && s->owner != owner) || s->streaming)
		goto unlock;
	/* Mapped or exported: the memory must stay as it is. */
	if (s->ring && kref_read(&s->ring->ref) > 1)
		goto unlock;
	if (s->ops->validate) {
		ret = s->ops->validate(s, cfg);
		if (ret)
			goto unlock;
	}
	ret = -ENOMEM;
	ring = aiot_sensor_ring_alloc(cfg);
	if (!ring)
		goto unlock;
	spin_lock_irq(&s->lock);
	old = s->ring;
	s->ring = ring;
	s->cfg = *cfg;
	s->error = 0;
	spin_unlock_irq(&s->lock);
	s->owner = owner;
	s->io = AIOT_SENSOR_IO_NONE;
	/* Generous: TCG guests run timers late. */
	s->timeout = nsecs_to_jiffies(cfg->period_ns * (cfg->slot_count + 2)) +
		     5 * HZ;
	ret = 0;
unlock:
	mutex_unlock(&s->mutex);
	aiot_sensor_ring_put(old);
	return ret;
}

AIOT_EXPORT_FOR_KUNIT(aiot_sensor_configure);

int aiot_sensor_start(struct aiot_sensor *s, struct file *owner)
{
	struct aiot_sensor_ring *ring;
	struct aiot_sensor_slot *slot;
	int ret;

	mutex_lock(&s->mutex);
	ret = aiot_sensor_check_owner(s, owner);
	if (ret)
		goto unlock;
	ret = -EBUSY;
	if (s->streaming)
		goto unlock;
	ring = s->ring;

	/* Filled slots nobody dequeued go back to the DMA, unless read. */
	list_for_each_entry(slot, &ring->done, node) {
		ret = dma_resv_lock_interruptible(&slot->resv, NULL);
		if (ret)
			goto unlock;
		if (!dma_resv_test_signaled(&slot->resv, DMA_RESV_USAGE_READ))
			ret = -EBUSY;
		dma_resv_unlock(&slot->resv);
		if (ret)
			goto unlock;
	}
	spin_lock_irq(&s->lock);
	list_for_each_entry(slot, &ring->done, node)
		slot->state = AIOT_SLOT_QUEUED;
	list_splice_tail_init(&ring->done, &ring->queued);
	s->next_seq = 0;
	s->gap = false;
	s->error = 0;
	spin_unlock_irq(&s->lock);

	list_for_each_entry(slot, &ring->queued, node) {
		ret = aiot_sensor_slot_arm(s, slot, true, false);
		if (ret)
			goto disarm;
	}

	spin_lock_irq(&s->lock);
	s->streaming = true;
	s->last_progress = jiffies;
	spin_unlock_irq(&s->lock);
	ret = s->ops->start(s, &s->cfg);
	if (ret)
		goto disarm;
	schedule_delayed_work(&s->watchdog, s->timeout / 4 + 1);
	mutex_unlock(&s->mutex);
	return 0;

disarm:
	/* Fences armed so far must still signal. */
	spin_lock_irq(&s->lock);
	s->streaming = false;
	list_for_each_entry(slot, &ring->queued, node) {
		if (slot->wfence && !dma_fence_is_signaled(slot->wfence)) {
			dma_fence_set_error(slot->wfence, -ECANCELED);
			dma_fence_signal(slot->wfence);
		}
	}
	spin_unlock_irq(&s->lock);
unlock:
	mutex_unlock(&s->mutex);
	return ret;
}

AIOT_EXPORT_FOR_KUNIT(aiot_sensor_start);

int aiot_sensor_stop(struct aiot_sensor *s, struct file *owner)
{
	int ret;

	mutex_lock(&s->mutex);
	ret = aiot_sensor_check_owner(s, owner);
	if (!ret) {
		aiot_sensor_stop_locked(s, -ECANCELED);
		s->error = 0;
	}
	mutex_unlock(&s->mutex);
	return ret;
}

AIOT_EXPORT_FOR_KUNIT(aiot_sensor_stop);

static bool aiot_sensor_dq_ready(struct aiot_sensor *s)
{
	bool ready;

	spin_lock_irq(&s->lock);
	ready = !s->streaming || !s->ring || !list_empty(&s->ring->done);
	spin_unlock_irq(&s->lock);
	return ready || !READ_ONCE(s->ops);
}

int aiot_sensor_dqbuf(struct aiot_sensor *s, struct file *owner,
		      struct aiot_sensor_buffer *buf, bool nonblock)
{
	struct aiot_sensor_slot *slot;
	bool streaming;
	int ret, err;

	for (;;) {
		mutex_lock(&s->mutex);
		ret = aiot_sensor_check_owner(s, owner);
		if (!ret)
			ret = aiot_sensor_use_io(s, AIOT_SENSOR_IO_QUEUE);
		if (ret) {
			mutex_unlock(&s->mutex);
			return ret;
		}
		spin_lock_irq(&s->lock);
		slot = list_first_entry_or_null(&s->ring->done,
						struct aiot_sensor_slot, node);
		if (slot) {
			list_del_init(&slot->node);
			slot->state = AIOT_SLOT_USER;
			memset(buf, 0, sizeof(*buf));
			buf->index = slot->index;
			buf->flags = slot->flags;
			buf->sequence = slot->sequence;
			buf->timestamp_ns = ktime_to_ns(slot->timestamp);
			buf->bytesused = slot->bytesused;
			buf->offset = slot->index * s->ring->stride;
		}
		streaming = s->streaming;
		err = s->error;
		spin_unlock_irq(&s->lock);
		mutex_unlock(&s->mutex);

		if (slot)
			return 0;
		if (!streaming)
			return err ? -EIO : -EPIPE;
		if (nonblock)
			return -EAGAIN;
		ret = wait_event_interruptible(s->wq, aiot_sensor_dq_ready(s));
		if (ret)
			return ret;
	}
}

AIOT_EXPORT_FOR_KUNIT(aiot_sensor_dqbuf);

int aiot_sensor_qbuf(struct aiot_sensor *s, struct file *owner,
		     const struct aiot_sensor_buffer *buf)
{
	struct aiot_sensor_slot *slot;
	int ret;

	if (buf->flags || memchr_inv(buf->reserved, 0, sizeof(buf->reserved)))
		return -EINVAL;
	mutex_lock(&s->mutex);
	ret = aiot_sensor_check_owner(s, owner);
	if (!ret)
		ret = aiot_sensor_use_io(s, AIOT_SENSOR_IO_QUEUE);
	if (ret)
		goto unlock;
	ret = -EINVAL;
	if (buf->index >= s->ring->count)
		goto unlock;
	slot = &s->ring->slots[buf->index];
	ret = -EBUSY;
	if (slot->state != AIOT_SLOT_USER)
		goto unlock;
	ret = aiot_sensor_slot_queue(s, slot);
unlock:
	mutex_unlock(&s->mutex);
	return ret;
}

AIOT_EXPORT_FOR_KUNIT(aiot_sensor_qbuf);

/*
 * read(): slots that an earlier read() could not requeue (a reader still
 * held a fence on them) are retried here.
 */
static void aiot_sensor_read_requeue_held(struct aiot_sensor *s)
{
	struct aiot_sensor_ring *ring = s->ring;
	unsigned int i;

	lockdep_assert_held(&s->mutex);
	for (i = 0; i < ring->count; i++) {
		if (READ_ONCE(ring->slots[i].state) == AIOT_SLOT_USER)
			aiot_sensor_slot_queue(s, &ring->slots[i]);
	}
}

/* Take the oldest filled slot for read(), waiting for one if allowed. */
static int aiot_sensor_read_take(struct aiot_sensor *s, struct file *owner,
				 size_t count, bool nonblock,
				 struct aiot_sensor_slot **slotp)
{
	struct aiot_sensor_slot *slot;
	bool streaming;
	int ret, err;

	for (;;) {
		mutex_lock(&s->mutex);
		ret = aiot_sensor_check_owner(s, owner);
		if (!ret && count < s->ring->slot_bytes)
			ret = -EINVAL;	/* whole slots only */
		if (!ret)
			ret = aiot_sensor_use_io(s, AIOT_SENSOR_IO_READ);
		if (ret) {
			mutex_unlock(&s->mutex);
			return ret;
		}
		aiot_sensor_read_requeue_held(s);
		spin_lock_irq(&s->lock);
		slot = list_first_entry_or_null(&s->ring->done,
						struct aiot_sensor_slot, node);
		if (slot) {
			list_del_init(&slot->node);
			slot->state = AIOT_SLOT_READING;
			/* Keeps the memory; CONFIGURE fails while held. */
			kref_get(&slot->ring->ref);
		}
		streaming = s->streaming;
		err = s->error;
		spin_unlock_irq(&s->lock);
		mutex_unlock(&s->mutex);

		if (slot) {
			*slotp = slot;
			return 0;
		}
		if (!streaming)
			return err ? -EIO : -EPIPE;
		if (nonblock)
			return -EAGAIN;
		ret = wait_event_interruptible(s->wq, aiot_sensor_dq_ready(s));
		if (ret)
			return ret;
	}
}

/**
 * aiot_sensor_read_slot() - read(): copy the oldest filled slot out
 * @s: the stream
 * @owner: the file that reads
 * @ubuf: where to copy
 * @count: room at @ubuf, at least one slot
 * @nonblock: fail with -EAGAIN instead of waiting for a slot
 *
 * Copies one whole slot (its bytesused bytes) and requeues it. A slot
 * whose DMA faulted is requeued without a copy and fails with -EIO. On
 * -EFAULT the slot is requeued too: its data is lost.
 *
 * Return: the bytes copied or a negative errno.
 */
ssize_t aiot_sensor_read_slot(struct aiot_sensor *s, struct file *owner,
			      char __user *ubuf, size_t count, bool nonblock)
{
	struct aiot_sensor_slot *slot;
	struct aiot_sensor_ring *ring;
	ssize_t ret;
	u32 len;

	ret = aiot_sensor_read_take(s, owner, count, nonblock, &slot);
	if (ret)
		return ret;
	ring = slot->ring;
	/* READING: nobody else touches the slot's fields or memory. */
	len = slot->bytesused;
	if (slot->flags & AIOT_SENSOR_BUF_ERROR)
		ret = -EIO;
	else if (copy_to_user(ubuf, ring->vaddr + (size_t)slot->index *
			      ring->stride, len))
		ret = -EFAULT;
	else
		ret = len;

	mutex_lock(&s->mutex);
	if (ret > 0) {
		spin_lock_irq(&s->lock);
		s->bytes_copied += len;
		spin_unlock_irq(&s->lock);
	}
	if (s->ring != ring || aiot_sensor_slot_queue(s, slot)) {
		/* A reader holds it: the next read() requeues it. */
		spin_lock_irq(&s->lock);
		slot->state = AIOT_SLOT_USER;
		spin_unlock_irq(&s->lock);
	}
	mutex_unlock(&s->mutex);
	aiot_sensor_ring_put(ring);
	return ret;
}

AIOT_EXPORT_FOR_KUNIT(aiot_sensor_read_slot);

static int aiot_sensor_expbuf(struct aiot_sensor *s, struct file *owner,
			      struct aiot_sensor_expbuf *exp)
{
	struct dma_buf *dmabuf;
	int ret, accmode = exp->flags & O_ACCMODE;

	if (exp->reserved || (exp->flags & ~(O_CLOEXEC | O_ACCMODE)) ||
	    (accmode != O_RDONLY && accmode != O_RDWR))
		return -EINVAL;
	mutex_lock(&s->mutex);
	ret = aiot_sensor_check_owner(s, owner);
	if (!ret && exp->index >= s->ring->count)
		ret = -EINVAL;
	if (ret) {
		mutex_unlock(&s->mutex);
		return ret;
	}
	dmabuf = aiot_sensor_slot_export(&s->ring->slots[exp->index],
					 exp->flags);
	mutex_unlock(&s->mutex);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	ret = dma_buf_fd(dmabuf, exp->flags & O_CLOEXEC);
	if (ret < 0) {
		dma_buf_put(dmabuf);
		return ret;
	}
	exp->fd = ret;
	return 0;
}

/* The owner closed its file: stop and free the ring (mappings keep it). */
int aiot_sensor_release_owner(struct aiot_sensor *s, struct file *owner)
{
	struct aiot_sensor_ring *ring = NULL;

	mutex_lock(&s->mutex);
	if (s->owner == owner) {
		aiot_sensor_stop_locked(s, -ECANCELED);
		spin_lock_irq(&s->lock);
		ring = s->ring;
		s->ring = NULL;
		spin_unlock_irq(&s->lock);
		s->owner = NULL;
		s->io = AIOT_SENSOR_IO_NONE;
	}
	mutex_unlock(&s->mutex);
	aiot_sensor_ring_put(ring);
	return 0;
}

AIOT_EXPORT_FOR_KUNIT(aiot_sensor_release_owner);

static u32 aiot_sensor_state(struct aiot_sensor *s)
{
	if (s->streaming)
		return AIOT_SENSOR_STATE_STREAMING;
	if (s->error)
		return AIOT_SENSOR_STATE_ERROR;
	if (s->ring)
		return AIOT_SENSOR_STATE_STOPPED;
	return AIOT_SENSOR_STATE_UNCONFIGURED;
}

void aiot_sensor_fill_info(struct aiot_sensor *s, struct aiot_sensor_info *info)
{
	const struct aiot_sensor_desc *d = s->desc;

	memset(info, 0, sizeof(*info));
	info->struct_size = sizeof(*info);
	info->uapi_version = AIOT_SENSOR_UAPI_VERSION;
	strscpy(info->name, d->name, sizeof(info->name));
	info->kind = d->kind;
	info->formats = d->formats;
	info->patterns = d->patterns;
	info->min_channels = d->min_channels;
	info->max_channels = d->max_channels;
	info->width = d->width;
	info->height = d->height;
	info->min_rate_hz = d->min_rate_hz;
	info->max_rate_hz = d->max_rate_hz;
	info->max_slots = AIOT_SENSOR_MAX_SLOTS;
	info->max_slot_bytes = AIOT_SENSOR_MAX_SLOT_BYTES;
	info->min_period_us = AIOT_SENSOR_MIN_PERIOD_US;
	info->max_period_us = AIOT_SENSOR_MAX_PERIOD_US;
	info->capabilities = AIOT_SENSOR_CAP_MMAP | AIOT_SENSOR_CAP_DMABUF |
			     AIOT_SENSOR_CAP_OVERWRITE;
	spin_lock_irq(&s->lock);
	info->state = aiot_sensor_state(s);
	info->drops = s->drops;
	info->sequence = s->next_seq;
	info->bytes_copied = s->bytes_copied;
	spin_unlock_irq(&s->lock);
}

AIOT_EXPORT_FOR_KUNIT(aiot_sensor_fill_info);

/* File operations. */

static int aiot_sensor_open(struct inode *inode, struct file *file)
{
	struct aiot_sensor *s = container_of(inode->i_cdev, struct aiot_sensor,
					     cdev);
	bool gone;

	get_device(&s->dev);
	mutex_lock(&s->mutex);
	gone = !s->ops;
	mutex_unlock(&s->mutex);
	if (gone) {
		put_device(&s->dev);
		return -ENODEV;
	}
	file->private_data = s;
	return nonseekable_open(inode, file);
}

static int aiot_sensor_release(struct inode *inode, struct file *file)
{
	struct aiot_sensor *s = file->private_data;

	aiot_sensor_release_owner(s, file);
	put_device(&s->dev);
	return 0;
}

static __poll_t aiot_sensor_poll(struct file *file, poll_table *wait)
{
	struct aiot_sensor *s = file->private_data;
	__poll_t mask = 0;

	poll_wait(file, &s->wq, wait);
	spin_lock_irq(&s->lock);
	if (!READ_ONCE(s->ops))
		mask = EPOLLHUP | EPOLLERR;
	else if (READ_ONCE(s->owner) != file || !s->ring)
		mask = EPOLLERR;
	else if (!list_empty(&s->ring->done))
		mask = EPOLLIN | EPOLLRDNORM;
	else if (!s->streaming)
		mask = EPOLLERR;
	spin_unlock_irq(&s->lock);
	return mask;
}

static ssize_t aiot_sensor_read(struct file *file, char __user *ubuf,
				size_t count, loff_t *ppos)
{
	return aiot_sensor_read_slot(file->private_data, file, ubuf, count,
				     file->f_flags & O_NONBLOCK);
}

static int aiot_sensor_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct aiot_sensor *s = file->private_data;
	int ret;

	mutex_lock(&s->mutex);
	ret = aiot_sensor_check_owner(s, file);
	if (!ret)
		ret = aiot_sensor_ring_mmap(s->ring, vma);
	mutex_unlock(&s->mutex);
	return ret;
}

/*
 * Each ioctl's struct may grow at its end: the kernel accepts any size from
 * the first published one (the size is in the command). Input beyond what
 * the kernel knows must be zero (-E2BIG); output is truncated or
 * zero-extended to the caller's size.
 */
struct aiot_sensor_ioctl_desc {
	unsigned int dir;
	u32 min_size;
	u32 size;
};

/*
 * The first published size of each struct is the one in its command, but
 * for INFO, which has grown since.
 */
#define AIOT_SENSOR_NONE	{ _IOC_NONE, 0, 0 }

static const struct aiot_sensor_ioctl_desc aiot_sensor_ioctls[] = {
	[_IOC_NR(AIOT_SENSOR_IOC_INFO)] = {
		_IOC_DIR(AIOT_SENSOR_IOC_INFO),
		AIOT_SENSOR_INFO_SIZE_V1,
		sizeof(struct aiot_sensor_info) },
	[_IOC_NR(AIOT_SENSOR_IOC_CONFIGURE)] = {
		_IOC_DIR(AIOT_SENSOR_IOC_CONFIGURE),
		_IOC_SIZE(AIOT_SENSOR_IOC_CONFIGURE),
		sizeof(struct aiot_sensor_config) },
	[_IOC_NR(AIOT_SENSOR_IOC_G_CONFIG)] = {
		_IOC_DIR(AIOT_SENSOR_IOC_G_CONFIG),
		_IOC_SIZE(AIOT_SENSOR_IOC_G_CONFIG),
		sizeof(struct aiot_sensor_config) },
	[_IOC_NR(AIOT_SENSOR_IOC_START)] = AIOT_SENSOR_NONE,
	[_IOC_NR(AIOT_SENSOR_IOC_STOP)] = AIOT_SENSOR_NONE,
	[_IOC_NR(AIOT_SENSOR_IOC_DQBUF)] = {
		_IOC_DIR(AIOT_SENSOR_IOC_DQBUF),
		_IOC_SIZE(AIOT_SENSOR_IOC_DQBUF),
		sizeof(struct aiot_sensor_buffer) },
	[_IOC_NR(AIOT_SENSOR_IOC_QBUF)] = {
		_IOC_DIR(AIOT_SENSOR_IOC_QBUF),
		_IOC_SIZE(AIOT_SENSOR_IOC_QBUF),
		sizeof(struct aiot_sensor_buffer) },
	[_IOC_NR(AIOT_SENSOR_IOC_EXPBUF)] = {
		_IOC_DIR(AIOT_SENSOR_IOC_EXPBUF),
		_IOC_SIZE(AIOT_SENSOR_IOC_EXPBUF),
		sizeof(struct aiot_sensor_expbuf) },
};

union aiot_sensor_ioctl_arg {
	struct aiot_sensor_info info;
	struct aiot_sensor_config cfg;
	struct aiot_sensor_buffer buf;
	struct aiot_sensor_expbuf exp;
};

static long aiot_sensor_do_ioctl(struct aiot_sensor *s, struct file *file,
				 unsigned int nr,
				 union aiot_sensor_ioctl_arg *arg)
{
	switch (nr) {
	case _IOC_NR(AIOT_SENSOR_IOC_INFO):
		aiot_sensor_fill_info(s, &arg->info);
		return 0;
	case _IOC_NR(AIOT_SENSOR_IOC_CONFIGURE):
		return aiot_sensor_configure(s, file, &arg->cfg);
	case _IOC_NR(AIOT_SENSOR_IOC_G_CONFIG): {
		int ret;

		mutex_lock(&s->mutex);
		ret = aiot_sensor_check_owner(s, file);
		if (!ret)
			arg->cfg = s->cfg;
		mutex_unlock(&s->mutex);
		return ret;
	}
	case _IOC_NR(AIOT_SENSOR_IOC_START):
		return aiot_sensor_start(s, file);
	case _IOC_NR(AIOT_SENSOR_IOC_STOP):
		return aiot_sensor_stop(s, file);
	case _IOC_NR(AIOT_SENSOR_IOC_DQBUF):
		if (arg->buf.flags ||
		    memchr_inv(arg->buf.reserved, 0, sizeof(arg->buf.reserved)))
			return -EINVAL;
		return aiot_sensor_dqbuf(s, file, &arg->buf,
					 file->f_flags & O_NONBLOCK);
	case _IOC_NR(AIOT_SENSOR_IOC_QBUF):
		return aiot_sensor_qbuf(s, file, &arg->buf);
	case _IOC_NR(AIOT_SENSOR_IOC_EXPBUF):
		return aiot_sensor_expbuf(s, file, &arg->exp);
	}
	return -ENOTTY;
}

static long aiot_sensor_ioctl(struct file *file, unsigned int cmd,
			      unsigned long uarg)
{
	struct aiot_sensor *s = file->private_data;
	const struct aiot_sensor_ioctl_desc *d;
	void __user *uptr = (void __user *)uarg;
	union aiot_sensor_ioctl_arg arg;
	unsigned int nr = _IOC_NR(cmd);
	u32 usize = _IOC_SIZE(cmd);
	long ret;

	if (_IOC_TYPE(cmd) != AIOT_SENSOR_IOC_MAGIC ||
	    nr >= ARRAY_SIZE(aiot_sensor_ioctls))
		return -ENOTTY;
	d = &aiot_sensor_ioctls[nr];
	if (_IOC_DIR(cmd) != d->dir || usize < d->min_size)
		return -ENOTTY;

	memset(&arg, 0, sizeof(arg));
	if (d->dir & _IOC_WRITE) {
		ret = copy_struct_from_user(&arg, d->size, uptr, usize);
		if (ret)
			return ret;
	}
	ret = aiot_sensor_do_ioctl(s, file, nr, &arg);
	if (ret || !(d->dir & _IOC_READ))
		return ret;
	if (copy_to_user(uptr, &arg, min(usize, d->size)))
		return -EFAULT;
	if (usize > d->size && clear_user(uptr + d->size, usize - d->size))
		return -EFAULT;
	return 0;
}

static const struct file_operations aiot_sensor_fops = {
	.owner = THIS_MODULE,
	.open = aiot_sensor_open,
	.release = aiot_sensor_release,
	.read = aiot_sensor_read,
	.poll = aiot_sensor_poll,
	.mmap = aiot_sensor_mmap,
	.unlocked_ioctl = aiot_sensor_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

/* sysfs: /sys/class/aiot/sensorN/ — what udev rules and aiot-info read. */

static ssize_t name_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%s\n", to_aiot_sensor(dev)->desc->name);
}
static DEVICE_ATTR_RO(name);

static ssize_t kind_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	static const char * const kinds[] = {
		[AIOT_SENSOR_KIND_OTHER] = "other",
		[AIOT_SENSOR_KIND_ACCEL] = "accel",
		[AIOT_SENSOR_KIND_MIC] = "mic",
		[AIOT_SENSOR_KIND_CAMERA] = "camera",
	};
	u32 kind = to_aiot_sensor(dev)->desc->kind;

	return sysfs_emit(buf, "%s\n",
			  kind < ARRAY_SIZE(kinds) ? kinds[kind] : "other");
}
static DEVICE_ATTR_RO(kind);

static ssize_t state_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	static const char * const states[] = {
		[AIOT_SENSOR_STATE_UNCONFIGURED] = "unconfigured",
		[AIOT_SENSOR_STATE_STOPPED] = "stopped",
		[AIOT_SENSOR_STATE_STREAMING] = "streaming",
		[AIOT_SENSOR_STATE_ERROR] = "error",
	};
	struct aiot_sensor *s = to_aiot_sensor(dev);
	u32 state;

	spin_lock_irq(&s->lock);
	state = aiot_sensor_state(s);
	spin_unlock_irq(&s->lock);
	return sysfs_emit(buf, "%s\n", states[state]);
}
static DEVICE_ATTR_RO(state);

/* A u64 counter of the stream, read under the lock its writer holds. */
static ssize_t aiot_sensor_counter_show(struct device *dev, char *buf,
					size_t offset)
{
	struct aiot_sensor *s = to_aiot_sensor(dev);
	u64 n;

	spin_lock_irq(&s->lock);
	n = *(u64 *)((char *)s + offset);
	spin_unlock_irq(&s->lock);
	return sysfs_emit(buf, "%llu\n", n);
}

#define AIOT_SENSOR_COUNTER_ATTR(_name, _field)				\
static ssize_t _name##_show(struct device *dev,				\
			    struct device_attribute *attr, char *buf)	\
{									\
	return aiot_sensor_counter_show(dev, buf,			\
					offsetof(struct aiot_sensor, _field)); \
}									\
static DEVICE_ATTR_RO(_name)

AIOT_SENSOR_COUNTER_ATTR(drops, drops);
AIOT_SENSOR_COUNTER_ATTR(overwritten, overwritten);
AIOT_SENSOR_COUNTER_ATTR(bytes_copied, bytes_copied);
AIOT_SENSOR_COUNTER_ATTR(sequence, next_seq);

static struct attribute *aiot_sensor_attrs[] = {
	&dev_attr_name.attr,
	&dev_attr_kind.attr,
	&dev_attr_state.attr,
	&dev_attr_drops.attr,
	&dev_attr_overwritten.attr,
	&dev_attr_sequence.attr,
	&dev_attr_bytes_copied.attr,
	NULL,
};
ATTRIBUTE_GROUPS(aiot_sensor);

/* Registration by backends. */

static void aiot_sensor_dev_release(struct device *dev)
{
	struct aiot_sensor *s = to_aiot_sensor(dev);

	aiot_sensor_ring_put(s->ring);
	mutex_destroy(&s->mutex);
	ida_free(&aiot_sensor_ida, s->id);
	kfree(s);
}

/**
 * aiot_sensor_register() - create the stream device of a sensor backend
 * @parent: the backend's device
 * @desc: static description, must outlive the registration
 * @ops: the backend's callbacks, must outlive the registration
 * @priv: the backend's data, see aiot_sensor_get_drvdata()
 *
 * Return: the stream, or an ERR_PTR().
 */
struct aiot_sensor *aiot_sensor_register(struct device *parent,
					 const struct aiot_sensor_desc *desc,
					 const struct aiot_sensor_ops *ops,
					 void *priv)
{
	struct aiot_sensor *s;
	int id, ret;

	if (!desc || !desc->name || !ops || !ops->start || !ops->stop ||
	    !desc->width || !desc->height || !desc->min_channels ||
	    desc->min_channels > desc->max_channels ||
	    desc->min_rate_hz > desc->max_rate_hz)
		return ERR_PTR(-EINVAL);

	id = ida_alloc_max(&aiot_sensor_ida, AIOT_SENSOR_MAX_DEVICES - 1,
			   GFP_KERNEL);
	if (id < 0)
		return ERR_PTR(id);
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s) {
		ida_free(&aiot_sensor_ida, id);
		return ERR_PTR(-ENOMEM);
	}
	s->id = id;
	s->desc = desc;
	s->ops = ops;
	s->priv = priv;
	mutex_init(&s->mutex);
	spin_lock_init(&s->lock);
	init_waitqueue_head(&s->wq);
	INIT_WORK(&s->recycle_work, aiot_sensor_recycle_work);
	INIT_DELAYED_WORK(&s->watchdog, aiot_sensor_watchdog);
	s->fence_context = dma_fence_context_alloc(1);

	device_initialize(&s->dev);
	s->dev.class = &aiot_sensor_class;
	s->dev.parent = parent;
	s->dev.devt = MKDEV(MAJOR(aiot_sensor_devt), id);
	s->dev.groups = aiot_sensor_groups;
	s->dev.release = aiot_sensor_dev_release;
	ret = dev_set_name(&s->dev, "sensor%d", id);
	if (ret)
		goto err;
	cdev_init(&s->cdev, &aiot_sensor_fops);
	s->cdev.owner = THIS_MODULE;
	ret = cdev_device_add(&s->cdev, &s->dev);
	if (ret)
		goto err;
	return s;
err:
	put_device(&s->dev);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_GPL(aiot_sensor_register);

/**
 * aiot_sensor_unregister() - remove a stream
 * @s: from aiot_sensor_register()
 *
 * Stops the stream (pending write fences signal with -ENODEV). Open files
 * stay valid but fail with -ENODEV; mappings and dma-bufs keep their memory.
 * The backend's callbacks are never called again once this returns.
 */
void aiot_sensor_unregister(struct aiot_sensor *s)
{
	mutex_lock(&s->mutex);
	aiot_sensor_stop_locked(s, -ENODEV);
	spin_lock_irq(&s->lock);
	WRITE_ONCE(s->ops, NULL);
	spin_unlock_irq(&s->lock);
	mutex_unlock(&s->mutex);
	wake_up_interruptible_all(&s->wq);
	cancel_work_sync(&s->recycle_work);
	cancel_delayed_work_sync(&s->watchdog);
	cdev_device_del(&s->cdev, &s->dev);
	put_device(&s->dev);
}
EXPORT_SYMBOL_GPL(aiot_sensor_unregister);

static int __init aiot_sensor_init(void)
{
	int ret;

	ret = alloc_chrdev_region(&aiot_sensor_devt, 0, AIOT_SENSOR_MAX_DEVICES,
				  "aiot-sensor");
	if (ret)
		return ret;
	ret = class_register(&aiot_sensor_class);
	if (ret)
		unregister_chrdev_region(aiot_sensor_devt,
					 AIOT_SENSOR_MAX_DEVICES);
	return ret;
}

static void __exit aiot_sensor_exit(void)
{
	class_unregister(&aiot_sensor_class);
	unregister_chrdev_region(aiot_sensor_devt, AIOT_SENSOR_MAX_DEVICES);
	ida_destroy(&aiot_sensor_ida);
}

module_init(aiot_sensor_init);
module_exit(aiot_sensor_exit);

MODULE_DESCRIPTION("aiot sensor streams: ring of DMA slots shared as dma-bufs");
MODULE_AUTHOR("The aiot authors");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(DMA_BUF);
