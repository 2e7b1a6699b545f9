/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * When the card's jobs ran, in the host's clock. The card runs its jobs
 * one after another and stamps each completion with its own clock; the
 * driver sees a batch of completions in one interrupt, some time after the
 * last of them. Pure arithmetic, here so that KUnit can check it.
 */
#ifndef _AIOT_CARD_TIMES_H_
#define _AIOT_CARD_TIMES_H_

#include <linux/types.h>

/**
 * aiot_card_batch_times() - host times of a batch of completions
 * @now: the host time the batch is handled (ktime_get_ns())
 * @prev_end: host end of the job completed before the batch (0: none)
 * @dev_start: each job's start by the card's clock (0: it never ran)
 * @dev_end: each job's end by the card's clock, in completion order
 * @n: jobs in the batch
 * @start: out: each job's host start, 0 for one the card gave no times
 *	(it never ran)
 * @end: out: each job's host end, 0 likewise
 *
 * The last job with times ends at @now; each other one its card-clock
 * distance before that. A start is its end less its time on the card, never before
 * the end of the job before it (a card clock that drifts cannot make two
 * jobs overlap), and an end never before its start. Return: the host end
 * of the batch's last job, the @prev_end of the next batch.
 */
static inline u64 aiot_card_batch_times(u64 now, u64 prev_end, const u64 *dev_start,
					const u64 *dev_end, unsigned int n, u64 *start,
					u64 *end)
{
	u64 last = 0, back, ran, s, e;
	unsigned int i;

	/* The card's end of the batch: its last job that has times. */
	for (i = n; i-- > 0 && !last;)
		if (dev_start[i] && dev_end[i] >= dev_start[i])
			last = dev_end[i];
	for (i = 0; i < n; i++) {
		if (!dev_start[i] || dev_end[i] < dev_start[i]) {
			start[i] = 0;
			end[i] = 0;
			continue;
		}
		back = last > dev_end[i] ? last - dev_end[i] : 0;
		e = now > back ? now - back : 0;
		ran = dev_end[i] - dev_start[i];
		s = e > ran ? e - ran : 0;
		if (s < prev_end)
			s = prev_end;
		if (e < s)
			e = s;
		start[i] = s;
		end[i] = e;
		prev_end = e;
	}
	return prev_end;
}

#endif /* _AIOT_CARD_TIMES_H_ */
