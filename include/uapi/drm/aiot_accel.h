/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note OR MIT */
/*
 * aiot accelerator uAPI: the DRM accel device (/dev/accel/accelN, or a render
 * node /dev/dri/renderDN on kernels without DRM accel).
 *
 * Rules this header lives by, because binaries built against it must keep
 * working for years:
 *  - ioctl numbers are append-only; a number is never reused;
 *  - structs only grow at their end, and carry their size where they can grow;
 *  - every flags field rejects unknown bits with -EINVAL;
 *  - every pad/reserved field must be zero (-EINVAL otherwise), so that it can
 *    be given a meaning later.
 */
#ifndef _UAPI_DRM_AIOT_ACCEL_H_
#define _UAPI_DRM_AIOT_ACCEL_H_

#include "drm.h"

#if defined(__cplusplus)
extern "C" {
#endif

/* The DRM driver name reported by DRM_IOCTL_VERSION. */
#define AIOT_DRM_DRIVER_NAME	"aiot"

/*
 * uAPI version: the major changes only if compatibility is broken (never,
 * we hope); the minor grows with every addition.
 */
#define AIOT_UAPI_VERSION_MAJOR	1
#define AIOT_UAPI_VERSION_MINOR	3

/*
 * Structs are versioned by their size, which DRM encodes in the ioctl
 * number: an older, shorter struct is zero-extended by the DRM core, so a
 * field appended later must mean "as before" when zero.
 */
#define DRM_AIOT_QUERY		0x00
#define DRM_AIOT_BO_CREATE	0x01
#define DRM_AIOT_BO_MMAP_OFFSET	0x02
#define DRM_AIOT_BO_WAIT	0x03
#define DRM_AIOT_SUBMIT		0x04
#define DRM_AIOT_JOB_WAIT	0x05
#define DRM_AIOT_PIPELINE_CREATE	0x06

#define DRM_IOCTL_AIOT_QUERY \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_AIOT_QUERY, struct drm_aiot_query)
#define DRM_IOCTL_AIOT_BO_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_AIOT_BO_CREATE, struct drm_aiot_bo_create)
#define DRM_IOCTL_AIOT_BO_MMAP_OFFSET \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_AIOT_BO_MMAP_OFFSET, \
		 struct drm_aiot_bo_mmap_offset)
#define DRM_IOCTL_AIOT_BO_WAIT \
	DRM_IOW(DRM_COMMAND_BASE + DRM_AIOT_BO_WAIT, struct drm_aiot_bo_wait)
#define DRM_IOCTL_AIOT_SUBMIT \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_AIOT_SUBMIT, struct drm_aiot_submit)
#define DRM_IOCTL_AIOT_JOB_WAIT \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_AIOT_JOB_WAIT, struct drm_aiot_job_wait)
#define DRM_IOCTL_AIOT_PIPELINE_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_AIOT_PIPELINE_CREATE, \
		 struct drm_aiot_pipeline_create)

/* What DRM_IOCTL_AIOT_QUERY can be asked about (append-only). */
enum drm_aiot_query_type {
	/* struct drm_aiot_device_info */
	DRM_AIOT_QUERY_DEVICE_INFO = 0,
};

/**
 * struct drm_aiot_query - ask the driver about the device
 * @type: what to query, one of &enum drm_aiot_query_type.
 * @size: in: bytes available at @ptr; out: size of the driver's answer.
 *	Call with @size 0 to learn the size. A smaller buffer gets the first
 *	@size bytes (an older binary sees the fields it knows); a larger one
 *	has its tail cleared.
 * @flags: must be zero.
 * @pad: must be zero.
 * @ptr: user pointer to the answer buffer, may be 0 when @size is 0.
 */
struct drm_aiot_query {
	__u32 type;
	__u32 size;
	__u32 flags;
	__u32 pad;
	__u64 ptr;
};

/* The device node is a DRM accel node (else a render node, on old kernels). */
#define DRM_AIOT_CAP_ACCEL_NODE		(1ULL << 0)
/* Buffer objects: BO_CREATE, BO_MMAP_OFFSET, BO_WAIT, PRIME import/export. */
#define DRM_AIOT_CAP_BO			(1ULL << 1)
/* SUBMIT and JOB_WAIT, with syncobj in/out fences. */
#define DRM_AIOT_CAP_SUBMIT		(1ULL << 2)
/* SUBMIT can return a sync_file (DRM_AIOT_SUBMIT_OUT_SYNC_FILE). */
#define DRM_AIOT_CAP_SYNC_FILE		(1ULL << 3)
/* uAPI 1.2: standing pipelines, DRM_IOCTL_AIOT_PIPELINE_CREATE. */
#define DRM_AIOT_CAP_PIPELINE		(1ULL << 4)
/*
 * uAPI 1.3: pipelines fed by userspace (a camera's V4L2 buffers),
 * DRM_AIOT_PIPELINE_SOURCE_EXTERNAL and DRM_AIOT_PIPELINE_IOC_FRAME.
 */
#define DRM_AIOT_CAP_PIPELINE_EXTERNAL	(1ULL << 5)

/**
 * struct drm_aiot_device_info - answer to %DRM_AIOT_QUERY_DEVICE_INFO
 * @struct_size: size of this struct as the driver knows it.
 * @uapi_major: %AIOT_UAPI_VERSION_MAJOR of the driver.
 * @uapi_minor: %AIOT_UAPI_VERSION_MINOR of the driver.
 * @driver_major: driver version, major.
 * @driver_minor: driver version, minor.
 * @driver_patch: driver version, patch level.
 * @hw_id: identifier of the hardware backend's silicon or IP revision.
 * @reserved0: zero.
 * @capabilities: DRM_AIOT_CAP_* bits of what this device supports now.
 * @backend: NUL-terminated name of the hardware backend ("aiot-sim-npu").
 * @isa_version: command-stream ISA version the device executes
 *	(AIOT_ISA_VERSION(major, minor) of <linux/aiot_isa.h>).
 * @max_bindings: number of buffer binding slots of a job.
 * @job_timeout_ms: a job running longer without progress is reset.
 * @reserved1: zero.
 * @max_job_work: uAPI 1.1: most work one job may carry, in the units of
 *	docs/isa.md ("Work": multiply-accumulates, elements moved); SUBMIT
 *	rejects a stream with more with -E2BIG. 0 from a 1.0 driver.
 * @max_jobs_in_flight: uAPI 1.1: most jobs of one file that may be
 *	submitted and not yet finished at once; SUBMIT beyond it fails with
 *	-EBUSY. 0 from a 1.0 driver.
 * @reserved2: zero.
 *
 * The fields after @reserved1 were added in uAPI 1.1; @struct_size tells
 * which a driver fills in.
 */
struct drm_aiot_device_info {
	__u32 struct_size;
	__u32 uapi_major;
	__u32 uapi_minor;
	__u32 driver_major;
	__u32 driver_minor;
	__u32 driver_patch;
	__u32 hw_id;
	__u32 reserved0;
	__u64 capabilities;
	char backend[32];
	__u32 isa_version;
	__u32 max_bindings;
	__u32 job_timeout_ms;
	__u32 reserved1;
	__u64 max_job_work;
	__u32 max_jobs_in_flight;
	__u32 reserved2;
};

/* Size of the first struct drm_aiot_device_info (uAPI 1.0, up to reserved1). */
#define DRM_AIOT_DEVICE_INFO_SIZE_V1	88

/**
 * struct drm_aiot_bo_create - create a buffer object
 * @size: in: bytes, rounded up to whole pages; at most 1 GiB.
 * @flags: must be zero.
 * @handle: out: the GEM handle.
 *
 * Buffers are shmem-backed, mappable with BO_MMAP_OFFSET and shareable as
 * dma-bufs with DRM_IOCTL_PRIME_HANDLE_TO_FD; a dma-buf from elsewhere (a
 * sensor slot) comes in with DRM_IOCTL_PRIME_FD_TO_HANDLE.
 */
struct drm_aiot_bo_create {
	__u64 size;
	__u32 flags;
	__u32 handle;
};

/**
 * struct drm_aiot_bo_mmap_offset - where to mmap() a buffer on the node
 * @handle: the buffer.
 * @flags: must be zero.
 * @offset: out: pass to mmap() on the device file.
 */
struct drm_aiot_bo_mmap_offset {
	__u32 handle;
	__u32 flags;
	__u64 offset;
};

/* Wait only for writers (the buffer may be read), not for readers too. */
#define DRM_AIOT_BO_WAIT_WRITERS	(1u << 0)

/**
 * struct drm_aiot_bo_wait - wait until a buffer is idle
 * @handle: the buffer.
 * @flags: DRM_AIOT_BO_WAIT_*.
 * @timeout_ns: relative timeout; 0 polls. -ETIME when it expires.
 */
struct drm_aiot_bo_wait {
	__u32 handle;
	__u32 flags;
	__s64 timeout_ns;
};

/*
 * Binding slots of a job, one buffer each: always AIOT_ISA_MAX_BINDINGS of
 * <linux/aiot_isa.h>, the one definition of the count (the kernel checks
 * at build time that the two agree).
 */
#define DRM_AIOT_MAX_BINDINGS		16

/* Also return the job's completion fence as a sync_file in out_sync_file. */
#define DRM_AIOT_SUBMIT_OUT_SYNC_FILE	(1u << 0)

enum drm_aiot_priority {
	DRM_AIOT_PRIORITY_LOW = 0,
	DRM_AIOT_PRIORITY_NORMAL = 1,
	/* Needs CAP_SYS_NICE. */
	DRM_AIOT_PRIORITY_HIGH = 2,
};

/**
 * struct drm_aiot_submit - queue an inference job
 * @flags: DRM_AIOT_SUBMIT_*.
 * @cmd_handle: buffer holding the command stream.
 * @cmd_offset: byte offset of the stream in that buffer.
 * @cmd_size: bytes of the stream. The driver copies and validates it at
 *	submit: a later change to the buffer does not change the job.
 * @priority: &enum drm_aiot_priority.
 * @bindings: buffer handle bound to each slot the stream uses, 0 for none.
 *	Every slot the stream reads or writes must be bound. The job waits for
 *	the buffers' writers (implicit sync: e.g. a sensor slot's DMA), and
 *	publishes its fence on them, as a writer on those it writes.
 * @in_syncobjs: user pointer to an array of __u32 syncobj handles; the job
 *	starts when all their fences have signalled.
 * @in_syncobj_count: number of handles at @in_syncobjs, at most 64.
 * @out_syncobj: syncobj that receives the job's completion fence, or 0.
 * @out_sync_file: out: sync_file fd with DRM_AIOT_SUBMIT_OUT_SYNC_FILE,
 *	else -1.
 * @pad: must be zero.
 * @deadline_ns: CLOCK_MONOTONIC time after which starting the job is
 *	pointless: a job not started by then completes with -ETIME without
 *	running. 0 for none.
 * @job_id: out: identifies the job to DRM_IOCTL_AIOT_JOB_WAIT on this file.
 */
struct drm_aiot_submit {
	__u32 flags;
	__u32 cmd_handle;
	__u32 cmd_offset;
	__u32 cmd_size;
	__u32 priority;
	__u32 bindings[DRM_AIOT_MAX_BINDINGS];
	__u32 in_syncobj_count;
	__u64 in_syncobjs;
	__u32 out_syncobj;
	__s32 out_sync_file;
	__u32 pad;
	__u32 pad2;
	__u64 deadline_ns;
	__u64 job_id;
};

enum drm_aiot_job_state {
	DRM_AIOT_JOB_QUEUED = 0,	/* waiting for fences or the device */
	DRM_AIOT_JOB_RUNNING = 1,	/* on the device */
	DRM_AIOT_JOB_DONE = 2,		/* finished; see status */
};

/**
 * struct drm_aiot_job_wait - wait for a job and read its record
 * @job_id: in: from SUBMIT on this file. The file keeps the records of its
 *	last 256 jobs; an older one gives -ENOENT.
 * @flags: must be zero.
 * @timeout_ns: relative timeout; 0 reads the record without waiting. The
 *	record is filled either way; -ETIME if the job is not done in time.
 * @state: out: &enum drm_aiot_job_state.
 * @status: out: 0 on success, else a negative errno: -ETIMEDOUT (hung and
 *	reset), -ETIME (deadline missed), -ECANCELED (its file was closed),
 *	-ENODEV (device removed), -EINVAL (failed at run time).
 * @queued_ns: out: CLOCK_MONOTONIC time of submission.
 * @started_ns: out: time it started on the device, 0 if not yet.
 * @ended_ns: out: time it finished, 0 if not yet.
 */
struct drm_aiot_job_wait {
	__u64 job_id;
	__u32 flags;
	__u32 state;
	__s64 timeout_ns;
	__s32 status;
	__u32 pad;
	__u64 queued_ns;
	__u64 started_ns;
	__u64 ended_ns;
};

/*
 * Standing pipelines (uAPI 1.2, docs/pipeline.md): for every slot of a
 * sensor stream the kernel runs a front-end command stream on it, and every
 * period_slots slots a model stream, with no userspace involvement; the
 * decisions come out of a pollable file as struct drm_aiot_pipeline_record.
 */

/* The stage binds the sensor slot (read-only) at its slot_binding. */
#define DRM_AIOT_PIPELINE_STAGE_SLOT	(1u << 0)
/*
 * uAPI 1.3, external source only: the stage also binds the frame's second
 * plane (NV12M's chroma, read-only) at its plane1_binding. Needs
 * %DRM_AIOT_PIPELINE_STAGE_SLOT (plane 0 at slot_binding).
 */
#define DRM_AIOT_PIPELINE_STAGE_PLANE1	(1u << 1)

/**
 * struct drm_aiot_pipeline_stage - one command stream of a pipeline
 * @cmd_handle: buffer holding the stream; copied and validated at create
 *	as SUBMIT does, so a later change of the buffer changes nothing.
 * @cmd_offset: byte offset of the stream in that buffer.
 * @cmd_size: bytes of the stream; 0 (and every other field 0) for no
 *	front end.
 * @flags: DRM_AIOT_PIPELINE_STAGE_*.
 * @slot_binding: with %DRM_AIOT_PIPELINE_STAGE_SLOT, the binding slot that
 *	receives the sensor slot (its bindings[] entry must be 0); else 0.
 * @reserved: must be zero, unless %DRM_AIOT_PIPELINE_STAGE_PLANE1.
 * @plane1_binding: (uAPI 1.3, the same field as @reserved) with
 *	%DRM_AIOT_PIPELINE_STAGE_PLANE1, the binding slot that receives the
 *	frame's plane 1 (its bindings[] entry must be 0, it differs from
 *	@slot_binding).
 * @bindings: buffer handle per binding slot, as SUBMIT's. The pipeline
 *	holds the buffers (its cross-frame state: a noise estimate, the
 *	rolling feature window) until it is closed.
 */
struct drm_aiot_pipeline_stage {
	__u32 cmd_handle;
	__u32 cmd_offset;
	__u32 cmd_size;
	__u32 flags;
	__u32 slot_binding;
	union {
		__u32 reserved;
		__u32 plane1_binding;
	};
	__u32 bindings[DRM_AIOT_MAX_BINDINGS];
};

/* Most output bytes a record carries. */
#define DRM_AIOT_PIPELINE_MAX_OUTPUT	64
/* Records the decision file keeps when record_count is 0, and at most. */
#define DRM_AIOT_PIPELINE_DEFAULT_RECORDS	64
#define DRM_AIOT_PIPELINE_MAX_RECORDS	4096

/*
 * uAPI 1.3: the source is not a sensor stream but frames userspace hands
 * in with DRM_AIOT_PIPELINE_IOC_FRAME (a camera's V4L2 buffers);
 * sensor_fd must be -1. docs/pipeline.md, "Frames from userspace".
 */
#define DRM_AIOT_PIPELINE_SOURCE_EXTERNAL	(1u << 0)

/**
 * struct drm_aiot_pipeline_create - create a standing pipeline
 * @flags: DRM_AIOT_PIPELINE_SOURCE_* (uAPI 1.3), else zero.
 * @sensor_fd: a sensor stream's file (docs/sensor-uapi.md), the one that
 *	configured it, with overflow OVERWRITE_OLDEST. The pipeline holds it
 *	and its slots (CONFIGURE fails with EBUSY) until it is closed.
 *	-1 with %DRM_AIOT_PIPELINE_SOURCE_EXTERNAL.
 * @frontend: run on every slot; optional (cmd_size 0).
 * @model: run every @period_slots slots, after that slot's front end.
 * @period_slots: K, slots per decision, 1..65536.
 * @priority: &enum drm_aiot_priority of the pipeline's jobs.
 * @deadline_ns: D, relative to a slot's DMA completion: a job not started
 *	by then is not run, and the period is late. 0 for none.
 * @output_handle: the buffer whose bytes a record carries, 0 for none.
 * @output_offset: where they start in it.
 * @output_size: how many, at most %DRM_AIOT_PIPELINE_MAX_OUTPUT.
 * @record_count: records the decision file keeps before it counts
 *	overflows, 0 for %DRM_AIOT_PIPELINE_DEFAULT_RECORDS, at most
 *	%DRM_AIOT_PIPELINE_MAX_RECORDS.
 * @fd: out: the decision file (O_CLOEXEC): read() and poll() the records,
 *	its ioctls start and stop the pipeline and read its counters;
 *	closing it destroys the pipeline.
 * @reserved: must be zero.
 */
struct drm_aiot_pipeline_create {
	__u32 flags;
	__s32 sensor_fd;
	struct drm_aiot_pipeline_stage frontend;
	struct drm_aiot_pipeline_stage model;
	__u32 period_slots;
	__u32 priority;
	__u64 deadline_ns;
	__u32 output_handle;
	__u32 output_offset;
	__u32 output_size;
	__u32 record_count;
	__s32 fd;
	__u32 reserved[5];
};

/* The period's model ran and finished (status 0) or failed. */
#define DRM_AIOT_PIPELINE_REC_RAN	(1u << 0)
/*
 * The period was late: one of its slots came while the chain was busy (and
 * was skipped), or a job missed its deadline (status -ETIME).
 */
#define DRM_AIOT_PIPELINE_REC_LATE	(1u << 1)
/* Sensor periods were lost (sequence gap, slot flagged OVERFLOWED). */
#define DRM_AIOT_PIPELINE_REC_GAP	(1u << 2)

/**
 * struct drm_aiot_pipeline_stats - a pipeline's counters, since create
 * @slots: slots the sensor filled while the pipeline ran
 * @frontend_jobs: front-end jobs queued
 * @periods: decision periods (each gives one record)
 * @decisions: of @periods, those whose model finished with status 0
 * @late: of @periods, those that were late (DRM_AIOT_PIPELINE_REC_LATE)
 * @skipped_slots: slots not processed because the chain was still busy
 * @failed: of @periods, those whose jobs failed otherwise
 * @sensor_drops: sensor periods lost before reaching the pipeline
 * @overflows: records lost because the decision file's ring was full
 * @wakeups: read() and poll() calls that found a record
 * @reserved: zero
 */
struct drm_aiot_pipeline_stats {
	__u64 slots;
	__u64 frontend_jobs;
	__u64 periods;
	__u64 decisions;
	__u64 late;
	__u64 skipped_slots;
	__u64 failed;
	__u64 sensor_drops;
	__u64 overflows;
	__u64 wakeups;
	__u64 reserved[6];
};

/**
 * struct drm_aiot_pipeline_record - one period's decision, read()
 * @period: index of the period since create, from 0
 * @sequence: sensor sequence number of the period's last slot
 * @timestamp_ns: CLOCK_MONOTONIC time of that slot's first sample
 * @dma_done_ns: when that slot's DMA completed
 * @started_ns: when the model job started on the device, 0 if it did not
 * @ended_ns: when it ended, 0 if it did not run
 * @decided_ns: when the record was written
 * @status: 0, or the -errno the period ended with (-ETIME late)
 * @flags: DRM_AIOT_PIPELINE_REC_*
 * @output_size: bytes of @output filled in
 * @reserved0: zero
 * @late: the pipeline's @late counter after this record
 * @skipped_slots: its @skipped_slots counter
 * @overflows: its @overflows counter when the record was written
 * @output: the output buffer's bytes after the model ran
 */
struct drm_aiot_pipeline_record {
	__u64 period;
	__u64 sequence;
	__u64 timestamp_ns;
	__u64 dma_done_ns;
	__u64 started_ns;
	__u64 ended_ns;
	__u64 decided_ns;
	__s32 status;
	__u32 flags;
	__u32 output_size;
	__u32 reserved0;
	__u64 late;
	__u64 skipped_slots;
	__u64 overflows;
	__u8 output[DRM_AIOT_PIPELINE_MAX_OUTPUT];
};

/* ioctls of the decision file (not the DRM node). */
#define DRM_AIOT_PIPELINE_IOC_MAGIC	0xBA
/* Start (idempotent): from the next slot the sensor fills. */
#define DRM_AIOT_PIPELINE_IOC_START	_IO(DRM_AIOT_PIPELINE_IOC_MAGIC, 0)
/* Stop (idempotent): no new job; jobs queued finish or fail. */
#define DRM_AIOT_PIPELINE_IOC_STOP	_IO(DRM_AIOT_PIPELINE_IOC_MAGIC, 1)
#define DRM_AIOT_PIPELINE_IOC_STATS \
	_IOR(DRM_AIOT_PIPELINE_IOC_MAGIC, 2, struct drm_aiot_pipeline_stats)

/* Most planes of a frame, and dma-bufs an external pipeline keeps. */
#define DRM_AIOT_PIPELINE_MAX_PLANES	2
#define DRM_AIOT_PIPELINE_MAX_FRAME_BUFS	64

/* In: return a sync_file in fence_fd. */
#define DRM_AIOT_PIPELINE_FRAME_FENCE_FD	(1u << 0)
/* Out: the frame was skipped (the chain was busy); nothing reads it. */
#define DRM_AIOT_PIPELINE_FRAME_SKIPPED		(1u << 16)

/**
 * struct drm_aiot_pipeline_frame - hand one frame to an external pipeline
 * @flags: in: DRM_AIOT_PIPELINE_FRAME_FENCE_FD; out: the input flags and
 *	DRM_AIOT_PIPELINE_FRAME_SKIPPED.
 * @planes: 1, or 2 when a stage binds %DRM_AIOT_PIPELINE_STAGE_PLANE1.
 * @dmabuf_fd: the frame's dma-buf per plane (a V4L2 buffer's
 *	VIDIOC_EXPBUF fd). Imported once per dma-buf and kept until the
 *	pipeline is closed; the first frame in each new buffer validates the
 *	stages against it (SUBMIT's errors, e.g. ENOSPC for a buffer smaller
 *	than a stage reads).
 * @sequence: the frame's sequence number (V4L2's), for gaps and records.
 * @timestamp_ns: its capture time, CLOCK_MONOTONIC (V4L2's timestamp):
 *	the record's timestamp_ns.
 * @fence_fd: out: with %DRM_AIOT_PIPELINE_FRAME_FENCE_FD, a sync_file
 *	(O_CLOEXEC) that signals once no job reads the frame any more;
 *	-1 when the frame was skipped (it is free at once).
 * @reserved: must be zero.
 */
struct drm_aiot_pipeline_frame {
	__u32 flags;
	__u32 planes;
	__s32 dmabuf_fd[DRM_AIOT_PIPELINE_MAX_PLANES];
	__u64 sequence;
	__u64 timestamp_ns;
	__s32 fence_fd;
	__u32 reserved[5];
};

/* uAPI 1.3: queue one frame on an external pipeline. */
#define DRM_AIOT_PIPELINE_IOC_FRAME \
	_IOWR(DRM_AIOT_PIPELINE_IOC_MAGIC, 3, struct drm_aiot_pipeline_frame)

#if defined(__cplusplus)
}
#endif

#endif /* _UAPI_DRM_AIOT_ACCEL_H_ */
