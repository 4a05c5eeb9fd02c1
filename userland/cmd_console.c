// SPDX-License-Identifier: GPL-2.0
/*
 * cokctl console: COK_CMD_CONSOLE, one chunk of the co-kernel log per
 * request, from position 0 until a reply carries no bytes; with -f the
 * polling goes on every 200 ms until SIGINT or SIGTERM.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <netlink/attr.h>

#include "cokctl.h"

#define FOLLOW_INTERVAL_NS	200000000L

/* Lock-free, hence safe to set from a signal handler (C11 7.14.1.1). */
static atomic_bool stop;

static void on_signal(int sig)
{
	(void)sig;
	atomic_store(&stop, true);
}

struct chunk {
	bool seen;
	uint32_t len;
	uint64_t next;
	uint64_t lost;
};

static int on_console(struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[COK_A_MAX + 1];
	struct chunk *ch = arg;
	struct nlattr *data;

	if (genlmsg_parse(nlh, 0, tb, COK_A_MAX, NULL) < 0)
		return -EPROTO;
	data = tb[COK_A_CONSOLE_DATA];
	if (!data || !tb[COK_A_CONSOLE_POS] ||
	    nla_len(tb[COK_A_CONSOLE_POS]) != 8 ||
	    nla_len(data) > COK_CONSOLE_CHUNK)
		return -EPROTO;
	ch->seen = true;
	ch->len = (uint32_t)nla_len(data);
	ch->next = nla_get_u64(tb[COK_A_CONSOLE_POS]);
	if (tb[COK_A_CONSOLE_LOST] && nla_len(tb[COK_A_CONSOLE_LOST]) == 8)
		ch->lost = nla_get_u64(tb[COK_A_CONSOLE_LOST]);
	if (ch->len && fwrite(nla_data(data), 1, ch->len, stdout) != ch->len)
		return -(errno ? errno : EIO);
	return 0;
}

static int read_chunk(struct cok_nl *nl, uint32_t id, uint64_t pos,
		      struct chunk *ch)
{
	struct nl_msg *msg;
	int ret;

	memset(ch, 0, sizeof(*ch));
	msg = cok_nl_new(nl, COK_CMD_CONSOLE, 0);
	if (!msg || nla_put_u32(msg, COK_A_ENCLAVE_ID, id) ||
	    nla_put_u64(msg, COK_A_CONSOLE_POS, pos)) {
		nlmsg_free(msg);
		cok_nl_set_system(nl, ENOMEM, "cannot build the request");
		return -1;
	}
	ret = cok_nl_transact(nl, msg, on_console, ch);
	nlmsg_free(msg);
	if (ret)
		return ret;
	if (!ch->seen) {
		cok_nl_set_system(nl, EPROTO,
				  "the module answered without console data");
		return -1;
	}
	if (ch->len && ch->next <= pos) {
		cok_nl_set_system(nl, EPROTO,
				  "the console position did not advance");
		return -1;
	}
	return 0;
}

/* The only enclave; exit status on failure, 0 and *id on success. */
static int only_enclave(struct cok_nl *nl, uint32_t *id)
{
	struct cok_status_list list;
	int ret = COK_EXIT_OK;

	if (cok_status_fetch(nl, 0, &list)) {
		ret = cok_nl_failure(nl);
	} else if (list.n == 0) {
		fprintf(stderr, "cokctl: console: there is no enclave\n");
		ret = COK_EXIT_REFUSED;
	} else if (list.n > 1) {
		ret = cok_usage_error("console",
				      "%zu enclaves exist; say which (ENCLAVE)",
				      list.n);
	} else {
		*id = list.v[0].id;
	}
	cok_status_free(&list);
	return ret;
}

static void sleep_interval(void)
{
	struct timespec ts = { 0, FOLLOW_INTERVAL_NS };

	/* A signal cuts the sleep short; the caller checks stop. */
	nanosleep(&ts, NULL);
}

int cok_cmd_console(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "follow", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sigaction sa;
	bool follow = false;
	struct cok_nl nl;
	struct chunk ch;
	uint64_t pos = 0;
	uint32_t id = 0;
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":fh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			follow = true;
			break;
		case 'h':
			cok_print_manual(cok_find_verb("console")->manual);
			return COK_EXIT_OK;
		default:
			return cok_option_error("console", c, argv);
		}
	}
	if (argc - optind > 1)
		return cok_usage_error("console", "unexpected argument '%s'",
				       argv[optind + 1]);
	if (optind < argc && cok_parse_enclave(argv[optind], &id))
		return cok_usage_error("console",
				       "invalid enclave id '%s' (a number >= 1)",
				       argv[optind]);

	ret = cok_connect(&nl);
	if (ret)
		return ret;
	if (!id) {
		ret = only_enclave(&nl, &id);
		if (ret)
			goto out;
	}

	if (follow) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
	}

	while (!atomic_load(&stop)) {
		if (read_chunk(&nl, id, pos, &ch)) {
			ret = cok_nl_failure(&nl);
			goto out;
		}
		if (ch.lost)
			fprintf(stderr,
				"cokctl: console: %" PRIu64 " bytes were overwritten before they could be read\n",
				ch.lost);
		pos = ch.next;
		if (ch.len && !follow)
			continue;
		if (fflush(stdout)) {
			cok_nl_set_system(&nl, errno, "cannot write the log");
			ret = cok_nl_failure(&nl);
			goto out;
		}
		if (ch.len)
			continue;
		if (!follow)
			break;
		sleep_interval();
	}
	ret = COK_EXIT_OK;
out:
	fflush(stdout);
	cok_nl_close(&nl);
	return ret;
}
