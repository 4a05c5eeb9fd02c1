# SPDX-License-Identifier: GPL-2.0
# Restore after a reboot (issue 4), second boot (tests/run.sh runs it
# with cok.tests=after-reboot cok.phase=2; not among the t-* files): the
# image t-87-reboot left on the disk is restored into a new enclave and
# the app ends with the output of an uninterrupted run.
# timeout: 300
grep -q 'cok.phase=2' /proc/cmdline || exit 0
. /tests/lib.sh
t_require reboot module cokctl

D=$T_TMP/reboot

t_begin reboot/restore-after-reboot
case_restore() {
	[ -b /dev/vda ] || { t_fail "no disk /dev/vda in the second boot"; return; }
	mkdir -p "$D"
	tar -xf /dev/vda -C "$D" || { t_fail "no archive on the disk"; return; }
	ensure_module || { t_fail "$MODULE_ERR"; return; }
	create_enclave --cpus 1 --mem 64M || { t_fail "$CREATE_ERR"; return; }
	wait_enclave_ok "$EID" 1 5 || { t_fail "$ENC_ERR"; return; }
	"$COKCTL" restore "$D/ckpt.img" >"$D/rest.out" 2>"$D/rest.err" 3>&-
	rc=$?
	[ "$rc" = 0 ] || { t_fail "restore exit $rc: $(head -c 300 "$D/rest.err")"; return; }
	cat "$D/cok.out" "$D/rest.out" | cmp -s - "$D/lin.out" ||
		{ t_fail "output differs from the uninterrupted run: $(tail -n 1 "$D/rest.out")"; return; }
	t_info "restored after a reboot: $(tail -n 1 "$D/rest.out")"
	t_pass
}
case_restore
destroy_all
