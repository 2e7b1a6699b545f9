/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * aiot ISA 1.4 preprocessing (private to kernel/isa): the resize geometry
 * the validator and the executor share, and the executor's entry points.
 */
#ifndef AIOT_ISA_PREPROC_H
#define AIOT_ISA_PREPROC_H

#include "aiot_isa.h"

/*
 * TFLite's ResizeBilinearInteger step: 2^10 times input / output, rounded
 * (align_corners with more than one output: (input - 1) / (output - 1)).
 * @in and @out are 1..AIOT_ISA_MAX_DIM.
 */
static inline s64 aiot_isa_resize_scale10(u32 in, u32 out, u32 flags)
{
	if ((flags & AIOT_ISA_RESIZE_ALIGN_CORNERS) && out > 1)
		return ((s64)(in - 1) * 1024 + (out - 1) / 2) / (out - 1);
	return ((s64)in * 1024 + out / 2) / out;
}

/* Callback the executor passes: account for work, true to stop. */
typedef bool (*aiot_isa_tick_fn)(void *ex, u64 work);

int aiot_isa_exec_resize(void *const *bindings,
			 const struct aiot_isa_op_resize *op,
			 aiot_isa_tick_fn tick, void *ex);
int aiot_isa_exec_frame_to_tensor(void *const *bindings,
				  const struct aiot_isa_op_frame_to_tensor *op,
				  aiot_isa_tick_fn tick, void *ex);

#endif /* AIOT_ISA_PREPROC_H */
