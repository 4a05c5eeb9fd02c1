// SPDX-License-Identifier: GPL-2.0
/*
 * The app's memory seen from the proxy: copies through the module, see
 * appmem.h.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "appmem.h"
#include "../xemem/cokdev.h"

int64_t cok_appmem_op(struct cok_appmem *m, uint32_t op, uint64_t va,
		      void *buf, uint64_t len)
{
	struct cok_ioc_app_mem a = {
		.va = va, .len = len, .buf = (uint64_t)(uintptr_t)buf, .op = op,
	};

	if (!cok_user_range_ok(va, len))
		return -EFAULT;
	if (!len)
		return 0;
	if (ioctl(m->devfd, COK_IOC_APP_MEM, &a))
		return -errno;
	return (int64_t)a.done;
}

uint64_t cok_appmem_probe(struct cok_appmem *m, uint64_t va, uint64_t len,
			  enum cok_access acc)
{
	int64_t n = cok_appmem_op(m, acc == COK_ACC_WRITE ?
				  COK_MEM_PROBE_WRITE : COK_MEM_PROBE_READ,
				  va, NULL, len);

	return n < 0 ? 0 : (uint64_t)n;
}

static int whole(int64_t n, uint64_t len)
{
	if (n < 0)
		return (int)n;
	return (uint64_t)n == len ? 0 : -EFAULT;
}

int cok_appmem_read(struct cok_appmem *m, void *dst, uint64_t va,
		    size_t len)
{
	return whole(cok_appmem_op(m, COK_MEM_READ, va, dst, len), len);
}

int cok_appmem_write(struct cok_appmem *m, uint64_t va, const void *src,
		     size_t len)
{
	return whole(cok_appmem_op(m, COK_MEM_WRITE, va, (void *)src, len),
		     len);
}

int cok_appmem_zero(struct cok_appmem *m, uint64_t va, uint64_t len)
{
	return whole(cok_appmem_op(m, COK_MEM_ZERO, va, NULL, len), len);
}

int cok_appmem_write_reply(struct cok_appmem *m, uint64_t va,
			   const void *src, uint64_t len, int64_t ret,
			   uint64_t *done)
{
	struct cok_ioc_reply_mem r = {
		.mem = { .va = va, .len = len, .op = COK_MEM_WRITE,
			 .buf = (uint64_t)(uintptr_t)src },
		.ret = ret,
	};

	*done = 0;
	if (!len || !cok_user_range_ok(va, len))
		return -EFAULT;
	if (ioctl(m->devfd, COK_IOC_REPLY_MEM, &r))
		return -errno;
	*done = r.mem.done;
	return r.replied ? 1 : 0;
}

long cok_appmem_string(struct cok_appmem *m, uint64_t va, char *buf,
		       size_t size)
{
	size_t got = 0;

	while (got < size) {
		uint64_t step = COK_PAGE_SIZE - (va & (COK_PAGE_SIZE - 1));
		char *nul;

		if (step > size - got)
			step = size - got;
		if (cok_appmem_read(m, buf + got, va, step))
			return -EFAULT;
		nul = memchr(buf + got, '\0', step);
		if (nul)
			return (long)(nul - buf);
		got += step;
		va += step;
	}
	return -ENAMETOOLONG;
}
