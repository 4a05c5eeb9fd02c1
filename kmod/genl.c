// SPDX-License-Identifier: GPL-2.0
/*
 * The control plane of ckpt_cokernel: the generic netlink family that
 * cokctl talks to (protocol in xemem/genl.h).
 *
 * Validation is split in two.  The netlink core checks every attribute
 * against the per-command policies below (types, lengths, ranges,
 * unknown attributes, trailing bytes: the family is strict because
 * resv_start_op is 0).  The handlers check what a policy cannot express
 * (required and mutually exclusive attributes, alignment) and then call
 * the enclave core (enclave.h), which refuses with its own extack
 * message.  Every refusal leaves a one-line message in the extended ACK.
 *
 * The family runs with parallel_ops: the enclave core serialises itself,
 * and a request that pings or boots cores can take a while, which must
 * not hold the global genetlink mutex.
 */
#include <linux/cred.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "app.h"
#include "enclave_priv.h"
#include "redact.h"
#include "enclave.h"
#include "../xemem/genl.h"

/* Longest state or stage name the dump buffer is sized for. */
#define COK_GENL_NAME_MAX	32

#ifndef NL_SET_ERR_MSG_WEAK
/* Not in 6.1: set a message only if the callee left none. */
#define NL_SET_ERR_MSG_WEAK(extack, msg) do {			\
	struct netlink_ext_ack *__wextack = (extack);		\
								\
	if (__wextack && !__wextack->_msg)			\
		NL_SET_ERR_MSG(__wextack, msg);			\
} while (0)
#endif

static struct genl_family cok_genl_family;

static struct netlink_range_validation cok_mem_range = {
	.min = COK_CHUNK_SIZE,
	.max = U64_MAX,
};

static const struct nla_policy cok_create_policy[COK_A_MAX + 1] = {
	[COK_A_CPU_COUNT]	= NLA_POLICY_RANGE(NLA_U32, 1, COK_MAX_CORES),
	[COK_A_CPU_LIST]	= { .type = NLA_BINARY,
				    .len = COK_MAX_CORES * sizeof(u32) },
	[COK_A_MEM_BYTES]	= NLA_POLICY_FULL_RANGE(NLA_U64,
							&cok_mem_range),
};

static const struct nla_policy cok_id_policy[COK_A_MAX + 1] = {
	[COK_A_ENCLAVE_ID]	= NLA_POLICY_MIN(NLA_U32, 1),
};

static const struct nla_policy cok_app_policy[COK_A_MAX + 1] = {
	[COK_A_APP_ID]		= NLA_POLICY_MIN(NLA_U32, 1),
};

static const struct nla_policy cok_console_policy[COK_A_MAX + 1] = {
	[COK_A_ENCLAVE_ID]	= NLA_POLICY_MIN(NLA_U32, 1),
	[COK_A_CONSOLE_POS]	= { .type = NLA_U64 },
};

/* Default message for a refusal of the enclave core that left none. */
static void cok_genl_refused(struct netlink_ext_ack *extack, int err)
{
	if (err == -ENOENT)
		NL_SET_ERR_MSG_WEAK(extack, "no such enclave");
	else
		NL_SET_ERR_MSG_WEAK(extack, "enclave request refused");
}

static int cok_genl_need_id(struct genl_info *info, u32 *id)
{
	if (GENL_REQ_ATTR_CHECK(info, COK_A_ENCLAVE_ID)) {
		GENL_SET_ERR_MSG(info, "missing attribute: enclave id");
		return -EINVAL;
	}
	*id = nla_get_u32(info->attrs[COK_A_ENCLAVE_ID]);
	return 0;
}

/*
 * Taking cores and memory from Linux is a CAP_SYS_ADMIN matter.  The
 * family does not use GENL_ADMIN_PERM: that flag checks CAP_NET_ADMIN
 * and refuses before the handler runs, with no extack text, and every
 * refusal here must say why.
 */
static int cok_genl_need_sys_admin(struct sk_buff *skb,
				   struct genl_info *info)
{
	if (netlink_capable(skb, CAP_SYS_ADMIN))
		return 0;
	GENL_SET_ERR_MSG(info, "changing enclaves needs CAP_SYS_ADMIN");
	return -EPERM;
}

/*
 * The sender of a request, for ownership checks: its effective uid when
 * it is also the opener of the socket's, CAP_SYS_ADMIN when both have it
 * (netlink_capable).  Requests are handled in the sender's context.
 */
static struct cok_caller cok_genl_caller(struct sk_buff *skb)
{
	/* The sender's socket (skb->sk is the kernel's end). */
	const struct sock *sk = NETLINK_CB(skb).sk;
	const struct socket *sock = sk ? sk->sk_socket : NULL;
	kuid_t uid = current_euid();
	struct cok_caller who = {
		.uid = INVALID_UID,
		.admin = netlink_capable(skb, CAP_SYS_ADMIN),
	};

	if (sock && sock->file && uid_eq(sock->file->f_cred->euid, uid))
		who.uid = uid;
	return who;
}

static int cok_genl_create(struct sk_buff *skb, struct genl_info *info)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr **tb = info->attrs;
	struct cok_create_req req = {};
	struct sk_buff *msg;
	void *hdr;
	u32 id;
	int err;

	err = cok_genl_need_sys_admin(skb, info);
	if (err)
		return err;
	if (GENL_REQ_ATTR_CHECK(info, COK_A_MEM_BYTES)) {
		NL_SET_ERR_MSG(extack, "missing attribute: memory size");
		return -EINVAL;
	}
	if (!tb[COK_A_CPU_COUNT] && !tb[COK_A_CPU_LIST]) {
		NL_SET_ERR_MSG(extack,
			       "missing attribute: cpu count or cpu list");
		return -EINVAL;
	}
	if (tb[COK_A_CPU_COUNT] && tb[COK_A_CPU_LIST]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[COK_A_CPU_LIST],
				    "cpu count and cpu list are mutually exclusive");
		return -EINVAL;
	}

	req.mem_bytes = nla_get_u64(tb[COK_A_MEM_BYTES]);
	if (!IS_ALIGNED(req.mem_bytes, COK_CHUNK_SIZE)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[COK_A_MEM_BYTES],
				    "memory size is not a multiple of 2 MiB");
		return -EINVAL;
	}

	if (tb[COK_A_CPU_LIST]) {
		int len = nla_len(tb[COK_A_CPU_LIST]);

		if (len == 0) {
			NL_SET_ERR_MSG_ATTR(extack, tb[COK_A_CPU_LIST],
					    "cpu list is empty");
			return -EINVAL;
		}
		if (len % sizeof(u32)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[COK_A_CPU_LIST],
					    "cpu list length is not a multiple of 4 bytes");
			return -EINVAL;
		}
		/* The policy caps len at COK_MAX_CORES entries. */
		nla_memcpy(req.cpu_list, tb[COK_A_CPU_LIST],
			   sizeof(req.cpu_list));
		req.ncpus_listed = len / sizeof(u32);
	} else {
		req.cpu_count = nla_get_u32(tb[COK_A_CPU_COUNT]);
	}

	/* Allocate the reply first: a created enclave must be reported. */
	msg = genlmsg_new(nla_total_size(sizeof(u32)), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &cok_genl_family, 0,
				COK_CMD_CREATE);
	if (!hdr) {
		err = -EMSGSIZE;
		goto err_free;
	}

	err = cok_enclave_create(&req, &id, extack);
	if (err) {
		cok_genl_refused(extack, err);
		goto err_free;
	}

	/* Cannot fail: the message was sized for this attribute. */
	if (nla_put_u32(msg, COK_A_ENCLAVE_ID, id)) {
		err = -EMSGSIZE;
		goto err_free;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	return err;
}

/*
 * FREEZE and THAW: APP_ID in; FREEZE_NS (how long it took) and
 * FREEZE_CORE_NS (of that, in the co-kernel) out.
 */
static int cok_genl_freeze_thaw(struct sk_buff *skb, struct genl_info *info,
				bool thaw)
{
	struct cok_caller who = cok_genl_caller(skb);
	struct cok_freeze_times times = { 0 };
	struct sk_buff *msg;
	void *hdr;
	int err;

	/* An app's owner may freeze and thaw it (cok_app_freeze checks). */
	if (GENL_REQ_ATTR_CHECK(info, COK_A_APP_ID)) {
		GENL_SET_ERR_MSG(info, "missing attribute: app id");
		return -EINVAL;
	}
	msg = genlmsg_new(2 * nla_total_size_64bit(sizeof(u64)), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &cok_genl_family, 0,
				info->genlhdr->cmd);
	if (!hdr) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	err = cok_app_freeze(nla_get_u32(info->attrs[COK_A_APP_ID]), thaw,
			     &who, &times, info->extack);
	if (err) {
		cok_genl_refused(info->extack, err);
		nlmsg_free(msg);
		return err;
	}
	if (nla_put_u64_64bit(msg, COK_A_FREEZE_NS, times.ns, COK_A_PAD) ||
	    nla_put_u64_64bit(msg, COK_A_FREEZE_CORE_NS, times.core_ns,
			      COK_A_PAD)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int cok_genl_freeze(struct sk_buff *skb, struct genl_info *info)
{
	return cok_genl_freeze_thaw(skb, info, false);
}

static int cok_genl_thaw(struct sk_buff *skb, struct genl_info *info)
{
	return cok_genl_freeze_thaw(skb, info, true);
}

static int cok_genl_destroy(struct sk_buff *skb, struct genl_info *info)
{
	u32 id;
	int err;

	err = cok_genl_need_sys_admin(skb, info);
	if (err)
		return err;
	err = cok_genl_need_id(info, &id);
	if (err)
		return err;
	err = cok_enclave_destroy(id, info->extack);
	if (err)
		cok_genl_refused(info->extack, err);
	return err;
}

static const char *cok_genl_stage(u32 stage)
{
	return cok_stage_name(stage) ?: "unknown";
}

static size_t cok_genl_core_size(size_t stage_len)
{
	return nla_total_size(0) +			/* COK_A_CORE */
	       nla_total_size(sizeof(u32)) +		/* CPU */
	       nla_total_size(sizeof(u32)) +		/* APIC_ID */
	       nla_total_size(stage_len + 1) +		/* STAGE */
	       nla_total_size(sizeof(u8)) +		/* ALIVE */
	       4 * nla_total_size_64bit(sizeof(u64)) +	/* counters */
	       3 * nla_total_size(sizeof(u32)) +	/* APP_ID, _PID, _UID */
	       nla_total_size(COK_APP_STATE_MAX) +	/* APP_STATE */
	       nla_total_size(COK_LOST_REASON_LEN);	/* REASON */
}

static size_t cok_genl_enclave_size(size_t state_len)
{
	return nla_total_size(sizeof(u32)) +		/* ENCLAVE_ID */
	       nla_total_size(state_len + 1) +		/* STATE */
	       7 * nla_total_size_64bit(sizeof(u64));	/* MEM_*, *_NS */
}

/* The payload size of a STATUS message for @ei, at most. */
static size_t cok_genl_status_size(const struct cok_enclave_info *ei)
{
	size_t size;
	u32 i;

	size = cok_genl_enclave_size(strlen(ei->state ?: "unknown"));
	for (i = 0; i < min_t(u32, ei->ncores, COK_MAX_CORES); i++) {
		const char *stage = cok_genl_stage(ei->core[i].stage);

		size += cok_genl_core_size(strlen(stage));
	}
	return size;
}

static int cok_genl_put_core(struct sk_buff *skb,
			     const struct cok_core_info *ci,
			     const struct cok_caller *who)
{
	struct nlattr *nest;

	nest = nla_nest_start(skb, COK_A_CORE);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, COK_CORE_A_CPU, ci->cpu) ||
	    nla_put_u32(skb, COK_CORE_A_APIC_ID, ci->apic_id) ||
	    nla_put_string(skb, COK_CORE_A_STAGE, cok_genl_stage(ci->stage)) ||
	    nla_put_u8(skb, COK_CORE_A_ALIVE, ci->alive) ||
	    nla_put_u64_64bit(skb, COK_CORE_A_HEARTBEAT, ci->heartbeat,
			      COK_CORE_A_PAD) ||
	    nla_put_u64_64bit(skb, COK_CORE_A_INTERRUPTS, ci->interrupts,
			      COK_CORE_A_PAD) ||
	    nla_put_u64_64bit(skb, COK_CORE_A_NMIS, ci->nmis,
			      COK_CORE_A_PAD) ||
	    nla_put_u64_64bit(skb, COK_CORE_A_FOREIGN, ci->foreign,
			      COK_CORE_A_PAD))
		goto cancel;
	/* Another user's app: that the core is busy, not its proxy. */
	if (ci->app_id &&
	    (nla_put_u32(skb, COK_CORE_A_APP_ID, ci->app_id) ||
	     nla_put_string(skb, COK_CORE_A_APP_STATE, ci->app_state) ||
	     nla_put_u32(skb, COK_CORE_A_APP_UID,
			 from_kuid_munged(&init_user_ns, ci->app_owner)) ||
	     (cok_caller_may(who, ci->app_owner) &&
	      nla_put_u32(skb, COK_CORE_A_APP_PID, ci->app_pid))))
		goto cancel;
	if (ci->reason[0] &&
	    nla_put_string(skb, COK_CORE_A_REASON, ci->reason))
		goto cancel;
	nla_nest_end(skb, nest);
	return 0;

cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int cok_genl_put_status(struct sk_buff *skb,
			       const struct cok_enclave_info *ei,
			       const struct cok_caller *who,
			       u32 portid, u32 seq, int flags)
{
	void *hdr;
	u32 i;

	hdr = genlmsg_put(skb, portid, seq, &cok_genl_family, flags,
			  COK_CMD_STATUS);
	if (!hdr)
		return -EMSGSIZE;

	if (nla_put_u32(skb, COK_A_ENCLAVE_ID, ei->id) ||
	    nla_put_string(skb, COK_A_STATE, ei->state ?: "unknown") ||
	    nla_put_u64_64bit(skb, COK_A_MEM_BYTES, ei->mem_bytes,
			      COK_A_PAD) ||
	    nla_put_u64_64bit(skb, COK_A_MEM_FREE, ei->mem_free, COK_A_PAD) ||
	    nla_put_u64_64bit(skb, COK_A_UPTIME_NS, ei->uptime_ns,
			      COK_A_PAD) ||
	    nla_put_u64_64bit(skb, COK_A_BOOT_NS, ei->boot_ns, COK_A_PAD) ||
	    nla_put_u64_64bit(skb, COK_A_MEMORY_NS, ei->memory_ns,
			      COK_A_PAD) ||
	    nla_put_u64_64bit(skb, COK_A_OFFLINE_NS, ei->offline_ns,
			      COK_A_PAD) ||
	    nla_put_u64_64bit(skb, COK_A_START_NS, ei->start_ns, COK_A_PAD))
		goto cancel;

	for (i = 0; i < min_t(u32, ei->ncores, COK_MAX_CORES); i++) {
		if (cok_genl_put_core(skb, &ei->core[i], who))
			goto cancel;
	}
	genlmsg_end(skb, hdr);
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static int cok_genl_status_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct cok_caller who;
	struct cok_enclave_info *ei;
	struct sk_buff *msg;
	u32 id;
	int err;

	err = cok_genl_need_id(info, &id);
	if (err)
		return err;

	/* About 1.5 KiB: too large for the stack. */
	ei = kzalloc(sizeof(*ei), GFP_KERNEL);
	if (!ei)
		return -ENOMEM;

	err = cok_enclave_info(id, ei, info->extack);
	if (err) {
		cok_genl_refused(info->extack, err);
		goto out;
	}

	msg = genlmsg_new(cok_genl_status_size(ei), GFP_KERNEL);
	if (!msg) {
		err = -ENOMEM;
		goto out;
	}
	who = cok_genl_caller(skb);
	err = cok_genl_put_status(msg, ei, &who, info->snd_portid,
				  info->snd_seq, 0);
	if (err) {
		nlmsg_free(msg);
		goto out;
	}
	err = genlmsg_reply(msg, info);
out:
	kfree(ei);
	return err;
}

static int cok_genl_status_start(struct netlink_callback *cb)
{
	/* One message must always fit: the largest enclave's. */
	cb->min_dump_alloc = nlmsg_total_size(GENL_HDRLEN +
			cok_genl_enclave_size(COK_GENL_NAME_MAX) +
			COK_MAX_CORES * cok_genl_core_size(COK_GENL_NAME_MAX));
	cb->args[0] = 0;	/* the last enclave id reported */
	return 0;
}

static int cok_genl_status_dumpit(struct sk_buff *skb,
				  struct netlink_callback *cb)
{
	struct cok_caller who = cok_genl_caller(cb->skb);
	struct cok_enclave_info *ei;
	u32 after = cb->args[0];
	u32 id;
	int err = 0;

	ei = kmalloc(sizeof(*ei), GFP_KERNEL);
	if (!ei)
		return -ENOMEM;

	while (!cok_enclave_next_id(after, &id)) {
		memset(ei, 0, sizeof(*ei));
		err = cok_enclave_info(id, ei, cb->extack);
		if (err == -ENOENT) {
			/* Destroyed since cok_enclave_next_id(): skip it. */
			err = 0;
			after = id;
			continue;
		}
		if (err) {
			cok_genl_refused(cb->extack, err);
			break;
		}
		err = cok_genl_put_status(skb, ei, &who,
					  NETLINK_CB(cb->skb).portid,
					  cb->nlh->nlmsg_seq, NLM_F_MULTI);
		if (err) {
			/* Full: continue in the next skb, unless empty. */
			if (skb->len)
				err = 0;
			break;
		}
		after = id;
	}
	cb->args[0] = after;
	kfree(ei);
	return err ?: skb->len;
}

/* cok_app_mine_fn: the app is a live one of the reader's. */
static bool cok_genl_app_mine(void *ctx, u32 app_id)
{
	const struct cok_caller *who = ctx;
	struct cok_app *app;
	bool mine;

	mutex_lock(&cok_enclaves_lock);
	app = cok_app_find_locked(app_id);
	mine = app && cok_caller_may(who, app->owner);
	mutex_unlock(&cok_enclaves_lock);
	return mine;
}

/*
 * The console for a reader without CAP_SYS_ADMIN: whole lines, other
 * users' apps hidden (redact.c).  The read starts one byte early to see
 * whether *pos is at the start of a line.
 */
static int cok_genl_console_redacted(u32 id, struct cok_caller *who,
				     u64 *pos, u8 *buf, u32 *copied,
				     u64 *lost, struct netlink_ext_ack *extack)
{
	u64 at = *pos ? *pos - 1 : 0, from;
	bool partial;
	u32 skip = 0, used, n;
	int err;

	err = cok_enclave_console(id, &at, buf, COK_CONSOLE_CHUNK, &n, lost,
				  extack);
	if (err)
		return err;
	from = at - n;
	if (!*pos && !*lost) {
		partial = false;
	} else if (*pos && from == *pos - 1 && n && buf[0] == '\n') {
		partial = false;
		skip = 1;
	} else {
		partial = true;
	}
	*copied = cok_console_redact(buf + skip, n - skip, partial,
				     n == COK_CONSOLE_CHUNK, cok_genl_app_mine,
				     who, &used);
	memmove(buf, buf + skip, *copied);
	*pos = from + skip + used;
	return 0;
}

static int cok_genl_console(struct sk_buff *skb, struct genl_info *info)
{
	struct cok_caller who;
	struct nlattr **tb = info->attrs;
	struct sk_buff *msg = NULL;
	u64 pos = 0, lost = 0;
	u32 id, copied = 0;
	void *hdr;
	u8 *buf;
	int err;

	err = cok_genl_need_id(info, &id);
	if (err)
		return err;
	if (tb[COK_A_CONSOLE_POS])
		pos = nla_get_u64(tb[COK_A_CONSOLE_POS]);

	buf = kmalloc(COK_CONSOLE_CHUNK, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;

	who = cok_genl_caller(skb);
	if (who.admin)
		err = cok_enclave_console(id, &pos, buf, COK_CONSOLE_CHUNK,
					  &copied, &lost, info->extack);
	else
		err = cok_genl_console_redacted(id, &who, &pos, buf, &copied,
						&lost, info->extack);
	if (err) {
		cok_genl_refused(info->extack, err);
		goto out;
	}
	if (copied > COK_CONSOLE_CHUNK) {
		NL_SET_ERR_MSG(info->extack, "console read overran its buffer");
		err = -EIO;
		goto out;
	}

	msg = genlmsg_new(nla_total_size(copied) +
			  2 * nla_total_size_64bit(sizeof(u64)), GFP_KERNEL);
	if (!msg) {
		err = -ENOMEM;
		goto out;
	}
	hdr = genlmsg_put_reply(msg, info, &cok_genl_family, 0,
				COK_CMD_CONSOLE);
	if (!hdr ||
	    nla_put(msg, COK_A_CONSOLE_DATA, copied, buf) ||
	    nla_put_u64_64bit(msg, COK_A_CONSOLE_POS, pos, COK_A_PAD) ||
	    nla_put_u64_64bit(msg, COK_A_CONSOLE_LOST, lost, COK_A_PAD)) {
		nlmsg_free(msg);
		err = -EMSGSIZE;
		goto out;
	}
	genlmsg_end(msg, hdr);
	err = genlmsg_reply(msg, info);
out:
	kfree(buf);
	return err;
}

static const struct genl_ops cok_genl_ops[] = {
	{
		.cmd		= COK_CMD_CREATE,
		.policy		= cok_create_policy,
		.maxattr	= COK_A_MAX,
		.doit		= cok_genl_create,
	},
	{
		.cmd		= COK_CMD_DESTROY,
		.policy		= cok_id_policy,
		.maxattr	= COK_A_MAX,
		.doit		= cok_genl_destroy,
	},
	{
		.cmd		= COK_CMD_STATUS,
		.policy		= cok_id_policy,
		.maxattr	= COK_A_MAX,
		.doit		= cok_genl_status_doit,
		.start		= cok_genl_status_start,
		.dumpit		= cok_genl_status_dumpit,
	},
	{
		.cmd		= COK_CMD_CONSOLE,
		.policy		= cok_console_policy,
		.maxattr	= COK_A_MAX,
		.doit		= cok_genl_console,
	},
	{
		.cmd		= COK_CMD_FREEZE,
		.policy		= cok_app_policy,
		.maxattr	= COK_A_MAX,
		.doit		= cok_genl_freeze,
	},
	{
		.cmd		= COK_CMD_THAW,
		.policy		= cok_app_policy,
		.maxattr	= COK_A_MAX,
		.doit		= cok_genl_thaw,
	},
};

static struct genl_family cok_genl_family __ro_after_init = {
	.name		= COK_GENL_NAME,
	.version	= COK_GENL_VERSION,
	.maxattr	= COK_A_MAX,
	.resv_start_op	= 0,	/* strict validation of every command */
	.netnsok	= false,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.ops		= cok_genl_ops,
	.n_ops		= ARRAY_SIZE(cok_genl_ops),
};

int cok_genl_register(void)
{
	return genl_register_family(&cok_genl_family);
}

void cok_genl_unregister(void)
{
	genl_unregister_family(&cok_genl_family);
}
