// SPDX-License-Identifier: GPL-2.0
/*
 * Apps: launch (load, enter ring 3), and their three ends: exit_group(),
 * a fault, or a KILL from Linux.  The app is a process in the proc slot
 * Linux chose (xemem/app.h), taken from the pools (proc.c) by the
 * launch or the restore on its home core, whose current thread its
 * first thread becomes, on a kernel stack of its own (thread.c).  Its
 * other threads may run on the other cores of its set (LAUNCH's arg[2],
 * sched.c).  An end on any of its cores marks the process ended and
 * sends RESCHED to the others (app_end()); every core returns to its
 * command loop (thread_exit()), and the home core, once the others have
 * left, frees the app's memory, its threads' stacks among it, and its
 * process.
 */
#include "cokernel.h"


static void set_app_state(struct cok_proc_slot *slot, uint32_t state)
{
	cok_store_release(&slot->state, state);
}

void app_set_error(struct cok_proc_slot *slot, const char *why)
{
	size_t n = strlen(why);

	if (n >= sizeof(slot->error))
		n = sizeof(slot->error) - 1;
	memcpy(slot->error, why, n);
	slot->error[n] = '\0';
}

/* ns = tsc * mult >> 32, mult = 10^6 * 2^32 / tsc_khz */
static void set_clock(struct cok_proc *p, uint64_t tsc, uint64_t realtime_ns,
		      uint64_t monotonic_ns, uint64_t tsc_khz)
{
	uint64_t khz = tsc_khz ? tsc_khz : 1000000;

	p->clock_tsc = tsc;
	p->clock_realtime_ns = realtime_ns;
	p->clock_monotonic_ns = monotonic_ns;
	p->ns_mult = (1000000ULL << 32) / khz;
	p->tsc_khz = khz;
}

/*
 * The cores a LAUNCH or RESTORE names (arg[2]): the home core and cores
 * of the enclave; 0 is the home core alone.  0 if the mask is bad.
 */
static uint32_t cores_named(const struct cok_kcore *core,
			    const struct cok_msg *m)
{
	uint64_t mask = m->arg[2], all;

	all = cok_channel->ncores >= 32 ? 0xffffffffULL :
	      (1ULL << cok_channel->ncores) - 1;
	if (!mask)
		return 1U << core->index;
	if ((mask & ~all) || !(mask & (1ULL << core->index)))
		return 0;
	return (uint32_t)mask;
}

/* A new process for the app, with its thread current on the core. */
static bool take_thread(struct cok_kcore *core, const struct cok_msg *m,
			uint32_t pid, const char **why)
{
	uint32_t cores = cores_named(core, m);
	struct cok_thread *t;

	if (!cores) {
		*why = "bad cores mask";
		return false;
	}
	t = proc_create(m->arg[1], pid);
	core->current = t;
	if (!t) {
		*why = "the process slot is taken or out of range, or no thread is free";
		return false;
	}
	t->core = core;
	t->proc->core = core;
	t->proc->cores = cores;
	t->proc->load[core->index] = 1;
	return true;
}

static bool stack_for(struct cok_thread *t, const char **why)
{
	if (!thread_alloc_stack(t))
		return true;
	*why = "not enough free memory in the enclave for the app";
	return false;
}

/* The core's process goes: its memory, then its slots in the pools. */
static void drop_proc(struct cok_kcore *core)
{
	struct cok_proc *p;

	if (!core->current)
		return;
	p = core->current->proc;
	syscall_report_refused(p);
	as_destroy(&p->as);
	core->current = NULL;
	proc_free(p);
}

/* The app ended (how, or KILL while frozen): Linux is told last. */
static void end_app(struct cok_kcore *core, uint32_t state)
{
	struct cok_proc_slot *slot = proc_slot(core->current->proc);

	if (state == COK_APP_EXITED)
		slot->exit_status = core->current->proc->exit_status;
	slot->fwd_pending = 0;
	slot->nthreads = 0;
	drop_proc(core);
	set_app_state(slot, state);
}

/*
 * The app runs until it ends, entered with every register of regs: a
 * fresh start or a restore.  Then the core is free.
 */
static void run_app(struct cok_kcore *core, const struct cok_regs *regs)
{
	struct cok_proc *p = core->current->proc;
	long how;

	__atomic_fetch_or(&p->active, 1U << core->index, __ATOMIC_SEQ_CST);
	as_activate(&p->as);
	/*
	 * Take interrupts latched while the launch was served (a doorbell
	 * that arrived with IF clear) here, not in ring 3 where they would
	 * count as noise.
	 */
	__asm__ volatile("sti; nop; cli" ::: "memory");
	core->in_app = true;
	/*
	 * A command that came with that doorbell (a KILL right after the
	 * launch) found no app yet and waits in the ring: ring again, so
	 * that it is served from ring 3 like any other.
	 */
	if (cmd_pending(core))
		apic_self_ipi(COK_DOORBELL_VECTOR);
	/*
	 * A restore's other threads may run now, on their cores: an end
	 * of p there sends RESCHED, which this core takes from now on.
	 */
	ckpt_start_threads(core);
	cok_write_once(&core->shared->in_user, 1);	/* see cok_interrupt */
	thread_run(core, core->current, regs);
	how = __atomic_load_n(&p->end, __ATOMIC_SEQ_CST);
	core->in_app = false;
	cok_write_once(&core->shared->in_user, 0);
	sched_end_others(core, p);
	core->current = p->thread;	/* end_app() finds the process */
	sched_reset(core);
	ckpt_cancel_pending(core, -COK_EINVAL);	/* the app ended first */
	as_deactivate();
	wrmsr(MSR_FS_BASE, 0);
	wrmsr(MSR_GS_BASE, 0);
	end_app(core, how == COK_END_EXIT ? COK_APP_EXITED :
		      how == COK_END_FAULT ? COK_APP_FAULTED :
		      COK_APP_KILLED);
}

static bool block_in_memory(uint64_t off)
{
	return off != 0 &&
	       off < ((uint64_t)cok_channel->nchunks << COK_CHUNK_SHIFT);
}

/* The proc slot m names, or NULL if it is out of range. */
static struct cok_proc_slot *slot_named(const struct cok_msg *m)
{
	return m->arg[1] < COK_MAX_PROCS ? &cok_channel->proc[m->arg[1]] :
					   NULL;
}

static void refuse(struct cok_kcore *core, struct cok_msg *m,
		   const char *why)
{
	struct cok_proc_slot *slot = slot_named(m);

	drop_proc(core);
	mm_free_owned(COK_OWNER_STAGE(core->index));
	if (slot && cok_read_once(&slot->state) == COK_APP_LOADING) {
		app_set_error(slot, why);
		set_app_state(slot, COK_APP_LOAD_FAILED);
	}
	cok_printf("core %u: %s refused: %s\n", core->index,
		   m->type == COK_MSG_RESTORE ? "restore" : "launch", why);
	m->status = -COK_ENOEXEC;
}

/* The app is set up: tell Linux, with the reply to m. */
static void app_ready(struct cok_kcore *core, struct cok_msg *m,
		      uint32_t state)
{
	struct cok_proc *p = core->current->proc;
	struct cok_proc_slot *slot = proc_slot(p);

	slot->app_id = p->pid;
	mm_free_owned(COK_OWNER_STAGE(core->index));
	slot->cr3 = p->as.pml4_phys;
	slot->user_interrupts = 0;
	slot->fwd_pending = 0;
	slot->home_core = core->index;
	slot->cores = p->cores;
	slot->nthreads = p->nthreads;
	slot->error[0] = '\0';
	m->arg[0] = slot->cr3;
	set_app_state(slot, state);
	m->status = 0;
	cmd_reply(core, m);
	m->type = COK_MSG_NONE;		/* answered */
}

/* COK_MSG_LAUNCH: the reply goes out before the app runs. */
void app_launch(struct cok_kcore *core, struct cok_msg *m)
{
	struct cok_launch_block *b;
	const char *why = "bad launch block address";
	struct cok_regs start;
	struct cok_proc *p;
	uint64_t entry, rsp;

	b = (void *)(COK_VIRT_DIRECT + m->arg[0]);
	if (!block_in_memory(m->arg[0]) ||
	    !take_thread(core, m, b->app_id, &why)) {
		refuse(core, m, why);
		return;
	}
	p = core->current->proc;
	rng_seed_app(core, b->seed, NULL);	/* AT_RANDOM comes from it */
	if (load_app(p, b, &entry, &rsp, &why) ||
	    !stack_for(core->current, &why)) {
		refuse(core, m, why);
		return;
	}
	set_clock(p, b->clock_tsc, b->clock_realtime_ns,
		  b->clock_monotonic_ns, b->tsc_khz);
	p->uid = b->uid;
	app_ready(core, m, COK_APP_RUNNING);
	ckpt_reset_fpu();
	thread_start_regs(&start, entry, rsp);
	run_app(core, &start);
}

/*
 * COK_MSG_RESTORE: the app is rebuilt and stays frozen while Linux
 * writes its pages; THAW starts it where it stopped.
 */
void app_restore(struct cok_kcore *core, struct cok_msg *m)
{
	struct cok_restore_block *b;
	const char *why = "bad restore block address";
	struct cok_thread *t;
	struct cok_proc *p;

	b = (void *)(COK_VIRT_DIRECT + m->arg[0]);
	if (!block_in_memory(m->arg[0]) ||
	    !take_thread(core, m, b->app_id, &why) ||
	    ckpt_load_restore(core->current, b, &why) ||
	    !stack_for(core->current, &why) ||
	    ckpt_restore_threads(core->current, b, &why)) {
		refuse(core, m, why);
		return;
	}
	t = core->current;
	p = t->proc;
	rng_seed_app(core, b->seed, NULL);	/* a new one, not the image's */
	set_clock(p, b->clock_tsc, b->clock_realtime_ns,
		  p->frozen_monotonic, b->tsc_khz);
	p->uid = b->uid;
	t->state = COK_THREAD_FROZEN;
	app_ready(core, m, COK_APP_FROZEN);
	switch (ckpt_frozen_loop(core)) {
	case COK_FROZEN_KILL:
		end_app(core, COK_APP_KILLED);
		return;
	case COK_FROZEN_TERM:
		end_app(core, COK_APP_FAULTED);
		return;
	default:
		break;
	}
	t->state = COK_THREAD_RUNNING;
	vm_restore_rights(p);	/* Linux has written the PROT_NONE pages */
	wrmsr(MSR_FS_BASE, t->frozen_fs);
	wrmsr(MSR_GS_BASE, t->frozen_gs);
	ckpt_load_fpu(t);
	run_app(core, &t->frozen_regs);
}

/*
 * The app ends (how) from this core: the first end of it counts; its
 * other cores are told (RESCHED), and each one leaves it.
 */
__noreturn void app_end(struct cok_kcore *core, enum cok_app_end how)
{
	struct cok_proc *p = core->current->proc;
	uint32_t none = 0;

	if (__atomic_compare_exchange_n(&p->end, &none, how, false,
					__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
		ipi_cores(p->cores & ~(1U << core->index), COK_RESCHED_VECTOR);
	}
	thread_exit(core, how);
}

static uint32_t signal_of(uint64_t vector)
{
	switch (vector) {
	case 0:		/* divide error */
	case 16:	/* x87 error */
	case 19:	/* SIMD error */
		return COK_SIGFPE;
	case 3:		/* breakpoint */
	case 1:
		return COK_SIGTRAP;
	case 6:		/* invalid opcode */
		return COK_SIGILL;
	case 17:	/* alignment check */
		return COK_SIGBUS;
	default:	/* page fault, general protection, stack fault ... */
		return COK_SIGSEGV;
	}
}

/*
 * A page fault on a not-present page (error code bit 0 clear) inside the
 * stack reservation: map a zeroed page and let the instruction run again.
 * Below the reservation is the guard: a fault there kills with SIGSEGV.
 */
bool app_grow_stack(struct cok_proc *p, struct cok_regs *r)
{
	uint64_t addr = read_cr2() & ~4095ULL, room;
	bool ok;

	if (r->vector != 14 || (r->error & 1) ||
	    addr < rlimit_stack_bottom(p) ||
	    addr >= COK_USER_STACK_TOP)
		return false;
	spin_lock(&p->lock);	/* another core may map the same page */
	ok = as_lookup(&p->as, addr, &room, false) ||
	     as_map_bits(&p->as, addr, 4096,
			 as_prot_bits(COK_PROT_READ | COK_PROT_WRITE), true) == 0;
	spin_unlock(&p->lock);
	return ok;
}

/*
 * A 32-bit system call, which the co-kernel does not serve (Linux does,
 * with IA32_EMULATION), told by the instruction at rip: int 0x80 (cd 80)
 * meets a DPL-0 gate, #GP with an IDT error code (0x402 on hardware,
 * QEMU TCG gives 0x802); sysenter (0f 34) is #GP(0) as SYSENTER_CS is 0,
 * or #UD on AMD in long mode; SYSCALL in compat mode comes through CSTAR.
 * NULL for any other fault.
 */
static const char *compat_call(struct cok_proc *p, const struct cok_regs *r)
{
	uint8_t op[2];

	if (r->vector == VECTOR_SYSCALL_COMPAT)
		return "syscall in compat mode";
	if ((r->vector != 13 && r->vector != 6) ||
	    as_read(&p->as, op, r->rip, sizeof(op)))
		return NULL;
	if (r->vector == 13 && op[0] == 0xcd && op[1] == 0x80)
		return "int 0x80";
	if (op[0] == 0x0f && op[1] == 0x34)
		return "sysenter";
	return NULL;
}

/*
 * si_code of a fault, as Linux's handlers of each exception give it: a
 * page fault inside a mapping is ACCERR even on a page not present (a
 * PROT_NONE one), outside any MAPERR.
 */
static int fault_code(struct cok_proc *p, const struct cok_regs *r)
{
	switch (r->vector) {
	case 14:
		return (r->error & 1) || vm_mapped(p, read_cr2()) ?
		       COK_SEGV_ACCERR : COK_SEGV_MAPERR;
	case 0:
		return COK_FPE_INTDIV;
	case 6:
		return COK_ILL_ILLOPN;
	case 17:
		return COK_BUS_ADRALN;
	case 3:
		return COK_SI_KERNEL;	/* int3, as do_int3_user() */
	default:
		return COK_SI_KERNEL;	/* #GP and the rest: no address */
	}
}

/*
 * An exception in ring 3, as Linux's force_sig_fault(): to the app's
 * handler of its signal if it has one; else, or if the handler cannot
 * run, the app ends with that signal.
 */
bool app_fault_to_handler(struct cok_kcore *core, struct cok_regs *r)
{
	uint64_t addr = r->vector == 14 ? read_cr2() :
			r->vector == 0 || r->vector == 6 ? r->rip : 0;

	if (r->vector == VECTOR_SYSCALL_COMPAT)
		return false;
	return signal_fault(core, r, (int)signal_of(r->vector),
			    fault_code(core->current->proc, r), addr);
}

/* An exception in ring 3 with no handler: the app ends with its signal. */
void app_fault(struct cok_kcore *core, struct cok_regs *r)
{
	struct cok_proc_slot *slot = proc_slot(core->current->proc);
	const char *compat = compat_call(core->current->proc, r);

	if (compat)
		cok_printf("core %u: app %u: %s at rip %#lx: 32-bit system calls are not served\n",
			   core->index, slot->app_id, compat,
			   (unsigned long)r->rip);

	slot->fault_vector = r->vector;
	slot->fault_rip = r->rip;
	slot->fault_addr = r->vector == 14 ? read_cr2() : 0;
	slot->fault_error = r->error;
	slot->fault_signal = signal_of(r->vector);
	cok_printf("core %u: app %u: vector %lu at rip %#lx addr %#lx: killed (signal %u)\n",
		   core->index, slot->app_id, (unsigned long)r->vector,
		   (unsigned long)r->rip, (unsigned long)slot->fault_addr,
		   slot->fault_signal);
	app_end(core, COK_END_FAULT);
}

/* The app ends by signal sig (its default action) at rip: for Linux. */
void app_note_signal_end(struct cok_kcore *core, uint64_t rip, uint32_t sig)
{
	struct cok_proc_slot *slot = proc_slot(core->current->proc);

	slot->fault_vector = COK_FAULT_NONE;
	slot->fault_rip = rip;
	slot->fault_addr = 0;
	slot->fault_error = 0;
	slot->fault_signal = sig;
	cok_printf("core %u: app %u: thread %u: signal %u at rip %#lx: killed (its default action)\n",
		   core->index, slot->app_id, core->current->tid, sig,
		   (unsigned long)rip);
}

/*
 * A signal whose default action ends the process (signal.c), or a
 * signal frame that cannot be set up or returned from: the end is
 * reported as a fault with that signal at r's rip, vector
 * COK_FAULT_NONE for "no exception".
 */
__noreturn void app_kill_signal(struct cok_kcore *core,
				const struct cok_regs *r, uint32_t sig)
{
	app_note_signal_end(core, r->rip, sig);
	app_end(core, COK_END_FAULT);
}
