/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * aiot fast executor: runs an aiot ISA command stream on the CPU with
 * GEMM-style SIMD kernels (AVX2, SSE4.1, NEON or scalar, chosen at run
 * time), bit-exact with the reference executor in kernel/isa, which stays
 * the oracle (and the kernel's build). Userspace only.
 *
 * A plan is prepared once for a stream and a set of binding sizes: the
 * stream is copied and validated, and the weights of every convolution and
 * fully-connected layer that lie in a binding the caller declares constant
 * are repacked once. Operations without a fast kernel run on the reference
 * executor, one operation at a time, so every opcode the reference knows
 * works here too.
 */
#ifndef AIOT_FASTEXEC_H
#define AIOT_FASTEXEC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* SIMD levels; AUTO is the best the CPU has (or AIOT_FASTEXEC_SIMD). */
enum aiot_fx_simd {
	AIOT_FX_SIMD_AUTO = 0,
	AIOT_FX_SIMD_SCALAR = 1,
	AIOT_FX_SIMD_SSE41 = 2,
	AIOT_FX_SIMD_AVX2 = 3,
	AIOT_FX_SIMD_NEON = 4,
};

/* Environment variable that forces a level: scalar, sse4.1, avx2, neon. */
#define AIOT_FX_SIMD_ENV "AIOT_FASTEXEC_SIMD"

/* "scalar", "sse4.1", "avx2", "neon", "auto"; NULL for an unknown value. */
const char *aiot_fx_simd_name(enum aiot_fx_simd simd);

/* 1 when this build and this CPU can run @simd, else 0. */
int aiot_fx_simd_supported(enum aiot_fx_simd simd);

/*
 * What AUTO resolves to: the level named by AIOT_FASTEXEC_SIMD when it is
 * set, else the best supported one. Negative errno when the variable names
 * no level (-EINVAL) or one this CPU lacks (-EOPNOTSUPP).
 */
int aiot_fx_simd_resolve(enum aiot_fx_simd simd);

struct aiot_fx_plan;

/*
 * Prepare @stream (@len bytes) for bindings of @sizes (@nbindings of
 * them). Bindings whose bit is set in @const_mask hold weights that stay
 * the same from this call on (they are read now and repacked); the others
 * may hold anything at each run. Returns 0 or a negative errno: the
 * validator's, -ENOMEM, or aiot_fx_simd_resolve()'s.
 */
int aiot_fx_prepare(const void *stream, size_t len, void *const *bindings,
		    const uint64_t *sizes, unsigned int nbindings,
		    uint32_t const_mask, enum aiot_fx_simd simd,
		    struct aiot_fx_plan **out);

/*
 * Run once on @bindings, each at least as large as at prepare time (and
 * the constant ones with the same contents). 0 or a negative errno.
 */
int aiot_fx_run(struct aiot_fx_plan *plan, void *const *bindings,
		const uint64_t *sizes, unsigned int nbindings);

void aiot_fx_free(struct aiot_fx_plan *plan);

/* The level a plan runs at. */
enum aiot_fx_simd aiot_fx_plan_simd(const struct aiot_fx_plan *plan);

/* Operations of the plan that run on a fast kernel / on the reference. */
unsigned int aiot_fx_plan_fast_ops(const struct aiot_fx_plan *plan);
unsigned int aiot_fx_plan_ref_ops(const struct aiot_fx_plan *plan);

#ifdef __cplusplus
}
#endif

#endif /* AIOT_FASTEXEC_H */
