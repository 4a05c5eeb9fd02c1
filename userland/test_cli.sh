#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Host test of cokctl's launch, ps and kill command lines: what happens
# before the module is asked (usage, finding and checking PROGRAM), and
# the manuals.  No module needed; one PASS/FAIL line per case.
#
#	test_cli.sh [COKCTL]
COKCTL=${1:-./cokctl}
T=$(mktemp -d /tmp/cok-test-cli.XXXXXX)
trap 'rm -rf "$T"' EXIT
failed=0

pass() { echo "PASS cli/$1"; }
fail() { echo "FAIL cli/$1: $2"; failed=1; }

# expect NAME RC STDERR_SUBSTRING CMD...: exit status, stderr, empty stdout.
expect() {
	_n=$1 _rc=$2 _err=$3
	shift 3
	"$@" >"$T/out" 2>"$T/err"
	_got=$?
	if [ "$_got" != "$_rc" ]; then
		fail "$_n" "exit $_got, want $_rc ($(head -n 1 "$T/err"))"
	elif ! grep -qF -- "$_err" "$T/err"; then
		fail "$_n" "stderr '$(head -n 2 "$T/err" | tr '\n' '|')' lacks '$_err'"
	elif [ -s "$T/out" ]; then
		fail "$_n" "stdout not empty: $(head -c 100 "$T/out")"
	else
		pass "$_n"
	fi
}

# A static x86-64 executable, if the compiler can make one.
STATIC_APP=
if printf 'int main(void){return 0;}\n' >"$T/s.c" &&
   ${CC:-cc} -static -o "$T/static" "$T/s.c" 2>/dev/null; then
	STATIC_APP=$T/static
fi

expect launch-no-program 2 "which program?" "$COKCTL" launch
expect launch-bad-option 2 "unknown option '-x'" "$COKCTL" launch -x prog
expect launch-bad-core 2 "invalid core 'abc'" "$COKCTL" launch --core abc prog
expect launch-bad-cores 2 "invalid core count '0' (1 to 32)" "$COKCTL" launch --cores 0 prog
expect launch-too-many-cores 2 "invalid core count '33'" "$COKCTL" launch --cores 33 prog
expect launch-bad-enclave 2 "invalid enclave id '0'" "$COKCTL" launch -e 0 prog
expect launch-missing-value 2 "needs a value" "$COKCTL" launch --core
expect launch-not-found 1 "cok-no-such-program-here: command not found" \
	"$COKCTL" launch cok-no-such-program-here
expect launch-no-such-file 1 "No such file or directory" "$COKCTL" launch "$T/none"
expect launch-directory 1 "is a directory" "$COKCTL" launch "$T"
head -c 4096 /dev/urandom >"$T/garbage"
chmod 755 "$T/garbage"
expect launch-garbage 1 "$T/garbage: not an ELF file" "$COKCTL" launch "$T/garbage" a b
: >"$T/empty"
chmod 755 "$T/empty"
expect launch-empty 1 "not an ELF file" "$COKCTL" launch "$T/empty"
if ldd /bin/sh >/dev/null 2>&1; then
	expect launch-dynamic 1 "dynamically linked" "$COKCTL" launch /bin/sh -c true
fi
if [ -n "$STATIC_APP" ]; then
	cp "$STATIC_APP" "$T/noexec"
	chmod 644 "$T/noexec"
	# As execve: no x bit is EACCES, for root too.
	expect launch-not-executable 4 "Permission denied" "$COKCTL" launch "$T/noexec"
	# Found in PATH, checked, then the device: no module on the host.
	if [ ! -e /dev/ckpt_cokernel ]; then
		cp "$STATIC_APP" "$T/cok-static-app"
		expect launch-path-search-no-module 3 "module is not loaded" \
			env PATH="/nonexistent:$T" "$COKCTL" launch cok-static-app --core 1
	fi
	# Arguments and environment too large (256 KiB; 4096 strings):
	# refused before the device.
	k=$(head -c 1000 /dev/zero | tr '\0' k)
	expect launch-too-long 1 "argument list too long" \
		"$COKCTL" launch "$STATIC_APP" $(i=0; while [ $i -lt 300 ]; do
			echo "$k"; i=$((i + 1)); done)
	expect launch-too-many 1 "argument list too long" \
		"$COKCTL" launch "$STATIC_APP" $(i=0; while [ $i -lt 5000 ]; do
			echo x; i=$((i + 1)); done)
fi

expect ps-extra-argument 2 "unexpected argument 'x'" "$COKCTL" ps x
expect ps-bad-option 2 "unknown option" "$COKCTL" ps --nope
expect kill-no-app 2 "which app?" "$COKCTL" kill
expect kill-bad-app 2 "invalid app id '0'" "$COKCTL" kill 0
expect kill-two-apps 2 "unexpected argument '2'" "$COKCTL" kill 1 2

# image: usage, then a sample image from test-image (when built).
expect image-no-subcommand 2 "what? (info or verify)" "$COKCTL" image
expect image-bad-subcommand 2 "unknown subcommand 'x'" "$COKCTL" image x f
expect image-no-file 2 "which image file?" "$COKCTL" image verify
expect image-two-files 2 "unexpected argument 'b'" "$COKCTL" image info a b
expect image-no-such-file 5 "No such file or directory" \
	"$COKCTL" image verify "$T/none"
expect image-directory 6 "a directory, not an image file" \
	"$COKCTL" image info "$T"
expect image-garbage 6 "not a ckpt_cokernel image (bad magic)" \
	"$COKCTL" image verify "$T/garbage"
expect image-empty 6 "the file is empty" "$COKCTL" image info "$T/empty"

# expect_out NAME RC STDOUT_SUBSTRING CMD...: exit status, stdout, no stderr.
expect_out() {
	_n=$1 _rc=$2 _out=$3
	shift 3
	"$@" >"$T/out" 2>"$T/err"
	_got=$?
	if [ "$_got" != "$_rc" ]; then
		fail "$_n" "exit $_got, want $_rc ($(head -n 1 "$T/err"))"
	elif ! grep -qF -- "$_out" "$T/out"; then
		fail "$_n" "stdout '$(head -n 2 "$T/out" | tr '\n' '|')' lacks '$_out'"
	elif [ -s "$T/err" ]; then
		fail "$_n" "stderr not empty: $(head -c 100 "$T/err")"
	else
		pass "$_n"
	fi
}

TEST_IMAGE=$(dirname "$COKCTL")/test-image
if [ -x "$TEST_IMAGE" ] && "$TEST_IMAGE" --write-sample "$T/ckpt.img"; then
	I=$T/ckpt.img
	expect_out image-verify 0 "$I: OK (8 records, 20 KiB of pages, all checksums hold)" \
		"$COKCTL" image verify "$I"
	expect_out image-verify-json 0 "{\"file\":\"$I\",\"ok\":true,\"records\":8,\"page_bytes\":20480}" \
		"$COKCTL" image verify -j "$I"
	expect_out image-info 0 "   3  regular          4096  O_WRONLY|O_APPEND  /tmp/out.txt" \
		"$COKCTL" image info "$I"
	expect_out image-info-json 0 '"zero_pages":65},"page_sums_checked":false}' \
		"$COKCTL" image info "$I" --json
	if command -v python3 >/dev/null; then
		if "$COKCTL" image info -j "$I" | python3 -c 'import json, sys; json.load(sys.stdin)'; then
			pass image-info-json-valid
		else
			fail image-info-json-valid "python3 cannot load the JSON"
		fi
	fi
	# A damaged page: info (page sums skipped) shows it, verify refuses.
	cp "$I" "$T/damaged.img"
	printf 'U' | dd of="$T/damaged.img" bs=1 seek=20000 conv=notrunc 2>/dev/null
	expect_out image-info-skips-page-sums 0 "(page checksums not checked" \
		"$COKCTL" image info "$T/damaged.img"
	expect image-verify-damaged 6 "record 8 (PAGES at byte 17728): payload checksum mismatch" \
		"$COKCTL" image verify "$T/damaged.img"
	head -c 4096 "$I" >"$T/short.img"
	expect image-verify-truncated 6 "truncated: file is 4096 bytes, header says 21888" \
		"$COKCTL" image verify "$T/short.img"
elif [ -x "$TEST_IMAGE" ]; then
	fail image-sample "$TEST_IMAGE --write-sample failed"
else
	echo "SKIP cli/image-sample: no $TEST_IMAGE (make test-image)"
fi

# Manuals: exit 0, on stdout, with the usual sections, lines <= 79.
for v in launch ps kill image; do
	if ! "$COKCTL" help "$v" >"$T/man" 2>"$T/err" || [ -s "$T/err" ]; then
		fail "manual-$v" "cokctl help $v failed"
	elif ! "$COKCTL" "$v" --help >"$T/man2" 2>/dev/null; then
		fail "manual-$v" "cokctl $v --help failed"
	elif ! cmp -s "$T/man" "$T/man2"; then
		fail "manual-$v" "help $v and $v --help differ"
	elif ! grep -q '^NAME$' "$T/man" || ! grep -q '^SYNOPSIS$' "$T/man" ||
	     ! grep -q '^EXIT STATUS$' "$T/man" || ! grep -q '^EXAMPLES$' "$T/man"; then
		fail "manual-$v" "a section is missing"
	elif awk 'length($0) > 79 { bad = 1 } END { exit !bad }' "$T/man"; then
		fail "manual-$v" "a line is longer than 79 columns"
	else
		pass "manual-$v"
	fi
done
"$COKCTL" --help >"$T/man" 2>&1
if grep -q '^    launch ' "$T/man" && grep -q '^    ps ' "$T/man" &&
   grep -q '^    kill ' "$T/man"; then
	pass manual-main-lists-verbs
else
	fail manual-main-lists-verbs "cokctl --help does not list launch, ps and kill"
fi
exit $failed
