// SPDX-License-Identifier: GPL-2.0
/*
 * The manuals of cokctl and of each verb, and the verb table.
 */
#include <string.h>

#include "cokctl.h"
#include "../xemem/cokdev.h"

#define COK_STR_(x)	#x
#define COK_STR(x)	COK_STR_(x)

#define COK_ELF_MAX_MIB	64	/* COK_ELF_MAX, checked below */
_Static_assert(COK_ELF_MAX == (unsigned long)COK_ELF_MAX_MIB << 20,
	       "the launch manual names COK_ELF_MAX");

#define EXIT_STATUS \
"EXIT STATUS\n" \
"    0   Success.\n" \
"    1   The module refused the request.  Its reason is printed on\n" \
"        standard error as one line, \"cokctl: MESSAGE\"; when the module\n" \
"        gave no message, the system's text for its error code.\n" \
"    2   Usage error: unknown verb or option, missing or malformed\n" \
"        argument.\n" \
"    3   The " COK_GENL_NAME " module is not loaded.\n" \
"    4   Permission denied (EPERM or EACCES); changing enclaves needs\n" \
"        CAP_SYS_ADMIN.\n" \
"    5   Any other system error: netlink socket, memory, malformed\n" \
"        answer.\n"

const char cok_main_manual[] =
"NAME\n"
"    cokctl - control the co-kernel enclaves of the " COK_GENL_NAME " module\n"
"\n"
"SYNOPSIS\n"
"    cokctl create (--cpus N | --cpu-list LIST) --mem SIZE [-j]\n"
"    cokctl destroy ENCLAVE\n"
"    cokctl status [ENCLAVE] [-j]\n"
"    cokctl console [ENCLAVE] [-f]\n"
"    cokctl launch [--enclave ENCLAVE] [--core N] [-v|-t] PROGRAM [ARGS...]\n"
"    cokctl ps [-j]\n"
"    cokctl kill APP\n"
"    cokctl help [VERB]\n"
"    cokctl VERB --help\n"
"    cokctl --help | --version\n"
"\n"
"DESCRIPTION\n"
"    The " COK_GENL_NAME " kernel module takes CPU cores and memory away\n"
"    from Linux and boots a small co-kernel of its own on them.  Such a\n"
"    set of cores and memory, with its co-kernel, is an enclave; it is\n"
"    named by a small positive number, its id (ENCLAVE below).\n"
"\n"
"    cokctl talks to the module over generic netlink (family \""
COK_GENL_NAME "\",\n"
"    protocol version " COK_STR(COK_GENL_VERSION) ").  Each verb is one request; the module checks\n"
"    every request and explains a refusal in one line.\n"
"\n"
"    Programs (apps) run on the cores of an enclave through the character\n"
"    device " COK_DEV_PATH ": \"cokctl launch\" starts one and stays in the\n"
"    foreground as its proxy, making its file and terminal system calls\n"
"    for it, until it ends.\n"
"\n"
"VERBS\n"
"    create    Take cores and memory and boot a co-kernel on them.\n"
"    destroy   Stop an enclave and give its cores and memory back.\n"
"    status    Show enclaves, their cores and counters (also as JSON).\n"
"    console   Print the log of an enclave's co-kernel, or follow it.\n"
"    launch    Run a static Linux program on a co-kernel core.\n"
"    ps        List the apps on co-kernel cores (also as JSON).\n"
"    kill      End an app.\n"
"    help      Show this manual, or the manual of a verb.\n"
"\n"
"    \"cokctl help VERB\" and \"cokctl VERB --help\" show the manual of VERB.\n"
"\n"
"OPTIONS\n"
"    -h, --help\n"
"        Show this manual and exit.\n"
"    -V, --version\n"
"        Show the version of cokctl and of the netlink protocol it speaks,\n"
"        and exit.\n"
"\n"
EXIT_STATUS
"\n"
"    cokctl launch ends with the exit status of its program once that\n"
"    runs; see \"cokctl launch --help\".\n"
"\n"
"EXAMPLES\n"
"    Boot an enclave on two cores with 256 MiB, look at it, read its log\n"
"    and destroy it again:\n"
"\n"
"        id=$(cokctl create --cpus 2 --mem 256M)\n"
"        cokctl status \"$id\"\n"
"        cokctl console \"$id\"\n"
"        cokctl destroy \"$id\"\n"
"\n"
"    The state of every enclave, as one line of JSON:\n"
"\n"
"        cokctl status -j\n"
"\n"
"    Run a static program on one of its cores:\n"
"\n"
"        cokctl launch ./hello world\n";

static const char create_manual[] =
"NAME\n"
"    cokctl create - boot a new enclave\n"
"\n"
"SYNOPSIS\n"
"    cokctl create --cpus N --mem SIZE [-j]\n"
"    cokctl create --cpu-list LIST --mem SIZE [-j]\n"
"\n"
"DESCRIPTION\n"
"    Asks the module to take CPU cores away from Linux (they go offline\n"
"    there), to take memory in physically contiguous 2 MiB chunks, and to\n"
"    boot a co-kernel on them.  CPU 0 always stays with Linux.\n"
"\n"
"    On success the id of the new enclave is printed alone on standard\n"
"    output, so that a script can keep it:\n"
"\n"
"        id=$(cokctl create --cpus 1 --mem 64M)\n"
"\n"
"    The enclave then exists; \"cokctl status\" shows whether its\n"
"    co-kernel is still booting, running or has failed.\n"
"\n"
"    cokctl checks only the syntax of the values.  Whether they can be\n"
"    granted (free CPUs, memory, size a multiple of 2 MiB, at most "
COK_STR(COK_MAX_CORES) "\n"
"    cores) is decided by the module, which explains a refusal.\n"
"    Needs CAP_SYS_ADMIN.\n"
"\n"
"OPTIONS\n"
"    -c, --cpus N\n"
"        Take N cores; the module picks free online CPUs, lowest numbers\n"
"        first.\n"
"    -l, --cpu-list LIST\n"
"        Take exactly these Linux CPUs.  LIST is a comma-separated list of\n"
"        CPU numbers and ranges: 1,3 or 1-2 or 1-3,6.\n"
"    -m, --mem SIZE\n"
"        Memory of the enclave, a multiple of 2 MiB.  SIZE is a number of\n"
"        bytes, optionally followed by K, M, G or T (powers of 1024; KiB,\n"
"        MiB, GiB and TiB are accepted too): 256M, 1G, 2097152.\n"
"    -j, --json\n"
"        Print {\"id\":N} instead of the bare id.\n"
"    -h, --help\n"
"        Show this manual and exit.\n"
"\n"
"    Exactly one of --cpus and --cpu-list must be given; --mem is required.\n"
"\n"
EXIT_STATUS
"\n"
"EXAMPLES\n"
"        cokctl create --cpus 2 --mem 256M\n"
"        cokctl create --cpu-list 1,3 --mem 1G -j\n"
"        cokctl create --cpu-list 1-2 --mem 2097152\n";

static const char destroy_manual[] =
"NAME\n"
"    cokctl destroy - stop an enclave and give its resources back\n"
"\n"
"SYNOPSIS\n"
"    cokctl destroy ENCLAVE\n"
"\n"
"DESCRIPTION\n"
"    Stops the co-kernel of enclave ENCLAVE (its id, as printed by create\n"
"    and status), brings its cores back online in Linux and returns its\n"
"    memory.  Nothing is printed on success.  Needs CAP_SYS_ADMIN.\n"
"\n"
"OPTIONS\n"
"    -h, --help\n"
"        Show this manual and exit.\n"
"\n"
EXIT_STATUS
"\n"
"    An ENCLAVE that does not exist is a refusal of the module (1).\n"
"\n"
"EXAMPLES\n"
"        cokctl destroy 1\n"
"        for id in $(cokctl status -j | grep -o '\"id\":[0-9]*' |\n"
"                    cut -d: -f2); do cokctl destroy \"$id\"; done\n";

static const char status_manual[] =
"NAME\n"
"    cokctl status - show enclaves, their cores and counters\n"
"\n"
"SYNOPSIS\n"
"    cokctl status [ENCLAVE] [-j]\n"
"\n"
"DESCRIPTION\n"
"    Shows every enclave, or only ENCLAVE.  Before it answers, the module\n"
"    pings every core of an enclave, so ALIVE tells about the present\n"
"    moment; this takes up to about 100 ms per enclave.  Needs no\n"
"    privilege.\n"
"\n"
"    The table has one line per enclave (ID, STATE, CPUS, MEMORY, FREE,\n"
"    UPTIME, BOOT), then one line per core.  With no enclave it says\n"
"    \"no enclaves\".\n"
"\n"
"    With -j the output is exactly one line of JSON, keys in this order\n"
"    and without white space (wrapped here):\n"
"\n"
"        {\"enclaves\":[{\"id\":1,\"state\":\"running\",\"mem_bytes\":268435456,\n"
"        \"mem_free_bytes\":262144000,\"uptime_ns\":123,\"boot_ns\":456,\n"
"        \"boot_memory_ns\":300,\"boot_offline_ns\":150,\"boot_start_ns\":6,\n"
"        \"cores\":[{\"cpu\":2,\"apic_id\":2,\"stage\":\"running\",\"alive\":true,\n"
"        \"heartbeat\":5,\"interrupts\":7,\"nmis\":0,\"foreign_irqs\":0}]}]}\n"
"\n"
"    With no enclave: {\"enclaves\":[]}.\n"
"\n"
"FIELDS\n"
"    state           running, or degraded when a core did not answer\n"
"                    its ping.\n"
"    mem_bytes       Memory of the enclave.\n"
"    mem_free_bytes  Free memory, as the co-kernel's allocator counts it.\n"
"    uptime_ns       Time since the co-kernel's first heartbeat.\n"
"    boot_ns         Time from the create request to the first heartbeat,\n"
"                    made of three phases:\n"
"    boot_memory_ns    taking the memory from Linux (with Debian's\n"
"                      init_on_alloc, Linux zeroes it on the way),\n"
"    boot_offline_ns   taking the cores offline (CPU hotplug),\n"
"    boot_start_ns     INIT/SIPI to the co-kernel's first heartbeat.\n"
"    cpu             Linux CPU number of the core.\n"
"    apic_id         Its local APIC id.\n"
"    stage           The boot stage the core reached, as the module names\n"
"                    it; \"running\" once it serves requests.\n"
"    alive           The core answered the module's ping just now.\n"
"    heartbeat       How many times the core woke up.\n"
"    interrupts      Interrupts the core took, doorbells included.\n"
"    nmis            NMIs the core took.\n"
"    foreign_irqs    Interrupts whose vector is not the co-kernel's (IPIs\n"
"                    meant for Linux that reached the core).\n"
"\n"
"OPTIONS\n"
"    -j, --json\n"
"        Print one line of JSON instead of the table.\n"
"    -h, --help\n"
"        Show this manual and exit.\n"
"\n"
EXIT_STATUS
"\n"
"    An ENCLAVE that does not exist is a refusal of the module (1).\n"
"\n"
"EXAMPLES\n"
"        cokctl status\n"
"        cokctl status 1 -j\n"
"        cokctl status -j | grep -o '\"alive\":[a-z]*'\n";

static const char console_manual[] =
"NAME\n"
"    cokctl console - print the log of an enclave's co-kernel\n"
"\n"
"SYNOPSIS\n"
"    cokctl console [ENCLAVE] [-f]\n"
"\n"
"DESCRIPTION\n"
"    Prints what the co-kernel of ENCLAVE wrote to its console, unchanged,\n"
"    on standard output: from the oldest byte still held (the log is a\n"
"    ring that keeps only the newest output) to the newest.  If bytes\n"
"    were overwritten before they could be read, a note with their number\n"
"    goes to standard error.\n"
"\n"
"    Without ENCLAVE the only enclave is used; it is an error if there is\n"
"    none (exit status 1) or more than one (exit status 2).  Needs no\n"
"    privilege.\n"
"\n"
"OPTIONS\n"
"    -f, --follow\n"
"        After the log, keep printing what the co-kernel writes (looking\n"
"        every 200 ms) until interrupted by SIGINT (Ctrl-C) or SIGTERM;\n"
"        the exit status is then 0.\n"
"    -h, --help\n"
"        Show this manual and exit.\n"
"\n"
EXIT_STATUS
"\n"
"    If the enclave is destroyed while it is followed, the module's\n"
"    refusal ends the command with exit status 1.\n"
"\n"
"EXAMPLES\n"
"        cokctl console\n"
"        cokctl console 2 -f\n"
"        cokctl console 1 | grep -i panic\n";

static const char launch_manual[] =
"NAME\n"
"    cokctl launch - run a static Linux program on a co-kernel core\n"
"\n"
"SYNOPSIS\n"
"    cokctl launch [--enclave ENCLAVE] [--core N] [--verbose | --trace]\n"
"                  [--] PROGRAM [ARGS...]\n"
"\n"
"DESCRIPTION\n"
"    Runs PROGRAM, an unmodified static x86-64 Linux executable, on an idle\n"
"    core of an enclave, with ARGS as its arguments (its argv[0] is PROGRAM\n"
"    as typed) and the environment of cokctl as its environment.  PROGRAM\n"
"    is found as execvp(3) finds it: as given if it contains a '/', else in\n"
"    the directories of PATH.  Such a running program is an app; the module\n"
"    gives it an id (APP), shown by \"cokctl ps\".\n"
"\n"
"    cokctl stays in the foreground as the app's proxy until the app ends.\n"
"    The app's system calls on files and the terminal (read, write, open,\n"
"    stat, ...) are forwarded to cokctl, which makes them itself: the app\n"
"    sees the files, current directory, umask and permissions of the user\n"
"    who ran cokctl, and its standard input, output and error are those of\n"
"    cokctl.  A call that is not forwarded (and that the co-kernel does not\n"
"    serve itself) fails with ENOSYS; see FORWARDED SYSTEM CALLS.\n"
"\n"
"    Before anything is sent to the module, PROGRAM is checked with the\n"
"    co-kernel loader's own ELF check: it must be a static x86-64\n"
"    executable (ET_EXEC, or static-pie) of at most "
COK_STR(COK_ELF_MAX_MIB) " MiB, and executable\n"
"    for the caller, as for execve(2).  A refusal is one line,\n"
"    \"cokctl: PROGRAM: REASON\".  Arguments and environment together may\n"
"    take at most 256 KiB.\n"
"\n"
"    SIGINT (Ctrl-C), SIGTERM and SIGHUP end the app: cokctl has the module\n"
"    kill it and exits with 128 + the signal's number, as a shell reports a\n"
"    Linux program killed by that signal.  A signal that was ignored when\n"
"    cokctl started (nohup, a background job) stays ignored.  If cokctl\n"
"    itself dies, the module ends the app.  \"cokctl kill APP\" sends the\n"
"    proxy SIGTERM.\n"
"\n"
"    When the app is killed by an exception (a page fault on a bad address,\n"
"    a division by zero, ...), cokctl prints one line on standard error:\n"
"\n"
"        cokctl: app 3 killed: SIGSEGV (vector 14 at rip 0x401136 address 0x0)\n"
"\n"
"    the signal a Linux kernel would have sent, the exception vector, the\n"
"    instruction pointer and, for a page fault, the address; and exits with\n"
"    128 + that signal.\n"
"\n"
"    " COK_DEV_PATH " belongs to root (mode 0600); an administrator may\n"
"    give the device node to the user of a job.\n"
"\n"
"OPTIONS\n"
"    -e, --enclave ENCLAVE\n"
"        Run in this enclave.  Without it, the only enclave (the module\n"
"        refuses if there are several).\n"
"    -c, --core N\n"
"        Run on core N of the enclave (an index from 0, as \"cokctl ps\"\n"
"        shows it), which must be idle.  Without it, the first idle core.\n"
"    -v, --verbose\n"
"        On standard error: a line with the app's id, core and CPU when it\n"
"        starts, and one when it ends: how, after how long, how many system\n"
"        calls were forwarded, and how many interrupts its core took while\n"
"        the app ran in ring 3 (\"ring-3 interrupts N\"; 0 on a quiet core).\n"
"    -t, --trace\n"
"        As --verbose, and each forwarded system call with its result:\n"
"        \"cokctl: app N: NAME(ARG0, ARG1, ARG2, ARG3) = RESULT\".\n"
"    -h, --help\n"
"        Show this manual and exit.\n"
"\n"
"    The options end at PROGRAM: what follows it goes to the app\n"
"    unchanged, options included.  \"--\" also ends them.\n"
"\n"
"FORWARDED SYSTEM CALLS\n"
"    read, write, pread64, pwrite64, readv, writev, open, openat, close,\n"
"    lseek, fstat, stat, lstat, newfstatat, getdents64, ftruncate,\n"
"    truncate, fsync, fdatasync, access, faccessat, faccessat2, mkdir,\n"
"    mkdirat, rmdir, unlink, unlinkat, rename, renameat, renameat2,\n"
"    readlink, readlinkat, getcwd, chdir, fchdir, dup, dup2, dup3, umask,\n"
"    sysinfo (Linux's figures), getuid, geteuid, getgid, getegid;\n"
"    fcntl with F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_SETFD, F_GETFL and\n"
"    F_SETFL (other commands: EINVAL); ioctl for terminal queries only:\n"
"    TCGETS, TCGETS2, TIOCGLCKTRMIOS, TIOCGWINSZ, TIOCGPGRP, TIOCGSID,\n"
"    TIOCGETD, FIONREAD, TIOCOUTQ, TIOCMGET (other requests: ENOTTY).\n"
"    pipe and pipe2 are not forwarded (ENOSYS).\n"
"\n"
"    Pointers are checked against the app's own page tables, as its MMU\n"
"    checks them: an address outside user space or on a page that is not\n"
"    mapped (or not writable, where the call writes) gives EFAULT, and a\n"
"    transfer that runs into such a page stops there with a short count.\n"
"    Paths may be up to PATH_MAX (4096) bytes with their NUL\n"
"    (ENAMETOOLONG).  /proc/self is cokctl.  cokctl keeps two file\n"
"    descriptors of its own at the top of the table (below 1024); for the\n"
"    app they do not exist (EBADF).\n"
"\n"
"EXIT STATUS\n"
"    Once the app runs, the exit status is the app's:\n"
"    N       The app called exit(N) (N modulo 256).\n"
"    128+S   It was killed by signal S: an exception (139 for SIGSEGV, 136\n"
"            for SIGFPE, ...), or cokctl got SIGHUP (129), SIGINT (130) or\n"
"            SIGTERM (143) and ended it.  137: the module reported it\n"
"            killed (SIGKILL).\n"
"    5       cokctl lost contact with the module; the app is ended.\n"
"\n"
"    Before it runs:\n"
"    1   The app could not be launched, one line on standard error:\n"
"        PROGRAM not found, not a regular file, not a static x86-64\n"
"        executable, too large, arguments too long; or the module refused\n"
"        (no enclave, no idle core, not enough memory in the enclave, the\n"
"        co-kernel's loader refused the program).\n"
"    2   Usage error.\n"
"    3   The " COK_GENL_NAME " module is not loaded (no " COK_DEV_PATH ").\n"
"    4   Permission denied: PROGRAM is not executable for the caller, or\n"
"        " COK_DEV_PATH " may not be opened.\n"
"    5   Any other system error.\n"
"\n"
"    An app may exit with these numbers too: the line on standard error\n"
"    tells cokctl's own failures apart.\n"
"\n"
"EXAMPLES\n"
"        cokctl launch ./hello\n"
"        cokctl launch --core 1 -- ./sha256sum -c data.sum\n"
"        cokctl launch -e 2 ./fwq -n 1000 >fwq.out; echo \"exit $?\"\n"
"        cokctl launch --trace ./hello 2>trace.txt\n";

static const char ps_manual[] =
"NAME\n"
"    cokctl ps - list the apps on co-kernel cores\n"
"\n"
"SYNOPSIS\n"
"    cokctl ps [-j]\n"
"\n"
"DESCRIPTION\n"
"    Shows every app on a core of an enclave, one line each: its id (APP),\n"
"    the enclave, the core's index in the enclave and its Linux CPU number,\n"
"    the app's state, and the pid of its proxy (the \"cokctl launch\"\n"
"    process that runs it).  Without apps it says \"no apps\".  Like\n"
"    status, it asks every enclave; this takes up to about 100 ms per\n"
"    enclave.  Needs no privilege.\n"
"\n"
"    With -j the output is exactly one line of JSON, keys in this order and\n"
"    without white space (wrapped here):\n"
"\n"
"        {\"apps\":[{\"id\":1,\"enclave\":1,\"core\":0,\"cpu\":1,\n"
"        \"state\":\"running\",\"pid\":123}]}\n"
"\n"
"    With no app: {\"apps\":[]}.\n"
"\n"
"FIELDS\n"
"    id       The app's id, as \"cokctl kill\" takes it.\n"
"    enclave  The id of its enclave.\n"
"    core     The core's index in the enclave (as \"launch --core\" takes it).\n"
"    cpu      The core's Linux CPU number.\n"
"    state    As the module names it: loading, running, exited, faulted,\n"
"             killed.\n"
"    pid      The process id of its proxy, as the module saw it; 0 if none.\n"
"\n"
"OPTIONS\n"
"    -j, --json\n"
"        Print one line of JSON instead of the table.\n"
"    -h, --help\n"
"        Show this manual and exit.\n"
"\n"
EXIT_STATUS
"\n"
"EXAMPLES\n"
"        cokctl ps\n"
"        cokctl ps -j | grep -o '\"pid\":[0-9]*'\n";

static const char kill_manual[] =
"NAME\n"
"    cokctl kill - end an app\n"
"\n"
"SYNOPSIS\n"
"    cokctl kill APP\n"
"\n"
"DESCRIPTION\n"
"    Ends app APP (its id, as \"cokctl ps\" shows it) by sending SIGTERM to\n"
"    its proxy, the \"cokctl launch\" process that runs it.  The proxy has\n"
"    the module end the app, and exits with status 143 (128 + SIGTERM).\n"
"    cokctl kill returns once the signal is sent; the app is gone from\n"
"    \"cokctl ps\" moments later.\n"
"\n"
"    Permission is that of kill(2): the caller must be allowed to signal\n"
"    the proxy (run by the same user, or CAP_KILL).  Nothing is signalled\n"
"    when the proxy is gone: the module names none, or the process with\n"
"    that pid is no longer a \"cokctl launch\".\n"
"\n"
"OPTIONS\n"
"    -h, --help\n"
"        Show this manual and exit.\n"
"\n"
"EXIT STATUS\n"
"    0   The proxy was sent SIGTERM.\n"
"    1   There is no app APP, or its proxy is gone; one line on standard\n"
"        error.\n"
"    2   Usage error: missing or malformed APP.\n"
"    3   The " COK_GENL_NAME " module is not loaded.\n"
"    4   Permission denied: the proxy belongs to another user.\n"
"    5   Any other system error: netlink socket, memory, malformed answer.\n"
"\n"
"EXAMPLES\n"
"        cokctl kill 3\n"
"        for app in $(cokctl ps -j | grep -o '\"id\":[0-9]*' | cut -d: -f2)\n"
"        do cokctl kill \"$app\"; done\n";

static const char help_manual[] =
"NAME\n"
"    cokctl help - show the manual of cokctl or of one of its verbs\n"
"\n"
"SYNOPSIS\n"
"    cokctl help [VERB]\n"
"\n"
"DESCRIPTION\n"
"    Without VERB, shows the manual of cokctl (like cokctl --help); with\n"
"    VERB, the manual of that verb (like cokctl VERB --help).  Verbs:\n"
"    create, destroy, status, console, launch, ps, kill, help.\n"
"\n"
EXIT_STATUS
"\n"
"EXAMPLES\n"
"        cokctl help create\n";

const struct cok_verb cok_verbs[] = {
	{ "create", "boot a new enclave", create_manual, cok_cmd_create },
	{ "destroy", "stop an enclave", destroy_manual, cok_cmd_destroy },
	{ "status", "show enclaves", status_manual, cok_cmd_status },
	{ "console", "print a co-kernel log", console_manual,
	  cok_cmd_console },
	{ "launch", "run a program on a co-kernel core", launch_manual,
	  cok_cmd_launch },
	{ "ps", "list apps", ps_manual, cok_cmd_ps },
	{ "kill", "end an app", kill_manual, cok_cmd_kill },
	{ "help", "show a manual", help_manual, cok_cmd_help },
	{ NULL, NULL, NULL, NULL },
};

const struct cok_verb *cok_find_verb(const char *name)
{
	const struct cok_verb *v;

	for (v = cok_verbs; v->name; v++) {
		if (!strcmp(v->name, name))
			return v;
	}
	return NULL;
}

void cok_print_manual(const char *text)
{
	fputs(text, stdout);
}

int cok_cmd_help(int argc, char **argv)
{
	const struct cok_verb *v;

	if (argc == 1) {
		cok_print_manual(cok_main_manual);
		return COK_EXIT_OK;
	}
	if (argc > 2)
		return cok_usage_error("help", "unexpected argument '%s'",
				       argv[2]);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		cok_print_manual(help_manual);
		return COK_EXIT_OK;
	}
	v = cok_find_verb(argv[1]);
	if (!v)
		return cok_usage_error("help", "unknown verb '%s'", argv[1]);
	cok_print_manual(v->manual);
	return COK_EXIT_OK;
}
