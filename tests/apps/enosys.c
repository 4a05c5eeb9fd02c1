/* SPDX-License-Identifier: GPL-2.0 */
/*
 * enosys: makes a system call no kernel has (number 999) and prints what
 * came back, which must be -1 with errno ENOSYS on Linux and in the
 * co-kernel alike.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

int main(void)
{
	long r = syscall(999, 1, 2, 3);

	printf("syscall 999 -> %ld, errno %d (%s)\n", r, errno,
	       errno == ENOSYS ? "ENOSYS" : "other");
	return r == -1 && errno == ENOSYS ? 0 : 1;
}
