/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal harness for the host tests: each case prints one line,
 * "PASS name" or "FAIL name: first failed check (file:line)".
 */
#ifndef COKCTL_TEST_CHECK_H
#define COKCTL_TEST_CHECK_H

#include <stdarg.h>
#include <stdio.h>

static const char *t_name;
static char t_why[512];
static int t_passed, t_failed;

static inline void t_begin(const char *name)
{
	t_name = name;
	t_why[0] = '\0';
}

__attribute__((format(printf, 3, 4)))
static inline void t_fail_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t_why[0])
		return;		/* the first failure tells */
	va_start(ap, fmt);
	n = vsnprintf(t_why, sizeof(t_why), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(t_why))
		snprintf(t_why + n, sizeof(t_why) - (size_t)n, " (%s:%d)",
			 file, line);
}

#define T_CHECK(cond, ...) \
	do { \
		if (!(cond)) \
			t_fail_at(__FILE__, __LINE__, __VA_ARGS__); \
	} while (0)

#define T_EQ(a, b) \
	do { \
		long long _a = (long long)(a), _b = (long long)(b); \
		if (_a != _b) \
			t_fail_at(__FILE__, __LINE__, "%s = %lld, expected %s = %lld", \
				  #a, _a, #b, _b); \
	} while (0)

static inline void t_end(void)
{
	if (t_why[0]) {
		printf("FAIL %s: %s\n", t_name, t_why);
		t_failed++;
	} else {
		printf("PASS %s\n", t_name);
		t_passed++;
	}
	fflush(stdout);
}

static inline int t_summary(const char *suite)
{
	fprintf(stderr, "%s: %d passed, %d failed\n", suite, t_passed,
		t_failed);
	return t_failed ? 1 : 0;
}

#endif /* COKCTL_TEST_CHECK_H */
