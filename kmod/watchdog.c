// SPDX-License-Identifier: GPL-2.0
/*
 * The watchdog of co-kernel cores.
 *
 * A co-kernel core bumps its heartbeat on every wake-up (a doorbell, a
 * system call's answer, any command), but an app computing in ring 3 is
 * never woken: the core is tickless.  So every period the watchdog looks
 * at each core's heartbeat; a core whose heartbeat has not moved since
 * the last look gets a doorbell, which any live core answers within
 * microseconds by bumping it.  A core that leaves a doorbell unanswered
 * for WD_DEAD_PERIODS periods, or that reports a panic (stage FAILED), is
 * dead.  Only silent cores in the co-kernel are rung: a core that runs
 * its app in ring 3 says so (in_user, cleared on every entry into ring
 * 0), so a computing app gets no doorbell at all.  A hang is noticed within WD_DEAD_PERIODS + 2 periods
 * (600 ms by default), a panic within one.
 *
 * The watchdog reads the channel and sends IPIs; it never uses the
 * command rings, so it never waits, and it takes only its own lock
 * (wd_lock, for the list of watched enclaves), never cok_enclaves_lock.
 * A caller that waits for a core's answer (cok_wait_reply) marks it: the
 * caller's own timeout judges the core meanwhile.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>
#include "boot.h"
#include "enclave_priv.h"
#include "watchdog.h"

#define WD_DEAD_PERIODS		4

static unsigned int wd_period_ms = 100;
module_param_named(watchdog_ms, wd_period_ms, uint, 0444);
MODULE_PARM_DESC(watchdog_ms,
		 "watchdog period in ms; a core that leaves its doorbell unanswered for 4 periods is dead (0: no watchdog)");

static DEFINE_MUTEX(wd_lock);
static LIST_HEAD(wd_enclaves);
static void wd_round(struct work_struct *work);
static DECLARE_DELAYED_WORK(wd_work, wd_round);

bool cok_core_dead(struct cok_enclave *e, u32 i)
{
	/* Pairs with declare_dead(): the reason is written before. */
	return smp_load_acquire(&e->wd[i].dead);
}

const char *cok_core_dead_reason(struct cok_enclave *e, u32 i)
{
	return e->wd[i].reason;
}

static u64 tolerance_ms(void)
{
	return (u64)WD_DEAD_PERIODS * wd_period_ms;
}

/*
 * Only a wait longer than the watchdog's tolerance holds judgement back:
 * a short one (a ping) ends before the watchdog would decide anyway, and
 * a stream of them must not keep a hung core from being found.
 */
void cok_watchdog_wait_begin(struct cok_enclave *e, u32 i,
			     unsigned int timeout_ms)
{
	if (timeout_ms > tolerance_ms())
		WRITE_ONCE(e->wd[i].busy_until_ns,
			   ktime_get_ns() + (u64)timeout_ms * NSEC_PER_MSEC);
}

void cok_watchdog_wait_end(struct cok_enclave *e, u32 i, bool answered)
{
	WRITE_ONCE(e->wd[i].busy_until_ns, 0);
	if (answered)
		WRITE_ONCE(e->wd[i].answers, e->wd[i].answers + 1);
}

static void declare_dead(struct cok_enclave *e, u32 i)
{
	/* The reason first: a reader that sees dead sees it too. */
	smp_store_release(&e->wd[i].dead, true);
	pr_warn("enclave %u: core %u (CPU %u) is dead: %s; its app is lost, destroy gives the CPU back\n",
		e->id, i, e->cpus[i], e->wd[i].reason);
}

static void panicked(struct cok_enclave *e, u32 i)
{
	struct cok_core_slot *s = &e->ch->core[i];
	char msg[COK_PANIC_MSG_LEN];

	/* The co-kernel's bytes: copy once, end them ourselves. */
	memcpy(msg, s->panic_msg, sizeof(msg));
	msg[sizeof(msg) - 1] = '\0';
	snprintf(e->wd[i].reason, sizeof(e->wd[i].reason), "panic: %s",
		 msg[0] ? msg : "(no message)");
	declare_dead(e, i);
}

static void check_core(struct cok_enclave *e, u32 i, u64 now)
{
	struct cok_wd_core *w = &e->wd[i];
	u32 stage = cok_core_stage(e, i);
	u64 hb, answers;

	if (w->dead)
		return;
	if (stage == COK_STAGE_FAILED) {
		panicked(e, i);
		return;
	}
	if (stage != COK_STAGE_RUNNING)
		return;
	hb = cok_load_acquire(&e->ch->core[i].heartbeat);
	answers = READ_ONCE(w->answers);
	if (hb != w->last_hb || answers != w->last_answers) {
		w->last_hb = hb;
		w->last_answers = answers;
		w->last_move_ns = now;
		w->rung_ns = 0;
		return;
	}
	if (now < READ_ONCE(w->busy_until_ns))
		return;		/* serving a long command: its caller judges */
	/*
	 * Running its app in ring 3: not stuck in the co-kernel, and its
	 * silence is the app's (tickless); ringing it would be noise.  Any
	 * entry into the co-kernel clears the flag first.
	 */
	if (cok_load_acquire(&e->ch->core[i].in_user)) {
		w->last_move_ns = now;
		w->rung_ns = 0;
		return;
	}
	/*
	 * The first doorbell still unanswered after the tolerance.  Counted
	 * from the doorbell, not from the last look: a late round (Linux
	 * busy) must not shorten the time the core has to answer.
	 */
	if (w->rung_ns && now - w->rung_ns >= tolerance_ms() * NSEC_PER_MSEC) {
		snprintf(w->reason, sizeof(w->reason),
			 "no heartbeat for %llu ms",
			 (now - w->last_move_ns) / NSEC_PER_MSEC);
		declare_dead(e, i);
		return;
	}
	if (!w->rung_ns)
		w->rung_ns = now;
	/* Any live core wakes from it and bumps its heartbeat. */
	cok_ring_doorbell(e->apic_ids[i]);
}

static void wd_round(struct work_struct *work)
{
	u64 now = ktime_get_ns();
	struct cok_enclave *e;
	u32 i;

	mutex_lock(&wd_lock);
	list_for_each_entry(e, &wd_enclaves, wd_node)
		for (i = 0; i < e->ncores; i++)
			check_core(e, i, now);
	if (!list_empty(&wd_enclaves))
		queue_delayed_work(system_unbound_wq, &wd_work,
				   msecs_to_jiffies(wd_period_ms));
	mutex_unlock(&wd_lock);
}

void cok_watchdog_add(struct cok_enclave *e)
{
	u64 now = ktime_get_ns();
	u32 i;

	for (i = 0; i < e->ncores; i++) {
		e->wd[i].last_hb = cok_load_acquire(&e->ch->core[i].heartbeat);
		e->wd[i].last_move_ns = now;
	}
	mutex_lock(&wd_lock);
	list_add_tail(&e->wd_node, &wd_enclaves);
	if (wd_period_ms)
		queue_delayed_work(system_unbound_wq, &wd_work,
				   msecs_to_jiffies(wd_period_ms));
	mutex_unlock(&wd_lock);
}

void cok_watchdog_remove(struct cok_enclave *e)
{
	mutex_lock(&wd_lock);
	list_del_init(&e->wd_node);
	mutex_unlock(&wd_lock);
}

void cok_watchdog_exit(void)
{
	cancel_delayed_work_sync(&wd_work);
}
