// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the NPU card's completion times (card/aiot_card_times.h). A batch
 * of completions handled at once must give each job the time it ran by the
 * card's clock, not the moment the driver got to it: a model completed in
 * its front end's batch was reported as running for a few hundred ns.
 */

#include <kunit/test.h>

#include "card/aiot_card_times.h"

static void card_times_batch_keeps_card_distances(struct kunit *test)
{
	/* Card clock: job 0 ran 1000..1500, job 1 1500..4500. */
	const u64 ds[] = { 1000, 1500 }, de[] = { 1500, 4500 };
	u64 s[2], e[2];

	KUNIT_EXPECT_EQ(test, aiot_card_batch_times(100000, 0, ds, de, 2, s, e), 100000ULL);
	KUNIT_EXPECT_EQ(test, s[0], 96500ULL);
	KUNIT_EXPECT_EQ(test, e[0], 97000ULL);
	KUNIT_EXPECT_EQ(test, s[1], 97000ULL);
	KUNIT_EXPECT_EQ(test, e[1], 100000ULL);
}

static void card_times_never_before_the_job_before(struct kunit *test)
{
	const u64 ds[] = { 1000 }, de[] = { 1500 };
	u64 s[1], e[1];

	/* The job before ended 1 ns ago: this one started no earlier. */
	KUNIT_EXPECT_EQ(test, aiot_card_batch_times(100000, 99999, ds, de, 1, s, e), 100000ULL);
	KUNIT_EXPECT_EQ(test, s[0], 99999ULL);
	KUNIT_EXPECT_EQ(test, e[0], 100000ULL);
}

static void card_times_job_that_never_ran(struct kunit *test)
{
	/* Job 0 failed before it ran (no times); job 1 ran 2000..2600. */
	const u64 ds[] = { 0, 2000 }, de[] = { 0, 2600 };
	u64 s[2], e[2];

	KUNIT_EXPECT_EQ(test, aiot_card_batch_times(50000, 1000, ds, de, 2, s, e), 50000ULL);
	/* No times to give: the core keeps its own. */
	KUNIT_EXPECT_EQ(test, s[0], 0ULL);
	KUNIT_EXPECT_EQ(test, e[0], 0ULL);
	KUNIT_EXPECT_EQ(test, s[1], 49400ULL);
	KUNIT_EXPECT_EQ(test, e[1], 50000ULL);
	/* Nothing ran: the end of the job before stays the last one. */
	KUNIT_EXPECT_EQ(test, aiot_card_batch_times(60000, 50000, ds, de, 1, s, e), 50000ULL);
}

static void card_times_clock_going_back_overlaps_nothing(struct kunit *test)
{
	/* A card clock that steps back between two jobs. */
	const u64 ds[] = { 1000, 500 }, de[] = { 2000, 900 };
	u64 s[2], e[2];
	unsigned int i;

	aiot_card_batch_times(10000, 0, ds, de, 2, s, e);
	for (i = 0; i < 2; i++)
		KUNIT_EXPECT_LE(test, s[i], e[i]);
	KUNIT_EXPECT_GE(test, s[1], e[0]);
	KUNIT_EXPECT_LE(test, e[1], 10000ULL);
}

static void card_times_last_without_times_anchors_nothing(struct kunit *test)
{
	/* Job 1 failed without times: job 0 still ends at the batch's now. */
	const u64 ds[] = { 3000, 0 }, de[] = { 3700, 0 };
	u64 s[2], e[2];

	aiot_card_batch_times(20000, 0, ds, de, 2, s, e);
	KUNIT_EXPECT_EQ(test, s[0], 19300ULL);
	KUNIT_EXPECT_EQ(test, e[0], 20000ULL);
	KUNIT_EXPECT_EQ(test, e[1], 0ULL);
}

static struct kunit_case card_times_cases[] = {
	KUNIT_CASE(card_times_last_without_times_anchors_nothing),
	KUNIT_CASE(card_times_batch_keeps_card_distances),
	KUNIT_CASE(card_times_never_before_the_job_before),
	KUNIT_CASE(card_times_job_that_never_ran),
	KUNIT_CASE(card_times_clock_going_back_overlaps_nothing),
	{}
};

static struct kunit_suite card_times_suite = {
	.name = "aiot_card_times",
	.test_cases = card_times_cases,
};

kunit_test_suite(card_times_suite);
