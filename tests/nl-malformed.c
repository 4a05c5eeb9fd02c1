// SPDX-License-Identifier: GPL-2.0
/*
 * nl-malformed: sends malformed requests to the ckpt_cokernel generic
 * netlink family and checks that each one is refused with the expected
 * error and a non-empty extended-ACK message.  Run as root (CREATE and
 * DESTROY need CAP_SYS_ADMIN) on a kernel with the module loaded.
 *
 * Output: one line per case,
 *   ok <case>: <errno> <extack>
 *   not ok <case>: <what went wrong>
 * Exit status: 0 all ok, 1 some case failed, 3 module not loaded,
 * 5 other setup failure.
 *
 * Built by userland/Makefile as userland/nl-malformed; it shares the
 * netlink layer (and its extack parser) of cokctl.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "../userland/nl.h"
#include "../xemem/channel.h"
#include "../xemem/genl.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define MIB		(1024ULL * 1024)
#define NO_SUCH_ENCLAVE	9999
#define ANY_ERROR	0

struct mcase {
	const char *name;
	int expect;		/* positive errno, or ANY_ERROR */
	bool need_extack;	/* false only where the core gives none */
	const char *why_no_extack;
	struct nl_msg *(*build)(struct cok_nl *nl);
};

static struct nl_msg *req(struct cok_nl *nl, uint8_t cmd)
{
	return cok_nl_new(nl, cmd, 0);
}

/* Helpers return msg, or NULL (and free msg) if a put failed. */
static struct nl_msg *put_u32(struct nl_msg *msg, int type, uint32_t v)
{
	if (msg && nla_put_u32(msg, type, v)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static struct nl_msg *put_u64(struct nl_msg *msg, int type, uint64_t v)
{
	if (msg && nla_put_u64(msg, type, v)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static struct nl_msg *put_raw(struct nl_msg *msg, int type, const void *data,
			      int len)
{
	if (msg && nla_put(msg, type, len, data)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static struct nl_msg *b_u16_for_u32(struct cok_nl *nl)
{
	uint16_t v = 1;

	return put_raw(req(nl, COK_CMD_STATUS), COK_A_ENCLAVE_ID, &v,
		       sizeof(v));
}

static struct nl_msg *b_u64_for_u32(struct cok_nl *nl)
{
	return put_u64(req(nl, COK_CMD_CONSOLE), COK_A_ENCLAVE_ID, 1);
}

static struct nl_msg *b_unknown_attr(struct cok_nl *nl)
{
	return put_u32(put_u32(req(nl, COK_CMD_STATUS), COK_A_ENCLAVE_ID, 1),
		       200, 1);
}

static struct nl_msg *b_output_attr(struct cok_nl *nl)
{
	struct nl_msg *msg = put_u32(req(nl, COK_CMD_DESTROY),
				     COK_A_ENCLAVE_ID, NO_SUCH_ENCLAVE);

	return put_raw(msg, COK_A_STATE, "running", sizeof("running"));
}

static struct nl_msg *b_create_neither(struct cok_nl *nl)
{
	return put_u64(req(nl, COK_CMD_CREATE), COK_A_MEM_BYTES, 256 * MIB);
}

static struct nl_msg *b_create_both(struct cok_nl *nl)
{
	uint32_t cpu = 1;
	struct nl_msg *msg = put_u32(req(nl, COK_CMD_CREATE),
				     COK_A_CPU_COUNT, 1);

	msg = put_raw(msg, COK_A_CPU_LIST, &cpu, sizeof(cpu));
	return put_u64(msg, COK_A_MEM_BYTES, 256 * MIB);
}

static struct nl_msg *b_create_no_mem(struct cok_nl *nl)
{
	return put_u32(req(nl, COK_CMD_CREATE), COK_A_CPU_COUNT, 1);
}

static struct nl_msg *create_count_mem(struct cok_nl *nl, uint32_t cpus,
				       uint64_t mem)
{
	return put_u64(put_u32(req(nl, COK_CMD_CREATE), COK_A_CPU_COUNT, cpus),
		       COK_A_MEM_BYTES, mem);
}

static struct nl_msg *b_create_cpus_0(struct cok_nl *nl)
{
	return create_count_mem(nl, 0, 256 * MIB);
}

static struct nl_msg *b_create_cpus_1000(struct cok_nl *nl)
{
	return create_count_mem(nl, 1000, 256 * MIB);
}

static struct nl_msg *b_create_mem_0(struct cok_nl *nl)
{
	return create_count_mem(nl, 1, 0);
}

static struct nl_msg *b_create_mem_3m(struct cok_nl *nl)
{
	return create_count_mem(nl, 1, 3 * MIB);
}

static struct nl_msg *b_create_list_3(struct cok_nl *nl)
{
	static const uint8_t three[3] = { 1, 0, 0 };
	struct nl_msg *msg = put_raw(req(nl, COK_CMD_CREATE), COK_A_CPU_LIST,
				     three, sizeof(three));

	return put_u64(msg, COK_A_MEM_BYTES, 256 * MIB);
}

static struct nl_msg *b_create_list_empty(struct cok_nl *nl)
{
	struct nl_msg *msg = put_raw(req(nl, COK_CMD_CREATE), COK_A_CPU_LIST,
				     NULL, 0);

	return put_u64(msg, COK_A_MEM_BYTES, 256 * MIB);
}

static struct nl_msg *b_destroy_no_id(struct cok_nl *nl)
{
	return req(nl, COK_CMD_DESTROY);
}

static struct nl_msg *b_destroy_9999(struct cok_nl *nl)
{
	return put_u32(req(nl, COK_CMD_DESTROY), COK_A_ENCLAVE_ID,
		       NO_SUCH_ENCLAVE);
}

static struct nl_msg *b_status_id_0(struct cok_nl *nl)
{
	return put_u32(req(nl, COK_CMD_STATUS), COK_A_ENCLAVE_ID, 0);
}

static struct nl_msg *b_status_9999(struct cok_nl *nl)
{
	return put_u32(req(nl, COK_CMD_STATUS), COK_A_ENCLAVE_ID,
		       NO_SUCH_ENCLAVE);
}

static struct nl_msg *b_console_no_id(struct cok_nl *nl)
{
	return put_u64(req(nl, COK_CMD_CONSOLE), COK_A_CONSOLE_POS, 0);
}

static struct nl_msg *b_unknown_cmd(struct cok_nl *nl)
{
	return req(nl, 200);
}

static struct nl_msg *b_trailing(struct cok_nl *nl)
{
	static const uint8_t junk[3] = { 0xde, 0xad, 0xbe };
	struct nl_msg *msg = put_u32(req(nl, COK_CMD_STATUS),
				     COK_A_ENCLAVE_ID, 1);

	/* Three bytes: too short for an attribute header, so "leftover". */
	if (msg && nlmsg_append(msg, (void *)junk, sizeof(junk), 0)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static struct nl_msg *b_reserved(struct cok_nl *nl)
{
	struct nl_msg *msg = put_u32(req(nl, COK_CMD_STATUS),
				     COK_A_ENCLAVE_ID, 1);
	struct genlmsghdr *g;

	if (msg) {
		g = nlmsg_data(nlmsg_hdr(msg));
		g->reserved = 1;
	}
	return msg;
}

static const char core_no_extack[] =
	"the genetlink core refuses unknown commands without a message";

static const struct mcase cases[] = {
	{ "attr-u16-for-u32", EINVAL, true, NULL, b_u16_for_u32 },
	{ "attr-u64-for-u32", EINVAL, true, NULL, b_u64_for_u32 },
	{ "attr-unknown-200", EINVAL, true, NULL, b_unknown_attr },
	{ "attr-output-only", EINVAL, true, NULL, b_output_attr },
	{ "create-no-cpus", EINVAL, true, NULL, b_create_neither },
	{ "create-cpus-and-list", EINVAL, true, NULL, b_create_both },
	{ "create-no-mem", EINVAL, true, NULL, b_create_no_mem },
	{ "create-cpus-0", ERANGE, true, NULL, b_create_cpus_0 },
	{ "create-cpus-1000", ERANGE, true, NULL, b_create_cpus_1000 },
	{ "create-mem-0", ERANGE, true, NULL, b_create_mem_0 },
	{ "create-mem-3M", EINVAL, true, NULL, b_create_mem_3m },
	{ "create-cpu-list-3-bytes", EINVAL, true, NULL, b_create_list_3 },
	{ "create-cpu-list-empty", EINVAL, true, NULL, b_create_list_empty },
	{ "destroy-no-id", EINVAL, true, NULL, b_destroy_no_id },
	{ "destroy-9999", ANY_ERROR, true, NULL, b_destroy_9999 },
	{ "status-id-0", ERANGE, true, NULL, b_status_id_0 },
	{ "status-9999", ANY_ERROR, true, NULL, b_status_9999 },
	{ "console-no-id", EINVAL, true, NULL, b_console_no_id },
	{ "unknown-command", EOPNOTSUPP, false, core_no_extack,
	  b_unknown_cmd },
	{ "trailing-garbage", EINVAL, true, NULL, b_trailing },
	{ "genl-reserved-nonzero", EINVAL, true, NULL, b_reserved },
};

/* A CREATE that was wrongly accepted: remember the id to undo it. */
static int on_reply(struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[COK_A_MAX + 1];
	uint32_t *id = arg;

	if (genlmsg_parse(nlh, 0, tb, COK_A_MAX, NULL) == 0 &&
	    tb[COK_A_ENCLAVE_ID] && nla_len(tb[COK_A_ENCLAVE_ID]) == 4)
		*id = nla_get_u32(tb[COK_A_ENCLAVE_ID]);
	return 0;
}

static void undo_create(struct cok_nl *nl, uint32_t id)
{
	struct nl_msg *msg = put_u32(req(nl, COK_CMD_DESTROY),
				     COK_A_ENCLAVE_ID, id);

	if (msg && cok_nl_transact(nl, msg, NULL, NULL))
		fprintf(stderr, "nl-malformed: could not destroy enclave %" PRIu32
			" that a malformed CREATE made\n", id);
	nlmsg_free(msg);
}

static bool run_case(struct cok_nl *nl, const struct mcase *c)
{
	struct nl_msg *msg = c->build(nl);
	uint32_t created = 0;
	bool ok = false;
	int ret;

	if (!msg) {
		printf("not ok %s: cannot build the request\n", c->name);
		return false;
	}
	ret = cok_nl_transact(nl, msg, on_reply, &created);
	nlmsg_free(msg);

	if (ret == 0) {
		printf("not ok %s: accepted\n", c->name);
		if (created)
			undo_create(nl, created);
		return false;
	}
	if (nl->status != COK_NL_REFUSED) {
		printf("not ok %s: no answer from the module: %s\n", c->name,
		       nl->what);
		return false;
	}
	if (c->expect != ANY_ERROR && nl->err != c->expect) {
		printf("not ok %s: -%d (%s), expected -%d (%s); extack \"%s\"\n",
		       c->name, nl->err, strerror(nl->err), c->expect,
		       strerror(c->expect), nl->ext.msg);
	} else if (c->need_extack && !nl->ext.msg[0]) {
		printf("not ok %s: -%d (%s) without an extack message\n",
		       c->name, nl->err, strerror(nl->err));
	} else if (nl->ext.msg[0]) {
		printf("ok %s: -%d %s\n", c->name, nl->err, nl->ext.msg);
		ok = true;
	} else {
		printf("ok %s: -%d (no extack: %s)\n", c->name, nl->err,
		       c->why_no_extack);
		ok = true;
	}
	return ok;
}

int main(void)
{
	size_t i, failed = 0;
	struct cok_nl nl;

	if (cok_nl_open(&nl)) {
		cok_nl_close(&nl);
		if (nl.status == COK_NL_NO_MODULE) {
			fprintf(stderr,
				"nl-malformed: %s module is not loaded (no \"%s\" generic netlink family)\n",
				COK_GENL_NAME, COK_GENL_NAME);
			return 3;
		}
		fprintf(stderr, "nl-malformed: %s\n", nl.what);
		return 5;
	}
	if (geteuid() != 0)
		fprintf(stderr,
			"nl-malformed: not root: CREATE and DESTROY cases will be refused with EPERM\n");

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		if (!run_case(&nl, &cases[i]))
			failed++;
	}
	cok_nl_close(&nl);
	fflush(stdout);
	if (failed)
		fprintf(stderr, "nl-malformed: %zu of %zu cases failed\n",
			failed, ARRAY_SIZE(cases));
	return failed ? 1 : 0;
}
