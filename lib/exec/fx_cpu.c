// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Fast executor: which SIMD level runs, decided at run time from the CPU
 * (and the AIOT_FASTEXEC_SIMD variable, which tests and benchmarks use to
 * force a level).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fastexec.h"
#include "fx_internal.h"

static const char *const fx_names[] = {
	[AIOT_FX_SIMD_AUTO] = "auto",
	[AIOT_FX_SIMD_SCALAR] = "scalar",
	[AIOT_FX_SIMD_SSE41] = "sse4.1",
	[AIOT_FX_SIMD_AVX2] = "avx2",
	[AIOT_FX_SIMD_NEON] = "neon",
};

const char *aiot_fx_simd_name(enum aiot_fx_simd simd)
{
	if ((unsigned int)simd >= sizeof(fx_names) / sizeof(fx_names[0]))
		return NULL;
	return fx_names[simd];
}

int aiot_fx_simd_supported(enum aiot_fx_simd simd)
{
	switch (simd) {
	case AIOT_FX_SIMD_SCALAR:
		return 1;
	case AIOT_FX_SIMD_SSE41:
#if defined(__x86_64__)
		return fx_kernels_sse41 && __builtin_cpu_supports("sse4.1");
#else
		return 0;
#endif
	case AIOT_FX_SIMD_AVX2:
#if defined(__x86_64__)
		return fx_kernels_avx2 && __builtin_cpu_supports("avx2");
#else
		return 0;
#endif
	case AIOT_FX_SIMD_NEON:
		/* Advanced SIMD is part of every arm64 CPU. */
		return fx_kernels_neon != NULL;
	default:
		return 0;
	}
}

int aiot_fx_simd_resolve(enum aiot_fx_simd simd)
{
	static const enum aiot_fx_simd best[] = {
		AIOT_FX_SIMD_AVX2, AIOT_FX_SIMD_NEON, AIOT_FX_SIMD_SSE41,
	};
	const char *env;
	unsigned int i;

	if (simd == AIOT_FX_SIMD_AUTO) {
		env = getenv(AIOT_FX_SIMD_ENV);
		if (env && *env) {
			for (i = AIOT_FX_SIMD_SCALAR; i <= AIOT_FX_SIMD_NEON; i++)
				if (!strcmp(env, fx_names[i]))
					break;
			if (i > AIOT_FX_SIMD_NEON)
				return -EINVAL;
			simd = (enum aiot_fx_simd)i;
		} else {
			for (i = 0; i < sizeof(best) / sizeof(best[0]); i++)
				if (aiot_fx_simd_supported(best[i]))
					return best[i];
			return AIOT_FX_SIMD_SCALAR;
		}
	}
	if (!aiot_fx_simd_name(simd) || simd == AIOT_FX_SIMD_AUTO)
		return -EINVAL;
	return aiot_fx_simd_supported(simd) ? (int)simd : -EOPNOTSUPP;
}
