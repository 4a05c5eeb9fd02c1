# SPDX-License-Identifier: GPL-2.0
# Restore after a reboot (issue 4), first boot: a compute app is dumped
# mid-run and killed; the image and the output so far go to the lane's
# disk (/dev/vda, a tar archive), and the guest asks tests/run.sh for a
# second boot (REBOOT on the results port), where after-reboot.sh
# restores it.
# timeout: 300
. /tests/lib.sh
t_require reboot module cokctl

CRUNCH=/apps/crunch.musl
ROUNDS=600
D=$T_TMP/reboot

t_begin reboot/dump-to-disk
case_dump() {
	[ -b /dev/vda ] || { t_skip "no disk /dev/vda (virtio_blk)"; return; }
	[ -x "$CRUNCH" ] || { t_fail "$CRUNCH not in the image"; return; }
	mkdir -p "$D"
	ensure_module || { t_fail "$MODULE_ERR"; return; }
	create_enclave --cpus 1 --mem 64M || { t_fail "$CREATE_ERR"; return; }
	wait_enclave_ok "$EID" 1 5 || { t_fail "$ENC_ERR"; return; }
	"$CRUNCH" $ROUNDS >"$D/lin.out" || { t_fail "Linux run failed"; return; }
	# A pipe: the restore after the reboot prints the rest itself.
	launch_piped "$D/cok.out" "$D/cok.err" "$CRUNCH" $ROUNDS
	wait_lines "$D/cok.out" 3
	ID=$("$COKCTL" ps -j | json_flatten | sed -n 's/^apps\.0\.id=//p')
	[ -n "$ID" ] || { kill "$P"; t_fail "no app"; return; }
	run "$COKCTL" dump "$ID" -o "$D/ckpt.img" --kill
	[ "$RC" = 0 ] || { kill "$P"; t_fail "dump exit $RC: $ERR"; return; }
	wait "$P"
	wait "$PIPE_P"
	"$COKCTL" destroy "$EID" >/dev/null 2>&1
	tar -cf /dev/vda -C "$D" ckpt.img cok.out lin.out || { t_fail "cannot write the disk"; return; }
	sync
	echo REBOOT >&3
	t_pass
}
case_dump
destroy_all
