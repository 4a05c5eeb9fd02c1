/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What cok_elf_check promises about an image it accepts, checked
 * independently (tests/fuzz: the unit test and the fuzzer).  Returns
 * NULL if all holds, else what does not.
 */
#ifndef COK_ELF_INVARIANTS_H
#define COK_ELF_INVARIANTS_H

#include "../../xemem/elf.h"

/* Sanity of an accepted image: the guarantees the header promises. */
static inline const char *cok_elf_info_bad(const struct cok_elf_info *in, uint64_t size, const uint8_t *img)
{
	uint32_t i;
	int entry_ok = 0, phdr_ok = 0;
	uint64_t phsize = (uint64_t)in->phnum * 56;

	if (in->nloads < 1 || in->nloads > COK_ELF_MAX_LOADS)
		return "nloads out of range";
	if (in->entry != cok_elf_rd64(img + 24))
		return "entry differs from e_entry";
	if (in->phnum != cok_elf_rd16(img + 56) || in->phentsize != 56)
		return "phnum/phentsize differ from the header";
	if (in->lowest % 4096 || in->highest % 4096 || in->lowest >= in->highest)
		return "lowest/highest not page-aligned or empty";
	for (i = 0; i < in->nloads; i++) {
		const struct cok_elf_load *l = &in->load[i];

		if (l->filesz > l->memsz || l->offset > size || l->filesz > size - l->offset)
			return "a load's file bytes are outside the file";
		if (l->vaddr % 4096 != l->offset % 4096)
			return "a load's vaddr and offset are not congruent";
		if (l->vaddr < in->lowest || l->vaddr + l->memsz > in->highest)
			return "a load is outside [lowest, highest)";
		if (i && (l->vaddr & ~4095ULL) < ((in->load[i - 1].vaddr + in->load[i - 1].memsz + 4095) & ~4095ULL))
			return "two loads share a page";
		if (!in->pie && (in->highest > COK_USER_TOP || in->lowest < COK_USER_BOTTOM))
			return "an ET_EXEC load is outside the user range";
		if ((l->flags & COK_PF_X) && in->entry >= l->vaddr && in->entry - l->vaddr < l->filesz)
			entry_ok = 1;
		if (in->phdr_vaddr >= l->vaddr && in->phdr_vaddr - l->vaddr <= l->filesz &&
		    phsize <= l->filesz - (in->phdr_vaddr - l->vaddr))
			phdr_ok = 1;
		if (l->flags & ~7u)
			return "a load has flags other than R/W/X";
	}
	if (!entry_ok)
		return "the entry is not in an executable load";
	if (in->phdr_vaddr && !phdr_ok)
		return "phdr_vaddr is not inside a load's file bytes";
	if (in->pie && in->highest - in->lowest > COK_USER_TOP - COK_USER_BOTTOM)
		return "a static-pie spans more than the user range";
	return NULL;
}


/* A refusal's reason: one line that fits struct cok_proc_slot.error[128]. */
static inline const char *cok_elf_why_bad(const char *why)
{
	const char *p;

	if (!why || !*why)
		return "empty reason";
	for (p = why; *p; p++)
		if (*p == '\n' || *p == '\r')
			return "reason has a newline";
	if (p - why >= 128)
		return "reason longer than 127 characters";
	return NULL;
}

#endif /* COK_ELF_INVARIANTS_H */
