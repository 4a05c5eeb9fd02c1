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

static void reply(struct cok_cpu *c, struct cok_msg *m, int64_t status)
{
	m->status = status;
	if (cok_ring_push(&c->shared->resp, m) != COK_RING_OK)
		cok_printf("core %u: response ring full, answer to %u dropped\n",
			   c->index, m->seq);
}

static void handle(struct cok_cpu *c, struct cok_msg *m)
{
	struct cok_core *s = c->shared;

	switch (m->type) {
	case COK_MSG_PING:
		m->arg[0] = s->heartbeat;
		reply(c, m, 0);
		break;
	case COK_MSG_MEMINFO:
		m->arg[0] = mm_free_bytes();
		m->arg[1] = (uint64_t)cok_channel->nchunks << COK_CHUNK_SHIFT;
		reply(c, m, 0);
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

static bool ring_empty(struct cok_msg_ring *r)
{
	return cok_load_acquire(&r->head) == cok_read_once(&r->tail);
}

__noreturn void cmd_serve_forever(struct cok_cpu *c)
{
	struct cok_core *s = c->shared;

	for (;;) {
		irq_disable();
		cok_write_once(&c->doorbell, false);
		serve_ring(c);
		cok_write_once(&s->alive_tsc, rdtsc());
		cok_store_release(&s->heartbeat, s->heartbeat + 1);
		if (ring_empty(&s->cmd))
			irq_enable_and_halt();
	}
}
