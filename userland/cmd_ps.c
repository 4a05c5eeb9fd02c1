// SPDX-License-Identifier: GPL-2.0
/*
 * cokctl ps: the apps on co-kernel cores, from the STATUS dump (each
 * core's COK_CORE_A_APP_* attributes); the same list serves kill.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <netlink/attr.h>

#include "cokctl.h"

static int add_app(struct cok_app_list *list, const struct cok_app_info *a)
{
	if (list->n == list->cap) {
		size_t cap = list->cap ? 2 * list->cap : 8;
		void *v = realloc(list->v, cap * sizeof(*list->v));

		if (!v)
			return -ENOMEM;
		list->v = v;
		list->cap = cap;
	}
	list->v[list->n++] = *a;
	return 0;
}

static uint32_t attr_u32(struct nlattr *a)
{
	return a && nla_len(a) == 4 ? nla_get_u32(a) : 0;
}

/* One STATUS message: the apps of one enclave, one per core at most. */
static int on_status(struct nlmsghdr *nlh, void *arg)
{
	struct cok_app_list *list = arg;
	struct nlattr *tb[COK_A_MAX + 1];
	struct genlmsghdr *gnlh;
	struct nlattr *a;
	uint32_t enclave, core = 0;
	int rem;

	if (genlmsg_parse(nlh, 0, tb, COK_A_MAX, NULL) < 0 ||
	    !tb[COK_A_ENCLAVE_ID])
		return -EPROTO;
	enclave = attr_u32(tb[COK_A_ENCLAVE_ID]);

	/* COK_A_CORE repeats, in core order: its position is the index. */
	gnlh = nlmsg_data(nlh);
	nla_for_each_attr(a, genlmsg_attrdata(gnlh, 0),
			  genlmsg_attrlen(gnlh, 0), rem) {
		struct nlattr *ct[COK_CORE_A_MAX + 1];
		struct cok_app_info app;
		int ret;

		if (nla_type(a) != COK_A_CORE)
			continue;
		if (nla_parse_nested(ct, COK_CORE_A_MAX, a, NULL) < 0)
			return -EPROTO;
		memset(&app, 0, sizeof(app));
		app.id = attr_u32(ct[COK_CORE_A_APP_ID]);
		app.enclave = enclave;
		app.core = core++;
		app.cpu = attr_u32(ct[COK_CORE_A_CPU]);
		app.pid = attr_u32(ct[COK_CORE_A_APP_PID]);
		if (ct[COK_CORE_A_APP_STATE] &&
		    nla_len(ct[COK_CORE_A_APP_STATE]) > 0)
			nla_strlcpy(app.state, ct[COK_CORE_A_APP_STATE],
				    sizeof(app.state));
		else
			snprintf(app.state, sizeof(app.state), "-");
		if (!app.id)
			continue;
		ret = add_app(list, &app);
		if (ret)
			return ret;
	}
	return 0;
}

int cok_apps_fetch(struct cok_nl *nl, struct cok_app_list *out)
{
	struct nl_msg *msg;
	int ret;

	memset(out, 0, sizeof(*out));
	msg = cok_nl_new(nl, COK_CMD_STATUS, NLM_F_DUMP);
	if (!msg) {
		cok_nl_set_system(nl, ENOMEM, "cannot build the request");
		return -1;
	}
	ret = cok_nl_transact(nl, msg, on_status, out);
	nlmsg_free(msg);
	return ret;
}

void cok_apps_free(struct cok_app_list *list)
{
	free(list->v);
	memset(list, 0, sizeof(*list));
}

static void print_json(const struct cok_app_list *list)
{
	size_t i;

	fputs("{\"apps\":[", stdout);
	for (i = 0; i < list->n; i++) {
		const struct cok_app_info *a = &list->v[i];

		printf("%s{\"id\":%" PRIu32 ",\"enclave\":%" PRIu32
		       ",\"core\":%" PRIu32 ",\"cpu\":%" PRIu32 ",\"state\":",
		       i ? "," : "", a->id, a->enclave, a->core, a->cpu);
		cok_json_string(stdout, a->state);
		printf(",\"pid\":%" PRIu32 "}", a->pid);
	}
	fputs("]}\n", stdout);
}

static void print_table(const struct cok_app_list *list)
{
	size_t i;

	if (!list->n) {
		puts("no apps");
		return;
	}
	printf("%-6s %-8s %-5s %-5s %-12s %s\n", "APP", "ENCLAVE", "CORE",
	       "CPU", "STATE", "PID");
	for (i = 0; i < list->n; i++) {
		const struct cok_app_info *a = &list->v[i];
		char pid[16];

		if (a->pid)
			snprintf(pid, sizeof(pid), "%" PRIu32, a->pid);
		else
			snprintf(pid, sizeof(pid), "-");
		printf("%-6" PRIu32 " %-8" PRIu32 " %-5" PRIu32 " %-5" PRIu32
		       " %-12s %s\n", a->id, a->enclave, a->core, a->cpu,
		       a->state, pid);
	}
}

int cok_cmd_ps(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cok_app_list list;
	struct cok_nl nl;
	bool json = false;
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			cok_print_manual(cok_find_verb("ps")->manual);
			return COK_EXIT_OK;
		default:
			return cok_option_error("ps", c, argv);
		}
	}
	if (optind < argc)
		return cok_usage_error("ps", "unexpected argument '%s'",
				       argv[optind]);

	ret = cok_connect(&nl);
	if (ret)
		return ret;
	if (cok_apps_fetch(&nl, &list)) {
		ret = cok_nl_failure(&nl);
	} else {
		if (json)
			print_json(&list);
		else
			print_table(&list);
		ret = COK_EXIT_OK;
	}
	cok_apps_free(&list);
	cok_nl_close(&nl);
	return ret;
}
