// SPDX-License-Identifier: GPL-2.0-only
/* Running a tool in a guest suite and reading its output (aiot_testlib_cmd.h). */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "aiot_testlib_cmd.h"
#include "tap.h"

static bool starts_with_any(const char *line, const char *const *prefixes)
{
	for (; prefixes && *prefixes; prefixes++)
		if (!strncmp(line, *prefixes, strlen(*prefixes)))
			return true;
	return false;
}

int aiot_test_cmd_run(struct aiot_test_cmd *out, const char *cmd, int show,
		      const char *const *always)
{
	char line[AIOT_TEST_CMD_LINE_LEN];
	int st, lines = 0, hidden = 0;
	FILE *p;

	tap_diag("$ %s", cmd);
	out->n = 0;
	fflush(stdout);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (fgets(line, sizeof(line), p)) {
		if (++lines <= show || starts_with_any(line, always)) {
			fputs("# ", stdout);
			fputs(line, stdout);
		} else {
			hidden++;
		}
		if (out->n < AIOT_TEST_CMD_LINES)
			snprintf(out->line[out->n++], sizeof(out->line[0]), "%s", line);
	}
	if (hidden)
		tap_diag("... %d more lines", hidden);
	fflush(stdout);
	st = pclose(p);
	return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

const char *aiot_test_cmd_find_line(const struct aiot_test_cmd *out, const char *prefix)
{
	for (int i = 0; i < out->n; i++)
		if (!strncmp(out->line[i], prefix, strlen(prefix)))
			return out->line[i];
	return NULL;
}

bool aiot_test_cmd_has(const struct aiot_test_cmd *out, const char *text)
{
	for (int i = 0; i < out->n; i++)
		if (strstr(out->line[i], text))
			return true;
	return false;
}

double aiot_test_to_ns(double v, const char *unit)
{
	if (!strcmp(unit, "s"))
		return v * 1e9;
	if (!strcmp(unit, "ms"))
		return v * 1e6;
	if (!strcmp(unit, "us"))
		return v * 1e3;
	if (!strcmp(unit, "ns"))
		return v;
	return -1;
}

double aiot_test_time_after(const char *line, const char *key)
{
	const char *p = strstr(line, key);
	char unit[8];
	double v;

	if (!p || sscanf(p + strlen(key), "%lf %7[a-z]", &v, unit) != 2)
		return -1;
	return aiot_test_to_ns(v, unit);
}
