// SPDX-License-Identifier: GPL-2.0
/*
 * Forwarded file calls beyond open, read and write: links, modes and
 * owners, times, statx and statfs, flock, and the process's groups and
 * sessions.  Included by proxy_syscalls.c (its helpers, its table).
 *
 * Paths and input structures come through path_arg() and in_arg(): a
 * pointer the app cannot read is handed to the host call as the guard,
 * so the host kernel's order of checks (flags, fds, then the copy) is
 * Linux's own.  The app's session and process group are the proxy's;
 * its pid is its app id (the co-kernel's getpid), which stands for the
 * proxy's own pid in these calls both ways (host_pid(), app_pid()), so
 * that getpgid(getpid()) and "getpgrp() == getpid()" hold as on Linux.
 */
#include <sys/file.h>
#include <sys/vfs.h>

_Static_assert(sizeof(struct statfs) == 120, "x86-64 struct statfs");
/* struct statx: 256 bytes in every kernel since 4.11. */
#define COK_STATX_SIZE		256
/* The most groups a process has (Linux's NGROUPS_MAX). */
#define COK_NGROUPS_MAX		65536
/* Linux 6.6 and later (glibc 2.36 does not name it); before: ENOSYS. */
#define COK_SYS_fchmodat2	452

/* A call on one path: nr(path, a1, a2). */
static int64_t path2_call(struct cok_proxy *p, long nr, uint64_t upath,
			  long a1, long a2)
{
	char buf[PATH_MAX];
	int64_t err;
	const char *path = path_arg(p, upath, buf, &err);

	if (err)
		return err;
	return sys_ret(syscall(nr, path, a1, a2));
}

/* nr(dirfd, path, a2, a3, a4): the *at calls. */
static int64_t at5_call(struct cok_proxy *p, long nr, const uint64_t *a,
			long a2, long a3, long a4)
{
	int dirfd = arg_int(a[0]);
	char buf[PATH_MAX];
	int64_t err;
	const char *path;

	if (hidden(p, dirfd))
		return -EBADF;
	path = path_arg(p, a[1], buf, &err);
	if (err)
		return err;
	return sys_ret(syscall(nr, (long)dirfd, path, a2, a3, a4));
}

/* --- links ---------------------------------------------------------------- */

static int64_t link_common(struct cok_proxy *p, int olddir, uint64_t uold,
			   int newdir, uint64_t unew, uint64_t flags)
{
	char from[PATH_MAX], to[PATH_MAX];
	const char *f, *t;
	int64_t err;

	if (hidden(p, olddir) || hidden(p, newdir))
		return -EBADF;
	f = path_arg(p, uold, from, &err);
	if (err)
		return err;
	t = path_arg(p, unew, to, &err);
	if (err)
		return err;
	return sys_ret(syscall(SYS_linkat, (long)olddir, f, (long)newdir, t,
			       (long)arg_int(flags)));
}

static int64_t sc_link(struct cok_proxy *p, const uint64_t *a)
{
	return link_common(p, AT_FDCWD, a[0], AT_FDCWD, a[1], 0);
}

static int64_t sc_linkat(struct cok_proxy *p, const uint64_t *a)
{
	return link_common(p, arg_int(a[0]), a[1], arg_int(a[2]), a[3], a[4]);
}

static int64_t symlink_common(struct cok_proxy *p, uint64_t utarget,
			      int newdir, uint64_t ulink)
{
	char target[PATH_MAX], name[PATH_MAX];
	const char *t, *n;
	int64_t err;

	if (hidden(p, newdir))
		return -EBADF;
	t = path_arg(p, utarget, target, &err);
	if (err)
		return err;
	n = path_arg(p, ulink, name, &err);
	if (err)
		return err;
	return sys_ret(syscall(SYS_symlinkat, t, (long)newdir, n));
}

static int64_t sc_symlink(struct cok_proxy *p, const uint64_t *a)
{
	return symlink_common(p, a[0], AT_FDCWD, a[1]);
}

static int64_t sc_symlinkat(struct cok_proxy *p, const uint64_t *a)
{
	return symlink_common(p, a[0], arg_int(a[1]), a[2]);
}

/* --- modes and owners ----------------------------------------------------- */

static int64_t sc_chmod(struct cok_proxy *p, const uint64_t *a)
{
	return path2_call(p, SYS_chmod, a[0], (long)(uint32_t)a[1], 0);
}

static int64_t sc_fchmod(struct cok_proxy *p, const uint64_t *a)
{
	return fd_call(p, SYS_fchmod, a);
}

static int64_t sc_fchmodat(struct cok_proxy *p, const uint64_t *a)
{
	return at5_call(p, SYS_fchmodat, a, (long)(uint32_t)a[2], 0, 0);
}

static int64_t sc_fchmodat2(struct cok_proxy *p, const uint64_t *a)
{
	return at5_call(p, COK_SYS_fchmodat2, a, (long)(uint32_t)a[2],
			(long)arg_int(a[3]), 0);
}

static int64_t sc_chown(struct cok_proxy *p, const uint64_t *a)
{
	return path2_call(p, SYS_chown, a[0], (long)(uint32_t)a[1],
			  (long)(uint32_t)a[2]);
}

static int64_t sc_lchown(struct cok_proxy *p, const uint64_t *a)
{
	return path2_call(p, SYS_lchown, a[0], (long)(uint32_t)a[1],
			  (long)(uint32_t)a[2]);
}

static int64_t sc_fchown(struct cok_proxy *p, const uint64_t *a)
{
	int fd = arg_int(a[0]);

	if (hidden(p, fd))
		return -EBADF;
	return sys_ret(syscall(SYS_fchown, (long)fd, (long)(uint32_t)a[1],
			       (long)(uint32_t)a[2]));
}

static int64_t sc_fchownat(struct cok_proxy *p, const uint64_t *a)
{
	return at5_call(p, SYS_fchownat, a, (long)(uint32_t)a[2],
			(long)(uint32_t)a[3], (long)arg_int(a[4]));
}

/* --- times ---------------------------------------------------------------- */

/* utimensat's path may be NULL (the fd itself), its times too (now). */
static int64_t sc_utimensat(struct cok_proxy *p, const uint64_t *a)
{
	struct timespec ts[2];
	void *times = in_arg(p, a[2], ts, sizeof(ts));

	return at5_call(p, SYS_utimensat, a, (long)(uintptr_t)times,
			(long)arg_int(a[3]), 0);
}

static int64_t sc_futimesat(struct cok_proxy *p, const uint64_t *a)
{
	struct timeval tv[2];
	void *times = in_arg(p, a[2], tv, sizeof(tv));

	return at5_call(p, SYS_futimesat, a, (long)(uintptr_t)times, 0, 0);
}

static int64_t sc_utimes(struct cok_proxy *p, const uint64_t *a)
{
	struct timeval tv[2];
	void *times = in_arg(p, a[1], tv, sizeof(tv));

	return path2_call(p, SYS_utimes, a[0], (long)(uintptr_t)times, 0);
}

/* --- statx and statfs ----------------------------------------------------- */

static int64_t sc_statx(struct cok_proxy *p, const uint64_t *a)
{
	uint8_t stx[COK_STATX_SIZE];
	int dirfd = arg_int(a[0]);
	char buf[PATH_MAX];
	const char *path;
	int64_t err;

	if (hidden(p, dirfd))
		return -EBADF;
	path = path_arg(p, a[1], buf, &err);
	if (err)
		return err;
	if (syscall(SYS_statx, (long)dirfd, path, (long)arg_int(a[2]),
		    (long)(uint32_t)a[3], stx))
		return -errno;
	return put(p, a[4], stx, sizeof(stx));
}

static int64_t sc_statfs(struct cok_proxy *p, const uint64_t *a)
{
	struct statfs st;
	char buf[PATH_MAX];
	const char *path;
	int64_t err;

	path = path_arg(p, a[0], buf, &err);
	if (err)
		return err;
	if (syscall(SYS_statfs, path, &st))
		return -errno;
	return put(p, a[1], &st, sizeof(st));
}

static int64_t sc_fstatfs(struct cok_proxy *p, const uint64_t *a)
{
	int fd = arg_int(a[0]);
	struct statfs st;

	if (hidden(p, fd))
		return -EBADF;
	if (syscall(SYS_fstatfs, (long)fd, &st))
		return -errno;
	return put(p, a[1], &st, sizeof(st));
}

/* --- locks ---------------------------------------------------------------- */

static int64_t sc_flock(struct cok_proxy *p, const uint64_t *a)
{
	return fd_call(p, SYS_flock, a);
}

/* fcntl's record locks: a struct flock in, and out for the GETLKs. */
static int64_t fcntl_lock(struct cok_proxy *p, int fd, int cmd, uint64_t ufl)
{
	struct flock fl;
	void *arg = in_arg(p, ufl, &fl, sizeof(fl));

	if (syscall(SYS_fcntl, (long)fd, (long)cmd, arg))
		return -errno;
	if ((cmd == F_GETLK || cmd == F_OFD_GETLK) && put(p, ufl, &fl, sizeof(fl)))
		return -EFAULT;
	return 0;
}

/* --- groups and sessions -------------------------------------------------- */

static int64_t sc_getgroups(struct cok_proxy *p, const uint64_t *a)
{
	int size = arg_int(a[0]);
	long r;

	if (size < 0)
		return -EINVAL;
	if (size > COK_NGROUPS_MAX)
		size = COK_NGROUPS_MAX;
	if (bounce_init())
		return -ENOMEM;
	r = syscall(SYS_getgroups, (long)size, bounce);
	if (r < 0)
		return -errno;
	if (size && r && put(p, a[1], bounce, (size_t)r * sizeof(gid_t)))
		return -EFAULT;
	return r;
}

static int64_t sc_getpgid(struct cok_proxy *p, const uint64_t *a)
{
	return app_pid(p, sys_ret(syscall(SYS_getpgid,
					  (long)host_pid(p, arg_int(a[0])))));
}

static int64_t sc_setpgid(struct cok_proxy *p, const uint64_t *a)
{
	return sys_ret(syscall(SYS_setpgid, (long)host_pid(p, arg_int(a[0])),
			       (long)host_pid(p, arg_int(a[1]))));
}

static int64_t sc_getpgrp(struct cok_proxy *p, const uint64_t *a)
{
	(void)a;
	return app_pid(p, sys_ret(syscall(SYS_getpgrp)));
}

static int64_t sc_getsid(struct cok_proxy *p, const uint64_t *a)
{
	return app_pid(p, sys_ret(syscall(SYS_getsid,
					  (long)host_pid(p, arg_int(a[0])))));
}

static int64_t sc_setsid(struct cok_proxy *p, const uint64_t *a)
{
	(void)a;
	return app_pid(p, sys_ret(syscall(SYS_setsid)));
}
