/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Internals of the sensor stream core, shared by its files and its KUnit
 * suite. Backends use aiot_sensor.h only.
 */
#ifndef _AIOT_SENSOR_PRIV_H_
#define _AIOT_SENSOR_PRIV_H_

#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "aiot_sensor.h"

/* Limits of a ring, whatever the sensor. */
#define AIOT_SENSOR_MIN_SLOTS		2
#define AIOT_SENSOR_MAX_SLOT_BYTES	(4U << 20)
/*
 * Most bytes of one ring, what AIOT_SENSOR_MAX_SLOTS slots of the largest
 * size take; the module parameter max_ring_bytes may lower it.
 */
#define AIOT_SENSOR_MAX_RING_BYTES	((u64)AIOT_SENSOR_MAX_SLOTS * \
					 AIOT_SENSOR_MAX_SLOT_BYTES)
u64 aiot_sensor_max_ring_bytes(void);
#define AIOT_SENSOR_MIN_PERIOD_US	1000U
#define AIOT_SENSOR_MAX_PERIOD_US	10000000U
/* Most samples in a slot, so that period arithmetic cannot overflow. */
#define AIOT_SENSOR_MAX_SAMPLES		65536U

/*
 * Where a slot is. Transitions (all under aiot_sensor.lock):
 *   QUEUED   -> ACTIVE    the DMA takes it (aiot_sensor_dma_begin)
 *   ACTIVE   -> DONE      the DMA completed (aiot_sensor_dma_end)
 *   DONE     -> USER      DQBUF
 *   USER     -> QUEUED    QBUF (armed with a write fence if streaming)
 *   DONE     -> QUEUED    START (data discarded) or overwrite-oldest
 *   DONE     -> RECYCLING -> QUEUED/DONE  overwrite-oldest, in a work item
 *   DONE     -> READING  read() copies it out, without the mutex
 *   READING  -> QUEUED   read() requeues it
 *   READING  -> USER     read() could not requeue it (a read fence is
 *                        pending): the next read() retries
 */
enum aiot_slot_state {
	AIOT_SLOT_QUEUED,
	AIOT_SLOT_ACTIVE,
	AIOT_SLOT_DONE,
	AIOT_SLOT_USER,
	AIOT_SLOT_RECYCLING,
	AIOT_SLOT_READING,
};

/*
 * How the owner consumes filled slots; the first DQBUF or read() after
 * CONFIGURE chooses, the other one then fails with -EBUSY.
 */
enum aiot_sensor_io {
	AIOT_SENSOR_IO_NONE,
	AIOT_SENSOR_IO_QUEUE,	/* DQBUF/QBUF */
	AIOT_SENSOR_IO_READ,	/* read(): copy and requeue */
};

/**
 * struct aiot_sensor_slot - one slot of a ring
 * @ring: the ring it belongs to
 * @index: its index in the ring
 * @state: &enum aiot_slot_state, under the sensor's lock
 * @node: in the ring's queued or done list, under the sensor's lock
 * @resv: reservation object, shared by every dma-buf exported of the slot
 * @wfence: last write fence armed on it (a reference), or NULL; replaced
 *	only under the sensor's mutex, read under its lock
 * @sequence: period held, valid in DONE and USER
 * @timestamp: capture time of the first sample, valid in DONE and USER
 * @dma_done: time the DMA completed (aiot_sensor_dma_end()), valid in DONE
 *	and USER
 * @bytesused: bytes written by the DMA, valid in DONE and USER
 * @flags: AIOT_SENSOR_BUF_*, valid in DONE and USER
 * @maps: its DMA mappings, one per device, shared by all its dma-bufs;
 *	under the ring's @maps_lock (aiot_sensor_dmabuf.c)
 */
struct aiot_sensor_slot {
	struct aiot_sensor_ring *ring;
	unsigned int index;
	enum aiot_slot_state state;
	struct list_head node;
	struct dma_resv resv;
	struct dma_fence *wfence;
	u64 sequence;
	ktime_t timestamp;
	ktime_t dma_done;
	u32 bytesused;
	u32 flags;
	bool consumer_held;
	struct list_head maps;
};

/**
 * struct aiot_sensor_ring - the memory and slots of a configured stream
 * @ref: held by the stream, each mapping of the ring and each dma-buf
 * @vaddr: the ring's memory (vmalloc_user), @count * @stride bytes
 * @size: bytes at @vaddr
 * @stride: distance between slots, page aligned
 * @slot_bytes: bytes of samples in a full slot
 * @count: number of slots
 * @queued: slots waiting for the DMA, in order
 * @done: filled slots waiting for DQBUF, oldest first
 * @maps_lock: protects the slots' @maps
 * @slots: the slots
 */
struct aiot_sensor_ring {
	struct kref ref;
	void *vaddr;
	size_t size;
	u32 stride;
	u32 slot_bytes;
	u32 count;
	struct list_head queued;
	struct list_head done;
	struct mutex maps_lock;	/* the slots' DMA mappings */
	struct aiot_sensor_slot slots[];
};

/**
 * struct aiot_sensor - one sensor stream
 * @dev: the class device (aiot/sensorN); its refcount owns this struct
 * @cdev: the character device
 * @id: N of sensorN
 * @desc: the sensor's description: points to @desc_copy, the core's own
 *	copy, so that an open file can still use it once the backend (and
 *	its memory) is gone. Its @test_patterns is the backend's, read only
 *	by sysfs, which goes away before the backend does.
 * @desc_copy: the description given to aiot_sensor_register()
 * @name: the sensor's name, @desc_copy.name
 * @ops: the backend's callbacks; NULL once unregistered. Changes under
 *	@mutex and @lock.
 * @running: the backend produces periods (its start() was called and not
 *	yet its stop()). Under @mutex.
 * @priv: the backend's private data
 * @mutex: serializes configuration, start/stop, arming and @owner
 * @lock: the ring's lists and the stream's counters; taken in hardirq
 * @wq: DQBUF and poll wait here
 * @owner: the file that configured the stream, or NULL. Under @mutex.
 * @io: &enum aiot_sensor_io chosen since CONFIGURE. Under @mutex.
 * @ring: the configured ring, or NULL. Under @mutex (and @lock to change).
 * @cfg: the configuration of @ring
 * @streaming: periods are being produced. Changes under both locks.
 * @error: why the stream stopped by itself (-ETIMEDOUT), under @lock
 * @gap: a period was lost since the last filled slot, under @lock
 * @next_seq: sequence of the next period, under @lock
 * @drops: periods lost, cumulative, under @lock
 * @overwritten: of @drops, slots reused by overwrite-oldest, under @lock
 * @recycle_blocked: overwrite-oldest attempts refused because a read fence
 *	was pending, under @lock
 * @bytes_copied: sample bytes read() copied to userspace, cumulative, under
 *	@lock
 * @last_progress: jiffies of the last period the backend produced
 * @fence_context: the dma_fence context of this stream's write fences
 * @fence_seqno: last seqno used, under @mutex
 * @recycle_work: overwrite-oldest re-arming, in process context
 * @watchdog: signals every pending write fence with -ETIMEDOUT if the
 *	backend stops producing periods. A fence signalling path: it takes
 *	@lock only to signal, then @mutex (held across allocations and
 *	dma_resv_lock()) to stop the backend, after the fences signalled.
 * @timeout: jiffies without a period before @watchdog fires
 * @consumer: the in-kernel consumer attached (aiot_sensor_consumer.c), or
 *	NULL. Changes under @mutex and @lock.
 */
struct aiot_sensor {
	struct device dev;
	struct cdev cdev;
	int id;
	const struct aiot_sensor_desc *desc;
	struct aiot_sensor_desc desc_copy;
	char name[AIOT_SENSOR_NAME_LEN];
	const struct aiot_sensor_ops *ops;
	bool running;
	void *priv;
	struct mutex mutex;	/* see above */
	spinlock_t lock;	/* see above */
	wait_queue_head_t wq;
	struct file *owner;
	enum aiot_sensor_io io;
	struct aiot_sensor_ring *ring;
	struct aiot_sensor_config cfg;
	bool streaming;
	bool gap;
	int error;
	u64 next_seq;
	u64 drops;
	u64 overwritten;
	u64 recycle_blocked;
	u64 bytes_copied;
	unsigned long last_progress;
	u64 fence_context;
	u64 fence_seqno;
	struct work_struct recycle_work;
	struct delayed_work watchdog;
	unsigned long timeout;
	struct aiot_sensor_consumer *consumer;
};

static inline struct aiot_sensor *to_aiot_sensor(struct device *dev)
{
	return container_of(dev, struct aiot_sensor, dev);
}

static inline bool aiot_sensor_overwrites(const struct aiot_sensor *s)
{
	return s->cfg.overflow == AIOT_SENSOR_OVERFLOW_OVERWRITE_OLDEST;
}

static inline void *aiot_sensor_slot_vaddr(const struct aiot_sensor_slot *slot)
{
	return slot->ring->vaddr + (size_t)slot->index * slot->ring->stride;
}

/* aiot_sensor_ring.c: layout, memory, mmap of the whole ring. */
int aiot_sensor_layout(const struct aiot_sensor_desc *desc,
		       struct aiot_sensor_config *cfg);
struct aiot_sensor_ring *aiot_sensor_ring_alloc(const struct aiot_sensor_config *cfg);
void aiot_sensor_ring_put(struct aiot_sensor_ring *ring);
int aiot_sensor_ring_mmap(struct aiot_sensor_ring *ring,
			  struct vm_area_struct *vma);
vm_fault_t aiot_sensor_fault(struct vm_fault *vmf, void *base, size_t size);

/* aiot_sensor_fence.c: the slots' write fences. */
struct dma_fence *aiot_sensor_fence_alloc(u64 context, u64 seqno);
bool aiot_sensor_fence_is_ours(struct dma_fence *fence);

/* aiot_sensor_dmabuf.c: a slot exported as a dma-buf. */
struct dma_buf *aiot_sensor_slot_export(struct aiot_sensor_slot *slot,
					int flags);

/* aiot_sensor_slot.c: arming, queueing, recycling, the watchdog. */
int aiot_sensor_slot_arm(struct aiot_sensor *s, struct aiot_sensor_slot *slot,
			 bool fence, bool check_readers);
int aiot_sensor_slot_queue(struct aiot_sensor *s,
			   struct aiot_sensor_slot *slot);
void aiot_sensor_backend_stop(struct aiot_sensor *s);
void aiot_sensor_stop_locked(struct aiot_sensor *s, int err);
void aiot_sensor_recycle_work(struct work_struct *work);
void aiot_sensor_watchdog(struct work_struct *work);

/* aiot_sensor_consumer.c: an in-kernel consumer of filled slots. */
void aiot_sensor_consumer_notify(struct aiot_sensor *s,
				 struct aiot_sensor_slot *slot);
void aiot_sensor_consumer_gone(struct aiot_sensor *s);

/* aiot_sensor_fops.c: the character device. */
extern const struct file_operations aiot_sensor_fops;

/* aiot_sensor_stream.c: the stream operations behind the ioctls. */
int aiot_sensor_check_owner(struct aiot_sensor *s, struct file *owner);
int aiot_sensor_expbuf(struct aiot_sensor *s, struct file *owner,
		       struct aiot_sensor_expbuf *exp);
u32 aiot_sensor_state(struct aiot_sensor *s);
int aiot_sensor_configure(struct aiot_sensor *s, struct file *owner,
			  struct aiot_sensor_config *cfg);
int aiot_sensor_start(struct aiot_sensor *s, struct file *owner);
int aiot_sensor_stop(struct aiot_sensor *s, struct file *owner);
int aiot_sensor_dqbuf(struct aiot_sensor *s, struct file *owner,
		      struct aiot_sensor_buffer *buf, bool nonblock);
int aiot_sensor_qbuf(struct aiot_sensor *s, struct file *owner,
		     const struct aiot_sensor_buffer *buf);
ssize_t aiot_sensor_read_slot(struct aiot_sensor *s, struct file *owner,
			      char __user *ubuf, size_t count, bool nonblock);
int aiot_sensor_release_owner(struct aiot_sensor *s, struct file *owner);
void aiot_sensor_fill_info(struct aiot_sensor *s,
			   struct aiot_sensor_info *info);

#endif /* _AIOT_SENSOR_PRIV_H_ */
