/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The element types of the aiot ISA (enum aiot_isa_dtype,
 * include/uapi/linux/aiot_isa.h; libaiot-accel's enum aiot_dtype has the
 * same values): their sizes and names, the one table of libaiot-accel
 * (lib/model.c) and the tools. Internal: not installed.
 */
#ifndef AIOT_LIB_DTYPE_H
#define AIOT_LIB_DTYPE_H

#include <linux/aiot_isa.h>

/* Bytes of one element; 0 for a type the ISA does not have. */
static inline unsigned int aiot_dtype_size(unsigned int dtype)
{
	switch (dtype) {
	case AIOT_ISA_DTYPE_INT8:
		return 1;
	case AIOT_ISA_DTYPE_INT16:
		return 2;
	case AIOT_ISA_DTYPE_INT32:
		return 4;
	default:
		return 0;
	}
}

/* "int8", "int16", "int32"; NULL for a type the ISA does not have. */
static inline const char *aiot_dtype_name(unsigned int dtype)
{
	switch (dtype) {
	case AIOT_ISA_DTYPE_INT8:
		return "int8";
	case AIOT_ISA_DTYPE_INT16:
		return "int16";
	case AIOT_ISA_DTYPE_INT32:
		return "int32";
	default:
		return NULL;
	}
}

#endif /* AIOT_LIB_DTYPE_H */
