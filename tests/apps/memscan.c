// SPDX-License-Identifier: GPL-2.0
/*
 * memscan PUBLIC CANARY: run in an enclave, reads its proxy's memory the
 * way an app that takes over its proxy would: /proc/PID/maps and
 * /proc/PID/mem of the pid /proc/self names (forwarded calls, run by the
 * proxy on itself; /proc/self/maps is the app's own, the co-kernel's
 * answer).  Counts
 * the places holding
 *   - the secret of `secret PUBLIC` (another user's app),
 *   - a format string of the co-kernel's console (its text),
 *   - CANARY (the proxy's own argv: proves the scan sees the proxy),
 * and mappings of /dev/ckpt_cokernel.  Prints one line of counts.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BUF	(64u << 10)

static char buf[BUF + 64];

static size_t count(const char *hay, size_t len, const char *needle)
{
	size_t n = strlen(needle), hits = 0, i;

	for (i = 0; i + n <= len; i++)
		if (hay[i] == needle[0] && !memcmp(hay + i, needle, n))
			hits++;
	return hits;
}

int main(int argc, char **argv)
{
	char secret[32], cok[48], canary[64], line[512], path[64];
	size_t s = 0, c = 0, k = 0, dev = 0, regions = 0, bytes = 0, i, n;
	FILE *maps;
	int mem;

	if (argc < 3)
		return 2;
	n = strlen(argv[1]);
	snprintf(secret, sizeof(secret), "SeCrEt");
	for (i = 0; i < n && i < 16; i++)
		secret[6 + i] = argv[1][n - 1 - i];
	secret[6 + i] = '\0';
	snprintf(cok, sizeof(cok), "%s %s", "at rip %#lx addr", "%#lx: killed");
	snprintf(canary, sizeof(canary), "%s", argv[2]);
	n = (size_t)readlink("/proc/self", line, sizeof(line) - 1);
	if (n >= sizeof(line) - 1) {
		printf("cannot read the proxy's /proc/self link\n");
		return 1;
	}
	line[n] = '\0';
	snprintf(path, sizeof(path), "/proc/%.20s/maps", line);
	maps = fopen(path, "r");
	snprintf(path, sizeof(path), "/proc/%.20s/mem", line);
	mem = open(path, O_RDONLY);
	if (!maps || mem < 0) {
		printf("cannot open the proxy's maps or mem\n");
		return 1;
	}
	while (fgets(line, sizeof(line), maps)) {
		unsigned long lo, hi, at;
		char perms[8];

		if (strstr(line, "ckpt_cokernel"))
			dev++;
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3 ||
		    perms[0] != 'r' || strstr(line, "[vvar") ||
		    strstr(line, "[vsyscall]"))
			continue;
		regions++;
		/* Overlapping reads: a marker may straddle two. */
		for (at = lo; at < hi; at += BUF) {
			size_t want = hi - at < BUF + 64 ? hi - at : BUF + 64;
			ssize_t got = pread(mem, buf, want, (off_t)at);

			if (got <= 0)
				break;
			bytes += (size_t)(got < BUF ? got : BUF);
			/* A hit in the overlap may count twice: fine. */
			s += count(buf, (size_t)got, secret);
			c += count(buf, (size_t)got, cok);
			k += count(buf, (size_t)got, canary);
		}
	}
	printf("regions %zu bytes %zu secret %zu cokernel %zu canary %zu devmaps %zu\n",
	       regions, bytes, s, c, k, dev);
	return 0;
}
