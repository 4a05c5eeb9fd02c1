/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Constants shared by the co-kernel's assembly and C.  Only #defines, so
 * that the assembler can include it.
 */
#ifndef COK_ASM_H
#define COK_ASM_H

/* Must agree with enum cok_stage in xemem/channel.h (checked in cpu.c). */
#define COK_STAGE_REAL_MODE	2
#define COK_STAGE_PROT_MODE	3
#define COK_STAGE_LONG_MODE	4

/* Offsets in struct cok_tramp_params (checked in cpu.c). */
#define PARAMS_CR3		0
#define PARAMS_CORE		4
#define PARAMS_ENTRY		8
#define PARAMS_STACK		16
#define PARAMS_CHANNEL		24
#define PARAMS_STAGE		32
#define PARAMS_SIZE		40

/* GDT selectors.  The layout after KERNEL_DS is the one SYSRET needs. */
#define GDT_KERNEL_CS		0x08
#define GDT_KERNEL_DS		0x10
#define GDT_TRAMP_CS32		0x18	/* trampoline only */
/*
 * SYSRET's selector base (STAR[63:48]): 64-bit SYSRET takes SS = base + 8
 * and CS = base + 16.  The slot itself stays a null descriptor: apps get
 * no 32-bit code segment, so compat mode cannot be entered from ring 3.
 */
#define GDT_SYSRET_BASE		0x18
#define GDT_USER_DS		0x20
#define GDT_USER_CS		0x28
#define GDT_TSS			0x30	/* 16-byte descriptor */
#define GDT_ENTRIES		8

#define CR0_PE			(1 << 0)	/* protected mode */
#define CR0_MP			(1 << 1)	/* monitor coprocessor */
#define CR0_EM			(1 << 2)	/* x87 emulation: must be 0 */
#define CR0_ET			(1 << 4)
#define CR0_NE			(1 << 5)	/* native x87 errors */
#define CR0_WP			(1 << 16)	/* write protect in ring 0 */
#define CR0_PG			(1 << 31)

#define CR4_PAE			(1 << 5)
#define CR4_PGE			(1 << 7)
#define CR4_OSFXSR		(1 << 9)	/* FXSAVE/SSE enabled */
#define CR4_OSXMMEXCPT		(1 << 10)	/* SSE exceptions as #XM */
#define CR4_OSXSAVE		(1 << 18)	/* XSAVE and XCR0 enabled */
#define CR4_SMEP		(1 << 20)	/* no ring-0 fetch from user pages */
#define CR4_SMAP		(1 << 21)	/* no ring-0 access to user pages */

#define MSR_EFER		0xc0000080
#define EFER_LME		(1 << 8)
#define EFER_NXE		(1 << 11)

/* MSRs and bits for SYSCALL and the segment bases. */
#define EFER_SCE		(1 << 0)	/* SYSCALL enable */
#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_CSTAR		0xc0000083	/* SYSCALL from compat mode */
#define MSR_FMASK		0xc0000084
#define MSR_FS_BASE		0xc0000100
#define MSR_GS_BASE		0xc0000101
#define MSR_KERNEL_GS_BASE	0xc0000102
#define MSR_SYSENTER_CS		0x174
#define MSR_SYSENTER_ESP	0x175
#define MSR_SYSENTER_EIP	0x176

/* struct cok_syscall_area (cokernel.h), reached through GS on entry. */
#define SCA_KERNEL_RSP		0
#define SCA_USER_RSP		8

/* Pseudo vectors that mark a system call in struct cok_regs. */
#define VECTOR_SYSCALL		0x100
#define VECTOR_SYSCALL_COMPAT	0x101	/* SYSCALL from compat mode (CSTAR) */

#define IST_NMI			1
#define IST_DF			2

#endif /* COK_ASM_H */
