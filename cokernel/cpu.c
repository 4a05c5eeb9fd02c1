// SPDX-License-Identifier: GPL-2.0
/*
 * Per-core descriptor tables: a GDT and TSS per core (loading TR marks
 * the TSS descriptor busy, so cores cannot share one) and one IDT for
 * all cores, built by core 0 before any other core starts.  NMIs and
 * double faults run on IST stacks of their own, so a broadcast NMI from
 * Linux never depends on the interrupted stack.
 */
#include "cokernel.h"

struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __packed;

struct idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
} __packed;

struct table_ptr {
	uint16_t limit;
	uint64_t base;
} __packed;

#define IST_STACK_SIZE	4096
#define GATE_INTERRUPT	0x8e	/* present, DPL 0, 64-bit interrupt gate */
#define TSS_AVAILABLE	0x89	/* present, 64-bit TSS (available) */


static uint64_t gdt[COK_MAX_CORES][GDT_ENTRIES] __aligned(64);
static struct tss64 tss[COK_MAX_CORES] __aligned(64);
static uint8_t ist_stacks[COK_MAX_CORES][2][IST_STACK_SIZE] __aligned(16);
static struct idt_gate idt[256] __aligned(64);

/* The trampoline and the C structure must agree on the params layout. */
_Static_assert(sizeof(struct cok_tramp_params) == PARAMS_SIZE, "params");
_Static_assert(offsetof(struct cok_tramp_params, stage) == PARAMS_STAGE,
	       "params.stage");
_Static_assert(offsetof(struct cok_tramp_params, channel) == PARAMS_CHANNEL,
	       "params.channel");
_Static_assert(COK_STAGE_LONG_MODE == 4, "stage numbers");
_Static_assert(sizeof(struct tss64) == 104, "tss");

static void set_gate(int vector, int ist)
{
	uint64_t addr = (uint64_t)(cok_vector_stubs + 16 * vector);
	struct idt_gate *g = &idt[vector];

	g->offset_low = addr & 0xffff;
	g->selector = GDT_KERNEL_CS;
	g->ist = ist;
	g->type_attr = GATE_INTERRUPT;
	g->offset_mid = (addr >> 16) & 0xffff;
	g->offset_high = addr >> 32;
	g->reserved = 0;
}

static void build_idt(void)
{
	int v;

	for (v = 0; v < 256; v++)
		set_gate(v, 0);
	set_gate(2, IST_NMI);	/* NMI */
	set_gate(8, IST_DF);	/* double fault */
}

static void build_gdt(uint32_t core)
{
	uint64_t *g = gdt[core];
	uint64_t base = (uint64_t)&tss[core];
	uint64_t limit = sizeof(struct tss64) - 1;

	g[0] = 0;
	g[1] = 0x00af9a000000ffffULL;	/* 0x08 kernel code, L=1 */
	g[2] = 0x00cf92000000ffffULL;	/* 0x10 kernel data */
	g[3] = 0;			/* 0x18 GDT_SYSRET_BASE: null */
	g[4] = 0x00cff2000000ffffULL;	/* 0x20 user data, DPL 3 */
	g[5] = 0x00affa000000ffffULL;	/* 0x28 user code 64-bit, DPL 3 */
	/* 0x30: 16-byte TSS descriptor */
	g[6] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
	       ((uint64_t)TSS_AVAILABLE << 40) |
	       (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	g[7] = base >> 32;

	tss[core].ist[IST_NMI - 1] =
		(uint64_t)&ist_stacks[core][0][IST_STACK_SIZE];
	tss[core].ist[IST_DF - 1] =
		(uint64_t)&ist_stacks[core][1][IST_STACK_SIZE];
	tss[core].iomap_base = sizeof(struct tss64);	/* no I/O bitmap */
}

/* Load GDT, reload every segment register, load TR and the IDT. */
static void load_tables(uint32_t core)
{
	struct table_ptr gdtr = { sizeof(gdt[0]) - 1, (uint64_t)gdt[core] };
	struct table_ptr idtr = { sizeof(idt) - 1, (uint64_t)idt };

	__asm__ volatile(
		"lgdt %0\n\t"
		"pushq %[cs]\n\t"
		"leaq 1f(%%rip), %%rax\n\t"
		"pushq %%rax\n\t"
		"lretq\n"			/* reload CS */
		"1:\n\t"
		"movw %w[ds], %%ax\n\t"
		"movw %%ax, %%ds\n\t"
		"movw %%ax, %%es\n\t"
		"movw %%ax, %%ss\n\t"
		"xorl %%eax, %%eax\n\t"
		"movw %%ax, %%fs\n\t"
		"movw %%ax, %%gs\n\t"
		"ltr %w[tss]\n\t"
		"lidt %1"
		:
		: "m"(gdtr), "m"(idtr), [cs] "i"(GDT_KERNEL_CS),
		  [ds] "r"(GDT_KERNEL_DS), [tss] "r"(GDT_TSS)
		: "rax", "memory");
}

void cpu_init_tables(uint32_t core)
{
	if (core == 0)
		build_idt();
	build_gdt(core);
	load_tables(core);
}

/*
 * CR0: MP (bit 1) and NE (bit 5) on, EM (bit 2) off, WP (bit 16) on so
 * ring 0 honours read-only pages.  CR4: OSFXSR (bit 9) and OSXMMEXCPT
 * (bit 10) allow SSE; PGE (bit 7) keeps global pages across CR3 loads.
 */
static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]),
			 "=d"(r[3]) : "a"(leaf), "c"(sub));
}

static void xsetbv0(uint64_t xcr0)
{
	__asm__ volatile("xsetbv" : : "c"(0), "a"((uint32_t)xcr0),
			 "d"((uint32_t)(xcr0 >> 32)));
}

/*
 * With XSAVE (CPUID.1:ECX bit 26), set CR4.OSXSAVE (bit 18) and enable in
 * XCR0 every user state component the CPU has among x87, SSE, AVX and
 * the AVX-512 ones (bits 0, 1, 2, 5-7), so apps may use AVX and CPUID
 * tells them so.  If their XSAVE area would not fit COK_XSTATE_MAX, only
 * x87, SSE and AVX: every component enabled must be saved and reset.
 */
static void enable_xsave(void)
{
	uint32_t r[4];
	uint64_t xcr0;

	cpuid(1, 0, r);
	if (!(r[2] & (1U << 26)))
		return;
	write_cr4(read_cr4() | CR4_OSXSAVE);
	cpuid(0xd, 0, r);
	xcr0 = r[0] & 0xe7;
	xsetbv0(xcr0);
	/* CPUID.(EAX=0DH,ECX=0):EBX = XSAVE area size for XCR0 as set. */
	cpuid(0xd, 0, r);
	if (r[1] > COK_XSTATE_MAX) {
		xcr0 &= 0x7;
		xsetbv0(xcr0);
		cpuid(0xd, 0, r);
	}
	cok_xcr0 = xcr0;	/* same on every core */
	cok_xsave_size = r[1];
}

/*
 * SMEP (CPUID.(7,0):EBX bit 7, CR4 bit 20): ring 0 never runs code from a
 * user page.  SMAP (EBX bit 20, CR4 bit 21): ring 0 never reads or
 * writes a user page unless RFLAGS.AC is set; the co-kernel reaches app
 * memory only through its direct map (supervisor pages), so it never
 * sets AC, and every entry from ring 3 clears it (FMASK for SYSCALL,
 * CLAC in entry.S for interrupts, which do not clear AC).
 */
uint8_t cok_smap_on;	/* read by entry.S */

static void enable_smep_smap(void)
{
	uint32_t r[4];
	uint64_t cr4 = read_cr4();

	cpuid(0, 0, r);
	if (r[0] < 7)
		return;
	cpuid(7, 0, r);
	if (r[1] & (1U << 7))
		cr4 |= CR4_SMEP;
	if (r[1] & (1U << 20)) {
		cr4 |= CR4_SMAP;
		cok_smap_on = 1;
	}
	write_cr4(cr4);
}

/* One console line per core: what an app cannot reach in ring 0. */
void cpu_report_protection(uint32_t core)
{
	uint64_t cr4 = read_cr4();

	cok_printf("core %u: cr4 %#lx: smep %s, smap %s\n", core,
		   (unsigned long)cr4, cr4 & CR4_SMEP ? "on" : "off",
		   cr4 & CR4_SMAP ? "on" : "off");
}

void cpu_enable_fpu(void)
{
	uint64_t cr0 = read_cr0();

	cr0 &= ~(uint64_t)CR0_EM;
	cr0 |= CR0_MP | CR0_NE | CR0_WP;
	write_cr0(cr0);
	write_cr4(read_cr4() | CR4_PGE | CR4_OSFXSR | CR4_OSXMMEXCPT);
	enable_xsave();
	enable_smep_smap();
	__asm__ volatile("fninit");
}

uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v),
			 "d"((uint32_t)(v >> 32)) : "memory");
}

/* RSP0 sits at offset 4 of the TSS: unaligned, which x86 allows. */
uint64_t *cpu_tss_rsp0(uint32_t core)
{
	return (uint64_t *)((uintptr_t)&tss[core] +
			    offsetof(struct tss64, rsp));
}

/*
 * SYSCALL: EFER.SCE (bit 0) on; STAR[47:32] = kernel CS (SS = CS + 8);
 * LSTAR = entry point; FMASK clears IF, TF, DF, AC and NT on entry.
 * KERNEL_GS_BASE points at this core's syscall area for SWAPGS.
 *
 * The 32-bit ways in must not reach Linux's entry code, whose addresses
 * the MSRs still hold after INIT: CSTAR (SYSCALL from compat mode) gets
 * an entry that kills the app, and SYSENTER_CS 0 makes SYSENTER fault
 * with #GP(0) in ring 3 (on AMD it is #UD in long mode anyway).  Apps
 * have no 32-bit code segment, so CSTAR is a second line only.
 */
static bool cpu_has_sysenter(void)
{
	uint32_t r[4];

	cpuid(1, 0, r);
	return r[3] & (1U << 11);	/* CPUID.1:EDX.SEP */
}

/*
 * EFER.NXE makes bit 63 of a page-table entry mean "no instruction
 * fetch" (it is reserved, a #PF, without it): apps' data and stacks get
 * it (uspace.c as_prot_bits()), as on Linux.  CPUID.80000001h:EDX[20]
 * says the CPU has it.  The boot tables the module built have no bit 63
 * set, so the co-kernel's own mappings are unchanged.
 */
static void enable_nx(void)
{
	uint32_t r[4];

	cpuid(0x80000000U, 0, r);
	if (r[0] < 0x80000001U)
		return;
	cpuid(0x80000001U, 0, r);
	if (!(r[3] & (1U << 20)))
		return;
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	cok_pte_nx = 1ULL << 63;
}

void cpu_init_syscall(uint32_t core)
{
	struct cok_kcore *c = &cok_cores[core];

	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	enable_nx();
	wrmsr(MSR_STAR, ((uint64_t)(GDT_SYSRET_BASE | 3) << 48) |
			((uint64_t)GDT_KERNEL_CS << 32));
	wrmsr(MSR_LSTAR, (uint64_t)cok_syscall_entry);
	wrmsr(MSR_CSTAR, (uint64_t)cok_syscall_compat_entry);
	wrmsr(MSR_FMASK, 0x47700);
	if (cpu_has_sysenter()) {
		wrmsr(MSR_SYSENTER_CS, 0);
		wrmsr(MSR_SYSENTER_ESP, 0);
		wrmsr(MSR_SYSENTER_EIP, 0);
	}
	wrmsr(MSR_KERNEL_GS_BASE, (uint64_t)&c->sca);
	wrmsr(MSR_GS_BASE, 0);
	wrmsr(MSR_FS_BASE, 0);
}

struct cok_kcore *this_core(void)
{
	uint32_t id = apic_id();
	uint32_t i;

	for (i = 0; i < COK_MAX_CORES; i++) {
		if (cok_cores[i].shared && cok_cores[i].shared->apic_id == id)
			return &cok_cores[i];
	}
	return NULL;
}
