/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note OR MIT */
/*
 * aiot sensor stream uAPI: one character device per stream,
 * /dev/aiot/sensorN (udev adds /dev/aiot/by-name/<name>).
 *
 * A stream is a ring of slots; each slot holds samples_per_slot samples and
 * is filled by the sensor's DMA, one slot per period. Userspace configures
 * the ring, starts the stream, dequeues filled slots (DQBUF), reads them
 * through mmap() of the ring or through a dma-buf of the slot (EXPBUF), and
 * queues them back (QBUF). Or, copying, it read()s whole slots, which
 * requeues them (not to be mixed with DQBUF/QBUF). See docs/sensor-uapi.md.
 *
 * Rules this header lives by (the same as aiot_accel.h):
 *  - ioctl numbers are append-only; a number is never reused;
 *  - structs only grow at their end; the kernel accepts any size from the
 *    first published one up (the size is encoded in the ioctl number): an
 *    older binary gets the fields it knows, a newer one must leave the
 *    fields the kernel does not know at zero (-E2BIG otherwise);
 *  - every flags field rejects unknown bits with -EINVAL;
 *  - every pad/reserved field must be zero (-EINVAL otherwise).
 */
#ifndef _UAPI_LINUX_AIOT_SENSOR_H_
#define _UAPI_LINUX_AIOT_SENSOR_H_

#include <linux/ioctl.h>
#include <linux/types.h>

#if defined(__cplusplus)
extern "C" {
#endif

#define AIOT_SENSOR_UAPI_VERSION	1

/* What the sensor measures (struct aiot_sensor_info.kind). */
enum aiot_sensor_kind {
	AIOT_SENSOR_KIND_OTHER = 0,
	AIOT_SENSOR_KIND_ACCEL = 1,	/* 3-axis accelerometer */
	AIOT_SENSOR_KIND_MIC = 2,	/* microphone */
	AIOT_SENSOR_KIND_CAMERA = 3,	/* image sensor */
};

/*
 * Sample formats: the type of one element. A sample holds
 * channels * width * height elements, channel-interleaved, rows top first.
 */
enum aiot_sensor_format {
	AIOT_SENSOR_FMT_S16_LE = 1,	/* signed 16-bit little endian */
	AIOT_SENSOR_FMT_U8 = 2,		/* unsigned 8-bit (grayscale) */
};

/*
 * Signal patterns (struct aiot_sensor_config.pattern), as V4L2's
 * V4L2_CID_TEST_PATTERN: 0 (LIVE) is the sensor's own signal; a non-zero
 * value selects one of the backend's test patterns. Which ones a sensor has
 * is in struct aiot_sensor_info.patterns (bit 1 << n) and their names in
 * sysfs (/sys/class/aiot/sensorN/test_patterns, a line "n name" each).
 * The numbers and meaning of a backend's patterns are the backend's (for
 * the simulator: include/aiot/sim_sensor.h); docs/sensor-uapi.md.
 */
enum aiot_sensor_pattern {
	AIOT_SENSOR_PATTERN_LIVE = 0,
};

/* What to do when the DMA completes a period and no slot is queued. */
enum aiot_sensor_overflow {
	/* Drop the new period and count it (the ring stalls). */
	AIOT_SENSOR_OVERFLOW_DROP_NEWEST = 0,
	/*
	 * Reuse the oldest filled, not yet dequeued slot for the next period
	 * (its data is lost and counted as a drop), unless a reader (e.g. an
	 * accelerator job) still holds a read fence on it: then the new
	 * period is dropped instead.
	 */
	AIOT_SENSOR_OVERFLOW_OVERWRITE_OLDEST = 1,
};

/* Stream state (struct aiot_sensor_info.state). */
enum aiot_sensor_state {
	AIOT_SENSOR_STATE_UNCONFIGURED = 0,
	AIOT_SENSOR_STATE_STOPPED = 1,
	AIOT_SENSOR_STATE_STREAMING = 2,
	AIOT_SENSOR_STATE_ERROR = 3,	/* stopped by a fault or timeout */
};

/* Capabilities (struct aiot_sensor_info.capabilities). */
#define AIOT_SENSOR_CAP_MMAP		(1ULL << 0)	/* mmap() of the ring */
#define AIOT_SENSOR_CAP_DMABUF		(1ULL << 1)	/* EXPBUF + write fences */
#define AIOT_SENSOR_CAP_OVERWRITE	(1ULL << 2)	/* OVERWRITE_OLDEST */

#define AIOT_SENSOR_MAX_SLOTS		64
#define AIOT_SENSOR_NAME_LEN		32

/**
 * struct aiot_sensor_info - AIOT_SENSOR_IOC_INFO: what the sensor is and
 *	what it accepts
 * @struct_size: size of this struct as the kernel knows it.
 * @uapi_version: %AIOT_SENSOR_UAPI_VERSION of the kernel.
 * @name: NUL-terminated stable name ("accel0"), also in sysfs.
 * @kind: &enum aiot_sensor_kind.
 * @state: &enum aiot_sensor_state.
 * @formats: bit (1 << fmt) for each accepted &enum aiot_sensor_format.
 * @patterns: bit (1 << pattern) for each accepted pattern: LIVE, and the
 *	backend's test patterns (named in sysfs test_patterns).
 * @min_channels: fewest channels.
 * @max_channels: most channels.
 * @width: elements per sample per channel in a row (1 if not an image).
 * @height: rows per sample (1 if not an image).
 * @min_rate_hz: lowest sample rate, samples (frames) per second.
 * @max_rate_hz: highest sample rate.
 * @max_slots: most slots in a ring.
 * @max_slot_bytes: largest slot.
 * @min_period_us: shortest slot period (samples_per_slot / rate) accepted.
 * @max_period_us: longest slot period accepted.
 * @capabilities: AIOT_SENSOR_CAP_* bits.
 * @drops: periods lost since the sensor appeared (cumulative over streams).
 * @sequence: sequence number the next period will carry.
 * @bytes_copied: sample bytes read() has copied to userspace since the
 *	sensor appeared (cumulative over streams); mmap and dma-buf access
 *	copy nothing. Added after the first version of this struct, whose
 *	size was %AIOT_SENSOR_INFO_SIZE_V1.
 * @max_ring_bytes: most bytes a ring (@ring_bytes of struct
 *	aiot_sensor_config) may take; CONFIGURE asking for more fails with
 *	-ERANGE. The ring's memory is charged to the memory cgroup of the
 *	task that configures it, and lives as long as a mapping or dma-buf
 *	of it does. Added with @reserved after @bytes_copied (0 from a kernel
 *	without it: @struct_size says which fields the kernel filled in).
 * @reserved: zero.
 */
struct aiot_sensor_info {
	__u32 struct_size;
	__u32 uapi_version;
	char name[AIOT_SENSOR_NAME_LEN];
	__u32 kind;
	__u32 state;
	__u32 formats;
	__u32 patterns;
	__u32 min_channels;
	__u32 max_channels;
	__u32 width;
	__u32 height;
	__u32 min_rate_hz;
	__u32 max_rate_hz;
	__u32 max_slots;
	__u32 max_slot_bytes;
	__u32 min_period_us;
	__u32 max_period_us;
	__u64 capabilities;
	__u64 drops;
	__u64 sequence;
	__u64 bytes_copied;
	__u64 max_ring_bytes;
	__u64 reserved;
};

/* Size of the first published struct aiot_sensor_info (up to @sequence). */
#define AIOT_SENSOR_INFO_SIZE_V1	120

/**
 * struct aiot_sensor_config - AIOT_SENSOR_IOC_CONFIGURE / AIOT_SENSOR_IOC_G_CONFIG
 * @format: &enum aiot_sensor_format.
 * @channels: channels per sample.
 * @rate_hz: samples per second.
 * @samples_per_slot: samples in one slot; one slot fills per period.
 * @slot_count: slots in the ring, 2 to @max_slots.
 * @overflow: &enum aiot_sensor_overflow.
 * @pattern: %AIOT_SENSOR_PATTERN_LIVE or a test pattern of the backend.
 * @flags: none defined yet, must be zero.
 * @slot_bytes: out: bytes of samples in a full slot.
 * @slot_stride: out: distance between slots in the ring mapping (page
 *	aligned); slot i is at mmap offset i * @slot_stride.
 * @ring_bytes: out: size of the ring mapping.
 * @period_ns: out: duration of one slot, samples_per_slot / rate_hz.
 * @reserved: must be zero.
 */
struct aiot_sensor_config {
	__u32 format;
	__u32 channels;
	__u32 rate_hz;
	__u32 samples_per_slot;
	__u32 slot_count;
	__u32 overflow;
	__u32 pattern;
	__u32 flags;
	__u32 slot_bytes;
	__u32 slot_stride;
	__u64 ring_bytes;
	__u64 period_ns;
	__u64 reserved[2];
};

/* struct aiot_sensor_buffer.flags */
#define AIOT_SENSOR_BUF_ERROR		(1U << 0)	/* DMA fault: data invalid */
#define AIOT_SENSOR_BUF_OVERFLOWED	(1U << 1)	/* periods lost before it */

/**
 * struct aiot_sensor_buffer - AIOT_SENSOR_IOC_DQBUF / AIOT_SENSOR_IOC_QBUF
 * @index: slot index (out for DQBUF, in for QBUF).
 * @flags: out: AIOT_SENSOR_BUF_* of the filled slot; in: must be zero.
 * @sequence: out: the period this slot holds, counted from 0 at START; a gap
 *	to the previous slot's sequence is the number of periods lost.
 * @timestamp_ns: out: CLOCK_MONOTONIC capture time of the first sample
 *	(start of frame).
 * @bytesused: out: bytes of samples in the slot.
 * @offset: out: mmap offset of the slot in the ring.
 * @dma_done_ns: out: CLOCK_MONOTONIC time the slot's DMA completed (end of
 *	frame): when the driver took the slot back from the DMA and signalled
 *	its write fence; never earlier than @timestamp_ns. 0 from a driver
 *	older than this field (it was reserved, and had to be zero on
 *	input). Ignored on input.
 * @reserved: must be zero.
 *
 * @dma_done_ns - @timestamp_ns is the slot's capture span (one period for
 * a slot of one period); a job queued on the slot's write fence can start
 * from @dma_done_ns on, so latencies to a decision are measured from it.
 */
struct aiot_sensor_buffer {
	__u32 index;
	__u32 flags;
	__u64 sequence;
	__u64 timestamp_ns;
	__u32 bytesused;
	__u32 offset;
	__u64 dma_done_ns;
	__u64 reserved;
};

/**
 * struct aiot_sensor_expbuf - AIOT_SENSOR_IOC_EXPBUF: a slot as a dma-buf
 * @index: slot index.
 * @flags: O_CLOEXEC, O_RDONLY or O_RDWR (access of the dma-buf file); no
 *	other bit.
 * @fd: out: the dma-buf file descriptor.
 * @reserved: must be zero.
 *
 * The dma-buf's reservation object carries a write fence while the slot is
 * queued to a streaming sensor; it signals when the DMA into the slot
 * completes, with an error if the stream stops (-ECANCELED), faults (-EIO)
 * or its DMA times out (-ETIMEDOUT).
 */
struct aiot_sensor_expbuf {
	__u32 index;
	__u32 flags;
	__s32 fd;
	__u32 reserved;
};

#define AIOT_SENSOR_IOC_MAGIC	0xB9

#define AIOT_SENSOR_IOC_INFO \
	_IOR(AIOT_SENSOR_IOC_MAGIC, 0x00, struct aiot_sensor_info)
#define AIOT_SENSOR_IOC_CONFIGURE \
	_IOWR(AIOT_SENSOR_IOC_MAGIC, 0x01, struct aiot_sensor_config)
#define AIOT_SENSOR_IOC_G_CONFIG \
	_IOR(AIOT_SENSOR_IOC_MAGIC, 0x02, struct aiot_sensor_config)
#define AIOT_SENSOR_IOC_START	_IO(AIOT_SENSOR_IOC_MAGIC, 0x03)
#define AIOT_SENSOR_IOC_STOP	_IO(AIOT_SENSOR_IOC_MAGIC, 0x04)
#define AIOT_SENSOR_IOC_DQBUF \
	_IOWR(AIOT_SENSOR_IOC_MAGIC, 0x05, struct aiot_sensor_buffer)
#define AIOT_SENSOR_IOC_QBUF \
	_IOW(AIOT_SENSOR_IOC_MAGIC, 0x06, struct aiot_sensor_buffer)
#define AIOT_SENSOR_IOC_EXPBUF \
	_IOWR(AIOT_SENSOR_IOC_MAGIC, 0x07, struct aiot_sensor_expbuf)

#if defined(__cplusplus)
}
#endif

#endif /* _UAPI_LINUX_AIOT_SENSOR_H_ */
