// SPDX-License-Identifier: GPL-2.0
/*
 * Host test of an app's memory as its proxy reaches it:
 *   - the page walk of xemem/pgwalk.h (cok_pgwalk), which the module runs
 *     for COK_IOC_APP_MEM, over page tables in a fake enclave
 *     (fake_enclave.c) through its table lookup (fake_table);
 *   - the module's rules for the frames the walk reaches and its copies
 *     run by run, as fake_app_mem models kmod/appmem.c;
 *   - the userland API (appmem.c) through a wrapped ioctl
 *     (-Wl,--wrap=ioctl) that serves COK_IOC_APP_MEM from the fake.
 *
 * Chunks (enclave offset = index * 2 MiB; "physical" addresses made up):
 *   c0 0x40000000   the channel: no app frame may lie here
 *   c1 0x10000000   page tables; its last page is followed physically
 *   c2 0x10200000     by c2, next in the host too
 *   c3 0x7fe00000   4 KiB data pages
 *   c4 0x10400000   follows c2 physically, not in the host
 *   c5 0x200000000  above 4 GiB: a 2 MiB page
 *   c6 0x0fe00000   4 KiB data pages, below c1 physically
 *   c7 0xc0000000   the start of a 1 GiB page
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "appmem.h"
#include "fake_enclave.h"
#include "test_check.h"
#include "../xemem/channel.h"
#include "../xemem/pgwalk.h"

#define MB(x)	((uint64_t)(x) << 20)
#define GB(x)	((uint64_t)(x) << 30)
#define RW	(COK_PTE_U | COK_PTE_W)
#define RO	(COK_PTE_U)
#define NX	(1ULL << 63)
#define FAKE_FD	1000	/* the "device file" the wrapped ioctl serves */

static const uint64_t phys8[8] = {
	0x40000000, 0x10000000, 0x10200000, 0x7fe00000,
	0x10400000, 0x200000000, 0x0fe00000, 0xc0000000,
};

static struct fake_enclave fe;
static struct cok_appmem m;

/* --- the device: COK_IOC_APP_MEM served from the fake ------------------- */

static int nioctls;
static struct cok_ioc_app_mem last;

int __real_ioctl(int fd, unsigned long req, ...);

int __wrap_ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;
	int r;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (fd != FAKE_FD)
		return __real_ioctl(fd, req, arg);
	if (req != COK_IOC_APP_MEM) {
		errno = ENOTTY;
		return -1;
	}
	nioctls++;
	last = *(struct cok_ioc_app_mem *)arg;
	r = fake_app_mem(&fe, arg);
	if (r) {
		errno = -r;
		return -1;
	}
	return 0;
}

static uint8_t *chunk_host(int c, uint64_t off)
{
	return fe.mem + ((uint64_t)c << COK_CHUNK_SHIFT) + off;
}

static void setup(void)
{
	if (fake_init(&fe, 8, phys8)) {
		printf("FAIL appmem/setup: fake_init\n");
		exit(1);
	}
	cok_appmem_init(&m, FAKE_FD);
	nioctls = 0;
}

static void teardown(void)
{
	fake_fini(&fe);
}

/* cok_pgwalk through the fake's tables. */
static int walk(uint64_t cr3, uint64_t va, int write, uint64_t *phys,
		uint64_t *span)
{
	uint64_t s = 0;

	if (!span)
		span = &s;
	return cok_pgwalk(cr3, va, write, fake_table, &fe, phys, span);
}

/* --- the walk ------------------------------------------------------------ */

static void test_translate(void)
{
	uint64_t pa, ph;

	t_begin("pgwalk/translate-4k-2m-1g");
	setup();
	/* 4 KiB page in c3. */
	pa = fake_page(&fe, 3);
	fake_map_4k(&fe, 0x400000, pa, RW);
	T_EQ(walk(fe.cr3, 0x400123, 1, &ph, NULL), 0);
	T_EQ(ph, pa + 0x123);
	/* A 2 MiB page on c5 (above 4 GiB). */
	fake_map_2m(&fe, 0x40000000, phys8[5], RW);
	T_EQ(walk(fe.cr3, 0x40012345, 0, &ph, NULL), 0);
	T_EQ(ph, phys8[5] + 0x12345);
	T_EQ(walk(fe.cr3, 0x401fffff, 0, &ph, NULL), 0);
	T_EQ(ph, phys8[5] + 0x1fffff);
	/*
	 * A 1 GiB page whose first 2 MiB are c7; the rest is no chunk, which
	 * the walk does not judge (the module does: appmem/module-frames).
	 */
	fake_map_1g(&fe, 0x80000000, 0xc0000000, RW);
	T_EQ(walk(fe.cr3, 0x80001008, 1, &ph, NULL), 0);
	T_EQ(ph, 0xc0001008);
	T_EQ(walk(fe.cr3, 0x80200000, 0, &ph, NULL), 0);
	T_EQ(ph, 0xc0200000);
	/* A 1 GiB page over c0 and c3 (0x40000000 .. 0x80000000), read-only. */
	fake_map_1g(&fe, 0xc0000000, 0x40000000, RO);
	T_EQ(walk(fe.cr3, 0xc0000000 + 0x3fe00010, 0, &ph, NULL), 0);
	T_EQ(ph, phys8[3] + 0x10);
	T_EQ(walk(fe.cr3, 0xc0000000 + 0x3fe00010, 1, &ph, NULL), -1);
	/* PCID bits in CR3 do not matter. */
	T_EQ(walk(fe.cr3 | 0x5, 0x400000, 0, &ph, NULL), 0);
	T_EQ(walk(fe.cr3 | 0xfff, 0x400000, 0, &ph, NULL), 0);
	T_EQ(ph, pa);
	/* The same bytes the reference walk sees. */
	memcpy(fake_host(&fe, pa), "hello", 6);
	T_EQ(walk(fe.cr3, 0x400000, 0, &ph, NULL), 0);
	T_CHECK(!memcmp(fake_host(&fe, ph), "hello", 6), "4k: content");
	fake_poke(&fe, 0x40000000 + 0x777, "2m", 3);
	T_EQ(walk(fe.cr3, 0x40000777, 0, &ph, NULL), 0);
	T_CHECK(!memcmp(fake_host(&fe, ph), "2m", 3), "2m: content");
	t_end();
	teardown();
}

static void test_span(void)
{
	uint64_t ph, sp;

	t_begin("pgwalk/span-to-page-end");
	setup();
	fake_map_4k(&fe, 0x400000, fake_page(&fe, 3), RW);
	fake_map_2m(&fe, 0x40000000, phys8[5], RW);
	fake_map_1g(&fe, 0x80000000, 0xc0000000, RW);
	fake_map_4k(&fe, 0x7fffffffe000ULL, fake_page(&fe, 3), RW);
	/* 4 KiB. */
	T_EQ(walk(fe.cr3, 0x400000, 0, &ph, &sp), 0);
	T_EQ(sp, 4096);
	T_EQ(walk(fe.cr3, 0x400123, 1, &ph, &sp), 0);
	T_EQ(sp, 4096 - 0x123);
	T_EQ(walk(fe.cr3, 0x400fff, 0, &ph, &sp), 0);
	T_EQ(sp, 1);
	/* 2 MiB. */
	T_EQ(walk(fe.cr3, 0x40000000, 0, &ph, &sp), 0);
	T_EQ(sp, MB(2));
	T_EQ(walk(fe.cr3, 0x40012345, 0, &ph, &sp), 0);
	T_EQ(sp, MB(2) - 0x12345);
	T_EQ(walk(fe.cr3, 0x401fffff, 1, &ph, &sp), 0);
	T_EQ(sp, 1);
	/* 1 GiB. */
	T_EQ(walk(fe.cr3, 0x80000000, 0, &ph, &sp), 0);
	T_EQ(sp, GB(1));
	T_EQ(walk(fe.cr3, 0x80001008, 1, &ph, &sp), 0);
	T_EQ(sp, GB(1) - 0x1008);
	T_EQ(walk(fe.cr3, 0xbfffffff, 0, &ph, &sp), 0);
	T_EQ(sp, 1);
	/* The PAT bit of a 2 MiB entry is not an address bit. */
	fake_map_2m(&fe, 0x40200000, phys8[5] | 0x1000, RW);
	T_EQ(walk(fe.cr3, 0x40200010, 0, &ph, &sp), 0);
	T_EQ(ph, phys8[5] + 0x10);
	T_EQ(sp, MB(2) - 0x10);
	/* The last page of user space. */
	T_EQ(walk(fe.cr3, 0x7fffffffe800ULL, 0, &ph, &sp), 0);
	T_EQ(sp, 0x800);
	t_end();
	teardown();
}

static void test_permissions(void)
{
	uint64_t *e, ph;

	t_begin("pgwalk/permissions");
	setup();
	fake_map_4k(&fe, 0x400000, fake_page(&fe, 3), COK_PTE_W);  /* no U */
	fake_map_4k(&fe, 0x401000, fake_page(&fe, 3), RO);
	fake_map_4k(&fe, 0x402000, fake_page(&fe, 3), RW);
	T_EQ(walk(fe.cr3, 0x400000, 0, &ph, NULL), -1);
	T_EQ(walk(fe.cr3, 0x401000, 0, &ph, NULL), 0);
	T_EQ(walk(fe.cr3, 0x401000, 1, &ph, NULL), -1);
	T_EQ(walk(fe.cr3, 0x402000, 1, &ph, NULL), 0);
	/* Not present: the leaf, and a whole region. */
	T_EQ(walk(fe.cr3, 0x403000, 0, &ph, NULL), -1);
	T_EQ(walk(fe.cr3, 0x7f0000000000ULL, 0, &ph, NULL), -1);
	T_EQ(walk(fe.cr3, 0, 0, &ph, NULL), -1);
	/* U and W without P. */
	e = fake_entry(&fe, 0x402000, 12);
	*e &= ~COK_PTE_P;
	T_EQ(walk(fe.cr3, 0x402000, 0, &ph, NULL), -1);
	*e |= COK_PTE_P;

	/* Upper levels: no U in the PD entry, then no W in the PDPT entry. */
	fe.table_flags = COK_PTE_P | COK_PTE_W;
	fake_map_4k(&fe, 0x100000000000ULL, fake_page(&fe, 3), RW);
	fe.table_flags = COK_PTE_P | COK_PTE_W | COK_PTE_U;
	T_EQ(walk(fe.cr3, 0x100000000000ULL, 0, &ph, NULL), -1);
	e = fake_entry(&fe, 0x100000000000ULL, 39);
	T_CHECK(e && !(*e & COK_PTE_U), "setup: PML4E without U");
	*e |= COK_PTE_U;
	e = fake_entry(&fe, 0x100000000000ULL, 30);
	*e |= COK_PTE_U;
	e = fake_entry(&fe, 0x100000000000ULL, 21);
	*e |= COK_PTE_U;
	T_EQ(walk(fe.cr3, 0x100000000000ULL, 1, &ph, NULL), 0);
	e = fake_entry(&fe, 0x100000000000ULL, 30);
	*e &= ~COK_PTE_W;
	T_EQ(walk(fe.cr3, 0x100000000000ULL, 1, &ph, NULL), -1);
	T_EQ(walk(fe.cr3, 0x100000000000ULL, 0, &ph, NULL), 0);

	/* NX (bit 63) anywhere, and PAT (bit 7) in a PTE: no address bits. */
	e = fake_entry(&fe, 0x402000, 12);
	*e |= NX | COK_PTE_PS;
	e = fake_entry(&fe, 0x402000, 21);
	*e |= NX;
	T_EQ(walk(fe.cr3, 0x402010, 1, &ph, NULL), 0);
	T_EQ(ph, (*fake_entry(&fe, 0x402000, 12) & COK_PTE_ADDR) + 0x10);
	T_CHECK(ph < (1ULL << 52), "NX taken as an address bit");

	/* PS in a PML4 entry is reserved, even with no reserved address bit. */
	e = fake_entry(&fe, 0x100000000000ULL, 39);
	*e |= COK_PTE_PS;
	T_EQ(walk(fe.cr3, 0x100000000000ULL, 0, &ph, NULL), -1);
	*e &= ~COK_PTE_PS;
	e = fake_entry(&fe, 0x180000000000ULL, 39);
	*e = COK_PTE_P | COK_PTE_W | COK_PTE_U | COK_PTE_PS;	/* at phys 0 */
	T_EQ(walk(fe.cr3, 0x180000000000ULL, 0, &ph, NULL), -1);
	*e = 0;

	/* 2 MiB entries: PAT (bit 12) is fine, bit 13 is reserved. */
	fake_map_2m(&fe, 0x40000000, phys8[5] | 0x1000, RW);
	T_EQ(walk(fe.cr3, 0x40000010, 0, &ph, NULL), 0);
	T_EQ(ph, phys8[5] + 0x10);	/* PAT not taken as address */
	fake_map_2m(&fe, 0x40000000, phys8[5] | 0x2000, RW);
	T_EQ(walk(fe.cr3, 0x40000010, 0, &ph, NULL), -1);
	fake_map_2m(&fe, 0x40000000, phys8[5] | 0x100000, RW);	/* bit 20 */
	T_EQ(walk(fe.cr3, 0x40000010, 0, &ph, NULL), -1);
	/* 1 GiB entries: PAT is fine, bits 13..29 are reserved. */
	fake_map_1g(&fe, 0x80000000, 0xc0000000 | 0x1000, RW);
	T_EQ(walk(fe.cr3, 0x80000010, 0, &ph, NULL), 0);
	T_EQ(ph, 0xc0000010);
	fake_map_1g(&fe, 0x80000000, 0xc0000000 | 0x2000, RW);
	T_EQ(walk(fe.cr3, 0x80000010, 0, &ph, NULL), -1);
	fake_map_1g(&fe, 0x80000000, 0xc0000000 | 0x20000000, RW);	/* 29 */
	T_EQ(walk(fe.cr3, 0x80000010, 0, &ph, NULL), -1);
	fake_map_1g(&fe, 0x80000000, 0xc0000000 | 0x200000, RW);	/* 21 */
	T_EQ(walk(fe.cr3, 0x80000010, 0, &ph, NULL), -1);

	/*
	 * A leaf outside every chunk: the walk gives its address (the
	 * module refuses it, appmem/module-frames); a table outside every
	 * chunk, or a CR3 there, ends the walk.
	 */
	fake_map_4k(&fe, 0x404000, 0x50000000, RW);
	T_EQ(walk(fe.cr3, 0x404000, 0, &ph, NULL), 0);
	T_EQ(ph, 0x50000000);
	e = fake_entry(&fe, 0x100000000000ULL, 21);
	*e = (*e & ~COK_PTE_ADDR) | 0x50000000;
	T_EQ(walk(fe.cr3, 0x100000000000ULL, 0, &ph, NULL), -1);
	T_EQ(walk(0x50000000, 0x402000, 0, &ph, NULL), -1);
	T_EQ(walk(0, 0x402000, 0, &ph, NULL), -1);
	T_EQ(walk(~0ULL, 0x402000, 0, &ph, NULL), -1);

	/* The end of user space, and kernel addresses, even if mapped. */
	fake_map_4k(&fe, 0x7fffffffe000ULL, fake_page(&fe, 3), RW);
	fake_map_4k(&fe, 0x7ffffffff000ULL, fake_page(&fe, 3), RW);
	T_EQ(walk(fe.cr3, 0x7fffffffefffULL, 0, &ph, NULL), 0);
	T_EQ(walk(fe.cr3, 0x7ffffffff000ULL, 0, &ph, NULL), -1);
	T_EQ(walk(fe.cr3, COK_USER_TOP, 0, &ph, NULL), -1);
	/* Mapped at PML4 index 256 (as 0x800000400000 would be), refused. */
	fake_map_4k(&fe, 0x0000800000400000ULL, fake_page(&fe, 3), RW);
	T_EQ(walk(fe.cr3, 0x0000800000400000ULL, 0, &ph, NULL), -1);
	T_EQ(walk(fe.cr3, 0xffff800000400000ULL, 0, &ph, NULL), -1);
	T_EQ(walk(fe.cr3, ~0ULL, 0, &ph, NULL), -1);
	t_end();
	teardown();
}

/* A table callback that counts, and fails at one lookup when asked. */
static int lookups, fail_at;
static uint64_t looked_at[8];

static const uint64_t *counting_table(void *ctx, uint64_t phys)
{
	if (lookups < 8)
		looked_at[lookups] = phys;
	if (++lookups == fail_at)
		return NULL;
	return fake_table(ctx, phys);
}

static int counted_walk(uint64_t va, int fail, uint64_t *ph)
{
	uint64_t sp;

	lookups = 0;
	fail_at = fail;
	return cok_pgwalk(fe.cr3 | 0x3, va, 0, counting_table, &fe, ph, &sp);
}

static void test_callback(void)
{
	uint64_t ph;

	t_begin("pgwalk/tables-through-the-callback");
	setup();
	fake_map_4k(&fe, 0x400000, fake_page(&fe, 3), RW | NX);
	fake_map_2m(&fe, 0x40000000, phys8[5], RW);
	fake_map_1g(&fe, 0x80000000, 0xc0000000, RW);
	/* One lookup per level down to the leaf; table addresses only. */
	T_EQ(counted_walk(0x400000, 0, &ph), 0);
	T_EQ(lookups, 4);
	T_EQ(looked_at[0], fe.cr3);
	T_EQ(looked_at[1], *fake_entry(&fe, 0x400000, 39) & COK_PTE_ADDR);
	T_EQ(looked_at[2], *fake_entry(&fe, 0x400000, 30) & COK_PTE_ADDR);
	T_EQ(looked_at[3], *fake_entry(&fe, 0x400000, 21) & COK_PTE_ADDR);
	T_EQ(counted_walk(0x40000000, 0, &ph), 0);
	T_EQ(lookups, 3);
	T_EQ(counted_walk(0x80000000, 0, &ph), 0);
	T_EQ(lookups, 2);
	/* A refused lookup at any level ends the walk there. */
	for (int lvl = 1; lvl <= 4; lvl++) {
		T_EQ(counted_walk(0x400000, lvl, &ph), -1);
		T_EQ(lookups, lvl);
	}
	/* Above user space: no lookup at all. */
	T_EQ(counted_walk(COK_USER_TOP, 0, &ph), -1);
	T_EQ(lookups, 0);
	/* The fake's lookup: inside the chunks only, at any offset. */
	T_CHECK(fake_table(&fe, phys8[0]) == (void *)chunk_host(0, 0), "c0");
	T_CHECK(fake_table(&fe, phys8[1] + 0x1ff000) ==
		(void *)chunk_host(1, 0x1ff000), "c1's last page");
	T_CHECK(fake_table(&fe, phys8[2]) == (void *)chunk_host(2, 0),
		"c2's first page");
	T_CHECK(!fake_table(&fe, 0x0fdff000), "below the lowest chunk");
	T_CHECK(!fake_table(&fe, 0x20000000), "between chunks");
	T_CHECK(!fake_table(&fe, 0x200200000), "above the highest");
	t_end();
	teardown();
}

/* --- the module's frames and runs (fake_app_mem), through the API ------ */

static void test_module_frames(void)
{
	static uint8_t want[64], got[64];
	const uint64_t low = 0x140000000ULL;	/* a 1 GiB page at phys 0 */

	t_begin("appmem/module-frames");
	setup();
	/* A frame in chunk 0 (the channel), or in no chunk: refused. */
	fake_map_4k(&fe, 0x400000, phys8[0] + 0x100000, RW);
	fake_map_4k(&fe, 0x401000, 0x50000000, RW);
	fake_map_4k(&fe, 0x402000, fake_page(&fe, 3), RW);
	T_EQ(cok_appmem_probe(&m, 0x400000, 4096, COK_ACC_READ), 0);
	T_EQ(cok_appmem_read(&m, got, 0x400000, 8), -EFAULT);
	T_EQ(cok_appmem_probe(&m, 0x401000, 4096, COK_ACC_READ), 0);
	T_EQ(cok_appmem_probe(&m, 0x402000, 4096, COK_ACC_WRITE), 4096);
	/* A 1 GiB page over c0 then c3: only c3's part. */
	fake_map_1g(&fe, 0xc0000000, 0x40000000, RW);
	T_EQ(cok_appmem_probe(&m, 0xc0000000, 4096, COK_ACC_READ), 0);
	T_EQ(cok_appmem_probe(&m, 0xc0000000 + 0x3fe00000, MB(2) + 4096,
			      COK_ACC_WRITE), MB(2));
	/* A 1 GiB page on c7 then no chunk: the run stops at c7's end. */
	fake_map_1g(&fe, 0x80000000, 0xc0000000, RW);
	T_EQ(cok_appmem_op(&m, COK_MEM_PROBE_READ, 0x80000000, NULL, MB(4)),
	     MB(2));
	T_EQ(cok_appmem_op(&m, COK_MEM_PROBE_READ, 0x80100000, NULL, MB(4)),
	     MB(1));
	/*
	 * A 1 GiB page at phys 0: c6, c1, c2, c4 follow one another there
	 * (0x0fe00000 .. 0x10600000), not in the host (6, 1, 2, 4); runs
	 * are cut at each chunk's end.
	 */
	fake_map_1g(&fe, low, 0, RW);
	T_EQ(cok_appmem_probe(&m, low + 0x0fdff000, 4096, COK_ACC_READ), 0);
	T_EQ(cok_appmem_probe(&m, low + 0x0fdff000, 8192, COK_ACC_READ), 0);
	T_EQ(cok_appmem_probe(&m, low + 0x0fe00000, MB(10), COK_ACC_READ),
	     MB(8));
	T_EQ(cok_appmem_probe(&m, low + 0x20000000, 4096, COK_ACC_READ), 0);
	/* (c1's first pages are the page tables: not touched here.) */
	memset(chunk_host(1, MB(2) - 16), 'a', 16);
	memset(chunk_host(2, 0), 'b', 16);
	memset(chunk_host(2, MB(2) - 16), 'c', 16);
	memset(chunk_host(4, 0), 'd', 16);
	memset(want, 'a', 16);
	memset(want + 16, 'b', 16);
	nioctls = 0;
	T_EQ(cok_appmem_read(&m, got, low + 0x10000000 + MB(2) - 16, 32), 0);
	T_CHECK(!memcmp(got, want, 32), "c1 -> c2: other bytes");
	memset(want, 'c', 16);
	memset(want + 16, 'd', 16);
	T_EQ(cok_appmem_read(&m, got, low + 0x10200000 + MB(2) - 16, 32), 0);
	T_CHECK(!memcmp(got, want, 32), "c2 -> c4: other bytes");
	T_EQ(nioctls, 2);	/* one per call, whatever the runs */
	/* Writing across: each chunk gets its part, nothing else changes. */
	memset(want, 'x', sizeof(want));
	memset(chunk_host(3, 0), 0xee, 16);	/* after c2 in the host */
	T_EQ(cok_appmem_write(&m, low + 0x10200000 + MB(2) - 8, want, 16), 0);
	T_CHECK(!memcmp(chunk_host(2, MB(2) - 8), want, 8) &&
		!memcmp(chunk_host(4, 0), want, 8), "c2 -> c4: write");
	T_EQ(chunk_host(3, 0)[0], 0xee);
	T_EQ(chunk_host(4, 8)[0], 'd');
	t_end();
	teardown();
}

static void test_module_refusals(void)
{
	struct cok_ioc_app_mem a;
	uint8_t b[64];

	t_begin("appmem/module-refusals-and-restoring");
	setup();
	fake_map_4k(&fe, 0x400000, fake_page(&fe, 3), RW);
	fake_map_4k(&fe, 0x401000, fake_page(&fe, 3), RO);
	/* What the API puts in the ioctl. */
	T_EQ(cok_appmem_op(&m, COK_MEM_READ, 0x400010, b, 20), 20);
	T_EQ(last.va, 0x400010);
	T_EQ(last.len, 20);
	T_EQ(last.op, COK_MEM_READ);
	T_EQ(last.pad, 0);
	T_CHECK(last.buf == (uint64_t)(uintptr_t)b, "buf");
	/* Bad op or pad: EINVAL, before the range. */
	T_EQ(cok_appmem_op(&m, 0, 0x400000, b, 8), -EINVAL);
	T_EQ(cok_appmem_op(&m, COK_MEM_PROBE_WRITE + 1, 0x400000, b, 8),
	     -EINVAL);
	a = (struct cok_ioc_app_mem){ .va = 0x400000, .len = 8,
		.buf = (uint64_t)(uintptr_t)b, .op = COK_MEM_READ, .pad = 1 };
	T_EQ(fake_app_mem(&fe, &a), -EINVAL);
	a = (struct cok_ioc_app_mem){ .va = ~0ULL, .len = 8, .op = 0 };
	T_EQ(fake_app_mem(&fe, &a), -EINVAL);
	/* The module refuses a range outside user space itself. */
	a = (struct cok_ioc_app_mem){ .va = COK_USER_TOP - 8, .len = 16,
		.buf = (uint64_t)(uintptr_t)b, .op = COK_MEM_READ };
	T_EQ(fake_app_mem(&fe, &a), -EFAULT);
	a.va = 0x400000;
	a.len = ~0ULL;
	T_EQ(fake_app_mem(&fe, &a), -EFAULT);
	a.va = COK_USER_TOP;
	a.len = 0;
	T_EQ(fake_app_mem(&fe, &a), 0);
	T_EQ(a.done, 0);
	/* No buffer to copy with: EFAULT; a probe or zero needs none. */
	T_EQ(cok_appmem_op(&m, COK_MEM_READ, 0x400000, NULL, 8), -EFAULT);
	T_EQ(cok_appmem_op(&m, COK_MEM_PROBE_READ, 0x400000, NULL, 8), 8);
	T_EQ(cok_appmem_op(&m, COK_MEM_ZERO, 0x400000, NULL, 8), 8);
	/* Not in a forwarded call: EBUSY, whatever the op. */
	fe.idle = true;
	T_EQ(cok_appmem_op(&m, COK_MEM_READ, 0x400000, b, 8), -EBUSY);
	T_EQ(cok_appmem_read(&m, b, 0x400000, 8), -EBUSY);
	T_EQ(cok_appmem_write(&m, 0x400000, b, 8), -EBUSY);
	T_EQ(cok_appmem_zero(&m, 0x400000, 8), -EBUSY);
	T_EQ(cok_appmem_probe(&m, 0x400000, 8, COK_ACC_READ), 0);
	T_EQ(cok_appmem_string(&m, 0x400000, (char *)b, sizeof(b)), -EFAULT);
	/* A restoring proxy: its app is frozen, its text pages writable. */
	fe.restoring = true;
	memset(b, 'r', sizeof(b));
	T_EQ(cok_appmem_op(&m, COK_MEM_WRITE, 0x400ff0, b, 0x20), 0x20);
	fake_peek(&fe, 0x401000, b, 0x10);
	T_CHECK(b[0] == 'r' && b[15] == 'r', "restoring: read-only page");
	T_EQ(cok_appmem_zero(&m, 0x401000, 4096), 0);
	T_EQ(cok_appmem_probe(&m, 0x400000, 0x3000, COK_ACC_WRITE), 0x2000);
	fe.idle = false;
	T_EQ(cok_appmem_write(&m, 0x401000, b, 8), 0);
	fe.restoring = false;
	T_EQ(cok_appmem_write(&m, 0x401000, b, 8), -EFAULT);
	t_end();
	teardown();
}

/* --- the userland API ---------------------------------------------------- */

static void test_copy(void)
{
	uint8_t src[3 * 4096 + 100], dst[sizeof(src)];
	size_t i;

	t_begin("appmem/copy-in-out");
	setup();
	for (i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)(i * 7 + 3);
	/* Scattered pages in c6, then c1's last page and c2's first. */
	fake_map_scattered(&fe, 0x1000000, 2 * 4096, 6, RW);
	fake_map_4k(&fe, 0x1002000, 0x101ff000, RW);
	fake_map_4k(&fe, 0x1003000, 0x10200000, RW);
	T_EQ(cok_appmem_write(&m, 0x1000010, src, sizeof(src)), 0);
	memset(dst, 0, sizeof(dst));
	fake_peek(&fe, 0x1000010, dst, sizeof(dst));
	T_CHECK(!memcmp(src, dst, sizeof(src)), "write: bytes differ");
	memset(dst, 0, sizeof(dst));
	T_EQ(cok_appmem_read(&m, dst, 0x1000010, sizeof(dst)), 0);
	T_CHECK(!memcmp(src, dst, sizeof(src)), "read: bytes differ");
	/* Zero length: no ioctl, wherever it points. */
	nioctls = 0;
	T_EQ(cok_appmem_read(&m, dst, 0x1000010, 0), 0);
	T_EQ(cok_appmem_read(&m, dst, 0x3000000, 0), 0);
	T_EQ(cok_appmem_write(&m, 0, src, 0), 0);
	T_EQ(nioctls, 0);

	/* Read-only second page: the first is written, then EFAULT. */
	fake_map_4k(&fe, 0x2000000, fake_page(&fe, 6), RW);
	fake_map_4k(&fe, 0x2001000, fake_page(&fe, 6), RO);
	T_EQ(cok_appmem_write(&m, 0x2000ff0, src, 0x20), -EFAULT);
	fake_peek(&fe, 0x2000ff0, dst, 0x20);
	T_CHECK(!memcmp(src, dst, 0x10), "partial write before the fault");
	T_CHECK(dst[0x10] == 0 && dst[0x1f] == 0, "the read-only page changed");
	T_EQ(cok_appmem_read(&m, dst, 0x2000ff0, 0x20), 0);
	/* Unmapped, wrapping, kernel: the last three refused before an ioctl. */
	T_EQ(cok_appmem_read(&m, dst, 0x3000000, 1), -EFAULT);
	nioctls = 0;
	T_EQ(cok_appmem_read(&m, dst, ~0ULL - 4, 16), -EFAULT);
	T_EQ(cok_appmem_write(&m, 0x2000000, src, ~0ULL), -EFAULT);
	T_EQ(cok_appmem_read(&m, dst, 0xffffffff81000000ULL, 8), -EFAULT);
	T_EQ(nioctls, 0);
	t_end();
	teardown();
}

static void test_done_counts(void)
{
	static uint8_t src[5 * 4096], dst[sizeof(src)];
	uint8_t page[4096];
	size_t i;

	t_begin("appmem/done-up-to-the-bad-page");
	setup();
	for (i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)(i * 13 + 1);
	/* A hole after three pages: the bytes before it, then stop. */
	fake_map_scattered(&fe, 0x900000, 3 * 4096, 6, RW);
	fake_poke(&fe, 0x900000, src, 3 * 4096);
	memset(dst, 0, sizeof(dst));
	T_EQ(cok_appmem_op(&m, COK_MEM_READ, 0x900100, dst, 5 * 4096),
	     3 * 4096 - 0x100);
	T_CHECK(!memcmp(dst, src + 0x100, 3 * 4096 - 0x100), "read: bytes");
	T_EQ(cok_appmem_read(&m, dst, 0x900100, 5 * 4096), -EFAULT);
	T_EQ(cok_appmem_probe(&m, 0x900100, 5 * 4096, COK_ACC_READ),
	     3 * 4096 - 0x100);
	T_EQ(cok_appmem_probe(&m, 0x900100, 5 * 4096, COK_ACC_WRITE),
	     3 * 4096 - 0x100);
	T_EQ(cok_appmem_op(&m, COK_MEM_WRITE, 0x902ff0, src, 0x100), 0x10);
	T_EQ(cok_appmem_op(&m, COK_MEM_READ, 0x903000, dst, 10), 0);
	T_EQ(cok_appmem_probe(&m, 0x903000, 10, COK_ACC_READ), 0);
	/* Shorter than the hole's distance: all of it. */
	T_EQ(cok_appmem_probe(&m, 0x900100, 0x1000, COK_ACC_WRITE), 0x1000);

	/* Read-only in the middle: read all, write the first page only. */
	fake_map_4k(&fe, 0xa00000, fake_page(&fe, 6), RW);
	fake_map_4k(&fe, 0xa01000, fake_page(&fe, 6), RO);
	fake_map_4k(&fe, 0xa02000, fake_page(&fe, 6), RW);
	T_EQ(cok_appmem_probe(&m, 0xa00000, 0x3000, COK_ACC_READ), 0x3000);
	T_EQ(cok_appmem_probe(&m, 0xa00000, 0x3000, COK_ACC_WRITE), 0x1000);
	T_EQ(cok_appmem_op(&m, COK_MEM_READ, 0xa00000, dst, 0x3000), 0x3000);
	T_EQ(cok_appmem_op(&m, COK_MEM_WRITE, 0xa00800, src, 0x2000), 0x800);
	fake_peek(&fe, 0xa00800, dst, 0x800);
	T_CHECK(!memcmp(dst, src, 0x800), "write: the first page's part");
	fake_peek(&fe, 0xa01000, page, sizeof(page));
	for (i = 0; i < sizeof(page) && !page[i]; i++)
		;
	T_EQ(i, sizeof(page));	/* the read-only page is untouched */
	T_EQ(cok_appmem_op(&m, COK_MEM_WRITE, 0xa01000, src, 0x10), 0);
	T_EQ(cok_appmem_write(&m, 0xa00800, src, 0x2000), -EFAULT);
	T_EQ(cok_appmem_probe(&m, 0xa02000, 0x1000, COK_ACC_WRITE), 0x1000);

	/* A 2 MiB page: one ioctl, all of it. */
	fake_map_2m(&fe, 0x40000000, phys8[5], RW);
	nioctls = 0;
	T_EQ(cok_appmem_probe(&m, 0x40000000, MB(2), COK_ACC_WRITE), MB(2));
	T_EQ(cok_appmem_probe(&m, 0x40000000, MB(3), COK_ACC_WRITE), MB(2));
	T_EQ(nioctls, 2);

	/* Running off the end of user space: refused, not cut short. */
	fake_map_4k(&fe, 0x7fffffffe000ULL, fake_page(&fe, 6), RW);
	nioctls = 0;
	T_EQ(cok_appmem_op(&m, COK_MEM_READ, 0x7fffffffe800ULL, dst, 0x1000),
	     -EFAULT);
	T_EQ(cok_appmem_probe(&m, 0x7fffffffe800ULL, 0x1000, COK_ACC_READ), 0);
	T_EQ(nioctls, 0);
	T_EQ(cok_appmem_op(&m, COK_MEM_READ, 0x7fffffffe800ULL, dst, 0x800),
	     0x800);
	t_end();
	teardown();
}

static void test_across_chunks(void)
{
	uint8_t src[0x2000], dst[0x2000];
	size_t i;

	t_begin("appmem/across-chunks");
	setup();
	for (i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)(i * 5 + 9);
	/* c1's last page then c2's first: contiguous in the host too. */
	fake_map_4k(&fe, 0x500000, 0x101ff000, RW);
	fake_map_4k(&fe, 0x501000, 0x10200000, RW);
	T_EQ(cok_appmem_write(&m, 0x500800, src, 0x1000), 0);
	T_CHECK(!memcmp(chunk_host(1, 0x1ff800), src, 0x800) &&
		!memcmp(chunk_host(2, 0), src + 0x800, 0x800), "c1/c2: write");
	memset(dst, 0, sizeof(dst));
	T_EQ(cok_appmem_read(&m, dst, 0x500800, 0x1000), 0);
	T_CHECK(!memcmp(dst, src, 0x1000), "c1/c2: read");

	/* Two 2 MiB pages, c2 then c4: contiguous physically, not in the host. */
	fake_map_2m(&fe, 0x40000000, phys8[2], RW);
	fake_map_2m(&fe, 0x40200000, phys8[4], RW);
	T_EQ(cok_appmem_write(&m, 0x401ff000, src, 0x2000), 0);
	T_CHECK(!memcmp(chunk_host(2, 0x1ff000), src, 0x1000), "c2: write");
	T_CHECK(!memcmp(chunk_host(4, 0), src + 0x1000, 0x1000), "c4: write");
	memset(chunk_host(3, 0), 0xee, 0x1000);	/* what follows c2 in the host */
	memset(dst, 0, sizeof(dst));
	T_EQ(cok_appmem_read(&m, dst, 0x401ff000, 0x2000), 0);
	T_CHECK(!memcmp(dst, src, 0x2000), "c2/c4: read");

	/* A whole 2 MiB page in one call. */
	nioctls = 0;
	T_EQ(cok_appmem_zero(&m, 0x40000000, COK_CHUNK_SIZE), 0);
	T_EQ(nioctls, 1);
	T_EQ(chunk_host(2, 0x1fffff)[0], 0);
	T_EQ(chunk_host(4, 0)[0], src[0x1000]);
	t_end();
	teardown();
}

static void test_zero(void)
{
	uint8_t ones[3 * 4096], got[3 * 4096];
	size_t i;

	t_begin("appmem/zero");
	setup();
	memset(ones, 0xff, sizeof(ones));
	fake_map_scattered(&fe, 0x600000, 2 * 4096, 6, RW);
	fake_map_4k(&fe, 0x602000, fake_page(&fe, 6), RO);
	fake_poke(&fe, 0x600000, ones, sizeof(ones));
	/* Up to the read-only page, then EFAULT; that page keeps its bytes. */
	T_EQ(cok_appmem_op(&m, COK_MEM_ZERO, 0x600100, NULL, 0x2f00), 0x1f00);
	T_EQ(cok_appmem_zero(&m, 0x600100, 0x2f00), -EFAULT);
	fake_peek(&fe, 0x600000, got, sizeof(got));
	T_EQ(got[0xff], 0xff);
	for (i = 0x100; i < 0x2000 && !got[i]; i++)
		;
	T_EQ(i, 0x2000);
	T_EQ(got[0x2000], 0xff);
	T_EQ(got[0x2fff], 0xff);
	/* All of it. */
	T_EQ(cok_appmem_zero(&m, 0x600000, 0x2000), 0);
	fake_peek(&fe, 0x600000, got, 0x2000);
	for (i = 0; i < 0x2000 && !got[i]; i++)
		;
	T_EQ(i, 0x2000);
	/* Unmapped; outside user space. */
	T_EQ(cok_appmem_zero(&m, 0x603000, 1), -EFAULT);
	T_EQ(cok_appmem_zero(&m, COK_USER_TOP, 1), -EFAULT);
	T_EQ(cok_appmem_zero(&m, 0x600000, 0), 0);
	t_end();
	teardown();
}

static void test_string(void)
{
	char path[4096], buf[4096];
	uint64_t va;

	t_begin("appmem/strings");
	setup();
	fake_map_scattered(&fe, 0x1000000, 3 * 4096, 6, RW);
	fake_map_4k(&fe, 0x1003000, 0x101ff000, RO);
	fake_map_4k(&fe, 0x1004000, 0x10200000, RO);

	fake_poke(&fe, 0x1000000, "/etc/passwd", 12);
	nioctls = 0;
	T_EQ(cok_appmem_string(&m, 0x1000000, buf, sizeof(buf)), 11);
	T_CHECK(!strcmp(buf, "/etc/passwd"), "simple string");
	T_EQ(nioctls, 1);	/* its page only */

	/* Its NUL on the next page, a chunk further (read-only is fine). */
	va = 0x1004000 - 5;
	fake_poke(&fe, va, "abcdefghij", 11);
	nioctls = 0;
	T_EQ(cok_appmem_string(&m, va, buf, sizeof(buf)), 10);
	T_CHECK(!strcmp(buf, "abcdefghij"), "across chunks");
	T_EQ(nioctls, 2);
	/* Its NUL the first byte of the next page. */
	va = 0x1001000 - 3;
	fake_poke(&fe, va, "xyz", 4);
	T_EQ(cok_appmem_string(&m, va, buf, sizeof(buf)), 3);
	T_CHECK(!strcmp(buf, "xyz"), "NUL on the next page");

	/* Empty. */
	fake_poke(&fe, 0x1001000, "", 1);
	T_EQ(cok_appmem_string(&m, 0x1001000, buf, sizeof(buf)), 0);

	/* NUL as the last byte before a hole: fine, the hole is not touched. */
	va = 0x1005000 - 4;
	fake_poke(&fe, va, "xyz", 4);
	nioctls = 0;
	T_EQ(cok_appmem_string(&m, va, buf, sizeof(buf)), 3);
	T_EQ(nioctls, 1);
	/* No NUL before the hole: EFAULT. */
	fake_poke(&fe, va, "wxyz", 4);
	T_EQ(cok_appmem_string(&m, va, buf, sizeof(buf)), -EFAULT);

	/* 4095 characters fit PATH_MAX; 4096 do not (ENAMETOOLONG). */
	memset(path, 'a', sizeof(path));
	path[4095] = '\0';
	fake_poke(&fe, 0x1000800, path, 4096);
	T_EQ(cok_appmem_string(&m, 0x1000800, buf, 4096), 4095);
	T_CHECK(buf[4094] == 'a' && buf[4095] == '\0', "long string content");
	path[4095] = 'a';
	fake_poke(&fe, 0x1000800, path, 4096);
	fake_poke(&fe, 0x1000800 + 4096, "", 1);
	T_EQ(cok_appmem_string(&m, 0x1000800, buf, 4096), -ENAMETOOLONG);
	/* The NUL as the last byte that fits, alone on the next page. */
	va = 0x1001000 - 7;
	fake_poke(&fe, va, "abcdefg", 8);
	T_EQ(cok_appmem_string(&m, va, buf, 8), 7);
	T_EQ(cok_appmem_string(&m, va, buf, 7), -ENAMETOOLONG);
	/* Too long for a small buffer, the rest of its page not read. */
	T_EQ(cok_appmem_string(&m, 0x1000000, buf, 4), -ENAMETOOLONG);
	T_EQ(last.len, 4);
	/* Too long before a hole that size does not reach: ENAMETOOLONG. */
	va = 0x1005000 - 4;
	T_EQ(cok_appmem_string(&m, va, buf, 4), -ENAMETOOLONG);

	/* Bad pointers. */
	T_EQ(cok_appmem_string(&m, 0, buf, sizeof(buf)), -EFAULT);
	T_EQ(cok_appmem_string(&m, 0x9000000, buf, sizeof(buf)), -EFAULT);
	T_EQ(cok_appmem_string(&m, 0xffff888000000000ULL, buf, sizeof(buf)),
	     -EFAULT);
	T_EQ(cok_appmem_string(&m, ~0ULL, buf, sizeof(buf)), -EFAULT);
	/* The last bytes of user space, then its end. */
	fake_map_4k(&fe, 0x7fffffffe000ULL, fake_page(&fe, 6), RW);
	fake_poke(&fe, COK_USER_TOP - 3, "ab", 3);
	T_EQ(cok_appmem_string(&m, COK_USER_TOP - 3, buf, sizeof(buf)), 2);
	fake_poke(&fe, COK_USER_TOP - 3, "abc", 3);
	T_EQ(cok_appmem_string(&m, COK_USER_TOP - 3, buf, sizeof(buf)), -EFAULT);
	t_end();
	teardown();
}

int main(void)
{
	test_translate();
	test_span();
	test_permissions();
	test_callback();
	test_module_frames();
	test_module_refusals();
	test_copy();
	test_done_counts();
	test_across_chunks();
	test_zero();
	test_string();
	return t_summary("appmem");
}
