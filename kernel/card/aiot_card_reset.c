// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-card: reset and recovery. The error interrupt and a corrupt
 * completion reset the card from a work item; the core's hang check reads
 * the progress register and asks for a reset of a job that stopped making
 * progress; a card that reads all ones is gone (surprise removal): its jobs
 * fail and the accelerator unregisters.
 */

#include <linux/interrupt.h>
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/iopoll.h>
#include <linux/pci.h>

#include "aiot_card.h"

irqreturn_t aiot_card_irq_error(int irq, void *arg)
{
	struct aiot_card *card = arg;
	u32 status;

	spin_lock(&card->lock);
	if (card->dead || card->resetting) {
		spin_unlock(&card->lock);
		return IRQ_HANDLED;
	}
	status = card_rd(card, AIOT_CARD_REG_STATUS);
	if (status == 0xffffffff || !(status & AIOT_CARD_STATUS_ERROR)) {
		spin_unlock(&card->lock);
		if (status == 0xffffffff)
			schedule_work(&card->gone_work);
		return IRQ_HANDLED;
	}
	card->resetting = true;
	spin_unlock(&card->lock);
	dev_err(&card->pdev->dev, "card halted: error %u info 0x%x: resetting it\n",
		card_rd(card, AIOT_CARD_REG_ERROR_CODE),
		card_rd(card, AIOT_CARD_REG_ERROR_INFO));
	schedule_work(&card->error_work);
	return IRQ_HANDLED;
}

/* Reset by register and wait until the card acknowledges it. Process context. */
int aiot_card_hw_reset(struct aiot_card *card)
{
	u32 req, ack;

	if (card_is_gone(card))
		return -ENODEV;
	req = card_rd(card, AIOT_CARD_REG_RESET_ACK) + 1;
	card_wr(card, AIOT_CARD_REG_RESET_REQ, req);
	card_doorbell(card, AIOT_CARD_DB_CONTROL);
	return readl_poll_timeout(card->regs + AIOT_CARD_REG_RESET_ACK, ack,
				  ack == req || ack == 0xffffffff, 1000,
				  AIOT_CARD_TIMEOUT_US) ?:
	       (ack == req ? 0 : -ENODEV);
}

/*
 * A card that would not reset on removal: clear ENABLE so that it fetches
 * nothing more, and wait until the job it is executing has written its
 * results and completion (STATUS.BUSY clears, spec 3.2). Only then may the
 * core unmap that job's buffers. Process context; -ETIMEDOUT if the card
 * still runs (a hung card: its DMA may then reach freed memory).
 */
int aiot_card_hw_stop(struct aiot_card *card)
{
	u32 status;

	card_wr(card, AIOT_CARD_REG_CONTROL, 0);
	card_doorbell(card, AIOT_CARD_DB_CONTROL);
	return readl_poll_timeout(card->regs + AIOT_CARD_REG_STATUS, status,
				  status == 0xffffffff ||
				  ((status & AIOT_CARD_STATUS_HALTED) &&
				   !(status & AIOT_CARD_STATUS_BUSY)),
				  1000, AIOT_CARD_STOP_TIMEOUT_US);
}

/* After a reset: program the rings and enable. Process context. */
int aiot_card_hw_enable(struct aiot_card *card)
{
	u32 status;
	int ret;

	memset(card->sq, 0, AIOT_CARD_SLOTS * sizeof(*card->sq));
	memset(card->cq, 0, AIOT_CARD_SLOTS * sizeof(*card->cq));
	card->sq_tail = 0;
	card->cq_head = 0;
	lo_hi_writeq(card->sq_dma, card->regs + AIOT_CARD_REG_SQ_BASE);
	card_wr(card, AIOT_CARD_REG_SQ_SIZE, AIOT_CARD_SLOTS);
	lo_hi_writeq(card->cq_dma, card->regs + AIOT_CARD_REG_CQ_BASE);
	card_wr(card, AIOT_CARD_REG_CQ_SIZE, AIOT_CARD_SLOTS);
	/* The reset's own ERROR cause is not news: clear it, then unmask. */
	card_wr(card, AIOT_CARD_REG_IRQ_ACK, AIOT_CARD_IRQ_ALL);
	card_wr(card, AIOT_CARD_REG_IRQ_MASK, 0);
	card_wr(card, AIOT_CARD_REG_CONTROL, AIOT_CARD_CONTROL_ENABLE);
	card_doorbell(card, AIOT_CARD_DB_CONTROL);
	ret = readl_poll_timeout(card->regs + AIOT_CARD_REG_STATUS, status,
				 status & (AIOT_CARD_STATUS_ENABLED |
					   AIOT_CARD_STATUS_ERROR),
				 1000, AIOT_CARD_TIMEOUT_US);
	if (ret)
		return ret;
	if (status == 0xffffffff)
		return -ENODEV;
	if (status & AIOT_CARD_STATUS_ERROR) {
		dev_err(&card->pdev->dev, "card refused its rings: error %u\n",
			card_rd(card, AIOT_CARD_REG_ERROR_CODE));
		return -EIO;
	}
	return 0;
}

/*
 * Reset the card; jobs on it are lost. @guilty (may be NULL) completes with
 * @guilty_err, the others are submitted again. Process context.
 */
static void card_recover(struct aiot_card *card, struct aiot_npu_job *guilty,
			 int guilty_err)
{
	struct aiot_npu_job *job, *tmp;
	LIST_HEAD(jobs);
	LIST_HEAD(failed);
	int ret;

	spin_lock_irq(&card->lock);
	card->resetting = true;
	spin_unlock_irq(&card->lock);

	ret = aiot_card_hw_reset(card);
	if (!ret)
		ret = aiot_card_hw_enable(card);

	spin_lock_irq(&card->lock);
	aiot_card_take_all_locked(card, &jobs);
	/* Removed meanwhile: remove() fails what it finds, we fail the rest. */
	if (card->dead && !ret)
		ret = -ENODEV;
	if (ret) {
		card->dead = true;
		list_splice_init(&jobs, &failed);
	}
	card->resetting = false;
	list_for_each_entry_safe(job, tmp, &jobs, node) {
		list_del_init(&job->node);
		if (job == guilty ||
		    aiot_card_submit_locked(card, job))
			list_add_tail(&job->node, &failed);
	}
	spin_unlock_irq(&card->lock);

	if (ret)
		dev_err(&card->pdev->dev, "card reset failed (%d): giving up on it\n",
			ret);
	list_for_each_entry_safe(job, tmp, &failed, node) {
		list_del_init(&job->node);
		aiot_npu_job_done(job, job == guilty ? guilty_err :
				  ret ? -ENODEV : -EIO);
	}
	if (ret == -ENODEV && card_is_gone(card))
		schedule_work(&card->gone_work);
}

void aiot_card_error_work(struct work_struct *work)
{
	struct aiot_card *card = container_of(work, struct aiot_card,
					      error_work);

	card_recover(card, NULL, 0);
}

void aiot_card_gone_work(struct work_struct *work)
{
	struct aiot_card *card = container_of(work, struct aiot_card,
					      gone_work);
	LIST_HEAD(jobs);

	spin_lock_irq(&card->lock);
	card->dead = true;
	aiot_card_take_all_locked(card, &jobs);
	spin_unlock_irq(&card->lock);
	aiot_card_fail_list(&jobs, -ENODEV);

	dev_warn(&card->pdev->dev, "card is gone (surprise removal)\n");
	/* remove() unregisters if we got here first, but only once. */
	if (!xchg(&card->unregistered, true))
		aiot_npu_unregister(card->adev);
}

/*
 * Called inside drm_dev_enter(): never wait here for the unregistration
 * that the gone work does (it waits for us).
 */
void aiot_card_reset(struct aiot_device *adev, struct aiot_npu_job *job)
{
	struct aiot_card *card = aiot_npu_priv(adev);
	LIST_HEAD(jobs);

	if (card_is_gone(card)) {
		spin_lock_irq(&card->lock);
		aiot_card_take_all_locked(card, &jobs);
		spin_unlock_irq(&card->lock);
		aiot_card_fail_list(&jobs, -ENODEV);
		schedule_work(&card->gone_work);
		return;
	}
	card_recover(card, job, -ETIMEDOUT);
}

/* No job on the card (completions still come in). */
static bool card_idle(struct aiot_card *card)
{
	bool idle = true;
	int i;

	spin_lock_irq(&card->lock);
	for (i = 0; i < AIOT_CARD_SLOTS; i++)
		idle &= !card->slots[i].job;
	spin_unlock_irq(&card->lock);
	return idle;
}

/*
 * System sleep (docs/npu-card.md, section 10). Suspend holds new jobs on
 * the pending list, with the core's timeout held, lets the jobs on the
 * card complete and stops it (CONTROL.ENABLE cleared); a card that does
 * not finish in time is reset, and what it ran runs again. Resume resets
 * the card, which may have lost power, programs its rings, enables it and
 * submits the held jobs, as after a recovery. The PCI core saves and
 * restores the config space and MSI-X.
 */
int aiot_card_suspend(struct device *dev)
{
	struct aiot_card *card = dev_get_drvdata(dev);
	LIST_HEAD(jobs);
	bool idle;

	if (card->unregistered)
		return 0;
	aiot_npu_suspend(card->adev);
	spin_lock_irq(&card->lock);
	card->suspended = true;
	spin_unlock_irq(&card->lock);
	/* Recovery work started before the freeze is done first. */
	flush_work(&card->error_work);
	readx_poll_timeout(card_idle, card, idle, idle, 1000,
			   AIOT_CARD_STOP_TIMEOUT_US);
	spin_lock_irq(&card->lock);
	card->resetting = true;
	spin_unlock_irq(&card->lock);
	if ((!idle || aiot_card_hw_stop(card)) && aiot_card_hw_reset(card))
		dev_warn(dev, "card did not stop for suspend\n");
	synchronize_irq(pci_irq_vector(card->pdev, AIOT_CARD_MSIX_COMPLETION));
	synchronize_irq(pci_irq_vector(card->pdev, AIOT_CARD_MSIX_ERROR));
	/* What a reset interrupted runs again on resume. */
	spin_lock_irq(&card->lock);
	aiot_card_take_all_locked(card, &jobs);
	list_splice_tail(&jobs, &card->pending);
	spin_unlock_irq(&card->lock);
	return 0;
}

int aiot_card_resume(struct device *dev)
{
	struct aiot_card *card = dev_get_drvdata(dev);

	if (card->unregistered)
		return 0;
	/* Still resetting: run() keeps holding jobs until the card is up. */
	spin_lock_irq(&card->lock);
	card->suspended = false;
	spin_unlock_irq(&card->lock);
	card_recover(card, NULL, 0);
	aiot_npu_resume(card->adev);
	return 0;
}

u64 aiot_card_progress(struct aiot_device *adev)
{
	struct aiot_card *card = aiot_npu_priv(adev);
	u64 p = lo_hi_readq(card->regs + AIOT_CARD_REG_PROGRESS);

	if (p == U64_MAX && card_is_gone(card)) {
		/* Fails its jobs and unregisters; does not wait for us. */
		schedule_work(&card->gone_work);
		return card->last_progress;
	}
	card->last_progress = p;
	return p;
}
