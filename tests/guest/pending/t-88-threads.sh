# SPDX-License-Identifier: GPL-2.0
# PENDING (issue 8): not run by make check until the co-kernel has
# threads; tests/guest/pending/ is not copied into the guest image.  Move
# it to tests/guest/ with the step that makes it pass (docs/threads.md).
#
# Multi-threaded apps in a 2-core enclave, each against a Linux run of the
# same binary on 2 Linux CPUs of the same guest (taskset): output
# byte-identical, same exit status.
#  - pthreads (musl, glibc) with 1, N = 2 and 4 x N threads
#  - OpenMP (glibc/libgomp): omp_get_max_threads() is the enclave's cores
#  - thread_io: a thread blocked reading stdin while others print
#  - thread_fault: a fault in a thread ends the process, 128 + SIGSEGV
# timeout: 900
. /tests/lib.sh
t_require threads module cokctl
ensure_module || { t_begin module; t_fail "$MODULE_ERR"; exit 0; }

N=2

# same NAME EXPECTED_RC CMD...: Linux (taskset) vs enclave, output and rc.
same() {
	_name=$1 _want=$2
	shift 2
	t_begin "$_name"
	taskset -c $LCPUS "$@" >"$T_TMP/l.out" 2>&1
	_lrc=$?
	"$COKCTL" launch -- "$@" >"$T_TMP/c.out" 2>"$T_TMP/c.err" 3>&-
	_crc=$?
	if [ "$_lrc" != "$_want" ]; then
		t_fail "Linux run exit $_lrc, expected $_want: $(head -c 200 "$T_TMP/l.out")"
	elif [ "$_crc" != "$_lrc" ]; then
		t_fail "enclave exit $_crc, Linux $_lrc: $(head -c 200 "$T_TMP/c.err")"
	elif ! cmp -s "$T_TMP/l.out" "$T_TMP/c.out"; then
		t_fail "output differs: $(diff "$T_TMP/l.out" "$T_TMP/c.out" | head -n 4 | tr '\n' '|')"
	else
		t_pass
	fi
}

create_enclave --cpus $N --mem 256M || { t_begin create; t_fail "$CREATE_ERR"; exit 0; }
LCPUS=$(online_cpus)	# the Linux CPUs left: as many as the enclave's
for libc in musl glibc; do
	for n in 1 $N $((4 * N)); do
		same "pthreads.$libc x$n" 0 /apps/pthreads.$libc $n 2000
	done
done
same "omp default threads" 0 /apps/omp.glibc
OMP_NUM_THREADS=$((4 * N)) same "omp x$((4 * N))" 0 /apps/omp.glibc
same "thread_fault" 139 /apps/thread_fault.glibc

t_begin "thread_io: a blocked reader does not stop the others"
mkfifo "$T_TMP/in"
"$COKCTL" launch -- /apps/thread_io.musl 3 <"$T_TMP/in" >"$T_TMP/io.out" 2>&1 3>&- &
P=$!
exec 7>"$T_TMP/in"
# In subshells: an app that ended early leaves no reader (SIGPIPE).
(echo a >&7) 2>/dev/null
wait_lines "$T_TMP/io.out" 4
(echo b >&7) 2>/dev/null
exec 7>&-
wait "$P"
rc=$?
printf 'in: a\nworker 0: ba495c69273bd881\nworker 1: a6659c61661f1a82\nworker 2: 9281dc59a5025c83\nin: b\nlines 2\n' >"$T_TMP/io.want"
if [ $rc = 0 ] && cmp -s "$T_TMP/io.out" "$T_TMP/io.want"; then
	t_pass
else
	t_fail "exit $rc, output: $(head -c 300 "$T_TMP/io.out" | tr '\n' '|')"
fi
destroy_case destroy
