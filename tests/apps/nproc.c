// SPDX-License-Identifier: GPL-2.0
/*
 * nproc [sysconf]: how many CPUs the process may run on, counted as
 * nproc(1) counts them (sched_getaffinity); with "sysconf", also
 * sysconf(_SC_NPROCESSORS_ONLN), which musl answers from
 * sched_getaffinity (glibc reads /sys/devices/system/cpu/online).
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set)) {
		perror("sched_getaffinity");
		return 1;
	}
	printf("affinity %d\n", CPU_COUNT(&set));
	if (argc > 1 && !strcmp(argv[1], "sysconf"))
		printf("sysconf %ld\n", sysconf(_SC_NPROCESSORS_ONLN));
	return 0;
}
