/* SPDX-License-Identifier: GPL-2.0 */
/* Integer division by zero: #DE, SIGFPE (exit 136 from cokctl). */
#include <stdio.h>

int main(void)
{
	volatile int zero = 0, one = 1;

	printf("crash_div: dividing by zero\n");
	fflush(stdout);
	return one / zero;
}
