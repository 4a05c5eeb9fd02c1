/* SPDX-License-Identifier: GPL-2.0 */
/* Prints argc, each argv[i], and the environment variable COK_TEST_ENV. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	const char *e = getenv("COK_TEST_ENV");
	int i;

	printf("argc=%d\n", argc);
	for (i = 0; i < argc; i++)
		printf("argv[%d]=[%s]\n", i, argv[i]);
	if (argv[argc] != NULL)
		printf("argv[argc] is not NULL\n");
	if (e)
		printf("COK_TEST_ENV=[%s]\n", e);
	else
		printf("COK_TEST_ENV unset\n");
	return 0;
}
