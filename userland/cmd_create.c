// SPDX-License-Identifier: GPL-2.0
/*
 * cokctl create: COK_CMD_CREATE, reply COK_A_ENCLAVE_ID.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netlink/attr.h>

#include "cokctl.h"

static int on_created(struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[COK_A_MAX + 1];
	uint32_t *id = arg;

	if (genlmsg_parse(nlh, 0, tb, COK_A_MAX, NULL) < 0 ||
	    !tb[COK_A_ENCLAVE_ID] || nla_len(tb[COK_A_ENCLAVE_ID]) != 4)
		return -EPROTO;
	*id = nla_get_u32(tb[COK_A_ENCLAVE_ID]);
	return 0;
}

int cok_cmd_create(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cpus", required_argument, NULL, 'c' },
		{ "cpu-list", required_argument, NULL, 'l' },
		{ "mem", required_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint32_t cpus[COK_MAX_CORES], count = 0, id = 0;
	bool have_count = false, have_mem = false, json = false;
	size_t ncpus = 0;
	const char *list = NULL, *why;
	uint64_t mem = 0;
	struct nl_msg *msg;
	struct cok_nl nl;
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:l:m:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (cok_parse_u32(optarg, &count))
				return cok_usage_error("create",
						       "invalid CPU count '%s'",
						       optarg);
			have_count = true;
			break;
		case 'l':
			list = optarg;
			break;
		case 'm':
			if (cok_parse_size(optarg, &mem))
				return cok_usage_error("create",
						       "invalid size '%s' (try 256M, 1G or 2097152)",
						       optarg);
			have_mem = true;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			cok_print_manual(cok_find_verb("create")->manual);
			return COK_EXIT_OK;
		default:
			return cok_option_error("create", c, argv);
		}
	}
	if (optind < argc)
		return cok_usage_error("create", "unexpected argument '%s'",
				       argv[optind]);
	if (have_count == !!list)
		return cok_usage_error("create",
				       "give exactly one of --cpus and --cpu-list");
	if (!have_mem)
		return cok_usage_error("create", "--mem is required");
	if (list && cok_parse_cpu_list(list, cpus, COK_MAX_CORES, &ncpus,
				       &why))
		return cok_usage_error("create", "invalid CPU list '%s': %s",
				       list, why);

	ret = cok_connect(&nl);
	if (ret)
		return ret;
	msg = cok_nl_new(&nl, COK_CMD_CREATE, 0);
	if (!msg ||
	    (list ? nla_put(msg, COK_A_CPU_LIST, (int)(ncpus * sizeof(cpus[0])),
			    cpus) :
		    nla_put_u32(msg, COK_A_CPU_COUNT, count)) ||
	    nla_put_u64(msg, COK_A_MEM_BYTES, mem)) {
		cok_nl_set_system(&nl, ENOMEM, "cannot build the request");
		ret = cok_nl_failure(&nl);
		goto out;
	}
	if (cok_nl_transact(&nl, msg, on_created, &id)) {
		ret = cok_nl_failure(&nl);
		goto out;
	}
	if (!id) {
		cok_nl_set_system(&nl, EPROTO,
				  "the module answered without an enclave id");
		ret = cok_nl_failure(&nl);
		goto out;
	}
	if (json)
		printf("{\"id\":%" PRIu32 "}\n", id);
	else
		printf("%" PRIu32 "\n", id);
	ret = COK_EXIT_OK;
out:
	nlmsg_free(msg);
	cok_nl_close(&nl);
	return ret;
}
