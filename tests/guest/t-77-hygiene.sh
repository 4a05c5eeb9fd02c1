# SPDX-License-Identifier: GPL-2.0
# Ring-0 hygiene and what one app may see of another (issue 7, parts 6, 7
# and 14):
#  - each co-kernel core has SMEP and SMAP on exactly where CPUID (the
#    guest's /proc/cpuinfo flags) has them;
#  - an app that fills XMM/YMM, MXCSR and the x87 state and exits leaves
#    nothing to the next app on that core (launch --core): fpu_check, whose
#    assembly entry reads them before libc runs, prints what it prints on
#    Linux (all zero, MXCSR 0x1f80, FCW 0x37f);
#  - an app frozen with DF set and dumped, killed and restored still has
#    DF set: dfloop's output is byte-identical to its Linux run;
#  - arch_prctl with non-canonical, kernel-half and TASK_SIZE_MAX bases:
#    the same raw results (EPERM) as the same binary on Linux;
#  - an ELF loading below 64 KiB is refused with one line, nothing runs;
#  - a restore image mapping address 0, one with a non-canonical FS base
#    and one with a program break below 64 KiB (checksums made right by
#    img_edit, so cokctl passes them on) are refused by the co-kernel with
#    one line, nothing runs, the enclave's memory comes back; the same
#    image copied unchanged by img_edit restores.
# timeout: 900
. /tests/lib.sh
t_require hygiene module cokctl

APPS=/apps
IMG=/tmp/hyg.img
DF_ROUNDS=${COK_DF_ROUNDS:-1500}
EID=

app_ids() {
	"$COKCTL" ps -j 2>/dev/null | json_flatten 2>/dev/null |
		sed -n 's/^apps\.[0-9]*\.id=//p'
}

mem_free() {
	status_read "$T_TMP/mf.flat" || return 1
	enc_get "$T_TMP/mf.flat" "$EID" mem_free_bytes
}

# Until the enclave's free memory is back to MEMFREE0 (5 s); MEM_ERR if not.
mem_back() {
	_t=25
	while [ "$(mem_free)" != "$MEMFREE0" ] && [ $_t -gt 0 ]; do usleep 200000; _t=$((_t - 1)); done
	[ "$(mem_free)" = "$MEMFREE0" ] && return 0
	MEM_ERR="mem_free_bytes $(mem_free), $MEMFREE0 before"
	return 1
}

need() {
	for _a in "$@"; do
		[ -x "$APPS/$_a" ] || { t_skip "$APPS/$_a not in image: ${WHY_APPS:-tests/apps not built}"; return 1; }
	done
	[ -n "$EID" ] || { t_skip "no enclave (setup failed)"; return 1; }
	return 0
}

t_begin hygiene/setup
case_setup() {
	ensure_module || { t_fail "$MODULE_ERR"; return; }
	create_enclave --cpus 2 --mem 64M || { t_fail "$CREATE_ERR"; return; }
	wait_enclave_ok "$EID" 2 5 || { t_fail "$ENC_ERR"; EID=; return; }
	MEMFREE0=$(mem_free)
	[ -n "$MEMFREE0" ] || { t_fail "no mem_free_bytes: $STATUS_ERR"; EID=; return; }
	t_info "cpu: $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2); vendor $(grep -m1 '^vendor_id' /proc/cpuinfo | cut -d: -f2)"
	t_pass
}
case_setup

# "core N: cr4 0x...: smep on|off, smap on|off" for each core, as CPUID says.
t_begin hygiene/smep-smap
case_smep_smap() {
	[ -n "$EID" ] || { t_skip "no enclave (setup failed)"; return; }
	"$COKCTL" console "$EID" >"$T_TMP/con.txt" 2>&1
	_flags=$(grep -m1 '^flags' /proc/cpuinfo)
	for _core in 0 1; do
		_l=$(grep "core $_core: cr4 " "$T_TMP/con.txt" | tail -n 1)
		echo "  console: $_l"
		[ -n "$_l" ] || { t_fail "no 'core $_core: cr4' line in the console"; return; }
		_cr4=$(echo "$_l" | sed -n 's/.*cr4 \(0x[0-9a-f]*\):.*/\1/p')
		for _f in smep:20 smap:21; do
			_n=${_f%:*} _bit=${_f#*:}
			_want=off
			case " $_flags " in *" $_n "*) _want=on ;; esac
			echo "$_l" | grep -q "$_n $_want" ||
				{ t_fail "core $_core: '$_l', want $_n $_want (cpuinfo)"; return; }
			_set=off
			[ $(( (_cr4 >> _bit) & 1 )) = 1 ] && _set=on
			[ "$_set" = "$_want" ] || { t_fail "core $_core: cr4 $_cr4 bit $_bit is $_set, want $_want"; return; }
		done
	done
	t_pass
}
case_smep_smap

# fpu DIRTY CHECK: DIRTY on core 1, then CHECK on core 1; CHECK's output
# must be its Linux output, which must be the initial state.
fpu_case() {
	_d=$1 _c=$2
	t_begin "hygiene/fpu-reset-$_d-then-$_c"
	need "$_d" "$_c" || return
	"$APPS/$_c" >"$T_TMP/fpu.lin" 2>&1 || { t_fail "$_c on Linux: not the initial state: $(tr '\n' '|' <"$T_TMP/fpu.lin")"; return; }
	run timeout 120 "$COKCTL" launch --enclave "$EID" --core 1 "$APPS/$_d"
	[ "$RC" = 0 ] || { t_fail "$_d exit $RC: $(echo "$ERR" | head -n 1)"; return; }
	timeout 120 "$COKCTL" launch --enclave "$EID" --core 1 "$APPS/$_c" >"$T_TMP/fpu.cok" 2>&1
	_rc=$?
	sed 's/^/  cok: /' "$T_TMP/fpu.cok"
	[ "$_rc" = 0 ] || { t_fail "$_c after $_d exit $_rc: $(grep -v 'all zero\|no avx' "$T_TMP/fpu.cok" | tr '\n' '|')"; return; }
	cmp -s "$T_TMP/fpu.lin" "$T_TMP/fpu.cok" ||
		{ t_fail "$_c printed '$(tr '\n' '|' <"$T_TMP/fpu.cok")', on Linux '$(tr '\n' '|' <"$T_TMP/fpu.lin")'"; return; }
	t_pass
}
fpu_case fpu_dirty.musl fpu_check.glibc
fpu_case fpu_dirty.glibc fpu_check.musl

# dfloop frozen mid-spin with DF set, dumped --kill, restored.
t_begin hygiene/df-across-restore
case_df() {
	need dfloop.musl || return
	_t0=$(date +%s)
	"$APPS/dfloop.musl" "$DF_ROUNDS" >"$T_TMP/df.lin" || { t_fail "dfloop on Linux failed: $(tail -n 1 "$T_TMP/df.lin")"; return; }
	t_info "dfloop $DF_ROUNDS on Linux: $(($(date +%s) - _t0)) s"
	_before=" $(app_ids | tr '\n' ' ') "
	# A pipe: each restore of the image prints the rest itself.
	launch_piped "$T_TMP/df.out" "$T_TMP/df.err" --enclave "$EID" "$APPS/dfloop.musl" "$DF_ROUNDS"
	_p=$P
	wait_lines "$T_TMP/df.out" 2 || { kill $_p; wait $_p; t_fail "dfloop made no progress: $(head -n 1 "$T_TMP/df.err")"; return; }
	_id=
	for _a in $(app_ids); do
		case $_before in *" $_a "*) ;; *) _id=$_a ;; esac
	done
	[ -n "$_id" ] || { kill $_p; wait $_p; t_fail "dfloop not in cokctl ps"; return; }
	run "$COKCTL" dump "$_id" -o "$IMG" --kill
	[ "$RC" = 0 ] || { kill $_p; wait $_p; t_fail "dump exit $RC: $ERR"; return; }
	wait $_p
	wait "$PIPE_P"
	_n=$(lines "$T_TMP/df.out")
	[ "$_n" -lt "$(lines "$T_TMP/df.lin")" ] || { t_fail "dfloop had finished before the dump"; return; }
	run timeout 300 "$COKCTL" restore --enclave "$EID" "$IMG"
	[ "$RC" = 0 ] || { t_fail "restored dfloop exit $RC: $(echo "$OUT" | tail -n 1) $(echo "$ERR" | head -n 1)"; return; }
	cat "$T_TMP/df.out" "$T_TMP/out" >"$T_TMP/df.joined"
	cmp -s "$T_TMP/df.joined" "$T_TMP/df.lin" ||
		{ t_fail "output differs from Linux's: '$(tail -n 1 "$T_TMP/df.joined")' vs '$(tail -n 1 "$T_TMP/df.lin")'"; return; }
	t_info "dumped after $_n of $(lines "$T_TMP/df.lin") lines"
	t_pass
}
case_df

arch_case() {
	_a=$1
	t_begin "hygiene/arch-prctl-$_a"
	need "$_a" || return
	"$APPS/$_a" >"$T_TMP/ap.lin" 2>&1
	_lrc=$?
	timeout 120 "$COKCTL" launch --enclave "$EID" "$APPS/$_a" >"$T_TMP/ap.cok" 2>&1
	_rc=$?
	[ "$_rc" = "$_lrc" ] || { t_fail "exit $_rc, on Linux $_lrc: $(tail -n 2 "$T_TMP/ap.cok" | tr '\n' '|')"; return; }
	grep -q 'set_fs 0x8000000000000000: -1$' "$T_TMP/ap.lin" ||
		{ t_fail "Linux did not give -EPERM (-1) for a non-canonical FS base: $(grep 8000000000000000 "$T_TMP/ap.lin")"; return; }
	cmp -s "$T_TMP/ap.lin" "$T_TMP/ap.cok" ||
		{ t_fail "output differs from Linux's: $(diff "$T_TMP/ap.lin" "$T_TMP/ap.cok" | grep '^[<>]' | head -n 4 | tr '\n' '|')"; return; }
	t_pass
}
arch_case archprctl.musl
arch_case archprctl.glibc

t_begin hygiene/elf-below-64k
case_lowload() {
	need lowload.musl hello.musl || return
	run timeout 60 "$COKCTL" launch --enclave "$EID" "$APPS/lowload.musl"
	[ "$RC" = 1 ] || { t_fail "launch of lowload exit $RC, want 1 (refused): $ERR"; return; }
	[ -z "$OUT" ] || { t_fail "lowload ran: '$OUT'"; return; }
	[ "$ERR_LINES" = 1 ] || { t_fail "$ERR_LINES stderr lines, want 1: $ERR"; return; }
	echo "$ERR" | grep -q '0x10000' || { t_fail "the refusal does not name 0x10000: $ERR"; return; }
	[ -z "$(app_ids)" ] || { t_fail "apps left: $(app_ids | tr '\n' ' ')"; return; }
	run timeout 60 "$COKCTL" launch --enclave "$EID" "$APPS/hello.musl"
	[ "$RC" = 0 ] || { t_fail "hello after the refusal: exit $RC: $ERR"; return; }
	t_pass
}
case_lowload

# bad_restore MODE REASON: img_edit MODE of $IMG is refused with REASON.
bad_restore() {
	_m=$1 _why=$2
	t_begin "hygiene/restore-refused-$_m"
	need img_edit.glibc || return
	[ -f "$IMG" ] || { t_skip "no image (df-across-restore failed)"; return; }
	"$APPS/img_edit.glibc" "$_m" "$IMG" "$T_TMP/bad.img" || { t_fail "img_edit $_m failed"; return; }
	run "$COKCTL" image verify "$T_TMP/bad.img"
	[ "$RC" = 0 ] || { t_fail "the edited image does not verify (img_edit broken): $ERR"; return; }
	run timeout 120 "$COKCTL" restore --enclave "$EID" "$T_TMP/bad.img"
	[ "$RC" = 1 ] || { t_fail "restore exit $RC, want 1 (refused): $(echo "$OUT" | tail -n 1) $ERR"; return; }
	[ -z "$OUT" ] || { t_fail "the app ran: '$(echo "$OUT" | head -n 1)'"; return; }
	[ "$ERR_LINES" = 1 ] || { t_fail "$ERR_LINES stderr lines, want 1: $ERR"; return; }
	echo "$ERR" | grep -q "$_why" || { t_fail "the refusal does not say '$_why': $ERR"; return; }
	"$COKCTL" console "$EID" 2>&1 | grep -q "restore refused: .*$_why" ||
		{ t_fail "no 'restore refused: ...$_why' line in the co-kernel console"; return; }
	[ -z "$(app_ids)" ] || { t_fail "apps left: $(app_ids | tr '\n' ' ')"; return; }
	mem_back || { t_fail "$MEM_ERR"; return; }
	t_pass
}
bad_restore region0 'region below 0x10000'
bad_restore fsbase 'outside user space'
bad_restore brk0 'program break'

# The same image through img_edit unchanged: restores and ends as on Linux.
t_begin hygiene/restore-edited-copy
case_copy() {
	need img_edit.glibc || return
	[ -f "$IMG" ] || { t_skip "no image (df-across-restore failed)"; return; }
	"$APPS/img_edit.glibc" copy "$IMG" "$T_TMP/copy.img" || { t_fail "img_edit copy failed"; return; }
	run timeout 300 "$COKCTL" restore --enclave "$EID" "$T_TMP/copy.img"
	[ "$RC" = 0 ] || { t_fail "restore of the copy exit $RC: $ERR"; return; }
	[ "$(echo "$OUT" | tail -n 1)" = "$(tail -n 1 "$T_TMP/df.lin")" ] ||
		{ t_fail "the copy ended with '$(echo "$OUT" | tail -n 1)'"; return; }
	t_pass
}
case_copy

t_begin hygiene/destroy
case_destroy() {
	[ -n "$EID" ] || { t_skip "no enclave (setup failed)"; return; }
	mem_back || { t_fail "$MEM_ERR"; return; }
	run "$COKCTL" destroy "$EID"
	[ "$RC" = 0 ] || { t_fail "destroy exit $RC: $ERR"; return; }
	t_pass
}
case_destroy
destroy_all
rm -f "$IMG"
