// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-info's helpers: the error message, the clock, human units, JSON
 * strings, one-line sysfs files.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "info.h"

void err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tool_vmsg(PROG, fmt, ap);
	va_end(ap);
}

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

const char *fmt_bytes(char *buf, size_t len, double b)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int u = 0;

	while (b >= 1024 && u < 4) {
		b /= 1024;
		u++;
	}
	snprintf(buf, len, u ? "%.1f %s" : "%.0f %s", b, unit[u]);
	return buf;
}

/* "250 ms", "1.5 s": v in `unit`, or in `kilo` (1000 units) from 1000 on. */
static const char *fmt_kilo(char *buf, size_t len, double v, const char *unit,
			    const char *kilo)
{
	if (v >= 1000)
		snprintf(buf, len, "%.3g %s", v / 1000, kilo);
	else
		snprintf(buf, len, "%.0f %s", v, unit);
	return buf;
}

const char *fmt_time_ms(char *buf, size_t len, double ms)
{
	return fmt_kilo(buf, len, ms, "ms", "s");
}

const char *fmt_rate(char *buf, size_t len, double hz)
{
	return fmt_kilo(buf, len, hz, "Hz", "kHz");
}

/* A string for JSON: quotes and control characters escaped. */
void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

bool read_u64(const char *path, uint64_t *v)
{
	char buf[64], *e;

	if (read_line(path, buf, sizeof(buf)))
		return false;
	*v = strtoull(buf, &e, 0);
	return e != buf;
}
