/* SPDX-License-Identifier: GPL-2.0 */
/*
 * archprctl: arch_prctl(2) with bad and good bases, through a raw
 * system call (no errno, so that a failed ARCH_SET_FS cannot make libc
 * touch TLS).  Prints each raw result; the output must be the same on
 * Linux and on a co-kernel core.  Linux refuses any FS/GS base at or
 * above TASK_SIZE_MAX (0x7ffffffff000 with 4-level paging) with -EPERM.
 */
#include <stdio.h>

#define ARCH_SET_GS	0x1001
#define ARCH_SET_FS	0x1002
#define ARCH_GET_FS	0x1003
#define ARCH_GET_GS	0x1004
#define SYS_arch_prctl	158

static long arch_prctl(long code, unsigned long addr)
{
	long r;

	__asm__ volatile("syscall" : "=a"(r)
			 : "0"(SYS_arch_prctl), "D"(code), "S"(addr)
			 : "rcx", "r11", "memory");
	return r;
}

static const unsigned long bad[] = {
	0x00007ffffffff000UL,	/* TASK_SIZE_MAX: canonical, not user */
	0x0000800000000000UL,	/* first non-canonical */
	0x8000000000000000UL,	/* non-canonical */
	0x00ff00ff00ff00ffUL,	/* non-canonical */
	0xffff800000000000UL,	/* kernel half */
	0xffffffffff600000UL,	/* vsyscall page */
	0xffffffffffffffffUL,
};

int main(void)
{
	unsigned long fs0 = 0, fs1 = 1, gs = 1;
	unsigned int i;

	printf("get_fs: %ld\n", arch_prctl(ARCH_GET_FS, (unsigned long)&fs0));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		printf("set_fs %#lx: %ld\n", bad[i], arch_prctl(ARCH_SET_FS, bad[i]));
		printf("set_gs %#lx: %ld\n", bad[i], arch_prctl(ARCH_SET_GS, bad[i]));
	}
	arch_prctl(ARCH_GET_FS, (unsigned long)&fs1);
	printf("fs base unchanged: %s\n", fs0 == fs1 && fs0 ? "yes" : "NO");
	printf("set_gs 0x10000: %ld\n", arch_prctl(ARCH_SET_GS, 0x10000));
	printf("get_gs: %ld\n", arch_prctl(ARCH_GET_GS, (unsigned long)&gs));
	printf("gs base: %#lx\n", gs);
	printf("set_gs 0x7fffffffe000: %ld\n", arch_prctl(ARCH_SET_GS, 0x7fffffffe000UL));
	printf("set_gs 0: %ld\n", arch_prctl(ARCH_SET_GS, 0));
	printf("get_fs to address 8: %ld\n", arch_prctl(ARCH_GET_FS, 8));
	printf("unknown code 0x10ff: %ld\n", arch_prctl(0x10ff, 0));
	printf("archprctl: done\n");
	return 0;
}
