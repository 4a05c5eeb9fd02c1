/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Writing and reading checkpoint image files (format: xemem/image.h).
 *
 * Writer:
 *
 *	struct cok_img_writer w;
 *
 *	if (cok_img_create(&w, "ckpt.img", 0, 0) ||
 *	    cok_img_add(&w, COK_IMG_META, 0, iov, n) || ... ||
 *	    cok_img_commit(&w)) {
 *		fprintf(stderr, "%s\n", cok_img_writer_error(&w));
 *		cok_img_abort(&w);	(removes the temporary file)
 *	}
 *
 * The writer checks no content: it writes the records it is given, in
 * the order given; the reader checks everything.  If only the fsync of
 * the directory after the rename fails, commit reports it but FILE stays
 * (complete, and already in the place of any previous image).
 *
 * Reader: cok_img_open() maps a file and cok_img_parse() checks a
 * buffer; both refuse anything that is not a complete, intact image of
 * a version this cokctl reads, with a one-line reason.  On success,
 * struct cok_img points into the buffer (or mapping), which must stay
 * until cok_img_close().  Neither depends on the rest of cokctl, so
 * that the fuzzer and the tests link them alone.
 */
#ifndef COKCTL_IMAGE_H
#define COKCTL_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "../xemem/image.h"

/* --- writer ------------------------------------------------------------- */

/* cok_img_create() flags: refuse to replace an existing final_path. */
#define COK_IMG_NOREPLACE	1U

struct cok_img_writer {
	int fd;			/* the temporary file's; -1: closed */
	int err;		/* the first failure, -errno; 0 */
	bool done;		/* committed, or aborted */
	unsigned int flags;
	char *final_path;
	char *tmp_path;
	uint64_t off;		/* bytes written so far */
	uint64_t nrecords;
	uint64_t created_ns;
	uint8_t *rec_hdrs;	/* every record header, for file_sum */
	size_t rec_len;
	size_t rec_cap;
	char why[320];		/* the reason of the first failure */
	/* fsync(2) of the directory after the rename; tests replace it. */
	int (*sync_dir)(int fd);
};

int cok_img_create(struct cok_img_writer *w, const char *final_path,
		   uint64_t created_ns, unsigned int flags);
int cok_img_add(struct cok_img_writer *w, uint32_t type, uint64_t addr,
		const struct iovec *iov, int n);
int cok_img_add_buf(struct cok_img_writer *w, uint32_t type, uint64_t addr,
		    const void *p, size_t n);
/* As cok_img_add_buf(), with the payload's XXH64 computed by the caller. */
int cok_img_add_summed(struct cok_img_writer *w, uint32_t type,
		       uint64_t addr, const void *p, size_t n, uint64_t sum);
int cok_img_commit(struct cok_img_writer *w);
void cok_img_abort(struct cok_img_writer *w);
const char *cok_img_writer_error(const struct cok_img_writer *w);

/* --- reader -------------------------------------------------------------- */

/* cok_img_parse() / cok_img_open() flags: don't hash PAGES payloads. */
#define COK_IMG_SKIP_PAGE_SUMS	1U

struct cok_img_fileref {
	const struct cok_img_file *file;
	const char *path;	/* file->path_len bytes, then a NUL */
};

/* The contents of one PAGES record. */
struct cok_img_extent {
	uint64_t addr;
	uint64_t size;
	const uint8_t *data;	/* size bytes */
	uint32_t region;	/* the index of its region in regions[] */
	uint64_t sum;		/* its record's payload sum */
	uint64_t offset;	/* its record's byte offset in the file */
};

struct cok_img {
	const uint8_t *base;	/* the whole file */
	uint64_t size;
	void *map;		/* cok_img_open()'s mapping; NULL */
	uint64_t map_len;

	struct cok_img_header header;	/* copies */
	struct cok_img_meta meta;
	const char **argv;	/* meta.argc strings, then NULL */
	const char **envp;	/* meta.envc strings, then NULL */
	const char *cwd;

	struct cok_img_fileref *files;
	size_t nfiles;

	/* Its threads, the one that was running first. */
	struct cok_img_thread {
		const struct cok_thread_state *st;
		struct cok_thread_ids ids;	/* version 1: all 0 */
		const uint8_t *xstate;		/* st->xstate_size bytes */
	} *threads;
	size_t nthreads;
	const struct cok_thread_state *thread;	/* threads[0].st */
	const uint8_t *xstate;			/* threads[0].xstate */

	const struct cok_mm_state *mm;
	const struct cok_region *regions;	/* mm->nregions */

	struct cok_img_extent *extents;	/* in address order */
	size_t nextents;

	uint64_t mapped_bytes;	/* the regions' total */
	uint64_t stored_bytes;	/* the extents' total */
	bool page_sums_checked;
};

/*
 * Checks len bytes at buf (8-byte aligned) as an image.  Returns 0, or
 * -EBADMSG with a one-line reason in why (when not NULL) for a bad
 * image, -ENOMEM, -EINVAL for bad arguments.  On failure img is empty
 * (cok_img_close() is harmless on it).
 */
int cok_img_parse(struct cok_img *img, const uint8_t *buf, uint64_t len,
		  unsigned int flags, char *why, size_t whylen);

/* As cok_img_parse() over a file, mapped read-only; or -errno. */
int cok_img_open(struct cok_img *img, const char *path, unsigned int flags,
		 char *why, size_t whylen);
void cok_img_close(struct cok_img *img);

/*
 * The payload sum of extent i, for an image opened with
 * COK_IMG_SKIP_PAGE_SUMS (threads may check different extents at once):
 * 0, or -EBADMSG with a one-line reason.
 */
int cok_img_check_extent(const struct cok_img *img, size_t i, char *why,
			 size_t whylen);

/* --- helpers -------------------------------------------------------------- */

const char *cok_img_type_name(uint32_t type);

/* "regular", "tty", "pipe", ... (enum cok_img_file_kind); "unknown". */
const char *cok_img_file_kind_name(uint32_t kind);

/*
 * A file of this kind is reopened by a restore (regular file, /dev/null,
 * character device); the others (tty, pipe, socket, old images' stdio)
 * are the restorer's own standard descriptor.
 */
bool cok_img_file_reopened(uint32_t kind);

/* open(2) flags as words, "O_WRONLY|O_APPEND"; truncated to fit. */
void cok_img_open_flags(uint32_t flags, char *buf, size_t len);

/* A size for people: "512 bytes", "48 KiB", "3.2 MiB", "12 GiB". */
void cok_img_fmt_size(uint64_t bytes, char *buf, size_t len);

#endif /* COKCTL_IMAGE_H */
