// SPDX-License-Identifier: GPL-2.0
/*
 * cokctl restore FILE: bring a dumped app back and be its proxy.
 *
 *  1. The whole image is checked (every checksum) before anything else.
 *  2. Its files are reopened at their descriptor numbers and offsets,
 *     fds 0-2 included when they were files, /dev/null or another
 *     character device; a standard fd that was a terminal, pipe or socket
 *     (or of an old image, which does not say) is ours.  A file that
 *     cannot be reopened refuses the restore, before the enclave is
 *     touched.  From here on our messages go to p->errfd, a copy of our
 *     stderr: fd 2 may now be the app's file.
 *  3. COK_IOC_RESTORE: the co-kernel rebuilds the app (regions, zeroed;
 *     registers; FPU state) on a free core and keeps it frozen.
 *  4. The image's page extents are written into the app's memory
 *     through our mapping of the enclave, by its page tables.
 *  5. COK_IOC_RESUME, and we serve its system calls as `launch` does.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../xemem/cokdev.h"
#include "cokctl.h"
#include "image.h"
#include "proxy.h"

/*
 * The page sums, checked by two threads (alternate extents): the image
 * is opened without them so that they are not a single-threaded pass.
 */
struct checker {
	const struct cok_img *img;
	size_t first;
	size_t bad;		/* the first bad extent, or SIZE_MAX */
	char why[320];
};

static void *check_extents(void *arg)
{
	struct checker *c = arg;
	size_t i;

	c->bad = SIZE_MAX;
	for (i = c->first; i < c->img->nextents; i += 2) {
		if (cok_img_check_extent(c->img, i, c->why, sizeof(c->why))) {
			c->bad = i;
			break;
		}
	}
	return NULL;
}

static int verify_pages(const struct cok_img *img, char *why, size_t len)
{
	struct checker a = { .img = img, .first = 0 };
	struct checker b = { .img = img, .first = 1 };
	const struct checker *worst;
	pthread_t t;
	bool threaded = !pthread_create(&t, NULL, check_extents, &b);

	check_extents(&a);
	if (threaded)
		pthread_join(t, NULL);
	else
		check_extents(&b);
	worst = a.bad <= b.bad ? &a : &b;
	if (worst->bad == SIZE_MAX)
		return 0;
	snprintf(why, len, "%s", worst->why);
	return -EBADMSG;
}

/* When each phase of the restore ended, for -v (CLOCK_MONOTONIC ns). */
static uint64_t t_verified, t_rebuilt, t_written;

/* open(2) flags a reopen keeps: access mode, append, sync, cloexec... */
#define REOPEN_DROP	(O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY)

/* What the restore prints before anything is rebuilt: on our stderr. */
struct reopen {
	const char *image;
	int errfd;		/* the caller's stderr, whatever fd 2 becomes */
	bool verbose;
};

/* A regular file still holds what the app had read or written: seek. */
static int seek_regular(const struct reopen *ro, const struct cok_img_file *f,
			const char *path, int fd, const struct stat *st)
{
	if (!S_ISREG(st->st_mode) || (uint64_t)st->st_size < f->offset) {
		dprintf(ro->errfd, "cokctl: restore %s: fd %d (%s) is no longer the file the app had open (now %lld bytes, the app was at offset %" PRIu64 ")\n",
			ro->image, f->fd, path, (long long)st->st_size,
			(uint64_t)f->offset);
		return -1;
	}
	if (lseek(fd, (off_t)f->offset, SEEK_SET) < 0) {
		dprintf(ro->errfd, "cokctl: restore %s: fd %d (%s): seek: %s\n",
			ro->image, f->fd, path, strerror(errno));
		return -1;
	}
	return 0;
}

/* The file of fr open again (a regular file at its offset), or -1. */
static int open_recorded(const struct reopen *ro,
			 const struct cok_img_fileref *fr)
{
	const struct cok_img_file *f = fr->file;
	const char *path = f->kind == COK_IMG_FILE_DEVNULL ? "/dev/null" :
			   fr->path;
	struct stat st;
	int fd;

	fd = open(path, (int)(f->flags & ~(uint32_t)REOPEN_DROP));
	if (fd < 0) {
		dprintf(ro->errfd, "cokctl: restore %s: cannot reopen fd %d (%s): %s\n",
			ro->image, f->fd, path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st)) {
		dprintf(ro->errfd, "cokctl: restore %s: fd %d (%s): %s\n",
			ro->image, f->fd, path, strerror(errno));
	} else if (f->kind == COK_IMG_FILE_REGULAR) {
		if (!seek_regular(ro, f, path, fd, &st))
			return fd;
	} else if (S_ISCHR(st.st_mode)) {
		return fd;
	} else {
		dprintf(ro->errfd, "cokctl: restore %s: fd %d (%s) is no longer a character device\n",
			ro->image, f->fd, path);
	}
	close(fd);
	return -1;
}

static int reopen_one(const struct reopen *ro, const struct cok_img_fileref *fr)
{
	const struct cok_img_file *f = fr->file;
	int fd, nfd;

	fd = open_recorded(ro, fr);
	if (fd < 0)
		return -1;
	if (fd == f->fd)
		return 0;
	nfd = dup3(fd, f->fd, f->flags & O_CLOEXEC);
	close(fd);
	if (nfd < 0) {
		dprintf(ro->errfd, "cokctl: restore %s: fd %d (%s): %s\n",
			ro->image, f->fd, fr->path, strerror(errno));
		return -1;
	}
	return 0;
}

/* -v: what standard descriptor fd of the restored app is. */
static void say_std_fd(const struct reopen *ro, int fd,
		       const struct cok_img_fileref *fr)
{
	static const char *const names[] = {
		"standard input", "standard output", "standard error"
	};
	const struct cok_img_file *f = fr ? fr->file : NULL;
	char flags[128];

	if (!ro->verbose)
		return;
	if (f && f->kind == COK_IMG_FILE_REGULAR) {
		cok_img_open_flags(f->flags, flags, sizeof(flags));
		dprintf(ro->errfd, "cokctl: restore %s: fd %d: %s reopened at offset %" PRIu64 " (%s)\n",
			ro->image, fd, fr->path, (uint64_t)f->offset, flags);
	} else if (f && cok_img_file_reopened(f->kind)) {
		cok_img_open_flags(f->flags, flags, sizeof(flags));
		dprintf(ro->errfd, "cokctl: restore %s: fd %d: %s reopened (%s)\n",
			ro->image, fd, f->kind == COK_IMG_FILE_DEVNULL ?
			"/dev/null" : fr->path, flags);
	} else if (f && f->kind != COK_IMG_FILE_STDIO) {
		dprintf(ro->errfd, "cokctl: restore %s: fd %d: this cokctl's %s (the app's was a %s)\n",
			ro->image, fd, names[fd],
			f->kind == COK_IMG_FILE_TTY ? "terminal" :
			cok_img_file_kind_name(f->kind));
	} else {
		dprintf(ro->errfd, "cokctl: restore %s: fd %d: this cokctl's %s (%s)\n",
			ro->image, fd, names[fd],
			f ? "the image, of an older cokctl, does not say what the app's was" :
			"the app did not have it open");
	}
}

/*
 * The app's own descriptors, at their numbers (ours are hidden above):
 * files, /dev/null and character devices reopened, fds 0-2 that were a
 * terminal, pipe or socket left as ours.
 */
static int reopen_files(const struct cok_img *img, const struct reopen *ro,
			const struct cok_proxy *p)
{
	const struct cok_img_fileref *std[3] = { NULL, NULL, NULL };
	size_t i;
	int fd;

	for (i = 0; i < img->nfiles; i++) {
		const struct cok_img_fileref *fr = &img->files[i];

		if (fr->file->fd <= 2)
			std[fr->file->fd] = fr;
		if (!cok_img_file_reopened(fr->file->kind))
			continue;	/* the caller's */
		if (cok_proxy_private_fd(p, fr->file->fd)) {
			dprintf(ro->errfd, "cokctl: restore %s: fd %d is taken by cokctl itself; raise the open-file limit (ulimit -n)\n",
				ro->image, fr->file->fd);
			return -1;
		}
		if (reopen_one(ro, fr))
			return -1;
	}
	for (fd = 0; fd <= 2; fd++)
		say_std_fd(ro, fd, std[fd]);
	return 0;
}

/* argv then envp, NUL-ended each, as the module keeps them. */
static char *join_strings(const struct cok_img *img, uint64_t *size)
{
	uint32_t i, n = img->meta.argc + img->meta.envc;
	uint64_t total = 0;
	char *blob, *at;

	for (i = 0; i < n; i++)
		total += strlen(i < img->meta.argc ? img->argv[i] :
				img->envp[i - img->meta.argc]) + 1;
	blob = malloc(total ? total : 1);
	if (!blob)
		return NULL;
	at = blob;
	for (i = 0; i < n; i++)
		at = stpcpy(at, i < img->meta.argc ? img->argv[i] :
			    img->envp[i - img->meta.argc]) + 1;
	*size = total;
	return blob;
}

/* The image keeps argv, not the program's path: no /proc/self/exe. */
static void set_program(struct cok_proxy *p, const struct cok_img *img)
{
	uint64_t size;
	char *blob = join_strings(img, &size);

	if (blob)
		cok_proxy_set_program(p, NULL, blob, img->meta.argc);
	free(blob);
}

/* The restore block (state.h): regions, then one record per thread. */
static struct cok_restore_block *build_block(const struct cok_img *img,
					     size_t *size)
{
	struct cok_restore_block *b;
	struct cok_thread_rec *recs;
	size_t at, i;

	at = sizeof(*b) + (size_t)img->mm->nregions * sizeof(b->regions[0]);
	at = (at + 63) & ~(size_t)63;
	*size = at + img->nthreads * sizeof(*recs);
	b = calloc(1, *size);
	if (!b)
		return NULL;
	b->flags = COK_RESTORE_FILLS_ALL;
	b->mm = *img->mm;
	memcpy(b->regions, img->regions,
	       (size_t)img->mm->nregions * sizeof(b->regions[0]));
	b->nthreads = (uint32_t)img->nthreads;
	b->threads_offset = at;
	recs = (struct cok_thread_rec *)((uint8_t *)b + at);
	for (i = 0; i < img->nthreads; i++) {
		recs[i].st = *img->threads[i].st;
		recs[i].ids = img->threads[i].ids;
		memcpy(recs[i].xstate, img->threads[i].xstate,
		       img->threads[i].st->xstate_size);
	}
	return b;
}

static int restore_failed(const struct cok_proxy *p, const char *image,
			  struct cok_ioc_restore *r, int err)
{
	r->error[sizeof(r->error) - 1] = '\0';
	dprintf(p->errfd, "cokctl: restore %s: %s\n", image,
		r->error[0] ? r->error : strerror(err));
	if (err == EPERM || err == EACCES)
		return COK_EXIT_PERM;
	return err == ENOMEM || err == EFAULT ? COK_EXIT_SYSTEM :
	       COK_EXIT_REFUSED;
}

/*
 * [va, va + len) of the app: a copy of src, or zeros (src NULL), written
 * by the module through its page tables (a 2 MiB page at a time).  A
 * restoring proxy may write the text pages the app may only read.
 */
static int fill(struct cok_proxy *p, uint64_t va, uint64_t len,
		const uint8_t *src)
{
	return src ? cok_appmem_write(&p->mem, va, src, len) :
		     cok_appmem_zero(&p->mem, va, len);
}

/*
 * Every page of every region: the extents' data, zeros between them
 * (COK_RESTORE_FILLS_ALL: the co-kernel did not zero its 2 MiB pages).
 */
static int write_pages(struct cok_proxy *p, const struct cok_img *img)
{
	size_t x = 0;
	uint32_t g;

	for (g = 0; g < img->mm->nregions; g++) {
		const struct cok_region *r = &img->regions[g];
		uint64_t va = r->va, end = r->va + r->len;

		while (va < end) {
			const struct cok_img_extent *e = x < img->nextents &&
				img->extents[x].addr < end ?
				&img->extents[x] : NULL;
			uint64_t gap = (e ? e->addr : end) - va;

			if (gap && fill(p, va, gap, NULL))
				return -1;
			va += gap;
			if (!e)
				break;
			if (fill(p, e->addr, e->size, e->data))
				return -1;
			va = e->addr + e->size;
			x++;
		}
	}
	return x == img->nextents ? 0 : -1;
}

/* Fill the app, let it go, and serve it. */
static int serve(struct cok_proxy *p, const struct cok_img *img,
		 const struct cok_ioc_restore *r)
{
	const char *why = NULL;
	int ret = 0;

	cok_appmem_init(&p->mem, p->devfd);
	t_rebuilt = cok_proxy_now_ns();
	if (write_pages(p, img)) {
		why = "a page of the image is outside the restored app's memory";
		ret = -1;
	}
	t_written = cok_proxy_now_ns();
	if (!ret && ioctl(p->devfd, COK_IOC_RESUME)) {
		why = strerror(errno);
		ret = -1;
	}
	if (!ret && p->verbose)
		dprintf(p->errfd, "cokctl: app %" PRIu32 " (was %" PRIu32 ") restored on core %" PRIu32 " (cpu %" PRIu32 ") in %.1f ms: %.1f MiB of pages in %zu extents (check %.1f ms, rebuild %.1f ms, pages %.1f ms)\n",
			r->app_id, img->meta.app_id, r->core_out, r->cpu_out,
			(cok_proxy_now_ns() - p->start_ns) / 1e6,
			img->stored_bytes / 1048576.0, img->nextents,
			(t_verified - p->start_ns) / 1e6,
			(t_rebuilt - t_verified) / 1e6,
			(t_written - t_rebuilt) / 1e6);
	if (ret) {
		dprintf(p->errfd, "cokctl: app %" PRIu32 ": %s\n", p->app_id,
			why);
		ioctl(p->devfd, COK_IOC_KILL);
		return COK_EXIT_SYSTEM;
	}
	return cok_proxy_run(p);
}

static int do_restore(struct cok_proxy *p, const struct cok_img *img,
		      const char *image, struct cok_ioc_restore *r)
{
	struct cok_restore_block *b;
	uint64_t strings_size = 0;
	char *strings;
	size_t size;
	int ret;

	b = build_block(img, &size);
	strings = join_strings(img, &strings_size);
	if (!b || !strings) {
		free(b);
		free(strings);
		dprintf(p->errfd, "cokctl: restore: out of memory\n");
		return COK_EXIT_SYSTEM;
	}
	r->block = (uintptr_t)b;
	r->block_size = size;
	r->strings = (uintptr_t)strings;
	r->strings_size = strings_size;
	r->argc = img->meta.argc;
	r->envc = img->meta.envc;
	r->private_fds[0] = p->devfd;
	r->private_fds[1] = p->errfd;
	ret = ioctl(p->devfd, COK_IOC_RESTORE, r) ? errno : 0;
	free(b);
	free(strings);
	if (ret)
		return restore_failed(p, image, r, ret);
	p->app_id = r->app_id;
	return serve(p, img, r);
}

int cok_cmd_restore(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "enclave", required_argument, NULL, 'e' },
		{ "core", required_argument, NULL, 'c' },
		{ "cores", required_argument, NULL, 'n' },
		{ "trace", no_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cok_proxy p = { .devfd = -1, .errfd = -1 };
	struct cok_ioc_restore r;
	struct reopen ro;
	uint32_t enclave = 0, ncores = 1;
	int32_t core = -1;
	struct cok_img img;
	const char *image;
	char why[320];
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":e:c:n:tvh", opts, NULL)) != -1) {
		switch (c) {
		case 'e':
		case 'c':
		case 'n':
			ret = cok_placement_option("restore", c, &enclave,
						   &core, &ncores);
			if (ret)
				return ret;
			break;
		case 't':
			p.trace = true;
			p.verbose = true;
			break;
		case 'v':
			p.verbose = true;
			break;
		case 'h':
			cok_print_manual(cok_find_verb("restore")->manual);
			return COK_EXIT_OK;
		default:
			return cok_option_error("restore", c, argv);
		}
	}
	if (optind == argc)
		return cok_usage_error("restore", "which image? (FILE)");
	if (argc - optind > 1)
		return cok_usage_error("restore", "unexpected argument '%s'",
				       argv[optind + 1]);
	image = argv[optind];

	p.start_ns = cok_proxy_now_ns();	/* restore time: from here */
	ret = cok_img_open(&img, image,
			   COK_IMG_SKIP_PAGE_SUMS, why,
			   sizeof(why));
	if (!ret) {
		ret = verify_pages(&img, why, sizeof(why));
		if (ret)
			cok_img_close(&img);
		t_verified = cok_proxy_now_ns();
	}
	if (ret) {
		fprintf(stderr, "cokctl: restore %s: %s\n", image,
			ret == -EBADMSG ? why : strerror(-ret));
		return ret == -EBADMSG ? COK_EXIT_BAD_IMAGE : COK_EXIT_SYSTEM;
	}
	ret = cok_proxy_open(&p, "restoring");
	ro = (struct reopen){ .image = image, .errfd = p.errfd,
			      .verbose = p.verbose };
	if (!ret && reopen_files(&img, &ro, &p))
		ret = COK_EXIT_REFUSED;
	if (!ret) {
		memset(&r, 0, sizeof(r));
		r.enclave = enclave;
		r.core = core;
		r.ncores = ncores;
		p.ncores = ncores;
		set_program(&p, &img);
		ret = do_restore(&p, &img, image, &r);
	}
	cok_img_close(&img);
	return ret;
}
