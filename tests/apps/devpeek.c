// SPDX-License-Identifier: GPL-2.0
/*
 * devpeek: pokes /dev/ckpt_cokernel from Linux the way a hostile device
 * user would (a Linux-side test tool, not an app).
 *
 *   devpeek probe      mmap the device at several offsets (shared and
 *                      private), copy app memory on an unbound file, and
 *                      get, attach, make and remove segments 1..64; one
 *                      line of counts of what succeeded (all should be 0)
 *                      and of the EPERM refusals
 *   devpeek hold APP   make a segment of frozen app APP, print its id,
 *                      hold it until SIGTERM or SIGINT
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "../../xemem/cokdev.h"

static int eperm;

static int ok(int r)
{
	if (r && errno == EPERM)
		eperm++;
	return r == 0;
}

static int maps(int fd, int flags)
{
	static const long offs[] = { 0, 4096, 2L << 20, 1L << 30 };
	static const size_t lens[] = { 4096, 2u << 20 };
	int hits = 0;
	unsigned int i, j;

	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		for (j = 0; j < sizeof(lens) / sizeof(lens[0]); j++) {
			void *p = mmap(NULL, lens[j], PROT_READ, flags, fd,
				       offs[i]);

			if (p != MAP_FAILED) {
				hits++;
				munmap(p, lens[j]);
			}
		}
	}
	return hits;
}

static int probe(void)
{
	int fd = open(COK_DEV_PATH, O_RDWR), shared, priv, mem;
	int get = 0, attach = 0, make = 0, rm = 0;
	char page[4096];
	__u32 id;

	if (fd < 0) {
		printf("open: %s\n", strerror(errno));
		return 1;
	}
	shared = maps(fd, MAP_SHARED);
	priv = maps(fd, MAP_PRIVATE);
	{
		struct cok_ioc_app_mem m = {
			.va = 0x400000, .len = sizeof(page),
			.buf = (__u64)(unsigned long)page, .op = COK_MEM_READ,
		};

		mem = ok(ioctl(fd, COK_IOC_APP_MEM, &m));
	}
	for (id = 1; id <= 64; id++) {
		struct cok_ioc_seg_get g = { .segid = id };
		struct cok_ioc_seg_attach a = { .segid = id,
						.perms = COK_SEG_READ };
		struct cok_ioc_seg_make mk = { .app_id = id,
					       .perms = COK_SEG_READ };
		__u32 seg = id;

		get += ok(ioctl(fd, COK_IOC_SEG_GET, &g));
		if (ok(ioctl(fd, COK_IOC_SEG_ATTACH, &a))) {
			attach++;
			shared += maps(fd, MAP_SHARED);
			ioctl(fd, COK_IOC_SEG_DETACH);
		}
		make += ok(ioctl(fd, COK_IOC_SEG_MAKE, &mk));
		rm += ok(ioctl(fd, COK_IOC_SEG_REMOVE, &seg));
	}
	printf("mmap_ok %d private_ok %d appmem_ok %d get_ok %d attach_ok %d make_ok %d remove_ok %d eperm %d\n",
	       shared, priv, mem, get, attach, make, rm, eperm);
	return 0;
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int hold(unsigned int app)
{
	struct cok_ioc_seg_make mk = { .app_id = app, .perms = COK_SEG_READ };
	int fd = open(COK_DEV_PATH, O_RDWR);

	if (fd < 0 || ioctl(fd, COK_IOC_SEG_MAKE, &mk)) {
		printf("make: %s %s\n", strerror(errno), mk.error);
		return 1;
	}
	printf("segment %u\n", mk.segid);
	fflush(stdout);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	while (!stop)
		pause();
	ioctl(fd, COK_IOC_SEG_REMOVE, &mk.segid);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "probe"))
		return probe();
	if (argc == 3 && !strcmp(argv[1], "hold"))
		return hold((unsigned int)strtoul(argv[2], NULL, 10));
	fprintf(stderr, "usage: devpeek probe | devpeek hold APP\n");
	return 2;
}
