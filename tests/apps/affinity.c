// SPDX-License-Identifier: GPL-2.0
/*
 * affinity: sched_setaffinity / sched_getaffinity on the caller and on
 * other threads, by raw system calls (Linux's size rules, errno values).
 * CPUs are printed as indices into the set the process started with, so
 * that a Linux run under `taskset -c A,B` and an enclave run on two
 * cores print the same; nothing depends on sched_getcpu().
 *
 *   affinity                 the report: masks read back, errors, a new
 *                            thread's inherited mask, threads moved while
 *                            spinning and while blocked, and a thread
 *                            pinned to each CPU (and the main thread
 *                            moved to each) computing a checksum
 *   affinity busy IDX SECS   two threads pinned to CPU IDX spin for SECS
 *                            seconds (so that core time-slices): "busy
 *                            start" once both run, then "busy done"
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAXCPU	64

static int ncpu;
static int cpu_of[MAXCPU];	/* index -> Linux CPU number */

static const char *err_name(int e)
{
	switch (e) {
	case EINVAL: return "EINVAL";
	case ESRCH: return "ESRCH";
	case EFAULT: return "EFAULT";
	case EPERM: return "EPERM";
	default: return "other";
	}
}

static long sys_get(long pid, long len, void *mask)
{
	return syscall(SYS_sched_getaffinity, pid, len, mask);
}

static long sys_set(long pid, long len, const void *mask)
{
	return syscall(SYS_sched_setaffinity, pid, len, mask);
}

static long gettid_(void)
{
	return syscall(SYS_gettid);
}

/* The mask of CPU indices in set (bit i: index i), as a real mask. */
static uint64_t real_mask(uint64_t idx)
{
	uint64_t m = 0;
	int i;

	for (i = 0; i < ncpu; i++)
		if (idx & (1ULL << i))
			m |= 1ULL << cpu_of[i];
	return m;
}

/* pid's mask as indices; bits outside the start set: "+" appended. */
static void show(char *out, size_t n, long pid)
{
	uint64_t m = 0, idx = 0;
	size_t k = 0;
	int i;

	if (sys_get(pid, sizeof(m), &m) < 0) {
		snprintf(out, n, "error %s", err_name(errno));
		return;
	}
	for (i = 0; i < ncpu; i++)
		if (m & (1ULL << cpu_of[i])) {
			idx |= 1ULL << i;
			m &= ~(1ULL << cpu_of[i]);
		}
	k += snprintf(out + k, n - k, "{");
	for (i = 0; i < ncpu; i++)
		if (idx & (1ULL << i))
			k += snprintf(out + k, n - k, "%s%d",
				      k > 1 ? "," : "", i);
	snprintf(out + k, n - k, "}%s", m ? "+" : "");
}

static void show_self(const char *what)
{
	char s[128];

	show(s, sizeof(s), 0);
	printf("%s: %s\n", what, s);
}

static void expect_err(const char *what, long ret)
{
	printf("%s: %s\n", what, ret < 0 ? err_name(errno) : "ok");
}

static int set_idx(long pid, uint64_t idx)
{
	uint64_t m = real_mask(idx);

	return (int)sys_set(pid, sizeof(m), &m);
}

/* Deterministic work: integer and floating point, the same everywhere. */
static uint64_t compute(uint64_t seed)
{
	uint64_t x = seed, sum = 0;
	double d = 1.0;
	int i;

	for (i = 0; i < 2000000; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		sum += x >> 33;
		if ((i & 1023) == 0)
			d = d * 1.0000001 + (double)(x >> 60);
	}
	return sum ^ (uint64_t)(d * 1000.0);
}

static void start_set(void)
{
	uint64_t m = 0;
	int c;

	if (sys_get(0, sizeof(m), &m) < 0) {
		perror("sched_getaffinity");
		exit(1);
	}
	for (c = 0; c < MAXCPU; c++)
		if (m & (1ULL << c))
			cpu_of[ncpu++] = c;
}

static void errors(void)
{
	uint64_t m = 0, all = real_mask((1ULL << ncpu) - 1), big[4];
	uint64_t hi = 1ULL << 63;
	uint32_t first = (uint32_t)real_mask(1);

	expect_err("get len 0", sys_get(0, 0, &m));
	expect_err("get len 4", sys_get(0, 4, &m));
	expect_err("get len 12", sys_get(0, 12, big));
	expect_err("get bad pid", sys_get(0x7ffffff0, 8, &m));
	expect_err("get pid -1", sys_get(-1, 8, &m));
	expect_err("get bad buffer", sys_get(0, 8, (void *)8));
	printf("get len 8 returns %ld\n", sys_get(0, 8, &m));
	printf("get len 32 returns at least 8: %s\n",
	       sys_get(0, sizeof(big), big) >= 8 ? "yes" : "no");
	m = 0;
	expect_err("set empty", sys_set(0, 8, &m));
	expect_err("set len 0", sys_set(0, 0, &all));
	expect_err("set no such CPU", sys_set(0, 8, &hi));
	expect_err("set bad buffer", sys_set(0, 8, (void *)8));
	expect_err("set bad buffer, bad pid", sys_set(0x7ffffff0, 8, (void *)8));
	expect_err("set bad pid", sys_set(0x7ffffff0, 8, &all));
	expect_err("set pid -1", sys_set(-1, 8, &all));
	show_self("after the errors");
	expect_err("set len 4, CPU 0", first ? sys_set(0, 4, &first) : -1);
	show_self("len 4");
	m = ~0ULL;
	expect_err("set all bits", sys_set(0, 8, &m));
	show_self("all bits");
	expect_err("set CPU 1 with a long buffer", (big[0] = real_mask(2),
		   big[1] = big[2] = big[3] = ~0ULL, sys_set(0, 32, big)));
	show_self("long buffer");
	set_idx(0, (1ULL << ncpu) - 1);
}

/* ---- threads ------------------------------------------------------ */

struct job {
	pthread_t th;
	long tid;
	int pin;		/* index to pin itself to, or -1 */
	volatile int go;	/* spin until set */
	pthread_mutex_t mu;	/* ... or block on cv until go */
	pthread_cond_t cv;
	int block;
	char before[128], after[128];
	uint64_t sum;
};

static void *worker(void *arg)
{
	struct job *j = arg;

	show(j->before, sizeof(j->before), 0);
	if (j->pin >= 0 && set_idx(0, 1ULL << j->pin))
		snprintf(j->before, sizeof(j->before), "pin: %s",
			 err_name(errno));
	__atomic_store_n(&j->tid, gettid_(), __ATOMIC_RELEASE);
	if (j->block) {
		pthread_mutex_lock(&j->mu);
		while (!j->go)
			pthread_cond_wait(&j->cv, &j->mu);
		pthread_mutex_unlock(&j->mu);
	} else {
		while (!__atomic_load_n(&j->go, __ATOMIC_ACQUIRE))
			;
	}
	j->sum = compute((uint64_t)j->pin + 7);
	show(j->after, sizeof(j->after), 0);
	return NULL;
}

static struct job *spawn(int pin, int block, int go)
{
	struct job *j = calloc(1, sizeof(*j));

	if (!j)
		exit(1);
	j->pin = pin;
	j->block = block;
	j->go = go;
	pthread_mutex_init(&j->mu, NULL);
	pthread_cond_init(&j->cv, NULL);
	if (pthread_create(&j->th, NULL, worker, j)) {
		printf("pthread_create failed\n");
		exit(1);
	}
	while (!__atomic_load_n(&j->tid, __ATOMIC_ACQUIRE))
		sched_yield();
	return j;
}

static void release(struct job *j)
{
	pthread_mutex_lock(&j->mu);
	__atomic_store_n(&j->go, 1, __ATOMIC_RELEASE);
	pthread_cond_signal(&j->cv);
	pthread_mutex_unlock(&j->mu);
}

static void finish(const char *what, struct job *j)
{
	pthread_join(j->th, NULL);
	printf("%s: started %s, ended %s, sum %016llx\n", what, j->before,
	       j->after, (unsigned long long)j->sum);
	free(j);
}

/* The other thread's mask, read by tid. */
static void show_other(const char *what, struct job *j)
{
	char s[128];

	show(s, sizeof(s), j->tid);
	printf("%s: %s\n", what, s);
}

static void threads(void)
{
	struct job *j;
	char what[64];
	int i;

	/* A new thread inherits its creator's mask. */
	set_idx(0, 1ULL << (ncpu - 1));
	j = spawn(-1, 0, 1);
	finish("inherited", j);
	set_idx(0, (1ULL << ncpu) - 1);

	/* Moved by another thread while spinning, and while blocked. */
	for (i = 0; i < ncpu; i++) {
		j = spawn(-1, 0, 0);
		snprintf(what, sizeof(what), "spinning, set to %d", i);
		expect_err(what, set_idx(j->tid, 1ULL << i));
		show_other("  read by tid", j);
		release(j);
		finish("  spinning thread", j);

		j = spawn(-1, 1, 0);
		snprintf(what, sizeof(what), "blocked, set to %d", i);
		expect_err(what, set_idx(j->tid, 1ULL << i));
		show_other("  read by tid", j);
		release(j);
		finish("  blocked thread", j);
	}
	/* Each pinning itself, all at once. */
	{
		struct job *js[MAXCPU];

		for (i = 0; i < ncpu; i++)
			js[i] = spawn(i, 0, 0);
		for (i = 0; i < ncpu; i++)
			release(js[i]);
		for (i = 0; i < ncpu; i++) {
			snprintf(what, sizeof(what), "pinned to %d", i);
			finish(what, js[i]);
		}
	}
	/* The main thread moves to each CPU and computes there. */
	for (i = ncpu - 1; i >= 0; i--) {
		snprintf(what, sizeof(what), "main to %d", i);
		expect_err(what, set_idx(0, 1ULL << i));
		show_self("  main");
		printf("  main sum %016llx\n",
		       (unsigned long long)compute((uint64_t)i + 100));
	}
	set_idx(0, (1ULL << ncpu) - 1);
	show_self("main at the end");
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double busy_until;
static int busy_running;
static uint64_t gap_ticks;	/* 2 ms of TSC */

/*
 * Spins in ring 3, with a system call only now and then (a slice that
 * ends during a call is renewed); *arg: how often it lost its CPU for
 * over 2 ms, seen in the TSC (stderr only).
 */
static void *busy(void *arg)
{
	uint64_t t, last = __builtin_ia32_rdtsc(), n = 0;
	long *gaps = arg;

	__atomic_add_fetch(&busy_running, 1, __ATOMIC_RELEASE);
	for (;;) {
		t = __builtin_ia32_rdtsc();
		if (t - last > gap_ticks)
			(*gaps)++;
		last = t;
		if ((++n & 0xfffff) == 0 && now_s() >= busy_until)
			break;
	}
	return NULL;
}

static void calibrate(void)
{
	uint64_t t0 = __builtin_ia32_rdtsc();
	double c0 = now_s();

	while (now_s() - c0 < 0.05)
		;
	gap_ticks = (__builtin_ia32_rdtsc() - t0) / 25;
}

/* Two threads on CPU idx for secs: that core time-slices them. */
static int busy_mode(int idx, double secs)
{
	pthread_t a, b;
	long gaps[2] = { 0, 0 };

	if (idx < 0 || idx >= ncpu) {
		fprintf(stderr, "affinity: no CPU index %d\n", idx);
		return 2;
	}
	calibrate();
	busy_until = now_s() + secs;
	set_idx(0, 1ULL << idx);	/* the threads inherit it */
	pthread_create(&a, NULL, busy, &gaps[0]);
	pthread_create(&b, NULL, busy, &gaps[1]);
	set_idx(0, (1ULL << ncpu) - 1);
	while (__atomic_load_n(&busy_running, __ATOMIC_ACQUIRE) < 2)
		sched_yield();
	printf("busy start\n");
	fflush(stdout);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	fprintf(stderr, "affinity: busy threads lost their CPU %ld and %ld times\n",
		gaps[0], gaps[1]);
	printf("busy done\n");
	return 0;
}

int main(int argc, char **argv)
{
	start_set();
	if (argc == 4 && !strcmp(argv[1], "busy"))
		return busy_mode(atoi(argv[2]), atof(argv[3]));
	printf("cpus: %d\n", ncpu);
	show_self("start");
	errors();
	threads();
	return 0;
}
