// SPDX-License-Identifier: GPL-2.0
/*
 * Starting and stopping co-kernel cores.
 *
 * A core that Linux has offlined sits in a HLT loop (or MWAIT) with its
 * local APIC soft-disabled.  INIT puts it in wait-for-SIPI; a STARTUP IPI
 * then starts it in real mode at (vector << 12).  That address must be
 * below 1 MiB, where Linux keeps every page reserved since 5.13, so no
 * allocator can give us one: we borrow a reserved RAM page in the first
 * 64 KiB (which x86 Linux reserves against BIOS corruption and never
 * uses), save its contents and put them back once the cores are up.
 * Callers serialise all of this under the enclave lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <asm/apic.h>
#include <asm/processor.h>
#include "boot.h"

extern const u8 cok_image_start[], cok_image_end[];
const struct cok_image_header *cok_image;

#define LOW_SCAN_START	0x1000
#define LOW_SCAN_END	0x10000		/* CONFIG_X86_RESERVE_LOW's 64 KiB */

static phys_addr_t low_phys;
static void *low_page;			/* memremap of low_phys */
static u8 *low_saved;			/* what the page held before us */
static bool low_installed;

static int check_image(void)
{
	const struct cok_image_header *h = (const void *)cok_image_start;
	size_t blob = cok_image_end - cok_image_start;

	if (blob < sizeof(*h) || h->magic != COK_IMAGE_MAGIC ||
	    h->version != COK_IMAGE_VERSION || h->header_size != sizeof(*h))
		return -ENOEXEC;
	if (h->link_base != COK_VIRT_KERNEL + COK_IMAGE_OFFSET ||
	    h->mem_size > COK_IMAGE_MAX || h->file_size > h->mem_size ||
	    blob > h->mem_size)
		return -ENOEXEC;
	if (h->entry64 < h->link_base ||
	    h->entry64 >= h->link_base + h->file_size)
		return -ENOEXEC;
	if (h->tramp_size > PAGE_SIZE || h->tramp_offset > blob ||
	    h->tramp_size > blob - h->tramp_offset ||
	    h->tramp_params + sizeof(struct cok_tramp_params) > h->tramp_size)
		return -ENOEXEC;
	cok_image = h;
	return 0;
}

static bool low_page_usable(phys_addr_t pa)
{
	unsigned long pfn = PHYS_PFN(pa);

	if (region_intersects(pa, PAGE_SIZE, IORESOURCE_SYSTEM_RAM,
			      IORES_DESC_NONE) != REGION_INTERSECTS)
		return false;
	/* Reserved: Linux itself will not hand it out meanwhile. */
	return pfn_valid(pfn) && PageReserved(pfn_to_page(pfn));
}

static int find_low_page(void)
{
	phys_addr_t pa;

	for (pa = LOW_SCAN_START; pa < LOW_SCAN_END; pa += PAGE_SIZE) {
		if (!low_page_usable(pa))
			continue;
		low_page = memremap(pa, PAGE_SIZE, MEMREMAP_WB);
		if (!low_page)
			continue;
		low_phys = pa;
		return 0;
	}
	return -ENOMEM;
}

int cok_boot_init(void)
{
	int err = check_image();

	if (err) {
		pr_err("embedded co-kernel image is malformed\n");
		return err;
	}
	low_saved = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!low_saved)
		return -ENOMEM;
	err = find_low_page();
	if (err) {
		pr_err("no usable page below 64 KiB for the SIPI trampoline\n");
		kfree(low_saved);
		return err;
	}
	pr_info("SIPI trampoline page at %pa\n", &low_phys);
	return 0;
}

void cok_boot_exit(void)
{
	cok_tramp_restore();
	memunmap(low_page);
	kfree(low_saved);
}

void cok_tramp_install(void)
{
	const u8 *tramp = (const u8 *)cok_image + cok_image->tramp_offset;

	if (low_installed)
		return;
	memcpy(low_saved, low_page, PAGE_SIZE);
	memcpy(low_page, tramp, cok_image->tramp_size);
	low_installed = true;
}

void cok_tramp_restore(void)
{
	if (!low_installed)
		return;
	memcpy(low_page, low_saved, PAGE_SIZE);
	low_installed = false;
}

static struct cok_tramp_params *tramp_params(void)
{
	return low_page + cok_image->tramp_params;
}

u32 cok_tramp_stage(void)
{
	return READ_ONCE(tramp_params()->stage);
}

static void wait_icr_idle(void)
{
	if (apic->safe_wait_icr_idle)
		apic->safe_wait_icr_idle();
}

/* Write the ICR with interrupts off: xAPIC writes ICR2, then ICR. */
static void send_icr(u32 apic_id, u32 low)
{
	unsigned long flags;

	local_irq_save(flags);
	wait_icr_idle();
	apic->icr_write(low, apic_id);
	wait_icr_idle();
	local_irq_restore(flags);
}

/*
 * The MP specification's delays (10 ms INIT hold, 300 + 200 us around
 * each STARTUP) are for old processors.  Like Linux's
 * smp_quirk_init_udelay(), skip them on Intel family 6 and AMD family
 * 0xf or later (QEMU's qemu64 is AMD family 0xf), keeping 10 us.
 */
static bool modern_cpu(void)
{
	const struct cpuinfo_x86 *c = &boot_cpu_data;

	return (c->x86_vendor == X86_VENDOR_INTEL && c->x86 == 6) ||
	       (c->x86_vendor == X86_VENDOR_HYGON && c->x86 >= 0x18) ||
	       (c->x86_vendor == X86_VENDOR_AMD && c->x86 >= 0xf);
}

static void send_init(u32 apic_id)
{
	/* INIT, level triggered: assert, hold, deassert (MP spec). */
	send_icr(apic_id, APIC_INT_LEVELTRIG | APIC_INT_ASSERT | APIC_DM_INIT);
	if (!modern_cpu())
		usleep_range(10000, 11000);
	send_icr(apic_id, APIC_INT_LEVELTRIG | APIC_DM_INIT);
}

void cok_start_core(u32 apic_id, const struct cok_tramp_params *params)
{
	unsigned int settle = modern_cpu() ? 10 : 300;
	int i;

	memcpy(tramp_params(), params, sizeof(*params));
	send_init(apic_id);
	/* Two STARTUPs, vector = page number of the trampoline. */
	for (i = 0; i < 2; i++) {
		apic->write(APIC_ESR, 0);	/* clear latched errors */
		send_icr(apic_id, APIC_DM_STARTUP | (low_phys >> PAGE_SHIFT));
		udelay(settle);
		wait_icr_idle();
		udelay(modern_cpu() ? 10 : 200);
	}
}

void cok_stop_core(u32 apic_id)
{
	send_init(apic_id);
}

void cok_ring_doorbell(u32 apic_id)
{
	send_icr(apic_id, APIC_DEST_PHYSICAL | APIC_DM_FIXED |
		 COK_DOORBELL_VECTOR);
}
