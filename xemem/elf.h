/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one ELF check: which files may run on a co-kernel core.  Used by
 * the co-kernel's loader (the last word), by cokctl launch (to refuse
 * before anything is sent) and by the fuzzer in tests/fuzz/.
 *
 * Header-only and freestanding: no libc, no <elf.h>.  The image is
 * hostile: every field is read byte by byte (no alignment assumed),
 * every sum is checked for overflow, nothing is read outside
 * [image, image + size).
 *
 * What runs: a STATIC x86-64 Linux executable, ET_EXEC, or ET_DYN
 * without PT_INTERP and without DT_NEEDED (static-pie).  What cok_elf_check
 * guarantees on success, for the loader:
 *   - 1..COK_ELF_MAX_LOADS entries in info->load[], in the file's order,
 *     sorted by vaddr; PT_LOADs with p_memsz 0 are left out;
 *   - for each: filesz <= memsz, [offset, offset + filesz) lies inside
 *     the file, vaddr % 4096 == offset % 4096, vaddr + memsz does not
 *     overflow;
 *   - no two loads share a 4 KiB page: every page of [lowest, highest)
 *     belongs to at most one load, so the loader maps each page with
 *     that load's flags (the bytes of a page before vaddr and after
 *     vaddr + filesz come from the file too, as with mmap: copy
 *     [offset & ~4095, ...) or zero them; bytes from vaddr + filesz to
 *     the page end must be zero for the bss);
 *   - ET_EXEC: COK_USER_BOTTOM <= lowest, highest <= COK_USER_TOP;
 *     PIE: highest - lowest <= COK_USER_TOP - COK_USER_BOTTOM, and the
 *     loader maps load i at base + load[i].vaddr with a base such that
 *     base + lowest >= COK_USER_BOTTOM and base + highest <= COK_USER_TOP
 *     (base = start - lowest, start page-aligned; uint64 wraps cleanly);
 *   - the entry lies in the file bytes of a load with COK_PF_X;
 *   - phdr_vaddr, when not 0, lies with all phnum entries inside one
 *     load's [vaddr, vaddr + filesz) (add the base for PIE).
 */
#ifndef XEMEM_ELF_H
#define XEMEM_ELF_H

#include "cok_types.h"
#include "pgwalk.h"	/* COK_USER_TOP, COK_USER_BOTTOM */

#define COK_ELF_MAX_LOADS	16
#define COK_ELF_PAGE		4096ULL
#define COK_ELF_MAX_PHNUM	(4096 / 56)	/* the table fits in one page, as Linux requires */

/* --- the few ELF64 definitions needed ------------------------------- */

#define COK_EI_NIDENT		16
#define COK_EI_CLASS		4
#define COK_EI_DATA		5
#define COK_EI_VERSION		6
#define COK_ELFCLASS32		1
#define COK_ELFCLASS64		2
#define COK_ELFDATA2LSB		1
#define COK_EV_CURRENT		1

#define COK_ET_EXEC		2
#define COK_ET_DYN		3
#define COK_EM_X86_64		62

#define COK_PT_LOAD		1
#define COK_PT_DYNAMIC		2
#define COK_PT_INTERP		3
#define COK_PT_PHDR		6
#define COK_PT_TLS		7

#define COK_PF_X		1
#define COK_PF_W		2
#define COK_PF_R		4

#define COK_DT_NULL		0
#define COK_DT_NEEDED		1

/*
 * The on-disk layouts, for reference and for code that builds images
 * (tests); cok_elf_check itself reads the fields byte by byte.
 */
struct cok_elf64_ehdr {
	uint8_t  e_ident[COK_EI_NIDENT];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

struct cok_elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
};

#define COK_ELF64_EHDR_SIZE	64
#define COK_ELF64_PHDR_SIZE	56

/* --- the result -------------------------------------------------------- */

struct cok_elf_load {
	uint64_t vaddr, memsz, offset, filesz;
	uint32_t flags;		/* COK_PF_R/W/X */
	uint32_t pad;
};

struct cok_elf_info {
	uint64_t entry;		/* as in the file (add the base for PIE) */
	uint64_t phdr_vaddr;	/* for AT_PHDR: from PT_PHDR, else derived from the load containing e_phoff; 0 if neither */
	uint16_t phnum, phentsize;
	uint32_t pie;		/* 1: ET_DYN static-pie, the loader picks a base */
	uint64_t lowest, highest; /* page-aligned span of all loads [lowest, highest) */
	uint64_t tls_memsz;	/* PT_TLS, informational */
	uint32_t nloads, pad;
	struct cok_elf_load load[COK_ELF_MAX_LOADS];
};

/* --- helpers ----------------------------------------------------------- */

static inline uint16_t cok_elf_rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t cok_elf_rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) |
	       ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static inline uint64_t cok_elf_rd64(const uint8_t *p)
{
	return (uint64_t)cok_elf_rd32(p) | ((uint64_t)cok_elf_rd32(p + 4) << 32);
}

/* [off, off + len) inside [0, size), without overflow. */
static inline int cok_elf_in_file(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

/* Decodes the program header at index i (the caller checked bounds). */
static inline void cok_elf_phdr_at(const uint8_t *img, uint64_t phoff, unsigned int i,
				   struct cok_elf64_phdr *ph)
{
	const uint8_t *p = img + phoff + (uint64_t)i * COK_ELF64_PHDR_SIZE;

	ph->p_type = cok_elf_rd32(p);
	ph->p_flags = cok_elf_rd32(p + 4);
	ph->p_offset = cok_elf_rd64(p + 8);
	ph->p_vaddr = cok_elf_rd64(p + 16);
	ph->p_paddr = cok_elf_rd64(p + 24);
	ph->p_filesz = cok_elf_rd64(p + 32);
	ph->p_memsz = cok_elf_rd64(p + 40);
	ph->p_align = cok_elf_rd64(p + 48);
}

static inline const char *cok_elf_machine_why(uint16_t m)
{
	switch (m) {
	case 3:   return "not an x86-64 executable (e_machine 3: i386)";
	case 8:   return "not an x86-64 executable (e_machine 8: MIPS)";
	case 20:  return "not an x86-64 executable (e_machine 20: PowerPC)";
	case 21:  return "not an x86-64 executable (e_machine 21: PowerPC64)";
	case 22:  return "not an x86-64 executable (e_machine 22: S/390)";
	case 40:  return "not an x86-64 executable (e_machine 40: ARM)";
	case 43:  return "not an x86-64 executable (e_machine 43: SPARC V9)";
	case 50:  return "not an x86-64 executable (e_machine 50: IA-64)";
	case 183: return "not an x86-64 executable (e_machine 183: AArch64)";
	case 243: return "not an x86-64 executable (e_machine 243: RISC-V)";
	case 247: return "not an x86-64 executable (e_machine 247: BPF)";
	case 258: return "not an x86-64 executable (e_machine 258: LoongArch)";
	default:  return "not an x86-64 executable (e_machine is not 62)";
	}
}

/*
 * Scans a static-pie's dynamic section (inside the file) for DT_NEEDED:
 * 1 if found, else 0.
 */
static inline int cok_elf_needs_libs(const uint8_t *img, const struct cok_elf64_phdr *dyn)
{
	uint64_t n, i;

	n = dyn->p_filesz / 16;
	for (i = 0; i < n; i++) {
		uint64_t tag = cok_elf_rd64(img + dyn->p_offset + i * 16);

		if (tag == COK_DT_NULL)
			break;
		if (tag == COK_DT_NEEDED)
			return 1;
	}
	return 0;
}

/*
 * 0 on success, info filled and *why = NULL; otherwise a negative value
 * and *why = a one-line reason (a static string, no newline), and info
 * holds nothing usable.  info and why may be NULL (a yes/no check).
 */
static inline int cok_elf_check(const void *image, uint64_t size,
				struct cok_elf_info *info, const char **why)
{
	const uint8_t *img = (const uint8_t *)image;
	const char *dummy;
	struct cok_elf_info scratch;
	struct cok_elf64_phdr ph, dyn;
	uint16_t type, machine, phentsize, phnum;
	uint64_t entry, phoff, phsize, prev_end = 0, lo = 0, hi = 0;
	int have_dyn = 0, have_phdr = 0, have_tls = 0;
	unsigned int i, n = 0;

	if (!why)
		why = &dummy;
	if (!info)
		info = &scratch;
	*why = "internal error";
	{
		uint8_t *z = (uint8_t *)info;
		size_t k;

		for (k = 0; k < sizeof(*info); k++)
			z[k] = 0;
	}
	dyn.p_offset = dyn.p_filesz = 0;

	/* The ELF header. */
	if (!img || size < 4 || img[0] != 0x7f || img[1] != 'E' || img[2] != 'L' || img[3] != 'F') {
		*why = "not an ELF file";
		return -1;
	}
	if (size < COK_ELF64_EHDR_SIZE) {
		if (size > COK_EI_CLASS && img[COK_EI_CLASS] == COK_ELFCLASS32)
			*why = "32-bit ELF: only x86-64 runs in the co-kernel";
		else
			*why = "truncated: the ELF header ends past the file";
		return -2;
	}
	if (img[COK_EI_CLASS] == COK_ELFCLASS32) {
		*why = "32-bit ELF: only x86-64 runs in the co-kernel";
		return -3;
	}
	if (img[COK_EI_CLASS] != COK_ELFCLASS64) {
		*why = "bad ELF class (neither 32- nor 64-bit)";
		return -3;
	}
	if (img[COK_EI_DATA] != COK_ELFDATA2LSB) {
		*why = "big-endian ELF: only x86-64 runs in the co-kernel";
		return -4;
	}
	if (img[COK_EI_VERSION] != COK_EV_CURRENT || cok_elf_rd32(img + 20) != COK_EV_CURRENT) {
		*why = "bad ELF version";
		return -5;
	}
	type = cok_elf_rd16(img + 16);
	machine = cok_elf_rd16(img + 18);
	entry = cok_elf_rd64(img + 24);
	phoff = cok_elf_rd64(img + 32);
	phentsize = cok_elf_rd16(img + 54);
	phnum = cok_elf_rd16(img + 56);
	if (machine != COK_EM_X86_64) {
		*why = cok_elf_machine_why(machine);
		return -6;
	}
	if (type == 1) {
		*why = "a relocatable object (.o), not an executable";
		return -7;
	}
	if (type == 4) {
		*why = "a core dump, not an executable";
		return -7;
	}
	if (type != COK_ET_EXEC && type != COK_ET_DYN) {
		*why = "not an executable (e_type is neither ET_EXEC nor ET_DYN)";
		return -7;
	}
	if (type == COK_ET_DYN && entry == 0) {
		*why = "a shared library (no entry point), not an executable";
		return -8;
	}
	if (phnum == 0) {
		*why = "no program headers";
		return -9;
	}
	if (phentsize != COK_ELF64_PHDR_SIZE) {
		*why = "bad program header size (e_phentsize is not 56)";
		return -9;
	}
	if (phnum > COK_ELF_MAX_PHNUM) {
		*why = "too many program headers (more than 73)";
		return -9;
	}
	phsize = (uint64_t)phnum * COK_ELF64_PHDR_SIZE;
	if (!cok_elf_in_file(phoff, phsize, size)) {
		*why = "truncated: program headers end past the file";
		return -10;
	}

	/* Program headers: refusals that name the real problem first. */
	for (i = 0; i < phnum; i++) {
		cok_elf_phdr_at(img, phoff, i, &ph);
		if (ph.p_type == COK_PT_INTERP) {
			*why = "dynamically linked (has PT_INTERP): only static executables run in the co-kernel";
			return -11;
		}
		if (ph.p_type == COK_PT_DYNAMIC) {
			if (type == COK_ET_EXEC) {
				*why = "dynamically linked (has PT_DYNAMIC): only static executables run in the co-kernel";
				return -11;
			}
			if (have_dyn) {
				*why = "more than one PT_DYNAMIC";
				return -11;
			}
			have_dyn = 1;
			dyn = ph;
		}
	}
	if (have_dyn && !cok_elf_in_file(dyn.p_offset, dyn.p_filesz, size)) {
		*why = "truncated: PT_DYNAMIC ends past the file";
		return -10;
	}
	if (have_dyn && cok_elf_needs_libs(img, &dyn)) {
		*why = "dynamically linked (needs shared libraries): only static executables run in the co-kernel";
		return -11;
	}

	for (i = 0; i < phnum; i++) {
		uint64_t start, end;
		struct cok_elf_load *l;

		cok_elf_phdr_at(img, phoff, i, &ph);
		if (ph.p_type == COK_PT_TLS) {
			if (have_tls) {
				*why = "more than one PT_TLS";
				return -12;
			}
			have_tls = 1;
			if (ph.p_filesz > ph.p_memsz || ph.p_memsz > COK_USER_TOP) {
				*why = "bad PT_TLS sizes";
				return -12;
			}
			info->tls_memsz = ph.p_memsz;
			continue;
		}
		if (ph.p_type == COK_PT_PHDR) {
			if (have_phdr) {
				*why = "more than one PT_PHDR";
				return -12;
			}
			have_phdr = 1;
			info->phdr_vaddr = ph.p_vaddr;
			continue;
		}
		if (ph.p_type != COK_PT_LOAD || ph.p_memsz == 0)
			continue;

		if (ph.p_filesz > ph.p_memsz) {
			*why = "bad PT_LOAD: p_filesz > p_memsz";
			return -13;
		}
		if (!cok_elf_in_file(ph.p_offset, ph.p_filesz, size)) {
			*why = "truncated: a PT_LOAD's bytes end past the file";
			return -13;
		}
		if ((ph.p_vaddr & (COK_ELF_PAGE - 1)) != (ph.p_offset & (COK_ELF_PAGE - 1))) {
			*why = "bad PT_LOAD: p_vaddr and p_offset differ modulo 4096";
			return -13;
		}
		/* vaddr + memsz, rounded up to a page, must not wrap. */
		if (ph.p_memsz > ~(uint64_t)0 - (COK_ELF_PAGE - 1) ||
		    ph.p_vaddr > ~(uint64_t)0 - (COK_ELF_PAGE - 1) - ph.p_memsz) {
			*why = "bad PT_LOAD: p_vaddr + p_memsz overflows";
			return -13;
		}
		start = ph.p_vaddr & ~(COK_ELF_PAGE - 1);
		end = (ph.p_vaddr + ph.p_memsz + COK_ELF_PAGE - 1) & ~(COK_ELF_PAGE - 1);
		if (type == COK_ET_EXEC && (end > COK_USER_TOP || start < COK_USER_BOTTOM)) {
			*why = "bad PT_LOAD: outside the user address range [0x10000, 0x7ffffffff000)";
			return -13;
		}
		if (n > 0 && ph.p_vaddr < info->load[n - 1].vaddr) {
			*why = "bad PT_LOAD: not sorted by address";
			return -14;
		}
		if (n > 0 && start < prev_end) {
			*why = "bad PT_LOAD: segments overlap (or share a page)";
			return -14;
		}
		if (n == COK_ELF_MAX_LOADS) {
			*why = "too many PT_LOAD segments (more than 16)";
			return -15;
		}
		if (n == 0)
			lo = start;
		hi = end;
		prev_end = end;
		l = &info->load[n++];
		l->vaddr = ph.p_vaddr;
		l->memsz = ph.p_memsz;
		l->offset = ph.p_offset;
		l->filesz = ph.p_filesz;
		l->flags = ph.p_flags & (COK_PF_R | COK_PF_W | COK_PF_X);
	}
	if (n == 0) {
		*why = "no PT_LOAD segment";
		return -15;
	}
	if (type == COK_ET_DYN && hi - lo > COK_USER_TOP - COK_USER_BOTTOM) {
		*why = "bad PT_LOAD: the segments span more than the user address range";
		return -13;
	}

	/* The entry: in the file bytes of an executable load. */
	for (i = 0; i < n; i++) {
		const struct cok_elf_load *l = &info->load[i];

		if ((l->flags & COK_PF_X) && entry >= l->vaddr && entry - l->vaddr < l->filesz)
			break;
	}
	if (i == n) {
		*why = "the entry point is not in an executable segment";
		return -16;
	}

	/* AT_PHDR: the table must be mapped, all of it, from the file. */
	if (!have_phdr) {
		for (i = 0; i < n; i++) {
			const struct cok_elf_load *l = &info->load[i];

			if (phoff >= l->offset && phoff - l->offset <= l->filesz &&
			    phsize <= l->filesz - (phoff - l->offset)) {
				info->phdr_vaddr = l->vaddr + (phoff - l->offset);
				break;
			}
		}
	} else {
		for (i = 0; i < n; i++) {
			const struct cok_elf_load *l = &info->load[i];

			if (info->phdr_vaddr >= l->vaddr && info->phdr_vaddr - l->vaddr <= l->filesz &&
			    phsize <= l->filesz - (info->phdr_vaddr - l->vaddr))
				break;
		}
		if (i == n) {
			*why = "PT_PHDR is not inside a loaded segment";
			return -17;
		}
	}

	info->entry = entry;
	info->phnum = phnum;
	info->phentsize = phentsize;
	info->pie = type == COK_ET_DYN;
	info->lowest = lo;
	info->highest = hi;
	info->nloads = n;
	*why = NULL;
	return 0;
}

#endif /* XEMEM_ELF_H */
