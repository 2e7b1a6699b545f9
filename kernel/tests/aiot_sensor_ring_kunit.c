// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the sensor ring's layout arithmetic and allocation.
 */

#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/string.h>

#include "aiot_sensor_kunit.h"
#include "sim/aiot_sim_sensor.h"

/* Ring layout. */

static void layout_computes_sizes(struct kunit *test)
{
	struct aiot_sensor_config c = kstream_cfg();

	c.slot_bytes = 1;	/* outputs are ignored on input */
	KUNIT_ASSERT_EQ(test, aiot_sensor_layout(&kstream_desc, &c), 0);
	KUNIT_EXPECT_EQ(test, c.slot_bytes, 10 * 3 * 2);
	KUNIT_EXPECT_EQ(test, c.slot_stride, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, c.ring_bytes, 4 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, c.period_ns, 100 * NSEC_PER_MSEC);

	/* A slot of exactly one page, and one byte more. */
	c.channels = 1;
	c.samples_per_slot = PAGE_SIZE / 2;
	c.rate_hz = 4000;
	KUNIT_ASSERT_EQ(test, aiot_sensor_layout(&kstream_desc, &c), 0);
	KUNIT_EXPECT_EQ(test, c.slot_stride, PAGE_SIZE);
	c.channels = 3;
	KUNIT_ASSERT_EQ(test, aiot_sensor_layout(&kstream_desc, &c), 0);
	KUNIT_EXPECT_EQ(test, c.slot_bytes, 3 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, c.slot_stride, 3 * PAGE_SIZE);
	/* Non-integer periods round down to the nanosecond. */
	c.samples_per_slot = 10;
	c.rate_hz = 3000;
	KUNIT_ASSERT_EQ(test, aiot_sensor_layout(&kstream_desc, &c), 0);
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
		c = kstream_cfg();
		*(u32 *)((u8 *)&c + bad[i].off) = bad[i].value;
		KUNIT_EXPECT_EQ_MSG(test, aiot_sensor_layout(&kstream_desc, &c),
				    bad[i].err, "%s", bad[i].what);
	}
	c = kstream_cfg();
	c.reserved[1] = 1;
	KUNIT_EXPECT_EQ(test, aiot_sensor_layout(&kstream_desc, &c), -EINVAL);
	/* 20 samples at 1 Hz: a 20 s period. */
	c = kstream_cfg();
	c.rate_hz = 1;
	c.samples_per_slot = 20;
	KUNIT_EXPECT_EQ(test, aiot_sensor_layout(&kstream_desc, &c), -ERANGE);
}

static void layout_overflow_safe(struct kunit *test)
{
	struct aiot_sensor_desc huge = kstream_desc;
	struct aiot_sensor_config c = kstream_cfg();

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
	struct aiot_sensor_config c = kstream_cfg();
	struct aiot_sensor_ring *ring;
	struct aiot_sensor_slot *slot;
	unsigned int i = 0;

	c.slot_count = 5;
	KUNIT_ASSERT_EQ(test, aiot_sensor_layout(&kstream_desc, &c), 0);
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

kunit_test_suite(aiot_sensor_ring_suite);
