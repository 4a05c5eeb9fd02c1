// SPDX-License-Identifier: GPL-2.0
/*
 * cokctl kill: end an app through its proxy.  The proxy (cokctl launch)
 * owns the app; SIGTERM makes it end the app and exit 143, like a
 * Linux program killed with SIGTERM.  Permission is kill(2)'s: the
 * caller must be allowed to signal the proxy.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cokctl.h"
#include "proxy.h"

/*
 * The process pid still looks like a proxy: its argv[1] is "launch".
 * 1 yes, 0 no (gone, or another program now has the pid), -1 unknown
 * (no /proc, or hidden from us: then kill(2) decides).
 */
static int is_proxy(uint32_t pid)
{
	char path[48], cmd[256];
	ssize_t n;
	size_t first;
	int fd;

	snprintf(path, sizeof(path), "/proc/%" PRIu32 "/cmdline", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return kill((pid_t)pid, 0) && errno == ESRCH ? 0 : -1;
	n = read(fd, cmd, sizeof(cmd) - 1);
	close(fd);
	if (n <= 0)
		return 0;	/* a zombie has no command line */
	cmd[n] = '\0';
	first = strlen(cmd) + 1;
	return first < (size_t)n && (!strcmp(cmd + first, "launch") ||
				     !strcmp(cmd + first, "restore"));
}

/* The app's state as ps shows it; "" when it is gone. */
static int app_state(struct cok_nl *nl, uint32_t id, char *state, size_t len,
		     uint32_t *pid, uint32_t *uid)
{
	struct cok_app_list list;
	size_t i;

	if (cok_apps_fetch(nl, &list))
		return -1;
	state[0] = '\0';
	for (i = 0; i < list.n; i++) {
		if (list.v[i].id == id) {
			snprintf(state, len, "%s", list.v[i].state);
			*pid = list.v[i].pid;
			*uid = list.v[i].uid;
		}
	}
	cok_apps_free(&list);
	return 0;
}

/* Send sig to app id's proxy; with wait, until the app is gone. */
static int kill_app(struct cok_nl *nl, uint32_t id, bool wait, int sig)
{
	uint32_t pid = 0, uid = 0;
	char state[32];
	int tries;

	if (app_state(nl, id, state, sizeof(state), &pid, &uid))
		return cok_nl_failure(nl);
	if (!state[0] && wait)
		return COK_EXIT_OK;	/* gone already: what was asked */
	if (!state[0]) {
		fprintf(stderr, "cokctl: kill: no app %" PRIu32 "\n", id);
		return COK_EXIT_REFUSED;
	}
	if (!pid && uid != (uint32_t)geteuid()) {
		fprintf(stderr, "cokctl: kill: app %" PRIu32 " belongs to another user (uid %" PRIu32 "): %s\n",
			id, uid, strerror(EPERM));
		return COK_EXIT_PERM;
	}
	if (!pid || !is_proxy(pid)) {
		fprintf(stderr,
			"cokctl: kill: the proxy of app %" PRIu32 " is gone%s\n",
			id, pid ? "" : " (the module names none)");
		return COK_EXIT_REFUSED;
	}
	if (kill((pid_t)pid, sig)) {
		int err = errno;

		if (err == ESRCH) {
			fprintf(stderr,
				"cokctl: kill: the proxy of app %" PRIu32
				" (pid %" PRIu32 ") is gone\n", id, pid);
			return COK_EXIT_REFUSED;
		}
		fprintf(stderr,
			"cokctl: kill: app %" PRIu32 ": cannot signal its proxy (pid %"
			PRIu32 "): %s\n", id, pid, strerror(err));
		return err == EPERM ? COK_EXIT_PERM : COK_EXIT_SYSTEM;
	}
	for (tries = 0; wait && tries < 500; tries++) {
		if (app_state(nl, id, state, sizeof(state), &pid, &uid))
			return cok_nl_failure(nl);
		if (!state[0])
			return COK_EXIT_OK;
		usleep(10000);
	}
	if (wait) {
		fprintf(stderr, "cokctl: kill: app %" PRIu32 " did not end within 5 s\n",
			id);
		return COK_EXIT_SYSTEM;
	}
	return COK_EXIT_OK;
}

/*
 * Signal the proxy; with wait, until the app is gone (5 s at most), and
 * an app gone already is no error.
 */
int cok_kill_app(struct cok_nl *nl, uint32_t id, bool wait)
{
	return kill_app(nl, id, wait, SIGTERM);
}

/* "TERM", "SIGTERM", "15", "RTMIN+2", "SIGRTMAX-1": the number, or -1. */
static int parse_signal(const char *s)
{
	uint32_t n;
	int i, off;

	if (!cok_parse_u32(s, &n))
		return n >= 1 && n <= 64 ? (int)n : -1;
	if (!strncmp(s, "SIG", 3))
		s += 3;
	for (i = 1; i < 32; i++)
		if (cok_signal_name(i) && !strcmp(cok_signal_name(i) + 3, s))
			return i;
	if (strncmp(s, "RTMIN", 5) && strncmp(s, "RTMAX", 5))
		return -1;
	off = 0;
	if (s[5] && ((s[5] != '+' && s[5] != '-') ||
		     sscanf(s + 5, "%d", &off) != 1))
		return -1;
	i = (s[4] == 'N' ? SIGRTMIN : SIGRTMAX) + off;
	return i >= SIGRTMIN && i <= SIGRTMAX ? i : -1;
}

int cok_cmd_kill(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "signal", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cok_nl nl;
	uint32_t id;
	int c, ret, sig = SIGTERM;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":s:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			sig = parse_signal(optarg);
			if (sig < 0)
				return cok_usage_error("kill", "invalid signal '%s' (a name such as TERM or USR1, or 1-64)",
						       optarg);
			break;
		case 'h':
			cok_print_manual(cok_find_verb("kill")->manual);
			return COK_EXIT_OK;
		default:
			return cok_option_error("kill", c, argv);
		}
	}
	if (optind == argc)
		return cok_usage_error("kill", "which app? (APP)");
	if (argc - optind > 1)
		return cok_usage_error("kill", "unexpected argument '%s'",
				       argv[optind + 1]);
	if (cok_parse_u32(argv[optind], &id) || !id)
		return cok_usage_error("kill",
				       "invalid app id '%s' (a number >= 1)",
				       argv[optind]);

	ret = cok_connect(&nl);
	if (ret)
		return ret;
	ret = kill_app(&nl, id, false, sig);
	cok_nl_close(&nl);
	return ret;
}
