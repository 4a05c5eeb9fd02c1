// SPDX-License-Identifier: GPL-2.0
/*
 * cokctl check: can this host run enclaves?  Like "criu check": a few
 * lines, each OK, WARN or FAIL with a one-line fix, read from sysfs,
 * procfs, the device node and the module file; nothing is changed.
 */
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cokctl.h"
#include "../xemem/cokdev.h"

#define SYS_MODULE	"/sys/module/" COK_GENL_NAME
#define SYS_CPU		"/sys/devices/system/cpu"
#define KO_NAME		COK_GENL_NAME ".ko"
#define KO_MAX		(64L << 20)	/* a sane bound for a .ko */
#define MAX_CHECKS	16
#define TEXT_LEN	320
#define COK_LINUX_RESERVE_MIB	128	/* COK_LINUX_RESERVE, checked below */
_Static_assert(COK_LINUX_RESERVE == (unsigned long)COK_LINUX_RESERVE_MIB << 20,
	       "the check manual names COK_LINUX_RESERVE");
#define COK_STR_(x)	#x
#define COK_STR(x)	COK_STR_(x)

const char cok_check_manual[] =
"NAME\n"
"    cokctl check - tell whether this host can run enclaves\n"
"\n"
"SYNOPSIS\n"
"    cokctl check [--module FILE] [-j]\n"
"\n"
"DESCRIPTION\n"
"    Looks at what enclaves need and prints one line per check, each\n"
"    OK, WARN or FAIL, with a one-line fix under a WARN or FAIL, and a\n"
"    last line with the verdict.  Nothing is changed.  Needs no\n"
"    privilege (but \"access\" tells what the caller may do).\n"
"\n"
"    module   The " COK_GENL_NAME " module is loaded, and not by force\n"
"             (a force-loaded module's vermagic was not checked).\n"
"    build    The module file (--module FILE, else the one modprobe\n"
"             finds in /lib/modules/RELEASE/modules.dep) was built for\n"
"             the running kernel: the first word of its vermagic is\n"
"             uname -r.  With no file, OK when the module is loaded.\n"
"    netlink  The module answers on generic netlink (when loaded).\n"
"    cpus     The CPUs an enclave can take: online CPUs other than\n"
"             CPU 0 with an \"online\" file in\n"
"             /sys/devices/system/cpu/cpuN (CPU hotplug).\n"
"    memory   How many 2 MiB chunks can be spared: MemAvailable less\n"
"             the " COK_STR(COK_LINUX_RESERVE_MIB) " MiB the module always leaves to Linux, as the\n"
"             module counts it; and how many free 2 MiB blocks the\n"
"             page allocator holds right now.\n"
"    xsave, smep, smap\n"
"             CPU features from /proc/cpuinfo.  Without XSAVE the\n"
"             co-kernel saves only x87/SSE state; SMEP and SMAP guard\n"
"             Linux.  Never essential: WARN at most.\n"
"    device   " COK_DEV_PATH " exists, is a character device, and who may\n"
"             open it: mode 0600 root (the default) lets only root run\n"
"             apps; a group or world mode gives its users the rights\n"
"             that \"cokctl help security\" lists (WARN for world).\n"
"    access   Shown when the caller may not open " COK_DEV_PATH ".\n"
"\n"
"    With -j the output is one line of JSON (wrapped here):\n"
"\n"
"        {\"ok\":true,\"kernel\":\"6.1.0-57-amd64\",\"checks\":[{\"name\":\n"
"        \"module\",\"status\":\"OK\",\"essential\":true,\"detail\":\"...\",\n"
"        \"fix\":\"\"}, ...]}\n"
"\n"
"OPTIONS\n"
"    -m, --module FILE\n"
"        Check the vermagic of this module file instead of the installed\n"
"        one.\n"
"    -j, --json\n"
"        Print one line of JSON instead of the lines.\n"
"    -h, --help\n"
"        Show this manual and exit.\n"
"\n"
"EXIT STATUS\n"
"    0   Every essential check holds (module, build, netlink, cpus,\n"
"        memory, device); WARN lines may remain.\n"
"    1   At least one essential check is a FAIL.\n"
"    2   Usage error, or --module FILE cannot be read.\n"
"\n"
"EXAMPLES\n"
"        cokctl check\n"
"        cokctl check -j | grep -o '\"ok\":[a-z]*'\n"
"        cokctl check --module ./ckpt_cokernel.ko\n";

enum level { CHK_OK, CHK_WARN, CHK_FAIL };

static const char *const level_names[] = { "OK", "WARN", "FAIL" };

struct check {
	const char *name;
	enum level level;
	bool essential;		/* a FAIL here makes the exit status 1 */
	char detail[TEXT_LEN];
	char fix[TEXT_LEN];	/* "" for OK */
};

struct report {
	struct check c[MAX_CHECKS];
	int n;
	struct utsname uts;
	const char *ko_path;	/* --module FILE, or NULL */
	bool loaded;
};

__printf(4, 5)
static struct check *add(struct report *r, const char *name, enum level lv,
			 const char *fmt, ...)
{
	struct check *c = &r->c[r->n++];
	va_list ap;

	memset(c, 0, sizeof(*c));
	c->name = name;
	c->level = lv;
	c->essential = true;
	va_start(ap, fmt);
	vsnprintf(c->detail, sizeof(c->detail), fmt, ap);
	va_end(ap);
	return c;
}

__printf(2, 3)
static void fix(struct check *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->fix, sizeof(c->fix), fmt, ap);
	va_end(ap);
}

/* First line of a small file, without its newline; false if unreadable. */
static bool read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	bool ok;

	if (!f)
		return false;
	ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = '\0';
	return ok;
}

/* ---- the module file and its vermagic --------------------------------- */

/* The .modinfo section of an ELF64 module, or NULL; *len its size. */
static const char *modinfo_section(const unsigned char *img, size_t size,
				   size_t *len)
{
	const Elf64_Ehdr *eh = (const void *)img;
	const Elf64_Shdr *sh, *strs;
	size_t i;

	if (size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_shentsize != sizeof(*sh) || eh->e_shoff > size ||
	    eh->e_shnum > (size - eh->e_shoff) / sizeof(*sh) ||
	    eh->e_shstrndx >= eh->e_shnum)
		return NULL;
	sh = (const void *)(img + eh->e_shoff);
	strs = &sh[eh->e_shstrndx];
	if (strs->sh_offset > size || strs->sh_size > size - strs->sh_offset)
		return NULL;
	for (i = 0; i < eh->e_shnum; i++) {
		const char *nm = (const char *)img + strs->sh_offset +
				 sh[i].sh_name;

		if (sh[i].sh_name >= strs->sh_size ||
		    strnlen(nm, strs->sh_size - sh[i].sh_name) ==
		    strs->sh_size - sh[i].sh_name || strcmp(nm, ".modinfo"))
			continue;
		if (sh[i].sh_offset > size ||
		    sh[i].sh_size > size - sh[i].sh_offset)
			return NULL;
		*len = sh[i].sh_size;
		return (const char *)img + sh[i].sh_offset;
	}
	return NULL;
}

/* The kernel release a module file was built for ("vermagic=" word 1). */
static bool ko_release(const char *path, char *rel, size_t len)
{
	const char *info, *p, *end;
	unsigned char *img;
	size_t n = 0, ilen = 0;
	bool found = false;
	FILE *f;

	f = fopen(path, "rb");
	if (!f)
		return false;
	img = malloc(KO_MAX);
	if (img)
		n = fread(img, 1, KO_MAX, f);
	fclose(f);
	info = img ? modinfo_section(img, n, &ilen) : NULL;
	for (p = info, end = info + ilen; info && p < end && !found;
	     p += strnlen(p, end - p) + 1) {
		if (strncmp(p, "vermagic=", 9) || !memchr(p, '\0', end - p))
			continue;
		snprintf(rel, len, "%.*s", (int)strcspn(p + 9, " "), p + 9);
		found = true;
	}
	free(img);
	return found;
}

/* The module file modprobe would load for release, from modules.dep. */
static bool installed_ko(const char *release, char *path, size_t len)
{
	char dep[512], line[1024];
	bool found = false;
	FILE *f;

	snprintf(dep, sizeof(dep), "/lib/modules/%s/modules.dep", release);
	f = fopen(dep, "r");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		size_t l;

		if (!colon)
			continue;
		*colon = '\0';
		l = strlen(line);
		if (l < sizeof(KO_NAME) || strcmp(line + l - strlen(KO_NAME),
						  KO_NAME) ||
		    (l > strlen(KO_NAME) && line[l - strlen(KO_NAME) - 1] != '/'))
			continue;
		found = snprintf(path, len, "%s%s%s%s",
				 line[0] == '/' ? "" : "/lib/modules/",
				 line[0] == '/' ? "" : release,
				 line[0] == '/' ? "" : "/", line) < (int)len;
	}
	fclose(f);
	return found;
}

static const char *build_fix(const char *rel)
{
	static char buf[TEXT_LEN];

	snprintf(buf, sizeof(buf),
		 "install linux-headers-%s and ckpt-cokernel-dkms (or run 'dkms autoinstall'), or 'make KDIR=/lib/modules/%s/build' in a checkout",
		 rel, rel);
	return buf;
}

static void check_module(struct report *r)
{
	const char *rel = r->uts.release;
	char taint[64] = "", path[600];
	struct check *c;

	r->loaded = access(SYS_MODULE, F_OK) == 0;
	if (!r->loaded) {
		c = add(r, "module", CHK_FAIL, "%s is not loaded",
			COK_GENL_NAME);
		if (r->ko_path)
			fix(c, "insmod %s", r->ko_path);
		else if (installed_ko(r->uts.release, path, sizeof(path)))
			fix(c, "modprobe %s", COK_GENL_NAME);
		else
			fix(c, "build it (see \"build\"), then modprobe %s",
			    COK_GENL_NAME);
		return;
	}
	read_line(SYS_MODULE "/taint", taint, sizeof(taint));
	if (strchr(taint, 'F')) {
		c = add(r, "module", CHK_FAIL,
			"%s was loaded by force: its vermagic was not checked against %s",
			COK_GENL_NAME, rel);
		fix(c, "rmmod %s, then load one built for %s: %s",
		    COK_GENL_NAME, rel, build_fix(rel));
		return;
	}
	add(r, "module", CHK_OK,
	    "%s is loaded; kernel %s checked its vermagic at load",
	    COK_GENL_NAME, rel);
}

static void check_build(struct report *r)
{
	const char *rel = r->uts.release;
	char path[600], built[128];
	struct check *c;

	if (r->ko_path)
		snprintf(path, sizeof(path), "%s", r->ko_path);
	else if (!installed_ko(rel, path, sizeof(path)))
		path[0] = '\0';
	if (!path[0]) {
		if (r->loaded) {
			add(r, "build", CHK_OK,
			    "no %s in /lib/modules/%s; the loaded module was accepted by this kernel",
			    KO_NAME, rel);
			return;
		}
		c = add(r, "build", CHK_FAIL, "no %s for kernel %s in /lib/modules/%s",
			KO_NAME, rel, rel);
		fix(c, "%s", build_fix(rel));
		return;
	}
	if (!ko_release(path, built, sizeof(built))) {
		c = add(r, "build", CHK_FAIL, "%s: no vermagic (not a module file?)",
			path);
		fix(c, "%s", build_fix(rel));
		return;
	}
	if (strcmp(built, rel)) {
		c = add(r, "build", CHK_FAIL,
			"%s is built for kernel %s, this one is %s", path,
			built, rel);
		fix(c, "%s", build_fix(rel));
		return;
	}
	add(r, "build", CHK_OK, "%s is built for kernel %s", path, rel);
}

/* The module answers on generic netlink: only asked when it is loaded. */
static void check_netlink(struct report *r)
{
	struct cok_nl nl;
	struct check *c;

	if (!r->loaded)
		return;
	if (cok_nl_open(&nl) == 0) {
		add(r, "netlink", CHK_OK,
		    "generic netlink family %s answers (protocol version %d)",
		    COK_GENL_NAME, COK_GENL_VERSION);
	} else {
		c = add(r, "netlink", CHK_FAIL,
			"generic netlink family %s: %s", COK_GENL_NAME,
			nl.status == COK_NL_NO_MODULE ? "not registered" :
			nl.what);
		fix(c, "rmmod %s && modprobe %s; see dmesg for why it did not register",
		    COK_GENL_NAME, COK_GENL_NAME);
	}
	cok_nl_close(&nl);
}

/* ---- CPUs ------------------------------------------------------------- */

/* Appends CPU n to a list of ranges "1-3,5" being built in order. */
static void list_add(char *buf, size_t len, int n, int *first, int *last)
{
	size_t l = strlen(buf);

	if (*last >= 0 && n == *last + 1) {
		*last = n;
		return;
	}
	if (*last >= 0 && *last != *first)
		snprintf(buf + l, len - l, "-%d", *last);
	l = strlen(buf);
	if (n >= 0)
		snprintf(buf + l, len - l, "%s%d", l ? "," : "", n);
	*first = *last = n;
}

struct cpu_scan {
	int ncpus;		/* cpuN directories */
	int hotplug;		/* ... with an "online" file (not CPU 0) */
	int takeable;		/* ... that are online */
	char list[TEXT_LEN / 2];	/* the takeable ones, as ranges */
	char offline[TEXT_LEN / 2];	/* the offline ones */
};

static int cpu_cmp(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static void scan_cpus(struct cpu_scan *s)
{
	int ids[4096], n = 0, i, f1 = -1, l1 = -1, f2 = -1, l2 = -1;
	struct dirent *de;
	DIR *d;

	memset(s, 0, sizeof(*s));
	d = opendir(SYS_CPU);
	while (d && (de = readdir(d)) && n < (int)ARRAY_SIZE(ids)) {
		char *end;
		long id;

		if (strncmp(de->d_name, "cpu", 3))
			continue;
		id = strtol(de->d_name + 3, &end, 10);
		if (end != de->d_name + 3 && !*end && id >= 0)
			ids[n++] = (int)id;
	}
	if (d)
		closedir(d);
	qsort(ids, n, sizeof(ids[0]), cpu_cmp);
	s->ncpus = n;
	for (i = 0; i < n; i++) {
		char path[128], v[8];

		snprintf(path, sizeof(path), SYS_CPU "/cpu%d/online", ids[i]);
		/* CPU 0 stays with Linux, even where it could go offline. */
		if (!ids[i] || !read_line(path, v, sizeof(v)))
			continue;
		s->hotplug++;
		if (!strcmp(v, "1")) {
			s->takeable++;
			list_add(s->list, sizeof(s->list), ids[i], &f1, &l1);
		} else {
			list_add(s->offline, sizeof(s->offline), ids[i],
				 &f2, &l2);
		}
	}
	list_add(s->list, sizeof(s->list), -1, &f1, &l1);
	list_add(s->offline, sizeof(s->offline), -1, &f2, &l2);
}

static void check_cpus(struct report *r)
{
	struct cpu_scan s;
	struct check *c;

	scan_cpus(&s);
	if (s.takeable) {
		add(r, "cpus", CHK_OK,
		    "%d CPU%s can be taken (CPU %s); CPU 0 stays with Linux; at most %d per enclave",
		    s.takeable, s.takeable == 1 ? "" : "s", s.list,
		    COK_MAX_CORES);
		return;
	}
	if (s.ncpus <= 1) {
		c = add(r, "cpus", CHK_FAIL,
			"no CPU can be taken: this system has %d CPU and CPU 0 stays with Linux",
			s.ncpus);
		fix(c, "run on a machine (or guest: qemu -smp 2 or more) with a second CPU");
	} else if (!s.hotplug) {
		c = add(r, "cpus", CHK_FAIL,
			"no CPU can be taken: no CPU hotplug (no %s/cpuN/online)",
			SYS_CPU);
		fix(c, "boot a kernel built with CONFIG_HOTPLUG_CPU=y (every Debian kernel is)");
	} else {
		c = add(r, "cpus", CHK_FAIL,
			"no CPU can be taken: every CPU but 0 is offline (%s), held by enclaves or set offline",
			s.offline);
		fix(c, "destroy an enclave, or 'echo 1 > %s/cpuN/online' for one of %s",
		    SYS_CPU, s.offline);
	}
}

/* ---- memory ----------------------------------------------------------- */

static long long meminfo_kb(const char *key)
{
	char line[256];
	long long v = -1;
	size_t kl = strlen(key);
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && v < 0 && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, kl) && line[kl] == ':')
			v = atoll(line + kl + 1);
	}
	if (f)
		fclose(f);
	return v;
}

/* Free 2 MiB blocks in the buddy allocator now (order 9, 10 counts 2). */
static long long free_chunks_now(void)
{
	const int order = COK_CHUNK_SHIFT - 12;
	long long total = 0;
	char line[512];
	FILE *f = fopen("/proc/buddyinfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "zone");
		int o = 0;

		if (!p)
			continue;
		p += 4;
		while (*p == ' ')
			p++;
		p += strcspn(p, " ");		/* the zone's name */
		for (;;) {
			char *end;
			long long n = strtoll(p, &end, 10);

			if (end == p)
				break;
			if (o >= order)
				total += n << (o - order);
			o++;
			p = end;
		}
	}
	fclose(f);
	return total;
}

static void check_memory(struct report *r)
{
	long long avail = meminfo_kb("MemAvailable");
	long long reserve = COK_LINUX_RESERVE >> 10, chunks, now;
	struct check *c;

	if (avail < 0) {
		c = add(r, "memory", CHK_FAIL, "no MemAvailable in /proc/meminfo");
		fix(c, "mount /proc");
		return;
	}
	chunks = avail > reserve ? ((avail - reserve) << 10) >> COK_CHUNK_SHIFT : 0;
	now = free_chunks_now();
	if (!chunks) {
		c = add(r, "memory", CHK_FAIL,
			"no 2 MiB chunk can be spared: MemAvailable %lld MiB, %lld MiB stay with Linux",
			avail >> 10, reserve >> 10);
		fix(c, "free memory: MemAvailable must exceed %lld MiB by the enclave's size",
		    reserve >> 10);
		return;
	}
	add(r, "memory", CHK_OK,
	    "%lld chunks of 2 MiB (%lld MiB) can be spared: MemAvailable %lld MiB less %lld MiB for Linux; %lld free as 2 MiB blocks now",
	    chunks, chunks * 2, avail >> 10, reserve >> 10, now);
}

/* ---- CPU features ------------------------------------------------------ */

static bool cpu_flag(const char *flags, const char *flag)
{
	size_t l = strlen(flag);
	const char *p;

	for (p = flags; (p = strstr(p, flag)); p += l) {
		if ((p == flags || p[-1] == ' ') && (p[l] == ' ' || !p[l]))
			return true;
	}
	return false;
}

struct feature {
	const char *flag;
	const char *name;
	const char *ok;
	const char *missing;
};

static const struct feature features[] = {
	{ "xsave", "xsave",
	  "XSAVE: apps' x87/SSE/AVX state is saved and checkpointed whole",
	  "no XSAVE: the co-kernel saves x87/SSE state only (FXSAVE), so apps get no AVX and images hold FXSAVE state" },
	{ "smep", "smep",
	  "SMEP: Linux cannot execute user pages in ring 0",
	  "no SMEP: Linux runs without its guard against executing user pages in ring 0 (enclaves still run)" },
	{ "smap", "smap",
	  "SMAP: Linux cannot touch user pages in ring 0 by accident",
	  "no SMAP: Linux runs without its guard against ring-0 access to user pages (enclaves still run)" },
};

static void check_features(struct report *r)
{
	char line[8192];
	bool found = false;
	const char *flags = "";
	FILE *f = fopen("/proc/cpuinfo", "r");
	size_t i;

	while (f && !found && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "flags", 5))
			continue;
		line[strcspn(line, "\n")] = '\0';
		flags = strchr(line, ':') ? strchr(line, ':') + 1 : "";
		found = true;
	}
	if (f)
		fclose(f);
	for (i = 0; i < ARRAY_SIZE(features); i++) {
		const struct feature *ft = &features[i];
		struct check *c;

		if (cpu_flag(flags, ft->flag)) {
			c = add(r, ft->name, CHK_OK, "%s", ft->ok);
		} else {
			c = add(r, ft->name, CHK_WARN, "%s", ft->missing);
			fix(c, "a CPU (or QEMU -cpu model) with %s", ft->flag);
		}
		c->essential = false;
	}
}

/* ---- the device node ---------------------------------------------------- */

static void check_device(struct report *r)
{
	struct stat st;
	struct check *c;
	unsigned int mode;

	if (stat(COK_DEV_PATH, &st)) {
		c = add(r, "device", CHK_FAIL, "no %s", COK_DEV_PATH);
		if (r->loaded)
			fix(c, "udevadm trigger (or mknod %s c 10 MINOR, MINOR from /sys/class/misc/%s/dev)",
			    COK_DEV_PATH, COK_GENL_NAME);
		else
			fix(c, "load the module: it creates the node");
		return;
	}
	if (!S_ISCHR(st.st_mode)) {
		c = add(r, "device", CHK_FAIL, "%s is not a character device",
			COK_DEV_PATH);
		fix(c, "rm %s and reload the module", COK_DEV_PATH);
		return;
	}
	mode = st.st_mode & 07777;
	if (mode & 0006) {
		c = add(r, "device", CHK_WARN,
			"%s mode %04o: every local user may launch, restore, freeze, dump and kill their own apps on enclaves (cokctl help security)",
			COK_DEV_PATH, mode);
		fix(c, "chmod 0600 %s, or 0660 with a group of the users allowed",
		    COK_DEV_PATH);
	} else if (st.st_gid && (mode & 0060)) {
		c = add(r, "device", CHK_OK,
			"%s mode %04o uid %u gid %u: members of group %u may run apps on enclaves (cokctl help security)",
			COK_DEV_PATH, mode, st.st_uid, st.st_gid, st.st_gid);
	} else {
		c = add(r, "device", CHK_OK,
			"%s mode %04o uid %u gid %u: only root runs apps on enclaves; a site may hand the node to a job's user (cokctl help security)",
			COK_DEV_PATH, mode, st.st_uid, st.st_gid);
	}
	if (access(COK_DEV_PATH, R_OK | W_OK)) {
		c = add(r, "access", CHK_WARN,
			"uid %u may not open %s: launch and restore exit 4 for this user",
			getuid(), COK_DEV_PATH);
		fix(c, "run as root, or have an administrator give this user the device (see cokctl help security)");
		c->essential = false;
	}
}

/* ---- output ------------------------------------------------------------ */

static bool report_ok(const struct report *r)
{
	int i;

	for (i = 0; i < r->n; i++) {
		if (r->c[i].essential && r->c[i].level == CHK_FAIL)
			return false;
	}
	return true;
}

static void print_text(const struct report *r)
{
	int i;

	for (i = 0; i < r->n; i++) {
		const struct check *c = &r->c[i];

		printf("%-4s  %-8s %s\n", level_names[c->level], c->name,
		       c->detail);
		if (c->fix[0])
			printf("      %-8s fix: %s\n", "", c->fix);
	}
	printf("%s\n", report_ok(r) ? "this host can run enclaves" :
	       "this host cannot run enclaves: see FAIL above");
}

static void print_json(const struct report *r)
{
	int i;

	printf("{\"ok\":");
	cok_json_bool(stdout, report_ok(r));
	printf(",\"kernel\":");
	cok_json_string(stdout, r->uts.release);
	printf(",\"checks\":[");
	for (i = 0; i < r->n; i++) {
		const struct check *c = &r->c[i];

		printf("%s{\"name\":", i ? "," : "");
		cok_json_string(stdout, c->name);
		printf(",\"status\":");
		cok_json_string(stdout, level_names[c->level]);
		printf(",\"essential\":");
		cok_json_bool(stdout, c->essential);
		printf(",\"detail\":");
		cok_json_string(stdout, c->detail);
		printf(",\"fix\":");
		cok_json_string(stdout, c->fix);
		putchar('}');
	}
	printf("]}\n");
}

int cok_cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "module", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct report r;
	bool json = false;
	int c;

	memset(&r, 0, sizeof(r));
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jm:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'm':
			r.ko_path = optarg;
			break;
		case 'h':
			cok_print_manual(cok_find_verb("check")->manual);
			return COK_EXIT_OK;
		default:
			return cok_option_error("check", c, argv);
		}
	}
	if (optind < argc)
		return cok_usage_error("check", "unexpected argument '%s'",
				       argv[optind]);
	if (r.ko_path && access(r.ko_path, R_OK))
		return cok_usage_error("check", "%s: %s", r.ko_path,
				       strerror(errno));
	uname(&r.uts);
	check_module(&r);
	check_build(&r);
	check_netlink(&r);
	check_cpus(&r);
	check_memory(&r);
	check_features(&r);
	check_device(&r);
	if (json)
		print_json(&r);
	else
		print_text(&r);
	return report_ok(&r) ? COK_EXIT_OK : COK_EXIT_REFUSED;
}
