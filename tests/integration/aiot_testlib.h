/* SPDX-License-Identifier: GPL-2.0-only */
/* Helpers shared by aiot's guest tests: finding the device, sysfs, modules. */
#ifndef AIOT_TESTLIB_H
#define AIOT_TESTLIB_H

#include <stddef.h>
#include <stdint.h>

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t aiot_test_now_ns(void);
/* Open the aiot accelerator node (accel or render), or -1 with errno set. */
int aiot_test_open_accel(char *path, size_t pathlen);
/* The sysfs class directory of that node (e.g. /sys/class/accel/accel0). */
int aiot_test_node_sysfs(const char *devpath, char *out, size_t outlen);
/* Read a small sysfs/debugfs file into buf (trailing newline stripped). */
int aiot_test_read_file(const char *path, char *buf, size_t len);
/* Create or replace a file with len bytes. 0 or -errno. */
int aiot_test_write_file(const char *path, const void *data, size_t len);
/* Load or unload a module by name, as modprobe/rmmod do. 0 or -errno. */
int aiot_test_modprobe(const char *name);
int aiot_test_rmmod(const char *name);
/* Same, retrying while the module is busy, up to timeout_ms. */
int aiot_test_rmmod_wait(const char *name, int timeout_ms);
/* Is a module loaded? */
int aiot_test_module_loaded(const char *name);
/*
 * Open the first sensor stream (/dev/aiot/sensorN) of a kind
 * (AIOT_SENSOR_KIND_*), or -1 with errno set. path gets its node.
 */
int aiot_test_open_sensor(unsigned int kind, char *path, size_t pathlen);

/*
 * The NPU backend under test, chosen by the harness (aiot-qemu --npu) in
 * AIOT_TEST_NPU: "sim" (aiot-sim's reference NPU, the default) or "card"
 * (the NPU card, aiot-card.ko). The same suites run on either.
 */
int aiot_test_npu_is_card(void);
/* Its backend name, as QUERY and sysfs report it. */
const char *aiot_test_npu_backend(void);
/* aiot-sim's NPU platform device: aiot-sim-npu.0, or its devicetree node's. */
const char *aiot_test_sim_npu_dev(void);
/* Its module's name (as lsmod/rmmod spell it). */
const char *aiot_test_npu_module(void);
/* debugfs knob file of the backend: "hang_next_jobs", ... into out. */
int aiot_test_npu_knob_path(const char *knob, char *out, size_t outlen);
/* The core's debugfs state file of the device into out. */
int aiot_test_npu_state_path(char *out, size_t outlen);
/*
 * The device's stable sysfs attribute <parent>/aiot/<name> into out, found
 * through the accel (6.12) or render (6.1) node whose backend is the NPU's.
 */
int aiot_test_npu_sysfs_path(const char *name, char *out, size_t outlen);
/* The number in that attribute (a job counter, open_files), or -1. */
long aiot_test_npu_sysfs_long(const char *name);
/*
 * Unload the NPU's backend (and aiot-sim, and aiot if with_core), waiting
 * while jobs drain; load them back (aiot with core_args if with_core).
 */
int aiot_test_npu_unload(int with_core, int timeout_ms);
int aiot_test_npu_load(int with_core, const char *core_args);

/* A counter ("jobs_timed_out: N") from that state file, or -1. */
long aiot_test_npu_state_counter(const char *key);
/* Write val to the backend's debugfs knob. 0 or -1. */
int aiot_test_npu_knob(const char *knob, const char *val);

/* Buffer objects of the accelerator: a handle (0 on error), a mapping. */
uint32_t aiot_test_bo_create(int fd, uint64_t size);
void *aiot_test_bo_map(int fd, uint32_t handle, size_t size);

/*
 * A command stream of one operation in buf: the header and the op's own
 * header filled in, the rest of the op zeroed; returns the op (its size in
 * the stream header: sizeof(struct aiot_isa_header) + op_size).
 */
void *aiot_test_stream_one_op(void *buf, uint32_t opcode, uint32_t op_size);

/*
 * A known job with known results: FULLY_CONNECTED 1x4 -> 1x2 with the
 * weights and quantisation in binding 0 at offset 0 (8 filter bytes, then
 * 2 channel records), the input in binding 1 and the output in binding 2.
 * aiot_test_fc_stream() writes the command stream into buf and returns its
 * size; aiot_test_fc_weights() fills binding 0 (at least 32 bytes);
 * aiot_test_fc_expect() is output o for input in, as TFLite computes it.
 */
#define AIOT_TEST_FC_D 4
#define AIOT_TEST_FC_O 2
size_t aiot_test_fc_stream(void *buf);
void aiot_test_fc_weights(void *w);
int8_t aiot_test_fc_expect(const int8_t *in, int o);

/*
 * An accelerator file with that job's four buffer objects of
 * AIOT_TEST_FC_BO_SIZE bytes: the command stream (cmd, cmd_size bytes of it
 * written by aiot_test_fc_stream()), the weights (binding 0, filled by
 * aiot_test_fc_weights()), the input (binding 1) and the output (binding 2).
 */
#define AIOT_TEST_FC_BO_SIZE 4096
struct aiot_test_fc_job {
	int fd;
	uint32_t cmd, weights, in, out;
	/* With AIOT_TEST_FC_MAPPED; NULL otherwise. */
	void *cmd_map, *w_map, *in_map, *out_map;
	uint32_t cmd_size;
};
/*
 * Flags of aiot_test_fc_open(). MAPPED: keep all four buffers mapped (else
 * none stays mapped, and the file is released by close(fd) alone: a mapping
 * keeps it open). BLANK: write neither the stream nor the weights (cmd_size
 * 0; the caller writes its own stream through cmd_map).
 */
#define AIOT_TEST_FC_MAPPED	(1u << 0)
#define AIOT_TEST_FC_BLANK	(1u << 1)
/*
 * Open the accelerator node (its path into node) and create the job's
 * buffers. 0, or -1 with errno set and nothing left open.
 */
int aiot_test_fc_open(struct aiot_test_fc_job *j, char *node, size_t nodelen,
		      unsigned int flags);
/* Unmap what is mapped and close the file. */
void aiot_test_fc_close(struct aiot_test_fc_job *j);

/*
 * An after-case hook (TAP_MAIN_WITH_HOOK): every job, and a closing file,
 * holds a reference on aiot.ko until it is freed, so a count that does not
 * come back down within 5 s after case name fails the case.
 */
void aiot_test_check_jobs_released(const char *name);

#endif
