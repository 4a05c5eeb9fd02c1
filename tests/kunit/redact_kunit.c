// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of kmod/redact.c: the console an unprivileged reader sees.
 * The reader owns app 7 only.
 */
#include <kunit/test.h>
#include <linux/string.h>

#include "../../kmod/redact.h"

static bool mine7(void *ctx, u32 app_id)
{
	return app_id == 7;
}

/* Redacts in (a string) and compares the kept bytes with want. */
static void check(struct kunit *test, const char *in, bool partial,
		  bool full, const char *want, u32 want_used)
{
	u8 buf[256];
	u32 len = strlen(in), used, n;

	memcpy(buf, in, len);
	n = cok_console_redact(buf, len, partial, full, mine7, NULL, &used);
	KUNIT_EXPECT_EQ(test, n, (u32)strlen(want));
	KUNIT_EXPECT_EQ(test, memcmp(buf, want, n), 0);
	KUNIT_EXPECT_EQ(test, used, want_used);
}

static void redact_other_users_app(struct kunit *test)
{
	const char *in = "core 1: app 3: vector 14 at rip 0x401000 addr 0x0: killed (signal 11)\n";

	check(test, in, false, false,
	      "core 1: app 3: " COK_REDACTED "\n", strlen(in));
}

static void redact_keeps_own_and_plain_lines(struct kunit *test)
{
	const char *in = "mem: 256 MiB\ncore 1: app 7: system call 999 not supported\n";

	check(test, in, false, false, in, strlen(in));
}

static void redact_short_rest(struct kunit *test)
{
	/* What replaces the rest is never longer than the rest. */
	check(test, "app 12: ok\n", false, false, "app 12: [a\n", 11);
}

static void redact_unfinished_line_waits(struct kunit *test)
{
	const char *in = "core 0: up\ncore 1: app 3: vector";

	check(test, in, false, false, "core 0: up\n", 11);
}

static void redact_partial_head_dropped(struct kunit *test)
{
	const char *in = "0x401000 addr 0x0: killed\nmem: ok\n";

	check(test, in, true, false, "mem: ok\n", strlen(in));
}

static void redact_full_read_without_newline(struct kunit *test)
{
	const char *in = "app 3: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

	check(test, in, false, true, "app 3: " COK_REDACTED, strlen(in));
	check(test, in, true, true, "", strlen(in));
}

static void redact_not_an_app_id(struct kunit *test)
{
	const char *in = "an app 3 started; happ 9: x; app x: y; app 99999999999: z\n";

	check(test, in, false, false, in, strlen(in));
}

static struct kunit_case redact_cases[] = {
	KUNIT_CASE(redact_other_users_app),
	KUNIT_CASE(redact_keeps_own_and_plain_lines),
	KUNIT_CASE(redact_short_rest),
	KUNIT_CASE(redact_unfinished_line_waits),
	KUNIT_CASE(redact_partial_head_dropped),
	KUNIT_CASE(redact_full_read_without_newline),
	KUNIT_CASE(redact_not_an_app_id),
	{}
};

static struct kunit_suite redact_suite = {
	.name = "cok_redact",
	.test_cases = redact_cases,
};

kunit_test_suite(redact_suite);
