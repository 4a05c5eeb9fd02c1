// SPDX-License-Identifier: GPL-2.0
/*
 * Forwarded socket calls of the app.  Included by proxy_syscalls.c
 * (its helpers, its table), after proxy_poll.c (put_fd_pair).
 *
 * A socket is the proxy's, as every fd of the app is.  Addresses,
 * option values, msghdr, iovecs and control messages are copied in from
 * the app and out to it with Linux's semantics (move_addr_to_kernel and
 * move_addr_to_user, import_iovec); the bytes sent or received go
 * through the bounce buffer, laid out to end at the guard where the
 * app's buffer has a hole, so that the host kernel meets it at the same
 * byte.  At most BOUNCE_SIZE bytes move per sendmsg or recvmsg (a short
 * count, as a signal would make it); sendto goes on while whole batches
 * are taken, as write does.
 *
 * SCM_RIGHTS works both ways: the fds are numbers in the proxy's table,
 * which is the app's (a hidden one sent is EBADF).  Socket filters
 * (SO_ATTACH_FILTER, SO_ATTACH_REUSEPORT_CBPF) point into the app's
 * memory and are refused with EINVAL.
 */
#include <sys/socket.h>

#define SOCKADDR_MAX	((int)sizeof(struct sockaddr_storage))
/* Control bytes of one sendmsg (Linux 6.1's optmem_max) or recvmsg. */
#define CONTROL_MAX	20480
#define COK_SO_ATTACH_FILTER		26
#define COK_SO_ATTACH_REUSEPORT_CBPF	51

_Static_assert(sizeof(struct msghdr) == 56, "x86-64 struct msghdr");

/* The fd is not a socket the app may use: -EBADF, -ENOTSOCK or 0. */
static int64_t sock_check(struct cok_proxy *p, int fd)
{
	int type;
	socklen_t len = sizeof(type);

	if (hidden(p, fd))
		return -EBADF;
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len))
		return errno == EBADF || errno == ENOTSOCK ? -errno : 0;
	return 0;
}

/*
 * The app's address for a host call (move_addr_to_kernel): a length
 * Linux refuses is left to the host with a buffer of ours; an address
 * that cannot be read is the guard (in_arg()).
 */
static void *addr_arg(struct cok_proxy *p, uint64_t va, int len,
		      struct sockaddr_storage *ss)
{
	if (!va)
		return NULL;
	if (len <= 0 || len > SOCKADDR_MAX)
		return ss;
	return in_arg(p, va, ss, (size_t)len);
}

/*
 * An address to the app (move_addr_to_user): *ulen bytes of it at most
 * to uaddr, then its whole length klen to *ulen.
 */
static int64_t put_addr(struct cok_proxy *p, const void *k, int klen,
			uint64_t uaddr, uint64_t ulen)
{
	int len;

	if (cok_appmem_read(&p->mem, &len, ulen, sizeof(len)))
		return -EFAULT;
	if (len > klen)
		len = klen;
	if (len < 0)
		return -EINVAL;
	if (len && put(p, uaddr, k, (size_t)len))
		return -EFAULT;
	return put(p, ulen, &klen, sizeof(klen));
}

static int64_t sc_socket(struct cok_proxy *p, const uint64_t *a)
{
	(void)p;
	return sys_ret(syscall(SYS_socket, (long)arg_int(a[0]),
			       (long)arg_int(a[1]), (long)arg_int(a[2])));
}

static int64_t sc_socketpair(struct cok_proxy *p, const uint64_t *a)
{
	int fds[2];

	return put_fd_pair(p, a[3], syscall(SYS_socketpair, (long)arg_int(a[0]),
					    (long)arg_int(a[1]),
					    (long)arg_int(a[2]), fds), fds);
}

/* bind and connect: fd, address, length. */
static int64_t addr_call(struct cok_proxy *p, long nr, const uint64_t *a)
{
	struct sockaddr_storage ss;
	int fd = arg_int(a[0]);

	if (hidden(p, fd))
		return -EBADF;
	return sys_ret(syscall(nr, (long)fd,
			       addr_arg(p, a[1], arg_int(a[2]), &ss),
			       (long)arg_int(a[2])));
}

static int64_t sc_bind(struct cok_proxy *p, const uint64_t *a)
{
	return addr_call(p, SYS_bind, a);
}

static int64_t sc_connect(struct cok_proxy *p, const uint64_t *a)
{
	return addr_call(p, SYS_connect, a);
}

static int64_t sc_listen(struct cok_proxy *p, const uint64_t *a)
{
	return fd_call(p, SYS_listen, a);
}

static int64_t sc_shutdown(struct cok_proxy *p, const uint64_t *a)
{
	return fd_call(p, SYS_shutdown, a);
}

/* Linux drops the new connection if its address cannot go to the app. */
static int64_t accept_common(struct cok_proxy *p, const uint64_t *a,
			     int flags)
{
	struct sockaddr_storage ss;
	socklen_t klen = sizeof(ss);
	int fd = arg_int(a[0]);
	int64_t r, e;

	if (hidden(p, fd))
		return -EBADF;
	r = sys_ret(syscall(SYS_accept4, (long)fd, a[1] ? &ss : NULL,
			    a[1] ? &klen : NULL, (long)flags));
	if (r < 0 || !a[1])
		return r;
	e = put_addr(p, &ss, (int)klen, a[1], a[2]);
	if (e) {
		close((int)r);
		return e;
	}
	return r;
}

static int64_t sc_accept(struct cok_proxy *p, const uint64_t *a)
{
	return accept_common(p, a, 0);
}

static int64_t sc_accept4(struct cok_proxy *p, const uint64_t *a)
{
	return accept_common(p, a, arg_int(a[3]));
}

static int64_t name_call(struct cok_proxy *p, long nr, const uint64_t *a)
{
	struct sockaddr_storage ss;
	socklen_t klen = sizeof(ss);
	int fd = arg_int(a[0]);

	if (hidden(p, fd))
		return -EBADF;
	if (syscall(nr, (long)fd, &ss, &klen))
		return -errno;
	return put_addr(p, &ss, (int)klen, a[1], a[2]);
}

static int64_t sc_getsockname(struct cok_proxy *p, const uint64_t *a)
{
	return name_call(p, SYS_getsockname, a);
}

static int64_t sc_getpeername(struct cok_proxy *p, const uint64_t *a)
{
	return name_call(p, SYS_getpeername, a);
}

/* --- bytes: one batch of the app's buffers in the bounce buffer ----------- */

/*
 * The app's bytes of seg[nseg] for a send: as much as fits the bounce
 * buffer, laid out to end at the guard if a page the app lacks stops
 * them (then the host call is given more, so it meets the hole).
 */
static struct iovec send_batch(struct cok_proxy *p, const struct seg *seg,
			       int nseg, uint64_t total)
{
	bool fault = false;
	uint64_t got = batch(p, RW_WRITE, seg, nseg, (struct rw_pos){ 0, 0 },
			     &fault);
	struct iovec v = { bounce, got };

	if (fault) {
		v.iov_base = before_guard(got);
		memmove(v.iov_base, bounce, got);
		v.iov_len = got + (total - got < GUARD_SIZE ? total - got :
				   GUARD_SIZE);
	}
	return v;
}

/*
 * Where a receive of seg[nseg] (total bytes) lands: the part the app
 * may write (*room bytes), before the guard if that is less than asked.
 */
static struct iovec recv_batch(struct cok_proxy *p, const struct seg *seg,
			       int nseg, uint64_t total, uint64_t *room)
{
	bool fault = false;
	struct iovec v = { bounce, 0 };

	if (total > BOUNCE_SIZE)
		total = BOUNCE_SIZE;
	*room = batch(p, RW_READ, seg, nseg, (struct rw_pos){ 0, 0 }, &fault);
	v.iov_len = total;
	if (*room < total) {
		v.iov_base = before_guard(*room);
		v.iov_len = *room + (total - *room < GUARD_SIZE ?
				     total - *room : GUARD_SIZE);
	}
	return v;
}

static int64_t sc_sendto(struct cok_proxy *p, const uint64_t *a)
{
	struct sockaddr_storage ss;
	uint64_t len = a[2] < MAX_RW_COUNT ? a[2] : MAX_RW_COUNT, done = 0;
	int fd = arg_int(a[0]), flags = arg_int(a[3]);
	void *addr;
	bool first = true;

	if (!cok_user_range_ok(a[1], len))
		return -EFAULT;
	if (hidden(p, fd))
		return -EBADF;
	if (bounce_init())
		return -ENOMEM;
	addr = addr_arg(p, a[4], arg_int(a[5]), &ss);
	while (first || done < len) {
		struct seg s = { a[1] + done, len - done };
		struct iovec v = send_batch(p, &s, 1, s.len);
		uint64_t want = v.iov_base == bounce ? v.iov_len : 0;
		long r = syscall(SYS_sendto, (long)fd, v.iov_base,
				 (long)v.iov_len, (long)flags, addr,
				 (long)arg_int(a[5]));

		if (r < 0)
			return done ? (int64_t)done : -errno;
		done += (uint64_t)r;
		/* A short send, or the hole: Linux would stop there too. */
		if ((uint64_t)r < want || !want)
			break;
		first = false;
	}
	return (int64_t)done;
}

static int64_t sc_recvfrom(struct cok_proxy *p, const uint64_t *a)
{
	struct sockaddr_storage ss;
	socklen_t klen = sizeof(ss);
	uint64_t len = a[2] < MAX_RW_COUNT ? a[2] : MAX_RW_COUNT, room;
	int fd = arg_int(a[0]);
	struct seg s = { a[1], len };
	struct iovec v;
	long r;

	if (!cok_user_range_ok(a[1], len))
		return -EFAULT;
	if (hidden(p, fd))
		return -EBADF;
	if (bounce_init())
		return -ENOMEM;
	v = recv_batch(p, &s, 1, len, &room);
	r = syscall(SYS_recvfrom, (long)fd, v.iov_base, (long)v.iov_len,
		    (long)arg_int(a[3]), a[4] ? &ss : NULL, a[4] ? &klen : NULL);
	if (r < 0)
		return -errno;
	/* MSG_TRUNC may count more than there was room for. */
	if (put(p, a[1], v.iov_base, (uint64_t)r < room ? (size_t)r : room))
		return -EFAULT;
	if (a[4]) {
		int64_t e = put_addr(p, &ss, (int)klen, a[4], a[5]);

		if (e)
			return e;
	}
	return r;
}

/* --- sendmsg and recvmsg -------------------------------------------------- */

/* The app's msghdr as the proxy rebuilds it for the host call. */
struct msg_copy {
	struct msghdr app;	/* the app's, with its pointers */
	struct msghdr host;	/* the host call's, with the proxy's */
	struct sockaddr_storage name;
	struct iovec iov;	/* one batch of the bytes */
	struct seg seg[UIO_MAXIOV];
	int nseg;
	uint64_t total;
	uint64_t room;		/* recvmsg: bytes the app can take */
	uint8_t control[CONTROL_MAX];
};

/* The app's iovecs, checked as import_iovec does. */
static int64_t msg_iov_in(struct cok_proxy *p, struct msg_copy *m)
{
	struct iovec uiov[UIO_MAXIOV];
	uint64_t i, n = m->app.msg_iovlen;

	if (n > UIO_MAXIOV)
		return -EMSGSIZE;
	if (n && cok_appmem_read(&p->mem, uiov, (uint64_t)(uintptr_t)
				 m->app.msg_iov, n * sizeof(uiov[0])))
		return -EFAULT;
	for (i = 0; i < n; i++) {
		if ((ssize_t)uiov[i].iov_len < 0)
			return -EINVAL;
	}
	m->total = 0;
	for (i = 0; i < n; i++) {
		uint64_t len = uiov[i].iov_len;

		if (len > MAX_RW_COUNT - m->total)
			len = MAX_RW_COUNT - m->total;
		if (!cok_user_range_ok((uint64_t)uiov[i].iov_base, len))
			return -EFAULT;
		m->seg[i].va = (uint64_t)uiov[i].iov_base;
		m->seg[i].len = len;
		m->total += len;
	}
	m->nseg = (int)n;
	return 0;
}

/* Every fd of an SCM_RIGHTS message the app sends is one of its own. */
static bool rights_hidden(struct cok_proxy *p, struct msghdr *h)
{
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c)) {
		size_t i, n;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
		    c->cmsg_len < CMSG_LEN(0))
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
			if (hidden(p, fd))
				return true;
		}
	}
	return false;
}

/*
 * The app's msghdr at umsg into m, as ___sys_sendmsg and ___sys_recvmsg
 * take it: name (copied in for a send), iovecs, control (copied in for
 * a send).  0 or -errno.
 */
static int64_t msg_in(struct cok_proxy *p, uint64_t umsg, struct msg_copy *m,
		      bool send)
{
	struct msghdr *a = &m->app, *h = &m->host;
	int64_t r;

	if (cok_appmem_read(&p->mem, a, umsg, sizeof(*a)))
		return -EFAULT;
	memset(h, 0, sizeof(*h));
	if (!a->msg_name)
		a->msg_namelen = 0;
	if ((int)a->msg_namelen < 0)
		return -EINVAL;
	if (a->msg_namelen > (socklen_t)SOCKADDR_MAX)
		a->msg_namelen = SOCKADDR_MAX;
	if (a->msg_name) {
		h->msg_name = &m->name;
		h->msg_namelen = a->msg_namelen;
	}
	if (send && a->msg_namelen &&
	    cok_appmem_read(&p->mem, &m->name, (uint64_t)(uintptr_t)a->msg_name,
			    a->msg_namelen))
		return -EFAULT;
	r = msg_iov_in(p, m);
	if (r)
		return r;
	if (!send) {
		h->msg_controllen = a->msg_controllen < CONTROL_MAX ?
				    a->msg_controllen : CONTROL_MAX;
	} else if (a->msg_controllen > CONTROL_MAX) {
		return -ENOBUFS;
	} else {
		h->msg_controllen = a->msg_controllen;
		if (cok_appmem_read(&p->mem, m->control, (uint64_t)(uintptr_t)
				    a->msg_control, a->msg_controllen))
			return -EFAULT;
	}
	/* No buffer of the app's: none for the host either (it decides). */
	if (h->msg_controllen && a->msg_control)
		h->msg_control = m->control;
	h->msg_iov = &m->iov;
	h->msg_iovlen = 1;
	return send && rights_hidden(p, h) ? -EBADF : 0;
}

/* An error of msg_in(): Linux would have told a bad fd first. */
static int64_t msg_error(struct cok_proxy *p, int fd, int64_t err)
{
	int64_t e = sock_check(p, fd);

	return e ? e : err;
}

static int64_t sc_sendmsg(struct cok_proxy *p, const uint64_t *a)
{
	struct msg_copy *m;
	int fd = arg_int(a[0]);
	int64_t r;

	if (hidden(p, fd))
		return -EBADF;
	m = malloc(sizeof(*m));
	if (!m || bounce_init()) {
		free(m);
		return -ENOMEM;
	}
	r = msg_in(p, a[1], m, true);
	if (r) {
		r = msg_error(p, fd, r);
	} else {
		m->iov = send_batch(p, m->seg, m->nseg, m->total);
		r = sys_ret(sendmsg(fd, &m->host, arg_int(a[2])));
	}
	free(m);
	return r;
}

/* What recvmsg tells the app: bytes, address, flags, control. */
static int64_t msg_out(struct cok_proxy *p, uint64_t umsg, struct msg_copy *m,
		       long r)
{
	struct rw_pos pos = { 0, 0 };
	uint64_t n = (uint64_t)r < m->room ? (uint64_t)r : m->room;
	struct msghdr *a = &m->app, *h = &m->host;

	scatter(p, m->seg, &pos, m->iov.iov_base, n);
	if (a->msg_name) {
		int64_t e = put_addr(p, &m->name, (int)h->msg_namelen,
				     (uint64_t)(uintptr_t)a->msg_name,
				     umsg + offsetof(struct msghdr,
						     msg_namelen));

		if (e)
			return e;
	}
	if (put(p, umsg + offsetof(struct msghdr, msg_flags), &h->msg_flags,
		sizeof(h->msg_flags)))
		return -EFAULT;
	if (h->msg_controllen && h->msg_control &&
	    put(p, (uint64_t)(uintptr_t)a->msg_control, m->control,
		h->msg_controllen))
		return -EFAULT;
	if (put(p, umsg + offsetof(struct msghdr, msg_controllen),
		&h->msg_controllen, sizeof(h->msg_controllen)))
		return -EFAULT;
	return r;
}

static int64_t sc_recvmsg(struct cok_proxy *p, const uint64_t *a)
{
	struct msg_copy *m;
	int fd = arg_int(a[0]);
	int64_t r;

	if (hidden(p, fd))
		return -EBADF;
	m = malloc(sizeof(*m));
	if (!m || bounce_init()) {
		free(m);
		return -ENOMEM;
	}
	r = msg_in(p, a[1], m, false);
	if (r) {
		r = msg_error(p, fd, r);
	} else {
		m->iov = recv_batch(p, m->seg, m->nseg, m->total, &m->room);
		r = sys_ret(recvmsg(fd, &m->host, arg_int(a[2])));
		if (r >= 0)
			r = msg_out(p, a[1], m, r);
	}
	free(m);
	return r;
}

/* --- options -------------------------------------------------------------- */

/*
 * Linux reads *optlen, passes the option's buffer (which some options
 * read first), writes the value and its length back.
 */
static int64_t sc_getsockopt(struct cok_proxy *p, const uint64_t *a)
{
	int fd = arg_int(a[0]);
	socklen_t len;
	int ulen;
	long r;

	if (hidden(p, fd))
		return -EBADF;
	if (bounce_init())
		return -ENOMEM;
	if (cok_appmem_read(&p->mem, &ulen, a[4], sizeof(ulen)))
		return sys_ret(syscall(SYS_getsockopt, (long)fd,
				       (long)arg_int(a[1]), (long)arg_int(a[2]),
				       bounce, bounce + BOUNCE_SIZE));
	len = ulen < 0 ? (socklen_t)ulen :
	      (uint64_t)ulen < BOUNCE_SIZE ? (socklen_t)ulen : BOUNCE_SIZE;
	if (ulen > 0)
		cok_appmem_op(&p->mem, COK_MEM_READ, a[3], bounce, len);
	r = syscall(SYS_getsockopt, (long)fd, (long)arg_int(a[1]),
		    (long)arg_int(a[2]), a[3] ? bounce : NULL, &len);
	if (r < 0)
		return -errno;
	if ((len && put(p, a[3], bounce, len)) ||
	    put(p, a[4], &len, sizeof(len)))
		return -EFAULT;
	return 0;
}

static int64_t sc_setsockopt(struct cok_proxy *p, const uint64_t *a)
{
	int fd = arg_int(a[0]), level = arg_int(a[1]), name = arg_int(a[2]);
	int len = arg_int(a[4]);
	void *val = NULL;

	if (hidden(p, fd))
		return -EBADF;
	if (level == SOL_SOCKET && (name == COK_SO_ATTACH_FILTER ||
				    name == COK_SO_ATTACH_REUSEPORT_CBPF))
		return -EINVAL;
	if (bounce_init())
		return -ENOMEM;
	/* A length the host refuses is its to refuse; no option is 1 MiB. */
	if (a[3])
		val = len <= 0 ? bounce : in_arg(p, a[3], bounce,
						 (uint64_t)len < BOUNCE_SIZE ?
						 (size_t)len : BOUNCE_SIZE);
	return sys_ret(syscall(SYS_setsockopt, (long)fd, (long)level,
			       (long)name, val, (long)len));
}
