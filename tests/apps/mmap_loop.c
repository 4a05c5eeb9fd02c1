/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmap_loop [MIB [ROUNDS]]: maps, fills and unmaps MIB (32) MiB of
 * anonymous memory ROUNDS (64) times (2 GiB in all, more than an enclave
 * holds), checking each mapping reads back.  It only finishes if munmap
 * really gives memory back.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

int main(int argc, char **argv)
{
	unsigned long size = (argc > 1 ? strtoul(argv[1], NULL, 10) : 32) << 20;
	int rounds = argc > 2 ? atoi(argv[2]) : 64;
	uint64_t sum = 0;
	int i;

	if (!size || rounds < 1) {
		fprintf(stderr, "usage: mmap_loop [MIB [ROUNDS]]\n");
		return 2;
	}
	for (i = 0; i < rounds; i++) {
		unsigned char *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED) {
			printf("mmap_loop: round %d: mmap failed\n", i);
			return 1;
		}
		if (p[size - 1] != 0) {
			printf("mmap_loop: round %d: memory not zeroed\n", i);
			return 1;
		}
		memset(p, i + 1, size);
		sum += p[12345] + p[size - 1];
		munmap(p, size);
	}
	printf("mmap_loop: %d rounds of %lu MiB, checksum %llu\n", rounds,
	       size >> 20, (unsigned long long)sum);
	return 0;
}
