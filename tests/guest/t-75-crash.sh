# SPDX-License-Identifier: GPL-2.0
# Apps that fault on a co-kernel core: a NULL dereference, a division by
# zero, ud2 and a stack overflow, each built against musl and glibc.
# cokctl launch must exit 128 + the signal Linux would send (139 SIGSEGV,
# 136 SIGFPE, 132 SIGILL, 139 for the stack overflow) - the same exit code
# as the Linux run of the binary - with the app's output so far identical
# to Linux's and exactly one fault line on stderr naming the signal, the
# vector, the rip and (page faults) the address.  After each, the core is
# reusable: hello runs on the same one-core enclave.  The faulting rip
# must be the one Linux logs for the same binary (static, same addresses).
# Then the 32-bit system call ways (compat32, below).
# timeout: 900
. /tests/lib.sh
t_require crash module cokctl

APPS=/apps
RUN=$T_TMP/run
mkdir -p "$RUN"
EID=

need_apps() {
	for _a in "$@"; do
		[ -x "$APPS/$_a" ] || {
			t_skip "$APPS/$_a not in image: ${WHY_APPS:-tests/apps not built}"
			return 1
		}
	done
	return 0
}

mem_free() {
	status_read "$T_TMP/mf.flat" || return 1
	enc_get "$T_TMP/mf.flat" "$EID" mem_free_bytes
}

# wait_no_apps SECONDS: until "cokctl ps -j" answers with no app; PS_ERR if not.
wait_no_apps() {
	_t=$(( $1 * 5 ))
	while :; do
		if "$COKCTL" ps -j >"$T_TMP/ps.json" 2>"$T_TMP/ps.err" &&
		   grep -q '"apps":\[' "$T_TMP/ps.json" &&
		   ! json_flatten <"$T_TMP/ps.json" 2>/dev/null | grep -q '^apps\.[0-9]*\.id='; then
			return 0
		fi
		[ $_t -le 0 ] && {
			PS_ERR="cokctl ps -j: $(head -c 200 "$T_TMP/ps.json")$(head -n 1 "$T_TMP/ps.err")"
			return 1
		}
		usleep 200000
		_t=$((_t - 1))
	done
}

t_begin crash/setup
case_setup() {
	t_need module cokctl || return
	ensure_module || { t_fail "$MODULE_ERR"; return; }
	baseline_save crash
	# One core: every app, crashed or not, runs on the same core.
	create_enclave --cpus 1 --mem 128M || { t_fail "$CREATE_ERR"; return; }
	wait_enclave_ok "$EID" 1 5 || { t_fail "$ENC_ERR"; EID=; return; }
	MEMFREE0=$(mem_free)
	[ -n "$MEMFREE0" ] || { t_fail "no mem_free_bytes for enclave $EID: $STATUS_ERR"; return; }
	t_pass
}
case_setup

# crash_case APP LIBC RC SIGNAME VECTOR PAGEFAULT(0/1) [ADDRESS]
crash_case() {
	_app=$1 _l=$2 _rc=$3 _sig=$4 _vec=$5 _pf=$6 _addr=${7:-}
	t_begin "crash/$_app-$_l"
	[ -n "$EID" ] || { t_skip "no enclave (setup failed)"; return; }
	need_apps "$_app.$_l" || return
	# On Linux, with a known pid to find its kernel-log line.
	sh -c 'echo $$ >"$1"; cd "$2" && ulimit -c 0 && exec "$3"' sh "$T_TMP/lin.pid" "$RUN" "$APPS/$_app.$_l" \
		>"$T_TMP/lin.out" 2>/dev/null
	LRC=$?
	# "app[PID]: segfault at 0 ip 000000000040105a ..." or "traps: app[PID] trap ... ip:401069 ..."
	_lrip=$(dmesg | sed -n "s/.*\[$(cat "$T_TMP/lin.pid")\][: ].* ip[: ]0*\([0-9a-f][0-9a-f]*\) .*/\1/p" | tail -n 1)
	( cd "$RUN" && exec timeout 120 "$COKCTL" launch "$APPS/$_app.$_l" ) >"$T_TMP/cok.out" 2>"$T_TMP/cok.err"
	CRC=$?
	_line=$(head -n 1 "$T_TMP/cok.err")
	echo "\$ $_app.$_l -> Linux rc=$LRC; cokctl launch rc=$CRC; stdout '$(cat "$T_TMP/cok.out")'; stderr: $(head -n 3 "$T_TMP/cok.err")"
	[ "$LRC" = "$_rc" ] || { t_fail "on Linux $_app.$_l exits $LRC, want $_rc (test app broken?)"; return; }
	[ "$CRC" = "$_rc" ] || { t_fail "cokctl launch exit $CRC, want $_rc ($_sig); stderr: $(head -n 2 "$T_TMP/cok.err" | tr '\n' '|')"; return; }
	cmp -s "$T_TMP/lin.out" "$T_TMP/cok.out" ||
		{ t_fail "stdout '$(head -c 100 "$T_TMP/cok.out")', Linux's '$(head -c 100 "$T_TMP/lin.out")'"; return; }
	[ "$(grep -c '' "$T_TMP/cok.err")" = 1 ] ||
		{ t_fail "stderr has $(grep -c '' "$T_TMP/cok.err") lines, want 1 fault line: $(head -n 3 "$T_TMP/cok.err" | tr '\n' '|')"; return; }
	echo "$_line" | grep -q "$_sig" || { t_fail "fault line does not name $_sig: $_line"; return; }
	echo "$_line" | grep -Eq "vector $_vec([^0-9]|\$)" || { t_fail "fault line does not say 'vector $_vec': $_line"; return; }
	echo "$_line" | grep -Eq 'rip 0x[0-9a-f]*[1-9a-f]' || { t_fail "fault line has no (non-zero) 'rip 0x...': $_line"; return; }
	# Static, not PIE, same bytes: the same instruction faults as on
	# Linux (not for the stack overflow: that depends on where the stack is).
	_crip=$(echo "$_line" | sed -n 's/.*rip 0x0*\([0-9a-f]*\).*/\1/p')
	if [ "$_app" != crash_stack ] && [ -n "$_lrip" ] && [ "$_crip" != "$_lrip" ]; then
		t_fail "fault at rip 0x$_crip, Linux's at ip 0x$_lrip (its kernel log): $_line"
		return
	fi
	[ -n "$_lrip" ] || echo "  (no Linux kernel-log line for the Linux run: rip not compared)"
	if [ "$_pf" = 1 ]; then
		echo "$_line" | grep -Eq "address 0x${_addr:-[0-9a-f]+}([^0-9a-fx]|\$)" ||
			{ t_fail "fault line has no 'address 0x${_addr:-...}': $_line"; return; }
	fi
	wait_no_apps 10 || { t_fail "app still listed after the fault: $PS_ERR"; return; }
	t_pass
}

# hello_after APP LIBC: the core is reusable at once.
hello_after() {
	_app=$1 _l=$2
	t_begin "crash/$_app-$_l-then-hello"
	[ -n "$EID" ] || { t_skip "no enclave (setup failed)"; return; }
	need_apps "hello.$_l" || return
	run timeout 120 "$COKCTL" launch "$APPS/hello.$_l"
	[ "$RC" = 0 ] || { t_fail "hello after $_app: exit $RC: $(echo "$ERR" | head -n 1)"; return; }
	[ "$OUT" = "hello from a static $_l x86-64 binary" ] || { t_fail "hello after $_app printed '$OUT'"; return; }
	[ -z "$ERR" ] || { t_fail "hello after $_app: stderr '$ERR'"; return; }
	t_pass
}

crash() {
	crash_case "$@"
	hello_after "$1" "$2"
}

for l in musl glibc; do
	crash crash_null "$l" 139 SIGSEGV 14 1 0
	crash crash_div "$l" 136 SIGFPE 0 0
	crash crash_ill "$l" 132 SIGILL 6 0
	crash crash_stack "$l" 139 SIGSEGV 14 1
done

# The 32-bit ways into a kernel (compat32 MODE), which the co-kernel does
# not serve: one fault line at the instruction compat32 names, exit
# 128+signal, and for int 0x80 and sysenter a console line saying 32-bit
# system calls are not served.  Linux (IA32_EMULATION) serves int 0x80
# (compat32 prints "returned", exit 0) and runs 32-bit code at selector
# 0x23 (exit 7); the co-kernel has no 32-bit code segment, so both far
# jumps (0x23, and 0x1b where it once had one) are #GP at the jump.
# sysenter in long mode is #UD on AMD (SIGILL, as on Linux) and #GP(0) on
# Intel with SYSENTER_CS 0 (SIGSEGV) - never a jump to a stale entry.
# compat_case MODE LIBC RC SIGNAME VECTOR CONSOLE(0/1) LINUX
# LINUX: same (run it on Linux too, same exit code), run (on Linux too,
# its exit code differs) or skip (not on Linux: its kernel logs a general
# protection fault, which the harness takes for a kernel problem).
compat_case() {
	_m=$1 _l=$2 _rc=$3 _sig=$4 _vec=$5 _con=$6 _lin=$7
	t_begin "crash/compat32-$_m-$_l"
	[ -n "$EID" ] || { t_skip "no enclave (setup failed)"; return; }
	need_apps "compat32.$_l" || return
	LRC=skipped
	: >"$T_TMP/lin.out"
	if [ "$_lin" != skip ]; then
		( cd "$RUN" && ulimit -c 0 && exec "$APPS/compat32.$_l" "$_m" ) >"$T_TMP/lin.out" 2>/dev/null
		LRC=$?
	fi
	( cd "$RUN" && exec timeout 120 "$COKCTL" launch "$APPS/compat32.$_l" "$_m" ) >"$T_TMP/cok.out" 2>"$T_TMP/cok.err"
	CRC=$?
	_line=$(head -n 1 "$T_TMP/cok.err")
	_at=$(sed -n 's/^compat32 [a-z0-9]*: at 0x0*\([0-9a-f]*\)$/\1/p' "$T_TMP/cok.out")
	echo "\$ compat32.$_l $_m -> Linux rc=$LRC '$(tr '\n' '|' <"$T_TMP/lin.out")'; cokctl launch rc=$CRC '$(tr '\n' '|' <"$T_TMP/cok.out")'; stderr: $_line"
	[ "$CRC" = "$_rc" ] || { t_fail "cokctl launch exit $CRC, want $_rc ($_sig): $_line"; return; }
	[ -n "$_at" ] || { t_fail "compat32 printed no address: '$(head -c 100 "$T_TMP/cok.out")'"; return; }
	[ "$_lin" = skip ] || [ "$(head -n 1 "$T_TMP/cok.out")" = "$(head -n 1 "$T_TMP/lin.out")" ] ||
		{ t_fail "first line '$(head -n 1 "$T_TMP/cok.out")', Linux's '$(head -n 1 "$T_TMP/lin.out")'"; return; }
	[ "$(lines "$T_TMP/cok.out")" = 1 ] || { t_fail "it went on after the instruction: '$(tail -n 1 "$T_TMP/cok.out")'"; return; }
	[ "$(grep -c '' "$T_TMP/cok.err")" = 1 ] || { t_fail "stderr has $(grep -c '' "$T_TMP/cok.err") lines, want 1: $(head -n 3 "$T_TMP/cok.err" | tr '\n' '|')"; return; }
	echo "$_line" | grep -q "$_sig" || { t_fail "fault line does not name $_sig: $_line"; return; }
	echo "$_line" | grep -Eq "vector $_vec([^0-9]|\$)" || { t_fail "fault line does not say 'vector $_vec': $_line"; return; }
	echo "$_line" | grep -Eq "rip 0x0*$_at([^0-9a-f]|\$)" || { t_fail "fault not at the instruction 0x$_at: $_line"; return; }
	if [ "$_lin" = same ]; then
		[ "$LRC" = "$CRC" ] || { t_fail "exit $CRC, on Linux $LRC"; return; }
	fi
	if [ "$_con" = 1 ]; then
		"$COKCTL" console "$EID" 2>&1 | grep "rip 0x0*$_at: 32-bit system calls are not served" >"$T_TMP/con.l" ||
			{ t_fail "no console line 'MODE at rip 0x$_at: 32-bit system calls are not served'"; return; }
		echo "  console: $(head -n 1 "$T_TMP/con.l")"
	fi
	wait_no_apps 10 || { t_fail "app still listed after the fault: $PS_ERR"; return; }
	t_pass
}

VENDOR=$(sed -n 's/^vendor_id[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
# A kernel without IA32_EMULATION (the debug lane's) logs a general
# protection fault for int 0x80 and 32-bit code: no Linux run there.
LIN32=skip
grep -qw entry_INT80_compat /proc/kallsyms 2>/dev/null && LIN32=run
for l in musl glibc; do
	if [ "$VENDOR" = GenuineIntel ]; then
		compat_case sysenter "$l" 139 SIGSEGV 13 1 skip
	else
		compat_case sysenter "$l" 132 SIGILL 6 1 same
	fi
	hello_after compat32-sysenter "$l"
	compat_case int80 "$l" 139 SIGSEGV 13 1 "$LIN32"
	compat_case ljmp23 "$l" 139 SIGSEGV 13 0 "$LIN32"
	compat_case ljmp1b "$l" 139 SIGSEGV 13 0 skip
	hello_after compat32-ljmp1b "$l"
done

t_begin crash/no-leak
case_noleak() {
	[ -n "$EID" ] || { t_skip "no enclave (setup failed)"; return; }
	wait_no_apps 5 || { t_fail "$PS_ERR"; return; }
	_t=25
	while [ "$(mem_free)" != "$MEMFREE0" ] && [ $_t -gt 0 ]; do usleep 200000; _t=$((_t - 1)); done
	_m=$(mem_free)
	[ "$_m" = "$MEMFREE0" ] || { t_fail "mem_free_bytes $_m after the crashes, $MEMFREE0 before"; return; }
	heartbeat_advances "$EID" || { t_fail "$HB_ERR"; return; }
	t_pass
}
case_noleak

t_begin crash/destroy
case_destroy() {
	[ -n "$EID" ] || { t_skip "no enclave (setup failed)"; return; }
	run "$COKCTL" destroy "$EID"
	[ "$RC" = 0 ] || { t_fail "destroy $EID exit $RC: $ERR"; return; }
	baseline_check crash || { t_fail "$BASE_ERR"; return; }
	t_pass
}
case_destroy
destroy_all
