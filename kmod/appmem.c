// SPDX-License-Identifier: GPL-2.0
/*
 * COK_IOC_APP_MEM: a proxy's copies to and from its app's memory.
 *
 * The proxy has no mapping of the enclave: the module walks the app's
 * page tables (xemem/pgwalk.h) and copies between the proxy's buffer
 * and the app's frames.  Only while the app waits for the forwarded
 * call the proxy is serving (its address space cannot change then), or
 * while a restoring proxy writes the pages of its still-frozen app.
 *
 * Every table the walk reads and every frame it reaches must lie in the
 * enclave; a frame must lie outside chunk 0 (channel, co-kernel image,
 * boot page tables).  The co-kernel never maps a page table or another
 * app's frame into an app, so what a proxy reaches is its app's data.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/uaccess.h>
#include "app.h"
#include "appmem.h"
#include "enclave_priv.h"
#include "../xemem/pgwalk.h"

struct cok_chunk_index {
	u64 phys;
	u32 chunk;
};

static int cmp_phys(const void *a, const void *b)
{
	const struct cok_chunk_index *x = a, *y = b;

	return x->phys < y->phys ? -1 : x->phys > y->phys;
}

int cok_appmem_index(struct cok_enclave *e)
{
	u32 i;

	e->by_phys = kvcalloc(e->nchunks, sizeof(*e->by_phys), GFP_KERNEL);
	if (!e->by_phys)
		return -ENOMEM;
	for (i = 0; i < e->nchunks; i++) {
		e->by_phys[i].phys = page_to_phys(e->chunks[i]);
		e->by_phys[i].chunk = i;
	}
	sort(e->by_phys, e->nchunks, sizeof(*e->by_phys), cmp_phys, NULL);
	return 0;
}

void cok_appmem_unindex(struct cok_enclave *e)
{
	kvfree(e->by_phys);
	e->by_phys = NULL;
}

/* The chunk holding phys, or -1. */
static int chunk_of(const struct cok_enclave *e, u64 phys)
{
	u32 lo = 0, hi = e->nchunks;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (e->by_phys[mid].phys <= phys)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || phys - e->by_phys[lo - 1].phys >= COK_CHUNK_SIZE)
		return -1;
	return e->by_phys[lo - 1].chunk;
}

static void *chunk_addr(const struct cok_enclave *e, int chunk, u64 phys)
{
	return (u8 *)page_address(e->chunks[chunk]) +
	       (phys & (COK_CHUNK_SIZE - 1));
}

/* cok_table_fn: a page table anywhere in the enclave. */
static const uint64_t *enclave_table(void *ctx, uint64_t phys)
{
	struct cok_enclave *e = ctx;
	int chunk = chunk_of(e, phys);

	return chunk < 0 ? NULL : chunk_addr(e, chunk, phys & COK_PTE_ADDR);
}

/*
 * The app's bytes at va for an access: a kernel address and how many
 * bytes follow it in one frame run (one page, within one chunk), or
 * NULL when the app could not make that access.
 */
static void *app_bytes(struct cok_enclave *e, u64 cr3, u64 va, bool write,
		       u64 *len)
{
	u64 phys, span;
	int chunk;

	if (cok_pgwalk(cr3, va, write, enclave_table, e, &phys, &span))
		return NULL;
	chunk = chunk_of(e, phys);
	if (chunk <= 0)		/* outside the enclave, or chunk 0 */
		return NULL;
	*len = min(span, COK_CHUNK_SIZE - (phys & (COK_CHUNK_SIZE - 1)));
	return chunk_addr(e, chunk, phys);
}

static int move(u32 op, void *app, u8 __user *buf, u64 n)
{
	switch (op) {
	case COK_MEM_READ:
		return copy_to_user(buf, app, n) ? -EFAULT : 0;
	case COK_MEM_WRITE:
		return copy_from_user(app, buf, n) ? -EFAULT : 0;
	case COK_MEM_ZERO:
		memset(app, 0, n);
		return 0;
	default:		/* a probe */
		return 0;
	}
}

/*
 * Copies page run by page run until done, the first page the app lacks
 * (m->done short, 0 returned with -EFAULT only for the caller's buffer),
 * or a fatal signal.
 */
static int copy_runs(struct cok_enclave *e, u64 cr3, bool write,
		     struct cok_ioc_app_mem *m)
{
	u8 __user *buf = u64_to_user_ptr(m->buf);
	int err;

	m->done = 0;
	while (m->done < m->len) {
		u64 run;
		void *app = app_bytes(e, cr3, m->va + m->done, write, &run);

		if (!app)
			return 0;
		run = min(run, m->len - m->done);
		err = move(m->op, app, buf + m->done, run);
		if (err)
			return err;
		m->done += run;
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	return 0;
}

int cok_app_mem(struct cok_file *f, struct cok_ioc_app_mem *m)
{
	struct cok_app *app = f->app;
	bool write;
	u64 cr3;

	if (!app)
		return -ENOTCONN;
	if (m->pad || m->op < COK_MEM_READ || m->op > COK_MEM_PROBE_WRITE)
		return -EINVAL;
	if (!cok_user_range_ok(m->va, m->len))
		return -EFAULT;
	/* Only while the app cannot change its address space. */
	if (!f->restoring && !cok_app_in_call(f))
		return -EBUSY;
	write = m->op == COK_MEM_WRITE || m->op == COK_MEM_ZERO ||
		m->op == COK_MEM_PROBE_WRITE;
	/* A restore writes text pages too, which the app may only read. */
	if (f->restoring)
		write = false;
	cr3 = READ_ONCE(app->e->ch->proc[app->slot].cr3);
	return copy_runs(app->e, cr3, write, m);
}
