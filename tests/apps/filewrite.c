/* SPDX-License-Identifier: GPL-2.0 */
/*
 * filewrite OUT [BLOCKS]: writes BLOCKS (default 2000) blocks of 4 KiB of
 * deterministic pseudo-random data to OUT, with some computation before
 * each block, then prints a digest of what it wrote.  A checkpoint taken
 * mid-file must lead to the same file and the same digest.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	unsigned long blocks = argc > 2 ? strtoul(argv[2], NULL, 10) : 2000;
	uint64_t x = 0x2545f4914f6cdd1dULL, digest = 0, buf[512];
	unsigned long b, i, k;
	int fd;

	if (argc < 2) {
		fprintf(stderr, "usage: filewrite OUT [BLOCKS]\n");
		return 2;
	}
	fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	for (b = 0; b < blocks; b++) {
		for (k = 0; k < 200; k++)	/* work between the writes */
			for (i = 0; i < 512; i++) {
				x ^= x << 13;
				x ^= x >> 7;
				x ^= x << 17;
				buf[i] = x + k;
			}
		for (i = 0; i < 512; i++)
			digest = (digest ^ buf[i]) * 0x100000001b3ULL;
		if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
			perror("write");
			return 1;
		}
	}
	if (close(fd)) {
		perror("close");
		return 1;
	}
	printf("filewrite: %lu blocks, digest %016llx\n", blocks,
	       (unsigned long long)digest);
	return 0;
}
