// SPDX-License-Identifier: GPL-2.0
/*
 * The local APIC of a co-kernel core.  It receives the doorbell IPI from
 * Linux and acknowledges interrupts; its timer is a one-shot the
 * scheduler arms only while a thread waits for the core or for a
 * timeout (sched.c), so there is no periodic tick.  Every other local
 * vector table entry stays masked.
 *
 * Linux may have left the APIC in x2APIC mode (IA32_APIC_BASE bit 10);
 * an INIT does not change that, so both register interfaces are handled.
 */
#include "cokernel.h"

#define MSR_APIC_BASE		0x1b
#define APIC_BASE_ENABLE	(1ULL << 11)	/* global enable */
#define APIC_BASE_X2APIC	(1ULL << 10)	/* x2APIC mode */
#define MSR_X2APIC_FIRST	0x800		/* register R at 0x800 + R/16 */

#define APIC_REG_ID		0x020
#define APIC_REG_TPR		0x080
#define APIC_REG_EOI		0x0b0
#define APIC_REG_SVR		0x0f0
#define APIC_REG_ESR		0x280
#define APIC_REG_ICR_LOW	0x300
#define APIC_REG_ICR_HIGH	0x310		/* xAPIC: destination */
#define APIC_REG_SELF_IPI	0x3f0		/* x2APIC only */
#define APIC_REG_LVT_CMCI	0x2f0
#define APIC_REG_LVT_TIMER	0x320
#define APIC_REG_LVT_THERMAL	0x330
#define APIC_REG_LVT_PERF	0x340
#define APIC_REG_LVT_LINT0	0x350
#define APIC_REG_LVT_LINT1	0x360
#define APIC_REG_LVT_ERROR	0x370
#define APIC_REG_TIMER_INIT	0x380
#define APIC_REG_TIMER_COUNT	0x390
#define APIC_REG_TIMER_DIVIDE	0x3e0

#define APIC_SVR_ENABLE		(1U << 8)	/* software enable */
#define APIC_LVT_MASKED		(1U << 16)
#define APIC_SPURIOUS_VECTOR	0xff
#define APIC_ICR_SELF		(1U << 18)	/* destination shorthand: self */
#define APIC_ICR_BUSY		(1U << 12)	/* xAPIC: delivery pending */
#define APIC_ICR_ASSERT		(1U << 14)	/* level: assert */
#define APIC_TIMER_DIV_1	0xb		/* divide configuration: by 1 */
#define APIC_TIMER_MAX		0xffffffffU
#define APIC_TIMER_MAX_MS	4096		/* longer waits: armed again */

static bool x2apic;

static uint32_t apic_read(uint32_t reg)
{
	if (x2apic)
		return (uint32_t)rdmsr(MSR_X2APIC_FIRST + (reg >> 4));
	return mmio_read32(COK_VIRT_APIC + reg);
}

static void apic_write(uint32_t reg, uint32_t v)
{
	if (x2apic)
		wrmsr(MSR_X2APIC_FIRST + (reg >> 4), v);
	else
		mmio_write32(COK_VIRT_APIC + reg, v);
}

uint32_t apic_id(void)
{
	uint32_t id = apic_read(APIC_REG_ID);

	return x2apic ? id : id >> 24;	/* xAPIC: ID in bits 31:24 */
}

/* Called once per core before the first interrupt can be ours. */
void apic_init(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	x2apic = base & APIC_BASE_X2APIC;
	if (!(base & APIC_BASE_ENABLE))
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);

	apic_write(APIC_REG_TPR, 0);	/* accept every priority */
	apic_write(APIC_REG_LVT_TIMER, APIC_LVT_MASKED);
	apic_write(APIC_REG_LVT_THERMAL, APIC_LVT_MASKED);
	apic_write(APIC_REG_LVT_PERF, APIC_LVT_MASKED);
	apic_write(APIC_REG_LVT_LINT0, APIC_LVT_MASKED);
	apic_write(APIC_REG_LVT_LINT1, APIC_LVT_MASKED);
	apic_write(APIC_REG_LVT_ERROR, APIC_LVT_MASKED);
	/* ESR is cleared by a write; the read returns the latched errors. */
	apic_write(APIC_REG_ESR, 0);
	(void)apic_read(APIC_REG_ESR);
	apic_write(APIC_REG_SVR, APIC_SVR_ENABLE | APIC_SPURIOUS_VECTOR);
}

void apic_eoi(void)
{
	apic_write(APIC_REG_EOI, 0);
}

/* A fixed interrupt of vector to this core, taken once IF allows. */
void apic_self_ipi(uint8_t vector)
{
	if (x2apic)
		apic_write(APIC_REG_SELF_IPI, vector);
	else
		apic_write(APIC_REG_ICR_LOW, APIC_ICR_SELF | vector);
}

/*
 * A fixed interrupt of vector to the core with that APIC id (physical
 * destination, no shorthand).  x2APIC: one write of ICR with the
 * destination in its high half.  xAPIC: the previous IPI must have left
 * (delivery status clear) before the destination, then the low half
 * (which sends), are written; interrupts are off, so nothing of ours
 * comes between the two writes.
 */
void apic_send_ipi(uint32_t apic_id, uint8_t vector)
{
	if (x2apic) {
		wrmsr(MSR_X2APIC_FIRST + (APIC_REG_ICR_LOW >> 4),
		      (uint64_t)apic_id << 32 | APIC_ICR_ASSERT | vector);
		return;
	}
	while (apic_read(APIC_REG_ICR_LOW) & APIC_ICR_BUSY)
		cpu_relax();
	apic_write(APIC_REG_ICR_HIGH, apic_id << 24);
	apic_write(APIC_REG_ICR_LOW, APIC_ICR_ASSERT | vector);
}

/* Another co-kernel core, by its slot's APIC id. */
void ipi_core(const struct cok_kcore *core, uint8_t vector)
{
	apic_send_ipi(core->shared->apic_id, vector);
}

/* The same IPI to each core of mask (bit c: core c). */
void ipi_cores(uint32_t mask, uint8_t vector)
{
	uint32_t c;

	for (c = 0; c < COK_MAX_CORES; c++)
		if (mask & (1U << c))
			ipi_core(&cok_cores[c], vector);
}

/*
 * The timer's rate against the TSC, measured once per core: a masked
 * one-shot from the largest count, about 1 ms of TSC (tsc_khz ticks),
 * and what it counted down, against the TSC read on both sides of the
 * whole window (under QEMU TCG the vCPU can be descheduled anywhere in
 * it: both clocks go on, so the ratio holds).  Then the LVT is
 * unmasked, one-shot mode (bits 18:17 zero) on COK_TIMER_VECTOR; a
 * count of 0 keeps it stopped.
 */
static void timer_calibrate(struct cok_kcore *core, uint64_t tsc_khz)
{
	uint64_t t0, t1;
	uint32_t left;

	apic_write(APIC_REG_TIMER_DIVIDE, APIC_TIMER_DIV_1);
	apic_write(APIC_REG_LVT_TIMER, APIC_LVT_MASKED | COK_TIMER_VECTOR);
	t0 = rdtsc();
	apic_write(APIC_REG_TIMER_INIT, APIC_TIMER_MAX);
	while (rdtsc() - t0 < tsc_khz)
		cpu_relax();
	left = apic_read(APIC_REG_TIMER_COUNT);
	t1 = rdtsc();
	apic_write(APIC_REG_TIMER_INIT, 0);
	core->apic_ticks_per_ms = (uint64_t)(APIC_TIMER_MAX - left) *
				  tsc_khz / (t1 - t0);
	if (!core->apic_ticks_per_ms)
		core->apic_ticks_per_ms = 1;
	apic_write(APIC_REG_LVT_TIMER, COK_TIMER_VECTOR);
	cok_printf("core %u: timer: %lu ticks per ms\n", core->index,
		   (unsigned long)core->apic_ticks_per_ms);
}

/*
 * One interrupt on COK_TIMER_VECTOR after tsc_delta TSC ticks (earlier
 * if that is beyond the counter's range: the scheduler arms it again).
 */
void apic_timer_set(struct cok_kcore *core, uint64_t tsc_delta,
		    uint64_t tsc_khz)
{
	uint64_t tpm, ticks;

	if (!tsc_khz)
		tsc_khz = 1000000;
	if (!core->apic_ticks_per_ms)
		timer_calibrate(core, tsc_khz);
	tpm = core->apic_ticks_per_ms;
	if (tsc_delta > APIC_TIMER_MAX_MS * tsc_khz)
		tsc_delta = APIC_TIMER_MAX_MS * tsc_khz;
	/* In ms and the rest: no 128-bit division in a freestanding build. */
	ticks = tsc_delta / tsc_khz * tpm + tsc_delta % tsc_khz * tpm / tsc_khz;
	if (ticks == 0)
		ticks = 1;
	if (ticks > APIC_TIMER_MAX)
		ticks = APIC_TIMER_MAX;
	apic_write(APIC_REG_TIMER_INIT, (uint32_t)ticks);
}

void apic_timer_stop(void)
{
	apic_write(APIC_REG_TIMER_INIT, 0);
}
