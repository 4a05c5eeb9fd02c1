// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel-version shims (see compat.h).
 */
#include <linux/atomic.h>
#include <linux/kernel.h>
#include "compat.h"

#ifdef COK_HAVE_EXTACK_RING
/*
 * Our netlink ops run in parallel, so one buffer could be overwritten by
 * a second refusal before the first ack is built.  Each message takes
 * the next of COK_EXTACK_SLOTS slots; a slot is reused only after that
 * many later refusals, far more than can be between an op's return and
 * its ack.
 */
#define COK_EXTACK_SLOTS	32
#define COK_EXTACK_LEN		160

static char extack_slots[COK_EXTACK_SLOTS][COK_EXTACK_LEN];
static atomic_t extack_next = ATOMIC_INIT(0);

const char *cok_extack_format(const char *fmt, ...)
{
	unsigned int slot = (unsigned int)atomic_inc_return(&extack_next);
	char *buf = extack_slots[slot % COK_EXTACK_SLOTS];
	va_list ap;

	va_start(ap, fmt);
	vscnprintf(buf, COK_EXTACK_LEN, fmt, ap);
	va_end(ap);
	return buf;
}
#endif
