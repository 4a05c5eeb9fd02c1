/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Linux's signal ABI on x86-64, as a handler sees it: the numbers and
 * flags (uapi/asm-generic/signal.h, siginfo.h), the frame a handler
 * runs on (arch/x86/include/uapi/asm/sigcontext.h and ucontext.h, the
 * rt_sigframe of arch/x86/include/asm/sigframe.h) and where it goes on
 * the stack (get_sigframe() of arch/x86/kernel/signal.c).  Pure code: no
 * lock, no memory, no hardware, so the KUnit tests
 * (tests/kunit/sigframe_kunit.c) compile what the co-kernel runs
 * (signal.c).  The register copies work on struct cok_regs, which the
 * includer defines first (cokernel.h; a stand-in in the tests).
 */
#ifndef COKERNEL_SIGFRAME_H
#define COKERNEL_SIGFRAME_H

#include "../xemem/cok_types.h"

#define COK_NSIG		64	/* signals are 1 to 64 */
#define COK_SIGHUP		1
#define COK_SIGINT		2
#define COK_SIGQUIT		3
#define COK_SIGILL		4
#define COK_SIGTRAP		5
#define COK_SIGABRT		6
#define COK_SIGBUS		7
#define COK_SIGFPE		8
#define COK_SIGKILL		9
#define COK_SIGUSR1		10
#define COK_SIGSEGV		11
#define COK_SIGUSR2		12
#define COK_SIGPIPE		13
#define COK_SIGALRM		14
#define COK_SIGTERM		15
#define COK_SIGCHLD		17
#define COK_SIGCONT		18
#define COK_SIGSTOP		19
#define COK_SIGTSTP		20
#define COK_SIGTTIN		21
#define COK_SIGTTOU		22
#define COK_SIGURG		23
#define COK_SIGVTALRM		26
#define COK_SIGPROF		27
#define COK_SIGWINCH		28
#define COK_SIGRTMIN		32

/* Linux's valid_signal(): 1 to 64. */
static inline bool cok_valid_signal(int64_t sig)
{
	return sig >= 1 && sig <= COK_NSIG;
}

/* A signal's bit in a 64-bit set (the kernel's sigset_t). */
#define COK_SIGBIT(sig)		(1ULL << ((sig) - 1))
/* What no mask blocks and no handler catches. */
#define COK_SIG_UNBLOCKABLE	(COK_SIGBIT(COK_SIGKILL) | \
				 COK_SIGBIT(COK_SIGSTOP))

/* sa_handler's special values and sa_flags. */
#define COK_SIG_DFL		0
#define COK_SIG_IGN		1
#define COK_SA_SIGINFO		0x00000004ULL
#define COK_SA_ONSTACK		0x08000000ULL
#define COK_SA_RESTART		0x10000000ULL
#define COK_SA_NODEFER		0x40000000ULL
#define COK_SA_RESETHAND	0x80000000ULL
#define COK_SA_RESTORER		0x04000000ULL
#define COK_SA_NOCLDSTOP	0x00000001ULL
#define COK_SA_NOCLDWAIT	0x00000002ULL
/* What rt_sigaction keeps (Linux keeps every bit; these are defined). */
#define COK_SA_KNOWN		(COK_SA_SIGINFO | COK_SA_ONSTACK | \
				 COK_SA_RESTART | COK_SA_NODEFER | \
				 COK_SA_RESETHAND | COK_SA_RESTORER | \
				 COK_SA_NOCLDSTOP | COK_SA_NOCLDWAIT)

/* sigaltstack's ss_flags. */
#define COK_SS_ONSTACK		1
#define COK_SS_DISABLE		2
#define COK_SS_AUTODISARM	(1U << 31)
#define COK_MINSIGSTKSZ		2048

/* si_code values. */
#define COK_SI_USER		0
#define COK_SI_KERNEL		0x80
#define COK_SI_QUEUE		(-1)
#define COK_SI_TIMER		(-2)
#define COK_SI_TKILL		(-6)
#define COK_SEGV_MAPERR		1
#define COK_SEGV_ACCERR		2
#define COK_ILL_ILLOPN		2
#define COK_FPE_INTDIV		1
#define COK_BUS_ADRALN		1
#define COK_TRAP_BRKPT		1

/* struct sigaction as rt_sigaction() passes it (kernel_sigaction). */
struct cok_sigaction {
	uint64_t handler;
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};

/* siginfo_t: 128 bytes; the union's members are those we fill. */
struct cok_siginfo {
	int32_t signo;
	int32_t err;
	int32_t code;
	int32_t pad;
	union {
		struct {		/* kill, tgkill, sigqueue */
			int32_t pid;
			uint32_t uid;
			uint64_t value;
		} kill;
		struct {		/* POSIX timers */
			int32_t tid;
			int32_t overrun;
			uint64_t value;
		} timer;
		uint64_t addr;		/* SIGSEGV, SIGBUS, SIGILL, SIGFPE */
		uint8_t raw[112];
	} u;
};

/* stack_t */
struct cok_stack {
	uint64_t ss_sp;
	int32_t ss_flags;
	int32_t pad;
	uint64_t ss_size;
};

/* struct sigcontext (64-bit) */
struct cok_sigcontext {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp;
	uint64_t rip, eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate;		/* user address of the FPU state, or 0 */
	uint64_t reserved1[8];
};

/* The kernel's struct ucontext: uc_sigmask is one 64-bit word. */
struct cok_ucontext {
	uint64_t uc_flags;
	uint64_t uc_link;
	struct cok_stack uc_stack;
	struct cok_sigcontext uc_mcontext;
	uint64_t uc_sigmask;
};

#define COK_UC_FP_XSTATE		0x1
#define COK_UC_SIGCONTEXT_SS		0x2
#define COK_UC_STRICT_RESTORE_SS	0x4

/*
 * What the handler finds at its rsp: the return address (sa_restorer,
 * which calls rt_sigreturn), then the context, then the siginfo; the
 * FPU state lies above, 64-byte aligned, at uc_mcontext.fpstate.
 */
struct cok_rt_sigframe {
	uint64_t pretcode;
	struct cok_ucontext uc;
	struct cok_siginfo info;
};

_Static_assert(sizeof(struct cok_siginfo) == 128, "siginfo_t");
_Static_assert(sizeof(struct cok_sigcontext) == 256, "struct sigcontext");
_Static_assert(sizeof(struct cok_ucontext) == 304, "struct ucontext");
_Static_assert(sizeof(struct cok_rt_sigframe) == 440, "rt_sigframe");

/*
 * The FPU state in a frame: an FXSAVE or XSAVE image whose software
 * bytes (464-511 of the FXSAVE area) say which, and, after an XSAVE
 * image, MAGIC2 (fpu/signal.c's save_sw_bytes()).
 */
#define COK_FP_XSTATE_MAGIC1		0x46505853U
#define COK_FP_XSTATE_MAGIC2		0x46505845U
#define COK_FP_SW_BYTES_OFFSET		464
struct cok_fpx_sw_bytes {
	uint32_t magic1;
	uint32_t extended_size;		/* xstate_size + 4 (MAGIC2) */
	uint64_t xfeatures;		/* XCR0 of the image */
	uint32_t xstate_size;
	uint32_t padding[7];
};

_Static_assert(sizeof(struct cok_fpx_sw_bytes) == 48, "_fpx_sw_bytes");

/* The RFLAGS bits a user may set (FIX_EFLAGS of signal.c). */
#define COK_RFLAGS_CF		(1ULL << 0)
#define COK_RFLAGS_PF		(1ULL << 2)
#define COK_RFLAGS_AF		(1ULL << 4)
#define COK_RFLAGS_ZF		(1ULL << 6)
#define COK_RFLAGS_SF		(1ULL << 7)
#define COK_RFLAGS_TF		(1ULL << 8)
#define COK_RFLAGS_DF		(1ULL << 10)
#define COK_RFLAGS_OF		(1ULL << 11)
#define COK_RFLAGS_RF		(1ULL << 16)
#define COK_RFLAGS_AC		(1ULL << 18)
#define COK_RFLAGS_USER		(COK_RFLAGS_AC | COK_RFLAGS_OF | \
				 COK_RFLAGS_DF | COK_RFLAGS_TF | \
				 COK_RFLAGS_SF | COK_RFLAGS_ZF | \
				 COK_RFLAGS_AF | COK_RFLAGS_PF | \
				 COK_RFLAGS_CF | COK_RFLAGS_RF)

/* On the alternate stack ss (Linux's on_sig_stack()). */
static inline bool cok_on_altstack(const struct cok_stack *ss, uint64_t sp)
{
	return sp > ss->ss_sp && sp - ss->ss_sp <= ss->ss_size;
}

/* The ss_flags sigaltstack() reports for a thread at sp. */
static inline int32_t cok_altstack_flags(const struct cok_stack *ss,
					 uint64_t sp)
{
	if (!ss->ss_size)
		return COK_SS_DISABLE;
	return cok_on_altstack(ss, sp) ? COK_SS_ONSTACK : 0;
}

/* Where a handler's frame and its FPU state go. */
struct cok_sigframe_at {
	uint64_t frame;			/* struct cok_rt_sigframe */
	uint64_t fpstate;		/* fp_size bytes, 64-byte aligned */
};

/*
 * As get_sigframe(): below the red zone of the interrupted sp, or at
 * the top of the alternate stack if the handler asks for it and the
 * thread is not on it already; the FPU state 64-byte aligned, then the
 * frame with its rsp + 8 16-byte aligned (as after a call).  false if
 * a frame on the alternate stack would overflow it.
 */
static inline bool cok_sigframe_place(uint64_t sp, bool onstack,
				      const struct cok_stack *ss,
				      uint32_t fp_size,
				      struct cok_sigframe_at *at)
{
	bool on_alt;

	sp -= 128;				/* the red zone */
	if (onstack && cok_altstack_flags(ss, sp) == 0)
		sp = ss->ss_sp + ss->ss_size;
	on_alt = ss->ss_size && cok_on_altstack(ss, sp);
	sp = (sp - fp_size) & ~63ULL;
	at->fpstate = sp;
	sp -= sizeof(struct cok_rt_sigframe);
	sp = ((sp + 8) & ~15ULL) - 8;
	at->frame = sp;
	return !on_alt || cok_on_altstack(ss, sp);
}

/* The interrupted registers into the handler's context. */
static inline void cok_sigcontext_save(struct cok_sigcontext *sc,
				       const struct cok_regs *r)
{
	sc->r8 = r->r8;
	sc->r9 = r->r9;
	sc->r10 = r->r10;
	sc->r11 = r->r11;
	sc->r12 = r->r12;
	sc->r13 = r->r13;
	sc->r14 = r->r14;
	sc->r15 = r->r15;
	sc->rdi = r->rdi;
	sc->rsi = r->rsi;
	sc->rbp = r->rbp;
	sc->rbx = r->rbx;
	sc->rdx = r->rdx;
	sc->rax = r->rax;
	sc->rcx = r->rcx;
	sc->rsp = r->rsp;
	sc->rip = r->rip;
	sc->eflags = r->rflags;
	sc->cs = (uint16_t)r->cs;
	sc->ss = (uint16_t)r->ss;
	sc->gs = 0;
	sc->fs = 0;
}

/*
 * The context back into r (rt_sigreturn): general registers as they
 * are, the flags a user may set, the segments kept (ring 3's own).
 * false if rip or rsp is not a user address, which IRETQ must not see.
 */
static inline bool cok_sigcontext_restore(struct cok_regs *r,
					  const struct cok_sigcontext *sc,
					  uint64_t user_top)
{
	if (sc->rip >= user_top || sc->rsp >= user_top)
		return false;
	r->r8 = sc->r8;
	r->r9 = sc->r9;
	r->r10 = sc->r10;
	r->r11 = sc->r11;
	r->r12 = sc->r12;
	r->r13 = sc->r13;
	r->r14 = sc->r14;
	r->r15 = sc->r15;
	r->rdi = sc->rdi;
	r->rsi = sc->rsi;
	r->rbp = sc->rbp;
	r->rbx = sc->rbx;
	r->rdx = sc->rdx;
	r->rax = sc->rax;
	r->rcx = sc->rcx;
	r->rsp = sc->rsp;
	r->rip = sc->rip;
	r->rflags = (r->rflags & ~COK_RFLAGS_USER) |
		    (sc->eflags & COK_RFLAGS_USER);
	return true;
}

/* The lowest signal in set (Linux delivers the lowest first), or 0. */
static inline int cok_sig_first(uint64_t set)
{
	return set ? __builtin_ctzll(set) + 1 : 0;
}

enum cok_sig_default {
	COK_SIGDFL_TERM,		/* end the process with 128 + sig */
	COK_SIGDFL_CORE,		/* the same (no core file here) */
	COK_SIGDFL_IGNORE,
	COK_SIGDFL_STOP,
	COK_SIGDFL_CONT,
};

/* What SIG_DFL does with sig (signal(7)). */
static inline enum cok_sig_default cok_sig_default(int sig)
{
	switch (sig) {
	case COK_SIGQUIT: case COK_SIGILL: case COK_SIGTRAP:
	case COK_SIGABRT: case COK_SIGBUS: case COK_SIGFPE:
	case COK_SIGSEGV: case 24 /* SIGXCPU */: case 25 /* SIGXFSZ */:
	case 31 /* SIGSYS */:
		return COK_SIGDFL_CORE;
	case COK_SIGCHLD: case COK_SIGURG: case COK_SIGWINCH:
		return COK_SIGDFL_IGNORE;
	case COK_SIGSTOP: case COK_SIGTSTP: case COK_SIGTTIN:
	case COK_SIGTTOU:
		return COK_SIGDFL_STOP;
	case COK_SIGCONT:
		return COK_SIGDFL_CONT;
	default:
		return COK_SIGDFL_TERM;
	}
}

#endif /* COKERNEL_SIGFRAME_H */
