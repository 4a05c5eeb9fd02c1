# SPDX-License-Identifier: GPL-2.0
# Containment of a sick co-kernel core (issue 7, parts 10-12).
#  - Hotplug veto: onlining an enclave CPU from sysfs fails with EBUSY, the
#    CPU stays offline and its core keeps running.
#  - Fault injection (debugfs ckpt_cokernel/inject): bad orders refused
#    with EINVAL, one log line each, nothing changed; root only.
#  - Watchdog: "hang CPU" and "panic CPU" on the core of a running app,
#    5 rounds each: status shows the core "dead" within 1 s with its
#    reason, the launcher exits 125 with one line on stderr, a healthy
#    compute-only app on the other core is not disturbed, destroy gives
#    every CPU and MemTotal back, and the next create on the same CPUs
#    works.  rmmod with a dead core.
#  - A busy core is not a dead one: an app whose one malloc makes the
#    co-kernel zero 960 MiB in ring 0 (longer than the watchdog's 400 ms
#    tolerance under TCG) finishes with its result, and no core is
#    declared dead.
# timeout: 900
. /tests/lib.sh
t_require watchdog module cokctl

INJECT=/sys/kernel/debug/ckpt_cokernel/inject
SPIN=/apps/spin.musl
HELLO=/apps/hello.musl
CPUS_WANT=2,3
ROUNDS=${COK_WD_ROUNDS:-5}
LOST_RC=125
DEAD_MS_MAX=1000
EID=

ms_now() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }

# online_write CPU: "echo 1 >" its online file; sets RC and ERR.
online_write() {
	(echo 1 >"/sys/devices/system/cpu/cpu$1/online") 2>"$T_TMP/on.err"
	RC=$?
	ERR=$(cat "$T_TMP/on.err")
}

# inject_write LINE: sets RC and ERR.
inject_write() {
	(echo "$1" >"$INJECT") 2>"$T_TMP/inj.err"
	RC=$?
	ERR=$(cat "$T_TMP/inj.err")
}

# core_of CPU KEY: from the last status read (wd.flat).
core_of() { core_get "$T_TMP/wd.flat" "$EID" "$1" "$2"; }

# launch_bg NAME CORE: spin in the background on core CORE; sets LPID.
# A plain loop, "for ever" (spin's own endless loop uses PAUSE, which
# under TCG takes QEMU's global lock each time and slows the whole VM).
launch_bg() {
	"$COKCTL" launch --core "$2" "$SPIN" "$1" 1000000000 >"$T_TMP/$1.out" 2>"$T_TMP/$1.err" &
	LPID=$!
	# No command substitution in the loop: grep's exit status only.
	_i=0
	until grep -q . "$T_TMP/$1.out" 2>/dev/null; do
		_i=$((_i + 1))
		if [ $_i -le 300 ]; then usleep 100000; continue; fi
		FAIL_WHY="app $1 did not start ($(lines "$T_TMP/$1.out") lines out, launcher $(kill -0 $LPID 2>/dev/null && echo running || echo gone)): $(head -c 200 "$T_TMP/$1.err")"
		diag
		return 1
	done
}

# diag: the status and the co-kernel's console, into the console log.
diag() {
	"$COKCTL" status 2>&1 | sed 's/^/  diag status: /'
	[ -n "$EID" ] && timeout 10 "$COKCTL" console "$EID" 2>&1 | tail -n 20 | sed 's/^/  diag console: /'
}

# wait_pid PID SECONDS: its exit status in WRC, or 1 if it did not end.
wait_pid() {
	_w=0
	while kill -0 "$1" 2>/dev/null && [ $_w -lt $(($2 * 10)) ]; do
		usleep 100000
		_w=$((_w + 1))
	done
	kill -0 "$1" 2>/dev/null && return 1
	wait "$1"
	WRC=$?
	return 0
}

# enclave_on_cpus: a fresh enclave on CPUS_WANT, both cores running.
enclave_on_cpus() {
	create_enclave --cpu-list "$CPUS_WANT" --mem 64M || { FAIL_WHY=$CREATE_ERR; return 1; }
	wait_enclave_ok "$EID" 2 5 || { FAIL_WHY=$ENC_ERR; return 1; }
	CPUS=$(enc_cpus "$T_TMP/wait.flat" "$EID")
	CPU0=$(echo "$CPUS" | sed -n 1p)
	CPU1=$(echo "$CPUS" | sed -n 2p)
}

# The kernel log is the one clock for the timing checks: a marker line
# before the injection and before each status request, the module's own
# "is dead" line.
klog_mark() { echo "COKTEST-WD $*" >/dev/kmsg; }

# wait_dead CPU T0_MS: status -j (cheaply: one grep), a marker before each
# request, until CPU's stage is "dead"; NPOLL: the requests made; DEAD_MS:
# T0 to the end of the one that showed it (uptime clock, for the log).
# Then wd.flat holds the full status.
wait_dead() {
	NPOLL=0
	while :; do
		NPOLL=$((NPOLL + 1))
		klog_mark "poll $NPOLL"
		"$COKCTL" status -j "$EID" >"$T_TMP/wd.json" 2>&1 ||
			{ FAIL_WHY="status: $(head -c 200 "$T_TMP/wd.json")"; return 1; }
		grep -q "\"cpu\":$1,\"apic_id\":[0-9]*,\"stage\":\"dead\"" "$T_TMP/wd.json" && break
		[ $(($(ms_now) - $2)) -lt 5000 ] || { FAIL_WHY="CPU $1 not dead 5 s after the injection: $(head -c 300 "$T_TMP/wd.json")"; return 1; }
	done
	DEAD_MS=$(($(ms_now) - $2))
	status_read "$T_TMP/wd.flat" || { FAIL_WHY=$STATUS_ERR; return 1; }
}

# klog_timing CPU NPOLL: from the kernel log after the last "COKTEST-WD
# t0" marker: KMS, the module's "inject: ... on CPU" line (logged once the
# core took the order, just before it hangs or panics) to its "is dead"
# line (from the marker when the watchdog logged first), in ms; LATE, the status requests made after that line that did
# not show the core dead (0 when the first request after it shows it).
klog_timing() {
	eval "$(dmesg | awk -v inj="on CPU $1 (enclave" -v dead="(CPU $1) is dead:" -v npoll="$2" '
	{ t = substr($0, 2, index($0, "]") - 2) + 0 }
	index($0, "COKTEST-WD t0") { tm = t; t0 = 0; t1 = 0; for (k in poll) delete poll[k] }
	index($0, "inject: ") && index($0, inj) && tm && !t0 { t0 = t }
	index($0, dead) && tm && !t1 { t1 = t }
	match($0, /COKTEST-WD poll [0-9]+/) { poll[substr($0, RSTART + 16) + 0] = t }
	END {
		if (!t1) { print "KMS=; LATE="; exit }
		# Found before the order was logged: from the marker, then.
		if (!t0 || t0 > t1) t0 = tm
		late = 0
		for (k = 1; k < npoll; k++) if (poll[k] > t1) late++
		printf "KMS=%d; LATE=%d\n", (t1 - t0) * 1000, late
	}')"
}

t_begin watchdog/setup
case_setup() {
	t_need module cokctl || return
	[ -x "$SPIN" ] && [ -x "$HELLO" ] || { t_fail "test apps not in the image: ${WHY_APPS:-not built}"; return; }
	ensure_module || { t_fail "$MODULE_ERR"; return; }
	[ -e "$INJECT" ] || { t_fail "$INJECT missing (debugfs mounted: $(grep -c debugfs /proc/mounts))"; return; }
	perm=$(stat -c %a "$INJECT")
	[ "$perm" = 200 ] || { t_fail "$INJECT mode $perm, want 200"; return; }
	baseline_save wd
	MEM0=$(memtotal_kb)
	enclave_on_cpus || { t_fail "$FAIL_WHY"; EID=; return; }
	t_pass
}
case_setup

t_begin watchdog/hotplug-veto
case_veto() {
	[ -n "$EID" ] || { t_skip "no enclave (setup failed)"; return; }
	launch_bg veto 0 || { t_fail "$FAIL_WHY"; return; }
	P=$LPID
	for c in $CPUS; do
		online_write "$c"
		[ "$RC" != 0 ] || { t_fail "echo 1 > cpu$c/online succeeded while the enclave holds it"; kill $P; return; }
		case "$ERR" in
		*busy*|*Busy*) ;;
		*) t_fail "echo 1 > cpu$c/online: '$ERR', want EBUSY"; kill $P; return ;;
		esac
		[ "$(cpu_online "$c")" = 0 ] || { t_fail "cpu$c/online reads $(cpu_online "$c") after the refused write"; kill $P; return; }
	done
	dmesg | grep -q "CPU $CPU0 runs a co-kernel enclave: not onlined" ||
		{ t_fail "no veto line for CPU $CPU0 in the kernel log"; kill $P; return; }
	status_read "$T_TMP/wd.flat" || { t_fail "$STATUS_ERR"; kill $P; return; }
	for c in $CPUS; do
		[ "$(core_of "$c" alive)" = true ] && [ "$(core_of "$c" stage)" = running ] ||
			{ t_fail "core on CPU $c after the veto: stage $(core_of "$c" stage), alive $(core_of "$c" alive)"; kill $P; return; }
	done
	kill -0 $P 2>/dev/null || { t_fail "the app on CPU $CPU0 ended during the veto"; return; }
	kill $P
	wait_pid $P 10 || { t_fail "launcher did not end on SIGTERM"; return; }
	t_pass
}
case_veto

# What a refused injection must not change: online CPUs, MemTotal, each
# core's stage (not the enclave's state: a slow ping can read "degraded").
wd_snapshot() {
	snapshot "$1.full"
	grep -v '^enclaves\.[0-9]*\.state=' "$1.full" >"$1"
}

t_begin watchdog/inject-bad
case_bad() {
	[ -n "$EID" ] || { t_skip "no enclave (setup failed)"; return; }
	wd_snapshot "$T_TMP/snap.before"
	for w in "bogus 2" "hang" "hang 0" "hang 99" "panic two" "hang 2 3" "HANG $CPU0" ""; do
		n0=$(dmesg | grep -c 'ckpt_cokernel: inject:')
		inject_write "$w"
		[ "$RC" != 0 ] || { t_fail "inject '$w' accepted"; return; }
		case "$ERR" in
		*nvalid*) ;;
		*) t_fail "inject '$w': '$ERR', want EINVAL"; return ;;
		esac
		n1=$(dmesg | grep -c 'ckpt_cokernel: inject:')
		[ $((n1 - n0)) = 1 ] || { t_fail "inject '$w': $((n1 - n0)) log lines, want 1"; return; }
	done
	run_as_user sh -c "echo 'hang $CPU0' > $INJECT"
	[ "$RC" != 0 ] || { t_fail "an unprivileged user could write $INJECT"; return; }
	wd_snapshot "$T_TMP/snap.after"
	cmp -s "$T_TMP/snap.before" "$T_TMP/snap.after" ||
		{ t_fail "refused injections changed: $(diff "$T_TMP/snap.before" "$T_TMP/snap.after" | grep '^[-+][^-+]' | head -n 3 | tr '\n' ' ')"; return; }
	"$COKCTL" destroy "$EID" >/dev/null 2>&1
	EID=
	t_pass
}
case_bad

# one_round KIND N: an app on each core; inject KIND into core 0's CPU.
one_round() {
	enclave_on_cpus || return 1
	launch_bg "victim$2" 0 || return 1
	VP=$LPID
	launch_bg "control$2" 1 || { kill $VP; return 1; }
	CP=$LPID
	klog_mark t0
	t0=$(ms_now)
	inject_write "$1 $CPU0"
	[ "$RC" = 0 ] || { FAIL_WHY="inject '$1 $CPU0': exit $RC: $ERR"; kill $VP $CP; return 1; }
	wait_dead "$CPU0" "$t0" || { kill $VP $CP; return 1; }
	klog_timing "$CPU0" "$NPOLL"
	[ -n "$KMS" ] && [ "$KMS" -le $DEAD_MS_MAX ] || { FAIL_WHY="the module declared CPU $CPU0 dead '$KMS' ms after the fault (kernel log), want <= $DEAD_MS_MAX"; kill $VP $CP; return 1; }
	[ "$LATE" = 0 ] || { FAIL_WHY="$LATE status requests made after the module declared CPU $CPU0 dead did not show it"; kill $VP $CP; return 1; }
	reason=$(core_of "$CPU0" reason)
	case "$1:$reason" in
	"hang:no heartbeat for "*" ms") ;;
	"panic:panic: core 0: injected panic (debugfs)") ;;
	*) FAIL_WHY="$1: reason '$reason'"; kill $VP $CP; return 1 ;;
	esac
	[ "$(core_of "$CPU1" stage)" = running ] && [ "$(core_of "$CPU1" alive)" = true ] ||
		{ FAIL_WHY="the other core (CPU $CPU1): stage $(core_of "$CPU1" stage), alive $(core_of "$CPU1" alive)"; kill $VP $CP; return 1; }
	[ "$(enc_get "$T_TMP/wd.flat" "$EID" state)" = degraded ] ||
		{ FAIL_WHY="enclave state $(enc_get "$T_TMP/wd.flat" "$EID" state), want degraded"; kill $VP $CP; return 1; }
	wait_pid $VP 10 || { FAIL_WHY="the victim's launcher did not end"; kill -9 $VP $CP; return 1; }
	[ "$WRC" = $LOST_RC ] || { FAIL_WHY="victim launcher exit $WRC, want $LOST_RC"; kill $CP; return 1; }
	[ "$(lines "$T_TMP/victim$2.err")" = 1 ] && grep -q "lost: its co-kernel core is dead ($reason)" "$T_TMP/victim$2.err" ||
		{ FAIL_WHY="victim stderr: '$(head -c 300 "$T_TMP/victim$2.err")'"; kill $CP; return 1; }
	if [ "$1" = panic ]; then
		timeout 10 "$COKCTL" console "$EID" | grep -q "core 0: injected panic" ||
			{ FAIL_WHY="panic message not in cokctl console"; kill $CP; return 1; }
	fi
	# The healthy compute-only app ran through it all.
	kill -0 $CP 2>/dev/null || { FAIL_WHY="the control app ended: $(head -c 200 "$T_TMP/control$2.err")"; return 1; }
	kill $CP
	wait_pid $CP 10 || { FAIL_WHY="control launcher did not end on SIGTERM"; return 1; }
	run "$COKCTL" destroy "$EID"
	[ "$RC" = 0 ] || { FAIL_WHY="destroy with a dead core: exit $RC: $ERR"; return 1; }
	EID=
	baseline_check wd || { FAIL_WHY="after destroy: $BASE_ERR"; return 1; }
	for c in $CPUS; do
		[ "$(task_cpu "$c")" = "$c" ] || { FAIL_WHY="no task runs on CPU $c after destroy"; return 1; }
	done
	t_info "watchdog: $1 round $2: CPU $CPU0 dead $KMS ms after the fault (kernel log); status showed it at request $NPOLL, $DEAD_MS ms after ($reason)"
}

for kind in hang panic; do
	t_begin "watchdog/$kind"
	case_kind() {
		t_need module cokctl || return
		[ -x "$SPIN" ] || { t_skip "no test apps"; return; }
		r=1
		while [ $r -le "$ROUNDS" ]; do
			one_round "$kind" "$r" || { t_fail "round $r: $FAIL_WHY"; diag; destroy_all; return; }
			r=$((r + 1))
		done
		t_pass
	}
	case_kind
done

t_begin watchdog/create-after
case_after() {
	t_need module cokctl || return
	enclave_on_cpus || { t_fail "$FAIL_WHY"; return; }
	for core in 0 1; do
		run "$COKCTL" launch --core $core "$HELLO"
		[ "$RC" = 0 ] && [ -n "$OUT" ] || { t_fail "hello on core $core: exit $RC: $ERR"; destroy_all; return; }
	done
	run "$COKCTL" destroy "$EID"
	[ "$RC" = 0 ] || { t_fail "destroy: exit $RC: $ERR"; return; }
	baseline_check wd || { t_fail "$BASE_ERR"; return; }
	t_pass
}
case_after

t_begin watchdog/busy-not-dead
case_busy() {
	t_need module cokctl || return
	create_enclave --cpus 1 --mem 1100M || { t_fail "$CREATE_ERR"; return; }
	klog_mark busy
	run "$COKCTL" launch /apps/memhog.musl 960 0
	if [ "$RC" != 0 ]; then
		t_fail "memhog 960 MiB: exit $RC: $ERR"
	elif ! echo "$OUT" | grep -q "960 MiB filled"; then
		t_fail "memhog said: $OUT"
	elif dmesg | sed -n '/COKTEST-WD busy/,$p' | grep -q "is dead"; then
		t_fail "a core was declared dead: $(dmesg | sed -n '/COKTEST-WD busy/,$p' | grep -m1 'is dead')"
	else
		t_pass
	fi
	run "$COKCTL" destroy "$EID"
}
case_busy

t_begin watchdog/rmmod-dead
case_rmmod() {
	t_need module cokctl || return
	enclave_on_cpus || { t_fail "$FAIL_WHY"; return; }
	launch_bg rmvictim 0 || { t_fail "$FAIL_WHY"; destroy_all; return; }
	VP=$LPID
	klog_mark t0
	t0=$(ms_now)
	inject_write "hang $CPU0"
	[ "$RC" = 0 ] || { t_fail "inject: $ERR"; kill $VP; destroy_all; return; }
	wait_dead "$CPU0" "$t0" || { t_fail "$FAIL_WHY"; kill $VP; destroy_all; return; }
	wait_pid $VP 10 || { t_fail "the launcher did not end"; kill -9 $VP; destroy_all; return; }
	[ "$WRC" = $LOST_RC ] || { t_fail "launcher exit $WRC, want $LOST_RC"; destroy_all; return; }
	rmmod ckpt_cokernel 2>"$T_TMP/rmmod.err" || { t_fail "rmmod with a dead core: $(cat "$T_TMP/rmmod.err")"; destroy_all; return; }
	module_loaded && { t_fail "module still loaded after rmmod"; return; }
	baseline_check wd || { t_fail "after rmmod: $BASE_ERR"; return; }
	for c in $CPUS; do
		online_write "$c"
		[ "$RC" = 0 ] || { t_fail "echo 1 > cpu$c/online after rmmod: $ERR"; return; }
	done
	ensure_module || { t_fail "insmod after rmmod: $MODULE_ERR"; return; }
	t_pass
}
case_rmmod
destroy_all
