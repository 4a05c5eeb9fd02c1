# SPDX-License-Identifier: GPL-2.0
# cokctl check: FAIL with a fix when the module is not loaded; every
# essential check OK once it is (its vermagic matches uname -r, the CPU
# list is the one sysfs shows); FAIL with a fix when no CPU can be
# taken (every CPU but 0 set offline through sysfs: what a one-CPU
# guest looks like to the tool); the device's mode is reported, a
# world-open node as WARN; bad arguments change nothing.
# timeout: 180
. /tests/lib.sh

t_require check module cokctl

# check_line NAME: the text line of check NAME in $OUT ("OK    cpus ...").
check_line() { echo "$OUT" | grep -E "^(OK|WARN|FAIL) +$1 " | head -n 1; }
# fix_of NAME: the "fix:" line that follows check NAME's line.
fix_of() { echo "$OUT" | grep -A1 -E "^(OK|WARN|FAIL) +$1 " | sed -n '2s/^ *fix: //p'; }
# json_check FLAT NAME KEY: a field of check NAME in flattened -j output.
json_check() {
	_i=$(sed -n "s/^checks\.\([0-9]*\)\.name=$2\$/\1/p" "$1" | head -n 1)
	[ -n "$_i" ] && sed -n "s/^checks\.$_i\.$3=//p" "$1" | head -n 1
}
# The CPUs sysfs says can be taken: online, not 0, with an online file.
takeable_cpus() {
	for _f in /sys/devices/system/cpu/cpu[0-9]*/online; do
		_c=${_f%/online}
		_c=${_c##*/cpu}
		[ "$_c" = 0 ] && continue
		[ "$(cat "$_f")" = 1 ] && echo "$_c"
	done | sort -n | tr '\n' ' '
}
# Ranges "1-3,5" as a list "1 2 3 5".
expand_ranges() {
	echo "$1" | tr ',' '\n' | while IFS=- read -r _a _b; do
		[ -n "$_a" ] || continue
		seq "$_a" "${_b:-$_a}"
	done | tr '\n' ' '
}

t_begin check/no-module
case_no_module() {
	destroy_all
	if module_loaded && ! rmmod ckpt_cokernel 2>"$T_TMP/rmmod.err"; then
		t_fail "cannot unload the module first: $(cat "$T_TMP/rmmod.err")"
		return
	fi
	run "$COKCTL" check --module "$COK_KO"
	[ "$RC" = 1 ] || { t_fail "exit $RC without the module, want 1"; return; }
	_l=$(check_line module)
	case $_l in FAIL*"not loaded"*) ;; *) t_fail "module line '$_l'"; return ;; esac
	_f=$(fix_of module)
	[ "$_f" = "insmod $COK_KO" ] || { t_fail "module fix '$_f', want 'insmod $COK_KO'"; return; }
	# The module file itself still matches this kernel.
	case $(check_line build) in OK*"built for kernel $(uname -r)"*) ;;
	*) t_fail "build line '$(check_line build)', want OK for $(uname -r)"; return ;; esac
	case $(check_line device) in FAIL*) ;; *) t_fail "device line '$(check_line device)' without the module"; return ;; esac
	[ -n "$(fix_of device)" ] || { t_fail "no fix for the missing device"; return; }
	echo "$OUT" | tail -n 1 | grep -q "cannot run enclaves" || { t_fail "last line '$(echo "$OUT" | tail -n 1)'"; return; }
	run "$COKCTL" check -j
	[ "$RC" = 1 ] || { t_fail "check -j exit $RC, want 1"; return; }
	[ "$(echo "$OUT" | grep -c '')" = 1 ] || { t_fail "check -j printed more than one line"; return; }
	echo "$OUT" | json_flatten >"$T_TMP/c.flat" || { t_fail "check -j: not JSON: $OUT"; return; }
	grep -qx 'ok=false' "$T_TMP/c.flat" || { t_fail "check -j: no ok=false"; return; }
	[ "$(json_check "$T_TMP/c.flat" module status)" = FAIL ] || { t_fail "check -j: module not FAIL"; return; }
	[ -n "$(json_check "$T_TMP/c.flat" module fix)" ] || { t_fail "check -j: module FAIL without a fix"; return; }
	# Without --module and without an installed one, build fails too; an
	# image that carries the DKMS-built module (t-92-site) has one in
	# /lib/modules/$(uname -r)/updates/dkms: build OK, fix "modprobe".
	if [ -f "/lib/modules/$(uname -r)/updates/dkms/ckpt_cokernel.ko" ]; then
		[ "$(json_check "$T_TMP/c.flat" build status)" = OK ] || { t_fail "check -j: build not OK with the DKMS module installed"; return; }
		[ "$(json_check "$T_TMP/c.flat" module fix)" = "modprobe ckpt_cokernel" ] ||
			{ t_fail "check -j: module fix '$(json_check "$T_TMP/c.flat" module fix)', want 'modprobe ckpt_cokernel'"; return; }
	else
		[ "$(json_check "$T_TMP/c.flat" build status)" = FAIL ] || { t_fail "check -j: build not FAIL with no module file"; return; }
	fi
	t_pass
}
case_no_module

t_begin check/ok
case_ok() {
	ensure_module || { t_fail "$MODULE_ERR"; return; }
	run "$COKCTL" check --module "$COK_KO"
	[ "$RC" = 0 ] || { t_fail "exit $RC with the module loaded: $(echo "$OUT" | grep '^FAIL' | head -n 1)"; return; }
	for _n in module build netlink cpus memory device; do
		case $(check_line $_n) in OK*) ;; *) t_fail "$_n line '$(check_line $_n)', want OK"; return ;; esac
	done
	for _n in xsave smep smap; do
		[ -n "$(check_line $_n)" ] || { t_fail "no $_n line"; return; }
	done
	case $(check_line build) in *"built for kernel $(uname -r)"*) ;;
	*) t_fail "build line does not name $(uname -r): $(check_line build)"; return ;; esac
	# The CPUs it names are the ones sysfs says can be taken.
	_r=$(check_line cpus | sed -n 's/.*(CPU \([0-9,-]*\)).*/\1/p')
	[ "$(expand_ranges "$_r")" = "$(takeable_cpus)" ] ||
		{ t_fail "cpus '$_r', sysfs says '$(takeable_cpus)'"; return; }
	# Memory: MemAvailable less 128 MiB, in 2 MiB chunks.
	_av=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)
	_want=$(( (_av - 131072) / 2048 ))
	_got=$(check_line memory | sed -n 's/.*OK *memory *\([0-9]*\) chunks.*/\1/p')
	[ -n "$_got" ] || { t_fail "memory line '$(check_line memory)'"; return; }
	_d=$((_got - _want)); [ $_d -lt 0 ] && _d=$((-_d))
	[ $_d -le 8 ] || { t_fail "memory: $_got chunks, MemAvailable says about $_want"; return; }
	case $(check_line device) in *"mode 0600"*"only root"*) ;;
	*) t_fail "device line '$(check_line device)', want mode 0600, only root"; return ;; esac
	echo "$OUT" | tail -n 1 | grep -qx "this host can run enclaves" || { t_fail "last line '$(echo "$OUT" | tail -n 1)'"; return; }
	run "$COKCTL" check -j
	[ "$RC" = 0 ] || { t_fail "check -j exit $RC"; return; }
	echo "$OUT" | json_flatten >"$T_TMP/c.flat" || { t_fail "check -j: not JSON"; return; }
	grep -qx 'ok=true' "$T_TMP/c.flat" || { t_fail "check -j: no ok=true"; return; }
	[ "$(json_check "$T_TMP/c.flat" netlink status)" = OK ] || { t_fail "check -j: netlink not OK"; return; }
	t_pass
}
case_ok

t_begin check/no-cpu
case_no_cpu() {
	module_loaded || { t_fail "module not loaded"; return; }
	_was=$(takeable_cpus)
	[ -n "$_was" ] || { t_fail "no CPU to take offline: the guest has one CPU"; return; }
	for _c in $_was; do
		echo 0 >/sys/devices/system/cpu/cpu$_c/online || { t_fail "cannot offline cpu$_c"; break; }
	done
	run "$COKCTL" check --module "$COK_KO"
	_rc=$RC _l=$(check_line cpus) _f=$(fix_of cpus)
	for _c in $_was; do echo 1 >/sys/devices/system/cpu/cpu$_c/online; done
	[ -z "$T_CASE" ] && return
	[ "$(takeable_cpus)" = "$_was" ] || { t_fail "CPUs $_was not back online: $(takeable_cpus)"; return; }
	[ "$_rc" = 1 ] || { t_fail "exit $_rc with every CPU but 0 offline, want 1"; return; }
	case $_l in FAIL*"no CPU can be taken"*) ;; *) t_fail "cpus line '$_l'"; return ;; esac
	case $_f in *"/online"*) ;; *) t_fail "cpus fix '$_f' does not say how to online one"; return ;; esac
	case $(check_line memory) in OK*) ;; *) t_fail "memory line changed: $(check_line memory)"; return ;; esac
	t_pass
}
case_no_cpu

t_begin check/device-mode
case_device() {
	module_loaded || { t_fail "module not loaded"; return; }
	chmod 0666 /dev/ckpt_cokernel
	run "$COKCTL" check
	_rc=$RC _l=$(check_line device)
	chmod 0600 /dev/ckpt_cokernel
	[ "$_rc" = 0 ] || { t_fail "exit $_rc with a world-open device: WARN is not essential"; return; }
	case $_l in WARN*"mode 0666"*"every local user"*) ;; *) t_fail "device line '$_l', want WARN mode 0666"; return ;; esac
	run_as_user "$COKCTL" check
	[ "$RC" = 0 ] || { t_fail "as $T_USER: exit $RC"; return; }
	case $(check_line access) in WARN*"may not open"*) ;; *) t_fail "as $T_USER: access line '$(check_line access)'"; return ;; esac
	t_pass
}
case_device

t_begin check/bad-args
case_bad() {
	run "$COKCTL" check extra
	[ "$RC" = 2 ] && [ -z "$OUT" ] && [ "$ERR_LINES" -le 2 ] || { t_fail "check extra: exit $RC, out '$OUT'"; return; }
	run "$COKCTL" check --module /no/such.ko
	[ "$RC" = 2 ] && [ -z "$OUT" ] || { t_fail "check --module /no/such.ko: exit $RC"; return; }
	echo "$ERR" | head -n 1 | grep -q "/no/such.ko: No such file" || { t_fail "error '$ERR'"; return; }
	run "$COKCTL" check --module "$COKCTL"
	[ "$RC" = 1 ] || { t_fail "a non-module file: exit $RC, want 1"; return; }
	case $(check_line build) in FAIL*"no vermagic"*) ;; *) t_fail "build line '$(check_line build)'"; return ;; esac
	t_pass
}
case_bad
