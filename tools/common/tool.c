// SPDX-License-Identifier: GPL-2.0-only
/*
 * What every aiot command-line tool does the same way (see tool.h).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "tool.h"

void tool_vmsg(const char *prog, const char *fmt, va_list ap)
{
	fflush(stdout);
	fprintf(stderr, "%s: ", prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int tool_read_file(const char *path, size_t max, uint8_t **data, size_t *size)
{
	/* One byte past max is read, if there, to tell "too big" from "fits". */
	size_t limit = max < SIZE_MAX ? max + 1 : max;
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, len = 0, n;
	int ret = 0;

	if (!f)
		return -errno;
	do {
		if (len == cap) {
			uint8_t *p;

			if (cap == limit) {
				ret = -EFBIG;
				break;
			}
			cap = cap && cap <= limit / 2 ? cap * 2 : limit;
			if (!len && cap > 65536)
				cap = 65536;
			p = realloc(buf, cap);
			if (!p) {
				ret = -ENOMEM;
				break;
			}
			buf = p;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n);
	if (!ret && ferror(f))
		ret = -EIO;
	if (!ret && len > max)
		ret = -EFBIG;
	fclose(f);
	if (ret) {
		free(buf);
		return ret;
	}
	*data = buf;
	*size = len;
	return 0;
}

static volatile sig_atomic_t *caught;

static void on_signal(int sig)
{
	(void)sig;
	*caught = 1;
}

void tool_catch_signals(volatile sig_atomic_t *flag)
{
	struct sigaction sa = { .sa_handler = on_signal };

	caught = flag;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}
