/* SPDX-License-Identifier: GPL-2.0 */
/* ud2: #UD, SIGILL (exit 132 from cokctl). */
#include <stdio.h>

int main(void)
{
	printf("crash_ill: executing ud2\n");
	fflush(stdout);
	__asm__ volatile("ud2");
	return 0;
}
