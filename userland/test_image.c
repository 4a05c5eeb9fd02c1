// SPDX-License-Identifier: GPL-2.0
/*
 * Host test of the image format library (image.c, xxh64.c): XXH64
 * against known values and xxh64sum, a writer-reader round trip, and
 * the reader's refusals (every truncation, a flipped bit in every byte,
 * each crafted fault); the kinds of fds 0-2; the writer on a full file
 * system and with its directory sync failing.
 *
 *	test-image                       run the tests
 *	test-image --write-sample FILE   write the sample image, and exit
 *	test-image --write-seeds DIR     write fuzzer seeds to DIR, and exit
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "image.h"
#include "test_check.h"
#include "xxh64.h"
#include "../tests/fuzz/image_reseal.h"

#define PAGE		4096
#define MAX_RECS	32
#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

static char dir[256];		/* a temporary directory */

/* --- the sample app ------------------------------------------------------ */

static const char *const s_argv[] = { "./app", "one", "two words" };
static const char *const s_env[] = { "HOME=/root", "COK_TEST=1" };
static const char s_cwd[] = "/tmp/work";

struct sfile {
	int32_t fd;
	uint32_t kind, flags;
	uint64_t offset, size;
	const char *path;
};

/* An image as the first cokctl wrote it: fd 0 of kind stdio. */
static const struct sfile s_files[] = {
	{ 0, COK_IMG_FILE_STDIO, 02, 0, 0, "/dev/pts/0" },
	{ 3, COK_IMG_FILE_REGULAR, 01 | 02000, 4096, 8192, "/tmp/out.txt" },
	{ 7, COK_IMG_FILE_REGULAR, 0, 17, 100, "/a/b/cd" },
};

static const struct cok_region s_regions[] = {
	{ 0x400000, 0x3000, COK_PROT_READ | COK_PROT_EXEC, 0 },
	{ 0x500000, 0x22000, COK_PROT_READ | COK_PROT_WRITE, 0 },
	{ 0x7ffffffde000, 0x21000, COK_PROT_READ | COK_PROT_WRITE, 0 },
};

static const struct {
	uint64_t addr, size;
	uint32_t region;
} s_ext[] = {
	{ 0x400000, 2 * PAGE, 0 },
	{ 0x500000, PAGE, 1 },
	{ 0x502000, PAGE, 1 },
	{ 0x7fffffffe000, PAGE, 2 },
};

static struct cok_thread_state s_thread;
static struct cok_thread_ids s_ids = { .tid = 42, .clear_child_tid = 0x4c7390 };
static uint8_t s_xstate[COK_XSTATE_MAX];
static struct cok_mm_state s_mm;
static uint8_t s_pages[5 * PAGE];	/* the extents' data, in order */

/* One record to write. */
struct rec {
	uint32_t type;
	uint64_t addr;
	uint8_t *p;
	size_t n;
};

struct spec {
	struct rec r[MAX_RECS];
	int n;
};

static void *xmalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);

	if (!p) {
		printf("FAIL image/setup: out of memory\n");
		exit(1);
	}
	return p;
}

static void add_rec(struct spec *s, uint32_t type, uint64_t addr, void *p,
		    size_t n)
{
	s->r[s->n++] = (struct rec){ type, addr, p, n };
}

static void *meta_payload(size_t *n)
{
	struct cok_img_meta m = {
		.argc = 3, .envc = 2, .app_id = 42, .frozen_ns = 123456,
	};
	size_t i, at = sizeof(m);
	uint8_t *p = xmalloc(512);

	memcpy(p, &m, sizeof(m));
	for (i = 0; i < 3; i++) {
		strcpy((char *)p + at, s_argv[i]);
		at += strlen(s_argv[i]) + 1;
	}
	for (i = 0; i < 2; i++) {
		strcpy((char *)p + at, s_env[i]);
		at += strlen(s_env[i]) + 1;
	}
	strcpy((char *)p + at, s_cwd);
	*n = at + sizeof(s_cwd);
	return p;
}

static void *files_payload_of(const struct sfile *sf, size_t nf, size_t *n)
{
	uint8_t *p = xmalloc(1024);
	size_t i, at = 0;

	for (i = 0; i < nf; i++) {
		struct cok_img_file f = {
			.fd = sf[i].fd, .kind = sf[i].kind,
			.flags = sf[i].flags,
			.path_len = (uint32_t)strlen(sf[i].path),
			.offset = sf[i].offset, .size = sf[i].size,
		};

		memcpy(p + at, &f, sizeof(f));
		memcpy(p + at + sizeof(f), sf[i].path, f.path_len);
		at += sizeof(f) + ((f.path_len + 1 + 7) & ~7U);
	}
	*n = at;
	return p;
}

static void *files_payload(size_t *n)
{
	return files_payload_of(s_files, ARRAY_LEN(s_files), n);
}

/* A version 2 THREAD record's payload: state, ids, FPU bytes. */
static void *thread_payload_tid(uint32_t tid, size_t *n)
{
	struct cok_thread_ids ids = s_ids;
	uint8_t *p = xmalloc(sizeof(s_thread) + sizeof(ids) +
			     s_thread.xstate_size);

	ids.tid = tid;
	memcpy(p, &s_thread, sizeof(s_thread));
	memcpy(p + sizeof(s_thread), &ids, sizeof(ids));
	memcpy(p + sizeof(s_thread) + sizeof(ids), s_xstate,
	       s_thread.xstate_size);
	*n = sizeof(s_thread) + sizeof(ids) + s_thread.xstate_size;
	return p;
}

static void *thread_payload(size_t *n)
{
	return thread_payload_tid(s_ids.tid, n);
}

static void *mm_payload(const struct cok_region *r, uint32_t nr, size_t *n)
{
	struct cok_mm_state mm = s_mm;
	uint8_t *p = xmalloc(sizeof(mm) + nr * sizeof(*r));

	mm.nregions = nr;
	memcpy(p, &mm, sizeof(mm));
	memcpy(p + sizeof(mm), r, nr * sizeof(*r));
	*n = sizeof(mm) + nr * sizeof(*r);
	return p;
}

static void sample_init(void)
{
	size_t i;

	s_thread.regs.rip = 0x401136;
	s_thread.regs.rsp = 0x7fffffffe5a0;
	s_thread.regs.rflags = 0x246;
	s_thread.regs.fs_base = 0x4c7380;
	s_thread.regs.rax = 0x1122334455667788ULL;
	s_thread.regs.r15 = 15;
	s_thread.xcr0 = 0;
	s_thread.xstate_size = COK_FXSAVE_SIZE;
	for (i = 0; i < sizeof(s_xstate); i++)
		s_xstate[i] = (uint8_t)(i * 13 + 1);
	s_mm.brk_start = 0x500000;
	s_mm.brk = 0x522000;
	s_mm.mmap_next = 0x7f0000000000;
	s_mm.rng = 0xdeadbeef;
	s_mm.monotonic_ns = 987654321;
	for (i = 0; i < sizeof(s_pages); i++)
		s_pages[i] = (uint8_t)(i * 7 + i / PAGE + 1);
}

/* The sample's records; the caller may change them before writing. */
static void sample_spec(struct spec *s)
{
	size_t n, i, off = 0;
	void *p;

	s->n = 0;
	p = meta_payload(&n);
	add_rec(s, COK_IMG_META, 0, p, n);
	p = files_payload(&n);
	add_rec(s, COK_IMG_FILES, 0, p, n);
	p = thread_payload(&n);
	add_rec(s, COK_IMG_THREAD, 0, p, n);
	p = mm_payload(s_regions, ARRAY_LEN(s_regions), &n);
	add_rec(s, COK_IMG_MM, 0, p, n);
	for (i = 0; i < ARRAY_LEN(s_ext); i++) {
		p = xmalloc(s_ext[i].size);
		memcpy(p, s_pages + off, s_ext[i].size);
		add_rec(s, COK_IMG_PAGES, s_ext[i].addr, p, s_ext[i].size);
		off += s_ext[i].size;
	}
}

static void spec_free(struct spec *s)
{
	int i;

	for (i = 0; i < s->n; i++)
		free(s->r[i].p);
	s->n = 0;
}

#define CREATED_NS	1700000000123456789ULL

/* Writes s to path; a payload of 2+ pages goes as two pieces. */
static int spec_write(const struct spec *s, const char *path, char *why,
		      size_t whylen)
{
	struct cok_img_writer w;
	struct iovec v[2];
	int i, ret, k;

	ret = cok_img_create(&w, path, CREATED_NS, 0);
	for (i = 0; i < s->n && !ret; i++) {
		k = 1;
		v[0].iov_base = s->r[i].p;
		v[0].iov_len = s->r[i].n;
		if (s->r[i].n >= 2 * PAGE) {
			v[0].iov_len = PAGE;
			v[1].iov_base = s->r[i].p + PAGE;
			v[1].iov_len = s->r[i].n - PAGE;
			k = 2;
		}
		ret = cok_img_add(&w, s->r[i].type, s->r[i].addr, v, k);
	}
	if (!ret)
		ret = cok_img_commit(&w);
	if (ret) {
		snprintf(why, whylen, "%s", cok_img_writer_error(&w));
		cok_img_abort(&w);
	}
	return ret;
}

static uint8_t *read_all(const char *path, uint64_t *len)
{
	struct stat st;
	uint8_t *p;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st)) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	p = xmalloc((size_t)st.st_size);
	if (read(fd, p, (size_t)st.st_size) != st.st_size) {
		free(p);
		p = NULL;
	}
	close(fd);
	*len = (uint64_t)st.st_size;
	return p;
}

/* The bytes of the image s describes (via a file in dir). */
static uint8_t *spec_bytes(const struct spec *s, uint64_t *len)
{
	char path[512], why[400];

	snprintf(path, sizeof(path), "%s/spec.img", dir);
	if (spec_write(s, path, why, sizeof(why))) {
		printf("FAIL image/setup: cannot write %s: %s\n", path, why);
		exit(1);
	}
	return read_all(path, len);
}

/* Parses an exactly sized copy (ASan sees any read past the end). */
static int try_parse(const uint8_t *buf, uint64_t len, unsigned int flags,
		     char *why, size_t whylen)
{
	uint8_t *copy = xmalloc((size_t)len);
	struct cok_img img;
	int ret;

	if (len)
		memcpy(copy, buf, (size_t)len);
	ret = cok_img_parse(&img, len ? copy : NULL, len, flags, why, whylen);
	cok_img_close(&img);
	free(copy);
	return ret;
}

static bool one_line(const char *why)
{
	return why[0] && !strchr(why, '\n');
}

/* --- XXH64 --------------------------------------------------------------- */

static void test_xxh64_vectors(void)
{
	t_begin("xxh64/known-values");
	T_CHECK(cok_xxh64("", 0, 0) == 0xEF46DB3751D8E999ULL, "XXH64(\"\")");
	T_CHECK(cok_xxh64("a", 1, 0) == 0xD24EC4F1A98C6E5BULL, "XXH64(\"a\")");
	T_CHECK(cok_xxh64("abc", 3, 0) == 0x44BC2CF5AD770999ULL,
		"XXH64(\"abc\")");
	t_end();
}

/* Any split of the input into updates gives the one-shot value. */
static void test_xxh64_streaming(void)
{
	static uint8_t buf[100003];
	struct cok_xxh64 s;
	size_t n, off, k;
	uint64_t seed;

	t_begin("xxh64/streaming-equals-one-shot");
	srand(1);
	for (n = 0; n < sizeof(buf); n++)
		buf[n] = (uint8_t)rand();
	for (n = 0; n <= 300 || n == sizeof(buf); n = n < 300 ? n + 1 :
	     sizeof(buf)) {
		seed = n * 0x9e3779b97f4a7c15ULL;
		cok_xxh64_init(&s, seed);
		for (off = 0; off < n; off += k) {
			k = (size_t)rand() % 70;
			if (k > n - off)
				k = n - off;
			cok_xxh64_update(&s, buf + off, k);
		}
		T_CHECK(cok_xxh64_digest(&s) == cok_xxh64(buf, n, seed),
			"streaming differs at length %zu", n);
		if (n == sizeof(buf))
			break;
	}
	t_end();
}

/* xxh64sum (Debian's xxhash) on a random file, when installed. */
static void test_xxh64sum(void)
{
	static uint8_t buf[1000003];
	char path[512], cmd[640], line[256];
	unsigned long long want;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/random.bin", dir);
	for (n = 0; n < sizeof(buf); n++)
		buf[n] = (uint8_t)rand();
	f = fopen(path, "w");
	if (!f || fwrite(buf, 1, sizeof(buf), f) != sizeof(buf) || fclose(f)) {
		printf("FAIL xxh64/xxh64sum: cannot write %s\n", path);
		t_failed++;
		return;
	}
	snprintf(cmd, sizeof(cmd), "xxh64sum '%s' 2>/dev/null", path);
	f = popen(cmd, "r");
	if (!f || !fgets(line, sizeof(line), f) ||
	    sscanf(line, "%16llx", &want) != 1) {
		if (f)
			pclose(f);
		printf("SKIP xxh64/xxh64sum: xxh64sum not installed (apt-get install xxhash)\n");
		unlink(path);
		return;
	}
	pclose(f);
	t_begin("xxh64/xxh64sum: a random file of 1000003 bytes");
	T_CHECK(cok_xxh64(buf, sizeof(buf), 0) == want,
		"0x%016" PRIx64 ", xxh64sum says 0x%016llx",
		cok_xxh64(buf, sizeof(buf), 0), want);
	t_end();
	unlink(path);
}

/* --- round trip ---------------------------------------------------------- */

static void check_meta(const struct cok_img *img)
{
	size_t i;

	T_EQ(img->meta.argc, 3);
	T_EQ(img->meta.envc, 2);
	T_EQ(img->meta.app_id, 42);
	T_EQ(img->meta.frozen_ns, 123456);
	for (i = 0; i < 3 && img->argv; i++)
		T_CHECK(!strcmp(img->argv[i], s_argv[i]), "argv[%zu] '%s'", i,
			img->argv[i]);
	T_CHECK(img->argv && !img->argv[3], "argv not NULL-ended");
	for (i = 0; i < 2 && img->envp; i++)
		T_CHECK(!strcmp(img->envp[i], s_env[i]), "envp[%zu] '%s'", i,
			img->envp[i]);
	T_CHECK(img->envp && !img->envp[2], "envp not NULL-ended");
	T_CHECK(img->cwd && !strcmp(img->cwd, s_cwd), "cwd");
}

static void check_files(const struct cok_img *img)
{
	size_t i;

	T_EQ(img->nfiles, ARRAY_LEN(s_files));
	for (i = 0; i < img->nfiles && i < ARRAY_LEN(s_files); i++) {
		const struct cok_img_file *f = img->files[i].file;

		T_EQ(f->fd, s_files[i].fd);
		T_EQ(f->kind, s_files[i].kind);
		T_EQ(f->flags, s_files[i].flags);
		T_EQ(f->offset, s_files[i].offset);
		T_EQ(f->size, s_files[i].size);
		T_EQ(f->path_len, strlen(s_files[i].path));
		T_CHECK(!strcmp(img->files[i].path, s_files[i].path),
			"file %zu path '%s'", i, img->files[i].path);
	}
}

static void check_state(const struct cok_img *img)
{
	T_CHECK(img->thread && !memcmp(img->thread, &s_thread,
				       sizeof(s_thread)), "thread state");
	T_CHECK(img->xstate && !memcmp(img->xstate, s_xstate,
				       s_thread.xstate_size), "xstate");
	T_EQ(img->nthreads, 1);
	T_EQ(img->threads[0].ids.tid, s_ids.tid);
	T_EQ(img->threads[0].ids.clear_child_tid, s_ids.clear_child_tid);
	T_CHECK(img->mm && !memcmp(img->mm, &s_mm, offsetof(struct cok_mm_state,
							     nregions)),
		"mm state");
	T_EQ(img->mm->nregions, ARRAY_LEN(s_regions));
	T_CHECK(!memcmp(img->regions, s_regions, sizeof(s_regions)),
		"regions");
	T_EQ(img->mapped_bytes, 0x3000 + 0x22000 + 0x21000);
}

static void check_extents(const struct cok_img *img)
{
	size_t i, off = 0;

	T_EQ(img->nextents, ARRAY_LEN(s_ext));
	for (i = 0; i < img->nextents && i < ARRAY_LEN(s_ext); i++) {
		T_EQ(img->extents[i].addr, s_ext[i].addr);
		T_EQ(img->extents[i].size, s_ext[i].size);
		T_EQ(img->extents[i].region, s_ext[i].region);
		T_CHECK(!memcmp(img->extents[i].data, s_pages + off,
				s_ext[i].size), "extent %zu data", i);
		off += s_ext[i].size;
	}
	T_EQ(img->stored_bytes, sizeof(s_pages));
}

/* file_sum, from its definition: header, then every record header. */
static uint64_t file_sum_of(const uint8_t *buf, uint64_t len)
{
	struct cok_img_record r;
	struct cok_xxh64 s;
	uint64_t off;

	cok_xxh64_init(&s, 0);
	cok_xxh64_update(&s, buf, sizeof(struct cok_img_header));
	for (off = sizeof(struct cok_img_header); off < len - 32;
	     off += sizeof(r) + ((r.size + 7) & ~7ULL)) {
		memcpy(&r, buf + off, sizeof(r));
		cok_xxh64_update(&s, &r, sizeof(r));
	}
	return cok_xxh64_digest(&s);
}

static void test_round_trip(void)
{
	char path[512], why[400];
	struct cok_img_trailer t;
	struct stat st = { 0 };
	struct cok_img img;
	struct spec s;
	uint64_t len = 0;
	uint8_t *buf;
	int ret;

	t_begin("image/round-trip: writer, cok_img_open, field by field");
	sample_spec(&s);
	snprintf(path, sizeof(path), "%s/sample.img", dir);
	ret = spec_write(&s, path, why, sizeof(why));
	spec_free(&s);
	T_CHECK(!ret, "writing: %s", why);
	T_CHECK(!stat(path, &st) && (st.st_mode & 0777) == 0600,
		"mode %o, not 0600", st.st_mode & 0777);
	ret = cok_img_open(&img, path, 0, why, sizeof(why));
	T_CHECK(!ret, "refused: %s", why);
	if (!ret) {
		T_EQ(img.header.version, COK_IMG_VERSION);
		T_EQ(img.header.arch, COK_IMG_ARCH_X86_64);
		T_EQ(img.header.page_size, PAGE);
		T_EQ(img.header.nrecords, 8);
		T_EQ(img.header.file_size, st.st_size);
		T_EQ(img.header.created_ns, CREATED_NS);
		T_CHECK(img.page_sums_checked, "page sums not checked");
		check_meta(&img);
		check_files(&img);
		check_state(&img);
		check_extents(&img);
		cok_img_close(&img);
	}
	buf = read_all(path, &len);
	T_CHECK(buf && len > 96, "cannot read it back");
	if (buf && len > 96) {
		memcpy(&t, buf + len - sizeof(t), sizeof(t));
		T_CHECK(t.file_sum == file_sum_of(buf, len),
			"file_sum is not XXH64(header, record headers)");
	}
	free(buf);
	t_end();
}

/* Only the final file is left in dir; returns how many entries. */
static int dir_entries(const char *d, char *first, size_t len)
{
	struct dirent *e;
	DIR *dp = opendir(d);
	int n = 0;

	if (!dp)
		return -1;
	first[0] = '\0';
	while ((e = readdir(dp))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (!n++)
			snprintf(first, len, "%s", e->d_name);
	}
	closedir(dp);
	return n;
}

static void test_writer_files(void)
{
	char sub[300], path[600], why[400], name[256];
	struct cok_img_writer w;
	struct cok_img img;
	struct spec s;
	int ret;

	t_begin("image/writer-temporary-files: commit leaves FILE alone, abort nothing, NOREPLACE refuses");
	snprintf(sub, sizeof(sub), "%s/w", dir);
	mkdir(sub, 0700);
	snprintf(path, sizeof(path), "%s/ckpt.img", sub);
	sample_spec(&s);
	ret = spec_write(&s, path, why, sizeof(why));
	T_CHECK(!ret, "writing: %s", why);
	T_EQ(dir_entries(sub, name, sizeof(name)), 1);
	T_CHECK(!strcmp(name, "ckpt.img"), "'%s' left", name);

	/* Aborted half-way: no file, and the old image is untouched. */
	T_EQ(cok_img_create(&w, path, 0, 0), 0);
	T_EQ(cok_img_add(&w, s.r[0].type, 0, &(struct iovec){ s.r[0].p,
							     s.r[0].n }, 1), 0);
	T_EQ(dir_entries(sub, name, sizeof(name)), 2);
	cok_img_abort(&w);
	T_EQ(dir_entries(sub, name, sizeof(name)), 1);

	T_EQ(cok_img_create(&w, path, 0, COK_IMG_NOREPLACE), 0);
	T_EQ(cok_img_commit(&w), -EEXIST);
	T_CHECK(strstr(cok_img_writer_error(&w), "File exists"),
		"NOREPLACE: '%s'", cok_img_writer_error(&w));
	cok_img_abort(&w);
	T_EQ(dir_entries(sub, name, sizeof(name)), 1);
	T_EQ(cok_img_open(&img, path, 0, why, sizeof(why)), 0);
	cok_img_close(&img);

	T_CHECK(cok_img_create(&w, "/nonexistent-dir/x.img", 0, 0) == -ENOENT,
		"a missing directory");
	T_CHECK(strstr(cok_img_writer_error(&w), "/nonexistent-dir"),
		"'%s'", cok_img_writer_error(&w));
	cok_img_abort(&w);
	unlink(path);
	rmdir(sub);
	spec_free(&s);
	t_end();
}

/* Every kind fds 0-2 may have in a new image, and a file above them. */
static const struct sfile k_files[] = {
	{ 0, COK_IMG_FILE_REGULAR, 0100000, 1234, 20 << 20, "/tmp/in.txt" },
	{ 1, COK_IMG_FILE_PIPE, 01, 0, 0, "pipe:[4321]" },
	{ 2, COK_IMG_FILE_DEVNULL, 01, 0, 0, "/dev/null" },
	{ 3, COK_IMG_FILE_REGULAR, 01 | 02000, 4096, 8192, "/tmp/out.txt" },
};

/* The sample with its FILES record replaced by nf entries of sf. */
static void files_spec(struct spec *s, const struct sfile *sf, size_t nf)
{
	sample_spec(s);
	free(s->r[1].p);
	s->r[1].p = files_payload_of(sf, nf, &s->r[1].n);
}

/* Parses the sample with files sf: 0, or the refusal in why. */
static int files_parse(const struct sfile *sf, size_t nf, struct cok_img *img,
		       char *why, size_t whylen)
{
	static uint8_t *buf;	/* kept for img until the next call */
	uint64_t len = 0;
	struct spec s;

	free(buf);
	files_spec(&s, sf, nf);
	buf = spec_bytes(&s, &len);
	spec_free(&s);
	return cok_img_parse(img, buf, len, 0, why, whylen);
}

static void test_file_kinds(void)
{
	static const struct sfile others[] = {
		{ 0, COK_IMG_FILE_TTY, 02, 0, 0, "/dev/pts/3" },
		{ 1, COK_IMG_FILE_SOCKET, 02, 0, 0, "socket:[77]" },
		{ 2, COK_IMG_FILE_CHARDEV, 0, 0, 0, "/dev/zero" },
	};
	struct cok_img img;
	char why[400];
	size_t i;
	int ret;

	t_begin("image/file-kinds: a file, pipe and /dev/null on fds 0-2 read back");
	ret = files_parse(k_files, ARRAY_LEN(k_files), &img, why, sizeof(why));
	T_CHECK(!ret, "refused: %s", why);
	T_EQ(img.nfiles, ARRAY_LEN(k_files));
	for (i = 0; !ret && i < img.nfiles; i++) {
		T_EQ(img.files[i].file->fd, k_files[i].fd);
		T_EQ(img.files[i].file->kind, k_files[i].kind);
		T_EQ(img.files[i].file->offset, k_files[i].offset);
		T_CHECK(!strcmp(img.files[i].path, k_files[i].path), "path %zu",
			i);
	}
	if (!ret)
		cok_img_close(&img);
	ret = files_parse(others, ARRAY_LEN(others), &img, why, sizeof(why));
	T_CHECK(!ret, "tty, socket, chardev refused: %s", why);
	if (!ret)
		cok_img_close(&img);
	T_CHECK(!strcmp(cok_img_file_kind_name(COK_IMG_FILE_TTY), "tty") &&
		!strcmp(cok_img_file_kind_name(COK_IMG_FILE_DEVNULL), "null") &&
		!strcmp(cok_img_file_kind_name(99), "unknown"), "kind names");
	/* What a restore reopens, and what it gives the caller's fd. */
	T_CHECK(cok_img_file_reopened(COK_IMG_FILE_REGULAR) &&
		cok_img_file_reopened(COK_IMG_FILE_DEVNULL) &&
		cok_img_file_reopened(COK_IMG_FILE_CHARDEV) &&
		!cok_img_file_reopened(COK_IMG_FILE_STDIO) &&
		!cok_img_file_reopened(COK_IMG_FILE_TTY) &&
		!cok_img_file_reopened(COK_IMG_FILE_PIPE) &&
		!cok_img_file_reopened(COK_IMG_FILE_SOCKET), "reopened kinds");
	t_end();

	t_begin("image/file-kinds-refused: tty above fd 2, /dev/null without a path, kind 8");
	{
		struct sfile bad[] = { { 4, COK_IMG_FILE_TTY, 02, 0, 0, "/dev/pts/1" } };

		ret = files_parse(bad, 1, &img, why, sizeof(why));
		T_CHECK(ret == -EBADMSG && one_line(why) &&
			strstr(why, "fd 4 is not 0-2 but of kind tty"), "'%s'", why);
		bad[0] = (struct sfile){ 1, COK_IMG_FILE_DEVNULL, 01, 0, 0, "" };
		ret = files_parse(bad, 1, &img, why, sizeof(why));
		T_CHECK(ret == -EBADMSG &&
			strstr(why, "a file of kind null without a path"), "'%s'", why);
		bad[0] = (struct sfile){ 1, COK_IMG_FILE_KIND_MAX + 1, 01, 0, 0, "x" };
		ret = files_parse(bad, 1, &img, why, sizeof(why));
		T_CHECK(ret == -EBADMSG && strstr(why, "kind 8 is not valid"),
			"'%s'", why);
	}
	files_parse(NULL, 0, &img, why, sizeof(why));	/* frees the buffer */
	cok_img_close(&img);
	t_end();
}

static int fsync_fails(int fd)
{
	(void)fd;
	errno = EIO;
	return -1;
}

/*
 * The writer's directory sync made to fail (its hook; no file system
 * here fails an fsync): the renamed image stays, complete; the old one
 * was replaced by it.  What is not tested: a real EIO from a disk.
 */
static void test_dir_sync_failure(void)
{
	char sub[300], path[600], why[400], name[256];
	struct cok_img_writer w;
	struct cok_img img;
	struct spec s;
	int i, ret;

	t_begin("image/dir-sync-failure: reported, the renamed image kept");
	snprintf(sub, sizeof(sub), "%s/sync", dir);
	mkdir(sub, 0700);
	snprintf(path, sizeof(path), "%s/ckpt.img", sub);
	sample_spec(&s);
	ret = spec_write(&s, path, why, sizeof(why));
	T_CHECK(!ret, "the first image: %s", why);

	T_EQ(cok_img_create(&w, path, CREATED_NS + 1, 0), 0);
	w.sync_dir = fsync_fails;
	for (i = 0; i < s.n; i++)
		T_EQ(cok_img_add_buf(&w, s.r[i].type, s.r[i].addr, s.r[i].p,
				     s.r[i].n), 0);
	T_EQ(cok_img_commit(&w), -EIO);
	T_CHECK(strstr(cok_img_writer_error(&w), "syncing directory") &&
		strstr(cok_img_writer_error(&w), "Input/output error") &&
		strstr(cok_img_writer_error(&w), "is complete and in place") &&
		one_line(cok_img_writer_error(&w)),
		"'%s'", cok_img_writer_error(&w));
	cok_img_abort(&w);
	T_EQ(dir_entries(sub, name, sizeof(name)), 1);
	T_CHECK(!strcmp(name, "ckpt.img"), "'%s' left", name);
	ret = cok_img_open(&img, path, 0, why, sizeof(why));
	T_CHECK(!ret, "the kept image: %s", why);
	if (!ret) {
		T_EQ(img.header.created_ns, CREATED_NS + 1);	/* the new one */
		cok_img_close(&img);
	}
	unlink(path);
	rmdir(sub);
	spec_free(&s);
	t_end();
}

/* --- refusals ------------------------------------------------------------ */

static uint8_t *sample_bytes(uint64_t *len)
{
	struct spec s;
	uint8_t *buf;

	sample_spec(&s);
	buf = spec_bytes(&s, len);
	spec_free(&s);
	return buf;
}

static void test_truncations(void)
{
	uint64_t len = 0, n;
	uint8_t *buf = sample_bytes(&len);
	char why[400];
	int ret;

	static char name[128];

	snprintf(name, sizeof(name), "image/truncated-at-every-byte: %" PRIu64 " prefixes refused as truncated",
		 len);
	t_begin(name);
	for (n = 0; n < len && buf; n++) {
		ret = try_parse(buf, n, 0, why, sizeof(why));
		T_CHECK(ret == -EBADMSG && one_line(why) &&
			strstr(why, n ? "truncated" : "empty"),
			"prefix of %" PRIu64 " bytes: %d '%s'", n, ret, why);
		if (t_why[0])
			break;
	}
	T_EQ(try_parse(buf, len, 0, why, sizeof(why)), 0);
	free(buf);
	t_end();
}

/* Marks the bytes of the PAGES payloads of a valid image. */
static uint8_t *page_data_map(const uint8_t *buf, uint64_t len)
{
	uint8_t *map = xmalloc((size_t)len);
	struct cok_img_record r;
	uint64_t off;

	for (off = 64; off < len - 32; off += 32 + ((r.size + 7) & ~7ULL)) {
		memcpy(&r, buf + off, sizeof(r));
		if (r.type == COK_IMG_PAGES)
			memset(map + off + 32, 1, (size_t)r.size);
	}
	return map;
}

/*
 * A flipped bit anywhere is refused.  Outside the page data every bit
 * is tried; in it, one per byte (bit i % 8).  Skipping page sums, only
 * flips in the page data may pass.
 */
static void test_bit_flips(void)
{
	uint64_t len = 0, i, flips = 0;
	uint8_t *buf = sample_bytes(&len), *pages = page_data_map(buf, len);
	static char name[160];
	char why[400];
	int ret, bit;

	for (i = 0; i < len; i++)
		flips += pages[i] ? 1 : 8;
	snprintf(name, sizeof(name), "image/bit-flip-everywhere: %" PRIu64 " flips in %" PRIu64 " bytes refused, with and without page sums",
		 flips, len);
	t_begin(name);
	for (i = 0; i < len && !t_why[0]; i++) {
		for (bit = 0; bit < 8 && !t_why[0]; bit++) {
			if (pages[i] && bit != (int)(i % 8))
				continue;
			buf[i] ^= (uint8_t)(1 << bit);
			ret = try_parse(buf, len, 0, why, sizeof(why));
			T_CHECK(ret == -EBADMSG && one_line(why),
				"bit %d of byte %" PRIu64 " flipped: %d '%s'",
				bit, i, ret, why);
			ret = try_parse(buf, len, COK_IMG_SKIP_PAGE_SUMS, why,
					sizeof(why));
			T_CHECK((ret == 0) == pages[i],
				"bit %d of byte %" PRIu64 " flipped, without page sums: %d '%s'",
				bit, i, ret, why);
			buf[i] ^= (uint8_t)(1 << bit);
		}
	}
	free(pages);
	free(buf);
	t_end();
}

static void insert_thread(struct spec *s, uint32_t tid);

/*
 * Version 2: three threads read back in order with their ids; version 1
 * (one THREAD record without ids, header version 1) still reads, as one
 * thread of tid 0.
 */
static void test_threads(void)
{
	struct cok_thread_state st = s_thread;
	uint64_t len = 0;
	struct cok_img img;
	char why[400];
	struct spec s;
	uint8_t *buf, *p;
	uint32_t v1 = 1;
	size_t n;
	int ret;

	t_begin("image/threads-v2-three");
	sample_spec(&s);
	insert_thread(&s, 44);
	insert_thread(&s, 43);
	buf = spec_bytes(&s, &len);
	spec_free(&s);
	ret = cok_img_parse(&img, buf, len, 0, why, sizeof(why));
	T_CHECK(!ret, "%d %s", ret, why);
	if (!ret) {
		T_EQ(img.nthreads, 3);
		T_EQ(img.threads[0].ids.tid, 42);
		T_EQ(img.threads[1].ids.tid, 43);
		T_EQ(img.threads[2].ids.tid, 44);
		T_CHECK(!memcmp(img.threads[2].xstate, s_xstate,
				s_thread.xstate_size), "xstate of the third");
		cok_img_close(&img);
	}
	free(buf);
	t_end();

	t_begin("image/threads-v1-still-read");
	sample_spec(&s);
	p = xmalloc(sizeof(st) + st.xstate_size);
	memcpy(p, &st, sizeof(st));
	memcpy(p + sizeof(st), s_xstate, st.xstate_size);
	n = sizeof(st) + st.xstate_size;
	free(s.r[2].p);
	s.r[2].p = p;
	s.r[2].n = n;
	buf = spec_bytes(&s, &len);
	spec_free(&s);
	memcpy(buf + offsetof(struct cok_img_header, version), &v1, 4);
	cok_img_reseal(buf, len, false);
	ret = cok_img_parse(&img, buf, len, 0, why, sizeof(why));
	T_CHECK(!ret, "%d %s", ret, why);
	if (!ret) {
		T_EQ(img.header.version, 1);
		T_EQ(img.nthreads, 1);
		T_EQ(img.threads[0].ids.tid, 0);
		T_CHECK(!memcmp(img.thread, &st, sizeof(st)), "thread state");
		cok_img_close(&img);
	}
	free(buf);
	t_end();
}

/* Patches the sample's header, reseals it, expects refusal with want. */
static void refuse_patched(const char *name, size_t at, const void *val,
			   size_t n, const char *want)
{
	uint64_t len = 0;
	uint8_t *buf = sample_bytes(&len);
	char why[400];
	int ret;

	t_begin(name);
	memcpy(buf + at, val, n);
	cok_img_reseal(buf, len, false);
	ret = try_parse(buf, len, 0, why, sizeof(why));
	T_CHECK(ret == -EBADMSG && one_line(why) && strstr(why, want),
		"%d '%s', want '%s'", ret, why, want);
	free(buf);
	t_end();
}

static void test_header_refusals(void)
{
	uint32_t v3 = 3, arm = 183;

	refuse_patched("image/refuse-bad-magic", 0, "COKCKPT\r", 8,
		       "not a ckpt_cokernel image (bad magic)");
	refuse_patched("image/refuse-newer-version",
		       offsetof(struct cok_img_header, version), &v3, 4,
		       "image version 3 is newer than this cokctl reads (2)");
	refuse_patched("image/refuse-other-arch",
		       offsetof(struct cok_img_header, arch), &arm, 4,
		       "image is for another architecture (machine 183), this is x86-64");
}

/* Writes the sample changed by fn, expects a refusal with want. */
static void refuse_spec(const char *name, void (*fn)(struct spec *s),
			const char *want)
{
	uint64_t len = 0;
	char why[400];
	struct spec s;
	uint8_t *buf;
	int ret;

	t_begin(name);
	sample_spec(&s);
	fn(&s);
	buf = spec_bytes(&s, &len);
	spec_free(&s);
	ret = try_parse(buf, len, 0, why, sizeof(why));
	T_CHECK(ret == -EBADMSG && one_line(why) && strstr(why, want),
		"%d '%s', want '%s'", ret, why, want);
	ret = try_parse(buf, len, COK_IMG_SKIP_PAGE_SUMS, why, sizeof(why));
	T_CHECK(ret == -EBADMSG, "accepted without page sums");
	free(buf);
	t_end();
}

static void swap_files_thread(struct spec *s)
{
	struct rec r = s->r[1];

	s->r[1] = s->r[2];
	s->r[2] = r;
}

static void pages_before_mm(struct spec *s)
{
	struct rec r = s->r[3];

	s->r[3] = s->r[4];
	s->r[4] = r;
}

static void second_thread(struct spec *s)
{
	size_t n;

	s->r[s->n] = s->r[s->n - 1];
	s->r[s->n - 1] = (struct rec){ COK_IMG_THREAD, 0,
				       thread_payload(&n), 0 };
	s->r[s->n - 1].n = n;
	s->n++;
}

/* A THREAD record for tid after the first one (before MM). */
static void insert_thread(struct spec *s, uint32_t tid)
{
	size_t n;
	int i;

	for (i = s->n; i > 3; i--)
		s->r[i] = s->r[i - 1];
	s->r[3] = (struct rec){ COK_IMG_THREAD, 0,
				thread_payload_tid(tid, &n), 0 };
	s->r[3].n = n;
	s->n++;
}

static void same_tid(struct spec *s) { insert_thread(s, s_ids.tid); }
static void tid_zero(struct spec *s) { insert_thread(s, 0); }

static void no_mm(struct spec *s)
{
	int i;

	for (i = 3; i < s->n; i++)
		free(s->r[i].p);
	s->n = 3;
}

static void page_outside(struct spec *s)
{
	s->r[5].addr = 0x600000;
}

static void page_straddles(struct spec *s)
{
	s->r[4].addr = 0x402000;	/* 2 pages, 1 left in region 0 */
}

static void pages_decreasing(struct spec *s)
{
	s->r[6].addr = 0x501000;
	s->r[5].addr = 0x503000;
}

static void page_unaligned(struct spec *s)
{
	s->r[5].addr = 0x500800;
}

static void set_regions(struct spec *s, const struct cok_region *r,
			uint32_t n)
{
	free(s->r[3].p);
	s->r[3].p = mm_payload(r, n, &s->r[3].n);
}

static void regions_overlap(struct spec *s)
{
	struct cok_region r[3];

	memcpy(r, s_regions, sizeof(r));
	r[1].va = 0x402000;
	set_regions(s, r, 3);
}

static void region_above_user(struct spec *s)
{
	struct cok_region r[3];

	memcpy(r, s_regions, sizeof(r));
	r[2].len += PAGE;
	set_regions(s, r, 3);
}

static void region_bad_prot(struct spec *s)
{
	struct cok_region r[3];

	memcpy(r, s_regions, sizeof(r));
	r[0].prot = 8;
	set_regions(s, r, 3);
}

/* The k-th entry of the FILES payload. */
static uint8_t *file_entry(struct spec *s, int k)
{
	uint8_t *p = s->r[1].p;
	uint32_t n;

	while (k--) {
		memcpy(&n, p + offsetof(struct cok_img_file, path_len), 4);
		p += sizeof(struct cok_img_file) + ((n + 1 + 7) & ~7U);
	}
	return p;
}

static void dup_fd(struct spec *s)
{
	int32_t fd = 3;

	memcpy(file_entry(s, 2) + offsetof(struct cok_img_file, fd), &fd, 4);
}

static void bad_kind(struct spec *s)
{
	uint32_t kind = 9;

	memcpy(s->r[1].p + offsetof(struct cok_img_file, kind), &kind, 4);
}

static void bad_path_len(struct spec *s)
{
	uint32_t n = 11;	/* "/dev/pts/0" is 10 */

	memcpy(s->r[1].p + offsetof(struct cok_img_file, path_len), &n, 4);
}

static void meta_argc(struct spec *s)
{
	uint32_t argc = 4;

	memcpy(s->r[0].p, &argc, 4);
}

static void thread_xstate(struct spec *s)
{
	uint32_t xs = 576;

	memcpy(s->r[2].p + offsetof(struct cok_thread_state, xstate_size),
	       &xs, 4);
}

static void test_content_refusals(void)
{
	refuse_spec("image/refuse-out-of-order: THREAD before FILES",
		    swap_files_thread, "comes before any FILES record");
	refuse_spec("image/refuse-out-of-order: PAGES before MM",
		    pages_before_mm, "comes before any MM record");
	refuse_spec("image/refuse-second-thread", second_thread,
		    "a second THREAD record");
	refuse_spec("image/refuse-missing-mm", no_mm, "no MM record");
	refuse_spec("image/refuse-two-threads-one-tid", same_tid,
		    "a second thread with tid 42");
	refuse_spec("image/refuse-thread-tid-0", tid_zero,
		    "a thread with tid 0");
	refuse_spec("image/refuse-pages-outside-regions", page_outside,
		    "record 6 (PAGES at byte");
	refuse_spec("image/refuse-pages-across-region-end", page_straddles,
		    "is not inside one region");
	refuse_spec("image/refuse-pages-decreasing", pages_decreasing,
		    "extents must be increasing");
	refuse_spec("image/refuse-pages-unaligned", page_unaligned,
		    "not page-aligned");
	refuse_spec("image/refuse-overlapping-regions", regions_overlap,
		    "regions must be sorted, not overlapping");
	refuse_spec("image/refuse-region-above-user-space", region_above_user,
		    "reaches above user space");
	refuse_spec("image/refuse-region-prot", region_bad_prot,
		    "unknown prot bits 0x8");
	refuse_spec("image/refuse-duplicate-fd", dup_fd, "fd 3 is listed twice");
	refuse_spec("image/refuse-file-kind", bad_kind, "kind 9 is not valid");
	refuse_spec("image/refuse-file-path-len", bad_path_len,
		    "file 1 (byte");
	refuse_spec("image/refuse-meta-strings", meta_argc,
		    "holds 6 strings, argc 4 + envc 2 + cwd make 7");
	refuse_spec("image/refuse-thread-xstate-size", thread_xstate,
		    "FXSAVE state (xcr0 0) of 576 bytes, not 512");
}

static void test_layout_refusals(void)
{
	uint64_t len = 0, off;
	uint8_t *buf = sample_bytes(&len), *big;
	char why[400], want[64];
	int ret;

	t_begin("image/refuse-trailing-bytes");
	big = xmalloc((size_t)len + 8);
	memcpy(big, buf, (size_t)len);
	ret = try_parse(big, len + 8, 0, why, sizeof(why));
	T_CHECK(ret == -EBADMSG && strstr(why, "8 bytes too many"), "'%s'",
		why);
	free(big);
	t_end();

	t_begin("image/refuse-nonzero-padding");
	/* After META's payload (not a multiple of 8: 24 + 52 bytes). */
	memcpy(&off, buf + 64 + offsetof(struct cok_img_record, size), 8);
	off += 64 + 32;
	buf[off] = 1;
	snprintf(want, sizeof(want), "padding byte %" PRIu64 " is not zero",
		 off);
	ret = try_parse(buf, len, 0, why, sizeof(why));
	T_CHECK(off % 8 && ret == -EBADMSG && strstr(why, want), "'%s'", why);
	buf[off] = 0;
	t_end();

	t_begin("image/refuse-record-count");
	buf[offsetof(struct cok_img_header, nrecords)]--;
	cok_img_reseal(buf, len, false);
	ret = try_parse(buf, len, 0, why, sizeof(why));
	T_CHECK(ret == -EBADMSG && strstr(why, "the header says 7 records"),
		"'%s'", why);
	free(buf);
	t_end();
}

/* Garbage, and garbage behind a valid header: refused, no crash. */
static void test_garbage(void)
{
	uint64_t len = 0, i, n;
	uint8_t *buf = sample_bytes(&len), *g;
	char why[400];
	int k;

	t_begin("image/garbage: random bytes after a valid header, resealed");
	srand(7);
	g = xmalloc((size_t)len);
	for (k = 0; k < 2000 && !t_why[0]; k++) {
		n = 96 + (uint64_t)rand() % (len - 96);
		memcpy(g, buf, 64);
		for (i = 64; i < n; i++)
			g[i] = (uint8_t)rand();
		cok_img_reseal(g, n, true);
		T_CHECK(try_parse(g, n, 0, why, sizeof(why)) == -EBADMSG &&
			one_line(why), "random image %d accepted", k);
	}
	free(g);
	free(buf);
	t_end();
}

/* --- a full file system -------------------------------------------------- */

/* 2 MiB of pages, as four 512 KiB extents. */
static int write_big(const char *path, char *why, size_t whylen)
{
	static const struct cok_region r = { 0x10000000, 4 << 20, 3, 0 };
	size_t ext = 512 << 10, i, n;
	uint8_t *page = xmalloc(ext);
	struct spec s;
	void *mm;
	int ret;

	memset(page, 0xa5, ext);
	sample_spec(&s);
	no_mm(&s);
	mm = mm_payload(&r, 1, &n);
	add_rec(&s, COK_IMG_MM, 0, mm, n);
	for (i = 0; i < 4; i++)
		add_rec(&s, COK_IMG_PAGES, r.va + i * ext, NULL, ext);
	for (i = 0; i < 4; i++)
		s.r[4 + i].p = page;
	ret = spec_write(&s, path, why, whylen);
	for (i = 0; i < 4; i++)
		s.r[4 + i].p = NULL;
	spec_free(&s);
	free(page);
	return ret;
}

/*
 * In a child (mount namespace, rlimit): writes the big image into d,
 * expects -want and a reason naming err_text; writes "PASS ...",
 * "FAIL ..." or "SKIP ..." to the pipe.
 */
static void full_child(int fd, const char *d, int want, const char *text)
{
	char path[512], why[400], msg[1024], name[256];
	int ret, n;

	snprintf(path, sizeof(path), "%s/ckpt.img", d);
	ret = write_big(path, why, sizeof(why));
	n = dir_entries(d, name, sizeof(name));
	if (ret != -want || !strstr(why, text) || !strstr(why, "(wrote ") ||
	    !strstr(why, "ckpt.img"))
		snprintf(msg, sizeof(msg), "FAIL %d: '%s'", ret, why);
	else if (n != 0)
		snprintf(msg, sizeof(msg), "FAIL '%s' left in the directory",
			 name);
	else
		snprintf(msg, sizeof(msg), "PASS %s", why);
	if (write(fd, msg, strlen(msg)) < 0)
		_exit(2);
	_exit(0);
}

static void tmpfs_child(int fd, const char *d)
{
	char msg[256];

	if (unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("tmpfs", d, "tmpfs", 0, "size=1m")) {
		snprintf(msg, sizeof(msg),
			 "SKIP cannot mount a tmpfs here: %s (needs root)",
			 strerror(errno));
		if (write(fd, msg, strlen(msg)) < 0)
			_exit(2);
		_exit(0);
	}
	full_child(fd, d, ENOSPC, "No space left on device");
}

static void rlimit_child(int fd, const char *d)
{
	struct rlimit rl = { 256 << 10, 256 << 10 };

	signal(SIGXFSZ, SIG_IGN);
	setrlimit(RLIMIT_FSIZE, &rl);
	full_child(fd, d, EFBIG, "File too large");
}

static void run_full(const char *name, void (*child)(int, const char *))
{
	char d[300], msg[1024];
	int p[2], st;
	ssize_t n;
	pid_t pid;

	snprintf(d, sizeof(d), "%s/full", dir);
	mkdir(d, 0700);
	fflush(stdout);
	pid = pipe(p) ? -1 : fork();
	if (pid < 0) {
		printf("FAIL %s: pipe/fork: %s\n", name, strerror(errno));
		t_failed++;
		return;
	}
	if (!pid) {
		close(p[0]);
		child(p[1], d);
	}
	close(p[1]);
	n = read(p[0], msg, sizeof(msg) - 1);
	close(p[0]);
	waitpid(pid, &st, 0);
	msg[n > 0 ? n : 0] = '\0';
	rmdir(d);
	if (!strncmp(msg, "SKIP ", 5)) {
		printf("SKIP %s: %s\n", name, msg + 5);
		return;
	}
	t_begin(name);
	T_CHECK(WIFEXITED(st) && !WEXITSTATUS(st), "the child died (%d)", st);
	T_CHECK(!strncmp(msg, "PASS ", 5), "%s", n > 0 ? msg : "no answer");
	t_end();
	if (!strncmp(msg, "PASS ", 5))
		printf("  %s\n", msg + 5);
}

static void test_full(void)
{
	run_full("image/enospc: a 1 MiB tmpfs, clear reason, no file left",
		 tmpfs_child);
	run_full("image/efbig: RLIMIT_FSIZE 256 KiB, clear reason, no file left",
		 rlimit_child);
}

/* --- seeds --------------------------------------------------------------- */

static int write_seeds(const char *d)
{
	char path[512], why[400];
	struct spec s;
	size_t n;
	int ret;

	snprintf(path, sizeof(path), "%s/sample.img", d);
	sample_spec(&s);
	ret = spec_write(&s, path, why, sizeof(why));
	spec_free(&s);

	/* No pages, one file; an XSAVE thread. */
	sample_spec(&s);
	while (s.n > 4)
		free(s.r[--s.n].p);
	s.r[1].n = sizeof(struct cok_img_file) + 16;
	s_thread.xcr0 = 7;
	s_thread.xstate_size = 832;
	free(s.r[2].p);
	s.r[2].p = thread_payload(&n);
	s.r[2].n = n;
	s_thread.xcr0 = 0;
	s_thread.xstate_size = COK_FXSAVE_SIZE;
	snprintf(path, sizeof(path), "%s/small.img", d);
	if (!ret)
		ret = spec_write(&s, path, why, sizeof(why));
	spec_free(&s);
	if (ret)
		fprintf(stderr, "test-image: %s\n", why);
	return ret ? 1 : 0;
}

static void cleanup(void)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/sample.img", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/spec.img", dir);
	unlink(path);
	rmdir(dir);
}

int main(int argc, char **argv)
{
	char why[400];
	struct spec s;

	sample_init();
	if (argc == 3 && !strcmp(argv[1], "--write-seeds"))
		return write_seeds(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "--write-sample")) {
		sample_spec(&s);
		if (spec_write(&s, argv[2], why, sizeof(why))) {
			fprintf(stderr, "test-image: %s\n", why);
			return 1;
		}
		spec_free(&s);
		return 0;
	}
	snprintf(dir, sizeof(dir), "%s/cok-test-image.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir)) {
		printf("FAIL image/setup: mkdtemp %s: %s\n", dir,
		       strerror(errno));
		return 1;
	}
	test_xxh64_vectors();
	test_xxh64_streaming();
	test_xxh64sum();
	test_round_trip();
	test_writer_files();
	test_dir_sync_failure();
	test_file_kinds();
	test_truncations();
	test_bit_flips();
	test_header_refusals();
	test_content_refusals();
	test_threads();
	test_layout_refusals();
	test_garbage();
	test_full();
	cleanup();
	return t_summary("image");
}
