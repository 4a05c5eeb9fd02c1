// SPDX-License-Identifier: GPL-2.0
/*
 * sysview [stack]: what the program sees of the system (issue 9 part 7):
 * uname, /proc/self/{exe,cmdline,status,stat,maps,fd}, /proc/cpuinfo,
 * the online CPUs, /proc/meminfo against sysinfo, the resource limits
 * and prctl.  Lines that describe the machine rather than the program
 * start with "val " (CPU counts, memory): the test checks them against
 * what it computes for Linux and for the enclave; every other line must
 * be the same on both.
 *
 * "stack": lowers RLIMIT_STACK to 256 KiB and recurses 1 MiB deep: the
 * stack may not grow that far (SIGSEGV, 139).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>

static const char *yes(int c)
{
	return c ? "yes" : "no";
}

static const char *err(long r)
{
	if (r >= 0)
		return "ok";
	switch (errno) {
	case EPERM: return "EPERM";
	case EINVAL: return "EINVAL";
	case ENOMEM: return "ENOMEM";
	case ESRCH: return "ESRCH";
	case EFAULT: return "EFAULT";
	case EACCES: return "EACCES";
	default: return strerror(errno);
	}
}

/* The whole of a small file, NUL-ended; its length in *n. */
static char *slurp(const char *path, size_t *n)
{
	static char buf[1 << 17];
	FILE *f = fopen(path, "re");

	*n = 0;
	buf[0] = 0;
	if (!f)
		return NULL;
	*n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[*n] = 0;
	fclose(f);
	return buf;
}

/* The value after "key:" in a "key:\tvalue" file, into out. */
static int field(const char *path, const char *key, char *out, size_t size)
{
	size_t n, k = strlen(key);
	char *s = slurp(path, &n), *line;

	for (line = s; line && *line; line = strchr(line, '\n') ?
	     strchr(line, '\n') + 1 : NULL) {
		if (!strncmp(line, key, k) && line[k] == ':') {
			const char *v = line + k + 1;

			v += strspn(v, " \t");
			snprintf(out, size, "%.*s", (int)strcspn(v, "\n"), v);
			return 0;
		}
	}
	snprintf(out, size, "(none)");
	return -1;
}

static void show_uname(void)
{
	struct utsname u;

	if (uname(&u)) {
		printf("uname: %s\n", err(-1));
		return;
	}
	printf("uname: %s|%s|%s|%s|%s|%s\n", u.sysname, u.nodename,
	       u.release, u.version, u.machine, u.domainname);
}

static void show_exe_cmdline(void)
{
	char exe[4096], *s;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	size_t len, i;

	exe[n > 0 ? n : 0] = 0;
	printf("exe: %s\n", n > 0 ? exe : err(n));
	n = readlink("/proc/self/exe", exe, 4);
	printf("exe short: %zd\n", n);
	s = slurp("/proc/self/cmdline", &len);
	for (i = 0; s && i < len; i++)
		if (!s[i])
			s[i] = '|';
	printf("cmdline: %s\n", s ? s : "(none)");
}

/* The fields of /proc/self/stat: pid (comm) state ppid ... */
static void show_stat(const char *path, long pid)
{
	size_t n;
	char *s = slurp(path, &n), *close_paren, comm[64];
	long f1, ppid, threads = -1;
	char state;
	int i;

	if (!s || sscanf(s, "%ld", &f1) != 1 || !(close_paren = strrchr(s, ')'))) {
		printf("%s: unreadable\n", path);
		return;
	}
	snprintf(comm, sizeof(comm), "%.*s", (int)(close_paren - strchr(s, '(') - 1),
		 strchr(s, '(') + 1);
	sscanf(close_paren + 2, "%c %ld", &state, &ppid);
	/* num_threads is field 20: 17 after ppid (field 4). */
	s = close_paren + 2;
	for (i = 3; i < 20 && s; i++)
		s = strchr(s, ' ') ? strchr(s, ' ') + 1 : NULL;
	if (s)
		threads = strtol(s, NULL, 10);
	printf("%s: pid is mine %s, comm %s, state %c, ppid is getppid %s, threads %ld\n",
	       path, yes(f1 == pid), comm, state, yes(ppid == getppid()), threads);
}

static void show_status(const char *path)
{
	char name[64], threads[32], pid[32];

	field(path, "Name", name, sizeof(name));
	field(path, "Threads", threads, sizeof(threads));
	field(path, "Pid", pid, sizeof(pid));
	printf("%s: Name %s, Threads %s, Pid is mine %s\n", path, name,
	       threads, yes(atol(pid) == (long)syscall(SYS_gettid) ||
			    atol(pid) == (long)getpid()));
}

/* The maps line holding addr, its name and whether it is executable. */
static const char *maps_find(uintptr_t addr, char *perms)
{
	static char name[256];
	size_t n;
	char *s = slurp("/proc/self/maps", &n), *line;

	for (line = s; line && *line; line = strchr(line, '\n') ?
	     strchr(line, '\n') + 1 : NULL) {
		unsigned long lo, hi;
		int off = 0;

		if (sscanf(line, "%lx-%lx %4s %*s %*s %*s%n", &lo, &hi, perms,
			   &off) < 3)
			continue;
		if (addr >= lo && addr < hi) {
			const char *v = line + off;

			v += strspn(v, " ");
			snprintf(name, sizeof(name), "%.*s", (int)strcspn(v, "\n"), v);
			return name;
		}
	}
	return NULL;
}

/*
 * The break moved n bytes up (the raw call: musl's sbrk refuses to move
 * it); its old end, or NULL with errno ENOMEM.
 */
static char *grow_brk(long n)
{
	long cur = syscall(SYS_brk, 0);

	if (syscall(SYS_brk, cur + n) != cur + n) {
		errno = ENOMEM;
		return NULL;
	}
	return (char *)cur;
}

static int code_marker(void)
{
	return 42;
}

static void show_maps(void)
{
	char perms[8] = "", *heap = grow_brk(4096);
	const char *n;
	int local = 0;
	void *big = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (heap)
		heap[0] = 1;
	n = maps_find((uintptr_t)&local, perms);
	printf("maps: a local is in %s\n", n ? n : "(nothing)");
	n = maps_find((uintptr_t)heap, perms);
	printf("maps: sbrk memory is in %s\n", n ? n : "(nothing)");
	n = maps_find((uintptr_t)big, perms);
	printf("maps: an mmap is mapped %s, writable %s\n", yes(n != NULL),
	       yes(perms[1] == 'w'));
	n = maps_find((uintptr_t)code_marker, perms);
	printf("maps: the code is mapped %s, executable %s\n", yes(n != NULL),
	       yes(perms[2] == 'x'));
	munmap(big, 1 << 20);
}

static void show_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	char list[256] = "";
	int mask = 0, i;

	if (!d) {
		printf("fd/: %s\n", err(-1));
		return;
	}
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && atoi(e->d_name) < 16)
			mask |= 1 << atoi(e->d_name);
	closedir(d);
	for (i = 0; i < 16; i++)
		if (mask & (1 << i))
			snprintf(list + strlen(list), sizeof(list) - strlen(list),
				 " %d", i);
	printf("fd/:%s\n", list);
}

/* CPUs as the machine shows them to the program: "val" lines. */
static void show_cpus(void)
{
	size_t n;
	char *base = slurp("/proc/cpuinfo", &n), *s, online[64];
	int count = 0;

	for (s = base; s && (s = strstr(s, "processor")); s++)
		if (s == base || s[-1] == '\n')
			count++;
	printf("val cpuinfo processors %d\n", count);
	s = slurp("/sys/devices/system/cpu/online", &n);
	snprintf(online, sizeof(online), "%.*s", (int)strcspn(s ? s : "", "\n"),
		 s ? s : "");
	printf("val online %s\n", online);
	printf("val possible is online %s\n",
	       yes(!strcmp(online, (s = slurp("/sys/devices/system/cpu/possible", &n)) ?
			   strtok(s, "\n") : "")));
	printf("val nprocessors_onln %ld\n", sysconf(_SC_NPROCESSORS_ONLN));
}

static void show_memory(void)
{
	char total[64], freekb[64];
	struct sysinfo si;
	unsigned long long t, f;

	field("/proc/meminfo", "MemTotal", total, sizeof(total));
	field("/proc/meminfo", "MemFree", freekb, sizeof(freekb));
	t = strtoull(total, NULL, 10);
	f = strtoull(freekb, NULL, 10);
	if (sysinfo(&si)) {
		printf("sysinfo: %s\n", err(-1));
		return;
	}
	printf("val MemTotal %llu\n", t);
	printf("meminfo: MemFree <= MemTotal %s, MemTotal is sysinfo totalram %s\n",
	       yes(f <= t && t > 0),
	       yes((unsigned long long)si.totalram * si.mem_unit / 1024 == t));
	printf("sysinfo: freeram <= totalram %s, uptime > 0 %s, procs > 0 %s\n",
	       yes(si.freeram <= si.totalram), yes(si.uptime > 0),
	       yes(si.procs > 0));
}

static void show_limit(const char *name, int res)
{
	struct rlimit r;

	if (getrlimit(res, &r)) {
		printf("getrlimit %s: %s\n", name, err(-1));
		return;
	}
	printf("rlimit %s: %lld %lld\n", name,
	       r.rlim_cur == RLIM_INFINITY ? -1LL : (long long)r.rlim_cur,
	       r.rlim_max == RLIM_INFINITY ? -1LL : (long long)r.rlim_max);
}

static void rlimits(void)
{
	struct rlimit r, old;
	void *m;

	show_limit("STACK", RLIMIT_STACK);
	show_limit("NOFILE", RLIMIT_NOFILE);
	show_limit("AS", RLIMIT_AS);
	show_limit("DATA", RLIMIT_DATA);
	show_limit("CORE", RLIMIT_CORE);
	/* AS: a mapping past the soft limit is refused, below works. */
	getrlimit(RLIMIT_AS, &old);
	r.rlim_cur = 64UL << 20;
	r.rlim_max = old.rlim_max;
	printf("setrlimit AS 64M: %s\n", err(setrlimit(RLIMIT_AS, &r)));
	m = mmap(NULL, 128UL << 20, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	printf("mmap 128M under AS 64M: %s\n", err(m == MAP_FAILED ? -1 : 0));
	m = mmap(NULL, 1UL << 20, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	printf("mmap 1M under AS 64M: %s\n", err(m == MAP_FAILED ? -1 : 0));
	if (m != MAP_FAILED)
		munmap(m, 1UL << 20);
	printf("setrlimit AS back: %s\n", err(setrlimit(RLIMIT_AS, &old)));
	/* DATA: brk and private writable mappings count. */
	getrlimit(RLIMIT_DATA, &old);
	r.rlim_cur = 16UL << 20;
	r.rlim_max = old.rlim_max;
	printf("setrlimit DATA 16M: %s\n", err(setrlimit(RLIMIT_DATA, &r)));
	m = mmap(NULL, 32UL << 20, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	printf("mmap 32M under DATA 16M: %s\n", err(m == MAP_FAILED ? -1 : 0));
	printf("brk 32M more under DATA 16M: %s\n",
	       err(grow_brk(32L << 20) ? 0 : -1));
	printf("setrlimit DATA back: %s\n", err(setrlimit(RLIMIT_DATA, &old)));
	/* Errors: soft above hard, an unknown resource, another pid. */
	getrlimit(RLIMIT_CORE, &old);
	r.rlim_cur = 2048;
	r.rlim_max = 1024;
	printf("setrlimit CORE soft > hard: %s\n", err(setrlimit(RLIMIT_CORE, &r)));
	printf("getrlimit 99: %s\n", err(getrlimit(99, &r)));
	printf("prlimit pid 99999: %s\n", err(prlimit(99999, RLIMIT_CORE, NULL, &r)));
	/* The hard limit lowered, then raised: EPERM but for root. */
	r.rlim_cur = 0;
	r.rlim_max = 4096;
	printf("setrlimit CORE hard 4096: %s\n", err(setrlimit(RLIMIT_CORE, &r)));
	r.rlim_max = 8192;
	printf("setrlimit CORE hard 8192 (raise): %s\n",
	       err(setrlimit(RLIMIT_CORE, &r)));
	show_limit("CORE", RLIMIT_CORE);
	/* prlimit64 gives the old value with the new one set. */
	r.rlim_cur = r.rlim_max = 1024;
	printf("prlimit CORE 1024: %s\n", err(prlimit(0, RLIMIT_CORE, &r, &old)));
	printf("prlimit old CORE: %lld\n", (long long)old.rlim_max);
	/* NOFILE is the proxy's: lowered, seen, put back. */
	getrlimit(RLIMIT_NOFILE, &old);
	r.rlim_cur = 64;
	r.rlim_max = old.rlim_max;
	printf("setrlimit NOFILE 64: %s\n", err(setrlimit(RLIMIT_NOFILE, &r)));
	show_limit("NOFILE", RLIMIT_NOFILE);
	printf("setrlimit NOFILE back: %s\n", err(setrlimit(RLIMIT_NOFILE, &old)));
}

static void prctls(void)
{
	char name[32] = "";
	int sig = -1;
	long r;

	printf("PR_SET_NAME: %s\n", err(prctl(PR_SET_NAME, "renamed-to-a-long-name")));
	r = prctl(PR_GET_NAME, name);
	printf("PR_GET_NAME: %s %s\n", err(r), name);
	show_status("/proc/self/status");
	printf("PR_GET_DUMPABLE: %d\n", prctl(PR_GET_DUMPABLE));
	printf("PR_SET_DUMPABLE 2: %s\n", err(prctl(PR_SET_DUMPABLE, 2)));
	printf("PR_SET_PDEATHSIG 9: %s\n", err(prctl(PR_SET_PDEATHSIG, 9)));
	r = prctl(PR_GET_PDEATHSIG, &sig);
	printf("PR_GET_PDEATHSIG: %s %d\n", err(r), sig);
	printf("PR_SET_PDEATHSIG 99: %s\n", err(prctl(PR_SET_PDEATHSIG, 99)));
	printf("PR_GET_NO_NEW_PRIVS: %d\n", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	printf("PR_SET_NO_NEW_PRIVS: %s\n",
	       err(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)));
	printf("PR_GET_NO_NEW_PRIVS: %d\n", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	printf("PR_GET_TIMERSLACK: %d\n", prctl(PR_GET_TIMERSLACK));
	printf("prctl 9999: %s\n", err(prctl(9999, 0, 0, 0, 0)));
}

static void *thread_main(void *arg)
{
	(void)arg;
	show_status("/proc/thread-self/status");
	show_stat("/proc/thread-self/stat", syscall(SYS_gettid));
	show_status("/proc/self/status");
	return NULL;
}

static void threads(void)
{
	pthread_t t;

	if (pthread_create(&t, NULL, thread_main, NULL)) {
		printf("pthread_create failed\n");
		return;
	}
	pthread_join(t, NULL);
}

static int deep(int n)
{
	volatile char pad[1024];

	pad[0] = (char)n;
	return n ? deep(n - 1) + pad[0] : 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "stack")) {
		struct rlimit r = { 256 << 10, RLIM_INFINITY };

		getrlimit(RLIMIT_STACK, &r);
		r.rlim_cur = 256 << 10;
		printf("setrlimit STACK 256K: %s\n", err(setrlimit(RLIMIT_STACK, &r)));
		fflush(stdout);
		printf("deep: %d\n", deep(1024));
		return 0;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	show_uname();
	show_exe_cmdline();
	show_status("/proc/self/status");
	show_stat("/proc/self/stat", getpid());
	show_maps();
	show_fds();
	show_cpus();
	show_memory();
	rlimits();
	prctls();
	threads();
	return 0;
}
