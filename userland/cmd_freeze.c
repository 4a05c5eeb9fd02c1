// SPDX-License-Identifier: GPL-2.0
/*
 * cokctl freeze / thaw: COK_CMD_FREEZE or COK_CMD_THAW with COK_A_APP_ID;
 * the reply's COK_A_FREEZE_NS is how long it took, COK_A_FREEZE_CORE_NS
 * the co-kernel's part of that (from taking FREEZE to every core of the
 * app parked).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <netlink/attr.h>

#include "cokctl.h"

struct freeze_reply {
	uint64_t *ns, *core_ns;
};

static int on_frozen(struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[COK_A_MAX + 1];
	struct freeze_reply *r = arg;

	if (genlmsg_parse(nlh, 0, tb, COK_A_MAX, NULL) < 0 ||
	    !tb[COK_A_FREEZE_NS] || nla_len(tb[COK_A_FREEZE_NS]) != 8)
		return -EPROTO;
	*r->ns = nla_get_u64(tb[COK_A_FREEZE_NS]);
	/* An older module does not say. */
	if (r->core_ns && tb[COK_A_FREEZE_CORE_NS] &&
	    nla_len(tb[COK_A_FREEZE_CORE_NS]) == 8)
		*r->core_ns = nla_get_u64(tb[COK_A_FREEZE_CORE_NS]);
	return 0;
}

int cok_freeze_request(struct cok_nl *nl, uint32_t app, bool thaw,
		       uint64_t *ns, uint64_t *core_ns)
{
	struct freeze_reply r = { ns, core_ns };
	struct nl_msg *msg;
	int ret = 0;

	*ns = 0;
	if (core_ns)
		*core_ns = 0;
	msg = cok_nl_new(nl, thaw ? COK_CMD_THAW : COK_CMD_FREEZE, 0);
	if (!msg || nla_put_u32(msg, COK_A_APP_ID, app)) {
		cok_nl_set_system(nl, ENOMEM, "cannot build the request");
		ret = -1;
	} else if (cok_nl_transact(nl, msg, on_frozen, &r)) {
		ret = -1;
	}
	nlmsg_free(msg);
	return ret;
}

static int freeze_or_thaw(const char *verb, bool thaw, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t ns = 0, core_ns = 0;
	struct cok_nl nl;
	bool json = false;
	uint32_t app;
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			cok_print_manual(cok_find_verb(verb)->manual);
			return COK_EXIT_OK;
		default:
			return cok_option_error(verb, c, argv);
		}
	}
	if (optind == argc)
		return cok_usage_error(verb, "which app? (APP, as cokctl ps shows)");
	if (argc - optind > 1)
		return cok_usage_error(verb, "unexpected argument '%s'",
				       argv[optind + 1]);
	if (cok_parse_u32(argv[optind], &app) || app == 0)
		return cok_usage_error(verb, "invalid app id '%s' (a number >= 1)",
				       argv[optind]);

	ret = cok_connect(&nl);
	if (ret)
		return ret;
	if (cok_freeze_request(&nl, app, thaw, &ns, &core_ns)) {
		ret = cok_nl_failure(&nl);
	} else {
		if (json)
			printf("{\"app\":%" PRIu32 ",\"frozen\":%s,\"latency_ns\":%" PRIu64 ",\"cokernel_ns\":%" PRIu64 "}\n",
			       app, thaw ? "false" : "true", ns, core_ns);
		else if (thaw)
			printf("app %" PRIu32 " thawed in %.1f us\n", app,
			       ns / 1000.0);
		else
			printf("app %" PRIu32 " frozen in %.1f us (%.1f us of it in the co-kernel)\n",
			       app, ns / 1000.0, core_ns / 1000.0);
		ret = COK_EXIT_OK;
	}
	cok_nl_close(&nl);
	return ret;
}

int cok_cmd_freeze(int argc, char **argv)
{
	return freeze_or_thaw("freeze", false, argc, argv);
}

int cok_cmd_thaw(int argc, char **argv)
{
	return freeze_or_thaw("thaw", true, argc, argv);
}
