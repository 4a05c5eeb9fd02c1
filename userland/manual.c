// SPDX-License-Identifier: GPL-2.0
/*
 * The manual's topics that are not verbs (security model, image
 * format), and the views of the manual texts other tools use: the
 * cokctl(8) man page in roff ("cokctl help --man"), the verb names and
 * each verb's options for shell completion.  Every view is derived from
 * the texts "cokctl help" prints, so there is one copy of each.
 *
 * The texts follow one layout, which the roff writer relies on: a
 * section title at column 0; body lines indented 4; an option line
 * "    -x, --long ARG" followed by its description indented 8; blocks
 * separated by blank lines.
 */
#include <stdio.h>
#include <string.h>

#include "cokctl.h"
#include "../xemem/cokdev.h"
#include "../xemem/image.h"

#define COK_STR_(x)	#x
#define COK_STR(x)	COK_STR_(x)
#define LINE_MAX_LEN	512

static const char security_text[] =
"SECURITY MODEL\n"
"    " COK_DEV_PATH " belongs to root with mode 0600.  Whoever may open\n"
"    it (an administrator may give it to the user of a job, or a group;\n"
"    even with mode 0666) can:\n"
"\n"
"    - launch and restore apps on enclaves an administrator created; each\n"
"      app belongs to the effective uid that launched or restored it;\n"
"    - freeze, thaw, dump and kill their own apps (\"cokctl kill\" signals\n"
"      the proxy, so the rules of kill(2) apply too).\n"
"\n"
"    and cannot:\n"
"\n"
"    - reach any memory but their own app's pages: a proxy maps nothing\n"
"      of the enclave.  Its app's buffers are copied by the module\n"
"      (COK_IOC_APP_MEM), which walks the app's page tables itself, only\n"
"      while the app waits for the call being served (or while its\n"
"      restore is being written), and with the app's own access rights.\n"
"      The channel, the co-kernel, page tables and other apps' frames\n"
"      are out of reach, also from an app that opens its proxy's\n"
"      /proc/self/mem;\n"
"    - map the device except a segment they are allowed to attach, and\n"
"      only MAP_SHARED (anything else: EINVAL);\n"
"    - freeze, thaw, dump, or make, get, attach or remove segments of\n"
"      another user's app: EPERM, and cokctl exits 4 with one line naming\n"
"      the cause.  \"status\" and \"ps\" show that a core runs another\n"
"      user's app (id, state, owner uid) but not its proxy's pid;\n"
"    - get an app's frames reused under a dump: an app killed while a\n"
"      dump has its segment attached is ended only when the dump lets go.\n"
"\n"
"    Creating and destroying enclaves needs CAP_SYS_ADMIN.  Calls on one\n"
"    open file are serialised; a file passed to a process of another user\n"
"    carries no more rights than both have.\n"
"\n"
"    The cokctl package ships a udev rule that gives the device to a\n"
"    group, as an example that is not active:\n"
"    /usr/share/doc/cokctl/examples/60-ckpt-cokernel.rules.  Copied to\n"
"    /etc/udev/rules.d/, it lets the members of that group do all of the\n"
"    above.  \"cokctl check\" reports the device's mode and what it\n"
"    allows.\n";

static const char image_format_text[] =
"IMAGE FORMAT\n"
"    A checkpoint image (\"cokctl dump\") is one file, little-endian, for\n"
"    x86-64: a header, records (the app's arguments and environment, its\n"
"    open files, each thread's registers, ids and FPU/SSE/AVX state, its memory\n"
"    map, then its pages that are not all zero) and a trailer.  The\n"
"    format, version " COK_STR(COK_IMG_VERSION) ", is defined in xemem/image.h.  It guarantees:\n"
"\n"
"    - Integrity: every record carries the XXH64 checksum of its\n"
"      payload, the header its own, and the trailer one over the header\n"
"      and every record header, so that every byte of the file is\n"
"      covered.  \"cokctl image verify\" and \"cokctl restore\" check all\n"
"      of it, and every bound, type and order, before anything is\n"
"      restored; a damaged or truncated file is refused with one line\n"
"      naming the record and byte offset, and exit status 6.\n"
"    - No half-written image: it is written under a temporary name in\n"
"      the target's directory and renamed into place once complete.  A\n"
"      dump ended by SIGINT, SIGTERM or SIGHUP leaves no file behind.\n"
"    - Versions: an image of a newer format version, or for another\n"
"      architecture, is refused as such, never misread.\n"
"    - Portability: an image restores on any enclave, on other cores,\n"
"      after rmmod and insmod, after a reboot or on another node, as long\n"
"      as the files the app had open can be reopened there and are not\n"
"      shorter.\n"
"    - Secrets: the app's random generator is never stored: two restores\n"
"      of one image never hand out the same random bytes.  Everything in\n"
"      the app's memory is stored as it was: an image is as sensitive as\n"
"      the app's memory, and is created readable by its owner only\n"
"      (mode 0600).\n";

struct topic {
	const char *name;
	const char *text;
};

static const struct topic topics[] = {
	{ "security", security_text },
	{ "image-format", image_format_text },
};

const char *cok_find_topic(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(topics); i++) {
		if (!strcmp(topics[i].name, name))
			return topics[i].text;
	}
	return NULL;
}

/* ---- the text, line by line --------------------------------------------- */

struct cursor {
	const char *p;
};

/* Next line of the text into buf (no newline); false at its end. */
static bool next_line(struct cursor *c, char *buf, size_t len)
{
	size_t n;

	if (!*c->p)
		return false;
	n = strcspn(c->p, "\n");
	snprintf(buf, len, "%.*s", (int)(n < len ? n : len - 1), c->p);
	c->p += n + (c->p[n] == '\n');
	return true;
}

static int indent_of(const char *l)
{
	return (int)strspn(l, " ");
}

/* ---- roff ---------------------------------------------------------------- */

/*
 * Writes s escaped for roff, then end and a newline: backslashes, a leading control character,
 * and a '-' that starts a word (an option) as a minus sign.
 */
static void roff_text(FILE *f, const char *s, const char *end)
{
	const char *p;

	if (*s == '.' || *s == '\'')
		fputs("\\&", f);
	for (p = s; *p; p++) {
		if (*p == '\\')
			fputs("\\e", f);
		else if (*p == '-' && (p == s || strchr(" [(|,=\"", p[-1])))
			fputs("\\-", f);
		else
			fputc(*p, f);
	}
	fprintf(f, "%s\n", end);
}

/* A run of 3 spaces inside a line: a table or layout, not prose. */
static bool is_laid_out(const char *l)
{
	return strstr(l + indent_of(l), "   ") != NULL;
}

enum block_kind { BLOCK_PROSE, BLOCK_OPTIONS, BLOCK_VERBATIM };

static enum block_kind classify(char lines[][LINE_MAX_LEN], int n)
{
	bool options = lines[0][4] == '-' && indent_of(lines[0]) == 4;
	int i;

	for (i = 0; i < n; i++) {
		int in = indent_of(lines[i]);

		if (options && !((in == 4 && lines[i][4] == '-') || in == 8))
			options = false;
		if (!options && (in != 4 || is_laid_out(lines[i])))
			return BLOCK_VERBATIM;
	}
	return options ? BLOCK_OPTIONS : BLOCK_PROSE;
}

static void roff_block(FILE *f, char lines[][LINE_MAX_LEN], int n,
		       bool verbatim)
{
	int i;

	switch (verbatim ? BLOCK_VERBATIM : classify(lines, n)) {
	case BLOCK_PROSE:
		fputs(".PP\n", f);
		for (i = 0; i < n; i++)
			roff_text(f, lines[i] + 4, "");
		break;
	case BLOCK_OPTIONS:
		for (i = 0; i < n; i++) {
			if (indent_of(lines[i]) == 4) {
				fputs(".TP\n\\fB", f);
				roff_text(f, lines[i] + 4, "\\fR");
			} else {
				roff_text(f, lines[i] + 8, "");
			}
		}
		break;
	case BLOCK_VERBATIM:
		fputs(".PP\n.nf\n", f);
		for (i = 0; i < n; i++)
			roff_text(f, lines[i] + (indent_of(lines[i]) >= 4 ? 4 : 0), "");
		fputs(".fi\n", f);
		break;
	}
}

#define BLOCK_LINES	64

/*
 * Writes a manual text as roff.  Section titles become .SH (top level)
 * or bold headings indented under the verb's .SS (verb level); the NAME
 * section of a verb is its .SS line, written by the caller.
 */
static void roff_manual(FILE *f, const char *text, bool verb)
{
	static char block[BLOCK_LINES][LINE_MAX_LEN];
	char line[LINE_MAX_LEN];
	struct cursor c = { text };
	bool in_sub = false, skip = false, synopsis = false;
	int n = 0;

	for (;;) {
		bool more = next_line(&c, line, sizeof(line));

		if (!more || !line[0] || indent_of(line) == 0 || n == BLOCK_LINES) {
			if (n && !skip)
				roff_block(f, block, n, synopsis);
			n = 0;
		}
		if (!more)
			break;
		if (!line[0])
			continue;
		if (indent_of(line) == 0) {
			skip = verb && !strcmp(line, "NAME");
			/* A synopsis is laid out line by line. */
			synopsis = !strcmp(line, "SYNOPSIS");
			if (in_sub)
				fputs(".RE\n", f);
			in_sub = false;
			if (skip)
				continue;
			if (verb) {
				fputs(".PP\n\\fB", f);
				fprintf(f, "%s\\fR\n.RS 4\n", line);
				in_sub = true;
			} else {
				fprintf(f, ".SH \"%s\"\n", line);
			}
			continue;
		}
		snprintf(block[n++], LINE_MAX_LEN, "%s", line);
	}
	if (in_sub)
		fputs(".RE\n", f);
}

/* "cokctl create - boot a new enclave" from a manual's NAME section. */
static void name_line(const char *text, char *buf, size_t len)
{
	char line[LINE_MAX_LEN];
	struct cursor c = { text };

	buf[0] = '\0';
	while (next_line(&c, line, sizeof(line))) {
		if (!strcmp(line, "NAME") && next_line(&c, line, sizeof(line))) {
			snprintf(buf, len, "%s", line + indent_of(line));
			return;
		}
	}
}

/* The man page's NAME: "cokctl \- ...", as whatis(1) reads it. */
static void roff_name(FILE *f, const char *text)
{
	char name[LINE_MAX_LEN];
	char *dash;

	name_line(text, name, sizeof(name));
	dash = strstr(name, " - ");
	fputs(".SH NAME\n", f);
	if (dash) {
		*dash = '\0';
		fprintf(f, "%s \\- %s\n", name, dash + 3);
	} else {
		roff_text(f, name, "");
	}
}

static void print_man(FILE *f)
{
	const struct cok_verb *v;
	size_t i;

	fputs(".\\\" cokctl(8), written by \"cokctl help --man\" from the\n"
	      ".\\\" texts of \"cokctl help\": edit userland/help.c instead.\n", f);
	fprintf(f, ".TH COKCTL 8 \"\" \"cokctl %s\" \"System Administration\"\n",
		COKCTL_VERSION);
	roff_name(f, cok_main_manual);
	/* The main manual without its NAME section, written above. */
	roff_manual(f, strstr(cok_main_manual, "\nSYNOPSIS\n") + 1, false);
	fputs(".SH VERBS IN DETAIL\n", f);
	for (v = cok_verbs; v->name; v++) {
		char name[LINE_MAX_LEN];
		char *dash;

		name_line(v->manual, name, sizeof(name));
		dash = strstr(name, " - ");
		if (dash)
			*dash = '\0';
		fprintf(f, ".SS \"%s\"\n", name);
		if (dash)
			roff_text(f, dash + 3, "");
		roff_manual(f, v->manual, true);
	}
	for (i = 0; i < ARRAY_SIZE(topics); i++)
		roff_manual(f, topics[i].text, false);
	fputs(".SH FILES\n.TP\n" COK_DEV_PATH "\n"
	      "The device through which apps run (see SECURITY MODEL).\n"
	      ".SH SEE ALSO\n"
	      ".BR criu (8),\n.BR dkms (8)\n", f);
}

/* ---- completion -------------------------------------------------------- */

/* The options of a verb, one per line, from its OPTIONS section. */
static void print_options(const char *text)
{
	char line[LINE_MAX_LEN];
	struct cursor c = { text };
	bool in = false;

	while (next_line(&c, line, sizeof(line))) {
		char *tok, *save;

		if (indent_of(line) == 0 && line[0])
			in = !strcmp(line, "OPTIONS");
		if (!in || indent_of(line) != 4 || line[4] != '-')
			continue;
		for (tok = strtok_r(line + 4, ", ", &save); tok;
		     tok = strtok_r(NULL, ", ", &save)) {
			if (tok[0] == '-')
				puts(tok);
		}
	}
}

/*
 * cokctl help --man | --verbs | --topics | --options VERB: the views; a
 * usage error for anything else.
 */
int cok_help_view(int argc, char **argv)
{
	const struct cok_verb *v;
	const char *opt = argv[1];
	size_t i;

	if (!strcmp(opt, "--man") && argc == 2) {
		print_man(stdout);
		return COK_EXIT_OK;
	}
	if (!strcmp(opt, "--verbs") && argc == 2) {
		for (v = cok_verbs; v->name; v++)
			puts(v->name);
		return COK_EXIT_OK;
	}
	if (!strcmp(opt, "--topics") && argc == 2) {
		for (i = 0; i < ARRAY_SIZE(topics); i++)
			puts(topics[i].name);
		return COK_EXIT_OK;
	}
	if (!strcmp(opt, "--options") && argc == 3) {
		v = cok_find_verb(argv[2]);
		if (!v)
			return cok_usage_error("help", "unknown verb '%s'",
					       argv[2]);
		print_options(v->manual);
		return COK_EXIT_OK;
	}
	if (!strcmp(opt, "--options") && argc == 2)
		return cok_usage_error("help", "option '%s' needs a verb", opt);
	if (!strcmp(opt, "--man") || !strcmp(opt, "--verbs") ||
	    !strcmp(opt, "--topics") || !strcmp(opt, "--options"))
		return cok_usage_error("help", "unexpected argument '%s'",
				       argv[argc - 1]);
	return cok_usage_error("help", "unknown option '%s'", opt);
}
