/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The watchdog: notices a co-kernel core that stopped answering (its
 * heartbeat does not move although the module rang its doorbell) or
 * that panicked, and declares it dead.  A dead core gets no command
 * again; its app is reported lost to its proxy (COK_EV_LOST); destroy
 * resets it with INIT and gives it back to Linux.
 */
#ifndef COK_WATCHDOG_H
#define COK_WATCHDOG_H

#include <linux/types.h>
#include <linux/list.h>
#include "../xemem/cokdev.h"

struct cok_enclave;

/* One core as the watchdog sees it; in struct cok_enclave. */
struct cok_wd_core {
	u64 last_hb;			/* heartbeat seen last */
	u64 last_move_ns;		/* when it last moved (ktime) */
	u64 rung_ns;			/* first unanswered doorbell, or 0 */
	u64 answers;			/* replies a caller got (a sign of life) */
	u64 last_answers;		/* answers seen last */
	u64 busy_until_ns;		/* a long command is served until then */
	bool dead;			/* for good; reason is set before */
	char reason[COK_LOST_REASON_LEN];
};

/* At module exit, once every enclave is gone. */
void cok_watchdog_exit(void);
/* Watch (or stop watching) an enclave (its destroy has begun). */
void cok_watchdog_add(struct cok_enclave *e);
void cok_watchdog_remove(struct cok_enclave *e);
/* Core i of e has been declared dead; then its reason is valid. */
bool cok_core_dead(struct cok_enclave *e, u32 i);
const char *cok_core_dead_reason(struct cok_enclave *e, u32 i);
/*
 * A caller waits up to timeout_ms for core i's answer to a command; then
 * it got it (answered) or not.  A long command (a launch, a restore) may
 * keep the core from its heartbeat: its own timeout judges the core.
 */
void cok_watchdog_wait_begin(struct cok_enclave *e, u32 i,
			     unsigned int timeout_ms);
void cok_watchdog_wait_end(struct cok_enclave *e, u32 i, bool answered);

#endif /* COK_WATCHDOG_H */
