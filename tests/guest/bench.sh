# SPDX-License-Identifier: GPL-2.0
#
# The guest side of `make bench`: ROUNDS x (create --cpus 1 --mem 64M;
# read boot_ns from status -j; destroy).  boot_ns is the module's own
# measure of "create request -> first heartbeat of the co-kernel".
# One "BENCH boot_ns=N" line per round on the results port; the host
# computes the median.
. /tests/lib.sh

ROUNDS=10
for w in $(cat /proc/cmdline); do
	case $w in cok.rounds=*) ROUNDS=${w#cok.rounds=} ;; esac
done
dmesg -n 1
[ -f "$COK_KO" ] || { echo "BENCH_ERROR ckpt_cokernel.ko not in image: ${WHY_MODULE:-not built}" >&3; exit 1; }
[ -x "$COKCTL" ] || { echo "BENCH_ERROR cokctl not in image: ${WHY_COKCTL:-not built}" >&3; exit 1; }
ensure_module || { echo "BENCH_ERROR $MODULE_ERR" >&3; exit 1; }

i=1
while [ $i -le "$ROUNDS" ]; do
	t0=$(cut -d' ' -f1 /proc/uptime)
	create_enclave --cpus 1 --mem 64M || { echo "BENCH_ERROR round $i: $CREATE_ERR" >&3; exit 1; }
	t1=$(cut -d' ' -f1 /proc/uptime)
	status_read "$T_TMP/b.flat" || { echo "BENCH_ERROR round $i: $STATUS_ERR" >&3; exit 1; }
	b=$(enc_get "$T_TMP/b.flat" "$EID" boot_ns)
	phases=
	for p in boot_memory_ns boot_offline_ns boot_start_ns; do
		phases="$phases $p=$(enc_get "$T_TMP/b.flat" "$EID" $p)"
	done
	run "$COKCTL" destroy "$EID"
	[ "$RC" = 0 ] || { echo "BENCH_ERROR round $i: destroy exit $RC: $ERR" >&3; exit 1; }
	case $b in ''|*[!0-9]*) echo "BENCH_ERROR round $i: boot_ns '$b'" >&3; exit 1 ;; esac
	echo "BENCH boot_ns=$b$phases create_wall_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')" >&3
	echo "round $i: boot_ns=$b"
	i=$((i + 1))
done
rmmod ckpt_cokernel
exit 0
