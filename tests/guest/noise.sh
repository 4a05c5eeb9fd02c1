# SPDX-License-Identifier: GPL-2.0
#
# The guest side of make bench's noise boot (cok.bench=noise): FWQ under
# QEMU's instruction-counted clock (-icount), where guest time is the
# number of instructions executed, so the host's scheduling of QEMU does
# not show.  The same static FWQ binary runs on
#   linux     a plain Linux core (CPU 1)
#   nohz      the core the command line isolates (isolcpus= nohz_full=)
#   cokernel  the core of a 1-core enclave (CPU 3)
#   noisy     CPU 1 again, with a 1 kHz periodic sleeper pinned beside it
#   pair0/1   both cores of a 2-core enclave at once: one FWQ with two
#             threads (launch --cores 2), one per core
# One "BENCH noise CASE cpu=N n= mean= min= max= var= hits= stolen= irqs=
# irq_kinds="
# line each on the results port; the host derives detours and CV.
. /tests/lib.sh

SAMPLES=2000 WORK=100000 RAW=0
for w in $(cat /proc/cmdline); do
	case $w in
	cok.noise_raw=1) RAW=1 ;;	# also "NOISE_HIT CASE INDEX CYCLES" lines
	cok.fwq=*,*) SAMPLES=${w#cok.fwq=}; WORK=${SAMPLES#*,}; SAMPLES=${SAMPLES%,*} ;;
	esac
done
FWQ=/apps/fwq.musl
PLAIN=1 COKCPU=3
dmesg -n 1
fail() { echo "BENCH_ERROR noise: $*" >&3; exit 1; }
[ -x "$FWQ" ] || fail "$FWQ not in the image"
[ -f "$COK_KO" ] || fail "ckpt_cokernel.ko not in image: ${WHY_MODULE:-not built}"
ensure_module || fail "$MODULE_ERR"
NOHZ=$(cat /sys/devices/system/cpu/nohz_full 2>/dev/null)
case $NOHZ in
[0-9]|[0-9][0-9]) ;;
*) fail "no single nohz_full CPU (/sys/devices/system/cpu/nohz_full: '$NOHZ'; kernel without CONFIG_NO_HZ_FULL?)" ;;
esac
[ "$(cat /sys/devices/system/cpu/isolated)" = "$NOHZ" ] ||
	fail "CPU $NOHZ is nohz_full but not isolated ($(cat /sys/devices/system/cpu/isolated))"

# "KIND COUNT" per /proc/interrupts row for one CPU (the column headed
# CPUn: offline CPUs have none).
irq_snap() {	# CPU FILE
	awk -v want="CPU$1" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == want) col = i + 1; next }
		col && NF >= col && $col ~ /^[0-9]+$/ { sub(":", "", $1); print $1, $col }
	' /proc/interrupts >"$2"
}
# The interrupts all other online CPUs have taken so far: under -icount
# what they run in the meantime counts in the measured core's time too.
irq_others() {	# CPU
	awk -v skip="CPU$1" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i ~ /^CPU/ && $i != skip) col[i + 1] = 1; next }
		{ for (i in col) if ($i ~ /^[0-9]+$/) t += $i }
		END { print t + 0 }' /proc/interrupts
}
# "TOTAL KIND:N,KIND:N" of the rows that moved between two snapshots.
irq_delta() {	# BEFORE AFTER
	awk 'NR == FNR { b[$1] = $2; next }
	     { d = $2 - b[$1]; if (d > 0) { t += d; k = k (k ? "," : "") $1 ":" d } }
	     END { printf "%d %s\n", t, (k ? k : "-") }' "$1" "$2"
}
# hits: quanta more than 1% above the fastest; stolen: their cycles
# above it, summed (what the system took from FWQ in all).
fwq_line() {	# CASE CPU FILE IRQS KINDS OTHERS
	awk -v c="$1" -v cpu="$2" -v irqs="$4" -v kinds="$5" -v others="$6" -v raw=$RAW '
	{ x[++n] = $1; s += $1; q += $1 * $1; if ($1 > m) m = $1; if (n == 1 || $1 < lo) lo = $1 }
	END {
		if (n == 0) { print "BENCH_APP_ERROR noise " c ": no samples"; exit }
		mean = s / n; var = q / n - mean * mean; if (var < 0) var = 0
		for (i = 1; i <= n; i++)
			if (x[i] - lo > lo / 100) {
				hits++; stolen += x[i] - lo
				if (raw) printf "NOISE_HIT %s %d %d\n", c, i, x[i]
			}
		printf "BENCH noise %s cpu=%s n=%d mean=%.1f min=%d max=%d var=%.1f hits=%d stolen=%d irqs=%s irq_kinds=%s others=%s\n",
			c, cpu, n, mean, lo, m, var, hits, stolen, irqs, kinds, others
	}' "$3" >&3
}
linux_case() {	# CASE CPU
	o0=$(irq_others "$2")
	irq_snap "$2" "$T_TMP/irq0"
	taskset -c "$2" $FWQ "$SAMPLES" "$WORK" >"$T_TMP/fwq.$1"
	irq_snap "$2" "$T_TMP/irq1"
	o1=$(irq_others "$2")
	set -- "$1" "$2" $(irq_delta "$T_TMP/irq0" "$T_TMP/irq1")
	fwq_line "$1" "$2" "$T_TMP/fwq.$1" "$3" "$4" $((o1 - o0))
}
# The ring-3 interrupt count that cokctl launch -v prints at the end.
cok_irqs() { sed -n 's/.*ring-3 interrupts \([0-9]*\).*/\1/p' "$1"; }

linux_case linux "$PLAIN"
linux_case nohz "$NOHZ"

create_enclave --cpu-list "$COKCPU" --mem 64M || fail "$CREATE_ERR"
# create returns once the co-kernel's first heartbeat is seen: its time.
status_read "$T_TMP/n.flat" &&
	echo "BENCH noise_boot_ns=$(enc_get "$T_TMP/n.flat" "$EID" boot_ns)" >&3
o0=$(irq_others "$COKCPU")
"$COKCTL" launch -v -- $FWQ "$SAMPLES" "$WORK" >"$T_TMP/fwq.cok" 2>"$T_TMP/fwq.err" ||
	fail "fwq on the co-kernel: $(head -c 200 "$T_TMP/fwq.err")"
o1=$(irq_others "$COKCPU")
fwq_line cokernel "$COKCPU" "$T_TMP/fwq.cok" "$(cok_irqs "$T_TMP/fwq.err")" ring3 $((o1 - o0))
"$COKCTL" destroy "$EID" >/dev/null

# A deliberately noisy Linux core: a task that sleeps 1 ms in a loop,
# pinned on the measured core, preempts FWQ about 1000 times a second.
taskset -c "$PLAIN" sh -c 'while :; do usleep 1000; done' &
NOISE=$!
linux_case noisy "$PLAIN"
kill "$NOISE"
wait "$NOISE" 2>/dev/null

# Both cores of a 2-core enclave at once: one 2-thread FWQ launched with
# --cores 2 (its second thread lands on the second core); its samples
# are thread 0's (home core) then thread 1's.
if create_enclave --cpu-list "$NOHZ,$COKCPU" --mem 128M; then
	o0=$(irq_others "$NOHZ")
	"$COKCTL" launch -v --cores 2 -- $FWQ "$SAMPLES" "$WORK" 2 \
		>"$T_TMP/pair.out" 2>"$T_TMP/pair.err" 3>&- ||
		fail "2-thread fwq on a 2-core enclave: $(head -c 200 "$T_TMP/pair.err")"
	o1=$(irq_others "$NOHZ")
	head -n "$SAMPLES" "$T_TMP/pair.out" >"$T_TMP/pair0.out"
	tail -n +$((SAMPLES + 1)) "$T_TMP/pair.out" >"$T_TMP/pair1.out"
	_irqs=$(cok_irqs "$T_TMP/pair.err")	# the process's, both cores
	fwq_line pair0 "$NOHZ" "$T_TMP/pair0.out" "$_irqs" ring3-both $((o1 - o0))
	fwq_line pair1 "$COKCPU" "$T_TMP/pair1.out" "$_irqs" ring3-both $((o1 - o0))
	"$COKCTL" destroy "$EID" >/dev/null
else
	echo "BENCH_SKIP noise pair: $CREATE_ERR" >&3
fi
rmmod ckpt_cokernel
exit 0
