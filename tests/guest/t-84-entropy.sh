# SPDX-License-Identifier: GPL-2.0
# Entropy (issue 7, part 8): an app's getrandom() and AT_RANDOM come from
# a ChaCha20 generator the module seeds from get_random_bytes() at every
# launch and restore and reseeds at every thaw.  The co-kernel's boot
# self-test passed; two launches get different AT_RANDOM and getrandom
# bytes; one image restored twice gives two different getrandom answers
# (and otherwise the output of a Linux run); a thaw after a dump
# --leave-running reseeds (console line) and the thawed app's bytes differ
# from the restored image's; getrandom's answers to flags, lengths and
# bad buffers are those of Linux for the same binary.
# timeout: 900
. /tests/lib.sh
t_require entropy module cokctl

RAND=/apps/rand
ROUNDS=${COK_RAND_ROUNDS:-1500}
IMG=/tmp/entropy.img
EID=

app_id() {	# the only app's id (a 1-core enclave), from cokctl ps -j
	"$COKCTL" ps -j 2>/dev/null | json_flatten 2>/dev/null |
		sed -n 's/^apps\.0\.id=//p' | head -n 1
}

# launch_loop OUT: rand loop in the background (P), its app id in ID once
# it has printed 3 lines.
launch_loop() {
	"$COKCTL" launch "$RAND.musl" loop "$ROUNDS" >"$1" 2>"$1.err" 3>&- &
	P=$!
	wait_lines "$1" 3 || { kill "$P"; LOOP_ERR="the app made no progress: $(head -c 200 "$1.err")"; return 1; }
	ID=$(app_id)
	[ -n "$ID" ] || { kill "$P"; LOOP_ERR="no app id in cokctl ps"; return 1; }
}

# hex16 LINE_PREFIX FILE: the 32 hex digits after the prefix, or nothing.
hex16() {
	sed -n "s/^$1 \([0-9a-f]\{32\}\)\$/\1/p" "$2" | tail -n 1
}

# restore_rest OUT: restore $IMG to completion; its output in OUT.  The
# app's stdout was a file ($T_TMP/cok.out, DUMPED bytes long when it was
# dumped): the restore reopens it at that offset and the app writes on
# there, so OUT is what the restore printed plus what follows DUMPED.
restore_rest() {
	"$COKCTL" restore "$IMG" >"$1.stdout" 2>"$1.err"
	_rc=$?
	[ "$_rc" = 0 ] || { REST_ERR="restore exit $_rc: $(head -c 300 "$1.err")"; return 1; }
	{ cat "$1.stdout"; tail -c +$((DUMPED + 1)) "$T_TMP/cok.out"; } >"$1"
}

# same_but_last A B: A and B agree except for their last lines.
same_but_last() {
	sed '$d' "$1" >"$T_TMP/sbl.a"
	sed '$d' "$2" >"$T_TMP/sbl.b"
	cmp -s "$T_TMP/sbl.a" "$T_TMP/sbl.b"
}

reseeds() {	# ID: the console's "reseeded ... (thaw)" lines for app ID
	timeout 10 "$COKCTL" console "$EID" 2>/dev/null |
		grep -c "app $1: random generator reseeded from Linux (thaw)"
}

t_begin entropy/setup
case_setup() {
	for _l in musl glibc; do
		[ -x "$RAND.$_l" ] || { t_fail "$RAND.$_l not in the image: ${WHY_APPS:-not built}"; return; }
	done
	ensure_module || { t_fail "$MODULE_ERR"; return; }
	create_enclave --cpus 1 --mem 64M || { t_fail "$CREATE_ERR"; return; }
	wait_enclave_ok "$EID" 1 5 || { t_fail "$ENC_ERR"; EID=; return; }
	"$RAND.musl" loop "$ROUNDS" >"$T_TMP/lin.out" || { EID=; t_fail "Linux run of rand loop failed"; return; }
	t_pass
}
case_setup

t_begin entropy/selftest
case_selftest() {
	[ -n "$EID" ] || { t_skip "no enclave (setup failed)"; return; }
	run timeout 10 "$COKCTL" console "$EID"
	echo "$OUT" | grep -q 'rng: ChaCha20 self-test (RFC 8439 2.3.2) passed' ||
		{ t_fail "no self-test line in the console: $(echo "$OUT" | grep rng: | head -c 200)"; return; }
	t_info "$(echo "$OUT" | grep 'rng:' | head -n 1)"
	t_pass
}
case_selftest

# Two launches of one program: different AT_RANDOM, different getrandom.
t_begin entropy/two-launches
case_launches() {
	[ -n "$EID" ] || { t_skip "no enclave (setup failed)"; return; }
	for _k in 1 2; do
		"$COKCTL" launch "$RAND.glibc" show >"$T_TMP/show$_k" 2>"$T_TMP/show$_k.err" 3>&- ||
			{ t_fail "launch $_k of rand show: $(head -c 200 "$T_TMP/show$_k.err")"; return; }
	done
	a1=$(hex16 at_random "$T_TMP/show1") a2=$(hex16 at_random "$T_TMP/show2")
	g1=$(hex16 getrandom "$T_TMP/show1") g2=$(hex16 getrandom "$T_TMP/show2")
	[ -n "$a1" ] && [ -n "$a2" ] && [ -n "$g1" ] && [ -n "$g2" ] ||
		{ t_fail "rand show printed no 16 hex bytes: $(cat "$T_TMP/show1")"; return; }
	[ "$a1" != "$a2" ] || { t_fail "both launches got AT_RANDOM $a1"; return; }
	[ "$g1" != "$g2" ] || { t_fail "both launches got getrandom $g1"; return; }
	[ "$a1" != "$g1" ] || { t_fail "AT_RANDOM and getrandom gave the same bytes $a1"; return; }
	for _h in "$a1" "$g1"; do
		[ "$_h" != 00000000000000000000000000000000 ] || { t_fail "all-zero random bytes"; return; }
	done
	t_info "AT_RANDOM $a1 / $a2, getrandom $g1 / $g2"
	t_pass
}
case_launches

# One image, restored twice, each run to its end.
t_begin entropy/restore-twice
case_restore_twice() {
	[ -n "$EID" ] || { t_skip "no enclave (setup failed)"; return; }
	launch_loop "$T_TMP/cok.out" || { t_fail "$LOOP_ERR"; return; }
	run "$COKCTL" dump "$ID" -o "$IMG" --kill
	[ "$RC" = 0 ] || { kill "$P"; wait "$P"; t_fail "dump $ID exit $RC: $ERR"; return; }
	wait "$P"
	DUMPED=$(wc -c <"$T_TMP/cok.out")
	cp "$T_TMP/cok.out" "$T_TMP/cok.pre"
	restore_rest "$T_TMP/rest1" || { t_fail "first $REST_ERR"; return; }
	cp "$T_TMP/cok.pre" "$T_TMP/cok.out"
	restore_rest "$T_TMP/rest2" || { t_fail "second $REST_ERR"; return; }
	for _k in 1 2; do
		cat "$T_TMP/cok.pre" "$T_TMP/rest$_k" >"$T_TMP/joined$_k"
		same_but_last "$T_TMP/joined$_k" "$T_TMP/lin.out" ||
			{ t_fail "restore $_k: output differs from the Linux run's before the random line"; return; }
	done
	r1=$(hex16 getrandom "$T_TMP/rest1") r2=$(hex16 getrandom "$T_TMP/rest2")
	[ -n "$r1" ] && [ -n "$r2" ] || { t_fail "no getrandom line: '$(tail -n 1 "$T_TMP/rest1")'"; return; }
	[ "$r1" != "$r2" ] || { t_fail "both restores of one image got getrandom $r1"; return; }
	t_info "dumped after $(lines "$T_TMP/cok.pre") lines; restores: $r1 / $r2"
	t_pass
}
case_restore_twice

# dump --leave-running: the thaw reseeds; the app and its image differ.
t_begin entropy/thaw-reseeds
case_thaw() {
	[ -n "$EID" ] || { t_skip "no enclave (setup failed)"; return; }
	launch_loop "$T_TMP/cok.out" || { t_fail "$LOOP_ERR"; return; }
	_before=$(reseeds "$ID")
	run "$COKCTL" dump "$ID" -o "$IMG" --leave-running
	[ "$RC" = 0 ] || { kill "$P"; wait "$P"; t_fail "dump $ID exit $RC: $ERR"; return; }
	_after=$(reseeds "$ID")
	wait "$P"
	_rc=$?
	[ "$_rc" = 0 ] || { t_fail "the thawed app exit $_rc: $(head -c 200 "$T_TMP/cok.out.err")"; return; }
	[ "$_after" = $((_before + 1)) ] ||
		{ t_fail "reseed lines for app $ID: $_before before the dump, $_after after, want one more"; return; }
	same_but_last "$T_TMP/cok.out" "$T_TMP/lin.out" ||
		{ t_fail "the thawed app's output differs from the Linux run's before the random line"; return; }
	t=$(hex16 getrandom "$T_TMP/cok.out")
	# The restored run writes over the thawed one's tail (same length).
	DUMPED=$(wc -c <"$T_TMP/cok.out")
	restore_rest "$T_TMP/rest.out" || { t_fail "$REST_ERR"; return; }
	cat "$T_TMP/rest.out.stdout" "$T_TMP/cok.out" >"$T_TMP/rest"
	r=$(hex16 getrandom "$T_TMP/rest")
	[ -n "$t" ] && [ -n "$r" ] || { t_fail "no getrandom line: '$(tail -n 1 "$T_TMP/rest")'"; return; }
	[ "$t" != "$r" ] || { t_fail "the thawed app and its restored image both got getrandom $t"; return; }
	t_info "thawed app $t, restored image $r"
	t_pass
}
case_thaw

# getrandom(2)'s answers, from the same binary on Linux and the co-kernel.
for l in musl glibc; do
	t_begin "entropy/flags-$l"
	case_flags() {
		[ -n "$EID" ] || { t_skip "no enclave (setup failed)"; return; }
		"$RAND.$1" flags >"$T_TMP/flags.lin" 2>&1
		_lrc=$?
		"$COKCTL" launch "$RAND.$1" flags >"$T_TMP/flags.cok" 2>&1 3>&-
		_crc=$?
		[ "$_lrc" = "$_crc" ] || { t_fail "exit $_crc, Linux $_lrc"; return; }
		_d=$(diff "$T_TMP/flags.lin" "$T_TMP/flags.cok" | grep '^[<>]' | head -n 4 | tr '\n' ';')
		[ -z "$_d" ] || { t_fail "answers differ from Linux's (< Linux, > co-kernel): $_d"; return; }
		[ "$(lines "$T_TMP/flags.cok")" -ge 20 ] || { t_fail "only $(lines "$T_TMP/flags.cok") lines: $(head -c 200 "$T_TMP/flags.cok")"; return; }
		t_pass
	}
	case_flags "$l"
done

destroy_case entropy/destroy
destroy_all
