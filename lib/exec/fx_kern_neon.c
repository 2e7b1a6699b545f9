// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Fast executor: arm64 Advanced SIMD kernels. Not written yet: the table
 * stays NULL, so an arm64 build runs the portable kernels.
 */
#include "fx_internal.h"

const struct fx_kernels *const fx_kernels_neon;
