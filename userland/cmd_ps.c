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

/* An app on several cores is listed once, with the lowest of them. */
static bool listed(const struct cok_app_list *list,
		   const struct cok_app_info *a)
{
	size_t i;

	for (i = 0; i < list->n; i++)
		if (list->v[i].id == a->id && list->v[i].enclave == a->enclave)
			return true;
	return false;
}

static int add_app(struct cok_app_list *list, const struct cok_app_info *a)
{
	if (listed(list, a))
		return 0;
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

/* The apps are the cores of the STATUS view that carry an app id. */
int cok_apps_fetch(struct cok_nl *nl, struct cok_app_list *out)
{
	struct cok_status_list st;
	size_t i;
	uint32_t j;
	int ret;

	memset(out, 0, sizeof(*out));
	if (cok_status_fetch(nl, 0, &st))
		return -1;
	for (i = 0, ret = 0; i < st.n && !ret; i++) {
		const struct cok_enclave_status *e = &st.v[i];

		for (j = 0; j < e->ncores && !ret; j++) {
			const struct cok_core_status *c = &e->core[j];
			struct cok_app_info app;

			if (!c->app_id)
				continue;
			memset(&app, 0, sizeof(app));
			app.id = c->app_id;
			app.enclave = e->id;
			app.core = j;
			app.cpu = c->cpu;
			app.pid = c->app_pid;
			app.uid = c->app_uid;
			snprintf(app.state, sizeof(app.state), "%s",
				 c->app_state[0] ? c->app_state : "-");
			ret = add_app(out, &app);
		}
	}
	cok_status_free(&st);
	if (ret) {
		cok_nl_set_system(nl, -ret, "out of memory");
		return -1;
	}
	return 0;
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
