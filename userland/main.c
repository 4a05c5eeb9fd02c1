// SPDX-License-Identifier: GPL-2.0
/*
 * cokctl: command line client of the ckpt_cokernel module.
 *
 *   cokctl VERB [OPTIONS] [ARGS]
 *
 * Every verb is one generic netlink request (or a short series); the
 * module's answer decides the exit status, see enum cok_exit.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cokctl.h"

int cok_usage_error(const char *verb, const char *fmt, ...)
{
	va_list ap;

	fputs("cokctl: ", stderr);
	if (verb)
		fprintf(stderr, "%s: ", verb);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'cokctl %s%s--help' for more information.\n",
		verb ? verb : "", verb ? " " : "");
	return COK_EXIT_USAGE;
}

/* getopt_long() returned ':' or '?': report it as a usage error. */
int cok_option_error(const char *verb, int c, char **argv)
{
	if (c == ':')
		return cok_usage_error(verb, "option '%s' needs a value",
				       argv[optind - 1]);
	if (optopt)
		return cok_usage_error(verb, "unknown option '-%c'", optopt);
	return cok_usage_error(verb, "unknown option '%s'", argv[optind - 1]);
}

/* One line on stderr for a failed request; returns the exit status. */
int cok_nl_failure(const struct cok_nl *nl)
{
	char line[512];
	bool perm = nl->err == EPERM || nl->err == EACCES;

	switch (nl->status) {
	case COK_NL_OK:
		return COK_EXIT_OK;
	case COK_NL_NO_MODULE:
		fprintf(stderr, "cokctl: %s module is not loaded\n",
			COK_GENL_NAME);
		return COK_EXIT_NO_MODULE;
	case COK_NL_REFUSED:
		cok_nl_describe(nl, line, sizeof(line));
		if (perm && !nl->ext.msg[0])
			fprintf(stderr, "cokctl: %s (this needs CAP_SYS_ADMIN)\n",
				line);
		else
			fprintf(stderr, "cokctl: %s\n", line);
		return perm ? COK_EXIT_PERM : COK_EXIT_REFUSED;
	case COK_NL_SYSTEM:
	default:
		fprintf(stderr, "cokctl: %s\n", nl->what);
		return perm ? COK_EXIT_PERM : COK_EXIT_SYSTEM;
	}
}

/* Opens the socket; on failure reports and returns the exit status. */
int cok_connect(struct cok_nl *nl)
{
	if (cok_nl_open(nl) == 0)
		return COK_EXIT_OK;
	cok_nl_close(nl);
	return cok_nl_failure(nl);
}

static void print_version(void)
{
	printf("cokctl %s (%s netlink protocol version %d)\n",
	       COKCTL_VERSION, COK_GENL_NAME, COK_GENL_VERSION);
}

int main(int argc, char **argv)
{
	const struct cok_verb *verb;
	const char *arg;

	if (argc < 2)
		return cok_usage_error(NULL, "no verb given");
	arg = argv[1];
	if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
		if (argc > 2)
			return cok_usage_error(NULL,
					       "unexpected argument '%s'",
					       argv[2]);
		cok_print_manual(cok_main_manual);
		return COK_EXIT_OK;
	}
	if (!strcmp(arg, "-V") || !strcmp(arg, "--version")) {
		if (argc > 2)
			return cok_usage_error(NULL,
					       "unexpected argument '%s'",
					       argv[2]);
		print_version();
		return COK_EXIT_OK;
	}
	if (arg[0] == '-')
		return cok_usage_error(NULL, "unknown option '%s'", arg);

	verb = cok_find_verb(arg);
	if (!verb)
		return cok_usage_error(NULL, "unknown verb '%s'", arg);
	return verb->run(argc - 1, argv + 1);
}
