// SPDX-License-Identifier: GPL-2.0
/*
 * timers: the clocks, CPU time, sleeps and timers an app sees, printed
 * so that a Linux run and an enclave run give the same bytes: return
 * values and errnos, and relations between observed times (elapsed >=
 * requested, CPU time of a busy loop > 0 and <= wall time, time left
 * <= the time set), never the times themselves.
 *   timers              everything that returns (exit 0), a second
 *                       thread's CPU time in the process's included
 *   timers alarm        alarm(1), then a busy loop: SIGALRM's default
 *                       action ends it (142)
 *   timers alarm-sleep  the same in a nanosleep (142)
 *   timers posix        a SIGEV_SIGNAL timer of SIGUSR1 (138)
 *   timers thread-id    a SIGEV_THREAD_ID timer of SIGUSR2 at the main
 *                       thread (140)
 *   timers virtual      ITIMER_VIRTUAL in a busy loop: SIGVTALRM (154)
 *   timers prof         ITIMER_PROF in a busy loop: SIGPROF (155)
 *   timers ignored      a periodic timer of SIGCHLD, whose default is to
 *                       be ignored: the app goes on (exit 0)
 *   timers handled      with handlers: SIGALRM ticks of a periodic
 *                       ITIMER_REAL, a nanosleep an alarm interrupts
 *                       (EINTR, time left), SIGEV_THREAD_ID's handler in
 *                       its thread, a POSIX timer's siginfo,
 *                       ITIMER_VIRTUAL ticks in a busy loop
 *   timers spin S       computes for S seconds, no timer armed
 *   timers spin-timer S the same with a 10 ms periodic SIGEV_NONE timer
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>

#define NS	1000000000LL

static volatile unsigned long sink;

static long long ns_of(const struct timespec *ts)
{
	return ts->tv_sec * NS + ts->tv_nsec;
}

static long long now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ns_of(&ts);
}

static long long tv_ns(const struct timeval *tv)
{
	return tv->tv_sec * NS + tv->tv_usec * 1000LL;
}

/* A call's result as "rc" or "-1 errno N". */
static void said(const char *what, int rc)
{
	if (rc == -1)
		printf("%s: -1 errno %d\n", what, errno);
	else
		printf("%s: %d\n", what, rc);
}

static void burn_ms(long long ms)
{
	long long end = now_ns(CLOCK_MONOTONIC) + ms * 1000000LL;

	while (now_ns(CLOCK_MONOTONIC) < end)
		for (int i = 0; i < 10000; i++)
			sink += i;
}

/* Raw syscalls where libc would check or translate first. */
static long sys_res(long clk, struct timespec *ts)
{
	return syscall(SYS_clock_getres, clk, ts);
}

static void resolutions(void)
{
	static const long clocks[] = { 0, 1, 2, 3, 4, 5, 6, 7, 11, 10, 16,
				       -1, 12345 };
	struct timespec ts;
	clockid_t cid;
	unsigned int i;
	long rc;

	for (i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++) {
		memset(&ts, 0, sizeof(ts));
		rc = sys_res(clocks[i], &ts);
		printf("getres %ld: %ld errno %d res %lld\n", clocks[i], rc,
		       rc ? errno : 0, rc ? -1 : ns_of(&ts));
	}
	said("getres null", (int)sys_res(CLOCK_MONOTONIC, NULL));
	/* A thread's and the process's CPU clock ids, as libc makes them. */
	said("pthread_getcpuclockid", pthread_getcpuclockid(pthread_self(),
							     &cid));
	rc = sys_res(cid, &ts);
	printf("getres thread clock: %ld res %lld\n", rc, ns_of(&ts));
	said("clock_getcpuclockid", clock_getcpuclockid(0, &cid));
	printf("gettime process clock: %d\n", clock_gettime(cid, &ts));
	/* The same ids, VIRT (user only) and PROF: the tick's resolution. */
	rc = sys_res((long)(~0UL << 3) | 1, &ts);
	printf("getres process virt: %ld res %lld\n", rc, ns_of(&ts));
	rc = sys_res((long)(~0UL << 3) | 4, &ts);
	printf("getres thread prof: %ld res %lld\n", rc, ns_of(&ts));
	rc = sys_res((long)(~(unsigned long)(getpid() + 4000) << 3) | 6, &ts);
	printf("getres no such thread: %ld errno %d\n", rc, errno);
}

static void cpu_times(void)
{
	struct timespec p0, p1, t0, t1;
	struct rusage r0, r1, rt, rc;
	struct tms m0, m1;
	long long w0, w1, cpu, th, ru, wall;
	clock_t c0, c1;

	w0 = now_ns(CLOCK_MONOTONIC);
	c0 = times(&m0);
	getrusage(RUSAGE_SELF, &r0);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &p0);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
	burn_ms(300);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &p1);
	getrusage(RUSAGE_SELF, &r1);
	c1 = times(&m1);
	w1 = now_ns(CLOCK_MONOTONIC);
	wall = w1 - w0;
	cpu = ns_of(&p1) - ns_of(&p0);
	th = ns_of(&t1) - ns_of(&t0);
	ru = tv_ns(&r1.ru_utime) + tv_ns(&r1.ru_stime) -
	     tv_ns(&r0.ru_utime) - tv_ns(&r0.ru_stime);
	printf("process cpu > 0: %d, <= wall: %d\n", cpu > 0, cpu <= wall);
	printf("thread cpu > 0: %d, <= process cpu: %d\n", th > 0, th <= cpu);
	printf("rusage self > 0: %d, <= wall: %d\n", ru > 0, ru <= wall);
	printf("rusage user > 0: %d\n", tv_ns(&r1.ru_utime) > 0);
	said("getrusage thread", getrusage(RUSAGE_THREAD, &rt));
	printf("rusage thread user > 0: %d\n", tv_ns(&rt.ru_utime) > 0);
	/* (Its times are the waited-for children's, which exec keeps.) */
	said("getrusage children", getrusage(RUSAGE_CHILDREN, &rc));
	said("getrusage 7", getrusage(7, &rc));
	printf("times ticks >= 20: %d, <= wall: %d\n", c1 - c0 >= 20,
	       (c1 - c0) * 10000000LL <= wall + 10000000LL);
	printf("times cpu ticks <= elapsed: %d\n",
	       (m1.tms_utime + m1.tms_stime) - (m0.tms_utime + m0.tms_stime)
	       <= c1 - c0 + 1);
}

static volatile int burner_go;

/* A second thread burns 200 ms of its own CPU time, then exits. */
static void *burner(void *arg)
{
	(void)arg;
	while (!burner_go)
		;
	while (now_ns(CLOCK_THREAD_CPUTIME_ID) < 200000000LL)
		for (int i = 0; i < 10000; i++)
			sink += i;
	return NULL;
}

/*
 * The process's CPU time includes a thread's, read through its clock id
 * while it runs, and kept once it exited; the main thread's does not.
 */
static void thread_times(void)
{
	long long p0, m0, p1, m1, other;
	struct timespec ts;
	clockid_t cid;
	pthread_t t;

	p0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	m0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
	if (pthread_create(&t, NULL, burner, NULL)) {
		printf("pthread_create failed\n");
		return;
	}
	said("pthread_getcpuclockid other", pthread_getcpuclockid(t, &cid));
	said("gettime other thread", clock_gettime(cid, &ts));
	other = ns_of(&ts);
	burner_go = 1;
	/* Woken once the process (the other thread) spent 100 ms more. */
	ts.tv_sec = 0;
	ts.tv_nsec = 100000000;
	printf("clock_nanosleep process cputime 100 ms: %d\n",
	       clock_nanosleep(CLOCK_PROCESS_CPUTIME_ID, 0, &ts, NULL));
	printf("process cpu grew >= 100 ms: %d\n",
	       now_ns(CLOCK_PROCESS_CPUTIME_ID) - p0 >= 100000000LL);
	pthread_join(t, NULL);
	p1 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	m1 = now_ns(CLOCK_THREAD_CPUTIME_ID);
	printf("other thread's clock before its work < 200 ms: %d\n",
	       other < 200000000LL);
	printf("an exited thread's 200 ms count: %d\n",
	       p1 - p0 >= 200000000LL);
	printf("the main thread's cpu <= process's: %d\n", m1 - m0 <= p1 - p0);
}

/* clock_nanosleep on clk for ms, relative or to an absolute time. */
static void sleep_on(const char *name, clockid_t clk, int flags, long long ms)
{
	long long t0 = now_ns(clk), want = t0 + ms * 1000000LL;
	struct timespec ts;
	int rc;

	if (flags) {
		ts.tv_sec = want / NS;
		ts.tv_nsec = want % NS;
	} else {
		ts.tv_sec = ms / 1000;
		ts.tv_nsec = ms % 1000 * 1000000L;
	}
	rc = clock_nanosleep(clk, flags, &ts, NULL);
	printf("clock_nanosleep %s %lld ms: %d, slept enough: %d\n", name, ms,
	       rc, now_ns(clk) >= want);
}

static void sleeps(void)
{
	struct timespec ts = { 0, NS };

	sleep_on("monotonic", CLOCK_MONOTONIC, 0, 50);
	sleep_on("monotonic abs", CLOCK_MONOTONIC, TIMER_ABSTIME, 50);
	sleep_on("realtime abs", CLOCK_REALTIME, TIMER_ABSTIME, 50);
	sleep_on("monotonic abs past", CLOCK_MONOTONIC, TIMER_ABSTIME, -500);
	sleep_on("boottime", CLOCK_BOOTTIME, 0, 20);
	/* libc returns the error number itself. */
	printf("nsec 1e9: %d\n", clock_nanosleep(CLOCK_MONOTONIC, 0, &ts,
						 NULL));
	ts.tv_nsec = 1000;
	printf("thread cputime: %d\n",
	       clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &ts, NULL));
	printf("clock 99: %d\n", clock_nanosleep(99, 0, &ts, NULL));
	printf("monotonic_raw: %d\n",
	       clock_nanosleep(CLOCK_MONOTONIC_RAW, 0, &ts, NULL));
	ts.tv_nsec = -1;
	said("nanosleep nsec -1", nanosleep(&ts, NULL));
}

static void print_itimer(const char *what, int which, long long most)
{
	struct itimerval v;
	int rc = getitimer(which, &v);
	long long left = tv_ns(&v.it_value);

	printf("%s: %d, left in (0, %lld ms]: %d, interval %ld.%06ld\n", what,
	       rc, most, left > 0 && left <= most * 1000000LL,
	       (long)v.it_interval.tv_sec, (long)v.it_interval.tv_usec);
}

static void itimers(void)
{
	struct itimerval v = { { 0, 0 }, { 2, 0 } }, old;

	memset(&old, 0x55, sizeof(old));
	said("getitimer real", getitimer(ITIMER_REAL, &old));
	printf("nothing armed: %ld %ld\n", (long)old.it_value.tv_sec,
	       (long)old.it_value.tv_usec);
	said("setitimer real 2 s", setitimer(ITIMER_REAL, &v, &old));
	printf("old: %ld.%06ld\n", (long)old.it_value.tv_sec,
	       (long)old.it_value.tv_usec);
	print_itimer("getitimer real", ITIMER_REAL, 2000);
	v.it_interval.tv_usec = 100000;
	v.it_value.tv_sec = 1;
	said("setitimer real 1 s every 0.1 s", setitimer(ITIMER_REAL, &v, &old));
	printf("old left <= 2 s: %d\n", tv_ns(&old.it_value) <= 2 * NS);
	print_itimer("getitimer real", ITIMER_REAL, 1000);
	memset(&v, 0, sizeof(v));
	said("setitimer real off", setitimer(ITIMER_REAL, &v, NULL));
	print_itimer("getitimer real off", ITIMER_REAL, 1000);
	v.it_value.tv_usec = 1000000;
	said("setitimer usec 1e6", setitimer(ITIMER_REAL, &v, NULL));
	said("setitimer which 5", setitimer(5, &v, NULL));
	said("getitimer which 3", getitimer(3, &old));
	/* CPU-time itimers: Linux adds a tick to the value. */
	v.it_value.tv_sec = 10;
	v.it_value.tv_usec = 0;
	said("setitimer virtual 10 s", setitimer(ITIMER_VIRTUAL, &v, NULL));
	print_itimer("getitimer virtual", ITIMER_VIRTUAL, 10004);
	said("setitimer prof 10 s", setitimer(ITIMER_PROF, &v, NULL));
	print_itimer("getitimer prof", ITIMER_PROF, 10004);
	memset(&v, 0, sizeof(v));
	setitimer(ITIMER_VIRTUAL, &v, NULL);
	setitimer(ITIMER_PROF, &v, NULL);
	print_itimer("getitimer virtual off", ITIMER_VIRTUAL, 1);
	printf("alarm 5: %u\n", alarm(5));
	printf("alarm 3: %u\n", alarm(3));
	printf("alarm 0: %u\n", alarm(0));
	printf("alarm 0 again: %u\n", alarm(0));
}

static void print_timer(const char *what, timer_t id, long long most)
{
	struct itimerspec v;
	int rc = timer_gettime(id, &v);
	long long left = ns_of(&v.it_value);

	printf("%s: %d, left in (0, %lld ms]: %d (zero: %d), interval %ld.%09ld\n",
	       what, rc, most, left > 0 && left <= most * 1000000LL,
	       left == 0, (long)v.it_interval.tv_sec,
	       (long)v.it_interval.tv_nsec);
}

static void posix_timers(void)
{
	struct sigevent ev = { .sigev_notify = SIGEV_NONE };
	struct itimerspec v = { { 0, 250000000 }, { 1, 0 } }, old;
	timer_t id, id2;
	long long abs;

	said("timer_create none", timer_create(CLOCK_MONOTONIC, &ev, &id));
	print_timer("unarmed", id, 1);
	said("timer_settime 1 s every 0.25 s", timer_settime(id, 0, &v, NULL));
	print_timer("armed", id, 1000);
	said("timer_getoverrun", timer_getoverrun(id));
	v.it_value.tv_sec = 0;
	v.it_value.tv_nsec = 30000000;
	v.it_interval.tv_nsec = 0;
	said("timer_settime 30 ms once", timer_settime(id, 0, &v, &old));
	printf("old left <= 1 s: %d, interval %ld\n",
	       ns_of(&old.it_value) <= NS, (long)old.it_interval.tv_nsec);
	usleep(80000);
	print_timer("expired", id, 1);
	v.it_value.tv_nsec = 50000000;
	v.it_interval.tv_nsec = 20000000;
	said("timer_settime 50 ms every 20 ms", timer_settime(id, 0, &v, NULL));
	usleep(130000);
	print_timer("periodic", id, 20);
	said("timer_delete", timer_delete(id));

	said("timer_create realtime", timer_create(CLOCK_REALTIME, &ev, &id2));
	abs = now_ns(CLOCK_REALTIME) + NS;
	v.it_value.tv_sec = abs / NS;
	v.it_value.tv_nsec = abs % NS;
	v.it_interval.tv_nsec = 0;
	said("timer_settime abs +1 s", timer_settime(id2, TIMER_ABSTIME, &v,
						    NULL));
	print_timer("abs", id2, 1000);
	v.it_value.tv_sec = 1;
	v.it_value.tv_nsec = 0;
	said("timer_settime abs in the past", timer_settime(id2, TIMER_ABSTIME,
							    &v, NULL));
	usleep(20000);
	print_timer("abs past", id2, 1);
	v.it_value.tv_nsec = NS;
	said("timer_settime nsec 1e9", timer_settime(id2, 0, &v, NULL));
	said("timer_settime null", (int)syscall(SYS_timer_settime, 0, 0, NULL,
						NULL));
	said("timer_delete", timer_delete(id2));
	said("timer_gettime deleted", (int)syscall(SYS_timer_gettime, 4000,
						   &v));
	said("timer_delete bogus", (int)syscall(SYS_timer_delete, 4000));
	said("timer_create clock 99", timer_create(99, &ev, &id));
	ev.sigev_notify = 99;
	said("timer_create notify 99", timer_create(CLOCK_MONOTONIC, &ev, &id));
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = 0;
	said("timer_create signal 0", timer_create(CLOCK_MONOTONIC, &ev, &id));
	ev.sigev_signo = 65;
	said("timer_create signal 65", timer_create(CLOCK_MONOTONIC, &ev, &id));
}

static void default_action(const char *what)
{
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL };
	struct itimerspec v = { { 0, 0 }, { 0, 100000000 } };
	struct itimerval iv = { { 0, 0 }, { 0, 100000 } };
	timer_t id;

	if (!strcmp(what, "alarm") || !strcmp(what, "alarm-sleep")) {
		printf("alarm 1: %u\n", alarm(1));
	} else if (!strcmp(what, "virtual") || !strcmp(what, "prof")) {
		said("setitimer", setitimer(what[0] == 'v' ? ITIMER_VIRTUAL :
					    ITIMER_PROF, &iv, NULL));
	} else {
		ev.sigev_signo = SIGUSR1;
		if (!strcmp(what, "thread-id")) {
			ev.sigev_notify = SIGEV_THREAD_ID;
			ev.sigev_signo = SIGUSR2;
#ifdef sigev_notify_thread_id
			ev.sigev_notify_thread_id = gettid();
#else
			ev._sigev_un._tid = gettid();
#endif
		} else if (!strcmp(what, "ignored")) {
			ev.sigev_signo = SIGCHLD;
			v.it_interval.tv_nsec = 10000000;
			v.it_value.tv_nsec = 10000000;
		}
		said("timer_create", timer_create(CLOCK_MONOTONIC, &ev, &id));
		said("timer_settime", timer_settime(id, 0, &v, NULL));
	}
	fflush(stdout);
	if (!strcmp(what, "alarm-sleep"))
		sleep(5);
	else
		burn_ms(!strcmp(what, "ignored") ? 200 : 5000);
	printf("still here after %s\n", what);
}

static volatile sig_atomic_t ticks, handler_tid, info_ok;
static timer_t info_timer;

static void on_tick(int sig)
{
	(void)sig;
	ticks++;
	handler_tid = (sig_atomic_t)gettid();
}

/* A POSIX timer's siginfo: SI_TIMER, its id and sigev_value. */
static void on_info(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	ticks++;
	info_ok = sig == SIGUSR1 && si->si_code == SI_TIMER &&
		  si->si_value.sival_int == 42 &&
		  si->si_timerid == (int)(intptr_t)info_timer;
}

static void catch(int sig, int flags)
{
	struct sigaction sa = { .sa_handler = on_tick, .sa_flags = flags };

	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

/* With handlers: ticks counted, an interrupted sleep, the siginfo. */
static void handled(void)
{
	struct itimerval iv = { { 0, 20000 }, { 0, 20000 } };
	struct timespec req = { 5, 0 }, rem = { 0, 0 };
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL,
			       .sigev_signo = SIGUSR1 };
	struct itimerspec v = { { 0, 10000000 }, { 0, 10000000 } };
	struct sigaction sa = { .sa_sigaction = on_info,
				.sa_flags = SA_SIGINFO };
	long long t0;
	int rc;

	catch(SIGALRM, 0);
	said("setitimer real 20 ms every 20 ms", setitimer(ITIMER_REAL, &iv,
							    NULL));
	while (ticks < 5)
		pause();
	memset(&iv, 0, sizeof(iv));
	setitimer(ITIMER_REAL, &iv, NULL);
	printf("SIGALRM ticks: %d\n", (int)ticks);
	/* A handler without SA_RESTART ends the sleep: EINTR, time left. */
	alarm(1);
	t0 = now_ns(CLOCK_MONOTONIC);
	rc = nanosleep(&req, &rem);
	/* (Linux's timer slack may end the alarm's second a little early.) */
	printf("nanosleep 5 s, alarm 1 s: %d errno %d, after >= 0.9 s: %d, rem in (3 s, 4.1 s]: %d\n",
	       rc, rc ? errno : 0,
	       now_ns(CLOCK_MONOTONIC) - t0 >= 9 * NS / 10,
	       ns_of(&rem) > 3 * NS && ns_of(&rem) <= 41 * NS / 10);
	/* SIGEV_THREAD_ID: the handler runs in that thread. */
	ticks = 0;
	catch(SIGUSR2, 0);
	ev.sigev_notify = SIGEV_THREAD_ID;
	ev.sigev_signo = SIGUSR2;
#ifdef sigev_notify_thread_id
	ev.sigev_notify_thread_id = gettid();
#else
	ev._sigev_un._tid = gettid();
#endif
	said("timer_create thread id", timer_create(CLOCK_MONOTONIC, &ev,
						     &info_timer));
	said("timer_settime 10 ms every 10 ms", timer_settime(info_timer, 0,
							      &v, NULL));
	while (ticks < 3)
		pause();
	timer_delete(info_timer);
	printf("SIGUSR2 ticks >= 3: %d, in the main thread: %d\n",
	       ticks >= 3, handler_tid == (sig_atomic_t)gettid());
	/* SIGEV_SIGNAL with a value: the handler's siginfo. */
	ticks = 0;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = SIGUSR1;
	ev.sigev_value.sival_int = 42;
	said("timer_create signal", timer_create(CLOCK_REALTIME, &ev,
						  &info_timer));
	v.it_interval.tv_nsec = 0;
	said("timer_settime 10 ms", timer_settime(info_timer, 0, &v, NULL));
	while (!ticks)
		pause();
	printf("SIGUSR1 siginfo: SI_TIMER, timer id, value: %d\n", info_ok);
	/* ITIMER_VIRTUAL: 3 ticks of 10 ms of user time in a busy loop. */
	ticks = 0;
	catch(SIGVTALRM, SA_RESTART);
	iv.it_interval.tv_usec = 10000;
	iv.it_value.tv_usec = 10000;
	said("setitimer virtual 10 ms every 10 ms",
	     setitimer(ITIMER_VIRTUAL, &iv, NULL));
	while (ticks < 3)
		for (int i = 0; i < 100000; i++)
			sink += i;
	memset(&iv, 0, sizeof(iv));
	setitimer(ITIMER_VIRTUAL, &iv, NULL);
	printf("SIGVTALRM ticks >= 3: %d\n", ticks >= 3);
}

/* Computes for s seconds (a periodic timer armed too: with_timer). */
static void spin(const char *s, int with_timer)
{
	struct sigevent ev = { .sigev_notify = SIGEV_NONE };
	struct itimerspec v = { { 0, 10000000 }, { 0, 10000000 } };
	long long end = now_ns(CLOCK_MONOTONIC) + atoll(s) * NS;
	timer_t id;

	if (with_timer) {
		timer_create(CLOCK_MONOTONIC, &ev, &id);
		timer_settime(id, 0, &v, NULL);
	}
	/* Long stretches in ring 3: only a timer interrupts them. */
	while (now_ns(CLOCK_MONOTONIC) < end)
		for (int i = 0; i < 50000000; i++)
			sink += i;
	printf("spun %s s\n", s);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 2 && !strcmp(argv[1], "spin")) {
		spin(argv[2], 0);
		return 0;
	}
	if (argc > 2 && !strcmp(argv[1], "spin-timer")) {
		spin(argv[2], 1);
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "handled")) {
		handled();
		return 0;
	}
	if (argc > 1) {
		default_action(argv[1]);
		return 0;
	}
	resolutions();
	cpu_times();
	thread_times();
	sleeps();
	itimers();
	posix_timers();
	return 0;
}
