/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The accel suite's shared pieces: the device, a job context of four buffer
 * objects (common.c), and the cases of each file, listed in main.c.
 */
#ifndef AIOT_TEST_ACCEL_H
#define AIOT_TEST_ACCEL_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <drm.h>
#include <drm/aiot_accel.h>
#include <linux/aiot_isa.h>
#include <linux/aiot_sensor.h>
#include <linux/dma-buf.h>

#include <aiot/sim_sensor.h>

#include "aiot_testlib.h"
#include "tap.h"

#define SEC_NS		1000000000LL

/* The node the last open_accel() found. */
extern char accel_node[64];

/* common.c */
int open_accel(void);
void bo_close(int fd, uint32_t handle);
size_t build_nop_stream(void *buf, unsigned int n);
int ctx_open(struct aiot_test_fc_job *c, int fc);
struct drm_aiot_submit submit_args(const struct aiot_test_fc_job *c);
int job_wait(int fd, uint64_t id, int64_t timeout_ns,
	     struct drm_aiot_job_wait *w);

/* bo.c */
void bo_create_map_and_reject(void);
void bo_prime_roundtrip(void);

/* submit.c */
void null_job_completes_with_timestamps(void);
void fully_connected_is_bit_exact(void);
void stream_is_copied_at_submit(void);
void deadline_missed_job_does_not_run(void);
void malformed_submits_rejected(void);
void job_wait_rejects(void);
void records_are_per_file_and_bounded(void);
void fdinfo_reports_usage(void);

/* fences.c */
void out_syncobj_and_sync_file(void);
void fences_order_jobs(void);
void bo_wait_times_out_on_busy_buffer(void);

/* faults.c */
void hung_job_reset_others_survive(void);
void process_killed_mid_job(void);
void close_with_queued_jobs(void);
void slow_job_with_progress_not_reset(void);
void backend_removed_with_jobs_in_flight(void);

/* import.c */
void sensor_slot_imported_into_two_processes(void);

#endif
