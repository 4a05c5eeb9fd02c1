/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An app's memory as its proxy (cokctl launch) reaches it: copies made
 * by the module (COK_IOC_APP_MEM on the proxy's device file), by the
 * app's virtual addresses and with the app's own access rights.  The
 * proxy maps nothing of the enclave: it cannot see the channel, the
 * co-kernel, a page table or any other app.
 *
 * A copy moves bytes up to the first page the app could not access
 * itself (not mapped, or not writable when the proxy writes into it):
 * the functions below give that count, or 0 / -EFAULT where the whole
 * range must move, as Linux's copy_to_user and copy_from_user do.
 */
#ifndef COKCTL_APPMEM_H
#define COKCTL_APPMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../xemem/cokdev.h"	/* enum cok_app_mem_op */
#include "../xemem/pgwalk.h"

/* Direction of an access, seen from the app. */
enum cok_access {
	COK_ACC_READ = 0,	/* the proxy reads app memory (write(2)) */
	COK_ACC_WRITE = 1,	/* the proxy writes app memory (read(2)) */
};

struct cok_appmem {
	int devfd;		/* the proxy's file, bound to the app */
};

static inline void cok_appmem_init(struct cok_appmem *m, int devfd)
{
	m->devfd = devfd;
}

/*
 * One COK_IOC_APP_MEM (op: enum cok_app_mem_op): the bytes moved from
 * va on, or -errno when the module refused (-EFAULT also for a bad
 * address range).
 */
int64_t cok_appmem_op(struct cok_appmem *m, uint32_t op, uint64_t va,
		      void *buf, uint64_t len);

/* How many bytes from va on the app may access (at most len). */
uint64_t cok_appmem_probe(struct cok_appmem *m, uint64_t va, uint64_t len,
			  enum cok_access acc);

/* The whole range, or -EFAULT (the bytes before a bad page may move). */
int cok_appmem_read(struct cok_appmem *m, void *dst, uint64_t va,
		    size_t len);
int cok_appmem_write(struct cok_appmem *m, uint64_t va, const void *src,
		     size_t len);
int cok_appmem_zero(struct cok_appmem *m, uint64_t va, uint64_t len);

/*
 * Writes len (> 0) bytes at src to the app at va and, if all of them
 * went in, replies ret to the app's call: one COK_IOC_REPLY_MEM.
 * Returns 1 when the app has its result, 0 when the copy stopped at a
 * page the app lacks (*done bytes went in, nothing replied), -errno
 * when the module refused (*done 0).
 */
int cok_appmem_write_reply(struct cok_appmem *m, uint64_t va,
			   const void *src, uint64_t len, int64_t ret,
			   uint64_t *done);

/*
 * A NUL-terminated string (a path) of the app into buf[size], page by
 * page: only the pages up to its NUL are touched.  Returns its length,
 * -EFAULT, or -ENAMETOOLONG when no NUL comes within size bytes (as
 * Linux, for size = PATH_MAX).
 */
long cok_appmem_string(struct cok_appmem *m, uint64_t va, char *buf,
		       size_t size);

#endif /* COKCTL_APPMEM_H */
