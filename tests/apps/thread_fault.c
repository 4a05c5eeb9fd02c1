// SPDX-License-Identifier: GPL-2.0
/*
 * thread_fault [exit]: a second thread writes through a NULL pointer
 * while the main thread waits for it.  Linux ends the whole process with
 * SIGSEGV (exit status 139 from a shell); so must the co-kernel.  With
 * "exit", the second thread calls exit(7) instead: the whole process
 * ends with status 7 (exit_group from a thread that is not the first).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *fault(void *arg)
{
	volatile int *p = arg;

	*p = 1;
	return NULL;
}

static void *leave(void *arg)
{
	(void)arg;
	exit(7);
}

int main(int argc, char **argv)
{
	int by_exit = argc > 1 && !strcmp(argv[1], "exit");
	pthread_t t;

	printf("starting the %s thread\n", by_exit ? "exiting" : "faulting");
	fflush(stdout);
	if (pthread_create(&t, NULL, by_exit ? leave : fault, NULL))
		return 1;
	pthread_join(t, NULL);
	printf("not reached\n");
	return 0;
}
