# SPDX-License-Identifier: GPL-2.0
# Forwarded I/O beyond files (issue 9, part 5): each case runs a static
# program once on Linux and once in an enclave (cokctl launch) in this
# guest; stdout byte-identical, same exit status.
#  - posix_io (musl, glibc): pipes, poll/ppoll/select/pselect6 (readiness,
#    timeouts of 0 and a few ms, a closed fd), epoll, eventfd, socketpair,
#    AF_UNIX and TCP loopback listen/connect/accept between two threads
#    (the accepting thread blocks in a forwarded call while the other
#    connects: the proxy's second server), UDP, sendmsg/recvmsg with two
#    iovecs and SCM_RIGHTS, fcntl locks and flock, links, modes, owners,
#    times, statx, statfs, sendfile, copy_file_range, a pseudo-terminal's
#    settings, groups, umask, process groups and sessions; errors for bad
#    fds, pointers and flags as Linux's
#  - busybox sh with builtins only, in one process: a redirection read, a
#    here-document (a pipe the shell fills itself: the trace shows the
#    forwarded pipe), fds moved with exec, umask, cd/pwd, arithmetic,
#    printf, test, a read loop
#  - SIGPIPE: posix_io's handler runs for a write to a pipe with no
#    reader and a send to a closed peer, not with MSG_NOSIGNAL or when
#    ignored; `busybox yes | head -n 1` ends with 141 as on Linux
# timeout: 300
. /tests/lib.sh
t_require posixio module cokctl
ensure_module || { t_begin module; t_fail "$MODULE_ERR"; exit 0; }

# The TCP and UDP cases need the loopback interface up.
ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up 2>/dev/null
APPS=/apps
BB=/bin/busybox
DIR=$T_TMP/pio
mkdir -p "$DIR"

# same NAME EXPECTED_RC CMD...: Linux vs enclave, stdout and rc.
same() {
	_name=$1 _want=$2
	shift 2
	t_begin "$_name"
	"$@" >"$T_TMP/l.out" 2>"$T_TMP/l.err"
	_lrc=$?
	"$COKCTL" launch -- "$@" >"$T_TMP/c.out" 2>"$T_TMP/c.err" 3>&-
	_crc=$?
	if [ "$_lrc" != "$_want" ]; then
		t_fail "Linux run exit $_lrc, expected $_want: $(head -c 200 "$T_TMP/l.err")"
	elif [ "$_crc" != "$_lrc" ]; then
		t_fail "enclave exit $_crc, Linux $_lrc: $(head -c 300 "$T_TMP/c.err" | tr '\n' '|')"
	elif ! cmp -s "$T_TMP/l.out" "$T_TMP/c.out"; then
		t_fail "output differs: $(diff "$T_TMP/l.out" "$T_TMP/c.out" | head -n 6 | tr '\n' '|')"
	elif [ ! -s "$T_TMP/l.out" ]; then
		t_fail "no output"
	else
		t_pass
	fi
}

create_enclave --cpus 1 --mem 128M || { t_begin create; t_fail "$CREATE_ERR"; exit 0; }

for libc in musl glibc; do
	if [ -x "$APPS/posix_io.$libc" ]; then
		same "posix_io.$libc" 0 "$APPS/posix_io.$libc" "$DIR"
	else
		t_begin "posix_io.$libc"
		t_fail "$APPS/posix_io.$libc not in the image"
	fi
done

# busybox ash, builtins only: nothing here forks.
printf 'first line\nsecond line\n' >"$DIR/in.txt"
SCRIPT='read x < "$1"; echo "read: $x"
read a b <<END
one two three
END
echo "heredoc: $b / $a"
exec 3<"$1"
read -r l1 <&3; read -r l2 <&3
exec 3<&-
echo "fd 3: $l1 + $l2"
exec 4>"$1.out"; echo "to fd 4" >&4; exec 4>&-
read -r o < "$1.out"; echo "back: $o"
umask 027; umask
cd "${1%/*}" && [ "$PWD" = "${1%/*}" ] && echo "cd: ok"
echo "arith: $((6 * 7)) $(( (1 << 10) % 1000 ))"
printf "%s-%05d-%x\n" printf 42 255
test -e "$1" && echo "test -e: yes"
[ -d /nonexistent ] || echo "[ -d ]: no"
set -- a b c; echo "args: $# $2"
while read -r w; do echo "loop: $w"; done <"${PWD}/in.txt"'
if [ -x "$BB" ]; then
	same "busybox sh builtins" 0 "$BB" sh -c "$SCRIPT" sh "$DIR/in.txt"
	# The here-document went through a pipe the app made (forwarded).
	t_begin "busybox here-document: a forwarded pipe"
	"$COKCTL" launch -t -- "$BB" sh -c "$SCRIPT" sh "$DIR/in.txt" \
		>/dev/null 2>"$T_TMP/trace.err" 3>&-
	if grep -q ': pipe2\{0,1\}(.*) = 0$' "$T_TMP/trace.err"; then
		t_pass
	else
		t_fail "no successful pipe in the trace: $(grep -c . "$T_TMP/trace.err") lines"
	fi
else
	t_begin "busybox sh builtins"
	t_fail "no $BB in the guest"
fi
# A writer whose reader went away ends by SIGPIPE (141), as on Linux.
t_begin "SIGPIPE ends a writer (busybox yes | head)"
if [ -x "$BB" ]; then
	( "$BB" yes; echo $? >"$T_TMP/l.rc" ) | head -n 1 >/dev/null
	( "$COKCTL" launch -- "$BB" yes 2>"$T_TMP/c.err" 3>&-
	  echo $? >"$T_TMP/c.rc" ) | head -n 1 >/dev/null
	_l=$(cat "$T_TMP/l.rc") _c=$(cat "$T_TMP/c.rc")
	if [ "$_l" != 141 ]; then
		t_fail "Linux run exit $_l, expected 141"
	elif [ "$_c" != "$_l" ]; then
		t_fail "enclave exit $_c, Linux $_l: $(head -c 200 "$T_TMP/c.err")"
	else
		t_pass
	fi
else
	t_fail "no $BB in the guest"
fi
rm -rf "$DIR"
destroy_all
