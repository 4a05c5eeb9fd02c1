/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interrupt and exception entry: one 16-byte stub per vector pushes an
 * error code (0 where the CPU pushes none) and the vector number, then
 * the common path saves every general register into struct cok_regs and
 * calls cok_interrupt(regs).  Also the SYSCALL entry, and cok_switch()
 * from one kernel context (a core's command loop, a thread) to another.
 */
#include "asm.h"

/* struct cok_regs from the stack, lowest address first, then IRETQ. */
.macro POP_REGS_IRETQ
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rbp
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
	addq	$16, %rsp		/* vector and error code */
	iretq
.endm

	.text
	.balign 16
	.globl cok_vector_stubs
cok_vector_stubs:
	.set	vec, 0
	.rept	256
	.balign	16
	/* Vectors 8, 10-14, 17, 21, 29 and 30 push an error code. */
	.if	!(vec == 8 || (vec >= 10 && vec <= 14) || vec == 17 || vec == 21 || vec == 29 || vec == 30)
	pushq	$0
	.endif
	pushq	$vec
	jmp	interrupt_common
	.set	vec, vec + 1
	.endr

/*
 * SYSCALL from ring 3: RCX = user RIP, R11 = user RFLAGS, IF cleared by
 * FMASK, RSP still the user's.  SWAPGS makes GS point at this core's
 * struct cok_syscall_area for as long as it takes to switch to the
 * kernel stack; then the user's GS is back (the co-kernel never uses
 * GS).  The frame built is the one an interrupt from ring 3 leaves, so
 * the common path and IRETQ serve both.
 */
.macro SYSCALL_FRAME cs, vector
	swapgs
	movq	%rsp, %gs:SCA_USER_RSP
	movq	%gs:SCA_KERNEL_RSP, %rsp
	pushq	$(GDT_USER_DS | 3)		/* ss */
	pushq	%gs:SCA_USER_RSP		/* rsp */
	swapgs
	pushq	%r11				/* rflags */
	pushq	$(\cs)				/* cs */
	pushq	%rcx				/* rip */
	pushq	$0				/* error code */
	pushq	$\vector
	jmp	interrupt_common
.endm

	.globl cok_syscall_entry
cok_syscall_entry:
	SYSCALL_FRAME (GDT_USER_CS|3), VECTOR_SYSCALL

/*
 * SYSCALL from compat mode (CSTAR): a 32-bit system call, not served;
 * cok_interrupt() kills the app.  Unreachable while apps have no 32-bit
 * code segment.
 */
	.globl cok_syscall_compat_entry
cok_syscall_compat_entry:
	SYSCALL_FRAME (GDT_SYSRET_BASE|3), VECTOR_SYSCALL_COMPAT

/*
 * long cok_switch(struct cok_kctx *save, const struct cok_kctx *to,
 *		   long code)
 * Pushes the callee-saved registers (struct cok_switch_frame, thread.c)
 * and keeps the stack pointer in *save, then takes the stack of *to and
 * returns there, with code: from the cok_switch() that saved *to, or,
 * for a thread's first context, into cok_thread_start.
 */
	.globl cok_switch
cok_switch:
	pushq	%rbx
	pushq	%rbp
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, (%rdi)
	movq	(%rsi), %rsp
	movq	%rdx, %rax
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbp
	popq	%rbx
	ret

/*
 * A thread's first switch lands here, with its user registers (struct
 * cok_regs) at the top of its kernel stack: IRETQ to ring 3 with them,
 * which leaves that stack empty for the entries from ring 3.
 * Interrupts are off until the IRETQ; an NMI takes its own IST stack.
 */
	.globl cok_thread_start
cok_thread_start:
	movq	%rax, %rdi		/* the core, from cok_switch's code */
	call	thread_landed		/* %rsp is 16-byte aligned here */
	POP_REGS_IRETQ

/* A core's stand-in context (sched.c) starts here; it never returns. */
	.globl cok_standin_start
cok_standin_start:
	movq	%rax, %rdi		/* the core, from cok_switch's code */
	call	sched_standin		/* %rsp is 16-byte aligned here */
	ud2

/*
 * An interrupt or exception does not clear RFLAGS.AC, so an app could
 * enter with AC set and switch SMAP off for the handler: CLAC (which
 * faults without SMAP, hence the test).  The app's RFLAGS is in the
 * frame already; IRETQ gives it back.
 */
interrupt_common:
	testb	$1, cok_smap_on(%rip)
	jz	1f
	clac
1:
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	cld
	movq	%rsp, %rdi
	/* 5 frame + 2 + 15 saved words = 176 bytes: %rsp stays 16-aligned */
	call	cok_interrupt
	POP_REGS_IRETQ
