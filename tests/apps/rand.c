/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rand: what a program sees of the kernel's randomness.
 *
 *   rand show           AT_RANDOM's 16 bytes and 16 getrandom() bytes, in hex
 *   rand loop ROUNDS    a compute loop without system calls (a progress
 *                       line every 5 rounds), then 16 getrandom() bytes:
 *                       dumped mid-loop, each run from the image prints
 *                       its own bytes last
 *   rand flags          getrandom()'s answers (return value, errno) to
 *                       flag combinations, lengths and bad buffers; the
 *                       same on every kernel that behaves like Linux
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define GRND_NONBLOCK	0x0001
#define GRND_RANDOM	0x0002
#define GRND_INSECURE	0x0004

static void print_hex(const char *what, const unsigned char *p, size_t n)
{
	size_t i;

	printf("%s ", what);
	for (i = 0; i < n; i++)
		printf("%02x", p[i]);
	printf("\n");
	fflush(stdout);
}

/* The raw call: no libc wrapper between us and the kernel. */
static long grnd(void *buf, size_t len, unsigned long flags)
{
	return syscall(SYS_getrandom, buf, len, flags);
}

static int get16(unsigned char b[16])
{
	if (grnd(b, 16, 0) != 16) {
		perror("getrandom");
		return 1;
	}
	return 0;
}

static int show(void)
{
	const unsigned char *at = (const void *)getauxval(AT_RANDOM);
	unsigned char b[16];

	if (!at) {
		fprintf(stderr, "no AT_RANDOM\n");
		return 1;
	}
	print_hex("at_random", at, 16);
	if (get16(b))
		return 1;
	print_hex("getrandom", b, 16);
	return 0;
}

static int loop(unsigned long rounds)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL, digest = 0;
	unsigned char b[16];
	unsigned long r, i;

	printf("rand: started, %lu rounds\n", rounds);
	fflush(stdout);
	for (r = 1; r <= rounds; r++) {
		for (i = 0; i < 1000000; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			digest += x * (i | 1);
		}
		if (r % 5 == 0) {
			printf("rand: round %lu\n", r);
			fflush(stdout);
		}
	}
	printf("rand: digest %016llx\n", (unsigned long long)digest);
	if (get16(b))
		return 1;
	print_hex("getrandom", b, 16);
	return 0;
}

static void report(const char *name, long ret)
{
	printf("%-28s ret %ld errno %s\n", name, ret,
	       ret < 0 ? strerror(errno) : "-");
}

static int all_zero(const unsigned char *p, size_t n)
{
	while (n--)
		if (*p++)
			return 0;
	return 1;
}

/* getrandom() into the last n (<= 2 pages) bytes before unmapped memory. */
static long at_hole(size_t n, size_t len)
{
	long page = sysconf(_SC_PAGESIZE), ret;
	unsigned char *p = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED || munmap(p + 2 * page, page))
		return -1000;
	ret = grnd(p + 2 * page - n, len, 0);
	munmap(p, 2 * page);
	return ret;
}

static int flags(void)
{
	static const struct { const char *name; unsigned long flags; } f[] = {
		{ "flags 0", 0 },
		{ "flags NONBLOCK", GRND_NONBLOCK },
		{ "flags RANDOM", GRND_RANDOM },
		{ "flags RANDOM|NONBLOCK", GRND_RANDOM | GRND_NONBLOCK },
		{ "flags INSECURE", GRND_INSECURE },
		{ "flags INSECURE|NONBLOCK", GRND_INSECURE | GRND_NONBLOCK },
		{ "flags INSECURE|RANDOM", GRND_INSECURE | GRND_RANDOM },
		{ "flags 0x8", 0x8 },
		{ "flags 0x80000000", 0x80000000UL },
		{ "flags 1<<32 (int: 0)", 1UL << 32 },
	};
	static unsigned char big[1 << 20];
	unsigned char b[64];
	size_t i;
	long ret;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		memset(b, 0, sizeof(b));
		errno = 0;
		ret = grnd(b, 16, f[i].flags);
		report(f[i].name, ret);
		if (ret == 16 && all_zero(b, 16))
			printf("  (all zero)\n");
	}
	errno = 0;
	report("len 0", grnd(b, 0, 0));
	report("len 0, NULL", grnd(NULL, 0, 0));
	report("len 16, NULL", grnd(NULL, 16, 0));
	report("len 40, NULL", grnd(NULL, 40, 0));
	report("bad flags, NULL", grnd(NULL, 16, 0x8));
	report("len 16, program text", grnd((void *)((uintptr_t)&flags & ~63UL), 16, 0));
	report("len 40", grnd(b, 40, 0));
	report("len 20, 10 before a hole", at_hole(10, 20));
	report("len 100, 10 before a hole", at_hole(10, 100));
	report("len 5000, 4100 before hole", at_hole(4100, 5000));
	ret = grnd(big, sizeof(big), GRND_NONBLOCK);
	report("len 1 MiB", ret);
	if (ret == (long)sizeof(big) && all_zero(big + sizeof(big) - 64, 64))
		printf("  (tail all zero)\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "show"))
		return show();
	if (argc > 2 && !strcmp(argv[1], "loop"))
		return loop(strtoul(argv[2], NULL, 10));
	if (argc > 1 && !strcmp(argv[1], "flags"))
		return flags();
	fprintf(stderr, "usage: rand show | loop ROUNDS | flags\n");
	return 2;
}
