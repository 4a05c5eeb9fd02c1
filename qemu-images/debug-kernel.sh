#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# qemu-images/debug-kernel.sh [--force]
#
# Builds (once) the debug guest kernel: x86_64, tinyconfig + the fragment
# qemu-images/debug.config (KASAN, lockdep, kmemleak, DEBUG_LIST, ...),
# from Debian's linux-source-6.1, out of tree.  Prints on stdout, exactly:
#
#   BZIMAGE=<path>          the kernel to boot
#   KDIR=<path>             build tree for `make -C $KDIR M=... modules`
#   CMDLINE_EXTRA=panic_on_warn=1 kmemleak=on
#
# (add CMDLINE_EXTRA to the guest's kernel command line).  Progress and
# errors go to stderr; the full make output to $DBG/build.log.
#
# Cache: $COK_CACHE (default /var/cache/ckpt_cokernel)/debug-6.1/build, keyed
# on sha256(fragment + linux-source-6.1 version + base); a cache hit runs no
# make at all.  --force rebuilds anyway.  The Linux tree in
# $COK_CACHE/linux-source-6.1 is shared with tests/kunit/run.sh.
# Environment: COK_CACHE, JOBS (default: number of CPUs).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
FRAG=$HERE/debug.config
CACHE=${COK_CACHE:-/var/cache/ckpt_cokernel}
SRC=$CACHE/linux-source-6.1
TARBALL=/usr/src/linux-source-6.1.tar.xz
DBG=$CACHE/debug-6.1
OBJ=$DBG/build
BASE=tinyconfig
JOBS=${JOBS:-$(nproc)}
CMDLINE_EXTRA="panic_on_warn=1 kmemleak=on"
FORCE=0
[ "${1:-}" = --force ] && FORCE=1

log() { echo "debug-kernel: $*" >&2; }
die() { echo "debug-kernel: ERROR: $*" >&2; exit 1; }

# --- packages and the shared Linux tree -------------------------------------
. "$HERE/linux-source.sh"
need_source_pkgs

emit() {
	echo "BZIMAGE=$OBJ/arch/x86/boot/bzImage"
	echo "KDIR=$OBJ"
	echo "CMDLINE_EXTRA=$CMDLINE_EXTRA"
}

[ -f "$FRAG" ] || die "no fragment $FRAG"
mkdir -p "$DBG"
exec 8>"$DBG/lock"
flock 8 || die "cannot lock $DBG/lock"	# one builder at a time
prepare_tree

KEY=$( { echo "base=$BASE arch=x86_64"; cat "$SRC/.cok-unpacked"; cat "$FRAG"; } |
	sha256sum | cut -d' ' -f1)
if [ $FORCE -eq 0 ] && [ "$(cat "$OBJ/.cok-key" 2>/dev/null || true)" = "$KEY" ] &&
   [ -f "$OBJ/arch/x86/boot/bzImage" ] && [ -f "$OBJ/Module.symvers" ]; then
	log "cached (key ${KEY:0:12}): $OBJ"
	emit
	exit 0
fi

# --- configure ---------------------------------------------------------------
M=(make -C "$SRC" O="$OBJ" ARCH=x86_64)
BUILDLOG=$DBG/build.log
: >"$BUILDLOG"
run() {	# run a build step, its output to the log; on failure show why
	local what=$1; shift
	if ! "$@" >>"$BUILDLOG" 2>&1; then
		log "$what failed; last lines of $BUILDLOG:"
		grep -E 'error|Error|\*\*\*' "$BUILDLOG" | head -n 20 >&2 || true
		tail -n 25 "$BUILDLOG" >&2
		die "$what failed"
	fi
}

start=$(date +%s)
rm -f "$OBJ/.cok-key"
mkdir -p "$OBJ"
log "configuring: $BASE + $(basename "$FRAG") in $OBJ"
run "make $BASE" "${M[@]}" "$BASE"
run "merge_config" env ARCH=x86_64 "$SRC/scripts/kconfig/merge_config.sh" -m \
	-O "$OBJ" "$OBJ/.config" "$FRAG"
run "make olddefconfig" "${M[@]}" olddefconfig

# olddefconfig silently drops what has unmet dependencies: check each line.
bad=0
while IFS= read -r line; do
	case $line in
	CONFIG_*=*)
		opt=${line%%=*}
		if ! grep -qxF -- "$line" "$OBJ/.config"; then
			got=$(grep -E "^(# )?$opt[= ]" "$OBJ/.config" || echo "absent")
			log "MISSING $line (final .config: $got)"
			bad=1
		fi ;;
	"# CONFIG_"*" is not set")
		opt=${line#\# }; opt=${opt%% *}
		if grep -qE "^$opt=" "$OBJ/.config"; then
			log "MISSING $line (final .config: $(grep -E "^$opt=" "$OBJ/.config"))"
			bad=1
		fi ;;
	esac
done <"$FRAG"
[ $bad -eq 0 ] || die "options of $(basename "$FRAG") did not survive olddefconfig (unmet dependencies?)"
log "config verified: every option of $(basename "$FRAG") is in the final .config"

# --- build ---------------------------------------------------------------------
log "building bzImage + modules_prepare with $JOBS jobs (log: $BUILDLOG)"
run "make all" "${M[@]}" -j"$JOBS" all
run "make modules_prepare" "${M[@]}" -j"$JOBS" modules_prepare
[ -f "$OBJ/arch/x86/boot/bzImage" ] || die "no bzImage after the build"
[ -f "$OBJ/Module.symvers" ] || die "no Module.symvers after the build"
echo "$KEY" >"$OBJ/.cok-key"
log "built $(cat "$OBJ/include/config/kernel.release") in $(( $(date +%s) - start )) s"
emit
