// SPDX-License-Identifier: GPL-2.0-only
/*
 * The command-stream checker is the core's, not the backend's: SUBMIT runs
 * the one of the ISA the backend declares, picked here when it registers.
 * Supporting a second ISA is one more entry in the table below (and its
 * validator under kernel/isa/).
 */

#include <linux/kernel.h>

#include "aiot_check.h"

static const struct aiot_checker aiot_checkers[] = {
	{
		.isa_major = AIOT_ISA_VERSION_MAJOR,
		.isa_max_minor = AIOT_ISA_VERSION_MINOR,
		.validate = aiot_isa_validate_aliased,
	},
};

/**
 * aiot_checker_find() - the checker of an ISA version
 * @isa_version: AIOT_ISA_VERSION(major, minor)
 *
 * Return: the checker, or NULL if the core has none for that version.
 */
const struct aiot_checker *aiot_checker_find(u32 isa_version)
{
	u32 major = isa_version >> 16, minor = isa_version & 0xffff;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(aiot_checkers); i++)
		if (aiot_checkers[i].isa_major == major &&
		    minor <= aiot_checkers[i].isa_max_minor)
			return &aiot_checkers[i];
	return NULL;
}
