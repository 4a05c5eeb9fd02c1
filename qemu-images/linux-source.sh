# SPDX-License-Identifier: GPL-2.0
#
# Sourced (bash) by tests/kunit/run.sh and qemu-images/debug-kernel.sh:
# the Debian packages both need, and the one unpacked linux-source-6.1
# tree they share.  The caller defines log, die, CACHE, SRC and TARBALL.
#
#   need_pkgs PKG...   apt-get install what is missing
#   need_source_pkgs   the packages a kernel build from linux-source needs
#   prepare_tree       unpack the tree once per package version, under a
#                      lock; returns holding it shared (fd 9) so nobody
#                      swaps the tree while the caller builds

need_pkgs() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q '^install ok installed$' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	log "installing ${missing[*]}"
	[ "$(id -u)" -eq 0 ] || die "missing packages ${missing[*]} (run as root or install them)"
	export DEBIAN_FRONTEND=noninteractive
	local apt=(apt-get -o DPkg::Lock::Timeout=600 -y -q)
	"${apt[@]}" install --no-install-recommends "${missing[@]}" >&2 ||
		{ "${apt[@]}" update >&2 &&
		  "${apt[@]}" install --no-install-recommends "${missing[@]}" >&2; } ||
		die "apt-get install ${missing[*]} failed"
}

need_source_pkgs() {
	need_pkgs linux-source-6.1 flex bison bc libelf-dev python3 \
		gcc make libc6-dev xz-utils
}

prepare_tree() {
	local want have tmp
	want="$(dpkg-query -W -f='${Version}' linux-source-6.1) hooks=2"
	mkdir -p "$CACHE"
	exec 9>"$CACHE/linux-source-6.1.lock"
	flock -s 9
	have=$(cat "$SRC/.cok-unpacked" 2>/dev/null || true)
	[ "$have" = "$want" ] && return 0
	flock -u 9
	flock -x 9	# waits for builds holding the shared lock
	have=$(cat "$SRC/.cok-unpacked" 2>/dev/null || true)
	if [ "$have" != "$want" ]; then
		log "unpacking $TARBALL into $SRC (once per package version)"
		tmp=$(mktemp -d "$CACHE/unpack.XXXXXX")
		tar -xJf "$TARBALL" -C "$tmp" || { rm -rf "$tmp"; die "cannot unpack $TARBALL"; }
		# Hooks for the KUnit lane (inert until run.sh fills the directory
		# and a config enables KUnit; kconfig in 6.1 has no "osource").
		mkdir "$tmp/linux-source-6.1/drivers/misc/ckpt_cokernel_kunit"
		echo '# placeholder; tests/kunit/run.sh installs the real Kconfig' \
			>"$tmp/linux-source-6.1/drivers/misc/ckpt_cokernel_kunit/Kconfig"
		echo 'source "drivers/misc/ckpt_cokernel_kunit/Kconfig"' \
			>>"$tmp/linux-source-6.1/drivers/misc/Kconfig"
		echo 'obj-$(CONFIG_CKPT_COKERNEL_KUNIT_TEST) += ckpt_cokernel_kunit/' \
			>>"$tmp/linux-source-6.1/drivers/misc/Makefile"
		echo "$want" >"$tmp/linux-source-6.1/.cok-unpacked"
		rm -rf "$SRC.old"
		[ -e "$SRC" ] && mv "$SRC" "$SRC.old"
		mv "$tmp/linux-source-6.1" "$SRC"
		rm -rf "$SRC.old" "$tmp"
	fi
	flock -u 9
	flock -s 9	# held until we exit: nobody swaps the tree under us
}
