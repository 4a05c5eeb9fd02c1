/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The co-kernel's console as an unprivileged reader sees it: the details
 * of apps that are not the reader's are hidden (pure logic, KUnit-tested
 * in tests/kunit/redact_kunit.c).
 */
#ifndef COK_REDACT_H
#define COK_REDACT_H

#include <linux/types.h>

#define COK_REDACTED	"[another user's app]"

/* The reader owns app app_id. */
typedef bool (*cok_app_mine_fn)(void *ctx, u32 app_id);

/*
 * Rewrites buf[0..len), whole lines only, in place: in a line that names
 * "app N:" for an app not the reader's, what follows "app N:" becomes
 * COK_REDACTED (cut to what it replaces).  When head_is_partial, the
 * bytes before the first newline (the tail of a line whose start was
 * lost) are dropped.  A last line without its newline is left out, so
 * that the next read starts at a line - unless the read was full and
 * holds no newline at all: then it is taken as one line.  Returns the
 * bytes kept; *used is how many bytes of the input they stand for (the
 * position to go on from).
 */
u32 cok_console_redact(u8 *buf, u32 len, bool head_is_partial, bool full,
		       cok_app_mine_fn mine, void *ctx, u32 *used);

#endif /* COK_REDACT_H */
