// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-npu-card: the submission and completion rings, and the control
 * register that enables, resets or halts them.
 */
#include "card_internal.h"

static void post_completion(struct card *c, struct aiot_card_cq_entry *q,
			    bool irq)
{
	uint64_t addr = c->cq_base +
			(uint64_t)(c->cq_tail & (c->cq_size - 1)) * CARD_CQE_SIZE;
	struct aiot_card_cq_entry le;

	q->seq = c->cq_tail;
	q->ended_ns = card_now_ns(c);
	wr64(c, AIOT_CARD_REG_CLOCK_NS, q->ended_ns);
	if (knob_take(c, AIOT_CARD_REG_KNOB_CORRUPT_CQE)) {
		q->seq ^= 0x5a5a5a5au;
		q->job_id = ~q->job_id;
	}
	memset(&le, 0, sizeof(le));
	le.job_id = htole64(q->job_id);
	le.seq = htole32(q->seq);
	le.status = htole32(q->status);
	le.detail = htole32(q->detail);
	le.errno_val = htole32(q->errno_val);
	le.started_ns = htole64(q->started_ns);
	le.ended_ns = htole64(q->ended_ns);
	le.progress = htole64(q->progress);
	if (dma_write(c, addr, &le, sizeof(le))) {
		card_fatal(c, AIOT_CARD_ERR_CQ_DMA, c->cq_tail);
		return;
	}
	c->cq_tail++;
	c->jobs_done++;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	wr32(c, AIOT_CARD_REG_CQ_TAIL, c->cq_tail);
	wr64(c, AIOT_CARD_REG_JOBS_DONE, c->jobs_done);
	if (irq)
		raise_irq(c, AIOT_CARD_IRQ_COMPLETION);
}

void process_submissions(struct card *c)
{
	while (c->enabled && !c->halted_error && !c->removed && !c->stop &&
	       !c->control_pending) {
		uint32_t tail = rd32(c, AIOT_CARD_REG_SQ_TAIL);
		uint32_t cq_head = rd32(c, AIOT_CARD_REG_CQ_HEAD);
		uint64_t addr;
		struct aiot_card_cq_entry q;
		struct job *j;
		bool post, irq;

		if (tail == c->sq_head)
			return;
		if (tail - c->sq_head > c->sq_size) {
			card_fatal(c, AIOT_CARD_ERR_SQ_OVERRUN, tail);
			return;
		}
		if (c->cq_tail - cq_head > c->cq_size) {
			card_fatal(c, AIOT_CARD_ERR_CQ_OVERRUN, cq_head);
			return;
		}
		if (c->cq_tail - cq_head == c->cq_size)
			return;		/* no room: wait for CQ_HEAD */

		j = calloc(1, sizeof(*j));
		if (!j) {
			card_fatal(c, AIOT_CARD_ERR_INTERNAL, ENOMEM);
			return;
		}
		addr = c->sq_base +
		       (uint64_t)(c->sq_head & (c->sq_size - 1)) * CARD_SQE_SIZE;
		if (dma_read(c, addr, &j->d, sizeof(j->d))) {
			free(j);
			card_fatal(c, AIOT_CARD_ERR_SQ_DMA, c->sq_head);
			return;
		}
		c->sq_head++;
		wr32(c, AIOT_CARD_REG_SQ_HEAD, c->sq_head);

		memset(&q, 0, sizeof(q));
		c->abort_job = false;
		post = job_run(c, j, &q);
		irq = j->d.flags & AIOT_CARD_DESC_F_IRQ;
		job_free(j);
		free(j);
		if (post && !c->removed)
			post_completion(c, &q, irq);
		/* The job's last DMA is done: BUSY clears (spec 3.2). */
		if (c->in_job) {
			c->in_job = false;
			update_status(c);
		}
		c->abort_job = false;
	}
}
static bool ring_ok(struct card *c, uint64_t base, uint32_t size,
		    uint64_t esize, uint64_t align)
{
	return size && size <= AIOT_CARD_MAX_RING_ENTRIES &&
	       !(size & (size - 1)) && !(base & (align - 1)) &&
	       dma_ok(c, base, size * esize);
}

static void card_enable(struct card *c)
{
	int r = map_ram(c);

	if (r) {
		card_log(c, 0, "cannot map guest RAM %s: %s", c->opt.ram_path,
			 strerror(-r));
		card_fatal(c, AIOT_CARD_ERR_INTERNAL, (uint32_t)-r);
		return;
	}
	c->sq_base = rd64(c, AIOT_CARD_REG_SQ_BASE);
	c->sq_size = rd32(c, AIOT_CARD_REG_SQ_SIZE);
	c->cq_base = rd64(c, AIOT_CARD_REG_CQ_BASE);
	c->cq_size = rd32(c, AIOT_CARD_REG_CQ_SIZE);
	if (!ring_ok(c, c->sq_base, c->sq_size, CARD_SQE_SIZE, 512) ||
	    !ring_ok(c, c->cq_base, c->cq_size, CARD_CQE_SIZE, 64) ||
	    c->cq_size < c->sq_size) {
		card_fatal(c, AIOT_CARD_ERR_RING_CONFIG, 0);
		return;
	}
	c->enabled = true;
	card_log(c, 1, "enabled: sq %u@0x%llx cq %u@0x%llx", c->sq_size,
		 (unsigned long long)c->sq_base, c->cq_size,
		 (unsigned long long)c->cq_base);
	update_status(c);
}

void handle_control(struct card *c)
{
	uint32_t ctrl;

	handle_irq_regs(c);
	if (reset_requested(c))
		card_reset(c);
	ctrl = rd32(c, AIOT_CARD_REG_CONTROL);
	if ((ctrl & AIOT_CARD_CONTROL_ENABLE) && !c->enabled &&
	    !c->halted_error)
		card_enable(c);
	else if (!(ctrl & AIOT_CARD_CONTROL_ENABLE) && c->enabled) {
		c->enabled = false;
		update_status(c);
	}
}
