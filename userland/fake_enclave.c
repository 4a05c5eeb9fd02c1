// SPDX-License-Identifier: GPL-2.0
/*
 * A fake enclave for the host tests, see fake_enclave.h.  Its own page
 * walk (fake_walk, for fake_poke and fake_peek) is deliberately separate
 * from xemem/pgwalk.h's, which fake_app_mem runs as the module does.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_enclave.h"
#include "../xemem/channel.h"

static void die(const char *what)
{
	fprintf(stderr, "FAIL fake enclave: %s\n", what);
	exit(1);
}

int fake_init(struct fake_enclave *fe, uint32_t nchunks,
	      const uint64_t *phys)
{
	struct cok_channel *ch;
	uint32_t i;

	memset(fe, 0, sizeof(*fe));
	if (!nchunks || nchunks > FAKE_MAX_CHUNKS)
		return -1;
	fe->size = (uint64_t)nchunks << COK_CHUNK_SHIFT;
	fe->mem = aligned_alloc(COK_CHUNK_SIZE, fe->size);
	if (!fe->mem)
		return -1;
	memset(fe->mem, 0, COK_CHANNEL_SIZE);
	fe->nchunks = nchunks;
	ch = (struct cok_channel *)fe->mem;
	ch->magic = COK_CHANNEL_MAGIC;
	ch->version = COK_CHANNEL_VERSION;
	ch->nchunks = nchunks;
	ch->enclave_id = 1;
	for (i = 0; i < nchunks; i++) {
		fe->phys[i] = phys[i];
		ch->chunk_phys[i] = phys[i];
		fe->next[i] = 0;
	}
	fe->next[0] = COK_PGTABLE_OFFSET;
	fe->table_chunk = nchunks > 1 ? 1 : 0;
	fe->table_flags = COK_PTE_P | COK_PTE_W | COK_PTE_U;
	fe->cr3 = fake_page(fe, fe->table_chunk);
	return 0;
}

void fake_fini(struct fake_enclave *fe)
{
	free(fe->mem);
	memset(fe, 0, sizeof(*fe));
}

uint64_t fake_phys(const struct fake_enclave *fe, int c, uint64_t off)
{
	return fe->phys[c] + off;
}

uint64_t fake_page(struct fake_enclave *fe, int c)
{
	uint64_t off = fe->next[c];

	if (off + COK_PAGE_SIZE > COK_CHUNK_SIZE)
		die("chunk full");
	fe->next[c] += COK_PAGE_SIZE;
	memset(fe->mem + ((uint64_t)c << COK_CHUNK_SHIFT) + off, 0,
	       COK_PAGE_SIZE);
	return fe->phys[c] + off;
}

int fake_chunk_of(const struct fake_enclave *fe, uint64_t phys)
{
	uint32_t i;

	for (i = 0; i < fe->nchunks; i++) {
		if (phys >= fe->phys[i] && phys - fe->phys[i] < COK_CHUNK_SIZE)
			return (int)i;
	}
	return -1;
}

void *fake_lookup(struct fake_enclave *fe, uint64_t phys)
{
	int c = fake_chunk_of(fe, phys);

	if (c < 0)
		return NULL;
	return fe->mem + ((uint64_t)c << COK_CHUNK_SHIFT) + (phys - fe->phys[c]);
}

void *fake_host(struct fake_enclave *fe, uint64_t phys)
{
	void *h = fake_lookup(fe, phys);

	if (!h)
		die("physical address outside the chunks");
	return h;
}

const uint64_t *fake_table(void *ctx, uint64_t phys)
{
	return fake_lookup(ctx, phys & COK_PTE_ADDR);
}

/* The table entry for va at level shift, creating tables down to it. */
static uint64_t *entry_for(struct fake_enclave *fe, uint64_t va,
			   unsigned int level)
{
	uint64_t table = fe->cr3;
	unsigned int shift;

	for (shift = 39; ; shift -= 9) {
		uint64_t *t = fake_host(fe, table);
		uint64_t *e = &t[(va >> shift) & 511];

		if (shift == level)
			return e;
		if (!(*e & COK_PTE_P))
			*e = fake_page(fe, fe->table_chunk) | fe->table_flags;
		if (*e & COK_PTE_PS)
			die("a large page is in the way");
		table = *e & COK_PTE_ADDR;
	}
}

uint64_t *fake_entry(struct fake_enclave *fe, uint64_t va,
		     unsigned int level)
{
	uint64_t table = fe->cr3;
	unsigned int shift;

	for (shift = 39; ; shift -= 9) {
		uint64_t *t = fake_host(fe, table);
		uint64_t *e = &t[(va >> shift) & 511];

		if (shift == level)
			return e;
		if (!(*e & COK_PTE_P) || (*e & COK_PTE_PS))
			return NULL;
		table = *e & COK_PTE_ADDR;
	}
}

void fake_map_4k(struct fake_enclave *fe, uint64_t va, uint64_t phys,
		 uint64_t flags)
{
	*entry_for(fe, va, 12) = (phys & COK_PTE_ADDR) | flags | COK_PTE_P;
}

void fake_map_2m(struct fake_enclave *fe, uint64_t va, uint64_t phys,
		 uint64_t flags)
{
	*entry_for(fe, va, 21) = phys | flags | COK_PTE_P | COK_PTE_PS;
}

void fake_map_1g(struct fake_enclave *fe, uint64_t va, uint64_t phys,
		 uint64_t flags)
{
	*entry_for(fe, va, 30) = phys | flags | COK_PTE_P | COK_PTE_PS;
}

void fake_map_scattered(struct fake_enclave *fe, uint64_t va, uint64_t len,
			int c, uint64_t flags)
{
	uint64_t off;

	for (off = 0; off < len; off += COK_PAGE_SIZE) {
		uint64_t phys = fake_page(fe, c);

		fake_page(fe, c);	/* a gap: never contiguous */
		fake_map_4k(fe, va + off, phys, flags);
	}
}

/* The reference walk: no permission checks, dies on a hole. */
static uint8_t *fake_walk(struct fake_enclave *fe, uint64_t va)
{
	uint64_t table = fe->cr3;
	unsigned int shift;

	for (shift = 39; ; shift -= 9) {
		uint64_t *t = fake_host(fe, table);
		uint64_t e = t[(va >> shift) & 511];

		if (!(e & COK_PTE_P))
			die("fake_walk: not mapped");
		if (shift == 12 || (e & COK_PTE_PS)) {
			uint64_t mask = (1ULL << shift) - 1;

			return fake_host(fe, (e & COK_PTE_ADDR & ~mask) +
					     (va & mask));
		}
		table = e & COK_PTE_ADDR;
	}
}

void fake_poke(struct fake_enclave *fe, uint64_t va, const void *src,
	       uint64_t len)
{
	const uint8_t *s = src;

	while (len) {
		uint64_t step = COK_PAGE_SIZE - (va & (COK_PAGE_SIZE - 1));

		if (step > len)
			step = len;
		memcpy(fake_walk(fe, va), s, step);
		va += step;
		s += step;
		len -= step;
	}
}

void fake_peek(struct fake_enclave *fe, uint64_t va, void *dst,
	       uint64_t len)
{
	uint8_t *d = dst;

	while (len) {
		uint64_t step = COK_PAGE_SIZE - (va & (COK_PAGE_SIZE - 1));

		if (step > len)
			step = len;
		memcpy(d, fake_walk(fe, va), step);
		va += step;
		d += step;
		len -= step;
	}
}

/* --- COK_IOC_APP_MEM, as kmod/appmem.c ---------------------------------- */

/*
 * The app's bytes at va for an access and the length of their run (one
 * page, cut at its chunk's end), or NULL: app_bytes() of the module.
 */
static uint8_t *app_bytes(struct fake_enclave *fe, uint64_t va, int write,
			  uint64_t *len)
{
	uint64_t phys, span, off;
	int c;

	if (cok_pgwalk(fe->cr3, va, write, fake_table, fe, &phys, &span))
		return NULL;
	c = fake_chunk_of(fe, phys);
	if (c <= 0)		/* outside the enclave, or chunk 0 */
		return NULL;
	off = phys - fe->phys[c];
	*len = span < COK_CHUNK_SIZE - off ? span : COK_CHUNK_SIZE - off;
	return fe->mem + ((uint64_t)c << COK_CHUNK_SHIFT) + off;
}

int fake_app_mem(struct fake_enclave *fe, struct cok_ioc_app_mem *m)
{
	uint8_t *buf = (uint8_t *)(uintptr_t)m->buf;
	int write;

	fe->app_mem_calls++;
	if (m->pad || m->op < COK_MEM_READ || m->op > COK_MEM_PROBE_WRITE)
		return -EINVAL;
	if (!cok_user_range_ok(m->va, m->len))
		return -EFAULT;
	if (!fe->restoring && fe->idle)
		return -EBUSY;
	write = m->op == COK_MEM_WRITE || m->op == COK_MEM_ZERO ||
		m->op == COK_MEM_PROBE_WRITE;
	if (fe->restoring)
		write = 0;
	m->done = 0;
	while (m->done < m->len) {
		uint64_t run;
		uint8_t *app = app_bytes(fe, m->va + m->done, write, &run);

		if (!app)
			return 0;
		if (run > m->len - m->done)
			run = m->len - m->done;
		switch (m->op) {
		case COK_MEM_READ:
		case COK_MEM_WRITE:
			/* copy_to_user / copy_from_user on a NULL buffer. */
			if (!buf)
				return -EFAULT;
			if (m->op == COK_MEM_READ)
				memcpy(buf + m->done, app, run);
			else
				memcpy(app, buf + m->done, run);
			break;
		case COK_MEM_ZERO:
			memset(app, 0, run);
			break;
		default:	/* a probe */
			break;
		}
		m->done += run;
	}
	return 0;
}
