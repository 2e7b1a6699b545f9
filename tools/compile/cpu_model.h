/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A compiled model blob run on the CPU by the userspace build of the ISA
 * reference executor (kernel/isa): the CPU fallback of aiot-run and the
 * host tests' path. The blob is parsed by lib/model.c
 * (aiot_model_blob_parse()) and its stream validated once at load.
 *
 * aiot_cpu_model_run() uses the fast executor (lib/exec, SIMD kernels
 * bit-exact with the reference) unless the environment variable
 * AIOT_CPU_EXECUTOR is "reference"; aiot_cpu_model_run_reference() always
 * runs the reference executor, the oracle.
 *
 * Buffers: the weights point into a private copy of the blob; the arena
 * and one buffer per input/output slot are allocated zeroed and keep their
 * contents between runs (model state such as SVDF memory lives in the
 * arena; aiot_cpu_model_reset() zeroes it).
 */
#ifndef AIOT_COMPILE_CPU_MODEL_H
#define AIOT_COMPILE_CPU_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include <aiot/model_format.h>

#ifdef __cplusplus
extern "C" {
#endif

struct aiot_cpu_model;

/* 0 or a negative errno with a message in err (parser or validator). */
int aiot_cpu_model_load(const void *blob, size_t size, struct aiot_cpu_model **out,
			char *err, size_t errlen);
void aiot_cpu_model_free(struct aiot_cpu_model *model);

/* The parsed blob (tensor table, header, name). */
const struct aiot_model_blob_view *aiot_cpu_model_view(const struct aiot_cpu_model *model);

/* Address of tensor `index` of the view's table (inputs first); NULL past
 * its end. */
void *aiot_cpu_model_tensor(struct aiot_cpu_model *model, unsigned int index);
/* Address of input `index` (0 .. view->input_count - 1), of output `index`
 * (0 .. view->output_count - 1); NULL for an index past the count. */
void *aiot_cpu_model_input(struct aiot_cpu_model *model, unsigned int index);
void *aiot_cpu_model_output(struct aiot_cpu_model *model, unsigned int index);

#define AIOT_CPU_EXECUTOR_ENV "AIOT_CPU_EXECUTOR"

/* Base and size of binding @slot (the arena, to compare every layer). */
void *aiot_cpu_model_binding(struct aiot_cpu_model *model, unsigned int slot, size_t *size);

/* Run once; 0 or the executor's negative errno. */
int aiot_cpu_model_run(struct aiot_cpu_model *model);
/* Run once on the reference executor (kernel/isa), whatever was picked. */
int aiot_cpu_model_run_reference(struct aiot_cpu_model *model);
/* "reference", or "fast/" and the SIMD level ("fast/avx2"). */
const char *aiot_cpu_model_executor(const struct aiot_cpu_model *model);

/* Zero the arena (the reset state of stateful models). */
void aiot_cpu_model_reset(struct aiot_cpu_model *model);

#ifdef __cplusplus
}
#endif

#endif /* AIOT_COMPILE_CPU_MODEL_H */
