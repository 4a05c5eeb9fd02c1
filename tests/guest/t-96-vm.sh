# SPDX-License-Identifier: GPL-2.0
# Memory calls with Linux semantics (issue 9 part 6): vm_calls (musl and
# glibc) run by Linux and with cokctl launch print the same observations
# of mmap (hints, MAP_FIXED, MAP_FIXED_NOREPLACE, reservations), mremap,
# mprotect, madvise, brk, msync, mlock and of realloc/calloc; a write to
# a read-only page (in a 4 KiB page or a split 2 MiB one), a call into a
# page without PROT_EXEC and a read of a PROT_NONE page end the app with
# 139 as on Linux.  A dump keeps the rights: an app with read-only,
# PROT_NONE, executable pages and a small PROT_NONE reservation, dumped,
# killed and restored, prints what Linux's run does and faults on its
# read-only page at the end; an app holding a 1 GiB reservation is not
# dumped (one line saying why) and runs on.
# timeout: 600
. /tests/lib.sh
t_require vm module cokctl

APPS=/apps
RUN=$T_TMP/run
mkdir -p "$RUN"
EID=

# lin_vs_cok PROGRAM ARGS...: run by Linux, then by cokctl launch (120 s
# at most); LRC, CRC, $T_TMP/{lin,cok}.{out,err}; DIFF_ERR empty when
# the exit codes, stdout and stderr are the same.
lin_vs_cok() {
	( cd "$RUN" && ulimit -c 0 && exec "$@" ) >"$T_TMP/lin.out" 2>"$T_TMP/lin.err"
	LRC=$?
	( cd "$RUN" && exec timeout 120 "$COKCTL" launch "$@" ) >"$T_TMP/cok.out" 2>"$T_TMP/cok.err"
	CRC=$?
	echo "\$ $* -> Linux rc=$LRC; cokctl launch rc=$CRC"
	DIFF_ERR=
	if [ "$CRC" != "$LRC" ]; then
		DIFF_ERR="cokctl launch exit $CRC, Linux exit $LRC; stderr: $(head -n 1 "$T_TMP/cok.err" | cut -c1-160)"
	elif ! cmp -s "$T_TMP/lin.out" "$T_TMP/cok.out"; then
		DIFF_ERR="stdout differs from Linux's: $(diff "$T_TMP/lin.out" "$T_TMP/cok.out" | grep -E '^[-+<>]' | grep -vE '^(---|[+][+][+]) ' | head -n 6 | tr '\n' '|')"
	elif ! cmp -s "$T_TMP/lin.err" "$T_TMP/cok.err"; then
		DIFF_ERR="stderr differs from Linux's: '$(head -c 160 "$T_TMP/cok.err")' vs '$(head -c 160 "$T_TMP/lin.err")'"
	fi
	[ -z "$DIFF_ERR" ]
}

t_begin vm/setup
case_setup() {
	for _l in musl glibc; do
		[ -x "$APPS/vm_calls.$_l" ] || { t_fail "$APPS/vm_calls.$_l not in the image: ${WHY_APPS:-not built}"; return; }
	done
	ensure_module || { t_fail "$MODULE_ERR"; return; }
	create_enclave --cpus 1 --mem 256M || { t_fail "$CREATE_ERR"; return; }
	wait_enclave_ok "$EID" 1 5 || { t_fail "$ENC_ERR"; EID=; return; }
	t_pass
}
case_setup

# Lines each libc's run must print (an identical wrong answer fails).
WANT_LINES='fixed_noreplace over it: EEXIST
fixed over the middle page: at 1, zero 1, neighbours kept 1 1
noreserve rw in it: touched byte 9, untouched zero 1
grow in place: at 1, kept 1, new zero 1
grow with MAYMOVE: moved 1, kept 1, old range unmapped
MREMAP_FIXED: at 1, kept 1, old range unmapped
  kept 1, new zero 1
  a call writing into it: EFAULT, getrandom into it: EFAULT, into the rw page after it: ok
back to rw: ok, kept 1
  neighbours written: 1 2, a call writing into it: EFAULT
MADV_DONTNEED 1 MiB in the middle: ok, zero 1, rest kept 1 1
grown again: 1, kept below 1, the rest of its page kept 1, new pages zero 1
calloc after free: 40 of 40 zero
  MADV_DONTNEED on shared: ok, contents kept 1'

# madvise_less: a Linux without madvise (the debug lane's kernel has no
# CONFIG_ADVISE_SYSCALLS) said so; its run is compared with the
# co-kernel's without the madvise lines, which WANT_LINES still checks.
madvise_less() {
	grep -qx 'madvise: ENOSYS, this kernel has none' "$T_TMP/lin.out" || return 1
	t_info "Linux has no madvise here: its lines are not compared"
	grep -vE '^(madvise: ENOSYS|  MADV_DONTNEED on shared: )' "$T_TMP/lin.out" >"$T_TMP/lin.cut"
	grep -vE '^(MADV_|  written again: |  MADV_DONTNEED on shared: )' "$T_TMP/cok.out" >"$T_TMP/cok.cut"
	[ "$CRC" = "$LRC" ] && cmp -s "$T_TMP/lin.cut" "$T_TMP/cok.cut" &&
		cmp -s "$T_TMP/lin.err" "$T_TMP/cok.err" && return 0
	DIFF_ERR="$DIFF_ERR (also without the madvise lines)"
	return 1
}

for _l in musl glibc; do
	t_begin "vm/calls-$_l"
	if [ -z "$EID" ]; then
		t_skip "no enclave (setup failed)"
	elif ! lin_vs_cok "$APPS/vm_calls.$_l" && ! madvise_less; then
		t_fail "$DIFF_ERR"
	elif [ "$CRC" != 0 ]; then
		t_fail "exit $CRC on both, want 0"
	else
		_miss=$(echo "$WANT_LINES" | while IFS= read -r _w; do
			grep -qxF -- "$_w" "$T_TMP/cok.out" || echo "$_w"
		done | head -n 1)
		if [ -n "$_miss" ]; then
			t_fail "both printed no line '$_miss'"
		else
			t_pass
		fi
	fi
done

# Faults: SIGSEGV, 139, after the line saying what comes; cokctl says
# it was a page fault (Linux's run has no such line: stderr not compared).
for _m in rowrite rowrite2m nxexec noneread; do
	t_begin "vm/fault-$_m"
	if [ -z "$EID" ]; then
		t_skip "no enclave (setup failed)"
	elif lin_vs_cok "$APPS/vm_calls.glibc" "$_m" ||
	     case "$DIFF_ERR" in "stderr differs"*) false ;; *) true ;; esac; then
		t_fail "${DIFF_ERR:-stderr is Linux's, without cokctl's line}"
	elif [ "$CRC" != 139 ] || grep -q 'no fault' "$T_TMP/cok.out"; then
		t_fail "exit $CRC, want 139: $(tail -n 1 "$T_TMP/cok.out")"
	elif ! grep -q 'killed: SIGSEGV (vector 14 ' "$T_TMP/cok.err"; then
		t_fail "cokctl did not report a page fault: $(head -n 1 "$T_TMP/cok.err")"
	else
		t_pass
	fi
done

# dumpwait: dumped while it sleeps, killed, restored: Linux's output and
# 139 at the end; the image holds its read-only, PROT_NONE and r-x pages.
t_begin vm/dump-rights
case_dump() {
	[ -n "$EID" ] || { t_skip "no enclave (setup failed)"; return; }
	_app=$APPS/vm_calls.musl
	( cd "$RUN" && exec "$_app" dumpwait ) >"$T_TMP/dw.lin" 2>&1
	_lrc=$?
	[ "$_lrc" = 139 ] || { t_fail "Linux run exit $_lrc, want 139"; return; }
	bg_app "$T_TMP/dw.out" "$T_TMP/dw.err" "$COKCTL" launch "$_app" dumpwait
	[ -n "$ID" ] || { t_fail "no app listed after the launch"; kill "$P"; return; }
	wait_lines "$T_TMP/dw.out" 1 || { t_fail "no 'ready' line"; kill "$P"; return; }
	run "$COKCTL" dump "$ID" -o "$T_TMP/dw.img" --kill
	[ "$RC" = 0 ] || {
		t_fail "dump exit $RC: $ERR; console: $(timeout 10 "$COKCTL" console "$EID" 2>&1 | tail -n 5 | tr '\n' '|')"
		kill "$P"
		return
	}
	wait "$P"
	_rc=$?
	[ "$_rc" = 137 ] || { t_fail "the dumped app's proxy exit $_rc, want 137 (dump --kill sends it SIGKILL)"; return; }
	[ "$(lines "$T_TMP/dw.out")" = 1 ] || { t_fail "dumped after its sleep: $(lines "$T_TMP/dw.out") lines"; return; }
	run "$COKCTL" image info "$T_TMP/dw.img"
	# Its pages at 0x200000000000 (vm_calls' BASE): rw, ro, none, r-x,
	# and the 64 KiB PROT_NONE reservation (zeros, none stored).
	for _p in '0000 2000 rw-' '4000 5000 r--' '8000 9000 ---' 'c000 d000 r-x' \
		  '10000 20000 ---    0 bytes'; do
		set -- $_p
		_re="0x00002000000*$1  *0x00002000000*$2 .* $3"
		[ -n "$4" ] && _re="$_re  *0 bytes"
		echo "$OUT" | grep -q -- "$_re" ||
			{ t_fail "the image shows no region $1-$2 $3: $(echo "$OUT" | grep 0x00002 | tr '\n' '|' | cut -c1-400)"; return; }
	done
	"$COKCTL" restore "$T_TMP/dw.img" >"$T_TMP/dw.rest" 2>"$T_TMP/dw.rerr"
	_rc=$?
	[ "$_rc" = 139 ] || { t_fail "restore exit $_rc, want 139: $(head -c 200 "$T_TMP/dw.rerr")"; return; }
	cat "$T_TMP/dw.out" "$T_TMP/dw.rest" >"$T_TMP/dw.joined"
	cmp -s "$T_TMP/dw.joined" "$T_TMP/dw.lin" ||
		{ t_fail "output differs from Linux's: $(diff "$T_TMP/dw.lin" "$T_TMP/dw.joined" | head -n 6 | tr '\n' '|')"; return; }
	t_pass
}
case_dump

# bigres: a 1 GiB PROT_NONE reservation is not dumped; the app runs on.
t_begin vm/dump-refused
case_refused() {
	[ -n "$EID" ] || { t_skip "no enclave (setup failed)"; return; }
	bg_app "$T_TMP/br.out" "$T_TMP/br.err" "$COKCTL" launch "$APPS/vm_calls.glibc" bigres
	[ -n "$ID" ] || { t_fail "no app listed after the launch"; kill "$P"; return; }
	wait_lines "$T_TMP/br.out" 2 || { t_fail "no 'ready' line"; kill "$P"; return; }
	run "$COKCTL" dump "$ID" -o "$T_TMP/br.img"
	_drc=$RC _derr=$ERR
	wait "$P"
	_rc=$?
	[ "$_drc" != 0 ] || { t_fail "dump of an app with a 1 GiB reservation succeeded"; return; }
	[ "$(echo "$_derr" | grep -c '')" = 1 ] && echo "$_derr" | grep -q 'PROT_NONE or MAP_NORESERVE reservation' ||
		{ t_fail "dump refused without the one-line reason: $_derr"; return; }
	[ ! -s "$T_TMP/br.img" ] || { t_fail "the refused dump wrote an image"; return; }
	[ "$_rc" = 0 ] && [ "$(tail -n 1 "$T_TMP/br.out")" = done ] ||
		{ t_fail "after the refused dump the app exit $_rc, last line '$(tail -n 1 "$T_TMP/br.out")'"; return; }
	t_pass
}
case_refused

destroy_case vm/destroy
