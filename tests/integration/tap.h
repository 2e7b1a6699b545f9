/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Minimal TAP producer for aiot's guest tests: one program is one suite,
 * each case a function. `prog [filter]` runs the cases whose names contain
 * filter. Exits non-zero if any case failed. A suite may be built from
 * several files (a folder tests/integration/SUITE): the state of the running
 * case is shared by all of them (tap.c), one of them has TAP_MAIN.
 */
#ifndef AIOT_TAP_H
#define AIOT_TAP_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tap_case {
	const char *name;
	void (*fn)(void);
};

/* State of the running case: set by the check macros (tap.c). */
extern int tap_case_failed;
extern const char *tap_skip_reason;

static inline void tap_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		tap_diag("%s:%d: check failed: %s", __FILE__, __LINE__, #cond); \
		tap_case_failed = 1;					\
	}								\
} while (0)

/* An assertion that stops the case: nothing after it makes sense. */
#define REQUIRE(cond) do {						\
	if (!(cond)) {							\
		tap_diag("%s:%d: requirement failed: %s (errno %d: %s)", \
			 __FILE__, __LINE__, #cond, errno, strerror(errno)); \
		tap_case_failed = 1;					\
		return;							\
	}								\
} while (0)

#define CHECK_EQ(a, b) do {						\
	long long _a = (long long)(a), _b = (long long)(b);		\
	if (_a != _b) {							\
		tap_diag("%s:%d: %s == %s failed: %lld != %lld",	\
			 __FILE__, __LINE__, #a, #b, _a, _b);		\
		tap_case_failed = 1;					\
	}								\
} while (0)

/* The call must fail with exactly this errno. */
#define CHECK_ERRNO(call, err) do {					\
	errno = 0;							\
	long _r = (long)(call);						\
	if (_r != -1 || errno != (err)) {				\
		tap_diag("%s:%d: %s: want -1/%s, got %ld/%s",		\
			 __FILE__, __LINE__, #call, strerror(err), _r,	\
			 strerror(errno));				\
		tap_case_failed = 1;					\
	}								\
} while (0)

#define TAP_SKIP(reason) do { tap_skip_reason = (reason); return; } while (0)

/* after_case (optional) is called after every case, e.g. for diagnostics. */
static inline int tap_run(const struct tap_case *cases, size_t n, int argc,
			  char **argv, void (*after_case)(const char *name))
{
	const char *filter = argc > 1 ? argv[1] : NULL;
	size_t i, planned = 0, num = 0;
	int failures = 0;

	for (i = 0; i < n; i++)
		if (!filter || strstr(cases[i].name, filter))
			planned++;
	printf("TAP version 13\n1..%zu\n", planned);
	fflush(stdout);
	for (i = 0; i < n; i++) {
		if (filter && !strstr(cases[i].name, filter))
			continue;
		tap_case_failed = 0;
		tap_skip_reason = NULL;
		cases[i].fn();
		if (after_case)
			after_case(cases[i].name);
		num++;
		if (tap_skip_reason)
			printf("ok %zu - %s # SKIP %s\n", num, cases[i].name,
			       tap_skip_reason);
		else
			printf("%sok %zu - %s\n", tap_case_failed ? "not " : "",
			       num, cases[i].name);
		fflush(stdout);
		failures += tap_case_failed;
	}
	return failures ? 1 : 0;
}

#define TAP_CASE(fn) { #fn, fn }
#define TAP_MAIN(...)							\
int main(int argc, char **argv)						\
{									\
	static const struct tap_case cases[] = { __VA_ARGS__ };		\
	return tap_run(cases, sizeof(cases) / sizeof(cases[0]), argc, argv, \
		       NULL);						\
}

/* Same, with a hook run after every case. */
#define TAP_MAIN_WITH_HOOK(hook, ...)					\
int main(int argc, char **argv)						\
{									\
	static const struct tap_case cases[] = { __VA_ARGS__ };		\
	return tap_run(cases, sizeof(cases) / sizeof(cases[0]), argc, argv, \
		       hook);						\
}

#endif /* AIOT_TAP_H */
