/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Linux's errno values (include/uapi/asm-generic/errno-base.h and
 * errno.h), the ones the co-kernel answers apps with: one definition.
 */
#ifndef COKERNEL_ERRNO_H
#define COKERNEL_ERRNO_H

#define EPERM		1
#define ENOENT		2
#define ESRCH		3
#define EINTR		4
#define EIO		5
#define ENXIO		6
#define E2BIG		7
#define ENOEXEC		8
#define EBADF		9
#define ECHILD		10
#define EAGAIN		11
#define ENOMEM		12
#define EACCES		13
#define EFAULT		14
#define EBUSY		16
#define EEXIST		17
#define ENODEV		19
#define ENOTDIR		20
#define EINVAL		22
#define ENFILE		23
#define EMFILE		24
#define ENOTTY		25
#define ENOSPC		28
#define ESPIPE		29
#define ERANGE		34
#define ENOSYS		38
#define ENOTSUP		95
#define EOPNOTSUPP	95
#define ETIMEDOUT	110
/* Linux-internal: a call a signal interrupted that restarts (never seen). */
#define ERESTARTSYS	512
#define ERESTARTNOINTR	513
#define ERESTARTNOHAND	514
#define ERESTART_RESTARTBLOCK	516

#endif /* COKERNEL_ERRNO_H */
