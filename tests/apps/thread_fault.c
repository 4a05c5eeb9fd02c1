// SPDX-License-Identifier: GPL-2.0
/*
 * thread_fault: a second thread writes through a NULL pointer while the
 * main thread waits for it.  Linux ends the whole process with SIGSEGV
 * (exit status 139 from a shell); so must the co-kernel.
 */
#include <pthread.h>
#include <stdio.h>

static void *fault(void *arg)
{
	volatile int *p = arg;

	*p = 1;
	return NULL;
}

int main(void)
{
	pthread_t t;

	printf("starting the faulting thread\n");
	fflush(stdout);
	if (pthread_create(&t, NULL, fault, NULL))
		return 1;
	pthread_join(t, NULL);
	printf("not reached\n");
	return 0;
}
