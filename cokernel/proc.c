// SPDX-License-Identifier: GPL-2.0
/*
 * Processes and threads: static pools, COK_MAX_PROCS processes (the
 * slot is the one Linux chose for the app in the channel) and
 * COK_MAX_THREADS threads for all of them (a thread's index is its call
 * mailbox in the channel).  A
 * launch or a restore takes a process with its first thread and makes
 * it the core's current one; clone() takes more threads for it; the
 * app's end puts them all back.  Cores take slots concurrently: a slot
 * is claimed by an atomic exchange of its in-use mark or state.  A
 * thread that exited (DEAD) stays its process's until the process ends,
 * and the next clone() of that process takes it again, kernel stack
 * and all (the stack is the process's memory), once its core is off
 * that stack (it may halt there: sched.c).  The caller holds p->lock.
 */
#include "cokernel.h"

static struct cok_proc procs[COK_MAX_PROCS];
static struct cok_thread threads[COK_MAX_THREADS];

static bool claim(bool *used)
{
	return !__atomic_exchange_n(used, true, __ATOMIC_ACQUIRE);
}

static struct cok_thread *thread_alloc(struct cok_proc *p)
{
	uint32_t i, expect;

	for (i = 0; i < ARRAY_SIZE(threads); i++) {
		expect = COK_THREAD_FREE;
		if (__atomic_compare_exchange_n(&threads[i].state, &expect,
						COK_THREAD_RUNNING, false,
						__ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			break;
	}
	if (i == ARRAY_SIZE(threads))
		return NULL;
	threads[i].index = i;
	threads[i].proc = p;
	threads[i].core = NULL;
	threads[i].tid = p->pid;
	threads[i].user_frame = NULL;
	threads[i].kstack = NULL;
	threads[i].affinity = 0;	/* all of p's cores */
	signal_init_thread(&threads[i], NULL);
	return &threads[i];
}

/*
 * A dead thread of p whose core has switched to another thread since
 * (thread_landed() sets current only once the switch is done).
 */
static struct cok_thread *thread_reuse(struct cok_proc *p)
{
	uint32_t i;

	for (i = 0; i < ARRAY_SIZE(threads); i++)
		if (threads[i].proc == p &&
		    threads[i].state == COK_THREAD_DEAD &&
		    cok_read_once(&threads[i].core->current) != &threads[i]) {
			threads[i].state = COK_THREAD_RUNNING;
			return &threads[i];
		}
	return NULL;
}

/*
 * One more thread for p (clone): its fields past the identity are the
 * caller's to set; kstack is kept from a reused slot, else NULL.
 */
struct cok_thread *proc_new_thread(struct cok_proc *p)
{
	struct cok_thread *t = thread_reuse(p);

	if (!t)
		t = thread_alloc(p);
	if (t) {
		t->tid = p->next_tid++;
		sysinfo_thread_reset(t);
	}
	return t;
}

/* p's threads that have not exited, at most max, into out. */
uint32_t proc_threads(struct cok_proc *p, struct cok_thread **out,
		      uint32_t max)
{
	uint32_t i, n = 0;

	for (i = 0; i < ARRAY_SIZE(threads) && n < max; i++)
		if (threads[i].proc == p &&
		    threads[i].state != COK_THREAD_FREE &&
		    threads[i].state != COK_THREAD_DEAD)
			out[n++] = &threads[i];
	return n;
}

/*
 * A process in slot with its one thread, pid as Linux numbers the app
 * (the thread's tid too).  The process starts zeroed; the thread's register
 * and FPU areas are written before they are read (freeze, restore).
 * NULL if the slot is taken or out of range, or no thread is free.
 */
struct cok_thread *proc_create(uint32_t slot, uint32_t pid)
{
	struct cok_proc *p;

	if (slot >= ARRAY_SIZE(procs) || !claim(&procs[slot].used))
		return NULL;
	p = &procs[slot];
	*p = (struct cok_proc){ .index = slot, .pid = pid, .used = true,
				.nthreads = 1, .next_tid = pid + 1 };
	p->thread = thread_alloc(p);
	if (!p->thread) {
		__atomic_store_n(&p->used, false, __ATOMIC_RELEASE);
		return NULL;
	}
	sysinfo_thread_reset(p->thread);
	return p->thread;
}

/* The live thread of p with tid, or NULL (none, or it exited). */
struct cok_thread *proc_find_thread(struct cok_proc *p, uint32_t tid)
{
	uint32_t i;

	for (i = 0; i < ARRAY_SIZE(threads); i++)
		if (threads[i].proc == p && threads[i].tid == tid &&
		    threads[i].state != COK_THREAD_FREE &&
		    threads[i].state != COK_THREAD_DEAD)
			return &threads[i];
	return NULL;
}

/* Back to the pools; the address space is gone already. */
void proc_free(struct cok_proc *p)
{
	uint32_t i;

	for (i = 0; i < ARRAY_SIZE(threads); i++)
		if (threads[i].proc == p &&
		    threads[i].state != COK_THREAD_FREE) {
			threads[i].proc = NULL;
			__atomic_store_n(&threads[i].state, COK_THREAD_FREE,
					 __ATOMIC_RELEASE);
		}
	p->thread = NULL;
	__atomic_store_n(&p->used, false, __ATOMIC_RELEASE);
}
