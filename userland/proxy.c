// SPDX-License-Identifier: GPL-2.0
/*
 * The proxy's event loop: COK_IOC_WAIT for the app's next forwarded
 * system call or its end, run the call, COK_IOC_REPLY, again.  One
 * round trip is two ioctls and the call itself: nothing is allocated or
 * printed on the way unless --trace asked for it.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
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
	return fd >= 0 && (fd == p->devfd || fd == p->errfd);
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
	dprintf(p->errfd,
		"cokctl: app %" PRIu32 " killed: %s (vector %" PRIu64
		" at rip 0x%" PRIx64 " address 0x%" PRIx64 ")\n", p->app_id, name,
		(uint64_t)ev->fault_vector, (uint64_t)ev->fault_rip,
		(uint64_t)ev->fault_addr);
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
		ns / 1000000u % 1000u, p->ncalls,
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

int cok_proxy_run(struct cok_proxy *p)
{
	struct cok_ioc_event ev;
	uint64_t arg[6];
	char how[48];
	int64_t ret;
	int i;

	for (;;) {
		if (stop_sig)
			return stopped(p);
		if (ioctl(p->devfd, COK_IOC_WAIT, &ev) < 0) {
			if (errno == EINTR)
				continue;
			dprintf(p->errfd, "cokctl: app %" PRIu32
				": lost contact with the module: %s\n",
				p->app_id, strerror(errno));
			ioctl(p->devfd, COK_IOC_KILL);
			return COK_EXIT_SYSTEM;
		}
		switch (ev.kind) {
		case COK_EV_SYSCALL:
			for (i = 0; i < 6; i++)
				arg[i] = ev.arg[i];
			ret = cok_proxy_syscall(p, ev.nr, arg);
			p->ncalls++;
			if (p->trace)
				trace_call(p, &ev, ret);
			/*
			 * A failed reply (the app was killed meanwhile) is
			 * left to the next WAIT, which reports the end.
			 */
			while (!p->replied &&
			       ioctl(p->devfd, COK_IOC_REPLY, &ret) < 0 &&
			       errno == EINTR && !stop_sig)
				;
			break;
		case COK_EV_EXIT:
			snprintf(how, sizeof(how), "exited with status %d",
				 ev.exit_status & 0xff);
			summary(p, &ev, how);
			return ev.exit_status & 0xff;
		case COK_EV_FAULT:
			i = fault_exit(p, &ev);
			summary(p, &ev, "was killed by an exception");
			return i;
		case COK_EV_KILLED:
			if (stop_sig)
				return stopped(p);
			dprintf(p->errfd, "cokctl: app %" PRIu32
				" killed: SIGKILL (ended by the module)\n",
				p->app_id);
			summary(p, &ev, "was killed");
			return 128 + SIGKILL;
		case COK_EV_LOST:
			return lost(p, &ev);
		default:
			dprintf(p->errfd, "cokctl: app %" PRIu32
				": unknown event %" PRIu32 " from the module\n",
				p->app_id, (uint32_t)ev.kind);
			ioctl(p->devfd, COK_IOC_KILL);
			return COK_EXIT_SYSTEM;
		}
	}
}
