/* SPDX-License-Identifier: GPL-2.0 */
/* A NULL dereference: #PF at address 0, SIGSEGV (exit 139 from cokctl). */
#include <stdio.h>

int main(void)
{
	int *volatile p = NULL;	/* volatile: the compiler cannot see it is NULL */

	printf("crash_null: reading address 0\n");
	fflush(stdout);
	return *p;
}
