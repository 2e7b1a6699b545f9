/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The compiled model blob (include/aiot/model_format.h, docs/model-format.md)
 * written from a lowered model by libaiot-accel's writer
 * (aiot_model_blob_build(), lib/model.c, which also brings the format's
 * CRC-32, aiot_crc32()): link lib/model.c (libc only) with this.
 */
#ifndef AIOT_COMPILE_BLOB_H
#define AIOT_COMPILE_BLOB_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct aiot_lowered_model;

/* Names stored in the blob; each may be NULL (none). Longer names are cut
 * to the format's field sizes. */
struct aiot_blob_names {
	const char *model;
	const char *input;
	const char *output;
};

/*
 * Write `lowered` as a blob: command stream, weights (if any), the tensor
 * table (one input in slot AIOT_ISA_BINDING_INPUT, one output in slot
 * AIOT_ISA_BINDING_OUTPUT, both at offset 0) and the name. *blob_out is
 * malloc()ed. Returns 0, -EINVAL (message in err) or -ENOMEM.
 */
int aiot_blob_write(const struct aiot_lowered_model *lowered,
		    const struct aiot_blob_names *names, void **blob_out,
		    size_t *size_out, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* AIOT_COMPILE_BLOB_H */
