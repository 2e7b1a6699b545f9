/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The one place where the ISA sources learn whether they are built into
 * the kernel or into a userspace library. Everything else in kernel/isa is
 * plain C that only uses what this header provides.
 */
#ifndef AIOT_ISA_PORT_H
#define AIOT_ISA_PORT_H

#ifdef __KERNEL__

#include <linux/errno.h>
#include <linux/export.h>
#include <linux/overflow.h>
#include <linux/string.h>
#include <linux/types.h>

/* Entry points are exported to the other aiot modules. */
#define AIOT_ISA_EXPORT(sym)	EXPORT_SYMBOL_GPL(sym)

#else /* !__KERNEL__ */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <linux/types.h>

/* The <stdint.h> types, so that callers can pass uint64_t arrays. */
typedef __UINT8_TYPE__ u8;
typedef __UINT16_TYPE__ u16;
typedef __UINT32_TYPE__ u32;
typedef __UINT64_TYPE__ u64;
typedef __INT8_TYPE__ s8;
typedef __INT16_TYPE__ s16;
typedef __INT32_TYPE__ s32;
typedef __INT64_TYPE__ s64;

/* A static library exports nothing; expand to a harmless declaration. */
#define AIOT_ISA_EXPORT(sym)	struct aiot_isa_export_##sym

/* Same contract as <linux/overflow.h>: true when the result overflowed. */
#define check_add_overflow(a, b, d)	__builtin_add_overflow(a, b, d)
#define check_mul_overflow(a, b, d)	__builtin_mul_overflow(a, b, d)

#ifndef EOPNOTSUPP
#define EOPNOTSUPP ENOTSUP
#endif

#endif /* __KERNEL__ */

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the aiot ISA reference code assumes a little-endian CPU"
#endif

#endif /* AIOT_ISA_PORT_H */
