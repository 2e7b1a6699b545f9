// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: a sensor slot's write fence, its lifecycle (in the style of
 * drivers/dma-buf/st-dma-fence.c), and the slot's dma-buf.
 */

#include <kunit/test.h>
#include <linux/dma-buf.h>
#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/iosys-map.h>
#include <linux/module.h>

#include "aiot_sensor_kunit.h"

MODULE_IMPORT_NS(DMA_BUF);

static struct dma_fence *slot_fence(struct kunit *test, unsigned int i)
{
	struct kunit_stream *t = test->priv;

	return dma_fence_get(t->s->ring->slots[i].wfence);
}

static void fence_armed_on_start(struct kunit *test)
{
	struct kunit_stream *t = test->priv;
	struct dma_fence *f[4];
	int i;

	kstream_configure(test, 4, 0);
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_NULL(test, t->s->ring->slots[i].wfence);
	KUNIT_ASSERT_EQ(test, aiot_sensor_start(t->s, t->owner), 0);
	for (i = 0; i < 4; i++) {
		struct aiot_sensor_slot *slot = &t->s->ring->slots[i];

		f[i] = slot_fence(test, i);
		KUNIT_ASSERT_NOT_NULL(test, f[i]);
		KUNIT_EXPECT_TRUE(test, aiot_sensor_fence_is_ours(f[i]));
		KUNIT_EXPECT_FALSE(test, dma_fence_is_signaled(f[i]));
		KUNIT_EXPECT_EQ(test, f[i]->context, t->s->fence_context);
		if (i)
			KUNIT_EXPECT_TRUE(test, dma_fence_is_later(f[i], f[i - 1]));
		/* Readers of the slot must wait; it is in the reservation. */
		KUNIT_EXPECT_FALSE(test,
				   dma_resv_test_signaled(&slot->resv,
							  DMA_RESV_USAGE_WRITE));
		KUNIT_EXPECT_TRUE(test,
				  dma_resv_test_signaled(&slot->resv,
							 DMA_RESV_USAGE_KERNEL));
	}
	for (i = 0; i < 4; i++)
		dma_fence_put(f[i]);
}

struct counted_cb {
	struct dma_fence_cb cb;
	int calls;
};

static void fence_cb(struct dma_fence *f, struct dma_fence_cb *cb)
{
	/* Runs where the DMA completes: hardirq on hardware, no sleeping. */
	container_of(cb, struct counted_cb, cb)->calls++;
}

static void fence_signals_in_order_on_completion(struct kunit *test)
{
	struct kunit_stream *t = test->priv;
	struct counted_cb ccb = { };
	struct dma_fence *f0, *f1, *f0b;

	kstream_configure(test, 2, 0);
	KUNIT_ASSERT_EQ(test, aiot_sensor_start(t->s, t->owner), 0);
	f0 = slot_fence(test, 0);
	f1 = slot_fence(test, 1);
	KUNIT_ASSERT_EQ(test, dma_fence_add_callback(f0, &ccb.cb, fence_cb), 0);
	KUNIT_EXPECT_EQ(test, kstream_produce(test, 0), 0);
	KUNIT_EXPECT_EQ(test, ccb.calls, 1);
	KUNIT_EXPECT_TRUE(test, dma_fence_is_signaled(f0));
	KUNIT_EXPECT_EQ(test, dma_fence_get_status(f0), 1);
	KUNIT_EXPECT_FALSE(test, dma_fence_is_signaled(f1));
	KUNIT_EXPECT_TRUE(test, dma_resv_test_signaled(&t->s->ring->slots[0].resv,
						       DMA_RESV_USAGE_BOOKKEEP));
	KUNIT_EXPECT_EQ(test, dma_fence_wait_timeout(f0, false, 1), 1);
	/* Requeued: a new fence, later than every earlier one. */
	kstream_dequeue(test);
	kstream_requeue(test, 0);
	f0b = slot_fence(test, 0);
	KUNIT_EXPECT_PTR_NE(test, f0b, f0);
	KUNIT_EXPECT_TRUE(test, dma_fence_is_later(f0b, f1));
	KUNIT_EXPECT_FALSE(test, dma_fence_is_signaled(f0b));
	KUNIT_EXPECT_EQ(test, kstream_produce(test, 0), 1);
	KUNIT_EXPECT_EQ(test, kstream_produce(test, 0), 0);
	KUNIT_EXPECT_EQ(test, dma_fence_get_status(f1), 1);
	KUNIT_EXPECT_EQ(test, dma_fence_get_status(f0b), 1);
	KUNIT_EXPECT_EQ(test, ccb.calls, 1);
	dma_fence_put(f0);
	dma_fence_put(f0b);
	dma_fence_put(f1);
}

static void fence_error_on_stop(struct kunit *test)
{
	struct kunit_stream *t = test->priv;
	struct dma_fence *f[3];
	int i;

	kstream_configure(test, 3, 0);
	KUNIT_ASSERT_EQ(test, aiot_sensor_start(t->s, t->owner), 0);
	for (i = 0; i < 3; i++)
		f[i] = slot_fence(test, i);
	KUNIT_EXPECT_EQ(test, kstream_produce(test, 0), 0);
	KUNIT_ASSERT_EQ(test, aiot_sensor_stop(t->s, t->owner), 0);
	KUNIT_EXPECT_EQ(test, dma_fence_get_status(f[0]), 1);
	for (i = 1; i < 3; i++) {
		KUNIT_EXPECT_TRUE(test, dma_fence_is_signaled(f[i]));
		KUNIT_EXPECT_EQ(test, dma_fence_get_status(f[i]), -ECANCELED);
	}
	for (i = 0; i < 3; i++)
		dma_fence_put(f[i]);
}

static void fence_error_on_fault(struct kunit *test)
{
	struct kunit_stream *t = test->priv;
	struct aiot_sensor_buffer b;
	struct dma_fence *f;

	kstream_configure(test, 2, 0);
	KUNIT_ASSERT_EQ(test, aiot_sensor_start(t->s, t->owner), 0);
	f = slot_fence(test, 0);
	KUNIT_EXPECT_EQ(test, kstream_produce(test, -EIO), 0);
	KUNIT_EXPECT_EQ(test, dma_fence_get_status(f), -EIO);
	b = kstream_dequeue(test);
	KUNIT_EXPECT_EQ(test, b.flags, AIOT_SENSOR_BUF_ERROR);
	dma_fence_put(f);
}

static void fence_error_on_timeout(struct kunit *test)
{
	struct kunit_stream *t = test->priv;
	struct aiot_sensor_buffer b;
	struct aiot_sensor_info info;
	struct dma_fence *f;

	kstream_configure(test, 2, 0);
	KUNIT_ASSERT_EQ(test, aiot_sensor_start(t->s, t->owner), 0);
	f = slot_fence(test, 1);
	/* The backend went silent long ago. */
	spin_lock_irq(&t->s->lock);
	t->s->last_progress = jiffies - t->s->timeout - 1;
	spin_unlock_irq(&t->s->lock);
	mod_delayed_work(system_wq, &t->s->watchdog, 0);
	flush_delayed_work(&t->s->watchdog);
	KUNIT_EXPECT_EQ(test, dma_fence_get_status(f), -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, t->stops, 1);
	aiot_sensor_fill_info(t->s, &info);
	KUNIT_EXPECT_EQ(test, info.state, AIOT_SENSOR_STATE_ERROR);
	KUNIT_EXPECT_EQ(test, aiot_sensor_dqbuf(t->s, t->owner, &b, true), -EIO);
	dma_fence_put(f);
}

static void fence_error_on_unregister(struct kunit *test)
{
	struct kunit_stream *t = test->priv;
	struct aiot_sensor_buffer b;
	struct dma_fence *f;

	kstream_configure(test, 2, 0);
	KUNIT_ASSERT_EQ(test, aiot_sensor_start(t->s, t->owner), 0);
	f = slot_fence(test, 1);
	get_device(&t->s->dev);	/* as an open file would */
	aiot_sensor_unregister(t->s);
	t->unregistered = true;
	KUNIT_EXPECT_EQ(test, dma_fence_get_status(f), -ENODEV);
	KUNIT_EXPECT_EQ(test, t->stops, 1);
	KUNIT_EXPECT_EQ(test, aiot_sensor_dqbuf(t->s, t->owner, &b, true),
			-ENODEV);
	/* The DMA side is inert once unregistered. */
	KUNIT_EXPECT_EQ(test, kstream_produce(test, 0), -1);
	aiot_sensor_release_owner(t->s, t->owner);
	put_device(&t->s->dev);
	dma_fence_put(f);
}

static void dmabuf_shares_slot(struct kunit *test)
{
	struct kunit_stream *t = test->priv;
	struct aiot_sensor_ring *ring;
	struct iosys_map map;
	struct dma_buf *dmabuf;

	kstream_configure(test, 2, 0);
	ring = t->s->ring;
	dmabuf = aiot_sensor_slot_export(&ring->slots[1], O_RDWR);
	KUNIT_ASSERT_FALSE(test, IS_ERR(dmabuf));
	KUNIT_EXPECT_PTR_EQ(test, dmabuf->resv, &ring->slots[1].resv);
	KUNIT_EXPECT_EQ(test, dmabuf->size, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, kref_read(&ring->ref), 2);
	KUNIT_ASSERT_EQ(test, dma_buf_vmap_unlocked(dmabuf, &map), 0);
	KUNIT_EXPECT_PTR_EQ(test, map.vaddr, ring->vaddr + PAGE_SIZE);
	dma_buf_vunmap_unlocked(dmabuf, &map);
	/* The ring stays while exported, even when the stream drops it. */
	aiot_sensor_release_owner(t->s, t->owner);
	KUNIT_EXPECT_EQ(test, kref_read(&ring->ref), 1);
	dma_buf_put(dmabuf);
}

static struct kunit_case aiot_sensor_fence_cases[] = {
	KUNIT_CASE(fence_armed_on_start),
	KUNIT_CASE(fence_signals_in_order_on_completion),
	KUNIT_CASE(fence_error_on_stop),
	KUNIT_CASE(fence_error_on_fault),
	KUNIT_CASE(fence_error_on_timeout),
	KUNIT_CASE(fence_error_on_unregister),
	KUNIT_CASE(dmabuf_shares_slot),
	{}
};

static struct kunit_suite aiot_sensor_fence_suite = {
	.name = "aiot_sensor_fence",
	.init = kstream_init,
	.exit = kstream_exit,
	.test_cases = aiot_sensor_fence_cases,
};

kunit_test_suite(aiot_sensor_fence_suite);
