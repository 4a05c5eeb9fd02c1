/* SPDX-License-Identifier: GPL-2.0 */
/*
 * img_edit MODE IN OUT: writes a copy of the checkpoint image IN
 * (xemem/image.h) to OUT with one thing changed, every checksum made
 * right again, so that only the co-kernel's own checks can refuse it
 * (cokctl checks the format, sums and order, not these values):
 *   region0   an extra 4 KiB region at address 0 (first in the map)
 *   fsbase    the thread's FS base non-canonical (0x8000000000000000)
 *   brk0      the program break at 0x1000 (brk_start and brk)
 *   copy      nothing: the copy must restore as the original does
 *   v1        the image as format version 1 wrote it (one thread, its
 *             THREAD record without the ids): what a cokctl from before
 *             threads made
 * A Linux-side test helper, built with the apps for the guest image.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../xemem/image.h"
#include "../../userland/xxh64.c"

static unsigned char *in, *out;
static size_t in_size, out_len;

static void die(const char *why)
{
	fprintf(stderr, "img_edit: %s\n", why);
	exit(1);
}

static void emit(const void *p, size_t n)
{
	memcpy(out + out_len, p, n);
	out_len += n;
	while (out_len % 8)
		out[out_len++] = 0;
}

static void read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	long n;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET))
		die("cannot read the input image");
	in_size = (size_t)n;
	in = malloc(in_size);
	out = calloc(1, in_size + 4096);
	if (!in || !out || fread(in, 1, in_size, f) != in_size)
		die("cannot read the input image");
	fclose(f);
}

/* The payload of one record, changed as MODE says; returns its size. */
static size_t edit(const char *mode, const struct cok_img_record *r,
		   unsigned char *p, size_t size)
{
	struct cok_region zero = { .va = 0, .len = 4096,
				   .prot = COK_PROT_READ | COK_PROT_WRITE };
	struct cok_mm_state *mm = (void *)p;
	struct cok_thread_state *t = (void *)p;

	if (r->type == COK_IMG_THREAD && !strcmp(mode, "fsbase"))
		t->regs.fs_base = 0x8000000000000000ULL;
	if (r->type == COK_IMG_THREAD && !strcmp(mode, "v1")) {
		size -= sizeof(struct cok_thread_ids);
		memmove(p + sizeof(*t), p + sizeof(*t) +
			sizeof(struct cok_thread_ids), size - sizeof(*t));
	}
	if (r->type != COK_IMG_MM)
		return size;
	if (!strcmp(mode, "brk0"))
		mm->brk_start = mm->brk = 0x1000;
	if (!strcmp(mode, "region0")) {
		memmove(p + sizeof(*mm) + sizeof(zero), p + sizeof(*mm),
			size - sizeof(*mm));
		memcpy(p + sizeof(*mm), &zero, sizeof(zero));
		mm->nregions++;
		size += sizeof(zero);
	}
	return size;
}

int main(int argc, char **argv)
{
	struct cok_img_header h;
	struct cok_img_trailer t = { .magic = COK_IMG_TRAILER_MAGIC };
	struct cok_xxh64 s;
	unsigned char *rec_hdrs, *buf;
	size_t off = sizeof(h), n = 0;
	unsigned int threads = 0;
	uint64_t i;
	FILE *f;

	if (argc != 4 || (strcmp(argv[1], "region0") &&
			  strcmp(argv[1], "fsbase") && strcmp(argv[1], "brk0") &&
			  strcmp(argv[1], "copy") && strcmp(argv[1], "v1")))
		die("usage: img_edit region0|fsbase|brk0|copy|v1 IN OUT");
	read_file(argv[2]);
	memcpy(&h, in, sizeof(h));
	rec_hdrs = malloc(h.nrecords * sizeof(struct cok_img_record));
	buf = malloc(in_size + 64);
	if (!rec_hdrs || !buf)
		die("out of memory");
	out_len = sizeof(h);
	for (i = 0; i < h.nrecords; i++) {
		struct cok_img_record r;
		size_t size;

		if (off + sizeof(r) > in_size)
			die("truncated image");
		memcpy(&r, in + off, sizeof(r));
		off += sizeof(r);
		if (r.type == COK_IMG_THREAD && !strcmp(argv[1], "v1") &&
		    threads++)
			die("v1: the image has more than one thread");
		if (r.size > in_size - off)
			die("truncated record");
		memcpy(buf, in + off, r.size);
		off += (r.size + 7) & ~7ULL;
		size = edit(argv[1], &r, buf, r.size);
		r.size = size;
		r.sum = cok_xxh64(buf, size, 0);
		memcpy(rec_hdrs + n, &r, sizeof(r));
		n += sizeof(r);
		emit(&r, sizeof(r));
		emit(buf, size);
	}
	if (!strcmp(argv[1], "v1"))
		h.version = 1;
	h.file_size = out_len + sizeof(t);
	h.header_sum = 0;
	h.header_sum = cok_xxh64(&h, sizeof(h), 0);
	memcpy(out, &h, sizeof(h));
	cok_xxh64_init(&s, 0);
	cok_xxh64_update(&s, &h, sizeof(h));
	cok_xxh64_update(&s, rec_hdrs, n);
	t.nrecords = h.nrecords;
	t.file_size = h.file_size;
	t.file_sum = cok_xxh64_digest(&s);
	emit(&t, sizeof(t));
	f = fopen(argv[3], "wb");
	if (!f || fwrite(out, 1, out_len, f) != out_len || fclose(f))
		die("cannot write the output image");
	return 0;
}
