/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Linux's clock ids and time constants, as apps pass them (uapi
 * linux/time.h), for the co-kernel's clocks, sleeps and timers
 * (cputime.c, timer.c, futex.c).
 */
#ifndef COKERNEL_CLOCK_H
#define COKERNEL_CLOCK_H

#define CLOCK_REALTIME			0
#define CLOCK_MONOTONIC			1
#define CLOCK_PROCESS_CPUTIME_ID	2
#define CLOCK_THREAD_CPUTIME_ID		3
#define CLOCK_MONOTONIC_RAW		4
#define CLOCK_REALTIME_COARSE		5
#define CLOCK_MONOTONIC_COARSE		6
#define CLOCK_BOOTTIME			7
#define CLOCK_REALTIME_ALARM		8
#define CLOCK_BOOTTIME_ALARM		9
#define CLOCK_TAI			11

#define TIMER_ABSTIME			1

#define NSEC_PER_SEC			1000000000ULL
#define NSEC_PER_USEC			1000ULL
/*
 * Linux's tick (Debian's kernels: CONFIG_HZ=250): the coarse clocks'
 * resolution, and what CPU itimers add to their value.
 */
#define COK_TICK_NSEC			4000000ULL

#endif /* COKERNEL_CLOCK_H */
