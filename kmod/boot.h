/* SPDX-License-Identifier: GPL-2.0 */
#ifndef COK_BOOT_H
#define COK_BOOT_H

#include <linux/types.h>
#include "../xemem/channel.h"

int cok_boot_init(void);
void cok_boot_exit(void);

/* Put the trampoline in low memory (saving what was there) / put it back. */
void cok_tramp_install(void);
void cok_tramp_restore(void);
/* How far the trampoline got for the core last started. */
u32 cok_tramp_stage(void);

/* INIT/SIPI/SIPI: start a core in the installed trampoline. */
void cok_start_core(u32 apic_id, const struct cok_tramp_params *params);
/* INIT: the core stops and waits for a SIPI (Linux's, on add_cpu). */
void cok_stop_core(u32 apic_id);
void cok_ring_doorbell(u32 apic_id);

/* The embedded co-kernel image, checked by cok_boot_init(). */
extern const struct cok_image_header *cok_image;

#endif /* COK_BOOT_H */
