// SPDX-License-Identifier: GPL-2.0
/*
 * Host test of appmem.c: translation of an app's addresses through page
 * tables in a fake enclave (fake_enclave.c).
 *
 * Chunks (enclave offset = index * 2 MiB; "physical" addresses made up):
 *   c0 0x40000000   the channel
 *   c1 0x10000000   page tables; its last page is followed physically
 *   c2 0x10200000     by c2, next in the host too
 *   c3 0x7fe00000   4 KiB data pages
 *   c4 0x10400000   follows c2 physically, not in the host
 *   c5 0x200000000  above 4 GiB: a 2 MiB page
 *   c6 0x0fe00000   4 KiB data pages, below c1 physically
 *   c7 0xc0000000   the start of a 1 GiB page
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "appmem.h"
#include "fake_enclave.h"
#include "test_check.h"
#include "../xemem/channel.h"

#define MB(x)	((uint64_t)(x) << 20)
#define RW	(COK_PTE_U | COK_PTE_W)
#define RO	(COK_PTE_U)

static const uint64_t phys8[8] = {
	0x40000000, 0x10000000, 0x10200000, 0x7fe00000,
	0x10400000, 0x200000000, 0x0fe00000, 0xc0000000,
};

static struct fake_enclave fe;
static struct cok_appmem m;

static uint8_t *chunk_host(int c, uint64_t off)
{
	return fe.mem + ((uint64_t)c << COK_CHUNK_SHIFT) + off;
}

static void setup(void)
{
	const char *why = NULL;

	if (fake_init(&fe, 8, phys8) ||
	    cok_appmem_init(&m, fe.mem, fe.size, &why)) {
		printf("FAIL appmem/setup: %s\n", why ? why : "fake_init");
		exit(1);
	}
}

static void teardown(void)
{
	cok_appmem_fini(&m);
	fake_fini(&fe);
}

static void test_init(void)
{
	struct cok_channel *ch;
	struct cok_appmem x;
	const char *why;

	t_begin("appmem/init");
	setup();
	ch = (struct cok_channel *)fe.mem;
	T_EQ(m.nchunks, 8);
	for (int i = 1; i < 8; i++)
		T_CHECK(m.chunk[i - 1].phys < m.chunk[i].phys, "not sorted");

	why = NULL;
	ch->magic ^= 1;
	T_EQ(cok_appmem_init(&x, fe.mem, fe.size, &why), -EINVAL);
	T_CHECK(why && *why, "no reason for a bad magic");
	ch->magic ^= 1;

	ch->version++;
	T_EQ(cok_appmem_init(&x, fe.mem, fe.size, &why), -EINVAL);
	ch->version--;

	ch->nchunks = 0;
	T_EQ(cok_appmem_init(&x, fe.mem, fe.size, &why), -EINVAL);
	ch->nchunks = 9;	/* more than the mapping holds */
	T_EQ(cok_appmem_init(&x, fe.mem, fe.size, &why), -EINVAL);
	ch->nchunks = COK_MAX_CHUNKS + 1;
	T_EQ(cok_appmem_init(&x, fe.mem, (uint64_t)(COK_MAX_CHUNKS + 1) << 21,
			     &why), -EINVAL);
	ch->nchunks = 8;

	T_EQ(cok_appmem_init(&x, fe.mem, fe.size - 4096, &why), -EINVAL);
	T_EQ(cok_appmem_init(&x, fe.mem, 0, &why), -EINVAL);

	ch->chunk_phys[3] += 0x1000;	/* not 2 MiB-aligned */
	T_EQ(cok_appmem_init(&x, fe.mem, fe.size, &why), -EINVAL);
	ch->chunk_phys[3] = ch->chunk_phys[5];	/* twice */
	T_EQ(cok_appmem_init(&x, fe.mem, fe.size, &why), -EINVAL);
	ch->chunk_phys[3] = 1ULL << 52;	/* beyond the address bits */
	T_EQ(cok_appmem_init(&x, fe.mem, fe.size, &why), -EINVAL);
	ch->chunk_phys[3] = phys8[3];

	/* The list is a copy: later writes to the channel change nothing. */
	ch->chunk_phys[5] = 0x80000000;
	T_CHECK(cok_appmem_phys(&m, phys8[5], 1) == chunk_host(5, 0),
		"the chunk list was not copied");
	T_CHECK(!cok_appmem_phys(&m, 0x80000000, 1),
		"a chunk changed in the channel counts");
	ch->chunk_phys[5] = phys8[5];
	t_end();
	teardown();
}

static void test_phys(void)
{
	t_begin("appmem/phys-to-offset");
	setup();
	for (int i = 0; i < 8; i++) {
		T_CHECK(cok_appmem_phys(&m, phys8[i], 1) == chunk_host(i, 0),
			"chunk %d start", i);
		T_CHECK(cok_appmem_phys(&m, phys8[i] + 0x1234, 8) ==
			chunk_host(i, 0x1234), "chunk %d inside", i);
		T_CHECK(cok_appmem_phys(&m, phys8[i] + COK_CHUNK_SIZE - 4096,
					4096) ==
			chunk_host(i, COK_CHUNK_SIZE - 4096), "chunk %d end", i);
		T_CHECK(!cok_appmem_phys(&m, phys8[i] + COK_CHUNK_SIZE - 4096,
					 4097), "chunk %d: crossing its end", i);
	}
	/* Phys-contiguous c1/c2: still one chunk per lookup. */
	T_CHECK(cok_appmem_phys(&m, 0x101ff000, 4096) == chunk_host(1, 0x1ff000),
		"c1's last page");
	T_CHECK(cok_appmem_phys(&m, 0x10200000, 4096) == chunk_host(2, 0),
		"c2's first page");
	T_CHECK(!cok_appmem_phys(&m, 0, 1), "phys 0");
	T_CHECK(!cok_appmem_phys(&m, 0x0fdfffff, 1), "below the lowest chunk");
	T_CHECK(!cok_appmem_phys(&m, 0x20000000, 1), "between chunks");
	T_CHECK(!cok_appmem_phys(&m, 0x200200000, 1), "above the highest");
	T_CHECK(!cok_appmem_phys(&m, ~0ULL, 1), "all ones");
	T_CHECK(!cok_appmem_phys(&m, ~0ULL - 10, 100), "wrapping");
	t_end();
	teardown();
}

/* Many chunks at random addresses: binary search against a plain scan. */
static void test_lookup_random(void)
{
	enum { N = 64 };
	uint64_t phys[N];
	const char *why;
	int i, j, k;

	t_begin("appmem/phys-lookup-random");
	srand(42);
	for (i = 0; i < N; i++) {
again:
		phys[i] = ((uint64_t)(rand() % 32768)) << COK_CHUNK_SHIFT;
		for (j = 0; j < i; j++)
			if (phys[j] == phys[i])
				goto again;
	}
	if (fake_init(&fe, N, phys) || cok_appmem_init(&m, fe.mem, fe.size, &why)) {
		T_CHECK(0, "setup");
		t_end();
		return;
	}
	for (k = 0; k < 200000; k++) {
		uint64_t p;
		uint8_t *want = NULL;

		if (k & 1)	/* near a chunk's edges */
			p = phys[rand() % N] + (uint64_t)(rand() % 8192) - 4096;
		else
			p = ((uint64_t)rand() << 20 ^ (uint64_t)rand()) % (64ULL << 30);
		for (j = 0; j < N; j++)
			if (p >= phys[j] && p - phys[j] < COK_CHUNK_SIZE)
				want = chunk_host(j, p - phys[j]);
		if (cok_appmem_phys(&m, p, 1) != want) {
			T_CHECK(0, "phys %#llx", (unsigned long long)p);
			break;
		}
	}
	t_end();
	cok_appmem_fini(&m);
	fake_fini(&fe);
}

static void test_translate(void)
{
	uint8_t *h;
	uint64_t pa;

	t_begin("appmem/translate-4k-2m-1g");
	setup();
	/* 4 KiB page in c3. */
	pa = fake_page(&fe, 3);
	fake_map_4k(&fe, 0x400000, pa, RW);
	T_EQ(cok_appmem_translate(&m, fe.cr3, 0x400123, COK_ACC_WRITE, &h), 0);
	T_CHECK(h == (uint8_t *)fake_host(&fe, pa) + 0x123, "4k: wrong place");
	/* A 2 MiB page on c5 (above 4 GiB). */
	fake_map_2m(&fe, 0x40000000, phys8[5], RW);
	T_EQ(cok_appmem_translate(&m, fe.cr3, 0x40012345, COK_ACC_READ, &h), 0);
	T_CHECK(h == chunk_host(5, 0x12345), "2m: wrong place");
	T_EQ(cok_appmem_translate(&m, fe.cr3, 0x401fffff, COK_ACC_READ, &h), 0);
	T_CHECK(h == chunk_host(5, 0x1fffff), "2m: last byte");
	/* A 1 GiB page whose first 2 MiB are c7; the rest is no chunk. */
	fake_map_1g(&fe, 0x80000000, 0xc0000000, RW);
	T_EQ(cok_appmem_translate(&m, fe.cr3, 0x80001008, COK_ACC_WRITE, &h), 0);
	T_CHECK(h == chunk_host(7, 0x1008), "1g: wrong place");
	T_EQ(cok_appmem_translate(&m, fe.cr3, 0x80200000, COK_ACC_READ, &h),
	     -EFAULT);
	/* A 1 GiB page over c0 and c3 (0x40000000 .. 0x80000000). */
	fake_map_1g(&fe, 0xc0000000, 0x40000000, RO);
	T_EQ(cok_appmem_translate(&m, fe.cr3, 0xc0000000 + 0x3fe00010,
				  COK_ACC_READ, &h), 0);
	T_CHECK(h == chunk_host(3, 0x10), "1g: second chunk");
	/* PCID bits in CR3 do not matter. */
	T_EQ(cok_appmem_translate(&m, fe.cr3 | 0x5, 0x400000, COK_ACC_READ, &h),
	     0);
	/* The same bytes the reference walk sees. */
	memcpy(fake_host(&fe, pa), "hello", 6);
	T_EQ(cok_appmem_translate(&m, fe.cr3, 0x400000, COK_ACC_READ, &h), 0);
	T_CHECK(!memcmp(h, "hello", 6), "4k: content");
	t_end();
	teardown();
}

static void test_permissions(void)
{
	uint64_t *e;
	uint8_t *h;

	t_begin("appmem/permissions");
	setup();
	fake_map_4k(&fe, 0x400000, fake_page(&fe, 3), COK_PTE_W);  /* no U */
	fake_map_4k(&fe, 0x401000, fake_page(&fe, 3), RO);
	fake_map_4k(&fe, 0x402000, fake_page(&fe, 3), RW);
	T_EQ(cok_appmem_translate(&m, fe.cr3, 0x400000, COK_ACC_READ, &h), -EFAULT);
	T_EQ(cok_appmem_translate(&m, fe.cr3, 0x401000, COK_ACC_READ, &h), 0);
	T_EQ(cok_appmem_translate(&m, fe.cr3, 0x401000, COK_ACC_WRITE, &h), -EFAULT);
	T_EQ(cok_appmem_translate(&m, fe.cr3, 0x402000, COK_ACC_WRITE, &h), 0);
	/* Not present: the leaf, and a whole region. */
	T_EQ(cok_appmem_translate(&m, fe.cr3, 0x403000, COK_ACC_READ, &h), -EFAULT);
	T_EQ(cok_appmem_translate(&m, fe.cr3, 0x7f0000000000ULL, COK_ACC_READ, &h),
	     -EFAULT);
	T_EQ(cok_appmem_translate(&m, fe.cr3, 0, COK_ACC_READ, &h), -EFAULT);

	/* Upper levels: no U in the PD entry, then no W in the PDPT entry. */
	fe.table_flags = COK_PTE_P | COK_PTE_W;
	fake_map_4k(&fe, 0x100000000000ULL, fake_page(&fe, 3), RW);
	fe.table_flags = COK_PTE_P | COK_PTE_W | COK_PTE_U;
	T_EQ(cok_appmem_translate(&m, fe.cr3, 0x100000000000ULL, COK_ACC_READ, &h),
	     -EFAULT);
	e = fake_entry(&fe, 0x100000000000ULL, 39);
	T_CHECK(e && !(*e & COK_PTE_U), "setup: PML4E without U");
	*e |= COK_PTE_U;
	e = fake_entry(&fe, 0x100000000000ULL, 30);
	*e |= COK_PTE_U;
	e = fake_entry(&fe, 0x100000000000ULL, 21);
	*e |= COK_PTE_U;
	T_EQ(cok_appmem_translate(&m, fe.cr3, 0x100000000000ULL, COK_ACC_WRITE, &h), 0);
	e = fake_entry(&fe, 0x100000000000ULL, 30);
	*e &= ~COK_PTE_W;
	T_EQ(cok_appmem_translate(&m, fe.cr3, 0x100000000000ULL, COK_ACC_WRITE, &h),
	     -EFAULT);
	T_EQ(cok_appmem_translate(&m, fe.cr3, 0x100000000000ULL, COK_ACC_READ, &h), 0);

	/* PS in a PML4 entry is reserved. */
	e = fake_entry(&fe, 0x100000000000ULL, 39);
	*e |= COK_PTE_PS;
	T_EQ(cok_appmem_translate(&m, fe.cr3, 0x100000000000ULL, COK_ACC_READ, &h),
	     -EFAULT);
	*e &= ~COK_PTE_PS;

	/* 2 MiB entries: PAT (bit 12) is fine, bit 13 is reserved. */
	fake_map_2m(&fe, 0x40000000, phys8[5] | 0x1000, RW);
	T_EQ(cok_appmem_translate(&m, fe.cr3, 0x40000010, COK_ACC_READ, &h), 0);
	T_CHECK(h == chunk_host(5, 0x10), "PAT bit taken as address");
	fake_map_2m(&fe, 0x40000000, phys8[5] | 0x2000, RW);
	T_EQ(cok_appmem_translate(&m, fe.cr3, 0x40000010, COK_ACC_READ, &h),
	     -EFAULT);

	/* A leaf or a table outside every chunk. */
	fake_map_4k(&fe, 0x404000, 0x50000000, RW);
	T_EQ(cok_appmem_translate(&m, fe.cr3, 0x404000, COK_ACC_READ, &h), -EFAULT);
	e = fake_entry(&fe, 0x100000000000ULL, 21);
	*e = (*e & ~COK_PTE_ADDR) | 0x50000000;
	T_EQ(cok_appmem_translate(&m, fe.cr3, 0x100000000000ULL, COK_ACC_READ, &h),
	     -EFAULT);
	T_EQ(cok_appmem_translate(&m, 0x50000000, 0x402000, COK_ACC_READ, &h),
	     -EFAULT);

	/* The end of user space, and kernel addresses, even if mapped. */
	fake_map_4k(&fe, 0x7fffffffe000ULL, fake_page(&fe, 3), RW);
	fake_map_4k(&fe, 0x7ffffffff000ULL, fake_page(&fe, 3), RW);
	T_EQ(cok_appmem_translate(&m, fe.cr3, 0x7fffffffefffULL, COK_ACC_READ, &h), 0);
	T_EQ(cok_appmem_translate(&m, fe.cr3, 0x7ffffffff000ULL, COK_ACC_READ, &h),
	     -EFAULT);
	T_EQ(cok_appmem_translate(&m, fe.cr3, 0xffff800000400000ULL, COK_ACC_READ,
				  &h), -EFAULT);
	T_EQ(cok_appmem_translate(&m, fe.cr3, 0x0000800000400000ULL, COK_ACC_READ,
				  &h), -EFAULT);
	t_end();
	teardown();
}

static void test_iov(void)
{
	struct iovec iov[8];
	uint64_t va, left, bytes, p[4];
	int n, i;

	t_begin("appmem/iov-merge-and-split");
	setup();
	/* Four pages consecutive in c3: one entry. */
	for (i = 0; i < 4; i++)
		p[i] = fake_page(&fe, 3);
	for (i = 0; i < 4; i++)
		fake_map_4k(&fe, 0x600000 + (uint64_t)i * 4096, p[i], RW);
	va = 0x600010;
	left = 0x4000 - 0x10;
	n = 0;
	bytes = 0;
	T_EQ(cok_appmem_iov(&m, fe.cr3, COK_ACC_WRITE, &va, &left, iov, 8, &n,
			    &bytes), 0);
	T_EQ(n, 1);
	T_EQ(bytes, 0x4000 - 0x10);
	T_EQ(left, 0);
	T_EQ(va, 0x604000);
	T_CHECK(iov[0].iov_base == (uint8_t *)fake_host(&fe, p[0]) + 0x10,
		"merged entry: base");
	T_EQ(iov[0].iov_len, 0x4000 - 0x10);

	/* Scattered pages: one entry per page, partial at both ends. */
	fake_map_scattered(&fe, 0x700000, 0x3000, 6, RW);
	va = 0x700ff0;
	left = 0x1020;
	n = 0;
	bytes = 0;
	T_EQ(cok_appmem_iov(&m, fe.cr3, COK_ACC_READ, &va, &left, iov, 8, &n,
			    &bytes), 0);
	T_EQ(n, 3);
	T_EQ(iov[0].iov_len, 0x10);
	T_EQ(iov[1].iov_len, 0x1000);
	T_EQ(iov[2].iov_len, 0x10);
	T_EQ(bytes, 0x1020);
	T_CHECK(iov[1].iov_base == (uint8_t *)iov[0].iov_base + 0x10 + 0x1000,
		"scattered: the gap page");

	/* A second buffer right after the first host entry merges into it. */
	va = 0x600000;
	left = 0x10;
	n = 0;
	bytes = 0;
	cok_appmem_iov(&m, fe.cr3, COK_ACC_READ, &va, &left, iov, 8, &n, &bytes);
	left = 0x20;	/* va is 0x600010 now: contiguous */
	cok_appmem_iov(&m, fe.cr3, COK_ACC_READ, &va, &left, iov, 8, &n, &bytes);
	T_EQ(n, 1);
	T_EQ(iov[0].iov_len, 0x30);

	/* Zero length: nothing. */
	va = 0;
	left = 0;
	n = 0;
	bytes = 0;
	T_EQ(cok_appmem_iov(&m, fe.cr3, COK_ACC_READ, &va, &left, iov, 8, &n,
			    &bytes), 0);
	T_EQ(n, 0);
	t_end();
	teardown();
}

static void test_iov_chunks(void)
{
	struct iovec iov[8];
	uint64_t va, left, bytes;
	int n;

	t_begin("appmem/iov-across-chunks");
	setup();
	/* c1's last page then c2's first: contiguous in the host, one entry. */
	fake_map_4k(&fe, 0x500000, 0x101ff000, RW);
	fake_map_4k(&fe, 0x501000, 0x10200000, RW);
	va = 0x500800;
	left = 0x1000;
	n = 0;
	bytes = 0;
	T_EQ(cok_appmem_iov(&m, fe.cr3, COK_ACC_WRITE, &va, &left, iov, 8, &n,
			    &bytes), 0);
	T_EQ(n, 1);
	T_CHECK(iov[0].iov_base == chunk_host(1, 0x1ff800), "c1/c2: base");
	T_EQ(iov[0].iov_len, 0x1000);

	/* Two 2 MiB pages, c2 then c4: contiguous physically, not in the host. */
	fake_map_2m(&fe, 0x40000000, phys8[2], RW);
	fake_map_2m(&fe, 0x40200000, phys8[4], RW);
	va = 0x401ff000;
	left = 0x2000;
	n = 0;
	bytes = 0;
	T_EQ(cok_appmem_iov(&m, fe.cr3, COK_ACC_READ, &va, &left, iov, 8, &n,
			    &bytes), 0);
	T_EQ(n, 2);
	T_CHECK(iov[0].iov_base == chunk_host(2, 0x1ff000), "c2: base");
	T_EQ(iov[0].iov_len, 0x1000);
	T_CHECK(iov[1].iov_base == chunk_host(4, 0), "c4: base");
	T_EQ(iov[1].iov_len, 0x1000);

	/* A whole 2 MiB page, walked in 4 KiB steps, merges to one entry. */
	va = 0x40000000;
	left = COK_CHUNK_SIZE;
	n = 0;
	bytes = 0;
	T_EQ(cok_appmem_iov(&m, fe.cr3, COK_ACC_READ, &va, &left, iov, 1, &n,
			    &bytes), 0);
	T_EQ(n, 1);
	T_EQ(left, 0);
	T_EQ(iov[0].iov_len, COK_CHUNK_SIZE);
	t_end();
	teardown();
}

static void test_iov_limits(void)
{
	struct iovec iov[4];
	uint64_t va, left, bytes;
	int n;

	t_begin("appmem/iov-full-and-fault");
	setup();
	fake_map_scattered(&fe, 0x800000, 10 * 4096, 6, RW);
	va = 0x800000;
	left = 10 * 4096;
	n = 0;
	bytes = 0;
	T_EQ(cok_appmem_iov(&m, fe.cr3, COK_ACC_READ, &va, &left, iov, 4, &n,
			    &bytes), 0);
	T_EQ(n, 4);
	T_EQ(bytes, 4 * 4096);
	T_EQ(left, 6 * 4096);
	T_EQ(va, 0x804000);
	n = 0;
	bytes = 0;
	cok_appmem_iov(&m, fe.cr3, COK_ACC_READ, &va, &left, iov, 4, &n, &bytes);
	T_EQ(left, 2 * 4096);

	/* A hole after three pages: those are kept, then EFAULT. */
	fake_map_scattered(&fe, 0x900000, 3 * 4096, 6, RW);
	va = 0x900100;
	left = 5 * 4096;
	n = 0;
	bytes = 0;
	T_EQ(cok_appmem_iov(&m, fe.cr3, COK_ACC_READ, &va, &left, iov, 4, &n,
			    &bytes), -EFAULT);
	T_EQ(n, 3);
	T_EQ(bytes, 3 * 4096 - 0x100);
	T_EQ(va, 0x903000);

	/* Read-only in the middle: fine to read, a fault to write. */
	fake_map_4k(&fe, 0xa00000, fake_page(&fe, 6), RW);
	fake_map_4k(&fe, 0xa01000, fake_page(&fe, 6), RO);
	fake_map_4k(&fe, 0xa02000, fake_page(&fe, 6), RW);
	va = 0xa00000;
	left = 0x3000;
	n = 0;
	bytes = 0;
	T_EQ(cok_appmem_iov(&m, fe.cr3, COK_ACC_READ, &va, &left, iov, 4, &n,
			    &bytes), 0);
	T_EQ(bytes, 0x3000);
	va = 0xa00000;
	left = 0x3000;
	n = 0;
	bytes = 0;
	T_EQ(cok_appmem_iov(&m, fe.cr3, COK_ACC_WRITE, &va, &left, iov, 4, &n,
			    &bytes), -EFAULT);
	T_EQ(bytes, 0x1000);

	/* Running off the end of user space. */
	fake_map_4k(&fe, 0x7fffffffe000ULL, fake_page(&fe, 6), RW);
	va = 0x7fffffffe800ULL;
	left = 0x1000;
	n = 0;
	bytes = 0;
	T_EQ(cok_appmem_iov(&m, fe.cr3, COK_ACC_READ, &va, &left, iov, 4, &n,
			    &bytes), -EFAULT);
	T_EQ(bytes, 0x800);
	t_end();
	teardown();
}

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
	T_EQ(cok_appmem_write(&m, fe.cr3, 0x1000010, src, sizeof(src)), 0);
	memset(dst, 0, sizeof(dst));
	fake_peek(&fe, 0x1000010, dst, sizeof(dst));
	T_CHECK(!memcmp(src, dst, sizeof(src)), "write: bytes differ");
	memset(dst, 0, sizeof(dst));
	T_EQ(cok_appmem_read(&m, fe.cr3, dst, 0x1000010, sizeof(dst)), 0);
	T_CHECK(!memcmp(src, dst, sizeof(src)), "read: bytes differ");
	T_EQ(cok_appmem_read(&m, fe.cr3, dst, 0x1000010, 0), 0);

	/* Read-only second page: the first is written, then EFAULT. */
	fake_map_4k(&fe, 0x2000000, fake_page(&fe, 6), RW);
	fake_map_4k(&fe, 0x2001000, fake_page(&fe, 6), RO);
	T_EQ(cok_appmem_write(&m, fe.cr3, 0x2000ff0, src, 0x20), -EFAULT);
	fake_peek(&fe, 0x2000ff0, dst, 0x10);
	T_CHECK(!memcmp(src, dst, 0x10), "partial write before the fault");
	T_EQ(cok_appmem_read(&m, fe.cr3, dst, 0x2000ff0, 0x20), 0);
	/* Unmapped, wrapping, kernel. */
	T_EQ(cok_appmem_read(&m, fe.cr3, dst, 0x3000000, 1), -EFAULT);
	T_EQ(cok_appmem_read(&m, fe.cr3, dst, ~0ULL - 4, 16), -EFAULT);
	T_EQ(cok_appmem_write(&m, fe.cr3, 0x2000000, src, ~0ULL), -EFAULT);
	T_EQ(cok_appmem_read(&m, fe.cr3, dst, 0xffffffff81000000ULL, 8), -EFAULT);
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
	T_EQ(cok_appmem_string(&m, fe.cr3, 0x1000000, buf, sizeof(buf)), 11);
	T_CHECK(!strcmp(buf, "/etc/passwd"), "simple string");

	/* Across a page, and a chunk, boundary (read-only is fine). */
	va = 0x1004000 - 5;
	fake_poke(&fe, va, "abcdefghij", 11);
	T_EQ(cok_appmem_string(&m, fe.cr3, va, buf, sizeof(buf)), 10);
	T_CHECK(!strcmp(buf, "abcdefghij"), "across chunks");

	/* Empty. */
	fake_poke(&fe, 0x1001000, "", 1);
	T_EQ(cok_appmem_string(&m, fe.cr3, 0x1001000, buf, sizeof(buf)), 0);

	/* NUL as the last byte before a hole: fine, the hole is not touched. */
	va = 0x1005000 - 4;
	fake_poke(&fe, va, "xyz", 4);
	T_EQ(cok_appmem_string(&m, fe.cr3, va, buf, sizeof(buf)), 3);
	/* No NUL before the hole: EFAULT. */
	fake_poke(&fe, va, "wxyz", 4);
	T_EQ(cok_appmem_string(&m, fe.cr3, va, buf, sizeof(buf)), -EFAULT);

	/* 4095 characters fit PATH_MAX; 4096 do not (ENAMETOOLONG). */
	memset(path, 'a', sizeof(path));
	path[4095] = '\0';
	fake_poke(&fe, 0x1000800, path, 4096);
	T_EQ(cok_appmem_string(&m, fe.cr3, 0x1000800, buf, 4096), 4095);
	T_CHECK(buf[4094] == 'a' && buf[4095] == '\0', "long string content");
	path[4095] = 'a';
	fake_poke(&fe, 0x1000800, path, 4096);
	fake_poke(&fe, 0x1000800 + 4096, "", 1);
	T_EQ(cok_appmem_string(&m, fe.cr3, 0x1000800, buf, 4096), -ENAMETOOLONG);

	/* Bad pointers. */
	T_EQ(cok_appmem_string(&m, fe.cr3, 0, buf, sizeof(buf)), -EFAULT);
	T_EQ(cok_appmem_string(&m, fe.cr3, 0x9000000, buf, sizeof(buf)), -EFAULT);
	T_EQ(cok_appmem_string(&m, fe.cr3, 0xffff888000000000ULL, buf,
			       sizeof(buf)), -EFAULT);
	T_EQ(cok_appmem_string(&m, fe.cr3, ~0ULL, buf, sizeof(buf)), -EFAULT);
	t_end();
	teardown();
}

int main(void)
{
	test_init();
	test_phys();
	test_lookup_random();
	test_translate();
	test_permissions();
	test_iov();
	test_iov_chunks();
	test_iov_limits();
	test_copy();
	test_string();
	return t_summary("appmem");
}
