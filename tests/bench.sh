#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/bench.sh [LANE]    (make bench; LANE defaults to 6.1)
#
# Then tests/noise.sh boots a second guest, under QEMU's instruction-
# counted clock, for the OS-noise table (FWQ; COK_BENCH_NOISE=0 skips
# it, COK_BENCH_ONLY=noise runs only it).
#
# The first guest runs 10 x (cokctl create --cpus 1 --mem 64M; read
# boot_ns from status -j; destroy) and prints the median "create ->
# first heartbeat" in ms, against the goal (< 50 ms) and against the
# 1.5 s that Pisces waits for its co-kernel to boot; then the figures of
# apps (issues 3 to 8), each against Linux in the same guest: FWQ noise,
# launch, freeze, OpenMP speed and futex wake-up latency on two cores,
# forwarded I/O, dump and restore.  QEMU TCG emulates
# the CPUs, so absolute times are pessimistic; compare runs on the same
# machine.
set -uo pipefail
# The braces make bash read the whole script before running it, so that
# editing it while it runs (another checkout, a long check) is harmless.
{
ROOT=$(cd "$(dirname "$0")/.." && pwd)
LANE=${1:-6.1}
ROUNDS=${COK_BENCH_ROUNDS:-10}
B=$ROOT/build/$LANE
mkdir -p "$B"
exec 8>"$B/.lock"	# one run per lane and checkout at a time
flock -n 8 || { echo "waiting for another run on build/$LANE"; flock 8; }

# CRIU, the baseline of the dump figures: Debian's package, in the guest.
if ! command -v criu >/dev/null && [ "$(id -u)" = 0 ]; then
	echo "bench: installing criu (the dump baseline)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends criu >"$B/criu-apt.log" 2>&1 ||
		echo "bench: could not install criu (build/$LANE/criu-apt.log): no CRIU figures"
fi
export COK_WITH_CRIU=1
if [ "${COK_BENCH_ONLY:-}" = noise ]; then
	exec 8>&-
	exec "$ROOT/tests/noise.sh"
fi
kenv=$("$ROOT/qemu-images/kernel.sh" "$LANE") || { echo "bench: no kernel $LANE"; exit 1; }
CMDLINE_EXTRA=
eval "$kenv"
img=$("$ROOT/qemu-images/initramfs.sh" "$LANE") || { echo "bench: could not build the initramfs"; exit 1; }
echo "bench: booting a $LANE guest for $ROUNDS rounds (console: build/$LANE/bench/console.log)"
"$ROOT/qemu-images/run-guest.sh" --kernel "$VMLINUZ" --initrd "$img" \
	--outdir "$B/bench" --timeout "${COK_GUEST_TIMEOUT:-600}" \
	--append "cok.mode=bench cok.rounds=$ROUNDS $CMDLINE_EXTRA"
rc=$?
R=$B/bench/results.txt
if grep -q '^BENCH_ERROR' "$R" 2>/dev/null; then
	echo "bench: $(grep '^BENCH_ERROR' "$R" | head -n 1 | cut -d' ' -f2-)"
	exit 1
fi
n=$(grep -c '^BENCH boot_ns=' "$R" 2>/dev/null)
if [ $rc -ne 0 ] || [ "${n:-0}" -lt "$ROUNDS" ]; then
	echo "bench: got ${n:-0} of $ROUNDS rounds (qemu exit $rc; see build/$LANE/bench/console.log)"
	exit 1
fi
sed -n 's/^BENCH boot_ns=\([0-9]*\).*/\1/p' "$R" | sort -n | awk -v rounds="$ROUNDS" '
	{ v[NR] = $1 / 1e6 }
	END {
		med = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "create -> first heartbeat, %d rounds: median %.2f ms (min %.2f, max %.2f)\n", NR, med, v[1], v[NR]
		printf "goal: < 50 ms: %s\n", (med < 50) ? "met" : "NOT met"
		if (med > 0)
			printf "Pisces waits 1.5 s for its co-kernel to boot: %.0fx that of ours (1500 ms / %.2f ms)\n", 1500 / med, med
	}'
# Where the time goes: the median of each phase of boot_ns.
for p in boot_memory_ns:"taking 64 MiB from Linux (zeroed by init_on_alloc)" \
	 boot_offline_ns:"CPU hotplug offline (Linux)" \
	 boot_start_ns:"INIT/SIPI -> co-kernel's first heartbeat"; do
	key=${p%%:*}
	sed -n "s/.* $key=\([0-9]*\).*/\1/p" "$R" | sort -n | awk -v what="${p#*:}" '
		{ v[NR] = $1 / 1e6 }
		END {
			if (!NR) exit
			med = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "  of which %-46s median %7.2f ms\n", what ":", med
		}'
done

# Issue 3: OS noise (FWQ) and the launch latency of a static hello.
if grep -q '^BENCH fwq ' "$R"; then
	echo
	echo "FWQ (same static binary, same VM; cycles per work quantum):"
	awk '/^BENCH fwq (linux|cokernel) / {
		side = $3
		for (i = 4; i <= NF; i++) { split($i, kv, "="); v[side, kv[1]] = kv[2] }
		v[side, "sd"] = sqrt(v[side, "var"])
		v[side, "cv"] = v[side, "mean"] > 0 ? v[side, "sd"] / v[side, "mean"] : 0
	}
	END {
		printf "  %-10s %8s %12s %12s %12s %10s\n", "side", "samples", "mean", "max", "stddev", "CV"
		split("linux cokernel", sides, " ")
		for (j = 1; j <= 2; j++) { s = sides[j]
			printf "  %-10s %8d %12.1f %12d %12.1f %10.5f\n", s, v[s, "n"], v[s, "mean"], v[s, "max"], v[s, "sd"], v[s, "cv"] }
		if (v["linux", "sd"] > 0 && v["cokernel", "mean"] > 0)
			printf "  ratio co-kernel/Linux: mean %.3f, max %.3f, stddev %.3f, CV %.3f\n",
				v["cokernel", "mean"] / v["linux", "mean"], v["cokernel", "max"] / v["linux", "max"],
				v["cokernel", "sd"] / v["linux", "sd"], v["cokernel", "cv"] / v["linux", "cv"]
	}' "$R"
	irqs=$(sed -n 's/^BENCH fwq_irqs=//p' "$R")
	echo "  interrupts on the co-kernel core while FWQ ran in ring 3: $irqs (goal: 0)"
fi
if grep -q '^BENCH launch ' "$R"; then
	awk '/^BENCH launch / { split($4, r, "="); split($5, t, "="); n = r[2]; tot[$3] = t[2] }
	END {
		printf "launch of a static hello, %d runs each: Linux exec %.2f ms, cokctl launch %.2f ms: ratio %.2fx (goal <= 2x)\n",
			n, 1000 * tot["linux"] / n, 1000 * tot["cokernel"] / n, (tot["linux"] > 0 ? tot["cokernel"] / tot["linux"] : 0)
	}' "$R"
fi
# freeze_figure TAG WHAT: the median of the "BENCH TAG=ns core=ns"
# lines: the whole freeze, and the co-kernel's part of it.
freeze_figure() {
	grep -q "^BENCH $1=" "$R" || return 0
	_core=$(sed -n "s/^BENCH $1=.* core=//p" "$R" | sort -n | awk '
		{ v[NR] = $1 / 1000 }
		END { printf "%.1f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
	sed -n "s/^BENCH $1=\([0-9]*\).*/\1/p" "$R" | sort -n | awk -v what="$2" -v core="$_core" '
		{ v[NR] = $1 / 1000 }
		END {
			med = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "freeze of %s, %d times: median %.1f us (min %.1f, max %.1f); goal < 100 us: %s\n",
				what, NR, med, v[1], v[NR], (med < 100) ? "met" : "NOT met"
			printf "  of which in the co-kernel (FREEZE taken -> every core parked): median %s us\n", core
		}'
}
freeze_figure freeze_ns "a compute loop"
freeze_figure freeze4_ns "a 4-thread pthreads app (one core)"
freeze_figure freeze4x2_ns "a 4-thread pthreads app on 2 cores"
# Issue 8: OpenMP speed and futex wake-up latency, 2-core enclave vs two
# Linux CPUs of the same guest.  The host's load drifts between rounds,
# so each ratio is the median of the rounds' own ratios (Linux and
# enclave ran back to back in each).
MEDIAN_AWK='function med(a, n,   i, j, t) {
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
	return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}'
if grep -q '^BENCH omp ' "$R"; then
	awk "$MEDIAN_AWK"'
	/^BENCH threads / { cpus = $3 " vs " $4 }
	/^BENCH omp / { n++
		for (i = 3; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		lw[n] = v["linux_s"]; cw[n] = v["cokernel_s"]; ll[n] = v["linux_loop_s"]; cl[n] = v["cokernel_loop_s"]
		rw[n] = cw[n] > 0 ? lw[n] / cw[n] : 0; rl[n] = cl[n] > 0 ? ll[n] / cl[n] : 0
	}
	END {
		printf "OpenMP (omp_compute, libgomp picks 2 threads; %s), %d interleaved runs, medians:\n", cpus, n
		r = med(rl, n)
		printf "  parallel loop (omp_get_wtime): Linux %.3f s, enclave %.3f s: speed ratio %.3f; goal >= 0.95: %s\n",
			med(ll, n), med(cl, n), r, (r >= 0.95) ? "met" : "NOT met"
		printf "  whole run (Linux clock, cokctl launch included): Linux %.2f s, enclave %.2f s: speed ratio %.3f\n",
			med(lw, n), med(cw, n), med(rw, n)
	}' "$R"
fi
if grep -q '^BENCH futex ' "$R"; then
	awk "$MEDIAN_AWK"'
	/^BENCH futex / { n++
		for (i = 3; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		rounds = v["rounds"]; l[n] = v["linux_ns"]; c[n] = v["cokernel_ns"]; lm[n] = v["linux_mean_ns"]; cm[n] = v["cokernel_mean_ns"]
		r[n] = l[n] > 0 ? c[n] / l[n] : 0
		split(v["irqs"], q, ","); if (n == 1 || q[1] < lo) lo = q[1]; if (q[2] < lo) lo = q[2]
		split(v["cokernel_sleeps"], z, ","); sl += z[1] + z[2]
	}
	END {
		printf "futex wake-up: 2 threads hand a futex word back and forth %d times (FUTEX_WAIT/WAKE private), %d runs, medians:\n", rounds, n
		printf "  per round trip (2 wake-ups): Linux, 2 pinned CPUs %.1f us; co-kernel, 2 cores %.1f us: ratio co-kernel/Linux %.3f (means %.1f / %.1f us)\n",
			med(l, n) / 1000, med(c, n) / 1000, med(r, n), med(lm, n) / 1000, med(cm, n) / 1000
		# A wake of a thread asleep on another core is an IPI there;
		# on one core it would be none.
		printf "  the two threads on two co-kernel cores: %s (each core took >= %d interrupts per run; %d waits slept per run)\n",
			(lo >= rounds / 2) ? "yes" : "NO", lo, sl / n
	}' "$R"
fi
if grep -q '^BENCH siglat ' "$R"; then
	awk "$MEDIAN_AWK"'
	/^BENCH siglat / { n++
		for (i = 3; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		l[n] = v["linux_ns"]; c[n] = v["cokernel_ns"]; r[n] = l[n] > 0 ? c[n] / l[n] : 0
	}
	END {
		printf "signal delivery (kill of a Linux process -> the handler running, waiter in sigsuspend), %d runs, medians:\n", n
		printf "  Linux %.1f us; co-kernel app (through cokctl launch) %.1f us: ratio co-kernel/Linux %.2f\n",
			med(l, n) / 1000, med(c, n) / 1000, med(r, n)
	}' "$R"
fi
if grep -q '^BENCH fwdio ' "$R"; then
	awk '/^BENCH fwdio / { for (i = 3; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
	END {
		printf "forwarded I/O: busybox sha256sum of %d MiB (best of 3): Linux %.2f s, enclave %.2f s: ratio %.2fx (issue 7 goal: no worse than 1.8x)\n",
			v["mib"], v["linux_s"], v["cokernel_s"], (v["linux_s"] > 0 ? v["cokernel_s"] / v["linux_s"] : 0)
	}' "$R"
fi
if grep -q '^BENCH dump ' "$R"; then
	# Best of the rounds for each side (the first warms guest memory).
	awk 'function min(a, b) { return a == "" || b < a ? b : a }
	/^BENCH dump / { split($3, b, "="); split($4, d, "="); bytes = b[2]; dns = min(dns, d[2]) }
	/^BENCH dd / { split($4, s, "="); dds = min(dds, s[2]) }
	/^BENCH restore / { split($3, m, "="); rms = min(rms, m[2]) }
	/^BENCH criu / { split($3, c, "="); split($4, r, "="); cd = min(cd, c[2]); cr = min(cr, r[2]) }
	END {
		mib = bytes / 1048576; ds = dns / 1e9
		printf "dump of a %.0f MiB app (best of 2): %.2f s = %.0f MiB/s; dd of the same bytes to /tmp: %.2f s; dump/dd throughput %.2f (goal >= 0.8): %s\n",
			mib, ds, mib / ds, dds, (ds > 0 ? dds / ds : 0), (ds > 0 && dds / ds >= 0.8) ? "met" : "NOT met"
		printf "restore of it (verify, rebuild, pages, resume; best of 2): %.0f ms\n", rms
		if (cd != "") {
			printf "CRIU on Linux, same program (best of 2): dump %.2f s, restore %.2f s; ours faster: dump %.1fx, restore %.1fx (goal >= 2x): %s\n",
				cd, cr, (ds > 0 ? cd / ds : 0), (rms > 0 ? cr * 1000 / rms : 0),
				(ds > 0 && rms > 0 && cd / ds >= 2 && cr * 1000 / rms >= 2) ? "met" : "NOT met"
		}
	}' "$R"
fi
grep '^BENCH_SKIP' "$R" | sed 's/^BENCH_SKIP /bench: skipped /'
if grep -q '^BENCH_APP_ERROR' "$R"; then
	grep '^BENCH_APP_ERROR' "$R" | sed 's/^BENCH_APP_ERROR /bench: error: /'
	exit 1
fi
echo "(QEMU TCG emulates the CPUs, so absolute times are pessimistic: compare runs on one machine)"
exec 8>&-
[ "${COK_BENCH_NOISE:-1}" = 0 ] && exit 0
"$ROOT/tests/noise.sh" || exit 1
exit 0
}
