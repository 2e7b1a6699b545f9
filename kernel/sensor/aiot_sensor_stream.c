// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sensor streams, the operations on a stream: configure, start, stop,
 * DQBUF/QBUF, read(), export of a slot, release by its owner and the
 * info snapshot. Every ioctl and sysfs attribute ends up here.
 */

#include <linux/dma-buf.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "aiot_compat.h"
#include "aiot_sensor_priv.h"

/* The stream operations. */

/* Is @owner allowed to use the configured stream? */
int aiot_sensor_check_owner(struct aiot_sensor *s, struct file *owner)
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

	mutex_lock(&s->mutex);
	ret = -ENODEV;
	if (!s->ops)
		goto unlock;
	ret = aiot_sensor_layout(s->desc, cfg);
	if (ret)
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
	/* The watchdog failed the stream but has not stopped the backend. */
	aiot_sensor_backend_stop(s);

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

	/*
	 * Queued slots too may have readers (a job that imported one while
	 * the stream was stopped): the DMA must not overwrite what they read.
	 */
	list_for_each_entry(slot, &ring->queued, node) {
		ret = aiot_sensor_slot_arm(s, slot, true, true);
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
	s->running = true;
	/*
	 * Freezable: it does not run while the system sleeps (the backend
	 * paused, see aiot_sensor_dma_skip()), only after devices resumed.
	 */
	queue_delayed_work(system_freezable_wq, &s->watchdog,
			   s->timeout / 4 + 1);
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
			buf->dma_done_ns = ktime_to_ns(slot->dma_done);
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

	if (buf->flags || buf->reserved)
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

int aiot_sensor_expbuf(struct aiot_sensor *s, struct file *owner,
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

u32 aiot_sensor_state(struct aiot_sensor *s)
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
	info->max_ring_bytes = aiot_sensor_max_ring_bytes();
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
