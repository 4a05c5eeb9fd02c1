// SPDX-License-Identifier: GPL-2.0
/*
 * Resource bookkeeping for enclave requests (see resources.h).
 */
#include <linux/errno.h>
#include <linux/sort.h>
#include "resources.h"
#include "../xemem/channel.h"

static int cmp_u32(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

static int check_listed(const unsigned long *online,
			const unsigned long *taken, unsigned int nbits,
			const u32 *listed, u32 nlisted, u32 *out,
			const char **why)
{
	u32 i;

	if (nlisted > COK_MAX_CORES) {
		*why = "too many CPUs for one enclave";
		return -E2BIG;
	}
	for (i = 0; i < nlisted; i++) {
		u32 cpu = listed[i];

		if (cpu == 0) {
			*why = "CPU 0 stays with Linux";
			return -EINVAL;
		}
		if (cpu >= nbits) {
			*why = "no such CPU";
			return -ENODEV;
		}
		if (test_bit(cpu, taken)) {
			*why = "CPU already belongs to an enclave";
			return -EBUSY;
		}
		if (!test_bit(cpu, online)) {
			*why = "CPU is offline";
			return -ENODEV;
		}
		out[i] = cpu;
	}
	sort(out, nlisted, sizeof(*out), cmp_u32, NULL);
	for (i = 1; i < nlisted; i++) {
		if (out[i] == out[i - 1]) {
			*why = "CPU listed twice";
			return -EINVAL;
		}
	}
	return nlisted;
}

static int choose_free(const unsigned long *online,
		       const unsigned long *taken, unsigned int nbits,
		       u32 count, u32 *out, const char **why)
{
	unsigned int cpu;
	u32 n = 0;

	if (count == 0) {
		*why = "an enclave needs at least one CPU";
		return -EINVAL;
	}
	if (count > COK_MAX_CORES) {
		*why = "too many CPUs for one enclave";
		return -E2BIG;
	}
	for (cpu = 1; cpu < nbits && n < count; cpu++) {
		if (test_bit(cpu, online) && !test_bit(cpu, taken))
			out[n++] = cpu;
	}
	if (n < count) {
		*why = "not enough free CPUs (CPU 0 stays with Linux)";
		return -EBUSY;
	}
	return n;
}

int cok_pick_cpus(const unsigned long *online, const unsigned long *taken,
		  unsigned int nbits, const u32 *listed, u32 nlisted,
		  u32 count, u32 *out, const char **why)
{
	if (nlisted)
		return check_listed(online, taken, nbits, listed, nlisted,
				    out, why);
	return choose_free(online, taken, nbits, count, out, why);
}

int cok_mem_chunks(u64 bytes, u32 *nchunks, const char **why)
{
	if (bytes == 0) {
		*why = "an enclave needs memory";
		return -EINVAL;
	}
	if (bytes & (COK_CHUNK_SIZE - 1)) {
		*why = "memory must be a multiple of 2 MiB";
		return -EINVAL;
	}
	if (bytes > (u64)COK_MAX_CHUNKS * COK_CHUNK_SIZE) {
		*why = "more memory than one enclave can hold (16 GiB)";
		return -E2BIG;
	}
	*nchunks = bytes >> COK_CHUNK_SHIFT;
	return 0;
}
