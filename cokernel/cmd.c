// SPDX-License-Identifier: GPL-2.0
/*
 * The command loop every core runs once it is up: serve the command ring,
 * answer on the response ring, bump the heartbeat, and halt until the
 * next interrupt.  No timer is armed: an idle core sleeps in HLT until
 * Linux rings its doorbell.
 */
#include "cokernel.h"

static __noreturn void stop_core(struct cok_cpu *c, struct cok_core *s)
{
	cok_printf("core %u: stopped\n", c->index);
	cok_store_release(&s->stage, COK_STAGE_STOPPED);
	for (;;) {
		irq_disable();
		__asm__ volatile("hlt");	/* until Linux sends INIT */
	}
}

void cmd_reply_status(struct cok_cpu *c, struct cok_msg *m, int64_t status)
{
	m->status = status;
	cmd_reply(c, m);
}

static void reply(struct cok_cpu *c, struct cok_msg *m, int64_t status)
{
	cmd_reply_status(c, m, status);
}

void cmd_reply(struct cok_cpu *c, struct cok_msg *m)
{
	if (cok_ring_push(&c->shared->resp, m) != COK_RING_OK)
		cok_printf("core %u: response ring full, answer to %u dropped\n",
			   c->index, m->seq);
}

/* A staging area for a launch: consecutive chunks, owned until LAUNCH. */
static void stage(struct cok_cpu *c, struct cok_msg *m)
{
	uint64_t n = (m->arg[0] + COK_CHUNK_SIZE - 1) >> COK_CHUNK_SHIFT;
	void *p;

	mm_free_owned(COK_OWNER_STAGE(c->index));
	/* Not zeroed: nothing past what the module writes is read. */
	p = n && n < COK_MAX_CHUNKS ?
	    mm_alloc_run_raw((uint32_t)n, COK_OWNER_STAGE(c->index), false) :
	    NULL;
	if (!p) {
		reply(c, m, -COK_ENOMEM);
		return;
	}
	m->arg[0] = (uint64_t)p - COK_VIRT_DIRECT;
	cok_store_release(&c->shared->app.state, COK_APP_LOADING);
	reply(c, m, 0);
}

/*
 * Fault injection for the module's watchdog tests (debugfs "inject"):
 * answered first, so that Linux knows the order arrived, then obeyed.
 */
static __noreturn void inject(struct cok_cpu *c, struct cok_msg *m)
{
	uint64_t what = m->arg[0];

	reply(c, m, 0);
	if (what == COK_INJECT_PANIC)
		cok_panic("core %u: injected panic (debugfs)\n",
			  c->index);
	cok_printf("core %u: injected hang: spinning with interrupts off\n",
		   c->index);
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
bool cmd_answer_query(struct cok_cpu *c, struct cok_msg *m)
{
	switch (m->type) {
	case COK_MSG_INJECT:
		if (m->arg[0] == COK_INJECT_HANG ||
		    m->arg[0] == COK_INJECT_PANIC)
			inject(c, m);
		reply(c, m, -COK_EINVAL);
		return true;
	case COK_MSG_PING:
		m->arg[0] = c->shared->heartbeat;
		break;
	case COK_MSG_MEMINFO:
		m->arg[0] = mm_free_bytes();
		m->arg[1] = (uint64_t)cok_channel->nchunks << COK_CHUNK_SHIFT;
		break;
	default:
		return false;
	}
	reply(c, m, 0);
	return true;
}

static void handle(struct cok_cpu *c, struct cok_msg *m)
{
	struct cok_core *s = c->shared;

	if (cmd_answer_query(c, m))
		return;

	switch (m->type) {
	case COK_MSG_STAGE:
		stage(c, m);
		break;
	case COK_MSG_LAUNCH:
		app_launch(c, m);
		if (m->type != COK_MSG_NONE)
			reply(c, m, m->status);
		break;
	case COK_MSG_RESTORE:
		app_restore(c, m);
		if (m->type != COK_MSG_NONE)
			reply(c, m, m->status);
		break;
	case COK_MSG_KILL:
		reply(c, m, 0);		/* no app on this core: nothing to do */
		break;
	case COK_MSG_SHUTDOWN:
		reply(c, m, 0);
		stop_core(c, s);
	default:
		cok_printf("core %u: unknown command %u\n", c->index, m->type);
		reply(c, m, -COK_ENOSYS);
		break;
	}
}

static void serve_ring(struct cok_cpu *c)
{
	struct cok_msg m;
	int r;

	while ((r = cok_ring_pop(&c->shared->cmd, &m)) == COK_RING_OK)
		handle(c, &m);
	if (r == COK_RING_CORRUPT)
		cok_panic("core %u: command ring indices corrupt\n", c->index);
}

static void beat(struct cok_core *s)
{
	cok_write_once(&s->alive_tsc, rdtsc());
	cok_store_release(&s->heartbeat, s->heartbeat + 1);
}

/*
 * From the doorbell interrupt while an app owns the core (in ring 3 or
 * in a system call): answer what can be answered now.  The interrupt
 * has been acknowledged already, so KILL may leave from here.
 */
void cmd_serve_in_app(struct cok_cpu *c, struct cok_regs *r)
{
	struct cok_core *s = c->shared;
	struct cok_msg m;

	beat(s);
	while (cok_ring_pop(&s->cmd, &m) == COK_RING_OK) {
		if (cmd_answer_query(c, &m))
			continue;
		switch (m.type) {
		case COK_MSG_KILL:
			reply(c, &m, 0);
			app_end(c, COK_END_KILL);
		case COK_MSG_FREEZE:
			ckpt_freeze(c, r, &m);
			break;
		case COK_MSG_THAW:	/* cancels a freeze not yet taken */
			reply(c, &m, ckpt_cancel_pending(c, -COK_EBUSY) ?
				     0 : -COK_EBUSY);
			break;
		default:
			reply(c, &m, -COK_EBUSY);
			break;
		}
	}
}

static bool ring_empty(struct cok_msg_ring *r)
{
	return cok_load_acquire(&r->head) == cok_read_once(&r->tail);
}

bool cmd_pending(struct cok_cpu *c)
{
	return !ring_empty(&c->shared->cmd);
}

__noreturn void cmd_serve_forever(struct cok_cpu *c)
{
	struct cok_core *s = c->shared;

	for (;;) {
		irq_disable();
		cok_write_once(&c->doorbell, false);
		/* Before the answers: whoever sees one sees this wake-up. */
		beat(s);
		serve_ring(c);
		if (ring_empty(&s->cmd))
			irq_enable_and_halt();
	}
}
