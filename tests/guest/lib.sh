# SPDX-License-Identifier: GPL-2.0
#
# Guest-side test library, sourced by the guest tests (busybox ash).
#
# A test file runs one or more cases:
#
#	t_begin lifecycle/create        # opens a case, marks the kernel log
#	...assertions: t_fail "why"; return   (or t_pass / t_skip "why")
#
# Every verdict is one line on the results port (fd 3, opened by /init
# on the virtio-serial port "results"):
#	PASS name
#	FAIL name: reason
#	SKIP name: reason
# t_pass turns into a FAIL when the kernel log has gained a BUG:,
# KASAN:, WARNING:, Oops, Call Trace, UBSAN: (or a stall / hung task /
# leak report)
# since t_begin.  T_DMESG_ALLOW (an ERE) drops lines from that check;
# T_DMESG_NMI_BT=1 allows one Call Trace per "NMI backtrace for cpu N"
# (the output of sysrq 'l').

COK_BIN=${COK_BIN:-/usr/bin}
COKCTL=$COK_BIN/cokctl
NL_MALFORMED=$COK_BIN/nl-malformed
IOCTL_FUZZ=$COK_BIN/ioctl-fuzz
COK_KO=/lib/cok/ckpt_cokernel.ko
IPI_STORM_KO=/lib/cok/ipi_storm.ko
T_USER=cokuser
T_TMP=/tmp/t.$$
T_STATE=/tmp/cok-current-case
T_COUNT=/tmp/cok-nresults
T_CASE=
mkdir -p "$T_TMP"
[ -f /etc/cok-build.env ] && . /etc/cok-build.env

T_BAD_RE='BUG:|KASAN:|WARNING:|Oops|Call Trace|detected stall|blocked for more than|Kernel panic|general protection fault|suspected memory leak|UBSAN:|kernel BUG'

_t_result() {
	# One line, no newlines inside.
	_l=$(printf '%s' "$*" | tr '\n\r\t' '   ')
	if ! echo "$_l" >&3 2>/dev/null; then
		echo "$_l"
	fi
	echo "RESULT: $_l" >/dev/console 2>/dev/null
	echo x >>"$T_COUNT"
}

t_log() { echo "  $*"; }

t_begin() {
	[ -n "$T_CASE" ] && t_fail "case left open (harness bug)"
	T_CASE=$1
	T_DMESG_ALLOW=
	T_DMESG_NMI_BT=0
	echo "$T_CASE" >"$T_STATE"
	echo "COKTEST-BEGIN $T_CASE" >/dev/kmsg
	echo "=== $T_CASE"
}

_t_close() {
	T_CASE=
	: >"$T_STATE"
}

# Kernel-log lines since t_begin that fail the case.
t_dmesg_bad() {
	dmesg | awk -v m="COKTEST-BEGIN $T_CASE" -v allow="$T_DMESG_ALLOW" \
		-v nmibt="$T_DMESG_NMI_BT" -v bad="$T_BAD_RE" '
	{ line[NR] = $0 }
	index($0, m) { start = NR }
	END {
		if (!start) print "(test marker lost from the kernel log)"
		bt = 0
		for (i = start + 1; i <= NR; i++) {
			l = line[i]
			if (allow != "" && l ~ allow) continue
			if (nmibt && l ~ /NMI backtrace for cpu [0-9]+$/) bt++
			if (l !~ bad) continue
			if (nmibt && l ~ /Call Trace/ && bt > 0) { bt--; continue }
			print l
		}
	}'
}

t_pass() {
	_bad=$(t_dmesg_bad)
	if [ -n "$_bad" ]; then
		echo "kernel log during $T_CASE:"
		echo "$_bad" | head -n 20
		_t_result "FAIL $T_CASE: kernel log: $(echo "$_bad" | head -n 1 | sed 's/^\[[ 0-9.]*\] //')"
	else
		_t_result "PASS $T_CASE"
	fi
	_t_close
}

t_fail() {
	echo "FAILED: $*"
	_t_result "FAIL $T_CASE: $*"
	_t_close
	return 1
}

t_skip() {
	_t_result "SKIP $T_CASE: $*"
	_t_close
}

t_info() {
	echo "$*" >&3 2>/dev/null
	echo "INFO: $*"
}

# t_need module cokctl nl_malformed ioctl_fuzz ipi_storm: skip the open case when
# a part was not built (the host says why in /etc/cok-build.env).
t_need() {
	for _n in "$@"; do
		case $_n in
		module) [ -f "$COK_KO" ] || { t_skip "ckpt_cokernel.ko not in image: ${WHY_MODULE:-not built}"; return 1; } ;;
		cokctl) [ -x "$COKCTL" ] || { t_skip "cokctl not in image: ${WHY_COKCTL:-not built}"; return 1; } ;;
		nl_malformed) [ -x "$NL_MALFORMED" ] || { t_skip "nl-malformed not in image: ${WHY_NL_MALFORMED:-not built}"; return 1; } ;;
		ioctl_fuzz) [ -x "$IOCTL_FUZZ" ] || { t_skip "ioctl-fuzz not in image: ${WHY_IOCTL_FUZZ:-not built}"; return 1; } ;;
		ipi_storm) [ -f "$IPI_STORM_KO" ] || { t_skip "ipi_storm.ko not in image: ${WHY_IPI_STORM:-not built}"; return 1; } ;;
		esac
	done
	return 0
}

# run CMD ARGS...: runs, sets RC, OUT, ERR (and ERR_LINES); logs.
run() {
	"$@" >"$T_TMP/out" 2>"$T_TMP/err"
	RC=$?
	OUT=$(cat "$T_TMP/out")
	ERR=$(cat "$T_TMP/err")
	ERR_LINES=$(grep -c '' "$T_TMP/err")
	echo "\$ $* -> rc=$RC"
	[ -n "$OUT" ] && echo "$OUT" | head -n 30 | sed 's/^/  out: /'
	[ -n "$ERR" ] && echo "$ERR" | head -n 10 | sed 's/^/  err: /'
	return 0
}

# run_as_user CMD ARGS...: like run, as the unprivileged user.
run_as_user() {
	_q=
	for _a in "$@"; do _q="$_q '$(printf '%s' "$_a" | sed "s/'/'\\\\''/g")'"; done
	run su -s /bin/sh "$T_USER" -c "exec $_q"
}

# lines FILE: how many lines FILE has; 0 when it does not exist.
lines() {
	_ln=$(grep -c '' "$1" 2>/dev/null)
	echo "${_ln:-0}"
}

# wait_lines FILE N: until FILE has N lines, 30 s at most; true if it did.
wait_lines() {
	_wl=0
	while [ "$(lines "$1")" -lt "$2" ] && [ $_wl -lt 300 ]; do
		usleep 100000
		_wl=$((_wl + 1))
	done
	[ "$(lines "$1")" -ge "$2" ]
}

memtotal_kb() { awk '/^MemTotal:/ { print $2 }' /proc/meminfo; }
online_cpus() { cat /sys/devices/system/cpu/online; }
cpu_online() {
	if [ -f "/sys/devices/system/cpu/cpu$1/online" ]; then
		cat "/sys/devices/system/cpu/cpu$1/online"
	elif [ -d "/sys/devices/system/cpu/cpu$1" ]; then
		echo 1		# not hotpluggable (cpu0)
	else
		echo absent
	fi
}
# The CPU a task pinned to $1 actually ran on (/proc/self/stat field 39).
task_cpu() { taskset -c "$1" cat /proc/self/stat 2>/dev/null | awk '{ print $39 }'; }

# within_pct A B PCT: |A - B| <= B * PCT / 100
within_pct() {
	awk -v a="$1" -v b="$2" -v p="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= b * p / 100) }'
}

# JSON -> flat "path=value" lines, e.g. enclaves.0.cores.1.heartbeat=5
json_flatten() {
	awk '
	function path(   p, d, seg) {
		p = ""
		for (d = 1; d <= depth; d++) {
			seg = (type[d] == "o") ? key[d] : idx[d]
			p = (d == 1) ? seg : p "." seg
		}
		return p
	}
	{ s = s $0 "\n" }
	END {
		n = length(s); i = 1; depth = 0
		while (i <= n) {
			c = substr(s, i, 1)
			if (c == " " || c == "\t" || c == "\n" || c == "\r") { i++; continue }
			if (c == "{") { depth++; type[depth] = "o"; key[depth] = ""; wantkey[depth] = 1; i++; continue }
			if (c == "[") { depth++; type[depth] = "a"; idx[depth] = 0; i++; continue }
			if (c == "}" || c == "]") { depth--; i++; continue }
			if (c == ",") { if (type[depth] == "a") idx[depth]++; else wantkey[depth] = 1; i++; continue }
			if (c == ":") { wantkey[depth] = 0; i++; continue }
			if (c == "\"") {
				j = i + 1; v = ""
				while (j <= n) {
					d = substr(s, j, 1)
					if (d == "\\") { v = v substr(s, j + 1, 1); j += 2; continue }
					if (d == "\"") break
					v = v d; j++
				}
				i = j + 1
				if (type[depth] == "o" && wantkey[depth]) { key[depth] = v; continue }
				print path() "=" v
				continue
			}
			j = i
			while (j <= n && substr(s, j, 1) !~ /[],} \t\r\n]/) j++
			if (j == i) { print "json_flatten: bad character at " i > "/dev/stderr"; exit 1 }
			print path() "=" substr(s, i, j - i)
			i = j
		}
	}'
}

# status_read FILE: cokctl status -j, flattened into FILE.  Returns
# non-zero (and says why in STATUS_ERR) if it fails.
status_read() {
	STATUS_ERR=
	"$COKCTL" status -j >"$T_TMP/status.json" 2>"$T_TMP/status.err"
	_rc=$?
	if [ $_rc -ne 0 ]; then
		STATUS_ERR="status -j exit $_rc: $(head -n 1 "$T_TMP/status.err")"
		return 1
	fi
	if [ "$(grep -c '' "$T_TMP/status.json")" -ne 1 ]; then
		STATUS_ERR="status -j printed $(grep -c '' "$T_TMP/status.json") lines, want 1"
		return 1
	fi
	json_flatten <"$T_TMP/status.json" >"$1" || {
		STATUS_ERR="status -j: not JSON: $(head -c 200 "$T_TMP/status.json")"
		return 1
	}
	return 0
}

# Lookups in a flattened status file.
enc_count() { grep -c '^enclaves\.[0-9]*\.id=' "$1"; }
enc_ids() { sed -n 's/^enclaves\.[0-9]*\.id=//p' "$1"; }
enc_idx() { sed -n "s/^enclaves\.\([0-9]*\)\.id=$2\$/\1/p" "$1" | head -n 1; }
enc_get() {	# FILE ID KEY
	_i=$(enc_idx "$1" "$2")
	[ -n "$_i" ] && sed -n "s/^enclaves\.$_i\.$3=//p" "$1" | head -n 1
}
enc_cpus() {	# FILE ID
	_i=$(enc_idx "$1" "$2")
	[ -n "$_i" ] && sed -n "s/^enclaves\.$_i\.cores\.[0-9]*\.cpu=//p" "$1"
}
core_get() {	# FILE ID CPU KEY
	_i=$(enc_idx "$1" "$2")
	[ -n "$_i" ] || return 0
	_k=$(sed -n "s/^enclaves\.$_i\.cores\.\([0-9]*\)\.cpu=$3\$/\1/p" "$1" | head -n 1)
	[ -n "$_k" ] && sed -n "s/^enclaves\.$_i\.cores\.$_k\.$4=//p" "$1" | head -n 1
}

# The enclave id printed by "cokctl create": the whole output if it is
# a number, else the number after "enclave", else the first number.
parse_id() {
	_o=$(echo "$1" | tr -s ' \t\n' '   ' | sed 's/^ *//; s/ *$//')
	case $_o in
	''|*[!0-9]*) ;;
	*) echo "$_o"; return ;;
	esac
	_n=$(echo "$_o" | sed -n 's/.*[Ee]nclave[^0-9]*\([0-9][0-9]*\).*/\1/p')
	[ -n "$_n" ] || _n=$(echo "$_o" | grep -o '[0-9][0-9]*' | head -n 1)
	echo "$_n"
}

app_ids() {	# every app id, from cokctl ps -j
	"$COKCTL" ps -j 2>/dev/null | json_flatten 2>/dev/null |
		sed -n 's/^apps\.[0-9]*\.id=//p'
}

# app_field ID KEY: one field of app ID in `cokctl ps -j` (as the caller
# sees it); nothing when there is no such app.
app_field() {
	"$COKCTL" ps -j 2>/dev/null | json_flatten 2>/dev/null | awk -F= -v id="$1" -v key="$2" '
		/^apps\.[0-9]*\.id=/ { split($1, k, "."); if ($2 == id) want = k[2] }
		{ split($1, k, "."); if (k[3] == key) v[k[2]] = $2 }
		END { if (want != "") print v[want] }'
}

app_state_of() { app_field "$1" state; }	# ID: running, frozen, ...

# new_app_id "IDS BEFORE": the id of an app not in that list, waiting up
# to 15 s for it; sets ID (empty when none appeared).
new_app_id() {
	ID=
	_na=0
	while [ -z "$ID" ] && [ $_na -lt 300 ]; do
		for _a in $(app_ids); do
			case " $1 " in *" $_a "*) ;; *) ID=$_a ;; esac
		done
		[ -n "$ID" ] || usleep 50000
		_na=$((_na + 1))
	done
	[ -n "$ID" ]
}

module_loaded() { [ -d /sys/module/ckpt_cokernel ]; }
ensure_module() {
	module_loaded && return 0
	insmod "$COK_KO" >"$T_TMP/insmod.err" 2>&1 || {
		MODULE_ERR="insmod: $(head -n 1 "$T_TMP/insmod.err")"
		return 1
	}
	module_loaded || { MODULE_ERR="insmod succeeded but /sys/module/ckpt_cokernel is missing"; return 1; }
}

# create_enclave ARGS...: cokctl create ARGS; sets EID or returns 1
# with CREATE_ERR.
create_enclave() {
	CREATE_ERR=
	EID=
	run "$COKCTL" create "$@"
	if [ "$RC" -ne 0 ]; then
		CREATE_ERR="cokctl create $* exit $RC: $(echo "$ERR" | head -n 1)"
		return 1
	fi
	EID=$(parse_id "$OUT")
	[ -n "$EID" ] || { CREATE_ERR="cokctl create $*: no enclave id in '$OUT'"; return 1; }
	return 0
}

# Destroy every live enclave (cleanup after a failed case).
destroy_all() {
	[ -x "$COKCTL" ] && module_loaded || return 0
	status_read "$T_TMP/cleanup.flat" || return 0
	for _e in $(enc_ids "$T_TMP/cleanup.flat"); do
		"$COKCTL" destroy "$_e" >/dev/null 2>&1
	done
}

# A snapshot of what a refused request must not change: online CPUs,
# MemTotal, and the enclaves' identity (id, state, memory, cores) from
# status -j, without the counters that move on their own.
snapshot() {	# FILE
	{
		echo "online=$(online_cpus)"
		echo "memtotal_kb=$(memtotal_kb)"
		if status_read "$T_TMP/snap.flat"; then
			grep -E '^enclaves\.[0-9]+\.(id|state|mem_bytes)=|^enclaves\.[0-9]+\.cores\.[0-9]+\.(cpu|apic_id|stage)=' \
				"$T_TMP/snap.flat"
		else
			echo "status: $STATUS_ERR"
		fi
	} >"$1"
}

# The system's resting state, to compare against after each destroy.
baseline_save() {	# NAME
	online_cpus >"$T_TMP/base.$1.online"
	memtotal_kb >"$T_TMP/base.$1.mem"
}
# baseline_check NAME: 0 if online CPUs are identical and MemTotal is
# within 1 %; else BASE_ERR says what differs.
baseline_check() {
	BASE_ERR=
	_on=$(online_cpus)
	_want=$(cat "$T_TMP/base.$1.online")
	[ "$_on" = "$_want" ] || BASE_ERR="online CPUs $_on, want $_want"
	_m=$(memtotal_kb)
	_wm=$(cat "$T_TMP/base.$1.mem")
	within_pct "$_m" "$_wm" 1 || BASE_ERR="$BASE_ERR${BASE_ERR:+; }MemTotal $_m kB, want $_wm kB (within 1 %)"
	[ -z "$BASE_ERR" ]
}

# wait_for SECONDS CMD...: poll CMD every 0.2 s until it succeeds.
wait_for() {
	_t=$(( $1 * 5 ))
	shift
	while [ $_t -gt 0 ]; do
		"$@" && return 0
		usleep 200000
		_t=$((_t - 1))
	done
	"$@"
}

# enclave_ok FLAT ID NCORES: the enclave is "running" with NCORES cores,
# every one alive; else ENC_ERR says what is wrong.
enclave_ok() {
	ENC_ERR=
	_i=$(enc_idx "$1" "$2")
	[ -n "$_i" ] || { ENC_ERR="enclave $2 not in status -j"; return 1; }
	_st=$(enc_get "$1" "$2" state)
	[ "$_st" = running ] || { ENC_ERR="enclave $2 state '$_st', want running"; return 1; }
	_cpus=$(enc_cpus "$1" "$2")
	_n=$(echo "$_cpus" | grep -c .)
	[ "$_n" = "$3" ] || { ENC_ERR="enclave $2 has $_n cores, want $3"; return 1; }
	for _c in $_cpus; do
		[ "$(core_get "$1" "$2" "$_c" alive)" = true ] || {
			ENC_ERR="enclave $2 cpu $_c not alive (stage $(core_get "$1" "$2" "$_c" stage))"
			return 1
		}
	done
	return 0
}

# wait_enclave_ok ID NCORES SECONDS: polls status -j until enclave_ok.
wait_enclave_ok() {
	_t=$(( $3 * 5 ))
	while :; do
		if status_read "$T_TMP/wait.flat"; then
			enclave_ok "$T_TMP/wait.flat" "$1" "$2" && return 0
		else
			ENC_ERR=$STATUS_ERR
		fi
		[ $_t -le 0 ] && return 1
		usleep 200000
		_t=$((_t - 1))
	done
}

# heartbeat_advances ID: two status reads a second apart; every core of
# the enclave is alive in both and its heartbeat grew.  HB_ERR says why
# not; HB_FLAT is the second read.
heartbeat_advances() {
	HB_ERR=
	HB_FLAT=$T_TMP/hb2.flat
	status_read "$T_TMP/hb1.flat" || { HB_ERR=$STATUS_ERR; return 1; }
	sleep 1
	status_read "$HB_FLAT" || { HB_ERR=$STATUS_ERR; return 1; }
	_cpus=$(enc_cpus "$HB_FLAT" "$1")
	[ -n "$_cpus" ] || { HB_ERR="enclave $1 has no cores in status -j"; return 1; }
	for _c in $_cpus; do
		_a1=$(core_get "$T_TMP/hb1.flat" "$1" "$_c" alive)
		_a2=$(core_get "$HB_FLAT" "$1" "$_c" alive)
		_h1=$(core_get "$T_TMP/hb1.flat" "$1" "$_c" heartbeat)
		_h2=$(core_get "$HB_FLAT" "$1" "$_c" heartbeat)
		[ "$_a1" = true ] && [ "$_a2" = true ] ||
			{ HB_ERR="cpu $_c alive=$_a1 then $_a2"; return 1; }
		case "$_h1$_h2" in
		''|*[!0-9]*) HB_ERR="cpu $_c heartbeat '$_h1' '$_h2' not numbers"; return 1 ;;
		esac
		[ "$_h2" -gt "$_h1" ] || { HB_ERR="cpu $_c heartbeat $_h1 then $_h2: not advancing"; return 1; }
	done
	return 0
}

# t_require NAME PART...: when a part the whole file needs is not in the
# image, one "SKIP NAME: why" for the file and exit; else nothing.
t_require() {
	_rn=$1
	shift
	t_begin "$_rn"
	t_need "$@" || exit 0
	_t_close
}

# launch_piped OUT ERR ARGS...: cokctl launch ARGS in the background, its
# stdout and stderr pipes into OUT and ERR (as `cokctl launch ... | cat`
# would make them), so that a restore gives the app the restorer's own
# rather than reopening OUT and ERR; P is cokctl's pid, PIPE_P a reader's
# (wait for it too before reading OUT whole).
launch_piped() {
	_lo=$1 _le=$2
	shift 2
	rm -f "$_lo.fifo" "$_le.fifo"
	mkfifo "$_lo.fifo" "$_le.fifo" || return 1
	cat "$_lo.fifo" >"$_lo" 3>&- &
	PIPE_P=$!
	cat "$_le.fifo" >"$_le" 3>&- &
	"$COKCTL" launch "$@" >"$_lo.fifo" 2>"$_le.fifo" 3>&- &
	P=$!
}

# bg_app OUT ERR CMD...: start CMD (a cokctl launch or restore, perhaps
# under su) in the background, its output in OUT and ERR; sets P, and ID
# once a new app is listed (15 s at most).  fd 3, the harness's results
# port, is not the app's to keep.
bg_app() {
	_o=$1 _e=$2
	shift 2
	_before=$(app_ids | tr '\n' ' ')
	"$@" >"$_o" 2>"$_e" 3>&- &
	P=$!
	new_app_id "$_before"
}

# destroy_case NAME: the case that ends a test file: destroy $EID.
destroy_case() {
	t_begin "$1"
	if [ -z "$EID" ]; then
		t_skip "no enclave"
	else
		run "$COKCTL" destroy "$EID"
		if [ "$RC" = 0 ]; then t_pass; else t_fail "destroy exit $RC: $ERR"; fi
	fi
}
