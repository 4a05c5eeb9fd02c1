// SPDX-License-Identifier: GPL-2.0
/*
 * The little JSON cokctl writes: strings need escaping, the rest is
 * printed directly by the verbs.  Bytes outside printable ASCII are
 * escaped, so the output is valid JSON whatever the module sends.
 */
#include "cokctl.h"

void cok_json_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	for (; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*p < 0x20 || *p >= 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

void cok_json_bool(FILE *f, bool v)
{
	fputs(v ? "true" : "false", f);
}
