/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The aiot NPU card: register block, ring entries and scatter lists.
 *
 * The normative description is docs/npu-card.md; this header is its
 * machine-readable half, shared by the Linux PCI driver and the host
 * emulator (emu/npu-card). Everything the card and the driver exchange is
 * little-endian with fixed widths and explicit padding; every structure
 * below has its size and field offsets checked at compile time.
 *
 * Registers are accessed as aligned 32-bit words, 64-bit registers as one
 * aligned 64-bit access (or low word then high word on a 32-bit CPU, see
 * the spec). Ring entries and scatter lists live in system memory and are
 * read and written by the card through DMA.
 */
#ifndef AIOT_NPU_CARD_REGS_H
#define AIOT_NPU_CARD_REGS_H

/* --- port shim: the only place that knows kernel from userspace --- */
#ifdef __KERNEL__
#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <linux/types.h>
typedef __le32 aiot_card_le32;
typedef __le64 aiot_card_le64;
#define AIOT_CARD_BIT(n)		BIT(n)
#else
#include <assert.h>
#include <stddef.h>
/* plain integers in userspace, where the CPU is little-endian */
#define aiot_card_le32			__UINT32_TYPE__
#define aiot_card_le64			__UINT64_TYPE__
#define AIOT_CARD_BIT(n)		(1u << (n))
#endif

/* ------------------------------------------------------------------ */
/* PCI identity (QEMU's ivshmem-doorbell, revision 1)                  */
/* ------------------------------------------------------------------ */
#define AIOT_CARD_PCI_VENDOR		0x1af4
#define AIOT_CARD_PCI_DEVICE		0x1110
#define AIOT_CARD_PCI_REVISION		1

/* BAR numbers */
#define AIOT_CARD_BAR_IVSHMEM		0	/* ivshmem registers, 256 B */
#define AIOT_CARD_BAR_MSIX		1	/* MSI-X table + PBA */
#define AIOT_CARD_BAR_SHM		2	/* card register block + rest */

/* BAR0: ivshmem registers (QEMU docs/specs/ivshmem-spec.rst) */
#define AIOT_IVSHMEM_INTR_MASK		0x00
#define AIOT_IVSHMEM_INTR_STATUS	0x04
#define AIOT_IVSHMEM_IVPOSITION		0x08
#define AIOT_IVSHMEM_DOORBELL		0x0c
#define AIOT_IVSHMEM_DOORBELL_VAL(peer, vec) \
	((((peer) & 0xffffu) << 16) | ((vec) & 0xffffu))

/* Doorbell vectors of the card (guest -> card, BAR0 Doorbell). */
#define AIOT_CARD_DB_SUBMIT		0	/* SQ_TAIL advanced */
#define AIOT_CARD_DB_CONTROL		1	/* CONTROL/RESET/IRQ_ACK/... */
#define AIOT_CARD_NUM_DB		2

/* MSI-X vectors of the guest (card -> guest). */
#define AIOT_CARD_MSIX_COMPLETION	0
#define AIOT_CARD_MSIX_ERROR		1
#define AIOT_CARD_NUM_MSIX		2

/* ------------------------------------------------------------------ */
/* BAR2: register block at offset 0                                    */
/* ------------------------------------------------------------------ */
#define AIOT_CARD_REG_BLOCK_SIZE	0x1000
#define AIOT_CARD_MIN_SHM_SIZE		0x10000	/* 64 KiB, power of two */

#define AIOT_CARD_MAGIC_VALUE		0x434f4941u	/* "AIOC" LE */
#define AIOT_CARD_VERSION_MAJOR		1
#define AIOT_CARD_VERSION_MINOR		0
#define AIOT_CARD_VERSION(maj, min)	(((maj) << 16) | (min))
#define AIOT_CARD_VERSION_GET_MAJOR(v)	((v) >> 16)
#define AIOT_CARD_VERSION_GET_MINOR(v)	((v) & 0xffffu)

/* Identity and limits: written by the card, read-only for the driver. */
#define AIOT_CARD_REG_MAGIC		0x000
#define AIOT_CARD_REG_VERSION		0x004
#define AIOT_CARD_REG_CAPS		0x008
#define AIOT_CARD_REG_ISA_VERSION	0x00c
#define AIOT_CARD_REG_PEER_ID		0x010
#define AIOT_CARD_REG_MAX_BINDINGS	0x014
#define AIOT_CARD_REG_MAX_SG_ENTRIES	0x018
#define AIOT_CARD_REG_MAX_RING_ENTRIES	0x01c
#define AIOT_CARD_REG_MAX_CS_SIZE	0x020
#define AIOT_CARD_REG_DMA_ADDR_BITS	0x024

/* Control and status. */
#define AIOT_CARD_REG_CONTROL		0x030	/* driver writes */
#define AIOT_CARD_REG_STATUS		0x034	/* card writes */
#define AIOT_CARD_REG_ERROR_CODE	0x038	/* card writes */
#define AIOT_CARD_REG_ERROR_INFO	0x03c	/* card writes */
#define AIOT_CARD_REG_RESET_REQ		0x040	/* driver writes */
#define AIOT_CARD_REG_RESET_ACK		0x044	/* card writes */
#define AIOT_CARD_REG_IRQ_STATUS	0x048	/* card writes */
#define AIOT_CARD_REG_IRQ_ACK		0x04c	/* driver writes 1s, W1C */
#define AIOT_CARD_REG_IRQ_MASK		0x050	/* driver writes */

/* 64-bit counters, card writes, 8-byte aligned. */
#define AIOT_CARD_REG_PROGRESS		0x058
#define AIOT_CARD_REG_CLOCK_NS		0x060
#define AIOT_CARD_REG_JOBS_DONE		0x068

/* Submission ring. */
#define AIOT_CARD_REG_SQ_BASE		0x080	/* u64, driver writes */
#define AIOT_CARD_REG_SQ_SIZE		0x088	/* entries, driver writes */
#define AIOT_CARD_REG_SQ_TAIL		0x08c	/* driver writes */
#define AIOT_CARD_REG_SQ_HEAD		0x090	/* card writes */

/* Completion ring. */
#define AIOT_CARD_REG_CQ_BASE		0x0a0	/* u64, driver writes */
#define AIOT_CARD_REG_CQ_SIZE		0x0a8	/* entries, driver writes */
#define AIOT_CARD_REG_CQ_HEAD		0x0ac	/* driver writes */
#define AIOT_CARD_REG_CQ_TAIL		0x0b0	/* card writes */

/* Fault-injection knobs (present when AIOT_CARD_CAP_FAULT_KNOBS). */
#define AIOT_CARD_REG_KNOB_HANG		0x800	/* !=0: next job never ends */
#define AIOT_CARD_REG_KNOB_SLOW_US	0x804	/* delay per progress step */
#define AIOT_CARD_REG_KNOB_DMA_ERROR	0x808	/* next N jobs: DMA error */
#define AIOT_CARD_REG_KNOB_CORRUPT_CQE	0x80c	/* next N completions bad */
#define AIOT_CARD_REG_KNOB_REFUSE_RESET	0x810	/* !=0: ignore RESET_REQ */
#define AIOT_CARD_REG_KNOB_REMOVE	0x814	/* !=0: surprise removal */

/* CAPS: bits 0-15 optional (ignore unknown), 16-31 required (refuse). */
#define AIOT_CARD_CAP_FAULT_KNOBS	AIOT_CARD_BIT(0)
#define AIOT_CARD_CAP_CLOCK		AIOT_CARD_BIT(1)
#define AIOT_CARD_CAPS_REQUIRED_MASK	0xffff0000u
/* Required capabilities a version 1.0 driver understands: none yet. */
#define AIOT_CARD_CAPS_REQUIRED_KNOWN	0x00000000u

/* CONTROL */
#define AIOT_CARD_CONTROL_ENABLE	AIOT_CARD_BIT(0)

/* STATUS */
#define AIOT_CARD_STATUS_READY		AIOT_CARD_BIT(0)
#define AIOT_CARD_STATUS_ENABLED	AIOT_CARD_BIT(1)
#define AIOT_CARD_STATUS_HALTED		AIOT_CARD_BIT(2)
#define AIOT_CARD_STATUS_ERROR		AIOT_CARD_BIT(3)
#define AIOT_CARD_STATUS_RESETTING	AIOT_CARD_BIT(4)
#define AIOT_CARD_STATUS_BUSY		AIOT_CARD_BIT(5)

/* ERROR_CODE: why the card halted (STATUS.ERROR set). */
enum aiot_card_error {
	AIOT_CARD_ERR_NONE		= 0,
	AIOT_CARD_ERR_RING_CONFIG	= 1,	/* bad base/size at enable */
	AIOT_CARD_ERR_SQ_OVERRUN	= 2,	/* SQ_TAIL - SQ_HEAD > SQ_SIZE */
	AIOT_CARD_ERR_SQ_DMA		= 3,	/* SQ entry not fetchable */
	AIOT_CARD_ERR_CQ_DMA		= 4,	/* CQ entry not writable */
	AIOT_CARD_ERR_CQ_OVERRUN	= 5,	/* CQ_TAIL - CQ_HEAD > CQ_SIZE */
	AIOT_CARD_ERR_INTERNAL		= 6,
};

/* IRQ_STATUS / IRQ_ACK / IRQ_MASK bits (MASK: 1 = suppressed). */
#define AIOT_CARD_IRQ_COMPLETION	AIOT_CARD_BIT(0)
#define AIOT_CARD_IRQ_ERROR		AIOT_CARD_BIT(1)
#define AIOT_CARD_IRQ_ALL		(AIOT_CARD_IRQ_COMPLETION | \
					 AIOT_CARD_IRQ_ERROR)

/* Limits of this card generation (the registers are authoritative). */
#define AIOT_CARD_MAX_BINDINGS		16
#define AIOT_CARD_MAX_RING_ENTRIES	4096
#define AIOT_CARD_MAX_SG_ENTRIES	65536
#define AIOT_CARD_MAX_CS_SIZE		(16u << 20)

/* ------------------------------------------------------------------ */
/* In system memory                                                    */
/* ------------------------------------------------------------------ */

/**
 * struct aiot_card_sg - one scatter-list entry (16 bytes, 16-aligned list)
 * @addr: bus address of the segment, any byte alignment
 * @len: bytes in the segment, at least 1
 * @reserved: must be 0
 */
struct aiot_card_sg {
	aiot_card_le64 addr;
	aiot_card_le32 len;
	aiot_card_le32 reserved;
};

/* Binding directions (struct aiot_card_binding.flags). 0 = unbound. */
#define AIOT_CARD_BIND_READ		AIOT_CARD_BIT(0)	/* DMA_TO_DEVICE */
#define AIOT_CARD_BIND_WRITE		AIOT_CARD_BIT(1)	/* DMA_FROM_DEVICE */
#define AIOT_CARD_BIND_DIR_MASK		(AIOT_CARD_BIND_READ | \
					 AIOT_CARD_BIND_WRITE)

/**
 * struct aiot_card_binding - the buffer bound to one ISA binding slot
 * @sgl: bus address of an array of @sgl_count struct aiot_card_sg
 * @sgl_count: entries in the list, 0..MAX_SG_ENTRIES (0 only if unbound)
 * @flags: AIOT_CARD_BIND_*; 0 means the slot is unbound
 * @size: bytes of the buffer as the stream sees it; the segments' total
 *	length must be at least @size, the card uses the first @size bytes
 */
struct aiot_card_binding {
	aiot_card_le64 sgl;
	aiot_card_le32 sgl_count;
	aiot_card_le32 flags;
	aiot_card_le64 size;
};

/* Submission descriptor flags. */
#define AIOT_CARD_DESC_F_IRQ		AIOT_CARD_BIT(0)	/* interrupt when done */
#define AIOT_CARD_DESC_F_KNOWN		AIOT_CARD_DESC_F_IRQ

/**
 * struct aiot_card_sq_entry - one job (512 bytes, 512-aligned in the ring)
 * @job_id: opaque to the card, echoed in the completion
 * @flags: AIOT_CARD_DESC_F_*; unknown bits fail the job (INVALID_DESC)
 * @nbindings: slots 0..@nbindings-1 of @bindings are considered
 * @cs_sgl: bus address of the command stream's scatter list
 * @cs_sgl_count: entries in it, 1..MAX_SG_ENTRIES
 * @cs_size: bytes of the command stream, 1..MAX_CS_SIZE
 * @reserved: must be 0
 * @bindings: per binding slot
 * @reserved2: must be 0
 */
struct aiot_card_sq_entry {
	aiot_card_le64 job_id;
	aiot_card_le32 flags;
	aiot_card_le32 nbindings;
	aiot_card_le64 cs_sgl;
	aiot_card_le32 cs_sgl_count;
	aiot_card_le32 cs_size;
	aiot_card_le32 reserved[8];
	struct aiot_card_binding bindings[AIOT_CARD_MAX_BINDINGS];
	aiot_card_le32 reserved2[16];
};

/* Completion status codes (struct aiot_card_cq_entry.status). */
enum aiot_card_cq_status {
	AIOT_CARD_CS_OK			= 0,
	AIOT_CARD_CS_INVALID_DESC	= 1,	/* detail: field offset */
	AIOT_CARD_CS_DMA_ERROR		= 2,	/* detail: slot, 0xff = stream */
	AIOT_CARD_CS_INVALID_STREAM	= 3,	/* detail: failing op index */
	AIOT_CARD_CS_EXEC_ERROR		= 4,	/* detail: positive errno */
	AIOT_CARD_CS_ABORTED		= 5,	/* stopped by reset */
};

/* detail of AIOT_CARD_CS_DMA_ERROR for the command stream itself */
#define AIOT_CARD_DMA_DETAIL_STREAM	0xff

/**
 * struct aiot_card_cq_entry - one completion (64 bytes, 64-aligned)
 * @job_id: the submission's job_id
 * @seq: the completion's free-running index (CQ_TAIL before it was posted)
 * @status: enum aiot_card_cq_status
 * @detail: status-specific detail, see the enum
 * @errno_val: positive errno-style code for the status, 0 if OK
 * @started_ns: card clock when the job started executing
 * @ended_ns: card clock when it ended
 * @progress: progress units the job consumed
 * @reserved: 0
 */
struct aiot_card_cq_entry {
	aiot_card_le64 job_id;
	aiot_card_le32 seq;
	aiot_card_le32 status;
	aiot_card_le32 detail;
	aiot_card_le32 errno_val;
	aiot_card_le64 started_ns;
	aiot_card_le64 ended_ns;
	aiot_card_le64 progress;
	aiot_card_le64 reserved[2];
};

static_assert(sizeof(struct aiot_card_sg) == 16, "sg size");
static_assert(sizeof(struct aiot_card_binding) == 24, "binding size");
static_assert(offsetof(struct aiot_card_sq_entry, bindings) == 0x40,
	      "sq bindings offset");
static_assert(sizeof(struct aiot_card_sq_entry) == 512, "sq entry size");
static_assert(sizeof(struct aiot_card_cq_entry) == 64, "cq entry size");

#endif /* AIOT_NPU_CARD_REGS_H */
