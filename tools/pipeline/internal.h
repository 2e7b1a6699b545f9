/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared by the live pipeline's files (tools/pipeline/), not by its users.
 */
#ifndef AIOT_TOOLS_PIPELINE_INTERNAL_H
#define AIOT_TOOLS_PIPELINE_INTERNAL_H

#include <stddef.h>

/* Write the message to err (when there is one) and return ret. */
int lp_fail(int ret, char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* qsort() order of uint64_t */
int lp_cmp_u64(const void *a, const void *b);

#endif /* AIOT_TOOLS_PIPELINE_INTERNAL_H */
