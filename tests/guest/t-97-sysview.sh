# SPDX-License-Identifier: GPL-2.0
# What the app sees of the system (issue 9 part 7): tests/apps/sysview
# (musl, glibc) run by Linux and in an enclave.  It prints uname,
# /proc/self/{exe,cmdline,status,stat,maps,fd/}, thread-self, the limits
# (get, set, AS and DATA enforced, EINVAL, ESRCH, a raise of a hard
# limit) and prctl (PR_SET_NAME seen in status and stat, the harmless
# rest): those lines must be the same on both.  Its "val" lines describe
# the machine; this script computes what each run must print:
#   Linux:   "cpuinfo processors" = the CPUs of Linux's online list,
#            "online" = that list, "possible is online" as the files say,
#            "nprocessors_onln" = the online count (glibc reads the
#            file) or the taskset count (musl counts the affinity),
#            "MemTotal" = Linux's /proc/meminfo;
#   enclave: with `launch --cores N`: N, "0" or "0-N-1", yes, N, and the
#            enclave's memory: mem_bytes of `cokctl status -j` / 1024.
# Cases: 2 cores (Linux pinned to 2 CPUs) and 1 core (Linux pinned to
# one), as root and as $T_USER (who gets EPERM for the raise, on both);
# "stack": RLIMIT_STACK lowered to 256 KiB, a 1 MiB recursion ends with
# SIGSEGV (139) on both.  Busybox in the enclave: /proc/self/maps lines
# laid out as Linux's ([stack] at Linux's column, a [heap]), status
# (Name, Threads, Cpus_allowed_list), meminfo's MemTotal line = the
# enclave's memory, nproc = the cores, uname -a = Linux's.
# timeout: 400
. /tests/lib.sh
t_require sysview module cokctl
ensure_module || { t_begin module; t_fail "$MODULE_ERR"; exit 0; }

APPS=/apps

# count_list LIST: how many CPUs a list such as "0-1,3" names.
count_list() {
	echo "$1" | tr ',' '\n' |
		awk -F- '{ n += ($2 == "" ? 1 : $2 - $1 + 1) } END { print n }'
}

# first_cpus N: the first N online Linux CPUs, as taskset -c takes them.
first_cpus() {
	online_cpus | tr ',' '\n' | while IFS=- read -r _a _b; do
		_c=$_a
		while [ "$_c" -le "${_b:-$_a}" ]; do
			echo "$_c"
			_c=$((_c + 1))
		done
	done | head -n "$1" | tr '\n' ',' | sed 's/,$//'
}

# linux_vals LIBC NCPUS: the val lines of a Linux run pinned to NCPUS.
linux_vals() {
	_on=$(online_cpus)
	_pos=$(cat /sys/devices/system/cpu/possible)
	echo "val cpuinfo processors $(count_list "$_on")"
	echo "val online $_on"
	if [ "$_pos" = "$_on" ]; then echo "val possible is online yes"; else echo "val possible is online no"; fi
	if [ "$1" = glibc ]; then
		echo "val nprocessors_onln $(count_list "$_on")"
	else
		echo "val nprocessors_onln $2"
	fi
	echo "val MemTotal $(memtotal_kb)"
}

# enclave_vals N: the val lines of a run with --cores N.
enclave_vals() {
	echo "val cpuinfo processors $1"
	if [ "$1" = 1 ]; then echo "val online 0"; else echo "val online 0-$(($1 - 1))"; fi
	echo "val possible is online yes"
	echo "val nprocessors_onln $1"
	echo "val MemTotal $((MEM_BYTES / 1024))"
}

# as WHO CMD...: CMD as root or as $T_USER, fd 3 (the results port) closed.
as() {
	_who=$1
	shift
	if [ "$_who" = root ]; then
		"$@" 3>&-
	else
		_q=
		for _a in "$@"; do _q="$_q '$_a'"; done
		su -s /bin/sh "$T_USER" -c "exec $_q" 3>&-
	fi
}

# view LIBC N WHO: sysview on N cores against Linux pinned to N CPUs.
view() {
	_libc=$1 _n=$2 _who=$3 _set=$(first_cpus "$2")
	t_begin "sysview.$_libc, $_n core(s), as $_who: as Linux but for the computed val lines"
	as "$_who" taskset -c "$_set" "$APPS/sysview.$_libc" >"$T_TMP/l.out" 2>"$T_TMP/l.err" </dev/null
	_lrc=$?
	as "$_who" "$COKCTL" launch --cores "$_n" -- "$APPS/sysview.$_libc" \
		>"$T_TMP/c.out" 2>"$T_TMP/c.err" </dev/null
	_crc=$?
	linux_vals "$_libc" "$_n" >"$T_TMP/l.want"
	enclave_vals "$_n" >"$T_TMP/c.want"
	grep '^val ' "$T_TMP/l.out" >"$T_TMP/l.val"
	grep '^val ' "$T_TMP/c.out" >"$T_TMP/c.val"
	grep -v '^val ' "$T_TMP/l.out" >"$T_TMP/l.rest"
	grep -v '^val ' "$T_TMP/c.out" >"$T_TMP/c.rest"
	if [ "$_lrc" != 0 ]; then
		t_fail "Linux run exit $_lrc: $(head -c 200 "$T_TMP/l.err")"
	elif [ "$_crc" != 0 ]; then
		t_fail "enclave exit $_crc: $(head -c 200 "$T_TMP/c.err")"
	elif ! cmp -s "$T_TMP/l.val" "$T_TMP/l.want"; then
		t_fail "Linux val lines not as computed: $(diff "$T_TMP/l.want" "$T_TMP/l.val" | grep '^[-+]v' | tr '\n' '|')"
	elif ! cmp -s "$T_TMP/c.val" "$T_TMP/c.want"; then
		t_fail "enclave val lines not as computed: $(diff "$T_TMP/c.want" "$T_TMP/c.val" | grep '^[-+]v' | tr '\n' '|')"
	elif [ ! -s "$T_TMP/c.rest" ] || ! cmp -s "$T_TMP/l.rest" "$T_TMP/c.rest"; then
		t_fail "output differs: $(diff "$T_TMP/l.rest" "$T_TMP/c.rest" | grep '^[-+][^-+]' | head -n 6 | tr '\n' '|')"
	else
		t_pass
	fi
}

# $T_USER launches too (as in t-83): the device open to all meanwhile.
chmod 0666 /dev/ckpt_cokernel
create_enclave --cpus 2 --mem 256M || { t_begin create; t_fail "$CREATE_ERR"; exit 0; }
status_read "$T_TMP/st.flat" || { t_begin status; t_fail "$STATUS_ERR"; exit 0; }
MEM_BYTES=$(enc_get "$T_TMP/st.flat" "$EID" mem_bytes)

for libc in musl glibc; do
	view "$libc" 2 root
	view "$libc" 1 root
	view "$libc" 1 "$T_USER"
done

# The raise of a hard limit: allowed to root, EPERM for the user (on
# both, as compared above): say which it was, so that a run where both
# gave the same wrong answer cannot pass.
t_begin "raise of a hard limit: ok as root, EPERM as $T_USER"
case_raise() {
	as root "$COKCTL" launch -- "$APPS/sysview.musl" >"$T_TMP/r.out" 2>&1 </dev/null
	grep -q '^setrlimit CORE hard 8192 (raise): ok$' "$T_TMP/r.out" ||
		{ t_fail "as root: $(grep 'raise' "$T_TMP/r.out")"; return; }
	as "$T_USER" "$COKCTL" launch -- "$APPS/sysview.musl" >"$T_TMP/u.out" 2>&1 </dev/null
	grep -q '^setrlimit CORE hard 8192 (raise): EPERM$' "$T_TMP/u.out" ||
		{ t_fail "as $T_USER: $(grep 'raise' "$T_TMP/u.out")"; return; }
	t_pass
}
case_raise

for libc in musl glibc; do
	t_begin "sysview.$libc stack: RLIMIT_STACK 256K stops a 1 MiB recursion (139), as on Linux"
	as root "$APPS/sysview.$libc" stack >"$T_TMP/l.out" 2>/dev/null </dev/null
	_lrc=$?
	as root "$COKCTL" launch -- "$APPS/sysview.$libc" stack >"$T_TMP/c.out" 2>"$T_TMP/c.err" </dev/null
	_crc=$?
	if [ "$_lrc" != 139 ]; then
		t_fail "Linux run exit $_lrc, want 139"
	elif [ "$_crc" != 139 ]; then
		t_fail "enclave exit $_crc, want 139: $(head -c 200 "$T_TMP/c.err")"
	elif ! cmp -s "$T_TMP/l.out" "$T_TMP/c.out"; then
		t_fail "output differs: $(diff "$T_TMP/l.out" "$T_TMP/c.out" | tr '\n' '|')"
	else
		t_pass
	fi
done

# Busybox (static) reads the files as a program of the distribution
# would: the layout of each line as Linux's.
BB=/bin/busybox
t_begin "busybox cat /proc/self/maps in the enclave: Linux's line layout"
case_maps() {
	as root "$COKCTL" launch -- "$BB" cat /proc/self/maps >"$T_TMP/m.out" 2>"$T_TMP/m.err" </dev/null ||
		{ t_fail "launch: $(head -c 200 "$T_TMP/m.err")"; return; }
	as root "$BB" cat /proc/self/maps >"$T_TMP/ml.out"
	t_log "$(head -n 12 "$T_TMP/m.out")"
	_bad=$(grep -cv '^[0-9a-f]\{8,\}-[0-9a-f]\{8,\} [r-][w-][x-]p 00000000 00:00 0 ' "$T_TMP/m.out")
	[ "$_bad" = 0 ] || { t_fail "$_bad lines not as Linux lays out an anonymous region"; return; }
	_col=$(awk '/\[stack\]$/ { print index($0, "[stack]") }' "$T_TMP/m.out")
	_lcol=$(awk '/\[stack\]$/ { print index($0, "[stack]") }' "$T_TMP/ml.out")
	[ -n "$_col" ] || { t_fail "no [stack] line"; return; }
	[ "$_col" = "$_lcol" ] || { t_fail "[stack] at column $_col, Linux's at $_lcol"; return; }
	grep -q ' \[heap\]$' "$T_TMP/m.out" || { t_fail "no [heap] line"; return; }
	t_pass
}
case_maps

t_begin "busybox: status, meminfo, nproc, uname -a in the enclave"
case_busybox() {
	as root "$COKCTL" launch --cores 2 -- "$BB" cat /proc/self/status >"$T_TMP/s.out" 2>&1 </dev/null
	grep -q '^Name:	busybox$' "$T_TMP/s.out" || { t_fail "status: $(head -n 1 "$T_TMP/s.out")"; return; }
	grep -q '^Threads:	1$' "$T_TMP/s.out" || { t_fail "status: no 'Threads: 1'"; return; }
	grep -q '^Cpus_allowed_list:	0-1$' "$T_TMP/s.out" || { t_fail "status: $(grep Cpus_allowed_list "$T_TMP/s.out")"; return; }
	as root "$COKCTL" launch -- "$BB" cat /proc/meminfo >"$T_TMP/mi.out" 2>&1 </dev/null
	_want=$(printf 'MemTotal:       %8d kB' $((MEM_BYTES / 1024)))
	[ "$(head -n 1 "$T_TMP/mi.out")" = "$_want" ] ||
		{ t_fail "meminfo: '$(head -n 1 "$T_TMP/mi.out")', want '$_want'"; return; }
	_n=$(as root "$COKCTL" launch --cores 2 -- "$BB" nproc </dev/null 2>&1)
	[ "$_n" = 2 ] || { t_fail "nproc on 2 cores: $_n"; return; }
	_u=$(as root "$COKCTL" launch -- "$BB" uname -a </dev/null 2>&1)
	[ "$_u" = "$(uname -a)" ] || { t_fail "uname -a: '$_u', Linux '$(uname -a)'"; return; }
	t_pass
}
case_busybox

chmod 0600 /dev/ckpt_cokernel
destroy_case "destroy the enclave"
