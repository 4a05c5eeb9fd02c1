// SPDX-License-Identifier: GPL-2.0
/*
 * What the app sees of the system: sysinfo, prctl, the resource limits
 * and the /proc files only the co-kernel can write.
 *
 * Who answers what (docs/signals.md, "What the app sees"):
 *   - the proxy answers the paths it knows the answer of: the app's
 *     program (/proc/self/exe), its argv (cmdline), its fds (fd/, its
 *     own fd table is the app's), the cores (/proc/cpuinfo and
 *     /sys/devices/system/cpu/{online,possible,present}), and uname;
 *   - the co-kernel renders what only it knows: the address space
 *     (/proc/self/maps), the threads, the name and the memory of the
 *     process (status, stat) and of the enclave (/proc/meminfo, sysinfo).
 * A rendered file goes to the proxy as one private forwarded call,
 * COK_SYS_TEXT_FILE (xemem/app.h), with the text in the app's scratch
 * area; the proxy turns it into a sealed memory file opened read-only,
 * so the app reads, seeks, fstats and closes it as any other fd.  The
 * scratch area is a few user pages above the stack, where Linux puts
 * [vvar]: the proxy reaches app memory only with the app's own access
 * rights (xemem/pgwalk.h), and this is memory it owns.
 *
 * Limits: RLIMIT_NOFILE is the proxy's (its fd table is the app's) and
 * goes to it; the others are the process's own, read once from the
 * proxy's (the ones cokctl was started with, as a child inherits them)
 * before the first brk or mmap, and enforced here for STACK, AS and DATA.
 */
#include "cokernel.h"

#define PAGE_SIZE	4096ULL
#define O_ACCMODE	3
#define KB		1024ULL

/* Linux's resource numbers. */
#define RLIMIT_DATA	2
#define RLIMIT_STACK	3
#define RLIMIT_RSS	5
#define RLIMIT_NOFILE	7
#define RLIMIT_AS	9
#define RLIM_INFINITY	(~0ULL)

/* The scratch area: just above the stack's top page, like Linux's [vvar]. */
#define SCRATCH_VA	(COK_USER_STACK_TOP + PAGE_SIZE)
#define SCRATCH_SIZE	COK_TEXT_FILE_MAX

#define SYS_open	2
#define SYS_openat	257
#define SYS_geteuid	107
#define SYS_getrlimit	97
#define SYS_setrlimit	160
#define SYS_prlimit64	302
#define AT_FDCWD	(-100)

/* --- the scratch area ----------------------------------------------------- */

/*
 * Takes p's scratch area, mapped for len bytes (one user at a time: a
 * thread that finds it taken sleeps a little, so that the holder, whose
 * call may wait on this very core, can run).  Its address, or 0.
 */
static uint64_t scratch_take(struct cok_kcore *core, uint64_t len)
{
	struct cok_proc *p = core->current->proc;
	int err;

	while (__atomic_exchange_n(&p->scratch_busy, 1, __ATOMIC_ACQUIRE))
		futex_sleep(core, rdtsc() + sched_ns_to_tsc(p, 100000));
	spin_lock(&p->lock);
	/* Pages already there stay as they are (as_map keeps them). */
	err = as_map(&p->as, SCRATCH_VA, (len + PAGE_SIZE - 1) &
		     ~(PAGE_SIZE - 1), true);
	spin_unlock(&p->lock);
	if (err) {
		__atomic_store_n(&p->scratch_busy, 0, __ATOMIC_RELEASE);
		return 0;
	}
	return SCRATCH_VA;
}

static void scratch_give(struct cok_proc *p)
{
	__atomic_store_n(&p->scratch_busy, 0, __ATOMIC_RELEASE);
}

/* --- rendering text into the scratch area -------------------------------- */

struct text {
	struct cok_proc *p;
	uint64_t len;		/* bytes written at SCRATCH_VA */
	bool full;
};

static void __printf(2, 3) text_add(struct text *t, const char *fmt, ...)
{
	char line[160];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = cok_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 1)
		n = sizeof(line) - 1;
	/* Whole lines only: a reader never sees half of one. */
	if (t->full || t->len + n > SCRATCH_SIZE) {
		t->full = true;
		return;
	}
	as_write(&t->p->as, SCRATCH_VA + t->len, line, n);
	t->len += n;
}

/* Spaces up to column col of the current line (start: its first byte). */
static void text_pad(struct text *t, uint64_t start, uint64_t col)
{
	while (t->len - start < col && !t->full)
		text_add(t, " ");
}

/* --- /proc/self/maps: the address space ---------------------------------- */

#define PTE_P		(1ULL << 0)
#define PTE_W		(1ULL << 1)
#define PTE_NX		(1ULL << 63)

struct region {
	uint64_t start, end, pte_bits;
	const char *name;
};

struct maps_walk {
	struct text *t;
	struct cok_proc *p;
	struct region cur;
	uint64_t bytes;		/* mapped, for VmSize and VmRSS */
	uint64_t stack_bytes;
};

static const char *region_name(const struct cok_proc *p, uint64_t va)
{
	if (va >= SCRATCH_VA && va < SCRATCH_VA + SCRATCH_SIZE)
		return "[vvar]";
	if (va >= COK_USER_STACK_TOP - COK_USER_STACK_SIZE &&
	    va < COK_USER_STACK_TOP)
		return "[stack]";
	if (va >= p->brk_start && va < p->brk + PAGE_SIZE &&
	    p->brk > p->brk_start)
		return "[heap]";
	return NULL;
}

/* One line, as Linux's show_map_vma(): padded to 72 columns, a space, the name. */
static void maps_line(struct text *t, const struct region *r)
{
	uint64_t start = t->len;

	/* A PROT_NONE page (vm.c) has P clear: ---p. */
	text_add(t, "%08lx-%08lx %c%c%cp 00000000 00:00 0 ",
		 (unsigned long)r->start, (unsigned long)r->end,
		 r->pte_bits & PTE_P ? 'r' : '-',
		 r->pte_bits & PTE_W ? 'w' : '-',
		 (r->pte_bits & (PTE_P | PTE_NX)) == PTE_P ? 'x' : '-');
	if (r->name) {
		text_pad(t, start, 72);
		text_add(t, " %s", r->name);
	}
	text_add(t, "\n");
}

static void maps_leaf(void *ctx, uint64_t va, uint64_t phys, uint64_t len,
		      uint64_t pte)
{
	struct maps_walk *w = ctx;
	const char *name = region_name(w->p, va);
	uint64_t bits = pte & (PTE_P | PTE_W | PTE_NX);

	(void)phys;
	w->bytes += len;
	if (name && name[1] == 's')
		w->stack_bytes += len;
	if (w->cur.end == va && w->cur.pte_bits == bits && w->cur.name == name) {
		w->cur.end += len;
		return;
	}
	if (w->cur.end && w->t)
		maps_line(w->t, &w->cur);
	w->cur = (struct region){ va, va + len, bits, name };
}

/*
 * The app's regions: runs of present pages with the same protection,
 * from the page tables (the one place the region list of vm.c will
 * replace).  t NULL: only count the bytes.
 */
static void maps_walk(struct cok_proc *p, struct maps_walk *w,
		      struct text *t)
{
	*w = (struct maps_walk){ .t = t, .p = p };
	spin_lock(&p->lock);
	as_walk(&p->as, maps_leaf, w);
	spin_unlock(&p->lock);
	if (w->cur.end && t)
		maps_line(t, &w->cur);
}

static void render_maps(struct cok_kcore *core, struct text *t)
{
	struct maps_walk w;

	maps_walk(core->current->proc, &w, t);
}

/* --- status and stat --------------------------------------------------- */

static uint32_t ncores_of(const struct cok_proc *p)
{
	uint32_t n = 0, m;

	for (m = p->cores; m; m &= m - 1)
		n++;
	return n;
}

/* /proc/self is the process (its first thread); thread-self the caller. */
static struct cok_thread *shown_thread(struct cok_kcore *core, bool self)
{
	struct cok_proc *p = core->current->proc;

	return self || !p->thread ? core->current : p->thread;
}

static void render_status(struct cok_kcore *core, struct text *t,
			  bool thread_self)
{
	struct cok_thread *th = shown_thread(core, thread_self);
	struct cok_proc *p = core->current->proc;
	uint32_t n = ncores_of(p);
	struct maps_walk w;

	maps_walk(p, &w, NULL);
	text_add(t, "Name:\t%s\n", th->comm);
	text_add(t, "State:\tR (running)\n");
	text_add(t, "Tgid:\t%u\nNgid:\t0\nPid:\t%u\nPPid:\t1\n", p->pid, th->tid);
	text_add(t, "TracerPid:\t0\n");
	text_add(t, "NStgid:\t%u\nNSpid:\t%u\n", p->pid, th->tid);
	text_add(t, "VmPeak:\t%8lu kB\nVmSize:\t%8lu kB\n",
		 (unsigned long)(w.bytes / KB), (unsigned long)(w.bytes / KB));
	text_add(t, "VmHWM:\t%8lu kB\nVmRSS:\t%8lu kB\n",
		 (unsigned long)(w.bytes / KB), (unsigned long)(w.bytes / KB));
	text_add(t, "VmStk:\t%8lu kB\n", (unsigned long)(w.stack_bytes / KB));
	text_add(t, "Threads:\t%u\n", p->nthreads);
	text_add(t, "Cpus_allowed:\t%x\n", n >= 32 ? ~0U : (1U << n) - 1);
	if (n > 1)
		text_add(t, "Cpus_allowed_list:\t0-%u\n", n - 1);
	else
		text_add(t, "Cpus_allowed_list:\t0\n");
}

/*
 * The 52 fields of Linux's do_task_stat(); what the co-kernel does not
 * keep (fault counts, times, signal masks) is 0.
 */
static void render_stat(struct cok_kcore *core, struct text *t,
			bool thread_self)
{
	struct cok_thread *th = shown_thread(core, thread_self);
	struct cok_proc *p = core->current->proc;
	struct maps_walk w;
	int i;

	maps_walk(p, &w, NULL);
	text_add(t, "%u (%s) R 1 %u %u 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 %u 0 0 ",
		 th->tid, th->comm, p->pid, p->pid, p->nthreads);
	text_add(t, "%lu %lu %lu", (unsigned long)w.bytes,
		 (unsigned long)(w.bytes / PAGE_SIZE),
		 (unsigned long)p->rlim[RLIMIT_RSS][0]);
	for (i = 26; i <= 52; i++)
		text_add(t, i == 38 ? " 17" : " 0");	/* exit_signal */
	text_add(t, "\n");
}

/* --- /proc/meminfo and sysinfo: the enclave's memory -------------------- */

static uint64_t enclave_bytes(void)
{
	return (uint64_t)cok_channel->nchunks << COK_CHUNK_SHIFT;
}

static void meminfo_line(struct text *t, const char *name, uint64_t kb)
{
	uint64_t start = t->len;

	text_add(t, "%s:", name);
	text_pad(t, start, 16);
	text_add(t, "%8lu kB\n", (unsigned long)kb);
}

static void render_meminfo(struct cok_kcore *core, struct text *t)
{
	uint64_t free_kb = mm_free_bytes() / KB;

	(void)core;
	meminfo_line(t, "MemTotal", enclave_bytes() / KB);
	meminfo_line(t, "MemFree", free_kb);
	meminfo_line(t, "MemAvailable", free_kb);
	meminfo_line(t, "Buffers", 0);
	meminfo_line(t, "Cached", 0);
	meminfo_line(t, "SwapCached", 0);
	meminfo_line(t, "SwapTotal", 0);
	meminfo_line(t, "SwapFree", 0);
	meminfo_line(t, "Hugepagesize", 2048);
}

/* struct sysinfo of x86-64 Linux. */
struct linux_sysinfo {
	int64_t uptime;
	uint64_t loads[3];
	uint64_t totalram, freeram, sharedram, bufferram;
	uint64_t totalswap, freeswap;
	uint16_t procs, pad;
	uint64_t totalhigh, freehigh;
	uint32_t mem_unit;
	char reserved[4];
};
_Static_assert(sizeof(struct linux_sysinfo) == 112, "x86-64 struct sysinfo");

/*
 * The enclave's memory in bytes (mem_unit 1); uptime is Linux's (the
 * app's CLOCK_MONOTONIC, rounded up as Linux does); no load average:
 * the co-kernel keeps none.
 */
int64_t sys_sysinfo(struct cok_kcore *core, struct cok_regs *r)
{
	struct cok_proc *p = core->current->proc;
	uint64_t ns = app_clock_ns(p, false);
	struct linux_sysinfo si;

	memset(&si, 0, sizeof(si));
	si.uptime = (int64_t)(ns / 1000000000ULL + !!(ns % 1000000000ULL));
	si.totalram = enclave_bytes();
	si.freeram = mm_free_bytes();
	si.procs = (uint16_t)p->nthreads;
	si.mem_unit = 1;
	return as_put(&p->as, r->rdi, &si, sizeof(si)) ? -EFAULT : 0;
}

/* --- opening the files the co-kernel renders ----------------------------- */

enum rendered { R_MAPS, R_STATUS, R_STAT, R_MEMINFO };

static const struct {
	const char *path;
	enum rendered what;
	bool thread_self;
} rendered_paths[] = {
	{ "/proc/self/maps", R_MAPS, false },
	{ "/proc/self/status", R_STATUS, false },
	{ "/proc/self/stat", R_STAT, false },
	{ "/proc/thread-self/maps", R_MAPS, true },
	{ "/proc/thread-self/status", R_STATUS, true },
	{ "/proc/thread-self/stat", R_STAT, true },
	{ "/proc/meminfo", R_MEMINFO, false },
};

#define RENDERED_PATH_MAX	32	/* longer than every path above */

static bool same(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/*
 * The app's path at va, if it is short enough to be one of ours: read
 * a byte at a time up to its NUL (a path may end just before an
 * unmapped page).
 */
static bool short_path(struct cok_proc *p, uint64_t va,
		       char buf[RENDERED_PATH_MAX])
{
	int i;

	for (i = 0; i < RENDERED_PATH_MAX; i++) {
		if (as_read(&p->as, &buf[i], va + i, 1))
			return false;
		if (!buf[i])
			return true;
	}
	return false;
}

static int find_rendered(struct cok_proc *p, int dirfd, uint64_t upath)
{
	char path[RENDERED_PATH_MAX];
	uint32_t i;

	if (!short_path(p, upath, path) || (path[0] != '/' && dirfd != AT_FDCWD))
		return -1;
	for (i = 0; i < ARRAY_SIZE(rendered_paths); i++)
		if (same(path, rendered_paths[i].path))
			return (int)i;
	return -1;
}

static void render(struct cok_kcore *core, int i, struct text *t)
{
	bool self = rendered_paths[i].thread_self;

	switch (rendered_paths[i].what) {
	case R_MAPS:
		render_maps(core, t);
		break;
	case R_STATUS:
		render_status(core, t, self);
		break;
	case R_STAT:
		render_stat(core, t, self);
		break;
	case R_MEMINFO:
		render_meminfo(core, t);
		break;
	}
}

/* Rendered text, handed to the proxy for an fd of its own. */
static int64_t open_rendered(struct cok_kcore *core, int i, uint64_t flags)
{
	struct cok_proc *p = core->current->proc;
	struct text t = { .p = p };
	uint64_t args[6] = { 0 };
	int64_t ret;

	if ((flags & O_ACCMODE) != 0)	/* these files are 0444 */
		return -EACCES;
	args[0] = scratch_take(core, SCRATCH_SIZE);
	if (!args[0])
		return -ENOMEM;
	render(core, i, &t);
	args[1] = t.len;
	args[2] = flags;
	ret = syscall_forward(core, COK_SYS_TEXT_FILE, args);
	scratch_give(p);
	return ret;
}

int64_t sys_open(struct cok_kcore *core, struct cok_regs *r)
{
	int i = find_rendered(core->current->proc, AT_FDCWD, r->rdi);

	if (i >= 0)
		return open_rendered(core, i, r->rsi);
	return syscall_forward_regs(core, r);
}

int64_t sys_openat(struct cok_kcore *core, struct cok_regs *r)
{
	int i = find_rendered(core->current->proc, (int)r->rdi, r->rsi);

	if (i >= 0)
		return open_rendered(core, i, r->rdx);
	return syscall_forward_regs(core, r);
}

/* --- resource limits ---------------------------------------------------- */

/*
 * The proxy's limits, once, before the process's first brk or mmap
 * (they are what a child of cokctl would inherit).  Without an answer
 * every limit stays unlimited.
 */
void rlimit_load(struct cok_kcore *core)
{
	struct cok_proc *p = core->current->proc;
	uint64_t lim[COK_RLIM_NLIMITS][2], args[6] = { 0 };
	int i;

	if (cok_read_once(&p->rlim_loaded))
		return;
	args[0] = scratch_take(core, sizeof(lim));
	if (args[0] && !cok_read_once(&p->rlim_loaded) &&
	    syscall_forward(core, COK_SYS_RLIMITS, args) == 0 &&
	    !as_read(&p->as, lim, args[0], sizeof(lim)))
		memcpy(p->rlim, lim, sizeof(lim));
	else if (!cok_read_once(&p->rlim_loaded))
		for (i = 0; i < COK_RLIM_NLIMITS; i++)
			p->rlim[i][0] = p->rlim[i][1] = RLIM_INFINITY;
	cok_write_once(&p->rlim_loaded, true);
	if (args[0])
		scratch_give(p);
}

/* Bytes of p's address space (and, in *data, outside the stack). */
static uint64_t vm_bytes(struct cok_proc *p, uint64_t *data)
{
	struct maps_walk w = { .p = p };

	as_walk(&p->as, maps_leaf, &w);
	*data = w.bytes - w.stack_bytes;
	return w.bytes;
}

/*
 * Under p->lock: may p map len more bytes of private writable memory?
 * As Linux's may_expand_vm(): not past RLIMIT_AS, nor, for data, past
 * RLIMIT_DATA.  The walk is made only when a limit is set.
 */
bool rlimit_vm_ok(struct cok_proc *p, uint64_t len)
{
	uint64_t as = p->rlim[RLIMIT_AS][0], data = p->rlim[RLIMIT_DATA][0];
	uint64_t total, in_data;

	if (as == RLIM_INFINITY && data == RLIM_INFINITY)
		return true;
	total = vm_bytes(p, &in_data);
	return total + len <= as && in_data + len <= data;
}

/* The lowest address the main stack may grow to (RLIMIT_STACK). */
uint64_t rlimit_stack_bottom(const struct cok_proc *p)
{
	uint64_t lim = p->rlim[RLIMIT_STACK][0];

	if (!cok_read_once(&p->rlim_loaded))	/* not yet: Linux's 8 MiB */
		lim = COK_USER_STACK_SIZE;

	if (lim > COK_USER_STACK_SIZE)
		lim = COK_USER_STACK_SIZE;
	return COK_USER_STACK_TOP - (lim & ~(PAGE_SIZE - 1));
}

/* new of resource for p, as Linux's do_prlimit(); old gets the one before. */
static int64_t do_prlimit(struct cok_kcore *core, uint32_t res,
			  const uint64_t *new, uint64_t *old)
{
	struct cok_proc *p = core->current->proc;
	uint64_t no_args[6] = { 0 };

	if (res >= COK_RLIM_NLIMITS)
		return -EINVAL;
	if (new && new[0] > new[1])
		return -EINVAL;
	rlimit_load(core);
	/* A raise of the hard limit takes CAP_SYS_RESOURCE: root, here. */
	if (new && new[1] > p->rlim[res][1] &&
	    syscall_forward(core, SYS_geteuid, no_args) != 0)
		return -EPERM;
	spin_lock(&p->lock);
	if (old) {
		old[0] = p->rlim[res][0];
		old[1] = p->rlim[res][1];
	}
	if (new) {
		p->rlim[res][0] = new[0];
		p->rlim[res][1] = new[1];
	}
	spin_unlock(&p->lock);
	return 0;
}

/* prlimit64(pid, resource, new, old): pid 0 or the app's own. */
int64_t sys_prlimit64(struct cok_kcore *core, struct cok_regs *r)
{
	struct cok_proc *p = core->current->proc;
	uint32_t pid = (uint32_t)r->rdi, res = (uint32_t)r->rsi;
	uint64_t new[2], old[2];
	int64_t ret;

	if (r->rdx && as_read(&p->as, new, r->rdx, sizeof(new)))
		return -EFAULT;
	if (pid && pid != p->pid && !proc_find_thread(p, pid))
		return -ESRCH;
	if (res == RLIMIT_NOFILE) {
		uint64_t args[6] = { 0, res, r->rdx, r->r10, 0, 0 };

		return syscall_forward(core, SYS_prlimit64, args);
	}
	ret = do_prlimit(core, res, r->rdx ? new : NULL, r->r10 ? old : NULL);
	if (!ret && r->r10 && as_put(&p->as, r->r10, old, sizeof(old)))
		return -EFAULT;
	return ret;
}

int64_t sys_getrlimit(struct cok_kcore *core, struct cok_regs *r)
{
	struct cok_proc *p = core->current->proc;
	uint64_t old[2];
	int64_t ret;

	if ((uint32_t)r->rdi == RLIMIT_NOFILE)
		return syscall_forward_regs(core, r);
	ret = do_prlimit(core, (uint32_t)r->rdi, NULL, old);
	if (!ret && as_put(&p->as, r->rsi, old, sizeof(old)))
		return -EFAULT;
	return ret;
}

int64_t sys_setrlimit(struct cok_kcore *core, struct cok_regs *r)
{
	struct cok_proc *p = core->current->proc;
	uint64_t new[2];

	if (as_read(&p->as, new, r->rsi, sizeof(new)))
		return -EFAULT;
	if ((uint32_t)r->rdi == RLIMIT_NOFILE)
		return syscall_forward_regs(core, r);
	return do_prlimit(core, (uint32_t)r->rdi, new, NULL);
}

/* --- prctl -------------------------------------------------------------- */

#define PR_SET_PDEATHSIG	1
#define PR_GET_PDEATHSIG	2
#define PR_GET_DUMPABLE		3
#define PR_SET_DUMPABLE		4
#define PR_GET_KEEPCAPS		7
#define PR_SET_KEEPCAPS		8
#define PR_SET_NAME		15
#define PR_GET_NAME		16
#define PR_GET_SECCOMP		21
#define PR_CAPBSET_READ		23
#define PR_SET_TIMERSLACK	29
#define PR_GET_TIMERSLACK	30
#define PR_MCE_KILL_GET		34
#define PR_SET_CHILD_SUBREAPER	36
#define PR_GET_CHILD_SUBREAPER	37
#define PR_SET_NO_NEW_PRIVS	38
#define PR_GET_NO_NEW_PRIVS	39
#define PR_GET_TID_ADDRESS	40
#define PR_SET_THP_DISABLE	41
#define PR_GET_THP_DISABLE	42
#define CAP_LAST_CAP		40
#define MCE_KILL_DEFAULT	2
#define TIMER_SLACK_NS		50000	/* Linux's default */
#define NSIG			64

static int64_t put_int(struct cok_proc *p, uint64_t va, int32_t v)
{
	return as_put(&p->as, va, &v, sizeof(v)) ? -EFAULT : 0;
}

/* PR_SET_NAME: up to 15 bytes and a NUL, as strncpy_from_user. */
static int64_t set_name(struct cok_thread *t, uint64_t va)
{
	char name[COK_COMM_LEN];
	int i;

	memset(name, 0, sizeof(name));
	for (i = 0; i < COK_COMM_LEN - 1; i++) {
		if (as_read(&t->proc->as, &name[i], va + i, 1))
			return -EFAULT;
		if (!name[i])
			break;
	}
	memcpy(t->comm, name, sizeof(name));
	return 0;
}

/* The options that take and return flags of the calling thread. */
static int64_t prctl_flags(struct cok_thread *t, uint64_t op,
			   const uint64_t *a)
{
	struct cok_proc *p = t->proc;

	switch (op) {
	case PR_GET_DUMPABLE:
		return !p->not_dumpable;
	case PR_SET_DUMPABLE:
		if (a[0] > 1)
			return -EINVAL;
		p->not_dumpable = !a[0];
		return 0;
	case PR_GET_KEEPCAPS:
		return t->keepcaps;
	case PR_SET_KEEPCAPS:
		if (a[0] > 1)
			return -EINVAL;
		t->keepcaps = a[0];
		return 0;
	case PR_SET_NO_NEW_PRIVS:
		if (a[0] != 1 || a[1] || a[2] || a[3])
			return -EINVAL;
		t->no_new_privs = true;
		return 0;
	case PR_GET_NO_NEW_PRIVS:
		if (a[0] || a[1] || a[2] || a[3])
			return -EINVAL;
		return t->no_new_privs;
	case PR_SET_THP_DISABLE:
		if (a[1] || a[2] || a[3])
			return -EINVAL;
		p->thp_disable = !!a[0];
		return 0;
	case PR_GET_THP_DISABLE:
		if (a[0] || a[1] || a[2] || a[3])
			return -EINVAL;
		return p->thp_disable;
	default:
		return -EINVAL;
	}
}

/*
 * prctl(option, arg2..arg5): the calls with an effect inside one
 * process are kept and answered as Linux would; the rest are EINVAL,
 * Linux's answer for an option it does not know.
 */
int64_t sys_prctl(struct cok_kcore *core, struct cok_regs *r)
{
	struct cok_thread *t = core->current;
	const uint64_t a[4] = { r->rsi, r->rdx, r->r10, r->r8 };

	switch (r->rdi) {
	case PR_SET_PDEATHSIG:
		if (a[0] > NSIG)
			return -EINVAL;
		t->pdeathsig = (int32_t)a[0];
		return 0;
	case PR_GET_PDEATHSIG:
		return put_int(t->proc, a[0], t->pdeathsig);
	case PR_SET_NAME:
		return set_name(t, a[0]);
	case PR_GET_NAME:
		return as_put(&t->proc->as, a[0], t->comm, COK_COMM_LEN) ?
		       -EFAULT : 0;
	case PR_GET_SECCOMP:
		return 0;
	case PR_CAPBSET_READ:
		return a[0] <= CAP_LAST_CAP ? 1 : -EINVAL;
	case PR_SET_TIMERSLACK:
		t->timer_slack_ns = (int64_t)a[0] <= 0 ? TIMER_SLACK_NS : a[0];
		return 0;
	case PR_GET_TIMERSLACK:
		return t->timer_slack_ns ? t->timer_slack_ns : TIMER_SLACK_NS;
	case PR_MCE_KILL_GET:
		if (a[0] || a[1] || a[2])
			return -EINVAL;
		return MCE_KILL_DEFAULT;
	case PR_SET_CHILD_SUBREAPER:
		t->proc->subreaper = !!a[0];
		return 0;
	case PR_GET_CHILD_SUBREAPER:
		return put_int(t->proc, a[0], t->proc->subreaper);
	case PR_GET_TID_ADDRESS:
		return as_put(&t->proc->as, a[0], &t->clear_child_tid,
			      sizeof(t->clear_child_tid)) ? -EFAULT : 0;
	default:
		return prctl_flags(t, r->rdi, a);
	}
}

/* A new thread of a pool slot: no name, no prctl state (clone copies). */
void sysinfo_thread_reset(struct cok_thread *t)
{
	memset(t->comm, 0, sizeof(t->comm));
	t->pdeathsig = 0;
	t->keepcaps = false;
	t->no_new_privs = false;
	t->timer_slack_ns = 0;
	t->inner_call = false;
}

/*
 * The name a new program's first thread gets, as Linux's: the last
 * component of the path it was started with, at most 15 bytes.
 */
void sysinfo_set_comm(struct cok_thread *t, const char *argv0)
{
	const char *base = argv0, *s;
	int i;

	for (s = argv0; *s; s++)
		if (*s == '/' && s[1])
			base = s + 1;
	memset(t->comm, 0, sizeof(t->comm));
	for (i = 0; i < COK_COMM_LEN - 1 && base[i] && base[i] != '/'; i++)
		t->comm[i] = base[i];
}
