// SPDX-License-Identifier: GPL-2.0
/*
 * tlb_stale: a second thread reads a page in a loop (its core keeps the
 * translation), then stops reading and waits while the main thread
 * unmaps the page.  Once munmap has returned, the reader's next read
 * must fault: the process ends with SIGSEGV (exit status 139 from a
 * shell), as on Linux, rather than the reader reading the unmapped page
 * through a stale TLB entry of its core.
 */
#include <pthread.h>
#include <stdio.h>
#include <sys/mman.h>

static volatile int *page;
static volatile int started, hold, holding, unmapped;

static void *reader(void *arg)
{
	long sum = 0;

	(void)arg;
	while (!hold) {
		sum += page[0];
		started = 1;
	}
	holding = 1;
	while (!unmapped)
		;
	sum += page[0];		/* faults */
	printf("stale read after munmap: %d\n", sum > 0);
	fflush(stdout);
	return NULL;
}

int main(void)
{
	pthread_t t;

	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED)
		return 1;
	page[0] = 42;
	if (pthread_create(&t, NULL, reader, NULL))
		return 1;
	while (!started)
		;
	hold = 1;
	while (!holding)
		;
	if (munmap((void *)page, 4096))
		return 1;
	printf("unmapped\n");
	fflush(stdout);
	unmapped = 1;
	pthread_join(t, NULL);
	printf("not reached\n");
	return 0;
}
