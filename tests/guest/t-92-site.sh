# SPDX-License-Identifier: GPL-2.0
# The module and the CLI as a site gets them: tests/site.sh installed the
# two Debian packages in a Debian 12 root, where DKMS built the module
# for this kernel; initramfs.sh put that .ko under
# /lib/modules/$(uname -r)/updates/dkms with a modules.dep, and the
# cokctl package's binary with the root's libraries under /opt/site.
# A plain "modprobe ckpt_cokernel" must load that very module (its build
# id in sysfs is the DKMS build's), the package's cokctl must create an
# enclave, launch static apps on it (their output, their exit codes) and
# destroy it (CPUs and memory back); "modprobe -r" unloads it.
# Skips when the image carries no DKMS build (make test-guest without
# tests/site.sh first); make check always makes one.
# timeout: 300
. /tests/lib.sh

SITE_KO=/lib/modules/$(uname -r)/updates/dkms/ckpt_cokernel.ko
COKCTL=/opt/site/cokctl
EID=

# build_id_loaded: the build id of the loaded ckpt_cokernel, from sysfs
# (an ELF note: namesz, descsz, type, "GNU\0", then the id).
build_id_loaded() {
	od -An -v -tx1 -j16 /sys/module/ckpt_cokernel/notes/.note.gnu.build-id 2>/dev/null | tr -d ' \n'
}

t_begin site/modprobe
case_modprobe() {
	if [ ! -f "$SITE_KO" ] || [ ! -x "$COKCTL" ]; then
		t_skip "${WHY_SITE:-no DKMS-built module in this image}"
		exit 0
	fi
	destroy_all
	if module_loaded && ! rmmod ckpt_cokernel 2>"$T_TMP/rmmod.err"; then
		t_fail "cannot unload the lane's module first: $(cat "$T_TMP/rmmod.err")"
		return
	fi
	baseline_save site
	run modprobe -D ckpt_cokernel
	case $OUT in *"$SITE_KO"*) ;; *) t_fail "modprobe -D ckpt_cokernel: '$OUT', want $SITE_KO"; return ;; esac
	run modprobe ckpt_cokernel
	[ "$RC" = 0 ] || { t_fail "modprobe ckpt_cokernel: exit $RC: $ERR"; return; }
	module_loaded || { t_fail "modprobe succeeded but /sys/module/ckpt_cokernel is missing"; return; }
	_id=$(build_id_loaded)
	[ -n "$SITE_BUILD_ID" ] && [ "$_id" = "$SITE_BUILD_ID" ] ||
		{ t_fail "loaded build id '$_id', the DKMS build's is '$SITE_BUILD_ID'"; return; }
	[ "$_id" != "$LANE_BUILD_ID" ] || t_info "site: the DKMS build and the lane's build have the same build id"
	[ -c /dev/ckpt_cokernel ] || { t_fail "no /dev/ckpt_cokernel after modprobe"; return; }
	t_pass
}
case_modprobe

t_begin site/create
case_create() {
	module_loaded || { t_skip "module not loaded (site/modprobe failed)"; return; }
	run "$COKCTL" --version
	case $OUT in "cokctl ${SITE_VERSION%%-*} "*) ;;
	*) t_fail "the package's cokctl --version: '$OUT', package $SITE_VERSION"; return ;; esac
	create_enclave --cpus 1 --mem 64M || { t_fail "$CREATE_ERR"; return; }
	wait_enclave_ok "$EID" 1 10 || { t_fail "$ENC_ERR"; return; }
	t_pass
}
case_create

t_begin site/launch
case_launch() {
	[ -n "$EID" ] || { t_skip "no enclave (site/create failed)"; return; }
	run timeout 120 "$COKCTL" launch /apps/hello.musl
	[ "$RC" = 0 ] || { t_fail "launch hello.musl: exit $RC: $(echo "$ERR" | head -n 1)"; return; }
	[ "$OUT" = "hello from a static musl x86-64 binary" ] || { t_fail "hello.musl wrote '$OUT'"; return; }
	run timeout 120 "$COKCTL" launch /apps/exit42.glibc
	[ "$RC" = 42 ] || { t_fail "launch exit42.glibc: exit $RC, want 42: $(echo "$ERR" | head -n 1)"; return; }
	t_pass
}
case_launch

t_begin site/destroy
case_destroy() {
	[ -n "$EID" ] || { t_skip "no enclave (site/create failed)"; return; }
	run "$COKCTL" destroy "$EID"
	[ "$RC" = 0 ] || { t_fail "cokctl destroy $EID: exit $RC: $ERR"; return; }
	status_read "$T_TMP/st.flat" || { t_fail "$STATUS_ERR"; return; }
	[ "$(enc_count "$T_TMP/st.flat")" = 0 ] || { t_fail "enclaves left: $(enc_ids "$T_TMP/st.flat" | tr '\n' ' ')"; return; }
	wait_for 10 baseline_check site || { t_fail "$BASE_ERR"; return; }
	run modprobe -r ckpt_cokernel
	[ "$RC" = 0 ] || { t_fail "modprobe -r ckpt_cokernel: exit $RC: $ERR"; return; }
	module_loaded && { t_fail "still loaded after modprobe -r"; return; }
	t_pass
}
case_destroy
destroy_all
module_loaded && rmmod ckpt_cokernel 2>/dev/null
exit 0
