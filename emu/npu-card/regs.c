// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-npu-card: the card's clock and its register block (BAR2), which the
 * guest may write at any time: every access is atomic and little-endian.
 */
#include "card_internal.h"

uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t card_now_ns(struct card *c)
{
	return mono_ns() - c->clock_origin;
}

uint32_t *reg32(struct card *c, uint32_t off)
{
	return (uint32_t *)(void *)(c->bar + off);
}

uint64_t *reg64(struct card *c, uint32_t off)
{
	return (uint64_t *)(void *)(c->bar + off);
}

uint32_t rd32(struct card *c, uint32_t off)
{
	return le32toh(__atomic_load_n(reg32(c, off), __ATOMIC_ACQUIRE));
}

uint64_t rd64(struct card *c, uint32_t off)
{
	return le64toh(__atomic_load_n(reg64(c, off), __ATOMIC_ACQUIRE));
}

/* A removed card writes nothing: its registers read all-ones. */
void wr32(struct card *c, uint32_t off, uint32_t v)
{
	if (!c->removed)
		__atomic_store_n(reg32(c, off), htole32(v), __ATOMIC_RELEASE);
}

void wr64(struct card *c, uint32_t off, uint64_t v)
{
	if (!c->removed)
		__atomic_store_n(reg64(c, off), htole64(v), __ATOMIC_RELEASE);
}

void card_progress(struct card *c)
{
	c->progress++;
	wr64(c, AIOT_CARD_REG_PROGRESS, c->progress);
}

/* Decrement a knob the driver set, unless it changed meanwhile. */
bool knob_take(struct card *c, uint32_t off)
{
	uint32_t *p = reg32(c, off);
	uint32_t old = __atomic_load_n(p, __ATOMIC_ACQUIRE);

	while (!c->removed && le32toh(old) != 0) {
		uint32_t new = htole32(le32toh(old) - 1);

		if (__atomic_compare_exchange_n(p, &old, new, false,
						__ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE))
			return true;
	}
	return false;
}
