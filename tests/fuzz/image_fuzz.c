// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness over cok_img_parse (userland/image.c), built with
 * -fsanitize=fuzzer,address,undefined by tests/fuzz/run.sh together
 * with image.c and xxh64.c alone (no libnl, no rest of cokctl).
 *
 * Each input is parsed twice: as it is, which exercises the header and
 * the checksums, and resealed (image_reseal.h: every checksum, size and
 * count made right), which lets mutations reach the checks behind the
 * checksums.  Each time, with and without COK_IMG_SKIP_PAGE_SUMS and
 * with why = NULL.  Beyond "no crash, no overread, no UB, no leak":
 *   - a refusal comes with a one-line reason;
 *   - skipping page sums may only turn a PAGES checksum refusal into an
 *     acceptance, nothing else, and never the other way round;
 *   - an accepted image satisfies what struct cok_img promises: every
 *     pointer inside the buffer, strings NUL-ended, files, regions and
 *     extents as image.h describes them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../userland/image.h"
#include "image_reseal.h"

#define USER_TOP	0x00007ffffffff000ULL

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "image_fuzz: %s%s%s\n", what, detail ? ": " : "",
		detail ? detail : "");
	abort();
}

static const uint8_t *base;
static uint64_t blen;

/* [p, p + n) lies in the buffer. */
static void inside(const void *p, uint64_t n, const char *what)
{
	const uint8_t *q = p;

	if (q < base || q > base + blen || n > (uint64_t)(base + blen - q))
		die("accepted, but a pointer leaves the buffer", what);
}

static void string_inside(const char *s, const char *what)
{
	inside(s, 1, what);
	if (!memchr(s, 0, (size_t)(base + blen - (const uint8_t *)s)))
		die("accepted, but a string is not NUL-ended", what);
}

static void check_app(const struct cok_img *img)
{
	uint32_t i;

	for (i = 0; i < img->meta.argc; i++)
		string_inside(img->argv[i], "argv");
	for (i = 0; i < img->meta.envc; i++)
		string_inside(img->envp[i], "envp");
	if (img->argv[img->meta.argc] || img->envp[img->meta.envc])
		die("accepted, but argv or envp is not NULL-ended", NULL);
	string_inside(img->cwd, "cwd");
}

static void check_files(const struct cok_img *img)
{
	size_t i, j;

	for (i = 0; i < img->nfiles; i++) {
		const struct cok_img_file *f = img->files[i].file;

		inside(f, sizeof(*f), "file");
		inside(img->files[i].path, f->path_len + 1ULL, "path");
		if (strlen(img->files[i].path) != f->path_len)
			die("accepted, but a path is not path_len long", NULL);
		if (f->fd < 0 || f->kind < COK_IMG_FILE_REGULAR ||
		    f->kind > COK_IMG_FILE_KIND_MAX ||
		    (f->kind != COK_IMG_FILE_REGULAR && f->fd > 2) ||
		    (cok_img_file_reopened(f->kind) && !f->path_len) ||
		    (f->flags & 3) == 3)
			die("accepted, but a file entry is not valid", NULL);
		for (j = 0; j < i; j++)
			if (img->files[j].file->fd == f->fd)
				die("accepted, but an fd is listed twice",
				    NULL);
	}
}

static void check_thread(const struct cok_img *img)
{
	size_t i, j;

	if (!img->nthreads || img->nthreads > COK_STATE_MAX_THREADS ||
	    img->thread != img->threads[0].st)
		die("accepted, but the thread count is not valid", NULL);
	for (i = 0; i < img->nthreads; i++) {
		const struct cok_thread_state *t = img->threads[i].st;

		inside(t, sizeof(*t), "thread");
		inside(img->threads[i].xstate, t->xstate_size, "xstate");
		if (t->xstate_size > COK_XSTATE_MAX ||
		    (!t->xcr0 && t->xstate_size != COK_FXSAVE_SIZE))
			die("accepted, but xstate_size is not valid", NULL);
		for (j = 0; j < i; j++)
			if (img->threads[j].ids.tid == img->threads[i].ids.tid)
				die("accepted, but two threads share a tid",
				    NULL);
	}
}

static void check_memory(const struct cok_img *img)
{
	const struct cok_region *r = img->regions;
	uint64_t mapped = 0, stored = 0, end = 0;
	uint32_t i;
	size_t k;

	inside(img->mm, sizeof(*img->mm), "mm");
	inside(r, img->mm->nregions * (uint64_t)sizeof(*r), "regions");
	for (i = 0; i < img->mm->nregions; i++) {
		if (!r[i].len || (r[i].va | r[i].len) % COK_IMG_PAGE_SIZE ||
		    r[i].va < end || r[i].len > USER_TOP - r[i].va ||
		    r[i].prot & ~7U)
			die("accepted, but a region is not valid", NULL);
		end = r[i].va + r[i].len;
		mapped += r[i].len;
	}
	end = 0;
	for (k = 0; k < img->nextents; k++) {
		const struct cok_img_extent *e = &img->extents[k];

		inside(e->data, e->size, "extent data");
		if (e->region >= img->mm->nregions || e->addr < end ||
		    !e->size || e->size > COK_IMG_EXTENT_MAX ||
		    (e->addr | e->size) % COK_IMG_PAGE_SIZE ||
		    e->addr < r[e->region].va ||
		    e->addr + e->size > r[e->region].va + r[e->region].len)
			die("accepted, but an extent is not valid", NULL);
		end = e->addr + e->size;
		stored += e->size;
	}
	if (mapped != img->mapped_bytes || stored != img->stored_bytes)
		die("accepted, but the totals are wrong", NULL);
}

static void check_accepted(const struct cok_img *img, const uint8_t *buf,
			   uint64_t len)
{
	base = buf;
	blen = len;
	if (img->base != buf || img->size != len ||
	    img->header.file_size != len || img->header.nrecords < 4)
		die("accepted, but the header is not the buffer's", NULL);
	check_app(img);
	check_files(img);
	check_thread(img);
	check_memory(img);
}

static void check_refused(int rc, const char *why)
{
	if (rc != -EBADMSG && rc != -ENOMEM)
		die("refused with an unexpected code", why);
	if (!why[0] || strchr(why, '\n'))
		die("refused without a one-line reason", why);
}

static void check_one(const uint8_t *buf, uint64_t len)
{
	char why[320], why2[320];
	struct cok_img img, img2;
	int rc, rc2, rc3;

	rc = cok_img_parse(&img, buf, len, 0, why, sizeof(why));
	if (rc)
		check_refused(rc, why);
	else
		check_accepted(&img, buf, len);

	rc2 = cok_img_parse(&img2, buf, len, COK_IMG_SKIP_PAGE_SUMS, why2,
			    sizeof(why2));
	if (rc2)
		check_refused(rc2, why2);
	else
		check_accepted(&img2, buf, len);
	if (!rc && rc2)
		die("refused only when skipping page sums", why2);
	if (rc && !rc2 && (!strstr(why, "(PAGES at byte") ||
			   !strstr(why, "payload checksum mismatch")))
		die("skipping page sums accepts more than page damage", why);
	if (!rc && !rc2 && (img.nextents != img2.nextents ||
			    img.nfiles != img2.nfiles))
		die("skipping page sums changes what is read", NULL);

	cok_img_close(&img2);

	rc3 = cok_img_parse(&img2, buf, len, 0, NULL, 0);
	if (rc3 != rc)
		die("the verdict differs with why = NULL", why);
	cok_img_close(&img);
	cok_img_close(&img2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exactly sized, 8-byte aligned copy, as a mapping would be. */
	uint8_t *buf = malloc(size ? size : 1);

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	check_one(buf, size);
	if (size >= sizeof(struct cok_img_header) +
		    sizeof(struct cok_img_trailer)) {
		cok_img_reseal(buf, size, true);
		check_one(buf, size);
	}
	free(buf);
	return 0;
}
