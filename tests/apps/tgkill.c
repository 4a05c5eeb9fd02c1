// SPDX-License-Identifier: GPL-2.0
/*
 * tgkill: signals to threads of the process, as libc sends them, then
 * abort().  Prints what each call returns: pthread_kill(other, 0) (glibc:
 * tgkill, musl: tkill), tgkill and tkill with signal 0 to either thread,
 * to a tid no task has, to the right tid in a wrong thread group, with
 * bad ids and bad signal numbers; then abort() raises SIGABRT (tgkill
 * from both libcs), which Linux and the co-kernel end the process with:
 * exit status 134 from a shell, and the same output.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#define BOGUS	0x3ffffff0L	/* above PID_MAX_LIMIT: no task has it */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static long other_tid;

/* Says its tid, then waits for ever (until abort() ends the process). */
static void *other(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lock);
	other_tid = syscall(SYS_gettid);
	pthread_cond_broadcast(&cond);
	for (;;)
		pthread_cond_wait(&cond, &lock);
	return NULL;
}

static void show(const char *what, long ret)
{
	if (ret == -1)
		printf("%s = -1 errno %d\n", what, errno);
	else
		printf("%s = %ld\n", what, ret);
}

static long tgkill3(long tgid, long tid, long sig)
{
	return syscall(SYS_tgkill, tgid, tid, sig);
}

static long tkill2(long tid, long sig)
{
	return syscall(SYS_tkill, tid, sig);
}

int main(void)
{
	long pid = getpid(), self = syscall(SYS_gettid);
	pthread_t t;
	int err;

	if (pthread_create(&t, NULL, other, NULL))
		return 1;
	pthread_mutex_lock(&lock);
	while (!other_tid)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
	printf("main is the first thread: %d; the other is not: %d\n",
	       self == pid, other_tid != pid);

	err = pthread_kill(t, 0);
	printf("pthread_kill(other, 0) = %d\n", err);
	show("tgkill(pid, self, 0)", tgkill3(pid, self, 0));
	show("tgkill(pid, other, 0)", tgkill3(pid, other_tid, 0));
	show("tkill(other, 0)", tkill2(other_tid, 0));
	show("tgkill(pid, bogus, 0)", tgkill3(pid, BOGUS, 0));
	show("tgkill(pid, bogus, SIGABRT)", tgkill3(pid, BOGUS, SIGABRT));
	show("tkill(bogus, SIGKILL)", tkill2(BOGUS, SIGKILL));
	show("tgkill(bogus, other, 0)", tgkill3(BOGUS, other_tid, 0));
	show("tgkill(0, self, 0)", tgkill3(0, self, 0));
	show("tgkill(pid, 0, 0)", tgkill3(pid, 0, 0));
	show("tgkill(-1, self, 0)", tgkill3(-1, self, 0));
	show("tkill(0, 0)", tkill2(0, 0));
	show("tkill(-1, 0)", tkill2(-1, 0));
	show("tgkill(pid, other, 65)", tgkill3(pid, other_tid, 65));
	show("tgkill(pid, other, -1)", tgkill3(pid, other_tid, -1));
	show("tkill(self, 65)", tkill2(self, 65));
	show("tkill(bogus, 65)", tkill2(BOGUS, 65));
	printf("abort\n");
	fflush(stdout);
	abort();
	printf("not reached\n");
	return 0;
}
