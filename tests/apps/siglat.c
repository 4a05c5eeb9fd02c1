/* SPDX-License-Identifier: GPL-2.0 */
/*
 * siglat: signal delivery latency, from the kill() of a Linux process to
 * the app's handler running.
 *   siglat wait N       prints "ready", then N times: waits in
 *                       sigsuspend() for SIGUSR1 and prints the CLOCK_MONOTONIC ns at
 *                       which its handler ran
 *   siglat send PID N   reads "ready" on stdin, then N times: notes the
 *                       time, sends PID SIGUSR1, reads the handler's time;
 *                       prints "siglat median_ns M mean_ns A rounds N"
 * PID is the waiting app's (on Linux) or its cokctl launch's (in an
 * enclave: the proxy passes the signal on).  The co-kernel's
 * CLOCK_MONOTONIC is Linux's, carried by the TSC, so the two clocks
 * compare.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile uint64_t handled_ns;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void on_usr1(int sig)
{
	(void)sig;
	handled_ns = now_ns();
}

static int wait_mode(int n)
{
	struct sigaction sa;
	sigset_t usr1, none;
	int i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&none);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);	/* taken in sigsuspend only */
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("ready\n");
	for (i = 0; i < n; i++) {
		handled_ns = 0;
		while (!handled_ns)
			sigsuspend(&none);
		printf("%llu\n", (unsigned long long)handled_ns);
	}
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int send_mode(pid_t pid, int n)
{
	uint64_t *lat = calloc((size_t)n, sizeof(*lat)), sum = 0, t0;
	unsigned long long t;
	char line[64];
	int i;

	if (!lat || !fgets(line, sizeof(line), stdin) || strcmp(line, "ready\n"))
		return 1;
	for (i = 0; i < n; i++) {
		t0 = now_ns();
		if (kill(pid, SIGUSR1) || !fgets(line, sizeof(line), stdin) ||
		    sscanf(line, "%llu", &t) != 1)
			return 1;
		lat[i] = t > t0 ? t - t0 : 0;
		sum += lat[i];
	}
	qsort(lat, (size_t)n, sizeof(*lat), cmp_u64);
	printf("siglat median_ns %llu mean_ns %llu rounds %d\n",
	       (unsigned long long)lat[n / 2], (unsigned long long)(sum / n), n);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "wait"))
		return wait_mode(atoi(argv[2]));
	if (argc == 4 && !strcmp(argv[1], "send"))
		return send_mode((pid_t)atoi(argv[2]), atoi(argv[3]));
	fprintf(stderr, "usage: siglat wait N | siglat send PID N\n");
	return 2;
}
