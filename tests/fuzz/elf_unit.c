// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side unit test of xemem/elf.h (cok_elf_check), built with ASan
 * and UBSan by tests/fuzz/run.sh.
 *
 *   elf_unit [--accept FILE]... [--accept-pie FILE]... [--refuse FILE:WHY]...
 *            [--truncate FILE]... [--write-seeds DIR]
 *
 * --accept FILE       must be accepted as ET_EXEC (pie 0)
 * --accept-pie FILE   must be accepted as a static-pie (pie 1)
 * --refuse FILE:WHY   must be refused with a reason containing WHY
 * --truncate FILE     every prefix shorter than the end of its headers
 *                     and loads must be refused, "truncated"; longer
 *                     ones accepted (each header-sized prefix in an
 *                     exactly sized allocation, so ASan sees overreads)
 * --write-seeds DIR   write the crafted images to DIR (fuzzer seeds)
 * and always: crafted headers (one case per check), garbage.
 *
 * One line per group: "PASS elf/NAME: what" or "FAIL elf/NAME: why";
 * a failing case prints its own FAIL line.  Exit 1 if anything failed.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../xemem/elf.h"
#include "elf_invariants.h"

static int failures;

#define FAILF(...) do { printf("FAIL " __VA_ARGS__); printf("\n"); failures++; } while (0)

/* --- files ------------------------------------------------------------- */

static uint8_t *read_file(const char *path, uint64_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (!f)
		return NULL;
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
		r = fread(buf + n, 1, cap - n, f);
		if (r == 0)
			break;
		n += r;
	}
	fclose(f);
	/* An exactly sized copy, so that ASan catches a read past the end. */
	{
		uint8_t *exact = malloc(n ? n : 1);

		if (!exact)
			abort();
		memcpy(exact, buf, n);
		free(buf);
		buf = exact;
	}
	*size = n;
	return buf;
}

static const char *base(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

static void t_accept(const char *path, int pie)
{
	struct cok_elf_info in;
	const char *why = NULL, *bad;
	uint64_t size;
	uint8_t *img = read_file(path, &size);
	int rc;

	if (!img) {
		FAILF("elf/accept %s: cannot read: %s", path, strerror(errno));
		return;
	}
	rc = cok_elf_check(img, size, &in, &why);
	if (rc != 0)
		FAILF("elf/accept %s: refused (%d): %s", base(path), rc, why);
	else if (why != NULL)
		FAILF("elf/accept %s: accepted but why is not NULL", base(path));
	else if ((bad = cok_elf_info_bad(&in, size, img)))
		FAILF("elf/accept %s: %s", base(path), bad);
	else if ((int)in.pie != pie)
		FAILF("elf/accept %s: pie %u, want %d", base(path), in.pie, pie);
	else if (!in.phdr_vaddr)
		FAILF("elf/accept %s: no phdr_vaddr (AT_PHDR)", base(path));
	else if (cok_elf_check(img, size, NULL, NULL) != 0)
		FAILF("elf/accept %s: refused with info = why = NULL", base(path));
	free(img);
}

static void t_refuse(const char *arg)
{
	char path[4096];
	const char *want = strchr(arg, ':'), *why = NULL;
	struct cok_elf_info in;
	uint64_t size;
	uint8_t *img;
	int rc;

	if (!want || (size_t)(want - arg) >= sizeof(path)) {
		FAILF("elf/refuse %s: bad argument, want FILE:WHY", arg);
		return;
	}
	memcpy(path, arg, (size_t)(want - arg));
	path[want - arg] = 0;
	want++;
	img = read_file(path, &size);
	if (!img) {
		FAILF("elf/refuse %s: cannot read: %s", path, strerror(errno));
		return;
	}
	rc = cok_elf_check(img, size, &in, &why);
	if (rc >= 0)
		FAILF("elf/refuse %s: accepted", path);
	else if (!why || !strstr(why, want))
		FAILF("elf/refuse %s: reason \"%s\", want one containing \"%s\"", path, why ? why : "(null)", want);
	else
		printf("  %s refused: %s\n", path, why);
	free(img);
}

/* Every prefix: refused below the end of headers and loads, else accepted. */
static void t_truncate(const char *path, unsigned int *cases)
{
	struct cok_elf_info in;
	const char *why;
	uint64_t size, need, n, hdr;
	uint8_t *img = read_file(path, &size);
	uint32_t i;

	if (!img) {
		FAILF("elf/truncate %s: cannot read: %s", path, strerror(errno));
		return;
	}
	if (cok_elf_check(img, size, &in, &why)) {
		FAILF("elf/truncate %s: the whole file is refused: %s", base(path), why);
		free(img);
		return;
	}
	hdr = cok_elf_rd64(img + 32) + (uint64_t)in.phnum * 56;
	need = hdr;
	for (i = 0; i < in.nloads; i++)
		if (in.load[i].offset + in.load[i].filesz > need)
			need = in.load[i].offset + in.load[i].filesz;
	for (n = 0; n <= size; n++) {
		const uint8_t *p = img;
		uint8_t *exact = NULL;
		int rc;

		/* Header-sized prefixes in their own allocation (ASan). */
		if (n <= hdr + 64) {
			exact = malloc(n ? n : 1);
			if (!exact)
				abort();
			memcpy(exact, img, n);
			p = exact;
		}
		rc = cok_elf_check(p, n, &in, &why);
		free(exact);
		(*cases)++;
		if (n < need && rc >= 0) {
			FAILF("elf/truncate %s: prefix of %llu bytes accepted (needs %llu)", base(path),
			      (unsigned long long)n, (unsigned long long)need);
			break;
		}
		if (n < need && !(n < 4 ? strstr(why, "not an ELF") : strstr(why, "truncated"))) {
			FAILF("elf/truncate %s: prefix of %llu bytes refused as \"%s\", want \"truncated...\"",
			      base(path), (unsigned long long)n, why);
			break;
		}
		if (n >= need && rc != 0) {
			FAILF("elf/truncate %s: prefix of %llu bytes refused (%s), but has all headers and loads",
			      base(path), (unsigned long long)n, why);
			break;
		}
	}
	free(img);
}

/* --- crafted images ---------------------------------------------------- */

#define IMG_MAX 0x4000

struct img {
	struct cok_elf64_ehdr eh;
	struct cok_elf64_phdr ph[96];
	uint64_t size;
	uint8_t extra[IMG_MAX];	/* the file's bytes other than the headers */
};

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, (uint32_t)(v >> 32)); }

/* Serializes into a malloc'ed buffer of exactly im->size bytes. */
static uint8_t *emit(const struct img *im)
{
	uint8_t *b = calloc(1, im->size ? im->size : 1), hdr[64];
	uint64_t i, n = im->size < IMG_MAX ? im->size : IMG_MAX;

	if (!b)
		abort();
	memcpy(b, im->extra, n);
	memcpy(hdr, im->eh.e_ident, 16);
	put16(hdr + 16, im->eh.e_type);
	put16(hdr + 18, im->eh.e_machine);
	put32(hdr + 20, im->eh.e_version);
	put64(hdr + 24, im->eh.e_entry);
	put64(hdr + 32, im->eh.e_phoff);
	put64(hdr + 40, im->eh.e_shoff);
	put32(hdr + 48, im->eh.e_flags);
	put16(hdr + 52, im->eh.e_ehsize);
	put16(hdr + 54, im->eh.e_phentsize);
	put16(hdr + 56, im->eh.e_phnum);
	put16(hdr + 58, im->eh.e_shentsize);
	put16(hdr + 60, im->eh.e_shnum);
	put16(hdr + 62, im->eh.e_shstrndx);
	memcpy(b, hdr, im->size < 64 ? im->size : 64);
	for (i = 0; i < im->eh.e_phnum && i < 96 && im->eh.e_phoff <= im->size; i++) {
		uint8_t p[56];
		uint64_t off = im->eh.e_phoff + i * 56, k;

		put32(p, im->ph[i].p_type);
		put32(p + 4, im->ph[i].p_flags);
		put64(p + 8, im->ph[i].p_offset);
		put64(p + 16, im->ph[i].p_vaddr);
		put64(p + 24, im->ph[i].p_paddr);
		put64(p + 32, im->ph[i].p_filesz);
		put64(p + 40, im->ph[i].p_memsz);
		put64(p + 48, im->ph[i].p_align);
		for (k = 0; k < 56; k++)
			if (off <= im->size && k < im->size - off)
				b[off + k] = p[k];
	}
	return b;
}

static void ph_set(struct cok_elf64_phdr *p, uint32_t type, uint32_t flags, uint64_t off,
		   uint64_t vaddr, uint64_t filesz, uint64_t memsz)
{
	memset(p, 0, sizeof(*p));
	p->p_type = type;
	p->p_flags = flags;
	p->p_offset = off;
	p->p_vaddr = p->p_paddr = vaddr;
	p->p_filesz = filesz;
	p->p_memsz = memsz;
	p->p_align = 4096;
}

static void eh_set(struct img *im, uint16_t type, uint64_t entry, uint16_t phnum)
{
	memset(&im->eh, 0, sizeof(im->eh));
	memcpy(im->eh.e_ident, "\177ELF", 4);
	im->eh.e_ident[COK_EI_CLASS] = COK_ELFCLASS64;
	im->eh.e_ident[COK_EI_DATA] = COK_ELFDATA2LSB;
	im->eh.e_ident[COK_EI_VERSION] = COK_EV_CURRENT;
	im->eh.e_type = type;
	im->eh.e_machine = COK_EM_X86_64;
	im->eh.e_version = COK_EV_CURRENT;
	im->eh.e_entry = entry;
	im->eh.e_phoff = 64;
	im->eh.e_ehsize = 64;
	im->eh.e_phentsize = 56;
	im->eh.e_phnum = phnum;
}

/* A small static ET_EXEC: R headers page, R+X text, RW data + bss. */
static void base_exec(struct img *im)
{
	memset(im, 0, sizeof(*im));
	eh_set(im, COK_ET_EXEC, 0x401010, 4);
	ph_set(&im->ph[0], COK_PT_LOAD, COK_PF_R, 0, 0x400000, 0x1000, 0x1000);
	ph_set(&im->ph[1], COK_PT_LOAD, COK_PF_R | COK_PF_X, 0x1000, 0x401000, 0x1000, 0x1000);
	ph_set(&im->ph[2], COK_PT_LOAD, COK_PF_R | COK_PF_W, 0x2000, 0x403000, 0x100, 0x3000);
	ph_set(&im->ph[3], COK_PT_TLS, COK_PF_R, 0x2000, 0x403000, 0x10, 0x40);
	im->size = 0x2100;
	memset(im->extra + 0x1000, 0x90, 0x1000);	/* nops */
}

/* A small static-pie: PT_PHDR, loads from 0, a PT_DYNAMIC without DT_NEEDED. */
static void base_pie(struct img *im)
{
	memset(im, 0, sizeof(*im));
	eh_set(im, COK_ET_DYN, 0x1010, 5);
	ph_set(&im->ph[0], COK_PT_PHDR, COK_PF_R, 64, 64, 5 * 56, 5 * 56);
	ph_set(&im->ph[1], COK_PT_LOAD, COK_PF_R, 0, 0, 0x1000, 0x1000);
	ph_set(&im->ph[2], COK_PT_LOAD, COK_PF_R | COK_PF_X, 0x1000, 0x1000, 0x1000, 0x1000);
	ph_set(&im->ph[3], COK_PT_LOAD, COK_PF_R | COK_PF_W, 0x2000, 0x3000, 0x100, 0x2000);
	ph_set(&im->ph[4], COK_PT_DYNAMIC, COK_PF_R | COK_PF_W, 0x2000, 0x3000, 0x40, 0x40);
	/* DT_FLAGS_1 = DF_1_PIE, DT_RELA..., DT_NULL */
	put64(im->extra + 0x2000, 0x6ffffffb);
	put64(im->extra + 0x2008, 0x08000000);
	put64(im->extra + 0x2010, 7);
	put64(im->extra + 0x2018, 0x1000);
	put64(im->extra + 0x2020, 0);
	im->size = 0x2100;
	memset(im->extra + 0x1000, 0x90, 0x1000);
}

static const char *seed_dir;
static unsigned int seed_n;

static void seed(const uint8_t *b, uint64_t n, const char *name)
{
	char path[4096];
	FILE *f;

	if (!seed_dir)
		return;
	snprintf(path, sizeof(path), "%s/crafted-%03u-%s", seed_dir, seed_n++, name);
	f = fopen(path, "wb");
	if (!f || fwrite(b, 1, n, f) != n)
		FAILF("elf/seeds: cannot write %s: %s", path, strerror(errno));
	if (f)
		fclose(f);
}

static unsigned int crafted_n, crafted_fail;

#define CFAIL(...) do { FAILF(__VA_ARGS__); crafted_fail++; } while (0)

/* want NULL: must be accepted; else refused with a reason containing want. */
static void check(const char *name, const struct img *im, const char *want)
{
	uint8_t *b = emit(im);
	struct cok_elf_info in;
	const char *why = NULL, *bad;
	int rc = cok_elf_check(b, im->size, &in, &why);

	crafted_n++;
	seed(b, im->size, name);
	if (!want) {
		if (rc != 0) {
			FAILF("elf/crafted %s: refused: %s", name, why);
			crafted_fail++;
		} else if ((bad = cok_elf_info_bad(&in, im->size, b))) {
			FAILF("elf/crafted %s: %s", name, bad);
			crafted_fail++;
		}
	} else if (rc >= 0) {
		FAILF("elf/crafted %s: accepted, want refused (%s)", name, want);
		crafted_fail++;
	} else if (cok_elf_why_bad(why) || !strstr(why, want)) {
		FAILF("elf/crafted %s: reason \"%s\", want one containing \"%s\"", name, why ? why : "(null)", want);
		crafted_fail++;
	}
	free(b);
}

static void t_crafted(void)
{
	struct img *im = malloc(sizeof(*im));
	struct cok_elf_info in;
	const char *why;
	uint8_t *b;
	int i;

	if (!im)
		abort();

	base_exec(im); check("exec-ok", im, NULL);
	b = emit(im);
	if (cok_elf_check(b, im->size, &in, &why) == 0) {
		if (in.phdr_vaddr != 0x400040)
			CFAIL("elf/crafted exec-phdr: phdr_vaddr %#llx, want 0x400040", (unsigned long long)in.phdr_vaddr);
		if (in.lowest != 0x400000 || in.highest != 0x406000)
			CFAIL("elf/crafted exec-span: [%#llx, %#llx), want [0x400000, 0x406000)",
			      (unsigned long long)in.lowest, (unsigned long long)in.highest);
		if (in.tls_memsz != 0x40 || in.nloads != 3 || in.pie)
			CFAIL("elf/crafted exec-info: tls %llu nloads %u pie %u", (unsigned long long)in.tls_memsz,
			      in.nloads, in.pie);
		if (in.load[1].flags != (COK_PF_R | COK_PF_X) || in.load[2].memsz != 0x3000)
			CFAIL("elf/crafted exec-loads: load[] not as in the file");
	}
	free(b);
	base_pie(im); check("pie-ok", im, NULL);
	b = emit(im);
	if (cok_elf_check(b, im->size, &in, &why) == 0 && (in.phdr_vaddr != 64 || !in.pie || in.lowest != 0))
		CFAIL("elf/crafted pie-info: phdr_vaddr %#llx pie %u lowest %#llx", (unsigned long long)in.phdr_vaddr,
		      in.pie, (unsigned long long)in.lowest);
	free(b);

	/* The ELF header. */
	base_exec(im); im->size = 0; check("empty", im, "not an ELF file");
	base_exec(im); im->eh.e_ident[0] = 0x7e; check("bad-magic", im, "not an ELF file");
	base_exec(im); im->eh.e_ident[COK_EI_CLASS] = COK_ELFCLASS32; check("class32", im, "32-bit ELF");
	base_exec(im); im->eh.e_ident[COK_EI_CLASS] = 3; check("class3", im, "class");
	base_exec(im); im->eh.e_ident[COK_EI_DATA] = 2; check("big-endian", im, "big-endian");
	base_exec(im); im->eh.e_ident[COK_EI_VERSION] = 0; check("ident-version", im, "version");
	base_exec(im); im->eh.e_version = 2; check("e-version", im, "version");
	base_exec(im); im->eh.e_machine = 40; check("arm", im, "e_machine 40");
	base_exec(im); im->eh.e_machine = 3; check("i386-machine", im, "e_machine 3");
	base_exec(im); im->eh.e_machine = 0x1234; check("machine-other", im, "not an x86-64 executable");
	base_exec(im); im->eh.e_type = 1; check("relocatable", im, "relocatable");
	base_exec(im); im->eh.e_type = 4; check("core", im, "core");
	base_exec(im); im->eh.e_type = 0xfe00; check("type-os", im, "not an executable");
	base_pie(im); im->eh.e_entry = 0; check("shared-lib", im, "shared library");
	base_exec(im); im->eh.e_phentsize = 32; check("phentsize", im, "e_phentsize");
	base_exec(im); im->eh.e_phnum = 0; check("phnum0", im, "no program headers");
	base_exec(im); im->eh.e_phnum = 74; check("phnum74", im, "too many program headers");
	base_exec(im); im->eh.e_phnum = 0xffff; check("phnum-xnum", im, "too many program headers");
	base_exec(im); im->eh.e_phoff = 0x2100; check("phoff-at-end", im, "truncated: program headers");
	base_exec(im); im->eh.e_phoff = 0x20f0; check("phoff-straddles", im, "truncated: program headers");
	base_exec(im); im->eh.e_phoff = ~0ULL - 8; check("phoff-wraps", im, "truncated: program headers");

	/* Dynamic linking. */
	base_exec(im); im->eh.e_phnum = 5;
	ph_set(&im->ph[4], COK_PT_INTERP, COK_PF_R, 0x200, 0x400200, 0x1c, 0x1c);
	check("interp", im, "dynamically linked (has PT_INTERP)");
	base_pie(im); im->eh.e_phnum = 6;
	ph_set(&im->ph[5], COK_PT_INTERP, COK_PF_R, 0x200, 0x200, 0x1c, 0x1c);
	check("pie-interp", im, "dynamically linked (has PT_INTERP)");
	base_exec(im); im->eh.e_phnum = 5;
	ph_set(&im->ph[4], COK_PT_DYNAMIC, COK_PF_R | COK_PF_W, 0x2000, 0x403000, 0x40, 0x40);
	check("exec-dynamic", im, "dynamically linked");
	base_pie(im); put64(im->extra + 0x2010, COK_DT_NEEDED); check("pie-needed", im, "needs shared libraries");
	base_pie(im); im->ph[4].p_offset = 0x20f0; check("pie-dynamic-past-end", im, "truncated: PT_DYNAMIC");
	base_pie(im); im->eh.e_phnum = 6; im->ph[0].p_filesz = im->ph[0].p_memsz = 6 * 56;
	ph_set(&im->ph[5], COK_PT_DYNAMIC, COK_PF_R, 0x2000, 0x3000, 0x40, 0x40);
	check("two-dynamic", im, "more than one PT_DYNAMIC");
	base_pie(im); put64(im->extra + 0x2020, 0x1e); put64(im->extra + 0x2030, COK_DT_NEEDED);
	im->ph[4].p_filesz = 0x20; check("pie-needed-after-filesz", im, NULL);
	base_pie(im); put64(im->extra + 0x2020, 0x1e); put64(im->extra + 0x2030, COK_DT_NEEDED);
	im->ph[4].p_filesz = 0x40; check("pie-needed-before-null", im, "needs shared libraries");

	/* Loads. */
	base_exec(im); im->ph[2].p_filesz = 0x4000; check("filesz-gt-memsz", im, "p_filesz > p_memsz");
	base_exec(im); im->ph[2].p_filesz = 0x200; check("load-past-end", im, "truncated: a PT_LOAD");
	base_exec(im); im->ph[2].p_offset = ~0ULL - 0x10; im->ph[2].p_vaddr = 0x403000 + ((~0ULL - 0x10) & 4095);
	check("load-offset-wraps", im, "truncated: a PT_LOAD");
	base_exec(im); im->ph[2].p_vaddr = 0x403008; check("incongruent", im, "modulo 4096");
	base_exec(im); im->ph[2].p_vaddr = ~0ULL - 0xfff; im->ph[2].p_offset = 0x2000;
	check("vaddr-memsz-wraps", im, "overflows");
	base_exec(im); im->ph[2].p_memsz = ~0ULL; im->ph[2].p_filesz = 0x100;
	check("memsz-huge", im, "overflows");
	base_exec(im); im->ph[2].p_vaddr = COK_USER_TOP - 0x1000; check("above-top", im, "outside the user address range");
	base_exec(im); im->ph[2].p_vaddr = COK_USER_TOP - 0x3000; check("ends-at-top", im, NULL);
	base_exec(im); im->ph[2].p_vaddr = 0x800000000000ULL; check("kernel-half", im, "outside the user address range");
	base_exec(im); im->ph[0].p_vaddr = 0; check("page-zero", im, "outside the user address range");
	base_exec(im); im->ph[0].p_vaddr = 0x10000; check("at-bottom", im, NULL);
	base_pie(im); im->ph[3].p_vaddr = 0x800000000000ULL; im->ph[4].p_vaddr = 0x800000000000ULL;
	check("pie-span-huge", im, "span more than");
	base_pie(im);
	for (i = 1; i < 5; i++)
		im->ph[i].p_vaddr += 0xffff800000000000ULL;
	im->ph[0].p_vaddr += 0xffff800000000000ULL; im->eh.e_entry += 0xffff800000000000ULL;
	check("pie-high-vaddrs", im, NULL);
	base_pie(im); im->ph[3].p_vaddr = ~0ULL - 0xfff; im->ph[3].p_offset = 0x2000; check("pie-wraps", im, "overflows");
	base_exec(im); im->ph[2].p_vaddr = 0x3f0000; check("unsorted", im, "not sorted");
	base_exec(im); im->ph[2].p_vaddr = 0x401000; check("overlap", im, "overlap");
	base_exec(im); im->ph[1].p_memsz = 0x1800; im->ph[2].p_vaddr = 0x402000; check("share-page", im, "share a page");
	base_exec(im); im->ph[1].p_memsz = 0x1000; im->ph[2].p_vaddr = 0x402000; check("adjacent", im, NULL);
	base_exec(im); im->ph[2].p_memsz = 0; im->ph[2].p_filesz = 0; im->ph[2].p_offset = ~0ULL;
	check("empty-load-skipped", im, NULL);
	base_exec(im); im->eh.e_phnum = 1; im->ph[0].p_type = 4; check("no-load", im, "no PT_LOAD");
	base_exec(im); im->eh.e_phnum = 3; im->ph[2].p_type = 0x6474e551; check("gnu-stack", im, NULL);

	/* 16 loads accepted, 17 refused: headers, text, then data loads. */
	for (i = 16; i <= 17; i++) {
		int k;

		base_exec(im);
		im->eh.e_phnum = (uint16_t)i;
		for (k = 2; k < i; k++)
			ph_set(&im->ph[k], COK_PT_LOAD, COK_PF_R | COK_PF_W, 0x1000 + (uint64_t)k * 0x80,
			       0x500000 + (uint64_t)k * 0x10000 + (uint64_t)k * 0x80, 0x10, 0x10);
		check(i == 16 ? "loads16" : "loads17", im, i == 16 ? NULL : "too many PT_LOAD");
	}

	/* The entry. */
	base_exec(im); im->eh.e_entry = 0x403010; check("entry-in-data", im, "entry point");
	base_exec(im); im->eh.e_entry = 0x402000; check("entry-after-text", im, "entry point");
	base_exec(im); im->eh.e_entry = 0x300000; check("entry-unmapped", im, "entry point");
	base_exec(im); im->ph[1].p_filesz = 0x8; im->ph[1].p_memsz = 0x1000; check("entry-in-bss", im, "entry point");
	base_exec(im); im->eh.e_entry = 0x401fff; check("entry-last-byte", im, NULL);

	/* PT_PHDR, PT_TLS. */
	base_pie(im); im->ph[0].p_vaddr = 0x2f00; check("phdr-outside", im, "PT_PHDR");
	base_pie(im); im->ph[0].p_vaddr = 0x0f00; check("phdr-straddles", im, "PT_PHDR");
	base_pie(im); im->eh.e_phnum = 6; im->ph[0].p_filesz = im->ph[0].p_memsz = 6 * 56;
	ph_set(&im->ph[5], COK_PT_PHDR, COK_PF_R, 64, 64, 6 * 56, 6 * 56);
	check("two-phdr", im, "more than one PT_PHDR");
	base_exec(im); im->ph[3].p_filesz = 0x100; check("tls-filesz", im, "PT_TLS");
	base_exec(im); im->eh.e_phnum = 5; ph_set(&im->ph[4], COK_PT_TLS, COK_PF_R, 0x2000, 0x403000, 0, 8);
	check("two-tls", im, "more than one PT_TLS");
	base_exec(im); im->eh.e_phoff = 0x2080; im->size = 0x2080 + 4 * 56;
	check("phdrs-not-loaded", im, NULL);
	b = emit(im);
	if (cok_elf_check(b, im->size, &in, &why) == 0 && in.phdr_vaddr != 0)
		CFAIL("elf/crafted phdrs-not-loaded: phdr_vaddr %#llx, want 0", (unsigned long long)in.phdr_vaddr);
	free(b);

	/* Unaligned: the image at an odd address. */
	{
		uint8_t *raw;

		base_exec(im);
		b = emit(im);
		raw = malloc(im->size + 1);
		if (!raw)
			abort();
		memcpy(raw + 1, b, im->size);
		if (cok_elf_check(raw + 1, im->size, &in, &why) != 0)
			CFAIL("elf/crafted unaligned: refused: %s", why);
		crafted_n++;
		free(raw);
		free(b);
	}
	/* NULL image. */
	if (cok_elf_check(NULL, 100, &in, &why) >= 0 || !strstr(why, "not an ELF"))
		CFAIL("elf/crafted null-image: not refused");
	crafted_n++;

	if (!crafted_fail)
		printf("PASS elf/crafted: %u crafted headers, each accepted or refused with its reason\n", crafted_n);
	free(im);
}

/* Random bytes, and random bytes behind a valid ident: refused, no crash. */
static void t_garbage(void)
{
	uint64_t x = 0x2545f4914f6cdd1dULL;
	unsigned int n, runs = 0, bad = 0, accepted = 0;
	struct cok_elf_info in;
	const char *why;
	static const char text[] = "#!/bin/sh\necho this is not an ELF file\n";

	if (cok_elf_check(text, sizeof(text) - 1, &in, &why) >= 0 || strcmp(why, "not an ELF file")) {
		FAILF("elf/garbage: a shell script is not refused as \"not an ELF file\"");
		bad++;
	}
	for (n = 0; n < 20000; n++) {
		uint64_t len = (n * 7919u) % 4096, i;
		uint8_t *b = malloc(len ? len : 1);
		int rc;

		if (!b)
			abort();
		for (i = 0; i < len; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			b[i] = (uint8_t)x;
		}
		if ((n & 1) && len >= 64) {	/* a valid ident and machine */
			memcpy(b, "\177ELF\2\1\1", 7);
			b[16] = 2; b[17] = 0; b[18] = 62; b[19] = 0;
			b[20] = 1; b[21] = b[22] = b[23] = 0;
			if (n & 2) {
				b[54] = 56; b[55] = 0;
				b[32] = 64; for (i = 33; i < 40; i++) b[i] = 0;
				b[57] = 0; b[56] %= 16;
			}
		}
		rc = cok_elf_check(b, len, &in, &why);
		runs++;
		if (rc >= 0)
			accepted++;
		else if (cok_elf_why_bad(why))
			bad++;
		free(b);
	}
	if (accepted || bad)
		FAILF("elf/garbage: %u of %u random images accepted, %u refused without a one-line reason",
		      accepted, runs, bad);
	else
		printf("PASS elf/garbage: %u random images (half with a valid ELF ident) refused\n", runs);
}

int main(int argc, char **argv)
{
	unsigned int n_acc = 0, n_pie = 0, n_ref = 0, n_tr = 0, tr_cases = 0;
	int f0, i, f_acc = 0, f_pie = 0, f_ref = 0, f_tr = 0;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--write-seeds") && i + 1 < argc)
			seed_dir = argv[i + 1];
	for (i = 1; i + 1 < argc; i += 2) {
		const char *o = argv[i], *v = argv[i + 1];

		f0 = failures;
		if (!strcmp(o, "--accept")) {
			t_accept(v, 0);
			n_acc++;
			f_acc += failures - f0;
		} else if (!strcmp(o, "--accept-pie")) {
			t_accept(v, 1);
			n_pie++;
			f_pie += failures - f0;
		} else if (!strcmp(o, "--refuse")) {
			t_refuse(v);
			n_ref++;
			f_ref += failures - f0;
		} else if (!strcmp(o, "--truncate")) {
			t_truncate(v, &tr_cases);
			n_tr++;
			f_tr += failures - f0;
		} else if (strcmp(o, "--write-seeds")) {
			fprintf(stderr, "usage: elf_unit [--accept F] [--accept-pie F] [--refuse F:WHY] [--truncate F] [--write-seeds DIR]\n");
			printf("FAIL elf/unit: bad argument %s\n", o);
			return 2;
		}
	}
	if (i < argc) {
		printf("FAIL elf/unit: option %s without a value\n", argv[i]);
		return 2;
	}
	if (n_acc && !f_acc)
		printf("PASS elf/accept: %u static test apps accepted (ET_EXEC)\n", n_acc);
	if (n_pie && !f_pie)
		printf("PASS elf/accept-static-pie: %u static-pie apps accepted (ET_DYN, pie 1)\n", n_pie);
	if (n_ref && !f_ref)
		printf("PASS elf/refuse-files: %u files refused with the expected reason\n", n_ref);
	if (n_tr && !f_tr)
		printf("PASS elf/truncate: %u files, %u prefixes: shorter than headers + loads refused as truncated, longer accepted\n",
		       n_tr, tr_cases);
	t_crafted();
	t_garbage();
	return failures ? 1 : 0;
}
