/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * aiot-card: what the parts of the NPU card's driver share.
 *
 *   aiot_card_drv.c    PCI probe, identity checks, debugfs knobs, remove
 *   aiot_card_ring.c   rings, submission and the completion interrupt
 *   aiot_card_reset.c  the error interrupt, reset, hang check, surprise removal
 */
#ifndef AIOT_CARD_H
#define AIOT_CARD_H

#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include <aiot/npu_card_regs.h>

#include "aiot_npu.h"

#define AIOT_CARD_NAME		"aiot-npu-card"
/* Jobs on the card at once: submission slots, also the scheduler's depth. */
#define AIOT_CARD_SLOTS		4
/* Scatter-list entries per job slot, all bindings and the stream together. */
#define AIOT_CARD_SLOT_SG	4096
#define AIOT_CARD_TIMEOUT_US	(1000 * USEC_PER_MSEC)
/* A card that refused its reset on removal: how long its last job may run. */
#define AIOT_CARD_STOP_TIMEOUT_US	(10 * USEC_PER_SEC)
/* Fault-injection knob files (spec section 8). */
#define AIOT_CARD_NUM_KNOBS	6

struct aiot_card;

/**
 * struct aiot_card_knob - a fault-injection knob file in debugfs
 * @card: the card
 * @reg: the knob register (spec section 8)
 */
struct aiot_card_knob {
	struct aiot_card *card;
	u32 reg;
};

/**
 * struct aiot_card_slot - one job on the card
 * @job: the job, or NULL when the slot is free
 * @tag: generation, so that a stale or corrupt job_id is recognised
 * @sg: this slot's scatter-list area (CPU address)
 * @sg_dma: its bus address
 */
struct aiot_card_slot {
	struct aiot_npu_job *job;
	u32 tag;
	struct aiot_card_sg *sg;
	dma_addr_t sg_dma;
};

/**
 * struct aiot_card - one card
 * @pdev: its PCI device
 * @adev: its accelerator in the aiot core
 * @desc: what the core reports about it
 * @ivshmem: BAR0, the doorbell
 * @regs: BAR2, the register block
 * @peer: the card's ivshmem peer ID
 * @lock: protects the rings, the slots, @pending, @resetting, @dead
 * @sq: submission ring (coherent)
 * @sq_dma: its bus address
 * @cq: completion ring (coherent)
 * @cq_dma: its bus address
 * @sq_tail: next submission index
 * @cq_head: next completion index
 * @slots: jobs on the card
 * @pending: jobs run while a reset is in progress, submitted after it
 * @resetting: a reset is in progress: do not touch the rings
 * @dead: the card is gone or would not reset: fail every job
 * @gone_work: unregisters after a surprise removal
 * @unregistered: @adev was unregistered
 * @error_work: recovers from a card-reported error
 * @last_progress: PROGRESS at the last read, returned once the card is gone
 * @last_end_ns: when the last job completed ended, in the host's clock
 *	(the card runs one job at a time: the next one started after that)
 * @debugfs: fault-injection knobs, when the card has them
 * @knobs: what each knob file writes
 */
struct aiot_card {
	struct pci_dev *pdev;
	struct aiot_device *adev;
	struct aiot_npu_desc desc;
	void __iomem *ivshmem;
	void __iomem *regs;
	u32 peer;
	spinlock_t lock;	/* rings, slots, pending, flags */
	struct aiot_card_sq_entry *sq;
	dma_addr_t sq_dma;
	struct aiot_card_cq_entry *cq;
	dma_addr_t cq_dma;
	u32 sq_tail;
	u32 cq_head;
	struct aiot_card_slot slots[AIOT_CARD_SLOTS];
	struct list_head pending;
	bool resetting;
	bool suspended;
	bool dead;
	struct work_struct gone_work;
	bool unregistered;
	struct work_struct error_work;
	u64 last_progress;
	u64 last_end_ns;
	struct dentry *debugfs;
	struct aiot_card_knob knobs[AIOT_CARD_NUM_KNOBS];
};

static inline u32 card_rd(struct aiot_card *card, u32 reg)
{
	return readl(card->regs + reg);
}

static inline void card_wr(struct aiot_card *card, u32 reg, u32 val)
{
	writel(val, card->regs + reg);
}

static inline void card_doorbell(struct aiot_card *card, u32 vector)
{
	/* Register and ring writes reach the card before it is told. */
	wmb();
	writel(AIOT_IVSHMEM_DOORBELL_VAL(card->peer, vector),
	       card->ivshmem + AIOT_IVSHMEM_DOORBELL);
}

static inline bool card_is_gone(struct aiot_card *card)
{
	return card_rd(card, AIOT_CARD_REG_MAGIC) == 0xffffffff;
}

/* aiot_card_reset.c */
int aiot_card_suspend(struct device *dev);
int aiot_card_resume(struct device *dev);

/* aiot_card_ring.c */
int aiot_card_submit_locked(struct aiot_card *card, struct aiot_npu_job *job);
void aiot_card_take_all_locked(struct aiot_card *card, struct list_head *out);
void aiot_card_fail_list(struct list_head *jobs, int error);
void aiot_card_run(struct aiot_device *adev, struct aiot_npu_job *job);
irqreturn_t aiot_card_irq_completion(int irq, void *arg);

/* aiot_card_reset.c */
int aiot_card_hw_reset(struct aiot_card *card);
int aiot_card_hw_enable(struct aiot_card *card);
int aiot_card_hw_stop(struct aiot_card *card);
void aiot_card_error_work(struct work_struct *work);
void aiot_card_gone_work(struct work_struct *work);
void aiot_card_reset(struct aiot_device *adev, struct aiot_npu_job *job);
u64 aiot_card_progress(struct aiot_device *adev);
irqreturn_t aiot_card_irq_error(int irq, void *arg);

#endif /* AIOT_CARD_H */
