/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The element types of the aiot ISA (enum aiot_isa_dtype,
 * include/uapi/linux/aiot_isa.h; libaiot-accel's enum aiot_dtype has the
 * same values): their names, and their sizes from the uAPI's
 * aiot_isa_dtype_bytes(). The one table of libaiot-accel (lib/model.c) and
 * the tools. Internal: not installed.
 */
#ifndef AIOT_LIB_DTYPE_H
#define AIOT_LIB_DTYPE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <linux/aiot_isa.h>

struct aiot_dtype_desc {
	const char *name;
};

/* Indexed by enum aiot_isa_dtype; AIOT_ISA_DTYPE_INVALID has no entry. */
static const struct aiot_dtype_desc aiot_dtypes[] = {
	[AIOT_ISA_DTYPE_INT8] = { "int8" },
	[AIOT_ISA_DTYPE_INT16] = { "int16" },
	[AIOT_ISA_DTYPE_INT32] = { "int32" },
};

static inline const struct aiot_dtype_desc *aiot_dtype_desc(unsigned int dtype)
{
	if (dtype >= sizeof(aiot_dtypes) / sizeof(aiot_dtypes[0]) || !aiot_dtypes[dtype].name)
		return NULL;
	return &aiot_dtypes[dtype];
}

/* Bytes of one element; 0 for a type the ISA does not have. */
static inline unsigned int aiot_dtype_size(unsigned int dtype)
{
	return aiot_isa_dtype_bytes(dtype);
}

/* Element @i of @p (little-endian host order, as the device wrote it). */
static inline int64_t aiot_dtype_load(unsigned int dtype, const void *p, size_t i)
{
	int16_t v16;
	int32_t v32;

	switch (dtype) {
	case AIOT_ISA_DTYPE_INT16:
		memcpy(&v16, (const char *)p + 2 * i, 2);
		return v16;
	case AIOT_ISA_DTYPE_INT32:
		memcpy(&v32, (const char *)p + 4 * i, 4);
		return v32;
	default:
		return ((const int8_t *)p)[i];
	}
}

/* "int8", "int16", "int32"; NULL for a type the ISA does not have. */
static inline const char *aiot_dtype_name(unsigned int dtype)
{
	const struct aiot_dtype_desc *d = aiot_dtype_desc(dtype);

	return d ? d->name : NULL;
}

#endif /* AIOT_LIB_DTYPE_H */
