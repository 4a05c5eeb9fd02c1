// SPDX-License-Identifier: GPL-2.0
/*
 * Signals of a process and its threads, with Linux's semantics: each
 * signal's action is the process's (rt_sigaction), each thread has its
 * mask and its own pending set, and the process a shared one that any
 * thread not blocking the signal takes.  A signal is delivered on the
 * way back to ring 3 (the end of cok_syscall() and of an interrupt
 * from ring 3): a handler gets Linux's rt_sigframe on its stack or the
 * alternate one (the layout: sigframe.h), rt_sigreturn puts back what
 * the frame holds; SIG_DFL terminates with 128 + sig, ignores, or, for
 * the stop signals, is left to Linux's side (cokctl stops the job).
 * A sender marks the signal pending under p->sig_lock and then kicks a
 * thread that can take it: a futex wait or sleep ends with -ERESTARTSYS
 * (futex_interrupt()), a thread on another core gets a RESCHED, whose
 * return to ring 3 delivers.  A thread in a forwarded call takes it when
 * the call returns.
 */
#include "cokernel.h"

#define SYSCALL_INSN_LEN	2	/* 0f 05: a restart runs it again */

/* --- the pending queues (under sig_lock) --------------------------------- */

static void sq_add(struct cok_sigqueue *q, const struct cok_siginfo *info)
{
	uint64_t bit = COK_SIGBIT(info->signo);

	if ((q->set & bit) && info->signo < COK_SIGRTMIN)
		return;			/* a standard signal is pending once */
	cok_write_once(&q->set, q->set | bit);
	if (q->n < COK_SIGQ_MAX)
		memcpy(&q->q[q->n++], info, COK_SIGQ_INFO);
}

/* sig's oldest siginfo off q into out; its bit goes with its last one. */
static void sq_take(struct cok_sigqueue *q, int sig, struct cok_siginfo *out)
{
	bool more = false, found = false;
	uint32_t i, j = 0;

	for (i = 0; i < q->n; i++) {
		if (q->q[i].signo == sig && !found) {
			memset(out, 0, sizeof(*out));
			memcpy(out, &q->q[i], COK_SIGQ_INFO);
			found = true;
			continue;
		}
		more |= q->q[i].signo == sig;
		q->q[j++] = q->q[i];
	}
	q->n = j;
	if (!found)
		*out = (struct cok_siginfo){ .signo = sig, .code = COK_SI_USER };
	if (!more)
		cok_write_once(&q->set, q->set & ~COK_SIGBIT(sig));
}

/* Every pending sig off q (it became ignored). */
static void sq_drop(struct cok_sigqueue *q, int sig)
{
	struct cok_siginfo dummy;

	while (q->set & COK_SIGBIT(sig))
		sq_take(q, sig, &dummy);
}

/* --- actions -------------------------------------------------------------- */

static bool ignored(const struct cok_proc *p, int sig)
{
	uint64_t h = p->action[sig - 1].handler;

	if (sig == COK_SIGKILL || sig == COK_SIGSTOP)
		return false;
	if (h == COK_SIG_IGN)
		return true;
	return h == COK_SIG_DFL &&
	       (cok_sig_default(sig) == COK_SIGDFL_IGNORE ||
		cok_sig_default(sig) == COK_SIGDFL_CONT);
}

/* A new thread: nothing pending, no alternate stack, parent's mask. */
void signal_init_thread(struct cok_thread *t, const struct cok_thread *parent)
{
	t->sig_blocked = parent ? parent->sig_blocked : 0;
	t->sig_pending.set = 0;
	t->sig_pending.n = 0;
	t->sig_restore_mask = false;
	t->sig_look = false;
	t->altstack = (struct cok_stack){ 0 };	/* ss_size 0: none */
	t->syscall_restorable = false;
}

/* --- sending -------------------------------------------------------------- */

/*
 * The thread of p to take sig, or NULL (none may: it waits pending):
 * as Linux's complete_signal(), the main thread if it does not block
 * it (the pid's own task), else the first that does not.
 */
static struct cok_thread *taker(struct cok_proc *p, int sig)
{
	struct cok_thread *all[COK_MAX_THREADS];
	uint32_t i, n = proc_threads(p, all, COK_MAX_THREADS);
	struct cok_thread *main = p->thread;

	if (main && main->state != COK_THREAD_DEAD &&
	    main->state != COK_THREAD_FREE &&
	    !(main->sig_blocked & COK_SIGBIT(sig)))
		return main;
	for (i = 0; i < n; i++)
		if (!(all[i]->sig_blocked & COK_SIGBIT(sig)))
			return all[i];
	return NULL;
}

/* t is to look at its pending signals soon (the process's too). */
static void kick(struct cok_kcore *self, struct cok_thread *t)
{
	struct cok_kcore *on = cok_read_once(&t->core);

	cok_write_once(&t->sig_look, true);
	if (futex_interrupt(self, t))
		return;
	if (on && on != self)
		ipi_core(on, COK_RESCHED_VECTOR);
}

/*
 * info pending for thread t of p, or for p as a whole (t NULL); the
 * thread to kick, or NULL.  An ignored signal a thread does not block
 * is dropped, as Linux drops it.
 */
static struct cok_thread *queue(struct cok_proc *p, struct cok_thread *t,
				const struct cok_siginfo *info)
{
	int sig = info->signo;
	struct cok_thread *to = NULL;

	spin_lock(&p->sig_lock);
	if (ignored(p, sig) && !(t && (t->sig_blocked & COK_SIGBIT(sig)))) {
		spin_unlock(&p->sig_lock);
		return NULL;
	}
	sq_add(t ? &t->sig_pending : &p->sig_shared, info);
	if (!t)
		to = taker(p, sig);
	else if (!(t->sig_blocked & COK_SIGBIT(sig)))
		to = t;
	spin_unlock(&p->sig_lock);
	return to;
}

int signal_send(struct cok_kcore *self, struct cok_proc *p,
		struct cok_thread *t, const struct cok_siginfo *info)
{
	struct cok_thread *to;

	if (!cok_valid_signal(info->signo))
		return -EINVAL;
	to = queue(p, t, info);
	if (to)
		kick(self, to);
	return 0;
}

/*
 * A signal from Linux (COK_MSG_SIGNAL) to the app of its home core.
 * A frozen app's threads must not move: it is only queued, and
 * signal_thawed() kicks its takers once they go on.  A stop signal the
 * app leaves at its default is answered arg[0] = 1, not queued: the
 * module freezes the app, as a stopped job's.
 */
int64_t signal_from_linux(struct cok_kcore *core, struct cok_msg *m,
			  bool frozen)
{
	struct cok_proc *p = core->current->proc;
	struct cok_siginfo info = { .signo = (int32_t)m->arg[0],
				    .code = (int32_t)m->arg[1] };

	if (!cok_valid_signal((int64_t)m->arg[0]) || m->arg[0] == COK_SIGKILL)
		return -COK_EINVAL;	/* SIGKILL is COK_MSG_KILL */
	info.u.kill.pid = (int32_t)m->arg[2];
	info.u.kill.uid = (uint32_t)m->arg[3];
	info.u.kill.value = m->arg[4];
	m->arg[0] = 0;
	if (cok_read_once(&p->action[info.signo - 1].handler) == COK_SIG_DFL) {
		enum cok_sig_default d = cok_sig_default(info.signo);

		if (d == COK_SIGDFL_STOP) {
			m->arg[0] = 1;	/* Linux's side stops the app */
			return 0;
		}
		/*
		 * A frozen app cannot run on to take it: a signal that
		 * would end it ends it now (arg[0] 2), as it would at the
		 * thaw; what a handler takes waits for the thaw.
		 */
		if (frozen && m->arg[5] &&
		    (d == COK_SIGDFL_TERM || d == COK_SIGDFL_CORE)) {
			app_note_signal_end(core, proc_slot(p)->frozen_rip,
					    (uint32_t)info.signo);
			m->arg[0] = 2;
			return 0;
		}
	}
	if (frozen)
		queue(p, NULL, &info);
	else
		signal_send(core, p, NULL, &info);
	return 0;
}

/* After a THAW: the signals that came meanwhile are taken now. */
void signal_thawed(struct cok_kcore *core, struct cok_proc *p)
{
	struct cok_thread *all[COK_MAX_THREADS], *t;
	uint32_t i, n = proc_threads(p, all, COK_MAX_THREADS);
	int sig;

	for (i = 0; i < n; i++)
		if (signal_wanted(all[i]))
			kick(core, all[i]);
	spin_lock(&p->sig_lock);
	sig = cok_sig_first(p->sig_shared.set);
	t = sig ? taker(p, sig) : NULL;
	spin_unlock(&p->sig_lock);
	if (t)
		kick(core, t);
}

/* --- delivery ------------------------------------------------------------- */

/*
 * The lowest signal t takes, its own first (as Linux's
 * dequeue_signal()), off its queue into info; 0 if none.
 */
static int dequeue(struct cok_thread *t, uint64_t set,
		   struct cok_siginfo *info)
{
	struct cok_proc *p = t->proc;
	int sig = cok_sig_first(t->sig_pending.set & set);

	if (sig) {
		sq_take(&t->sig_pending, sig, info);
		return sig;
	}
	sig = cok_sig_first(p->sig_shared.set & set);
	if (sig)
		sq_take(&p->sig_shared, sig, info);
	return sig;
}

/* A pending signal of set for t off its queue (sigtimedwait), or 0. */
int signal_take(struct cok_thread *t, uint64_t set, struct cok_siginfo *info)
{
	int sig;

	spin_lock(&t->proc->sig_lock);
	sig = dequeue(t, set, info);
	spin_unlock(&t->proc->sig_lock);
	return sig;
}

/* sig became ignored: every pending one of p goes (sig_lock held). */
void signal_discard(struct cok_proc *p, int sig)
{
	struct cok_thread *all[COK_MAX_THREADS];
	uint32_t i, n = proc_threads(p, all, COK_MAX_THREADS);

	sq_drop(&p->sig_shared, sig);
	for (i = 0; i < n; i++)
		sq_drop(&all[i]->sig_pending, sig);
}

/*
 * A system call a signal interrupted (its -ERESTART* result in rax):
 * -EINTR for a handler that does not restart it, else it runs again
 * (rip back over SYSCALL, rax its number).  handler: one runs.
 */
static void restart_or_eintr(struct cok_thread *t, struct cok_regs *r,
			     const struct cok_sigaction *act)
{
	switch ((int64_t)r->rax) {
	case -ERESTARTNOHAND:
	case -ERESTART_RESTARTBLOCK:
		if (act) {
			r->rax = (uint64_t)-EINTR;
			return;
		}
		break;
	case -ERESTARTSYS:
		if (act && !(act->flags & COK_SA_RESTART)) {
			r->rax = (uint64_t)-EINTR;
			return;
		}
		break;
	case -ERESTARTNOINTR:
		break;
	default:
		return;
	}
	r->rax = t->syscall_nr;
	r->rip -= SYSCALL_INSN_LEN;
}

/* The FPU state, as Linux lays it out for a handler, at fp in ring 3. */
static bool put_fpstate(struct cok_thread *t, uint64_t fp)
{
	struct cok_aspace *as = &t->proc->as;
	uint32_t magic2 = COK_FP_XSTATE_MAGIC2;
	struct cok_fpx_sw_bytes sw = {
		.magic1 = COK_FP_XSTATE_MAGIC1,
		.extended_size = t->xstate_size + sizeof(magic2),
		.xfeatures = t->xstate_xcr0,
		.xstate_size = t->xstate_size,
	};

	if (!t->xstate_xcr0)
		return !as_put(as, fp, t->xstate, COK_FXSAVE_SIZE);
	memcpy(t->xstate + COK_FP_SW_BYTES_OFFSET, &sw, sizeof(sw));
	return !as_put(as, fp, t->xstate, t->xstate_size) &&
	       !as_put(as, fp + t->xstate_size, &magic2, sizeof(magic2));
}

static uint32_t fp_frame_size(void)
{
	return cok_xcr0 ? cok_xsave_size + 4 : COK_FXSAVE_SIZE;
}

/* The interrupted context of r, with mask, into f. */
static void fill_context(struct cok_rt_sigframe *f, const struct cok_thread *t,
			 const struct cok_regs *r, uint64_t mask, uint64_t fp)
{
	struct cok_sigcontext *mc = &f->uc.uc_mcontext;

	f->uc.uc_flags = COK_UC_SIGCONTEXT_SS | COK_UC_STRICT_RESTORE_SS |
			 (cok_xcr0 ? COK_UC_FP_XSTATE : 0);
	f->uc.uc_stack = t->altstack;
	f->uc.uc_stack.ss_flags = cok_altstack_flags(&t->altstack, r->rsp);
	cok_sigcontext_save(mc, r);
	mc->fpstate = fp;
	mc->oldmask = mask;
	if (r->vector < 32) {		/* a fault: what Linux reports */
		mc->trapno = r->vector;
		mc->err = r->error;
		mc->cr2 = r->vector == 14 ? read_cr2() : 0;
	}
	f->uc.uc_sigmask = mask;
}

/*
 * A frame for act's handler of sig on t's stack, r turned to run the
 * handler.  false if it cannot be written (Linux then forces SIGSEGV).
 */
static bool setup_frame(struct cok_thread *t, struct cok_regs *r, int sig,
			const struct cok_siginfo *info,
			const struct cok_sigaction *act, uint64_t mask)
{
	struct cok_rt_sigframe f;
	struct cok_sigframe_at at;

	if (!(act->flags & COK_SA_RESTORER))
		return false;		/* x86-64 has no default restorer */
	if (!cok_sigframe_place(r->rsp, act->flags & COK_SA_ONSTACK,
				&t->altstack, fp_frame_size(), &at))
		return false;
	ckpt_save_fpu(t);		/* the live state: the thread's own */
	if (!put_fpstate(t, at.fpstate))
		return false;
	memset(&f, 0, sizeof(f));
	f.pretcode = act->restorer;
	fill_context(&f, t, r, mask, at.fpstate);
	f.info = *info;
	if (as_put(&t->proc->as, at.frame, &f, sizeof(f)))
		return false;
	r->rdi = (uint64_t)sig;
	r->rsi = at.frame + offsetof(struct cok_rt_sigframe, info);
	r->rdx = at.frame + offsetof(struct cok_rt_sigframe, uc);
	r->rax = 0;
	r->rsp = at.frame;
	r->rip = act->handler;
	r->rflags &= ~(COK_RFLAGS_DF | COK_RFLAGS_RF | COK_RFLAGS_TF);
	ckpt_reset_fpu();		/* a handler starts with a clean FPU */
	return true;
}

/* The end of the process by sig's default action (or a bad frame). */
static __noreturn void terminate(struct cok_kcore *core,
				 const struct cok_regs *r, int sig)
{
	app_kill_signal(core, r, (uint32_t)sig);
}

/*
 * The handler of sig runs next: its frame, then the mask it runs with
 * (under sig_lock: senders read it).
 */
static void run_handler(struct cok_kcore *core, struct cok_regs *r, int sig,
			const struct cok_siginfo *info,
			const struct cok_sigaction *act)
{
	struct cok_thread *t = core->current;
	struct cok_proc *p = t->proc;
	uint64_t mask = t->sig_restore_mask ? t->sig_saved_mask :
			t->sig_blocked;

	if (!setup_frame(t, r, sig, info, act, mask))
		terminate(core, r, COK_SIGSEGV);
	spin_lock(&p->sig_lock);
	t->sig_restore_mask = false;
	t->sig_blocked |= act->mask;
	if (!(act->flags & COK_SA_NODEFER))
		t->sig_blocked |= COK_SIGBIT(sig);
	t->sig_blocked &= ~COK_SIG_UNBLOCKABLE;
	spin_unlock(&p->sig_lock);
}

/* The next signal t takes and its action (reset if SA_RESETHAND). */
static int next_signal(struct cok_thread *t, struct cok_siginfo *info,
		       struct cok_sigaction *act)
{
	struct cok_proc *p = t->proc;
	int sig;

	spin_lock(&p->sig_lock);
	sig = dequeue(t, ~t->sig_blocked, info);
	if (sig) {
		*act = p->action[sig - 1];
		if (act->handler > COK_SIG_IGN &&
		    (act->flags & COK_SA_RESETHAND))
			p->action[sig - 1] = (struct cok_sigaction){ 0 };
	}
	spin_unlock(&p->sig_lock);
	return sig;
}

/*
 * On the way back to ring 3 with r (syscall: from a system call, whose
 * result rax is): every pending signal t takes, lowest first, each
 * handler's frame on top of the last, so the last one set up runs
 * first, as on Linux.  A call that ends with an -ERESTART* result restarts
 * or returns -EINTR by the first handler that runs.
 */
void signal_deliver(struct cok_kcore *core, struct cok_regs *r, bool syscall)
{
	struct cok_thread *t = core->current;
	struct cok_sigaction act;
	struct cok_siginfo info;
	int sig;

	syscall = syscall && t->syscall_restorable;
	while (signal_wanted(t) && (sig = next_signal(t, &info, &act))) {
		if (act.handler == COK_SIG_IGN)
			continue;
		if (act.handler == COK_SIG_DFL) {
			enum cok_sig_default d = cok_sig_default(sig);

			if (d == COK_SIGDFL_TERM || d == COK_SIGDFL_CORE)
				terminate(core, r, sig);
			continue;	/* ignore; stop and cont: Linux's side */
		}
		if (syscall)
			restart_or_eintr(t, r, &act);
		syscall = false;
		run_handler(core, r, sig, &info, &act);
	}
	if (syscall)
		restart_or_eintr(t, r, NULL);
	/* Nothing more of the process's for it (a sender kicks again). */
	if (!(cok_read_once(&t->proc->sig_shared.set) & ~t->sig_blocked))
		cok_write_once(&t->sig_look, false);
	if (t->sig_restore_mask) {	/* sigsuspend without a handler */
		spin_lock(&t->proc->sig_lock);
		t->sig_blocked = t->sig_saved_mask;
		t->sig_restore_mask = false;
		spin_unlock(&t->proc->sig_lock);
	}
}

/*
 * A fault in ring 3 (trap.c) with signal sig: to the app's handler when
 * it has one and does not block sig; false otherwise, and the caller
 * ends the app as Linux's force_sig_fault() would.
 */
bool signal_fault(struct cok_kcore *core, struct cok_regs *r, int sig,
		  int code, uint64_t addr)
{
	struct cok_thread *t = core->current;
	struct cok_proc *p = t->proc;
	struct cok_siginfo info = { .signo = sig, .code = code };
	struct cok_sigaction act;

	info.u.addr = addr;
	spin_lock(&p->sig_lock);
	act = p->action[sig - 1];
	if (act.handler <= COK_SIG_IGN || (t->sig_blocked & COK_SIGBIT(sig))) {
		spin_unlock(&p->sig_lock);
		return false;
	}
	if (act.flags & COK_SA_RESETHAND)
		p->action[sig - 1] = (struct cok_sigaction){ 0 };
	spin_unlock(&p->sig_lock);
	run_handler(core, r, sig, &info, &act);
	return true;
}

/*
 * Images do not hold signal and timer state yet (image version 3
 * will): an app with a handler, a mask, an alternate stack, a pending
 * signal or a timer is not dumped, rather than restored without them.
 */
bool signal_dumpable(const struct cok_proc *p, const char **why)
{
	struct cok_thread *all[COK_MAX_THREADS];
	uint32_t i, n;

	for (i = 0; i < COK_NSIG; i++)
		if (p->action[i].handler) {
			*why = "has signal handlers, which images do not hold yet";
			return false;
		}
	for (i = 0; i < ARRAY_SIZE(p->itimer); i++)
		if (p->itimer[i].armed) {
			*why = "has an armed interval timer (alarm, setitimer), which images do not hold yet";
			return false;
		}
	for (i = 0; p->ptimer && i < COK_MAX_PTIMERS; i++)
		if (p->ptimer[i].used) {
			*why = "has POSIX timers (timer_create), which images do not hold yet";
			return false;
		}
	if (p->sig_shared.set) {
		*why = "has pending signals, which images do not hold yet";
		return false;
	}
	n = proc_threads((struct cok_proc *)p, all, COK_MAX_THREADS);
	for (i = 0; i < n; i++)
		if (all[i]->sig_pending.set || all[i]->sig_blocked ||
		    all[i]->altstack.ss_size) {
			*why = "has a signal mask, pending signals or an alternate signal stack, which images do not hold yet";
			return false;
		}
	return true;
}
