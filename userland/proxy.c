// SPDX-License-Identifier: GPL-2.0
/*
 * The proxy's event loop: COK_IOC_WAIT for the app's next forwarded
 * system call or its end, run the call, COK_IOC_REPLY, again.  One
 * round trip is two ioctls and the call itself: nothing is allocated or
 * printed on the way unless --trace asked for it.
 *
 * A multi-threaded app gets a pool of servers, as McKernel's mcexec
 * has: when a call is handed out, the app has more threads than there
 * are servers and none of them is idle, one more server thread starts,
 * with a device file of its own bound to the app (COK_IOC_JOIN).  So a
 * thread blocked in a forwarded call (a read of a terminal or a pipe)
 * does not hold up the others' calls.  The servers share the fd table,
 * as the app's threads do (CLONE_FILES).  The first server to see the
 * app's end reports it; the process ends with it.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/resource.h>

#include "cokctl.h"
#include "proxy.h"
#include "../xemem/cokdev.h"

/* The proxy's own fds go just below this (or below RLIMIT_NOFILE). */
#define HIDE_FD_TOP	1024

static volatile sig_atomic_t stop_sig;
static int kill_fd = -1;

/* The server pool (see above); counts are atomics or under pool_lock. */
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static int pool_fds[COK_PROXY_MAX_SERVERS];	/* the servers' files */
static uint32_t nservers = 1;
static uint32_t nidle;		/* servers waiting in COK_IOC_WAIT */
static uint32_t app_ended;	/* 1 once a server took the app's end */
static uint64_t ncalls_all;	/* forwarded calls served by the pool */

static void on_stop(int sig)
{
	int saved = errno;

	if (!stop_sig)
		stop_sig = sig;
	/* Ends the app now: WAIT then reports it, or fails with EINTR. */
	if (kill_fd >= 0)
		ioctl(kill_fd, COK_IOC_KILL);
	errno = saved;
}

void cok_proxy_signals(int devfd)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa, old;
	unsigned int i;

	kill_fd = devfd;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaddset(&sa.sa_mask, sigs[i]);
	sa.sa_flags = 0;	/* no SA_RESTART: WAIT and the app's calls see EINTR */
	for (i = 0; i < ARRAY_SIZE(sigs); i++) {
		/* An ignored signal (nohup, a background job) stays ignored. */
		if (!sigaction(sigs[i], NULL, &old) && old.sa_handler == SIG_IGN)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
}

int cok_proxy_stop_signal(void)
{
	return stop_sig;
}

/*
 * Once the app runs, the signals a shell or a batch system sends to
 * cokctl are the app's: each one goes to the module with the siginfo it
 * came with (COK_IOC_SIGNAL), and the app's disposition decides.  They
 * are blocked in every thread but one, which takes them with
 * sigwaitinfo() and passes them on through a file of its own, joined to
 * the app and never waiting, so that it never queues behind a server's
 * COK_IOC_WAIT and never keeps a server from answering the app (a
 * freeze waits for the app's forwarded call).  A stop signal the app
 * leaves at its default freezes the app (the module answers 1): cokctl
 * then stops itself like a job, and SIGCONT (fg) thaws the app.  SIGKILL
 * of cokctl ends the app (its files close); SIGSTOP stops cokctl alone.
 */
static const int forwarded_sigs[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGTERM,
	SIGWINCH, SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU, SIGURG, SIGXCPU,
	SIGXFSZ, SIGVTALRM, SIGPROF, SIGPWR,
};
static int sig_fd = -1;
static sigset_t forwarded_set;

static void forward_one(const siginfo_t *si)
{
	struct cok_ioc_signal s = {
		.signo = (uint32_t)si->si_signo,
		.code = si->si_code,
		.pid = si->si_pid,
		.uid = si->si_uid,
		.value = (uint64_t)(uintptr_t)si->si_value.sival_ptr,
	};

	if (s.code > 0) {		/* the kernel's own: Ctrl-C, CLD_* */
		s.code = SI_KERNEL;
		s.pid = 0;
		s.uid = 0;
	}
	if (ioctl(sig_fd, COK_IOC_SIGNAL, &s) == 1)
		kill(getpid(), SIGSTOP);	/* the app is frozen: a job */
}

static void *signal_thread(void *arg)
{
	siginfo_t si;

	(void)arg;
	for (;;)
		if (sigwaitinfo(&forwarded_set, &si) > 0)
			forward_one(&si);
	return NULL;
}

/* A signal ignored when cokctl started (nohup, a background job). */
static bool ignored_at_start(int sig)
{
	struct sigaction old;

	return sig != SIGTSTP && !sigaction(sig, NULL, &old) &&
	       old.sa_handler == SIG_IGN;
}

static void forward_signals(const struct cok_proxy *p)
{
	int fd = open(COK_DEV_PATH, O_RDWR | O_CLOEXEC);
	pthread_attr_t attr;
	pthread_t tid;
	unsigned int i;
	int sig;

	if (fd >= 0)
		fd = cok_proxy_hide_fd(fd);
	if (fd < 0 || ioctl(fd, COK_IOC_JOIN, &p->devfd) < 0) {
		if (fd >= 0)
			close(fd);
		return;		/* an older module: SIGINT/TERM/HUP end it */
	}
	sig_fd = fd;
	sigemptyset(&forwarded_set);
	for (i = 0; i < ARRAY_SIZE(forwarded_sigs); i++)
		if (!ignored_at_start(forwarded_sigs[i]))
			sigaddset(&forwarded_set, forwarded_sigs[i]);
	for (sig = SIGRTMIN; sig <= SIGRTMAX; sig++)
		sigaddset(&forwarded_set, sig);
	/* Before any server thread: they inherit the mask. */
	pthread_sigmask(SIG_BLOCK, &forwarded_set, NULL);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&tid, &attr, signal_thread, NULL))
		pthread_sigmask(SIG_UNBLOCK, &forwarded_set, NULL);
	pthread_attr_destroy(&attr);
}

const char *cok_signal_name(int sig)
{
	static const char *const names[] = {
		[SIGHUP] = "SIGHUP", [SIGINT] = "SIGINT", [SIGQUIT] = "SIGQUIT",
		[SIGILL] = "SIGILL", [SIGTRAP] = "SIGTRAP", [SIGABRT] = "SIGABRT",
		[SIGBUS] = "SIGBUS", [SIGFPE] = "SIGFPE", [SIGKILL] = "SIGKILL",
		[SIGUSR1] = "SIGUSR1", [SIGSEGV] = "SIGSEGV",
		[SIGUSR2] = "SIGUSR2", [SIGPIPE] = "SIGPIPE",
		[SIGALRM] = "SIGALRM", [SIGTERM] = "SIGTERM",
		[SIGSTKFLT] = "SIGSTKFLT", [SIGCHLD] = "SIGCHLD",
		[SIGCONT] = "SIGCONT", [SIGSTOP] = "SIGSTOP",
		[SIGTSTP] = "SIGTSTP", [SIGTTIN] = "SIGTTIN",
		[SIGTTOU] = "SIGTTOU", [SIGURG] = "SIGURG",
		[SIGXCPU] = "SIGXCPU", [SIGXFSZ] = "SIGXFSZ",
		[SIGVTALRM] = "SIGVTALRM", [SIGPROF] = "SIGPROF",
		[SIGWINCH] = "SIGWINCH", [SIGIO] = "SIGIO", [SIGPWR] = "SIGPWR",
		[SIGSYS] = "SIGSYS",
	};

	if (sig > 0 && (unsigned int)sig < ARRAY_SIZE(names))
		return names[sig];
	return NULL;
}

uint64_t cok_proxy_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int cok_proxy_hide_fd(int fd)
{
	struct rlimit rl;
	int top = HIDE_FD_TOP, target, nfd;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < (rlim_t)top)
		top = (int)rl.rlim_cur;
	/* The highest free number: F_DUPFD takes the lowest at or above. */
	for (target = top - 1; target > fd; target--) {
		if (fcntl(target, F_GETFD) < 0 && errno == EBADF)
			break;
	}
	if (target <= fd)
		return fd;	/* nowhere higher: keep it where it is */
	nfd = fcntl(fd, F_DUPFD_CLOEXEC, target);
	if (nfd < 0)
		return -errno;
	close(fd);
	return nfd;
}

bool cok_proxy_private_fd(const struct cok_proxy *p, int fd)
{
	uint32_t i, n = __atomic_load_n(&nservers, __ATOMIC_ACQUIRE);

	if (fd < 0)
		return false;
	if (fd == p->devfd || fd == p->errfd)
		return true;
	for (i = 0; n > 1 && i < n && i < COK_PROXY_MAX_SERVERS; i++)
		if (__atomic_load_n(&pool_fds[i], __ATOMIC_RELAXED) == fd)
			return true;
	return false;
}

static void trace_call(const struct cok_proxy *p,
		       const struct cok_ioc_event *ev, int64_t ret)
{
	const char *name = cok_proxy_syscall_name(ev->nr);
	char num[24];

	if (!name) {
		snprintf(num, sizeof(num), "syscall_%" PRIu64, (uint64_t)ev->nr);
		name = num;
	}
	dprintf(p->errfd,
		"cokctl: app %" PRIu32 ": %s(%#" PRIx64 ", %#" PRIx64 ", %#"
		PRIx64 ", %#" PRIx64 ") = %" PRId64 "%s%s\n", p->app_id, name,
		(uint64_t)ev->arg[0], (uint64_t)ev->arg[1],
		(uint64_t)ev->arg[2], (uint64_t)ev->arg[3], ret,
		ret < 0 && ret >= -4095 ? " " : "",
		ret < 0 && ret >= -4095 ? strerror((int)-ret) : "");
}

static int fault_exit(const struct cok_proxy *p,
		      const struct cok_ioc_event *ev)
{
	int sig = (int)ev->signal;
	const char *name = cok_signal_name(sig);
	char num[24];

	if (!name) {
		snprintf(num, sizeof(num), "signal %d", sig);
		name = num;
	}
	if (ev->fault_vector == COK_FAULT_NONE)	/* a signal's default */
		dprintf(p->errfd, "cokctl: app %" PRIu32 " killed: %s\n",
			p->app_id, name);
	else
		dprintf(p->errfd,
			"cokctl: app %" PRIu32 " killed: %s (vector %" PRIu64
			" at rip 0x%" PRIx64 " address 0x%" PRIx64 ")\n",
			p->app_id, name, (uint64_t)ev->fault_vector,
			(uint64_t)ev->fault_rip, (uint64_t)ev->fault_addr);
	if (sig <= 0 || sig > 127)
		sig = SIGSEGV;
	return 128 + sig;
}

/* --verbose: how the app ended, how long it ran, how quiet its core was. */
static void summary(const struct cok_proxy *p, const struct cok_ioc_event *ev,
		    const char *how)
{
	uint64_t ns = cok_proxy_now_ns() - p->start_ns;

	if (!p->verbose)
		return;
	dprintf(p->errfd, "cokctl: app %" PRIu32 " %s after %" PRIu64 ".%03"
		PRIu64 " s; %" PRIu64 " forwarded system calls; ring-3 interrupts %"
		PRIu64 "\n", p->app_id, how, ns / 1000000000u,
		ns / 1000000u % 1000u, __atomic_load_n(&ncalls_all, __ATOMIC_RELAXED),
		ev ? (uint64_t)ev->user_interrupts : 0);
}

/* A signal stopped the proxy: make sure the app is ended. */
static int stopped(const struct cok_proxy *p)
{
	char how[48];

	ioctl(p->devfd, COK_IOC_KILL);
	snprintf(how, sizeof(how), "ended by %s",
		 cok_signal_name(stop_sig) ? cok_signal_name(stop_sig) :
		 "a signal");
	summary(p, NULL, how);
	return 128 + stop_sig;
}

/* The app's core died: one line, and the exit status of a lost app. */
static int lost(const struct cok_proxy *p, const struct cok_ioc_event *ev)
{
	char why[COK_LOST_REASON_LEN];

	memcpy(why, ev->lost_reason, sizeof(why));
	why[sizeof(why) - 1] = '\0';
	dprintf(p->errfd, "cokctl: app %" PRIu32
		" lost: its co-kernel core is dead (%s)\n", p->app_id,
		why[0] ? why : "no reason given");
	summary(p, ev, "was lost");
	return COK_EXIT_LOST;
}

/* The app ended (ev): one line if it was not a plain exit, the code. */
static int end_of_app(struct cok_proxy *p, const struct cok_ioc_event *ev)
{
	char how[48];
	int i;

	switch (ev->kind) {
	case COK_EV_EXIT:
		snprintf(how, sizeof(how), "exited with status %d",
			 ev->exit_status & 0xff);
		summary(p, ev, how);
		return ev->exit_status & 0xff;
	case COK_EV_FAULT:
		i = fault_exit(p, ev);
		summary(p, ev, "was killed by an exception");
		return i;
	case COK_EV_KILLED:
		if (stop_sig)
			return stopped(p);
		dprintf(p->errfd, "cokctl: app %" PRIu32
			" killed: SIGKILL (ended by the module)\n", p->app_id);
		summary(p, ev, "was killed");
		return 128 + SIGKILL;
	case COK_EV_LOST:
		return lost(p, ev);
	default:
		dprintf(p->errfd, "cokctl: app %" PRIu32
			": unknown event %" PRIu32 " from the module\n",
			p->app_id, (uint32_t)ev->kind);
		ioctl(p->devfd, COK_IOC_KILL);
		return COK_EXIT_SYSTEM;
	}
}

/*
 * The app ended (or the proxy was told to stop): the first server to
 * see it reports it and ends the process (the first server by returning
 * its code, another one with exit()); any other one leaves that to it.
 * No pthread_exit(): in a static cokctl it would need libgcc_s.
 */
static bool first_to_end(void)
{
	return !__atomic_exchange_n(&app_ended, 1, __ATOMIC_ACQ_REL);
}

static int leave_end_to_winner(const struct cok_proxy *p)
{
	if (p->pool_server)
		return 0;	/* the thread returns */
	for (;;)
		pause();	/* the server that won ends the process */
}

static int end_with(const struct cok_proxy *p, int code)
{
	if (p->pool_server)
		exit(code);
	return code;
}

static int serve_calls(struct cok_proxy *p);

static void *pool_server_main(void *arg)
{
	serve_calls(arg);
	return NULL;
}

/* One more server for p's app: a device file joined to it, a thread. */
static void start_server(const struct cok_proxy *p)
{
	struct cok_proxy *q;
	pthread_attr_t attr;
	pthread_t tid;
	int fd;

	q = malloc(sizeof(*q));
	fd = q ? open(COK_DEV_PATH, O_RDWR | O_CLOEXEC) : -1;
	if (fd >= 0)
		fd = cok_proxy_hide_fd(fd);
	if (fd < 0 || ioctl(fd, COK_IOC_JOIN, &p->devfd) < 0) {
		if (fd >= 0)
			close(fd);
		free(q);
		return;		/* the servers there are go on alone */
	}
	*q = *p;
	q->devfd = fd;
	q->pool_server = true;
	q->replied = false;
	memset(q->seekable, 0, sizeof(q->seekable));
	cok_appmem_init(&q->mem, fd);
	pool_fds[nservers] = fd;
	__atomic_store_n(&nservers, nservers + 1, __ATOMIC_RELEASE);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&tid, &attr, pool_server_main, q)) {
		/* Its file stays joined and idle; the others serve. */
		dprintf(p->errfd, "cokctl: app %" PRIu32
			": could not start one more server thread\n",
			p->app_id);
		free(q);
	}
	pthread_attr_destroy(&attr);
}

/* A call was handed to p: does the pool need one more server? */
static void grow_pool(const struct cok_proxy *p, uint32_t app_threads)
{
	if (app_threads <= 1 || __atomic_load_n(&nidle, __ATOMIC_ACQUIRE))
		return;
	pthread_mutex_lock(&pool_lock);
	if (nservers < app_threads && nservers < COK_PROXY_MAX_SERVERS)
		start_server(p);
	pthread_mutex_unlock(&pool_lock);
}

static int serve_calls(struct cok_proxy *p)
{
	struct cok_ioc_event ev;
	uint64_t arg[6];
	int64_t ret;
	int i, r;

	for (;;) {
		if (stop_sig)
			return first_to_end() ? end_with(p, stopped(p)) :
						leave_end_to_winner(p);
		__atomic_add_fetch(&nidle, 1, __ATOMIC_RELEASE);
		r = ioctl(p->devfd, COK_IOC_WAIT, &ev);
		__atomic_sub_fetch(&nidle, 1, __ATOMIC_RELEASE);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (!first_to_end())
				return leave_end_to_winner(p);
			dprintf(p->errfd, "cokctl: app %" PRIu32
				": lost contact with the module: %s\n",
				p->app_id, strerror(errno));
			ioctl(p->devfd, COK_IOC_KILL);
			return end_with(p, COK_EXIT_SYSTEM);
		}
		if (ev.kind != COK_EV_SYSCALL)
			return first_to_end() ?
			       end_with(p, end_of_app(p, &ev)) :
			       leave_end_to_winner(p);
		grow_pool(p, ev.nthreads);
		for (i = 0; i < 6; i++)
			arg[i] = ev.arg[i];
		ret = cok_proxy_syscall(p, ev.nr, arg);
		p->ncalls = __atomic_add_fetch(&ncalls_all, 1,
					       __ATOMIC_RELAXED);
		if (p->trace)
			trace_call(p, &ev, ret);
		/*
		 * A failed reply (the app was killed meanwhile) is left to
		 * the next WAIT, which reports the end.
		 */
		while (!p->replied &&
		       ioctl(p->devfd, COK_IOC_REPLY, &ret) < 0 &&
		       errno == EINTR && !stop_sig)
			;
	}
}

int cok_proxy_run(struct cok_proxy *p)
{
	/* A new app (the tests run several in one process). */
	nservers = 1;
	nidle = 0;
	app_ended = 0;
	ncalls_all = 0;
	pool_fds[0] = p->devfd;
	if (!stop_sig)
		forward_signals(p);
	return serve_calls(p);
}
