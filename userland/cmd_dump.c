// SPDX-License-Identifier: GPL-2.0
/*
 * cokctl dump APP -o FILE: write a frozen app to an image (xemem/image.h).
 *
 *  1. FREEZE over netlink, unless the app is frozen already.
 *  2. COK_IOC_SEG_MAKE: the co-kernel publishes the app's memory as a
 *     segment (runs of its frames) with its registers; SEG_GET fetches
 *     them, the app's argv/environment and its proxy's pid.
 *  3. The files: from the proxy's /proc entries (the app's descriptors
 *     are the proxy's own numbers), its working directory likewise.
 *     Each of fds 0-2 is recorded as what it is (a file, /dev/null,
 *     another character device, a terminal, pipe or socket); above 2,
 *     only regular files can be dumped.
 *  4. SEG_ATTACH and mmap: the app's pages, read-only, written to the
 *     image straight from the mapping; all-zero pages are skipped.
 *  5. The image is renamed into place; the segment is withdrawn; the
 *     app is thawed, left frozen or killed as asked.
 *
 * On any failure the temporary file is removed and the app is left
 * frozen (it can be thawed): nothing is lost.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "../xemem/cokdev.h"
#include "cokctl.h"
#include "image.h"
#include "xxh64.h"

/* Device numbers, as Linux's Documentation/admin-guide/devices.txt has them. */
#define DEVNULL_MAJOR		1
#define DEVNULL_MINOR		3
#define UNIX98_PTY_SLAVE_MAJOR	136
#define UNIX98_PTY_MAJOR_COUNT	8

enum after_dump { AFTER_AS_BEFORE, AFTER_RUN, AFTER_KILL };

struct dump_file {
	struct cok_img_file f;
	char path[PATH_MAX];
};

struct dump {
	uint32_t app;
	const char *out;
	bool json, verbose, progress;
	int devfd;
	uint32_t segid;
	struct cok_ioc_seg_get get;
	struct cok_frozen_app *state;
	struct cok_thread_rec *threads;	/* get.nthreads, the running first */
	struct cok_seg_run *runs;
	char *strings;
	const uint8_t *mem;
	uint64_t mem_len;
	struct cok_region *regions;
	uint32_t nregions;
	struct dump_file *files;
	size_t nfiles;
	char cwd[PATH_MAX];
	struct cok_img_writer w;
	/* Figures. */
	uint64_t freeze_ns, t_frozen, t_start, t_end;
	uint64_t t_segment, t_mapped, t_planned;	/* phase ends */
	uint64_t stored, zero_pages, last_progress;
	char why[480];		/* why the dump failed, for one line */
	bool gone;		/* the app went away during the dump */
	bool unsupported;	/* its state cannot go in an image now */
};

/* Keep the reason (run_dump() says it, in one line); returns status. */
__printf(3, 4)
static int fail(struct dump *d, int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->why, sizeof(d->why), fmt, ap);
	va_end(ap);
	return status;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* ---- the segment ------------------------------------------------------ */

static int make_segment(struct dump *d)
{
	struct cok_ioc_seg_make mk = { .app_id = d->app,
				       .perms = COK_SEG_READ };

	if (ioctl(d->devfd, COK_IOC_SEG_MAKE, &mk)) {
		int err = errno;

		mk.error[sizeof(mk.error) - 1] = '\0';
		d->gone = err == ESRCH;
		d->unsupported = err == EOPNOTSUPP || err == EBUSY;
		return fail(d, err == EPERM ? COK_EXIT_PERM :
			    err == ENOMEM || err == EFAULT ?
			    COK_EXIT_SYSTEM : COK_EXIT_REFUSED, "%s",
			    mk.error[0] ? mk.error : strerror(err));
	}
	d->segid = mk.segid;
	d->runs = calloc(mk.nruns ? mk.nruns : 1, sizeof(*d->runs));
	d->state = calloc(1, sizeof(*d->state));
	d->threads = calloc(COK_STATE_MAX_THREADS, sizeof(*d->threads));
	d->strings = calloc(1, mk.strings_size + 1);
	if (!d->runs || !d->state || !d->threads || !d->strings)
		return fail(d, COK_EXIT_SYSTEM, "out of memory");
	d->get = (struct cok_ioc_seg_get){
		.segid = mk.segid, .max_runs = mk.nruns,
		.runs = (uintptr_t)d->runs, .state = (uintptr_t)d->state,
		.strings = (uintptr_t)d->strings,
		.strings_max = mk.strings_size,
		.threads = (uintptr_t)d->threads,
		.max_threads = COK_STATE_MAX_THREADS,
	};
	if (ioctl(d->devfd, COK_IOC_SEG_GET, &d->get) ||
	    d->get.nruns != mk.nruns || !d->get.nthreads ||
	    d->get.nthreads > COK_STATE_MAX_THREADS)
		return fail(d, COK_EXIT_SYSTEM, "segment %" PRIu32 ": %s",
			    mk.segid, strerror(errno));
	return COK_EXIT_OK;
}

/* Regions: the runs merged where addresses follow and rights agree. */
static int build_regions(struct dump *d)
{
	uint32_t i;

	d->regions = calloc(d->get.nruns ? d->get.nruns : 1,
			    sizeof(*d->regions));
	if (!d->regions)
		return fail(d, COK_EXIT_SYSTEM, "out of memory");
	for (i = 0; i < d->get.nruns; i++) {
		const struct cok_seg_run *r = &d->runs[i];
		struct cok_region *last = d->nregions ?
					  &d->regions[d->nregions - 1] : NULL;

		if (last && last->va + last->len == r->va &&
		    last->prot == r->prot) {
			last->len += r->len;
			continue;
		}
		d->regions[d->nregions++] = (struct cok_region){
			.va = r->va, .len = r->len, .prot = r->prot };
	}
	return COK_EXIT_OK;
}

static int attach_segment(struct dump *d)
{
	struct cok_ioc_seg_attach a = { .segid = d->segid,
					.perms = COK_SEG_READ };

	if (ioctl(d->devfd, COK_IOC_SEG_ATTACH, &a)) {
		d->gone = errno == ENOENT;	/* killed or thawed since */
		return fail(d, d->gone ? COK_EXIT_REFUSED : COK_EXIT_SYSTEM,
			    "attach segment %" PRIu32 ": %s", d->segid,
			    d->gone ? "the app ended or was thawed meanwhile" :
			    strerror(errno));
	}
	d->mem_len = d->get.bytes;
	if (!d->mem_len)
		return COK_EXIT_OK;
	d->mem = mmap(NULL, d->mem_len, PROT_READ, MAP_SHARED, d->devfd, 0);
	if (d->mem == MAP_FAILED) {
		d->mem = NULL;
		return fail(d, COK_EXIT_SYSTEM, "map segment %" PRIu32 ": %s",
			    d->segid, strerror(errno));
	}
	return COK_EXIT_OK;
}

static void release_segment(struct dump *d)
{
	if (d->mem)
		munmap((void *)d->mem, d->mem_len);
	d->mem = NULL;
	if (d->devfd < 0)
		return;
	ioctl(d->devfd, COK_IOC_SEG_DETACH);
	if (d->segid)
		ioctl(d->devfd, COK_IOC_SEG_REMOVE, &d->segid);
	d->segid = 0;
}

/* ---- the proxy's files ------------------------------------------------ */

static bool private_fd(const struct dump *d, int fd)
{
	return fd == d->get.private_fds[0] || fd == d->get.private_fds[1];
}

/*
 * pos and flags from /proc/PID/fdinfo/FD, and the app the file serves
 * as a proxy's device file (COK_FDINFO_PROXY_OF, the module's line), or
 * 0.
 */
static int read_fdinfo(pid_t pid, int fd, uint64_t *pos, uint32_t *flags,
		       uint32_t *proxy_of)
{
	char path[64], line[256];
	unsigned long long v;
	unsigned int fl, app;
	int found = 0;
	FILE *f;

	*proxy_of = 0;
	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", pid, fd);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "pos: %llu", &v) == 1) {
			*pos = v;
			found |= 1;
		} else if (sscanf(line, "flags: %o", &fl) == 1) {
			*flags = fl;
			found |= 2;
		} else if (sscanf(line, COK_FDINFO_PROXY_OF " %u", &app) == 1) {
			*proxy_of = app;
		}
	}
	fclose(f);
	return found == 3 ? 0 : -EPROTO;
}

/*
 * A terminal: its device numbers are in a range of a tty driver, as
 * /proc/tty/drivers lists them ("name /dev/x MAJOR MINOR[-MINOR] type").
 * Without that file, the pseudo-terminal slaves' majors.
 */
static bool tty_device(dev_t rdev)
{
	unsigned int maj = major(rdev), min = minor(rdev), m, lo, hi;
	char line[256], name[64], path[64];
	bool tty = false;
	FILE *f;
	int n;

	f = fopen("/proc/tty/drivers", "re");
	if (!f)
		return maj >= UNIX98_PTY_SLAVE_MAJOR &&
		       maj < UNIX98_PTY_SLAVE_MAJOR + UNIX98_PTY_MAJOR_COUNT;
	while (!tty && fgets(line, sizeof(line), f)) {
		n = sscanf(line, "%63s %63s %u %u-%u", name, path, &m, &lo,
			   &hi);
		if (n == 4)
			hi = lo;
		tty = n >= 4 && m == maj && min >= lo && min <= hi;
	}
	fclose(f);
	return tty;
}

/* What fd is (enum cok_img_file_kind); 0 for what a restore cannot redo. */
static uint32_t file_kind(int fd, const struct stat *st)
{
	if (S_ISREG(st->st_mode))
		return COK_IMG_FILE_REGULAR;
	if (fd > 2)
		return 0;
	if (S_ISFIFO(st->st_mode))
		return COK_IMG_FILE_PIPE;
	if (S_ISSOCK(st->st_mode))
		return COK_IMG_FILE_SOCKET;
	if (!S_ISCHR(st->st_mode))
		return 0;
	if (st->st_rdev == makedev(DEVNULL_MAJOR, DEVNULL_MINOR))
		return COK_IMG_FILE_DEVNULL;
	return tty_device(st->st_rdev) ? COK_IMG_FILE_TTY :
	       COK_IMG_FILE_CHARDEV;
}

static int add_file(struct dump *d, pid_t pid, int fd)
{
	struct dump_file *df;
	uint32_t proxy_of;
	char link[64];
	struct stat st;
	ssize_t n;
	int err;

	df = realloc(d->files, (d->nfiles + 1) * sizeof(*d->files));
	if (!df)
		return -ENOMEM;
	d->files = df;
	df = &d->files[d->nfiles];
	memset(df, 0, sizeof(*df));
	snprintf(link, sizeof(link), "/proc/%d/fd/%d", pid, fd);
	n = readlink(link, df->path, sizeof(df->path) - 1);
	if (n < 0 || stat(link, &st))
		return errno == ENOENT ? 0 : -errno;	/* closed meanwhile */
	df->path[n] = '\0';
	err = read_fdinfo(pid, fd, &df->f.offset, &df->f.flags, &proxy_of);
	if (err)
		return err;
	/* One of the proxy's pool of servers for this app: not the app's. */
	if (proxy_of && proxy_of == d->app)
		return 0;
	df->f.fd = fd;
	df->f.path_len = (uint32_t)n;
	df->f.size = (uint64_t)st.st_size;
	df->f.kind = file_kind(fd, &st);
	if (!df->f.kind) {
		if (fd > 2)
			fail(d, COK_EXIT_REFUSED, "fd %d (%s) is not a regular file; only files can be reopened at restore",
			     fd, df->path);
		else
			fail(d, COK_EXIT_REFUSED, "fd %d (%s) is neither a file, a character device, a terminal, a pipe nor a socket; a restore could not give it back",
			     fd, df->path);
		return -EOPNOTSUPP;
	}
	d->nfiles++;
	return 0;
}

static int cmp_fd(const void *a, const void *b)
{
	const struct dump_file *x = a, *y = b;

	return (x->f.fd > y->f.fd) - (x->f.fd < y->f.fd);
}

static int collect_files(struct dump *d)
{
	pid_t pid = d->get.proxy_pid;
	char path[64];
	struct dirent *de;
	ssize_t n;
	DIR *dir;
	int err = 0;

	snprintf(path, sizeof(path), "/proc/%d/cwd", pid);
	n = readlink(path, d->cwd, sizeof(d->cwd) - 1);
	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	dir = pid > 0 && n >= 0 ? opendir(path) : NULL;
	if (!dir)
		return fail(d, COK_EXIT_SYSTEM, "cannot read its proxy's files (pid %d): %s",
			    pid, strerror(errno));
	d->cwd[n] = '\0';
	while (!err && (de = readdir(dir))) {
		char *end;
		long fd = strtol(de->d_name, &end, 10);

		if (*end || end == de->d_name || private_fd(d, (int)fd))
			continue;
		err = add_file(d, pid, (int)fd);
	}
	closedir(dir);
	if (err == -EOPNOTSUPP)
		return COK_EXIT_REFUSED;
	if (err)
		return fail(d, COK_EXIT_SYSTEM, "its proxy's files: %s",
			    strerror(-err));
	qsort(d->files, d->nfiles, sizeof(*d->files), cmp_fd);
	return COK_EXIT_OK;
}

/* ---- records ------------------------------------------------------------ */

static int write_meta(struct dump *d)
{
	struct cok_img_meta meta = {
		.argc = d->get.argc, .envc = d->get.envc, .app_id = d->app,
		.frozen_ns = d->t_frozen ? now_ns() - d->t_frozen : 0,
	};
	struct iovec iov[3] = {
		{ &meta, sizeof(meta) },
		{ d->strings, d->get.strings_size },
		{ d->cwd, strlen(d->cwd) + 1 },
	};

	return cok_img_add(&d->w, COK_IMG_META, 0, iov, 3);
}

static int write_files(struct dump *d)
{
	static const uint8_t zeros[8];
	struct iovec *iov;
	size_t i, n = 0;
	int err;

	iov = calloc(d->nfiles * 3 + 1, sizeof(*iov));
	if (!iov)
		return -ENOMEM;
	for (i = 0; i < d->nfiles; i++) {
		size_t len = d->files[i].f.path_len + 1;

		iov[n++] = (struct iovec){ &d->files[i].f,
					   sizeof(d->files[i].f) };
		iov[n++] = (struct iovec){ d->files[i].path, len };
		if (len % 8)
			iov[n++] = (struct iovec){ (void *)zeros, 8 - len % 8 };
	}
	err = cok_img_add(&d->w, COK_IMG_FILES, 0, iov, (int)n);
	free(iov);
	return err;
}

/* One THREAD record per thread (image version 2), the running first. */
static int write_threads(struct dump *d)
{
	uint32_t i;
	int err = 0;

	for (i = 0; !err && i < d->get.nthreads; i++) {
		struct cok_thread_rec *t = &d->threads[i];
		struct iovec iov[3] = {
			{ &t->st, sizeof(t->st) },
			{ &t->ids, sizeof(t->ids) },
			{ t->xstate, t->st.xstate_size },
		};

		err = cok_img_add(&d->w, COK_IMG_THREAD, 0, iov, 3);
	}
	return err;
}

static int write_mm(struct dump *d)
{
	struct cok_mm_state mm = d->state->mm;
	struct iovec iov[2] = {
		{ &mm, sizeof(mm) },
		{ d->regions, (size_t)d->nregions * sizeof(*d->regions) },
	};

	mm.nregions = d->nregions;
	return cok_img_add(&d->w, COK_IMG_MM, 0, iov, 2);
}

static bool zero_page(const uint8_t *p)
{
	const uint64_t *q = (const uint64_t *)p;
	size_t i;

	for (i = 0; i < COK_IMG_PAGE_SIZE / 8; i += 4)
		if (q[i] | q[i + 1] | q[i + 2] | q[i + 3])
			return false;
	return true;
}

static void progress(struct dump *d, uint64_t done, bool last)
{
	if (!d->progress || (!last && done - d->last_progress < (16ULL << 20)))
		return;
	d->last_progress = done;
	fprintf(stderr, "\rcokctl: dump: %" PRIu64 " MiB written%s",
		done >> 20, last ? "\n" : "");
}

/* An extent to write: at most COK_IMG_EXTENT_MAX bytes of non-zero pages. */
struct extent {
	uint64_t va;
	const uint8_t *p;
	uint64_t len;
	uint64_t sum;
};

struct extent_plan {
	struct extent *v;
	size_t n, cap;
};

static int plan_add(struct extent_plan *x, uint64_t va, const uint8_t *p,
		    uint64_t len)
{
	struct extent *v;

	if (!len)
		return 0;
	if (x->n == x->cap) {
		x->cap = x->cap ? 2 * x->cap : 256;
		v = realloc(x->v, x->cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		x->v = v;
	}
	x->v[x->n++] = (struct extent){ .va = va, .p = p, .len = len };
	return 0;
}

/*
 * The pages in address order; an extent ends at a zero page, at a gap
 * in addresses, at a region's end, or at COK_IMG_EXTENT_MAX.
 */
static int plan_extents(struct dump *d, struct extent_plan *x)
{
	uint64_t off = 0, ext_va = 0, ext_len = 0, reg_end = 0;
	const uint8_t *ext = NULL;
	uint32_t i, g = 0;
	int err = 0;

	for (i = 0; i < d->get.nruns && !err; i++) {
		const struct cok_seg_run *r = &d->runs[i];
		uint64_t p;

		while (g < d->nregions && r->va >= d->regions[g].va +
						     d->regions[g].len)
			g++;
		for (p = 0; p < r->len && !err; p += COK_IMG_PAGE_SIZE) {
			const uint8_t *page = d->mem + off + p;
			uint64_t va = r->va + p;
			bool join = ext_len && ext_va + ext_len == va &&
				    va < reg_end &&
				    ext_len < COK_IMG_EXTENT_MAX;

			if (zero_page(page)) {
				d->zero_pages++;
				err = plan_add(x, ext_va, ext, ext_len);
				ext_len = 0;
				continue;
			}
			if (!join) {
				err = plan_add(x, ext_va, ext, ext_len);
				ext = page;
				ext_va = va;
				ext_len = 0;
				reg_end = d->regions[g].va + d->regions[g].len;
			}
			ext_len += COK_IMG_PAGE_SIZE;
		}
		off += r->len;
	}
	return err ?: plan_add(x, ext_va, ext, ext_len);
}

/*
 * A second thread sums the extents ahead of the writer, so that hashing
 * and writing overlap: the dump takes about as long as the write alone.
 */
struct summer {
	struct extent_plan *x;
	pthread_mutex_t lock;
	pthread_cond_t more;
	size_t done;		/* extents summed */
	bool stop;
};

static void *sum_extents(void *arg)
{
	struct summer *s = arg;
	size_t i;

	for (i = 0; i < s->x->n; i++) {
		s->x->v[i].sum = cok_xxh64(s->x->v[i].p, s->x->v[i].len, 0);
		pthread_mutex_lock(&s->lock);
		s->done = i + 1;
		pthread_cond_signal(&s->more);
		if (s->stop)
			i = s->x->n;
		pthread_mutex_unlock(&s->lock);
	}
	return NULL;
}

static void wait_summed(struct summer *s, size_t i)
{
	pthread_mutex_lock(&s->lock);
	while (s->done <= i)
		pthread_cond_wait(&s->more, &s->lock);
	pthread_mutex_unlock(&s->lock);
}

static int write_extents(struct dump *d, struct extent_plan *x)
{
	struct summer s = { .x = x, .lock = PTHREAD_MUTEX_INITIALIZER,
			    .more = PTHREAD_COND_INITIALIZER };
	uint64_t done = 0;
	pthread_t t;
	bool threaded;
	size_t i;
	int err = 0;

	threaded = x->n > 1 && !pthread_create(&t, NULL, sum_extents, &s);
	for (i = 0; i < x->n && !err; i++) {
		if (threaded)
			wait_summed(&s, i);
		else
			x->v[i].sum = cok_xxh64(x->v[i].p, x->v[i].len, 0);
		err = cok_img_add_summed(&d->w, COK_IMG_PAGES, x->v[i].va,
					 x->v[i].p, x->v[i].len, x->v[i].sum);
		d->stored += x->v[i].len;
		done += x->v[i].len;
		progress(d, done, false);
	}
	if (threaded) {
		pthread_mutex_lock(&s.lock);
		s.stop = true;
		pthread_mutex_unlock(&s.lock);
		pthread_join(t, NULL);
	}
	progress(d, done, true);
	return err;
}

static int write_pages(struct dump *d)
{
	struct extent_plan x = { NULL, 0, 0 };
	int err = plan_extents(d, &x);

	d->t_planned = now_ns();
	if (!err)
		err = write_extents(d, &x);
	free(x.v);
	return err;
}

/* ---- signals ------------------------------------------------------------ */

/*
 * SIGINT, SIGTERM or SIGHUP while the image is written: the handler
 * removes the temporary file, then the signal ends cokctl as it would
 * have (SA_RESETHAND, raised again).  The app stays frozen, as after any
 * failed dump: our segment goes when the device is closed.
 */
static const int stop_sigs[] = { SIGINT, SIGTERM, SIGHUP };
static char sig_tmp[PATH_MAX];
static volatile sig_atomic_t sig_tmp_set;

static void on_stop(int sig)
{
	int saved = errno;

	if (sig_tmp_set)
		unlink(sig_tmp);
	raise(sig);	/* delivered, by default, once we return */
	errno = saved;
}

static void block_stop_signals(int how)
{
	sigset_t set;
	size_t i;

	sigemptyset(&set);
	for (i = 0; i < ARRAY_SIZE(stop_sigs); i++)
		sigaddset(&set, stop_sigs[i]);
	pthread_sigmask(how, &set, NULL);
}

static void catch_stop_signals(void)
{
	struct sigaction sa, old;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < ARRAY_SIZE(stop_sigs); i++)
		sigaddset(&sa.sa_mask, stop_sigs[i]);
	sa.sa_flags = SA_RESETHAND;
	for (i = 0; i < ARRAY_SIZE(stop_sigs); i++) {
		/* An ignored signal (nohup) stays ignored. */
		if (!sigaction(stop_sigs[i], NULL, &old) &&
		    old.sa_handler == SIG_IGN)
			continue;
		sigaction(stop_sigs[i], &sa, NULL);
	}
}

/*
 * cok_img_create(), with the temporary file's name known to the handler
 * before any of those signals can be taken.
 */
static int create_image(struct dump *d)
{
	int err;

	catch_stop_signals();
	block_stop_signals(SIG_BLOCK);
	err = cok_img_create(&d->w, d->out, realtime_ns(), 0);
	if (!err && d->w.tmp_path &&
	    strlen(d->w.tmp_path) < sizeof(sig_tmp)) {
		strcpy(sig_tmp, d->w.tmp_path);
		sig_tmp_set = 1;
	}
	block_stop_signals(SIG_UNBLOCK);
	return err;
}

static int write_image(struct dump *d)
{
	int err;

	err = create_image(d);
	if (!err)
		err = write_meta(d);
	if (!err)
		err = write_files(d);
	if (!err)
		err = write_threads(d);
	if (!err)
		err = write_mm(d);
	if (!err)
		err = write_pages(d);
	if (!err)
		err = cok_img_commit(&d->w);
	if (err) {
		if (d->progress)
			fputc('\n', stderr);
		/* The writer's reason, or ours (memory) when it has none. */
		fail(d, COK_EXIT_SYSTEM, "%s", d->w.err ?
		     cok_img_writer_error(&d->w) : strerror(-err));
		cok_img_abort(&d->w);
	}
	/* Renamed or removed: no name for the handler to remove. */
	sig_tmp_set = 0;
	return err ? COK_EXIT_SYSTEM : COK_EXIT_OK;
}

/* ---- the verb ------------------------------------------------------------ */

static void report(const struct dump *d, const char *after)
{
	double secs = (d->t_end - d->t_start) / 1e9;
	uint64_t size = d->w.off;
	double mib_s = secs > 0 ? (size / 1048576.0) / secs : 0;

	if (d->json) {
		printf("{\"app\":%" PRIu32 ",\"image\":", d->app);
		cok_json_string(stdout, d->out);
		printf(",\"bytes\":%" PRIu64 ",\"mapped_bytes\":%" PRIu64
		       ",\"stored_bytes\":%" PRIu64 ",\"zero_pages\":%" PRIu64
		       ",\"regions\":%" PRIu32 ",\"files\":%zu"
		       ",\"freeze_ns\":%" PRIu64 ",\"dump_ns\":%" PRIu64
		       ",\"mib_per_s\":%.1f,\"after\":\"%s\""
		       ",\"phases_ns\":{\"segment\":%" PRIu64 ",\"map\":%" PRIu64
		       ",\"scan\":%" PRIu64 ",\"write\":%" PRIu64 "}}\n",
		       size, d->mem_len, d->stored, d->zero_pages, d->nregions,
		       d->nfiles, d->freeze_ns, d->t_end - d->t_start, mib_s,
		       after, d->t_segment - d->t_start,
		       d->t_mapped - d->t_segment,
		       d->t_planned - d->t_mapped, d->t_end - d->t_planned);
		return;
	}
	if (!d->verbose)
		return;
	printf("app %" PRIu32 " dumped to %s: %.1f MiB in %.3f s (%.0f MiB/s); %" PRIu64
	       " MiB mapped, %" PRIu64 " zero pages skipped, %" PRIu32
	       " regions, %zu files; app %s\n",
	       d->app, d->out, size / 1048576.0, secs, mib_s,
	       d->mem_len >> 20, d->zero_pages, d->nregions, d->nfiles, after);
}

static void dump_free(struct dump *d)
{
	release_segment(d);
	if (d->devfd >= 0)
		close(d->devfd);
	free(d->runs);
	free(d->state);
	free(d->threads);
	free(d->strings);
	free(d->regions);
	free(d->files);
}

/* Freeze unless frozen; *froze says whether we did. */
static int freeze_app(struct cok_nl *nl, struct dump *d, bool *froze)
{
	if (!cok_freeze_request(nl, d->app, false, &d->freeze_ns, NULL)) {
		*froze = true;
		d->t_frozen = now_ns();
		return COK_EXIT_OK;
	}
	if (nl->status == COK_NL_REFUSED && nl->err == EALREADY) {
		*froze = false;
		return COK_EXIT_OK;
	}
	return cok_nl_failure(nl);
}

static int finish(struct cok_nl *nl, struct dump *d, enum after_dump after,
		  bool froze)
{
	uint64_t ns;

	if (after == AFTER_KILL) {
		int ret = cok_kill_app(nl, d->app, true);

		if (!ret)
			report(d, "killed");
		return ret;
	}
	if (after == AFTER_RUN || froze) {
		if (cok_freeze_request(nl, d->app, true, &ns, NULL))
			return cok_nl_failure(nl);
		report(d, "thawed");
		return COK_EXIT_OK;
	}
	report(d, "frozen");
	return COK_EXIT_OK;
}

static int run_dump(struct cok_nl *nl, struct dump *d, enum after_dump after)
{
	bool froze = false;
	uint64_t ns;
	int ret;

	d->t_start = now_ns();
	ret = freeze_app(nl, d, &froze);
	if (ret)
		return ret;
	ret = make_segment(d);
	if (!ret)
		ret = build_regions(d);
	if (!ret)
		ret = collect_files(d);
	d->t_segment = now_ns();
	if (!ret)
		ret = attach_segment(d);
	d->t_mapped = now_ns();
	if (!ret)
		ret = write_image(d);
	release_segment(d);
	d->t_end = now_ns();
	if (ret && d->gone) {
		fprintf(stderr, "cokctl: dump: app %" PRIu32 ": %s; no image written\n",
			d->app, d->why);
		return ret;
	}
	/* Nothing can be dumped: as it was, running if we froze it. */
	if (ret && d->unsupported && froze &&
	    !cok_freeze_request(nl, d->app, true, &ns, NULL)) {
		fprintf(stderr, "cokctl: dump: app %" PRIu32 ": %s; no image written, it runs on\n",
			d->app, d->why);
		return ret;
	}
	if (ret) {
		fprintf(stderr, "cokctl: dump: app %" PRIu32 ": %s; it is left frozen (`cokctl thaw %" PRIu32 "` lets it go on)\n",
			d->app, d->why, d->app);
		return ret;
	}
	return finish(nl, d, after, froze);
}

int cok_cmd_dump(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "leave-running", no_argument, NULL, 'r' },
		{ "kill", no_argument, NULL, 'k' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct dump d = { .devfd = -1 };
	enum after_dump after = AFTER_AS_BEFORE;
	struct cok_nl nl;
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:rkvjh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			d.out = optarg;
			break;
		case 'r':
		case 'k':
			if (after != AFTER_AS_BEFORE)
				return cok_usage_error("dump", "--leave-running and --kill exclude each other");
			after = c == 'r' ? AFTER_RUN : AFTER_KILL;
			break;
		case 'v':
			d.verbose = true;
			break;
		case 'j':
			d.json = true;
			break;
		case 'h':
			cok_print_manual(cok_find_verb("dump")->manual);
			return COK_EXIT_OK;
		default:
			return cok_option_error("dump", c, argv);
		}
	}
	if (optind == argc)
		return cok_usage_error("dump", "which app? (APP, as cokctl ps shows)");
	if (argc - optind > 1)
		return cok_usage_error("dump", "unexpected argument '%s'",
				       argv[optind + 1]);
	if (cok_parse_u32(argv[optind], &d.app) || !d.app)
		return cok_usage_error("dump", "invalid app id '%s' (a number >= 1)",
				       argv[optind]);
	if (!d.out)
		return cok_usage_error("dump", "where to? (-o FILE)");
	d.progress = !d.json && isatty(STDERR_FILENO);

	ret = cok_connect(&nl);
	if (ret)
		return ret;
	d.devfd = cok_open_device("dumping");
	if (d.devfd < 0) {
		cok_nl_close(&nl);
		return -d.devfd;
	}
	ret = run_dump(&nl, &d, after);
	dump_free(&d);
	cok_nl_close(&nl);
	return ret;
}
