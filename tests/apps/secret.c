// SPDX-License-Identifier: GPL-2.0
/*
 * secret: fills 8 MiB with a marker made at run time (so that no binary
 * holds it), says "ready" and computes until killed.  The security test
 * checks that no other user can find the marker anywhere.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIZE	(8u << 20)

int main(int argc, char **argv)
{
	char marker[32];
	volatile unsigned long spin = 0;
	char *mem = malloc(SIZE);
	size_t i, n;

	if (!mem || argc < 2)
		return 2;
	/* "SeCrEt" + the argument reversed: the argument itself is public. */
	n = strlen(argv[1]);
	snprintf(marker, sizeof(marker), "SeCrEt");
	for (i = 0; i < n && i < 16; i++)
		marker[6 + i] = argv[1][n - 1 - i];
	marker[6 + i] = '\0';
	n = strlen(marker);
	for (i = 0; i + n <= SIZE; i += n)
		memcpy(mem + i, marker, n);
	printf("ready\n");
	fflush(stdout);
	for (;;)
		spin++;
}
