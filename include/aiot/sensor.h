/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * DOC: libaiot-accel sensor streams
 *
 * Sensor streams (/dev/aiot/sensorN): a ring of slots that the sensor's
 * DMA fills, one per period. Open a stream, apply settings, start it,
 * dequeue filled slots, hand them to the accelerator as dma-bufs (no
 * copy) or read them through the ring mapping, and queue them back.
 *
 * The conventions of <aiot/accel.h> hold (negative errno, opaque objects,
 * NULL-safe free). The uAPI (<linux/aiot_sensor.h>) already names its
 * structs aiot_sensor_info and aiot_sensor_config, so the library's
 * objects are struct aiot_sensor_properties and struct
 * aiot_sensor_settings; the enums (formats, patterns, kinds, overflow
 * policies, states) are the uAPI's own.
 *
 * A stream is owned by the process that configured it until it closes;
 * others may open it and read its properties. One struct aiot_sensor may
 * be used from several threads: dequeue and queue may run concurrently
 * (e.g. one thread dequeuing, another queuing slots back once their jobs
 * completed); aiot_sensor_configure() must not race with anything else on
 * the same stream.
 */
#ifndef AIOT_SENSOR_H
#define AIOT_SENSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <aiot/accel.h>
#include <linux/aiot_sensor.h>

#ifdef __cplusplus
extern "C" {
#endif

struct aiot_sensor;
struct aiot_sensor_properties;
struct aiot_sensor_settings;

/**
 * struct aiot_sensor_slot - a filled slot, as aiot_sensor_dequeue() gives it
 * @index: slot index, 0 .. aiot_sensor_get_slot_count() - 1.
 * @flags: AIOT_SENSOR_BUF_ERROR (the data is invalid), AIOT_SENSOR_BUF_OVERFLOWED
 *	(periods were lost just before this one).
 * @sequence: period number since start; a gap to the previous slot's is
 *	the number of periods lost.
 * @timestamp_ns: CLOCK_MONOTONIC capture time of the first sample (start of
 *	frame). When the slot's DMA completed (end of frame) is
 *	aiot_sensor_get_slot_timing()'s.
 * @bytes_used: bytes of samples in the slot.
 */
struct aiot_sensor_slot {
	unsigned int index;
	uint32_t flags;
	uint64_t sequence;
	uint64_t timestamp_ns;
	size_t bytes_used;
};

/**
 * aiot_sensor_open() - open a sensor stream by device node
 * @path: /dev/aiot/sensorN or /dev/aiot/by-name/<name>.
 * @sensor_out: receives the stream.
 *
 * Return: 0; -EINVAL; -ENODEV if @path is not an aiot sensor stream; an
 * errno of open(2); -ENOMEM.
 */
AIOT_API int aiot_sensor_open(const char *path, struct aiot_sensor **sensor_out);

/**
 * aiot_sensor_open_by_name() - open the stream with this name
 * @name: the sensor's stable name ("accel0", "mic0", "camera0"), its
 *	sysfs attribute "name".
 * @sensor_out: receives the stream.
 *
 * Found with libudev among the devices of class "aiot"; works without
 * udev's /dev/aiot/by-name links.
 *
 * Return: 0; -ENOENT if no stream has that name; -EINVAL; errors of
 * aiot_sensor_open().
 */
AIOT_API int aiot_sensor_open_by_name(const char *name,
				      struct aiot_sensor **sensor_out);

/**
 * aiot_sensor_open_by_index() - open /dev/aiot/sensor<index>
 * @index: the stream's number.
 * @sensor_out: receives the stream.
 *
 * Return: 0; -ENOENT if there is no such stream; -EINVAL; errors of
 * aiot_sensor_open().
 */
AIOT_API int aiot_sensor_open_by_index(unsigned int index,
				       struct aiot_sensor **sensor_out);

/**
 * aiot_sensor_close() - close a stream
 * @sensor: the stream, or NULL.
 *
 * If this file owned the stream, the stream stops and its ring is freed
 * (dma-bufs exported from it keep their memory).
 */
AIOT_API void aiot_sensor_close(struct aiot_sensor *sensor);

/** aiot_sensor_get_path() - the device node; NULL for NULL. */
AIOT_API const char *aiot_sensor_get_path(const struct aiot_sensor *sensor);

/**
 * aiot_sensor_get_fd() - the stream's file descriptor, for poll()
 * @sensor: the stream.
 *
 * POLLIN when a slot is filled, POLLERR when stopped with nothing left,
 * POLLHUP when the sensor is gone. Owned by @sensor (non-blocking).
 *
 * Return: the fd, or -EINVAL.
 */
AIOT_API int aiot_sensor_get_fd(const struct aiot_sensor *sensor);

/**
 * aiot_sensor_get_properties() - what the sensor is and accepts, now
 * @sensor: the stream.
 * @props_out: receives a snapshot, to free with
 *	aiot_sensor_properties_free().
 *
 * Return: 0; -EINVAL; -ENODEV; -ENOMEM.
 */
AIOT_API int aiot_sensor_get_properties(struct aiot_sensor *sensor,
					struct aiot_sensor_properties **props_out);

/** aiot_sensor_properties_free() - free a snapshot; may be NULL. */
AIOT_API void aiot_sensor_properties_free(struct aiot_sensor_properties *props);
/** aiot_sensor_properties_get_name() - stable name ("accel0"). */
AIOT_API const char *aiot_sensor_properties_get_name(const struct aiot_sensor_properties *props);
/** aiot_sensor_properties_get_kind() - &enum aiot_sensor_kind. */
AIOT_API enum aiot_sensor_kind
aiot_sensor_properties_get_kind(const struct aiot_sensor_properties *props);
/** aiot_sensor_properties_get_state() - &enum aiot_sensor_state. */
AIOT_API enum aiot_sensor_state
aiot_sensor_properties_get_state(const struct aiot_sensor_properties *props);
/**
 * aiot_sensor_properties_has_format() - is a sample format accepted?
 * @props: the snapshot.
 * @format: &enum aiot_sensor_format.
 *
 * Return: true if the sensor accepts @format; false otherwise or if @props
 * is NULL.
 */
AIOT_API bool aiot_sensor_properties_has_format(const struct aiot_sensor_properties *props,
						enum aiot_sensor_format format);
/**
 * aiot_sensor_properties_has_pattern() - is a data pattern accepted?
 * @props: the snapshot.
 * @pattern: %AIOT_SENSOR_PATTERN_LIVE (0) or a number of one of the
 *	backend's test patterns (aiot_sensor_find_test_pattern()).
 *
 * Return: true if the sensor accepts @pattern; false otherwise or if @props
 * is NULL.
 */
AIOT_API bool aiot_sensor_properties_has_pattern(const struct aiot_sensor_properties *props,
						 unsigned int pattern);
/**
 * aiot_sensor_properties_get_channels() - accepted channel counts
 * @props: the snapshot.
 * @min: receives the fewest, may be NULL.
 * @max: receives the most, may be NULL.
 */
AIOT_API void aiot_sensor_properties_get_channels(const struct aiot_sensor_properties *props,
						  unsigned int *min, unsigned int *max);
/**
 * aiot_sensor_properties_get_rate_range() - accepted sample rates, Hz
 * @props: the snapshot.
 * @min: receives the lowest, may be NULL.
 * @max: receives the highest, may be NULL.
 */
AIOT_API void aiot_sensor_properties_get_rate_range(const struct aiot_sensor_properties *props,
						    unsigned int *min, unsigned int *max);
/**
 * aiot_sensor_properties_get_frame_size() - elements per row and rows
 * @props: the snapshot.
 * @width: receives the width (1 if not an image), may be NULL.
 * @height: receives the height (1 if not an image), may be NULL.
 */
AIOT_API void aiot_sensor_properties_get_frame_size(const struct aiot_sensor_properties *props,
						    unsigned int *width, unsigned int *height);
/** aiot_sensor_properties_get_max_slots() - most slots in a ring. */
AIOT_API unsigned int aiot_sensor_properties_get_max_slots(const struct aiot_sensor_properties *props);
/** aiot_sensor_properties_get_max_slot_size() - largest slot, bytes. */
AIOT_API size_t aiot_sensor_properties_get_max_slot_size(const struct aiot_sensor_properties *props);
/**
 * aiot_sensor_properties_get_max_ring_size() - most bytes of a ring
 * @props: the snapshot.
 *
 * A configuration whose ring would be larger fails with -ERANGE. 0 from a
 * kernel that does not report it. Since 0.4.
 */
AIOT_API uint64_t aiot_sensor_properties_get_max_ring_size(const struct aiot_sensor_properties *props);
/** aiot_sensor_properties_get_capabilities() - AIOT_SENSOR_CAP_* bits. */
AIOT_API uint64_t aiot_sensor_properties_get_capabilities(const struct aiot_sensor_properties *props);
/** aiot_sensor_properties_get_drops() - periods lost since the sensor appeared. */
AIOT_API uint64_t aiot_sensor_properties_get_drops(const struct aiot_sensor_properties *props);
/** aiot_sensor_properties_get_sequence() - sequence number of the next period. */
AIOT_API uint64_t aiot_sensor_properties_get_sequence(const struct aiot_sensor_properties *props);

/**
 * enum aiot_sensor_stat - driver counters of aiot_sensor_get_stat()
 * @AIOT_SENSOR_STAT_BYTES_COPIED: sample bytes the driver copied to
 *	userspace with read(2). Dequeue/queue, the ring mapping and slots
 *	as dma-bufs copy nothing: a zero-copy pipeline leaves it unchanged.
 *	Add aiot_accel_get_stat(%AIOT_STAT_BYTES_COPIED) for every copy
 *	of a pipeline, driver's and library's.
 * @AIOT_SENSOR_STAT_DROPS: periods lost (no slot was queued, or one was
 *	overwritten).
 * @AIOT_SENSOR_STAT_OVERWRITTEN: filled slots reused before they were
 *	dequeued (%AIOT_SENSOR_OVERFLOW_OVERWRITE_OLDEST); also counted as
 *	drops.
 * @AIOT_SENSOR_STAT_COUNT_: the number of counters, not one.
 *
 * Each is the sensor device's (all files and streams together), counted
 * since the device appeared, never reset.
 */
enum aiot_sensor_stat {
	AIOT_SENSOR_STAT_BYTES_COPIED = 0,
	AIOT_SENSOR_STAT_DROPS,
	AIOT_SENSOR_STAT_OVERWRITTEN,
	AIOT_SENSOR_STAT_COUNT_
};

/**
 * aiot_sensor_get_stat() - read a driver counter of the stream's device
 * @sensor: the stream.
 * @stat: which counter.
 * @value_out: receives the value.
 *
 * Read from the device's sysfs attributes (bytes_copied, drops,
 * overwritten), found with libudev from the open file's device number
 * when the stream was opened: the counters are those of the very device
 * opened, never of one that replaced it. Safe from any thread.
 *
 * Return: 0; -EINVAL (NULL argument, unknown @stat); -ENODEV if the device
 * is gone (or was never found in sysfs); -EIO for an unreadable counter.
 */
AIOT_API int aiot_sensor_get_stat(const struct aiot_sensor *sensor, enum aiot_sensor_stat stat,
				  uint64_t *value_out);

/**
 * aiot_sensor_find_test_pattern() - a test pattern's number by its name
 * @sensor: the stream.
 * @name: the name the backend gives it ("ramp", "sine" on aiot-sim), as
 *	listed in the sensor's sysfs attribute test_patterns.
 * @pattern_out: receives the number, for aiot_sensor_settings_set_pattern().
 *
 * The sensor uAPI only defines %AIOT_SENSOR_PATTERN_LIVE; which test
 * patterns there are, and their numbers, is the backend's to say.
 * Added in 0.3.
 *
 * Return: 0; -ENOENT if the sensor has no test pattern of that name;
 * -ENODEV if its sysfs directory is gone (or was never found); -EIO for an
 * unreadable list; -EINVAL for a NULL argument.
 */
AIOT_API int aiot_sensor_find_test_pattern(const struct aiot_sensor *sensor, const char *name,
					   unsigned int *pattern_out);

/**
 * aiot_sensor_settings_new() - stream settings with defaults
 *
 * Defaults: S16_LE, 1 channel, 100 Hz, 10 samples per slot, 4 slots,
 * overflow DROP_NEWEST, pattern LIVE. The kernel checks the values at
 * aiot_sensor_configure() (-EINVAL, -ERANGE).
 *
 * Return: the settings, NULL when out of memory.
 */
AIOT_API struct aiot_sensor_settings *aiot_sensor_settings_new(void);
/** aiot_sensor_settings_free() - free settings; may be NULL. */
AIOT_API void aiot_sensor_settings_free(struct aiot_sensor_settings *settings);
/**
 * aiot_sensor_settings_set_format() - sample format
 * @settings: the settings.
 * @format: &enum aiot_sensor_format.
 *
 * The value is checked by aiot_sensor_configure().
 *
 * Return: 0; -EINVAL for a NULL @settings.
 */
AIOT_API int aiot_sensor_settings_set_format(struct aiot_sensor_settings *settings,
					     enum aiot_sensor_format format);
/**
 * aiot_sensor_settings_set_channels() - channels per sample
 * @settings: the settings.
 * @channels: channels per sample.
 *
 * The value is checked by aiot_sensor_configure().
 *
 * Return: 0; -EINVAL for a NULL @settings.
 */
AIOT_API int aiot_sensor_settings_set_channels(struct aiot_sensor_settings *settings,
					       unsigned int channels);
/**
 * aiot_sensor_settings_set_rate() - samples (frames) per second
 * @settings: the settings.
 * @rate_hz: samples (frames) per second, Hz.
 *
 * The value is checked by aiot_sensor_configure().
 *
 * Return: 0; -EINVAL for a NULL @settings.
 */
AIOT_API int aiot_sensor_settings_set_rate(struct aiot_sensor_settings *settings,
					   unsigned int rate_hz);
/**
 * aiot_sensor_settings_set_samples_per_slot() - samples per slot (period)
 * @settings: the settings.
 * @samples: samples per slot; one slot is one period.
 *
 * The value is checked by aiot_sensor_configure().
 *
 * Return: 0; -EINVAL for a NULL @settings.
 */
AIOT_API int aiot_sensor_settings_set_samples_per_slot(struct aiot_sensor_settings *settings,
						       unsigned int samples);
/**
 * aiot_sensor_settings_set_slot_count() - slots in the ring
 * @settings: the settings.
 * @slots: slots in the ring.
 *
 * The value is checked by aiot_sensor_configure().
 *
 * Return: 0; -EINVAL for a NULL @settings.
 */
AIOT_API int aiot_sensor_settings_set_slot_count(struct aiot_sensor_settings *settings,
						 unsigned int slots);
/**
 * aiot_sensor_settings_set_overflow() - what to do when no slot is queued
 * @settings: the settings.
 * @overflow: &enum aiot_sensor_overflow.
 *
 * The value is checked by aiot_sensor_configure().
 *
 * Return: 0; -EINVAL for a NULL @settings.
 */
AIOT_API int aiot_sensor_settings_set_overflow(struct aiot_sensor_settings *settings,
					       enum aiot_sensor_overflow overflow);
/**
 * aiot_sensor_settings_set_pattern() - live data or a test pattern
 * @settings: the settings.
 * @pattern: %AIOT_SENSOR_PATTERN_LIVE (0, the default) or the number of one
 *	of the backend's test patterns, found by name with
 *	aiot_sensor_find_test_pattern().
 *
 * The value is checked by aiot_sensor_configure(). (Until 0.3 the type of
 * @pattern was &enum aiot_sensor_pattern, whose test patterns left the
 * uAPI; the numbers and the ABI are unchanged.)
 *
 * Return: 0; -EINVAL for a NULL @settings.
 */
AIOT_API int aiot_sensor_settings_set_pattern(struct aiot_sensor_settings *settings,
					      unsigned int pattern);

/**
 * aiot_sensor_configure() - apply settings and allocate the ring
 * @sensor: the stream, stopped.
 * @settings: the settings; may be freed after the call.
 *
 * The file becomes the stream's owner. Reconfiguring first drops the
 * library's ring mapping; it fails with -EBUSY while slots are exported
 * (e.g. imported into an accelerator) or the stream runs.
 *
 * Return: 0; -EINVAL/-ERANGE for settings the sensor refuses; -EBUSY
 * (another owner, streaming, exported); -ENODEV.
 */
AIOT_API int aiot_sensor_configure(struct aiot_sensor *sensor,
				   const struct aiot_sensor_settings *settings);

/** aiot_sensor_get_slot_count() - slots of the configured ring; 0 before. */
AIOT_API unsigned int aiot_sensor_get_slot_count(const struct aiot_sensor *sensor);
/** aiot_sensor_get_slot_size() - bytes of samples in a full slot; 0 before. */
AIOT_API size_t aiot_sensor_get_slot_size(const struct aiot_sensor *sensor);
/** aiot_sensor_get_period_ns() - duration of one slot; 0 before configuring. */
AIOT_API uint64_t aiot_sensor_get_period_ns(const struct aiot_sensor *sensor);

/**
 * aiot_sensor_start() - start streaming
 * @sensor: the configured stream.
 *
 * Every slot is queued to the DMA and gets a write fence; sequence numbers
 * restart at 0.
 *
 * Return: 0; -EINVAL if not configured; -EBUSY if already streaming.
 */
AIOT_API int aiot_sensor_start(struct aiot_sensor *sensor);

/**
 * aiot_sensor_stop() - stop streaming (idempotent)
 * @sensor: the stream.
 *
 * Slots filled before can still be dequeued; pending write fences signal
 * with -ECANCELED, so jobs waiting on them complete.
 *
 * Return: 0 or a negative errno.
 */
AIOT_API int aiot_sensor_stop(struct aiot_sensor *sensor);

/**
 * aiot_sensor_dequeue() - take the oldest filled slot
 * @sensor: the stream.
 * @timeout_ns: relative; 0 polls; negative waits forever.
 * @slot: receives the slot.
 *
 * Return: 0; -ETIME if nothing was filled in time; -EPIPE if the stream is
 * stopped with nothing left; -EIO if it stopped on a fault or a DMA
 * timeout; -ENODEV; -EINVAL.
 */
AIOT_API int aiot_sensor_dequeue(struct aiot_sensor *sensor, int64_t timeout_ns,
				 struct aiot_sensor_slot *slot);

/**
 * aiot_sensor_queue() - give a dequeued slot back to the DMA
 * @sensor: the stream.
 * @index: the slot.
 *
 * Return: 0; -EBUSY if the slot is not dequeued or a reader (an
 * accelerator job) still holds it; -EINVAL.
 */
AIOT_API int aiot_sensor_queue(struct aiot_sensor *sensor, unsigned int index);

/**
 * aiot_sensor_get_slot_data() - the CPU's view of a slot
 * @sensor: the configured stream.
 * @index: the slot.
 * @data_out: receives the address of its first sample.
 *
 * Maps the ring once (read-only) on first use; the mapping lasts until
 * the stream is reconfigured or closed. Reading a slot the DMA is filling
 * gives torn data: read dequeued slots.
 *
 * Return: 0; -EINVAL (not configured, bad index); an errno of mmap(2).
 */
AIOT_API int aiot_sensor_get_slot_data(struct aiot_sensor *sensor, unsigned int index,
				       const void **data_out);

/**
 * aiot_sensor_get_slot_timing() - when a dequeued slot was captured, when its DMA completed
 * @sensor: the configured stream.
 * @index: the slot.
 * @first_sample_ns: receives the CLOCK_MONOTONIC time of its first sample
 *	(start of frame; the slot's &aiot_sensor_slot.timestamp_ns), may be
 *	NULL.
 * @dma_done_ns: receives the CLOCK_MONOTONIC time its DMA completed (end of
 *	frame): when the driver took it back from the DMA and signalled its
 *	write fence, the earliest a job queued on the slot can start; may be
 *	NULL.
 *
 * Of the slot's last aiot_sensor_dequeue() on this stream since it was
 * configured. A latency to a decision is measured from @dma_done_ns; the
 * difference @dma_done_ns - @first_sample_ns is the capture itself (a
 * slot's period, or more if the DMA was late).
 *
 * Return: 0; -ENODATA if the slot was not dequeued since the stream was
 * configured, or the driver predates DMA-done times (then only
 * @first_sample_ns is filled); -EINVAL (NULL @sensor, not configured, bad
 * @index).
 */
AIOT_API int aiot_sensor_get_slot_timing(const struct aiot_sensor *sensor, unsigned int index,
					 uint64_t *first_sample_ns, uint64_t *dma_done_ns);

/**
 * aiot_sensor_export_slot() - a slot as a dma-buf
 * @sensor: the configured stream.
 * @index: the slot.
 *
 * The dma-buf carries the slot's write fence while the slot is queued to
 * the DMA: an accelerator job reading it starts when the DMA completes.
 *
 * Return: a new fd (read-only, close-on-exec) that the caller owns, or a
 * negative errno.
 */
AIOT_API int aiot_sensor_export_slot(struct aiot_sensor *sensor, unsigned int index);

/**
 * aiot_sensor_import_slot() - a slot as a buffer of an accelerator
 * @sensor: the configured stream.
 * @index: the slot.
 * @accel: the accelerator.
 * @buffer_out: receives the buffer, to free with aiot_buffer_free().
 *
 * aiot_sensor_export_slot() then aiot_buffer_import_dmabuf(): the job
 * reads the very pages the sensor's DMA wrote. Do it once per slot after
 * configuring, and bind the buffers to the model's input per job.
 *
 * Return: 0 or a negative errno of either step.
 */
AIOT_API int aiot_sensor_import_slot(struct aiot_sensor *sensor, unsigned int index,
				     struct aiot_accel *accel,
				     struct aiot_buffer **buffer_out);

#ifdef __cplusplus
}
#endif

#endif /* AIOT_SENSOR_H */
