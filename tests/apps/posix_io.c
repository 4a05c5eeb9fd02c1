// SPDX-License-Identifier: GPL-2.0
/*
 * Forwarded I/O beyond files (issue 9, part 5): pipes, poll, select,
 * epoll, eventfd, sockets (socketpair, AF_UNIX and TCP between two
 * threads, UDP, sendmsg/recvmsg with iovecs and SCM_RIGHTS), fcntl
 * locks and flock, links, modes, owners, times, statx, statfs,
 * sendfile, copy_file_range, groups, umask, process groups and
 * sessions, and a pseudo-terminal's ioctls.  Prints what it observed
 * (values, errnos; relations, never fd numbers or ports), the same on
 * Linux and in an enclave.  posix_io [DIR]: its files go in DIR (/tmp).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/vfs.h>

#ifndef LIBC
#define LIBC "unknown"
#endif

/* struct statx's head (musl has no statx()): the raw call. */
struct app_statx {
	uint32_t mask, blksize;
	uint64_t attributes;
	uint32_t nlink, uid, gid;
	uint16_t mode, pad;
	uint64_t ino, size, blocks, attributes_mask;
	struct { int64_t sec; uint32_t nsec; int32_t pad; } atime, btime,
		ctime, mtime;
	uint8_t rest[256 - 128];
};
#define APP_STATX_BASIC_STATS	0x7ffU
#define APP_STATX_SIZE		0x200U

static long app_statx(int dirfd, const char *p, int flags, unsigned int mask,
		      struct app_statx *sx)
{
	return syscall(SYS_statx, dirfd, p, flags, mask, sx);
}

static char dir[80];

/* "what = r", or "what = -1 ENAME" (errno as a number: the same binary). */
static void rep(const char *what, long r)
{
	if (r < 0)
		printf("%s = %ld errno %d\n", what, r, errno);
	else
		printf("%s = %ld\n", what, r);
}

/* A raw call's result the same way (-errno). */
static void raw(const char *what, long r)
{
	if (r < 0)
		printf("%s = -1 errno %d\n", what, errno);
	else
		printf("%s = %ld\n", what, r);
}

static void path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/posix_io.%s", dir, name);
}

/* --- pipes, poll, select, epoll, eventfd ---------------------------------- */

static void t_pipe(void)
{
	int p[2], q[2];
	char buf[16] = "";

	printf("== pipe\n");
	rep("pipe", pipe(p));
	printf("pipe fds distinct and above stdio: %d\n",
	       p[0] != p[1] && p[0] > 2 && p[1] > 2);
	rep("write", write(p[1], "hello", 5));
	rep("read", read(p[0], buf, sizeof(buf)));
	printf("read data: %s\n", buf);
	rep("F_GETPIPE_SZ", fcntl(p[0], F_GETPIPE_SZ));
	rep("pipe2", pipe2(q, O_CLOEXEC | O_NONBLOCK));
	rep("pipe2 F_GETFD", fcntl(q[0], F_GETFD));
	rep("pipe2 F_GETFL nonblock", (fcntl(q[0], F_GETFL) & O_NONBLOCK) != 0);
	rep("read empty nonblocking", read(q[0], buf, sizeof(buf)));
	raw("pipe2 bad flags", syscall(SYS_pipe2, q, 0x12345678));
	raw("pipe bad pointer", syscall(SYS_pipe, (void *)8));
	close(p[1]);
	rep("read after writer closed", read(p[0], buf, sizeof(buf)));
	close(p[0]);
	close(q[0]);
	close(q[1]);
}

static void t_poll(void)
{
	struct pollfd f[3];
	struct timespec ts = { 0, 0 };
	int p[2], closed[2];

	printf("== poll\n");
	pipe(p);
	pipe(closed);
	close(closed[0]);
	close(closed[1]);
	f[0] = (struct pollfd){ p[0], POLLIN, 0 };
	f[1] = (struct pollfd){ p[1], POLLOUT, 0 };
	f[2] = (struct pollfd){ -1, POLLIN, 0 };
	rep("poll empty", poll(f, 1, 0));
	printf("revents %#x\n", f[0].revents);
	rep("poll in+out", poll(f, 3, 0));
	printf("revents %#x %#x %#x\n", f[0].revents, f[1].revents,
	       f[2].revents);
	write(p[1], "x", 1);
	rep("poll readable", poll(f, 3, 0));
	printf("revents %#x %#x %#x\n", f[0].revents, f[1].revents,
	       f[2].revents);
	rep("ppoll", ppoll(f, 2, &ts, NULL));
	printf("revents %#x %#x; ts %ld.%09ld\n", f[0].revents, f[1].revents,
	       (long)ts.tv_sec, ts.tv_nsec);
	f[2] = (struct pollfd){ closed[0], POLLIN, 0 };
	rep("poll closed fd", poll(f + 2, 1, 1000));
	printf("revents %#x\n", f[2].revents);
	ts.tv_nsec = 5000000;
	f[0].fd = closed[0];
	rep("ppoll 5ms nothing", ppoll(f, 1, &ts, NULL));
	printf("revents %#x\n", f[0].revents);
	f[0].fd = p[0];
	raw("poll bad pointer", syscall(SYS_poll, (void *)8, 1, 0));
	ts.tv_nsec = 2000000000L;
	raw("ppoll bad timeout", syscall(SYS_ppoll, f, 1, &ts, NULL, 8));
	close(p[0]);
	close(p[1]);
}

static void t_select(void)
{
	struct timeval tv = { 0, 0 };
	struct timespec ts = { 0, 0 };
	fd_set r, w;
	int p[2], bad;

	printf("== select\n");
	pipe(p);
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(p[0], &r);
	FD_SET(p[1], &w);
	rep("select", select(p[1] + 1, &r, &w, NULL, &tv));
	printf("r %d w %d tv %ld.%06ld\n", FD_ISSET(p[0], &r),
	       FD_ISSET(p[1], &w), (long)tv.tv_sec, (long)tv.tv_usec);
	write(p[1], "x", 1);
	FD_SET(p[0], &r);
	rep("pselect", pselect(p[1] + 1, &r, NULL, NULL, &ts, NULL));
	printf("r %d\n", FD_ISSET(p[0], &r));
	bad = dup(p[0]);
	close(bad);
	FD_ZERO(&r);
	FD_SET(bad, &r);
	rep("select closed fd", select(bad + 1, &r, NULL, NULL, &tv));
	tv.tv_usec = 3000;
	FD_ZERO(&r);
	rep("select 3ms nothing", select(0, &r, NULL, NULL, &tv));
	printf("tv %ld.%06ld\n", (long)tv.tv_sec, (long)tv.tv_usec);
	rep("select n<0", select(-1, NULL, NULL, NULL, &tv));
	tv.tv_usec = -1;
	rep("select bad tv", select(1, NULL, NULL, NULL, &tv));
	close(p[0]);
	close(p[1]);
}

static void t_epoll(void)
{
	struct epoll_event ev = { .events = EPOLLIN,
				  .data.u64 = 0x1122334455667788ULL };
	struct epoll_event out[4];
	int e, p[2], e2;

	printf("== epoll\n");
	pipe(p);
	e = epoll_create1(EPOLL_CLOEXEC);
	printf("epoll_create1 ok %d cloexec %d\n", e >= 0,
	       fcntl(e, F_GETFD) == FD_CLOEXEC);
	e2 = epoll_create(1);
	printf("epoll_create ok %d\n", e2 >= 0);
	rep("epoll_create(0) >= 0", epoll_create(0) >= 0);
	rep("ctl add", epoll_ctl(e, EPOLL_CTL_ADD, p[0], &ev));
	rep("ctl add again", epoll_ctl(e, EPOLL_CTL_ADD, p[0], &ev));
	rep("wait empty", epoll_wait(e, out, 4, 0));
	write(p[1], "x", 1);
	rep("wait", epoll_wait(e, out, 4, 0));
	printf("events %#x data %#llx\n", out[0].events,
	       (unsigned long long)out[0].data.u64);
	ev.events = EPOLLOUT;
	ev.data.u64 = 7;
	rep("ctl add write end", epoll_ctl(e, EPOLL_CTL_ADD, p[1], &ev));
	rep("pwait", epoll_pwait(e, out, 4, 0, NULL));
	printf("first data %llu/%llu\n", (unsigned long long)out[0].data.u64,
	       (unsigned long long)out[1].data.u64 % 1000);
	rep("ctl del", epoll_ctl(e, EPOLL_CTL_DEL, p[0], NULL));
	rep("ctl del again", epoll_ctl(e, EPOLL_CTL_DEL, p[0], NULL));
	rep("ctl bad fd", epoll_ctl(e, EPOLL_CTL_ADD, 999, &ev));
	rep("ctl self", epoll_ctl(e, EPOLL_CTL_ADD, e, &ev));
	rep("wait maxevents 0", epoll_wait(e, out, 0, 0));
	rep("wait not epoll", epoll_wait(p[0], out, 1, 0));
	rep("wait 5ms", epoll_wait(e2, out, 1, 5));
	{
		struct timespec z = { 0, 0 };

		raw("epoll_pwait2 0", syscall(441, e, out, 4, &z, NULL, 8));
		z.tv_nsec = -1;
		raw("epoll_pwait2 bad timeout",
		    syscall(441, e, out, 4, &z, NULL, 8));
		raw("epoll_pwait2 bad mask size",
		    syscall(441, e, out, 4, NULL, &z, 4));
	}
	close(e);
	close(e2);
	close(p[0]);
	close(p[1]);
}

static void t_eventfd(void)
{
	uint64_t v = 4;
	int e = eventfd(3, 0), s;

	printf("== eventfd\n");
	rep("write 4", write(e, &v, 8));
	rep("read", read(e, &v, 8));
	printf("counter %llu\n", (unsigned long long)v);
	s = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK);
	read(s, &v, 8);
	printf("semaphore read %llu\n", (unsigned long long)v);
	read(s, &v, 8);
	rep("semaphore third read", read(s, &v, 8));
	rep("short read", read(e, &v, 4));
	raw("raw eventfd", syscall(SYS_eventfd, 1) >= 0);
	close(e);
	close(s);
}

/* --- sockets -------------------------------------------------------------- */

static void t_socketpair(void)
{
	char buf[32] = "";
	int sv[2], type = 0, v = 4096;
	socklen_t len = sizeof(type);

	printf("== socketpair\n");
	rep("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	rep("send", send(sv[0], "abc", 3, 0));
	rep("recv", recv(sv[1], buf, sizeof(buf), 0));
	printf("data %s\n", buf);
	rep("getsockopt SO_TYPE", getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &type,
					      &len));
	printf("type %d len %u\n", type, len);
	rep("setsockopt SO_SNDBUF", setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v,
					       sizeof(v)));
	len = sizeof(v);
	getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, &len);
	printf("SO_SNDBUF %d\n", v);
	rep("setsockopt short", setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, 2));
	rep("recv nothing (MSG_DONTWAIT)", recv(sv[1], buf, 4, MSG_DONTWAIT));
	rep("shutdown", shutdown(sv[0], SHUT_WR));
	rep("recv after shutdown", recv(sv[1], buf, 4, 0));
	rep("send after shutdown", send(sv[0], "x", 1, MSG_NOSIGNAL));
	rep("shutdown bad how", shutdown(sv[0], 7));
	close(sv[0]);
	close(sv[1]);
	rep("socketpair AF_INET", socketpair(AF_INET, SOCK_STREAM, 0, sv));
	raw("socketpair bad pointer", syscall(SYS_socketpair, AF_UNIX,
					      SOCK_STREAM, 0, (void *)8));
}

struct server {
	int lfd;
	int cfd;
	int want;		/* bytes to read before answering */
	char got[32];
	struct sockaddr_storage peer;
	socklen_t peerlen;
};

/* Accepts one connection, reads what comes, answers "pong". */
static void *serve(void *arg)
{
	struct server *s = arg;
	ssize_t n;

	s->peerlen = sizeof(s->peer);
	s->cfd = accept4(s->lfd, (struct sockaddr *)&s->peer, &s->peerlen,
			 SOCK_CLOEXEC);
	if (s->cfd < 0)
		return NULL;
	n = recv(s->cfd, s->got, (size_t)s->want, MSG_WAITALL);
	if (n > 0)
		s->got[n] = '\0';
	send(s->cfd, "pong", 4, 0);
	return NULL;
}

static void t_unix_stream(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX }, b;
	struct server s = { .cfd = -1, .want = 10 };
	socklen_t len = sizeof(b);
	char buf[8] = "";
	pthread_t th;
	int c;

	printf("== AF_UNIX listen/connect/accept\n");
	path(a.sun_path, sizeof(a.sun_path), "sock");
	unlink(a.sun_path);
	s.lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	rep("bind", bind(s.lfd, (struct sockaddr *)&a, sizeof(a)));
	rep("bind again", bind(s.lfd, (struct sockaddr *)&a, sizeof(a)));
	rep("listen", listen(s.lfd, 4));
	pthread_create(&th, NULL, serve, &s);
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	usleep(20000);		/* the server thread blocks in accept */
	rep("connect", connect(c, (struct sockaddr *)&a, sizeof(a)));
	rep("send", send(c, "0123456789", 10, 0));
	rep("recv", recv(c, buf, 4, MSG_WAITALL));
	pthread_join(th, NULL);
	printf("server got %s, client got %.4s\n", s.got, buf);
	printf("accepted cloexec %d peer family %d len %u\n",
	       fcntl(s.cfd, F_GETFD) == FD_CLOEXEC,
	       ((struct sockaddr *)&s.peer)->sa_family, s.peerlen);
	rep("getpeername", getpeername(c, (struct sockaddr *)&b, &len));
	printf("peer %s len-match %d\n", b.sun_path,
	       len == offsetof(struct sockaddr_un, sun_path) +
	       strlen(a.sun_path) + 1);
	len = 4;
	rep("getsockname short", getsockname(s.lfd, (struct sockaddr *)&b, &len));
	printf("len %u\n", len);
	rep("connect bad len", connect(c, (struct sockaddr *)&a, 200));
	rep("accept on non-listener", accept(c, NULL, NULL));
	close(c);
	close(s.cfd);
	close(s.lfd);
	unlink(a.sun_path);
}

static void t_tcp(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET }, b;
	struct server s = { .cfd = -1, .want = 8 };
	socklen_t len = sizeof(a);
	char buf[8] = "", ip[32];
	pthread_t th;
	int c, one = 1, v = 0;

	printf("== TCP loopback\n");
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s.lfd = socket(AF_INET, SOCK_STREAM, 0);
	rep("SO_REUSEADDR", setsockopt(s.lfd, SOL_SOCKET, SO_REUSEADDR, &one,
				       sizeof(one)));
	rep("bind", bind(s.lfd, (struct sockaddr *)&a, sizeof(a)));
	rep("getsockname", getsockname(s.lfd, (struct sockaddr *)&a, &len));
	printf("port set %d len %u\n", a.sin_port != 0, len);
	rep("listen", listen(s.lfd, 4));
	pthread_create(&th, NULL, serve, &s);
	c = socket(AF_INET, SOCK_STREAM, 0);
	rep("TCP_NODELAY", setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one,
				      sizeof(one)));
	len = sizeof(v);
	getsockopt(c, IPPROTO_TCP, TCP_NODELAY, &v, &len);
	printf("TCP_NODELAY %d len %u\n", v != 0, len);
	rep("connect", connect(c, (struct sockaddr *)&a, sizeof(a)));
	if (errno == ENETUNREACH) {	/* no loopback: end the server */
		shutdown(s.lfd, SHUT_RDWR);
		pthread_join(th, NULL);
		close(c);
		close(s.lfd);
		return;
	}
	rep("sendto", sendto(c, "tcp-ping", 8, MSG_NOSIGNAL, NULL, 0));
	rep("shutdown wr", shutdown(c, SHUT_WR));
	len = sizeof(b);
	rep("recvfrom", recvfrom(c, buf, 4, MSG_WAITALL,
				 (struct sockaddr *)&b, &len));
	pthread_join(th, NULL);
	printf("server got %s, client got %.4s, from-len %u\n", s.got, buf,
	       len);
	inet_ntop(AF_INET, &((struct sockaddr_in *)&s.peer)->sin_addr, ip,
		  sizeof(ip));
	printf("accepted peer %s len %u\n", ip, s.peerlen);
	len = sizeof(b);
	getpeername(c, (struct sockaddr *)&b, &len);
	printf("client peer port matches %d\n", b.sin_port == a.sin_port);
	rep("recv at EOF", recv(s.cfd, buf, 4, 0));
	close(c);
	close(s.cfd);
	close(s.lfd);
	c = socket(AF_INET, SOCK_STREAM, 0);
	rep("connect refused", connect(c, (struct sockaddr *)&a, sizeof(a)));
	close(c);
}

static void t_udp(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET }, from;
	socklen_t len = sizeof(a);
	char buf[16] = "", ip[32];
	int r = socket(AF_INET, SOCK_DGRAM, 0), w = socket(AF_INET, SOCK_DGRAM, 0);

	printf("== UDP\n");
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(r, (struct sockaddr *)&a, sizeof(a));
	getsockname(r, (struct sockaddr *)&a, &len);
	rep("sendto", sendto(w, "datagram", 8, 0, (struct sockaddr *)&a,
			     sizeof(a)));
	len = sizeof(from);
	rep("recvfrom truncating", recvfrom(r, buf, 4, MSG_TRUNC,
					    (struct sockaddr *)&from, &len));
	inet_ntop(AF_INET, &from.sin_addr, ip, sizeof(ip));
	printf("data %.4s from %s len %u\n", buf, ip, len);
	rep("sendto bad len", sendto(w, "x", 1, 0, (struct sockaddr *)&a, 3));
	rep("recvfrom nothing", recvfrom(r, buf, 4, MSG_DONTWAIT, NULL, NULL));
	close(r);
	close(w);
}

static void t_msg(void)
{
	char a[4] = "", b[8] = "", cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov[2] = { { "head", 4 }, { "-tail-xy", 8 } };
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = 2 };
	struct cmsghdr *c;
	int sv[2], p[2], got = -1, ds[2];
	char pb[8] = "";

	printf("== sendmsg/recvmsg\n");
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	pipe(p);
	m.msg_control = cbuf;
	m.msg_controllen = sizeof(cbuf);
	c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &p[0], sizeof(int));
	rep("sendmsg 2 iovecs + SCM_RIGHTS", sendmsg(sv[0], &m, 0));
	memset(&m, 0, sizeof(m));
	memset(cbuf, 0, sizeof(cbuf));
	iov[0] = (struct iovec){ a, 4 };
	iov[1] = (struct iovec){ b, 8 };
	m.msg_iov = iov;
	m.msg_iovlen = 2;
	m.msg_control = cbuf;
	m.msg_controllen = sizeof(cbuf);
	rep("recvmsg", recvmsg(sv[1], &m, MSG_CMSG_CLOEXEC));
	printf("iov %.4s|%.8s flags %#x controllen %zu\n", a, b, m.msg_flags,
	       (size_t)m.msg_controllen);
	c = CMSG_FIRSTHDR(&m);
	if (c && c->cmsg_type == SCM_RIGHTS)
		memcpy(&got, CMSG_DATA(c), sizeof(int));
	printf("got an fd %d, a new one %d, cloexec %d\n", got >= 0,
	       got != p[0], got >= 0 && fcntl(got, F_GETFD) == FD_CLOEXEC);
	write(p[1], "via-fd", 6);
	rep("read through the passed fd", read(got, pb, sizeof(pb)));
	printf("data %s\n", pb);
	close(got);
	/* A datagram bigger than the buffer: MSG_TRUNC. */
	socketpair(AF_UNIX, SOCK_DGRAM, 0, ds);
	iov[0] = (struct iovec){ "0123456789", 10 };
	memset(&m, 0, sizeof(m));
	m.msg_iov = iov;
	m.msg_iovlen = 1;
	rep("sendmsg dgram", sendmsg(ds[0], &m, 0));
	iov[0] = (struct iovec){ a, 4 };
	memset(&m, 0, sizeof(m));
	m.msg_iov = iov;
	m.msg_iovlen = 1;
	m.msg_controllen = 0;
	rep("recvmsg truncated", recvmsg(ds[1], &m, 0));
	printf("data %.4s flags %#x (MSG_TRUNC %d)\n", a, m.msg_flags,
	       !!(m.msg_flags & MSG_TRUNC));
	m.msg_iovlen = 2000;
	rep("recvmsg iovlen 2000", recvmsg(ds[1], &m, 0));
	raw("sendmsg bad msghdr", syscall(SYS_sendmsg, ds[0], (void *)8, 0));
	raw("sendmsg bad fd", syscall(SYS_sendmsg, 999, (void *)8, 0));
	close(ds[0]);
	close(ds[1]);
	close(sv[0]);
	close(sv[1]);
	close(p[0]);
	close(p[1]);
}

static volatile sig_atomic_t pipes;

static void on_pipe(int sig)
{
	(void)sig;
	pipes++;
}

/* EPIPE comes with a SIGPIPE for the writer, unless MSG_NOSIGNAL. */
static void t_sigpipe(void)
{
	struct sigaction sa = { .sa_handler = on_pipe };
	int p[2], sv[2];

	printf("== SIGPIPE\n");
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPIPE, &sa, NULL);
	pipe(p);
	close(p[0]);
	rep("write, no reader", write(p[1], "x", 1));
	printf("handler ran %d\n", (int)pipes);
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	close(sv[1]);
	rep("send, peer closed", send(sv[0], "x", 1, 0));
	printf("handler ran %d\n", (int)pipes);
	rep("send MSG_NOSIGNAL", send(sv[0], "x", 1, MSG_NOSIGNAL));
	printf("handler ran %d\n", (int)pipes);
	signal(SIGPIPE, SIG_IGN);
	rep("write, SIGPIPE ignored", write(p[1], "x", 1));
	printf("handler ran %d\n", (int)pipes);
	signal(SIGPIPE, SIG_DFL);
	close(p[1]);
	close(sv[0]);
}

/* --- files ---------------------------------------------------------------- */

static void t_locks(void)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET,
			    .l_start = 0, .l_len = 10 };
	char f[300];
	int a, b;

	printf("== locks\n");
	path(f, sizeof(f), "lock");
	a = open(f, O_RDWR | O_CREAT | O_TRUNC, 0600);
	b = open(f, O_RDWR);
	rep("F_SETLK", fcntl(a, F_SETLK, &fl));
	fl.l_type = F_WRLCK;
	rep("F_GETLK (own lock)", fcntl(b, F_GETLK, &fl));
	printf("l_type unlocked %d\n", fl.l_type == F_UNLCK);
	fl = (struct flock){ .l_type = F_UNLCK, .l_len = 10 };
	rep("F_SETLK unlock", fcntl(a, F_SETLK, &fl));
	fl = (struct flock){ .l_type = F_WRLCK, .l_len = 10 };
	rep("F_OFD_SETLK a", fcntl(a, F_OFD_SETLK, &fl));
	fl = (struct flock){ .l_type = F_RDLCK, .l_len = 5 };
	rep("F_OFD_GETLK b", fcntl(b, F_OFD_GETLK, &fl));
	printf("held %d pid %d start %ld len %ld\n", fl.l_type == F_WRLCK,
	       fl.l_pid, (long)fl.l_start, (long)fl.l_len);
	fl = (struct flock){ .l_type = F_RDLCK, .l_len = 5 };
	rep("F_OFD_SETLK b (conflict)", fcntl(b, F_OFD_SETLK, &fl));
	fl = (struct flock){ .l_type = F_UNLCK, .l_len = 10 };
	rep("F_OFD_SETLK a unlock", fcntl(a, F_OFD_SETLK, &fl));
	fl = (struct flock){ .l_type = F_RDLCK, .l_len = 5 };
	rep("F_OFD_SETLKW b", fcntl(b, F_OFD_SETLKW, &fl));
	fl.l_type = 99;
	rep("F_SETLK bad type", fcntl(a, F_SETLK, &fl));
	raw("F_GETLK bad pointer", syscall(SYS_fcntl, a, F_GETLK, (void *)8));
	raw("F_GETLK bad fd", syscall(SYS_fcntl, 999, F_GETLK, (void *)8));
	close(b);
	b = open(f, O_RDWR);
	rep("flock a LOCK_EX", flock(a, LOCK_EX));
	rep("flock b LOCK_EX|LOCK_NB", flock(b, LOCK_EX | LOCK_NB));
	rep("flock a LOCK_UN", flock(a, LOCK_UN));
	rep("flock b LOCK_SH|LOCK_NB", flock(b, LOCK_SH | LOCK_NB));
	rep("flock bad op", flock(b, 0));
	close(a);
	close(b);
	unlink(f);
}

static void t_links(void)
{
	char f[300], l[300], s[300], t[300] = "";
	struct stat st;
	int d;

	printf("== links\n");
	path(f, sizeof(f), "file");
	path(l, sizeof(l), "hard");
	path(s, sizeof(s), "soft");
	unlink(l);
	unlink(s);
	close(open(f, O_RDWR | O_CREAT | O_TRUNC, 0644));
	rep("link", link(f, l));
	stat(f, &st);
	printf("nlink %lu\n", (unsigned long)st.st_nlink);
	rep("link existing", link(f, l));
	rep("symlink", symlink("posix_io.file", s));
	rep("readlink", readlink(s, t, sizeof(t) - 1));
	printf("target %s\n", t);
	lstat(s, &st);
	printf("lstat is link %d\n", S_ISLNK(st.st_mode));
	d = open(dir, O_RDONLY | O_DIRECTORY);
	unlink(l);
	unlink(s);
	rep("linkat", linkat(d, "posix_io.file", d, "posix_io.hard", 0));
	rep("symlinkat", symlinkat("posix_io.hard", d, "posix_io.soft"));
	memset(t, 0, sizeof(t));
	rep("readlinkat", readlinkat(d, "posix_io.soft", t, sizeof(t) - 1));
	printf("target %s\n", t);
	rep("linkat AT_SYMLINK_FOLLOW", linkat(d, "posix_io.soft", d,
					      "posix_io.third",
					      AT_SYMLINK_FOLLOW));
	stat(f, &st);
	printf("nlink %lu\n", (unsigned long)st.st_nlink);
	rep("link missing", link("/nonexistent/x", l));
	raw("symlink bad pointer", syscall(SYS_symlink, (void *)8, s));
	unlinkat(d, "posix_io.third", 0);
	unlink(l);
	unlink(s);
	close(d);
}

static void t_modes(void)
{
	char f[300], s[300];
	struct stat st;
	int fd, d;

	printf("== modes and owners\n");
	path(f, sizeof(f), "file");
	path(s, sizeof(s), "soft");
	rep("chmod 0640", chmod(f, 0640));
	stat(f, &st);
	printf("mode %o\n", st.st_mode & 07777);
	fd = open(f, O_RDONLY);
	rep("fchmod 0600", fchmod(fd, 0600));
	fstat(fd, &st);
	printf("mode %o\n", st.st_mode & 07777);
	d = open(dir, O_RDONLY | O_DIRECTORY);
	rep("fchmodat 0444", fchmodat(d, "posix_io.file", 0444, 0));
	/* fchmodat2 (Linux 6.6): ENOSYS before. */
	raw("fchmodat2 0440", syscall(452, d, "posix_io.file", 0440, 0));
	raw("fchmodat2 bad flags", syscall(452, d, "posix_io.file", 0440, 8));
	stat(f, &st);
	printf("mode %o\n", st.st_mode & 07777);
	rep("chown self", chown(f, getuid(), getgid()));
	rep("fchown -1 -1", fchown(fd, -1, -1));
	symlink("posix_io.file", s);
	rep("lchown", lchown(s, -1, getgid()));
	rep("fchownat", fchownat(d, "posix_io.file", -1, -1,
				 AT_SYMLINK_NOFOLLOW));
	rep("chmod missing", chmod("/nonexistent", 0600));
	rep("fchmod bad fd", fchmod(999, 0600));
	unlink(s);
	chmod(f, 0644);
	close(d);
	close(fd);
}

static void t_times(void)
{
	struct timespec ts[2] = { { 1000000000, 123456789 }, { 1200000000, 5 } };
	struct timeval tv[2] = { { 1300000000, 250000 }, { 1400000000, 750000 } };
	char f[300];
	struct stat st;
	int fd, d;

	printf("== times\n");
	path(f, sizeof(f), "file");
	d = open(dir, O_RDONLY | O_DIRECTORY);
	rep("utimensat", utimensat(d, "posix_io.file", ts, 0));
	stat(f, &st);
	printf("atime %ld.%09ld mtime %ld.%09ld\n", (long)st.st_atim.tv_sec,
	       st.st_atim.tv_nsec, (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1] = (struct timespec){ 1100000000, 7 };
	fd = open(f, O_RDONLY);
	rep("futimens (utimensat NULL path)", futimens(fd, ts));
	fstat(fd, &st);
	printf("atime %ld.%09ld mtime %ld.%09ld\n", (long)st.st_atim.tv_sec,
	       st.st_atim.tv_nsec, (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	rep("utimes", utimes(f, tv));
	stat(f, &st);
	printf("atime %ld.%09ld mtime %ld.%09ld\n", (long)st.st_atim.tv_sec,
	       st.st_atim.tv_nsec, (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	tv[1].tv_sec = 1500000000;
	raw("futimesat", syscall(SYS_futimesat, d, "posix_io.file", tv));
	stat(f, &st);
	printf("mtime %ld.%09ld\n", (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	ts[0].tv_nsec = 1000000000;
	rep("utimensat bad nsec", utimensat(d, "posix_io.file", ts, 0));
	raw("utimensat bad pointer", syscall(SYS_utimensat, d, "posix_io.file",
					     (void *)8, 0));
	rep("utimensat bad flags", utimensat(d, "posix_io.file", NULL, 0x4000));
	close(fd);
	close(d);
}

static void t_statx(void)
{
	struct app_statx sx;
	struct statfs a, b;
	char f[300];
	int fd;

	printf("== statx, statfs\n");
	path(f, sizeof(f), "file");
	rep("statx", app_statx(AT_FDCWD, f, 0, APP_STATX_BASIC_STATS, &sx));
	printf("mask-basic %#x mode %o size %llu nlink %u mtime %lld\n",
	       sx.mask & APP_STATX_BASIC_STATS, sx.mode,
	       (unsigned long long)sx.size, sx.nlink, (long long)sx.mtime.sec);
	fd = open(f, O_RDONLY);
	rep("statx AT_EMPTY_PATH",
	    app_statx(fd, "", AT_EMPTY_PATH, APP_STATX_SIZE, &sx));
	rep("statx bad flags",
	    app_statx(AT_FDCWD, f, 0x70000000, APP_STATX_SIZE, &sx));
	rep("statx missing",
	    app_statx(AT_FDCWD, "/nonexistent", 0, APP_STATX_SIZE, &sx));
	rep("statfs", statfs(dir, &a));
	rep("fstatfs", fstatfs(fd, &b));
	printf("f_type %#lx same %d bsize %ld namelen %ld\n", (long)a.f_type,
	       a.f_type == b.f_type && a.f_bsize == b.f_bsize,
	       (long)a.f_bsize, (long)a.f_namelen);
	rep("statfs /proc", statfs("/proc", &a));
	printf("f_type %#lx\n", (long)a.f_type);
	rep("statfs missing", statfs("/nonexistent", &a));
	rep("fstatfs bad fd", fstatfs(999, &a));
	close(fd);
}

static void t_copies(void)
{
	char f[300], g[300], buf[10000], back[10000];
	off_t off = 100;
	loff_t in = 1000, out = 0;
	int a, b, i;

	printf("== sendfile, copy_file_range\n");
	for (i = 0; i < (int)sizeof(buf); i++)
		buf[i] = (char)('a' + i % 26);
	path(f, sizeof(f), "src");
	path(g, sizeof(g), "dst");
	a = open(f, O_RDWR | O_CREAT | O_TRUNC, 0600);
	write(a, buf, sizeof(buf));
	b = open(g, O_RDWR | O_CREAT | O_TRUNC, 0600);
	rep("sendfile", sendfile(b, a, &off, 5000));
	printf("offset %ld file pos %ld\n", (long)off, (long)lseek(a, 0, SEEK_CUR));
	pread(b, back, 5000, 0);
	printf("contents match %d\n", !memcmp(back, buf + 100, 5000));
	lseek(a, 9000, SEEK_SET);
	rep("sendfile from position", sendfile(b, a, NULL, 5000));
	printf("file pos %ld\n", (long)lseek(a, 0, SEEK_CUR));
	rep("copy_file_range", copy_file_range(a, &in, b, &out, 3000, 0));
	printf("off_in %lld off_out %lld\n", (long long)in, (long long)out);
	pread(b, back, 3000, 0);
	printf("contents match %d\n", !memcmp(back, buf + 1000, 3000));
	rep("copy_file_range flags", copy_file_range(a, &in, b, &out, 10, 1));
	rep("sendfile bad fd", sendfile(999, a, NULL, 10));
	raw("sendfile bad offset", syscall(SYS_sendfile, b, a, (void *)8, 10));
	close(a);
	close(b);
	unlink(f);
	unlink(g);
}

/* --- identity ------------------------------------------------------------- */

static void t_ids(void)
{
	gid_t g[256];
	int n;
	mode_t old;

	printf("== groups, umask, sessions\n");
	n = getgroups(0, NULL);
	rep("getgroups(0)", n);
	rep("getgroups(n) same", getgroups(256, g) == n);
	if (n > 1)
		rep("getgroups too small", getgroups(n - 1, g));
	raw("getgroups(-1)", syscall(SYS_getgroups, -1, g));
	old = umask(027);
	rep("umask", umask(old));
	printf("old umask %o\n", old);
	printf("getpgid(0) == getpgrp: %d\n", getpgid(0) == getpgrp());
	printf("getpgid(getpid) == getpgrp: %d\n", getpgid(getpid()) == getpgrp());
	printf("getsid(0) == getsid(getpid): %d\n", getsid(0) == getsid(getpid()));
	rep("getpgid(-5)", getpgid(-5));
	rep("getsid(1)", getsid(1));
	rep("setpgid(0, 0)", setpgid(0, 0));
	printf("getpgrp == getpid: %d\n", getpgrp() == getpid());
	printf("getpgid(getpid) == getpid: %d\n", getpgid(getpid()) == getpid());
	rep("setpgid(getpid, getpid)", setpgid(getpid(), getpid()));
	rep("setsid (group leader)", setsid());
	printf("getsid(getpid) == getsid(0): %d\n", getsid(getpid()) == getsid(0));
	rep("setpgid(0, -1)", setpgid(0, -1));
}

/* --- terminal ------------------------------------------------------------- */

/* Until fd is readable (2 s at most: the pty's line discipline works later). */
static int wait_in(int fd)
{
	struct pollfd f = { fd, POLLIN, 0 };

	return poll(&f, 1, 2000);
}

static void t_tty(void)
{
	struct termios t, u;
	struct winsize ws = { 24, 80, 0, 0 }, w2;
	int m, s, n = -1, p[2], one = 1, k;
	char buf[16] = "";
	ssize_t r = 0;

	printf("== terminal\n");
	pipe(p);
	rep("tcgetattr pipe", tcgetattr(p[0], &t));
	rep("FIONBIO pipe", ioctl(p[0], FIONBIO, &one));
	printf("nonblock %d\n", (fcntl(p[0], F_GETFL) & O_NONBLOCK) != 0);
	write(p[1], "abc", 3);
	rep("FIONREAD pipe", ioctl(p[0], FIONREAD, &n));
	printf("FIONREAD %d\n", n);
	rep("FIOCLEX", ioctl(p[0], FIOCLEX));
	printf("cloexec %d\n", fcntl(p[0], F_GETFD));
	close(p[0]);
	close(p[1]);
	m = posix_openpt(O_RDWR | O_NOCTTY);
	printf("posix_openpt ok %d\n", m >= 0);
	rep("grantpt", grantpt(m));
	rep("unlockpt", unlockpt(m));
	s = open(ptsname(m), O_RDWR | O_NOCTTY);
	printf("slave open %d isatty %d\n", s >= 0, isatty(s));
	rep("tcgetattr", tcgetattr(s, &t));
	u = t;
	cfmakeraw(&u);
	rep("tcsetattr raw", tcsetattr(s, TCSANOW, &u));
	tcgetattr(s, &u);
	printf("raw: icanon %d echo %d\n", !!(u.c_lflag & ICANON),
	       !!(u.c_lflag & ECHO));
	rep("tcsetattr TCSAFLUSH", tcsetattr(s, TCSAFLUSH, &t));
	tcgetattr(s, &u);
	printf("restored: icanon %d echo %d\n", !!(u.c_lflag & ICANON),
	       !!(u.c_lflag & ECHO));
	rep("TIOCSWINSZ", ioctl(s, TIOCSWINSZ, &ws));
	rep("TIOCGWINSZ", ioctl(m, TIOCGWINSZ, &w2));
	printf("winsize %ux%u\n", w2.ws_row, w2.ws_col);
	rep("TIOCGPGRP (not our terminal)", ioctl(s, TIOCGPGRP, &n));
	rep("tcsetpgrp (not our terminal)", tcsetpgrp(s, getpgrp()));
	write(m, "hi\n", 3);
	rep("poll slave", wait_in(s));
	rep("FIONREAD slave", ioctl(s, FIONREAD, &n));
	printf("FIONREAD %d\n", n);
	rep("tcflush", tcflush(s, TCIFLUSH));
	rep("FIONREAD after flush", ioctl(s, FIONREAD, &n));
	printf("FIONREAD %d\n", n);
	write(s, "out\n", 4);
	for (k = 0; k < 9 && wait_in(m) > 0; k += (int)r) {
		r = read(m, buf + k, sizeof(buf) - 1 - (size_t)k);
		if (r <= 0)
			break;
	}
	printf("master got %d: %s", k, buf);
	rep("tcdrain", tcdrain(s));
	rep("tcsendbreak", tcsendbreak(s, 0));
	raw("TCSETS bad pointer", syscall(SYS_ioctl, s, TCSETS, (void *)8));
	pipe(p);
	raw("TCSETS bad pointer, a pipe", syscall(SYS_ioctl, p[0], TCSETS,
						  (void *)8));
	close(p[0]);
	close(p[1]);
	close(s);
	close(m);
}

int main(int argc, char **argv)
{
	snprintf(dir, sizeof(dir), "%s", argc > 1 ? argv[1] : "/tmp");
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("posix_io (%s)\n", LIBC);
	t_pipe();
	t_poll();
	t_select();
	t_epoll();
	t_eventfd();
	t_socketpair();
	t_unix_stream();
	t_tcp();
	t_udp();
	t_msg();
	t_sigpipe();
	t_locks();
	t_links();
	t_modes();
	t_times();
	t_statx();
	t_copies();
	t_tty();
	t_ids();
	{
		char f[300];

		path(f, sizeof(f), "file");
		unlink(f);
	}
	return 0;
}
