// SPDX-License-Identifier: GPL-2.0
/*
 * cokctl launch: run a static x86-64 Linux program on a co-kernel core,
 * with this process as its proxy (proxy.c) until it ends.
 *
 * Before anything is sent the program is found (a name without '/' is
 * looked up in PATH, as execvp does), read and checked with the same
 * ELF check the co-kernel's loader makes (xemem/elf.h).  Then
 * COK_IOC_LAUNCH on /dev/ckpt_cokernel, mmap of the enclave memory, and
 * the proxy loop.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "cokctl.h"
#include "proxy.h"
#include "../xemem/cokdev.h"
#include "../xemem/elf.h"

extern char **environ;

/* The program, read (mapped) into memory. */
struct image {
	void *data;
	uint64_t size;
};

/* execvp's default when PATH is not set. */
#define DEFAULT_PATH	"/bin:/usr/bin"

/*
 * PROGRAM as execvp finds it: as given if it holds a '/', else the first
 * executable regular file of that name in PATH.  0, or an errno.
 */
static int find_program(const char *prog, char *out, size_t len)
{
	const char *path, *p;
	int err = ENOENT;

	if (!*prog)
		return ENOENT;
	if (strchr(prog, '/')) {
		if ((size_t)snprintf(out, len, "%s", prog) >= len)
			return ENAMETOOLONG;
		return 0;
	}
	path = getenv("PATH");
	if (!path)
		path = DEFAULT_PATH;
	for (p = path; ; ) {
		const char *end = strchrnul(p, ':');
		int dlen = (int)(end - p);
		struct stat st;

		/* An empty entry is the current directory. */
		if ((size_t)snprintf(out, len, "%.*s%s%s", dlen, p,
				     dlen ? "/" : "", prog) < len &&
		    !stat(out, &st) && S_ISREG(st.st_mode)) {
			if (!access(out, X_OK))
				return 0;
			err = EACCES;
		}
		if (!*end)
			break;
		p = end + 1;
	}
	return err;
}

/* Exit status for a failed system call on the program or the device. */
static int errno_exit(int err)
{
	return err == EPERM || err == EACCES ? COK_EXIT_PERM : COK_EXIT_REFUSED;
}

/* The file of PROGRAM into img; its path into path[PATH_MAX]. */
static int read_program(const char *prog, struct image *img, char *path)
{
	struct stat st;
	int fd, err;

	err = find_program(prog, path, PATH_MAX);
	if (err) {
		fprintf(stderr, "cokctl: %s: %s\n", prog,
			err == ENOENT && !strchr(prog, '/') ?
			"command not found" : strerror(err));
		return errno_exit(err);
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		err = errno;
		fprintf(stderr, "cokctl: %s: %s\n", prog, strerror(err));
		if (fd >= 0)
			close(fd);
		return errno_exit(err);
	}
	if (!S_ISREG(st.st_mode)) {
		fprintf(stderr, "cokctl: %s: %s\n", prog, S_ISDIR(st.st_mode) ?
			"is a directory" : "not a regular file");
		close(fd);
		return COK_EXIT_REFUSED;
	}
	/* As execve: the file must be executable. */
	if (access(path, X_OK)) {
		err = errno;
		fprintf(stderr, "cokctl: %s: %s\n", prog, strerror(err));
		close(fd);
		return errno_exit(err);
	}
	if ((uint64_t)st.st_size > COK_ELF_MAX) {
		fprintf(stderr,
			"cokctl: %s: too large (%" PRIu64 " bytes; at most %lu MiB)\n",
			prog, (uint64_t)st.st_size, COK_ELF_MAX >> 20);
		close(fd);
		return COK_EXIT_REFUSED;
	}
	img->size = (uint64_t)st.st_size;
	img->data = NULL;
	if (img->size) {
		img->data = mmap(NULL, img->size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (img->data == MAP_FAILED) {
			err = errno;
			fprintf(stderr, "cokctl: %s: %s\n", prog, strerror(err));
			close(fd);
			return COK_EXIT_SYSTEM;
		}
	}
	close(fd);
	return COK_EXIT_OK;
}

/* argv then envp, each NUL-ended, in one block. */
static int build_strings(const char *prog, char **argv, int argc,
			 char **blob, uint64_t *size, uint32_t *envc)
{
	uint64_t total = 0, n = 0;
	char *b, *at;
	int i;

	for (i = 0; i < argc; i++, n++)
		total += strlen(argv[i]) + 1;
	for (i = 0; environ && environ[i]; i++, n++)
		total += strlen(environ[i]) + 1;
	*envc = (uint32_t)i;
#ifdef COK_MAX_STRINGS
	if (n > COK_MAX_STRINGS)
		total = COK_STRINGS_MAX + 1;
#endif
	if (total > COK_STRINGS_MAX) {
		fprintf(stderr,
			"cokctl: %s: argument list too long (arguments and environment: at most %lu KiB, %s)\n",
			prog, COK_STRINGS_MAX >> 10,
#ifdef COK_MAX_STRINGS
			"4096 strings"
#else
			"all strings"
#endif
			);
		return COK_EXIT_REFUSED;
	}
	b = malloc(total ? total : 1);
	if (!b) {
		fprintf(stderr, "cokctl: %s\n", strerror(ENOMEM));
		return COK_EXIT_SYSTEM;
	}
	at = b;
	for (i = 0; i < argc; i++)
		at = stpcpy(at, argv[i]) + 1;
	for (i = 0; environ && environ[i]; i++)
		at = stpcpy(at, environ[i]) + 1;
	*blob = b;
	*size = total;
	return COK_EXIT_OK;
}

int cok_open_device(const char *why_needed)
{
	int fd = open(COK_DEV_PATH, O_RDWR | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	switch (errno) {
	case ENOENT:
	case ENXIO:
	case ENODEV:
		fprintf(stderr, "cokctl: %s module is not loaded (no %s)\n",
			COK_GENL_NAME, COK_DEV_PATH);
		return -COK_EXIT_NO_MODULE;
	case EPERM:
	case EACCES:
		fprintf(stderr, "cokctl: %s: %s (%s needs access to the device)\n",
			COK_DEV_PATH, strerror(errno), why_needed);
		return -COK_EXIT_PERM;
	default:
		fprintf(stderr, "cokctl: %s: %s\n", COK_DEV_PATH,
			strerror(errno));
		return -COK_EXIT_SYSTEM;
	}
}

int cok_proxy_open(struct cok_proxy *p, const char *why_needed)
{
	int fd = cok_open_device(why_needed);

	if (fd < 0)
		return -fd;
	/* Out of the way of the app's fd numbers: it must not see them. */
	p->devfd = cok_proxy_hide_fd(fd);
	if (p->devfd < 0) {
		fprintf(stderr, "cokctl: %s: %s\n", COK_DEV_PATH,
			strerror(-p->devfd));
		close(fd);
		return COK_EXIT_SYSTEM;
	}
	/* Our messages still reach the user if the app closes its fd 2. */
	fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 0);
	p->errfd = fd >= 0 ? cok_proxy_hide_fd(fd) : -1;
	cok_proxy_signals(p->devfd);
	return COK_EXIT_OK;
}

int cok_placement_option(const char *verb, int c, uint32_t *enclave,
			 int32_t *core, uint32_t *ncores)
{
	uint32_t v;

	if (c == 'e' && cok_parse_enclave(optarg, enclave))
		return cok_usage_error(verb, "invalid enclave id '%s' (a number >= 1)",
				       optarg);
	if (c == 'c') {
		if (cok_parse_u32(optarg, &v) || v > INT32_MAX)
			return cok_usage_error(verb, "invalid core '%s' (a core index, 0 for the enclave's first)",
					       optarg);
		*core = (int32_t)v;
	}
	/* --cores N: 1 to COK_MAX_CORES cores for the app's threads. */
	if (c == 'n' && (cok_parse_u32(optarg, ncores) || *ncores < 1 ||
			 *ncores > COK_MAX_CORES))
		return cok_usage_error(verb, "invalid core count '%s' (1 to %d)",
				       optarg, COK_MAX_CORES);
	return COK_EXIT_OK;
}

/* LAUNCH failed: the module's reason, one line. */
static int launch_failed(const char *prog, struct cok_ioc_launch *l, int err)
{
	l->error[sizeof(l->error) - 1] = '\0';
	if (err == EINTR && cok_proxy_stop_signal())
		return 128 + cok_proxy_stop_signal();
	if (l->error[0] && err == ENOEXEC) {
		fprintf(stderr, "cokctl: %s: %s\n", prog, l->error);
		return COK_EXIT_REFUSED;
	}
	if (l->error[0]) {
		fprintf(stderr, "cokctl: %s\n", l->error);
		return COK_EXIT_REFUSED;
	}
	fprintf(stderr, "cokctl: launch: %s\n", strerror(err));
	if (err == EPERM || err == EACCES)
		return COK_EXIT_PERM;
	return err == ENOTTY || err == ENOMEM || err == EFAULT ?
	       COK_EXIT_SYSTEM : COK_EXIT_REFUSED;
}

/* The app runs: be its proxy until it ends. */
static int serve(struct cok_proxy *p)
{
	cok_appmem_init(&p->mem, p->devfd);
	return cok_proxy_run(p);
}

int cok_cmd_launch(int argc, char **argv)
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
	struct cok_ioc_launch l;
	struct cok_elf_info info;
	struct image img = { NULL, 0 };
	uint32_t enclave = 0, envc = 0, ncores = 1;
	int32_t core = -1;
	uint64_t strings_size = 0;
	char *strings = NULL;
	const char *prog, *why = NULL;
	char exe[PATH_MAX];
	bool trace = false, verbose = false;
	int c, ret;

	opterr = 0;
	/* '+': the options end at PROGRAM; what follows is the app's. */
	while ((c = getopt_long(argc, argv, "+:e:c:n:tvh", opts, NULL)) != -1) {
		switch (c) {
		case 'e':
		case 'c':
		case 'n':
			ret = cok_placement_option("launch", c, &enclave,
						   &core, &ncores);
			if (ret)
				return ret;
			break;
		case 't':
			trace = true;
			verbose = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			cok_print_manual(cok_find_verb("launch")->manual);
			return COK_EXIT_OK;
		default:
			return cok_option_error("launch", c, argv);
		}
	}
	if (optind == argc)
		return cok_usage_error("launch", "which program? (PROGRAM)");
	prog = argv[optind];

	ret = read_program(prog, &img, exe);
	if (ret)
		return ret;
	if (cok_elf_check(img.data, img.size, &info, &why)) {
		fprintf(stderr, "cokctl: %s: %s\n", prog,
			why ? why : "not a valid executable");
		ret = COK_EXIT_REFUSED;
		goto out;
	}
	ret = build_strings(prog, argv + optind, argc - optind, &strings,
			    &strings_size, &envc);
	if (ret)
		goto out;

	ret = cok_proxy_open(&p, "launching");
	if (ret)
		goto out;
	p.trace = trace;
	p.verbose = verbose;
	p.ncores = ncores;
	cok_proxy_set_program(&p, exe, strings, (uint32_t)(argc - optind));

	memset(&l, 0, sizeof(l));
	l.enclave = enclave;
	l.core = core;
	l.ncores = ncores;
	l.elf = (uintptr_t)img.data;
	l.elf_size = img.size;
	l.strings = (uintptr_t)strings;
	l.strings_size = strings_size;
	l.argc = (uint32_t)(argc - optind);
	l.envc = envc;
	l.private_fds[0] = p.devfd;
	l.private_fds[1] = p.errfd;
	if (ioctl(p.devfd, COK_IOC_LAUNCH, &l)) {
		ret = launch_failed(prog, &l, errno);
		goto out;
	}
	p.app_id = l.app_id;
	p.start_ns = cok_proxy_now_ns();
	if (verbose)
		dprintf(p.errfd, "cokctl: app %" PRIu32 " launched on core %"
			PRIu32 " (cpu %" PRIu32 "), %" PRIu64
			" MiB of enclave memory\n", l.app_id, l.core_out,
			l.cpu_out, (uint64_t)l.mem_bytes >> 20);

	/* The app has its own copy now. */
	munmap(img.data, img.size);
	img.data = NULL;
	free(strings);
	strings = NULL;

	if (cok_proxy_stop_signal()) {
		ioctl(p.devfd, COK_IOC_KILL);
		ret = 128 + cok_proxy_stop_signal();
		goto out;
	}
	ret = serve(&p);
out:
	if (img.data)
		munmap(img.data, img.size);
	free(strings);
	return ret;
}
