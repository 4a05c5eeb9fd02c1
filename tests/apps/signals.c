/* SPDX-License-Identifier: GPL-2.0 */
/*
 * signals: what a program sees of signals inside its own process, one
 * line per observation, to compare byte for byte with a Linux run:
 * handlers with siginfo, masks and pending sets, SA_RESETHAND and
 * SA_NODEFER, the alternate stack, real-time queueing and the order of
 * delivery, sigtimedwait, sigsuspend and an interrupted nanosleep (a
 * second thread sends), FPU state kept across a handler, and faults
 * (SIGSEGV, SIGFPE, SIGILL) caught and left with siglongjmp.
 * "signals term" ends with SIGTERM's default action (status 143);
 * "signals abort" with abort() (134).  "signals loop N" counts SIGUSR1s
 * (a handler) while it prints a line every 100 ms, N times: for signals
 * sent from outside, and for a dump of an app with a handler; "signals
 * alarm N" the same with no handler but an alarm armed far off, and
 * "signals socket N" holding a connected socket pair instead.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>

static volatile sig_atomic_t hits[65];
static volatile int order[16], norder;
static volatile int last_code, last_value, on_alt, self_blocked;
static char altstack[65536];
static sigjmp_buf escape;
static volatile uintptr_t fault_addr;
static volatile int fault_code;

static void handler(int sig, siginfo_t *si, void *uc)
{
	sigset_t now;

	(void)uc;
	hits[sig]++;
	if (norder < 16)
		order[norder++] = sig;
	last_code = si->si_code;
	if (sig >= SIGRTMIN)
		last_value = si->si_value.sival_int;
	on_alt = (char *)&now >= altstack &&
		 (char *)&now < altstack + sizeof(altstack);
	sigprocmask(SIG_BLOCK, NULL, &now);
	self_blocked = sigismember(&now, sig);
}

static void fpu_handler(int sig)
{
	volatile double x = 1.0;
	int i;

	for (i = 0; i < 10; i++)
		x = x * 3.5 + sig;
	hits[sig] += x > 0;
}

static void fault_handler(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	fault_addr = (uintptr_t)si->si_addr;
	fault_code = si->si_code;
	siglongjmp(escape, sig);
}

static void on(int sig, int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO | flags;
	sigaction(sig, &sa, NULL);
}

static void block(int how, int sig)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, sig);
	sigprocmask(how, &s, NULL);
}

static void basics(void)
{
	sigset_t pend;
	struct sigaction old;
	int r;

	on(SIGUSR1, 0);
	kill(getpid(), SIGUSR1);
	printf("kill: hits %d code %d blocked-inside %d\n", hits[SIGUSR1],
	       last_code, self_blocked);
	syscall(SYS_tgkill, getpid(), (int)syscall(SYS_gettid), SIGUSR1);
	printf("tgkill: hits %d code %d\n", hits[SIGUSR1], last_code);

	block(SIG_BLOCK, SIGUSR1);
	kill(getpid(), SIGUSR1);
	kill(getpid(), SIGUSR1);
	sigpending(&pend);
	printf("blocked: hits %d pending %d\n", hits[SIGUSR1],
	       sigismember(&pend, SIGUSR1));
	block(SIG_UNBLOCK, SIGUSR1);
	printf("unblocked: hits %d (a standard signal is pending once)\n",
	       hits[SIGUSR1]);

	on(SIGUSR2, SA_RESETHAND | SA_NODEFER);
	raise(SIGUSR2);
	sigaction(SIGUSR2, NULL, &old);
	printf("resethand: hits %d blocked-inside %d now-default %d\n",
	       hits[SIGUSR2], self_blocked, old.sa_handler == SIG_DFL);

	signal(SIGUSR2, SIG_IGN);
	raise(SIGUSR2);
	printf("ignored: hits %d\n", hits[SIGUSR2]);
	raise(SIGCHLD);		/* default: ignored */
	printf("sigchld default: still here\n");
	r = kill(999999, 0);
	printf("kill(999999, 0) = %d errno %d\n", r, errno);
	r = kill(getpid(), 65);
	printf("kill(sig 65) = %d errno %d\n", r, errno);
	r = sigaction(SIGKILL, &old, NULL);
	printf("sigaction(SIGKILL) = %d errno %d\n", r, errno);
}

static void realtime(void)
{
	union sigval v = { .sival_int = 42 };
	int i, rt = SIGRTMIN + 1;

	on(rt, 0);
	on(SIGUSR1, 0);
	on(SIGUSR2, 0);
	block(SIG_BLOCK, rt);
	block(SIG_BLOCK, SIGUSR1);
	block(SIG_BLOCK, SIGUSR2);
	for (i = 0; i < 3; i++)
		sigqueue(getpid(), rt, v);
	kill(getpid(), SIGUSR2);
	kill(getpid(), SIGUSR1);
	norder = 0;
	hits[SIGUSR1] = hits[SIGUSR2] = 0;
	{
		sigset_t s;

		sigemptyset(&s);
		sigaddset(&s, rt);
		sigaddset(&s, SIGUSR1);
		sigaddset(&s, SIGUSR2);
		sigprocmask(SIG_UNBLOCK, &s, NULL);
	}
	printf("realtime: hits %d value %d\n", hits[rt], last_value);
	printf("order:");
	for (i = 0; i < norder; i++)
		printf(" %d", order[i] == rt ? -1 : order[i]);
	printf("\n");
}

static void alternate(void)
{
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) }, old;
	stack_t tiny = { .ss_sp = altstack, .ss_size = 100 };
	int r = sigaltstack(&tiny, NULL);

	printf("sigaltstack tiny: %d errno %d\n", r, errno);
	sigaltstack(&ss, NULL);
	on(SIGUSR1, SA_ONSTACK);
	raise(SIGUSR1);
	printf("onstack: %d\n", on_alt);
	on(SIGUSR1, 0);
	raise(SIGUSR1);
	printf("not onstack: %d\n", on_alt);
	sigaltstack(NULL, &old);
	printf("altstack: size %zu flags %d\n", old.ss_size, old.ss_flags);
	ss.ss_flags = SS_DISABLE;
	sigaltstack(&ss, NULL);
	sigaltstack(NULL, &old);
	printf("disabled: flags %d\n", old.ss_flags);
}

static void fpu(void)
{
	volatile double a = 2.25, b;

	signal(SIGUSR2, fpu_handler);
	hits[SIGUSR2] = 0;
	b = a * 4.0;
	raise(SIGUSR2);
	b += a;
	printf("fpu: %.4f handler %d\n", b, hits[SIGUSR2]);
}

/* A guard page (PROT_NONE) past a buffer, as runtimes place them. */
static void guard_page(void)
{
	char *p = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	volatile int sig;

	if (p == MAP_FAILED || mprotect(p + 4096, 4096, PROT_NONE)) {
		printf("guard page: mmap/mprotect failed\n");
		return;
	}
	p[100] = 'x';
	sig = sigsetjmp(escape, 1);
	if (!sig)
		p[4096 + 8] = 'y';
	printf("guard page: sig %d at offset %ld code %d, buffer intact %d\n",
	       sig, (long)(fault_addr - (uintptr_t)p), fault_code,
	       p[100] == 'x');
	munmap(p, 2 * 4096);
}

static void faults(void)
{
	struct sigaction sa;
	volatile int zero = 0, sig;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fault_handler;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
	sig = sigsetjmp(escape, 1);
	if (!sig)
		*(volatile int *)0x1000 = 1;
	printf("segv: sig %d addr %#lx code %d\n", sig,
	       (unsigned long)fault_addr, fault_code);
	sig = sigsetjmp(escape, 1);
	if (!sig)
		printf("%d\n", 7 / zero);
	printf("fpe: sig %d code %d\n", sig, fault_code);
	sig = sigsetjmp(escape, 1);
	if (!sig)
		__asm__ volatile("ud2");
	printf("ill: sig %d code %d\n", sig, fault_code);
	sig = sigsetjmp(escape, 1);
	if (!sig)
		*(volatile int *)0x1000 = 2;
	printf("segv again (mask restored by siglongjmp): sig %d\n", sig);
	guard_page();
}

static void *sender(void *arg)
{
	struct timespec d = { 0, 20 * 1000 * 1000 };

	nanosleep(&d, NULL);
	kill(getpid(), (int)(intptr_t)arg);
	return NULL;
}

static void waits(void)
{
	struct timespec t = { 0, 10 * 1000 * 1000 }, rem = { 0, 0 };
	struct timespec longer = { 5, 0 };
	siginfo_t si;
	sigset_t set, none;
	pthread_t th;
	int r;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	block(SIG_BLOCK, SIGUSR2);
	r = sigtimedwait(&set, &si, &t);
	printf("sigtimedwait empty: %d errno %d\n", r, errno);
	kill(getpid(), SIGUSR2);
	r = sigtimedwait(&set, &si, &t);
	printf("sigtimedwait: %d code %d\n", r, si.si_code);
	pthread_create(&th, NULL, sender, (void *)(intptr_t)SIGUSR2);
	r = sigwaitinfo(&set, &si);
	pthread_join(th, NULL);
	printf("sigwaitinfo from a thread: %d code %d\n", r, si.si_code);

	on(SIGUSR1, 0);
	block(SIG_BLOCK, SIGUSR1);
	hits[SIGUSR1] = 0;
	pthread_create(&th, NULL, sender, (void *)(intptr_t)SIGUSR1);
	sigemptyset(&none);
	r = sigsuspend(&none);
	pthread_join(th, NULL);
	printf("sigsuspend: %d errno %d hits %d\n", r, errno, hits[SIGUSR1]);
	block(SIG_UNBLOCK, SIGUSR1);

	pthread_create(&th, NULL, sender, (void *)(intptr_t)SIGUSR1);
	r = nanosleep(&longer, &rem);
	pthread_join(th, NULL);
	printf("nanosleep: %d errno %d rem>3s %d hits %d\n", r, errno,
	       rem.tv_sec >= 3, hits[SIGUSR1]);
}

static void count_usr1(int sig)
{
	hits[sig]++;
}

enum loop_mode { LOOP_HANDLER, LOOP_ALARM, LOOP_SOCKET };

static int loop(int n, enum loop_mode mode)
{
	struct timespec d = { 0, 100 * 1000 * 1000 };
	int i, sv[2];

	if (mode == LOOP_HANDLER)
		signal(SIGUSR1, count_usr1);
	if (mode == LOOP_ALARM)
		alarm(1000);	/* armed, far off: no handler at all */
	if (mode == LOOP_SOCKET &&
	    socketpair(AF_UNIX, SOCK_STREAM, 0, sv))	/* connected, held */
		return 1;
	for (i = 0; i < n; i++) {
		printf("tick %d usr1 %d\n", i, hits[SIGUSR1]);
		while (nanosleep(&d, &d))
			;		/* a handler ran: sleep the rest */
		d.tv_nsec = 100 * 1000 * 1000;
	}
	printf("usr1 total %d\n", hits[SIGUSR1]);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 2 && !strcmp(argv[1], "loop"))
		return loop(atoi(argv[2]), LOOP_HANDLER);
	if (argc > 2 && !strcmp(argv[1], "alarm"))
		return loop(atoi(argv[2]), LOOP_ALARM);
	if (argc > 2 && !strcmp(argv[1], "socket"))
		return loop(atoi(argv[2]), LOOP_SOCKET);
	if (argc > 1 && !strcmp(argv[1], "term")) {
		printf("sending SIGTERM to myself\n");
		kill(getpid(), SIGTERM);
		printf("not reached\n");
		return 1;
	}
	if (argc > 1 && !strcmp(argv[1], "abort")) {
		printf("abort\n");
		abort();
	}
	basics();
	realtime();
	alternate();
	fpu();
	faults();
	waits();
	printf("done\n");
	return 0;
}
