/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The command-stream checkers of the accel core, one per ISA a backend may
 * declare (&aiot_npu_desc.isa_version).
 */
#ifndef _AIOT_CHECK_H_
#define _AIOT_CHECK_H_

#include <linux/types.h>

#include "isa/aiot_isa.h"

/**
 * struct aiot_checker - the checker of one ISA major version
 * @isa_major: the major version it checks
 * @isa_max_minor: the newest minor version of @isa_major it knows; a
 *	backend declaring a newer one is refused
 * @validate: check a whole stream against the sizes of @nbindings bound
 *	buffers, @alias telling which bindings are the same memory (the
 *	lowest binding of it, per binding); fill @out (&struct
 *	aiot_isa_summary is the core's account of what a stream reads and
 *	writes, whatever its ISA). Returns 0 or a negative errno.
 */
struct aiot_checker {
	u16 isa_major;
	u16 isa_max_minor;
	int (*validate)(const void *stream, size_t len,
			const u64 *binding_sizes, const u8 *alias,
			unsigned int nbindings, struct aiot_isa_summary *out);
};

const struct aiot_checker *aiot_checker_find(u32 isa_version);

#endif /* _AIOT_CHECK_H_ */
