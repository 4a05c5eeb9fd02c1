/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An app's memory as the proxy (cokctl launch) reaches it: through its
 * mmap of the enclave's memory (enclave offsets, xemem/app.h), by
 * walking the app's own x86-64 page tables from its CR3.
 *
 * Physical addresses found in the page tables are turned into enclave
 * offsets with the chunk list of struct cok_channel, copied and checked
 * once when the memory is attached: nothing the co-kernel or the app
 * writes later can make the proxy reach outside its mapping.  A page
 * counts only if it is present and user-accessible at every level, and
 * writable at every level when the proxy writes into it - the checks the
 * MMU makes for the app itself.
 *
 * Every function steps at most one 4 KiB page at a time (a 2 MiB or
 * 1 GiB page is walked in 4 KiB steps); a step never crosses a chunk.
 * Bad addresses give -EFAULT.
 */
#ifndef COKCTL_APPMEM_H
#define COKCTL_APPMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

/* The end of x86-64 user space with 4-level paging (Linux TASK_SIZE_MAX). */
#define COK_UADDR_END		0x00007ffffffff000ULL
#define COK_PAGE_SIZE		4096ULL

/* x86-64 page-table entry bits. */
#define COK_PTE_P		(1ULL << 0)
#define COK_PTE_W		(1ULL << 1)
#define COK_PTE_U		(1ULL << 2)
#define COK_PTE_PS		(1ULL << 7)
#define COK_PTE_ADDR		0x000ffffffffff000ULL	/* bits 12..51 */

/* Direction of an access, seen from the app. */
enum cok_access {
	COK_ACC_READ = 0,	/* the proxy reads app memory (write(2)) */
	COK_ACC_WRITE = 1,	/* the proxy writes app memory (read(2)) */
};

struct cok_chunk_ref {
	uint64_t phys;		/* physical base of the chunk */
	uint64_t offset;	/* its enclave offset */
};

struct cok_appmem {
	uint8_t *base;		/* the mapping of enclave offset 0 */
	uint64_t size;
	uint32_t nchunks;
	struct cok_chunk_ref *chunk;	/* sorted by phys */
	const struct cok_chunk_ref *last;	/* the last chunk hit */
};

/*
 * Attaches the mapping [base, base + size): checks the channel at offset
 * 0 (magic, version) and copies its chunk list.  0, or -EINVAL with a
 * one-line reason in *why.
 */
int cok_appmem_init(struct cok_appmem *m, void *base, uint64_t size,
		    const char **why);
void cok_appmem_fini(struct cok_appmem *m);

/* The host address of [phys, phys + len), which must lie in one chunk. */
void *cok_appmem_phys(struct cok_appmem *m, uint64_t phys, uint64_t len);

/*
 * Translates one user address for an access; *host points to it in the
 * mapping, valid up to the end of its 4 KiB page.  0 or -EFAULT.
 */
int cok_appmem_translate(struct cok_appmem *m, uint64_t cr3, uint64_t va,
			 enum cok_access acc, uint8_t **host);

/* [va, va + len) lies inside user space (no wrap-around). */
static inline bool cok_user_range_ok(uint64_t va, uint64_t len)
{
	return va <= COK_UADDR_END && len <= COK_UADDR_END - va;
}

/*
 * Appends the buffer [*va, *va + *left) to iov[*n .. max) as host
 * pointers, merging pieces that are contiguous in the mapping (also with
 * the entry already at iov[*n - 1]).  Advances *va, *left, *n and adds
 * to *bytes.  Stops when the buffer is done (0), when iov is full (0,
 * with *left > 0), or at the first page that is not accessible
 * (-EFAULT; what came before it is appended).
 */
int cok_appmem_iov(struct cok_appmem *m, uint64_t cr3, enum cok_access acc,
		   uint64_t *va, uint64_t *left, struct iovec *iov, int max,
		   int *n, uint64_t *bytes);

/*
 * Copies len bytes from the app (at va) to dst, or from src into the app.
 * 0 or -EFAULT; as with Linux's copy_to_user, the bytes before a bad page
 * may have been copied.
 */
int cok_appmem_read(struct cok_appmem *m, uint64_t cr3, void *dst,
		    uint64_t va, size_t len);
int cok_appmem_write(struct cok_appmem *m, uint64_t cr3, uint64_t va,
		     const void *src, size_t len);

/*
 * A NUL-terminated string (a path) of the app into buf[size], page by
 * page: only the pages up to its NUL are touched.  Returns its length,
 * -EFAULT, or -ENAMETOOLONG when no NUL comes within size bytes (as
 * Linux, for size = PATH_MAX).
 */
long cok_appmem_string(struct cok_appmem *m, uint64_t cr3, uint64_t va,
		       char *buf, size_t size);

#endif /* COKCTL_APPMEM_H */
