// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupt and exception dispatch.  The co-kernel takes these kinds of
 * interrupt: NMIs (counted; Linux broadcasts them, e.g. for backtraces),
 * the doorbell from the module, its own timer, RESCHED and TLB from its
 * other cores, and whatever fixed-vector IPIs Linux broadcasts with the
 * "all but self" shorthand (counted and acknowledged).
 * An exception in the co-kernel itself is fatal for that core.
 */
#include "cokernel.h"

#define VECTOR_NMI		2
#define VECTOR_FIRST_EXTERNAL	32
#define VECTOR_SPURIOUS		0xff
/* VECTOR_SYSCALL (asm.h): set by the SYSCALL entry */

static const char *const exception_names[32] = {
	"divide error", "debug", "NMI", "breakpoint", "overflow",
	"bound range", "invalid opcode", "device not available",
	"double fault", "coprocessor overrun", "invalid TSS",
	"segment not present", "stack fault", "general protection",
	"page fault", "reserved", "x87 error", "alignment check",
	"machine check", "SIMD error", "virtualization", "control protection",
};

static void count(uint64_t *counter)
{
	cok_write_once(counter, cok_read_once(counter) + 1);
}

/* A counter of a process, which several cores bump. */
static void count_shared(uint64_t *counter)
{
	__atomic_fetch_add(counter, 1, __ATOMIC_RELAXED);
}

static __noreturn void fatal_exception(struct cok_kcore *core,
				       struct cok_regs *r)
{
	const char *name = r->vector < ARRAY_SIZE(exception_names) ?
			   exception_names[r->vector] : NULL;

	cok_panic("core %d: %s (vector %lu) error %#lx at rip %#lx rsp %#lx cr2 %#lx\n",
		  core ? (int)core->index : -1, name ? name : "reserved",
		  (unsigned long)r->vector, (unsigned long)r->error,
		  (unsigned long)r->rip, (unsigned long)r->rsp,
		  (unsigned long)read_cr2());
}

static void interrupt(struct cok_kcore *core, struct cok_regs *r);

/*
 * in_user tells the module's watchdog that the core runs its app in
 * ring 3 (and so is not stuck in the co-kernel): it need not be woken
 * to prove it is alive, which keeps a computing core free of doorbells.
 * Cleared on every way into ring 0 from the app; set again on the way
 * back (the IRETQ follows at once).  An app that ends or freezes leaves
 * through thread_exit() or the freeze loop, with it cleared.
 */
void cok_interrupt(struct cok_regs *r)
{
	struct cok_kcore *core = this_core();
	bool from_user = core && (r->cs & 3) == 3;
	struct cok_thread *t = from_user ? core->current : NULL;

	if (from_user) {
		cok_write_once(&core->shared->in_user, 0);
		cputime_enter(core);
	}
	interrupt(core, r);
	if (from_user && r->vector != VECTOR_SYSCALL)	/* that one did */
		signal_deliver(t->core, r, false);
	if (from_user) {	/* on its core, which it may have changed */
		cputime_leave(t->core);
		cok_write_once(&t->core->shared->in_user, 1);
	}
}

static void interrupt(struct cok_kcore *core, struct cok_regs *r)
{

	if (core && core->in_app && (r->cs & 3) == 3 &&
	    r->vector != VECTOR_SYSCALL)
		count_shared(&proc_slot(core->current->proc)->user_interrupts);
	if (r->vector == VECTOR_NMI) {
		if (core)
			count(&core->shared->nmis);
		return;
	}
	if (r->vector == VECTOR_SYSCALL_COMPAT) {	/* not served: kill */
		if (core && core->in_app)
			app_fault(core, r);
		fatal_exception(core, r);
	}
	if (r->vector == VECTOR_SYSCALL && core) {
		cok_syscall(core, r);
		return;
	}
	if (r->vector < VECTOR_FIRST_EXTERNAL) {
		if (core && core->in_app && (r->cs & 3) == 3) {
			if (vm_fault(core->current->proc, r) ||
			    app_grow_stack(core->current->proc, r) ||
			    app_fault_to_handler(core, r))
				return;
			app_fault(core, r);
		}
		fatal_exception(core, r);
	}
	if (!core)
		return;
	count(&core->shared->interrupts);
	if (r->vector == VECTOR_SPURIOUS)
		return;		/* spurious: the APIC wants no EOI */
	if (r->vector == COK_TIMER_VECTOR) {
		apic_eoi();	/* before a switch to another thread */
		if (core->in_app)
			sched_tick(core, r);
		return;
	}
	if (r->vector == COK_TLB_VECTOR) {
		tlb_serve(core);
		apic_eoi();
		return;
	}
	if (r->vector == COK_RESCHED_VECTOR) {
		apic_eoi();	/* before the core leaves the process */
		if (core->in_app) {
			core = sched_resched(core, r);
			ckpt_park(core, r);	/* its process is being frozen */
		}
		return;
	}
	if (r->vector != COK_DOORBELL_VECTOR) {
		count(&core->shared->foreign_irqs);
		apic_eoi();
		return;
	}
	cok_write_once(&core->doorbell, true);
	apic_eoi();		/* before serving: KILL does not come back */
	/* A frozen core serves its ring from the freeze loop, not here. */
	if (core->in_app && !core->stopped) {
		sched_wake_answered(core);
		cmd_serve_in_app(core, r);
	}
}
