# SPDX-License-Identifier: GPL-2.0
# On kernels with kmemleak (the debug lane): after all the other tests,
# no leaked object was allocated from our module.  kmemleak's reports
# about the rest of the kernel are not ours to judge and are ignored;
# an object counts as ours if its backtrace names ckpt_cokernel or has
# an unsymbolised module-area frame (a module unloaded since).
# timeout: 240
. /tests/lib.sh
KML=/sys/kernel/debug/kmemleak

t_begin kmemleak/module-leaks
case_leaks() {
	[ -e "$KML" ] || { t_skip "kernel without kmemleak (only the debug lane has it)"; return; }
	echo scan >"$KML" 2>"$T_TMP/kml.err" ||
		{ t_fail "kmemleak scan refused (kmemleak disabled?): $(cat "$T_TMP/kml.err")"; return; }
	sleep 6
	echo scan >"$KML"
	cat "$KML" >"$T_TMP/kml"
	awk '
	/^unreferenced object/ { if (blk != "" && ours) print blk; blk = $0; ours = 0; next }
	{ blk = blk "\n" $0 }
	/ckpt_cokernel|ipi_storm/ { ours = 1 }
	/\[<ffffffff[a-f][0-9a-f]{7}>\] 0x/ { ours = 1 }
	END { if (blk != "" && ours) print blk }' "$T_TMP/kml" >"$T_TMP/ours"
	total=$(grep -c '^unreferenced object' "$T_TMP/kml")
	n=$(grep -c '^unreferenced object' "$T_TMP/ours")
	t_info "kmemleak: $total unreferenced objects in all, $n from our modules"
	if [ "$n" -gt 0 ]; then
		head -n 40 "$T_TMP/ours"
		t_fail "$n leaked objects from our module; first: $(grep -m1 -E 'ckpt_cokernel|0x' "$T_TMP/ours" | sed 's/^ *//')"
		return
	fi
	t_pass
}
case_leaks
