/* SPDX-License-Identifier: GPL-2.0 */
/*
 * filecopy IN OUT: reads IN, writes OUT transformed block by block:
 * each 4 KiB block (the last one may be shorter) reversed and every
 * byte XORed with 0x5a.  Prints "read N bytes, wrote N bytes".
 * Plain open/read/write/close, to exercise forwarded file I/O.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define BLK 4096

/* Reads up to n bytes, looping on short reads; -1 on error. */
static ssize_t read_full(int fd, unsigned char *p, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, p + got, n - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

static int write_full(int fd, const unsigned char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static unsigned char in[BLK], out[BLK];
	unsigned long long rd = 0, wr = 0;
	int fi, fo;

	if (argc != 3) {
		fprintf(stderr, "usage: filecopy IN OUT\n");
		return 2;
	}
	fi = open(argv[1], O_RDONLY);
	if (fi < 0) {
		fprintf(stderr, "filecopy: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	fo = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fo < 0) {
		fprintf(stderr, "filecopy: %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	for (;;) {
		ssize_t n = read_full(fi, in, BLK), i;

		if (n < 0) {
			fprintf(stderr, "filecopy: read %s: %s\n", argv[1], strerror(errno));
			return 1;
		}
		if (n == 0)
			break;
		rd += (unsigned long long)n;
		for (i = 0; i < n; i++)
			out[i] = in[n - 1 - i] ^ 0x5a;
		if (write_full(fo, out, (size_t)n)) {
			fprintf(stderr, "filecopy: write %s: %s\n", argv[2], strerror(errno));
			return 1;
		}
		wr += (unsigned long long)n;
	}
	if (close(fo) || close(fi)) {
		fprintf(stderr, "filecopy: close: %s\n", strerror(errno));
		return 1;
	}
	printf("read %llu bytes, wrote %llu bytes\n", rd, wr);
	return 0;
}
