/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fixed-width types for the protocol headers.  The same headers are
 * compiled into the Linux module (__KERNEL__), the freestanding
 * co-kernel (__COKERNEL__) and userland, so they take their types from
 * whichever environment includes them.
 */
#ifndef XEMEM_COK_TYPES_H
#define XEMEM_COK_TYPES_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#endif

/* Both sides are x86-64: acquire/release ordering as in the C11 model. */
#define cok_load_acquire(p)	__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define cok_store_release(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define cok_read_once(p)	__atomic_load_n((p), __ATOMIC_RELAXED)
#define cok_write_once(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELAXED)
/* A locked XCHG: a full barrier on both sides; returns the old value. */
#define cok_xchg(p, v)		__atomic_exchange_n((p), (v), __ATOMIC_SEQ_CST)

#endif /* XEMEM_COK_TYPES_H */
