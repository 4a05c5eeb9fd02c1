/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The netlink layer of cokctl (and of tests/nl-malformed): one generic
 * netlink socket bound to the ckpt_cokernel family, request/response
 * transactions, and the kernel's extended ACK (libnl 3.7 has no helper
 * for it, so the error callback parses struct nlmsgerr and its trailing
 * NLMSGERR_ATTR_* attributes itself).
 */
#ifndef COKCTL_NL_H
#define COKCTL_NL_H

#include <stdbool.h>
#include <stdint.h>
#include <netlink/netlink.h>
#include <netlink/genl/genl.h>

/* How a request ended. */
enum cok_nl_status {
	COK_NL_OK = 0,
	COK_NL_REFUSED,		/* the kernel answered with an error */
	COK_NL_NO_MODULE,	/* the family is not registered */
	COK_NL_SYSTEM,		/* socket, memory or protocol trouble */
};

/* What the kernel's extended ACK carried, as far as we understood it. */
struct cok_nl_extack {
	char msg[256];		/* NLMSGERR_ATTR_MSG, "" if none */
	bool has_attr;		/* NLMSGERR_ATTR_OFFS named an attribute */
	uint16_t attr;		/* ... of this type, in our request */
	bool has_miss;		/* NLMSGERR_ATTR_MISS_TYPE */
	uint32_t miss_type;
	bool has_range;		/* NLMSGERR_ATTR_POLICY: value range */
	uint64_t min, max;
	bool has_len;		/* NLMSGERR_ATTR_POLICY: length range */
	uint32_t min_len, max_len;
};

/* A reply handler: 0 to go on, or a negative errno on a bad reply. */
typedef int (*cok_nl_reply_fn)(struct nlmsghdr *nlh, void *arg);

struct cok_nl {
	struct nl_sock *sk;
	struct nl_cb *cb;
	int family;

	/* Outcome of the last operation. */
	enum cok_nl_status status;
	int err;		/* positive errno */
	char what[96];		/* for COK_NL_SYSTEM: what failed */
	struct cok_nl_extack ext;

	/* Private to a transaction. */
	struct nl_msg *sent;
	cok_nl_reply_fn reply;
	void *reply_arg;
	bool done;
};

/* Connects and resolves the family; on failure see status and err. */
int cok_nl_open(struct cok_nl *nl);
void cok_nl_close(struct cok_nl *nl);

/* A request for cmd with the given extra netlink flags, or NULL. */
struct nl_msg *cok_nl_new(struct cok_nl *nl, uint8_t cmd, int flags);

/*
 * Sends msg (not consumed), feeds every reply message to reply (may be
 * NULL) and waits for the ACK or, for a dump, for NLMSG_DONE.  Returns 0
 * on success or -1; nl->status, nl->err and nl->ext tell what happened.
 */
int cok_nl_transact(struct cok_nl *nl, struct nl_msg *msg,
		    cok_nl_reply_fn reply, void *arg);

/* Records a local failure (e.g. a malformed reply) in nl. */
void cok_nl_set_system(struct cok_nl *nl, int err, const char *what);

/* A printable name of a top-level COK_A_* attribute. */
const char *cok_nl_attr_name(uint32_t type);

/*
 * Formats the kernel's refusal as one line: the extack message (or
 * strerror), plus the attribute it concerned and the allowed range.
 */
void cok_nl_describe(const struct cok_nl *nl, char *buf, size_t len);

#endif /* COKCTL_NL_H */
