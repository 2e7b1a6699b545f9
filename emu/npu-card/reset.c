// SPDX-License-Identifier: GPL-2.0-only
/* aiot-npu-card: status, interrupts, power-on, reset, removal. */
#include "card_internal.h"

void update_status(struct card *c)
{
	uint32_t s = AIOT_CARD_STATUS_READY;

	if (c->enabled)
		s |= AIOT_CARD_STATUS_ENABLED;
	if (!c->enabled || c->halted_error)
		s |= AIOT_CARD_STATUS_HALTED;
	if (c->halted_error)
		s |= AIOT_CARD_STATUS_ERROR;
	if (c->in_job)
		s |= AIOT_CARD_STATUS_BUSY;
	wr32(c, AIOT_CARD_REG_STATUS, s);
}

void signal_guest(struct card *c, unsigned int vec)
{
	uint64_t one = 1;

	if (c->removed || c->guest.sock < 0 || vec >= CARD_MAX_VECTORS ||
	    c->guest.irq_fd[vec] < 0)
		return;
	/* EAGAIN means the counter is saturated: the interrupt is pending. */
	if (write(c->guest.irq_fd[vec], &one, sizeof(one)) < 0 &&
	    errno != EAGAIN)
		card_log(c, 1, "interrupt vector %u: %s", vec, strerror(errno));
}

static unsigned int irq_vector(uint32_t bit)
{
	return bit == AIOT_CARD_IRQ_ERROR ? AIOT_CARD_MSIX_ERROR
					  : AIOT_CARD_MSIX_COMPLETION;
}

void raise_irq(struct card *c, uint32_t bit)
{
	uint32_t st = rd32(c, AIOT_CARD_REG_IRQ_STATUS) | bit;

	wr32(c, AIOT_CARD_REG_IRQ_STATUS, st);
	if (!(rd32(c, AIOT_CARD_REG_IRQ_MASK) & bit))
		signal_guest(c, irq_vector(bit));
}

void card_fatal(struct card *c, uint32_t code, uint32_t info)
{
	card_log(c, 1, "halted: error %u info 0x%x", code, info);
	c->halted_error = true;
	wr32(c, AIOT_CARD_REG_ERROR_CODE, code);
	wr32(c, AIOT_CARD_REG_ERROR_INFO, info);
	update_status(c);
	raise_irq(c, AIOT_CARD_IRQ_ERROR);
}

/* The register block as after power-on. */
void regs_power_on(struct card *c)
{
	uint32_t version = AIOT_CARD_VERSION(AIOT_CARD_VERSION_MAJOR,
					     AIOT_CARD_VERSION_MINOR);

	if (c->opt.fake_version)
		version = c->opt.fake_version;
	c->abort_job = c->in_job;
	memset(c->bar, 0, AIOT_CARD_REG_BLOCK_SIZE);
	wr32(c, AIOT_CARD_REG_VERSION, version);
	wr32(c, AIOT_CARD_REG_CAPS, AIOT_CARD_CAP_FAULT_KNOBS |
	     AIOT_CARD_CAP_CLOCK | c->opt.extra_caps);
	wr32(c, AIOT_CARD_REG_ISA_VERSION, AIOT_ISA_VERSION_CURRENT);
	wr32(c, AIOT_CARD_REG_PEER_ID, CARD_PEER_ID);
	wr32(c, AIOT_CARD_REG_MAX_BINDINGS, AIOT_CARD_MAX_BINDINGS);
	wr32(c, AIOT_CARD_REG_MAX_SG_ENTRIES, AIOT_CARD_MAX_SG_ENTRIES);
	wr32(c, AIOT_CARD_REG_MAX_RING_ENTRIES, AIOT_CARD_MAX_RING_ENTRIES);
	wr32(c, AIOT_CARD_REG_MAX_CS_SIZE, AIOT_CARD_MAX_CS_SIZE);
	wr32(c, AIOT_CARD_REG_DMA_ADDR_BITS, 64);
	wr32(c, AIOT_CARD_REG_IRQ_MASK, AIOT_CARD_IRQ_ALL);
	wr64(c, AIOT_CARD_REG_PROGRESS, c->progress);
	wr64(c, AIOT_CARD_REG_CLOCK_NS, card_now_ns(c));
	wr64(c, AIOT_CARD_REG_JOBS_DONE, c->jobs_done);
	c->enabled = false;
	c->halted_error = false;
	c->sq_head = 0;
	c->cq_tail = 0;
	c->slow_us = 0;
	c->irq_mask_seen = AIOT_CARD_IRQ_ALL;
	update_status(c);
	/* The magic goes last: it says the rest is valid. */
	wr32(c, AIOT_CARD_REG_MAGIC, AIOT_CARD_MAGIC_VALUE);
}

void card_reset(struct card *c)
{
	uint32_t req = rd32(c, AIOT_CARD_REG_RESET_REQ);
	uint32_t off;

	card_log(c, 1, "reset %u", req);
	wr32(c, AIOT_CARD_REG_STATUS, AIOT_CARD_STATUS_READY |
	     AIOT_CARD_STATUS_HALTED | AIOT_CARD_STATUS_RESETTING);
	c->enabled = false;
	c->halted_error = false;
	c->sq_head = 0;
	c->cq_tail = 0;
	c->slow_us = 0;
	for (off = AIOT_CARD_REG_CONTROL; off < AIOT_CARD_REG_PROGRESS;
	     off += 4) {
		if (off != AIOT_CARD_REG_STATUS &&
		    off != AIOT_CARD_REG_RESET_REQ &&
		    off != AIOT_CARD_REG_RESET_ACK)
			wr32(c, off, 0);
	}
	for (off = AIOT_CARD_REG_SQ_BASE; off < 0x100; off += 4)
		wr32(c, off, 0);
	for (off = 0x800; off < 0x900; off += 4)
		wr32(c, off, 0);
	wr32(c, AIOT_CARD_REG_IRQ_MASK, AIOT_CARD_IRQ_ALL);
	update_status(c);
	c->irq_mask_seen = AIOT_CARD_IRQ_ALL;
	wr32(c, AIOT_CARD_REG_RESET_ACK, req);
}

void card_remove(struct card *c)
{
	if (c->removed)
		return;
	card_log(c, 1, "surprise removal");
	memset(c->bar, 0xff, AIOT_CARD_REG_BLOCK_SIZE);
	c->removed = true;
	c->enabled = false;
	c->abort_job = c->in_job;
}

void card_restore(struct card *c)
{
	card_log(c, 1, "restored");
	c->removed = false;
	regs_power_on(c);
}
