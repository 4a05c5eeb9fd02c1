// SPDX-License-Identifier: GPL-2.0
/*
 * Hiding other users' apps in the console, see redact.h.
 */
#include <linux/kernel.h>
#include <linux/string.h>
#include "redact.h"

/* The id N after "app " at p (digits then ':'), or -1. */
static long app_id_at(const u8 *p, const u8 *end)
{
	unsigned long id = 0;
	const u8 *d = p;

	while (d < end && *d >= '0' && *d <= '9' && d - p < 10)
		id = id * 10 + (*d++ - '0');
	if (d == p || d >= end || *d != ':' || id > U32_MAX)
		return -1;
	return (long)id;
}

/* One line [line, end) (no newline), rewritten in place; its new length. */
static u32 redact_line(u8 *line, u32 n, cok_app_mine_fn mine, void *ctx)
{
	u8 *end = line + n, *p = line;

	while ((p = memchr(p, 'a', end - p)) && end - p > 4) {
		long id;
		u8 *rest;
		u32 keep;

		/* "app" as a word: not the end of "happ". */
		if (memcmp(p, "app ", 4) ||
		    (p > line && ((p[-1] | 0x20) >= 'a' && (p[-1] | 0x20) <= 'z'))) {
			p++;
			continue;
		}
		id = app_id_at(p + 4, end);
		if (id < 0 || mine(ctx, (u32)id)) {
			p += 4;
			continue;
		}
		rest = memchr(p + 4, ':', end - (p + 4)) + 1;
		keep = min_t(u32, end - rest, sizeof(" " COK_REDACTED) - 1);
		memcpy(rest, " " COK_REDACTED, keep);
		return rest + keep - line;
	}
	return n;
}

u32 cok_console_redact(u8 *buf, u32 len, bool head_is_partial, bool full,
		       cok_app_mine_fn mine, void *ctx, u32 *used)
{
	u32 in = 0, out = 0;

	/* A line longer than a whole read: taken as one, or no progress. */
	if (full && !memchr(buf, '\n', len)) {
		*used = len;
		return head_is_partial ? 0 : redact_line(buf, len, mine, ctx);
	}
	if (head_is_partial) {
		u8 *nl = memchr(buf, '\n', len);

		in = nl ? nl - buf + 1 : len;
	}
	while (in < len) {
		u8 *nl = memchr(buf + in, '\n', len - in);
		u32 n, kept;

		if (!nl)
			break;		/* an unfinished line: next time */
		n = nl - (buf + in);
		memmove(buf + out, buf + in, n);
		kept = redact_line(buf + out, n, mine, ctx);
		buf[out + kept] = '\n';
		out += kept + 1;
		in += n + 1;
	}
	*used = in;
	return out;
}
