// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the sensor stream core, the fixture its suites share: a test
 * backend whose "DMA" the test drives by hand, registering a real stream.
 * The suites: ring layout (aiot_sensor_ring_kunit.c), the queue and its
 * overflow policies (aiot_sensor_stream_kunit.c), write fences and dma-buf
 * export (aiot_sensor_fence_kunit.c), the replay recording parser
 * (aiot_sensor_rec_kunit.c).
 */

#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/string.h>

#include "aiot_sensor_kunit.h"
#include "sim/aiot_sim_sensor.h"

const struct aiot_sensor_desc kstream_desc = {
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

struct aiot_sensor_config kstream_cfg(void)
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

/* Streams on a test backend. */

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

int kstream_init(struct kunit *test)
{
	struct kunit_stream *t;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	t->owner = kunit_kzalloc(test, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t->owner);
	t->parent = kunit_device_register(test, "aiot-kunit-sensor");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t->parent));
	t->s = aiot_sensor_register(t->parent, &kstream_desc,
				    &kunit_backend_ops, t);
	KUNIT_ASSERT_FALSE(test, IS_ERR(t->s));
	test->priv = t;
	return 0;
}

void kstream_exit(struct kunit *test)
{
	struct kunit_stream *t = test->priv;

	if (t->unregistered)
		return;
	aiot_sensor_release_owner(t->s, t->owner);
	aiot_sensor_unregister(t->s);
}

void kstream_configure(struct kunit *test, u32 slots, u32 overflow)
{
	struct kunit_stream *t = test->priv;
	struct aiot_sensor_config c = kstream_cfg();

	c.slot_count = slots;
	c.overflow = overflow;
	KUNIT_ASSERT_EQ(test, aiot_sensor_configure(t->s, t->owner, &c), 0);
}

/* One period of the "DMA": returns the filled slot's index or -1. */
int kstream_produce(struct kunit *test, int error)
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

struct aiot_sensor_buffer kstream_dequeue(struct kunit *test)
{
	struct kunit_stream *t = test->priv;
	struct aiot_sensor_buffer b;

	KUNIT_EXPECT_EQ(test, aiot_sensor_dqbuf(t->s, t->owner, &b, true), 0);
	return b;
}

void kstream_requeue(struct kunit *test, u32 index)
{
	struct kunit_stream *t = test->priv;
	struct aiot_sensor_buffer b = { .index = index };

	KUNIT_EXPECT_EQ(test, aiot_sensor_qbuf(t->s, t->owner, &b), 0);
}

u64 kstream_drops(struct kunit *test)
{
	struct kunit_stream *t = test->priv;
	struct aiot_sensor_info info;

	aiot_sensor_fill_info(t->s, &info);
	return info.drops;
}
