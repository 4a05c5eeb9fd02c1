// SPDX-License-Identifier: GPL-2.0
/*
 * The netlink layer of cokctl: see nl.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/genetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/genl/ctrl.h>

#include "nl.h"
#include "../xemem/genl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

static const char *const attr_names[COK_A_MAX + 1] = {
	[COK_A_ENCLAVE_ID]	= "enclave id",
	[COK_A_CPU_COUNT]	= "cpu count",
	[COK_A_CPU_LIST]	= "cpu list",
	[COK_A_MEM_BYTES]	= "memory size",
	[COK_A_STATE]		= "state",
	[COK_A_UPTIME_NS]	= "uptime",
	[COK_A_BOOT_NS]		= "boot time",
	[COK_A_MEM_FREE]	= "free memory",
	[COK_A_CORE]		= "core",
	[COK_A_CONSOLE_POS]	= "console position",
	[COK_A_CONSOLE_DATA]	= "console data",
	[COK_A_CONSOLE_LOST]	= "console bytes lost",
	[COK_A_PAD]		= "padding",
};

const char *cok_nl_attr_name(uint32_t type)
{
	if (type <= COK_A_MAX && attr_names[type])
		return attr_names[type];
	return NULL;
}

/* libnl's error codes, as negative errno values for the exit status. */
static int nle_errno(int nle)
{
	switch (nle < 0 ? -nle : nle) {
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_PERM:
		return -EPERM;
	case NLE_NOACCESS:
		return -EACCES;
	case NLE_INTR:
		return -EINTR;
	case NLE_AGAIN:
		return -EAGAIN;
	case NLE_BUSY:
		return -EBUSY;
	case NLE_OBJ_NOTFOUND:
		return -ENOENT;
	case NLE_SEQ_MISMATCH:
	case NLE_MSG_TRUNC:
	case NLE_MSG_OVERFLOW:
	case NLE_MSG_TOOSHORT:
	case NLE_MSGTYPE_NOSUPPORT:
	case NLE_PARSE_ERR:
	case NLE_DUMP_INTR:
		return -EPROTO;
	default:
		return -EIO;
	}
}

void cok_nl_set_system(struct cok_nl *nl, int err, const char *what)
{
	nl->status = COK_NL_SYSTEM;
	nl->err = err;
	snprintf(nl->what, sizeof(nl->what), "%s: %s", what, strerror(err));
}

static void set_nle(struct cok_nl *nl, int nle, const char *what)
{
	nl->status = COK_NL_SYSTEM;
	nl->err = -nle_errno(nle);
	snprintf(nl->what, sizeof(nl->what), "%s: %s", what, nl_geterror(nle));
}

static void reset_outcome(struct cok_nl *nl)
{
	nl->status = COK_NL_OK;
	nl->err = 0;
	nl->what[0] = '\0';
	memset(&nl->ext, 0, sizeof(nl->ext));
}

/* Which attribute of our request sits at offset off (NLMSGERR_ATTR_OFFS). */
static void locate_attr(struct cok_nl *nl, uint32_t off)
{
	struct nlmsghdr *req;
	struct nlattr *nla;

	if (!nl->sent)
		return;
	req = nlmsg_hdr(nl->sent);
	if (off < NLMSG_HDRLEN + GENL_HDRLEN || off % NLA_ALIGNTO ||
	    off > req->nlmsg_len || req->nlmsg_len - off < NLA_HDRLEN)
		return;
	nla = (struct nlattr *)((char *)req + off);
	nl->ext.has_attr = true;
	nl->ext.attr = nla->nla_type & NLA_TYPE_MASK;
}

static void parse_policy(struct cok_nl *nl, struct nlattr *pol)
{
	struct nlattr *tb[NL_POLICY_TYPE_ATTR_MAX + 1];
	struct cok_nl_extack *x = &nl->ext;

	if (nla_parse_nested(tb, NL_POLICY_TYPE_ATTR_MAX, pol, NULL) < 0)
		return;
	if (tb[NL_POLICY_TYPE_ATTR_MIN_VALUE_U] &&
	    tb[NL_POLICY_TYPE_ATTR_MAX_VALUE_U] &&
	    nla_len(tb[NL_POLICY_TYPE_ATTR_MIN_VALUE_U]) == 8 &&
	    nla_len(tb[NL_POLICY_TYPE_ATTR_MAX_VALUE_U]) == 8) {
		x->has_range = true;
		x->min = nla_get_u64(tb[NL_POLICY_TYPE_ATTR_MIN_VALUE_U]);
		x->max = nla_get_u64(tb[NL_POLICY_TYPE_ATTR_MAX_VALUE_U]);
	}
	if (tb[NL_POLICY_TYPE_ATTR_MIN_LENGTH] &&
	    tb[NL_POLICY_TYPE_ATTR_MAX_LENGTH] &&
	    nla_len(tb[NL_POLICY_TYPE_ATTR_MIN_LENGTH]) == 4 &&
	    nla_len(tb[NL_POLICY_TYPE_ATTR_MAX_LENGTH]) == 4) {
		x->has_len = true;
		x->min_len = nla_get_u32(tb[NL_POLICY_TYPE_ATTR_MIN_LENGTH]);
		x->max_len = nla_get_u32(tb[NL_POLICY_TYPE_ATTR_MAX_LENGTH]);
	}
}

/* The NLMSGERR_ATTR_* attributes found at offset off of nlh. */
static void parse_ack_tlvs(struct cok_nl *nl, struct nlmsghdr *nlh,
			   size_t off)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	struct cok_nl_extack *x = &nl->ext;
	struct nlattr *a;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || off >= nlh->nlmsg_len)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)nlh + off),
		      nlh->nlmsg_len - off, NULL) < 0)
		return;

	a = tb[NLMSGERR_ATTR_MSG];
	if (a && nla_len(a) > 0) {
		size_t n = (size_t)nla_len(a);
		char *nul;

		if (n >= sizeof(x->msg))
			n = sizeof(x->msg) - 1;
		memcpy(x->msg, nla_data(a), n);
		x->msg[n] = '\0';
		nul = strchr(x->msg, '\n');
		if (nul)
			*nul = '\0';
	}
	a = tb[NLMSGERR_ATTR_OFFS];
	if (a && nla_len(a) == 4)
		locate_attr(nl, nla_get_u32(a));
	a = tb[NLMSGERR_ATTR_MISS_TYPE];
	if (a && nla_len(a) == 4) {
		x->has_miss = true;
		x->miss_type = nla_get_u32(a);
	}
	if (tb[NLMSGERR_ATTR_POLICY])
		parse_policy(nl, tb[NLMSGERR_ATTR_POLICY]);
}

/*
 * NLMSG_ERROR with a non-zero error.  libnl hands over the nlmsgerr; its
 * netlink header sits right before it.  The ACK TLVs follow the echoed
 * request: its header only if NLM_F_CAPPED, else the whole request.
 */
static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct cok_nl *nl = arg;
	size_t echoed;

	(void)who;
	nl->status = COK_NL_REFUSED;
	nl->err = e->error < 0 ? -e->error : e->error;
	if (nlh->nlmsg_flags & NLM_F_CAPPED)
		echoed = sizeof(struct nlmsghdr);
	else
		echoed = e->msg.nlmsg_len;
	parse_ack_tlvs(nl, nlh, NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(int) + echoed));
	nl->done = true;
	return NL_STOP;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct cok_nl *nl = arg;

	(void)msg;
	nl->done = true;
	return NL_STOP;
}

/* NLMSG_DONE ends a dump; a failed dump puts its error (and TLVs) here. */
static int on_finish(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct cok_nl *nl = arg;
	int err;

	nl->done = true;
	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(int))
		return NL_STOP;
	memcpy(&err, nlmsg_data(nlh), sizeof(err));
	if (err < 0) {
		nl->status = COK_NL_REFUSED;
		nl->err = -err;
		parse_ack_tlvs(nl, nlh, NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(int)));
	}
	return NL_STOP;
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct cok_nl *nl = arg;
	int ret;

	if (!nl->reply || nlh->nlmsg_type != nl->family)
		return NL_OK;
	ret = nl->reply(nlh, nl->reply_arg);
	if (ret < 0) {
		cok_nl_set_system(nl, -ret, "malformed answer from the module");
		nl->done = true;
		return NL_STOP;
	}
	return NL_OK;
}

int cok_nl_open(struct cok_nl *nl)
{
	int one = 1;
	int fd, ret;

	memset(nl, 0, sizeof(*nl));
	nl->sk = nl_socket_alloc();
	nl->cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!nl->sk || !nl->cb) {
		cok_nl_set_system(nl, ENOMEM, "cannot allocate a netlink socket");
		return -1;
	}
	ret = genl_connect(nl->sk);
	if (ret < 0) {
		set_nle(nl, ret, "cannot open a generic netlink socket");
		return -1;
	}

	fd = nl_socket_get_fd(nl->sk);
	if (setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one,
		       sizeof(one)) < 0) {
		cok_nl_set_system(nl, errno, "cannot enable extended ACKs");
		return -1;
	}
	/* Our copy of the request is enough: do not echo it back. */
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));

	ret = genl_ctrl_resolve(nl->sk, COK_GENL_NAME);
	if (ret == -NLE_OBJ_NOTFOUND) {
		nl->status = COK_NL_NO_MODULE;
		nl->err = ENOENT;
		return -1;
	}
	if (ret < 0) {
		set_nle(nl, ret, "cannot look up the " COK_GENL_NAME
			" netlink family");
		return -1;
	}
	nl->family = ret;

	nl_cb_err(nl->cb, NL_CB_CUSTOM, on_error, nl);
	nl_cb_set(nl->cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, nl);
	nl_cb_set(nl->cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, nl);
	nl_cb_set(nl->cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, nl);
	return 0;
}

void cok_nl_close(struct cok_nl *nl)
{
	if (nl->cb)
		nl_cb_put(nl->cb);
	if (nl->sk)
		nl_socket_free(nl->sk);
	nl->cb = NULL;
	nl->sk = NULL;
}

struct nl_msg *cok_nl_new(struct cok_nl *nl, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, flags,
			 cmd, COK_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

int cok_nl_transact(struct cok_nl *nl, struct nl_msg *msg,
		    cok_nl_reply_fn reply, void *arg)
{
	int ret;

	reset_outcome(nl);
	nl->sent = msg;
	nl->reply = reply;
	nl->reply_arg = arg;
	nl->done = false;

	ret = nl_send_auto(nl->sk, msg);
	if (ret < 0) {
		set_nle(nl, ret, "cannot send the request");
		goto out;
	}
	while (!nl->done) {
		ret = nl_recvmsgs(nl->sk, nl->cb);
		if (nl->done)
			break;
		if (ret < 0) {
			set_nle(nl, ret, "cannot receive the answer");
			break;
		}
	}
out:
	nl->sent = NULL;
	nl->reply = NULL;
	nl->reply_arg = NULL;
	return nl->status == COK_NL_OK ? 0 : -1;
}

static void attr_label(uint32_t type, char *buf, size_t len)
{
	const char *name = cok_nl_attr_name(type);

	if (name)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "attribute %" PRIu32, type);
}

void cok_nl_describe(const struct cok_nl *nl, char *buf, size_t len)
{
	const struct cok_nl_extack *x = &nl->ext;
	char name[48] = "", range[64] = "", base[320];

	if (x->msg[0]) {
		snprintf(base, sizeof(base), "%s", x->msg);
	} else if (x->has_miss) {
		attr_label(x->miss_type, name, sizeof(name));
		snprintf(base, sizeof(base), "missing attribute: %s", name);
		name[0] = '\0';
	} else {
		snprintf(base, sizeof(base), "%s", strerror(nl->err));
	}

	if (x->has_attr) {
		attr_label(x->attr, name, sizeof(name));
		/* Our own messages already name their attribute. */
		if (strstr(base, name))
			name[0] = '\0';
	}
	if (x->has_range && x->max == UINT64_MAX)
		snprintf(range, sizeof(range), "at least %" PRIu64, x->min);
	else if (x->has_range)
		snprintf(range, sizeof(range), "%" PRIu64 "..%" PRIu64,
			 x->min, x->max);
	else if (x->has_len)
		snprintf(range, sizeof(range), "length %" PRIu32 "..%" PRIu32,
			 x->min_len, x->max_len);

	if (name[0] && range[0])
		snprintf(buf, len, "%s (%s: %s)", base, name, range);
	else if (name[0])
		snprintf(buf, len, "%s (%s)", base, name);
	else
		snprintf(buf, len, "%s", base);
}
