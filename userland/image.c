// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint image files (xemem/image.h): the writer of `cokctl dump`
 * and the checking reader of `cokctl restore` and `cokctl image`.
 *
 * Checksums, precisely (all XXH64, seed 0):
 *   header_sum  of the 64 header bytes with header_sum set to zero;
 *   record sum  of the record's `size` payload bytes, padding excluded;
 *   file_sum    of the 64 header bytes exactly as in the file (with
 *               header_sum filled in), followed by the 32 bytes of every
 *               record header (each with its sum) in file order, and
 *               nothing else: no payload, padding or trailer byte.
 * Payloads are covered through their sums in the record headers; the
 * padding must be zero and the trailer must repeat the header, so every
 * byte of a file is checked.
 *
 * file_sum starts with the header, which is only known once the last
 * record is written; the writer therefore keeps a copy of the record
 * headers (32 bytes each) and hashes everything at commit.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE		/* mkostemp, renameat2 */
#endif
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "image.h"
#include "xxh64.h"

/* As the kernel's (and cokctl.h's); image.c does without cokctl.h. */
#define IMG_ATTR(x)	__attribute__(x)
#ifndef __printf
#define __printf(a, b)	IMG_ATTR((format(printf, a, b)))
#endif
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define HDR_SIZE	sizeof(struct cok_img_header)
#define REC_SIZE	sizeof(struct cok_img_record)
#define TRAILER_SIZE	sizeof(struct cok_img_trailer)

/* The first address above x86-64 user space, as Linux has it. */
#define USER_TOP	0x00007ffffffff000ULL

/* open(2) flags on x86-64 Linux: the image's, whatever the host's. */
#define LX_O_ACCMODE	000000003U
#define LX_O_CREAT	000000100U
#define LX_O_EXCL	000000200U
#define LX_O_NOCTTY	000000400U
#define LX_O_TRUNC	000001000U
#define LX_O_APPEND	000002000U
#define LX_O_NONBLOCK	000004000U
#define LX_O_DSYNC	000010000U
#define LX_O_ASYNC	000020000U
#define LX_O_DIRECT	000040000U
#define LX_O_LARGEFILE	000100000U
#define LX_O_DIRECTORY	000200000U
#define LX_O_NOFOLLOW	000400000U
#define LX_O_NOATIME	001000000U
#define LX_O_CLOEXEC	002000000U
#define LX_O_SYNC	(004000000U | LX_O_DSYNC)
#define LX_O_PATH	010000000U
#define LX_O_TMPFILE	(020000000U | LX_O_DIRECTORY)
#define LX_O_KNOWN	(LX_O_ACCMODE | LX_O_CREAT | LX_O_EXCL | \
			 LX_O_NOCTTY | LX_O_TRUNC | LX_O_APPEND | \
			 LX_O_NONBLOCK | LX_O_ASYNC | LX_O_DIRECT | \
			 LX_O_LARGEFILE | LX_O_NOFOLLOW | LX_O_NOATIME | \
			 LX_O_CLOEXEC | LX_O_SYNC | LX_O_PATH | LX_O_TMPFILE)

/* Linux takes at most this many iovecs in one writev(). */
#define IOV_BATCH	1024

_Static_assert(SIZE_MAX >= UINT64_MAX, "a 64-bit host");

static inline uint64_t pad8(uint64_t n)
{
	return (8 - (n & 7)) & 7;
}

static const uint8_t zeros[8];

/* --- helpers ------------------------------------------------------------- */

const char *cok_img_type_name(uint32_t type)
{
	static const char *const names[] = {
		[COK_IMG_META] = "META",
		[COK_IMG_FILES] = "FILES",
		[COK_IMG_THREAD] = "THREAD",
		[COK_IMG_MM] = "MM",
		[COK_IMG_PAGES] = "PAGES",
	};

	if (type < ARRAY_SIZE(names) && names[type])
		return names[type];
	return "unknown";
}

const char *cok_img_file_kind_name(uint32_t kind)
{
	static const char *const names[] = {
		[COK_IMG_FILE_REGULAR] = "regular",
		[COK_IMG_FILE_STDIO] = "stdio",
		[COK_IMG_FILE_TTY] = "tty",
		[COK_IMG_FILE_PIPE] = "pipe",
		[COK_IMG_FILE_SOCKET] = "socket",
		[COK_IMG_FILE_DEVNULL] = "null",
		[COK_IMG_FILE_CHARDEV] = "chardev",
	};

	if (kind < ARRAY_SIZE(names) && names[kind])
		return names[kind];
	return "unknown";
}

bool cok_img_file_reopened(uint32_t kind)
{
	return kind == COK_IMG_FILE_REGULAR || kind == COK_IMG_FILE_DEVNULL ||
	       kind == COK_IMG_FILE_CHARDEV;
}

static void append(char *buf, size_t len, size_t *at, const char *s)
{
	int n;

	if (*at >= len)
		return;
	n = snprintf(buf + *at, len - *at, "%s%s", *at ? "|" : "", s);
	if (n > 0)
		*at += (size_t)n;
}

void cok_img_open_flags(uint32_t flags, char *buf, size_t len)
{
	static const struct {
		uint32_t bits;
		const char *name;
	} words[] = {
		{ LX_O_CREAT, "O_CREAT" },	{ LX_O_EXCL, "O_EXCL" },
		{ LX_O_NOCTTY, "O_NOCTTY" },	{ LX_O_TRUNC, "O_TRUNC" },
		{ LX_O_APPEND, "O_APPEND" },	{ LX_O_NONBLOCK, "O_NONBLOCK" },
		{ LX_O_SYNC, "O_SYNC" },	{ LX_O_DSYNC, "O_DSYNC" },
		{ LX_O_ASYNC, "O_ASYNC" },	{ LX_O_DIRECT, "O_DIRECT" },
		{ LX_O_LARGEFILE, "O_LARGEFILE" },
		{ LX_O_TMPFILE, "O_TMPFILE" },
		{ LX_O_DIRECTORY, "O_DIRECTORY" },
		{ LX_O_NOFOLLOW, "O_NOFOLLOW" }, { LX_O_NOATIME, "O_NOATIME" },
		{ LX_O_CLOEXEC, "O_CLOEXEC" },	{ LX_O_PATH, "O_PATH" },
	};
	static const char *const modes[] = {
		"O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"
	};
	uint32_t left = flags & ~LX_O_ACCMODE;
	char hex[16];
	size_t at = 0, i;

	if (!len)
		return;
	buf[0] = '\0';
	append(buf, len, &at, modes[flags & LX_O_ACCMODE]);
	/* Multi-bit words (O_SYNC, O_TMPFILE) come before their parts. */
	for (i = 0; i < ARRAY_SIZE(words); i++) {
		if ((left & words[i].bits) == words[i].bits) {
			append(buf, len, &at, words[i].name);
			left &= ~words[i].bits;
		}
	}
	if (left) {
		snprintf(hex, sizeof(hex), "0%o", left);
		append(buf, len, &at, hex);
	}
}

void cok_img_fmt_size(uint64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB",
					     "PiB", "EiB" };
	double v = (double)bytes;
	int u = -1;

	if (bytes < 1024) {
		snprintf(buf, len, "%" PRIu64 " bytes", bytes);
		return;
	}
	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	/* "3.2 MiB", but "12 MiB" and "4 KiB" */
	if (v < 10 && (uint64_t)(v * 10) % 10)
		snprintf(buf, len, "%.1f %s", v, units[u]);
	else
		snprintf(buf, len, "%.0f %s", v, units[u]);
}

/* --- writer -------------------------------------------------------------- */

/* Keeps the first failure: its -errno and its reason. */
__printf(3, 4)
static int w_fail(struct cok_img_writer *w, int err, const char *fmt, ...)
{
	va_list ap;

	if (w->err)
		return w->err;
	w->err = -err;
	va_start(ap, fmt);
	vsnprintf(w->why, sizeof(w->why), fmt, ap);
	va_end(ap);
	return w->err;
}

static int w_io_fail(struct cok_img_writer *w, const char *what, int err)
{
	char size[32];

	cok_img_fmt_size(w->off, size, sizeof(size));
	return w_fail(w, err, "%s %s: %s (wrote %s)", what, w->final_path,
		      strerror(err), size);
}

/*
 * Writes every byte of v[0..cnt) (its entries are advanced past what was
 * written): short writes and EINTR are resumed.
 */
static int write_all(struct cok_img_writer *w, struct iovec *v, int cnt)
{
	ssize_t r;
	size_t k;

	for (;;) {
		while (cnt && !v->iov_len) {
			v++;
			cnt--;
		}
		if (!cnt)
			return 0;
		r = writev(w->fd, v, cnt < IOV_BATCH ? cnt : IOV_BATCH);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return w_io_fail(w, "writing", errno);
		if (r == 0)	/* no progress on a non-empty write */
			return w_io_fail(w, "writing", EIO);
		w->off += (uint64_t)r;
		for (; r; v++, cnt--) {
			k = (size_t)r < v->iov_len ? (size_t)r : v->iov_len;
			v->iov_base = (char *)v->iov_base + k;
			v->iov_len -= k;
			r -= (ssize_t)k;
			if (v->iov_len)
				break;
		}
	}
}

static int pwrite_all(struct cok_img_writer *w, const void *p, size_t n,
		      off_t at)
{
	const char *c = p;
	ssize_t r;

	while (n) {
		r = pwrite(w->fd, c, n, at);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return w_io_fail(w, "writing", r < 0 ? errno : EIO);
		c += r;
		n -= (size_t)r;
		at += r;
	}
	return 0;
}

/* "dir/.name.XXXXXX" for "dir/name"; NULL if out of memory. */
static char *tmp_name(const char *final, size_t *dirlen)
{
	const char *slash = strrchr(final, '/');
	size_t d = slash ? (size_t)(slash - final) + 1 : 0;
	size_t b = strlen(final + d);
	char *t = malloc(d + 1 + b + 8);

	if (!t)
		return NULL;
	memcpy(t, final, d);
	t[d] = '.';
	memcpy(t + d + 1, final + d, b);
	memcpy(t + d + 1 + b, ".XXXXXX", 8);
	*dirlen = d;
	return t;
}

/* The directory of the image, for messages and its fsync. */
static void dir_of(const char *path, size_t dirlen, char *buf, size_t len)
{
	if (!dirlen)
		snprintf(buf, len, ".");
	else if (dirlen == 1)
		snprintf(buf, len, "/");
	else
		snprintf(buf, len, "%.*s", (int)(dirlen - 1), path);
}

static void fill_header(struct cok_img_header *h, uint64_t file_size,
			uint64_t nrecords, uint64_t created_ns)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->magic, COK_IMG_MAGIC, sizeof(h->magic));
	h->version = COK_IMG_VERSION;
	h->header_size = HDR_SIZE;
	h->arch = COK_IMG_ARCH_X86_64;
	h->page_size = COK_IMG_PAGE_SIZE;
	h->file_size = file_size;
	h->nrecords = nrecords;
	h->created_ns = created_ns;
	h->header_sum = cok_xxh64(h, sizeof(*h), 0);
}

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int cok_img_create(struct cok_img_writer *w, const char *final_path,
		   uint64_t created_ns, unsigned int flags)
{
	struct cok_img_header h;
	struct iovec v;
	char dir[4096];
	size_t dirlen;
	int err;

	memset(w, 0, sizeof(*w));
	w->fd = -1;
	w->sync_dir = fsync;
	w->flags = flags;
	w->created_ns = created_ns ? created_ns : realtime_ns();
	if (flags & ~COK_IMG_NOREPLACE)
		return w_fail(w, EINVAL, "%s: unknown writer flags 0x%x",
			      final_path, flags);
	w->final_path = strdup(final_path);
	w->tmp_path = tmp_name(final_path, &dirlen);
	if (!w->final_path || !w->tmp_path)
		return w_fail(w, ENOMEM, "%s: out of memory", final_path);
	if (!final_path[dirlen]) {
		free(w->tmp_path);
		w->tmp_path = NULL;
		return w_fail(w, EISDIR, "%s: names a directory, not a file",
			      final_path);
	}
	/* mkstemp's mode is 0600: memory images may hold secrets. */
	w->fd = mkostemp(w->tmp_path, O_CLOEXEC);
	if (w->fd < 0) {
		err = errno;
		free(w->tmp_path);
		w->tmp_path = NULL;
		dir_of(final_path, dirlen, dir, sizeof(dir));
		return w_fail(w, err, "creating a temporary file in %s: %s",
			      dir, strerror(err));
	}
	/* A placeholder, with file_size 0 until the commit. */
	fill_header(&h, 0, 0, w->created_ns);
	v.iov_base = &h;
	v.iov_len = sizeof(h);
	return write_all(w, &v, 1);
}

static int keep_record(struct cok_img_writer *w,
		       const struct cok_img_record *rec)
{
	size_t cap = w->rec_cap ? w->rec_cap * 2 : 64 * REC_SIZE;
	uint8_t *p;

	if (w->rec_len + REC_SIZE > w->rec_cap) {
		p = realloc(w->rec_hdrs, cap);
		if (!p)
			return w_fail(w, ENOMEM, "writing %s: out of memory",
				      w->final_path);
		w->rec_hdrs = p;
		w->rec_cap = cap;
	}
	memcpy(w->rec_hdrs + w->rec_len, rec, REC_SIZE);
	w->rec_len += REC_SIZE;
	return 0;
}

static int w_usable(struct cok_img_writer *w)
{
	if (w->err)
		return w->err;
	if (w->done || w->fd < 0)
		return w_fail(w, EINVAL, "%s: the image is already closed",
			      w->final_path ? w->final_path : "image");
	return 0;
}

/* One record; its payload's XXH64 is *sum, or computed here (sum NULL). */
static int add_record(struct cok_img_writer *w, uint32_t type, uint64_t addr,
		      const struct iovec *iov, int n, const uint64_t *sum)
{
	struct cok_img_record rec = { .type = type, .addr = addr };
	struct iovec stack[66], *all = stack;
	struct cok_xxh64 s;
	int i, ret;

	ret = w_usable(w);
	if (ret)
		return ret;
	if (n < 0 || n > INT_MAX - 2 || (n && !iov))
		return w_fail(w, EINVAL, "writing %s: bad record (%d pieces)",
			      w->final_path, n);
	cok_xxh64_init(&s, 0);
	for (i = 0; i < n; i++) {
		if (iov[i].iov_len > UINT64_MAX / 2 - rec.size)
			return w_fail(w, EFBIG, "writing %s: record too large",
				      w->final_path);
		rec.size += iov[i].iov_len;
		if (!sum)
			cok_xxh64_update(&s, iov[i].iov_base, iov[i].iov_len);
	}
	rec.sum = sum ? *sum : cok_xxh64_digest(&s);

	if ((size_t)n + 2 > ARRAY_SIZE(stack)) {
		all = malloc(((size_t)n + 2) * sizeof(*all));
		if (!all)
			return w_fail(w, ENOMEM, "writing %s: out of memory",
				      w->final_path);
	}
	all[0].iov_base = &rec;
	all[0].iov_len = REC_SIZE;
	memcpy(all + 1, iov, (size_t)n * sizeof(*iov));
	all[n + 1].iov_base = (void *)zeros;
	all[n + 1].iov_len = pad8(rec.size);
	ret = write_all(w, all, n + 2);
	if (all != stack)
		free(all);
	if (!ret)
		ret = keep_record(w, &rec);
	if (!ret)
		w->nrecords++;
	return ret;
}

int cok_img_add(struct cok_img_writer *w, uint32_t type, uint64_t addr,
		const struct iovec *iov, int n)
{
	return add_record(w, type, addr, iov, n, NULL);
}

int cok_img_add_buf(struct cok_img_writer *w, uint32_t type, uint64_t addr,
		    const void *p, size_t n)
{
	struct iovec v = { .iov_base = (void *)p, .iov_len = n };

	return add_record(w, type, addr, &v, n ? 1 : 0, NULL);
}

int cok_img_add_summed(struct cok_img_writer *w, uint32_t type,
		       uint64_t addr, const void *p, size_t n, uint64_t sum)
{
	struct iovec v = { .iov_base = (void *)p, .iov_len = n };

	return add_record(w, type, addr, &v, n ? 1 : 0, &sum);
}

int cok_img_check_extent(const struct cok_img *img, size_t i, char *why,
			 size_t whylen)
{
	const struct cok_img_extent *e = &img->extents[i];
	uint64_t sum = cok_xxh64(e->data, e->size, 0);

	if (sum == e->sum)
		return 0;
	if (why && whylen)
		snprintf(why, whylen, "PAGES record at byte %" PRIu64 ": payload checksum mismatch (stored 0x%016" PRIx64 ", computed 0x%016" PRIx64 ")",
			 e->offset, e->sum, sum);
	return -EBADMSG;
}

/* Closes the file, frees everything; the temporary file is left as is. */
static void w_release(struct cok_img_writer *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	free(w->final_path);
	free(w->tmp_path);
	free(w->rec_hdrs);
	w->final_path = NULL;
	w->tmp_path = NULL;
	w->rec_hdrs = NULL;
	w->rec_len = 0;
	w->rec_cap = 0;
	w->done = true;
}

/* Puts the finished temporary file in place; removes it on failure. */
static int w_rename(struct cok_img_writer *w)
{
	int r;

	if (w->flags & COK_IMG_NOREPLACE) {
		r = renameat2(AT_FDCWD, w->tmp_path, AT_FDCWD, w->final_path,
			      RENAME_NOREPLACE);
		/* Not every file system has it: link() fails on EEXIST too. */
		if (r && errno == EINVAL) {
			r = link(w->tmp_path, w->final_path);
			if (!r)
				unlink(w->tmp_path);
		}
	} else {
		r = rename(w->tmp_path, w->final_path);
	}
	if (r)
		return w_fail(w, errno, "%s: %s", w->final_path,
			      strerror(errno));
	free(w->tmp_path);
	w->tmp_path = NULL;
	return 0;
}

/*
 * The rename is durable once the directory is synced.  If that fails,
 * the image stays in place (complete and synced itself, it replaced the
 * previous one already; removing it would lose both): the failure is
 * reported, the caller decides.
 */
static int w_sync_dir(struct cok_img_writer *w)
{
	const char *slash = strrchr(w->final_path, '/');
	size_t dirlen = slash ? (size_t)(slash - w->final_path) + 1 : 0;
	char dir[4096];
	int fd, err;

	dir_of(w->final_path, dirlen, dir, sizeof(dir));
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || (w->sync_dir(fd) && errno != EINVAL)) {
		err = errno;
		if (fd >= 0)
			close(fd);
		return w_fail(w, err, "syncing directory %s: %s (%s is complete and in place, but its rename may not survive a crash)",
			      dir, strerror(err), w->final_path);
	}
	close(fd);
	return 0;
}

int cok_img_commit(struct cok_img_writer *w)
{
	struct cok_img_trailer t = { .magic = COK_IMG_TRAILER_MAGIC };
	struct cok_img_header h;
	struct cok_xxh64 s;
	struct iovec v;
	int ret, fd;

	ret = w_usable(w);
	if (ret)
		return ret;
	t.nrecords = w->nrecords;
	t.file_size = w->off + TRAILER_SIZE;
	fill_header(&h, t.file_size, t.nrecords, w->created_ns);
	cok_xxh64_init(&s, 0);
	cok_xxh64_update(&s, &h, sizeof(h));
	cok_xxh64_update(&s, w->rec_hdrs, w->rec_len);
	t.file_sum = cok_xxh64_digest(&s);

	v.iov_base = &t;
	v.iov_len = sizeof(t);
	ret = write_all(w, &v, 1);
	if (!ret)
		ret = pwrite_all(w, &h, sizeof(h), 0);
	if (ret)
		return ret;
	if (fsync(w->fd))
		return w_io_fail(w, "syncing", errno);
	fd = w->fd;
	w->fd = -1;
	if (close(fd))
		return w_io_fail(w, "closing", errno);
	ret = w_rename(w);
	if (!ret)
		ret = w_sync_dir(w);
	if (!ret)
		w_release(w);
	return ret;
}

void cok_img_abort(struct cok_img_writer *w)
{
	if (w->tmp_path && !w->done)
		unlink(w->tmp_path);
	w_release(w);
}

const char *cok_img_writer_error(const struct cok_img_writer *w)
{
	return w->why[0] ? w->why : "no error";
}

/* --- reader -------------------------------------------------------------- */

struct walk {
	struct cok_img *img;
	const uint8_t *buf;
	uint64_t len;
	unsigned int flags;
	char *why;
	size_t whylen;
	uint64_t trail;		/* offset of the trailer */
	uint64_t off;		/* of the current record */
	uint64_t idx;		/* its number, from 1 */
	uint32_t type;		/* its type */
	uint32_t stage;		/* the type of the record before */
	uint32_t cursor;	/* the region of the last extent */
	uint64_t pages_end;	/* the end of the last extent; 0: none yet */
	size_t ext_cap;
	uint64_t rec_sum;	/* the payload sum of the record being checked */
	struct cok_xxh64 fsum;
};

static void vsay(struct walk *w, size_t at, const char *fmt, va_list ap)
{
	if (w->why && at < w->whylen)
		vsnprintf(w->why + at, w->whylen - at, fmt, ap);
}

/* A refusal: one line in why; returns -EBADMSG. */
__printf(2, 3)
static int refuse(struct walk *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(w, 0, fmt, ap);
	va_end(ap);
	return -EBADMSG;
}

/* A refusal about the current record: "record N (TYPE at byte B): ..." */
__printf(2, 3)
static int refuse_rec(struct walk *w, const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (w->why && w->whylen && w->type >= COK_IMG_META &&
	    w->type <= COK_IMG_PAGES)
		n = snprintf(w->why, w->whylen, "record %" PRIu64 " (%s at byte %" PRIu64 "): ",
			     w->idx, cok_img_type_name(w->type), w->off);
	else if (w->why && w->whylen)
		n = snprintf(w->why, w->whylen, "record %" PRIu64 " (at byte %" PRIu64 "): ",
			     w->idx, w->off);
	if (n < 0)
		n = 0;
	va_start(ap, fmt);
	vsay(w, (size_t)n, fmt, ap);
	va_end(ap);
	return -EBADMSG;
}

static int out_of_memory(struct walk *w)
{
	refuse(w, "out of memory");
	return -ENOMEM;
}

static int check_magic(struct walk *w)
{
	size_t n = w->len < 8 ? (size_t)w->len : 8;

	if (!w->len)
		return refuse(w, "not a ckpt_cokernel image (the file is empty)");
	if (memcmp(w->buf, COK_IMG_MAGIC, n))
		return refuse(w, "not a ckpt_cokernel image (bad magic)");
	if (w->len < HDR_SIZE)
		return refuse(w, "truncated: file is %" PRIu64 " bytes, shorter than the %zu-byte header",
			      w->len, HDR_SIZE);
	return 0;
}

/*
 * Version and architecture first: an image of a newer version or of
 * another machine may lay its header out differently.
 */
static int check_header(struct walk *w, const struct cok_img_header *h)
{
	struct cok_img_header z = *h;
	uint64_t sum;

	if (h->version > COK_IMG_VERSION)
		return refuse(w, "image version %" PRIu32 " is newer than this cokctl reads (%d)",
			      h->version, COK_IMG_VERSION);
	if (h->version == 0)
		return refuse(w, "header: version 0 is not a valid image version");
	if (h->arch != COK_IMG_ARCH_X86_64)
		return refuse(w, "image is for another architecture (machine %" PRIu32 "), this is x86-64",
			      h->arch);
	z.header_sum = 0;
	sum = cok_xxh64(&z, sizeof(z), 0);
	if (sum != h->header_sum)
		return refuse(w, "header: checksum mismatch (stored 0x%016" PRIx64 ", computed 0x%016" PRIx64 ")",
			      h->header_sum, sum);
	if (h->header_size != HDR_SIZE)
		return refuse(w, "header: header_size is %" PRIu32 ", version %d has %zu",
			      h->header_size, COK_IMG_VERSION, HDR_SIZE);
	if (h->page_size != COK_IMG_PAGE_SIZE)
		return refuse(w, "header: page size %" PRIu32 ", x86-64 images have %d",
			      h->page_size, COK_IMG_PAGE_SIZE);
	if (h->reserved)
		return refuse(w, "header: the reserved field is not zero");
	return 0;
}

static int check_file_size(struct walk *w, const struct cok_img_header *h)
{
	uint64_t fs = h->file_size, min = HDR_SIZE + TRAILER_SIZE;

	if (w->len < fs)
		return refuse(w, "truncated: file is %" PRIu64 " bytes, header says %" PRIu64,
			      w->len, fs);
	if (w->len > fs)
		return refuse(w, "file is %" PRIu64 " bytes, header says %" PRIu64 ": %" PRIu64 " bytes too many",
			      w->len, fs, w->len - fs);
	if (fs < min || fs % 8)
		return refuse(w, "header: file_size %" PRIu64 " cannot be (at least %" PRIu64 ", a multiple of 8)",
			      fs, min);
	if (h->nrecords > (fs - min) / REC_SIZE)
		return refuse(w, "header: %" PRIu64 " records cannot fit in %" PRIu64 " bytes",
			      h->nrecords, fs);
	return 0;
}

/* Records come as META, FILES, THREAD, MM, then any number of PAGES. */
static int check_order(struct walk *w)
{
	uint32_t t = w->type;

	if (t == COK_IMG_PAGES && w->stage >= COK_IMG_MM)
		return 0;
	if (t == COK_IMG_THREAD && w->stage == COK_IMG_THREAD &&
	    w->img->header.version >= 2)
		return 0;		/* one per thread */
	if (t == w->stage + 1 && t != COK_IMG_PAGES)
		return 0;
	if (t <= w->stage)
		return refuse_rec(w, "a second %s record, or one after %s (the order is META, FILES, THREAD, MM, PAGES...)",
				  cok_img_type_name(t),
				  cok_img_type_name(w->stage));
	return refuse_rec(w, "comes before any %s record (the order is META, FILES, THREAD, MM, PAGES...)",
			  cok_img_type_name(w->stage + 1));
}

static int check_meta(struct walk *w, const uint8_t *p, uint64_t size)
{
	struct cok_img *img = w->img;
	const char *s = (const char *)p + sizeof(img->meta);
	uint64_t n, nstr, count = 0, i;
	const char *q;

	if (size < sizeof(img->meta))
		return refuse_rec(w, "%" PRIu64 " bytes, shorter than struct cok_img_meta (%zu)",
				  size, sizeof(img->meta));
	memcpy(&img->meta, p, sizeof(img->meta));
	n = size - sizeof(img->meta);
	nstr = (uint64_t)img->meta.argc + img->meta.envc + 1;
	/* Each string takes at least its NUL: this bounds the arrays. */
	if (nstr > n)
		return refuse_rec(w, "argc %" PRIu32 " + envc %" PRIu32 " + cwd: more strings than its %" PRIu64 " bytes can hold",
				  img->meta.argc, img->meta.envc, n);
	if (s[n - 1])
		return refuse_rec(w, "its last string is not NUL-ended");
	for (q = s; q < s + n; q += strlen(q) + 1)	/* s[n - 1] is 0 */
		count++;
	if (count != nstr)
		return refuse_rec(w, "holds %" PRIu64 " strings, argc %" PRIu32 " + envc %" PRIu32 " + cwd make %" PRIu64,
				  count, img->meta.argc, img->meta.envc, nstr);
	img->argv = calloc((size_t)img->meta.argc + 1, sizeof(*img->argv));
	img->envp = calloc((size_t)img->meta.envc + 1, sizeof(*img->envp));
	if (!img->argv || !img->envp)
		return out_of_memory(w);
	for (i = 0, q = s; i < nstr; i++, q += strlen(q) + 1) {
		if (i < img->meta.argc)
			img->argv[i] = q;
		else if (i < nstr - 1)
			img->envp[i - img->meta.argc] = q;
		else
			img->cwd = q;
	}
	return 0;
}

/* One FILES entry at p (room bytes left); its size in *esize. */
static int check_file(struct walk *w, uint64_t k, uint64_t at,
		      const uint8_t *p, uint64_t room, uint64_t *esize)
{
	const uint64_t fsz = sizeof(struct cok_img_file);
	const struct cok_img_file *f = (const void *)p;
	const char *path = (const char *)p + fsz;
	uint32_t bad;
	uint64_t i;

#define FILE_BAD(fmt, ...) \
	refuse_rec(w, "file %" PRIu64 " (byte %" PRIu64 "): " fmt, k, at, \
		   ##__VA_ARGS__)
	if (room < fsz)
		return FILE_BAD("%" PRIu64 " bytes left, shorter than struct cok_img_file (%" PRIu64 ")",
				room, fsz);
	*esize = fsz + f->path_len + 1 + pad8((uint64_t)f->path_len + 1);
	if (*esize > room)
		return FILE_BAD("a path of %" PRIu32 " bytes runs past the record",
				f->path_len);
	if (memchr(path, 0, f->path_len) || path[f->path_len])
		return FILE_BAD("the path is not %" PRIu32 " bytes and a NUL",
				f->path_len);
	for (i = fsz + f->path_len + 1; i < *esize; i++)
		if (p[i])
			return FILE_BAD("padding byte %" PRIu64 " is not zero",
					at + i);
	if (f->fd < 0)
		return FILE_BAD("fd %" PRId32 " is negative", f->fd);
	if (f->kind < COK_IMG_FILE_REGULAR || f->kind > COK_IMG_FILE_KIND_MAX)
		return FILE_BAD("kind %" PRIu32 " is not valid (1-%d: regular, stdio, tty, pipe, socket, null, chardev)",
				f->kind, COK_IMG_FILE_KIND_MAX);
	if (f->kind != COK_IMG_FILE_REGULAR && f->fd > 2)
		return FILE_BAD("fd %" PRId32 " is not 0-2 but of kind %s",
				f->fd, cok_img_file_kind_name(f->kind));
	if (cok_img_file_reopened(f->kind) && !f->path_len)
		return FILE_BAD("a file of kind %s without a path",
				cok_img_file_kind_name(f->kind));
	if ((f->flags & LX_O_ACCMODE) == LX_O_ACCMODE)
		return FILE_BAD("flags 0%" PRIo32 ": access mode 3 is not valid",
				f->flags);
	bad = f->flags & ~LX_O_KNOWN;
	if (bad)
		return FILE_BAD("flags 0%" PRIo32 ": unknown bits 0%" PRIo32,
				f->flags, bad);
#undef FILE_BAD
	return 0;
}

static int cmp_int32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

static int check_unique_fds(struct walk *w)
{
	struct cok_img *img = w->img;
	int32_t *fds;
	size_t i;
	int ret = 0;

	fds = malloc((img->nfiles ? img->nfiles : 1) * sizeof(*fds));
	if (!fds)
		return out_of_memory(w);
	for (i = 0; i < img->nfiles; i++)
		fds[i] = img->files[i].file->fd;
	qsort(fds, img->nfiles, sizeof(*fds), cmp_int32);
	for (i = 1; i < img->nfiles && !ret; i++)
		if (fds[i] == fds[i - 1])
			ret = refuse_rec(w, "fd %" PRId32 " is listed twice",
					 fds[i]);
	free(fds);
	return ret;
}

static int check_files(struct walk *w, const uint8_t *p, uint64_t size)
{
	struct cok_img *img = w->img;
	uint64_t off, es = 0, n = 0, i;
	int ret;

	/* Count and check; the count is bounded by the size. */
	for (off = 0; off < size; off += es, n++) {
		ret = check_file(w, n + 1, w->off + REC_SIZE + off, p + off,
				 size - off, &es);
		if (ret)
			return ret;
	}
	img->files = calloc(n ? n : 1, sizeof(*img->files));
	if (!img->files)
		return out_of_memory(w);
	for (off = 0, i = 0; i < n; i++) {
		const struct cok_img_file *f = (const void *)(p + off);

		img->files[i].file = f;
		img->files[i].path = (const char *)(f + 1);
		off += sizeof(*f) + f->path_len + 1 + pad8(f->path_len + 1ULL);
	}
	img->nfiles = n;
	return check_unique_fds(w);
}

/* Version 2: the ids after the state; tids not 0, and unique. */
static int add_thread(struct walk *w, const struct cok_thread_state *t,
		      const struct cok_thread_ids *ids, const uint8_t *xstate)
{
	struct cok_img *img = w->img;
	struct cok_img_thread *nt;
	size_t i;

	if (img->nthreads == COK_STATE_MAX_THREADS)
		return refuse_rec(w, "more than %d threads",
				  COK_STATE_MAX_THREADS);
	if (img->header.version >= 2 && !ids->tid)
		return refuse_rec(w, "a thread with tid 0");
	for (i = 0; i < img->nthreads; i++)
		if (img->threads[i].ids.tid == ids->tid && ids->tid)
			return refuse_rec(w, "a second thread with tid %" PRIu32,
					  ids->tid);
	nt = realloc(img->threads, (img->nthreads + 1) * sizeof(*nt));
	if (!nt)
		return -ENOMEM;
	img->threads = nt;
	nt[img->nthreads++] = (struct cok_img_thread){ t, *ids, xstate };
	img->thread = nt[0].st;
	img->xstate = nt[0].xstate;
	return 0;
}

static int check_thread(struct walk *w, const uint8_t *p, uint64_t size)
{
	const uint64_t tsz = sizeof(struct cok_thread_state);
	const struct cok_thread_state *t = (const void *)p;
	struct cok_thread_ids ids = { 0 };
	uint64_t isz = w->img->header.version >= 2 ? sizeof(ids) : 0;
	uint32_t xs;

	if (size < tsz + isz)
		return refuse_rec(w, "%" PRIu64 " bytes, shorter than struct cok_thread_state (%" PRIu64 ")",
				  size, tsz);
	xs = t->xstate_size;
	if (xs > COK_XSTATE_MAX)
		return refuse_rec(w, "xstate_size %" PRIu32 " is more than %d",
				  xs, COK_XSTATE_MAX);
	if (!t->xcr0 && xs != COK_FXSAVE_SIZE)
		return refuse_rec(w, "FXSAVE state (xcr0 0) of %" PRIu32 " bytes, not %d",
				  xs, COK_FXSAVE_SIZE);
	/* XCR0 bit 0 (x87) is always set; XSAVE adds a 64-byte header. */
	if (t->xcr0 && (!(t->xcr0 & 1) || xs < COK_FXSAVE_SIZE + 64))
		return refuse_rec(w, "XSAVE state with xcr0 0x%" PRIx64 " and %" PRIu32 " bytes is not valid",
				  t->xcr0, xs);
	if (size != tsz + isz + xs)
		return refuse_rec(w, "%" PRIu64 " bytes, not %" PRIu64 " + xstate_size %" PRIu32,
				  size, tsz + isz, xs);
	memcpy(&ids, p + tsz, isz);
	return add_thread(w, t, &ids, p + tsz + isz);
}

static int check_region(struct walk *w, uint32_t i, const struct cok_region *r)
{
	if ((r->va | r->len) % COK_IMG_PAGE_SIZE)
		return refuse_rec(w, "region %" PRIu32 " (0x%" PRIx64 ", 0x%" PRIx64 " bytes) is not page-aligned",
				  i, r->va, r->len);
	if (!r->len)
		return refuse_rec(w, "region %" PRIu32 " at 0x%" PRIx64 " is empty",
				  i, r->va);
	if (r->va >= USER_TOP || r->len > USER_TOP - r->va)
		return refuse_rec(w, "region %" PRIu32 " (0x%" PRIx64 ", 0x%" PRIx64 " bytes) reaches above user space (0x%llx)",
				  i, r->va, r->len, USER_TOP);
	if (r->prot & ~(COK_PROT_READ | COK_PROT_WRITE | COK_PROT_EXEC))
		return refuse_rec(w, "region %" PRIu32 " at 0x%" PRIx64 ": unknown prot bits 0x%" PRIx32,
				  i, r->va, r->prot);
	if (i && r->va < r[-1].va + r[-1].len)
		return refuse_rec(w, "region %" PRIu32 " at 0x%" PRIx64 " is below the end of region %" PRIu32 " (0x%" PRIx64 "): regions must be sorted, not overlapping",
				  i, r->va, i - 1, r[-1].va + r[-1].len);
	return 0;
}

static int check_mm(struct walk *w, const uint8_t *p, uint64_t size)
{
	const uint64_t msz = sizeof(struct cok_mm_state);
	const uint64_t rsz = sizeof(struct cok_region);
	const struct cok_mm_state *mm = (const void *)p;
	const struct cok_region *r = (const void *)(p + msz);
	uint32_t i;
	int ret;

	if (size < msz)
		return refuse_rec(w, "%" PRIu64 " bytes, shorter than struct cok_mm_state (%" PRIu64 ")",
				  size, msz);
	if (mm->nregions > COK_RESTORE_MAX_REGIONS)
		return refuse_rec(w, "%" PRIu32 " regions, more than %d",
				  mm->nregions, COK_RESTORE_MAX_REGIONS);
	if (size != msz + rsz * mm->nregions)
		return refuse_rec(w, "%" PRIu64 " bytes, not %" PRIu64 " + %" PRIu32 " regions x %" PRIu64,
				  size, msz, mm->nregions, rsz);
	for (i = 0; i < mm->nregions; i++) {
		ret = check_region(w, i, r + i);
		if (ret)
			return ret;
		w->img->mapped_bytes += r[i].len;
	}
	w->img->mm = mm;
	w->img->regions = r;
	return 0;
}

static int add_extent(struct walk *w, uint64_t addr, uint64_t size,
		      const uint8_t *data)
{
	struct cok_img *img = w->img;
	struct cok_img_extent *e;
	size_t cap;

	if (img->nextents == w->ext_cap) {
		cap = w->ext_cap ? w->ext_cap * 2 : 64;
		e = realloc(img->extents, cap * sizeof(*e));
		if (!e)
			return out_of_memory(w);
		img->extents = e;
		w->ext_cap = cap;
	}
	e = &img->extents[img->nextents++];
	e->addr = addr;
	e->size = size;
	e->data = data;
	e->region = w->cursor;
	e->sum = w->rec_sum;
	e->offset = w->off;
	img->stored_bytes += size;
	return 0;
}

static int check_pages(struct walk *w, uint64_t addr, const uint8_t *p,
		       uint64_t size)
{
	const struct cok_region *r = w->img->regions;
	uint32_t n = w->img->mm->nregions;

	if ((addr | size) % COK_IMG_PAGE_SIZE)
		return refuse_rec(w, "extent 0x%" PRIx64 ", 0x%" PRIx64 " bytes is not page-aligned",
				  addr, size);
	if (!size || size > COK_IMG_EXTENT_MAX)
		return refuse_rec(w, "an extent of %" PRIu64 " bytes (1 page to 4 MiB)",
				  size);
	if (w->pages_end && addr < w->pages_end)
		return refuse_rec(w, "extent at 0x%" PRIx64 " starts below the end of the one before (0x%" PRIx64 "): extents must be increasing, not overlapping",
				  addr, w->pages_end);
	/* Both are sorted: the region only moves up. */
	while (w->cursor < n && r[w->cursor].va + r[w->cursor].len <= addr)
		w->cursor++;
	if (w->cursor == n || addr < r[w->cursor].va ||
	    size > r[w->cursor].va + r[w->cursor].len - addr)
		return refuse_rec(w, "extent 0x%" PRIx64 "-0x%" PRIx64 " is not inside one region",
				  addr, addr + size);
	w->pages_end = addr + size;
	return add_extent(w, addr, size, p);
}

static int check_payload(struct walk *w, const struct cok_img_record *rec,
			 const uint8_t *p)
{
	bool skip = rec->type == COK_IMG_PAGES &&
		    (w->flags & COK_IMG_SKIP_PAGE_SUMS);
	uint64_t sum;

	w->rec_sum = rec->sum;
	if (!skip) {
		sum = cok_xxh64(p, rec->size, 0);
		if (sum != rec->sum)
			return refuse_rec(w, "payload checksum mismatch (stored 0x%016" PRIx64 ", computed 0x%016" PRIx64 ")",
					  rec->sum, sum);
	}
	switch (rec->type) {
	case COK_IMG_META:
		return check_meta(w, p, rec->size);
	case COK_IMG_FILES:
		return check_files(w, p, rec->size);
	case COK_IMG_THREAD:
		return check_thread(w, p, rec->size);
	case COK_IMG_MM:
		return check_mm(w, p, rec->size);
	default:
		return check_pages(w, rec->addr, p, rec->size);
	}
}

/* The record at w->off: its header, bounds, padding, order, payload. */
static int check_record(struct walk *w, uint64_t *next)
{
	struct cok_img_record rec;
	const uint8_t *p;
	uint64_t room, i;
	int ret;

	memcpy(&rec, w->buf + w->off, REC_SIZE);
	cok_xxh64_update(&w->fsum, &rec, REC_SIZE);
	w->type = rec.type;
	if (rec.type < COK_IMG_META || rec.type > COK_IMG_PAGES)
		return refuse_rec(w, "unknown record type %" PRIu32, rec.type);
	if (rec.flags)
		return refuse_rec(w, "flags 0x%" PRIx32 ", not 0", rec.flags);
	if (rec.type != COK_IMG_PAGES && rec.addr)
		return refuse_rec(w, "addr 0x%" PRIx64 ", not 0", rec.addr);
	room = w->trail - w->off - REC_SIZE;
	if (rec.size > room || pad8(rec.size) > room - rec.size)
		return refuse_rec(w, "%" PRIu64 " payload bytes run past the trailer at byte %" PRIu64,
				  rec.size, w->trail);
	p = w->buf + w->off + REC_SIZE;
	for (i = rec.size; i < rec.size + pad8(rec.size); i++)
		if (p[i])
			return refuse_rec(w, "padding byte %" PRIu64 " is not zero",
					  w->off + REC_SIZE + i);
	ret = check_order(w);
	if (!ret)
		ret = check_payload(w, &rec, p);
	w->stage = rec.type;
	*next = w->off + REC_SIZE + rec.size + pad8(rec.size);
	return ret;
}

static int check_records(struct walk *w, uint64_t nrecords)
{
	uint64_t next = 0;
	int ret;

	for (w->off = HDR_SIZE; w->off < w->trail; w->off = next) {
		w->idx++;
		w->type = 0;
		if (w->idx > nrecords)
			return refuse(w, "record %" PRIu64 " at byte %" PRIu64 ": the header says %" PRIu64 " records",
				      w->idx, w->off, nrecords);
		if (w->trail - w->off < REC_SIZE)
			return refuse(w, "record %" PRIu64 " at byte %" PRIu64 ": its header runs into the trailer at byte %" PRIu64,
				      w->idx, w->off, w->trail);
		ret = check_record(w, &next);
		if (ret)
			return ret;
	}
	if (w->idx != nrecords)
		return refuse(w, "the header says %" PRIu64 " records, the file holds %" PRIu64,
			      nrecords, w->idx);
	if (w->stage < COK_IMG_MM)
		return refuse(w, "no %s record",
			      cok_img_type_name(w->stage + 1));
	return 0;
}

static int check_trailer(struct walk *w, const struct cok_img_header *h)
{
	struct cok_img_trailer t;
	uint64_t sum = cok_xxh64_digest(&w->fsum);

	memcpy(&t, w->buf + w->trail, sizeof(t));
	if (t.magic != COK_IMG_TRAILER_MAGIC)
		return refuse(w, "trailer (byte %" PRIu64 "): bad magic 0x%016" PRIx64,
			      w->trail, t.magic);
	if (t.nrecords != h->nrecords || t.file_size != h->file_size)
		return refuse(w, "trailer (byte %" PRIu64 "): %" PRIu64 " records and %" PRIu64 " bytes, the header says %" PRIu64 " and %" PRIu64,
			      w->trail, t.nrecords, t.file_size, h->nrecords,
			      h->file_size);
	if (t.file_sum != sum)
		return refuse(w, "trailer (byte %" PRIu64 "): file checksum mismatch (stored 0x%016" PRIx64 ", computed 0x%016" PRIx64 "): a record header is damaged",
			      w->trail, t.file_sum, sum);
	return 0;
}

static void img_free(struct cok_img *img)
{
	free(img->argv);
	free(img->envp);
	free(img->files);
	free(img->threads);
	free(img->extents);
	memset(img, 0, sizeof(*img));
}

static int parse(struct walk *w)
{
	struct cok_img *img = w->img;
	int ret;

	ret = check_magic(w);
	if (ret)
		return ret;
	memcpy(&img->header, w->buf, HDR_SIZE);
	ret = check_header(w, &img->header);
	if (!ret)
		ret = check_file_size(w, &img->header);
	if (ret)
		return ret;
	w->trail = img->header.file_size - TRAILER_SIZE;
	cok_xxh64_init(&w->fsum, 0);
	cok_xxh64_update(&w->fsum, w->buf, HDR_SIZE);
	ret = check_records(w, img->header.nrecords);
	if (!ret)
		ret = check_trailer(w, &img->header);
	return ret;
}

int cok_img_parse(struct cok_img *img, const uint8_t *buf, uint64_t len,
		  unsigned int flags, char *why, size_t whylen)
{
	struct walk w = {
		.img = img, .buf = buf, .len = len, .flags = flags,
		.why = why, .whylen = whylen,
	};
	int ret;

	memset(img, 0, sizeof(*img));
	if (why && whylen)
		why[0] = '\0';
	/* The structures are read in place: 8-byte alignment is needed. */
	if ((flags & ~COK_IMG_SKIP_PAGE_SUMS) || (len && !buf) ||
	    ((uintptr_t)buf & 7)) {
		refuse(&w, "internal error: bad arguments to %s", __func__);
		return -EINVAL;
	}
	ret = parse(&w);
	if (ret) {
		img_free(img);
		return ret;
	}
	img->base = buf;
	img->size = len;
	img->page_sums_checked = !(flags & COK_IMG_SKIP_PAGE_SUMS);
	return 0;
}

__printf(3, 4)
static void say(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (!why || !whylen)
		return;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

int cok_img_open(struct cok_img *img, const char *path, unsigned int flags,
		 char *why, size_t whylen)
{
	struct stat st;
	void *map = NULL;
	int fd, err, ret;

	memset(img, 0, sizeof(*img));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		err = errno;
		if (fd >= 0)
			close(fd);
		say(why, whylen, "%s", strerror(err));
		return -err;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		say(why, whylen, "%s, not an image file",
		    S_ISDIR(st.st_mode) ? "a directory" : "not a regular file");
		return -EBADMSG;
	}
	if (st.st_size > 0) {
		map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE,
			   fd, 0);
		if (map == MAP_FAILED) {
			err = errno;
			close(fd);
			say(why, whylen, "cannot map it: %s", strerror(err));
			return -err;
		}
		if (!(flags & COK_IMG_SKIP_PAGE_SUMS))
			madvise(map, (size_t)st.st_size, MADV_SEQUENTIAL);
	}
	close(fd);
	ret = cok_img_parse(img, map, (uint64_t)st.st_size, flags, why,
			    whylen);
	if (ret) {
		if (map)
			munmap(map, (size_t)st.st_size);
		return ret;
	}
	img->map = map;
	img->map_len = (uint64_t)st.st_size;
	return 0;
}

void cok_img_close(struct cok_img *img)
{
	if (img->map)
		munmap(img->map, (size_t)img->map_len);
	img_free(img);
}
