/* SPDX-License-Identifier: GPL-2.0 */
/* One fixed line on stdout, exit 0.  LIBC is "musl" or "glibc" (Makefile). */
#include <stdio.h>

#ifndef LIBC
#define LIBC "libc"
#endif

int main(void)
{
	printf("hello from a static " LIBC " x86-64 binary\n");
	return 0;
}
