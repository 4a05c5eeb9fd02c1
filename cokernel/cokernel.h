/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces of the co-kernel.
 */
#ifndef COKERNEL_H
#define COKERNEL_H

#include <stdint.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdbool.h>
#include "../xemem/channel.h"
#include "asm.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
/* The kernel's spellings of the attributes we use. */
#define __noreturn	__attribute__((__noreturn__))
#define __packed	__attribute__((__packed__))
#define __aligned(n)	__attribute__((__aligned__(n)))
#define __printf(a, b)	__attribute__((__format__(printf, a, b)))

/* Saved by entry.S, lowest address first. */
struct cok_regs {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;	/* pushed by the CPU */
};

/* Per-core state that lives only in the co-kernel. */
struct cok_cpu {
	uint32_t index;
	struct cok_core *shared;	/* this core's slot in the channel */
	bool doorbell;			/* set by the interrupt, seen by idle */
};

extern struct cok_channel *cok_channel;
extern struct cok_cpu cok_cpus[COK_MAX_CORES];

/* entry.S: 256 stubs of 16 bytes, one per vector */
extern const char cok_vector_stubs[];

/* cpu.c */
void cpu_init_tables(uint32_t core);
void cpu_enable_fpu(void);
struct cok_cpu *this_cpu(void);

/* apic.c */
void apic_init(void);
void apic_eoi(void);
uint32_t apic_id(void);

/* trap.c */
void cok_interrupt(struct cok_regs *regs);

/* console.c */
void cok_printf(const char *fmt, ...) __printf(1, 2);
int cok_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
__noreturn void cok_panic(const char *fmt, ...)
	__printf(1, 2);

/* mm.c */
void mm_init(void);
uint64_t mm_free_bytes(void);
void *mm_alloc_chunk(void);
void mm_free_chunk(void *virt);
void *phys_to_virt(uint64_t phys);

/* cmd.c */
__noreturn void cmd_serve_forever(struct cok_cpu *c);

/* lib.c */
void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
size_t strlen(const char *s);

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t read_cr0(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static inline void write_cr0(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

static inline uint64_t read_cr4(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline void write_cr4(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

static inline uint64_t read_cr2(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

/* Device registers: one access each, never merged or reordered. */
static inline uint32_t mmio_read32(uintptr_t addr)
{
	uint32_t v;

	__asm__ volatile("movl %1, %0" : "=r"(v)
			 : "m"(*(uint32_t *)addr) : "memory");
	return v;
}

static inline void mmio_write32(uintptr_t addr, uint32_t v)
{
	__asm__ volatile("movl %1, %0" : "=m"(*(uint32_t *)addr)
			 : "r"(v) : "memory");
}

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

static inline void irq_disable(void)
{
	__asm__ volatile("cli" ::: "memory");
}

/* STI's one-instruction shadow makes "sti; hlt" sleep without a race. */
static inline void irq_enable_and_halt(void)
{
	__asm__ volatile("sti; hlt" ::: "memory");
}

#endif /* COKERNEL_H */
