/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * aiot_fail(): how the library's calls refuse with a message. Defined in
 * lib/model.c, the libc-only part that the tools link on their own too.
 */
#ifndef AIOT_LIB_FAIL_H
#define AIOT_LIB_FAIL_H

#include <stddef.h>

/* Write the message to @err if the caller gave room for one; return @ret. */
__attribute__((format(printf, 4, 5)))
int aiot_fail(int ret, char *err, size_t errlen, const char *fmt, ...);

#endif /* AIOT_LIB_FAIL_H */
