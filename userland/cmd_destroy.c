// SPDX-License-Identifier: GPL-2.0
/*
 * cokctl destroy: COK_CMD_DESTROY with COK_A_ENCLAVE_ID.
 */
#include <errno.h>
#include <getopt.h>
#include <netlink/attr.h>

#include "cokctl.h"

int cok_cmd_destroy(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct nl_msg *msg;
	struct cok_nl nl;
	uint32_t id;
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			cok_print_manual(cok_find_verb("destroy")->manual);
			return COK_EXIT_OK;
		default:
			return cok_option_error("destroy", c, argv);
		}
	}
	if (optind == argc)
		return cok_usage_error("destroy", "which enclave? (ENCLAVE)");
	if (argc - optind > 1)
		return cok_usage_error("destroy", "unexpected argument '%s'",
				       argv[optind + 1]);
	if (cok_parse_enclave(argv[optind], &id))
		return cok_usage_error("destroy",
				       "invalid enclave id '%s' (a number >= 1)",
				       argv[optind]);

	ret = cok_connect(&nl);
	if (ret)
		return ret;
	msg = cok_nl_new(&nl, COK_CMD_DESTROY, 0);
	if (!msg || nla_put_u32(msg, COK_A_ENCLAVE_ID, id)) {
		cok_nl_set_system(&nl, ENOMEM, "cannot build the request");
		ret = cok_nl_failure(&nl);
	} else if (cok_nl_transact(&nl, msg, NULL, NULL)) {
		ret = cok_nl_failure(&nl);
	} else {
		ret = COK_EXIT_OK;
	}
	nlmsg_free(msg);
	cok_nl_close(&nl);
	return ret;
}
