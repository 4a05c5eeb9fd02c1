// SPDX-License-Identifier: GPL-2.0
/*
 * The system calls of signals (the model: signal.c): actions, masks,
 * the alternate stack, sigreturn, waiting for signals and sending them
 * inside the process.  Argument checks and errors are Linux's
 * (kernel/signal.c, arch/x86/kernel/signal.c).  The app is alone in its
 * pid space: its own pid (or 0, or its group) is the only process it
 * can signal; any other is ESRCH.
 */
#include "cokernel.h"
#include "restore_check.h"

#define SIG_BLOCK		0
#define SIG_UNBLOCK		1
#define SIG_SETMASK		2
#define SIGSET_SIZE		8	/* the kernel's sigset_t */
#define SA_EXPOSE_TAGBITS	0x00000800ULL
/* The sa_flags Linux keeps (UAPI_SA_FLAGS): others read back as 0. */
#define SA_KEPT			(COK_SA_KNOWN | SA_EXPOSE_TAGBITS)

static struct cok_proc *me(struct cok_kcore *core)
{
	return core->current->proc;
}

/* rt_sigaction(sig, act, oact, sigsetsize) */
int64_t sys_rt_sigaction(struct cok_kcore *core, struct cok_regs *r)
{
	struct cok_proc *p = me(core);
	int64_t sig = (int32_t)r->rdi;
	struct cok_sigaction new, old;

	if (r->r10 != SIGSET_SIZE || !cok_valid_signal(sig))
		return -EINVAL;
	if (r->rsi && (sig == COK_SIGKILL || sig == COK_SIGSTOP))
		return -EINVAL;
	if (r->rsi && as_read(&p->as, &new, r->rsi, sizeof(new)))
		return -EFAULT;
	new.flags &= SA_KEPT;
	new.mask &= ~COK_SIG_UNBLOCKABLE;
	spin_lock(&p->sig_lock);
	old = p->action[sig - 1];
	if (r->rsi) {
		p->action[sig - 1] = new;
		/* Now ignored: pending ones go (POSIX, as Linux does). */
		if (new.handler == COK_SIG_IGN ||
		    (new.handler == COK_SIG_DFL &&
		     cok_sig_default(sig) == COK_SIGDFL_IGNORE))
			signal_discard(p, (int)sig);
	}
	spin_unlock(&p->sig_lock);
	if (r->rdx && as_put(&p->as, r->rdx, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

/* rt_sigprocmask(how, set, oset, sigsetsize) */
int64_t sys_rt_sigprocmask(struct cok_kcore *core, struct cok_regs *r)
{
	struct cok_thread *t = core->current;
	struct cok_proc *p = t->proc;
	uint64_t set, old = t->sig_blocked, mask;

	if (r->r10 != SIGSET_SIZE)
		return -EINVAL;
	if (r->rsi) {
		if (as_read(&p->as, &set, r->rsi, sizeof(set)))
			return -EFAULT;
		switch (r->rdi) {
		case SIG_BLOCK:
			mask = old | set;
			break;
		case SIG_UNBLOCK:
			mask = old & ~set;
			break;
		case SIG_SETMASK:
			mask = set;
			break;
		default:
			return -EINVAL;
		}
		spin_lock(&p->sig_lock);
		cok_write_once(&t->sig_blocked, mask & ~COK_SIG_UNBLOCKABLE);
		t->sig_look = true;	/* recalc_sigpending() */
		spin_unlock(&p->sig_lock);
	}
	if (r->rdx && as_put(&p->as, r->rdx, &old, sizeof(old)))
		return -EFAULT;
	return 0;	/* newly unblocked ones come on the way out */
}

/* rt_sigpending(set, sigsetsize): pending and blocked. */
int64_t sys_rt_sigpending(struct cok_kcore *core, struct cok_regs *r)
{
	struct cok_thread *t = core->current;
	struct cok_proc *p = t->proc;
	uint64_t set;

	if (r->rsi > SIGSET_SIZE)
		return -EINVAL;
	spin_lock(&p->sig_lock);
	set = (t->sig_pending.set | p->sig_shared.set) & t->sig_blocked;
	spin_unlock(&p->sig_lock);
	return as_put(&p->as, r->rdi, &set, r->rsi) ? -EFAULT : 0;
}

/* sigaltstack(ss, old_ss) */
int64_t sys_sigaltstack(struct cok_kcore *core, struct cok_regs *r)
{
	struct cok_thread *t = core->current;
	struct cok_stack ss, old = t->altstack;
	uint32_t mode;

	old.ss_flags = cok_altstack_flags(&t->altstack, r->rsp);
	if (!old.ss_size)
		old.ss_sp = 0;
	if (r->rdi) {
		if (as_read(&t->proc->as, &ss, r->rdi, sizeof(ss)))
			return -EFAULT;
		if (old.ss_flags == COK_SS_ONSTACK)
			return -EPERM;
		mode = (uint32_t)ss.ss_flags & ~COK_SS_AUTODISARM;
		if (mode != COK_SS_DISABLE && mode != COK_SS_ONSTACK &&
		    mode != 0)
			return -EINVAL;
		if (mode == COK_SS_DISABLE) {
			ss.ss_size = 0;
			ss.ss_sp = 0;
		} else if (ss.ss_size < COK_MINSIGSTKSZ) {
			return -ENOMEM;
		}
		ss.ss_flags = 0;
		ss.pad = 0;
		t->altstack = ss;
	}
	if (r->rsi && as_put(&t->proc->as, r->rsi, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

/*
 * The FPU state a handler's frame pointed at, into t->xstate: the
 * XSAVE image its software bytes describe when they match this core's
 * format, else the FXSAVE part alone; checked as a restore's state is,
 * so that XRSTOR cannot fault.
 */
static bool get_fpstate(struct cok_thread *t, uint64_t fp)
{
	struct cok_aspace *as = &t->proc->as;
	struct cok_fpx_sw_bytes sw;
	uint32_t magic2 = 0;

	if (!fp) {
		ckpt_reset_fpu();
		return true;
	}
	if (fp & 63 || as_read(as, t->xstate, fp, COK_FXSAVE_SIZE))
		return false;
	memcpy(&sw, t->xstate + COK_FP_SW_BYTES_OFFSET, sizeof(sw));
	t->xstate_xcr0 = 0;
	t->xstate_size = COK_FXSAVE_SIZE;
	if (cok_xcr0 && sw.magic1 == COK_FP_XSTATE_MAGIC1 &&
	    sw.xstate_size == cok_xsave_size &&
	    sw.extended_size == cok_xsave_size + 4 &&
	    !as_read(as, &magic2, fp + cok_xsave_size, sizeof(magic2)) &&
	    magic2 == COK_FP_XSTATE_MAGIC2) {
		if (as_read(as, t->xstate, fp, cok_xsave_size))
			return false;
		t->xstate_xcr0 = cok_xcr0;
		t->xstate_size = cok_xsave_size;
	}
	if (cok_check_xsave(t->xstate, t->xstate_xcr0, t->xstate_size,
			    cok_xcr0))
		return false;
	ckpt_load_fpu(t);
	return true;
}

/*
 * rt_sigreturn(): the handler returned through sa_restorer, which popped
 * the frame's return address: the context is at rsp - 8 + 8.  A frame
 * that cannot be read or would not run ends the app with SIGSEGV, as
 * Linux's force_sig(SIGSEGV).
 */
int64_t sys_rt_sigreturn(struct cok_kcore *core, struct cok_regs *r)
{
	struct cok_thread *t = core->current;
	struct cok_proc *p = t->proc;
	uint64_t uc_at = r->rsp - 8 + offsetof(struct cok_rt_sigframe, uc);
	struct cok_ucontext uc;

	if (as_read(&p->as, &uc, uc_at, sizeof(uc)) ||
	    !cok_sigcontext_restore(r, &uc.uc_mcontext, COK_USER_END) ||
	    !get_fpstate(t, uc.uc_mcontext.fpstate))
		app_kill_signal(core, r, COK_SIGSEGV);
	spin_lock(&p->sig_lock);
	cok_write_once(&t->sig_blocked, uc.uc_sigmask & ~COK_SIG_UNBLOCKABLE);
	t->sig_look = true;
	spin_unlock(&p->sig_lock);
	/* The alternate stack as the frame says, if it is a valid one. */
	if (!(uc.uc_stack.ss_flags & COK_SS_DISABLE) &&
	    uc.uc_stack.ss_size >= COK_MINSIGSTKSZ)
		t->altstack = (struct cok_stack){ .ss_sp = uc.uc_stack.ss_sp,
						  .ss_size = uc.uc_stack.ss_size };
	t->syscall_restorable = false;	/* rax is the context's own */
	return (int64_t)r->rax;
}

/*
 * Sleep until a signal t takes is pending, or the TSC deadline (0:
 * none).  -ERESTARTNOHAND when a signal came, 0 at the deadline.
 */
static int64_t wait_for_signal(struct cok_kcore *core, uint64_t deadline)
{
	struct cok_thread *t = core->current;

	while (!signal_wanted(t)) {
		if (deadline && rdtsc() >= deadline)
			return 0;
		if (futex_sleep(core, deadline) == 0 && deadline)
			return 0;
		core = t->core;
	}
	return -ERESTARTNOHAND;
}

/* rt_sigsuspend(mask, sigsetsize) */
int64_t sys_rt_sigsuspend(struct cok_kcore *core, struct cok_regs *r)
{
	struct cok_thread *t = core->current;
	struct cok_proc *p = t->proc;
	uint64_t mask;

	if (r->rsi != SIGSET_SIZE)
		return -EINVAL;
	if (as_read(&p->as, &mask, r->rdi, sizeof(mask)))
		return -EFAULT;
	spin_lock(&p->sig_lock);
	t->sig_saved_mask = t->sig_blocked;
	t->sig_restore_mask = true;
	cok_write_once(&t->sig_blocked, mask & ~COK_SIG_UNBLOCKABLE);
	t->sig_look = true;
	spin_unlock(&p->sig_lock);
	return wait_for_signal(core, 0);
}

int64_t sys_pause(struct cok_kcore *core, struct cok_regs *r)
{
	return wait_for_signal(core, 0);
}

/* The relative timeout at uts (0: none) as a TSC deadline in *dl. */
static int64_t timeout_tsc(struct cok_proc *p, uint64_t uts, uint64_t *dl)
{
	uint64_t ns;
	int64_t err;

	*dl = 0;
	if (!uts)
		return 0;
	err = user_timespec_ns(p, uts, &ns);
	if (!err)
		*dl = rdtsc() + sched_ns_to_tsc(p, ns) + 1;
	return err;
}

/* The signals of set wake t while it waits for them: unblocked. */
static void set_blocked(struct cok_thread *t, uint64_t mask)
{
	spin_lock(&t->proc->sig_lock);
	cok_write_once(&t->sig_blocked, mask);
	t->sig_look = true;
	spin_unlock(&t->proc->sig_lock);
}

/* rt_sigtimedwait(set, info, timeout, sigsetsize) */
int64_t sys_rt_sigtimedwait(struct cok_kcore *core, struct cok_regs *r)
{
	struct cok_thread *t = core->current;
	struct cok_proc *p = t->proc;
	struct cok_siginfo info;
	uint64_t set, dl, saved = t->sig_blocked;
	int64_t err;
	int sig;

	if (r->r10 != SIGSET_SIZE)
		return -EINVAL;
	if (as_read(&p->as, &set, r->rdi, sizeof(set)))
		return -EFAULT;
	set &= ~COK_SIG_UNBLOCKABLE;
	err = timeout_tsc(p, r->rdx, &dl);
	if (err)
		return err;
	sig = signal_take(t, set, &info);
	if (!sig && (!r->rdx || dl > rdtsc() + 1)) {
		set_blocked(t, saved & ~set);
		err = wait_for_signal(core, r->rdx ? dl : 0);
		set_blocked(t, saved);
		sig = signal_take(t, set, &info);
		if (!sig)
			return err ? -EINTR : -EAGAIN;
	}
	if (!sig)
		return -EAGAIN;
	if (r->rsi && as_put(&p->as, r->rsi, &info, sizeof(info)))
		return -EFAULT;
	return sig;
}

/* The siginfo of kill(), tgkill() and tkill(): who sent it. */
static struct cok_siginfo user_info(struct cok_proc *p, int sig, int code)
{
	struct cok_siginfo info = { .signo = sig, .code = code };

	info.u.kill.pid = (int32_t)p->pid;
	info.u.kill.uid = p->uid;
	return info;
}

/* kill(pid, sig) */
int64_t sys_kill(struct cok_kcore *core, struct cok_regs *r)
{
	struct cok_proc *p = me(core);
	int32_t pid = (int32_t)r->rdi;
	int64_t sig = (int32_t)r->rsi;
	struct cok_siginfo info;

	if (sig && !cok_valid_signal(sig))
		return -EINVAL;
	if (pid != 0 && pid != (int32_t)p->pid && pid != -(int32_t)p->pid)
		return -ESRCH;
	if (!sig)
		return 0;
	info = user_info(p, (int)sig, COK_SI_USER);
	return signal_send(core, p, NULL, &info);
}

/*
 * Thread tid of the thread group tgid (0: any, tkill), which must be
 * ours: a tid of no thread here is ESRCH, even one Linux knows.
 */
static int64_t send_to_thread(struct cok_kcore *core, int32_t tgid,
			      int32_t tid, int64_t sig,
			      const struct cok_siginfo *given)
{
	struct cok_proc *p = me(core);
	struct cok_thread *t;
	struct cok_siginfo info;

	if (tid <= 0 || tgid < 0)
		return -EINVAL;
	t = proc_find_thread(p, (uint32_t)tid);
	if ((tgid && (uint32_t)tgid != p->pid) || !t)
		return -ESRCH;
	if (sig && !cok_valid_signal(sig))	/* check_kill_permission() */
		return -EINVAL;
	if (!sig)
		return 0;
	info = given ? *given : user_info(p, (int)sig, COK_SI_TKILL);
	info.signo = (int32_t)sig;
	return signal_send(core, p, t, &info);
}

/* tgkill(tgid, tid, sig) */
int64_t sys_tgkill(struct cok_kcore *core, struct cok_regs *r)
{
	if ((int32_t)r->rdi <= 0)
		return -EINVAL;
	return send_to_thread(core, (int32_t)r->rdi, (int32_t)r->rsi,
			      (int32_t)r->rdx, NULL);
}

/* tkill(tid, sig) */
int64_t sys_tkill(struct cok_kcore *core, struct cok_regs *r)
{
	return send_to_thread(core, 0, (int32_t)r->rdi, (int32_t)r->rsi,
			      NULL);
}

/*
 * The siginfo a sigqueue caller gives: to itself it may say anything;
 * Linux refuses a positive si_code or SI_TKILL from one process to
 * another, which cannot happen here.
 */
static int64_t queued_info(struct cok_proc *p, uint64_t uinfo, int64_t sig,
			   struct cok_siginfo *info)
{
	if (!cok_valid_signal(sig))
		return -EINVAL;
	if (as_read(&p->as, info, uinfo, sizeof(*info)))
		return -EFAULT;
	info->signo = (int32_t)sig;
	return 0;
}

/* rt_sigqueueinfo(tgid, sig, uinfo) */
int64_t sys_rt_sigqueueinfo(struct cok_kcore *core, struct cok_regs *r)
{
	struct cok_proc *p = me(core);
	struct cok_siginfo info;
	int64_t err = queued_info(p, r->rdx, (int32_t)r->rsi, &info);

	if (err)
		return err;
	if ((int32_t)r->rdi != (int32_t)p->pid)
		return -ESRCH;
	return signal_send(core, p, NULL, &info);
}

/* rt_tgsigqueueinfo(tgid, tid, sig, uinfo) */
int64_t sys_rt_tgsigqueueinfo(struct cok_kcore *core, struct cok_regs *r)
{
	struct cok_siginfo info;
	int64_t err = queued_info(me(core), r->r10, (int32_t)r->rdx, &info);

	if (err)
		return err;
	if ((int32_t)r->rdi <= 0)
		return -EINVAL;
	return send_to_thread(core, (int32_t)r->rdi, (int32_t)r->rsi,
			      (int32_t)r->rdx, &info);
}
