// SPDX-License-Identifier: GPL-2.0
/*
 * Host test of the proxy: the forwarded system calls (proxy_syscalls.c)
 * run for real on this machine, against an app whose memory is a fake
 * enclave (fake_enclave.c); and the event loop (proxy.c) against a
 * scripted device.  ioctl is wrapped (-Wl,--wrap=ioctl): on the proxy's
 * device file it serves COK_IOC_APP_MEM from the fake enclave, as the
 * module would (fake_app_mem), and plays the script for the rest.
 *
 * Where Linux's answer for a bad buffer depends on the file (a pipe, a
 * directory, EOF), the expected value is what this machine's kernel
 * answers for a buffer of the same shape in this process.
 *
 * App memory:
 *   0x10000000  16 scattered 4 KiB pages (c2), read-write; the page
 *               after them (0x10010000) is not mapped
 *   0x20000000  one 2 MiB page (c5), read-write
 *   0x2ffff000  a read-write page, then 0x30000000 a read-only one (c3)
 *   0x40000000  6 MiB of scattered pages (c8..c13): more pages than one
 *               readv takes
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/uio.h>

#include "proxy.h"
#include "fake_enclave.h"
#include "test_check.h"
#include "../xemem/channel.h"
#include "../xemem/cokdev.h"

#define RW	(COK_PTE_U | COK_PTE_W)
#define RO	(COK_PTE_U)
#define HEAP	0x10000000ULL
#define HEAP_END	(HEAP + 16 * 4096)	/* not mapped */
#define BIG2M	0x20000000ULL
#define RWPAGE	0x2ffff000ULL
#define ROPAGE	0x30000000ULL
#define HUGE	0x40000000ULL
#define HUGE_LEN	(6ULL << 20)

static struct fake_enclave fe;
static struct cok_proxy p;
static char tmpdir[64];

/* A forwarded call, as the proxy's loop makes it. */
static int64_t sc_as_app(long nr, uint64_t a0, uint64_t a1, uint64_t a2,
			 uint64_t a3, uint64_t a4)
{
	uint64_t a[6] = { a0, a1, a2, a3, a4, 0 };

	fe.idle = false;	/* the app waits in this call */
	return cok_proxy_syscall(&p, (uint64_t)nr, a);
}

/*
 * The tests open, close and dup fds themselves between calls, which an
 * app can only do through the proxy: so the proxy forgets what it knows
 * of them (p.seekable) first.  test_seekable_cache checks that memory.
 */
static int64_t sc5(long nr, uint64_t a0, uint64_t a1, uint64_t a2,
		   uint64_t a3, uint64_t a4)
{
	memset(p.seekable, 0, sizeof(p.seekable));
	return sc_as_app(nr, a0, a1, a2, a3, a4);
}

static int64_t sc(long nr, uint64_t a0, uint64_t a1, uint64_t a2,
		  uint64_t a3)
{
	return sc5(nr, a0, a1, a2, a3, 0);
}

/* A string into app memory at va. */
static uint64_t put_str(uint64_t va, const char *s)
{
	fake_poke(&fe, va, s, strlen(s) + 1);
	return va;
}

static void tmp_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", tmpdir, name);
}

static void setup(void)
{
	static const uint64_t phys[16] = {
		0x40000000, 0x10000000, 0x10200000, 0x7fe00000,
		0x10400000, 0x200000000, 0x0fe00000, 0xc0000000,
		0x300000000, 0x300400000, 0x300200000, 0x300800000,
		0x300600000, 0x300a00000, 0x80000000, 0x80200000,
	};
	uint64_t off;
	int c, fd;

	if (fake_init(&fe, 16, phys)) {
		printf("FAIL proxy/setup: fake_init\n");
		exit(1);
	}
	fake_map_scattered(&fe, HEAP, 16 * 4096, 2, RW);
	fake_map_2m(&fe, BIG2M, phys[5], RW);
	fake_map_4k(&fe, RWPAGE, fake_page(&fe, 3), RW);
	fake_map_4k(&fe, ROPAGE, fake_page(&fe, 3), RO);
	for (off = 0, c = 8; off < HUGE_LEN; off += 1 << 20, c++)
		fake_map_scattered(&fe, HUGE + off, 1 << 20, c, RW);

	memset(&p, 0, sizeof(p));
	p.app_id = 7;
	fd = open("/dev/null", O_RDWR);
	p.devfd = cok_proxy_hide_fd(fd);
	fd = fcntl(2, F_DUPFD_CLOEXEC, 0);
	p.errfd = cok_proxy_hide_fd(fd);
	cok_appmem_init(&p.mem, p.devfd);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/cok-test-proxy.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		printf("FAIL proxy/setup: mkdtemp: %s\n", strerror(errno));
		exit(1);
	}
}

static void fill(uint8_t *b, size_t n, unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (uint8_t)(i * 131 + seed + (i >> 12));
}

static int tmp_file(const char *name)
{
	char path[128];

	tmp_path(path, sizeof(path), name);
	return open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
}

static void test_hide_fd(void)
{
	t_begin("proxy/private-fds");
	T_CHECK(p.devfd >= 900, "device fd %d is not at the top", p.devfd);
	T_CHECK(p.errfd >= 900 && p.errfd != p.devfd, "stderr copy fd %d",
		p.errfd);
	T_CHECK(cok_proxy_private_fd(&p, p.devfd), "devfd not private");
	T_CHECK(!cok_proxy_private_fd(&p, 0), "fd 0 private");
	T_CHECK(!cok_proxy_private_fd(&p, -100), "AT_FDCWD private");
	T_EQ(sc(SYS_read, (uint64_t)p.devfd, HEAP, 10, 0), -EBADF);
	T_EQ(sc(SYS_write, (uint64_t)p.errfd, HEAP, 10, 0), -EBADF);
	T_EQ(sc(SYS_close, (uint64_t)p.devfd, 0, 0, 0), -EBADF);
	T_EQ(sc(SYS_dup, (uint64_t)p.devfd, 0, 0, 0), -EBADF);
	T_EQ(sc(SYS_dup2, 0, (uint64_t)p.devfd, 0, 0), -EBADF);
	T_EQ(sc(SYS_dup3, (uint64_t)p.errfd, 50, 0, 0), -EBADF);
	T_EQ(sc(SYS_fcntl, (uint64_t)p.devfd, F_GETFD, 0, 0), -EBADF);
	T_EQ(sc(SYS_ioctl, (uint64_t)p.devfd, TCGETS, HEAP, 0), -EBADF);
	T_EQ(sc(SYS_fstat, (uint64_t)p.devfd, HEAP, 0, 0), -EBADF);
	T_EQ(sc(SYS_openat, (uint64_t)p.devfd, put_str(HEAP, "x"), O_RDONLY, 0),
	     -EBADF);
	T_EQ(sc(SYS_getdents64, (uint64_t)p.devfd, HEAP, 4096, 0), -EBADF);
	T_CHECK(fcntl(p.devfd, F_GETFD) >= 0, "the device fd was closed");
	t_end();
}

static void test_read_write(void)
{
	static uint8_t a[3 * 4096], b[sizeof(a)];
	int fd = tmp_file("rw");
	uint64_t n;

	t_begin("proxy/read-write");
	fill(a, sizeof(a), 1);
	/* From scattered pages, unaligned, three pages and a bit. */
	fake_poke(&fe, HEAP + 0xff0, a, sizeof(a));
	T_EQ(sc(SYS_write, (uint64_t)fd, HEAP + 0xff0, sizeof(a), 0), sizeof(a));
	T_EQ(pread(fd, b, sizeof(b), 0), sizeof(b));
	T_CHECK(!memcmp(a, b, sizeof(a)), "the file holds other bytes");
	T_EQ(sc(SYS_lseek, (uint64_t)fd, 0, SEEK_SET, 0), 0);
	/* Into the 2 MiB page. */
	T_EQ(sc(SYS_read, (uint64_t)fd, BIG2M + 0x100, sizeof(a) + 100, 0),
	     sizeof(a));
	fake_peek(&fe, BIG2M + 0x100, b, sizeof(b));
	T_CHECK(!memcmp(a, b, sizeof(a)), "read: other bytes");
	T_EQ(sc(SYS_read, (uint64_t)fd, BIG2M, 10, 0), 0);	/* EOF */
	T_EQ(sc(SYS_lseek, (uint64_t)fd, 5, SEEK_SET, 0), 5);
	T_EQ(sc(SYS_lseek, (uint64_t)fd, (uint64_t)-1, SEEK_SET, 0), -EINVAL);
	close(fd);
	t_end();

	t_begin("proxy/read-write-bad-buffers");
	fd = tmp_file("rw2");
	T_EQ(write(fd, a, sizeof(a)), sizeof(a));
	lseek(fd, 0, SEEK_SET);
	/* Read-only: EFAULT; a read-write page then read-only: short. */
	T_EQ(sc(SYS_read, (uint64_t)fd, ROPAGE, 100, 0), -EFAULT);
	T_EQ(lseek(fd, 0, SEEK_CUR), 0);	/* nothing taken, as Linux */
	T_EQ(sc(SYS_read, (uint64_t)fd, RWPAGE + 0x800, 0x1000, 0), 0x800);
	T_EQ(lseek(fd, 0, SEEK_CUR), 0x800);	/* only what went in */
	fake_peek(&fe, RWPAGE + 0x800, b, 0x800);
	T_CHECK(!memcmp(a, b, 0x800), "short read: bytes");
	/* A whole read of a file: one ioctl, its data and the reply. */
	lseek(fd, 0, SEEK_SET);
	n = fe.app_mem_calls;
	T_EQ(sc(SYS_read, (uint64_t)fd, RWPAGE, 0x100, 0), 0x100);
	T_EQ(fe.app_mem_calls - n, 1);
	T_CHECK(p.replied, "read of a file: replied with its data");
	T_EQ(sc(SYS_pread64, (uint64_t)fd, RWPAGE + 0xf00, 0x200, 0x10), 0x100);
	T_EQ(lseek(fd, 0, SEEK_CUR), 0x100);	/* pread moves nothing */
	T_CHECK(!p.replied, "short pread: no reply yet");
	/* Writing from a read-only page is fine. */
	T_EQ(sc(SYS_write, (uint64_t)fd, ROPAGE, 100, 0), 100);
	/* Unmapped, NULL, kernel, wrapping, length 0. */
	T_EQ(sc(SYS_read, (uint64_t)fd, 0, 10, 0), -EFAULT);
	T_EQ(sc(SYS_write, (uint64_t)fd, 0x50000000, 10, 0), -EFAULT);
	T_EQ(sc(SYS_write, (uint64_t)fd, 0xffffffff81000000ULL, 10, 0), -EFAULT);
	T_EQ(sc(SYS_write, (uint64_t)fd, HEAP, ~0ULL - 10, 0), -EFAULT);
	T_EQ(sc(SYS_read, (uint64_t)fd, 0, 0, 0), 0);
	/* The file comes before the buffer, as in Linux. */
	T_EQ(sc(SYS_read, 12345, 0, 10, 0), -EBADF);
	T_EQ(sc(SYS_write, (uint64_t)-1, 0x50000000, 10, 0), -EBADF);
	T_EQ(sc(SYS_read, 12345, HEAP, 10, 0), -EBADF);
	close(fd);
	fd = open("/dev/null", O_RDONLY);
	T_EQ(sc(SYS_write, (uint64_t)fd, HEAP, 10, 0), -EBADF);
	close(fd);
	t_end();
}

static void test_positional(void)
{
	uint8_t b[16];
	int fd = tmp_file("pos"), pfd[2];

	t_begin("proxy/pread-pwrite");
	put_str(HEAP + 0x2ffc, "abcdefgh");	/* across a page */
	T_EQ(sc(SYS_pwrite64, (uint64_t)fd, HEAP + 0x2ffc, 8, 100), 8);
	T_EQ(pread(fd, b, 8, 100), 8);
	T_CHECK(!memcmp(b, "abcdefgh", 8), "pwrite64: bytes");
	T_EQ(lseek(fd, 0, SEEK_CUR), 0);
	T_EQ(sc(SYS_pread64, (uint64_t)fd, HEAP + 0x5000, 4, 102), 4);
	fake_peek(&fe, HEAP + 0x5000, b, 4);
	T_CHECK(!memcmp(b, "cdef", 4), "pread64: bytes");
	T_EQ(sc(SYS_pread64, (uint64_t)fd, HEAP, 4, (uint64_t)-1), -EINVAL);
	T_EQ(pipe(pfd), 0);
	T_EQ(sc(SYS_pread64, (uint64_t)pfd[0], HEAP, 4, 0), -ESPIPE);
	T_EQ(sc(SYS_pread64, (uint64_t)pfd[0], 0, 4, 0), -ESPIPE);
	close(pfd[0]);
	close(pfd[1]);
	close(fd);
	t_end();
}

static void test_vectors(void)
{
	struct iovec v[3];
	char b[64];
	int fd = tmp_file("vec");

	t_begin("proxy/readv-writev");
	put_str(HEAP + 0x100, "one ");
	put_str(BIG2M + 0x1000, "two ");
	put_str(HEAP + 0x3ffe, "three");	/* across a page */
	v[0] = (struct iovec){ (void *)(HEAP + 0x100), 4 };
	v[1] = (struct iovec){ (void *)(BIG2M + 0x1000), 4 };
	v[2] = (struct iovec){ (void *)(HEAP + 0x3ffe), 5 };
	fake_poke(&fe, HEAP + 0x1ff8, v, sizeof(v));	/* the array too */
	T_EQ(sc(SYS_writev, (uint64_t)fd, HEAP + 0x1ff8, 3, 0), 13);
	memset(b, 0, sizeof(b));
	T_EQ(pread(fd, b, sizeof(b), 0), 13);
	T_CHECK(!strcmp(b, "one two three"), "writev wrote '%s'", b);
	/* readv back, into other places. */
	v[0] = (struct iovec){ (void *)(BIG2M + 0x2000), 6 };
	v[1] = (struct iovec){ (void *)(HEAP + 0x7ffd), 7 };
	v[2] = (struct iovec){ NULL, 0 };
	fake_poke(&fe, HEAP + 0x6000, v, sizeof(v));
	lseek(fd, 0, SEEK_SET);
	T_EQ(sc(SYS_readv, (uint64_t)fd, HEAP + 0x6000, 3, 0), 13);
	fake_peek(&fe, BIG2M + 0x2000, b, 6);
	fake_peek(&fe, HEAP + 0x7ffd, b + 6, 7);
	b[13] = '\0';
	T_CHECK(!strcmp(b, "one two three"), "readv read '%s'", b);
	/* Refusals. */
	T_EQ(sc(SYS_writev, (uint64_t)fd, HEAP + 0x1ff8, (uint64_t)-1, 0), -EINVAL);
	T_EQ(sc(SYS_writev, (uint64_t)fd, HEAP + 0x1ff8, 1025, 0), -EINVAL);
	T_EQ(sc(SYS_writev, (uint64_t)fd, 0x50000000, 2, 0), -EFAULT);
	T_EQ(sc(SYS_writev, (uint64_t)fd, 0x50000000, 0, 0), 0);
	v[0] = (struct iovec){ (void *)(HEAP), (size_t)-5 };
	fake_poke(&fe, HEAP + 0x8000, v, sizeof(v[0]));
	T_EQ(sc(SYS_writev, (uint64_t)fd, HEAP + 0x8000, 1, 0), -EINVAL);
	v[0] = (struct iovec){ (void *)(0x50000000), 10 };
	fake_poke(&fe, HEAP + 0x8000, v, sizeof(v[0]));
	/* At EOF Linux does not touch the buffer: 0, then EFAULT. */
	T_EQ(sc(SYS_readv, (uint64_t)fd, HEAP + 0x8000, 1, 0), 0);
	lseek(fd, 0, SEEK_SET);
	T_EQ(sc(SYS_readv, (uint64_t)fd, HEAP + 0x8000, 1, 0), -EFAULT);
	T_EQ(lseek(fd, 0, SEEK_CUR), 0);
	T_EQ(sc(SYS_readv, 4321, HEAP + 0x8000, 1, 0), -EBADF);
	close(fd);
	t_end();
}

static void test_big(void)
{
	uint8_t *a = malloc(HUGE_LEN), *b = malloc(HUGE_LEN);
	int fd = tmp_file("big"), pfd[2];

	t_begin("proxy/more-than-UIO_MAXIOV-pages");
	fill(a, HUGE_LEN, 5);
	fake_poke(&fe, HUGE, a, HUGE_LEN);
	T_EQ(sc(SYS_write, (uint64_t)fd, HUGE, HUGE_LEN, 0), HUGE_LEN);
	T_EQ(pread(fd, b, HUGE_LEN, 0), HUGE_LEN);
	T_CHECK(!memcmp(a, b, HUGE_LEN), "write: the file differs");
	memset(b, 0, HUGE_LEN);
	fake_poke(&fe, HUGE, b, HUGE_LEN);
	/* A regular file: one call reads it all, as in Linux. */
	T_EQ(sc(SYS_pread64, (uint64_t)fd, HUGE, HUGE_LEN, 0), HUGE_LEN);
	fake_peek(&fe, HUGE, b, HUGE_LEN);
	T_CHECK(!memcmp(a, b, HUGE_LEN), "pread64: the app memory differs");
	lseek(fd, 0, SEEK_SET);
	T_EQ(sc(SYS_read, (uint64_t)fd, HUGE, HUGE_LEN, 0), HUGE_LEN);
	T_EQ(lseek(fd, 0, SEEK_CUR), HUGE_LEN);
	/* A pipe: what is there, without blocking for more. */
	T_EQ(pipe(pfd), 0);
	T_EQ(write(pfd[1], "0123456789", 10), 10);
	T_EQ(sc(SYS_read, (uint64_t)pfd[0], HUGE, HUGE_LEN, 0), 10);
	close(pfd[0]);
	close(pfd[1]);
	close(fd);
	free(a);
	free(b);
	t_end();
}

/*
 * The proxy remembers that an fd is a regular file (one fstat per fd):
 * a dup2 of a pipe onto it, through the proxy, must make it forget, or
 * a read of the pipe into a buffer with a bad second page would take
 * all the pipe's bytes and lose those that do not fit.
 */
static void test_seekable_cache(void)
{
	static uint8_t data[8192];
	char path[] = "/tmp/cok-test-proxy-XXXXXX";
	int f, pfd[2], n = -1;

	t_begin("proxy/seekable-fd-forgotten-at-dup2");
	fill(data, sizeof(data), 5);
	f = mkstemp(path);
	T_CHECK(f >= 0, "mkstemp");
	unlink(path);
	T_EQ(write(f, data, sizeof(data)), sizeof(data));
	lseek(f, 0, SEEK_SET);
	memset(p.seekable, 0, sizeof(p.seekable));
	T_EQ(sc_as_app(SYS_read, (uint64_t)f, HEAP, 16, 0, 0), 16);
	T_EQ(pipe(pfd), 0);
	T_EQ(sc_as_app(SYS_dup2, (uint64_t)pfd[0], (uint64_t)f, 0, 0, 0), f);
	T_EQ(write(pfd[1], data, sizeof(data)), sizeof(data));
	T_EQ(sc_as_app(SYS_read, (uint64_t)f, HEAP_END - 4096, sizeof(data),
		       0, 0), 4096);
	T_EQ(ioctl(pfd[0], FIONREAD, &n), 0);
	T_EQ(n, 4096);
	close(f);
	close(pfd[0]);
	close(pfd[1]);
	t_end();
}

/*
 * A read from a pipe into a buffer whose second page is not mapped: the
 * bytes that fit the first page, the rest left in the pipe.
 */
static void test_pipe_bad_page(void)
{
	static uint8_t data[8192], b[8192];
	struct iovec v[2];
	int pfd[2], n = -1;

	t_begin("proxy/read-pipe-up-to-a-bad-page");
	fill(data, sizeof(data), 3);
	T_EQ(pipe(pfd), 0);
	T_EQ(write(pfd[1], data, sizeof(data)), sizeof(data));
	T_EQ(sc(SYS_read, (uint64_t)pfd[0], HEAP_END - 4096, sizeof(data), 0),
	     4096);
	fake_peek(&fe, HEAP_END - 4096, b, 4096);
	T_CHECK(!memcmp(b, data, 4096), "the app got other bytes");
	T_EQ(ioctl(pfd[0], FIONREAD, &n), 0);
	T_EQ(n, 4096);
	memset(b, 0, sizeof(b));
	T_EQ(read(pfd[0], b, sizeof(b)), 4096);
	T_CHECK(!memcmp(b, data + 4096, 4096), "the rest of the pipe differs");
	/* readv: a whole page, then a vector on the unmapped page. */
	T_EQ(write(pfd[1], data, sizeof(data)), sizeof(data));
	v[0] = (struct iovec){ (void *)(HEAP_END - 4096), 4096 };
	v[1] = (struct iovec){ (void *)HEAP_END, 4096 };
	fake_poke(&fe, HEAP + 0x8000, v, sizeof(v));
	T_EQ(sc(SYS_readv, (uint64_t)pfd[0], HEAP + 0x8000, 2, 0), 4096);
	T_EQ(ioctl(pfd[0], FIONREAD, &n), 0);
	T_EQ(n, 4096);
	T_EQ(read(pfd[0], b, sizeof(b)), 4096);
	T_CHECK(!memcmp(b, data + 4096, 4096), "readv: the rest differs");
	close(pfd[0]);
	close(pfd[1]);
	t_end();
}

/* --- bad buffers: as this machine's Linux answers ------------------------ */

enum second { NONE, READ_ONLY };

/* Two pages of this process: read-write, then inaccessible or read-only. */
static uint8_t *host_pages(enum second s)
{
	uint8_t *b = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (b == MAP_FAILED)
		return NULL;
	mprotect(b + 4096, 4096, s == NONE ? PROT_NONE : PROT_READ);
	return b;
}

/* The app's two pages of the same shape. */
static uint64_t app_pages(enum second s)
{
	return s == NONE ? HEAP_END - 4096 : RWPAGE;
}

struct pipe_case {
	const char *what;
	size_t w1, w2;		/* written into the pipe: one or two writes */
	uint64_t off;		/* where the buffer starts in the first page */
	enum second second;
	bool nonblock;
};

/* read(2) of the pipe case by Linux or by the proxy; what is left. */
static int64_t pipe_read(const struct pipe_case *k, bool proxy, int *left)
{
	static uint8_t data[16384];
	int64_t r = -9999;
	int pfd[2];

	fill(data, sizeof(data), 11);
	*left = -1;
	if (pipe2(pfd, O_CLOEXEC | (k->nonblock ? O_NONBLOCK : 0)))
		return r;
	if ((k->w1 && write(pfd[1], data, k->w1) != (ssize_t)k->w1) ||
	    (k->w2 && write(pfd[1], data, k->w2) != (ssize_t)k->w2))
		goto out;
	if (proxy) {
		r = sc(SYS_read, (uint64_t)pfd[0], app_pages(k->second) + k->off,
		       8192 - k->off, 0);
	} else {
		uint8_t *b = host_pages(k->second);

		if (b) {
			r = read(pfd[0], b + k->off, 8192 - k->off);
			if (r < 0)
				r = -errno;
			munmap(b, 8192);
		}
	}
	ioctl(pfd[0], FIONREAD, left);
out:
	close(pfd[0]);
	close(pfd[1]);
	return r;
}

/* read(2) of n bytes into a buffer with w writable bytes before a hole. */
static int64_t read_before_hole(int fd, uint64_t w, uint64_t n, bool proxy)
{
	uint8_t *b;
	int64_t r;

	if (proxy)
		return sc(SYS_read, (uint64_t)fd, HEAP_END - w, n, 0);
	b = host_pages(NONE);
	if (!b)
		return -9999;
	r = read(fd, b + 4096 - w, n);
	if (r < 0)
		r = -errno;
	munmap(b, 8192);
	return r;
}

/* write(2) of n bytes that end k bytes into the second page. */
static int64_t write_across(int fd, enum second s, uint64_t n, uint64_t k,
			    bool proxy)
{
	uint8_t *b;
	int64_t r;

	if (proxy)
		return sc(SYS_write, (uint64_t)fd, app_pages(s) + 4096 + k - n,
			  n, 0);
	b = host_pages(s);
	if (!b)
		return -9999;
	r = write(fd, b + 4096 + k - n, n);
	if (r < 0)
		r = -errno;
	munmap(b, 8192);
	return r;
}

/* getdents64 into a buffer with w writable bytes before a hole. */
static int64_t dents_before_hole(int fd, uint64_t w, uint32_t count,
				 bool proxy)
{
	uint8_t *b;
	int64_t r;

	if (proxy)
		return sc(SYS_getdents64, (uint64_t)fd, HEAP_END - w, count, 0);
	b = host_pages(NONE);
	if (!b)
		return -9999;
	r = syscall(SYS_getdents64, fd, b + 4096 - w, count);
	if (r < 0)
		r = -errno;
	munmap(b, 8192);
	return r;
}

static int64_t dents_at(int fd, uint64_t va, uint32_t count, bool proxy)
{
	long r;

	if (proxy)
		return sc(SYS_getdents64, (uint64_t)fd, va, count, 0);
	r = syscall(SYS_getdents64, fd, (void *)va, count);
	return r < 0 ? -errno : r;
}

static void test_like_linux(void)
{
	static const struct pipe_case pipes[] = {
		{ "a full first page, two pipe pages", 8192, 0, 0, NONE, false },
		{ "a pipe page across the hole", 8192, 0, 0x800, NONE, false },
		{ "all before the hole", 100, 0, 0x800, NONE, false },
		{ "into a read-only page", 100, 0, 0xff0, READ_ONLY, false },
		{ "two writes, one pipe page", 16, 100, 0xff0, READ_ONLY, false },
		{ "empty, non-blocking", 0, 0, 0x800, NONE, true },
		{ "empty, non-blocking, all bad", 0, 0, 4096, NONE, true },
	};
	char path[128];
	int64_t want, got;
	int lw, lg, fd, fd2, pfd[2], d1, d2, i;
	uint8_t junk[65536];

	t_begin("proxy/bad-buffers-as-linux");
	for (i = 0; i < (int)(sizeof(pipes) / sizeof(pipes[0])); i++) {
		want = pipe_read(&pipes[i], false, &lw);
		got = pipe_read(&pipes[i], true, &lg);
		T_CHECK(got == want && lg == lw,
			"pipe, %s: read %lld, %d left; Linux %lld, %d left",
			pipes[i].what, (long long)got, lg, (long long)want, lw);
	}

	/* A regular file: at EOF nothing is touched; else a short count. */
	fd = tmp_file("eof");
	fd2 = tmp_file("eof2");
	T_EQ(write(fd, "abc", 3), 3);
	T_EQ(write(fd2, "abc", 3), 3);
	T_EQ(read_before_hole(fd, 0, 10, true), 0);
	T_EQ(read_before_hole(fd2, 0, 10, false), 0);
	lseek(fd, 0, SEEK_SET);
	lseek(fd2, 0, SEEK_SET);
	T_EQ(read_before_hole(fd, 0, 10, true), -EFAULT);
	T_EQ(read_before_hole(fd2, 0, 10, false), -EFAULT);
	T_EQ(read_before_hole(fd, 2, 10, true), 2);
	T_EQ(read_before_hole(fd2, 2, 10, false), 2);

	/* Writes from 5 readable bytes, then the hole: those 5 bytes. */
	fake_poke(&fe, HEAP_END - 5, "vwxyz", 5);
	lseek(fd, 0, SEEK_SET);
	lseek(fd2, 0, SEEK_SET);
	T_EQ(write_across(fd, NONE, 10, 5, true),
	     write_across(fd2, NONE, 10, 5, false));
	memset(junk, 0, 8);
	T_EQ(pread(fd, junk, 8, 0), 5);
	T_CHECK(!memcmp(junk, "vwxyz", 5), "write: other bytes in the file");
	T_EQ(write_across(fd, READ_ONLY, 10, 5, true),
	     write_across(fd2, READ_ONLY, 10, 5, false));
	T_EQ(pipe(pfd), 0);
	want = write_across(pfd[1], NONE, 10, 5, false);
	lw = -1;
	ioctl(pfd[0], FIONREAD, &lw);
	if (lw > 0)
		T_EQ(read(pfd[0], junk, sizeof(junk)), lw);
	got = write_across(pfd[1], NONE, 10, 5, true);
	lg = -1;
	ioctl(pfd[0], FIONREAD, &lg);
	T_CHECK(got == want && lg == lw,
		"pipe write: %lld, %d in the pipe; Linux %lld, %d",
		(long long)got, lg, (long long)want, lw);
	close(pfd[0]);
	close(pfd[1]);
	close(fd);
	close(fd2);

	/* getdents64: two descriptors of one directory, in step. */
	tmp_path(path, sizeof(path), "dir2");
	mkdir(path, 0700);
	for (i = 0; i < 40; i++) {
		char f[192];

		snprintf(f, sizeof(f), "%s/a-rather-long-entry-name-%d", path, i);
		close(open(f, O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
	}
	d1 = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d2 = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	{
		static const struct { uint64_t w; uint32_t count; } dc[] = {
			{ 10, 4096 },	/* not one entry writable */
			{ 10, 20 },	/* nor one entry in count */
			{ 100, 4096 },
			{ 300, 4096 },
			{ 4096, 4096 },
			{ 0, 4096 },
		};

		for (i = 0; i < (int)(sizeof(dc) / sizeof(dc[0])); i++) {
			want = dents_before_hole(d1, dc[i].w, dc[i].count, false);
			got = dents_before_hole(d2, dc[i].w, dc[i].count, true);
			T_CHECK(got == want, "getdents64, %llu writable of %u: "
				"%lld, Linux %lld", (unsigned long long)dc[i].w,
				dc[i].count, (long long)got, (long long)want);
		}
	}
	T_EQ(dents_at(d2, 0xffffffff81000000ULL, 4096, true),
	     dents_at(d1, 0xffffffff81000000ULL, 4096, false));
	/* Exhausted: no entry to write, the buffer is not looked at. */
	while (syscall(SYS_getdents64, d1, junk, sizeof(junk)) > 0)
		;
	while (syscall(SYS_getdents64, d2, junk, sizeof(junk)) > 0)
		;
	T_EQ(dents_before_hole(d2, 0, 4096, true), 0);
	T_EQ(dents_at(d2, 0xffffffff81000000ULL, 4096, true),
	     dents_at(d1, 0xffffffff81000000ULL, 4096, false));
	/* Not a directory, or no file: that first. */
	fd = tmp_file("notdir");
	T_EQ(dents_at(fd, 0xffffffff81000000ULL, 4096, true), -ENOTDIR);
	T_EQ(dents_at(fd, 0xffffffff81000000ULL, 4096, false), -ENOTDIR);
	T_EQ(dents_at(999, 0xffffffff81000000ULL, 4096, true), -EBADF);
	close(fd);
	close(d1);
	close(d2);
	t_end();
}

static void test_files(void)
{
	char path[128], long_path[5000];
	struct stat st, want;
	int64_t fd;

	t_begin("proxy/open-stat-close");
	tmp_path(path, sizeof(path), "f1");
	put_str(HEAP + 0x1000 - 8, path);	/* across a page */
	fd = sc(SYS_openat, (uint64_t)AT_FDCWD, HEAP + 0x1000 - 8,
		O_RDWR | O_CREAT | O_EXCL, 0640);
	T_CHECK(fd >= 0 && fd < 100, "openat = %lld", (long long)fd);
	T_EQ(write((int)fd, "12345", 5), 5);
	T_EQ(sc(SYS_fstat, (uint64_t)fd, BIG2M + 0x3000, 0, 0), 0);
	fake_peek(&fe, BIG2M + 0x3000, &st, sizeof(st));
	T_EQ(stat(path, &want), 0);
	T_EQ(st.st_size, 5);
	T_EQ(st.st_ino, want.st_ino);
	T_EQ(st.st_mode, want.st_mode);
	T_EQ(st.st_mode & 0777, 0640 & ~umask(umask(0)));
	T_EQ(sc(SYS_close, (uint64_t)fd, 0, 0, 0), 0);
	T_EQ(sc(SYS_close, (uint64_t)fd, 0, 0, 0), -EBADF);
	T_EQ(sc(SYS_open, HEAP + 0x1000 - 8, O_RDWR | O_CREAT | O_EXCL, 0600, 0),
	     -EEXIST);
	fd = sc(SYS_open, HEAP + 0x1000 - 8, O_RDONLY, 0, 0);
	T_CHECK(fd >= 0, "open = %lld", (long long)fd);
	memset(&st, 0, sizeof(st));
	fake_poke(&fe, BIG2M + 0x3000, &st, sizeof(st));
	T_EQ(sc(SYS_newfstatat, (uint64_t)fd, put_str(HEAP + 0x9000, ""),
		BIG2M + 0x3000, AT_EMPTY_PATH), 0);
	fake_peek(&fe, BIG2M + 0x3000, &st, sizeof(st));
	T_EQ(st.st_ino, want.st_ino);
	T_EQ(sc(SYS_newfstatat, (uint64_t)fd, HEAP + 0x9000, BIG2M + 0x3000, 0),
	     -ENOENT);
	T_EQ(sc(SYS_fstat, (uint64_t)fd, ROPAGE, 0, 0), -EFAULT);
	sc(SYS_close, (uint64_t)fd, 0, 0, 0);
	T_EQ(sc(SYS_stat, HEAP + 0x1000 - 8, BIG2M + 0x3000, 0, 0), 0);
	T_EQ(sc(SYS_lstat, HEAP + 0x1000 - 8, BIG2M + 0x3000, 0, 0), 0);
	T_EQ(sc(SYS_stat, put_str(HEAP + 0x9000, "/nonexistent/x"),
		BIG2M + 0x3000, 0, 0), -ENOENT);
	T_EQ(sc(SYS_stat, HEAP + 0x1000 - 8, 0, 0, 0), -EFAULT);
	/* Bad and long paths. */
	T_EQ(sc(SYS_openat, (uint64_t)AT_FDCWD, 0, O_RDONLY, 0), -EFAULT);
	T_EQ(sc(SYS_open, 0x50000000, O_RDONLY, 0, 0), -EFAULT);
	memset(long_path, 'a', sizeof(long_path));
	fake_poke(&fe, HEAP + 0xa000, long_path, sizeof(long_path));
	T_EQ(sc(SYS_open, HEAP + 0xa000, O_RDONLY, 0, 0), -ENAMETOOLONG);
	/* A relative path with a directory fd. */
	fd = open(tmpdir, O_RDONLY | O_DIRECTORY);
	T_CHECK(sc(SYS_openat, (uint64_t)fd, put_str(HEAP + 0x9000, "f1"),
		   O_RDONLY, 0) >= 0, "openat(dirfd, \"f1\")");
	close((int)fd);
	t_end();
}

/* The online CPUs of an app with --cores: the proxy's own answer. */
static void test_cpu_online(void)
{
	char buf[16] = { 0 };
	int64_t fd;

	t_begin("proxy/cpu-online");
	put_str(HEAP + 0x9000, "/sys/devices/system/cpu/online");
	p.ncores = 3;
	fd = sc(SYS_openat, (uint64_t)AT_FDCWD, HEAP + 0x9000, O_RDONLY, 0);
	T_CHECK(fd >= 0, "openat = %lld", (long long)fd);
	T_EQ(read((int)fd, buf, sizeof(buf) - 1), 4);
	T_CHECK(!strcmp(buf, "0-2\n"), "read '%s'", buf);
	close((int)fd);
	p.ncores = 1;
	fd = sc(SYS_open, HEAP + 0x9000, O_RDONLY | O_CLOEXEC, 0, 0);
	memset(buf, 0, sizeof(buf));
	T_EQ(read((int)fd, buf, sizeof(buf) - 1), 2);
	T_CHECK(!strcmp(buf, "0\n"), "read '%s'", buf);
	T_EQ(fcntl((int)fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	close((int)fd);
	/* Written to, or with no core count: Linux's file, as before. */
	T_CHECK(sc(SYS_open, HEAP + 0x9000, O_WRONLY, 0, 0) < 0, "open for writing");
	p.ncores = 0;
	fd = sc(SYS_open, HEAP + 0x9000, O_RDONLY, 0, 0);
	T_CHECK(fd >= 0, "open = %lld", (long long)fd);
	memset(buf, 0, sizeof(buf));
	T_CHECK(read((int)fd, buf, sizeof(buf) - 1) > 0 && buf[0] == '0',
		"Linux's file reads '%s'", buf);
	close((int)fd);
	t_end();
}

/* An fd's whole content (a few KiB at most), NUL-ended, into buf. */
static ssize_t fd_text(int fd, char *buf, size_t size)
{
	ssize_t n = read(fd, buf, size - 1);

	buf[n > 0 ? n : 0] = 0;
	return n;
}

/* What the app sees of the system: the paths the proxy answers. */
static void test_answered(void)
{
	static const char cmdline[] = "/bin/app\0-x\0";
	char buf[8192], *at;
	int64_t fd;
	int n = 0;

	t_begin("proxy/answered-paths");
	cok_proxy_set_program(&p, "/proc/self/exe", cmdline, 2);
	p.ncores = 2;
	put_str(HEAP + 0x9000, "/proc/cpuinfo");
	fd = sc(SYS_open, HEAP + 0x9000, O_RDONLY, 0, 0);
	T_CHECK(fd >= 0, "open cpuinfo = %lld", (long long)fd);
	T_CHECK(fd_text((int)fd, buf, sizeof(buf)) > 0, "cpuinfo empty");
	for (at = buf; (at = strstr(at, "processor")); at++)
		n++;
	T_EQ(n, 2);
	T_CHECK(strstr(buf, "processor\t: 1\n") != NULL, "no processor 1");
	T_EQ(fcntl((int)fd, F_GETFL) & O_ACCMODE, O_RDONLY);
	T_EQ(write((int)fd, "x", 1), -1);
	close((int)fd);
	put_str(HEAP + 0x9000, "/sys/devices/system/cpu/possible");
	fd = sc(SYS_open, HEAP + 0x9000, O_RDONLY, 0, 0);
	T_EQ(fd_text((int)fd, buf, sizeof(buf)), 4);
	T_CHECK(!strcmp(buf, "0-1\n"), "possible '%s'", buf);
	close((int)fd);
	put_str(HEAP + 0x9000, "/proc/thread-self/cmdline");
	fd = sc(SYS_open, HEAP + 0x9000, O_RDONLY, 0, 0);
	T_EQ(fd_text((int)fd, buf, sizeof(buf)), (ssize_t)sizeof(cmdline) - 1);
	T_CHECK(!memcmp(buf, cmdline, sizeof(cmdline) - 1), "cmdline");
	close((int)fd);
	T_EQ(sc(SYS_open, HEAP + 0x9000, O_WRONLY, 0, 0), -EACCES);
	/* readlink /proc/self/exe: the program (here the test itself). */
	put_str(HEAP + 0x9000, "/proc/self/exe");
	T_EQ(sc(SYS_readlink, HEAP + 0x9000, HEAP + 0xa000, 3, 0), 3);
	T_CHECK(sc(SYS_readlink, HEAP + 0x9000, HEAP + 0xa000, 4096, 0) ==
		(int64_t)strlen(p.exe), "readlink exe");
	free((void *)p.exe);
	p.exe = NULL;
	T_EQ(sc(SYS_readlink, HEAP + 0x9000, HEAP + 0xa000, 4096, 0), -ENOENT);
	free((void *)p.cmdline);
	p.cmdline = NULL;
	p.ncores = 0;
	t_end();

	t_begin("proxy/text-file");
	fake_poke(&fe, HEAP + 0x9000, "Name:\tapp\n", 10);
	fd = sc(COK_SYS_TEXT_FILE, HEAP + 0x9000, 10, O_RDONLY | O_CLOEXEC, 0);
	T_CHECK(fd >= 0, "text file = %lld", (long long)fd);
	T_EQ(fd_text((int)fd, buf, sizeof(buf)), 10);
	T_CHECK(!strcmp(buf, "Name:\tapp\n"), "text '%s'", buf);
	T_EQ(fcntl((int)fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	T_EQ(lseek((int)fd, 0, SEEK_SET), 0);
	close((int)fd);
	T_EQ(sc(COK_SYS_TEXT_FILE, HEAP_END, 10, O_RDONLY, 0), -EFAULT);
	T_EQ(sc(COK_SYS_TEXT_FILE, HEAP, COK_TEXT_FILE_MAX + 1, 0, 0), -EINVAL);
	t_end();
}

/* The limits: the proxy's at the start; NOFILE only afterwards. */
static void test_limits(void)
{
	struct rlimit lim[COK_RLIM_NLIMITS], mine, got;

	t_begin("proxy/rlimits");
	T_EQ(sc(COK_SYS_RLIMITS, HEAP + 0x9000, 0, 0, 0), 0);
	fake_peek(&fe, HEAP + 0x9000, lim, sizeof(lim));
	T_EQ(getrlimit(RLIMIT_STACK, &mine), 0);
	T_CHECK(lim[RLIMIT_STACK].rlim_cur == mine.rlim_cur &&
		lim[RLIMIT_STACK].rlim_max == mine.rlim_max, "STACK");
	T_EQ(sc(COK_SYS_RLIMITS, ROPAGE, 0, 0, 0), -EFAULT);
	T_EQ(sc(SYS_getrlimit, RLIMIT_NOFILE, HEAP + 0xa000, 0, 0), 0);
	fake_peek(&fe, HEAP + 0xa000, &got, sizeof(got));
	T_EQ(getrlimit(RLIMIT_NOFILE, &mine), 0);
	T_EQ(got.rlim_cur, mine.rlim_cur);
	T_EQ(sc(SYS_getrlimit, RLIMIT_STACK, HEAP + 0xa000, 0, 0), -EINVAL);
	T_EQ(sc(SYS_prlimit64, 0, RLIMIT_NOFILE, HEAP + 0xa000, HEAP + 0xb000), 0);
	T_EQ(sc(SYS_setrlimit, RLIMIT_NOFILE, HEAP_END, 0, 0), -EFAULT);
	t_end();
}

static void test_paths(void)
{
	char path[128], path2[128], cwd[PATH_MAX], got[PATH_MAX];
	int64_t r;
	int dfd;

	t_begin("proxy/getcwd-chdir");
	T_CHECK(getcwd(cwd, sizeof(cwd)) != NULL, "getcwd");
	r = sc(SYS_getcwd, HEAP + 0xb000, 4096, 0, 0);
	T_EQ(r, (int64_t)strlen(cwd) + 1);
	fake_peek(&fe, HEAP + 0xb000, got, (size_t)(r > 0 ? r : 0));
	T_CHECK(r > 0 && !strcmp(got, cwd), "getcwd: '%s'", got);
	T_EQ(sc(SYS_getcwd, HEAP + 0xb000, 1, 0, 0), -ERANGE);
	T_EQ(sc(SYS_getcwd, ROPAGE, 4096, 0, 0), -EFAULT);
	T_EQ(sc(SYS_chdir, put_str(HEAP + 0x9000, tmpdir), 0, 0, 0), 0);
	r = sc(SYS_getcwd, HEAP + 0xb000, 4096, 0, 0);
	fake_peek(&fe, HEAP + 0xb000, got, (size_t)(r > 0 ? r : 0));
	T_CHECK(r > 0 && !strcmp(got, tmpdir), "after chdir: '%s'", got);
	T_EQ(sc(SYS_chdir, put_str(HEAP + 0x9000, "/nonexistent"), 0, 0, 0),
	     -ENOENT);
	dfd = open(cwd, O_RDONLY | O_DIRECTORY);
	T_EQ(sc(SYS_fchdir, (uint64_t)dfd, 0, 0, 0), 0);
	close(dfd);
	T_CHECK(getcwd(got, sizeof(got)) && !strcmp(got, cwd), "fchdir back");
	t_end();

	t_begin("proxy/mkdir-rename-unlink-access");
	tmp_path(path, sizeof(path), "d1");
	tmp_path(path2, sizeof(path2), "d2");
	put_str(HEAP + 0x9000, path);
	put_str(HEAP + 0x9800, path2);
	T_EQ(sc(SYS_mkdir, HEAP + 0x9000, 0755, 0, 0), 0);
	T_EQ(sc(SYS_mkdir, HEAP + 0x9000, 0755, 0, 0), -EEXIST);
	T_EQ(sc(SYS_access, HEAP + 0x9000, X_OK, 0, 0), 0);
	T_EQ(sc(SYS_rename, HEAP + 0x9000, HEAP + 0x9800, 0, 0), 0);
	T_EQ(sc(SYS_access, HEAP + 0x9000, F_OK, 0, 0), -ENOENT);
	T_EQ(sc(SYS_faccessat, (uint64_t)AT_FDCWD, HEAP + 0x9800, R_OK, 0), 0);
	T_EQ(sc(SYS_faccessat2, (uint64_t)AT_FDCWD, HEAP + 0x9800, R_OK,
		AT_SYMLINK_NOFOLLOW), 0);
	T_EQ(sc(SYS_rename, HEAP + 0x9000, 0x50000000, 0, 0), -EFAULT);
	T_EQ(sc(SYS_rmdir, HEAP + 0x9800, 0, 0, 0), 0);
	dfd = open(tmpdir, O_RDONLY | O_DIRECTORY);
	put_str(HEAP + 0x9000, "d3");
	put_str(HEAP + 0x9800, "d4");
	T_EQ(sc(SYS_mkdirat, (uint64_t)dfd, HEAP + 0x9000, 0700, 0), 0);
	T_EQ(sc(SYS_renameat, (uint64_t)dfd, HEAP + 0x9000, (uint64_t)dfd,
		HEAP + 0x9800), 0);
	T_EQ(sc5(SYS_renameat2, (uint64_t)dfd, HEAP + 0x9800, (uint64_t)dfd,
		 HEAP + 0x9000, RENAME_NOREPLACE), 0);
	T_EQ(sc(SYS_unlinkat, (uint64_t)dfd, HEAP + 0x9000, 0, 0), -EISDIR);
	T_EQ(sc(SYS_unlinkat, (uint64_t)dfd, HEAP + 0x9000, AT_REMOVEDIR, 0), 0);
	put_str(HEAP + 0x9000, "f1");
	T_EQ(sc(SYS_unlinkat, (uint64_t)dfd, HEAP + 0x9000, 0, 0), 0);
	T_EQ(sc(SYS_unlink, put_str(HEAP + 0x9000, path), 0, 0, 0), -ENOENT);
	close(dfd);
	t_end();

	t_begin("proxy/readlink");
	tmp_path(path, sizeof(path), "link");
	T_EQ(symlink("/some/target", path), 0);
	put_str(HEAP + 0x9000, path);
	T_EQ(sc(SYS_readlink, HEAP + 0x9000, HEAP + 0xc000, 100, 0), 12);
	memset(got, 0, sizeof(got));
	fake_peek(&fe, HEAP + 0xc000, got, 12);
	T_CHECK(!strcmp(got, "/some/target"), "readlink: '%s'", got);
	T_EQ(sc(SYS_readlink, HEAP + 0x9000, HEAP + 0xc000, 3, 0), 3);
	T_EQ(sc(SYS_readlink, HEAP + 0x9000, HEAP + 0xc000, 0, 0), -EINVAL);
	T_EQ(sc(SYS_readlink, 0, HEAP + 0xc000, 0, 0), -EINVAL);
	T_EQ(sc(SYS_readlink, HEAP + 0x9000, ROPAGE, 100, 0), -EFAULT);
	dfd = open(tmpdir, O_RDONLY | O_DIRECTORY);
	T_EQ(sc(SYS_readlinkat, (uint64_t)dfd, put_str(HEAP + 0x9000, "link"),
		HEAP + 0xc000, 100), 12);
	close(dfd);
	unlink(path);
	t_end();
}

static void test_ioctl(void)
{
	uint8_t want[64], got[64];
	int fd = tmp_file("notatty"), pfd[2], m, s, n;

	t_begin("proxy/ioctl-terminal-queries");
	T_EQ(sc(SYS_ioctl, (uint64_t)fd, TCGETS, HEAP, 0), -ENOTTY);
	T_EQ(sc(SYS_ioctl, (uint64_t)fd, TIOCSWINSZ, HEAP, 0), -ENOTTY);
	T_EQ(sc(SYS_ioctl, (uint64_t)fd, TCSETS, HEAP, 0), -ENOTTY);
	T_EQ(sc(SYS_ioctl, (uint64_t)fd, FIONBIO, HEAP, 0), -ENOTTY);
	close(fd);
	T_EQ(pipe(pfd), 0);
	T_EQ(write(pfd[1], "abc", 3), 3);
	T_EQ(sc(SYS_ioctl, (uint64_t)pfd[0], FIONREAD, HEAP + 0xd000, 0), 0);
	fake_peek(&fe, HEAP + 0xd000, &n, sizeof(n));
	T_EQ(n, 3);
	T_EQ(sc(SYS_ioctl, (uint64_t)pfd[0], FIONREAD, ROPAGE, 0), -EFAULT);
	close(pfd[0]);
	close(pfd[1]);
	m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m < 0 || grantpt(m) || unlockpt(m) ||
	    (s = open(ptsname(m), O_RDWR | O_NOCTTY)) < 0) {
		T_CHECK(0, "no pseudo-terminal: %s", strerror(errno));
		t_end();
		return;
	}
	memset(want, 0, sizeof(want));
	T_EQ(syscall(SYS_ioctl, s, TCGETS, want), 0);
	memset(got, 0xee, sizeof(got));
	fake_poke(&fe, HEAP + 0xd000, got, sizeof(got));
	T_EQ(sc(SYS_ioctl, (uint64_t)s, TCGETS, HEAP + 0xd000, 0), 0);
	fake_peek(&fe, HEAP + 0xd000, got, sizeof(got));
	T_CHECK(!memcmp(want, got, 36), "TCGETS: other bytes");
	T_EQ(got[36], 0xee);	/* not one byte more */
	T_EQ(sc(SYS_ioctl, (uint64_t)s, TIOCGWINSZ, HEAP + 0xd000, 0), 0);
	T_EQ(sc(SYS_ioctl, (uint64_t)s, TIOCGWINSZ, 0, 0), -EFAULT);
	T_EQ(sc(SYS_ioctl, (uint64_t)s, TIOCGPGRP, HEAP + 0xd000, 0),
	     syscall(SYS_ioctl, s, TIOCGPGRP, got) ? -errno : 0);
	T_EQ(sc(SYS_ioctl, (uint64_t)s, 0x802c542aU /* TCGETS2 */, HEAP + 0xd000,
		0), 0);
	close(s);
	close(m);
	t_end();
}

static void test_fds(void)
{
	int fd = tmp_file("fds");
	int64_t r;

	t_begin("proxy/fcntl-dup");
	T_EQ(sc(SYS_fcntl, (uint64_t)fd, F_GETFL, 0, 0) & O_ACCMODE, O_RDWR);
	T_EQ(sc(SYS_fcntl, (uint64_t)fd, F_SETFL, O_APPEND | O_NONBLOCK, 0), 0);
	T_CHECK(fcntl(fd, F_GETFL) & O_APPEND, "F_SETFL did not set O_APPEND");
	T_EQ(sc(SYS_fcntl, (uint64_t)fd, F_GETFD, 0, 0), FD_CLOEXEC);
	T_EQ(sc(SYS_fcntl, (uint64_t)fd, F_SETFD, 0, 0), 0);
	T_EQ(fcntl(fd, F_GETFD), 0);
	r = sc(SYS_fcntl, (uint64_t)fd, F_DUPFD, 100, 0);
	T_CHECK(r >= 100 && r < 900, "F_DUPFD = %lld", (long long)r);
	close((int)r);
	r = sc(SYS_fcntl, (uint64_t)fd, F_DUPFD_CLOEXEC, 0, 0);
	T_CHECK(r >= 0 && fcntl((int)r, F_GETFD) == FD_CLOEXEC, "F_DUPFD_CLOEXEC");
	close((int)r);
	T_EQ(sc(SYS_fcntl, (uint64_t)fd, F_GETLK, HEAP, 0), -EINVAL);
	T_EQ(sc(SYS_fcntl, (uint64_t)fd, F_SETOWN, 1, 0), -EINVAL);
	T_EQ(sc(SYS_fcntl, 777, F_GETFD, 0, 0), -EBADF);
	r = sc(SYS_dup, (uint64_t)fd, 0, 0, 0);
	T_CHECK(r >= 0 && r < 900, "dup = %lld", (long long)r);
	close((int)r);
	T_EQ(sc(SYS_dup2, (uint64_t)fd, 200, 0, 0), 200);
	T_CHECK(fcntl(200, F_GETFD) == 0, "dup2: fd 200");
	T_EQ(sc(SYS_dup3, (uint64_t)fd, 201, O_CLOEXEC, 0), 201);
	T_EQ(fcntl(201, F_GETFD), FD_CLOEXEC);
	T_EQ(sc(SYS_dup3, (uint64_t)fd, (uint64_t)fd, 0, 0), -EINVAL);
	close(200);
	close(201);
	T_EQ(sc(SYS_ftruncate, (uint64_t)fd, 12345, 0, 0), 0);
	T_EQ(lseek(fd, 0, SEEK_END), 12345);
	T_EQ(sc(SYS_fsync, (uint64_t)fd, 0, 0, 0), 0);
	T_EQ(sc(SYS_fdatasync, (uint64_t)fd, 0, 0, 0), 0);
	{
		char path[128];

		tmp_path(path, sizeof(path), "fds");
		T_EQ(sc(SYS_truncate, put_str(HEAP + 0x9000, path), 7, 0, 0), 0);
		T_EQ(lseek(fd, 0, SEEK_END), 7);
	}
	close(fd);
	t_end();
}

static void test_getdents(void)
{
	static uint8_t buf[8192];
	int found = 0, dfd;
	int64_t r, off;
	char path[128];

	t_begin("proxy/getdents64");
	tmp_path(path, sizeof(path), "dir");
	mkdir(path, 0700);
	for (int i = 0; i < 3; i++) {
		char f[160];

		snprintf(f, sizeof(f), "%s/entry-%d", path, i);
		close(open(f, O_CREAT | O_WRONLY, 0600));
	}
	dfd = open(path, O_RDONLY | O_DIRECTORY);
	/* Into scattered pages, across a page boundary. */
	r = sc(SYS_getdents64, (uint64_t)dfd, HEAP + 0xe800, 4096, 0);
	T_CHECK(r > 0, "getdents64 = %lld", (long long)r);
	if (r > 0) {
		fake_peek(&fe, HEAP + 0xe800, buf, (uint64_t)r);
		for (off = 0; off < r; ) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);

			if (!strncmp(d->d_name, "entry-", 6))
				found++;
			off += d->d_reclen;
		}
	}
	T_EQ(found, 3);
	T_EQ(sc(SYS_getdents64, (uint64_t)dfd, HEAP + 0xe800, 4096, 0), 0);
	lseek(dfd, 0, SEEK_SET);
	T_EQ(sc(SYS_getdents64, (uint64_t)dfd, HEAP, 10, 0), -EINVAL);
	T_EQ(sc(SYS_getdents64, (uint64_t)dfd, ROPAGE, 4096, 0), -EFAULT);
	T_EQ(sc(SYS_getdents64, (uint64_t)dfd, 0x50000000, 4096, 0), -EFAULT);
	T_EQ(sc(SYS_getdents64, 999, HEAP, 4096, 0), -EBADF);
	close(dfd);
	t_end();
}

static void test_process(void)
{
	struct utsname un, mine;
	mode_t old;

	t_begin("proxy/process-and-ids");
	old = umask(022);
	T_EQ(sc(SYS_umask, 077, 0, 0, 0), 022);
	T_EQ(umask(old), 077);
	T_EQ(sc(SYS_getuid, 0, 0, 0, 0), getuid());
	T_EQ(sc(SYS_geteuid, 0, 0, 0, 0), geteuid());
	T_EQ(sc(SYS_getgid, 0, 0, 0, 0), getgid());
	T_EQ(sc(SYS_getegid, 0, 0, 0, 0), getegid());
	/* uname is Linux's own; sysinfo is the co-kernel's (not forwarded). */
	memset(&un, 0, sizeof(un));
	T_EQ(uname(&mine), 0);
	T_EQ(sc(SYS_uname, BIG2M + 0x5000, 0, 0, 0), 0);
	fake_peek(&fe, BIG2M + 0x5000, &un, sizeof(un));
	T_CHECK(!memcmp(&un, &mine, sizeof(un)), "uname: '%s' '%s'",
		un.release, mine.release);
	T_EQ(sc(SYS_uname, ROPAGE, 0, 0, 0), -EFAULT);
	T_EQ(sc(SYS_sysinfo, BIG2M + 0x5000, 0, 0, 0), -ENOSYS);
	t_end();

	t_begin("proxy/not-forwarded");
	T_EQ(sc(SYS_pipe, HEAP, 0, 0, 0), -ENOSYS);
	T_EQ(sc(SYS_pipe2, HEAP, 0, 0, 0), -ENOSYS);
	T_EQ(sc(SYS_fork, 0, 0, 0, 0), -ENOSYS);
	T_EQ(sc(SYS_execve, 0, 0, 0, 0), -ENOSYS);
	T_EQ(sc(SYS_kill, 1, 9, 0, 0), -ENOSYS);
	T_EQ(sc(9999, 0, 0, 0, 0), -ENOSYS);
	T_EQ(sc(-1L, 0, 0, 0, 0), -ENOSYS);
	T_CHECK(cok_proxy_syscall_name(SYS_openat) &&
		!strcmp(cok_proxy_syscall_name(SYS_openat), "openat"), "name");
	T_CHECK(!cok_proxy_syscall_name(9999), "name of 9999");
	t_end();
}

/* --- the event loop against a scripted device --------------------------- */

struct step {
	int ret_errno;		/* WAIT fails with this, or 0 */
	struct cok_ioc_event ev;
	int reply_errno;	/* REPLY fails with this, or 0 */
	int raise;		/* raise this signal inside WAIT */
};

static const struct step *script;
static int script_pos, nreplies, nkills;
static int64_t replies[16];

int __real_ioctl(int fd, unsigned long req, ...);

/* The module's COK_IOC_REPLY_MEM: the copy, then the reply if whole. */
static int fake_reply_mem(struct cok_ioc_reply_mem *r)
{
	int err;

	if (r->mem.op != COK_MEM_WRITE || r->pad)
		return -EINVAL;
	r->replied = 0;
	err = fake_app_mem(&fe, &r->mem);
	if (err || r->mem.done < r->mem.len)
		return err;
	if (fe.idle)
		return -EINVAL;
	if (nreplies < 16)
		replies[nreplies++] = r->ret;
	fe.idle = true;
	r->replied = 1;
	return 0;
}

int __wrap_ioctl(int fd, unsigned long req, ...)
{
	const struct step *s;
	va_list ap;
	void *arg;
	int r;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (fd != p.devfd)
		return __real_ioctl(fd, req, arg);
	switch (req) {
	case COK_IOC_APP_MEM:
		r = fake_app_mem(&fe, arg);
		if (r) {
			errno = -r;
			return -1;
		}
		return 0;
	case COK_IOC_WAIT:
		s = &script[script_pos++];
		if (s->raise)
			raise(s->raise);
		if (s->ret_errno) {
			errno = s->ret_errno;
			return -1;
		}
		memcpy(arg, &s->ev, sizeof(s->ev));
		/* The app's memory is open to its proxy during its call only. */
		fe.idle = s->ev.kind != COK_EV_SYSCALL;
		return 0;
	case COK_IOC_REPLY_MEM:
		r = fake_reply_mem(arg);
		if (r) {
			errno = -r;
			return -1;
		}
		return 0;
	case COK_IOC_REPLY:
		if (nreplies < 16)
			replies[nreplies++] = *(int64_t *)arg;
		fe.idle = true;
		s = &script[script_pos - 1];
		if (s->reply_errno) {
			errno = s->reply_errno;
			return -1;
		}
		return 0;
	case COK_IOC_KILL:
		nkills++;
		return 0;
	default:
		errno = ENOTTY;
		return -1;
	}
}

/* Runs the loop on a script; its stderr lines land in msg. */
static int run_script(const struct step *steps, char *msg, size_t len)
{
	int pfd[2], saved = p.errfd, ret;
	ssize_t n;

	script = steps;
	script_pos = nreplies = nkills = 0;
	if (pipe(pfd))
		return -1;
	p.errfd = pfd[1];
	fe.idle = true;
	ret = cok_proxy_run(&p);
	fe.idle = false;	/* the direct calls above act as in a call */
	p.errfd = saved;
	close(pfd[1]);
	n = read(pfd[0], msg, len - 1);
	msg[n > 0 ? n : 0] = '\0';
	close(pfd[0]);
	return ret;
}

static void test_loop(void)
{
	char msg[512], out[16];
	int pfd[2];

	T_EQ(pipe(pfd), 0);
	put_str(HEAP + 0x3ffd, "hello\n");
	{
		const struct step s[] = {
			{ .ev = { .kind = COK_EV_SYSCALL, .nr = SYS_write,
				  .arg = { (uint64_t)pfd[1], HEAP + 0x3ffd, 6 } } },
			{ .ev = { .kind = COK_EV_SYSCALL, .nr = 9999 } },
			{ .ret_errno = EINTR },	/* a stray signal */
			{ .ev = { .kind = COK_EV_EXIT, .exit_status = 42 } },
		};

		t_begin("proxy-loop/syscalls-then-exit");
		T_EQ(run_script(s, msg, sizeof(msg)), 42);
		T_CHECK(fe.app_mem_calls > 0, "the write did not read the app");
		T_EQ(nreplies, 2);
		T_EQ(replies[0], 6);
		T_EQ(replies[1], -ENOSYS);
		T_EQ(read(pfd[0], out, sizeof(out)), 6);
		T_CHECK(!memcmp(out, "hello\n", 6), "the app's output");
		T_CHECK(!msg[0], "unexpected message '%s'", msg);
		T_EQ(nkills, 0);
		t_end();
	}
	close(pfd[0]);
	close(pfd[1]);
	{
		const struct step s[] = {
			{ .ev = { .kind = COK_EV_EXIT, .exit_status = 0x103 } },
		};

		t_begin("proxy-loop/exit-status-low-byte");
		T_EQ(run_script(s, msg, sizeof(msg)), 3);
		t_end();
	}
	{
		const struct step s[] = {
			{ .ev = { .kind = COK_EV_FAULT, .signal = SIGSEGV,
				  .fault_vector = 14, .fault_rip = 0x401136,
				  .fault_addr = 0 } },
		};

		t_begin("proxy-loop/fault");
		T_EQ(run_script(s, msg, sizeof(msg)), 128 + SIGSEGV);
		T_CHECK(!strcmp(msg, "cokctl: app 7 killed: SIGSEGV (vector 14 at rip 0x401136 address 0x0)\n"),
			"message '%s'", msg);
		t_end();
	}
	{
		const struct step s[] = {
			{ .ev = { .kind = COK_EV_FAULT, .signal = SIGFPE,
				  .fault_vector = 0, .fault_rip = 0x4010ab,
				  .fault_addr = 0 } },
		};

		t_begin("proxy-loop/fault-sigfpe");
		T_EQ(run_script(s, msg, sizeof(msg)), 128 + SIGFPE);
		T_CHECK(strstr(msg, "killed: SIGFPE (vector 0 at rip 0x4010ab"),
			"message '%s'", msg);
		t_end();
	}
	{
		const struct step s[] = {
			{ .ev = { .kind = COK_EV_SYSCALL, .nr = SYS_getuid },
			  .reply_errno = EINVAL },
			{ .ev = { .kind = COK_EV_KILLED } },
		};

		t_begin("proxy-loop/reply-fails-then-killed");
		T_EQ(run_script(s, msg, sizeof(msg)), 128 + SIGKILL);
		T_CHECK(strstr(msg, "app 7 killed: SIGKILL"), "message '%s'", msg);
		t_end();
	}
	{
		const struct step s[] = {
			{ .ret_errno = EIO },
		};

		t_begin("proxy-loop/lost-module");
		T_EQ(run_script(s, msg, sizeof(msg)), 5);
		T_CHECK(strstr(msg, "lost contact with the module"), "message '%s'",
			msg);
		T_EQ(nkills, 1);
		t_end();
	}
	{
		const struct step s[] = {
			{ .ev = { .kind = 99 } },
		};

		t_begin("proxy-loop/unknown-event");
		T_EQ(run_script(s, msg, sizeof(msg)), 5);
		t_end();
	}
	{
		/* Last: the caught signal stays caught for the process. */
		const struct step s[] = {
			{ .ev = { .kind = COK_EV_SYSCALL, .nr = SYS_getuid } },
			{ .ret_errno = EINTR, .raise = SIGTERM },
			{ .ev = { .kind = COK_EV_EXIT } },	/* not reached */
		};

		t_begin("proxy-loop/sigterm");
		cok_proxy_signals(p.devfd);
		T_EQ(run_script(s, msg, sizeof(msg)), 128 + SIGTERM);
		T_EQ(cok_proxy_stop_signal(), SIGTERM);
		T_CHECK(nkills >= 1, "the app was not killed");
		T_EQ(script_pos, 2);
		T_CHECK(!msg[0], "unexpected message '%s'", msg);
		t_end();
	}
}

static void cleanup(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd))
		fprintf(stderr, "cannot remove %s\n", tmpdir);
}

int main(void)
{
	setup();
	test_hide_fd();
	test_read_write();
	test_positional();
	test_vectors();
	test_big();
	test_pipe_bad_page();
	test_seekable_cache();
	test_like_linux();
	test_files();
	test_cpu_online();
	test_answered();
	test_limits();
	test_paths();
	test_ioctl();
	test_fds();
	test_getdents();
	test_process();
	test_loop();
	cleanup();
	return t_summary("proxy");
}
