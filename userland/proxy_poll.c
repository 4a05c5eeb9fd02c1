// SPDX-License-Identifier: GPL-2.0
/*
 * Forwarded calls of the app on pipes and on fds it waits for: pipe,
 * poll and select, epoll, eventfd, and the copies between two fds
 * (sendfile, copy_file_range).  Included by proxy_syscalls.c, whose
 * helpers (the bounce buffer, in_arg(), hidden()) these use: its table
 * takes their static handlers.
 *
 * Each call runs natively on the proxy's own copies of the app's
 * pollfd array, fd_sets, epoll_event array and offsets, which go back
 * to the app as Linux's do.  The proxy's own fds are closed ones to the
 * app: POLLNVAL in a poll set, EBADF in a select set or as an epoll fd
 * or target.  A call that blocks blocks one server of the pool
 * (proxy.c): the app's other threads have theirs.
 *
 * The signal mask of ppoll, pselect6 and epoll_pwait is checked as
 * Linux checks it (its size, that it can be read) but not applied to
 * the proxy: the app's signals are the co-kernel's (docs/signals.md).
 */
#include <poll.h>
#include <sys/resource.h>
#include <sys/select.h>

/* struct epoll_event is packed on x86-64: 12 bytes. */
#define EPOLL_EVENT_SIZE	12
#define EP_MAX_EVENTS		(INT_MAX / EPOLL_EVENT_SIZE)
/* The kernel's sigset_t: the size the *_pwait and ppoll calls take. */
#define KSIGSET_SIZE		8
#define COK_SYS_epoll_pwait2	441

/* --- pipes and eventfd ---------------------------------------------------- */

/* Two new fds into the app's int[2]; if it cannot take them, none. */
static int64_t put_fd_pair(struct cok_proxy *p, uint64_t ufds, long r,
			   const int fds[2])
{
	if (r < 0)
		return -errno;
	if (put(p, ufds, fds, 2 * sizeof(int))) {
		close(fds[0]);
		close(fds[1]);
		return -EFAULT;
	}
	return 0;
}

static int64_t sc_pipe(struct cok_proxy *p, const uint64_t *a)
{
	int fds[2];

	return put_fd_pair(p, a[0], syscall(SYS_pipe2, fds, 0L), fds);
}

static int64_t sc_pipe2(struct cok_proxy *p, const uint64_t *a)
{
	int fds[2];

	return put_fd_pair(p, a[0], syscall(SYS_pipe2, fds,
					    (long)arg_int(a[1])), fds);
}

static int64_t sc_eventfd(struct cok_proxy *p, const uint64_t *a)
{
	(void)p;
	return sys_ret(syscall(SYS_eventfd, (long)(uint32_t)a[0]));
}

static int64_t sc_eventfd2(struct cok_proxy *p, const uint64_t *a)
{
	(void)p;
	return sys_ret(syscall(SYS_eventfd2, (long)(uint32_t)a[0],
			       (long)arg_int(a[1])));
}

/* --- poll ----------------------------------------------------------------- */

/*
 * The signal mask argument of ppoll, pselect6 and epoll_pwait, checked
 * as Linux does before anything else: its size, then that it can be
 * read.  *mask: NULL (none) or own, the proxy thread's own mask.
 */
static int sigmask_arg(struct cok_proxy *p, uint64_t umask, uint64_t size,
		       uint64_t *own, void **mask)
{
	uint64_t app;

	*mask = NULL;
	if (!umask)
		return 0;
	if (size != KSIGSET_SIZE)
		return -EINVAL;
	if (cok_appmem_read(&p->mem, &app, umask, sizeof(app)))
		return -EFAULT;
	syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, own, (long)KSIGSET_SIZE);
	*mask = own;
	return 0;
}

/* The app's timespec at va (none if 0): 0, -EFAULT or -EINVAL. */
static int get_timeout(struct cok_proxy *p, uint64_t va, struct timespec *ts,
		       struct timespec **tmo)
{
	*tmo = NULL;
	if (!va)
		return 0;
	if (cok_appmem_read(&p->mem, ts, va, sizeof(*ts)))
		return -EFAULT;
	if (ts->tv_sec < 0 || (unsigned long)ts->tv_nsec >= 1000000000UL)
		return -EINVAL;
	*tmo = ts;
	return 0;
}

/* Room for n bytes: the bounce buffer, or (too large for it) malloc. */
static void *scratch(size_t n)
{
	if (bounce_init())
		return NULL;
	return n <= BOUNCE_SIZE ? bounce : malloc(n);
}

static void scratch_free(void *b)
{
	if (b != bounce)
		free(b);
}

/*
 * The app's pollfd array copied in, its hidden fds made -1 (ignored by
 * the host call) and counted: those are POLLNVAL to the app.
 */
static int poll_in(struct cok_proxy *p, struct pollfd *fds, uint64_t ufds,
		   uint64_t nfds, bool *hid)
{
	uint64_t i;
	int n = 0;

	if (cok_appmem_read(&p->mem, fds, ufds, nfds * sizeof(*fds)))
		return -EFAULT;
	for (i = 0; i < nfds; i++) {
		hid[i] = hidden(p, fds[i].fd);
		if (hid[i]) {
			fds[i].fd = -1;
			n++;
		}
	}
	return n;
}

/* revents back to the app (the whole entries, with its own fds). */
static int64_t poll_out(struct cok_proxy *p, struct pollfd *fds,
			uint64_t ufds, uint64_t nfds, const bool *hid, long r)
{
	uint64_t i;

	for (i = 0; i < nfds; i++) {
		if (!hid[i])
			continue;
		/* The app's fd number again; POLLNVAL as for a closed fd. */
		cok_appmem_read(&p->mem, &fds[i].fd, ufds + i * sizeof(*fds),
				sizeof(fds[i].fd));
		fds[i].revents = POLLNVAL;
		r++;
	}
	if (put(p, ufds, fds, nfds * sizeof(*fds)))
		return -EFAULT;
	return r;
}

/* How poll_common() waits: poll's ms, or ppoll's timespec and mask. */
struct poll_wait {
	bool ppoll;
	int ms;
	struct timespec *tmo;	/* NULL: no limit */
	void *mask;
};

/*
 * poll and ppoll.  A hidden fd in the set makes the call return at
 * once, as a closed fd does.
 */
static int64_t poll_common(struct cok_proxy *p, uint64_t ufds, uint64_t nfds,
			   const struct poll_wait *w)
{
	struct timespec zero = { 0, 0 };
	struct rlimit rl;
	struct pollfd *fds;
	bool *hid;
	int nhid;
	long r;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && nfds > rl.rlim_cur)
		return -EINVAL;
	fds = scratch(nfds * (sizeof(*fds) + sizeof(bool)));
	if (!fds)
		return -ENOMEM;
	hid = (bool *)(fds + nfds);
	nhid = poll_in(p, fds, ufds, nfds, hid);
	if (nhid < 0) {
		scratch_free(fds);
		return nhid;
	}
	if (!w->ppoll)
		r = syscall(SYS_poll, fds, (long)nfds, nhid ? 0L : (long)w->ms);
	else
		r = syscall(SYS_ppoll, fds, (long)nfds, nhid ? &zero : w->tmo,
			    w->mask, (long)KSIGSET_SIZE);
	r = r < 0 ? -errno : poll_out(p, fds, ufds, nfds, hid, r);
	scratch_free(fds);
	return r;
}

static int64_t sc_poll(struct cok_proxy *p, const uint64_t *a)
{
	struct poll_wait w = { .ppoll = false, .ms = arg_int(a[2]) };

	return poll_common(p, a[0], (uint32_t)a[1], &w);
}

/* Linux's ppoll writes the time left back (a failure there is ignored). */
static int64_t sc_ppoll(struct cok_proxy *p, const uint64_t *a)
{
	struct poll_wait w = { .ppoll = true };
	struct timespec ts;
	uint64_t own;
	int64_t r;

	r = get_timeout(p, a[2], &ts, &w.tmo);
	if (!r)
		r = sigmask_arg(p, a[3], a[4], &own, &w.mask);
	if (r)
		return r;
	r = poll_common(p, a[0], (uint32_t)a[1], &w);
	if (w.tmo)
		put(p, a[2], &ts, sizeof(ts));
	return r;
}

/* --- select --------------------------------------------------------------- */

#define FDSET_WORD_BITS		64

/*
 * Linux looks at no more fds than its fd table has room for (at least
 * 1024 in the proxy: its own fds sit just below 1024, see proxy.c).
 */
static uint64_t select_max_fds(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur < 1024)
		return 1024;
	return rl.rlim_cur < (1U << 20) ? rl.rlim_cur : (1U << 20);
}

/* A proxy fd set in one of the sets: EBADF, as a closed fd is. */
static bool select_hidden(struct cok_proxy *p, uint64_t *const set[3],
			  uint64_t words)
{
	uint64_t w, bits;
	int k;

	for (k = 0; k < 3; k++) {
		for (w = 0; set[k] && w < words; w++) {
			for (bits = set[k][w]; bits; bits &= bits - 1) {
				int fd = (int)(w * FDSET_WORD_BITS) +
					 __builtin_ctzll(bits);

				if (hidden(p, fd))
					return true;
			}
		}
	}
	return false;
}

/*
 * select and pselect6 on the proxy's copies of the three sets; tmo and
 * mask are the host call's own (their checks and time left are done by
 * the callers).  Linux writes each set back once the wait returned.
 */
static int64_t select_common(struct cok_proxy *p, const uint64_t *a,
			     long nr, void *tmo, void *sig6)
{
	uint64_t *set[3] = { NULL, NULL, NULL };
	int n = arg_int(a[0]);
	uint64_t words, bytes;
	int k;
	long r;

	if (n < 0)
		return -EINVAL;
	if ((uint64_t)n > select_max_fds())
		n = (int)select_max_fds();
	words = ((uint64_t)n + FDSET_WORD_BITS - 1) / FDSET_WORD_BITS;
	bytes = words * sizeof(uint64_t);
	if (bounce_init())
		return -ENOMEM;
	for (k = 0; k < 3; k++) {
		if (!a[1 + k])
			continue;
		set[k] = (uint64_t *)bounce + k * words;
		if (cok_appmem_read(&p->mem, set[k], a[1 + k], bytes))
			return -EFAULT;
	}
	if (select_hidden(p, set, words))
		return -EBADF;
	if (nr == SYS_select)
		r = syscall(SYS_select, (long)n, set[0], set[1], set[2], tmo);
	else
		r = syscall(SYS_pselect6, (long)n, set[0], set[1], set[2], tmo,
			    sig6);
	if (r < 0)
		return -errno;
	for (k = 0; k < 3; k++) {
		if (set[k] && put(p, a[1 + k], set[k], bytes))
			return -EFAULT;
	}
	return r;
}

/* select's timeval: the host checks it and leaves the time left in it. */
static int64_t sc_select(struct cok_proxy *p, const uint64_t *a)
{
	struct timeval tv;
	int64_t r;

	if (a[4] && cok_appmem_read(&p->mem, &tv, a[4], sizeof(tv)))
		return -EFAULT;
	/* As kern_select(): whole seconds carried, then a valid timespec. */
	if (a[4] && (tv.tv_sec + tv.tv_usec / 1000000 < 0 ||
		     tv.tv_usec % 1000000 < 0))
		return -EINVAL;
	r = select_common(p, a, SYS_select, a[4] ? &tv : NULL, NULL);
	if (a[4])	/* the time left, as the host left it */
		put(p, a[4], &tv, sizeof(tv));
	return r;
}

/* pselect6's sixth argument: { const sigset_t *ss; size_t ss_len; }. */
static int64_t sc_pselect6(struct cok_proxy *p, const uint64_t *a)
{
	struct { uint64_t ss, len; } app, own_arg;
	struct timespec ts, *tmo;
	uint64_t own;
	void *mask = NULL;
	int64_t r;

	/* As sys_pselect6(): the pair, the timeout, then the mask. */
	if (a[5] && cok_appmem_read(&p->mem, &app, a[5], sizeof(app)))
		return -EFAULT;
	r = get_timeout(p, a[4], &ts, &tmo);
	if (!r && a[5])
		r = sigmask_arg(p, app.ss, app.len, &own, &mask);
	if (r)
		return r;
	own_arg.ss = (uint64_t)(uintptr_t)mask;
	own_arg.len = KSIGSET_SIZE;
	r = select_common(p, a, SYS_pselect6, tmo, mask ? &own_arg : NULL);
	if (tmo)
		put(p, a[4], &ts, sizeof(ts));
	return r;
}

/* --- epoll ---------------------------------------------------------------- */

static int64_t sc_epoll_create(struct cok_proxy *p, const uint64_t *a)
{
	(void)p;
	return sys_ret(syscall(SYS_epoll_create, (long)arg_int(a[0])));
}

static int64_t sc_epoll_create1(struct cok_proxy *p, const uint64_t *a)
{
	(void)p;
	return sys_ret(syscall(SYS_epoll_create1, (long)arg_int(a[0])));
}

static int64_t sc_epoll_ctl(struct cok_proxy *p, const uint64_t *a)
{
	int epfd = arg_int(a[0]), op = arg_int(a[1]), fd = arg_int(a[2]);
	uint8_t ev[EPOLL_EVENT_SIZE];
	void *evp = NULL;

	if (op != EPOLL_CTL_DEL) {
		evp = in_arg(p, a[3], ev, sizeof(ev));
		if (evp != ev)
			return -EFAULT;
	}
	if (hidden(p, epfd) || hidden(p, fd))
		return -EBADF;
	return sys_ret(syscall(SYS_epoll_ctl, (long)epfd, (long)op, (long)fd,
			       evp));
}

/* How epoll_wait_common() waits: epoll_pwait's ms, or epoll_pwait2's. */
struct epoll_how {
	void *mask;
	bool pwait2;
	struct timespec *ts;	/* epoll_pwait2's timeout, NULL: none */
};

/*
 * The events go to the proxy's buffer, then to the app's: no more than
 * the app can take (a write fault there loses none of them).
 */
static int64_t epoll_wait_common(struct cok_proxy *p, const uint64_t *a,
				 const struct epoll_how *w)
{
	int epfd = arg_int(a[0]), max = arg_int(a[2]);
	uint64_t len, n;
	long r;

	if (max <= 0 || max > EP_MAX_EVENTS)
		return -EINVAL;
	len = (uint64_t)max * EPOLL_EVENT_SIZE;
	if (!cok_user_range_ok(a[1], len))
		return -EFAULT;
	if (hidden(p, epfd))
		return -EBADF;
	if (bounce_init())
		return -ENOMEM;
	if (len > BOUNCE_SIZE)
		len = BOUNCE_SIZE;
	n = cok_appmem_probe(&p->mem, a[1], len, COK_ACC_WRITE) /
	    EPOLL_EVENT_SIZE;
	if (!n)
		return -EFAULT;
	if (w->pwait2)
		r = syscall(COK_SYS_epoll_pwait2, (long)epfd, bounce, (long)n,
			    w->ts, w->mask, (long)KSIGSET_SIZE);
	else
		r = syscall(SYS_epoll_pwait, (long)epfd, bounce, (long)n,
			    (long)arg_int(a[3]), w->mask, (long)KSIGSET_SIZE);
	if (r > 0 && put(p, a[1], bounce, (size_t)r * EPOLL_EVENT_SIZE))
		return -EFAULT;
	return sys_ret(r);
}

static int64_t sc_epoll_wait(struct cok_proxy *p, const uint64_t *a)
{
	struct epoll_how w = { NULL, false, NULL };

	return epoll_wait_common(p, a, &w);
}

static int64_t sc_epoll_pwait(struct cok_proxy *p, const uint64_t *a)
{
	struct epoll_how w = { NULL, false, NULL };
	uint64_t own;
	int r = sigmask_arg(p, a[4], a[5], &own, &w.mask);

	return r ? r : epoll_wait_common(p, a, &w);
}

/* The timeout first, then the mask; no time left is written back. */
static int64_t sc_epoll_pwait2(struct cok_proxy *p, const uint64_t *a)
{
	struct epoll_how w = { NULL, true, NULL };
	struct timespec ts;
	uint64_t own;
	int r = get_timeout(p, a[3], &ts, &w.ts);

	if (!r)
		r = sigmask_arg(p, a[4], a[5], &own, &w.mask);
	return r ? r : epoll_wait_common(p, a, &w);
}

/* --- copies between fds --------------------------------------------------- */

/* An optional loff_t of the app: 0, or -EFAULT. */
static int get_off(struct cok_proxy *p, uint64_t va, int64_t *off,
		   int64_t **ptr)
{
	*ptr = NULL;
	if (!va)
		return 0;
	if (cok_appmem_read(&p->mem, off, va, sizeof(*off)))
		return -EFAULT;
	*ptr = off;
	return 0;
}

/* Linux writes the offset back whatever the copy's result. */
static int64_t sc_sendfile(struct cok_proxy *p, const uint64_t *a)
{
	int out = arg_int(a[0]), in = arg_int(a[1]);
	int64_t off, *offp;
	long r;

	if (get_off(p, a[2], &off, &offp))
		return -EFAULT;
	if (hidden(p, out) || hidden(p, in))
		return -EBADF;
	r = sys_ret(syscall(SYS_sendfile, (long)out, (long)in, offp,
			    (long)a[3]));
	if (offp && put(p, a[2], &off, sizeof(off)))
		return -EFAULT;
	return r;
}

/* The fds first, then the offsets; those go back after a copy only. */
static int64_t sc_copy_file_range(struct cok_proxy *p, const uint64_t *a)
{
	int in = arg_int(a[0]), out = arg_int(a[2]);
	int64_t off_in, off_out, *pin, *pout;
	long r;

	if (hidden(p, in) || hidden(p, out))
		return -EBADF;
	if (get_off(p, a[1], &off_in, &pin) ||
	    get_off(p, a[3], &off_out, &pout))
		return -EFAULT;
	r = syscall(SYS_copy_file_range, (long)in, pin, (long)out, pout,
		    (long)a[4], (long)(uint32_t)a[5]);
	if (r <= 0)
		return sys_ret(r);
	if ((pin && put(p, a[1], &off_in, sizeof(off_in))) ||
	    (pout && put(p, a[3], &off_out, sizeof(off_out))))
		return -EFAULT;
	return r;
}
