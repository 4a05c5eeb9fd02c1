/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Recomputes the checksums of a (possibly damaged or crafted) image in
 * place, so that a test or the fuzzer reaches the checks behind them:
 * every record's payload sum, header_sum and file_sum, as image.c
 * defines them.  With fix_sizes, also the header's and the trailer's
 * file_size and nrecords, and the trailer's magic.
 *
 * The walk is lenient: it follows the records' sizes from byte 64 while
 * a record fits before the last 32 bytes, and stops at one that does
 * not.  Byte-wise (memcpy) access: any length, any alignment.
 */
#ifndef COK_IMAGE_RESEAL_H
#define COK_IMAGE_RESEAL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "../../userland/xxh64.h"
#include "../../xemem/image.h"

/* Calls fn on each record header the lenient walk finds; their number. */
static inline uint64_t cok_reseal_walk(uint8_t *buf, uint64_t len,
				       void (*fn)(uint8_t *rec, void *arg),
				       void *arg)
{
	const uint64_t hs = sizeof(struct cok_img_header);
	const uint64_t rs = sizeof(struct cok_img_record);
	uint64_t end, off, n = 0, size;
	struct cok_img_record r;

	if (len < hs + sizeof(struct cok_img_trailer))
		return 0;
	end = len - sizeof(struct cok_img_trailer);
	for (off = hs; end - off >= rs; n++) {
		memcpy(&r, buf + off, rs);
		if (r.size > end - off - rs)
			break;
		size = r.size + ((8 - (r.size & 7)) & 7);
		if (size > end - off - rs)
			break;
		if (fn)
			fn(buf + off, arg);
		off += rs + size;
	}
	return n;
}

static inline void cok_reseal_payload(uint8_t *rec, void *arg)
{
	struct cok_img_record r;

	(void)arg;
	memcpy(&r, rec, sizeof(r));
	r.sum = cok_xxh64(rec + sizeof(r), r.size, 0);
	memcpy(rec, &r, sizeof(r));
}

static inline void cok_reseal_file_sum(uint8_t *rec, void *arg)
{
	cok_xxh64_update(arg, rec, sizeof(struct cok_img_record));
}

static inline void cok_img_reseal(uint8_t *buf, uint64_t len, bool fix_sizes)
{
	struct cok_img_header h;
	struct cok_img_trailer t;
	struct cok_xxh64 s;
	uint64_t n;

	if (len < sizeof(h) + sizeof(t))
		return;
	n = cok_reseal_walk(buf, len, cok_reseal_payload, NULL);
	memcpy(&h, buf, sizeof(h));
	memcpy(&t, buf + len - sizeof(t), sizeof(t));
	if (fix_sizes) {
		h.file_size = t.file_size = len;
		h.nrecords = t.nrecords = n;
		t.magic = COK_IMG_TRAILER_MAGIC;
	}
	h.header_sum = 0;
	h.header_sum = cok_xxh64(&h, sizeof(h), 0);
	memcpy(buf, &h, sizeof(h));
	cok_xxh64_init(&s, 0);
	cok_xxh64_update(&s, buf, sizeof(h));
	cok_reseal_walk(buf, len, cok_reseal_file_sum, &s);
	t.file_sum = cok_xxh64_digest(&s);
	memcpy(buf + len - sizeof(t), &t, sizeof(t));
}

#endif /* COK_IMAGE_RESEAL_H */
