/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmap_loop: maps, fills and unmaps 32 MiB of anonymous memory 64 times
 * (2 GiB in all, more than an enclave holds), checking each mapping
 * reads back.  It only finishes if munmap really gives memory back.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define SIZE	(32UL << 20)
#define ROUNDS	64

int main(void)
{
	uint64_t sum = 0;
	int i;

	for (i = 0; i < ROUNDS; i++) {
		unsigned char *p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED) {
			printf("mmap_loop: round %d: mmap failed\n", i);
			return 1;
		}
		if (p[SIZE - 1] != 0) {
			printf("mmap_loop: round %d: memory not zeroed\n", i);
			return 1;
		}
		memset(p, i + 1, SIZE);
		sum += p[12345] + p[SIZE - 1];
		munmap(p, SIZE);
	}
	printf("mmap_loop: %d rounds of %lu MiB, checksum %llu\n", ROUNDS,
	       SIZE >> 20, (unsigned long long)sum);
	return 0;
}
