/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * DOC: libaiot-accel
 *
 * The C API of aiot's inference accelerators: open a device, allocate and
 * share buffers, submit command streams with fences, run compiled models
 * on buffers that other devices (sensor streams) fill, without copying.
 *
 * Conventions, the same for every call:
 *
 *  - Objects are opaque and named ``struct aiot_<object>``; functions are
 *    ``aiot_<object>_<verb>``.
 *  - A function that can fail returns an ``int``: 0 (or a non-negative
 *    value where documented) on success, a negative errno on failure. A
 *    constructor whose only possible failure is running out of memory
 *    returns a pointer, NULL meaning -ENOMEM. Other constructors return an
 *    ``int`` and hand the object out through their last argument, which
 *    is left untouched on failure. aiot_strerror() explains an error in
 *    aiot's terms.
 *  - Every ``*_free()``/``*_close()`` accepts NULL.
 *  - The library keeps no global mutable state. An object may be used
 *    from several threads at once unless its section says otherwise;
 *    config objects (struct aiot_job_config) belong to one thread at a time.
 *  - Buffers, jobs and models belong to the accelerator they were made on
 *    and must be freed before aiot_accel_close() is called on it.
 *  - Timeouts are relative, in nanoseconds: 0 polls, a negative value waits
 *    forever. Absolute times are CLOCK_MONOTONIC nanoseconds.
 *  - File descriptors the library creates carry O_CLOEXEC.
 */
#ifndef AIOT_ACCEL_H
#define AIOT_ACCEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define AIOT_API __attribute__((visibility("default")))
#else
#define AIOT_API
#endif

struct aiot_accel;
struct aiot_accel_info;
struct aiot_buffer;
struct aiot_job_config;
struct aiot_job;
struct aiot_model;
struct aiot_tensor_info;

/* ---------------------------------------------------------------- errors */

/**
 * aiot_strerror() - describe an error returned by this library
 * @err: a negative errno from a libaiot-accel call (a positive value is
 *	taken as its negation).
 *
 * Where an errno has a specific meaning in aiot (e.g. -ETIMEDOUT: the job
 * hung and the device was reset; -EBADMSG: a model blob's checksum does not
 * match), that meaning is given; otherwise the system's description.
 *
 * Return: a static string, never NULL; safe from any thread.
 */
AIOT_API const char *aiot_strerror(int err);

/* ----------------------------------------------------------- accelerator */

/* Capability bits of aiot_accel_info_get_capabilities() (the uAPI's). */
#define AIOT_ACCEL_CAP_ACCEL_NODE	(1ULL << 0)	/* /dev/accel node */
#define AIOT_ACCEL_CAP_BO		(1ULL << 1)	/* buffers, PRIME */
#define AIOT_ACCEL_CAP_SUBMIT		(1ULL << 2)	/* jobs, syncobj fences */
#define AIOT_ACCEL_CAP_SYNC_FILE	(1ULL << 3)	/* sync_file at submit */
#define AIOT_ACCEL_CAP_PIPELINE		(1ULL << 4)	/* <aiot/pipeline.h> */
#define AIOT_ACCEL_CAP_PIPELINE_EXTERNAL (1ULL << 5)	/* frames from userspace */

/**
 * aiot_accel_open() - open an aiot accelerator by device node
 * @path: /dev/accel/accelN, or /dev/dri/renderDN on kernels without DRM
 *	accel.
 * @accel_out: receives the accelerator.
 *
 * The node must belong to the "aiot" DRM driver and speak uAPI major
 * version 1.
 *
 * Return: 0; -EINVAL for a NULL argument; -ENODEV if @path is not an aiot
 * accelerator; -EPROTONOSUPPORT if its uAPI major version differs; an
 * errno from open(2); -ENOMEM.
 */
AIOT_API int aiot_accel_open(const char *path, struct aiot_accel **accel_out);

/**
 * aiot_accel_open_default() - open the first aiot accelerator of the system
 * @accel_out: receives the accelerator.
 *
 * Devices are found with libudev: the "accel" subsystem first, then render
 * nodes of the "drm" subsystem, each in order of its minor number; the
 * first one whose DRM driver is "aiot" wins.
 *
 * Return: 0; -ENODEV if there is none (is the module loaded?); -EACCES or
 * -EPERM if none could be opened and a node refused the caller (is the user
 * in the node's group?); -EINVAL; -ENOMEM.
 */
AIOT_API int aiot_accel_open_default(struct aiot_accel **accel_out);

/**
 * aiot_accel_close() - close an accelerator
 * @accel: the accelerator, or NULL.
 *
 * Jobs still running complete on the device; their results are lost.
 * Every buffer, job and model made on @accel must be freed before.
 */
AIOT_API void aiot_accel_close(struct aiot_accel *accel);

/**
 * aiot_accel_get_path() - the device node an accelerator was opened on
 * @accel: the accelerator.
 *
 * Return: the path, owned by @accel; NULL if @accel is NULL.
 */
AIOT_API const char *aiot_accel_get_path(const struct aiot_accel *accel);

/**
 * aiot_accel_get_fd() - the accelerator's DRM file descriptor
 * @accel: the accelerator.
 *
 * For ioctls the library does not wrap and for libdrm calls (e.g.
 * drmSyncobjCreate() for fences shared with other work). The descriptor
 * stays owned by @accel: do not close it.
 *
 * Return: the fd, or -EINVAL if @accel is NULL.
 */
AIOT_API int aiot_accel_get_fd(const struct aiot_accel *accel);

/**
 * aiot_accel_get_info() - query the device
 * @accel: the accelerator.
 * @info_out: receives a snapshot, to free with aiot_accel_info_free().
 *
 * Each call asks the driver again: capabilities may change (e.g. after a
 * backend reset), a snapshot does not.
 *
 * Return: 0; -EINVAL; -ENODEV once the device is gone; -ENOMEM.
 */
AIOT_API int aiot_accel_get_info(struct aiot_accel *accel,
				 struct aiot_accel_info **info_out);

/**
 * aiot_accel_has_capability() - test capabilities of the device as opened
 * @accel: the accelerator.
 * @caps: AIOT_ACCEL_CAP_* bits.
 *
 * Uses the snapshot taken by aiot_accel_open().
 *
 * Return: true if all of @caps are present; false otherwise or if @accel
 * is NULL.
 */
AIOT_API bool aiot_accel_has_capability(const struct aiot_accel *accel,
					uint64_t caps);

/** aiot_accel_info_free() - free a snapshot; @info may be NULL. */
AIOT_API void aiot_accel_info_free(struct aiot_accel_info *info);
/** aiot_accel_info_get_backend() - hardware backend's name ("aiot-sim-npu"). */
AIOT_API const char *aiot_accel_info_get_backend(const struct aiot_accel_info *info);
/** aiot_accel_info_get_capabilities() - AIOT_ACCEL_CAP_* bits. */
AIOT_API uint64_t aiot_accel_info_get_capabilities(const struct aiot_accel_info *info);
/** aiot_accel_info_get_uapi_major() - uAPI major version of the driver. */
AIOT_API unsigned int aiot_accel_info_get_uapi_major(const struct aiot_accel_info *info);
/** aiot_accel_info_get_uapi_minor() - uAPI minor version of the driver. */
AIOT_API unsigned int aiot_accel_info_get_uapi_minor(const struct aiot_accel_info *info);
/**
 * aiot_accel_info_get_driver_version() - driver version
 * @info: the snapshot.
 * @major: receives the major version, may be NULL.
 * @minor: receives the minor version, may be NULL.
 * @patch: receives the patch level, may be NULL.
 */
AIOT_API void aiot_accel_info_get_driver_version(const struct aiot_accel_info *info,
						 unsigned int *major,
						 unsigned int *minor,
						 unsigned int *patch);
/** aiot_accel_info_get_hw_id() - backend's silicon or IP revision. */
AIOT_API uint32_t aiot_accel_info_get_hw_id(const struct aiot_accel_info *info);
/** aiot_accel_info_get_isa_version() - ISA version, (major << 16) | minor. */
AIOT_API uint32_t aiot_accel_info_get_isa_version(const struct aiot_accel_info *info);
/** aiot_accel_info_get_max_bindings() - binding slots of a job. */
AIOT_API unsigned int aiot_accel_info_get_max_bindings(const struct aiot_accel_info *info);
/** aiot_accel_info_get_job_timeout_ms() - hang timeout of a job. */
AIOT_API unsigned int aiot_accel_info_get_job_timeout_ms(const struct aiot_accel_info *info);
/**
 * aiot_accel_info_get_max_job_work() - most work one job may carry
 * @info: the snapshot.
 *
 * In the ISA's work units (docs/isa.md: multiply-accumulates, elements
 * moved); submitting more fails with -E2BIG. 0 from a driver older than
 * uAPI 1.1, which has no limit to report. Since 0.4.
 */
AIOT_API uint64_t aiot_accel_info_get_max_job_work(const struct aiot_accel_info *info);
/**
 * aiot_accel_info_get_max_jobs_in_flight() - most unfinished jobs of a file
 * @info: the snapshot.
 *
 * Submitting one more fails with -EBUSY until one finishes. 0 from a
 * driver older than uAPI 1.1. Since 0.4.
 */
AIOT_API unsigned int aiot_accel_info_get_max_jobs_in_flight(const struct aiot_accel_info *info);

/**
 * enum aiot_stat - counters of aiot_accel_get_stat()
 * @AIOT_STAT_BYTES_COPIED: bytes the library copied between caller memory
 *	and device buffers on the inference path (aiot_model_write_input(),
 *	aiot_model_read_output()). A zero-copy pipeline keeps it at 0.
 * @AIOT_STAT_BYTES_LOADED: bytes copied once when loading models (command
 *	streams and weights); not part of any inference.
 * @AIOT_STAT_JOBS_SUBMITTED: jobs accepted by the device.
 * @AIOT_STAT_JOBS_COMPLETED: jobs seen to complete successfully.
 * @AIOT_STAT_JOBS_FAILED: jobs seen to complete with an error.
 * @AIOT_STAT_BUFFERS: buffers alive now.
 */
enum aiot_stat {
	AIOT_STAT_BYTES_COPIED = 0,
	AIOT_STAT_BYTES_LOADED,
	AIOT_STAT_JOBS_SUBMITTED,
	AIOT_STAT_JOBS_COMPLETED,
	AIOT_STAT_JOBS_FAILED,
	AIOT_STAT_BUFFERS,
	AIOT_STAT_COUNT_
};

/**
 * aiot_accel_get_stat() - read a counter of this accelerator object
 * @accel: the accelerator.
 * @stat: which counter.
 *
 * Counters cover what was done through @accel since it was opened; they
 * are updated atomically.
 *
 * Return: the value; 0 for a NULL @accel or an unknown @stat.
 */
AIOT_API uint64_t aiot_accel_get_stat(const struct aiot_accel *accel,
				      enum aiot_stat stat);

/* ---------------------------------------------------------------- buffers */

/**
 * aiot_buffer_create() - allocate a device buffer
 * @accel: the accelerator.
 * @size: bytes, 1 to 1 GiB; rounded up to whole pages.
 * @buffer_out: receives the buffer.
 *
 * Return: 0; -EINVAL (NULL, @size 0 or too large); -EOPNOTSUPP if the
 * device has no buffers; -ENOMEM; -ENODEV.
 */
AIOT_API int aiot_buffer_create(struct aiot_accel *accel, size_t size,
				struct aiot_buffer **buffer_out);

/**
 * aiot_buffer_import_dmabuf() - use a dma-buf (e.g. a sensor slot) as a buffer
 * @accel: the accelerator.
 * @dmabuf_fd: the dma-buf; the caller keeps it and may close it at once.
 * @buffer_out: receives the buffer, of the dma-buf's size.
 *
 * The pages are shared, not copied. Jobs reading the buffer wait for the
 * dma-buf's writers (for a sensor slot: its DMA) by implicit sync.
 * Importing the same dma-buf twice gives two buffer objects that share one
 * device handle; each is freed on its own.
 *
 * Return: 0; -EINVAL; -EBADF if @dmabuf_fd is not a dma-buf; -ENOMEM.
 */
AIOT_API int aiot_buffer_import_dmabuf(struct aiot_accel *accel, int dmabuf_fd,
				       struct aiot_buffer **buffer_out);

/**
 * aiot_buffer_export_dmabuf() - share a buffer as a dma-buf
 * @buffer: the buffer.
 *
 * Return: a new dma-buf fd (read-write, close-on-exec) that the caller
 * owns, or a negative errno.
 */
AIOT_API int aiot_buffer_export_dmabuf(struct aiot_buffer *buffer);

/**
 * aiot_buffer_map() - map a buffer into this process
 * @buffer: the buffer.
 * @ptr_out: receives the address of byte 0.
 *
 * The mapping is made once, read-write, and stays until
 * aiot_buffer_free(); later calls return the same address. The CPU sees
 * the device's writes once the job that wrote is complete (wait for it, or
 * with aiot_buffer_wait()).
 *
 * Return: 0; -EINVAL; an errno from mmap(2).
 */
AIOT_API int aiot_buffer_map(struct aiot_buffer *buffer, void **ptr_out);

/* Wait only for writers: the buffer may be read, reads may still run. */
#define AIOT_BUFFER_WAIT_WRITERS	(1u << 0)

/**
 * aiot_buffer_wait() - wait until the device is done with a buffer
 * @buffer: the buffer.
 * @flags: AIOT_BUFFER_WAIT_* bits.
 * @timeout_ns: relative timeout; 0 polls; negative waits forever.
 *
 * Return: 0 when idle; -ETIME if still busy after @timeout_ns; -EINVAL
 * for unknown @flags.
 */
AIOT_API int aiot_buffer_wait(struct aiot_buffer *buffer, unsigned int flags,
			      int64_t timeout_ns);

/** aiot_buffer_get_size() - bytes of the buffer; 0 for NULL. */
AIOT_API size_t aiot_buffer_get_size(const struct aiot_buffer *buffer);
/** aiot_buffer_get_handle() - its GEM handle on aiot_accel_get_fd(); 0 for NULL. */
AIOT_API uint32_t aiot_buffer_get_handle(const struct aiot_buffer *buffer);

/**
 * aiot_buffer_free() - release a buffer
 * @buffer: the buffer, or NULL.
 *
 * Unmaps it. Jobs already submitted that use it keep its pages alive until
 * they complete.
 */
AIOT_API void aiot_buffer_free(struct aiot_buffer *buffer);

/* ------------------------------------------------------ job configuration */

/* Binding slots of a job (slot numbers 0 .. AIOT_MAX_BINDINGS - 1). */
#define AIOT_MAX_BINDINGS	16
/* In-fences of one job (syncobjs, sync_files and jobs together). */
#define AIOT_MAX_IN_FENCES	64

/**
 * enum aiot_priority - scheduling priority of a job
 * @AIOT_PRIORITY_LOW: background work.
 * @AIOT_PRIORITY_NORMAL: the default.
 * @AIOT_PRIORITY_HIGH: needs CAP_SYS_NICE (-EACCES at submit otherwise).
 */
enum aiot_priority {
	AIOT_PRIORITY_LOW = 0,
	AIOT_PRIORITY_NORMAL = 1,
	AIOT_PRIORITY_HIGH = 2,
};

/*
 * Have the kernel create the job's sync_file at submit (one ioctl less
 * than creating it on demand in aiot_job_get_fence_fd()). Ignored on
 * devices without AIOT_ACCEL_CAP_SYNC_FILE.
 */
#define AIOT_JOB_CONFIG_FENCE_FD	(1u << 0)

/**
 * aiot_job_config_new() - a job configuration with defaults
 *
 * Defaults: no command stream, no bindings, no in-fences, normal priority,
 * no deadline, no flags, capture time 0. A configuration describes a job;
 * it can be submitted any number of times and changed in between.
 *
 * Return: the configuration, NULL when out of memory.
 */
AIOT_API struct aiot_job_config *aiot_job_config_new(void);

/** aiot_job_config_free() - free a configuration; @config may be NULL. */
AIOT_API void aiot_job_config_free(struct aiot_job_config *config);

/**
 * aiot_job_config_set_command_stream() - the stream the job executes
 * @config: the configuration.
 * @buffer: buffer holding the stream; NULL unsets it.
 * @offset: byte offset of the stream in @buffer.
 * @size: bytes of the stream.
 *
 * The device copies and validates the stream at submit: later changes of
 * the buffer do not affect submitted jobs.
 *
 * Return: 0; -EINVAL if @config is NULL, @size is 0, @offset or @size
 * exceed 32 bits, or the range does not fit in @buffer.
 */
AIOT_API int aiot_job_config_set_command_stream(struct aiot_job_config *config,
						struct aiot_buffer *buffer,
						size_t offset, size_t size);

/**
 * aiot_job_config_set_binding() - bind a buffer to a slot
 * @config: the configuration.
 * @slot: 0 .. AIOT_MAX_BINDINGS - 1.
 * @buffer: the buffer, or NULL to unbind.
 *
 * The configuration refers to @buffer, it does not own it: keep the buffer
 * until the configuration is last submitted.
 *
 * Return: 0; -EINVAL for a NULL @config or a slot out of range.
 */
AIOT_API int aiot_job_config_set_binding(struct aiot_job_config *config,
					 unsigned int slot,
					 struct aiot_buffer *buffer);

/**
 * aiot_job_config_get_binding() - the buffer bound to a slot
 * @config: the configuration.
 * @slot: the slot.
 *
 * Return: the buffer, or NULL if none, or on a bad argument.
 */
AIOT_API struct aiot_buffer *
aiot_job_config_get_binding(const struct aiot_job_config *config,
			    unsigned int slot);

/**
 * aiot_job_config_add_in_syncobj() - wait for a syncobj before starting
 * @config: the configuration.
 * @handle: a syncobj handle on aiot_accel_get_fd(); its fence at submit
 *	time counts.
 *
 * Return: 0; -EINVAL (NULL @config, handle 0); -E2BIG beyond
 * AIOT_MAX_IN_FENCES in-fences.
 */
AIOT_API int aiot_job_config_add_in_syncobj(struct aiot_job_config *config,
					    uint32_t handle);

/**
 * aiot_job_config_add_in_sync_file() - wait for a sync_file before starting
 * @config: the configuration.
 * @sync_file_fd: the sync_file. The configuration does not own it: it must
 *	stay open until the submits that use it returned.
 *
 * Return: 0; -EINVAL for a NULL @config; -EBADF for a negative fd; -E2BIG
 * beyond AIOT_MAX_IN_FENCES in-fences.
 */
AIOT_API int aiot_job_config_add_in_sync_file(struct aiot_job_config *config,
					      int sync_file_fd);

/**
 * aiot_job_config_add_in_job() - start only after another job completed
 * @config: the configuration.
 * @job: a submitted job of the same accelerator; the configuration refers
 *	to it and the job must stay alive until the submits that use it
 *	returned.
 *
 * Return: 0; -EINVAL; -E2BIG beyond AIOT_MAX_IN_FENCES in-fences.
 */
AIOT_API int aiot_job_config_add_in_job(struct aiot_job_config *config,
					struct aiot_job *job);

/** aiot_job_config_clear_in_fences() - forget every in-fence. */
AIOT_API void aiot_job_config_clear_in_fences(struct aiot_job_config *config);

/** aiot_job_config_get_in_fence_count() - number of in-fences; 0 for NULL. */
AIOT_API unsigned int
aiot_job_config_get_in_fence_count(const struct aiot_job_config *config);

/**
 * aiot_job_config_set_priority() - scheduling priority
 * @config: the configuration.
 * @priority: &enum aiot_priority.
 *
 * Return: 0; -EINVAL for a NULL @config or an unknown priority.
 */
AIOT_API int aiot_job_config_set_priority(struct aiot_job_config *config,
					  enum aiot_priority priority);

/** aiot_job_config_get_priority() - the priority; NORMAL for NULL. */
AIOT_API enum aiot_priority
aiot_job_config_get_priority(const struct aiot_job_config *config);

/**
 * aiot_job_config_set_deadline() - give up on a job that starts too late
 * @config: the configuration.
 * @deadline_ns: CLOCK_MONOTONIC time; a job not started by then completes
 *	with status -ETIME without running. 0 for none.
 *
 * Return: 0; -EINVAL for a NULL @config.
 */
AIOT_API int aiot_job_config_set_deadline(struct aiot_job_config *config,
					  uint64_t deadline_ns);

/** aiot_job_config_get_deadline() - the deadline, 0 for none or NULL. */
AIOT_API uint64_t aiot_job_config_get_deadline(const struct aiot_job_config *config);

/**
 * aiot_job_config_set_capture_time() - when the job's input was captured
 * @config: the configuration.
 * @capture_ns: CLOCK_MONOTONIC time, e.g. a sensor slot's timestamp; 0
 *	for unknown.
 *
 * Not sent to the device; carried by the job so that
 * aiot_job_get_timing() reports capture-to-decision latency.
 *
 * Return: 0; -EINVAL for a NULL @config.
 */
AIOT_API int aiot_job_config_set_capture_time(struct aiot_job_config *config,
					      uint64_t capture_ns);

/**
 * aiot_job_config_set_flags() - AIOT_JOB_CONFIG_* flags
 * @config: the configuration.
 * @flags: the flags, replacing the previous ones.
 *
 * Return: 0; -EINVAL for a NULL @config or unknown bits.
 */
AIOT_API int aiot_job_config_set_flags(struct aiot_job_config *config,
				       unsigned int flags);

/** aiot_job_config_get_flags() - AIOT_JOB_CONFIG_* flags; 0 for NULL. */
AIOT_API unsigned int aiot_job_config_get_flags(const struct aiot_job_config *config);

/* ------------------------------------------------------------------ jobs */

/**
 * aiot_accel_submit() - queue a job, without waiting for it
 * @accel: the accelerator.
 * @config: what to run; it may be changed or freed after the call.
 * @job_out: receives the job, to free with aiot_job_free().
 *
 * The job starts when its in-fences and the writers of its bound buffers
 * (implicit sync) have signalled, and the device is free.
 *
 * Return: 0; -EINVAL (no command stream, a stream the device rejects,
 * a bad argument); -EXDEV if a buffer or job belongs to another
 * accelerator; -EOPNOTSUPP if the device cannot run jobs
 * (AIOT_ACCEL_CAP_SUBMIT); -EACCES for high priority without privilege;
 * -ENOMEM; -ENODEV.
 */
AIOT_API int aiot_accel_submit(struct aiot_accel *accel,
			       const struct aiot_job_config *config,
			       struct aiot_job **job_out);

/**
 * aiot_job_wait() - wait for a job to complete
 * @job: the job.
 * @timeout_ns: relative timeout; 0 polls; negative waits forever.
 *
 * Completion says nothing of success: read aiot_job_get_status(). Several
 * threads may wait for the same job.
 *
 * Return: 0 once the job is complete; -ETIME if it is not complete after
 * @timeout_ns; -ENOENT if the device no longer remembers the job (more
 * than 256 newer jobs on the same accelerator completed before this one
 * was waited for); -ENODEV; -EINVAL.
 */
AIOT_API int aiot_job_wait(struct aiot_job *job, int64_t timeout_ns);

/**
 * aiot_job_get_status() - outcome of a job
 * @job: the job.
 *
 * Does not block and does not ask the device: it reports what the last
 * aiot_job_wait() saw.
 *
 * Return: 0 if the job completed successfully; -EINPROGRESS if it was not
 * seen to complete yet; else the job's error: -ETIMEDOUT (it hung and the
 * device was reset), -ETIME (its deadline passed before it started),
 * -ECANCELED, -ENODEV (device removed), -EINVAL (failed at run time).
 */
AIOT_API int aiot_job_get_status(const struct aiot_job *job);

/**
 * aiot_job_get_fence_fd() - the job's completion fence as a sync_file
 * @job: the job.
 *
 * The fd becomes readable (POLLIN) when the job completes, so it fits a
 * poll loop, and it can be handed to other devices as an in-fence. It is
 * created on the first call and owned by the job: do not close it; dup()
 * it to keep it beyond aiot_job_free().
 *
 * Return: the fd, or a negative errno.
 */
AIOT_API int aiot_job_get_fence_fd(struct aiot_job *job);

/**
 * aiot_job_get_syncobj() - the syncobj that receives the job's fence
 * @job: the job.
 *
 * A handle on aiot_accel_get_fd(), owned by the job, for libdrm's syncobj
 * calls.
 *
 * Return: the handle, 0 for NULL.
 */
AIOT_API uint32_t aiot_job_get_syncobj(const struct aiot_job *job);

/**
 * aiot_job_get_timing() - when the job was captured, queued, started, ended
 * @job: the job.
 * @capture_ns: receives the capture time given in the configuration (0 if
 *	none), may be NULL.
 * @queued_ns: receives the submit time, may be NULL.
 * @started_ns: receives the time it started on the device, may be NULL.
 * @ended_ns: receives the time it completed, may be NULL.
 *
 * All CLOCK_MONOTONIC nanoseconds, as recorded by the kernel. Times not
 * reached yet read 0.
 *
 * Return: 0 once the job was seen to complete; -EINPROGRESS before (the
 * known times are filled); -EINVAL for a NULL @job.
 */
AIOT_API int aiot_job_get_timing(const struct aiot_job *job, uint64_t *capture_ns,
				 uint64_t *queued_ns, uint64_t *started_ns,
				 uint64_t *ended_ns);

/** aiot_job_get_id() - the kernel's job id on its file; 0 for NULL. */
AIOT_API uint64_t aiot_job_get_id(const struct aiot_job *job);

/**
 * aiot_job_free() - forget a job
 * @job: the job, or NULL.
 *
 * A job still queued or running is not cancelled: it completes on the
 * device, only its record here is gone.
 */
AIOT_API void aiot_job_free(struct aiot_job *job);

/* ----------------------------------------------------------------- models */

/**
 * enum aiot_dtype - element type of a tensor
 * @AIOT_DTYPE_INT8: signed 8-bit.
 * @AIOT_DTYPE_INT16: signed 16-bit (e.g. raw sensor samples).
 * @AIOT_DTYPE_INT32: signed 32-bit.
 */
enum aiot_dtype {
	AIOT_DTYPE_INT8 = 1,
	AIOT_DTYPE_INT16 = 2,
	AIOT_DTYPE_INT32 = 3,
};

/* Dimensions of a tensor's shape, NHWC. */
#define AIOT_TENSOR_DIMS	4

/**
 * aiot_model_load() - load a compiled model blob onto an accelerator
 * @accel: the accelerator.
 * @blob: the blob (see <aiot/model_format.h>); untrusted, fully checked.
 * @size: bytes at @blob.
 * @model_out: receives the model.
 * @err: receives a precise message on failure, may be NULL.
 * @errlen: bytes at @err.
 *
 * Allocates the command stream, weights and arena buffers and one buffer
 * for each input and output binding slot, and copies the stream and the
 * weights in (counted in AIOT_STAT_BYTES_LOADED). @blob may be freed after.
 *
 * Return: 0; -EINVAL, -EBADMSG, -ENOEXEC, -EPROTONOSUPPORT for a blob the
 * parser rejects (see aiot_model_blob_parse()); -ENOMEM; -EOPNOTSUPP if
 * the device has no buffers; -ENODEV.
 */
AIOT_API int aiot_model_load(struct aiot_accel *accel, const void *blob,
			     size_t size, struct aiot_model **model_out,
			     char *err, size_t errlen);

/**
 * aiot_model_load_file() - aiot_model_load() from a file
 * @accel: the accelerator.
 * @path: the blob's file.
 * @model_out: receives the model.
 * @err: receives a precise message on failure, may be NULL.
 * @errlen: bytes at @err.
 *
 * Return: as aiot_model_load(), plus the errors of opening and reading
 * @path; -EFBIG for a file above 1 GiB.
 */
AIOT_API int aiot_model_load_file(struct aiot_accel *accel, const char *path,
				  struct aiot_model **model_out, char *err,
				  size_t errlen);

/** aiot_model_free() - free a model and its buffers; @model may be NULL. */
AIOT_API void aiot_model_free(struct aiot_model *model);

/** aiot_model_get_name() - the model's name from the blob ("" if none). */
AIOT_API const char *aiot_model_get_name(const struct aiot_model *model);
/** aiot_model_get_input_count() - number of inputs; 0 for NULL. */
AIOT_API unsigned int aiot_model_get_input_count(const struct aiot_model *model);
/** aiot_model_get_output_count() - number of outputs; 0 for NULL. */
AIOT_API unsigned int aiot_model_get_output_count(const struct aiot_model *model);
/** aiot_model_get_arena_size() - bytes of scratch memory the model uses. */
AIOT_API size_t aiot_model_get_arena_size(const struct aiot_model *model);

/**
 * aiot_model_get_input_info() - describe an input tensor
 * @model: the model.
 * @index: 0 .. aiot_model_get_input_count() - 1.
 *
 * Return: the description, owned by @model; NULL for a bad argument.
 */
AIOT_API const struct aiot_tensor_info *
aiot_model_get_input_info(const struct aiot_model *model, unsigned int index);

/**
 * aiot_model_get_output_info() - describe an output tensor
 * @model: the model.
 * @index: 0 .. aiot_model_get_output_count() - 1.
 *
 * Return: the description, owned by @model; NULL for a bad argument.
 */
AIOT_API const struct aiot_tensor_info *
aiot_model_get_output_info(const struct aiot_model *model, unsigned int index);

/**
 * aiot_model_find_input() - an input's index by its tensor name
 * @model: the model.
 * @name: the name, as aiot_tensor_info_get_name() gives it (the blob
 *	keeps up to AIOT_MODEL_NAME_LEN bytes of the model's tensor name).
 *
 * Return: the index, 0 .. aiot_model_get_input_count() - 1 (the first if
 * several share the name); -ENOENT if no input is called @name; -EINVAL
 * for a NULL argument.
 */
AIOT_API int aiot_model_find_input(const struct aiot_model *model, const char *name);

/**
 * aiot_model_find_output() - an output's index by its tensor name
 * @model: the model.
 * @name: the name, as for aiot_model_find_input().
 *
 * Return: the index, 0 .. aiot_model_get_output_count() - 1; -ENOENT if no
 * output is called @name; -EINVAL for a NULL argument.
 */
AIOT_API int aiot_model_find_output(const struct aiot_model *model, const char *name);

/** aiot_tensor_info_get_name() - the tensor's name ("" if none). */
AIOT_API const char *aiot_tensor_info_get_name(const struct aiot_tensor_info *info);
/** aiot_tensor_info_get_dtype() - its &enum aiot_dtype. */
AIOT_API enum aiot_dtype aiot_tensor_info_get_dtype(const struct aiot_tensor_info *info);
/**
 * aiot_tensor_info_get_shape() - its NHWC shape
 * @info: the description.
 * @dims: receives AIOT_TENSOR_DIMS dimensions.
 */
AIOT_API void aiot_tensor_info_get_shape(const struct aiot_tensor_info *info,
					 uint32_t dims[AIOT_TENSOR_DIMS]);
/** aiot_tensor_info_get_size() - bytes of the tensor. */
AIOT_API size_t aiot_tensor_info_get_size(const struct aiot_tensor_info *info);
/** aiot_tensor_info_get_scale() - quantization scale: real = scale * (q - zero point). */
AIOT_API float aiot_tensor_info_get_scale(const struct aiot_tensor_info *info);
/** aiot_tensor_info_get_zero_point() - quantization zero point. */
AIOT_API int32_t aiot_tensor_info_get_zero_point(const struct aiot_tensor_info *info);
/** aiot_tensor_info_get_binding() - the job binding slot of its buffer. */
AIOT_API unsigned int aiot_tensor_info_get_binding(const struct aiot_tensor_info *info);
/** aiot_tensor_info_get_offset() - byte offset of the tensor in that buffer. */
AIOT_API size_t aiot_tensor_info_get_offset(const struct aiot_tensor_info *info);
/**
 * aiot_tensor_info_get_pixel_format() - the camera frame an input takes
 * @info: the description.
 *
 * Return: 0 for a plain tensor; for an input compiled with a camera frame
 * (aiot-compile --input) its V4L2 fourcc (V4L2_PIX_FMT_YUYV, ...): the
 * tensor's shape is then [1, height, width, 1] and its size the frame's
 * bytes (docs/model-format.md).
 */
AIOT_API uint32_t aiot_tensor_info_get_pixel_format(const struct aiot_tensor_info *info);
/**
 * aiot_tensor_info_is_dequantized() - the graph gives this output as float
 * @info: the description.
 *
 * Return: true for an output the model's graph ends with a DEQUANTIZE
 * (int8/int16 to float32): the device leaves the integer tensor, and
 * aiot_model_read_output_float() gives the float values TensorFlow Lite
 * would. False otherwise, and for NULL.
 */
AIOT_API bool aiot_tensor_info_is_dequantized(const struct aiot_tensor_info *info);

/**
 * aiot_model_bind_input() - read an input from the caller's buffer, no copy
 * @model: the model.
 * @index: the input.
 * @buffer: a buffer of the model's accelerator (e.g. an imported sensor
 *	slot), at least aiot_tensor_info_get_offset() +
 *	aiot_tensor_info_get_size() bytes; NULL returns to the model's own
 *	buffer.
 *
 * Binds @buffer to the input's slot, so it also serves every other input
 * in that slot. The model refers to @buffer and does not own it.
 *
 * Return: 0; -EINVAL (bad index, buffer too small); -EXDEV for a buffer of
 * another accelerator.
 */
AIOT_API int aiot_model_bind_input(struct aiot_model *model, unsigned int index,
				   struct aiot_buffer *buffer);

/**
 * aiot_model_bind_output() - write an output into the caller's buffer, no copy
 * @model: the model.
 * @index: the output.
 * @buffer: a buffer of the model's accelerator, at least
 *	aiot_tensor_info_get_offset() + aiot_tensor_info_get_size() bytes;
 *	NULL returns to the model's own buffer.
 *
 * Binds @buffer to the output's slot, so it also serves every other output
 * in that slot. The model refers to @buffer and does not own it.
 *
 * Return: 0; -EINVAL (bad index, buffer too small); -EXDEV for a buffer of
 * another accelerator.
 */
AIOT_API int aiot_model_bind_output(struct aiot_model *model, unsigned int index,
				    struct aiot_buffer *buffer);

/**
 * aiot_model_import_input_dmabuf() - an external dma-buf as an input, imported once
 * @model: the model.
 * @index: the input.
 * @dmabuf_fd: a dma-buf of any exporter: a V4L2 buffer from VIDIOC_EXPBUF,
 *	another driver's buffer. The caller keeps it and may close it.
 * @offset: byte offset in the dma-buf where the tensor's data begins (for
 *	V4L2, the plane's data_offset). Job bindings are whole buffers, so it
 *	must equal aiot_tensor_info_get_offset() of the input.
 * @length: bytes the producer fills from @offset (for V4L2, bytesused -
 *	data_offset); at least the tensor's size; 0: to the end of the dma-buf.
 * @buffer_out: receives the buffer, owned by @model: do not free it; it
 *	stays valid until aiot_model_release_dmabuf() of this dma-buf or
 *	aiot_model_free(). It can be bound with aiot_model_bind_input() or,
 *	for one job, with aiot_job_config_set_binding().
 * @err: receives a precise message on failure, may be NULL.
 * @errlen: bytes at @err.
 *
 * No copy: the accelerator reads the dma-buf's pages (PRIME import). The
 * dma-buf is imported on the first call only; later calls for the same
 * dma-buf, by this fd or any other fd of it (dup(), SCM_RIGHTS), return the
 * same buffer without an ioctl. The model keeps a dup() of the fd for each
 * imported dma-buf. A dma-buf carries no fence when V4L2 hands it out:
 * bind it after VIDIOC_DQBUF and give it back (VIDIOC_QBUF) only when the
 * jobs reading it are complete (aiot_job_get_fence_fd() polls for that).
 *
 * Return: 0; -EINVAL (bad argument, @offset not the tensor's, @length or
 * the dma-buf too small for the input's binding slot); -EBADF (@dmabuf_fd
 * is no dma-buf); -EOPNOTSUPP if the device has no buffers; -ENOMEM; an
 * error of the PRIME import.
 */
AIOT_API int aiot_model_import_input_dmabuf(struct aiot_model *model, unsigned int index,
					    int dmabuf_fd, size_t offset, size_t length,
					    struct aiot_buffer **buffer_out, char *err,
					    size_t errlen);

/**
 * aiot_model_bind_input_dmabuf() - read an input from an external dma-buf, no copy
 * @model: the model.
 * @index: the input.
 * @dmabuf_fd: the dma-buf, as for aiot_model_import_input_dmabuf().
 * @offset: as for aiot_model_import_input_dmabuf().
 * @length: as for aiot_model_import_input_dmabuf().
 * @err: receives a precise message on failure, may be NULL.
 * @errlen: bytes at @err.
 *
 * aiot_model_import_input_dmabuf() (imported once, then found again) and
 * aiot_model_bind_input() of the result: the next aiot_model_submit()
 * reads the input from the dma-buf.
 *
 * Return: as aiot_model_import_input_dmabuf().
 */
AIOT_API int aiot_model_bind_input_dmabuf(struct aiot_model *model, unsigned int index,
					  int dmabuf_fd, size_t offset, size_t length,
					  char *err, size_t errlen);

/**
 * aiot_model_release_dmabuf() - forget an imported dma-buf
 * @model: the model.
 * @dmabuf_fd: an fd of a dma-buf imported by aiot_model_import_input_dmabuf().
 *
 * Every binding slot of @model it is bound to returns to the model's own
 * buffer, and the import and the model's dup() of the fd are closed. Jobs
 * already submitted on it keep its pages until they complete. Done for
 * every imported dma-buf by aiot_model_free().
 *
 * Return: 0; -EINVAL for a NULL @model; -EBADF for a bad fd; -ENOENT if
 * the dma-buf was not imported for @model.
 */
AIOT_API int aiot_model_release_dmabuf(struct aiot_model *model, int dmabuf_fd);

/**
 * aiot_model_get_dmabuf_count() - how many external dma-bufs @model holds
 * @model: the model.
 *
 * Return: the number of dma-bufs imported and not released; 0 for NULL.
 */
AIOT_API unsigned int aiot_model_get_dmabuf_count(const struct aiot_model *model);

/**
 * aiot_model_write_input() - copy data into an input tensor
 * @model: the model.
 * @index: the input.
 * @data: aiot_tensor_info_get_size() bytes.
 * @size: must equal the tensor's size.
 *
 * The copying path, for data that is not already in a device buffer;
 * counted in AIOT_STAT_BYTES_COPIED.
 *
 * Return: 0; -EINVAL; an error of aiot_buffer_map().
 */
AIOT_API int aiot_model_write_input(struct aiot_model *model, unsigned int index,
				    const void *data, size_t size);

/**
 * aiot_model_read_output() - copy an output tensor out
 * @model: the model.
 * @index: the output.
 * @data: receives the tensor.
 * @size: must equal the tensor's size.
 *
 * Counted in AIOT_STAT_BYTES_COPIED; aiot_model_map_output() does not copy.
 *
 * Return: 0; -EINVAL; an error of aiot_buffer_map().
 */
AIOT_API int aiot_model_read_output(struct aiot_model *model, unsigned int index,
				    void *data, size_t size);

/**
 * aiot_model_read_output_float() - an output's real values
 * @model: the model.
 * @index: the output.
 * @values: receives them.
 * @count: must equal the tensor's element count.
 *
 * Each element is (float)((double)scale * (q - zero point)), TensorFlow
 * Lite's DEQUANTIZE: for an output aiot_tensor_info_is_dequantized() says
 * the graph gives as float, these are the graph's values bit for bit; any
 * other output is dequantized the same way. Counted in
 * AIOT_STAT_BYTES_COPIED as the tensor's bytes.
 *
 * Return: 0; -EINVAL; an error of aiot_buffer_map().
 */
AIOT_API int aiot_model_read_output_float(struct aiot_model *model, unsigned int index,
					  float *values, size_t count);

/**
 * aiot_model_map_output() - address of an output tensor, no copy
 * @model: the model.
 * @index: the output.
 * @ptr_out: receives the address of the tensor's first element in the
 *	buffer now bound to the output's slot.
 *
 * Return: 0; -EINVAL; an error of aiot_buffer_map().
 */
AIOT_API int aiot_model_map_output(struct aiot_model *model, unsigned int index,
				   const void **ptr_out);

/**
 * aiot_model_submit() - run the model asynchronously
 * @model: the model.
 * @options: NULL, or a configuration supplying in-fences, priority,
 *	deadline, capture time and flags. Its command stream is ignored. A
 *	buffer it binds to a slot overrides the model's binding of that
 *	slot for this job only: this is how jobs are queued ahead on
 *	upcoming sensor slots.
 * @job_out: receives the job.
 *
 * Return: as aiot_accel_submit(); -EINVAL also for an override buffer too
 * small for the tensors of its slot.
 */
AIOT_API int aiot_model_submit(struct aiot_model *model,
			       const struct aiot_job_config *options,
			       struct aiot_job **job_out);

/**
 * aiot_model_run() - run the model and wait for it
 * @model: the model.
 * @timeout_ns: relative timeout; negative waits forever.
 *
 * Return: 0 on success; the job's error (see aiot_job_get_status()); -ETIME
 * if it did not complete in time; an error of aiot_model_submit().
 */
AIOT_API int aiot_model_run(struct aiot_model *model, int64_t timeout_ns);

/**
 * aiot_model_get_accel() - the accelerator a model was loaded on
 * @model: the model.
 *
 * Return: the accelerator, NULL for NULL.
 */
AIOT_API struct aiot_accel *aiot_model_get_accel(const struct aiot_model *model);

/* ---------------------------------------------------------------- hotplug */

struct aiot_monitor;
struct aiot_monitor_event;

/**
 * enum aiot_monitor_event_type - what happened to a device
 * @AIOT_MONITOR_EVENT_ADD: it appeared; its node can be opened.
 * @AIOT_MONITOR_EVENT_REMOVE: it is gone; files still open on it fail
 *	with -ENODEV and should be closed.
 */
enum aiot_monitor_event_type {
	AIOT_MONITOR_EVENT_ADD = 1,
	AIOT_MONITOR_EVENT_REMOVE = 2,
};

/**
 * enum aiot_monitor_kind - which kind of aiot device an event is about
 * @AIOT_MONITOR_KIND_ACCEL: an accelerator: open its node with
 *	aiot_accel_open().
 * @AIOT_MONITOR_KIND_SENSOR: a sensor stream: open its node with
 *	aiot_sensor_open() (<aiot/sensor.h>).
 */
enum aiot_monitor_kind {
	AIOT_MONITOR_KIND_ACCEL = 1,
	AIOT_MONITOR_KIND_SENSOR = 2,
};

/**
 * aiot_monitor_new() - watch aiot devices come and go
 * @monitor_out: receives the monitor, to free with aiot_monitor_free().
 *
 * Listens to libudev's netlink monitor for the accelerators (subsystem
 * "accel", or "drm" render nodes on kernels without DRM accel) and sensor
 * streams (class "aiot") of aiot, and nothing else. When udevd runs
 * (/run/udev/control exists), events come from udevd, after its rules
 * ran; without it (small systems, containers with devtmpfs), from the
 * kernel's uevents directly. Only events after this call are reported;
 * list what is there already with aiot_accel_open_default(),
 * aiot_sensor_open_by_index() or sysfs.
 *
 * A monitor may be used from several threads; aiot_monitor_read_event()
 * calls are serialised (each event goes to one of them).
 *
 * Return: 0; -EINVAL; a negative errno of the netlink socket (e.g. -EPERM
 * where netlink is not allowed); -ENOMEM.
 */
AIOT_API int aiot_monitor_new(struct aiot_monitor **monitor_out);

/**
 * aiot_monitor_free() - stop watching
 * @monitor: the monitor, or NULL.
 *
 * Events already read stay valid.
 */
AIOT_API void aiot_monitor_free(struct aiot_monitor *monitor);

/**
 * aiot_monitor_get_fd() - the monitor's file descriptor, for poll()
 * @monitor: the monitor.
 *
 * POLLIN when uevents are pending; owned by @monitor (non-blocking). A
 * wake-up may bring only other devices' uevents: aiot_monitor_read_event()
 * then gives -EAGAIN.
 *
 * Return: the fd, or -EINVAL.
 */
AIOT_API int aiot_monitor_get_fd(const struct aiot_monitor *monitor);

/**
 * aiot_monitor_get_source() - where events come from
 * @monitor: the monitor.
 *
 * Return: "udev" or "kernel" (see aiot_monitor_new()); NULL for NULL.
 */
AIOT_API const char *aiot_monitor_get_source(const struct aiot_monitor *monitor);

/**
 * aiot_monitor_wait() - wait until uevents are pending
 * @monitor: the monitor.
 * @timeout_ns: relative; 0 polls; negative waits forever.
 *
 * Return: 1 if aiot_monitor_read_event() has something to look at (it may
 * still find only other devices' uevents), 0 on timeout, -EINVAL, or a
 * negative errno of poll(2) (-EINTR on a signal).
 */
AIOT_API int aiot_monitor_wait(struct aiot_monitor *monitor, int64_t timeout_ns);

/**
 * aiot_monitor_read_event() - the next arrival or removal of an aiot device
 * @monitor: the monitor.
 * @event_out: receives the event, to free with aiot_monitor_event_free().
 *
 * Never blocks: uevents of other devices are consumed and skipped.
 *
 * Return: 0; -EAGAIN if nothing (more) is pending; -ENOBUFS if the socket
 * overflowed and events were lost (list the devices again); -EINVAL;
 * -ENOMEM.
 */
AIOT_API int aiot_monitor_read_event(struct aiot_monitor *monitor,
				     struct aiot_monitor_event **event_out);

/** aiot_monitor_event_free() - free an event; may be NULL. */
AIOT_API void aiot_monitor_event_free(struct aiot_monitor_event *event);

/**
 * aiot_monitor_event_get_type() - arrival or removal
 * @event: the event.
 *
 * Return: &enum aiot_monitor_event_type; 0 for NULL.
 */
AIOT_API enum aiot_monitor_event_type
aiot_monitor_event_get_type(const struct aiot_monitor_event *event);

/**
 * aiot_monitor_event_get_kind() - accelerator or sensor stream
 * @event: the event.
 *
 * Return: &enum aiot_monitor_kind; 0 for NULL.
 */
AIOT_API enum aiot_monitor_kind
aiot_monitor_event_get_kind(const struct aiot_monitor_event *event);

/**
 * aiot_monitor_event_get_path() - the device node
 * @event: the event.
 *
 * /dev/accel/accelN, /dev/dri/renderDN or /dev/aiot/sensorN: what
 * aiot_accel_open() and aiot_sensor_open() take. On a removal, the node
 * the device had.
 *
 * Return: the path, valid as long as @event; NULL for NULL.
 */
AIOT_API const char *aiot_monitor_event_get_path(const struct aiot_monitor_event *event);

/**
 * aiot_monitor_event_get_sensor_name() - a sensor stream's stable name
 * @event: the event.
 *
 * Return: the name ("accel0", "mic0"), also on a removal; NULL for an
 * accelerator, for NULL, or if the sensor vanished before it was read.
 */
AIOT_API const char *
aiot_monitor_event_get_sensor_name(const struct aiot_monitor_event *event);

/**
 * aiot_monitor_event_get_syspath() - the device's sysfs path
 * @event: the event.
 *
 * Return: e.g. /sys/devices/platform/aiot-sim-sensor.0/aiot/sensor0 (gone
 * on a removal), valid as long as @event; NULL for NULL.
 */
AIOT_API const char *aiot_monitor_event_get_syspath(const struct aiot_monitor_event *event);

#ifdef __cplusplus
}
#endif

#endif /* AIOT_ACCEL_H */
