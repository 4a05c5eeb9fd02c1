// SPDX-License-Identifier: GPL-2.0
/*
 * The command loop every core runs once it is up: serve the command ring,
 * answer on the response ring, bump the heartbeat, and halt until the
 * next interrupt.  No timer is armed: an idle core sleeps in HLT until
 * Linux rings its doorbell.
 */
#include "cokernel.h"

static __noreturn void stop_core(struct cok_kcore *core, struct cok_core_slot *s)
{
	cok_printf("core %u: stopped\n", core->index);
	cok_store_release(&s->stage, COK_STAGE_STOPPED);
	for (;;) {
		irq_disable();
		__asm__ volatile("hlt");	/* until Linux sends INIT */
	}
}

void cmd_reply_status(struct cok_kcore *core, struct cok_msg *m, int64_t status)
{
	m->status = status;
	cmd_reply(core, m);
}

static void reply(struct cok_kcore *core, struct cok_msg *m, int64_t status)
{
	cmd_reply_status(core, m, status);
}

void cmd_reply(struct cok_kcore *core, struct cok_msg *m)
{
	if (cok_ring_push(&core->shared->resp, m) != COK_RING_OK)
		cok_printf("core %u: response ring full, answer to %u dropped\n",
			   core->index, m->seq);
}

/*
 * A staging area for a launch: consecutive chunks, owned until LAUNCH;
 * the proc slot (arg[1]) is LOADING from here.
 */
static void stage(struct cok_kcore *core, struct cok_msg *m)
{
	uint64_t n = (m->arg[0] + COK_CHUNK_SIZE - 1) >> COK_CHUNK_SHIFT;
	uint32_t owner = COK_OWNER_STAGE(core->index);
	struct cok_proc_slot *slot;
	void *p = NULL;

	if (m->arg[1] >= COK_MAX_PROCS) {
		reply(core, m, -COK_EINVAL);
		return;
	}
	slot = &cok_channel->proc[m->arg[1]];
	if (!cok_slot_reusable(cok_load_acquire(&slot->state))) {
		reply(core, m, -COK_EBUSY);
		return;
	}
	mm_free_owned(owner);
	/* Not zeroed: nothing past what the module writes is read. */
	if (n && n < COK_MAX_CHUNKS)
		p = mm_alloc_run_raw((uint32_t)n, owner, false);
	if (!p) {
		reply(core, m, -COK_ENOMEM);
		return;
	}
	m->arg[0] = (uint64_t)p - COK_VIRT_DIRECT;
	cok_store_release(&slot->state, COK_APP_LOADING);
	reply(core, m, 0);
}

/*
 * Fault injection for the module's watchdog tests (debugfs "inject"):
 * answered first, so that Linux knows the order arrived, then obeyed.
 */
static __noreturn void inject(struct cok_kcore *core, struct cok_msg *m)
{
	uint64_t what = m->arg[0];

	reply(core, m, 0);
	if (what == COK_INJECT_PANIC)
		cok_panic("core %u: injected panic (debugfs)\n",
			  core->index);
	cok_printf("core %u: injected hang: spinning with interrupts off\n",
		   core->index);
	/*
	 * Only NMI and INIT reach the core now; INIT is how Linux ends it.
	 * A bare loop, as a real hang would be (no PAUSE: under QEMU TCG
	 * each one leaves the translated code and takes QEMU's global lock).
	 */
	irq_disable();
	for (;;)
		__asm__ volatile("" ::: "memory");
}

/*
 * PING and MEMINFO get the same answer whatever the core is doing; an
 * injected fault is obeyed whatever it is doing.
 */
bool cmd_answer_query(struct cok_kcore *core, struct cok_msg *m)
{
	switch (m->type) {
	case COK_MSG_INJECT:
		if (m->arg[0] == COK_INJECT_HANG ||
		    m->arg[0] == COK_INJECT_PANIC)
			inject(core, m);
		reply(core, m, -COK_EINVAL);
		return true;
	case COK_MSG_PING:
		m->arg[0] = core->shared->heartbeat;
		break;
	case COK_MSG_MEMINFO:
		m->arg[0] = mm_free_bytes();
		m->arg[1] = (uint64_t)cok_channel->nchunks << COK_CHUNK_SHIFT;
		break;
	default:
		return false;
	}
	reply(core, m, 0);
	return true;
}

static void handle(struct cok_kcore *core, struct cok_msg *m)
{
	struct cok_core_slot *s = core->shared;

	if (cmd_answer_query(core, m))
		return;

	switch (m->type) {
	case COK_MSG_STAGE:
		stage(core, m);
		break;
	case COK_MSG_LAUNCH:
		app_launch(core, m);
		if (m->type != COK_MSG_NONE)
			reply(core, m, m->status);
		break;
	case COK_MSG_RESTORE:
		app_restore(core, m);
		if (m->type != COK_MSG_NONE)
			reply(core, m, m->status);
		break;
	case COK_MSG_KILL:
		reply(core, m, 0);	/* no app on this core: nothing to do */
		break;
	case COK_MSG_SHUTDOWN:
		reply(core, m, 0);
		stop_core(core, s);
	default:
		cok_printf("core %u: unknown command %u\n", core->index,
			   m->type);
		reply(core, m, -COK_ENOSYS);
		break;
	}
}

static void serve_ring(struct cok_kcore *core)
{
	struct cok_msg m;
	int r;

	while ((r = cok_ring_pop(&core->shared->cmd, &m)) == COK_RING_OK)
		handle(core, &m);
	if (r == COK_RING_CORRUPT)
		cok_panic("core %u: command ring indices corrupt\n",
			  core->index);
}

static void beat(struct cok_core_slot *s)
{
	cok_write_once(&s->alive_tsc, rdtsc());
	cok_store_release(&s->heartbeat, s->heartbeat + 1);
}

/*
 * Long work in ring 0 (zeroing many chunks for one mmap) with interrupts
 * off: the module's watchdog sees a heartbeat that does not move and a
 * doorbell that is not taken, and would take the busy core for a hung
 * one.  Such work calls this between its steps.
 */
void cmd_alive(void)
{
	struct cok_kcore *core = this_core();

	if (core && core->shared)
		beat(core->shared);
}

/*
 * From the doorbell interrupt while an app owns the core (in ring 3 or
 * in a system call): answer what can be answered now.  The interrupt
 * has been acknowledged already, so KILL may leave from here.
 */
void cmd_serve_in_app(struct cok_kcore *core, struct cok_regs *r)
{
	struct cok_core_slot *s = core->shared;
	struct cok_msg m;

	beat(s);
	while (cok_ring_pop(&s->cmd, &m) == COK_RING_OK) {
		if (cmd_answer_query(core, &m))
			continue;
		switch (m.type) {
		case COK_MSG_KILL:
			reply(core, &m, 0);
			app_end(core, COK_END_KILL);
		case COK_MSG_FREEZE:
			ckpt_freeze(core, r, &m);
			break;
		case COK_MSG_THAW:	/* cancels a freeze not yet taken */
			reply(core, &m, ckpt_cancel_pending(core, -COK_EBUSY) ?
				     0 : -COK_EBUSY);
			break;
		case COK_MSG_SIGNAL:
			reply(core, &m, signal_from_linux(core, &m, false));
			break;
		default:
			reply(core, &m, -COK_EBUSY);
			break;
		}
	}
}

static bool ring_empty(struct cok_msg_ring *r)
{
	return cok_load_acquire(&r->head) == cok_read_once(&r->tail);
}

bool cmd_pending(struct cok_kcore *core)
{
	return !ring_empty(&core->shared->cmd);
}

__noreturn void cmd_serve_forever(struct cok_kcore *core)
{
	struct cok_core_slot *s = core->shared;

	for (;;) {
		irq_disable();
		cok_write_once(&core->doorbell, false);
		/* Before the answers: whoever sees one sees this wake-up. */
		beat(s);
		serve_ring(core);
		/* A thread of a process with this core in its set (sched.c). */
		if (sched_idle(core))
			continue;
		if (ring_empty(&s->cmd) && !cok_read_once(&core->rq_head))
			irq_enable_and_halt();
	}
}
