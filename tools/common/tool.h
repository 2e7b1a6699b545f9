/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What every aiot command-line tool does the same way (tools/common/):
 * messages on stderr, reading a whole file, stopping on Ctrl-C.
 * Tools-internal.
 */
#ifndef AIOT_TOOLS_COMMON_TOOL_H
#define AIOT_TOOLS_COMMON_TOOL_H

#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/*
 * "PROG: message\n" on stderr, after flushing stdout so that the message
 * comes after what the tool printed before.
 */
void tool_vmsg(const char *prog, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/*
 * The whole file into *data (malloc()ed, to free()), its size in *size. -EFBIG for a file of more than max bytes (a
 * file of exactly max bytes is read); otherwise 0, -errno from fopen(),
 * -ENOMEM, -EIO. The buffer grows from 64 KiB by doubling, so memory
 * follows the file's size, not max.
 */
int tool_read_file(const char *path, size_t max, uint8_t **data, size_t *size);

/* SIGINT and SIGTERM set *flag to 1 from now on. */
void tool_catch_signals(volatile sig_atomic_t *flag);

#endif /* AIOT_TOOLS_COMMON_TOOL_H */
