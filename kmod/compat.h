/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What differs between the kernels we build for (Debian's 6.1 and 6.12).
 */
#ifndef COK_COMPAT_H
#define COK_COMPAT_H

#include <linux/mm.h>
#include <linux/netlink.h>
#include <linux/version.h>

/* vm_flags became read-only behind vm_flags_set() in 6.3. */
static inline void vm_flags_set_compat(struct vm_area_struct *vma,
				       vm_flags_t flags)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

static inline void vm_flags_clear_compat(struct vm_area_struct *vma,
					 vm_flags_t flags)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_clear(vma, flags);
#else
	vma->vm_flags &= ~flags;
#endif
}

/*
 * cok_err(): a formatted one-line extack message.  NL_SET_ERR_MSG_FMT
 * (text kept inside the extack) arrived in 6.2.  On 6.1 the text must
 * outlive the op until the ack is built; cok_extack_format() (compat.c)
 * formats into a ring of static slots for that.
 */
#ifdef NL_SET_ERR_MSG_FMT
#define cok_err(extack, fmt, args...) NL_SET_ERR_MSG_FMT(extack, fmt, ##args)
#else
#define COK_HAVE_EXTACK_RING 1
const char *cok_extack_format(const char *fmt, ...) __printf(1, 2);
#define cok_err(extack, fmt, args...) do {				\
	struct netlink_ext_ack *__extack = (extack);			\
									\
	if (__extack)							\
		__extack->_msg = cok_extack_format(fmt, ##args);	\
} while (0)
#endif

#endif /* COK_COMPAT_H */
