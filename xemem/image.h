/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The checkpoint image file written by `cokctl dump` and read by
 * `cokctl restore` and `cokctl image`.  Little-endian, x86-64.
 *
 *   struct cok_img_header                      (64 bytes, at offset 0)
 *   record, record, ...                        (header_size bytes after it)
 *   struct cok_img_trailer                     (32 bytes, at the end)
 *
 * A record is a struct cok_img_record followed by `size` payload bytes,
 * padded with zeros to a multiple of 8.  Records come in this order:
 *
 *   META     once: struct cok_img_meta, then argc + envc strings (each
 *            NUL-ended) and the working directory (NUL-ended)
 *   FILES    once: nfiles x (struct cok_img_file, then the path,
 *            NUL-ended, padded to 8); paths are absolute (as the dumping
 *            proxy's /proc/PID/fd links give them); fds 0-2 are listed
 *            by what they are (enum cok_img_file_kind)
 *   THREAD   one per thread of the app, the one that was running first
 *            (1 to COK_STATE_MAX_THREADS): struct cok_thread_state
 *            (state.h), struct cok_thread_ids (tids unique, not 0),
 *            then xstate_size bytes of FPU/SSE/AVX state.  Version 1
 *            has exactly one, without the ids (tid: the process's)
 *   MM       once: struct cok_mm_state, then nregions x struct cok_region
 *            (state.h), sorted, not overlapping
 *   PAGES    any number: the contents of [addr, addr + size) of the app's
 *            memory, addr and size multiples of 4 KiB, inside one region,
 *            in increasing address order, not overlapping.  A page of a
 *            region that no PAGES record covers is all zeros: zero pages
 *            are not written.  One record holds at most COK_IMG_EXTENT_MAX
 *            bytes.
 *
 * Every pad and reserved field is written as zero.
 *
 * Checksums are XXH64 (seed 0; the published xxHash algorithm, so that
 * `xxh64sum` can check a payload).  Each record carries the XXH64 of its
 * payload (padding excluded).  The header carries the XXH64 of itself
 * with header_sum zero.  The trailer carries file_sum: the XXH64 of the
 * header followed by every record header, in file order; as each record
 * header holds its payload's sum, file_sum covers every byte of the file
 * and checking it needs no second pass over the pages.
 *
 * Writers create the image under a temporary name in the target's
 * directory and rename it into place once the trailer is written, so a
 * reader never meets a half-written image under the final name.
 *
 * Readers check, before anything is restored: magic, version (newer ones
 * are refused), arch, header_size, header_sum, that the file is exactly
 * file_size bytes, every record's bounds, type, order and payload sum,
 * the trailer and file_sum.
 */
#ifndef XEMEM_IMAGE_H
#define XEMEM_IMAGE_H

#include "cok_types.h"
#include "state.h"

#define COK_IMG_MAGIC		"COKCKPT\n"	/* 8 bytes, no NUL */
#define COK_IMG_VERSION		2	/* 1: one thread, still read */
#define COK_IMG_ARCH_X86_64	62		/* ELF's EM_X86_64 */
#define COK_IMG_PAGE_SIZE	4096
#define COK_IMG_EXTENT_MAX	(4ULL << 20)
#define COK_IMG_TRAILER_MAGIC	0x21444e45474d4943ULL	/* "CIMGEND!" */

struct cok_img_header {
	char magic[8];		/* COK_IMG_MAGIC */
	uint32_t version;	/* COK_IMG_VERSION */
	uint32_t header_size;	/* sizeof(struct cok_img_header) */
	uint32_t arch;		/* COK_IMG_ARCH_X86_64 */
	uint32_t page_size;	/* COK_IMG_PAGE_SIZE */
	uint64_t file_size;	/* the whole file, trailer included */
	uint64_t nrecords;	/* records between header and trailer */
	uint64_t created_ns;	/* CLOCK_REALTIME of the dump */
	uint64_t reserved;	/* 0 */
	uint64_t header_sum;	/* XXH64 of this header, this field zero */
};

enum cok_img_type {
	COK_IMG_META = 1,
	COK_IMG_FILES = 2,
	COK_IMG_THREAD = 3,
	COK_IMG_MM = 4,
	COK_IMG_PAGES = 5,
};

struct cok_img_record {
	uint32_t type;		/* enum cok_img_type */
	uint32_t flags;		/* 0 */
	uint64_t size;		/* payload bytes, padding excluded */
	uint64_t addr;		/* PAGES: first virtual address; else 0 */
	uint64_t sum;		/* XXH64 of the payload */
};

struct cok_img_meta {
	uint32_t argc;
	uint32_t envc;
	uint32_t app_id;	/* the app's id when it was dumped */
	uint32_t pad;
	uint64_t frozen_ns;	/* how long the dump kept it frozen */
};

/*
 * How a file was open in the app; its path follows, NUL-ended.
 *
 * Kinds 1 and 2 are those of the first images; 3-7 were added to them
 * (same format version: an older cokctl refuses an image holding one as
 * an unknown kind, a newer one reads both).  A writer records each of
 * fds 0-2 as what it really is (1 or 3-7), never 2; a reader still takes
 * 2 from images written before.  Only 1 is valid above fd 2.
 */
enum cok_img_file_kind {
	COK_IMG_FILE_REGULAR = 1,	/* reopened by path at offset */
	COK_IMG_FILE_STDIO = 2,		/* fd 0-2 of an old image: the restorer's own */
	COK_IMG_FILE_TTY = 3,		/* fd 0-2: a terminal; the restorer's own */
	COK_IMG_FILE_PIPE = 4,		/* fd 0-2: a pipe or FIFO; the restorer's own */
	COK_IMG_FILE_SOCKET = 5,	/* fd 0-2: a socket; the restorer's own */
	COK_IMG_FILE_DEVNULL = 6,	/* fd 0-2: /dev/null, reopened */
	COK_IMG_FILE_CHARDEV = 7,	/* fd 0-2: another character device, reopened by path */
};

#define COK_IMG_FILE_KIND_MAX	7

struct cok_img_file {
	int32_t fd;		/* the app's descriptor number */
	uint32_t kind;		/* enum cok_img_file_kind */
	uint32_t flags;		/* open(2) flags: O_ACCMODE, O_APPEND, ... */
	uint32_t path_len;	/* bytes of the path, without its NUL */
	uint64_t offset;	/* file position */
	uint64_t size;		/* file size at the dump, for information */
};

struct cok_img_trailer {
	uint64_t magic;		/* COK_IMG_TRAILER_MAGIC */
	uint64_t nrecords;	/* as in the header */
	uint64_t file_size;	/* as in the header */
	uint64_t file_sum;	/* see above */
};

_Static_assert(sizeof(struct cok_img_header) == 64,
	       "image header is 64 bytes");
_Static_assert(sizeof(struct cok_img_record) == 32, "record header");
_Static_assert(sizeof(struct cok_img_trailer) == 32, "trailer");
_Static_assert(sizeof(struct cok_thread_state) == 176, "thread state");
_Static_assert(sizeof(struct cok_thread_ids) == 32, "thread ids");
_Static_assert(sizeof(struct cok_mm_state) == 48, "mm state");
_Static_assert(sizeof(struct cok_region) == 24, "region");

#endif /* XEMEM_IMAGE_H */
