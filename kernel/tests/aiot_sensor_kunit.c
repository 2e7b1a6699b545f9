// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the sensor stream core. Ring layout arithmetic, the queue and its
 * overflow policies, and the write fences' lifecycle (in the style of
 * drivers/dma-buf/st-dma-fence.c), on a real stream registered by a test
 * backend whose "DMA" the test drives by hand.
 */

#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/dma-buf.h>
#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/iosys-map.h>
#include <linux/mman.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/crc32.h>

#include "aiot_sensor_priv.h"
#include "sim/aiot_sim_sensor.h"

MODULE_IMPORT_NS(DMA_BUF);

static const struct aiot_sensor_desc kunit_desc = {
	.name = "kunit-accel",
	.kind = AIOT_SENSOR_KIND_ACCEL,
	.formats = BIT(AIOT_SENSOR_FMT_S16_LE),
	.patterns = BIT(AIOT_SENSOR_PATTERN_LIVE) | BIT(AIOT_SIM_PATTERN_RAMP),
	.min_channels = 1,
	.max_channels = 3,
	.width = 1,
	.height = 1,
	.min_rate_hz = 1,
	.max_rate_hz = 4000,
};

static struct aiot_sensor_config good_cfg(void)
{
	struct aiot_sensor_config c = {
		.format = AIOT_SENSOR_FMT_S16_LE,
		.channels = 3,
		.rate_hz = 100,
		.samples_per_slot = 10,
		.slot_count = 4,
	};
	return c;
}

/* Ring layout. */

static void layout_computes_sizes(struct kunit *test)
{
	struct aiot_sensor_config c = good_cfg();

	c.slot_bytes = 1;	/* outputs are ignored on input */
	KUNIT_ASSERT_EQ(test, aiot_sensor_layout(&kunit_desc, &c), 0);
	KUNIT_EXPECT_EQ(test, c.slot_bytes, 10 * 3 * 2);
	KUNIT_EXPECT_EQ(test, c.slot_stride, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, c.ring_bytes, 4 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, c.period_ns, 100 * NSEC_PER_MSEC);

	/* A slot of exactly one page, and one byte more. */
	c.channels = 1;
	c.samples_per_slot = PAGE_SIZE / 2;
	c.rate_hz = 4000;
	KUNIT_ASSERT_EQ(test, aiot_sensor_layout(&kunit_desc, &c), 0);
	KUNIT_EXPECT_EQ(test, c.slot_stride, PAGE_SIZE);
	c.channels = 3;
	KUNIT_ASSERT_EQ(test, aiot_sensor_layout(&kunit_desc, &c), 0);
	KUNIT_EXPECT_EQ(test, c.slot_bytes, 3 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, c.slot_stride, 3 * PAGE_SIZE);
	/* Non-integer periods round down to the nanosecond. */
	c.samples_per_slot = 10;
	c.rate_hz = 3000;
	KUNIT_ASSERT_EQ(test, aiot_sensor_layout(&kunit_desc, &c), 0);
	KUNIT_EXPECT_EQ(test, c.period_ns, 3333333);
}

static void layout_rejects(struct kunit *test)
{
	static const struct {
		const char *what;
		size_t off;
		u64 value;
		int err;
	} bad[] = {
#define F(field) offsetof(struct aiot_sensor_config, field)
		{ "flags", F(flags), 1, -EINVAL },
		{ "format 0", F(format), 0, -EINVAL },
		{ "format U8", F(format), AIOT_SENSOR_FMT_U8, -EINVAL },
		{ "overflow", F(overflow), 2, -EINVAL },
		{ "pattern", F(pattern), AIOT_SIM_PATTERN_NOISE, -EINVAL },
		{ "pattern 32", F(pattern), 32, -EINVAL },
		{ "channels 0", F(channels), 0, -ERANGE },
		{ "channels 4", F(channels), 4, -ERANGE },
		{ "rate 0", F(rate_hz), 0, -ERANGE },
		{ "rate", F(rate_hz), 4001, -ERANGE },
		{ "samples 0", F(samples_per_slot), 0, -ERANGE },
		{ "samples", F(samples_per_slot), 65537, -ERANGE },
		{ "slots 1", F(slot_count), 1, -ERANGE },
		{ "slots 65", F(slot_count), 65, -ERANGE },
		{ "period 1 s / 2000", F(rate_hz), 20000, -ERANGE },
#undef F
	};
	struct aiot_sensor_config c;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		c = good_cfg();
		*(u32 *)((u8 *)&c + bad[i].off) = bad[i].value;
		KUNIT_EXPECT_EQ_MSG(test, aiot_sensor_layout(&kunit_desc, &c),
				    bad[i].err, "%s", bad[i].what);
	}
	c = good_cfg();
	c.reserved[1] = 1;
	KUNIT_EXPECT_EQ(test, aiot_sensor_layout(&kunit_desc, &c), -EINVAL);
	/* 20 samples at 1 Hz: a 20 s period. */
	c = good_cfg();
	c.rate_hz = 1;
	c.samples_per_slot = 20;
	KUNIT_EXPECT_EQ(test, aiot_sensor_layout(&kunit_desc, &c), -ERANGE);
}

static void layout_overflow_safe(struct kunit *test)
{
	struct aiot_sensor_desc huge = kunit_desc;
	struct aiot_sensor_config c = good_cfg();

	/* 10 * 3 * 2^32 * 2^32 * 2 wraps 64 bits: must be refused. */
	huge.width = U32_MAX;
	huge.height = U32_MAX;
	KUNIT_EXPECT_EQ(test, aiot_sensor_layout(&huge, &c), -ERANGE);
	/* Just above the slot limit. */
	huge.width = AIOT_SENSOR_MAX_SLOT_BYTES / 2 / 3 / 10 + 1;
	huge.height = 1;
	KUNIT_EXPECT_EQ(test, aiot_sensor_layout(&huge, &c), -ERANGE);
	huge.width--;
	KUNIT_EXPECT_EQ(test, aiot_sensor_layout(&huge, &c), 0);
	KUNIT_EXPECT_LE(test, c.slot_bytes, AIOT_SENSOR_MAX_SLOT_BYTES);
}

static void ring_alloc_layout(struct kunit *test)
{
	struct aiot_sensor_config c = good_cfg();
	struct aiot_sensor_ring *ring;
	struct aiot_sensor_slot *slot;
	unsigned int i = 0;

	c.slot_count = 5;
	KUNIT_ASSERT_EQ(test, aiot_sensor_layout(&kunit_desc, &c), 0);
	ring = aiot_sensor_ring_alloc(&c);
	KUNIT_ASSERT_NOT_NULL(test, ring);
	KUNIT_EXPECT_EQ(test, ring->count, 5);
	KUNIT_EXPECT_EQ(test, ring->size, 5 * PAGE_SIZE);
	KUNIT_EXPECT_TRUE(test, PAGE_ALIGNED(ring->vaddr));
	KUNIT_EXPECT_NULL(test, memchr_inv(ring->vaddr, 0, ring->size));
	list_for_each_entry(slot, &ring->queued, node) {
		KUNIT_EXPECT_EQ(test, slot->index, i);
		KUNIT_EXPECT_EQ(test, slot->state, AIOT_SLOT_QUEUED);
		KUNIT_EXPECT_NULL(test, slot->wfence);
		i++;
	}
	KUNIT_EXPECT_EQ(test, i, 5);
	KUNIT_EXPECT_TRUE(test, list_empty(&ring->done));
	aiot_sensor_ring_put(ring);
}

static struct kunit_case aiot_sensor_ring_cases[] = {
	KUNIT_CASE(layout_computes_sizes),
	KUNIT_CASE(layout_rejects),
	KUNIT_CASE(layout_overflow_safe),
	KUNIT_CASE(ring_alloc_layout),
	{}
};

static struct kunit_suite aiot_sensor_ring_suite = {
	.name = "aiot_sensor_ring",
	.test_cases = aiot_sensor_ring_cases,
};

/* Streams on a test backend. */

struct kunit_stream {
	struct device *parent;
	struct aiot_sensor *s;
	struct file *owner;	/* a token, never dereferenced */
	int starts;
	int stops;
	bool unregistered;
};

static int kunit_backend_start(struct aiot_sensor *s,
			       const struct aiot_sensor_config *cfg)
{
	struct kunit_stream *t = aiot_sensor_get_drvdata(s);

	t->starts++;
	return 0;
}

static void kunit_backend_stop(struct aiot_sensor *s)
{
	struct kunit_stream *t = aiot_sensor_get_drvdata(s);

	t->stops++;
}

static const struct aiot_sensor_ops kunit_backend_ops = {
	.start = kunit_backend_start,
	.stop = kunit_backend_stop,
};

static int stream_init(struct kunit *test)
{
	struct kunit_stream *t;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	t->owner = kunit_kzalloc(test, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t->owner);
	t->parent = kunit_device_register(test, "aiot-kunit-sensor");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t->parent));
	t->s = aiot_sensor_register(t->parent, &kunit_desc, &kunit_backend_ops,
				    t);
	KUNIT_ASSERT_FALSE(test, IS_ERR(t->s));
	test->priv = t;
	return 0;
}

static void stream_exit(struct kunit *test)
{
	struct kunit_stream *t = test->priv;

	if (t->unregistered)
		return;
	aiot_sensor_release_owner(t->s, t->owner);
	aiot_sensor_unregister(t->s);
}

static void configure(struct kunit *test, u32 slots, u32 overflow)
{
	struct kunit_stream *t = test->priv;
	struct aiot_sensor_config c = good_cfg();

	c.slot_count = slots;
	c.overflow = overflow;
	KUNIT_ASSERT_EQ(test, aiot_sensor_configure(t->s, t->owner, &c), 0);
}

/* One period of the "DMA": returns the filled slot's index or -1. */
static int produce(struct kunit *test, int error)
{
	struct kunit_stream *t = test->priv;
	struct aiot_sensor_slot *slot;
	void *vaddr;
	u64 seq;

	slot = aiot_sensor_dma_begin(t->s, &seq, &vaddr);
	if (!slot)
		return -1;
	KUNIT_EXPECT_EQ(test, slot->sequence, seq);
	memset(vaddr, (u8)seq, t->s->ring->slot_bytes);
	aiot_sensor_dma_end(t->s, slot, ns_to_ktime(1000 + seq), 60, error);
	return slot->index;
}

static struct aiot_sensor_buffer dequeue(struct kunit *test)
{
	struct kunit_stream *t = test->priv;
	struct aiot_sensor_buffer b;

	KUNIT_EXPECT_EQ(test, aiot_sensor_dqbuf(t->s, t->owner, &b, true), 0);
	return b;
}

static void requeue(struct kunit *test, u32 index)
{
	struct kunit_stream *t = test->priv;
	struct aiot_sensor_buffer b = { .index = index };

	KUNIT_EXPECT_EQ(test, aiot_sensor_qbuf(t->s, t->owner, &b), 0);
}

static u64 drops(struct kunit *test)
{
	struct kunit_stream *t = test->priv;
	struct aiot_sensor_info info;

	aiot_sensor_fill_info(t->s, &info);
	return info.drops;
}

static void stream_ownership_and_state(struct kunit *test)
{
	struct kunit_stream *t = test->priv;
	struct aiot_sensor_config c = good_cfg();
	struct aiot_sensor_buffer b;
	struct aiot_sensor_info info;
	struct file *other = (struct file *)((char *)t->owner + 1);

	KUNIT_EXPECT_EQ(test, aiot_sensor_start(t->s, t->owner), -EINVAL);
	KUNIT_EXPECT_EQ(test, aiot_sensor_dqbuf(t->s, t->owner, &b, true),
			-EINVAL);
	configure(test, 4, 0);
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

	configure(test, 4, AIOT_SENSOR_OVERFLOW_DROP_NEWEST);
	/* Not streaming: the DMA gets nothing, nothing is counted. */
	KUNIT_EXPECT_EQ(test, produce(test, 0), -1);
	KUNIT_EXPECT_EQ(test, drops(test), 0);
	KUNIT_ASSERT_EQ(test, aiot_sensor_start(t->s, t->owner), 0);
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ(test, produce(test, 0), i);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(test, produce(test, 0), -1);
	KUNIT_EXPECT_EQ(test, drops(test), 3);

	b = dequeue(test);
	KUNIT_EXPECT_EQ(test, b.index, 0);
	KUNIT_EXPECT_EQ(test, b.sequence, 0);
	KUNIT_EXPECT_EQ(test, b.flags, 0);
	KUNIT_EXPECT_EQ(test, b.timestamp_ns, 1000);
	KUNIT_EXPECT_EQ(test, b.bytesused, 60);
	KUNIT_EXPECT_EQ(test, b.offset, 0);
	requeue(test, b.index);
	/* Sequence 7: periods 4..6 were lost, and the slot says so. */
	KUNIT_EXPECT_EQ(test, produce(test, 0), 0);
	for (i = 1; i < 4; i++) {
		b = dequeue(test);
		KUNIT_EXPECT_EQ(test, b.sequence, i);
		KUNIT_EXPECT_EQ(test, b.flags, 0);
		KUNIT_EXPECT_EQ(test, b.offset, i * PAGE_SIZE);
	}
	b = dequeue(test);
	KUNIT_EXPECT_EQ(test, b.index, 0);
	KUNIT_EXPECT_EQ(test, b.sequence, 7);
	KUNIT_EXPECT_EQ(test, b.flags, AIOT_SENSOR_BUF_OVERFLOWED);
	KUNIT_EXPECT_EQ(test, b.timestamp_ns, 1007);
	KUNIT_EXPECT_EQ(test, ((u8 *)t->s->ring->vaddr)[0], 7);
	/* Skipped periods count too. */
	aiot_sensor_dma_skip(t->s, 5);
	KUNIT_EXPECT_EQ(test, drops(test), 8);
	requeue(test, 0);
	KUNIT_EXPECT_EQ(test, produce(test, 0), 0);
	b = dequeue(test);
	KUNIT_EXPECT_EQ(test, b.sequence, 13);
	KUNIT_EXPECT_EQ(test, b.flags, AIOT_SENSOR_BUF_OVERFLOWED);
	/* QBUF only takes back what the user holds. */
	requeue(test, 0);
	memset(&b, 0, sizeof(b));
	KUNIT_EXPECT_EQ(test, aiot_sensor_qbuf(t->s, t->owner, &b), -EBUSY);
	b.index = 4;
	KUNIT_EXPECT_EQ(test, aiot_sensor_qbuf(t->s, t->owner, &b), -EINVAL);
}

static void restart_resets_sequence(struct kunit *test)
{
	struct kunit_stream *t = test->priv;
	struct aiot_sensor_buffer b;

	configure(test, 2, 0);
	KUNIT_ASSERT_EQ(test, aiot_sensor_start(t->s, t->owner), 0);
	KUNIT_EXPECT_EQ(test, produce(test, 0), 0);
	KUNIT_EXPECT_EQ(test, produce(test, 0), 1);
	KUNIT_EXPECT_EQ(test, produce(test, 0), -1);
	KUNIT_ASSERT_EQ(test, aiot_sensor_stop(t->s, t->owner), 0);
	/* Filled slots can still be dequeued after the stop... */
	b = dequeue(test);
	KUNIT_EXPECT_EQ(test, b.sequence, 0);
	requeue(test, b.index);
	/* ...and the undequeued one goes back to the DMA at the next start. */
	KUNIT_ASSERT_EQ(test, aiot_sensor_start(t->s, t->owner), 0);
	KUNIT_EXPECT_EQ(test, produce(test, 0), 0);
	KUNIT_EXPECT_EQ(test, produce(test, 0), 1);
	b = dequeue(test);
	KUNIT_EXPECT_EQ(test, b.sequence, 0);
	KUNIT_EXPECT_EQ(test, b.flags, 0);
	KUNIT_EXPECT_EQ(test, drops(test), 1);
}

static void overwrite_oldest_recycles(struct kunit *test)
{
	struct kunit_stream *t = test->priv;
	struct aiot_sensor_buffer b;

	configure(test, 3, AIOT_SENSOR_OVERFLOW_OVERWRITE_OLDEST);
	KUNIT_ASSERT_EQ(test, aiot_sensor_start(t->s, t->owner), 0);
	KUNIT_EXPECT_EQ(test, produce(test, 0), 0);
	KUNIT_EXPECT_EQ(test, produce(test, 0), 1);
	KUNIT_EXPECT_EQ(test, produce(test, 0), 2);
	/* The queue ran dry: the oldest filled slot is re-armed. */
	flush_work(&t->s->recycle_work);
	KUNIT_EXPECT_EQ(test, t->s->ring->slots[0].state, AIOT_SLOT_QUEUED);
	KUNIT_EXPECT_EQ(test, drops(test), 1);
	KUNIT_EXPECT_EQ(test, t->s->overwritten, 1);
	KUNIT_EXPECT_EQ(test, produce(test, 0), 0);
	flush_work(&t->s->recycle_work);
	KUNIT_EXPECT_EQ(test, produce(test, 0), 1);
	flush_work(&t->s->recycle_work);
	/* Slot 2 (period 2) was recycled too: 3 and 4 survive, in order. */
	b = dequeue(test);
	KUNIT_EXPECT_EQ(test, b.sequence, 3);
	KUNIT_EXPECT_EQ(test, b.flags, AIOT_SENSOR_BUF_OVERFLOWED);
	b = dequeue(test);
	KUNIT_EXPECT_EQ(test, b.sequence, 4);
	KUNIT_EXPECT_EQ(test, drops(test), 3);
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

	configure(test, 2, AIOT_SENSOR_OVERFLOW_OVERWRITE_OLDEST);
	KUNIT_ASSERT_EQ(test, aiot_sensor_start(t->s, t->owner), 0);
	reader = add_reader(test, &t->s->ring->slots[0]);
	KUNIT_EXPECT_EQ(test, produce(test, 0), 0);
	KUNIT_EXPECT_EQ(test, produce(test, 0), 1);
	flush_work(&t->s->recycle_work);
	/* Slot 0 is being read: not recycled, the new period is dropped. */
	KUNIT_EXPECT_EQ(test, t->s->ring->slots[0].state, AIOT_SLOT_DONE);
	KUNIT_EXPECT_EQ(test, t->s->recycle_blocked, 1);
	KUNIT_EXPECT_EQ(test, produce(test, 0), -1);
	flush_work(&t->s->recycle_work);
	KUNIT_EXPECT_EQ(test, t->s->overwritten, 0);
	KUNIT_EXPECT_EQ(test, drops(test), 1);
	KUNIT_EXPECT_EQ(test, ((u8 *)t->s->ring->vaddr)[0], 0);
	/* The reader done, the slot is recycled at the next shortage. */
	dma_fence_signal(reader);
	dma_fence_put(reader);
	KUNIT_EXPECT_EQ(test, produce(test, 0), -1);
	flush_work(&t->s->recycle_work);
	KUNIT_EXPECT_EQ(test, t->s->overwritten, 1);
	KUNIT_EXPECT_EQ(test, drops(test), 3);
	/*
	 * Period 4 fills slot 0 and leaves nothing queued: the work re-arms
	 * the oldest filled slot (period 1) at once, for period 5. Wait for
	 * it, or it races with the dequeues below.
	 */
	KUNIT_EXPECT_EQ(test, produce(test, 0), 0);
	flush_work(&t->s->recycle_work);
	KUNIT_EXPECT_EQ(test, t->s->overwritten, 2);
	KUNIT_EXPECT_EQ(test, t->s->ring->slots[1].state, AIOT_SLOT_QUEUED);
	b = dequeue(test);
	KUNIT_EXPECT_EQ(test, b.sequence, 4);
	KUNIT_EXPECT_EQ(test, b.flags, AIOT_SENSOR_BUF_OVERFLOWED);
	KUNIT_EXPECT_EQ(test, drops(test), 4);
}

static void qbuf_waits_for_readers(struct kunit *test)
{
	struct kunit_stream *t = test->priv;
	struct aiot_sensor_buffer b;
	struct dma_fence *reader;

	configure(test, 2, 0);
	KUNIT_ASSERT_EQ(test, aiot_sensor_start(t->s, t->owner), 0);
	KUNIT_EXPECT_EQ(test, produce(test, 0), 0);
	b = dequeue(test);
	reader = add_reader(test, &t->s->ring->slots[b.index]);
	KUNIT_EXPECT_EQ(test, aiot_sensor_qbuf(t->s, t->owner, &b), -EBUSY);
	KUNIT_EXPECT_EQ(test, t->s->ring->slots[b.index].state, AIOT_SLOT_USER);
	dma_fence_signal(reader);
	dma_fence_put(reader);
	KUNIT_EXPECT_EQ(test, aiot_sensor_qbuf(t->s, t->owner, &b), 0);
}

/* Write fences. */

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

	configure(test, 4, 0);
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

	configure(test, 2, 0);
	KUNIT_ASSERT_EQ(test, aiot_sensor_start(t->s, t->owner), 0);
	f0 = slot_fence(test, 0);
	f1 = slot_fence(test, 1);
	KUNIT_ASSERT_EQ(test, dma_fence_add_callback(f0, &ccb.cb, fence_cb), 0);
	KUNIT_EXPECT_EQ(test, produce(test, 0), 0);
	KUNIT_EXPECT_EQ(test, ccb.calls, 1);
	KUNIT_EXPECT_TRUE(test, dma_fence_is_signaled(f0));
	KUNIT_EXPECT_EQ(test, dma_fence_get_status(f0), 1);
	KUNIT_EXPECT_FALSE(test, dma_fence_is_signaled(f1));
	KUNIT_EXPECT_TRUE(test, dma_resv_test_signaled(&t->s->ring->slots[0].resv,
						       DMA_RESV_USAGE_BOOKKEEP));
	KUNIT_EXPECT_EQ(test, dma_fence_wait_timeout(f0, false, 1), 1);
	/* Requeued: a new fence, later than every earlier one. */
	dequeue(test);
	requeue(test, 0);
	f0b = slot_fence(test, 0);
	KUNIT_EXPECT_PTR_NE(test, f0b, f0);
	KUNIT_EXPECT_TRUE(test, dma_fence_is_later(f0b, f1));
	KUNIT_EXPECT_FALSE(test, dma_fence_is_signaled(f0b));
	KUNIT_EXPECT_EQ(test, produce(test, 0), 1);
	KUNIT_EXPECT_EQ(test, produce(test, 0), 0);
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

	configure(test, 3, 0);
	KUNIT_ASSERT_EQ(test, aiot_sensor_start(t->s, t->owner), 0);
	for (i = 0; i < 3; i++)
		f[i] = slot_fence(test, i);
	KUNIT_EXPECT_EQ(test, produce(test, 0), 0);
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

	configure(test, 2, 0);
	KUNIT_ASSERT_EQ(test, aiot_sensor_start(t->s, t->owner), 0);
	f = slot_fence(test, 0);
	KUNIT_EXPECT_EQ(test, produce(test, -EIO), 0);
	KUNIT_EXPECT_EQ(test, dma_fence_get_status(f), -EIO);
	b = dequeue(test);
	KUNIT_EXPECT_EQ(test, b.flags, AIOT_SENSOR_BUF_ERROR);
	dma_fence_put(f);
}

static void fence_error_on_timeout(struct kunit *test)
{
	struct kunit_stream *t = test->priv;
	struct aiot_sensor_buffer b;
	struct aiot_sensor_info info;
	struct dma_fence *f;

	configure(test, 2, 0);
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

	configure(test, 2, 0);
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
	KUNIT_EXPECT_EQ(test, produce(test, 0), -1);
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

	configure(test, 2, 0);
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
	configure(test, 2, 0);
	copied0 = bytes_copied(test);
	/* Stopped, nothing filled; then a short buffer. */
	KUNIT_EXPECT_EQ(test, aiot_sensor_read_slot(t->s, t->owner, ubuf, 60,
						    true), -EPIPE);
	KUNIT_ASSERT_EQ(test, aiot_sensor_start(t->s, t->owner), 0);
	KUNIT_EXPECT_EQ(test, aiot_sensor_read_slot(t->s, t->owner, ubuf, 59,
						    true), -EINVAL);
	KUNIT_EXPECT_EQ(test, aiot_sensor_read_slot(t->s, t->owner, ubuf, 60,
						    true), -EAGAIN);
	idx = produce(test, 0);
	KUNIT_ASSERT_EQ(test, idx, 0);
	KUNIT_EXPECT_EQ(test, produce(test, 0), 1);
	/* Nothing queued: dropped. */
	KUNIT_EXPECT_EQ(test, produce(test, 0), -1);
	/* Slot 0 (period 0), requeued: the next period goes to it. */
	KUNIT_EXPECT_EQ(test, aiot_sensor_read_slot(t->s, t->owner, ubuf,
						    PAGE_SIZE, true), 60);
	KUNIT_ASSERT_EQ(test, copy_from_user(got, ubuf, sizeof(got)), 0);
	KUNIT_EXPECT_NULL(test, memchr_inv(got, 0, sizeof(got)));
	KUNIT_EXPECT_EQ(test, t->s->ring->slots[0].state, AIOT_SLOT_QUEUED);
	KUNIT_EXPECT_EQ(test, bytes_copied(test) - copied0, 60);
	KUNIT_EXPECT_EQ(test, produce(test, 0), 0);
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
	KUNIT_EXPECT_EQ(test, produce(test, -EIO), 1);
	KUNIT_EXPECT_EQ(test, aiot_sensor_read_slot(t->s, t->owner, ubuf, 60,
						    true), -EIO);
	KUNIT_EXPECT_EQ(test, t->s->ring->slots[1].state, AIOT_SLOT_QUEUED);
	/* A bad address: -EFAULT, the slot requeued, nothing counted. */
	KUNIT_EXPECT_EQ(test, produce(test, 0), 0);
	KUNIT_EXPECT_EQ(test, aiot_sensor_read_slot(t->s, t->owner, NULL, 60,
						    true), -EFAULT);
	KUNIT_EXPECT_EQ(test, t->s->ring->slots[0].state, AIOT_SLOT_QUEUED);
	KUNIT_EXPECT_EQ(test, bytes_copied(test) - copied0, 180);
	/* Stopped with nothing left: -EPIPE, as DQBUF. */
	KUNIT_EXPECT_EQ(test, aiot_sensor_stop(t->s, t->owner), 0);
	KUNIT_EXPECT_EQ(test, aiot_sensor_read_slot(t->s, t->owner, ubuf, 60,
						    false), -EPIPE);
	/* CONFIGURE resets the choice; DQBUF first refuses read(). */
	configure(test, 2, 0);
	KUNIT_ASSERT_EQ(test, aiot_sensor_start(t->s, t->owner), 0);
	KUNIT_EXPECT_EQ(test, produce(test, 0), 0);
	KUNIT_EXPECT_EQ(test, produce(test, 0), 1);
	b = dequeue(test);
	KUNIT_EXPECT_EQ(test, b.index, 0);
	KUNIT_EXPECT_EQ(test, aiot_sensor_read_slot(t->s, t->owner, ubuf, 60,
						    true), -EBUSY);
	requeue(test, 0);
}

static struct kunit_case aiot_sensor_stream_cases[] = {
	KUNIT_CASE(stream_ownership_and_state),
	KUNIT_CASE(drop_newest_counts_and_flags),
	KUNIT_CASE(restart_resets_sequence),
	KUNIT_CASE(overwrite_oldest_recycles),
	KUNIT_CASE(overwrite_spares_slot_being_read),
	KUNIT_CASE(qbuf_waits_for_readers),
	KUNIT_CASE(read_copies_and_requeues),
	{}
};

static struct kunit_suite aiot_sensor_stream_suite = {
	.name = "aiot_sensor_stream",
	.init = stream_init,
	.exit = stream_exit,
	.test_cases = aiot_sensor_stream_cases,
};

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
	.init = stream_init,
	.exit = stream_exit,
	.test_cases = aiot_sensor_fence_cases,
};

/* Recordings for replay (aiot-sim's firmware files): untrusted input. */

#define REC_SAMPLES	8

static void put_le32(u8 *buf, size_t off, u32 v)
{
	__le32 le = cpu_to_le32(v);

	memcpy(buf + off, &le, sizeof(le));
}

static void put_le16(u8 *buf, size_t off, u16 v)
{
	__le16 le = cpu_to_le16(v);

	memcpy(buf + off, &le, sizeof(le));
}

static size_t make_rec(u8 *buf)
{
	u8 *data = buf + AIOT_SIM_REC_HEADER_SIZE;
	unsigned int i;

	for (i = 0; i < REC_SAMPLES * 3 * 2; i++)
		data[i] = i * 7;
	memset(buf, 0, AIOT_SIM_REC_HEADER_SIZE);
	put_le32(buf, AIOT_SIM_REC_OFF_MAGIC, AIOT_SIM_REC_MAGIC);
	put_le16(buf, AIOT_SIM_REC_OFF_VERSION, AIOT_SIM_REC_VERSION);
	put_le16(buf, AIOT_SIM_REC_OFF_HEADER_SIZE, AIOT_SIM_REC_HEADER_SIZE);
	put_le32(buf, AIOT_SIM_REC_OFF_FORMAT, AIOT_SENSOR_FMT_S16_LE);
	put_le32(buf, AIOT_SIM_REC_OFF_CHANNELS, 3);
	put_le32(buf, AIOT_SIM_REC_OFF_WIDTH, 1);
	put_le32(buf, AIOT_SIM_REC_OFF_HEIGHT, 1);
	put_le32(buf, AIOT_SIM_REC_OFF_RATE_HZ, 100);
	put_le32(buf, AIOT_SIM_REC_OFF_DATA_BYTES, REC_SAMPLES * 3 * 2);
	put_le32(buf, AIOT_SIM_REC_OFF_CRC32,
		 crc32_le(~0U, data, REC_SAMPLES * 3 * 2) ^ ~0U);
	return AIOT_SIM_REC_HEADER_SIZE + REC_SAMPLES * 3 * 2;
}

static void rec_parses_good_file(struct kunit *test)
{
	u8 buf[128];
	size_t len = make_rec(buf);
	struct aiot_sim_rec rec;

	KUNIT_ASSERT_EQ(test, aiot_sim_rec_parse(buf, len, &rec), 0);
	KUNIT_EXPECT_EQ(test, rec.format, AIOT_SENSOR_FMT_S16_LE);
	KUNIT_EXPECT_EQ(test, rec.channels, 3);
	KUNIT_EXPECT_EQ(test, rec.rate_hz, 100);
	KUNIT_EXPECT_EQ(test, rec.data_bytes, REC_SAMPLES * 3 * 2);
	KUNIT_EXPECT_PTR_EQ(test, rec.data,
			    buf + AIOT_SIM_REC_HEADER_SIZE);
	/* Trailing bytes after the data are ignored. */
	KUNIT_EXPECT_EQ(test, aiot_sim_rec_parse(buf, len + 3, &rec), 0);
}

static void rec_rejects_truncated(struct kunit *test)
{
	u8 buf[128];
	size_t len = make_rec(buf), i;
	struct aiot_sim_rec rec;

	for (i = 0; i < len; i++)
		KUNIT_EXPECT_EQ_MSG(test, aiot_sim_rec_parse(buf, i, &rec),
				    -EMSGSIZE, "length %zu", i);
}

static void rec_rejects_bad_header(struct kunit *test)
{
	static const struct {
		const char *what;
		size_t off;
		u32 value;
		int err;
	} bad[] = {
#define F(field) AIOT_SIM_REC_OFF_##field
		{ "magic", F(MAGIC), 0x52534942, -EINVAL },
		{ "format", F(FORMAT), 3, -EINVAL },
		{ "channels", F(CHANNELS), 0, -EINVAL },
		{ "width", F(WIDTH), 0, -EINVAL },
		{ "rate", F(RATE_HZ), 0, -EINVAL },
		{ "geometry overflow", F(HEIGHT), 0x80000000, -EINVAL },
		{ "partial sample", F(DATA_BYTES), REC_SAMPLES * 6 - 2, -EINVAL },
		{ "no data", F(DATA_BYTES), 0, -EINVAL },
		{ "data past the end", F(DATA_BYTES), REC_SAMPLES * 6 + 6, -EMSGSIZE },
		{ "huge data", F(DATA_BYTES), 0xfffffffa, -EINVAL },
		{ "reserved", F(RESERVED), 1, -EINVAL },
#undef F
	};
	struct aiot_sim_rec rec;
	u8 buf[128];
	size_t len;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		len = make_rec(buf);
		put_le32(buf, bad[i].off, bad[i].value);
		KUNIT_EXPECT_EQ_MSG(test, aiot_sim_rec_parse(buf, len, &rec),
				    bad[i].err, "%s", bad[i].what);
	}
	len = make_rec(buf);
	put_le16(buf, AIOT_SIM_REC_OFF_VERSION, 2);
	KUNIT_EXPECT_EQ(test, aiot_sim_rec_parse(buf, len, &rec), -EPROTO);
	len = make_rec(buf);
	put_le16(buf, AIOT_SIM_REC_OFF_HEADER_SIZE, 48);
	KUNIT_EXPECT_EQ(test, aiot_sim_rec_parse(buf, len, &rec), -EINVAL);
}

static void rec_rejects_bad_checksum(struct kunit *test)
{
	u8 buf[128];
	size_t len = make_rec(buf), i;
	struct aiot_sim_rec rec;

	/* Any flipped data bit, and a wrong stored checksum. */
	for (i = AIOT_SIM_REC_HEADER_SIZE; i < len; i++) {
		buf[i] ^= 0x10;
		KUNIT_EXPECT_EQ(test, aiot_sim_rec_parse(buf, len, &rec),
				-EBADMSG);
		buf[i] ^= 0x10;
	}
	buf[AIOT_SIM_REC_OFF_CRC32] ^= 1;
	KUNIT_EXPECT_EQ(test, aiot_sim_rec_parse(buf, len, &rec), -EBADMSG);
}

static struct kunit_case aiot_sensor_rec_cases[] = {
	KUNIT_CASE(rec_parses_good_file),
	KUNIT_CASE(rec_rejects_truncated),
	KUNIT_CASE(rec_rejects_bad_header),
	KUNIT_CASE(rec_rejects_bad_checksum),
	{}
};

static struct kunit_suite aiot_sensor_rec_suite = {
	.name = "aiot_sensor_rec",
	.test_cases = aiot_sensor_rec_cases,
};

kunit_test_suites(&aiot_sensor_ring_suite, &aiot_sensor_stream_suite,
		  &aiot_sensor_fence_suite, &aiot_sensor_rec_suite);
