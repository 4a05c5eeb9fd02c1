/* SPDX-License-Identifier: GPL-2.0 */
/* Prints CLOCK_REALTIME then CLOCK_MONOTONIC, in ns, one per line. */
#include <stdio.h>
#include <time.h>

static unsigned long long ns(clockid_t c)
{
	struct timespec ts;

	if (clock_gettime(c, &ts))
		return 0;
	return (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec;
}

int main(void)
{
	unsigned long long r = ns(CLOCK_REALTIME), m = ns(CLOCK_MONOTONIC);

	if (!r || !m) {
		perror("clock_gettime");
		return 1;
	}
	printf("%llu\n%llu\n", r, m);
	return 0;
}
