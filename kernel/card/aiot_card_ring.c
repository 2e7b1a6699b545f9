// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-card: the submission and completion rings (docs/npu-card.md, section
 * 5). A job becomes a descriptor in the submission ring whose scatter lists,
 * in the job slot's preallocated area, come from the sg tables the core
 * mapped for the card; the completion interrupt drains the completion ring
 * and completes the jobs.
 *
 * Signalling path (run, the interrupt handler): card->lock, no allocation.
 */

#include <linux/interrupt.h>
#include <linux/minmax.h>
#include <linux/pci.h>
#include <linux/scatterlist.h>
#include <linux/timekeeping.h>

#include "aiot_card.h"
#include "aiot_card_times.h"

static int card_status_errno(const struct aiot_card_cq_entry *cqe)
{
	u32 err = le32_to_cpu(cqe->errno_val);

	switch (le32_to_cpu(cqe->status)) {
	case AIOT_CARD_CS_OK:
		return 0;
	case AIOT_CARD_CS_DMA_ERROR:
		return -EFAULT;
	case AIOT_CARD_CS_INVALID_DESC:
		return -EINVAL;
	case AIOT_CARD_CS_ABORTED:
		return -ECANCELED;
	case AIOT_CARD_CS_INVALID_STREAM:
	case AIOT_CARD_CS_EXEC_ERROR:
		return err && err < MAX_ERRNO ? -(int)err : -EIO;
	default:
		return -EIO;
	}
}

/* Scatter list of one sg table into @sg; returns entries used or -E2BIG. */
static int card_fill_sg(struct aiot_card_sg *sg, unsigned int room,
			struct sg_table *sgt)
{
	struct scatterlist *s;
	unsigned int n = 0;
	int i;

	if (sgt->nents > room)
		return -E2BIG;
	for_each_sgtable_dma_sg(sgt, s, i) {
		sg[n].addr = cpu_to_le64(sg_dma_address(s));
		sg[n].len = cpu_to_le32(sg_dma_len(s));
		sg[n].reserved = 0;
		n++;
	}
	return n;
}

/* Write the descriptor of @job into the ring; card->lock held. */
static int card_write_desc(struct aiot_card *card, unsigned int slot_idx)
{
	struct aiot_card_slot *slot = &card->slots[slot_idx];
	struct aiot_npu_job *job = slot->job;
	struct aiot_card_sq_entry *e;
	unsigned int used = 1;
	int i, n;
	u32 flags;

	e = &card->sq[card->sq_tail & (AIOT_CARD_SLOTS - 1)];
	memset(e, 0, sizeof(*e));
	e->job_id = cpu_to_le64(((u64)slot->tag << 16) | slot_idx);
	e->flags = cpu_to_le32(AIOT_CARD_DESC_F_IRQ);
	e->nbindings = cpu_to_le32(AIOT_NPU_MAX_BINDINGS);
	slot->sg[0].addr = cpu_to_le64(job->stream_dma);
	slot->sg[0].len = cpu_to_le32(job->stream_size);
	slot->sg[0].reserved = 0;
	e->cs_sgl = cpu_to_le64(slot->sg_dma);
	e->cs_sgl_count = cpu_to_le32(1);
	e->cs_size = cpu_to_le32(job->stream_size);

	for (i = 0; i < AIOT_NPU_MAX_BINDINGS; i++) {
		if (!job->sgt[i])
			continue;
		n = card_fill_sg(slot->sg + used, AIOT_CARD_SLOT_SG - used,
				 job->sgt[i]);
		if (n < 0)
			return n;
		flags = AIOT_CARD_BIND_READ;
		if (job->dir[i] != DMA_TO_DEVICE)
			flags |= AIOT_CARD_BIND_WRITE;
		e->bindings[i].sgl = cpu_to_le64(slot->sg_dma +
						 used * sizeof(*slot->sg));
		e->bindings[i].sgl_count = cpu_to_le32(n);
		e->bindings[i].flags = cpu_to_le32(flags);
		e->bindings[i].size = cpu_to_le64(job->size[i]);
		used += n;
	}
	card->sq_tail++;
	return 0;
}

/* Make the new tail visible and ring SUBMIT; card->lock held. */
static void card_kick(struct aiot_card *card)
{
	/* Descriptors and scatter lists before the tail. */
	dma_wmb();
	card_wr(card, AIOT_CARD_REG_SQ_TAIL, card->sq_tail);
	card_doorbell(card, AIOT_CARD_DB_SUBMIT);
}

/* Hand @job to the card or fail it; card->lock held; returns the error. */
int aiot_card_submit_locked(struct aiot_card *card, struct aiot_npu_job *job)
{
	unsigned int i;
	int ret;

	for (i = 0; i < AIOT_CARD_SLOTS; i++)
		if (!card->slots[i].job)
			break;
	/* The scheduler never gives us more than the slots. */
	if (WARN_ON_ONCE(i == AIOT_CARD_SLOTS))
		return -EBUSY;

	ret = aiot_npu_job_begin(job);
	if (ret)
		return ret;
	card->slots[i].job = job;
	card->slots[i].tag++;
	ret = card_write_desc(card, i);
	if (ret) {
		card->slots[i].job = NULL;
		return ret;
	}
	card_kick(card);
	return 0;
}

void aiot_card_run(struct aiot_device *adev, struct aiot_npu_job *job)
{
	struct aiot_card *card = aiot_npu_priv(adev);
	unsigned long flags;
	int ret = 0;

	spin_lock_irqsave(&card->lock, flags);
	if (card->dead)
		ret = -ENODEV;
	else if (card->resetting || card->suspended)
		list_add_tail(&job->node, &card->pending);
	else
		ret = aiot_card_submit_locked(card, job);
	spin_unlock_irqrestore(&card->lock, flags);
	if (ret)
		aiot_npu_job_done(job, ret);
}

/*
 * Take every job off the card, in submission order is not needed: the core
 * matches nothing by order. card->lock held; the jobs go on @out.
 */
void aiot_card_take_all_locked(struct aiot_card *card, struct list_head *out)
{
	int i;

	for (i = 0; i < AIOT_CARD_SLOTS; i++) {
		if (!card->slots[i].job)
			continue;
		list_add_tail(&card->slots[i].job->node, out);
		card->slots[i].job = NULL;
	}
	list_splice_tail_init(&card->pending, out);
}

void aiot_card_fail_list(struct list_head *jobs, int error)
{
	struct aiot_npu_job *job, *tmp;

	list_for_each_entry_safe(job, tmp, jobs, node) {
		list_del_init(&job->node);
		aiot_npu_job_done(job, error);
	}
}

irqreturn_t aiot_card_irq_completion(int irq, void *arg)
{
	struct aiot_card *card = arg;
	struct aiot_npu_job *jobs[AIOT_CARD_SLOTS];
	int errors[AIOT_CARD_SLOTS];
	u64 dev_start[AIOT_CARD_SLOTS], dev_end[AIOT_CARD_SLOTS];
	u64 start[AIOT_CARD_SLOTS], end[AIOT_CARD_SLOTS];
	struct aiot_card_cq_entry *cqe;
	unsigned int i, n = 0;
	bool corrupt = false;
	u32 tail, slot_idx;
	u64 job_id;

	spin_lock(&card->lock);
	if (card->dead || card->resetting) {
		spin_unlock(&card->lock);
		return IRQ_HANDLED;
	}
	tail = card_rd(card, AIOT_CARD_REG_CQ_TAIL);
	if (tail == 0xffffffff && card_is_gone(card)) {
		spin_unlock(&card->lock);
		schedule_work(&card->gone_work);
		return IRQ_HANDLED;
	}
	/* The entries after the tail that covers them. */
	dma_rmb();
	/* At most one completion per slot is owed. */
	while (card->cq_head != tail && n < AIOT_CARD_SLOTS) {
		cqe = &card->cq[card->cq_head & (AIOT_CARD_SLOTS - 1)];
		job_id = le64_to_cpu(cqe->job_id);
		slot_idx = job_id & 0xffff;
		if (le32_to_cpu(cqe->seq) != card->cq_head ||
		    slot_idx >= AIOT_CARD_SLOTS ||
		    !card->slots[slot_idx].job ||
		    (u32)(job_id >> 16) != card->slots[slot_idx].tag) {
			corrupt = true;
			break;
		}
		jobs[n] = card->slots[slot_idx].job;
		errors[n] = card_status_errno(cqe);
		/* Its time on the card, by the card's clock (0: never ran). */
		dev_start[n] = le64_to_cpu(cqe->started_ns);
		dev_end[n] = le64_to_cpu(cqe->ended_ns);
		if (errors[n])
			dev_warn_ratelimited(&card->pdev->dev,
					     "job failed on the card: status %u detail 0x%x errno %u\n",
					     le32_to_cpu(cqe->status),
					     le32_to_cpu(cqe->detail),
					     le32_to_cpu(cqe->errno_val));
		n++;
		card->slots[slot_idx].job = NULL;
		card->cq_head++;
	}
	card_wr(card, AIOT_CARD_REG_CQ_HEAD, card->cq_head);
	if (corrupt)
		card->resetting = true;
	spin_unlock(&card->lock);

	/*
	 * The jobs were handed over (aiot_npu_job_begin()) when they were
	 * queued on the card; report when each really ran. Jobs that ended
	 * in one batch ended apart by the card's clock, not at once.
	 */
	card->last_end_ns = aiot_card_batch_times(ktime_get_ns(), card->last_end_ns,
						  dev_start, dev_end, n, start, end);
	for (i = 0; i < n; i++) {
		if (start[i]) {
			aiot_npu_job_started_at(jobs[i], start[i]);
			aiot_npu_job_ended_at(jobs[i], end[i]);
		}
		aiot_npu_job_done(jobs[i], errors[i]);
	}
	if (corrupt) {
		dev_err(&card->pdev->dev, "corrupt completion at %u: resetting the card\n",
			card->cq_head);
		schedule_work(&card->error_work);
	}
	return IRQ_HANDLED;
}
