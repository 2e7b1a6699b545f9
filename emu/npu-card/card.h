/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * aiot-npu-card: the emulated aiot NPU card (docs/npu-card.md).
 *
 * One process is one card. It is the ivshmem server of QEMU's
 * ivshmem-doorbell device: it owns the BAR2 memory (register block) and the
 * eventfds, maps the guest's RAM file for DMA, and runs jobs with the
 * project's userspace ISA validator and executor. Single-threaded: the
 * executor's progress hook services the event loop, so doorbells, resets
 * and the control socket are handled while a job runs.
 */
#ifndef AIOT_NPU_CARD_H
#define AIOT_NPU_CARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aiot/npu_card_regs.h"

#define CARD_MAX_VECTORS	2

struct card_options {
	const char *socket_path;	/* ivshmem server socket */
	const char *control_path;	/* host control socket, or NULL */
	const char *shm_path;		/* BAR2 file, or NULL for a memfd */
	const char *ram_path;		/* guest RAM (memory-backend-file) */
	uint64_t shm_size;		/* power of two >= 64 KiB */
	uint64_t dma_window;		/* 0: the whole RAM file */
	uint64_t ram_base;		/* bus address of the file's byte 0 */
	uint32_t fake_version;		/* 0: the real VERSION */
	uint32_t extra_caps;		/* ORed into CAPS (tests) */
	bool persist;			/* keep serving after the guest leaves */
	int verbose;
};

struct card_peer {
	int sock;			/* -1 when no guest is connected */
	int64_t id;
	int irq_fd[CARD_MAX_VECTORS];	/* card -> guest (MSI-X) */
};

struct card_ctl_client {
	int fd;
	size_t len;
	char buf[256];
};

struct card {
	struct card_options opt;

	/* BAR2 */
	int shm_fd;
	uint8_t *bar;
	/* guest RAM, mapped lazily (QEMU creates the file after connecting) */
	int ram_fd;
	uint8_t *ram;
	uint64_t ram_size;		/* bytes the card may reach */
	uint64_t ram_map_size;

	int listen_fd;
	int ctl_listen_fd;
	struct card_ctl_client ctl;
	int db_fd[CARD_MAX_VECTORS];	/* guest -> card doorbells */
	struct card_peer guest;
	int64_t next_peer_id;

	uint64_t clock_origin;
	uint64_t last_service_ns;

	/* latched ring state (card-owned copies, never re-read from BAR2) */
	bool enabled;
	bool halted_error;
	bool removed;
	uint64_t sq_base, cq_base;
	uint32_t sq_size, cq_size;
	uint32_t sq_head, cq_tail;
	uint64_t progress;
	uint64_t jobs_done;

	/* events noted by the service loop, acted upon by the main loop */
	bool submit_pending;
	bool control_pending;
	bool stop;			/* exit the process */
	bool abort_job;			/* a running job must stop */
	bool in_job;
	uint64_t job_progress;
	bool job_hang;
	uint32_t irq_mask_seen;
	uint32_t slow_us;
};

int card_init(struct card *c, const struct card_options *opt);
void card_fini(struct card *c);
int card_run(struct card *c);

/* card clock: ns since the card started */
uint64_t card_now_ns(struct card *c);

#endif /* AIOT_NPU_CARD_H */
