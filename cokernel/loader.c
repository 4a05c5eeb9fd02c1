// SPDX-License-Identifier: GPL-2.0
/*
 * Loading a static x86-64 ELF executable into a fresh address space and
 * building the initial stack a Linux program expects: argc, argv, envp
 * and the auxiliary vector (System V x86-64 ABI, section 3.4.1).
 */
#include "cokernel.h"
#include "../xemem/elf.h"

#define PAGE_SIZE	4096ULL
#define SIZE_2M		(1ULL << 21)
#define PIE_BASE	0x0000555555400000ULL	/* 2 MiB aligned */
#define STACK_TOP	COK_USER_STACK_TOP
#define STACK_SIZE	COK_USER_STACK_SIZE
#define STACK_EAGER	(128ULL << 10)	/* mapped at launch; the rest on demand */
#define MMAP_TOP	COK_USER_MMAP_TOP

#define AT_NULL		0
#define AT_PHDR		3
#define AT_PHENT	4
#define AT_PHNUM	5
#define AT_PAGESZ	6
#define AT_BASE		7
#define AT_FLAGS	8
#define AT_ENTRY	9
#define AT_UID		11
#define AT_EUID		12
#define AT_GID		13
#define AT_EGID		14
#define AT_PLATFORM	15
#define AT_HWCAP	16
#define AT_CLKTCK	17
#define AT_SECURE	23
#define AT_RANDOM	25
#define AT_EXECFN	31

static uint64_t page_down(uint64_t v)
{
	return v & ~(PAGE_SIZE - 1);
}

static uint64_t page_up(uint64_t v)
{
	return (v + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

/* A segment's rights, COK_PROT_* from its COK_PF_* flags. */
static uint32_t segment_prot(uint32_t pf)
{
	return (pf & COK_PF_R ? COK_PROT_READ : 0) |
	       (pf & COK_PF_W ? COK_PROT_WRITE : 0) |
	       (pf & COK_PF_X ? COK_PROT_EXEC : 0);
}

static int load_segments(struct cok_proc *p, const uint8_t *elf,
			 const struct cok_elf_info *info, uint64_t base,
			 const char **why)
{
	uint32_t i;

	for (i = 0; i < info->nloads; i++) {
		const struct cok_elf_load *l = &info->load[i];
		uint64_t start = page_down(base + l->vaddr);
		uint64_t end = page_up(base + l->vaddr + l->memsz);
		uint32_t prot = segment_prot(l->flags);

		if (as_map_bits(&p->as, start, end - start, as_prot_bits(prot),
				true) || vm_add(p, start, end, prot, 0) ||
		    as_write(&p->as, base + l->vaddr, elf + l->offset,
			     l->filesz)) {
			*why = "out of memory loading the program";
			return -1;
		}
	}
	p->brk_start = page_up(base + info->highest);
	p->brk = p->brk_start;
	p->mmap_next = MMAP_TOP;
	return 0;
}

struct stack_builder {
	struct cok_aspace *as;
	uint64_t sp;
	bool failed;
};

static uint64_t push_bytes(struct stack_builder *s, const void *p,
			   uint64_t n)
{
	s->sp -= n;
	if (as_write(s->as, s->sp, p, n))
		s->failed = true;
	return s->sp;
}

/* Store one word at va and return the address after it. */
static uint64_t put_word(struct stack_builder *s, uint64_t va, uint64_t v)
{
	if (as_write(s->as, va, &v, sizeof(v)))
		s->failed = true;
	return va + sizeof(v);
}

static uint64_t cpuid_edx_1(void)
{
	uint32_t a = 1, b, c = 0, d;

	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	return d;
}

/*
 * The argument strings first, at the top, as one copy of the blob; then
 * platform and AT_RANDOM bytes; then, at a 16-byte aligned rsp: argc,
 * argv[], NULL, envp[], NULL, auxv pairs.
 */
static int build_stack(struct cok_proc *p, const struct cok_launch_block *b,
		       const struct cok_elf_info *info, uint64_t base,
		       uint64_t *rsp)
{
	const char *blob = (const char *)b + b->strings_offset;
	uint32_t nstr = b->argc + b->envc, i;
	struct stack_builder s = { &p->as, STACK_TOP, false };
	uint64_t random[2], strings, platform, rnd_at, va, nvec, off = 0;
	uint64_t auxv[][2] = {
		{ AT_PHDR, base + info->phdr_vaddr },
		{ AT_PHENT, info->phentsize },
		{ AT_PHNUM, info->phnum },
		{ AT_PAGESZ, PAGE_SIZE },
		{ AT_BASE, 0 },
		{ AT_FLAGS, 0 },
		{ AT_ENTRY, base + info->entry },
		{ AT_UID, 0 }, { AT_EUID, 0 }, { AT_GID, 0 }, { AT_EGID, 0 },
		{ AT_HWCAP, cpuid_edx_1() },
		{ AT_CLKTCK, 100 },
		{ AT_SECURE, 0 },
		{ AT_RANDOM, 0 },	/* [14], filled below */
		{ AT_PLATFORM, 0 },	/* [15] */
		{ AT_EXECFN, 0 },	/* [16] */
		{ AT_NULL, 0 },
	};

	strings = push_bytes(&s, blob, b->strings_size);
	platform = push_bytes(&s, "x86_64", 7);
	rng_bytes(p, random, sizeof(random));
	s.sp &= ~15ULL;
	rnd_at = push_bytes(&s, random, sizeof(random));
	auxv[14][1] = rnd_at;
	auxv[15][1] = platform;
	auxv[16][1] = strings;		/* argv[0] */
	if (!info->phdr_vaddr)
		auxv[0][0] = AT_FLAGS;	/* no PT_PHDR: leave AT_PHDR out */

	nvec = 1 + b->argc + 1 + b->envc + 1 + 2 * ARRAY_SIZE(auxv);
	s.sp = (s.sp - nvec * sizeof(uint64_t)) & ~15ULL;
	va = put_word(&s, s.sp, b->argc);
	for (i = 0; i < nstr; i++) {
		va = put_word(&s, va, strings + off);
		off += strlen(blob + off) + 1;
		if (i + 1 == b->argc)
			va = put_word(&s, va, 0);	/* end of argv */
	}
	va = put_word(&s, va, 0);			/* end of envp */
	for (i = 0; i < ARRAY_SIZE(auxv); i++) {
		va = put_word(&s, va, auxv[i][0]);
		va = put_word(&s, va, auxv[i][1]);
	}
	*rsp = s.sp;
	return s.failed ? -1 : 0;
}

/* The argument strings: argc + envc NUL-ended strings inside the blob. */
static bool strings_ok(const struct cok_launch_block *b, uint64_t staged)
{
	const char *p = (const char *)b + b->strings_offset;
	uint64_t n = 0, i;

	if (b->strings_offset > staged || b->strings_size > staged -
	    b->strings_offset || b->argc == 0 ||
	    (uint64_t)b->argc + b->envc > COK_MAX_STRINGS)
		return false;
	for (i = 0; i < b->strings_size; i++)
		n += p[i] == '\0';
	return n >= (uint64_t)b->argc + b->envc;
}

int load_app(struct cok_proc *p, const struct cok_launch_block *b,
	     uint64_t *entry, uint64_t *rsp, const char **why)
{
	uint64_t staged = b->staged_size, base;
	struct cok_elf_info info;
	const uint8_t *elf;

	if (b->magic != COK_LAUNCH_MAGIC || b->elf_offset > staged ||
	    b->elf_size > staged - b->elf_offset) {
		*why = "malformed launch request";
		return -1;
	}
	if (!strings_ok(b, staged)) {
		*why = "malformed argument strings";
		return -1;
	}
	sysinfo_set_comm(p->thread, (const char *)b + b->strings_offset);
	elf = (const uint8_t *)b + b->elf_offset;
	if (cok_elf_check(elf, b->elf_size, &info, why) < 0)
		return -1;
	/* A static-pie's lowest load goes to PIE_BASE, wherever it was linked. */
	base = info.pie ? PIE_BASE - info.lowest : 0;
	if (base + info.highest < base + info.lowest ||
	    base + info.highest > MMAP_TOP - SIZE_2M) {
		*why = "program loads above 0x7f0000000000, where mmap and the stack live";
		return -1;
	}
	if (as_create(&p->as, COK_OWNER_PROC(p->index)) || vm_init(p)) {
		*why = "out of memory for the address space";
		return -1;
	}
	if (load_segments(p, elf, &info, base, why))
		return -1;
	if (as_map_bits(&p->as, STACK_TOP - STACK_EAGER, STACK_EAGER,
			as_prot_bits(COK_PROT_READ | COK_PROT_WRITE), true) ||
	    vm_add(p, STACK_TOP - STACK_SIZE, STACK_TOP,
		   COK_PROT_READ | COK_PROT_WRITE, COK_VMA_STACK) ||
	    build_stack(p, b, &info, base, rsp)) {
		*why = "out of memory for the stack";
		return -1;
	}
	*entry = base + info.entry;
	return 0;
}
