/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The sensor suite's shared pieces: a stream under test and its helpers
 * (stream.c), the generators the samples are checked against
 * (generators.c), and the cases of each file, listed in main.c.
 */
#ifndef AIOT_TEST_SENSOR_H
#define AIOT_TEST_SENSOR_H

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <linux/aiot_sensor.h>
#include <aiot/sim_sensor.h>
#include <linux/dma-buf.h>
#include <linux/sync_file.h>

#include "aiot_testlib.h"
#include "aiot_testlib_stream.h"
#include "tap.h"

#define WAIT_MS 20000	/* for one period; generous under TCG */

struct stream {
	int fd;
	char node[64];
	struct aiot_sensor_info info;
	struct aiot_sensor_config cfg;
	uint8_t *ring;
};

/* stream.c: open, configure, map, dequeue, export; sysfs and debugfs. */
int open_kind(struct stream *st, unsigned int kind);
void close_stream(struct stream *st);
struct aiot_sensor_config mkcfg(const struct stream *st, uint32_t rate,
				uint32_t spp, uint32_t slots,
				uint32_t overflow, uint32_t pattern);
int setup(struct stream *st, struct aiot_sensor_config c);
int wait_fd(int fd, short events, int ms);
int dq(struct stream *st, struct aiot_sensor_buffer *b);
int qb(struct stream *st, uint32_t index);
int expbuf(struct stream *st, uint32_t index);
int fence_status(int dmabuf);
uint64_t sysfs_u64(const struct stream *st, const char *attr);
int sysfs_str(const struct stream *st, const char *attr, char *buf,
	      size_t len);
int debugfs_write(const char *name, const char *knob, const char *val);

/* generators.c: what each pattern must produce. */
extern const uint8_t *rec_data;
extern uint32_t rec_bytes;
long expect(const struct stream *st, uint32_t pattern, uint64_t n,
	    uint32_t k, long *tol);
int check_slot(const struct stream *st, const uint8_t *p,
	       uint64_t seq, uint32_t pattern);

/* patterns.c */
void stream_and_check(unsigned int kind, struct aiot_sensor_config c,
		      int count);
void accel_ramp(void);
void accel_sine_two_channels(void);
void accel_anomaly(void);
void mic_16k_sine(void);
void mic_16k_noise(void);
void camera_frames(void);
void camera_two_frames_per_slot_ramp(void);

/* devices.c */
void sensors_present(void);
void info_struct_sizes(void);
void bad_configs_rejected(void);
void bad_buffer_requests_rejected(void);
void unplug_while_streaming(void);

/* ring.c */
void drop_newest_under_stalled_reader(void);
void overwrite_oldest_under_stalled_reader(void);

/* fences.c */
void dmabuf_export_mmap_sync(void);
void fence_signals_on_completion(void);
void fence_error_on_stop(void);
void fence_error_on_dma_fault(void);
void fence_error_on_dma_timeout(void);

/* replay.c */
void replay_mic_speech(void);
void replay_camera_frame(void);
void replay_accel_taps(void);
void replay_named_firmware(void);
void replay_written_recording(void);
void test_patterns_named_in_sysfs(void);
void replay_bad_names_rejected(void);
void replay_bad_recordings_rejected(void);

/* read.c */
void read_matches_generator(void);
void read_blocking_and_nonblocking(void);
void read_bad_requests_rejected(void);

#endif
