/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * aiot-npu-card's parts, shared by its files:
 *   card.c     setup and the main loop
 *   regs.c     the clock and the register block (BAR2)
 *   reset.c    status, interrupts, power-on, reset, removal
 *   dma.c      guest RAM, checked DMA and scatter lists
 *   server.c   the ivshmem server, the control socket, the service loop
 *   exec.c     a job: decode, check, run on the ISA executor
 *   rings.c    the submission and completion rings, the control register
 */
#ifndef AIOT_NPU_CARD_INTERNAL_H
#define AIOT_NPU_CARD_INTERNAL_H

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "aiot_isa.h"
#include "card.h"

#define CARD_PEER_ID		0
#define CARD_SG_SIZE		sizeof(struct aiot_card_sg)
#define CARD_SQE_SIZE		sizeof(struct aiot_card_sq_entry)
#define CARD_CQE_SIZE		sizeof(struct aiot_card_cq_entry)
#define CARD_MAX_SLOW_US	1000000u
#define CARD_TICK_NS		10000000ull	/* CLOCK_NS refresh, idle */
#define CARD_SERVICE_NS		1000000ull	/* event check while busy */

#define card_log(c, lvl, ...) do {					\
	if ((c)->opt.verbose >= (lvl)) {				\
		fprintf(stderr, "aiot-npu-card: " __VA_ARGS__);		\
		fputc('\n', stderr);					\
	}								\
} while (0)

/* card.c: set by the signal handler; the signals ppoll lets through. */
extern volatile sig_atomic_t card_signalled;
extern sigset_t card_wait_mask;

/* regs.c */
uint64_t mono_ns(void);
uint32_t *reg32(struct card *c, uint32_t off);
uint64_t *reg64(struct card *c, uint32_t off);
uint32_t rd32(struct card *c, uint32_t off);
uint64_t rd64(struct card *c, uint32_t off);
void wr32(struct card *c, uint32_t off, uint32_t v);
void wr64(struct card *c, uint32_t off, uint64_t v);
/* One step of a job's work (a DMA segment, an executor step) in the
 * PROGRESS register the driver's timeout watches. */
void card_progress(struct card *c);
/* Decrement a knob the driver set, unless it changed meanwhile. */
bool knob_take(struct card *c, uint32_t off);

/* reset.c */
void update_status(struct card *c);
void signal_guest(struct card *c, unsigned int vec);
void raise_irq(struct card *c, uint32_t bit);
void card_fatal(struct card *c, uint32_t code, uint32_t info);
void regs_power_on(struct card *c);
void card_reset(struct card *c);
void card_remove(struct card *c);
void card_restore(struct card *c);

/* dma.c */
/* A scatter list copied out of guest memory and checked entry by entry. */
struct sg_list {
	struct aiot_card_sg *e;
	uint32_t n;
};

int map_ram(struct card *c);
void unmap_ram(struct card *c);
bool dma_ok(struct card *c, uint64_t addr, uint64_t len);
int dma_read(struct card *c, uint64_t addr, void *dst, uint64_t len);
int dma_write(struct card *c, uint64_t addr, const void *src, uint64_t len);
int sg_fetch(struct card *c, uint64_t addr, uint32_t n, uint64_t need,
	     struct sg_list *out);
void sg_copy(struct card *c, const struct sg_list *sg, uint8_t *buf,
	     uint64_t size, bool to_ram);

/* server.c */
void guest_close(struct card *c);
bool reset_requested(struct card *c);
void handle_irq_regs(struct card *c);
void card_service(struct card *c, uint64_t timeout_ns);

/* exec.c */
struct job {
	struct aiot_card_sq_entry d;	/* CPU byte order after decode */
	struct sg_list cs_sg;
	struct sg_list sg[AIOT_CARD_MAX_BINDINGS];
	uint8_t *stream;
	uint8_t *buf[AIOT_CARD_MAX_BINDINGS];
	uint64_t size[AIOT_CARD_MAX_BINDINGS];
};

void job_free(struct job *j);
bool job_run(struct card *c, struct job *j, struct aiot_card_cq_entry *q);

/* rings.c */
void process_submissions(struct card *c);
void handle_control(struct card *c);

#endif /* AIOT_NPU_CARD_INTERNAL_H */
