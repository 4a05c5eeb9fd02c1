// SPDX-License-Identifier: GPL-2.0
/*
 * Parsing of command line values.  Only the syntax is checked here: what
 * the values mean (enough CPUs? a multiple of 2 MiB?) is the module's to
 * judge, and its refusal is reported with the module's own message.
 */
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "cokctl.h"

/* Decimal digits only: no sign, no spaces, no base prefix. */
static int parse_u64_prefix(const char *s, uint64_t *out, const char **end)
{
	uint64_t v = 0;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	for (; isdigit((unsigned char)*s); s++) {
		unsigned int d = (unsigned int)(*s - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*out = v;
	*end = s;
	return 0;
}

int cok_parse_u32(const char *s, uint32_t *out)
{
	const char *end;
	uint64_t v;
	int ret;

	ret = parse_u64_prefix(s, &v, &end);
	if (ret)
		return ret;
	if (*end)
		return -EINVAL;
	if (v > UINT32_MAX)
		return -ERANGE;
	*out = (uint32_t)v;
	return 0;
}

int cok_parse_enclave(const char *s, uint32_t *id)
{
	int ret = cok_parse_u32(s, id);

	if (ret)
		return ret;
	return *id ? 0 : -EINVAL;
}

/* 2097152, 256M, 256MiB, 1G, 1g, 64K, 1T: binary multiples. */
int cok_parse_size(const char *s, uint64_t *out)
{
	static const char units[] = "KMGT";
	const char *end, *u;
	unsigned int shift;
	uint64_t v;
	int ret;

	ret = parse_u64_prefix(s, &v, &end);
	if (ret)
		return ret;
	if (!*end) {
		*out = v;
		return 0;
	}
	u = strchr(units, toupper((unsigned char)*end));
	if (!u)
		return -EINVAL;
	end++;
	if (*end && strcasecmp(end, "iB"))
		return -EINVAL;
	shift = 10 * (unsigned int)(u - units + 1);
	if (v > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = v << shift;
	return 0;
}

/* "1,3", "1-3", "1-3,6": a list of CPUs, kept in the order given. */
int cok_parse_cpu_list(const char *s, uint32_t *cpus, size_t max,
		       size_t *n, const char **why)
{
	const char *p = s;
	size_t count = 0;

	if (!*s) {
		*why = "the CPU list is empty";
		return -EINVAL;
	}
	for (;;) {
		uint64_t lo, hi, cpu;

		if (parse_u64_prefix(p, &lo, &p)) {
			*why = "expected a CPU number";
			return -EINVAL;
		}
		if (lo > UINT32_MAX) {
			*why = "CPU number out of range";
			return -ERANGE;
		}
		hi = lo;
		if (*p == '-') {
			p++;
			if (parse_u64_prefix(p, &hi, &p)) {
				*why = "expected a CPU number after '-'";
				return -EINVAL;
			}
			if (hi > UINT32_MAX) {
				*why = "CPU number out of range";
				return -ERANGE;
			}
			if (hi < lo) {
				*why = "a CPU range must go upwards";
				return -EINVAL;
			}
		}
		for (cpu = lo; cpu <= hi; cpu++) {
			if (count == max) {
				*why = "too many CPUs for one enclave";
				return -E2BIG;
			}
			cpus[count++] = (uint32_t)cpu;
		}
		if (!*p)
			break;
		if (*p != ',') {
			*why = "expected ',' or '-' between CPU numbers";
			return -EINVAL;
		}
		p++;
	}
	*n = count;
	return 0;
}
