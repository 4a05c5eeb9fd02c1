// SPDX-License-Identifier: GPL-2.0
/*
 * The memory calls as Linux gives them (issue 9 part 6): mmap with hints,
 * MAP_FIXED and MAP_FIXED_NOREPLACE, PROT_NONE and MAP_NORESERVE
 * reservations, anonymous MAP_SHARED, munmap of a middle part, mremap
 * (in place, moved, MREMAP_FIXED, shrunk), mprotect (read-only pages,
 * PROT_NONE and back, a 2 MiB page split), madvise(MADV_DONTNEED), brk
 * shrunk and grown again, msync and the mlock family; then realloc and
 * calloc heavy use.  It prints what it observed: contents, errnos, and
 * addresses relative to the ones it asked for, never absolute ones.
 *
 *   vm_calls            every case above, exit 0
 *   vm_calls rowrite    a write to a read-only page: SIGSEGV (139)
 *   vm_calls rowrite2m  the same in a 4 KiB part of a split 2 MiB page
 *   vm_calls nxexec     a call into a page without PROT_EXEC: SIGSEGV
 *   vm_calls noneread   a read of a PROT_NONE page: SIGSEGV
 *   vm_calls dumpwait   sets up pages with every kind of rights, prints
 *                       "ready", computes 3 s (a dump and a restore may
 *                       come), checks them all, then writes to its
 *                       read-only page: SIGSEGV
 *   vm_calls bigres     a 1 GiB PROT_NONE reservation, "ready", 3 s, exit 0
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MREMAP_FIXED
#define MREMAP_FIXED 2
#endif

#define PG	4096UL
#define MB	(1UL << 20)
/* Far from where either kernel puts anything by itself. */
#define BASE	((char *)0x200000000000UL)

static void say(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (write(1, buf, (size_t)n) != n)
		_exit(3);
}

static const char *err_name(int e)
{
	switch (e) {
	case 0: return "ok";
	case EINVAL: return "EINVAL";
	case ENOMEM: return "ENOMEM";
	case EEXIST: return "EEXIST";
	case EFAULT: return "EFAULT";
	case EPERM: return "EPERM";
	case EAGAIN: return "EAGAIN";
	case ENOSYS: return "ENOSYS";
	default: return "other";
	}
}

/* A system call's outcome: "ok" or its errno's name. */
static const char *res(long r)
{
	return err_name(r == -1 ? errno : 0);
}

static void *map(void *at, size_t len, int prot, int flags)
{
	return mmap(at, len, prot, flags | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static void fill(char *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i += 512)
		p[i] = (char)(seed + i / 512);
}

static int check(const char *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i += 512)
		if (p[i] != (char)(seed + i / 512))
			return 0;
	return 1;
}

static int zero(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i])
			return 0;
	return 1;
}

/* mapped: msync says whether [p, p + len) is mapped (ENOMEM if not). */
static const char *mapped(void *p, size_t len)
{
	return msync(p, len, MS_ASYNC) ? "unmapped" : "mapped";
}

/* A system call that writes to p: EFAULT where the app may not write. */
static const char *kput(void *p)
{
	return res(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, p));
}

static const char *mres(void *p)
{
	return p == MAP_FAILED ? err_name(errno) : "mapped";
}

static void case_mmap(void)
{
	char *a = BASE, *p, *q;
	const char *r1, *r2, *r3;

	p = map(a, 3 * PG, PROT_READ | PROT_WRITE, 0);
	say("hint: at the hint %d\n", p == a);
	fill(p, 3 * PG, 1);
	q = map(a, PG, PROT_READ | PROT_WRITE, MAP_FIXED_NOREPLACE);
	say("fixed_noreplace over it: %s\n", mres(q));
	q = map(a + 3 * PG, PG, PROT_READ | PROT_WRITE, MAP_FIXED_NOREPLACE);
	say("fixed_noreplace next to it: at %d\n", q == a + 3 * PG);
	q = map(a + PG, PG, PROT_READ | PROT_WRITE, 0);
	say("hint on a used page: elsewhere %d\n", q != MAP_FAILED && q != a + PG);
	munmap(q, PG);
	q = map(a + PG, PG, PROT_READ | PROT_WRITE, MAP_FIXED);
	say("fixed over the middle page: at %d, zero %d, neighbours kept %d %d\n",
	    q == a + PG, zero(q, PG), check(p, PG, 1), check(p + 2 * PG, PG, 1 + 16));
	q = map((void *)(BASE + 123), PG, PROT_READ, MAP_FIXED);
	say("fixed unaligned: %s\n", mres(q));
	q = map(NULL, 0, PROT_READ, 0);
	say("length 0: %s\n", mres(q));
	q = mmap(NULL, PG, PROT_READ, MAP_ANONYMOUS, -1, 0);
	say("neither shared nor private: %s\n", mres(q));
	r1 = res(munmap(a + PG, PG));
	say("munmap the middle: %s, then %s %s %s\n", r1, mapped(a, PG),
	    mapped(a + PG, PG), mapped(a + 2 * PG, PG));
	r1 = res(munmap(a + 1, PG));
	r2 = res(munmap(a, 0));
	say("munmap unaligned: %s, length 0: %s\n", r1, r2);
	r1 = res(munmap(a, 4 * PG));
	say("munmap all: %s, then %s\n", r1, mapped(a, PG));

	p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	r3 = mres(p);
	if (p != MAP_FAILED) {
		fill(p, 2 * PG, 7);
		say("shared anonymous: %s, contents kept %d\n", r3,
		    check(p, 2 * PG, 7));
		r1 = res(madvise(p, PG, MADV_DONTNEED));
		say("  MADV_DONTNEED on shared: %s, contents kept %d\n", r1,
		    check(p, 2 * PG, 7));
		munmap(p, 2 * PG);
	}
}

/* A Go-like reservation: 1 GiB PROT_NONE, parts made usable later. */
static void case_reserve(void)
{
	char *r = map(NULL, 1024 * MB, PROT_NONE, MAP_NORESERVE);
	const char *r1;
	char *q;

	say("reserve 1 GiB PROT_NONE: %s\n", mres(r));
	if (r == MAP_FAILED)
		return;
	r1 = res(mprotect(r + 512 * MB, 64 * 1024, PROT_READ | PROT_WRITE));
	say("mprotect 64 KiB rw in it: %s\n", r1);
	fill(r + 512 * MB, 64 * 1024, 3);
	say("  written and read back %d\n", check(r + 512 * MB, 64 * 1024, 3));
	say("  the byte after it: %s\n", kput(r + 512 * MB + 64 * 1024));
	q = map(r + 64 * MB, 4 * MB, PROT_READ | PROT_WRITE, MAP_FIXED);
	say("fixed 4 MiB rw in it: at %d, zero %d\n", q == r + 64 * MB,
	    zero(q, 4 * MB));
	fill(q, 4 * MB, 4);
	say("  written and read back %d\n", check(q, 4 * MB, 4));
	q = map(r + 128 * MB, 8 * MB, PROT_READ | PROT_WRITE,
		MAP_FIXED | MAP_NORESERVE);
	q[5 * MB] = 9;
	say("noreserve rw in it: touched byte %d, untouched zero %d\n", q[5 * MB],
	    q[7 * MB] == 0 && q[0] == 0);
	r1 = res(munmap(r, 1024 * MB));
	say("munmap the reservation: %s\n", r1);
	r1 = res(mprotect(r, PG, PROT_READ));
	say("mprotect an unmapped range: %s\n", r1);
}

static void case_mremap(void)
{
	char *a = BASE + 256 * MB, *p, *q, *b;
	int moved, kept;

	p = map(a, 3 * PG, PROT_READ | PROT_WRITE, MAP_FIXED);
	fill(p, 3 * PG, 5);
	q = mremap(p, 3 * PG, 5 * PG, 0);
	say("grow in place: at %d, kept %d, new zero %d\n", q == a,
	    check(a, 3 * PG, 5), zero(a + 3 * PG, 2 * PG));
	b = map(a + 5 * PG, PG, PROT_READ, MAP_FIXED);
	q = mremap(a, 5 * PG, 8 * PG, 0);
	say("grow against a mapping, no MAYMOVE: %s\n", mres(q));
	q = mremap(a, 5 * PG, 8 * PG, MREMAP_MAYMOVE);
	moved = q != MAP_FAILED && q != a;
	kept = q != MAP_FAILED && check(q, 3 * PG, 5);
	say("grow with MAYMOVE: moved %d, kept %d, old range %s\n", moved, kept,
	    mapped(a, PG));
	p = mremap(q, 8 * PG, 2 * PG, 0);
	say("shrink: at %d, kept %d, tail %s\n", p == q, check(p, 2 * PG, 5),
	    mapped(p + 2 * PG, PG));
	q = mremap(p, 2 * PG, 4 * PG, MREMAP_MAYMOVE | MREMAP_FIXED,
		   a + 64 * PG);
	say("MREMAP_FIXED: at %d, kept %d, old range %s\n", q == a + 64 * PG,
	    check(q, 2 * PG, 5), mapped(p, PG));
	say("fixed without maymove: %s\n",
	    mres(mremap(q, PG, PG, MREMAP_FIXED, a)));
	say("unaligned: %s\n", mres(mremap(q + 1, PG, 2 * PG, MREMAP_MAYMOVE)));
	say("not mapped: %s\n",
	    mres(mremap(a + 200 * PG, PG, 2 * PG, MREMAP_MAYMOVE)));
	munmap(q, 4 * PG);
	munmap(b, PG);

	/* A big block, as glibc's realloc of an mmapped chunk does. */
	p = map(NULL, 4 * MB, PROT_READ | PROT_WRITE, 0);
	fill(p, 4 * MB, 6);
	q = mremap(p, 4 * MB, 24 * MB, MREMAP_MAYMOVE);
	say("4 MiB to 24 MiB: %s\n", mres(q));
	if (q != MAP_FAILED) {
		say("  kept %d, new zero %d\n", check(q, 4 * MB, 6),
		    zero(q + 4 * MB, 20 * MB));
		munmap(q, 24 * MB);
	}
}

static void case_mprotect(void)
{
	char *a = BASE + 512 * MB, *p;
	const char *r1, *r2, *r3;

	p = map(a, 4 * PG, PROT_READ | PROT_WRITE, MAP_FIXED);
	fill(p, 4 * PG, 8);
	r1 = res(mprotect(p + PG, PG, PROT_READ));
	say("read-only: %s, kept %d\n", r1, check(p, 4 * PG, 8));
	r1 = kput(p + PG);
	r2 = res(syscall(SYS_getrandom, p + PG, 16, 0));
	r3 = kput(p + 2 * PG);
	say("  a call writing into it: %s, getrandom into it: %s, into the rw page after it: %s\n",
	    r1, r2, r3);
	r1 = res(mprotect(p, 4 * PG, PROT_NONE));
	r2 = kput(p + PG);
	say("PROT_NONE: %s, a call writing into it: %s\n", r1, r2);
	r1 = res(mprotect(p, 4 * PG, PROT_READ | PROT_WRITE));
	say("back to rw: %s, kept %d\n", r1, check(p, 2 * PG, 8));
	r1 = res(mprotect(p + 1, PG, PROT_READ));
	r2 = res(mprotect(p, PG, 0x100));
	r3 = res(mprotect(p, 0, PROT_READ));
	say("unaligned: %s, bad bits: %s, length 0: %s\n", r1, r2, r3);
	r1 = res(mprotect(p, 8 * PG, PROT_READ));
	say("over a hole: %s\n", r1);
	munmap(p, 4 * PG);

	/* 2 MiB-aligned 4 MiB: one 4 KiB page read-only in the middle. */
	p = map(BASE + 1024 * MB, 4 * MB, PROT_READ | PROT_WRITE, MAP_FIXED);
	fill(p, 4 * MB, 9);
	r1 = res(mprotect(p + 2 * MB + PG, PG, PROT_READ));
	say("4 KiB of a 2 MiB page read-only: %s, kept %d\n", r1,
	    check(p, 4 * MB, 9));
	p[2 * MB] = 1;
	p[2 * MB + 2 * PG] = 2;
	r1 = kput(p + 2 * MB + PG);
	say("  neighbours written: %d %d, a call writing into it: %s\n",
	    p[2 * MB], p[2 * MB + 2 * PG], r1);
	munmap(p, 4 * MB);
}

static void case_madvise(void)
{
	char *p = map(NULL, 4 * MB, PROT_READ | PROT_WRITE, 0);
	const char *r1, *r2, *r3, *r4;

	memset(p, 0x5a, 4 * MB);
	/* A kernel without CONFIG_ADVISE_SYSCALLS (the debug lane's). */
	if (madvise(p, PG, MADV_NORMAL) && errno == ENOSYS) {
		say("madvise: ENOSYS, this kernel has none\n");
		goto sync;
	}
	r1 = res(madvise(p + MB, MB, MADV_DONTNEED));
	say("MADV_DONTNEED 1 MiB in the middle: %s, zero %d, rest kept %d %d\n",
	    r1, zero(p + MB, MB), p[MB - 1] == 0x5a, p[2 * MB] == 0x5a);
	p[MB] = 1;
	say("  written again: %d\n", p[MB]);
	r1 = res(madvise(p, MB, MADV_WILLNEED));
	r2 = res(madvise(p, MB, 12345));
	r3 = res(madvise(p + 1, MB, MADV_DONTNEED));
	r4 = res(madvise(BASE + 2048 * MB, PG, MADV_DONTNEED));
	say("MADV_WILLNEED: %s, bad advice: %s, unaligned: %s, unmapped: %s\n",
	    r1, r2, r3, r4);
sync:
	r1 = res(msync(p, MB, MS_SYNC));
	r2 = res(msync(p, MB, MS_ASYNC | MS_SYNC));
	r3 = res(msync(BASE + 2048 * MB, PG, MS_SYNC));
	say("msync: %s, async|sync: %s, unmapped: %s\n", r1, r2, r3);
	r1 = res(mlock(p, MB));
	r2 = res(munlock(p, MB));
	r3 = res(mlock(BASE + 2048 * MB, PG));
	say("mlock: %s, munlock: %s, mlock unmapped: %s\n", r1, r2, r3);
	r1 = res(mlockall(MCL_CURRENT));
	r2 = res(munlockall());
	r3 = res(mlockall(0));
	say("mlockall: %s, munlockall: %s, mlockall(0): %s\n", r1, r2, r3);
	munmap(p, 4 * MB);
}

/* The break, moved by hand and put back where the C library left it. */
static void case_brk(void)
{
	char *b0 = (char *)syscall(SYS_brk, 0), *b, *base;

	base = (char *)(((unsigned long)b0 + PG - 1) & ~(PG - 1));
	b = (char *)syscall(SYS_brk, base + 3 * PG);
	say("brk +3 pages: %d\n", b == base + 3 * PG);
	memset(base, 0x77, 3 * PG);
	b = (char *)syscall(SYS_brk, base + PG + 100);
	say("brk shrunk to 1 page + 100: %d\n", b == base + PG + 100);
	b = (char *)syscall(SYS_brk, base + 3 * PG);
	say("grown again: %d, kept below %d, the rest of its page kept %d, new pages zero %d\n",
	    b == base + 3 * PG, base[PG + 99] == 0x77, base[2 * PG - 1] == 0x77,
	    zero(base + 2 * PG, PG));
	b = (char *)syscall(SYS_brk, 4096);
	say("brk far below: unchanged %d\n", b == base + 3 * PG);
	syscall(SYS_brk, b0);
}

/* glibc's and musl's malloc: realloc growth, calloc after free. */
static void case_malloc(void)
{
	size_t size = 1000, i;
	unsigned long sum = 0;
	char *p = NULL, *q;
	int ok = 0, n;

	for (n = 0; size < 24 * MB; n++) {
		size_t old = p ? size : 0;

		size = size * 3 / 2;
		q = realloc(p, size);
		if (!q)
			break;
		p = q;
		for (i = (old + 255) & ~(size_t)255; i < size; i += 256)
			p[i] = (char)(i / 256);
		for (i = 0; i < size; i += 4096)
			sum += (unsigned char)p[i];
	}
	free(p);
	say("realloc: %d growths to %zu bytes, sum %lu\n", n, size, sum);
	for (n = 0; n < 40; n++) {
		size_t len = (n % 2 ? 300 : 2000) * 1024 + n * 4096;
		char *m = malloc(len), *small = malloc(64);

		memset(m, 0xff, len);
		free(m);
		q = calloc(1, len);
		ok += q && zero(q, len);
		free(q);
		free(small);
	}
	say("calloc after free: %d of 40 zero\n", ok);
}

static void fault_rowrite(char *p)
{
	p[0] = 1;
	mprotect(p, PG, PROT_READ);
	say("read-only page reads %d; writing\n", p[0]);
	p[0] = 2;
	say("written: no fault\n");
}

static void fault_nx(void)
{
	char *p = map(NULL, PG, PROT_READ | PROT_WRITE, 0);
	void (*fn)(void) = (void (*)(void))p;

	p[0] = (char)0xc3;	/* ret */
	say("calling into a page without PROT_EXEC\n");
	fn();
	say("returned: no fault\n");
}

/*
 * s seconds computing, not in one long sleep: a freeze stops a lone
 * thread at the end of its system call.
 */
static void nap(int s)
{
	struct timespec t0, t;
	volatile unsigned long x = 0;
	unsigned long i;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		for (i = 0; i < 100000; i++)
			x += i;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec < s);
}

/* Rights a dump and restore must keep: see the comment at the top. */
static void dumpwait(void)
{
	char *a = BASE, *ro, *none, *rw, *ex, *res_none;
	const char *r1, *r2, *r3;

	rw = map(a, 2 * PG, PROT_READ | PROT_WRITE, MAP_FIXED);
	ro = map(a + 4 * PG, PG, PROT_READ | PROT_WRITE, MAP_FIXED);
	none = map(a + 8 * PG, PG, PROT_READ | PROT_WRITE, MAP_FIXED);
	ex = map(a + 12 * PG, PG, PROT_READ | PROT_WRITE, MAP_FIXED);
	res_none = map(a + 16 * PG, 16 * PG, PROT_NONE, MAP_FIXED);
	fill(rw, 2 * PG, 11);
	fill(ro, PG, 12);
	fill(none, PG, 13);
	ex[0] = (char)0xb8;	/* mov $42, %eax; ret */
	ex[1] = 42;
	ex[2] = ex[3] = ex[4] = 0;
	ex[5] = (char)0xc3;
	mprotect(ro, PG, PROT_READ);
	mprotect(none, PG, PROT_NONE);
	mprotect(ex, PG, PROT_READ | PROT_EXEC);
	say("ready\n");
	nap(3);
	say("rw kept %d, ro kept %d\n", check(rw, 2 * PG, 11), check(ro, PG, 12));
	r1 = kput(ro);
	r2 = kput(none);
	r3 = kput(res_none);
	say("a call writing into ro: %s, into none: %s, into the reservation: %s\n",
	    r1, r2, r3);
	say("code page returns %d\n", ((int (*)(void))ex)());
	r1 = res(mprotect(none, PG, PROT_READ | PROT_WRITE));
	say("none back to rw: %s, kept %d\n", r1, check(none, PG, 13));
	r1 = res(mprotect(res_none, 16 * PG, PROT_READ | PROT_WRITE));
	say("reservation to rw: %s, zero %d\n", r1, zero(res_none, 16 * PG));
	say("writing to ro\n");
	ro[0] = 1;
	say("written: no fault\n");
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	if (!strcmp(mode, "rowrite")) {
		fault_rowrite(map(NULL, PG, PROT_READ | PROT_WRITE, 0));
	} else if (!strcmp(mode, "rowrite2m")) {
		char *p = map(BASE, 4 * MB, PROT_READ | PROT_WRITE, MAP_FIXED);

		p[2 * MB + 2 * PG] = 1;
		fault_rowrite(p + 2 * MB + PG);
	} else if (!strcmp(mode, "nxexec")) {
		fault_nx();
	} else if (!strcmp(mode, "noneread")) {
		char *p = map(NULL, PG, PROT_NONE, 0);

		say("reading a PROT_NONE page\n");
		say("read %d: no fault\n", *(volatile char *)p);
	} else if (!strcmp(mode, "dumpwait")) {
		dumpwait();
	} else if (!strcmp(mode, "bigres")) {
		char *r = map(NULL, 1024 * MB, PROT_NONE, MAP_NORESERVE);

		say("reserved %d\nready\n", r != MAP_FAILED);
		nap(3);
		say("done\n");
	} else {
		say("vm_calls (%s)\n", LIBC);
		case_mmap();
		case_reserve();
		case_mremap();
		case_mprotect();
		case_madvise();
		case_brk();
		case_malloc();
	}
	return 0;
}
