# SPDX-License-Identifier: GPL-2.0
# Files on fds 0-2 across a dump and restore (issue 7, part 13), and a
# dump ended by a signal (part 15).
#  - busybox gzip compressing a 20 MB file (it moves the file onto fd 0)
#    is dumped mid-run with --kill and restored with another regular file
#    as stdin: fd 0 is the recorded file at its offset, and the output is
#    byte-identical to busybox gzip's on Linux.
#  - `cokctl launch gzip < FILE > FIFO 2>/dev/null`, restored with
#    `< /dev/null`: fd 0 is FILE at its offset, fd 1 the restorer's own
#    (the app's was a pipe), fd 2 /dev/null again; restore -v says so.
#  - A recorded stdin file now shorter than its offset: refused, one line.
#  - A dump killed by SIGTERM or SIGHUP while it writes: no temporary
#    file, no image, the app frozen; thaw lets it finish.
# timeout: 1200
. /tests/lib.sh
t_require stdio module cokctl

BB=/bin/busybox
MEMHOG=/apps/memhog.musl
HOG_MIB=${COK_HOG_MIB:-192}
IN=$T_TMP/in.txt
IMG=$T_TMP/ckpt.img
EID=

size_of() { stat -c %s "$1" 2>/dev/null || echo 0; }

# file_of IMAGE FD KEY: a field of fd FD in `image info -j`.
file_of() {
	"$COKCTL" image info -j "$1" 2>/dev/null | json_flatten 2>/dev/null |
		awk -F= -v fd="$2" -v key="$3" '
		/^files\.[0-9]*\.fd=/ { split($1, k, "."); if ($2 == fd) want = k[2] }
		{ v[$1] = substr($0, length($1) + 2) }
		END { if (want != "") print v["files." want "." key] }'
}

# until_grows FILE MIN: until FILE has at least MIN bytes (60 s at most).
until_grows() {
	_ug=0
	while [ "$(size_of "$1")" -lt "$2" ] && [ $_ug -lt 600 ]; do
		usleep 100000
		_ug=$((_ug + 1))
	done
	[ "$(size_of "$1")" -ge "$2" ]
}

# dump_kill ID PROXY_PID: dump to $IMG, end the app; its proxy exits 137 (SIGKILL).
dump_kill() {
	run "$COKCTL" dump "$1" -o "$IMG" --kill -j
	[ "$RC" = 0 ] || { DUMP_ERR="dump $1 exit $RC: $ERR"; kill "$2"; wait "$2"; return 1; }
	wait "$2"
	_rc=$?
	[ "$_rc" = 137 ] || { DUMP_ERR="the dumped app's proxy exit $_rc, want 137"; return 1; }
	return 0
}

# check_fd0_mid IMAGE: fd 0 of IMAGE is $IN, regular, part-way read.
check_fd0_mid() {
	_k=$(file_of "$1" 0 kind)
	_p=$(file_of "$1" 0 path)
	_o=$(file_of "$1" 0 offset)
	[ "$_k" = regular ] && [ "$_p" = "$IN" ] ||
		{ FD_ERR="fd 0 in the image is '$_k' '$_p', want regular '$IN'"; return 1; }
	[ "${_o:-0}" -gt 0 ] && [ "$_o" -lt "$(size_of "$IN")" ] ||
		{ FD_ERR="fd 0 at offset '$_o' of $(size_of "$IN"): not mid-file"; return 1; }
	t_info "fd 0: $IN at offset $_o of $(size_of "$IN")"
	return 0
}

t_begin stdio/setup
case_setup() {
	"$BB" --list 2>/dev/null | grep -qx gzip || { t_fail "no busybox gzip in the guest"; return; }
	ensure_module || { t_fail "$MODULE_ERR"; return; }
	create_enclave --cpus 1 --mem $((HOG_MIB + 128))M || { t_fail "$CREATE_ERR"; return; }
	wait_enclave_ok "$EID" 1 5 || { t_fail "$ENC_ERR"; EID=; return; }
	# Text from a fixed generator: compressible, not trivial.  2 MiB of
	# it, then 10 copies, each line prefixed by the copy's number (gzip's
	# 32 KiB window never sees the repetition): 20 MiB and a little.
	_t0=$(date +%s)
	awk 'BEGIN {
		split("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa", w, " ")
		x = 12345
		while (n < 2097152) {
			x = (x * 1103515245 + 12345) % 2147483648
			l = sprintf("%07d %s %s %08x %s\n", i++, w[x % 16 + 1], w[int(x / 16) % 16 + 1], x, w[int(x / 256) % 16 + 1])
			printf "%s", l
			n += length(l)
		}
	}' >"$T_TMP/base.txt" || { t_fail "cannot write $T_TMP/base.txt"; return; }
	for _c in 0 1 2 3 4 5 6 7 8 9; do
		sed "s/^/$_c/" "$T_TMP/base.txt"
	done >"$IN" || { t_fail "cannot write $IN"; return; }
	rm -f "$T_TMP/base.txt"
	t_info "input: $(size_of "$IN") bytes in $(($(date +%s) - _t0)) s"
	_t0=$(date +%s)
	"$BB" gzip -c "$IN" >"$T_TMP/ref-arg.gz" || { t_fail "busybox gzip on Linux failed"; return; }
	t_info "gzip on Linux: $(($(date +%s) - _t0)) s, $(size_of "$T_TMP/ref-arg.gz") bytes"
	"$BB" gzip -c <"$IN" >"$T_TMP/ref-stdin.gz" || { t_fail "busybox gzip < FILE on Linux failed"; return; }
	echo "not the app's input" >"$T_TMP/decoy.txt"
	t_pass
}
case_setup

t_begin stdio/gzip-file-on-fd0
case_gzip_arg() {
	[ -n "$EID" ] || { t_skip "no enclave (setup failed)"; return; }
	GZ=$T_TMP/arg.gz
	REF=$T_TMP/ref-arg.gz
	_before=$(app_ids | tr '\n' ' ')
	"$COKCTL" launch "$BB" gzip -c "$IN" >"$GZ" 2>"$T_TMP/arg.err" 3>&- &
	P=$!
	new_app_id "$_before" || { kill "$P"; t_fail "no app appeared: $(head -c 200 "$T_TMP/arg.err")"; return; }
	until_grows "$GZ" 65536 || { kill "$P"; t_fail "gzip wrote $(size_of "$GZ") bytes in 60 s"; return; }
	dump_kill "$ID" "$P" || { t_fail "$DUMP_ERR"; return; }
	_at=$(size_of "$GZ")
	[ "$_at" -gt 0 ] && [ "$_at" -lt "$(size_of "$REF")" ] ||
		{ t_fail "dumped with $_at of $(size_of "$REF") output bytes: not mid-run"; return; }
	check_fd0_mid "$IMG" || { t_fail "$FD_ERR"; return; }
	[ "$(file_of "$IMG" 1 kind)" = regular ] && [ "$(file_of "$IMG" 1 offset)" = "$_at" ] ||
		{ t_fail "fd 1 in the image: '$(file_of "$IMG" 1 kind)' at '$(file_of "$IMG" 1 offset)', want regular at $_at"; return; }
	# The caller's stdin is a regular file too: the recorded one wins.
	"$COKCTL" restore -v "$IMG" <"$T_TMP/decoy.txt" >"$T_TMP/arg-rest.out" 2>"$T_TMP/arg-rest.err"
	_rc=$?
	[ "$_rc" = 0 ] || { t_fail "restore exit $_rc: $(head -c 300 "$T_TMP/arg-rest.err")"; return; }
	cmp -s "$GZ" "$REF" || { t_fail "output differs from busybox gzip on Linux ($(size_of "$GZ") vs $(size_of "$REF") bytes, dumped at $_at)"; return; }
	grep -q "fd 0: $IN reopened at offset [1-9]" "$T_TMP/arg-rest.err" ||
		{ t_fail "restore -v does not say fd 0 is $IN at its offset: $(head -c 400 "$T_TMP/arg-rest.err")"; return; }
	grep -q "fd 1: $GZ reopened at offset $_at " "$T_TMP/arg-rest.err" ||
		{ t_fail "restore -v does not say fd 1 is $GZ at $_at"; return; }
	t_info "dumped at $_at of $(size_of "$REF") output bytes; identical after the restore"
	t_pass
}
case_gzip_arg

t_begin stdio/stdin-file-pipe-null
case_gzip_stdin() {
	[ -n "$EID" ] || { t_skip "no enclave (setup failed)"; return; }
	FIFO=$T_TMP/fifo
	GZ=$T_TMP/stdin.gz
	REF=$T_TMP/ref-stdin.gz
	rm -f "$FIFO"
	mkfifo "$FIFO" || { t_fail "mkfifo failed"; return; }
	cat "$FIFO" >"$GZ" &
	C=$!
	_before=$(app_ids | tr '\n' ' ')
	"$COKCTL" launch "$BB" gzip -c <"$IN" >"$FIFO" 2>/dev/null 3>&- &
	P=$!
	new_app_id "$_before" || { kill "$P" "$C"; t_fail "no app appeared"; return; }
	until_grows "$GZ" 65536 || { kill "$P" "$C"; t_fail "gzip wrote $(size_of "$GZ") bytes in 60 s"; return; }
	dump_kill "$ID" "$P" || { kill "$C"; t_fail "$DUMP_ERR"; return; }
	wait "$C"
	_at=$(size_of "$GZ")
	[ "$_at" -gt 0 ] && [ "$_at" -lt "$(size_of "$REF")" ] ||
		{ t_fail "dumped with $_at of $(size_of "$REF") output bytes: not mid-run"; return; }
	check_fd0_mid "$IMG" || { t_fail "$FD_ERR"; return; }
	[ "$(file_of "$IMG" 1 kind)" = pipe ] && [ "$(file_of "$IMG" 2 kind)" = null ] ||
		{ t_fail "fds 1, 2 in the image: '$(file_of "$IMG" 1 kind)', '$(file_of "$IMG" 2 kind)', want pipe, null"; return; }
	"$COKCTL" restore -v "$IMG" </dev/null >"$T_TMP/stdin-rest.out" 2>"$T_TMP/stdin-rest.err"
	_rc=$?
	[ "$_rc" = 0 ] || { t_fail "restore exit $_rc: $(head -c 300 "$T_TMP/stdin-rest.err")"; return; }
	cat "$GZ" "$T_TMP/stdin-rest.out" | cmp -s - "$REF" ||
		{ t_fail "output differs from busybox gzip < FILE on Linux ($_at + $(size_of "$T_TMP/stdin-rest.out") vs $(size_of "$REF") bytes)"; return; }
	for _want in "fd 0: $IN reopened at offset [1-9]" \
		"fd 1: this cokctl's standard output (the app's was a pipe)" \
		"fd 2: /dev/null reopened"; do
		grep -q "$_want" "$T_TMP/stdin-rest.err" ||
			{ t_fail "restore -v does not say '$_want': $(head -c 400 "$T_TMP/stdin-rest.err")"; return; }
	done
	t_pass
}
case_gzip_stdin

t_begin stdio/refuse-short-stdin
case_short() {
	[ -f "$IMG" ] || { t_skip "no image (an earlier case failed)"; return; }
	[ "$(file_of "$IMG" 0 kind)" = regular ] || { t_skip "fd 0 of the image is not a file"; return; }
	head -c 1000 "$IN" >"$IN.short" && mv "$IN.short" "$IN"
	_before=$(app_ids | tr '\n' ' ')
	run "$COKCTL" restore "$IMG"
	[ "$RC" = 1 ] || { t_fail "restore with fd 0's file cut short: exit $RC, want 1 ($ERR)"; return; }
	[ "$ERR_LINES" = 1 ] || { t_fail "$ERR_LINES lines on stderr, want 1"; return; }
	case $ERR in
	*"fd 0 ($IN) is no longer the file"*) ;;
	*) t_fail "'$ERR' does not name fd 0 and $IN"; return ;;
	esac
	[ "$(app_ids | tr '\n' ' ')" = "$_before" ] || { t_fail "an app started although the restore was refused"; return; }
	t_pass
}
case_short

# sig_dump ID SIG SIGNUM DIR: start a dump to DIR/sig.img, stop it once
# its temporary file has grown past 4 MiB, send SIG, let it go on; it
# must die of SIG (exit 128 + SIGNUM) and leave DIR empty.
sig_dump() {
	_n=$3
	set -- "$1" "$2" "$4"
	"$COKCTL" dump "$1" -o "$3/sig.img" >/dev/null 2>"$T_TMP/sig.err" &
	D=$!
	TMPF=
	_sd=0
	while [ $_sd -lt 3000 ]; do
		for _f in "$3"/.sig.img.*; do
			[ -e "$_f" ] && TMPF=$_f
		done
		[ -n "$TMPF" ] && [ "$(size_of "$TMPF")" -ge 4194304 ] && break
		usleep 10000
		_sd=$((_sd + 1))
	done
	kill -STOP "$D"
	_at=$(size_of "$TMPF")
	[ -n "$TMPF" ] && [ -e "$TMPF" ] && [ "$_at" -ge 4194304 ] ||
		{ kill -CONT "$D"; wait "$D"; SIG_ERR="no temporary image of 4 MiB caught ('$TMPF', $_at bytes; dump exit $?)"; return 1; }
	kill -"$2" "$D"
	kill -CONT "$D"
	wait "$D"
	_rc=$?
	t_info "SIG$2 at $_at bytes written: dump exit $_rc"
	_left=$(ls -A "$3")
	[ -z "$_left" ] || { SIG_ERR="SIG$2 at $_at bytes: left in $3: $_left"; rm -f "$3"/.sig* "$3"/sig.img; return 1; }
	[ "$_rc" = $((128 + _n)) ] || { SIG_ERR="SIG$2: dump exit $_rc, want $((128 + _n)): $(head -c 200 "$T_TMP/sig.err")"; return 1; }
	return 0
}

t_begin stdio/dump-killed-by-signal
case_signal() {
	[ -n "$EID" ] || { t_skip "no enclave (setup failed)"; return; }
	[ -x "$MEMHOG" ] || { t_skip "$MEMHOG not in the image"; return; }
	SD=$T_TMP/sig
	mkdir -p "$SD"
	_before=$(app_ids | tr '\n' ' ')
	"$COKCTL" launch "$MEMHOG" "$HOG_MIB" 45 >"$T_TMP/mh.out" 2>"$T_TMP/mh.err" 3>&- &
	P=$!
	new_app_id "$_before" || { kill "$P"; t_fail "no app appeared"; return; }
	_i=0
	while ! grep -q filled "$T_TMP/mh.out" && [ $_i -lt 1200 ]; do
		usleep 100000
		_i=$((_i + 1))
	done
	grep -q filled "$T_TMP/mh.out" || { kill "$P"; t_fail "memhog did not fill its memory"; return; }
	for _s in TERM:15 HUP:1; do
		sig_dump "$ID" "${_s%:*}" "${_s#*:}" "$SD" || { kill "$P"; t_fail "$SIG_ERR"; return; }
		_s=${_s%:*}
		[ "$(app_state_of "$ID")" = frozen ] || { kill "$P"; t_fail "after SIG$_s: app $ID is '$(app_state_of "$ID")', want frozen"; return; }
	done
	run "$COKCTL" thaw "$ID"
	[ "$RC" = 0 ] || { kill "$P"; t_fail "thaw after the killed dumps exit $RC: $ERR"; return; }
	wait "$P"
	_rc=$?
	[ "$_rc" = 0 ] && grep -q digest "$T_TMP/mh.out" ||
		{ t_fail "memhog after the thaw: exit $_rc, '$(tail -n 1 "$T_TMP/mh.out")'"; return; }
	t_pass
}
case_signal

destroy_case stdio/destroy
destroy_all
