/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * DOC: libaiot-accel standing pipelines
 *
 * A standing pipeline runs a front-end model on every slot of a sensor
 * stream and a model every K slots, in the kernel, with no thread of the
 * caller involved per slot (docs/pipeline.md). The caller reads one
 * decision record per period. The library counts its own wake-ups (reads
 * that waited) so that a program can show there is no per-slot work in
 * userspace.
 *
 * The sensor must be configured with the overflow policy OVERWRITE_OLDEST
 * and not be read or dequeued by the caller meanwhile; start it after
 * aiot_pipeline_start(). The models' buffers (the front end's state, the
 * feature window) are the pipeline's until aiot_pipeline_free().
 */
#ifndef AIOT_PIPELINE_H
#define AIOT_PIPELINE_H

#include <stdint.h>

#include <aiot/accel.h>
#include <aiot/sensor.h>

#ifdef __cplusplus
extern "C" {
#endif

struct aiot_pipeline;

/** AIOT_PIPELINE_MAX_OUTPUT - most output bytes a record carries. */
#define AIOT_PIPELINE_MAX_OUTPUT	64

/**
 * struct aiot_pipeline_record - one period's decision
 * @period: index of the period since creation; a gap is skipped periods
 * @sequence: sensor sequence number of the period's last slot
 * @first_sample_ns: CLOCK_MONOTONIC time of that slot's first sample
 * @dma_done_ns: when that slot's DMA completed
 * @started_ns: when the model started on the device, 0 if it did not
 * @ended_ns: when it ended, 0 if it did not run
 * @decided_ns: when the kernel wrote the record
 * @status: 0, or the negative errno the period ended with (-ETIME: late)
 * @late: the period was late (a slot of it skipped, or a deadline missed)
 * @output_size: bytes of @output, the model's first output tensor
 * @output: its bytes
 */
struct aiot_pipeline_record {
	uint64_t period;
	uint64_t sequence;
	uint64_t first_sample_ns;
	uint64_t dma_done_ns;
	uint64_t started_ns;
	uint64_t ended_ns;
	uint64_t decided_ns;
	int status;
	bool late;
	size_t output_size;
	uint8_t output[AIOT_PIPELINE_MAX_OUTPUT];
};

/**
 * struct aiot_pipeline_stats - a pipeline's counters since creation
 * @slots: slots the sensor filled
 * @frontend_jobs: front-end jobs the kernel queued
 * @periods: decision periods
 * @decisions: periods whose model finished without error
 * @late: periods that were late, skipped ones included
 * @skipped_slots: slots skipped because the chain was still busy
 * @failed: periods that failed otherwise
 * @sensor_drops: sensor periods lost before reaching the pipeline
 * @overflows: records lost because they were not read in time
 * @wakeups: times aiot_pipeline_read() had to wait for a record
 * @reads: records aiot_pipeline_read() returned
 */
struct aiot_pipeline_stats {
	uint64_t slots;
	uint64_t frontend_jobs;
	uint64_t periods;
	uint64_t decisions;
	uint64_t late;
	uint64_t skipped_slots;
	uint64_t failed;
	uint64_t sensor_drops;
	uint64_t overflows;
	uint64_t wakeups;
	uint64_t reads;
};

/**
 * aiot_pipeline_create() - a standing pipeline on a sensor stream
 * @frontend: run on every slot, reading it as its first input; NULL for
 *	none (the model then reads the slot: the camera path)
 * @model: run every @period_slots slots; with a front end, its first input
 *	is the front end's first output (the same buffer)
 * @sensor: the stream, configured by this process with OVERWRITE_OLDEST
 * @period_slots: K, slots per decision (1..65536)
 * @deadline_ns: a job not started this long after its slot's DMA completed
 *	is not run and its period is late; 0 for none
 * @pipeline_out: the pipeline (stopped)
 *
 * Both models must be on the same accelerator.
 *
 * Return: 0, -EINVAL (bad arguments, models on different devices, a
 * sensor not configured for it), -EOPNOTSUPP (a driver without pipelines),
 * -EBUSY (the stream has a pipeline already), or the driver's errors for
 * a stream it refuses (docs/pipeline.md).
 */
AIOT_API int aiot_pipeline_create(struct aiot_model *frontend,
				  struct aiot_model *model,
				  struct aiot_sensor *sensor,
				  unsigned int period_slots, uint64_t deadline_ns,
				  struct aiot_pipeline **pipeline_out);

/**
 * aiot_pipeline_create_external() - a standing pipeline fed frame by frame
 * @frontend: run on every frame, reading it as its inputs; NULL for none
 *	(the model reads the frame: the camera path)
 * @model: run every @period_slots frames; with a front end, its first
 *	input is the front end's first output (the same buffer)
 * @period_slots: K, frames per decision (1..65536)
 * @deadline_ns: a job not started this long after its frame was handed in
 *	is not run and its period is late; 0 for none
 * @pipeline_out: the pipeline (stopped)
 *
 * The frames come from the caller (aiot_pipeline_push_frame()), e.g. a V4L2
 * camera's buffers exported with VIDIOC_EXPBUF, instead of a sensor
 * stream. The stage that reads the frame takes it as its first input, and
 * when it has two inputs (a multi-planar NV12M frame) plane 1 as its
 * second. Needs %AIOT_ACCEL_CAP_PIPELINE_EXTERNAL (uAPI 1.3).
 *
 * Return: 0, -EINVAL (bad arguments), -EOPNOTSUPP (a driver without
 * external pipelines), or the driver's errors (docs/pipeline.md).
 */
AIOT_API int aiot_pipeline_create_external(struct aiot_model *frontend,
					   struct aiot_model *model,
					   unsigned int period_slots,
					   uint64_t deadline_ns,
					   struct aiot_pipeline **pipeline_out);

/** AIOT_PIPELINE_FRAME_SKIPPED - aiot_pipeline_push_frame(): chain busy. */
#define AIOT_PIPELINE_FRAME_SKIPPED	1

/**
 * aiot_pipeline_push_frame() - hand one frame to an external pipeline
 * @pipeline: a started pipeline from aiot_pipeline_create_external()
 * @dmabuf_fds: the frame's dma-buf per plane; each buffer is imported
 *	once, on its first frame (which validates the models against it),
 *	and kept until aiot_pipeline_free()
 * @planes: how many (1, or 2 for a model that takes two planes)
 * @sequence: the frame's sequence number (V4L2's), gaps are counted
 * @timestamp_ns: its capture time, CLOCK_MONOTONIC; the records'
 *	@first_sample_ns
 * @fence_fd_out: out, may be NULL: a sync_file that signals once no job
 *	reads the frame any more (the caller closes it), or -1 when none
 *	does (skipped, or no job could be queued: the record says why).
 *	Without it the frame is free once the record of its period (or a
 *	later one) is read.
 *
 * Never queues behind a period in flight: a frame that comes while the
 * chain is busy is skipped, counted, and free at once.
 *
 * Return: 0 (queued), %AIOT_PIPELINE_FRAME_SKIPPED, or a negative errno:
 * -EINVAL (arguments, a pipeline not external, a plane count the models do
 * not take), -EBADF (not a dma-buf), -ENOSPC (a buffer smaller than what
 * the model reads, or more buffers than the pipeline keeps), -EPIPE (not
 * started), -ENODEV (the pipeline ended).
 */
AIOT_API int aiot_pipeline_push_frame(struct aiot_pipeline *pipeline,
				      const int *dmabuf_fds,
				      unsigned int planes, uint64_t sequence,
				      uint64_t timestamp_ns, int *fence_fd_out);

/** aiot_pipeline_start() - run from the next slot the sensor fills. */
AIOT_API int aiot_pipeline_start(struct aiot_pipeline *pipeline);

/** aiot_pipeline_stop() - queue no new job; the period in flight still ends. */
AIOT_API int aiot_pipeline_stop(struct aiot_pipeline *pipeline);

/**
 * aiot_pipeline_get_fd() - the decision file, for poll()
 * @pipeline: the pipeline
 *
 * Return: a descriptor that polls readable when a record is there (and
 * POLLHUP once the pipeline ended), or -EINVAL.
 */
AIOT_API int aiot_pipeline_get_fd(const struct aiot_pipeline *pipeline);

/**
 * aiot_pipeline_read() - the next decision record
 * @pipeline: the pipeline
 * @record: out: the record
 * @timeout_ns: how long to wait; 0 polls, negative waits forever
 *
 * Return: 1 with a record, 0 on timeout, -ENODATA once the pipeline has
 * ended (its file closed, its device or sensor removed) and every record
 * was read, or a negative errno.
 */
AIOT_API int aiot_pipeline_read(struct aiot_pipeline *pipeline,
				struct aiot_pipeline_record *record,
				int64_t timeout_ns);

/**
 * aiot_pipeline_get_stats() - the kernel's and the library's counters
 * @pipeline: the pipeline
 * @stats: out: the counters
 *
 * Return: 0 or a negative errno.
 */
AIOT_API int aiot_pipeline_get_stats(struct aiot_pipeline *pipeline,
				     struct aiot_pipeline_stats *stats);

/** aiot_pipeline_free() - stop and destroy the pipeline. */
AIOT_API void aiot_pipeline_free(struct aiot_pipeline *pipeline);

#ifdef __cplusplus
}
#endif

#endif /* AIOT_PIPELINE_H */
