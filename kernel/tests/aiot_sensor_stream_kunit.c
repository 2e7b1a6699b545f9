// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: a sensor stream's queue: ownership and state, both overflow
 * policies, slots being read by a job, and read().
 */

#include <kunit/test.h>
#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/mman.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "aiot_sensor_kunit.h"

static void stream_ownership_and_state(struct kunit *test)
{
	struct kunit_stream *t = test->priv;
	struct aiot_sensor_config c = kstream_cfg();
	struct aiot_sensor_buffer b;
	struct aiot_sensor_info info;
	struct file *other = (struct file *)((char *)t->owner + 1);

	KUNIT_EXPECT_EQ(test, aiot_sensor_start(t->s, t->owner), -EINVAL);
	KUNIT_EXPECT_EQ(test, aiot_sensor_dqbuf(t->s, t->owner, &b, true),
			-EINVAL);
	kstream_configure(test, 4, 0);
	KUNIT_EXPECT_EQ(test, aiot_sensor_configure(t->s, other, &c), -EBUSY);
	KUNIT_EXPECT_EQ(test, aiot_sensor_start(t->s, other), -EBUSY);
	KUNIT_EXPECT_EQ(test, aiot_sensor_dqbuf(t->s, t->owner, &b, true),
			-EPIPE);
	aiot_sensor_fill_info(t->s, &info);
	KUNIT_EXPECT_EQ(test, info.state, AIOT_SENSOR_STATE_STOPPED);
	KUNIT_EXPECT_STREQ(test, info.name, "kunit-accel");
	KUNIT_ASSERT_EQ(test, aiot_sensor_start(t->s, t->owner), 0);
	KUNIT_EXPECT_EQ(test, t->starts, 1);
	KUNIT_EXPECT_EQ(test, aiot_sensor_start(t->s, t->owner), -EBUSY);
	KUNIT_EXPECT_EQ(test, aiot_sensor_configure(t->s, t->owner, &c), -EBUSY);
	KUNIT_EXPECT_EQ(test, aiot_sensor_dqbuf(t->s, t->owner, &b, true),
			-EAGAIN);
	aiot_sensor_fill_info(t->s, &info);
	KUNIT_EXPECT_EQ(test, info.state, AIOT_SENSOR_STATE_STREAMING);
	KUNIT_EXPECT_EQ(test, aiot_sensor_stop(t->s, t->owner), 0);
	KUNIT_EXPECT_EQ(test, t->stops, 1);
	/* Stopping a stopped stream is fine, and does not call the backend. */
	KUNIT_EXPECT_EQ(test, aiot_sensor_stop(t->s, t->owner), 0);
	KUNIT_EXPECT_EQ(test, t->stops, 1);
	/* The owner gone, another file may take the stream. */
	aiot_sensor_release_owner(t->s, t->owner);
	aiot_sensor_fill_info(t->s, &info);
	KUNIT_EXPECT_EQ(test, info.state, AIOT_SENSOR_STATE_UNCONFIGURED);
	KUNIT_EXPECT_EQ(test, aiot_sensor_configure(t->s, other, &c), 0);
	aiot_sensor_release_owner(t->s, other);
}

static void drop_newest_counts_and_flags(struct kunit *test)
{
	struct kunit_stream *t = test->priv;
	struct aiot_sensor_buffer b;
	int i;

	kstream_configure(test, 4, AIOT_SENSOR_OVERFLOW_DROP_NEWEST);
	/* Not streaming: the DMA gets nothing, nothing is counted. */
	KUNIT_EXPECT_EQ(test, kstream_produce(test, 0), -1);
	KUNIT_EXPECT_EQ(test, kstream_drops(test), 0);
	KUNIT_ASSERT_EQ(test, aiot_sensor_start(t->s, t->owner), 0);
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ(test, kstream_produce(test, 0), i);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(test, kstream_produce(test, 0), -1);
	KUNIT_EXPECT_EQ(test, kstream_drops(test), 3);

	b = kstream_dequeue(test);
	KUNIT_EXPECT_EQ(test, b.index, 0);
	KUNIT_EXPECT_EQ(test, b.sequence, 0);
	KUNIT_EXPECT_EQ(test, b.flags, 0);
	KUNIT_EXPECT_EQ(test, b.timestamp_ns, 1000);
	KUNIT_EXPECT_EQ(test, b.bytesused, 60);
	KUNIT_EXPECT_EQ(test, b.offset, 0);
	kstream_requeue(test, b.index);
	/* Sequence 7: periods 4..6 were lost, and the slot says so. */
	KUNIT_EXPECT_EQ(test, kstream_produce(test, 0), 0);
	for (i = 1; i < 4; i++) {
		b = kstream_dequeue(test);
		KUNIT_EXPECT_EQ(test, b.sequence, i);
		KUNIT_EXPECT_EQ(test, b.flags, 0);
		KUNIT_EXPECT_EQ(test, b.offset, i * PAGE_SIZE);
	}
	b = kstream_dequeue(test);
	KUNIT_EXPECT_EQ(test, b.index, 0);
	KUNIT_EXPECT_EQ(test, b.sequence, 7);
	KUNIT_EXPECT_EQ(test, b.flags, AIOT_SENSOR_BUF_OVERFLOWED);
	KUNIT_EXPECT_EQ(test, b.timestamp_ns, 1007);
	KUNIT_EXPECT_EQ(test, ((u8 *)t->s->ring->vaddr)[0], 7);
	/* Skipped periods count too. */
	aiot_sensor_dma_skip(t->s, 5);
	KUNIT_EXPECT_EQ(test, kstream_drops(test), 8);
	kstream_requeue(test, 0);
	KUNIT_EXPECT_EQ(test, kstream_produce(test, 0), 0);
	b = kstream_dequeue(test);
	KUNIT_EXPECT_EQ(test, b.sequence, 13);
	KUNIT_EXPECT_EQ(test, b.flags, AIOT_SENSOR_BUF_OVERFLOWED);
	/* QBUF only takes back what the user holds. */
	kstream_requeue(test, 0);
	memset(&b, 0, sizeof(b));
	KUNIT_EXPECT_EQ(test, aiot_sensor_qbuf(t->s, t->owner, &b), -EBUSY);
	b.index = 4;
	KUNIT_EXPECT_EQ(test, aiot_sensor_qbuf(t->s, t->owner, &b), -EINVAL);
}

static void restart_resets_sequence(struct kunit *test)
{
	struct kunit_stream *t = test->priv;
	struct aiot_sensor_buffer b;

	kstream_configure(test, 2, 0);
	KUNIT_ASSERT_EQ(test, aiot_sensor_start(t->s, t->owner), 0);
	KUNIT_EXPECT_EQ(test, kstream_produce(test, 0), 0);
	KUNIT_EXPECT_EQ(test, kstream_produce(test, 0), 1);
	KUNIT_EXPECT_EQ(test, kstream_produce(test, 0), -1);
	KUNIT_ASSERT_EQ(test, aiot_sensor_stop(t->s, t->owner), 0);
	/* Filled slots can still be dequeued after the stop... */
	b = kstream_dequeue(test);
	KUNIT_EXPECT_EQ(test, b.sequence, 0);
	kstream_requeue(test, b.index);
	/* ...and the undequeued one goes back to the DMA at the next start. */
	KUNIT_ASSERT_EQ(test, aiot_sensor_start(t->s, t->owner), 0);
	KUNIT_EXPECT_EQ(test, kstream_produce(test, 0), 0);
	KUNIT_EXPECT_EQ(test, kstream_produce(test, 0), 1);
	b = kstream_dequeue(test);
	KUNIT_EXPECT_EQ(test, b.sequence, 0);
	KUNIT_EXPECT_EQ(test, b.flags, 0);
	KUNIT_EXPECT_EQ(test, kstream_drops(test), 1);
}

static void overwrite_oldest_recycles(struct kunit *test)
{
	struct kunit_stream *t = test->priv;
	struct aiot_sensor_buffer b;

	kstream_configure(test, 3, AIOT_SENSOR_OVERFLOW_OVERWRITE_OLDEST);
	KUNIT_ASSERT_EQ(test, aiot_sensor_start(t->s, t->owner), 0);
	KUNIT_EXPECT_EQ(test, kstream_produce(test, 0), 0);
	KUNIT_EXPECT_EQ(test, kstream_produce(test, 0), 1);
	KUNIT_EXPECT_EQ(test, kstream_produce(test, 0), 2);
	/* The queue ran dry: the oldest filled slot is re-armed. */
	flush_work(&t->s->recycle_work);
	KUNIT_EXPECT_EQ(test, t->s->ring->slots[0].state, AIOT_SLOT_QUEUED);
	KUNIT_EXPECT_EQ(test, kstream_drops(test), 1);
	KUNIT_EXPECT_EQ(test, t->s->overwritten, 1);
	KUNIT_EXPECT_EQ(test, kstream_produce(test, 0), 0);
	flush_work(&t->s->recycle_work);
	KUNIT_EXPECT_EQ(test, kstream_produce(test, 0), 1);
	flush_work(&t->s->recycle_work);
	/* Slot 2 (period 2) was recycled too: 3 and 4 survive, in order. */
	b = kstream_dequeue(test);
	KUNIT_EXPECT_EQ(test, b.sequence, 3);
	KUNIT_EXPECT_EQ(test, b.flags, AIOT_SENSOR_BUF_OVERFLOWED);
	b = kstream_dequeue(test);
	KUNIT_EXPECT_EQ(test, b.sequence, 4);
	KUNIT_EXPECT_EQ(test, kstream_drops(test), 3);
	/* Every period is dequeued, still filled, or counted. */
	KUNIT_EXPECT_EQ(test, t->s->next_seq, 5);
}

/* A fence that stands for an accelerator job reading the slot. */
struct reader_fence {
	struct dma_fence base;
	spinlock_t lock;	/* the fence's lock */
};

static const char *reader_name(struct dma_fence *f)
{
	return "kunit-reader";
}

static const struct dma_fence_ops reader_ops = {
	.get_driver_name = reader_name,
	.get_timeline_name = reader_name,
};

static struct dma_fence *add_reader(struct kunit *test,
				    struct aiot_sensor_slot *slot)
{
	struct reader_fence *f = kzalloc(sizeof(*f), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, f);
	spin_lock_init(&f->lock);
	dma_fence_init(&f->base, &reader_ops, &f->lock,
		       dma_fence_context_alloc(1), 1);
	KUNIT_ASSERT_EQ(test, dma_resv_lock(&slot->resv, NULL), 0);
	KUNIT_ASSERT_EQ(test, dma_resv_reserve_fences(&slot->resv, 1), 0);
	dma_resv_add_fence(&slot->resv, &f->base, DMA_RESV_USAGE_READ);
	dma_resv_unlock(&slot->resv);
	return &f->base;
}

static void overwrite_spares_slot_being_read(struct kunit *test)
{
	struct kunit_stream *t = test->priv;
	struct aiot_sensor_buffer b;
	struct dma_fence *reader;

	kstream_configure(test, 2, AIOT_SENSOR_OVERFLOW_OVERWRITE_OLDEST);
	KUNIT_ASSERT_EQ(test, aiot_sensor_start(t->s, t->owner), 0);
	reader = add_reader(test, &t->s->ring->slots[0]);
	KUNIT_EXPECT_EQ(test, kstream_produce(test, 0), 0);
	KUNIT_EXPECT_EQ(test, kstream_produce(test, 0), 1);
	flush_work(&t->s->recycle_work);
	/* Slot 0 is being read: not recycled, the new period is dropped. */
	KUNIT_EXPECT_EQ(test, t->s->ring->slots[0].state, AIOT_SLOT_DONE);
	KUNIT_EXPECT_EQ(test, t->s->recycle_blocked, 1);
	KUNIT_EXPECT_EQ(test, kstream_produce(test, 0), -1);
	flush_work(&t->s->recycle_work);
	KUNIT_EXPECT_EQ(test, t->s->overwritten, 0);
	KUNIT_EXPECT_EQ(test, kstream_drops(test), 1);
	KUNIT_EXPECT_EQ(test, ((u8 *)t->s->ring->vaddr)[0], 0);
	/* The reader done, the slot is recycled at the next shortage. */
	dma_fence_signal(reader);
	dma_fence_put(reader);
	KUNIT_EXPECT_EQ(test, kstream_produce(test, 0), -1);
	flush_work(&t->s->recycle_work);
	KUNIT_EXPECT_EQ(test, t->s->overwritten, 1);
	KUNIT_EXPECT_EQ(test, kstream_drops(test), 3);
	/*
	 * Period 4 fills slot 0 and leaves nothing queued: the work re-arms
	 * the oldest filled slot (period 1) at once, for period 5. Wait for
	 * it, or it races with the dequeues below.
	 */
	KUNIT_EXPECT_EQ(test, kstream_produce(test, 0), 0);
	flush_work(&t->s->recycle_work);
	KUNIT_EXPECT_EQ(test, t->s->overwritten, 2);
	KUNIT_EXPECT_EQ(test, t->s->ring->slots[1].state, AIOT_SLOT_QUEUED);
	b = kstream_dequeue(test);
	KUNIT_EXPECT_EQ(test, b.sequence, 4);
	KUNIT_EXPECT_EQ(test, b.flags, AIOT_SENSOR_BUF_OVERFLOWED);
	KUNIT_EXPECT_EQ(test, kstream_drops(test), 4);
}

static void qbuf_waits_for_readers(struct kunit *test)
{
	struct kunit_stream *t = test->priv;
	struct aiot_sensor_buffer b;
	struct dma_fence *reader;

	kstream_configure(test, 2, 0);
	KUNIT_ASSERT_EQ(test, aiot_sensor_start(t->s, t->owner), 0);
	KUNIT_EXPECT_EQ(test, kstream_produce(test, 0), 0);
	b = kstream_dequeue(test);
	reader = add_reader(test, &t->s->ring->slots[b.index]);
	KUNIT_EXPECT_EQ(test, aiot_sensor_qbuf(t->s, t->owner, &b), -EBUSY);
	KUNIT_EXPECT_EQ(test, t->s->ring->slots[b.index].state, AIOT_SLOT_USER);
	dma_fence_signal(reader);
	dma_fence_put(reader);
	KUNIT_EXPECT_EQ(test, aiot_sensor_qbuf(t->s, t->owner, &b), 0);
}

static u64 bytes_copied(struct kunit *test)
{
	struct kunit_stream *t = test->priv;
	struct aiot_sensor_info info;

	aiot_sensor_fill_info(t->s, &info);
	return info.bytes_copied;
}

/* read(): one whole slot per call, requeued; not mixed with DQBUF. */
static void read_copies_and_requeues(struct kunit *test)
{
	struct kunit_stream *t = test->priv;
	struct aiot_sensor_buffer b = { };
	unsigned long user;
	char __user *ubuf;
	u64 copied0;
	u8 got[60];
	int idx;

	user = kunit_vm_mmap(test, NULL, 0, PAGE_SIZE, PROT_READ | PROT_WRITE,
			     MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(user));
	ubuf = (char __user *)user;
	KUNIT_EXPECT_EQ(test, aiot_sensor_read_slot(t->s, t->owner, ubuf, 60,
						    true), -EINVAL);
	kstream_configure(test, 2, 0);
	copied0 = bytes_copied(test);
	/* Stopped, nothing filled; then a short buffer. */
	KUNIT_EXPECT_EQ(test, aiot_sensor_read_slot(t->s, t->owner, ubuf, 60,
						    true), -EPIPE);
	KUNIT_ASSERT_EQ(test, aiot_sensor_start(t->s, t->owner), 0);
	KUNIT_EXPECT_EQ(test, aiot_sensor_read_slot(t->s, t->owner, ubuf, 59,
						    true), -EINVAL);
	KUNIT_EXPECT_EQ(test, aiot_sensor_read_slot(t->s, t->owner, ubuf, 60,
						    true), -EAGAIN);
	idx = kstream_produce(test, 0);
	KUNIT_ASSERT_EQ(test, idx, 0);
	KUNIT_EXPECT_EQ(test, kstream_produce(test, 0), 1);
	/* Nothing queued: dropped. */
	KUNIT_EXPECT_EQ(test, kstream_produce(test, 0), -1);
	/* Slot 0 (period 0), requeued: the next period goes to it. */
	KUNIT_EXPECT_EQ(test, aiot_sensor_read_slot(t->s, t->owner, ubuf,
						    PAGE_SIZE, true), 60);
	KUNIT_ASSERT_EQ(test, copy_from_user(got, ubuf, sizeof(got)), 0);
	KUNIT_EXPECT_NULL(test, memchr_inv(got, 0, sizeof(got)));
	KUNIT_EXPECT_EQ(test, t->s->ring->slots[0].state, AIOT_SLOT_QUEUED);
	KUNIT_EXPECT_EQ(test, bytes_copied(test) - copied0, 60);
	KUNIT_EXPECT_EQ(test, kstream_produce(test, 0), 0);
	KUNIT_EXPECT_EQ(test, aiot_sensor_read_slot(t->s, t->owner, ubuf, 60,
						    true), 60);
	KUNIT_ASSERT_EQ(test, copy_from_user(got, ubuf, sizeof(got)), 0);
	KUNIT_EXPECT_NULL(test, memchr_inv(got, 1, sizeof(got)));
	/* read() chose the I/O mode: DQBUF and QBUF are refused. */
	KUNIT_EXPECT_EQ(test, aiot_sensor_dqbuf(t->s, t->owner, &b, true),
			-EBUSY);
	b.index = 1;
	KUNIT_EXPECT_EQ(test, aiot_sensor_qbuf(t->s, t->owner, &b), -EBUSY);
	/* A faulted period: -EIO, nothing copied, the slot requeued. */
	KUNIT_EXPECT_EQ(test, aiot_sensor_read_slot(t->s, t->owner, ubuf, 60,
						    true), 60);
	KUNIT_EXPECT_EQ(test, kstream_produce(test, -EIO), 1);
	KUNIT_EXPECT_EQ(test, aiot_sensor_read_slot(t->s, t->owner, ubuf, 60,
						    true), -EIO);
	KUNIT_EXPECT_EQ(test, t->s->ring->slots[1].state, AIOT_SLOT_QUEUED);
	/* A bad address: -EFAULT, the slot requeued, nothing counted. */
	KUNIT_EXPECT_EQ(test, kstream_produce(test, 0), 0);
	KUNIT_EXPECT_EQ(test, aiot_sensor_read_slot(t->s, t->owner, NULL, 60,
						    true), -EFAULT);
	KUNIT_EXPECT_EQ(test, t->s->ring->slots[0].state, AIOT_SLOT_QUEUED);
	KUNIT_EXPECT_EQ(test, bytes_copied(test) - copied0, 180);
	/* Stopped with nothing left: -EPIPE, as DQBUF. */
	KUNIT_EXPECT_EQ(test, aiot_sensor_stop(t->s, t->owner), 0);
	KUNIT_EXPECT_EQ(test, aiot_sensor_read_slot(t->s, t->owner, ubuf, 60,
						    false), -EPIPE);
	/* CONFIGURE resets the choice; DQBUF first refuses read(). */
	kstream_configure(test, 2, 0);
	KUNIT_ASSERT_EQ(test, aiot_sensor_start(t->s, t->owner), 0);
	KUNIT_EXPECT_EQ(test, kstream_produce(test, 0), 0);
	KUNIT_EXPECT_EQ(test, kstream_produce(test, 0), 1);
	b = kstream_dequeue(test);
	KUNIT_EXPECT_EQ(test, b.index, 0);
	KUNIT_EXPECT_EQ(test, aiot_sensor_read_slot(t->s, t->owner, ubuf, 60,
						    true), -EBUSY);
	kstream_requeue(test, 0);
}

static int alloc_test_start(struct aiot_sensor *s,
			    const struct aiot_sensor_config *cfg)
{
	return 0;
}

static void alloc_test_stop(struct aiot_sensor *s)
{
}

/*
 * A stream set up with aiot_sensor_alloc() has no device node, so nothing
 * can reach the backend until aiot_sensor_add(); one never added is
 * dropped with aiot_sensor_put() (kmemleak checks it frees everything).
 */
static void alloc_is_invisible_until_add(struct kunit *test)
{
	static const struct aiot_sensor_ops ops = {
		.start = alloc_test_start,
		.stop = alloc_test_stop,
	};
	struct kunit_stream *t = test->priv;
	struct aiot_sensor_desc bad = kstream_desc;
	struct aiot_sensor *s;

	bad.max_channels = 0;
	KUNIT_EXPECT_EQ(test, PTR_ERR(aiot_sensor_alloc(t->parent, &bad, &ops,
							NULL)), -EINVAL);

	s = aiot_sensor_alloc(t->parent, &kstream_desc, &ops, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(s));
	KUNIT_EXPECT_FALSE(test, device_is_registered(&s->dev));
	aiot_sensor_put(s);

	s = aiot_sensor_alloc(t->parent, &kstream_desc, &ops, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(s));
	KUNIT_ASSERT_EQ(test, aiot_sensor_add(s), 0);
	KUNIT_EXPECT_TRUE(test, device_is_registered(&s->dev));
	KUNIT_EXPECT_NE(test, s->id, t->s->id);
	aiot_sensor_unregister(s);
}

static struct kunit_case aiot_sensor_stream_cases[] = {
	KUNIT_CASE(stream_ownership_and_state),
	KUNIT_CASE(drop_newest_counts_and_flags),
	KUNIT_CASE(restart_resets_sequence),
	KUNIT_CASE(overwrite_oldest_recycles),
	KUNIT_CASE(overwrite_spares_slot_being_read),
	KUNIT_CASE(qbuf_waits_for_readers),
	KUNIT_CASE(read_copies_and_requeues),
	KUNIT_CASE(alloc_is_invisible_until_add),
	{}
};

static struct kunit_suite aiot_sensor_stream_suite = {
	.name = "aiot_sensor_stream",
	.init = kstream_init,
	.exit = kstream_exit,
	.test_cases = aiot_sensor_stream_cases,
};

kunit_test_suite(aiot_sensor_stream_suite);
