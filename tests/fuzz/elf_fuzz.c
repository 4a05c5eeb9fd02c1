// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness over cok_elf_check (xemem/elf.h), built with
 * -fsanitize=fuzzer,address,undefined by tests/fuzz/run.sh.
 *
 * Beyond "no crash, no overread, no UB", every verdict is checked:
 * an accepted image must satisfy what the header promises the loader
 * (elf_invariants.h), a refused one must come with a one-line reason
 * that fits the app slot's error[128]; the verdict must not depend on
 * whether info/why are passed, nor on the image's alignment.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include "../../xemem/elf.h"
#include "elf_invariants.h"

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "elf_fuzz: %s: %s\n", what, detail ? detail : "");
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cok_elf_info in, in2;
	const char *why = NULL, *why2 = NULL, *bad;
	int rc, rc2;

	rc = cok_elf_check(data, size, &in, &why);
	if (rc > 0)
		die("positive return", NULL);
	if (rc == 0) {
		if (why)
			die("accepted with a reason", why);
		if ((bad = cok_elf_info_bad(&in, size, data)))
			die("accepted, but", bad);
	} else if ((bad = cok_elf_why_bad(why))) {
		die("refused, but", bad);
	}

	/* Same verdict without info/why. */
	if ((cok_elf_check(data, size, NULL, NULL) == 0) != (rc == 0))
		die("verdict differs with info = why = NULL", NULL);

	/* Same verdict and info at an odd address (byte-wise reads). */
	if (size) {
		uint8_t *odd = malloc(size + 1);

		if (!odd)
			return 0;
		memcpy(odd + 1, data, size);
		rc2 = cok_elf_check(odd + 1, size, &in2, &why2);
		free(odd);
		if (rc2 != rc || why2 != why)
			die("verdict differs at an odd address", why2);
		if (rc == 0 && memcmp(&in, &in2, sizeof(in)))
			die("info differs at an odd address", NULL);
	}
	return 0;
}
