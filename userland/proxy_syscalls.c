// SPDX-License-Identifier: GPL-2.0
/*
 * The forwarded system calls of an app, run by its proxy.
 *
 * The app and the proxy are both x86-64 Linux programs, so numbers,
 * argument registers and structure layouts (struct stat, iovec, ...) are
 * the same: each call is made natively, with the raw system call where
 * the C library would change the semantics, and with the app's buffers
 * copied in and out by the module (appmem.c).  A read or write moves
 * through one bounce buffer per batch: the part of the app's buffers
 * the app may access is measured first, so that a read never takes from
 * a file bytes it cannot deliver.
 *
 * Pointer arguments are checked as Linux checks them: the whole range
 * must be in user space (else -EFAULT), and a transfer stops at the
 * first page that is not mapped with the access it needs.  What happens
 * there is Linux's own decision, not the proxy's: a batch that stops at
 * such a page is laid out in the bounce buffer to end at an inaccessible
 * guard, and the host call is given the app's length, so that the host
 * kernel meets the hole at the same byte the app's kernel would - a
 * short count (a regular file), -EFAULT with nothing taken (a pipe
 * buffer that straddles the hole), the file's own answer first (EOF,
 * EAGAIN, EBADF, ENOTDIR).  getdents64 is laid out the same way.
 *
 * The proxy's own file descriptors (the device, its stderr) sit at the
 * top of the fd table; to the app they do not exist (-EBADF).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>

#include "proxy.h"
#include "../xemem/app.h"

#ifndef __x86_64__
#error "the proxy runs x86-64 apps natively: build it for x86-64"
#endif

/* Linux's limit of one read or write (INT_MAX & PAGE_MASK). */
#define MAX_RW_COUNT		0x7ffff000ULL
/* The bounce buffer: one read or write batch, then an inaccessible guard. */
#define BOUNCE_SIZE		(1UL << 20)
#define GUARD_SIZE		(1UL << 20)
/* getdents64 returns at most this much at once. */
#define DENTS_MAX		65536

/* Kernel layouts the proxy copies out as bytes. */
#define KTERMIOS_SIZE		36	/* struct termios of <asm/termbits.h> */
#define KTERMIOS2_SIZE		44	/* struct termios2 */
#define COK_TCGETS2		_IOR('T', 0x2A, char[KTERMIOS2_SIZE])

_Static_assert(sizeof(struct stat) == 144, "x86-64 struct stat");
_Static_assert(sizeof(struct utsname) == 390, "x86-64 struct utsname");
_Static_assert(sizeof(struct iovec) == 16, "x86-64 struct iovec");
_Static_assert(DENTS_MAX <= BOUNCE_SIZE && DENTS_MAX <= GUARD_SIZE,
	       "getdents64 fits the bounce buffer and its guard");

typedef int64_t (*sc_fn)(struct cok_proxy *p, const uint64_t *a);

/* BOUNCE_SIZE bytes, then GUARD_SIZE bytes the proxy cannot access. */
/* One per server thread of the pool (proxy.c). */
static __thread uint8_t *bounce;

static int bounce_init(void)
{
	void *b;

	if (bounce)
		return 0;
	b = mmap(NULL, BOUNCE_SIZE + GUARD_SIZE, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (b == MAP_FAILED)
		return -ENOMEM;
	if (mprotect(b, BOUNCE_SIZE, PROT_READ | PROT_WRITE)) {
		munmap(b, BOUNCE_SIZE + GUARD_SIZE);
		return -ENOMEM;
	}
	bounce = b;
	return 0;
}

/* The n bytes before the guard. */
static inline uint8_t *before_guard(uint64_t n)
{
	return bounce + BOUNCE_SIZE - n;
}

/* Linux takes int and unsigned int arguments from the low 32 bits. */
static inline int arg_int(uint64_t a)
{
	return (int)(uint32_t)a;
}

static inline int64_t sys_ret(long r)
{
	return r < 0 ? -errno : r;
}

static inline bool hidden(const struct cok_proxy *p, int fd)
{
	return cok_proxy_private_fd(p, fd);
}

/* The app's path at va into buf[PATH_MAX]: 0 or -errno. */
static int64_t get_path(struct cok_proxy *p, uint64_t va, char *buf)
{
	long r = cok_appmem_string(&p->mem, va, buf, PATH_MAX);

	return r < 0 ? r : 0;
}

static int64_t put(struct cok_proxy *p, uint64_t va, const void *src,
		   size_t len)
{
	return cok_appmem_write(&p->mem, va, src, len);
}

/* --- read and write: through the bounce buffer ------------------------- */

struct seg {
	uint64_t va;
	uint64_t len;
};

enum rw_op {
	RW_READ,	/* read, readv, pread64: into the app */
	RW_WRITE,	/* write, writev, pwrite64: from the app */
};

static bool seekable_file(struct cok_proxy *p, int fd)
{
	uint64_t bit = 1ULL << (fd % 64);
	uint64_t *word = fd >= 0 && fd < COK_PROXY_SEEKABLE_FDS ?
			 &p->seekable[fd / 64] : NULL;
	struct stat st;

	if (word && (*word & bit))
		return true;
	if (fstat(fd, &st) || !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode)))
		return false;
	if (word)
		*word |= bit;
	return true;
}

/*
 * Bumped after every call that may have changed the fd table, by any
 * server of the pool: each forgets what it knew of the fds then.
 */
static uint64_t fd_gen;

/* The calls that leave every fd what it was (see p->seekable). */
static bool keeps_fds(uint64_t nr)
{
	switch (nr) {
	case SYS_read: case SYS_pread64: case SYS_readv:
	case SYS_write: case SYS_pwrite64: case SYS_writev:
	case SYS_lseek: case SYS_fstat:
		return true;
	default:
		return false;
	}
}

static ssize_t rw_native(int fd, enum rw_op op, void *buf, size_t n,
			 int64_t off)
{
	if (op == RW_READ)
		return off < 0 ? read(fd, buf, n) : pread(fd, buf, n, off);
	return off < 0 ? write(fd, buf, n) : pwrite(fd, buf, n, off);
}

/*
 * The app's buffer is not in user space: -EFAULT, unless Linux would
 * have refused the file first (EBADF, ESPIPE, EINVAL...); a zero-length
 * call tells.
 */
static int64_t fault_or_fd_error(int fd, enum rw_op op, int64_t off)
{
	if (rw_native(fd, op, bounce, 0, off) < 0)
		return -errno;
	return -EFAULT;
}

/* Where a batch stands in seg[]: segment i, bytes done in it. */
struct rw_pos {
	int i;
	uint64_t at;
};

/*
 * The next batch of seg[] from pos: at most BOUNCE_SIZE bytes that the
 * app may access, up to the first byte it may not (*fault).  A write's
 * bytes are copied from the app into the bounce buffer here.
 */
static uint64_t batch(struct cok_proxy *p, enum rw_op op,
		      const struct seg *seg, int nseg, struct rw_pos pos,
		      bool *fault)
{
	uint64_t bytes = 0;

	for (; pos.i < nseg && bytes < BOUNCE_SIZE; pos.i++, pos.at = 0) {
		uint64_t want = seg[pos.i].len - pos.at, got;

		if (want > BOUNCE_SIZE - bytes)
			want = BOUNCE_SIZE - bytes;
		if (op == RW_READ) {
			got = cok_appmem_probe(&p->mem, seg[pos.i].va + pos.at,
					       want, COK_ACC_WRITE);
		} else {
			int64_t n = cok_appmem_op(&p->mem, COK_MEM_READ,
						  seg[pos.i].va + pos.at,
						  bounce + bytes, want);

			got = n < 0 ? 0 : (uint64_t)n;
		}
		bytes += got;
		if (got < want) {
			*fault = true;
			break;
		}
	}
	return bytes;
}

/* Hands the n bytes at from of a read to the app's segments from *pos on. */
static void scatter(struct cok_proxy *p, const struct seg *seg,
		    struct rw_pos *pos, const uint8_t *from, uint64_t n)
{
	while (n) {
		uint64_t step = seg[pos->i].len - pos->at;

		if (step > n)
			step = n;
		/* Probed just before: the app may write there. */
		cok_appmem_write(&p->mem, seg[pos->i].va + pos->at, from, step);
		from += step;
		n -= step;
		pos->at += step;
		if (pos->at == seg[pos->i].len) {
			pos->i++;
			pos->at = 0;
		}
	}
}

static void advance(const struct seg *seg, struct rw_pos *pos, uint64_t n)
{
	while (n) {
		uint64_t step = seg[pos->i].len - pos->at;

		if (step > n)
			step = n;
		n -= step;
		pos->at += step;
		if (pos->at == seg[pos->i].len) {
			pos->i++;
			pos->at = 0;
		}
	}
}

static bool pos_done(const struct seg *seg, int nseg, struct rw_pos *pos)
{
	while (pos->i < nseg && pos->at == seg[pos->i].len) {
		pos->i++;
		pos->at = 0;
	}
	return pos->i >= nseg;
}

/*
 * Moves the bytes of seg[nseg] (already range-checked, total at most
 * MAX_RW_COUNT) between fd and the app, at off or (off < 0) at the file
 * position, a bounce buffer at a time.  A read goes on to the next batch
 * only on a regular file or block device, after a full batch, so that it
 * never blocks where Linux would have returned.  A batch that ends at a
 * page the app may not access ends at the guard, and the host call asks
 * for more (what the app asked, at most GUARD_SIZE more): the host
 * kernel meets the hole where the app's would.
 */
static int64_t do_rw(struct cok_proxy *p, int fd, enum rw_op op,
		     const struct seg *seg, int nseg, int64_t off)
{
	struct rw_pos pos = { 0, 0 };
	uint64_t total = 0, left = 0;
	bool first = true;
	int i;

	for (i = 0; i < nseg; i++)
		left += seg[i].len;
	for (;;) {
		bool fault = false, done = pos_done(seg, nseg, &pos);
		uint64_t bytes = done ? 0 : batch(p, op, seg, nseg, pos, &fault);
		uint64_t len = bytes;
		uint8_t *buf = bounce;
		ssize_t r;

		if (!bytes && !first)
			return (int64_t)total;
		if (fault) {
			buf = before_guard(bytes);
			if (op == RW_WRITE)
				memmove(buf, bounce, bytes);
			len += left - bytes < GUARD_SIZE ? left - bytes :
							   GUARD_SIZE;
		}
		/* len == 0 on the first round: a zero-length call, as asked. */
		r = rw_native(fd, op, buf, len,
			      off < 0 ? off : off + (int64_t)total);
		if (r < 0)
			return total ? (int64_t)total : -errno;
		if ((uint64_t)r > bytes)	/* not past the guard */
			r = (ssize_t)bytes;
		if (op == RW_READ)
			scatter(p, seg, &pos, buf, (uint64_t)r);
		else
			advance(seg, &pos, (uint64_t)r);
		total += (uint64_t)r;
		left -= (uint64_t)r;
		if ((uint64_t)r < bytes || fault || pos_done(seg, nseg, &pos))
			return (int64_t)total;
		if (op == RW_READ && first && !seekable_file(p, fd))
			return (int64_t)total;
		first = false;
	}
}

/*
 * A read of a regular file or block device into one buffer that fits
 * the bounce buffer: the host read first, then one COK_IOC_REPLY_MEM
 * hands the app its bytes and the result (no probe, no second ioctl).
 * If the app's buffer ends early (a page it lacks), the bytes it could
 * not take go back to the file, which is then where Linux's read would
 * have left it: a short count, or EFAULT when no byte went in.
 */
static int64_t read_file(struct cok_proxy *p, int fd, const struct seg *s,
			 int64_t off)
{
	ssize_t r = rw_native(fd, RW_READ, bounce, s->len, off);
	uint64_t done;
	int replied;

	if (r <= 0)
		return r < 0 ? -errno : 0;
	replied = cok_appmem_write_reply(&p->mem, s->va, bounce, (uint64_t)r,
					 r, &done);
	if (replied == 1) {
		p->replied = true;
		return r;
	}
	if (off < 0)
		lseek(fd, (off_t)done - r, SEEK_CUR);
	if (replied < 0)
		return replied;
	return done ? (int64_t)done : -EFAULT;
}

static int64_t rw_one(struct cok_proxy *p, const uint64_t *a, enum rw_op op,
		      bool positional)
{
	int fd = arg_int(a[0]);
	struct seg s = { a[1], a[2] };
	int64_t off = positional ? (int64_t)a[3] : -1;

	if (hidden(p, fd))
		return -EBADF;
	if (positional && off < 0)
		return -EINVAL;
	if (bounce_init())
		return -ENOMEM;
	if (!cok_user_range_ok(s.va, s.len))
		return fault_or_fd_error(fd, op, off);
	if (s.len > MAX_RW_COUNT)
		s.len = MAX_RW_COUNT;
	if (op == RW_READ && s.len && s.len <= BOUNCE_SIZE &&
	    seekable_file(p, fd))
		return read_file(p, fd, &s, off);
	return do_rw(p, fd, op, &s, 1, off);
}

static int64_t rw_vec(struct cok_proxy *p, const uint64_t *a, enum rw_op op)
{
	struct iovec uiov[UIO_MAXIOV];
	struct seg seg[UIO_MAXIOV];
	int fd = arg_int(a[0]);
	int cnt = arg_int(a[2]);
	uint64_t total = 0;
	int i;

	if (hidden(p, fd))
		return -EBADF;
	if (cnt < 0 || cnt > UIO_MAXIOV)
		return -EINVAL;
	if (bounce_init())
		return -ENOMEM;
	if (cnt && cok_appmem_read(&p->mem, uiov, a[1],
				   (size_t)cnt * sizeof(uiov[0])))
		return fault_or_fd_error(fd, op, -1);
	/* As Linux's import_iovec: EINVAL first, then trim, then EFAULT. */
	for (i = 0; i < cnt; i++) {
		if ((ssize_t)uiov[i].iov_len < 0)
			return -EINVAL;
	}
	for (i = 0; i < cnt; i++) {
		uint64_t len = uiov[i].iov_len;

		if (len > MAX_RW_COUNT - total)
			len = MAX_RW_COUNT - total;
		if (!cok_user_range_ok((uint64_t)uiov[i].iov_base, len))
			return fault_or_fd_error(fd, op, -1);
		seg[i].va = (uint64_t)uiov[i].iov_base;
		seg[i].len = len;
		total += len;
	}
	return do_rw(p, fd, op, seg, cnt, -1);
}

static int64_t sc_read(struct cok_proxy *p, const uint64_t *a)
{
	return rw_one(p, a, RW_READ, false);
}

static int64_t sc_write(struct cok_proxy *p, const uint64_t *a)
{
	return rw_one(p, a, RW_WRITE, false);
}

static int64_t sc_pread64(struct cok_proxy *p, const uint64_t *a)
{
	return rw_one(p, a, RW_READ, true);
}

static int64_t sc_pwrite64(struct cok_proxy *p, const uint64_t *a)
{
	return rw_one(p, a, RW_WRITE, true);
}

static int64_t sc_readv(struct cok_proxy *p, const uint64_t *a)
{
	return rw_vec(p, a, RW_READ);
}

static int64_t sc_writev(struct cok_proxy *p, const uint64_t *a)
{
	return rw_vec(p, a, RW_WRITE);
}

/* --- files ---------------------------------------------------------------- */

/*
 * --- the paths the proxy answers ------------------------------------------
 *
 * What the app sees of the system (docs/signals.md, "What the app sees"):
 * a few paths under /proc and /sys describe the app and its enclave, not
 * the proxy or Linux.  The proxy answers those whose answer it knows
 * (the table below, and /proc/self/exe); the co-kernel renders the rest
 * (maps, status, stat, meminfo: cokernel/sysinfo.c) and hands the text
 * over as COK_SYS_TEXT_FILE.  Either way the app gets a read-only fd of
 * a sealed memory file, at the lowest free number as open() gives.
 * /proc/self/fd/ needs no answer of its own: the proxy's fd table is the
 * app's (its own fds are left out of the listing, sc_getdents64).
 */

#define TEXT_MAX	(256UL << 10)	/* the largest text the proxy renders */
#define SELF		"/proc/self/"
#define THREAD_SELF	"/proc/thread-self/"
#define EXE_PATH	SELF "exe"

/* path with "/proc/thread-self/" read as "/proc/self/", into buf. */
static const char *self_path(const char *path, char *buf)
{
	size_t n = strlen(THREAD_SELF);

	if (strncmp(path, THREAD_SELF, n))
		return path;
	snprintf(buf, PATH_MAX, SELF "%s", path + n);
	return buf;
}

/* The app's cores as CPUs 0 to N - 1, as sched_getaffinity answers. */
static int64_t render_cpu_list(const struct cok_proxy *p, char *buf,
			       size_t size)
{
	if (p->ncores > 1)
		return snprintf(buf, size, "0-%u\n", p->ncores - 1);
	return snprintf(buf, size, "0\n");
}

static int64_t render_cmdline(const struct cok_proxy *p, char *buf,
			      size_t size)
{
	size_t n = p->cmdline_len < size ? p->cmdline_len : size;

	memcpy(buf, p->cmdline, n);
	return (int64_t)n;
}

/* In a "key\t: value" line of /proc/cpuinfo, the value for CPU i of n. */
static const char *cpuinfo_value(const char *key, unsigned int i,
				 unsigned int n, char *num)
{
	static const char *const per_cpu[] = {
		"processor", "core id", "apicid", "initial apicid",
	};
	static const char *const count[] = { "siblings", "cpu cores" };
	size_t k;

	for (k = 0; k < sizeof(per_cpu) / sizeof(per_cpu[0]); k++)
		if (!strcmp(key, per_cpu[k]))
			return sprintf(num, "%u", i), num;
	for (k = 0; k < sizeof(count) / sizeof(count[0]); k++)
		if (!strcmp(key, count[k]))
			return sprintf(num, "%u", n), num;
	return NULL;
}

/* One processor block of Linux's /proc/cpuinfo (with its blank line). */
static int64_t first_cpu_block(char *buf, size_t size)
{
	FILE *f = fopen("/proc/cpuinfo", "re");
	size_t n = 0;
	char line[4096];

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f) && n + strlen(line) < size) {
		n += (size_t)sprintf(buf + n, "%s", line);
		if (line[0] == '\n')
			break;
	}
	fclose(f);
	return (int64_t)n;
}

/*
 * The enclave's cores as the app sees them: Linux's first processor's
 * block once per core, numbered 0 to N - 1 (the enclave's cores are
 * offline to Linux: its /proc/cpuinfo has no block of theirs).
 */
static int64_t render_cpuinfo(const struct cok_proxy *p, char *buf,
			      size_t size)
{
	char block[8192], num[16];
	int64_t len = first_cpu_block(block, sizeof(block));
	size_t n = 0;
	unsigned int i;

	if (len < 0)
		return len;
	for (i = 0; i < p->ncores; i++) {
		char *line, *save = NULL, copy[sizeof(block)];

		memcpy(copy, block, (size_t)len + 1);
		for (line = strtok_r(copy, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			char key[64];
			const char *v;
			size_t klen = strcspn(line, "\t:");

			snprintf(key, sizeof(key), "%.*s", (int)klen, line);
			v = cpuinfo_value(key, i, p->ncores, num);
			if (n + strlen(line) + 32 >= size)
				return -ENOMEM;
			if (v)
				n += (size_t)sprintf(buf + n, "%.*s: %s\n",
						     (int)(strchr(line, ':') ?
						     strchr(line, ':') - line :
						     (long)klen), line, v);
			else
				n += (size_t)sprintf(buf + n, "%s\n", line);
		}
		n += (size_t)sprintf(buf + n, "\n");
	}
	return (int64_t)n;
}

typedef int64_t (*render_fn)(const struct cok_proxy *p, char *buf,
			     size_t size);

/* The paths the proxy answers (p->ncores 0: Linux answers the cpu ones). */
static const struct {
	const char *path;
	render_fn render;
	bool cores;		/* needs p->ncores */
} answered[] = {
	{ SELF "cmdline", render_cmdline, false },
	{ "/proc/cpuinfo", render_cpuinfo, true },
	{ "/sys/devices/system/cpu/online", render_cpu_list, true },
	{ "/sys/devices/system/cpu/possible", render_cpu_list, true },
	{ "/sys/devices/system/cpu/present", render_cpu_list, true },
};

static int answered_path(const struct cok_proxy *p, const char *path)
{
	size_t i;

	for (i = 0; i < sizeof(answered) / sizeof(answered[0]); i++)
		if (!strcmp(path, answered[i].path))
			return (answered[i].cores ? p->ncores != 0 :
				p->cmdline != NULL) ? (int)i : -1;
	return -1;
}

/*
 * n bytes of text as a new fd open for reading at offset 0: a sealed
 * memory file reopened read-only (so fcntl F_GETFL and write answer as
 * for a file of /proc), at the lowest free number.  The fd, or -errno.
 */
static int64_t text_fd(const char *name, const void *text, size_t n,
		       uint64_t flags)
{
	int cloexec = arg_int(flags) & O_CLOEXEC, mfd, ro, fd = -1;
	char self[64];

	mfd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0)
		return -errno;
	if ((n && write(mfd, text, n) != (ssize_t)n) ||
	    fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW |
		  F_SEAL_WRITE | F_SEAL_SEAL)) {
		close(mfd);
		return -EIO;
	}
	snprintf(self, sizeof(self), "/proc/self/fd/%d", mfd);
	ro = open(self, O_RDONLY | O_CLOEXEC);
	close(mfd);
	if (ro >= 0) {
		/* mfd's number is free again: the lowest, as open() picks. */
		fd = fcntl(ro, cloexec ? F_DUPFD_CLOEXEC : F_DUPFD, 0);
		close(ro);
	}
	return fd < 0 ? -errno : fd;
}

static int64_t open_answered(const struct cok_proxy *p, int i,
			     uint64_t flags)
{
	char *buf;
	int64_t n;

	if ((arg_int(flags) & O_ACCMODE) != O_RDONLY)
		return -EACCES;		/* these files are 0444 */
	buf = malloc(TEXT_MAX);
	if (!buf)
		return -ENOMEM;
	n = answered[i].render(p, buf, TEXT_MAX);
	if (n >= 0)
		n = text_fd("cok-proc", buf, (size_t)n, flags);
	free(buf);
	return n;
}

/* COK_SYS_TEXT_FILE(va, len, flags): the co-kernel's rendered text. */
static int64_t text_file_call(struct cok_proxy *p, const uint64_t *a)
{
	char *buf;
	int64_t r;

	if (a[1] > COK_TEXT_FILE_MAX)
		return -EINVAL;
	buf = malloc(a[1] ? a[1] : 1);
	if (!buf)
		return -ENOMEM;
	r = cok_appmem_read(&p->mem, buf, a[0], a[1]);
	if (!r)
		r = text_fd("cok-proc", buf, a[1], a[2]);
	free(buf);
	return r;
}

/* COK_SYS_RLIMITS(va): the proxy's limits, the app's to start with. */
static int64_t rlimits_call(struct cok_proxy *p, const uint64_t *a)
{
	struct rlimit lim[COK_RLIM_NLIMITS];
	int i;

	_Static_assert(sizeof(struct rlimit) == 16, "x86-64 struct rlimit");
	for (i = 0; i < COK_RLIM_NLIMITS; i++)
		if (getrlimit(i, &lim[i]))
			lim[i].rlim_cur = lim[i].rlim_max = RLIM_INFINITY;
	return put(p, a[0], lim, sizeof(lim));
}

void cok_proxy_set_program(struct cok_proxy *p, const char *program,
			   const char *blob, uint32_t argc)
{
	size_t n = 0;
	uint32_t i;
	char *copy;

	p->exe = program ? realpath(program, NULL) : NULL;
	for (i = 0; i < argc; i++)
		n += strlen(blob + n) + 1;
	copy = malloc(n ? n : 1);
	if (copy)
		memcpy(copy, blob, n);
	p->cmdline = copy;
	p->cmdline_len = copy ? n : 0;
}

static int64_t openat_common(struct cok_proxy *p, int dirfd, uint64_t upath,
			     uint64_t flags, uint64_t mode)
{
	char path[PATH_MAX];
	int64_t r;

	if (hidden(p, dirfd))
		return -EBADF;
	r = get_path(p, upath, path);
	if (r)
		return r;
	if (path[0] == '/') {
		char buf[PATH_MAX];
		const char *self = self_path(path, buf);
		int i = answered_path(p, self);

		if (i >= 0)
			return open_answered(p, i, flags);
		if (!strcmp(self, EXE_PATH))	/* the app's program */
			return p->exe ? sys_ret(syscall(SYS_openat,
					(long)AT_FDCWD, p->exe,
					(long)arg_int(flags), 0L)) : -ENOENT;
	}
	return sys_ret(syscall(SYS_openat, (long)dirfd, path,
			       (long)arg_int(flags), (long)(uint32_t)mode));
}

static int64_t sc_open(struct cok_proxy *p, const uint64_t *a)
{
	return openat_common(p, AT_FDCWD, a[0], a[1], a[2]);
}

static int64_t sc_openat(struct cok_proxy *p, const uint64_t *a)
{
	return openat_common(p, arg_int(a[0]), a[1], a[2], a[3]);
}

static int64_t sc_close(struct cok_proxy *p, const uint64_t *a)
{
	int fd = arg_int(a[0]);

	if (hidden(p, fd))
		return -EBADF;
	return sys_ret(close(fd));
}

static int64_t stat_out(struct cok_proxy *p, long r, const struct stat *st,
			uint64_t ubuf)
{
	if (r < 0)
		return -errno;
	return put(p, ubuf, st, sizeof(*st));
}

static int64_t sc_fstat(struct cok_proxy *p, const uint64_t *a)
{
	int fd = arg_int(a[0]);
	struct stat st;

	if (hidden(p, fd))
		return -EBADF;
	return stat_out(p, syscall(SYS_fstat, (long)fd, &st), &st, a[1]);
}

static int64_t path_stat(struct cok_proxy *p, long nr, const uint64_t *a)
{
	char path[PATH_MAX];
	struct stat st;
	int64_t r;

	r = get_path(p, a[0], path);
	if (r)
		return r;
	return stat_out(p, syscall(nr, path, &st), &st, a[1]);
}

static int64_t sc_stat(struct cok_proxy *p, const uint64_t *a)
{
	return path_stat(p, SYS_stat, a);
}

static int64_t sc_lstat(struct cok_proxy *p, const uint64_t *a)
{
	return path_stat(p, SYS_lstat, a);
}

static int64_t sc_newfstatat(struct cok_proxy *p, const uint64_t *a)
{
	int dirfd = arg_int(a[0]);
	char path[PATH_MAX];
	struct stat st;
	int64_t r;

	if (hidden(p, dirfd))
		return -EBADF;
	r = get_path(p, a[1], path);
	if (r)
		return r;
	return stat_out(p, syscall(SYS_newfstatat, (long)dirfd, path, &st,
				   (long)arg_int(a[3])), &st, a[2]);
}

static int64_t sc_lseek(struct cok_proxy *p, const uint64_t *a)
{
	int fd = arg_int(a[0]);

	if (hidden(p, fd))
		return -EBADF;
	return sys_ret(syscall(SYS_lseek, (long)fd, (long)a[1],
			       (long)arg_int(a[2])));
}

/* Terminal queries only: request, and the bytes the kernel writes back. */
static const struct {
	uint32_t req;
	uint32_t size;
} tty_queries[] = {
	{ TCGETS, KTERMIOS_SIZE },
	{ COK_TCGETS2, KTERMIOS2_SIZE },
	{ TIOCGLCKTRMIOS, KTERMIOS_SIZE },
	{ TIOCGWINSZ, sizeof(struct winsize) },
	{ TIOCGPGRP, sizeof(pid_t) },
	{ TIOCGSID, sizeof(pid_t) },
	{ TIOCGETD, sizeof(int) },
	{ FIONREAD, sizeof(int) },
	{ TIOCOUTQ, sizeof(int) },
	{ TIOCMGET, sizeof(int) },
};

static int64_t sc_ioctl(struct cok_proxy *p, const uint64_t *a)
{
	int fd = arg_int(a[0]);
	uint32_t req = (uint32_t)a[1];
	uint64_t buf[8];
	unsigned int i;
	long r;

	if (hidden(p, fd))
		return -EBADF;
	for (i = 0; i < sizeof(tty_queries) / sizeof(tty_queries[0]); i++) {
		if (tty_queries[i].req != req)
			continue;
		memset(buf, 0, sizeof(buf));
		r = syscall(SYS_ioctl, (long)fd, (unsigned long)req, buf);
		if (r < 0)
			return -errno;
		if (put(p, a[2], buf, tty_queries[i].size))
			return -EFAULT;
		return r;
	}
	return -ENOTTY;
}

static int64_t sc_getcwd(struct cok_proxy *p, const uint64_t *a)
{
	char cwd[PATH_MAX];
	long r;

	/* The raw call: it returns the length with the NUL, as the app expects. */
	r = syscall(SYS_getcwd, cwd, sizeof(cwd));
	if (r < 0)
		return -errno;
	if ((uint64_t)r > a[1])
		return -ERANGE;
	if (put(p, a[0], cwd, (size_t)r))
		return -EFAULT;
	return r;
}

static int64_t path_call(struct cok_proxy *p, long nr, uint64_t upath,
			 long arg)
{
	char path[PATH_MAX];
	int64_t r;

	r = get_path(p, upath, path);
	if (r)
		return r;
	return sys_ret(syscall(nr, path, arg));
}

static int64_t at_call(struct cok_proxy *p, long nr, const uint64_t *a)
{
	int dirfd = arg_int(a[0]);
	char path[PATH_MAX];
	int64_t r;

	if (hidden(p, dirfd))
		return -EBADF;
	r = get_path(p, a[1], path);
	if (r)
		return r;
	return sys_ret(syscall(nr, (long)dirfd, path, (long)a[2], (long)a[3]));
}

static int64_t sc_unlink(struct cok_proxy *p, const uint64_t *a)
{
	return path_call(p, SYS_unlink, a[0], 0);
}

static int64_t sc_rmdir(struct cok_proxy *p, const uint64_t *a)
{
	return path_call(p, SYS_rmdir, a[0], 0);
}

static int64_t sc_mkdir(struct cok_proxy *p, const uint64_t *a)
{
	return path_call(p, SYS_mkdir, a[0], (long)(uint32_t)a[1]);
}

static int64_t sc_access(struct cok_proxy *p, const uint64_t *a)
{
	return path_call(p, SYS_access, a[0], (long)arg_int(a[1]));
}

static int64_t sc_chdir(struct cok_proxy *p, const uint64_t *a)
{
	return path_call(p, SYS_chdir, a[0], 0);
}

static int64_t sc_truncate(struct cok_proxy *p, const uint64_t *a)
{
	return path_call(p, SYS_truncate, a[0], (long)a[1]);
}

static int64_t sc_unlinkat(struct cok_proxy *p, const uint64_t *a)
{
	return at_call(p, SYS_unlinkat, a);
}

static int64_t sc_mkdirat(struct cok_proxy *p, const uint64_t *a)
{
	return at_call(p, SYS_mkdirat, a);
}

static int64_t sc_faccessat(struct cok_proxy *p, const uint64_t *a)
{
	return at_call(p, SYS_faccessat, a);
}

static int64_t sc_faccessat2(struct cok_proxy *p, const uint64_t *a)
{
	return at_call(p, SYS_faccessat2, a);
}

/* rename, renameat, renameat2: two paths. */
static int64_t rename_common(struct cok_proxy *p, int olddir, uint64_t uold,
			     int newdir, uint64_t unew, uint64_t flags)
{
	char from[PATH_MAX], to[PATH_MAX];
	int64_t r;

	if (hidden(p, olddir) || hidden(p, newdir))
		return -EBADF;
	r = get_path(p, uold, from);
	if (!r)
		r = get_path(p, unew, to);
	if (r)
		return r;
	return sys_ret(syscall(SYS_renameat2, (long)olddir, from, (long)newdir,
			       to, (long)(uint32_t)flags));
}

static int64_t sc_rename(struct cok_proxy *p, const uint64_t *a)
{
	return rename_common(p, AT_FDCWD, a[0], AT_FDCWD, a[1], 0);
}

static int64_t sc_renameat(struct cok_proxy *p, const uint64_t *a)
{
	return rename_common(p, arg_int(a[0]), a[1], arg_int(a[2]), a[3], 0);
}

static int64_t sc_renameat2(struct cok_proxy *p, const uint64_t *a)
{
	return rename_common(p, arg_int(a[0]), a[1], arg_int(a[2]), a[3], a[4]);
}

static int64_t readlink_common(struct cok_proxy *p, int dirfd, uint64_t upath,
			       uint64_t ubuf, uint64_t size)
{
	char path[PATH_MAX], target[PATH_MAX];
	int bufsiz = arg_int(size);
	int64_t r;

	/* Linux checks the size first. */
	if (bufsiz <= 0)
		return -EINVAL;
	if (hidden(p, dirfd))
		return -EBADF;
	r = get_path(p, upath, path);
	if (r)
		return r;
	if (bufsiz > PATH_MAX)
		bufsiz = PATH_MAX;
	if (path[0] == '/' && !strcmp(self_path(path, target), EXE_PATH)) {
		if (!p->exe)
			return -ENOENT;
		r = (int64_t)strlen(p->exe);
		if (r > bufsiz)
			r = bufsiz;
		memcpy(target, p->exe, (size_t)r);
	} else {
		r = sys_ret(syscall(SYS_readlinkat, (long)dirfd, path, target,
				    (long)bufsiz));
	}
	if (r > 0 && put(p, ubuf, target, (size_t)r))
		return -EFAULT;
	return r;
}

static int64_t sc_readlink(struct cok_proxy *p, const uint64_t *a)
{
	return readlink_common(p, AT_FDCWD, a[0], a[1], a[2]);
}

static int64_t sc_readlinkat(struct cok_proxy *p, const uint64_t *a)
{
	return readlink_common(p, arg_int(a[0]), a[1], a[2], a[3]);
}

/* --- file descriptors ------------------------------------------------------ */

static int64_t sc_fcntl(struct cok_proxy *p, const uint64_t *a)
{
	int fd = arg_int(a[0]);
	int cmd = arg_int(a[1]);

	if (hidden(p, fd))
		return -EBADF;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
	case F_GETFD:
	case F_SETFD:
	case F_GETFL:
	case F_SETFL:
		return sys_ret(syscall(SYS_fcntl, (long)fd, (long)cmd, (long)a[2]));
	default:
		return -EINVAL;
	}
}

static int64_t sc_dup(struct cok_proxy *p, const uint64_t *a)
{
	int fd = arg_int(a[0]);

	if (hidden(p, fd))
		return -EBADF;
	return sys_ret(syscall(SYS_dup, (long)fd));
}

static int64_t sc_dup2(struct cok_proxy *p, const uint64_t *a)
{
	int oldfd = arg_int(a[0]), newfd = arg_int(a[1]);

	if (hidden(p, oldfd) || hidden(p, newfd))
		return -EBADF;
	return sys_ret(syscall(SYS_dup2, (long)oldfd, (long)newfd));
}

static int64_t sc_dup3(struct cok_proxy *p, const uint64_t *a)
{
	int oldfd = arg_int(a[0]), newfd = arg_int(a[1]);

	if (hidden(p, oldfd) || hidden(p, newfd))
		return -EBADF;
	return sys_ret(syscall(SYS_dup3, (long)oldfd, (long)newfd,
			       (long)arg_int(a[2])));
}

/* fd is the proxy's /proc/self/fd (or a thread's): the app's fd table. */
static bool fd_dir(int fd)
{
	char self[64], target[PATH_MAX];
	ssize_t n;

	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	n = readlink(self, target, sizeof(target) - 1);
	if (n < 4)
		return false;
	target[n] = 0;
	return !strncmp(target, "/proc/", 6) && !strcmp(target + n - 3, "/fd");
}

/* The entries of the proxy's own fds out of a listing of n bytes. */
static long drop_private_fds(const struct cok_proxy *p, uint8_t *buf, long n)
{
	long at = 0, out = 0;

	while (at < n) {
		struct { uint64_t ino; int64_t off; uint16_t reclen; } h;
		const char *name = (const char *)buf + at + 19;
		char *end;
		long fd;

		memcpy(&h, buf + at, sizeof(h.ino) + sizeof(h.off) +
		       sizeof(h.reclen));
		fd = strtol(name, &end, 10);
		if (!(*name && !*end && hidden(p, (int)fd))) {
			memmove(buf + out, buf + at, h.reclen);
			out += h.reclen;
		}
		at += h.reclen;
	}
	return out;
}

/*
 * Linux checks no range up front: each entry is written where it goes,
 * up to the first that does not fit count (EINVAL if it is the first)
 * or that faults (EFAULT if it is the first).  The host call gets the
 * app's count and a buffer whose writable part ends where the app's
 * does (at the guard), so it decides the same.
 */
static int64_t sc_getdents64(struct cok_proxy *p, const uint64_t *a)
{
	uint64_t va = a[1], left = (uint32_t)a[2], n = 0;
	int fd = arg_int(a[0]);
	uint8_t *buf;
	long r;

	if (hidden(p, fd))
		return -EBADF;
	if (bounce_init())
		return -ENOMEM;
	if (left > DENTS_MAX)
		left = DENTS_MAX;
	/* The writable part of the buffer; none past the end of user space. */
	if (va < COK_USER_TOP)
		n = cok_appmem_probe(&p->mem, va, left < COK_USER_TOP - va ?
				     left : COK_USER_TOP - va, COK_ACC_WRITE);
	buf = before_guard(n);
	r = syscall(SYS_getdents64, (long)fd, buf, (long)left);
	if (r < 0)
		return -errno;
	if (r > 0 && fd_dir(fd))
		r = drop_private_fds(p, buf, r);
	if ((uint64_t)r > n)	/* cannot be: the guard */
		return -EFAULT;
	if (r > 0 && put(p, va, buf, (size_t)r))
		return -EFAULT;
	return r;
}

static int64_t fd_call(struct cok_proxy *p, long nr, const uint64_t *a)
{
	int fd = arg_int(a[0]);

	if (hidden(p, fd))
		return -EBADF;
	return sys_ret(syscall(nr, (long)fd, (long)a[1]));
}

static int64_t sc_ftruncate(struct cok_proxy *p, const uint64_t *a)
{
	return fd_call(p, SYS_ftruncate, a);
}

static int64_t sc_fsync(struct cok_proxy *p, const uint64_t *a)
{
	return fd_call(p, SYS_fsync, a);
}

static int64_t sc_fdatasync(struct cok_proxy *p, const uint64_t *a)
{
	return fd_call(p, SYS_fdatasync, a);
}

static int64_t sc_fchdir(struct cok_proxy *p, const uint64_t *a)
{
	return fd_call(p, SYS_fchdir, a);
}

/* --- process --------------------------------------------------------------- */

static int64_t sc_umask(struct cok_proxy *p, const uint64_t *a)
{
	(void)p;
	return umask((mode_t)(a[0] & 0777));
}

/* Linux's own: programs check the release they run on. */
static int64_t sc_uname(struct cok_proxy *p, const uint64_t *a)
{
	struct utsname u;

	if (uname(&u))
		return -errno;
	return put(p, a[0], &u, sizeof(u));
}

/*
 * RLIMIT_NOFILE is the proxy's (its fd table is the app's); the
 * co-kernel keeps the other limits and forwards only this one.
 */
static int64_t nofile_limit(struct cok_proxy *p, uint64_t res, uint64_t unew,
			    uint64_t uold)
{
	struct rlimit new, old;

	if (res != RLIMIT_NOFILE)
		return -EINVAL;
	if (unew && cok_appmem_read(&p->mem, &new, unew, sizeof(new)))
		return -EFAULT;
	if (prlimit(0, RLIMIT_NOFILE, unew ? &new : NULL, &old))
		return -errno;
	return uold ? put(p, uold, &old, sizeof(old)) : 0;
}

static int64_t sc_prlimit64(struct cok_proxy *p, const uint64_t *a)
{
	return nofile_limit(p, (uint32_t)a[1], a[2], a[3]);
}

static int64_t sc_getrlimit(struct cok_proxy *p, const uint64_t *a)
{
	return nofile_limit(p, (uint32_t)a[0], 0, a[1]);
}

static int64_t sc_setrlimit(struct cok_proxy *p, const uint64_t *a)
{
	return nofile_limit(p, (uint32_t)a[0], a[1], 0);
}

static int64_t sc_getuid(struct cok_proxy *p, const uint64_t *a)
{
	(void)p, (void)a;
	return getuid();
}

static int64_t sc_geteuid(struct cok_proxy *p, const uint64_t *a)
{
	(void)p, (void)a;
	return geteuid();
}

static int64_t sc_getgid(struct cok_proxy *p, const uint64_t *a)
{
	(void)p, (void)a;
	return getgid();
}

static int64_t sc_getegid(struct cok_proxy *p, const uint64_t *a)
{
	(void)p, (void)a;
	return getegid();
}

/* --- the table ------------------------------------------------------------- */

/*
 * Expanded from xemem/syscalls.h, the co-kernel's table: every call it
 * forwards (FWD, and SPLIT: in part) has its sc_NAME() here, or this
 * does not compile; the names of all calls are for -t traces.
 */
#define SC_FN_LOCAL(name)	NULL
#define SC_FN_FWD(name)		sc_##name
#define SC_FN_REFUSE(name)	NULL
#define SC_FN_ANSWER(name)	NULL
#define SC_FN_SPLIT(name)	sc_##name	/* the cases forwarded */
#define COK_SYSCALL(nr, name, how, err)	[nr] = { SC_FN_##how(name), #name },

static const struct {
	sc_fn fn;
	const char *name;
} sc_table[] = {
#include "../xemem/syscalls.h"
};

#undef COK_SYSCALL

#define SC_COUNT	(sizeof(sc_table) / sizeof(sc_table[0]))

int64_t cok_proxy_syscall(struct cok_proxy *p, uint64_t nr,
			  const uint64_t arg[6])
{
	uint64_t gen = __atomic_load_n(&fd_gen, __ATOMIC_ACQUIRE);
	int64_t ret;

	p->replied = false;
	if (gen != p->fd_gen) {		/* a server changed the table */
		memset(p->seekable, 0, sizeof(p->seekable));
		p->fd_gen = gen;
	}
	if (nr == COK_SYS_TEXT_FILE)
		return text_file_call(p, arg);
	if (nr == COK_SYS_RLIMITS)
		return rlimits_call(p, arg);
	if (nr >= SC_COUNT || !sc_table[nr].fn)
		return -ENOSYS;		/* the co-kernel does not forward it */
	ret = sc_table[nr].fn(p, arg);
	if (!keeps_fds(nr))	/* every server forgets, this one included */
		__atomic_add_fetch(&fd_gen, 1, __ATOMIC_RELEASE);
	return ret;
}

const char *cok_proxy_syscall_name(uint64_t nr)
{
	if (nr == COK_SYS_TEXT_FILE)
		return "cok_text_file";
	if (nr == COK_SYS_RLIMITS)
		return "cok_rlimits";
	return nr < SC_COUNT ? sc_table[nr].name : NULL;
}
