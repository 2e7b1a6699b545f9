/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest suites that run a tool as a user would (aiot-run): its output kept
 * line by line, searched, and its times ("229.9 ms") parsed.
 */
#ifndef AIOT_TESTLIB_CMD_H
#define AIOT_TESTLIB_CMD_H

#include <stdbool.h>

#define AIOT_TEST_CMD_LINES	256
#define AIOT_TEST_CMD_LINE_LEN	320

struct aiot_test_cmd {
	char line[AIOT_TEST_CMD_LINES][AIOT_TEST_CMD_LINE_LEN];
	int n;
};

/*
 * Run @cmd (sh -c, stderr merged into stdout) and keep its output in @out.
 * The first @show lines, and any line that starts with one of @always
 * (NULL-terminated, may be NULL), are echoed as TAP diagnostics: enough to
 * see what happened without the whole output. Returns the exit status, -1
 * if the command did not exit.
 */
int aiot_test_cmd_run(struct aiot_test_cmd *out, const char *cmd, int show,
		      const char *const *always);

/* The first line of @out that starts with @prefix, NULL if none. */
const char *aiot_test_cmd_find_line(const struct aiot_test_cmd *out, const char *prefix);

/* Whether a line of @out contains @text. */
bool aiot_test_cmd_has(const struct aiot_test_cmd *out, const char *text);

/* "243.0 ms", "1.23 s", "456 us", "12 ns" in ns; -1 if not a time unit. */
double aiot_test_to_ns(double v, const char *unit);

/* The time after @key in @line ("p50 229.9 ms" with "p50"), ns; -1 if absent. */
double aiot_test_time_after(const char *line, const char *key);

#endif /* AIOT_TESTLIB_CMD_H */
