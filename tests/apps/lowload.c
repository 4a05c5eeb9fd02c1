/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lowload: a static program linked to load at 0x8000, below 64 KiB
 * (Linux's default mmap_min_addr).  No co-kernel core may run it: it
 * must be refused before it prints anything.
 */
#include <stdio.h>

int main(void)
{
	printf("lowload: running below 64 KiB\n");
	return 0;
}
