/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interrupt and exception entry: one 16-byte stub per vector pushes an
 * error code (0 where the CPU pushes none) and the vector number, then
 * the common path saves every general register into struct cok_regs and
 * calls cok_interrupt(regs).
 */
#include "asm.h"

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

interrupt_common:
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
