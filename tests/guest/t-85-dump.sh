# SPDX-License-Identifier: GPL-2.0
# Dump and restore (issue 4): a compute app dumped mid-run, killed and
# restored ends with output byte-identical to an uninterrupted Linux run;
# likewise on another enclave's core, after rmmod/insmod, and for an app
# writing a file (the file is byte-identical too).  A dump to a full
# filesystem fails cleanly and leaves the app frozen and thawable.  Bad
# images are refused with one line and nothing is launched.
# timeout: 900
. /tests/lib.sh
t_require dump module cokctl

CRUNCH=/apps/crunch.musl
FILEW=/apps/filewrite.glibc
ROUNDS=${COK_DUMP_ROUNDS:-1500}
LONG=${COK_DUMP_LONG_ROUNDS:-8000}	# tens of seconds under TCG
BLOCKS=1500
EID=
EID2=
IMG=/tmp/ckpt.img

# launch_bg OUT ERR PROG ARGS...: start a proxy; sets P and ID.
launch_bg() {
	_lo=$1 _le=$2
	shift 2
	bg_app "$_lo" "$_le" "$COKCTL" launch "$@"
}

# dump_kill ID: dump to $IMG and end the app; the proxy must exit 137 (dump --kill sends it SIGKILL).
dump_kill() {
	run "$COKCTL" dump "$1" -o "$IMG" --kill -j
	[ "$RC" = 0 ] || { DUMP_ERR="dump $1 exit $RC: $ERR"; kill "$P"; wait "$P"; return 1; }
	t_info "dump: $OUT"
	wait "$P"
	_rc=$?
	[ "$_rc" = 137 ] || { DUMP_ERR="the dumped app's proxy exit $_rc, want 137"; return 1; }
	[ -f "$IMG" ] || { DUMP_ERR="no $IMG after the dump"; return 1; }
	return 0
}

# restore_check PREFIX_OUT REF ARGS...: restore, compare PREFIX + its
# output with REF.
restore_check() {
	_pre=$1 _ref=$2
	shift 2
	"$COKCTL" restore "$@" "$IMG" >"$T_TMP/rest.out" 2>"$T_TMP/rest.err"
	_rc=$?
	[ "$_rc" = 0 ] || { REST_ERR="restore exit $_rc: $(head -c 300 "$T_TMP/rest.err")"; return 1; }
	cat "$_pre" "$T_TMP/rest.out" >"$T_TMP/joined.out"
	cmp -s "$T_TMP/joined.out" "$_ref" ||
		{ REST_ERR="output differs from the uninterrupted run: '$(tail -n 1 "$T_TMP/joined.out")' vs '$(tail -n 1 "$_ref")' ($(lines "$_pre") + $(lines "$T_TMP/rest.out") lines)"; return 1; }
	return 0
}

t_begin dump/setup
case_setup() {
	for _b in "$CRUNCH" "$FILEW"; do
		[ -x "$_b" ] || { t_fail "$_b not in the image: ${WHY_APPS:-not built}"; return; }
	done
	ensure_module || { t_fail "$MODULE_ERR"; return; }
	create_enclave --cpus 1 --mem 64M || { t_fail "$CREATE_ERR"; return; }
	wait_enclave_ok "$EID" 1 5 || { t_fail "$ENC_ERR"; EID=; return; }
	_t0=$(date +%s)
	"$CRUNCH" $ROUNDS >"$T_TMP/lin.out" || { t_fail "Linux run of $CRUNCH failed"; return; }
	t_info "crunch $ROUNDS on Linux: $(($(date +%s) - _t0)) s, $(tail -n 1 "$T_TMP/lin.out")"
	_t0=$(date +%s)
	"$CRUNCH" $LONG >"$T_TMP/lin-long.out" || { t_fail "Linux run of $CRUNCH failed"; return; }
	t_info "crunch $LONG on Linux: $(($(date +%s) - _t0)) s"
	(cd "$T_TMP" && "$FILEW" lin.dat $BLOCKS >"$T_TMP/linfw.out") ||
		{ t_fail "Linux run of $FILEW failed"; return; }
	t_pass
}
case_setup

t_begin dump/compute-kill-restore
case_compute() {
	[ -n "$EID" ] || { t_skip "no enclave (setup failed)"; return; }
	launch_bg "$T_TMP/cok.out" "$T_TMP/cok.err" "$CRUNCH" $LONG ||
		{ t_fail "no app appeared: $(head -c 200 "$T_TMP/cok.err")"; return; }
	wait_lines "$T_TMP/cok.out" 30 || { kill "$P"; t_fail "the app made no progress"; return; }
	dump_kill "$ID" || { t_fail "$DUMP_ERR"; return; }
	# Counted now: the restore reopens cok.out (a file) and goes on in it.
	_n=$(lines "$T_TMP/cok.out")
	[ "$_n" -lt "$(lines "$T_TMP/lin-long.out")" ] || { t_fail "the app had finished before the dump"; return; }
	run "$COKCTL" image verify "$IMG"
	[ "$RC" = 0 ] || { t_fail "image verify exit $RC: $ERR"; return; }
	restore_check "$T_TMP/cok.out" "$T_TMP/lin-long.out" || { t_fail "$REST_ERR"; return; }
	t_info "dumped after $_n of $(lines "$T_TMP/lin-long.out") lines"
	t_pass
}
case_compute

t_begin dump/leave-running
case_leave() {
	[ -n "$EID" ] || { t_skip "no enclave (setup failed)"; return; }
	launch_bg "$T_TMP/cok.out" "$T_TMP/cok.err" "$CRUNCH" $ROUNDS ||
		{ t_fail "no app appeared"; return; }
	wait_lines "$T_TMP/cok.out" 3 || { kill "$P"; t_fail "the app made no progress"; return; }
	run "$COKCTL" dump "$ID" -o "$IMG" --leave-running
	[ "$RC" = 0 ] || { kill "$P"; t_fail "dump exit $RC: $ERR"; return; }
	[ "$(app_state_of "$ID")" = running ] || { kill "$P"; t_fail "app $ID is '$(app_state_of "$ID")' after --leave-running"; return; }
	wait "$P"
	_rc=$?
	[ "$_rc" = 0 ] || { t_fail "app exit $_rc after the dump"; return; }
	cmp -s "$T_TMP/cok.out" "$T_TMP/lin.out" || { t_fail "the dumped app's own output differs"; return; }
	# The image restored: its output is the rest of the Linux run's.
	"$COKCTL" restore "$IMG" >"$T_TMP/rest.out" 2>"$T_TMP/rest.err" ||
		{ t_fail "restore failed: $(head -c 200 "$T_TMP/rest.err")"; return; }
	n=$(lines "$T_TMP/rest.out")
	tail -n "$n" "$T_TMP/lin.out" | cmp -s - "$T_TMP/rest.out" ||
		{ t_fail "the restored copy's output is not the end of the Linux run's"; return; }
	t_pass
}
case_leave

t_begin dump/other-enclave
case_other() {
	[ -n "$EID" ] || { t_skip "no enclave (setup failed)"; return; }
	_e1=$EID
	create_enclave --cpus 1 --mem 64M || { t_fail "$CREATE_ERR"; return; }
	EID2=$EID
	EID=$_e1
	wait_enclave_ok "$EID2" 1 5 || { t_fail "$ENC_ERR"; return; }
	launch_bg "$T_TMP/cok.out" "$T_TMP/cok.err" --enclave "$EID" "$CRUNCH" $ROUNDS ||
		{ t_fail "no app appeared"; return; }
	wait_lines "$T_TMP/cok.out" 3 || { kill "$P"; t_fail "the app made no progress"; return; }
	dump_kill "$ID" || { t_fail "$DUMP_ERR"; return; }
	restore_check "$T_TMP/cok.out" "$T_TMP/lin.out" --enclave "$EID2" -v ||
		{ t_fail "$REST_ERR"; return; }
	t_info "$(head -n 1 "$T_TMP/rest.err")"
	"$COKCTL" destroy "$EID2" >/dev/null 2>&1 || { t_fail "destroy $EID2 failed"; return; }
	EID2=
	t_pass
}
case_other

t_begin dump/file-writer
case_file() {
	[ -n "$EID" ] || { t_skip "no enclave (setup failed)"; return; }
	rm -f "$T_TMP/cok.dat"
	(cd "$T_TMP" && exec "$COKCTL" launch "$FILEW" cok.dat $BLOCKS >"$T_TMP/fw.out" 2>"$T_TMP/fw.err" 3>&-) &
	P=$!
	_i=0
	while [ "$(stat -c %s "$T_TMP/cok.dat" 2>/dev/null || echo 0)" -lt 409600 ] && [ $_i -lt 300 ]; do
		usleep 100000
		_i=$((_i + 1))
	done
	ID=$(app_ids | tail -n 1)
	[ -n "$ID" ] || { kill "$P"; t_fail "no app (file at $(stat -c %s "$T_TMP/cok.dat" 2>/dev/null) bytes)"; return; }
	dump_kill "$ID" || { t_fail "$DUMP_ERR"; return; }
	_at=$(stat -c %s "$T_TMP/cok.dat")
	[ "$_at" -lt $((BLOCKS * 4096)) ] || { t_fail "the app had finished its file before the dump"; return; }
	(cd "$T_TMP" && exec "$COKCTL" restore "$IMG" >"$T_TMP/fwrest.out" 2>"$T_TMP/fwrest.err")
	_rc=$?
	[ "$_rc" = 0 ] || { t_fail "restore exit $_rc: $(head -c 300 "$T_TMP/fwrest.err")"; return; }
	cmp -s "$T_TMP/cok.dat" "$T_TMP/lin.dat" || { t_fail "the file differs from the Linux run's (dumped at $_at bytes)"; return; }
	cat "$T_TMP/fw.out" "$T_TMP/fwrest.out" | cmp -s - "$T_TMP/linfw.out" ||
		{ t_fail "stdout differs: $(cat "$T_TMP/fwrest.out")"; return; }
	t_info "dumped at $_at of $((BLOCKS * 4096)) bytes"
	# Its file gone, the image is refused before any app starts.
	rm -f "$T_TMP/cok.dat"
	_before=$(app_ids | tr '\n' ' ')
	run "$COKCTL" restore "$IMG"
	[ "$RC" = 1 ] || { t_fail "restore without its file: exit $RC, want 1 ($ERR)"; return; }
	case $ERR in
	*"cannot reopen fd 3"*) ;;
	*) t_fail "restore without its file: '$ERR' does not name fd 3"; return ;;
	esac
	[ "$(app_ids | tr '\n' ' ')" = "$_before" ] || { t_fail "an app started although the restore was refused"; return; }
	t_pass
}
case_file

t_begin dump/full-disk
case_full() {
	[ -n "$EID" ] || { t_skip "no enclave (setup failed)"; return; }
	mkdir -p /mnt/small
	mount -t tmpfs -o size=16k tmpfs /mnt/small || { t_fail "cannot mount a small tmpfs"; return; }
	launch_bg "$T_TMP/cok.out" "$T_TMP/cok.err" "$CRUNCH" $ROUNDS || { umount /mnt/small; t_fail "no app appeared"; return; }
	wait_lines "$T_TMP/cok.out" 2 || { kill "$P"; umount /mnt/small; t_fail "the app made no progress"; return; }
	run "$COKCTL" dump "$ID" -o /mnt/small/ckpt.img
	_left=$(ls -A /mnt/small)
	umount /mnt/small
	[ "$RC" = 5 ] || { kill "$P"; t_fail "dump to a full tmpfs exit $RC, want 5: $ERR"; return; }
	[ "$ERR_LINES" = 1 ] || { kill "$P"; t_fail "dump to a full tmpfs: $ERR_LINES lines on stderr, want 1"; return; }
	case $ERR in
	*"No space left"*) ;;
	*) kill "$P"; t_fail "no 'No space left' in: $ERR"; return ;;
	esac
	[ -z "$_left" ] || { kill "$P"; t_fail "files left behind: $_left"; return; }
	[ "$(app_state_of "$ID")" = frozen ] || { kill "$P"; t_fail "app $ID is '$(app_state_of "$ID")', want frozen"; return; }
	run "$COKCTL" thaw "$ID"
	[ "$RC" = 0 ] || { kill "$P"; t_fail "thaw after the failed dump exit $RC: $ERR"; return; }
	wait "$P"
	cmp -s "$T_TMP/cok.out" "$T_TMP/lin.out" || { t_fail "output differs after the failed dump and thaw"; return; }
	t_pass
}
case_full

# bad_image NAME FILE WANT: restore and verify refuse FILE (exit 6, one
# line naming WANT) and no app starts.
bad_image() {
	_before=$(app_ids | tr '\n' ' ')
	run "$COKCTL" restore "$2"
	[ "$RC" = 6 ] || { BAD_ERR="$1: restore exit $RC, want 6 ($ERR)"; return 1; }
	[ "$ERR_LINES" = 1 ] || { BAD_ERR="$1: $ERR_LINES lines on stderr"; return 1; }
	case $ERR in
	*$3*) ;;
	*) BAD_ERR="$1: '$ERR' does not mention '$3'"; return 1 ;;
	esac
	[ "$(app_ids | tr '\n' ' ')" = "$_before" ] || { BAD_ERR="$1: an app was started"; return 1; }
	run "$COKCTL" image verify "$2"
	[ "$RC" != 0 ] || { BAD_ERR="$1: image verify exit 0"; return 1; }
	return 0
}

# patch FILE OFFSET BYTES(octal escapes): overwrite in place.
patch() {
	printf "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

# flip FILE OFFSET: invert every bit of one byte (a change whatever the
# byte was).
flip() {
	_v=$(dd if="$1" bs=1 skip="$2" count=1 2>/dev/null | od -An -tu1 | tr -d ' ')
	patch "$1" "$2" "\\$(printf %o $(( ${_v:-0} ^ 255 )))"
}

t_begin dump/bad-images
case_bad() {
	[ -f "$IMG" ] || { t_skip "no image (an earlier case failed)"; return; }
	size=$(stat -c %s "$IMG")
	B=$T_TMP/bad.img
	for cut in 0 10 63 64 100 $((size / 2)) $((size - 33)) $((size - 1)); do
		head -c "$cut" "$IMG" >"$B"
		bad_image "truncated at $cut" "$B" "" || { t_fail "$BAD_ERR"; return; }
	done
	cp "$IMG" "$B"; patch "$B" 0 'X'
	bad_image "wrong magic" "$B" "magic" || { t_fail "$BAD_ERR"; return; }
	cp "$IMG" "$B"; patch "$B" 8 '\011'
	bad_image "newer version" "$B" "version" || { t_fail "$BAD_ERR"; return; }
	cp "$IMG" "$B"; patch "$B" 16 '\267'
	bad_image "other arch" "$B" "architecture" || { t_fail "$BAD_ERR"; return; }
	cp "$IMG" "$B"; flip "$B" 40
	bad_image "header bits" "$B" "" || { t_fail "$BAD_ERR"; return; }
	cp "$IMG" "$B"; flip "$B" 100
	bad_image "metadata bits" "$B" "" || { t_fail "$BAD_ERR"; return; }
	cp "$IMG" "$B"; flip "$B" $((size - 4096))
	cmp -s "$IMG" "$B" && { t_fail "flip changed nothing (no od in the guest?)"; return; }
	bad_image "page data bits" "$B" "checksum" || { t_fail "$BAD_ERR"; return; }
	run "$COKCTL" restore /apps/hello.musl
	[ "$RC" = 6 ] || { t_fail "restore of an ELF file exit $RC"; return; }
	t_pass
}
case_bad

t_begin dump/rmmod-insmod
case_reload() {
	[ -n "$EID" ] || { t_skip "no enclave (setup failed)"; return; }
	launch_bg "$T_TMP/cok.out" "$T_TMP/cok.err" "$CRUNCH" $ROUNDS || { t_fail "no app appeared"; return; }
	wait_lines "$T_TMP/cok.out" 3 || { kill "$P"; t_fail "the app made no progress"; return; }
	dump_kill "$ID" || { t_fail "$DUMP_ERR"; return; }
	"$COKCTL" destroy "$EID" >/dev/null 2>&1 || { t_fail "destroy failed"; return; }
	EID=
	rmmod ckpt_cokernel || { t_fail "rmmod failed"; return; }
	ensure_module || { t_fail "$MODULE_ERR"; return; }
	create_enclave --cpus 1 --mem 64M || { t_fail "$CREATE_ERR"; return; }
	wait_enclave_ok "$EID" 1 5 || { t_fail "$ENC_ERR"; return; }
	restore_check "$T_TMP/cok.out" "$T_TMP/lin.out" || { t_fail "$REST_ERR"; return; }
	t_pass
}
case_reload

t_begin dump/errors
case_errors() {
	[ -n "$EID" ] || { t_skip "no enclave (setup failed)"; return; }
	run "$COKCTL" dump 999999 -o "$T_TMP/none.img"
	[ "$RC" = 1 ] && [ "$ERR_LINES" = 1 ] || { t_fail "dump of no app: exit $RC, $ERR_LINES lines: $ERR"; return; }
	[ ! -e "$T_TMP/none.img" ] || { t_fail "dump of no app left a file"; return; }
	t_pass
}
case_errors

destroy_case dump/destroy
destroy_all
