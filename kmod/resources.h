/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Resource bookkeeping for enclave requests: pure logic over bitmaps and
 * numbers, with no side effects, so that KUnit covers it.
 */
#ifndef COK_RESOURCES_H
#define COK_RESOURCES_H

#include <linux/types.h>
#include <linux/bitmap.h>

/*
 * Validate or choose the Linux CPUs of a new enclave.  online and taken
 * are bitmaps of nbits bits.  With nlisted > 0 the CPUs in listed are
 * checked; otherwise count free CPUs are chosen, lowest first.  CPU 0 is
 * never given away.  On success out[] holds the CPUs in ascending order
 * and the number of CPUs is returned; on refusal a negative errno is
 * returned and *why points at a one-line reason.
 */
int cok_pick_cpus(const unsigned long *online, const unsigned long *taken,
		  unsigned int nbits, const u32 *listed, u32 nlisted,
		  u32 count, u32 *out, const char **why);

/* Number of 2 MiB chunks for bytes; refuses 0, non-multiples, too much. */
int cok_mem_chunks(u64 bytes, u32 *nchunks, const char **why);

#endif /* COK_RESOURCES_H */
