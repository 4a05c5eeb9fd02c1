# SPDX-License-Identifier: GPL-2.0
# The device boundary (issue 7): with /dev/ckpt_cokernel made 0666, an
# unprivileged user launches, freezes, dumps and restores their own apps,
# but cannot read another user's app (root's, holding a secret) through
# any path - their proxy's memory read from their app through
# /proc/self/mem, an mmap of the device at any offset, segments - and
# cannot freeze, thaw, dump or kill it (EPERM, one line).  A kill racing
# a dump either fails the dump cleanly or leaves an image that restores
# to the app's true result.
# timeout: 900
. /tests/lib.sh
t_require boundary module cokctl

SECRET=/apps/secret.musl
SCAN=/apps/memscan.musl
PEEK=/apps/devpeek.glibc
CRUNCH=/apps/crunch.musl
ROUNDS=400
OWN_ROUNDS=2000	# the user's app must outlive su, freeze, thaw (debug lane)
EID=
SID=
SP=

as_user() {	# CMD...: the command line for su
	_q=
	for _a in "$@"; do _q="$_q '$_a'"; done
	echo "exec $_q"
}

t_begin boundary/setup
setup() {
	t_need module cokctl || return
	for f in "$SECRET" "$SCAN" "$PEEK" "$CRUNCH"; do
		[ -x "$f" ] || { t_fail "$f not in the image"; return; }
	done
	ensure_module || { t_fail "$MODULE_ERR"; return; }
	chmod 0666 /dev/ckpt_cokernel
	create_enclave --cpus 2 --mem 256M || { t_fail "$CREATE_ERR"; return; }
	bg_app "$T_TMP/secret.out" "$T_TMP/secret.err" "$COKCTL" launch "$SECRET" pub42 ||
		{ t_fail "root's secret app did not start: $(cat "$T_TMP/secret.err")"; return; }
	SID=$ID SP=$P
	wait_lines "$T_TMP/secret.out" 1 || { t_fail "the secret app never got ready"; return; }
	t_pass "enclave $EID, root's app $SID holds 8 MiB of its secret"
}
setup

t_begin boundary/no-enclave-in-proxy
no_enclave_in_proxy() {
	[ -n "$SID" ] || { t_skip "no setup"; return; }
	run_as_user "$COKCTL" launch "$SCAN" pub42 CaNaRy-5150
	[ "$RC" = 0 ] || { t_fail "memscan exit $RC: $ERR"; return; }
	set -- $OUT
	# regions N bytes N secret N cokernel N canary N devmaps N
	[ "$1" = regions ] && [ "$4" -gt 1048576 ] ||
		{ t_fail "the scan read too little of its proxy: $OUT"; return; }
	[ "${10}" -ge 1 ] || { t_fail "the scan did not even find its proxy's argv: $OUT"; return; }
	[ "$6" = 0 ] || { t_fail "another user's secret is readable from an app: $OUT"; return; }
	[ "$8" = 0 ] || { t_fail "co-kernel text is readable from an app: $OUT"; return; }
	[ "${12}" = 0 ] || { t_fail "the proxy maps the device: $OUT"; return; }
	t_pass "$OUT"
}
no_enclave_in_proxy

t_begin boundary/device-probe
device_probe() {
	[ -n "$SID" ] || { t_skip "no setup"; return; }
	run "$COKCTL" freeze "$SID"
	[ "$RC" = 0 ] || { t_fail "root cannot freeze its app: $ERR"; return; }
	"$PEEK" hold "$SID" >"$T_TMP/hold.out" 2>&1 3>&- &
	HP=$!
	wait_lines "$T_TMP/hold.out" 1
	case $(cat "$T_TMP/hold.out") in
	segment*) ;;
	*) kill "$HP"; t_fail "root cannot make a segment: $(cat "$T_TMP/hold.out")"; return ;;
	esac
	run_as_user "$PEEK" probe
	kill "$HP"
	wait "$HP"
	"$COKCTL" thaw "$SID" >/dev/null 2>&1
	case $OUT in
	"mmap_ok 0 private_ok 0 appmem_ok 0 get_ok 0 attach_ok 0 make_ok 0 remove_ok 0 eperm "[1-9]*) ;;
	*) t_fail "a device user reached something ($(cat "$T_TMP/hold.out") held): $OUT $ERR"; return ;;
	esac
	t_pass "$OUT (root's $(cat "$T_TMP/hold.out") held meanwhile)"
}
device_probe

# refused_perm CMD...: as the user, exit 4 and one line naming the cause.
refused_perm() {
	run_as_user "$@"
	[ "$RC" = 4 ] || { WHY="$* -> exit $RC, want 4: $ERR"; return 1; }
	[ "$ERR_LINES" = 1 ] || { WHY="$*: $ERR_LINES stderr lines: $ERR"; return 1; }
	case $ERR in
	*"another user"*) return 0 ;;
	*) WHY="$*: '$ERR' does not say why"; return 1 ;;
	esac
}

t_begin boundary/other-users-app
other_users_app() {
	[ -n "$SID" ] || { t_skip "no setup"; return; }
	refused_perm "$COKCTL" freeze "$SID" || { t_fail "$WHY"; return; }
	refused_perm "$COKCTL" dump "$SID" -o /tmp/stolen.img || { t_fail "$WHY"; return; }
	[ ! -e /tmp/stolen.img ] || { t_fail "a refused dump left /tmp/stolen.img"; return; }
	refused_perm "$COKCTL" kill "$SID" || { t_fail "$WHY"; return; }
	"$COKCTL" freeze "$SID" >/dev/null 2>&1
	refused_perm "$COKCTL" thaw "$SID" || { t_fail "$WHY"; "$COKCTL" thaw "$SID"; return; }
	[ "$(app_field "$SID" state)" = frozen ] || { t_fail "root's app changed state"; return; }
	"$COKCTL" thaw "$SID" >/dev/null 2>&1
	kill -0 "$SP" 2>/dev/null || { t_fail "root's app is gone"; return; }
	pid_user=$(su -s /bin/sh "$T_USER" -c "$(as_user "$COKCTL" ps -j)" | json_flatten |
		   grep -c "^apps\.[0-9]*\.pid=$SP\$")
	[ "$(app_field "$SID" pid)" = "$SP" ] || { t_fail "root's ps lacks the proxy pid"; return; }
	[ "$pid_user" = 0 ] || { t_fail "the user's ps shows root's proxy pid"; return; }
	t_pass "freeze, thaw, dump and kill of root's app: exit 4, one line each; ps hides its proxy"
}
other_users_app

t_begin boundary/console-hides-others
console_hides_others() {
	[ -n "$EID" ] || { t_skip "no setup"; return; }
	"$COKCTL" launch /apps/crash_null.musl >/dev/null 2>&1 3>&-
	"$COKCTL" console "$EID" >"$T_TMP/con.root" 2>&1
	line=$(grep ': killed (signal' "$T_TMP/con.root" | tail -n 1)
	cid=$(echo "$line" | sed -n 's/.* app \([0-9]*\): .*/\1/p')
	[ -n "$cid" ] && echo "$line" | grep -q 'at rip' ||
		{ t_fail "root's console lacks the fault line: $line"; return; }
	su -s /bin/sh "$T_USER" -c "$(as_user "$COKCTL" console "$EID")" >"$T_TMP/con.user" 2>&1
	uline=$(grep " app $cid: " "$T_TMP/con.user" | tail -n 1)
	[ -n "$uline" ] || { t_fail "the user's console lost the line of app $cid"; return; }
	case $uline in
	*rip*|*addr*) t_fail "the user sees root's fault: $uline"; return ;;
	esac
	grep -q 'mem:' "$T_TMP/con.user" || { t_fail "the user's console lost the co-kernel's own lines"; return; }
	t_pass "root: '$line'; user: '$uline'"
}
console_hides_others

t_begin boundary/own-apps
own_fail() {	# WHY: end the user's app, then fail
	kill -TERM "$P" 2>/dev/null
	wait "$P"
	t_fail "$1"
}

own_apps() {
	[ -n "$EID" ] || { t_skip "no setup"; return; }
	"$CRUNCH" "$OWN_ROUNDS" >"$T_TMP/own.ref" 2>&1
	"$CRUNCH" "$ROUNDS" >"$T_TMP/crunch.ref" 2>&1
	# The user's own file: a restore reopens it at its offset (as the
	# user, who could not reopen one of root's).
	rm -f /tmp/own.out
	rm -f /tmp/own.err
	bg_app /dev/null /dev/null su -s /bin/sh "$T_USER" -c \
		"$(as_user "$COKCTL" launch "$CRUNCH" "$OWN_ROUNDS") >/tmp/own.out 2>/tmp/own.err" ||
		{ t_fail "the user's launch did not start: $(cat /tmp/own.err)"; return; }
	wait_lines /tmp/own.out 5
	run_as_user "$COKCTL" freeze "$ID"
	[ "$RC" = 0 ] || { own_fail "the user cannot freeze their app: $ERR"; return; }
	run_as_user "$COKCTL" thaw "$ID"
	[ "$RC" = 0 ] || { own_fail "the user cannot thaw their app: $ERR"; return; }
	run_as_user "$COKCTL" dump "$ID" -o /tmp/own.img --kill
	[ "$RC" = 0 ] || { own_fail "the user cannot dump their app: $ERR"; return; }
	wait "$P"
	su -s /bin/sh "$T_USER" -c "$(as_user "$COKCTL" restore /tmp/own.img)" \
		>"$T_TMP/own.rest" 2>"$T_TMP/own.rerr" 3>&-
	_rc=$?
	cat /tmp/own.out "$T_TMP/own.rest" >"$T_TMP/own.all"
	rm -f /tmp/own.img /tmp/own.out /tmp/own.err
	[ "$_rc" = 0 ] || { t_fail "the user's restore exit $_rc: $(cat "$T_TMP/own.rerr")"; return; }
	cmp -s "$T_TMP/own.all" "$T_TMP/own.ref" ||
		{ t_fail "the restored output differs from Linux's"; return; }
	t_pass "launch, freeze, thaw, dump --kill, restore by the user: output identical to Linux's"
}
own_apps

t_begin boundary/kill-races-dump
kill_races_dump() {
	[ -n "$EID" ] || { t_skip "no setup"; return; }
	n=0 good=0 refused=0
	while [ $n -lt 8 ]; do
		n=$((n + 1))
		rm -f /tmp/race.img
		bg_app "$T_TMP/race.out" "$T_TMP/race.err" "$COKCTL" launch "$CRUNCH" "$ROUNDS" ||
			{ t_fail "round $n: no launch"; return; }
		wait_lines "$T_TMP/race.out" 3
		# --kill: the output so far is all the app printed before its
		# freeze (the race is between our SIGTERM and the dump).
		"$COKCTL" dump "$ID" -o /tmp/race.img --kill >"$T_TMP/race.dump" 2>&1 3>&- &
		DP=$!
		usleep $(( (n % 4) * 20000 ))
		kill -TERM "$P"
		wait "$DP"
		drc=$?
		wait "$P"
		t_info "round $n: dump exit $drc: $(head -c 160 "$T_TMP/race.dump")"
		ls -a /tmp/ | grep -q '^\.race\.img\.' &&
			{ t_fail "round $n: the dump (exit $drc) left a temporary file"; return; }
		# Killed before the dump had its memory: no image, nothing else.
		if [ ! -e /tmp/race.img ]; then
			[ "$drc" != 0 ] || { t_fail "round $n: dump exit 0 and no image"; return; }
			refused=$((refused + 1))
			continue
		fi
		"$COKCTL" image verify /tmp/race.img >/dev/null 2>&1 ||
			{ t_fail "round $n: dump exit 0 but the image does not verify"; return; }
		"$COKCTL" restore /tmp/race.img >"$T_TMP/race.rest" 2>"$T_TMP/race.rerr" 3>&-
		cat "$T_TMP/race.out" "$T_TMP/race.rest" >"$T_TMP/race.all"
		cmp -s "$T_TMP/race.all" "$T_TMP/crunch.ref" ||
			{ t_fail "round $n: the image restored to another result ($(head -c 200 "$T_TMP/race.rerr"))"; return; }
		good=$((good + 1))
	done
	rm -f /tmp/race.img
	t_pass "$n rounds: $good dumps restored to the true result, $refused dumps failed cleanly"
}
kill_races_dump

t_begin boundary/cleanup
cleanup() {
	[ -n "$SP" ] && kill -TERM "$SP" 2>/dev/null && wait "$SP"
	chmod 0600 /dev/ckpt_cokernel
	[ -n "$EID" ] || { t_skip "no enclave"; return; }
	run "$COKCTL" destroy "$EID"
	[ "$RC" = 0 ] || { t_fail "destroy: $ERR"; return; }
	t_pass "destroyed; device back to 0600"
}
cleanup
