// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-card: the PCI driver of the aiot NPU card (docs/npu-card.md), an
 * aiot NPU backend that reaches memory by DMA (%AIOT_NPU_MEM_DMA).
 *
 * The card sits behind QEMU's generic ivshmem-doorbell ID, so probe takes
 * the device only when BAR2's register block carries the card's magic, a
 * major version and required capabilities this driver knows. Jobs go to the
 * card through a submission ring in coherent memory, each with scatter
 * lists built from the sg tables the core mapped for this PCI device; the
 * completion interrupt drains the completion ring and completes the jobs.
 *
 * Signalling path (run, the interrupt handlers): one spinlock, no
 * allocation. Every job slot owns a preallocated area for its scatter
 * lists; a job needing more entries than a slot holds fails with -E2BIG.
 */

#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/iopoll.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/scatterlist.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>

#include <aiot/npu_card_regs.h>

#include "aiot_npu.h"
#include "isa/aiot_isa.h"

#define AIOT_CARD_NAME		"aiot-npu-card"
/* Jobs on the card at once: submission slots, also the scheduler's depth. */
#define AIOT_CARD_SLOTS		4
/* Scatter-list entries per job slot, all bindings and the stream together. */
#define AIOT_CARD_SLOT_SG	4096
#define AIOT_CARD_TIMEOUT_US	(1000 * USEC_PER_MSEC)

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

static const struct {
	const char *name;
	u32 reg;
} aiot_card_knobs[] = {
	{ "hang_next_jobs", AIOT_CARD_REG_KNOB_HANG },
	{ "slow_us", AIOT_CARD_REG_KNOB_SLOW_US },
	{ "dma_error_jobs", AIOT_CARD_REG_KNOB_DMA_ERROR },
	{ "corrupt_completions", AIOT_CARD_REG_KNOB_CORRUPT_CQE },
	{ "refuse_reset", AIOT_CARD_REG_KNOB_REFUSE_RESET },
	{ "remove", AIOT_CARD_REG_KNOB_REMOVE },
};

static struct dentry *aiot_card_debugfs_root;

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
 * @last_end_ns: when the last completion was handed to the core (the card
 *	runs one job at a time: the next one started after that)
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
	bool dead;
	struct work_struct gone_work;
	bool unregistered;
	struct work_struct error_work;
	u64 last_progress;
	u64 last_end_ns;
	struct dentry *debugfs;
	struct aiot_card_knob knobs[ARRAY_SIZE(aiot_card_knobs)];
};

static u32 card_rd(struct aiot_card *card, u32 reg)
{
	return readl(card->regs + reg);
}

static void card_wr(struct aiot_card *card, u32 reg, u32 val)
{
	writel(val, card->regs + reg);
}

static void card_doorbell(struct aiot_card *card, u32 vector)
{
	/* Register and ring writes reach the card before it is told. */
	wmb();
	writel(AIOT_IVSHMEM_DOORBELL_VAL(card->peer, vector),
	       card->ivshmem + AIOT_IVSHMEM_DOORBELL);
}

static bool card_is_gone(struct aiot_card *card)
{
	return card_rd(card, AIOT_CARD_REG_MAGIC) == 0xffffffff;
}

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
static int card_submit_locked(struct aiot_card *card, struct aiot_npu_job *job)
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

static void aiot_card_run(struct aiot_device *adev, struct aiot_npu_job *job)
{
	struct aiot_card *card = aiot_npu_priv(adev);
	unsigned long flags;
	int ret = 0;

	spin_lock_irqsave(&card->lock, flags);
	if (card->dead)
		ret = -ENODEV;
	else if (card->resetting)
		list_add_tail(&job->node, &card->pending);
	else
		ret = card_submit_locked(card, job);
	spin_unlock_irqrestore(&card->lock, flags);
	if (ret)
		aiot_npu_job_done(job, ret);
}

/*
 * Take every job off the card, in submission order is not needed: the core
 * matches nothing by order. card->lock held; the jobs go on @out.
 */
static void card_take_all_locked(struct aiot_card *card, struct list_head *out)
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

static void card_fail_list(struct list_head *jobs, int error)
{
	struct aiot_npu_job *job, *tmp;

	list_for_each_entry_safe(job, tmp, jobs, node) {
		list_del_init(&job->node);
		aiot_npu_job_done(job, error);
	}
}

static irqreturn_t aiot_card_irq_completion(int irq, void *arg)
{
	struct aiot_card *card = arg;
	struct aiot_npu_job *jobs[AIOT_CARD_SLOTS];
	int errors[AIOT_CARD_SLOTS];
	u64 device_ns[AIOT_CARD_SLOTS];
	u64 started, ended, now;
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
		started = le64_to_cpu(cqe->started_ns);
		ended = le64_to_cpu(cqe->ended_ns);
		device_ns[n] = started && ended >= started ? ended - started : 0;
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

	for (i = 0; i < n; i++) {
		/*
		 * The job was handed over (aiot_npu_job_begin()) when it was
		 * queued on the card; report when it really ran, no earlier
		 * than the job before it ended.
		 */
		if (device_ns[i]) {
			now = ktime_get_ns();
			aiot_npu_job_started_at(jobs[i],
						max(now - device_ns[i],
						    card->last_end_ns));
		}
		aiot_npu_job_done(jobs[i], errors[i]);
		card->last_end_ns = ktime_get_ns();
	}
	if (corrupt) {
		dev_err(&card->pdev->dev, "corrupt completion at %u: resetting the card\n",
			card->cq_head);
		schedule_work(&card->error_work);
	}
	return IRQ_HANDLED;
}

static irqreturn_t aiot_card_irq_error(int irq, void *arg)
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
static int card_hw_reset(struct aiot_card *card)
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

/* After a reset: program the rings and enable. Process context. */
static int card_hw_enable(struct aiot_card *card)
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

	ret = card_hw_reset(card);
	if (!ret)
		ret = card_hw_enable(card);

	spin_lock_irq(&card->lock);
	card_take_all_locked(card, &jobs);
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
		    card_submit_locked(card, job))
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

static void aiot_card_error_work(struct work_struct *work)
{
	struct aiot_card *card = container_of(work, struct aiot_card,
					      error_work);

	card_recover(card, NULL, 0);
}

static void aiot_card_gone_work(struct work_struct *work)
{
	struct aiot_card *card = container_of(work, struct aiot_card,
					      gone_work);
	LIST_HEAD(jobs);

	spin_lock_irq(&card->lock);
	card->dead = true;
	card_take_all_locked(card, &jobs);
	spin_unlock_irq(&card->lock);
	card_fail_list(&jobs, -ENODEV);

	dev_warn(&card->pdev->dev, "card is gone (surprise removal)\n");
	/* remove() unregisters if we got here first, but only once. */
	if (!xchg(&card->unregistered, true))
		aiot_npu_unregister(card->adev);
}

/*
 * Called inside drm_dev_enter(): never wait here for the unregistration
 * that the gone work does (it waits for us).
 */
static void aiot_card_reset(struct aiot_device *adev, struct aiot_npu_job *job)
{
	struct aiot_card *card = aiot_npu_priv(adev);
	LIST_HEAD(jobs);

	if (card_is_gone(card)) {
		spin_lock_irq(&card->lock);
		card_take_all_locked(card, &jobs);
		spin_unlock_irq(&card->lock);
		card_fail_list(&jobs, -ENODEV);
		schedule_work(&card->gone_work);
		return;
	}
	card_recover(card, job, -ETIMEDOUT);
}

static u64 aiot_card_progress(struct aiot_device *adev)
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

static const struct aiot_npu_ops aiot_card_ops = {
	.run = aiot_card_run,
	.reset = aiot_card_reset,
	.progress = aiot_card_progress,
};

/* A knob write takes effect with the CONTROL doorbell (spec section 8). */
static ssize_t aiot_card_knob_write(struct file *file, const char __user *buf,
				    size_t len, loff_t *ppos)
{
	struct aiot_card_knob *knob = file->private_data;
	struct aiot_card *card = knob->card;
	u32 val;
	int ret;

	ret = kstrtou32_from_user(buf, len, 0, &val);
	if (ret)
		return ret;
	spin_lock_irq(&card->lock);
	if (card->dead) {
		spin_unlock_irq(&card->lock);
		return -ENODEV;
	}
	card_wr(card, knob->reg, val);
	card_doorbell(card, AIOT_CARD_DB_CONTROL);
	spin_unlock_irq(&card->lock);
	return len;
}

static const struct file_operations aiot_card_knob_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = aiot_card_knob_write,
	.llseek = noop_llseek,
};

static void card_debugfs_add(struct aiot_card *card)
{
	int i;

	if (!(card_rd(card, AIOT_CARD_REG_CAPS) & AIOT_CARD_CAP_FAULT_KNOBS))
		return;
	card->debugfs = debugfs_create_dir(pci_name(card->pdev),
					   aiot_card_debugfs_root);
	for (i = 0; i < ARRAY_SIZE(aiot_card_knobs); i++) {
		card->knobs[i].card = card;
		card->knobs[i].reg = aiot_card_knobs[i].reg;
		debugfs_create_file(aiot_card_knobs[i].name, 0200, card->debugfs,
				    &card->knobs[i], &aiot_card_knob_fops);
	}
}

/* Section 3.1 of the spec: refuse what this driver does not understand. */
static int card_check_identity(struct aiot_card *card)
{
	struct device *dev = &card->pdev->dev;
	u32 magic = card_rd(card, AIOT_CARD_REG_MAGIC);
	u32 version = card_rd(card, AIOT_CARD_REG_VERSION);
	u32 caps = card_rd(card, AIOT_CARD_REG_CAPS);
	u32 isa = card_rd(card, AIOT_CARD_REG_ISA_VERSION);
	u32 unknown;

	if (magic != AIOT_CARD_MAGIC_VALUE) {
		dev_info(dev, "ivshmem device is not an aiot NPU card (magic 0x%08x)\n",
			 magic);
		return -ENODEV;
	}
	if (AIOT_CARD_VERSION_GET_MAJOR(version) != AIOT_CARD_VERSION_MAJOR) {
		dev_info(dev, "aiot NPU card version %u.%u not supported (need %u.x)\n",
			 AIOT_CARD_VERSION_GET_MAJOR(version),
			 AIOT_CARD_VERSION_GET_MINOR(version),
			 AIOT_CARD_VERSION_MAJOR);
		return -ENODEV;
	}
	unknown = caps & AIOT_CARD_CAPS_REQUIRED_MASK &
		  ~AIOT_CARD_CAPS_REQUIRED_KNOWN;
	if (unknown) {
		dev_info(dev, "aiot NPU card requires unknown capabilities 0x%08x\n",
			 unknown);
		return -ENODEV;
	}
	if ((isa >> 16) != (AIOT_ISA_VERSION_CURRENT >> 16)) {
		dev_info(dev, "aiot NPU card executes ISA %u.%u, driver validates %u.x\n",
			 isa >> 16, isa & 0xffff, AIOT_ISA_VERSION_CURRENT >> 16);
		return -ENODEV;
	}
	if (card_rd(card, AIOT_CARD_REG_MAX_BINDINGS) < AIOT_NPU_MAX_BINDINGS ||
	    card_rd(card, AIOT_CARD_REG_MAX_RING_ENTRIES) < AIOT_CARD_SLOTS ||
	    card_rd(card, AIOT_CARD_REG_MAX_SG_ENTRIES) < AIOT_CARD_SLOT_SG) {
		dev_info(dev, "aiot NPU card limits too small for this driver\n");
		return -ENODEV;
	}
	card->peer = card_rd(card, AIOT_CARD_REG_PEER_ID);
	card->desc.hw_id = version;
	/* Streams of a newer minor than the card's are never submitted. */
	card->desc.isa_version = min_t(u32, isa, AIOT_ISA_VERSION_CURRENT);
	return 0;
}

static int aiot_card_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	struct aiot_card *card;
	void __iomem *const *bars;
	u32 status;
	int i, ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	if (pci_resource_len(pdev, AIOT_CARD_BAR_SHM) < AIOT_CARD_MIN_SHM_SIZE)
		return -ENODEV;
	ret = pcim_iomap_regions(pdev, BIT(AIOT_CARD_BAR_IVSHMEM) |
				 BIT(AIOT_CARD_BAR_SHM), KBUILD_MODNAME);
	if (ret)
		return ret;
	bars = pcim_iomap_table(pdev);

	card = devm_kzalloc(dev, sizeof(*card), GFP_KERNEL);
	if (!card)
		return -ENOMEM;
	card->pdev = pdev;
	card->ivshmem = bars[AIOT_CARD_BAR_IVSHMEM];
	card->regs = bars[AIOT_CARD_BAR_SHM];
	spin_lock_init(&card->lock);
	INIT_LIST_HEAD(&card->pending);
	INIT_WORK(&card->error_work, aiot_card_error_work);
	INIT_WORK(&card->gone_work, aiot_card_gone_work);

	ret = card_check_identity(card);
	if (ret)
		return ret;
	ret = readl_poll_timeout(card->regs + AIOT_CARD_REG_STATUS, status,
				 status & AIOT_CARD_STATUS_READY, 1000,
				 AIOT_CARD_TIMEOUT_US);
	if (ret)
		return dev_err_probe(dev, ret, "card not ready\n");

	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64));
	if (ret)
		return dev_err_probe(dev, ret, "no 64-bit DMA\n");
	/* A scatter-list entry's length is 32 bits (struct aiot_card_sg). */
	dma_set_max_seg_size(dev, U32_MAX & PAGE_MASK);
	pci_set_master(pdev);

	card->sq = dmam_alloc_coherent(dev, AIOT_CARD_SLOTS * sizeof(*card->sq),
				       &card->sq_dma, GFP_KERNEL);
	card->cq = dmam_alloc_coherent(dev, AIOT_CARD_SLOTS * sizeof(*card->cq),
				       &card->cq_dma, GFP_KERNEL);
	if (!card->sq || !card->cq)
		return -ENOMEM;
	for (i = 0; i < AIOT_CARD_SLOTS; i++) {
		card->slots[i].sg =
			dmam_alloc_coherent(dev, AIOT_CARD_SLOT_SG *
					    sizeof(struct aiot_card_sg),
					    &card->slots[i].sg_dma, GFP_KERNEL);
		if (!card->slots[i].sg)
			return -ENOMEM;
	}

	ret = pci_alloc_irq_vectors(pdev, AIOT_CARD_NUM_MSIX, AIOT_CARD_NUM_MSIX,
				    PCI_IRQ_MSIX);
	if (ret < 0)
		return dev_err_probe(dev, ret, "no MSI-X vectors\n");
	ret = devm_request_irq(dev, pci_irq_vector(pdev, AIOT_CARD_MSIX_COMPLETION),
			       aiot_card_irq_completion, 0, "aiot-card-cq", card);
	if (ret)
		return ret;
	ret = devm_request_irq(dev, pci_irq_vector(pdev, AIOT_CARD_MSIX_ERROR),
			       aiot_card_irq_error, 0, "aiot-card-err", card);
	if (ret)
		return ret;

	ret = card_hw_reset(card);
	if (ret)
		return dev_err_probe(dev, ret, "card reset failed\n");
	ret = card_hw_enable(card);
	if (ret)
		return dev_err_probe(dev, ret, "card enable failed\n");

	card->desc.name = AIOT_CARD_NAME;
	card->desc.queue_depth = AIOT_CARD_SLOTS;
	card->desc.mem = AIOT_NPU_MEM_DMA;
	pci_set_drvdata(pdev, card);
	card->adev = aiot_npu_register(dev, &card->desc, &aiot_card_ops, card);
	if (IS_ERR(card->adev)) {
		card_hw_reset(card);
		return dev_err_probe(dev, PTR_ERR(card->adev),
				     "cannot register the NPU\n");
	}
	card_debugfs_add(card);
	dev_info(dev, "aiot NPU card %u.%u, ISA 0x%08x, peer %u\n",
		 AIOT_CARD_VERSION_GET_MAJOR(card->desc.hw_id),
		 AIOT_CARD_VERSION_GET_MINOR(card->desc.hw_id),
		 card->desc.isa_version, card->peer);
	return 0;
}

static void aiot_card_remove(struct pci_dev *pdev)
{
	struct aiot_card *card = pci_get_drvdata(pdev);
	LIST_HEAD(jobs);

	debugfs_remove_recursive(card->debugfs);
	/* New jobs fail at once; the interrupts schedule no more work. */
	spin_lock_irq(&card->lock);
	card->dead = true;
	spin_unlock_irq(&card->lock);
	/* No run() or reset() is in progress or comes once this returns. */
	if (!xchg(&card->unregistered, true))
		aiot_npu_unregister(card->adev);
	cancel_work_sync(&card->error_work);
	cancel_work_sync(&card->gone_work);

	/* The card stops touching memory... */
	spin_lock_irq(&card->lock);
	card->resetting = true;
	spin_unlock_irq(&card->lock);
	if (!card_is_gone(card) && card_hw_reset(card))
		dev_warn(&pdev->dev, "card did not reset on removal\n");
	pci_clear_master(pdev);
	synchronize_irq(pci_irq_vector(pdev, AIOT_CARD_MSIX_COMPLETION));
	synchronize_irq(pci_irq_vector(pdev, AIOT_CARD_MSIX_ERROR));

	/* ...and every job it held completes; the core unmaps after us. */
	spin_lock_irq(&card->lock);
	card_take_all_locked(card, &jobs);
	spin_unlock_irq(&card->lock);
	card_fail_list(&jobs, -ENODEV);
}

static const struct pci_device_id aiot_card_ids[] = {
	{ PCI_DEVICE(AIOT_CARD_PCI_VENDOR, AIOT_CARD_PCI_DEVICE) },
	{ }
};
MODULE_DEVICE_TABLE(pci, aiot_card_ids);

static struct pci_driver aiot_card_driver = {
	.name = "aiot-card",
	.id_table = aiot_card_ids,
	.probe = aiot_card_probe,
	.remove = aiot_card_remove,
};

static int __init aiot_card_init(void)
{
	int ret;

	aiot_card_debugfs_root = debugfs_create_dir("aiot-card", NULL);
	ret = pci_register_driver(&aiot_card_driver);
	if (ret)
		debugfs_remove_recursive(aiot_card_debugfs_root);
	return ret;
}

static void __exit aiot_card_exit(void)
{
	pci_unregister_driver(&aiot_card_driver);
	debugfs_remove_recursive(aiot_card_debugfs_root);
}

module_init(aiot_card_init);
module_exit(aiot_card_exit);

MODULE_DESCRIPTION("aiot NPU card: PCI driver of the aiot inference accelerator");
MODULE_AUTHOR("The aiot authors");
MODULE_LICENSE("GPL");
