/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What differs between the kernels we build for (Debian's 6.1 and 6.12).
 */
#ifndef COK_COMPAT_H
#define COK_COMPAT_H

#include <linux/netlink.h>

/*
 * cok_err(): a formatted one-line extack message.  NL_SET_ERR_MSG_FMT
 * arrived in 6.2.  On 6.1 the text goes to one static buffer: our
 * generic netlink ops are not parallel_ops, so they run one at a time
 * under genl_mutex, which is held until the ack carrying the text is
 * built.
 */
#ifdef NL_SET_ERR_MSG_FMT
#define cok_err(extack, fmt, args...) NL_SET_ERR_MSG_FMT(extack, fmt, ##args)
#else
extern char cok_extack_buf[160];
#define cok_err(extack, fmt, args...) do {				\
	struct netlink_ext_ack *__extack = (extack);			\
									\
	if (__extack) {							\
		scnprintf(cok_extack_buf, sizeof(cok_extack_buf),	\
			  fmt, ##args);					\
		__extack->_msg = cok_extack_buf;			\
	}								\
} while (0)
#endif

#endif /* COK_COMPAT_H */
