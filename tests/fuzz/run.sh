#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/fuzz/run.sh: host-side tests of the app path, no guest needed:
#   apps/build        make -C tests/apps (musl and glibc static builds)
#   apps/host-*       the apps on Linux: exit codes, signals, fixed outputs
#   elf/freestanding  xemem/elf.h compiles with the co-kernel's flags and
#                     calls nothing
#   elf/*             tests/fuzz/elf_unit.c (ASan+UBSan): the test apps
#                     accepted, dynamic / 32-bit / garbage / truncated
#                     files refused, one crafted header per check
#   futex/unit        tests/fuzz/futex_unit.c: cokernel/futex.c (ASan+UBSan)
#                     with the scheduler stubbed: errors, word compares,
#                     results, wake_op's store, timeouts (the queue itself,
#                     cokernel/futexq.h, is KUnit's: tests/kunit/futex_kunit.c)
#   fuzz/elf          libFuzzer over cok_elf_check for COK_FUZZ_SECONDS
#                     (default 60), seeded with the apps and the crafted
#                     headers; the corpus is kept in build/fuzz/corpus
#   fuzz/image        libFuzzer over cok_img_parse (userland/image.c, the
#                     checkpoint image reader) for COK_FUZZ_SECONDS too,
#                     raw and resealed (image_reseal.h), seeded with the
#                     sample images of userland/test_image.c; the corpus
#                     is kept in build/fuzz/image-corpus.  (Its unit tests
#                     are userland's test-image, in make -C userland check.)
# One PASS/FAIL/SKIP line per test; exit 1 if anything failed.
# Installs what is missing (clang, libclang-rt-14-dev, musl-tools,
# gcc-multilib when it can) from Debian's repositories when run as root.
# Everything is built in build/fuzz/.
set -uo pipefail
# The braces make bash read the whole script before running it, so that
# editing it while it runs is harmless.
{

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=${COK_BUILD_DIR:-$ROOT/build}/fuzz
SECS=${COK_FUZZ_SECONDS:-60}
F=$ROOT/tests/fuzz
FAILED=0
mkdir -p "$B"
T0=$(date +%s)

pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; FAILED=1; }
skip() { echo "SKIP $*"; }
firstlines() { grep -E "${2:-error|Error|ERROR}" "$1" | head -n 2 | tr '\n' ' ' | cut -c1-300; }

# --- packages -------------------------------------------------------------
have_pkg() { dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null | grep -q '^ii'; }
NEED=(gcc make libc6-dev musl-tools clang libclang-rt-14-dev)
missing=()
for p in "${NEED[@]}"; do have_pkg "$p" || missing+=("$p"); done
# gcc-multilib: optional (a real 32-bit binary to refuse).
have_pkg gcc-multilib || missing+=(gcc-multilib)
if [ ${#missing[@]} -gt 0 ] && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
	echo "fuzz/run.sh: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	{ apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$B/apt.log" 2>&1 ||
		# One by one: gcc-multilib may be unavailable without the others failing.
		for p in "${missing[@]}"; do
			apt-get install -y -qq --no-install-recommends "$p" >>"$B/apt.log" 2>&1 ||
				echo "fuzz/run.sh: could not install $p (build/fuzz/apt.log)"
		done
fi
CLANG=
for c in clang clang-14; do command -v "$c" >/dev/null && { CLANG=$c; break; }; done

# --- the apps ---------------------------------------------------------------
A=$B/apps
if make -C "$F/../apps" O="$A" -j"$(nproc)" >"$B/apps.log" 2>&1; then
	pass "apps/build: $(ls "$A" | grep -c .) static binaries in build/fuzz/apps (musl, glibc$( [ -f "$A/hello.glibc-pie" ] && echo ", glibc static-pie"))"
else
	fail "apps/build: make -C tests/apps failed: $(firstlines "$B/apps.log") (build/fuzz/apps.log)"
fi

# The apps on Linux: what the guest tests compare the co-kernel against.
SHA64=a271990038660ae044c9d479cc40f7c49602c732551943b85244b27b685d1687
host_apps() {
	local l out rc n=0 w
	head -c 1000000 /dev/urandom >"$B/fc.in"
	for l in musl glibc; do
		[ -x "$A/hello.$l" ] || { echo "hello.$l not built"; return 1; }
		out=$("$A/hello.$l"); rc=$?
		[ "$rc" = 0 ] && [ "$out" = "hello from a static $l x86-64 binary" ] ||
			{ echo "hello.$l: exit $rc, output '$out'"; return 1; }
		"$A/exit42.$l"; rc=$?
		[ "$rc" = 42 ] || { echo "exit42.$l: exit $rc"; return 1; }
		out=$(COK_TEST_ENV='v a l' "$A/args.$l" one 'two words' '')
		w=$(printf 'argc=4\nargv[0]=[%s]\nargv[1]=[one]\nargv[2]=[two words]\nargv[3]=[]\nCOK_TEST_ENV=[v a l]' "$A/args.$l")
		[ "$out" = "$w" ] || { echo "args.$l: output '$out'"; return 1; }
		out=$("$A/sha.$l")
		[ "$out" = "$SHA64  xorshift64 64 MiB" ] || { echo "sha.$l: '$out', want $SHA64"; return 1; }
		out=$("$A/filecopy.$l" "$B/fc.in" "$B/fc.out.$l")
		[ "$out" = "read 1000000 bytes, wrote 1000000 bytes" ] || { echo "filecopy.$l: '$out'"; return 1; }
		"$A/filecopy.$l" "$B/fc.out.$l" "$B/fc.back.$l" >/dev/null
		cmp -s "$B/fc.in" "$B/fc.back.$l" || { echo "filecopy.$l twice is not the identity"; return 1; }
		for w in null:139 div:136 ill:132 stack:139; do
			( ulimit -c 0; "$A/crash_${w%:*}.$l" >/dev/null 2>&1 ); rc=$?
			[ "$rc" = "${w#*:}" ] || { echo "crash_${w%:*}.$l: exit $rc, want ${w#*:}"; return 1; }
		done
		out=$("$A/spin.$l" T 1); rc=$?
		[ "$rc" = 0 ] && [ "$out" = "$(printf 'spin T: spinning\nspin T: done')" ] || { echo "spin.$l T 1: exit $rc '$out'"; return 1; }
		n=$("$A/fwq.$l" 5 1000 | grep -c '^[0-9][0-9]*$')
		[ "$n" = 5 ] || { echo "fwq.$l 5 1000: $n number lines, want 5"; return 1; }
		n=$("$A/time.$l" | grep -c '^[1-9][0-9]*$')
		[ "$n" = 2 ] || { echo "time.$l: $n nanosecond lines, want 2"; return 1; }
	done
	cmp -s "$B/fc.out.musl" "$B/fc.out.glibc" || { echo "filecopy: musl and glibc outputs differ"; return 1; }
	if [ -x "$A/hello.glibc-pie" ]; then
		out=$("$A/hello.glibc-pie")
		[ "$out" = "hello from a static glibc x86-64 binary" ] || { echo "hello.glibc-pie: '$out'"; return 1; }
	fi
	return 0
}
if why=$(host_apps 2>&1); then
	pass "apps/host-run: on Linux, musl and glibc builds: fixed outputs, exit 42, sha $(echo $SHA64 | cut -c1-12)..., filecopy, crashes 139/136/132/139"
else
	fail "apps/host-run: $(echo "$why" | tail -n 1)"
fi

# --- elf.h: freestanding --------------------------------------------------
printf '#include "%s/xemem/elf.h"\nint probe(const void *p, uint64_t n, struct cok_elf_info *i, const char **w);\nint probe(const void *p, uint64_t n, struct cok_elf_info *i, const char **w) { return cok_elf_check(p, n, i, w); }\n' \
	"$ROOT" >"$B/freestanding.c"
if gcc -std=gnu11 -O2 -Wall -Wextra -Werror -Wdeclaration-after-statement -Wshadow -Wconversion \
	-Wmissing-prototypes -ffreestanding -fno-pic -fno-pie -mno-red-zone -mcmodel=kernel \
	-mgeneral-regs-only -fno-builtin -nostdinc -isystem "$(gcc -print-file-name=include)" \
	-D__COKERNEL__ -c -o "$B/freestanding.o" "$B/freestanding.c" >"$B/freestanding.log" 2>&1; then
	undef=$(nm -u "$B/freestanding.o" | awk '{ print $2 }' | grep -v -x -E 'memset|memcpy' | tr '\n' ' ')
	if [ -z "$undef" ]; then
		pass "elf/freestanding: xemem/elf.h builds with the co-kernel's flags (-ffreestanding -nostdinc -Werror -Wconversion), calls nothing"
	else
		fail "elf/freestanding: xemem/elf.h calls $undef"
	fi
else
	fail "elf/freestanding: $(firstlines "$B/freestanding.log" 'error') (build/fuzz/freestanding.log)"
fi

# --- files to refuse --------------------------------------------------------
R=$B/refuse
rm -rf "$R"
mkdir -p "$R"
printf 'int main(void) { return 0; }\nint lib(void) { return 1; }\n' >"$R/m.c"
REFUSE=(--refuse "/bin/ls:dynamically linked")
gcc -O2 -o "$R/dynamic-pie" "$R/m.c" 2>/dev/null && REFUSE+=(--refuse "$R/dynamic-pie:dynamically linked")
gcc -O2 -no-pie -o "$R/dynamic-exec" "$R/m.c" 2>/dev/null && REFUSE+=(--refuse "$R/dynamic-exec:dynamically linked")
gcc -O2 -fPIC -shared -o "$R/lib.so" "$R/m.c" 2>/dev/null && REFUSE+=(--refuse "$R/lib.so:shared library")
gcc -O2 -c -o "$R/m.o" "$R/m.c" 2>/dev/null && REFUSE+=(--refuse "$R/m.o:relocatable")
# musl's -static-pie keeps a PT_INTERP: refused, the loader could not run it.
musl-gcc -O2 -static-pie -o "$R/musl-static-pie" "$R/m.c" 2>/dev/null &&
	REFUSE+=(--refuse "$R/musl-static-pie:PT_INTERP")
HAVE32=
if gcc -m32 -static -O2 -o "$R/static32" "$R/m.c" >"$B/m32.log" 2>&1; then
	REFUSE+=(--refuse "$R/static32:32-bit ELF")
	HAVE32=1
fi
printf '#!/bin/sh\necho not an ELF\n' >"$R/script"
REFUSE+=(--refuse "$R/script:not an ELF file")
head -c 8192 /dev/urandom >"$R/random"
REFUSE+=(--refuse "$R/random:not an ELF file")
[ -f "$A/hello.musl" ] && head -c 1000 "$A/hello.musl" >"$R/hello-truncated" &&
	REFUSE+=(--refuse "$R/hello-truncated:truncated")
[ -n "$HAVE32" ] || skip "elf/refuse-32bit-binary: gcc -m32 -static failed (gcc-multilib not installed?); crafted 32-bit headers are tested in elf/crafted"

# --- unit test -----------------------------------------------------------------
U=$B/elf_unit
UCC=${CLANG:-gcc}
if $UCC -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
	-Wall -Wextra -Werror -o "$U" "$F/elf_unit.c" >"$B/elf_unit.log" 2>&1; then
	ARGS=()
	for f in "$A"/*.musl "$A"/*.glibc; do
		case ${f##*/} in
		lowload.*) ARGS+=(--refuse "$f:outside the user address range") ;;	# below 64 KiB on purpose
		*) [ -f "$f" ] && ARGS+=(--accept "$f") ;;
		esac
	done
	[ -f "$A/hello.glibc-pie" ] && ARGS+=(--accept-pie "$A/hello.glibc-pie" --truncate "$A/hello.glibc-pie")
	for f in "$A/hello.musl" "$A/hello.glibc" "$A/sha.musl"; do [ -f "$f" ] && ARGS+=(--truncate "$f"); done
	rm -rf "$B/seeds"
	mkdir -p "$B/seeds"
	"$U" "${ARGS[@]}" "${REFUSE[@]}" --write-seeds "$B/seeds" 2>"$B/elf_unit.err"
	rc=$?
	[ $rc -eq 0 ] || FAILED=1
	if [ $rc -ne 0 ] && ! grep -q . "$B/elf_unit.err"; then
		:	# its FAIL lines said it
	elif [ $rc -ne 0 ]; then
		fail "elf/unit: exit $rc: $(grep -m1 -E 'ERROR|runtime error|SUMMARY' "$B/elf_unit.err" | cut -c1-250) (build/fuzz/elf_unit.err)"
	fi
	[ -f "$A/hello.glibc-pie" ] || skip "elf/accept-static-pie: gcc -static-pie does not work here"
else
	fail "elf/unit: cannot build tests/fuzz/elf_unit.c with $UCC: $(firstlines "$B/elf_unit.log") (build/fuzz/elf_unit.log)"
fi

# --- the co-kernel's futex(2) layer (its queue: KUnit, cok_futex) -------------
FU=$B/futex_unit
if $UCC -std=gnu11 -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
	-Wall -Wextra -Werror -o "$FU" "$F/futex_unit.c" "$ROOT/cokernel/futex.c" \
	>"$B/futex_unit.log" 2>&1; then
	if out=$("$FU" 2>&1); then
		pass "futex/unit: cokernel/futex.c's errors, word compares, results, wake_op store, timeouts"
	else
		fail "futex/unit: $(echo "$out" | grep -m2 -E 'FAIL|ERROR|runtime error' | tr '\n' ' ' | cut -c1-250)"
	fi
else
	fail "futex/unit: cannot build tests/fuzz/futex_unit.c with $UCC: $(firstlines "$B/futex_unit.log") (build/fuzz/futex_unit.log)"
fi

# --- fuzzer ---------------------------------------------------------------------
fuzz() {
	local Z=$B/elf_fuzz log=$B/fuzz.log runs rate corpus art line
	if [ -z "$CLANG" ]; then
		fail "fuzz/elf: clang not installed (apt-get install clang libclang-rt-14-dev)"
		return
	fi
	if ! $CLANG -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-Wall -Wextra -Werror -o "$Z" "$F/elf_fuzz.c" >"$B/elf_fuzz.log" 2>&1; then
		fail "fuzz/elf: cannot build the harness: $(firstlines "$B/elf_fuzz.log") (build/fuzz/elf_fuzz.log)"
		return
	fi
	# Seeds: the crafted headers (written by elf_unit), the small musl
	# apps whole, the first 4 KiB of the others, the refused files.
	mkdir -p "$B/seeds" "$B/corpus" "$B/artifacts"
	for f in "$A"/*.musl; do [ -f "$f" ] && cp "$f" "$B/seeds/app-${f##*/}"; done
	for f in "$A"/*.glibc "$A"/*.glibc-pie; do [ -f "$f" ] && head -c 4096 "$f" >"$B/seeds/head-${f##*/}"; done
	for f in "$R"/*; do [ -f "$f" ] && head -c 65536 "$f" >"$B/seeds/refuse-${f##*/}"; done
	"$Z" -max_total_time="$SECS" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$B/artifacts/" \
		"$B/corpus" "$B/seeds" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	corpus=$(ls "$B/corpus" | grep -c .)
	if [ $rc -eq 0 ] && [ -n "$runs" ]; then
		pass "fuzz/elf: $runs runs, no crash ($SECS s, $rate exec/s, corpus $corpus inputs)"
	else
		art=$(ls -t "$B/artifacts" 2>/dev/null | head -n 1)
		line=$(grep -m1 -E '^elf_fuzz:|ERROR: (AddressSanitizer|libFuzzer)|runtime error|SUMMARY' "$log" | cut -c1-200)
		fail "fuzz/elf: exit $rc after ${runs:-?} runs: ${line:-see log}${art:+; input build/fuzz/artifacts/$art} (build/fuzz/fuzz.log)"
	fi
}
fuzz

# --- the checkpoint image reader ------------------------------------------------
# image.c and xxh64.c alone: the parser needs nothing else of cokctl.
fuzz_image() {
	local Z=$B/image_fuzz log=$B/image-fuzz.log S=$B/image-seeds C=$B/image-corpus
	local U=$ROOT/userland runs rate corpus art line rc
	if [ -z "$CLANG" ]; then
		fail "fuzz/image: clang not installed (apt-get install clang libclang-rt-14-dev)"
		return
	fi
	# Seeds: the sample images of the unit test (a plain build of it).
	if ! $CLANG -g -O1 -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -o "$B/image_seedgen" \
		"$U/test_image.c" "$U/image.c" "$U/xxh64.c" >"$B/image_seedgen.log" 2>&1; then
		fail "fuzz/image: cannot build the seed writer: $(firstlines "$B/image_seedgen.log") (build/fuzz/image_seedgen.log)"
		return
	fi
	rm -rf "$S"
	mkdir -p "$S" "$C" "$B/image-artifacts"
	if ! "$B/image_seedgen" --write-seeds "$S" >"$B/image_seedgen.log" 2>&1; then
		fail "fuzz/image: cannot write the seeds: $(head -c 200 "$B/image_seedgen.log")"
		return
	fi
	if ! $CLANG -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -o "$Z" \
		"$F/image_fuzz.c" "$U/image.c" "$U/xxh64.c" >"$B/image_fuzz.log" 2>&1; then
		fail "fuzz/image: cannot build the harness: $(firstlines "$B/image_fuzz.log") (build/fuzz/image_fuzz.log)"
		return
	fi
	"$Z" -max_total_time="$SECS" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$B/image-artifacts/" \
		"$C" "$S" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	corpus=$(ls "$C" | grep -c .)
	if [ $rc -eq 0 ] && [ -n "$runs" ]; then
		pass "fuzz/image: $runs runs, no crash ($SECS s, $rate exec/s, corpus $corpus inputs)"
	else
		art=$(ls -t "$B/image-artifacts" 2>/dev/null | head -n 1)
		line=$(grep -m1 -E '^image_fuzz:|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|SUMMARY' "$log" | cut -c1-200)
		fail "fuzz/image: exit $rc after ${runs:-?} runs: ${line:-see log}${art:+; input build/fuzz/image-artifacts/$art} (build/fuzz/image-fuzz.log)"
	fi
}
fuzz_image

echo "fuzz/run.sh: $(( $(date +%s) - T0 )) s"
[ $FAILED -eq 0 ]
exit
}
