// SPDX-License-Identifier: GPL-2.0
/*
 * The app's memory seen from the proxy: page walk and translation, see
 * appmem.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "appmem.h"
#include "../xemem/channel.h"

static int cmp_chunk(const void *a, const void *b)
{
	const struct cok_chunk_ref *x = a, *y = b;

	return x->phys < y->phys ? -1 : x->phys > y->phys;
}

int cok_appmem_init(struct cok_appmem *m, void *base, uint64_t size,
		    const char **why)
{
	const struct cok_channel *ch = base;
	uint32_t i, n;

	memset(m, 0, sizeof(*m));
	if (size < COK_CHUNK_SIZE || size % COK_CHUNK_SIZE) {
		*why = "the enclave memory is not a whole number of chunks";
		return -EINVAL;
	}
	if (cok_read_once(&ch->magic) != COK_CHANNEL_MAGIC ||
	    cok_read_once(&ch->version) != COK_CHANNEL_VERSION) {
		*why = "no channel (or another version) at the start of the enclave memory";
		return -EINVAL;
	}
	n = cok_read_once(&ch->nchunks);
	if (!n || n > COK_MAX_CHUNKS || n > size / COK_CHUNK_SIZE) {
		*why = "the channel's chunk count does not match the enclave memory";
		return -EINVAL;
	}
	m->chunk = calloc(n, sizeof(*m->chunk));
	if (!m->chunk) {
		*why = "out of memory";
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		uint64_t phys = cok_read_once(&ch->chunk_phys[i]);

		if (phys % COK_CHUNK_SIZE || phys > COK_PTE_ADDR) {
			free(m->chunk);
			m->chunk = NULL;
			*why = "the channel's chunk list holds an invalid address";
			return -EINVAL;
		}
		m->chunk[i].phys = phys;
		m->chunk[i].offset = (uint64_t)i << COK_CHUNK_SHIFT;
	}
	qsort(m->chunk, n, sizeof(*m->chunk), cmp_chunk);
	for (i = 1; i < n; i++) {
		if (m->chunk[i].phys == m->chunk[i - 1].phys) {
			free(m->chunk);
			m->chunk = NULL;
			*why = "the channel's chunk list names a chunk twice";
			return -EINVAL;
		}
	}
	m->base = base;
	m->size = size;
	m->nchunks = n;
	m->last = &m->chunk[0];
	return 0;
}

void cok_appmem_fini(struct cok_appmem *m)
{
	free(m->chunk);
	memset(m, 0, sizeof(*m));
}

void *cok_appmem_phys(struct cok_appmem *m, uint64_t phys, uint64_t len)
{
	const struct cok_chunk_ref *c = m->last;
	uint64_t off;

	if (!c)
		return NULL;
	if (phys - c->phys >= COK_CHUNK_SIZE) {
		/* The last chunk with c->phys <= phys. */
		uint32_t lo = 0, hi = m->nchunks;

		while (lo < hi) {
			uint32_t mid = lo + (hi - lo) / 2;

			if (m->chunk[mid].phys <= phys)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (!lo)
			return NULL;
		c = &m->chunk[lo - 1];
		if (phys - c->phys >= COK_CHUNK_SIZE)
			return NULL;
		m->last = c;
	}
	off = phys - c->phys;
	if (len > COK_CHUNK_SIZE - off)
		return NULL;
	return m->base + c->offset + off;
}

/* The physical address of va for acc, or -EFAULT. */
static int walk(struct cok_appmem *m, uint64_t cr3, uint64_t va,
		enum cok_access acc, uint64_t *phys)
{
	const uint64_t need = COK_PTE_P | COK_PTE_U |
			      (acc == COK_ACC_WRITE ? COK_PTE_W : 0);
	uint64_t table = cr3 & COK_PTE_ADDR;
	unsigned int shift;

	if (va >= COK_UADDR_END)
		return -EFAULT;
	for (shift = 39; ; shift -= 9) {
		const uint64_t *t = cok_appmem_phys(m, table, COK_PAGE_SIZE);
		uint64_t e, mask;

		if (!t)
			return -EFAULT;
		e = cok_read_once(&t[(va >> shift) & 511]);
		if ((e & need) != need)
			return -EFAULT;
		if (shift == 12) {
			*phys = (e & COK_PTE_ADDR) | (va & (COK_PAGE_SIZE - 1));
			return 0;
		}
		if (e & COK_PTE_PS) {
			/* A 1 GiB (PDPT) or 2 MiB (PD) page; reserved in a PML4E. */
			if (shift == 39)
				return -EFAULT;
			mask = (1ULL << shift) - 1;
			/* Bit 12 is PAT; bits 13..shift-1 are reserved. */
			if (e & COK_PTE_ADDR & mask & ~COK_PAGE_SIZE)
				return -EFAULT;
			*phys = (e & COK_PTE_ADDR & ~mask) | (va & mask);
			return 0;
		}
		table = e & COK_PTE_ADDR;
	}
}

int cok_appmem_translate(struct cok_appmem *m, uint64_t cr3, uint64_t va,
			 enum cok_access acc, uint8_t **host)
{
	uint64_t phys;
	uint8_t *p;

	if (walk(m, cr3, va, acc, &phys))
		return -EFAULT;
	p = cok_appmem_phys(m, phys,
			    COK_PAGE_SIZE - (phys & (COK_PAGE_SIZE - 1)));
	if (!p)
		return -EFAULT;
	*host = p;
	return 0;
}

/* Bytes from va to the end of its page, at most left. */
static inline uint64_t page_step(uint64_t va, uint64_t left)
{
	uint64_t step = COK_PAGE_SIZE - (va & (COK_PAGE_SIZE - 1));

	return step < left ? step : left;
}

int cok_appmem_iov(struct cok_appmem *m, uint64_t cr3, enum cok_access acc,
		   uint64_t *va, uint64_t *left, struct iovec *iov, int max,
		   int *n, uint64_t *bytes)
{
	while (*left) {
		uint64_t step = page_step(*va, *left);
		struct iovec *last = *n ? &iov[*n - 1] : NULL;
		uint8_t *host;

		if (*va >= COK_UADDR_END ||
		    cok_appmem_translate(m, cr3, *va, acc, &host))
			return -EFAULT;
		if (last && (uint8_t *)last->iov_base + last->iov_len == host) {
			last->iov_len += step;
		} else {
			if (*n == max)
				return 0;
			iov[*n].iov_base = host;
			iov[*n].iov_len = step;
			(*n)++;
		}
		*va += step;
		*left -= step;
		*bytes += step;
	}
	return 0;
}

int cok_appmem_read(struct cok_appmem *m, uint64_t cr3, void *dst,
		    uint64_t va, size_t len)
{
	uint8_t *d = dst;

	if (!cok_user_range_ok(va, len))
		return -EFAULT;
	while (len) {
		uint64_t step = page_step(va, len);
		uint8_t *host;

		if (cok_appmem_translate(m, cr3, va, COK_ACC_READ, &host))
			return -EFAULT;
		memcpy(d, host, step);
		d += step;
		va += step;
		len -= step;
	}
	return 0;
}

int cok_appmem_write(struct cok_appmem *m, uint64_t cr3, uint64_t va,
		     const void *src, size_t len)
{
	const uint8_t *s = src;

	if (!cok_user_range_ok(va, len))
		return -EFAULT;
	while (len) {
		uint64_t step = page_step(va, len);
		uint8_t *host;

		if (cok_appmem_translate(m, cr3, va, COK_ACC_WRITE, &host))
			return -EFAULT;
		memcpy(host, s, step);
		s += step;
		va += step;
		len -= step;
	}
	return 0;
}

long cok_appmem_string(struct cok_appmem *m, uint64_t cr3, uint64_t va,
		       char *buf, size_t size)
{
	size_t got = 0;

	while (got < size) {
		uint64_t step = page_step(va, size - got);
		uint8_t *host, *nul;

		if (va >= COK_UADDR_END ||
		    cok_appmem_translate(m, cr3, va, COK_ACC_READ, &host))
			return -EFAULT;
		nul = memchr(host, '\0', step);
		if (nul)
			step = (uint64_t)(nul - host) + 1;
		memcpy(buf + got, host, step);
		got += step;
		if (nul)
			return (long)got - 1;
		va += step;
	}
	return -ENAMETOOLONG;
}
