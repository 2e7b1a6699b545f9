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

/* Names stored in the blob, cut to the format's field sizes; each may be
 * NULL: the model none, input and output (of the first input and output)
 * the lowered tensor's own name. */
struct aiot_blob_names {
	const char *model;
	const char *input;
	const char *output;
};

/*
 * Write `lowered` as a blob: command stream, weights (if any), the tensor
 * table (every input, then every output, each at offset 0 of its slot:
 * input 0 in AIOT_ISA_BINDING_INPUT, output 0 in AIOT_ISA_BINDING_OUTPUT,
 * see lower.h) and the name. *blob_out is malloc()ed. Returns 0, -EINVAL
 * (message in err) or -ENOMEM.
 */
int aiot_blob_write(const struct aiot_lowered_model *lowered,
		    const struct aiot_blob_names *names, void **blob_out,
		    size_t *size_out, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* AIOT_COMPILE_BLOB_H */
