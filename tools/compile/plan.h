/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Arena memory planning for intermediate tensors.
 *
 * Each request is a buffer of `size` bytes live from operator first_use to
 * operator last_use (inclusive). Two requests whose lifetimes intersect never
 * share a byte; others may. Placement is greedy: largest buffers first (ties
 * by earlier first_use, then by index, so the result is deterministic), each
 * at the lowest aligned offset that does not collide with an already placed
 * buffer of intersecting lifetime. This is the strategy of TFLite Micro's
 * greedy planner and is close to optimal on chain-shaped graphs.
 */
#ifndef AIOT_COMPILE_PLAN_H
#define AIOT_COMPILE_PLAN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct tflite_model;

/* Offset of a request that needs no memory (size 0) or a tensor left out. */
#define PLAN_UNPLACED SIZE_MAX

struct plan_request {
	size_t size;        /* bytes; 0 = nothing to place */
	int32_t first_use;  /* operator index, >= 0 */
	int32_t last_use;   /* operator index, >= first_use */
};

/*
 * Place `count` requests. alignment must be a power of two; every offset is
 * a multiple of it. offsets[i] receives request i's offset (PLAN_UNPLACED
 * when its size is 0); *arena_size the bytes needed (a multiple of
 * alignment). Returns 0, -EINVAL (bad request, message in err) or -ENOMEM.
 */
int plan_arena(const struct plan_request *requests, size_t count, size_t alignment,
	       size_t *offsets, size_t *arena_size, char *err, size_t errlen);

/*
 * Plan the non-constant tensors of a parsed model's subgraph 0. A tensor
 * lives from the first operator that reads or writes it to the last one;
 * graph inputs from operator 0, graph outputs to the last operator, and
 * variable tensors for the whole graph. Constant tensors (with buffer data)
 * and tensors no operator touches get PLAN_UNPLACED. offsets has
 * model->tensor_count entries.
 */
int plan_model_arena(const struct tflite_model *model, size_t alignment,
		     size_t *offsets, size_t *arena_size, char *err, size_t errlen);

/* Flags of plan_model_arena_flags(). */
#define PLAN_EXCLUDE_GRAPH_IO 0x1u /* graph inputs/outputs get their own bindings */

/* plan_model_arena() with flags; unknown flag bits are -EINVAL. */
int plan_model_arena_flags(const struct tflite_model *model, size_t alignment,
			   unsigned int flags, size_t *offsets, size_t *arena_size,
			   char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* AIOT_COMPILE_PLAN_H */
