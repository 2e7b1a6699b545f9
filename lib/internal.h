/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libaiot-accel internals shared between its source files and its host
 * unit tests. Nothing here is exported (-fvisibility=hidden).
 */
#ifndef AIOT_LIB_INTERNAL_H
#define AIOT_LIB_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <aiot/accel.h>
#include <aiot/model_format.h>

#include <drm.h>
#include <drm/aiot_accel.h>
#include <linux/aiot_isa.h>

#include "fail.h"

/*
 * The library's public binding count mirrors the uAPI's and the ISA's
 * without making its header depend on them; the three must agree.
 */
_Static_assert(AIOT_MAX_BINDINGS == DRM_AIOT_MAX_BINDINGS,
	       "libaiot-accel's binding count differs from the uAPI's");
_Static_assert(AIOT_MODEL_MAX_BINDINGS == AIOT_ISA_MAX_BINDINGS,
	       "the model format's binding count differs from the ISA's");

#ifdef __cplusplus
extern "C" {
#endif

/* One imported GEM handle and how many aiot_buffers share it. */
struct aiot_import_ref {
	uint32_t handle;
	unsigned int refs;
};

struct aiot_accel {
	int fd;
	char *path;
	struct drm_aiot_device_info info;	/* snapshot taken at open */
	_Atomic uint64_t stats[AIOT_STAT_COUNT_];
	/*
	 * PRIME import gives one GEM handle per buffer object per file: a
	 * second import of the same dma-buf, or the import of a dma-buf
	 * exported from this very file, returns a handle that already exists.
	 * Closing it for one aiot_buffer would pull it from under the other,
	 * so every handle's users are counted here. The lock also covers the
	 * import and close ioctls, or an import could race with the close of
	 * the handle it returns.
	 */
	pthread_mutex_t import_lock;
	struct aiot_import_ref *imports;
	size_t import_count, import_capacity;
};

struct aiot_accel_info {
	struct drm_aiot_device_info info;
};

struct aiot_buffer {
	struct aiot_accel *accel;
	uint32_t handle;
	bool imported;
	size_t size;
	/* Set once by the first aiot_buffer_map() (compare-and-swap). */
	_Atomic(void *) map;
};

enum aiot_in_fence_kind {
	AIOT_IN_FENCE_SYNCOBJ,
	AIOT_IN_FENCE_SYNC_FILE,
	AIOT_IN_FENCE_JOB,
};

struct aiot_in_fence {
	enum aiot_in_fence_kind kind;
	union {
		uint32_t syncobj;
		int sync_file;
		struct aiot_job *job;
	};
};

struct aiot_job_config {
	struct aiot_buffer *cmd_buffer;
	uint32_t cmd_offset;
	uint32_t cmd_size;
	struct aiot_buffer *bindings[AIOT_MAX_BINDINGS];
	struct aiot_in_fence in_fences[AIOT_MAX_IN_FENCES];
	unsigned int in_fence_count;
	enum aiot_priority priority;
	uint64_t deadline_ns;
	uint64_t capture_ns;
	unsigned int flags;
};

struct aiot_job {
	struct aiot_accel *accel;
	uint64_t job_id;
	uint32_t out_syncobj;
	uint64_t capture_ns;
	pthread_mutex_t lock;		/* guards what follows */
	int fence_fd;			/* -1 until asked for */
	bool done;
	struct drm_aiot_job_wait record;
};

/*
 * An external dma-buf imported for a model's input (lib/dmabuf_input.c),
 * found again by the identity of the dma-buf's file. The library keeps its
 * own dup() of the fd so that the dma-buf, and with it its inode number,
 * stays alive as long as the entry: a freed dma-buf's number could be
 * reused by the next one and hit a stale entry otherwise.
 */
struct aiot_dmabuf_import {
	dev_t dev;
	ino_t ino;
	int fd;
	size_t size;
	struct aiot_buffer *buffer;
};

struct aiot_tensor_info {
	struct aiot_model_tensor desc;
	char name[AIOT_MODEL_NAME_LEN + 1];
};

struct aiot_model {
	struct aiot_accel *accel;
	char name[64];
	struct aiot_buffer *cmd_buffer;
	size_t cmd_size;
	struct aiot_buffer *weights;
	struct aiot_buffer *arena;
	uint8_t weights_binding, arena_binding;
	size_t arena_size;
	unsigned int input_count, output_count;
	struct aiot_tensor_info tensors[AIOT_MODEL_MAX_TENSORS];
	/* Bytes each I/O slot needs: max of offset + size of its tensors. */
	size_t slot_need[AIOT_MAX_BINDINGS];
	/* The model's own buffer for each I/O slot, and what is bound now. */
	struct aiot_buffer *own[AIOT_MAX_BINDINGS];
	pthread_mutex_t lock;		/* guards bound[] and dmabufs */
	struct aiot_buffer *bound[AIOT_MAX_BINDINGS];
	struct aiot_dmabuf_import *dmabufs;
	size_t dmabuf_count, dmabuf_capacity;
};

/* Release every dma-buf imported for @model's inputs (aiot_model_free()). */
void aiot_model_release_dmabufs(struct aiot_model *model);

/*
 * Fill a SUBMIT argument from a configuration, except the in-fence array
 * (sync_files need ioctls to become syncobjs). Pure logic, tested on the
 * host. 0 or -EINVAL/-EXDEV.
 */
int aiot_job_config_to_submit(const struct aiot_job_config *config,
			      const struct aiot_accel *accel,
			      struct drm_aiot_submit *submit);

static inline void aiot_stat_add(struct aiot_accel *accel, enum aiot_stat stat,
				 uint64_t n)
{
	atomic_fetch_add_explicit(&accel->stats[stat], n, memory_order_relaxed);
}

static inline void aiot_stat_sub(struct aiot_accel *accel, enum aiot_stat stat,
				 uint64_t n)
{
	atomic_fetch_sub_explicit(&accel->stats[stat], n, memory_order_relaxed);
}

/* A relative timeout as the uAPI takes it: negative means forever. */
static inline int64_t aiot_timeout_to_uapi(int64_t timeout_ns)
{
	return timeout_ns < 0 ? INT64_MAX : timeout_ns;
}

#ifdef __cplusplus
}
#endif

#endif /* AIOT_LIB_INTERNAL_H */
