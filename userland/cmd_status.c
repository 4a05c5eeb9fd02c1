// SPDX-License-Identifier: GPL-2.0
/*
 * cokctl status: COK_CMD_STATUS, as a dump (every enclave) or for one
 * enclave; printed as a table or as one line of JSON.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <netlink/attr.h>

#include "cokctl.h"

static void get_u64(struct nlattr *a, uint64_t *v)
{
	if (a && nla_len(a) == 8)
		*v = nla_get_u64(a);
}

static void get_u32(struct nlattr *a, uint32_t *v)
{
	if (a && nla_len(a) == 4)
		*v = nla_get_u32(a);
}

static void get_str(struct nlattr *a, char *buf, size_t len)
{
	if (a && nla_len(a) > 0)
		nla_strlcpy(buf, a, len);
	else
		snprintf(buf, len, "-");
}

static int parse_core(struct nlattr *nest, struct cok_core_status *c)
{
	struct nlattr *tb[COK_CORE_A_MAX + 1];

	if (nla_parse_nested(tb, COK_CORE_A_MAX, nest, NULL) < 0)
		return -EPROTO;
	if (!tb[COK_CORE_A_CPU])
		return -EPROTO;
	get_u32(tb[COK_CORE_A_CPU], &c->cpu);
	get_u32(tb[COK_CORE_A_APIC_ID], &c->apic_id);
	get_str(tb[COK_CORE_A_STAGE], c->stage, sizeof(c->stage));
	c->alive = tb[COK_CORE_A_ALIVE] && nla_len(tb[COK_CORE_A_ALIVE]) >= 1 &&
		   nla_get_u8(tb[COK_CORE_A_ALIVE]);
	get_u64(tb[COK_CORE_A_HEARTBEAT], &c->heartbeat);
	get_u64(tb[COK_CORE_A_INTERRUPTS], &c->interrupts);
	get_u64(tb[COK_CORE_A_NMIS], &c->nmis);
	get_u64(tb[COK_CORE_A_FOREIGN], &c->foreign);
	get_u32(tb[COK_CORE_A_APP_ID], &c->app_id);
	get_u32(tb[COK_CORE_A_APP_PID], &c->app_pid);
	get_u32(tb[COK_CORE_A_APP_UID], &c->app_uid);
	get_str(tb[COK_CORE_A_APP_STATE], c->app_state, sizeof(c->app_state));
	/* Only a dead core has one: no "-" for the others. */
	if (tb[COK_CORE_A_REASON])
		get_str(tb[COK_CORE_A_REASON], c->reason, sizeof(c->reason));
	return 0;
}

/* One STATUS message: one enclave, appended to the list. */
static int on_status(struct nlmsghdr *nlh, void *arg)
{
	struct cok_status_list *list = arg;
	struct nlattr *tb[COK_A_MAX + 1];
	struct cok_enclave_status *e;
	struct genlmsghdr *gnlh;
	struct nlattr *a;
	int rem, ret;

	if (genlmsg_parse(nlh, 0, tb, COK_A_MAX, NULL) < 0 ||
	    !tb[COK_A_ENCLAVE_ID] || !tb[COK_A_STATE])
		return -EPROTO;

	if (list->n == list->cap) {
		size_t cap = list->cap ? 2 * list->cap : 4;
		void *v = realloc(list->v, cap * sizeof(*list->v));

		if (!v)
			return -ENOMEM;
		list->v = v;
		list->cap = cap;
	}
	e = &list->v[list->n];
	memset(e, 0, sizeof(*e));
	get_u32(tb[COK_A_ENCLAVE_ID], &e->id);
	get_str(tb[COK_A_STATE], e->state, sizeof(e->state));
	get_u64(tb[COK_A_MEM_BYTES], &e->mem_bytes);
	get_u64(tb[COK_A_MEM_FREE], &e->mem_free);
	get_u64(tb[COK_A_UPTIME_NS], &e->uptime_ns);
	get_u64(tb[COK_A_BOOT_NS], &e->boot_ns);
	get_u64(tb[COK_A_MEMORY_NS], &e->memory_ns);
	get_u64(tb[COK_A_OFFLINE_NS], &e->offline_ns);
	get_u64(tb[COK_A_START_NS], &e->start_ns);

	/* COK_A_CORE repeats: walk the attributes, not the parsed table. */
	gnlh = nlmsg_data(nlh);
	nla_for_each_attr(a, genlmsg_attrdata(gnlh, 0),
			  genlmsg_attrlen(gnlh, 0), rem) {
		if (nla_type(a) != COK_A_CORE)
			continue;
		if (e->ncores == COK_MAX_CORES)
			return -EPROTO;
		ret = parse_core(a, &e->core[e->ncores]);
		if (ret)
			return ret;
		e->ncores++;
	}
	list->n++;
	return 0;
}

int cok_status_fetch(struct cok_nl *nl, uint32_t id,
		     struct cok_status_list *out)
{
	struct nl_msg *msg;
	int ret;

	memset(out, 0, sizeof(*out));
	msg = cok_nl_new(nl, COK_CMD_STATUS, id ? 0 : NLM_F_DUMP);
	if (!msg || (id && nla_put_u32(msg, COK_A_ENCLAVE_ID, id))) {
		nlmsg_free(msg);
		cok_nl_set_system(nl, ENOMEM, "cannot build the request");
		return -1;
	}
	ret = cok_nl_transact(nl, msg, on_status, out);
	nlmsg_free(msg);
	return ret;
}

void cok_status_free(struct cok_status_list *list)
{
	free(list->v);
	memset(list, 0, sizeof(*list));
}

static void print_json(const struct cok_status_list *list)
{
	size_t i;
	uint32_t j;

	fputs("{\"enclaves\":[", stdout);
	for (i = 0; i < list->n; i++) {
		const struct cok_enclave_status *e = &list->v[i];

		printf("%s{\"id\":%" PRIu32 ",\"state\":", i ? "," : "", e->id);
		cok_json_string(stdout, e->state);
		printf(",\"mem_bytes\":%" PRIu64 ",\"mem_free_bytes\":%" PRIu64
		       ",\"uptime_ns\":%" PRIu64 ",\"boot_ns\":%" PRIu64
		       ",\"boot_memory_ns\":%" PRIu64
		       ",\"boot_offline_ns\":%" PRIu64
		       ",\"boot_start_ns\":%" PRIu64 ",\"cores\":[",
		       e->mem_bytes, e->mem_free, e->uptime_ns, e->boot_ns,
		       e->memory_ns, e->offline_ns, e->start_ns);
		for (j = 0; j < e->ncores; j++) {
			const struct cok_core_status *c = &e->core[j];

			printf("%s{\"cpu\":%" PRIu32 ",\"apic_id\":%" PRIu32
			       ",\"stage\":", j ? "," : "", c->cpu, c->apic_id);
			cok_json_string(stdout, c->stage);
			fputs(",\"alive\":", stdout);
			cok_json_bool(stdout, c->alive);
			printf(",\"heartbeat\":%" PRIu64 ",\"interrupts\":%" PRIu64
			       ",\"nmis\":%" PRIu64 ",\"foreign_irqs\":%" PRIu64,
			       c->heartbeat, c->interrupts, c->nmis, c->foreign);
			if (c->reason[0]) {
				fputs(",\"reason\":", stdout);
				cok_json_string(stdout, c->reason);
			}
			fputs("}", stdout);
		}
		fputs("]}", stdout);
	}
	fputs("]}\n", stdout);
}

static void fmt_bytes(uint64_t v, char *buf, size_t len)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	unsigned int u = 0;
	uint64_t div = 1024;

	if (v < 1024) {
		snprintf(buf, len, "%" PRIu64 " B", v);
		return;
	}
	while (u + 1 < ARRAY_SIZE(units) && v >= div * 1024) {
		div *= 1024;
		u++;
	}
	if (v % div == 0)
		snprintf(buf, len, "%" PRIu64 " %s", v / div, units[u]);
	else
		snprintf(buf, len, "%.1f %s", (double)v / (double)div, units[u]);
}

static void fmt_ns(uint64_t ns, char *buf, size_t len)
{
	uint64_t s = ns / 1000000000u;

	if (ns < 1000u)
		snprintf(buf, len, "%" PRIu64 " ns", ns);
	else if (ns < 1000000u)
		snprintf(buf, len, "%.1f us", (double)ns / 1e3);
	else if (ns < 1000000000u)
		snprintf(buf, len, "%.1f ms", (double)ns / 1e6);
	else if (s < 60)
		snprintf(buf, len, "%.3f s", (double)ns / 1e9);
	else if (s < 3600)
		snprintf(buf, len, "%" PRIu64 "m%02" PRIu64 "s", s / 60, s % 60);
	else
		snprintf(buf, len, "%" PRIu64 "h%02" PRIu64 "m%02" PRIu64 "s",
			 s / 3600, s / 60 % 60, s % 60);
}

/* "2-4,7": the cores' CPUs, consecutive runs folded. */
static void fmt_cpus(const struct cok_enclave_status *e, char *buf,
		     size_t len)
{
	size_t used = 0;
	uint32_t i = 0;

	buf[0] = '\0';
	if (!e->ncores) {
		snprintf(buf, len, "-");
		return;
	}
	while (i < e->ncores && used < len) {
		uint32_t j = i;
		int n;

		while (j + 1 < e->ncores && e->core[j + 1].cpu == e->core[j].cpu + 1)
			j++;
		if (j == i)
			n = snprintf(buf + used, len - used, "%s%" PRIu32,
				     i ? "," : "", e->core[i].cpu);
		else
			n = snprintf(buf + used, len - used,
				     "%s%" PRIu32 "-%" PRIu32, i ? "," : "",
				     e->core[i].cpu, e->core[j].cpu);
		if (n < 0)
			break;
		used += (size_t)n;
		i = j + 1;
	}
}

static void print_table(const struct cok_status_list *list)
{
	char cpus[160], mem[32], free_[32], up[32], boot[32];
	size_t i;
	uint32_t j;

	if (!list->n) {
		puts("no enclaves");
		return;
	}
	printf("%-4s %-9s %-12s %-10s %-10s %-11s %s\n", "ID", "STATE",
	       "CPUS", "MEMORY", "FREE", "UPTIME", "BOOT");
	for (i = 0; i < list->n; i++) {
		const struct cok_enclave_status *e = &list->v[i];

		fmt_cpus(e, cpus, sizeof(cpus));
		fmt_bytes(e->mem_bytes, mem, sizeof(mem));
		fmt_bytes(e->mem_free, free_, sizeof(free_));
		fmt_ns(e->uptime_ns, up, sizeof(up));
		fmt_ns(e->boot_ns, boot, sizeof(boot));
		printf("%-4" PRIu32 " %-9s %-12s %-10s %-10s %-11s %s\n",
		       e->id, e->state, cpus, mem, free_, up, boot);
		if (!e->ncores)
			continue;
		printf("     %-5s %-5s %-12s %-6s %-10s %-11s %-6s %s\n",
		       "CPU", "APIC", "STAGE", "ALIVE", "HEARTBEAT",
		       "INTERRUPTS", "NMIS", "FOREIGN");
		for (j = 0; j < e->ncores; j++) {
			const struct cok_core_status *c = &e->core[j];

			printf("     %-5" PRIu32 " %-5" PRIu32 " %-12s %-6s %-10"
			       PRIu64 " %-11" PRIu64 " %-6" PRIu64 " %" PRIu64
			       "\n", c->cpu, c->apic_id, c->stage,
			       c->alive ? "yes" : "NO", c->heartbeat,
			       c->interrupts, c->nmis, c->foreign);
			if (c->reason[0])
				printf("           dead: %s\n", c->reason);
		}
	}
}

int cok_cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cok_status_list list;
	struct cok_nl nl;
	bool json = false;
	uint32_t id = 0;
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			cok_print_manual(cok_find_verb("status")->manual);
			return COK_EXIT_OK;
		default:
			return cok_option_error("status", c, argv);
		}
	}
	if (argc - optind > 1)
		return cok_usage_error("status", "unexpected argument '%s'",
				       argv[optind + 1]);
	if (optind < argc && cok_parse_enclave(argv[optind], &id))
		return cok_usage_error("status",
				       "invalid enclave id '%s' (a number >= 1)",
				       argv[optind]);

	ret = cok_connect(&nl);
	if (ret)
		return ret;
	if (cok_status_fetch(&nl, id, &list)) {
		ret = cok_nl_failure(&nl);
	} else {
		if (json)
			print_json(&list);
		else
			print_table(&list);
		ret = COK_EXIT_OK;
	}
	cok_status_free(&list);
	cok_nl_close(&nl);
	return ret;
}
