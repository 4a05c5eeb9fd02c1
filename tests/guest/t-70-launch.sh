# SPDX-License-Identifier: GPL-2.0
# Static Linux programs on co-kernel cores (cokctl launch): each test app
# of tests/apps (in /apps, built against musl and glibc) must behave as
# the same binary run by Linux - same stdout and stderr byte for byte,
# same exit code - with its I/O forwarded to cokctl.  Two apps run at
# once on the two cores of one enclave; files that are not static x86-64
# executables are refused with one line before anything runs; Ctrl-C
# (SIGINT to cokctl) ends the app: exit 130, gone from "cokctl ps", the
# enclave's free memory back where it was.
# timeout: 600
. /tests/lib.sh
t_require launch module cokctl

APPS=/apps
RUN=$T_TMP/run
mkdir -p "$RUN"
EID=
MEMFREE0=
SHA64=a271990038660ae044c9d479cc40f7c49602c732551943b85244b27b685d1687

# need_apps NAME...: skip the open case when an app is not in the image.
need_apps() {
	for _a in "$@"; do
		[ -x "$APPS/$_a" ] || {
			t_skip "$APPS/$_a not in image: ${WHY_APPS:-tests/apps not built}"
			return 1
		}
	done
	return 0
}

# mem_free: the enclave's mem_free_bytes (empty on error, STATUS_ERR says why).
mem_free() {
	status_read "$T_TMP/mf.flat" || return 1
	enc_get "$T_TMP/mf.flat" "$EID" mem_free_bytes
}

# ps_read FILE: cokctl ps -j, flattened into FILE; PS_ERR says why not.
ps_read() {
	PS_ERR=
	"$COKCTL" ps -j >"$T_TMP/ps.json" 2>"$T_TMP/ps.err"
	_rc=$?
	[ $_rc -eq 0 ] || { PS_ERR="ps -j exit $_rc: $(head -n 1 "$T_TMP/ps.err")"; return 1; }
	[ "$(grep -c '' "$T_TMP/ps.json")" = 1 ] ||
		{ PS_ERR="ps -j printed $(grep -c '' "$T_TMP/ps.json") lines, want 1"; return 1; }
	json_flatten <"$T_TMP/ps.json" >"$1" 2>/dev/null ||
		{ PS_ERR="ps -j: not JSON: $(head -c 200 "$T_TMP/ps.json")"; return 1; }
	grep -q '^apps' "$1" || grep -q '"apps":\[\]' "$T_TMP/ps.json" ||
		{ PS_ERR="ps -j: no \"apps\": $(head -c 200 "$T_TMP/ps.json")"; return 1; }
	return 0
}
ps_count() { grep -c '^apps\.[0-9]*\.id=' "$1"; }
ps_get() { sed -n "s/^apps\.$2\.$3=//p" "$1" | head -n 1; }	# FILE INDEX KEY

# wait_no_apps SECONDS: until cokctl ps -j lists no app; PS_ERR if not.
wait_no_apps() {
	_t=$(( $1 * 5 ))
	while :; do
		if ps_read "$T_TMP/noapps.flat"; then
			[ "$(ps_count "$T_TMP/noapps.flat")" = 0 ] && return 0
			PS_ERR="cokctl ps still lists: $(head -c 200 "$T_TMP/ps.json")"
		fi
		[ $_t -le 0 ] && return 1
		usleep 200000
		_t=$((_t - 1))
	done
}

# wait_mem_free WANT SECONDS: until mem_free_bytes is WANT; MEM_ERR if not.
wait_mem_free() {
	_t=$(( $2 * 5 ))
	while :; do
		_m=$(mem_free)
		[ "$_m" = "$1" ] && return 0
		[ $_t -le 0 ] && { MEM_ERR="mem_free_bytes ${_m:-?($STATUS_ERR)}, want $1 as before"; return 1; }
		usleep 200000
		_t=$((_t - 1))
	done
}

# lin_vs_cok TIMEOUT PROGRAM ARGS...: runs PROGRAM ARGS on Linux, then
# "cokctl launch PROGRAM ARGS" (same argv[0], same cwd $RUN, same
# environment); sets LRC, CRC and $T_TMP/{lin,cok}.{out,err}.
# DIFF_ERR is empty if exit code, stdout and stderr are identical.
lin_vs_cok() {
	_to=$1
	shift
	( cd "$RUN" && ulimit -c 0 && exec "$@" ) >"$T_TMP/lin.out" 2>"$T_TMP/lin.err"
	LRC=$?
	( cd "$RUN" && exec timeout "$_to" "$COKCTL" launch "$@" ) >"$T_TMP/cok.out" 2>"$T_TMP/cok.err"
	CRC=$?
	echo "\$ $* -> Linux rc=$LRC; cokctl launch rc=$CRC"
	sed 's/^/  cok out: /' "$T_TMP/cok.out" | head -n 10
	sed 's/^/  cok err: /' "$T_TMP/cok.err" | head -n 10
	DIFF_ERR=
	if [ "$CRC" != "$LRC" ]; then
		DIFF_ERR="cokctl launch exit $CRC, Linux exit $LRC"
		[ "$CRC" = 143 ] && DIFF_ERR="$DIFF_ERR (timed out after ${_to}s?)"
		[ -s "$T_TMP/cok.err" ] && DIFF_ERR="$DIFF_ERR; stderr: $(head -n 1 "$T_TMP/cok.err" | cut -c1-160)"
	elif ! cmp -s "$T_TMP/lin.out" "$T_TMP/cok.out"; then
		DIFF_ERR="stdout differs from Linux's: '$(head -c 100 "$T_TMP/cok.out")' ($(wc -c <"$T_TMP/cok.out") bytes) vs '$(head -c 100 "$T_TMP/lin.out")' ($(wc -c <"$T_TMP/lin.out") bytes)"
	elif ! cmp -s "$T_TMP/lin.err" "$T_TMP/cok.err"; then
		DIFF_ERR="stderr differs from Linux's: '$(head -c 160 "$T_TMP/cok.err")' vs '$(head -c 100 "$T_TMP/lin.err")'"
	fi
	[ -z "$DIFF_ERR" ]
}

t_begin launch/setup
case_setup() {
	t_need module cokctl || return
	ensure_module || { t_fail "$MODULE_ERR"; return; }
	baseline_save launch
	create_enclave --cpus 2 --mem 256M || { t_fail "$CREATE_ERR"; return; }
	wait_enclave_ok "$EID" 2 5 || { t_fail "$ENC_ERR"; EID=; return; }
	ENC_CPUS=$(enc_cpus "$T_TMP/wait.flat" "$EID")
	MEMFREE0=$(mem_free)
	[ -n "$MEMFREE0" ] || { t_fail "no mem_free_bytes for enclave $EID: $STATUS_ERR"; return; }
	"$COKCTL" help launch >/dev/null 2>&1 || t_info "launch: cokctl has no launch verb (cokctl help launch fails)"
	t_pass
}
case_setup

# same NAME TIMEOUT CHECK PROGRAM ARGS...: one case, PROGRAM on the
# co-kernel behaves as on Linux; then the function CHECK (its failure
# reason in EXTRA_ERR) looks at the result itself, so that an identical
# failure on both sides is no pass.
same() {
	_n=$1 _to=$2 _chk=$3
	shift 3
	t_begin "launch/$_n"
	[ -n "$EID" ] || { t_skip "no enclave (setup failed)"; return; }
	need_apps "${1##*/}" || return
	lin_vs_cok "$_to" "$@" || { t_fail "$DIFF_ERR"; return; }
	$_chk || { t_fail "$EXTRA_ERR"; return; }
	t_pass
}

want_hello() {
	EXTRA_ERR="exit $CRC, stdout '$(head -c 100 "$T_TMP/cok.out")'"
	[ "$CRC" = 0 ] && [ "$(cat "$T_TMP/cok.out")" = "hello from a static $1 x86-64 binary" ]
}
want_hello_musl() { want_hello musl; }
want_hello_glibc() { want_hello glibc; }
same hello-musl 120 want_hello_musl "$APPS/hello.musl"
same hello-glibc 120 want_hello_glibc "$APPS/hello.glibc"
if [ -x "$APPS/hello.glibc-pie" ]; then
	same hello-static-pie 120 want_hello_glibc "$APPS/hello.glibc-pie"
fi

want_42() { EXTRA_ERR="exit $CRC, want 42"; [ "$CRC" = 42 ]; }
same exit42-musl 120 want_42 "$APPS/exit42.musl"
same exit42-glibc 120 want_42 "$APPS/exit42.glibc"

# Arguments after PROGRAM go to the app unchanged, options included.
want_args() {
	EXTRA_ERR="exit $CRC, want 0"
	[ "$CRC" = 0 ] || return 1
	EXTRA_ERR="args output lacks the arguments or COK_TEST_ENV: $(head -c 200 "$T_TMP/cok.out" | tr '\n' '|')"
	grep -q '^argc=7$' "$T_TMP/cok.out" && grep -q '^argv\[3\]=\[\]$' "$T_TMP/cok.out" &&
		grep -q '^argv\[4\]=\[--core\]$' "$T_TMP/cok.out" &&
		grep -q '^COK_TEST_ENV=\[value with  spaces=and;symbols\]$' "$T_TMP/cok.out"
}
export COK_TEST_ENV='value with  spaces=and;symbols'
same args-musl 120 want_args "$APPS/args.musl" one 'two words' '' --core 5 'x*y'
same args-glibc 120 want_args "$APPS/args.glibc" one 'two words' '' --core 5 'x*y'
unset COK_TEST_ENV
want_unset() { EXTRA_ERR="exit $CRC, COK_TEST_ENV not reported unset"; [ "$CRC" = 0 ] && grep -q '^COK_TEST_ENV unset$' "$T_TMP/cok.out"; }
same args-no-env 120 want_unset "$APPS/args.musl"

want_sha() {
	EXTRA_ERR="exit $CRC, digest '$(head -c 100 "$T_TMP/cok.out")', want $SHA64"
	[ "$CRC" = 0 ] && [ "$(cat "$T_TMP/cok.out")" = "$SHA64  xorshift64 64 MiB" ]
}
same sha-musl 300 want_sha "$APPS/sha.musl"
same sha-glibc 300 want_sha "$APPS/sha.glibc"

# Clocks: the co-kernel's CLOCK_REALTIME and CLOCK_MONOTONIC agree with
# Linux's (date, /proc/uptime) to a second; fwq prints its samples.
t_begin launch/time
case_time() {
	[ -n "$EID" ] || { t_skip "no enclave (setup failed)"; return; }
	need_apps time.musl time.glibc || return
	for _l in musl glibc; do
		_r0=$(date +%s) _u0=$(cut -d' ' -f1 /proc/uptime)
		run timeout 60 "$COKCTL" launch "$APPS/time.$_l"
		_r1=$(date +%s) _u1=$(cut -d' ' -f1 /proc/uptime)
		[ "$RC" = 0 ] || { t_fail "time.$_l: exit $RC: $(echo "$ERR" | head -n 1)"; return; }
		[ "$(echo "$OUT" | grep -c '^[1-9][0-9]*$')" = 2 ] || { t_fail "time.$_l printed '$OUT', want two numbers"; return; }
		_rt=$(echo "$OUT" | sed -n 1p) _mo=$(echo "$OUT" | sed -n 2p)
		awk -v t="$_rt" -v a="$_r0" -v b="$_r1" 'BEGIN { t /= 1e9; exit !(t >= a - 1 && t <= b + 2) }' ||
			{ t_fail "time.$_l: CLOCK_REALTIME $_rt ns, Linux's between $_r0 and $_r1 s"; return; }
		awk -v t="$_mo" -v a="$_u0" -v b="$_u1" 'BEGIN { t /= 1e9; exit !(t >= a - 1 && t <= b + 1) }' ||
			{ t_fail "time.$_l: CLOCK_MONOTONIC $_mo ns, Linux's uptime between $_u0 and $_u1 s"; return; }
	done
	t_pass
}
case_time

t_begin launch/fwq
case_fwq() {
	[ -n "$EID" ] || { t_skip "no enclave (setup failed)"; return; }
	need_apps fwq.musl || return
	"$COKCTL" launch "$APPS/fwq.musl" 200 10000 >"$T_TMP/fwq.out" 2>"$T_TMP/fwq.err"
	RC=$?
	[ "$RC" = 0 ] || { t_fail "fwq: exit $RC: $(head -n 1 "$T_TMP/fwq.err")"; return; }
	_n=$(grep -c '^[1-9][0-9]*$' "$T_TMP/fwq.out")
	[ "$_n" = 200 ] && [ "$(grep -c '' "$T_TMP/fwq.out")" = 200 ] ||
		{ t_fail "fwq 200 10000: $_n sample lines of $(grep -c '' "$T_TMP/fwq.out"), want 200"; return; }
	t_info "launch: fwq 200 x 10000 on a co-kernel core: min $(sort -n "$T_TMP/fwq.out" | head -n 1) max $(sort -n "$T_TMP/fwq.out" | tail -n 1) cycles"
	t_pass
}
case_fwq

# filecopy with relative paths: the app's cwd is cokctl's.
for l in musl glibc; do
	t_begin "launch/filecopy-$l"
	case_filecopy() {
		[ -n "$EID" ] || { t_skip "no enclave (setup failed)"; return; }
		need_apps "filecopy.$l" || return
		rm -f "$RUN"/fc.*
		head -c 1048576 /dev/urandom >"$RUN/fc.in"
		head -c 4219 /dev/urandom >>"$RUN/fc.in"	# a last, partial block
		( cd "$RUN" && exec "$APPS/filecopy.$l" fc.in fc.linux ) >"$T_TMP/lin.out" 2>"$T_TMP/lin.err"
		LRC=$?
		( cd "$RUN" && exec timeout 300 "$COKCTL" launch "$APPS/filecopy.$l" fc.in fc.cok ) >"$T_TMP/cok.out" 2>"$T_TMP/cok.err"
		CRC=$?
		echo "\$ filecopy.$l fc.in fc.cok -> Linux rc=$LRC; cokctl launch rc=$CRC: $(cat "$T_TMP/cok.out" "$T_TMP/cok.err" | head -n 3)"
		[ "$LRC" = 0 ] || { t_fail "filecopy.$l on Linux: exit $LRC: $(head -n 1 "$T_TMP/lin.err")"; return; }
		[ "$CRC" = 0 ] || { t_fail "cokctl launch filecopy.$l: exit $CRC: $(head -n 1 "$T_TMP/cok.err")"; return; }
		cmp -s "$T_TMP/lin.out" "$T_TMP/cok.out" ||
			{ t_fail "stdout '$(head -c 100 "$T_TMP/cok.out")', Linux '$(head -c 100 "$T_TMP/lin.out")'"; return; }
		[ -f "$RUN/fc.cok" ] || { t_fail "no output file fc.cok in cokctl's cwd"; return; }
		cmp "$RUN/fc.linux" "$RUN/fc.cok" >"$T_TMP/cmp.out" 2>&1 ||
			{ t_fail "fc.cok differs from Linux's output: $(head -n 1 "$T_TMP/cmp.out"); sizes $(wc -c <"$RUN/fc.cok") vs $(wc -c <"$RUN/fc.linux")"; return; }
		t_pass
	}
	case_filecopy
done

# Two apps at once, one per core, each with its own output.
t_begin launch/two-at-once
case_two() {
	[ -n "$EID" ] || { t_skip "no enclave (setup failed)"; return; }
	need_apps spin.musl spin.glibc || return
	"$COKCTL" launch "$APPS/spin.musl" first >"$T_TMP/spin1.out" 2>"$T_TMP/spin1.err" &
	P1=$!
	"$COKCTL" launch "$APPS/spin.glibc" second >"$T_TMP/spin2.out" 2>"$T_TMP/spin2.err" &
	P2=$!
	_ok=
	_i=0
	while [ $_i -lt 300 ]; do	# 60 s
		if grep -q '^spin first: spinning$' "$T_TMP/spin1.out" && grep -q '^spin second: spinning$' "$T_TMP/spin2.out"; then
			_ok=1
			break
		fi
		kill -0 "$P1" 2>/dev/null || kill -0 "$P2" 2>/dev/null || break
		usleep 200000
		_i=$((_i + 1))
	done
	_why=
	if [ -z "$_ok" ]; then
		_why="both spins did not start within 60 s: first '$(head -c 80 "$T_TMP/spin1.out")$(head -n 1 "$T_TMP/spin1.err")', second '$(head -c 80 "$T_TMP/spin2.out")$(head -n 1 "$T_TMP/spin2.err")'"
	elif ! ps_read "$T_TMP/ps2.flat"; then
		_why=$PS_ERR
	elif [ "$(ps_count "$T_TMP/ps2.flat")" != 2 ]; then
		_why="cokctl ps lists $(ps_count "$T_TMP/ps2.flat") apps, want 2: $(head -c 300 "$T_TMP/ps.json")"
	else
		c0=$(ps_get "$T_TMP/ps2.flat" 0 core) c1=$(ps_get "$T_TMP/ps2.flat" 1 core)
		p0=$(ps_get "$T_TMP/ps2.flat" 0 pid) p1=$(ps_get "$T_TMP/ps2.flat" 1 pid)
		[ -n "$c0" ] && [ "$c0" != "$c1" ] || _why="both apps on core '$c0': $(head -c 300 "$T_TMP/ps.json")"
		case " $p0 $p1 " in *" $P1 "*) ;; *) _why="${_why:-ps pids $p0 $p1 do not include cokctl $P1}" ;; esac
		case " $p0 $p1 " in *" $P2 "*) ;; *) _why="${_why:-ps pids $p0 $p1 do not include cokctl $P2}" ;; esac
		for k in 0 1; do
			[ "$(ps_get "$T_TMP/ps2.flat" $k enclave)" = "$EID" ] || _why="${_why:-app $k not in enclave $EID}"
			[ "$(ps_get "$T_TMP/ps2.flat" $k state)" = running ] ||
				_why="${_why:-app $k state '$(ps_get "$T_TMP/ps2.flat" $k state)', want running}"
			_cpu=$(ps_get "$T_TMP/ps2.flat" $k cpu)
			echo "$ENC_CPUS" | grep -qx "$_cpu" || _why="${_why:-app $k on cpu '$_cpu', not one of the enclave's}"
		done
		# End them by id, as a user would.
		for k in 0 1; do
			run "$COKCTL" kill "$(ps_get "$T_TMP/ps2.flat" $k id)"
			[ "$RC" = 0 ] || _why="${_why:-cokctl kill $(ps_get "$T_TMP/ps2.flat" $k id): exit $RC: $ERR}"
		done
	fi
	# Whatever happened: both proxies end (SIGTERM, then SIGKILL).
	_i=0
	while { kill -0 "$P1" 2>/dev/null || kill -0 "$P2" 2>/dev/null; } && [ $_i -lt 50 ]; do
		usleep 200000
		_i=$((_i + 1))
	done
	if kill -0 "$P1" 2>/dev/null || kill -0 "$P2" 2>/dev/null; then
		_why="${_why:-a proxy still runs 10 s after cokctl kill}"
		kill -TERM "$P1" "$P2" 2>/dev/null
		sleep 2
		kill -KILL "$P1" "$P2" 2>/dev/null
	fi
	wait "$P1"
	R1=$?
	wait "$P2"
	R2=$?
	[ -n "$_why" ] && { t_fail "$_why"; return; }
	[ "$R1" = 143 ] && [ "$R2" = 143 ] || { t_fail "after cokctl kill the proxies exited $R1 and $R2, want 143 (SIGTERM)"; return; }
	[ "$(cat "$T_TMP/spin1.out")" = "spin first: spinning" ] && [ "$(cat "$T_TMP/spin2.out")" = "spin second: spinning" ] ||
		{ t_fail "outputs mixed up: first '$(head -c 80 "$T_TMP/spin1.out")', second '$(head -c 80 "$T_TMP/spin2.out")'"; return; }
	wait_no_apps 10 || { t_fail "$PS_ERR"; return; }
	t_pass
}
case_two

# Refusals: exit 1, one line on stderr, nothing on stdout, nothing
# started (no app in ps, the enclave's free memory unchanged).
refused() {	# NAME FILE WANT_SUBSTRING
	t_begin "launch/refuse-$1"
	[ -n "$EID" ] || { t_skip "no enclave (setup failed)"; return; }
	_m0=$(mem_free)
	run timeout 60 "$COKCTL" launch "$2" arg1
	_m1=$(mem_free)
	[ "$RC" = 1 ] || { t_fail "exit $RC, want 1 (stderr: $(echo "$ERR" | head -n 2 | tr '\n' ' '))"; return; }
	[ "$ERR_LINES" = 1 ] || { t_fail "stderr has $ERR_LINES lines, want 1: $(echo "$ERR" | tr '\n' '|' | cut -c1-200)"; return; }
	echo "$ERR" | grep -qi -- "$3" || { t_fail "reason '$ERR' does not say '$3'"; return; }
	[ -z "$OUT" ] || { t_fail "stdout not empty: $(echo "$OUT" | head -c 100)"; return; }
	[ "$_m0" = "$_m1" ] || { t_fail "mem_free_bytes $_m0 -> $_m1: something was loaded"; return; }
	ps_read "$T_TMP/psr.flat" || { t_fail "$PS_ERR"; return; }
	[ "$(ps_count "$T_TMP/psr.flat")" = 0 ] || { t_fail "an app is listed: $(head -c 200 "$T_TMP/ps.json")"; return; }
	t_pass
}
# cokctl itself is dynamically linked (libnl); busybox here is static.
# A dynamically linked program of the image: its PT_INTERP names the
# loader by full path (a static glibc binary may mention ld-linux too).
DYN=
for f in "$NL_MALFORMED" "$COKCTL"; do
	[ -x "$f" ] && grep -q '/lib64/ld-linux-x86-64.so.2' "$f" 2>/dev/null &&
		{ DYN=$f; break; }
done
if [ -n "$DYN" ]; then
	refused dynamic "$DYN" "dynamic"
else
	t_begin launch/refuse-dynamic
	t_fail "no dynamically linked program in the image to try"
fi
head -c 65536 /dev/urandom >"$T_TMP/garbage"
chmod 755 "$T_TMP/garbage"
refused garbage "$T_TMP/garbage" "not an ELF"
if [ -x "$APPS/hello.musl" ]; then
	head -c 2000 "$APPS/hello.musl" >"$T_TMP/hello-truncated"
	chmod 755 "$T_TMP/hello-truncated"
	refused truncated "$T_TMP/hello-truncated" "truncated"
else
	t_begin launch/refuse-truncated
	need_apps hello.musl
fi

# Ctrl-C: SIGINT to the cokctl in the foreground (the shell leaves a
# background job's SIGINT ignored, so the signal comes from a watcher).
t_begin launch/ctrl-c
case_ctrlc() {
	[ -n "$EID" ] || { t_skip "no enclave (setup failed)"; return; }
	need_apps spin.musl || return
	_m0=$(mem_free)
	[ -n "$_m0" ] || { t_fail "mem_free_bytes: $STATUS_ERR"; return; }
	: >"$T_TMP/int.out"
	: >"$T_TMP/watch"
	(
		i=0
		while [ $i -lt 300 ]; do	# 60 s
			if grep -q '^spin cc: spinning$' "$T_TMP/int.out"; then
				pid=$("$COKCTL" ps -j 2>/dev/null | json_flatten 2>/dev/null | sed -n 's/^apps\.0\.pid=//p')
				[ -n "$pid" ] && [ "$pid" != 0 ] || pid=$(pidof cokctl | tr ' ' '\n' | head -n 1)
				echo "sigint $pid" >"$T_TMP/watch"
				kill -INT "$pid"
				exit 0
			fi
			usleep 200000
			i=$((i + 1))
		done
		echo "spin never printed its line" >"$T_TMP/watch"
	) &
	W=$!
	timeout 120 "$COKCTL" launch "$APPS/spin.musl" cc >"$T_TMP/int.out" 2>"$T_TMP/int.err"
	RC=$?
	kill "$W" 2>/dev/null
	wait "$W" 2>/dev/null
	echo "\$ cokctl launch spin.musl cc -> rc=$RC; watcher: $(cat "$T_TMP/watch"); stderr: $(head -n 2 "$T_TMP/int.err")"
	case $(cat "$T_TMP/watch") in
	sigint*) ;;
	*) t_fail "no SIGINT sent: $(cat "$T_TMP/watch") (cokctl exit $RC: $(head -n 1 "$T_TMP/int.err"))"; return ;;
	esac
	[ "$RC" = 130 ] || { t_fail "cokctl exit $RC after SIGINT, want 130"; return; }
	wait_no_apps 10 || { t_fail "$PS_ERR"; return; }
	wait_mem_free "$_m0" 10 || { t_fail "$MEM_ERR"; return; }
	t_pass
}
case_ctrlc

# An unknown system call: -ENOSYS, as on Linux, and one console line.
t_begin launch/enosys
case_enosys() {
	[ -n "$EID" ] || { t_skip "no enclave (setup failed)"; return; }
	need_apps enosys.musl || return
	lin_vs_cok 60 "$APPS/enosys.musl" || { t_fail "$DIFF_ERR"; return; }
	run timeout 10 "$COKCTL" console "$EID"
	echo "$OUT" | grep -q 'system call 999 not supported' ||
		{ t_fail "no 'system call 999 not supported' line in cokctl console"; return; }
	t_pass
}
case_enosys

# munmap gives memory back: 64 x 32 MiB through a 256 MiB enclave.
for l in musl glibc; do
	t_begin "launch/munmap-$l"
	case_munmap() {
		[ -n "$EID" ] || { t_skip "no enclave (setup failed)"; return; }
		need_apps "mmap_loop.$1" || return
		lin_vs_cok 120 "$APPS/mmap_loop.$1" || { t_fail "$DIFF_ERR"; return; }
		t_pass
	}
	case_munmap $l
done
# One munmap of 80 2 MiB pages: they go back in more than one batch
# (after the TLB shootdown, docs/threads.md step 4); 8 x 160 MiB
# through the same 256 MiB enclave.
t_begin "launch/munmap-batches"
case_munmap_batches() {
	[ -n "$EID" ] || { t_skip "no enclave (setup failed)"; return; }
	need_apps "mmap_loop.musl" || return
	lin_vs_cok 120 "$APPS/mmap_loop.musl" 160 8 || { t_fail "$DIFF_ERR"; return; }
	t_pass
}
case_munmap_batches

# The proxy dies (SIGKILL, no chance to clean up): the module ends the
# app when the proxy's file goes, the memory returns, the core serves
# the next app.
t_begin launch/proxy-killed
case_proxy_killed() {
	[ -n "$EID" ] || { t_skip "no enclave (setup failed)"; return; }
	need_apps spin.musl hello.musl || return
	_m0=$(mem_free)
	[ -n "$_m0" ] || { t_fail "mem_free_bytes: $STATUS_ERR"; return; }
	: >"$T_TMP/pk.out"
	"$COKCTL" launch "$APPS/spin.musl" pk >"$T_TMP/pk.out" 2>"$T_TMP/pk.err" &
	P=$!
	i=0
	while ! grep -q '^spin pk: spinning$' "$T_TMP/pk.out" && [ $i -lt 300 ]; do
		usleep 200000
		i=$((i + 1))
	done
	grep -q '^spin pk: spinning$' "$T_TMP/pk.out" ||
		{ kill -KILL "$P"; t_fail "spin never printed its line: $(head -c 200 "$T_TMP/pk.err")"; return; }
	ps_read "$T_TMP/pk.flat" && [ "$(ps_count "$T_TMP/pk.flat")" = 1 ] ||
		{ kill -KILL "$P"; t_fail "cokctl ps does not list the running app"; return; }
	kill -KILL "$P"
	wait "$P" 2>/dev/null
	wait_no_apps 10 || { t_fail "after SIGKILL of the proxy: $PS_ERR"; return; }
	wait_mem_free "$_m0" 10 || { t_fail "after SIGKILL of the proxy: $MEM_ERR"; return; }
	lin_vs_cok 60 "$APPS/hello.musl" || { t_fail "next launch: $DIFF_ERR"; return; }
	t_pass
}
case_proxy_killed

# After all of the above, the enclave has all its memory again.
t_begin launch/no-leak
case_noleak() {
	[ -n "$EID" ] || { t_skip "no enclave (setup failed)"; return; }
	wait_no_apps 5 || { t_fail "$PS_ERR"; return; }
	wait_mem_free "$MEMFREE0" 5 || { t_fail "after all apps: $MEM_ERR (at setup)"; return; }
	heartbeat_advances "$EID" || { t_fail "$HB_ERR"; return; }
	t_pass
}
case_noleak

t_begin launch/destroy
case_destroy() {
	[ -n "$EID" ] || { t_skip "no enclave (setup failed)"; return; }
	run "$COKCTL" destroy "$EID"
	[ "$RC" = 0 ] || { t_fail "destroy $EID exit $RC: $ERR"; return; }
	baseline_check launch || { t_fail "$BASE_ERR"; return; }
	t_pass
}
case_destroy
destroy_all
