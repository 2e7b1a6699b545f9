// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-card: the PCI driver of the aiot NPU card (docs/npu-card.md), an
 * aiot NPU backend that reaches memory by DMA (%AIOT_NPU_MEM_DMA).
 *
 * The card sits behind QEMU's generic ivshmem-doorbell ID, so probe takes
 * the device only when BAR2's register block carries the card's magic, a
 * major version and required capabilities this driver knows.
 *
 * This file: probe, identity checks, the fault-injection knobs in debugfs,
 * orderly removal and the module. The rings, submission and the completion
 * interrupt are in aiot_card_ring.c; the error interrupt, reset, the hang
 * check and surprise removal in aiot_card_reset.c.
 */

#include <linux/debugfs.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/iopoll.h>
#include <linux/module.h>
#include <linux/pci.h>

#include "aiot_card.h"
#include "isa/aiot_isa.h"

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

static_assert(ARRAY_SIZE(aiot_card_knobs) == AIOT_CARD_NUM_KNOBS);

static struct dentry *aiot_card_debugfs_root;

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

	ret = aiot_card_hw_reset(card);
	if (ret)
		return dev_err_probe(dev, ret, "card reset failed\n");
	ret = aiot_card_hw_enable(card);
	if (ret)
		return dev_err_probe(dev, ret, "card enable failed\n");

	card->desc.name = AIOT_CARD_NAME;
	card->desc.queue_depth = AIOT_CARD_SLOTS;
	card->desc.mem = AIOT_NPU_MEM_DMA;
	pci_set_drvdata(pdev, card);
	card->adev = aiot_npu_register(dev, &card->desc, &aiot_card_ops, card);
	if (IS_ERR(card->adev)) {
		aiot_card_hw_reset(card);
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
	if (!card_is_gone(card) && aiot_card_hw_reset(card)) {
		/*
		 * Its jobs' buffers are unmapped once we return: make sure the
		 * job it runs has done its DMA. On PCIe, clearing Bus Master
		 * below would also stop it; the emulated card cannot see that
		 * bit (docs/npu-card.md, section 6.1).
		 */
		dev_warn(&pdev->dev, "card did not reset on removal: stopping it\n");
		if (aiot_card_hw_stop(card))
			dev_err(&pdev->dev,
				"card still busy after removal: it may write to freed memory\n");
	}
	pci_clear_master(pdev);
	synchronize_irq(pci_irq_vector(pdev, AIOT_CARD_MSIX_COMPLETION));
	synchronize_irq(pci_irq_vector(pdev, AIOT_CARD_MSIX_ERROR));

	/* ...and every job it held completes; the core unmaps after us. */
	spin_lock_irq(&card->lock);
	aiot_card_take_all_locked(card, &jobs);
	spin_unlock_irq(&card->lock);
	aiot_card_fail_list(&jobs, -ENODEV);
}

static DEFINE_SIMPLE_DEV_PM_OPS(aiot_card_pm_ops, aiot_card_suspend,
				aiot_card_resume);

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
	.driver.pm = pm_sleep_ptr(&aiot_card_pm_ops),
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
