// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of cokernel/sigframe.h, Linux's x86-64 signal ABI as the
 * co-kernel lays it out (signal.c): the frame's layout against the
 * offsets of arch/x86/include/uapi/asm/sigcontext.h and ucontext.h,
 * where get_sigframe() puts a frame (red zone, alternate stack, nesting
 * on it, overflow, alignment), the register copies in and out of a
 * sigcontext (rt_sigreturn keeps ring 3 to the flags a user may set and
 * to user addresses), the alternate stack's flags, the lowest pending
 * signal first and the default actions.  The header is the one signal.c
 * compiles, with a stand-in for struct cok_regs.
 */
#include <kunit/test.h>
#include <linux/kernel.h>
#include <linux/stddef.h>
#include <linux/string.h>

struct cok_regs {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

#include "../../cokernel/sigframe.h"

#define FP_SIZE		(832 + 4)	/* an XSAVE image with AVX, MAGIC2 */
#define USER_TOP	0x00007ffffffff000ULL

/* The offsets a handler (glibc's ucontext_t, gdb, libunwind) reads. */
static void frame_layout(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, offsetof(struct cok_rt_sigframe, uc), 8UL);
	KUNIT_EXPECT_EQ(test, offsetof(struct cok_rt_sigframe, info), 312UL);
	KUNIT_EXPECT_EQ(test, offsetof(struct cok_ucontext, uc_stack), 16UL);
	KUNIT_EXPECT_EQ(test, offsetof(struct cok_ucontext, uc_mcontext), 40UL);
	KUNIT_EXPECT_EQ(test, offsetof(struct cok_ucontext, uc_sigmask), 296UL);
	KUNIT_EXPECT_EQ(test, offsetof(struct cok_stack, ss_flags), 8UL);
	KUNIT_EXPECT_EQ(test, offsetof(struct cok_stack, ss_size), 16UL);
	KUNIT_EXPECT_EQ(test, offsetof(struct cok_sigcontext, rdi), 64UL);
	KUNIT_EXPECT_EQ(test, offsetof(struct cok_sigcontext, rsp), 120UL);
	KUNIT_EXPECT_EQ(test, offsetof(struct cok_sigcontext, rip), 128UL);
	KUNIT_EXPECT_EQ(test, offsetof(struct cok_sigcontext, eflags), 136UL);
	KUNIT_EXPECT_EQ(test, offsetof(struct cok_sigcontext, cs), 144UL);
	KUNIT_EXPECT_EQ(test, offsetof(struct cok_sigcontext, ss), 150UL);
	KUNIT_EXPECT_EQ(test, offsetof(struct cok_sigcontext, err), 152UL);
	KUNIT_EXPECT_EQ(test, offsetof(struct cok_sigcontext, trapno), 160UL);
	KUNIT_EXPECT_EQ(test, offsetof(struct cok_sigcontext, oldmask), 168UL);
	KUNIT_EXPECT_EQ(test, offsetof(struct cok_sigcontext, cr2), 176UL);
	KUNIT_EXPECT_EQ(test, offsetof(struct cok_sigcontext, fpstate), 184UL);
	KUNIT_EXPECT_EQ(test, sizeof(struct cok_sigcontext), 256UL);
	KUNIT_EXPECT_EQ(test, offsetof(struct cok_siginfo, u), 16UL);
	KUNIT_EXPECT_EQ(test, offsetof(struct cok_siginfo, u.kill.uid), 20UL);
	KUNIT_EXPECT_EQ(test, offsetof(struct cok_siginfo, u.kill.value), 24UL);
	KUNIT_EXPECT_EQ(test, COK_FP_SW_BYTES_OFFSET +
			sizeof(struct cok_fpx_sw_bytes), 512UL);
}

/* The frame's invariants: aligned as after a call, below fpstate. */
static void expect_frame(struct kunit *test, const struct cok_sigframe_at *at,
			 uint64_t top)
{
	KUNIT_EXPECT_EQ(test, at->fpstate % 64, 0ULL);
	KUNIT_EXPECT_LE(test, at->fpstate + FP_SIZE, top);
	KUNIT_EXPECT_EQ(test, (at->frame + 8) % 16, 0ULL);
	KUNIT_EXPECT_LE(test, at->frame + sizeof(struct cok_rt_sigframe),
			at->fpstate);
	KUNIT_EXPECT_GT(test, at->frame + sizeof(struct cok_rt_sigframe) + 16,
			at->fpstate - 64);
}

static void place_on_stack(struct kunit *test)
{
	struct cok_stack none = { 0 };
	struct cok_sigframe_at at;
	uint64_t sp = 0x7ffffff0e123ULL;

	KUNIT_EXPECT_TRUE(test, cok_sigframe_place(sp, false, &none, FP_SIZE,
						   &at));
	expect_frame(test, &at, sp - 128);		/* the red zone */
	/* SA_ONSTACK with no alternate stack: the same place. */
	KUNIT_EXPECT_TRUE(test, cok_sigframe_place(sp, true, &none, FP_SIZE,
						   &at));
	expect_frame(test, &at, sp - 128);
}

static void place_on_altstack(struct kunit *test)
{
	struct cok_stack ss = { .ss_sp = 0x500000, .ss_size = 65536 };
	uint64_t top = ss.ss_sp + ss.ss_size;
	struct cok_sigframe_at at, nested;

	KUNIT_EXPECT_TRUE(test, cok_sigframe_place(0x7fff0000ULL, true, &ss,
						   FP_SIZE, &at));
	expect_frame(test, &at, top);
	KUNIT_EXPECT_GT(test, at.frame, ss.ss_sp);
	KUNIT_EXPECT_GT(test, at.fpstate, top - FP_SIZE - 64);
	/* Without SA_ONSTACK the thread's own stack. */
	KUNIT_EXPECT_TRUE(test, cok_sigframe_place(0x7fff0000ULL, false, &ss,
						   FP_SIZE, &nested));
	KUNIT_EXPECT_GT(test, nested.frame, top);
	/* A second signal in the handler: below the first frame. */
	KUNIT_EXPECT_TRUE(test, cok_sigframe_place(at.frame, true, &ss,
						   FP_SIZE, &nested));
	expect_frame(test, &nested, at.frame - 128);
	/* Nesting until it no longer fits: refused, not overflowed. */
	KUNIT_EXPECT_FALSE(test, cok_sigframe_place(ss.ss_sp + 1000, true, &ss,
						    FP_SIZE, &nested));
}

static void altstack_flags(struct kunit *test)
{
	struct cok_stack ss = { .ss_sp = 0x500000, .ss_size = 8192 };
	struct cok_stack none = { 0 };

	KUNIT_EXPECT_EQ(test, cok_altstack_flags(&none, 0x500100), COK_SS_DISABLE);
	KUNIT_EXPECT_EQ(test, cok_altstack_flags(&ss, 0x500100), COK_SS_ONSTACK);
	/* Linux's on_sig_stack(): (ss_sp, ss_sp + size], the top included. */
	KUNIT_EXPECT_EQ(test, cok_altstack_flags(&ss, 0x500000 + 8192),
			COK_SS_ONSTACK);
	KUNIT_EXPECT_EQ(test, cok_altstack_flags(&ss, 0x500000), 0);
	KUNIT_EXPECT_EQ(test, cok_altstack_flags(&ss, 0x7fff0000), 0);
}

static void context_round_trip(struct kunit *test)
{
	struct cok_regs r, back;
	struct cok_sigcontext sc;
	uint64_t *w = (uint64_t *)&r;
	unsigned int i;

	for (i = 0; i < sizeof(r) / 8; i++)
		w[i] = 0x1111111111111111ULL * (i + 1);
	r.rip = 0x401000;
	r.rsp = 0x7ffffff0e000ULL;
	r.cs = 0x2b;
	r.ss = 0x23;
	r.rflags = 0x246;
	memset(&sc, 0, sizeof(sc));
	cok_sigcontext_save(&sc, &r);
	KUNIT_EXPECT_EQ(test, sc.rip, r.rip);
	KUNIT_EXPECT_EQ(test, sc.rax, r.rax);
	KUNIT_EXPECT_EQ(test, sc.r15, r.r15);
	KUNIT_EXPECT_EQ(test, sc.eflags, 0x246ULL);
	KUNIT_EXPECT_EQ(test, sc.cs, 0x2b);
	/* A handler sets every flag: only the user's come back; IF stays. */
	memset(&back, 0, sizeof(back));
	back.rflags = 0x202;
	back.cs = 0x2b;
	sc.eflags = ~0ULL;
	KUNIT_EXPECT_TRUE(test, cok_sigcontext_restore(&back, &sc, USER_TOP));
	KUNIT_EXPECT_EQ(test, back.rflags, 0x202ULL | COK_RFLAGS_USER);
	KUNIT_EXPECT_EQ(test, back.rip, r.rip);
	KUNIT_EXPECT_EQ(test, back.rcx, r.rcx);
	KUNIT_EXPECT_EQ(test, back.r8, r.r8);
	KUNIT_EXPECT_EQ(test, back.cs, 0x2bULL);	/* kept, not taken */
	/* rip or rsp outside user space never reaches IRETQ. */
	sc.rip = 0xffff800000000000ULL;
	KUNIT_EXPECT_FALSE(test, cok_sigcontext_restore(&back, &sc, USER_TOP));
	sc.rip = 0x401000;
	sc.rsp = USER_TOP;
	KUNIT_EXPECT_FALSE(test, cok_sigcontext_restore(&back, &sc, USER_TOP));
}

static void lowest_first_and_defaults(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, cok_sig_first(0), 0);
	KUNIT_EXPECT_EQ(test, cok_sig_first(COK_SIGBIT(12) | COK_SIGBIT(10)), 10);
	KUNIT_EXPECT_EQ(test, cok_sig_first(COK_SIGBIT(64)), 64);
	KUNIT_EXPECT_EQ(test, cok_sig_default(COK_SIGTERM), COK_SIGDFL_TERM);
	KUNIT_EXPECT_EQ(test, cok_sig_default(COK_SIGUSR1), COK_SIGDFL_TERM);
	KUNIT_EXPECT_EQ(test, cok_sig_default(COK_SIGRTMIN + 3), COK_SIGDFL_TERM);
	KUNIT_EXPECT_EQ(test, cok_sig_default(COK_SIGSEGV), COK_SIGDFL_CORE);
	KUNIT_EXPECT_EQ(test, cok_sig_default(COK_SIGABRT), COK_SIGDFL_CORE);
	KUNIT_EXPECT_EQ(test, cok_sig_default(COK_SIGCHLD), COK_SIGDFL_IGNORE);
	KUNIT_EXPECT_EQ(test, cok_sig_default(COK_SIGWINCH), COK_SIGDFL_IGNORE);
	KUNIT_EXPECT_EQ(test, cok_sig_default(COK_SIGTSTP), COK_SIGDFL_STOP);
	KUNIT_EXPECT_EQ(test, cok_sig_default(COK_SIGCONT), COK_SIGDFL_CONT);
}

static struct kunit_case cok_sigframe_cases[] = {
	KUNIT_CASE(frame_layout),
	KUNIT_CASE(place_on_stack),
	KUNIT_CASE(place_on_altstack),
	KUNIT_CASE(altstack_flags),
	KUNIT_CASE(context_round_trip),
	KUNIT_CASE(lowest_first_and_defaults),
	{}
};

static struct kunit_suite cok_sigframe_suite = {
	.name = "cok_sigframe",
	.test_cases = cok_sigframe_cases,
};

kunit_test_suite(cok_sigframe_suite);
