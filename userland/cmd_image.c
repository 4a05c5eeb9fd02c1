// SPDX-License-Identifier: GPL-2.0
/*
 * cokctl image info|verify FILE: show or check a checkpoint image
 * (image.c does the checking).  No module needed.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cokctl.h"
#include "image.h"

#define PAGE		COK_IMG_PAGE_SIZE

/* The stored bytes of each region, from the extents. */
static uint64_t *stored_per_region(const struct cok_img *img)
{
	uint64_t *s = calloc(img->mm->nregions ? img->mm->nregions : 1,
			     sizeof(*s));
	size_t i;

	if (!s)
		return NULL;
	for (i = 0; i < img->nextents; i++)
		s[img->extents[i].region] += img->extents[i].size;
	return s;
}

static void prot_str(uint32_t prot, char out[4])
{
	out[0] = prot & COK_PROT_READ ? 'r' : '-';
	out[1] = prot & COK_PROT_WRITE ? 'w' : '-';
	out[2] = prot & COK_PROT_EXEC ? 'x' : '-';
	out[3] = '\0';
}

/* The XCR0 components, as "x87 SSE AVX". */
static void xcr0_str(uint64_t xcr0, char *buf, size_t len)
{
	static const char *const names[64] = {
		[0] = "x87", [1] = "SSE", [2] = "AVX", [3] = "BNDREGS",
		[4] = "BNDCSR", [5] = "opmask", [6] = "ZMM_Hi256",
		[7] = "Hi16_ZMM", [9] = "PKRU", [17] = "XTILECFG",
		[18] = "XTILEDATA",
	};
	size_t at = 0;
	int bit, n;

	buf[0] = '\0';
	for (bit = 0; bit < 64 && at < len; bit++) {
		if (!(xcr0 >> bit & 1))
			continue;
		if (names[bit])
			n = snprintf(buf + at, len - at, "%s%s", at ? " " : "",
				     names[bit]);
		else
			n = snprintf(buf + at, len - at, "%sbit%d",
				     at ? " " : "", bit);
		if (n > 0)
			at += (size_t)n;
	}
}

/* A word as a shell would need it: bare, 'quoted' or $'escaped'. */
static void print_word(const char *s)
{
	const unsigned char *p;
	bool plain = *s != '\0', printable = true;

	for (p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p >= 0x7f)
			printable = false;
		if (!strchr("@%+=:,./-_", *p) && !(*p >= '0' && *p <= '9') &&
		    !((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z'))
			plain = false;
	}
	if (plain) {
		fputs(s, stdout);
		return;
	}
	fputs(printable ? "'" : "$'", stdout);
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p == '\'')
			fputs(printable ? "'\\''" : "\\'", stdout);
		else if (!printable && *p == '\\')
			fputs("\\\\", stdout);
		else if (*p < 0x20 || *p >= 0x7f)
			printf("\\x%02x", *p);
		else
			putchar(*p);
	}
	putchar('\'');
}

static void print_duration(uint64_t ns)
{
	if (ns < 1000000)
		printf("%.1f us", ns / 1e3);
	else if (ns < 1000000000)
		printf("%.1f ms", ns / 1e6);
	else
		printf("%.2f s", ns / 1e9);
}

static void print_created(uint64_t ns)
{
	time_t t = (time_t)(ns / 1000000000);
	char buf[64];
	struct tm tm;

	if (ns && localtime_r(&t, &tm) &&
	    strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S %z", &tm))
		printf("created   %s\n", buf);
	else
		printf("created   %" PRIu64 " ns after the epoch\n", ns);
}

static void info_app(const struct cok_img *img)
{
	uint32_t i;

	print_created(img->header.created_ns);
	printf("app       %" PRIu32 ", frozen for ", img->meta.app_id);
	print_duration(img->meta.frozen_ns);
	printf(" by the dump\nargv     ");
	for (i = 0; i < img->meta.argc; i++) {
		putchar(' ');
		print_word(img->argv[i]);
	}
	printf("\ncwd       ");
	print_word(img->cwd);
	printf("\nenv       %" PRIu32 " strings\n\n", img->meta.envc);
}

static void info_files(const struct cok_img *img)
{
	char flags[256];
	size_t i, w = 5;

	if (!img->nfiles) {
		printf("no open files\n\n");
		return;
	}
	for (i = 0; i < img->nfiles; i++) {
		cok_img_open_flags(img->files[i].file->flags, flags,
				   sizeof(flags));
		if (strlen(flags) > w)
			w = strlen(flags);
	}
	printf("%4s  %-7s  %12s  %-*s  %s\n", "FD", "KIND", "OFFSET", (int)w,
	       "FLAGS", "PATH");
	for (i = 0; i < img->nfiles; i++) {
		const struct cok_img_file *f = img->files[i].file;

		cok_img_open_flags(f->flags, flags, sizeof(flags));
		printf("%4" PRId32 "  %-7s  %12" PRIu64 "  %-*s  ", f->fd,
		       cok_img_file_kind_name(f->kind), f->offset, (int)w, flags);
		print_word(img->files[i].path);
		putchar('\n');
	}
	putchar('\n');
}

static void info_thread(const struct cok_img_thread *th)
{
	const struct cok_thread_state *t = th->st;
	char comp[256];

	if (th->ids.tid)
		printf("thread %" PRIu32 "  rip 0x%" PRIx64 "  rsp 0x%" PRIx64 "  rflags 0x%" PRIx64 "\n",
		       th->ids.tid, t->regs.rip, t->regs.rsp, t->regs.rflags);
	else
		printf("thread    rip 0x%" PRIx64 "  rsp 0x%" PRIx64 "  rflags 0x%" PRIx64 "\n",
		       t->regs.rip, t->regs.rsp, t->regs.rflags);
	printf("          fs_base 0x%" PRIx64 "  gs_base 0x%" PRIx64 "\n",
	       t->regs.fs_base, t->regs.gs_base);
	if (!t->xcr0) {
		printf("          FPU/SSE state: FXSAVE, %" PRIu32 " bytes\n\n",
		       t->xstate_size);
		return;
	}
	xcr0_str(t->xcr0, comp, sizeof(comp));
	printf("          FPU/SSE state: XSAVE, xcr0 0x%" PRIx64 " (%s), %" PRIu32 " bytes\n\n",
	       t->xcr0, comp, t->xstate_size);
}

/* Every thread, the one that was running first. */
static void info_threads(const struct cok_img *img)
{
	size_t i;

	printf("threads   %zu\n", img->nthreads);
	for (i = 0; i < img->nthreads; i++)
		info_thread(&img->threads[i]);
}

static int info_memory(const struct cok_img *img)
{
	const struct cok_mm_state *mm = img->mm;
	uint64_t *stored = stored_per_region(img);
	char size[32], kept[32], prot[4];
	uint32_t i;

	if (!stored)
		return -ENOMEM;
	printf("brk       0x%" PRIx64 "-0x%" PRIx64 ", mmap below 0x%" PRIx64 "\n\n",
	       mm->brk_start, mm->brk, mm->mmap_next);
	printf("%-18s  %-18s  %9s  %4s  %9s\n", "START", "END", "SIZE", "PROT",
	       "STORED");
	for (i = 0; i < mm->nregions; i++) {
		const struct cok_region *r = &img->regions[i];

		cok_img_fmt_size(r->len, size, sizeof(size));
		cok_img_fmt_size(stored[i], kept, sizeof(kept));
		prot_str(r->prot, prot);
		printf("0x%016" PRIx64 "  0x%016" PRIx64 "  %9s  %4s  %9s\n",
		       r->va, r->va + r->len, size, prot, kept);
	}
	free(stored);
	return 0;
}

static void info_totals(const struct cok_img *img)
{
	char mapped[32], kept[32];

	cok_img_fmt_size(img->mapped_bytes, mapped, sizeof(mapped));
	cok_img_fmt_size(img->stored_bytes, kept, sizeof(kept));
	printf("\nmapped %s in %" PRIu32 " regions; stored %s in %zu extents; %" PRIu64 " zero pages not stored\n",
	       mapped, img->mm->nregions, kept, img->nextents,
	       (img->mapped_bytes - img->stored_bytes) / PAGE);
	if (!img->page_sums_checked)
		printf("(page checksums not checked: \"cokctl image verify\" checks them)\n");
}

static int info_text(const char *path, const struct cok_img *img)
{
	char size[32];

	cok_img_fmt_size(img->header.file_size, size, sizeof(size));
	printf("%s: checkpoint image version %" PRIu32 ", x86-64, %s, %" PRIu64 " records\n",
	       path, img->header.version, size, img->header.nrecords);
	info_app(img);
	info_files(img);
	info_threads(img);
	if (info_memory(img))
		return -ENOMEM;
	info_totals(img);
	return 0;
}

static void json_app(const struct cok_img *img)
{
	uint32_t i;

	printf("\"app\":{\"id\":%" PRIu32 ",\"frozen_ns\":%" PRIu64 ",\"argv\":[",
	       img->meta.app_id, img->meta.frozen_ns);
	for (i = 0; i < img->meta.argc; i++) {
		if (i)
			putchar(',');
		cok_json_string(stdout, img->argv[i]);
	}
	printf("],\"cwd\":");
	cok_json_string(stdout, img->cwd);
	printf(",\"envc\":%" PRIu32 "},\"files\":[", img->meta.envc);
	for (i = 0; i < img->nfiles; i++) {
		const struct cok_img_file *f = img->files[i].file;
		char flags[256];

		cok_img_open_flags(f->flags, flags, sizeof(flags));
		printf("%s{\"fd\":%" PRId32 ",\"kind\":\"%s\",\"flags\":\"%s\",\"offset\":%" PRIu64 ",\"size\":%" PRIu64 ",\"path\":",
		       i ? "," : "", f->fd, cok_img_file_kind_name(f->kind), flags,
		       f->offset, f->size);
		cok_json_string(stdout, img->files[i].path);
		putchar('}');
	}
	printf("],");
}

static void json_one_thread(const struct cok_img_thread *th)
{
	const struct cok_thread_state *t = th->st;

	printf("{\"tid\":%" PRIu32 ",\"rip\":%" PRIu64 ",\"rsp\":%" PRIu64 ",\"rflags\":%" PRIu64 ",\"fs_base\":%" PRIu64 ",\"gs_base\":%" PRIu64 ",\"xcr0\":%" PRIu64 ",\"xstate_size\":%" PRIu32 ",\"xstate_format\":\"%s\"}",
	       th->ids.tid, t->regs.rip, t->regs.rsp, t->regs.rflags,
	       t->regs.fs_base, t->regs.gs_base, t->xcr0, t->xstate_size,
	       t->xcr0 ? "xsave" : "fxsave");
}

/* "thread": the first (as version 1 had it); "threads": all of them. */
static void json_thread(const struct cok_img *img)
{
	size_t i;

	printf("\"thread\":");
	json_one_thread(&img->threads[0]);
	printf(",\"threads\":[");
	for (i = 0; i < img->nthreads; i++) {
		if (i)
			putchar(',');
		json_one_thread(&img->threads[i]);
	}
	printf("],");
}

static int json_memory(const struct cok_img *img)
{
	const struct cok_mm_state *mm = img->mm;
	uint64_t *stored = stored_per_region(img);
	char prot[4];
	uint32_t i;

	if (!stored)
		return -ENOMEM;
	printf("\"mm\":{\"brk_start\":%" PRIu64 ",\"brk\":%" PRIu64 ",\"mmap_next\":%" PRIu64 ",\"regions\":[",
	       mm->brk_start, mm->brk, mm->mmap_next);
	for (i = 0; i < mm->nregions; i++) {
		const struct cok_region *r = &img->regions[i];

		prot_str(r->prot, prot);
		printf("%s{\"start\":%" PRIu64 ",\"end\":%" PRIu64 ",\"size\":%" PRIu64 ",\"prot\":\"%s\",\"stored_bytes\":%" PRIu64 "}",
		       i ? "," : "", r->va, r->va + r->len, r->len, prot,
		       stored[i]);
	}
	free(stored);
	printf("]},\"totals\":{\"mapped_bytes\":%" PRIu64 ",\"stored_bytes\":%" PRIu64 ",\"extents\":%zu,\"zero_pages\":%" PRIu64 "},\"page_sums_checked\":",
	       img->mapped_bytes, img->stored_bytes, img->nextents,
	       (img->mapped_bytes - img->stored_bytes) / PAGE);
	cok_json_bool(stdout, img->page_sums_checked);
	printf("}\n");
	return 0;
}

static int info_json(const char *path, const struct cok_img *img)
{
	printf("{\"file\":");
	cok_json_string(stdout, path);
	printf(",\"version\":%" PRIu32 ",\"arch\":\"x86-64\",\"file_size\":%" PRIu64 ",\"records\":%" PRIu64 ",\"created_ns\":%" PRIu64 ",",
	       img->header.version, img->header.file_size,
	       img->header.nrecords, img->header.created_ns);
	json_app(img);
	json_thread(img);
	return json_memory(img);
}

static int verify_report(const char *path, const struct cok_img *img,
			 bool json)
{
	char pages[32];

	if (json) {
		printf("{\"file\":");
		cok_json_string(stdout, path);
		printf(",\"ok\":true,\"records\":%" PRIu64 ",\"page_bytes\":%" PRIu64 "}\n",
		       img->header.nrecords, img->stored_bytes);
		return 0;
	}
	cok_img_fmt_size(img->stored_bytes, pages, sizeof(pages));
	printf("%s: OK (%" PRIu64 " records, %s of pages, all checksums hold)\n",
	       path, img->header.nrecords, pages);
	return 0;
}

/* The image could not be read, or is refused: one line, exit status. */
static int image_failure(const char *path, int err, const char *why,
			 bool verify_json)
{
	if (verify_json) {
		printf("{\"file\":");
		cok_json_string(stdout, path);
		printf(",\"ok\":false,\"error\":");
		cok_json_string(stdout, why);
		printf("}\n");
	}
	fprintf(stderr, "cokctl: %s: %s\n", path, why);
	if (err == -EBADMSG)
		return COK_EXIT_BAD_IMAGE;
	if (err == -EACCES || err == -EPERM)
		return COK_EXIT_PERM;
	return COK_EXIT_SYSTEM;
}

static int run(const char *sub, const char *path, bool json)
{
	bool verify = !strcmp(sub, "verify");
	struct cok_img img;
	char why[512];
	int ret;

	ret = cok_img_open(&img, path, verify ? 0 : COK_IMG_SKIP_PAGE_SUMS,
			   why, sizeof(why));
	if (ret)
		return image_failure(path, ret, why, verify && json);
	if (verify)
		ret = verify_report(path, &img, json);
	else if (json)
		ret = info_json(path, &img);
	else
		ret = info_text(path, &img);
	cok_img_close(&img);
	if (ret) {
		fprintf(stderr, "cokctl: %s: out of memory\n", path);
		return COK_EXIT_SYSTEM;
	}
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "cokctl: writing the output: %s\n",
			strerror(errno));
		return COK_EXIT_SYSTEM;
	}
	return COK_EXIT_OK;
}

int cok_cmd_image(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false;
	const char *sub;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			cok_print_manual(cok_find_verb("image")->manual);
			return COK_EXIT_OK;
		default:
			return cok_option_error("image", c, argv);
		}
	}
	if (optind == argc)
		return cok_usage_error("image", "what? (info or verify)");
	sub = argv[optind];
	if (strcmp(sub, "info") && strcmp(sub, "verify"))
		return cok_usage_error("image",
				       "unknown subcommand '%s' (info or verify)",
				       sub);
	if (argc - optind < 2)
		return cok_usage_error("image", "which image file?");
	if (argc - optind > 2)
		return cok_usage_error("image", "unexpected argument '%s'",
				       argv[optind + 2]);
	return run(sub, argv[optind + 1], json);
}
