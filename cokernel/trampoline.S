/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The real-mode trampoline.  The module copies tramp_start..tramp_end to
 * a page below 1 MiB and sends INIT/SIPI/SIPI with that page as the
 * vector, so a core starts here in real mode with CS = page >> 4, IP = 0.
 * The code is position independent: every address it needs is computed
 * from CS at run time.  It goes 16 -> 32 -> 64 bit with the boot page
 * tables of struct cok_tramp_params.cr3 and jumps to the co-kernel entry
 * (virtual) with %edi = core index, %rsi = channel, %rsp = boot stack.
 *
 * GDT selectors here match the co-kernel's own GDT for 0x08 (64-bit code)
 * and 0x10 (data), so nothing changes meaning when the co-kernel loads it.
 */
#include "asm.h"

#define OFF(sym)	((sym) - tramp_start)

	.section .trampoline, "ax"
	.globl tramp_start
	.globl tramp_params
	.globl tramp_end

	.code16
tramp_start:
	cli
	cld
	movw	%cs, %ax
	movw	%ax, %ds
	/* %ebx = linear address of this page */
	xorl	%ebx, %ebx
	movw	%ax, %bx
	shll	$4, %ebx
	movl	$COK_STAGE_REAL_MODE, OFF(tramp_params + PARAMS_STAGE)

	/* Patch the GDT base and the far pointer to 32-bit code. */
	leal	OFF(tramp_gdt)(%ebx), %eax
	movl	%eax, OFF(tramp_gdtr + 2)
	leal	OFF(tramp_pm32)(%ebx), %eax
	movl	%eax, OFF(tramp_pm32_ptr)
	leal	OFF(tramp_lm64)(%ebx), %eax
	movl	%eax, OFF(tramp_lm64_ptr)
	lgdtl	OFF(tramp_gdtr)

	/*
	 * After INIT, CR0 is 0x60000010 (CD and NW set: caches off).  Load
	 * it whole: PE (bit 0) and ET (bit 4) only, caching enabled.
	 */
	movl	$(CR0_PE | CR0_ET), %eax
	movl	%eax, %cr0
	ljmpl	*OFF(tramp_pm32_ptr)

	.code32
tramp_pm32:
	movw	$GDT_KERNEL_DS, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movw	%ax, %fs
	movw	%ax, %gs
	movl	$COK_STAGE_PROT_MODE, OFF(tramp_params + PARAMS_STAGE)(%ebx)

	/* CR4.PAE (bit 5) is required for long mode. */
	movl	$CR4_PAE, %eax
	movl	%eax, %cr4
	movl	OFF(tramp_params + PARAMS_CR3)(%ebx), %eax
	movl	%eax, %cr3

	/* EFER (MSR 0xc0000080) bit 8 LME: long mode enable. */
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$EFER_LME, %eax
	wrmsr

	/* Paging on (CR0.PG, bit 31) activates long mode (EFER.LMA). */
	movl	$(CR0_PG | CR0_PE | CR0_ET), %eax
	movl	%eax, %cr0
	ljmpl	*OFF(tramp_lm64_ptr)(%ebx)

	.code64
tramp_lm64:
	/* The upper halves are undefined after the switch: zero-extend. */
	movl	%ebx, %ebx
	movl	$COK_STAGE_LONG_MODE, OFF(tramp_params + PARAMS_STAGE)(%rbx)
	movq	OFF(tramp_params + PARAMS_STACK)(%rbx), %rsp
	movl	OFF(tramp_params + PARAMS_CORE)(%rbx), %edi
	movq	OFF(tramp_params + PARAMS_CHANNEL)(%rbx), %rsi
	movq	OFF(tramp_params + PARAMS_ENTRY)(%rbx), %rax
	jmpq	*%rax

	.balign 8
tramp_gdt:
	.quad	0			/* 0x00: null */
	.quad	0x00af9a000000ffff	/* 0x08: 64-bit code, L=1 */
	.quad	0x00cf92000000ffff	/* 0x10: data, 4 GiB */
	.quad	0x00cf9a000000ffff	/* 0x18: 32-bit code, 4 GiB */
tramp_gdt_end:
tramp_gdtr:
	.word	tramp_gdt_end - tramp_gdt - 1
	.long	0			/* base: patched at run time */
tramp_pm32_ptr:
	.long	0			/* offset: patched at run time */
	.word	GDT_TRAMP_CS32
tramp_lm64_ptr:
	.long	0
	.word	GDT_KERNEL_CS

	.balign 8
tramp_params:				/* struct cok_tramp_params */
	.fill	PARAMS_SIZE, 1, 0
tramp_end:
