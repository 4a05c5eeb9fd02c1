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
	return first < (size_t)n && !strcmp(cmd + first, "launch");
}

int cok_cmd_kill(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cok_app_info *app = NULL;
	struct cok_app_list list;
	struct cok_nl nl;
	uint32_t id, pid;
	size_t i;
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
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
	if (cok_apps_fetch(&nl, &list)) {
		ret = cok_nl_failure(&nl);
		goto out;
	}
	for (i = 0; i < list.n; i++) {
		if (list.v[i].id == id)
			app = &list.v[i];
	}
	if (!app) {
		fprintf(stderr, "cokctl: kill: no app %" PRIu32 "\n", id);
		ret = COK_EXIT_REFUSED;
		goto out;
	}
	pid = app->pid;
	if (!pid || !is_proxy(pid)) {
		fprintf(stderr,
			"cokctl: kill: the proxy of app %" PRIu32 " is gone%s\n",
			id, pid ? "" : " (the module names none)");
		ret = COK_EXIT_REFUSED;
		goto out;
	}
	if (kill((pid_t)pid, SIGTERM)) {
		int err = errno;

		if (err == ESRCH) {
			fprintf(stderr,
				"cokctl: kill: the proxy of app %" PRIu32
				" (pid %" PRIu32 ") is gone\n", id, pid);
			ret = COK_EXIT_REFUSED;
		} else {
			fprintf(stderr,
				"cokctl: kill: app %" PRIu32 ": cannot signal its proxy (pid %"
				PRIu32 "): %s\n", id, pid, strerror(err));
			ret = err == EPERM ? COK_EXIT_PERM : COK_EXIT_SYSTEM;
		}
		goto out;
	}
	ret = COK_EXIT_OK;
out:
	cok_apps_free(&list);
	cok_nl_close(&nl);
	return ret;
}
